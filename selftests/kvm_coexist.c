// SPDX-License-Identifier: GPL-2.0
/*
 * Coexistence with kvm_intel, in both of minivisor's VMX modes, chosen by
 * writing the module parameter vmx_share (only while no minivisor VM exists;
 * main() puts the old value back at the end):
 *
 * owned_*  (vmx_share=self): minivisor does VMXON itself, so only one
 *          hypervisor can hold VMX: minivisor refuses with EBUSY and a log
 *          line while a KVM VM exists, KVM refuses while a minivisor VM
 *          exists, and each works again once the other let go.
 *          MV_CAP_VMX_OWNER is 1 while a minivisor VM exists. Where kvm
 *          keeps VMX on from load (6.12's enable_virt_at_load=Y), owned
 *          mode only ever gets EBUSY, and the cases that need VMX are
 *          skipped.
 * shared_* (vmx_share=kvm): minivisor uses kvm_intel's VMX operation
 *          (MV_CAP_VMX_OWNER 2). A KVM VM and a minivisor VM run the same
 *          hand-assembled real-mode loop at the same time, on one CPU and
 *          across CPUs, each exit's value chained through a hash the host
 *          recomputes; rmmod kvm_intel is refused while a minivisor VM
 *          exists and for the linger after the last one (the module
 *          parameter vmx_share_linger_ms), then the hold ends by itself;
 *          CPU 1 goes offline and online under both; KVM alone does a
 *          2,000-exit chain before and after (once minivisor let go).
 *
 * Skipped without /dev/kvm. See Documentation/testing.md, "kvm_coexist".
 */
#include <fcntl.h>
#include <linux/kvm.h>
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "test_harness.h"
#include "test_util.h"
#include "vm.h"

/* For a uapi header from before shared VMX operation. */
#ifndef MV_CAP_VMX_OWNER
#define MV_CAP_VMX_OWNER	25
#define MV_VMX_OWNER_NONE	0	/* no minivisor VM exists */
#define MV_VMX_OWNER_SELF	1	/* minivisor did VMXON itself */
#define MV_VMX_OWNER_KVM	2	/* kvm_intel's VMX operation, shared */
#endif

/* Retry window for a VMX owner (or a module reference) let go asynchronously. */
#define RELEASE_WAIT_SECONDS	3

#define VMX_SHARE_PARAM		"/sys/module/minivisor/parameters/vmx_share"
#define LINGER_PARAM		"/sys/module/minivisor/parameters/vmx_share_linger_ms"
#define KVM_INTEL_SYSFS		"/sys/module/kvm_intel"
#define CPU1_ONLINE		"/sys/devices/system/cpu/cpu1/online"
/* Where tools/testhost/mkinitramfs puts the modules (for a repair reload). */
#define KVM_INTEL_KO		"/mv/modules/kvm-intel.ko"

/*
 * The guest both hypervisors run: 16-bit code at CS:IP = 0:0x1000 (real
 * mode, CS base 0), h in EBX, forever:
 *	1000: 66 e5 10		in	$CHAIN_IN_PORT, %eax	; v = host's value
 *	1003: 66 6b db 1f	imul	$31, %ebx, %ebx
 *	1007: 66 01 c3		add	%eax, %ebx		; h = h * 31 + v
 *	100a: 66 89 d8		mov	%ebx, %eax
 *	100d: 66 e7 11		out	%eax, $CHAIN_OUT_PORT	; report h
 *	1010: eb ee		jmp	1000
 * Two exits to userspace per round. The host derives each v from its own
 * copy of h (chain_input()), so one wrong value anywhere (a register, the
 * exit information or the RIP of the wrong VMCS, an IN completed into the
 * wrong vCPU) changes every later value, and each VM has its own seed.
 */
#define CHAIN_IN_PORT		0x10
#define CHAIN_OUT_PORT		0x11
static const uint8_t chain_code[] = {
	0x66, 0xe5, CHAIN_IN_PORT,
	0x66, 0x6b, 0xdb, 0x1f,
	0x66, 0x01, 0xc3,
	0x66, 0x89, 0xd8,
	0x66, 0xe7, CHAIN_OUT_PORT,
	0xeb, 0xee,
};
#define CHAIN_MEM_SIZE		0x10000ull	/* = RM_MEM_SIZE */

#define CHAIN_EXITS		10000	/* the concurrent cases: exits per VM */
/*
 * KVM alone, before and after minivisor: exactness is the point, not the
 * count (10,000 KVM exits are about 14 wall seconds in the 2-CPU host).
 */
#define ALONE_EXITS		2000
#define MORE_EXITS		1000	/* cases 3 and 4: each further leg */
#define IDLE_EXITS		500	/* case 4: the parked vCPUs' legs */
#define FLIP_EXITS		500	/* case 2: exits between CPU swaps */
#define YIELD_EXITS		16	/* case 1: sched_yield() every N exits */
/*
 * Case 1: times the two vCPU threads must have taken turns on CPU 0. Each
 * thread yields every YIELD_EXITS exits, so up to 2 * CHAIN_EXITS /
 * YIELD_EXITS = 1250 turns are possible; the scheduler may skip some.
 */
#define MIN_TURNS		200

/* ---- small host helpers ---- */

static int kvm_open(void)
{
	int fd = open("/dev/kvm", O_RDWR | O_CLOEXEC);

	if (fd < 0) {
		if (errno == ENOENT || errno == ENODEV || errno == ENXIO)
			test_skip("/dev/kvm not available (%s); kvm_intel not loaded",
				  strerror(errno));
		TEST_FAIL("open /dev/kvm: %s", strerror(errno));
	}
	ASSERT_EQ(ioctl(fd, KVM_GET_API_VERSION, 0), KVM_API_VERSION);
	return fd;
}

/* A KVM VM; on 6.1 (and 6.12 without enable_virt_at_load) it turns VMX on. */
static int kvm_vm(int kvm)
{
	int vm = ioctl(kvm, KVM_CREATE_VM, 0);

	if (vm < 0)
		TEST_FAIL("KVM_CREATE_VM: %s (is another hypervisor holding VMX?)",
			  strerror(errno));
	return vm;
}

/* The first line of a file without its newline; -errno if unreadable. */
static int read_line(const char *path, char *buf, size_t len)
{
	FILE *f = fopen(path, "re");
	int ret = 0;

	if (!f)
		return -errno;
	if (!fgets(buf, len, f))
		ret = ferror(f) ? -EIO : -ENODATA;
	fclose(f);
	if (!ret)
		buf[strcspn(buf, "\n")] = '\0';
	return ret;
}

/* Writes s to a sysfs file in one write(); 0 or -errno. */
static int write_str(const char *path, const char *s)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC);
	ssize_t n;
	int err;

	if (fd < 0)
		return -errno;
	n = write(fd, s, strlen(s));
	err = n < 0 ? -errno : n == (ssize_t)strlen(s) ? 0 : -EIO;
	close(fd);
	return err;
}

