// SPDX-License-Identifier: GPL-2.0
/*
 * Guest side of selftests/lapic.c: programs the in-kernel local APIC
 * through the xAPIC page (0xfee00000) or the x2APIC MSRs, as lapic_cfg
 * says, and takes its interrupts in handlers the host puts in the IDT.
 */
#include <stddef.h>
#include <stdint.h>

#include "guest.h"
#include "lapic_common.h"

struct lapic_cfg lapic_cfg;
struct lapic_res lapic_res;

#define APIC_MMIO	0xfee00000ull
#define MSR_APIC_BASE	0x1b
#define MSR_DEADLINE	0x6e0

#define R_ID		0x020
#define R_LVR		0x030
#define R_TPR		0x080
#define R_PPR		0x0a0
#define R_EOI		0x0b0
#define R_LDR		0x0d0
#define R_SVR		0x0f0
#define R_ISR		0x100
#define R_IRR		0x200
#define R_ICR		0x300
#define R_ICR2		0x310
#define R_LVT_TIMER	0x320
#define R_TMICT		0x380
#define R_TMCCT		0x390
#define R_TDCR		0x3e0

#define LVT_MASKED	(1u << 16)
#define LVT_PERIODIC	(1u << 17)
#define LVT_DEADLINE	(2u << 17)

struct iframe {
	uint64_t rip, cs, rflags, rsp, ss;
};

static inline uint64_t rdtsc(void)
{
	uint32_t lo, hi;

	asm volatile("rdtsc" : "=a"(lo), "=d"(hi));
	return lo | (uint64_t)hi << 32;
}

static inline uint64_t rdmsr(uint32_t idx)
{
	uint32_t lo, hi;

	asm volatile("rdmsr" : "=a"(lo), "=d"(hi) : "c"(idx) : "memory");
	return lo | (uint64_t)hi << 32;
}

static inline void wrmsr(uint32_t idx, uint64_t v)
{
	asm volatile("wrmsr" : : "c"(idx), "a"((uint32_t)v), "d"((uint32_t)(v >> 32)) : "memory");
}

static inline void sti(void)
{
	asm volatile("sti" ::: "memory");
}

static inline void cli(void)
{
	asm volatile("cli" ::: "memory");
}

static inline void pause(void)
{
	asm volatile("pause" ::: "memory");
}

static uint32_t apic_read(uint32_t off)
{
	if (lapic_cfg.x2apic)
		return (uint32_t)rdmsr(0x800 + off / 16);
	return *(volatile uint32_t *)(APIC_MMIO + off);
}

static void apic_write(uint32_t off, uint32_t v)
{
	if (lapic_cfg.x2apic)
		wrmsr(0x800 + off / 16, v);
	else
		*(volatile uint32_t *)(APIC_MMIO + off) = v;
}

static void apic_eoi(void)
{
	apic_write(R_EOI, 0);
}

static uint32_t apic_id(void)
{
	uint32_t id = apic_read(R_ID);

	return lapic_cfg.x2apic ? id : id >> 24;
}

/* ICR: destination, then the low word that sends. */
static void apic_icr(uint32_t dest, uint32_t low)
{
	if (lapic_cfg.x2apic) {
		wrmsr(0x830, (uint64_t)dest << 32 | low);
	} else {
		apic_write(R_ICR2, dest << 24);
		apic_write(R_ICR, low);
	}
}

static void apic_enable(void)
{
	if (lapic_cfg.x2apic)
		wrmsr(MSR_APIC_BASE, rdmsr(MSR_APIC_BASE) | (1u << 10));
	apic_write(R_SVR, 0x100 | LAPIC_VEC_SPURIOUS);
}

/* Waits until *p reaches want or limit TSC ticks pass; whether it did. */
static int wait_for(volatile uint64_t *p, uint64_t want, uint64_t limit)
{
	uint64_t t0 = rdtsc();

	while (*p < want) {
		if (rdtsc() - t0 > limit)
			return 0;
		pause();
	}
	return 1;
}

static void spin_ticks(uint64_t n)
{
	uint64_t t0 = rdtsc();

	while (rdtsc() - t0 < n)
		pause();
}

/* How long a test waits for an interrupt at most: 50 periods and one second. */
static uint64_t limit_for(uint64_t ticks)
{
	return 50 * ticks + lapic_cfg.tsc_khz * 1000;
}

/* ---- handlers (the host puts them in the IDT) ---- */

