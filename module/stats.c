// SPDX-License-Identifier: GPL-2.0
/*
 * Exit statistics and the exit flight recorder (see stats.h).
 *
 * Every exit is an interval from the VM exit to the next VM entry. If the
 * vCPU returns to userspace in between, the interval ends there (in-kernel
 * handling) and a second one, the userspace round trip, runs from the return
 * to the next entry; both are charged to the exit's reason. Ticks are host
 * TSC ticks, read without serialization: a few ticks of skew per reading
 * are below the first histogram buckets that matter, and a fenced RDTSC
 * would cost more than the bookkeeping itself.
 */
#include <linux/bitops.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/ratelimit.h>
#include <linux/slab.h>
#include <linux/vmalloc.h>
#include <asm/msr.h>
#include "mv.h"
#include "stats.h"
#include "trace.h"

static bool stats = true;
module_param(stats, bool, 0644);
MODULE_PARM_DESC(stats, "Record exit statistics at all (read at vCPU creation; default Y)");

static bool stats_histograms = true;
module_param(stats_histograms, bool, 0644);
MODULE_PARM_DESC(stats_histograms,
		 "Record per-reason latency histograms (read at vCPU creation; default Y)");

static unsigned int flight_entries = 64;
module_param(flight_entries, uint, 0644);
MODULE_PARM_DESC(flight_entries,
		 "Exits each vCPU's flight recorder keeps, 0 = off (read at vCPU creation; at most 4096)");

#define MV_FLIGHT_MAX		4096

bool mv_stats_on(void)
{
	return READ_ONCE(stats);
}

bool mv_stats_histograms(void)
{
	return READ_ONCE(stats) && READ_ONCE(stats_histograms);
}

unsigned int mv_flight_size(void)
{
	return READ_ONCE(stats) ? min(READ_ONCE(flight_entries), (unsigned int)MV_FLIGHT_MAX) : 0;
}

const char *mv_exit_reason_name(u32 reason)
{
	return mv_ops->exit_reason_name(reason);
}

static void mv_stats_zero(struct mv_vcpu_stats *s)
{
	unsigned int i;

	memset(&s->c, 0, sizeof(s->c));
	/*
	 * A userspace round trip in progress began before the reset: it must
	 * not show up afterwards as a round trip of an exit that was never
	 * counted. (An exit still being handled in the kernel is counted: its
	 * handling ends after the reset.)
	 */
	if (s->state == MV_STATS_USER)
		s->state = MV_STATS_IDLE;
	for (i = 0; i < MV_STATS_REASONS; i++) {
		s->c.reason[i].min = U64_MAX;
		s->c.reason[i].umin = U64_MAX;
	}
	if (s->ring) {
		memset(s->ring, 0, s->ring_size * sizeof(*s->ring));
		s->ring_total = 0;
	}
}

static void mv_stats_free_one(struct mv_vcpu_stats *s)
{
	if (!s)
		return;
	kvfree(s->ring);
	kvfree(s);
}

/*
 * vm->lock held (MV_CREATE_VCPU). The statistics of an id are made once;
 * the module parameters are read then (a vCPU id created again keeps its
 * first configuration and its counts).
 */
int mv_stats_vcpu_init(struct mv_vcpu *vcpu)
{
	struct mv_vm *vm = vcpu->vm;
	struct mv_vcpu_stats *s = vm->stats[vcpu->id];
	unsigned int n;

	if (s)
		goto out;
	s = kvzalloc(sizeof(*s), GFP_KERNEL_ACCOUNT);
	if (!s)
		return -ENOMEM;
	seqcount_init(&s->seq);
	s->vm_id = vm->id;
	s->vcpu_id = vcpu->id;
	s->on = mv_stats_on();
	s->hist_on = mv_stats_histograms();
	n = mv_flight_size();
	if (n) {
		s->ring = kvcalloc(n, sizeof(*s->ring), GFP_KERNEL_ACCOUNT);
		if (!s->ring) {
			kvfree(s);
			return -ENOMEM;
		}
		s->ring_size = n;
		s->ring_end = s->ring + n;
	}
	mv_stats_zero(s);
	/* Readers find it under vm->stats_lock. */
	mutex_lock(&vm->stats_lock);
	vm->stats[vcpu->id] = s;
	mutex_unlock(&vm->stats_lock);
out:
	s->state = MV_STATS_IDLE;
	if (!s->cur)
		s->cur = s->ring ? s->ring : &s->x;
	vcpu->stats = s;
	return 0;
}

