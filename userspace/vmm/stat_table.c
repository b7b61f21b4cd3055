// SPDX-License-Identifier: GPL-2.0
/*
 * mvm stat's arithmetic (percentages, rates, means, p99 from the log2
 * histograms) and its text table, like `perf kvm stat live`. Pure: the
 * host tests feed it synthetic struct mv_stats.
 */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "stat.h"

uint64_t mvm_hist_bucket_lo(unsigned int i)
{
	return i == 0 ? 0 : 1ull << (i - 1);
}

uint64_t mvm_hist_bucket_hi(unsigned int i)
{
	if (i == 0)
		return 0;
	if (i >= 64)
		return UINT64_MAX;
	return (1ull << i) - 1;
}

bool mvm_hist_p99(const uint64_t *hist, uint64_t max, uint64_t *p99)
{
	uint64_t total = 0, need, sum = 0;
	unsigned int i;

	for (i = 0; i < MV_STATS_HIST_BUCKETS; i++)
		total += hist[i];
	if (!total)
		return false;
	/* The smallest bucket by which at least 99% of the samples are counted. */
	need = (total * 99 + 99) / 100;		/* ceil(0.99 * total) */
	for (i = 0; i < MV_STATS_HIST_BUCKETS; i++) {
		sum += hist[i];
		if (sum >= need)
			break;
	}
	/* The last bucket takes everything above: its bound is the maximum. */
	*p99 = i >= MV_STATS_HIST_BUCKETS - 1 ? max : mvm_hist_bucket_hi(i);
	if (max && *p99 > max)
		*p99 = max;
	return true;
}

double mvm_ticks_to_us(double ticks, uint32_t tsc_khz)
{
	if (!tsc_khz)
		return -1;
	return ticks * 1000.0 / tsc_khz;
}

static uint64_t prev_count(const struct mv_stats *prev, uint32_t id)
{
	const struct mv_reason_stats *p;

	if (!prev)
		return 0;
	p = mv_stats_find(prev, id);
	return p ? p->count : 0;
}

static int cmp_count(const void *a, const void *b)
{
	const struct mvm_stat_row *x = a, *y = b;

	if (x->r->count != y->r->count)
		return x->r->count > y->r->count ? -1 : 1;
	return x->r->id < y->r->id ? -1 : x->r->id > y->r->id;
}

static int cmp_time(const void *a, const void *b)
{
	const struct mvm_stat_row *x = a, *y = b;
	uint64_t tx = x->r->ticks + x->r->uticks, ty = y->r->ticks + y->r->uticks;

	if (tx != ty)
		return tx > ty ? -1 : 1;
	return cmp_count(a, b);
}

unsigned int mvm_stat_rows(const struct mvm_stat_view *v, enum mvm_stat_sort sort,
			   struct mvm_stat_row *rows)
{
	const struct mv_stats *s = v->cur;
	uint64_t total = 0;
	unsigned int i, n = 0;

	for (i = 0; i < s->nreasons; i++)
		total += s->reason[i].count;
	for (i = 0; i < s->nreasons; i++) {
		const struct mv_reason_stats *r = &s->reason[i];
		struct mvm_stat_row *w = &rows[n++];
		uint64_t before = prev_count(v->prev, r->id);

		memset(w, 0, sizeof(*w));
		w->r = r;
		w->pct = total ? 100.0 * (double)r->count / (double)total : 0;
		if (v->dt > 0)
			/* Fewer than before: the statistics were reset in between. */
			w->rate = (double)(r->count >= before ? r->count - before : r->count) /
				  v->dt;
		else
			w->rate = -1;
		w->mean = r->count ? (double)r->ticks / (double)r->count : 0;
		w->umean = r->ucount ? (double)r->uticks / (double)r->ucount : 0;
		if (r->has_hist)
			w->has_p99 = mvm_hist_p99(r->hist, r->max, &w->p99);
		if (r->has_uhist)
			w->has_up99 = mvm_hist_p99(r->uhist, r->umax, &w->up99);
	}
	qsort(rows, n, sizeof(*rows), sort == MVM_SORT_TIME ? cmp_time : cmp_count);
	return n;
}

static const char *reason_name(const struct mv_reason_stats *r, char *buf, size_t size)
{
	if (r->name[0])
		return r->name;
	snprintf(buf, size, "reason_%u", r->id);
	return buf;
}

/* A number in a column, or "-" when it is unknown. */
static void col_u(FILE *f, int w, bool ok, uint64_t v)
{
	if (ok)
		fprintf(f, " %*" PRIu64, w, v);
	else
		fprintf(f, " %*s", w, "-");
}

static void col_d(FILE *f, int w, int prec, double v)
{
	if (v >= 0)
		fprintf(f, " %*.*f", w, prec, v);
	else
		fprintf(f, " %*s", w, "-");
}

