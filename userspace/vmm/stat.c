// SPDX-License-Identifier: GPL-2.0
/*
 * mvm stat: exit statistics of running VMs over netlink, as a live table
 * (like `perf kvm stat live`), JSON or an SVG (Documentation/mvm-stat.md).
 */
#include <errno.h>
#include <math.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "stat.h"
#include "status.h"

void mvm_stat_usage(FILE *f)
{
	fprintf(f,
"Usage: mvm stat [--vm ID] [--vcpu N] [--interval SEC] [--duration SEC]\n"
"                [--sort count|time] [--once] [--json] [--svg FILE]\n"
"\n"
"Exit statistics of minivisor VMs, read through the \"minivisor\" generic\n"
"netlink family: per exit reason the count, its share, the rate, and the\n"
"in-kernel handling time (mean, min, max, p99) in TSC ticks and microseconds,\n"
"then the userspace round trips that followed exits of that reason.\n"
"p99 is an upper bound: the top of the log2 histogram bucket that holds the\n"
"99th percentile (capped at max); '-' when the module records no histograms.\n"
"\n"
"Options:\n"
"  --vm ID          this VM only (default: every VM you may read)\n"
"  --vcpu N         one vCPU of the VM (default: the sum of all its vCPUs)\n"
"  --interval SEC   seconds between samples (default 1; fractions allowed)\n"
"  --duration SEC   stop after SEC seconds (default: at Ctrl-C)\n"
"  --sort count|time  order of the rows: exits or total handling time\n"
"  --once           one sample and exit; rates are over the VM's lifetime\n"
"  --json           JSON instead of the table, one document per sample and line\n"
"  --svg FILE       sample every --interval, then write one SVG to FILE:\n"
"                   handling-time histograms per reason and exits per second\n"
"                   over time (one VM: --vm, or the only VM)\n"
"  -h, --help       this text\n"
"On a terminal the table refreshes in place; piped, each sample is printed\n"
"after the previous one.\n"
"\n"
"Exit status: 0 done (also Ctrl-C, or the VM went away), 2 usage error,\n"
"10 netlink or the module failed (no \"minivisor\" family, no such VM,\n"
"permission denied).\n");
}

bool mvm_sub_opt(int argc, char *const argv[], int *i, const char *name, const char *alias,
		 bool has_value, const char **val, struct mvm_err *err, bool *failed)
{
	const char *a = argv[*i];
	size_t n = strlen(name);

	*val = NULL;
	if (alias && !strcmp(a, alias)) {
		/* fall through to the value */
	} else if (!strncmp(a, name, n) && (a[n] == '\0' || a[n] == '=')) {
		if (a[n] == '=') {
			if (!has_value) {
				mvm_err_set(err, "%s takes no value", name);
				*failed = true;
				return true;
			}
			*val = a + n + 1;
			return true;
		}
	} else {
		return false;
	}
	if (!has_value)
		return true;
	if (*i + 1 >= argc) {
		mvm_err_set(err, "%s needs a value", name);
		*failed = true;
		return true;
	}
	*val = argv[++*i];
	return true;
}

int mvm_sub_seconds(const char *opt, const char *s, double *v, struct mvm_err *err)
{
	char *end;

	errno = 0;
	*v = strtod(s, &end);
	if (!*s || *end || errno || !(*v > 0) || *v > 86400 || isnan(*v)) {
		mvm_err_set(err, "%s: '%s' is not a number of seconds (0 < SEC <= 86400)", opt, s);
		return -EINVAL;
	}
	return 0;
}

int mvm_sub_u32(const char *opt, const char *s, uint32_t min, uint32_t *v, struct mvm_err *err)
{
	unsigned long long x;
	char *end;

	errno = 0;
	x = strtoull(s, &end, 10);
	if (!*s || *end || errno || *s == '-' || x < min || x > INT32_MAX) {
		mvm_err_set(err, "%s: '%s' is not a number from %u to %d", opt, s, min, INT32_MAX);
		return -EINVAL;
	}
	*v = (uint32_t)x;
	return 0;
}

