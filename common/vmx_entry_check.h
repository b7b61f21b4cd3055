/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Software check of a VMCS against the VM-entry rules of the Intel SDM,
 * Vol. 3C chapter 27 "VM Entries" (chapter 26 in editions before 2023):
 * 27.2 checks on the VMX controls and the host-state area, 27.3.1 checks on
 * the guest-state area. The hardware only says that an entry failed (basic
 * exit reason 33 or 34, or VM-instruction error 7 or 8); this engine names
 * the first rule the state breaks.
 *
 * Pure C on a plain snapshot of the fields (filled with VMREADs by the
 * module, by hand in the host-tier tests). Rule ids are ABI: they reach
 * userspace in mv_run.fail_entry.check and are listed in Documentation/api.md.
 * Ids are never reused or renumbered; new rules get new ids.
 */
#ifndef MV_VMX_ENTRY_CHECK_H
#define MV_VMX_ENTRY_CHECK_H

#include "mv_types.h"

enum mv_entry_rule_id {
	MV_EC_NONE			= 0,	/* the software check found nothing */

	/* 27.2.1.1 VM-execution control fields */
	MV_EC_CTL_PIN			= 1,
	MV_EC_CTL_PROC			= 2,
	MV_EC_CTL_PROC2			= 3,
	MV_EC_CTL_CR3_TARGETS		= 4,
	MV_EC_CTL_MSR_BITMAP		= 5,
	MV_EC_CTL_VIRTUAL_NMI		= 6,
	MV_EC_CTL_NMI_WINDOW		= 7,
	MV_EC_CTL_EPTP			= 8,
	MV_EC_CTL_UG_WITHOUT_EPT	= 9,
	MV_EC_CTL_VPID_ZERO		= 10,
	/* 27.2.1.2 VM-exit control fields */
	MV_EC_CTL_EXIT			= 11,
	MV_EC_CTL_PREEMPT_SAVE		= 12,
	MV_EC_CTL_EXIT_MSR_STORE	= 13,
	MV_EC_CTL_EXIT_MSR_LOAD		= 14,
	/* 27.2.1.3 VM-entry control fields */
	MV_EC_CTL_ENTRY			= 15,
	MV_EC_CTL_INTR_TYPE		= 16,
	MV_EC_CTL_INTR_VECTOR		= 17,
	MV_EC_CTL_INTR_ERRCODE		= 18,
	MV_EC_CTL_INTR_RESERVED		= 19,
	MV_EC_CTL_ERRCODE_HIGH		= 20,
	MV_EC_CTL_INSN_LEN		= 21,
	MV_EC_CTL_ENTRY_MSR_LOAD	= 22,
	MV_EC_CTL_ENTRY_SMM		= 23,

	/* 27.2.2 host control registers and MSRs */
	MV_EC_HOST_CR0			= 50,
	MV_EC_HOST_CR4			= 51,
	MV_EC_HOST_CR3			= 52,
	MV_EC_HOST_SYSENTER		= 53,
	MV_EC_HOST_PAT			= 54,
	MV_EC_HOST_EFER_RESERVED	= 55,
	MV_EC_HOST_EFER_LMA		= 56,
	/* 27.2.3 host segment and descriptor-table registers */
	MV_EC_HOST_SEL_RPL_TI		= 57,
	MV_EC_HOST_CS_NULL		= 58,
	MV_EC_HOST_TR_NULL		= 59,
	MV_EC_HOST_BASE			= 60,
	/* 27.2.4 address-space size */
	MV_EC_HOST_ADDR_SIZE		= 61,
	MV_EC_HOST_CR4_PAE		= 62,
	MV_EC_HOST_RIP			= 63,

