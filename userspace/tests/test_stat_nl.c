// SPDX-License-Identifier: GPL-2.0
/*
 * libminivisor's netlink attribute parsers (mv_nl.h) fed crafted genl
 * messages built with libnl, the way the kernel family lays them out
 * (uapi/linux/minivisor.h): good replies parse to the right numbers;
 * wrong lengths, truncation, missing or repeated attributes are refused
 * with a message naming the attribute; unknown attributes are skipped.
 * No kernel needed.
 */
#include <errno.h>
#include <string.h>

#include <netlink/netlink.h>
#include <netlink/attr.h>
#include <netlink/msg.h>
#include <netlink/genl/genl.h>

#include "libminivisor.h"
#include "tap.h"

static struct nl_msg *new_msg(int cmd)
{
	struct nl_msg *m = nlmsg_alloc_size(1 << 16);

	genlmsg_put(m, 0, 0, 0x20, 0, 0, (uint8_t)cmd, MV_GENL_VERSION);
	return m;
}

static void attrs_of(struct nl_msg *m, void **a, size_t *len)
{
	struct nlmsghdr *h = nlmsg_hdr(m);

	*a = genlmsg_attrdata(nlmsg_data(h), 0);
	*len = (size_t)genlmsg_attrlen(nlmsg_data(h), 0);
}

/* Options for one reason nest, to break it in one way at a time. */
struct rs {
	uint32_t id;
	const char *name;
	uint64_t count, ticks, min, max, ucount;
	int hist_bytes;		/* 0: no HIST; else its length */
	bool no_id, id_as_u64;
};

static void put_reason(struct nl_msg *m, const struct rs *r)
{
	uint64_t hist[MV_STATS_HIST_BUCKETS + 1] = { 0 };
	struct nlattr *n = nla_nest_start(m, MV_NL_STATS_REASON);

	if (r->id_as_u64)
		nla_put_u64(m, MV_NL_REASON_ID, r->id);
	else if (!r->no_id)
		nla_put_u32(m, MV_NL_REASON_ID, r->id);
	if (r->name)
		nla_put_string(m, MV_NL_REASON_NAME, r->name);
	nla_put_u64(m, MV_NL_REASON_COUNT, r->count);
	nla_put_u64(m, MV_NL_REASON_TICKS, r->ticks);
	nla_put_u64(m, MV_NL_REASON_MIN, r->min);
	nla_put_u64(m, MV_NL_REASON_MAX, r->max);
	if (r->hist_bytes) {
		hist[10] = r->count - r->count / 10;
		hist[11] = r->count / 10;
		nla_put(m, MV_NL_REASON_HIST, r->hist_bytes, hist);
	}
	nla_put_u64(m, MV_NL_REASON_USER_COUNT, r->ucount);
	if (r->ucount) {
		memset(hist, 0, sizeof(hist));
		hist[12] = r->ucount;
		nla_put_u64(m, MV_NL_REASON_USER_TICKS, r->ucount * 3000);
		nla_put_u64(m, MV_NL_REASON_USER_MIN, 2500);
		nla_put_u64(m, MV_NL_REASON_USER_MAX, 4000);
		nla_put(m, MV_NL_REASON_USER_HIST, MV_STATS_HIST_BUCKETS * 8, hist);
	}
	nla_put_u32(m, 250, 0xdead);		/* unknown to this library: skipped */
	nla_nest_end(m, n);
}

static struct nl_msg *stats_msg(const struct rs *rs, unsigned int n, bool unknown_top)
{
	struct nl_msg *m = new_msg(MV_NL_CMD_STATS_GET);
	struct nlattr *st, *u;
	unsigned int i;

