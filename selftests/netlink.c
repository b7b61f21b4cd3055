// SPDX-License-Identifier: GPL-2.0
/*
 * The "minivisor" generic netlink family (Documentation/netlink.md): the
 * family and its version, VM_GET doit and dump against what the test knows
 * of its VMs, statistics, reset and the flight recorder, the events group
 * (order, contents, rate limit), permissions of an unprivileged user,
 * malformed requests (errno and extack message each) and VMs destroyed
 * while another thread dumps. Speaks raw netlink (no libnl): a small
 * request/reply helper below.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <linux/genetlink.h>
#include <linux/netlink.h>

#include "test_harness.h"
#include "test_util.h"
#include "vm.h"

#ifndef NETLINK_EXT_ACK
#define NETLINK_EXT_ACK		11
#endif
#ifndef NETLINK_CAP_ACK
#define NETLINK_CAP_ACK		10
#endif
#ifndef SOL_NETLINK
#define SOL_NETLINK		270
#endif

#define EXIT_REASON_TRIPLE_FAULT	2
#define EXIT_REASON_HLT			12
#define EXIT_REASON_IO_INSTRUCTION	30
#define EXIT_REASON_INVALID_GUEST_STATE	33

/* The rate limit the module documents: a burst of 20, then 10 a second. */
#define EV_BURST	20
#define EV_RATE		10

#define NL_BUF		(256 * 1024)
#define NOBODY		65534

/* ---- a small raw generic netlink client ---- */

struct nls {
	int fd;
	uint32_t seq;
	uint16_t family;
	uint32_t version;
	uint32_t grp_events;	/* 0: not found */
	uint8_t *buf;		/* NL_BUF bytes */
};

/* A request being built. */
struct nlreq {
	uint8_t b[70 * 1024] __attribute__((aligned(4)));
	size_t len;
};

/* The outcome of a request: the errno of the final ack and its extack text. */
struct nlres {
	int err;		/* 0 or -errno */
	char msg[256];		/* NLMSGERR_ATTR_MSG, "" if none */
	int has_offs;		/* NLMSGERR_ATTR_OFFS present */
	uint32_t miss_type;	/* NLMSGERR_ATTR_MISS_TYPE, 0 if none */
};

typedef void (*nl_cb)(void *ctx, const struct nlmsghdr *h);

static void req_init(struct nlreq *r, uint16_t type, uint16_t flags, uint8_t cmd, uint32_t seq)
{
	struct nlmsghdr *h = (void *)r->b;
	struct genlmsghdr *g = NLMSG_DATA(h);

	memset(r->b, 0, NLMSG_HDRLEN + GENL_HDRLEN);
	h->nlmsg_type = type;
	h->nlmsg_flags = NLM_F_REQUEST | flags;
	h->nlmsg_seq = seq;
	g->cmd = cmd;
	g->version = 1;
	r->len = NLMSG_HDRLEN + GENL_HDRLEN;
	h->nlmsg_len = r->len;
}

static void req_put(struct nlreq *r, uint16_t type, const void *data, uint16_t len)
{
	struct nlmsghdr *h = (void *)r->b;
	struct nlattr *a = (void *)(r->b + r->len);

	if (r->len + NLA_HDRLEN + NLA_ALIGN(len) > sizeof(r->b))
		TEST_FAIL("request buffer too small");
	a->nla_type = type;
	a->nla_len = NLA_HDRLEN + len;
	memcpy((uint8_t *)a + NLA_HDRLEN, data, len);
	memset((uint8_t *)a + NLA_HDRLEN + len, 0, NLA_ALIGN(len) - len);
	r->len += NLA_HDRLEN + NLA_ALIGN(len);
	h->nlmsg_len = r->len;
}

static void req_u32(struct nlreq *r, uint16_t type, uint32_t v)
{
	req_put(r, type, &v, sizeof(v));
}

/* Attributes of [data, data + len) by type, the last of each type. */
static void nla_parse_buf(const struct nlattr **tb, int max, const void *data, int len)
{
	const struct nlattr *a = data;

	memset(tb, 0, sizeof(*tb) * (max + 1));
	while (len >= NLA_HDRLEN && a->nla_len >= NLA_HDRLEN && a->nla_len <= len) {
		int type = a->nla_type & NLA_TYPE_MASK;

		if (type <= max)
			tb[type] = a;
		len -= NLA_ALIGN(a->nla_len);
		a = (const void *)((const uint8_t *)a + NLA_ALIGN(a->nla_len));
	}
}

static const void *nla_data_of(const struct nlattr *a)
{
	return (const uint8_t *)a + NLA_HDRLEN;
}

static int nla_len_of(const struct nlattr *a)
{
	return a->nla_len - NLA_HDRLEN;
}

static uint32_t nla_u32(const struct nlattr *a)
{
	uint32_t v = 0;

	if (a && nla_len_of(a) == 4)
		memcpy(&v, nla_data_of(a), 4);
	return v;
}

static uint64_t nla_u64(const struct nlattr *a)
{
	uint64_t v = 0;

	if (a && nla_len_of(a) == 8)
		memcpy(&v, nla_data_of(a), 8);
	return v;
}

static const char *nla_str(const struct nlattr *a)
{
	if (!a || nla_len_of(a) < 1 || ((const char *)nla_data_of(a))[nla_len_of(a) - 1])
		return NULL;
	return nla_data_of(a);
}

/* The attributes of a genl message of our family. */
static void genl_parse(const struct nlmsghdr *h, const struct nlattr **tb, int max)
{
	const uint8_t *p = (const uint8_t *)NLMSG_DATA(h) + GENL_HDRLEN;

	nla_parse_buf(tb, max, p, (int)h->nlmsg_len - NLMSG_HDRLEN - GENL_HDRLEN);
}

static int nls_socket(struct nls *s)
{
	struct sockaddr_nl sa = { .nl_family = AF_NETLINK };
	int one = 1, rcv = 4 << 20;

	memset(s, 0, sizeof(*s));
	s->fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_GENERIC);
	if (s->fd < 0)
		return -errno;
	if (setsockopt(s->fd, SOL_NETLINK, NETLINK_EXT_ACK, &one, sizeof(one)) ||
	    setsockopt(s->fd, SOL_NETLINK, NETLINK_CAP_ACK, &one, sizeof(one)))
		return -errno;
	/* Root may exceed rmem_max (SO_RCVBUFFORCE); others get what they get. */
	if (setsockopt(s->fd, SOL_SOCKET, SO_RCVBUFFORCE, &rcv, sizeof(rcv)))
		setsockopt(s->fd, SOL_SOCKET, SO_RCVBUF, &rcv, sizeof(rcv));
	if (bind(s->fd, (struct sockaddr *)&sa, sizeof(sa)))
		return -errno;
	s->buf = malloc(NL_BUF);
	if (!s->buf)
		return -ENOMEM;
	return 0;
}

static void nls_close(struct nls *s)
{
	if (s->fd >= 0)
		close(s->fd);
	free(s->buf);
	s->fd = -1;
	s->buf = NULL;
}

static void parse_err(const struct nlmsghdr *h, struct nlres *res)
{
	const struct nlmsgerr *e = NLMSG_DATA(h);
	const struct nlattr *tb[NLMSGERR_ATTR_MAX + 1];
	size_t off = sizeof(*e);

	res->err = e->error;
	if (!(h->nlmsg_flags & NLM_F_CAPPED))
		off += e->msg.nlmsg_len - NLMSG_HDRLEN;
	if (!(h->nlmsg_flags & NLM_F_ACK_TLVS))
		return;
	nla_parse_buf(tb, NLMSGERR_ATTR_MAX, (const uint8_t *)e + off,
		      (int)(h->nlmsg_len - NLMSG_HDRLEN - off));
	if (nla_str(tb[NLMSGERR_ATTR_MSG]))
		snprintf(res->msg, sizeof(res->msg), "%s", nla_str(tb[NLMSGERR_ATTR_MSG]));
	res->has_offs = !!tb[NLMSGERR_ATTR_OFFS];
	res->miss_type = nla_u32(tb[NLMSGERR_ATTR_MISS_TYPE]);
}

