// SPDX-License-Identifier: GPL-2.0
/*
 * Minimal decoder for MOV between a register or immediate and memory
 * (opcodes 88, 89, 8A, 8B, C6 /0, C7 /0, A0-A3), the instructions guests use
 * for plain MMIO. Instruction format: Intel SDM Vol. 2A chapter 2 (prefixes,
 * REX, ModRM/SIB and displacement tables 2-1 and 2-2).
 */
#include "x86_decode.h"

struct decode_state {
	const u8 *buf;
	unsigned int avail;
	unsigned int pos;
	enum x86_cpu_mode mode;
	bool opsize_prefix;
	bool addrsize_prefix;
	u8 rex;
};

static int take(struct decode_state *s, u8 *byte)
{
	if (s->pos >= X86_MAX_INSN_LEN)
		return -EINVAL;
	if (s->pos >= s->avail)
		return -EAGAIN;
	*byte = s->buf[s->pos++];
	return 0;
}

static int skip(struct decode_state *s, unsigned int n)
{
	if (s->pos + n > X86_MAX_INSN_LEN)
		return -EINVAL;
	if (s->pos + n > s->avail)
		return -EAGAIN;
	s->pos += n;
	return 0;
}

static int take_imm(struct decode_state *s, unsigned int n, u64 *val)
{
	unsigned int i;
	u64 v = 0;
	int r = 0;
	u8 b;

	for (i = 0; i < n; i++) {
		r = take(s, &b);
		if (r)
			break;
		v |= (u64)b << (8 * i);
	}
	*val = v;
	return r;
}

/* Operand size in bytes for a non-byte operation (SDM Vol. 1 3.6). */
static unsigned int operand_size(const struct decode_state *s)
{
	if (s->mode == X86_MODE_LONG64 && (s->rex & 0x8))
		return 8;
	if (s->mode == X86_MODE_REAL16)
		return s->opsize_prefix ? 4 : 2;
	return s->opsize_prefix ? 2 : 4;
}

static unsigned int address_size(const struct decode_state *s)
{
	switch (s->mode) {
	case X86_MODE_REAL16:
		return s->addrsize_prefix ? 4 : 2;
	case X86_MODE_PROT32:
		return s->addrsize_prefix ? 2 : 4;
	default:
		return s->addrsize_prefix ? 4 : 8;
	}
}

/*
 * Skips the ModRM memory operand (SIB and displacement) and returns ModRM.reg
 * with REX.R applied. A register operand (mod == 3) is not a memory access.
 */
static int modrm_mem(struct decode_state *s, u8 *reg)
{
	u8 modrm, mod, rm, sib;
	int r;

	r = take(s, &modrm);
	if (r)
		return r;
	mod = modrm >> 6;
	rm = modrm & 7;
	*reg = ((modrm >> 3) & 7) | ((s->rex & 0x4) ? 8 : 0);
	if (mod == 3)
		return -EINVAL;

	if (address_size(s) == 2) {
		/* 16-bit addressing: no SIB; rm 6 with mod 0 is disp16. */
		if (mod == 1)
			return skip(s, 1);
		if (mod == 2 || (mod == 0 && rm == 6))
			return skip(s, 2);
		return 0;
	}

	if (rm == 4) {
		r = take(s, &sib);
		if (r)
			return r;
		if (mod == 0 && (sib & 7) == 5)
			return skip(s, 4);
	}
	if (mod == 1)
		return skip(s, 1);
	if (mod == 2 || (mod == 0 && rm == 5))
		return skip(s, 4);
	return 0;
}

static u64 sign_extend(u64 v, unsigned int from_bytes, unsigned int to_bytes)
{
	unsigned int shift = 64 - 8 * from_bytes;
	u64 ext = (u64)((s64)(v << shift) >> shift);

	if (to_bytes >= 8)
		return ext;
	return ext & ((1ULL << (8 * to_bytes)) - 1);
}

int x86_decode_mem_insn(const u8 *buf, unsigned int avail,
			enum x86_cpu_mode mode, struct x86_mem_insn *out)
{
	struct decode_state s = { .buf = buf, .avail = avail, .mode = mode };
	unsigned int opsize;
	u8 op, reg;
	u64 imm;
	int r;

	memset(out, 0, sizeof(*out));

	/* Legacy prefixes, then REX (only meaningful right before the opcode). */
	for (;;) {
		r = take(&s, &op);
		if (r)
			return r;
		switch (op) {
		case 0x66:
			s.opsize_prefix = true;
			s.rex = 0;
			continue;
		case 0x67:
			s.addrsize_prefix = true;
			s.rex = 0;
			continue;
		case 0x26: case 0x2e: case 0x36: case 0x3e: case 0x64: case 0x65:
		case 0xf0: case 0xf2: case 0xf3:
			/* Segment, LOCK, REP: no effect on size or register. */
			s.rex = 0;
			continue;
		}
		if (mode == X86_MODE_LONG64 && (op & 0xf0) == 0x40) {
			s.rex = op;
			continue;
		}
		break;
	}

	opsize = operand_size(&s);
	switch (op) {
	case 0x88:	/* MOV r/m8, r8 */
	case 0x89:	/* MOV r/m, r */
	case 0x8a:	/* MOV r8, r/m8 */
	case 0x8b:	/* MOV r, r/m */
		r = modrm_mem(&s, &reg);
		if (r)
			return r;
		out->size = (op & 1) ? opsize : 1;
		out->is_write = !(op & 2);
		out->reg = reg;
		break;
	case 0xc6:	/* MOV r/m8, imm8 */
	case 0xc7:	/* MOV r/m, imm16/32 (sign-extended to 64) */
		r = modrm_mem(&s, &reg);
		if (r)
			return r;
		if ((reg & 7) != 0)
			return -EINVAL;
		out->size = (op & 1) ? opsize : 1;
		r = take_imm(&s, out->size == 8 ? 4 : out->size, &imm);
		if (r)
			return r;
		out->imm = sign_extend(imm, out->size == 8 ? 4 : out->size,
				       out->size);
		out->is_write = true;
		out->has_imm = true;
		break;
	case 0xa0:	/* MOV AL, moffs */
	case 0xa1:	/* MOV rAX, moffs */
	case 0xa2:	/* MOV moffs, AL */
	case 0xa3:	/* MOV moffs, rAX */
		r = skip(&s, address_size(&s));
		if (r)
			return r;
		out->size = (op & 1) ? opsize : 1;
		out->is_write = op >= 0xa2;
		out->reg = X86_RAX;
		break;
	default:
		return -EINVAL;
	}

	/* Byte registers 4..7 are AH..BH unless any REX prefix is present. */
	if (out->size == 1 && !out->has_imm && !s.rex && out->reg >= 4 &&
	    out->reg < 8) {
		out->reg -= 4;
		out->high_byte = true;
	}
	out->len = s.pos;
	return 0;
}

u64 x86_merge_reg(u64 old, u64 val, unsigned int size, bool high_byte)
{
	switch (size) {
	case 1:
		if (high_byte)
			return (old & ~0xff00ULL) | ((val & 0xff) << 8);
		return (old & ~0xffULL) | (val & 0xff);
	case 2:
		return (old & ~0xffffULL) | (val & 0xffff);
	case 4:
		return val & 0xffffffffULL;
	default:
		return val;
	}
}

u64 x86_read_reg(u64 reg, unsigned int size, bool high_byte)
{
	switch (size) {
	case 1:
		return high_byte ? (reg >> 8) & 0xff : reg & 0xff;
	case 2:
		return reg & 0xffff;
	case 4:
		return reg & 0xffffffffULL;
	default:
		return reg;
	}
}