	nla_put_u32(m, MV_NL_A_VM_ID, 5);
	nla_put_u32(m, MV_NL_A_VCPU_ID, 1);
	nla_put_u32(m, MV_NL_A_TSC_KHZ, 200000);
	if (unknown_top)
		nla_put_string(m, 240, "from the future");
	st = nla_nest_start(m, MV_NL_A_STATS);
	nla_put_u64(m, MV_NL_STATS_EXITS, 1520);
	nla_put_u64(m, MV_NL_STATS_GUEST_TICKS, 111);
	nla_put_u64(m, MV_NL_STATS_KERNEL_TICKS, 222);
	nla_put_u64(m, MV_NL_STATS_USER_TICKS, 333);
	nla_put_u64(m, MV_NL_STATS_IRQS, 4);
	nla_put_u64(m, MV_NL_STATS_NMIS, 5);
	nla_put_u64(m, MV_NL_STATS_EXCEPTIONS, 6);
	nla_put_u64(m, MV_NL_STATS_HALTS, 7);
	nla_put_u64(m, MV_NL_STATS_HALT_WAKEUPS, 8);
	nla_put_u8(m, MV_NL_STATS_HISTOGRAMS, 1);
	for (i = 0; i < n; i++)
		put_reason(m, &rs[i]);
	u = nla_nest_start(m, MV_NL_STATS_USER_EXIT);
	nla_put_u32(m, MV_NL_USER_EXIT_TYPE, MV_EXIT_IO);
	nla_put_u64(m, MV_NL_USER_EXIT_COUNT, 500);
	nla_nest_end(m, u);
	u = nla_nest_start(m, MV_NL_STATS_USER_EXIT);
	nla_put_u32(m, MV_NL_USER_EXIT_TYPE, MV_EXIT_MMIO);
	nla_put_u64(m, MV_NL_USER_EXIT_COUNT, 20);
	nla_nest_end(m, u);
	nla_nest_end(m, st);
	return m;
}

static const struct rs good[] = {
	{ .id = 10, .name = "CPUID", .count = 1000, .ticks = 600000, .min = 500, .max = 1500,
	  .hist_bytes = MV_STATS_HIST_BUCKETS * 8 },
	{ .id = 30, .name = "IO_INSTRUCTION", .count = 500, .ticks = 300000, .min = 400,
	  .max = 700, .ucount = 500, .hist_bytes = MV_STATS_HIST_BUCKETS * 8 },
	{ .id = 48, .name = "EPT_VIOLATION", .count = 20, .ticks = 60000, .min = 2500,
	  .max = 5000, .ucount = 20, .hist_bytes = MV_STATS_HIST_BUCKETS * 8 },
};

/* Parse a stats message; expect -EINVAL with part in the message. */
static void stats_bad(const char *what, struct nl_msg *m, size_t cut, const char *part)
{
	static struct mv_stats s;
	char err[MV_NL_ERR_LEN] = "";
	void *a;
	size_t len;
	int ret;

	attrs_of(m, &a, &len);
	ret = mv_nl_parse_stats(a, len - cut, &s, err);
	ok(ret == -EINVAL && strstr(err, part), "%s refused: %d \"%s\"", what, ret, err);
	nlmsg_free(m);
}

