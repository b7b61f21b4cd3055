// SPDX-License-Identifier: GPL-2.0
/*
 * Exit statistics read back through libminivisor's netlink wrapper
 * (mv_nl.h): a real-mode guest makes exactly N CPUID, M port-I/O and K
 * MMIO exits (stats_guest.c), and the counts, histograms, userspace
 * round trips and user-exit types must match exactly; the flight recorder
 * must end with those exits at their RIPs; `mvm stat --once --json` run
 * against the live VM must agree; STATS_RESET zeroes; and mvm prints the
 * flight recorder when its own guest triple-faults.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "stats_common.h"
#include "test_harness.h"
#include "test_util.h"
#include "vm.h"

/* Basic exit reasons, SDM Vol. 3C Appendix C. */
#define EXIT_REASON_EXTERNAL_INTERRUPT	1
#define EXIT_REASON_TRIPLE_FAULT	2
#define EXIT_REASON_INTERRUPT_WINDOW	7
#define EXIT_REASON_CPUID		10
#define EXIT_REASON_HLT			12
#define EXIT_REASON_IO_INSTRUCTION	30
#define EXIT_REASON_EPT_VIOLATION	48
#define EXIT_REASON_EPT_MISCONFIG	49
#define EXIT_REASON_PREEMPTION_TIMER	52

#define N_CPUID		300
#define M_PIO		40
#define K_MMIO		12

#define FLIGHT_MAX	4096

static uint64_t rip_of(const uint8_t *label)
{
	return RM_LOAD_ADDR + (uint64_t)(label - stats_rm_start);
}

/* Start the guest from the top with its three counts. */
static void start_guest(struct tvm *t, uint16_t n, uint16_t m, uint16_t k)
{
	struct mv_regs r;

	tvm_reset_real(t, RM_LOAD_ADDR);
	tvm_get_regs(t, &r);
	r.rsi = n;
	r.rdi = m;
	r.rbp = k;
	tvm_set_regs(t, &r);
}

/* Run to the HLT: exactly m OUTs, then k MMIO writes reach userspace. */
static void run_guest(struct tvm *t, unsigned int m, unsigned int k)
{
	unsigned int i;
	uint8_t *d;

	for (i = 0; i < m; i++) {
		tvm_run(t);
		tvm_expect_io(t, MV_EXIT_IO_OUT, STATS_PORT, 1);
	}
	for (i = 0; i < k; i++) {
		tvm_run(t);
		d = tvm_expect_mmio(t, STATS_MMIO_GPA, 1, 1);
		(void)d;
	}
	tvm_run_expect(t, MV_EXIT_HLT);
	ASSERT_EQ(tvm_rip(t), rip_of(stats_rm_hlt) + 1);
}

static uint64_t hist_sum(const uint64_t *h)
{
	uint64_t s = 0;
	unsigned int i;

	for (i = 0; i < MV_STATS_HIST_BUCKETS; i++)
		s += h[i];
	return s;
}

static struct mv_nl *open_nl(void)
{
	struct mv_nl *nl = mv_nl_open();

	if (!nl)
		TEST_FAIL("mv_nl_open: %s", mv_nl_open_error());
	return nl;
}

static const struct mv_reason_stats *need_reason(const struct mv_stats *s, uint32_t id,
						 const char *name)
{
	const struct mv_reason_stats *r = mv_stats_find(s, id);

	if (!r)
		TEST_FAIL("no %s (reason %u) in the statistics", name, id);
	return r;
}

/* Interrupt exits the host may interleave anywhere (Bochs' timer). */
static bool noise(uint32_t reason)
{
	return reason == EXIT_REASON_EXTERNAL_INTERRUPT ||
	       reason == EXIT_REASON_PREEMPTION_TIMER || reason == EXIT_REASON_INTERRUPT_WINDOW;
}

/* ---- a small JSON syntax checker (no python in the test host) ---- */

static const char *js_ws(const char *p)
{
	while (*p == ' ' || *p == '\n' || *p == '\r' || *p == '\t')
		p++;
	return p;
}

