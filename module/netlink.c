// SPDX-License-Identifier: GPL-2.0
/*
 * The "minivisor" generic netlink family (Documentation/netlink.md): VMs,
 * their exit statistics and flight recorders for readers, and the "events"
 * multicast group (VM lifecycle and fatal exits).
 *
 * Every request is validated strictly by the core against the command's
 * own policy (no GENL_DONT_VALIDATE_*, every command at or above
 * resv_start_op): unknown attributes, wrong types or lengths and trailing
 * bytes are refused with an extack message naming the attribute. The
 * handlers add what a policy cannot say: repeated attributes, a missing
 * VM id, a VM that does not exist or that the caller may not see.
 *
 * A handler holds a VM reference (mv_vm_get_by_id / mv_vm_get_next) for as
 * long as it touches the VM; dropping it may free the VM here, which sends
 * VM_DESTROYED from this context (mv_vm_free), so no handler holds a lock
 * of its own across mv_vm_put().
 */
#include <linux/capability.h>
#include <linux/cred.h>
#include <linux/ktime.h>
#include <linux/mm.h>
#include <linux/slab.h>
#include <linux/spinlock.h>
#include <linux/string.h>
#include <linux/user_namespace.h>
#include <linux/version.h>
#include <net/genetlink.h>
#include <net/netlink.h>
#include "mv.h"
#include "stats.h"
#include "compat.h"
#include "../common/vmx_entry_check.h"

/*
 * Events per VM: a burst of MV_NL_EV_BURST, then MV_NL_EV_RATE a second
 * (token bucket, in nanoseconds of credit). A guest that keeps failing
 * entry, or userspace that keeps re-running it, cannot flood listeners.
 */
#define MV_NL_EV_BURST		20
#define MV_NL_EV_RATE		10
#define MV_NL_EV_COST_NS	(NSEC_PER_SEC / MV_NL_EV_RATE)

/* No valid request has more than a few attributes of a few bytes. */
#define MV_NL_REQ_MAX_BYTES	256

/* The largest FLIGHT_GET reply we build in one message. */
#define MV_NL_FLIGHT_MSG_MAX	(64 * 1024)
/* The most records a vCPU's recorder keeps (flight_entries' bound in stats.c). */
#define MV_NL_FLIGHT_READ_MAX	4096

struct mv_nl_vm {
	spinlock_t lock;
	u64 credit_ns;		/* up to MV_NL_EV_BURST * MV_NL_EV_COST_NS */
	u64 last_ns;		/* ktime_get_ns() at the last refill */
	u32 dropped;		/* since the last event that was sent */
};

enum mv_nl_groups {
	MV_NL_GRP_EVENTS,
};

static const struct genl_multicast_group mv_nl_mcgrps[] = {
	[MV_NL_GRP_EVENTS] = {
		.name = MV_GENL_MCGRP_EVENTS,
#ifdef GENL_MCAST_CAP_NET_ADMIN
		/* Events name every user's VMs: host administrators only. */
		.flags = GENL_MCAST_CAP_NET_ADMIN,
#endif
	},
};

static const struct nla_policy mv_nl_vm_policy[MV_NL_A_VM_ID + 1] = {
	[MV_NL_A_VM_ID]		= { .type = NLA_U32 },
};

static const struct nla_policy mv_nl_vcpu_policy[MV_NL_A_VCPU_ID + 1] = {
	[MV_NL_A_VM_ID]		= { .type = NLA_U32 },
	[MV_NL_A_VCPU_ID]	= NLA_POLICY_MAX(NLA_U32, MV_MAX_VCPUS - 1),
};

static struct genl_family mv_nl_family;

/* ---- permissions ---- */

/*
 * Administrator of the user namespace that owns the VM, both the task that
 * asks and the one that opened the socket (netlink_ns_capable checks both):
 * the host's root for every VM, a container's root for the VMs made inside
 * it, nobody for VMs made outside it.
 */
static bool mv_nl_privileged(const struct sk_buff *skb, struct mv_vm *vm)
{
	return netlink_ns_capable(skb, vm->owner_ns, CAP_NET_ADMIN) ||
	       netlink_ns_capable(skb, vm->owner_ns, CAP_SYS_ADMIN);
}

static bool mv_nl_may_read(const struct sk_buff *skb, struct mv_vm *vm)
{
	return uid_eq(current_euid(), vm->owner_uid) || mv_nl_privileged(skb, vm);
}

/* ---- request checks ---- */

/*
 * What the policies do not refuse: an attribute given twice (the core
 * keeps the last one) and requests far larger than any valid one.
 */
