// SPDX-License-Identifier: GPL-2.0
/*
 * Guest FPU state, XCR0 and PKRU.
 *
 * 6.1 and 6.12: the guest's FPU registers are loaded once per MV_RUN, not
 * around every VM entry: vmx_vcpu_run_begin() makes the guest's fpstate
 * the task's fpstate (fpu_swap_kvm_fpstate(), exported by the x86 FPU core
 * for hypervisors), vmx_vcpu_run_end() puts the task's own state back. In between the kernel's
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
 *
 * Linux 7.2 exports those fpstate helpers to KVM alone (MV_KVM_ONLY_EXPORTS,
 * compat.h); there MV_GUEST_FPU_PER_ENTRY selects the scheme at the end of
 * this file, which needs only kernel_fpu_begin_mask() and kernel_fpu_end().
 */
#include <linux/sched.h>
#include <linux/gfp.h>
#include <linux/percpu.h>
#include <asm/asm.h>
#include <asm/fpu/api.h>
#include <asm/fpu/xcr.h>
#include <asm/special_insns.h>
#include <linux/thread_info.h>
#include <asm/trapnr.h>
#include "vmx.h"
#include "../../common/x86_decode.h"

#define VMX_MXCSR_RESET		0x1f80
#define VMX_FCW_RESET		0x037f

#ifndef MV_GUEST_FPU_PER_ENTRY
int vmx_fpu_init(struct vmx_vcpu *vx)
{
	/* Sized for the host's default features: no AMX tile data. */
	return mv_fpu_alloc_guest_fpstate(&vx->guest_fpu) ? 0 : -ENOMEM;
}

void vmx_fpu_destroy(struct vmx_vcpu *vx)
{
	mv_fpu_free_guest_fpstate(&vx->guest_fpu);
}
#endif

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

#ifndef MV_GUEST_FPU_PER_ENTRY
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
#endif

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
	 * enables (SDM Vol. 1 13.3), so the host's may stay, as KVM does. The
	 * guest cannot set it without an exit (host-owned, vmx.h), so this
	 * holds until the next entry decides again.
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

/* Undoes vmx_fpu_enter_xcr0(): interrupts still off, right after the exit. */
static __always_inline void vmx_fpu_host_xcr0(struct vmx_vcpu *vx)
{
	if (unlikely(vx->vcpu.xcr0 & XFEATURE_MASK_PKRU)) {
		vx->guest_pkru = rdpkru();
		if (vx->guest_pkru != vx->host_pkru)
			wrpkru(vx->host_pkru);
	}
	xsetbv(XCR_XFEATURE_ENABLED_MASK, vmx_cfg.host_xcr0);
}

#ifndef MV_GUEST_FPU_PER_ENTRY
/* Interrupts still off, right after the exit; only when XCR0 was switched. */
void vmx_fpu_exit(struct vmx_vcpu *vx)
{
	vmx_fpu_host_xcr0(vx);
}
#endif

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

#ifdef MV_GUEST_FPU_PER_ENTRY
/*
 * Linux 7.2: the guest's FPU registers per VM entry, inside one kernel-FPU
 * section (kernel_fpu_begin_mask()/kernel_fpu_end(), exported to every
 * module). The guest's x87/SSE/AVX/AVX-512 state lives in a buffer of the
 * vCPU (guest_fpu.fpstate, allocated here; the kernel's FPU code never sees
 * it) and is in the CPU only between these two points of vmx_vcpu_run():
 *
 *   interrupts off, the last check that may return is done
 *   vmx_fpu_load():  kernel_fpu_begin_mask(0): saves the VMM thread's own
 *                    registers into its task fpstate and sets
 *                    TIF_NEED_FPU_LOAD (once per MV_RUN: the flag stays set
 *                    until the return to user mode restores them);
 *                    XRSTOR/FXRSTOR of the guest buffer; the guest's XCR0
 *   VM entry ... VM exit
 *   vmx_fpu_exit():  the host's XCR0; XSAVE/FXSAVE into the guest buffer;
 *                    kernel_fpu_end()
 *   interrupts on: host interrupts, softirqs, preemption, exit handling
 *
 * Why exactly there. A kernel-FPU section must not sleep, and nothing else
 * may use the FPU inside it: with interrupts on, kernel_fpu_begin_mask()
 * takes fpregs_lock() (local_bh_disable(): no preemption, no softirq) and
 * kernel_fpu_end() drops it; with interrupts off it takes nothing, and then
 * interrupts must stay off until kernel_fpu_end(). The run loop sleeps
 * between entries (cond_resched(), a HLT waiting in mv_intr_halt(), EPT
 * faults that fault pages in, MV_RUN returning to userspace for I/O or a
 * signal), so one section around MV_RUN (or around an exit's handling) is
 * impossible. The stretch of vmx_vcpu_run() from the last check before the
 * entry to the first instructions after the exit runs with interrupts off
 * and never sleeps: no host interrupt, softirq (kernel crypto), NMI handler
 * (those never use the FPU) or context switch can see or clobber the
 * guest's registers there. Everywhere else the guest state is only in the
 * buffer, so preemption, migration to another CPU, signals and host
 * interrupts leave it exactly as the guest left it; the VMM's state is in
 * its task fpstate, and the kernel's return to user mode restores it
 * (switch_fpu_return() on TIF_NEED_FPU_LOAD) before MV_RUN returns, and a
 * signal frame is written from that fpstate, never from the guest's.
 *
 * Cost: one XRSTOR and one XSAVE of the guest's components per entry (two
 * FXRSTOR/FXSAVE without XSAVE), where the fpstate swap of 6.1/6.12 costs
 * none for an exit handled in the kernel. Accepted for 7.2
 * (design.md, "Linux 7.2").
 */
