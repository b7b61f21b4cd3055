// SPDX-License-Identifier: GPL-2.0
/*
 * Exits other than I/O: triple fault, failed VM entry, immediate_exit,
 * signals interrupting a spinning guest, concurrent MV_RUN, closing the VM
 * fd under a running vCPU, and guest exceptions delivered through the
 * guest's own IDT.
 */
#include <pthread.h>
#include <signal.h>
#include <time.h>
#include <unistd.h>

#include "test_harness.h"
#include "test_util.h"
#include "vm.h"

/* exits_guest.c */
uint64_t guest_triple_fault(uint64_t arg);
uint64_t guest_page_fault(uint64_t addr);
uint64_t guest_ud2(uint64_t arg);
extern const uint8_t guest_ud2_rip[];

/* VM-exit reason 33: VM-entry failure due to invalid guest state. */
#define EXIT_REASON_INVALID_GUEST_STATE	33

/* How long a signal may take to get a spinning vCPU out of MV_RUN. */
#define SIGNAL_LATENCY_LIMIT	10.0

/* A thread doing one MV_RUN. */
struct runner {
	struct tvm *t;
	pthread_t tid;
	int ret;
	uint32_t exit_reason;
	double returned_at;
	int done;
};

static void *runner_main(void *arg)
{
	struct runner *r = arg;

	r->ret = mv_run(r->t->vm.vcpu_fd);
	r->exit_reason = r->t->vm.run->exit_reason;
	r->returned_at = test_now();
	__atomic_store_n(&r->done, 1, __ATOMIC_RELEASE);
	return NULL;
}

static void runner_start(struct runner *r, struct tvm *t)
{
	memset(r, 0, sizeof(*r));
	r->t = t;
	ASSERT_EQ(pthread_create(&r->tid, NULL, runner_main, r), 0);
}

static bool runner_done(struct runner *r)
{
	return __atomic_load_n(&r->done, __ATOMIC_ACQUIRE);
}

/*
 * Sends SIGUSR1 every 20 ms until MV_RUN returns (a signal that lands just
 * before the thread enters the ioctl is not lost that way) and returns the
 * seconds from the first signal to the return.
 */
static double runner_interrupt(struct runner *r)
{
	double start = test_now();

	while (!runner_done(r)) {
		if (test_now() - start > SIGNAL_LATENCY_LIMIT)
			TEST_FAIL("MV_RUN still running %.0f s after the first SIGUSR1",
				  SIGNAL_LATENCY_LIMIT);
		pthread_kill(r->tid, SIGUSR1);
		sleep_ms(20);
	}
	ASSERT_EQ(pthread_join(r->tid, NULL), 0);
	return r->returned_at - start;
}

static void test_rm_triple_fault(void)
{
	struct tvm t;

	tvm_create_real(&t, RM_BLOB(triple));
	tvm_run_expect(&t, MV_EXIT_SHUTDOWN);
	tvm_destroy(&t);
}

static void test_lm_triple_fault(void)
{
	struct tvm t;

	tvm_create_long(&t, guest_triple_fault, 0);
	tvm_run_expect(&t, MV_EXIT_SHUTDOWN);
	tvm_destroy(&t);
}

/* Documented: after SHUTDOWN, SET_REGS/SET_SREGS make the vCPU usable again. */
static void test_shutdown_then_reset(void)
{
	struct tvm t;

	tvm_create_real(&t, RM_BLOB(triple));
	tvm_run_expect(&t, MV_EXIT_SHUTDOWN);
	tvm_load_blob(&t, RM_BLOB(hello));
	tvm_reset_real(&t, RM_LOAD_ADDR);
	tvm_run_hello(&t);
	tvm_destroy(&t);
}

static void expect_invalid_guest_state(struct tvm *t)
{
	struct mv_run *run = t->vm.run;

	tvm_run_expect(t, MV_EXIT_FAIL_ENTRY);
	test_diag("hardware_entry_failure_reason %llu, qualification 0x%llx, cpu %u",
		  (unsigned long long)run->fail_entry.hardware_entry_failure_reason,
		  (unsigned long long)run->fail_entry.qualification, run->fail_entry.cpu);
	EXPECT_EQ(run->fail_entry.hardware_entry_failure_reason,
		  EXIT_REASON_INVALID_GUEST_STATE);
	EXPECT_LT(run->fail_entry.cpu, sysconf(_SC_NPROCESSORS_CONF));
}

