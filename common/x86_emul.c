// SPDX-License-Identifier: GPL-2.0
/*
 * Instruction semantics and flags: Intel SDM Vol. 2A/2B, the pages of ADD,
 * ADC, SUB, SBB, CMP, AND, OR, XOR, TEST, XCHG, BT/BTS/BTR/BTC, MOV, MOVZX,
 * MOVSX/MOVSXD, STOS, LODS, MOVS and REP; flag definitions in Vol. 1 3.4.3
 * and appendix A.
 */
#include "x86_emul.h"

static u64 mask_of(unsigned int size)
{
	return size >= 8 ? ~0ULL : (1ULL << (8 * size)) - 1;
}

static u64 sign_of(unsigned int size)
{
	return 1ULL << (8 * size - 1);
}

/* PF: set when the low byte of the result has an even number of 1 bits. */
static bool parity_even(u64 v)
{
	v &= 0xff;
	v ^= v >> 4;
	return !((0x6996 >> (v & 0xf)) & 1);
}

u64 x86_undefined_flags(unsigned int op)
{
	switch (op) {
	case X86_OP_AND: case X86_OP_OR: case X86_OP_XOR: case X86_OP_TEST:
		return X86_RFLAGS_AF;
	case X86_OP_BT: case X86_OP_BTS: case X86_OP_BTR: case X86_OP_BTC:
		return X86_RFLAGS_OF | X86_RFLAGS_SF | X86_RFLAGS_AF | X86_RFLAGS_PF;
	default:
		return 0;
	}
}

u64 x86_alu(unsigned int op, unsigned int size, u64 dst, u64 src, u64 *rflags)
{
	u64 m = mask_of(size), sign = sign_of(size), res, f = 0, carry;
	u64 cin = (*rflags & X86_RFLAGS_CF) ? 1 : 0;
	bool arith = true;

	dst &= m;
	src &= m;
	switch (op) {
	case X86_OP_ADD:
	case X86_OP_ADC:
		if (op == X86_OP_ADD)
			cin = 0;
		res = (dst + src + cin) & m;
		/* Carry out of the top bit, also when src + cin wraps. */
		carry = (dst & src) | ((dst | src) & ~res);
		if (carry & sign)
			f |= X86_RFLAGS_CF;
		if ((dst ^ res) & (src ^ res) & sign)
			f |= X86_RFLAGS_OF;
		break;
	case X86_OP_SUB:
	case X86_OP_SBB:
	case X86_OP_CMP:
		if (op != X86_OP_SBB)
			cin = 0;
		res = (dst - src - cin) & m;
		/* Borrow into the top bit. */
		carry = (~dst & src) | (~(dst ^ src) & res);
		if (carry & sign)
			f |= X86_RFLAGS_CF;
		if ((dst ^ src) & (dst ^ res) & sign)
			f |= X86_RFLAGS_OF;
		break;
	case X86_OP_AND:
	case X86_OP_TEST:
		res = dst & src;
		arith = false;
		break;
	case X86_OP_OR:
		res = dst | src;
		arith = false;
		break;
	case X86_OP_XOR:
	default:
		res = dst ^ src;
		arith = false;
		break;
	}
	/* Logical ops: CF = OF = 0; AF is undefined and the CPU clears it. */
	if (arith && ((dst ^ src ^ res) & 0x10))
		f |= X86_RFLAGS_AF;
	if (!res)
		f |= X86_RFLAGS_ZF;
	if (res & sign)
		f |= X86_RFLAGS_SF;
	if (parity_even(res))
		f |= X86_RFLAGS_PF;
	*rflags = (*rflags & ~X86_RFLAGS_ARITH) | f;
	return res;
}

u64 x86_rep_count(const struct x86_insn *in, x86_get_gpr_fn get_gpr, void *ctx)
{
	return get_gpr(ctx, X86_RCX) & mask_of(in->addr_size);
}

