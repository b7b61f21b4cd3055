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

/*
 * One 8-byte load whose completion the host replaces through MV_SET_REGS
 * (RIP past the load, RAX its own value). RDI = MMIO_BASE + RD_CANCEL.
 */
asm(".pushsection .text\n"
    ".globl guest_mmio_read_cancel\n"
    ".type guest_mmio_read_cancel, @function\n"
    "guest_mmio_read_cancel:\n"
    "	movq (%rdi), %rax\n"
    ".globl guest_mmio_read_cancel_after\n"
    "guest_mmio_read_cancel_after:\n"
    "	ret\n"
    ".size guest_mmio_read_cancel, . - guest_mmio_read_cancel\n"
    ".popsection\n");

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
 * An instruction the MMIO decoder does not handle (CMPXCHG r/m32, r32: 0F B1),
 * at a known address. Called as a guest function with RDI = the address.
 */
asm(".pushsection .text\n"
    ".globl guest_mmio_bad_insn\n"
    ".type guest_mmio_bad_insn, @function\n"
    "guest_mmio_bad_insn:\n"
    ".globl guest_mmio_bad_insn_rip\n"
    "guest_mmio_bad_insn_rip:\n"
    "	cmpxchgl %ecx, (%rdi)\n"
    "	ret\n"
    ".size guest_mmio_bad_insn, . - guest_mmio_bad_insn\n"
    ".popsection\n");

/* ---- decoder coverage table (mmio_common.h): RAM first, then MMIO ---- */
OPS_ALL(OPS_FN)
static const struct ops_case ops_cases[] = { OPS_ALL(OPS_ENTRY) };

/*
 * arg: first case << 16 | count. Each case runs on a RAM copy holding the
 * value the test returns for the MMIO read, then on MMIO; the register
 * result and the defined flags must agree (the memory result is compared
 * by the test, from the write exit).
 */
uint64_t guest_mmio_ops(uint64_t arg)
{
	unsigned int first = arg >> 16, n = arg & 0xffff, i, k;

	for (i = first; i < first + n; i++) {
		const struct ops_case *c = &ops_cases[i];
		uint8_t ram[48];
		uint64_t s_ram = c->src, s_mmio = c->src, f_ram, f_mmio, v = OPS_MMIO_VALUE;

		for (k = 0; k < sizeof(ram); k++)
			ram[k] = 0;
		for (k = 0; k < c->size; k++)
			ram[16 + c->disp + k] = (uint8_t)(v >> (8 * k));
		f_ram = c->fn((uint64_t)(uintptr_t)(ram + 16), &s_ram);
		f_mmio = c->fn(MMIO_BASE + ops_gpa_offset(i), &s_mmio);
		GUEST_ASSERT_EQ(s_mmio, s_ram);
		GUEST_ASSERT_EQ(f_mmio & c->flags_mask, f_ram & c->flags_mask);
	}
	return n;
}

/* ---- string instructions ---- */
uint64_t guest_mmio_stos(uint64_t base)
{
	uint64_t dst = base + STR_OFFSET, rdi = dst, rcx = 3;

	asm volatile("rep stosl" : "+D"(rdi), "+c"(rcx) : "a"(STR_STOS_VALUE) : "memory");
	GUEST_ASSERT_EQ(rcx, 0);
	GUEST_ASSERT_EQ(rdi, dst + 12);

	/* DF = 1: descending. */
	rdi = dst + 0x41;
	rcx = 2;
	asm volatile("std\n\trep stosb\n\tcld" : "+D"(rdi), "+c"(rcx) : "a"(STR_STOSB_VALUE)
		     : "memory", "cc");
	GUEST_ASSERT_EQ(rcx, 0);
	GUEST_ASSERT_EQ(rdi, dst + 0x3f);

	/* No REP, 8 bytes. */
	rdi = dst + 0x80;
	asm volatile("stosq" : "+D"(rdi) : "a"(STR_STOSQ_VALUE) : "memory");
	GUEST_ASSERT_EQ(rdi, dst + 0x88);

	/* 32-bit address size: EDI and ECX only, and they are written zero-extended. */
	rdi = (1ull << 32) | (dst + 0xc0);
	rcx = (5ull << 32) | 2;
	asm volatile("addr32 rep stosw" : "+D"(rdi), "+c"(rcx) : "a"(STR_STOS_VALUE) : "memory");
	GUEST_ASSERT_EQ(rcx, 0);
	GUEST_ASSERT_EQ(rdi, dst + 0xc4);
	return 5;
}

