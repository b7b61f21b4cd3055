// SPDX-License-Identifier: GPL-2.0
/*
 * libminivisor: the "minivisor" generic netlink family through libnl-genl-3
 * (mv_nl.h). Requests go out on one socket with extended ACKs on, so a
 * refused request comes back with the kernel's message naming the bad
 * attribute; events arrive on a second socket that joined "events" (so a
 * reply and an event can never be mistaken for each other).
 *
 * The attribute parsers check every length themselves instead of relying
 * on a policy table: a reply with a short or oversized attribute is an
 * error with a message, never an overread.
 */
#include <errno.h>
#include <inttypes.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <linux/netlink.h>

#include <netlink/netlink.h>
#include <netlink/attr.h>
#include <netlink/msg.h>
#include <netlink/genl/genl.h>
#include <netlink/genl/ctrl.h>
#include <netlink/genl/family.h>

#include "libminivisor.h"

#ifndef SOL_NETLINK
#define SOL_NETLINK 270
#endif

#define MV_NL_EVQ	64	/* events queued from one read */

struct mv_nl {
	struct nl_sock *sk;		/* requests */
	struct nl_sock *ev;		/* "events" group; NULL until subscribed */
	int family;
	uint32_t version;
	char err[MV_NL_ERR_LEN];
	struct mv_event evq[MV_NL_EVQ];
	unsigned int evq_head, evq_len;
	uint32_t ev_lost;		/* queue overflows (reported in the next event) */
};

static __thread char open_err[MV_NL_ERR_LEN];

