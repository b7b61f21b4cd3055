// SPDX-License-Identifier: GPL-2.0
/*
 * VM-entry failure diagnostics: guest states that break one SDM entry rule
 * each (Intel SDM Vol. 3C 27.3.1), produced through MV_SET_SREGS and
 * MV_SET_REGS. Each must fail entry with exit reason 33 and the exact rule
 * id of common/vmx_entry_check.h in fail_entry.check; then the good state
 * runs again on the same vCPU. Rules the emulated CPU (Bochs 2.7) does not
 * check itself, and states the kernel refuses earlier, are covered by the
 * host tier (userspace/tests/test_entry_check.c; see Documentation/testing.md).
 */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include "test_harness.h"
#include "test_util.h"
#include "vm.h"
#include "mv_x86.h"
#include "../common/vmx_entry_check.h"

/* entry_guest.c */
uint64_t guest_entry_ok(uint64_t arg);

#define EXIT_REASON_INVALID_GUEST_STATE	33
#define QUAL_PDPTE_LOADING		2	/* SDM Vol. 3C 27.8 */
#define NONCANONICAL			0x0000800000000000ull
#define CR4_PCIDE			(1ull << 17)
#define RFLAGS_VM			(1ull << 17)
#define PDPTE_GPA			LM_SCRATCH_GPA

enum mode { REAL, LONG };

struct entry_case {
	const char *name;
	enum mode mode;
	void (*brk)(struct tvm *t, struct mv_sregs *s, struct mv_regs *r);
	uint32_t rule;
	uint64_t qual;
};

#define BREAK(fn, body) \
	static void fn(struct tvm *t, struct mv_sregs *s, struct mv_regs *r) \
	{ (void)t; (void)s; (void)r; body; }

BREAK(b_pg_without_pe, s->cr0 = MV_CR0_PG | MV_CR0_ET)
BREAK(b_cr0_bit32, s->cr0 |= 1ull << 32)
BREAK(b_pcide_real, s->cr4 |= CR4_PCIDE)
BREAK(b_cr3_width, s->cr3 = 1ull << 60)
BREAK(b_tr_available, s->tr.type = 9)
BREAK(b_tr_unusable, s->tr.unusable = 1)
BREAK(b_tr_ti, s->tr.selector = 0x4)
BREAK(b_tr_s, s->tr.s = 1)
BREAK(b_ldtr_ti, s->ldt.selector = 0x4)
BREAK(b_ldtr_type, s->ldt.type = 3)
BREAK(b_cs_type, s->cs.type = 1)
BREAK(b_cs_data_dpl3, s->cs.type = 3; s->cs.dpl = 3)
BREAK(b_ss_dpl3_real, s->cs.type = 3; s->ss.dpl = 3)
BREAK(b_ss_code, s->ss.type = 0xb)
BREAK(b_ds_not_accessed, s->ds.type = 2)
BREAK(b_ds_exec_only, s->ds.type = 9)
BREAK(b_ds_not_present, s->ds.present = 0)
BREAK(b_ds_s_clear, s->ds.s = 0)
BREAK(b_ds_limit_no_g, s->ds.limit = 0x100000)
BREAK(b_ds_limit_g, s->ds.limit = 0x12345)
BREAK(b_ds_base_high, s->ds.base = 1ull << 32)
BREAK(b_rflags_reserved, r->rflags |= 1ull << 3)
BREAK(b_rflags_vm, r->rflags |= RFLAGS_VM)
BREAK(b_rip_high, r->rip |= 1ull << 32)
BREAK(b_cs_l_and_d, s->cs.db = 1)
BREAK(b_no_pae, s->cr4 &= ~MV_CR4_PAE)
BREAK(b_lme_clear, s->efer = MV_EFER_LMA)
BREAK(b_gdtr_base, s->gdt.base = NONCANONICAL)
BREAK(b_idtr_base, s->idt.base = NONCANONICAL)
BREAK(b_fs_base, s->fs.base = NONCANONICAL)
BREAK(b_tr_base, s->tr.base = NONCANONICAL)
BREAK(b_tr_16bit_busy, s->tr.type = 3)

