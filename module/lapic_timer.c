// SPDX-License-Identifier: GPL-2.0
/*
 * Local APIC timer (Intel SDM Vol. 3A 11.5.4): one-shot, periodic and
 * TSC-deadline modes on one host hrtimer.
 *
 * Clock: the timer counts at the guest TSC frequency (mv_tsc_khz) divided
 * by TDCR, so the current count is derived from the guest TSC
 * (mv_vcpu_guest_tsc) and agrees with CPUID 0x15, whose crystal clock is
 * announced equal to the TSC frequency (Documentation/lapic.md). The
 * hrtimer converts the remaining ticks to host nanoseconds with the same
 * frequency. It runs in hard-interrupt context and only sets an IRR bit
 * atomically and requests MV_REQ_EVENT (mv_lapic_accept_fixed).
 *
 * The vCPU thread changes the timer only after hrtimer_cancel(), which
 * waits for a running callback, so the callback sees consistent fields.
 */
#include <linux/hrtimer.h>
#include <linux/ktime.h>
#include <linux/math64.h>

#include "mv.h"
#include "lapic.h"
#include "compat.h"
#include "../common/apic.h"

/* Shortest periodic period: a guest cannot make the host take timer interrupts faster. */
#define MV_LAPIC_MIN_PERIOD_NS	100000ULL

static u64 tsc_to_ns(u64 ticks)
{
	u32 khz = READ_ONCE(mv_tsc_khz);

	if (!khz)
		khz = 1000000;		/* not announced yet: 1 GHz */
	return mul_u64_u32_div(ticks, NSEC_PER_MSEC, khz);
}

static unsigned int timer_mode(const struct mv_lapic *lapic)
{
	return (READ_ONCE(lapic->lvtt) & MVA_LVT_TIMER_MODE) >> MVA_LVT_TIMER_SHIFT;
}

static u32 tmict(struct mv_lapic *lapic)
{
	return mva_reg_read(lapic->regs, APIC_REG_TMICT);
}

/* The timer reaches zero (or the deadline): an interrupt unless the LVT is masked. */
static void timer_fire(struct mv_lapic *lapic)
{
	u32 lvt = mva_reg_read(lapic->regs, APIC_REG_LVT_TIMER);

	if (!(lvt & MVA_LVT_MASKED))
		mv_lapic_accept_fixed(lapic, lvt & MVA_LVT_VECTOR, false);
}

static enum hrtimer_restart timer_fn(struct hrtimer *t)
{
	struct mv_lapic *lapic = container_of(t, struct mv_lapic, timer);

	timer_fire(lapic);
	switch (timer_mode(lapic)) {
	case MVA_TIMER_PERIODIC:
		/* From the previous expiry, not from now: no drift. */
		hrtimer_forward_now(t, ns_to_ktime(lapic->timer_period_ns));
		return HRTIMER_RESTART;
	case MVA_TIMER_TSC_DEADLINE:
		/* 11.5.4.1: the timer disarms itself, the MSR reads 0. */
		WRITE_ONCE(lapic->tsc_deadline, 0);
		break;
	}
	return HRTIMER_NORESTART;
}

static void arm(struct mv_lapic *lapic, u64 ticks)
{
	hrtimer_start(&lapic->timer, ktime_add_ns(ktime_get(), tsc_to_ns(ticks)),
		      HRTIMER_MODE_ABS_HARD);
}

void mv_lapic_timer_init(struct mv_lapic *lapic)
{
	mv_hrtimer_setup(&lapic->timer, timer_fn, CLOCK_MONOTONIC, HRTIMER_MODE_ABS_HARD);
}

void mv_lapic_timer_stop(struct mv_lapic *lapic)
{
	hrtimer_cancel(&lapic->timer);
}

u32 mv_lapic_timer_count(struct mv_lapic *lapic)
{
	unsigned int mode = timer_mode(lapic);
	u32 init = tmict(lapic);
	u64 now, elapsed;

	/* TSC-deadline mode: the current count reads 0 (11.5.4.1). */
	if (mode == MVA_TIMER_TSC_DEADLINE || !init)
		return 0;
	now = mv_vcpu_guest_tsc(lapic->vcpu);
	elapsed = now > lapic->timer_start_tsc ? now - lapic->timer_start_tsc : 0;
	return mva_timer_count(init, elapsed >> lapic->divide_shift,
			       mode == MVA_TIMER_PERIODIC);
}

