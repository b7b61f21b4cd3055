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

/* TSA (2025) split "clear CPU buffers for VMs" from the kernel-exit VERW. */
#ifdef X86_FEATURE_CLEAR_CPU_BUF_VM
#define MV_VERW_FEATURE			X86_FEATURE_CLEAR_CPU_BUF_VM
#else
#define MV_VERW_FEATURE			X86_FEATURE_CLEAR_CPU_BUF
#endif

#ifdef __ASSEMBLY__
#if !MV_HAS_BHB_VMEXIT
.macro CLEAR_BRANCH_HISTORY_VMEXIT
.endm
#endif
#ifndef VM_CLEAR_CPU_BUFFERS
#define VM_CLEAR_CPU_BUFFERS CLEAR_CPU_BUFFERS
#endif
#endif /* __ASSEMBLY__ */

#endif /* MV_COMPAT_H */