/* 32-bit PAE paging whose PDPTE 0 sets bit 1, reserved in a PAE PDPTE. */
static void b_pdpte(struct tvm *t, struct mv_sregs *s, struct mv_regs *r)
{
	uint64_t *pdpte = tvm_ptr(t, PDPTE_GPA, 32);

	(void)r;
	memset(pdpte, 0, 32);
	pdpte[0] = LM_PT_GPA | 0x3;	/* P plus reserved bit 1 */
	s->cs.l = 0;
	s->cs.db = 1;
	s->efer = 0;
	s->cr3 = PDPTE_GPA;
}

/* 32-bit protected mode without paging, from the 64-bit state. */
static void prot32(struct mv_sregs *s)
{
	s->cs.l = 0;
	s->cs.db = 1;
	s->efer = 0;
	s->cr0 &= ~MV_CR0_PG;
}

/* Virtual-8086 mode: RFLAGS.VM with 64 KiB segments at selector * 16, AR 0xf3. */
static void v86(struct mv_sregs *s, struct mv_regs *r)
{
	struct mv_segment *segs[] = { &s->cs, &s->ds, &s->es, &s->fs, &s->gs, &s->ss };
	unsigned int i;

	prot32(s);
	for (i = 0; i < ARRAY_SIZE(segs); i++)
		*segs[i] = (struct mv_segment){ .selector = 0x100, .base = 0x1000, .limit = 0xffff,
						.type = 3, .s = 1, .dpl = 3, .present = 1 };
	r->rflags |= RFLAGS_VM;
	r->rip = 0;
}

BREAK(b_v86_flat, prot32(s); r->rflags |= RFLAGS_VM)
BREAK(b_v86_limit, v86(s, r); s->ds.limit = 0xfffff)
BREAK(b_v86_ar, v86(s, r); s->es.dpl = 0)

static const struct entry_case cases[] = {
	/* real mode, unrestricted guest */
	{ "real_cr0_pg_without_pe", REAL, b_pg_without_pe, MV_EC_CR0_PG_NO_PE, 0 },
	{ "real_cr0_bit32", REAL, b_cr0_bit32, MV_EC_CR0_FIXED, 0 },
	{ "real_cr4_pcide", REAL, b_pcide_real, MV_EC_PCIDE_NO_IA32E, 0 },
	{ "real_cr3_beyond_maxphyaddr", REAL, b_cr3_width, MV_EC_CR3_WIDTH, 0 },
	{ "real_tr_available_tss", REAL, b_tr_available, MV_EC_TR_TYPE, 0 },
	{ "real_tr_unusable", REAL, b_tr_unusable, MV_EC_TR_UNUSABLE, 0 },
	{ "real_tr_ti", REAL, b_tr_ti, MV_EC_TR_TI, 0 },
	{ "real_tr_s_set", REAL, b_tr_s, MV_EC_SYS_SEG_S, 0 },
	{ "real_ldtr_ti", REAL, b_ldtr_ti, MV_EC_LDTR_TI, 0 },
	{ "real_ldtr_type", REAL, b_ldtr_type, MV_EC_LDTR_TYPE, 0 },
	{ "real_cs_type_1", REAL, b_cs_type, MV_EC_CS_TYPE, 0 },
	{ "real_cs_data_dpl3", REAL, b_cs_data_dpl3, MV_EC_CS_DPL_DATA, 0 },
	{ "real_ss_dpl3", REAL, b_ss_dpl3_real, MV_EC_SS_DPL_NOT_0, 0 },
	{ "real_ss_code_segment", REAL, b_ss_code, MV_EC_SS_TYPE, 0 },
	{ "real_ds_not_accessed", REAL, b_ds_not_accessed, MV_EC_DATA_NOT_ACCESSED, 0 },
	{ "real_ds_execute_only_code", REAL, b_ds_exec_only, MV_EC_CODE_NOT_READABLE, 0 },
	{ "real_ds_not_present", REAL, b_ds_not_present, MV_EC_SEG_NOT_PRESENT, 0 },
	{ "real_ds_s_clear", REAL, b_ds_s_clear, MV_EC_SEG_NOT_S, 0 },
	{ "real_ds_limit_without_g", REAL, b_ds_limit_no_g, MV_EC_SEG_LIMIT_G, 0 },
	{ "real_ds_base_above_4g", REAL, b_ds_base_high, MV_EC_BASE_HIGH, 0 },
	{ "real_rflags_reserved_bit3", REAL, b_rflags_reserved, MV_EC_RFLAGS_RESERVED, 0 },
	{ "real_rflags_vm", REAL, b_rflags_vm, MV_EC_RFLAGS_VM, 0 },
	{ "real_rip_above_4g", REAL, b_rip_high, MV_EC_RIP_HIGH, 0 },
	/* 64-bit mode */
	{ "long_cs_l_and_d", LONG, b_cs_l_and_d, MV_EC_CS_L_AND_D, 0 },
	{ "long_cr4_pae_clear", LONG, b_no_pae, MV_EC_IA32E_NO_PAE, 0 },
	{ "long_efer_lme_clear", LONG, b_lme_clear, MV_EC_EFER_LME, 0 },
	{ "long_rflags_vm", LONG, b_rflags_vm, MV_EC_RFLAGS_VM, 0 },
	{ "long_gdtr_base_noncanonical", LONG, b_gdtr_base, MV_EC_GDTR_CANONICAL, 0 },
	{ "long_idtr_base_noncanonical", LONG, b_idtr_base, MV_EC_IDTR_CANONICAL, 0 },
	{ "long_fs_base_noncanonical", LONG, b_fs_base, MV_EC_BASE_CANONICAL, 0 },
	{ "long_tr_base_noncanonical", LONG, b_tr_base, MV_EC_BASE_CANONICAL, 0 },
	{ "long_tr_16bit_busy_tss", LONG, b_tr_16bit_busy, MV_EC_TR_TYPE, 0 },
	{ "long_ds_limit_with_g", LONG, b_ds_limit_g, MV_EC_SEG_LIMIT_G, 0 },
	{ "pae_pdpte_reserved_bit", LONG, b_pdpte, MV_EC_PDPTE, QUAL_PDPTE_LOADING },
	/* virtual-8086 mode */
	{ "v86_flat_segments", LONG, b_v86_flat, MV_EC_V86_BASE, 0 },
	{ "v86_ds_limit", LONG, b_v86_limit, MV_EC_V86_LIMIT, 0 },
	{ "v86_es_dpl0", LONG, b_v86_ar, MV_EC_V86_AR, 0 },
};

