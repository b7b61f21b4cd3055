// SPDX-License-Identifier: GPL-2.0
/*
 * System-level ABI: API version, capabilities, ENOTTY for ioctls that do not
 * belong to an fd type, MV_CREATE_VM flags, the vCPU reset state and the
 * register ioctls' round trips and bad pointers.
 */
#include <fcntl.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <termios.h>
#include <unistd.h>

#include "test_harness.h"
#include "vm.h"

/* An ioctl number of our type that no version of the ABI defines. */
#define MV_UNDEFINED_IOCTL	_IO(MVIO, 0x7f)

static int sys_open(void)
{
	int fd = mv_open();
	char e[96];

	if (fd < 0)
		TEST_FAIL("open %s: %s", MV_DEVICE_PATH, test_errno_str(fd, e, sizeof(e)));
	return fd;
}

/* -errno of a raw ioctl, for requests the library has no wrapper for. */
static long raw_ioctl(int fd, unsigned long req, unsigned long arg)
{
	long ret = ioctl(fd, req, arg);

	return ret < 0 ? -errno : ret;
}

/*
 * A page the kernel cannot copy to or from. PROT_NONE and kept mapped: an
 * unmapped hole could be reused by the next mmap (the run page, say).
 */
static void *inaccessible_page(void)
{
	void *p = mmap(NULL, 4096, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	ASSERT_TRUE(p != MAP_FAILED);
	return p;
}

static void test_api_version(void)
{
	int fd = sys_open();

	ASSERT_EQ(mv_get_api_version(fd), 1);
	ASSERT_EQ(MV_API_VERSION, 1);
	close(fd);
}

static void test_check_cap_values(void)
{
	int fd = sys_open();
	long slots = mv_check_cap(fd, MV_CAP_NR_MEMSLOTS);
	long vcpus = mv_check_cap(fd, MV_CAP_MAX_VCPUS);
	long ro = mv_check_cap(fd, MV_CAP_READONLY_MEM);
	long imm = mv_check_cap(fd, MV_CAP_IMMEDIATE_EXIT);
	long unres = mv_check_cap(fd, MV_CAP_UNRESTRICTED);
	long mmap_size = mv_check_cap(fd, MV_CAP_VCPU_MMAP_SIZE);
	long slot_mib = mv_check_cap(fd, MV_CAP_MAX_MEMSLOT_SIZE);
	long bits = mv_check_cap(fd, MV_CAP_GUEST_PHYS_BITS);

	test_diag("NR_MEMSLOTS %ld, MAX_VCPUS %ld, READONLY_MEM %ld, IMMEDIATE_EXIT %ld, "
		  "UNRESTRICTED %ld", slots, vcpus, ro, imm, unres);
	test_diag("VCPU_MMAP_SIZE %ld, MAX_MEMSLOT_SIZE %ld MiB, GUEST_PHYS_BITS %ld",
		  mmap_size, slot_mib, bits);
	EXPECT_GE(slots, 1);
	EXPECT_GE(vcpus, 1);
	EXPECT_EQ(ro, 1);
	EXPECT_EQ(imm, 1);
	EXPECT_EQ(unres, 1);
	EXPECT_GE(mmap_size, (long)sizeof(struct mv_run));
	EXPECT_EQ(mmap_size % sysconf(_SC_PAGESIZE), 0);
	EXPECT_GE(slot_mib, 1);
	/* x86-64 physical addresses are 36 to 52 bits wide. */
	EXPECT_GE(bits, 32);
	EXPECT_LE(bits, 52);
	close(fd);
}

static void test_check_cap_unknown(void)
{
	static const unsigned long unknown[] = { 0, 1000, 0x7fffffff, 0xffffffff };
	int fd = sys_open();
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(unknown); i++) {
		test_diag("cap %lu", unknown[i]);
		EXPECT_EQ(raw_ioctl(fd, MV_CHECK_CAP, unknown[i]), 0);
	}
	/*
	 * The argument is an unsigned long: a known number with high bits set
	 * is not that capability (no truncation on the way to the backend).
	 */
	for (i = MV_CAP_NR_MEMSLOTS; i <= MV_CAP_GUEST_PHYS_BITS; i++) {
		test_diag("cap 0x%lx", (1ul << 32) | i);
		EXPECT_EQ(raw_ioctl(fd, MV_CHECK_CAP, (1ul << 32) | i), 0);
	}
	close(fd);
}

