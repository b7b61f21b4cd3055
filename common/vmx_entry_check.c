// SPDX-License-Identifier: GPL-2.0
/*
 * VM-entry checks in software, Intel SDM Vol. 3C chapter 27 (chapter 26
 * before the 2023 editions): 27.2.1 VMX controls, 27.2.2-27.2.4 host state,
 * 27.3.1.1-27.3.1.6 guest state. See vmx_entry_check.h.
 *
 * The SDM does not define the order in which a processor performs the
 * checks; this engine follows the order of the SDM's text, except that the
 * RFLAGS checks of 27.3.1.4 come before the segment checks of 27.3.1.2,
 * because RFLAGS.VM decides which segment rules apply (a VM flag that is
 * itself illegal is the better report than the segments it makes wrong).
 *
 * Only rules a state snapshot can decide are here: nothing that needs guest
 * memory (the VMCS link pointer's revision ID, MSR-load entries) or state
 * outside the VMCS (SMM, the current VMCS pointer). A state that breaks no
 * rule here can still fail on such a check.
 */
#include "vmx_entry_check.h"

/* Control bits, SDM Vol. 3C 25.6-25.8 (tables 25-5 to 25-16). */
#define EC_PIN_NMI_EXITING	(1u << 3)
#define EC_PIN_VIRTUAL_NMIS	(1u << 5)
#define EC_PIN_PREEMPT_TIMER	(1u << 6)
#define EC_PROC_NMI_WINDOW	(1u << 22)
#define EC_PROC_MTF		(1u << 27)
#define EC_PROC_MSR_BITMAPS	(1u << 28)
#define EC_PROC_SECONDARY	(1u << 31)
#define EC_PROC2_EPT		(1u << 1)
#define EC_PROC2_VPID		(1u << 5)
#define EC_PROC2_UNRESTRICTED	(1u << 7)
#define EC_EXIT_HOST_ADDR_SIZE	(1u << 9)
#define EC_EXIT_LOAD_PAT	(1u << 19)
#define EC_EXIT_LOAD_EFER	(1u << 21)
#define EC_EXIT_SAVE_PREEMPT	(1u << 22)
#define EC_ENTRY_LOAD_DEBUG	(1u << 2)
#define EC_ENTRY_IA32E		(1u << 9)
#define EC_ENTRY_SMM		(1u << 10)
#define EC_ENTRY_DUAL_MONITOR	(1u << 11)
#define EC_ENTRY_LOAD_PAT	(1u << 14)
#define EC_ENTRY_LOAD_EFER	(1u << 15)

/* VM-entry interruption-information field, 25.8.3 table 25-17. */
#define EC_INTR_VALID		(1u << 31)
#define EC_INTR_DELIVER_CODE	(1u << 11)
#define EC_INTR_TYPE(i)		(((i) >> 8) & 7)
#define EC_INTR_VECTOR(i)	((i) & 0xff)
#define EC_TYPE_EXT_INTR	0
#define EC_TYPE_RESERVED	1
#define EC_TYPE_NMI		2
#define EC_TYPE_HW_EXC		3
#define EC_TYPE_SW_INTR		4
#define EC_TYPE_PRIV_SW_EXC	5
#define EC_TYPE_SW_EXC		6
#define EC_TYPE_OTHER		7
/* #DF #TS #NP #SS #GP #PF #AC push an error code (Vol. 3A 6.13). */
#define EC_ERRCODE_VECTORS	((1u << 8) | (1u << 10) | (1u << 11) | (1u << 12) | \
				 (1u << 13) | (1u << 14) | (1u << 17))

/* Capability MSR bits, SDM Vol. 3C appendix A. */
#define EC_BASIC_ANY_ERRCODE	(1ull << 56)	/* A.1: error code with any exception */
#define EC_MISC_ACT_HLT		(1ull << 6)	/* A.6 */
#define EC_MISC_ACT_SHUTDOWN	(1ull << 7)
#define EC_MISC_ACT_SIPI	(1ull << 8)
#define EC_MISC_ZERO_INSN_LEN	(1ull << 30)
#define EC_EPT_WALK4		(1ull << 6)	/* A.10 */
#define EC_EPT_WALK5		(1ull << 7)
#define EC_EPT_UC		(1ull << 8)
#define EC_EPT_WB		(1ull << 14)
#define EC_EPT_AD		(1ull << 21)

/* Registers. */
#define EC_CR0_PE		(1ull << 0)
#define EC_CR0_WP		(1ull << 16)
#define EC_CR0_PG		(1ull << 31)
#define EC_CR4_PAE		(1ull << 5)
#define EC_CR4_PCIDE		(1ull << 17)
#define EC_CR4_CET		(1ull << 23)
#define EC_EFER_LME		(1ull << 8)
#define EC_EFER_LMA		(1ull << 10)
#define EC_RFLAGS_TF		(1ull << 8)
#define EC_RFLAGS_IF		(1ull << 9)
#define EC_RFLAGS_VM		(1ull << 17)
/* RFLAGS bits 63:22, 15, 5, 3 are reserved (0); bit 1 is 1 (27.3.1.4). */
#define EC_RFLAGS_RESERVED	(~0ull << 22 | (1ull << 15) | (1ull << 5) | (1ull << 3))
#define EC_RFLAGS_FIXED		(1ull << 1)
#define EC_DEBUGCTL_BTF		(1ull << 1)
/* IA32_DEBUGCTL: bits 0, 1 and 15:6 are defined (Vol. 4 table 2-2). */
#define EC_DEBUGCTL_VALID	0xffc3ull

/* Access rights, 25.4.1 table 25-2. */
#define EC_AR_TYPE(ar)		((ar) & 0xf)
#define EC_AR_S			(1u << 4)
#define EC_AR_DPL(ar)		(((ar) >> 5) & 3)
#define EC_AR_P			(1u << 7)
#define EC_AR_L			(1u << 13)
#define EC_AR_DB			(1u << 14)
#define EC_AR_G			(1u << 15)
#define EC_AR_UNUSABLE		(1u << 16)
#define EC_AR_RESERVED		(0xfffe0000u | 0xf00u)

/* Interruptibility state, 25.4.2 table 25-3. */
#define EC_INTR_STI		(1u << 0)
#define EC_INTR_MOV_SS		(1u << 1)
#define EC_INTR_SMI		(1u << 2)
#define EC_INTR_STATE_VALID	0x1fu

