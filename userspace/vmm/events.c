// SPDX-License-Identifier: GPL-2.0
/*
 * mvm events: follow the "events" multicast group of the "minivisor"
 * family and print each event as it arrives, one line each (or JSON).
 */
#include <errno.h>
#include <inttypes.h>
#include <signal.h>
#include <string.h>
#include <time.h>

#include "stat.h"
#include "status.h"

void mvm_events_usage(FILE *f)
{
	fprintf(f,
"Usage: mvm events [--vm ID] [--json] [--count N] [--duration SEC]\n"
"\n"
"Follow the \"events\" group of the \"minivisor\" generic netlink family and\n"
"print each event as it happens, one line each: the time (UTC), the event\n"
"(VM_CREATED, VM_DESTROYED, ENTRY_FAILED, SHUTDOWN, INTERNAL_ERROR,\n"
"UNHANDLED_EXIT) and its fields as name=value. The module rate-limits events\n"
"per VM; dropped=N says how many of that VM's events were dropped before it.\n"
"\n"
"Options:\n"
"  --vm ID          only events of this VM\n"
"  --json           one JSON object per line instead\n"
"  --count N        exit after N events\n"
"  --duration SEC   exit after SEC seconds\n"
"  -h, --help       this text\n"
"\n"
"Exit status: 0 done (also Ctrl-C), 2 usage error, 10 netlink failed (no\n"
"\"minivisor\" family: the module is not loaded).\n");
}

enum mvm_sub_result mvm_events_parse(int argc, char *const argv[], struct mvm_sub_opts *o,
				     struct mvm_err *err)
{
	bool failed = false;
	const char *v;
	uint32_t u;
	int i;

	memset(o, 0, sizeof(*o));
	for (i = 2; i < argc; i++) {
		if (mvm_sub_opt(argc, argv, &i, "--help", "-h", false, &v, err, &failed)) {
			return failed ? MVM_SUB_ERROR : MVM_SUB_HELP;
		} else if (mvm_sub_opt(argc, argv, &i, "--vm", NULL, true, &v, err, &failed)) {
			if (failed || mvm_sub_u32("--vm", v, 1, &o->vm_id, err))
				return MVM_SUB_ERROR;
		} else if (mvm_sub_opt(argc, argv, &i, "--json", NULL, false, &v, err, &failed)) {
			if (failed)
				return MVM_SUB_ERROR;
			o->json = true;
		} else if (mvm_sub_opt(argc, argv, &i, "--count", NULL, true, &v, err, &failed)) {
			if (failed || mvm_sub_u32("--count", v, 1, &u, err))
				return MVM_SUB_ERROR;
			o->count = u;
		} else if (mvm_sub_opt(argc, argv, &i, "--duration", NULL, true, &v, err,
				       &failed)) {
			if (failed || mvm_sub_seconds("--duration", v, &o->duration, err))
				return MVM_SUB_ERROR;
		} else {
			mvm_err_set(err, "%s '%s'", argv[i][0] == '-' ? "unknown option" :
				    "unexpected argument", argv[i]);
			return MVM_SUB_ERROR;
		}
	}
	return MVM_SUB_RUN;
}

static void iso_time(char *buf, size_t size, uint64_t ns)
{
	time_t s = (time_t)(ns / 1000000000ull);
	struct tm tm;

	if (!ns || !gmtime_r(&s, &tm)) {
		snprintf(buf, size, "-");
		return;
	}
	snprintf(buf, size, "%04d-%02d-%02dT%02d:%02d:%02d.%06uZ", tm.tm_year + 1900,
		 tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
		 (unsigned int)(ns % 1000000000ull / 1000));
}

