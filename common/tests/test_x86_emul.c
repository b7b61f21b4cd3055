// SPDX-License-Identifier: GPL-2.0
/*
 * Host tier: differential test of common/x86_decode.c + x86_emul.c against
 * an emulated CPU (libunicorn, QEMU's x86 TCG). Random instructions built
 * from the opcodes the decoder knows, with random prefixes, ModRM/SIB,
 * displacements, immediates, registers and flags, in 16-, 32- and 64-bit
 * code. For every one the decoder accepts, unicorn executes it with guest
 * memory that holds a known pattern, and the test checks that
 *   - the instruction length (RIP afterwards) agrees,
 *   - the address unicorn accessed is the linear address x86_insn_ea() +
 *     x86_linear() computed (reads and writes, MOVS source and destination),
 *   - the value written to memory, every GPR and the defined arithmetic
 *     flags equal what x86_execute() computes from the value read.
 * TAP output; exits non-zero on any mismatch.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unicorn/unicorn.h>

#include "../x86_emul.h"

#define CODE_ADDR	0x1000ull
#define MAX_PAGES	16
#define MAX_ACC		32

struct acc {
	u64 addr;
	int size;
	bool write;
	u64 value;
};

static struct {
	u64 pages[MAX_PAGES];
	unsigned int npages;
	struct acc acc[MAX_ACC];
	unsigned int nacc;
	bool overflow;
} st;

static u64 rng = 0x9e3779b97f4a7c15ull;

static u64 rnd(void)
{
	/* xorshift64* */
	rng ^= rng >> 12;
	rng ^= rng << 25;
	rng ^= rng >> 27;
	return rng * 2685821657736338717ull;
}

/* The pattern every data page holds: a hash of the address. */
static u8 pattern(u64 a)
{
	u64 h = (a + 0x1234567) * 0x9e3779b97f4a7c15ull;

	return (u8)(h >> 56);
}

static u64 pattern_val(u64 la, unsigned int size, unsigned int mode)
{
	u64 v = 0;
	unsigned int i;

	for (i = 0; i < size; i++) {
		u64 a = la + i;

		if (mode != X86_MODE_LONG64)
			a &= 0xffffffffull;
		v |= (u64)pattern(a) << (8 * i);
	}
	return v;
}

static bool hook_unmapped(uc_engine *uc, uc_mem_type type, uint64_t addr, int size,
			  int64_t value, void *user)
{
	u8 buf[4096];
	u64 page = addr & ~0xfffull;
	unsigned int i;

	(void)type; (void)size; (void)value; (void)user;
	if (st.npages == MAX_PAGES || page == CODE_ADDR)
		return false;
	if (uc_mem_map(uc, page, 4096, UC_PROT_ALL))
		return false;
	for (i = 0; i < 4096; i++)
		buf[i] = pattern(page + i);
	uc_mem_write(uc, page, buf, sizeof(buf));
	st.pages[st.npages++] = page;
	return true;
}

static void hook_mem(uc_engine *uc, uc_mem_type type, uint64_t addr, int size,
		     int64_t value, void *user)
{
	(void)uc; (void)user;
	if (st.nacc == MAX_ACC) {
		st.overflow = true;
		return;
	}
	st.acc[st.nacc++] = (struct acc){ addr, size, type == UC_MEM_WRITE, (u64)value };
}

static const int uc_regs64[16] = {
	UC_X86_REG_RAX, UC_X86_REG_RCX, UC_X86_REG_RDX, UC_X86_REG_RBX,
	UC_X86_REG_RSP, UC_X86_REG_RBP, UC_X86_REG_RSI, UC_X86_REG_RDI,
	UC_X86_REG_R8, UC_X86_REG_R9, UC_X86_REG_R10, UC_X86_REG_R11,
	UC_X86_REG_R12, UC_X86_REG_R13, UC_X86_REG_R14, UC_X86_REG_R15,
};
static const int uc_regs32[8] = {
	UC_X86_REG_EAX, UC_X86_REG_ECX, UC_X86_REG_EDX, UC_X86_REG_EBX,
	UC_X86_REG_ESP, UC_X86_REG_EBP, UC_X86_REG_ESI, UC_X86_REG_EDI,
};
/* Segment registers in x86 order, for 16-bit mode's real-mode bases. */
static const int uc_segs[6] = {
	UC_X86_REG_ES, UC_X86_REG_CS, UC_X86_REG_SS, UC_X86_REG_DS,
	UC_X86_REG_FS, UC_X86_REG_GS,
};

