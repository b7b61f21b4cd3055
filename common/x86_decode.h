/* SPDX-License-Identifier: GPL-2.0 */
/*
 * x86 instruction decoder for MMIO emulation: the instructions guests use
 * on device memory (MOV in every form, MOVZX/MOVSX/MOVSXD, STOS/LODS/MOVS
 * with and without REP, the ALU group ADD/OR/ADC/SBB/AND/SUB/XOR/CMP and
 * TEST with a memory operand, XCHG, BT/BTS/BTR/BTC), in 16-, 32- and 64-bit
 * code with the prefixes that change them (66, 67, REX.W/R/X/B, segment
 * overrides, LOCK, REP/REPNE). Anything else is refused, never guessed.
 * Pure C; shared by the module and the host-tier tests and fuzzer.
 *
 * Instruction format: Intel SDM Vol. 2A chapter 2 (prefixes 2.1.1, ModRM
 * and SIB tables 2-1 to 2-3, REX 2.2.1, RIP-relative addressing 2.2.1.6).
 */
#ifndef MV_X86_DECODE_H
#define MV_X86_DECODE_H

#include "mv_types.h"

#define X86_MAX_INSN_LEN	15

/* Register numbers in x86 encoding order (ModRM.reg/rm + REX extension). */
enum x86_gpr {
	X86_RAX, X86_RCX, X86_RDX, X86_RBX, X86_RSP, X86_RBP, X86_RSI, X86_RDI,
	X86_R8, X86_R9, X86_R10, X86_R11, X86_R12, X86_R13, X86_R14, X86_R15,
	X86_NR_GPRS
};

#define X86_NO_REG	0xff	/* no base or index register */
#define X86_REG_RIP	0xfe	/* RIP-relative: base is the next RIP */

/* Segment registers in encoding order (SDM Vol. 2A 3.1.1.3, Sreg). */
enum x86_seg { X86_ES, X86_CS, X86_SS, X86_DS, X86_FS, X86_GS, X86_NR_SEGS };

enum x86_cpu_mode {
	X86_MODE_REAL16,	/* real mode or 16-bit protected code segment */
	X86_MODE_PROT32,	/* 32-bit code segment (CS.D = 1) */
	X86_MODE_LONG64,	/* 64-bit code segment (IA-32e, CS.L = 1) */
};

enum x86_op {
	X86_OP_NONE,
	X86_OP_MOV,		/* reg/imm -> mem, or mem -> reg */
	X86_OP_MOVZX,		/* mem -> reg, zero-extended */
	X86_OP_MOVSX,		/* mem -> reg, sign-extended (also MOVSXD) */
	/* The ALU group in ModRM.reg order of opcodes 80-83 (Vol. 2A table A-6). */
	X86_OP_ADD,
	X86_OP_OR,
	X86_OP_ADC,
	X86_OP_SBB,
	X86_OP_AND,
	X86_OP_SUB,
	X86_OP_XOR,
	X86_OP_CMP,
	X86_OP_TEST,
	X86_OP_XCHG,
	/* Bit tests in ModRM.reg order of 0F BA /4../7. */
	X86_OP_BT,
	X86_OP_BTS,
	X86_OP_BTR,
	X86_OP_BTC,
	X86_OP_STOS,		/* AL/rAX -> ES:[rDI] */
	X86_OP_LODS,		/* seg:[rSI] -> AL/rAX */
	X86_OP_MOVS,		/* seg:[rSI] -> ES:[rDI] */
	X86_NR_OPS
};

/* struct x86_insn.flags */
#define X86_INSN_MEM_READ	(1u << 0)	/* the memory operand is read */
#define X86_INSN_MEM_WRITE	(1u << 1)	/* the memory operand is written */
#define X86_INSN_REG_DST	(1u << 2)	/* result goes to 'reg' (op reg, mem) */
#define X86_INSN_IMM		(1u << 3)	/* source is 'imm' */
#define X86_INSN_LOCK		(1u << 4)	/* F0 prefix */
#define X86_INSN_REP		(1u << 5)	/* F2/F3 on a string instruction */
#define X86_INSN_STRING		(1u << 6)	/* STOS/LODS/MOVS: [rSI]/[rDI] */
#define X86_INSN_BT_REG		(1u << 7)	/* BT* with a register bit offset */

struct x86_insn {
	u8  len;		/* total instruction length in bytes */
	u8  op;			/* enum x86_op */
	u8  mode;		/* enum x86_cpu_mode it was decoded in */
	u8  size;		/* bytes of the memory access: 1, 2, 4 or 8 */
	u8  reg_size;		/* bytes of the register operand (MOVZX/MOVSX: dest) */
	u8  addr_size;		/* 2, 4 or 8 */
	u8  seg;		/* enum x86_seg of the (source) memory operand */
	u8  reg;		/* register operand, or AL/rAX for moffs and strings */
	bool high_byte;		/* 1-byte 'reg' 4..7 means AH, CH, DH, BH */
	u16 flags;		/* X86_INSN_* */
	/* Memory operand: seg:[base + index * scale + disp], mod 2^(8*addr_size). */
	u8  base;		/* GPR, X86_NO_REG or X86_REG_RIP */
	u8  index;		/* GPR or X86_NO_REG */
	u8  scale;		/* 1, 2, 4 or 8 */
	u64 disp;		/* sign-extended displacement, or the moffs offset */
	u64 imm;		/* immediate, sign-extended to 'size' (BT*: the bit) */
};

/*
 * Decodes one instruction from buf[0..avail). Returns 0, -EINVAL for an
 * instruction this decoder does not handle, that has no memory operand or
 * that would raise #UD (e.g. LOCK on a MOV), or -EAGAIN if more than avail
 * bytes are needed.
 */
int x86_decode(const u8 *buf, unsigned int avail, enum x86_cpu_mode mode,
	       struct x86_insn *out);

/* Reads a guest GPR for address computation (ctx is the caller's). */
typedef u64 (*x86_get_gpr_fn)(void *ctx, unsigned int reg);

/*
 * Offset within its segment of a memory operand: the destination ES:[rDI]
 * of a string instruction when 'string_dst', else the (source) operand.
 * 'rip' is the address of the instruction (RIP-relative operands count from
 * the next one). BT* with a register bit offset include the displacement
 * by the bit offset (SDM Vol. 2A BT: EA + size * (BitOffset DIV 8*size)).
 * The result wraps at the address size.
 */
u64 x86_insn_ea(const struct x86_insn *in, x86_get_gpr_fn get_gpr, void *ctx,
		u64 rip, bool string_dst);

/*
 * Linear address of segment offset 'ea' with segment base 'seg_base':
 * 64-bit mode uses no base except FS/GS, other modes wrap at 4 GiB
 * (SDM Vol. 3A 3.4.4, 3.4.2).
 */
u64 x86_linear(const struct x86_insn *in, u8 seg, u64 seg_base, u64 ea);

/*
 * Merges a value of 'size' bytes into the old contents of a register the
 * way the CPU does: 1 and 2 byte writes keep the other bits (high_byte puts
 * the byte in bits 15:8), 4 byte writes zero-extend, 8 byte writes replace.
 */
u64 x86_merge_reg(u64 old, u64 val, unsigned int size, bool high_byte);

/* Reads 'size' bytes of a register as an instruction source would. */
u64 x86_read_reg(u64 reg, unsigned int size, bool high_byte);

/* Short mnemonic for diagnostics and tests ("add", "movzx", ...). */
const char *x86_op_name(unsigned int op);

#endif /* MV_X86_DECODE_H */