static void setup(struct tvm *t, enum mode mode)
{
	if (mode == REAL)
		tvm_create_real(t, RM_BLOB(hlt));
	else
		tvm_create_long(t, guest_entry_ok, 41);
}

/* The good state again: the vCPU must run normally after a failed entry. */
static void runs_again(struct tvm *t, enum mode mode, const struct mv_sregs *good)
{
	if (mode == REAL) {
		tvm_set_sregs(t, good);
		tvm_reset_real(t, RM_LOAD_ADDR);
		tvm_run_expect(t, MV_EXIT_HLT);
		EXPECT_EQ(tvm_rip(t), RM_LOAD_ADDR + 1);
	} else {
		tvm_start_long(t, guest_entry_ok, 41);
		EXPECT_EQ(tvm_run_done(t), 42);
	}
}

static void run_case(const struct entry_case *c)
{
	struct mv_sregs good, s;
	struct mv_regs r;
	struct mv_run *run;
	struct tvm t;
	int ret;

	setup(&t, c->mode);
	run = t.vm.run;
	tvm_get_sregs(&t, &good);
	tvm_get_regs(&t, &r);
	s = good;
	c->brk(&t, &s, &r);
	ret = mv_set_sregs(t.vm.vcpu_fd, &s);
	if (ret == -EINVAL && c->brk == b_pcide_real)
		test_skip("this CPU has no PCID: MV_SET_SREGS refuses CR4.PCIDE");
	ASSERT_EQ(ret, 0);
	tvm_set_regs(&t, &r);

	tvm_run_expect(&t, MV_EXIT_FAIL_ENTRY);
	test_diag("reason %llu qualification %llu check %u (%s)",
		  (unsigned long long)run->fail_entry.hardware_entry_failure_reason,
		  (unsigned long long)run->fail_entry.qualification, run->fail_entry.check,
		  mv_entry_check_str(run->fail_entry.check));
	EXPECT_EQ(run->fail_entry.hardware_entry_failure_reason,
		  EXIT_REASON_INVALID_GUEST_STATE);
	EXPECT_EQ(run->fail_entry.qualification, c->qual);
	EXPECT_EQ(run->fail_entry.check, c->rule);

	/* The same state fails the same way: nothing was consumed or changed. */
	tvm_run_expect(&t, MV_EXIT_FAIL_ENTRY);
	EXPECT_EQ(run->fail_entry.check, c->rule);

	runs_again(&t, c->mode, &good);
	tvm_destroy(&t);
}

