// SPDX-License-Identifier: GPL-2.0
/*
 * Host tier: table-driven tests of common/x86_decode.c, checked against a
 * reference disassembler.
 *
 *  1. Known encodings with hand-written expectations (operation, length,
 *     sizes, register, base/index/scale/displacement, immediate, segment,
 *     flags) in 16-, 32- and 64-bit code.
 *  2. Encodings that must be refused (-EINVAL), and every truncation of an
 *     accepted one (-EAGAIN).
 *  3. objdump (binutils, Intel syntax) disassembles the table and, per
 *     mode, thousands of random instructions the decoder accepts; for each
 *     the length, mnemonic, memory-operand size, base/index/scale/disp,
 *     segment override, register operand and immediate must agree.
 *
 * TAP output; exits non-zero on any failure. objdump missing: part 3 is
 * reported as failed (it is the reference, not optional).
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../x86_decode.h"
#include "../../userspace/tests/tap.h"

#define R16 X86_MODE_REAL16
#define P32 X86_MODE_PROT32
#define L64 X86_MODE_LONG64
#define NO  X86_NO_REG
#define RIP X86_REG_RIP

#define RD  X86_INSN_MEM_READ
#define WR  X86_INSN_MEM_WRITE
#define RDST X86_INSN_REG_DST
#define IMM X86_INSN_IMM
#define LCK X86_INSN_LOCK
#define REP X86_INSN_REP
#define STR X86_INSN_STRING
#define BTR X86_INSN_BT_REG

struct known {
	u8 mode;
	const char *hex;
	u8 op, len, size, reg_size, addr_size, seg, reg;
	bool high;
	u8 base, index, scale;
	u64 disp, imm;
	u16 flags;
};

#define K(mode, hex, op, len, size, rsz, asz, seg, reg, hi, base, index, scale, disp, imm, fl) \
	{ mode, hex, X86_OP_##op, len, size, rsz, asz, X86_##seg, reg, hi, base, index, scale, \
	  (u64)(disp), (u64)(imm), fl }

static const struct known known[] = {
	/* MOV, all forms and widths (64-bit). */
	K(L64, "88 08", MOV, 2, 1, 1, 8, DS, X86_RCX, 0, X86_RAX, NO, 1, 0, 0, WR),
	K(L64, "88 20", MOV, 2, 1, 1, 8, DS, X86_RAX, 1, X86_RAX, NO, 1, 0, 0, WR), /* AH */
	K(L64, "40 88 20", MOV, 3, 1, 1, 8, DS, X86_RSP, 0, X86_RAX, NO, 1, 0, 0, WR), /* SPL */
	K(L64, "66 89 08", MOV, 3, 2, 2, 8, DS, X86_RCX, 0, X86_RAX, NO, 1, 0, 0, WR),
	K(L64, "89 08", MOV, 2, 4, 4, 8, DS, X86_RCX, 0, X86_RAX, NO, 1, 0, 0, WR),
	K(L64, "4c 89 4f 10", MOV, 4, 8, 8, 8, DS, X86_R9, 0, X86_RDI, NO, 1, 0x10, 0, WR),
	K(L64, "8a 47 f0", MOV, 3, 1, 1, 8, DS, X86_RAX, 0, X86_RDI, NO, 1, -0x10, 0, RD | RDST),
	K(L64, "48 8b 04 8b", MOV, 4, 8, 8, 8, DS, X86_RAX, 0, X86_RBX, X86_RCX, 4, 0, 0, RD | RDST),
	K(L64, "4b 8b 84 c8 00 01 00 00", MOV, 8, 8, 8, 8, DS, X86_RAX, 0, X86_R8, X86_R9, 8,
	  0x100, 0, RD | RDST),
	K(L64, "8b 05 10 00 00 00", MOV, 6, 4, 4, 8, DS, X86_RAX, 0, RIP, NO, 1, 0x10, 0, RD | RDST),
	K(L64, "67 8b 05 f0 ff ff ff", MOV, 7, 4, 4, 4, DS, X86_RAX, 0, RIP, NO, 1, -0x10, 0,
	  RD | RDST),
	K(L64, "8b 04 25 00 10 00 00", MOV, 7, 4, 4, 8, DS, X86_RAX, 0, NO, NO, 1, 0x1000, 0,
	  RD | RDST),
	K(L64, "42 8b 04 2d 00 01 00 00", MOV, 8, 4, 4, 8, DS, X86_RAX, 0, NO, X86_R13, 1, 0x100, 0,
	  RD | RDST),
	K(L64, "41 8b 45 00", MOV, 4, 4, 4, 8, DS, X86_RAX, 0, X86_R13, NO, 1, 0, 0, RD | RDST),
	K(L64, "8b 44 24 08", MOV, 4, 4, 4, 8, SS, X86_RAX, 0, X86_RSP, NO, 1, 8, 0, RD | RDST),
	K(L64, "41 8b 04 24", MOV, 4, 4, 4, 8, DS, X86_RAX, 0, X86_R12, NO, 1, 0, 0, RD | RDST),
	K(L64, "c6 00 5a", MOV, 3, 1, 1, 8, DS, 0, 0, X86_RAX, NO, 1, 0, 0x5a, WR | IMM),
	K(L64, "66 c7 00 ef be", MOV, 5, 2, 2, 8, DS, 0, 0, X86_RAX, NO, 1, 0, 0xbeef, WR | IMM),
	K(L64, "48 c7 00 fe ff ff ff", MOV, 7, 8, 8, 8, DS, 0, 0, X86_RAX, NO, 1, 0, -2, WR | IMM),
	K(L64, "c7 05 10 00 00 00 44 33 22 11", MOV, 10, 4, 4, 8, DS, 0, 0, RIP, NO, 1, 0x10,
	  0x11223344, WR | IMM),
	K(L64, "a0 88 77 66 55 44 33 22 11", MOV, 9, 1, 1, 8, DS, X86_RAX, 0, NO, NO, 1,
	  0x1122334455667788ull, 0, RD | RDST),
	K(L64, "48 a3 00 00 00 d0 00 00 00 00", MOV, 10, 8, 8, 8, DS, X86_RAX, 0, NO, NO, 1,
	  0xd0000000, 0, WR),
	K(L64, "67 a1 44 33 22 11", MOV, 6, 4, 4, 4, DS, X86_RAX, 0, NO, NO, 1, 0x11223344, 0,
	  RD | RDST),
	K(L64, "64 89 04 25 10 00 00 00", MOV, 8, 4, 4, 8, FS, X86_RAX, 0, NO, NO, 1, 0x10, 0, WR),
	K(L64, "65 48 8b 00", MOV, 4, 8, 8, 8, GS, X86_RAX, 0, X86_RAX, NO, 1, 0, 0, RD | RDST),
	/* A REX before a legacy prefix is ignored: this is a plain 32-bit MOV. */
	K(L64, "48 66 89 08", MOV, 4, 2, 2, 8, DS, X86_RCX, 0, X86_RAX, NO, 1, 0, 0, WR),
	/* MOVZX/MOVSX/MOVSXD. */
	K(L64, "0f b6 00", MOVZX, 3, 1, 4, 8, DS, X86_RAX, 0, X86_RAX, NO, 1, 0, 0, RD | RDST),
	K(L64, "48 0f b7 08", MOVZX, 4, 2, 8, 8, DS, X86_RCX, 0, X86_RAX, NO, 1, 0, 0, RD | RDST),
	K(L64, "66 0f be 10", MOVSX, 4, 1, 2, 8, DS, X86_RDX, 0, X86_RAX, NO, 1, 0, 0, RD | RDST),
	K(L64, "0f bf 18", MOVSX, 3, 2, 4, 8, DS, X86_RBX, 0, X86_RAX, NO, 1, 0, 0, RD | RDST),
	K(L64, "4c 63 00", MOVSX, 3, 4, 8, 8, DS, X86_R8, 0, X86_RAX, NO, 1, 0, 0, RD | RDST),
	K(L64, "0f b6 20", MOVZX, 3, 1, 4, 8, DS, X86_RSP, 0, X86_RAX, NO, 1, 0, 0, RD | RDST),
	/* ALU, TEST, XCHG, BT*. */
	K(L64, "01 08", ADD, 2, 4, 4, 8, DS, X86_RCX, 0, X86_RAX, NO, 1, 0, 0, RD | WR),
	K(L64, "f0 48 09 08", OR, 4, 8, 8, 8, DS, X86_RCX, 0, X86_RAX, NO, 1, 0, 0, RD | WR | LCK),
	K(L64, "13 08", ADC, 2, 4, 4, 8, DS, X86_RCX, 0, X86_RAX, NO, 1, 0, 0, RD | RDST),
	K(L64, "38 20", CMP, 2, 1, 1, 8, DS, X86_RAX, 1, X86_RAX, NO, 1, 0, 0, RD),
	K(L64, "83 00 7f", ADD, 3, 4, 4, 8, DS, 0, 0, X86_RAX, NO, 1, 0, 0x7f, RD | WR | IMM),
	K(L64, "83 28 80", SUB, 3, 4, 4, 8, DS, 0, 0, X86_RAX, NO, 1, 0, 0xffffff80, RD | WR | IMM),
	K(L64, "48 83 30 ff", XOR, 4, 8, 8, 8, DS, 0, 0, X86_RAX, NO, 1, 0, -1, RD | WR | IMM),
	K(L64, "66 81 20 f0 0f", AND, 5, 2, 2, 8, DS, 0, 0, X86_RAX, NO, 1, 0, 0x0ff0, RD | WR | IMM),
	K(L64, "48 81 38 78 56 34 92", CMP, 7, 8, 8, 8, DS, 0, 0, X86_RAX, NO, 1, 0,
	  0xffffffff92345678ull, RD | IMM),
	K(L64, "80 18 01", SBB, 3, 1, 1, 8, DS, 0, 0, X86_RAX, NO, 1, 0, 1, RD | WR | IMM),
	K(L64, "85 08", TEST, 2, 4, 4, 8, DS, X86_RCX, 0, X86_RAX, NO, 1, 0, 0, RD),
	K(L64, "f6 00 80", TEST, 3, 1, 1, 8, DS, 0, 0, X86_RAX, NO, 1, 0, 0x80, RD | IMM),
	K(L64, "48 f7 00 00 00 00 80", TEST, 7, 8, 8, 8, DS, 0, 0, X86_RAX, NO, 1, 0,
	  0xffffffff80000000ull, RD | IMM),
	K(L64, "87 08", XCHG, 2, 4, 4, 8, DS, X86_RCX, 0, X86_RAX, NO, 1, 0, 0, RD | WR | RDST | LCK),
	K(L64, "0f a3 08", BT, 3, 4, 4, 8, DS, X86_RCX, 0, X86_RAX, NO, 1, 0, 0, RD | BTR),
	K(L64, "48 0f ab 08", BTS, 4, 8, 8, 8, DS, X86_RCX, 0, X86_RAX, NO, 1, 0, 0, RD | WR | BTR),
	K(L64, "0f ba 30 25", BTR, 4, 4, 4, 8, DS, 0, 0, X86_RAX, NO, 1, 0, 5, RD | WR | IMM),
	K(L64, "66 0f ba 38 13", BTC, 5, 2, 2, 8, DS, 0, 0, X86_RAX, NO, 1, 0, 3, RD | WR | IMM),
	/* Strings. */
	K(L64, "aa", STOS, 1, 1, 1, 8, DS, X86_RAX, 0, NO, NO, 1, 0, 0, WR | STR),
	K(L64, "f3 48 ab", STOS, 3, 8, 8, 8, DS, X86_RAX, 0, NO, NO, 1, 0, 0, WR | STR | REP),
	K(L64, "67 f3 66 ab", STOS, 4, 2, 2, 4, DS, X86_RAX, 0, NO, NO, 1, 0, 0, WR | STR | REP),
	K(L64, "f2 a4", MOVS, 2, 1, 1, 8, DS, X86_RAX, 0, NO, NO, 1, 0, 0, RD | WR | STR | REP),
	K(L64, "64 a5", MOVS, 2, 4, 4, 8, FS, X86_RAX, 0, NO, NO, 1, 0, 0, RD | WR | STR),
	K(L64, "ad", LODS, 1, 4, 4, 8, DS, X86_RAX, 0, NO, NO, 1, 0, 0, RD | RDST | STR),
	/* 32-bit code. */
	K(P32, "89 44 24 04", MOV, 4, 4, 4, 4, SS, X86_RAX, 0, X86_RSP, NO, 1, 4, 0, WR),
	K(P32, "8b 45 fc", MOV, 3, 4, 4, 4, SS, X86_RAX, 0, X86_RBP, NO, 1, -4, 0, RD | RDST),
	K(P32, "8b 05 00 00 00 d0", MOV, 6, 4, 4, 4, DS, X86_RAX, 0, NO, NO, 1, 0xffffffffd0000000ull,
	  0, RD | RDST),
	K(P32, "67 8b 00", MOV, 3, 4, 4, 2, DS, X86_RAX, 0, X86_RBX, X86_RSI, 1, 0, 0, RD | RDST),
	K(P32, "66 89 44 b3 10", MOV, 5, 2, 2, 4, DS, X86_RAX, 0, X86_RBX, X86_RSI, 4, 0x10, 0, WR),
	K(P32, "a1 10 00 00 00", MOV, 5, 4, 4, 4, DS, X86_RAX, 0, NO, NO, 1, 0x10, 0, RD | RDST),
	K(P32, "26 82 00 01", ADD, 4, 1, 1, 4, ES, 0, 0, X86_RAX, NO, 1, 0, 1, RD | WR | IMM),
	K(P32, "66 f3 ab", STOS, 3, 2, 2, 4, DS, X86_RAX, 0, NO, NO, 1, 0, 0, WR | STR | REP),
	/* 16-bit code. */
	K(R16, "c7 06 10 00 34 12", MOV, 6, 2, 2, 2, DS, 0, 0, NO, NO, 1, 0x10, 0x1234, WR | IMM),
	K(R16, "88 02", MOV, 2, 1, 1, 2, SS, X86_RAX, 0, X86_RBP, X86_RSI, 1, 0, 0, WR),
	K(R16, "3e 88 02", MOV, 3, 1, 1, 2, DS, X86_RAX, 0, X86_RBP, X86_RSI, 1, 0, 0, WR),
	K(R16, "8b 46 10", MOV, 3, 2, 2, 2, SS, X86_RAX, 0, X86_RBP, NO, 1, 0x10, 0, RD | RDST),
	K(R16, "8b 87 00 80", MOV, 4, 2, 2, 2, DS, X86_RAX, 0, X86_RBX, NO, 1, -0x8000, 0, RD | RDST),
	K(R16, "67 66 89 03", MOV, 4, 4, 4, 4, DS, X86_RAX, 0, X86_RBX, NO, 1, 0, 0, WR),
	K(R16, "66 0f b6 06 30 00", MOVZX, 6, 1, 4, 2, DS, X86_RAX, 0, NO, NO, 1, 0x30, 0, RD | RDST),
	K(R16, "a3 10 00", MOV, 3, 2, 2, 2, DS, X86_RAX, 0, NO, NO, 1, 0x10, 0, WR),
	K(R16, "f3 aa", STOS, 2, 1, 1, 2, DS, X86_RAX, 0, NO, NO, 1, 0, 0, WR | STR | REP),
	K(R16, "83 06 20 00 05", ADD, 5, 2, 2, 2, DS, 0, 0, NO, NO, 1, 0x20, 5, RD | WR | IMM),
};