/* Pending debug exceptions, 25.4.2 table 25-4: B3-B0, enabled bp, BS, RTM. */
#define EC_DBG_BS		(1ull << 14)
#define EC_DBG_VALID		(0xfull | (1ull << 12) | EC_DBG_BS | (1ull << 16))

#define EC_ACT_ACTIVE		0
#define EC_ACT_HLT		1
#define EC_ACT_SHUTDOWN		2
#define EC_ACT_SIPI		3

#define C MV_EC_GROUP_CONTROLS
#define H MV_EC_GROUP_HOST
#define G MV_EC_GROUP_GUEST

static const struct mv_entry_rule rules[] = {
	{ MV_EC_CTL_PIN, C, "ctl_pin", "27.2.1.1",
	  "pin-based VM-execution controls not allowed by IA32_VMX_PINBASED_CTLS" },
	{ MV_EC_CTL_PROC, C, "ctl_proc", "27.2.1.1",
	  "primary processor-based controls not allowed by IA32_VMX_PROCBASED_CTLS" },
	{ MV_EC_CTL_PROC2, C, "ctl_proc2", "27.2.1.1",
	  "secondary processor-based controls not allowed by IA32_VMX_PROCBASED_CTLS2" },
	{ MV_EC_CTL_CR3_TARGETS, C, "ctl_cr3_target_count", "27.2.1.1",
	  "CR3-target count above IA32_VMX_MISC[24:16]" },
	{ MV_EC_CTL_MSR_BITMAP, C, "ctl_msr_bitmap", "27.2.1.1",
	  "MSR-bitmap address not 4-KiB aligned or beyond the physical-address width" },
	{ MV_EC_CTL_VIRTUAL_NMI, C, "ctl_virtual_nmi", "27.2.1.1",
	  "virtual NMIs without NMI exiting" },
	{ MV_EC_CTL_NMI_WINDOW, C, "ctl_nmi_window", "27.2.1.1",
	  "NMI-window exiting without virtual NMIs" },
	{ MV_EC_CTL_EPTP, C, "ctl_eptp", "27.2.1.1",
	  "EPT pointer: memory type, walk length, A/D flag or reserved bits not supported" },
	{ MV_EC_CTL_UG_WITHOUT_EPT, C, "ctl_unrestricted_without_ept", "27.2.1.1",
	  "unrestricted guest without enable EPT" },
	{ MV_EC_CTL_VPID_ZERO, C, "ctl_vpid_zero", "27.2.1.1",
	  "enable VPID with VPID 0" },
	{ MV_EC_CTL_EXIT, C, "ctl_exit", "27.2.1.2",
	  "VM-exit controls not allowed by IA32_VMX_EXIT_CTLS" },
	{ MV_EC_CTL_PREEMPT_SAVE, C, "ctl_preempt_save", "27.2.1.2",
	  "save VMX-preemption timer value without activate VMX-preemption timer" },
	{ MV_EC_CTL_EXIT_MSR_STORE, C, "ctl_exit_msr_store", "27.2.1.2",
	  "VM-exit MSR-store address not 16-byte aligned or beyond the physical-address width" },
	{ MV_EC_CTL_EXIT_MSR_LOAD, C, "ctl_exit_msr_load", "27.2.1.2",
	  "VM-exit MSR-load address not 16-byte aligned or beyond the physical-address width" },
	{ MV_EC_CTL_ENTRY, C, "ctl_entry", "27.2.1.3",
	  "VM-entry controls not allowed by IA32_VMX_ENTRY_CTLS" },
	{ MV_EC_CTL_INTR_TYPE, C, "ctl_intr_type", "27.2.1.3",
	  "VM-entry interruption type reserved or not supported" },
	{ MV_EC_CTL_INTR_VECTOR, C, "ctl_intr_vector", "27.2.1.3",
	  "VM-entry interruption vector invalid for its type" },
	{ MV_EC_CTL_INTR_ERRCODE, C, "ctl_intr_errcode", "27.2.1.3",
	  "VM-entry deliver-error-code bit does not match the vector and CR0.PE" },
	{ MV_EC_CTL_INTR_RESERVED, C, "ctl_intr_reserved", "27.2.1.3",
	  "VM-entry interruption-information bits 30:12 set" },
	{ MV_EC_CTL_ERRCODE_HIGH, C, "ctl_errcode_high", "27.2.1.3",
	  "VM-entry exception error code bits 31:16 set" },
	{ MV_EC_CTL_INSN_LEN, C, "ctl_insn_len", "27.2.1.3",
	  "VM-entry instruction length of a software event not 1 to 15" },
	{ MV_EC_CTL_ENTRY_MSR_LOAD, C, "ctl_entry_msr_load", "27.2.1.3",
	  "VM-entry MSR-load address not 16-byte aligned or beyond the physical-address width" },
	{ MV_EC_CTL_ENTRY_SMM, C, "ctl_entry_smm", "27.2.1.3",
	  "entry to SMM or deactivate dual-monitor treatment outside SMM" },

	{ MV_EC_HOST_CR0, H, "host_cr0", "27.2.2",
	  "CR0 not allowed by IA32_VMX_CR0_FIXED0/1" },
	{ MV_EC_HOST_CR4, H, "host_cr4", "27.2.2",
	  "CR4 not allowed by IA32_VMX_CR4_FIXED0/1" },
	{ MV_EC_HOST_CR3, H, "host_cr3", "27.2.2",
	  "CR3 beyond the physical-address width" },
	{ MV_EC_HOST_SYSENTER, H, "host_sysenter", "27.2.2",
	  "IA32_SYSENTER_ESP or _EIP not canonical" },
	{ MV_EC_HOST_PAT, H, "host_pat", "27.2.2",
	  "IA32_PAT holds an invalid memory type" },
	{ MV_EC_HOST_EFER_RESERVED, H, "host_efer_reserved", "27.2.2",
	  "IA32_EFER reserved bits set" },
	{ MV_EC_HOST_EFER_LMA, H, "host_efer_lma", "27.2.2",
	  "IA32_EFER.LMA or LME not equal to host address-space size" },
	{ MV_EC_HOST_SEL_RPL_TI, H, "host_selector_rpl_ti", "27.2.3",
	  "selector RPL or TI not 0" },
	{ MV_EC_HOST_CS_NULL, H, "host_cs_null", "27.2.3",
	  "CS selector 0" },
	{ MV_EC_HOST_TR_NULL, H, "host_tr_null", "27.2.3",
	  "TR selector 0" },
	{ MV_EC_HOST_BASE, H, "host_base_canonical", "27.2.3",
	  "FS, GS, TR, GDTR or IDTR base not canonical" },
	{ MV_EC_HOST_ADDR_SIZE, H, "host_addr_size", "27.2.4",
	  "host address-space size 0 on a processor in IA-32e mode" },
	{ MV_EC_HOST_CR4_PAE, H, "host_cr4_pae", "27.2.4",
	  "CR4.PAE clear with host address-space size 1" },
	{ MV_EC_HOST_RIP, H, "host_rip", "27.2.4",
	  "RIP not canonical" },

	{ MV_EC_CR0_FIXED, G, "cr0_fixed", "27.3.1.1",
	  "CR0 not allowed by IA32_VMX_CR0_FIXED0/1" },
	{ MV_EC_CR0_PG_NO_PE, G, "cr0_pg_without_pe", "27.3.1.1",
	  "CR0.PG set without CR0.PE" },
	{ MV_EC_CR4_FIXED, G, "cr4_fixed", "27.3.1.1",
	  "CR4 not allowed by IA32_VMX_CR4_FIXED0/1" },
	{ MV_EC_CR4_CET_NO_WP, G, "cr4_cet_without_wp", "27.3.1.1",
	  "CR4.CET set without CR0.WP" },
	{ MV_EC_DEBUGCTL, G, "debugctl_reserved", "27.3.1.1",
	  "IA32_DEBUGCTL reserved bits set" },
	{ MV_EC_IA32E_NO_PAE, G, "ia32e_without_pae", "27.3.1.1",
	  "CR4.PAE clear with IA-32e mode" },
	{ MV_EC_PCIDE_NO_IA32E, G, "pcide_without_ia32e", "27.3.1.1",
	  "CR4.PCIDE set outside IA-32e mode" },
	{ MV_EC_CR3_WIDTH, G, "cr3_width", "27.3.1.1",
	  "CR3 beyond the physical-address width" },
	{ MV_EC_DR7_HIGH, G, "dr7_high", "27.3.1.1",
	  "DR7 bits 63:32 set" },
	{ MV_EC_SYSENTER, G, "sysenter_canonical", "27.3.1.1",
	  "IA32_SYSENTER_ESP or _EIP not canonical" },
	{ MV_EC_PAT, G, "pat", "27.3.1.1",
	  "IA32_PAT holds an invalid memory type" },
	{ MV_EC_EFER_RESERVED, G, "efer_reserved", "27.3.1.1",
	  "IA32_EFER reserved bits set" },
	{ MV_EC_EFER_LMA, G, "efer_lma", "27.3.1.1",
	  "IA32_EFER.LMA not equal to the IA-32e mode guest control" },
	{ MV_EC_EFER_LME, G, "efer_lme", "27.3.1.1",
	  "IA32_EFER.LME not equal to LMA with CR0.PG set" },

	{ MV_EC_TR_TI, G, "tr_ti", "27.3.1.2",
	  "TR selector TI set" },
	{ MV_EC_LDTR_TI, G, "ldtr_ti", "27.3.1.2",
	  "LDTR selector TI set" },
	{ MV_EC_SS_RPL, G, "ss_rpl", "27.3.1.2",
	  "SS.RPL not equal to CS.RPL" },
	{ MV_EC_V86_BASE, G, "v86_base", "27.3.1.2",
	  "base not selector * 16 in virtual-8086 mode" },
	{ MV_EC_V86_LIMIT, G, "v86_limit", "27.3.1.2",
	  "limit not 0xffff in virtual-8086 mode" },
	{ MV_EC_V86_AR, G, "v86_ar", "27.3.1.2",
	  "access rights not 0xf3 in virtual-8086 mode" },
	{ MV_EC_BASE_CANONICAL, G, "base_canonical", "27.3.1.2",
	  "base not canonical" },
	{ MV_EC_BASE_HIGH, G, "base_high", "27.3.1.2",
	  "base bits 63:32 set" },
	{ MV_EC_CS_TYPE, G, "cs_type", "27.3.1.2",
	  "CS type not an accessed code segment (or read/write data with unrestricted guest)" },
	{ MV_EC_SS_TYPE, G, "ss_type", "27.3.1.2",
	  "SS type not an accessed read/write data segment" },
	{ MV_EC_DATA_NOT_ACCESSED, G, "data_not_accessed", "27.3.1.2",
	  "type not accessed" },
	{ MV_EC_CODE_NOT_READABLE, G, "code_not_readable", "27.3.1.2",
	  "code segment not readable" },
	{ MV_EC_SEG_NOT_S, G, "seg_s_clear", "27.3.1.2",
	  "S (code or data) clear" },
	{ MV_EC_CS_DPL_DATA, G, "cs_dpl_data", "27.3.1.2",
	  "CS.DPL not 0 with CS type 3 (read/write data)" },
	{ MV_EC_CS_DPL_NONCONF, G, "cs_dpl_nonconforming", "27.3.1.2",
	  "CS.DPL not equal to SS.DPL for a non-conforming code segment" },
	{ MV_EC_CS_DPL_CONF, G, "cs_dpl_conforming", "27.3.1.2",
	  "CS.DPL above SS.DPL for a conforming code segment" },
	{ MV_EC_SS_DPL_RPL, G, "ss_dpl_rpl", "27.3.1.2",
	  "SS.DPL not equal to SS.RPL" },
	{ MV_EC_SS_DPL_NOT_0, G, "ss_dpl_not_0", "27.3.1.2",
	  "SS.DPL not 0 with CR0.PE clear or CS type 3" },
	{ MV_EC_DATA_DPL_RPL, G, "data_dpl_below_rpl", "27.3.1.2",
	  "DPL below RPL" },
	{ MV_EC_SEG_NOT_PRESENT, G, "seg_not_present", "27.3.1.2",
	  "not present" },
	{ MV_EC_SEG_AR_RESERVED, G, "seg_ar_reserved", "27.3.1.2",
	  "access-rights reserved bits set" },
	{ MV_EC_CS_L_AND_D, G, "cs_l_and_d", "27.3.1.2",
	  "CS.L and CS.D both set with IA-32e mode" },
	{ MV_EC_SEG_LIMIT_G, G, "seg_limit_g", "27.3.1.2",
	  "limit and G bit inconsistent" },
	{ MV_EC_TR_TYPE, G, "tr_type", "27.3.1.2",
	  "TR type not a busy TSS (11 in IA-32e mode, 3 or 11 otherwise)" },
	{ MV_EC_SYS_SEG_S, G, "system_seg_s_set", "27.3.1.2",
	  "S set on a system segment" },
	{ MV_EC_TR_UNUSABLE, G, "tr_unusable", "27.3.1.2",
	  "TR unusable" },
	{ MV_EC_LDTR_TYPE, G, "ldtr_type", "27.3.1.2",
	  "LDTR type not 2 (LDT)" },

	{ MV_EC_GDTR_CANONICAL, G, "gdtr_canonical", "27.3.1.3",
	  "GDTR base not canonical" },
	{ MV_EC_IDTR_CANONICAL, G, "idtr_canonical", "27.3.1.3",
	  "IDTR base not canonical" },
	{ MV_EC_DTR_LIMIT, G, "dtr_limit", "27.3.1.3",
	  "GDTR or IDTR limit bits 31:16 set" },

	{ MV_EC_RIP_HIGH, G, "rip_high", "27.3.1.4",
	  "RIP bits 63:32 set outside 64-bit mode" },
	{ MV_EC_RIP_CANONICAL, G, "rip_canonical", "27.3.1.4",
	  "RIP not canonical in 64-bit mode" },
	{ MV_EC_RFLAGS_RESERVED, G, "rflags_reserved", "27.3.1.4",
	  "RFLAGS reserved bits set or bit 1 clear" },
	{ MV_EC_RFLAGS_VM, G, "rflags_vm", "27.3.1.4",
	  "RFLAGS.VM set with IA-32e mode or CR0.PE clear" },
	{ MV_EC_RFLAGS_IF_EXTINT, G, "rflags_if_extint", "27.3.1.4",
	  "RFLAGS.IF clear while injecting an external interrupt" },

	{ MV_EC_ACTIVITY, G, "activity_state", "27.3.1.5",
	  "activity state not supported" },
	{ MV_EC_ACTIVITY_HLT_DPL, G, "activity_hlt_dpl", "27.3.1.5",
	  "HLT activity state with SS.DPL not 0" },
	{ MV_EC_ACTIVITY_SHADOW, G, "activity_shadow", "27.3.1.5",
	  "STI or MOV SS blocking outside the active state" },
	{ MV_EC_INTR_RESERVED, G, "intr_state_reserved", "27.3.1.5",
	  "interruptibility-state reserved bits set" },
	{ MV_EC_INTR_STI_MOVSS, G, "intr_sti_and_mov_ss", "27.3.1.5",
	  "blocking by STI and by MOV SS both set" },
	{ MV_EC_INTR_STI_IF, G, "intr_sti_without_if", "27.3.1.5",
	  "blocking by STI with RFLAGS.IF clear" },
	{ MV_EC_INTR_EXTINT, G, "intr_extint_blocked", "27.3.1.5",
	  "STI or MOV SS blocking while injecting an external interrupt" },
	{ MV_EC_INTR_NMI, G, "intr_nmi_mov_ss", "27.3.1.5",
	  "MOV SS blocking while injecting an NMI" },
	{ MV_EC_INTR_SMI, G, "intr_smi", "27.3.1.5",
	  "blocking by SMI outside SMM" },
	{ MV_EC_PENDING_DBG, G, "pending_dbg_reserved", "27.3.1.5",
	  "pending debug exceptions reserved bits set" },
	{ MV_EC_PENDING_DBG_BS, G, "pending_dbg_bs", "27.3.1.5",
	  "pending BS not equal to RFLAGS.TF (and not DEBUGCTL.BTF) with STI/MOV SS blocking or HLT" },
	{ MV_EC_LINK_POINTER, G, "link_pointer", "27.3.1.5",
	  "VMCS link pointer not all ones and not an aligned address in the physical-address width" },

	{ MV_EC_PDPTE, G, "pdpte_reserved", "27.3.1.6",
	  "present PAE PDPTE with reserved bits set" },
};

