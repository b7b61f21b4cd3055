// SPDX-License-Identifier: GPL-2.0
/*
 * Guest/host speculation mitigations: the same ones the host kernel's own
 * kvm_intel applies on this host, decided once at module load from the
 * kernel's CPU bug and feature bits and its mitigation settings.
 *
 *   VERW before entry     vmenter.S, X86_FEATURE_CLEAR_CPU_BUF(_VM) (alternative)
 *   RSB fill after exit   vmenter.S, X86_FEATURE_RSB_VMEXIT(_LITE)
 *   IBRS after exit       vmenter.S, X86_FEATURE_KERNEL_IBRS
 *   BHB clear after exit  vmenter.S, X86_FEATURE_CLEAR_BHB_LOOP_ON_VMEXIT
 *   L1D flush on entry    here, X86_BUG_L1TF and the l1tf= / kvm_intel policy
 *   IBPB between VMs      here, X86_FEATURE_USE_IBPB (spectre_v2_user=)
 *   IBPB to user (VMSCAPE) vmx_mitigate.h, X86_FEATURE_IBPB_EXIT_TO_USER
 *
 * The alternatives in vmenter.S are patched by the module loader against the
 * same feature bits the kernel patched itself with, so they are on exactly
 * where the host's kvm_intel has them on. Documentation/design.md gives the
 * reason for each.
 */
#include <linux/atomic.h>
#include <linux/gfp.h>
#include <linux/jump_label.h>
#include <linux/mm.h>
#include <linux/percpu.h>
#include <asm/cpufeature.h>
#include <asm/msr.h>
#include <asm/nospec-branch.h>
#include <asm/processor.h>
#include <asm/hardirq.h>
#include <asm/vmx.h>
#include "vmx.h"
#include "vmx_mitigate.h"

DEFINE_STATIC_KEY_FALSE(vmx_l1d_flush_key);
bool vmx_l1d_always;

/*
 * Software L1D flush for L1TF-affected CPUs without IA32_FLUSH_CMD: read a
 * buffer twice the size of the L1D (32 KiB on affected parts), so every line
 * the guest could sample holds this data instead of the host's.
 */
#define VMX_L1D_FLUSH_ORDER	4	/* 64 KiB */
#define VMX_L1D_FLUSH_SIZE	(PAGE_SIZE << VMX_L1D_FLUSH_ORDER)
static struct page *vmx_l1d_pages;

/* The last VM whose vCPU was loaded on this CPU (0: none). */
static DEFINE_PER_CPU(u64, vmx_last_vm);
static atomic64_t vmx_vm_ids = ATOMIC64_INIT(0);
static bool vmx_ibpb_vm_switch;

void vmx_l1d_flush(void)
{
	const volatile u8 *buf;
	unsigned int i;

	if (static_cpu_has(X86_FEATURE_FLUSH_L1D)) {
		native_wrmsrl(MSR_IA32_FLUSH_CMD, L1D_FLUSH);
		return;
	}
	buf = page_address(vmx_l1d_pages);
	/* Page walks first, so the fill below is not cut short by them. */
	for (i = 0; i < VMX_L1D_FLUSH_SIZE; i += PAGE_SIZE)
		(void)buf[i];
	mb();
	/* Eight lines per iteration: the loop overhead is not the point. */
	for (i = 0; i < VMX_L1D_FLUSH_SIZE; i += 8 * L1_CACHE_BYTES) {
		(void)buf[i];
		(void)buf[i + 1 * L1_CACHE_BYTES];
		(void)buf[i + 2 * L1_CACHE_BYTES];
		(void)buf[i + 3 * L1_CACHE_BYTES];
		(void)buf[i + 4 * L1_CACHE_BYTES];
		(void)buf[i + 5 * L1_CACHE_BYTES];
		(void)buf[i + 6 * L1_CACHE_BYTES];
		(void)buf[i + 7 * L1_CACHE_BYTES];
	}
	rmb();
}

/*
 * L1TF (Intel, "Deep Dive: Intel Analysis of L1 Terminal Fault"): a guest
 * can read any line in the L1D through a non-present guest PTE, so where the
 * CPU is affected the L1D is flushed before entries that may follow host
 * activity. Policy as kvm_intel's: nothing where the CPU says it is
 * unnecessary (ARCH_CAPABILITIES.SKIP_VMENTRY_L1DFLUSH, set by an outer
 * hypervisor that flushes itself) or l1tf=off; always with l1tf=full(,force);
 * conditionally otherwise. Once kvm_intel has loaded, its
 * vmentry_l1d_flush= choice (l1tf_vmx_mitigation) is followed instead.
 * Returns 0 (off), 1 (conditional) or 2 (always).
 */
static int vmx_l1d_flush_mode(void)
{
	u64 cap = 0;

	if (!boot_cpu_has_bug(X86_BUG_L1TF))
		return 0;
	if (boot_cpu_has(X86_FEATURE_ARCH_CAPABILITIES))
		rdmsrl_safe(MSR_IA32_ARCH_CAPABILITIES, &cap);
	if (cap & ARCH_CAP_SKIP_VMENTRY_L1DFLUSH)
		return 0;
	switch (mv_l1tf_vmx_mitigation()) {
	case VMENTER_L1D_FLUSH_NEVER:
		return 0;
	case VMENTER_L1D_FLUSH_COND:
		return 1;
	case VMENTER_L1D_FLUSH_ALWAYS:
		return 2;
	default:
		break;
	}
	switch (mv_l1tf_mitigation()) {
	case L1TF_MITIGATION_OFF:
		return 0;
	case L1TF_MITIGATION_FULL:
	case L1TF_MITIGATION_FULL_FORCE:
		return 2;
	default:
		return 1;
	}
}

