// SPDX-License-Identifier: GPL-2.0
/*
 * Guest register state: GPRs (in vmx_vcpu.regs[]), and segment, control and
 * descriptor-table registers (in the VMCS guest-state area, SDM Vol. 3C
 * 25.4). All functions run with the vCPU loaded on this CPU.
 */
#include "vmx.h"
#include "../../common/x86_decode.h"

enum vmx_seg { SEG_ES, SEG_CS, SEG_SS, SEG_DS, SEG_FS, SEG_GS, SEG_LDTR, SEG_TR };

/* Guest segment fields; encodings step by 2 in this order (appendix B). */
#define seg_sel(s)	(GUEST_ES_SELECTOR + 2 * (s))
#define seg_base(s)	(GUEST_ES_BASE + 2 * (s))
#define seg_limit(s)	(GUEST_ES_LIMIT + 2 * (s))
#define seg_ar(s)	(GUEST_ES_AR_BYTES + 2 * (s))

/* Access-rights format: SDM Vol. 3C 25.4.1, table 25-2. */
static u32 seg_to_ar(const struct mv_segment *s)
{
	return (s->type & 0xf) | (s->s & 1) << 4 | (s->dpl & 3) << 5 |
	       (s->present & 1) << 7 | (s->avl & 1) << 12 | (s->l & 1) << 13 |
	       (s->db & 1) << 14 | (s->g & 1) << 15 |
	       (s->unusable ? VMX_AR_UNUSABLE_MASK : 0);
}

static void vmx_set_segment(enum vmx_seg seg, const struct mv_segment *s)
{
	vmcs_write16(seg_sel(seg), s->selector);
	vmcs_writel(seg_base(seg), s->base);
	vmcs_write32(seg_limit(seg), s->limit);
	vmcs_write32(seg_ar(seg), seg_to_ar(s));
}

static void vmx_get_segment(enum vmx_seg seg, struct mv_segment *s)
{
	u32 ar = vmcs_read32(seg_ar(seg));

	memset(s, 0, sizeof(*s));
	s->selector = vmcs_read16(seg_sel(seg));
	s->base = vmcs_readl(seg_base(seg));
	s->limit = vmcs_read32(seg_limit(seg));
	s->type = ar & VMX_AR_TYPE_MASK;
	s->s = !!(ar & VMX_AR_S_MASK);
	s->dpl = VMX_AR_DPL(ar);
	s->present = !!(ar & VMX_AR_P_MASK);
	s->avl = (ar >> 12) & 1;
	s->l = !!(ar & VMX_AR_L_MASK);
	s->db = !!(ar & VMX_AR_DB_MASK);
	s->g = !!(ar & VMX_AR_G_MASK);
	s->unusable = !!(ar & VMX_AR_UNUSABLE_MASK);
}

/* The CR0/CR4 the guest believes it has: shadow bits where the host owns them. */
static unsigned long guest_cr(unsigned long hw, unsigned long shadow, unsigned long mask)
{
	return (hw & ~mask) | (shadow & mask);
}

u64 vmx_guest_cr0(struct vmx_vcpu *vx)
{
	return guest_cr(vmcs_readl(GUEST_CR0), vmcs_readl(CR0_READ_SHADOW), vx->cr0_mask);
}

u64 vmx_guest_cr4(struct vmx_vcpu *vx)
{
	return guest_cr(vmcs_readl(GUEST_CR4), vmcs_readl(CR4_READ_SHADOW), vx->cr4_mask);
}

void vmx_set_cr0(struct vmx_vcpu *vx, unsigned long cr0)
{
	unsigned long forced = vmx_cfg.cr0_fixed0 & ~(X86_CR0_PE | X86_CR0_PG);

	vmcs_writel(CR0_READ_SHADOW, cr0);
	vmcs_writel(GUEST_CR0, (cr0 | forced) & ~(X86_CR0_CD | X86_CR0_NW));
}

/*
 * Only the bits minivisor virtualizes reach the real CR4 (VMX_CR4_GUEST_VALID,
 * an allow-list), plus the ones VMX requires (VMXE). The guest reads its own
 * value from the shadow: MV_SET_SREGS rejects other bits, and a guest write
 * of one gets #GP (vmx_insn.c).
 */
void vmx_set_cr4(struct vmx_vcpu *vx, unsigned long cr4)
{
	vmcs_writel(CR4_READ_SHADOW, cr4);
	vmcs_writel(GUEST_CR4, (cr4 & VMX_CR4_GUEST_VALID & vmx_cfg.cr4_fixed1) |
			       vmx_cfg.cr4_fixed0);
}

