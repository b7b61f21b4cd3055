// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer harness for the pure-C x86 code the module runs on guest
 * input: x86_decode(), x86_insn_ea(), x86_execute() and the guest page
 * walk x86_linear_to_phys(). Built with -fsanitize=fuzzer,address,undefined
 * (make fuzz). Besides memory safety it checks invariants:
 *   - decoding never reads past 'avail' (the bytes sit at the end of an
 *     exactly sized heap buffer) and never returns a length over 15 or
 *     over avail; decoding exactly len bytes gives the same result, one
 *     byte fewer gives -EAGAIN;
 *   - every field is in range (sizes 1/2/4/8, registers < 16, ...);
 *   - execution changes only the arithmetic flags, keeps the bits a
 *     1/2-byte register write must keep, and writes at most 'size' bytes;
 *   - the page walk terminates and never reads outside the fake memory.
 *
 * Input: byte 0 = mode and options, bytes 1..128 = registers, memory
 * value and flags, the rest = instruction bytes (and page tables).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../x86_emul.h"
#include "../x86_walk.h"

#define CHECK(c) do { if (!(c)) __builtin_trap(); } while (0)

struct regs {
	u64 gpr[16];
};

static u64 get_gpr(void *ctx, unsigned int reg)
{
	CHECK(reg < 16);
	return ((struct regs *)ctx)->gpr[reg];
}

static bool same(const struct x86_insn *a, const struct x86_insn *b)
{
	return !memcmp(a, b, sizeof(*a));
}

static void check_fields(const struct x86_insn *in, unsigned int avail)
{
	CHECK(in->len >= 1 && in->len <= X86_MAX_INSN_LEN && in->len <= avail);
	CHECK(in->op > X86_OP_NONE && in->op < X86_NR_OPS);
	CHECK(in->size == 1 || in->size == 2 || in->size == 4 || in->size == 8);
	CHECK(in->reg_size == 1 || in->reg_size == 2 || in->reg_size == 4 || in->reg_size == 8);
	CHECK(in->reg_size >= in->size || in->op == X86_OP_MOVSX);
	CHECK(in->addr_size == 2 || in->addr_size == 4 || in->addr_size == 8);
	CHECK(in->seg < X86_NR_SEGS);
	CHECK(in->reg < 16 && (!in->high_byte || in->reg < 4));
	CHECK(in->base < 16 || in->base == X86_NO_REG || in->base == X86_REG_RIP);
	CHECK(in->index < 16 || in->index == X86_NO_REG);
	CHECK(in->scale == 1 || in->scale == 2 || in->scale == 4 || in->scale == 8);
	CHECK(in->flags & (X86_INSN_MEM_READ | X86_INSN_MEM_WRITE));
	CHECK(in->mode != X86_MODE_LONG64 || in->addr_size != 2);
	if (in->base == X86_REG_RIP)
		CHECK(in->mode == X86_MODE_LONG64);
	if (in->flags & X86_INSN_REP)
		CHECK(in->flags & X86_INSN_STRING);
}

static void check_exec(const struct x86_insn *in, struct regs *r, u64 rflags, u64 mem)
{
	u64 mask = in->size == 8 ? ~0ull : (1ull << (8 * in->size)) - 1;
	struct x86_result res;

	x86_execute(in, get_gpr, r, rflags, mem, &res);
	CHECK(!(res.mem & ~mask));
	CHECK(!((res.rflags ^ rflags) & ~X86_RFLAGS_ARITH));
	if (res.reg_write) {
		u64 old = r->gpr[res.reg];

		CHECK(res.reg < 16);
		if (in->reg_size == 1 && !in->high_byte)
			CHECK((res.reg_val & ~0xffull) == (old & ~0xffull));
		if (in->reg_size == 1 && in->high_byte)
			CHECK((res.reg_val & ~0xff00ull) == (old & ~0xff00ull));
		if (in->reg_size == 2)
			CHECK((res.reg_val & ~0xffffull) == (old & ~0xffffull));
		if (in->reg_size == 4)
			CHECK(!(res.reg_val >> 32));
	}
	if (!(in->flags & X86_INSN_STRING))
		CHECK(res.done);
	/* CMP/TEST/BT never write; MOV stores never change flags. */
	if (in->op == X86_OP_MOV || in->op == X86_OP_MOVZX || in->op == X86_OP_MOVSX ||
	    in->op == X86_OP_XCHG || (in->flags & X86_INSN_STRING))
		CHECK(res.rflags == rflags);
}

