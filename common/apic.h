/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Local APIC logic without kernel dependencies (SDM Vol. 3A chapter 11):
 * the 256-bit register layout, priorities, destination matching, the timer
 * divider and count, MSI decoding and the x2APIC MSR access rules. Shared by
 * the module (module/lapic*.c) and the host-tier tests (common/tests).
 */
#ifndef MV_COMMON_APIC_H
#define MV_COMMON_APIC_H

#include "mv_types.h"

/* Offsets in the xAPIC page (table 11-1), as module/lapic.h names them. */
#define MVA_OFF_ID		0x020
#define MVA_OFF_LVR		0x030
#define MVA_OFF_TPR		0x080
#define MVA_OFF_APR		0x090
#define MVA_OFF_PPR		0x0a0
#define MVA_OFF_EOI		0x0b0
#define MVA_OFF_RRD		0x0c0
#define MVA_OFF_LDR		0x0d0
#define MVA_OFF_DFR		0x0e0
#define MVA_OFF_SVR		0x0f0
#define MVA_OFF_ISR		0x100
#define MVA_OFF_TMR		0x180
#define MVA_OFF_IRR		0x200
#define MVA_OFF_ESR		0x280
#define MVA_OFF_LVT_CMCI	0x2f0
#define MVA_OFF_ICR		0x300
#define MVA_OFF_ICR2		0x310
#define MVA_OFF_LVT_TIMER	0x320
#define MVA_OFF_LVT_THERMAL	0x330
#define MVA_OFF_LVT_PMC	0x340
#define MVA_OFF_LVT_LINT0	0x350
#define MVA_OFF_LVT_LINT1	0x360
#define MVA_OFF_LVT_ERROR	0x370
#define MVA_OFF_TMICT		0x380
#define MVA_OFF_TMCCT		0x390
#define MVA_OFF_TDCR		0x3e0
#define MVA_OFF_SELF_IPI	0x3f0

/* Version register: version 0x14, max LVT entry 5 (six LVTs, no CMCI), 11.4.8. */
#define MVA_VERSION		0x00050014u

/* Spurious-interrupt vector register (11.9). */
#define MVA_SVR_VECTOR		0x000000ffu
#define MVA_SVR_ENABLE		(1u << 8)
#define MVA_SVR_FOCUS_OFF	(1u << 9)
#define MVA_SVR_MASK		(MVA_SVR_VECTOR | MVA_SVR_ENABLE | MVA_SVR_FOCUS_OFF)

/* Local vector table entries (11.5.1, figure 11-8). */
#define MVA_LVT_VECTOR		0x000000ffu
#define MVA_LVT_DM_SHIFT	8
#define MVA_LVT_DM		(7u << MVA_LVT_DM_SHIFT)
#define MVA_LVT_STATUS		(1u << 12)	/* delivery status, read-only */
#define MVA_LVT_POLARITY	(1u << 13)
#define MVA_LVT_REMOTE_IRR	(1u << 14)	/* read-only */
#define MVA_LVT_LEVEL		(1u << 15)
#define MVA_LVT_MASKED		(1u << 16)
#define MVA_LVT_TIMER_SHIFT	17
#define MVA_LVT_TIMER_MODE	(3u << MVA_LVT_TIMER_SHIFT)
#define MVA_TIMER_ONESHOT	0u
#define MVA_TIMER_PERIODIC	1u
#define MVA_TIMER_TSC_DEADLINE	2u

/* Delivery modes (ICR, LVT, MSI data bits 10:8), as MV_APIC_DM_*. */
#define MVA_DM_FIXED		0
#define MVA_DM_LOWEST		1
#define MVA_DM_SMI		2
#define MVA_DM_NMI		4
#define MVA_DM_INIT		5
#define MVA_DM_STARTUP		6
#define MVA_DM_EXTINT		7

/* Interrupt command register (11.6.1, figure 11-12; x2APIC 11.12.9). */
#define MVA_ICR_VECTOR		0x000000ffu
#define MVA_ICR_DM_SHIFT	8
#define MVA_ICR_LOGICAL	(1u << 11)
#define MVA_ICR_STATUS		(1u << 12)
#define MVA_ICR_ASSERT		(1u << 14)
#define MVA_ICR_LEVEL		(1u << 15)
#define MVA_ICR_SH_SHIFT	18
#define MVA_ICR_SH		(3u << MVA_ICR_SH_SHIFT)
#define MVA_ICR_LOW_MASK	(0xfffu | MVA_ICR_ASSERT | MVA_ICR_LEVEL | MVA_ICR_SH)
#define MVA_SH_NONE		0
#define MVA_SH_SELF		1
#define MVA_SH_ALL		2
#define MVA_SH_OTHERS		3

/* Error status register bits (11.5.3, figure 11-9). */
#define MVA_ESR_SEND_ILLEGAL	(1u << 5)
#define MVA_ESR_RECV_ILLEGAL	(1u << 6)
#define MVA_ESR_ILLEGAL_REG	(1u << 7)

