// SPDX-License-Identifier: GPL-2.0
/*
 * Object lifetimes: many create/run/destroy cycles must not leak kernel
 * memory, file descriptors or mappings; many vCPUs in one VM; a VM whose fd
 * is closed lives on through its vCPU.
 */
#include <dirent.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include "test_harness.h"
#include "test_util.h"
#include "vm.h"

#define CYCLES			1000
#define WARMUP_CYCLES		50
/*
 * Allowed drop of MemAvailable and growth of Slab between the sample after
 * the warm-up and the one at the end (each sample after RCU-deferred frees
 * settled and clean caches were dropped). Measured in the emulated host
 * (Bochs, 6.1 cloud kernel), one CPU and two: 0 to 36 KiB over 950 VM cycles
 * and over 512 vCPUs. A leak of one kmalloc-2k object per cycle (struct
 * mv_vm is about 1.4 KB) is 1900 KiB over 950 cycles, one page per vCPU
 * (a VMCS, its run page) 2048 KiB over 512 vCPUs: both far above the bound,
 * the noise far below it.
 */
#define LEAK_BOUND_KIB		256

#define MANY_VCPUS_LIMIT	64
/* vCPUs created, run and closed after the warm-up round, across VMs. */
#define MANY_VCPUS_MEASURED	512

struct usage {
	long mem_available_kib;
	long slab_kib;
	long sunreclaim_kib;
	long fds;
	long maps;
};

static long count_fds(void)
{
	DIR *d = opendir("/proc/self/fd");
	struct dirent *e;
	long n = 0;

	if (!d)
		TEST_FAIL("open /proc/self/fd: %s", strerror(errno));
	while ((e = readdir(d)))
		if (e->d_name[0] != '.')
			n++;
	closedir(d);
	return n - 1;	/* the directory's own fd */
}

static long count_maps(void)
{
	FILE *f = fopen("/proc/self/maps", "r");
	long n = 0;
	int c;

	if (!f)
		TEST_FAIL("open /proc/self/maps: %s", strerror(errno));
	while ((c = fgetc(f)) != EOF)
		n += c == '\n';
	fclose(f);
	return n;
}

/*
 * The leak bounds are the 1-CPU boot's to prove, with every cycle and vCPU.
 * With several CPUs every VM and vCPU teardown waits for RCU grace periods,
 * and Bochs emulates two CPUs at about a tenth of real time: in make check's
 * 2-CPU boot a VM cycle took 0.2 s of wall time (1,000 cycles would be over
 * three minutes) and each memory sample (settle_memory()) six seconds. So
 * there both cases run a few cycles and vCPUs (each VM cycle still turns
 * VMX on and off on both CPUs while minivisor owns it) and check the file
 * descriptors and mappings exactly, but measure no memory: the 2-CPU leak
 * bound is smp's create_run_destroy_200_cycles_both_cpus (testing.md,
 * "Two CPUs").
 */
#define SMP_CYCLES		20
#define SMP_VCPU_ROUNDS		2

static bool one_cpu(void)
{
	return sysconf(_SC_NPROCESSORS_ONLN) <= 1;
}

/* memory: also MemAvailable, Slab and SUnreclaim (after settle_memory()). */
static void sample(struct usage *u, bool memory)
{
	memset(u, 0, sizeof(*u));
	if (memory) {
		settle_memory();
		u->mem_available_kib = meminfo_kib("MemAvailable");
		u->slab_kib = meminfo_kib("Slab");
		u->sunreclaim_kib = meminfo_kib("SUnreclaim");
	}
	u->fds = count_fds();
	u->maps = count_maps();
}

static void check_growth(const char *what, const struct usage *a, const struct usage *b,
			 bool memory)
{
	long avail_drop = a->mem_available_kib - b->mem_available_kib;
	long slab_growth = b->slab_kib - a->slab_kib;

	if (memory)
		test_diag("%s: MemAvailable %ld -> %ld KiB (drop %ld), Slab %ld -> %ld KiB "
			  "(growth %ld), SUnreclaim %ld -> %ld KiB; bound %d KiB", what,
			  a->mem_available_kib, b->mem_available_kib, avail_drop, a->slab_kib,
			  b->slab_kib, slab_growth, a->sunreclaim_kib, b->sunreclaim_kib,
			  LEAK_BOUND_KIB);
	else
		test_diag("%s: memory not measured with %ld CPUs (the 1-CPU boot's leak bound)",
			  what, sysconf(_SC_NPROCESSORS_ONLN));
	test_diag("%s: fds %ld -> %ld, mappings %ld -> %ld", what, a->fds, b->fds, a->maps,
		  b->maps);
	if (memory) {
		EXPECT_LT(avail_drop, LEAK_BOUND_KIB);
		EXPECT_LT(slab_growth, LEAK_BOUND_KIB);
	}
	EXPECT_EQ(b->fds, a->fds);
	EXPECT_EQ(b->maps, a->maps);
}

static void one_cycle(void)
{
	struct tvm t;

	tvm_create_real(&t, RM_BLOB(hlt));
	tvm_run_expect(&t, MV_EXIT_HLT);
	ASSERT_EQ(tvm_rip(&t), RM_LOAD_ADDR + 1);
	tvm_destroy(&t);
}