static const char *js_value(const char *p, int depth);

static const char *js_string(const char *p)
{
	if (*p++ != '"')
		return NULL;
	while (*p && *p != '"') {
		if ((unsigned char)*p < 0x20)
			return NULL;
		if (*p == '\\') {
			p++;
			if (*p == 'u') {
				int i;

				for (i = 1; i <= 4; i++)
					if (!strchr("0123456789abcdefABCDEF", p[i]) || !p[i])
						return NULL;
				p += 4;
			} else if (!*p || !strchr("\"\\/bfnrt", *p)) {
				return NULL;
			}
		}
		p++;
	}
	return *p == '"' ? p + 1 : NULL;
}

static const char *js_number(const char *p)
{
	const char *s = p;

	if (*p == '-')
		p++;
	if (*p == '0')
		p++;
	else if (*p >= '1' && *p <= '9')
		while (*p >= '0' && *p <= '9')
			p++;
	else
		return NULL;
	if (*p == '.') {
		p++;
		if (!(*p >= '0' && *p <= '9'))
			return NULL;
		while (*p >= '0' && *p <= '9')
			p++;
	}
	if (*p == 'e' || *p == 'E') {
		p++;
		if (*p == '+' || *p == '-')
			p++;
		if (!(*p >= '0' && *p <= '9'))
			return NULL;
		while (*p >= '0' && *p <= '9')
			p++;
	}
	return p > s ? p : NULL;
}

static const char *js_value(const char *p, int depth)
{
	if (depth > 32)
		return NULL;
	p = js_ws(p);
	if (*p == '{' || *p == '[') {
		char close = *p == '{' ? '}' : ']';
		bool obj = *p == '{';

		p = js_ws(p + 1);
		if (*p == close)
			return p + 1;
		for (;;) {
			if (obj) {
				p = js_string(js_ws(p));
				if (!p)
					return NULL;
				p = js_ws(p);
				if (*p++ != ':')
					return NULL;
			}
			p = js_value(p, depth + 1);
			if (!p)
				return NULL;
			p = js_ws(p);
			if (*p == ',') {
				p++;
				continue;
			}
			return *p == close ? p + 1 : NULL;
		}
	}
	if (*p == '"')
		return js_string(p);
	if (!strncmp(p, "true", 4))
		return p + 4;
	if (!strncmp(p, "false", 5))
		return p + 5;
	if (!strncmp(p, "null", 4))
		return p + 4;
	return js_number(p);
}

static bool json_valid(const char *s)
{
	const char *p = js_value(s, 0);

	return p && !*js_ws(p);
}

/* ---- running mvm ---- */

static const char *mvm_path(void)
{
	static const char *const paths[] = { "/bin/mvm", "../userspace/mvm", "userspace/mvm" };
	const char *e = getenv("MVM");
	unsigned int i;

	if (e && !access(e, X_OK))
		return e;
	for (i = 0; i < ARRAY_SIZE(paths); i++)
		if (!access(paths[i], X_OK))
			return paths[i];
	return NULL;
}

