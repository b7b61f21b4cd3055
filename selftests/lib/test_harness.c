// SPDX-License-Identifier: GPL-2.0
/*
 * TAP harness: one forked child per test case, deadline enforced by the
 * parent (the child may be stuck in the guest or in the kernel, where its
 * own alarm would not help), results reported in KTAP version 1.
 */
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "libminivisor.h"
#include "test_harness.h"
#include "test_util.h"

/* Written by the child, read by the parent after the child exits. */
struct test_shared {
	int skipped;
	char reason[256];
};

static struct test_shared *shared;
static int soft_failures;	/* in the child: EXPECT_* failures so far */
/* In the parent: SIGTERM/SIGINT arrived (e.g. the runner's time limit). */
static volatile sig_atomic_t terminating;

/* How long the parent waits for a child it SIGKILLed before giving up on it. */
#define KILL_GRACE_SECONDS	10
/* Shorter when terminating: the runner follows its SIGTERM with SIGKILL. */
#define TERM_GRACE_SECONDS	2

static void vdiag(const char *fmt, va_list ap)
{
	char buf[1024];
	char *line, *save = NULL;

	vsnprintf(buf, sizeof(buf), fmt, ap);
	for (line = strtok_r(buf, "\n", &save); line; line = strtok_r(NULL, "\n", &save))
		printf("# %s\n", line);
	fflush(stdout);
}

void test_diag(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vdiag(fmt, ap);
	va_end(ap);
}

void test_diag_block(const char *text)
{
	const char *p = text, *nl;

	while (p && *p) {
		nl = strchr(p, '\n');
		if (!nl) {
			printf("# %s\n", p);
			break;
		}
		printf("# %.*s\n", (int)(nl - p), p);
		p = nl + 1;
	}
	fflush(stdout);
}

static __attribute__((noreturn)) void child_exit(int status)
{
	fflush(stdout);
	fflush(stderr);
	_exit(status);
}

void test_skip(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	if (shared) {
		vsnprintf(shared->reason, sizeof(shared->reason), fmt, ap);
		shared->skipped = 1;
	}
	va_end(ap);
	child_exit(soft_failures ? 1 : 0);
}

static void vfail(const char *file, int line, const char *fmt, va_list ap)
{
	char buf[1024];

	vsnprintf(buf, sizeof(buf), fmt, ap);
	test_diag("%s:%d: %s", file, line, buf);
}

void test_fail(const char *file, int line, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vfail(file, line, fmt, ap);
	va_end(ap);
	child_exit(1);
}

void test_fail_soft(const char *file, int line, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vfail(file, line, fmt, ap);
	va_end(ap);
	soft_failures++;
}

static void finish_report(bool fatal)
{
	if (fatal)
		child_exit(1);
	soft_failures++;
}

void test_report_cmp(const char *file, int line, bool fatal, const char *expr,
		     unsigned long long expected, unsigned long long actual)
{
	test_diag("%s:%d: check failed: %s", file, line, expr);
	test_diag("  expected: %lld (0x%llx)", (long long)expected, expected);
	test_diag("  actual:   %lld (0x%llx)", (long long)actual, actual);
	finish_report(fatal);
}

const char *test_errno_str(long long err, char *buf, size_t len)
{
	long long e = err < 0 ? -err : err;
	const char *name = NULL;

	if (err == 0) {
		snprintf(buf, len, "0 (success)");
		return buf;
	}
	if (e < 4096)
		name = strerrorname_np((int)e);
	if (name)
		snprintf(buf, len, "%s%s (%s)", err < 0 ? "-" : "", name, strerror((int)e));
	else
		snprintf(buf, len, "%lld", err);
	return buf;
}

void test_report_errno(const char *file, int line, bool fatal, const char *expr,
		       long long expected, long long actual)
{
	char e[96], a[96];

	test_diag("%s:%d: check failed: %s", file, line, expr);
	if (expected == 0)
		test_diag("  expected: success (>= 0)");
	else
		test_diag("  expected: %s", test_errno_str(expected, e, sizeof(e)));
	if (actual >= 0)
		test_diag("  actual:   %lld (success)", actual);
	else
		test_diag("  actual:   %s", test_errno_str(actual, a, sizeof(a)));
	finish_report(fatal);
}

void test_report_str(const char *file, int line, bool fatal, const char *expr,
		     const char *expected, const char *actual)
{
	test_diag("%s:%d: check failed: %s", file, line, expr);
	test_diag("  expected: \"%s\"", expected ? expected : "(null)");
	test_diag("  actual:   \"%s\"", actual ? actual : "(null)");
	finish_report(fatal);
}