/* The fake guest-physical memory for the walk: the input itself, wrapped. */
struct walk_mem {
	const u8 *data;
	size_t size;
	unsigned int reads;
};

static int walk_read(void *ctx, u64 gpa, void *buf, unsigned int len)
{
	struct walk_mem *m = ctx;
	unsigned int i;

	CHECK(len == 4 || len == 8);
	CHECK(++m->reads <= 8);		/* at most 5 levels (+ PDPTE) */
	if (gpa >= (1ull << 40))
		return -EFAULT;
	for (i = 0; i < len; i++)
		((u8 *)buf)[i] = m->size ? m->data[(gpa + i) % m->size] : 0;
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct x86_insn in, again;
	struct regs r;
	unsigned int mode, avail, i;
	u64 rflags, mem, ea, rip;
	u8 *buf;

	if (size < 2)
		return 0;
	memset(&r, 0, sizeof(r));
	for (i = 0; i < 16 && 1 + 8 * i + 8 <= size; i++)
		memcpy(&r.gpr[i], data + 1 + 8 * i, 8);
	mem = 0x8000000000000001ull;
	if (size > 137)
		memcpy(&mem, data + 129, sizeof(mem));
	rflags = 0x2 | ((u64)data[0] << 4 & (X86_RFLAGS_ARITH | X86_RFLAGS_DF));
	rip = r.gpr[0] ^ r.gpr[15];

	/* Instruction bytes: after the first 137 if there are more, else all. */
	if (size > 137) {
		data += 137;
		size -= 137;
	} else {
		data += 1;
		size -= 1;
	}
	avail = size > 32 ? 32 : (unsigned int)size;
	buf = malloc(avail ? avail : 1);
	memcpy(buf, data, avail);

	for (mode = 0; mode < 3; mode++) {
		int ret = x86_decode(buf, avail, mode, &in);

		CHECK(ret == 0 || ret == -EINVAL || ret == -EAGAIN);
		if (ret)
			continue;
		check_fields(&in, avail);
		/* Exactly len bytes: the same; one fewer: -EAGAIN. */
		CHECK(x86_decode(buf + avail - in.len, in.len, mode, &again) == 0 ||
		      memcmp(buf, buf + avail - in.len, in.len));
		{
			u8 *exact = malloc(in.len);

			memcpy(exact, buf, in.len);
			CHECK(x86_decode(exact, in.len, mode, &again) == 0 && same(&in, &again));
			CHECK(x86_decode(exact, in.len - 1, mode, &again) == -EAGAIN);
			free(exact);
		}
		ea = x86_insn_ea(&in, get_gpr, &r, rip, false);
		if (in.addr_size < 8)
			CHECK(!(ea >> (8 * in.addr_size)));
		(void)x86_linear(&in, in.seg, r.gpr[in.seg], ea);
		if (in.flags & X86_INSN_STRING)
			(void)x86_insn_ea(&in, get_gpr, &r, rip, true);
		check_exec(&in, &r, rflags, mem);
		(void)x86_rep_count(&in, get_gpr, &r);
	}
	free(buf);

	/* The page walk with control registers and tables from the input. */
	{
		struct walk_mem m = { data, size, 0 };
		struct x86_paging pg = {
			.cr0 = r.gpr[1], .cr3 = r.gpr[2], .cr4 = r.gpr[3], .efer = r.gpr[4],
		};
		u64 gpa;

		(void)x86_linear_to_phys(&pg, r.gpr[5], &gpa, walk_read, &m);
	}
	return 0;
}
