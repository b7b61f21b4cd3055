/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Execution of the instructions x86_decode() accepts, once the value of the
 * memory operand is known: the result for memory and register, RFLAGS as
 * the hardware computes them, and the register updates of one string
 * element. Pure C, no memory access of its own: the caller reads and
 * writes guest memory (RAM through the slots, MMIO through userspace).
 * Shared by the module and the host-tier tests (which compare it with an
 * emulated CPU) and fuzzer.
 */
#ifndef MV_X86_EMUL_H
#define MV_X86_EMUL_H

#include "x86_decode.h"

/* RFLAGS, SDM Vol. 1 3.4.3. */
#define X86_RFLAGS_CF		(1ULL << 0)
#define X86_RFLAGS_PF		(1ULL << 2)
#define X86_RFLAGS_AF		(1ULL << 4)
#define X86_RFLAGS_ZF		(1ULL << 6)
#define X86_RFLAGS_SF		(1ULL << 7)
#define X86_RFLAGS_DF		(1ULL << 10)
#define X86_RFLAGS_OF		(1ULL << 11)
#define X86_RFLAGS_ARITH	(X86_RFLAGS_CF | X86_RFLAGS_PF | X86_RFLAGS_AF | \
				 X86_RFLAGS_ZF | X86_RFLAGS_SF | X86_RFLAGS_OF)

/*
 * Flags an instruction leaves undefined (SDM Vol. 2 per instruction):
 * AF after AND/OR/XOR/TEST (cleared here, as the CPU does), OF/SF/AF/PF
 * after BT* (left unchanged here). Tests compare everything else.
 */
u64 x86_undefined_flags(unsigned int op);

/*
 * dst OP src for the ALU group (X86_OP_ADD..X86_OP_CMP, X86_OP_TEST) on
 * 'size' bytes; returns the result (CMP/TEST: what SUB/AND would give) and
 * updates the arithmetic flags in *rflags. ADC/SBB take CF from *rflags.
 */
u64 x86_alu(unsigned int op, unsigned int size, u64 dst, u64 src, u64 *rflags);

struct x86_result {
	u64 mem;		/* value to write, when in->flags has MEM_WRITE */
	bool reg_write;		/* write reg_val to GPR 'reg' */
	u8 reg;
	u64 reg_val;		/* the whole new register, merged */
	u64 rflags;
	/* String instructions: new rSI/rDI/rCX (merged at the address size). */
	u64 rsi, rdi, rcx;
	bool done;		/* the instruction is complete: advance RIP */
};

/*
 * Executes 'in' given 'mem', the value the memory operand holds (for an
 * instruction that reads it; MOVS: the source element). Register sources
 * come from get_gpr. A string instruction executes one element.
 */
void x86_execute(const struct x86_insn *in, x86_get_gpr_fn get_gpr, void *ctx,
		 u64 rflags, u64 mem, struct x86_result *res);

/* Element count of a REP string instruction (rCX at the address size). */
u64 x86_rep_count(const struct x86_insn *in, x86_get_gpr_fn get_gpr, void *ctx);

#endif /* MV_X86_EMUL_H */