/* The IA-32e mode guest entry control must equal EFER.LMA (27.3.1.1). */
void vmx_set_efer(u64 efer)
{
	u32 entry = vmcs_read32(VM_ENTRY_CONTROLS) & ~VM_ENTRY_IA32E_MODE;

	if (efer & EFER_LMA)
		entry |= VM_ENTRY_IA32E_MODE;
	vmcs_write32(VM_ENTRY_CONTROLS, entry);
	vmcs_write64(GUEST_IA32_EFER, efer);
}

/*
 * With EPT, VM entry loads PAE PDPTEs from the VMCS, not from CR3
 * (SDM Vol. 3C 27.3.2.4), so a PAE state set from outside needs them.
 */
static void vmx_load_pdptrs(struct vmx_vcpu *vx, u64 cr0, u64 cr3, u64 cr4, u64 efer)
{
	u64 pdpte[4] = {};
	int i;

	if (!(cr0 & X86_CR0_PG) || !(cr4 & X86_CR4_PAE) || (efer & EFER_LMA))
		return;
	/* Unreadable PDPTEs load as not present; the guest then faults. */
	if (mv_read_guest_phys(vx->vcpu.vm, cr3 & 0xffffffe0ULL, pdpte, sizeof(pdpte)))
		memset(pdpte, 0, sizeof(pdpte));
	for (i = 0; i < 4; i++)
		vmcs_write64(GUEST_PDPTR0 + 2 * i, pdpte[i]);
}

/* After an emulated CR0/CR4 write that (re)enables PAE paging. */
void vmx_load_pdptrs_now(struct vmx_vcpu *vx)
{
	vmx_load_pdptrs(vx, vmx_guest_cr0(vx), vmcs_readl(GUEST_CR3), vmx_guest_cr4(vx),
			vmcs_read64(GUEST_IA32_EFER));
}

void vmx_get_regs(struct mv_vcpu *vcpu, struct mv_regs *r)
{
	struct vmx_vcpu *vx = to_vmx(vcpu);

	r->rax = vx->regs[X86_RAX];
	r->rbx = vx->regs[X86_RBX];
	r->rcx = vx->regs[X86_RCX];
	r->rdx = vx->regs[X86_RDX];
	r->rsi = vx->regs[X86_RSI];
	r->rdi = vx->regs[X86_RDI];
	r->rbp = vx->regs[X86_RBP];
	r->r8 = vx->regs[X86_R8];
	r->r9 = vx->regs[X86_R9];
	r->r10 = vx->regs[X86_R10];
	r->r11 = vx->regs[X86_R11];
	r->r12 = vx->regs[X86_R12];
	r->r13 = vx->regs[X86_R13];
	r->r14 = vx->regs[X86_R14];
	r->r15 = vx->regs[X86_R15];
	r->rsp = vmcs_readl(GUEST_RSP);
	r->rip = vmcs_readl(GUEST_RIP);
	r->rflags = vmcs_readl(GUEST_RFLAGS);
}

void vmx_set_regs(struct mv_vcpu *vcpu, const struct mv_regs *r)
{
	struct vmx_vcpu *vx = to_vmx(vcpu);

	vx->regs[X86_RAX] = r->rax;
	vx->regs[X86_RBX] = r->rbx;
	vx->regs[X86_RCX] = r->rcx;
	vx->regs[X86_RDX] = r->rdx;
	vx->regs[X86_RSI] = r->rsi;
	vx->regs[X86_RDI] = r->rdi;
	vx->regs[X86_RBP] = r->rbp;
	vx->regs[X86_R8] = r->r8;
	vx->regs[X86_R9] = r->r9;
	vx->regs[X86_R10] = r->r10;
	vx->regs[X86_R11] = r->r11;
	vx->regs[X86_R12] = r->r12;
	vx->regs[X86_R13] = r->r13;
	vx->regs[X86_R14] = r->r14;
	vx->regs[X86_R15] = r->r15;
	vmcs_writel(GUEST_RSP, r->rsp);
	if (r->rip != vmcs_readl(GUEST_RIP)) {
		vmcs_writel(GUEST_RIP, r->rip);
		vmx_clear_events(vx);
	}
	/* RFLAGS bit 1 is reserved and always 1. */
	vmcs_writel(GUEST_RFLAGS, r->rflags | X86_EFLAGS_FIXED);
	vmx_fix_dbg_state(vx);
}