void mvm_event_line(FILE *f, const struct mv_event *ev, bool json)
{
	char t[48];

	if (json) {
		fprintf(f, "{\"event\":\"%s\",\"type\":%u,\"vm\":%u,\"pid\":%u,\"time_ns\":%" PRIu64,
			mv_nl_event_str(ev->type), ev->type, ev->vm_id, ev->pid, ev->time_ns);
		if (ev->vcpu >= 0)
			fprintf(f, ",\"vcpu\":%d", ev->vcpu);
		if (ev->has_uid)
			fprintf(f, ",\"uid\":%u", ev->uid);
		if (ev->comm[0]) {
			fputs(",\"comm\":", f);
			mvm_json_str(f, ev->comm);
		}
		if (ev->has_reason)
			fprintf(f, ",\"reason\":%" PRIu64, ev->reason);
		if (ev->has_qual)
			fprintf(f, ",\"qual\":%" PRIu64, ev->qual);
		if (ev->has_rip)
			fprintf(f, ",\"rip\":%" PRIu64, ev->rip);
		if (ev->rule[0]) {
			fputs(",\"rule\":", f);
			mvm_json_str(f, ev->rule);
		}
		if (ev->has_suberror) {
			fprintf(f, ",\"suberror\":%u,\"suberror_name\":", ev->suberror);
			mvm_json_str(f, mv_internal_suberror_str(ev->suberror));
		}
		fprintf(f, ",\"dropped\":%u}\n", ev->dropped);
		return;
	}
	iso_time(t, sizeof(t), ev->time_ns);
	fprintf(f, "%s %-14s vm=%u pid=%u", t, mv_nl_event_str(ev->type), ev->vm_id, ev->pid);
	if (ev->vcpu >= 0)
		fprintf(f, " vcpu=%d", ev->vcpu);
	if (ev->has_uid)
		fprintf(f, " uid=%u", ev->uid);
	if (ev->comm[0])
		fprintf(f, " comm=%s", ev->comm);
	if (ev->has_suberror)
		fprintf(f, " suberror=%s", mv_internal_suberror_str(ev->suberror));
	if (ev->has_reason)
		fprintf(f, " reason=%#" PRIx64, ev->reason);
	if (ev->has_qual)
		fprintf(f, " qual=%#" PRIx64, ev->qual);
	if (ev->has_rip)
		fprintf(f, " rip=%#" PRIx64, ev->rip);
	if (ev->rule[0])
		fprintf(f, " rule=%s", ev->rule);
	if (ev->dropped)
		fprintf(f, " dropped=%u", ev->dropped);
	fputc('\n', f);
}

static volatile sig_atomic_t stop;

static void on_stop(int sig)
{
	(void)sig;
	stop = 1;
}

static double mono(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

int mvm_cmd_events(int argc, char *const argv[])
{
	struct mvm_sub_opts o;
	struct sigaction sa;
	struct mvm_err err;
	struct mv_event ev;
	struct mv_nl *nl;
	double t0 = mono();
	long seen = 0;
	int ret, status = 0;

	switch (mvm_events_parse(argc, argv, &o, &err)) {
	case MVM_SUB_HELP:
		mvm_events_usage(stdout);
		return 0;
	case MVM_SUB_ERROR:
		fprintf(stderr, "mvm events: %s\nTry 'mvm events --help'.\n", err.msg);
		return MVM_STATUS_USAGE;
	case MVM_SUB_RUN:
		break;
	}
	nl = mv_nl_open();
	if (!nl) {
		fprintf(stderr, "mvm events: %s\n", mv_nl_open_error());
		return MVM_STATUS_HOST;
	}
	ret = mv_events_subscribe(nl);
	if (ret) {
		fprintf(stderr, "mvm events: %s\n", mv_nl_error(nl));
		mv_nl_close(nl);
		return MVM_STATUS_HOST;
	}
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_stop;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
	/* Subscribed: a parent waiting for this line knows no event is missed from now on. */
	fprintf(stderr, "mvm events: listening\n");
	while (!stop) {
		int ms = 1000;

		if (o.duration > 0) {
			double left = o.duration - (mono() - t0);

			if (left <= 0)
				break;
			ms = left < 1 ? (int)(left * 1000) + 1 : 1000;
		}
		ret = mv_event_next(nl, &ev, ms);
		if (ret == -EINTR)
			continue;
		if (ret < 0) {
			fprintf(stderr, "mvm events: %s\n", mv_nl_error(nl));
			status = MVM_STATUS_HOST;
			break;
		}
		if (!ret || (o.vm_id && ev.vm_id != o.vm_id))
			continue;
		mvm_event_line(stdout, &ev, o.json);
		if (fflush(stdout))
			break;		/* the reader went away */
		if (o.count && ++seen >= o.count)
			break;
	}
	mv_nl_close(nl);
	return status;
}
