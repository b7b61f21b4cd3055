// SPDX-License-Identifier: GPL-2.0
/*
 * Guest entry and the exit-handler table.
 *
 * Handlers either finish the exit in the kernel (exit.reason stays
 * MV_NEXIT_NONE and core enters again) or describe it with a neutral exit.
 * Exit reasons without a handler become MV_NEXIT_UNHANDLED: they are reported
 * to userspace, never warned about, because a guest can cause any of them.
 */
#include <linux/nospec.h>
#include <linux/percpu.h>
#include <linux/rcupdate.h>
#include <linux/sched.h>
#include <asm/fpu/api.h>
#include <asm/debugreg.h>
#include <asm/mmu_context.h>
#include <asm/special_insns.h>
#include <asm/tlbflush.h>
#include <asm/trapnr.h>
#include "vmx.h"
#include "vmx_mitigate.h"
#include "../../common/x86_decode.h"

static void vmx_exit_unhandled(struct vmx_vcpu *vx, u32 reason)
{
	struct mv_exit *e = &vx->vcpu.exit;

	e->reason = MV_NEXIT_UNHANDLED;
	e->unhandled.raw_reason = reason;
	e->unhandled.qual = vmcs_readl(EXIT_QUALIFICATION);
	e->unhandled.rip = vmcs_readl(GUEST_RIP);
	e->unhandled.insn_len = vmcs_read32(VM_EXIT_INSTRUCTION_LEN);
}

static void vmx_skip(struct vmx_vcpu *vx)
{
	vmx_skip_insn(&vx->vcpu, vmcs_read32(VM_EXIT_INSTRUCTION_LEN));
}

/*
 * Interrupt delivery happens when the run path re-enables interrupts; the
 * end of a time slice only needs core's signal and resched checks.
 */
static void handle_nothing(struct vmx_vcpu *vx)
{
}

static void handle_exception_nmi(struct vmx_vcpu *vx)
{
	u32 info = vmcs_read32(VM_EXIT_INTR_INFO);

	/* NMIs and machine checks were already passed to the host. */
	if ((info & INTR_INFO_INTR_TYPE_MASK) == INTR_TYPE_NMI_INTR ||
	    (info & INTR_INFO_VECTOR_MASK) == X86_TRAP_MC)
		return;
	vmx_exit_unhandled(vx, EXIT_REASON_EXCEPTION_NMI);
}

static void handle_triple_fault(struct vmx_vcpu *vx)
{
	vx->vcpu.exit.reason = MV_NEXIT_SHUTDOWN;
}

static void handle_cpuid(struct vmx_vcpu *vx)
{
	u32 r[4];

	mv_cpuid(&vx->vcpu, vx->regs[X86_RAX], vx->regs[X86_RCX],
		 vmx_guest_cr4(vx) & X86_CR4_OSXSAVE, r);
	/* CPUID writes EAX..EDX zero-extended to 64 bits. */
	vx->regs[X86_RAX] = r[0];
	vx->regs[X86_RBX] = r[1];
	vx->regs[X86_RCX] = r[2];
	vx->regs[X86_RDX] = r[3];
	vmx_skip(vx);
}

static void handle_hlt(struct vmx_vcpu *vx)
{
	vmx_skip(vx);
	vx->vcpu.exit.reason = MV_NEXIT_HLT;
}

/* Exit qualification for I/O: SDM Vol. 3C 28.2.1, table 28-5. */
static void handle_io(struct vmx_vcpu *vx)
{
	unsigned long qual = vmcs_readl(EXIT_QUALIFICATION);
	struct mv_exit *e = &vx->vcpu.exit;
	unsigned int size = (qual & 7) + 1;

	if (qual & 0x10) {		/* INS/OUTS: not yet emulated */
		vmx_exit_unhandled(vx, EXIT_REASON_IO_INSTRUCTION);
		return;
	}
	e->reason = MV_NEXIT_IO;
	e->io.port = qual >> 16;
	e->io.size = size;
	e->io.in = qual & 8;
	e->io.value = x86_read_reg(vx->regs[X86_RAX], size, false);
	vmx_skip(vx);
}

/* EPT-violation qualification: SDM Vol. 3C 28.2.1, table 28-7. */
#define EPT_QUAL_WRITE		(1UL << 1)
#define EPT_QUAL_GLA_VALID	(1UL << 7)
#define EPT_QUAL_GLA_DATA	(1UL << 8)	/* not a paging-structure access */

static void handle_ept_violation(struct vmx_vcpu *vx)
{
	unsigned long qual = vmcs_readl(EXIT_QUALIFICATION);
	struct mv_exit *e = &vx->vcpu.exit;

	/*
	 * Only a data access by the instruction at RIP can be emulated as
	 * MMIO: a fault on the guest's own page tables (bit 7 or 8 clear) or
	 * during event delivery (the event would be lost) is reported as is.
	 */
	if ((qual & (EPT_QUAL_GLA_VALID | EPT_QUAL_GLA_DATA)) !=
	    (EPT_QUAL_GLA_VALID | EPT_QUAL_GLA_DATA) ||
	    (vmcs_read32(IDT_VECTORING_INFO_FIELD) & VECTORING_INFO_VALID_MASK)) {
		vmx_exit_unhandled(vx, EXIT_REASON_EPT_VIOLATION);
		return;
	}
	e->reason = MV_NEXIT_MEMFAULT;
	e->mem.gpa = vmcs_read64(GUEST_PHYSICAL_ADDRESS);
	e->mem.write = qual & EPT_QUAL_WRITE;
}