__attribute__((interrupt)) void lapic_isr_timer(struct iframe *f)
{
	uint64_t n = lapic_res.timer_hits;

	(void)f;
	if (n < LAPIC_MAX_HITS)
		lapic_res.timer_tsc[n] = rdtsc();
	lapic_res.timer_hits = n + 1;
	apic_eoi();
}

__attribute__((interrupt)) void lapic_isr_self(struct iframe *f)
{
	(void)f;
	if ((apic_read(R_ISR + (LAPIC_VEC_SELF / 32) * 16) >> (LAPIC_VEC_SELF % 32)) & 1)
		lapic_res.self_isr_seen++;
	lapic_res.self_hits++;
	apic_eoi();
}

__attribute__((interrupt)) void lapic_isr_ipi(struct iframe *f)
{
	uint32_t id = apic_id();

	(void)f;
	if (id < 2)
		lapic_res.ipi_hits[id]++;
	apic_eoi();
}

__attribute__((interrupt)) void lapic_isr_msi(struct iframe *f)
{
	(void)f;
	lapic_res.msi_hits++;
	apic_eoi();
}

/* A spurious interrupt takes no EOI (SDM Vol. 3A 11.9). */
__attribute__((interrupt)) void lapic_isr_spurious(struct iframe *f)
{
	(void)f;
}

/* #GP where lapic_res.gp_expect says one may come: skip the 2-byte RDMSR/WRMSR. */
__attribute__((interrupt)) void lapic_isr_gp(struct iframe *f, unsigned long err)
{
	(void)err;
	if (!lapic_res.gp_expect)
		guest_abort(__FILE__, __LINE__, "unexpected #GP", f->rip, err);
	lapic_res.gp_expect = 0;
	lapic_res.gp_count++;
	f->rip += 2;
}

static int rdmsr_gp(uint32_t idx, uint64_t *v)
{
	uint64_t n = lapic_res.gp_count;
	uint64_t val;

	lapic_res.gp_expect = 1;
	val = rdmsr(idx);
	lapic_res.gp_expect = 0;
	if (lapic_res.gp_count != n)
		return 1;
	if (v)
		*v = val;
	return 0;
}

static int wrmsr_gp(uint32_t idx, uint64_t v)
{
	uint64_t n = lapic_res.gp_count;

	lapic_res.gp_expect = 1;
	wrmsr(idx, v);
	lapic_res.gp_expect = 0;
	return lapic_res.gp_count != n;
}

/* ---- timer ---- */

/* One-shot at divide-by-1: returns the ticks from TMICT write to the handler. */
uint64_t guest_timer_oneshot(uint64_t ticks)
{
	uint32_t a, b, c, d, c1, c2;
	uint64_t t0;

	/* CPUID 0x15: crystal * EBX / EAX is the TSC frequency, the APIC timer's clock. */
	guest_cpuid(0, 0, &a, &b, &c, &d);
	if (a >= 0x15) {
		guest_cpuid(0x15, 0, &a, &b, &c, &d);
		GUEST_ASSERT(a != 0 && b != 0 && c != 0);
		GUEST_ASSERT_EQ((uint64_t)c * b / a, lapic_cfg.tsc_khz * 1000);
	}
	apic_enable();
	GUEST_ASSERT_EQ(apic_read(R_LVR), 0x50014);
	apic_write(R_TDCR, 0xb);		/* divide by 1 */
	apic_write(R_LVT_TIMER, LAPIC_VEC_TIMER);
	sti();
	t0 = rdtsc();
	apic_write(R_TMICT, (uint32_t)ticks);
	c1 = apic_read(R_TMCCT);
	c2 = apic_read(R_TMCCT);
	GUEST_ASSERT(c1 <= ticks && c1 > 0);
	GUEST_ASSERT(c2 < c1);
	GUEST_ASSERT(wait_for(&lapic_res.timer_hits, 1, limit_for(ticks)));
	GUEST_ASSERT_EQ(apic_read(R_TMCCT), 0);
	/* One-shot: no second interrupt. */
	spin_ticks(2 * ticks);
	GUEST_ASSERT_EQ(lapic_res.timer_hits, 1);
	return lapic_res.timer_tsc[0] - t0;
}