/* /dev/kmsg positioned after the newest record. */
static int kmsg_open_at_end(void)
{
	int fd = open("/dev/kmsg", O_RDONLY | O_NONBLOCK | O_CLOEXEC);

	if (fd < 0)
		TEST_FAIL("open /dev/kmsg: %s", strerror(errno));
	if (lseek(fd, 0, SEEK_END) < 0)
		TEST_FAIL("seek to the end of /dev/kmsg: %s", strerror(errno));
	return fd;
}

/*
 * Reads the records logged since and calls match() on each message text;
 * prints the ones it accepts and returns their number.
 */
static int kmsg_scan(int fd, bool (*match)(const char *msg, const void *arg),
		     const void *arg)
{
	char rec[8192];
	int found = 0;

	for (;;) {
		ssize_t n = read(fd, rec, sizeof(rec) - 1);
		char *msg;

		if (n < 0 && errno == EPIPE)
			continue;	/* records overwritten under us; go on */
		if (n <= 0)
			break;		/* EAGAIN: nothing newer */
		rec[n] = '\0';
		/* "prio,seq,usec,flags;message\n" plus continuation lines */
		msg = strchr(rec, ';');
		msg = msg ? msg + 1 : rec;
		*strchrnul(msg, '\n') = '\0';
		if (match(msg, arg)) {
			test_diag("kernel log: %s", msg);
			found++;
		}
	}
	return found;
}

static bool match_both(const char *msg, const void *arg)
{
	const char *const *ab = arg;

	return strstr(msg, ab[0]) && strstr(msg, ab[1]);
}

/* True if a record logged since contains both strings. */
static bool kmsg_find(int fd, const char *a, const char *b)
{
	const char *ab[2] = { a, b };

	return kmsg_scan(fd, match_both, ab) > 0;
}

/* A kernel warning, an oops, or a VMX instruction or VMX/KVM setup failing. */
static bool match_trouble(const char *msg, const void *arg)
{
	static const char *const always[] = {
		"WARNING", "BUG:", "kernel BUG", "Oops", "general protection",
		"invalid opcode", "Call Trace", "vmread failed", "vmwrite failed",
		"refcount_t", "list_add corruption", "list_del corruption",
	};
	static const char *const vmx_words[] = {
		"VMX", "vmx", "VMCS", "vmcs", "VMCLEAR", "vmclear", "VMPTRLD", "vmptrld",
		"VMXON", "vmxon", "VMXOFF", "vmxoff", "virtualization",
	};
	bool vmx = false;
	size_t i;

	(void)arg;
	for (i = 0; i < ARRAY_SIZE(always); i++)
		if (strstr(msg, always[i]))
			return true;
	for (i = 0; i < ARRAY_SIZE(vmx_words); i++)
		vmx |= strstr(msg, vmx_words[i]) != NULL;
	return vmx && (strcasestr(msg, "fail") || strcasestr(msg, "error"));
}

/* ---- minivisor's mode ---- */

/* The parameters' values as main() found them ("" if there are none). */
static char saved_share[64];
static char saved_linger[32];
#define TEST_LINGER_MS		"200"

/* "[kvm] auto self" style lists: the selected word; else the text itself. */
static void share_word(char *buf)
{
	char *l = strchr(buf, '['), *r = l ? strchr(l, ']') : NULL;

	if (l && r) {
		memmove(buf, l + 1, r - l - 1);
		buf[r - l - 1] = '\0';
	}
}

static bool have_share_param(void)
{
	return access(VMX_SHARE_PARAM, F_OK) == 0;
}

/*
 * Selects minivisor's VMX mode for the VMs created next ("self" or "kvm").
 * Without the parameter, the module predates shared VMX operation: it
 * always does VMXON itself, so "self" holds and "kvm" cannot.
 */
static void set_vmx_share(const char *mode)
{
	char now[64];
	int ret;

	if (!have_share_param()) {
		if (!strcmp(mode, "self")) {
			test_diag("no %s: this module always does VMXON itself", VMX_SHARE_PARAM);
			return;
		}
		TEST_FAIL("no %s: this minivisor has no shared VMX operation", VMX_SHARE_PARAM);
	}
	ret = write_str(VMX_SHARE_PARAM, mode);
	if (ret < 0)
		TEST_FAIL("write '%s' to %s: %s", mode, VMX_SHARE_PARAM, strerror(-ret));
	ret = read_line(VMX_SHARE_PARAM, now, sizeof(now));
	if (ret < 0)
		TEST_FAIL("read %s: %s", VMX_SHARE_PARAM, strerror(-ret));
	share_word(now);
	ASSERT_STREQ(now, mode);
}

/* MV_CHECK_CAP(MV_CAP_VMX_OWNER) on a fresh /dev/minivisor fd. */
static long vmx_owner(void)
{
	int sys = mv_open();
	long v;

	ASSERT_OK(sys);
	v = mv_check_cap(sys, MV_CAP_VMX_OWNER);
	close(sys);
	return v;
}

/* The capability (where the module has it) must say who runs VMX now. */
#define expect_owner(want) do {							\
	if (have_share_param())							\
		EXPECT_EQ(vmx_owner(), want);					\
} while (0)

/*
 * How long a shared session outlives minivisor's last VM (seconds; 0 where
 * the module keeps none).
 */
static double linger_seconds(void)
{
	char buf[32];

	if (read_line(LINGER_PARAM, buf, sizeof(buf)))
		return 0;
	return strtoul(buf, NULL, 10) / 1000.0;
}

/*
 * Waits for minivisor to let go of kvm_intel's VMX operation by itself
 * after its last VM: within the linger plus the release window.
 */
static void wait_share_ended(const char *after)
{
	double limit = linger_seconds() + RELEASE_WAIT_SECONDS;
	double t0 = test_now(), waited;
	long owner;

	if (!have_share_param())
		return;
	while ((owner = vmx_owner()) != MV_VMX_OWNER_NONE && test_now() - t0 < limit)
		sleep_ms(50);
	waited = test_now() - t0;
	test_diag("shared session after %s ended within %.2f s (linger %.2f s)", after,
		  waited, linger_seconds());
	EXPECT_EQ(owner, MV_VMX_OWNER_NONE);
}

/* ---- the chain: one VM (either hypervisor) running chain_code ---- */

struct chain {
	const char *name;
	bool is_kvm;
	uint32_t seed;
	uint32_t h;		/* the host's copy of the guest's EBX */
	uint32_t want;		/* what the next OUT must report */
	uint64_t exits;		/* completed exits; atomic, main reads it */
	/* minivisor */
	struct tvm t;
	/* KVM */
	int kvm_vm, kvm_vcpu, kvm_run_size;
	struct kvm_run *krun;
	uint8_t *kmem;
};

/* Host's value for round i (any good mixer; the guest just adds it). */
static uint32_t chain_input(uint32_t h, uint64_t i)
{
	uint32_t x = h ^ (uint32_t)(i * 0x9e3779b97f4a7c15ull >> 32);

	x ^= x >> 16;
	x *= 0x85ebca6bu;
	x ^= x >> 13;
	x *= 0xc2b2ae35u;
	x ^= x >> 16;
	return x;
}