/* Runs mvm with args; its stdout (and stderr if err) into malloc'ed strings. */
static int run_mvm(char *const argv[], char **out, char **err)
{
	int po[2], pe[2], st;
	pid_t pid;
	char *buf[2] = { NULL, NULL };
	size_t len[2] = { 0, 0 };
	int fds[2], k;

	if (pipe(po) || pipe(pe))
		TEST_FAIL("pipe: %s", strerror(errno));
	pid = fork();
	if (pid < 0)
		TEST_FAIL("fork: %s", strerror(errno));
	if (pid == 0) {
		dup2(po[1], 1);
		dup2(pe[1], 2);
		close(po[0]);
		close(pe[0]);
		execv(argv[0], argv);
		_exit(127);
	}
	close(po[1]);
	close(pe[1]);
	fds[0] = po[0];
	fds[1] = pe[0];
	/* mvm's output is small: read stdout to its end, then stderr. */
	for (k = 0; k < 2; k++) {
		char chunk[4096];
		ssize_t n;

		while ((n = read(fds[k], chunk, sizeof(chunk))) > 0) {
			buf[k] = realloc(buf[k], len[k] + (size_t)n + 1);
			memcpy(buf[k] + len[k], chunk, (size_t)n);
			len[k] += (size_t)n;
		}
		close(fds[k]);
		if (!buf[k])
			buf[k] = calloc(1, 1);
		buf[k][len[k]] = '\0';
	}
	if (waitpid(pid, &st, 0) != pid)
		TEST_FAIL("waitpid: %s", strerror(errno));
	*out = buf[0];
	if (err)
		*err = buf[1];
	else
		free(buf[1]);
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

/* ---- the cases ---- */

static void check_counts(const struct mv_stats *s, bool hist)
{
	const struct mv_reason_stats *cpuid, *io, *ept, *hlt;
	uint64_t sum = 0;
	unsigned int i;

	cpuid = need_reason(s, EXIT_REASON_CPUID, "CPUID");
	io = need_reason(s, EXIT_REASON_IO_INSTRUCTION, "IO_INSTRUCTION");
	ept = need_reason(s, EXIT_REASON_EPT_VIOLATION, "EPT_VIOLATION");
	hlt = need_reason(s, EXIT_REASON_HLT, "HLT");
	EXPECT_EQ(cpuid->count, N_CPUID);
	EXPECT_EQ(io->count, M_PIO);
	EXPECT_EQ(ept->count, K_MMIO);
	EXPECT_EQ(hlt->count, 1);
	EXPECT_STREQ(cpuid->name, "CPUID");
	EXPECT_STREQ(io->name, "IO_INSTRUCTION");
	EXPECT_EQ(cpuid->ucount, 0);
	EXPECT_EQ(io->ucount, M_PIO);
	EXPECT_EQ(ept->ucount, K_MMIO);
	EXPECT_EQ(mv_stats_user_count(s, MV_EXIT_IO), M_PIO);
	EXPECT_EQ(mv_stats_user_count(s, MV_EXIT_MMIO), K_MMIO);
	EXPECT_EQ(mv_stats_user_count(s, MV_EXIT_HLT), 1);
	EXPECT_EQ(mv_stats_find(s, EXIT_REASON_EPT_MISCONFIG) ?
		  mv_stats_find(s, EXIT_REASON_EPT_MISCONFIG)->count : 0, 0);
	EXPECT_EQ(s->histograms, hist);
	for (i = 0; i < s->nreasons; i++) {
		const struct mv_reason_stats *r = &s->reason[i];

		sum += r->count;
		if (r->count && !noise(r->id) && r->id != EXIT_REASON_CPUID &&
		    r->id != EXIT_REASON_IO_INSTRUCTION && r->id != EXIT_REASON_EPT_VIOLATION &&
		    r->id != EXIT_REASON_HLT)
			test_fail_soft(__FILE__, __LINE__, "unexpected exits: %s (%u) x %llu",
				       r->name, r->id, (unsigned long long)r->count);
		if (r->count)
			EXPECT_LE(r->min, r->max);
		if (r->count)
			EXPECT_LE(r->min * r->count, r->ticks);
		if (hist) {
			EXPECT_TRUE(r->has_hist);
			EXPECT_EQ(hist_sum(r->hist), r->count);
			if (r->has_uhist)
				EXPECT_EQ(hist_sum(r->uhist), r->ucount);
		}
	}
	EXPECT_EQ(sum, s->exits);
	EXPECT_GT(s->kernel_ticks, 0);
	EXPECT_GT(s->user_ticks, 0);
	test_diag("exits %llu: CPUID %llu (mean %llu t, min %llu, max %llu), IO %llu (mean %llu t, "
		  "user round trip mean %llu t), EPT_VIOLATION %llu (mean %llu t, user mean %llu t)",
		  (unsigned long long)s->exits, (unsigned long long)cpuid->count,
		  (unsigned long long)(cpuid->ticks / cpuid->count),
		  (unsigned long long)cpuid->min, (unsigned long long)cpuid->max,
		  (unsigned long long)io->count, (unsigned long long)(io->ticks / io->count),
		  (unsigned long long)(io->ucount ? io->uticks / io->ucount : 0),
		  (unsigned long long)ept->count, (unsigned long long)(ept->ticks / ept->count),
		  (unsigned long long)(ept->ucount ? ept->uticks / ept->ucount : 0));
}

/* The recorder's tail, interrupts left out: CPUIDs, M OUTs, K MMIO writes, HLT. */
static void check_flight(struct mv_nl *nl, uint32_t id, unsigned int size)
{
	struct mv_flight_rec *recs = calloc(FLIGHT_MAX, sizeof(*recs));
	unsigned int want_tail = 1 + K_MMIO + M_PIO, j, seen_cpuid = 0;
	int n, i;

	ASSERT_TRUE(recs != NULL);
	n = mv_flight_get(nl, id, 0, recs, FLIGHT_MAX);
	ASSERT_GE(n, 0);
	test_diag("flight recorder: %d entries (size %u)", n, size);
	/* More exits than entries since the reset: the recorder is full. */
	if (size <= 1 + N_CPUID + M_PIO + K_MMIO)
		EXPECT_EQ((unsigned int)n, size);
	for (i = 1; i < n; i++)
		EXPECT_GE(recs[i].tsc, recs[i - 1].tsc);
	for (i = n - 1, j = 0; i >= 0; i--) {
		const struct mv_flight_rec *r = &recs[i];

		if (noise(r->reason))
			continue;
		if (j == 0) {
			EXPECT_EQ(r->reason, EXIT_REASON_HLT);
			EXPECT_EQ(r->rip, rip_of(stats_rm_hlt));
			EXPECT_EQ(r->user, MV_EXIT_HLT);
		} else if (j <= K_MMIO) {
			EXPECT_EQ(r->reason, EXIT_REASON_EPT_VIOLATION);
			EXPECT_EQ(r->rip, rip_of(stats_rm_mmio));
			EXPECT_TRUE(r->has_gpa);
			EXPECT_EQ(r->gpa, STATS_MMIO_GPA);
			EXPECT_EQ(r->user, MV_EXIT_MMIO);
		} else if (j < want_tail) {
			EXPECT_EQ(r->reason, EXIT_REASON_IO_INSTRUCTION);
			EXPECT_EQ(r->rip, rip_of(stats_rm_out));
			EXPECT_EQ(r->user, MV_EXIT_IO);
		} else {
			EXPECT_EQ(r->reason, EXIT_REASON_CPUID);
			EXPECT_EQ(r->rip, rip_of(stats_rm_cpuid));
			EXPECT_EQ(r->user, 0);
			seen_cpuid++;
		}
		j++;
	}
	EXPECT_GE(j, want_tail);
	test_diag("flight tail checked: %u exits (HLT, %d MMIO, %d PIO, %u CPUID)", j, K_MMIO,
		  M_PIO, seen_cpuid);
	free(recs);
}

static bool json_bad;

/* The exact text needle is in the JSON (its numbers as the wrapper read them). */
static bool json_has(const char *json, const char *needle)
{
	bool ok = strstr(json, needle) != NULL;

	if (!ok) {
		test_diag("not in mvm's output: %s", needle);
		json_bad = true;
	}
	return ok;
}

static void check_mvm_json(uint32_t id, const struct mv_stats *s)
{
	const char *mvm = mvm_path();
	char idbuf[16], needle[160];
	char *argv[8], *out = NULL;
	int st;

	if (!mvm)
		TEST_FAIL("mvm not found (/bin/mvm in the test host, or $MVM)");
	snprintf(idbuf, sizeof(idbuf), "%u", id);
	argv[0] = (char *)mvm;
	argv[1] = "stat";
	argv[2] = "--once";
	argv[3] = "--json";
	argv[4] = "--vm";
	argv[5] = idbuf;
	argv[6] = NULL;
	st = run_mvm(argv, &out, NULL);
	test_diag("mvm stat --once --json --vm %u: status %d, %zu bytes", id, st, strlen(out));
	EXPECT_EQ(st, 0);
	ASSERT_TRUE(json_valid(out));
	snprintf(needle, sizeof(needle), "\"vms\":[{\"vm\":%u,\"vcpu\":null,", id);
	EXPECT_TRUE(json_has(out, needle));
	snprintf(needle, sizeof(needle), "\"totals\":{\"exits\":%llu,",
		 (unsigned long long)s->exits);
	EXPECT_TRUE(json_has(out, needle));
	snprintf(needle, sizeof(needle), "{\"id\":%d,\"name\":\"CPUID\",\"count\":%d,",
		 EXIT_REASON_CPUID, N_CPUID);
	EXPECT_TRUE(json_has(out, needle));
	snprintf(needle, sizeof(needle), "{\"id\":%d,\"name\":\"IO_INSTRUCTION\",\"count\":%d,",
		 EXIT_REASON_IO_INSTRUCTION, M_PIO);
	EXPECT_TRUE(json_has(out, needle));
	snprintf(needle, sizeof(needle), "{\"id\":%d,\"name\":\"EPT_VIOLATION\",\"count\":%d,",
		 EXIT_REASON_EPT_VIOLATION, K_MMIO);
	EXPECT_TRUE(json_has(out, needle));
	snprintf(needle, sizeof(needle), "\"ticks\":{\"total\":%llu,\"min\":%llu,\"max\":%llu,",
		 (unsigned long long)mv_stats_find(s, EXIT_REASON_CPUID)->ticks,
		 (unsigned long long)mv_stats_find(s, EXIT_REASON_CPUID)->min,
		 (unsigned long long)mv_stats_find(s, EXIT_REASON_CPUID)->max);
	EXPECT_TRUE(json_has(out, needle));
	snprintf(needle, sizeof(needle), "{\"type\":1,\"name\":\"IO\",\"count\":%d}", M_PIO);
	EXPECT_TRUE(json_has(out, needle));
	snprintf(needle, sizeof(needle), "{\"type\":2,\"name\":\"MMIO\",\"count\":%d}", K_MMIO);
	EXPECT_TRUE(json_has(out, needle));
	if (json_bad)
		test_diag_block(out);
	free(out);

	/* The table form and mvm ps run in the test host too. */
	argv[3] = "--vm";
	argv[4] = idbuf;
	argv[5] = NULL;
	st = run_mvm(argv, &out, NULL);
	EXPECT_EQ(st, 0);
	EXPECT_TRUE(strstr(out, "CPUID") && strstr(out, "IO_INSTRUCTION") &&
		    strstr(out, "p99(t)"));
	test_diag_block(out);
	free(out);
	argv[1] = "ps";
	argv[2] = "--json";
	argv[3] = NULL;
	st = run_mvm(argv, &out, NULL);
	EXPECT_EQ(st, 0);
	EXPECT_TRUE(json_valid(out));
	snprintf(needle, sizeof(needle), "{\"id\":%u,\"pid\":%d,", id, (int)getpid());
	EXPECT_TRUE(json_has(out, needle));
	if (json_bad)
		test_diag_block(out);
	free(out);
}

static void test_exact_counts(void)
{
	static struct mv_stats s, sv;
	struct tvm t;
	struct mv_nl *nl;
	long cap;
	int id, ret;
	unsigned int i;
	char *err;

	test_diag("creating the VM");
	tvm_create_real(&t, ((struct rm_blob){ stats_rm_start, stats_rm_end }));
	cap = mv_check_cap(t.vm.sys_fd, MV_CAP_STATS);
	ASSERT_GE(cap, 0);
	if (!(cap & MV_STATS_COUNTERS))
		test_skip("statistics off (module parameter stats=N): MV_CAP_STATS %#lx", cap);
	id = mv_get_vm_id(t.vm.vm_fd);
	ASSERT_GE(id, 1);
	test_diag("mv_nl_open");
	nl = open_nl();
	EXPECT_EQ(mv_nl_family_version(nl), MV_GENL_VERSION);

	/* Warm-up: the code page's first-touch EPT violation happens here. */
	test_diag("VM %d: warm-up run", id);
	start_guest(&t, 1, 1, 1);
	run_guest(&t, 1, 1);
	test_diag("warm-up done; STATS_RESET");
	ret = mv_stats_reset(nl, (uint32_t)id, -1);
	ASSERT_OK(ret);
	ret = mv_stats_get(nl, (uint32_t)id, -1, &s);
	ASSERT_OK(ret);
	EXPECT_EQ(s.exits, 0);

	test_diag("measured run: %d CPUID, %d PIO, %d MMIO", N_CPUID, M_PIO, K_MMIO);
	start_guest(&t, N_CPUID, M_PIO, K_MMIO);
	run_guest(&t, M_PIO, K_MMIO);
	test_diag("measured run done; STATS_GET");
	ret = mv_stats_get(nl, (uint32_t)id, -1, &s);
	if (ret)
		TEST_FAIL("mv_stats_get: %d %s", ret, mv_nl_error(nl));
	EXPECT_EQ(s.vm_id, (uint32_t)id);
	EXPECT_EQ(s.vcpu, -1);
	check_counts(&s, cap & MV_STATS_HISTOGRAMS);

	/* vCPU 0 alone is the whole VM here. */
	ASSERT_OK(mv_stats_get(nl, (uint32_t)id, 0, &sv));
	EXPECT_EQ(sv.vcpu, 0);
	EXPECT_EQ(sv.exits, s.exits);
	EXPECT_EQ(sv.nreasons, s.nreasons);
	for (i = 0; i < s.nreasons && i < sv.nreasons; i++) {
		EXPECT_EQ(sv.reason[i].id, s.reason[i].id);
		EXPECT_EQ(sv.reason[i].count, s.reason[i].count);
		EXPECT_EQ(sv.reason[i].ticks, s.reason[i].ticks);
	}

	if (cap & MV_STATS_FLIGHT) {
		struct mv_vm_info vi;

		ASSERT_OK(mv_vm_get(nl, (uint32_t)id, &vi));
		EXPECT_EQ(vi.pid, (uint32_t)getpid());
		EXPECT_EQ(vi.vcpus, 1);
		EXPECT_EQ(vi.mem_bytes, RM_MEM_SIZE);
		EXPECT_GT(vi.tsc_khz, 0);
		check_flight(nl, (uint32_t)id, vi.flight_size);
	} else {
		test_diag("flight recorder off (MV_CAP_STATS %#lx): not checked", cap);
	}

	test_diag("mvm stat --once --json");
	check_mvm_json((uint32_t)id, &s);
	test_diag("errors and reset");

	/* Errors: -errno and a message. */
	EXPECT_ERR(mv_stats_get(nl, 0x7fffffff, -1, &sv), ENOENT);
	err = strdup(mv_nl_error(nl));
	test_diag("unknown VM: \"%s\"", err);
	/* The kernel's extack message, through NETLINK_EXT_ACK and the wrapper. */
	EXPECT_TRUE(strstr(err, "no VM with this id") != NULL);
	free(err);
	EXPECT_ERR(mv_stats_get(nl, (uint32_t)id, 5, &sv), ENOENT);
	{
		struct mv_flight_rec one;

		EXPECT_ERR(mv_flight_get(nl, (uint32_t)id, 5, &one, 1), ENOENT);
	}

	/* Reset zeroes everything, the recorder too. */
	ASSERT_OK(mv_stats_reset(nl, (uint32_t)id, -1));
	ASSERT_OK(mv_stats_get(nl, (uint32_t)id, -1, &s));
	EXPECT_EQ(s.exits, 0);
	EXPECT_EQ(s.kernel_ticks, 0);
	for (i = 0; i < s.nreasons; i++) {
		EXPECT_EQ(s.reason[i].count, 0);
		EXPECT_EQ(s.reason[i].ucount, 0);
	}
	EXPECT_EQ(mv_stats_user_count(&s, MV_EXIT_IO), 0);
	if (cap & MV_STATS_FLIGHT) {
		struct mv_flight_rec one;

		EXPECT_EQ(mv_flight_get(nl, (uint32_t)id, 0, &one, 1), 0);
	}
	/* ... and the next run counts from zero. */
	start_guest(&t, 7, 0, 0);
	run_guest(&t, 0, 0);
	ASSERT_OK(mv_stats_get(nl, (uint32_t)id, -1, &s));
	EXPECT_EQ(need_reason(&s, EXIT_REASON_CPUID, "CPUID")->count, 7);
	EXPECT_EQ(need_reason(&s, EXIT_REASON_HLT, "HLT")->count, 1);
	EXPECT_EQ(mv_stats_user_count(&s, MV_EXIT_IO), 0);

	mv_nl_close(nl);
	tvm_destroy(&t);
}

/* The VM list through the wrapper: ours is there with its id, then gone. */
static void test_vm_list(void)
{
	struct mv_vm_info *vms;
	struct tvm t;
	struct mv_nl *nl;
	size_t n, i;
	int id, found = 0;

	tvm_create_real(&t, ((struct rm_blob){ stats_rm_start, stats_rm_end }));
	id = mv_get_vm_id(t.vm.vm_fd);
	ASSERT_GE(id, 1);
	nl = open_nl();
	ASSERT_OK(mv_vm_list(nl, &vms, &n));
	for (i = 0; i < n; i++) {
		if (i)
			EXPECT_GT(vms[i].id, vms[i - 1].id);
		if (vms[i].id == (uint32_t)id) {
			found++;
			EXPECT_EQ(vms[i].pid, (uint32_t)getpid());
			EXPECT_EQ(vms[i].uid, (uint32_t)geteuid());
			EXPECT_STREQ(vms[i].backend, "vmx");
		}
	}
	free(vms);
	EXPECT_EQ(found, 1);
	tvm_destroy(&t);
	ASSERT_OK(mv_vm_list(nl, &vms, &n));
	for (i = 0; i < n; i++)
		EXPECT_NE(vms[i].id, (uint32_t)id);
	free(vms);
	mv_nl_close(nl);
}

/* mvm's own guest triple-faults: its flight recorder is printed as a table. */
static void test_mvm_flight_on_death(void)
{
	const char *mvm = mvm_path();
	char path[] = "/tmp/stats-triple.XXXXXX";
	char *argv[5], *out, *err;
	int fd, st;

	if (!mvm)
		TEST_FAIL("mvm not found (/bin/mvm in the test host, or $MVM)");
	fd = mkstemp(path);
	ASSERT_GE(fd, 0);
	ASSERT_EQ(write(fd, rm_triple_start, (size_t)(rm_triple_end - rm_triple_start)),
		  (ssize_t)(rm_triple_end - rm_triple_start));
	close(fd);
	argv[0] = (char *)mvm;
	argv[1] = "run";
	argv[2] = "--mode=real";
	argv[3] = path;
	argv[4] = NULL;
	st = run_mvm(argv, &out, &err);
	unlink(path);
	EXPECT_EQ(st, 4);	/* MVM_STATUS_SHUTDOWN */
	EXPECT_TRUE(strstr(err, "flight recorder of VM") != NULL);
	EXPECT_TRUE(strstr(err, "TRIPLE_FAULT") != NULL);
	/* The last row is the triple fault, numbered 0. */
	{
		char *last = strstr(err, "TRIPLE_FAULT");
		char *line = last;

		while (line > err && line[-1] != '\n')
			line--;
		EXPECT_TRUE(last && !strncmp(line, "   0 ", 5));
	}
	test_diag_block(err);
	free(out);
	free(err);
}

static const struct test_case tests[] = {
	{ "stats_exact_counts_json_flight_reset", test_exact_counts, 40 },
	{ "stats_vm_list", test_vm_list, 0 },
	{ "stats_mvm_flight_on_guest_death", test_mvm_flight_on_death, 0 },
};

int main(int argc, char **argv)
{
	return test_main(argc, argv, tests, ARRAY_SIZE(tests));
}
