// SPDX-License-Identifier: GPL-2.0
/*
 * exitbench: cost of one VM-exit round trip, minivisor and kvm-intel side by
 * side, with the same real-mode guest loops (bench_guests.S).
 *
 * The guest measures with RDTSC. In the emulated test host (Bochs, one CPU,
 * clock sync=none) the TSC counts emulated instructions, so the figures are
 * the length of each hypervisor's software path per exit, repeatable to the
 * tick; on silicon they are TSC cycles. Each figure is the median of
 * BENCH_REPEAT runs of BENCH_ITERS exits, minus the empty loop.
 *
 * Output: one line per exit kind,
 *   bench: <exit> mv=<ticks> kvm=<ticks> ratio=<mv/kvm>
 * where a column is "unhandled" when that hypervisor answered the exit with
 * an internal error (the reason follows after '#'), "failed" when the run
 * went wrong otherwise, and "n/a" when the hypervisor is absent. Exit status
 * 0 when every kind was measured or reported on both.
 *
 * exitbench --profile (make profile, only in the emulated host): instead of
 * timing, runs each loop once per hypervisor with one iteration between
 * Bochs magic breakpoints (see bench_guests.S), after writing the kernel's
 * text symbols from /proc/kallsyms to Bochs' port 0xe9 (port_e9_hack), where
 * they reach Bochs' stdout next to the instruction trace. Each run is
 * labelled on port 0xe9 too and reported on stdout as
 *   profile: run <exit> <mv|kvm> trace=<none|closed|aborted> status=<...>
 */
#define _GNU_SOURCE	/* pthread_timedjoin_np */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stddef.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/io.h>
#include <sys/ioctl.h>
#include <sys/klog.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <unistd.h>
#include <linux/kvm.h>
#include <linux/minivisor.h>

#define BENCH_ITERS		2000
#define BENCH_REPEAT		5
#define BENCH_MEM		0x10000
#define BENCH_LOAD		0x1000
#define BENCH_RESULT_PORT	0xf0
#define BENCH_FLAG_OFF		0x0ff0	/* see bench_guests.S */
#define PROFILE_ITERS		8	/* iterations of a profiled run... */
#define PROFILE_MARK		4	/* ...and the traced one (EBP value): the 5th */
#define E9_PORT			0xe9

struct loop {
	const char *name;
	const unsigned char *start, *end;
};

#define LOOP(n) { #n, bench_##n##_start, bench_##n##_end }
#define LOOP_DECL(n) extern const unsigned char bench_##n##_start[], bench_##n##_end[]
LOOP_DECL(base);
LOOP_DECL(cpuid);
LOOP_DECL(vmcall);
LOOP_DECL(pio);
LOOP_DECL(mmio);
LOOP_DECL(rdmsr);
LOOP_DECL(wrmsr);

static const struct loop loops[] = {
	LOOP(base), LOOP(cpuid), LOOP(vmcall), LOOP(pio), LOOP(mmio),
	LOOP(rdmsr), LOOP(wrmsr),
};
#define NLOOPS (sizeof(loops) / sizeof(loops[0]))

/* How one run of a guest loop ended. */
enum outcome { RUN_OK, RUN_UNHANDLED, RUN_FAILED };

struct run_result {
	enum outcome outcome;
	uint64_t ticks;		/* RUN_OK: what the guest reported */
	char why[96];		/* otherwise: what happened */
	unsigned char flag;	/* the guest's trace progress byte */
};

/* One hypervisor behind a common interface: run a loop, get its result. */
struct hv {
	const char *name;	/* "mv" or "kvm" */
	int (*run)(struct hv *hv, const struct loop *l, unsigned int iters,
		   unsigned int mark, struct run_result *res);
	int sys_fd;
	unsigned int owners;	/* mv: 1 << MV_CHECK_CAP(MV_CAP_VMX_OWNER) seen after MV_CREATE_VM */
};

static unsigned char *guest_mem(const struct loop *l)
{
	unsigned char *mem = mmap(NULL, BENCH_MEM, PROT_READ | PROT_WRITE,
				  MAP_SHARED | MAP_ANONYMOUS, -1, 0);

	if (mem == MAP_FAILED)
		return NULL;
	memcpy(mem + BENCH_LOAD, l->start, l->end - l->start);
	return mem;
}

__attribute__((format(printf, 3, 4)))
static void set_why(struct run_result *res, enum outcome o, const char *fmt, ...)
{
	va_list ap;

	res->outcome = o;
	va_start(ap, fmt);
	vsnprintf(res->why, sizeof(res->why), fmt, ap);
	va_end(ap);
}

static int mv_run(struct hv *hv, const struct loop *l, unsigned int iters,
		  unsigned int mark, struct run_result *res)
{
	struct mv_memory_region r = { .memory_size = BENCH_MEM };
	struct mv_regs regs = { .rip = BENCH_LOAD, .rbp = iters, .rdi = mark,
				.rflags = 2 };
	int vm, vcpu = -1, got = 0;
	struct mv_sregs s;
	struct mv_run *run = MAP_FAILED;
	unsigned char *mem;

	set_why(res, RUN_FAILED, "setup failed");
	mem = guest_mem(l);
	if (!mem)
		return -1;
	vm = ioctl(hv->sys_fd, MV_CREATE_VM, 0);
	if (vm < 0) {
		perror("exitbench: MV_CREATE_VM");
		goto out_mem;
	}
	/* Whose VMX operation this VM runs in (share_bench checks it). */
	got = ioctl(hv->sys_fd, MV_CHECK_CAP, MV_CAP_VMX_OWNER);
	hv->owners |= 1u << (got >= 0 && got < 8 ? got : 7);
	got = 0;
	r.userspace_addr = (uintptr_t)mem;
	if (!ioctl(vm, MV_SET_MEMORY_REGION, &r))
		vcpu = ioctl(vm, MV_CREATE_VCPU, 0);
	if (vcpu < 0) {
		perror("exitbench: minivisor setup");
		goto out_vm;
	}
	run = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, vcpu, 0);
	if (run == MAP_FAILED || ioctl(vcpu, MV_GET_SREGS, &s)) {
		perror("exitbench: minivisor vCPU");
		goto out_vcpu;
	}
	s.cs.selector = 0;
	s.cs.base = 0;
	if (ioctl(vcpu, MV_SET_SREGS, &s) || ioctl(vcpu, MV_SET_REGS, &regs)) {
		perror("exitbench: minivisor state");
		goto out_vcpu;
	}
	for (;;) {
		if (ioctl(vcpu, MV_RUN, 0)) {
			if (errno == EINTR)
				continue;
			set_why(res, RUN_FAILED, "MV_RUN: %s", strerror(errno));
			break;
		}
		if (run->exit_reason == MV_EXIT_IO && run->io.port == BENCH_RESULT_PORT) {
			uint32_t v;

			memcpy(&v, (char *)run + run->io.data_offset, 4);
			res->ticks = v;
			got = 1;
			continue;
		}
		if (run->exit_reason == MV_EXIT_IO || run->exit_reason == MV_EXIT_MMIO)
			continue;
		if (run->exit_reason == MV_EXIT_HLT) {
			if (got)
				res->outcome = RUN_OK;
			else
				set_why(res, RUN_FAILED, "halted without a result");
		} else if (run->exit_reason == MV_EXIT_INTERNAL_ERROR &&
			   run->internal.suberror == MV_INTERNAL_UNHANDLED_EXIT) {
			set_why(res, RUN_UNHANDLED,
				"internal error: unhandled exit reason %llu",
				(unsigned long long)(run->internal.ndata ?
						     run->internal.data[0] : ~0ull));
		} else if (run->exit_reason == MV_EXIT_INTERNAL_ERROR) {
			set_why(res, RUN_UNHANDLED, "internal error: suberror %u, data0 %#llx",
				run->internal.suberror,
				(unsigned long long)(run->internal.ndata ?
						     run->internal.data[0] : 0));
		} else {
			set_why(res, RUN_FAILED, "unexpected exit %u", run->exit_reason);
		}
		break;
	}