static void test_unknown_ioctl_system_fd(void)
{
	struct mv_memory_region r;
	struct termios tio;
	int fd = sys_open();

	memset(&r, 0, sizeof(r));
	EXPECT_ERR(raw_ioctl(fd, MV_UNDEFINED_IOCTL, 0), ENOTTY);
	EXPECT_ERR(raw_ioctl(fd, TCGETS, (unsigned long)&tio), ENOTTY);
	/* VM and vCPU ioctls on the system fd. */
	EXPECT_ERR(raw_ioctl(fd, MV_SET_MEMORY_REGION, (unsigned long)&r), ENOTTY);
	EXPECT_ERR(raw_ioctl(fd, MV_CREATE_VCPU, 0), ENOTTY);
	EXPECT_ERR(raw_ioctl(fd, MV_RUN, 0), ENOTTY);
	close(fd);
}

static void test_unknown_ioctl_vm_fd(void)
{
	struct mv_regs regs;
	struct mv_vm vm;

	ASSERT_OK(mv_vm_create(&vm, RM_MEM_SIZE));
	EXPECT_ERR(raw_ioctl(vm.vm_fd, MV_UNDEFINED_IOCTL, 0), ENOTTY);
	/* System ioctls on a VM fd. */
	EXPECT_ERR(raw_ioctl(vm.vm_fd, MV_GET_API_VERSION, 0), ENOTTY);
	EXPECT_ERR(raw_ioctl(vm.vm_fd, MV_CHECK_CAP, MV_CAP_NR_MEMSLOTS), ENOTTY);
	EXPECT_ERR(raw_ioctl(vm.vm_fd, MV_CREATE_VM, 0), ENOTTY);
	/* vCPU ioctls on a VM fd. */
	EXPECT_ERR(raw_ioctl(vm.vm_fd, MV_RUN, 0), ENOTTY);
	EXPECT_ERR(raw_ioctl(vm.vm_fd, MV_GET_REGS, (unsigned long)&regs), ENOTTY);
	mv_vm_destroy(&vm);
}

static void test_unknown_ioctl_vcpu_fd(void)
{
	struct mv_memory_region r;
	struct mv_vm vm;

	memset(&r, 0, sizeof(r));
	ASSERT_OK(mv_vm_create(&vm, RM_MEM_SIZE));
	EXPECT_ERR(raw_ioctl(vm.vcpu_fd, MV_UNDEFINED_IOCTL, 0), ENOTTY);
	EXPECT_ERR(raw_ioctl(vm.vcpu_fd, _IO(MVIO, 0x25), 0), ENOTTY);
	/* System and VM ioctls on a vCPU fd. */
	EXPECT_ERR(raw_ioctl(vm.vcpu_fd, MV_GET_API_VERSION, 0), ENOTTY);
	EXPECT_ERR(raw_ioctl(vm.vcpu_fd, MV_CREATE_VM, 0), ENOTTY);
	EXPECT_ERR(raw_ioctl(vm.vcpu_fd, MV_CREATE_VCPU, 1), ENOTTY);
	EXPECT_ERR(raw_ioctl(vm.vcpu_fd, MV_SET_MEMORY_REGION, (unsigned long)&r), ENOTTY);
	mv_vm_destroy(&vm);
}

static void test_create_vm_flags(void)
{
	static const unsigned long bad[] = { 1, 2, 1ul << 31, 1ul << 32, ~0ul };
	int fd = sys_open();
	unsigned int i;
	long vm;

	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		test_diag("flags 0x%lx", bad[i]);
		EXPECT_ERR(raw_ioctl(fd, MV_CREATE_VM, bad[i]), EINVAL);
	}
	vm = raw_ioctl(fd, MV_CREATE_VM, 0);
	ASSERT_OK(vm);
	/* Documented: the VM fd is O_CLOEXEC. */
	EXPECT_TRUE(fcntl((int)vm, F_GETFD) & FD_CLOEXEC);
	close((int)vm);
	close(fd);
}