/*
 * Waits for pid until deadline (CLOCK_MONOTONIC seconds). Returns true and
 * fills *status when the child was reaped. SIGCHLD is blocked by the caller,
 * so sigtimedwait() wakes as soon as the child exits; the 100 ms slices make
 * a lost wake-up cost nothing more than a short delay.
 */
static bool wait_child(pid_t pid, double deadline, int *status)
{
	sigset_t chld;

	sigemptyset(&chld);
	sigaddset(&chld, SIGCHLD);
	for (;;) {
		pid_t r = waitpid(pid, status, WNOHANG);
		struct timespec ts = { 0, 100 * 1000 * 1000 };
		double left;

		if (r == pid)
			return true;
		if (r < 0 && errno != EINTR)
			return false;
		if (terminating)
			return false;
		left = deadline - test_now();
		if (left <= 0)
			return false;
		if (left < 0.1)
			ts.tv_nsec = (long)(left * 1e9);
		sigtimedwait(&chld, NULL, &ts);
	}
}

/*
 * One page per run, so that a case run from inside another case (the
 * harness's own tests do that) cannot overwrite its caller's result.
 */
static struct test_shared *shared_page(void)
{
	void *p = mmap(NULL, sizeof(struct test_shared), PROT_READ | PROT_WRITE,
		       MAP_SHARED | MAP_ANONYMOUS, -1, 0);

	return p == MAP_FAILED ? NULL : p;
}

/* Waits for the case's child (killing it at the deadline) and classifies its end. */
static enum test_result wait_result(pid_t pid, unsigned int timeout, double start,
				    const struct test_shared *sh, char *why, size_t why_len)
{
	int status;

	if (!wait_child(pid, start + timeout, &status)) {
		bool term = terminating;

		kill(pid, SIGKILL);
		/* wait_child() gives up at once while terminating: wait here. */
		terminating = 0;
		if (!wait_child(pid, test_now() + (term ? TERM_GRACE_SECONDS :
						       KILL_GRACE_SECONDS), &status))
			snprintf(why, why_len, "%s, and it did not die on SIGKILL (stuck in the "
				 "kernel?)", term ? "interrupted by SIGTERM/SIGINT" : "timed out");
		else if (term)
			snprintf(why, why_len, "interrupted by SIGTERM/SIGINT after %.1f s",
				 test_now() - start);
		else
			snprintf(why, why_len, "timed out after %u s, killed", timeout);
		terminating = term;
		return TEST_FAIL;
	}
	if (WIFSIGNALED(status)) {
		snprintf(why, why_len, "killed by signal %d (%s)", WTERMSIG(status),
			 strsignal(WTERMSIG(status)));
		return TEST_FAIL;
	}
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		snprintf(why, why_len, "exit status %d",
			 WIFEXITED(status) ? WEXITSTATUS(status) : -1);
		return TEST_FAIL;
	}
	if (sh->skipped) {
		snprintf(why, why_len, "%s", sh->reason[0] ? sh->reason : "skipped");
		return TEST_SKIP;
	}
	return TEST_PASS;
}

enum test_result test_run_one(const struct test_case *t, char *why, size_t why_len)
{
	unsigned int timeout = t->timeout ? t->timeout : TEST_DEFAULT_TIMEOUT;
	struct test_shared *sh = shared_page();
	enum test_result result;
	sigset_t chld, old;
	pid_t pid, parent;
	double start;

	why[0] = '\0';
	if (!sh) {
		snprintf(why, why_len, "mmap of the result page: %s", strerror(errno));
		return TEST_FAIL;
	}
	sigemptyset(&chld);
	sigaddset(&chld, SIGCHLD);
	sigprocmask(SIG_BLOCK, &chld, &old);
	fflush(stdout);
	fflush(stderr);

	parent = getpid();
	pid = fork();
	if (pid < 0) {
		snprintf(why, why_len, "fork: %s", strerror(errno));
		sigprocmask(SIG_SETMASK, &old, NULL);
		munmap(sh, sizeof(*sh));
		return TEST_FAIL;
	}
	if (pid == 0) {
		/*
		 * Die with the parent: a case left running after the runner
		 * killed its program would keep VMs (and the module) busy.
		 */
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		if (getppid() != parent)
			_exit(1);
		shared = sh;
		signal(SIGTERM, SIG_DFL);
		signal(SIGINT, SIG_DFL);
		sigprocmask(SIG_SETMASK, &old, NULL);
		/* Diagnostics must survive a crash of the child: line buffered. */
		setvbuf(stdout, NULL, _IOLBF, 0);
		soft_failures = 0;
		t->fn();
		child_exit(soft_failures ? 1 : 0);
	}

	start = test_now();
	result = wait_result(pid, timeout, start, sh, why, why_len);
	sigprocmask(SIG_SETMASK, &old, NULL);
	munmap(sh, sizeof(*sh));
	return result;
}

