// SPDX-License-Identifier: GPL-2.0
/*
 * mvm stat's formatters from synthetic statistics: p99 from the log2
 * histograms, the rows and their order, the table, the JSON (parsed back by
 * python3 and its numbers checked), the SVG (well-formed XML, rendered to a
 * PNG by rsvg-convert), the flight-recorder table, event lines, mvm ps, and
 * the subcommands' command lines.
 */
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "stat.h"
#include "tap.h"

static char dir[] = "/tmp/test_stat.XXXXXX";

static void set_hist(struct mv_reason_stats *r, unsigned int b, uint64_t n)
{
	r->has_hist = true;
	r->hist[b] += n;
}

static struct mv_reason_stats *add_reason(struct mv_stats *s, uint32_t id, const char *name,
					  uint64_t count, uint64_t ticks, uint64_t min,
					  uint64_t max)
{
	struct mv_reason_stats *r = &s->reason[s->nreasons++];

	memset(r, 0, sizeof(*r));
	r->id = id;
	snprintf(r->name, sizeof(r->name), "%s", name);
	r->count = count;
	r->ticks = ticks;
	r->min = min;
	r->max = max;
	s->exits += count;
	return r;
}

/*
 * CPUID 1000 exits (990 in bucket 10, 10 in bucket 11: p99 1023), I/O 500
 * (bucket 9, max 700: p99 511; 500 userspace round trips in bucket 12),
 * EPT_VIOLATION 20 (bucket 13, max 5000: p99 capped at 5000), and a reason
 * whose name needs escaping (1 exit of 0 ticks).
 */
static void synth(struct mv_stats *s)
{
	struct mv_reason_stats *r;

	memset(s, 0, sizeof(*s));
	s->vm_id = 7;
	s->vcpu = -1;
	s->histograms = true;
	s->guest_ticks = 123456789;
	s->kernel_ticks = 1000000;
	s->user_ticks = 2000000;
	s->halts = 3;
	s->halt_wakeups = 2;
	r = add_reason(s, 10, "CPUID", 1000, 600000, 500, 1500);
	set_hist(r, 10, 990);
	set_hist(r, 11, 10);
	r = add_reason(s, 30, "IO_INSTRUCTION", 500, 300000, 400, 700);
	set_hist(r, 9, 500);
	r->ucount = 500;
	r->uticks = 1500000;
	r->umin = 2500;
	r->umax = 4000;
	r->has_uhist = true;
	r->uhist[12] = 500;
	r = add_reason(s, 48, "EPT_VIOLATION", 20, 60000, 2500, 5000);
	set_hist(r, 13, 20);
	r = add_reason(s, 77, "we\"ird\\<&>", 1, 0, 0, 0);
	set_hist(r, 0, 1);
	s->nuser = 1;
	s->user[0].type = MV_EXIT_IO;
	s->user[0].count = 500;
}

static struct mv_vm_info vm_info(void)
{
	struct mv_vm_info vi;

	memset(&vi, 0, sizeof(vi));
	vi.id = 7;
	vi.pid = 4242;
	vi.uid = 1000;
	vi.vcpus = 2;
	vi.mem_bytes = 64ull << 20;
	vi.created_ns = 1764600000000000000ull;
	vi.tsc_khz = 2000000;
	vi.flight_size = 64;
	snprintf(vi.comm, sizeof(vi.comm), "mvm");
	snprintf(vi.backend, sizeof(vi.backend), "vmx");
	return vi;
}

/* A file's contents (NUL-terminated, malloc'ed) or NULL. */
static char *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *buf;
	long n;

	if (!f)
		return NULL;
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	rewind(f);
	buf = malloc((size_t)n + 1);
	if (buf && fread(buf, 1, (size_t)n, f) != (size_t)n) {
		free(buf);
		buf = NULL;
	}
	if (buf)
		buf[n] = '\0';
	fclose(f);
	if (len)
		*len = (size_t)n;
	return buf;
}

static char *path(const char *name)
{
	static char p[4][256];
	static unsigned int k;
	char *r = p[k++ % 4];

	snprintf(r, 256, "%s/%s", dir, name);
	return r;
}