void mv_stats_vm_free(struct mv_vm *vm)
{
	unsigned int i;

	for (i = 0; i < MV_MAX_VCPUS; i++)
		mv_stats_free_one(vm->stats[i]);
}

/* The userspace round trip after an exit that went there ends at entry. */
void mv_stats_close_user(struct mv_vcpu_stats *s, u64 now)
{
	struct mv_stats_reason *r = &s->c.reason[s->reason];
	u64 t = now - s->t_user;

	raw_write_seqcount_begin(&s->seq);
	r->ucount++;
	r->uticks += t;
	if (t < r->umin)
		r->umin = t;
	if (t > r->umax)
		r->umax = t;
	if (s->hist_on)
		r->uhist[mv_hist_bucket(t)]++;
	s->state = MV_STATS_IDLE;
	raw_write_seqcount_end(&s->seq);
}

/*
 * Return to userspace with run->exit_reason set. The open exit's in-kernel
 * handling ends here and its userspace round trip starts. Preemption is
 * disabled around the write section so that a reader never spins on a
 * preempted writer.
 */
void mv_stats_user_exit(struct mv_vcpu *vcpu)
{
	struct mv_vcpu_stats *s = vcpu->stats;
	u32 type = min_t(u32, vcpu->run->exit_reason, MV_STATS_USER_TYPES - 1);
	struct mv_flight_rec *f = s->cur;	/* the open exit's, before it moves on */
	bool traced = false;
	u64 t = 0;

	if (!s->on)
		return;
	preempt_disable();
	raw_write_seqcount_begin(&s->seq);
	s->c.user_exits[type]++;
	if (s->state == MV_STATS_KERNEL) {
		t = rdtsc();
		mv_stats_end_kernel(s, t, type ? type : MV_STATS_USER_TYPES - 1);
		s->t_user = t;
		s->state = MV_STATS_USER;
		traced = true;
	}
	raw_write_seqcount_end(&s->seq);
	/* Outside the write section; an exit handled in the kernel: mv_trace_entry(). */
	if (trace_minivisor_exit_enabled() && traced)
		trace_minivisor_exit(s, f, t - s->t_exit, type ? type : MV_STATS_USER_TYPES - 1);
	preempt_enable();
}

void mv_stats_count(struct mv_vcpu *vcpu, enum mv_stats_counter c)
{
	struct mv_vcpu_stats *s = vcpu->stats;

	if (!s->on)
		return;
	preempt_disable();
	raw_write_seqcount_begin(&s->seq);
	switch (c) {
	case MV_STAT_IRQS:
		s->c.irqs++;
		break;
	case MV_STAT_NMIS:
		s->c.nmis++;
		break;
	case MV_STAT_EXCEPTIONS:
		s->c.exceptions++;
		break;
	case MV_STAT_HALTS:
		s->c.halts++;
		break;
	case MV_STAT_HALT_WAKEUPS:
		s->c.halt_wakeups++;
		break;
	}
	raw_write_seqcount_end(&s->seq);
	preempt_enable();
}

void mv_stats_apply_reset(struct mv_vcpu *vcpu)
{
	struct mv_vcpu_stats *s = vcpu->stats;

	preempt_disable();
	raw_write_seqcount_begin(&s->seq);
	mv_stats_zero(s);
	raw_write_seqcount_end(&s->seq);
	preempt_enable();
}

static void mv_reason_add(struct mv_stats_reason *o, const struct mv_stats_reason *a)
{
	unsigned int b;

	o->min = min(o->min, a->min);
	o->umin = min(o->umin, a->umin);
	o->max = max(o->max, a->max);
	o->umax = max(o->umax, a->umax);
	o->count += a->count;
	o->ticks += a->ticks;
	o->ucount += a->ucount;
	o->uticks += a->uticks;
	for (b = 0; b < MV_STATS_HIST_BUCKETS; b++) {
		o->hist[b] += a->hist[b];
		o->uhist[b] += a->uhist[b];
	}
}

/* out += one vCPU's copy (in), for a VM's sum; the totals come from the rows. */
static void mv_snap_add(struct mv_stats_snap *out, const struct mv_stats_snap *in)
{
	const struct mv_stats_counts *c = &in->c;
	const struct mv_stats_reason *r;
	unsigned int i;

	out->c.guest_ticks += c->guest_ticks;
	out->c.irqs += c->irqs;
	out->c.nmis += c->nmis;
	out->c.exceptions += c->exceptions;
	out->c.halts += c->halts;
	out->c.halt_wakeups += c->halt_wakeups;
	for (i = 0; i < MV_STATS_USER_TYPES; i++)
		out->c.user_exits[i] += c->user_exits[i];
	for (i = 0; i < MV_STATS_REASONS; i++) {
		r = &c->reason[i];
		if (!r->count && !r->ucount)
			continue;
		out->c.exits += r->count;
		out->c.kernel_ticks += r->ticks;
		out->c.user_ticks += r->uticks;
		mv_reason_add(&out->c.reason[i], r);
	}
	out->histograms |= in->histograms;
}

