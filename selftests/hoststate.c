// SPDX-License-Identifier: GPL-2.0
/*
 * Host state around VM exits: what the VMM thread sees of its own state
 * after running a guest (LDT, KERNEL_GS_BASE, DR6, SYSCALL MSRs), guest
 * time accounting, pending single-step traps across MV_SET_REGS, and a vCPU
 * left running into power-off. Each case is a regression test for a defect
 * found in review (shared/reviews/module-review.md items 2, 5, 6, 7, 11, 12).
 */
#include <asm/ldt.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/hw_breakpoint.h>
#include <linux/perf_event.h>
#include <sched.h>
#include <setjmp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "test_harness.h"
#include "test_util.h"
#include "vm.h"

/* hoststate_guest.c */
uint64_t guest_swapgs_probe(uint64_t arg);
uint64_t guest_spin(uint64_t n);
uint64_t guest_ret42(uint64_t arg);
uint64_t guest_tf_out(uint64_t arg);
extern const uint8_t guest_tf_out_after[];
uint64_t guest_single_step(uint64_t arg);
extern const uint8_t guest_single_step_after[];
uint64_t guest_syscall_msrs(uint64_t arg);

static inline unsigned int read_gs(void)
{
	unsigned int v;

	asm volatile("movl %%gs, %0" : "=r"(v));
	return v & 0xffff;
}

static inline void write_gs(unsigned int v)
{
	asm volatile("movl %0, %%gs" : : "r"(v));
}

/* VM exit leaves LDTR null; the VMM's LDT-based GS must survive MV_RUN. */
static volatile uint32_t ldt_word = 0xfeedf00d;
static sigjmp_buf segv_jmp;

static void segv_handler(int sig)
{
	(void)sig;
	siglongjmp(segv_jmp, 1);
}

static void test_ldt_after_vm_exit(void)
{
	struct user_desc d;
	struct tvm t;
	unsigned int gs;
	uint32_t v = 0;

	memset(&d, 0, sizeof(d));
	d.entry_number = 0;
	d.base_addr = (unsigned int)(uintptr_t)&ldt_word;
	d.limit = 0xfffff;
	d.seg_32bit = 1;
	d.limit_in_pages = 1;
	d.useable = 1;
	ASSERT_EQ(syscall(SYS_modify_ldt, 1, &d, sizeof(d)), 0);
	write_gs(0x7);		/* LDT entry 0, RPL 3 */
	asm volatile("movl %%gs:0, %0" : "=r"(v));
	ASSERT_EQ(v, 0xfeedf00d);

	tvm_create_real(&t, RM_BLOB(hello));
	tvm_run(&t);		/* one VM exit (OUT), then vcpu_put */
	tvm_expect_exit(&t, MV_EXIT_IO);
	gs = read_gs();
	test_diag("GS selector after one MV_RUN: 0x%x (before: 0x7)", gs);
	EXPECT_EQ(gs, 0x7);

	signal(SIGSEGV, segv_handler);
	if (sigsetjmp(segv_jmp, 1) == 0) {
		write_gs(0x7);
		v = 0;
		asm volatile("movl %%gs:0, %0" : "=r"(v));
		EXPECT_EQ(v, 0xfeedf00d);
	} else {
		test_fail_soft(__FILE__, __LINE__, "reloading LDT selector 0x7 after MV_RUN "
			       "raised SIGSEGV: LDTR was left null by the VM exit");
	}
	signal(SIGSEGV, SIG_DFL);
	write_gs(0);
	tvm_destroy(&t);
}

/* The guest's KERNEL_GS_BASE with a host GS selector that has RPL 3. */
#define MARK_SCRATCH	0x5ca7c4ed0000a11dull
#define MARK_ZERO	0x000000000bad0000ull

static uint64_t swapgs_probe(unsigned int host_gs)
{
	struct ucall_info uc;
	struct mv_sregs s;
	struct tvm t;
	uint64_t v;

	tvm_create_long(&t, guest_swapgs_probe, 0);
	*(uint64_t *)tvm_ptr(&t, LM_SCRATCH_GPA, 8) = MARK_SCRATCH;
	*(uint64_t *)tvm_ptr(&t, 0, 8) = MARK_ZERO;
	tvm_get_sregs(&t, &s);
	s.gs.base = LM_SCRATCH_GPA;
	tvm_set_sregs(&t, &s);
	write_gs(host_gs);
	tvm_expect_sync(&t, &uc, 1);
	v = tvm_run_done(&t);
	write_gs(0);
	tvm_destroy(&t);
	return v;
}

static void test_guest_kernel_gs_base_across_exit(void)
{
	uint64_t ctl, v;

	ctl = swapgs_probe(0);
	ASSERT_EQ(ctl, MARK_SCRATCH);
	v = swapgs_probe(0x2b);	/* __USER_DS: RPL 3 */
	test_diag("host GS 0x2b: guest reads %%gs:0 = 0x%llx (0x%llx would mean its "
		  "KERNEL_GS_BASE became 0)", (unsigned long long)v,
		  (unsigned long long)MARK_ZERO);
	EXPECT_EQ(v, MARK_SCRATCH);
}

