// SPDX-License-Identifier: GPL-2.0
/*
 * The end-to-end Linux-guest test, run inside the emulated host: starts a
 * hypervisor command (mvm run --kernel ..., or QEMU with KVM) that boots the
 * Linux guest of tools/testhost/linuxguest/ with its console on this
 * program's pipes, types a line once the guest asks for it, and checks what
 * the guest printed (see linuxguest/init for the lines).
 *
 * usage: linuxboot [--name NAME] [--cpus N] [--timeout SECS] [--first K]
 *                  [--plan] [--skip-usage] [--log FILE] [--type LINE]
 *                  [--at-marker CMD] [--at-end CMD] -- COMMAND [ARG...]
 *
 *   --name       prefix of the result names (default "linux")
 *   --cpus       vCPUs the guest must see (default 1)
 *   --timeout    seconds (CLOCK_MONOTONIC) before the command is killed
 *                (default 600)
 *   --first      number of the first TAP result (default 1), so that
 *                several runs make one TAP stream
 *   --plan       print "TAP version 13" and the plan (1..RESULTS) first
 *   --skip-usage a command that exits non-zero before the marker and says
 *                "usage", "unknown option", "unrecognized option" or
 *                "invalid option" is reported as SKIP (every result), not
 *                failed: the hypervisor cannot boot Linux yet (make bench)
 *   --log        the whole console of the guest goes to FILE
 *   --at-marker  shell command run when the marker appears (e.g. read the
 *                hypervisor's exit counters); its output becomes "# " lines
 *   --at-end     the same after the command ended
 *
 * It prints RESULTS (8) TAP results, always the same ones in the same order:
 * a failure early on fails the later ones with the reason. Also a
 * diagnostic with the boot time to the marker in TSC ticks of this host
 * (in Bochs: emulated instructions) and seconds of this host's
 * CLOCK_MONOTONIC (in Bochs: emulated seconds, ticks / ips; make bench gets
 * the wall seconds of the machine from the arrival times of "# NAME:
 * running" and "# NAME: marker" on the console), and a line
 *   # bench: linux-boot hv=NAME cpus=N ticks=T secs=S
 * (or "hv=NAME skipped: WHY", "hv=NAME failed: WHY")
 * that make bench collects. Exit status 0 iff every result passed.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <x86intrin.h>

#define RESULTS		8
#define MAX_CPUS	64
#define CLOCK_TOLERANCE	0.05
#define MARKER		"MVGUEST-BOOTED"

static const char *name = "linux";
static int first = 1, nfail;

struct guest_clock {
	int seen;
	double mono;	/* guest CLOCK_MONOTONIC, seconds */
	double host;	/* host CLOCK_MONOTONIC when the line arrived */
};

static struct {
	int marker, ready, typed, echoed, done;
	uint64_t marker_tsc;
	double marker_secs;
	long nproc, cpuinfo;
	long loc1[MAX_CPUS], loc2[MAX_CPUS];
	int nloc1, nloc2;
	struct guest_clock c1, c2;
	char echo[256];
	char usage[200];	/* first line that looks like a usage error */
	char last[8][200];	/* the last console lines, for failures */
	int nlast;
} g;

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void result(int ok, const char *what, const char *fmt, ...)
{
	static int n;
	char why[300] = "";
	va_list ap;

	/* A reason only for a failure or a skip. */
	if (fmt && (!ok || !strncmp(fmt, "SKIP", 4))) {
		va_start(ap, fmt);
		vsnprintf(why, sizeof(why), fmt, ap);
		va_end(ap);
	}
	if (!ok)
		nfail++;
	printf("%s %d - %s: %s%s%s\n", ok ? "ok" : "not ok", first + n++, name, what,
	       why[0] ? " # " : "", why);
}

static void skip_all(const char *why)
{
	static const char *const what[RESULTS] = {
		"boots to the marker", "nproc equals the vCPUs",
		"cpuinfo lists every vCPU", "local timer interrupts grow on every vCPU",
		"the typed line comes back", "guest clock within 5% of the host's",
		"guest reaches the end", "hypervisor exits with status 0",
	};
	int i;

	for (i = 0; i < RESULTS; i++)
		result(1, what[i], "SKIP %s", why);
}

