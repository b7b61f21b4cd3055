// SPDX-License-Identifier: GPL-2.0
/*
 * MMIO: guest accesses to GPAs without a slot exit as MV_EXIT_MMIO with the
 * address, size, direction and data; read data supplied by the test lands
 * in the destination register with x86 semantics; a read-only slot serves
 * reads from memory and turns writes into exits; unsupported instructions
 * are reported as MV_INTERNAL_EMULATION.
 */
#include <errno.h>
#include <stdlib.h>
#include <sys/ioctl.h>
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
extern const uint8_t guest_mmio_read_cancel_after[];
uint64_t guest_mmio_readonly(uint64_t arg);
uint64_t guest_mmio_bad_insn(uint64_t addr);
extern const uint8_t guest_mmio_bad_insn_rip[];
uint64_t guest_mmio_ops(uint64_t arg);
uint64_t guest_mmio_stos(uint64_t base);
uint64_t guest_mmio_rep_stos(uint64_t dst);
extern const uint8_t guest_mmio_rep_stos_rip[], guest_mmio_rep_stos_after[];
uint64_t guest_mmio_movs_to_mmio(uint64_t base);
uint64_t guest_mmio_movs_from_mmio(uint64_t base);
uint64_t guest_mmio_movs_lods(uint64_t base);
uint64_t guest_mmio_split_write(uint64_t arg);
uint64_t guest_mmio_split_read(uint64_t arg);
uint64_t guest_mmio_split_write_mmio_first(uint64_t arg);
uint64_t guest_mmio_split_rmw(uint64_t arg);
uint64_t guest_mmio_split_odd(uint64_t arg);
uint64_t guest_mmio_split_locked(uint64_t arg);
uint64_t guest_mmio_fs(uint64_t arg);
uint64_t guest_mmio_riprel(uint64_t arg);
extern const uint8_t guest_mmio_riprel_load[], guest_mmio_riprel_end[];
extern const uint8_t rm_mmio16_start[], rm_mmio16_end[];
extern const uint8_t rm_mmio32_start[], rm_mmio32_end[];

/* The same table as the guest's; here it computes the reference results. */
OPS_ALL(OPS_FN)
static const struct ops_case ops_cases[] = { OPS_ALL(OPS_ENTRY) };

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

/*
 * MV_SET_REGS after an MMIO read exit drops the completion: the caller's
 * registers win (here RIP past the load and its own RAX). Without it the
 * read would complete at the next MV_RUN and advance RIP then.
 */
static void test_read_cancelled_by_set_regs(void)
{
	const uint64_t mine = 0x5555666677778888ull;
	struct mv_regs regs;
	struct tvm t;
	uint8_t *data;

	tvm_create_long(&t, guest_mmio_read_cancel, MMIO_BASE + RD_CANCEL);
	tvm_run(&t);
	data = tvm_expect_mmio(&t, MMIO_BASE + RD_CANCEL, 8, 0);
	memset(data, 0x11, 8);
	tvm_get_regs(&t, &regs);
	regs.rax = mine;
	regs.rip = (uint64_t)(uintptr_t)guest_mmio_read_cancel_after;
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
	/* data[4]: why (1: not an instruction the decoder knows). */
	if (run->internal.ndata >= 5)
		EXPECT_EQ(run->internal.data[4], 1);
	tvm_destroy(&t);
}


/* The next exit must be an MMIO read of gpa/len; answers it with value. */
static void answer_read(struct tvm *t, uint64_t gpa, uint32_t len, uint64_t value)
{
	uint8_t *data = tvm_expect_mmio(t, gpa, len, 0);

	/* Junk past len must not reach the guest. */
	memset(data, 0xee, 8);
	memcpy(data, &value, len);
}

static uint64_t expect_write(struct tvm *t, uint64_t gpa, uint32_t len)
{
	uint64_t got = 0;

	memcpy(&got, tvm_expect_mmio(t, gpa, len, 1), len);
	return got;
}

/*
 * Table cases first..first+n: each a read exit answered with
 * OPS_MMIO_VALUE and, for read-modify-write, a write exit whose data must
 * be what the same instruction computes on this CPU; the guest compares
 * registers and flags with its own run on RAM.
 */