static int mv_nl_req_check(struct genl_info *info)
{
	const struct nlattr *seen[MV_NL_A_MAX + 1] = {};
	const struct nlattr *nla;
	int len, rem;

	len = genlmsg_len(info->genlhdr);
	if (len > MV_NL_REQ_MAX_BYTES) {
		NL_SET_ERR_MSG(info->extack, "request larger than any valid minivisor request");
		return -EMSGSIZE;
	}
	nla_for_each_attr(nla, genlmsg_data(info->genlhdr), len, rem) {
		int type = nla_type(nla);

		if (type > MV_NL_A_MAX)
			continue;	/* the policy refused it already */
		if (seen[type]) {
			NL_SET_ERR_MSG_ATTR(info->extack, nla, "attribute given more than once");
			return -EINVAL;
		}
		seen[type] = nla;
	}
	return 0;
}

/* The VM of MV_NL_A_VM_ID, with a reference, if the caller may read it. */
static struct mv_vm *mv_nl_get_vm(struct sk_buff *skb, struct genl_info *info)
{
	struct nlattr *attr;
	struct mv_vm *vm;
	int r;

	r = mv_nl_req_check(info);
	if (r)
		return ERR_PTR(r);
	if (GENL_REQ_ATTR_CHECK(info, MV_NL_A_VM_ID)) {
		NL_SET_ERR_MSG(info->extack, "MV_NL_A_VM_ID is required");
		return ERR_PTR(-EINVAL);
	}
	attr = info->attrs[MV_NL_A_VM_ID];
	vm = mv_vm_get_by_id(nla_get_u32(attr));
	if (!vm) {
		NL_SET_ERR_MSG_ATTR(info->extack, attr, "no VM with this id");
		return ERR_PTR(-ENOENT);
	}
	if (!mv_nl_may_read(skb, vm)) {
		mv_vm_put(vm);
		NL_SET_ERR_MSG_ATTR(info->extack, attr,
				    "VM of another user: needs CAP_NET_ADMIN or CAP_SYS_ADMIN over its user namespace");
		return ERR_PTR(-EPERM);
	}
	return vm;
}

/* ---- VM_GET ---- */

static size_t mv_nl_vm_size(void)
{
	return nla_total_size(sizeof(u32)) * 6 +	/* VM_ID PID UID VCPU_COUNT TSC FLIGHT */
	       nla_total_size_64bit(sizeof(u64)) * 2 +	/* MEM_BYTES CREATED_NS */
	       nla_total_size(TASK_COMM_LEN) +
	       nla_total_size(16);			/* BACKEND */
}

static int mv_nl_fill_vm(struct sk_buff *msg, struct mv_vm *vm, u32 portid, u32 seq, int flags)
{
	void *hdr;

	hdr = genlmsg_put(msg, portid, seq, &mv_nl_family, flags, MV_NL_CMD_VM_GET);
	if (!hdr)
		return -EMSGSIZE;
	if (nla_put_u32(msg, MV_NL_A_VM_ID, vm->id) ||
	    nla_put_u32(msg, MV_NL_A_PID, vm->creator) ||
	    nla_put_u32(msg, MV_NL_A_UID, from_kuid_munged(current_user_ns(), vm->owner_uid)) ||
	    nla_put_u32(msg, MV_NL_A_VCPU_COUNT, mv_vm_vcpu_count(vm)) ||
	    nla_put_u64_64bit(msg, MV_NL_A_MEM_BYTES, mv_vm_mem_bytes(vm), MV_NL_A_PAD) ||
	    nla_put_u64_64bit(msg, MV_NL_A_CREATED_NS, vm->created_ns, MV_NL_A_PAD) ||
	    nla_put_string(msg, MV_NL_A_COMM, vm->comm) ||
	    nla_put_u32(msg, MV_NL_A_TSC_KHZ, mv_tsc_khz) ||
	    nla_put_string(msg, MV_NL_A_BACKEND, mv_ops->name) ||
	    nla_put_u32(msg, MV_NL_A_FLIGHT_SIZE, mv_flight_size())) {
		genlmsg_cancel(msg, hdr);
		return -EMSGSIZE;
	}
	genlmsg_end(msg, hdr);
	return 0;
}

