// SPDX-License-Identifier: GPL-2.0
/*
 * Instruction exits the kernel emulates: RDMSR/WRMSR (and MV_GET/SET_MSRS,
 * MV_GET_MSR_INDEX_LIST, MSR exits to userspace), MOV CR0/CR4/CR8, MOV DR,
 * VMCALL, instructions the guest may not use (#UD/#GP), WBINVD/INVD; and
 * the event ioctls (MV_INJECT_EXCEPTION, MV_GET/SET_VCPU_EVENTS).
 *
 * An exception the guest takes ends its function with UCALL_EXCEPTION
 * (vector, error code, RIP, CR2), which the cases check exactly.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "test_harness.h"
#include "test_util.h"
#include "vm.h"

/* insn_guest.c */
uint64_t guest_rdmsr(uint64_t msr);
uint64_t guest_wrmsr(uint64_t msr);
uint64_t guest_kgs(uint64_t val);
uint64_t guest_sti_rdmsr(uint64_t msr);
uint64_t guest_cr0_cd(uint64_t arg);
uint64_t guest_cr0_nw(uint64_t arg);
uint64_t guest_cr4_set(uint64_t bits);
uint64_t guest_cr8(uint64_t val);
uint64_t guest_drs(uint64_t val);
uint64_t guest_vmcall(uint64_t nr);
uint64_t guest_vmxoff(uint64_t arg);
uint64_t guest_rdpmc(uint64_t arg);
uint64_t guest_mwait(uint64_t arg);
uint64_t guest_wbinvd_invd(uint64_t arg);
uint64_t guest_nothing(uint64_t arg);
uint64_t guest_rep_outsb(uint64_t n);
uint64_t guest_rep_outsb_down(uint64_t n);
uint64_t guest_rep_insw(uint64_t n);
uint64_t guest_insl_to(uint64_t addr);
uint64_t guest_rep_outsb_zero(uint64_t arg);
uint64_t guest_rep_outsb_addr32(uint64_t n);
uint64_t guest_desc_ops(uint64_t ldt_sel);
uint64_t guest_ltr(uint64_t sel);

#define PIO_PORT	0xe0

#define MSR_IA32_TSC		0x10
#define MSR_APICBASE		0x1b
#define MSR_FEAT_CTL		0x3a
#define MSR_UCODE_REV		0x8b
#define MSR_MISC_ENABLE		0x1a0
#define MSR_PAT			0x277
#define MSR_EFER		0xc0000080
#define MSR_LSTAR		0xc0000082
#define MSR_FS_BASE		0xc0000100
#define MSR_KERNEL_GS_BASE	0xc0000102
#define MSR_UNKNOWN		0x12345678
#define MSR_SPEC_CTRL		0x48

#define VEC_DB	1
#define VEC_UD	6
#define VEC_GP	13
#define VEC_PF	14

/* Runs fn(arg) to its end: it must take exception vec (error code err). */
static void expect_guest_exception(guest_fn fn, uint64_t arg, uint64_t vec, uint64_t err)
{
	struct ucall_info uc;
	struct tvm t;

	tvm_create_long(&t, fn, arg);
	tvm_run(&t);
	ASSERT_EQ(tvm_get_ucall(&t, &uc), UCALL_EXCEPTION);
	EXPECT_EQ(uc.args[0], vec);
	EXPECT_EQ(uc.args[1], err);
	tvm_destroy(&t);
}

static uint64_t guest_value(guest_fn fn, uint64_t arg)
{
	struct tvm t;
	uint64_t v;

	tvm_create_long(&t, fn, arg);
	v = tvm_run_done(&t);
	tvm_destroy(&t);
	return v;
}

static void test_rdmsr_emulated_values(void)
{
	uint64_t v;

	v = guest_value(guest_rdmsr, MSR_MISC_ENABLE);
	EXPECT_EQ(v & 1, 1);			/* fast strings */
	EXPECT_EQ(v & (3ull << 11), 3ull << 11);	/* no BTS, no PEBS */
	EXPECT_EQ(guest_value(guest_rdmsr, MSR_FEAT_CTL), 1);	/* locked, no VMX */
	EXPECT_EQ(guest_value(guest_rdmsr, MSR_UCODE_REV) >> 32, 1);
	v = guest_value(guest_rdmsr, MSR_APICBASE);
	EXPECT_EQ(v, 0xfee00000ull | (1ull << 11) | (1ull << 8));	/* vCPU 0: BSP */
	EXPECT_EQ(guest_value(guest_rdmsr, MSR_PAT), 0x0007040600070406ull);
	v = guest_value(guest_rdmsr, MSR_EFER);
	EXPECT_EQ(v & 0x500, 0x500);		/* LME, LMA */
}

static void test_rdmsr_unknown_gp(void)
{
	expect_guest_exception(guest_rdmsr, MSR_UNKNOWN, VEC_GP, 0);
	/* SPEC_CTRL is not offered (CPUID hides IBRS): #GP, not the host's value. */
	expect_guest_exception(guest_rdmsr, MSR_SPEC_CTRL, VEC_GP, 0);
}