/* Must be refused: not emulated, not a memory operand, or #UD. */
static const struct { u8 mode; const char *hex; const char *why; } refused[] = {
	{ L64, "89 c8", "register operand (mod 3)" },
	{ L64, "8c 00", "MOV from a segment register" },
	{ L64, "f0 89 08", "LOCK on a MOV" },
	{ L64, "f0 39 08", "LOCK on a CMP" },
	{ L64, "f0 0f a3 08", "LOCK on a BT" },
	{ L64, "f0 03 08", "LOCK with a register destination" },
	{ L64, "f0 ab", "LOCK on STOS" },
	{ L64, "0f ba 00 01", "0F BA /0" },
	{ L64, "82 00 01", "82 in 64-bit mode" },
	{ P32, "63 00", "ARPL outside 64-bit mode" },
	{ L64, "66 63 00", "MOVSXD with 16-bit operand size (vendors differ)" },
	{ L64, "64 65 89 00", "two different segment prefixes" },
	{ L64, "c6 08 01", "C6 /1" },
	{ L64, "f6 10", "NOT (F6 /2)" },
	{ L64, "ff 00", "INC (FF /0)" },
	{ L64, "0f b1 08", "CMPXCHG" },
	{ L64, "c5 f9 6f 00", "VEX" },
	{ L64, "0f 10 00", "SSE MOVUPS" },
	{ L64, "66 66 66 66 66 66 66 66 66 66 66 66 66 66 89 08", "16 bytes: longer than 15" },
};