#undef C
#undef H
#undef G

unsigned int mv_entry_rule_count(void)
{
	return sizeof(rules) / sizeof(rules[0]);
}

const struct mv_entry_rule *mv_entry_rule_at(unsigned int i)
{
	return i < mv_entry_rule_count() ? &rules[i] : NULL;
}

const struct mv_entry_rule *mv_entry_rule_get(u32 id)
{
	unsigned int i;

	for (i = 0; i < mv_entry_rule_count(); i++)
		if (rules[i].id == id)
			return &rules[i];
	return NULL;
}

const char *mv_entry_seg_name(int seg)
{
	static const char *const names[MV_EC_NR_SEGS] = {
		"ES", "CS", "SS", "DS", "FS", "GS", "LDTR", "TR",
	};

	return seg >= 0 && seg < MV_EC_NR_SEGS ? names[seg] : "";
}

/* ---- helpers ---- */

static bool canonical(u64 va, unsigned int bits)
{
	s64 v = (s64)(va << (64 - bits));

	return (u64)(v >> (64 - bits)) == va;
}

static bool beyond_width(u64 pa, unsigned int bits)
{
	return bits < 64 && (pa >> bits) != 0;
}

/* Controls word against its capability MSR (A.3-A.5). */
static bool ctl_ok(u32 ctl, u64 cap)
{
	u32 must_be_one = (u32)cap, may_be_one = (u32)(cap >> 32);

	return (ctl & must_be_one) == must_be_one && !(ctl & ~may_be_one);
}