static int sh(const char *cmd)
{
	int st = system(cmd);

	return WIFEXITED(st) ? WEXITSTATUS(st) : 128;
}

static char *to_string(void (*fn)(FILE *, void *), void *arg)
{
	char *buf = NULL;
	size_t size = 0;
	FILE *f = open_memstream(&buf, &size);

	fn(f, arg);
	fclose(f);
	return buf;
}

struct table_arg {
	const struct mvm_stat_view *v;
	enum mvm_stat_sort sort;
};

static void table_fn(FILE *f, void *a)
{
	struct table_arg *t = a;

	mvm_stat_table(f, t->v, t->sort);
}

/* The table line that starts with name. */
static const char *line_of(const char *text, const char *name)
{
	const char *p = text;
	size_t n = strlen(name);

	while (p && *p) {
		while (*p == ' ')
			p++;
		if (!strncmp(p, name, n) && p[n] == ' ')
			return p;
		p = strchr(p, '\n');
		if (p)
			p++;
	}
	return NULL;
}

/* The whitespace-separated field k (0-based) of the line at p. */
static int field(const char *p, int k, char *out, size_t size)
{
	int i;

	for (i = 0; p && *p && *p != '\n'; i++) {
		size_t n;

		while (*p == ' ')
			p++;
		n = strcspn(p, " \n");
		if (i == k) {
			snprintf(out, size, "%.*s", (int)n, p);
			return 0;
		}
		p += n;
	}
	return -1;
}

static void test_p99(void)
{
	uint64_t h[MV_STATS_HIST_BUCKETS] = { 0 }, p = 12345;

	ok(!mvm_hist_p99(h, 0, &p) && p == 12345, "p99: empty histogram has none");
	h[3] = 100;
	ok(mvm_hist_p99(h, 1000, &p) && p == 7, "p99: 100 samples in bucket 3 (4-7) -> 7");
	memset(h, 0, sizeof(h));
	h[1] = 99;
	h[20] = 1;
	ok(mvm_hist_p99(h, 1u << 20, &p) && p == 1, "p99: 99 of 100 in bucket 1 -> 1");
	h[1] = 98;
	h[20] = 2;
	ok(mvm_hist_p99(h, 1500000, &p) && p == 1048575,
	   "p99: 98 of 100 in bucket 1, 2 in bucket 20 -> 2^20-1");
	ok(mvm_hist_p99(h, 600000, &p) && p == 600000, "p99: capped at max");
	memset(h, 0, sizeof(h));
	h[MV_STATS_HIST_BUCKETS - 1] = 5;
	ok(mvm_hist_p99(h, 1ull << 45, &p) && p == 1ull << 45,
	   "p99: the last bucket takes the rest: its bound is max");
	memset(h, 0, sizeof(h));
	h[0] = 1;
	ok(mvm_hist_p99(h, 0, &p) && p == 0, "p99: bucket 0 is 0 ticks");
	ok(mvm_hist_bucket_lo(0) == 0 && mvm_hist_bucket_hi(0) == 0 && mvm_hist_bucket_lo(1) == 1 &&
	   mvm_hist_bucket_hi(1) == 1 && mvm_hist_bucket_lo(2) == 2 && mvm_hist_bucket_hi(2) == 3 &&
	   mvm_hist_bucket_lo(10) == 512 && mvm_hist_bucket_hi(10) == 1023,
	   "bucket bounds follow fls64: 0 | 1 | 2-3 | ... | 512-1023");
}