/* Periodic, divide by 2: LAPIC_MAX_HITS interrupts, then TMICT = 0 stops it. */
uint64_t guest_timer_periodic(uint64_t ticks)
{
	uint64_t t0, hits;

	apic_enable();
	apic_write(R_TDCR, 0x0);		/* divide by 2: count ticks / 2 */
	apic_write(R_LVT_TIMER, LAPIC_VEC_TIMER | LVT_PERIODIC);
	sti();
	t0 = rdtsc();
	apic_write(R_TMICT, (uint32_t)(ticks / 2));
	GUEST_ASSERT(wait_for(&lapic_res.timer_hits, LAPIC_MAX_HITS,
			      limit_for(ticks) * LAPIC_MAX_HITS));
	/* A periodic count reloads: never 0 while running. */
	GUEST_ASSERT(apic_read(R_TMCCT) != 0);
	apic_write(R_TMICT, 0);
	spin_ticks(ticks / 4);			/* one already in IRR may still arrive */
	hits = lapic_res.timer_hits;
	spin_ticks(3 * ticks);
	GUEST_ASSERT_EQ(lapic_res.timer_hits, hits);
	GUEST_ASSERT_EQ(apic_read(R_TMCCT), 0);
	return t0;
}

/* Masked: the count runs down (one-shot) or reloads (periodic), no interrupt. */
uint64_t guest_timer_masked(uint64_t ticks)
{
	apic_enable();
	apic_write(R_TDCR, 0xb);
	apic_write(R_LVT_TIMER, LAPIC_VEC_TIMER | LVT_MASKED);
	sti();
	apic_write(R_TMICT, (uint32_t)ticks);
	GUEST_ASSERT(apic_read(R_TMCCT) != 0);
	spin_ticks(2 * ticks);
	GUEST_ASSERT_EQ(apic_read(R_TMCCT), 0);
	/* Unmasking an expired one-shot raises nothing. */
	apic_write(R_LVT_TIMER, LAPIC_VEC_TIMER);
	spin_ticks(ticks / 2);
	GUEST_ASSERT_EQ(lapic_res.timer_hits, 0);

	apic_write(R_LVT_TIMER, LAPIC_VEC_TIMER | LVT_MASKED | LVT_PERIODIC);
	apic_write(R_TMICT, (uint32_t)ticks);
	spin_ticks(5 * ticks / 2);
	GUEST_ASSERT(apic_read(R_TMCCT) != 0);
	GUEST_ASSERT_EQ(lapic_res.timer_hits, 0);
	/* Software disable keeps LVTs masked: unmasking does not stick. */
	apic_write(R_SVR, LAPIC_VEC_SPURIOUS);
	apic_write(R_LVT_TIMER, LAPIC_VEC_TIMER | LVT_PERIODIC);
	GUEST_ASSERT(apic_read(R_LVT_TIMER) & LVT_MASKED);
	spin_ticks(2 * ticks);
	GUEST_ASSERT_EQ(lapic_res.timer_hits, 0);
	apic_write(R_TMICT, 0);
	return 0;
}

/*
 * TSC-deadline mode: returns how late the first interrupt came after the
 * deadline, in TSC ticks; also past deadline, disarm by 0, disarm by a mode
 * change, TMICT ignored.
 */
uint64_t guest_timer_deadline(uint64_t ticks)
{
	uint64_t deadline, late;
	uint32_t a, b, c, d;

	guest_cpuid(1, 0, &a, &b, &c, &d);
	GUEST_ASSERT(c & (1u << 24));		/* TSC-deadline timer announced */
	apic_enable();
	GUEST_ASSERT_EQ(rdmsr(MSR_DEADLINE), 0);
	apic_write(R_LVT_TIMER, LAPIC_VEC_TIMER | LVT_DEADLINE);
	sti();
	apic_write(R_TMICT, 12345);		/* ignored in this mode */
	GUEST_ASSERT_EQ(apic_read(R_TMICT), 0);
	GUEST_ASSERT_EQ(apic_read(R_TMCCT), 0);

	deadline = rdtsc() + ticks;
	wrmsr(MSR_DEADLINE, deadline);
	GUEST_ASSERT_EQ(rdmsr(MSR_DEADLINE), deadline);
	GUEST_ASSERT(wait_for(&lapic_res.timer_hits, 1, limit_for(ticks)));
	GUEST_ASSERT(lapic_res.timer_tsc[0] >= deadline);
	late = lapic_res.timer_tsc[0] - deadline;
	GUEST_ASSERT_EQ(rdmsr(MSR_DEADLINE), 0);	/* disarmed once fired */
	spin_ticks(ticks);
	GUEST_ASSERT_EQ(lapic_res.timer_hits, 1);

	/* A deadline already passed fires at once (before a few thousand ticks). */
	wrmsr(MSR_DEADLINE, 1);
	GUEST_ASSERT(wait_for(&lapic_res.timer_hits, 2, ticks));

	/* Writing 0 disarms. */
	wrmsr(MSR_DEADLINE, rdtsc() + ticks);
	wrmsr(MSR_DEADLINE, 0);
	spin_ticks(2 * ticks);
	GUEST_ASSERT_EQ(lapic_res.timer_hits, 2);

	/* Leaving TSC-deadline mode disarms (SDM Vol. 3A 11.5.4.1). */
	wrmsr(MSR_DEADLINE, rdtsc() + ticks);
	apic_write(R_LVT_TIMER, LAPIC_VEC_TIMER);
	GUEST_ASSERT_EQ(rdmsr(MSR_DEADLINE), 0);
	spin_ticks(2 * ticks);
	GUEST_ASSERT_EQ(lapic_res.timer_hits, 2);
	/* In one-shot mode the MSR ignores writes. */
	wrmsr(MSR_DEADLINE, 1);
	spin_ticks(ticks);
	GUEST_ASSERT_EQ(lapic_res.timer_hits, 2);
	GUEST_ASSERT_EQ(rdmsr(MSR_DEADLINE), 0);
	return late;
}

