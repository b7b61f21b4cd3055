// SPDX-License-Identifier: GPL-2.0
/*
 * Guest CPUID, XCR0 and FPU state: the default CPUID table (an allow-list)
 * as the guest reads it, MV_SET_CPUID/MV_GET_CPUID round trips and every
 * error of both, XSETBV, the guest's SSE state across exits, host FPU use,
 * sleeps and signals (and the VMM's own state in its signal frame), and the
 * module's mitigation line in the kernel log.
 */
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/klog.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <ucontext.h>
#include <unistd.h>

#include "test_harness.h"
#include "test_util.h"
#include "vm.h"
#include "cpuid_common.h"

/* cpuid_guest.c */
extern volatile struct cpuid_probe cpuid_probes[CPUID_MAX_PROBES];
extern volatile uint32_t cpuid_nprobes;
uint64_t guest_cpuid_probe(uint64_t arg);
uint64_t guest_xsetbv_osxsave(uint64_t arg);
uint64_t guest_xsetbv_no_osxsave(uint64_t arg);
uint64_t guest_osxsave_xgetbv(uint64_t arg);
extern const uint8_t guest_xsetbv_cr4_rip[], guest_osxsave_cr4_rip[];
extern const uint8_t guest_xsetbv_rip[];
uint64_t guest_fpu_state(uint64_t arg);
extern volatile uint32_t fpu_release;

#define VEC_UD			6
#define VEC_GP			13
#define SIG_INDEX		MV_CPUID_FLAG_SIGNIFICANT_INDEX

struct cpuid_buf {
	struct mv_cpuid hdr;
	struct mv_cpuid_entry e[MV_CPUID_MAX_ENTRIES + 1];
};

static int set_cpuid(int fd, void *p)
{
	return ioctl(fd, MV_SET_CPUID, p) ? -errno : 0;
}

static int get_cpuid(int fd, void *p)
{
	return ioctl(fd, MV_GET_CPUID, p) ? -errno : 0;
}

/* The vCPU's table into *b (fails the test on error); returns nent. */
static unsigned int read_table(int fd, struct cpuid_buf *b)
{
	memset(b, 0, sizeof(*b));
	b->hdr.nent = MV_CPUID_MAX_ENTRIES;
	ASSERT_OK(get_cpuid(fd, b));
	ASSERT_LE(b->hdr.nent, MV_CPUID_MAX_ENTRIES);
	return b->hdr.nent;
}

static const struct mv_cpuid_entry *find(const struct cpuid_buf *b, uint32_t fn, uint32_t idx)
{
	unsigned int i;

	for (i = 0; i < b->hdr.nent; i++)
		if (b->e[i].function == fn &&
		    (!(b->e[i].flags & SIG_INDEX) || b->e[i].index == idx))
			return &b->e[i];
	return NULL;
}

/* Runs guest_cpuid_probe over (leaf, subleaf) pairs; results in out[]. */
static void probe(struct tvm *t, const uint32_t (*ls)[2], unsigned int n,
		  struct cpuid_probe *out)
{
	volatile struct cpuid_probe *gp = *GUEST_VAR(t, cpuid_probes);
	unsigned int i;

	ASSERT_LE(n, CPUID_MAX_PROBES);
	for (i = 0; i < n; i++) {
		gp[i].leaf = ls[i][0];
		gp[i].subleaf = ls[i][1];
	}
	*GUEST_VAR(t, cpuid_nprobes) = n;
	tvm_start_long(t, guest_cpuid_probe, 0);
	ASSERT_EQ(tvm_run_done(t), n);
	for (i = 0; i < n; i++) {
		out[i].leaf = gp[i].leaf;
		out[i].subleaf = gp[i].subleaf;
		memcpy(out[i].r, (const void *)gp[i].r, sizeof(out[i].r));
	}
}

static bool host_has_flag(const char *flag)
{
	char line[4096], word[64];
	bool found = false;
	FILE *f = fopen("/proc/cpuinfo", "r");

	if (!f)
		return false;
	snprintf(word, sizeof(word), " %s ", flag);
	while (!found && fgets(line, sizeof(line) - 1, f))
		if (!strncmp(line, "flags", 5)) {
			line[strcspn(line, "\n")] = ' ';
			found = strstr(line, word);
		}
	fclose(f);
	return found;
}

static void test_cap(void)
{
	int fd = mv_open();

	ASSERT_GE(fd, 0);
	EXPECT_EQ(mv_check_cap(fd, MV_CAP_SET_CPUID), 1);
	close(fd);
}

