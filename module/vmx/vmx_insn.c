// SPDX-License-Identifier: GPL-2.0
/*
 * Instruction exits emulated in the kernel: MOV to/from CR0, CR4 and CR8,
 * CLTS and LMSW, MOV DR, RDMSR/WRMSR, VMCALL, and instructions the guest
 * must not execute (VMX, MONITOR/MWAIT, RDPMC) or that must not reach the
 * hardware (WBINVD, INVD).
 *
 * An instruction that faults on a real CPU gets the same exception here,
 * with RIP left on it; an instruction that completes advances RIP
 * (vmx_skip), which also finishes a single-step trap and the STI shadow.
 */
#include "vmx.h"
#include "../lapic.h"
#include <asm/debugreg.h>
#include <asm/trapnr.h>
#include "../../common/x86_decode.h"

/* CPL is SS.DPL (SDM Vol. 3C 25.4.1); real mode is 0, virtual-8086 is 3. */
unsigned int vmx_cpl(void)
{
	if (!(vmcs_readl(GUEST_CR0) & X86_CR0_PE))
		return 0;
	if (vmcs_readl(GUEST_RFLAGS) & X86_EFLAGS_VM)
		return 3;
	return VMX_AR_DPL(vmcs_read32(GUEST_SS_AR_BYTES));
}

static bool vmx_long_mode_cs(void)
{
	return (vmcs_read64(GUEST_IA32_EFER) & EFER_LMA) &&
	       (vmcs_read32(GUEST_CS_AR_BYTES) & VMX_AR_L_MASK);
}

/* A GPR operand: 64 bits in 64-bit mode, else the low 32 (SDM Vol. 1 3.4.1.1). */
static u64 vmx_gpr_operand(struct vmx_vcpu *vx, unsigned int reg)
{
	u64 v = vmx_get_gpr(&vx->vcpu, reg);

	return vmx_long_mode_cs() ? v : (u32)v;
}

static void vmx_set_gpr_result(struct vmx_vcpu *vx, unsigned int reg, u64 v)
{
	vmx_set_gpr(&vx->vcpu, reg, vmx_long_mode_cs() ? v : (u32)v);
}

/*
 * MOV to CR0 (SDM Vol. 3A 2.5, Vol. 2B "MOV - Move to/from Control
 * Registers"): #GP on reserved bits, NW without CD, PG without PE, turning
 * paging on with EFER.LME but without CR4.PAE, and turning it off in 64-bit
 * mode. Setting or clearing PG with EFER.LME moves the guest in or out of
 * IA-32e mode (EFER.LMA and the VM-entry control follow, 27.3.1.1).
 */
static int vmx_emulate_cr0(struct vmx_vcpu *vx, u64 val)
{
	u64 old = vmx_guest_cr0(vx), efer = vmcs_read64(GUEST_IA32_EFER);

	if (val >> 32 || ((val & X86_CR0_NW) && !(val & X86_CR0_CD)) ||
	    ((val & X86_CR0_PG) && !(val & X86_CR0_PE)))
		return -EINVAL;
	if (!(old & X86_CR0_PG) && (val & X86_CR0_PG) && (efer & EFER_LME)) {
		if (!(vmx_guest_cr4(vx) & X86_CR4_PAE) ||
		    (vmcs_read32(GUEST_CS_AR_BYTES) & VMX_AR_L_MASK))
			return -EINVAL;
		vmx_set_efer(efer | EFER_LMA);
	} else if ((old & X86_CR0_PG) && !(val & X86_CR0_PG) && (efer & EFER_LMA)) {
		if (vmcs_read32(GUEST_CS_AR_BYTES) & VMX_AR_L_MASK)
			return -EINVAL;
		vmx_set_efer(efer & ~EFER_LMA);
	}
	vmx_set_cr0(vx, val);
	if ((val & X86_CR0_PG) && ((old ^ val) & X86_CR0_PG))
		vmx_load_pdptrs_now(vx);
	return 0;
}

/* MOV to CR4: only bits minivisor virtualizes (vmx.h) and the CPU has. */
static int vmx_emulate_cr4(struct vmx_vcpu *vx, u64 val)
{
	u64 old = vmx_guest_cr4(vx);
	bool lma = vmcs_read64(GUEST_IA32_EFER) & EFER_LMA;

	if (val & ~(VMX_CR4_GUEST_VALID & vmx_cfg.cr4_fixed1))
		return -EINVAL;
	if (lma && !(val & X86_CR4_PAE))
		return -EINVAL;
	/* PCIDE: only in IA-32e mode and with CR3[11:0] = 0 (Vol. 3A 4.10.1). */
	if ((val & X86_CR4_PCIDE) && !(old & X86_CR4_PCIDE) &&
	    (!lma || (vmcs_readl(GUEST_CR3) & 0xfff)))
		return -EINVAL;
	vmx_set_cr4(vx, val);
	if ((old ^ val) & (X86_CR4_PAE | X86_CR4_PSE | X86_CR4_PGE | X86_CR4_SMEP))
		vmx_load_pdptrs_now(vx);
	return 0;
}

