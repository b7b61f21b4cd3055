/* SPDX-License-Identifier: GPL-2.0 */
/* Shared by intr.c and intr_guest.c. */
#ifndef SELFTEST_INTR_COMMON_H
#define SELFTEST_INTR_COMMON_H

#include <stdint.h>

#define INTR_LOG_MAX		32
/* Log entries: vector, or NMI_ENTER / NMI_EXIT around the NMI handler's body. */
#define INTR_LOG_NMI_ENTER	0x102
#define INTR_LOG_NMI_EXIT	0x103
#define INTR_LOG_MARK		0x200	/* + n: the guest passed point n */
#define INTR_NMI_PORT		0x5d	/* the NMI handler's OUT, inside the handler */
#define INTR_FRESH_STACK	0x301000ull	/* a page the guest never touched */

struct intr_log {
	uint64_t n;
	uint64_t e[INTR_LOG_MAX];
	uint64_t count[256];
	uint64_t last_rsp;	/* RSP inside the handler */
};

extern struct intr_log intr_log;
extern volatile uint64_t intr_nmi_out;	/* the NMI handler does an OUT while != 0 */
extern volatile uint64_t intr_eoi;	/* handlers write the xAPIC EOI register */

#define INTR_APIC_BASE		0xfee00000ull
#define INTR_AP_PORT		0x77
#define INTR_AP_CODE		0x8000ull	/* the SIPI vector 0x08 page */
extern const uint64_t intr_stubs[256];

uint64_t guest_intr_sti_wait(uint64_t vector);
uint64_t guest_intr_cli_then_sti(uint64_t vector);
uint64_t guest_intr_nmi_cli(uint64_t arg);
uint64_t guest_intr_fresh_stack(uint64_t vector);
uint64_t guest_intr_rdtsc(uint64_t arg);
uint64_t guest_lapic_wait(uint64_t halt);
uint64_t guest_lapic_start_ap(uint64_t vector);

#endif