void vmx_get_sregs(struct mv_vcpu *vcpu, struct mv_sregs *s)
{
	struct vmx_vcpu *vx = to_vmx(vcpu);

	memset(s, 0, sizeof(*s));
	vmx_get_segment(SEG_CS, &s->cs);
	vmx_get_segment(SEG_DS, &s->ds);
	vmx_get_segment(SEG_ES, &s->es);
	vmx_get_segment(SEG_FS, &s->fs);
	vmx_get_segment(SEG_GS, &s->gs);
	vmx_get_segment(SEG_SS, &s->ss);
	vmx_get_segment(SEG_TR, &s->tr);
	vmx_get_segment(SEG_LDTR, &s->ldt);
	s->gdt.base = vmcs_readl(GUEST_GDTR_BASE);
	s->gdt.limit = vmcs_read32(GUEST_GDTR_LIMIT);
	s->idt.base = vmcs_readl(GUEST_IDTR_BASE);
	s->idt.limit = vmcs_read32(GUEST_IDTR_LIMIT);
	s->cr0 = guest_cr(vmcs_readl(GUEST_CR0), vmcs_readl(CR0_READ_SHADOW), vx->cr0_mask);
	s->cr2 = vx->cr2;
	s->cr3 = vmcs_readl(GUEST_CR3);
	s->cr4 = vmx_guest_cr4(vx);
	s->efer = vmcs_read64(GUEST_IA32_EFER);
}

int vmx_set_sregs(struct mv_vcpu *vcpu, const struct mv_sregs *s)
{
	struct vmx_vcpu *vx = to_vmx(vcpu);
	u64 bad = s->cr4 & ~(VMX_CR4_GUEST_VALID & vmx_cfg.cr4_fixed1);

	if (bad) {
		mv_err("MV_SET_SREGS: CR4 bits %#llx are not virtualized on this CPU\n", bad);
		return -EINVAL;
	}
	if (s->efer & ~(u64)(EFER_SCE | EFER_LME | EFER_LMA | EFER_NX)) {
		mv_err("MV_SET_SREGS: EFER bits %#llx are not supported\n",
		       s->efer & ~(u64)(EFER_SCE | EFER_LME | EFER_LMA | EFER_NX));
		return -EINVAL;
	}

	vmx_set_segment(SEG_CS, &s->cs);
	vmx_set_segment(SEG_DS, &s->ds);
	vmx_set_segment(SEG_ES, &s->es);
	vmx_set_segment(SEG_FS, &s->fs);
	vmx_set_segment(SEG_GS, &s->gs);
	vmx_set_segment(SEG_SS, &s->ss);
	vmx_set_segment(SEG_TR, &s->tr);
	vmx_set_segment(SEG_LDTR, &s->ldt);
	vmcs_writel(GUEST_GDTR_BASE, s->gdt.base);
	vmcs_write32(GUEST_GDTR_LIMIT, s->gdt.limit);
	vmcs_writel(GUEST_IDTR_BASE, s->idt.base);
	vmcs_write32(GUEST_IDTR_LIMIT, s->idt.limit);
	vmx_set_cr0(vx, s->cr0);
	vx->cr2 = s->cr2;
	vmcs_writel(GUEST_CR3, s->cr3);
	vmx_set_cr4(vx, s->cr4);
	vmx_set_efer(s->efer);
	vmx_load_pdptrs(vx, s->cr0, s->cr3, s->cr4, s->efer);
	vx->guest_sce = s->efer & EFER_SCE;
	return 0;
}