/*
 * Sends the request and reads until its final ack (doit, NLM_F_ACK) or
 * NLMSG_DONE (dump); every other message of the sequence goes to cb.
 * Returns res.err; a receive failure fails the test.
 */
static int nls_xfer(struct nls *s, struct nlreq *r, nl_cb cb, void *ctx, struct nlres *res)
{
	struct nlmsghdr *rh = (void *)r->b;
	struct sockaddr_nl sa = { .nl_family = AF_NETLINK };
	uint32_t seq = rh->nlmsg_seq;

	memset(res, 0, sizeof(*res));
	if (sendto(s->fd, r->b, r->len, 0, (struct sockaddr *)&sa, sizeof(sa)) != (ssize_t)r->len)
		TEST_FAIL("netlink sendto: %s", strerror(errno));
	for (;;) {
		ssize_t n = recv(s->fd, s->buf, NL_BUF, 0);
		struct nlmsghdr *h;

		if (n < 0)
			TEST_FAIL("netlink recv: %s", strerror(errno));
		for (h = (void *)s->buf; NLMSG_OK(h, n); h = NLMSG_NEXT(h, n)) {
			if (h->nlmsg_seq != seq)
				continue;
			if (h->nlmsg_type == NLMSG_ERROR) {
				parse_err(h, res);
				return res->err;
			}
			if (h->nlmsg_type == NLMSG_DONE) {
				if (h->nlmsg_len >= NLMSG_HDRLEN + sizeof(int))
					memcpy(&res->err, NLMSG_DATA(h), sizeof(int));
				return res->err;
			}
			if (cb)
				cb(ctx, h);
		}
	}
}

static void family_cb(void *ctx, const struct nlmsghdr *h)
{
	struct nls *s = ctx;
	const struct nlattr *tb[CTRL_ATTR_MAX + 1], *g;
	int rem;

	genl_parse(h, tb, CTRL_ATTR_MAX);
	s->family = (uint16_t)(tb[CTRL_ATTR_FAMILY_ID] ? *(const uint16_t *)nla_data_of(tb[CTRL_ATTR_FAMILY_ID]) : 0);
	s->version = nla_u32(tb[CTRL_ATTR_VERSION]);
	if (!tb[CTRL_ATTR_MCAST_GROUPS])
		return;
	g = nla_data_of(tb[CTRL_ATTR_MCAST_GROUPS]);
	rem = nla_len_of(tb[CTRL_ATTR_MCAST_GROUPS]);
	while (rem >= NLA_HDRLEN && g->nla_len >= NLA_HDRLEN && g->nla_len <= rem) {
		const struct nlattr *gt[CTRL_ATTR_MCAST_GRP_MAX + 1];
		const char *name;

		nla_parse_buf(gt, CTRL_ATTR_MCAST_GRP_MAX, nla_data_of(g), nla_len_of(g));
		name = nla_str(gt[CTRL_ATTR_MCAST_GRP_NAME]);
		if (name && !strcmp(name, MV_GENL_MCGRP_EVENTS))
			s->grp_events = nla_u32(gt[CTRL_ATTR_MCAST_GRP_ID]);
		rem -= NLA_ALIGN(g->nla_len);
		g = (const void *)((const uint8_t *)g + NLA_ALIGN(g->nla_len));
	}
}

static struct nlreq req;	/* one at a time per process (per thread: see below) */

/* Opens a socket and resolves the family; 0 or -errno. */
static int nls_open(struct nls *s)
{
	struct nlres res;
	int r;

	r = nls_socket(s);
	if (r)
		return r;
	req_init(&req, GENL_ID_CTRL, NLM_F_ACK, CTRL_CMD_GETFAMILY, ++s->seq);
	req_put(&req, CTRL_ATTR_FAMILY_NAME, MV_GENL_NAME, sizeof(MV_GENL_NAME));
	r = nls_xfer(s, &req, family_cb, s, &res);
	if (r)
		return r;
	return s->family ? 0 : -ENOENT;
}

#define nls_open_ok(s) do {						\
	int __r = nls_open(s);						\
	if (__r)							\
		TEST_FAIL("resolving the " MV_GENL_NAME " family: %s", strerror(-__r)); \
} while (0)

static int nls_join_events(struct nls *s)
{
	int g = s->grp_events;

	if (!g)
		return -ENOENT;
	if (setsockopt(s->fd, SOL_NETLINK, NETLINK_ADD_MEMBERSHIP, &g, sizeof(g)))
		return -errno;
	return 0;
}

/* A request of our family with VM_ID and optionally VCPU_ID (vcpu < 0: none). */
static int mv_req(struct nls *s, struct nlreq *r, uint8_t cmd, uint32_t vm_id, int vcpu,
		  nl_cb cb, void *ctx, struct nlres *res)
{
	req_init(r, s->family, NLM_F_ACK, cmd, ++s->seq);
	req_u32(r, MV_NL_A_VM_ID, vm_id);
	if (vcpu >= 0)
		req_u32(r, MV_NL_A_VCPU_ID, vcpu);
	return nls_xfer(s, r, cb, ctx, res);
}

static int mv_dump(struct nls *s, struct nlreq *r, uint8_t cmd, nl_cb cb, void *ctx,
		   struct nlres *res)
{
	req_init(r, s->family, NLM_F_DUMP, cmd, ++s->seq);
	return nls_xfer(s, r, cb, ctx, res);
}

/* ---- VM_GET replies ---- */

struct vminfo {
	uint32_t id, pid, uid, vcpus, tsc_khz, flight_size;
	uint64_t mem, created;
	char comm[32], backend[16];
	int seen;
};

struct vmlist {
	struct vminfo v[64];
	int n;
	int unordered;		/* ids not increasing */
};

static void vminfo_from(const struct nlmsghdr *h, struct vminfo *v)
{
	const struct nlattr *tb[MV_NL_A_MAX + 1];

	genl_parse(h, tb, MV_NL_A_MAX);
	memset(v, 0, sizeof(*v));
	v->id = nla_u32(tb[MV_NL_A_VM_ID]);
	v->pid = nla_u32(tb[MV_NL_A_PID]);
	v->uid = nla_u32(tb[MV_NL_A_UID]);
	v->vcpus = nla_u32(tb[MV_NL_A_VCPU_COUNT]);
	v->tsc_khz = nla_u32(tb[MV_NL_A_TSC_KHZ]);
	v->flight_size = nla_u32(tb[MV_NL_A_FLIGHT_SIZE]);
	v->mem = nla_u64(tb[MV_NL_A_MEM_BYTES]);
	v->created = nla_u64(tb[MV_NL_A_CREATED_NS]);
	snprintf(v->comm, sizeof(v->comm), "%s", nla_str(tb[MV_NL_A_COMM]) ?: "(none)");
	snprintf(v->backend, sizeof(v->backend), "%s", nla_str(tb[MV_NL_A_BACKEND]) ?: "(none)");
	v->seen = 1;
}

static void vminfo_cb(void *ctx, const struct nlmsghdr *h)
{
	vminfo_from(h, ctx);
}

static void vmlist_cb(void *ctx, const struct nlmsghdr *h)
{
	struct vmlist *l = ctx;
	struct vminfo v;

	vminfo_from(h, &v);
	if (l->n && v.id <= l->v[l->n - 1].id)
		l->unordered = 1;
	if (l->n < (int)ARRAY_SIZE(l->v))
		l->v[l->n++] = v;
}

static const struct vminfo *vmlist_find(const struct vmlist *l, uint32_t id)
{
	int i;

	for (i = 0; i < l->n; i++)
		if (l->v[i].id == id)
			return &l->v[i];
	return NULL;
}

