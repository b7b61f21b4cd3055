// SPDX-License-Identifier: GPL-2.0
/*
 * MMIO exits: a guest access to a guest-physical address with no slot (or a
 * write to a read-only slot) is decoded here, in core, so every backend gets
 * the same behaviour. The backend reports only the faulting GPA; the access
 * size and register come from decoding the instruction at CS:RIP.
 */
#include <linux/uaccess.h>
#include "mv.h"
#include "../common/x86_decode.h"
#include "../common/x86_walk.h"

static int mv_walk_read(void *ctx, u64 gpa, void *buf, unsigned int len)
{
	return mv_read_guest_phys(ctx, gpa, buf, len);
}

/* Reads up to X86_MAX_INSN_LEN bytes at CS:RIP; returns how many it got. */
static unsigned int mv_fetch_insn(struct mv_vcpu *vcpu, const struct mv_fetch_state *fs,
				  u8 *buf)
{
	struct x86_paging pg = {
		.cr0 = fs->cr0, .cr3 = fs->cr3, .cr4 = fs->cr4, .efer = fs->efer,
	};
	u64 la = fs->cs_base + fs->rip, gpa;
	unsigned int got = 0, chunk;

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

int mv_mmio_exit(struct mv_vcpu *vcpu)
{
	struct mv_exit *e = &vcpu->exit;
	struct mv_run *run = vcpu->run;
	struct mv_fetch_state fs;
	struct x86_mem_insn insn;
	u8 bytes[16] = {};
	struct mv_memslot *slot;
	unsigned int got;
	u64 val, data[4];
	int r;

	/*
	 * A fault on memory that is mapped (a slot changing under a running
	 * vCPU) is retried; the run loop still checks for signals each time.
	 */
	mutex_lock(&vcpu->vm->lock);
	slot = mv_find_slot(vcpu->vm, e->mem.gpa);
	r = slot && (!e->mem.write || !(slot->flags & MV_MEM_READONLY));
	mutex_unlock(&vcpu->vm->lock);
	if (r)
		return 1;

	mv_ops->get_fetch_state(vcpu, &fs);
	got = mv_fetch_insn(vcpu, &fs, bytes);
	r = x86_decode_mem_insn(bytes, got, mv_cpu_mode(&fs), &insn);
	if (r || insn.is_write != e->mem.write) {
		data[0] = e->mem.gpa;
		data[1] = fs.rip;
		memcpy(&data[2], bytes, 16);
		run->exit_reason = MV_EXIT_INTERNAL_ERROR;
		run->internal.suberror = MV_INTERNAL_EMULATION;
		run->internal.ndata = 4;
		memcpy(run->internal.data, data, sizeof(data));
		return 0;
	}

	run->exit_reason = MV_EXIT_MMIO;
	run->mmio.phys_addr = e->mem.gpa;
	run->mmio.len = insn.size;
	run->mmio.is_write = insn.is_write;
	memset(run->mmio.data, 0, sizeof(run->mmio.data));
	if (insn.is_write) {
		val = insn.has_imm ? insn.imm :
		      x86_read_reg(mv_ops->get_gpr(vcpu, insn.reg), insn.size,
				   insn.high_byte);
		memcpy(run->mmio.data, &val, insn.size);
	} else {
		vcpu->pending = (struct mv_pending) {
			.kind = MV_PENDING_MMIO_READ, .size = insn.size,
			.reg = insn.reg, .high_byte = insn.high_byte,
		};
	}
	mv_ops->skip_insn(vcpu, insn.len);
	return 0;
}
