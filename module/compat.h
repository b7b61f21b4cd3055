/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Differences between the kernels minivisor builds against (Debian bookworm
 * 6.1.0-57 and 6.12.117, Debian sid 7.2.13 today), in one place. 6.1 and
 * 6.12 carry the same backported speculation and FPU interfaces; the guards
 * below keep the module building, with the mitigation reported off, on a
 * kernel that predates one of them. Usable from C and from assembly.
 *
 * MV_KVM_ONLY_EXPORTS (module/Kbuild sets it when the headers'
 * Module.symvers restricts cr4_update_irqsoff to "module:kvm,..."): Linux
 * 7.2 exports the CR4, FPU, debug-register and mitigation helpers a
 * hypervisor needs only to kvm, kvm-amd and kvm-intel, and keeps VMXON in
 * core x86 behind x86_virt_get_ref() (asm/virt.h), exported the same way.
 * The replacements below use inlines of the headers or exported symbols
 * where that is exactly as correct (the guest fpstate: a per-entry scheme
 * on kernel_fpu_begin_mask()); what has no safe replacement (VMXON) is a
 * clearly failing stub, see the "Linux 7.2" section of
 * Documentation/design.md.
 */
#ifndef MV_COMPAT_H
#define MV_COMPAT_H

#include <asm/cpufeatures.h>

/* 6.15 dropped X86_FEATURE_USE_IBPB: IBPB is used wherever the CPU has it. */
#ifndef X86_FEATURE_USE_IBPB
#define X86_FEATURE_USE_IBPB		X86_FEATURE_IBPB
#endif

/* 6.16 renamed the BHI "clear branch history on VM exit" feature. */
#if !defined(X86_FEATURE_CLEAR_BHB_LOOP_ON_VMEXIT) && defined(X86_FEATURE_CLEAR_BHB_VMEXIT)
#define X86_FEATURE_CLEAR_BHB_LOOP_ON_VMEXIT	X86_FEATURE_CLEAR_BHB_VMEXIT
#endif

/* VMSCAPE (2025): IBPB before the next return to userspace after a VM exit. */
#ifdef X86_FEATURE_IBPB_EXIT_TO_USER
#define MV_HAS_IBPB_EXIT_TO_USER	1
#else
#define MV_HAS_IBPB_EXIT_TO_USER	0
#endif

/*
 * BHI (2024): branch-history clearing after VM exit. On 7.2 the kernel's
 * CLEAR_BRANCH_HISTORY_VMEXIT calls clear_bhb_loop, exported to KVM only:
 * off there.
 */
#if defined(X86_FEATURE_CLEAR_BHB_LOOP_ON_VMEXIT) && !defined(MV_KVM_ONLY_EXPORTS)
#define MV_HAS_BHB_VMEXIT		1
#else
#define MV_HAS_BHB_VMEXIT		0
#endif
/* ... and a CPU that needs it there gets no guests (vmx_mitigate.c). */
#if defined(X86_FEATURE_CLEAR_BHB_LOOP_ON_VMEXIT) && defined(MV_KVM_ONLY_EXPORTS)
#define mv_bhb_vmexit_unavailable()	boot_cpu_has(X86_FEATURE_CLEAR_BHB_LOOP_ON_VMEXIT)
#else
#define mv_bhb_vmexit_unavailable()	false
#endif

/*
 * VERW before VM entry. The TSA backports (2025) added "clear CPU buffers
 * for VMs" (X86_FEATURE_CLEAR_CPU_BUF_VM) next to the kernel-exit VERW
 * (X86_FEATURE_CLEAR_CPU_BUF). Which one kvm_intel's entry tests differs:
 * Debian's 6.1.0-57 kvm-intel.ko patches its VERW on CLEAR_CPU_BUF (its
 * .altinstructions entry for __vmx_vcpu_run+0x83 names word 11 bit 18),
 * newer trees on CLEAR_CPU_BUF_VM. On Intel hosts the kernel sets both for
 * MDS, TAA, MMIO stale data and RFDS; minivisor clears when either is set.
 */
