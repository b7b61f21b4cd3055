// SPDX-License-Identifier: GPL-2.0
/*
 * Guest entry and the exit-handler table.
 *
 * Handlers either finish the exit in the kernel (exit.reason stays
 * MV_NEXIT_NONE and core enters again) or describe it with a neutral exit.
 * Exit reasons without a handler become MV_NEXIT_UNHANDLED: they are reported
 * to userspace, never warned about, because a guest can cause any of them.
 */
#include <linux/context_tracking.h>
#include <linux/nospec.h>
#include <linux/percpu.h>
#include <linux/rcupdate.h>
#include <linux/sched.h>
#include <linux/vtime.h>
#include <asm/fpu/api.h>
#include <asm/debugreg.h>
#include <asm/mce.h>
#include <asm/mmu_context.h>
#include <asm/special_insns.h>
#include <asm/tlbflush.h>
#include <asm/trapnr.h>
#include "vmx.h"
#include "vmx_mitigate.h"
#include "../stats.h"
#include "../trace.h"
#include "../../common/x86_decode.h"

void vmx_exit_unhandled(struct vmx_vcpu *vx, u32 reason)
{
	struct mv_exit *e = &vx->vcpu.exit;

	e->reason = MV_NEXIT_UNHANDLED;
	e->unhandled.raw_reason = reason;
	e->unhandled.qual = vmcs_readl(EXIT_QUALIFICATION);
	e->unhandled.rip = vmcs_readl(GUEST_RIP);
	e->unhandled.insn_len = vmcs_read32(VM_EXIT_INSTRUCTION_LEN);
}

void vmx_skip(struct vmx_vcpu *vx)
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

static void handle_triple_fault(struct vmx_vcpu *vx)
{
	vx->event.valid = false;
	vx->vcpu.exit.reason = MV_NEXIT_SHUTDOWN;
}