/*
 * One vCPU's statistics, consistent as a whole when a few tries suffice
 * (always for a vCPU that is not running). A vCPU that exits faster than
 * the copy takes is read reason by reason instead: each row is short, so
 * each read ends, and each reason's counters and histograms still agree.
 */
static void mv_stats_read_one(struct mv_vcpu_stats *s, struct mv_stats_snap *tmp)
{
	unsigned int seq, i, tries;

	tmp->histograms = s->hist_on;
	for (tries = 0; tries < 4; tries++) {
		seq = read_seqcount_begin(&s->seq);
		tmp->c = s->c;
		if (!read_seqcount_retry(&s->seq, seq))
			return;
	}
	do {
		seq = read_seqcount_begin(&s->seq);
		memcpy(tmp->c.user_exits, s->c.user_exits, sizeof(tmp->c.user_exits));
		tmp->c.guest_ticks = s->c.guest_ticks;
		tmp->c.irqs = s->c.irqs;
		tmp->c.nmis = s->c.nmis;
		tmp->c.exceptions = s->c.exceptions;
		tmp->c.halts = s->c.halts;
		tmp->c.halt_wakeups = s->c.halt_wakeups;
	} while (read_seqcount_retry(&s->seq, seq));
	for (i = 0; i < MV_STATS_REASONS; i++) {
		do {
			seq = read_seqcount_begin(&s->seq);
			tmp->c.reason[i] = s->c.reason[i];
		} while (read_seqcount_retry(&s->seq, seq));
	}
}

int mv_stats_read(struct mv_vm *vm, int vcpu_id, struct mv_stats_snap *out)
{
	struct mv_stats_snap *tmp;
	unsigned int i;
	int r = -ENOENT;

	memset(out, 0, sizeof(*out));
	for (i = 0; i < MV_STATS_REASONS; i++) {
		out->c.reason[i].min = U64_MAX;
		out->c.reason[i].umin = U64_MAX;
	}
	tmp = kvmalloc(sizeof(*tmp), GFP_KERNEL);
	if (!tmp)
		return -ENOMEM;
	mutex_lock(&vm->stats_lock);
	for (i = 0; i < MV_MAX_VCPUS; i++) {
		if (!vm->stats[i] || (vcpu_id >= 0 && i != vcpu_id))
			continue;
		mv_stats_read_one(vm->stats[i], tmp);
		mv_snap_add(out, tmp);
		r = 0;
	}
	mutex_unlock(&vm->stats_lock);
	kvfree(tmp);
	/* No interval seen: min reads as 0, not U64_MAX. */
	for (i = 0; i < MV_STATS_REASONS; i++) {
		if (!out->c.reason[i].count)
			out->c.reason[i].min = 0;
		if (!out->c.reason[i].ucount)
			out->c.reason[i].umin = 0;
	}
	return r;
}

/*
 * A vCPU in MV_RUN zeroes its own statistics before its next entry (a
 * request: the writer stays the only writer; a vCPU blocked in HLT does it
 * when it wakes). One that is not running is zeroed here, with its vCPU
 * mutex held so that it cannot start. Statistics of vCPUs that are gone
 * have no writer.
 */
int mv_stats_reset(struct mv_vm *vm, int vcpu_id)
{
	struct mv_vcpu_stats *s;
	struct mv_vcpu *vcpu;
	unsigned int i;
	int r = -ENOENT;

	mutex_lock(&vm->lock);
	mutex_lock(&vm->stats_lock);
	for (i = 0; i < MV_MAX_VCPUS; i++) {
		s = vm->stats[i];
		if (!s || (vcpu_id >= 0 && i != vcpu_id))
			continue;
		r = 0;
		vcpu = vm->vcpus[i];
		if (vcpu && !mutex_trylock(&vcpu->mutex)) {
			mv_vcpu_request(vcpu, MV_REQ_STATS_RESET);
			continue;
		}
		preempt_disable();
		raw_write_seqcount_begin(&s->seq);
		mv_stats_zero(s);
		raw_write_seqcount_end(&s->seq);
		preempt_enable();
		if (vcpu)
			mutex_unlock(&vcpu->mutex);
	}
	mutex_unlock(&vm->stats_lock);
	mutex_unlock(&vm->lock);
	return r;
}

