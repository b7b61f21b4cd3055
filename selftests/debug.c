// SPDX-License-Identifier: GPL-2.0
/*
 * MV_SET_GUEST_DEBUG: single-step (including over an instruction the
 * kernel emulates), software breakpoints with re-injection into the guest,
 * execute breakpoints through the debug registers, the guest's own DR7 kept
 * apart from the VMM's, and every argument error.
 */
#include <errno.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "test_harness.h"
#include "test_util.h"
#include "vm.h"

/* debug_guest.c */
uint64_t guest_steps(uint64_t arg);
uint64_t guest_int3(uint64_t arg);
uint64_t guest_hw_target(uint64_t arg);
uint64_t guest_own_dr7(uint64_t val);
extern const uint8_t step_a[], step_b[], step_c[], step_cpuid[], step_after_cpuid[];
extern const uint8_t int3_here[], hw_here[];

static int set_debug(struct tvm *t, uint32_t control, uint64_t dr0, uint64_t dr7)
{
	struct mv_guest_debug d;

	memset(&d, 0, sizeof(d));
	d.control = control;
	d.debugreg[0] = dr0;
	d.debugreg[7] = dr7;
	return ioctl(t->vm.vcpu_fd, MV_SET_GUEST_DEBUG, &d) < 0 ? -errno : 0;
}

static void test_guest_debug_errors(void)
{
	struct mv_guest_debug d;
	struct tvm t;
	int fd = mv_open();

	ASSERT_GE(fd, 0);
	EXPECT_EQ(mv_check_cap(fd, MV_CAP_GUEST_DEBUG), MV_GUESTDBG_VALID);
	test_diag("single-step with the monitor trap flag: %ld",
		  mv_check_cap(fd, MV_CAP_GUEST_DEBUG_MTF));
	close(fd);
	tvm_create_long(&t, guest_steps, 0);
	EXPECT_EQ(set_debug(&t, 0x10 | MV_GUESTDBG_ENABLE, 0, 0), -EINVAL);
	EXPECT_EQ(set_debug(&t, MV_GUESTDBG_ENABLE | MV_GUESTDBG_USE_HW_BP, 0, 1ull << 40),
		  -EINVAL);
	EXPECT_EQ(set_debug(&t, MV_GUESTDBG_ENABLE | MV_GUESTDBG_USE_HW_BP,
			    0x0000800000000000ull, 1), -EINVAL);
	memset(&d, 0, sizeof(d));
	d.control = MV_GUESTDBG_ENABLE;
	d.pad = 1;
	EXPECT_EQ(ioctl(t.vm.vcpu_fd, MV_SET_GUEST_DEBUG, &d) < 0 ? errno : 0, EINVAL);
	d.pad = 0;
	d.debugreg[5] = 1;
	EXPECT_EQ(ioctl(t.vm.vcpu_fd, MV_SET_GUEST_DEBUG, &d) < 0 ? errno : 0, EINVAL);
	EXPECT_EQ(ioctl(t.vm.vcpu_fd, MV_SET_GUEST_DEBUG, (void *)8) < 0 ? errno : 0, EFAULT);
	/* Nothing took effect: the guest runs to its end. */
	EXPECT_EQ(tvm_run_done(&t), 7);
	tvm_destroy(&t);
}

/*
 * Single-steps until just past step_after_cpuid (the trampoline and the
 * ucall around the function take hundreds of steps more), recording the
 * stops; then turns stepping off and runs the guest to its end.
 */
static unsigned int step_all(struct tvm *t, uint64_t *pcs, unsigned int room)
{
	struct mv_run *run = t->vm.run;
	unsigned int n = 0;

	for (;;) {
		tvm_run(t);
		ASSERT_EQ(run->exit_reason, MV_EXIT_DEBUG);
		ASSERT_EQ(run->debug.exception, 1);
		ASSERT_EQ(run->debug.dr6 & (1ull << 14), 1ull << 14);
		ASSERT_LT(n, room);
		pcs[n++] = run->debug.pc;
		if (run->debug.pc == (uint64_t)(uintptr_t)step_after_cpuid)
			break;
	}
	ASSERT_EQ(set_debug(t, 0, 0, 0), 0);
	EXPECT_EQ(tvm_run_done(t), 7);
	return n;
}

static int find_pc(const uint64_t *pcs, unsigned int n, const void *pc)
{
	unsigned int i;

	for (i = 0; i < n; i++)
		if (pcs[i] == (uint64_t)(uintptr_t)pc)
			return (int)i;
	return -1;
}

static void test_single_step_every_instruction(void)
{
	uint64_t pcs[1000];
	unsigned int n;
	struct tvm t;
	int a;

	tvm_create_long(&t, guest_steps, 0);
	ASSERT_EQ(set_debug(&t, MV_GUESTDBG_ENABLE | MV_GUESTDBG_SINGLESTEP, 0, 0), 0);
	n = step_all(&t, pcs, 1000);
	test_diag("%u single-step exits until the guest returned", n);
	a = find_pc(pcs, n, step_a);
	ASSERT_GE(a, 0);
	ASSERT_EQ(a + 5, (int)n);
	/* Each stop is after one instruction, the emulated CPUID included. */
	EXPECT_EQ(pcs[a + 1], (uint64_t)(uintptr_t)step_b);
	EXPECT_EQ(pcs[a + 2], (uint64_t)(uintptr_t)step_c);
	EXPECT_EQ(pcs[a + 3], (uint64_t)(uintptr_t)step_cpuid);
	EXPECT_EQ(pcs[a + 4], (uint64_t)(uintptr_t)step_after_cpuid);
	tvm_destroy(&t);
}

