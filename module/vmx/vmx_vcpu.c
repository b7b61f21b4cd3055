// SPDX-License-Identifier: GPL-2.0
/*
 * VMX vCPUs: VMCS creation, loading on a CPU, and the host state that VMX
 * does not switch by itself.
 */
#include <linux/gfp.h>
#include <linux/idr.h>
#include <linux/io.h>
#include <linux/mm.h>
#include <linux/slab.h>
#include <asm/cpu_entry_area.h>
#include <asm/debugreg.h>
#include <asm/desc.h>
#include <asm/trapnr.h>
#include <asm/msr.h>
#include <asm/segment.h>
#include <asm/special_insns.h>
#include "vmx.h"

static DEFINE_IDA(vmx_vpid_ida);

/* Controls and host fields that never change for this VMCS. */
static void vmx_setup_vmcs(struct vmx_vcpu *vx)
{
	struct vmx_vm *ev = to_vmx_vm(vx->vcpu.vm);
	struct desc_ptr idt;
	u64 v;

	vmcs_write32(PIN_BASED_VM_EXEC_CONTROL, vmx_cfg.pin);
	vmcs_write32(CPU_BASED_VM_EXEC_CONTROL, vmx_cfg.proc);
	/* VPID 0 with "enable VPID" set is an invalid control (26.2.1.1). */
	vmcs_write32(SECONDARY_VM_EXEC_CONTROL,
		     vx->vpid ? vmx_cfg.proc2 : vmx_cfg.proc2 & ~SECONDARY_EXEC_ENABLE_VPID);
	vmcs_write32(VM_EXIT_CONTROLS, vmx_cfg.exit);
	vmcs_write32(VM_ENTRY_CONTROLS, vmx_cfg.entry);
	/*
	 * Machine checks in the guest are the host's (SDM Vol. 3C 26.2). #DB
	 * and #AC always exit and are reflected: a guest can otherwise make
	 * their delivery fault again with the same exception forever, a loop
	 * in microcode that never reaches an instruction boundary, so no
	 * interrupt or timer ever takes the CPU back (CVE-2015-8104,
	 * CVE-2015-5307). An intercepted #DB also leaves DR6 alone (27.1),
	 * so the host's DR6 never carries the guest's bits.
	 */
	vmcs_write32(EXCEPTION_BITMAP, VMX_EXC_BITMAP);
	if (vmx_cfg.proc & CPU_BASED_USE_MSR_BITMAPS)
		vmcs_write64(MSR_BITMAP, vmx_msr_bitmap_pa());
	vmcs_write32(PAGE_FAULT_ERROR_CODE_MASK, 0);
	vmcs_write32(PAGE_FAULT_ERROR_CODE_MATCH, 0);
	vmcs_write32(CR3_TARGET_COUNT, 0);
	vmcs_write32(VM_EXIT_MSR_STORE_COUNT, 0);
	vmcs_write32(VM_EXIT_MSR_LOAD_COUNT, 0);
	vmcs_write32(VM_ENTRY_MSR_LOAD_COUNT, 0);
	vmcs_write32(VM_ENTRY_INTR_INFO_FIELD, 0);
	if (vmx_cfg.slice)
		vmcs_write32(VMX_PREEMPTION_TIMER_VALUE, vmx_cfg.slice);
	vmcs_write64(EPT_POINTER, ev->eptp);
	vmx_set_tsc_offset(vx, vx->vcpu.vm->tsc_offset);
	if (vx->vpid)
		vmcs_write16(VIRTUAL_PROCESSOR_ID, vx->vpid);
	vmcs_write64(VMCS_LINK_POINTER, ~0ULL);
	vmcs_writel(CR0_GUEST_HOST_MASK, vx->cr0_mask);
	vmcs_writel(CR4_GUEST_HOST_MASK, vx->cr4_mask);

	/* Host state loaded at every VM exit (SDM Vol. 3C 28.5). */
	vmcs_writel(HOST_CR0, read_cr0());
	vmcs_write16(HOST_CS_SELECTOR, __KERNEL_CS);
	vmcs_write16(HOST_SS_SELECTOR, __KERNEL_DS);
	vmcs_write16(HOST_DS_SELECTOR, 0);
	vmcs_write16(HOST_ES_SELECTOR, 0);
	vmcs_write16(HOST_TR_SELECTOR, GDT_ENTRY_TSS * 8);
	store_idt(&idt);
	vmcs_writel(HOST_IDTR_BASE, idt.address);
	vmcs_writel(HOST_RIP, (unsigned long)vmx_vmexit);
	rdmsrl(MSR_IA32_SYSENTER_CS, v);
	vmcs_write32(HOST_IA32_SYSENTER_CS, v);
	rdmsrl(MSR_IA32_SYSENTER_EIP, v);
	vmcs_writel(HOST_IA32_SYSENTER_EIP, v);
	rdmsrl(MSR_IA32_CR_PAT, v);
	vmcs_write64(HOST_IA32_PAT, v);
	rdmsrl(MSR_EFER, v);
	vmcs_write64(HOST_IA32_EFER, v);
	/* HOST_CR3, HOST_CR4 and HOST_RSP are refreshed before entry when stale. */
}

