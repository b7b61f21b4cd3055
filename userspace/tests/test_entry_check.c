// SPDX-License-Identifier: GPL-2.0
/*
 * Host tier for the VM-entry check engine (common/vmx_entry_check.c): a few
 * valid states (64-bit, real mode with unrestricted guest, virtual-8086,
 * 32-bit PAE) pass every rule; each case breaks one field of one of them
 * and must get exactly the rule (and segment) that field breaks. Every rule
 * of the table must be hit by some case, so a rule that can never fire, or
 * a new rule without a test, fails here.
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "../../common/vmx_entry_check.h"
#include "libminivisor.h"
#include "tap.h"

/* Capabilities of a Skylake-like CPU (TRUE control MSRs, SDM Vol. 3C A.3-A.5). */
#define PIN_CAP		0x0000007f00000016ull
#define PROC_CAP	0xfff9fffe04006172ull
#define PROC2_CAP	0x003fffff00000000ull
#define EXIT_CAP	0x00ffffff00036dfbull
#define ENTRY_CAP	0x0003ffff000011fbull

#define CR0_PE		(1ull << 0)
#define CR0_NE		(1ull << 5)
#define CR0_WP		(1ull << 16)
#define CR0_PG		(1ull << 31)
#define CR4_PAE		(1ull << 5)
#define CR4_VMXE	(1ull << 13)
#define CR4_PCIDE	(1ull << 17)
#define CR4_CET		(1ull << 23)
#define EFER_LME	(1ull << 8)
#define EFER_LMA	(1ull << 10)
#define RFLAGS_TF	(1ull << 8)
#define RFLAGS_IF	(1ull << 9)
#define RFLAGS_VM	(1ull << 17)
#define ENTRY_IA32E	(1u << 9)
#define ENTRY_SMM	(1u << 10)
#define PROC2_EPT	(1u << 1)
#define PROC2_UG	(1u << 7)
#define PIN_NMI_EXIT	(1u << 3)
#define PIN_VNMI	(1u << 5)
#define PIN_PREEMPT	(1u << 6)
#define EXIT_HOST_ADDR	(1u << 9)
#define EXIT_LOAD_EFER	(1u << 21)
#define EXIT_SAVE_PREEMPT (1u << 22)
#define AR_S		(1u << 4)
#define AR_P		(1u << 7)
#define AR_L		(1u << 13)
#define AR_DB		(1u << 14)
#define AR_UNUSABLE	(1u << 16)
#define INTR_VALID	(1u << 31)
#define INTR_DEC	(1u << 11)
#define NONCANON	0x0000800000000000ull

static void set_seg(struct mv_ec_segment *g, uint16_t sel, uint64_t base, uint32_t limit,
		    uint32_t ar)
{
	g->sel = sel;
	g->base = base;
	g->limit = limit;
	g->ar = ar;
}

static void common_state(struct mv_entry_state *s)
{
	memset(s, 0, sizeof(*s));
	s->pin_cap = PIN_CAP;
	s->proc_cap = PROC_CAP;
	s->proc2_cap = PROC2_CAP;
	s->exit_cap = EXIT_CAP;
	s->entry_cap = ENTRY_CAP;
	s->basic = 0x00da040000000004ull;
	s->misc = (4u << 16) | (7u << 6);		/* 4 CR3 targets, HLT/shutdown/SIPI */
	s->ept_vpid_cap = (1ull << 6) | (1ull << 8) | (1ull << 14) | (1ull << 21);
	s->cr0_fixed0 = 0x80000021;
	s->cr0_fixed1 = 0xffffffff;
	s->cr4_fixed0 = CR4_VMXE;
	s->cr4_fixed1 = 0x00ffffff;
	s->efer_valid = 0xd01;
	s->phys_bits = 46;
	s->linear_bits = 48;

	s->pin = 0x16 | 1 | PIN_NMI_EXIT | PIN_PREEMPT;
	s->proc = 0x04006172 | (1u << 7) | (1u << 24) | (1u << 28) | (1u << 31);
	s->proc2 = PROC2_EPT | (1u << 5) | PROC2_UG;
	s->exit = 0x00036dfb | EXIT_HOST_ADDR | (0xfu << 18);
	s->entry = 0x000011fb | (1u << 2) | (1u << 14) | (1u << 15);
	s->msr_bitmap = 0x5000;
	s->eptp = 0x6000 | 6 | (3 << 3);
	s->vpid = 1;

	s->host_cr0 = 0x80050033;
	s->host_cr3 = 0x1234000;
	s->host_cr4 = CR4_PAE | CR4_VMXE | (1u << 7);
	s->host_sel[MV_EC_CS] = 0x10;
	s->host_sel[MV_EC_SS] = 0x18;
	s->host_sel[MV_EC_TR] = 0x40;
	s->host_gs_base = 0xffff888000000000ull;
	s->host_tr_base = 0xfffffe0000003000ull;
	s->host_gdtr_base = 0xfffffe0000001000ull;
	s->host_idtr_base = 0xfffffe0000000000ull;
	s->host_sysenter_esp = 0xfffffe0000005000ull;
	s->host_sysenter_eip = 0xffffffff81a00000ull;
	s->host_pat = 0x0407050600070106ull;
	s->host_efer = 0xd01;
	s->host_rip = 0xffffffffc0001000ull;

	s->dr7 = 0x400;
	s->pat = 0x0007040600070406ull;
	s->link_pointer = ~0ull;
	s->rflags = 2;
}

