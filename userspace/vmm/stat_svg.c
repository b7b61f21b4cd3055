// SPDX-License-Identifier: GPL-2.0
/*
 * mvm stat --svg: one self-contained SVG document, written as text (no
 * library): for each exit reason (the 12 most frequent) a histogram of its
 * in-kernel handling time over the log2 buckets, with the userspace round
 * trip in a second colour, counts on a log scale; below, exits per second
 * per reason over the sampling time. Pure (the host tests render it with
 * rsvg-convert).
 */
#include <inttypes.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "stat.h"

#define SVG_W		1000
#define HIST_COLS	2
#define HIST_W		470
#define HIST_H		170
#define HIST_MAX	12	/* reasons drawn */
#define LINE_H		320
#define LINE_MAX	8	/* reasons in the time chart */

static const char *const colours[] = {
	"#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b", "#e377c2", "#17becf",
};

int mvm_series_add(struct mvm_stat_series *s, double t, const struct mv_stats *st)
{
	unsigned int i;

	if (s->n == s->cap) {
		size_t cap = s->cap ? s->cap * 2 : 64;
		double *nt = realloc(s->t, cap * sizeof(*nt));
		uint64_t (*nc)[MVM_SERIES_REASONS];

		if (!nt)
			return -1;
		s->t = nt;
		nc = realloc(s->count, cap * sizeof(*nc));
		if (!nc)
			return -1;
		s->count = nc;
		s->cap = cap;
	}
	s->t[s->n] = t;
	memset(s->count[s->n], 0, sizeof(s->count[s->n]));
	for (i = 0; i < st->nreasons; i++) {
		const struct mv_reason_stats *r = &st->reason[i];

		if (r->id >= MVM_SERIES_REASONS)
			continue;
		s->count[s->n][r->id] = r->count;
		if (r->name[0])
			snprintf(s->name[r->id], sizeof(s->name[r->id]), "%s", r->name);
	}
	s->n++;
	return 0;
}

void mvm_series_free(struct mvm_stat_series *s)
{
	free(s->t);
	free(s->count);
	s->t = NULL;
	s->count = NULL;
	s->n = s->cap = 0;
}

/* Text for SVG: &, <, >, quotes escaped. */
static void svg_text(FILE *f, const char *s)
{
	for (; *s; s++) {
		switch (*s) {
		case '&': fputs("&amp;", f); break;
		case '<': fputs("&lt;", f); break;
		case '>': fputs("&gt;", f); break;
		case '"': fputs("&quot;", f); break;
		case '\'': fputs("&apos;", f); break;
		default:
			if ((unsigned char)*s >= 0x20 && (unsigned char)*s < 0x7f)
				fputc(*s, f);
			else
				fputc('?', f);
		}
	}
}

/* 1234567 -> "1.2M"; ticks in powers of two for the x axis. */
static void short_num(char *buf, size_t size, double v)
{
	if (v >= 1e9)
		snprintf(buf, size, "%.3gG", v / 1e9);
	else if (v >= 1e6)
		snprintf(buf, size, "%.3gM", v / 1e6);
	else if (v >= 1e3)
		snprintf(buf, size, "%.3gk", v / 1e3);
	else
		snprintf(buf, size, "%.3g", v);
}

static double logy(uint64_t v, uint64_t max)
{
	if (!v || !max)
		return 0;
	return log10((double)v + 1) / log10((double)max + 1);
}