/* Host fields that differ between CPUs. */
static void vmx_set_percpu_host_state(int cpu)
{
	u64 v;

	vmcs_writel(HOST_TR_BASE, (unsigned long)&get_cpu_entry_area(cpu)->tss.x86_tss);
	vmcs_writel(HOST_GDTR_BASE, (unsigned long)get_current_gdt_ro());
	rdmsrl(MSR_IA32_SYSENTER_ESP, v);
	vmcs_writel(HOST_IA32_SYSENTER_ESP, v);
	rdmsrl(MSR_GS_BASE, v);
	vmcs_writel(HOST_GS_BASE, v);
}

/*
 * Saves the host's user segment state and swaps in the guest's
 * KERNEL_GS_BASE, which SWAPGS in the guest would otherwise read and change
 * (VMX switches neither; SDM Vol. 3C 28.5.2 loads only selectors and the
 * FS/GS bases from the host-state area).
 */
void vmx_save_host_state(struct vmx_vcpu *vx)
{
	struct vmx_host_state *h = &vx->host;

	if (vx->host_saved)
		return;
	savesegment(ds, h->ds_sel);
	savesegment(es, h->es_sel);
	savesegment(fs, h->fs_sel);
	savesegment(gs, h->gs_sel);
	/* A VMM thread may use an LDT (modify_ldt); VM exit nulls LDTR. */
	asm volatile("sldt %0" : "=r" (h->ldt_sel));
	/* Host selector fields need RPL = TI = 0 (SDM Vol. 3C 27.2.3). */
	h->fs_reload = h->fs_sel & 7;
	h->gs_reload = h->gs_sel & 7;
	vmcs_write16(HOST_FS_SELECTOR, h->fs_reload ? 0 : h->fs_sel);
	vmcs_write16(HOST_GS_SELECTOR, h->gs_reload ? 0 : h->gs_sel);
	rdmsrl(MSR_FS_BASE, h->fs_base);
	vmcs_writel(HOST_FS_BASE, h->fs_base);
	rdmsrl(MSR_KERNEL_GS_BASE, h->kernel_gs_base);
	wrmsrl(MSR_KERNEL_GS_BASE, vx->guest_kernel_gs_base);
	vx->host_saved = true;
}

static void vmx_restore_host_state(struct vmx_vcpu *vx)
{
	struct vmx_host_state *h = &vx->host;

	if (!vx->host_saved)
		return;
	/*
	 * The guest's KERNEL_GS_BASE first: load_gs_index() below goes through
	 * SWAPGS and overwrites that MSR with the new GS descriptor's base.
	 */
	rdmsrl(MSR_KERNEL_GS_BASE, vx->guest_kernel_gs_base);
	/* LDTR before the selectors that may point into the LDT. */
	if (h->ldt_sel)
		asm volatile("lldt %0" : : "r" (h->ldt_sel));
	if (h->ds_sel | h->es_sel) {
		loadsegment(ds, h->ds_sel);
		loadsegment(es, h->es_sel);
	}
	if (h->fs_reload) {
		loadsegment(fs, h->fs_sel);
		wrmsrl(MSR_FS_BASE, h->fs_base);
	}
	if (h->gs_reload)
		load_gs_index(h->gs_sel);
	wrmsrl(MSR_KERNEL_GS_BASE, h->kernel_gs_base);
	/* VM exit set the GDT limit to 0xffff and the TR limit to 0x67. */
	load_fixmap_gdt(raw_smp_processor_id());
	invalidate_tss_limit();
	vx->host_saved = false;
}