/*
 * Count on from 'cur' (1..TMICT; 0: an expired one-shot stays idle) with
 * the current mode and divider. Timer cancelled by the caller.
 */
static void start_count(struct mv_lapic *lapic, u32 cur)
{
	unsigned int shift = lapic->divide_shift;
	u32 init = tmict(lapic);
	u64 now;

	if (!init || timer_mode(lapic) == MVA_TIMER_TSC_DEADLINE)
		return;
	now = mv_vcpu_guest_tsc(lapic->vcpu);
	lapic->timer_start_tsc = now - ((u64)(init - cur) << shift);
	if (!cur)
		return;
	lapic->timer_period_ns = max(tsc_to_ns((u64)init << shift), MV_LAPIC_MIN_PERIOD_NS);
	arm(lapic, (u64)cur << shift);
}

void mv_lapic_timer_lvtt(struct mv_lapic *lapic, u32 lvtt)
{
	unsigned int old = timer_mode(lapic);
	unsigned int new = (lvtt & MVA_LVT_TIMER_MODE) >> MVA_LVT_TIMER_SHIFT;
	u32 cur;

	if (old == new) {
		WRITE_ONCE(lapic->lvtt, lvtt);	/* mask and vector: read at expiry */
		return;
	}
	if (old == MVA_TIMER_TSC_DEADLINE || new == MVA_TIMER_TSC_DEADLINE) {
		/* 11.5.4.1: a transition to or from TSC-deadline mode disarms. */
		hrtimer_cancel(&lapic->timer);
		mva_reg_write(lapic->regs, APIC_REG_TMICT, 0);
		WRITE_ONCE(lapic->tsc_deadline, 0);
		WRITE_ONCE(lapic->lvtt, lvtt);
		return;
	}
	/* One-shot <-> periodic: the count goes on, the reload changes. */
	cur = mv_lapic_timer_count(lapic);
	hrtimer_cancel(&lapic->timer);
	WRITE_ONCE(lapic->lvtt, lvtt);
	start_count(lapic, cur);
}

void mv_lapic_timer_tmict(struct mv_lapic *lapic, u32 val)
{
	/* TSC-deadline mode ignores the initial count (11.5.4.1). */
	if (timer_mode(lapic) == MVA_TIMER_TSC_DEADLINE)
		return;
	hrtimer_cancel(&lapic->timer);
	mva_reg_write(lapic->regs, APIC_REG_TMICT, val);
	start_count(lapic, val);	/* 0 stops the timer */
}

void mv_lapic_timer_tdcr(struct mv_lapic *lapic, u32 val)
{
	u32 cur = mv_lapic_timer_count(lapic);

	hrtimer_cancel(&lapic->timer);
	mva_reg_write(lapic->regs, APIC_REG_TDCR, val);
	lapic->divide_shift = mva_divide_shift(val);
	/* The count so far is kept; what is left runs at the new rate. */
	start_count(lapic, cur);
}

void mv_lapic_timer_restart(struct mv_lapic *lapic)
{
	hrtimer_cancel(&lapic->timer);
	if (timer_mode(lapic) == MVA_TIMER_TSC_DEADLINE)
		mv_lapic_timer_set_deadline(lapic, READ_ONCE(lapic->tsc_deadline));
	else
		start_count(lapic, tmict(lapic));
}

u64 mv_lapic_timer_get_deadline(struct mv_lapic *lapic)
{
	if (timer_mode(lapic) != MVA_TIMER_TSC_DEADLINE)
		return 0;
	return READ_ONCE(lapic->tsc_deadline);
}

void mv_lapic_timer_set_deadline(struct mv_lapic *lapic, u64 deadline)
{
	u64 now;

	/* Other modes ignore IA32_TSC_DEADLINE writes (11.5.4.1). */
	if (timer_mode(lapic) != MVA_TIMER_TSC_DEADLINE)
		return;
	hrtimer_cancel(&lapic->timer);
	WRITE_ONCE(lapic->tsc_deadline, deadline);
	if (!deadline)
		return;			/* 0 disarms */
	now = mv_vcpu_guest_tsc(lapic->vcpu);
	if (deadline <= now) {
		/* Already passed: fire at once. */
		WRITE_ONCE(lapic->tsc_deadline, 0);
		timer_fire(lapic);
		return;
	}
	arm(lapic, deadline - now);
}