static void test_rows_and_table(const struct mv_stats *s, const struct mv_vm_info *vi)
{
	static struct mvm_stat_row rows[MV_NL_MAX_REASONS];
	static struct mv_stats prev;
	struct mvm_stat_view v = { .vm = vi, .cur = s, .dt = 10 };
	struct table_arg ta = { &v, MVM_SORT_COUNT };
	char f[64];
	const char *l;
	char *t;
	unsigned int n;

	n = mvm_stat_rows(&v, MVM_SORT_COUNT, rows);
	ok(n == 4 && rows[0].r->id == 10 && rows[1].r->id == 30 && rows[2].r->id == 48 &&
	   rows[3].r->id == 77, "rows sorted by count: CPUID, IO, EPT, the odd one");
	ok(rows[0].has_p99 && rows[0].p99 == 1023 && rows[1].p99 == 511 && rows[2].p99 == 5000 &&
	   rows[3].p99 == 0, "p99 per reason: 1023, 511, 5000 (max), 0");
	ok(rows[1].has_up99 && rows[1].up99 == 4000 && !rows[0].has_up99,
	   "userspace p99 of IO capped at its max 4000; CPUID has none");
	ok(rows[0].rate > 99.99 && rows[0].rate < 100.01 && rows[0].mean == 600 &&
	   rows[1].umean == 3000, "rate 100/s over 10 s, mean 600 ticks, umean 3000");
	ok(rows[0].pct > 65.74 && rows[0].pct < 65.76, "CPUID is 65.75%% of 1521 exits: %.4f",
	   rows[0].pct);
	n = mvm_stat_rows(&v, MVM_SORT_TIME, rows);
	ok(n == 4 && rows[0].r->id == 30 && rows[1].r->id == 10 && rows[2].r->id == 48,
	   "rows sorted by time: IO (1.8M ticks with userspace), CPUID, EPT");

	/* A previous sample: the rate is the difference over dt; a reset counts from 0. */
	prev = *s;
	prev.reason[0].count = 400;
	prev.reason[1].count = 900;	/* more than now: reset in between */
	v.prev = &prev;
	v.dt = 2;
	mvm_stat_rows(&v, MVM_SORT_COUNT, rows);
	ok(rows[0].rate == 300 && rows[1].rate == 250,
	   "interval rate: (1000-400)/2 = 300; after a reset 500/2 = 250: %.1f %.1f",
	   rows[0].rate, rows[1].rate);
	v.prev = NULL;
	v.dt = 10;

	t = to_string(table_fn, &ta);
	ok(t && strstr(t, "VM 7 (pid 4242, mvm) all vCPUs: 1521 exits") &&
	   strstr(t, "TSC 2000000 kHz"), "table header names VM, pid, comm, exits, TSC rate");
	l = line_of(t, "CPUID");
	ok(l && !field(l, 1, f, sizeof(f)) && !strcmp(f, "1000"), "CPUID row count 1000");
	ok(l && !field(l, 2, f, sizeof(f)) && !strcmp(f, "65.75"), "CPUID row 65.75%%");
	ok(l && !field(l, 3, f, sizeof(f)) && !strcmp(f, "100.0"), "CPUID row rate 100.0/s");
	ok(l && !field(l, 4, f, sizeof(f)) && !strcmp(f, "600") && !field(l, 5, f, sizeof(f)) &&
	   !strcmp(f, "500") && !field(l, 6, f, sizeof(f)) && !strcmp(f, "1500") &&
	   !field(l, 7, f, sizeof(f)) && !strcmp(f, "1023"),
	   "CPUID row mean/min/max/p99 ticks 600 500 1500 1023");
	ok(l && !field(l, 8, f, sizeof(f)) && !strcmp(f, "0.300"), "CPUID mean 0.300 us at 2 GHz");
	ok(l && !field(l, 11, f, sizeof(f)) && !strcmp(f, "0") && !field(l, 12, f, sizeof(f)) &&
	   !strcmp(f, "-"), "CPUID: 0 to userspace, no userspace mean ('-')");
	l = line_of(t, "IO_INSTRUCTION");
	ok(l && !field(l, 11, f, sizeof(f)) && !strcmp(f, "500") && !field(l, 12, f, sizeof(f)) &&
	   !strcmp(f, "3000") && !field(l, 13, f, sizeof(f)) && !strcmp(f, "4000") &&
	   !field(l, 14, f, sizeof(f)) && !strcmp(f, "1.500"),
	   "IO row: 500 round trips, mean 3000 t, p99 4000, 1.500 us");
	ok(line_of(t, "total") && strstr(line_of(t, "total"), "1521"), "total row 1521");
	ok(strstr(t, "user exits: IO 500") != NULL, "user-exit counts by type");
	ok(strstr(t, "p99 = upper bound of the log2 bucket") != NULL, "the table says what p99 is");
	free(t);

	/* Unknown TSC rate, histograms off: '-' instead of invented numbers. */
	{
		static struct mv_stats s2;
		struct mvm_stat_view v2 = { .cur = &s2 };
		struct table_arg t2 = { &v2, MVM_SORT_COUNT };
		unsigned int i;

		s2 = *s;
		s2.histograms = false;
		for (i = 0; i < s2.nreasons; i++)
			s2.reason[i].has_hist = s2.reason[i].has_uhist = false;
		t = to_string(table_fn, &t2);
		l = line_of(t, "CPUID");
		ok(l && !field(l, 3, f, sizeof(f)) && !strcmp(f, "-") &&
		   !field(l, 7, f, sizeof(f)) && !strcmp(f, "-") && !field(l, 8, f, sizeof(f)) &&
		   !strcmp(f, "-") && strstr(t, "TSC rate unknown") && strstr(t, "histograms off"),
		   "no rate, no p99, no us without dt, histograms or TSC rate");
		free(t);
	}
}

