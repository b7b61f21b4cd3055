// SPDX-License-Identifier: GPL-2.0
/*
 * Events for the guest: exceptions minivisor raises (#GP for a bad MSR, #UD
 * for VMX instructions), exceptions it intercepts and reflects (#DB, #AC),
 * events that were being delivered when a VM exit happened, and the
 * userspace view of that state (MV_GET/SET_VCPU_EVENTS, MV_INJECT_EXCEPTION).
 *
 * At most one event waits in vmx_vcpu.event; it is written to the VM-entry
 * interruption-information field right before the entry (SDM Vol. 3C 26.6).
 * A new exception on top of a waiting one combines as the CPU would combine
 * them (SDM Vol. 3A 6.15, table 6-5): two contributory faults, or a page
 * fault and then a contributory fault or page fault, make #DF; a fault
 * during #DF delivery shuts the guest down.
 */
#include "vmx.h"
#include "../stats.h"
#include "../trace.h"
#include <asm/debugreg.h>
#include <asm/trapnr.h>

/* Exceptions that push an error code in protected mode (Vol. 3A 6.13). */
#define VMX_EXC_ERROR_CODE	(BIT(X86_TRAP_DF) | BIT(X86_TRAP_TS) | BIT(X86_TRAP_NP) | \
				 BIT(X86_TRAP_SS) | BIT(X86_TRAP_GP) | BIT(X86_TRAP_PF) | \
				 BIT(X86_TRAP_AC))
#define VMX_EXC_CONTRIBUTORY	(BIT(X86_TRAP_DE) | BIT(X86_TRAP_TS) | BIT(X86_TRAP_NP) | \
				 BIT(X86_TRAP_SS) | BIT(X86_TRAP_GP))
/* Vectors userspace may inject: not NMI (2), not the reserved ones. */
#define VMX_EXC_INJECTABLE	(GENMASK(21, 0) & ~(BIT(X86_TRAP_NMI) | BIT(15)))

/* DR6 bits a #DB exit qualification reports (SDM Vol. 3C 28.2.1, table 28-1). */
#define VMX_DB_QUAL_BITS	(DR_TRAP_BITS | VMX_DR6_BD | DR_STEP)
/* Pending debug exceptions field bits (SDM Vol. 3C 25.4.2, table 25-4). */
#define VMX_PENDING_DBG_VALID	(DR_TRAP_BITS | BIT(12) | DR_STEP)

static enum { EXC_BENIGN, EXC_CONTRIBUTORY, EXC_PF, EXC_DF } vmx_exc_class(u8 vector)
{
	if (vector == X86_TRAP_DF)
		return EXC_DF;
	if (vector == X86_TRAP_PF)
		return EXC_PF;
	if (BIT(vector) & VMX_EXC_CONTRIBUTORY)
		return EXC_CONTRIBUTORY;
	return EXC_BENIGN;
}

void vmx_queue_exception(struct vmx_vcpu *vx, u8 vector, bool has_error, u32 error)
{
	struct vmx_event *ev = &vx->event;

	mv_stats_count(&vx->vcpu, MV_STAT_EXCEPTIONS);
	if (ev->valid && ev->type == INTR_TYPE_HARD_EXCEPTION) {
		int first = vmx_exc_class(ev->vector), second = vmx_exc_class(vector);

		if (first == EXC_DF && second != EXC_BENIGN) {
			/* Triple fault: the CPU would shut down (Vol. 3A 6.15). */
			ev->valid = false;
			vx->vcpu.exit.reason = MV_NEXIT_SHUTDOWN;
			return;
		}
		if ((first == EXC_CONTRIBUTORY && second == EXC_CONTRIBUTORY) ||
		    (first == EXC_PF && second != EXC_BENIGN)) {
			vector = X86_TRAP_DF;
			has_error = true;
			error = 0;
		}
	}
	/*
	 * Otherwise the new exception is delivered: a benign first exception,
	 * or a software interrupt whose delivery faulted (its INT instruction
	 * runs again after the handler returns), is superseded.
	 */
	trace_minivisor_inject(&vx->vcpu, MV_TRACE_INJ_EXC, vector, has_error, error);
	*ev = (struct vmx_event) {
		.valid = true, .vector = vector, .type = INTR_TYPE_HARD_EXCEPTION,
		.has_error = has_error, .error = error,
	};
}

void vmx_queue_gp(struct mv_vcpu *vcpu)
{
	vmx_queue_exception(to_vmx(vcpu), X86_TRAP_GP, true, 0);
}

void vmx_queue_exception_op(struct mv_vcpu *vcpu, u8 vector, bool has_error, u32 error,
			    u64 payload)
{
	struct vmx_vcpu *vx = to_vmx(vcpu);

	if (vector == X86_TRAP_PF)
		vx->cr2 = payload;
	vmx_queue_exception(vx, vector, has_error, error);
}