enum mvm_sub_result mvm_stat_parse(int argc, char *const argv[], struct mvm_stat_opts *o,
				   struct mvm_err *err)
{
	bool failed = false;
	const char *v;
	uint32_t u;
	int i;

	memset(o, 0, sizeof(*o));
	o->vcpu = -1;
	o->interval = 1;
	for (i = 2; i < argc; i++) {
		if (mvm_sub_opt(argc, argv, &i, "--help", "-h", false, &v, err, &failed)) {
			if (failed)
				return MVM_SUB_ERROR;
			return MVM_SUB_HELP;
		} else if (mvm_sub_opt(argc, argv, &i, "--vm", NULL, true, &v, err, &failed)) {
			if (failed || mvm_sub_u32("--vm", v, 1, &o->vm_id, err))
				return MVM_SUB_ERROR;
		} else if (mvm_sub_opt(argc, argv, &i, "--vcpu", NULL, true, &v, err, &failed)) {
			if (failed || mvm_sub_u32("--vcpu", v, 0, &u, err))
				return MVM_SUB_ERROR;
			o->vcpu = (int)u;
		} else if (mvm_sub_opt(argc, argv, &i, "--interval", NULL, true, &v, err,
				       &failed)) {
			if (failed || mvm_sub_seconds("--interval", v, &o->interval, err))
				return MVM_SUB_ERROR;
		} else if (mvm_sub_opt(argc, argv, &i, "--duration", NULL, true, &v, err,
				       &failed)) {
			if (failed || mvm_sub_seconds("--duration", v, &o->duration, err))
				return MVM_SUB_ERROR;
		} else if (mvm_sub_opt(argc, argv, &i, "--sort", NULL, true, &v, err, &failed)) {
			if (failed)
				return MVM_SUB_ERROR;
			if (!strcmp(v, "count")) {
				o->sort = MVM_SORT_COUNT;
			} else if (!strcmp(v, "time")) {
				o->sort = MVM_SORT_TIME;
			} else {
				mvm_err_set(err, "--sort: '%s' is not 'count' or 'time'", v);
				return MVM_SUB_ERROR;
			}
		} else if (mvm_sub_opt(argc, argv, &i, "--once", NULL, false, &v, err, &failed)) {
			if (failed)
				return MVM_SUB_ERROR;
			o->once = true;
		} else if (mvm_sub_opt(argc, argv, &i, "--json", NULL, false, &v, err, &failed)) {
			if (failed)
				return MVM_SUB_ERROR;
			o->json = true;
		} else if (mvm_sub_opt(argc, argv, &i, "--svg", NULL, true, &v, err, &failed)) {
			if (failed)
				return MVM_SUB_ERROR;
			if (!*v) {
				mvm_err_set(err, "--svg: empty file name");
				return MVM_SUB_ERROR;
			}
			o->svg = v;
		} else if (argv[i][0] == '-') {
			mvm_err_set(err, "unknown option '%s'", argv[i]);
			return MVM_SUB_ERROR;
		} else {
			mvm_err_set(err, "unexpected argument '%s' (the VM is given with --vm ID)",
				    argv[i]);
			return MVM_SUB_ERROR;
		}
	}
	if (o->svg && o->json) {
		mvm_err_set(err, "--svg and --json exclude each other");
		return MVM_SUB_ERROR;
	}
	if (o->once && o->duration > 0) {
		mvm_err_set(err, "--once and --duration exclude each other");
		return MVM_SUB_ERROR;
	}
	return MVM_SUB_RUN;
}

static volatile sig_atomic_t stop;

static void on_stop(int sig)
{
	(void)sig;
	stop = 1;
}

static void stat_signals(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_stop;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);	/* no SA_RESTART: the sleep ends at once */
	sigaction(SIGTERM, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
}