static void test_json(const struct mv_stats *s, const struct mv_vm_info *vi)
{
	struct mvm_stat_view v[2] = { { .vm = vi, .cur = s, .dt = 10 }, { .cur = s } };
	static const char py[] =
"import json, sys\n"
"d = json.load(open(sys.argv[1]))\n"
"assert d['version'] == 1 and d['time_ns'] == 1764600000123456789, d.get('time_ns')\n"
"assert len(d['vms']) == 2\n"
"v = d['vms'][0]\n"
"assert v['vm'] == 7 and v['vcpu'] is None and v['pid'] == 4242 and v['comm'] == 'mvm'\n"
"assert v['tsc_khz'] == 2000000 and v['histograms'] is True and v['interval_s'] == 10\n"
"t = v['totals']\n"
"assert t['exits'] == 1521 and t['guest_ticks'] == 123456789 and t['halts'] == 3, t\n"
"r = {x['name']: x for x in v['reasons']}\n"
"assert [x['id'] for x in v['reasons']] == [10, 30, 48, 77]\n"
"c = r['CPUID']\n"
"assert c['count'] == 1000 and abs(c['percent'] - 65.7462) < 0.001 and c['rate'] == 100\n"
"assert c['ticks'] == {'total': 600000, 'min': 500, 'max': 1500, 'mean': 600, 'p99': 1023}\n"
"assert abs(c['us']['mean'] - 0.3) < 1e-9 and abs(c['us']['p99'] - 0.5115) < 1e-9\n"
"assert len(c['hist']) == 40 and c['hist'][10] == 990 and c['hist'][11] == 10\n"
"assert sum(c['hist']) == c['count']\n"
"assert c['user']['count'] == 0 and c['user']['mean'] is None and c['user']['hist'] is None\n"
"io = r['IO_INSTRUCTION']\n"
"assert io['user']['count'] == 500 and io['user']['mean'] == 3000 and io['user']['p99'] == 4000\n"
"assert io['user']['hist'][12] == 500\n"
"assert r['EPT_VIOLATION']['ticks']['p99'] == 5000\n"
"assert 'we\"ird\\\\<&>' in r, list(r)\n"
"assert v['user_exits'] == [{'type': 1, 'name': 'IO', 'count': 500}]\n"
"w = d['vms'][1]\n"
"assert 'pid' not in w and w['tsc_khz'] == 0 and w['interval_s'] is None\n"
"assert w['reasons'][0]['rate'] is None and w['reasons'][0]['us']['mean'] is None\n"
"";
	FILE *f;
	int rc;
	char cmd[600];

	f = fopen(path("stat.json"), "w");
	mvm_stat_json(f, v, 2, MVM_SORT_COUNT, 1764600000123456789ull);
	fclose(f);
	f = fopen(path("check_json.py"), "w");
	fputs(py, f);
	fclose(f);
	snprintf(cmd, sizeof(cmd), "python3 %s %s", path("check_json.py"), path("stat.json"));
	rc = sh(cmd);
	ok(rc == 0, "JSON parses with python3 and every checked number matches (status %d)", rc);

	f = fopen(path("empty.json"), "w");
	mvm_stat_json(f, v, 0, MVM_SORT_TIME, 1);
	fclose(f);
	snprintf(cmd, sizeof(cmd), "python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); "
		 "assert d[\"vms\"] == [] and d[\"sort\"] == \"time\"' %s", path("empty.json"));
	ok(sh(cmd) == 0, "JSON with no VM is valid: {\"vms\": []}");

	/* A test that can fail: broken JSON must be refused by the same check. */
	f = fopen(path("broken.json"), "w");
	fputs("{\"version\":1,\"vms\":[}\n", f);
	fclose(f);
	snprintf(cmd, sizeof(cmd), "python3 %s %s 2>/dev/null", path("check_json.py"),
		 path("broken.json"));
	ok(sh(cmd) != 0, "the JSON check rejects malformed JSON");
}

