// SPDX-License-Identifier: GPL-2.0
/*
 * Guest debugging by the VMM (MV_SET_GUEST_DEBUG): single-step, software
 * breakpoints (INT3) and hardware breakpoints, reported as MV_EXIT_DEBUG.
 *
 * Single-step uses the monitor trap flag where the CPU offers it (a VM exit
 * after each guest instruction, invisible to the guest; SDM Vol. 3C 26.5.2)
 * and RFLAGS.TF otherwise, set for the entry and cleared after the exit
 * (the guest can then see TF with PUSHF: documented in api.md). An
 * instruction minivisor emulates counts as a step: the exit comes right
 * after it, before the guest runs again.
 *
 * Hardware breakpoints replace the guest's DR0-3 and DR7 while enabled; the
 * guest's own values stay in vmx_vcpu (MOV DR reads them) and return when
 * the VMM disables guest debugging. #DB is always intercepted (vmx_vcpu.c),
 * #BP only with MV_GUESTDBG_USE_SW_BP.
 */
#include "vmx.h"
#include <asm/debugreg.h>
#include <asm/trapnr.h>

#define VMX_DR7_ENABLES		0xffUL
#define VMX_DR7_FIXED1		BIT(10)
#define VMX_DR7_RESERVED	(0xffffffff00000000ULL | BIT(11) | BIT(12) | BIT(14) | BIT(15))

static bool vmx_canonical(u64 a)
{
	return (u64)((s64)a << 16 >> 16) == a;
}

/* The DR7 (and DR0-3) in effect: the VMM's with hardware breakpoints on. */
static void vmx_apply_dr7(struct vmx_vcpu *vx)
{
	unsigned long dr7 = vx->dbg_control & MV_GUESTDBG_USE_HW_BP ? vx->dbg_dr7 : vx->dr7;

	vmcs_writel(GUEST_DR7, dr7 | VMX_DR7_FIXED1);
	vx->guest_bps = dr7 & VMX_DR7_ENABLES;
}

void vmx_set_guest_dr7(struct vmx_vcpu *vx, unsigned long dr7)
{
	vx->dr7 = dr7;
	vmx_apply_dr7(vx);
}

int vmx_set_guest_debug(struct mv_vcpu *vcpu, const struct mv_guest_debug *dbg)
{
	struct vmx_vcpu *vx = to_vmx(vcpu);
	u32 control = dbg->control;
	u32 proc;
	int i;

	if (control & ~MV_GUESTDBG_VALID || dbg->pad || dbg->reserved[0] || dbg->reserved[1] ||
	    dbg->debugreg[4] || dbg->debugreg[5] || dbg->debugreg[6]) {
		mv_err("MV_SET_GUEST_DEBUG: unknown control bits or non-zero reserved fields\n");
		return -EINVAL;
	}
	if (control & MV_GUESTDBG_USE_HW_BP) {
		for (i = 0; i < 4; i++)
			if (!vmx_canonical(dbg->debugreg[i]))
				break;
		if (i < 4 || dbg->debugreg[7] & VMX_DR7_RESERVED) {
			mv_err("MV_SET_GUEST_DEBUG: non-canonical breakpoint address or reserved DR7 bits\n");
			return -EINVAL;
		}
	}
	if (!(control & MV_GUESTDBG_ENABLE))
		control = 0;

	vx->dbg_control = control;
	for (i = 0; i < 4; i++)
		vx->dbg_dr[i] = dbg->debugreg[i];
	vx->dbg_dr7 = dbg->debugreg[7];
	vmx_apply_dr7(vx);
	vmcs_write32(EXCEPTION_BITMAP, VMX_EXC_BITMAP |
		     (control & MV_GUESTDBG_USE_SW_BP ? BIT(X86_TRAP_BP) : 0));
	proc = vmcs_read32(CPU_BASED_VM_EXEC_CONTROL) & ~CPU_BASED_MONITOR_TRAP_FLAG;
	if ((control & MV_GUESTDBG_SINGLESTEP) && vmx_cfg.has_mtf)
		proc |= CPU_BASED_MONITOR_TRAP_FLAG;
	vmcs_write32(CPU_BASED_VM_EXEC_CONTROL, proc);
	vx->dbg_stepped = false;
	return 0;
}