void mvm_stat_table(FILE *f, const struct mvm_stat_view *v, enum mvm_stat_sort sort)
{
	static struct mvm_stat_row rows[MV_NL_MAX_REASONS];
	const struct mv_stats *s = v->cur;
	uint32_t khz = v->vm && v->vm->tsc_khz ? v->vm->tsc_khz : s->tsc_khz;
	uint64_t total = 0, utotal = 0;
	unsigned int i, n;
	char buf[32];

	n = mvm_stat_rows(v, sort, rows);
	for (i = 0; i < n; i++) {
		total += rows[i].r->count;
		utotal += rows[i].r->ucount;
	}
	fprintf(f, "VM %u", s->vm_id);
	if (v->vm)
		fprintf(f, " (pid %u, %s)", v->vm->pid, v->vm->comm[0] ? v->vm->comm : "?");
	if (s->vcpu >= 0)
		fprintf(f, " vCPU %d", s->vcpu);
	else
		fprintf(f, " all vCPUs");
	fprintf(f, ": %" PRIu64 " exits, %" PRIu64 " to userspace", s->exits, utotal);
	if (khz)
		fprintf(f, ", TSC %u kHz", khz);
	else
		fprintf(f, ", TSC rate unknown (no us columns)");
	fprintf(f, "%s\n", s->histograms ? "" : ", histograms off (no p99)");
	fprintf(f, "%-22s %10s %6s %9s %9s %9s %9s %9s %9s %9s | %9s %9s %9s %9s\n",
		"reason", "count", "%", "rate/s", "mean(t)", "min(t)", "max(t)", "p99(t)",
		"mean(us)", "p99(us)", "ucount", "umean(t)", "up99(t)", "umean(us)");
	for (i = 0; i < n; i++) {
		const struct mvm_stat_row *w = &rows[i];
		const struct mv_reason_stats *r = w->r;

		fprintf(f, "%-22s %10" PRIu64 " %6.2f", reason_name(r, buf, sizeof(buf)),
			r->count, w->pct);
		col_d(f, 9, 1, w->rate);
		col_d(f, 9, 0, r->count ? w->mean : -1);
		col_u(f, 9, r->count, r->min);
		col_u(f, 9, r->count, r->max);
		col_u(f, 9, w->has_p99, w->p99);
		col_d(f, 9, 3, r->count ? mvm_ticks_to_us(w->mean, khz) : -1);
		col_d(f, 9, 3, w->has_p99 ? mvm_ticks_to_us((double)w->p99, khz) : -1);
		fprintf(f, " |");
		col_u(f, 9, true, r->ucount);
		col_d(f, 9, 0, r->ucount ? w->umean : -1);
		col_u(f, 9, w->has_up99, w->up99);
		col_d(f, 9, 3, r->ucount ? mvm_ticks_to_us(w->umean, khz) : -1);
		fputc('\n', f);
	}
	fprintf(f, "%-22s %10" PRIu64 " %6.2f\n", "total", total, total ? 100.0 : 0.0);
	fprintf(f, "guest %" PRIu64 " t, kernel %" PRIu64 " t, user %" PRIu64 " t; irqs %" PRIu64
		", nmis %" PRIu64 ", exceptions %" PRIu64 ", halts %" PRIu64 " (%" PRIu64
		" woken)\n", s->guest_ticks, s->kernel_ticks, s->user_ticks, s->irqs, s->nmis,
		s->exceptions, s->halts, s->halt_wakeups);
	if (s->nuser) {
		fprintf(f, "user exits:");
		for (i = 0; i < s->nuser; i++)
			fprintf(f, " %s %" PRIu64, mv_exit_reason_str(s->user[i].type),
				s->user[i].count);
		fputc('\n', f);
	}
	fprintf(f, "t = TSC ticks; (t) in-kernel handling, u* = userspace round trip after "
		"the exit; p99 = upper bound of the log2 bucket holding the 99th percentile\n");
}

/* ---- JSON ---- */

void mvm_json_str(FILE *f, const char *s)
{
	fputc('"', f);
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		if (c == '"' || c == '\\')
			fprintf(f, "\\%c", c);
		else if (c < 0x20 || c == 0x7f)
			fprintf(f, "\\u%04x", c);
		else
			fputc(c, f);
	}
	fputc('"', f);
}

/* A double as JSON (finite only; unknown -> null). */
static void json_num(FILE *f, double v, bool ok)
{
	if (ok && v == v && v < 1e300 && v > -1e300)
		fprintf(f, "%.6g", v);
	else
		fputs("null", f);
}

static void json_hist(FILE *f, const uint64_t *h, bool ok)
{
	unsigned int i;

	if (!ok) {
		fputs("null", f);
		return;
	}
	fputc('[', f);
	for (i = 0; i < MV_STATS_HIST_BUCKETS; i++)
		fprintf(f, "%s%" PRIu64, i ? "," : "", h[i]);
	fputc(']', f);
}