/* HLT with the timer armed: the vCPU sleeps in the kernel until it fires. */
uint64_t guest_hlt_timer(uint64_t ticks)
{
	uint64_t t0;

	apic_enable();
	apic_write(R_TDCR, 0xb);
	apic_write(R_LVT_TIMER, LAPIC_VEC_TIMER);
	cli();
	t0 = rdtsc();
	apic_write(R_TMICT, (uint32_t)ticks);
	while (!lapic_res.timer_hits)
		asm volatile("sti; hlt; cli" ::: "memory");
	sti();
	GUEST_ASSERT_EQ(lapic_res.timer_hits, 1);
	return lapic_res.timer_tsc[0] - t0;
}

/* ---- x2APIC ---- */

/* The x2APIC MSR rules (SDM Vol. 3A 11.12.1.2, table 11-6); returns checks made. */
uint64_t guest_x2apic_rules(uint64_t unused)
{
	uint64_t base = rdmsr(MSR_APIC_BASE), v = 0;
	uint64_t n = 0;
	uint32_t a, b, c, d;

	(void)unused;
	guest_cpuid(1, 0, &a, &b, &c, &d);
	GUEST_ASSERT(c & (1u << 21));		/* x2APIC announced */
	GUEST_ASSERT_EQ(base & ~0xfffull, APIC_MMIO);
	GUEST_ASSERT(base & (1u << 11));	/* enabled */
	GUEST_ASSERT(base & (1u << 8));		/* vCPU 0 is the BSP */
	GUEST_ASSERT(!(base & (1u << 10)));	/* xAPIC mode at reset */

	/* Not in x2APIC mode: every x2APIC MSR faults. */
	GUEST_ASSERT(rdmsr_gp(0x802, NULL)); n++;
	GUEST_ASSERT(wrmsr_gp(0x808, 0)); n++;
	/* Reserved bit 9, EXTD without EN: invalid. */
	GUEST_ASSERT(wrmsr_gp(MSR_APIC_BASE, base | (1u << 9))); n++;
	GUEST_ASSERT(wrmsr_gp(MSR_APIC_BASE, (base & ~(1ull << 11)) | (1u << 10))); n++;

	GUEST_ASSERT(!wrmsr_gp(MSR_APIC_BASE, base | (1u << 10))); n++;
	GUEST_ASSERT_EQ(rdmsr(MSR_APIC_BASE), base | (1u << 10));
	GUEST_ASSERT_EQ(rdmsr(0x802), 0);		/* x2APIC ID = vCPU id */
	GUEST_ASSERT_EQ(rdmsr(0x803), 0x50014);
	GUEST_ASSERT_EQ(rdmsr(0x80d), 1);		/* cluster 0, bit 0 (11.12.10.2) */
	GUEST_ASSERT_EQ(rdmsr(0x80f), 0xff);		/* SVR reset value */
	GUEST_ASSERT_EQ(rdmsr(0x835), LVT_MASKED);	/* LINT0 masked */
	n += 5;

	/* Read-only registers refuse writes, write-only ones reads. */
	GUEST_ASSERT(wrmsr_gp(0x802, 0)); n++;		/* ID */
	GUEST_ASSERT(wrmsr_gp(0x803, 0)); n++;		/* version */
	GUEST_ASSERT(wrmsr_gp(0x80a, 0)); n++;		/* PPR */
	GUEST_ASSERT(wrmsr_gp(0x80d, 0)); n++;		/* LDR */
	GUEST_ASSERT(wrmsr_gp(0x810, 0)); n++;		/* ISR */
	GUEST_ASSERT(wrmsr_gp(0x820, 0)); n++;		/* IRR */
	GUEST_ASSERT(wrmsr_gp(0x839, 0)); n++;		/* TMCCT */
	GUEST_ASSERT(rdmsr_gp(0x80b, NULL)); n++;	/* EOI */
	GUEST_ASSERT(rdmsr_gp(0x83f, NULL)); n++;	/* SELF IPI */
	/* Registers that do not exist in x2APIC mode or on this APIC. */
	GUEST_ASSERT(rdmsr_gp(0x80e, NULL)); n++;	/* DFR */
	GUEST_ASSERT(rdmsr_gp(0x831, NULL)); n++;	/* ICR2 */
	GUEST_ASSERT(rdmsr_gp(0x82f, NULL)); n++;	/* CMCI: max LVT 5 */
	GUEST_ASSERT(rdmsr_gp(0x801, NULL)); n++;
	GUEST_ASSERT(rdmsr_gp(0x8ff, NULL)); n++;
	/* Reserved bits. */
	GUEST_ASSERT(wrmsr_gp(0x808, 0x100)); n++;	/* TPR 31:8 */
	GUEST_ASSERT(wrmsr_gp(0x808, 1ull << 32)); n++;	/* bits 63:32 */
	GUEST_ASSERT(wrmsr_gp(0x80b, 1)); n++;		/* EOI must be 0 */
	GUEST_ASSERT(wrmsr_gp(0x828, 1)); n++;		/* ESR must be 0 */
	GUEST_ASSERT(wrmsr_gp(0x83e, 0x4)); n++;	/* TDCR bit 2 */
	GUEST_ASSERT(wrmsr_gp(0x832, 3u << 17)); n++;	/* timer mode 11b */
	GUEST_ASSERT(wrmsr_gp(0x830, 1u << 13)); n++;	/* ICR bit 13 */
	GUEST_ASSERT(wrmsr_gp(0x83f, 0x100)); n++;	/* SELF IPI 31:8 */

	/* Valid writes. */
	GUEST_ASSERT(!wrmsr_gp(0x80b, 0)); n++;
	GUEST_ASSERT(!wrmsr_gp(0x828, 0)); n++;
	GUEST_ASSERT(!wrmsr_gp(0x808, 0x25)); n++;
	GUEST_ASSERT_EQ(rdmsr(0x808), 0x25);
	GUEST_ASSERT_EQ(rdmsr(0x80a), 0x25);		/* PPR = TPR with nothing in service */
	GUEST_ASSERT(!rdmsr_gp(0x839, &v)); n++;
	GUEST_ASSERT_EQ(v, 0);
	wrmsr(0x808, 0);

	/* x2APIC -> xAPIC is invalid; x2APIC -> disabled -> xAPIC is the way back. */
	GUEST_ASSERT(wrmsr_gp(MSR_APIC_BASE, base)); n++;
	GUEST_ASSERT(!wrmsr_gp(MSR_APIC_BASE, base & ~((1ull << 10) | (1ull << 11)))); n++;
	GUEST_ASSERT(rdmsr_gp(0x802, NULL)); n++;	/* disabled: no x2APIC MSRs */
	/* disabled -> x2APIC directly is invalid too (figure 11-27). */
	GUEST_ASSERT(wrmsr_gp(MSR_APIC_BASE, base | (1u << 10))); n++;
	GUEST_ASSERT(!wrmsr_gp(MSR_APIC_BASE, base)); n++;
	GUEST_ASSERT_EQ(*(volatile uint32_t *)(APIC_MMIO + R_ID), 0);
	GUEST_ASSERT_EQ(*(volatile uint32_t *)(APIC_MMIO + R_SVR), 0xff);	/* reset */
	return n;
}

