/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Per-entry and per-exit speculation mitigations, inline for the run path.
 * What is on is decided once at module load (vmx_mitigate.c).
 */
#ifndef MV_VMX_MITIGATE_H
#define MV_VMX_MITIGATE_H

#include <linux/jump_label.h>
#include <linux/percpu.h>
#include <asm/nospec-branch.h>
#include "../compat.h"

struct vmx_vcpu;

DECLARE_STATIC_KEY_FALSE(vmx_l1d_flush_key);
void vmx_l1d_flush_cond(struct vmx_vcpu *vx);

/* Interrupts off, right before VMLAUNCH/VMRESUME. */
static __always_inline void vmx_mitigate_entry(struct vmx_vcpu *vx)
{
	if (static_branch_unlikely(&vmx_l1d_flush_key))
		vmx_l1d_flush_cond(vx);
}

/* Interrupts still off, right after the VM exit, on the CPU that ran it. */
static __always_inline void vmx_mitigate_after_exit(void)
{
#if MV_HAS_IBPB_EXIT_TO_USER
	if (cpu_feature_enabled(X86_FEATURE_IBPB_EXIT_TO_USER))
		this_cpu_write(x86_ibpb_exit_to_user, true);
#endif
}

#endif /* MV_VMX_MITIGATE_H */