static void wrmsr_expect(uint32_t msr, uint64_t val, bool gp)
{
	struct ucall_info uc;
	struct tvm t;

	tvm_create_long(&t, guest_wrmsr, msr);
	*(uint64_t *)tvm_ptr(&t, LM_SCRATCH_GPA, 8) = val;
	tvm_run(&t);
	if (gp) {
		ASSERT_EQ(tvm_get_ucall(&t, &uc), UCALL_EXCEPTION);
		EXPECT_EQ(uc.args[0], VEC_GP);
	} else {
		EXPECT_EQ(tvm_get_ucall(&t, &uc), UCALL_DONE);
	}
	tvm_destroy(&t);
}

static void test_wrmsr_checked_values(void)
{
	wrmsr_expect(MSR_UNKNOWN, 0, true);
	wrmsr_expect(MSR_PAT, 0x0007040600070402ull, true);	/* type 2 is reserved */
	wrmsr_expect(MSR_PAT, 0x0007040600070406ull, false);
	wrmsr_expect(MSR_EFER, 0x502, true);			/* EFER bit 1 reserved */
	wrmsr_expect(MSR_LSTAR, 0x0000800000000000ull, true);	/* not canonical */
	wrmsr_expect(MSR_MISC_ENABLE, 0, true);			/* constant */
	wrmsr_expect(MSR_UCODE_REV, 0, false);			/* Linux does this */
}

static void test_kernel_gs_base_guest_and_host(void)
{
	struct ucall_info uc;
	struct tvm t;
	uint64_t v;

	tvm_create_long(&t, guest_kgs, 0x1234567000ull);
	tvm_expect_sync(&t, &uc, 1);
	EXPECT_EQ(uc.args[0], 0x1234567000ull);
	ASSERT_EQ(mv_get_msr(t.vm.vcpu_fd, MSR_KERNEL_GS_BASE, &v), 0);
	EXPECT_EQ(v, 0x1234567000ull);
	ASSERT_EQ(mv_set_msr(t.vm.vcpu_fd, MSR_KERNEL_GS_BASE, 0xabcdef000ull), 0);
	EXPECT_EQ(tvm_run_done(&t), 0xabcdef000ull);
	EXPECT_EQ(mv_set_msr(t.vm.vcpu_fd, MSR_KERNEL_GS_BASE, 0x8000000000000000ull),
		  -EINVAL);
	tvm_destroy(&t);
}

struct msr_buf {
	struct mv_msrs hdr;
	struct mv_msr_entry e[MV_MSRS_MAX + 1];
};

static void test_get_set_msrs_errors(void)
{
	struct msr_buf *b = calloc(1, sizeof(*b));
	struct tvm t;

	ASSERT_NE(b, NULL);
	tvm_create_long(&t, guest_nothing, 0);
	b->hdr.nmsrs = MV_MSRS_MAX + 1;
	EXPECT_EQ(ioctl(t.vm.vcpu_fd, MV_GET_MSRS, b) < 0 ? errno : 0, E2BIG);
	b->hdr.nmsrs = 1;
	b->hdr.pad = 1;
	EXPECT_EQ(ioctl(t.vm.vcpu_fd, MV_GET_MSRS, b) < 0 ? errno : 0, EINVAL);
	b->hdr.pad = 0;
	b->e[0].index = MSR_EFER;
	b->e[0].reserved = 1;
	EXPECT_EQ(ioctl(t.vm.vcpu_fd, MV_SET_MSRS, b) < 0 ? errno : 0, EINVAL);
	b->e[0].reserved = 0;
	EXPECT_EQ(ioctl(t.vm.vcpu_fd, MV_GET_MSRS, (void *)8) < 0 ? errno : 0, EFAULT);
	/* Processing stops at the first unknown MSR: returns how many were done. */
	b->hdr.nmsrs = 3;
	b->e[0].index = MSR_PAT;
	b->e[1].index = MSR_UNKNOWN;
	b->e[2].index = MSR_EFER;
	EXPECT_EQ(ioctl(t.vm.vcpu_fd, MV_GET_MSRS, b), 1);
	EXPECT_EQ(b->e[0].data, 0x0007040600070406ull);
	/* A refused value stops MV_SET_MSRS the same way. */
	b->hdr.nmsrs = 2;
	b->e[0].index = MSR_PAT;
	b->e[0].data = 0x0606060606060606ull;
	b->e[1].index = MSR_PAT;
	b->e[1].data = 0x0303030303030303ull;
	EXPECT_EQ(ioctl(t.vm.vcpu_fd, MV_SET_MSRS, b), 1);
	b->hdr.nmsrs = 1;
	EXPECT_EQ(ioctl(t.vm.vcpu_fd, MV_GET_MSRS, b), 1);
	EXPECT_EQ(b->e[0].data, 0x0606060606060606ull);
	tvm_destroy(&t);
	free(b);
}

