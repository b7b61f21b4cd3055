// SPDX-License-Identifier: GPL-2.0
/*
 * Long-mode guest functions of the "mmio" test program. Inline assembly
 * pins each access to the exact MOV form the test means, so the decoder
 * paths are covered one by one whatever the compiler would have chosen.
 */
#include "guest.h"
#include "mmio_common.h"

/* Register and immediate stores, 1 to 8 bytes (88, 89, C6, C7). */
uint64_t guest_mmio_write_modrm(uint64_t base)
{
	asm volatile("movb %b0, (%1)" : : "q"(0x11), "r"(base + 0x00) : "memory");
	asm volatile("movw %w0, (%1)" : : "r"(0x2233), "r"(base + 0x10) : "memory");
	asm volatile("movl %k0, (%1)" : : "r"(0x44556677), "r"(base + 0x20) : "memory");
	asm volatile("movq %q0, (%1)" : : "r"(0x8899aabbccddeeffull), "r"(base + 0x28)
		     : "memory");
	asm volatile("movb $0x5a, (%0)" : : "r"(base + 0x31) : "memory");
	asm volatile("movw $0xbeef, (%0)" : : "r"(base + 0x32) : "memory");
	asm volatile("movl $0x12345678, (%0)" : : "r"(base + 0x34) : "memory");
	asm volatile("movq $-2, (%0)" : : "r"(base + 0x38) : "memory");
	return 1;
}

/* Absolute-address stores (A2, A3 with and without 66 / REX.W). */
uint64_t guest_mmio_write_moffs(uint64_t arg)
{
	(void)arg;
	asm volatile("movabs %%al, " MMIO_BASE_ASM "+0x100" : : "a"(0x7e) : "memory");
	asm volatile("movabs %%ax, " MMIO_BASE_ASM "+0x102" : : "a"(0x1234) : "memory");
	asm volatile("movabs %%eax, " MMIO_BASE_ASM "+0x104" : : "a"(0xdeadbeef) : "memory");
	asm volatile("movabs %%rax, " MMIO_BASE_ASM "+0x108" : : "a"(0x0123456789abcdefull)
		     : "memory");
	return 2;
}

/* Register encodings a decoder can get wrong: AH, SIL (REX), R9/R10D. */
uint64_t guest_mmio_write_regs(uint64_t base)
{
	register uint64_t r10 asm("r10") = 0xa1b2c3d4;
	register uint64_t r9 asm("r9") = 0x0f1e2d3c4b5a6978ull;

	/* RDI keeps the address in a legacy register: AH cannot take REX. */
	asm volatile("movb %%ah, (%0)" : : "D"(base + 0x48), "a"(0x1234) : "memory");
	asm volatile("movb %%sil, (%0)" : : "D"(base + 0x49), "S"(0x77) : "memory");
	asm volatile("movl %%r10d, (%0)" : : "D"(base + 0x4c), "r"(r10) : "memory");
	asm volatile("movq %%r9, (%0)" : : "D"(base + 0x50), "r"(r9) : "memory");
	return 3;
}

