/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Exit statistics and the exit flight recorder (stats.c), a layer beside
 * core: backends and core call the hot-path hooks below, netlink.c reads.
 *
 * One writer per vCPU (its own thread, in MV_RUN), so the hot path uses no
 * locks and no atomics; readers take a consistent snapshot under the
 * seqcount. An exit is counted when its handling ends: at the next VM entry
 * or at the return to userspace. Each vCPU id's statistics belong to the VM
 * and outlive the vCPU, so a VM's sum includes vCPUs that are gone and a
 * reader holding a VM reference never sees freed memory.
 */
#ifndef MV_STATS_H
#define MV_STATS_H

#include <linux/seqlock.h>
#include <linux/types.h>
#include <linux/minivisor.h>

#define MV_STATS_REASONS	80	/* raw exit reasons kept (backend numbering) */
#define MV_STATS_USER_TYPES	32	/* enum mv_exit_reason values kept */

struct mv_vm;
struct mv_vcpu;

struct mv_stats_reason {
	u64 count, ticks, min, max;	/* in-kernel handling */
	u64 ucount, uticks, umin, umax;	/* userspace round trips after it */
};

/* One exit in the flight recorder. */
struct mv_flight_rec {
	u64 tsc;		/* host TSC at the exit */
	u64 rip, qual, gpa;
	u64 ticks;		/* in-kernel handling */
	u32 reason;		/* raw exit reason */
	u16 user;		/* enum mv_exit_reason if it went to userspace, else 0 */
	u16 flags;		/* MV_FLIGHT_* */
};
#define MV_FLIGHT_GPA		(1u << 0)	/* gpa is meaningful */

struct mv_stats_counts {
	u64 exits, guest_ticks, kernel_ticks, user_ticks;
	u64 irqs, nmis, exceptions, halts, halt_wakeups;
	u64 user_exits[MV_STATS_USER_TYPES];	/* by enum mv_exit_reason */
	struct mv_stats_reason reason[MV_STATS_REASONS];
};

/*
 * What a reader gets: counters, and histograms if they were recorded. A
 * vCPU that is not running is read exactly; one that keeps exiting while it
 * is read may be read reason by reason (each reason's counters and
 * histograms agree, the totals may be a few exits apart).
 */
struct mv_stats_snap {
	struct mv_stats_counts c;
	bool histograms;
	u64 hist[MV_STATS_REASONS][MV_STATS_HIST_BUCKETS];
	u64 uhist[MV_STATS_REASONS][MV_STATS_HIST_BUCKETS];
};

/* Counters bumped outside the exit path (mv_stats_count). */
enum mv_stats_counter {
	MV_STAT_IRQS,
	MV_STAT_NMIS,
	MV_STAT_EXCEPTIONS,
	MV_STAT_HALTS,
	MV_STAT_HALT_WAKEUPS,
};

/* Per vCPU id; readers copy it under seq. */
struct mv_vcpu_stats {
	seqcount_t seq;
	struct mv_stats_counts c;
	u64 (*hist)[MV_STATS_HIST_BUCKETS];	/* [MV_STATS_REASONS]; NULL: off */
	u64 (*uhist)[MV_STATS_HIST_BUCKETS];
	struct mv_flight_rec *ring;		/* NULL: recorder off */
	u32 ring_size, ring_head;		/* next slot to write */
	u64 ring_total;				/* records ever written */

	/* vCPU thread only. */
	u64 t_entry, t_exit, t_user;
	u64 guest_pending;			/* guest ticks of the open exit */
	u32 reason;				/* of the open exit */
	u8 state;				/* MV_STATS_* below */
	u32 reset_seen;
	/* The open exit as the recorder and tracepoints report it (backend). */
	u64 x_rip, x_qual, x_gpa;
	u16 x_flags;
	u32 vm_id, vcpu_id;			/* for the tracepoints (trace.h) */

	u32 reset_req;				/* bumped by mv_stats_reset() */
};
#define MV_STATS_IDLE		0	/* no exit open */
#define MV_STATS_KERNEL		1	/* an exit is being handled in the kernel */
#define MV_STATS_USER		2	/* its vCPU returned to userspace after one */

/* Lifetime (vcpu.c, vm.c). */
int mv_stats_vcpu_init(struct mv_vcpu *vcpu);	/* at MV_CREATE_VCPU */
void mv_stats_vm_free(struct mv_vm *vm);
void mv_stats_log_vm(struct mv_vm *vm);		/* the exit line at VM destruction */

/* Readers (netlink.c); the caller holds a VM reference. */
/* vcpu_id < 0: the whole VM. -ENOENT: that vCPU never existed. */
int mv_stats_read(struct mv_vm *vm, int vcpu_id, struct mv_stats_snap *out);
/* Takes effect at once, or at the vCPU's next exit while it is in MV_RUN. */
int mv_stats_reset(struct mv_vm *vm, int vcpu_id);
/* Up to max records, oldest first; the count, 0 if off, -ENOENT. */
int mv_flight_read(struct mv_vm *vm, unsigned int vcpu_id, struct mv_flight_rec *out,
		   unsigned int max);
unsigned int mv_flight_size(void);		/* module parameter flight_entries */
bool mv_stats_histograms(void);			/* module parameter stats_histograms */
const char *mv_exit_reason_name(u32 reason);	/* NULL: unknown */

/* Hot path (vCPU thread). */
void mv_stats_close(struct mv_vcpu_stats *s, u64 now, u32 user);

/* Right before VM entry, interrupts off: ends the open exit's handling. */
static __always_inline void mv_stats_entry(struct mv_vcpu_stats *s, u64 now)
{
	if (s->state != MV_STATS_IDLE)
		mv_stats_close(s, now, 0);
	s->t_entry = now;
}

/* Right after VM exit: opens the interval of an exit with this raw reason. */
static __always_inline void mv_stats_exit(struct mv_vcpu_stats *s, u64 now, u32 reason)
{
	s->guest_pending = now - s->t_entry;
	s->t_exit = now;
	s->reason = reason < MV_STATS_REASONS ? reason : MV_STATS_REASONS - 1;
	s->state = MV_STATS_KERNEL;
}

void mv_stats_count(struct mv_vcpu *vcpu, enum mv_stats_counter c);
/* Return to userspace with run->exit_reason set (vcpu.c). */
void mv_stats_user_exit(struct mv_vcpu *vcpu);
/* A fatal exit (entry failure, triple fault, internal error): the recorder to the log. */
void mv_flight_report(struct mv_vcpu *vcpu);

#endif /* MV_STATS_H */