static int mv_nl_vm_get_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct sk_buff *msg;
	struct mv_vm *vm;
	int r;

	vm = mv_nl_get_vm(skb, info);
	if (IS_ERR(vm))
		return PTR_ERR(vm);
	r = -ENOMEM;
	msg = genlmsg_new(mv_nl_vm_size(), GFP_KERNEL);
	if (!msg)
		goto out;
	r = mv_nl_fill_vm(msg, vm, info->snd_portid, info->snd_seq, 0);
	if (r) {
		nlmsg_free(msg);
		NL_SET_ERR_MSG(info->extack, "reply does not fit its message (bug)");
		goto out;
	}
	r = genlmsg_reply(msg, info);
out:
	mv_vm_put(vm);
	return r;
}

/* cb->args[0]: the id to resume from. VMs the caller may not read are skipped. */
static int mv_nl_vm_get_dumpit(struct sk_buff *skb, struct netlink_callback *cb)
{
	u32 id = cb->args[0];
	struct mv_vm *vm;
	int r = 0;

	while ((vm = mv_vm_get_next(&id))) {
		if (mv_nl_may_read(cb->skb, vm))
			r = mv_nl_fill_vm(skb, vm, NETLINK_CB(cb->skb).portid,
					  cb->nlh->nlmsg_seq, NLM_F_MULTI);
		mv_vm_put(vm);
		if (r)
			break;		/* full: resume at this id */
		if (id == U32_MAX)
			break;
		id++;
	}
	cb->args[0] = id;
	/* A VM that does not fit into an empty message would loop forever. */
	if (r && !skb->len)
		return r;
	return skb->len;
}

/* ---- STATS_GET / STATS_RESET ---- */

static size_t mv_nl_reason_size(const struct mv_stats_snap *snap, unsigned int i)
{
	const char *name = mv_exit_reason_name(i);
	size_t n = nla_total_size(0) + nla_total_size(sizeof(u32)) +
		   nla_total_size_64bit(sizeof(u64)) * 8;

	if (name)
		n += nla_total_size(strlen(name) + 1);
	if (snap->histograms)
		n += nla_total_size(sizeof(snap->c.reason[i].hist)) +
		     nla_total_size(sizeof(snap->c.reason[i].uhist));
	return n;
}

static bool mv_nl_reason_seen(const struct mv_stats_snap *snap, unsigned int i)
{
	return snap->c.reason[i].count || snap->c.reason[i].ucount;
}

static size_t mv_nl_stats_size(const struct mv_stats_snap *snap)
{
	size_t n = nla_total_size(sizeof(u32)) * 3 +		/* VM_ID VCPU_ID TSC_KHZ */
		   nla_total_size(0) +				/* MV_NL_A_STATS */
		   nla_total_size_64bit(sizeof(u64)) * 9 +	/* the totals */
		   nla_total_size(sizeof(u8));
	unsigned int i;

	for (i = 0; i < MV_STATS_REASONS; i++)
		if (mv_nl_reason_seen(snap, i))
			n += mv_nl_reason_size(snap, i);
	for (i = 0; i < MV_STATS_USER_TYPES; i++)
		if (snap->c.user_exits[i])
			n += nla_total_size(0) + nla_total_size(sizeof(u32)) +
			     nla_total_size_64bit(sizeof(u64));
	return n;
}

static int mv_nl_put_u64(struct sk_buff *msg, int type, u64 v, int pad)
{
	return nla_put_u64_64bit(msg, type, v, pad);
}

static int mv_nl_put_reason(struct sk_buff *msg, const struct mv_stats_snap *snap, unsigned int i)
{
	const struct mv_stats_reason *r = &snap->c.reason[i];
	const char *name = mv_exit_reason_name(i);
	struct nlattr *nest;

	nest = nla_nest_start(msg, MV_NL_STATS_REASON);
	if (!nest)
		return -EMSGSIZE;
	if (nla_put_u32(msg, MV_NL_REASON_ID, i) ||
	    (name && nla_put_string(msg, MV_NL_REASON_NAME, name)) ||
	    mv_nl_put_u64(msg, MV_NL_REASON_COUNT, r->count, MV_NL_REASON_PAD) ||
	    mv_nl_put_u64(msg, MV_NL_REASON_TICKS, r->ticks, MV_NL_REASON_PAD) ||
	    mv_nl_put_u64(msg, MV_NL_REASON_MIN, r->count ? r->min : 0, MV_NL_REASON_PAD) ||
	    mv_nl_put_u64(msg, MV_NL_REASON_MAX, r->max, MV_NL_REASON_PAD) ||
	    (snap->histograms &&
	     nla_put(msg, MV_NL_REASON_HIST, sizeof(r->hist), r->hist)) ||
	    mv_nl_put_u64(msg, MV_NL_REASON_USER_COUNT, r->ucount, MV_NL_REASON_PAD) ||
	    mv_nl_put_u64(msg, MV_NL_REASON_USER_TICKS, r->uticks, MV_NL_REASON_PAD) ||
	    mv_nl_put_u64(msg, MV_NL_REASON_USER_MIN, r->ucount ? r->umin : 0, MV_NL_REASON_PAD) ||
	    mv_nl_put_u64(msg, MV_NL_REASON_USER_MAX, r->umax, MV_NL_REASON_PAD) ||
	    (snap->histograms &&
	     nla_put(msg, MV_NL_REASON_USER_HIST, sizeof(r->uhist), r->uhist))) {
		nla_nest_cancel(msg, nest);
		return -EMSGSIZE;
	}
	nla_nest_end(msg, nest);
	return 0;
}