static void run_ops(unsigned int first, unsigned int n)
{
	struct tvm t;
	unsigned int i;

	ASSERT_LE(first + n, (unsigned int)OPS_TOTAL);
	tvm_create_long(&t, guest_mmio_ops, (uint64_t)first << 16 | n);
	for (i = first; i < first + n; i++) {
		const struct ops_case *c = &ops_cases[i];
		uint64_t gpa = MMIO_BASE + ops_gpa_offset(i) + c->disp, want = 0, src = c->src;
		uint8_t ref[48] = {};
		uint64_t v = OPS_MMIO_VALUE;

		test_diag("%s", c->name);
		tvm_run(&t);
		answer_read(&t, gpa, c->size, OPS_MMIO_VALUE);
		if (c->kind != OPS_RMW)
			continue;
		memcpy(ref + 16 + c->disp, &v, c->size);
		c->fn((uint64_t)(uintptr_t)(ref + 16), &src);
		memcpy(&want, ref + 16 + c->disp, c->size);
		tvm_run(&t);
		EXPECT_EQ(expect_write(&t, gpa, c->size), want);
	}
	EXPECT_EQ(tvm_run_done(&t), n);
	tvm_destroy(&t);
}

static void test_alu_rmw(void)
{
	run_ops(OPS_FIRST_ALU, OPS_N_ALU);
}

static void test_alu_read_only(void)
{
	run_ops(OPS_FIRST_ALU_READ, OPS_N_ALU_READ);
}

static void test_movzx_movsx(void)
{
	run_ops(OPS_FIRST_MOVX, OPS_N_MOVX);
}

static void test_xchg(void)
{
	run_ops(OPS_FIRST_XCHG, OPS_N_XCHG);
}

static void test_bt(void)
{
	run_ops(OPS_FIRST_BT, OPS_N_BT);
}

static void test_stos(void)
{
	const uint64_t dst = MMIO_BASE + STR_OFFSET;
	static const struct { uint64_t off; uint32_t len; uint64_t value; } w[] = {
		{ 0x00, 4, STR_STOS_VALUE }, { 0x04, 4, STR_STOS_VALUE },
		{ 0x08, 4, STR_STOS_VALUE },
		{ 0x41, 1, STR_STOSB_VALUE }, { 0x40, 1, STR_STOSB_VALUE },
		{ 0x80, 8, STR_STOSQ_VALUE },
		{ 0xc0, 2, STR_STOS_VALUE & 0xffff }, { 0xc2, 2, STR_STOS_VALUE & 0xffff },
	};
	struct tvm t;
	unsigned int i;

	tvm_create_long(&t, guest_mmio_stos, MMIO_BASE);
	for (i = 0; i < ARRAY_SIZE(w); i++) {
		test_diag("element %u at +0x%llx", i, (unsigned long long)w[i].off);
		tvm_run(&t);
		EXPECT_EQ(expect_write(&t, dst + w[i].off, w[i].len), w[i].value);
	}
	EXPECT_EQ(tvm_run_done(&t), 5);
	tvm_destroy(&t);
}

/*
 * Between the elements of a REP STOS the architectural state is the one
 * after that many iterations (RIP still on the instruction), and an
 * MV_RUN cut short by immediate_exit changes nothing.
 */
static void test_rep_stos_resumable(void)
{
	const uint64_t dst = MMIO_BASE + STR_OFFSET + 0x800;
	uint64_t rip = (uint64_t)(uintptr_t)guest_mmio_rep_stos_rip;
	struct mv_regs regs;
	struct tvm t;
	unsigned int k;

	tvm_create_long(&t, guest_mmio_rep_stos, dst);
	for (k = 0; k < 4; k++) {
		tvm_run(&t);
		EXPECT_EQ(expect_write(&t, dst + 4 * k, 4), 0x11223344);
		tvm_get_regs(&t, &regs);
		EXPECT_EQ(regs.rcx, 3 - k);
		EXPECT_EQ(regs.rdi, dst + 4 * (k + 1));
		EXPECT_EQ(regs.rip, k < 3 ? rip : (uint64_t)(uintptr_t)guest_mmio_rep_stos_after);
		if (k == 1) {
			t.vm.run->immediate_exit = 1;
			EXPECT_EQ(ioctl(t.vm.vcpu_fd, MV_RUN, 0), -1);
			EXPECT_EQ(errno, EINTR);
			EXPECT_EQ(t.vm.run->exit_reason, MV_EXIT_INTR);
			t.vm.run->immediate_exit = 0;
			/* Rewriting the same registers is harmless too. */
			tvm_set_regs(&t, &regs);
		}
	}
	EXPECT_EQ(tvm_run_done(&t), dst + 16);
	tvm_destroy(&t);
}

