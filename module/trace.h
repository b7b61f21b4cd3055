/* SPDX-License-Identifier: GPL-2.0 */
/*
 * minivisor's tracepoints (TRACE_SYSTEM minivisor): VM entry and exit, port
 * I/O, MMIO, injection, halt, the return to userspace and failed VM entries.
 * They appear in tracefs as events/minivisor/<name> and in perf as
 * minivisor:<name>; Documentation/tracing.md shows them in use.
 *
 * A disabled tracepoint is one patched-out jump (a static key): call sites
 * whose arguments cost something (a VMREAD) test trace_<name>_enabled()
 * first. Every event names its VM (the MV_GET_VM_ID id) and vCPU, so a
 * filter such as 'vm == 3' selects one guest.
 *
 * Events are emitted where RCU is watching: never between context
 * tracking's guest entry and the VM entry itself (with nohz_full that is an
 * RCU extended quiescent state). That is why the exit of an exit handled in
 * the kernel is reported by mv_trace_entry(), just before that window, and
 * not by mv_stats_entry() at the entry.
 */
#undef TRACE_SYSTEM
#define TRACE_SYSTEM minivisor

#if !defined(MV_TRACE_H) || defined(TRACE_HEADER_MULTI_READ)
#define MV_TRACE_H

#include <linux/tracepoint.h>
#include <linux/minivisor.h>
#include "mv.h"
#include "stats.h"
#include "../common/vmx_entry_check.h"

#define MV_TRACE_NAME_LEN	32

/*
 * enum values in a format: spelled out as numbers in the format files, so
 * that trace-cmd and perf (libtraceevent) can print the names too.
 */
TRACE_DEFINE_ENUM(MV_EXIT_NONE);
TRACE_DEFINE_ENUM(MV_EXIT_IO);
TRACE_DEFINE_ENUM(MV_EXIT_MMIO);
TRACE_DEFINE_ENUM(MV_EXIT_HLT);
TRACE_DEFINE_ENUM(MV_EXIT_SHUTDOWN);
TRACE_DEFINE_ENUM(MV_EXIT_FAIL_ENTRY);
TRACE_DEFINE_ENUM(MV_EXIT_INTERNAL_ERROR);
TRACE_DEFINE_ENUM(MV_EXIT_INTR);
TRACE_DEFINE_ENUM(MV_EXIT_HYPERCALL);
TRACE_DEFINE_ENUM(MV_EXIT_MSR);
TRACE_DEFINE_ENUM(MV_EXIT_DEBUG);
TRACE_DEFINE_ENUM(MV_EXIT_DESC);
TRACE_DEFINE_ENUM(MV_EXIT_IRQ_WINDOW_OPEN);
TRACE_DEFINE_ENUM(MV_EXIT_EOI);

#define mv_trace_user_exits					\
	{ MV_EXIT_NONE,			"NONE" },		\
	{ MV_EXIT_IO,			"IO" },			\
	{ MV_EXIT_MMIO,			"MMIO" },		\
	{ MV_EXIT_HLT,			"HLT" },		\
	{ MV_EXIT_SHUTDOWN,		"SHUTDOWN" },		\
	{ MV_EXIT_FAIL_ENTRY,		"FAIL_ENTRY" },		\
	{ MV_EXIT_INTERNAL_ERROR,	"INTERNAL_ERROR" },	\
	{ MV_EXIT_INTR,			"INTR" },		\
	{ MV_EXIT_HYPERCALL,		"HYPERCALL" },		\
	{ MV_EXIT_MSR,			"MSR" },		\
	{ MV_EXIT_DEBUG,		"DEBUG" },		\
	{ MV_EXIT_DESC,			"DESC" },		\
	{ MV_EXIT_IRQ_WINDOW_OPEN,	"IRQ_WINDOW_OPEN" },	\
	{ MV_EXIT_EOI,			"EOI" }

/* minivisor_inject type */
#define MV_TRACE_INJ_IRQ	0
#define MV_TRACE_INJ_NMI	1
#define MV_TRACE_INJ_EXC	2

/* minivisor_halt state */
#define MV_TRACE_HALT_BLOCKED	0
#define MV_TRACE_HALT_WOKEN	1

TRACE_EVENT(minivisor_entry,
	TP_PROTO(const struct mv_vcpu *vcpu, u64 rip),
	TP_ARGS(vcpu, rip),

	TP_STRUCT__entry(
		__field(u32, vm)
		__field(u32, vcpu)
		__field(u64, rip)
	),

	TP_fast_assign(
		__entry->vm = vcpu->vm->id;
		__entry->vcpu = vcpu->id;
		__entry->rip = rip;
	),

	TP_printk("vm %u vcpu %u rip 0x%llx", __entry->vm, __entry->vcpu, __entry->rip)
);