/* /dev/kmsg positioned after the newest record. */
static int kmsg_open_at_end(void)
{
	int fd = open("/dev/kmsg", O_RDONLY | O_NONBLOCK | O_CLOEXEC);

	if (fd < 0)
		TEST_FAIL("open /dev/kmsg: %s", strerror(errno));
	if (lseek(fd, 0, SEEK_END) < 0)
		TEST_FAIL("seek to the end of /dev/kmsg: %s", strerror(errno));
	return fd;
}

static bool kmsg_find(int fd, const char *want)
{
	char rec[8192];

	for (;;) {
		ssize_t n = read(fd, rec, sizeof(rec) - 1);
		char *msg;

		if (n < 0 && errno == EPIPE)
			continue;
		if (n <= 0)
			return false;
		rec[n] = '\0';
		msg = strchr(rec, ';');
		msg = msg ? msg + 1 : rec;
		*strchrnul(msg, '\n') = '\0';
		if (strstr(msg, want)) {
			test_diag("kernel log: %s", msg);
			return true;
		}
	}
}

/* First in the list: the log line is rate-limited, so nothing may use it up before. */
static void test_log_line(void)
{
	struct mv_sregs s;
	struct tvm t;
	int kmsg;

	tvm_create_long(&t, guest_entry_ok, 41);
	tvm_get_sregs(&t, &s);
	s.cs.db = 1;
	tvm_set_sregs(&t, &s);
	kmsg = kmsg_open_at_end();
	tvm_run_expect(&t, MV_EXIT_FAIL_ENTRY);
	EXPECT_EQ(t.vm.run->fail_entry.check, MV_EC_CS_L_AND_D);
	EXPECT_TRUE(kmsg_find(kmsg, "minivisor: VM entry failed: guest CS.L and CS.D both set "
				    "with IA-32e mode (SDM 27.3.1.2; rule 141 cs_l_and_d, "
				    "exit reason 33)"));
	close(kmsg);
	tvm_destroy(&t);
}

#define CASE(i) static void test_case_##i(void) { run_case(&cases[i]); }
CASE(0) CASE(1) CASE(2) CASE(3) CASE(4) CASE(5) CASE(6) CASE(7) CASE(8) CASE(9)
CASE(10) CASE(11) CASE(12) CASE(13) CASE(14) CASE(15) CASE(16) CASE(17) CASE(18) CASE(19)
CASE(20) CASE(21) CASE(22) CASE(23) CASE(24) CASE(25) CASE(26) CASE(27) CASE(28) CASE(29)
CASE(30) CASE(31) CASE(32) CASE(33) CASE(34) CASE(35) CASE(36)

static struct test_case tests[1 + ARRAY_SIZE(cases)] = {
	{ "log_line_names_rule_and_section", test_log_line, 0 },
};

static void (*const case_fns[])(void) = {
	test_case_0, test_case_1, test_case_2, test_case_3, test_case_4, test_case_5,
	test_case_6, test_case_7, test_case_8, test_case_9, test_case_10, test_case_11,
	test_case_12, test_case_13, test_case_14, test_case_15, test_case_16, test_case_17,
	test_case_18, test_case_19, test_case_20, test_case_21, test_case_22, test_case_23,
	test_case_24, test_case_25, test_case_26, test_case_27, test_case_28, test_case_29,
	test_case_30, test_case_31, test_case_32, test_case_33, test_case_34, test_case_35,
	test_case_36,
};

int main(int argc, char **argv)
{
	size_t i;

	_Static_assert(ARRAY_SIZE(case_fns) == ARRAY_SIZE(cases), "one function per case");
	for (i = 0; i < ARRAY_SIZE(cases); i++)
		tests[1 + i] = (struct test_case){ cases[i].name, case_fns[i], 0 };
	return test_main(argc, argv, tests, ARRAY_SIZE(tests));
}