static void test_movs_to_mmio(void)
{
	const uint64_t dst = MMIO_BASE + STR_OFFSET + 0x100;
	struct tvm t;
	unsigned int i;

	tvm_create_long(&t, guest_mmio_movs_to_mmio, MMIO_BASE);
	for (i = 0; i < 3; i++) {
		tvm_run(&t);
		EXPECT_EQ(expect_write(&t, dst + 4 * i, 4), STR_MOVS_SRC0 + 0x01010101ull * i);
	}
	EXPECT_EQ(tvm_run_done(&t), 6);
	tvm_destroy(&t);
}

static void test_movs_from_mmio(void)
{
	const uint64_t src = MMIO_BASE + STR_OFFSET + 0x204;
	struct tvm t;
	unsigned int i;

	tvm_create_long(&t, guest_mmio_movs_from_mmio, MMIO_BASE);
	for (i = 0; i < 3; i++) {
		tvm_run(&t);
		answer_read(&t, src - 2 * i, 2, STR_MOVSW_IN0 + 0x1111 * i);
	}
	EXPECT_EQ(tvm_run_done(&t), 7);
	tvm_destroy(&t);
}

static void test_movs_mmio_to_mmio_and_lods(void)
{
	const uint64_t base = MMIO_BASE + STR_OFFSET;
	struct tvm t;

	tvm_create_long(&t, guest_mmio_movs_lods, MMIO_BASE);
	tvm_run(&t);
	answer_read(&t, base + 0x300, 1, STR_MOVSB_VALUE);
	tvm_run(&t);
	EXPECT_EQ(expect_write(&t, base + 0x380, 1), STR_MOVSB_VALUE);
	tvm_run(&t);
	answer_read(&t, base + 0x400, 4, STR_LODS_VALUE);
	EXPECT_EQ(tvm_run_done(&t), 8);
	tvm_destroy(&t);
}

/* Long-mode VM plus one page of RAM at gpa (slot 1 or 2); returns it. */
static uint8_t *split_vm(struct tvm *t, guest_fn fn, uint32_t slot, uint64_t gpa)
{
	uint8_t *ram = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	ASSERT_TRUE(ram != MAP_FAILED);
	tvm_create_long(t, fn, 0);
	ASSERT_OK(mv_set_memory_region(t->vm.vm_fd, slot, 0, gpa, 4096, ram));
	return ram;
}

/*
 * Review item 9: movl $0x11223344 at slot_end - 2. The RAM half lands in
 * the slot (44 33), only the other half (22 11) exits, at the slot end.
 * Before the fix: one 4-byte write at the slot end and the RAM half lost.
 */
static void test_split_write_ram_then_mmio(void)
{
	struct tvm t;
	uint8_t *ram = split_vm(&t, guest_mmio_split_write, 1, SPLIT_RAM_GPA);

	tvm_run(&t);
	EXPECT_EQ(expect_write(&t, SPLIT_RAM_GPA + 0x1000, 2), SPLIT_WR_VALUE >> 16);
	EXPECT_EQ(tvm_run_done(&t), SPLIT_WR_VALUE & 0xffff);
	EXPECT_EQ(ram[0xffe], 0x44);
	EXPECT_EQ(ram[0xfff], 0x33);
	tvm_destroy(&t);
	munmap(ram, 4096);
}