static double now_mono(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static uint64_t now_real_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static void sleep_s(double s)
{
	struct timespec ts = { .tv_sec = (time_t)s, .tv_nsec = (long)((s - floor(s)) * 1e9) };

	if (!stop)
		nanosleep(&ts, NULL);
}

/* One VM being watched. */
struct watch {
	struct mv_vm_info vi;
	struct mv_stats *cur, *prev;
	bool have_prev, seen;
};

struct stat_state {
	struct watch *w;
	size_t n;
};

static struct watch *find_watch(struct stat_state *st, uint32_t id)
{
	size_t i;

	for (i = 0; i < st->n; i++)
		if (st->w[i].vi.id == id)
			return &st->w[i];
	return NULL;
}

static void free_state(struct stat_state *st)
{
	size_t i;

	for (i = 0; i < st->n; i++) {
		free(st->w[i].cur);
		free(st->w[i].prev);
	}
	free(st->w);
	st->w = NULL;
	st->n = 0;
}

/* The VMs to sample now: --vm, or every VM listed. -errno on a netlink failure. */
static int refresh_vms(struct mv_nl *nl, const struct mvm_stat_opts *o, struct stat_state *st)
{
	struct mv_vm_info *vms = NULL, one;
	size_t n = 0, i, j;
	int ret;

	if (o->vm_id) {
		ret = mv_vm_get(nl, o->vm_id, &one);
		if (ret)
			return ret;
		vms = &one;
		n = 1;
	} else {
		ret = mv_vm_list(nl, &vms, &n);
		if (ret)
			return ret;
	}
	for (i = 0; i < st->n; i++)
		st->w[i].seen = false;
	for (i = 0; i < n; i++) {
		struct watch *w = find_watch(st, vms[i].id);

		if (!w) {
			void *p = realloc(st->w, (st->n + 1) * sizeof(*st->w));

			if (!p) {
				ret = -ENOMEM;
				break;
			}
			st->w = p;
			w = &st->w[st->n];
			memset(w, 0, sizeof(*w));
			w->cur = calloc(1, sizeof(*w->cur));
			w->prev = calloc(1, sizeof(*w->prev));
			if (!w->cur || !w->prev) {
				free(w->cur);
				free(w->prev);
				ret = -ENOMEM;
				break;
			}
			st->n++;
		}
		w->vi = vms[i];
		w->seen = true;
	}
	/* VMs that are gone drop out. */
	for (i = 0, j = 0; i < st->n; i++) {
		if (st->w[i].seen) {
			st->w[j++] = st->w[i];
		} else {
			free(st->w[i].cur);
			free(st->w[i].prev);
		}
	}
	st->n = j;
	if (vms != &one)
		free(vms);
	return ret;
}

static int host_error(const char *what, struct mv_nl *nl, int ret)
{
	fprintf(stderr, "mvm stat: %s: %s\n", what, nl ? mv_nl_error(nl) : mv_nl_open_error());
	if (ret == -EPERM || ret == -EACCES)
		fprintf(stderr, "mvm stat: hint: reading another user's VMs needs CAP_NET_ADMIN "
			"or CAP_SYS_ADMIN\n");
	return MVM_STATUS_HOST;
}

static int write_svg(const char *path, const struct mvm_stat_view *v,
		     const struct mvm_stat_series *s)
{
	FILE *f = fopen(path, "w");
	int bad;

	if (!f) {
		fprintf(stderr, "mvm stat: cannot write %s: %s\n", path, strerror(errno));
		return MVM_STATUS_USAGE;
	}
	mvm_stat_svg(f, v, s);
	bad = ferror(f);
	if (fclose(f) || bad) {
		fprintf(stderr, "mvm stat: writing %s failed: %s\n", path, strerror(errno));
		return MVM_STATUS_HOST;
	}
	fprintf(stderr, "mvm stat: wrote %s (%zu samples)\n", path, s->n);
	return 0;
}

static int run_stat(const struct mvm_stat_opts *o)
{
	struct mvm_stat_series series = { 0 };
	struct stat_state st = { 0 };
	struct mvm_stat_view *views = NULL;
	bool tty = isatty(STDOUT_FILENO);
	double t0 = now_mono(), tprev = t0;
	struct mv_nl *nl;
	int ret, status = 0;
	size_t i;

	nl = mv_nl_open();
	if (!nl)
		return host_error("cannot open the netlink family", NULL, -errno);
	stat_signals();
	for (;;) {
		double t = now_mono();
		uint64_t rt = now_real_ns();
		unsigned int nv = 0;

		ret = refresh_vms(nl, o, &st);
		if (ret == -ENOENT && o->vm_id && st.n) {
			fprintf(stderr, "mvm stat: VM %u is gone\n", o->vm_id);
			break;
		}
		if (ret) {
			status = host_error(o->vm_id ? "cannot read the VM" : "cannot list the VMs",
					    nl, ret);
			goto out;
		}
		if (o->vcpu >= 0 && st.n > 1) {
			fprintf(stderr, "mvm stat: --vcpu needs --vm ID: there are %zu VMs\n", st.n);
			status = MVM_STATUS_USAGE;
			goto out;
		}
		if (o->svg && st.n > 1) {
			fprintf(stderr, "mvm stat: --svg draws one VM: give --vm ID (there are "
				"%zu VMs)\n", st.n);
			status = MVM_STATUS_USAGE;
			goto out;
		}
		free(views);
		views = calloc(st.n ? st.n : 1, sizeof(*views));
		if (!views) {
			status = MVM_STATUS_HOST;
			goto out;
		}
		for (i = 0; i < st.n; i++) {
			struct watch *w = &st.w[i];
			struct mv_stats *tmp;

			tmp = w->prev;
			w->prev = w->cur;
			w->cur = tmp;
			ret = mv_stats_get(nl, w->vi.id, o->vcpu, w->cur);
			if (ret == -ENOENT && !o->vm_id) {
				/* Destroyed between the list and the read. */
				w->have_prev = false;
				continue;
			}
			if (ret) {
				status = host_error("cannot read the statistics", nl, ret);
				goto out;
			}
			views[nv].vm = &w->vi;
			views[nv].cur = w->cur;
			if (w->have_prev) {
				views[nv].prev = w->prev;
				views[nv].dt = t - tprev;
			} else if (o->once && w->vi.created_ns && rt > w->vi.created_ns) {
				views[nv].dt = (double)(rt - w->vi.created_ns) / 1e9;
			}
			w->have_prev = true;
			nv++;
		}
		if (o->svg) {
			if (nv && mvm_series_add(&series, t - t0, views[0].cur)) {
				fprintf(stderr, "mvm stat: out of memory for the samples\n");
				status = MVM_STATUS_HOST;
				goto out;
			}
		} else if (o->json) {
			mvm_stat_json(stdout, views, nv, o->sort, rt);
		} else {
			if (tty && !o->once)
				fputs("\033[H\033[2J", stdout);
			else if (t > t0 + 1e-9 && !o->once)
				fputc('\n', stdout);
			if (!nv)
				printf("no minivisor VMs%s\n", o->vm_id ? "" : " on this host");
			for (i = 0; i < nv; i++) {
				if (i)
					fputc('\n', stdout);
				mvm_stat_table(stdout, &views[i], o->sort);
			}
		}
		fflush(stdout);
		tprev = t;
		if (o->once || stop || (o->duration > 0 && t - t0 + 1e-6 >= o->duration))
			break;
		sleep_s(o->duration > 0 && t - t0 + o->interval > o->duration ?
			o->duration - (t - t0) : o->interval);
		if (stop && !o->svg)
			break;
	}
	if (o->svg) {
		struct watch *w = st.n ? &st.w[0] : NULL;
		struct mvm_stat_view v = { 0 };

		if (!w || !series.n) {
			fprintf(stderr, "mvm stat: no VM to draw\n");
			status = MVM_STATUS_HOST;
			goto out;
		}
		v.vm = &w->vi;
		v.cur = w->cur;
		status = write_svg(o->svg, &v, &series);
	}
out:
	free(views);
	mvm_series_free(&series);
	free_state(&st);
	mv_nl_close(nl);
	return status;
}

int mvm_cmd_stat(int argc, char *const argv[])
{
	struct mvm_stat_opts o;
	struct mvm_err err;

	switch (mvm_stat_parse(argc, argv, &o, &err)) {
	case MVM_SUB_HELP:
		mvm_stat_usage(stdout);
		return 0;
	case MVM_SUB_ERROR:
		fprintf(stderr, "mvm stat: %s\nTry 'mvm stat --help'.\n", err.msg);
		return MVM_STATUS_USAGE;
	case MVM_SUB_RUN:
		break;
	}
	return run_stat(&o);
}