int mv_flight_read(struct mv_vm *vm, unsigned int vcpu_id, struct mv_flight_rec *out,
		   unsigned int max)
{
	struct mv_vcpu_stats *s;
	unsigned int seq, n, i, start;

	if (vcpu_id >= MV_MAX_VCPUS)
		return -ENOENT;
	mutex_lock(&vm->stats_lock);
	s = vm->stats[vcpu_id];
	if (!s) {
		mutex_unlock(&vm->stats_lock);
		return -ENOENT;
	}
	n = 0;
	if (s->ring) {
		do {
			seq = read_seqcount_begin(&s->seq);
			n = min_t(u64, s->ring_total, s->ring_size);
			n = min(n, max);
			/* The n newest, oldest first; cur is the next slot. */
			start = (s->cur - s->ring + s->ring_size - n) % s->ring_size;
			for (i = 0; i < n; i++)
				out[i] = s->ring[(start + i) % s->ring_size];
		} while (read_seqcount_retry(&s->seq, seq));
		for (i = 0; i < n; i++)
			if (!(out[i].flags & MV_FLIGHT_GPA))
				out[i].gpa = 0;
	}
	mutex_unlock(&vm->stats_lock);
	return n;
}

/* The exit line at VM destruction (the Linux-guest test and bench read it). */
void mv_stats_log_vm(struct mv_vm *vm)
{
	struct mv_stats_snap *snap;
	const char *name;
	size_t n = 0;
	char *line;
	unsigned int i;
	u64 c;

	snap = kvmalloc(sizeof(*snap), GFP_KERNEL);
	line = kmalloc(768, GFP_KERNEL);
	if (!snap || !line)
		goto out;
	if (mv_stats_read(vm, -1, snap) || snap->c.exits < 1000)
		goto out;
	for (i = 0; i < MV_STATS_REASONS && n < 768 - 48; i++) {
		c = snap->c.reason[i].count;
		if (!c)
			continue;
		name = mv_exit_reason_name(i);
		if (name)
			n += scnprintf(line + n, 768 - n, "%s%s %llu", n ? ", " : "", name, c);
		else
			n += scnprintf(line + n, 768 - n, "%sreason %u %llu", n ? ", " : "", i, c);
	}
	mv_info("VM of pid %d exits: %llu: %s\n", vm->creator, snap->c.exits, line);
out:
	kfree(line);
	kvfree(snap);
}

/*
 * The recorder of a vCPU whose guest died, as a table in the kernel log.
 * Rate-limited for the whole module: a guest that fails entry in a loop, or
 * many VMs dying at once, must not flood the log.
 */
static DEFINE_RATELIMIT_STATE(mv_flight_rs, 10 * HZ, 2);

void mv_flight_report(struct mv_vcpu *vcpu)
{
	struct mv_vcpu_stats *s = vcpu->stats;
	struct mv_flight_rec *recs;
	const char *name;
	char gpa[24];
	int n, i;

	if (!s->ring || !__ratelimit(&mv_flight_rs))
		return;
	recs = kvmalloc_array(s->ring_size, sizeof(*recs), GFP_KERNEL);
	if (!recs)
		return;
	n = mv_flight_read(vcpu->vm, vcpu->id, recs, s->ring_size);
	pr_info("minivisor: VM %u (pid %d) vCPU %u: exit %u to userspace; its last %d exits, oldest first:\n",
		vcpu->vm->id, vcpu->vm->creator, vcpu->id, vcpu->run->exit_reason, n);
	pr_info("minivisor:  %-3s %-20s %-18s %-18s %-18s %10s %4s\n",
		"#", "reason", "rip", "qual", "gpa", "ticks", "user");
	for (i = 0; i < n; i++) {
		name = mv_exit_reason_name(recs[i].reason);
		if (recs[i].flags & MV_FLIGHT_GPA)
			snprintf(gpa, sizeof(gpa), "%#018llx", recs[i].gpa);
		else
			strscpy(gpa, "-", sizeof(gpa));
		pr_info("minivisor:  %-3d %-20s %#018llx %#018llx %-18s %10llu %4u\n",
			i, name ? name : "?", recs[i].rip, recs[i].qual, gpa,
			recs[i].ticks, recs[i].user);
	}
	kvfree(recs);
}