/* Every byte a memory type WRMSR accepts in IA32_PAT: 0, 1, 4, 5, 6, 7. */
static bool pat_ok(u64 pat)
{
	unsigned int i;

	for (i = 0; i < 8; i++) {
		u8 t = (pat >> (8 * i)) & 0xff;

		if (t == 2 || t == 3 || t > 7)
			return false;
	}
	return true;
}

static bool msr_area_bad(u32 count, u64 addr, unsigned int bits)
{
	if (!count)
		return false;
	return (addr & 0xf) || beyond_width(addr, bits) ||
	       beyond_width(addr + (u64)count * 16 - 1, bits);
}

/* G must be 0 if limit[11:0] is not all ones, 1 if limit[31:20] is not 0. */
static bool limit_g_bad(u32 limit, u32 ar)
{
	if ((limit & 0xfff) != 0xfff && (ar & EC_AR_G))
		return true;
	return (limit & 0xfff00000) && !(ar & EC_AR_G);
}

static u32 proc2_of(const struct mv_entry_state *s)
{
	/* Without "activate secondary controls" they all count as 0 (25.6.2). */
	return (s->proc & EC_PROC_SECONDARY) ? s->proc2 : 0;
}

#define FAIL(r)		do { res.rule = (r); return res; } while (0)
#define FAIL_SEG(r, n)	do { res.rule = (r); res.seg = (n); return res; } while (0)