static void test_msr_index_list(void)
{
	struct { struct mv_msr_list l; uint32_t idx[128]; } m;
	int fd = mv_open(), i, efer = 0, lstar = 0;

	ASSERT_GE(fd, 0);
	memset(&m, 0, sizeof(m));
	EXPECT_EQ(ioctl(fd, MV_GET_MSR_INDEX_LIST, &m) < 0 ? errno : 0, E2BIG);
	ASSERT_GT(m.l.nmsrs, 10);
	ASSERT_LE(m.l.nmsrs, 128);
	EXPECT_EQ(ioctl(fd, MV_GET_MSR_INDEX_LIST, &m), 0);
	for (i = 0; i < (int)m.l.nmsrs; i++) {
		efer += m.idx[i] == MSR_EFER;
		lstar += m.idx[i] == MSR_LSTAR;
	}
	EXPECT_EQ(efer, 1);
	EXPECT_EQ(lstar, 1);
	EXPECT_EQ(mv_check_cap(fd, MV_CAP_MSRS), 1);
	close(fd);
}

static void test_msr_exit_to_userspace(void)
{
	struct mv_run *run;
	struct ucall_info uc;
	struct tvm t;

	tvm_create_long(&t, guest_rdmsr, MSR_UNKNOWN);
	run = t.vm.run;
	EXPECT_EQ(mv_enable_cap(t.vm.vm_fd, MV_CAP_MSR_EXIT, 2), -EINVAL);
	EXPECT_EQ(mv_enable_cap(t.vm.vm_fd, 0x7777, 1), -EINVAL);
	ASSERT_EQ(mv_enable_cap(t.vm.vm_fd, MV_CAP_MSR_EXIT, 1), 0);
	tvm_run_expect(&t, MV_EXIT_MSR);
	EXPECT_EQ(run->msr.index, MSR_UNKNOWN);
	EXPECT_EQ(run->msr.is_write, 0);
	run->msr.data = 0x1122334455667788ull;
	EXPECT_EQ(tvm_run_done(&t), 0x1122334455667788ull);

	/* A write the VMM refuses: #GP at the WRMSR. */
	tvm_start_long(&t, guest_wrmsr, MSR_UNKNOWN);
	*(uint64_t *)tvm_ptr(&t, LM_SCRATCH_GPA, 8) = 0xfeed;
	tvm_run_expect(&t, MV_EXIT_MSR);
	EXPECT_EQ(run->msr.is_write, 1);
	EXPECT_EQ(run->msr.data, 0xfeed);
	run->msr.error = 1;
	tvm_run(&t);
	ASSERT_EQ(tvm_get_ucall(&t, &uc), UCALL_EXCEPTION);
	EXPECT_EQ(uc.args[0], VEC_GP);
	tvm_destroy(&t);
}

static void test_cr0_cd_emulated(void)
{
	struct ucall_info uc;
	struct mv_sregs s;
	struct tvm t;

	tvm_create_long(&t, guest_cr0_cd, 0);
	tvm_expect_sync(&t, &uc, 1);
	EXPECT_EQ(uc.args[0] & (1ull << 30), 1ull << 30);	/* the guest sees CD */
	tvm_get_sregs(&t, &s);
	EXPECT_EQ(s.cr0 & (1ull << 30), 1ull << 30);
	EXPECT_EQ(tvm_run_done(&t) & (1ull << 30), 1ull << 30);
	tvm_destroy(&t);
	expect_guest_exception(guest_cr0_nw, 0, VEC_GP, 0);
}

static void test_cr4_unsupported_bits_gp(void)
{
	expect_guest_exception(guest_cr4_set, 1ull << 13, VEC_GP, 0);	/* VMXE */
	expect_guest_exception(guest_cr4_set, 1ull << 22, VEC_GP, 0);	/* PKE */
	expect_guest_exception(guest_cr4_set, 1ull << 12, VEC_GP, 0);	/* LA57 */
	/* A guest-owned bit still works: OSXMMEXCPT is already set; PGE too. */
	EXPECT_EQ(guest_value(guest_cr4_set, 1ull << 7) & (1ull << 7), 1ull << 7);
}

static void test_cr8_round_trip(void)
{
	EXPECT_EQ(guest_value(guest_cr8, 5), 5);
	expect_guest_exception(guest_cr8, 16, VEC_GP, 0);
}

static void test_debug_registers(void)
{
	struct ucall_info uc;
	struct tvm t;

	tvm_create_long(&t, guest_drs, 0x123456789000ull);
	tvm_expect_sync(&t, &uc, 3);
	EXPECT_EQ(uc.args[0], 0x123456789000ull);
	EXPECT_EQ(uc.args[1], 0xffff0ff0ull);	/* DR6 fixed bits */
	EXPECT_EQ(uc.args[2], 0x400ull);	/* DR7 bit 10 */
	tvm_run(&t);
	ASSERT_EQ(tvm_get_ucall(&t, &uc), UCALL_EXCEPTION);
	EXPECT_EQ(uc.args[0], VEC_GP);
	tvm_destroy(&t);
}

static void test_vmcall_in_kernel_and_unknown(void)
{
	int fd = mv_open();

	ASSERT_GE(fd, 0);
	EXPECT_EQ(mv_check_cap(fd, MV_CAP_HYPERCALL), 1);
	close(fd);
	EXPECT_EQ(guest_value(guest_vmcall, MV_HC_NOP), 0);
	EXPECT_EQ(guest_value(guest_vmcall, 0x77), MV_HC_ENOSYS);
	EXPECT_EQ(guest_value(guest_vmcall, 0x2000), MV_HC_ENOSYS);
}