/* REP STOSL of 4 elements at RDI; the test inspects registers between them. */
asm(".pushsection .text\n"
    ".globl guest_mmio_rep_stos\n"
    ".type guest_mmio_rep_stos, @function\n"
    "guest_mmio_rep_stos:\n"
    "	movl $4, %ecx\n"
    "	movl $0x11223344, %eax\n"
    ".globl guest_mmio_rep_stos_rip\n"
    "guest_mmio_rep_stos_rip:\n"
    "	rep stosl\n"
    ".globl guest_mmio_rep_stos_after\n"
    "guest_mmio_rep_stos_after:\n"
    "	movq %rdi, %rax\n"
    "	ret\n"
    ".size guest_mmio_rep_stos, . - guest_mmio_rep_stos\n"
    ".popsection\n");

uint64_t guest_mmio_movs_to_mmio(uint64_t base)
{
	uint32_t src[3] = { STR_MOVS_SRC0, STR_MOVS_SRC0 + 0x01010101,
			    STR_MOVS_SRC0 + 0x02020202 };
	uint64_t rsi = (uint64_t)(uintptr_t)src, rdi = base + STR_OFFSET + 0x100, rcx = 3;

	asm volatile("rep movsl" : "+S"(rsi), "+D"(rdi), "+c"(rcx) : : "memory");
	GUEST_ASSERT_EQ(rcx, 0);
	GUEST_ASSERT_EQ(rsi, (uint64_t)(uintptr_t)src + 12);
	GUEST_ASSERT_EQ(rdi, base + STR_OFFSET + 0x10c);
	return 6;
}

uint64_t guest_mmio_movs_from_mmio(uint64_t base)
{
	uint16_t dst[4] = { 0, 0, 0, 0x7777 };
	uint64_t rsi = base + STR_OFFSET + 0x204, rdi = (uint64_t)(uintptr_t)&dst[2], rcx = 3;

	/* DF = 1: from the last element down. */
	asm volatile("std\n\trep movsw\n\tcld" : "+S"(rsi), "+D"(rdi), "+c"(rcx) : : "memory", "cc");
	GUEST_ASSERT_EQ(rcx, 0);
	GUEST_ASSERT_EQ(rsi, base + STR_OFFSET + 0x1fe);
	GUEST_ASSERT_EQ(rdi, (uint64_t)(uintptr_t)&dst[0] - 2);
	GUEST_ASSERT_EQ(dst[2], STR_MOVSW_IN0);
	GUEST_ASSERT_EQ(dst[1], STR_MOVSW_IN0 + 0x1111);
	GUEST_ASSERT_EQ(dst[0], STR_MOVSW_IN0 + 0x2222);
	GUEST_ASSERT_EQ(dst[3], 0x7777);
	return 7;
}

uint64_t guest_mmio_movs_lods(uint64_t base)
{
	uint64_t rsi = base + STR_OFFSET + 0x300, rdi = base + STR_OFFSET + 0x380, v = ~0ull;

	/* MMIO to MMIO: a read exit, then a write exit with the same byte. */
	asm volatile("movsb" : "+S"(rsi), "+D"(rdi) : : "memory");
	GUEST_ASSERT_EQ(rsi, base + STR_OFFSET + 0x301);
	GUEST_ASSERT_EQ(rdi, base + STR_OFFSET + 0x381);
	rsi = base + STR_OFFSET + 0x400;
	asm volatile("lodsl" : "+S"(rsi), "+a"(v) : : "memory");
	GUEST_ASSERT_EQ(v, STR_LODS_VALUE);
	GUEST_ASSERT_EQ(rsi, base + STR_OFFSET + 0x404);
	return 8;
}

