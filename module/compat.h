/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Differences between the kernels minivisor builds against (Debian bookworm
 * 6.1.0-57 and 6.12.117 today), in one place. Both carry the same backported
 * speculation and FPU interfaces; the guards below keep the module building,
 * with the mitigation reported off, on a kernel that predates one of them.
 * Usable from C and from assembly.
 */
#ifndef MV_COMPAT_H
#define MV_COMPAT_H

#include <asm/cpufeatures.h>

/* VMSCAPE (2025): IBPB before the next return to userspace after a VM exit. */
#ifdef X86_FEATURE_IBPB_EXIT_TO_USER
#define MV_HAS_IBPB_EXIT_TO_USER	1
#else
#define MV_HAS_IBPB_EXIT_TO_USER	0
#endif

/* BHI (2024): branch-history clearing after VM exit. */
#ifdef X86_FEATURE_CLEAR_BHB_LOOP_ON_VMEXIT
#define MV_HAS_BHB_VMEXIT		1
#else
#define MV_HAS_BHB_VMEXIT		0
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
#if !MV_HAS_BHB_VMEXIT
.macro CLEAR_BRANCH_HISTORY_VMEXIT
.endm
#endif
#endif /* __ASSEMBLY__ */

#ifndef __ASSEMBLY__
#include <linux/version.h>
#include <linux/hrtimer.h>
/* hrtimer_setup() (6.13) replaced hrtimer_init() plus assigning ->function. */
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 13, 0)
#define mv_hrtimer_setup(t, fn, clock, mode)	hrtimer_setup(t, fn, clock, mode)
#else
#define mv_hrtimer_setup(t, fn, clock, mode)	\
	do { hrtimer_init(t, clock, mode); (t)->function = (fn); } while (0)
#endif
#endif /* !__ASSEMBLY__ */

#endif /* MV_COMPAT_H */