static uint32_t vm_id_of(int vm_fd)
{
	int r = ioctl(vm_fd, MV_GET_VM_ID);

	if (r < 1)
		TEST_FAIL("MV_GET_VM_ID returned %d (%s)", r, r < 0 ? strerror(errno) : "");
	return r;
}

static uint64_t realtime_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return ts.tv_sec * 1000000000ull + ts.tv_nsec;
}

static void self_comm(char *comm, size_t len)
{
	FILE *f = fopen("/proc/self/comm", "r");

	if (!f || !fgets(comm, len, f))
		TEST_FAIL("reading /proc/self/comm");
	fclose(f);
	comm[strcspn(comm, "\n")] = '\0';
}

/* ---- kernel log ---- */

static int kmsg_open_at_end(void)
{
	int fd = open("/dev/kmsg", O_RDONLY | O_NONBLOCK | O_CLOEXEC);

	if (fd < 0)
		TEST_FAIL("open /dev/kmsg: %s", strerror(errno));
	if (lseek(fd, 0, SEEK_END) < 0)
		TEST_FAIL("seek to the end of /dev/kmsg: %s", strerror(errno));
	return fd;
}

/* Fails the test on WARNING:/BUG:/Oops/KASAN records since kmsg_open_at_end(). */
static void kmsg_expect_clean(int fd)
{
	static const char *const bad[] = { "WARNING:", "BUG:", "Oops", "KASAN", "refcount_t" };
	char rec[8192];
	unsigned int i;
	int problems = 0;

	for (;;) {
		ssize_t n = read(fd, rec, sizeof(rec) - 1);
		char *msg;

		if (n < 0 && errno == EPIPE)
			continue;
		if (n <= 0)
			break;
		rec[n] = '\0';
		msg = strchr(rec, ';');
		msg = msg ? msg + 1 : rec;
		*strchrnul(msg, '\n') = '\0';
		for (i = 0; i < ARRAY_SIZE(bad); i++)
			if (strstr(msg, bad[i])) {
				test_diag("kernel log: %s", msg);
				problems++;
			}
	}
	close(fd);
	EXPECT_EQ(problems, 0);
}

/* ---- cases ---- */

static void test_family(void)
{
	struct nls s;
	int sys = mv_open();

	ASSERT_GE(sys, 0);
	nls_open_ok(&s);
	test_diag("family id %u, version %u, events group %u", s.family, s.version,
		  s.grp_events);
	EXPECT_GT(s.family, GENL_MIN_ID - 1);
	EXPECT_EQ(s.version, MV_GENL_VERSION);
	EXPECT_EQ(mv_check_cap(sys, MV_CAP_NETLINK), s.version);
	EXPECT_NE(s.grp_events, 0);
	nls_close(&s);
	close(sys);
}

static void test_vm_get(void)
{
	struct tvm a, b;
	struct vminfo v;
	struct vmlist *l = calloc(1, sizeof(*l));
	const struct vminfo *p;
	struct nlres res;
	uint64_t before, after;
	uint32_t ida, idb;
	struct mv_run *run1;
	char comm[32];
	struct nls s;
	int fd1;

	ASSERT_TRUE(l);
	self_comm(comm, sizeof(comm));
	nls_open_ok(&s);
	before = realtime_ns();
	tvm_create_real(&a, RM_BLOB(hlt));
	after = realtime_ns();
	ASSERT_OK(mv_vm_add_vcpu(&a.vm, 1, &fd1, &run1));
	tvm_create_real(&b, RM_BLOB(hlt));
	ida = vm_id_of(a.vm.vm_fd);
	idb = vm_id_of(b.vm.vm_fd);
	EXPECT_NE(ida, idb);

	memset(&v, 0, sizeof(v));
	ASSERT_OK(mv_req(&s, &req, MV_NL_CMD_VM_GET, ida, -1, vminfo_cb, &v, &res));
	ASSERT_TRUE(v.seen);
	EXPECT_EQ(v.id, ida);
	EXPECT_EQ(v.pid, getpid());
	EXPECT_EQ(v.uid, geteuid());
	EXPECT_EQ(v.vcpus, 2);
	EXPECT_EQ(v.mem, a.vm.mem_size);
	EXPECT_GE(v.created, before);
	EXPECT_LE(v.created, after);
	EXPECT_STREQ(v.comm, comm);
	EXPECT_STREQ(v.backend, "vmx");
	EXPECT_EQ(v.tsc_khz, mv_check_cap(a.vm.sys_fd, MV_CAP_TSC_KHZ));
	EXPECT_EQ(!!v.flight_size, !!(mv_check_cap(a.vm.sys_fd, MV_CAP_STATS) & MV_STATS_FLIGHT));

	ASSERT_OK(mv_dump(&s, &req, MV_NL_CMD_VM_GET, vmlist_cb, l, &res));
	test_diag("dump: %d VMs", l->n);
	EXPECT_FALSE(l->unordered);
	p = vmlist_find(l, ida);
	ASSERT_TRUE(p);
	EXPECT_EQ(p->pid, getpid());
	EXPECT_EQ(p->uid, geteuid());
	EXPECT_EQ(p->vcpus, 2);
	EXPECT_EQ(p->mem, a.vm.mem_size);
	EXPECT_EQ(p->created, v.created);
	p = vmlist_find(l, idb);
	ASSERT_TRUE(p);
	EXPECT_EQ(p->vcpus, 1);

	/* Gone: ENOENT for the doit, absent from the dump. */
	tvm_destroy(&b);
	EXPECT_ERR(mv_req(&s, &req, MV_NL_CMD_VM_GET, idb, -1, NULL, NULL, &res), ENOENT);
	test_diag("extack: %s", res.msg);
	EXPECT_NE(res.msg[0], 0);
	memset(l, 0, sizeof(*l));
	ASSERT_OK(mv_dump(&s, &req, MV_NL_CMD_VM_GET, vmlist_cb, l, &res));
	EXPECT_FALSE(vmlist_find(l, idb));
	EXPECT_TRUE(vmlist_find(l, ida));

	mv_vcpu_release(&a.vm, fd1, run1);
	tvm_destroy(&a);
	nls_close(&s);
	free(l);
}

/* ---- STATS_GET ---- */

struct stats {
	int seen;
	uint32_t vm_id, vcpu_id, tsc_khz;
	int has_vcpu;
	uint64_t exits, guest_ticks, kernel_ticks, user_ticks;
	int histograms;
	struct {
		uint64_t count, ticks, min, max, ucount, uticks, umin, umax, hsum, uhsum;
		int seen, has_hist;
		char name[32];
	} r[128];
	uint64_t user_exits[32];
	int bad;		/* malformed nests */
};

static uint64_t hist_sum(const struct nlattr *a, int *bad)
{
	uint64_t v[MV_STATS_HIST_BUCKETS], s = 0;
	int i;

	if (nla_len_of(a) != sizeof(v)) {
		(*bad)++;
		return 0;
	}
	memcpy(v, nla_data_of(a), sizeof(v));
	for (i = 0; i < MV_STATS_HIST_BUCKETS; i++)
		s += v[i];
	return s;
}

