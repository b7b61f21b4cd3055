// SPDX-License-Identifier: GPL-2.0
/*
 * MMIO exits: a guest access to a guest-physical address with no slot (or a
 * write to a read-only slot) is emulated here, in core, so every backend
 * gets the same behaviour. The backend reports only the faulting GPA and
 * direction. Core fetches and decodes the instruction at CS:RIP
 * (common/x86_decode.c), computes the linear address of each memory operand
 * (ModRM/SIB/displacement/RIP-relative plus segment base) and translates it
 * with the guest's page tables (common/x86_walk.c), page by page:
 *
 *   - the operand must contain the faulting GPA, or the bytes decoded are
 *     not what faulted: MV_INTERNAL_EMULATION, never a guess;
 *   - an operand that crosses a page (or a slot end) is split: parts in
 *     RAM are read or written here through the slot's pages, only the part
 *     in MMIO exits to userspace;
 *   - a read exits first; the next MV_RUN finishes the instruction with
 *     the data userspace supplied (mv_mmio_complete()); if the instruction
 *     also writes memory (ADD/OR/XCHG/BTS... to MMIO), that completion is
 *     itself the write exit;
 *   - REP STOS/MOVS/LODS run one element per exit: rSI/rDI/rCX are updated
 *     as the CPU does between iterations and RIP stays on the instruction
 *     until the count is exhausted, so the guest re-executes it (elements
 *     in RAM then run natively) and a signal between elements is harmless.
 *
 * RIP advances by the decoded length when the instruction is complete,
 * with registers and RFLAGS (common/x86_emul.c) updated at the same time.
 */
#include <linux/uaccess.h>
#include "mv.h"
#include "lapic.h"
#include "trace.h"
#include "../common/x86_emul.h"
#include "../common/x86_walk.h"

/* data[4] of an MV_INTERNAL_EMULATION exit: why the kernel gave up. */
enum mv_emul_fail {
	MV_EMUL_FAIL_DECODE = 1,	/* not an instruction minivisor emulates */
	MV_EMUL_FAIL_OPERAND = 2,	/* no memory operand holds the faulting GPA */
	MV_EMUL_FAIL_SPLIT = 3,		/* split access that cannot be done right */
	MV_EMUL_FAIL_WALK = 4,		/* guest page walk or RAM access failed */
};

static int mv_walk_read(void *ctx, u64 gpa, void *buf, unsigned int len)
{
	return mv_read_guest_phys(ctx, gpa, buf, len);
}

static u64 mv_emul_gpr(void *ctx, unsigned int reg)
{
	return mv_ops->get_gpr(ctx, reg);
}

static void mv_paging(const struct mv_fetch_state *fs, struct x86_paging *pg)
{
	*pg = (struct x86_paging) {
		.cr0 = fs->cr0, .cr3 = fs->cr3, .cr4 = fs->cr4, .efer = fs->efer,
	};
}

/* Reads up to X86_MAX_INSN_LEN bytes at CS:RIP; returns how many it got. */
static unsigned int mv_fetch_insn(struct mv_vcpu *vcpu, const struct mv_fetch_state *fs,
				  u8 *buf)
{
	struct x86_paging pg;
	u64 la = fs->cs_base + fs->rip, gpa;
	unsigned int got = 0, chunk;

	mv_paging(fs, &pg);
	if (!(fs->efer & MV_EFER_LMA) || !fs->cs_l)
		la &= 0xffffffffULL;

	while (got < X86_MAX_INSN_LEN) {
		chunk = min_t(unsigned int, X86_MAX_INSN_LEN - got,
			      PAGE_SIZE - ((la + got) & ~PAGE_MASK));
		if (x86_linear_to_phys(&pg, la + got, &gpa, mv_walk_read, vcpu->vm) ||
		    mv_read_guest_phys(vcpu->vm, gpa, buf + got, chunk))
			break;
		got += chunk;
	}
	return got;
}

static enum x86_cpu_mode mv_cpu_mode(const struct mv_fetch_state *fs)
{
	if (!(fs->cr0 & MV_CR0_PE))
		return X86_MODE_REAL16;
	if ((fs->efer & MV_EFER_LMA) && fs->cs_l)
		return X86_MODE_LONG64;
	return fs->cs_db ? X86_MODE_PROT32 : X86_MODE_REAL16;
}