static void vmx_exit_debug(struct vmx_vcpu *vx, u32 exception, unsigned long dr6)
{
	struct mv_exit *e = &vx->vcpu.exit;

	e->reason = MV_NEXIT_DEBUG;
	e->debug.exception = exception;
	e->debug.pc = vmcs_readl(GUEST_RIP);
	e->debug.dr6 = dr6;
	e->debug.dr7 = vmcs_readl(GUEST_DR7);
}

/*
 * A #DB (vector 1, dr6 = the exit qualification) or #BP (vector 3) exit:
 * true if it is the VMM's, reported as MV_EXIT_DEBUG.
 */
bool vmx_debug_exit(struct vmx_vcpu *vx, u8 vector, unsigned long dr6)
{
	u32 c = vx->dbg_control;

	if (vector == X86_TRAP_BP && (c & MV_GUESTDBG_USE_SW_BP)) {
		vmx_exit_debug(vx, X86_TRAP_BP, 0);
		return true;
	}
	if (vector == X86_TRAP_DB &&
	    (((c & MV_GUESTDBG_SINGLESTEP) && (dr6 & DR_STEP)) ||
	     ((c & MV_GUESTDBG_USE_HW_BP) && (dr6 & DR_TRAP_BITS)))) {
		vmx_exit_debug(vx, X86_TRAP_DB, dr6);
		return true;
	}
	return false;
}

/* Monitor-trap-flag exit (reason 37): one guest instruction done. */
void vmx_debug_mtf(struct vmx_vcpu *vx)
{
	if (vx->dbg_control & MV_GUESTDBG_SINGLESTEP)
		vmx_exit_debug(vx, X86_TRAP_DB, DR_STEP);
}

/*
 * Before an entry while single-stepping: a step the kernel completed by
 * emulation is reported now; without MTF, TF makes the CPU stop after
 * one instruction. Returns with vcpu->exit set if there is nothing to run.
 */
void vmx_debug_before_entry(struct vmx_vcpu *vx)
{
	unsigned long rflags;
	u32 intr;

	if (vx->dbg_stepped) {
		vx->dbg_stepped = false;
		vmx_exit_debug(vx, X86_TRAP_DB, DR_STEP);
		return;
	}
	if (vmx_cfg.has_mtf)
		return;
	rflags = vmcs_readl(GUEST_RFLAGS);
	if (rflags & X86_EFLAGS_TF)
		return;
	vmcs_writel(GUEST_RFLAGS, rflags | X86_EFLAGS_TF);
	vx->dbg_tf_added = true;
	/* Under an interrupt shadow, TF needs BS pending (SDM Vol. 3C 27.3.1.5). */
	intr = vmcs_read32(GUEST_INTERRUPTIBILITY_INFO);
	if (intr & (GUEST_INTR_STATE_STI | GUEST_INTR_STATE_MOV_SS))
		vmcs_writel(GUEST_PENDING_DBG_EXCEPTIONS,
			    vmcs_readl(GUEST_PENDING_DBG_EXCEPTIONS) | DR_STEP);
}

void vmx_debug_after_exit(struct vmx_vcpu *vx)
{
	vmcs_writel(GUEST_RFLAGS, vmcs_readl(GUEST_RFLAGS) & ~X86_EFLAGS_TF);
	/*
	 * A single-step trap our TF left pending (an exit on the instruction
	 * after a step, e.g. CPUID; Bochs records one there) is ours too:
	 * the guest, which has TF clear, must never see it.
	 */
	vmcs_writel(GUEST_PENDING_DBG_EXCEPTIONS,
		    vmcs_readl(GUEST_PENDING_DBG_EXCEPTIONS) & ~DR_STEP);
	vx->dbg_tf_added = false;
}