static int mv_nl_put_stats(struct sk_buff *msg, const struct mv_stats_snap *snap)
{
	const struct mv_stats_counts *c = &snap->c;
	struct nlattr *nest, *ue;
	unsigned int i;

	nest = nla_nest_start(msg, MV_NL_A_STATS);
	if (!nest)
		return -EMSGSIZE;
	if (mv_nl_put_u64(msg, MV_NL_STATS_EXITS, c->exits, MV_NL_STATS_PAD) ||
	    mv_nl_put_u64(msg, MV_NL_STATS_GUEST_TICKS, c->guest_ticks, MV_NL_STATS_PAD) ||
	    mv_nl_put_u64(msg, MV_NL_STATS_KERNEL_TICKS, c->kernel_ticks, MV_NL_STATS_PAD) ||
	    mv_nl_put_u64(msg, MV_NL_STATS_USER_TICKS, c->user_ticks, MV_NL_STATS_PAD) ||
	    mv_nl_put_u64(msg, MV_NL_STATS_IRQS, c->irqs, MV_NL_STATS_PAD) ||
	    mv_nl_put_u64(msg, MV_NL_STATS_NMIS, c->nmis, MV_NL_STATS_PAD) ||
	    mv_nl_put_u64(msg, MV_NL_STATS_EXCEPTIONS, c->exceptions, MV_NL_STATS_PAD) ||
	    mv_nl_put_u64(msg, MV_NL_STATS_HALTS, c->halts, MV_NL_STATS_PAD) ||
	    mv_nl_put_u64(msg, MV_NL_STATS_HALT_WAKEUPS, c->halt_wakeups, MV_NL_STATS_PAD) ||
	    nla_put_u8(msg, MV_NL_STATS_HISTOGRAMS, snap->histograms))
		goto full;
	for (i = 0; i < MV_STATS_REASONS; i++)
		if (mv_nl_reason_seen(snap, i) && mv_nl_put_reason(msg, snap, i))
			goto full;
	for (i = 0; i < MV_STATS_USER_TYPES; i++) {
		if (!c->user_exits[i])
			continue;
		ue = nla_nest_start(msg, MV_NL_STATS_USER_EXIT);
		if (!ue)
			goto full;
		if (nla_put_u32(msg, MV_NL_USER_EXIT_TYPE, i) ||
		    mv_nl_put_u64(msg, MV_NL_USER_EXIT_COUNT, c->user_exits[i],
				  MV_NL_USER_EXIT_PAD)) {
			nla_nest_cancel(msg, ue);
			goto full;
		}
		nla_nest_end(msg, ue);
	}
	nla_nest_end(msg, nest);
	return 0;
full:
	nla_nest_cancel(msg, nest);
	return -EMSGSIZE;
}

/* MV_NL_A_VCPU_ID or -1 (the whole VM). The policy bounds it. */
static int mv_nl_vcpu_id(struct genl_info *info)
{
	struct nlattr *a = info->attrs[MV_NL_A_VCPU_ID];

	return a ? (int)nla_get_u32(a) : -1;
}