static void stats_cb(void *ctx, const struct nlmsghdr *h)
{
	struct stats *st = ctx;
	const struct nlattr *tb[MV_NL_A_MAX + 1], *sb[MV_NL_STATS_MAX + 1], *a;
	int rem;

	genl_parse(h, tb, MV_NL_A_MAX);
	st->seen = 1;
	st->vm_id = nla_u32(tb[MV_NL_A_VM_ID]);
	st->has_vcpu = !!tb[MV_NL_A_VCPU_ID];
	st->vcpu_id = nla_u32(tb[MV_NL_A_VCPU_ID]);
	st->tsc_khz = nla_u32(tb[MV_NL_A_TSC_KHZ]);
	if (!tb[MV_NL_A_STATS]) {
		st->bad++;
		return;
	}
	nla_parse_buf(sb, MV_NL_STATS_MAX, nla_data_of(tb[MV_NL_A_STATS]),
		      nla_len_of(tb[MV_NL_A_STATS]));
	st->exits = nla_u64(sb[MV_NL_STATS_EXITS]);
	st->guest_ticks = nla_u64(sb[MV_NL_STATS_GUEST_TICKS]);
	st->kernel_ticks = nla_u64(sb[MV_NL_STATS_KERNEL_TICKS]);
	st->user_ticks = nla_u64(sb[MV_NL_STATS_USER_TICKS]);
	st->histograms = sb[MV_NL_STATS_HISTOGRAMS] ?
			 *(const uint8_t *)nla_data_of(sb[MV_NL_STATS_HISTOGRAMS]) : -1;
	/* The repeated nests: walk them all. */
	a = nla_data_of(tb[MV_NL_A_STATS]);
	rem = nla_len_of(tb[MV_NL_A_STATS]);
	for (; rem >= NLA_HDRLEN && a->nla_len >= NLA_HDRLEN && a->nla_len <= rem;
	     rem -= NLA_ALIGN(a->nla_len), a = (const void *)((const uint8_t *)a + NLA_ALIGN(a->nla_len))) {
		int type = a->nla_type & NLA_TYPE_MASK;

		if (type == MV_NL_STATS_REASON) {
			const struct nlattr *rb[MV_NL_REASON_MAX_ATTR + 1];
			uint32_t id;

			nla_parse_buf(rb, MV_NL_REASON_MAX_ATTR, nla_data_of(a), nla_len_of(a));
			id = nla_u32(rb[MV_NL_REASON_ID]);
			if (!rb[MV_NL_REASON_ID] || id >= ARRAY_SIZE(st->r) || st->r[id].seen) {
				st->bad++;
				continue;
			}
			st->r[id].seen = 1;
			st->r[id].count = nla_u64(rb[MV_NL_REASON_COUNT]);
			st->r[id].ticks = nla_u64(rb[MV_NL_REASON_TICKS]);
			st->r[id].min = nla_u64(rb[MV_NL_REASON_MIN]);
			st->r[id].max = nla_u64(rb[MV_NL_REASON_MAX]);
			st->r[id].ucount = nla_u64(rb[MV_NL_REASON_USER_COUNT]);
			st->r[id].uticks = nla_u64(rb[MV_NL_REASON_USER_TICKS]);
			st->r[id].umin = nla_u64(rb[MV_NL_REASON_USER_MIN]);
			st->r[id].umax = nla_u64(rb[MV_NL_REASON_USER_MAX]);
			snprintf(st->r[id].name, sizeof(st->r[id].name), "%s",
				 nla_str(rb[MV_NL_REASON_NAME]) ?: "");
			if (rb[MV_NL_REASON_HIST] && rb[MV_NL_REASON_USER_HIST]) {
				st->r[id].has_hist = 1;
				st->r[id].hsum = hist_sum(rb[MV_NL_REASON_HIST], &st->bad);
				st->r[id].uhsum = hist_sum(rb[MV_NL_REASON_USER_HIST], &st->bad);
			}
		} else if (type == MV_NL_STATS_USER_EXIT) {
			const struct nlattr *ub[MV_NL_USER_EXIT_MAX + 1];
			uint32_t t;

			nla_parse_buf(ub, MV_NL_USER_EXIT_MAX, nla_data_of(a), nla_len_of(a));
			t = nla_u32(ub[MV_NL_USER_EXIT_TYPE]);
			if (t >= ARRAY_SIZE(st->user_exits)) {
				st->bad++;
				continue;
			}
			st->user_exits[t] = nla_u64(ub[MV_NL_USER_EXIT_COUNT]);
		}
	}
}

static int stats_get(struct nls *s, uint32_t id, int vcpu, struct stats *st, struct nlres *res)
{
	memset(st, 0, sizeof(*st));
	return mv_req(s, &req, MV_NL_CMD_STATS_GET, id, vcpu, stats_cb, st, res);
}

/* ---- FLIGHT_GET ---- */

struct flight {
	int n, bad;
	struct {
		uint32_t reason, user;
		uint64_t rip, tsc, ticks;
		char name[32];
	} e[4096];
};

static void flight_cb(void *ctx, const struct nlmsghdr *h)
{
	struct flight *f = ctx;
	const struct nlattr *tb[MV_NL_A_MAX + 1], *a;
	int rem;

	genl_parse(h, tb, MV_NL_A_MAX);
	if (!tb[MV_NL_A_FLIGHT]) {
		f->bad++;
		return;
	}
	a = nla_data_of(tb[MV_NL_A_FLIGHT]);
	rem = nla_len_of(tb[MV_NL_A_FLIGHT]);
	for (; rem >= NLA_HDRLEN && a->nla_len >= NLA_HDRLEN && a->nla_len <= rem;
	     rem -= NLA_ALIGN(a->nla_len), a = (const void *)((const uint8_t *)a + NLA_ALIGN(a->nla_len))) {
		const struct nlattr *fb[MV_NL_FLIGHT_MAX + 1];

		if ((a->nla_type & NLA_TYPE_MASK) != MV_NL_FLIGHT_ENTRY || f->n >= (int)ARRAY_SIZE(f->e)) {
			f->bad++;
			continue;
		}
		nla_parse_buf(fb, MV_NL_FLIGHT_MAX, nla_data_of(a), nla_len_of(a));
		f->e[f->n].reason = nla_u32(fb[MV_NL_FLIGHT_REASON]);
		f->e[f->n].user = nla_u32(fb[MV_NL_FLIGHT_USER]);
		f->e[f->n].rip = nla_u64(fb[MV_NL_FLIGHT_RIP]);
		f->e[f->n].tsc = nla_u64(fb[MV_NL_FLIGHT_TSC]);
		f->e[f->n].ticks = nla_u64(fb[MV_NL_FLIGHT_TICKS]);
		snprintf(f->e[f->n].name, sizeof(f->e[f->n].name), "%s",
			 nla_str(fb[MV_NL_FLIGHT_NAME]) ?: "");
		f->n++;
	}
}

