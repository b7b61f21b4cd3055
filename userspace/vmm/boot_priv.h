/* SPDX-License-Identifier: GPL-2.0 */
/* Helpers shared by the boot loaders (boot.c, bzimage.c, multiboot.c, acpi.c). */
#ifndef MVM_BOOT_PRIV_H
#define MVM_BOOT_PRIV_H

#include <stdint.h>
#include <string.h>

#include "boot.h"

/* Guest memory and the files are little endian, like every host mvm builds on. */
static inline uint16_t mvm_get16(const uint8_t *p)
{
	return (uint16_t)(p[0] | p[1] << 8);
}

static inline uint32_t mvm_get32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
	       (uint32_t)p[3] << 24;
}

static inline uint64_t mvm_get64(const uint8_t *p)
{
	return (uint64_t)mvm_get32(p) | (uint64_t)mvm_get32(p + 4) << 32;
}

static inline void mvm_put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
}

static inline void mvm_put32(uint8_t *p, uint32_t v)
{
	mvm_put16(p, (uint16_t)v);
	mvm_put16(p + 2, (uint16_t)(v >> 16));
}

static inline void mvm_put64(uint8_t *p, uint64_t v)
{
	mvm_put32(p, (uint32_t)v);
	mvm_put32(p + 4, (uint32_t)(v >> 32));
}

/* [off, off + len) lies inside [0, limit), without overflow. */
static inline bool mvm_range_ok(uint64_t off, uint64_t len, uint64_t limit)
{
	return off <= limit && len <= limit - off;
}

static inline uint64_t mvm_align_up(uint64_t v, uint64_t a)
{
	return (v + a - 1) & ~(a - 1);
}

/* The checks every loader makes on the configuration (need_mem: c->mem set): 0 or -EINVAL. */
int mvm_boot_check_cfg(const struct mvm_boot_cfg *c, bool need_mem, struct mvm_err *err);
/* Each protocol's checks alone: no guest memory needed. 0 or -EINVAL. */
int mvm_bzimage_check(const struct mvm_boot_cfg *c, struct mvm_err *err);
int mvm_multiboot_check(const struct mvm_boot_cfg *c, struct mvm_err *err);
/*
 * The GDT at MVM_BOOT_GDT and the TSS at MVM_BOOT_TSS, then flat segments in
 * *s: CS = code64 (long) or code32, the data segments MVM_BOOT_SEL_DATA, a
 * busy TSS in TR, no LDT. Control registers are left to the caller.
 */
void mvm_boot_gdt(uint8_t *mem, struct mv_sregs *s, bool long_mode);

#endif /* MVM_BOOT_PRIV_H */