	/* 27.3.1.1 guest control registers, debug registers and MSRs */
	MV_EC_CR0_FIXED			= 100,
	MV_EC_CR0_PG_NO_PE		= 101,
	MV_EC_CR4_FIXED			= 102,
	MV_EC_CR4_CET_NO_WP		= 103,
	MV_EC_DEBUGCTL			= 104,
	MV_EC_IA32E_NO_PAE		= 105,
	MV_EC_PCIDE_NO_IA32E		= 106,
	MV_EC_CR3_WIDTH			= 107,
	MV_EC_DR7_HIGH			= 108,
	MV_EC_SYSENTER			= 109,
	MV_EC_PAT			= 110,
	MV_EC_EFER_RESERVED		= 111,
	MV_EC_EFER_LMA			= 112,
	MV_EC_EFER_LME			= 113,
	/* 27.3.1.2 guest segment registers */
	MV_EC_TR_TI			= 120,
	MV_EC_LDTR_TI			= 121,
	MV_EC_SS_RPL			= 122,
	MV_EC_V86_BASE			= 123,
	MV_EC_V86_LIMIT			= 124,
	MV_EC_V86_AR			= 125,
	MV_EC_BASE_CANONICAL		= 126,
	MV_EC_BASE_HIGH			= 127,
	MV_EC_CS_TYPE			= 128,
	MV_EC_SS_TYPE			= 129,
	MV_EC_DATA_NOT_ACCESSED		= 130,
	MV_EC_CODE_NOT_READABLE		= 131,
	MV_EC_SEG_NOT_S			= 132,
	MV_EC_CS_DPL_DATA		= 133,
	MV_EC_CS_DPL_NONCONF		= 134,
	MV_EC_CS_DPL_CONF		= 135,
	MV_EC_SS_DPL_RPL		= 136,
	MV_EC_SS_DPL_NOT_0		= 137,
	MV_EC_DATA_DPL_RPL		= 138,
	MV_EC_SEG_NOT_PRESENT		= 139,
	MV_EC_SEG_AR_RESERVED		= 140,
	MV_EC_CS_L_AND_D		= 141,
	MV_EC_SEG_LIMIT_G		= 142,
	MV_EC_TR_TYPE			= 143,
	MV_EC_SYS_SEG_S			= 144,
	MV_EC_TR_UNUSABLE		= 145,
	MV_EC_LDTR_TYPE			= 146,
	/* 27.3.1.3 guest descriptor-table registers */
	MV_EC_GDTR_CANONICAL		= 150,
	MV_EC_IDTR_CANONICAL		= 151,
	MV_EC_DTR_LIMIT			= 152,
	/* 27.3.1.4 guest RIP and RFLAGS */
	MV_EC_RIP_HIGH			= 160,
	MV_EC_RIP_CANONICAL		= 161,
	MV_EC_RFLAGS_RESERVED		= 162,
	MV_EC_RFLAGS_VM			= 163,
	MV_EC_RFLAGS_IF_EXTINT		= 164,
	/* 27.3.1.5 guest non-register state */
	MV_EC_ACTIVITY			= 170,
	MV_EC_ACTIVITY_HLT_DPL		= 171,
	MV_EC_ACTIVITY_SHADOW		= 172,
	MV_EC_INTR_RESERVED		= 173,
	MV_EC_INTR_STI_MOVSS		= 174,
	MV_EC_INTR_STI_IF		= 175,
	MV_EC_INTR_EXTINT		= 176,
	MV_EC_INTR_NMI			= 177,
	MV_EC_INTR_SMI			= 178,
	MV_EC_PENDING_DBG		= 179,
	MV_EC_PENDING_DBG_BS		= 180,
	MV_EC_LINK_POINTER		= 181,
	/* 27.3.1.6 guest PDPTEs */
	MV_EC_PDPTE			= 190,
};

/* Rule groups, in the order the engine checks them. */
#define MV_EC_GROUP_CONTROLS	(1u << 0)	/* 27.2.1: VM-instruction error 7 */
#define MV_EC_GROUP_HOST	(1u << 1)	/* 27.2.2-27.2.4: error 8 */
#define MV_EC_GROUP_GUEST	(1u << 2)	/* 27.3.1: exit reason 33 */
#define MV_EC_GROUP_ALL		(MV_EC_GROUP_CONTROLS | MV_EC_GROUP_HOST | MV_EC_GROUP_GUEST)