out_vcpu:
	/* The mapping holds the vCPU, and so the VM and VMX, alive. */
	if (run != MAP_FAILED)
		munmap(run, 4096);
	if (vcpu >= 0)
		close(vcpu);
out_vm:
	close(vm);
out_mem:
	res->flag = mem[BENCH_FLAG_OFF];
	munmap(mem, BENCH_MEM);
	return res->outcome == RUN_OK ? 0 : -1;
}

static int kvm_run(struct hv *hv, const struct loop *l, unsigned int iters,
		   unsigned int mark, struct run_result *res)
{
	struct kvm_userspace_memory_region r = { .memory_size = BENCH_MEM };
	struct kvm_regs regs = { .rip = BENCH_LOAD, .rbp = iters, .rdi = mark,
				 .rflags = 2 };
	int vm, vcpu = -1, run_size, got = 0;
	struct kvm_sregs s;
	struct kvm_run *run = MAP_FAILED;
	unsigned char *mem;

	set_why(res, RUN_FAILED, "setup failed");
	mem = guest_mem(l);
	if (!mem)
		return -1;
	vm = ioctl(hv->sys_fd, KVM_CREATE_VM, 0);
	if (vm < 0) {
		perror("exitbench: KVM_CREATE_VM");
		goto out_mem;
	}
	r.userspace_addr = (uintptr_t)mem;
	run_size = ioctl(hv->sys_fd, KVM_GET_VCPU_MMAP_SIZE, 0);
	if (ioctl(vm, KVM_SET_USER_MEMORY_REGION, &r) || run_size <= 0 ||
	    (vcpu = ioctl(vm, KVM_CREATE_VCPU, 0)) < 0) {
		perror("exitbench: kvm setup");
		goto out_vm;
	}
	run = mmap(NULL, run_size, PROT_READ | PROT_WRITE, MAP_SHARED, vcpu, 0);
	if (run == MAP_FAILED || ioctl(vcpu, KVM_GET_SREGS, &s)) {
		perror("exitbench: kvm vCPU");
		goto out_vcpu;
	}
	s.cs.selector = 0;
	s.cs.base = 0;
	if (ioctl(vcpu, KVM_SET_SREGS, &s) || ioctl(vcpu, KVM_SET_REGS, &regs)) {
		perror("exitbench: kvm state");
		goto out_vcpu;
	}
	for (;;) {
		if (ioctl(vcpu, KVM_RUN, 0)) {
			if (errno == EINTR)
				continue;
			set_why(res, RUN_FAILED, "KVM_RUN: %s", strerror(errno));
			break;
		}
		if (run->exit_reason == KVM_EXIT_IO && run->io.port == BENCH_RESULT_PORT) {
			uint32_t v;

			memcpy(&v, (char *)run + run->io.data_offset, 4);
			res->ticks = v;
			got = 1;
			continue;
		}
		if (run->exit_reason == KVM_EXIT_IO || run->exit_reason == KVM_EXIT_MMIO)
			continue;
		if (run->exit_reason == KVM_EXIT_HLT) {
			if (got)
				res->outcome = RUN_OK;
			else
				set_why(res, RUN_FAILED, "halted without a result");
		} else if (run->exit_reason == KVM_EXIT_INTERNAL_ERROR) {
			set_why(res, RUN_UNHANDLED, "internal error: suberror %u",
				run->internal.suberror);
		} else {
			set_why(res, RUN_FAILED, "unexpected exit %u", run->exit_reason);
		}
		break;
	}
out_vcpu:
	if (run != MAP_FAILED)
		munmap(run, run_size);
	if (vcpu >= 0)
		close(vcpu);
out_vm:
	close(vm);
out_mem:
	res->flag = mem[BENCH_FLAG_OFF];
	munmap(mem, BENCH_MEM);
	return res->outcome == RUN_OK ? 0 : -1;
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

/* Median of BENCH_REPEAT runs in res->ticks; the first failure otherwise. */
static void median_ticks(struct hv *hv, const struct loop *l, struct run_result *res)
{
	uint64_t t[BENCH_REPEAT];
	int i;

	for (i = 0; i < BENCH_REPEAT; i++) {
		if (hv->run(hv, l, BENCH_ITERS, 0, res))
			return;
		t[i] = res->ticks;
	}
	qsort(t, BENCH_REPEAT, sizeof(t[0]), cmp_u64);
	res->ticks = t[BENCH_REPEAT / 2];
}

/* Per-exit ticks for each loop after the first (the empty loop). */
static void per_exit(struct hv *hv, struct run_result *res, double *per)
{
	size_t i;

	median_ticks(hv, &loops[0], &res[0]);
	for (i = 1; i < NLOOPS; i++) {
		if (res[0].outcome != RUN_OK) {
			res[i] = res[0];
			continue;
		}
		median_ticks(hv, &loops[i], &res[i]);
		if (res[i].outcome == RUN_OK)
			per[i] = ((double)res[i].ticks - (double)res[0].ticks) / BENCH_ITERS;
	}
}

static const char *column(const struct run_result *r, const double *per, size_t i,
			  char *buf, size_t len)
{
	if (r->outcome == RUN_UNHANDLED)
		return "unhandled";
	if (r->outcome == RUN_FAILED)
		return "failed";
	snprintf(buf, len, "%.0f", per[i]);
	return buf;
}

/* ---- profile mode ---- */

static void e9_write(const char *s, size_t n)
{
	/* One OUTSB per byte: Bochs' port_e9_hack prints each to its stdout. */
	asm volatile("rep outsb" : "+S"(s), "+c"(n) : "d"(E9_PORT) : "memory");
}

/*
 * Access to port 0xe9 only while writing: a task with an I/O bitmap pays
 * for it on every return to userspace (native_tss_update_io_bitmap), which
 * would show up in the traced PIO and MMIO round trips. Dropping the last
 * port frees the bitmap.
 */
static int e9_puts(const char *s)
{
	if (ioperm(E9_PORT, 1, 1))
		return -1;
	e9_write(s, strlen(s));
	return ioperm(E9_PORT, 1, 0);
}

/* The text symbols of the running kernel and its modules, as root sees them. */
static int dump_kallsyms(void)
{
	char line[512], type;
	unsigned long n = 0;
	FILE *f = fopen("/proc/kallsyms", "r");

	if (!f) {
		perror("exitbench: /proc/kallsyms");
		return -1;
	}
	/* The caller enabled the port; profile() drops it afterwards. */
	e9_write("\nMVSYMS BEGIN\n", 14);
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, "%*s %c", &type) != 1)
			continue;
		if (type != 't' && type != 'T' && type != 'w' && type != 'W')
			continue;
		e9_write(line, strlen(line));
		n++;
	}
	e9_write("MVSYMS END\n", 11);
	fclose(f);
	printf("profile: %lu text symbols written to port 0xe9\n", n);
	return n ? 0 : -1;
}