static void test_stats(void)
{
	struct stats *st = calloc(1, sizeof(*st));
	struct flight *f = calloc(1, sizeof(*f));
	struct nlres res;
	struct nls s;
	struct tvm t;
	uint32_t id;
	long caps;
	int i;

	ASSERT_TRUE(st && f);
	nls_open_ok(&s);
	tvm_create_real(&t, RM_BLOB(hello));
	id = vm_id_of(t.vm.vm_fd);
	caps = mv_check_cap(t.vm.sys_fd, MV_CAP_STATS);

	/* No exit yet: zero, and the vCPU id echoed. */
	ASSERT_OK(stats_get(&s, id, 0, st, &res));
	EXPECT_EQ(st->exits, 0);
	EXPECT_TRUE(st->has_vcpu);

	tvm_run_hello(&t);	/* 5 OUTs to userspace, then HLT to userspace */
	ASSERT_OK(stats_get(&s, id, -1, st, &res));
	EXPECT_EQ(st->bad, 0);
	EXPECT_EQ(st->vm_id, id);
	EXPECT_FALSE(st->has_vcpu);
	EXPECT_EQ(st->tsc_khz, mv_check_cap(t.vm.sys_fd, MV_CAP_TSC_KHZ));
	EXPECT_EQ(st->histograms, !!(caps & MV_STATS_HISTOGRAMS));
	test_diag("exits %llu, IO %llu (user %llu), HLT %llu (user %llu), IO name \"%s\"",
		  (unsigned long long)st->exits,
		  (unsigned long long)st->r[EXIT_REASON_IO_INSTRUCTION].count,
		  (unsigned long long)st->r[EXIT_REASON_IO_INSTRUCTION].ucount,
		  (unsigned long long)st->r[EXIT_REASON_HLT].count,
		  (unsigned long long)st->r[EXIT_REASON_HLT].ucount,
		  st->r[EXIT_REASON_IO_INSTRUCTION].name);
	EXPECT_GE(st->exits, 6);
	EXPECT_EQ(st->r[EXIT_REASON_IO_INSTRUCTION].count, 5);
	EXPECT_EQ(st->r[EXIT_REASON_IO_INSTRUCTION].ucount, 5);
	EXPECT_STREQ(st->r[EXIT_REASON_IO_INSTRUCTION].name, "IO_INSTRUCTION");
	EXPECT_LE(st->r[EXIT_REASON_IO_INSTRUCTION].min, st->r[EXIT_REASON_IO_INSTRUCTION].max);
	EXPECT_GE(st->r[EXIT_REASON_IO_INSTRUCTION].ticks, 5 * st->r[EXIT_REASON_IO_INSTRUCTION].min);
	EXPECT_EQ(st->r[EXIT_REASON_HLT].count, 1);
	EXPECT_EQ(st->user_exits[MV_EXIT_IO], 5);
	EXPECT_EQ(st->user_exits[MV_EXIT_HLT], 1);
	EXPECT_GT(st->guest_ticks, 0);
	EXPECT_GT(st->kernel_ticks, 0);
	if (caps & MV_STATS_HISTOGRAMS) {
		EXPECT_TRUE(st->r[EXIT_REASON_IO_INSTRUCTION].has_hist);
		EXPECT_EQ(st->r[EXIT_REASON_IO_INSTRUCTION].hsum, 5);
		EXPECT_EQ(st->r[EXIT_REASON_IO_INSTRUCTION].uhsum, 5);
	}
	/* Only reasons that were seen. */
	for (i = 0; i < (int)ARRAY_SIZE(st->r); i++)
		if (st->r[i].seen)
			EXPECT_GT(st->r[i].count + st->r[i].ucount, 0);

	/* The flight recorder: oldest first, the five OUTs (among others), HLT last. */
	if (caps & MV_STATS_FLIGHT) {
		int io = 0;

		ASSERT_OK(mv_req(&s, &req, MV_NL_CMD_FLIGHT_GET, id, 0, flight_cb, f, &res));
		EXPECT_EQ(f->bad, 0);
		test_diag("flight: %d entries", f->n);
		ASSERT_GT(f->n, 0);
		EXPECT_LE(f->n, (int)st->exits);
		if (st->exits <= 64)
			EXPECT_EQ(f->n, (int)st->exits);
		for (i = 0; i < f->n; i++) {
			if (f->e[i].reason == EXIT_REASON_IO_INSTRUCTION) {
				io++;
				EXPECT_EQ(f->e[i].user, MV_EXIT_IO);
				EXPECT_STREQ(f->e[i].name, "IO_INSTRUCTION");
			}
			if (i)
				EXPECT_GT(f->e[i].tsc, f->e[i - 1].tsc);
		}
		EXPECT_EQ(io, 5);
		EXPECT_EQ(f->e[f->n - 1].reason, EXIT_REASON_HLT);
		EXPECT_EQ(f->e[f->n - 1].user, MV_EXIT_HLT);
		EXPECT_ERR(mv_req(&s, &req, MV_NL_CMD_FLIGHT_GET, id, 3, NULL, NULL, &res), ENOENT);
		EXPECT_NE(res.msg[0], 0);
		EXPECT_ERR(mv_req(&s, &req, MV_NL_CMD_FLIGHT_GET, id, -1, NULL, NULL, &res), EINVAL);
		EXPECT_EQ(res.miss_type, MV_NL_A_VCPU_ID);
		EXPECT_NE(res.msg[0], 0);
	}

	/* A vCPU that never existed; then reset (root may) zeroes everything. */
	EXPECT_ERR(stats_get(&s, id, 7, st, &res), ENOENT);
	test_diag("extack: %s", res.msg);
	EXPECT_NE(res.msg[0], 0);
	EXPECT_TRUE(res.has_offs);
	ASSERT_OK(mv_req(&s, &req, MV_NL_CMD_STATS_RESET, id, -1, NULL, NULL, &res));
	ASSERT_OK(stats_get(&s, id, -1, st, &res));
	EXPECT_EQ(st->exits, 0);
	EXPECT_FALSE(st->r[EXIT_REASON_IO_INSTRUCTION].seen);
	EXPECT_EQ(st->user_exits[MV_EXIT_IO], 0);

	tvm_destroy(&t);
	nls_close(&s);
	free(st);
	free(f);
}

/* ---- events ---- */

struct event {
	uint32_t type, vm_id, vcpu, pid, uid, dropped, suberror;
	int has_vcpu, has_reason, has_qual, has_rip;
	uint64_t reason, qual, rip, time_ns;
	char rule[64], comm[32];
};

/* Reads the events of vm_id queued on s (non-blocking once nothing is left). */
static int events_read(struct nls *s, uint32_t vm_id, struct event *ev, int max)
{
	int n = 0;

	for (;;) {
		ssize_t len = recv(s->fd, s->buf, NL_BUF, MSG_DONTWAIT);
		struct nlmsghdr *h;

		if (len < 0 && errno == EINTR)
			continue;
		if (len < 0 && errno == ENOBUFS)
			TEST_FAIL("event listener overran (ENOBUFS): events lost in the socket");
		if (len < 0)
			return n;
		for (h = (void *)s->buf; NLMSG_OK(h, len); h = NLMSG_NEXT(h, len)) {
			const struct nlattr *tb[MV_NL_A_MAX + 1];
			struct event e = { 0 };

			if (h->nlmsg_type != s->family)
				continue;
			genl_parse(h, tb, MV_NL_A_MAX);
			if (((const struct genlmsghdr *)NLMSG_DATA(h))->cmd != MV_NL_CMD_EVENT)
				continue;
			e.type = nla_u32(tb[MV_NL_A_EVENT]);
			e.vm_id = nla_u32(tb[MV_NL_A_VM_ID]);
			e.pid = nla_u32(tb[MV_NL_A_PID]);
			e.uid = nla_u32(tb[MV_NL_A_UID]);
			e.has_vcpu = !!tb[MV_NL_A_VCPU_ID];
			e.vcpu = nla_u32(tb[MV_NL_A_VCPU_ID]);
			e.dropped = nla_u32(tb[MV_NL_A_EVENT_DROPPED]);
			e.suberror = nla_u32(tb[MV_NL_A_EVENT_SUBERROR]);
			e.has_reason = !!tb[MV_NL_A_EVENT_REASON];
			e.reason = nla_u64(tb[MV_NL_A_EVENT_REASON]);
			e.has_qual = !!tb[MV_NL_A_EVENT_QUAL];
			e.qual = nla_u64(tb[MV_NL_A_EVENT_QUAL]);
			e.has_rip = !!tb[MV_NL_A_EVENT_RIP];
			e.rip = nla_u64(tb[MV_NL_A_EVENT_RIP]);
			e.time_ns = nla_u64(tb[MV_NL_A_TIME_NS]);
			snprintf(e.rule, sizeof(e.rule), "%s", nla_str(tb[MV_NL_A_EVENT_RULE]) ?: "");
			snprintf(e.comm, sizeof(e.comm), "%s", nla_str(tb[MV_NL_A_COMM]) ?: "");
			if (e.vm_id == vm_id && n < max)
				ev[n++] = e;
		}
	}
}

/* Breaks the state the way selftests/exits.c does: CR0.PG without CR0.PE. */
static void break_guest_state(struct tvm *t)
{
	struct mv_sregs sr;

	tvm_get_sregs(t, &sr);
	sr.cr0 = (1ull << 31) | (1ull << 4);
	tvm_set_sregs(t, &sr);
}