static int mv_nl_stats_get_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct mv_stats_snap *snap;
	struct sk_buff *msg;
	struct mv_vm *vm;
	int vcpu, r;
	void *hdr;

	vm = mv_nl_get_vm(skb, info);
	if (IS_ERR(vm))
		return PTR_ERR(vm);
	vcpu = mv_nl_vcpu_id(info);
	r = -ENOMEM;
	snap = kvmalloc(sizeof(*snap), GFP_KERNEL);
	if (!snap)
		goto out;
	r = mv_stats_read(vm, vcpu, snap);
	if (r == -ENOENT && vcpu >= 0) {
		NL_SET_ERR_MSG_ATTR(info->extack, info->attrs[MV_NL_A_VCPU_ID],
				    "this vCPU never existed in the VM");
		goto out;
	}
	/* A VM without vCPUs yet: all zero (mv_stats_read cleared snap). */
	if (r && r != -ENOENT)
		goto out;
	r = -ENOMEM;
	msg = genlmsg_new(mv_nl_stats_size(snap), GFP_KERNEL);
	if (!msg)
		goto out;
	r = -EMSGSIZE;
	hdr = genlmsg_put_reply(msg, info, &mv_nl_family, 0, MV_NL_CMD_STATS_GET);
	if (!hdr ||
	    nla_put_u32(msg, MV_NL_A_VM_ID, vm->id) ||
	    (vcpu >= 0 && nla_put_u32(msg, MV_NL_A_VCPU_ID, vcpu)) ||
	    nla_put_u32(msg, MV_NL_A_TSC_KHZ, mv_tsc_khz) ||
	    mv_nl_put_stats(msg, snap)) {
		nlmsg_free(msg);
		NL_SET_ERR_MSG(info->extack, "reply does not fit its message (bug)");
		pr_err_ratelimited("minivisor: netlink STATS_GET reply larger than computed\n");
		goto out;
	}
	genlmsg_end(msg, hdr);
	r = genlmsg_reply(msg, info);
out:
	kvfree(snap);
	mv_vm_put(vm);
	return r;
}

static int mv_nl_stats_reset_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct mv_vm *vm;
	int vcpu, r;

	vm = mv_nl_get_vm(skb, info);
	if (IS_ERR(vm))
		return PTR_ERR(vm);
	r = -EPERM;
	if (!mv_nl_privileged(skb, vm)) {
		NL_SET_ERR_MSG_ATTR(info->extack, info->attrs[MV_NL_A_VM_ID],
				    "resetting statistics needs CAP_NET_ADMIN or CAP_SYS_ADMIN over the VM's user namespace");
		goto out;
	}
	vcpu = mv_nl_vcpu_id(info);
	r = mv_stats_reset(vm, vcpu);
	if (r == -ENOENT) {
		if (vcpu < 0)
			r = 0;		/* no vCPU yet: nothing to reset */
		else
			NL_SET_ERR_MSG_ATTR(info->extack, info->attrs[MV_NL_A_VCPU_ID],
					    "this vCPU never existed in the VM");
	}
out:
	mv_vm_put(vm);
	return r;
}

/* ---- FLIGHT_GET ---- */

static size_t mv_nl_flight_entry_size(const struct mv_flight_rec *rec)
{
	const char *name = mv_exit_reason_name(rec->reason);

	return nla_total_size(0) + nla_total_size(sizeof(u32)) * 2 +
	       nla_total_size_64bit(sizeof(u64)) * 5 +
	       (name ? nla_total_size(strlen(name) + 1) : 0);
}

static int mv_nl_put_flight_entry(struct sk_buff *msg, const struct mv_flight_rec *rec)
{
	const char *name = mv_exit_reason_name(rec->reason);
	struct nlattr *e;

	e = nla_nest_start(msg, MV_NL_FLIGHT_ENTRY);
	if (!e)
		return -EMSGSIZE;
	if (nla_put_u32(msg, MV_NL_FLIGHT_REASON, rec->reason) ||
	    (name && nla_put_string(msg, MV_NL_FLIGHT_NAME, name)) ||
	    mv_nl_put_u64(msg, MV_NL_FLIGHT_QUAL, rec->qual, MV_NL_FLIGHT_PAD) ||
	    mv_nl_put_u64(msg, MV_NL_FLIGHT_RIP, rec->rip, MV_NL_FLIGHT_PAD) ||
	    ((rec->flags & MV_FLIGHT_GPA) &&
	     mv_nl_put_u64(msg, MV_NL_FLIGHT_GPA, rec->gpa, MV_NL_FLIGHT_PAD)) ||
	    mv_nl_put_u64(msg, MV_NL_FLIGHT_TSC, rec->tsc, MV_NL_FLIGHT_PAD) ||
	    mv_nl_put_u64(msg, MV_NL_FLIGHT_TICKS, rec->ticks, MV_NL_FLIGHT_PAD) ||
	    nla_put_u32(msg, MV_NL_FLIGHT_USER, rec->user)) {
		nla_nest_cancel(msg, e);
		return -EMSGSIZE;
	}
	nla_nest_end(msg, e);
	return 0;
}