static void test_vmcall_to_userspace(void)
{
	struct mv_run *run;
	struct tvm t;

	tvm_create_long(&t, guest_vmcall, 0x1042);
	run = t.vm.run;
	tvm_run_expect(&t, MV_EXIT_HYPERCALL);
	EXPECT_EQ(run->hypercall.nr, 0x1042);
	EXPECT_EQ(run->hypercall.args[0], 0x1043);
	EXPECT_EQ(run->hypercall.args[3], 0x1046);
	EXPECT_EQ(run->hypercall.ret, MV_HC_ENOSYS);
	run->hypercall.ret = 123;
	EXPECT_EQ(tvm_run_done(&t), 123);
	/* Left untouched, the guest gets ENOSYS. */
	tvm_start_long(&t, guest_vmcall, 0x1fff);
	tvm_run_expect(&t, MV_EXIT_HYPERCALL);
	EXPECT_EQ(tvm_run_done(&t), MV_HC_ENOSYS);
	tvm_destroy(&t);
}

static void test_forbidden_instructions(void)
{
	expect_guest_exception(guest_vmxoff, 0, VEC_UD, 0);
	expect_guest_exception(guest_rdpmc, 0, VEC_GP, 0);
	expect_guest_exception(guest_mwait, 0, VEC_UD, 0);
}

static void test_wbinvd_invd_complete(void)
{
	EXPECT_EQ(guest_value(guest_wbinvd_invd, 41), 42);
}

static void test_inject_exception_delivered(void)
{
	struct ucall_info uc;
	struct tvm t;
	uint64_t rip;

	tvm_create_long(&t, guest_nothing, 0);
	rip = tvm_rip(&t);
	ASSERT_EQ(mv_inject_exception(t.vm.vcpu_fd, VEC_UD, 0, 0, 0), 0);
	EXPECT_EQ(mv_inject_exception(t.vm.vcpu_fd, VEC_UD, 0, 0, 0), -EBUSY);
	tvm_run(&t);
	ASSERT_EQ(tvm_get_ucall(&t, &uc), UCALL_EXCEPTION);
	EXPECT_EQ(uc.args[0], VEC_UD);
	EXPECT_EQ(uc.args[2], rip);

	tvm_start_long(&t, guest_nothing, 0);
	ASSERT_EQ(mv_inject_exception(t.vm.vcpu_fd, VEC_GP, 1, 0x18, 0), 0);
	tvm_run(&t);
	ASSERT_EQ(tvm_get_ucall(&t, &uc), UCALL_EXCEPTION);
	EXPECT_EQ(uc.args[0], VEC_GP);
	EXPECT_EQ(uc.args[1], 0x18);

	/* #PF with its CR2 in the payload. */
	tvm_start_long(&t, guest_nothing, 0);
	ASSERT_EQ(mv_inject_exception(t.vm.vcpu_fd, VEC_PF, 1, 2, 0xdead000ull), 0);
	tvm_run(&t);
	ASSERT_EQ(tvm_get_ucall(&t, &uc), UCALL_EXCEPTION);
	EXPECT_EQ(uc.args[0], VEC_PF);
	EXPECT_EQ(uc.args[1], 2);
	EXPECT_EQ(uc.args[3], 0xdead000ull);
	tvm_destroy(&t);
}

static void test_inject_exception_errors(void)
{
	struct mv_exception ex;
	struct tvm t;

	tvm_create_long(&t, guest_nothing, 0);
	EXPECT_EQ(mv_inject_exception(t.vm.vcpu_fd, 2, 0, 0, 0), -EINVAL);	/* NMI */
	EXPECT_EQ(mv_inject_exception(t.vm.vcpu_fd, 15, 0, 0, 0), -EINVAL);	/* reserved */
	EXPECT_EQ(mv_inject_exception(t.vm.vcpu_fd, 32, 0, 0, 0), -EINVAL);
	EXPECT_EQ(mv_inject_exception(t.vm.vcpu_fd, VEC_UD, 1, 0, 0), -EINVAL);
	EXPECT_EQ(mv_inject_exception(t.vm.vcpu_fd, VEC_UD, 0, 0, 1), -EINVAL);
	/* An error code is 16 bits at entry: wider would fail VM entry (a WARN). */
	EXPECT_EQ(mv_inject_exception(t.vm.vcpu_fd, VEC_GP, 1, 0x10000, 0), -EINVAL);
	EXPECT_EQ(mv_inject_exception(t.vm.vcpu_fd, VEC_DB, 0, 0, 1ull << 20), -EINVAL);
	memset(&ex, 0, sizeof(ex));
	ex.vector = VEC_UD;
	ex.padding[1] = 1;
	EXPECT_EQ(ioctl(t.vm.vcpu_fd, MV_INJECT_EXCEPTION, &ex) < 0 ? errno : 0, EINVAL);
	/* Nothing was queued by the refused calls. */
	EXPECT_EQ(tvm_run_done(&t), 0);
	tvm_destroy(&t);
}