/*
 * The components the guest can change: x87 and SSE always, and what
 * mv_xcr0_check() may let its XCR0 enable (XCR0_MV_SUPPORTED in cpuid.c:
 * AVX, AVX-512). Never PKRU (it stays the VMM's, handled by
 * vmx_fpu_enter_xcr0()), AMX tile data (its XFD may be armed: XRSTOR would
 * raise #NM), APX or supervisor state: the guest cannot reach those, and
 * they stay the VMM's untouched registers.
 */
#define VMX_FPU_GUEST_XFEATURES	(XFEATURE_MASK_FP | XFEATURE_MASK_SSE | \
				 XFEATURE_MASK_YMM | XFEATURE_MASK_AVX512)

/* Whether vmx_fpu_load() loaded the guest's XCR0; read by vmx_fpu_exit(). */
static DEFINE_PER_CPU(bool, vmx_fpu_xcr0_switched);

/* XSAVE requested-feature bitmap (SDM Vol. 1 13.8): host-enabled only. */
static __always_inline u64 vmx_fpu_xfeatures(void)
{
	return vmx_cfg.host_xcr0 & VMX_FPU_GUEST_XFEATURES;
}

/*
 * Bytes of the standard-format XSAVE area holding those components: the
 * legacy region and header (576), or the end of the highest component
 * (CPUID.(EAX=0DH,ECX=i): EAX size, EBX offset; SDM Vol. 1 13.4, 13.5);
 * the 512-byte FXSAVE area when the host kernel does not use XSAVE
 * (noxsave, SDM Vol. 1 10.5.1).
 */
static unsigned int vmx_fpu_area_size(void)
{
	u64 mask = vmx_fpu_xfeatures();
	unsigned int size = 512 + 64, i;
	u32 eax, ebx, ecx, edx;

	if (!vmx_cfg.host_xcr0)
		return 512;
	for (i = 2; i < 64; i++) {
		if (!(mask & BIT_ULL(i)))
			continue;
		cpuid_count(0xd, i, &eax, &ebx, &ecx, &edx);
		size = max(size, ebx + eax);
	}
	return size;
}

int vmx_fpu_init(struct vmx_vcpu *vx)
{
	unsigned int size = vmx_fpu_area_size();
	unsigned int total = ALIGN(offsetof(struct fpstate, regs), 64) + size;
	struct fpstate *fps;

	/* x87 to AVX-512 end at 2688 bytes (SDM Vol. 1 table 13-1's layout). */
	if (WARN_ON_ONCE(total > PAGE_SIZE))
		return -ENOMEM;
	/* Page-aligned, so regs is 64-byte aligned as XSAVE needs. */
	fps = (struct fpstate *)get_zeroed_page(GFP_KERNEL_ACCOUNT);
	if (!fps)
		return -ENOMEM;
	fps->size = size;
	fps->user_size = size;
	fps->xfeatures = vmx_fpu_xfeatures();
	fps->user_xfeatures = fps->xfeatures;
	fps->is_guest = true;
	vx->guest_fpu.fpstate = fps;
	vx->guest_fpu.xfeatures = fps->xfeatures;
	return 0;
}