static unsigned int parse_hex(const char *s, u8 *b)
{
	unsigned int n = 0;

	while (*s) {
		while (*s == ' ')
			s++;
		if (!*s)
			break;
		b[n++] = (u8)strtoul(s, (char **)&s, 16);
	}
	return n;
}

#define N(a) (sizeof(a) / sizeof((a)[0]))

static bool same_insn(const struct x86_insn *d, const struct known *k)
{
	return d->op == k->op && d->len == k->len && d->size == k->size &&
	       d->reg_size == k->reg_size && d->addr_size == k->addr_size &&
	       d->seg == k->seg && d->flags == k->flags &&
	       (!(d->flags & (RDST | WR | RD)) || (d->flags & IMM) ||
		(d->reg == k->reg && d->high_byte == k->high)) &&
	       d->base == k->base && d->index == k->index && d->scale == k->scale &&
	       d->disp == k->disp && (!(d->flags & IMM) || d->imm == k->imm);
}

static void check_known(void)
{
	unsigned int i, n, cut;
	struct x86_insn d;
	u8 b[16];
	int r;

	for (i = 0; i < N(known); i++) {
		const struct known *k = &known[i];

		n = parse_hex(k->hex, b);
		r = x86_decode(b, n, k->mode, &d);
		if (!ok(r == 0 && same_insn(&d, k), "known %u-bit %s: %s", 16 << k->mode, k->hex,
			x86_op_name(k->op)))
			tap_diag("got r=%d op %s len %u size %u/%u addr %u seg %u reg %u%s flags 0x%x "
				 "base %u index %u scale %u disp 0x%llx imm 0x%llx", r,
				 x86_op_name(d.op), d.len, d.size, d.reg_size, d.addr_size, d.seg,
				 d.reg, d.high_byte ? "h" : "", d.flags, d.base, d.index, d.scale,
				 (unsigned long long)d.disp, (unsigned long long)d.imm);
		/* Every truncation asks for more bytes. */
		for (cut = 0; cut < n; cut++)
			if (x86_decode(b, cut, k->mode, &d) != -EAGAIN)
				break;
		ok(cut == n, "known %s: each of its %u truncations is -EAGAIN", k->hex, n);
	}
	for (i = 0; i < N(refused); i++) {
		n = parse_hex(refused[i].hex, b);
		r = x86_decode(b, n, refused[i].mode, &d);
		ok(r == -EINVAL, "refused: %s (%s) -> %d", refused[i].hex, refused[i].why, r);
	}
}