struct cpu {
	u64 gpr[16];
	u64 rflags;
	u64 seg_base[6];
};

static u64 get_gpr(void *ctx, unsigned int reg)
{
	return ((struct cpu *)ctx)->gpr[reg & 15];
}

static u64 rnd_reg(unsigned int mode)
{
	u64 v;

	switch (rnd() % 6) {
	case 0: v = rnd() & 0x3fff; break;
	case 1: v = -(rnd() & 0xfff); break;
	case 2: v = rnd() & 0xffffffffull; break;
	case 3: v = rnd() & 0x7fffffffffull; break;
	case 4: v = 0xfff0 + (rnd() & 0x1f); break;	/* near a 64 KiB wrap */
	default: v = (rnd() & 0xffff) | (rnd() << 32); break;
	}
	if (mode != X86_MODE_LONG64)
		v &= 0xffffffffull;
	return v;
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

static unsigned int gen_insn(u8 *b, unsigned int mode)
{
	unsigned int n = 0, i, np = rnd() % 4;

	for (i = 0; i < np; i++)
		b[n++] = legacy[rnd() % sizeof(legacy)];
	if (mode == X86_MODE_LONG64 && rnd() % 2)
		b[n++] = 0x40 | (rnd() & 0xf);
	if (rnd() % 4 == 0) {
		b[n++] = 0x0f;
		b[n++] = opcodes0f[rnd() % sizeof(opcodes0f)];
	} else {
		b[n++] = opcodes1[rnd() % sizeof(opcodes1)];
	}
	/* ModRM: memory forms only, mostly; sometimes small displacements. */
	b[n] = (u8)rnd();
	if ((b[n] >> 6) == 3)
		b[n] &= 0x7f;
	n++;
	for (; n < 16; n++)
		b[n] = (rnd() % 3) ? (u8)rnd() : (u8)(rnd() % 8);
	return n;
}

static unsigned int checks, failures, skipped, executed, uc_errs[32], early_skips, qemu_rexr;

#define CHECK(cond, ...) do {							\
	checks++;								\
	if (!(cond)) {								\
		failures++;							\
		if (failures <= 40) {						\
			printf("# mismatch: ");					\
			printf(__VA_ARGS__);					\
			printf("\n#   insn:");					\
			for (unsigned int _i = 0; _i < in.len; _i++)		\
				printf(" %02x", bytes[_i]);			\
			printf(" (mode %u, %s)\n", mode, x86_op_name(in.op));	\
		}							\
		return;								\
	}									\
} while (0)

