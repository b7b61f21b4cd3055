// SPDX-License-Identifier: GPL-2.0
/*
 * Descriptor-table exiting (opt-in, MV_ENABLE_CAP(MV_CAP_DESC_EXIT)): LGDT,
 * LIDT, LLDT, LTR, SGDT, SIDT, SLDT and STR exit (SDM Vol. 3C 26.1.3,
 * "descriptor-table exiting"), are reported to userspace as MV_EXIT_DESC
 * before they execute (for introspection), and are then executed here at
 * the next MV_RUN, or refused with #GP(0).
 *
 * The operand comes from the VM-exit instruction-information field (SDM
 * Vol. 3C 28.2.5, tables 28-10 and 28-11) and the displacement in the exit
 * qualification. Loads of LDTR and TR follow Vol. 2A "LLDT" and Vol. 2B
 * "LTR": the selector must name a present descriptor of the right system
 * type in the GDT; LTR marks it busy in the guest's GDT.
 */
#include "vmx.h"
#include <asm/trapnr.h>
#include "../../common/x86_decode.h"

/* Guest segment registers in instruction-information order (ES, CS, ...). */
#define seg_base_field(s)	(GUEST_ES_BASE + 2 * (s))

#define DESC_TYPE_LDT		2
#define DESC_TYPE_TSS_AVAIL	9
#define DESC_TYPE_TSS_BUSY	11

static bool vmx_desc_long_mode(void)
{
	return (vmcs_read64(GUEST_IA32_EFER) & EFER_LMA) &&
	       (vmcs_read32(GUEST_CS_AR_BYTES) & VMX_AR_L_MASK);
}

/* The memory operand's linear address (SDM Vol. 1 3.7.5; Vol. 3C 28.2.5). */
static u64 vmx_desc_linear(struct vmx_vcpu *vx, u32 info, unsigned long disp)
{
	unsigned int addr_size = (info >> 7) & 7, seg = (info >> 15) & 7;
	u64 ea = disp;

	if (!(info & BIT(27)))
		ea += vmx_get_gpr(&vx->vcpu, (info >> 23) & 15);
	if (!(info & BIT(22)))
		ea += vmx_get_gpr(&vx->vcpu, (info >> 18) & 15) << (info & 3);
	if (addr_size == 0)
		ea &= 0xffff;
	else if (addr_size == 1)
		ea &= 0xffffffff;
	/* In 64-bit mode only FS and GS have a base (SDM Vol. 1 3.4.2.1). */
	if (!vmx_desc_long_mode() || seg == 4 || seg == 5)
		ea += vmcs_readl(seg_base_field(seg));
	return vmx_desc_long_mode() ? ea : (u32)ea;
}

static bool vmx_desc_mem(struct vmx_vcpu *vx, u64 la, void *buf, unsigned int len, bool write)
{
	u64 fault_la = 0;
	int r = mv_linear_access(&vx->vcpu, la, buf, len, write, &fault_la);

	if (r == -EFAULT)
		vmx_queue_exception_op(&vx->vcpu, X86_TRAP_PF, true,
				       (write ? 2 : 0) | (vmx_cpl() == 3 ? 4 : 0), fault_la);
	else if (r)
		vmx_queue_gp(&vx->vcpu);
	return !r;
}

/* GDT/IDT pseudo-descriptor: 2-byte limit, then a 4- or 8-byte base. */
static unsigned int vmx_desc_base_len(void)
{
	return vmx_desc_long_mode() ? 8 : 4;
}