static void profile_one(struct hv *hv, const struct loop *l)
{
	struct run_result res = { 0 };
	const char *trace, *status;
	char label[256];

	snprintf(label, sizeof(label), "\nMVPROF BEGIN %s %s\n", l->name, hv->name);
	e9_puts(label);
	hv->run(hv, l, PROFILE_ITERS, PROFILE_MARK, &res);
	if (res.flag == 1) {
		/*
		 * The guest stopped between its markers: close the trace here
		 * so the debugger script stays in step with the runs.
		 */
		asm volatile("xchg %%bx, %%bx" ::: "memory");
		trace = "aborted";
	} else {
		trace = res.flag == 2 ? "closed" : "none";
	}
	status = res.outcome == RUN_OK ? "ok" :
		 res.outcome == RUN_UNHANDLED ? "unhandled" : "failed";
	snprintf(label, sizeof(label), "\nMVPROF END %s %s trace=%s status=%s%s%s\n",
		 l->name, hv->name, trace, status, res.outcome == RUN_OK ? "" : " # ",
		 res.outcome == RUN_OK ? "" : res.why);
	e9_puts(label);
	/* The same line on the console, for the log. */
	printf("profile: run %s", label + strlen("\nMVPROF END "));
	fflush(stdout);
}

static int profile(struct hv *mv, struct hv *kvm)
{
	size_t i;

	if (ioperm(E9_PORT, 1, 1)) {
		perror("exitbench: ioperm(0xe9)");
		return 1;
	}
	/* With port_e9_hack, reading the port returns 0xe9. */
	if (inb(E9_PORT) != E9_PORT) {
		fprintf(stderr, "exitbench: Bochs' port 0xe9 hack is off (port_e9_hack: enabled=1)\n");
		return 1;
	}
	if (dump_kallsyms() || ioperm(E9_PORT, 1, 0))
		return 1;
	for (i = 1; i < NLOOPS; i++)
		profile_one(mv, &loops[i]);
	if (kvm->sys_fd < 0)
		printf("profile: kvm n/a\n");
	for (i = 1; kvm->sys_fd >= 0 && i < NLOOPS; i++)
		profile_one(kvm, &loops[i]);
	e9_puts("\nMVPROF DONE\n");
	printf("profile: done\n");
	return 0;
}

/* ---- local-APIC rows: ipi and lapic_timer (bench_apic in bench_guests.S) ---- */

#define APIC_ITERS		500
#define APIC_DONE_PORT		0xf2
#define APIC_MODE_IPI		1
#define APIC_MODE_TIMER		2
#define AP_SIPI_GPA		0x3000	/* STARTUP vector 0x03 */
#define APIC_WAIT_SECS		10	/* per vCPU thread, emulated time in Bochs */
#define CPUID_1_ECX_X2APIC	(1u << 21)
#define CPUID_1_ECX_TSC_DEADLINE (1u << 24)

/* bench_apic_x2 (x2APIC MSRs) and bench_apic_xa (xAPIC MMIO page), bench_guests.S */
extern const unsigned char bench_apic_x2_start[], bench_apic_x2_end[];
extern const unsigned char bench_ap_x2_start[], bench_ap_x2_end[];
extern const unsigned char bench_apic_xa_start[], bench_apic_xa_end[];
extern const unsigned char bench_ap_xa_start[], bench_ap_xa_end[];

struct apic_row {
	const char *name;
	int mode;
	unsigned int nvcpus;
	const unsigned char *start, *end;	/* vCPU 0's code, at BENCH_LOAD */
	const unsigned char *ap, *ap_end;	/* vCPU 1's trampoline, at AP_SIPI_GPA */
};

#define APIC_X2 bench_apic_x2_start, bench_apic_x2_end, bench_ap_x2_start, bench_ap_x2_end
#define APIC_XA bench_apic_xa_start, bench_apic_xa_end, bench_ap_xa_start, bench_ap_xa_end
static const struct apic_row apic_rows[] = {
	{ "ipi", APIC_MODE_IPI, 2, APIC_X2 },
	{ "lapic_timer", APIC_MODE_TIMER, 1, APIC_X2 },
	{ "ipi_xapic", APIC_MODE_IPI, 2, APIC_XA },
	{ "lapic_timer_xapic", APIC_MODE_TIMER, 1, APIC_XA },
};
#define NAPIC (sizeof(apic_rows) / sizeof(apic_rows[0]))

enum { APIC_OK, APIC_NA, APIC_FAILED };

struct apic_result {
	int outcome;
	double per;		/* ticks per iteration, median */
	double exits;		/* VM exits per iteration (last run), < 0: unknown */
	char exit_detail[200];	/* by reason (minivisor) or KVM's counters */
	char why[128];
};

/* One vCPU on its own thread, until the guest writes APIC_DONE_PORT. */
struct vcpu_thread {
	int is_kvm;
	int fd;
	void *run;
	pthread_t tid;
	int started;
	uint64_t vals[2];	/* BENCH_RESULT_PORT values: empty loop, then the operation */
	unsigned int nvals;
	int done;		/* wrote APIC_DONE_PORT */
	char why[96];		/* set when it stopped otherwise */
};

static int apic_stop;

static void sig_nop(int sig)
{
	(void)sig;
}

static void *vcpu_thread_main(void *arg)
{
	struct vcpu_thread *v = arg;

	for (;;) {
		unsigned int reason, port = 0, dir = 0, size = 0;
		unsigned char *data = NULL;
		int r = ioctl(v->fd, v->is_kvm ? KVM_RUN : MV_RUN, 0);

		if (r) {
			/*
			 * KVM_RUN of a vCPU in wait-for-SIPI returns EAGAIN once
			 * it took INIT/SIPI: run it again.
			 */
			if (v->is_kvm && errno == EAGAIN)
				continue;
			if (errno == EINTR && !__atomic_load_n(&apic_stop, __ATOMIC_ACQUIRE))
				continue;
			snprintf(v->why, sizeof(v->why), "%s: %s", v->is_kvm ? "KVM_RUN" : "MV_RUN",
				 errno == EINTR ? "stopped after the time limit" : strerror(errno));
			break;
		}
		if (v->is_kvm) {
			struct kvm_run *run = v->run;

			reason = run->exit_reason == KVM_EXIT_IO ? MV_EXIT_IO : ~0u;
			if (reason == MV_EXIT_IO) {
				port = run->io.port;
				dir = run->io.direction == KVM_EXIT_IO_OUT;
				size = run->io.size;
				data = (unsigned char *)run + run->io.data_offset;
			} else {
				reason = run->exit_reason;
				snprintf(v->why, sizeof(v->why), "unexpected KVM exit %u%s", reason,
					 reason == KVM_EXIT_INTERNAL_ERROR ? " (internal error)" : "");
			}
		} else {
			struct mv_run *run = v->run;

			reason = run->exit_reason;
			if (reason == MV_EXIT_IO) {
				port = run->io.port;
				dir = run->io.direction == MV_EXIT_IO_OUT;
				size = run->io.size;
				data = (unsigned char *)run + run->io.data_offset;
			} else if (reason == MV_EXIT_INTERNAL_ERROR) {
				snprintf(v->why, sizeof(v->why),
					 "internal error: suberror %u, data0 %#llx",
					 run->internal.suberror,
					 (unsigned long long)(run->internal.ndata ?
							      run->internal.data[0] : 0));
			} else {
				snprintf(v->why, sizeof(v->why), "unexpected exit %u", reason);
			}
		}
		if (reason != MV_EXIT_IO)
			break;
		if (dir && port == BENCH_RESULT_PORT && size == 4 && v->nvals < 2) {
			uint32_t t;

			memcpy(&t, data, 4);
			v->vals[v->nvals++] = t;
			continue;
		}
		if (dir && port == APIC_DONE_PORT) {
			v->done = 1;
			break;
		}
		snprintf(v->why, sizeof(v->why), "unexpected port I/O %#x (%s, %u bytes)",
			 port, dir ? "out" : "in", size);
		break;
	}
	return NULL;
}

