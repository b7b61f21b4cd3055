/* SPDX-License-Identifier: GPL-2.0 */
/* Addresses and values shared by mmio.c (host side) and mmio_guest.c. */
#ifndef SELFTEST_MMIO_COMMON_H
#define SELFTEST_MMIO_COMMON_H

#include <stdint.h>

/* No slot here; inside the tests' 4 GiB identity map. */
#define MMIO_BASE		0xd0000000ull
/* The same, for absolute addresses in inline assembly. */
#define MMIO_BASE_ASM		"0xd0000000"
/* A read-only slot, also inside the identity map. */
#define RO_GPA			0xc0000000ull
#define RO_SIZE			0x10000ull

/* Register preload for reads: what must survive an 8- or 16-bit load. */
#define MMIO_RAX_BEFORE		0x1111111111111111ull

/* Values the host returns for reads, by access size. */
#define MMIO_RD8		0x9cull
#define MMIO_RD16		0xa55aull
#define MMIO_RD32		0x87654321ull	/* bit 31 set: zero-, not sign-extended */
#define MMIO_RD64		0xfedcba9876543210ull

/* Offsets from MMIO_BASE of the reads, in the order the guest does them. */
#define RD_AL			0x80	/* 8A /r */
#define RD_AX			0x82	/* 66 8B /r */
#define RD_EAX			0x84	/* 8B /r */
#define RD_RAX			0x88	/* REX.W 8B /r */
#define RD_MOFFS_AL		0x90	/* A0 */
#define RD_MOFFS_EAX		0x94	/* A1 */
#define RD_MOFFS_RAX		0x98	/* REX.W A1 */
#define RD_AH			0xa0	/* 8A /r, AH */
#define RD_R11			0xa8	/* REX.WR 8B /r */
#define RD_R11B			0xb0	/* REX.R 8A /r */
#define RD_CANCEL		0xc0	/* completion dropped by MV_SET_REGS */

#define BAD_INSN_OFFSET		0x400

#define RO_WRITE_OFFSET		0x200
#define RO_WRITE_VALUE		0x1122334455667788ull
#define RO_BYTE_OFFSET		0x301
#define RO_BYTE_VALUE		0x42

static inline uint64_t ro_word(uint64_t i)
{
	return 0x0101010101010101ull * (i & 0xff) ^ 0xa5a5a5a5a5a5a5a5ull ^ (i << 40);
}

#define RO_HASH_INIT		0xcbf29ce484222325ull

static inline uint64_t ro_hash(uint64_t h, uint64_t w)
{
	return (h ^ w) * 0x100000001b3ull;
}


/* ---- decoder coverage: ALU, MOVZX/MOVSX, XCHG, BT* on MMIO ---- */

/* The value every read in the table returns (its low 'size' bytes). */
#define OPS_MMIO_VALUE		0xfedcba9880008f9cull
/* Default register source: low bytes chosen so ADD carries and overflows. */
#define OPS_SRC			0x0123456f7fffff81ull
/* RFLAGS before each operation: bit 1 and all six arithmetic flags set. */
#define OPS_FLAGS_IN		"0x8d7"
#define OPS_BASE_OFFSET		0x1000	/* table case i at MMIO_BASE + this + i * 0x20 */

#define FL_ALL			0x8d5ull	/* CF PF AF ZF SF OF */
#define FL_LOGIC		(FL_ALL & ~0x10ull)	/* AF undefined after AND/OR/XOR/TEST */
#define FL_BT			0x41ull		/* CF; ZF unchanged; the rest undefined */

#define OPS_RD			1	/* one read exit */
#define OPS_RMW			2	/* a read exit, then a write exit */

/*
 * X(name, asm template, memory size, kind, flags compared, register source,
 *   displacement of the access from the operand address). In the template
 * %1 is the register operand (use %b1/%w1/%k1/%q1), %2 the address.
 */