static void test_vcpu_events_round_trip_and_checks(void)
{
	struct mv_vcpu_events ev, got;
	struct ucall_info uc;
	struct mv_regs r;
	struct tvm t;

	tvm_create_long(&t, guest_nothing, 0);
	ASSERT_EQ(mv_get_vcpu_events(t.vm.vcpu_fd, &got), 0);
	EXPECT_EQ(got.event_pending, 0);
	EXPECT_EQ(got.interrupt_shadow, 0);
	EXPECT_EQ(got.pending_debug, 0);

	memset(&ev, 0, sizeof(ev));
	ev.interrupt_shadow = MV_SHADOW_STI;	/* RFLAGS.IF is 0 */
	EXPECT_EQ(mv_set_vcpu_events(t.vm.vcpu_fd, &ev), -EINVAL);
	ev.interrupt_shadow = MV_SHADOW_STI | MV_SHADOW_MOV_SS;
	EXPECT_EQ(mv_set_vcpu_events(t.vm.vcpu_fd, &ev), -EINVAL);
	ev.interrupt_shadow = MV_SHADOW_MOV_SS;
	ev.pending_debug = MV_PENDING_DBG_BS;	/* BS without TF under a shadow */
	EXPECT_EQ(mv_set_vcpu_events(t.vm.vcpu_fd, &ev), -EINVAL);
	memset(&ev, 0, sizeof(ev));
	ev.reserved[3] = 1;
	EXPECT_EQ(mv_set_vcpu_events(t.vm.vcpu_fd, &ev), -EINVAL);
	memset(&ev, 0, sizeof(ev));
	ev.event_pending = 1;
	ev.event_type = MV_EVENT_EXCEPTION;
	ev.event_vector = VEC_UD;
	ev.event_has_error = 1;			/* #UD has no error code */
	EXPECT_EQ(mv_set_vcpu_events(t.vm.vcpu_fd, &ev), -EINVAL);
	ev.event_vector = VEC_GP;
	ev.event_error = 0x10000;		/* wider than 16 bits */
	EXPECT_EQ(mv_set_vcpu_events(t.vm.vcpu_fd, &ev), -EINVAL);

	/* A valid one: visible, then delivered. */
	tvm_get_regs(&t, &r);
	memset(&ev, 0, sizeof(ev));
	ev.event_pending = 1;
	ev.event_type = MV_EVENT_EXCEPTION;
	ev.event_vector = VEC_GP;
	ev.event_has_error = 1;
	ev.event_error = 0x20;
	ev.interrupt_shadow = MV_SHADOW_MOV_SS;
	ASSERT_EQ(mv_set_vcpu_events(t.vm.vcpu_fd, &ev), 0);
	ASSERT_EQ(mv_get_vcpu_events(t.vm.vcpu_fd, &got), 0);
	EXPECT_EQ(got.event_pending, 1);
	EXPECT_EQ(got.event_type, MV_EVENT_EXCEPTION);
	EXPECT_EQ(got.event_vector, VEC_GP);
	EXPECT_EQ(got.event_error, 0x20);
	EXPECT_EQ(got.interrupt_shadow, MV_SHADOW_MOV_SS);
	tvm_run(&t);
	ASSERT_EQ(tvm_get_ucall(&t, &uc), UCALL_EXCEPTION);
	EXPECT_EQ(uc.args[0], VEC_GP);
	EXPECT_EQ(uc.args[1], 0x20);
	EXPECT_EQ(uc.args[2], r.rip);
	tvm_destroy(&t);
}

/*
 * STI then an instruction that exits to userspace without completing: the
 * STI shadow is visible in MV_GET_VCPU_EVENTS, and a reset to new code with
 * RFLAGS.IF clear runs (the shadow used to survive and fail every entry).
 */
static void test_sti_shadow_visible_and_reset(void)
{
	struct mv_vcpu_events ev;
	struct tvm t;

	tvm_create_long(&t, guest_sti_rdmsr, MSR_UNKNOWN);
	ASSERT_EQ(mv_enable_cap(t.vm.vm_fd, MV_CAP_MSR_EXIT, 1), 0);
	tvm_run_expect(&t, MV_EXIT_MSR);
	ASSERT_EQ(mv_get_vcpu_events(t.vm.vcpu_fd, &ev), 0);
	test_diag("interrupt shadow at the RDMSR after STI: %#x", ev.interrupt_shadow);
	tvm_start_long(&t, guest_nothing, 7);	/* SET_SREGS + SET_REGS, IF = 0 */
	ASSERT_EQ(mv_get_vcpu_events(t.vm.vcpu_fd, &ev), 0);
	EXPECT_EQ(ev.interrupt_shadow, 0);
	EXPECT_EQ(tvm_run_done(&t), 7);
	tvm_destroy(&t);
}