static void mv_emul_failed(struct mv_vcpu *vcpu, u64 gpa, u64 rip, const u8 *bytes,
			   enum mv_emul_fail why)
{
	struct mv_run *run = vcpu->run;
	u64 data[5];

	data[0] = gpa;
	data[1] = rip;
	memcpy(&data[2], bytes, 16);
	data[4] = why;
	run->exit_reason = MV_EXIT_INTERNAL_ERROR;
	run->internal.suberror = MV_INTERNAL_EMULATION;
	run->internal.ndata = ARRAY_SIZE(data);
	memcpy(run->internal.data, data, sizeof(data));
}

/*
 * Splits the operand [la, la + size) at page boundaries and finds where
 * each part lives. For a write, a read-only slot counts as MMIO. Two MMIO
 * parts become one exit only if they are contiguous in guest-physical
 * space; otherwise -EOPNOTSUPP.
 */
static int mv_plan(struct mv_vcpu *vcpu, const struct x86_paging *pg, bool long_mode,
		   u64 la, unsigned int size, bool write, struct mv_mem_plan *plan)
{
	struct mv_vm *vm = vcpu->vm;
	unsigned int i, first = min_t(unsigned int, size, PAGE_SIZE - (la & ~PAGE_MASK));
	struct mv_memslot *slot;

	plan->nparts = first < size ? 2 : 1;
	plan->part[0] = (struct mv_mem_part) { .off = 0, .len = first };
	plan->part[1] = (struct mv_mem_part) { .off = first, .len = size - first };
	for (i = 0; i < plan->nparts; i++) {
		struct mv_mem_part *p = &plan->part[i];
		u64 pla = la + p->off;

		if (!long_mode)
			pla &= 0xffffffffULL;
		if (x86_linear_to_phys(pg, pla, &p->gpa, mv_walk_read, vm))
			return -EFAULT;
		mutex_lock(&vm->lock);
		slot = mv_find_slot(vm, p->gpa);
		p->mmio = !slot || (write && (slot->flags & MV_MEM_READONLY));
		mutex_unlock(&vm->lock);
	}
	if (plan->nparts == 2 && plan->part[0].mmio && plan->part[1].mmio) {
		if (plan->part[1].gpa != plan->part[0].gpa + first)
			return -EOPNOTSUPP;
		plan->nparts = 1;
		plan->part[0].len = size;
	}
	return 0;
}

static const struct mv_mem_part *mv_plan_mmio(const struct mv_mem_plan *plan)
{
	unsigned int i;

	for (i = 0; i < plan->nparts; i++)
		if (plan->part[i].mmio)
			return &plan->part[i];
	return NULL;
}

static bool mv_plan_holds(const struct mv_mem_plan *plan, u64 gpa)
{
	const struct mv_mem_part *p = mv_plan_mmio(plan);

	return p && gpa >= p->gpa && gpa < p->gpa + p->len;
}

/*
 * Sends the next piece of the pending MMIO part to userspace: 8, 4, 2 or 1
 * bytes (the largest that fits), so a VMM only ever sees those sizes even
 * when a split leaves 3, 5, 6 or 7 bytes in MMIO.
 */
static void mv_mmio_next(struct mv_vcpu *vcpu, bool write)
{
	struct mv_pending *p = &vcpu->pending;
	struct mv_run *run = vcpu->run;
	unsigned int left = p->end - p->off;

	p->len = left >= 8 ? 8 : left >= 4 ? 4 : left >= 2 ? 2 : 1;
	run->exit_reason = MV_EXIT_MMIO;
	run->mmio.phys_addr = p->gpa + (p->off - p->start);
	run->mmio.len = p->len;
	run->mmio.is_write = write;
	memset(run->mmio.data, 0, sizeof(run->mmio.data));
	if (write) {
		memcpy(run->mmio.data, p->bytes + p->off, p->len);
		trace_minivisor_mmio(vcpu, run->mmio.phys_addr, p->len, true, run->mmio.data);
		p->off += p->len;
		p->kind = p->off < p->end ? MV_PENDING_MMIO_WRITE : MV_PENDING_NONE;
	} else {
		p->kind = MV_PENDING_MMIO_READ;
	}
}

/*
 * The next piece of the pending MMIO part, to the in-kernel local APIC if
 * it is its page (SDM Vol. 3A 11.4.1), else to userspace. Returns true when
 * the whole part was done in the kernel: a read's bytes are in
 * pending.bytes, a write is complete; false with an exit in the run page.
 */
