/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Intel VMX backend: private definitions. Only files in vmx/ include this.
 */
#ifndef MV_VMX_H
#define MV_VMX_H

#include <linux/bits.h>
#include <linux/list.h>
#include <asm/fpu/api.h>
#include <linux/thread_info.h>
#include <asm/trapnr.h>
#include "../mv.h"
#include "vmcs.h"

/* IA32_VMX_EPT_VPID_CAP bits 63:32 describe VPID (SDM Vol. 3C A.10). */
#define VPID_CAP_INVVPID	(1ULL << 32)
#define VPID_CAP_SINGLE		(1ULL << 41)
#define VPID_CAP_ALL		(1ULL << 42)

/* DR6.BD, debug-register access detected (not in every <asm/debugreg.h>). */
#define VMX_DR6_BD		0x2000UL

/*
 * Exceptions that always exit: #MC is the host's; #DB and #AC would let a
 * guest loop in microcode (vmx_vcpu.c). #BP is added for guest debugging.
 */
#define VMX_EXC_BITMAP		(BIT(X86_TRAP_MC) | BIT(X86_TRAP_DB) | BIT(X86_TRAP_AC))

#define MV_VMX_SLICE_MS		10	/* longest stay in the guest */

/*
 * CR4 by allow-list: only these bits are guest-owned (the guest writes them
 * without an exit, where the CPU supports them). Every other bit is
 * host-owned, so a guest write to it exits and is checked: a bit minivisor
 * does not virtualize (VMXE, SMXE, PKE, CET, LA57, FRED, PKS, LASS, ... and
 * whatever future CPUs add) gets #GP. SDM Vol. 3C 25.6.6.
 */
#define VMX_CR4_GUEST_OWNED	(X86_CR4_VME | X86_CR4_PVI | X86_CR4_TSD | X86_CR4_DE | \
				 X86_CR4_PSE | X86_CR4_PAE | X86_CR4_MCE | X86_CR4_PGE | \
				 X86_CR4_PCE | X86_CR4_OSFXSR | X86_CR4_OSXMMEXCPT | \
				 X86_CR4_FSGSBASE | X86_CR4_PCIDE | \
				 X86_CR4_SMEP | X86_CR4_SMAP)
/*
 * The bits a guest may also set through an exit or MV_SET_SREGS. OSXSAVE
 * is host-owned so that every change of it exits: whether the guest's XCR0
 * is loaded at entry depends on it (vmx_fpu_enter_xcr0()), and a guest
 * that set it without an exit would run with the host's XCR0, free to
 * XRSTOR the VMM thread's PKRU, until its next exit.
 */
#define VMX_CR4_GUEST_VALID	(VMX_CR4_GUEST_OWNED | X86_CR4_UMIP | X86_CR4_OSXSAVE)

/* What the capability MSRs allow, computed once at module load. */
struct vmx_config {
	u32 revision_id;
	u32 pin, proc, proc2, exit, entry;
	u64 cr0_fixed0, cr0_fixed1, cr4_fixed0, cr4_fixed1;
	u64 ept_vpid_cap;
	bool has_vpid;
	unsigned int phys_bits;		/* guest-physical width we allow */
	u32 slice;			/* preemption timer count, 0: none */
	bool has_mtf;			/* monitor trap flag may be set */
	bool has_desc;			/* descriptor-table exiting may be set */
	bool has_apicv;			/* TPR shadow, APIC-access, register virt., VID */
	u64 host_xcr0;			/* 0: the host kernel does not use XSAVE */
};

extern struct vmx_config vmx_cfg;

/* Host state switched by software around guest execution (not by VMX). */
struct vmx_host_state {
	u16 ds_sel, es_sel, fs_sel, gs_sel;
	bool fs_reload, gs_reload;
	unsigned long fs_base, kernel_gs_base;
	u64 debugctl;
	unsigned long cr3, cr4;		/* what HOST_CR3/HOST_CR4 hold now */
	u16 ldt_sel;			/* VM exit leaves LDTR null (28.5.2) */
};

struct vmx_vcpu {
	struct mv_vcpu vcpu;

	/*
	 * Guest GPRs in x86 encoding order; vmenter.S loads and saves them.
	 * The RSP slot is unused: RSP lives in the VMCS.
	 */
	unsigned long regs[16];
	unsigned long cr2;
	unsigned long host_rsp;		/* HOST_RSP as last written */

	struct page *vmcs;
	u64 vmcs_pa;
	int cpu;			/* CPU the VMCS is active on, or -1 */
	bool launched;			/* VMCS launch state is "launched" */
	struct list_head loaded_node;	/* on vmx_loaded_vmcss of ->cpu */
	u16 vpid;

	bool host_saved;		/* host_state holds the host's values */
	struct vmx_host_state host;
	unsigned long guest_kernel_gs_base;

