// SPDX-License-Identifier: GPL-2.0
/*
 * minivisor's tracepoints (trace.h): this file instantiates them, and holds
 * the one helper the VM-entry path calls when any of its events is on.
 */
#include <asm/msr.h>
#include "mv.h"
#include "stats.h"

#define CREATE_TRACE_POINTS
#include "trace.h"

/*
 * Called by the backend with interrupts off, after the last check that can
 * cancel the entry and before context tracking's guest entry, so RCU is
 * watching. An exit still open here is one handled in the kernel: its
 * ticks end now, a few instructions before the statistics close it at the
 * entry itself (Documentation/tracing.md). Exits that go to userspace are
 * reported by mv_stats_user_exit() at the return.
 */
void mv_trace_entry(struct mv_vcpu *vcpu, u64 rip)
{
	struct mv_vcpu_stats *s = vcpu->stats;

	/* s->cur is still the open exit's record: mv_stats_entry() moves it on. */
	if (trace_minivisor_exit_enabled() && s->state == MV_STATS_KERNEL)
		trace_minivisor_exit(s, s->cur, rdtsc() - s->t_exit, 0);
	trace_minivisor_entry(vcpu, rip);
}