void vmx_queue_ud(struct mv_vcpu *vcpu)
{
	vmx_queue_exception(to_vmx(vcpu), X86_TRAP_UD, false, 0);
}

/*
 * After every VM exit (not a failed entry): an event the CPU was delivering
 * when the exit happened was not delivered and must be injected again, or
 * it is lost (SDM Vol. 3C 28.2.4, 29.2.1.1 of the older numbering).
 * Whatever vmx_inject_event() wrote was consumed by the entry.
 */
void vmx_save_vectoring(struct vmx_vcpu *vx)
{
	u32 info = vmcs_read32(IDT_VECTORING_INFO_FIELD);
	struct vmx_event *ev = &vx->event;
	u16 type;

	ev->valid = false;
	if (likely(!(info & VECTORING_INFO_VALID_MASK)))
		return;
	type = info & VECTORING_INFO_TYPE_MASK;
	*ev = (struct vmx_event) {
		.valid = true, .vector = info & VECTORING_INFO_VECTOR_MASK, .type = type,
		.has_error = info & VECTORING_INFO_DELIVER_CODE_MASK,
	};
	if (ev->has_error)
		ev->error = vmcs_read32(IDT_VECTORING_ERROR_CODE);
	/* Software events need the instruction length again (26.6.1.3). */
	if (type == INTR_TYPE_SOFT_INTR || type == INTR_TYPE_SOFT_EXCEPTION ||
	    type == INTR_TYPE_PRIV_SW_EXCEPTION)
		ev->insn_len = vmcs_read32(VM_EXIT_INSTRUCTION_LEN);
}

/* Right before VM entry, with interrupts disabled. */
void vmx_inject_event(struct vmx_vcpu *vx)
{
	struct vmx_event *ev = &vx->event;
	u32 info;

	if (likely(!ev->valid))
		return;
	info = ev->vector | ev->type | INTR_INFO_VALID_MASK;
	/*
	 * Real mode pushes no error code, and entry requires "deliver error
	 * code" exactly for the error-code vectors in protected mode (26.2.1.3).
	 */
	if (ev->type == INTR_TYPE_HARD_EXCEPTION && (BIT(ev->vector) & VMX_EXC_ERROR_CODE) &&
	    (vmx_guest_cr0(vx) & X86_CR0_PE)) {
		info |= INTR_INFO_DELIVER_CODE_MASK;
		vmcs_write32(VM_ENTRY_EXCEPTION_ERROR_CODE, ev->has_error ? ev->error : 0);
	}
	if (ev->type != INTR_TYPE_HARD_EXCEPTION && ev->type != INTR_TYPE_NMI_INTR &&
	    ev->type != INTR_TYPE_EXT_INTR)
		vmcs_write32(VM_ENTRY_INSTRUCTION_LEN, ev->insn_len);
	vmcs_write32(VM_ENTRY_INTR_INFO_FIELD, info);
	ev->valid = false;
}

/* Exception or NMI exit (basic reason 0). */
void vmx_handle_exception(struct vmx_vcpu *vx)
{
	u32 info = vmcs_read32(VM_EXIT_INTR_INFO);
	u8 vector = info & INTR_INFO_VECTOR_MASK;
	u16 type = info & INTR_INFO_INTR_TYPE_MASK;
	unsigned long qual;

	/* NMIs and machine checks were already passed to the host. */
	if (type == INTR_TYPE_NMI_INTR || vector == X86_TRAP_MC)
		return;

	switch (vector) {
	case X86_TRAP_DB:
		/*
		 * The exit left DR6 untouched and put the bits in the
		 * qualification: they go to the guest's DR6, then the #DB.
		 * INT1 (ICEBP) is re-delivered as the software event it was.
		 */
		qual = vmcs_readl(EXIT_QUALIFICATION);
		if (vmx_debug_exit(vx, X86_TRAP_DB, qual & VMX_DB_QUAL_BITS))
			return;
		vx->dr6 |= qual & VMX_DB_QUAL_BITS;
		if (type == INTR_TYPE_PRIV_SW_EXCEPTION) {
			vx->event = (struct vmx_event) {
				.valid = true, .vector = X86_TRAP_DB, .type = type,
				.insn_len = vmcs_read32(VM_EXIT_INSTRUCTION_LEN),
			};
			return;
		}
		vmx_queue_exception(vx, X86_TRAP_DB, false, 0);
		return;
	case X86_TRAP_BP:
		if (vmx_debug_exit(vx, X86_TRAP_BP, 0))
			return;
		break;
	case X86_TRAP_AC:
		vmx_queue_exception(vx, X86_TRAP_AC, true,
				    vmcs_read32(VM_EXIT_INTR_ERROR_CODE));
		return;
	}
	vmx_exit_unhandled(vx, EXIT_REASON_EXCEPTION_NMI);
}