/* What mv_setup_long_mode() builds. */
static void long_state(struct mv_entry_state *s)
{
	int i;

	common_state(s);
	s->entry |= ENTRY_IA32E;
	s->cr0 = 0x80050033;
	s->cr3 = 0x10000;
	s->cr4 = CR4_PAE | CR4_VMXE;
	s->efer = EFER_LME | EFER_LMA;
	s->rip = 0x401000;
	s->rsp = 0x1ff000;
	for (i = 0; i < 6; i++)
		set_seg(&s->seg[i], 0x10, 0, 0xffffffff, 0xc093);
	set_seg(&s->seg[MV_EC_CS], 0x08, 0, 0xffffffff, 0xa09b);
	set_seg(&s->seg[MV_EC_LDTR], 0, 0, 0, AR_UNUSABLE);
	set_seg(&s->seg[MV_EC_TR], 0x18, 0x20080, 0x67, 0x8b);
	s->gdtr_base = 0x20000;
	s->gdtr_limit = 0x27;
	s->idtr_base = 0x21000;
	s->idtr_limit = 0x1ff;
}

/* The reset state (SDM Vol. 3A table 10-1) with unrestricted guest. */
static void real_state(struct mv_entry_state *s)
{
	int i;

	common_state(s);
	s->cr0 = 0x30;
	s->cr4 = CR4_VMXE;
	s->rip = 0xfff0;
	for (i = 0; i < 6; i++)
		set_seg(&s->seg[i], 0, 0, 0xffff, 0x93);
	set_seg(&s->seg[MV_EC_CS], 0xf000, 0xffff0000, 0xffff, 0x9b);
	set_seg(&s->seg[MV_EC_LDTR], 0, 0, 0xffff, 0x82);
	set_seg(&s->seg[MV_EC_TR], 0, 0, 0xffff, 0x8b);
	s->gdtr_limit = 0xffff;
	s->idtr_limit = 0xffff;
}

/* 32-bit protected mode (no paging), from the 64-bit state. */
static void prot32_state(struct mv_entry_state *s)
{
	long_state(s);
	s->entry &= ~ENTRY_IA32E;
	s->efer = 0;
	s->cr0 &= ~CR0_PG;
	s->cr4 = CR4_VMXE;
	s->seg[MV_EC_CS].ar = 0xc09b;
}

/* Virtual-8086 mode under 32-bit protected mode. */
static void v86_state(struct mv_entry_state *s)
{
	int i;

	prot32_state(s);
	s->rflags |= RFLAGS_VM;
	for (i = 0; i < 6; i++)
		set_seg(&s->seg[i], 0x100, 0x1000, 0xffff, 0xf3);
}

/* 32-bit PAE paging; EPT makes the PDPTEs come from the VMCS. */
static void pae_state(struct mv_entry_state *s)
{
	prot32_state(s);
	s->cr0 |= CR0_PG;
	s->cr4 |= CR4_PAE;
	s->pdpte[0] = 0x11001;
	s->pdpte[1] = 0x12001;
}

enum base { LONG, REAL, PROT32, V86, PAE };

static void (*const bases[])(struct mv_entry_state *) = {
	[LONG] = long_state, [REAL] = real_state, [PROT32] = prot32_state,
	[V86] = v86_state, [PAE] = pae_state,
};
static const char *const base_names[] = {
	[LONG] = "64-bit", [REAL] = "real mode", [PROT32] = "32-bit", [V86] = "v86", [PAE] = "PAE",
};

struct ec_case {
	const char *what;
	enum base base;
	void (*broken)(struct mv_entry_state *s);
	uint32_t rule;
	int seg;
};

#define NOSEG	(-1)
#define BREAK(name, body) static void name(struct mv_entry_state *s) { body; }

/* 27.2.1 controls */
BREAK(b_pin, s->pin &= ~0x2u)
BREAK(b_proc, s->proc |= 1)
BREAK(b_proc2, s->proc2 |= 1u << 30)
BREAK(b_cr3_targets, s->cr3_target_count = 5)
BREAK(b_msr_bitmap, s->msr_bitmap = 0x5008)
BREAK(b_vnmi, s->pin = (s->pin & ~PIN_NMI_EXIT) | PIN_VNMI)
BREAK(b_nmi_window, s->proc |= 1u << 22)
BREAK(b_eptp_walk, s->eptp = (s->eptp & ~0x38ull) | (1 << 3))
BREAK(b_eptp_type, s->eptp = (s->eptp & ~7ull) | 1)
BREAK(b_ug_no_ept, s->proc2 &= ~PROC2_EPT)
BREAK(b_vpid0, s->vpid = 0)
BREAK(b_exit, s->exit &= ~1u)
BREAK(b_preempt_save, s->pin &= ~PIN_PREEMPT; s->exit |= EXIT_SAVE_PREEMPT)
BREAK(b_exit_store, s->exit_msr_store_count = 1; s->exit_msr_store_addr = 0x7008)
BREAK(b_exit_load, s->exit_msr_load_count = 2; s->exit_msr_load_addr = 1ull << 50)
BREAK(b_entry, s->entry |= 1u << 20)
BREAK(b_intr_type, s->entry_intr_info = INTR_VALID | (1u << 8))
BREAK(b_intr_vector, s->entry_intr_info = INTR_VALID | (2u << 8) | 3)
BREAK(b_intr_gp_no_code, s->entry_intr_info = INTR_VALID | (3u << 8) | 13)
BREAK(b_intr_code_real, s->entry_intr_info = INTR_VALID | INTR_DEC | (3u << 8) | 13)
BREAK(b_intr_ud_code, s->entry_intr_info = INTR_VALID | INTR_DEC | (3u << 8) | 6)
BREAK(b_intr_reserved, s->entry_intr_info = INTR_VALID | (1u << 12) | (3u << 8) | 6)
BREAK(b_errcode_high, s->entry_intr_info = INTR_VALID | INTR_DEC | (3u << 8) | 13;
      s->entry_error_code = 0x10000)