void vmx_vcpu_load(struct mv_vcpu *vcpu, int cpu)
{
	struct vmx_vcpu *vx = to_vmx(vcpu);
	bool moved = READ_ONCE(vx->cpu) != cpu;

	if (moved) {
		/* VMCLEAR on the CPU that owns it before VMPTRLD here. */
		vmx_vmcs_clear(vx);
		smp_rmb();
		vmx_vmcs_adopt(vx);
	}
	if (static_branch_unlikely(&vmx_shared)) {
		/* kvm_intel's VMCS may be current: made ours when accessed. */
		vmx_share_load(vx);
	} else if (__this_cpu_read(vmx_current_vcpu) != vx) {
		if (vmx_vmptrld(vx->vmcs_pa))
			vmx_insn_failed("vmptrld", vx->vmcs_pa);
		__this_cpu_write(vmx_current_vcpu, vx);
	}
	vmx_mitigate_vcpu_load(vx);
	if (moved) {
		vmx_set_percpu_host_state(cpu);
		/*
		 * Linear translations tagged with our VPID may be stale on this
		 * CPU: the guest may have changed its page tables elsewhere
		 * (SDM Vol. 3C 29.4.3.3).
		 */
		vmx_flush_vpid(vx->vpid);
	}
	/*
	 * The host's segment and MSR state is switched only when the guest is
	 * about to run (vmx_vcpu_run), not for every ioctl: MV_GET_REGS and
	 * friends never touch it.
	 */
}

void vmx_vcpu_put(struct mv_vcpu *vcpu)
{
	struct vmx_vcpu *vx = to_vmx(vcpu);

	vmx_restore_host_state(vx);
	if (static_branch_unlikely(&vmx_shared)) {
		vmx_syscall_msrs_put_shared();
		vmx_share_put(vx);
	}
}

void vmx_skip_insn(struct mv_vcpu *vcpu, unsigned int len)
{
	unsigned long rip = vmcs_readl(GUEST_RIP) + len;
	u32 intr;

	if (!(vmcs_read32(VM_ENTRY_CONTROLS) & VM_ENTRY_IA32E_MODE) ||
	    !(vmcs_read32(GUEST_CS_AR_BYTES) & VMX_AR_L_MASK))
		rip &= 0xffffffffUL;
	vmcs_writel(GUEST_RIP, rip);
	/*
	 * A single-stepping guest expects #DB after the instruction we
	 * completed for it: pend it as the CPU would (BS, SDM Vol. 3C 25.4.2).
	 */
	if (vmcs_readl(GUEST_RFLAGS) & X86_EFLAGS_TF)
		vmcs_writel(GUEST_PENDING_DBG_EXCEPTIONS,
			    vmcs_readl(GUEST_PENDING_DBG_EXCEPTIONS) | DR_STEP);
	/* The VMM single-steps: this was one step (vmx_debug.c). */
	if (to_vmx(vcpu)->dbg_control & MV_GUESTDBG_SINGLESTEP)
		to_vmx(vcpu)->dbg_stepped = true;
	/* Emulating the instruction ends any STI / MOV SS shadow. */
	intr = vmcs_read32(GUEST_INTERRUPTIBILITY_INFO);
	if (intr & (GUEST_INTR_STATE_STI | GUEST_INTR_STATE_MOV_SS))
		vmcs_write32(GUEST_INTERRUPTIBILITY_INFO,
			     intr & ~(GUEST_INTR_STATE_STI | GUEST_INTR_STATE_MOV_SS));
}

