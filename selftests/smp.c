// SPDX-License-Identifier: GPL-2.0
/*
 * Multi-CPU paths: a vCPU moving between CPUs (VMCLEAR on the old CPU by
 * IPI, VMPTRLD on the new one, VPID flush), a vCPU thread migrated while it
 * is in the guest, VMs running side by side on different CPUs, a memory
 * slot deleted while a vCPU runs on the other CPU (INVEPT on every CPU),
 * many vCPUs moved around and closed from another CPU, and concurrent
 * create/run/destroy cycles (VMXON/VMXOFF on every CPU, VPID reuse).
 *
 * Every case needs two online CPUs the program may use and is skipped
 * otherwise. The emulated host does not model a missing VMCLEAR or a stale
 * TLB entry (see Documentation/testing.md); what these cases catch there is
 * deadlocks, crashes, wrong guest state after a move, kernel warnings and
 * leaks.
 */
#include <fcntl.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include "test_harness.h"
#include "test_util.h"
#include "vm.h"
#include "smp_common.h"

/* smp_guest.c */
uint64_t guest_migrate_count(uint64_t steps);
extern const uint8_t guest_migrate_count_after_out[];
uint64_t guest_in_out_chain(uint64_t n);
uint64_t guest_spin_until_stopped(uint64_t arg);
extern volatile uint64_t smp_spin_ctl[2];
uint64_t guest_read_slot(uint64_t arg);
extern struct smp_slot_params smp_slot;

#define MIGRATE_STEPS		500
/* Affinity changes of a thread that is inside MV_RUN, 10 ms apart. */
#define MOVE_RUNNING_ROUNDS	100
#define MOVE_INTERVAL_MS	10
#define CHAIN_ROUNDS		10000	/* two exits each, per VM */
#define DELETE_ROUNDS		8
#define CYCLES_PER_THREAD	100
#define MAX_TEST_VCPUS		64
/*
 * Allowed MemAvailable drop and Slab growth over the 200 cycles. Measured in
 * the emulated host with two CPUs: -8 to 12 KiB. A leak of one kmalloc-2k
 * object (a struct mv_vm) per cycle is 400 KiB, one page 800 KiB.
 */
#define LEAK_BOUND_KIB		128
/* How long a signal or the host may take to get a vCPU out of MV_RUN. */
#define RETURN_LIMIT_S		10.0

/* The first two CPUs this program may run on. */
static int cpus[2];
/* Busy-wait loops store here, so that the compiler keeps them. */
static volatile uint64_t spin_sink;

/* Skips the case unless two CPUs are online and allowed; fills cpus[]. */
static void need_two_cpus(void)
{
	long online = sysconf(_SC_NPROCESSORS_ONLN);
	cpu_set_t set;
	int c, n = 0;

	ASSERT_EQ(sched_getaffinity(0, sizeof(set), &set), 0);
	for (c = 0; c < CPU_SETSIZE && n < 2; c++)
		if (CPU_ISSET(c, &set))
			cpus[n++] = c;
	if (online < 2 || n < 2)
		test_skip("needs 2 online CPUs, have %ld online, %d allowed", online,
			  CPU_COUNT(&set));
}

/* Restricts thread tid (0: the caller) to one CPU. */
static void pin_tid(pid_t tid, int cpu)
{
	cpu_set_t set;

	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	if (sched_setaffinity(tid, sizeof(set), &set) < 0)
		TEST_FAIL("sched_setaffinity(%d, CPU %d): %s", tid, cpu, strerror(errno));
}

static void pin(int cpu)
{
	pin_tid(0, cpu);
	/* The kernel moves the caller before sched_setaffinity() returns. */
	ASSERT_EQ(sched_getcpu(), cpu);
}

