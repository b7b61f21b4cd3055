/* SPDX-License-Identifier: GPL-2.0 */
/* Addresses and values shared by mmio.c (host side) and mmio_guest.c. */
#ifndef SELFTEST_MMIO_COMMON_H
#define SELFTEST_MMIO_COMMON_H

#include <stdint.h>

/* No slot here; inside the tests' 4 GiB identity map. */
#define MMIO_BASE		0xd0000000ull
/* The same, for absolute addresses in inline assembly. */
#define MMIO_BASE_ASM		"0xd0000000"
/* A read-only slot, also inside the identity map. */
#define RO_GPA			0xc0000000ull
#define RO_SIZE			0x10000ull

/* Register preload for reads: what must survive an 8- or 16-bit load. */
#define MMIO_RAX_BEFORE		0x1111111111111111ull

/* Values the host returns for reads, by access size. */
#define MMIO_RD8		0x9cull
#define MMIO_RD16		0xa55aull
#define MMIO_RD32		0x87654321ull	/* bit 31 set: zero-, not sign-extended */
#define MMIO_RD64		0xfedcba9876543210ull

/* Offsets from MMIO_BASE of the reads, in the order the guest does them. */
#define RD_AL			0x80	/* 8A /r */
#define RD_AX			0x82	/* 66 8B /r */
#define RD_EAX			0x84	/* 8B /r */
#define RD_RAX			0x88	/* REX.W 8B /r */
#define RD_MOFFS_AL		0x90	/* A0 */
#define RD_MOFFS_EAX		0x94	/* A1 */
#define RD_MOFFS_RAX		0x98	/* REX.W A1 */
#define RD_AH			0xa0	/* 8A /r, AH */
#define RD_R11			0xa8	/* REX.WR 8B /r */
#define RD_R11B			0xb0	/* REX.R 8A /r */
#define RD_CANCEL		0xc0	/* completion dropped by MV_SET_REGS */

#define BAD_INSN_OFFSET		0x400

#define RO_WRITE_OFFSET		0x200
#define RO_WRITE_VALUE		0x1122334455667788ull
#define RO_BYTE_OFFSET		0x301
#define RO_BYTE_VALUE		0x42

static inline uint64_t ro_word(uint64_t i)
{
	return 0x0101010101010101ull * (i & 0xff) ^ 0xa5a5a5a5a5a5a5a5ull ^ (i << 40);
}

#define RO_HASH_INIT		0xcbf29ce484222325ull

static inline uint64_t ro_hash(uint64_t h, uint64_t w)
{
	return (h ^ w) * 0x100000001b3ull;
}

#endif /* SELFTEST_MMIO_COMMON_H */