static void json_vm(FILE *f, const struct mvm_stat_view *v, enum mvm_stat_sort sort)
{
	static struct mvm_stat_row rows[MV_NL_MAX_REASONS];
	const struct mv_stats *s = v->cur;
	uint32_t khz = v->vm && v->vm->tsc_khz ? v->vm->tsc_khz : s->tsc_khz;
	unsigned int i, n = mvm_stat_rows(v, sort, rows);

	fprintf(f, "{\"vm\":%u,\"vcpu\":", s->vm_id);
	if (s->vcpu >= 0)
		fprintf(f, "%d", s->vcpu);
	else
		fputs("null", f);
	if (v->vm) {
		fprintf(f, ",\"pid\":%u,\"uid\":%u,\"comm\":", v->vm->pid, v->vm->uid);
		mvm_json_str(f, v->vm->comm);
	}
	fprintf(f, ",\"tsc_khz\":%u,\"interval_s\":", khz);
	json_num(f, v->dt, v->dt > 0);
	fprintf(f, ",\"histograms\":%s,\"totals\":{\"exits\":%" PRIu64 ",\"guest_ticks\":%"
		PRIu64 ",\"kernel_ticks\":%" PRIu64 ",\"user_ticks\":%" PRIu64 ",\"irqs\":%"
		PRIu64 ",\"nmis\":%" PRIu64 ",\"exceptions\":%" PRIu64 ",\"halts\":%" PRIu64
		",\"halt_wakeups\":%" PRIu64 "},\"reasons\":[", s->histograms ? "true" : "false",
		s->exits, s->guest_ticks, s->kernel_ticks, s->user_ticks, s->irqs, s->nmis,
		s->exceptions, s->halts, s->halt_wakeups);
	for (i = 0; i < n; i++) {
		const struct mvm_stat_row *w = &rows[i];
		const struct mv_reason_stats *r = w->r;
		double us;

		fprintf(f, "%s{\"id\":%u,\"name\":", i ? "," : "", r->id);
		mvm_json_str(f, r->name);
		fprintf(f, ",\"count\":%" PRIu64 ",\"percent\":", r->count);
		json_num(f, w->pct, true);
		fputs(",\"rate\":", f);
		json_num(f, w->rate, w->rate >= 0);
		fprintf(f, ",\"ticks\":{\"total\":%" PRIu64 ",\"min\":%" PRIu64 ",\"max\":%" PRIu64
			",\"mean\":", r->ticks, r->min, r->max);
		json_num(f, w->mean, r->count);
		fputs(",\"p99\":", f);
		if (w->has_p99)
			fprintf(f, "%" PRIu64, w->p99);
		else
			fputs("null", f);
		fputs("},\"us\":{\"mean\":", f);
		us = mvm_ticks_to_us(w->mean, khz);
		json_num(f, us, us >= 0 && r->count);
		fputs(",\"p99\":", f);
		us = mvm_ticks_to_us((double)w->p99, khz);
		json_num(f, us, us >= 0 && w->has_p99);
		fputs(",\"max\":", f);
		us = mvm_ticks_to_us((double)r->max, khz);
		json_num(f, us, us >= 0 && r->count);
		fputs("},\"hist\":", f);
		json_hist(f, r->hist, r->has_hist);
		fprintf(f, ",\"user\":{\"count\":%" PRIu64 ",\"ticks\":%" PRIu64 ",\"min\":%" PRIu64
			",\"max\":%" PRIu64 ",\"mean\":", r->ucount, r->uticks, r->umin, r->umax);
		json_num(f, w->umean, r->ucount);
		fputs(",\"p99\":", f);
		if (w->has_up99)
			fprintf(f, "%" PRIu64, w->up99);
		else
			fputs("null", f);
		fputs(",\"hist\":", f);
		json_hist(f, r->uhist, r->has_uhist);
		fputs("}}", f);
	}
	fputs("],\"user_exits\":[", f);
	for (i = 0; i < s->nuser; i++) {
		fprintf(f, "%s{\"type\":%u,\"name\":", i ? "," : "", s->user[i].type);
		mvm_json_str(f, mv_exit_reason_str(s->user[i].type));
		fprintf(f, ",\"count\":%" PRIu64 "}", s->user[i].count);
	}
	fputs("]}", f);
}

void mvm_stat_json(FILE *f, const struct mvm_stat_view *v, unsigned int n,
		   enum mvm_stat_sort sort, uint64_t time_ns)
{
	unsigned int i;

	fprintf(f, "{\"version\":1,\"time_ns\":%" PRIu64 ",\"sort\":\"%s\",\"vms\":[", time_ns,
		sort == MVM_SORT_TIME ? "time" : "count");
	for (i = 0; i < n; i++) {
		if (i)
			fputc(',', f);
		json_vm(f, &v[i], sort);
	}
	fputs("]}\n", f);
}
