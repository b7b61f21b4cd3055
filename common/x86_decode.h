/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Minimal x86 instruction decoder for MMIO exits: enough to learn the size,
 * direction and register/immediate operand of a memory access that faulted
 * on an unbacked guest-physical address. Pure C; shared by the module and
 * the userspace unit tests and fuzzers.
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

enum x86_cpu_mode {
	X86_MODE_REAL16,	/* real mode or 16-bit protected code segment */
	X86_MODE_PROT32,	/* 32-bit code segment (CS.D = 1) */
	X86_MODE_LONG64,	/* 64-bit code segment (IA-32e, CS.L = 1) */
};

struct x86_mem_insn {
	u8  len;		/* total instruction length in bytes */
	u8  size;		/* bytes accessed in memory: 1, 2, 4 or 8 */
	bool is_write;		/* memory is the destination */
	bool has_imm;		/* source is the immediate (writes only) */
	u8  reg;		/* register source (write) or destination (read) */
	bool high_byte;		/* reg 4..7 means AH, CH, DH, BH */
	u64 imm;		/* immediate, sign-extended to size */
};

/*
 * Decodes one instruction from buf[0..avail). Returns 0, -EINVAL for an
 * instruction this decoder does not handle or that is not a memory access,
 * or -EAGAIN if more bytes than avail are needed.
 */
int x86_decode_mem_insn(const u8 *buf, unsigned int avail,
			enum x86_cpu_mode mode, struct x86_mem_insn *out);

/*
 * Merges a value of 'size' bytes into the old contents of a register the
 * way the CPU does: 1 and 2 byte writes keep the other bits (high_byte puts
 * the byte in bits 15:8), 4 byte writes zero-extend, 8 byte writes replace.
 */
u64 x86_merge_reg(u64 old, u64 val, unsigned int size, bool high_byte);

/* Reads 'size' bytes of a register as an instruction source would. */
u64 x86_read_reg(u64 reg, unsigned int size, bool high_byte);

#endif /* MV_X86_DECODE_H */
