/* SPDX-License-Identifier: GPL-2.0 */
/* Ports, addresses and values shared by smp.c (host side) and smp_guest.c. */
#ifndef SELFTEST_SMP_COMMON_H
#define SELFTEST_SMP_COMMON_H

#include <stdint.h>

/*
 * guest_migrate_count: one 4-byte OUT of the step number per step. Plain
 * numbers: the guest's inline assembly uses them too.
 */
#define SMP_STEP_PORT		0x5e0
/* Its R14 starts here and becomes rol(R14, 7) ^ RBX at every step. */
#define SMP_R14_SEED		0x0123456789abcdef

/* guest_in_out_chain: an IN for the next input, an OUT of the running hash. */
#define SMP_IN_PORT		0x5f0
#define SMP_OUT_PORT		0x5f4
#define SMP_HASH_MUL		6364136223846793005ull

/*
 * guest_read_slot: a second slot inside the tests' 4 GiB identity map, read
 * by the guest in a loop until the host deletes it.
 */
#define SMP_SLOT		1
#define SMP_SLOT_GPA		0x40000000ull
#define SMP_SLOT_SIZE		0x10000ull
#define SMP_SLOT_PROBES		16
#define SMP_SLOT_STRIDE		(SMP_SLOT_SIZE / SMP_SLOT_PROBES)
/* What the host answers MMIO reads of the deleted range with (xor GPA). */
#define SMP_MMIO_VALUE		0x5a5a000000000000ull

struct smp_slot_params {
	uint64_t gpa;		/* the slot's guest-physical base */
	uint64_t size;		/* a power of two */
	uint64_t pattern;	/* the qword at offset off holds pattern ^ off */
	uint64_t reads;		/* guest: loads that returned the pattern */
};

#endif /* SELFTEST_SMP_COMMON_H */