static void hist_panel(FILE *f, const struct mv_reason_stats *r, int x0, int y0, uint32_t khz)
{
	const int pl = 50, pr = 10, pt = 24, pb = 34;
	const int w = HIST_W - pl - pr, h = HIST_H - pt - pb;
	unsigned int i, lo = MV_STATS_HIST_BUCKETS, hi = 0, nb;
	uint64_t max = 0;
	double bw;
	char buf[64], name[48];

	for (i = 0; i < MV_STATS_HIST_BUCKETS; i++) {
		uint64_t c = (r->has_hist ? r->hist[i] : 0), u = (r->has_uhist ? r->uhist[i] : 0);

		if (c || u) {
			if (i < lo)
				lo = i;
			hi = i;
		}
		if (c > max)
			max = c;
		if (u > max)
			max = u;
	}
	if (r->name[0])
		snprintf(name, sizeof(name), "%s", r->name);
	else
		snprintf(name, sizeof(name), "reason %u", r->id);
	fprintf(f, "<g transform=\"translate(%d,%d)\">\n", x0, y0);
	fprintf(f, "<rect x=\"0\" y=\"0\" width=\"%d\" height=\"%d\" fill=\"#fafafa\" "
		"stroke=\"#ccc\"/>\n", HIST_W - 4, HIST_H - 4);
	fprintf(f, "<text x=\"8\" y=\"16\" font-size=\"13\" font-weight=\"bold\">");
	svg_text(f, name);
	fprintf(f, "</text><text x=\"%d\" y=\"16\" font-size=\"11\" text-anchor=\"end\">"
		"%" PRIu64 " exits", HIST_W - 14, r->count);
	if (r->count && khz)
		fprintf(f, ", mean %.3g us", (double)r->ticks / (double)r->count * 1000.0 / khz);
	fprintf(f, "</text>\n");
	if (lo > hi) {
		fprintf(f, "<text x=\"%d\" y=\"%d\" font-size=\"12\" text-anchor=\"middle\">"
			"no histogram (histograms off or no exits)</text>\n</g>\n",
			HIST_W / 2, HIST_H / 2);
		return;
	}
	nb = hi - lo + 1;
	bw = (double)w / nb;
	/* Axes, y on a log scale (log10(count + 1)). */
	fprintf(f, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"#333\"/>\n",
		pl, pt + h, pl + w, pt + h);
	fprintf(f, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"#333\"/>\n",
		pl, pt, pl, pt + h);
	short_num(buf, sizeof(buf), (double)max);
	fprintf(f, "<text x=\"%d\" y=\"%d\" font-size=\"10\" text-anchor=\"end\">%s</text>\n",
		pl - 4, pt + 8, buf);
	fprintf(f, "<text x=\"%d\" y=\"%d\" font-size=\"10\" text-anchor=\"end\">0</text>\n",
		pl - 4, pt + h);
	fprintf(f, "<text x=\"12\" y=\"%d\" font-size=\"10\" transform=\"rotate(-90 12 %d)\" "
		"text-anchor=\"middle\">exits (log)</text>\n", pt + h / 2, pt + h / 2);
	for (i = lo; i <= hi; i++) {
		double x = pl + (i - lo) * bw;
		double hc = r->has_hist ? logy(r->hist[i], max) * h : 0;
		double hu = r->has_uhist ? logy(r->uhist[i], max) * h : 0;

		if (hc > 0)
			fprintf(f, "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" "
				"fill=\"%s\"><title>%" PRIu64 "-%" PRIu64 " t: %" PRIu64
				"</title></rect>\n", x + 1, pt + h - hc, bw / (hu > 0 ? 2 : 1) - 1,
				hc, colours[0], mvm_hist_bucket_lo(i), mvm_hist_bucket_hi(i),
				r->hist[i]);
		if (hu > 0)
			fprintf(f, "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" "
				"fill=\"%s\"><title>user %" PRIu64 "-%" PRIu64 " t: %" PRIu64
				"</title></rect>\n", x + (hc > 0 ? bw / 2 : 0) + 1, pt + h - hu,
				bw / (hc > 0 ? 2 : 1) - 1, hu, colours[1], mvm_hist_bucket_lo(i),
				mvm_hist_bucket_hi(i), r->uhist[i]);
		if (nb <= 16 || (i - lo) % ((nb + 11) / 12) == 0) {
			short_num(buf, sizeof(buf), (double)mvm_hist_bucket_lo(i));
			fprintf(f, "<text x=\"%.1f\" y=\"%d\" font-size=\"9\" "
				"text-anchor=\"middle\">%s</text>\n", x + bw / 2, pt + h + 12, buf);
		}
	}
	fprintf(f, "<text x=\"%d\" y=\"%d\" font-size=\"10\" text-anchor=\"middle\">handling time, "
		"TSC ticks (log2 buckets, lower bound)</text>\n", pl + w / 2, pt + h + 26);
	fprintf(f, "</g>\n");
}

static int cmp_count_desc(const void *a, const void *b)
{
	const struct mv_reason_stats *const *x = a, *const *y = b;

	if ((*x)->count != (*y)->count)
		return (*x)->count > (*y)->count ? -1 : 1;
	return (*x)->id < (*y)->id ? -1 : (*x)->id > (*y)->id;
}