/* Field 39 of /proc/self/task/<tid>/stat: the CPU the thread is on (or last ran on). */
static int task_cpu(pid_t tid)
{
	char path[64], buf[1024], *p, *save = NULL;
	int fd, field;
	ssize_t n;

	snprintf(path, sizeof(path), "/proc/self/task/%d/stat", tid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		TEST_FAIL("open %s: %s", path, strerror(errno));
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		TEST_FAIL("read %s: %s", path, n < 0 ? strerror(errno) : "empty");
	buf[n] = '\0';
	/* The command name (field 2) may contain spaces; count after it. */
	p = strrchr(buf, ')');
	if (!p)
		TEST_FAIL("%s: no ')' in \"%s\"", path, buf);
	field = 2;
	for (p = strtok_r(p + 1, " ", &save); p; p = strtok_r(NULL, " ", &save))
		if (++field == 39)
			return atoi(p);
	TEST_FAIL("%s: fewer than 39 fields", path);
}

/* A thread doing one MV_RUN, optionally pinned first. */
struct runner {
	struct tvm *t;
	int cpu;		/* -1: not pinned */
	pthread_t thread;
	pid_t tid;
	int ret;
	int ran_on;		/* sched_getcpu() after MV_RUN */
	int started;
	int done;
};

static void *runner_main(void *arg)
{
	struct runner *r = arg;

	r->tid = gettid();
	if (r->cpu >= 0)
		pin(r->cpu);
	__atomic_store_n(&r->started, 1, __ATOMIC_RELEASE);
	r->ret = mv_run(r->t->vm.vcpu_fd);
	r->ran_on = sched_getcpu();
	__atomic_store_n(&r->done, 1, __ATOMIC_RELEASE);
	return NULL;
}

static void runner_start(struct runner *r, struct tvm *t, int cpu)
{
	double start = test_now();

	memset(r, 0, sizeof(*r));
	r->t = t;
	r->cpu = cpu;
	ASSERT_EQ(pthread_create(&r->thread, NULL, runner_main, r), 0);
	while (!__atomic_load_n(&r->started, __ATOMIC_ACQUIRE)) {
		if (test_now() - start > RETURN_LIMIT_S)
			TEST_FAIL("the vCPU thread did not start within %.0f s", RETURN_LIMIT_S);
		sleep_ms(1);
	}
}

static bool runner_done(struct runner *r)
{
	return __atomic_load_n(&r->done, __ATOMIC_ACQUIRE);
}

/* Fails the test, saying how MV_RUN ended, if it already returned. */
static void runner_expect_running(struct runner *r, const char *when)
{
	char e[96];

	if (!runner_done(r))
		return;
	ASSERT_EQ(pthread_join(r->thread, NULL), 0);
	test_diag("MV_RUN returned %s on CPU %d: %s, exit %s", when, r->ran_on,
		  test_errno_str(r->ret, e, sizeof(e)), exit_name(r->t->vm.run->exit_reason));
	tvm_dump(r->t);
	TEST_FAIL("MV_RUN of a guest that never exits returned (%s)", when);
}

/* Waits up to RETURN_LIMIT_S for MV_RUN to return, then joins. */
static void runner_join(struct runner *r, const char *what)
{
	double start = test_now();

	while (!runner_done(r)) {
		if (test_now() - start > RETURN_LIMIT_S)
			TEST_FAIL("MV_RUN still running %.0f s after %s", RETURN_LIMIT_S, what);
		sleep_ms(5);
	}
	ASSERT_EQ(pthread_join(r->thread, NULL), 0);
}

/* Sends SIGUSR1 every 20 ms until MV_RUN returns (a signal may land before the ioctl). */
static void runner_interrupt(struct runner *r)
{
	double start = test_now();

	while (!runner_done(r)) {
		if (test_now() - start > RETURN_LIMIT_S)
			TEST_FAIL("MV_RUN still running %.0f s after the first SIGUSR1",
				  RETURN_LIMIT_S);
		pthread_kill(r->thread, SIGUSR1);
		sleep_ms(20);
	}
	ASSERT_EQ(pthread_join(r->thread, NULL), 0);
}

static uint64_t rol64(uint64_t v, unsigned int n)
{
	return (v << n) | (v >> (64 - n));
}

/* What the host puts in RBX before the run that makes step s. */
static uint64_t step_feed(uint64_t s)
{
	return s * 0x9e3779b97f4a7c15ull;
}

/* Every fourth run, MV_RUN itself finds the VMCS active on the other CPU. */
static bool step_moves_in_run(uint64_t step)
{
	return step % 4 == 0;
}

/* Fails unless a and b (the same vCPU read on two CPUs) are identical. */
static void expect_same_regs(const struct mv_regs *a, const struct mv_regs *b,
			     uint64_t step, int cpu_a, int cpu_b)
{
	static const char *const names[] = {
		"rax", "rbx", "rcx", "rdx", "rsi", "rdi", "rsp", "rbp", "r8", "r9", "r10",
		"r11", "r12", "r13", "r14", "r15", "rip", "rflags",
	};
	const uint64_t *x = (const uint64_t *)a, *y = (const uint64_t *)b;
	unsigned int i, bad = 0;

	_Static_assert(sizeof(*a) == sizeof(names) / sizeof(names[0]) * 8,
		       "struct mv_regs is the 18 registers named here");
	for (i = 0; i < ARRAY_SIZE(names); i++)
		if (x[i] != y[i]) {
			test_diag("before step %llu: %s 0x%llx on CPU %d, 0x%llx on CPU %d",
				  (unsigned long long)step, names[i], (unsigned long long)x[i],
				  cpu_a, (unsigned long long)y[i], cpu_b);
			bad++;
		}
	if (bad)
		TEST_FAIL("MV_GET_REGS differs between the CPUs in %u register(s)", bad);
}

/*
 * One vCPU, MIGRATE_STEPS + 1 runs, each on the other CPU. Before most runs
 * the registers are read (and RBX written) on the new CPU first, which moves
 * the VMCS there and must give exactly what the old CPU read after the last
 * exit; every fourth run MV_RUN itself does the move. After every exit the
 * guest's registers, stack and segment state must be exactly what the guest
 * did, and the guest must have seen RBX as written on the other CPU.
 */
static void test_vcpu_migrates_every_run(void)
{
	const uint64_t after_out = (uint64_t)(uintptr_t)guest_migrate_count_after_out;
	uint64_t step, rbx = 0, r14 = SMP_R14_SEED, rsp1 = 0, *stack;
	unsigned int on[2] = { 0, 0 }, moved_in_run = 0;
	struct mv_regs r, prev;
	struct mv_sregs s0, s;
	struct ucall_info uc;
	struct tvm t;
	int which;

	need_two_cpus();
	pin(cpus[0]);
	tvm_create_long(&t, guest_migrate_count, MIGRATE_STEPS);
	tvm_get_sregs(&t, &s0);
	tvm_get_regs(&t, &prev);
	for (step = 1; step <= MIGRATE_STEPS + 1; step++) {
		which = step % 2;
		pin(cpus[which]);
		if (!step_moves_in_run(step) && step <= MIGRATE_STEPS) {
			tvm_get_regs(&t, &r);
			expect_same_regs(&prev, &r, step, cpus[!which], cpus[which]);
			rbx = step_feed(step);
			r.rbx = rbx;
			tvm_set_regs(&t, &r);
		} else {
			moved_in_run++;
		}
		tvm_run(&t);
		/* MV_RUN runs on the calling thread's CPU. */
		ASSERT_EQ(sched_getcpu(), cpus[which]);
		on[which]++;
		if (step == MIGRATE_STEPS + 1)
			break;

		ASSERT_EQ(io_data_get(tvm_expect_io(&t, MV_EXIT_IO_OUT, SMP_STEP_PORT, 4), 4),
			  step);
		r14 = rol64(r14, 7) ^ rbx;
		tvm_get_regs(&t, &r);
		if (step == 1)
			rsp1 = r.rsp;
		if (r.rip != after_out || (uint32_t)r.rax != step || r.rbx != rbx ||
		    r.r12 != step || r.r13 != step * (step + 1) / 2 || r.r14 != r14 ||
		    r.r15 != MIGRATE_STEPS || r.rdx != SMP_STEP_PORT ||
		    r.rsp != rsp1 - 8 * (step - 1)) {
			test_diag("step %llu on CPU %d: registers differ from the guest's",
				  (unsigned long long)step, cpus[which]);
			tvm_dump(&t);
			EXPECT_EQ(r.rip, after_out);
			EXPECT_EQ((uint32_t)r.rax, step);
			EXPECT_EQ(r.rbx, rbx);
			EXPECT_EQ(r.r12, step);
			EXPECT_EQ(r.r13, step * (step + 1) / 2);
			EXPECT_EQ(r.r14, r14);
			EXPECT_EQ(r.r15, MIGRATE_STEPS);
			EXPECT_EQ(r.rdx, SMP_STEP_PORT);
			EXPECT_EQ(r.rsp, rsp1 - 8 * (step - 1));
			TEST_FAIL("guest state lost after a move between CPUs");
		}
		prev = r;
		/* The guest's pushes reached its memory. */
		stack = tvm_ptr(&t, r.rsp, 16);
		ASSERT_EQ(stack[0], step);
		if (step > 1)
			ASSERT_EQ(stack[1], step - 1);
		/* Segment and control state (VMCS fields) read on this CPU. */
		tvm_get_sregs(&t, &s);
		if (s.cs.selector != s0.cs.selector || s.cs.l != s0.cs.l ||
		    s.tr.selector != s0.tr.selector || s.cr0 != s0.cr0 || s.cr3 != s0.cr3 ||
		    s.cr4 != s0.cr4 || s.efer != s0.efer || s.gdt.base != s0.gdt.base ||
		    s.idt.base != s0.idt.base) {
			test_diag("step %llu on CPU %d: segment/control state changed",
				  (unsigned long long)step, cpus[which]);
			tvm_dump(&t);
			TEST_FAIL("MV_GET_SREGS differs from before the first run");
		}
	}
	/* The last run returned from the function: UCALL_DONE with the sum. */
	ASSERT_EQ(tvm_get_ucall(&t, &uc), UCALL_DONE);
	EXPECT_EQ(uc.args[0], MIGRATE_STEPS * (MIGRATE_STEPS + 1) / 2);
	test_diag("%d runs: %u on CPU %d, %u on CPU %d; %u moved by MV_RUN itself",
		  MIGRATE_STEPS + 1, on[0], cpus[0], on[1], cpus[1], moved_in_run);
	EXPECT_GT(on[0], 0);
	EXPECT_GT(on[1], 0);
	tvm_destroy(&t);
}

/* RFLAGS.IF: with it set, a host interrupt gets the guest out at once. */
#define RFLAGS_IF		(1ull << 9)

/*
 * A vCPU thread inside MV_RUN (the guest spins, no exits) is moved between
 * the two CPUs by another thread, MOVE_RUNNING_ROUNDS times over about a
 * second; each move takes the vCPU out of the guest and schedules it on the
 * other CPU, where the VMCS follows. Then a signal gets it out with EINTR.
 * Twice: first with the guest's RFLAGS.IF clear (the emulated host then
 * leaves the guest only when the VMX preemption timer expires, see
 * Documentation/testing.md), then with it set (the rescheduling IPI makes it
 * exit at once). Finally the guest finishes when the host tells it to.
 */
static void test_running_vcpu_migrated_then_signalled(void)
{
	const uint64_t fn = (uint64_t)(uintptr_t)guest_spin_until_stopped;
	unsigned int seen[2], wrong;
	uint64_t progress0, progress1 = 0;
	volatile uint64_t *ctl;
	struct mv_regs regs;
	struct runner r;
	struct tvm t;
	int phase, i, target, cpu;

	need_two_cpus();
	install_sigusr1();
	tvm_create_long(&t, guest_spin_until_stopped, 0);
	ctl = *GUEST_VAR(&t, smp_spin_ctl);
	for (phase = 0; phase < 2; phase++) {
		tvm_get_regs(&t, &regs);
		if (phase == 1)
			regs.rflags |= RFLAGS_IF;
		tvm_set_regs(&t, &regs);
		runner_start(&r, &t, cpus[phase]);
		sleep_ms(100);
		runner_expect_running(&r, "within 100 ms, before any move");
		progress0 = ctl[1];
		seen[0] = seen[1] = wrong = 0;
		for (i = 0; i < MOVE_RUNNING_ROUNDS / 2; i++) {
			target = cpus[(i + phase + 1) % 2];
			pin_tid(r.tid, target);
			sleep_ms(MOVE_INTERVAL_MS);
			runner_expect_running(&r, "while being moved between CPUs");
			/* Moved when sched_setaffinity() returned; nothing moves it back. */
			cpu = task_cpu(r.tid);
			if (cpu == cpus[0])
				seen[0]++;
			else if (cpu == cpus[1])
				seen[1]++;
			if (cpu != target)
				wrong++;
		}
		progress1 = ctl[1];
		test_diag("IF=%d: %d moves, thread seen %u times on CPU %d, %u on CPU %d, %u not "
			  "on its target; guest iterations %llu -> %llu", phase,
			  MOVE_RUNNING_ROUNDS / 2, seen[0], cpus[0], seen[1], cpus[1], wrong,
			  (unsigned long long)progress0, (unsigned long long)progress1);
		EXPECT_EQ(wrong, 0);
		EXPECT_GT(seen[0], 0);
		EXPECT_GT(seen[1], 0);
		/* The guest kept running through the moves. */
		EXPECT_GT(progress1, progress0);

		runner_interrupt(&r);
		ASSERT_ERR(r.ret, EINTR);
		EXPECT_EQ(t.vm.run->exit_reason, MV_EXIT_INTR);
		tvm_get_regs(&t, &regs);
		/* Still inside the loop, with the flags it was given. */
		EXPECT_GE(regs.rip, fn);
		EXPECT_LT(regs.rip, fn + 64);
		EXPECT_EQ(regs.rflags & RFLAGS_IF, phase ? RFLAGS_IF : 0);
	}

	/* Finish it from this thread, on the CPU the runner was not on last. */
	pin(r.ran_on == cpus[0] ? cpus[1] : cpus[0]);
	ctl[0] = 1;
	ASSERT_EQ(tvm_run_done(&t), ctl[1]);
	EXPECT_GT(ctl[1], progress1);
	tvm_destroy(&t);
}

/* One VM per CPU, each with CHAIN_ROUNDS IN/OUT pairs. */
struct chain {
	int cpu;
	uint64_t seed;
	pthread_barrier_t *go;
	struct tvm t;
	double start, end;
	unsigned int exits;
	int wrong_cpu;
};

static uint32_t chain_input(uint64_t seed, uint64_t i)
{
	return (uint32_t)((seed ^ (i * 0x2545f4914f6cdd1dull)) >> 17);
}

static void *chain_main(void *arg)
{
	struct chain *c = arg;
	uint64_t acc = CHAIN_ROUNDS, i;
	uint32_t in;

	pin(c->cpu);
	pthread_barrier_wait(c->go);
	c->start = test_now();
	for (i = 1; i <= CHAIN_ROUNDS; i++) {
		in = chain_input(c->seed, i);
		tvm_run(&c->t);
		io_data_put(tvm_expect_io(&c->t, MV_EXIT_IO_IN, SMP_IN_PORT, 4), 4, in);
		acc = acc * SMP_HASH_MUL + in + i;
		tvm_run(&c->t);
		ASSERT_EQ(io_data_get(tvm_expect_io(&c->t, MV_EXIT_IO_OUT, SMP_OUT_PORT, 4), 4),
			  (uint32_t)(acc >> 32));
		c->exits += 2;
		if (sched_getcpu() != c->cpu)
			c->wrong_cpu++;
	}
	ASSERT_EQ(tvm_run_done(&c->t), acc);
	c->end = test_now();
	return NULL;
}

static void test_two_vms_concurrently(void)
{
	pthread_barrier_t go;
	struct chain c[2];
	pthread_t th[2];
	int i;

	need_two_cpus();
	ASSERT_EQ(pthread_barrier_init(&go, NULL, 2), 0);
	for (i = 0; i < 2; i++) {
		memset(&c[i], 0, sizeof(c[i]));
		c[i].cpu = cpus[i];
		c[i].seed = 0x1234567890abcdefull * (i + 1);
		c[i].go = &go;
		/* Created here, before the start line, so both start at once. */
		tvm_create_long(&c[i].t, guest_in_out_chain, CHAIN_ROUNDS);
	}
	for (i = 0; i < 2; i++)
		ASSERT_EQ(pthread_create(&th[i], NULL, chain_main, &c[i]), 0);
	for (i = 0; i < 2; i++)
		ASSERT_EQ(pthread_join(th[i], NULL), 0);
	for (i = 0; i < 2; i++) {
		test_diag("VM %d on CPU %d: %u exits in %.2f s", i, c[i].cpu, c[i].exits,
			  c[i].end - c[i].start);
		EXPECT_EQ(c[i].exits, 2 * CHAIN_ROUNDS);
		EXPECT_EQ(c[i].wrong_cpu, 0);
	}
	/* They really ran at the same time (the macros compare integers). */
	EXPECT_TRUE(c[0].start < c[1].end);
	EXPECT_TRUE(c[1].start < c[0].end);
	pthread_barrier_destroy(&go);
	for (i = 0; i < 2; i++)
		tvm_destroy(&c[i].t);
}

/*
 * A vCPU on one CPU reads a second slot in a loop while this thread, on the
 * other CPU, deletes the slot. The deletion must take effect on the running
 * CPU (its EPT entries and cached translations gone): the guest's next load
 * of the range exits as MMIO, and so does every later load of it, from
 * either CPU. Eight rounds, the roles of the CPUs swapped each time, the
 * deletion delayed by a different amount each time: the emulated host is
 * deterministic and would otherwise meet the guest at the same instruction
 * in every round.
 */
static void test_delete_slot_while_other_cpu_runs(void)
{
	const uint64_t pattern_base = 0xc0ffee0000000000ull;
	struct smp_slot_params *p;
	struct ucall_info uc;
	struct mv_regs regs;
	struct runner r;
	struct tvm t;
	uint64_t *mem, off, phys, k, a, reads;
	int round, run_cpu, del_cpu;
	double start;
	uint8_t *d;

	need_two_cpus();
	tvm_create_long(&t, guest_read_slot, 0);
	p = GUEST_VAR(&t, smp_slot);
	for (round = 0; round < DELETE_ROUNDS; round++) {
		run_cpu = cpus[round % 2];
		del_cpu = cpus[(round + 1) % 2];
		mem = mmap(NULL, SMP_SLOT_SIZE, PROT_READ | PROT_WRITE,
			   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		ASSERT_TRUE(mem != MAP_FAILED);
		p->gpa = SMP_SLOT_GPA;
		p->size = SMP_SLOT_SIZE;
		p->pattern = pattern_base + round;
		p->reads = 0;
		for (off = 0; off < SMP_SLOT_SIZE; off += 8)
			mem[off / 8] = p->pattern ^ off;
		ASSERT_OK(mv_set_memory_region(t.vm.vm_fd, SMP_SLOT, 0, SMP_SLOT_GPA,
					       SMP_SLOT_SIZE, mem));
		tvm_start_long(&t, guest_read_slot, 0);
		/*
		 * RFLAGS.IF set: the IPI that carries the deletion's INVEPT gets
		 * the guest out at once. With IF clear the emulated host would
		 * keep it in until the preemption timer, every round at the same
		 * point of its loop.
		 */
		tvm_get_regs(&t, &regs);
		regs.rflags |= RFLAGS_IF;
		tvm_set_regs(&t, &regs);

		pin(del_cpu);
		runner_start(&r, &t, run_cpu);
		/* Wait until the guest has been through the slot a few times. */
		start = test_now();
		while (__atomic_load_n(&p->reads, __ATOMIC_RELAXED) < 4 * SMP_SLOT_SIZE / 8) {
			runner_expect_running(&r, "before the slot was deleted");
			if (test_now() - start > RETURN_LIMIT_S)
				TEST_FAIL("round %d: the guest made %llu reads in %.0f s", round,
					  (unsigned long long)p->reads, RETURN_LIMIT_S);
			sleep_ms(2);
		}
		for (k = 0; k < (uint64_t)round * 7919; k++)
			spin_sink = k;
		runner_expect_running(&r, "before the slot was deleted");
		ASSERT_OK(mv_set_memory_region(t.vm.vm_fd, SMP_SLOT, 0, SMP_SLOT_GPA, 0, mem));
		runner_join(&r, "deleting the slot the guest reads");
		ASSERT_OK(r.ret);
		EXPECT_EQ(r.ran_on, run_cpu);

		/* The load in flight became an MMIO read of the range. */
		phys = t.vm.run->mmio.phys_addr;
		if (t.vm.run->exit_reason != MV_EXIT_MMIO || phys < SMP_SLOT_GPA ||
		    phys >= SMP_SLOT_GPA + SMP_SLOT_SIZE || phys % 8) {
			test_diag("round %d: expected an MMIO read inside [0x%llx, 0x%llx)", round,
				  SMP_SLOT_GPA, SMP_SLOT_GPA + SMP_SLOT_SIZE);
			tvm_dump(&t);
			TEST_FAIL("the load after the deletion did not exit as MMIO");
		}
		d = tvm_expect_mmio(&t, phys, 8, 0);
		a = SMP_MMIO_VALUE ^ phys;
		memcpy(d, &a, 8);
		tvm_expect_sync(&t, &uc, 2);
		EXPECT_EQ(uc.args[0], phys);
		EXPECT_EQ(uc.args[1], SMP_MMIO_VALUE ^ phys);
		reads = p->reads;

		/* Every later load of the range exits too, on both CPUs. */
		for (k = 0; k < SMP_SLOT_PROBES; k++) {
			pin(cpus[k % 2]);
			a = SMP_SLOT_GPA + k * SMP_SLOT_STRIDE + 8 * k;
			tvm_run(&t);
			d = tvm_expect_mmio(&t, a, 8, 0);
			a ^= SMP_MMIO_VALUE;
			memcpy(d, &a, 8);
		}
		pin(cpus[0]);
		ASSERT_EQ(tvm_run_done(&t), reads);
		test_diag("round %d: vCPU on CPU %d, slot deleted from CPU %d after %llu reads; "
			  "load at 0x%llx exited as MMIO", round, run_cpu, del_cpu,
			  (unsigned long long)reads, (unsigned long long)phys);
		/* The module let go of the pages; they are still ours and intact. */
		for (off = 0; off < SMP_SLOT_SIZE; off += 8)
			if (mem[off / 8] != (p->pattern ^ off))
				TEST_FAIL("slot memory changed at offset 0x%llx",
					  (unsigned long long)off);
		ASSERT_EQ(munmap(mem, SMP_SLOT_SIZE), 0);
	}
	tvm_destroy(&t);
}

/* Sets up vCPU fd for the "hello" blob in real mode, with marker registers. */
static void hello_reset(int fd, unsigned int id)
{
	struct mv_sregs s;
	struct mv_regs r;

	mv_sregs_real_mode(&s, 0);
	ASSERT_OK(mv_set_sregs(fd, &s));
	memset(&r, 0, sizeof(r));
	r.rip = RM_LOAD_ADDR;
	r.rsp = RM_STACK_TOP;
	r.rflags = 0x2;
	r.rbp = 0xb0b0000000000000ull | id;
	r.r8 = 0x8888000000000000ull | id;
	r.r15 = ~(uint64_t)id;
	ASSERT_OK(mv_set_regs(fd, &r));
}

/*
 * MV_CAP_MAX_VCPUS vCPUs in one VM, created on the first CPU, each running
 * the "hello" blob one exit per run with the CPU alternating every run and
 * every vCPU (so neighbouring vCPUs' VMCSs sit on different CPUs), then
 * closed from the second CPU in an order unlike creation.
 */
static void test_many_vcpus_alternating_cpus(void)
{
	const char *msg = "hello";
	int fds[MAX_TEST_VCPUS];
	struct mv_run *runs[MAX_TEST_VCPUS];
	unsigned int moves = 0;
	int last[MAX_TEST_VCPUS];
	struct mv_regs r;
	struct tvm t;
	long n, i, step, j;
	int cpu;

	need_two_cpus();
	pin(cpus[0]);
	tvm_create_real(&t, RM_BLOB(hello));
	n = mv_check_cap(t.vm.sys_fd, MV_CAP_MAX_VCPUS);
	ASSERT_GE(n, 2);
	if (n > MAX_TEST_VCPUS)
		n = MAX_TEST_VCPUS;
	fds[0] = t.vm.vcpu_fd;
	runs[0] = t.vm.run;
	for (i = 1; i < n; i++) {
		fds[i] = mv_create_vcpu(t.vm.vm_fd, (unsigned int)i);
		ASSERT_OK(fds[i]);
		runs[i] = mv_map_run(t.vm.sys_fd, fds[i]);
		ASSERT_TRUE(runs[i] != NULL);
	}
	for (i = 0; i < n; i++) {
		hello_reset(fds[i], (unsigned int)i);
		last[i] = -1;
	}

	/* "hello" is 5 OUTs and a HLT: 6 runs per vCPU. */
	for (step = 0; step <= (long)strlen(msg); step++) {
		for (i = 0; i < n; i++) {
			cpu = cpus[(i + step) % 2];
			pin(cpu);
			ASSERT_OK(mv_run(fds[i]));
			moves += last[i] >= 0 && last[i] != cpu;
			last[i] = cpu;
			if (msg[step]) {
				if (runs[i]->exit_reason != MV_EXIT_IO ||
				    runs[i]->io.port != RM_SERIAL_PORT ||
				    *(uint8_t *)mv_io_data(runs[i]) != msg[step]) {
					test_diag("vCPU %ld, step %ld, CPU %d", i, step, cpu);
					mv_dump_exit(stdout, runs[i]);
					TEST_FAIL("expected OUT '%c' to port 0x%x", msg[step],
						  RM_SERIAL_PORT);
				}
			} else if (runs[i]->exit_reason != MV_EXIT_HLT) {
				test_diag("vCPU %ld, CPU %d: exit %s", i, cpu,
					  exit_name(runs[i]->exit_reason));
				TEST_FAIL("expected HLT after \"%s\"", msg);
			}
		}
	}
	for (i = 0; i < n; i++) {
		ASSERT_OK(mv_get_regs(fds[i], &r));
		EXPECT_EQ(r.rip, RM_ADDR(hello, after_hlt));
		EXPECT_EQ(r.rbp, 0xb0b0000000000000ull | (uint64_t)i);
		EXPECT_EQ(r.r8, 0x8888000000000000ull | (uint64_t)i);
		EXPECT_EQ(r.r15, ~(uint64_t)i);
	}
	test_diag("%ld vCPUs, %u moves between CPUs", n, moves);
	EXPECT_EQ(moves, n * strlen(msg));

	/* Odd ids from the top, then even ids from the bottom (0 last, by tvm_destroy). */
	pin(cpus[1]);
	for (j = n % 2 ? n - 2 : n - 1; j >= 1; j -= 2) {
		mv_unmap_run(t.vm.sys_fd, runs[j]);
		ASSERT_EQ(close(fds[j]), 0);
	}
	for (j = 2; j < n; j += 2) {
		mv_unmap_run(t.vm.sys_fd, runs[j]);
		ASSERT_EQ(close(fds[j]), 0);
	}
	tvm_destroy(&t);

	/* All gone: a new VM runs, on either CPU. */
	for (i = 0; i < 2; i++) {
		pin(cpus[i]);
		tvm_create_real(&t, RM_BLOB(hlt));
		tvm_run_expect(&t, MV_EXIT_HLT);
		tvm_destroy(&t);
	}
}

/*
 * MemAvailable after RCU-deferred frees settled and clean caches dropped;
 * *slab_kib: Slab at the same time.
 */
static long settled_mem_available(long *slab_kib)
{
	settle_memory();
	*slab_kib = meminfo_kib("Slab");
	/* Guest RAM is faulted in lazily: its pages may sit on per-CPU lists. */
	return meminfo_kib("MemAvailable") + pcp_free_kib();
}

struct cycler {
	int cpu;
	pthread_barrier_t *go;
	unsigned int cycles;
	int wrong_cpu;
};

static void *cycler_main(void *arg)
{
	struct cycler *c = arg;
	struct tvm t;
	int i;

	pin(c->cpu);
	pthread_barrier_wait(c->go);
	for (i = 0; i < CYCLES_PER_THREAD; i++) {
		tvm_create_real(&t, RM_BLOB(hlt));
		tvm_run_expect(&t, MV_EXIT_HLT);
		ASSERT_EQ(tvm_rip(&t), RM_LOAD_ADDR + 1);
		if (sched_getcpu() != c->cpu)
			c->wrong_cpu++;
		tvm_destroy(&t);
		c->cycles++;
	}
	return NULL;
}

/*
 * Two threads, one per CPU, each creating, running and destroying VMs as fast
 * as it can: the number of VMs crosses 0 and 1 at random moments (VMXON and
 * VMXOFF on every CPU by IPI while the other CPU is in a guest), and VPIDs are
 * freed on one CPU and reused on the other.
 */
static void test_create_run_destroy_both_cpus(void)
{
	pthread_barrier_t go;
	struct cycler c[2];
	pthread_t th[2];
	long before, after, slab_before, slab_after;
	int i;

	need_two_cpus();
	/* A first cycle so that one-time allocations are not counted. */
	pin(cpus[0]);
	{
		struct tvm t;

		tvm_create_real(&t, RM_BLOB(hlt));
		tvm_run_expect(&t, MV_EXIT_HLT);
		tvm_destroy(&t);
	}
	before = settled_mem_available(&slab_before);
	ASSERT_EQ(pthread_barrier_init(&go, NULL, 2), 0);
	for (i = 0; i < 2; i++) {
		memset(&c[i], 0, sizeof(c[i]));
		c[i].cpu = cpus[i];
		c[i].go = &go;
		ASSERT_EQ(pthread_create(&th[i], NULL, cycler_main, &c[i]), 0);
	}
	for (i = 0; i < 2; i++)
		ASSERT_EQ(pthread_join(th[i], NULL), 0);
	pthread_barrier_destroy(&go);
	after = settled_mem_available(&slab_after);
	test_diag("%u + %u cycles on CPUs %d and %d; MemAvailable %ld -> %ld KiB (drop %ld), "
		  "Slab %ld -> %ld KiB (growth %ld); bound %d KiB", c[0].cycles, c[1].cycles,
		  cpus[0], cpus[1], before, after, before - after, slab_before, slab_after,
		  slab_after - slab_before, LEAK_BOUND_KIB);
	for (i = 0; i < 2; i++) {
		EXPECT_EQ(c[i].cycles, CYCLES_PER_THREAD);
		EXPECT_EQ(c[i].wrong_cpu, 0);
	}
	EXPECT_LT(before - after, LEAK_BOUND_KIB);
	EXPECT_LT(slab_after - slab_before, LEAK_BOUND_KIB);
}

static const struct test_case tests[] = {
	{ "vcpu_migrates_every_run", test_vcpu_migrates_every_run, 0 },
	{ "running_vcpu_migrated_then_signalled", test_running_vcpu_migrated_then_signalled, 0 },
	{ "two_vms_concurrently_one_per_cpu", test_two_vms_concurrently, 0 },
	{ "delete_slot_while_other_cpu_runs", test_delete_slot_while_other_cpu_runs, 0 },
	{ "many_vcpus_alternating_cpus", test_many_vcpus_alternating_cpus, 0 },
	{ "create_run_destroy_200_cycles_both_cpus", test_create_run_destroy_both_cpus, 0 },
};

int main(int argc, char **argv)
{
	return test_main(argc, argv, tests, ARRAY_SIZE(tests));
}