/* SDM 27.3.1.1: with CR0.PG set, CR0.PE must be set (also for unrestricted guests). */
static void test_fail_entry_pg_without_pe(void)
{
	struct mv_sregs s;
	struct tvm t;

	tvm_create_real(&t, RM_BLOB(hlt));
	tvm_get_sregs(&t, &s);
	s.cr0 = (1ull << 31) | (1ull << 4);	/* PG | ET, PE clear */
	tvm_set_sregs(&t, &s);
	expect_invalid_guest_state(&t);
	tvm_destroy(&t);
}

/* SDM 27.3.1.2: TR must be a busy TSS; 9 is an available 32-bit TSS. */
static void test_fail_entry_tr_not_busy(void)
{
	struct mv_sregs s;
	struct tvm t;

	tvm_create_real(&t, RM_BLOB(hlt));
	tvm_get_sregs(&t, &s);
	s.tr.type = 9;
	tvm_set_sregs(&t, &s);
	expect_invalid_guest_state(&t);
	tvm_destroy(&t);
}

/* A failed entry does not break the vCPU: fixing the state lets it run. */
static void test_fail_entry_then_fixed_state(void)
{
	struct mv_sregs good, bad;
	struct tvm t;

	tvm_create_real(&t, RM_BLOB(hlt));
	tvm_get_sregs(&t, &good);
	bad = good;
	bad.cr0 = (1ull << 31) | (1ull << 4);
	tvm_set_sregs(&t, &bad);
	tvm_run_expect(&t, MV_EXIT_FAIL_ENTRY);
	tvm_set_sregs(&t, &good);
	tvm_reset_real(&t, RM_LOAD_ADDR);
	tvm_run_expect(&t, MV_EXIT_HLT);
	EXPECT_EQ(tvm_rip(&t), RM_LOAD_ADDR + 1);
	tvm_destroy(&t);
}

static void test_immediate_exit(void)
{
	struct tvm t;
	int i;

	tvm_create_real(&t, RM_BLOB(hello));
	t.vm.run->immediate_exit = 1;
	for (i = 0; i < 2; i++) {
		/* Poison the out field: the kernel must write it. */
		t.vm.run->exit_reason = 0xdead;
		ASSERT_ERR(mv_run(t.vm.vcpu_fd), EINTR);
		EXPECT_EQ(t.vm.run->exit_reason, MV_EXIT_INTR);
		/* The guest did not run: RIP is still at the first instruction. */
		EXPECT_EQ(tvm_rip(&t), RM_LOAD_ADDR);
	}
	t.vm.run->immediate_exit = 0;
	tvm_run(&t);
	EXPECT_EQ(io_data_get(tvm_expect_io(&t, MV_EXIT_IO_OUT, RM_SERIAL_PORT, 1), 1), 'h');
	tvm_destroy(&t);
}

static void test_signal_interrupts_spin(void)
{
	struct runner r;
	struct tvm t;
	double latency;
	int round;

	install_sigusr1();
	tvm_create_real(&t, RM_BLOB(spin));
	for (round = 0; round < 3; round++) {
		runner_start(&r, &t);
		/* Long enough to be in the guest (10 M instructions in Bochs). */
		sleep_ms(50);
		/* "jmp ." never exits by itself. */
		ASSERT_FALSE(runner_done(&r));
		latency = runner_interrupt(&r);
		test_diag("round %d: MV_RUN returned %d (exit %s) %.3f s after the first signal",
			  round, r.ret, exit_name(r.exit_reason), latency);
		ASSERT_ERR(r.ret, EINTR);
		EXPECT_EQ(r.exit_reason, MV_EXIT_INTR);
		EXPECT_LT(latency, SIGNAL_LATENCY_LIMIT);
		/* Consistent state: still in the loop, ready to resume. */
		EXPECT_EQ(tvm_rip(&t), RM_ADDR(spin, loop));
	}
	/* Move it onto the HLT after the loop: it runs there normally. */
	tvm_reset_real(&t, RM_ADDR(spin, hlt));
	tvm_run_expect(&t, MV_EXIT_HLT);
	EXPECT_EQ(tvm_rip(&t), RM_ADDR(spin, hlt) + 1);
	tvm_destroy(&t);
}

/* Two threads call MV_RUN on one vCPU: the second gets EBUSY at once. */
static void test_concurrent_run_ebusy(void)
{
	struct runner a, b, *busy, *running;
	struct tvm t;

	install_sigusr1();
	tvm_create_real(&t, RM_BLOB(spin));
	runner_start(&a, &t);
	runner_start(&b, &t);
	sleep_ms(150);
	/* Exactly one of them returned, with EBUSY; the other spins. */
	ASSERT_TRUE(runner_done(&a) != runner_done(&b));
	busy = runner_done(&a) ? &a : &b;
	running = busy == &a ? &b : &a;
	ASSERT_EQ(pthread_join(busy->tid, NULL), 0);
	ASSERT_ERR(busy->ret, EBUSY);
	runner_interrupt(running);
	ASSERT_ERR(running->ret, EINTR);
	tvm_destroy(&t);
}

