// SPDX-License-Identifier: GPL-2.0
/*
 * MMIO: guest accesses to GPAs without a slot exit as MV_EXIT_MMIO with the
 * address, size, direction and data; read data supplied by the test lands
 * in the destination register with x86 semantics; a read-only slot serves
 * reads from memory and turns writes into exits; unsupported instructions
 * are reported as MV_INTERNAL_EMULATION.
 */
#include <stdlib.h>
#include <sys/mman.h>

#include "test_harness.h"
#include "vm.h"
#include "mmio_common.h"

/* mmio_guest.c */
uint64_t guest_mmio_write_modrm(uint64_t base);
uint64_t guest_mmio_write_moffs(uint64_t arg);
uint64_t guest_mmio_write_regs(uint64_t base);
uint64_t guest_mmio_read(uint64_t base);
uint64_t guest_mmio_read_cancel(uint64_t base);
uint64_t guest_mmio_readonly(uint64_t arg);
uint64_t guest_mmio_bad_insn(uint64_t addr);
extern const uint8_t guest_mmio_bad_insn_rip[];

struct access {
	uint64_t offset;
	uint32_t len;
	uint64_t value;
	const char *insn;
};

/* Runs the guest through the given writes, each its own exit, then DONE. */
static void expect_writes(struct tvm *t, const struct access *w, unsigned int n,
			  uint64_t done_value)
{
	unsigned int i;

	for (i = 0; i < n; i++) {
		uint64_t got = 0;
		uint8_t *data;

		test_diag("write %u: %s", i, w[i].insn);
		tvm_run(t);
		data = tvm_expect_mmio(t, MMIO_BASE + w[i].offset, w[i].len, 1);
		memcpy(&got, data, w[i].len);
		EXPECT_EQ(got, w[i].value);
	}
	EXPECT_EQ(tvm_run_done(t), done_value);
}

static void test_write_modrm(void)
{
	static const struct access w[] = {
		{ 0x00, 1, 0x11, "88 movb %al" },
		{ 0x10, 2, 0x2233, "66 89 movw %ax" },
		{ 0x20, 4, 0x44556677, "89 movl %eax" },
		{ 0x28, 8, 0x8899aabbccddeeffull, "48 89 movq %rax" },
		{ 0x31, 1, 0x5a, "c6 movb $imm8" },
		{ 0x32, 2, 0xbeef, "66 c7 movw $imm16" },
		{ 0x34, 4, 0x12345678, "c7 movl $imm32" },
		{ 0x38, 8, 0xfffffffffffffffeull, "48 c7 movq $imm32 (sign-extended)" },
	};
	struct tvm t;

	tvm_create_long(&t, guest_mmio_write_modrm, MMIO_BASE);
	expect_writes(&t, w, ARRAY_SIZE(w), 1);
	tvm_destroy(&t);
}

static void test_write_moffs(void)
{
	static const struct access w[] = {
		{ 0x100, 1, 0x7e, "a2 movabs %al" },
		{ 0x102, 2, 0x1234, "66 a3 movabs %ax" },
		{ 0x104, 4, 0xdeadbeef, "a3 movabs %eax" },
		{ 0x108, 8, 0x0123456789abcdefull, "48 a3 movabs %rax" },
	};
	struct tvm t;

	tvm_create_long(&t, guest_mmio_write_moffs, 0);
	expect_writes(&t, w, ARRAY_SIZE(w), 2);
	tvm_destroy(&t);
}

static void test_write_regs(void)
{
	static const struct access w[] = {
		{ 0x48, 1, 0x12, "88 movb %ah (no REX: register 4 is AH)" },
		{ 0x49, 1, 0x77, "40 88 movb %sil (REX: register 6 is SIL)" },
		{ 0x4c, 4, 0xa1b2c3d4, "44 89 movl %r10d" },
		{ 0x50, 8, 0x0f1e2d3c4b5a6978ull, "4c 89 movq %r9" },
	};
	struct tvm t;

	tvm_create_long(&t, guest_mmio_write_regs, MMIO_BASE);
	expect_writes(&t, w, ARRAY_SIZE(w), 3);
	tvm_destroy(&t);
}

static void test_read(void)
{
	static const struct access r[] = {
		{ RD_AL, 1, MMIO_RD8, "8a movb -> %al" },
		{ RD_AX, 2, MMIO_RD16, "66 8b movw -> %ax" },
		{ RD_EAX, 4, MMIO_RD32, "8b movl -> %eax" },
		{ RD_RAX, 8, MMIO_RD64, "48 8b movq -> %rax" },
		{ RD_MOFFS_AL, 1, MMIO_RD8, "a0 movabs -> %al" },
		{ RD_MOFFS_EAX, 4, MMIO_RD32, "a1 movabs -> %eax" },
		{ RD_MOFFS_RAX, 8, MMIO_RD64, "48 a1 movabs -> %rax" },
		{ RD_AH, 1, MMIO_RD8, "8a movb -> %ah" },
		{ RD_R11, 8, MMIO_RD64, "4c 8b movq -> %r11" },
		{ RD_R11B, 1, MMIO_RD8, "44 8a movb -> %r11b" },
	};
	struct tvm t;
	unsigned int i;

	tvm_create_long(&t, guest_mmio_read, MMIO_BASE);
	for (i = 0; i < ARRAY_SIZE(r); i++) {
		uint8_t *data;

		test_diag("read %u: %s", i, r[i].insn);
		tvm_run(&t);
		data = tvm_expect_mmio(&t, MMIO_BASE + r[i].offset, r[i].len, 0);
		/* Junk past len must not reach the register. */
		memset(data, 0xee, 8);
		memcpy(data, &r[i].value, r[i].len);
	}
	/* The guest compared every register with GUEST_ASSERT_EQ. */
	EXPECT_EQ(tvm_run_done(&t), 4);
	tvm_destroy(&t);
}

