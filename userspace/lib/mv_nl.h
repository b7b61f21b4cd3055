/* SPDX-License-Identifier: GPL-2.0 */
/*
 * libminivisor's view of the "minivisor" generic netlink family
 * (Documentation/netlink.md, the ABI at the end of uapi/linux/minivisor.h):
 * plain C structures and calls, no libnl types. Included by libminivisor.h;
 * the implementation (mv_nl.c) links against libnl-genl-3 and libnl-3.
 *
 * Every call returns 0 (or a count) or a negative errno. After a failure
 * mv_nl_error() holds a one-line reason: the kernel's extack message when
 * it sent one, else what the library saw.
 */
#ifndef MV_NL_H
#define MV_NL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <linux/minivisor.h>

#define MV_NL_MAX_REASONS	128	/* raw exit reasons a reply may carry */
#define MV_NL_MAX_USER_TYPES	32	/* enum mv_exit_reason values */
#define MV_NL_NAME_LEN		32
#define MV_NL_ERR_LEN		256

struct mv_vm_info {
	uint32_t id;
	uint32_t pid;			/* creator's thread-group id */
	uint32_t uid;			/* creator's euid (reader's user namespace) */
	uint32_t vcpus;			/* vCPUs that exist now */
	uint64_t mem_bytes;
	uint64_t created_ns;		/* CLOCK_REALTIME */
	uint32_t tsc_khz;		/* 0: not reported */
	uint32_t flight_size;		/* flight-recorder entries per vCPU (0: off) */
	char comm[MV_NL_NAME_LEN];
	char backend[MV_NL_NAME_LEN];
};

struct mv_reason_stats {
	uint32_t id;			/* raw exit reason (backend numbering) */
	char name[MV_NL_NAME_LEN];	/* "CPUID"; "" if the kernel sent none */
	uint64_t count, ticks, min, max;	/* in-kernel handling */
	uint64_t ucount, uticks, umin, umax;	/* userspace round trips after it */
	bool has_hist, has_uhist;
	/* bucket i: times t with fls64(t) == i (0: 0 ticks, 1: 1, 2: 2-3, ...) */
	uint64_t hist[MV_STATS_HIST_BUCKETS];
	uint64_t uhist[MV_STATS_HIST_BUCKETS];
};

struct mv_user_exit_stats {
	uint32_t type;			/* enum mv_exit_reason */
	uint64_t count;
};

struct mv_stats {
	uint32_t vm_id;
	int32_t vcpu;			/* -1: the whole VM */
	uint32_t tsc_khz;		/* 0 unless the reply carried it */
	uint64_t exits, guest_ticks, kernel_ticks, user_ticks;
	uint64_t irqs, nmis, exceptions, halts, halt_wakeups;
	bool histograms;		/* MV_NL_STATS_HISTOGRAMS was 1 */
	unsigned int nreasons;		/* in reply order */
	struct mv_reason_stats reason[MV_NL_MAX_REASONS];
	unsigned int nuser;
	struct mv_user_exit_stats user[MV_NL_MAX_USER_TYPES];
};

struct mv_flight_rec {
	uint32_t reason;		/* raw exit reason */
	char name[MV_NL_NAME_LEN];
	uint64_t qual, rip, gpa;
	bool has_gpa;			/* EPT exits only */
	uint64_t tsc, ticks;
	uint32_t user;			/* enum mv_exit_reason if it went to userspace, else 0 */
};

struct mv_event {
	uint32_t type;			/* enum mv_nl_event */
	uint32_t vm_id;
	uint32_t pid;
	uint64_t time_ns;		/* CLOCK_REALTIME */
	int32_t vcpu;			/* -1: none */
	bool has_uid, has_reason, has_qual, has_rip, has_suberror;
	uint32_t uid;
	uint64_t reason, qual, rip;
	uint32_t suberror;
	uint32_t dropped;		/* events of this VM dropped before this one */
	char comm[MV_NL_NAME_LEN];
	char rule[64];			/* entry check that failed */
};

struct mv_nl;

/* NULL + errno on failure (ENOENT: no "minivisor" family: module not loaded). */
struct mv_nl *mv_nl_open(void);
void mv_nl_close(struct mv_nl *nl);
const char *mv_nl_error(const struct mv_nl *nl);
/* The open failure's reason (there is no handle to ask). */
const char *mv_nl_open_error(void);
uint32_t mv_nl_family_version(const struct mv_nl *nl);	/* the kernel's, from the controller */

/* Every VM the caller may read, in id order; *vms is malloc'ed (free()). */
int mv_vm_list(struct mv_nl *nl, struct mv_vm_info **vms, size_t *n);
int mv_vm_get(struct mv_nl *nl, uint32_t vm_id, struct mv_vm_info *out);
/* vcpu -1: the VM's sum. */
int mv_stats_get(struct mv_nl *nl, uint32_t vm_id, int vcpu, struct mv_stats *out);
int mv_stats_reset(struct mv_nl *nl, uint32_t vm_id, int vcpu);
/* The last exits, oldest first: returns how many were stored (<= max). */
int mv_flight_get(struct mv_nl *nl, uint32_t vm_id, uint32_t vcpu,
		  struct mv_flight_rec *recs, size_t max);
/* Join the "events" group; then mv_event_next(): 1 event, 0 timeout, -errno. */
int mv_events_subscribe(struct mv_nl *nl);
int mv_event_next(struct mv_nl *nl, struct mv_event *ev, int timeout_ms);
int mv_nl_event_fd(const struct mv_nl *nl);	/* to poll(); -1 before subscribing */

/*
 * The attribute parsers behind those calls, on the attributes of one
 * message (after the genlmsghdr). Pure: the host tests feed them crafted
 * buffers. Unknown attributes are skipped (a newer kernel may add some);
 * wrong lengths, truncated attributes and out-of-range values give -EINVAL
 * and a message in err (MV_NL_ERR_LEN bytes, may be NULL).
 */
int mv_nl_parse_vm(const void *attrs, size_t len, struct mv_vm_info *out, char *err);
int mv_nl_parse_stats(const void *attrs, size_t len, struct mv_stats *out, char *err);
/* Appends to recs[*n..max); entries beyond max are counted in *n but not stored. */
int mv_nl_parse_flight(const void *attrs, size_t len, struct mv_flight_rec *recs,
		       size_t max, size_t *n, char *err);
int mv_nl_parse_event(const void *attrs, size_t len, struct mv_event *out, char *err);

const char *mv_nl_event_str(uint32_t type);	/* "VM_CREATED", ... or "UNKNOWN" */
/* A reason's entry in s, or NULL. */
const struct mv_reason_stats *mv_stats_find(const struct mv_stats *s, uint32_t id);
uint64_t mv_stats_user_count(const struct mv_stats *s, uint32_t type);

#endif /* MV_NL_H */