/* ---- objdump cross-check ---- */

static u64 rng = 0x2545f4914f6cdd1dull;

static u64 rnd(void)
{
	rng ^= rng >> 12;
	rng ^= rng << 25;
	rng ^= rng >> 27;
	return rng * 2685821657736338717ull;
}

static const u8 opcodes1[] = {
	0x00, 0x01, 0x02, 0x03, 0x08, 0x09, 0x0a, 0x0b, 0x10, 0x11, 0x12, 0x13,
	0x18, 0x19, 0x1a, 0x1b, 0x20, 0x21, 0x22, 0x23, 0x28, 0x29, 0x2a, 0x2b,
	0x30, 0x31, 0x32, 0x33, 0x38, 0x39, 0x3a, 0x3b, 0x63, 0x80, 0x81, 0x82,
	0x83, 0x84, 0x85, 0x86, 0x87, 0x88, 0x89, 0x8a, 0x8b, 0xa0, 0xa1, 0xa2,
	0xa3, 0xa4, 0xa5, 0xaa, 0xab, 0xac, 0xad, 0xc6, 0xc7, 0xf6, 0xf7,
};
static const u8 opcodes0f[] = { 0xa3, 0xab, 0xb3, 0xbb, 0xba, 0xb6, 0xb7, 0xbe, 0xbf };
static const u8 legacy[] = { 0x66, 0x67, 0xf0, 0xf2, 0xf3, 0x26, 0x2e, 0x36, 0x3e, 0x64, 0x65 };