/* MV_SET_REGS after an MMIO read exit: the caller's RAX wins. */
static void test_read_cancelled_by_set_regs(void)
{
	const uint64_t mine = 0x5555666677778888ull;
	struct mv_regs regs;
	struct tvm t;
	uint8_t *data;

	tvm_create_long(&t, guest_mmio_read_cancel, MMIO_BASE);
	tvm_run(&t);
	data = tvm_expect_mmio(&t, MMIO_BASE + RD_CANCEL, 8, 0);
	memset(data, 0x11, 8);
	tvm_get_regs(&t, &regs);
	regs.rax = mine;
	tvm_set_regs(&t, &regs);
	EXPECT_EQ(tvm_run_done(&t), mine);
	tvm_destroy(&t);
}

static void test_readonly_slot(void)
{
	uint64_t *ro, *copy, i, h = RO_HASH_INIT, got = 0;
	struct tvm t;
	uint8_t *data;

	ro = mmap(NULL, RO_SIZE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	copy = malloc(RO_SIZE);
	ASSERT_TRUE(ro != MAP_FAILED && copy);
	for (i = 0; i < RO_SIZE / 8; i++) {
		ro[i] = ro_word(i);
		h = ro_hash(h, ro[i]);
	}
	memcpy(copy, ro, RO_SIZE);

	tvm_create_long(&t, guest_mmio_readonly, 0);
	ASSERT_OK(mv_set_memory_region(t.vm.vm_fd, 1, MV_MEM_READONLY, RO_GPA, RO_SIZE, ro));

	tvm_run(&t);
	data = tvm_expect_mmio(&t, RO_GPA + RO_WRITE_OFFSET, 8, 1);
	memcpy(&got, data, 8);
	EXPECT_EQ(got, RO_WRITE_VALUE);
	tvm_run(&t);
	data = tvm_expect_mmio(&t, RO_GPA + RO_BYTE_OFFSET, 1, 1);
	EXPECT_EQ(data[0], RO_BYTE_VALUE);

	/* The guest's hash of the slot equals ours: reads came from memory. */
	EXPECT_EQ(tvm_run_done(&t), h);
	EXPECT_EQ(memcmp(ro, copy, RO_SIZE), 0);
	tvm_destroy(&t);
	munmap(ro, RO_SIZE);
	free(copy);
}

static void test_unsupported_insn(void)
{
	const uint64_t gpa = MMIO_BASE + BAD_INSN_OFFSET;
	uint64_t bytes[2];
	struct mv_run *run;
	struct tvm t;

	tvm_create_long(&t, guest_mmio_bad_insn, gpa);
	run = t.vm.run;
	tvm_run_expect(&t, MV_EXIT_INTERNAL_ERROR);
	EXPECT_EQ(run->internal.suberror, MV_INTERNAL_EMULATION);
	ASSERT_GE(run->internal.ndata, 4);
	ASSERT_LE(run->internal.ndata, MV_INTERNAL_MAX_DATA);
	EXPECT_EQ(run->internal.data[0], gpa);
	EXPECT_EQ(run->internal.data[1], (uint64_t)(uintptr_t)guest_mmio_bad_insn_rip);
	/* The instruction bytes as in the image (identical in guest memory). */
	memcpy(bytes, guest_mmio_bad_insn_rip, sizeof(bytes));
	test_diag("insn bytes reported 0x%016llx 0x%016llx, in the image 0x%016llx 0x%016llx",
		  (unsigned long long)run->internal.data[2],
		  (unsigned long long)run->internal.data[3],
		  (unsigned long long)bytes[0], (unsigned long long)bytes[1]);
	/*
	 * An x86 instruction has at most 15 bytes, and that is what the module
	 * fetches (Documentation/api.md says 16): compare bytes 0-14.
	 */
	EXPECT_EQ(run->internal.data[2], bytes[0]);
	EXPECT_EQ(run->internal.data[3] & 0x00ffffffffffffffull,
		  bytes[1] & 0x00ffffffffffffffull);
	tvm_destroy(&t);
}

static const struct test_case tests[] = {
	{ "mmio_write_modrm_and_imm_sizes", test_write_modrm, 0 },
	{ "mmio_write_moffs", test_write_moffs, 0 },
	{ "mmio_write_register_encodings", test_write_regs, 0 },
	{ "mmio_read_completion", test_read, 0 },
	{ "mmio_read_cancelled_by_set_regs", test_read_cancelled_by_set_regs, 0 },
	{ "mmio_readonly_slot", test_readonly_slot, 0 },
	{ "mmio_unsupported_insn_internal_error", test_unsupported_insn, 0 },
};

int main(int argc, char **argv)
{
	return test_main(argc, argv, tests, ARRAY_SIZE(tests));
}
