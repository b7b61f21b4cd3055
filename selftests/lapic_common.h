/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Shared by selftests/lapic.c (host) and lapic_guest.c (guest): vectors,
 * the configuration the host writes into guest memory before a run and
 * the results the guest leaves there.
 */
#ifndef SELFTEST_LAPIC_COMMON_H
#define SELFTEST_LAPIC_COMMON_H

#include <stdint.h>

#define LAPIC_VEC_TIMER		0x40
#define LAPIC_VEC_SELF		0x50
#define LAPIC_VEC_IPI		0x51
#define LAPIC_VEC_MSI		0x60
#define LAPIC_VEC_LEVEL		0x61
#define LAPIC_VEC_SPURIOUS	0xff
#define LAPIC_MAX_HITS		8
#define LAPIC_IPI_ROUNDS	20

/* Written by the host before the vCPUs start. */
struct lapic_cfg {
	uint64_t tsc_khz;	/* MV_CAP_TSC_KHZ */
	uint32_t x2apic;	/* 1: x2APIC MSRs, 0: the xAPIC page */
	uint32_t logical;	/* IPI test: logical destinations */
};

/* Written by the guest. */
struct lapic_res {
	uint64_t timer_hits;
	uint64_t timer_tsc[LAPIC_MAX_HITS];	/* RDTSC in the handler */
	uint64_t self_hits;
	uint64_t self_isr_seen;			/* ISR bit set inside the handler */
	uint64_t msi_hits;
	uint64_t ipi_hits[2];			/* per APIC ID */
	uint32_t ready[2];
	uint64_t gp_count;
	uint64_t gp_expect;
};

#endif /* SELFTEST_LAPIC_COMMON_H */