/* The default table, checked against the allow-list, and in the guest. */
static void test_default_table(void)
{
	static const uint32_t leaves[][2] = {
		{ 0, 0 }, { 1, 0 }, { 7, 0 }, { 0xa, 0 }, { 0x40000000, 0 },
		{ 0x80000000, 0 }, { 0x80000001, 0 }, { 0x80000008, 0 },
		{ 0x17, 0 }, { 0x3fffffff, 0 }, { 0xd, 0 }, { 0xd, 1 }, { 0x12, 0 },
	};
	struct cpuid_probe p[ARRAY_SIZE(leaves)];
	const struct mv_cpuid_entry *e;
	char sig[13];
	struct cpuid_buf b;
	unsigned int i, n;
	long phys;
	struct tvm t;
	bool xsave = host_has_flag("xsave");

	tvm_create_long(&t, guest_cpuid_probe, 0);
	n = read_table(t.vm.vcpu_fd, &b);
	test_diag("default table: %u entries, host %s XSAVE", n, xsave ? "with" : "without");
	ASSERT_GT(n, 5);
	for (i = 1; i < n; i++)	/* sorted by function, then index */
		ASSERT_TRUE(b.e[i - 1].function < b.e[i].function ||
			    (b.e[i - 1].function == b.e[i].function &&
			     b.e[i - 1].index < b.e[i].index));

	probe(&t, leaves, ARRAY_SIZE(leaves), p);
	/* Every entry the guest read is the table's, except dynamic fields. */
	for (i = 0; i < ARRAY_SIZE(leaves); i++) {
		e = find(&b, p[i].leaf, p[i].subleaf);
		test_diag("leaf %#x.%u: %08x %08x %08x %08x", p[i].leaf, p[i].subleaf,
			  p[i].r[0], p[i].r[1], p[i].r[2], p[i].r[3]);
		if (!e || p[i].leaf == 0xd)
			continue;
		EXPECT_EQ(p[i].r[0], e->eax);
		EXPECT_EQ(p[i].r[1], e->ebx);
		/* Leaf 1 OSXSAVE follows the guest's CR4.OSXSAVE, clear here. */
		EXPECT_EQ(p[i].r[2], p[i].leaf == 1 ? e->ecx & ~(1u << 27) : e->ecx);
		EXPECT_EQ(p[i].r[3], e->edx);
	}
	/* Leaf 0: at most 0x16 basic leaves (0x15/0x16: the TSC frequency). */
	EXPECT_LE(p[0].r[0], 0x16);
	EXPECT_GE(p[0].r[0], 1);
	/* Leaf 1: hypervisor; no MONITOR, VMX, SMX, PDCM, x2APIC, TSC-deadline, APIC, MCE, MCA, MTRR. */
	EXPECT_EQ(p[1].r[2] >> 31, 1);
	EXPECT_EQ(p[1].r[2] & ((1u << 3) | (1u << 5) | (1u << 6) | (1u << 15) | (1u << 21) |
			       (1u << 24)), 0);
	EXPECT_EQ(p[1].r[3] & ((1u << 7) | (1u << 9) | (1u << 12) | (1u << 14)), 0);
	EXPECT_EQ(p[1].r[1] >> 24, 0);			/* APIC ID = vCPU id 0 */
	/* XSAVE/AVX only where XSETBV can be honoured (host XSAVE on). */
	if (!xsave)
		EXPECT_EQ(p[1].r[2] & ((1u << 26) | (1u << 28) | (1u << 12)), 0);
	/* Leaf 7: no SGX, INVPCID, MPX, PT; no PKU/OSPKE, WAITPKG, CET, RDPID, LA57; no SPEC_CTRL family. */
	EXPECT_EQ(p[2].r[1] & ((1u << 2) | (1u << 10) | (1u << 14) | (1u << 25)), 0);
	EXPECT_EQ(p[2].r[2] & ((1u << 3) | (1u << 4) | (1u << 5) | (1u << 7) | (1u << 16) |
			       (1u << 22)), 0);
	EXPECT_EQ(p[2].r[3] & 0xfc000000u, 0);		/* IBRS STIBP L1D_FLUSH ARCH_CAP CORE_CAP SSBD */
	EXPECT_EQ(p[2].r[3] & (1u << 20), 0);		/* CET_IBT */
	/* No PMU (leaf 0xa), no SGX (leaf 0x12). */
	EXPECT_EQ(p[3].r[0] | p[3].r[1] | p[3].r[2] | p[3].r[3], 0);
	EXPECT_EQ(p[12].r[0] | p[12].r[1] | p[12].r[2] | p[12].r[3], 0);
	/* Hypervisor leaves, up to 0x40000010 (TSC and APIC-timer kHz). */
	EXPECT_EQ(p[4].r[0], 0x40000010);
	memcpy(sig, &p[4].r[1], 4);
	memcpy(sig + 4, &p[4].r[2], 4);
	memcpy(sig + 8, &p[4].r[3], 4);
	sig[12] = 0;
	EXPECT_EQ(strcmp(sig, "Minivisor"), 0);
	/* 0x80000001: no RDTSCP. */
	EXPECT_EQ(p[6].r[3] & (1u << 27), 0);
	/* 0x80000008: the guest-physical width the EPT maps. */
	phys = mv_check_cap(t.vm.sys_fd, MV_CAP_GUEST_PHYS_BITS);
	if (p[5].r[0] >= 0x80000008) {
		EXPECT_EQ(p[7].r[0] & 0xff, phys);
		EXPECT_LE((p[7].r[0] >> 8) & 0xff, 48);
	}
	/* Above the highest basic leaf: the highest basic leaf's data. */
	e = find(&b, p[0].r[0], 0);
	for (i = 8; i <= 9; i++) {
		EXPECT_EQ(p[i].r[0], e ? e->eax : 0);
		EXPECT_EQ(p[i].r[3], e ? e->edx : 0);
	}
	/* Leaf 0xd exists only with XSAVE; EBX = 576 for XCR0 = 1. */
	e = find(&b, 0xd, 0);
	EXPECT_EQ(e != NULL, xsave);
	if (e) {
		EXPECT_EQ(p[10].r[0] & 3, 3);		/* x87 and SSE */
		EXPECT_EQ(p[10].r[0] & (1u << 9), 0);	/* no PKRU */
		EXPECT_EQ(p[10].r[0] & (3u << 17), 0);	/* no AMX */
		EXPECT_EQ(p[10].r[1], 576);
		EXPECT_EQ(p[11].r[0] & (1u << 3), 0);	/* no XSAVES */
	}
	tvm_destroy(&t);
}