#ifndef X86_FEATURE_CLEAR_CPU_BUF_VM
#define X86_FEATURE_CLEAR_CPU_BUF_VM	X86_FEATURE_CLEAR_CPU_BUF
#endif

/*
 * The per-CPU "an interrupt ran here" flag that interrupt entry sets for
 * kvm_intel's conditional L1D flush exists only in kernels built with
 * CONFIG_KVM_INTEL; without it every entry counts as after an interrupt.
 */
#if IS_ENABLED(CONFIG_KVM_INTEL)
#define mv_irq_l1tf_flag_test_clear()	({ bool __f = kvm_get_cpu_l1tf_flush_l1d(); \
					   kvm_clear_cpu_l1tf_flush_l1d(); __f; })
#else
#define mv_irq_l1tf_flag_test_clear()	true
#endif

#ifdef __ASSEMBLY__
#if MV_HAS_BHB_VMEXIT
#define MV_CLEAR_BRANCH_HISTORY_VMEXIT	CLEAR_BRANCH_HISTORY_VMEXIT
#else
#define MV_CLEAR_BRANCH_HISTORY_VMEXIT
#endif
#endif /* __ASSEMBLY__ */

#ifndef __ASSEMBLY__
#include <linux/version.h>
#include <linux/hrtimer.h>
#include <linux/percpu.h>
#include <asm/msr.h>
#include <asm/debugreg.h>
#include <asm/special_insns.h>
#include <asm/nospec-branch.h>
#if __has_include(<asm/cpuid/api.h>)
#include <asm/cpuid/api.h>	/* 6.16 moved cpuid() and friends here */
#endif

/* 6.16 renamed the 64-bit MSR accessors (rdmsrl -> rdmsrq, ...); 7.x dropped the old names. */
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 16, 0) && !defined(rdmsrl)
#define rdmsrl(msr, val)		rdmsrq(msr, val)
#define wrmsrl(msr, val)		wrmsrq(msr, val)
#define rdmsrl_safe(msr, p)		rdmsrq_safe(msr, p)
#define native_wrmsrl(msr, val)		native_wrmsrq(msr, val)
#endif

#ifdef MV_KVM_ONLY_EXPORTS
/*
 * HOST_CR3 (SDM Vol. 3C 25.5.1, 28.5.1): the CR3 the CPU runs on right
 * now. __get_current_cr3_fast() computes it from the TLB state without a
 * MOV from CR3; the register itself is the same value (and what the
 * helper's debug check compares against), one MOV CR3 slower.
 */
#define mv_get_current_cr3_fast()	__native_read_cr3()

/*
 * IBPB (Intel, "Speculative Execution Side Channel Mitigations": write 1
 * to IA32_PRED_CMD bit 0). The kernel's write_ibpb() adds an RSB fill
 * only for X86_BUG_IBPB_NO_RET, an AMD erratum; minivisor is Intel only.
 */
static __always_inline void mv_ibpb(void)
{
	if (boot_cpu_has(X86_FEATURE_IBPB))
		native_wrmsrq(MSR_IA32_PRED_CMD, PRED_CMD_IBPB);
}

/*
 * Host breakpoints after a VM exit, which loads DR7 with 0x400 (SDM Vol.
 * 3C 28.5.1) and leaves DR0-3 as the guest had them. Without the kernel's
 * hw_breakpoint_restore(): DR0-3 are read before the guest's are loaded,
 * and DR7 comes from the kernel's exported per-CPU cpu_dr7 (which
 * hw_breakpoint_active() reads too).
 */
struct mv_host_drs {
	unsigned long dr[4];
	bool saved;
};

static __always_inline void mv_host_drs_save(struct mv_host_drs *h)
{
	get_debugreg(h->dr[0], 0);
	get_debugreg(h->dr[1], 1);
	get_debugreg(h->dr[2], 2);
	get_debugreg(h->dr[3], 3);
	h->saved = true;
}