/* Segment registers in VMCS encoding order (SDM Vol. 3C appendix B). */
enum mv_ec_seg {
	MV_EC_ES, MV_EC_CS, MV_EC_SS, MV_EC_DS, MV_EC_FS, MV_EC_GS, MV_EC_LDTR, MV_EC_TR,
	MV_EC_NR_SEGS
};

struct mv_ec_segment {
	u16 sel;
	u32 limit;
	u32 ar;			/* access rights, SDM Vol. 3C 25.4.1 table 25-2 */
	u64 base;
};

/*
 * Everything the rules read. Capability MSRs are the raw 64-bit values: for
 * the control MSRs, bits 31:0 are the allowed 0-settings (1: must be 1) and
 * bits 63:32 the allowed 1-settings (SDM Vol. 3C A.3-A.5); give the TRUE
 * MSRs where IA32_VMX_BASIC[55] says they exist.
 */
struct mv_entry_state {
	/* what the processor supports */
	u64 pin_cap, proc_cap, proc2_cap, exit_cap, entry_cap;
	u64 basic;			/* IA32_VMX_BASIC */
	u64 misc;			/* IA32_VMX_MISC */
	u64 ept_vpid_cap;		/* IA32_VMX_EPT_VPID_CAP */
	u64 cr0_fixed0, cr0_fixed1, cr4_fixed0, cr4_fixed1;
	u64 efer_valid;			/* EFER bits the processor implements */
	u8 phys_bits;			/* MAXPHYADDR */
	u8 linear_bits;			/* 48, or 57 with 5-level paging */

	/* VM-execution, VM-exit and VM-entry controls */
	u32 pin, proc, proc2, exit, entry;
	u32 cr3_target_count;
	u64 msr_bitmap, eptp;
	u16 vpid;
	u32 exit_msr_store_count, exit_msr_load_count, entry_msr_load_count;
	u64 exit_msr_store_addr, exit_msr_load_addr, entry_msr_load_addr;
	u32 entry_intr_info, entry_error_code, entry_insn_len;

	/* host-state area */
	u64 host_cr0, host_cr3, host_cr4;
	u16 host_sel[MV_EC_NR_SEGS];	/* LDTR slot unused */
	u64 host_fs_base, host_gs_base, host_tr_base, host_gdtr_base, host_idtr_base;
	u64 host_sysenter_esp, host_sysenter_eip, host_pat, host_efer, host_rip;

	/* guest-state area */
	u64 cr0, cr3, cr4, dr7, debugctl, pat, efer;
	u64 sysenter_esp, sysenter_eip;
	u64 rip, rsp, rflags;
	struct mv_ec_segment seg[MV_EC_NR_SEGS];
	u64 gdtr_base, idtr_base;
	u32 gdtr_limit, idtr_limit;
	u32 activity, interruptibility;
	u64 pending_dbg, link_pointer;
	u64 pdpte[4];
};

struct mv_entry_rule {
	u16 id;
	u8 group;		/* MV_EC_GROUP_* */
	const char *name;	/* short identifier, e.g. "cs_l_and_d" */
	const char *sdm;	/* section of SDM Vol. 3C, e.g. "27.3.1.2" */
	const char *text;	/* what is wrong, after the field's name */
};

struct mv_entry_result {
	u32 rule;		/* enum mv_entry_rule_id, MV_EC_NONE if none failed */
	int seg;		/* enum mv_ec_seg the rule failed on, or -1 */
};

/* The first rule of the given groups that the state breaks. */
struct mv_entry_result mv_entry_check(const struct mv_entry_state *s, unsigned int groups);

/* The rule with this id, or NULL. */
const struct mv_entry_rule *mv_entry_rule_get(u32 id);
/* "ES" ... "TR", or "" for -1. */
const char *mv_entry_seg_name(int seg);
/* Number of rules and the i-th of them (for tables and tests). */
unsigned int mv_entry_rule_count(void);
const struct mv_entry_rule *mv_entry_rule_at(unsigned int i);

#endif /* MV_VMX_ENTRY_CHECK_H */