static void test_vcpu_reset_state(void)
{
	struct mv_sregs s;
	struct mv_regs r;
	struct mv_vm vm;

	/* mv_vm_create() sets nothing: vCPU 0 is as MV_CREATE_VCPU made it. */
	ASSERT_OK(mv_vm_create(&vm, RM_MEM_SIZE));
	ASSERT_OK(mv_get_regs(vm.vcpu_fd, &r));
	ASSERT_OK(mv_get_sregs(vm.vcpu_fd, &s));
	EXPECT_EQ(r.rip, 0xfff0);
	EXPECT_EQ(r.rflags, 0x2);
	EXPECT_EQ(r.rdx, 0x600);
	EXPECT_EQ(s.cs.selector, 0xf000);
	EXPECT_EQ(s.cs.base, 0xffff0000);
	EXPECT_EQ(s.cr0, 0x60000010);
	/* Real mode: no paging, no long mode. */
	EXPECT_EQ(s.efer, 0);
	EXPECT_EQ(s.cr4, 0);
	mv_vm_destroy(&vm);
}

static void test_regs_round_trip(void)
{
	struct mv_regs in, out;
	struct mv_vm vm;
	uint64_t *w = (uint64_t *)&in;
	unsigned int i;

	ASSERT_OK(mv_vm_create(&vm, RM_MEM_SIZE));
	/* Distinct values in every field, so a swapped field shows. */
	for (i = 0; i < sizeof(in) / sizeof(uint64_t); i++)
		w[i] = 0x0101010101010101ull * (i + 1) ^ 0x8000000000000000ull;
	in.rip = 0x1234;
	in.rflags = 0x0;	/* bit 1 must come back set */
	ASSERT_OK(mv_set_regs(vm.vcpu_fd, &in));
	ASSERT_OK(mv_get_regs(vm.vcpu_fd, &out));
	EXPECT_EQ(out.rax, in.rax);
	EXPECT_EQ(out.rbx, in.rbx);
	EXPECT_EQ(out.rcx, in.rcx);
	EXPECT_EQ(out.rdx, in.rdx);
	EXPECT_EQ(out.rsi, in.rsi);
	EXPECT_EQ(out.rdi, in.rdi);
	EXPECT_EQ(out.rsp, in.rsp);
	EXPECT_EQ(out.rbp, in.rbp);
	EXPECT_EQ(out.r8, in.r8);
	EXPECT_EQ(out.r9, in.r9);
	EXPECT_EQ(out.r10, in.r10);
	EXPECT_EQ(out.r11, in.r11);
	EXPECT_EQ(out.r12, in.r12);
	EXPECT_EQ(out.r13, in.r13);
	EXPECT_EQ(out.r14, in.r14);
	EXPECT_EQ(out.r15, in.r15);
	EXPECT_EQ(out.rip, 0x1234);
	EXPECT_EQ(out.rflags, 0x2);
	mv_vm_destroy(&vm);
}

static void expect_seg_eq(const char *name, const struct mv_segment *a,
			  const struct mv_segment *b)
{
	if (memcmp(a, b, sizeof(*a)) == 0)
		return;
	test_diag("segment %s differs after the round trip:", name);
	EXPECT_EQ(b->selector, a->selector);
	EXPECT_EQ(b->base, a->base);
	EXPECT_EQ(b->limit, a->limit);
	EXPECT_EQ(b->type, a->type);
	EXPECT_EQ(b->present, a->present);
	EXPECT_EQ(b->dpl, a->dpl);
	EXPECT_EQ(b->db, a->db);
	EXPECT_EQ(b->s, a->s);
	EXPECT_EQ(b->l, a->l);
	EXPECT_EQ(b->g, a->g);
	EXPECT_EQ(b->avl, a->avl);
	EXPECT_EQ(b->unusable, a->unusable);
	EXPECT_EQ(b->padding, 0);
}