static void test_vm_create_destroy_cycles(void)
{
	bool memory = one_cpu();
	int i, cycles = memory ? CYCLES : SMP_CYCLES;
	int warmup = memory ? WARMUP_CYCLES : 1;
	struct usage before, after;
	char what[64];

	for (i = 0; i < cycles; i++) {
		if (i == warmup)
			sample(&before, memory);
		one_cycle();
		if ((i + 1) % 250 == 0)
			test_diag("%d cycles done", i + 1);
	}
	sample(&after, memory);
	snprintf(what, sizeof(what), "VM cycles %d..%d", warmup, cycles);
	check_growth(what, &before, &after, memory);
}

/* vCPUs 1..n-1 next to mv_vm_create()'s vCPU 0, each run to its HLT. */
static void many_vcpus_round(long n)
{
	int fds[MANY_VCPUS_LIMIT];
	struct mv_run *runs[MANY_VCPUS_LIMIT];
	struct mv_sregs s;
	struct mv_regs r;
	struct tvm t;
	long i;

	tvm_create_real(&t, RM_BLOB(hlt));
	fds[0] = t.vm.vcpu_fd;
	runs[0] = t.vm.run;
	for (i = 1; i < n; i++) {
		fds[i] = mv_create_vcpu(t.vm.vm_fd, (unsigned int)i);
		ASSERT_OK(fds[i]);
		runs[i] = mv_map_run(t.vm.sys_fd, fds[i]);
		ASSERT_TRUE(runs[i] != NULL);
		mv_sregs_real_mode(&s, 0);
		ASSERT_OK(mv_set_sregs(fds[i], &s));
		memset(&r, 0, sizeof(r));
		r.rip = RM_LOAD_ADDR;
		r.rflags = 0x2;
		ASSERT_OK(mv_set_regs(fds[i], &r));
	}
	for (i = 0; i < n; i++) {
		ASSERT_OK(mv_run(fds[i]));
		if (runs[i]->exit_reason != MV_EXIT_HLT) {
			test_diag("vCPU %ld", i);
			ASSERT_EQ(runs[i]->exit_reason, MV_EXIT_HLT);
		}
		ASSERT_OK(mv_get_regs(fds[i], &r));
		ASSERT_EQ(r.rip, RM_LOAD_ADDR + 1);
	}
	/* Each vCPU has its own run page. */
	for (i = 1; i < n; i++)
		ASSERT_TRUE(runs[i] != runs[i - 1]);
	/* Close the extra vCPUs in a different order than created. */
	for (i = n - 1; i >= 1; i--) {
		mv_unmap_run(t.vm.sys_fd, runs[i]);
		ASSERT_EQ(close(fds[i]), 0);
	}
	tvm_destroy(&t);
}

/*
 * VMs with MV_CAP_MAX_VCPUS vCPUs each, every vCPU run to its HLT, until at
 * least MANY_VCPUS_MEASURED vCPUs were created and closed after a warm-up
 * round: a leak per vCPU exceeds the bound.
 */
static void test_many_vcpus(void)
{
	struct usage before, after;
	bool memory = one_cpu();
	long n, rounds, i;
	struct mv_vm vm;
	char what[64];

	ASSERT_OK(mv_vm_create(&vm, RM_MEM_SIZE));
	n = mv_check_cap(vm.sys_fd, MV_CAP_MAX_VCPUS);
	mv_vm_destroy(&vm);
	ASSERT_GE(n, 1);
	if (n > MANY_VCPUS_LIMIT)
		n = MANY_VCPUS_LIMIT;
	rounds = memory ? (MANY_VCPUS_MEASURED + n - 1) / n : SMP_VCPU_ROUNDS;
	test_diag("%ld vCPUs per VM, 1 + %ld rounds", n, rounds);
	many_vcpus_round(n);
	sample(&before, memory);
	for (i = 0; i < rounds; i++)
		many_vcpus_round(n);
	sample(&after, memory);
	snprintf(what, sizeof(what), "%ld vCPUs in %ld VMs", rounds * n, rounds);
	check_growth(what, &before, &after, memory);
}

/* Closing the VM fd first: the vCPU keeps the VM, memory slot included. */
static void test_vm_outlives_its_fd(void)
{
	struct tvm t, fresh;

	tvm_create_real(&t, RM_BLOB(hello));
	ASSERT_EQ(close(t.vm.vm_fd), 0);
	t.vm.vm_fd = -1;
	tvm_run_hello(&t);
	tvm_destroy(&t);

	/* And everything is still in order for the next VM. */
	tvm_create_real(&fresh, RM_BLOB(hlt));
	tvm_run_expect(&fresh, MV_EXIT_HLT);
	tvm_destroy(&fresh);
}

static const struct test_case tests[] = {
	{ "vm_create_run_destroy_1000_cycles", test_vm_create_destroy_cycles, 1800 },
	{ "many_vcpus_open_close", test_many_vcpus, 600 },
	{ "vm_outlives_its_fd", test_vm_outlives_its_fd, 0 },
};

int main(int argc, char **argv)
{
	return test_main(argc, argv, tests, ARRAY_SIZE(tests));
}