/* Loads of each size; the guest checks what lands in the register. */
uint64_t guest_mmio_read(uint64_t base)
{
	register uint64_t r11 asm("r11");
	uint64_t v;

	v = MMIO_RAX_BEFORE;
	asm volatile("movb (%1), %b0" : "+a"(v) : "D"(base + RD_AL) : "memory");
	GUEST_ASSERT_EQ(v, (MMIO_RAX_BEFORE & ~0xffull) | MMIO_RD8);

	v = MMIO_RAX_BEFORE;
	asm volatile("movw (%1), %w0" : "+a"(v) : "D"(base + RD_AX) : "memory");
	GUEST_ASSERT_EQ(v, (MMIO_RAX_BEFORE & ~0xffffull) | MMIO_RD16);

	v = MMIO_RAX_BEFORE;
	asm volatile("movl (%1), %k0" : "+a"(v) : "D"(base + RD_EAX) : "memory");
	GUEST_ASSERT_EQ(v, MMIO_RD32);

	v = MMIO_RAX_BEFORE;
	asm volatile("movq (%1), %q0" : "+a"(v) : "D"(base + RD_RAX) : "memory");
	GUEST_ASSERT_EQ(v, MMIO_RD64);

	v = MMIO_RAX_BEFORE;
	asm volatile("movabs " MMIO_BASE_ASM "+%c1, %%al" : "+a"(v) : "i"(RD_MOFFS_AL) : "memory");
	GUEST_ASSERT_EQ(v, (MMIO_RAX_BEFORE & ~0xffull) | MMIO_RD8);

	v = MMIO_RAX_BEFORE;
	asm volatile("movabs " MMIO_BASE_ASM "+%c1, %%eax" : "+a"(v) : "i"(RD_MOFFS_EAX)
		     : "memory");
	GUEST_ASSERT_EQ(v, MMIO_RD32);

	v = MMIO_RAX_BEFORE;
	asm volatile("movabs " MMIO_BASE_ASM "+%c1, %%rax" : "+a"(v) : "i"(RD_MOFFS_RAX)
		     : "memory");
	GUEST_ASSERT_EQ(v, MMIO_RD64);

	v = MMIO_RAX_BEFORE;
	asm volatile("movb (%1), %%ah" : "+a"(v) : "D"(base + RD_AH) : "memory");
	GUEST_ASSERT_EQ(v, (MMIO_RAX_BEFORE & ~0xff00ull) | (MMIO_RD8 << 8));

	r11 = MMIO_RAX_BEFORE;
	asm volatile("movq (%1), %0" : "+r"(r11) : "D"(base + RD_R11) : "memory");
	GUEST_ASSERT_EQ(r11, MMIO_RD64);

	r11 = MMIO_RAX_BEFORE;
	asm volatile("movb (%1), %b0" : "+r"(r11) : "D"(base + RD_R11B) : "memory");
	GUEST_ASSERT_EQ(r11, (MMIO_RAX_BEFORE & ~0xffull) | MMIO_RD8);
	return 4;
}

/* One 8-byte load whose completion the host replaces through MV_SET_REGS. */
uint64_t guest_mmio_read_cancel(uint64_t base)
{
	uint64_t v;

	asm volatile("movq (%1), %0" : "=a"(v) : "D"(base + RD_CANCEL) : "memory");
	return v;
}

/* Reads come from the slot's memory, writes exit and change nothing. */
uint64_t guest_mmio_readonly(uint64_t arg)
{
	const volatile uint64_t *ro = (const volatile uint64_t *)RO_GPA;
	uint64_t i, h = RO_HASH_INIT;

	(void)arg;
	GUEST_ASSERT_EQ(ro[RO_WRITE_OFFSET / 8], ro_word(RO_WRITE_OFFSET / 8));
	asm volatile("movq %0, (%1)" : : "r"(RO_WRITE_VALUE), "r"(RO_GPA + RO_WRITE_OFFSET)
		     : "memory");
	asm volatile("movb %0, (%1)" : : "q"((uint8_t)RO_BYTE_VALUE),
		     "r"(RO_GPA + RO_BYTE_OFFSET) : "memory");
	/* The writes did not land. */
	GUEST_ASSERT_EQ(ro[RO_WRITE_OFFSET / 8], ro_word(RO_WRITE_OFFSET / 8));
	GUEST_ASSERT_EQ(ro[RO_BYTE_OFFSET / 8], ro_word(RO_BYTE_OFFSET / 8));
	for (i = 0; i < RO_SIZE / 8; i++)
		h = ro_hash(h, ro[i]);
	return h;
}

/*
 * An instruction the MMIO decoder does not handle (ADD r/m32, imm8: 83 /0),
 * at a known address. Called as a guest function with RDI = the address.
 */
asm(".pushsection .text\n"
    ".globl guest_mmio_bad_insn\n"
    ".type guest_mmio_bad_insn, @function\n"
    "guest_mmio_bad_insn:\n"
    ".globl guest_mmio_bad_insn_rip\n"
    "guest_mmio_bad_insn_rip:\n"
    "	addl $1, (%rdi)\n"
    "	ret\n"
    ".size guest_mmio_bad_insn, . - guest_mmio_bad_insn\n"
    ".popsection\n");