static void test_events(void)
{
	struct event ev[16];
	struct mv_run *run;
	struct mv_regs regs;
	uint64_t before;
	char comm[32];
	struct nls s;
	struct tvm t;
	uint32_t id;
	int n, i;

	self_comm(comm, sizeof(comm));
	nls_open_ok(&s);
	ASSERT_OK(nls_join_events(&s));
	before = realtime_ns();
	tvm_create_real(&t, RM_BLOB(triple));
	id = vm_id_of(t.vm.vm_fd);
	run = t.vm.run;
	tvm_run_expect(&t, MV_EXIT_SHUTDOWN);
	tvm_get_regs(&t, &regs);
	tvm_load_blob(&t, RM_BLOB(hlt));
	tvm_reset_real(&t, RM_LOAD_ADDR);
	break_guest_state(&t);
	tvm_run_expect(&t, MV_EXIT_FAIL_ENTRY);
	test_diag("fail_entry: reason %llu qual %llu check %u",
		  (unsigned long long)run->fail_entry.hardware_entry_failure_reason,
		  (unsigned long long)run->fail_entry.qualification, run->fail_entry.check);
	{
		uint64_t fr = run->fail_entry.hardware_entry_failure_reason;
		uint64_t fq = run->fail_entry.qualification;
		uint32_t check = run->fail_entry.check;

		tvm_destroy(&t);
		n = events_read(&s, id, ev, ARRAY_SIZE(ev));
		for (i = 0; i < n; i++)
			test_diag("event %u vm %u vcpu %u reason %llu qual %llu rip %#llx rule \"%s\" dropped %u",
				  ev[i].type, ev[i].vm_id, ev[i].vcpu,
				  (unsigned long long)ev[i].reason, (unsigned long long)ev[i].qual,
				  (unsigned long long)ev[i].rip, ev[i].rule, ev[i].dropped);
		ASSERT_EQ(n, 4);
		EXPECT_EQ(ev[0].type, MV_NL_EVENT_VM_CREATED);
		EXPECT_EQ(ev[0].pid, getpid());
		EXPECT_EQ(ev[0].uid, geteuid());
		EXPECT_STREQ(ev[0].comm, comm);
		EXPECT_GE(ev[0].time_ns, before);
		EXPECT_EQ(ev[1].type, MV_NL_EVENT_SHUTDOWN);
		EXPECT_TRUE(ev[1].has_vcpu);
		EXPECT_EQ(ev[1].vcpu, 0);
		EXPECT_TRUE(ev[1].has_rip);
		EXPECT_EQ(ev[1].rip, regs.rip);
		EXPECT_EQ(ev[2].type, MV_NL_EVENT_ENTRY_FAILED);
		EXPECT_EQ(ev[2].vcpu, 0);
		EXPECT_EQ(ev[2].reason, fr);
		EXPECT_EQ(ev[2].reason, EXIT_REASON_INVALID_GUEST_STATE);
		EXPECT_EQ(ev[2].qual, fq);
		if (check)
			EXPECT_NE(ev[2].rule[0], 0);
		EXPECT_EQ(ev[3].type, MV_NL_EVENT_VM_DESTROYED);
		EXPECT_EQ(ev[3].pid, getpid());
		for (i = 0; i < n; i++) {
			EXPECT_EQ(ev[i].dropped, 0);
			if (i)
				EXPECT_GE(ev[i].time_ns, ev[i - 1].time_ns);
		}
	}
	nls_close(&s);
}

/* A guest that fails entry over and over: the listener sees the burst, then the rate. */
#define FLOOD	200

static void test_events_rate_limit(void)
{
	struct event *ev = calloc(FLOOD + 8, sizeof(*ev));
	unsigned int failed = 0, dropped = 0;
	double t0, t1;
	struct nls s;
	struct tvm t;
	uint32_t id;
	int n, i;

	ASSERT_TRUE(ev);
	nls_open_ok(&s);
	ASSERT_OK(nls_join_events(&s));
	tvm_create_real(&t, RM_BLOB(hlt));
	id = vm_id_of(t.vm.vm_fd);
	break_guest_state(&t);
	t0 = test_now();
	for (i = 0; i < FLOOD; i++)
		tvm_run_expect(&t, MV_EXIT_FAIL_ENTRY);
	t1 = test_now();
	tvm_destroy(&t);
	n = events_read(&s, id, ev, FLOOD + 8);
	for (i = 0; i < n; i++) {
		failed += ev[i].type == MV_NL_EVENT_ENTRY_FAILED;
		dropped += ev[i].dropped;
	}
	test_diag("%d runs in %.3f s: %u ENTRY_FAILED events, %u reported dropped, %d events",
		  FLOOD, t1 - t0, failed, dropped, n);
	ASSERT_GE(n, 2);
	EXPECT_EQ(ev[0].type, MV_NL_EVENT_VM_CREATED);
	EXPECT_EQ(ev[n - 1].type, MV_NL_EVENT_VM_DESTROYED);
	EXPECT_EQ(failed + dropped, FLOOD);
	EXPECT_GE(failed, EV_BURST);
	EXPECT_LE(failed, EV_BURST + (unsigned int)(EV_RATE * (t1 - t0)) + 1);
	EXPECT_GT(dropped, 0);
	nls_close(&s);
	free(ev);
}

/* ---- permissions ---- */

struct perm_result {
	int open_ok;
	int get_own, stats_own, reset_own, reset_own_rootsock;
	int get_root, stats_root, reset_root, flight_root;
	int dump_has_own, dump_has_root;
	uint32_t own_uid;
	int join_events;
	char msg_stats_root[256], msg_reset_own[256];
};

static void perm_child(int wfd, uint32_t root_id)
{
	struct perm_result pr = { 0 };
	struct vmlist *l = calloc(1, sizeof(*l));
	struct nls s, rootsock;
	struct stats *st = calloc(1, sizeof(*st));
	struct vminfo v = { 0 };
	struct nlres res;
	int sys, vm, vcpu;
	uint32_t own;

	sys = mv_open();		/* as root */
	if (nls_open(&rootsock))	/* a socket opened as root, used after dropping */
		_exit(2);
	if (sys < 0 || !l || !st || setresgid(NOBODY, NOBODY, NOBODY) ||
	    setresuid(NOBODY, NOBODY, NOBODY))
		_exit(2);
	vm = mv_create_vm(sys);
	vcpu = vm >= 0 ? mv_create_vcpu(vm, 0) : -1;
	if (vm < 0 || vcpu < 0 || nls_open(&s))
		_exit(3);
	own = ioctl(vm, MV_GET_VM_ID);
	pr.open_ok = 1;
	pr.get_own = mv_req(&s, &req, MV_NL_CMD_VM_GET, own, -1, vminfo_cb, &v, &res);
	pr.own_uid = v.uid;
	pr.stats_own = stats_get(&s, own, -1, st, &res);
	pr.reset_own = mv_req(&s, &req, MV_NL_CMD_STATS_RESET, own, -1, NULL, NULL, &res);
	snprintf(pr.msg_reset_own, sizeof(pr.msg_reset_own), "%s", res.msg);
	pr.reset_own_rootsock = mv_req(&rootsock, &req, MV_NL_CMD_STATS_RESET, own, -1,
				       NULL, NULL, &res);
	pr.get_root = mv_req(&s, &req, MV_NL_CMD_VM_GET, root_id, -1, NULL, NULL, &res);
	pr.stats_root = stats_get(&s, root_id, -1, st, &res);
	snprintf(pr.msg_stats_root, sizeof(pr.msg_stats_root), "%s", res.msg);
	pr.flight_root = mv_req(&s, &req, MV_NL_CMD_FLIGHT_GET, root_id, 0, NULL, NULL, &res);
	pr.reset_root = mv_req(&s, &req, MV_NL_CMD_STATS_RESET, root_id, -1, NULL, NULL, &res);
	if (!mv_dump(&s, &req, MV_NL_CMD_VM_GET, vmlist_cb, l, &res)) {
		pr.dump_has_own = !!vmlist_find(l, own);
		pr.dump_has_root = !!vmlist_find(l, root_id);
	}
	pr.join_events = nls_join_events(&s);
	if (write(wfd, &pr, sizeof(pr)) != sizeof(pr))
		_exit(4);
	_exit(0);
}

