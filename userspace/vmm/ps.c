// SPDX-License-Identifier: GPL-2.0
/* mvm ps: the minivisor VMs on this host, through the netlink family. */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "stat.h"
#include "status.h"

void mvm_ps_usage(FILE *f)
{
	fprintf(f,
"Usage: mvm ps [--json]\n"
"\n"
"The minivisor VMs on this host that you may read (all of them with\n"
"CAP_NET_ADMIN or CAP_SYS_ADMIN, else your own): id, the creating process's\n"
"pid, uid and command name, vCPUs now, guest memory in slots, age.\n"
"\n"
"Options:\n"
"  --json           a JSON array instead of the table\n"
"  -h, --help       this text\n"
"\n"
"Exit status: 0, 2 usage error, 10 netlink failed (no \"minivisor\" family).\n");
}

enum mvm_sub_result mvm_ps_parse(int argc, char *const argv[], struct mvm_sub_opts *o,
				 struct mvm_err *err)
{
	bool failed = false;
	const char *v;
	int i;

	memset(o, 0, sizeof(*o));
	for (i = 2; i < argc; i++) {
		if (mvm_sub_opt(argc, argv, &i, "--help", "-h", false, &v, err, &failed)) {
			return failed ? MVM_SUB_ERROR : MVM_SUB_HELP;
		} else if (mvm_sub_opt(argc, argv, &i, "--json", NULL, false, &v, err, &failed)) {
			if (failed)
				return MVM_SUB_ERROR;
			o->json = true;
		} else {
			mvm_err_set(err, "%s '%s'", argv[i][0] == '-' ? "unknown option" :
				    "unexpected argument", argv[i]);
			return MVM_SUB_ERROR;
		}
	}
	return MVM_SUB_RUN;
}

static void human_bytes(char *buf, size_t size, uint64_t b)
{
	if (b >= (1ull << 30) && !(b & ((1ull << 30) - 1)))
		snprintf(buf, size, "%" PRIu64 "G", b >> 30);
	else if (b >= (1ull << 20) && !(b & ((1ull << 20) - 1)))
		snprintf(buf, size, "%" PRIu64 "M", b >> 20);
	else if (b >= (1ull << 10) && !(b & ((1ull << 10) - 1)))
		snprintf(buf, size, "%" PRIu64 "K", b >> 10);
	else
		snprintf(buf, size, "%" PRIu64, b);
}

static void human_age(char *buf, size_t size, uint64_t created, uint64_t now)
{
	uint64_t s;

	if (!created || now < created) {
		snprintf(buf, size, "-");
		return;
	}
	s = (now - created) / 1000000000ull;
	if (s < 60)
		snprintf(buf, size, "%.1fs", (double)(now - created) / 1e9);
	else if (s < 3600)
		snprintf(buf, size, "%" PRIu64 "m%02" PRIu64 "s", s / 60, s % 60);
	else if (s < 86400)
		snprintf(buf, size, "%" PRIu64 "h%02" PRIu64 "m", s / 3600, s / 60 % 60);
	else
		snprintf(buf, size, "%" PRIu64 "d%02" PRIu64 "h", s / 86400, s / 3600 % 24);
}

void mvm_ps_table(FILE *f, const struct mv_vm_info *vms, size_t n, uint64_t now_ns, bool json)
{
	char mem[32], age[32];
	size_t i;

	if (json) {
		fputc('[', f);
		for (i = 0; i < n; i++) {
			const struct mv_vm_info *v = &vms[i];

			fprintf(f, "%s{\"id\":%u,\"pid\":%u,\"uid\":%u,\"comm\":", i ? "," : "",
				v->id, v->pid, v->uid);
			mvm_json_str(f, v->comm);
			fprintf(f, ",\"vcpus\":%u,\"mem_bytes\":%" PRIu64 ",\"created_ns\":%" PRIu64
				",\"age_s\":%.3f,\"tsc_khz\":%u,\"flight_size\":%u,\"backend\":",
				v->vcpus, v->mem_bytes, v->created_ns,
				v->created_ns && now_ns > v->created_ns ?
				(double)(now_ns - v->created_ns) / 1e9 : 0.0,
				v->tsc_khz, v->flight_size);
			mvm_json_str(f, v->backend);
			fputc('}', f);
		}
		fputs("]\n", f);
		return;
	}
	fprintf(f, "%6s %8s %6s %-16s %5s %8s %9s\n", "ID", "PID", "UID", "COMM", "VCPUS",
		"MEMORY", "AGE");
	for (i = 0; i < n; i++) {
		const struct mv_vm_info *v = &vms[i];

		human_bytes(mem, sizeof(mem), v->mem_bytes);
		human_age(age, sizeof(age), v->created_ns, now_ns);
		fprintf(f, "%6u %8u %6u %-16s %5u %8s %9s\n", v->id, v->pid, v->uid,
			v->comm[0] ? v->comm : "?", v->vcpus, mem, age);
	}
}

int mvm_cmd_ps(int argc, char *const argv[])
{
	struct mvm_sub_opts o;
	struct mv_vm_info *vms;
	struct mvm_err err;
	struct timespec ts;
	struct mv_nl *nl;
	size_t n;
	int ret;

	switch (mvm_ps_parse(argc, argv, &o, &err)) {
	case MVM_SUB_HELP:
		mvm_ps_usage(stdout);
		return 0;
	case MVM_SUB_ERROR:
		fprintf(stderr, "mvm ps: %s\nTry 'mvm ps --help'.\n", err.msg);
		return MVM_STATUS_USAGE;
	case MVM_SUB_RUN:
		break;
	}
	nl = mv_nl_open();
	if (!nl) {
		fprintf(stderr, "mvm ps: %s\n", mv_nl_open_error());
		return MVM_STATUS_HOST;
	}
	ret = mv_vm_list(nl, &vms, &n);
	if (ret) {
		fprintf(stderr, "mvm ps: cannot list the VMs: %s\n", mv_nl_error(nl));
		mv_nl_close(nl);
		return MVM_STATUS_HOST;
	}
	clock_gettime(CLOCK_REALTIME, &ts);
	mvm_ps_table(stdout, vms, n, (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec,
		     o.json);
	free(vms);
	mv_nl_close(nl);
	return 0;
}