static int mv_nl_flight_get_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct mv_flight_rec *recs = NULL;
	struct sk_buff *msg;
	struct nlattr *nest;
	struct mv_vm *vm;
	size_t size;
	int n, i, r;
	void *hdr;

	vm = mv_nl_get_vm(skb, info);
	if (IS_ERR(vm))
		return PTR_ERR(vm);
	r = -EINVAL;
	if (GENL_REQ_ATTR_CHECK(info, MV_NL_A_VCPU_ID)) {
		NL_SET_ERR_MSG(info->extack, "MV_NL_A_VCPU_ID is required");
		goto out;
	}
	/*
	 * Each ring was sized at its vCPU's creation (flight_entries may have
	 * changed since): room for the largest one.
	 */
	r = -ENOMEM;
	recs = kvmalloc_array(MV_NL_FLIGHT_READ_MAX, sizeof(*recs), GFP_KERNEL);
	if (!recs)
		goto out;
	n = mv_flight_read(vm, nla_get_u32(info->attrs[MV_NL_A_VCPU_ID]), recs,
			   MV_NL_FLIGHT_READ_MAX);
	if (n < 0) {
		r = n;
		NL_SET_ERR_MSG_ATTR(info->extack, info->attrs[MV_NL_A_VCPU_ID],
				    "this vCPU never existed in the VM");
		goto out;
	}
	size = nla_total_size(sizeof(u32)) * 2 + nla_total_size(0);
	for (i = 0; i < n; i++)
		size += mv_nl_flight_entry_size(&recs[i]);
	r = -EMSGSIZE;
	if (size > MV_NL_FLIGHT_MSG_MAX) {
		NL_SET_ERR_MSG(info->extack,
			       "flight recorder too large for one message (lower flight_entries)");
		goto out;
	}
	r = -ENOMEM;
	msg = genlmsg_new(size, GFP_KERNEL);
	if (!msg)
		goto out;
	r = -EMSGSIZE;
	hdr = genlmsg_put_reply(msg, info, &mv_nl_family, 0, MV_NL_CMD_FLIGHT_GET);
	if (!hdr ||
	    nla_put_u32(msg, MV_NL_A_VM_ID, vm->id) ||
	    nla_put_u32(msg, MV_NL_A_VCPU_ID, nla_get_u32(info->attrs[MV_NL_A_VCPU_ID])))
		goto bug;
	nest = nla_nest_start(msg, MV_NL_A_FLIGHT);
	if (!nest)
		goto bug;
	for (i = 0; i < n; i++)
		if (mv_nl_put_flight_entry(msg, &recs[i]))
			goto bug;
	nla_nest_end(msg, nest);
	genlmsg_end(msg, hdr);
	r = genlmsg_reply(msg, info);
	goto out;
bug:
	nlmsg_free(msg);
	NL_SET_ERR_MSG(info->extack, "reply does not fit its message (bug)");
	pr_err_ratelimited("minivisor: netlink FLIGHT_GET reply larger than computed\n");
out:
	kvfree(recs);
	mv_vm_put(vm);
	return r;
}

/* ---- the family ---- */

static const struct genl_ops mv_nl_ops[] = {
	{
		.cmd		= MV_NL_CMD_VM_GET,
		.doit		= mv_nl_vm_get_doit,
		.dumpit		= mv_nl_vm_get_dumpit,
		.policy		= mv_nl_vm_policy,
		.maxattr	= ARRAY_SIZE(mv_nl_vm_policy) - 1,
	},
	{
		.cmd		= MV_NL_CMD_STATS_GET,
		.doit		= mv_nl_stats_get_doit,
		.policy		= mv_nl_vcpu_policy,
		.maxattr	= ARRAY_SIZE(mv_nl_vcpu_policy) - 1,
	},
	{
		/* Permission per VM in the handler (see mv_nl_privileged). */
		.cmd		= MV_NL_CMD_STATS_RESET,
		.doit		= mv_nl_stats_reset_doit,
		.policy		= mv_nl_vcpu_policy,
		.maxattr	= ARRAY_SIZE(mv_nl_vcpu_policy) - 1,
	},
	{
		.cmd		= MV_NL_CMD_FLIGHT_GET,
		.doit		= mv_nl_flight_get_doit,
		.policy		= mv_nl_vcpu_policy,
		.maxattr	= ARRAY_SIZE(mv_nl_vcpu_policy) - 1,
	},
};