/* "A,B,C" -> counts; returns how many. */
static int parse_list(const char *s, long *v)
{
	int n = 0;
	char *end;

	while (*s && n < MAX_CPUS) {
		v[n++] = strtol(s, &end, 10);
		if (end == s)
			return n - 1;
		s = end;
		if (*s == ',')
			s++;
		else
			break;
	}
	return n;
}

/* The value of KEY= in a line of words, or NULL. */
static const char *field(const char *line, const char *key)
{
	size_t k = strlen(key);
	const char *p = line;

	while ((p = strstr(p, key))) {
		if ((p == line || p[-1] == ' ') && p[k] == '=')
			return p + k + 1;
		p += k;
	}
	return NULL;
}

static void guest_clock(struct guest_clock *c, const char *line, double t)
{
	const char *v = field(line, "mono_ns");

	if (!v || !strncmp(v, "none", 4))
		v = NULL;
	c->seen = 1;
	c->host = t;
	if (v)
		c->mono = strtod(v, NULL) / 1e9;
	else if ((v = field(line, "uptime")))	/* no /proc/timer_list */
		c->mono = strtod(v, NULL);
	else
		c->seen = 0;
}

/* Keeps a line that may explain a failure; "[" is masked so that the
 * emulated host's kernel-problem scan does not take a guest kernel's
 * "[ 1.0] ..." line for one of its own. */
static void keep(const char *line)
{
	char *s;

	if (g.nlast == 8) {
		memmove(g.last[0], g.last[1], sizeof(g.last[0]) * 7);
		g.nlast = 7;
	}
	snprintf(g.last[g.nlast], sizeof(g.last[0]), "%.199s", line);
	for (s = g.last[g.nlast]; *s; s++)
		if (*s == '[' || *s == ']')
			*s = *s == '[' ? '(' : ')';
	g.nlast++;
}

static void run_hook(const char *cmd)
{
	char buf[512];
	FILE *f;

	if (!cmd)
		return;
	fflush(stdout);
	f = popen(cmd, "r");
	if (!f) {
		printf("# %s: hook failed: %s\n", name, strerror(errno));
		return;
	}
	while (fgets(buf, sizeof(buf), f))
		printf("# %s", buf);
	pclose(f);
}

static void line_in(char *line, double t, uint64_t tsc, double t0, uint64_t tsc0,
		    int in_fd, const char *typed, const char *at_marker)
{
	const char *v;

	keep(line);
	if (!g.usage[0] && (strcasestr(line, "usage") || strcasestr(line, "unknown option") ||
			    strcasestr(line, "unrecognized option") ||
			    strcasestr(line, "invalid option")))
		snprintf(g.usage, sizeof(g.usage), "%.199s", line);
	if (!g.marker) {
		if (!strstr(line, MARKER))
			return;
		g.marker = 1;
		g.marker_tsc = tsc - tsc0;
		g.marker_secs = t - t0;
		/* Now, not at the end: make bench times this line's arrival on
		 * the emulated host's console from outside (wall seconds). */
		printf("# %s: marker\n", name);
		run_hook(at_marker);
		return;
	}
	if (strncmp(line, "mvguest: ", 9))
		return;
	line += 9;
	if ((v = field(line, "nproc")))
		g.nproc = strtol(v, NULL, 10);
	if ((v = field(line, "cpuinfo")))
		g.cpuinfo = strtol(v, NULL, 10);
	if ((v = field(line, "loc1")))
		g.nloc1 = parse_list(v, g.loc1);
	if ((v = field(line, "loc2")))
		g.nloc2 = parse_list(v, g.loc2);
	if (!strncmp(line, "clock1 ", 7))
		guest_clock(&g.c1, line, t);
	if (!strncmp(line, "clock2 ", 7))
		guest_clock(&g.c2, line, t);
	if (!strncmp(line, "echo=", 5)) {
		snprintf(g.echo, sizeof(g.echo), "%.255s", line + 5);
		g.echoed = 1;
	}
	if (!strcmp(line, "done"))
		g.done = 1;
	if (!strcmp(line, "ready") && !g.typed) {
		char buf[300];
		int len = snprintf(buf, sizeof(buf), "%s\n", typed);

		g.ready = 1;
		if (write(in_fd, buf, len) == len)
			g.typed = 1;
		else
			printf("# %s: writing the typed line failed: %s\n", name, strerror(errno));
	}
}

