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
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/io.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
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
	if (kvm.sys_fd >= 0)
		per_exit(&kvm, kvm_r, kvm_t);

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
	return ret;
}
