// SPDX-License-Identifier: GPL-2.0
/*
 * x86 decoder for the instructions guests use on MMIO. Instruction format:
 * Intel SDM Vol. 2A chapter 2 (prefixes, REX, ModRM/SIB and displacement
 * tables 2-1 to 2-3) and the opcode map in Vol. 2D appendix A. Every
 * opcode accepted here is listed in the switch in x86_decode(); every other
 * byte sequence is -EINVAL.
 */
#include "x86_decode.h"

struct decode_state {
	const u8 *buf;
	unsigned int avail;
	unsigned int pos;
	enum x86_cpu_mode mode;
	bool opsize_prefix;
	bool addrsize_prefix;
	u8 rep;			/* 0, 0xf2 or 0xf3 */
	bool lock;
	int seg;		/* segment override, -1: none */
	u8 rex;
	u8 modrm;
};

#define REX_W	0x8
#define REX_R	0x4
#define REX_X	0x2
#define REX_B	0x1

static int take(struct decode_state *s, u8 *byte)
{
	if (s->pos >= X86_MAX_INSN_LEN)
		return -EINVAL;		/* longer than 15 bytes: #GP on hardware */
	if (s->pos >= s->avail)
		return -EAGAIN;
	*byte = s->buf[s->pos++];
	return 0;
}

/* Little-endian immediate or displacement of n bytes. */
static int take_le(struct decode_state *s, unsigned int n, u64 *val)
{
	unsigned int i;
	u64 v = 0;
	u8 b;
	int r;

	for (i = 0; i < n; i++) {
		r = take(s, &b);
		if (r)
			return r;
		v |= (u64)b << (8 * i);
	}
	*val = v;
	return 0;
}

static u64 sext(u64 v, unsigned int from_bytes)
{
	unsigned int shift = 64 - 8 * from_bytes;

	return (u64)((s64)(v << shift) >> shift);
}

static u64 trunc_to(u64 v, unsigned int bytes)
{
	return bytes >= 8 ? v : v & ((1ULL << (8 * bytes)) - 1);
}

