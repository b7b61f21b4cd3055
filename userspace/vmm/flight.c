// SPDX-License-Identifier: GPL-2.0
/*
 * The exit flight recorder as a table: what mvm prints when its guest dies
 * (triple fault, failed VM entry, internal error), read over netlink.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "stat.h"

#define MVM_FLIGHT_MAX	4096

void mvm_flight_table(FILE *f, const struct mv_flight_rec *recs, size_t n, uint32_t tsc_khz)
{
	uint64_t last = n ? recs[n - 1].tsc : 0;
	size_t i;

	fprintf(f, "%4s %-22s %18s %18s %18s %12s %9s %s\n", "#", "reason", "rip", "qual",
		"gpa", "tsc-last", "ticks", "user");
	for (i = 0; i < n; i++) {
		const struct mv_flight_rec *r = &recs[i];
		char name[MV_NL_NAME_LEN], gpa[24];

		if (r->name[0])
			snprintf(name, sizeof(name), "%s", r->name);
		else
			snprintf(name, sizeof(name), "reason_%u", r->reason);
		if (r->has_gpa)
			snprintf(gpa, sizeof(gpa), "0x%" PRIx64, r->gpa);
		else
			snprintf(gpa, sizeof(gpa), "-");
		/* Age relative to the last exit: negative ticks before it. */
		fprintf(f, "%4zd %-22s %#18" PRIx64 " %#18" PRIx64 " %18s %12" PRId64 " %9" PRIu64
			" %s\n", (ssize_t)i - (ssize_t)n + 1, name, r->rip, r->qual, gpa,
			(int64_t)(r->tsc - last), r->ticks,
			r->user ? mv_exit_reason_str(r->user) : "-");
	}
	if (tsc_khz && n > 1)
		fprintf(f, "(%zu exits over %.3f us; # 0 is the last exit, tsc-last in TSC ticks "
			"relative to it)\n", n, (double)(last - recs[0].tsc) * 1000.0 / tsc_khz);
	else
		fprintf(f, "(%zu exits; # 0 is the last exit, tsc-last in TSC ticks relative to "
			"it)\n", n);
}

void mvm_flight_dump(int vm_fd, unsigned int vcpu, FILE *f)
{
	struct mv_flight_rec *recs;
	struct mv_vm_info vi;
	struct mv_nl *nl;
	int id, n;

	id = mv_get_vm_id(vm_fd);
	if (id < 0) {
		fprintf(f, "mvm: no flight recorder: MV_GET_VM_ID: %s\n", strerror(-id));
		return;
	}
	nl = mv_nl_open();
	if (!nl) {
		fprintf(f, "mvm: no flight recorder: %s\n", mv_nl_open_error());
		return;
	}
	if (mv_vm_get(nl, (uint32_t)id, &vi))
		memset(&vi, 0, sizeof(vi));
	recs = calloc(MVM_FLIGHT_MAX, sizeof(*recs));
	if (!recs) {
		fprintf(f, "mvm: no flight recorder: out of memory\n");
		mv_nl_close(nl);
		return;
	}
	n = mv_flight_get(nl, (uint32_t)id, vcpu, recs, MVM_FLIGHT_MAX);
	if (n < 0)
		fprintf(f, "mvm: no flight recorder: %s\n", mv_nl_error(nl));
	else if (n == 0)
		fprintf(f, "mvm: flight recorder of VM %d vCPU %u is empty%s\n", id, vcpu,
			vi.id && !vi.flight_size ? " (off: module parameter flight_entries=0)" : "");
	else {
		fprintf(f, "mvm: flight recorder of VM %d vCPU %u, the last %d exits, oldest "
			"first:\n", id, vcpu, n);
		mvm_flight_table(f, recs, (size_t)n, vi.tsc_khz);
	}
	free(recs);
	mv_nl_close(nl);
}