static void test_set_sregs_out_of_range_fields(void)
{
	struct mv_sregs s, orig;
	struct tvm t;
	int fd;

	tvm_create_long(&t, guest_nothing, 0);
	fd = t.vm.vcpu_fd;
	tvm_get_sregs(&t, &orig);
	s = orig; s.cs.type = 0xfb;
	EXPECT_EQ(mv_set_sregs(fd, &s), -EINVAL);
	s = orig; s.ds.present = 0xff;
	EXPECT_EQ(mv_set_sregs(fd, &s), -EINVAL);
	s = orig; s.ss.dpl = 0xfc;
	EXPECT_EQ(mv_set_sregs(fd, &s), -EINVAL);
	s = orig; s.es.s = 2;
	EXPECT_EQ(mv_set_sregs(fd, &s), -EINVAL);
	s = orig; s.cr4 |= 1ull << 13;		/* VMXE: not for the guest */
	EXPECT_EQ(mv_set_sregs(fd, &s), -EINVAL);
	s = orig; s.efer |= 1ull << 14;		/* FFXSR: AMD only */
	EXPECT_EQ(mv_set_sregs(fd, &s), -EINVAL);
	/* Nothing changed: the guest still runs. */
	EXPECT_EQ(tvm_run_done(&t), 0);
	tvm_destroy(&t);
}

/* Another process: unknown ioctls are ENOTTY, known ones EIO (api.md). */
static void test_other_process_enotty_then_eio(void)
{
	struct mv_regs r;
	struct tvm t;
	int status;
	pid_t p;

	tvm_create_long(&t, guest_nothing, 0);
	p = fork();
	ASSERT_GE(p, 0);
	if (p == 0) {
		int bad = 0;

		if (!(ioctl(t.vm.vcpu_fd, _IO(MVIO, 0x7f), 0) < 0 && errno == ENOTTY))
			bad |= 1;
		if (!(ioctl(t.vm.vcpu_fd, MV_GET_REGS, &r) < 0 && errno == EIO))
			bad |= 2;
		if (!(ioctl(t.vm.vm_fd, _IO(MVIO, 0x7f), 0) < 0 && errno == ENOTTY))
			bad |= 4;
		if (!(ioctl(t.vm.vm_fd, MV_CREATE_VCPU, 1) < 0 && errno == EIO))
			bad |= 8;
		_exit(bad);
	}
	ASSERT_EQ(waitpid(p, &status, 0), p);
	ASSERT_EQ(WIFEXITED(status), 1);
	EXPECT_EQ(WEXITSTATUS(status), 0);
	tvm_destroy(&t);
}

/*
 * Collects the bytes of REP OUTSB exits until the guest finishes; returns
 * the number of exits. Each exit must carry whole elements to PIO_PORT.
 */
static unsigned int collect_outs(struct tvm *t, uint8_t *out, size_t room, size_t *got,
				 uint64_t *ret)
{
	struct mv_run *run = t->vm.run;
	struct ucall_info uc;
	unsigned int exits = 0;

	*got = 0;
	for (;;) {
		tvm_run(t);
		if (run->exit_reason == MV_EXIT_IO && run->io.port == PIO_PORT) {
			ASSERT_EQ(run->io.direction, MV_EXIT_IO_OUT);
			ASSERT_EQ(run->io.size, 1);
			ASSERT_GE(run->io.count, 1);
			ASSERT_LE(*got + run->io.count, room);
			ASSERT_LE(run->io.data_offset + run->io.count, (uint64_t)t->run_size);
			memcpy(out + *got, (uint8_t *)run + run->io.data_offset, run->io.count);
			*got += run->io.count;
			exits++;
			continue;
		}
		EXPECT_EQ(tvm_get_ucall(t, &uc), UCALL_DONE);
		*ret = uc.args[0];
		return exits;
	}
}

static void test_rep_outsb_across_exits(void)
{
	static uint8_t out[5000];
	unsigned int exits, i;
	uint64_t ret;
	uint8_t *src;
	size_t got;
	struct tvm t;

	tvm_create_long(&t, guest_rep_outsb, sizeof(out));
	src = tvm_ptr(&t, LM_SCRATCH_GPA, sizeof(out));
	for (i = 0; i < sizeof(out); i++)
		src[i] = (uint8_t)(i * 7 + 1);
	exits = collect_outs(&t, out, sizeof(out), &got, &ret);
	test_diag("5000 bytes in %u exits", exits);
	EXPECT_EQ(ret, LM_SCRATCH_GPA + sizeof(out));
	ASSERT_EQ(got, sizeof(out));
	EXPECT_EQ(memcmp(out, src, sizeof(out)), 0);
	EXPECT_GE(exits, 3);		/* the data area holds 2048 bytes */
	tvm_destroy(&t);

	/* DF set: the same bytes, last first. */
	tvm_create_long(&t, guest_rep_outsb_down, 300);
	src = tvm_ptr(&t, LM_SCRATCH_GPA, 300);
	for (i = 0; i < 300; i++)
		src[i] = (uint8_t)i;
	collect_outs(&t, out, sizeof(out), &got, &ret);
	ASSERT_EQ(got, 300);
	EXPECT_EQ(ret, LM_SCRATCH_GPA - 1);
	for (i = 0; i < 300; i++)
		if (out[i] != (uint8_t)(299 - i))
			break;
	EXPECT_EQ(i, 300);
	tvm_destroy(&t);
}