/*
 * Closing the VM fd while a vCPU runs: the vCPU keeps running (it holds the
 * VM), can be signalled out and resumed, and the module is in order for
 * the next VM afterwards.
 */
static void test_close_vm_fd_while_running(void)
{
	struct tvm t, fresh;
	struct runner r;

	install_sigusr1();
	tvm_create_real(&t, RM_BLOB(spin));
	runner_start(&r, &t);
	sleep_ms(100);
	ASSERT_FALSE(runner_done(&r));
	ASSERT_EQ(close(t.vm.vm_fd), 0);
	t.vm.vm_fd = -1;
	sleep_ms(100);
	ASSERT_FALSE(runner_done(&r));
	runner_interrupt(&r);
	ASSERT_ERR(r.ret, EINTR);

	/* The VM (memory included) is still there for its vCPU. */
	tvm_reset_real(&t, RM_ADDR(spin, hlt));
	tvm_run_expect(&t, MV_EXIT_HLT);
	tvm_destroy(&t);

	tvm_create_real(&fresh, RM_BLOB(hello));
	tvm_run_hello(&fresh);
	tvm_destroy(&fresh);
}

static void test_lm_exception_ud(void)
{
	struct ucall_info uc;
	struct tvm t;

	tvm_create_long(&t, guest_ud2, 0);
	tvm_run(&t);
	ASSERT_EQ(tvm_get_ucall(&t, &uc), UCALL_EXCEPTION);
	EXPECT_EQ(uc.args[0], 6);	/* #UD */
	EXPECT_EQ(uc.args[1], 0);	/* the stub's dummy error code */
	EXPECT_EQ(uc.args[2], (uint64_t)(uintptr_t)guest_ud2_rip);
	tvm_destroy(&t);
}

static void test_lm_exception_pf(void)
{
	/* PML4 slot 254: outside the 4 GiB identity map, canonical. */
	const uint64_t addr = 0x7f0000000000ull;
	const uint64_t fn = (uint64_t)(uintptr_t)guest_page_fault;
	struct ucall_info uc;
	struct tvm t;

	tvm_create_long(&t, guest_page_fault, addr);
	tvm_run(&t);
	ASSERT_EQ(tvm_get_ucall(&t, &uc), UCALL_EXCEPTION);
	test_diag("vector %llu error code 0x%llx rip 0x%llx cr2 0x%llx",
		  (unsigned long long)uc.args[0], (unsigned long long)uc.args[1],
		  (unsigned long long)uc.args[2], (unsigned long long)uc.args[3]);
	EXPECT_EQ(uc.args[0], 14);	/* #PF */
	EXPECT_EQ(uc.args[1], 0x2);	/* not present, write, supervisor */
	EXPECT_EQ(uc.args[3], addr);	/* CR2 */
	EXPECT_GE(uc.args[2], fn);
	EXPECT_LT(uc.args[2], fn + 64);
	tvm_destroy(&t);
}

static const struct test_case tests[] = {
	{ "rm_triple_fault_shutdown", test_rm_triple_fault, 0 },
	{ "lm_triple_fault_shutdown", test_lm_triple_fault, 0 },
	{ "shutdown_then_reset_runs", test_shutdown_then_reset, 0 },
	{ "fail_entry_cr0_pg_without_pe", test_fail_entry_pg_without_pe, 0 },
	{ "fail_entry_tr_not_busy", test_fail_entry_tr_not_busy, 0 },
	{ "fail_entry_then_fixed_state_runs", test_fail_entry_then_fixed_state, 0 },
	{ "immediate_exit_eintr", test_immediate_exit, 0 },
	{ "signal_interrupts_spinning_guest", test_signal_interrupts_spin, 0 },
	{ "concurrent_run_ebusy", test_concurrent_run_ebusy, 0 },
	{ "close_vm_fd_while_running", test_close_vm_fd_while_running, 0 },
	{ "lm_exception_ud_through_guest_idt", test_lm_exception_ud, 0 },
	{ "lm_exception_pf_through_guest_idt", test_lm_exception_pf, 0 },
};

int main(int argc, char **argv)
{
	return test_main(argc, argv, tests, ARRAY_SIZE(tests));
}