/* /proc/self/task/<tid>/stat fields 14 (utime), 15 (stime), 43 (guest_time). */
static int thread_times(unsigned long long *ut, unsigned long long *st,
			unsigned long long *gt)
{
	char path[64], buf[2048], *p, *save = NULL;
	int field = 2;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/self/task/%ld/stat", (long)syscall(SYS_gettid));
	f = fopen(path, "r");
	if (!f)
		return -1;
	if (!fgets(buf, sizeof(buf), f)) {
		fclose(f);
		return -1;
	}
	fclose(f);
	p = strrchr(buf, ')');
	if (!p)
		return -1;
	for (p = strtok_r(p + 1, " ", &save); p; p = strtok_r(NULL, " ", &save)) {
		field++;
		if (field == 14)
			*ut = strtoull(p, NULL, 10);
		else if (field == 15)
			*st = strtoull(p, NULL, 10);
		else if (field == 43)
			*gt = strtoull(p, NULL, 10);
	}
	return field >= 43 ? 0 : -1;
}

static void test_guest_time_accounted(void)
{
	unsigned long long u0 = 0, s0 = 0, g0 = 0, u1 = 0, s1 = 0, g1 = 0;
	double t0, t1;
	struct tvm t;

	tvm_create_long(&t, guest_spin, 40000000ull);
	ASSERT_EQ(thread_times(&u0, &s0, &g0), 0);
	t0 = test_now();
	EXPECT_EQ(tvm_run_done(&t), 40000000ull);
	t1 = test_now();
	ASSERT_EQ(thread_times(&u1, &s1, &g1), 0);
	test_diag("guest spun %.2f s: utime +%llu, stime +%llu, guest_time +%llu ticks",
		  t1 - t0, u1 - u0, s1 - s0, g1 - g0);
	/* Most of the run is guest time, and it is not charged as system time. */
	EXPECT_GT(g1 - g0, 0);
	EXPECT_GE(g1 - g0, (s1 - s0));
	tvm_destroy(&t);
}

/* Single-step over an emulated OUT; then MV_SET_REGS cancels the trap. */
static void test_pending_db_after_set_regs(void)
{
	struct mv_vcpu_events ev;
	struct ucall_info uc;
	struct tvm t;

	/* A: the guest single-steps over the OUT minivisor completes for it. */
	tvm_create_long(&t, guest_tf_out, 0);
	tvm_run(&t);
	tvm_expect_exit(&t, MV_EXIT_IO);
	ASSERT_EQ(mv_get_vcpu_events(t.vm.vcpu_fd, &ev), 0);
	EXPECT_EQ(ev.pending_debug, MV_PENDING_DBG_BS);
	tvm_run(&t);
	ASSERT_EQ(tvm_get_ucall(&t, &uc), UCALL_EXCEPTION);
	EXPECT_EQ(uc.args[0], 1);
	EXPECT_EQ(uc.args[2], (uint64_t)(uintptr_t)guest_tf_out_after);
	tvm_destroy(&t);

	/* B: the VMM replaces the whole state (TF clear) after that exit. */
	tvm_create_long(&t, guest_tf_out, 0);
	tvm_run(&t);
	tvm_expect_exit(&t, MV_EXIT_IO);
	tvm_start_long(&t, guest_ret42, 0);	/* MV_SET_SREGS + MV_SET_REGS, RFLAGS 0x2 */
	ASSERT_EQ(mv_get_vcpu_events(t.vm.vcpu_fd, &ev), 0);
	EXPECT_EQ(ev.pending_debug, 0);
	EXPECT_EQ(tvm_run_done(&t), 42);
	tvm_destroy(&t);
}

/* A guest #DB must leave no DR6 bits for the host's next #DB. */
static volatile int bp_var;
static volatile int sigtraps, last_code;

static void trap_handler(int sig, siginfo_t *si, void *uc)
{
	(void)sig;
	(void)uc;
	sigtraps++;
	last_code = si->si_code;
}

static int open_bp(void *addr)
{
	struct perf_event_attr a;

	memset(&a, 0, sizeof(a));
	a.type = PERF_TYPE_BREAKPOINT;
	a.size = sizeof(a);
	a.bp_type = HW_BREAKPOINT_W;
	a.bp_addr = (uintptr_t)addr;
	a.bp_len = HW_BREAKPOINT_LEN_4;
	a.exclude_kernel = 1;
	a.exclude_hv = 1;
	return (int)syscall(SYS_perf_event_open, &a, 0, -1, -1, 0);
}

static long long bp_hits(void)
{
	long long count = -1;
	int fd = open_bp((void *)&bp_var);

	if (fd < 0)
		test_skip("perf hardware breakpoint unavailable: %s", strerror(errno));
	bp_var++;
	if (read(fd, &count, sizeof(count)) != sizeof(count))
		count = -1;
	close(fd);
	return count;
}