static void test_single_step_off_again(void)
{
	struct mv_regs r;
	struct tvm t;

	tvm_create_long(&t, guest_steps, 0);
	ASSERT_EQ(set_debug(&t, MV_GUESTDBG_ENABLE | MV_GUESTDBG_SINGLESTEP, 0, 0), 0);
	tvm_run_expect(&t, MV_EXIT_DEBUG);
	/* The guest's RFLAGS does not keep a TF the VMM set. */
	tvm_get_regs(&t, &r);
	EXPECT_EQ(r.rflags & 0x100, 0);
	ASSERT_EQ(set_debug(&t, 0, 0, 0), 0);
	EXPECT_EQ(tvm_run_done(&t), 7);
	tvm_destroy(&t);
}

static void test_sw_breakpoint_and_reinject(void)
{
	struct mv_vcpu_events ev;
	struct mv_run *run;
	struct ucall_info uc;
	struct tvm t;

	tvm_create_long(&t, guest_int3, 0);
	run = t.vm.run;
	ASSERT_EQ(set_debug(&t, MV_GUESTDBG_ENABLE | MV_GUESTDBG_USE_SW_BP, 0, 0), 0);
	tvm_run_expect(&t, MV_EXIT_DEBUG);
	EXPECT_EQ(run->debug.exception, 3);
	EXPECT_EQ(run->debug.pc, (uint64_t)(uintptr_t)int3_here);
	/* Not the VMM's breakpoint after all: give the #BP to the guest. */
	ASSERT_EQ(set_debug(&t, 0, 0, 0), 0);
	memset(&ev, 0, sizeof(ev));
	ev.event_pending = 1;
	ev.event_type = MV_EVENT_SOFT_EXCEPTION;
	ev.event_vector = 3;
	ev.event_insn_len = 1;
	ASSERT_EQ(mv_set_vcpu_events(t.vm.vcpu_fd, &ev), 0);
	tvm_run(&t);
	ASSERT_EQ(tvm_get_ucall(&t, &uc), UCALL_EXCEPTION);
	EXPECT_EQ(uc.args[0], 3);
	EXPECT_EQ(uc.args[2], (uint64_t)(uintptr_t)int3_here + 1);	/* a trap */
	tvm_destroy(&t);

	/* Without guest debugging the guest's own IDT gets the #BP directly. */
	tvm_create_long(&t, guest_int3, 0);
	tvm_run(&t);
	ASSERT_EQ(tvm_get_ucall(&t, &uc), UCALL_EXCEPTION);
	EXPECT_EQ(uc.args[0], 3);
	tvm_destroy(&t);
}

static void test_hw_execute_breakpoint(void)
{
	struct mv_run *run;
	struct mv_regs r;
	struct tvm t;

	tvm_create_long(&t, guest_hw_target, 0);
	run = t.vm.run;
	/* DR7: L0, R/W0 = 00 (execute), LEN0 = 00. */
	ASSERT_EQ(set_debug(&t, MV_GUESTDBG_ENABLE | MV_GUESTDBG_USE_HW_BP,
			    (uint64_t)(uintptr_t)hw_here, 1), 0);
	tvm_run_expect(&t, MV_EXIT_DEBUG);
	EXPECT_EQ(run->debug.exception, 1);
	EXPECT_EQ(run->debug.dr6 & 0xf, 1);
	EXPECT_EQ(run->debug.pc, (uint64_t)(uintptr_t)hw_here);
	EXPECT_EQ(run->debug.dr7 & 0xff, 1);
	/* An instruction breakpoint is a fault: resume with RF set. */
	tvm_get_regs(&t, &r);
	r.rflags |= 1ull << 16;
	tvm_set_regs(&t, &r);
	EXPECT_EQ(tvm_run_done(&t), 5);
	tvm_destroy(&t);
}

static void test_guest_dr7_kept_apart(void)
{
	struct ucall_info uc;
	struct tvm t;

	tvm_create_long(&t, guest_own_dr7, 0x400 | (1u << 2));	/* L1 */
	tvm_expect_sync(&t, &uc, 1);
	ASSERT_EQ(set_debug(&t, MV_GUESTDBG_ENABLE | MV_GUESTDBG_USE_HW_BP,
			    0x1000, 0), 0);
	EXPECT_EQ(tvm_run_done(&t), 0x404);
	tvm_destroy(&t);
}

static const struct test_case tests[] = {
	{ "guest_debug_errors", test_guest_debug_errors, 0 },
	{ "single_step_every_instruction", test_single_step_every_instruction, 0 },
	{ "single_step_off_again", test_single_step_off_again, 0 },
	{ "sw_breakpoint_and_reinject", test_sw_breakpoint_and_reinject, 0 },
	{ "hw_execute_breakpoint", test_hw_execute_breakpoint, 0 },
	{ "guest_dr7_kept_apart", test_guest_dr7_kept_apart, 0 },
};

int main(int argc, char **argv)
{
	return test_main(argc, argv, tests, ARRAY_SIZE(tests));
}
