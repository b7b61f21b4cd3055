// SPDX-License-Identifier: GPL-2.0
/*
 * Guest FPU state, XCR0 and PKRU.
 *
 * The guest's FPU registers are loaded once per MV_RUN, not around every VM
 * entry: vmx_vcpu_run_begin() makes the guest's fpstate the task's fpstate
 * (fpu_swap_kvm_fpstate(), exported by the x86 FPU core for hypervisors),
 * vmx_vcpu_run_end() puts the task's own state back. In between the kernel's
 * FPU code keeps the guest state safe by itself: a context switch saves the
 * registers into the guest fpstate and sets TIF_NEED_FPU_LOAD, so does
 * kernel_fpu_begin() in this thread (softirqs, crypto), and the run path
 * reloads with switch_fpu_return() before the next entry. An in-kernel exit
 * round trip therefore runs no XSAVE or XRSTOR at all. The VMM's own state
 * is back in the registers before MV_RUN returns, so signal frames and
 * ptrace see it, never the guest's.
 *
 * XCR0 (SDM Vol. 1 13.3) is the guest's while it runs: loaded after the
 * guest's XRSTOR image is in place and before entry with interrupts off,
 * the host's restored right after the exit, before anything can XSAVE.
 */
#include <linux/sched.h>
#include <asm/fpu/api.h>
#include <asm/fpu/xcr.h>
#include <asm/special_insns.h>
#include <linux/thread_info.h>
#include <asm/trapnr.h>
#include "vmx.h"
#include "../../common/x86_decode.h"

#define VMX_MXCSR_RESET		0x1f80
#define VMX_FCW_RESET		0x037f

int vmx_fpu_init(struct vmx_vcpu *vx)
{
	/* Sized for the host's default features: no AMX tile data. */
	return mv_fpu_alloc_guest_fpstate(&vx->guest_fpu) ? 0 : -ENOMEM;
}

void vmx_fpu_destroy(struct vmx_vcpu *vx)
{
	mv_fpu_free_guest_fpstate(&vx->guest_fpu);
}

/* Power-on x87/SSE state (SDM Vol. 1 11.6.4, 8.1.5) and XCR0 = 1. */
void vmx_fpu_reset(struct vmx_vcpu *vx)
{
	struct fpstate *fps = vx->guest_fpu.fpstate;
	u64 xcomp_bv = 0;

	/* Only MV_RUN swaps the fpstate in, and no other ioctl runs meanwhile. */
	if (WARN_ON_ONCE(vx->fpu_loaded))
		return;
	/* XRSTORS needs the compacted-format bits of the header kept. */
	if (boot_cpu_has(X86_FEATURE_XSAVE))
		xcomp_bv = fps->regs.xsave.header.xcomp_bv;
	memset(&fps->regs, 0, fps->size);
	if (boot_cpu_has(X86_FEATURE_XSAVE))
		fps->regs.xsave.header.xcomp_bv = xcomp_bv;
	fps->regs.fxsave.cwd = VMX_FCW_RESET;
	fps->regs.fxsave.mxcsr = VMX_MXCSR_RESET;
	vx->vcpu.xcr0 = XFEATURE_MASK_FP;
	vx->guest_pkru = 0;
}

void vmx_vcpu_run_begin(struct mv_vcpu *vcpu)
{
	struct vmx_vcpu *vx = to_vmx(vcpu);

	/* Saves the VMM thread's registers into its own fpstate first. */
	mv_fpu_swap_kvm_fpstate(&vx->guest_fpu, true);
	vx->fpu_loaded = true;
	vx->l1d_flush = true;	/* the ioctl path ran since the last entry */
}

void vmx_vcpu_run_end(struct mv_vcpu *vcpu)
{
	struct vmx_vcpu *vx = to_vmx(vcpu);

	if (!vx->fpu_loaded)
		return;
	mv_fpu_swap_kvm_fpstate(&vx->guest_fpu, false);
	vx->fpu_loaded = false;
}

/*
 * The slow part of vmx_fpu_enter() (vmx.h): the guest's XCR0 differs from
 * the host's. Before it, switch_fpu_return() reloaded the guest's registers
 * if they left the CPU (context switch, kernel FPU use), with the host's
 * XCR0 still in place.
 */
bool vmx_fpu_enter_xcr0(struct vmx_vcpu *vx)
{
	u64 xcr0 = vx->vcpu.xcr0;

	/*
	 * Without CR4.OSXSAVE the guest can neither read XCR0 nor use what it
	 * enables (SDM Vol. 1 13.3), so the host's may stay, as KVM does.
	 */
	if (!(vmcs_readl(GUEST_CR4) & X86_CR4_OSXSAVE))
		return false;
	xsetbv(XCR_XFEATURE_ENABLED_MASK, xcr0);
	/*
	 * PKRU: only a guest XCR0 with PKRU makes it guest-writable (XRSTOR),
	 * because CR4.PKE never reaches the real CR4 (not in VMX_CR4_GUEST_VALID).
	 * minivisor does not let XCR0 enable it today (mv_xcr0_check()); this
	 * keeps the VMM's PKRU safe if it ever does.
	 */
	if (unlikely(xcr0 & XFEATURE_MASK_PKRU)) {
		vx->host_pkru = rdpkru();
		if (vx->guest_pkru != vx->host_pkru)
			wrpkru(vx->guest_pkru);
	}
	return true;
}

/* Interrupts still off, right after the exit. */
void vmx_fpu_exit(struct vmx_vcpu *vx)
{
	if (unlikely(vx->vcpu.xcr0 & XFEATURE_MASK_PKRU)) {
		vx->guest_pkru = rdpkru();
		if (vx->guest_pkru != vx->host_pkru)
			wrpkru(vx->host_pkru);
	}
	xsetbv(XCR_XFEATURE_ENABLED_MASK, vmx_cfg.host_xcr0);
}

/*
 * XSETBV always exits (SDM Vol. 3C 26.1.2). Faults per SDM Vol. 2D XSETBV:
 * #UD without CR4.OSXSAVE (or on a host that has XSAVE off, where the guest
 * may set OSXSAVE but XCR0 cannot be switched), #GP(0) at CPL > 0, for an
 * index other than 0 or a value mv_xcr0_check() refuses. The CPU itself
 * raises the first two before exiting (SDM Vol. 3C 26.1.1); they are checked
 * again because an emulator may not.
 */
void vmx_handle_xsetbv(struct vmx_vcpu *vx)
{
	u64 val = (u32)vx->regs[X86_RAX] | (u64)(u32)vx->regs[X86_RDX] << 32;
	u32 index = vx->regs[X86_RCX];
	int vector;

	BUILD_BUG_ON(VMX_CR4_GUEST_VALID & X86_CR4_PKE);

	if (!vmx_cfg.host_xcr0 || !(vmx_guest_cr4(vx) & X86_CR4_OSXSAVE))
		vector = X86_TRAP_UD;
	else if (vmx_cpl())
		vector = X86_TRAP_GP;
	else
		vector = mv_xcr0_check(&vx->vcpu, index, val);

	if (vector) {
		/* RIP stays on the XSETBV; #GP pushes error code 0. */
		vmx_queue_exception(vx, vector, vector == X86_TRAP_GP, 0);
		return;
	}
	vx->vcpu.xcr0 = val;
	vmx_skip(vx);
}