static const u8 vmx_event_to_uapi[8] = {
	[INTR_TYPE_HARD_EXCEPTION >> 8]	   = MV_EVENT_EXCEPTION,
	[INTR_TYPE_SOFT_INTR >> 8]	   = MV_EVENT_SOFT_INTR,
	[INTR_TYPE_SOFT_EXCEPTION >> 8]	   = MV_EVENT_SOFT_EXCEPTION,
	[INTR_TYPE_PRIV_SW_EXCEPTION >> 8] = MV_EVENT_PRIV_SOFT_EXCEPTION,
};

static const u16 vmx_event_from_uapi[] = {
	[MV_EVENT_EXCEPTION]		= INTR_TYPE_HARD_EXCEPTION,
	[MV_EVENT_SOFT_INTR]		= INTR_TYPE_SOFT_INTR,
	[MV_EVENT_SOFT_EXCEPTION]	= INTR_TYPE_SOFT_EXCEPTION,
	[MV_EVENT_PRIV_SOFT_EXCEPTION]	= INTR_TYPE_PRIV_SW_EXCEPTION,
};

int vmx_get_events(struct mv_vcpu *vcpu, struct mv_vcpu_events *e)
{
	struct vmx_vcpu *vx = to_vmx(vcpu);
	struct vmx_event *ev = &vx->event;
	u32 intr = vmcs_read32(GUEST_INTERRUPTIBILITY_INFO);

	memset(e, 0, sizeof(*e));
	if (ev->valid) {
		e->event_pending = 1;
		e->event_type = vmx_event_to_uapi[(ev->type >> 8) & 7];
		e->event_vector = ev->vector;
		e->event_has_error = ev->has_error;
		e->event_error = ev->error;
		e->event_insn_len = ev->insn_len;
	}
	e->interrupt_shadow = (intr & GUEST_INTR_STATE_STI ? MV_SHADOW_STI : 0) |
			      (intr & GUEST_INTR_STATE_MOV_SS ? MV_SHADOW_MOV_SS : 0);
	e->nmi_blocked = !!(intr & GUEST_INTR_STATE_NMI);
	e->pending_debug = vmcs_readl(GUEST_PENDING_DBG_EXCEPTIONS) & VMX_PENDING_DBG_VALID;
	return 0;
}

/*
 * Entry checks on the interruptibility state (SDM Vol. 3C 27.3.1.5): STI
 * blocking needs RFLAGS.IF = 1, STI and MOV SS blocking exclude each other,
 * and while either is set, a pending single-step trap (BS) must match
 * RFLAGS.TF. Returns the name of the violated rule, or NULL.
 */
static const char *vmx_check_intr_state(u32 intr, unsigned long rflags, u64 dbg)
{
	bool shadow = intr & (GUEST_INTR_STATE_STI | GUEST_INTR_STATE_MOV_SS);

	if ((intr & GUEST_INTR_STATE_STI) && (intr & GUEST_INTR_STATE_MOV_SS))
		return "STI and MOV SS shadows together";
	if ((intr & GUEST_INTR_STATE_STI) && !(rflags & X86_EFLAGS_IF))
		return "STI shadow with RFLAGS.IF clear";
	if (shadow && !!(dbg & DR_STEP) != !!(rflags & X86_EFLAGS_TF))
		return "interrupt shadow with pending BS not equal to RFLAGS.TF";
	return NULL;
}