void vmx_fpu_destroy(struct vmx_vcpu *vx)
{
	free_page((unsigned long)vx->guest_fpu.fpstate);
	vx->guest_fpu.fpstate = NULL;
}

/* Nothing to swap per MV_RUN: the guest's registers move per entry. */
void vmx_vcpu_run_begin(struct mv_vcpu *vcpu)
{
	to_vmx(vcpu)->l1d_flush = true;	/* the ioctl path ran since the last entry */
}

void vmx_vcpu_run_end(struct mv_vcpu *vcpu)
{
}

/*
 * XRSTOR/FXRSTOR of the guest buffer, 0 or -EFAULT when the CPU refused
 * the image (#GP: a reserved header or MXCSR bit, SDM Vol. 2D XRSTOR,
 * Vol. 2A FXRSTOR). The buffer is written only by the XSAVE/FXSAVE below
 * and vmx_fpu_reset(), so that would be a minivisor bug. The 64-bit forms:
 * FPU IP/DP as 64-bit offsets, as the kernel's own fxsaveq/XSAVE do.
 */
static __always_inline int vmx_fpu_restore(struct fpstate *fps, u64 mask)
{
	if (vmx_cfg.host_xcr0)
		asm goto("1: xrstor64 (%[buf])\n\t"
			 _ASM_EXTABLE(1b, %l[fault])
			 : : [buf] "r"(&fps->regs.xsave), "a"((u32)mask), "d"((u32)(mask >> 32))
			 : "memory" : fault);
	else
		asm goto("1: fxrstor64 (%[buf])\n\t"
			 _ASM_EXTABLE(1b, %l[fault])
			 : : [buf] "r"(&fps->regs.fxsave) : "memory" : fault);
	return 0;
fault:
	return -EFAULT;
}

/* Interrupts off, right before the entry (vmx_fpu_enter(), vmx.h). */
void vmx_fpu_load(struct vmx_vcpu *vx)
{
	struct fpstate *fps = vx->guest_fpu.fpstate;
	u64 mask = vmx_fpu_xfeatures();
	bool switched = false;

	lockdep_assert_irqs_disabled();
	/*
	 * No KFPU_387/KFPU_MXCSR: the XRSTOR below replaces the x87 and SSE
	 * control state anyway. The host's XCR0 is still in place, so the
	 * kernel saves the VMM's registers with its own features.
	 */
	kernel_fpu_begin_mask(0);
	if (unlikely(vmx_fpu_restore(fps, mask))) {
		WARN_ONCE(1, "minivisor: the CPU refused the guest FPU image; guest FPU reset\n");
		vmx_fpu_reset(vx);
		if (vmx_fpu_restore(fps, mask))
			WARN_ONCE(1, "minivisor: the CPU refused the reset FPU image\n");
	}
	/* XCR0 after XRSTOR, which ran with the host's (all components). */
	if (vmx_cfg.host_xcr0 && vx->vcpu.xcr0 != vmx_cfg.host_xcr0)
		switched = vmx_fpu_enter_xcr0(vx);
	__this_cpu_write(vmx_fpu_xcr0_switched, switched);
}

/*
 * Interrupts still off, right after the exit (vmx_vcpu_run() calls it after
 * every entry on this path). The host's XCR0 first, so that XSAVE stores
 * every component the buffer holds, also those the guest's XCR0 disables
 * (which the guest could not change). The kernel-FPU section ends here,
 * before interrupts are enabled, with interrupts off, as it began; its end
 * is a per-CPU store, still in context tracking's guest state like the
 * other work between the exit and context_tracking_guest_exit().
 */
void vmx_fpu_exit(struct vmx_vcpu *vx)
{
	struct fpstate *fps = vx->guest_fpu.fpstate;
	u64 mask = vmx_fpu_xfeatures();

	if (__this_cpu_read(vmx_fpu_xcr0_switched))
		vmx_fpu_host_xcr0(vx);
	if (vmx_cfg.host_xcr0)
		asm volatile("xsave64 (%[buf])"
			     : : [buf] "r"(&fps->regs.xsave), "a"((u32)mask), "d"((u32)(mask >> 32))
			     : "memory");
	else
		asm volatile("fxsave64 (%[buf])" : : [buf] "r"(&fps->regs.fxsave) : "memory");
	kernel_fpu_end();
}
#endif /* MV_GUEST_FPU_PER_ENTRY */
