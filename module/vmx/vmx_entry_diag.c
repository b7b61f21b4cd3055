// SPDX-License-Identifier: GPL-2.0
/*
 * VM-entry failure diagnostics. The processor reports only that an entry
 * failed: basic exit reason 33 (invalid guest state) or 34 (MSR loading)
 * with the failed-entry bit (SDM Vol. 3C 27.8), or VMfailValid with
 * VM-instruction error 7 (invalid control field) or 8 (invalid host-state
 * field, 27.2). Here the VMCS is read back into a snapshot and checked in
 * software against the SDM's rules (common/vmx_entry_check.c) to name the
 * first rule it breaks, for userspace (mv_run.fail_entry.check) and for a
 * rate-limited kernel log line. Runs only after a failure: the normal exit
 * path never comes here.
 */
#include <linux/kernel.h>
#include <linux/printk.h>
#include <linux/ratelimit.h>
#include <asm/msr.h>
#include <asm/processor.h>
#include "vmx.h"
#include "../../common/vmx_entry_check.c"

#define DIAG_BASIC_TRUE_CTLS	(1ULL << 55)	/* IA32_VMX_BASIC, SDM Vol. 3C A.1 */

static void diag_caps(struct mv_entry_state *s)
{
	bool true_ctls;
	u32 width;

	rdmsrl(MSR_IA32_VMX_BASIC, s->basic);
	true_ctls = s->basic & DIAG_BASIC_TRUE_CTLS;
	rdmsrl(true_ctls ? MSR_IA32_VMX_TRUE_PINBASED_CTLS : MSR_IA32_VMX_PINBASED_CTLS,
	       s->pin_cap);
	rdmsrl(true_ctls ? MSR_IA32_VMX_TRUE_PROCBASED_CTLS : MSR_IA32_VMX_PROCBASED_CTLS,
	       s->proc_cap);
	rdmsrl(MSR_IA32_VMX_PROCBASED_CTLS2, s->proc2_cap);
	rdmsrl(true_ctls ? MSR_IA32_VMX_TRUE_EXIT_CTLS : MSR_IA32_VMX_EXIT_CTLS, s->exit_cap);
	rdmsrl(true_ctls ? MSR_IA32_VMX_TRUE_ENTRY_CTLS : MSR_IA32_VMX_ENTRY_CTLS,
	       s->entry_cap);
	rdmsrl(MSR_IA32_VMX_MISC, s->misc);
	s->ept_vpid_cap = vmx_cfg.ept_vpid_cap;
	s->cr0_fixed0 = vmx_cfg.cr0_fixed0;
	s->cr0_fixed1 = vmx_cfg.cr0_fixed1;
	s->cr4_fixed0 = vmx_cfg.cr4_fixed0;
	s->cr4_fixed1 = vmx_cfg.cr4_fixed1;
	s->efer_valid = EFER_SCE | EFER_LME | EFER_LMA |
			(boot_cpu_has(X86_FEATURE_NX) ? EFER_NX : 0);
	/*
	 * The widths the processor checks against: CPUID 80000008H, not the
	 * kernel's x86_phys_bits, which memory encryption may have reduced.
	 */
	width = cpuid_eax(0x80000008);
	s->phys_bits = width & 0xff;
	s->linear_bits = (width >> 8) & 0xff;
}

