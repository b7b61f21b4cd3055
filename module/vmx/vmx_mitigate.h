/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Per-entry and per-exit speculation mitigations, inline for the run path.
 * What is on is decided once at module load (vmx_mitigate.c).
 */
#ifndef MV_VMX_MITIGATE_H
#define MV_VMX_MITIGATE_H

#include <linux/jump_label.h>
#include <linux/percpu.h>
#include <linux/bits.h>
#include <asm/hardirq.h>
#include <asm/nospec-branch.h>
#include <asm/vmx.h>
#include "../compat.h"

DECLARE_STATIC_KEY_FALSE(vmx_l1d_flush_key);
extern bool vmx_l1d_always;
void vmx_l1d_flush(void);

/*
 * Exits handled in the kernel whose handlers touch only the vCPU's own
 * state (or reflect an exception into the guest): no L1D flush after them
 * in conditional mode. Every other exit, an interrupt on this CPU (the
 * per-CPU flag interrupt entry sets for kvm_intel), a vCPU load and the
 * start of an MV_RUN flush before the next entry, as kvm_intel's
 * conditional mode does.
 */
#define VMX_L1D_SAFE_EXITS						\
	(BIT_ULL(EXIT_REASON_EXTERNAL_INTERRUPT) | BIT_ULL(EXIT_REASON_CPUID) |	\
	 BIT_ULL(11) /* GETSEC */ | BIT_ULL(EXIT_REASON_INVD) |		\
	 BIT_ULL(EXIT_REASON_RDPMC) | BIT_ULL(EXIT_REASON_VMCALL) |		\
	 BIT_ULL(EXIT_REASON_VMCLEAR) | BIT_ULL(EXIT_REASON_VMLAUNCH) |	\
	 BIT_ULL(EXIT_REASON_VMPTRLD) | BIT_ULL(EXIT_REASON_VMPTRST) |	\
	 BIT_ULL(EXIT_REASON_VMREAD) | BIT_ULL(EXIT_REASON_VMRESUME) |	\
	 BIT_ULL(EXIT_REASON_VMWRITE) | BIT_ULL(EXIT_REASON_VMOFF) |		\
	 BIT_ULL(EXIT_REASON_VMON) | BIT_ULL(EXIT_REASON_CR_ACCESS) |		\
	 BIT_ULL(EXIT_REASON_DR_ACCESS) | BIT_ULL(EXIT_REASON_MSR_READ) |	\
	 BIT_ULL(EXIT_REASON_MSR_WRITE) | BIT_ULL(EXIT_REASON_MWAIT_INSTRUCTION) | \
	 BIT_ULL(EXIT_REASON_MONITOR_TRAP_FLAG) |				\
	 BIT_ULL(EXIT_REASON_MONITOR_INSTRUCTION) | BIT_ULL(EXIT_REASON_INVEPT) | \
	 BIT_ULL(EXIT_REASON_PREEMPTION_TIMER) | BIT_ULL(EXIT_REASON_INVVPID) | \
	 BIT_ULL(EXIT_REASON_WBINVD) | BIT_ULL(EXIT_REASON_XSETBV))

/* After the exit reason is read: does this exit call for a flush? */
static __always_inline void vmx_l1d_note_exit(bool *flush, u32 reason)
{
	u32 basic = reason & 0xffff;

	if (static_branch_unlikely(&vmx_l1d_flush_key) &&
	    (basic >= 64 || !(VMX_L1D_SAFE_EXITS & BIT_ULL(basic))))
		*flush = true;
}

/* Interrupts off, right before VMLAUNCH/VMRESUME. */
static __always_inline void vmx_mitigate_entry(bool *flush)
{
	if (static_branch_unlikely(&vmx_l1d_flush_key)) {
		bool f = *flush | mv_irq_l1tf_flag_test_clear() | vmx_l1d_always;

		*flush = false;
		if (f)
			vmx_l1d_flush();
	}
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