static bool mv_mmio_step(struct mv_vcpu *vcpu, bool write)
{
	struct mv_pending *p = &vcpu->pending;
	struct mv_run *run = vcpu->run;
	u32 off;

	for (;;) {
		mv_mmio_next(vcpu, write);
		if (likely(!vcpu->lapic) || !mv_lapic_in_mmio(vcpu, run->mmio.phys_addr))
			return false;
		off = run->mmio.phys_addr & 0xfff;
		if (write) {
			/* 8-byte accesses to APIC registers are undefined: the low half. */
			mv_lapic_mmio_write(vcpu, off, run->mmio.data, min_t(u32, p->len, 4));
			if (p->kind == MV_PENDING_MMIO_WRITE)
				continue;
		} else {
			memset(p->bytes + p->off, 0, p->len);
			mv_lapic_mmio_read(vcpu, off, p->bytes + p->off, min_t(u32, p->len, 4));
			trace_minivisor_mmio(vcpu, run->mmio.phys_addr, p->len, false, p->bytes + p->off);
			p->off += p->len;
			if (p->off < p->end)
				continue;
			p->kind = MV_PENDING_NONE;
		}
		run->exit_reason = MV_EXIT_NONE;
		return true;
	}
}

static void mv_mmio_pending_part(struct mv_pending *p, const struct mv_mem_part *part)
{
	p->start = part->off;
	p->off = part->off;
	p->end = part->off + part->len;
	p->gpa = part->gpa;
}

/*
 * Executes the instruction in vcpu->pending with the value of its memory
 * operand: the write (RAM parts here, the MMIO part as a write exit), then
 * registers, RFLAGS and RIP. Returns 0 with a write exit (or an internal
 * error) in the run page, 1 to enter the guest again.
 */
static int mv_emul_finish(struct mv_vcpu *vcpu, u64 mem)
{
	const struct x86_insn *in = &vcpu->pending.insn;
	const struct mv_mem_plan *wr = &vcpu->pending.wr;
	const struct mv_mem_part *mmio = NULL;
	/* MOV, MOVZX/MOVSX and XCHG neither read nor write RFLAGS. */
	bool flags = (in->op >= X86_OP_ADD && in->op <= X86_OP_TEST) ||
		     (in->op >= X86_OP_BT && in->op <= X86_OP_BTC) ||
		     (in->flags & X86_INSN_STRING);
	u64 rflags = flags ? mv_ops->get_rflags(vcpu) : 0;
	struct x86_result res;
	unsigned int i;
	u8 bytes[8];

	x86_execute(in, mv_emul_gpr, vcpu, rflags, mem, &res);
	if (in->flags & X86_INSN_MEM_WRITE) {
		memcpy(bytes, &res.mem, sizeof(bytes));	/* little-endian */
		for (i = 0; i < wr->nparts; i++) {
			const struct mv_mem_part *p = &wr->part[i];

			if (p->mmio) {
				mmio = p;
			} else if (mv_write_guest_phys(vcpu->vm, p->gpa, bytes + p->off, p->len)) {
				u8 none[16] = {};

				mv_emul_failed(vcpu, p->gpa, 0, none, MV_EMUL_FAIL_WALK);
				return 0;
			}
		}
		if (mmio) {
			memcpy(vcpu->pending.bytes, bytes, sizeof(bytes));
			mv_mmio_pending_part(&vcpu->pending, mmio);
			if (mv_mmio_step(vcpu, true))
				mmio = NULL;	/* done in the kernel */
		}
	}

	if (res.reg_write)
		mv_ops->set_gpr(vcpu, res.reg, res.reg_val);
	if (in->flags & X86_INSN_STRING) {
		if (in->op != X86_OP_STOS)
			mv_ops->set_gpr(vcpu, X86_RSI, res.rsi);
		if (in->op != X86_OP_LODS)
			mv_ops->set_gpr(vcpu, X86_RDI, res.rdi);
		if (in->flags & X86_INSN_REP)
			mv_ops->set_gpr(vcpu, X86_RCX, res.rcx);
	}
	if (flags && res.rflags != rflags)
		mv_ops->set_rflags(vcpu, res.rflags);
	if (res.done)
		mv_ops->skip_insn(vcpu, in->len);
	return mmio ? 0 : 1;
}