/* h after the given number of exits (two per round), computed apart. */
static uint32_t chain_reference(uint32_t seed, uint64_t exits)
{
	uint32_t h = seed;
	uint64_t i;

	for (i = 0; i < exits / 2; i++)
		h = h * 31 + chain_input(h, i);
	return h;
}

static uint64_t chain_exits(const struct chain *c)
{
	return __atomic_load_n(&c->exits, __ATOMIC_ACQUIRE);
}

static void mv_chain_create(struct chain *c, const char *name, uint32_t seed)
{
	struct rm_blob blob = { chain_code, chain_code + sizeof(chain_code) };
	struct mv_regs r;

	memset(c, 0, sizeof(*c));
	c->name = name;
	c->seed = c->h = seed;
	tvm_create_real(&c->t, blob);
	tvm_get_regs(&c->t, &r);
	ASSERT_EQ(r.rip, RM_LOAD_ADDR);
	r.rbx = seed;
	tvm_set_regs(&c->t, &r);
}

static void kvm_chain_create(struct chain *c, int kvm, const char *name, uint32_t seed)
{
	struct kvm_userspace_memory_region mr = { .memory_size = CHAIN_MEM_SIZE };
	struct kvm_regs regs = { .rip = RM_LOAD_ADDR, .rflags = 2, .rbx = seed };
	struct kvm_sregs s;

	memset(c, 0, sizeof(*c));
	c->name = name;
	c->is_kvm = true;
	c->seed = c->h = seed;
	c->kmem = mmap(NULL, CHAIN_MEM_SIZE, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_TRUE(c->kmem != MAP_FAILED);
	memcpy(c->kmem + RM_LOAD_ADDR, chain_code, sizeof(chain_code));
	c->kvm_vm = kvm_vm(kvm);
	mr.userspace_addr = (uintptr_t)c->kmem;
	if (ioctl(c->kvm_vm, KVM_SET_USER_MEMORY_REGION, &mr))
		TEST_FAIL("%s: KVM_SET_USER_MEMORY_REGION: %s", name, strerror(errno));
	c->kvm_run_size = ioctl(kvm, KVM_GET_VCPU_MMAP_SIZE, 0);
	ASSERT_GT(c->kvm_run_size, 0);
	c->kvm_vcpu = ioctl(c->kvm_vm, KVM_CREATE_VCPU, 0);
	if (c->kvm_vcpu < 0)
		TEST_FAIL("%s: KVM_CREATE_VCPU: %s", name, strerror(errno));
	c->krun = mmap(NULL, c->kvm_run_size, PROT_READ | PROT_WRITE, MAP_SHARED,
		       c->kvm_vcpu, 0);
	ASSERT_TRUE(c->krun != MAP_FAILED);
	/* KVM's reset state is real mode at F000:FFF0; start at 0:1000. */
	if (ioctl(c->kvm_vcpu, KVM_GET_SREGS, &s))
		TEST_FAIL("%s: KVM_GET_SREGS: %s", name, strerror(errno));
	s.cs.selector = 0;
	s.cs.base = 0;
	if (ioctl(c->kvm_vcpu, KVM_SET_SREGS, &s) || ioctl(c->kvm_vcpu, KVM_SET_REGS, &regs))
		TEST_FAIL("%s: KVM_SET_SREGS/REGS: %s", name, strerror(errno));
}

static void chain_destroy(struct chain *c)
{
	if (!c->is_kvm) {
		tvm_destroy(&c->t);
		return;
	}
	munmap(c->krun, c->kvm_run_size);
	close(c->kvm_vcpu);
	close(c->kvm_vm);
	munmap(c->kmem, CHAIN_MEM_SIZE);
}

/* One run of the vCPU, which must end in the next exit of the chain. */
static void chain_step(struct chain *c)
{
	uint64_t i = c->exits;
	bool in = !(i & 1);
	uint8_t dir, size;
	uint16_t port;
	uint32_t count;
	uint8_t *data;

	if (c->is_kvm) {
		struct kvm_run *run = c->krun;

		if (ioctl(c->kvm_vcpu, KVM_RUN, 0))
			TEST_FAIL("%s: exit %llu on CPU %d: KVM_RUN: %s", c->name,
				  (unsigned long long)i, sched_getcpu(), strerror(errno));
		if (run->exit_reason != KVM_EXIT_IO)
			TEST_FAIL("%s: exit %llu on CPU %d: KVM exit reason %u, expected "
				  "KVM_EXIT_IO (%u)%s", c->name, (unsigned long long)i,
				  sched_getcpu(), run->exit_reason, KVM_EXIT_IO,
				  run->exit_reason == KVM_EXIT_INTERNAL_ERROR ?
				  " (internal error)" : "");
		dir = run->io.direction == KVM_EXIT_IO_OUT ? MV_EXIT_IO_OUT : MV_EXIT_IO_IN;
		size = run->io.size;
		port = run->io.port;
		count = run->io.count;
		if (run->io.data_offset < sizeof(*run) ||
		    run->io.data_offset > (uint64_t)c->kvm_run_size - 4)
			TEST_FAIL("%s: exit %llu: io.data_offset 0x%llx", c->name,
				  (unsigned long long)i, (unsigned long long)run->io.data_offset);
		data = (uint8_t *)run + run->io.data_offset;
	} else {
		struct mv_run *run = c->t.vm.run;

		tvm_run(&c->t);
		tvm_expect_exit(&c->t, MV_EXIT_IO);
		dir = run->io.direction;
		size = run->io.size;
		port = run->io.port;
		count = run->io.count;
		if (run->io.data_offset < sizeof(*run) ||
		    run->io.data_offset > (uint64_t)c->t.run_size - 4)
			TEST_FAIL("%s: exit %llu: io.data_offset 0x%llx", c->name,
				  (unsigned long long)i, (unsigned long long)run->io.data_offset);
		data = mv_io_data(run);
	}
	if (dir != (in ? MV_EXIT_IO_IN : MV_EXIT_IO_OUT) ||
	    port != (in ? CHAIN_IN_PORT : CHAIN_OUT_PORT) || size != 4 || count != 1)
		TEST_FAIL("%s: exit %llu on CPU %d: %s port 0x%x size %u count %u, expected "
			  "%s port 0x%x size 4 count 1", c->name, (unsigned long long)i,
			  sched_getcpu(), dir == MV_EXIT_IO_OUT ? "OUT" : "IN", port, size,
			  count, in ? "IN" : "OUT", in ? CHAIN_IN_PORT : CHAIN_OUT_PORT);
	if (in) {
		uint32_t v = chain_input(c->h, i / 2);

		io_data_put(data, 4, v);
		c->want = c->h * 31 + v;
	} else {
		uint32_t got = io_data_get(data, 4);

		if (got != c->want)
			TEST_FAIL("%s: exit %llu on CPU %d: the guest reported h = 0x%08x, "
				  "expected 0x%08x", c->name, (unsigned long long)i,
				  sched_getcpu(), got, c->want);
		c->h = got;
	}
	__atomic_store_n(&c->exits, i + 1, __ATOMIC_RELEASE);
}

/*
 * After an even number of exits (the last one the OUT): the host's h is the
 * reference value for the count, and the guest's EAX and EBX both hold it.
 */
static void chain_verify(struct chain *c, uint64_t want_exits)
{
	uint32_t ref = chain_reference(c->seed, want_exits);
	uint64_t rax, rbx;

	EXPECT_EQ(c->exits, want_exits);
	if (c->is_kvm) {
		struct kvm_regs r;

		if (ioctl(c->kvm_vcpu, KVM_GET_REGS, &r))
			TEST_FAIL("%s: KVM_GET_REGS: %s", c->name, strerror(errno));
		rax = r.rax;
		rbx = r.rbx;
	} else {
		struct mv_regs r;

		tvm_get_regs(&c->t, &r);
		rax = r.rax;
		rbx = r.rbx;
	}
	test_diag("%s: %llu exits, h = 0x%08x (reference 0x%08x), guest EAX 0x%llx EBX 0x%llx",
		  c->name, (unsigned long long)c->exits, c->h, ref,
		  (unsigned long long)rax, (unsigned long long)rbx);
	EXPECT_EQ(c->h, ref);
	EXPECT_EQ((uint32_t)rax, ref);
	EXPECT_EQ((uint32_t)rbx, ref);
}

/* ---- vCPU threads ---- */

/*
 * A thread that runs a chain's vCPU in legs ordered by the test: run until
 * the chain has `target` exits (UINT64_MAX: until runner_extend()), pinned
 * to `cpu`, optionally swapping between cpus[0] and cpus[1] every
 * `flip_every` exits (meeting the other runner at `flip_bar` first) and
 * yielding the CPU every `yield_every` exits.
 */
struct runner {
	struct chain *c;
	pthread_t th;
	uint64_t target;		/* atomic; changed under runners_lock */
	int64_t extend_req;		/* atomic; runner_extend()'s n, or -1 */
	uint64_t extended_at;		/* where the thread ended it: even */
	int cpu;
	unsigned int flip_every, yield_every;
	pthread_barrier_t *flip_bar;
	bool idle, stop;
	/* measured */
	unsigned int flips, wrong_cpu, turns;
	unsigned int cpu_mask;		/* CPUs an exit was seen on */
	double start, end;		/* first and last exit of the last leg */
};

static pthread_mutex_t runners_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t runners_cond = PTHREAD_COND_INITIALIZER;
/* The runner whose vCPU exited last, for counting turns on one CPU. */
static struct runner *last_runner;
/* Case 2: the two CPUs; case 4: CPU 0 and CPU 1. */
static int cpus[2];

static void pin_self(struct runner *r, int cpu)
{
	cpu_set_t set;

	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	if (sched_setaffinity(0, sizeof(set), &set))
		TEST_FAIL("%s: pin to CPU %d: %s", r->c->name, cpu, strerror(errno));
	/* The kernel moves the caller before returning. */
	if (sched_getcpu() != cpu)
		r->wrong_cpu++;
}

static void *runner_main(void *arg)
{
	struct runner *r = arg;
	struct chain *c = r->c;

	pthread_mutex_lock(&runners_lock);
	for (;;) {
		unsigned int flip, yield;
		uint64_t leg0, n;
		int cpu;

		while (!r->stop && c->exits >= __atomic_load_n(&r->target, __ATOMIC_ACQUIRE)) {
			if (!r->idle) {
				r->idle = true;
				pthread_cond_broadcast(&runners_cond);
			}
			pthread_cond_wait(&runners_cond, &runners_lock);
		}
		if (r->stop)
			break;
		r->idle = false;
		cpu = r->cpu;
		flip = r->flip_every;
		yield = r->yield_every;
		pthread_mutex_unlock(&runners_lock);

		if (cpu >= 0)
			pin_self(r, cpu);
		leg0 = c->exits;
		r->start = test_now();
		while (c->exits < __atomic_load_n(&r->target, __ATOMIC_ACQUIRE)) {
			int64_t req = __atomic_exchange_n(&r->extend_req, -1, __ATOMIC_ACQ_REL);

			if (req >= 0) {
				/* Only this thread knows where the chain is: round to an OUT. */
				r->extended_at = c->exits + (c->exits & 1);
				__atomic_store_n(&r->target, r->extended_at + req, __ATOMIC_RELEASE);
				continue;
			}
			n = c->exits - leg0;
			if (flip && n && n % flip == 0) {
				if (r->flip_bar)
					pthread_barrier_wait(r->flip_bar);
				cpu = cpu == cpus[0] ? cpus[1] : cpus[0];
				pin_self(r, cpu);
				r->flips++;
			}
			if (yield && n && n % yield == 0)
				sched_yield();
			chain_step(c);
			r->cpu_mask |= 1u << (sched_getcpu() & 31);
			if (__atomic_exchange_n(&last_runner, r, __ATOMIC_ACQ_REL) != r)
				r->turns++;
		}
		r->end = test_now();
		pthread_mutex_lock(&runners_lock);
	}
	pthread_mutex_unlock(&runners_lock);
	return NULL;
}

static void runner_start(struct runner *r, struct chain *c)
{
	memset(r, 0, sizeof(*r));
	r->c = c;
	r->cpu = -1;
	r->extend_req = -1;
	r->idle = true;
	ASSERT_EQ(pthread_create(&r->th, NULL, runner_main, r), 0);
}

/* Starts a leg of n more exits (UINT64_MAX: open-ended); the runner must be idle. */
static void runner_leg(struct runner *r, uint64_t n, int cpu, unsigned int flip_every,
		       pthread_barrier_t *flip_bar, unsigned int yield_every)
{
	pthread_mutex_lock(&runners_lock);
	r->cpu = cpu;
	r->flip_every = flip_every;
	r->flip_bar = flip_bar;
	r->yield_every = yield_every;
	r->idle = false;
	__atomic_store_n(&r->target, n == UINT64_MAX ? n : chain_exits(r->c) + n,
			 __ATOMIC_RELEASE);
	pthread_cond_broadcast(&runners_cond);
	pthread_mutex_unlock(&runners_lock);
}

/*
 * Ends a running open-ended leg n exits after the next even count the vCPU
 * thread reaches (it sets r->extended_at); runner_wait() then waits for it.
 */
static void runner_extend(struct runner *r, uint64_t n)
{
	__atomic_store_n(&r->extend_req, (int64_t)n, __ATOMIC_RELEASE);
}

static void runner_wait(struct runner *r)
{
	pthread_mutex_lock(&runners_lock);
	while (!r->idle)
		pthread_cond_wait(&runners_cond, &runners_lock);
	pthread_mutex_unlock(&runners_lock);
	/* An even count: the leg ended after an OUT, as chain_verify() wants. */
	ASSERT_EQ(r->c->exits % 2, 0);
}

/* Waits until the chain has at least n exits (the leg is running). */
static void runner_wait_exits(struct runner *r, uint64_t n)
{
	double t0 = test_now();

	while (chain_exits(r->c) < n) {
		if (test_now() - t0 > 20)
			TEST_FAIL("%s: %llu exits after 20 s, waiting for %llu", r->c->name,
				  (unsigned long long)chain_exits(r->c), (unsigned long long)n);
		sleep_ms(1);
	}
}

static void runner_stop(struct runner *r)
{
	pthread_mutex_lock(&runners_lock);
	r->stop = true;
	pthread_cond_broadcast(&runners_cond);
	pthread_mutex_unlock(&runners_lock);
	ASSERT_EQ(pthread_join(r->th, NULL), 0);
}

/* Skips the case unless CPUs 0 and 1 are online and allowed. */
static void need_cpus_0_and_1(void)
{
	long online = sysconf(_SC_NPROCESSORS_ONLN);
	cpu_set_t set;

	ASSERT_EQ(sched_getaffinity(0, sizeof(set), &set), 0);
	if (online < 2 || !CPU_ISSET(0, &set) || !CPU_ISSET(1, &set))
		test_skip("needs CPUs 0 and 1 online and allowed (%ld online)", online);
	cpus[0] = 0;
	cpus[1] = 1;
}

/* ---- owned mode (vmx_share=self): one VMX owner at a time ---- */

/* MV_CREATE_VM, retried while it fails with EBUSY for a little while. */
static int mv_create_vm_retry(int sys)
{
	double waited = 0;
	int vm;

	for (;;) {
		vm = mv_create_vm(sys);
		if (vm != -EBUSY || waited >= RELEASE_WAIT_SECONDS)
			return vm;
		sleep_ms(100);
		waited += 0.1;
	}
}

/*
 * 6.12 and later: kvm turns VMX on when it loads and keeps it on while
 * loaded (kvm.enable_virt_at_load, default Y). Owned mode can then never
 * do VMXON.
 */
static bool kvm_holds_vmx_from_load(void)
{
	char buf[8];

	return read_line("/sys/module/kvm/parameters/enable_virt_at_load", buf,
			 sizeof(buf)) == 0 && buf[0] == 'Y';
}

static void skip_if_kvm_holds_vmx(void)
{
	if (kvm_holds_vmx_from_load())
		test_skip("kvm.enable_virt_at_load=Y keeps VMX on from load, so owned mode "
			  "never gets it (owned_kvm_vm_blocks_minivisor_ebusy checks the EBUSY)");
}

/* MV_CREATE_VM in owned mode must fail with EBUSY and say why in the log. */
static void expect_owned_ebusy(const char *when)
{
	int kmsg = kmsg_open_at_end();
	int sys = mv_open();
	int ret;

	ASSERT_OK(sys);
	ret = mv_create_vm(sys);
	test_diag("MV_CREATE_VM %s: %d", when, ret);
	if (ret == -EOPNOTSUPP) {
		/* Linux 7.2: VMXON is core x86's, minivisor can only share. */
		bool said = kmsg_find(kmsg, "minivisor", "keeps VMX operation in core x86");

		close(sys);
		close(kmsg);
		if (!said)
			TEST_FAIL("EOPNOTSUPP without the kernel-log line naming the reason");
		test_skip("this kernel keeps VMX operation in core x86: no owned mode");
	}
	ASSERT_ERR(ret, EBUSY);
	EXPECT_TRUE(kmsg_find(kmsg, "minivisor", "another hypervisor"));
	expect_owner(MV_VMX_OWNER_NONE);
	close(sys);
	close(kmsg);
}

static void test_owned_kvm_vm_blocks_minivisor(void)
{
	int kvm = kvm_open();
	int vm;

	set_vmx_share("self");
	vm = kvm_vm(kvm);
	expect_owned_ebusy("with a KVM VM alive");
	close(vm);
	/* Where KVM holds VMX from load, its last VM does not end that. */
	if (kvm_holds_vmx_from_load())
		expect_owned_ebusy("with kvm.enable_virt_at_load=Y and no KVM VM");
	close(kvm);
}

static void test_owned_minivisor_after_kvm_vm_closed(void)
{
	int kvm = kvm_open();
	struct tvm t;
	int sys, vm;

	skip_if_kvm_holds_vmx();
	set_vmx_share("self");
	close(kvm_vm(kvm));
	sys = mv_open();
	ASSERT_OK(sys);
	vm = mv_create_vm_retry(sys);
	ASSERT_OK(vm);
	expect_owner(MV_VMX_OWNER_SELF);
	close(vm);
	close(sys);
	/* And a guest runs to completion. */
	tvm_create_real(&t, RM_BLOB(hello));
	tvm_run_hello(&t);
	tvm_destroy(&t);
	close(kvm);
}

static void test_owned_minivisor_vm_blocks_kvm(void)
{
	int kvm = kvm_open();
	struct tvm t;
	int vm;
	char e[96];
	int err;

	skip_if_kvm_holds_vmx();
	set_vmx_share("self");
	tvm_create_real(&t, RM_BLOB(hello));
	expect_owner(MV_VMX_OWNER_SELF);
	vm = ioctl(kvm, KVM_CREATE_VM, 0);
	err = vm < 0 ? errno : 0;
	test_diag("KVM_CREATE_VM with a minivisor VM alive: %d, %s", vm,
		  test_errno_str(-err, e, sizeof(e)));
	if (vm >= 0)
		close(vm);
	EXPECT_EQ(vm, -1);
	EXPECT_EQ(err, EBUSY);
	/* KVM's failed attempt left our VMX state alone. */
	tvm_run_hello(&t);
	tvm_destroy(&t);
	close(kvm);
}

/* minivisor turns VMX off with its last VM: KVM can have it afterwards. */
static void test_owned_kvm_after_minivisor_vm_closed(void)
{
	int kvm = kvm_open();
	double waited = 0;
	struct tvm t;
	int vm;

	skip_if_kvm_holds_vmx();
	set_vmx_share("self");
	tvm_create_real(&t, RM_BLOB(hello));
	tvm_run_hello(&t);
	tvm_destroy(&t);
	for (;;) {
		vm = ioctl(kvm, KVM_CREATE_VM, 0);
		if (vm >= 0 || errno != EBUSY || waited >= RELEASE_WAIT_SECONDS)
			break;
		sleep_ms(100);
		waited += 0.1;
	}
	if (vm < 0)
		TEST_FAIL("KVM_CREATE_VM after the last minivisor VM is gone: %s",
			  strerror(errno));
	close(vm);
	expect_owner(MV_VMX_OWNER_NONE);
	close(kvm);
}

/* ---- shared mode (vmx_share=kvm) ---- */

/* Seeds: one per VM of a case, so that VMs never produce the same stream. */
#define SEED_KVM		0x6b766d31u
#define SEED_MV			0x6d763031u
#define SEED_KVM_IDLE		0x6b766d32u
#define SEED_MV_IDLE		0x6d763032u

/* Case 5: KVM alone, 2,000 chained exits, with no minivisor VM anywhere. */
static void kvm_alone(void)
{
	struct runner r;
	struct chain c;
	int kvm = kvm_open();

	/* No minivisor VM anywhere: also none kept after the cases before. */
	wait_share_ended("the cases before");
	kvm_chain_create(&c, kvm, "kvm", SEED_KVM);
	runner_start(&r, &c);
	runner_leg(&r, ALONE_EXITS, -1, 0, NULL, 0);
	runner_wait(&r);
	runner_stop(&r);
	test_diag("kvm alone: %d exits in %.2f s", ALONE_EXITS, r.end - r.start);
	chain_verify(&c, ALONE_EXITS);
	chain_destroy(&c);
	expect_owner(MV_VMX_OWNER_NONE);
	close(kvm);
}

static void test_shared_kvm_alone_before(void)
{
	kvm_alone();
}

static void test_shared_kvm_alone_after(void)
{
	kvm_alone();
}

/* Both VMs of a case: minivisor's first (owner 2 from then on), then KVM's. */
static void create_pair(struct chain *mv, struct chain *kv, int kvm)
{
	set_vmx_share("kvm");
	mv_chain_create(mv, "minivisor", SEED_MV);
	expect_owner(MV_VMX_OWNER_KVM);
	kvm_chain_create(kv, kvm, "kvm", SEED_KVM);
}

/* The two legs ran at the same time (the macros compare integers). */
static void expect_overlap(const struct runner *a, const struct runner *b)
{
	EXPECT_TRUE(a->start < b->end);
	EXPECT_TRUE(b->start < a->end);
}

/*
 * Case 1: both vCPU threads on CPU 0, 10,000 exits each, taking turns
 * (each yields every YIELD_EXITS exits, and the tick preempts them in the
 * guest): each hypervisor keeps finding the other's VMCS current on the CPU.
 */
static void test_shared_same_cpu(void)
{
	struct chain mv, kv;
	struct runner rm, rk;
	int kvm = kvm_open();

	create_pair(&mv, &kv, kvm);
	runner_start(&rm, &mv);
	runner_start(&rk, &kv);
	runner_leg(&rm, CHAIN_EXITS, 0, 0, NULL, YIELD_EXITS);
	runner_leg(&rk, CHAIN_EXITS, 0, 0, NULL, YIELD_EXITS);
	runner_wait(&rm);
	runner_wait(&rk);
	runner_stop(&rm);
	runner_stop(&rk);
	test_diag("CPU 0: minivisor %.2f s, kvm %.2f s, turns %u + %u",
		  rm.end - rm.start, rk.end - rk.start, rm.turns, rk.turns);
	chain_verify(&mv, CHAIN_EXITS);
	chain_verify(&kv, CHAIN_EXITS);
	EXPECT_EQ(rm.wrong_cpu + rk.wrong_cpu, 0);
	EXPECT_EQ(rm.cpu_mask, 1);
	EXPECT_EQ(rk.cpu_mask, 1);
	EXPECT_GE(rm.turns + rk.turns, MIN_TURNS);
	expect_overlap(&rm, &rk);
	chain_destroy(&kv);
	chain_destroy(&mv);
	close(kvm);
}

/*
 * Case 2: KVM's thread starts on CPU 1, minivisor's on CPU 0; every
 * FLIP_EXITS exits both meet and swap CPUs, so each vCPU lands where the
 * other hypervisor's VMCS was current a moment ago.
 */
static void test_shared_across_cpus(void)
{
	pthread_barrier_t bar;
	struct chain mv, kv;
	struct runner rm, rk;
	int kvm;

	need_cpus_0_and_1();
	kvm = kvm_open();
	ASSERT_EQ(pthread_barrier_init(&bar, NULL, 2), 0);
	create_pair(&mv, &kv, kvm);
	runner_start(&rm, &mv);
	runner_start(&rk, &kv);
	runner_leg(&rm, CHAIN_EXITS, 0, FLIP_EXITS, &bar, 0);
	runner_leg(&rk, CHAIN_EXITS, 1, FLIP_EXITS, &bar, 0);
	runner_wait(&rm);
	runner_wait(&rk);
	runner_stop(&rm);
	runner_stop(&rk);
	test_diag("minivisor %.2f s, kvm %.2f s, %u and %u CPU swaps",
		  rm.end - rm.start, rk.end - rk.start, rm.flips, rk.flips);
	chain_verify(&mv, CHAIN_EXITS);
	chain_verify(&kv, CHAIN_EXITS);
	EXPECT_EQ(rm.flips, CHAIN_EXITS / FLIP_EXITS - 1);
	EXPECT_EQ(rk.flips, CHAIN_EXITS / FLIP_EXITS - 1);
	EXPECT_EQ(rm.wrong_cpu + rk.wrong_cpu, 0);
	EXPECT_EQ(rm.cpu_mask, 3);
	EXPECT_EQ(rk.cpu_mask, 3);
	expect_overlap(&rm, &rk);
	pthread_barrier_destroy(&bar);
	chain_destroy(&kv);
	chain_destroy(&mv);
	close(kvm);
}

/* /sys/module/kvm_intel/refcnt; fails the test if unreadable. */
static long kvm_intel_refcnt(void)
{
	char buf[32];
	int ret = read_line(KVM_INTEL_SYSFS "/refcnt", buf, sizeof(buf));

	if (ret < 0)
		TEST_FAIL("read %s/refcnt: %s", KVM_INTEL_SYSFS, strerror(-ret));
	return atol(buf);
}

static bool kvm_intel_loaded(void)
{
	char buf[32];

	return read_line(KVM_INTEL_SYSFS "/initstate", buf, sizeof(buf)) == 0 &&
	       !strcmp(buf, "live");
}

/* After an unload that should not have happened: put kvm_intel back for the others. */
static void kvm_intel_reload(void)
{
	int fd = open(KVM_INTEL_KO, O_RDONLY | O_CLOEXEC);

	if (fd < 0 || syscall(SYS_finit_module, fd, "", 0))
		test_diag("reloading %s failed: %s", KVM_INTEL_KO, strerror(errno));
	if (fd >= 0)
		close(fd);
}

/*
 * delete_module("kvm_intel") must be refused because the module is in use:
 * EWOULDBLOCK (kernel/module/main.c: the reference count is not zero), what
 * rmmod reports as "in use" / "Resource temporarily unavailable".
 */
static void expect_rmmod_refused(const char *when)
{
	char e[96];
	long ret;
	int err;

	ret = syscall(SYS_delete_module, "kvm_intel", O_NONBLOCK);
	err = ret ? errno : 0;
	test_diag("delete_module(kvm_intel) %s: %ld, %s", when, ret,
		  test_errno_str(-err, e, sizeof(e)));
	if (!ret) {
		kvm_intel_reload();
		TEST_FAIL("kvm_intel was unloaded %s", when);
	}
	EXPECT_EQ(err, EWOULDBLOCK);
	ASSERT_TRUE(kvm_intel_loaded());
}

/* The rmmod command a user would type: must fail; its message goes to the log. */
static void expect_rmmod_command_fails(void)
{
	/* kmod's on a distribution, busybox's applet in the emulated host. */
	static const char *const paths[] = { "/sbin/rmmod", "/bin/rmmod" };
	char out[256] = "", cmd[64];
	const char *path = NULL;
	size_t i;
	FILE *p;
	int st;

	for (i = 0; i < ARRAY_SIZE(paths) && !path; i++)
		if (!access(paths[i], X_OK))
			path = paths[i];
	if (!path) {
		test_diag("no rmmod command; delete_module(2) alone was tried");
		return;
	}
	snprintf(cmd, sizeof(cmd), "%s kvm_intel 2>&1", path);
	p = popen(cmd, "r");
	ASSERT_TRUE(p != NULL);
	if (!fgets(out, sizeof(out), p))
		out[0] = '\0';
	st = pclose(p);
	out[strcspn(out, "\n")] = '\0';
	test_diag("%s kvm_intel: exit status %d: %s", path,
		  WIFEXITED(st) ? WEXITSTATUS(st) : -1, out);
	if (!kvm_intel_loaded()) {
		kvm_intel_reload();
		TEST_FAIL("%s unloaded kvm_intel under a minivisor VM", path);
	}
	EXPECT_TRUE(WIFEXITED(st) && WEXITSTATUS(st) != 0);
}

/*
 * Case 3: a minivisor VM pins kvm_intel (its own KVM VM holds a reference),
 * so rmmod is refused, first with no KVM VM of the test's own, then with
 * both VMs running; both VMs then go on exactly. When the minivisor VM is
 * gone, the reference is too and kvm_intel stays loaded.
 */
static void test_shared_rmmod_kvm_intel_refused(void)
{
	struct chain mv, kv;
	struct runner rm, rk;
	long base, held;
	double waited = 0;
	int kvm;

	if (access("/dev/kvm", F_OK))
		test_skip("/dev/kvm not available; kvm_intel not loaded");
	set_vmx_share("kvm");
	base = kvm_intel_refcnt();
	mv_chain_create(&mv, "minivisor", SEED_MV);
	expect_owner(MV_VMX_OWNER_KVM);
	held = kvm_intel_refcnt();
	test_diag("kvm_intel refcnt: %ld without VMs, %ld with a minivisor VM", base, held);
	EXPECT_GT(held, base);
	expect_rmmod_refused("with a minivisor VM (and no other KVM user)");
	expect_rmmod_command_fails();
	runner_start(&rm, &mv);
	runner_leg(&rm, MORE_EXITS, -1, 0, NULL, 0);
	runner_wait(&rm);

	kvm = kvm_open();
	kvm_chain_create(&kv, kvm, "kvm", SEED_KVM);
	runner_start(&rk, &kv);
	runner_leg(&rm, UINT64_MAX, -1, 0, NULL, 0);
	runner_leg(&rk, UINT64_MAX, -1, 0, NULL, 0);
	runner_wait_exits(&rm, MORE_EXITS + 100);
	runner_wait_exits(&rk, 100);
	expect_rmmod_refused("with both VMs running");
	/* Both still running: another 1,000 each from here. */
	runner_extend(&rm, MORE_EXITS);
	runner_extend(&rk, MORE_EXITS);
	runner_wait(&rm);
	runner_wait(&rk);
	runner_stop(&rm);
	runner_stop(&rk);
	EXPECT_EQ(mv.exits, rm.extended_at + MORE_EXITS);
	EXPECT_EQ(kv.exits, rk.extended_at + MORE_EXITS);
	EXPECT_GE(mv.exits, 2 * MORE_EXITS + 100);
	EXPECT_GE(kv.exits, MORE_EXITS + 100);
	chain_verify(&mv, mv.exits);
	chain_verify(&kv, kv.exits);
	chain_destroy(&kv);
	close(kvm);
	chain_destroy(&mv);

	/*
	 * The minivisor VM's hold on kvm_intel outlives it by the linger
	 * (rmmod still refused), then ends by itself; kvm_intel stays.
	 */
	if (linger_seconds() >= 0.1) {
		EXPECT_GT(kvm_intel_refcnt(), base);
		expect_rmmod_refused("in the linger after the last minivisor VM");
	}
	while (kvm_intel_refcnt() != base &&
	       waited < linger_seconds() + RELEASE_WAIT_SECONDS) {
		sleep_ms(100);
		waited += 0.1;
	}
	test_diag("kvm_intel refcnt back to %ld after %.1f s (linger %.2f s)", base, waited,
		  linger_seconds());
	EXPECT_EQ(kvm_intel_refcnt(), base);
	EXPECT_TRUE(kvm_intel_loaded());
	expect_owner(MV_VMX_OWNER_NONE);
}

static void cpu1_set_online(int on)
{
	char buf[8];
	int ret;

	ret = write_str(CPU1_ONLINE, on ? "1" : "0");
	if (ret < 0)
		TEST_FAIL("echo %d > %s: %s", on, CPU1_ONLINE, strerror(-ret));
	ASSERT_EQ(read_line(CPU1_ONLINE, buf, sizeof(buf)), 0);
	ASSERT_EQ(atoi(buf), on);
	ASSERT_EQ(sysconf(_SC_NPROCESSORS_ONLN), on ? 2 : 1);
}

/*
 * Case 4: CPU 1 goes offline and online while both hypervisors have VMs:
 * two running on CPU 0 all the while (KVM turns VMX off and on on CPU 1,
 * minivisor must have VMCLEARed what it had there first), and two parked
 * vCPUs whose VMCSs were last loaded on CPU 1, run afterwards on CPU 0 and
 * then on CPU 1 again. Every chain exact, nothing in the kernel log.
 */
static void test_shared_cpu_offline_online(void)
{
	struct chain mv, kv, mvi, kvi;
	struct runner rm, rk, rmi, rki;
	uint64_t at_m, at_k;
	int kvm, kmsg, trouble;
	double t0;

	need_cpus_0_and_1();
	ASSERT_EQ(access(CPU1_ONLINE, W_OK), 0);
	kvm = kvm_open();
	kmsg = kmsg_open_at_end();
	create_pair(&mv, &kv, kvm);
	mv_chain_create(&mvi, "minivisor-parked", SEED_MV_IDLE);
	kvm_chain_create(&kvi, kvm, "kvm-parked", SEED_KVM_IDLE);
	runner_start(&rm, &mv);
	runner_start(&rk, &kv);
	runner_start(&rmi, &mvi);
	runner_start(&rki, &kvi);

	/* The parked vCPUs run on CPU 1 and stop there (VMCS loaded on CPU 1). */
	runner_leg(&rmi, IDLE_EXITS, 1, 0, NULL, 0);
	runner_leg(&rki, IDLE_EXITS, 1, 0, NULL, 0);
	runner_wait(&rmi);
	runner_wait(&rki);

	/* CPU 1 goes away while the other two run on CPU 0. */
	runner_leg(&rm, UINT64_MAX, 0, 0, NULL, 0);
	runner_leg(&rk, UINT64_MAX, 0, 0, NULL, 0);
	runner_wait_exits(&rm, 200);
	runner_wait_exits(&rk, 200);
	t0 = test_now();
	cpu1_set_online(0);
	test_diag("CPU 1 offline in %.2f s", test_now() - t0);
	runner_extend(&rm, MORE_EXITS);
	runner_extend(&rk, MORE_EXITS);
	runner_wait(&rm);
	runner_wait(&rk);
	at_m = rm.extended_at;
	at_k = rk.extended_at;
	EXPECT_EQ(mv.exits, at_m + MORE_EXITS);
	EXPECT_EQ(kv.exits, at_k + MORE_EXITS);
	/* ... and the two whose VMCSs were on CPU 1 now run on CPU 0. */
	runner_leg(&rmi, IDLE_EXITS, 0, 0, NULL, 0);
	runner_leg(&rki, IDLE_EXITS, 0, 0, NULL, 0);
	runner_wait(&rmi);
	runner_wait(&rki);

	/* CPU 1 comes back while the two run on CPU 0. */
	runner_leg(&rm, UINT64_MAX, 0, 0, NULL, 0);
	runner_leg(&rk, UINT64_MAX, 0, 0, NULL, 0);
	runner_wait_exits(&rm, chain_exits(&mv) + 100);
	runner_wait_exits(&rk, chain_exits(&kv) + 100);
	t0 = test_now();
	cpu1_set_online(1);
	test_diag("CPU 1 online in %.2f s", test_now() - t0);
	runner_extend(&rm, 0);
	runner_extend(&rk, 0);
	runner_wait(&rm);
	runner_wait(&rk);
	/* KVM's thread moves to CPU 1, minivisor's stays on CPU 0: 1,000 more. */
	runner_leg(&rm, MORE_EXITS, 0, 0, NULL, 0);
	runner_leg(&rk, MORE_EXITS, 1, 0, NULL, 0);
	runner_wait(&rm);
	runner_wait(&rk);
	/* The parked pair back on CPU 1. */
	runner_leg(&rmi, IDLE_EXITS, 1, 0, NULL, 0);
	runner_leg(&rki, IDLE_EXITS, 1, 0, NULL, 0);
	runner_wait(&rmi);
	runner_wait(&rki);
	runner_stop(&rm);
	runner_stop(&rk);
	runner_stop(&rmi);
	runner_stop(&rki);

	test_diag("CPU 1 went offline at exits %llu (minivisor) and %llu (kvm)",
		  (unsigned long long)at_m, (unsigned long long)at_k);
	chain_verify(&mv, chain_exits(&mv));
	chain_verify(&kv, chain_exits(&kv));
	EXPECT_GE(mv.exits, at_m + 2 * MORE_EXITS);
	EXPECT_GE(kv.exits, at_k + 2 * MORE_EXITS);
	chain_verify(&mvi, 3 * IDLE_EXITS);
	chain_verify(&kvi, 3 * IDLE_EXITS);
	EXPECT_EQ(rm.wrong_cpu + rk.wrong_cpu + rmi.wrong_cpu + rki.wrong_cpu, 0);
	EXPECT_EQ(rm.cpu_mask, 1);
	EXPECT_EQ(rk.cpu_mask, 3);
	EXPECT_EQ(rmi.cpu_mask, 3);
	EXPECT_EQ(rki.cpu_mask, 3);
	chain_destroy(&kvi);
	chain_destroy(&mvi);
	chain_destroy(&kv);
	chain_destroy(&mv);
	close(kvm);
	trouble = kmsg_scan(kmsg, match_trouble, NULL);
	EXPECT_EQ(trouble, 0);
	close(kmsg);
}

static const struct test_case tests[] = {
	{ "shared_kvm_alone_before", test_shared_kvm_alone_before, 0 },
	{ "owned_kvm_vm_blocks_minivisor_ebusy", test_owned_kvm_vm_blocks_minivisor, 0 },
	{ "owned_minivisor_works_after_kvm_vm_closed",
	  test_owned_minivisor_after_kvm_vm_closed, 0 },
	{ "owned_minivisor_vm_blocks_kvm", test_owned_minivisor_vm_blocks_kvm, 0 },
	{ "owned_kvm_works_after_minivisor_vm_closed",
	  test_owned_kvm_after_minivisor_vm_closed, 0 },
	{ "shared_same_cpu_10000_exits_each", test_shared_same_cpu, 0 },
	{ "shared_across_cpus_swapping", test_shared_across_cpus, 0 },
	{ "shared_rmmod_kvm_intel_refused", test_shared_rmmod_kvm_intel_refused, 0 },
	{ "shared_cpu1_offline_online", test_shared_cpu_offline_online, 0 },
	{ "shared_kvm_alone_after", test_shared_kvm_alone_after, 0 },
};

/* What the cases change for everyone: the mode and CPU 1 (a case may die midway). */
static void restore(void)
{
	char buf[8];
	int ret;

	if (saved_linger[0]) {
		ret = write_str(LINGER_PARAM, saved_linger);
		if (ret < 0)
			printf("# kvm_coexist: restoring vmx_share_linger_ms=%s: %s\n",
			       saved_linger, strerror(-ret));
	}
	if (saved_share[0]) {
		ret = write_str(VMX_SHARE_PARAM, saved_share);
		if (ret < 0)
			printf("# kvm_coexist: restoring vmx_share=%s: %s\n", saved_share,
			       strerror(-ret));
	}
	if (read_line(CPU1_ONLINE, buf, sizeof(buf)) == 0 && !strcmp(buf, "0")) {
		ret = write_str(CPU1_ONLINE, "1");
		printf("# kvm_coexist: CPU 1 was left offline; online again: %s\n",
		       ret < 0 ? strerror(-ret) : "ok");
	}
}

int main(int argc, char **argv)
{
	int ret;

	if (read_line(VMX_SHARE_PARAM, saved_share, sizeof(saved_share)) == 0)
		share_word(saved_share);
	else
		saved_share[0] = '\0';
	/*
	 * A short linger: the cases that wait for it to end by itself then
	 * wait 0.2 s, not the default 1 s (which costs much wall time in an
	 * emulated 2-CPU host). Put back at the end.
	 */
	if (read_line(LINGER_PARAM, saved_linger, sizeof(saved_linger)) == 0) {
		ret = write_str(LINGER_PARAM, TEST_LINGER_MS);
		if (ret < 0)
			printf("# kvm_coexist: vmx_share_linger_ms=%s: %s\n", TEST_LINGER_MS,
			       strerror(-ret));
	} else {
		saved_linger[0] = '\0';
	}
	/* Writing vmx_share ends a session the programs before left lingering. */
	if (saved_share[0])
		write_str(VMX_SHARE_PARAM, saved_share);
	ret = test_main(argc, argv, tests, ARRAY_SIZE(tests));
	restore();
	return ret;
}