/* ---- 27.2.1 VMX controls ---- */

static bool eptp_bad(u64 eptp, u64 cap, unsigned int bits)
{
	unsigned int type = eptp & 7, walk = (eptp >> 3) & 7;

	if (!((type == 0 && (cap & EC_EPT_UC)) || (type == 6 && (cap & EC_EPT_WB))))
		return true;
	if (!((walk == 3 && (cap & EC_EPT_WALK4)) || (walk == 4 && (cap & EC_EPT_WALK5))))
		return true;
	if ((eptp & (1ull << 6)) && !(cap & EC_EPT_AD))
		return true;
	return (eptp & 0xf00) || beyond_width(eptp, bits);
}

static struct mv_entry_result check_controls(const struct mv_entry_state *s)
{
	struct mv_entry_result res = { MV_EC_NONE, -1 };
	u32 proc2 = proc2_of(s), info = s->entry_intr_info;
	bool ug = proc2 & EC_PROC2_UNRESTRICTED;

	/* 27.2.1.1 */
	if (!ctl_ok(s->pin, s->pin_cap))
		FAIL(MV_EC_CTL_PIN);
	if (!ctl_ok(s->proc, s->proc_cap))
		FAIL(MV_EC_CTL_PROC);
	if ((s->proc & EC_PROC_SECONDARY) && !ctl_ok(s->proc2, s->proc2_cap))
		FAIL(MV_EC_CTL_PROC2);
	if (s->cr3_target_count > ((s->misc >> 16) & 0x1ff))
		FAIL(MV_EC_CTL_CR3_TARGETS);
	if ((s->proc & EC_PROC_MSR_BITMAPS) &&
	    ((s->msr_bitmap & 0xfff) || beyond_width(s->msr_bitmap, s->phys_bits)))
		FAIL(MV_EC_CTL_MSR_BITMAP);
	if (!(s->pin & EC_PIN_NMI_EXITING) && (s->pin & EC_PIN_VIRTUAL_NMIS))
		FAIL(MV_EC_CTL_VIRTUAL_NMI);
	if (!(s->pin & EC_PIN_VIRTUAL_NMIS) && (s->proc & EC_PROC_NMI_WINDOW))
		FAIL(MV_EC_CTL_NMI_WINDOW);
	if ((proc2 & EC_PROC2_EPT) && eptp_bad(s->eptp, s->ept_vpid_cap, s->phys_bits))
		FAIL(MV_EC_CTL_EPTP);
	if (ug && !(proc2 & EC_PROC2_EPT))
		FAIL(MV_EC_CTL_UG_WITHOUT_EPT);
	if ((proc2 & EC_PROC2_VPID) && !s->vpid)
		FAIL(MV_EC_CTL_VPID_ZERO);

	/* 27.2.1.2 */
	if (!ctl_ok(s->exit, s->exit_cap))
		FAIL(MV_EC_CTL_EXIT);
	if (!(s->pin & EC_PIN_PREEMPT_TIMER) && (s->exit & EC_EXIT_SAVE_PREEMPT))
		FAIL(MV_EC_CTL_PREEMPT_SAVE);
	if (msr_area_bad(s->exit_msr_store_count, s->exit_msr_store_addr, s->phys_bits))
		FAIL(MV_EC_CTL_EXIT_MSR_STORE);
	if (msr_area_bad(s->exit_msr_load_count, s->exit_msr_load_addr, s->phys_bits))
		FAIL(MV_EC_CTL_EXIT_MSR_LOAD);

	/* 27.2.1.3 */
	if (!ctl_ok(s->entry, s->entry_cap))
		FAIL(MV_EC_CTL_ENTRY);
	if (info & EC_INTR_VALID) {
		unsigned int type = EC_INTR_TYPE(info), vector = EC_INTR_VECTOR(info);
		bool dec = info & EC_INTR_DELIVER_CODE;
		bool exc = type == EC_TYPE_HW_EXC;
		/* CR0.PE clear is possible only with unrestricted guest. */
		bool pe = (s->cr0 & EC_CR0_PE) || !ug;
		bool listed = vector < 32 && (EC_ERRCODE_VECTORS & (1u << vector));
		bool any = s->basic & EC_BASIC_ANY_ERRCODE;

		if (type == EC_TYPE_RESERVED ||
		    (type == EC_TYPE_OTHER && !((s->proc_cap >> 32) & EC_PROC_MTF)))
			FAIL(MV_EC_CTL_INTR_TYPE);
		if ((type == EC_TYPE_NMI && vector != 2) ||
		    (exc && vector > 31) ||
		    (type == EC_TYPE_OTHER && vector != 0))
			FAIL(MV_EC_CTL_INTR_VECTOR);
		/*
		 * Deliver-error-code must be 1 for a hardware exception in
		 * protected mode whose vector pushes one, and 0 outside
		 * protected mode, for other types and (unless
		 * IA32_VMX_BASIC[56]) for other vectors.
		 */
		if ((dec && (!exc || !pe || (!any && !listed))) ||
		    (!dec && exc && pe && !any && listed))
			FAIL(MV_EC_CTL_INTR_ERRCODE);
		if (info & 0x7ffff000u)
			FAIL(MV_EC_CTL_INTR_RESERVED);
		if (dec && (s->entry_error_code & 0xffff0000u))
			FAIL(MV_EC_CTL_ERRCODE_HIGH);
		if ((type == EC_TYPE_SW_INTR || type == EC_TYPE_PRIV_SW_EXC ||
		     type == EC_TYPE_SW_EXC) &&
		    (s->entry_insn_len > 15 ||
		     (!s->entry_insn_len && !(s->misc & EC_MISC_ZERO_INSN_LEN))))
			FAIL(MV_EC_CTL_INSN_LEN);
	}
	if (msr_area_bad(s->entry_msr_load_count, s->entry_msr_load_addr, s->phys_bits))
		FAIL(MV_EC_CTL_ENTRY_MSR_LOAD);
	/* minivisor never runs in SMM. */
	if (s->entry & (EC_ENTRY_SMM | EC_ENTRY_DUAL_MONITOR))
		FAIL(MV_EC_CTL_ENTRY_SMM);
	return res;
}