static void test_permissions(void)
{
	struct perm_result pr;
	struct stats *st = calloc(1, sizeof(*st));
	struct nlres res;
	int p[2], status;
	struct nls s;
	struct tvm t;
	uint32_t id;
	pid_t pid;

	if (geteuid() != 0)
		test_skip("needs root (to drop to uid %d)", NOBODY);
	ASSERT_TRUE(st);
	nls_open_ok(&s);
	tvm_create_real(&t, RM_BLOB(hello));
	tvm_run_hello(&t);
	id = vm_id_of(t.vm.vm_fd);
	ASSERT_OK(pipe(p));
	pid = fork();
	ASSERT_GE(pid, 0);
	if (pid == 0) {
		close(p[0]);
		perm_child(p[1], id);
	}
	close(p[1]);
	memset(&pr, 0, sizeof(pr));
	EXPECT_EQ(read(p[0], &pr, sizeof(pr)), (ssize_t)sizeof(pr));
	ASSERT_EQ(waitpid(pid, &status, 0), pid);
	EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	ASSERT_TRUE(pr.open_ok);
	test_diag("uid %d: own VM get %d stats %d reset %d (root's socket %d) \"%s\"; root's VM get %d stats %d flight %d reset %d \"%s\"; dump own %d root %d; join events %d",
		  NOBODY, pr.get_own, pr.stats_own, pr.reset_own, pr.reset_own_rootsock,
		  pr.msg_reset_own, pr.get_root, pr.stats_root, pr.flight_root, pr.reset_root,
		  pr.msg_stats_root, pr.dump_has_own, pr.dump_has_root, pr.join_events);
	EXPECT_EQ(pr.get_own, 0);
	EXPECT_EQ(pr.own_uid, NOBODY);
	EXPECT_EQ(pr.stats_own, 0);
	EXPECT_EQ(pr.reset_own, -EPERM);
	EXPECT_NE(pr.msg_reset_own[0], 0);
	EXPECT_EQ(pr.reset_own_rootsock, -EPERM);
	EXPECT_EQ(pr.get_root, -EPERM);
	EXPECT_EQ(pr.stats_root, -EPERM);
	EXPECT_NE(pr.msg_stats_root[0], 0);
	EXPECT_EQ(pr.flight_root, -EPERM);
	EXPECT_EQ(pr.reset_root, -EPERM);
	EXPECT_TRUE(pr.dump_has_own);
	EXPECT_FALSE(pr.dump_has_root);
	EXPECT_EQ(pr.join_events, -EPERM);

	/* Root reads and resets its own VM; the child's VM is gone with it. */
	ASSERT_OK(stats_get(&s, id, -1, st, &res));
	EXPECT_GE(st->exits, 6);
	ASSERT_OK(mv_req(&s, &req, MV_NL_CMD_STATS_RESET, id, -1, NULL, NULL, &res));
	ASSERT_OK(stats_get(&s, id, -1, st, &res));
	EXPECT_EQ(st->exits, 0);
	tvm_destroy(&t);
	nls_close(&s);
	free(st);
}

/* Root may read and reset another user's VM. */
static void test_root_reads_others(void)
{
	struct stats *st = calloc(1, sizeof(*st));
	struct vminfo v = { 0 };
	struct nlres res;
	int p[2], status;
	uint32_t id = 0;
	struct nls s;
	pid_t pid;

	if (geteuid() != 0)
		test_skip("needs root (to drop to uid %d)", NOBODY);
	ASSERT_TRUE(st);
	ASSERT_OK(pipe(p));
	pid = fork();
	ASSERT_GE(pid, 0);
	if (pid == 0) {
		int sys = mv_open(), vm;

		if (sys < 0 || setresgid(NOBODY, NOBODY, NOBODY) || setresuid(NOBODY, NOBODY, NOBODY))
			_exit(2);
		vm = mv_create_vm(sys);
		if (vm < 0 || mv_create_vcpu(vm, 0) < 0)
			_exit(3);
		id = ioctl(vm, MV_GET_VM_ID);
		if (write(p[1], &id, sizeof(id)) != sizeof(id))
			_exit(4);
		for (;;)
			pause();	/* until the parent kills it */
	}
	EXPECT_EQ(read(p[0], &id, sizeof(id)), (ssize_t)sizeof(id));
	nls_open_ok(&s);
	EXPECT_OK(mv_req(&s, &req, MV_NL_CMD_VM_GET, id, -1, vminfo_cb, &v, &res));
	EXPECT_EQ(v.uid, NOBODY);
	EXPECT_EQ(v.pid, pid);
	EXPECT_OK(stats_get(&s, id, -1, st, &res));
	EXPECT_OK(mv_req(&s, &req, MV_NL_CMD_STATS_RESET, id, 0, NULL, NULL, &res));
	close(p[0]);
	close(p[1]);
	kill(pid, SIGKILL);
	ASSERT_EQ(waitpid(pid, &status, 0), pid);
	nls_close(&s);
	free(st);
}

/* ---- malformed requests ---- */

static void expect_rejected(struct nls *s, int err, const char *what)
{
	struct nlres res;
	int r = nls_xfer(s, &req, NULL, NULL, &res);

	test_diag("%s: %s, extack \"%s\"", what, strerror(-r), res.msg);
	EXPECT_EQ(r, -err);
	EXPECT_NE(res.msg[0], 0);
}