BREAK(b_insn_len, s->entry_intr_info = INTR_VALID | (4u << 8) | 0x80)
BREAK(b_entry_msr, s->entry_msr_load_count = 1; s->entry_msr_load_addr = 3)
BREAK(b_entry_smm, s->entry |= ENTRY_SMM)
/* 27.2.2-27.2.4 host */
BREAK(b_host_cr0, s->host_cr0 &= ~CR0_PE)
BREAK(b_host_cr4, s->host_cr4 &= ~CR4_VMXE)
BREAK(b_host_cr3, s->host_cr3 = 1ull << 50)
BREAK(b_host_sysenter, s->host_sysenter_esp = NONCANON)
BREAK(b_host_pat, s->host_pat = 2)
BREAK(b_host_efer_rsvd, s->host_efer |= 2)
BREAK(b_host_efer_lma, s->host_efer &= ~EFER_LMA)
BREAK(b_host_ds_rpl, s->host_sel[MV_EC_DS] = 3)
BREAK(b_host_cs_null, s->host_sel[MV_EC_CS] = 0)
BREAK(b_host_tr_null, s->host_sel[MV_EC_TR] = 0)
BREAK(b_host_gs_base, s->host_gs_base = NONCANON)
BREAK(b_host_addr_size, s->exit &= ~(EXIT_HOST_ADDR | EXIT_LOAD_EFER))
BREAK(b_host_cr4_pae, s->host_cr4 &= ~CR4_PAE)
BREAK(b_host_rip, s->host_rip = NONCANON)
/* 27.3.1.1 */
BREAK(b_cr0_ne, s->cr0 &= ~CR0_NE)
BREAK(b_cr0_bit32, s->cr0 |= 1ull << 32)
BREAK(b_pg_no_pe, s->cr0 |= CR0_PG)
BREAK(b_cr4_vmxe, s->cr4 &= ~CR4_VMXE)
BREAK(b_cet_no_wp, s->cr4 |= CR4_CET; s->cr0 &= ~CR0_WP)
BREAK(b_debugctl, s->debugctl = 1u << 2)
BREAK(b_no_pae, s->cr4 &= ~CR4_PAE)
BREAK(b_pcide, s->cr4 |= CR4_PCIDE)
BREAK(b_cr3_width, s->cr3 = 1ull << 60)
BREAK(b_dr7, s->dr7 |= 1ull << 32)
BREAK(b_sysenter, s->sysenter_eip = NONCANON)
BREAK(b_pat, s->pat = 0x0007040600070403ull)
BREAK(b_efer_rsvd, s->efer |= 2)
BREAK(b_efer_lma, s->entry &= ~ENTRY_IA32E)
BREAK(b_efer_lme, s->efer = EFER_LMA)
/* 27.3.1.4 RFLAGS */
BREAK(b_rflags_bit3, s->rflags |= 1u << 3)
BREAK(b_rflags_bit1, s->rflags = 0)
BREAK(b_rflags_vm, s->rflags |= RFLAGS_VM)
BREAK(b_extint_if, s->entry_intr_info = INTR_VALID | 0x20)
/* 27.3.1.2 */
BREAK(b_tr_ti, s->seg[MV_EC_TR].sel = 0x1c)
BREAK(b_ldtr_ti, s->seg[MV_EC_LDTR].sel = 4)
BREAK(b_no_ug, s->proc2 &= ~PROC2_UG)
BREAK(b_ss_rpl, s->proc2 &= ~PROC2_UG; s->seg[MV_EC_SS].sel = 0x13)
BREAK(b_v86_cs_base, s->rflags |= RFLAGS_VM)
BREAK(b_v86_limit, s->seg[MV_EC_DS].limit = 0xfffff)
BREAK(b_v86_ar, s->seg[MV_EC_ES].ar = 0x93)
BREAK(b_fs_base, s->seg[MV_EC_FS].base = NONCANON)
BREAK(b_tr_base, s->seg[MV_EC_TR].base = NONCANON)
BREAK(b_ldtr_base, s->seg[MV_EC_LDTR].base = NONCANON)
BREAK(b_ds_base_high, s->seg[MV_EC_DS].base = 1ull << 32)
BREAK(b_cs_base_high, s->seg[MV_EC_CS].base = 1ull << 32)
BREAK(b_ds_unusable_high, s->seg[MV_EC_DS].base = 1ull << 32; s->seg[MV_EC_DS].ar |= AR_UNUSABLE)
BREAK(b_cs_type, s->seg[MV_EC_CS].ar = 0x91)
BREAK(b_cs_type3_no_ug, s->proc2 &= ~PROC2_UG; s->seg[MV_EC_CS].ar = 0xc093)
BREAK(b_ss_type, s->seg[MV_EC_SS].ar = 0xc09b)
BREAK(b_ds_not_accessed, s->seg[MV_EC_DS].ar = 0xc092)
BREAK(b_ds_code_exec_only, s->seg[MV_EC_DS].ar = 0xc099)
BREAK(b_ds_s, s->seg[MV_EC_DS].ar &= ~AR_S)
BREAK(b_cs_data_dpl3, s->seg[MV_EC_CS].ar = 0xf3)
BREAK(b_cs_dpl_nonconf, s->seg[MV_EC_CS].ar |= 0x60; s->seg[MV_EC_CS].sel = 0x0b)
BREAK(b_cs_dpl_conf, s->seg[MV_EC_CS].ar = 0xa0ff; s->seg[MV_EC_CS].sel = 0x0b)
BREAK(b_ss_dpl_rpl, s->proc2 &= ~PROC2_UG; s->seg[MV_EC_SS].sel = 0x13;
      s->seg[MV_EC_CS].sel = 0x0b)