static void run_one(uc_engine *uc, unsigned int mode)
{
	static const unsigned int bits[] = { 16, 32, 64 };
	u8 bytes[16];
	struct x86_insn in;
	struct x86_result res;
	struct cpu c = {}, after = {};
	u64 la = 0, la_dst = 0, mem = 0, rip, v, mask;
	unsigned int i, nregs = mode == X86_MODE_LONG64 ? 16 : 8;
	int r;
	uc_err err;

	gen_insn(bytes, mode);
	if (x86_decode(bytes, sizeof(bytes), mode, &in))
		return;
	if (in.flags & X86_INSN_LOCK && !(in.flags & X86_INSN_MEM_WRITE))
		return;

	for (i = 0; i < nregs; i++)
		c.gpr[i] = rnd_reg(mode);
	c.rflags = 0x2 | (rnd() & X86_RFLAGS_ARITH) | ((rnd() & 1) ? X86_RFLAGS_DF : 0);
	if (in.flags & X86_INSN_REP) {
		mask = in.addr_size == 8 ? ~0ull : (1ull << (8 * in.addr_size)) - 1;
		c.gpr[X86_RCX] = ((c.gpr[X86_RCX] & ~mask) | 1);
	}
	if (mode == X86_MODE_REAL16) {
		for (i = 0; i < 6; i++) {
			u64 sel = i == X86_CS ? 0 : rnd() & 0x3fff;

			c.seg_base[i] = sel << 4;
			uc_reg_write(uc, uc_segs[i], &sel);
		}
	} else if (mode == X86_MODE_LONG64) {
		c.seg_base[X86_FS] = (rnd() & 0xfffff) << 12;
		c.seg_base[X86_GS] = -((rnd() & 0xfffff) << 12);
		uc_reg_write(uc, UC_X86_REG_FS_BASE, &c.seg_base[X86_FS]);
		uc_reg_write(uc, UC_X86_REG_GS_BASE, &c.seg_base[X86_GS]);
	}

	rip = CODE_ADDR + (executed + skipped) % 255 * 16;
	la = x86_linear(&in, in.seg, c.seg_base[in.seg],
			x86_insn_ea(&in, get_gpr, &c, rip, false));
	if (in.op == X86_OP_STOS)
		la = 0;
	if (in.flags & X86_INSN_STRING)
		la_dst = x86_linear(&in, X86_ES, c.seg_base[X86_ES],
				    x86_insn_ea(&in, get_gpr, &c, rip, true));
	/* Skip operands on the code page or outside the canonical range. */
	for (i = 0; i < 2; i++) {
		u64 a = i ? la_dst : la;

		if ((i == 0 && in.op == X86_OP_STOS) || (i == 1 && !(in.flags & X86_INSN_STRING)))
			continue;
		if (mode == X86_MODE_LONG64 &&
		    (u64)((s64)(a << 16) >> 16) != a) {
			skipped++;
			early_skips++;
			return;
		}
		if (a + 8 < a || (mode != X86_MODE_LONG64 && a + 8 > 0xffffffffull) ||
		    (a & ~0xfffull) == CODE_ADDR || ((a + 8) & ~0xfffull) == CODE_ADDR ||
		    a < 0x1000) {
			skipped++;
			early_skips++;
			return;
		}
	}

	for (i = 0; i < nregs; i++) {
		if (mode == X86_MODE_LONG64)
			uc_reg_write(uc, uc_regs64[i], &c.gpr[i]);
		else
			uc_reg_write(uc, uc_regs32[i], &c.gpr[i]);
	}
	uc_reg_write(uc, mode == X86_MODE_LONG64 ? UC_X86_REG_RFLAGS : UC_X86_REG_EFLAGS,
		     &c.rflags);
	uc_mem_write(uc, rip, bytes, sizeof(bytes));
	/* Translated code is cached by address: drop it (self-modifying code). */
	uc_ctl_remove_cache(uc, rip, rip + sizeof(bytes));
	st.nacc = 0;
	st.overflow = false;
	st.npages = 0;
	/*
	 * QEMU runs one REP iteration per step and leaves RIP on the
	 * instruction until a further step finds rCX == 0: two steps, and
	 * stop at the next instruction.
	 */
	err = uc_emu_start(uc, rip, rip + in.len, 0, (in.flags & X86_INSN_REP) ? 2 : 1);
	r = 0;
	if (err) {
		/* e.g. #GP on a non-canonical or beyond-limit address */
		skipped++;
		uc_errs[err < 32 ? err : 31]++;
		/*
		 * QEMU 5 (unicorn 2.0) refuses C6/C7 /0 with REX.R, which the
		 * SDM (2.2.1.2: REX.R is ignored for an opcode extension) and
		 * binutils accept: counted apart; anything else fails.
		 */
		if (err == UC_ERR_INSN_INVALID) {
			const u8 *op = bytes;

			while (*op != 0xc6 && *op != 0xc7 && op < bytes + in.len)
				op++;
			if (in.op == X86_OP_MOV && (in.flags & X86_INSN_IMM) && op > bytes &&
			    (op[-1] & 0xf4) == 0x44) {
				qemu_rexr++;
			} else {
				printf("# mismatch: unicorn says invalid instruction (%u-bit):",
				       bits[mode]);
				for (i = 0; i < in.len; i++)
					printf(" %02x", bytes[i]);
				printf("\n");
				failures++;
			}
		}
		goto unmap;
	}
	executed++;

	if (in.op != X86_OP_STOS && (in.flags & X86_INSN_MEM_READ))
		mem = pattern_val(la, in.size, mode);
	x86_execute(&in, get_gpr, &c, c.rflags, mem, &res);

	/* Expected state after the instruction. */
	after = c;
	if (res.reg_write)
		after.gpr[res.reg] = res.reg_val;
	if (in.flags & X86_INSN_STRING) {
		after.gpr[X86_RSI] = res.rsi;
		after.gpr[X86_RDI] = res.rdi;
		after.gpr[X86_RCX] = res.rcx;
	}
	after.rflags = res.rflags;

	uc_reg_read(uc, mode == X86_MODE_LONG64 ? UC_X86_REG_RIP : UC_X86_REG_EIP, &v);
	if (mode != X86_MODE_LONG64)
		v &= 0xffffffffull;
	{
		u64 want = res.done ? rip + in.len : rip;

		if (!(v == want)) {
			r = 1;
			printf("# mismatch: rip 0x%llx, decoder says 0x%llx\n",
			       (unsigned long long)v, (unsigned long long)want);
		}
	}
	if (r)
		goto report;
	for (i = 0; i < nregs; i++) {
		v = 0;
		if (mode == X86_MODE_LONG64)
			uc_reg_read(uc, uc_regs64[i], &v);
		else
			uc_reg_read(uc, uc_regs32[i], &v);
		if (mode != X86_MODE_LONG64) {
			v &= 0xffffffffull;
			after.gpr[i] &= 0xffffffffull;
		}
		if (v != after.gpr[i]) {
			printf("# mismatch: gpr %u = 0x%llx, emulation 0x%llx (before 0x%llx)\n",
			       i, (unsigned long long)v, (unsigned long long)after.gpr[i],
			       (unsigned long long)c.gpr[i]);
			r = 1;
		}
	}
	v = 0;
	uc_reg_read(uc, mode == X86_MODE_LONG64 ? UC_X86_REG_RFLAGS : UC_X86_REG_EFLAGS, &v);
	mask = X86_RFLAGS_ARITH & ~x86_undefined_flags(in.op);
	if ((v & mask) != (after.rflags & mask)) {
		printf("# mismatch: rflags 0x%llx, emulation 0x%llx (mask 0x%llx, before 0x%llx)\n",
		       (unsigned long long)v, (unsigned long long)after.rflags,
		       (unsigned long long)mask, (unsigned long long)c.rflags);
		r = 1;
	}
	/* Addresses: every access lies in the operands computed here. */
	for (i = 0; i < st.nacc && !st.overflow; i++) {
		struct acc *a = &st.acc[i];
		u64 lo = a->write || in.op == X86_OP_STOS ? (in.flags & X86_INSN_STRING ? la_dst : la) : la;

		if (a->addr >= CODE_ADDR && a->addr < CODE_ADDR + 0x1000)
			continue;	/* instruction fetch */
		/*
		 * QEMU splits an access that crosses a page into aligned ones:
		 * each must overlap the operand, and one must start at it.
		 */
		if (a->addr >= lo + in.size || a->addr + a->size <= lo ||
		    (a->addr != lo && ((lo + in.size - 1) ^ lo) < 0x1000)) {
			printf("# mismatch: %s of %d at 0x%llx, decoder operand 0x%llx+%u\n",
			       a->write ? "write" : "read", a->size,
			       (unsigned long long)a->addr, (unsigned long long)lo, in.size);
			r = 1;
		}
	}
	if (in.flags & X86_INSN_MEM_WRITE) {
		u64 dst = (in.flags & X86_INSN_STRING) ? la_dst : la;
		u8 got[8] = {};

		v = 0;
		if (uc_mem_read(uc, dst, got, in.size) == UC_ERR_OK)
			memcpy(&v, got, in.size);
		if (v != res.mem) {
			printf("# mismatch: memory 0x%llx holds 0x%llx, emulation wrote 0x%llx\n",
			       (unsigned long long)dst, (unsigned long long)v,
			       (unsigned long long)res.mem);
			r = 1;
		}
	} else {
		for (i = 0; i < st.nacc; i++)
			if (st.acc[i].write && !(st.acc[i].addr >= CODE_ADDR &&
						  st.acc[i].addr < CODE_ADDR + 0x1000)) {
				printf("# mismatch: unicorn wrote memory, decoder says read-only\n");
				r = 1;
				break;
			}
	}
report:
	checks++;
	if (r) {
		failures++;
		printf("#   insn:");
		for (i = 0; i < in.len; i++)
			printf(" %02x", bytes[i]);
		printf(" (%u-bit, %s, size %u, addr %u, la 0x%llx)\n", bits[mode],
		       x86_op_name(in.op), in.size, in.addr_size, (unsigned long long)la);
	}
unmap:
	for (i = 0; i < st.npages; i++)
		uc_mem_unmap(uc, st.pages[i], 4096);
	st.npages = 0;
	(void)r;
}