static void time_panel(FILE *f, const struct mvm_stat_series *s,
		       const struct mv_reason_stats *const *top, unsigned int ntop, int y0)
{
	const int pl = 70, pr = 170, pt = 30, pb = 40;
	const int w = SVG_W - pl - pr, h = LINE_H - pt - pb;
	double tmax, rmax = 0, rmin = 0;
	bool use_log;
	unsigned int k;
	size_t i;
	char buf[32];

	fprintf(f, "<g transform=\"translate(0,%d)\">\n", y0);
	fprintf(f, "<text x=\"10\" y=\"18\" font-size=\"14\" font-weight=\"bold\">"
		"Exits per second, by reason</text>\n");
	if (!s || s->n < 2 || !ntop) {
		fprintf(f, "<text x=\"%d\" y=\"%d\" font-size=\"12\" text-anchor=\"middle\">"
			"fewer than two samples: no rate over time</text>\n</g>\n",
			SVG_W / 2, LINE_H / 2);
		return;
	}
	tmax = s->t[s->n - 1] > s->t[0] ? s->t[s->n - 1] - s->t[0] : 1;
	for (k = 0; k < ntop; k++) {
		uint32_t id = top[k]->id;

		if (id >= MVM_SERIES_REASONS)
			continue;
		for (i = 1; i < s->n; i++) {
			double dt = s->t[i] - s->t[i - 1];
			uint64_t a = s->count[i - 1][id], b = s->count[i][id];
			double rate = dt > 0 ? (double)(b >= a ? b - a : b) / dt : 0;

			if (rate > rmax)
				rmax = rate;
			if (rate > 0 && (rmin == 0 || rate < rmin))
				rmin = rate;
		}
	}
	if (rmax <= 0)
		rmax = 1;
	/* Log scale when the reasons' rates are three orders of magnitude apart. */
	use_log = rmin > 0 && rmax / rmin > 1000;
	fprintf(f, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"#333\"/>\n",
		pl, pt + h, pl + w, pt + h);
	fprintf(f, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"#333\"/>\n",
		pl, pt, pl, pt + h);
	short_num(buf, sizeof(buf), rmax);
	fprintf(f, "<text x=\"%d\" y=\"%d\" font-size=\"10\" text-anchor=\"end\">%s/s</text>\n",
		pl - 4, pt + 8, buf);
	fprintf(f, "<text x=\"%d\" y=\"%d\" font-size=\"10\" text-anchor=\"end\">0</text>\n",
		pl - 4, pt + h);
	fprintf(f, "<text x=\"%d\" y=\"%d\" font-size=\"10\" text-anchor=\"middle\">seconds "
		"(0 to %.3g)%s</text>\n", pl + w / 2, pt + h + 28, tmax,
		use_log ? "; y: log scale" : "");
	for (k = 0; k < ntop; k++) {
		uint32_t id = top[k]->id;
		const char *c = colours[k % (sizeof(colours) / sizeof(colours[0]))];

		if (id >= MVM_SERIES_REASONS)
			continue;
		fprintf(f, "<polyline fill=\"none\" stroke=\"%s\" stroke-width=\"1.5\" points=\"", c);
		for (i = 1; i < s->n; i++) {
			double dt = s->t[i] - s->t[i - 1];
			uint64_t a = s->count[i - 1][id], b = s->count[i][id];
			double rate = dt > 0 ? (double)(b >= a ? b - a : b) / dt : 0;
			double y = use_log ? (rate > 0 ? log10(rate + 1) / log10(rmax + 1) : 0)
					   : rate / rmax;

			fprintf(f, "%s%.1f,%.1f", i > 1 ? " " : "",
				pl + (s->t[i] - s->t[0]) / tmax * w, pt + h - y * h);
		}
		fprintf(f, "\"/>\n<rect x=\"%d\" y=\"%d\" width=\"12\" height=\"12\" fill=\"%s\"/>"
			"<text x=\"%d\" y=\"%d\" font-size=\"11\">", pl + w + 16, pt + 16 * k, c,
			pl + w + 32, pt + 16 * k + 10);
		if (top[k]->name[0])
			svg_text(f, top[k]->name);
		else
			fprintf(f, "reason %u", id);
		fprintf(f, "</text>\n");
	}
	fprintf(f, "</g>\n");
}

void mvm_stat_svg(FILE *f, const struct mvm_stat_view *v, const struct mvm_stat_series *s)
{
	const struct mv_stats *st = v->cur;
	const struct mv_reason_stats *top[MV_NL_MAX_REASONS];
	uint32_t khz = v->vm && v->vm->tsc_khz ? v->vm->tsc_khz : st->tsc_khz;
	unsigned int i, n = 0, nh, rows;
	int height;

	for (i = 0; i < st->nreasons; i++)
		top[n++] = &st->reason[i];
	qsort(top, n, sizeof(top[0]), cmp_count_desc);
	nh = n < HIST_MAX ? n : HIST_MAX;
	rows = (nh + HIST_COLS - 1) / HIST_COLS;
	height = 60 + (int)rows * HIST_H + LINE_H + 20;

	fprintf(f, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
	fprintf(f, "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" "
		"viewBox=\"0 0 %d %d\" font-family=\"sans-serif\">\n", SVG_W, height, SVG_W, height);
	fprintf(f, "<rect width=\"100%%\" height=\"100%%\" fill=\"white\"/>\n");
	fprintf(f, "<text x=\"10\" y=\"22\" font-size=\"16\" font-weight=\"bold\">minivisor VM %u",
		st->vm_id);
	if (v->vm && v->vm->comm[0]) {
		fputs(" (", f);
		svg_text(f, v->vm->comm);
		fprintf(f, ", pid %u)", v->vm->pid);
	}
	if (st->vcpu >= 0)
		fprintf(f, " vCPU %d", st->vcpu);
	fprintf(f, ": %" PRIu64 " exits</text>\n", st->exits);
	fprintf(f, "<text x=\"10\" y=\"42\" font-size=\"11\">Handling time per exit reason "
		"(<tspan fill=\"%s\">in kernel</tspan>, <tspan fill=\"%s\">userspace round "
		"trip</tspan>)%s</text>\n", colours[0], colours[1],
		st->histograms ? "" : " - histograms were off in the module");
	for (i = 0; i < nh; i++)
		hist_panel(f, top[i], 10 + (int)(i % HIST_COLS) * (HIST_W + 10),
			   56 + (int)(i / HIST_COLS) * HIST_H, khz);
	time_panel(f, s, top, n < LINE_MAX ? n : LINE_MAX, 60 + (int)rows * HIST_H);
	fprintf(f, "</svg>\n");
}
