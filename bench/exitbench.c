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
 * Output: one "bench: <exit> mv=<ticks> kvm=<ticks> ratio=<mv/kvm>" line per
 * exit kind; "kvm=n/a" when /dev/kvm is absent. Exit status 0 when every
 * minivisor figure was measured.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
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

struct loop {
	const char *name;
	const unsigned char *start, *end;
};

#define LOOP(n) { #n, bench_##n##_start, bench_##n##_end }
extern const unsigned char bench_base_start[], bench_base_end[];
extern const unsigned char bench_cpuid_start[], bench_cpuid_end[];
extern const unsigned char bench_pio_start[], bench_pio_end[];
extern const unsigned char bench_mmio_start[], bench_mmio_end[];

static const struct loop loops[] = {
	LOOP(base), LOOP(cpuid), LOOP(pio), LOOP(mmio),
};

/* One hypervisor behind a common interface: run the guest, get ticks. */
struct hv {
	const char *name;
	int (*measure)(struct hv *hv, const struct loop *l, uint64_t *ticks);
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

static int mv_measure(struct hv *hv, const struct loop *l, uint64_t *ticks)
{
	struct mv_memory_region r = { .memory_size = BENCH_MEM };
	struct mv_regs regs = { .rip = BENCH_LOAD, .rbp = BENCH_ITERS, .rflags = 2 };
	int vm, vcpu = -1, ret = -1;
	struct mv_sregs s;
	struct mv_run *run = MAP_FAILED;
	unsigned char *mem;

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
			perror("exitbench: MV_RUN");
			break;
		}
		if (run->exit_reason == MV_EXIT_IO && run->io.port == BENCH_RESULT_PORT) {
			uint32_t v;

			memcpy(&v, (char *)run + run->io.data_offset, 4);
			*ticks = v;
			ret = 0;
			continue;
		}
		if (run->exit_reason == MV_EXIT_IO || run->exit_reason == MV_EXIT_MMIO)
			continue;
		if (run->exit_reason != MV_EXIT_HLT)
			fprintf(stderr, "exitbench: minivisor: unexpected exit %u\n",
				run->exit_reason);
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
	munmap(mem, BENCH_MEM);
	return ret;
}

static int kvm_measure(struct hv *hv, const struct loop *l, uint64_t *ticks)
{
	struct kvm_userspace_memory_region r = { .memory_size = BENCH_MEM };
	struct kvm_regs regs = { .rip = BENCH_LOAD, .rbp = BENCH_ITERS, .rflags = 2 };
	int vm, vcpu = -1, ret = -1, run_size;
	struct kvm_sregs s;
	struct kvm_run *run = MAP_FAILED;
	unsigned char *mem;

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
			perror("exitbench: KVM_RUN");
			break;
		}
		if (run->exit_reason == KVM_EXIT_IO && run->io.port == BENCH_RESULT_PORT) {
			uint32_t v;

			memcpy(&v, (char *)run + run->io.data_offset, 4);
			*ticks = v;
			ret = 0;
			continue;
		}
		if (run->exit_reason == KVM_EXIT_IO || run->exit_reason == KVM_EXIT_MMIO)
			continue;
		if (run->exit_reason != KVM_EXIT_HLT)
			fprintf(stderr, "exitbench: kvm: unexpected exit %u\n", run->exit_reason);
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
	munmap(mem, BENCH_MEM);
	return ret;
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

/* Median of BENCH_REPEAT runs; 0 on failure. */
static uint64_t median_ticks(struct hv *hv, const struct loop *l)
{
	uint64_t t[BENCH_REPEAT];
	int i;

	for (i = 0; i < BENCH_REPEAT; i++)
		if (hv->measure(hv, l, &t[i]))
			return 0;
	qsort(t, BENCH_REPEAT, sizeof(t[0]), cmp_u64);
	return t[BENCH_REPEAT / 2];
}

/* Per-exit ticks for each loop after the first (the empty loop). */
static int per_exit(struct hv *hv, double *out)
{
	uint64_t base = median_ticks(hv, &loops[0]), t;
	size_t i;

	if (!base)
		return -1;
	for (i = 1; i < sizeof(loops) / sizeof(loops[0]); i++) {
		t = median_ticks(hv, &loops[i]);
		if (!t)
			return -1;
		out[i] = ((double)t - (double)base) / BENCH_ITERS;
	}
	return 0;
}

int main(void)
{
	struct hv mv = { .name = "minivisor", .measure = mv_measure };
	struct hv kvm = { .name = "kvm", .measure = kvm_measure };
	double mv_t[4] = {}, kvm_t[4] = {};
	int have_kvm;
	size_t i;

	mv.sys_fd = open("/dev/minivisor", O_RDWR | O_CLOEXEC);
	if (mv.sys_fd < 0) {
		perror("exitbench: /dev/minivisor (is minivisor.ko loaded?)");
		return 1;
	}
	if (per_exit(&mv, mv_t)) {
		fprintf(stderr, "exitbench: minivisor measurement failed\n");
		return 1;
	}
	close(mv.sys_fd);	/* VMX is free again for kvm_intel */

	kvm.sys_fd = open("/dev/kvm", O_RDWR | O_CLOEXEC);
	have_kvm = kvm.sys_fd >= 0 && !per_exit(&kvm, kvm_t);

	printf("bench: %d exits per run, median of %d runs, ticks per exit round trip\n",
	       BENCH_ITERS, BENCH_REPEAT);
	for (i = 1; i < sizeof(loops) / sizeof(loops[0]); i++) {
		if (have_kvm)
			printf("bench: %-6s mv=%.0f kvm=%.0f ratio=%.2f\n", loops[i].name,
			       mv_t[i], kvm_t[i], mv_t[i] / kvm_t[i]);
		else
			printf("bench: %-6s mv=%.0f kvm=n/a\n", loops[i].name, mv_t[i]);
	}
	return 0;
}