BREAK(b_ss_dpl_real, s->seg[MV_EC_CS].ar = 0x93; s->seg[MV_EC_SS].ar = 0xf3)
BREAK(b_ds_dpl_rpl, s->proc2 &= ~PROC2_UG; s->seg[MV_EC_DS].sel = 0x13)
BREAK(b_ds_dpl_rpl_ug, s->seg[MV_EC_DS].sel = 0x13)
BREAK(b_ds_not_present, s->seg[MV_EC_DS].ar &= ~AR_P)
BREAK(b_ds_unusable_np, s->seg[MV_EC_DS].ar = AR_UNUSABLE)
BREAK(b_ds_ar_rsvd, s->seg[MV_EC_DS].ar |= 0x100)
BREAK(b_cs_l_d, s->seg[MV_EC_CS].ar |= AR_DB)
BREAK(b_cs_l_d_compat, s->seg[MV_EC_CS].ar |= AR_L)
BREAK(b_ds_limit_g1, s->seg[MV_EC_DS].limit = 0x12345)
BREAK(b_ds_limit_g0, s->seg[MV_EC_DS].limit = 0x100000)
BREAK(b_tr_limit_g, s->seg[MV_EC_TR].limit = 0x100000)
BREAK(b_tr_avail, s->seg[MV_EC_TR].ar = 0x89)
BREAK(b_tr_16bit, s->seg[MV_EC_TR].ar = 0x83)
BREAK(b_tr_s, s->seg[MV_EC_TR].ar |= AR_S)
BREAK(b_tr_np, s->seg[MV_EC_TR].ar &= ~AR_P)
BREAK(b_tr_unusable, s->seg[MV_EC_TR].ar |= AR_UNUSABLE)
BREAK(b_ldtr_type, s->seg[MV_EC_LDTR].ar = 0x83)
BREAK(b_ldtr_np, s->seg[MV_EC_LDTR].ar = 0x02)
/* 27.3.1.3 */
BREAK(b_gdtr, s->gdtr_base = NONCANON)
BREAK(b_idtr, s->idtr_base = 0xffff700000000000ull)
BREAK(b_dtr_limit, s->gdtr_limit = 0x10000)
/* 27.3.1.4 RIP */
BREAK(b_rip_high, s->rip = 1ull << 32)
BREAK(b_rip_canon, s->rip = NONCANON)
/* 27.3.1.5 */
BREAK(b_activity, s->activity = 4)
BREAK(b_activity_sipi, s->activity = 3; s->misc &= ~(1ull << 8))
BREAK(b_hlt_dpl3, s->activity = 1; s->seg[MV_EC_CS].sel = 0x2b; s->seg[MV_EC_CS].ar |= 0x60;
      s->seg[MV_EC_SS].sel = 0x33; s->seg[MV_EC_SS].ar |= 0x60)
BREAK(b_hlt_shadow, s->activity = 1; s->interruptibility = 2)
BREAK(b_intr_rsvd, s->interruptibility = 1u << 5)
BREAK(b_sti_movss, s->rflags |= RFLAGS_IF; s->interruptibility = 3)
BREAK(b_sti_no_if, s->interruptibility = 1)
BREAK(b_extint_shadow, s->rflags |= RFLAGS_IF; s->interruptibility = 2;
      s->entry_intr_info = INTR_VALID | 0x20)
BREAK(b_nmi_movss, s->interruptibility = 2; s->entry_intr_info = INTR_VALID | (2u << 8) | 2)
BREAK(b_smi, s->interruptibility = 4)
BREAK(b_pending_rsvd, s->pending_dbg = 1u << 4)
BREAK(b_pending_bs_tf, s->rflags |= RFLAGS_TF; s->interruptibility = 2)
BREAK(b_pending_bs_no_tf, s->pending_dbg = 1u << 14; s->interruptibility = 2)
BREAK(b_link, s->link_pointer = 0x1001)
/* 27.3.1.6 */
BREAK(b_pdpte_rw, s->pdpte[1] |= 2)
BREAK(b_pdpte_width, s->pdpte[0] |= 1ull << 50)