static void (* const vmx_exit_handlers[])(struct vmx_vcpu *vx) = {
	[EXIT_REASON_EXCEPTION_NMI]	 = handle_exception_nmi,
	[EXIT_REASON_EXTERNAL_INTERRUPT] = handle_nothing,
	[EXIT_REASON_TRIPLE_FAULT]	 = handle_triple_fault,
	[EXIT_REASON_CPUID]		 = handle_cpuid,
	[EXIT_REASON_HLT]		 = handle_hlt,
	[EXIT_REASON_IO_INSTRUCTION]	 = handle_io,
	[EXIT_REASON_EPT_VIOLATION]	 = handle_ept_violation,
	[EXIT_REASON_PREEMPTION_TIMER]	 = handle_nothing,
	[EXIT_REASON_XSETBV]		 = vmx_handle_xsetbv,
};

static void vmx_handle_exit(struct vmx_vcpu *vx, u32 reason)
{
	void (*h)(struct vmx_vcpu *vx) = NULL;
	u32 basic = reason & 0xffff;

	if (unlikely(reason & VMX_EXIT_REASONS_FAILED_VMENTRY)) {
		vx->vcpu.exit.reason = MV_NEXIT_FAIL_ENTRY;
		vx->vcpu.exit.fail.reason = basic;
		vx->vcpu.exit.fail.qual = vmcs_readl(EXIT_QUALIFICATION);
		return;
	}
	if (basic < ARRAY_SIZE(vmx_exit_handlers))
		h = vmx_exit_handlers[array_index_nospec(basic,
							 ARRAY_SIZE(vmx_exit_handlers))];
	if (h)
		h(vx);
	else
		vmx_exit_unhandled(vx, basic);
}

/* Host CR3 and CR4 can change between entries (context switch, PCID, TSD). */
static void vmx_refresh_host_crs(struct vmx_vcpu *vx)
{
	unsigned long cr3 = __get_current_cr3_fast(), cr4 = __read_cr4();

	if (unlikely(cr3 != vx->host.cr3)) {
		vmcs_writel(HOST_CR3, cr3);
		vx->host.cr3 = cr3;
	}
	if (unlikely(cr4 != vx->host.cr4)) {
		vmcs_writel(HOST_CR4, cr4);
		vx->host.cr4 = cr4;
	}
}

void vmx_vcpu_run(struct mv_vcpu *vcpu)
{
	struct vmx_vcpu *vx = to_vmx(vcpu);
	u32 reason = 0, info;
	bool xcr0_switched;
	int fail;

	vcpu->exit.reason = MV_NEXIT_NONE;

	local_irq_disable();

	/*
	 * The guest is outside any RCU read-side section, like user mode; say
	 * so, or a CPU that stays in the guest (ticks arrive with preemption
	 * disabled here) would hold up grace periods until RCU forces a
	 * reschedule.
	 */
	rcu_note_context_switch(false);
	vmx_refresh_host_crs(vx);
	if (native_read_cr2() != vx->cr2)
		native_write_cr2(vx->cr2);

	/*
	 * Guest FPU registers (loaded per MV_RUN, vmx_fpu.c) and XCR0. Last
	 * before the entry: nothing may leave between here and the exit.
	 */
	xcr0_switched = vmx_fpu_enter(vx);
	vmx_mitigate_entry(vx);
	fail = vmx_vmenter(vx->regs, &vx->host_rsp, vx->launched);
	vmx_mitigate_after_exit();
	if (xcr0_switched)
		vmx_fpu_exit(vx);

	vx->cr2 = native_read_cr2();
	/* VM exit clears DR7 and IA32_DEBUGCTL (SDM Vol. 3C 28.5.1). */
	if (hw_breakpoint_active())
		hw_breakpoint_restore();
	if (vx->host.debugctl)
		update_debugctlmsr(vx->host.debugctl);

	if (likely(!fail)) {
		reason = vmcs_read32(VM_EXIT_REASON);
		/* A failed VM entry leaves the launch state unchanged (27.8). */
		if (!(reason & VMX_EXIT_REASONS_FAILED_VMENTRY))
			vx->launched = true;
		if ((reason & 0xffff) == EXIT_REASON_EXCEPTION_NMI) {
			info = vmcs_read32(VM_EXIT_INTR_INFO);
			/* An NMI or #MC that exited is the host's: deliver it now. */
			if ((info & INTR_INFO_INTR_TYPE_MASK) == INTR_TYPE_NMI_INTR)
				asm volatile("int $2");
			else if ((info & INTR_INFO_VECTOR_MASK) == X86_TRAP_MC)
				asm volatile("int $18");
		}
	}

	local_irq_enable();

	if (unlikely(fail)) {
		vcpu->exit.reason = MV_NEXIT_HW_ERROR;
		vcpu->exit.hw.op = vx->launched ? 2 : 1;	/* VMRESUME : VMLAUNCH */
		vcpu->exit.hw.error = vmcs_read32(VM_INSTRUCTION_ERROR);
		WARN_ONCE(1, "minivisor: %s failed, VM-instruction error %llu\n",
			  vx->launched ? "VMRESUME" : "VMLAUNCH", vcpu->exit.hw.error);
		vmx_dump_vmcs();
		return;
	}
	vmx_handle_exit(vx, reason);
}