static int render(const char *svg, const char *png)
{
	char cmd[600];
	size_t n = 0;
	char *data;
	int rc;

	snprintf(cmd, sizeof(cmd), "rsvg-convert -o %s %s 2>%s", png, svg, path("rsvg.err"));
	rc = sh(cmd);
	if (rc)
		return rc;
	data = slurp(png, &n);
	rc = data && n > 100 && !memcmp(data, "\x89PNG\r\n\x1a\n", 8) ? 0 : -1;
	free(data);
	data = slurp(path("rsvg.err"), &n);
	if (data && n) {
		tap_diag("rsvg-convert said: %s", data);
		rc = -2;
	}
	free(data);
	return rc;
}

static void test_svg(const struct mv_stats *s, const struct mv_vm_info *vi)
{
	struct mvm_stat_series ser = { 0 };
	struct mvm_stat_view v = { .vm = vi, .cur = s };
	static struct mv_stats step, empty;
	char cmd[600];
	char *text;
	FILE *f;
	int i, rc;

	if (sh("command -v rsvg-convert >/dev/null") != 0) {
		ok(0, "rsvg-convert is installed (Debian librsvg2-bin; tools/testhost/deps "
		   "installs it)");
		return;
	}
	for (i = 0; i < 6; i++) {
		step = *s;
		step.reason[0].count = (uint64_t)i * 200;
		step.reason[1].count = (uint64_t)i * i * 20;
		step.reason[2].count = i == 3 ? 0 : (uint64_t)i * 4;	/* a reset at sample 3 */
		ok(mvm_series_add(&ser, i * 0.5, &step) == 0, "series sample %d", i);
	}
	ok(ser.n == 6 && ser.count[5][10] == 1000 && ser.count[2][30] == 80 &&
	   !strcmp(ser.name[48], "EPT_VIOLATION"), "series keeps counts by reason id and names");
	f = fopen(path("stat.svg"), "w");
	mvm_stat_svg(f, &v, &ser);
	fclose(f);
	text = slurp(path("stat.svg"), NULL);
	ok(text && strstr(text, "<svg xmlns=\"http://www.w3.org/2000/svg\"") &&
	   strstr(text, "</svg>") && strstr(text, ">CPUID</text>") &&
	   strstr(text, "we&quot;ird\\&lt;&amp;&gt;") && strstr(text, "<polyline"),
	   "SVG: one document, a panel per reason, escaped names, rate polylines");
	ok(text && !strstr(text, "nan") && !strstr(text, "inf"), "SVG has no nan/inf coordinates");
	free(text);
	snprintf(cmd, sizeof(cmd), "python3 -c 'import sys, xml.etree.ElementTree as E; "
		 "E.parse(sys.argv[1])' %s", path("stat.svg"));
	ok(sh(cmd) == 0, "SVG is well-formed XML");
	rc = render(path("stat.svg"), path("stat.png"));
	ok(rc == 0, "rsvg-convert renders the SVG to a non-empty PNG without errors (%d)", rc);

	/* One sample only, and a VM without exits: still a valid picture. */
	ser.n = 1;
	f = fopen(path("one.svg"), "w");
	mvm_stat_svg(f, &v, &ser);
	fclose(f);
	ok(render(path("one.svg"), path("one.png")) == 0, "SVG of one sample renders");
	memset(&empty, 0, sizeof(empty));
	empty.vcpu = 0;
	v.cur = &empty;
	v.vm = NULL;
	f = fopen(path("empty.svg"), "w");
	mvm_stat_svg(f, &v, NULL);
	fclose(f);
	ok(render(path("empty.svg"), path("empty.png")) == 0, "SVG of a VM with no exits renders");
	mvm_series_free(&ser);

	/* The renderer check can fail: a broken document is refused. */
	f = fopen(path("broken.svg"), "w");
	fputs("<svg xmlns=\"http://www.w3.org/2000/svg\"><rect></svg>\n", f);
	fclose(f);
	ok(render(path("broken.svg"), path("broken.png")) != 0, "rsvg-convert refuses broken SVG");
}