static void handle_cpuid(struct vmx_vcpu *vx)
{
	u32 leaf = vx->regs[X86_RAX];
	u32 r[4];

	/* Only leaf 1 reports CR4.OSXSAVE: no VMREADs for the others. */
	mv_cpuid(&vx->vcpu, leaf, vx->regs[X86_RCX],
		 leaf == 1 && (vmx_guest_cr4(vx) & X86_CR4_OSXSAVE), r);
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

/*
 * Exit qualification for I/O: SDM Vol. 3C 28.2.1, table 28-5. INS/OUTS also
 * get the VM-exit instruction-information field (28.2.5, table 28-8: the
 * address size in bits 9:7) and the guest-linear address of the element.
 */
static void handle_io(struct vmx_vcpu *vx)
{
	unsigned long qual = vmcs_readl(EXIT_QUALIFICATION);
	struct mv_exit *e = &vx->vcpu.exit;
	unsigned int size = (qual & 7) + 1;

	e->reason = MV_NEXIT_IO;
	e->io.port = qual >> 16;
	e->io.size = size;
	e->io.in = qual & 8;
	e->io.string = qual & 0x10;
	if (e->io.string) {
		e->io.rep = qual & 0x20;
		e->io.df = vmcs_readl(GUEST_RFLAGS) & X86_EFLAGS_DF;
		e->io.addr_size = 2 << ((vmcs_read32(VMX_INSTRUCTION_INFO) >> 7) & 3);
		e->io.la = vmcs_readl(GUEST_LINEAR_ADDRESS);
		e->io.insn_len = vmcs_read32(VM_EXIT_INSTRUCTION_LEN);
		e->io.rip = vmcs_readl(GUEST_RIP);
		e->io.cpl = vmx_cpl();
		return;		/* core moves the data and advances RIP */
	}
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
	u64 gpa = vmcs_read64(GUEST_PHYSICAL_ADDRESS);
	struct mv_exit *e = &vx->vcpu.exit;
	int r;

	/*
	 * Guest RAM is mapped on first use (core mmu.c), whatever the access:
	 * a guest page walk or event delivery too (the event saved from the
	 * IDT-vectoring information is injected again at the next entry).
	 */
	r = mv_mmu_fault(&vx->vcpu, gpa, qual & EPT_QUAL_WRITE);
	if (r == -ENOENT && unlikely(vx->apicv_on) && vmx_apicv_ept_fault(vx, gpa))
		return;		/* the APIC-access page is mapped now */
	if (r != -ENOENT) {
		if (r && r != -EAGAIN) {
			e->reason = MV_NEXIT_RAM_FAULT;
			e->mem.gpa = gpa;
			e->mem.write = qual & EPT_QUAL_WRITE;
			e->mem.error = r;
		}
		return;		/* MV_NEXIT_NONE: enter again */
	}

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
	e->mem.gpa = gpa;
	e->mem.write = qual & EPT_QUAL_WRITE;
}

/*
 * Every basic exit reason the controls in vmx_caps.c can produce has an
 * entry (Documentation/exits.md lists all of them). Reasons without one are
 * reported to userspace as MV_INTERNAL_UNHANDLED_EXIT with the raw reason.
 */
/* GETSEC (SDM Vol. 3C appendix C); not in every kernel's <asm/vmx.h>. */
#define VMX_EXIT_GETSEC		11

static void (* const vmx_exit_handlers[])(struct vmx_vcpu *vx) = {
	[EXIT_REASON_EXCEPTION_NMI]	 = vmx_handle_exception,
	[EXIT_REASON_EXTERNAL_INTERRUPT] = handle_nothing,
	[EXIT_REASON_TRIPLE_FAULT]	 = handle_triple_fault,
	[EXIT_REASON_INTERRUPT_WINDOW]	 = vmx_handle_irq_window,
	[EXIT_REASON_NMI_WINDOW]	 = vmx_handle_nmi_window,
	[EXIT_REASON_CPUID]		 = handle_cpuid,
	[VMX_EXIT_GETSEC]		 = vmx_handle_ud,
	[EXIT_REASON_HLT]		 = handle_hlt,
	[EXIT_REASON_INVD]		 = vmx_handle_skip,
	[EXIT_REASON_RDPMC]		 = vmx_handle_gp,
	[EXIT_REASON_VMCALL]		 = vmx_handle_vmcall,
	[EXIT_REASON_VMCLEAR]		 = vmx_handle_ud,
	[EXIT_REASON_VMLAUNCH]		 = vmx_handle_ud,
	[EXIT_REASON_VMPTRLD]		 = vmx_handle_ud,
	[EXIT_REASON_VMPTRST]		 = vmx_handle_ud,
	[EXIT_REASON_VMREAD]		 = vmx_handle_ud,
	[EXIT_REASON_VMRESUME]		 = vmx_handle_ud,
	[EXIT_REASON_VMWRITE]		 = vmx_handle_ud,
	[EXIT_REASON_VMOFF]		 = vmx_handle_ud,
	[EXIT_REASON_VMON]		 = vmx_handle_ud,
	[EXIT_REASON_CR_ACCESS]		 = vmx_handle_cr,
	[EXIT_REASON_DR_ACCESS]		 = vmx_handle_dr,
	[EXIT_REASON_IO_INSTRUCTION]	 = handle_io,
	[EXIT_REASON_MSR_READ]		 = vmx_handle_rdmsr,
	[EXIT_REASON_MSR_WRITE]		 = vmx_handle_wrmsr,
	[EXIT_REASON_MWAIT_INSTRUCTION]	 = vmx_handle_ud,
	[EXIT_REASON_MONITOR_TRAP_FLAG]	 = vmx_debug_mtf,
	[EXIT_REASON_MONITOR_INSTRUCTION] = vmx_handle_ud,
	[EXIT_REASON_GDTR_IDTR]		 = vmx_handle_desc,
	[EXIT_REASON_LDTR_TR]		 = vmx_handle_desc,
	[EXIT_REASON_APIC_ACCESS]	 = vmx_handle_apic_access,
	[EXIT_REASON_EOI_INDUCED]	 = vmx_handle_eoi_induced,
	[EXIT_REASON_EPT_VIOLATION]	 = handle_ept_violation,
	[EXIT_REASON_INVEPT]		 = vmx_handle_ud,
	[EXIT_REASON_PREEMPTION_TIMER]	 = handle_nothing,
	[EXIT_REASON_INVVPID]		 = vmx_handle_ud,
	[EXIT_REASON_WBINVD]		 = vmx_handle_skip,
	[EXIT_REASON_XSETBV]		 = vmx_handle_xsetbv,
	[EXIT_REASON_APIC_WRITE]	 = vmx_handle_apic_write,
};

/*
 * A machine check that exited (an #MC in the guest, or one during VM entry)
 * belongs to the host: run its handler as for an #MC in user mode, so an
 * error in guest memory is the VMM process's, not a kernel panic. Kernels
 * without CONFIG_X86_MCE have no handler (and no IDT gate) at all.
 */
static void vmx_machine_check(void)
{
#if IS_ENABLED(CONFIG_X86_MCE)
	struct pt_regs regs = { .cs = 3, .flags = X86_EFLAGS_IF };

	do_machine_check(&regs);
#endif
}

/* Exit reasons whose exit qualification means something (SDM Vol. 3C 28.2.1). */
static const u64 vmx_qual_reasons =
	BIT_ULL(EXIT_REASON_EXCEPTION_NMI) | BIT_ULL(EXIT_REASON_INIT_SIGNAL) |
	BIT_ULL(EXIT_REASON_SIPI_SIGNAL) | BIT_ULL(EXIT_REASON_INVLPG) |
	BIT_ULL(EXIT_REASON_CR_ACCESS) | BIT_ULL(EXIT_REASON_DR_ACCESS) |
	BIT_ULL(EXIT_REASON_IO_INSTRUCTION) | BIT_ULL(EXIT_REASON_INVALID_STATE) |
	BIT_ULL(EXIT_REASON_MSR_LOAD_FAIL) | BIT_ULL(EXIT_REASON_APIC_ACCESS) |
	BIT_ULL(EXIT_REASON_EOI_INDUCED) | BIT_ULL(EXIT_REASON_GDTR_IDTR) |
	BIT_ULL(EXIT_REASON_LDTR_TR) | BIT_ULL(EXIT_REASON_EPT_VIOLATION) |
	BIT_ULL(EXIT_REASON_APIC_WRITE);

/*
 * What the flight recorder keeps of this exit, read before the handler
 * advances RIP: the qualification only where the SDM defines one, the
 * guest-physical address only for EPT exits (28.2.1, 27.2.1).
 */
static __always_inline void vmx_flight_note(struct vmx_vcpu *vx, u32 basic)
{
	struct mv_flight_rec *r = vx->vcpu.stats->cur;

	r->rip = vmcs_readl(GUEST_RIP);
	r->qual = basic < 64 && (vmx_qual_reasons & BIT_ULL(basic)) ?
		  vmcs_readl(EXIT_QUALIFICATION) : 0;
	if (basic == EXIT_REASON_EPT_VIOLATION || basic == EXIT_REASON_EPT_MISCONFIG) {
		r->gpa = vmcs_read64(GUEST_PHYSICAL_ADDRESS);
		r->info = MV_FLIGHT_INFO(basic, MV_FLIGHT_GPA);
	} else {
		r->info = MV_FLIGHT_INFO(basic, 0);
	}
}

static void vmx_handle_exit(struct vmx_vcpu *vx, u32 reason)
{
	void (*h)(struct vmx_vcpu *vx) = NULL;
	u32 basic = reason & 0xffff;

	if (vx->vcpu.stats->ring || trace_minivisor_exit_enabled())
		vmx_flight_note(vx, basic);
	if (unlikely(reason & VMX_EXIT_REASONS_FAILED_VMENTRY)) {
		vx->vcpu.exit.reason = MV_NEXIT_FAIL_ENTRY;
		vx->vcpu.exit.fail.reason = basic;
		vx->vcpu.exit.fail.qual = vmcs_readl(EXIT_QUALIFICATION);
		vx->vcpu.exit.fail.check = vmx_entry_diag(basic, 0);
		return;
	}
	vmx_save_vectoring(vx);
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
	unsigned long cr3 = mv_get_current_cr3_fast(), cr4 = __read_cr4();

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
	struct mv_host_drs host_drs = { };
	u64 t_exit;
	int fail;

	vcpu->exit.reason = MV_NEXIT_NONE;
	if (unlikely(READ_ONCE(vmx_rebooting))) {
		/* VMX may already be off on this CPU: no VMX instruction now. */
		vcpu->exit.reason = MV_NEXIT_HW_ERROR;
		vcpu->exit.hw.op = 0;
		vcpu->exit.hw.error = 0;
		vcpu->exit.hw.check = 0;
		return;
	}

	if (unlikely(vx->desc_on != READ_ONCE(vcpu->vm->desc_exit)))
		vmx_desc_update(vx);
	if (unlikely(vx->dbg_control & MV_GUESTDBG_SINGLESTEP)) {
		vmx_debug_before_entry(vx);
		if (vcpu->exit.reason != MV_NEXIT_NONE)
			return;
	}

	local_irq_disable();

	/*
	 * A signal or reschedule request that arrived after core's check (a
	 * kick IPI consumed with interrupts on) must not wait in the guest for
	 * the next exit, which may be a whole time slice away: check again now
	 * that nothing can arrive unnoticed until the guest runs.
	 */
	if (unlikely(!mv_vcpu_enter_guest(vcpu))) {
		local_irq_enable();
		if (vx->dbg_tf_added)
			vmx_debug_after_exit(vx);	/* userspace must not see our TF */
		return;
	}

	/*
	 * Beside KVM, our VMCS is made current for the whole entry-to-exit
	 * window (vmx_share.c); KVM's goes back before interrupts are on.
	 */
	if (static_branch_unlikely(&vmx_shared) && unlikely(!vmx_share_acquire(vx))) {
		local_irq_enable();
		vcpu->exit.reason = MV_NEXIT_HW_ERROR;
		vcpu->exit.hw.op = 0;
		vcpu->exit.hw.error = 0;
		vcpu->exit.hw.check = 0;
		return;
	}

	/*
	 * Interrupts are off, so no preemption can put the host state back
	 * between here and the entry (vcpu_put restores it at sched-out).
	 */
	if (mv_trace_entry_enabled())
		mv_trace_entry(vcpu, vmcs_readl(GUEST_RIP));
	if (unlikely(!vx->host_saved))
		vmx_save_host_state(vx);
	vmx_inject_event(vx);
	if (vx->guest_sce)
		vmx_syscall_msrs_load(vx);
	if (unlikely(vx->guest_bps)) {
		mv_host_drs_save(&host_drs);
		vmx_load_guest_drs(vx);
	}
	vmx_refresh_host_crs(vx);
	if (native_read_cr2() != vx->cr2)
		native_write_cr2(vx->cr2);
	/*
	 * DEBUGCTL is read here, with interrupts off, because perf or ptrace
	 * may change it at any time before; VM exit clears it (28.5.1).
	 */
	vx->host.debugctl = get_debugctlmsr();
	/*
	 * Guest FPU registers (loaded per MV_RUN, vmx_fpu.c) and XCR0: after
	 * the last check that may return, before context tracking (reloading
	 * the registers may trace).
	 */
	xcr0_switched = vmx_fpu_enter(vx);

	/*
	 * Guest time is accounted as guest time (PF_VCPU, vtime), and the
	 * guest is outside any RCU read-side section, like user mode: tell
	 * context tracking, or at least RCU, so a CPU that stays in the guest
	 * does not hold up grace periods.
	 */
	vtime_account_guest_enter();
	if (!context_tracking_guest_enter())
		rcu_note_context_switch(false);

	vmx_mitigate_entry(&vx->l1d_flush);
	mv_stats_entry(vcpu->stats);
	fail = vmx_vmenter(vx->regs, &vx->host_rsp, vx->launched);
	vmx_mitigate_after_exit();
	t_exit = mv_stats_now(vcpu->stats);
	if (xcr0_switched)
		vmx_fpu_exit(vx);

	context_tracking_guest_exit();
	mv_vcpu_exit_guest(vcpu);
	vx->cr2 = native_read_cr2();
	/* VM exit clears DR7 and IA32_DEBUGCTL (SDM Vol. 3C 28.5.1). */
	if (hw_breakpoint_active())
		mv_hw_breakpoint_restore(&host_drs);
	if (vx->host.debugctl)
		update_debugctlmsr(vx->host.debugctl);

	if (likely(!fail)) {
		reason = vmcs_read32(VM_EXIT_REASON);
		mv_stats_exit(vcpu->stats, t_exit, reason & 0xffff);
		vmx_l1d_note_exit(&vx->l1d_flush, reason);
		/* A failed VM entry leaves the launch state unchanged (27.8). */
		if (!(reason & VMX_EXIT_REASONS_FAILED_VMENTRY))
			vx->launched = true;
		if ((reason & 0xffff) == EXIT_REASON_EXCEPTION_NMI) {
			info = vmcs_read32(VM_EXIT_INTR_INFO);
			/* An NMI or #MC that exited is the host's: deliver it now. */
			if ((info & INTR_INFO_INTR_TYPE_MASK) == INTR_TYPE_NMI_INTR)
				asm volatile("int $2");
			else if ((info & INTR_INFO_VECTOR_MASK) == X86_TRAP_MC)
				vmx_machine_check();
		} else if ((reason & 0xffff) == EXIT_REASON_MCE_DURING_VMENTRY) {
			vmx_machine_check();
		}
	}

	if (static_branch_unlikely(&vmx_shared))
		vmx_share_after_exit();

	/*
	 * Host interrupts that exited (the tick among them) run here, while
	 * PF_VCPU still charges the time to the guest; then stop accounting.
	 */
	local_irq_enable();
	local_irq_disable();
	vtime_account_guest_exit();
	local_irq_enable();

	if (unlikely(fail)) {
		vcpu->exit.reason = MV_NEXIT_HW_ERROR;
		vcpu->exit.hw.op = vx->launched ? 2 : 1;	/* VMRESUME : VMLAUNCH */
		vcpu->exit.hw.check = 0;
		if (fail == 2 || READ_ONCE(vmx_rebooting)) {
			/* The instruction faulted: VMX was turned off under us. */
			vcpu->exit.hw.error = 0;
			return;
		}
		vcpu->exit.hw.error = vmcs_read32(VM_INSTRUCTION_ERROR);
		WARN_ONCE(1, "minivisor: %s failed, VM-instruction error %llu\n",
			  vx->launched ? "VMRESUME" : "VMLAUNCH", vcpu->exit.hw.error);
		vmx_dump_vmcs();
		vcpu->exit.hw.check = vmx_entry_diag(0, vcpu->exit.hw.error);
		return;
	}
	if (unlikely(vx->dbg_tf_added))
		vmx_debug_after_exit(vx);
	vmx_handle_exit(vx, reason);
}