int vmx_set_events(struct mv_vcpu *vcpu, const struct mv_vcpu_events *e)
{
	struct vmx_vcpu *vx = to_vmx(vcpu);
	u32 intr = vmcs_read32(GUEST_INTERRUPTIBILITY_INFO);
	const char *bad;

	intr &= ~(GUEST_INTR_STATE_STI | GUEST_INTR_STATE_MOV_SS | GUEST_INTR_STATE_NMI);
	if (e->interrupt_shadow & ~(MV_SHADOW_STI | MV_SHADOW_MOV_SS) ||
	    e->nmi_blocked > 1 || e->pending_debug & ~(u64)VMX_PENDING_DBG_VALID) {
		mv_err("MV_SET_VCPU_EVENTS: unknown bits in interrupt_shadow, nmi_blocked or pending_debug\n");
		return -EINVAL;
	}
	if (e->event_pending) {
		/* Error codes are 16 bits wide at entry (SDM Vol. 3C 27.2.1.3). */
		if (e->event_pending > 1 || !e->event_type || e->event_error > 0xffff ||
		    e->event_type >= ARRAY_SIZE(vmx_event_from_uapi) ||
		    (e->event_type != MV_EVENT_SOFT_INTR && e->event_vector > 31) ||
		    (e->event_type == MV_EVENT_EXCEPTION &&
		     !(BIT(e->event_vector) & VMX_EXC_INJECTABLE)) ||
		    (e->event_has_error && (e->event_type != MV_EVENT_EXCEPTION ||
					    !(BIT(e->event_vector) & VMX_EXC_ERROR_CODE))) ||
		    (e->event_type != MV_EVENT_EXCEPTION &&
		     (!e->event_insn_len || e->event_insn_len > 15))) {
			mv_err("MV_SET_VCPU_EVENTS: invalid event (type %u vector %u error %u insn_len %u)\n",
			       e->event_type, e->event_vector, e->event_has_error,
			       e->event_insn_len);
			return -EINVAL;
		}
	}
	if (e->interrupt_shadow & MV_SHADOW_STI)
		intr |= GUEST_INTR_STATE_STI;
	if (e->interrupt_shadow & MV_SHADOW_MOV_SS)
		intr |= GUEST_INTR_STATE_MOV_SS;
	if (e->nmi_blocked)
		intr |= GUEST_INTR_STATE_NMI;
	bad = vmx_check_intr_state(intr, vmcs_readl(GUEST_RFLAGS), e->pending_debug);
	if (bad) {
		mv_err("MV_SET_VCPU_EVENTS: %s (SDM Vol. 3C 27.3.1.5)\n", bad);
		return -EINVAL;
	}

	vmcs_write32(GUEST_INTERRUPTIBILITY_INFO, intr);
	vmcs_writel(GUEST_PENDING_DBG_EXCEPTIONS, e->pending_debug);
	vx->event.valid = false;
	if (e->event_pending)
		vx->event = (struct vmx_event) {
			.valid = true, .vector = e->event_vector,
			.type = vmx_event_from_uapi[e->event_type],
			.has_error = e->event_has_error, .error = e->event_error,
			.insn_len = e->event_type == MV_EVENT_EXCEPTION ? 0 : e->event_insn_len,
		};
	return 0;
}

int vmx_inject_exception(struct mv_vcpu *vcpu, const struct mv_exception *ex)
{
	struct vmx_vcpu *vx = to_vmx(vcpu);

	if (ex->padding[0] || ex->padding[1] || ex->vector > 31 || ex->error > 0xffff ||
	    !(BIT(ex->vector) & VMX_EXC_INJECTABLE) ||
	    (ex->has_error && !(BIT(ex->vector) & VMX_EXC_ERROR_CODE)) || ex->has_error > 1 ||
	    (ex->payload && ex->vector != X86_TRAP_PF && ex->vector != X86_TRAP_DB) ||
	    (ex->vector == X86_TRAP_DB && (ex->payload & ~(u64)VMX_DB_QUAL_BITS))) {
		mv_err("MV_INJECT_EXCEPTION: invalid vector %u, error code or payload\n",
		       ex->vector);
		return -EINVAL;
	}
	if (vx->event.valid)
		return -EBUSY;
	if (ex->vector == X86_TRAP_PF)
		vx->cr2 = ex->payload;
	else if (ex->vector == X86_TRAP_DB)
		vx->dr6 |= ex->payload;
	vmx_queue_exception(vx, ex->vector, ex->has_error, ex->error);
	return 0;
}

void vmx_clear_events(struct vmx_vcpu *vx)
{
	vx->event.valid = false;
	vmcs_write32(GUEST_INTERRUPTIBILITY_INFO, 0);
	vmcs_writel(GUEST_PENDING_DBG_EXCEPTIONS, 0);
}

/*
 * MV_SET_REGS: the caller now owns the registers. A jump elsewhere ends the
 * old instruction's interrupt shadow and cancels the event that was due at
 * the old RIP; a single-step trap stays pending only if TF still asks for
 * it; and STI blocking cannot outlive RFLAGS.IF (a failed entry otherwise,
 * on state userspace did not set).
 */
void vmx_fix_dbg_state(struct vmx_vcpu *vx)
{
	u32 intr = vmcs_read32(GUEST_INTERRUPTIBILITY_INFO);
	unsigned long rflags = vmcs_readl(GUEST_RFLAGS);
	u64 dbg = vmcs_readl(GUEST_PENDING_DBG_EXCEPTIONS);

	if (!(rflags & X86_EFLAGS_IF))
		intr &= ~GUEST_INTR_STATE_STI;
	if (!(rflags & X86_EFLAGS_TF))
		dbg &= ~DR_STEP;
	else if (intr & (GUEST_INTR_STATE_STI | GUEST_INTR_STATE_MOV_SS))
		dbg |= DR_STEP;
	vmcs_write32(GUEST_INTERRUPTIBILITY_INFO, intr);
	vmcs_writel(GUEST_PENDING_DBG_EXCEPTIONS, dbg);
}