static void test_split_read_ram_then_mmio(void)
{
	struct tvm t;
	uint8_t *ram = split_vm(&t, guest_mmio_split_read, 1, SPLIT_RAM_GPA);

	tvm_run(&t);
	answer_read(&t, SPLIT_RAM_GPA + 0x1000, 2, SPLIT_RD_MMIO);
	/* movl zero-extends into RAX: bits 63:32 of the old value are gone. */
	EXPECT_EQ(tvm_run_done(&t), (uint64_t)SPLIT_RD_MMIO << 16 | SPLIT_RD_RAM);
	tvm_destroy(&t);
	munmap(ram, 4096);
}

static void test_split_write_mmio_then_ram(void)
{
	struct tvm t;
	uint8_t *ram = split_vm(&t, guest_mmio_split_write_mmio_first, 2, SPLIT_RAM2_GPA);

	tvm_run(&t);
	EXPECT_EQ(expect_write(&t, SPLIT_RAM2_GPA - 4, 4), SPLIT_WR2_VALUE & 0xffffffff);
	EXPECT_EQ(tvm_run_done(&t), SPLIT_WR2_VALUE >> 32);
	tvm_destroy(&t);
	munmap(ram, 4096);
}

/* An MMIO part of 5 bytes reaches userspace as 4 + 1: only 1/2/4/8-byte exits. */
static void test_split_odd_sizes(void)
{
	const uint64_t end = SPLIT_RAM_GPA + 0x1000;
	struct tvm t;
	uint8_t *ram = split_vm(&t, guest_mmio_split_odd, 1, SPLIT_RAM_GPA);

	tvm_run(&t);
	EXPECT_EQ(expect_write(&t, end, 4), (SPLIT_ODD_VALUE >> 24) & 0xffffffff);
	tvm_run(&t);
	EXPECT_EQ(expect_write(&t, end + 4, 1), SPLIT_ODD_VALUE >> 56);
	tvm_run(&t);
	answer_read(&t, end, 4, 0xa4a3a2a1);
	tvm_run(&t);
	answer_read(&t, end + 4, 1, 0xa5);
	EXPECT_EQ(tvm_run_done(&t), 0xa5a4a3a2a10302b1ull);
	tvm_destroy(&t);
	munmap(ram, 4096);
}

static void test_split_read_modify_write(void)
{
	struct tvm t;
	uint8_t *ram = split_vm(&t, guest_mmio_split_rmw, 1, SPLIT_RAM_GPA);

	tvm_run(&t);
	answer_read(&t, SPLIT_RAM_GPA + 0x1000, 2, 0);
	tvm_run(&t);
	/* 0x0000ffff + 1 = 0x00010000: the MMIO half gets the carry. */
	EXPECT_EQ(expect_write(&t, SPLIT_RAM_GPA + 0x1000, 2), 1);
	EXPECT_EQ(tvm_run_done(&t), 0);
	tvm_destroy(&t);
	munmap(ram, 4096);
}

/* A locked access half in RAM, half in MMIO cannot be atomic: refused. */
static void test_split_locked_refused(void)
{
	struct mv_run *run;
	struct tvm t;
	uint8_t *ram = split_vm(&t, guest_mmio_split_locked, 1, SPLIT_RAM_GPA);

	ram[0xffe] = 0x12;
	ram[0xfff] = 0x34;
	run = t.vm.run;
	tvm_run_expect(&t, MV_EXIT_INTERNAL_ERROR);
	EXPECT_EQ(run->internal.suberror, MV_INTERNAL_EMULATION);
	ASSERT_GE(run->internal.ndata, 5);
	EXPECT_EQ(run->internal.data[0], SPLIT_RAM_GPA + 0x1000);
	EXPECT_EQ(run->internal.data[4], 3);	/* split that cannot be done right */
	EXPECT_EQ(ram[0xffe], 0x12);
	EXPECT_EQ(ram[0xfff], 0x34);
	tvm_destroy(&t);
	munmap(ram, 4096);
}

static void test_fs_override_long_mode(void)
{
	struct mv_sregs s;
	struct tvm t;

	tvm_create_long(&t, guest_mmio_fs, 0);
	tvm_get_sregs(&t, &s);
	s.fs.base = FS_BASE_GPA;
	tvm_set_sregs(&t, &s);
	tvm_run(&t);
	EXPECT_EQ(expect_write(&t, FS_BASE_GPA + 0x10, 4), 0xfeedface);
	tvm_run(&t);
	answer_read(&t, FS_BASE_GPA + 0x18, 8, MMIO_RD64);
	tvm_run(&t);
	EXPECT_EQ(expect_write(&t, MMIO_BASE + 0x4100, 1), 0x66);
	EXPECT_EQ(tvm_run_done(&t), 9);
	tvm_destroy(&t);
}

