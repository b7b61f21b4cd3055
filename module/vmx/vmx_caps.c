// SPDX-License-Identifier: GPL-2.0
/*
 * VMX capability discovery: which controls we use, derived from the
 * capability MSRs (SDM Vol. 3C appendix A), and the module's refusal to load
 * on a CPU that lacks what minivisor needs.
 */
#include <linux/kernel.h>
#include <asm/cpufeature.h>
#include <asm/fpu/api.h>
#include <asm/fpu/xcr.h>
#include <asm/msr.h>
#include <asm/processor.h>
#include <asm/tsc.h>
#include "vmx.h"

struct vmx_config vmx_cfg;

/* IA32_VMX_BASIC layout, SDM Vol. 3C A.1 (kernel macro names vary by version). */
#define BASIC_VMCS_SIZE(b)	(((b) >> 32) & 0x1fff)
#define BASIC_PA_32BIT		(1ULL << 48)
#define BASIC_MEM_TYPE(b)	(((b) >> 50) & 0xf)
#define BASIC_MEM_TYPE_WB	6
#define BASIC_TRUE_CTLS		(1ULL << 55)

/*
 * Adjusts a control word to what the CPU allows: bits set in the low half of
 * the capability MSR must be 1, bits clear in the high half must be 0
 * (SDM Vol. 3C A.3-A.5). 'required' bits that cannot be 1 fail the load.
 */
static int vmx_adjust(u32 required, u32 optional, u32 msr, const char *what, u32 *out)
{
	u32 must_be_one, may_be_one, ctl;

	rdmsr(msr, must_be_one, may_be_one);
	ctl = ((required | optional) & may_be_one) | must_be_one;
	if ((ctl & required) != required) {
		pr_err("minivisor: the CPU lacks required VMX %s controls %#x; cannot load\n",
		       what, required & ~ctl);
		return -EOPNOTSUPP;
	}
	*out = ctl;
	return 0;
}

static int vmx_check_firmware(void)
{
	u64 fc;

	if (!boot_cpu_has(X86_FEATURE_VMX)) {
		pr_err("minivisor: this CPU has no usable VMX (Intel VT-x), or firmware disabled it; cannot load\n");
		return -ENODEV;
	}
	if (rdmsrl_safe(MSR_IA32_FEAT_CTL, &fc) ||
	    !(fc & FEAT_CTL_LOCKED) || !(fc & FEAT_CTL_VMX_ENABLED_OUTSIDE_SMX)) {
		pr_err("minivisor: VMX is disabled in IA32_FEATURE_CONTROL (enable VT-x in the firmware setup); cannot load\n");
		return -ENODEV;
	}
	return 0;
}

/*
 * The host's XCR0, put back after every exit where the guest's differs
 * (vmx_fpu.c); 0 when the host kernel runs without XSAVE (e.g. the emulated
 * test host, noxsave), where the guest's XSETBV raises #UD.
 *
 * Without host XSAVE the guest may not set CR4.OSXSAVE either (#GP, as on a
 * CPU without XSAVE; CPUID hides XSAVE then): XCR0 is never switched, and
 * it need not be 1 there. A kernel that gives up XSAVE after its FPU setup
 * wrote XCR0 leaves that value (6.1 under Bochs: 0xe7, AVX-512 state on),
 * and a guest with OSXSAVE would run with it, using register state the
 * host neither saves nor clears between guests.
 */
static void vmx_setup_xsave(void)
{
	vmx_cfg.host_xcr0 = boot_cpu_has(X86_FEATURE_XSAVE) ?
			    xgetbv(XCR_XFEATURE_ENABLED_MASK) : 0;
	if (!vmx_cfg.host_xcr0)
		vmx_cfg.cr4_fixed1 &= ~X86_CR4_OSXSAVE;
}

/*
 * The VMX preemption timer bounds every stay in the guest to one time slice,
 * so the run loop re-checks signals and rescheduling even when no host
 * interrupt arrives (a nohz_full CPU; or Bochs 2.7, which does not deliver
 * external-interrupt exits to a guest entered with RFLAGS.IF = 0 from a host
 * with IF = 0). Without "save preemption timer value" the count restarts at
 * every entry (SDM Vol. 3C 26.5.1), so it costs nothing per exit.
 */
static void vmx_setup_slice(void)
{
	u64 misc, ticks;

	if (!(vmx_cfg.pin & PIN_BASED_VMX_PREEMPTION_TIMER))
		return;
	/* IA32_VMX_MISC[4:0]: the timer counts every 2^rate TSC ticks (A.6). */
	rdmsrl(MSR_IA32_VMX_MISC, misc);
	ticks = (u64)(tsc_khz ? tsc_khz : 1000000) * MV_VMX_SLICE_MS;
	vmx_cfg.slice = min_t(u64, ticks >> (misc & 0x1f),
			      U32_MAX);
}