/*
 * Outside 64-bit mode the operand's linear address needs a segment base,
 * i.e. reading every segment from the backend (40-odd VMREADs). That is
 * skipped when the fault GPA alone pins the operand: an instruction with
 * one memory operand whose access does not cross a page faults at the
 * operand's first byte, and a split access faults either at its first
 * byte (and then crosses the page from there) or at the start of the
 * second page. So a fault GPA that is not page aligned and leaves room for
 * the whole operand in its page is the operand. In 64-bit mode (no base
 * but FS/GS) the address is always computed and checked.
 */
static bool mv_fault_is_operand(const struct x86_insn *in, u64 gpa)
{
	unsigned int off = gpa & ~PAGE_MASK;

	if (in->mode == X86_MODE_LONG64 && in->seg != X86_FS && in->seg != X86_GS)
		return false;
	if (in->op == X86_OP_MOVS)
		return false;
	/* A single byte cannot be split. */
	return in->size == 1 || (off && off + in->size <= PAGE_SIZE);
}

/*
 * The plans of mv_plan() for an operand at [gpa, gpa + size) in one page;
 * in_slot: the page is in a (read-only) slot, as looked up at the fault.
 */
static void mv_plan_fault(const struct x86_insn *in, u64 gpa, bool in_slot,
			  struct mv_mem_plan *rd, struct mv_mem_plan *wr)
{
	*rd = (struct mv_mem_plan) { .nparts = !!(in->flags & X86_INSN_MEM_READ),
		.part[0] = { .gpa = gpa, .len = in->size, .mmio = !in_slot } };
	/* A write fault in a slot means a read-only one. */
	*wr = (struct mv_mem_plan) { .nparts = !!(in->flags & X86_INSN_MEM_WRITE),
		.part[0] = { .gpa = gpa, .len = in->size, .mmio = true } };
}