static void test_stats(void)
{
	static struct mv_stats s;
	const struct mv_reason_stats *r;
	char err[MV_NL_ERR_LEN] = "";
	struct rs rs[MV_NL_MAX_REASONS + 1];
	struct nl_msg *m = stats_msg(good, 3, true);
	uint64_t sum;
	unsigned int i;
	void *a;
	size_t len;
	int ret;

	attrs_of(m, &a, &len);
	memset(&s, 0xa5, sizeof(s));
	ret = mv_nl_parse_stats(a, len, &s, err);
	ok(ret == 0, "a well-formed STATS_GET reply parses (%d %s)", ret, err);
	ok(s.vm_id == 5 && s.vcpu == 1 && s.tsc_khz == 200000 && s.exits == 1520 &&
	   s.guest_ticks == 111 && s.kernel_ticks == 222 && s.user_ticks == 333 && s.irqs == 4 &&
	   s.nmis == 5 && s.exceptions == 6 && s.halts == 7 && s.halt_wakeups == 8 &&
	   s.histograms, "totals, VM/vCPU ids and TSC rate");
	ok(s.nreasons == 3 && s.reason[0].id == 10 && !strcmp(s.reason[0].name, "CPUID") &&
	   s.reason[2].id == 48, "three reasons in reply order");
	r = mv_stats_find(&s, 10);
	ok(r && r->count == 1000 && r->ticks == 600000 && r->min == 500 && r->max == 1500 &&
	   r->has_hist && r->hist[10] == 900 && r->hist[11] == 100 && !r->has_uhist &&
	   r->ucount == 0, "CPUID: counters and histogram");
	for (i = 0, sum = 0; r && i < MV_STATS_HIST_BUCKETS; i++)
		sum += r->hist[i];
	ok(sum == 1000, "CPUID histogram sums to its count");
	r = mv_stats_find(&s, 30);
	ok(r && r->ucount == 500 && r->uticks == 1500000 && r->umin == 2500 && r->umax == 4000 &&
	   r->has_uhist && r->uhist[12] == 500, "IO: userspace round trips and their histogram");
	ok(!mv_stats_find(&s, 99), "an absent reason is not found");
	ok(s.nuser == 2 && mv_stats_user_count(&s, MV_EXIT_IO) == 500 &&
	   mv_stats_user_count(&s, MV_EXIT_MMIO) == 20 &&
	   mv_stats_user_count(&s, MV_EXIT_HLT) == 0, "user exits by type: IO 500, MMIO 20");
	ok(strlen(err) == 0, "no error message on success");

	/* The same without the VCPU attribute: the VM's sum. */
	nlmsg_free(m);
	m = new_msg(MV_NL_CMD_STATS_GET);
	nla_put_u32(m, MV_NL_A_VM_ID, 9);
	{
		struct nlattr *st = nla_nest_start(m, MV_NL_A_STATS);

		nla_put_u64(m, MV_NL_STATS_EXITS, 0);
		nla_put_u8(m, MV_NL_STATS_HISTOGRAMS, 0);
		nla_nest_end(m, st);
	}
	attrs_of(m, &a, &len);
	ok(mv_nl_parse_stats(a, len, &s, err) == 0 && s.vcpu == -1 && s.vm_id == 9 &&
	   s.nreasons == 0 && s.exits == 0 && !s.histograms,
	   "no reasons, no vCPU attribute: the VM's sum, nothing counted");
	nlmsg_free(m);

	rs[0] = good[0];
	rs[0].hist_bytes = MV_STATS_HIST_BUCKETS * 8 - 8;
	stats_bad("a 312-byte MV_NL_REASON_HIST", stats_msg(rs, 1, false), 0,
		  "MV_NL_REASON_HIST: 312 bytes, expected 320");
	rs[0].hist_bytes = MV_STATS_HIST_BUCKETS * 8 + 8;
	stats_bad("a 328-byte MV_NL_REASON_HIST", stats_msg(rs, 1, false), 0,
		  "MV_NL_REASON_HIST: 328 bytes");
	rs[0] = good[0];
	rs[0].id_as_u64 = true;
	stats_bad("a u64 MV_NL_REASON_ID", stats_msg(rs, 1, false), 0,
		  "MV_NL_REASON_ID: 8 bytes, expected 4");
	rs[0] = good[0];
	rs[0].no_id = true;
	stats_bad("a reason without its id", stats_msg(rs, 1, false), 0,
		  "without MV_NL_REASON_ID");
	rs[0] = good[0];
	rs[1] = good[0];
	stats_bad("a reason twice", stats_msg(rs, 2, false), 0, "reason 10 appears twice");
	/* After a reset the round trip of the exit before it may still be counted. */
	rs[0] = good[1];
	rs[0].count = 0;
	rs[0].ucount = 1;
	rs[0].hist_bytes = 0;
	m = stats_msg(rs, 1, false);
	attrs_of(m, &a, &len);
	ok(mv_nl_parse_stats(a, len, &s, err) == 0 && s.reason[0].count == 0 &&
	   s.reason[0].ucount == 1, "a round trip counted after a reset (count 0, ucount 1) parses");
	nlmsg_free(m);
	for (i = 0; i <= MV_NL_MAX_REASONS; i++) {
		rs[i] = good[0];
		rs[i].id = i;
		rs[i].hist_bytes = 0;
	}
	stats_bad("129 reasons", stats_msg(rs, MV_NL_MAX_REASONS + 1, false), 0,
		  "more than 128 MV_NL_STATS_REASON");
	stats_bad("a reply cut 3 bytes short", stats_msg(good, 3, false), 3, "truncated");

	m = new_msg(MV_NL_CMD_STATS_GET);
	nla_put_u32(m, MV_NL_A_VM_ID, 5);
	stats_bad("a reply without MV_NL_A_STATS", m, 0, "no MV_NL_A_STATS");
	m = new_msg(MV_NL_CMD_STATS_GET);
	nla_put_u64(m, MV_NL_A_VM_ID, 5);
	stats_bad("a u64 MV_NL_A_VM_ID", m, 0, "MV_NL_A_VM_ID: 8 bytes");
	m = new_msg(MV_NL_CMD_STATS_GET);
	for (i = 0; i < 2; i++) {
		struct nlattr *st = nla_nest_start(m, MV_NL_A_STATS);

		nla_put_u64(m, MV_NL_STATS_EXITS, 0);
		nla_nest_end(m, st);
	}
	stats_bad("MV_NL_A_STATS twice", m, 0, "MV_NL_A_STATS appears twice");
	m = new_msg(MV_NL_CMD_STATS_GET);
	{
		struct nlattr *st = nla_nest_start(m, MV_NL_A_STATS);

		nla_put_u32(m, MV_NL_STATS_EXITS, 1);
		nla_nest_end(m, st);
	}
	stats_bad("a u32 MV_NL_STATS_EXITS", m, 0, "MV_NL_STATS_EXITS: 4 bytes, expected 8");
	m = new_msg(MV_NL_CMD_STATS_GET);
	{
		struct nlattr *st = nla_nest_start(m, MV_NL_A_STATS);
		struct nlattr *n = nla_nest_start(m, MV_NL_STATS_REASON);

		nla_put_u32(m, MV_NL_REASON_ID, 1);
		nla_put(m, MV_NL_REASON_NAME, 3, "abc");	/* no NUL */
		nla_nest_end(m, n);
		nla_nest_end(m, st);
	}
	stats_bad("a name without its NUL", m, 0, "MV_NL_REASON_NAME: not a NUL-terminated");
	m = new_msg(MV_NL_CMD_STATS_GET);
	{
		struct nlattr *st = nla_nest_start(m, MV_NL_A_STATS);
		struct nlattr *n = nla_nest_start(m, MV_NL_STATS_USER_EXIT);

		nla_put_u64(m, MV_NL_USER_EXIT_COUNT, 3);
		nla_nest_end(m, n);
		nla_nest_end(m, st);
	}
	stats_bad("a user exit without its type", m, 0, "without MV_NL_USER_EXIT_TYPE");

	/* A lying nest header: the inner attribute claims more than the nest holds. */
	m = new_msg(MV_NL_CMD_STATS_GET);
	{
		struct nlattr *st = nla_nest_start(m, MV_NL_A_STATS);
		struct nlattr *x;

		nla_put_u64(m, MV_NL_STATS_EXITS, 1);
		x = (struct nlattr *)((char *)nla_data(st));
		nla_nest_end(m, st);
		x->nla_len = 40;
	}
	stats_bad("an attribute longer than its nest", m, 0, "truncated or malformed");
}