#define OPS_ALU(X)								\
	X(add_r32, "addl %k1, (%2)", 4, OPS_RMW, FL_ALL, OPS_SRC, 0)		\
	X(or_r32, "orl %k1, (%2)", 4, OPS_RMW, FL_LOGIC, OPS_SRC, 0)		\
	X(adc_r32, "adcl %k1, (%2)", 4, OPS_RMW, FL_ALL, OPS_SRC, 0)		\
	X(sbb_r32, "sbbl %k1, (%2)", 4, OPS_RMW, FL_ALL, OPS_SRC, 0)		\
	X(and_r32, "andl %k1, (%2)", 4, OPS_RMW, FL_LOGIC, OPS_SRC, 0)		\
	X(sub_r32, "subl %k1, (%2)", 4, OPS_RMW, FL_ALL, OPS_SRC, 0)		\
	X(xor_r32, "xorl %k1, (%2)", 4, OPS_RMW, FL_LOGIC, OPS_SRC, 0)		\
	X(add_r8, "addb %b1, (%2)", 1, OPS_RMW, FL_ALL, OPS_SRC, 0)		\
	X(sub_r16, "subw %w1, (%2)", 2, OPS_RMW, FL_ALL, OPS_SRC, 0)		\
	X(adc_r64, "adcq %q1, (%2)", 8, OPS_RMW, FL_ALL, OPS_SRC, 0)		\
	X(lock_add_r32, "lock addl %k1, (%2)", 4, OPS_RMW, FL_ALL, OPS_SRC, 0)	\
	X(add_i8, "addl $0x7f, (%2)", 4, OPS_RMW, FL_ALL, 0, 0)			\
	X(sub_i32_q, "subq $-0x12345678, (%2)", 8, OPS_RMW, FL_ALL, 0, 0)	\
	X(or_i8_b, "orb $0x81, (%2)", 1, OPS_RMW, FL_LOGIC, 0, 0)		\
	X(and_i16, "andw $0x0ff0, (%2)", 2, OPS_RMW, FL_LOGIC, 0, 0)		\
	X(xor_im1, "xorl $-1, (%2)", 4, OPS_RMW, FL_LOGIC, 0, 0)			\
	X(sbb_i8_b, "sbbb $1, (%2)", 1, OPS_RMW, FL_ALL, 0, 0)

#define OPS_ALU_READ(X)								\
	X(cmp_mr, "cmpl %k1, (%2)", 4, OPS_RD, FL_ALL, OPS_SRC, 0)		\
	X(cmp_rm_q, "cmpq (%2), %q1", 8, OPS_RD, FL_ALL, OPS_SRC, 0)		\
	X(cmp_i8_b, "cmpb $0x80, (%2)", 1, OPS_RD, FL_ALL, 0, 0)			\
	X(test_mr, "testl %k1, (%2)", 4, OPS_RD, FL_LOGIC, OPS_SRC, 0)		\
	X(test_i16, "testw $0x8001, (%2)", 2, OPS_RD, FL_LOGIC, 0, 0)		\
	X(add_rm, "addl (%2), %k1", 4, OPS_RD, FL_ALL, OPS_SRC, 0)		\
	X(sub_rm_q, "subq (%2), %q1", 8, OPS_RD, FL_ALL, OPS_SRC, 0)		\
	X(xor_rm_b, "xorb (%2), %b1", 1, OPS_RD, FL_LOGIC, OPS_SRC, 0)		\
	X(adc_rm_w, "adcw (%2), %w1", 2, OPS_RD, FL_ALL, OPS_SRC, 0)

#define OPS_MOVX(X)								\
	X(movzbl, "movzbl (%2), %k1", 1, OPS_RD, FL_ALL, OPS_SRC, 0)		\
	X(movzwq, "movzwq (%2), %q1", 2, OPS_RD, FL_ALL, OPS_SRC, 0)		\
	X(movzbw, "movzbw (%2), %w1", 1, OPS_RD, FL_ALL, OPS_SRC, 0)		\
	X(movsbq, "movsbq (%2), %q1", 1, OPS_RD, FL_ALL, OPS_SRC, 0)		\
	X(movswl, "movswl (%2), %k1", 2, OPS_RD, FL_ALL, OPS_SRC, 0)		\
	X(movsbw, "movsbw (%2), %w1", 1, OPS_RD, FL_ALL, OPS_SRC, 0)		\
	X(movslq, "movslq (%2), %q1", 4, OPS_RD, FL_ALL, OPS_SRC, 0)

#define OPS_XCHG(X)								\
	X(xchg_l, "xchgl %k1, (%2)", 4, OPS_RMW, FL_ALL, OPS_SRC, 0)		\
	X(xchg_b, "xchgb %b1, (%2)", 1, OPS_RMW, FL_ALL, OPS_SRC, 0)		\
	X(xchg_q, "xchgq %q1, (%2)", 8, OPS_RMW, FL_ALL, OPS_SRC, 0)

#define OPS_BT(X)								\
	X(bt_i, "btl $5, (%2)", 4, OPS_RD, FL_BT, 0, 0)				\
	X(bts_i, "btsl $31, (%2)", 4, OPS_RMW, FL_BT, 0, 0)			\
	X(btr_i16, "btrw $3, (%2)", 2, OPS_RMW, FL_BT, 0, 0)			\
	X(btc_i64, "btcq $63, (%2)", 8, OPS_RMW, FL_BT, 0, 0)			\
	X(bt_r_far, "btl %k1, (%2)", 4, OPS_RD, FL_BT, 100, 12)			\
	X(bts_r_neg, "btsq %q1, (%2)", 8, OPS_RMW, FL_BT, -1ull, -8)		\
	X(btr_r16, "btrw %w1, (%2)", 2, OPS_RMW, FL_BT, 35, 4)			\
	X(btc_r_neg, "btcl %k1, (%2)", 4, OPS_RMW, FL_BT, -33ull, -8)