/*
 * CR8 is TPR[7:4] (SDM Vol. 3A 11.8.6.1): with an in-kernel
 * LAPIC and no TPR shadow, MOV CR8 exits and goes to its TPR register.
 */
static int vmx_write_cr8(struct vmx_vcpu *vx, u64 val)
{
	if (vx->vcpu.lapic)
		return mv_lapic_set_cr8(&vx->vcpu, val);
	if (val & ~0xfULL)
		return -EINVAL;
	vx->cr8 = val;
	return 0;
}

static u64 vmx_read_cr8(struct vmx_vcpu *vx)
{
	return vx->vcpu.lapic ? mv_lapic_get_cr8(&vx->vcpu) : vx->cr8;
}

/* Control-register access qualification: SDM Vol. 3C 28.2.1, table 28-3. */
void vmx_handle_cr(struct vmx_vcpu *vx)
{
	unsigned long qual = vmcs_readl(EXIT_QUALIFICATION);
	unsigned int cr = qual & 15, type = (qual >> 4) & 3, reg = (qual >> 8) & 15;
	u64 val, cr0;
	int r = 0;

	switch (type) {
	case 0:		/* MOV to CR */
		val = vmx_gpr_operand(vx, reg);
		if (cr == 0)
			r = vmx_emulate_cr0(vx, val);
		else if (cr == 4)
			r = vmx_emulate_cr4(vx, val);
		else if (cr == 8)
			r = vmx_write_cr8(vx, val);
		else
			goto unhandled;
		break;
	case 1:		/* MOV from CR: only CR8 exits (CR3 is not intercepted) */
		if (cr != 8)
			goto unhandled;
		vmx_set_gpr_result(vx, reg, vmx_read_cr8(vx));
		break;
	case 2:		/* CLTS */
		r = vmx_emulate_cr0(vx, vmx_guest_cr0(vx) & ~X86_CR0_TS);
		break;
	case 3:		/* LMSW: loads PE, MP, EM, TS; can set PE but not clear it */
		cr0 = vmx_guest_cr0(vx);
		val = (cr0 & ~0xeULL) | ((qual >> 16) & 0xf) | (cr0 & X86_CR0_PE);
		r = vmx_emulate_cr0(vx, val);
		break;
	}
	if (r)
		vmx_queue_gp(&vx->vcpu);
	else
		vmx_skip(vx);
	return;
unhandled:
	vmx_exit_unhandled(vx, EXIT_REASON_CR_ACCESS);
}

#define VMX_DR7_ENABLES		0xffUL
#define VMX_DR6_FIXED1		0xffff0ff0UL
#define VMX_DR6_VALUE_BITS	(DR_TRAP_BITS | VMX_DR6_BD | DR_STEP | DR_SWITCH)
#define VMX_DR7_RESERVED	(0xffffffff00000000ULL | BIT(12) | BIT(14) | BIT(15))
#define VMX_DR7_FIXED1		BIT(10)

/*
 * MOV DR (qualification: table 28-4). The CPU checks CPL, CR4.DE with DR4/5
 * and DR7.GD before the exit (SDM Vol. 3C 26.1.1), so what is left is the
 * register itself. The guest's DR0-7 live in vmx_vcpu; GUEST_DR7 holds the
 * one in effect (the VMM's while it uses hardware breakpoints).
 */
void vmx_handle_dr(struct vmx_vcpu *vx)
{
	unsigned long qual = vmcs_readl(EXIT_QUALIFICATION);
	unsigned int dr = qual & 7, reg = (qual >> 8) & 15;
	bool from = qual & BIT(4);
	u64 val;

	if (dr == 4 || dr == 5) {
		if (vmx_guest_cr4(vx) & X86_CR4_DE) {
			vmx_queue_ud(&vx->vcpu);
			return;
		}
		dr += 2;	/* aliases of DR6 and DR7 */
	}
	if (from) {
		if (dr < 4)
			val = vx->dr[dr];
		else if (dr == 6)
			val = vx->dr6;
		else
			val = vx->dr7;
		vmx_set_gpr_result(vx, reg, val);
	} else {
		val = vmx_gpr_operand(vx, reg);
		if (dr < 4) {
			vx->dr[dr] = val;
		} else if (val >> 32) {
			vmx_queue_gp(&vx->vcpu);
			return;
		} else if (dr == 6) {
			vx->dr6 = (val & VMX_DR6_VALUE_BITS) | VMX_DR6_FIXED1;
		} else {
			vmx_set_guest_dr7(vx, (val & ~VMX_DR7_RESERVED) | VMX_DR7_FIXED1);
		}
	}
	vmx_skip(vx);
}