/* ---- IPIs ---- */

/* Self IPI (x2APIC SELF IPI MSR or the ICR "self" shorthand), and TPR blocking. */
uint64_t guest_self_ipi(uint64_t unused)
{
	uint32_t irr;

	(void)unused;
	apic_enable();
	sti();
	if (lapic_cfg.x2apic)
		wrmsr(0x83f, LAPIC_VEC_SELF);
	else
		apic_icr(0, (1u << 18) | LAPIC_VEC_SELF);	/* shorthand self, fixed */
	GUEST_ASSERT(wait_for(&lapic_res.self_hits, 1, 1000000));
	GUEST_ASSERT_EQ(lapic_res.self_isr_seen, 1);
	GUEST_ASSERT_EQ((apic_read(R_ISR + 0x20) >> 16) & 1, 0);	/* EOI'd */

	/* TPR class 6 blocks vector 0x50 (class 5): it waits in IRR. */
	apic_write(R_TPR, 0x60);
	apic_icr(0, (1u << 18) | LAPIC_VEC_SELF);
	spin_ticks(100000);
	GUEST_ASSERT_EQ(lapic_res.self_hits, 1);
	irr = apic_read(R_IRR + (LAPIC_VEC_SELF / 32) * 16);
	GUEST_ASSERT((irr >> (LAPIC_VEC_SELF % 32)) & 1);
	GUEST_ASSERT_EQ(apic_read(R_PPR), 0x60);
	apic_write(R_TPR, 0);
	GUEST_ASSERT(wait_for(&lapic_res.self_hits, 2, 1000000));
	/* The delivery-status bit reads 0: delivery is immediate. */
	GUEST_ASSERT_EQ(apic_read(R_ICR) & (1u << 12), 0);
	return lapic_res.self_hits;
}