static void test_rep_outsb_zero_and_addr32(void)
{
	static uint8_t out[64];
	uint64_t ret;
	struct tvm t;
	size_t got;

	EXPECT_EQ(guest_value(guest_rep_outsb_zero, 0), LM_SCRATCH_GPA);
	tvm_create_long(&t, guest_rep_outsb_addr32, 40);
	memset(tvm_ptr(&t, LM_SCRATCH_GPA, 40), 0x5a, 40);
	collect_outs(&t, out, sizeof(out), &got, &ret);
	EXPECT_EQ(got, 40);
	EXPECT_EQ(out[39], 0x5a);
	/* ESI advanced 40 and the 32-bit write cleared the upper half of RSI. */
	EXPECT_EQ(ret, LM_SCRATCH_GPA + 40);
	tvm_destroy(&t);
}

static void test_rep_insw_completion(void)
{
	struct mv_run *run;
	uint16_t *dst, v = 0;
	unsigned int i, total = 0;
	struct ucall_info uc;
	struct tvm t;

	tvm_create_long(&t, guest_rep_insw, 1500);	/* 3000 bytes: 2 exits */
	run = t.vm.run;
	for (;;) {
		tvm_run(&t);
		if (run->exit_reason != MV_EXIT_IO || run->io.port != PIO_PORT)
			break;		/* the guest's UCALL_DONE */
		ASSERT_EQ(run->io.direction, MV_EXIT_IO_IN);
		ASSERT_EQ(run->io.size, 2);
		ASSERT_EQ(run->io.port, PIO_PORT);
		for (i = 0; i < run->io.count; i++)
			((uint16_t *)((uint8_t *)run + run->io.data_offset))[i] = v++;
		total += run->io.count;
	}
	ASSERT_EQ(tvm_get_ucall(&t, &uc), UCALL_DONE);
	EXPECT_EQ(uc.args[0], 0x300000ull + 3000);
	EXPECT_EQ(total, 1500);
	dst = tvm_ptr(&t, 0x300000, 3000);
	for (i = 0; i < 1500; i++)
		if (dst[i] != (uint16_t)i)
			break;
	EXPECT_EQ(i, 1500);
	tvm_destroy(&t);
}

static void test_ins_to_unmapped_page_faults(void)
{
	struct ucall_info uc;
	struct tvm t;

	/* Above the 4 GiB identity map: not present in the guest's tables. */
	tvm_create_long(&t, guest_insl_to, 0x200000000ull);
	tvm_run(&t);
	ASSERT_EQ(tvm_get_ucall(&t, &uc), UCALL_EXCEPTION);
	EXPECT_EQ(uc.args[0], VEC_PF);
	EXPECT_EQ(uc.args[1], 2);		/* not present, write, supervisor */
	EXPECT_EQ(uc.args[3], 0x200000000ull);
	tvm_destroy(&t);
}

/* An LDT descriptor (16 bytes, IA-32e mode) in the guest's GDT at 0x28. */
#define LDT_SEL		0x28
#define LDT_BASE	0x123000ull
static void put_ldt_descriptor(struct tvm *t)
{
	uint8_t *d = tvm_ptr(t, LM_GDT_GPA + LDT_SEL, 16);

	memset(d, 0, 16);
	d[0] = 0xff;				/* limit 0xfff */
	d[1] = 0x0f;
	d[2] = LDT_BASE & 0xff;
	d[3] = (LDT_BASE >> 8) & 0xff;
	d[4] = (LDT_BASE >> 16) & 0xff;
	d[5] = 0x82;				/* present, system, type 2 (LDT) */
}

/* Skips the case on a CPU without descriptor-table exiting. */
static void need_desc_exit(void)
{
	int fd = mv_open();
	long cap;

	ASSERT_GE(fd, 0);
	cap = mv_check_cap(fd, MV_CAP_DESC_EXIT);
	close(fd);
	if (cap != 1)
		test_skip("the CPU has no descriptor-table exiting");
}

static void expect_desc_exit(struct tvm *t, uint8_t insn)
{
	tvm_run_expect(t, MV_EXIT_DESC);
	EXPECT_EQ(t->vm.run->desc.insn, insn);
}

static void test_desc_exit_reports_then_executes(void)
{
	struct ucall_info uc;
	struct mv_sregs s;
	struct tvm t;

	need_desc_exit();
	tvm_create_long(&t, guest_desc_ops, LDT_SEL);
	put_ldt_descriptor(&t);
	tvm_get_sregs(&t, &s);
	s.gdt.limit = LDT_SEL + 16 - 1;		/* the GDT now ends after the LDT entry */
	tvm_set_sregs(&t, &s);
	EXPECT_EQ(mv_enable_cap(t.vm.vm_fd, MV_CAP_DESC_EXIT, 2), -EINVAL);
	ASSERT_EQ(mv_enable_cap(t.vm.vm_fd, MV_CAP_DESC_EXIT, 1), 0);
	expect_desc_exit(&t, MV_DESC_SGDT);
	EXPECT_EQ(t.vm.run->desc.base, s.gdt.base);
	EXPECT_EQ(t.vm.run->desc.limit, s.gdt.limit);
	expect_desc_exit(&t, MV_DESC_SIDT);
	EXPECT_EQ(t.vm.run->desc.base, s.idt.base);
	expect_desc_exit(&t, MV_DESC_STR);
	EXPECT_EQ(t.vm.run->desc.selector, s.tr.selector);
	expect_desc_exit(&t, MV_DESC_LLDT);
	EXPECT_EQ(t.vm.run->desc.selector, LDT_SEL);
	expect_desc_exit(&t, MV_DESC_SLDT);
	expect_desc_exit(&t, MV_DESC_LGDT);
	EXPECT_EQ(t.vm.run->desc.base, s.gdt.base);
	tvm_expect_sync(&t, &uc, 5);
	EXPECT_EQ(uc.args[0], s.gdt.base);
	EXPECT_EQ(uc.args[1], s.gdt.limit);
	EXPECT_EQ(uc.args[2], s.idt.base);
	EXPECT_EQ(uc.args[3], s.tr.selector);
	EXPECT_EQ(uc.args[4], LDT_SEL);
	tvm_get_sregs(&t, &s);
	EXPECT_EQ(s.ldt.selector, LDT_SEL);
	EXPECT_EQ(s.ldt.base, LDT_BASE);
	EXPECT_EQ(s.ldt.limit, 0xfff);
	EXPECT_EQ(s.ldt.type, 2);
	EXPECT_EQ(s.ldt.unusable, 0);
	EXPECT_EQ(tvm_run_done(&t), 0);
	tvm_destroy(&t);
}