static const struct ec_case cases[] = {
	{ "pin-based must-be-one bit clear", LONG, b_pin, MV_EC_CTL_PIN, NOSEG },
	{ "primary control bit 0 set", LONG, b_proc, MV_EC_CTL_PROC, NOSEG },
	{ "secondary control bit 30 set", LONG, b_proc2, MV_EC_CTL_PROC2, NOSEG },
	{ "CR3-target count 5", LONG, b_cr3_targets, MV_EC_CTL_CR3_TARGETS, NOSEG },
	{ "MSR bitmap not aligned", LONG, b_msr_bitmap, MV_EC_CTL_MSR_BITMAP, NOSEG },
	{ "virtual NMIs without NMI exiting", LONG, b_vnmi, MV_EC_CTL_VIRTUAL_NMI, NOSEG },
	{ "NMI-window exiting without virtual NMIs", LONG, b_nmi_window, MV_EC_CTL_NMI_WINDOW,
	  NOSEG },
	{ "EPTP 2-level walk", LONG, b_eptp_walk, MV_EC_CTL_EPTP, NOSEG },
	{ "EPTP memory type WC", LONG, b_eptp_type, MV_EC_CTL_EPTP, NOSEG },
	{ "unrestricted guest without EPT", REAL, b_ug_no_ept, MV_EC_CTL_UG_WITHOUT_EPT, NOSEG },
	{ "VPID 0", LONG, b_vpid0, MV_EC_CTL_VPID_ZERO, NOSEG },
	{ "VM-exit must-be-one bit clear", LONG, b_exit, MV_EC_CTL_EXIT, NOSEG },
	{ "save preemption timer without the timer", LONG, b_preempt_save,
	  MV_EC_CTL_PREEMPT_SAVE, NOSEG },
	{ "VM-exit MSR-store area not aligned", LONG, b_exit_store, MV_EC_CTL_EXIT_MSR_STORE,
	  NOSEG },
	{ "VM-exit MSR-load area beyond MAXPHYADDR", LONG, b_exit_load,
	  MV_EC_CTL_EXIT_MSR_LOAD, NOSEG },
	{ "VM-entry control bit 20 set", LONG, b_entry, MV_EC_CTL_ENTRY, NOSEG },
	{ "interruption type 1", LONG, b_intr_type, MV_EC_CTL_INTR_TYPE, NOSEG },
	{ "NMI with vector 3", LONG, b_intr_vector, MV_EC_CTL_INTR_VECTOR, NOSEG },
	{ "#GP without error code", LONG, b_intr_gp_no_code, MV_EC_CTL_INTR_ERRCODE, NOSEG },
	{ "#GP with error code in real mode", REAL, b_intr_code_real, MV_EC_CTL_INTR_ERRCODE,
	  NOSEG },
	{ "#UD with error code", LONG, b_intr_ud_code, MV_EC_CTL_INTR_ERRCODE, NOSEG },
	{ "interruption info bit 12", LONG, b_intr_reserved, MV_EC_CTL_INTR_RESERVED, NOSEG },
	{ "error code 0x10000", LONG, b_errcode_high, MV_EC_CTL_ERRCODE_HIGH, NOSEG },
	{ "INT n with length 0", LONG, b_insn_len, MV_EC_CTL_INSN_LEN, NOSEG },
	{ "VM-entry MSR-load area not aligned", LONG, b_entry_msr, MV_EC_CTL_ENTRY_MSR_LOAD,
	  NOSEG },
	{ "entry to SMM", LONG, b_entry_smm, MV_EC_CTL_ENTRY_SMM, NOSEG },

	{ "host CR0.PE clear", LONG, b_host_cr0, MV_EC_HOST_CR0, NOSEG },
	{ "host CR4.VMXE clear", LONG, b_host_cr4, MV_EC_HOST_CR4, NOSEG },
	{ "host CR3 beyond MAXPHYADDR", LONG, b_host_cr3, MV_EC_HOST_CR3, NOSEG },
	{ "host SYSENTER_ESP not canonical", LONG, b_host_sysenter, MV_EC_HOST_SYSENTER, NOSEG },
	{ "host PAT type 2", LONG, b_host_pat, MV_EC_HOST_PAT, NOSEG },
	{ "host EFER bit 1", LONG, b_host_efer_rsvd, MV_EC_HOST_EFER_RESERVED, NOSEG },
	{ "host EFER.LMA clear", LONG, b_host_efer_lma, MV_EC_HOST_EFER_LMA, NOSEG },
	{ "host DS RPL 3", LONG, b_host_ds_rpl, MV_EC_HOST_SEL_RPL_TI, MV_EC_DS },
	{ "host CS 0", LONG, b_host_cs_null, MV_EC_HOST_CS_NULL, NOSEG },
	{ "host TR 0", LONG, b_host_tr_null, MV_EC_HOST_TR_NULL, NOSEG },
	{ "host GS base not canonical", LONG, b_host_gs_base, MV_EC_HOST_BASE, MV_EC_GS },
	{ "host address-space size 0", LONG, b_host_addr_size, MV_EC_HOST_ADDR_SIZE, NOSEG },
	{ "host CR4.PAE clear", LONG, b_host_cr4_pae, MV_EC_HOST_CR4_PAE, NOSEG },
	{ "host RIP not canonical", LONG, b_host_rip, MV_EC_HOST_RIP, NOSEG },

	{ "CR0.NE clear", LONG, b_cr0_ne, MV_EC_CR0_FIXED, NOSEG },
	{ "CR0 bit 32", REAL, b_cr0_bit32, MV_EC_CR0_FIXED, NOSEG },
	{ "CR0.PE clear without unrestricted guest", REAL, b_no_ug, MV_EC_CR0_FIXED, NOSEG },
	{ "CR0.PG without PE", REAL, b_pg_no_pe, MV_EC_CR0_PG_NO_PE, NOSEG },
	{ "CR4.VMXE clear", REAL, b_cr4_vmxe, MV_EC_CR4_FIXED, NOSEG },
	{ "CR4.CET without CR0.WP", LONG, b_cet_no_wp, MV_EC_CR4_CET_NO_WP, NOSEG },
	{ "DEBUGCTL bit 2", LONG, b_debugctl, MV_EC_DEBUGCTL, NOSEG },
	{ "CR4.PAE clear in IA-32e mode", LONG, b_no_pae, MV_EC_IA32E_NO_PAE, NOSEG },
	{ "CR4.PCIDE in real mode", REAL, b_pcide, MV_EC_PCIDE_NO_IA32E, NOSEG },
	{ "CR3 bit 60", LONG, b_cr3_width, MV_EC_CR3_WIDTH, NOSEG },
	{ "DR7 bit 32", LONG, b_dr7, MV_EC_DR7_HIGH, NOSEG },
	{ "SYSENTER_EIP not canonical", LONG, b_sysenter, MV_EC_SYSENTER, NOSEG },
	{ "PAT type 3", LONG, b_pat, MV_EC_PAT, NOSEG },
	{ "EFER bit 1", LONG, b_efer_rsvd, MV_EC_EFER_RESERVED, NOSEG },
	{ "EFER.LMA without IA-32e mode guest", LONG, b_efer_lma, MV_EC_EFER_LMA, NOSEG },
	{ "EFER.LME clear with LMA and PG", LONG, b_efer_lme, MV_EC_EFER_LME, NOSEG },

	{ "RFLAGS bit 3", REAL, b_rflags_bit3, MV_EC_RFLAGS_RESERVED, NOSEG },
	{ "RFLAGS bit 1 clear", LONG, b_rflags_bit1, MV_EC_RFLAGS_RESERVED, NOSEG },
	{ "RFLAGS.VM in IA-32e mode", LONG, b_rflags_vm, MV_EC_RFLAGS_VM, NOSEG },
	{ "RFLAGS.VM in real mode", REAL, b_rflags_vm, MV_EC_RFLAGS_VM, NOSEG },
	{ "external interrupt with IF clear", REAL, b_extint_if, MV_EC_RFLAGS_IF_EXTINT, NOSEG },

	{ "TR TI set", LONG, b_tr_ti, MV_EC_TR_TI, NOSEG },
	{ "LDTR TI set", REAL, b_ldtr_ti, MV_EC_LDTR_TI, NOSEG },
	{ "SS.RPL 3, CS.RPL 0, no unrestricted guest", LONG, b_ss_rpl, MV_EC_SS_RPL, NOSEG },
	{ "v86 with flat CS", PROT32, b_v86_cs_base, MV_EC_V86_BASE, MV_EC_CS },
	{ "v86 DS limit 0xfffff", V86, b_v86_limit, MV_EC_V86_LIMIT, MV_EC_DS },
	{ "v86 ES AR 0x93", V86, b_v86_ar, MV_EC_V86_AR, MV_EC_ES },
	{ "FS base not canonical", LONG, b_fs_base, MV_EC_BASE_CANONICAL, MV_EC_FS },
	{ "TR base not canonical", LONG, b_tr_base, MV_EC_BASE_CANONICAL, MV_EC_TR },
	{ "LDTR base not canonical", REAL, b_ldtr_base, MV_EC_BASE_CANONICAL, MV_EC_LDTR },
	{ "DS base above 4 GiB", REAL, b_ds_base_high, MV_EC_BASE_HIGH, MV_EC_DS },
	{ "CS base above 4 GiB", LONG, b_cs_base_high, MV_EC_BASE_HIGH, MV_EC_CS },
	{ "CS type 1", REAL, b_cs_type, MV_EC_CS_TYPE, MV_EC_CS },
	{ "CS type 3 without unrestricted guest", LONG, b_cs_type3_no_ug, MV_EC_CS_TYPE,
	  MV_EC_CS },
	{ "SS type 11 (code)", LONG, b_ss_type, MV_EC_SS_TYPE, MV_EC_SS },
	{ "DS type 2 (not accessed)", LONG, b_ds_not_accessed, MV_EC_DATA_NOT_ACCESSED,
	  MV_EC_DS },
	{ "DS type 9 (execute-only code)", LONG, b_ds_code_exec_only, MV_EC_CODE_NOT_READABLE,
	  MV_EC_DS },
	{ "DS S clear", REAL, b_ds_s, MV_EC_SEG_NOT_S, MV_EC_DS },
	{ "CS type 3 DPL 3", REAL, b_cs_data_dpl3, MV_EC_CS_DPL_DATA, MV_EC_CS },
	{ "CS.DPL 3, SS.DPL 0", LONG, b_cs_dpl_nonconf, MV_EC_CS_DPL_NONCONF, MV_EC_CS },
	{ "conforming CS.DPL 3, SS.DPL 0", LONG, b_cs_dpl_conf, MV_EC_CS_DPL_CONF, MV_EC_CS },
	{ "SS.DPL 0 with SS.RPL 3", LONG, b_ss_dpl_rpl, MV_EC_SS_DPL_RPL, NOSEG },
	{ "SS.DPL 3 in real mode", REAL, b_ss_dpl_real, MV_EC_SS_DPL_NOT_0, NOSEG },
	{ "DS.DPL 0 below RPL 3", LONG, b_ds_dpl_rpl, MV_EC_DATA_DPL_RPL, MV_EC_DS },
	{ "DS not present", LONG, b_ds_not_present, MV_EC_SEG_NOT_PRESENT, MV_EC_DS },
	{ "DS AR bit 8", LONG, b_ds_ar_rsvd, MV_EC_SEG_AR_RESERVED, MV_EC_DS },
	{ "CS.L and CS.D", LONG, b_cs_l_d, MV_EC_CS_L_AND_D, MV_EC_CS },
	{ "DS limit 0x12345 with G", LONG, b_ds_limit_g1, MV_EC_SEG_LIMIT_G, MV_EC_DS },
	{ "DS limit 0x100000 without G", REAL, b_ds_limit_g0, MV_EC_SEG_LIMIT_G, MV_EC_DS },
	{ "TR limit 0x100000 without G", LONG, b_tr_limit_g, MV_EC_SEG_LIMIT_G, MV_EC_TR },
	{ "TR type 9 (available)", REAL, b_tr_avail, MV_EC_TR_TYPE, MV_EC_TR },
	{ "TR type 3 in IA-32e mode", LONG, b_tr_16bit, MV_EC_TR_TYPE, MV_EC_TR },
	{ "TR S set", LONG, b_tr_s, MV_EC_SYS_SEG_S, MV_EC_TR },
	{ "TR not present", LONG, b_tr_np, MV_EC_SEG_NOT_PRESENT, MV_EC_TR },
	{ "TR unusable", LONG, b_tr_unusable, MV_EC_TR_UNUSABLE, MV_EC_TR },
	{ "LDTR type 3", REAL, b_ldtr_type, MV_EC_LDTR_TYPE, MV_EC_LDTR },
	{ "LDTR not present", REAL, b_ldtr_np, MV_EC_SEG_NOT_PRESENT, MV_EC_LDTR },

	{ "GDTR base not canonical", LONG, b_gdtr, MV_EC_GDTR_CANONICAL, NOSEG },
	{ "IDTR base not canonical", LONG, b_idtr, MV_EC_IDTR_CANONICAL, NOSEG },
	{ "GDTR limit 0x10000", REAL, b_dtr_limit, MV_EC_DTR_LIMIT, NOSEG },
	{ "RIP above 4 GiB in real mode", REAL, b_rip_high, MV_EC_RIP_HIGH, NOSEG },
	{ "RIP above 4 GiB in compatibility mode", PROT32, b_rip_high, MV_EC_RIP_HIGH, NOSEG },
	{ "RIP not canonical", LONG, b_rip_canon, MV_EC_RIP_CANONICAL, NOSEG },

	{ "activity state 4", LONG, b_activity, MV_EC_ACTIVITY, NOSEG },
	{ "wait-for-SIPI not supported", LONG, b_activity_sipi, MV_EC_ACTIVITY, NOSEG },
	{ "HLT at CPL 3", LONG, b_hlt_dpl3, MV_EC_ACTIVITY_HLT_DPL, NOSEG },
	{ "HLT with MOV SS blocking", LONG, b_hlt_shadow, MV_EC_ACTIVITY_SHADOW, NOSEG },
	{ "interruptibility bit 5", LONG, b_intr_rsvd, MV_EC_INTR_RESERVED, NOSEG },
	{ "STI and MOV SS blocking", LONG, b_sti_movss, MV_EC_INTR_STI_MOVSS, NOSEG },
	{ "STI blocking with IF clear", REAL, b_sti_no_if, MV_EC_INTR_STI_IF, NOSEG },
	{ "external interrupt under MOV SS", LONG, b_extint_shadow, MV_EC_INTR_EXTINT, NOSEG },
	{ "NMI under MOV SS", LONG, b_nmi_movss, MV_EC_INTR_NMI, NOSEG },
	{ "SMI blocking outside SMM", LONG, b_smi, MV_EC_INTR_SMI, NOSEG },
	{ "pending debug bit 4", LONG, b_pending_rsvd, MV_EC_PENDING_DBG, NOSEG },
	{ "TF and MOV SS blocking without BS", LONG, b_pending_bs_tf, MV_EC_PENDING_DBG_BS,
	  NOSEG },
	{ "BS with MOV SS blocking and TF clear", REAL, b_pending_bs_no_tf,
	  MV_EC_PENDING_DBG_BS, NOSEG },
	{ "VMCS link pointer 0x1001", LONG, b_link, MV_EC_LINK_POINTER, NOSEG },
	{ "PDPTE1 with RW", PAE, b_pdpte_rw, MV_EC_PDPTE, NOSEG },
	{ "PDPTE0 beyond MAXPHYADDR", PAE, b_pdpte_width, MV_EC_PDPTE, NOSEG },
};