void vmx_handle_desc(struct vmx_vcpu *vx)
{
	u32 info = vmcs_read32(VMX_INSTRUCTION_INFO);
	unsigned long qual = vmcs_readl(EXIT_QUALIFICATION);
	u32 basic = vmcs_read32(VM_EXIT_REASON) & 0xffff;
	struct vmx_desc_op *op = &vx->desc;
	struct mv_exit *e = &vx->vcpu.exit;
	u8 buf[10] = {};

	*op = (struct vmx_desc_op) {
		.insn = (basic == EXIT_REASON_GDTR_IDTR ? 0 : 4) + ((info >> 28) & 3),
		.is_reg = basic == EXIT_REASON_LDTR_TR && (info & BIT(10)),
		.reg = (info >> 3) & 15,
		.op16 = basic == EXIT_REASON_GDTR_IDTR && !(info & BIT(11)),
	};
	if (!op->is_reg)
		op->la = vmx_desc_linear(vx, info, qual);

	/* Loads are privileged (CPL 0), stores are not (without UMIP). */
	if ((op->insn == MV_DESC_LGDT || op->insn == MV_DESC_LIDT ||
	     op->insn == MV_DESC_LLDT || op->insn == MV_DESC_LTR) && vmx_cpl()) {
		vmx_queue_gp(&vx->vcpu);
		return;
	}
	switch (op->insn) {
	case MV_DESC_SGDT:
		op->base = vmcs_readl(GUEST_GDTR_BASE);
		op->limit = vmcs_read32(GUEST_GDTR_LIMIT);
		break;
	case MV_DESC_SIDT:
		op->base = vmcs_readl(GUEST_IDTR_BASE);
		op->limit = vmcs_read32(GUEST_IDTR_LIMIT);
		break;
	case MV_DESC_LGDT:
	case MV_DESC_LIDT:
		if (!vmx_desc_mem(vx, op->la, buf, 2 + vmx_desc_base_len(), false))
			return;
		op->limit = buf[0] | buf[1] << 8;
		memcpy(&op->base, buf + 2, vmx_desc_base_len());
		if (op->op16)
			op->base &= 0xffffff;	/* 16-bit operand size: 24-bit base */
		break;
	case MV_DESC_SLDT:
		op->selector = vmcs_read16(GUEST_LDTR_SELECTOR);
		break;
	case MV_DESC_STR:
		op->selector = vmcs_read16(GUEST_TR_SELECTOR);
		break;
	default:	/* LLDT, LTR */
		if (op->is_reg)
			op->selector = vmx_get_gpr(&vx->vcpu, op->reg);
		else if (!vmx_desc_mem(vx, op->la, &op->selector, 2, false))
			return;
		break;
	}
	e->reason = MV_NEXIT_DESC;
	e->desc.insn = op->insn;
	e->desc.selector = op->selector;
	e->desc.limit = op->limit;
	e->desc.base = op->base;
}

/*
 * LLDT/LTR: reads the descriptor the selector names in the GDT (16 bytes
 * in IA-32e mode). Returns 0, or queues #GP(selector)/#NP(selector).
 */
static int vmx_desc_load_system(struct vmx_vcpu *vx, u16 sel, unsigned int want_type,
				u8 d[16])
{
	unsigned int size = vmx_desc_long_mode() ? 16 : 8;
	u32 type;

	if ((sel & 4) || (sel & ~7) + size - 1 > vmcs_read32(GUEST_GDTR_LIMIT)) {
		vmx_queue_exception(vx, X86_TRAP_GP, true, sel & ~3);
		return -EINVAL;
	}
	memset(d, 0, 16);
	if (!vmx_desc_mem(vx, vmcs_readl(GUEST_GDTR_BASE) + (sel & ~7), d, size, false))
		return -EFAULT;
	type = d[5] & 0x1f;		/* type and S */
	if (type != want_type) {
		vmx_queue_exception(vx, X86_TRAP_GP, true, sel & ~3);
		return -EINVAL;
	}
	if (!(d[5] & 0x80)) {
		vmx_queue_exception(vx, X86_TRAP_NP, true, sel & ~3);
		return -EINVAL;
	}
	return 0;
}

/* The VMCS segment fields from a system descriptor (SDM Vol. 3A 3.4.5, 8.2.3). */
static void vmx_desc_set_seg(unsigned long sel_f, unsigned long base_f, unsigned long lim_f,
			     unsigned long ar_f, u16 sel, const u8 d[16], u8 type)
{
	u64 base = d[2] | d[3] << 8 | d[4] << 16 | (u64)d[7] << 24;
	u32 limit = d[0] | d[1] << 8 | (d[6] & 0xf) << 16;
	u32 ar = type | (d[5] & 0x60) | 0x80 | (d[6] & 0xf0) << 8;

	if (vmx_desc_long_mode())
		base |= (u64)(d[8] | d[9] << 8 | d[10] << 16 | (u32)d[11] << 24) << 32;
	if (d[6] & 0x80)
		limit = limit << 12 | 0xfff;
	vmcs_write16(sel_f, sel);
	vmcs_writel(base_f, base);
	vmcs_write32(lim_f, limit);
	vmcs_write32(ar_f, ar);
}