static void gen(u8 *b, unsigned int mode)
{
	unsigned int n = 0, i, np = rnd() % 4;

	for (i = 0; i < np; i++)
		b[n++] = legacy[rnd() % sizeof(legacy)];
	if (mode == L64 && rnd() % 2)
		b[n++] = 0x40 | (rnd() & 0xf);
	if (rnd() % 4 == 0) {
		b[n++] = 0x0f;
		b[n++] = opcodes0f[rnd() % sizeof(opcodes0f)];
	} else {
		b[n++] = opcodes1[rnd() % sizeof(opcodes1)];
	}
	for (; n < 16; n++)
		b[n] = (u8)rnd();
}

/* Register name -> number, size, high byte; -1 if not a GPR name. */
static int gpr_of(const char *s, unsigned int len, unsigned int *size, bool *high)
{
	static const char *const n64[] = { "rax", "rcx", "rdx", "rbx", "rsp", "rbp", "rsi", "rdi" };
	static const char *const n32[] = { "eax", "ecx", "edx", "ebx", "esp", "ebp", "esi", "edi" };
	static const char *const n16[] = { "ax", "cx", "dx", "bx", "sp", "bp", "si", "di" };
	static const char *const n8[] = { "al", "cl", "dl", "bl", "spl", "bpl", "sil", "dil" };
	static const char *const n8h[] = { "ah", "ch", "dh", "bh" };
	char buf[8];
	unsigned int i;

	if (len >= sizeof(buf))
		return -1;
	memcpy(buf, s, len);
	buf[len] = 0;
	*high = false;
	for (i = 0; i < 8; i++) {
		if (!strcmp(buf, n64[i])) { *size = 8; return i; }
		if (!strcmp(buf, n32[i])) { *size = 4; return i; }
		if (!strcmp(buf, n16[i])) { *size = 2; return i; }
		if (!strcmp(buf, n8[i])) { *size = 1; return i; }
		if (i < 4 && !strcmp(buf, n8h[i])) { *size = 1; *high = true; return i; }
	}
	if (buf[0] == 'r' && isdigit((unsigned char)buf[1])) {
		char *end;
		long r = strtol(buf + 1, &end, 10);

		if (r < 8 || r > 15)
			return -1;
		*size = !*end ? 8 : !strcmp(end, "d") ? 4 : !strcmp(end, "w") ? 2 :
			!strcmp(end, "b") ? 1 : 0;
		return *size ? (int)r : -1;
	}
	return -1;
}

