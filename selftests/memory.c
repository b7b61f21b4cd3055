// SPDX-License-Identifier: GPL-2.0
/*
 * MV_SET_MEMORY_REGION, MV_CREATE_VCPU, the run-page mmap and MV_SET_SREGS
 * argument validation: every documented EINVAL, EEXIST and EFAULT, the
 * boundaries next to them that must succeed, and that a failed call leaves
 * nothing behind. Then guest RAM under the host's memory management:
 * lazy fault-in, MMU-notifier invalidation (the guest sees the VMM's
 * current page), no memory outside slots, EPT table pages given back on
 * slot deletion, no pinned or leaked pages, 2 MiB EPT mappings for THP.
 */
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "test_harness.h"
#include "test_util.h"
#include "vm.h"
#include "memory_common.h"

#define PAGE		4096ull
#define SLOT_GPA	0x100000ull	/* test slots go here, above slot 0's 64 KiB */

static long cap(struct mv_vm *vm, unsigned int c)
{
	long v = mv_check_cap(vm->sys_fd, c);

	ASSERT_GE(v, 1);
	return v;
}

static void vm_create(struct mv_vm *vm)
{
	ASSERT_OK(mv_vm_create(vm, RM_MEM_SIZE));
}

/* Anonymous read-write pages, faulted in. */
static uint8_t *pages(uint64_t n)
{
	uint8_t *p = mmap(NULL, n * PAGE, PROT_READ | PROT_WRITE,
			  MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	ASSERT_TRUE(p != MAP_FAILED);
	memset(p, 0x5a, n * PAGE);
	return p;
}

static int region(struct mv_vm *vm, uint32_t slot, uint32_t flags, uint64_t gpa,
		  uint64_t size, uint64_t uaddr)
{
	struct mv_memory_region r;

	memset(&r, 0, sizeof(r));
	r.slot = slot;
	r.flags = flags;
	r.guest_phys_addr = gpa;
	r.memory_size = size;
	r.userspace_addr = uaddr;
	return mv_set_memory_region_raw(vm->vm_fd, &r);
}

#define U(p)	((uint64_t)(uintptr_t)(p))

/* After rejected calls, the slot and the range must still be free. */
static void expect_slot_free(struct mv_vm *vm, uint32_t slot, uint64_t gpa, uint8_t *buf,
			     uint64_t size)
{
	EXPECT_OK(region(vm, slot, 0, gpa, size, U(buf)));
	EXPECT_OK(region(vm, slot, 0, gpa, 0, 0));
}

static void test_slot_out_of_range(void)
{
	struct mv_vm vm;
	uint8_t *buf = pages(1);
	long nr;

	vm_create(&vm);
	nr = cap(&vm, MV_CAP_NR_MEMSLOTS);
	EXPECT_ERR(region(&vm, (uint32_t)nr, 0, SLOT_GPA, PAGE, U(buf)), EINVAL);
	EXPECT_ERR(region(&vm, (uint32_t)nr + 1, 0, SLOT_GPA, PAGE, U(buf)), EINVAL);
	EXPECT_ERR(region(&vm, 0xffffffffu, 0, SLOT_GPA, PAGE, U(buf)), EINVAL);
	EXPECT_ERR(region(&vm, 0x80000000u, 0, SLOT_GPA, PAGE, U(buf)), EINVAL);
	/* The last slot is usable. */
	expect_slot_free(&vm, (uint32_t)nr - 1, SLOT_GPA, buf, PAGE);
	mv_vm_destroy(&vm);
}

static void test_unknown_flags(void)
{
	static const uint32_t bad[] = { 1u << 1, 1u << 31, MV_MEM_VALID_FLAGS | (1u << 2),
					~MV_MEM_VALID_FLAGS };
	struct mv_vm vm;
	uint8_t *buf = pages(1);
	unsigned int i;

	vm_create(&vm);
	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		test_diag("flags 0x%x", bad[i]);
		EXPECT_ERR(region(&vm, 1, bad[i], SLOT_GPA, PAGE, U(buf)), EINVAL);
	}
	EXPECT_OK(region(&vm, 1, MV_MEM_READONLY, SLOT_GPA, PAGE, U(buf)));
	mv_vm_destroy(&vm);
}

static void test_reserved_nonzero(void)
{
	struct mv_memory_region r;
	struct mv_vm vm;
	uint8_t *buf = pages(1);

	vm_create(&vm);
	memset(&r, 0, sizeof(r));
	r.slot = 1;
	r.guest_phys_addr = SLOT_GPA;
	r.memory_size = PAGE;
	r.userspace_addr = U(buf);
	r.reserved[0] = 1;
	EXPECT_ERR(mv_set_memory_region_raw(vm.vm_fd, &r), EINVAL);
	r.reserved[0] = 0;
	r.reserved[1] = 1ull << 63;
	EXPECT_ERR(mv_set_memory_region_raw(vm.vm_fd, &r), EINVAL);
	expect_slot_free(&vm, 1, SLOT_GPA, buf, PAGE);
	mv_vm_destroy(&vm);
}

static void test_misaligned(void)
{
	struct mv_vm vm;
	uint8_t *buf = pages(2);

	vm_create(&vm);
	test_diag("guest_phys_addr");
	EXPECT_ERR(region(&vm, 1, 0, SLOT_GPA + 0x800, PAGE, U(buf)), EINVAL);
	EXPECT_ERR(region(&vm, 1, 0, SLOT_GPA + 1, PAGE, U(buf)), EINVAL);
	test_diag("memory_size");
	EXPECT_ERR(region(&vm, 1, 0, SLOT_GPA, PAGE + 0x800, U(buf)), EINVAL);
	EXPECT_ERR(region(&vm, 1, 0, SLOT_GPA, 1, U(buf)), EINVAL);
	test_diag("userspace_addr");
	EXPECT_ERR(region(&vm, 1, 0, SLOT_GPA, PAGE, U(buf) + 8), EINVAL);
	EXPECT_ERR(region(&vm, 1, 0, SLOT_GPA, PAGE, U(buf) + 0x800), EINVAL);
	expect_slot_free(&vm, 1, SLOT_GPA, buf, 2 * PAGE);
	mv_vm_destroy(&vm);
}