/*
 * netnsok = false: VMs are host-global (one /dev/minivisor, ids unique in
 * the host), so the family lives in the initial network namespace only,
 * like the host's own view of them; a process in another network namespace
 * does not see the family at all and cannot listen to the events.
 * parallel_ops: handlers take only per-VM references and locks.
 */
static struct genl_family mv_nl_family __ro_after_init = {
	.name		= MV_GENL_NAME,
	.version	= MV_GENL_VERSION,
	.maxattr	= MV_NL_A_MAX,
	.netnsok	= false,
	.parallel_ops	= true,
	.module		= THIS_MODULE,
	.ops		= mv_nl_ops,
	.n_ops		= ARRAY_SIZE(mv_nl_ops),
	.resv_start_op	= MV_NL_CMD_VM_GET,	/* every command is strict */
	.mcgrps		= mv_nl_mcgrps,
	.n_mcgrps	= ARRAY_SIZE(mv_nl_mcgrps),
};

int mv_netlink_init(void)
{
	return genl_register_family(&mv_nl_family);
}

void mv_netlink_exit(void)
{
	genl_unregister_family(&mv_nl_family);
}

/* ---- events ---- */

int mv_nl_vm_init(struct mv_vm *vm)
{
	struct mv_nl_vm *nl;

	nl = kzalloc(sizeof(*nl), GFP_KERNEL_ACCOUNT);
	if (!nl)
		return -ENOMEM;
	spin_lock_init(&nl->lock);
	nl->credit_ns = MV_NL_EV_BURST * MV_NL_EV_COST_NS;
	nl->last_ns = ktime_get_ns();
	vm->nl = nl;
	return 0;
}

void mv_nl_vm_free(struct mv_vm *vm)
{
	kfree(vm->nl);
	vm->nl = NULL;
}

/*
 * Takes a token for one event; false if the VM is over its rate (counted
 * as dropped). *dropped: the drops to report with this event (then zero).
 * Lifecycle events are never dropped and take no token (exactly one of
 * each per VM) but carry the count, so a VM's last drops show up in its
 * VM_DESTROYED.
 */
static bool mv_nl_ratelimit(struct mv_vm *vm, bool always, u32 *dropped)
{
	struct mv_nl_vm *nl = vm->nl;
	u64 now = ktime_get_ns();
	bool ok = true;

	spin_lock(&nl->lock);
	nl->credit_ns = min_t(u64, nl->credit_ns + (now - nl->last_ns),
			      MV_NL_EV_BURST * MV_NL_EV_COST_NS);
	nl->last_ns = now;
	if (!always) {
		if (nl->credit_ns >= MV_NL_EV_COST_NS)
			nl->credit_ns -= MV_NL_EV_COST_NS;
		else
			ok = false;
	}
	if (ok) {
		*dropped = nl->dropped;
		nl->dropped = 0;
	} else if (nl->dropped < U32_MAX) {
		nl->dropped++;
	}
	spin_unlock(&nl->lock);
	return ok;
}

struct mv_nl_ev {
	u32 event;
	int vcpu;			/* -1: none */
	bool has_reason, has_qual, has_rip, has_suberror;
	u64 reason, qual, rip;
	u32 suberror;
	const char *rule;		/* NULL: none */
};

static bool mv_nl_listening(void)
{
	return genl_has_listeners(&mv_nl_family, &init_net, MV_NL_GRP_EVENTS);
}