static void test_desc_exit_refused_and_checked(void)
{
	struct ucall_info uc;
	struct mv_sregs s;
	struct tvm t;

	need_desc_exit();
	/* The VMM refuses the first instruction: #GP(0) at the SGDT. */
	tvm_create_long(&t, guest_desc_ops, LDT_SEL);
	ASSERT_EQ(mv_enable_cap(t.vm.vm_fd, MV_CAP_DESC_EXIT, 1), 0);
	expect_desc_exit(&t, MV_DESC_SGDT);
	t.vm.run->desc.error = 1;
	tvm_run(&t);
	ASSERT_EQ(tvm_get_ucall(&t, &uc), UCALL_EXCEPTION);
	EXPECT_EQ(uc.args[0], VEC_GP);
	EXPECT_EQ(uc.args[1], 0);

	/* LTR of the busy TSS the guest runs on: #GP(selector), TR unchanged. */
	tvm_start_long(&t, guest_ltr, 0x18);
	tvm_get_sregs(&t, &s);
	expect_desc_exit(&t, MV_DESC_LTR);
	EXPECT_EQ(t.vm.run->desc.selector, 0x18);
	tvm_run(&t);
	ASSERT_EQ(tvm_get_ucall(&t, &uc), UCALL_EXCEPTION);
	EXPECT_EQ(uc.args[0], VEC_GP);
	EXPECT_EQ(uc.args[1], 0x18);
	tvm_destroy(&t);
}

static const struct test_case tests[] = {
	{ "desc_exit_reports_then_executes", test_desc_exit_reports_then_executes, 0 },
	{ "desc_exit_refused_and_checked", test_desc_exit_refused_and_checked, 0 },
	{ "rep_outsb_across_exits", test_rep_outsb_across_exits, 0 },
	{ "rep_outsb_zero_and_addr32", test_rep_outsb_zero_and_addr32, 0 },
	{ "rep_insw_completion", test_rep_insw_completion, 0 },
	{ "ins_to_unmapped_page_faults", test_ins_to_unmapped_page_faults, 0 },
	{ "rdmsr_emulated_values", test_rdmsr_emulated_values, 0 },
	{ "rdmsr_unknown_gp", test_rdmsr_unknown_gp, 0 },
	{ "wrmsr_checked_values", test_wrmsr_checked_values, 0 },
	{ "kernel_gs_base_guest_and_host", test_kernel_gs_base_guest_and_host, 0 },
	{ "get_set_msrs_errors", test_get_set_msrs_errors, 0 },
	{ "msr_index_list", test_msr_index_list, 0 },
	{ "msr_exit_to_userspace", test_msr_exit_to_userspace, 0 },
	{ "cr0_cd_emulated", test_cr0_cd_emulated, 0 },
	{ "cr4_unsupported_bits_gp", test_cr4_unsupported_bits_gp, 0 },
	{ "cr8_round_trip", test_cr8_round_trip, 0 },
	{ "debug_registers", test_debug_registers, 0 },
	{ "vmcall_in_kernel_and_unknown", test_vmcall_in_kernel_and_unknown, 0 },
	{ "vmcall_to_userspace", test_vmcall_to_userspace, 0 },
	{ "forbidden_instructions", test_forbidden_instructions, 0 },
	{ "wbinvd_invd_complete", test_wbinvd_invd_complete, 0 },
	{ "inject_exception_delivered", test_inject_exception_delivered, 0 },
	{ "inject_exception_errors", test_inject_exception_errors, 0 },
	{ "vcpu_events_round_trip_and_checks", test_vcpu_events_round_trip_and_checks, 0 },
	{ "sti_shadow_visible_and_reset", test_sti_shadow_visible_and_reset, 0 },
	{ "set_sregs_out_of_range_fields", test_set_sregs_out_of_range_fields, 0 },
	{ "other_process_enotty_then_eio", test_other_process_enotty_then_eio, 0 },
};

int main(int argc, char **argv)
{
	return test_main(argc, argv, tests, ARRAY_SIZE(tests));
}