static void test_malformed(void)
{
	int kmsg = kmsg_open_at_end();
	uint64_t v64;
	struct nlres res;
	struct nls s;
	struct tvm t;
	uint32_t id;
	uint16_t v16 = 1;
	int i;

	nls_open_ok(&s);
	tvm_create_real(&t, RM_BLOB(hlt));
	id = vm_id_of(t.vm.vm_fd);
	v64 = id;

	/* Sanity: the well-formed request works. */
	ASSERT_OK(mv_req(&s, &req, MV_NL_CMD_STATS_GET, id, -1, NULL, NULL, &res));

	req_init(&req, s.family, NLM_F_ACK, MV_NL_CMD_STATS_GET, ++s.seq);
	req_u32(&req, MV_NL_A_VM_ID, id);
	req_u32(&req, 200, 1);
	expect_rejected(&s, EINVAL, "unknown attribute type 200");

	req_init(&req, s.family, NLM_F_ACK, MV_NL_CMD_STATS_GET, ++s.seq);
	req_u32(&req, MV_NL_A_VM_ID, id);
	req_u32(&req, MV_NL_A_COMM, 1);
	expect_rejected(&s, EINVAL, "reply-only attribute COMM in a request");

	req_init(&req, s.family, NLM_F_ACK, MV_NL_CMD_STATS_GET, ++s.seq);
	req_u32(&req, MV_NL_A_VM_ID, id);
	req_u32(&req, MV_NL_A_PAD, 0);
	expect_rejected(&s, EINVAL, "PAD (in range, no policy) in a request");

	req_init(&req, s.family, NLM_F_ACK, MV_NL_CMD_EVENT, ++s.seq);
	req_u32(&req, MV_NL_A_VM_ID, id);
	{
		int r = nls_xfer(&s, &req, NULL, NULL, &res);

		test_diag("EVENT as a request: %s", strerror(-r));
		EXPECT_EQ(r, -EOPNOTSUPP);
	}

	req_init(&req, s.family, NLM_F_ACK, MV_NL_CMD_STATS_GET, ++s.seq);
	req_put(&req, MV_NL_A_VM_ID, &v16, sizeof(v16));
	expect_rejected(&s, EINVAL, "VM_ID of 2 bytes");

	req_init(&req, s.family, NLM_F_ACK, MV_NL_CMD_STATS_GET, ++s.seq);
	req_put(&req, MV_NL_A_VM_ID, &v64, sizeof(v64));
	expect_rejected(&s, EINVAL, "VM_ID as a u64");

	req_init(&req, s.family, NLM_F_ACK, MV_NL_CMD_STATS_GET, ++s.seq);
	req_u32(&req, MV_NL_A_VM_ID | NLA_F_NESTED, id);
	expect_rejected(&s, EINVAL, "VM_ID flagged nested");

	req_init(&req, s.family, NLM_F_ACK, MV_NL_CMD_STATS_GET, ++s.seq);
	req_u32(&req, MV_NL_A_VCPU_ID, 0);
	expect_rejected(&s, EINVAL, "VM_ID missing");

	req_init(&req, s.family, NLM_F_ACK, MV_NL_CMD_VM_GET, ++s.seq);
	expect_rejected(&s, EINVAL, "VM_GET doit without VM_ID");

	req_init(&req, s.family, NLM_F_ACK, MV_NL_CMD_STATS_GET, ++s.seq);
	req_u32(&req, MV_NL_A_VM_ID, id);
	req_u32(&req, MV_NL_A_VCPU_ID, (uint32_t)mv_check_cap(t.vm.sys_fd, MV_CAP_MAX_VCPUS));
	expect_rejected(&s, ERANGE, "VCPU_ID out of range");	/* the core's errno for a range */

	req_init(&req, s.family, NLM_F_ACK, MV_NL_CMD_STATS_GET, ++s.seq);
	req_u32(&req, MV_NL_A_VM_ID, id);
	req_u32(&req, MV_NL_A_VM_ID, id);
	expect_rejected(&s, EINVAL, "VM_ID twice");

	req_init(&req, s.family, NLM_F_ACK, MV_NL_CMD_STATS_GET, ++s.seq);
	for (i = 0; req.len + 8 <= 64 * 1024; i++)
		req_u32(&req, MV_NL_A_VM_ID, id);
	test_diag("oversized request: %zu bytes, %d attributes", req.len, i);
	expect_rejected(&s, EMSGSIZE, "64 KiB of attributes");

	req_init(&req, s.family, NLM_F_ACK, MV_NL_CMD_STATS_GET, ++s.seq);
	req_u32(&req, MV_NL_A_VM_ID, id);
	((struct genlmsghdr *)NLMSG_DATA((struct nlmsghdr *)req.b))->reserved = 1;
	expect_rejected(&s, EINVAL, "reserved genl header field set");

	req_init(&req, s.family, NLM_F_ACK, MV_NL_CMD_STATS_GET, ++s.seq);
	req_u32(&req, MV_NL_A_VM_ID, 0x7fffffff);
	expect_rejected(&s, ENOENT, "unknown VM id");

	/* Still answers after all that. */
	EXPECT_OK(mv_req(&s, &req, MV_NL_CMD_STATS_GET, id, -1, NULL, NULL, &res));
	tvm_destroy(&t);
	nls_close(&s);
	kmsg_expect_clean(kmsg);
}

/* ---- destroy while dumping ---- */

/*
 * A fixed amount of work instead of a fixed time: 3 emulated seconds were
 * 84 cycles with one CPU and 98 with two, and 35 s of wall time in make
 * check's 2-CPU boot. The reader goes on until the churn did CHURN_CYCLES
 * and the reads met a VM gone between the dump and the read (ENOENT)
 * CHURN_ENOENT times, so the race this is about was really run (in those
 * 3 s: 22 ENOENT reads with one CPU, 82 with two). CHURN_MAX cycles
 * without that many is a failure.
 */
#define CHURN_CYCLES	24
#define CHURN_ENOENT	4
#define CHURN_MAX	400

struct churn {
	volatile int stop, done;
	volatile int cycles;
	int errors;
};

static void *spin_runner(void *arg)
{
	struct tvm *t = arg;

	mv_run(t->vm.vcpu_fd);	/* until SIGUSR1 */
	return NULL;
}

static void *churn_main(void *arg)
{
	struct churn *c = arg;

	while (!c->stop) {
		struct tvm t;
		pthread_t tid;

		tvm_create_real(&t, RM_BLOB(spin));
		if (pthread_create(&tid, NULL, spin_runner, &t)) {
			c->errors++;
			break;
		}
		sleep_ms(5 + c->cycles % 7);
		/* Out of MV_RUN; retry in case the signal came before the entry. */
		do {
			pthread_kill(tid, SIGUSR1);
		} while (pthread_tryjoin_np(tid, NULL) == EBUSY && (sleep_ms(1), 1));
		tvm_destroy(&t);
		c->cycles++;
	}
	c->done = 1;
	return NULL;
}

static void test_destroy_while_dumping(void)
{
	struct vmlist *l = calloc(1, sizeof(*l));
	struct stats *st = calloc(1, sizeof(*st));
	struct flight *f = calloc(1, sizeof(*f));
	int kmsg = kmsg_open_at_end();
	int dumps = 0, reads = 0, enoent = 0, other = 0, i, r;
	struct churn c = { 0 };
	struct nlres res;
	pthread_t tid;
	struct nls s;
	double t0;

	ASSERT_TRUE(l && st && f);
	install_sigusr1();
	nls_open_ok(&s);
	t0 = test_now();
	ASSERT_EQ(pthread_create(&tid, NULL, churn_main, &c), 0);
	while (!c.done && c.cycles < CHURN_MAX &&
	       (c.cycles < CHURN_CYCLES || enoent < CHURN_ENOENT)) {
		memset(l, 0, sizeof(*l));
		r = mv_dump(&s, &req, MV_NL_CMD_VM_GET, vmlist_cb, l, &res);
		dumps++;
		if (r) {
			test_diag("dump: %s (%s)", strerror(-r), res.msg);
			other++;
		}
		for (i = 0; i < l->n; i++) {
			r = stats_get(&s, l->v[i].id, -1, st, &res);
			if (!r)
				r = mv_req(&s, &req, MV_NL_CMD_FLIGHT_GET, l->v[i].id, 0,
					   flight_cb, (f->n = 0, f), &res);
			reads++;
			if (r == -ENOENT)
				enoent++;
			else if (r) {
				test_diag("read VM %u: %s (%s)", l->v[i].id, strerror(-r), res.msg);
				other++;
			}
		}
	}
	c.stop = 1;
	pthread_join(tid, NULL);
	test_diag("%.2f s: %d create/run/destroy cycles, %d dumps, %d reads (%d ENOENT)",
		  test_now() - t0, c.cycles, dumps, reads, enoent);
	EXPECT_GE(c.cycles, CHURN_CYCLES);
	EXPECT_EQ(c.errors, 0);
	EXPECT_GT(dumps, 0);
	EXPECT_GT(reads, 0);
	EXPECT_GE(enoent, CHURN_ENOENT);
	EXPECT_EQ(other, 0);
	nls_close(&s);
	kmsg_expect_clean(kmsg);
	free(l);
	free(st);
	free(f);
}

static const struct test_case tests[] = {
	{ "family_version", test_family, 0 },
	{ "vm_get_doit_dump", test_vm_get, 0 },
	{ "stats_flight_reset", test_stats, 0 },
	{ "events_in_order", test_events, 0 },
	{ "events_rate_limit", test_events_rate_limit, 60 },
	{ "permissions_unprivileged", test_permissions, 0 },
	{ "permissions_root_reads_others", test_root_reads_others, 0 },
	{ "malformed_requests", test_malformed, 0 },
	{ "destroy_while_dumping", test_destroy_while_dumping, 60 },
};

int main(int argc, char **argv)
{
	return test_main(argc, argv, tests, ARRAY_SIZE(tests));
}