static void flight_fn(FILE *f, void *a)
{
	const struct mv_flight_rec *r = a;

	mvm_flight_table(f, r, 3, 2000000);
}

static void test_flight(void)
{
	struct mv_flight_rec r[3];
	const char *a, *b, *c;
	char *t;

	memset(r, 0, sizeof(r));
	r[0] = (struct mv_flight_rec){ .reason = 10, .name = "CPUID", .rip = 0x1000,
				       .tsc = 1000, .ticks = 600 };
	r[1] = (struct mv_flight_rec){ .reason = 48, .name = "EPT_VIOLATION", .rip = 0x1002,
				       .qual = 0x182, .gpa = 0xfee00000, .has_gpa = true,
				       .tsc = 3000, .ticks = 4000, .user = MV_EXIT_MMIO };
	r[2] = (struct mv_flight_rec){ .reason = 2, .rip = 0x1004, .tsc = 9000 };
	t = to_string(flight_fn, r);
	a = strstr(t, "CPUID");
	b = strstr(t, "EPT_VIOLATION");
	c = strstr(t, "reason_2");
	ok(a && b && c && a < b && b < c, "flight table: oldest first, unnamed reason as reason_2");
	ok(line_of(t, "-2") && strstr(line_of(t, "-2"), "0x1000") &&
	   strstr(line_of(t, "-2"), "-8000"), "entry -2: rip 0x1000, 8000 ticks before the last");
	ok(line_of(t, "-1") && strstr(line_of(t, "-1"), "0xfee00000") &&
	   strstr(line_of(t, "-1"), "MMIO") && strstr(line_of(t, "-1"), "0x182"),
	   "entry -1: gpa, qualification and the user exit type");
	ok(line_of(t, "0") && strstr(line_of(t, "0"), "0x1004"), "entry 0 is the last exit");
	ok(strstr(t, "over 4.000 us") != NULL, "span of the recorder in us (8000 t at 2 GHz)");
	free(t);
}

static void event_fn(FILE *f, void *a)
{
	mvm_event_line(f, a, false);
}

