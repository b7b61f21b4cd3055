// SPDX-License-Identifier: GPL-2.0
/*
 * External interrupts and NMIs for the guest (core intr.c decides what,
 * this file says when the guest can take it and injects it), interrupt and
 * NMI windows, INIT and SIPI, and the TSC offset.
 *
 * Injection goes through the one pending event (vmx_vcpu.event) written to
 * the VM-entry interruption-information field (SDM Vol. 3C 26.6); if its
 * delivery is interrupted by an exit, the IDT-vectoring information brings
 * it back (vmx_save_vectoring), so an acknowledged interrupt is never lost.
 */
#include "vmx.h"
#include "../lapic.h"

/*
 * A maskable interrupt can be taken when RFLAGS.IF = 1 and there is no
 * STI or MOV SS shadow (SDM Vol. 3A 6.8.3, Vol. 3C 25.4.2 table 25-3),
 * and nothing else is being injected at this entry.
 */
bool vmx_irq_allowed(struct mv_vcpu *vcpu)
{
	struct vmx_vcpu *vx = to_vmx(vcpu);

	if (vx->event.valid || !(vmcs_readl(GUEST_RFLAGS) & X86_EFLAGS_IF))
		return false;
	return !(vmcs_read32(GUEST_INTERRUPTIBILITY_INFO) &
		 (GUEST_INTR_STATE_STI | GUEST_INTR_STATE_MOV_SS));
}

/*
 * NMIs are blocked after one is delivered until the next IRET (virtual-NMI
 * blocking, bit 3), and by MOV SS; STI blocking is treated as blocking too,
 * as some processors do (Vol. 3C 25.4.2, table 25-3, note on bit 0).
 */
bool vmx_nmi_allowed(struct mv_vcpu *vcpu)
{
	struct vmx_vcpu *vx = to_vmx(vcpu);

	if (vx->event.valid || !(vmx_cfg.pin & PIN_BASED_VIRTUAL_NMIS))
		return false;
	return !(vmcs_read32(GUEST_INTERRUPTIBILITY_INFO) &
		 (GUEST_INTR_STATE_STI | GUEST_INTR_STATE_MOV_SS | GUEST_INTR_STATE_NMI));
}

void vmx_inject_irq(struct mv_vcpu *vcpu, u8 vector)
{
	to_vmx(vcpu)->event = (struct vmx_event) {
		.valid = true, .vector = vector, .type = INTR_TYPE_EXT_INTR,
	};
}

void vmx_inject_nmi(struct mv_vcpu *vcpu)
{
	to_vmx(vcpu)->event = (struct vmx_event) {
		.valid = true, .vector = X86_TRAP_NMI, .type = INTR_TYPE_NMI_INTR,
	};
}

/*
 * Interrupt-window exiting exits at the first instruction boundary where
 * interrupts are unblocked; NMI-window exiting where virtual NMIs are
 * (SDM Vol. 3C 26.7.5, 26.7.6). The exit handlers clear the control again.
 */
void vmx_set_windows(struct mv_vcpu *vcpu, bool irq, bool nmi)
{
	u32 proc = vmcs_read32(CPU_BASED_VM_EXEC_CONTROL), want = proc;

	if (irq)
		want |= CPU_BASED_INTR_WINDOW_EXITING;
	if (nmi && (vmx_cfg.pin & PIN_BASED_VIRTUAL_NMIS))
		want |= CPU_BASED_NMI_WINDOW_EXITING;
	if (want != proc)
		vmcs_write32(CPU_BASED_VM_EXEC_CONTROL, want);
}

static void vmx_clear_proc(u32 bits)
{
	vmcs_write32(CPU_BASED_VM_EXEC_CONTROL, vmcs_read32(CPU_BASED_VM_EXEC_CONTROL) & ~bits);
}

void vmx_handle_irq_window(struct vmx_vcpu *vx)
{
	vmx_clear_proc(CPU_BASED_INTR_WINDOW_EXITING);
}

void vmx_handle_nmi_window(struct vmx_vcpu *vx)
{
	vmx_clear_proc(CPU_BASED_NMI_WINDOW_EXITING);
}

/*
 * INIT (SDM Vol. 3A 9.1.1, table 9-1): registers, segments, control
 * registers and EFER as after reset; x87/SSE state and most MSRs stay.
 */
void vmx_init_vcpu(struct mv_vcpu *vcpu)
{
	struct vmx_vcpu *vx = to_vmx(vcpu);

	vmx_set_reset_state(vx);
	vmx_clear_events(vx);
	vmx_clear_proc(CPU_BASED_INTR_WINDOW_EXITING | CPU_BASED_NMI_WINDOW_EXITING);
	vmcs_write32(GUEST_ACTIVITY_STATE, GUEST_ACTIVITY_ACTIVE);
}

/* Guest TSC = host TSC + offset (SDM Vol. 3C 26.6.5, "use TSC offsetting"). */
void vmx_set_tsc_offset(struct vmx_vcpu *vx, s64 offset)
{
	vx->vcpu.tsc_offset = offset;
	if (vmx_cfg.proc & CPU_BASED_USE_TSC_OFFSETTING)
		vmcs_write64(TSC_OFFSET, offset);
}