/*
 * One exit, when its handling in the kernel ends (at the next entry or at
 * the return to userspace): raw basic exit reason and its name, the exit
 * qualification (0 where the SDM defines none), guest RIP at the exit, the
 * guest-physical address of EPT exits (else 0), the handling ticks (host
 * TSC from VM exit to the end) and the userspace exit type it became (0:
 * handled in the kernel).
 */
TRACE_EVENT(minivisor_exit,
	TP_PROTO(const struct mv_vcpu_stats *s, const struct mv_flight_rec *f, u64 ticks, u32 user),
	TP_ARGS(s, f, ticks, user),

	TP_STRUCT__entry(
		__field(u32, vm)
		__field(u32, vcpu)
		__field(u32, reason)
		__array(char, name, MV_TRACE_NAME_LEN)
		__field(u64, qual)
		__field(u64, rip)
		__field(u64, gpa)
		__field(u64, ticks)
		__field(u32, user)
	),

	TP_fast_assign(
		const char *n = mv_exit_reason_name(f->reason);

		__entry->vm = s->vm_id;
		__entry->vcpu = s->vcpu_id;
		__entry->reason = f->reason;
		strscpy(__entry->name, n ? n : "?", MV_TRACE_NAME_LEN);
		__entry->qual = f->qual;
		__entry->rip = f->rip;
		__entry->gpa = f->flags & MV_FLIGHT_GPA ? f->gpa : 0;
		__entry->ticks = ticks;
		__entry->user = user;
	),

	TP_printk("vm %u vcpu %u reason %u %s qual 0x%llx rip 0x%llx gpa 0x%llx ticks %llu user %u",
		  __entry->vm, __entry->vcpu, __entry->reason, __entry->name,
		  __entry->qual, __entry->rip, __entry->gpa, __entry->ticks, __entry->user)
);

/*
 * Port I/O with its data: OUT/OUTS when the exit goes to userspace, IN/INS
 * when userspace's data reaches the guest (at the next MV_RUN). count is the
 * number of elements of a string instruction in this exit (1 otherwise),
 * value the first element.
 */
TRACE_EVENT(minivisor_pio,
	TP_PROTO(const struct mv_vcpu *vcpu, u16 port, u8 size, bool in, u32 count, u32 value),
	TP_ARGS(vcpu, port, size, in, count, value),

	TP_STRUCT__entry(
		__field(u32, vm)
		__field(u32, vcpu)
		__field(u16, port)
		__field(u8, size)
		__field(u8, in)
		__field(u32, count)
		__field(u32, value)
	),

	TP_fast_assign(
		__entry->vm = vcpu->vm->id;
		__entry->vcpu = vcpu->id;
		__entry->port = port;
		__entry->size = size;
		__entry->in = in;
		__entry->count = count;
		__entry->value = value;
	),

	TP_printk("vm %u vcpu %u %s port 0x%x size %u count %u value 0x%x",
		  __entry->vm, __entry->vcpu, __entry->in ? "in" : "out", __entry->port,
		  __entry->size, __entry->count, __entry->value)
);

/*
 * One MMIO access of an emulated instruction, as userspace (or the
 * in-kernel local APIC) sees it: 1, 2, 4 or 8 bytes. Writes when the exit
 * goes out, reads when their data comes back.
 */
TRACE_EVENT(minivisor_mmio,
	TP_PROTO(const struct mv_vcpu *vcpu, u64 gpa, u32 len, bool write, const void *data),
	TP_ARGS(vcpu, gpa, len, write, data),

	TP_STRUCT__entry(
		__field(u32, vm)
		__field(u32, vcpu)
		__field(u64, gpa)
		__field(u32, len)
		__field(u8, write)
		__field(u64, value)
	),

	TP_fast_assign(
		__entry->vm = vcpu->vm->id;
		__entry->vcpu = vcpu->id;
		__entry->gpa = gpa;
		__entry->len = len;
		__entry->write = write;
		__entry->value = 0;
		memcpy(&__entry->value, data, min_t(u32, len, sizeof(u64)));
	),

	TP_printk("vm %u vcpu %u %s gpa 0x%llx len %u value 0x%llx",
		  __entry->vm, __entry->vcpu, __entry->write ? "write" : "read",
		  __entry->gpa, __entry->len, __entry->value)
);

/*
 * An event for the guest: an external interrupt (the PIC's or the local
 * APIC's vector) or an NMI injected at the next entry, or an exception
 * queued for it (after combining with one already queued, SDM Vol. 3A
 * 6.15).
 */