/* ---- 27.2.2-27.2.4 host state (the host is a 64-bit kernel: IA-32e mode) ---- */

static struct mv_entry_result check_host(const struct mv_entry_state *s)
{
	struct mv_entry_result res = { MV_EC_NONE, -1 };
	static const int sels[] = { MV_EC_ES, MV_EC_CS, MV_EC_SS, MV_EC_DS, MV_EC_FS,
				    MV_EC_GS, MV_EC_TR };
	bool wide = s->exit & EC_EXIT_HOST_ADDR_SIZE;
	unsigned int lb = s->linear_bits, i;

	/* 27.2.2 */
	if ((~s->host_cr0 & s->cr0_fixed0) || (s->host_cr0 & ~s->cr0_fixed1))
		FAIL(MV_EC_HOST_CR0);
	if ((~s->host_cr4 & s->cr4_fixed0) || (s->host_cr4 & ~s->cr4_fixed1))
		FAIL(MV_EC_HOST_CR4);
	if (beyond_width(s->host_cr3, s->phys_bits))
		FAIL(MV_EC_HOST_CR3);
	if (!canonical(s->host_sysenter_esp, lb) || !canonical(s->host_sysenter_eip, lb))
		FAIL(MV_EC_HOST_SYSENTER);
	if ((s->exit & EC_EXIT_LOAD_PAT) && !pat_ok(s->host_pat))
		FAIL(MV_EC_HOST_PAT);
	if (s->exit & EC_EXIT_LOAD_EFER) {
		if (s->host_efer & ~s->efer_valid)
			FAIL(MV_EC_HOST_EFER_RESERVED);
		if (!!(s->host_efer & EC_EFER_LMA) != wide ||
		    !!(s->host_efer & EC_EFER_LME) != wide)
			FAIL(MV_EC_HOST_EFER_LMA);
	}

	/* 27.2.3 */
	for (i = 0; i < sizeof(sels) / sizeof(sels[0]); i++)
		if (s->host_sel[sels[i]] & 7)
			FAIL_SEG(MV_EC_HOST_SEL_RPL_TI, sels[i]);
	if (!s->host_sel[MV_EC_CS])
		FAIL(MV_EC_HOST_CS_NULL);
	if (!s->host_sel[MV_EC_TR])
		FAIL(MV_EC_HOST_TR_NULL);
	if (!canonical(s->host_fs_base, lb))
		FAIL_SEG(MV_EC_HOST_BASE, MV_EC_FS);
	if (!canonical(s->host_gs_base, lb))
		FAIL_SEG(MV_EC_HOST_BASE, MV_EC_GS);
	if (!canonical(s->host_tr_base, lb))
		FAIL_SEG(MV_EC_HOST_BASE, MV_EC_TR);
	if (!canonical(s->host_gdtr_base, lb) || !canonical(s->host_idtr_base, lb))
		FAIL(MV_EC_HOST_BASE);

	/* 27.2.4 */
	if (!wide)
		FAIL(MV_EC_HOST_ADDR_SIZE);
	if (!(s->host_cr4 & EC_CR4_PAE))
		FAIL(MV_EC_HOST_CR4_PAE);
	if (!canonical(s->host_rip, lb))
		FAIL(MV_EC_HOST_RIP);
	return res;
}

/* ---- 27.3.1 guest state ---- */

static struct mv_entry_result check_guest_regs(const struct mv_entry_state *s, bool ug,
					       bool ia32e)
{
	struct mv_entry_result res = { MV_EC_NONE, -1 };
	u64 fixed0 = s->cr0_fixed0;
	unsigned int lb = s->linear_bits;

	/* 27.3.1.1 */
	if (ug)
		fixed0 &= ~(EC_CR0_PE | EC_CR0_PG);
	if ((~s->cr0 & fixed0) || (s->cr0 & ~s->cr0_fixed1) || (s->cr0 >> 32))
		FAIL(MV_EC_CR0_FIXED);
	if ((s->cr0 & EC_CR0_PG) && !(s->cr0 & EC_CR0_PE))
		FAIL(MV_EC_CR0_PG_NO_PE);
	if ((~s->cr4 & s->cr4_fixed0) || (s->cr4 & ~s->cr4_fixed1))
		FAIL(MV_EC_CR4_FIXED);
	if ((s->cr4 & EC_CR4_CET) && !(s->cr0 & EC_CR0_WP))
		FAIL(MV_EC_CR4_CET_NO_WP);
	if ((s->entry & EC_ENTRY_LOAD_DEBUG) && (s->debugctl & ~EC_DEBUGCTL_VALID))
		FAIL(MV_EC_DEBUGCTL);
	if (ia32e && !(s->cr4 & EC_CR4_PAE))
		FAIL(MV_EC_IA32E_NO_PAE);
	if (!ia32e && (s->cr4 & EC_CR4_PCIDE))
		FAIL(MV_EC_PCIDE_NO_IA32E);
	if (beyond_width(s->cr3, s->phys_bits))
		FAIL(MV_EC_CR3_WIDTH);
	if ((s->entry & EC_ENTRY_LOAD_DEBUG) && (s->dr7 >> 32))
		FAIL(MV_EC_DR7_HIGH);
	if (!canonical(s->sysenter_esp, lb) || !canonical(s->sysenter_eip, lb))
		FAIL(MV_EC_SYSENTER);
	if ((s->entry & EC_ENTRY_LOAD_PAT) && !pat_ok(s->pat))
		FAIL(MV_EC_PAT);
	if (s->entry & EC_ENTRY_LOAD_EFER) {
		if (s->efer & ~s->efer_valid)
			FAIL(MV_EC_EFER_RESERVED);
		if (!!(s->efer & EC_EFER_LMA) != ia32e)
			FAIL(MV_EC_EFER_LMA);
		if ((s->cr0 & EC_CR0_PG) &&
		    !!(s->efer & EC_EFER_LMA) != !!(s->efer & EC_EFER_LME))
			FAIL(MV_EC_EFER_LME);
	}

	/* 27.3.1.4, RFLAGS part (see the top of this file for why here) */
	if ((s->rflags & EC_RFLAGS_RESERVED) || !(s->rflags & EC_RFLAGS_FIXED))
		FAIL(MV_EC_RFLAGS_RESERVED);
	if ((s->rflags & EC_RFLAGS_VM) && (ia32e || !(s->cr0 & EC_CR0_PE)))
		FAIL(MV_EC_RFLAGS_VM);
	if ((s->entry_intr_info & EC_INTR_VALID) &&
	    EC_INTR_TYPE(s->entry_intr_info) == EC_TYPE_EXT_INTR &&
	    !(s->rflags & EC_RFLAGS_IF))
		FAIL(MV_EC_RFLAGS_IF_EXTINT);
	return res;
}