/*
 * With breakpoints enabled in the guest's DR7, the hardware needs its
 * DR0-3 while it runs; VM exit clears DR7 (28.5.1) and the host's own
 * breakpoints are restored after the exit (vmx_run.c).
 */
void vmx_load_guest_drs(struct vmx_vcpu *vx)
{
	unsigned long *dr = vx->dbg_control & MV_GUESTDBG_USE_HW_BP ? vx->dbg_dr : vx->dr;

	set_debugreg(dr[0], 0);
	set_debugreg(dr[1], 1);
	set_debugreg(dr[2], 2);
	set_debugreg(dr[3], 3);
}

/*
 * VMCALL (Documentation/api.md, "Hypercalls"): number in RAX, arguments in
 * RBX, RCX, RDX, RSI, result in RAX. Only CPL 0 may call.
 */
void vmx_handle_vmcall(struct vmx_vcpu *vx)
{
	struct mv_exit *e = &vx->vcpu.exit;
	u64 nr = vmx_gpr_operand(vx, X86_RAX);

	if (vmx_cpl()) {
		vx->regs[X86_RAX] = MV_HC_EPERM;
	} else if (nr == MV_HC_NOP) {
		vx->regs[X86_RAX] = 0;
	} else if (nr >= MV_HC_USER_BASE && nr < MV_HC_USER_BASE + 0x1000) {
		e->reason = MV_NEXIT_HYPERCALL;
		e->hypercall.nr = nr;
		e->hypercall.args[0] = vmx_gpr_operand(vx, X86_RBX);
		e->hypercall.args[1] = vmx_gpr_operand(vx, X86_RCX);
		e->hypercall.args[2] = vmx_gpr_operand(vx, X86_RDX);
		e->hypercall.args[3] = vmx_gpr_operand(vx, X86_RSI);
	} else {
		vx->regs[X86_RAX] = MV_HC_ENOSYS;
	}
	vmx_skip(vx);
}

/* The RDMSR/WRMSR outcome: completed, #GP, or finished by userspace later. */
static bool vmx_msr_done(struct vmx_vcpu *vx, enum mv_msr_result r)
{
	if (r == MV_MSR_GP)
		vmx_queue_gp(&vx->vcpu);
	else if (r == MV_MSR_OK)
		vmx_skip(vx);
	return r == MV_MSR_OK;		/* MV_MSR_USER: mv_msr_complete() */
}

void vmx_handle_rdmsr(struct vmx_vcpu *vx)
{
	u64 data = 0;

	if (vmx_msr_done(vx, mv_msr_read(&vx->vcpu, (u32)vx->regs[X86_RCX], &data))) {
		/* RDMSR zeroes the upper halves of RAX and RDX. */
		vx->regs[X86_RAX] = (u32)data;
		vx->regs[X86_RDX] = data >> 32;
	}
}

void vmx_handle_wrmsr(struct vmx_vcpu *vx)
{
	u64 data = (u32)vx->regs[X86_RAX] | (vx->regs[X86_RDX] << 32);

	vmx_msr_done(vx, mv_msr_write(&vx->vcpu, (u32)vx->regs[X86_RCX], data));
}

/* VMX instructions, MONITOR/MWAIT: not offered to the guest (CPUID hides them). */
void vmx_handle_ud(struct vmx_vcpu *vx)
{
	vmx_queue_ud(&vx->vcpu);
}

/* RDPMC: no PMU for the guest (CPUID leaf 0xa is zero), so #GP (Vol. 2B RDPMC). */
void vmx_handle_gp(struct vmx_vcpu *vx)
{
	vmx_queue_gp(&vx->vcpu);
}

/*
 * WBINVD and INVD complete without touching the host's caches: guest
 * memory is ordinary write-back host memory, coherent without a flush, and
 * INVD would discard host data. A guest thus cannot stall the host's caches.
 */
void vmx_handle_skip(struct vmx_vcpu *vx)
{
	vmx_skip(vx);
}