/* Leaf 1 EBX[31:24] and the x2APIC-less topology follow the vCPU id. */
static void test_apic_id_per_vcpu(void)
{
	const struct mv_cpuid_entry *e;
	struct cpuid_buf b;
	unsigned int id;
	struct tvm t;
	int fd;

	tvm_create_long(&t, guest_cpuid_probe, 0);
	for (id = 1; id < 8; id += 3) {
		fd = mv_create_vcpu(t.vm.vm_fd, id);
		ASSERT_GE(fd, 0);
		read_table(fd, &b);
		e = find(&b, 1, 0);
		ASSERT_TRUE(e != NULL);
		EXPECT_EQ(e->ebx >> 24, id);
		close(fd);
	}
	tvm_destroy(&t);
}

static void put(struct mv_cpuid_entry *e, uint32_t fn, uint32_t idx, uint32_t flags,
		uint32_t a, uint32_t b, uint32_t c, uint32_t d)
{
	memset(e, 0, sizeof(*e));
	e->function = fn;
	e->index = idx;
	e->flags = flags;
	e->eax = a;
	e->ebx = b;
	e->ecx = c;
	e->edx = d;
}

/* A small table, deliberately unsorted. */
static unsigned int custom_table(struct cpuid_buf *b)
{
	struct mv_cpuid_entry *e = b->e;

	memset(b, 0, sizeof(*b));
	put(&e[0], 0x80000001, 0, 0, 0, 0, 0x21, 0x20100800);
	put(&e[1], 4, 1, SIG_INDEX, 0x41, 0x42, 0x43, 0x44);
	put(&e[2], 0, 0, 0, 4, 0x74736554, 0x21656e6f, 0x6f6e5464);	/* max 4 */
	put(&e[3], 4, 0, SIG_INDEX, 0x40, 0x41, 0x42, 0x43);
	/* XSAVE and OSXSAVE set: OSXSAVE must follow the guest's CR4 (clear). */
	put(&e[4], 1, 0, 0, 0x306a9, 0x00000800, (1u << 26) | (1u << 27) | 1, 0x178bfbff);
	put(&e[5], 0x80000000, 0, 0, 0x80000001, 0, 0, 0);
	b->hdr.nent = 6;
	return 6;
}