static void test_events_ps(const struct mv_vm_info *vi)
{
	struct mv_event ev;
	char cmd[600];
	char *t;
	FILE *f;

	memset(&ev, 0, sizeof(ev));
	ev.type = MV_NL_EVENT_SHUTDOWN;
	ev.vm_id = 7;
	ev.pid = 4242;
	ev.vcpu = 0;
	ev.has_rip = true;
	ev.rip = 0x1000;
	ev.time_ns = 1764600000123456789ull;
	t = to_string(event_fn, &ev);
	ok(t && !strcmp(t, "2025-12-01T14:40:00.123456Z SHUTDOWN       vm=7 pid=4242 vcpu=0 "
			"rip=0x1000\n"), "SHUTDOWN event line: time, event, vm, pid, vcpu, rip");
	free(t);
	ev.type = MV_NL_EVENT_ENTRY_FAILED;
	ev.has_rip = false;
	ev.has_reason = ev.has_qual = true;
	ev.reason = 0x80000021;
	snprintf(ev.rule, sizeof(ev.rule), "cs_l_and_d");
	ev.dropped = 3;
	t = to_string(event_fn, &ev);
	ok(t && strstr(t, "ENTRY_FAILED") && strstr(t, "reason=0x80000021 qual=0 rule=cs_l_and_d "
						     "dropped=3\n"), "entry-failure event line");
	free(t);
	f = fopen(path("ev.json"), "w");
	mvm_event_line(f, &ev, true);
	ev.type = MV_NL_EVENT_VM_CREATED;
	ev.vcpu = -1;
	ev.has_uid = true;
	ev.uid = 1000;
	snprintf(ev.comm, sizeof(ev.comm), "a\"b");
	mvm_event_line(f, &ev, true);
	fclose(f);
	snprintf(cmd, sizeof(cmd), "python3 -c 'import json,sys\n"
		 "l=[json.loads(x) for x in open(sys.argv[1])]\n"
		 "assert l[0][\"event\"]==\"ENTRY_FAILED\" and l[0][\"reason\"]==0x80000021 and "
		 "l[0][\"rule\"]==\"cs_l_and_d\" and l[0][\"vcpu\"]==0\n"
		 "assert l[1][\"event\"]==\"VM_CREATED\" and l[1][\"comm\"]==\"a\\\"b\" and "
		 "\"vcpu\" not in l[1] and l[1][\"uid\"]==1000' %s", path("ev.json"));
	ok(sh(cmd) == 0, "event JSON lines parse and carry the fields");

	f = fopen(path("ps.txt"), "w");
	mvm_ps_table(f, vi, 1, vi->created_ns + 65500000000ull, false);
	fclose(f);
	t = slurp(path("ps.txt"), NULL);
	ok(t && strstr(t, "ID") && strstr(t, "COMM") && strstr(t, "MEMORY") &&
	   strstr(t, "     7     4242   1000 mvm                  2      64M     1m05s"),
	   "ps table: id pid uid comm vcpus 64M 1m05s");
	free(t);
	f = fopen(path("ps.json"), "w");
	mvm_ps_table(f, vi, 1, vi->created_ns + 1500000000ull, true);
	fclose(f);
	snprintf(cmd, sizeof(cmd), "python3 -c 'import json,sys; l=json.load(open(sys.argv[1])); "
		 "assert l[0][\"id\"]==7 and l[0][\"mem_bytes\"]==64<<20 and l[0][\"age_s\"]==1.5 "
		 "and l[0][\"backend\"]==\"vmx\"' %s", path("ps.json"));
	ok(sh(cmd) == 0, "ps JSON parses");
}

#define ARGV(...) ((char *const[]){ "mvm", __VA_ARGS__, NULL })
#define ARGC(...) ((int)(sizeof((char *const[]){ "mvm", __VA_ARGS__ }) / sizeof(char *)))

static void stat_bad(const char *what, const char *part, int argc, char *const argv[])
{
	struct mvm_stat_opts o;
	struct mvm_err err;

	err.msg[0] = '\0';
	ok(mvm_stat_parse(argc, argv, &o, &err) == MVM_SUB_ERROR && strstr(err.msg, part),
	   "stat %s rejected: \"%s\"", what, err.msg);
}

