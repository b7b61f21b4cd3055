// SPDX-License-Identifier: GPL-2.0
/*
 * MV_SET_MEMORY_REGION, MV_CREATE_VCPU, the run-page mmap and MV_SET_SREGS
 * argument validation: every documented EINVAL, EEXIST and EFAULT, the
 * boundaries next to them that must succeed, and that a failed call leaves
 * nothing behind.
 */
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include "test_harness.h"
#include "vm.h"

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
};

int main(int argc, char **argv)
{
	return test_main(argc, argv, tests, ARRAY_SIZE(tests));
}