static void on_terminate(int sig)
{
	(void)sig;
	terminating = 1;
}

static bool selected(const char *name, int argc, char **argv)
{
	int i;

	if (argc <= 1)
		return true;
	for (i = 1; i < argc; i++)
		if (!strcmp(argv[i], name))
			return true;
	return false;
}

/*
 * kselftest's rule for a missing device (as the KVM selftests do for
 * /dev/kvm): no /dev/minivisor, no driver behind it, or no permission to
 * open it is a skip of the whole program, "1..0 # SKIP why", status 4.
 * Through mv_open(), so the host tier's fake (host/fake_minivisor.c) runs.
 */
static bool device_missing(const char *prog)
{
	int fd = mv_open();

	if (fd == -ENOENT || fd == -ENODEV || fd == -ENXIO || fd == -EACCES || fd == -EPERM) {
		printf("KTAP version 1\n");
		printf("1..0 # SKIP %s: %s (%s)\n", MV_DEVICE_PATH, strerror(-fd),
		       fd == -EACCES || fd == -EPERM ? "run as root or join its group" :
		       "load minivisor.ko");
		printf("# %s: 0 passed, 0 failed, 0 skipped\n", prog);
		fflush(stdout);
		return true;
	}
	if (fd >= 0)
		close(fd);
	return false;
}

static int run_main(int argc, char **argv, const struct test_case *tests, size_t n,
		    bool need_device)
{
	unsigned int planned = 0, nr = 0, failed = 0, skipped = 0;
	struct sigaction sa;
	const char *prog = strrchr(argv[0], '/') ? strrchr(argv[0], '/') + 1 : argv[0];
	size_t i;
	int a;

	if (argc == 2 && (!strcmp(argv[1], "-l") || !strcmp(argv[1], "--list"))) {
		for (i = 0; i < n; i++)
			printf("%s\n", tests[i].name);
		return 0;
	}
	if (argc == 2 && (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help"))) {
		printf("usage: %s [-l] [test-name...]\n", prog);
		return 0;
	}
	for (a = 1; a < argc; a++) {
		for (i = 0; i < n; i++)
			if (!strcmp(argv[a], tests[i].name))
				break;
		if (i == n) {
			fprintf(stderr, "%s: no test case named '%s' (try -l)\n", prog, argv[a]);
			return 2;
		}
	}
	if (need_device && device_missing(prog))
		return KSFT_SKIP;
	for (i = 0; i < n; i++)
		planned += selected(tests[i].name, argc, argv);

	/*
	 * On SIGTERM/SIGINT the running case is killed and reported, and the
	 * remaining ones are reported as not run, so the plan still adds up.
	 */
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_terminate;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);

	printf("KTAP version 1\n");
	printf("1..%u\n", planned);
	printf("# %s: %u test case(s)\n", prog, planned);
	fflush(stdout);

	for (i = 0; i < n; i++) {
		char why[320];
		enum test_result r;
		double start;

		if (!selected(tests[i].name, argc, argv))
			continue;
		nr++;
		if (terminating) {
			failed++;
			printf("not ok %u %s\n", nr, tests[i].name);
			printf("# %s: not run: the program was told to stop\n", tests[i].name);
			continue;
		}
		start = test_now();
		r = test_run_one(&tests[i], why, sizeof(why));
		/* Durations help tune the runner's per-program time limit. */
		printf("# %s: %.2f s\n", tests[i].name, test_now() - start);
		switch (r) {
		case TEST_PASS:
			printf("ok %u %s\n", nr, tests[i].name);
			break;
		case TEST_SKIP:
			skipped++;
			printf("ok %u %s # SKIP %s\n", nr, tests[i].name, why);
			break;
		case TEST_FAIL:
			failed++;
			if (why[0])
				printf("# %s: %s\n", tests[i].name, why);
			printf("not ok %u %s\n", nr, tests[i].name);
			break;
		}
		fflush(stdout);
	}
	printf("# %s: %u passed, %u failed, %u skipped\n", prog,
	       planned - failed - skipped, failed, skipped);
	fflush(stdout);
	/* kselftest's statuses: KSFT_FAIL, KSFT_SKIP when every case skipped, KSFT_PASS. */
	if (failed)
		return KSFT_FAIL;
	return planned && skipped == planned ? KSFT_SKIP : KSFT_PASS;
}

int test_main(int argc, char **argv, const struct test_case *tests, size_t n)
{
	return run_main(argc, argv, tests, n, true);
}

int test_main_nodev(int argc, char **argv, const struct test_case *tests, size_t n)
{
	return run_main(argc, argv, tests, n, false);
}