static void diag_controls(struct mv_entry_state *s)
{
	s->pin = vmcs_read32(PIN_BASED_VM_EXEC_CONTROL);
	s->proc = vmcs_read32(CPU_BASED_VM_EXEC_CONTROL);
	s->proc2 = vmcs_read32(SECONDARY_VM_EXEC_CONTROL);
	s->exit = vmcs_read32(VM_EXIT_CONTROLS);
	s->entry = vmcs_read32(VM_ENTRY_CONTROLS);
	s->cr3_target_count = vmcs_read32(CR3_TARGET_COUNT);
	s->msr_bitmap = vmcs_read64(MSR_BITMAP);
	s->eptp = vmcs_read64(EPT_POINTER);
	s->vpid = vmcs_read16(VIRTUAL_PROCESSOR_ID);
	s->exit_msr_store_count = vmcs_read32(VM_EXIT_MSR_STORE_COUNT);
	s->exit_msr_load_count = vmcs_read32(VM_EXIT_MSR_LOAD_COUNT);
	s->entry_msr_load_count = vmcs_read32(VM_ENTRY_MSR_LOAD_COUNT);
	s->exit_msr_store_addr = vmcs_read64(VM_EXIT_MSR_STORE_ADDR);
	s->exit_msr_load_addr = vmcs_read64(VM_EXIT_MSR_LOAD_ADDR);
	s->entry_msr_load_addr = vmcs_read64(VM_ENTRY_MSR_LOAD_ADDR);
	s->entry_intr_info = vmcs_read32(VM_ENTRY_INTR_INFO_FIELD);
	s->entry_error_code = vmcs_read32(VM_ENTRY_EXCEPTION_ERROR_CODE);
	s->entry_insn_len = vmcs_read32(VM_ENTRY_INSTRUCTION_LEN);
}

static void diag_host(struct mv_entry_state *s)
{
	int i;

	s->host_cr0 = vmcs_readl(HOST_CR0);
	s->host_cr3 = vmcs_readl(HOST_CR3);
	s->host_cr4 = vmcs_readl(HOST_CR4);
	/* HOST_ES_SELECTOR .. HOST_GS_SELECTOR step by 2 (appendix B.1.3). */
	for (i = MV_EC_ES; i <= MV_EC_GS; i++)
		s->host_sel[i] = vmcs_read16(HOST_ES_SELECTOR + 2 * i);
	s->host_sel[MV_EC_TR] = vmcs_read16(HOST_TR_SELECTOR);
	s->host_fs_base = vmcs_readl(HOST_FS_BASE);
	s->host_gs_base = vmcs_readl(HOST_GS_BASE);
	s->host_tr_base = vmcs_readl(HOST_TR_BASE);
	s->host_gdtr_base = vmcs_readl(HOST_GDTR_BASE);
	s->host_idtr_base = vmcs_readl(HOST_IDTR_BASE);
	s->host_sysenter_esp = vmcs_readl(HOST_IA32_SYSENTER_ESP);
	s->host_sysenter_eip = vmcs_readl(HOST_IA32_SYSENTER_EIP);
	s->host_pat = vmcs_read64(HOST_IA32_PAT);
	s->host_efer = vmcs_read64(HOST_IA32_EFER);
	s->host_rip = vmcs_readl(HOST_RIP);
}

static void diag_guest(struct mv_entry_state *s)
{
	int i;

	s->cr0 = vmcs_readl(GUEST_CR0);
	s->cr3 = vmcs_readl(GUEST_CR3);
	s->cr4 = vmcs_readl(GUEST_CR4);
	s->dr7 = vmcs_readl(GUEST_DR7);
	s->debugctl = vmcs_read64(GUEST_IA32_DEBUGCTL);
	s->pat = vmcs_read64(GUEST_IA32_PAT);
	s->efer = vmcs_read64(GUEST_IA32_EFER);
	s->sysenter_esp = vmcs_readl(GUEST_SYSENTER_ESP);
	s->sysenter_eip = vmcs_readl(GUEST_SYSENTER_EIP);
	s->rip = vmcs_readl(GUEST_RIP);
	s->rsp = vmcs_readl(GUEST_RSP);
	s->rflags = vmcs_readl(GUEST_RFLAGS);
	/* Guest segment fields: ES, CS, SS, DS, FS, GS, LDTR, TR, stepping by 2. */
	for (i = 0; i < MV_EC_NR_SEGS; i++) {
		s->seg[i].sel = vmcs_read16(GUEST_ES_SELECTOR + 2 * i);
		s->seg[i].base = vmcs_readl(GUEST_ES_BASE + 2 * i);
		s->seg[i].limit = vmcs_read32(GUEST_ES_LIMIT + 2 * i);
		s->seg[i].ar = vmcs_read32(GUEST_ES_AR_BYTES + 2 * i);
	}
	s->gdtr_base = vmcs_readl(GUEST_GDTR_BASE);
	s->gdtr_limit = vmcs_read32(GUEST_GDTR_LIMIT);
	s->idtr_base = vmcs_readl(GUEST_IDTR_BASE);
	s->idtr_limit = vmcs_read32(GUEST_IDTR_LIMIT);
	s->activity = vmcs_read32(GUEST_ACTIVITY_STATE);
	s->interruptibility = vmcs_read32(GUEST_INTERRUPTIBILITY_INFO);
	s->pending_dbg = vmcs_readl(GUEST_PENDING_DBG_EXCEPTIONS);
	s->link_pointer = vmcs_read64(VMCS_LINK_POINTER);
	for (i = 0; i < 4; i++)
		s->pdpte[i] = vmcs_read64(GUEST_PDPTR0 + 2 * i);
}