static void test_rip_relative(void)
{
	struct tvm t;

	uint64_t store = (uint64_t)(uintptr_t)guest_mmio_riprel;
	uint64_t load = (uint64_t)(uintptr_t)guest_mmio_riprel_load;
	uint64_t end = (uint64_t)(uintptr_t)guest_mmio_riprel_end;
	uint8_t *p;
	int32_t disp;

	tvm_create_long(&t, guest_mmio_riprel, 0);
	/* c7 05 <disp32> <imm32> and 48 8b 05 <disp32>: aim both at RIPREL_GPA. */
	p = tvm_ptr(&t, store, load - store);
	ASSERT_TRUE(load - store == 10 && p[0] == 0xc7 && p[1] == 0x05);
	disp = (int32_t)(RIPREL_GPA - load);
	memcpy(p + 2, &disp, 4);
	p = tvm_ptr(&t, load, end - load);
	ASSERT_TRUE(end - load == 7 && p[0] == 0x48 && p[1] == 0x8b && p[2] == 0x05);
	disp = (int32_t)(RIPREL_GPA + 8 - end);
	memcpy(p + 3, &disp, 4);
	tvm_run(&t);
	EXPECT_EQ(expect_write(&t, RIPREL_GPA, 4), 0xc0ffee11);
	tvm_run(&t);
	answer_read(&t, RIPREL_GPA + 8, 8, MMIO_RD64);
	EXPECT_EQ(tvm_run_done(&t), MMIO_RD64);
	tvm_destroy(&t);
}

/* 16-bit code: segment bases, [bp+si] on SS, overrides, 66/67, REP STOSB, a split. */
static void test_real_mode(void)
{
	struct rm_blob blob = { rm_mmio16_start, rm_mmio16_end };
	struct tvm t;
	void *io;

	tvm_create_real(&t, blob);
	tvm_run(&t);
	EXPECT_EQ(expect_write(&t, 0x20010, 2), 0x1234);
	tvm_run(&t);
	EXPECT_EQ(expect_write(&t, 0x30042, 1), 0x5c);
	tvm_run(&t);
	EXPECT_EQ(expect_write(&t, 0x20042, 1), 0x5c);
	tvm_run(&t);
	EXPECT_EQ(expect_write(&t, 0x21005, 1), 0x77);
	tvm_run(&t);
	EXPECT_EQ(expect_write(&t, 0x20100, 4), 0xcafe1234);
	tvm_run(&t);
	answer_read(&t, 0x20020, 2, 0x10);
	tvm_run(&t);
	EXPECT_EQ(expect_write(&t, 0x20020, 2), 0x15);
	tvm_run(&t);
	EXPECT_EQ(expect_write(&t, 0x21010, 1), 0xa5);
	tvm_run(&t);
	EXPECT_EQ(expect_write(&t, 0x21011, 1), 0xa5);
	tvm_run(&t);
	answer_read(&t, 0x20030, 1, 0x9c);
	tvm_run(&t);
	io = tvm_expect_io(&t, MV_EXIT_IO_OUT, RM_PEEK_PORT, 4);
	EXPECT_EQ(io_data_get(io, 4), 0x9c);	/* movzbl: zero-extended */
	tvm_run(&t);
	EXPECT_EQ(expect_write(&t, 0x21000, 2), 0xabcd);
	tvm_run(&t);
	EXPECT_EQ(expect_write(&t, 0x10000, 2), 0x1122);
	tvm_run(&t);
	io = tvm_expect_io(&t, MV_EXIT_IO_OUT, RM_PEEK_PORT, 2);
	EXPECT_EQ(io_data_get(io, 2), 0x3344);	/* the RAM half landed */
	tvm_run_expect(&t, MV_EXIT_HLT);
	tvm_destroy(&t);
}