static void test_set_get_round_trip(void)
{
	static const uint32_t leaves[][2] = {
		{ 0, 0 }, { 1, 99 }, { 2, 0 }, { 4, 0 }, { 4, 1 }, { 4, 2 },
		{ 5, 1 }, { 0x40000000, 0 }, { 0x80000001, 0 }, { 0x80000002, 1 },
		{ 0xc0000000, 0 },
	};
	struct cpuid_probe p[ARRAY_SIZE(leaves)];
	struct cpuid_buf in, out;
	unsigned int n, i, j;
	struct tvm t;

	tvm_create_long(&t, guest_cpuid_probe, 0);
	n = custom_table(&in);
	ASSERT_OK(set_cpuid(t.vm.vcpu_fd, &in));
	ASSERT_EQ(read_table(t.vm.vcpu_fd, &out), n);
	/* Same entries, now sorted. */
	for (i = 0; i < n; i++) {
		for (j = 0; j < n; j++)
			if (!memcmp(&in.e[i], &out.e[j], sizeof(in.e[i])))
				break;
		EXPECT_LT(j, n);
		if (i)
			EXPECT_LE(out.e[i - 1].function, out.e[i].function);
	}

	probe(&t, leaves, ARRAY_SIZE(leaves), p);
	EXPECT_EQ(p[0].r[0], 4);
	EXPECT_EQ(p[0].r[1], 0x74736554);
	/* Leaf 1 ignores the subleaf; OSXSAVE cleared (guest CR4.OSXSAVE = 0). */
	EXPECT_EQ(p[1].r[2], (1u << 26) | 1);
	EXPECT_EQ(p[1].r[3], 0x178bfbff);
	/* Leaf 2: in range, not in the table: zeros. */
	EXPECT_EQ(p[2].r[0] | p[2].r[1] | p[2].r[2] | p[2].r[3], 0);
	EXPECT_EQ(p[3].r[0], 0x40);
	EXPECT_EQ(p[4].r[0], 0x41);
	EXPECT_EQ(p[5].r[0] | p[5].r[3], 0);		/* subleaf not in the table */
	/* Leaf 5 > max 4: leaf 4 with ECX = 1. */
	EXPECT_EQ(p[6].r[0], 0x41);
	EXPECT_EQ(p[6].r[3], 0x44);
	/* No hypervisor leaves in this table: zeros. */
	EXPECT_EQ(p[7].r[0] | p[7].r[1] | p[7].r[2] | p[7].r[3], 0);
	EXPECT_EQ(p[8].r[2], 0x21);
	EXPECT_EQ(p[8].r[3], 0x20100800);
	/* 0x80000002 > extended max: highest basic leaf, subleaf 1. */
	EXPECT_EQ(p[9].r[0], 0x41);
	/* A class the table does not describe. */
	EXPECT_EQ(p[10].r[0] | p[10].r[1] | p[10].r[2] | p[10].r[3], 0);

	/* An empty table is valid: every leaf reads zeros. */
	in.hdr.nent = 0;
	ASSERT_OK(set_cpuid(t.vm.vcpu_fd, &in));
	EXPECT_EQ(read_table(t.vm.vcpu_fd, &out), 0);
	probe(&t, leaves, 2, p);
	EXPECT_EQ(p[0].r[0] | p[0].r[1] | p[1].r[2] | p[1].r[3], 0);
	tvm_destroy(&t);
}

/* Each rejected table leaves the previous one in place. */
static void expect_rejected(int fd, struct cpuid_buf *b, int err, const char *what)
{
	struct cpuid_buf now;
	int r = set_cpuid(fd, b);

	if (r != err)
		test_diag("%s: expected %d, got %d", what, err, r);
	EXPECT_EQ(r, err);
	EXPECT_EQ(read_table(fd, &now), 6);
}