/* DFR model (11.6.2.2): bits 31:28, 1111b flat, 0000b cluster. */
#define MVA_DFR_FLAT		0xffffffffu
#define MVA_DFR_CLUSTER	0x0fffffffu

/* The 32-bit word holding bit v of a 256-bit register at off (8 words, 16 bytes apart). */
static inline u32 mva_vec_off(u32 off, unsigned int v)
{
	return off + (v / 32) * 16;
}

static inline u32 mva_reg_read(const void *page, u32 off)
{
	return *(const volatile u32 *)((const u8 *)page + off);
}

static inline void mva_reg_write(void *page, u32 off, u32 val)
{
	*(volatile u32 *)((u8 *)page + off) = val;
}

/* Bit v of the 256-bit register at off (not atomic against writers: a snapshot). */
bool mva_vec_test(const void *page, u32 off, unsigned int v);
/* The highest set bit of the 256-bit register at off, or -1. */
int mva_vec_highest(const void *page, u32 off);

/* PPR from TPR and the highest in-service vector (-1: none), 11.8.3.1. */
u32 mva_ppr(u32 tpr, int isrv);
/* True if a vector may be delivered over PPR (its class above PPR's), 11.8.4. */
static inline bool mva_above_ppr(unsigned int vector, u32 ppr)
{
	return (vector & 0xf0) > (ppr & 0xf0);
}

/* TDCR (11.5.4, figure 11-10): log2 of the divisor, 0 (by 1) .. 7 (by 128). */
unsigned int mva_divide_shift(u32 tdcr);
/*
 * Timer current count after 'ticks' timer-clock ticks (already divided)
 * since the count was 'tmict': one-shot stops at 0, periodic reloads.
 */
u32 mva_timer_count(u32 tmict, u64 ticks, bool periodic);

/* x2APIC logical ID from the x2APIC ID (11.12.10.2). */
static inline u32 mva_x2apic_ldr(u32 id)
{
	return ((id >> 4) << 16) | (1u << (id & 0xf));
}

/* What destination matching needs to know about one receiving APIC. */
struct mva_rx {
	bool x2apic;		/* in x2APIC mode */
	u32 id;			/* xAPIC: bits 31:24 of the ID register; x2APIC: 32 bits */
	u32 ldr;		/* the LDR register as read */
	u32 dfr;		/* the DFR register (xAPIC) */
};

/*
 * Does dest (no shorthand) select rx (11.6.2)? Physical: ID, or broadcast
 * (0xff; 0xffffffff for an x2APIC destination). Logical: flat (bitmap in
 * LDR[31:24]) or cluster (LDR[31:28] cluster, [27:24] bitmap) per DFR, or
 * x2APIC cluster (dest[31:16] cluster, [15:0] bitmap); 0xff / 0xffffffff
 * broadcast. An xAPIC-format destination (x2apic_dest false) reaching an
 * x2APIC receiver is compared as a 32-bit value, except the 0xff broadcast.
 */
bool mva_match_dest(const struct mva_rx *rx, u32 dest, bool logical, bool x2apic_dest);

/*
 * Lowest-priority arbitration (11.6.2.4): among n candidates with these
 * PPR values, the lowest priority class; ties go to the (vector mod k)-th
 * of the k tied ones ("vector hashing"), so a vector stays on one CPU.
 * Returns the index, or -1 if n is 0.
 */
int mva_lowest_pick(const u32 *ppr, unsigned int n, u8 vector);

/* A decoded interrupt message (MSI, 11.11). */
struct mva_msg {
	u32 dest;
	u8 vector;
	u8 dm;
	bool logical;
	bool level;
	bool assert;
	bool redir_hint;
	bool x2apic_dest;	/* address_hi supplied destination bits 31:8 */
};

/*
 * Decodes an MSI address/data pair (11.11.1, 11.11.2). Address bits 31:20
 * must be 0xfee and 11:4 zero, address_hi bits 7:0 zero (bits 31:8 are
 * destination bits 31:8, the x2APIC extension), data bits 13:11 and 31:16
 * zero, delivery mode fixed, lowest priority, NMI or INIT (010b SMI is not
 * emulated; 011b and 110b are reserved in a message; ExtINT is refused).
 * Returns 0, or -EINVAL with *bad naming the offending field.
 */
int mva_msi_decode(u32 address_lo, u32 address_hi, u32 data, struct mva_msg *m,
		    const char **bad);

/*
 * x2APIC MSR access rules (11.12.1.2, table 11-6). Returns the register's
 * offset in the xAPIC page for an MSR (0x800-0x8ff) that may be read (or
 * written), or -EINVAL (#GP): not an x2APIC register, read of a write-only
 * or write of a read-only one.
 */
int mva_x2apic_reg(u32 msr, bool write);
/*
 * Writable bits of the register at off (32-bit registers; ICR: low word);
 * 0 for read-only and reserved ones. x2apic: the x2APIC mode values.
 */
u32 mva_write_mask(u32 off, bool x2apic);

#endif /* MV_COMMON_APIC_H */