/*
 * One rate-limited line. A guest state userspace gave us is its own
 * business: notice level, which keeps it off a quiet console (it would
 * interleave with whatever else writes there). A VMfail is a minivisor
 * bug and already has its WARN: error level.
 */
static __printf(2, 3) void diag_log(u32 vm_error, const char *fmt, ...)
{
	static DEFINE_RATELIMIT_STATE(rs, DEFAULT_RATELIMIT_INTERVAL, DEFAULT_RATELIMIT_BURST);
	struct va_format vaf;
	va_list args;

	if (!__ratelimit(&rs))
		return;
	va_start(args, fmt);
	vaf.fmt = fmt;
	vaf.va = &args;
	if (vm_error)
		pr_err("minivisor: %pV\n", &vaf);
	else
		pr_notice("minivisor: %pV\n", &vaf);
	va_end(args);
}

/*
 * A failed entry: basic exit reason (33, 34, 41) with vm_error 0, or a
 * VMfail with its VM-instruction error. Checks only the part of the state
 * the failure points at (the processor already accepted the rest) and
 * returns the rule id, 0 if no rule of that part is broken. Called with
 * the vCPU's VMCS current on this CPU.
 */
u32 vmx_entry_diag(u32 exit_reason, u32 vm_error)
{
	struct mv_entry_state s = {};
	const struct mv_entry_rule *rule;
	struct mv_entry_result res;
	const char *group, *seg;
	unsigned int groups;
	char what[32];

	if (vm_error == VMXERR_ENTRY_INVALID_CONTROL_FIELD)
		groups = MV_EC_GROUP_CONTROLS;
	else if (vm_error == VMXERR_ENTRY_INVALID_HOST_STATE_FIELD)
		groups = MV_EC_GROUP_HOST;
	else if (!vm_error && (exit_reason == EXIT_REASON_INVALID_STATE ||
			       exit_reason == EXIT_REASON_MSR_LOAD_FAIL))
		groups = MV_EC_GROUP_GUEST;	/* 34: the guest state passed too */
	else
		return MV_EC_NONE;		/* a machine check, or not a state problem */

	if (vm_error)
		snprintf(what, sizeof(what), "VM-instruction error %u", vm_error);
	else
		snprintf(what, sizeof(what), "exit reason %u", exit_reason);

	diag_caps(&s);
	diag_controls(&s);
	diag_host(&s);
	diag_guest(&s);
	res = mv_entry_check(&s, groups);
	rule = mv_entry_rule_get(res.rule);
	if (!rule) {
		diag_log(vm_error, "VM entry failed (%s): the software check of the %s finds no broken rule",
			 what, groups == MV_EC_GROUP_CONTROLS ? "VMX controls" :
			 groups == MV_EC_GROUP_HOST ? "host state" : "guest state");
		return MV_EC_NONE;
	}
	group = rule->group == MV_EC_GROUP_CONTROLS ? "control" :
		rule->group == MV_EC_GROUP_HOST ? "host" : "guest";
	/* The segment goes in front unless the rule's text names it already. */
	seg = mv_entry_seg_name(res.seg);
	if (*seg && !strncmp(rule->text, seg, strlen(seg)))
		seg = "";
	diag_log(vm_error, "VM entry failed: %s %s%s%s (SDM %s; rule %u %s, %s)", group, seg,
		 *seg ? " " : "", rule->text, rule->sdm, rule->id, rule->name, what);
	return rule->id;
}