static bool vmx_desc_execute(struct vmx_vcpu *vx)
{
	struct vmx_desc_op *op = &vx->desc;
	unsigned int blen = vmx_desc_base_len();
	u8 buf[10], d[16];

	switch (op->insn) {
	case MV_DESC_SGDT:
	case MV_DESC_SIDT:
		buf[0] = op->limit;
		buf[1] = op->limit >> 8;
		memcpy(buf + 2, &op->base, blen);
		return vmx_desc_mem(vx, op->la, buf, 2 + blen, true);
	case MV_DESC_LGDT:
	case MV_DESC_LIDT:
		if (vmx_desc_long_mode() && (u64)((s64)op->base << 16 >> 16) != op->base) {
			vmx_queue_gp(&vx->vcpu);	/* non-canonical base */
			return false;
		}
		vmcs_writel(op->insn == MV_DESC_LGDT ? GUEST_GDTR_BASE : GUEST_IDTR_BASE,
			    op->base);
		vmcs_write32(op->insn == MV_DESC_LGDT ? GUEST_GDTR_LIMIT : GUEST_IDTR_LIMIT,
			     op->limit);
		return true;
	case MV_DESC_SLDT:
	case MV_DESC_STR:
		if (op->is_reg) {
			vmx_set_gpr(&vx->vcpu, op->reg, op->selector);
			return true;
		}
		return vmx_desc_mem(vx, op->la, &op->selector, 2, true);
	case MV_DESC_LLDT:
		if (!(op->selector & ~3)) {
			/* A null selector leaves LDTR unusable (Vol. 2A LLDT). */
			vmcs_write16(GUEST_LDTR_SELECTOR, op->selector);
			vmcs_write32(GUEST_LDTR_AR_BYTES, VMX_AR_UNUSABLE_MASK);
			return true;
		}
		if (vmx_desc_load_system(vx, op->selector, DESC_TYPE_LDT, d))
			return false;
		vmx_desc_set_seg(GUEST_LDTR_SELECTOR, GUEST_LDTR_BASE, GUEST_LDTR_LIMIT,
				 GUEST_LDTR_AR_BYTES, op->selector, d, DESC_TYPE_LDT);
		return true;
	default:	/* LTR */
		if (!(op->selector & ~3)) {
			vmx_queue_exception(vx, X86_TRAP_GP, true, 0);
			return false;
		}
		if (vmx_desc_load_system(vx, op->selector, DESC_TYPE_TSS_AVAIL, d))
			return false;
		/* Mark the TSS busy in the guest's GDT, as the CPU does. */
		d[5] |= 2;
		if (!vmx_desc_mem(vx, vmcs_readl(GUEST_GDTR_BASE) + (op->selector & ~7) + 5,
				  &d[5], 1, true))
			return false;
		vmx_desc_set_seg(GUEST_TR_SELECTOR, GUEST_TR_BASE, GUEST_TR_LIMIT,
				 GUEST_TR_AR_BYTES, op->selector, d, DESC_TYPE_TSS_BUSY);
		return true;
	}
}

/* MV_PENDING_DESC, at the next MV_RUN: execute it, or #GP(0) if refused. */
void vmx_desc_complete(struct mv_vcpu *vcpu, bool refused)
{
	struct vmx_vcpu *vx = to_vmx(vcpu);

	if (refused) {
		vmx_queue_gp(vcpu);
		return;
	}
	if (vmx_desc_execute(vx))
		vmx_skip(vx);
}

/* Entry: the VMCS control follows the VM's MV_CAP_DESC_EXIT setting. */
void vmx_desc_update(struct vmx_vcpu *vx)
{
	bool want = READ_ONCE(vx->vcpu.vm->desc_exit);
	u32 proc2 = vmcs_read32(SECONDARY_VM_EXEC_CONTROL) & ~SECONDARY_EXEC_DESC;

	vmcs_write32(SECONDARY_VM_EXEC_CONTROL, proc2 | (want ? SECONDARY_EXEC_DESC : 0));
	vx->desc_on = want;
}