static const char *vmx_onoff(bool on)
{
	return on ? "on" : "off";
}

int vmx_mitigate_setup(void)
{
	int l1d = vmx_l1d_flush_mode();
	bool l1d_msr = boot_cpu_has(X86_FEATURE_FLUSH_L1D);
	bool verw = boot_cpu_has(X86_FEATURE_CLEAR_CPU_BUF) ||
		    boot_cpu_has(X86_FEATURE_CLEAR_CPU_BUF_VM);
	bool vmscape = MV_HAS_IBPB_EXIT_TO_USER &&
		       boot_cpu_has(X86_FEATURE_IBPB_EXIT_TO_USER);
	bool bhb = MV_HAS_BHB_VMEXIT && boot_cpu_has(X86_FEATURE_CLEAR_BHB_LOOP_ON_VMEXIT);
	unsigned int i;

	/*
	 * Linux 7.2 exports its branch-history clearing sequence to KVM only
	 * (compat.h): a CPU that needs it after every VM exit (BHI, Intel
	 * "Branch History Injection") gets no guests rather than guests
	 * without it.
	 */
	if (mv_bhb_vmexit_unavailable()) {
		pr_err("minivisor: this CPU needs the branch-history clearing sequence after VM exit (BHI), which this kernel exports only to KVM; refusing to load\n");
		return -EOPNOTSUPP;
	}
	if (l1d && !l1d_msr) {
		vmx_l1d_pages = alloc_pages(GFP_KERNEL, VMX_L1D_FLUSH_ORDER);
		if (!vmx_l1d_pages)
			return -ENOMEM;
		/* Distinct contents: an outer hypervisor cannot merge the pages. */
		for (i = 0; i < 1u << VMX_L1D_FLUSH_ORDER; i++)
			memset(page_address(vmx_l1d_pages + i), i + 1, PAGE_SIZE);
	}
	vmx_l1d_always = l1d == 2;
	if (l1d)
		static_branch_enable(&vmx_l1d_flush_key);

	/*
	 * Spectre v2 between guests (Intel, "Speculative Execution Side Channel
	 * Mitigations", IBPB): a vCPU of one VM must not steer the indirect
	 * branches of another's host-side run path or guest.
	 */
	vmx_ibpb_vm_switch = boot_cpu_has(X86_FEATURE_USE_IBPB);

	pr_info("minivisor: mitigations: VERW before entry %s, L1D flush on entry %s%s, IBPB between VMs %s, RSB fill after exit %s, IBRS after exit %s, BHB clear after exit %s, IBPB before return to user %s\n",
		vmx_onoff(verw),
		l1d == 2 ? "always" : l1d ? "conditional" : "off",
		!l1d ? "" : l1d_msr ? " (IA32_FLUSH_CMD)" : " (software)",
		vmx_onoff(vmx_ibpb_vm_switch),
		boot_cpu_has(X86_FEATURE_RSB_VMEXIT) ? "on" :
		boot_cpu_has(X86_FEATURE_RSB_VMEXIT_LITE) ? "on (lite)" : "off",
		vmx_onoff(boot_cpu_has(X86_FEATURE_KERNEL_IBRS)),
		vmx_onoff(bhb), vmx_onoff(vmscape));
	return 0;
}

void vmx_mitigate_teardown(void)
{
	if (vmx_l1d_pages)
		__free_pages(vmx_l1d_pages, VMX_L1D_FLUSH_ORDER);
	vmx_l1d_pages = NULL;
}

/*
 * From vmx_vcpu_load(), preemption off: an IBPB when this CPU last ran a
 * vCPU of another VM. VMs get ids that are never reused, so a new VM at the
 * address of a freed one still counts as another VM.
 */
void vmx_mitigate_vcpu_load(struct vmx_vcpu *vx)
{
	struct vmx_vm *ev = to_vmx_vm(vx->vcpu.vm);
	u64 id = READ_ONCE(ev->ibpb_id), old;

	if (unlikely(!id)) {
		id = atomic64_inc_return(&vmx_vm_ids);
		old = cmpxchg64(&ev->ibpb_id, 0, id);
		if (old)
			id = old;
	}
	/* Another task (or the ioctl path) may have run here: flush L1D. */
	vx->l1d_flush = true;
	if (__this_cpu_read(vmx_last_vm) == id)
		return;
	__this_cpu_write(vmx_last_vm, id);
	if (vmx_ibpb_vm_switch)
		mv_ibpb();
}

/*
 * Shared VMX operation (vmx_share.c): a KVM guest may have run on this CPU
 * since our last entry, or may run next without KVM's own IBPB. Preemption
 * or interrupts off.
 */
void vmx_mitigate_other_guest(void)
{
	__this_cpu_write(vmx_last_vm, 0);
	if (vmx_ibpb_vm_switch)
		mv_ibpb();
}