static const char *mnemonic_ok(const struct x86_insn *d, const char *m)
{
	const char *want = x86_op_name(d->op);

	if (!strcmp(m, want))
		return NULL;
	if (d->op == X86_OP_MOV && !strcmp(m, "movabs"))
		return NULL;
	if (d->op == X86_OP_MOVSX && !strcmp(m, "movsxd"))
		return NULL;
	return want;
}

static int compare_objdump(const struct x86_insn *d, const u8 *b, const char *text,
			   unsigned int olen, char *why, size_t whylen)
{
	char buf[160], *p, *tok, *mem = NULL;
	static const char *const skip[] = {
		"rep", "repz", "repnz", "repe", "repne", "lock", "data16", "data32",
		"addr16", "addr32", "cs", "ds", "ss", "es", "fs", "gs", "bnd", "notrack",
		"xacquire", "xrelease",
	};
	unsigned int i, size, msize = 0;
	const char *w;
	bool high;
	int reg;

	(void)b;
	if (olen != d->len) {
		snprintf(why, whylen, "length %u, objdump %u", d->len, olen);
		return 1;
	}
	snprintf(buf, sizeof(buf), "%s", text);
	p = strchr(buf, '#');
	if (p)
		*p = 0;
	/* Prefix words, then the mnemonic. */
	p = buf;
	for (;;) {
		while (*p == ' ')
			p++;
		tok = p;
		while (*p && *p != ' ')
			p++;
		if (*p)
			*p++ = 0;
		for (i = 0; i < N(skip); i++)
			if (!strcmp(tok, skip[i]) || !strncmp(tok, "rex", 3))
				break;
		if (i == N(skip) && strncmp(tok, "rex", 3))
			break;
	}
	w = mnemonic_ok(d, tok);
	if (w) {
		snprintf(why, whylen, "mnemonic %s, objdump %s", w, tok);
		return 1;
	}
	if (d->flags & X86_INSN_STRING)
		return 0;	/* es:[rdi]/ds:[rsi] are implied by the mnemonic */
	while (*p == ' ')
		p++;

	/* Operands, comma separated; one is the memory operand. */
	for (tok = strtok(p, ","); tok; tok = strtok(NULL, ",")) {
		char *t = tok;

		while (*t == ' ')
			t++;
		if (!strncmp(t, "BYTE PTR ", 9)) { msize = 1; t += 9; }
		else if (!strncmp(t, "WORD PTR ", 9)) { msize = 2; t += 9; }
		else if (!strncmp(t, "DWORD PTR ", 10)) { msize = 4; t += 10; }
		else if (!strncmp(t, "QWORD PTR ", 10)) { msize = 8; t += 10; }
		if (strchr(t, '[') || strchr(t, ':')) {
			mem = t;
			continue;
		}
		reg = gpr_of(t, strcspn(t, " "), &size, &high);
		if (reg >= 0) {
			if ((d->flags & IMM) || reg != d->reg || size != d->reg_size ||
			    high != d->high_byte) {
				snprintf(why, whylen, "register %s, decoder %u size %u%s", t, d->reg,
					 d->reg_size, d->high_byte ? " high" : "");
				return 1;
			}
		} else if (!strncmp(t, "0x", 2)) {
			u64 imm = strtoull(t, NULL, 16), mask = d->size == 8 ? ~0ull :
				  (1ull << (8 * d->size)) - 1;

			if (d->op >= X86_OP_BT && d->op <= X86_OP_BTC)
				mask = 8 * d->size - 1;
			if (!(d->flags & IMM) || (imm & mask) != (d->imm & mask)) {
				snprintf(why, whylen, "immediate %s, decoder 0x%llx", t,
					 (unsigned long long)d->imm);
				return 1;
			}
		}
	}
	if (!mem) {
		snprintf(why, whylen, "no memory operand in objdump's text");
		return 1;
	}
	if (msize && msize != d->size) {
		snprintf(why, whylen, "memory size %u, objdump %u", d->size, msize);
		return 1;
	}
	/* Segment: an explicit one must be the decoder's (64-bit: FS/GS only). */
	{
		static const char *const segs[] = { "es:", "cs:", "ss:", "ds:", "fs:", "gs:" };
		int seg = -1;

		for (i = 0; i < 6; i++)
			if (!strncmp(mem, segs[i], 3))
				seg = i;
		if (seg >= 0)
			mem += 3;
		if (seg >= 0 && !(d->mode == L64 && seg < 4) && !(d->base == NO &&
		    d->index == NO && seg == X86_DS) && seg != d->seg) {
			snprintf(why, whylen, "segment %s, decoder %u", segs[seg], d->seg);
			return 1;
		}
		if (seg < 0 && d->seg != X86_DS && d->seg != X86_SS) {
			snprintf(why, whylen, "no segment shown, decoder %u", d->seg);
			return 1;
		}
	}
	/* [base+index*scale+disp], or an absolute address. */
	{
		unsigned int base = NO, index = NO, scale = 1, rsize;
		u64 disp = 0, amask = d->addr_size == 8 ? ~0ull : (1ull << (8 * d->addr_size)) - 1;
		char *q = mem;
		int sign = 1;

		if (*q == '[') {
			q++;
			while (*q && *q != ']') {
				char *e = q;

				if (*q == '+' || *q == '-') {
					sign = *q == '-' ? -1 : 1;
					q++;
					continue;
				}
				while (*e && *e != '+' && *e != '-' && *e != ']' && *e != '*')
					e++;
				if (!strncmp(q, "0x", 2)) {
					disp += sign * strtoull(q, NULL, 16);
				} else if (!strncmp(q, "rip", 3) || !strncmp(q, "eip", 3)) {
					base = RIP;
				} else if (!strncmp(q, "riz", 3) || !strncmp(q, "eiz", 3)) {
					if (*e == '*')
						e += 2;
				} else {
					reg = gpr_of(q, e - q, &rsize, &high);
					if (reg < 0) {
						snprintf(why, whylen, "cannot parse %s", mem);
						return 1;
					}
					if (*e == '*') {
						index = reg;
						scale = e[1] - '0';
						e += 2;
					} else if (base == NO) {
						base = reg;
					} else {
						index = reg;	/* 16-bit [bx+si] */
					}
				}
				q = e;
				sign = 1;
			}
		} else {
			disp = strtoull(q, NULL, 16);
		}
		if (base != d->base || index != d->index || (index != NO && scale != d->scale) ||
		    (disp & amask) != (d->disp & amask)) {
			snprintf(why, whylen, "memory operand %s, decoder base %u index %u*%u "
				 "disp 0x%llx", mem, d->base, d->index, d->scale,
				 (unsigned long long)d->disp);
			return 1;
		}
	}
	return 0;
}