int vmx_config_setup(void)
{
	bool true_ctls;
	u32 lo, hi, msr;
	u64 basic;
	int r;

	r = vmx_check_firmware();
	if (r)
		return r;

	rdmsrl(MSR_IA32_VMX_BASIC, basic);
	if (BASIC_VMCS_SIZE(basic) > PAGE_SIZE || (basic & BASIC_PA_32BIT) ||
	    BASIC_MEM_TYPE(basic) != BASIC_MEM_TYPE_WB) {
		pr_err("minivisor: unsupported IA32_VMX_BASIC %#llx; cannot load\n", basic);
		return -EOPNOTSUPP;
	}
	vmx_cfg.revision_id = (u32)basic & 0x7fffffff;
	true_ctls = basic & BASIC_TRUE_CTLS;

	/*
	 * External interrupts and NMIs always exit so the host keeps them.
	 * HLT, MWAIT/MONITOR, RDPMC, MOV DR and all port I/O exit. CR8 accesses
	 * exit because without a TPR shadow they would reach the host's TPR
	 * (SDM Vol. 3C 26.1.3). CR3 accesses do not exit: EPT owns translation.
	 * MSRs exit except the few vmx_msr.c passes through, where the CPU has
	 * MSR bitmaps (all exit otherwise). WBINVD exits where the CPU can make
	 * it: a guest must not flush the host's caches at will.
	 */
	msr = true_ctls ? MSR_IA32_VMX_TRUE_PINBASED_CTLS : MSR_IA32_VMX_PINBASED_CTLS;
	/* Virtual NMIs give NMI blocking and NMI-window exiting (26.7.6). */
	r = vmx_adjust(PIN_BASED_EXT_INTR_MASK | PIN_BASED_NMI_EXITING,
		       PIN_BASED_VMX_PREEMPTION_TIMER | PIN_BASED_VIRTUAL_NMIS, msr, "pin-based",
		       &vmx_cfg.pin);
	if (r)
		return r;

	msr = true_ctls ? MSR_IA32_VMX_TRUE_PROCBASED_CTLS : MSR_IA32_VMX_PROCBASED_CTLS;
	r = vmx_adjust(CPU_BASED_HLT_EXITING | CPU_BASED_MWAIT_EXITING |
		       CPU_BASED_MONITOR_EXITING | CPU_BASED_RDPMC_EXITING |
		       CPU_BASED_MOV_DR_EXITING | CPU_BASED_UNCOND_IO_EXITING |
		       CPU_BASED_CR8_LOAD_EXITING | CPU_BASED_CR8_STORE_EXITING |
		       CPU_BASED_ACTIVATE_SECONDARY_CONTROLS,
		       CPU_BASED_USE_MSR_BITMAPS | CPU_BASED_USE_TSC_OFFSETTING, msr,
		       "processor-based", &vmx_cfg.proc);
	if (r)
		return r;
	if (vmx_cfg.proc & (CPU_BASED_CR3_LOAD_EXITING | CPU_BASED_CR3_STORE_EXITING)) {
		pr_err("minivisor: the CPU forces CR3 exiting; cannot load\n");
		return -EOPNOTSUPP;
	}

	r = vmx_adjust(SECONDARY_EXEC_ENABLE_EPT | SECONDARY_EXEC_UNRESTRICTED_GUEST,
		       SECONDARY_EXEC_ENABLE_VPID | SECONDARY_EXEC_WBINVD_EXITING,
		       MSR_IA32_VMX_PROCBASED_CTLS2,
		       "secondary", &vmx_cfg.proc2);
	if (r)
		return r;

	msr = true_ctls ? MSR_IA32_VMX_TRUE_EXIT_CTLS : MSR_IA32_VMX_EXIT_CTLS;
	r = vmx_adjust(VM_EXIT_HOST_ADDR_SPACE_SIZE | VM_EXIT_SAVE_IA32_EFER |
		       VM_EXIT_LOAD_IA32_EFER | VM_EXIT_SAVE_IA32_PAT |
		       VM_EXIT_LOAD_IA32_PAT | VM_EXIT_SAVE_DEBUG_CONTROLS, 0, msr,
		       "VM-exit", &vmx_cfg.exit);
	if (r)
		return r;
	/* We take interrupts through the IDT after the exit, not by ack. */
	if (vmx_cfg.exit & VM_EXIT_ACK_INTR_ON_EXIT) {
		pr_err("minivisor: the CPU forces acknowledge-interrupt-on-exit; cannot load\n");
		return -EOPNOTSUPP;
	}

	msr = true_ctls ? MSR_IA32_VMX_TRUE_ENTRY_CTLS : MSR_IA32_VMX_ENTRY_CTLS;
	r = vmx_adjust(VM_ENTRY_LOAD_IA32_EFER | VM_ENTRY_LOAD_IA32_PAT |
		       VM_ENTRY_LOAD_DEBUG_CONTROLS, 0, msr, "VM-entry", &vmx_cfg.entry);
	if (r)
		return r;
	/* IA-32e mode guest is set per vCPU from EFER.LMA. */
	if (vmx_cfg.entry & VM_ENTRY_IA32E_MODE) {
		pr_err("minivisor: the CPU forces the IA-32e mode guest control; cannot load\n");
		return -EOPNOTSUPP;
	}

	/*
	 * Controls set per vCPU when needed (allowed-1 halves, A.3.2, A.3.3):
	 * the monitor trap flag for single-stepping, the interrupt and NMI
	 * windows, and the TPR shadow that APICv builds on.
	 */
	rdmsr(true_ctls ? MSR_IA32_VMX_TRUE_PROCBASED_CTLS : MSR_IA32_VMX_PROCBASED_CTLS, lo, hi);
	vmx_cfg.has_mtf = hi & CPU_BASED_MONITOR_TRAP_FLAG;
	if (!(hi & CPU_BASED_INTR_WINDOW_EXITING)) {
		pr_err("minivisor: the CPU has no interrupt-window exiting; cannot load\n");
		return -EOPNOTSUPP;
	}
	if (!(hi & CPU_BASED_NMI_WINDOW_EXITING))
		vmx_cfg.pin &= ~PIN_BASED_VIRTUAL_NMIS;
	vmx_cfg.has_apicv = hi & CPU_BASED_TPR_SHADOW;

	rdmsr(MSR_IA32_VMX_PROCBASED_CTLS2, lo, hi);
	vmx_cfg.has_desc = hi & SECONDARY_EXEC_DESC;
	vmx_cfg.has_apicv = vmx_cfg.has_apicv &&
		(hi & SECONDARY_EXEC_VIRTUALIZE_APIC_ACCESSES) &&
		(hi & SECONDARY_EXEC_APIC_REGISTER_VIRT) &&
		(hi & SECONDARY_EXEC_VIRTUAL_INTR_DELIVERY);

	rdmsrl(MSR_IA32_VMX_EPT_VPID_CAP, vmx_cfg.ept_vpid_cap);
	if (!(vmx_cfg.ept_vpid_cap & VMX_EPT_PAGE_WALK_4_BIT) ||
	    !(vmx_cfg.ept_vpid_cap & VMX_EPTP_WB_BIT) ||
	    !(vmx_cfg.ept_vpid_cap & VMX_EPT_INVEPT_BIT) ||
	    !(vmx_cfg.ept_vpid_cap & VMX_EPT_EXTENT_GLOBAL_BIT)) {
		pr_err("minivisor: EPT lacks 4-level walks, write-back tables or all-context INVEPT; cannot load\n");
		return -EOPNOTSUPP;
	}
	vmx_cfg.has_vpid = (vmx_cfg.proc2 & SECONDARY_EXEC_ENABLE_VPID) &&
			   (vmx_cfg.ept_vpid_cap & VPID_CAP_INVVPID) &&
			   (vmx_cfg.ept_vpid_cap & VPID_CAP_ALL);
	/* Without it every vCPU gets VPID 0, and its VMCS drops the control. */

	rdmsr(MSR_IA32_VMX_CR0_FIXED0, lo, hi);
	vmx_cfg.cr0_fixed0 = lo | ((u64)hi << 32);
	rdmsr(MSR_IA32_VMX_CR0_FIXED1, lo, hi);
	vmx_cfg.cr0_fixed1 = lo | ((u64)hi << 32);
	rdmsr(MSR_IA32_VMX_CR4_FIXED0, lo, hi);
	vmx_cfg.cr4_fixed0 = lo | ((u64)hi << 32);
	rdmsr(MSR_IA32_VMX_CR4_FIXED1, lo, hi);
	vmx_cfg.cr4_fixed1 = lo | ((u64)hi << 32);

	vmx_setup_slice();

	/* 4-level EPT maps 48 bits of guest-physical space. */
	vmx_cfg.phys_bits = min_t(unsigned int, boot_cpu_data.x86_phys_bits, 48);
	vmx_setup_xsave();
	return 0;
}

u64 vmx_cap(unsigned int cap)
{
	switch (cap) {
	case MV_CAP_UNRESTRICTED:
		return 1;
	case MV_CAP_GUEST_PHYS_BITS:
		return vmx_cfg.phys_bits;
	case MV_CAP_GUEST_DEBUG:
		return MV_GUESTDBG_VALID;
	case MV_CAP_GUEST_DEBUG_MTF:
		return vmx_cfg.has_mtf;
	case MV_CAP_DESC_EXIT:
		return vmx_cfg.has_desc;
	case MV_CAP_LAPIC:
		return MV_LAPIC_XAPIC | MV_LAPIC_X2APIC |
		       (vmx_apicv_supported() ? MV_LAPIC_APICV : 0);
	case MV_CAP_VMX_OWNER:
		return READ_ONCE(vmx_owner);
	default:
		return 0;
	}
}