/* Changes that are legal: the state must still pass. */
static const struct ec_case legal[] = {
	{ "compatibility mode (CS.L clear, CS.D set)", LONG, b_cs_l_d_compat, 0, NOSEG },
	{ "unusable DS with a base above 4 GiB", LONG, b_ds_unusable_high, 0, NOSEG },
	{ "unusable DS with no other bits", REAL, b_ds_unusable_np, 0, NOSEG },
	{ "DS.DPL below RPL with unrestricted guest", LONG, b_ds_dpl_rpl_ug, 0, NOSEG },
	{ "PDPTE bits ignored when not present", PROT32, b_pdpte_rw, 0, NOSEG },
};

static void test_rule_table(void)
{
	unsigned int i, j, n = mv_entry_rule_count();
	bool good = n > 0;

	for (i = 0; i < n; i++) {
		const struct mv_entry_rule *r = mv_entry_rule_at(i);

		if (!r->id || !r->name || !r->sdm || !r->text || !*r->name ||
		    strncmp(r->sdm, "27.", 3) || mv_entry_rule_get(r->id) != r)
			good = false;
		for (j = 0; j < i; j++)
			if (mv_entry_rule_at(j)->id == r->id ||
			    !strcmp(mv_entry_rule_at(j)->name, r->name))
				good = false;
	}
	ok(good, "%u rules: ids and names unique, each with an SDM 27.x section and a text", n);
	ok(!mv_entry_rule_get(0) && !mv_entry_rule_get(99) && !mv_entry_rule_get(1000),
	   "unknown ids have no rule");
	ok(!strcmp(mv_entry_check_str(MV_EC_CS_L_AND_D), "cs_l_and_d") &&
	   !strcmp(mv_entry_check_sdm(MV_EC_CS_L_AND_D), "27.3.1.2") &&
	   !strcmp(mv_entry_check_str(0), "none") && !strcmp(mv_entry_check_str(7777), "unknown"),
	   "mv_entry_check_str/_sdm name rules, 0 and unknown ids");
}

