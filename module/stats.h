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
#include <asm/msr.h>

#define MV_STATS_REASONS	80	/* raw exit reasons kept (backend numbering) */
#define MV_STATS_USER_TYPES	32	/* enum mv_exit_reason values kept */

struct mv_vm;
struct mv_vcpu;

/*
 * min and umin are U64_MAX until the first interval. Padded to 1 KiB so
 * that indexing by reason is one shift on the hot path.
 */
struct mv_stats_reason {
	u64 count, ticks, min, max;	/* in-kernel handling */
	u64 hist[MV_STATS_HIST_BUCKETS];
	u64 ucount, uticks, umin, umax;	/* userspace round trips after it */
	u64 uhist[MV_STATS_HIST_BUCKETS];
	u64 pad[128 - 8 - 2 * MV_STATS_HIST_BUCKETS];
};

/* One exit in the flight recorder. */
struct mv_flight_rec {
	u64 tsc;		/* host TSC at the exit */
	u64 rip, qual;
	u64 gpa;		/* only with MV_FLIGHT_GPA (else stale in the ring) */
	u64 ticks;		/* in-kernel handling */
	union {
		struct {
			u32 reason;	/* raw exit reason */
			u16 user;	/* enum mv_exit_reason if it went to userspace, else 0 */
			u16 flags;	/* MV_FLIGHT_* */
		};
		u64 info;	/* the three at once, written at the exit */
	};
};
#define MV_FLIGHT_INFO(reason, flags)	((u64)(reason) | (u64)(flags) << 48)
#define MV_FLIGHT_GPA		(1u << 0)	/* gpa is meaningful */

/* exits, kernel_ticks and user_ticks are summed from reason[] when read. */
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
	bool histograms;		/* some vCPU recorded them (else all zero) */
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
	/* vCPU thread only, hot. */
	u8 state;				/* MV_STATS_* below */
	bool on, hist_on;			/* module parameters at vCPU creation */
	u32 reason;				/* of the open exit */
	u64 t_entry, t_exit, t_user;
	struct mv_flight_rec *ring;		/* NULL: recorder off */
	struct mv_flight_rec *cur;		/* the open exit's record: ring slot or x */
	struct mv_flight_rec *ring_end;		/* ring + ring_size */
	u32 ring_size;
	u64 ring_total;				/* records ever written */

	struct mv_flight_rec x;			/* cur without a recorder (tracepoints) */
	u32 vm_id, vcpu_id;			/* for the tracepoints (trace.h) */
	struct mv_stats_counts c;
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
bool mv_stats_on(void);				/* module parameter stats */
const char *mv_exit_reason_name(u32 reason);	/* NULL: unknown */

/* vCPU thread. */
void mv_stats_count(struct mv_vcpu *vcpu, enum mv_stats_counter c);
/* Return to userspace with run->exit_reason set (vcpu.c). */
void mv_stats_user_exit(struct mv_vcpu *vcpu);
/* A fatal exit (entry failure, triple fault, internal error): the recorder to the log. */
void mv_flight_report(struct mv_vcpu *vcpu);

/* Hot path (vCPU thread). */
void mv_stats_close_user(struct mv_vcpu_stats *s, u64 now);
/* The vCPU thread zeroes its statistics (MV_REQ_STATS_RESET). */
void mv_stats_apply_reset(struct mv_vcpu *vcpu);

static __always_inline unsigned int mv_hist_bucket(u64 ticks)
{
	unsigned int b = fls64(ticks);

	return b < MV_STATS_HIST_BUCKETS ? b : MV_STATS_HIST_BUCKETS - 1;
}

/*
 * Right before VM entry, interrupts off: ends the open exit's in-kernel
 * handling. Inline and short: it runs on every round trip (the CPUID row
 * of make bench measures it).
 */
/*
 * Ends the open exit's in-kernel handling at now: its row, its histogram
 * bucket, the guest time, and its flight record (user: the mv_exit_reason
 * it returns to userspace with, 0 when the guest is entered again). Caller
 * holds the seqcount write side.
 */
static __always_inline void mv_stats_end_kernel(struct mv_vcpu_stats *s, u64 now, u16 user)
{
	struct mv_stats_reason *r;
	struct mv_flight_rec *f;
	u64 te, t, mn, mx;

	/* Locals first: the stores below may alias s for the compiler. */
	BUILD_BUG_ON(sizeof(*r) != 1024);
	te = s->t_exit;
	t = now - te;
	r = &s->c.reason[s->reason];
	f = s->cur;
	mn = r->min;
	mx = r->max;
	s->c.guest_ticks += te - s->t_entry;
	r->count++;
	r->ticks += t;
	/* Rarely taken once a reason has a few samples. */
	if (unlikely(t < mn))
		r->min = t;
	if (unlikely(t > mx))
		r->max = t;
	if (s->hist_on)
		r->hist[mv_hist_bucket(t)]++;
	if (s->ring) {
		/* The backend wrote rip, qual, gpa and info (user 0) at the exit. */
		f->tsc = te;
		f->ticks = t;
		if (user)
			f->user = user;
		if (unlikely(++f == s->ring_end))
			f = s->ring;
		s->cur = f;
		s->ring_total++;
	}
}

/*
 * Right before VM entry, interrupts off: ends the open exit's in-kernel
 * handling. Inline and short: it runs on every round trip (the CPUID row
 * of make bench measures it).
 */
static __always_inline void mv_stats_entry(struct mv_vcpu_stats *s)
{
	u64 now;

	if (unlikely(!s->on))
		return;
	now = rdtsc();
	if (likely(s->state == MV_STATS_KERNEL)) {
		raw_write_seqcount_begin(&s->seq);
		mv_stats_end_kernel(s, now, 0);
		s->state = MV_STATS_IDLE;
		raw_write_seqcount_end(&s->seq);
	} else if (s->state == MV_STATS_USER) {
		mv_stats_close_user(s, now);
	}
	s->t_entry = now;
}

/* Right after VM exit, before anything else: the time stamp, if recording. */
static __always_inline u64 mv_stats_now(struct mv_vcpu_stats *s)
{
	return likely(s->on) ? rdtsc() : 0;
}

/* Once the exit reason is known: opens the interval of an exit with this raw reason. */
static __always_inline void mv_stats_exit(struct mv_vcpu_stats *s, u64 now, u32 reason)
{
	if (unlikely(!s->on))
		return;
	s->t_exit = now;
	s->reason = reason < MV_STATS_REASONS ? reason : MV_STATS_REASONS - 1;
	s->state = MV_STATS_KERNEL;
}

#endif /* MV_STATS_H */