static void check_sregs_round_trip(int vcpu_fd, const struct mv_sregs *in)
{
	struct mv_sregs out;

	ASSERT_OK(mv_set_sregs(vcpu_fd, in));
	ASSERT_OK(mv_get_sregs(vcpu_fd, &out));
	expect_seg_eq("cs", &in->cs, &out.cs);
	expect_seg_eq("ds", &in->ds, &out.ds);
	expect_seg_eq("es", &in->es, &out.es);
	expect_seg_eq("fs", &in->fs, &out.fs);
	expect_seg_eq("gs", &in->gs, &out.gs);
	expect_seg_eq("ss", &in->ss, &out.ss);
	expect_seg_eq("tr", &in->tr, &out.tr);
	if (!in->ldt.unusable)
		expect_seg_eq("ldt", &in->ldt, &out.ldt);
	EXPECT_EQ(out.gdt.base, in->gdt.base);
	EXPECT_EQ(out.gdt.limit, in->gdt.limit);
	EXPECT_EQ(out.idt.base, in->idt.base);
	EXPECT_EQ(out.idt.limit, in->idt.limit);
	/* CR0/CR4 as the guest sees them: VMX's forced bits stay hidden. */
	EXPECT_EQ(out.cr0, in->cr0);
	EXPECT_EQ(out.cr3, in->cr3);
	EXPECT_EQ(out.cr4, in->cr4);
	EXPECT_EQ(out.efer, in->efer);
}

static void test_sregs_round_trip(void)
{
	struct mv_sregs s;
	struct mv_vm vm;

	ASSERT_OK(mv_vm_create(&vm, RM_MEM_SIZE));

	test_diag("real mode, CS 0x1234");
	mv_sregs_real_mode(&s, 0x1234);
	s.gdt.base = 0x5000;
	s.gdt.limit = 0x37;
	s.idt.base = 0x6000;
	s.idt.limit = 0x3ff;
	check_sregs_round_trip(vm.vcpu_fd, &s);

	/* 1 GiB map: tables at 0x8000 (3 pages), GDT at 0xc000, inside 64 KiB. */
	test_diag("64-bit mode");
	ASSERT_OK(mv_setup_long_mode(&vm, &s, 0x8000, 0xc000, 1ull << 30));
	s.idt.base = 0xd000;
	s.idt.limit = 0xfff;
	check_sregs_round_trip(vm.vcpu_fd, &s);
	mv_vm_destroy(&vm);
}

static void test_register_ioctls_bad_pointer(void)
{
	void *bad[] = { (void *)8, inaccessible_page(), (void *)0xffff888000000000ull };
	struct mv_vm vm;
	unsigned int i;

	ASSERT_OK(mv_vm_create(&vm, RM_MEM_SIZE));
	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		test_diag("pointer %p", bad[i]);
		EXPECT_ERR(mv_get_regs(vm.vcpu_fd, bad[i]), EFAULT);
		EXPECT_ERR(mv_set_regs(vm.vcpu_fd, bad[i]), EFAULT);
		EXPECT_ERR(mv_get_sregs(vm.vcpu_fd, bad[i]), EFAULT);
		EXPECT_ERR(mv_set_sregs(vm.vcpu_fd, bad[i]), EFAULT);
	}
	mv_vm_destroy(&vm);
}

static const struct test_case tests[] = {
	{ "api_version", test_api_version, 0 },
	{ "check_cap_values", test_check_cap_values, 0 },
	{ "check_cap_unknown_is_zero", test_check_cap_unknown, 0 },
	{ "unknown_ioctl_system_fd_enotty", test_unknown_ioctl_system_fd, 0 },
	{ "unknown_ioctl_vm_fd_enotty", test_unknown_ioctl_vm_fd, 0 },
	{ "unknown_ioctl_vcpu_fd_enotty", test_unknown_ioctl_vcpu_fd, 0 },
	{ "create_vm_flags_einval", test_create_vm_flags, 0 },
	{ "vcpu_reset_state", test_vcpu_reset_state, 0 },
	{ "regs_round_trip", test_regs_round_trip, 0 },
	{ "sregs_round_trip", test_sregs_round_trip, 0 },
	{ "register_ioctls_bad_pointer_efault", test_register_ioctls_bad_pointer, 0 },
};

int main(int argc, char **argv)
{
	return test_main(argc, argv, tests, ARRAY_SIZE(tests));
}