static void test_valid_states(void)
{
	struct mv_entry_state s;
	struct mv_entry_result r;
	unsigned int b;

	for (b = 0; b < sizeof(bases) / sizeof(bases[0]); b++) {
		bases[b](&s);
		r = mv_entry_check(&s, MV_EC_GROUP_ALL);
		ok(r.rule == MV_EC_NONE && r.seg == -1, "valid %s state passes (got rule %u %s)",
		   base_names[b], r.rule, mv_entry_check_str(r.rule));
	}
}

static void test_cases(void)
{
	unsigned int i, n = mv_entry_rule_count(), missed = 0;
	bool hit[1024] = { false };
	struct mv_entry_state s;
	struct mv_entry_result r;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct ec_case *c = &cases[i];

		bases[c->base](&s);
		c->broken(&s);
		r = mv_entry_check(&s, MV_EC_GROUP_ALL);
		ok(r.rule == c->rule && r.seg == c->seg, "%s (%s): rule %u %s seg %s (got %u %s seg %s)",
		   c->what, base_names[c->base], c->rule, mv_entry_check_str(c->rule),
		   mv_entry_seg_name(c->seg), r.rule, mv_entry_check_str(r.rule),
		   mv_entry_seg_name(r.seg));
		if (r.rule == c->rule && c->rule < 1024)
			hit[c->rule] = true;
	}
	for (i = 0; i < n; i++) {
		const struct mv_entry_rule *rule = mv_entry_rule_at(i);

		if (!hit[rule->id]) {
			tap_diag("rule %u %s has no passing case", rule->id, rule->name);
			missed++;
		}
	}
	ok(!missed, "every rule of the table is produced by a case (%u missed)", missed);

	for (i = 0; i < sizeof(legal) / sizeof(legal[0]); i++) {
		bases[legal[i].base](&s);
		legal[i].broken(&s);
		r = mv_entry_check(&s, MV_EC_GROUP_ALL);
		ok(r.rule == MV_EC_NONE, "legal: %s (%s) passes (got %u %s)", legal[i].what,
		   base_names[legal[i].base], r.rule, mv_entry_check_str(r.rule));
	}
}