/* Power-on state, SDM Vol. 3A 10.1.1 table 10-1. */
void vmx_set_reset_state(struct vmx_vcpu *vx)
{
	static const struct mv_segment data = {
		.limit = 0xffff, .type = 3, .s = 1, .present = 1,
	};
	struct mv_segment cs = {
		.selector = 0xf000, .base = 0xffff0000, .limit = 0xffff,
		.type = 0xb, .s = 1, .present = 1,
	};
	struct mv_segment tr = { .limit = 0xffff, .type = 0xb, .present = 1 };
	struct mv_segment ldt = { .limit = 0xffff, .type = 2, .present = 1 };

	memset(vx->regs, 0, sizeof(vx->regs));
	vx->regs[X86_RDX] = 0x600;	/* family 6 */
	vx->cr2 = 0;
	vx->cr8 = 0;
	vx->guest_kernel_gs_base = 0;
	memset(vx->guest_syscall, 0, sizeof(vx->guest_syscall));
	vx->guest_sce = false;
	memset(vx->dr, 0, sizeof(vx->dr));
	vx->dr6 = 0xffff0ff0;		/* Vol. 3A 10.1.1, table 10-1 */
	vx->dr7 = 0x400;
	vx->guest_bps = false;
	vx->guest_debugctl = 0;
	vx->event.valid = false;

	vmx_set_segment(SEG_CS, &cs);
	vmx_set_segment(SEG_DS, &data);
	vmx_set_segment(SEG_ES, &data);
	vmx_set_segment(SEG_FS, &data);
	vmx_set_segment(SEG_GS, &data);
	vmx_set_segment(SEG_SS, &data);
	vmx_set_segment(SEG_TR, &tr);
	vmx_set_segment(SEG_LDTR, &ldt);
	vmcs_writel(GUEST_GDTR_BASE, 0);
	vmcs_write32(GUEST_GDTR_LIMIT, 0xffff);
	vmcs_writel(GUEST_IDTR_BASE, 0);
	vmcs_write32(GUEST_IDTR_LIMIT, 0xffff);

	vmx_set_cr0(vx, X86_CR0_ET | X86_CR0_CD | X86_CR0_NW);
	vmcs_writel(GUEST_CR3, 0);
	vmx_set_cr4(vx, 0);
	vmx_set_efer(0);

	vmcs_writel(GUEST_RSP, 0);
	vmcs_writel(GUEST_RIP, 0xfff0);
	vmcs_writel(GUEST_RFLAGS, X86_EFLAGS_FIXED);
	vmcs_writel(GUEST_DR7, 0x400);	/* bit 10 reads as 1 */
	vmcs_write64(GUEST_IA32_DEBUGCTL, 0);
	vmcs_write64(GUEST_IA32_PAT, 0x0007040600070406ULL);
	vmcs_write32(GUEST_SYSENTER_CS, 0);
	vmcs_writel(GUEST_SYSENTER_ESP, 0);
	vmcs_writel(GUEST_SYSENTER_EIP, 0);
	vmcs_write32(GUEST_ACTIVITY_STATE, GUEST_ACTIVITY_ACTIVE);
	vmcs_write32(GUEST_INTERRUPTIBILITY_INFO, 0);
	vmcs_writel(GUEST_PENDING_DBG_EXCEPTIONS, 0);
}

u64 vmx_get_gpr(struct mv_vcpu *vcpu, unsigned int reg)
{
	if (reg == X86_RSP)
		return vmcs_readl(GUEST_RSP);
	return to_vmx(vcpu)->regs[reg & 15];
}

void vmx_set_gpr(struct mv_vcpu *vcpu, unsigned int reg, u64 val)
{
	if (reg == X86_RSP)
		vmcs_writel(GUEST_RSP, val);
	else
		to_vmx(vcpu)->regs[reg & 15] = val;
}

void vmx_get_fetch_state(struct mv_vcpu *vcpu, struct mv_fetch_state *fs)
{
	u32 ar = vmcs_read32(GUEST_CS_AR_BYTES);

	fs->cs_base = vmcs_readl(GUEST_CS_BASE);
	fs->rip = vmcs_readl(GUEST_RIP);
	fs->cs_l = !!(ar & VMX_AR_L_MASK);
	fs->cs_db = !!(ar & VMX_AR_DB_MASK);
	/* Paging follows the real CR0/CR4, not what the guest reads. */
	fs->cr0 = vmcs_readl(GUEST_CR0);
	fs->cr3 = vmcs_readl(GUEST_CR3);
	fs->cr4 = vmcs_readl(GUEST_CR4);
	fs->efer = vmcs_read64(GUEST_IA32_EFER);
}

/* RFLAGS for instruction emulation (MMIO ALU ops, string direction). */
u64 vmx_get_rflags(struct mv_vcpu *vcpu)
{
	return vmcs_readl(GUEST_RFLAGS);
}

void vmx_set_rflags(struct mv_vcpu *vcpu, u64 rflags)
{
	/* Bit 1 is reserved and always 1 (SDM Vol. 1 3.4.3). */
	vmcs_writel(GUEST_RFLAGS, rflags | X86_EFLAGS_FIXED);
}

/* Start-up IPI: real mode at CS = VV00h, IP = 0 (SDM Vol. 3A 9.4.4.1). */
void vmx_sipi(struct mv_vcpu *vcpu, u8 vector)
{
	struct mv_segment cs = {
		.selector = vector << 8, .base = (u64)vector << 12, .limit = 0xffff,
		.type = 0xb, .s = 1, .present = 1,
	};

	vmx_set_segment(SEG_CS, &cs);
	vmcs_writel(GUEST_RIP, 0);
}