static __always_inline void mv_hw_breakpoint_restore(struct mv_host_drs *h)
{
	if (h->saved) {
		set_debugreg(h->dr[0], 0);
		set_debugreg(h->dr[1], 1);
		set_debugreg(h->dr[2], 2);
		set_debugreg(h->dr[3], 3);
	}
	set_debugreg(__this_cpu_read(cpu_dr7), 7);
}

/*
 * The l1tf= and kvm_intel vmentry_l1d_flush= choices (l1tf_mitigation,
 * l1tf_vmx_mitigation) are KVM-only: flush before every entry, never less
 * than any policy the kernel could have chosen.
 */
#define mv_l1tf_vmx_mitigation()	VMENTER_L1D_FLUSH_ALWAYS
#define mv_l1tf_mitigation()		L1TF_MITIGATION_FULL

/*
 * No safe replacement (design.md, "Linux 7.2"): VMXON and CR4.VMXE belong
 * to core x86 (x86_virt_get_ref), native_write_cr4 is not exported and
 * writing CR4 behind the kernel's per-CPU shadow would be undone by its
 * next cr4_update_irqsoff(). These stubs are never reached: on 7.2
 * minivisor shares kvm_intel's VMX operation (vmx/vmx_share.c) and, with
 * vmx_share=self, fails with EOPNOTSUPP before any CR4 write.
 */
#define MV_VMX_OWNED_BY_CORE		1
#define mv_cr4_set_vmxe()		WARN_ON_ONCE(1)
#define mv_cr4_clear_vmxe()		WARN_ON_ONCE(1)

/*
 * The guest fpstate helpers (fpu_alloc_guest_fpstate, fpu_free_guest_fpstate,
 * fpu_swap_kvm_fpstate, switch_fpu_return) are KVM-only: the guest's FPU
 * registers are XRSTORed and XSAVEd around every entry instead, inside a
 * kernel_fpu_begin_mask()/kernel_fpu_end() section with interrupts off
 * (vmx/vmx_fpu.c). Defining it on another kernel (KCFLAGS=
 * -DMV_GUEST_FPU_PER_ENTRY=1) runs that path there too, for testing.
 */
#define MV_GUEST_FPU_PER_ENTRY		1
#else
#define mv_get_current_cr3_fast()	__get_current_cr3_fast()
#define mv_ibpb()			indirect_branch_prediction_barrier()
struct mv_host_drs { };
#define mv_host_drs_save(h)		do { (void)(h); } while (0)
#define mv_hw_breakpoint_restore(h)	do { (void)(h); hw_breakpoint_restore(); } while (0)
#define mv_l1tf_vmx_mitigation()	l1tf_vmx_mitigation
#define mv_l1tf_mitigation()		l1tf_mitigation
#define MV_VMX_OWNED_BY_CORE		0
/* Through the kernel's helpers so its per-CPU CR4 shadow stays right. */
#define mv_cr4_set_vmxe()		cr4_set_bits(X86_CR4_VMXE)
#define mv_cr4_clear_vmxe()		cr4_clear_bits(X86_CR4_VMXE)
#define mv_fpu_alloc_guest_fpstate(g)	fpu_alloc_guest_fpstate(g)
#define mv_fpu_free_guest_fpstate(g)	fpu_free_guest_fpstate(g)
#define mv_fpu_swap_kvm_fpstate(g, e)	fpu_swap_kvm_fpstate(g, e)
#define mv_switch_fpu_return()		switch_fpu_return()
#endif /* MV_KVM_ONLY_EXPORTS */
/* hrtimer_setup() (6.13) replaced hrtimer_init() plus assigning ->function. */
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 13, 0)
#define mv_hrtimer_setup(t, fn, clock, mode)	hrtimer_setup(t, fn, clock, mode)
#else
#define mv_hrtimer_setup(t, fn, clock, mode)	\
	do { hrtimer_init(t, clock, mode); (t)->function = (fn); } while (0)
#endif
#endif /* !__ASSEMBLY__ */

#endif /* MV_COMPAT_H */