static void usage(void)
{
	fprintf(stderr, "usage: linuxboot [--name NAME] [--cpus N] [--timeout SECS] [--first K] "
		"[--plan] [--skip-usage] [--log FILE] [--type LINE] [--at-marker CMD] "
		"[--at-end CMD] -- COMMAND [ARG...]\n");
	exit(2);
}

int main(int argc, char **argv)
{
	const char *typed = "mvguest typed line 4711", *logpath = NULL;
	const char *at_marker = NULL, *at_end = NULL;
	int cpus = 1, plan = 0, skip_usage = 0, i, status = -1, timed_out = 0;
	int in[2], out[2], eof = 0, ok, grew;
	double timeout = 600, t0, tend;
	char buf[4096], line[1024];
	size_t len = 0;
	uint64_t tsc0;
	FILE *log = NULL;
	pid_t pid;

	for (i = 1; i < argc; i++) {
		const char *a = argv[i];

		if (!strcmp(a, "--")) {
			i++;
			break;
		}
		if (!strcmp(a, "--plan")) {
			plan = 1;
			continue;
		}
		if (!strcmp(a, "--skip-usage")) {
			skip_usage = 1;
			continue;
		}
		if (i + 1 >= argc)
			usage();
		if (!strcmp(a, "--name"))
			name = argv[++i];
		else if (!strcmp(a, "--cpus"))
			cpus = atoi(argv[++i]);
		else if (!strcmp(a, "--timeout"))
			timeout = atof(argv[++i]);
		else if (!strcmp(a, "--first"))
			first = atoi(argv[++i]);
		else if (!strcmp(a, "--log"))
			logpath = argv[++i];
		else if (!strcmp(a, "--type"))
			typed = argv[++i];
		else if (!strcmp(a, "--at-marker"))
			at_marker = argv[++i];
		else if (!strcmp(a, "--at-end"))
			at_end = argv[++i];
		else
			usage();
	}
	if (i >= argc || cpus < 1 || cpus > MAX_CPUS || timeout <= 0 || first < 1)
		usage();
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (plan)
		printf("TAP version 13\n1..%d\n", RESULTS);
	if (logpath && !(log = fopen(logpath, "w")))
		printf("# %s: cannot write %s: %s\n", name, logpath, strerror(errno));
	signal(SIGPIPE, SIG_IGN);
	if (pipe(in) || pipe(out)) {
		perror("pipe");
		return 1;
	}
	printf("# %s: running", name);
	for (int j = i; j < argc; j++)
		printf(" %s", argv[j]);
	printf("\n");
	fflush(stdout);

	t0 = now();
	tsc0 = __rdtsc();
	pid = fork();
	if (pid < 0) {
		perror("fork");
		return 1;
	}
	if (!pid) {
		setpgid(0, 0);
		dup2(in[0], 0);
		dup2(out[1], 1);
		dup2(out[1], 2);
		close(in[0]);
		close(in[1]);
		close(out[0]);
		close(out[1]);
		execvp(argv[i], argv + i);
		fprintf(stderr, "linuxboot: cannot run %s: %s\n", argv[i], strerror(errno));
		_exit(127);
	}
	setpgid(pid, pid);
	close(in[0]);
	close(out[1]);
	tend = t0 + timeout;

	/* Console lines until the command closes its output (or the limit). */
	while (!eof) {
		struct pollfd p = { .fd = out[0], .events = POLLIN };
		double left = tend - now();
		ssize_t r;

		if (left <= 0) {
			timed_out = 1;
			break;
		}
		if (poll(&p, 1, left > 1 ? 1000 : (int)(left * 1000) + 1) <= 0)
			continue;
		r = read(out[0], buf, sizeof(buf));
		if (r <= 0) {
			eof = 1;
			r = 0;
		}
		for (ssize_t k = 0; k < r || (eof && len && k == r); k++) {
			char c = k < r ? buf[k] : '\n';

			if (log && k < r)
				fputc(c, log);
			if (c == '\r')
				continue;
			if (c != '\n' && len < sizeof(line) - 1) {
				line[len++] = c;
				continue;
			}
			if (c != '\n')
				continue;
			line[len] = 0;
			len = 0;
			line_in(line, now(), __rdtsc(), t0, tsc0, in[1], typed, at_marker);
		}
	}
	if (timed_out)
		kill(-pid, SIGKILL);
	/* The command may still be closing down after its output ended. */
	for (;;) {
		pid_t w = waitpid(pid, &status, WNOHANG);

		if (w == pid)
			break;
		if (now() > tend + 10) {
			kill(-pid, SIGKILL);
			waitpid(pid, &status, 0);
			timed_out = 1;
			break;
		}
		usleep(20000);
	}
	close(in[1]);
	close(out[0]);
	if (log)
		fclose(log);
	run_hook(at_end);

	if (!g.marker && skip_usage && g.usage[0] && WIFEXITED(status) &&
	    WEXITSTATUS(status) != 0) {
		printf("# %s: exit status %d: %s\n", name, WEXITSTATUS(status), g.usage);
		printf("# bench: linux-boot hv=%s skipped: %s\n", name, g.usage);
		skip_all("the hypervisor does not take this command line yet (usage error)");
		return 0;
	}

	if (g.marker) {
		printf("# %s: boot to the marker: %llu ticks, %.2f s\n", name,
		       (unsigned long long)g.marker_tsc, g.marker_secs);
		printf("# bench: linux-boot hv=%s cpus=%d ticks=%llu secs=%.2f\n", name, cpus,
		       (unsigned long long)g.marker_tsc, g.marker_secs);
	} else {
		printf("# bench: linux-boot hv=%s failed: no marker\n", name);
		printf("# %s: no marker; the last console lines:\n", name);
		for (int j = 0; j < g.nlast; j++)
			printf("# | %s\n", g.last[j]);
	}
	result(g.marker, "boots to the marker", g.marker ? NULL :
	       timed_out ? "no %s within %.0f s" : "no %s before the command ended",
	       MARKER, timeout);
	result(g.nproc == cpus, "nproc equals the vCPUs", "nproc=%ld, want %d", g.nproc, cpus);
	result(g.cpuinfo == cpus, "cpuinfo lists every vCPU",
	       "%ld processor lines, want %d", g.cpuinfo, cpus);

	grew = g.nloc1 == cpus && g.nloc2 == cpus;
	for (int j = 0; grew && j < cpus; j++)
		grew = g.loc2[j] > g.loc1[j];
	if (g.nloc2) {
		printf("# %s: LOC per CPU:", name);
		for (int j = 0; j < g.nloc2 && j < g.nloc1; j++)
			printf(" %ld->%ld", g.loc1[j], g.loc2[j]);
		printf("\n");
	}
	result(grew, "local timer interrupts grow on every vCPU",
	       "LOC for %d and %d CPUs (want %d), not all grew", g.nloc1, g.nloc2, cpus);

	ok = g.echoed && !strcmp(g.echo, typed);
	result(ok, "the typed line comes back", !g.ready ? "the guest never asked for it" :
	       !g.typed ? "could not type it" : !g.echoed ? "no echo line" :
	       "got '%s'", g.echo);

	if (g.c1.seen && g.c2.seen && g.c2.host > g.c1.host) {
		double gd = g.c2.mono - g.c1.mono, hd = g.c2.host - g.c1.host;
		double ratio = gd / hd;

		printf("# %s: clock: guest %.3f s, host %.3f s, ratio %.4f\n", name, gd, hd, ratio);
		result(ratio >= 1 - CLOCK_TOLERANCE && ratio <= 1 + CLOCK_TOLERANCE,
		       "guest clock within 5% of the host's",
		       "guest %.3f s against host %.3f s", gd, hd);
	} else {
		result(0, "guest clock within 5% of the host's", "missing clock lines");
	}

	result(g.done, "guest reaches the end", "no 'mvguest: done'");
	if (timed_out)
		result(0, "hypervisor exits with status 0", "killed after %.0f s", timeout);
	else if (WIFEXITED(status))
		result(WEXITSTATUS(status) == 0, "hypervisor exits with status 0",
		       "exit status %d", WEXITSTATUS(status));
	else
		result(0, "hypervisor exits with status 0", "killed by signal %d",
		       WTERMSIG(status));
	printf("# %s: %d of %d results failed, %.2f s in all\n", name, nfail, RESULTS,
	       now() - t0);
	return nfail != 0;
}