static bool usable(const struct mv_ec_segment *g)
{
	return !(g->ar & EC_AR_UNUSABLE);
}

/* Checks common to CS, SS, DS, ES, FS, GS outside virtual-8086 mode. */
static u32 check_data_seg(const struct mv_entry_state *s, int n, bool ug, bool ia32e)
{
	const struct mv_ec_segment *g = &s->seg[n];
	const struct mv_ec_segment *ss = &s->seg[MV_EC_SS];
	unsigned int type = EC_AR_TYPE(g->ar);
	bool use = n == MV_EC_CS || usable(g);

	/* Base: FS and GS canonical; CS and usable SS, DS, ES below 4 GiB. */
	if ((n == MV_EC_FS || n == MV_EC_GS) && !canonical(g->base, s->linear_bits))
		return MV_EC_BASE_CANONICAL;
	if ((n == MV_EC_CS || ((n == MV_EC_SS || n == MV_EC_DS || n == MV_EC_ES) && use)) &&
	    (g->base >> 32))
		return MV_EC_BASE_HIGH;
	if (!use)
		return MV_EC_NONE;

	/* Type */
	if (n == MV_EC_CS) {
		if (!(type == 9 || type == 11 || type == 13 || type == 15 || (ug && type == 3)))
			return MV_EC_CS_TYPE;
	} else if (n == MV_EC_SS) {
		if (type != 3 && type != 7)
			return MV_EC_SS_TYPE;
	} else {
		if (!(type & 1))
			return MV_EC_DATA_NOT_ACCESSED;
		if ((type & 8) && !(type & 2))
			return MV_EC_CODE_NOT_READABLE;
	}
	/* S */
	if (!(g->ar & EC_AR_S))
		return MV_EC_SEG_NOT_S;
	/* DPL */
	if (n == MV_EC_CS) {
		if (type == 3 && EC_AR_DPL(g->ar) != 0)
			return MV_EC_CS_DPL_DATA;
		if ((type == 9 || type == 11) && EC_AR_DPL(g->ar) != EC_AR_DPL(ss->ar))
			return MV_EC_CS_DPL_NONCONF;
		if ((type == 13 || type == 15) && EC_AR_DPL(g->ar) > EC_AR_DPL(ss->ar))
			return MV_EC_CS_DPL_CONF;
	} else if (n != MV_EC_SS && !ug && type <= 11 && EC_AR_DPL(g->ar) < (g->sel & 3u)) {
		return MV_EC_DATA_DPL_RPL;
	}
	/* P, reserved bits, D/B, G */
	if (!(g->ar & EC_AR_P))
		return MV_EC_SEG_NOT_PRESENT;
	if (g->ar & EC_AR_RESERVED)
		return MV_EC_SEG_AR_RESERVED;
	if (n == MV_EC_CS && ia32e && (g->ar & EC_AR_L) && (g->ar & EC_AR_DB))
		return MV_EC_CS_L_AND_D;
	if (limit_g_bad(g->limit, g->ar))
		return MV_EC_SEG_LIMIT_G;
	return MV_EC_NONE;
}

/* TR, and LDTR when usable. */
static u32 check_system_seg(const struct mv_entry_state *s, int n, bool ia32e)
{
	const struct mv_ec_segment *g = &s->seg[n];
	unsigned int type = EC_AR_TYPE(g->ar);

	if (n == MV_EC_TR) {
		if (ia32e ? type != 11 : (type != 3 && type != 11))
			return MV_EC_TR_TYPE;
	} else if (type != 2) {
		return MV_EC_LDTR_TYPE;
	}
	if (g->ar & EC_AR_S)
		return MV_EC_SYS_SEG_S;
	if (!(g->ar & EC_AR_P))
		return MV_EC_SEG_NOT_PRESENT;
	if (g->ar & EC_AR_RESERVED)
		return MV_EC_SEG_AR_RESERVED;
	if (limit_g_bad(g->limit, g->ar))
		return MV_EC_SEG_LIMIT_G;
	if (n == MV_EC_TR && !usable(g))
		return MV_EC_TR_UNUSABLE;
	return MV_EC_NONE;
}

static struct mv_entry_result check_guest_segs(const struct mv_entry_state *s, bool ug,
					       bool ia32e)
{
	static const int order[] = { MV_EC_CS, MV_EC_SS, MV_EC_DS, MV_EC_ES, MV_EC_FS, MV_EC_GS };
	struct mv_entry_result res = { MV_EC_NONE, -1 };
	const struct mv_ec_segment *cs = &s->seg[MV_EC_CS], *ss = &s->seg[MV_EC_SS];
	const struct mv_ec_segment *tr = &s->seg[MV_EC_TR], *ldtr = &s->seg[MV_EC_LDTR];
	bool v86 = s->rflags & EC_RFLAGS_VM;
	unsigned int i;
	u32 r;

	/* Selectors */
	if (tr->sel & 4)
		FAIL(MV_EC_TR_TI);
	if (usable(ldtr) && (ldtr->sel & 4))
		FAIL(MV_EC_LDTR_TI);
	if (!v86 && !ug && (ss->sel & 3) != (cs->sel & 3))
		FAIL(MV_EC_SS_RPL);

	/* Virtual-8086 mode: every data/code segment is 64 KiB at sel * 16, AR 0xf3. */
	if (v86) {
		for (i = 0; i < 6; i++) {
			const struct mv_ec_segment *g = &s->seg[order[i]];

			if (g->base != (u64)g->sel << 4)
				FAIL_SEG(MV_EC_V86_BASE, order[i]);
			if (g->limit != 0xffff)
				FAIL_SEG(MV_EC_V86_LIMIT, order[i]);
			if (g->ar != 0xf3)
				FAIL_SEG(MV_EC_V86_AR, order[i]);
		}
	} else {
		for (i = 0; i < 6; i++) {
			r = check_data_seg(s, order[i], ug, ia32e);
			if (r)
				FAIL_SEG(r, order[i]);
			/* The SS.DPL rules follow the CS rules that use SS.DPL. */
			if (order[i] != MV_EC_SS)
				continue;
			if (!ug && EC_AR_DPL(ss->ar) != (ss->sel & 3u))
				FAIL(MV_EC_SS_DPL_RPL);
			if ((EC_AR_TYPE(cs->ar) == 3 || !(s->cr0 & EC_CR0_PE)) && EC_AR_DPL(ss->ar))
				FAIL(MV_EC_SS_DPL_NOT_0);
		}
	}

	/* TR and LDTR bases, then their access rights. */
	if (!canonical(tr->base, s->linear_bits))
		FAIL_SEG(MV_EC_BASE_CANONICAL, MV_EC_TR);
	if (usable(ldtr) && !canonical(ldtr->base, s->linear_bits))
		FAIL_SEG(MV_EC_BASE_CANONICAL, MV_EC_LDTR);
	r = check_system_seg(s, MV_EC_TR, ia32e);
	if (r)
		FAIL_SEG(r, MV_EC_TR);
	if (usable(ldtr)) {
		r = check_system_seg(s, MV_EC_LDTR, ia32e);
		if (r)
			FAIL_SEG(r, MV_EC_LDTR);
	}
	return res;
}