	struct fpu_guest guest_fpu;	/* the task's fpstate during MV_RUN */
	bool fpu_loaded;		/* guest_fpu is swapped in */
	u32 host_pkru, guest_pkru;	/* switched only if XCR0 has PKRU */
	bool l1d_flush;			/* flush L1D before the next entry */
	u64 cr0_mask, cr4_mask;		/* guest/host masks */

	/*
	 * The event delivered at the next VM entry: a queued exception, or
	 * the event that was being delivered when the last exit happened
	 * (IDT-vectoring information, SDM Vol. 3C 28.2.4), re-injected.
	 */
	struct vmx_event {
		bool valid;
		u8 vector;
		u16 type;		/* INTR_TYPE_* */
		bool has_error;
		u32 error;
		u32 insn_len;		/* software events */
	} event;

	/* Guest debug registers: MOV DR exits, #DB is intercepted. */
	unsigned long dr[4];
	unsigned long dr6;
	unsigned long dr7;		/* the guest's; GUEST_DR7 holds the one in effect */
	bool guest_bps;			/* DR7 in effect enables a breakpoint */

	/* MV_SET_GUEST_DEBUG */
	u32 dbg_control;
	unsigned long dbg_dr[4], dbg_dr7;
	bool dbg_tf_added;		/* single-step set RFLAGS.TF for the entry */
	bool dbg_stepped;		/* single-step: an emulated instruction completed */

	/* Descriptor-table exiting (vmx_desc.c): the instruction being reported. */
	bool desc_on;			/* the VMCS control is set */
	struct vmx_desc_op {
		u8 insn;		/* MV_DESC_* */
		bool is_reg, op16;
		u8 reg;
		u16 selector;
		u32 limit;
		u64 base, la;
	} desc;
	u64 guest_debugctl;

	/* Guest values of MSRs VMX does not switch (loaded at vcpu_load). */
	u64 guest_syscall[4];		/* STAR, LSTAR, CSTAR, SFMASK */
	bool guest_sce;			/* EFER.SCE: they must be live in the guest */
	unsigned long cr8;		/* no TPR shadow: CR8 accesses exit */
	bool apicv_on;			/* APIC virtualization controls set (vmx_apicv.c) */
};

static inline struct vmx_vcpu *to_vmx(struct mv_vcpu *vcpu)
{
	return container_of(vcpu, struct vmx_vcpu, vcpu);
}

struct vmx_vm {
	u64 *pml4;
	u64 eptp;
	u64 ibpb_id;			/* vmx_mitigate.c: never reused */
	struct page *apic_access;	/* APIC-access page (vmx_apicv.c), or NULL */
	/* Counters under vm->mmu_lock (mv_mmu_stats). */
	u64 maps_small, maps_large;
	long leaves_large, tables;
};

static inline struct vmx_vm *to_vmx_vm(struct mv_vm *vm)
{
	return vm->arch;
}

/* vmenter.S: 0 after a VM exit, 1 if VMLAUNCH/VMRESUME failed, 2 if they faulted. */
int vmx_vmenter(unsigned long *regs, unsigned long *host_rsp, bool launched);
void vmx_vmexit(void);

/* vmx_cpu.c */
int vmx_hw_enable(void);
void vmx_hw_disable(void);
int vmx_cpu_setup(void);
void vmx_cpu_teardown(void);
void vmx_vmcs_clear(struct vmx_vcpu *vx);
void vmx_vmcs_adopt(struct vmx_vcpu *vx);
bool vmx_cpu_is_on(void);
DECLARE_PER_CPU(struct vmx_vcpu *, vmx_current_vcpu);
void vmx_dump_vmcs(void);
/* Whose VMX operation we run in (MV_CAP_VMX_OWNER). */
extern int vmx_owner;
/* vmx_share.c: running inside kvm_intel's VMX operation */
bool vmx_share_wanted(bool *required);
int vmx_share_enable(void);
void vmx_share_disable(void);
unsigned int vmx_share_linger(void);
void vmx_share_load(struct vmx_vcpu *vx);
void vmx_share_put(struct vmx_vcpu *vx);
bool vmx_share_acquire(struct vmx_vcpu *vx);
void vmx_share_release(void);
void vmx_share_after_exit(void);
struct vmx_vcpu *vmx_share_borrow(struct vmx_vcpu *vx);
void vmx_share_unborrow(struct vmx_vcpu *prev);
bool vmx_vmcs_is_ours(void);
struct vmx_vcpu *vmx_share_loaded(void);
/* vmx_mitigate.c */
void vmx_mitigate_other_guest(void);

/* vmx_caps.c */
int vmx_config_setup(void);
u64 vmx_cap(unsigned int cap);