static void test_size_above_max(void)
{
	struct mv_vm vm;
	uint64_t size;
	void *big;

	vm_create(&vm);
	size = ((uint64_t)cap(&vm, MV_CAP_MAX_MEMSLOT_SIZE) + 1) << 20;
	/*
	 * Reserve (not populate) that much, so the size is the only thing
	 * wrong with the request.
	 */
	big = mmap(NULL, size, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (big == MAP_FAILED) {
		test_diag("cannot reserve %llu MiB of address space; using an unmapped range",
			  (unsigned long long)(size >> 20));
		big = (void *)(uintptr_t)0x100000000000ull;
	}
	test_diag("memory_size %llu MiB", (unsigned long long)(size >> 20));
	EXPECT_ERR(region(&vm, 1, 0, SLOT_GPA, size, U(big)), EINVAL);
	mv_vm_destroy(&vm);
}

static void test_phys_range(void)
{
	struct mv_vm vm;
	uint8_t *buf = pages(2);
	uint64_t top;
	long bits;

	vm_create(&vm);
	bits = cap(&vm, MV_CAP_GUEST_PHYS_BITS);
	top = 1ull << bits;
	test_diag("GUEST_PHYS_BITS %ld: top 0x%llx", bits, (unsigned long long)top);
	/* Ends one page above the top. */
	EXPECT_ERR(region(&vm, 1, 0, top - PAGE, 2 * PAGE, U(buf)), EINVAL);
	/* Starts at the top. */
	EXPECT_ERR(region(&vm, 1, 0, top, PAGE, U(buf)), EINVAL);
	/* Wraps around 2^64. */
	EXPECT_ERR(region(&vm, 1, 0, 0ull - PAGE, 2 * PAGE, U(buf)), EINVAL);
	EXPECT_ERR(region(&vm, 1, 0, 0ull - PAGE, PAGE, U(buf)), EINVAL);
	/* The last page below 2^bits is addressable. */
	EXPECT_OK(region(&vm, 1, 0, top - PAGE, PAGE, U(buf)));
	mv_vm_destroy(&vm);
}

static void test_overlap(void)
{
	static const struct { uint64_t gpa, size; const char *what; } clash[] = {
		{ SLOT_GPA, 4 * PAGE, "same range" },
		{ SLOT_GPA - PAGE, 2 * PAGE, "overlaps the start" },
		{ SLOT_GPA + 3 * PAGE, 2 * PAGE, "overlaps the end" },
		{ SLOT_GPA + PAGE, PAGE, "inside" },
		{ SLOT_GPA - 0x10000, 0x20000, "contains it" },
		{ 0, PAGE, "overlaps slot 0" },
		{ RM_MEM_SIZE - PAGE, 2 * PAGE, "overlaps the end of slot 0" },
	};
	struct mv_vm vm;
	uint8_t *a = pages(4), *b = pages(32);
	unsigned int i;

	vm_create(&vm);
	ASSERT_GE(cap(&vm, MV_CAP_NR_MEMSLOTS), 5);
	ASSERT_OK(region(&vm, 1, 0, SLOT_GPA, 4 * PAGE, U(a)));
	for (i = 0; i < ARRAY_SIZE(clash); i++) {
		test_diag("[0x%llx, +0x%llx): %s", (unsigned long long)clash[i].gpa,
			  (unsigned long long)clash[i].size, clash[i].what);
		EXPECT_ERR(region(&vm, 2, 0, clash[i].gpa, clash[i].size, U(b)), EEXIST);
	}
	/* Touching but not overlapping, on either side, is fine. */
	EXPECT_OK(region(&vm, 2, 0, SLOT_GPA + 4 * PAGE, PAGE, U(b)));
	EXPECT_OK(region(&vm, 3, 0, SLOT_GPA - PAGE, PAGE, U(b) + PAGE));
	EXPECT_OK(region(&vm, 4, 0, RM_MEM_SIZE, PAGE, U(b) + 2 * PAGE));
	mv_vm_destroy(&vm);
}

static void test_slot_in_use(void)
{
	struct mv_vm vm;
	uint8_t *a = pages(1), *b = pages(1);

	vm_create(&vm);
	ASSERT_OK(region(&vm, 1, 0, SLOT_GPA, PAGE, U(a)));
	/* Same slot, another range: delete first. */
	EXPECT_ERR(region(&vm, 1, 0, SLOT_GPA + 0x100000, PAGE, U(b)), EEXIST);
	/* Even the identical request. */
	EXPECT_ERR(region(&vm, 1, 0, SLOT_GPA, PAGE, U(a)), EEXIST);
	/* Slot 0 belongs to mv_vm_create(). */
	EXPECT_ERR(region(&vm, 0, 0, SLOT_GPA + 0x200000, PAGE, U(b)), EEXIST);
	mv_vm_destroy(&vm);
}

static void test_unmapped_userspace_addr(void)
{
	struct mv_vm vm;
	uint8_t *hole = pages(3), *gone = pages(2), *ok = pages(3);

	vm_create(&vm);
	/* A hole in the middle of the range. */
	ASSERT_EQ(munmap(hole + PAGE, PAGE), 0);
	EXPECT_ERR(region(&vm, 1, 0, SLOT_GPA, 3 * PAGE, U(hole)), EFAULT);
	/* Entirely unmapped. */
	ASSERT_EQ(munmap(gone, 2 * PAGE), 0);
	EXPECT_ERR(region(&vm, 1, 0, SLOT_GPA, 2 * PAGE, U(gone)), EFAULT);
	/* NULL and a kernel address are never the caller's memory. */
	EXPECT_ERR(region(&vm, 1, 0, SLOT_GPA, PAGE, 0), EFAULT);
	EXPECT_ERR(region(&vm, 1, 0, SLOT_GPA, PAGE, 0xffff888000000000ull), EFAULT);
	/* The failures left slot 1 and the range free. */
	expect_slot_free(&vm, 1, SLOT_GPA, ok, 3 * PAGE);
	mv_vm_destroy(&vm);
}

static void test_readonly_mapping(void)
{
	struct mv_vm vm;
	uint8_t *ro = mmap(NULL, 2 * PAGE, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	ASSERT_TRUE(ro != MAP_FAILED);
	vm_create(&vm);
	/* A writable slot needs writable memory... */
	EXPECT_ERR(region(&vm, 1, 0, SLOT_GPA, 2 * PAGE, U(ro)), EFAULT);
	/* ...a read-only slot does not. */
	EXPECT_OK(region(&vm, 1, MV_MEM_READONLY, SLOT_GPA, 2 * PAGE, U(ro)));
	mv_vm_destroy(&vm);
}

static void test_bad_struct_pointer(void)
{
	struct mv_vm vm;
	/* Kept mapped, PROT_NONE: an unmapped hole could be reused by mmap. */
	void *p = mmap(NULL, PAGE, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	ASSERT_TRUE(p != MAP_FAILED);
	vm_create(&vm);
	EXPECT_ERR(mv_set_memory_region_raw(vm.vm_fd, (void *)8), EFAULT);
	EXPECT_ERR(mv_set_memory_region_raw(vm.vm_fd, p), EFAULT);
	EXPECT_ERR(mv_set_memory_region_raw(vm.vm_fd, (void *)0xffff888000000000ull), EFAULT);
	mv_vm_destroy(&vm);
}

/*
 * Delete and re-create a slot at the same GPA with other memory behind it:
 * the guest must see the new memory (no stale EPT entries), and a deleted
 * range must be free for another slot.
 */
static void test_delete_and_recreate(void)
{
	const uint64_t gpa = 0x80000;	/* real mode reaches it through DS */
	uint8_t *a = pages(1), *b = pages(1), *c = pages(1);
	struct mv_sregs s;
	struct tvm t;

	a[0] = 0xa1;
	b[0] = 0xb2;
	c[0] = 0xc3;
	tvm_create_real(&t, RM_BLOB(peek));
	tvm_get_sregs(&t, &s);
	s.ds.selector = gpa >> 4;
	s.ds.base = gpa;

	ASSERT_OK(region(&t.vm, 1, 0, gpa, PAGE, U(a)));
	tvm_set_sregs(&t, &s);
	tvm_run(&t);
	EXPECT_EQ(io_data_get(tvm_expect_io(&t, MV_EXIT_IO_OUT, RM_PEEK_PORT, 1), 1), 0xa1);

	/* Delete, delete the now empty slot again, re-create over other memory. */
	ASSERT_OK(region(&t.vm, 1, 0, gpa, 0, 0));
	ASSERT_OK(region(&t.vm, 1, 0, 0, 0, 0));
	ASSERT_OK(region(&t.vm, 1, 0, gpa, PAGE, U(b)));
	tvm_reset_real(&t, RM_LOAD_ADDR);
	tvm_set_sregs(&t, &s);
	tvm_run(&t);
	EXPECT_EQ(io_data_get(tvm_expect_io(&t, MV_EXIT_IO_OUT, RM_PEEK_PORT, 1), 1), 0xb2);

	/* The range is free for another slot number once deleted. */
	ASSERT_OK(region(&t.vm, 1, 0, gpa, 0, 0));
	ASSERT_OK(region(&t.vm, 2, 0, gpa, PAGE, U(c)));
	tvm_reset_real(&t, RM_LOAD_ADDR);
	tvm_set_sregs(&t, &s);
	tvm_run(&t);
	EXPECT_EQ(io_data_get(tvm_expect_io(&t, MV_EXIT_IO_OUT, RM_PEEK_PORT, 1), 1), 0xc3);
	tvm_destroy(&t);
}

static void test_create_vcpu_ids(void)
{
	struct mv_vm vm;
	long max;
	int fd, err;

	vm_create(&vm);
	max = cap(&vm, MV_CAP_MAX_VCPUS);
	test_diag("MAX_VCPUS %ld", max);
	EXPECT_ERR(mv_create_vcpu(vm.vm_fd, (unsigned int)max), EINVAL);
	EXPECT_ERR(mv_create_vcpu(vm.vm_fd, 0xffffffffu), EINVAL);
	/* An id above 32 bits must not be truncated into a valid one. */
	fd = ioctl(vm.vm_fd, MV_CREATE_VCPU, 1ul << 32);
	err = fd < 0 ? errno : 0;
	if (fd >= 0)
		close(fd);
	EXPECT_EQ(fd, -1);
	EXPECT_EQ(err, EINVAL);
	/* vCPU 0 exists (mv_vm_create made it). */
	EXPECT_ERR(mv_create_vcpu(vm.vm_fd, 0), EEXIST);
	if (max > 1) {
		fd = mv_create_vcpu(vm.vm_fd, (unsigned int)max - 1);
		EXPECT_OK(fd);
		EXPECT_ERR(mv_create_vcpu(vm.vm_fd, (unsigned int)max - 1), EEXIST);
		if (fd >= 0)
			close(fd);
	}
	mv_vm_destroy(&vm);
}

static void expect_mmap_einval(int fd, size_t len, off_t off)
{
	void *p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, fd, off);
	int err = p == MAP_FAILED ? errno : 0;

	if (p != MAP_FAILED)
		munmap(p, len);
	EXPECT_TRUE(p == MAP_FAILED);
	EXPECT_EQ(err, EINVAL);
}

static void test_mmap_run_page(void)
{
	struct mv_vm vm;
	long size;
	void *p;

	vm_create(&vm);
	size = cap(&vm, MV_CAP_VCPU_MMAP_SIZE);
	test_diag("offset 0x%llx", PAGE);
	expect_mmap_einval(vm.vcpu_fd, (size_t)size, (off_t)PAGE);
	test_diag("length %ld", size + (long)PAGE);
	expect_mmap_einval(vm.vcpu_fd, (size_t)size + PAGE, 0);
	/* A second mapping of the right size shares the page with the first. */
	p = mmap(NULL, (size_t)size, PROT_READ | PROT_WRITE, MAP_SHARED, vm.vcpu_fd, 0);
	ASSERT_TRUE(p != MAP_FAILED);
	vm.run->immediate_exit = 1;
	EXPECT_EQ(((struct mv_run *)p)->immediate_exit, 1);
	vm.run->immediate_exit = 0;
	munmap(p, (size_t)size);
	mv_vm_destroy(&vm);
}

static void test_set_sregs_reserved(void)
{
	struct mv_sregs good, s, after;
	struct mv_vm vm;

	vm_create(&vm);
	mv_sregs_real_mode(&good, 0);
	ASSERT_OK(mv_set_sregs(vm.vcpu_fd, &good));
	ASSERT_OK(mv_get_sregs(vm.vcpu_fd, &good));

	s = good;
	s.reserved[0] = 1;
	EXPECT_ERR(mv_set_sregs(vm.vcpu_fd, &s), EINVAL);
	s = good;
	s.reserved[7] = 1ull << 63;
	EXPECT_ERR(mv_set_sregs(vm.vcpu_fd, &s), EINVAL);
	s = good;
	s.cs.padding = 1;
	EXPECT_ERR(mv_set_sregs(vm.vcpu_fd, &s), EINVAL);
	s = good;
	s.tr.padding = 0x80;
	EXPECT_ERR(mv_set_sregs(vm.vcpu_fd, &s), EINVAL);
	s = good;
	s.gdt.padding[0] = 1;
	EXPECT_ERR(mv_set_sregs(vm.vcpu_fd, &s), EINVAL);
	s = good;
	s.idt.padding[2] = 0x8000;
	EXPECT_ERR(mv_set_sregs(vm.vcpu_fd, &s), EINVAL);

	/* Rejected calls changed nothing. Make the difference visible: */
	s = good;
	s.cs.selector = 0x4321;
	s.cs.base = 0x43210;
	s.reserved[3] = 1;
	EXPECT_ERR(mv_set_sregs(vm.vcpu_fd, &s), EINVAL);
	ASSERT_OK(mv_get_sregs(vm.vcpu_fd, &after));
	EXPECT_EQ(after.cs.selector, good.cs.selector);
	EXPECT_EQ(after.cs.base, good.cs.base);
	EXPECT_EQ(memcmp(&after, &good, sizeof(after)), 0);
	mv_vm_destroy(&vm);
}


/* ---- Guest RAM under the host's memory management (lazy, MMU notifier) ---- */

#define MB		(1ull << 20)
#define GB		(1ull << 30)
#define PTE_P		0x1ull
#define PTE_RW		0x2ull
#define PTE_PS		0x80ull
#define MMIO_FILL	0x6d6d696f66696c6cull	/* what reads of MMIO return */
#define RAM_GPA		(1ull * GB)		/* test slots inside the identity map */

static uint64_t phys_limit(struct tvm *t)
{
	return 1ull << cap(&t->vm, MV_CAP_GUEST_PHYS_BITS);
}

/* A long-mode VM running guest_mem_access(), with the window set up. */
static void mem_vm(struct tvm *t)
{
	uint64_t *pml4, *pdpt;

	tvm_create_long(t, guest_mem_access, 0);
	pml4 = tvm_ptr(t, LM_PT_GPA, MEM_PAGE);
	pdpt = tvm_ptr(t, MEM_WINDOW_PDPT_GPA, MEM_PAGE);
	memset(pdpt, 0, MEM_PAGE);
	memset(tvm_ptr(t, MEM_WINDOW_PD_GPA, MEM_PAGE), 0, MEM_PAGE);
	pml4[1] = MEM_WINDOW_PDPT_GPA | PTE_P | PTE_RW;
	pdpt[0] = MEM_WINDOW_PD_GPA | PTE_P | PTE_RW;
}

/* Guest virtual address for gpa: identity below 4 GiB, else the window. */
static uint64_t mem_va(struct tvm *t, uint64_t gpa)
{
	uint64_t *pd = tvm_ptr(t, MEM_WINDOW_PD_GPA, MEM_PAGE);

	if (gpa < LM_MAP_SIZE)
		return gpa;
	pd[0] = (gpa & ~(2 * MB - 1)) | PTE_P | PTE_RW | PTE_PS;
	return MEM_WINDOW_VA + (gpa & (2 * MB - 1));
}

struct access {
	bool mmio;		/* it exited as MMIO ... */
	uint64_t mmio_gpa;	/* ... at this address */
	uint32_t mmio_len;
	bool mmio_write;
	uint64_t mmio_data;	/* write data */
	uint64_t value;		/* what the guest got (reads) */
};

/* One guest round: op at gpa; an MMIO exit on the way is recorded and completed. */
static void mem_round(struct tvm *t, uint64_t gpa, uint64_t op, uint64_t val, struct access *a)
{
	struct mv_run *run = t->vm.run;
	struct ucall_info uc;

	*GUEST_VAR(t, mem_addr) = mem_va(t, gpa);
	*GUEST_VAR(t, mem_op) = op;
	*GUEST_VAR(t, mem_val) = val;
	memset(a, 0, sizeof(*a));
	tvm_run(t);
	if (run->exit_reason == MV_EXIT_MMIO) {
		a->mmio = true;
		a->mmio_gpa = run->mmio.phys_addr;
		a->mmio_len = run->mmio.len;
		a->mmio_write = run->mmio.is_write;
		memcpy(&a->mmio_data, run->mmio.data, 8);
		if (!run->mmio.is_write) {
			uint64_t fill = MMIO_FILL;

			memcpy(run->mmio.data, &fill, 8);
		}
		tvm_run(t);
	}
	if (run->exit_reason == MV_EXIT_INTERNAL_ERROR)
		tvm_dump(t);
	ASSERT_EQ(tvm_get_ucall(t, &uc), UCALL_SYNC);
	a->value = uc.args[0];
}

static uint64_t guest_read(struct tvm *t, uint64_t gpa)
{
	struct access a;

	mem_round(t, gpa, MEM_OP_READ, 0, &a);
	EXPECT_TRUE(!a.mmio);
	return a.value;
}

/* gpa must not be RAM: a read and a write there exit as MMIO at gpa. */
static void expect_mmio_at(struct tvm *t, uint64_t gpa)
{
	struct access a;

	test_diag("gpa 0x%llx", (unsigned long long)gpa);
	mem_round(t, gpa, MEM_OP_READ, 0, &a);
	EXPECT_TRUE(a.mmio);
	EXPECT_EQ(a.mmio_gpa, gpa);
	EXPECT_EQ(a.mmio_len, 8);
	EXPECT_EQ(a.mmio_write, 0);
	EXPECT_EQ(a.value, MMIO_FILL);
	mem_round(t, gpa, MEM_OP_WRITE, 0x1122334455667788ull, &a);
	EXPECT_TRUE(a.mmio);
	EXPECT_EQ(a.mmio_gpa, gpa);
	EXPECT_EQ(a.mmio_write, 1);
	EXPECT_EQ(a.mmio_data, 0x1122334455667788ull);
}

/*
 * MemAvailable plus the per-CPU free lists (a freed THP may sit there),
 * once two readings in a row agree within 64 KiB (at most six tries).
 */
static long mem_available(void)
{
	long prev, cur = 0;
	int i;

	settle_memory();
	prev = meminfo_kib("MemAvailable") + pcp_free_kib();
	for (i = 0; i < 5; i++) {
		settle_memory();
		cur = meminfo_kib("MemAvailable") + pcp_free_kib();
		if (labs(cur - prev) < 64)
			break;
		prev = cur;
	}
	return cur;
}

/* /proc/meminfo as (name, KiB) pairs, to show what changed. */
#define MEMINFO_MAX	64
struct meminfo {
	int n;
	char name[MEMINFO_MAX][32];
	long kib[MEMINFO_MAX];
};

static void meminfo_read(struct meminfo *m)
{
	FILE *f = fopen("/proc/meminfo", "r");

	ASSERT_TRUE(f != NULL);
	m->n = 0;
	while (m->n < MEMINFO_MAX &&
	       fscanf(f, " %31[^:]: %ld%*[^\n]", m->name[m->n], &m->kib[m->n]) == 2)
		m->n++;
	fclose(f);
}

static void meminfo_diff(const struct meminfo *a, const struct meminfo *b)
{
	int i;

	for (i = 0; i < a->n && i < b->n; i++)
		if (labs(b->kib[i] - a->kib[i]) >= 256)
			test_diag("  %s: %ld -> %ld KiB", a->name[i], a->kib[i], b->kib[i]);
}

/* A /proc/vmstat counter, -1 if the kernel has none by that name. */
static long long vmstat(const char *key)
{
	FILE *f = fopen("/proc/vmstat", "r");
	char name[64];
	long long v, r = -1;

	ASSERT_TRUE(f != NULL);
	while (fscanf(f, "%63s %lld", name, &v) == 2)
		if (!strcmp(name, key))
			r = v;
	fclose(f);
	return r;
}

/* Anonymous memory aligned to 2 MiB (so THP and 2 MiB EPT leaves can back it). */
static uint8_t *aligned_anon(uint64_t size, int prot)
{
	uint8_t *p = mmap(NULL, size + 2 * MB, prot, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE,
			  -1, 0);
	uint8_t *a;

	ASSERT_TRUE(p != MAP_FAILED);
	a = (uint8_t *)(((uintptr_t)p + 2 * MB - 1) & ~(uintptr_t)(2 * MB - 1));
	if (a > p)
		munmap(p, a - p);
	munmap(a + size, p + size + 2 * MB - (a + size));
	return a;
}

/*
 * The review's case: a 4 KiB slot moved across 8,000 guest-physical
 * addresses 2 MiB apart (each needs its own EPT page table, every 512 a new
 * page directory) while the VM stays alive. Before, every move left a 4 KiB
 * table behind (32 MiB); now deleting a slot frees the tables it emptied.
 * The guest reads each new location, so the tables really exist.
 */
#define MOVES		8000
#define MOVE_WARMUP	50
#define MOVE_BASE	(8 * GB)
#define MOVE_BOUND_KIB	256

/*
 * Memory-management cases with nothing SMP about them run in the 1-CPU
 * boot only: make check's 2-CPU boot keeps its time for what needs two
 * CPUs (its budget includes a 2-vCPU Linux guest; testing.md).
 */
static void one_cpu_boot_only(void)
{
	if (sysconf(_SC_NPROCESSORS_ONLN) > 1)
		test_skip("a single-CPU memory case: run in the 1-CPU boot");
}

static void test_ept_tables_freed_on_slot_move(void)
{
	uint64_t *page = (uint64_t *)pages(1);
	long before = 0, after;
	struct tvm t;
	uint64_t gpa;
	int i;

	one_cpu_boot_only();
	mem_vm(&t);
	if (phys_limit(&t) < MOVE_BASE + (uint64_t)(MOVES + MOVE_WARMUP) * 2 * MB)
		test_skip("guest-physical width too small");
	int moves = sysconf(_SC_NPROCESSORS_ONLN) > 1 ? MOVES / 8 : MOVES;

	for (i = 0; i < moves + MOVE_WARMUP; i++) {
		if (i == MOVE_WARMUP)
			before = mem_available();
		gpa = MOVE_BASE + (uint64_t)i * 2 * MB + ((uint64_t)i % 512) * MEM_PAGE;
		page[0] = 0xabc0000000000000ull | (uint64_t)i;
		ASSERT_OK(region(&t.vm, 1, 0, gpa, PAGE, U(page)));
		ASSERT_EQ(guest_read(&t, gpa), page[0]);
		ASSERT_OK(region(&t.vm, 1, 0, gpa, 0, 0));
	}
	after = mem_available();
	test_diag("%d moves: MemAvailable %ld -> %ld KiB (drop %ld, bound %d); "
		  "one table leaked per move would be %d KiB", moves, before, after,
		  before - after, MOVE_BOUND_KIB, moves * 4);
	EXPECT_LT(before - after, MOVE_BOUND_KIB);
	/* The old location is no longer RAM: MMIO. */
	expect_mmio_at(&t, gpa);
	tvm_destroy(&t);
}

/*
 * The host replaces the page behind the guest's back: MADV_DONTNEED on
 * private anonymous memory frees it, the next touch gets a new one. With a
 * stale EPT mapping the guest would keep reading the freed page.
 */
static void test_stale_mapping_madv_dontneed(void)
{
	uint64_t *mem = (uint64_t *)pages(4);
	struct access a;
	struct tvm t;

	mem_vm(&t);
	ASSERT_OK(region(&t.vm, 1, 0, RAM_GPA, 4 * PAGE, U(mem)));
	mem[PAGE / 8] = 0x1111;
	EXPECT_EQ(guest_read(&t, RAM_GPA + PAGE), 0x1111);

	ASSERT_EQ(madvise(mem, 4 * PAGE, MADV_DONTNEED), 0);
	mem[PAGE / 8] = 0x2222;		/* a new page */
	EXPECT_EQ(guest_read(&t, RAM_GPA + PAGE), 0x2222);

	/* Dropped and not touched again: the guest reads zeroes... */
	ASSERT_EQ(madvise(mem, 4 * PAGE, MADV_DONTNEED), 0);
	EXPECT_EQ(guest_read(&t, RAM_GPA + 2 * PAGE), 0);
	/* ...and its write to that (zero-page) mapping reaches the VMM's memory. */
	mem_round(&t, RAM_GPA + 2 * PAGE, MEM_OP_WRITE, 0x3333, &a);
	EXPECT_TRUE(!a.mmio);
	EXPECT_EQ(mem[2 * PAGE / 8], 0x3333);
	/* The VMM writes, the guest reads, both ways round, after another drop. */
	ASSERT_EQ(madvise(mem, 4 * PAGE, MADV_DONTNEED), 0);
	EXPECT_EQ(mem[2 * PAGE / 8], 0);
	EXPECT_EQ(guest_read(&t, RAM_GPA + 2 * PAGE), 0);
	tvm_destroy(&t);
	munmap(mem, 4 * PAGE);
}

/* The same through a memfd: the page is punched out, rewritten via a second mapping. */
static void test_stale_mapping_memfd(void)
{
	int fd = memfd_create("mv-memory", MFD_CLOEXEC);
	uint64_t *m1, *m2;
	struct tvm t;

	ASSERT_GE(fd, 0);
	ASSERT_EQ(ftruncate(fd, 2 * PAGE), 0);
	m1 = mmap(NULL, 2 * PAGE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	m2 = mmap(NULL, 2 * PAGE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	ASSERT_TRUE(m1 != MAP_FAILED && m2 != MAP_FAILED);
	mem_vm(&t);
	ASSERT_OK(region(&t.vm, 1, 0, RAM_GPA, 2 * PAGE, U(m1)));
	m2[1] = 0xaaaa;
	EXPECT_EQ(guest_read(&t, RAM_GPA + 8), 0xaaaa);
	/* Free the page under both mappings, then fill a new one through m2. */
	ASSERT_EQ(fallocate(fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, 0, PAGE), 0);
	m2[1] = 0xbbbb;
	EXPECT_EQ(guest_read(&t, RAM_GPA + 8), 0xbbbb);
	/* Truncated to nothing: SIGBUS for the VMM, a memory-fault exit for the guest. */
	ASSERT_EQ(ftruncate(fd, 0), 0);
	*GUEST_VAR(&t, mem_addr) = RAM_GPA + 8;
	*GUEST_VAR(&t, mem_op) = MEM_OP_READ;
	tvm_run_expect(&t, MV_EXIT_INTERNAL_ERROR);
	EXPECT_EQ(t.vm.run->internal.suberror, MV_INTERNAL_MEMORY_FAULT);
	EXPECT_EQ(t.vm.run->internal.data[0], RAM_GPA + 8);
	EXPECT_EQ(t.vm.run->internal.data[3], U(m1) + 8);
	test_diag("memory fault errno %llu", (unsigned long long)t.vm.run->internal.data[2]);
	EXPECT_NE(t.vm.run->internal.data[2], 0);
	/* Backed again: the same MV_RUN resumes the access. */
	ASSERT_EQ(ftruncate(fd, 2 * PAGE), 0);
	m2[1] = 0xcccc;
	tvm_run(&t);
	{
		struct ucall_info uc;

		ASSERT_EQ(tvm_get_ucall(&t, &uc), UCALL_SYNC);
		EXPECT_EQ(uc.args[0], 0xcccc);
	}
	tvm_destroy(&t);
	munmap(m1, 2 * PAGE);
	munmap(m2, 2 * PAGE);
	close(fd);
}

/*
 * fork() write-protects the VMM's private pages and shares them with the
 * child: a guest write afterwards must break COW for the parent (the EPT
 * entry was zapped), never land in the page the child now shares.
 */
static void test_fork_cow(void)
{
	uint64_t *mem = (uint64_t *)pages(1);
	int go[2], status;
	struct access a;
	struct tvm t;
	pid_t pid;
	char c;

	mem_vm(&t);
	ASSERT_OK(region(&t.vm, 1, 0, RAM_GPA, PAGE, U(mem)));
	mem[0] = 1;
	EXPECT_EQ(guest_read(&t, RAM_GPA), 1);	/* mapped, writable */
	ASSERT_EQ(pipe(go), 0);
	pid = fork();
	ASSERT_GE(pid, 0);
	if (pid == 0) {
		close(go[1]);
		if (read(go[0], &c, 1) != 1)
			_exit(2);
		_exit(mem[0] == 1 ? 0 : 1);
	}
	close(go[0]);
	mem_round(&t, RAM_GPA, MEM_OP_WRITE, 2, &a);
	EXPECT_TRUE(!a.mmio);
	EXPECT_EQ(mem[0], 2);
	ASSERT_EQ(write(go[1], "x", 1), 1);
	close(go[1]);
	ASSERT_EQ(waitpid(pid, &status, 0), pid);
	test_diag("child exit status %d (0: its copy kept 1)", WEXITSTATUS(status));
	EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	tvm_destroy(&t);
}

/* Guest-physical addresses that are not in a slot never reach host memory. */
static void test_no_host_memory_outside_slots(void)
{
	uint64_t *mem = (uint64_t *)pages(16), limit;
	struct tvm t;

	mem_vm(&t);
	limit = phys_limit(&t);
	test_diag("guest-physical width: %llu bits", (unsigned long long)cap(&t.vm,
		  MV_CAP_GUEST_PHYS_BITS));
	ASSERT_OK(region(&t.vm, 1, 0, RAM_GPA, 16 * PAGE, U(mem)));
	ASSERT_OK(region(&t.vm, 2, MV_MEM_READONLY, 5 * GB, 16 * PAGE, U(mem)));
	mem[16 * PAGE / 8 - 1] = 0x5107e4d;
	/* Last qword of each slot is RAM, the next byte is not. */
	EXPECT_EQ(guest_read(&t, RAM_GPA + 16 * PAGE - 8), 0x5107e4d);
	expect_mmio_at(&t, RAM_GPA + 16 * PAGE);
	EXPECT_EQ(guest_read(&t, 5 * GB + 16 * PAGE - 8), 0x5107e4d);
	expect_mmio_at(&t, 5 * GB + 16 * PAGE);
	/* Just past slot 0 (the test VM's RAM) and just before slot 1. */
	expect_mmio_at(&t, t.vm.mem_size);
	expect_mmio_at(&t, RAM_GPA - 8);
	/* Above 4 GiB, in between and at the top of the guest-physical width. */
	expect_mmio_at(&t, 4 * GB);
	expect_mmio_at(&t, 4 * GB + 0x123458);
	expect_mmio_at(&t, limit / 2);
	expect_mmio_at(&t, limit - 2 * MB);
	expect_mmio_at(&t, limit - 8);
	/* A write to the read-only slot is MMIO too, and changed nothing. */
	{
		struct access a;

		mem_round(&t, 5 * GB + 8, MEM_OP_WRITE, 0xdead, &a);
		EXPECT_TRUE(a.mmio);
		EXPECT_EQ(a.mmio_gpa, 5 * GB + 8);
		EXPECT_EQ(mem[1], 0x5a5a5a5a5a5a5a5aull);
	}
	tvm_destroy(&t);
	munmap(mem, 16 * PAGE);
}

/*
 * Two 64 GiB read-only slots on the 1 GiB host: creating them allocates
 * nothing, reads fault in the shared zero page, writes are MMIO. Before,
 * creation pinned 33 million zero-page references and OOMed the host.
 */
static void test_readonly_64g_slots_lazy(void)
{
	const uint64_t size = 64 * GB, base[2] = { 64 * GB, 128 * GB };
	uint8_t *m[2];
	long before, after;
	struct access a;
	struct tvm t;
	double t0;
	int i;

	one_cpu_boot_only();
	mem_vm(&t);
	if (phys_limit(&t) < base[1] + size)
		test_skip("guest-physical width below 38 bits");
	before = mem_available();
	t0 = test_now();
	for (i = 0; i < 2; i++) {
		m[i] = mmap(NULL, size, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE,
			    -1, 0);
		ASSERT_TRUE(m[i] != MAP_FAILED);
		ASSERT_OK(region(&t.vm, 1 + i, MV_MEM_READONLY, base[i], size, U(m[i])));
	}
	test_diag("two 64 GiB slots created in %.3f s", test_now() - t0);
	for (i = 0; i < 2; i++) {
		EXPECT_EQ(guest_read(&t, base[i]), 0);
		EXPECT_EQ(guest_read(&t, base[i] + size / 2 + 8), 0);
		EXPECT_EQ(guest_read(&t, base[i] + size - 8), 0);
		mem_round(&t, base[i] + 4 * MEM_PAGE, MEM_OP_WRITE, 7, &a);
		EXPECT_TRUE(a.mmio);
		EXPECT_EQ(a.mmio_gpa, base[i] + 4 * MEM_PAGE);
	}
	after = mem_available();
	/*
	 * Pinning, as before, built 256 MiB of EPT tables for these slots;
	 * now there are a few table pages, the huge zero page (2 MiB, once
	 * per boot) and the VMM's own page tables for the reads.
	 */
	test_diag("MemAvailable %ld -> %ld KiB (drop %ld, bound 8192)", before, after,
		  before - after);
	EXPECT_LT(before - after, 8192);
	tvm_destroy(&t);
	for (i = 0; i < 2; i++)
		munmap(m[i], size);
}

/*
 * A 1.5 GiB writable slot on the 1 GiB host: created at once (api.md:
 * memory is allocated when the guest first touches it, charged to the VMM
 * like its own), and the touched pages work at both ends.
 */
static void test_writable_slot_larger_than_ram(void)
{
	const uint64_t size = 3 * GB / 2;
	long before, mid, after;
	uint64_t *m;
	struct access a;
	struct tvm t;

	one_cpu_boot_only();
	mem_vm(&t);
	before = mem_available();
	m = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE,
		 -1, 0);
	ASSERT_TRUE(m != MAP_FAILED);
	ASSERT_OK(region(&t.vm, 1, 0, RAM_GPA, size, U(m)));
	mem_round(&t, RAM_GPA + 8, MEM_OP_WRITE, 0x1234, &a);
	EXPECT_TRUE(!a.mmio);
	mem_round(&t, RAM_GPA + size - 8, MEM_OP_WRITE, 0x5678, &a);
	EXPECT_TRUE(!a.mmio);
	EXPECT_EQ(m[1], 0x1234);
	EXPECT_EQ(m[size / 8 - 1], 0x5678);
	mid = mem_available();
	test_diag("MemAvailable %ld -> %ld KiB with the slot, 2 pages touched", before, mid);
	EXPECT_LT(before - mid, 8 * 1024);
	ASSERT_OK(region(&t.vm, 1, 0, RAM_GPA, 0, 0));
	munmap(m, size);
	after = mem_available();
	test_diag("MemAvailable after deletion %ld KiB", after);
	tvm_destroy(&t);
}

/*
 * 100 VMs, each touching 64 MiB with one 8-byte store per 4 KiB page, one
 * after the other: afterwards MemAvailable is back within 1 MiB, and no
 * page was ever pinned (FOLL_PIN counters unchanged).
 */
#define HUNDRED_VMS	100
#define TOUCH_SIZE	(64 * MB)

/* In a child process, so that the VMM's own memory is gone when we measure. */
static void hundred_vms_child(int nr)
{
	struct access a;
	int i;

	for (i = 0; i < nr; i++) {
		uint8_t *m = aligned_anon(TOUCH_SIZE, PROT_READ | PROT_WRITE);
		struct tvm t;

		mem_vm(&t);
		ASSERT_OK(region(&t.vm, 1, 0, RAM_GPA, TOUCH_SIZE, U(m)));
		mem_round(&t, RAM_GPA, MEM_OP_TOUCH, TOUCH_SIZE, &a);
		ASSERT_EQ(a.value, TOUCH_SIZE / MEM_PAGE);
		/* The stores landed in the VMM's memory. */
		ASSERT_EQ(*(uint64_t *)(m + TOUCH_SIZE - MEM_PAGE), RAM_GPA + TOUCH_SIZE - MEM_PAGE);
		tvm_destroy(&t);
		munmap(m, TOUCH_SIZE);
	}
}

static void run_in_child(void (*fn)(int), int arg)
{
	int status;
	pid_t pid = fork();

	ASSERT_GE(pid, 0);
	if (pid == 0) {
		fn(arg);
		_exit(0);
	}
	ASSERT_EQ(waitpid(pid, &status, 0), pid);
	ASSERT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
}

static void test_hundred_vms_touching_64m(void)
{
	struct meminfo m0, m1;
	long long pin0, pin1;
	long before, after;
	double t0;

	/* 10 VMs took 37 s of the 2-CPU boot's wall time (testing.md). */
	one_cpu_boot_only();
	/* One VM first: one-time allocations (caches, huge zero page) are made. */
	run_in_child(hundred_vms_child, 1);
	before = mem_available();
	meminfo_read(&m0);
	pin0 = vmstat("nr_foll_pin_acquired");
	t0 = test_now();
	run_in_child(hundred_vms_child, HUNDRED_VMS);
	t0 = test_now() - t0;
	pin1 = vmstat("nr_foll_pin_acquired");
	after = mem_available();
	meminfo_read(&m1);
	meminfo_diff(&m0, &m1);
	test_diag("%d VMs x 64 MiB in %.1f s: MemAvailable %ld -> %ld KiB (drop %ld, bound 1024); "
		  "nr_foll_pin_acquired %lld -> %lld", HUNDRED_VMS, t0, before, after,
		  before - after, pin0, pin1);
	EXPECT_LT(before - after, 1024);
	if (pin0 >= 0)
		EXPECT_EQ(pin1, pin0);
}

/* kill -9 of a VMM with touched guest memory: every page comes back. */
static void test_kill9_returns_memory(void)
{
	struct meminfo m0, m1;
	long before, after;
	pid_t pid;
	int p[2], status;
	char c;

	one_cpu_boot_only();
	/* Warm up: one-time allocations of a first VM are not the point. */
	run_in_child(hundred_vms_child, 1);
	before = mem_available();
	meminfo_read(&m0);
	ASSERT_EQ(pipe(p), 0);
	pid = fork();
	ASSERT_GE(pid, 0);
	if (pid == 0) {
		uint8_t *m = aligned_anon(TOUCH_SIZE, PROT_READ | PROT_WRITE);
		struct access a;
		struct tvm t;

		mem_vm(&t);
		ASSERT_OK(region(&t.vm, 1, 0, RAM_GPA, TOUCH_SIZE, U(m)));
		mem_round(&t, RAM_GPA, MEM_OP_TOUCH, TOUCH_SIZE, &a);
		if (write(p[1], "x", 1) != 1)
			_exit(1);
		/* Spin in the guest until killed. */
		*GUEST_VAR(&t, mem_op) = MEM_OP_SUM;
		*GUEST_VAR(&t, mem_addr) = RAM_GPA;
		for (;;) {
			*GUEST_VAR(&t, mem_val) = TOUCH_SIZE;
			mv_run(t.vm.vcpu_fd);
		}
	}
	close(p[1]);
	ASSERT_EQ(read(p[0], &c, 1), 1);
	close(p[0]);
	ASSERT_EQ(kill(pid, SIGKILL), 0);
	ASSERT_EQ(waitpid(pid, &status, 0), pid);
	after = mem_available();
	meminfo_read(&m1);
	meminfo_diff(&m0, &m1);
	test_diag("MemAvailable %ld -> %ld KiB across a killed VMM (drop %ld)", before, after,
		  before - after);
	EXPECT_LT(before - after, 1024);
}

/* Reads the "EPT mappings made" line the module logs when a VM of ours goes away. */
static bool ept_log_line(int kmsg, pid_t pid, unsigned long long *small,
			 unsigned long long *large)
{
	char buf[1024], key[64];
	ssize_t n;
	char *s;

	snprintf(key, sizeof(key), "VM of pid %d destroyed", (int)pid);
	while ((n = read(kmsg, buf, sizeof(buf) - 1)) > 0) {
		buf[n] = 0;
		s = strstr(buf, key);
		if (s && sscanf(s + strlen(key), ": EPT mappings made: %llu of 4 KiB, %llu of 2 MiB",
				small, large) == 2)
			return true;
	}
	return false;
}

/*
 * Memory backed by transparent huge pages is mapped with 2 MiB EPT leaves:
 * touching 8 MiB needs 4 second-level faults, not 2,048.
 */
static void test_thp_backed_2m_ept(void)
{
	const uint64_t size = 8 * MB;
	unsigned long long small = 0, large = 0;
	uint8_t *m = aligned_anon(size, PROT_READ | PROT_WRITE);
	struct access a;
	struct tvm t;
	int kmsg;

	madvise(m, size, MADV_HUGEPAGE);
	memset(m, 0x11, size);
	kmsg = open("/dev/kmsg", O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	if (kmsg < 0)
		test_skip("/dev/kmsg: %s", strerror(errno));
	lseek(kmsg, 0, SEEK_END);

	mem_vm(&t);
	ASSERT_OK(region(&t.vm, 1, 0, RAM_GPA, size, U(m)));
	mem_round(&t, RAM_GPA, MEM_OP_SUM, size, &a);
	EXPECT_EQ(a.value, (size / MEM_PAGE) * 0x1111111111111111ull);
	tvm_destroy(&t);
	if (!ept_log_line(kmsg, getpid(), &small, &large))
		TEST_FAIL("no 'VM of pid %d destroyed' line in /dev/kmsg", (int)getpid());
	test_diag("EPT mappings made: %llu of 4 KiB, %llu of 2 MiB", small, large);
	/* Slot 1 alone is 4 blocks; slot 0 (the image) may add some. */
	EXPECT_GE(large, 4);
	close(kmsg);
	munmap(m, size);
}

static const struct test_case tests[] = {
	{ "region_slot_out_of_range_einval", test_slot_out_of_range, 0 },
	{ "region_unknown_flags_einval", test_unknown_flags, 0 },
	{ "region_reserved_nonzero_einval", test_reserved_nonzero, 0 },
	{ "region_misaligned_einval", test_misaligned, 0 },
	{ "region_size_above_max_einval", test_size_above_max, 0 },
	{ "region_beyond_guest_phys_bits_einval", test_phys_range, 0 },
	{ "region_overlap_eexist", test_overlap, 0 },
	{ "region_slot_in_use_eexist", test_slot_in_use, 0 },
	{ "region_unmapped_memory_efault", test_unmapped_userspace_addr, 0 },
	{ "region_readonly_mapping", test_readonly_mapping, 0 },
	{ "region_bad_struct_pointer_efault", test_bad_struct_pointer, 0 },
	{ "region_delete_and_recreate", test_delete_and_recreate, 0 },
	{ "create_vcpu_ids", test_create_vcpu_ids, 0 },
	{ "mmap_run_page", test_mmap_run_page, 0 },
	{ "set_sregs_reserved_einval", test_set_sregs_reserved, 0 },
	{ "ept_tables_freed_on_slot_move", test_ept_tables_freed_on_slot_move, 300 },
	{ "stale_mapping_madv_dontneed", test_stale_mapping_madv_dontneed, 0 },
	{ "stale_mapping_memfd_punch_hole", test_stale_mapping_memfd, 0 },
	{ "fork_cow_guest_write", test_fork_cow, 0 },
	{ "no_host_memory_outside_slots", test_no_host_memory_outside_slots, 0 },
	{ "readonly_64g_slots_lazy", test_readonly_64g_slots_lazy, 0 },
	{ "writable_slot_larger_than_ram", test_writable_slot_larger_than_ram, 0 },
	{ "thp_backed_slot_2m_ept", test_thp_backed_2m_ept, 0 },
	{ "kill9_returns_memory", test_kill9_returns_memory, 60 },
	{ "hundred_vms_touching_64m", test_hundred_vms_touching_64m, 600 },
};

int main(int argc, char **argv)
{
	return test_main(argc, argv, tests, ARRAY_SIZE(tests));
}