static void mv_nl_send_event(struct mv_vm *vm, const struct mv_nl_ev *ev)
{
	bool lifecycle = ev->event == MV_NL_EVENT_VM_CREATED ||
			 ev->event == MV_NL_EVENT_VM_DESTROYED;
	struct sk_buff *msg;
	u32 dropped = 0;
	size_t size;
	void *hdr;

	if (!vm->nl || !mv_nl_ratelimit(vm, lifecycle, &dropped))
		return;
	size = nla_total_size(sizeof(u32)) * 7 +	/* EVENT VM_ID PID UID VCPU SUBERR DROPPED */
	       nla_total_size_64bit(sizeof(u64)) * 4 +	/* TIME REASON QUAL RIP */
	       nla_total_size(TASK_COMM_LEN) +
	       (ev->rule ? nla_total_size(strlen(ev->rule) + 1) : 0);
	msg = genlmsg_new(size, GFP_KERNEL);
	if (!msg)
		return;		/* like a listener's full queue: the event is lost */
	hdr = genlmsg_put(msg, 0, 0, &mv_nl_family, 0, MV_NL_CMD_EVENT);
	if (!hdr ||
	    nla_put_u32(msg, MV_NL_A_EVENT, ev->event) ||
	    nla_put_u32(msg, MV_NL_A_VM_ID, vm->id) ||
	    nla_put_u32(msg, MV_NL_A_PID, vm->creator) ||
	    nla_put_u64_64bit(msg, MV_NL_A_TIME_NS, ktime_get_real_ns(), MV_NL_A_PAD) ||
	    (dropped && nla_put_u32(msg, MV_NL_A_EVENT_DROPPED, dropped)) ||
	    (ev->event == MV_NL_EVENT_VM_CREATED &&
	     (nla_put_u32(msg, MV_NL_A_UID, from_kuid_munged(&init_user_ns, vm->owner_uid)) ||
	      nla_put_string(msg, MV_NL_A_COMM, vm->comm))) ||
	    (ev->vcpu >= 0 && nla_put_u32(msg, MV_NL_A_VCPU_ID, ev->vcpu)) ||
	    (ev->has_suberror && nla_put_u32(msg, MV_NL_A_EVENT_SUBERROR, ev->suberror)) ||
	    (ev->has_reason &&
	     nla_put_u64_64bit(msg, MV_NL_A_EVENT_REASON, ev->reason, MV_NL_A_PAD)) ||
	    (ev->has_qual && nla_put_u64_64bit(msg, MV_NL_A_EVENT_QUAL, ev->qual, MV_NL_A_PAD)) ||
	    (ev->has_rip && nla_put_u64_64bit(msg, MV_NL_A_EVENT_RIP, ev->rip, MV_NL_A_PAD)) ||
	    (ev->rule && nla_put_string(msg, MV_NL_A_EVENT_RULE, ev->rule))) {
		nlmsg_free(msg);
		pr_err_ratelimited("minivisor: netlink event %u larger than computed\n", ev->event);
		return;
	}
	genlmsg_end(msg, hdr);
	/* -ESRCH: the last listener left meanwhile. */
	genlmsg_multicast(&mv_nl_family, msg, 0, MV_NL_GRP_EVENTS, GFP_KERNEL);
}

/* From mv_vm_create (after the fd exists) and mv_vm_free (any process context). */
void mv_nl_vm_event(struct mv_vm *vm, u32 event)
{
	struct mv_nl_ev ev = { .event = event, .vcpu = -1 };

	if (mv_nl_listening())
		mv_nl_send_event(vm, &ev);
}

/* vCPU thread, vCPU loaded, returning from MV_RUN with a fatal exit. */
void mv_nl_exit_event(struct mv_vcpu *vcpu)
{
	const struct mv_run *run = vcpu->run;
	struct mv_nl_ev ev = { .vcpu = vcpu->id };
	const struct mv_entry_rule *rule;
	struct mv_regs regs;

	if (!mv_nl_listening())
		return;
	switch (run->exit_reason) {
	case MV_EXIT_FAIL_ENTRY:
		ev.event = MV_NL_EVENT_ENTRY_FAILED;
		ev.has_reason = ev.has_qual = true;
		ev.reason = run->fail_entry.hardware_entry_failure_reason;
		ev.qual = run->fail_entry.qualification;
		rule = run->fail_entry.check ? mv_entry_rule_get(run->fail_entry.check) : NULL;
		ev.rule = rule ? rule->name : NULL;
		break;
	case MV_EXIT_SHUTDOWN:
		ev.event = MV_NL_EVENT_SHUTDOWN;
		mv_ops->get_regs(vcpu, &regs);
		ev.has_rip = true;
		ev.rip = regs.rip;
		break;
	case MV_EXIT_INTERNAL_ERROR:
		if (run->internal.suberror == MV_INTERNAL_UNHANDLED_EXIT) {
			/* data: raw reason, qualification, RIP */
			ev.event = MV_NL_EVENT_UNHANDLED_EXIT;
			ev.has_reason = ev.has_qual = ev.has_rip = true;
			ev.reason = run->internal.data[0];
			ev.qual = run->internal.data[1];
			ev.rip = run->internal.data[2];
		} else {
			/* data[0], data[1]: as enum mv_internal_suberror says */
			ev.event = MV_NL_EVENT_INTERNAL_ERROR;
			ev.has_suberror = true;
			ev.suberror = run->internal.suberror;
			ev.has_reason = run->internal.ndata > 0;
			ev.reason = run->internal.data[0];
			ev.has_qual = run->internal.ndata > 1;
			ev.qual = run->internal.data[1];
		}
		break;
	default:
		return;
	}
	mv_nl_send_event(vcpu->vm, &ev);
}