static void test_args(void)
{
	struct mvm_stat_opts o;
	struct mvm_sub_opts so;
	struct mvm_err err;

	ok(mvm_stat_parse(ARGC("stat"), ARGV("stat"), &o, &err) == MVM_SUB_RUN && !o.vm_id &&
	   o.vcpu == -1 && o.interval == 1 && !o.once && !o.json && !o.svg &&
	   o.sort == MVM_SORT_COUNT, "stat defaults: all VMs, VM sum, 1 s, by count");
	ok(mvm_stat_parse(ARGC("stat", "--vm=3", "--vcpu", "1", "--interval", "0.25", "--sort",
			       "time", "--once", "--json"),
			  ARGV("stat", "--vm=3", "--vcpu", "1", "--interval", "0.25", "--sort",
			       "time", "--once", "--json"), &o, &err) == MVM_SUB_RUN &&
	   o.vm_id == 3 && o.vcpu == 1 && o.interval == 0.25 && o.sort == MVM_SORT_TIME &&
	   o.once && o.json, "stat --vm=3 --vcpu 1 --interval 0.25 --sort time --once --json");
	ok(mvm_stat_parse(ARGC("stat", "--svg", "x.svg", "--duration", "5"),
			  ARGV("stat", "--svg", "x.svg", "--duration", "5"), &o, &err) ==
	   MVM_SUB_RUN && !strcmp(o.svg, "x.svg") && o.duration == 5, "stat --svg FILE --duration");
	ok(mvm_stat_parse(ARGC("stat", "-h"), ARGV("stat", "-h"), &o, &err) == MVM_SUB_HELP,
	   "stat -h is help");
	stat_bad("--interval 0", "--interval: '0' is not a number of seconds",
		 ARGC("stat", "--interval", "0"), ARGV("stat", "--interval", "0"));
	stat_bad("--interval abc", "'abc'", ARGC("stat", "--interval", "abc"),
		 ARGV("stat", "--interval", "abc"));
	stat_bad("--interval nan", "'nan'", ARGC("stat", "--interval", "nan"),
		 ARGV("stat", "--interval", "nan"));
	stat_bad("--vm 0", "--vm: '0' is not a number from 1", ARGC("stat", "--vm", "0"),
		 ARGV("stat", "--vm", "0"));
	stat_bad("--vm -1", "--vm: '-1'", ARGC("stat", "--vm", "-1"), ARGV("stat", "--vm", "-1"));
	stat_bad("--vcpu x", "--vcpu: 'x'", ARGC("stat", "--vcpu", "x"),
		 ARGV("stat", "--vcpu", "x"));
	stat_bad("--sort size", "--sort: 'size' is not 'count' or 'time'",
		 ARGC("stat", "--sort", "size"), ARGV("stat", "--sort", "size"));
	stat_bad("--vm without value", "--vm needs a value", ARGC("stat", "--vm"),
		 ARGV("stat", "--vm"));
	stat_bad("--once=1", "--once takes no value", ARGC("stat", "--once=1"),
		 ARGV("stat", "--once=1"));
	stat_bad("--svg with --json", "exclude each other", ARGC("stat", "--svg", "a", "--json"),
		 ARGV("stat", "--svg", "a", "--json"));
	stat_bad("--frobnicate", "unknown option '--frobnicate'", ARGC("stat", "--frobnicate"),
		 ARGV("stat", "--frobnicate"));
	stat_bad("a positional VM", "unexpected argument '3'", ARGC("stat", "3"),
		 ARGV("stat", "3"));
	ok(mvm_events_parse(ARGC("events", "--json", "--count", "2", "--vm", "4"),
			    ARGV("events", "--json", "--count", "2", "--vm", "4"), &so, &err) ==
	   MVM_SUB_RUN && so.json && so.count == 2 && so.vm_id == 4,
	   "events --json --count 2 --vm 4");
	ok(mvm_events_parse(ARGC("events", "--count", "0"), ARGV("events", "--count", "0"), &so,
			    &err) == MVM_SUB_ERROR && strstr(err.msg, "--count"),
	   "events --count 0 rejected: %s", err.msg);
	ok(mvm_ps_parse(ARGC("ps", "--json"), ARGV("ps", "--json"), &so, &err) == MVM_SUB_RUN &&
	   so.json, "ps --json");
	ok(mvm_ps_parse(ARGC("ps", "-a"), ARGV("ps", "-a"), &so, &err) == MVM_SUB_ERROR &&
	   strstr(err.msg, "unknown option '-a'"), "ps -a rejected: %s", err.msg);
}

int main(void)
{
	static struct mv_stats s;
	struct mv_vm_info vi = vm_info();
	char cmd[300];

	tap_start();
	if (!mkdtemp(dir)) {
		ok(0, "mkdtemp");
		return tap_end();
	}
	synth(&s);
	test_p99();
	test_rows_and_table(&s, &vi);
	test_json(&s, &vi);
	test_svg(&s, &vi);
	test_flight();
	test_events_ps(&vi);
	test_args();
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	if (!tap_failed)
		sh(cmd);
	else
		tap_diag("files kept in %s", dir);
	return tap_end();
}