struct mv_vcpu *vmx_vcpu_create(struct mv_vm *vm, unsigned int id)
{
	struct vmx_vcpu *vx, *prev = NULL;
	int r = -ENOMEM, cpu;

	vx = kzalloc(sizeof(*vx), GFP_KERNEL_ACCOUNT);
	if (!vx)
		return ERR_PTR(-ENOMEM);
	vx->cpu = -1;
	vx->vcpu.vm = vm;
	INIT_LIST_HEAD(&vx->loaded_node);

	vx->vmcs = alloc_page(GFP_KERNEL_ACCOUNT | __GFP_ZERO);
	if (!vx->vmcs)
		goto free;
	vx->vmcs_pa = page_to_phys(vx->vmcs);
	*(u32 *)page_address(vx->vmcs) = vmx_cfg.revision_id;

	if (vmx_fpu_init(vx))
		goto free;

	/*
	 * Out of VPIDs: run untagged (VPID 0), flushed at every transition.
	 * Beside KVM too: its VPIDs come from a pool we cannot see.
	 */
	if (vmx_cfg.has_vpid && !static_branch_unlikely(&vmx_shared)) {
		r = ida_alloc_range(&vmx_vpid_ida, 1, 0xffff, GFP_KERNEL);
		vx->vpid = r > 0 ? r : 0;
	}

	/*
	 * CD and NW stay clear in the real CR0 (a cache-disabled guest would
	 * crawl); CR0.NE and CR4.VMXE are forced on by VMX (SDM Vol. 3C A.7,
	 * A.8) and hidden by the read shadows. CR4 bits that would let the guest
	 * change host-visible state without an exit are host-owned too.
	 */
	vx->cr0_mask = ~(unsigned long)vmx_cfg.cr0_fixed1 |
		       (vmx_cfg.cr0_fixed0 & ~(X86_CR0_PE | X86_CR0_PG)) |
		       X86_CR0_CD | X86_CR0_NW;
	vx->cr4_mask = ~(VMX_CR4_GUEST_OWNED & vmx_cfg.cr4_fixed1 & ~vmx_cfg.cr4_fixed0);

	/* A new VMCS must be VMCLEARed before its first VMPTRLD (25.11.3). */
	cpu = get_cpu();
	if (vmx_vmclear(vx->vmcs_pa)) {
		put_cpu();
		vmx_insn_failed("vmclear", vx->vmcs_pa);
		r = -EIO;
		goto free;
	}
	vmx_vmcs_adopt(vx);
	if (static_branch_unlikely(&vmx_shared)) {
		prev = vmx_share_borrow(vx);
	} else if (vmx_vmptrld(vx->vmcs_pa)) {
		vmx_vmcs_clear(vx);
		put_cpu();
		vmx_insn_failed("vmptrld", vx->vmcs_pa);
		r = -EIO;
		goto free;
	} else {
		__this_cpu_write(vmx_current_vcpu, vx);
	}
	vmx_setup_vmcs(vx);
	vmx_set_percpu_host_state(cpu);
	vmx_set_reset_state(vx);
	/* Power-on only: INIT keeps the x87/SSE state (SDM Vol. 3A table 9-1). */
	vmx_fpu_reset(vx);
	if (static_branch_unlikely(&vmx_shared))
		vmx_share_unborrow(prev);
	put_cpu();
	return &vx->vcpu;

free:
	if (vx->vpid)
		ida_free(&vmx_vpid_ida, vx->vpid);
	vmx_fpu_destroy(vx);
	if (vx->vmcs)
		__free_page(vx->vmcs);
	kfree(vx);
	return ERR_PTR(r);
}

void vmx_vcpu_destroy(struct mv_vcpu *vcpu)
{
	struct vmx_vcpu *vx = to_vmx(vcpu);

	vmx_vmcs_clear(vx);
	if (vx->vpid) {
		/* The next owner of this VPID must not see our translations. */
		on_each_cpu(vmx_flush_vpid_ipi, &vx->vpid, 1);
		ida_free(&vmx_vpid_ida, vx->vpid);
	}
	vmx_fpu_destroy(vx);
	__free_page(vx->vmcs);
	kfree(vx);
}