static void test_set_cpuid_errors(void)
{
	long page = sysconf(_SC_PAGESIZE);
	struct cpuid_buf b, out;
	struct mv_cpuid *edge;
	uint8_t *two;
	struct tvm t;
	int fd;

	tvm_create_long(&t, guest_cpuid_probe, 0);
	fd = t.vm.vcpu_fd;
	custom_table(&b);
	ASSERT_OK(set_cpuid(fd, &b));

	b.hdr.nent = MV_CPUID_MAX_ENTRIES + 1;
	expect_rejected(fd, &b, -E2BIG, "nent above the limit");
	b.hdr.nent = 0xffffffff;
	expect_rejected(fd, &b, -E2BIG, "nent 2^32-1");

	custom_table(&b);
	b.hdr.padding = 1;
	expect_rejected(fd, &b, -EINVAL, "header padding");
	custom_table(&b);
	b.e[3].padding[2] = 1;
	expect_rejected(fd, &b, -EINVAL, "entry padding");
	custom_table(&b);
	b.e[2].flags = 2;
	expect_rejected(fd, &b, -EINVAL, "unknown flag");
	custom_table(&b);
	b.e[2].index = 1;
	expect_rejected(fd, &b, -EINVAL, "index without SIGNIFICANT_INDEX");
	custom_table(&b);
	put(&b.e[6], 0x80000001, 0, 0, 1, 2, 3, 4);
	b.hdr.nent = 7;
	expect_rejected(fd, &b, -EINVAL, "duplicate leaf");
	custom_table(&b);
	put(&b.e[6], 4, 1, SIG_INDEX, 1, 2, 3, 4);
	b.hdr.nent = 7;
	expect_rejected(fd, &b, -EINVAL, "duplicate subleaf");
	custom_table(&b);
	put(&b.e[6], 4, 0, 0, 1, 2, 3, 4);
	b.hdr.nent = 7;
	expect_rejected(fd, &b, -EINVAL, "leaf both indexed and not");

	/* Unmapped header, and entries running into an unmapped page. */
	EXPECT_EQ(set_cpuid(fd, NULL), -EFAULT);
	two = mmap(NULL, 2 * page, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_TRUE(two != MAP_FAILED);
	ASSERT_OK(munmap(two + page, page));
	edge = (struct mv_cpuid *)(two + page - sizeof(*edge) - sizeof(struct mv_cpuid_entry));
	memset(edge, 0, sizeof(*edge) + sizeof(struct mv_cpuid_entry));
	edge->nent = 2;
	expect_rejected(fd, (struct cpuid_buf *)edge, -EFAULT, "entries past the mapping");

	/* MV_GET_CPUID: too small a buffer says how many, bad pointers fault. */
	memset(&out, 0, sizeof(out));
	out.hdr.nent = 5;
	EXPECT_EQ(get_cpuid(fd, &out), -E2BIG);
	EXPECT_EQ(out.hdr.nent, 6);
	out.hdr.nent = 6;
	out.hdr.padding = 1;
	EXPECT_EQ(get_cpuid(fd, &out), -EINVAL);
	EXPECT_EQ(get_cpuid(fd, NULL), -EFAULT);
	edge->nent = 6;		/* entries would be written into the unmapped page */
	EXPECT_EQ(get_cpuid(fd, edge), -EFAULT);
	munmap(two, page);
	tvm_destroy(&t);
}

/*
 * XSETBV: the guest's XCR0 takes the value where the host can switch it
 * (host XSAVE on); for every invalid value the guest gets #GP(0), and #UD
 * without CR4.OSXSAVE, through its own IDT with RIP on the XSETBV. Where
 * the host runs without XSAVE (the emulated hosts do), setting CR4.OSXSAVE
 * is already refused: #GP(0) on the MOV to CR4, as on a CPU without XSAVE.
 */
/* The guest's next stop is #GP(0) at RIP (CR4.OSXSAVE refused). */
static void expect_gp_at(struct tvm *t, const char *what, const uint8_t *rip)
{
	struct ucall_info uc;

	tvm_run(t);
	ASSERT_EQ(tvm_get_ucall(t, &uc), UCALL_EXCEPTION);
	test_diag("%s: CR4.OSXSAVE refused, guest exception %llu, error code %llu", what,
		  (unsigned long long)uc.args[0], (unsigned long long)uc.args[1]);
	EXPECT_EQ(uc.args[0], VEC_GP);
	EXPECT_EQ(uc.args[1], 0);
	EXPECT_EQ(uc.args[2], (uint64_t)(uintptr_t)rip);
}

struct xsetbv_case {
	const char *what;
	uint32_t index;
	uint32_t value;
	int vector;		/* with host XSAVE; 0: accepted */
};

static void run_xsetbv(struct tvm *t, guest_fn fn, const struct xsetbv_case *c, bool xsave)
{
	struct mv_run *run = t->vm.run;
	struct ucall_info uc;
	int vector = xsave ? c->vector : VEC_UD;
	uint64_t cmd;

	tvm_start_long(t, fn, (uint64_t)c->index << 32 | c->value);
	if (!xsave && fn == guest_xsetbv_osxsave) {
		expect_gp_at(t, c->what, guest_xsetbv_cr4_rip);
		return;
	}
	tvm_expect_sync(t, &uc, 1);	/* CR4 written */
	tvm_run(t);
	if (run->exit_reason == MV_EXIT_INTERNAL_ERROR)
		TEST_FAIL("%s: internal error %u, data %llu %llu", c->what,
			  run->internal.suberror, (unsigned long long)run->internal.data[0],
			  (unsigned long long)run->internal.data[1]);
	cmd = tvm_get_ucall(t, &uc);
	if (cmd == UCALL_EXCEPTION) {
		/* Injected by the XSETBV handler, or raised by the CPU first (26.1.1). */
		test_diag("%s: guest exception %llu, error code %llu", c->what,
			  (unsigned long long)uc.args[0], (unsigned long long)uc.args[1]);
		EXPECT_EQ(uc.args[0], vector);
		EXPECT_EQ(uc.args[1], 0);	/* #GP(0); #UD has none (the stub pushes 0) */
		EXPECT_EQ(uc.args[2], (uint64_t)(uintptr_t)guest_xsetbv_rip);
		return;
	}
	ASSERT_EQ(cmd, UCALL_DONE);
	test_diag("%s: accepted, guest XCR0 now %#llx", c->what,
		  (unsigned long long)uc.args[0]);
	EXPECT_EQ(vector, 0);
	EXPECT_EQ(uc.args[0], c->value);	/* XGETBV in the guest: its own XCR0 */
}

static void test_xsetbv(void)
{
	static const struct xsetbv_case cases[] = {
		{ "x87 only", 0, 1, 0 },
		{ "x87+SSE", 0, 3, 0 },
		{ "no x87", 0, 2, VEC_GP },
		{ "AVX without SSE", 0, 5, VEC_GP },
		{ "PKRU", 0, 0x203, VEC_GP },
		{ "reserved bit 63 of EAX half", 0, 0x80000003, VEC_GP },
		{ "XCR1", 1, 1, VEC_GP },
	};
	static const struct xsetbv_case no_osxsave = { "CR4.OSXSAVE clear", 0, 1, VEC_UD };
	bool xsave = host_has_flag("xsave");
	unsigned int i;
	struct tvm t;

	test_diag("host %s XSAVE", xsave ? "with" : "without (only the #UD branch runs)");
	tvm_create_long(&t, guest_xsetbv_osxsave, 0);
	for (i = 0; i < ARRAY_SIZE(cases); i++)
		run_xsetbv(&t, guest_xsetbv_osxsave, &cases[i], xsave);
	run_xsetbv(&t, guest_xsetbv_no_osxsave, &no_osxsave, true);
	tvm_destroy(&t);
}

/*
 * CR4.OSXSAVE set and XCR0 read back in one go: the guest must see its own
 * XCR0 (1 at power-on), never the host's. minivisor intercepts writes of
 * OSXSAVE, so the entry after it loads the guest's XCR0; were OSXSAVE
 * guest-owned, the guest would read (and could use) the host's until its
 * next exit. Without host XSAVE the MOV to CR4 must fault instead: the
 * emulated 6.1 host gives up XSAVE with XCR0 left at 0xe7, which a guest
 * with OSXSAVE read (and could use: AVX-512 state nothing saves).
 */
static void test_osxsave_then_xgetbv(void)
{
	bool xsave = host_has_flag("xsave");
	struct tvm t;
	uint64_t got;

	tvm_create_long(&t, guest_osxsave_xgetbv, 0);
	if (!xsave) {
		expect_gp_at(&t, "host without XSAVE", guest_osxsave_cr4_rip);
		tvm_destroy(&t);
		return;
	}
	got = tvm_run_done(&t);
	test_diag("guest XCR0 right after setting CR4.OSXSAVE: %#llx", (unsigned long long)got);
	EXPECT_EQ(got, 1);
	tvm_destroy(&t);
}

/* ---- FPU state ---- */

static volatile sig_atomic_t sig_seen;
static volatile uint64_t sig_xmm0[2];
static volatile uint32_t sig_mxcsr;
static volatile int competitor_stop;

/* Records the interrupted context's XMM0 and MXCSR from the signal frame. */
static void fpu_sig_handler(int sig, siginfo_t *si, void *ctx)
{
	ucontext_t *uc = ctx;

	(void)sig;
	(void)si;
	if (uc->uc_mcontext.fpregs) {
		memcpy((void *)sig_xmm0, &uc->uc_mcontext.fpregs->_xmm[0], 16);
		sig_mxcsr = uc->uc_mcontext.fpregs->mxcsr;
	}
	sig_seen = 1;
}

static void host_fpu_load(const uint64_t v[2], uint32_t mxcsr)
{
	asm volatile("movdqu %0, %%xmm0\n\tmovdqu %0, %%xmm7\n\tldmxcsr %1"
		     : : "m"(*(const uint64_t (*)[2])v), "m"(mxcsr) : "xmm0", "xmm7");
}

/*
 * MV_RUN as a raw syscall with XMM0, XMM7 and MXCSR loaded from in/mxcsr
 * right before it and read back into out[0..3] and mxcsr_out right after, so
 * no compiled code can touch them in between. Returns 0 or -errno.
 */
static long run_keeping_fpu(int fd, const uint64_t in[2], uint32_t mxcsr,
			    uint64_t out[4], uint32_t *mxcsr_out)
{
	long ret;

	asm volatile("movdqu (%[in]), %%xmm0\n\t"
		     "movdqu (%[in]), %%xmm7\n\t"
		     "ldmxcsr %[mxi]\n\t"
		     "syscall\n\t"
		     "movdqu %%xmm0, (%[out])\n\t"
		     "movdqu %%xmm7, 16(%[out])\n\t"
		     "stmxcsr %[mxo]"
		     : "=a"(ret), [mxo] "=m"(*mxcsr_out)
		     : "0"((long)SYS_ioctl), "D"((long)fd), "S"((long)MV_RUN), "d"(0L),
		       [in] "r"(in), [out] "r"(out), [mxi] "m"(mxcsr)
		     : "rcx", "r11", "memory", "xmm0", "xmm7");
	return ret;
}

static void expect_host_fpu(const uint64_t got[4], uint32_t mxcsr, const uint64_t pat[2])
{
	EXPECT_EQ(got[0], pat[0]);
	EXPECT_EQ(got[1], pat[1]);
	EXPECT_EQ(got[2], pat[0]);
	EXPECT_EQ(got[3], pat[1]);
	EXPECT_EQ(mxcsr, FPU_HOST_MXCSR);
}

/* Another thread on the same CPU, keeping its own values in XMM0/XMM7/MXCSR. */
static void *competitor(void *arg)
{
	const uint64_t mine[2] = { 0x5555aaaa5555aaaaull, 0x3333cccc3333ccccull };

	(void)arg;
	while (!competitor_stop)
		host_fpu_load(mine, 0x7f80);
	return NULL;
}

static void pin_to(pthread_t th, int cpu)
{
	cpu_set_t set;

	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	ASSERT_OK(pthread_setaffinity_np(th, sizeof(set), &set));
}

/*
 * The guest's XMM0/XMM7/MXCSR survive exits to userspace, a sleep between
 * runs, and, while it spins inside one MV_RUN, context switches to a thread
 * on the same CPU that loads other values, and a signal that ends MV_RUN.
 * The VMM's own XMM0/MXCSR survive every MV_RUN, and the frame of that
 * signal holds the VMM's state, not the guest's.
 */
static void test_fpu_state(void)
{
	const uint64_t guest_pat = 0x1122334455667788ull;
	const uint64_t host_pat[2] = { 0xa5a5a5a5deadbeefull, 0x0123456789abcdefull };
	struct sigaction sa = { .sa_sigaction = fpu_sig_handler, .sa_flags = SA_SIGINFO };
	struct itimerval it = { .it_value = { .tv_usec = 100000 } };
	struct ucall_info uc;
	pthread_t comp;
	uint64_t now[4];
	uint32_t mxcsr;
	struct tvm t;
	long r;
	int round, cpu = sched_getcpu();

	ASSERT_GE(cpu, 0);
	ASSERT_OK(sigaction(SIGALRM, &sa, NULL));
	pin_to(pthread_self(), cpu);
	tvm_create_long(&t, guest_fpu_state, guest_pat);
	for (round = 0; round < 3; round++) {
		ASSERT_EQ(run_keeping_fpu(t.vm.vcpu_fd, host_pat, FPU_HOST_MXCSR, now, &mxcsr), 0);
		expect_host_fpu(now, mxcsr, host_pat);
		ASSERT_EQ(tvm_get_ucall(&t, &uc), UCALL_SYNC);
		EXPECT_EQ(uc.args[0], round);
		if (round == 0)
			sleep_ms(20);
		if (round != 1)
			continue;
		/* The guest now spins until released. */
		competitor_stop = 0;
		ASSERT_OK(pthread_create(&comp, NULL, competitor, NULL));
		pin_to(comp, cpu);
		sig_seen = 0;
		ASSERT_OK(setitimer(ITIMER_REAL, &it, NULL));
		do {
			r = run_keeping_fpu(t.vm.vcpu_fd, host_pat, FPU_HOST_MXCSR, now, &mxcsr);
			/* After the handler and sigreturn: the VMM's own state. */
			expect_host_fpu(now, mxcsr, host_pat);
		} while (r == -EINTR && !sig_seen);
		EXPECT_EQ(r, -EINTR);
		EXPECT_EQ(sig_seen, 1);
		competitor_stop = 1;
		pthread_join(comp, NULL);
		test_diag("signal frame: xmm0 %#llx mxcsr %#x (VMM: %#llx %#x, guest: %#llx %#x)",
			  (unsigned long long)sig_xmm0[0], sig_mxcsr,
			  (unsigned long long)host_pat[0], FPU_HOST_MXCSR,
			  (unsigned long long)guest_pat, FPU_GUEST_MXCSR);
		EXPECT_EQ(sig_xmm0[0], host_pat[0]);
		EXPECT_EQ(sig_xmm0[1], host_pat[1]);
		EXPECT_EQ(sig_mxcsr, FPU_HOST_MXCSR);
		*GUEST_VAR(&t, fpu_release) = 1;
	}
	EXPECT_EQ(tvm_run_done(&t), 0);		/* guest: 0 = its state survived */
	tvm_destroy(&t);
}

/* ---- mitigations ---- */

static void test_mitigations_logged(void)
{
	static const char *files[] = {
		"meltdown", "spectre_v1", "spectre_v2", "mds", "l1tf", "tsx_async_abort",
		"mmio_stale_data", "retbleed", "reg_file_data_sampling", "vmscape",
		"spec_store_bypass", "itlb_multihit", "gather_data_sampling", "srbds",
		"indirect_target_selection", "tsa",
	};
	char path[128], line[512], *log, *p, *end;
	int len, i;
	FILE *f;

	for (i = 0; i < (int)ARRAY_SIZE(files); i++) {
		snprintf(path, sizeof(path), "/sys/devices/system/cpu/vulnerabilities/%s", files[i]);
		f = fopen(path, "r");
		if (!f)
			continue;
		if (fgets(line, sizeof(line), f)) {
			line[strcspn(line, "\n")] = 0;
			test_diag("host %s: %s", files[i], line);
		}
		fclose(f);
	}
	len = klogctl(10 /* SYSLOG_ACTION_SIZE_BUFFER */, NULL, 0);
	ASSERT_GT(len, 0);
	log = calloc(1, len + 1);
	ASSERT_TRUE(log != NULL);
	len = klogctl(3 /* SYSLOG_ACTION_READ_ALL */, log, len);
	ASSERT_GT(len, 0);
	p = strstr(log, "minivisor: mitigations:");
	ASSERT_TRUE(p != NULL);
	end = strchr(p, '\n');
	if (end)
		*end = 0;
	test_diag("%s", p);
	EXPECT_TRUE(strstr(p, "VERW before entry ") != NULL);
	EXPECT_TRUE(strstr(p, "IBPB before return to user ") != NULL);
	free(log);
}

static const struct test_case tests[] = {
	{ "cap_set_cpuid", test_cap, 0 },
	{ "default_table_in_guest", test_default_table, 0 },
	{ "apic_id_per_vcpu", test_apic_id_per_vcpu, 0 },
	{ "set_get_round_trip", test_set_get_round_trip, 0 },
	{ "set_cpuid_errors", test_set_cpuid_errors, 0 },
	{ "xsetbv", test_xsetbv, 0 },
	{ "osxsave_then_xgetbv_sees_guest_xcr0", test_osxsave_then_xgetbv, 0 },
	{ "fpu_state_across_exits_sleep_signal", test_fpu_state, 0 },
	{ "mitigations_logged", test_mitigations_logged, 0 },
};

int main(int argc, char **argv)
{
	return test_main(argc, argv, tests, ARRAY_SIZE(tests));
}