/* ept.c */
int vmx_ept_vm_init(struct mv_vm *vm);
void vmx_ept_vm_destroy(struct mv_vm *vm);
int vmx_ept_map_page(struct mv_vm *vm, u64 gpa, u64 pfn, unsigned int level,
		     bool writable, void **spare);
bool vmx_ept_zap(struct mv_vm *vm, u64 gpa, u64 size, struct list_head *freed);
void vmx_ept_flush(struct mv_vm *vm);
void vmx_ept_stats(struct mv_vm *vm, struct mv_mmu_stats *st);
void vmx_flush_ept(u64 eptp);
void vmx_flush_vpid(u16 vpid);
void vmx_flush_vpid_ipi(void *vpid);

/* vmx_vcpu.c */
struct mv_vcpu *vmx_vcpu_create(struct mv_vm *vm, unsigned int id);
void vmx_vcpu_destroy(struct mv_vcpu *vcpu);
void vmx_vcpu_load(struct mv_vcpu *vcpu, int cpu);
void vmx_vcpu_put(struct mv_vcpu *vcpu);
void vmx_skip_insn(struct mv_vcpu *vcpu, unsigned int len);

/* vmx_state.c */
void vmx_get_regs(struct mv_vcpu *vcpu, struct mv_regs *regs);
void vmx_set_regs(struct mv_vcpu *vcpu, const struct mv_regs *regs);
void vmx_get_sregs(struct mv_vcpu *vcpu, struct mv_sregs *sregs);
int vmx_set_sregs(struct mv_vcpu *vcpu, const struct mv_sregs *sregs);
void vmx_set_reset_state(struct vmx_vcpu *vx);
void vmx_set_cr0(struct vmx_vcpu *vx, unsigned long cr0);
void vmx_set_cr4(struct vmx_vcpu *vx, unsigned long cr4);
void vmx_set_efer(u64 efer);
u64 vmx_guest_cr0(struct vmx_vcpu *vx);
void vmx_load_pdptrs_now(struct vmx_vcpu *vx);
u64 vmx_get_gpr(struct mv_vcpu *vcpu, unsigned int reg);
void vmx_set_gpr(struct mv_vcpu *vcpu, unsigned int reg, u64 val);
void vmx_get_fetch_state(struct mv_vcpu *vcpu, struct mv_fetch_state *fs);
u64 vmx_get_rflags(struct mv_vcpu *vcpu);
void vmx_set_rflags(struct mv_vcpu *vcpu, u64 rflags);
u64 vmx_guest_cr4(struct vmx_vcpu *vx);

/* vmx_run.c */
void vmx_vcpu_run(struct mv_vcpu *vcpu);
void vmx_skip(struct vmx_vcpu *vx);
void vmx_exit_unhandled(struct vmx_vcpu *vx, u32 reason);

/* vmx_event.c */
void vmx_queue_exception(struct vmx_vcpu *vx, u8 vector, bool has_error, u32 error);
void vmx_save_vectoring(struct vmx_vcpu *vx);
void vmx_inject_event(struct vmx_vcpu *vx);
void vmx_handle_exception(struct vmx_vcpu *vx);
int vmx_get_events(struct mv_vcpu *vcpu, struct mv_vcpu_events *ev);
int vmx_set_events(struct mv_vcpu *vcpu, const struct mv_vcpu_events *ev);
int vmx_inject_exception(struct mv_vcpu *vcpu, const struct mv_exception *ex);
void vmx_queue_gp(struct mv_vcpu *vcpu);
void vmx_queue_exception_op(struct mv_vcpu *vcpu, u8 vector, bool has_error, u32 error,
			    u64 payload);
void vmx_queue_ud(struct mv_vcpu *vcpu);
void vmx_clear_events(struct vmx_vcpu *vx);
void vmx_fix_dbg_state(struct vmx_vcpu *vx);

/* vmx_insn.c: CR, DR, VMCALL and other instruction exits */
void vmx_handle_cr(struct vmx_vcpu *vx);
void vmx_handle_dr(struct vmx_vcpu *vx);
void vmx_handle_vmcall(struct vmx_vcpu *vx);
void vmx_handle_rdmsr(struct vmx_vcpu *vx);
void vmx_handle_wrmsr(struct vmx_vcpu *vx);
void vmx_handle_ud(struct vmx_vcpu *vx);
void vmx_handle_gp(struct vmx_vcpu *vx);
void vmx_handle_skip(struct vmx_vcpu *vx);
void vmx_load_guest_drs(struct vmx_vcpu *vx);
unsigned int vmx_cpl(void);

/* vmx_debug.c */
int vmx_set_guest_debug(struct mv_vcpu *vcpu, const struct mv_guest_debug *dbg);
bool vmx_debug_exit(struct vmx_vcpu *vx, u8 vector, unsigned long dr6);
void vmx_debug_before_entry(struct vmx_vcpu *vx);
void vmx_debug_after_exit(struct vmx_vcpu *vx);
void vmx_debug_mtf(struct vmx_vcpu *vx);
void vmx_set_guest_dr7(struct vmx_vcpu *vx, unsigned long dr7);