/* Waits for a vCPU thread; after APIC_WAIT_SECS, signals it out of its ioctl. */
static void vcpu_thread_join(struct vcpu_thread *v)
{
	struct timespec ts;

	if (!v->started)
		return;
	clock_gettime(CLOCK_REALTIME, &ts);
	ts.tv_sec += APIC_WAIT_SECS;
	if (pthread_timedjoin_np(v->tid, NULL, &ts)) {
		__atomic_store_n(&apic_stop, 1, __ATOMIC_RELEASE);
		/* Repeat: a signal that lands between the check and the ioctl is lost. */
		do {
			pthread_kill(v->tid, SIGUSR1);
			clock_gettime(CLOCK_REALTIME, &ts);
			ts.tv_nsec += 100 * 1000 * 1000;
			if (ts.tv_nsec >= 1000 * 1000 * 1000) {
				ts.tv_sec++;
				ts.tv_nsec -= 1000 * 1000 * 1000;
			}
		} while (pthread_timedjoin_np(v->tid, NULL, &ts));
	}
	v->started = 0;
}

/* The count of "minivisor: VM of pid P exits: N: ..." lines, and the last one. */
static unsigned int mv_exit_log(char *last, size_t len)
{
	char key[64], *buf, *p, *e;
	unsigned int n = 0;
	int size = klogctl(10, NULL, 0), got;	/* SYSLOG_ACTION_SIZE_BUFFER */

	if (size <= 0)
		return 0;
	buf = malloc(size + 1);
	if (!buf)
		return 0;
	got = klogctl(3, buf, size);	/* SYSLOG_ACTION_READ_ALL */
	buf[got > 0 ? got : 0] = 0;
	snprintf(key, sizeof(key), "minivisor: VM of pid %d exits: ", (int)getpid());
	for (p = buf; (p = strstr(p, key)); p += strlen(key)) {
		n++;
		e = strchr(p, '\n');
		snprintf(last, len, "%.*s", (int)(e ? e - p : (ptrdiff_t)strlen(p)) -
			 (int)strlen(key), p + strlen(key));
	}
	free(buf);
	return n;
}

/* A VM's KVM debugfs counter (/sys/kernel/debug/kvm/PID-FD/NAME), -1 if absent. */
static long long kvm_stat(int vm, const char *name)
{
	char path[128];
	long long v = -1;
	FILE *f;

	snprintf(path, sizeof(path), "/sys/kernel/debug/kvm/%d-%d/%s", (int)getpid(), vm, name);
	f = fopen(path, "r");
	if (!f)
		return -1;
	if (fscanf(f, "%lld", &v) != 1)
		v = -1;
	fclose(f);
	return v;
}

static struct kvm_cpuid2 *kvm_cpuid;

/* The supported CPUID plus x2APIC and the TSC-deadline timer, which the irqchip emulates. */
static int kvm_cpuid_init(int sys_fd)
{
	unsigned int n = 64, i;

	for (;;) {
		kvm_cpuid = calloc(1, sizeof(*kvm_cpuid) + n * sizeof(kvm_cpuid->entries[0]));
		if (!kvm_cpuid)
			return -1;
		kvm_cpuid->nent = n;
		if (!ioctl(sys_fd, KVM_GET_SUPPORTED_CPUID, kvm_cpuid))
			break;
		free(kvm_cpuid);
		kvm_cpuid = NULL;
		if (errno != E2BIG || n >= 4096)
			return -1;
		n *= 2;
	}
	for (i = 0; i < kvm_cpuid->nent; i++)
		if (kvm_cpuid->entries[i].function == 1)
			kvm_cpuid->entries[i].ecx |= CPUID_1_ECX_X2APIC | CPUID_1_ECX_TSC_DEADLINE;
	return 0;
}

static unsigned char *apic_mem(const struct apic_row *row)
{
	unsigned char *mem = mmap(NULL, BENCH_MEM, PROT_READ | PROT_WRITE,
				  MAP_SHARED | MAP_ANONYMOUS, -1, 0);

	if (mem == MAP_FAILED)
		return NULL;
	memcpy(mem + BENCH_LOAD, row->start, row->end - row->start);
	memcpy(mem + AP_SIPI_GPA, row->ap, row->ap_end - row->ap);
	return mem;
}

/*
 * One run of a row: VM with an in-kernel LAPIC, nvcpus vCPUs each on its
 * thread (vCPU 1 waits for INIT/SIPI from vCPU 0's ICR on both hypervisors).
 * *per = ticks per iteration; *exits = VM exits in the whole run.
 */