/* rSI/rDI/rCX after one element: they wrap at the address size (Vol. 2B REP). */
static void string_step(const struct x86_insn *in, x86_get_gpr_fn get_gpr, void *ctx,
			u64 rflags, struct x86_result *res)
{
	u64 step = (rflags & X86_RFLAGS_DF) ? -(u64)in->size : in->size;
	u64 rsi = get_gpr(ctx, X86_RSI), rdi = get_gpr(ctx, X86_RDI);
	u64 rcx = get_gpr(ctx, X86_RCX);

	res->rsi = rsi;
	res->rdi = rdi;
	res->rcx = rcx;
	if (in->op != X86_OP_STOS)
		res->rsi = x86_merge_reg(rsi, rsi + step, in->addr_size, false);
	if (in->op != X86_OP_LODS)
		res->rdi = x86_merge_reg(rdi, rdi + step, in->addr_size, false);
	res->done = true;
	if (in->flags & X86_INSN_REP) {
		res->rcx = x86_merge_reg(rcx, rcx - 1, in->addr_size, false);
		res->done = !(res->rcx & mask_of(in->addr_size));
	}
}

static u64 sext_to(u64 v, unsigned int from, unsigned int to)
{
	unsigned int shift = 64 - 8 * from;

	return (u64)((s64)(v << shift) >> shift) & mask_of(to);
}

void x86_execute(const struct x86_insn *in, x86_get_gpr_fn get_gpr, void *ctx,
		 u64 rflags, u64 mem, struct x86_result *res)
{
	u64 old = 0, src, bit, r;

	memset(res, 0, sizeof(*res));
	res->rflags = rflags;
	res->reg = in->reg;
	res->done = true;
	mem &= mask_of(in->size);
	if (in->op != X86_OP_STOS && in->op != X86_OP_MOVS && in->reg < X86_NR_GPRS)
		old = get_gpr(ctx, in->reg);
	/* Register or immediate source operand of in->size bytes. */
	src = (in->flags & X86_INSN_IMM) ? in->imm :
	      x86_read_reg(old, in->size, in->high_byte);

	switch (in->op) {
	case X86_OP_MOV:
		if (in->flags & X86_INSN_REG_DST) {
			res->reg_write = true;
			res->reg_val = x86_merge_reg(old, mem, in->size, in->high_byte);
		} else {
			res->mem = src;
		}
		break;
	case X86_OP_MOVZX:
	case X86_OP_MOVSX:
		r = in->op == X86_OP_MOVSX ? sext_to(mem, in->size, in->reg_size) : mem;
		res->reg_write = true;
		res->reg_val = x86_merge_reg(old, r, in->reg_size, false);
		break;
	case X86_OP_ADD ... X86_OP_CMP:
	case X86_OP_TEST:
		if (in->flags & X86_INSN_REG_DST) {
			r = x86_alu(in->op, in->size, src, mem, &res->rflags);
			if (in->op != X86_OP_CMP) {
				res->reg_write = true;
				res->reg_val = x86_merge_reg(old, r, in->size, in->high_byte);
			}
		} else {
			res->mem = x86_alu(in->op, in->size, mem, src, &res->rflags);
		}
		break;
	case X86_OP_XCHG:
		res->mem = src;
		res->reg_write = true;
		res->reg_val = x86_merge_reg(old, mem, in->size, in->high_byte);
		break;
	case X86_OP_BT ... X86_OP_BTC:
		/* Register offsets: the bit within the accessed operand. */
		bit = (in->flags & X86_INSN_IMM) ? in->imm : src & (8 * in->size - 1);
		res->rflags &= ~X86_RFLAGS_CF;
		if ((mem >> bit) & 1)
			res->rflags |= X86_RFLAGS_CF;
		if (in->op == X86_OP_BTS)
			res->mem = mem | (1ULL << bit);
		else if (in->op == X86_OP_BTR)
			res->mem = mem & ~(1ULL << bit);
		else
			res->mem = mem ^ (1ULL << bit);
		break;
	case X86_OP_STOS:
		res->mem = x86_read_reg(get_gpr(ctx, X86_RAX), in->size, false);
		string_step(in, get_gpr, ctx, rflags, res);
		break;
	case X86_OP_LODS:
		res->reg_write = true;
		res->reg_val = x86_merge_reg(old, mem, in->size, false);
		string_step(in, get_gpr, ctx, rflags, res);
		break;
	case X86_OP_MOVS:
		res->mem = mem;
		string_step(in, get_gpr, ctx, rflags, res);
		break;
	default:
		break;
	}
	res->mem &= mask_of(in->size);
}