static void test_dr6_after_guest_single_step(void)
{
	struct sigaction sa;
	struct ucall_info uc;
	cpu_set_t set;
	struct tvm t;
	long long n;

	CPU_ZERO(&set);
	CPU_SET(sched_getcpu(), &set);
	ASSERT_EQ(sched_setaffinity(0, sizeof(set), &set), 0);
	memset(&sa, 0, sizeof(sa));
	sa.sa_sigaction = trap_handler;
	sa.sa_flags = SA_SIGINFO;
	sigaction(SIGTRAP, &sa, NULL);

	n = bp_hits();
	if (n < 1)
		test_skip("the emulated CPU reported no data breakpoint hit");
	ASSERT_EQ(sigtraps, 0);

	tvm_create_long(&t, guest_single_step, 0);
	tvm_run(&t);
	ASSERT_EQ(tvm_get_ucall(&t, &uc), UCALL_EXCEPTION);
	EXPECT_EQ(uc.args[0], 1);	/* #DB in the guest, after the first NOP */
	EXPECT_EQ(uc.args[2], (uint64_t)(uintptr_t)guest_single_step_after + 1);
	n = bp_hits();
	test_diag("after a guest single-step #DB: breakpoint hits %lld, SIGTRAPs %d "
		  "(si_code %d; 2 = TRAP_TRACE)", n, sigtraps, last_code);
	EXPECT_EQ(sigtraps, 0);
	tvm_destroy(&t);
}

/* The guest's SYSCALL MSRs are the guest's; the host's stay the host's. */
static void test_guest_syscall_msrs(void)
{
	struct ucall_info uc;
	struct tvm t;
	uint64_t v;

	tvm_create_long(&t, guest_syscall_msrs, 0);
	tvm_expect_sync(&t, &uc, 2);
	EXPECT_EQ(uc.args[1], 0x200);
	/* Host system calls between the guest's WRMSRs and its SYSCALL. */
	EXPECT_EQ(getpid() > 0, 1);
	EXPECT_EQ(mv_get_msr(t.vm.vcpu_fd, 0xc0000082, &v), 0);	/* LSTAR */
	EXPECT_EQ(v, uc.args[0]);
	EXPECT_EQ(tvm_run_done(&t), 0x5ca11ed);
	tvm_destroy(&t);
}

/* Runs last: a vCPU on CPU 1 left spinning into /init's poweroff. */
static void test_zz_vm_running_at_poweroff(void)
{
	cpu_set_t set;
	struct mv_regs r;
	pid_t p;

	/*
	 * The daemon outlives the program (and keeps the module busy), so
	 * only the test host's last step, right before power-off, asks for it.
	 */
	if (!getenv("MV_POWEROFF_DAEMON"))
		test_skip("only before power-off (MV_POWEROFF_DAEMON=1, tools/testhost/guest/init)");
	if (sched_getaffinity(0, sizeof(set), &set) || CPU_COUNT(&set) < 2)
		test_skip("needs 2 online CPUs");
	p = fork();
	ASSERT_GE(p, 0);
	if (p == 0) {
		struct tvm t;
		int fd;

		setsid();
		if (fork() != 0)
			_exit(0);
		fd = open("/dev/null", O_RDWR);
		dup2(fd, 0);
		dup2(fd, 1);
		dup2(fd, 2);
		CPU_ZERO(&set);
		CPU_SET(1, &set);
		sched_setaffinity(0, sizeof(set), &set);
		/*
		 * SCHED_IDLE: it spins only when CPU 1 has nothing else to do,
		 * so the programs that run after this one keep their CPU, and
		 * at power-off it is the thread in the run loop.
		 */
		{
			struct sched_param sp = { 0 };

			sched_setscheduler(0, SCHED_IDLE, &sp);
		}
		tvm_create_real(&t, RM_BLOB(spin));
		mv_get_regs(t.vm.vcpu_fd, &r);
		r.rflags |= 0x200;	/* IF: host interrupts exit at once */
		mv_set_regs(t.vm.vcpu_fd, &r);
		for (;;)
			if (mv_run(t.vm.vcpu_fd) == -EIO)
				pause();
	}
	ASSERT_EQ(waitpid(p, NULL, 0), p);
	sleep_ms(300);
	test_diag("a spinning vCPU on CPU 1 is left running for /init's poweroff -f; "
		  "the boot's kernel-problem scan checks that power-off stays clean");
}

static const struct test_case tests[] = {
	{ "ldt_after_vm_exit", test_ldt_after_vm_exit, 0 },
	{ "guest_kernel_gs_base_across_exit", test_guest_kernel_gs_base_across_exit, 0 },
	{ "guest_time_accounted", test_guest_time_accounted, 120 },
	{ "pending_db_after_set_regs", test_pending_db_after_set_regs, 0 },
	{ "dr6_after_guest_single_step", test_dr6_after_guest_single_step, 0 },
	{ "guest_syscall_msrs", test_guest_syscall_msrs, 0 },
	{ "zz_vm_running_at_poweroff", test_zz_vm_running_at_poweroff, 0 },
};

int main(int argc, char **argv)
{
	return test_main(argc, argv, tests, ARRAY_SIZE(tests));
}