static int apic_run_once(struct hv *hv, const struct apic_row *row, double *per,
			 long long *exits, char *detail, size_t dlen, char *why, size_t wlen)
{
	struct vcpu_thread v[2] = {};
	int is_kvm = !strcmp(hv->name, "kvm");
	size_t run_size = 4096;
	unsigned int i, nlog = 0;
	int vm, ok = 0;
	unsigned char *mem;
	char line[256] = "";

	*exits = -1;
	snprintf(why, wlen, "setup failed");
	mem = apic_mem(row);
	if (!mem)
		return -1;
	if (!is_kvm)
		nlog = mv_exit_log(line, sizeof(line));
	vm = ioctl(hv->sys_fd, is_kvm ? KVM_CREATE_VM : MV_CREATE_VM, 0);
	if (vm < 0) {
		snprintf(why, wlen, "create VM: %s", strerror(errno));
		goto out_mem;
	}
	if (is_kvm) {
		struct kvm_userspace_memory_region r = { .memory_size = BENCH_MEM,
							 .userspace_addr = (uintptr_t)mem };
		int sz = ioctl(hv->sys_fd, KVM_GET_VCPU_MMAP_SIZE, 0);

		if (ioctl(vm, KVM_CREATE_IRQCHIP, 0) || ioctl(vm, KVM_SET_USER_MEMORY_REGION, &r) ||
		    sz <= 0) {
			snprintf(why, wlen, "KVM_CREATE_IRQCHIP/memory: %s", strerror(errno));
			goto out_vm;
		}
		run_size = sz;
	} else {
		struct mv_memory_region r = { .memory_size = BENCH_MEM,
					      .userspace_addr = (uintptr_t)mem };
		struct mv_enable_cap cap = { .cap = MV_CAP_LAPIC };

		if (ioctl(vm, MV_ENABLE_CAP, &cap) || ioctl(vm, MV_SET_MEMORY_REGION, &r)) {
			snprintf(why, wlen, "MV_ENABLE_CAP(MV_CAP_LAPIC)/memory: %s", strerror(errno));
			goto out_vm;
		}
	}
	for (i = 0; i < row->nvcpus; i++) {
		v[i].is_kvm = is_kvm;
		v[i].run = MAP_FAILED;
		v[i].fd = ioctl(vm, is_kvm ? KVM_CREATE_VCPU : MV_CREATE_VCPU, i);
		if (v[i].fd < 0) {
			snprintf(why, wlen, "create vCPU %u: %s", i, strerror(errno));
			goto out_vcpus;
		}
		v[i].run = mmap(NULL, run_size, PROT_READ | PROT_WRITE, MAP_SHARED, v[i].fd, 0);
		if (v[i].run == MAP_FAILED ||
		    (is_kvm && ioctl(v[i].fd, KVM_SET_CPUID2, kvm_cpuid))) {
			snprintf(why, wlen, "vCPU %u run page/CPUID: %s", i, strerror(errno));
			goto out_vcpus;
		}
	}
	if (is_kvm) {
		struct kvm_regs regs = { .rip = BENCH_LOAD, .rbp = APIC_ITERS,
					 .rdi = row->mode, .rflags = 2 };
		struct kvm_sregs s;

		if (ioctl(v[0].fd, KVM_GET_SREGS, &s))
			goto out_state;
		s.cs.selector = 0;
		s.cs.base = 0;
		if (ioctl(v[0].fd, KVM_SET_SREGS, &s) || ioctl(v[0].fd, KVM_SET_REGS, &regs))
			goto out_state;
	} else {
		struct mv_regs regs = { .rip = BENCH_LOAD, .rbp = APIC_ITERS,
					.rdi = row->mode, .rflags = 2 };
		struct mv_sregs s;

		if (ioctl(v[0].fd, MV_GET_SREGS, &s))
			goto out_state;
		s.cs.selector = 0;
		s.cs.base = 0;
		if (ioctl(v[0].fd, MV_SET_SREGS, &s) || ioctl(v[0].fd, MV_SET_REGS, &regs))
			goto out_state;
	}
	__atomic_store_n(&apic_stop, 0, __ATOMIC_RELEASE);
	for (i = 0; i < row->nvcpus; i++) {
		if (pthread_create(&v[i].tid, NULL, vcpu_thread_main, &v[i])) {
			snprintf(why, wlen, "pthread_create failed");
			break;
		}
		v[i].started = 1;
	}
	/* vCPU 0 ends the run; vCPU 1 follows on V_QUIT, or is stopped. */
	for (i = 0; i < row->nvcpus; i++)
		vcpu_thread_join(&v[i]);
	for (i = 0; i < row->nvcpus; i++)
		if (!v[i].done) {
			snprintf(why, wlen, "vCPU %u: %s (results %u of 2)", i,
				 v[i].why[0] ? v[i].why : "did not start", v[0].nvals);
			goto out_vcpus;
		}
	if (v[0].nvals != 2) {
		snprintf(why, wlen, "vCPU 0 reported %u of 2 results", v[0].nvals);
		goto out_vcpus;
	}
	*per = ((double)v[0].vals[1] - (double)v[0].vals[0]) / APIC_ITERS;
	ok = 1;
	if (is_kvm) {
		*exits = kvm_stat(vm, "exits");
		snprintf(detail, dlen, "halt_exits %lld, irq_window_exits %lld, irq_exits %lld, "
			 "irq_injections %lld, halt_wakeup %lld",
			 kvm_stat(vm, "halt_exits"), kvm_stat(vm, "irq_window_exits"),
			 kvm_stat(vm, "irq_exits"), kvm_stat(vm, "irq_injections"),
			 kvm_stat(vm, "halt_wakeup"));
	}
	goto out_vcpus;
out_state:
	snprintf(why, wlen, "vCPU 0 state: %s", strerror(errno));
out_vcpus:
	for (i = 0; i < row->nvcpus; i++) {
		vcpu_thread_join(&v[i]);
		/* The mapping holds the vCPU, and so the VM, alive. */
		if (v[i].run && v[i].run != MAP_FAILED)
			munmap(v[i].run, run_size);
		if (v[i].fd > 0)
			close(v[i].fd);
	}
out_vm:
	close(vm);
	/* minivisor logs the VM's exit counts when it is destroyed, i.e. now. */
	if (ok && !is_kvm && mv_exit_log(line, sizeof(line)) > nlog) {
		char *colon = strchr(line, ':');

		*exits = atoll(line);
		snprintf(detail, dlen, "%s", colon ? colon + 2 : "");
	}
out_mem:
	munmap(mem, BENCH_MEM);
	return ok ? 0 : -1;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static void apic_measure(struct hv *hv, const struct apic_row *row, struct apic_result *res)
{
	double t[BENCH_REPEAT];
	long long exits = -1;
	int i;

	res->exits = -1;
	for (i = 0; i < BENCH_REPEAT; i++) {
		if (apic_run_once(hv, row, &t[i], &exits, res->exit_detail,
				  sizeof(res->exit_detail), res->why, sizeof(res->why))) {
			res->outcome = APIC_FAILED;
			return;
		}
	}
	qsort(t, BENCH_REPEAT, sizeof(t[0]), cmp_double);
	res->per = t[BENCH_REPEAT / 2];
	res->outcome = APIC_OK;
	if (exits >= 0)
		res->exits = (double)exits / APIC_ITERS;
}

/* A module parameter's first line, or "?". */
static const char *param(const char *path, char *buf, size_t len)
{
	FILE *f = fopen(path, "r");

	snprintf(buf, len, "?");
	if (f) {
		if (fgets(buf, len, f))
			buf[strcspn(buf, "\n")] = 0;
		fclose(f);
	}
	return buf;
}

/* ---- statistics overhead: the CPUID row again with parts of the statistics off ---- */

#define MV_PARAM_DIR "/sys/module/minivisor/parameters/"

static int set_param(const char *name, const char *val)
{
	char path[128];
	FILE *f;
	int r;

	snprintf(path, sizeof(path), MV_PARAM_DIR "%s", name);
	f = fopen(path, "w");
	if (!f)
		return -1;
	r = fputs(val, f) < 0;
	return fclose(f) || r ? -1 : 0;
}

/*
 * Ends a shared session minivisor keeps after its last VM (the module
 * parameter vmx_share_linger_ms; writing vmx_share ends it): its KVM VM,
 * created from this process, has KVM's debugfs directory "PID-FD" for an
 * fd number this process has freed and may give the next KVM VM, whose
 * counters would then be missing. Called before each KVM measurement.
 */
static void end_shared_linger(void)
{
	char sh[32];

	if (strcmp(param(MV_PARAM_DIR "vmx_share", sh, sizeof(sh)), "?"))
		set_param("vmx_share", sh);
}

/*
 * Each vCPU reads stats_histograms and flight_entries when it is created,
 * so every run below gets the configuration set before it. The default
 * (histograms on, 64-entry recorder) is the cpuid row above.
 */
static int stats_bench(struct hv *mv, const struct run_result *kvm_cpuid, double kvm_per,
		       int have_kvm, double mv_default)
{
	static const struct {
		const char *name, *on, *hist, *flight;
	} cfg[] = {
		{ "cpuid_stats_off", "N", "N", "0" },
		{ "cpuid_no_flight", "Y", "Y", "0" },
		{ "cpuid_hist_off", "Y", "N", "64" },
	};
	char olds[16], oldh[16], oldf[16], a[32], kb[32], ratio[32], pct[32];
	double off = 0;
	struct run_result base, r;
	double per;
	size_t i;
	int ret = 0;

	param(MV_PARAM_DIR "stats", olds, sizeof(olds));
	param(MV_PARAM_DIR "stats_histograms", oldh, sizeof(oldh));
	param(MV_PARAM_DIR "flight_entries", oldf, sizeof(oldf));
	for (i = 0; i < sizeof(cfg) / sizeof(cfg[0]); i++) {
		if (set_param("stats", cfg[i].on) || set_param("stats_histograms", cfg[i].hist) ||
		    set_param("flight_entries", cfg[i].flight)) {
			printf("bench: %-6s mv=n/a kvm=n/a ratio=n/a # cannot set %sstats_histograms\n",
			       cfg[i].name, MV_PARAM_DIR);
			continue;
		}
		median_ticks(mv, &loops[0], &base);
		median_ticks(mv, &loops[1], &r);
		if (base.outcome != RUN_OK || r.outcome != RUN_OK) {
			printf("bench: %-6s mv=failed kvm=n/a ratio=n/a # minivisor: %s\n",
			       cfg[i].name, base.outcome != RUN_OK ? base.why : r.why);
			ret = 1;
			continue;
		}
		per = ((double)r.ticks - (double)base.ticks) / BENCH_ITERS;
		snprintf(a, sizeof(a), "%.0f", per);
		snprintf(ratio, sizeof(ratio), "n/a");
		if (have_kvm && kvm_cpuid->outcome == RUN_OK && kvm_per > 0)
			snprintf(ratio, sizeof(ratio), "%.2f", per / kvm_per);
		if (i == 0)
			off = per;
		snprintf(kb, sizeof(kb), "%.0f", kvm_per);
		printf("bench: %-6s mv=%s kvm=%s ratio=%s\n", cfg[i].name, a,
		       have_kvm && kvm_cpuid->outcome == RUN_OK ? kb : "n/a", ratio);
		snprintf(pct, sizeof(pct), "%+.1f%%", off > 0 ? (per / off - 1) * 100 : 0);
		printf("bench: note: %s: stats=%s stats_histograms=%s flight_entries=%s: %s ticks, "
		       "%s against statistics off\n", cfg[i].name, cfg[i].on, cfg[i].hist,
		       cfg[i].flight, a, pct);
	}
	if (off > 0)
		printf("bench: note: the cpuid row (defaults: statistics, histograms, 64-entry flight "
		       "recorder) costs %+.1f%% (%+.0f ticks) against statistics off\n",
		       (mv_default / off - 1) * 100, mv_default - off);
	set_param("stats", olds);
	set_param("stats_histograms", oldh);
	set_param("flight_entries", oldf);
	return ret;
}

static int apic_bench(struct hv *mv, struct hv *kvm)
{
	struct apic_result mv_r[NAPIC] = {}, kvm_r[NAPIC] = {};
	long lapic = ioctl(mv->sys_fd, MV_CHECK_CAP, MV_CAP_LAPIC);
	int have_kvm = kvm->sys_fd >= 0, ret = 0, kvm_ok = 0;
	struct sigaction sa = { .sa_handler = sig_nop };
	char b1[32], b2[32], b3[32], b4[32];
	size_t i;

	sigaction(SIGUSR1, &sa, NULL);	/* no SA_RESTART: it ends a blocked MV_RUN/KVM_RUN */
	if (have_kvm) {
		if (ioctl(kvm->sys_fd, KVM_CHECK_EXTENSION, KVM_CAP_IRQCHIP) <= 0)
			snprintf(kvm_r[0].why, sizeof(kvm_r[0].why), "no KVM_CAP_IRQCHIP");
		else if (ioctl(kvm->sys_fd, KVM_CHECK_EXTENSION, KVM_CAP_TSC_DEADLINE_TIMER) <= 0)
			snprintf(kvm_r[0].why, sizeof(kvm_r[0].why), "no KVM_CAP_TSC_DEADLINE_TIMER");
		else if (kvm_cpuid_init(kvm->sys_fd))
			snprintf(kvm_r[0].why, sizeof(kvm_r[0].why), "KVM_GET_SUPPORTED_CPUID: %s",
				 strerror(errno));
		else
			kvm_ok = 1;
		/* KVM's per-VM exit counters live in debugfs. */
		if (access("/sys/kernel/debug/kvm", F_OK))
			mount("debugfs", "/sys/kernel/debug", "debugfs", 0, NULL);
	}
	for (i = 0; i < NAPIC; i++) {
		if (lapic < 0 || !(lapic & MV_LAPIC_X2APIC)) {
			mv_r[i].outcome = APIC_NA;
			snprintf(mv_r[i].why, sizeof(mv_r[i].why),
				 "no in-kernel x2APIC (MV_CHECK_CAP(MV_CAP_LAPIC) = %ld)", lapic);
		} else {
			apic_measure(mv, &apic_rows[i], &mv_r[i]);
		}
		if (!have_kvm) {
			kvm_r[i].outcome = APIC_NA;
			snprintf(kvm_r[i].why, sizeof(kvm_r[i].why), "no /dev/kvm");
		} else if (!kvm_ok) {
			kvm_r[i].outcome = APIC_NA;
			snprintf(kvm_r[i].why, sizeof(kvm_r[i].why), "%s", kvm_r[0].why);
		} else {
			end_shared_linger();
			apic_measure(kvm, &apic_rows[i], &kvm_r[i]);
		}
	}
	for (i = 0; i < NAPIC; i++) {
		char a[32], b[32], ratio[32] = "n/a", why[320] = "";
		const struct apic_result *m = &mv_r[i], *k = &kvm_r[i];

		snprintf(a, sizeof(a), "%.0f", m->per);
		snprintf(b, sizeof(b), "%.0f", k->per);
		if (m->outcome == APIC_OK && k->outcome == APIC_OK && k->per > 0)
			snprintf(ratio, sizeof(ratio), "%.2f", m->per / k->per);
		if (m->outcome != APIC_OK)
			snprintf(why, sizeof(why), " # minivisor: %s", m->why);
		if (k->outcome != APIC_OK && k->why[0])
			snprintf(why + strlen(why), sizeof(why) - strlen(why), "%s kvm: %s",
				 *why ? ";" : " #", k->why);
		printf("bench: %-6s mv=%s kvm=%s ratio=%s%s\n", apic_rows[i].name,
		       m->outcome == APIC_OK ? a : m->outcome == APIC_NA ? "n/a" : "failed",
		       k->outcome == APIC_OK ? b : k->outcome == APIC_NA ? "n/a" : "failed",
		       ratio, why);
		if (m->outcome == APIC_FAILED || k->outcome == APIC_FAILED)
			ret = 1;
	}
	printf("bench: note: interrupt rows: %d iterations per run, median of %d runs, ticks per "
	       "iteration minus the empty loop; ipi = one round trip vCPU 0 -> vCPU 1 -> vCPU 0 "
	       "(fixed IPIs, both handlers EOI), lapic_timer = one TSC-deadline interrupt "
	       "(deadline in the past) taken from STI; HLT; plain rows use the x2APIC MSRs, "
	       "_xapic rows the xAPIC MMIO page (real mode with a 4-GiB DS)\n",
	       APIC_ITERS, BENCH_REPEAT);
	printf("bench: note: each vCPU runs on its own thread; with 1 host CPU the threads "
	       "time-share it, so ipi includes the host's wake-ups and context switches "
	       "on both sides\n");
	printf("bench: note: kvm irqchip: full in-kernel (KVM_CREATE_IRQCHIP), enable_apicv=%s, "
	       "preemption_timer=%s, halt_poll_ns=%s; minivisor: MV_CAP_LAPIC = %#lx (APICv %s), "
	       "halt_poll_ns=%s\n",
	       param("/sys/module/kvm_intel/parameters/enable_apicv", b1, sizeof(b1)),
	       param("/sys/module/kvm_intel/parameters/preemption_timer", b2, sizeof(b2)),
	       param("/sys/module/kvm/parameters/halt_poll_ns", b3, sizeof(b3)),
	       lapic, lapic > 0 && (lapic & MV_LAPIC_APICV) ? "on" : "off",
	       param("/sys/module/minivisor/parameters/halt_poll_ns", b4, sizeof(b4)));
	for (i = 0; i < NAPIC; i++) {
		char a[32] = "?", b[32] = "?";

		if (mv_r[i].exits >= 0)
			snprintf(a, sizeof(a), "%.2f", mv_r[i].exits);
		if (kvm_r[i].exits >= 0)
			snprintf(b, sizeof(b), "%.2f", kvm_r[i].exits);
		printf("bench: note: %s exits per iteration (whole last run / %d): mv=%s kvm=%s"
		       " # mv: %s; kvm: %s\n", apic_rows[i].name, APIC_ITERS,
		       mv_r[i].outcome == APIC_OK ? a : "-", kvm_r[i].outcome == APIC_OK ? b : "-",
		       mv_r[i].exit_detail[0] ? mv_r[i].exit_detail : "-",
		       kvm_r[i].exit_detail[0] ? kvm_r[i].exit_detail : "-");
	}
	return ret;
}

/* ---- minivisor's own VMX operation vs kvm_intel's, shared (module parameter vmx_share) ---- */

/* A KVM VM whose one vCPU has run once (to a HLT exit) and stays open. */
struct kvm_hold {
	int vm, vcpu;
	void *run;
	int run_size;
	unsigned char *mem;
};

static void kvm_hold_close(struct kvm_hold *h)
{
	if (h->run && h->run != MAP_FAILED)
		munmap(h->run, h->run_size);
	if (h->vcpu >= 0)
		close(h->vcpu);
	if (h->vm >= 0)
		close(h->vm);
	if (h->mem && h->mem != MAP_FAILED)
		munmap(h->mem, BENCH_MEM);
	memset(h, 0, sizeof(*h));
	h->vm = h->vcpu = -1;
}

/*
 * KVM_RUN once leaves the vCPU's VMCS current on this CPU: KVM's vcpu_put
 * does not VMCLEAR it, only destroying the vCPU (or migrating it) does.
 * The emulated host has one CPU, so minivisor's vCPUs then run on the CPU
 * where KVM's VMCS is current.
 */
static int kvm_hold_open(int kvm_fd, struct kvm_hold *h, char *why, size_t wlen)
{
	struct kvm_userspace_memory_region r = { .memory_size = BENCH_MEM };
	struct kvm_regs regs = { .rip = BENCH_LOAD, .rflags = 2 };
	struct kvm_run *run;
	struct kvm_sregs s;

	memset(h, 0, sizeof(*h));
	h->vm = h->vcpu = -1;
	h->mem = mmap(NULL, BENCH_MEM, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (h->mem == MAP_FAILED) {
		snprintf(why, wlen, "kvm VM held open: mmap: %s", strerror(errno));
		goto fail;
	}
	h->mem[BENCH_LOAD] = 0xf4;	/* HLT */
	r.userspace_addr = (uintptr_t)h->mem;
	h->vm = ioctl(kvm_fd, KVM_CREATE_VM, 0);
	h->run_size = ioctl(kvm_fd, KVM_GET_VCPU_MMAP_SIZE, 0);
	if (h->vm < 0 || h->run_size <= 0 || ioctl(h->vm, KVM_SET_USER_MEMORY_REGION, &r) ||
	    (h->vcpu = ioctl(h->vm, KVM_CREATE_VCPU, 0)) < 0) {
		snprintf(why, wlen, "kvm VM held open: setup: %s", strerror(errno));
		goto fail;
	}
	h->run = mmap(NULL, h->run_size, PROT_READ | PROT_WRITE, MAP_SHARED, h->vcpu, 0);
	if (h->run == MAP_FAILED || ioctl(h->vcpu, KVM_GET_SREGS, &s)) {
		snprintf(why, wlen, "kvm VM held open: vCPU: %s", strerror(errno));
		goto fail;
	}
	s.cs.selector = 0;
	s.cs.base = 0;
	if (ioctl(h->vcpu, KVM_SET_SREGS, &s) || ioctl(h->vcpu, KVM_SET_REGS, &regs) ||
	    ioctl(h->vcpu, KVM_RUN, 0)) {
		snprintf(why, wlen, "kvm VM held open: state/KVM_RUN: %s", strerror(errno));
		goto fail;
	}
	run = h->run;
	if (run->exit_reason != KVM_EXIT_HLT) {
		snprintf(why, wlen, "kvm VM held open: KVM_RUN exit %u, not HLT", run->exit_reason);
		goto fail;
	}
	return 0;
fail:
	kvm_hold_close(h);
	return -1;
}

static const char *owner_name(unsigned int owners, char *buf, size_t len)
{
	static const char * const names[8] = { "none", "self", "kvm", "3", "4", "5", "6", "error" };
	size_t n = 0;
	int i;

	buf[0] = 0;
	for (i = 0; i < 8; i++)
		if (owners & (1u << i))
			n += snprintf(buf + n, n < len ? len - n : 0, "%s%s", n ? "+" : "", names[i]);
	if (!owners)
		snprintf(buf, len, "?");
	return buf;
}

enum { MODE_OWNED, MODE_SHARED, MODE_SHARED_KVM, NMODES };

/* loops[] rows measured in each mode: cpuid, vmcall, pio, mmio. */
static const size_t mode_loops[] = { 1, 2, 3, 4 };
#define NMODE_LOOPS (sizeof(mode_loops) / sizeof(mode_loops[0]))

/*
 * The in-kernel CPUID and VMCALL rows and the userspace PIO and MMIO rows
 * again, in three modes (vmx_share is read when minivisor's first VM is
 * created, and each run's VM is its only one):
 *   owned       vmx_share=self: minivisor's own VMXON (6.1's KVM has VMX
 *               off while it has no VMs; after the rows above it has none);
 *   shared      vmx_share=kvm, no KVM vCPU exists: no foreign VMCS current,
 *               ours stays current across exits;
 *   shared_kvm  vmx_share=kvm with a KVM VM whose vCPU has run held open:
 *               KVM's VMCS is current, ours only inside interrupt-off windows.
 * MV_CHECK_CAP(MV_CAP_VMX_OWNER) after each MV_CREATE_VM says which mode a
 * run really got; a run in another mode than asked fails the bench.
 */
static int share_bench(struct hv *mv, struct hv *kvm)
{
	static const struct {
		const char *name, *param;
		unsigned int owner;
		int hold;
	} mode[NMODES] = {
		{ "owned", "self", MV_VMX_OWNER_SELF, 0 },
		{ "shared", "kvm", MV_VMX_OWNER_KVM, 0 },
		{ "shared_kvm", "kvm", MV_VMX_OWNER_KVM, 1 },
	};
	struct run_result base, r;
	double per[NMODES][NMODE_LOOPS] = {};
	int ok[NMODES][NMODE_LOOPS] = {};
	char why[NMODES][160] = {}, got[NMODES][32] = {}, old[16];
	const char *cellv[NMODES][NMODE_LOOPS];
	char cellbuf[NMODES][NMODE_LOOPS][32];
	int ret = 0;
	size_t m, i;

	param(MV_PARAM_DIR "vmx_share", old, sizeof(old));
	for (m = 0; m < NMODES; m++) {
		struct kvm_hold h = { .vm = -1, .vcpu = -1 };

		for (i = 0; i < NMODE_LOOPS; i++)
			cellv[m][i] = "n/a";
		snprintf(got[m], sizeof(got[m]), "-");
		if (mode[m].hold && kvm->sys_fd < 0) {
			snprintf(why[m], sizeof(why[m]), "no /dev/kvm");
			continue;
		}
		if (mode[m].hold && kvm_hold_open(kvm->sys_fd, &h, why[m], sizeof(why[m]))) {
			for (i = 0; i < NMODE_LOOPS; i++)
				cellv[m][i] = "failed";
			ret = 1;
			continue;
		}
		if (set_param("vmx_share", mode[m].param)) {
			snprintf(why[m], sizeof(why[m]), "cannot write %s to %svmx_share",
				 mode[m].param, MV_PARAM_DIR);
			kvm_hold_close(&h);
			continue;
		}
		mv->owners = 0;
		median_ticks(mv, &loops[0], &base);
		for (i = 0; i < NMODE_LOOPS; i++) {
			if (base.outcome != RUN_OK) {
				r = base;
			} else {
				median_ticks(mv, &loops[mode_loops[i]], &r);
			}
			if (r.outcome != RUN_OK) {
				cellv[m][i] = r.outcome == RUN_UNHANDLED ? "unhandled" : "failed";
				if (!why[m][0])
					snprintf(why[m], sizeof(why[m]), "%s: %s",
						 loops[mode_loops[i]].name, r.why);
				ret = 1;
				continue;
			}
			per[m][i] = ((double)r.ticks - (double)base.ticks) / BENCH_ITERS;
			ok[m][i] = 1;
			snprintf(cellbuf[m][i], sizeof(cellbuf[m][i]), "%.0f", per[m][i]);
			cellv[m][i] = cellbuf[m][i];
		}
		kvm_hold_close(&h);
		owner_name(mv->owners, got[m], sizeof(got[m]));
		if (mv->owners && mv->owners != 1u << mode[m].owner) {
			/* Measured, but not in the mode asked for: no figure. */
			for (i = 0; i < NMODE_LOOPS; i++) {
				ok[m][i] = 0;
				cellv[m][i] = "wrong-mode";
			}
			snprintf(why[m], sizeof(why[m]), "vmx_share=%s gave MV_CAP_VMX_OWNER %s",
				 mode[m].param, got[m]);
			ret = 1;
		}
	}
	set_param("vmx_share", strcmp(old, "?") ? old : "auto");

	for (i = 0; i < NMODE_LOOPS; i++) {
		char r1[32] = "n/a", r2[32] = "n/a", c[640] = "";

		if (ok[MODE_OWNED][i] && ok[MODE_SHARED][i] && per[MODE_OWNED][i] > 0)
			snprintf(r1, sizeof(r1), "%.2f", per[MODE_SHARED][i] / per[MODE_OWNED][i]);
		if (ok[MODE_OWNED][i] && ok[MODE_SHARED_KVM][i] && per[MODE_OWNED][i] > 0)
			snprintf(r2, sizeof(r2), "%.2f", per[MODE_SHARED_KVM][i] / per[MODE_OWNED][i]);
		for (m = 0; m < NMODES; m++)
			if (!ok[m][i] && why[m][0])
				snprintf(c + strlen(c), sizeof(c) - strlen(c), "%s %s: %s",
					 *c ? ";" : " #", mode[m].name, why[m]);
		printf("bench-mode: %-6s owned=%s shared=%s shared_kvm=%s shared/owned=%s "
		       "shared_kvm/owned=%s%s\n", loops[mode_loops[i]].name,
		       cellv[MODE_OWNED][i], cellv[MODE_SHARED][i], cellv[MODE_SHARED_KVM][i],
		       r1, r2, c);
	}
	printf("bench-mode: owner owned=%s shared=%s shared_kvm=%s\n",
	       got[MODE_OWNED], got[MODE_SHARED], got[MODE_SHARED_KVM]);
	printf("bench-mode: note: vmx_share=self, kvm, and kvm with a KVM VM held open whose one "
	       "vCPU ran to HLT (its VMCS current on the host's one CPU); owner = "
	       "MV_CHECK_CAP(MV_CAP_VMX_OWNER) after each MV_CREATE_VM; %d exits per run, median "
	       "of %d runs minus the empty loop, in the same mode; vmx_share put back to %s\n",
	       BENCH_ITERS, BENCH_REPEAT, strcmp(old, "?") ? old : "auto");
	return ret;
}

int main(int argc, char **argv)
{
	struct hv mv = { .name = "mv", .run = mv_run, .sys_fd = -1 };
	struct hv kvm = { .name = "kvm", .run = kvm_run, .sys_fd = -1 };
	struct run_result mv_r[NLOOPS] = {}, kvm_r[NLOOPS] = {};
	double mv_t[NLOOPS] = {}, kvm_t[NLOOPS] = {};
	int profiling = argc > 1 && !strcmp(argv[1], "--profile");
	int ret = 0;
	size_t i;

	if (argc > 1 && !profiling) {
		fprintf(stderr, "usage: %s [--profile]\n", argv[0]);
		return 2;
	}
	mv.sys_fd = open("/dev/minivisor", O_RDWR | O_CLOEXEC);
	if (mv.sys_fd < 0) {
		perror("exitbench: /dev/minivisor (is minivisor.ko loaded?)");
		return 1;
	}
	/* Both fds may stay open: each turns VMX on only while it has VMs. */
	kvm.sys_fd = open("/dev/kvm", O_RDWR | O_CLOEXEC);
	if (profiling)
		return profile(&mv, &kvm);

	per_exit(&mv, mv_r, mv_t);
	if (kvm.sys_fd >= 0) {
		end_shared_linger();
		per_exit(&kvm, kvm_r, kvm_t);
	}

	printf("bench: %d exits per run, median of %d runs, ticks per exit round trip\n",
	       BENCH_ITERS, BENCH_REPEAT);
	for (i = 1; i < NLOOPS; i++) {
		char a[32], b[32], ratio[32] = "n/a", why[256] = "";
		const char *mvc = column(&mv_r[i], mv_t, i, a, sizeof(a));
		const char *kvc = kvm.sys_fd < 0 ? "n/a" : column(&kvm_r[i], kvm_t, i, b, sizeof(b));

		if (mv_r[i].outcome == RUN_OK && kvm.sys_fd >= 0 &&
		    kvm_r[i].outcome == RUN_OK && kvm_t[i] > 0)
			snprintf(ratio, sizeof(ratio), "%.2f", mv_t[i] / kvm_t[i]);
		if (mv_r[i].outcome != RUN_OK)
			snprintf(why, sizeof(why), " # minivisor: %s", mv_r[i].why);
		if (kvm.sys_fd >= 0 && kvm_r[i].outcome != RUN_OK)
			snprintf(why + strlen(why), sizeof(why) - strlen(why),
				 "%s kvm: %s", *why ? ";" : " #", kvm_r[i].why);
		printf("bench: %-6s mv=%s kvm=%s ratio=%s%s\n", loops[i].name, mvc, kvc,
		       ratio, why);
		if (mv_r[i].outcome == RUN_FAILED ||
		    (kvm.sys_fd >= 0 && kvm_r[i].outcome == RUN_FAILED))
			ret = 1;
	}
	{
		char own[32], sh[16];

		printf("bench: note: minivisor's rows ran in VMX operation: %s (MV_CHECK_CAP("
		       "MV_CAP_VMX_OWNER) after each MV_CREATE_VM: self = its own VMXON, kvm = "
		       "kvm_intel's, shared), module parameter vmx_share=%s\n",
		       owner_name(mv.owners, own, sizeof(own)),
		       param(MV_PARAM_DIR "vmx_share", sh, sizeof(sh)));
	}
	if (stats_bench(&mv, &kvm_r[1], kvm_t[1], kvm.sys_fd >= 0, mv_t[1]))
		ret = 1;
	if (apic_bench(&mv, &kvm))
		ret = 1;
	if (share_bench(&mv, &kvm))
		ret = 1;
	return ret;
}