/* vmx_desc.c */
void vmx_handle_desc(struct vmx_vcpu *vx);
void vmx_desc_complete(struct mv_vcpu *vcpu, bool refused);
void vmx_desc_update(struct vmx_vcpu *vx);

/* vmx_msr.c */
int vmx_msr_setup(void);
void vmx_msr_teardown(void);
u64 vmx_msr_bitmap_pa(void);
int vmx_get_msr(struct mv_vcpu *vcpu, u32 index, u64 *data);
int vmx_set_msr(struct mv_vcpu *vcpu, u32 index, u64 data, bool host);
void vmx_syscall_msrs_load(struct vmx_vcpu *vx);
void vmx_syscall_msrs_drop_all(void);
void vmx_syscall_msrs_drop_local(void);
void vmx_syscall_msrs_put_shared(void);
void vmx_save_host_state(struct vmx_vcpu *vx);

/* vmx_entry_diag.c: the SDM rule a failed entry broke (0: none found) */
u32 vmx_entry_diag(u32 exit_reason, u32 vm_error);

/* Set by the reboot notifier: VMX instructions may fault from now on. */
extern bool vmx_rebooting;

/* vmx_fpu.c */
int vmx_fpu_init(struct vmx_vcpu *vx);
void vmx_fpu_destroy(struct vmx_vcpu *vx);
void vmx_fpu_reset(struct vmx_vcpu *vx);
void vmx_vcpu_run_begin(struct mv_vcpu *vcpu);
void vmx_vcpu_run_end(struct mv_vcpu *vcpu);
void vmx_handle_xsetbv(struct vmx_vcpu *vx);
bool vmx_fpu_enter_xcr0(struct vmx_vcpu *vx);
void vmx_fpu_exit(struct vmx_vcpu *vx);
void vmx_fpu_load(struct vmx_vcpu *vx);

/*
 * Interrupts off, right before the entry: the guest's FPU registers back if
 * they left the CPU, and its XCR0 where it differs (vmx_fpu.c). Returns
 * whether vmx_fpu_exit() must run after the exit (the host's XCR0 back;
 * with MV_GUEST_FPU_PER_ENTRY always: it saves the guest's registers).
 */
static __always_inline bool vmx_fpu_enter(struct vmx_vcpu *vx)
{
#ifdef MV_GUEST_FPU_PER_ENTRY
	vmx_fpu_load(vx);
	return true;
#else
	if (unlikely(test_thread_flag(TIF_NEED_FPU_LOAD)))
		mv_switch_fpu_return();
	if (likely(vx->vcpu.xcr0 == vmx_cfg.host_xcr0) || !vmx_cfg.host_xcr0)
		return false;
	return vmx_fpu_enter_xcr0(vx);
#endif
}

/* vmx_intr.c */
bool vmx_irq_allowed(struct mv_vcpu *vcpu);
bool vmx_nmi_allowed(struct mv_vcpu *vcpu);
void vmx_inject_irq(struct mv_vcpu *vcpu, u8 vector);
void vmx_inject_nmi(struct mv_vcpu *vcpu);
void vmx_set_windows(struct mv_vcpu *vcpu, bool irq, bool nmi);
void vmx_handle_irq_window(struct vmx_vcpu *vx);
void vmx_handle_nmi_window(struct vmx_vcpu *vx);
void vmx_init_vcpu(struct mv_vcpu *vcpu);
void vmx_sipi(struct mv_vcpu *vcpu, u8 vector);
void vmx_set_tsc_offset(struct vmx_vcpu *vx, s64 offset);

/* vmx_apicv.c */
bool vmx_apicv_supported(void);
bool vmx_apicv_active(struct mv_vcpu *vcpu);
void vmx_lapic_sync(struct mv_vcpu *vcpu, bool irr);
int vmx_apicv_vm_init(struct mv_vm *vm);
void vmx_apicv_vm_destroy(struct mv_vm *vm);
bool vmx_apicv_ept_fault(struct vmx_vcpu *vx, u64 gpa);
void vmx_handle_apic_access(struct vmx_vcpu *vx);
void vmx_handle_apic_write(struct vmx_vcpu *vx);
void vmx_handle_eoi_induced(struct vmx_vcpu *vx);

/* vmx_exit_log.c */
const char *vmx_exit_reason_name(u32 reason);

/* vmx_mitigate.c */
int vmx_mitigate_setup(void);
void vmx_mitigate_teardown(void);
void vmx_mitigate_vcpu_load(struct vmx_vcpu *vx);

#endif /* MV_VMX_H */