/* Operand size for a non-byte operation (SDM Vol. 1 3.6, table 3-4). */
static unsigned int operand_size(const struct decode_state *s)
{
	if (s->mode == X86_MODE_LONG64 && (s->rex & REX_W))
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
 * Decodes the ModRM memory operand (SIB, displacement) into out->base,
 * index, scale, disp and the default segment, and returns ModRM.reg with
 * REX.R applied in *reg. A register operand (mod == 3) is not a memory
 * access: -EINVAL.
 */
static int modrm_mem(struct decode_state *s, struct x86_insn *out, u8 *reg)
{
	static const u8 base16[8] = {
		X86_RBX, X86_RBX, X86_RBP, X86_RBP, X86_RSI, X86_RDI, X86_RBP, X86_RBX,
	};
	static const u8 index16[8] = {
		X86_RSI, X86_RDI, X86_RSI, X86_RDI, X86_NO_REG, X86_NO_REG,
		X86_NO_REG, X86_NO_REG,
	};
	u8 mod, rm, sib;
	u64 disp = 0;
	int r;

	r = take(s, &s->modrm);
	if (r)
		return r;
	mod = s->modrm >> 6;
	rm = s->modrm & 7;
	*reg = ((s->modrm >> 3) & 7) | ((s->rex & REX_R) ? 8 : 0);
	if (mod == 3)
		return -EINVAL;

	out->seg = X86_DS;
	out->scale = 1;
	out->index = X86_NO_REG;

	if (address_size(s) == 2) {
		/* Table 2-1: no SIB; mod 0 rm 6 is disp16 alone. */
		if (mod == 0 && rm == 6) {
			out->base = X86_NO_REG;
			r = take_le(s, 2, &disp);
			out->disp = sext(disp, 2);
			return r;
		}
		out->base = base16[rm];
		out->index = index16[rm];
		if (out->base == X86_RBP)
			out->seg = X86_SS;
		if (mod == 1) {
			r = take_le(s, 1, &disp);
			out->disp = sext(disp, 1);
		} else if (mod == 2) {
			r = take_le(s, 2, &disp);
			out->disp = sext(disp, 2);
		}
		return r;
	}

	/* Tables 2-2 and 2-3. */
	if (rm == 4) {
		u8 idx, base;

		r = take(s, &sib);
		if (r)
			return r;
		out->scale = 1 << (sib >> 6);
		idx = ((sib >> 3) & 7) | ((s->rex & REX_X) ? 8 : 0);
		out->index = idx == X86_RSP ? X86_NO_REG : idx;	/* 100b: none */
		base = sib & 7;
		if (mod == 0 && base == 5) {
			out->base = X86_NO_REG;		/* disp32, no base */
			r = take_le(s, 4, &disp);
			out->disp = sext(disp, 4);
			return r;
		}
		out->base = base | ((s->rex & REX_B) ? 8 : 0);
	} else if (mod == 0 && rm == 5) {
		/* disp32; in 64-bit mode relative to the next RIP (2.2.1.6). */
		out->base = s->mode == X86_MODE_LONG64 ? X86_REG_RIP : X86_NO_REG;
		r = take_le(s, 4, &disp);
		out->disp = sext(disp, 4);
		return r;
	} else {
		out->base = rm | ((s->rex & REX_B) ? 8 : 0);
	}
	/* rSP and rBP as base default to SS (Vol. 1 3.7.4, table 3-5). */
	if (out->base == X86_RSP || out->base == X86_RBP)
		out->seg = X86_SS;
	if (mod == 1) {
		r = take_le(s, 1, &disp);
		out->disp = sext(disp, 1);
	} else if (mod == 2) {
		r = take_le(s, 4, &disp);
		out->disp = sext(disp, 4);
	}
	return r;
}

static int take_imm(struct decode_state *s, struct x86_insn *out, unsigned int bytes)
{
	u64 v;
	int r;

	r = take_le(s, bytes, &v);
	if (r)
		return r;
	out->imm = trunc_to(sext(v, bytes), out->size);
	out->flags |= X86_INSN_IMM;
	return 0;
}

/* Legacy prefixes (2.1.1), then REX (2.2.1: only right before the opcode). */
static int prefixes(struct decode_state *s, u8 *op)
{
	int r, seg;

	for (;;) {
		r = take(s, op);
		if (r)
			return r;
		switch (*op) {
		case 0x66:
			s->opsize_prefix = true;
			break;
		case 0x67:
			s->addrsize_prefix = true;
			break;
		case 0x26: case 0x2e: case 0x36: case 0x3e:
		case 0x64: case 0x65:
			seg = *op >= 0x64 ? X86_FS + (*op & 1) : (*op >> 3) & 3;
			/*
			 * Two different segment prefixes: which one wins is
			 * not architectural (SDM Vol. 2A 2.1.1). Refuse.
			 */
			if (s->seg >= 0 && s->seg != seg)
				return -EINVAL;
			s->seg = seg;
			break;
		case 0xf0:
			s->lock = true;
			break;
		case 0xf2: case 0xf3:
			s->rep = *op;
			break;
		default:
			if (s->mode == X86_MODE_LONG64 && (*op & 0xf0) == 0x40) {
				s->rex = *op;
				continue;
			}
			return 0;
		}
		/* A REX prefix followed by a legacy prefix is ignored. */
		s->rex = 0;
	}
}

/* ALU op r/m, r (00-39 with bit 1 clear) and op r, r/m (bit 1 set). */
static int decode_alu_modrm(struct decode_state *s, struct x86_insn *out, u8 op)
{
	unsigned int kind = op >> 3;	/* 0 ADD .. 7 CMP */
	u8 reg;
	int r;

	r = modrm_mem(s, out, &reg);
	if (r)
		return r;
	out->op = X86_OP_ADD + kind;
	out->size = (op & 1) ? operand_size(s) : 1;
	out->reg = reg;
	out->flags |= X86_INSN_MEM_READ;
	if (op & 2)
		out->flags |= X86_INSN_REG_DST;
	else if (out->op != X86_OP_CMP)
		out->flags |= X86_INSN_MEM_WRITE;
	return 0;
}

static int decode_0f(struct decode_state *s, struct x86_insn *out)
{
	unsigned int opsize = operand_size(s);
	u8 op, reg;
	int r;

	r = take(s, &op);
	if (r)
		return r;
	switch (op) {
	case 0xb6: case 0xb7:	/* MOVZX r, r/m8 ; MOVZX r, r/m16 */
	case 0xbe: case 0xbf:	/* MOVSX r, r/m8 ; MOVSX r, r/m16 */
		r = modrm_mem(s, out, &reg);
		if (r)
			return r;
		out->op = op >= 0xbe ? X86_OP_MOVSX : X86_OP_MOVZX;
		out->size = (op & 1) ? 2 : 1;
		out->reg_size = opsize;
		out->reg = reg;
		out->flags |= X86_INSN_MEM_READ | X86_INSN_REG_DST;
		return 0;
	case 0xa3: case 0xab:	/* BT, BTS r/m, r */
	case 0xb3: case 0xbb:	/* BTR, BTC r/m, r */
		r = modrm_mem(s, out, &reg);
		if (r)
			return r;
		out->op = X86_OP_BT + ((op >> 3) & 3);
		out->size = opsize;
		out->reg = reg;
		out->flags |= X86_INSN_MEM_READ | X86_INSN_BT_REG;
		break;
	case 0xba:		/* BT/BTS/BTR/BTC r/m, imm8 (/4../7) */
		r = modrm_mem(s, out, &reg);
		if (r)
			return r;
		if (!(reg & 4))
			return -EINVAL;			/* /0../3: #UD */
		out->op = X86_OP_BT + (reg & 3);
		out->size = opsize;
		r = take_le(s, 1, &out->imm);
		if (r)
			return r;
		out->imm &= 8 * opsize - 1;		/* the bit, mod operand size */
		out->flags |= X86_INSN_MEM_READ | X86_INSN_IMM;
		break;
	default:
		return -EINVAL;
	}
	if (out->op != X86_OP_BT)
		out->flags |= X86_INSN_MEM_WRITE;
	return 0;
}

int x86_decode(const u8 *buf, unsigned int avail, enum x86_cpu_mode mode,
	       struct x86_insn *out)
{
	struct decode_state s = { .buf = buf, .avail = avail, .mode = mode, .seg = -1 };
	unsigned int opsize;
	u8 op, reg;
	int r;

	memset(out, 0, sizeof(*out));
	out->base = X86_NO_REG;
	out->index = X86_NO_REG;
	out->scale = 1;
	out->seg = X86_DS;

	r = prefixes(&s, &op);
	if (r)
		return r;
	opsize = operand_size(&s);

	switch (op) {
	case 0x00 ... 0x03: case 0x08 ... 0x0b:		/* ADD, OR */
	case 0x10 ... 0x13: case 0x18 ... 0x1b:		/* ADC, SBB */
	case 0x20 ... 0x23: case 0x28 ... 0x2b:		/* AND, SUB */
	case 0x30 ... 0x33: case 0x38 ... 0x3b:		/* XOR, CMP */
		r = decode_alu_modrm(&s, out, op);
		break;
	case 0x63:		/* MOVSXD r, r/m32 (64-bit mode; ARPL elsewhere) */
		/*
		 * With 66, Intel documents a 16-bit source and binutils a
		 * 32-bit one: vendors differ, so no guess.
		 */
		if (mode != X86_MODE_LONG64 || opsize == 2)
			return -EINVAL;
		r = modrm_mem(&s, out, &reg);
		if (r)
			return r;
		out->op = X86_OP_MOVSX;
		out->reg_size = opsize;
		out->size = 4;
		out->reg = reg;
		out->flags |= X86_INSN_MEM_READ | X86_INSN_REG_DST;
		break;
	case 0x80:		/* ALU r/m8, imm8 */
	case 0x81:		/* ALU r/m, imm16/32 */
	case 0x82:		/* ALU r/m8, imm8 (alias of 80, invalid in 64-bit mode) */
	case 0x83:		/* ALU r/m, imm8 sign-extended */
		if (op == 0x82 && mode == X86_MODE_LONG64)
			return -EINVAL;
		r = modrm_mem(&s, out, &reg);
		if (r)
			return r;
		out->op = X86_OP_ADD + (reg & 7);
		out->size = (op & 1) ? opsize : 1;
		r = take_imm(&s, out, op == 0x81 ? (opsize == 2 ? 2 : 4) : 1);
		out->flags |= X86_INSN_MEM_READ;
		if (out->op != X86_OP_CMP)
			out->flags |= X86_INSN_MEM_WRITE;
		break;
	case 0x84: case 0x85:	/* TEST r/m, r */
		r = modrm_mem(&s, out, &reg);
		if (r)
			return r;
		out->op = X86_OP_TEST;
		out->size = (op & 1) ? opsize : 1;
		out->reg = reg;
		out->flags |= X86_INSN_MEM_READ;
		break;
	case 0x86: case 0x87:	/* XCHG r/m, r (locked whether or not F0) */
		r = modrm_mem(&s, out, &reg);
		if (r)
			return r;
		out->op = X86_OP_XCHG;
		out->size = (op & 1) ? opsize : 1;
		out->reg = reg;
		out->flags |= X86_INSN_MEM_READ | X86_INSN_MEM_WRITE | X86_INSN_REG_DST;
		break;
	case 0x88: case 0x89:	/* MOV r/m, r */
	case 0x8a: case 0x8b:	/* MOV r, r/m */
		r = modrm_mem(&s, out, &reg);
		if (r)
			return r;
		out->op = X86_OP_MOV;
		out->size = (op & 1) ? opsize : 1;
		out->reg = reg;
		out->flags |= (op & 2) ? X86_INSN_MEM_READ | X86_INSN_REG_DST :
					 X86_INSN_MEM_WRITE;
		break;
	case 0xa0: case 0xa1:	/* MOV AL/rAX, moffs */
	case 0xa2: case 0xa3:	/* MOV moffs, AL/rAX */
		out->op = X86_OP_MOV;
		out->size = (op & 1) ? opsize : 1;
		out->reg = X86_RAX;
		r = take_le(&s, address_size(&s), &out->disp);
		out->flags |= op >= 0xa2 ? X86_INSN_MEM_WRITE :
					   X86_INSN_MEM_READ | X86_INSN_REG_DST;
		break;
	case 0xa4: case 0xa5:	/* MOVS */
	case 0xaa: case 0xab:	/* STOS */
	case 0xac: case 0xad:	/* LODS */
		out->size = (op & 1) ? opsize : 1;
		out->reg = X86_RAX;
		out->flags |= X86_INSN_STRING;
		if (s.rep)
			out->flags |= X86_INSN_REP;	/* F2 and F3 both repeat these */
		if (op <= 0xa5) {
			out->op = X86_OP_MOVS;
			out->flags |= X86_INSN_MEM_READ | X86_INSN_MEM_WRITE;
		} else if (op <= 0xab) {
			out->op = X86_OP_STOS;
			out->flags |= X86_INSN_MEM_WRITE;
		} else {
			out->op = X86_OP_LODS;
			out->flags |= X86_INSN_MEM_READ | X86_INSN_REG_DST;
		}
		break;
	case 0xc6: case 0xc7:	/* MOV r/m, imm (C7 with REX.W: imm32 sign-extended) */
		r = modrm_mem(&s, out, &reg);
		if (r)
			return r;
		if (reg & 7)
			return -EINVAL;
		out->op = X86_OP_MOV;
		out->size = (op & 1) ? opsize : 1;
		r = take_imm(&s, out, out->size > 4 ? 4 : out->size);
		out->flags |= X86_INSN_MEM_WRITE;
		break;
	case 0xf6: case 0xf7:	/* TEST r/m, imm (/0; other forms refused) */
		r = modrm_mem(&s, out, &reg);
		if (r)
			return r;
		if (reg & 7)
			return -EINVAL;
		out->op = X86_OP_TEST;
		out->size = (op & 1) ? opsize : 1;
		r = take_imm(&s, out, out->size > 4 ? 4 : out->size);
		out->flags |= X86_INSN_MEM_READ;
		break;
	case 0x0f:
		r = decode_0f(&s, out);
		break;
	default:
		return -EINVAL;
	}
	if (r)
		return r;

	/*
	 * LOCK is valid only on a read-modify-write of memory; anywhere else
	 * it raises #UD before any memory access (Vol. 2A LOCK), so seeing it
	 * on an MMIO fault means the bytes are not what faulted.
	 */
	if (s.lock && out->op != X86_OP_XCHG &&
	    ((out->flags & (X86_INSN_MEM_READ | X86_INSN_MEM_WRITE)) !=
	     (X86_INSN_MEM_READ | X86_INSN_MEM_WRITE) ||
	     (out->flags & (X86_INSN_STRING | X86_INSN_REG_DST))))
		return -EINVAL;
	if (s.lock || out->op == X86_OP_XCHG)
		out->flags |= X86_INSN_LOCK;

	if (!out->reg_size)
		out->reg_size = out->size;
	/* Byte registers 4..7 are AH..BH unless any REX prefix is present. */
	if (out->reg_size == 1 && !(out->flags & X86_INSN_IMM) && !s.rex &&
	    out->reg >= 4 && out->reg < 8) {
		out->reg -= 4;
		out->high_byte = true;
	}
	/*
	 * Segment override: the string destination is always ES. In 64-bit
	 * mode only FS and GS have a base (Vol. 3A 3.4.4); ES/CS/SS/DS
	 * overrides then change nothing.
	 */
	if (s.seg >= 0 && !(mode == X86_MODE_LONG64 && s.seg < X86_FS))
		out->seg = s.seg;
	out->mode = mode;
	out->addr_size = address_size(&s);
	out->len = s.pos;
	return 0;
}

u64 x86_insn_ea(const struct x86_insn *in, x86_get_gpr_fn get_gpr, void *ctx,
		u64 rip, bool string_dst)
{
	u64 ea = in->disp;

	if (in->flags & X86_INSN_STRING) {
		ea = get_gpr(ctx, string_dst ? X86_RDI : X86_RSI);
		return trunc_to(ea, in->addr_size);
	}
	if (in->base == X86_REG_RIP)
		ea += rip + in->len;
	else if (in->base != X86_NO_REG)
		ea += get_gpr(ctx, in->base);
	if (in->index != X86_NO_REG)
		ea += get_gpr(ctx, in->index) * in->scale;
	if (in->flags & X86_INSN_BT_REG) {
		/* Signed bit offset of operand size: floor division by 8*size. */
		s64 off = (s64)sext(trunc_to(get_gpr(ctx, in->reg), in->size), in->size);
		unsigned int shift = in->size == 8 ? 6 : in->size == 4 ? 5 : 4;

		ea += (u64)((off >> shift) * in->size);
	}
	return trunc_to(ea, in->addr_size);
}

u64 x86_linear(const struct x86_insn *in, u8 seg, u64 seg_base, u64 ea)
{
	if (in->mode == X86_MODE_LONG64)
		return (seg == X86_FS || seg == X86_GS) ? seg_base + ea : ea;
	return (seg_base + ea) & 0xffffffffULL;
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

const char *x86_op_name(unsigned int op)
{
	static const char * const names[X86_NR_OPS] = {
		[X86_OP_NONE] = "none", [X86_OP_MOV] = "mov", [X86_OP_MOVZX] = "movzx",
		[X86_OP_MOVSX] = "movsx", [X86_OP_ADD] = "add", [X86_OP_OR] = "or",
		[X86_OP_ADC] = "adc", [X86_OP_SBB] = "sbb", [X86_OP_AND] = "and",
		[X86_OP_SUB] = "sub", [X86_OP_XOR] = "xor", [X86_OP_CMP] = "cmp",
		[X86_OP_TEST] = "test", [X86_OP_XCHG] = "xchg", [X86_OP_BT] = "bt",
		[X86_OP_BTS] = "bts", [X86_OP_BTR] = "btr", [X86_OP_BTC] = "btc",
		[X86_OP_STOS] = "stos", [X86_OP_LODS] = "lods", [X86_OP_MOVS] = "movs",
	};

	return op < X86_NR_OPS && names[op] ? names[op] : "?";
}