static void flat32(struct mv_segment *s, uint16_t sel, uint8_t type, uint64_t base)
{
	*s = (struct mv_segment){ .base = base, .limit = 0xffffffff, .selector = sel,
				  .type = type, .present = 1, .s = 1, .db = 1, .g = 1 };
}

/* 32-bit protected mode, no paging: SIB, 67 (16-bit address), FS, REP STOSW. */
static void test_protected_mode_32(void)
{
	struct rm_blob blob = { rm_mmio32_start, rm_mmio32_end };
	struct mv_sregs s;
	struct tvm t;

	tvm_create_real(&t, blob);
	tvm_get_sregs(&t, &s);
	flat32(&s.cs, 0x08, 0xb, 0);
	flat32(&s.ds, 0x10, 0x3, 0xd0000000);
	flat32(&s.es, 0x10, 0x3, 0xd0010000);
	flat32(&s.fs, 0x10, 0x3, 0xd0020000);
	flat32(&s.gs, 0x10, 0x3, 0);
	flat32(&s.ss, 0x10, 0x3, 0);
	s.tr.type = 11;		/* busy 32-bit TSS */
	s.cr0 |= 1;		/* PE */
	tvm_set_sregs(&t, &s);

	tvm_run(&t);
	EXPECT_EQ(expect_write(&t, 0xd0000200, 4), 0x55667788);
	tvm_run(&t);
	EXPECT_EQ(expect_write(&t, 0xd0000118, 2), 0xbeef);
	tvm_run(&t);
	EXPECT_EQ(expect_write(&t, 0xd0000010, 1), 0xef);
	tvm_run(&t);
	EXPECT_EQ(expect_write(&t, 0xd0020020, 1), 0x42);
	tvm_run(&t);
	EXPECT_EQ(expect_write(&t, 0xd0010008, 2), 0x6789);
	tvm_run(&t);
	EXPECT_EQ(expect_write(&t, 0xd001000a, 2), 0x6789);
	tvm_run(&t);
	answer_read(&t, 0xd0000300, 4, 1);
	tvm_run(&t);
	EXPECT_EQ(expect_write(&t, 0xd0000300, 4), 0x101);
	tvm_run(&t);
	EXPECT_EQ(expect_write(&t, 0xd0001000, 4), 0x77777777);
	tvm_run_expect(&t, MV_EXIT_HLT);
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
	{ "mmio_alu_read_modify_write", test_alu_rmw, 0 },
	{ "mmio_alu_cmp_test_and_reg_destination", test_alu_read_only, 0 },
	{ "mmio_movzx_movsx", test_movzx_movsx, 0 },
	{ "mmio_xchg", test_xchg, 0 },
	{ "mmio_bt_bts_btr_btc", test_bt, 0 },
	{ "mmio_stos_rep_df_addr32", test_stos, 0 },
	{ "mmio_rep_stos_resumable_between_elements", test_rep_stos_resumable, 0 },
	{ "mmio_rep_movs_ram_to_mmio", test_movs_to_mmio, 0 },
	{ "mmio_rep_movs_mmio_to_ram_df", test_movs_from_mmio, 0 },
	{ "mmio_movs_mmio_to_mmio_and_lods", test_movs_mmio_to_mmio_and_lods, 0 },
	{ "mmio_split_write_ram_then_mmio", test_split_write_ram_then_mmio, 0 },
	{ "mmio_split_read_ram_then_mmio", test_split_read_ram_then_mmio, 0 },
	{ "mmio_split_write_mmio_then_ram", test_split_write_mmio_then_ram, 0 },
	{ "mmio_split_odd_sizes_as_4_plus_1", test_split_odd_sizes, 0 },
	{ "mmio_split_read_modify_write", test_split_read_modify_write, 0 },
	{ "mmio_split_locked_refused", test_split_locked_refused, 0 },
	{ "mmio_fs_override_long_mode", test_fs_override_long_mode, 0 },
	{ "mmio_rip_relative", test_rip_relative, 0 },
	{ "mmio_real_mode_16bit", test_real_mode, 0 },
	{ "mmio_protected_mode_32bit", test_protected_mode_32, 0 },
};

int main(int argc, char **argv)
{
	return test_main(argc, argv, tests, ARRAY_SIZE(tests));
}