int mv_mmio_exit(struct mv_vcpu *vcpu)
{
	struct mv_pending *pend = &vcpu->pending;
	struct x86_insn *in = &pend->insn;
	struct mv_exit *e = &vcpu->exit;
	const struct mv_mem_part *rd_mmio;
	struct mv_mem_plan rd = {};
	struct mv_fetch_state fs;
	struct mv_memslot *slot;
	struct x86_paging pg;
	struct mv_sregs sregs;
	u64 la_src = 0, la_dst = 0, mem = 0, base[X86_NR_SEGS] = {};
	bool long_mode, reads, writes, in_slot;
	u8 bytes[16] = {};
	unsigned int got, i;
	int r;

	/*
	 * A fault on memory that is mapped (a slot changing under a running
	 * vCPU) is retried; the run loop still checks for signals each time.
	 */
	mutex_lock(&vcpu->vm->lock);
	slot = mv_find_slot(vcpu->vm, e->mem.gpa);
	in_slot = slot;
	r = slot && (!e->mem.write || !(slot->flags & MV_MEM_READONLY));
	mutex_unlock(&vcpu->vm->lock);
	if (r)
		return 1;

	mv_ops->get_fetch_state(vcpu, &fs);
	got = mv_fetch_insn(vcpu, &fs, bytes);
	if (x86_decode(bytes, got, mv_cpu_mode(&fs), in)) {
		mv_emul_failed(vcpu, e->mem.gpa, fs.rip, bytes, MV_EMUL_FAIL_DECODE);
		return 0;
	}
	reads = in->flags & X86_INSN_MEM_READ;
	writes = in->flags & X86_INSN_MEM_WRITE;
	if (e->mem.write ? !writes : !reads)
		goto bad_operand;

	/* A REP with a zero count accesses nothing (and cannot have faulted). */
	if ((in->flags & X86_INSN_REP) && !x86_rep_count(in, mv_emul_gpr, vcpu)) {
		mv_ops->skip_insn(vcpu, in->len);
		return 1;
	}

	long_mode = in->mode == X86_MODE_LONG64;
	pend->wr.nparts = 0;
	if (mv_fault_is_operand(in, e->mem.gpa)) {
		mv_plan_fault(in, e->mem.gpa, in_slot, &rd, &pend->wr);
	} else {
		/* Segment bases: only FS and GS have one in 64-bit mode (SDM Vol. 3A 3.4.4). */
		if (!long_mode || in->seg == X86_FS || in->seg == X86_GS) {
			mv_ops->get_sregs(vcpu, &sregs);
			base[X86_ES] = sregs.es.base;
			base[X86_CS] = sregs.cs.base;
			base[X86_SS] = sregs.ss.base;
			base[X86_DS] = sregs.ds.base;
			base[X86_FS] = sregs.fs.base;
			base[X86_GS] = sregs.gs.base;
		}
		if (in->op != X86_OP_STOS)
			la_src = x86_linear(in, in->seg, base[in->seg],
					    x86_insn_ea(in, mv_emul_gpr, vcpu, fs.rip, false));
		if (in->flags & X86_INSN_STRING)
			la_dst = x86_linear(in, X86_ES, base[X86_ES],
					    x86_insn_ea(in, mv_emul_gpr, vcpu, fs.rip, true));
		else
			la_dst = la_src;

		mv_paging(&fs, &pg);
		r = 0;
		if (reads)
			r = mv_plan(vcpu, &pg, long_mode, la_src, in->size, false, &rd);
		if (!r && writes)
			r = mv_plan(vcpu, &pg, long_mode, la_dst, in->size, true, &pend->wr);
		if (r) {
			mv_emul_failed(vcpu, e->mem.gpa, fs.rip, bytes,
				       r == -EOPNOTSUPP ? MV_EMUL_FAIL_SPLIT : MV_EMUL_FAIL_WALK);
			return 0;
		}
	}
	/* The faulting GPA must be in the MMIO part of an operand it accessed. */
	if (!(e->mem.write ? mv_plan_holds(&pend->wr, e->mem.gpa) :
			     mv_plan_holds(&rd, e->mem.gpa)))
		goto bad_operand;
	/*
	 * A locked access (XCHG, LOCK prefix) with a part in RAM and a part
	 * in MMIO cannot be made atomic: refuse rather than tear it.
	 */
	if ((in->flags & X86_INSN_LOCK) && (rd.nparts > 1 || pend->wr.nparts > 1)) {
		mv_emul_failed(vcpu, e->mem.gpa, fs.rip, bytes, MV_EMUL_FAIL_SPLIT);
		return 0;
	}

	/* Parts of the source operand in RAM are read now. */
	rd_mmio = mv_plan_mmio(&rd);
	memset(pend->bytes, 0, sizeof(pend->bytes));
	for (i = 0; i < rd.nparts; i++) {
		const struct mv_mem_part *p = &rd.part[i];

		if (!p->mmio && mv_read_guest_phys(vcpu->vm, p->gpa, pend->bytes + p->off, p->len)) {
			mv_emul_failed(vcpu, p->gpa, fs.rip, bytes, MV_EMUL_FAIL_WALK);
			return 0;
		}
	}

	if (rd_mmio) {
		/* Read exit; mv_mmio_complete() finishes at the next MV_RUN. */
		mv_mmio_pending_part(pend, rd_mmio);
		if (!mv_mmio_step(vcpu, false))
			return 0;
	}
	memcpy(&mem, pend->bytes, sizeof(mem));
	return mv_emul_finish(vcpu, mem);

bad_operand:
	mv_emul_failed(vcpu, e->mem.gpa, fs.rip, bytes, MV_EMUL_FAIL_OPERAND);
	return 0;
}

/*
 * The next MV_RUN after an MMIO exit of an emulated instruction: the next
 * write of a part, or the data of a read (only pending->len bytes are taken
 * from the run page), then the next read or the rest of the instruction.
 */
int mv_mmio_complete(struct mv_vcpu *vcpu)
{
	struct mv_pending *pend = &vcpu->pending;
	u64 mem;

	if (pend->kind == MV_PENDING_MMIO_WRITE) {
		mv_mmio_next(vcpu, true);
		return 0;
	}
	memcpy(pend->bytes + pend->off, vcpu->run->mmio.data, pend->len);
	trace_minivisor_mmio(vcpu, vcpu->run->mmio.phys_addr, pend->len, false,
			     pend->bytes + pend->off);
	pend->off += pend->len;
	if (pend->off < pend->end) {
		mv_mmio_next(vcpu, false);
		return 0;
	}
	memcpy(&mem, pend->bytes, sizeof(mem));
	pend->kind = MV_PENDING_NONE;
	return mv_emul_finish(vcpu, mem);
}