static struct mv_entry_result check_guest_rest(const struct mv_entry_state *s, bool ia32e)
{
	struct mv_entry_result res = { MV_EC_NONE, -1 };
	u32 info = s->entry_intr_info, intr = s->interruptibility;
	bool cs_l = s->seg[MV_EC_CS].ar & EC_AR_L;
	bool shadow = intr & (EC_INTR_STI | EC_INTR_MOV_SS);
	unsigned int type = EC_INTR_TYPE(info), i;

	/* 27.3.1.3 */
	if (!canonical(s->gdtr_base, s->linear_bits))
		FAIL(MV_EC_GDTR_CANONICAL);
	if (!canonical(s->idtr_base, s->linear_bits))
		FAIL(MV_EC_IDTR_CANONICAL);
	if ((s->gdtr_limit | s->idtr_limit) >> 16)
		FAIL(MV_EC_DTR_LIMIT);

	/* 27.3.1.4, RIP */
	if (!(ia32e && cs_l) && (s->rip >> 32))
		FAIL(MV_EC_RIP_HIGH);
	if (ia32e && cs_l && !canonical(s->rip, s->linear_bits))
		FAIL(MV_EC_RIP_CANONICAL);

	/* 27.3.1.5 */
	if (s->activity > EC_ACT_SIPI ||
	    (s->activity == EC_ACT_HLT && !(s->misc & EC_MISC_ACT_HLT)) ||
	    (s->activity == EC_ACT_SHUTDOWN && !(s->misc & EC_MISC_ACT_SHUTDOWN)) ||
	    (s->activity == EC_ACT_SIPI && !(s->misc & EC_MISC_ACT_SIPI)))
		FAIL(MV_EC_ACTIVITY);
	if (s->activity == EC_ACT_HLT && EC_AR_DPL(s->seg[MV_EC_SS].ar))
		FAIL(MV_EC_ACTIVITY_HLT_DPL);
	if (shadow && s->activity != EC_ACT_ACTIVE)
		FAIL(MV_EC_ACTIVITY_SHADOW);
	if (intr & ~EC_INTR_STATE_VALID)
		FAIL(MV_EC_INTR_RESERVED);
	if ((intr & EC_INTR_STI) && (intr & EC_INTR_MOV_SS))
		FAIL(MV_EC_INTR_STI_MOVSS);
	if ((intr & EC_INTR_STI) && !(s->rflags & EC_RFLAGS_IF))
		FAIL(MV_EC_INTR_STI_IF);
	if ((info & EC_INTR_VALID) && type == EC_TYPE_EXT_INTR && shadow)
		FAIL(MV_EC_INTR_EXTINT);
	if ((info & EC_INTR_VALID) && type == EC_TYPE_NMI && (intr & EC_INTR_MOV_SS))
		FAIL(MV_EC_INTR_NMI);
	if (intr & EC_INTR_SMI)
		FAIL(MV_EC_INTR_SMI);
	if (s->pending_dbg & ~EC_DBG_VALID)
		FAIL(MV_EC_PENDING_DBG);
	if (shadow || s->activity == EC_ACT_HLT) {
		bool tf = s->rflags & EC_RFLAGS_TF, btf = s->debugctl & EC_DEBUGCTL_BTF;
		bool bs = s->pending_dbg & EC_DBG_BS;

		if (bs != (tf && !btf))
			FAIL(MV_EC_PENDING_DBG_BS);
	}
	if (s->link_pointer != ~0ull &&
	    ((s->link_pointer & 0xfff) || beyond_width(s->link_pointer, s->phys_bits)))
		FAIL(MV_EC_LINK_POINTER);

	/*
	 * 27.3.1.6: PAE paging outside IA-32e mode with EPT loads the PDPTEs
	 * from the VMCS; a present one must have bits 2:1, 8:5 and those
	 * beyond the physical-address width clear.
	 */
	if ((s->cr0 & EC_CR0_PG) && (s->cr4 & EC_CR4_PAE) && !ia32e &&
	    (proc2_of(s) & EC_PROC2_EPT)) {
		for (i = 0; i < 4; i++)
			if ((s->pdpte[i] & 1) &&
			    ((s->pdpte[i] & 0x1e6) || beyond_width(s->pdpte[i], s->phys_bits)))
				FAIL(MV_EC_PDPTE);
	}
	return res;
}

struct mv_entry_result mv_entry_check(const struct mv_entry_state *s, unsigned int groups)
{
	struct mv_entry_result res = { MV_EC_NONE, -1 };
	bool ug = proc2_of(s) & EC_PROC2_UNRESTRICTED;
	bool ia32e = s->entry & EC_ENTRY_IA32E;

	if (groups & MV_EC_GROUP_CONTROLS) {
		res = check_controls(s);
		if (res.rule)
			return res;
	}
	if (groups & MV_EC_GROUP_HOST) {
		res = check_host(s);
		if (res.rule)
			return res;
	}
	if (groups & MV_EC_GROUP_GUEST) {
		res = check_guest_regs(s, ug, ia32e);
		if (res.rule)
			return res;
		res = check_guest_segs(s, ug, ia32e);
		if (res.rule)
			return res;
		res = check_guest_rest(s, ia32e);
	}
	return res;
}