static void check_objdump(unsigned int mode, unsigned int count)
{
	static const char *const arch[] = { "i8086", "i386", "i386:x86-64" };
	char path[] = "/tmp/mv-decode-XXXXXX", cmd[256], line[512];
	struct x86_insn *d = calloc(count, sizeof(*d));
	u8 (*b)[16] = calloc(count, 16);
	unsigned int i, n = 0, bad = 0, seen = 0;
	FILE *f, *o;
	int fd;

	fd = mkstemp(path);
	f = fd >= 0 ? fdopen(fd, "w") : NULL;
	if (!f || !d || !b) {
		ok(0, "%u-bit: temporary file", 16 << mode);
		return;
	}
	/* The known encodings of this mode, then random accepted ones. */
	for (i = 0; i < N(known) && n < count; i++) {
		/* objdump shows a REX before a legacy prefix as an instruction of its own. */
		if (known[i].mode != mode || !strncmp(known[i].hex, "48 66", 5))
			continue;
		memset(b[n], 0x90, 16);
		parse_hex(known[i].hex, b[n]);
		if (!x86_decode(b[n], 16, mode, &d[n]))
			n++;
	}
	while (n < count) {
		gen(b[n], mode);
		if (x86_decode(b[n], 16, mode, &d[n]))
			continue;
		memset(b[n] + d[n].len, 0x90, 16 - d[n].len);	/* NOP padding */
		n++;
	}
	fwrite(b, 16, n, f);
	fclose(f);

	snprintf(cmd, sizeof(cmd), "objdump -D -b binary -m %s -M intel --insn-width=16 %s",
		 arch[mode], path);
	o = popen(cmd, "r");
	if (!o) {
		ok(0, "%u-bit: run objdump", 16 << mode);
		goto out;
	}
	while (fgets(line, sizeof(line), o)) {
		unsigned long off;
		char *tab1, *tab2, why[400];
		unsigned int olen = 0;

		if (sscanf(line, " %lx:", &off) != 1 || !(tab1 = strchr(line, '\t')))
			continue;
		if (off % 16 || off / 16 >= n)
			continue;
		tab2 = strchr(tab1 + 1, '\t');
		if (!tab2)
			continue;
		for (char *h = tab1 + 1; h < tab2; h++)
			if (isxdigit((unsigned char)h[0]) && isxdigit((unsigned char)h[1])) {
				olen++;
				h++;
			}
		tab2[strcspn(tab2, "\n")] = 0;
		i = off / 16;
		seen++;
		if (compare_objdump(&d[i], b[i], tab2 + 1, olen, why, sizeof(why))) {
			if (++bad <= 20) {
				tap_diag("%u-bit insn %u: %s", 16 << mode, i, why);
				tap_diag("  objdump: %s", tab2 + 1);
			}
		}
	}
	pclose(o);
	ok(seen == n && !bad, "%u-bit: objdump agrees on %u of %u instructions "
	   "(length, mnemonic, operand size, base/index/scale/disp, segment, register, immediate)",
	   16 << mode, seen - bad, n);
out:
	unlink(path);
	free(d);
	free(b);
}

int main(int argc, char **argv)
{
	unsigned int count = argc > 1 ? strtoul(argv[1], NULL, 0) : 4000, mode;

	tap_start();
	check_known();
	for (mode = 0; mode < 3; mode++)
		check_objdump(mode, count);
	return tap_end();
}