struct ops_case {
	const char *name;
	uint64_t (*fn)(uint64_t addr, uint64_t *src);
	unsigned int size, kind;
	uint64_t flags_mask, src;
	int64_t disp;
};

/*
 * One function per case, the same in the guest (on RAM and on MMIO) and
 * in the test (on the test's own memory, the reference result): sets
 * RFLAGS to OPS_FLAGS_IN, runs the instruction, returns RFLAGS. The stack
 * moves below the red zone first (the test side is ordinary user code).
 */
#define OPS_FN(name, tmpl, size, kind, mask, src, disp)				\
static uint64_t ops_##name(uint64_t addr, uint64_t *srcp)			\
{										\
	uint64_t f, s = *srcp;							\
	asm volatile("lea -128(%%rsp), %%rsp\n\t"				\
		     "pushq $" OPS_FLAGS_IN "\n\tpopfq\n\t"			\
		     tmpl "\n\t"						\
		     "pushfq\n\tpopq %0\n\t"					\
		     "lea 128(%%rsp), %%rsp"					\
		     : "=&r"(f), "+r"(s) : "r"(addr) : "memory", "cc");	\
	*srcp = s;								\
	return f;								\
}
#define OPS_ENTRY(name, tmpl, size, kind, mask, src, disp)			\
	{ #name ": " tmpl, ops_##name, size, kind, mask, src, disp },

#define OPS_ALL(X) OPS_ALU(X) OPS_ALU_READ(X) OPS_MOVX(X) OPS_XCHG(X) OPS_BT(X)

/* Per group: index of its first case in the OPS_ALL table, and count. */
#define OPS_COUNT(name, tmpl, size, kind, mask, src, disp) +1
#define OPS_N_ALU		(0 OPS_ALU(OPS_COUNT))
#define OPS_N_ALU_READ		(0 OPS_ALU_READ(OPS_COUNT))
#define OPS_N_MOVX		(0 OPS_MOVX(OPS_COUNT))
#define OPS_N_XCHG		(0 OPS_XCHG(OPS_COUNT))
#define OPS_N_BT		(0 OPS_BT(OPS_COUNT))
#define OPS_FIRST_ALU		0
#define OPS_FIRST_ALU_READ	(OPS_FIRST_ALU + OPS_N_ALU)
#define OPS_FIRST_MOVX		(OPS_FIRST_ALU_READ + OPS_N_ALU_READ)
#define OPS_FIRST_XCHG		(OPS_FIRST_MOVX + OPS_N_MOVX)
#define OPS_FIRST_BT		(OPS_FIRST_XCHG + OPS_N_XCHG)
#define OPS_TOTAL		(OPS_FIRST_BT + OPS_N_BT)

static inline uint64_t ops_gpa_offset(unsigned int i)
{
	return OPS_BASE_OFFSET + 0x20ull * i;
}

/* ---- string instructions ---- */
#define STR_OFFSET		0x3000	/* MMIO_BASE + this: STOS/MOVS/LODS area */
#define STR_STOS_VALUE		0x11223344ull
#define STR_STOSB_VALUE		0x5a
#define STR_STOSQ_VALUE		0x0102030405060708ull
#define STR_MOVS_SRC0		0xa1a2a3a4ull	/* RAM source words: + i * 0x01010101 */
#define STR_MOVSW_IN0		0x1357		/* values the test returns: + i * 0x1111 */
#define STR_MOVSB_VALUE		0xc3
#define STR_LODS_VALUE		0x89abcdefull

/* ---- accesses that cross a slot end ---- */
#define SPLIT_RAM_GPA		0xc8000000ull	/* one page of RAM; MMIO from its end */
#define SPLIT_RAM2_GPA		0xc8003000ull	/* one page of RAM after MMIO */
#define SPLIT_WR_VALUE		0x11223344u	/* movl at SPLIT_RAM_GPA + 0xffe */
#define SPLIT_RD_RAM		0xbbaau		/* the RAM half of the read */
#define SPLIT_RD_MMIO		0xddccu		/* the MMIO half */
#define SPLIT_WR2_VALUE		0x8877665544332211ull	/* movq at SPLIT_RAM2_GPA - 4 */
#define SPLIT_ODD_VALUE		0x0807060504030201ull	/* movq at SPLIT_RAM_GPA + 0xffd */

/* ---- segment and RIP-relative addressing ---- */
#define FS_BASE_GPA		(MMIO_BASE + 0x4000)
#define RIPREL_GPA		0x40000100ull	/* no slot, within +-2 GiB of the code */

#endif /* SELFTEST_MMIO_COMMON_H */