/* ---- accesses that cross the end of a slot ---- */
uint64_t guest_mmio_split_write(uint64_t arg)
{
	volatile uint8_t *ram = (volatile uint8_t *)SPLIT_RAM_GPA;

	(void)arg;
	ram[0xffe] = 0xee;
	ram[0xfff] = 0xee;
	asm volatile("movl $" "0x11223344" ", (%0)" : : "r"(SPLIT_RAM_GPA + 0xffe) : "memory");
	return ram[0xffe] | (uint64_t)ram[0xfff] << 8;
}

uint64_t guest_mmio_split_read(uint64_t arg)
{
	volatile uint16_t *ram = (volatile uint16_t *)(SPLIT_RAM_GPA + 0xffe);
	uint64_t v = ~0ull;

	(void)arg;
	*ram = SPLIT_RD_RAM;
	asm volatile("movl (%1), %k0" : "+r"(v) : "r"(SPLIT_RAM_GPA + 0xffe) : "memory");
	return v;
}

uint64_t guest_mmio_split_write_mmio_first(uint64_t arg)
{
	volatile uint32_t *ram = (volatile uint32_t *)SPLIT_RAM2_GPA;

	(void)arg;
	*ram = 0;
	asm volatile("movq %0, (%1)" : : "r"(SPLIT_WR2_VALUE), "r"(SPLIT_RAM2_GPA - 4) : "memory");
	return *ram;
}

/* 3 bytes in RAM, 5 in MMIO: the 5 go out as a 4-byte and a 1-byte exit. */
uint64_t guest_mmio_split_odd(uint64_t arg)
{
	volatile uint8_t *ram = (volatile uint8_t *)SPLIT_RAM_GPA;
	uint64_t v = 0;

	(void)arg;
	asm volatile("movq %0, (%1)" : : "r"(SPLIT_ODD_VALUE), "r"(SPLIT_RAM_GPA + 0xffd) : "memory");
	GUEST_ASSERT_EQ(ram[0xffd], 0x01);
	GUEST_ASSERT_EQ(ram[0xffe], 0x02);
	GUEST_ASSERT_EQ(ram[0xfff], 0x03);
	ram[0xffd] = 0xb1;
	asm volatile("movq (%1), %0" : "=r"(v) : "r"(SPLIT_RAM_GPA + 0xffd) : "memory");
	return v;
}

uint64_t guest_mmio_split_rmw(uint64_t arg)
{
	volatile uint16_t *ram = (volatile uint16_t *)(SPLIT_RAM_GPA + 0xffe);

	(void)arg;
	*ram = 0xffff;
	/* 0x0000ffff + 1 with the upper half from MMIO: the carry crosses the split. */
	asm volatile("addl $1, (%0)" : : "r"(SPLIT_RAM_GPA + 0xffe) : "memory", "cc");
	return *ram;
}

uint64_t guest_mmio_split_locked(uint64_t arg)
{
	(void)arg;
	asm volatile("lock addl $1, (%0)" : : "r"(SPLIT_RAM_GPA + 0xffe) : "memory", "cc");
	return 0;
}

/* ---- segment override and RIP-relative addressing in 64-bit mode ---- */
uint64_t guest_mmio_fs(uint64_t arg)
{
	uint64_t v = 0;

	(void)arg;
	asm volatile("movl %0, %%fs:0x10" : : "r"(0xfeedface) : "memory");
	asm volatile("movq %%fs:0x18, %0" : "=r"(v) : : "memory");
	GUEST_ASSERT_EQ(v, MMIO_RD64);
	/* ES has no base in 64-bit mode whatever the descriptor says. */
	asm volatile("movb %0, %%es:(%1)" : : "q"((uint8_t)0x66), "r"(MMIO_BASE + 0x4100)
		     : "memory");
	return 9;
}

/*
 * RIP-relative MMIO: the test writes the two disp32 fields in the guest's
 * copy of this code (the target must be a constant GPA, and GAS takes a
 * constant in "x(%rip)" as the displacement itself).
 */
