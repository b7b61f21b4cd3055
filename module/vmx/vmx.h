/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Intel VMX backend: private definitions. Only files in vmx/ include this.
 */
#ifndef MV_VMX_H
#define MV_VMX_H

#include <linux/list.h>
#include <asm/fpu/api.h>
#include "../mv.h"
#include "vmcs.h"

/* IA32_VMX_EPT_VPID_CAP bits 63:32 describe VPID (SDM Vol. 3C A.10). */
#define VPID_CAP_INVVPID	(1ULL << 32)
#define VPID_CAP_SINGLE		(1ULL << 41)
#define VPID_CAP_ALL		(1ULL << 42)

#define MV_VMX_SLICE_MS		10	/* longest stay in the guest */

/* CR4 bits the guest may not set: they would change host-visible state. */
#define VMX_CR4_HOST_OWNED	(X86_CR4_VMXE | X86_CR4_SMXE | X86_CR4_PKE | X86_CR4_CET)

/* What the capability MSRs allow, computed once at module load. */
struct vmx_config {
	u32 revision_id;
	u32 pin, proc, proc2, exit, entry;
	u64 cr0_fixed0, cr0_fixed1, cr4_fixed0, cr4_fixed1;
	u64 ept_vpid_cap;
	bool has_vpid;
	unsigned int phys_bits;		/* guest-physical width we allow */
	u32 slice;			/* preemption timer count, 0: none */
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
	bool syscall_switched;		/* syscall[] hold the host's MSRs */
	u64 syscall[4];			/* STAR, LSTAR, CSTAR, SFMASK */
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
};

static inline struct vmx_vcpu *to_vmx(struct mv_vcpu *vcpu)
{
	return container_of(vcpu, struct vmx_vcpu, vcpu);
}

struct vmx_vm {
	u64 *pml4;
	u64 eptp;
	u64 ibpb_id;			/* vmx_mitigate.c: never reused */
};

static inline struct vmx_vm *to_vmx_vm(struct mv_vm *vm)
{
	return vm->arch;
}

/* vmenter.S: returns 0 after a VM exit, 1 if VMLAUNCH/VMRESUME failed. */
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

/* vmx_caps.c */
int vmx_config_setup(void);
u64 vmx_cap(unsigned int cap);

/* ept.c */
int vmx_ept_vm_init(struct mv_vm *vm);
void vmx_ept_vm_destroy(struct mv_vm *vm);
int vmx_ept_map(struct mv_vm *vm, u64 gpa, struct page **pages, u64 npages,
		bool writable);
void vmx_ept_unmap(struct mv_vm *vm, u64 gpa, u64 npages);
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
void vmx_set_sregs(struct mv_vcpu *vcpu, const struct mv_sregs *sregs);
void vmx_set_reset_state(struct vmx_vcpu *vx);
u64 vmx_get_gpr(struct mv_vcpu *vcpu, unsigned int reg);
void vmx_set_gpr(struct mv_vcpu *vcpu, unsigned int reg, u64 val);
void vmx_get_fetch_state(struct mv_vcpu *vcpu, struct mv_fetch_state *fs);
u64 vmx_guest_cr4(struct vmx_vcpu *vx);

/* vmx_run.c */
void vmx_vcpu_run(struct mv_vcpu *vcpu);

/* vmx_fpu.c */
int vmx_fpu_init(struct vmx_vcpu *vx);
void vmx_fpu_destroy(struct vmx_vcpu *vx);
void vmx_fpu_reset(struct vmx_vcpu *vx);
void vmx_vcpu_run_begin(struct mv_vcpu *vcpu);
void vmx_vcpu_run_end(struct mv_vcpu *vcpu);
void vmx_handle_xsetbv(struct vmx_vcpu *vx);
bool vmx_fpu_enter(struct vmx_vcpu *vx);
void vmx_fpu_exit(struct vmx_vcpu *vx);

/* vmx_mitigate.c */
int vmx_mitigate_setup(void);
void vmx_mitigate_teardown(void);
void vmx_mitigate_vcpu_load(struct vmx_vcpu *vx);

#endif /* MV_VMX_H */