static void seterr(char *err, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void seterr(char *err, const char *fmt, ...)
{
	va_list ap;

	if (!err)
		return;
	va_start(ap, fmt);
	vsnprintf(err, MV_NL_ERR_LEN, fmt, ap);
	va_end(ap);
}

/* libnl's own error codes, as errno values. */
static int nlerr_to_errno(int e)
{
	switch (e < 0 ? -e : e) {
	case NLE_NOMEM:		return -ENOMEM;
	case NLE_AGAIN:		return -EAGAIN;
	case NLE_INTR:		return -EINTR;
	case NLE_PERM:		return -EPERM;
	case NLE_NOACCESS:	return -EACCES;
	case NLE_OBJ_NOTFOUND:	return -ENOENT;
	case NLE_NODEV:		return -ENODEV;
	case NLE_BUSY:		return -EBUSY;
	case NLE_RANGE:		return -ERANGE;
	case NLE_INVAL:		return -EINVAL;
	case NLE_MSGSIZE:	return -EMSGSIZE;
	case NLE_OPNOTSUPP:	return -EOPNOTSUPP;
	case NLE_AF_NOSUPPORT:	return -EAFNOSUPPORT;
	case NLE_SEQ_MISMATCH:
	case NLE_MSG_TRUNC:
	case NLE_MSG_TOOSHORT:
	case NLE_MSG_OVERFLOW:	return -EPROTO;
	default:		return -EIO;
	}
}

/* ---- attribute parsing (pure) ---- */

static int want_len(const struct nlattr *a, int len, const char *what, char *err)
{
	if (nla_len(a) != len) {
		seterr(err, "%s: %d bytes, expected %d", what, nla_len(a), len);
		return -EINVAL;
	}
	return 0;
}

static int get_u32(const struct nlattr *a, const char *what, uint32_t *v, char *err)
{
	int ret = want_len(a, 4, what, err);

	if (!ret)
		memcpy(v, nla_data(a), 4);
	return ret;
}

static int get_u64(const struct nlattr *a, const char *what, uint64_t *v, char *err)
{
	int ret = want_len(a, 8, what, err);

	if (!ret)
		memcpy(v, nla_data(a), 8);
	return ret;
}

static int get_u8(const struct nlattr *a, const char *what, uint8_t *v, char *err)
{
	int ret = want_len(a, 1, what, err);

	if (!ret)
		memcpy(v, nla_data(a), 1);
	return ret;
}

/* A NUL-terminated string that fits in size bytes (longer: truncated, not an error). */
static int get_str(const struct nlattr *a, const char *what, char *s, size_t size, char *err)
{
	const char *d = nla_data(a);
	int n = nla_len(a);

	if (n < 1 || d[n - 1] != '\0' || memchr(d, '\0', n) != d + n - 1) {
		seterr(err, "%s: not a NUL-terminated string", what);
		return -EINVAL;
	}
	snprintf(s, size, "%s", d);
	return 0;
}

static int get_hist(const struct nlattr *a, const char *what, uint64_t *h, char *err)
{
	int ret = want_len(a, MV_STATS_HIST_BUCKETS * 8, what, err);

	if (!ret)
		memcpy(h, nla_data(a), MV_STATS_HIST_BUCKETS * 8);
	return ret;
}

/* After nla_for_each_attr: anything left over is a truncated attribute. */
static int check_rem(int rem, const char *where, char *err)
{
	if (rem) {
		seterr(err, "%s: %d bytes of truncated or malformed attribute", where, rem);
		return -EINVAL;
	}
	return 0;
}

static int check_len(size_t len, const char *where, char *err)
{
	if (len > INT32_MAX) {
		seterr(err, "%s: %zu bytes is too long", where, len);
		return -EINVAL;
	}
	return 0;
}

int mv_nl_parse_vm(const void *attrs, size_t len, struct mv_vm_info *out, char *err)
{
	struct nlattr *a;
	bool have_id = false;
	int rem, ret = check_len(len, "VM", err);

	memset(out, 0, sizeof(*out));
	if (ret)
		return ret;
	nla_for_each_attr(a, (struct nlattr *)attrs, (int)len, rem) {
		switch (nla_type(a)) {
		case MV_NL_A_VM_ID:
			ret = get_u32(a, "MV_NL_A_VM_ID", &out->id, err);
			have_id = true;
			break;
		case MV_NL_A_PID:
			ret = get_u32(a, "MV_NL_A_PID", &out->pid, err);
			break;
		case MV_NL_A_UID:
			ret = get_u32(a, "MV_NL_A_UID", &out->uid, err);
			break;
		case MV_NL_A_VCPU_COUNT:
			ret = get_u32(a, "MV_NL_A_VCPU_COUNT", &out->vcpus, err);
			break;
		case MV_NL_A_MEM_BYTES:
			ret = get_u64(a, "MV_NL_A_MEM_BYTES", &out->mem_bytes, err);
			break;
		case MV_NL_A_CREATED_NS:
			ret = get_u64(a, "MV_NL_A_CREATED_NS", &out->created_ns, err);
			break;
		case MV_NL_A_COMM:
			ret = get_str(a, "MV_NL_A_COMM", out->comm, sizeof(out->comm), err);
			break;
		case MV_NL_A_TSC_KHZ:
			ret = get_u32(a, "MV_NL_A_TSC_KHZ", &out->tsc_khz, err);
			break;
		case MV_NL_A_BACKEND:
			ret = get_str(a, "MV_NL_A_BACKEND", out->backend, sizeof(out->backend), err);
			break;
		case MV_NL_A_FLIGHT_SIZE:
			ret = get_u32(a, "MV_NL_A_FLIGHT_SIZE", &out->flight_size, err);
			break;
		default:
			break;
		}
		if (ret)
			return ret;
	}
	ret = check_rem(rem, "VM", err);
	if (ret)
		return ret;
	if (!have_id) {
		seterr(err, "VM: no MV_NL_A_VM_ID");
		return -EINVAL;
	}
	return 0;
}

static int parse_reason(struct nlattr *nest, struct mv_reason_stats *r, char *err)
{
	struct nlattr *a;
	bool have_id = false;
	int rem, ret = 0;

	memset(r, 0, sizeof(*r));
	nla_for_each_nested(a, nest, rem) {
		switch (nla_type(a)) {
		case MV_NL_REASON_ID:
			ret = get_u32(a, "MV_NL_REASON_ID", &r->id, err);
			have_id = true;
			break;
		case MV_NL_REASON_NAME:
			ret = get_str(a, "MV_NL_REASON_NAME", r->name, sizeof(r->name), err);
			break;
		case MV_NL_REASON_COUNT:
			ret = get_u64(a, "MV_NL_REASON_COUNT", &r->count, err);
			break;
		case MV_NL_REASON_TICKS:
			ret = get_u64(a, "MV_NL_REASON_TICKS", &r->ticks, err);
			break;
		case MV_NL_REASON_MIN:
			ret = get_u64(a, "MV_NL_REASON_MIN", &r->min, err);
			break;
		case MV_NL_REASON_MAX:
			ret = get_u64(a, "MV_NL_REASON_MAX", &r->max, err);
			break;
		case MV_NL_REASON_HIST:
			ret = get_hist(a, "MV_NL_REASON_HIST", r->hist, err);
			r->has_hist = !ret;
			break;
		case MV_NL_REASON_USER_COUNT:
			ret = get_u64(a, "MV_NL_REASON_USER_COUNT", &r->ucount, err);
			break;
		case MV_NL_REASON_USER_TICKS:
			ret = get_u64(a, "MV_NL_REASON_USER_TICKS", &r->uticks, err);
			break;
		case MV_NL_REASON_USER_MIN:
			ret = get_u64(a, "MV_NL_REASON_USER_MIN", &r->umin, err);
			break;
		case MV_NL_REASON_USER_MAX:
			ret = get_u64(a, "MV_NL_REASON_USER_MAX", &r->umax, err);
			break;
		case MV_NL_REASON_USER_HIST:
			ret = get_hist(a, "MV_NL_REASON_USER_HIST", r->uhist, err);
			r->has_uhist = !ret;
			break;
		default:
			break;
		}
		if (ret)
			return ret;
	}
	ret = check_rem(rem, "MV_NL_STATS_REASON", err);
	if (ret)
		return ret;
	if (!have_id) {
		seterr(err, "MV_NL_STATS_REASON without MV_NL_REASON_ID");
		return -EINVAL;
	}
	/*
	 * No ucount <= count check: a VM's sum may be read reason by reason
	 * while a vCPU runs (Documentation/stats.md), so the kernel promises
	 * agreement within a row only for a vCPU that is not running.
	 */
	return 0;
}

static int parse_user_exit(struct nlattr *nest, struct mv_user_exit_stats *u, char *err)
{
	struct nlattr *a;
	bool have_type = false;
	int rem, ret = 0;

	memset(u, 0, sizeof(*u));
	nla_for_each_nested(a, nest, rem) {
		switch (nla_type(a)) {
		case MV_NL_USER_EXIT_TYPE:
			ret = get_u32(a, "MV_NL_USER_EXIT_TYPE", &u->type, err);
			have_type = true;
			break;
		case MV_NL_USER_EXIT_COUNT:
			ret = get_u64(a, "MV_NL_USER_EXIT_COUNT", &u->count, err);
			break;
		default:
			break;
		}
		if (ret)
			return ret;
	}
	ret = check_rem(rem, "MV_NL_STATS_USER_EXIT", err);
	if (!ret && !have_type) {
		seterr(err, "MV_NL_STATS_USER_EXIT without MV_NL_USER_EXIT_TYPE");
		ret = -EINVAL;
	}
	return ret;
}

static int parse_stats_nest(struct nlattr *nest, struct mv_stats *s, char *err)
{
	static const struct { int type; size_t off; const char *name; } u64s[] = {
		{ MV_NL_STATS_EXITS, offsetof(struct mv_stats, exits), "MV_NL_STATS_EXITS" },
		{ MV_NL_STATS_GUEST_TICKS, offsetof(struct mv_stats, guest_ticks),
		  "MV_NL_STATS_GUEST_TICKS" },
		{ MV_NL_STATS_KERNEL_TICKS, offsetof(struct mv_stats, kernel_ticks),
		  "MV_NL_STATS_KERNEL_TICKS" },
		{ MV_NL_STATS_USER_TICKS, offsetof(struct mv_stats, user_ticks),
		  "MV_NL_STATS_USER_TICKS" },
		{ MV_NL_STATS_IRQS, offsetof(struct mv_stats, irqs), "MV_NL_STATS_IRQS" },
		{ MV_NL_STATS_NMIS, offsetof(struct mv_stats, nmis), "MV_NL_STATS_NMIS" },
		{ MV_NL_STATS_EXCEPTIONS, offsetof(struct mv_stats, exceptions),
		  "MV_NL_STATS_EXCEPTIONS" },
		{ MV_NL_STATS_HALTS, offsetof(struct mv_stats, halts), "MV_NL_STATS_HALTS" },
		{ MV_NL_STATS_HALT_WAKEUPS, offsetof(struct mv_stats, halt_wakeups),
		  "MV_NL_STATS_HALT_WAKEUPS" },
	};
	struct nlattr *a;
	unsigned int i;
	int rem, ret = 0;
	uint8_t h = 0;

	nla_for_each_nested(a, nest, rem) {
		int t = nla_type(a);

		for (i = 0; i < sizeof(u64s) / sizeof(u64s[0]); i++)
			if (u64s[i].type == t)
				break;
		if (i < sizeof(u64s) / sizeof(u64s[0])) {
			ret = get_u64(a, u64s[i].name, (uint64_t *)((char *)s + u64s[i].off), err);
		} else if (t == MV_NL_STATS_HISTOGRAMS) {
			ret = get_u8(a, "MV_NL_STATS_HISTOGRAMS", &h, err);
			s->histograms = h != 0;
		} else if (t == MV_NL_STATS_REASON) {
			if (s->nreasons >= MV_NL_MAX_REASONS) {
				seterr(err, "more than %d MV_NL_STATS_REASON nests", MV_NL_MAX_REASONS);
				return -EINVAL;
			}
			ret = parse_reason(a, &s->reason[s->nreasons], err);
			if (!ret) {
				for (i = 0; i < s->nreasons; i++)
					if (s->reason[i].id == s->reason[s->nreasons].id) {
						seterr(err, "reason %u appears twice",
						       s->reason[i].id);
						return -EINVAL;
					}
				s->nreasons++;
			}
		} else if (t == MV_NL_STATS_USER_EXIT) {
			if (s->nuser >= MV_NL_MAX_USER_TYPES) {
				seterr(err, "more than %d MV_NL_STATS_USER_EXIT nests",
				       MV_NL_MAX_USER_TYPES);
				return -EINVAL;
			}
			ret = parse_user_exit(a, &s->user[s->nuser], err);
			if (!ret)
				s->nuser++;
		}
		if (ret)
			return ret;
	}
	return check_rem(rem, "MV_NL_A_STATS", err);
}

int mv_nl_parse_stats(const void *attrs, size_t len, struct mv_stats *out, char *err)
{
	struct nlattr *a;
	bool have_stats = false;
	uint32_t v;
	int rem, ret = check_len(len, "stats", err);

	memset(out, 0, offsetof(struct mv_stats, reason));
	out->nuser = 0;
	out->vcpu = -1;
	if (ret)
		return ret;
	nla_for_each_attr(a, (struct nlattr *)attrs, (int)len, rem) {
		switch (nla_type(a)) {
		case MV_NL_A_VM_ID:
			ret = get_u32(a, "MV_NL_A_VM_ID", &out->vm_id, err);
			break;
		case MV_NL_A_VCPU_ID:
			ret = get_u32(a, "MV_NL_A_VCPU_ID", &v, err);
			if (!ret && v > INT32_MAX) {
				seterr(err, "MV_NL_A_VCPU_ID %u is out of range", v);
				ret = -EINVAL;
			}
			out->vcpu = (int32_t)v;
			break;
		case MV_NL_A_TSC_KHZ:
			ret = get_u32(a, "MV_NL_A_TSC_KHZ", &out->tsc_khz, err);
			break;
		case MV_NL_A_STATS:
			if (have_stats) {
				seterr(err, "MV_NL_A_STATS appears twice");
				return -EINVAL;
			}
			have_stats = true;
			ret = parse_stats_nest(a, out, err);
			break;
		default:
			break;
		}
		if (ret)
			return ret;
	}
	ret = check_rem(rem, "stats", err);
	if (!ret && !have_stats) {
		seterr(err, "reply has no MV_NL_A_STATS");
		ret = -EINVAL;
	}
	return ret;
}

static int parse_flight_entry(struct nlattr *nest, struct mv_flight_rec *f, char *err)
{
	struct nlattr *a;
	int rem, ret = 0;

	memset(f, 0, sizeof(*f));
	nla_for_each_nested(a, nest, rem) {
		switch (nla_type(a)) {
		case MV_NL_FLIGHT_REASON:
			ret = get_u32(a, "MV_NL_FLIGHT_REASON", &f->reason, err);
			break;
		case MV_NL_FLIGHT_NAME:
			ret = get_str(a, "MV_NL_FLIGHT_NAME", f->name, sizeof(f->name), err);
			break;
		case MV_NL_FLIGHT_QUAL:
			ret = get_u64(a, "MV_NL_FLIGHT_QUAL", &f->qual, err);
			break;
		case MV_NL_FLIGHT_RIP:
			ret = get_u64(a, "MV_NL_FLIGHT_RIP", &f->rip, err);
			break;
		case MV_NL_FLIGHT_GPA:
			ret = get_u64(a, "MV_NL_FLIGHT_GPA", &f->gpa, err);
			f->has_gpa = !ret;
			break;
		case MV_NL_FLIGHT_TSC:
			ret = get_u64(a, "MV_NL_FLIGHT_TSC", &f->tsc, err);
			break;
		case MV_NL_FLIGHT_TICKS:
			ret = get_u64(a, "MV_NL_FLIGHT_TICKS", &f->ticks, err);
			break;
		case MV_NL_FLIGHT_USER:
			ret = get_u32(a, "MV_NL_FLIGHT_USER", &f->user, err);
			break;
		default:
			break;
		}
		if (ret)
			return ret;
	}
	return check_rem(rem, "MV_NL_FLIGHT_ENTRY", err);
}

int mv_nl_parse_flight(const void *attrs, size_t len, struct mv_flight_rec *recs,
		       size_t max, size_t *n, char *err)
{
	struct mv_flight_rec tmp;
	struct nlattr *a, *e;
	int rem, rem2, ret = check_len(len, "flight", err);

	if (ret)
		return ret;
	nla_for_each_attr(a, (struct nlattr *)attrs, (int)len, rem) {
		if (nla_type(a) != MV_NL_A_FLIGHT)
			continue;
		nla_for_each_nested(e, a, rem2) {
			if (nla_type(e) != MV_NL_FLIGHT_ENTRY)
				continue;
			ret = parse_flight_entry(e, *n < max ? &recs[*n] : &tmp, err);
			if (ret)
				return ret;
			(*n)++;
		}
		ret = check_rem(rem2, "MV_NL_A_FLIGHT", err);
		if (ret)
			return ret;
	}
	return check_rem(rem, "flight", err);
}

int mv_nl_parse_event(const void *attrs, size_t len, struct mv_event *out, char *err)
{
	struct nlattr *a;
	bool have_type = false;
	uint32_t v;
	int rem, ret = check_len(len, "event", err);

	memset(out, 0, sizeof(*out));
	out->vcpu = -1;
	if (ret)
		return ret;
	nla_for_each_attr(a, (struct nlattr *)attrs, (int)len, rem) {
		switch (nla_type(a)) {
		case MV_NL_A_EVENT:
			ret = get_u32(a, "MV_NL_A_EVENT", &out->type, err);
			have_type = true;
			break;
		case MV_NL_A_VM_ID:
			ret = get_u32(a, "MV_NL_A_VM_ID", &out->vm_id, err);
			break;
		case MV_NL_A_PID:
			ret = get_u32(a, "MV_NL_A_PID", &out->pid, err);
			break;
		case MV_NL_A_UID:
			ret = get_u32(a, "MV_NL_A_UID", &out->uid, err);
			out->has_uid = !ret;
			break;
		case MV_NL_A_COMM:
			ret = get_str(a, "MV_NL_A_COMM", out->comm, sizeof(out->comm), err);
			break;
		case MV_NL_A_TIME_NS:
			ret = get_u64(a, "MV_NL_A_TIME_NS", &out->time_ns, err);
			break;
		case MV_NL_A_VCPU_ID:
			ret = get_u32(a, "MV_NL_A_VCPU_ID", &v, err);
			if (!ret && v > INT32_MAX) {
				seterr(err, "MV_NL_A_VCPU_ID %u is out of range", v);
				ret = -EINVAL;
			}
			out->vcpu = (int32_t)v;
			break;
		case MV_NL_A_EVENT_REASON:
			ret = get_u64(a, "MV_NL_A_EVENT_REASON", &out->reason, err);
			out->has_reason = !ret;
			break;
		case MV_NL_A_EVENT_QUAL:
			ret = get_u64(a, "MV_NL_A_EVENT_QUAL", &out->qual, err);
			out->has_qual = !ret;
			break;
		case MV_NL_A_EVENT_RIP:
			ret = get_u64(a, "MV_NL_A_EVENT_RIP", &out->rip, err);
			out->has_rip = !ret;
			break;
		case MV_NL_A_EVENT_RULE:
			ret = get_str(a, "MV_NL_A_EVENT_RULE", out->rule, sizeof(out->rule), err);
			break;
		case MV_NL_A_EVENT_SUBERROR:
			ret = get_u32(a, "MV_NL_A_EVENT_SUBERROR", &out->suberror, err);
			out->has_suberror = !ret;
			break;
		case MV_NL_A_EVENT_DROPPED:
			ret = get_u32(a, "MV_NL_A_EVENT_DROPPED", &out->dropped, err);
			break;
		default:
			break;
		}
		if (ret)
			return ret;
	}
	ret = check_rem(rem, "event", err);
	if (!ret && !have_type) {
		seterr(err, "event without MV_NL_A_EVENT");
		ret = -EINVAL;
	}
	return ret;
}

const char *mv_nl_event_str(uint32_t type)
{
	switch (type) {
	case MV_NL_EVENT_VM_CREATED:	return "VM_CREATED";
	case MV_NL_EVENT_VM_DESTROYED:	return "VM_DESTROYED";
	case MV_NL_EVENT_ENTRY_FAILED:	return "ENTRY_FAILED";
	case MV_NL_EVENT_SHUTDOWN:	return "SHUTDOWN";
	case MV_NL_EVENT_INTERNAL_ERROR: return "INTERNAL_ERROR";
	case MV_NL_EVENT_UNHANDLED_EXIT: return "UNHANDLED_EXIT";
	default:			return "UNKNOWN";
	}
}

const struct mv_reason_stats *mv_stats_find(const struct mv_stats *s, uint32_t id)
{
	unsigned int i;

	for (i = 0; i < s->nreasons; i++)
		if (s->reason[i].id == id)
			return &s->reason[i];
	return NULL;
}

uint64_t mv_stats_user_count(const struct mv_stats *s, uint32_t type)
{
	unsigned int i;

	for (i = 0; i < s->nuser; i++)
		if (s->user[i].type == type)
			return s->user[i].count;
	return 0;
}

/* ---- requests ---- */

/* What a request's callbacks fill in. */
struct req {
	struct mv_nl *nl;
	int cmd;
	bool done;
	int error;			/* -errno from the kernel or a parser */
	void *out;			/* per command */
	size_t max, n;
};

static void genl_attrs(struct nl_msg *msg, void **attrs, size_t *len)
{
	struct nlmsghdr *h = nlmsg_hdr(msg);

	*attrs = genlmsg_attrdata(nlmsg_data(h), 0);
	*len = (size_t)genlmsg_attrlen(nlmsg_data(h), 0);
}

static int on_valid(struct nl_msg *msg, void *arg)
{
	struct req *r = arg;
	struct nlmsghdr *h = nlmsg_hdr(msg);
	struct mv_vm_info vi;
	void *attrs;
	size_t len;
	int ret = 0;

	if (r->error)
		return NL_SKIP;		/* keep reading to the end; report the first error */
	if (!genlmsg_valid_hdr(h, 0)) {
		seterr(r->nl->err, "reply too short for a genl header");
		r->error = -EPROTO;
		return NL_SKIP;
	}
	genl_attrs(msg, &attrs, &len);
	switch (r->cmd) {
	case MV_NL_CMD_VM_GET:
		ret = mv_nl_parse_vm(attrs, len, &vi, r->nl->err);
		if (ret)
			break;
		if (r->max == 1 && r->out) {		/* mv_vm_get */
			*(struct mv_vm_info *)r->out = vi;
			r->n = 1;
			break;
		}
		if (r->n == r->max) {			/* mv_vm_list: grow */
			size_t cap = r->max ? r->max * 2 : 16;
			void *p = realloc(r->out, cap * sizeof(vi));

			if (!p) {
				ret = -ENOMEM;
				seterr(r->nl->err, "out of memory for the VM list");
				break;
			}
			r->out = p;
			r->max = cap;
		}
		((struct mv_vm_info *)r->out)[r->n++] = vi;
		break;
	case MV_NL_CMD_STATS_GET:
		ret = mv_nl_parse_stats(attrs, len, r->out, r->nl->err);
		if (!ret)
			r->n++;
		break;
	case MV_NL_CMD_FLIGHT_GET:
		ret = mv_nl_parse_flight(attrs, len, r->out, r->max, &r->n, r->nl->err);
		break;
	default:
		break;
	}
	if (ret)
		r->error = ret;
	return NL_OK;
}

static int on_finish(struct nl_msg *msg, void *arg)
{
	struct req *r = arg;

	(void)msg;
	r->done = true;
	return NL_STOP;
}

/*
 * The error (or ACK) with its extended-ACK TLVs (NLM_F_ACK_TLVS): the
 * message is NLMSGERR_ATTR_MSG, after the request itself unless the kernel
 * capped it (NLM_F_CAPPED).
 */
static int on_error(struct sockaddr_nl *who, struct nlmsgerr *e, void *arg)
{
	struct nlmsghdr *h = (struct nlmsghdr *)((char *)e - NLMSG_HDRLEN);
	struct req *r = arg;
	const char *msg = NULL;
	size_t off;

	(void)who;
	r->done = true;
	if (e->error == 0)
		return NL_STOP;
	r->error = e->error < 0 ? e->error : -e->error;
	if (h->nlmsg_flags & NLM_F_ACK_TLVS) {
		off = sizeof(*e);
		if (!(h->nlmsg_flags & NLM_F_CAPPED))
			off += e->msg.nlmsg_len - sizeof(e->msg);
		if (NLMSG_HDRLEN + off < h->nlmsg_len) {
			struct nlattr *a;
			int rem;

			nla_for_each_attr(a, (struct nlattr *)((char *)e + off),
					  (int)(h->nlmsg_len - NLMSG_HDRLEN - off), rem) {
				if (nla_type(a) == NLMSGERR_ATTR_MSG && nla_len(a) > 0 &&
				    ((char *)nla_data(a))[nla_len(a) - 1] == '\0')
					msg = nla_data(a);
			}
		}
	}
	if (msg)
		seterr(r->nl->err, "%s (%s)", msg, strerror(-r->error));
	else
		seterr(r->nl->err, "%s", strerror(-r->error));
	return NL_STOP;
}

/* One request; replies go to on_valid until the ACK, DONE or an error. */
static int request(struct mv_nl *nl, struct req *r, int flags, uint32_t vm_id, bool has_vm,
		   int vcpu)
{
	struct nl_msg *msg;
	int ret;

	nl->err[0] = '\0';
	r->nl = nl;
	msg = nlmsg_alloc();
	if (!msg) {
		seterr(nl->err, "out of memory");
		return -ENOMEM;
	}
	if (!genlmsg_put(msg, NL_AUTO_PORT, NL_AUTO_SEQ, nl->family, 0, flags | NLM_F_ACK,
			 (uint8_t)r->cmd, MV_GENL_VERSION) ||
	    (has_vm && nla_put_u32(msg, MV_NL_A_VM_ID, vm_id) < 0) ||
	    (vcpu >= 0 && nla_put_u32(msg, MV_NL_A_VCPU_ID, (uint32_t)vcpu) < 0)) {
		nlmsg_free(msg);
		seterr(nl->err, "cannot build the request");
		return -ENOMEM;
	}
	nl_socket_modify_cb(nl->sk, NL_CB_VALID, NL_CB_CUSTOM, on_valid, r);
	nl_socket_modify_cb(nl->sk, NL_CB_FINISH, NL_CB_CUSTOM, on_finish, r);
	nl_socket_modify_cb(nl->sk, NL_CB_ACK, NL_CB_CUSTOM, on_finish, r);
	nl_socket_modify_err_cb(nl->sk, NL_CB_CUSTOM, on_error, r);
	ret = nl_send_auto(nl->sk, msg);
	nlmsg_free(msg);
	if (ret < 0) {
		seterr(nl->err, "netlink send: %s", nl_geterror(ret));
		return nlerr_to_errno(ret);
	}
	while (!r->done) {
		ret = nl_recvmsgs_default(nl->sk);
		if (ret < 0 && !r->done) {
			if (!r->error) {
				r->error = nlerr_to_errno(ret);
				seterr(nl->err, "netlink receive: %s", nl_geterror(ret));
			}
			break;
		}
	}
	return r->error;
}

struct mv_nl *mv_nl_open(void)
{
	struct genl_family *fam;
	struct nl_cache *cache;
	struct mv_nl *nl;
	int one = 1, ret;

	open_err[0] = '\0';
	nl = calloc(1, sizeof(*nl));
	if (!nl) {
		seterr(open_err, "out of memory");
		errno = ENOMEM;
		return NULL;
	}
	nl->sk = nl_socket_alloc();
	if (!nl->sk) {
		ret = -ENOMEM;
		seterr(open_err, "out of memory for a netlink socket");
		goto fail;
	}
	ret = genl_connect(nl->sk);
	if (ret < 0) {
		seterr(open_err, "cannot open a generic netlink socket: %s", nl_geterror(ret));
		ret = nlerr_to_errno(ret);
		goto fail;
	}
	/* Extended ACKs: the kernel's message naming a refused attribute. */
	setsockopt(nl_socket_get_fd(nl->sk), SOL_NETLINK, NETLINK_EXT_ACK, &one, sizeof(one));
	setsockopt(nl_socket_get_fd(nl->sk), SOL_NETLINK, NETLINK_CAP_ACK, &one, sizeof(one));
	/* Statistics replies outgrow a page: peek at each datagram's size first. */
	nl_socket_enable_msg_peek(nl->sk);
	nl_socket_disable_auto_ack(nl->sk);
	ret = genl_ctrl_resolve(nl->sk, MV_GENL_NAME);
	if (ret < 0) {
		seterr(open_err, "no generic netlink family \"%s\" (is minivisor.ko loaded, "
		       "and new enough?): %s", MV_GENL_NAME, nl_geterror(ret));
		ret = ret == -NLE_OBJ_NOTFOUND ? -ENOENT : nlerr_to_errno(ret);
		goto fail;
	}
	nl->family = ret;
	/* The kernel's family version (0 if the controller cannot say). */
	if (genl_ctrl_alloc_cache(nl->sk, &cache) == 0) {
		fam = genl_ctrl_search_by_name(cache, MV_GENL_NAME);
		if (fam) {
			nl->version = (uint32_t)genl_family_get_version(fam);
			genl_family_put(fam);
		}
		nl_cache_free(cache);
	}
	return nl;
fail:
	if (nl->sk)
		nl_socket_free(nl->sk);
	free(nl);
	errno = -ret;
	return NULL;
}

void mv_nl_close(struct mv_nl *nl)
{
	if (!nl)
		return;
	if (nl->ev)
		nl_socket_free(nl->ev);
	nl_socket_free(nl->sk);
	free(nl);
}

const char *mv_nl_error(const struct mv_nl *nl)
{
	return nl ? nl->err : open_err;
}

const char *mv_nl_open_error(void)
{
	return open_err;
}

uint32_t mv_nl_family_version(const struct mv_nl *nl)
{
	return nl->version;
}

int mv_vm_list(struct mv_nl *nl, struct mv_vm_info **vms, size_t *n)
{
	struct req r = { .cmd = MV_NL_CMD_VM_GET };
	int ret;

	*vms = NULL;
	*n = 0;
	ret = request(nl, &r, NLM_F_DUMP, 0, false, -1);
	if (ret) {
		free(r.out);
		return ret;
	}
	*vms = r.out;
	*n = r.n;
	return 0;
}

int mv_vm_get(struct mv_nl *nl, uint32_t vm_id, struct mv_vm_info *out)
{
	struct req r = { .cmd = MV_NL_CMD_VM_GET, .out = out, .max = 1 };
	int ret = request(nl, &r, 0, vm_id, true, -1);

	if (!ret && r.n != 1) {
		seterr(nl->err, "VM_GET: no reply for VM %u", vm_id);
		ret = -EPROTO;
	}
	return ret;
}

int mv_stats_get(struct mv_nl *nl, uint32_t vm_id, int vcpu, struct mv_stats *out)
{
	struct req r = { .cmd = MV_NL_CMD_STATS_GET, .out = out };
	int ret = request(nl, &r, 0, vm_id, true, vcpu < 0 ? -1 : vcpu);

	if (!ret && r.n != 1) {
		seterr(nl->err, "STATS_GET: %zu replies for VM %u", r.n, vm_id);
		ret = -EPROTO;
	}
	return ret;
}

int mv_stats_reset(struct mv_nl *nl, uint32_t vm_id, int vcpu)
{
	struct req r = { .cmd = MV_NL_CMD_STATS_RESET };

	return request(nl, &r, 0, vm_id, true, vcpu < 0 ? -1 : vcpu);
}

int mv_flight_get(struct mv_nl *nl, uint32_t vm_id, uint32_t vcpu,
		  struct mv_flight_rec *recs, size_t max)
{
	struct req r = { .cmd = MV_NL_CMD_FLIGHT_GET, .out = recs, .max = max };
	int ret;

	if (vcpu > INT32_MAX) {
		seterr(nl->err, "vCPU %u is out of range", vcpu);
		return -EINVAL;
	}
	ret = request(nl, &r, 0, vm_id, true, (int)vcpu);
	if (ret)
		return ret;
	return (int)(r.n < max ? r.n : max);
}

int mv_get_vm_id(int vm_fd)
{
	int ret = ioctl(vm_fd, MV_GET_VM_ID);

	return ret < 0 ? -errno : ret;
}

/* ---- events ---- */

static int on_event(struct nl_msg *msg, void *arg)
{
	struct mv_nl *nl = arg;
	struct nlmsghdr *h = nlmsg_hdr(msg);
	struct genlmsghdr *g;
	struct mv_event ev;
	void *attrs;
	size_t len;

	if (!genlmsg_valid_hdr(h, 0) || h->nlmsg_type != nl->family)
		return NL_SKIP;
	g = nlmsg_data(h);
	if (g->cmd != MV_NL_CMD_EVENT)
		return NL_SKIP;
	genl_attrs(msg, &attrs, &len);
	if (mv_nl_parse_event(attrs, len, &ev, nl->err))
		return NL_SKIP;		/* malformed: dropped, the message says why */
	if (nl->evq_len == MV_NL_EVQ) {
		nl->ev_lost++;
		return NL_OK;
	}
	ev.dropped += nl->ev_lost;
	nl->ev_lost = 0;
	nl->evq[(nl->evq_head + nl->evq_len++) % MV_NL_EVQ] = ev;
	return NL_OK;
}

int mv_events_subscribe(struct mv_nl *nl)
{
	int grp, ret;

	if (nl->ev)
		return 0;
	nl->err[0] = '\0';
	grp = genl_ctrl_resolve_grp(nl->sk, MV_GENL_NAME, MV_GENL_MCGRP_EVENTS);
	if (grp < 0) {
		seterr(nl->err, "no multicast group \"%s\" in family \"%s\": %s",
		       MV_GENL_MCGRP_EVENTS, MV_GENL_NAME, nl_geterror(grp));
		return grp == -NLE_OBJ_NOTFOUND ? -ENOENT : nlerr_to_errno(grp);
	}
	nl->ev = nl_socket_alloc();
	if (!nl->ev) {
		seterr(nl->err, "out of memory for a netlink socket");
		return -ENOMEM;
	}
	nl_socket_disable_seq_check(nl->ev);
	nl_socket_disable_auto_ack(nl->ev);
	nl_socket_enable_msg_peek(nl->ev);
	ret = genl_connect(nl->ev);
	if (!ret)
		ret = nl_socket_add_membership(nl->ev, grp);
	if (!ret)
		ret = nl_socket_set_nonblocking(nl->ev);
	if (ret < 0) {
		seterr(nl->err, "cannot join \"%s\": %s", MV_GENL_MCGRP_EVENTS, nl_geterror(ret));
		nl_socket_free(nl->ev);
		nl->ev = NULL;
		return nlerr_to_errno(ret);
	}
	nl_socket_set_buffer_size(nl->ev, 1 << 20, 0);
	nl_socket_modify_cb(nl->ev, NL_CB_VALID, NL_CB_CUSTOM, on_event, nl);
	return 0;
}

int mv_nl_event_fd(const struct mv_nl *nl)
{
	return nl->ev ? nl_socket_get_fd(nl->ev) : -1;
}

int mv_event_next(struct mv_nl *nl, struct mv_event *ev, int timeout_ms)
{
	struct pollfd p;
	int ret;

	if (!nl->ev) {
		seterr(nl->err, "not subscribed to \"%s\"", MV_GENL_MCGRP_EVENTS);
		return -EINVAL;
	}
	while (!nl->evq_len) {
		p.fd = nl_socket_get_fd(nl->ev);
		p.events = POLLIN;
		ret = poll(&p, 1, timeout_ms);
		if (ret < 0) {
			seterr(nl->err, "poll: %s", strerror(errno));
			return -errno;
		}
		if (ret == 0)
			return 0;
		ret = nl_recvmsgs_default(nl->ev);
		if (ret < 0 && ret != -NLE_AGAIN) {
			/* ENOBUFS: the socket overflowed; events were lost, go on. */
			if (ret == -NLE_NOMEM) {
				nl->ev_lost++;
				continue;
			}
			seterr(nl->err, "netlink receive: %s", nl_geterror(ret));
			return nlerr_to_errno(ret);
		}
	}
	*ev = nl->evq[nl->evq_head];
	nl->evq_head = (nl->evq_head + 1) % MV_NL_EVQ;
	nl->evq_len--;
	return 1;
}