asm(".pushsection .text\n"
    ".globl guest_mmio_riprel\n"
    ".type guest_mmio_riprel, @function\n"
    "guest_mmio_riprel:\n"
    /* C7 05 disp32 imm32: RIP counts from after the immediate. */
    "	movl $0xc0ffee11, 0(%rip)\n"
    ".globl guest_mmio_riprel_load\n"
    "guest_mmio_riprel_load:\n"
    "	movq 0(%rip), %rax\n"
    ".globl guest_mmio_riprel_end\n"
    "guest_mmio_riprel_end:\n"
    "	ret\n"
    ".size guest_mmio_riprel, . - guest_mmio_riprel\n"
    ".popsection\n");

/* ---- 16- and 32-bit code: blobs copied to RM_LOAD_ADDR ---- */
asm(".pushsection .rodata.mmio_blobs, \"a\"\n"
    ".code16\n"
    ".globl rm_mmio16_start, rm_mmio16_end\n"
    "rm_mmio16_start:\n"
    "	movw $0x2000, %ax\n"
    "	movw %ax, %ds\n"
    "	movw $0x1234, 0x10\n"		/* DS:disp16 */
    "	movw $0x3000, %ax\n"
    "	movw %ax, %ss\n"
    "	movw $0x40, %bp\n"
    "	movw $0x2, %si\n"
    "	movb $0x5c, %al\n"
    "	movb %al, (%bp,%si)\n"		/* [bp+si]: SS by default */
    "	movb %al, %ds:(%bp,%si)\n"	/* ... unless overridden */
    "	movw $0x2100, %cx\n"
    "	movw %cx, %es\n"
    "	movb $0x77, %es:5\n"
    "	movl $0xcafe1234, %eax\n"
    "	movl $0x100, %ebx\n"
    "	movl %eax, (%ebx)\n"		/* 66 67: 32-bit data and address */
    "	addw $5, 0x20\n"			/* read, then write */
    "	movw $0x10, %di\n"
    "	movw $2, %cx\n"
    "	movb $0xa5, %al\n"
    "	cld\n"
    "	rep stosb\n"			/* ES:DI */
    "	movzbl 0x30, %eax\n"
    "	outl %eax, $" "0x21" "\n"		/* RM_PEEK_PORT */
    /* Page-aligned fault GPA: the address is computed with DS's base. */
    "	movw $0xabcd, 0x1000\n"
    /*
     * Split: 2 bytes at the end of the 64 KiB of RAM, 2 in MMIO. ES base
     * 0xfff0, offset 0xe: inside the 64 KiB limit (offset 0xfffe with
     * base 0 would be #GP).
     */
    "	movw $0x0fff, %ax\n"
    "	movw %ax, %es\n"
    "	movl $0x11223344, %es:0xe\n"
    "	movw %es:0xe, %ax\n"
    "	outw %ax, $" "0x21" "\n"
    "	hlt\n"
    "rm_mmio16_end:\n"
    ".code32\n"
    ".globl rm_mmio32_start, rm_mmio32_end\n"
    "rm_mmio32_start:\n"
    "	movl $0x55667788, 0x200\n"		/* DS base 0xd0000000 */
    "	movl $0x100, %ebx\n"
    "	movl $2, %esi\n"
    "	movw $0xbeef, %ax\n"
    "	movw %ax, 0x10(%ebx,%esi,4)\n"	/* SIB */
    "	movw $0xfff0, %bx\n"
    "	movw $0x20, %si\n"
    "	movb %al, (%bx,%si)\n"		/* 67: 16-bit address, wraps at 64 KiB */
    "	movb $0x42, %fs:0x20\n"
    "	movl $8, %edi\n"
    "	movl $2, %ecx\n"
    "	movw $0x6789, %ax\n"
    "	cld\n"
    "	rep stosw\n"			/* ES base 0xd0010000 */
    "	orl $0x100, 0x300\n"
    "	movl $0x77777777, 0x1000\n"	/* page aligned: DS base used */
    "	hlt\n"
    "rm_mmio32_end:\n"
    ".code64\n"
    ".popsection\n");