int main(int argc, char **argv)
{
	static const uc_mode modes[] = { UC_MODE_16, UC_MODE_32, UC_MODE_64 };
	static const char *const names[] = { "16-bit", "32-bit", "64-bit" };
	unsigned long n = argc > 1 ? strtoul(argv[1], NULL, 0) : 20000;
	unsigned int mode, total = 0;

	setvbuf(stdout, NULL, _IOLBF, 0);
	printf("TAP version 13\n");
	for (mode = 0; mode < 3; mode++) {
		uc_engine *uc;
		uc_hook h1, h2;
		unsigned long i;
		unsigned int f0 = failures, e0 = executed, s0 = skipped;

		if (uc_open(UC_ARCH_X86, modes[mode], &uc)) {
			printf("not ok %u - unicorn %s\n", ++total, names[mode]);
			failures++;
			continue;
		}
		uc_mem_map(uc, CODE_ADDR, 0x1000, UC_PROT_ALL);
		uc_hook_add(uc, &h1, UC_HOOK_MEM_UNMAPPED, hook_unmapped, NULL, 1, 0);
		uc_hook_add(uc, &h2, UC_HOOK_MEM_READ | UC_HOOK_MEM_WRITE, hook_mem, NULL, 1, 0);
		for (i = 0; i < n && failures - f0 < 20; i++)
			run_one(uc, mode);
		printf("%sok %u - %s: %u random instructions executed by unicorn agree with "
		       "decode+emulation (%u skipped)\n", failures == f0 ? "" : "not ",
		       ++total, names[mode], executed - e0, skipped - s0);
		if (executed - e0 < n / 10) {
			printf("not ok %u - %s: too few instructions executed\n", ++total,
			       names[mode]);
			failures++;
		}
		uc_close(uc);
	}
	for (mode = 0; mode < 32; mode++)
		if (uc_errs[mode])
			printf("# unicorn error %u (%s): %u\n", mode, uc_strerror(mode), uc_errs[mode]);
	printf("# C6/C7 with REX.R that QEMU refuses (a QEMU bug): %u\n", qemu_rexr);
	printf("# skipped before running (operand on the code page or non-canonical): %u\n",
	       early_skips);
	printf("1..%u\n", total);
	return failures ? 1 : 0;
}