static void test_vm_flight_event(void)
{
	struct mv_flight_rec recs[2];
	struct mv_vm_info vi;
	struct mv_event ev;
	char err[MV_NL_ERR_LEN] = "";
	struct nlattr *fl, *e;
	struct nl_msg *m;
	size_t len, n = 0;
	void *a;
	int i, ret;

	m = new_msg(MV_NL_CMD_VM_GET);
	nla_put_u32(m, MV_NL_A_VM_ID, 3);
	nla_put_u32(m, MV_NL_A_PID, 77);
	nla_put_u32(m, MV_NL_A_UID, 1000);
	nla_put_u32(m, MV_NL_A_VCPU_COUNT, 2);
	nla_put_u64(m, MV_NL_A_MEM_BYTES, 64 << 20);
	nla_put_u64(m, MV_NL_A_CREATED_NS, 123456789);
	nla_put_string(m, MV_NL_A_COMM, "a-very-long-command-name-beyond-32-bytes");
	nla_put_u32(m, MV_NL_A_TSC_KHZ, 200000);
	nla_put_string(m, MV_NL_A_BACKEND, "vmx");
	nla_put_u32(m, MV_NL_A_FLIGHT_SIZE, 64);
	attrs_of(m, &a, &len);
	ret = mv_nl_parse_vm(a, len, &vi, err);
	ok(ret == 0 && vi.id == 3 && vi.pid == 77 && vi.uid == 1000 && vi.vcpus == 2 &&
	   vi.mem_bytes == 64 << 20 && vi.created_ns == 123456789 && vi.tsc_khz == 200000 &&
	   !strcmp(vi.backend, "vmx") && vi.flight_size == 64 &&
	   strlen(vi.comm) == MV_NL_NAME_LEN - 1, "VM_GET reply parses; a long comm is cut");
	nlmsg_free(m);
	m = new_msg(MV_NL_CMD_VM_GET);
	nla_put_u32(m, MV_NL_A_PID, 77);
	attrs_of(m, &a, &len);
	ok(mv_nl_parse_vm(a, len, &vi, err) == -EINVAL && strstr(err, "no MV_NL_A_VM_ID"),
	   "VM reply without an id refused: %s", err);
	nlmsg_free(m);

	m = new_msg(MV_NL_CMD_FLIGHT_GET);
	nla_put_u32(m, MV_NL_A_VM_ID, 3);
	fl = nla_nest_start(m, MV_NL_A_FLIGHT);
	for (i = 0; i < 3; i++) {
		e = nla_nest_start(m, MV_NL_FLIGHT_ENTRY);
		nla_put_u32(m, MV_NL_FLIGHT_REASON, i == 1 ? 48 : 10);
		nla_put_string(m, MV_NL_FLIGHT_NAME, i == 1 ? "EPT_VIOLATION" : "CPUID");
		nla_put_u64(m, MV_NL_FLIGHT_RIP, 0x1000 + i);
		if (i == 1)
			nla_put_u64(m, MV_NL_FLIGHT_GPA, 0xfee00000);
		nla_put_u64(m, MV_NL_FLIGHT_TSC, 100 * i);
		nla_put_u64(m, MV_NL_FLIGHT_TICKS, 600);
		nla_put_u32(m, MV_NL_FLIGHT_USER, i == 1 ? MV_EXIT_MMIO : 0);
		nla_nest_end(m, e);
	}
	nla_nest_end(m, fl);
	attrs_of(m, &a, &len);
	ret = mv_nl_parse_flight(a, len, recs, 2, &n, err);
	ok(ret == 0 && n == 3 && recs[0].reason == 10 && recs[0].rip == 0x1000 &&
	   !recs[0].has_gpa && recs[1].reason == 48 && recs[1].has_gpa &&
	   recs[1].gpa == 0xfee00000 && recs[1].user == MV_EXIT_MMIO && recs[1].tsc == 100,
	   "flight entries in order; 3 counted, 2 stored (max 2)");
	n = 0;
	ret = mv_nl_parse_flight(a, len - 4, recs, 2, &n, err);
	ok(ret == -EINVAL, "a truncated flight reply is refused: %s", err);
	nlmsg_free(m);

	m = new_msg(MV_NL_CMD_EVENT);
	nla_put_u32(m, MV_NL_A_EVENT, MV_NL_EVENT_ENTRY_FAILED);
	nla_put_u32(m, MV_NL_A_VM_ID, 3);
	nla_put_u32(m, MV_NL_A_PID, 77);
	nla_put_u64(m, MV_NL_A_TIME_NS, 42);
	nla_put_u32(m, MV_NL_A_VCPU_ID, 0);
	nla_put_u64(m, MV_NL_A_EVENT_REASON, 0x80000021);
	nla_put_u64(m, MV_NL_A_EVENT_QUAL, 0);
	nla_put_string(m, MV_NL_A_EVENT_RULE, "cs_l_and_d");
	nla_put_u32(m, MV_NL_A_EVENT_DROPPED, 2);
	attrs_of(m, &a, &len);
	ret = mv_nl_parse_event(a, len, &ev, err);
	ok(ret == 0 && ev.type == MV_NL_EVENT_ENTRY_FAILED && ev.vm_id == 3 && ev.pid == 77 &&
	   ev.time_ns == 42 && ev.vcpu == 0 && ev.has_reason && ev.reason == 0x80000021 &&
	   ev.has_qual && !ev.has_rip && !strcmp(ev.rule, "cs_l_and_d") && ev.dropped == 2,
	   "entry-failure event parses");
	ok(!strcmp(mv_nl_event_str(ev.type), "ENTRY_FAILED") &&
	   !strcmp(mv_nl_event_str(99), "UNKNOWN"), "event names");
	nlmsg_free(m);
	m = new_msg(MV_NL_CMD_EVENT);
	nla_put_u32(m, MV_NL_A_VM_ID, 3);
	attrs_of(m, &a, &len);
	ok(mv_nl_parse_event(a, len, &ev, err) == -EINVAL && strstr(err, "without MV_NL_A_EVENT"),
	   "an event without its type is refused: %s", err);
	nlmsg_free(m);
	m = new_msg(MV_NL_CMD_EVENT);
	nla_put_u32(m, MV_NL_A_EVENT, 1);
	nla_put_u32(m, MV_NL_A_VCPU_ID, 0x80000000u);
	attrs_of(m, &a, &len);
	ok(mv_nl_parse_event(a, len, &ev, err) == -EINVAL && strstr(err, "out of range"),
	   "a vCPU id above INT32_MAX is refused: %s", err);
	nlmsg_free(m);
}

int main(void)
{
	tap_start();
	test_stats();
	test_vm_flight_event();
	return tap_end();
}
