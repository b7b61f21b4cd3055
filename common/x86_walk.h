/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Guest linear-to-physical translation for instruction fetch during MMIO
 * emulation. Pure C with a callback for guest-physical reads; shared by the
 * module and userspace tests.
 */
#ifndef MV_X86_WALK_H
#define MV_X86_WALK_H

#include "mv_types.h"

#define MV_CR0_PE		(1ULL << 0)
#define MV_CR0_PG		(1ULL << 31)
#define MV_CR4_PSE		(1ULL << 4)
#define MV_CR4_PAE		(1ULL << 5)
#define MV_CR4_LA57	(1ULL << 12)
#define MV_EFER_LMA	(1ULL << 10)

struct x86_paging {
	u64 cr0, cr3, cr4, efer;
};

/* Reads 'len' bytes of guest-physical memory; 0 or -errno. */
typedef int (*x86_read_phys_fn)(void *ctx, u64 gpa, void *buf, unsigned int len);

/*
 * Translates a linear address. Returns 0 and the guest-physical address, or
 * -EFAULT if a paging-structure entry is not present or cannot be read.
 * Access rights are not checked: the caller only reads instruction bytes the
 * CPU has already fetched.
 */
int x86_linear_to_phys(const struct x86_paging *p, u64 la, u64 *gpa,
		       x86_read_phys_fn read_phys, void *ctx);

#endif /* MV_X86_WALK_H */