TRACE_EVENT(minivisor_inject,
	TP_PROTO(const struct mv_vcpu *vcpu, u8 type, u8 vector, bool has_error, u32 error),
	TP_ARGS(vcpu, type, vector, has_error, error),

	TP_STRUCT__entry(
		__field(u32, vm)
		__field(u32, vcpu)
		__field(u8, type)
		__field(u8, vector)
		__field(u8, has_error)
		__field(u32, error)
	),

	TP_fast_assign(
		__entry->vm = vcpu->vm->id;
		__entry->vcpu = vcpu->id;
		__entry->type = type;
		__entry->vector = vector;
		__entry->has_error = has_error;
		__entry->error = error;
	),

	TP_printk("vm %u vcpu %u %s vector %u error %s0x%x",
		  __entry->vm, __entry->vcpu,
		  __print_symbolic(__entry->type, { MV_TRACE_INJ_IRQ, "irq" },
				   { MV_TRACE_INJ_NMI, "nmi" }, { MV_TRACE_INJ_EXC, "exception" }),
		  __entry->vector, __entry->has_error ? "" : "none ", __entry->error)
);

/* A vCPU halted in the kernel (in-kernel local APIC) blocks, or has work again. */
TRACE_EVENT(minivisor_halt,
	TP_PROTO(const struct mv_vcpu *vcpu, u8 state),
	TP_ARGS(vcpu, state),

	TP_STRUCT__entry(
		__field(u32, vm)
		__field(u32, vcpu)
		__field(u8, state)
	),

	TP_fast_assign(
		__entry->vm = vcpu->vm->id;
		__entry->vcpu = vcpu->id;
		__entry->state = state;
	),

	TP_printk("vm %u vcpu %u %s", __entry->vm, __entry->vcpu,
		  __print_symbolic(__entry->state, { MV_TRACE_HALT_BLOCKED, "blocked" },
				   { MV_TRACE_HALT_WOKEN, "woken" }))
);

/* MV_RUN returns: the run page's exit_reason and the ioctl's return value. */
TRACE_EVENT(minivisor_userspace_exit,
	TP_PROTO(const struct mv_vcpu *vcpu, u32 exit_reason, long ret),
	TP_ARGS(vcpu, exit_reason, ret),

	TP_STRUCT__entry(
		__field(u32, vm)
		__field(u32, vcpu)
		__field(u32, exit_reason)
		__field(int, ret)
	),

	TP_fast_assign(
		__entry->vm = vcpu->vm->id;
		__entry->vcpu = vcpu->id;
		__entry->exit_reason = exit_reason;
		__entry->ret = ret;
	),

	TP_printk("vm %u vcpu %u exit_reason %u %s ret %d", __entry->vm, __entry->vcpu,
		  __entry->exit_reason, __print_symbolic(__entry->exit_reason, mv_trace_user_exits),
		  __entry->ret)
);

/*
 * VM entry failed the checks on the guest state (SDM Vol. 3C 27.8): the
 * basic exit reason (33 invalid guest state, 34 MSR loading, 41 machine
 * check), the exit qualification, and the rule of the entry-check engine
 * (common/vmx_entry_check.c) the state breaks, 0 if none was found.
 */
TRACE_EVENT(minivisor_entry_failure,
	TP_PROTO(const struct mv_vcpu *vcpu, u32 reason, u64 qual, u32 rule),
	TP_ARGS(vcpu, reason, qual, rule),

	TP_STRUCT__entry(
		__field(u32, vm)
		__field(u32, vcpu)
		__field(u32, reason)
		__field(u64, qual)
		__field(u32, rule)
		__array(char, rule_name, MV_TRACE_NAME_LEN)
	),

	TP_fast_assign(
		const struct mv_entry_rule *r = rule ? mv_entry_rule_get(rule) : NULL;

		__entry->vm = vcpu->vm->id;
		__entry->vcpu = vcpu->id;
		__entry->reason = reason;
		__entry->qual = qual;
		__entry->rule = rule;
		strscpy(__entry->rule_name, r ? r->name : "-", MV_TRACE_NAME_LEN);
	),

	TP_printk("vm %u vcpu %u reason %u qual 0x%llx rule %u %s", __entry->vm, __entry->vcpu,
		  __entry->reason, __entry->qual, __entry->rule, __entry->rule_name)
);

#endif /* MV_TRACE_H */

#undef TRACE_INCLUDE_PATH
#define TRACE_INCLUDE_PATH .
#undef TRACE_INCLUDE_FILE
#define TRACE_INCLUDE_FILE trace
#include <trace/define_trace.h>

/* Out of line, outside the multi-read part: helpers for the call sites. */
#ifndef MV_TRACE_HELPERS_H
#define MV_TRACE_HELPERS_H

/* Whether mv_trace_entry() has anything to do (two patched-out jumps). */
static __always_inline bool mv_trace_entry_enabled(void)
{
	return unlikely(trace_minivisor_entry_enabled() || trace_minivisor_exit_enabled());
}

/*
 * Right before the guest-entry window, interrupts off: reports the exit
 * whose in-kernel handling ends with this entry (if one is open), then the
 * entry at this guest RIP.
 */
void mv_trace_entry(struct mv_vcpu *vcpu, u64 rip);

#endif /* MV_TRACE_HELPERS_H */