/* Each group only sees its own rules: the module asks for the group the failure names. */
static void test_groups(void)
{
	struct mv_entry_state s;

	long_state(&s);
	b_vpid0(&s);
	b_host_rip(&s);
	b_cs_l_d(&s);
	ok(mv_entry_check(&s, MV_EC_GROUP_ALL).rule == MV_EC_CTL_VPID_ZERO,
	   "all groups: a control rule comes first");
	ok(mv_entry_check(&s, MV_EC_GROUP_HOST | MV_EC_GROUP_GUEST).rule == MV_EC_HOST_RIP,
	   "host and guest: the host rule");
	ok(mv_entry_check(&s, MV_EC_GROUP_GUEST).rule == MV_EC_CS_L_AND_D,
	   "guest only: the guest rule");
	ok(mv_entry_check(&s, 0).rule == MV_EC_NONE, "no groups: nothing");
}

/* mv_dump_exit names the rule of a FAIL_ENTRY exit. */
static void test_dump(void)
{
	static union { struct mv_run run; char page[4096]; } u;
	char buf[2048] = "";
	FILE *f = fmemopen(buf, sizeof(buf) - 1, "w");

	if (!f) {
		ok(0, "fmemopen");
		return;
	}
	u.run.exit_reason = MV_EXIT_FAIL_ENTRY;
	u.run.fail_entry.hardware_entry_failure_reason = 33;
	u.run.fail_entry.check = MV_EC_CS_L_AND_D;
	mv_dump_exit(f, &u.run);
	fclose(f);
	ok(strstr(buf, "fail_entry.check: 141 (cs_l_and_d, SDM Vol. 3C 27.3.1.2)") != NULL,
	   "mv_dump_exit prints the rule id, name and section");
}

/* Documentation/api.md lists every rule with its id, name and section. */
static void test_documented(void)
{
	static char doc[256 * 1024];
	unsigned int i, missing = 0;
	FILE *f = fopen("../Documentation/api.md", "r");
	size_t n;

	if (!f) {
		ok(0, "open ../Documentation/api.md");
		return;
	}
	n = fread(doc, 1, sizeof(doc) - 1, f);
	fclose(f);
	doc[n] = '\0';
	for (i = 0; i < mv_entry_rule_count(); i++) {
		const struct mv_entry_rule *r = mv_entry_rule_at(i);
		char row[256];

		snprintf(row, sizeof(row), "| %u | `%s` | %s | %s |", r->id, r->name, r->sdm,
			 r->text);
		if (!strstr(doc, row)) {
			tap_diag("api.md lacks the row: %s", row);
			missing++;
		}
	}
	ok(!missing, "api.md documents every rule as in the table (%u missing)", missing);
}

int main(void)
{
	tap_start();
	test_rule_table();
	test_valid_states();
	test_cases();
	test_groups();
	test_dump();
	test_documented();
	return tap_end();
}