/*
 * Waits in HLT for the IPI counter of this APIC to reach n, at most one
 * second: a one-shot timer armed first wakes a HLT nothing else ends, so a
 * lost IPI fails the case at once instead of hanging it.
 */
static void hlt_until(volatile uint64_t *p, uint64_t n)
{
	uint64_t t0 = rdtsc(), limit = lapic_cfg.tsc_khz * 1000;

	apic_write(R_TDCR, 0xb);
	apic_write(R_LVT_TIMER, LAPIC_VEC_TIMER);
	cli();
	apic_write(R_TMICT, (uint32_t)(lapic_cfg.tsc_khz * 200));	/* 200 ms */
	while (*p < n && rdtsc() - t0 < limit)
		asm volatile("sti; hlt; cli" ::: "memory");
	sti();
	apic_write(R_TMICT, 0);
	GUEST_ASSERT_EQ(*p, n);
}

/*
 * Ping-pong between APIC IDs 0 and 1, LAPIC_IPI_ROUNDS each way: vCPU 0
 * sends, vCPU 1 answers. Physical or logical (flat / x2APIC cluster)
 * destinations per lapic_cfg.logical.
 */
uint64_t guest_ipi_peer(uint64_t me)
{
	uint32_t other = 1 - (uint32_t)me, dest, low = LAPIC_VEC_IPI;
	uint64_t i;

	apic_enable();
	GUEST_ASSERT_EQ(apic_id(), me);
	if (lapic_cfg.logical) {
		if (lapic_cfg.x2apic) {
			dest = 1u << other;			/* cluster 0, member bit = ID */
		} else {
			apic_write(0x0e0, 0xffffffff);		/* flat */
			apic_write(R_LDR, (1u << me) << 24);
			dest = 1u << other;
		}
		low |= 1u << 11;				/* logical */
	} else {
		dest = other;
	}
	sti();
	__atomic_store_n(&lapic_res.ready[me], 1, __ATOMIC_SEQ_CST);
	while (!__atomic_load_n(&lapic_res.ready[other], __ATOMIC_SEQ_CST))
		pause();
	for (i = 1; i <= LAPIC_IPI_ROUNDS; i++) {
		if (me == 0) {
			apic_icr(dest, low);
			hlt_until(&lapic_res.ipi_hits[0], i);
		} else {
			hlt_until(&lapic_res.ipi_hits[1], i);
			apic_icr(dest, low);
		}
	}
	return lapic_res.ipi_hits[me];
}

/* ---- MSI from the host ---- */

uint64_t guest_msi(uint64_t unused)
{
	(void)unused;
	apic_enable();
	sti();
	GUEST_SYNC(0);				/* host: edge MSI */
	GUEST_ASSERT(wait_for(&lapic_res.msi_hits, 1, 1000000));
	GUEST_SYNC(1);				/* host: level MSI; its EOI exits */
	GUEST_ASSERT(wait_for(&lapic_res.msi_hits, 2, 1000000));
	/* Level-triggered: TMR was set for it. */
	GUEST_ASSERT((apic_read(0x180 + (LAPIC_VEC_LEVEL / 32) * 16) >> (LAPIC_VEC_LEVEL % 32)) & 1);
	return lapic_res.msi_hits;
}
