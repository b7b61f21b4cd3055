// SPDX-License-Identifier: GPL-2.0
/*
 * Interrupt and NMI injection without a local APIC (MV_CAP_IRQ_INJECT):
 * MV_INTERRUPT when the guest can take it, the interrupt window asked for
 * through run->request_interrupt_window, an interrupt queued while IF = 0
 * that waits for STI, NMIs (not masked by IF, blocked until IRET), an
 * interrupted delivery injected again after an EPT violation on the
 * guest's stack, the TSC offset and the TSC frequency in CPUID.
 */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>
#include <x86intrin.h>

#include "test_harness.h"
#include "test_util.h"
#include "vm.h"
#include "intr_common.h"

/* A 256-entry IDT: the exception stubs for 0-31 (but 2), intr_stubs above. */
static void intr_idt(struct tvm *t)
{
	struct mv_sregs s;
	unsigned int v;

	tvm_get_sregs(t, &s);
	for (v = 0; v < 256; v++)
		if (v == 2 || v >= 32)
			idt_gate_encode(tvm_ptr(t, LM_IDT_GPA + 16 * v, 16), intr_stubs[v],
					s.cs.selector);
	s.idt.limit = 16 * 256 - 1;
	tvm_set_sregs(t, &s);
	memset(GUEST_VAR(t, intr_log), 0, sizeof(intr_log));
}

static void intr_create(struct tvm *t, guest_fn fn, uint64_t arg)
{
	tvm_create_long(t, fn, arg);
	intr_idt(t);
}

static void test_cap(void)
{
	int fd = mv_open();

	ASSERT_GE(fd, 0);
	EXPECT_EQ(mv_check_cap(fd, MV_CAP_IRQ_INJECT), 1);
	EXPECT_GT(mv_check_cap(fd, MV_CAP_TSC_KHZ), 0);
	close(fd);
}

static void test_inject_when_ready(void)
{
	struct ucall_info uc;
	struct tvm t;

	intr_create(&t, guest_intr_sti_wait, 0x40);
	tvm_expect_sync(&t, &uc, 1);
	EXPECT_EQ(t.vm.run->if_flag, 1);
	EXPECT_EQ(t.vm.run->ready_for_interrupt_injection, 1);
	ASSERT_EQ(mv_interrupt(t.vm.vcpu_fd, 0x40), 0);
	EXPECT_EQ(mv_interrupt(t.vm.vcpu_fd, 0x41), -EBUSY);
	EXPECT_EQ(tvm_run_done(&t), 1);
	EXPECT_EQ(GUEST_VAR(&t, intr_log)->count[0x40], 1);
	EXPECT_EQ(GUEST_VAR(&t, intr_log)->count[0x41], 0);
	tvm_destroy(&t);
}

static void test_bad_vectors(void)
{
	struct tvm t;

	intr_create(&t, guest_intr_sti_wait, 0x40);
	EXPECT_EQ(mv_interrupt(t.vm.vcpu_fd, 31), -EINVAL);
	EXPECT_EQ(mv_interrupt(t.vm.vcpu_fd, 256), -EINVAL);
	EXPECT_EQ(mv_set_mp_state(t.vm.vcpu_fd, MV_MP_STATE_WAIT_SIPI), -EINVAL);
	EXPECT_EQ(mv_set_mp_state(t.vm.vcpu_fd, 7), -EINVAL);
	tvm_destroy(&t);
}

/* The window exit comes only after STI (and its shadow), never before. */
static void test_request_window(void)
{
	struct intr_log *log;
	struct ucall_info uc;
	struct tvm t;

	intr_create(&t, guest_intr_cli_then_sti, 0x50);
	tvm_expect_sync(&t, &uc, 1);
	EXPECT_EQ(t.vm.run->if_flag, 0);
	EXPECT_EQ(t.vm.run->ready_for_interrupt_injection, 0);
	t.vm.run->request_interrupt_window = 1;
	tvm_run_expect(&t, MV_EXIT_IRQ_WINDOW_OPEN);
	log = GUEST_VAR(&t, intr_log);
	/* Marks 1 and 2 were logged, the instruction after STI's shadow not yet. */
	ASSERT_EQ(log->n, 2);
	EXPECT_EQ(log->e[1], INTR_LOG_MARK + 2);
	EXPECT_EQ(t.vm.run->if_flag, 1);
	EXPECT_EQ(t.vm.run->ready_for_interrupt_injection, 1);
	t.vm.run->request_interrupt_window = 0;
	ASSERT_EQ(mv_interrupt(t.vm.vcpu_fd, 0x50), 0);
	EXPECT_EQ(tvm_run_done(&t), 1);
	log = GUEST_VAR(&t, intr_log);
	ASSERT_EQ(log->n, 4);
	EXPECT_EQ(log->e[2], 0x50);		/* before mark 3 */
	EXPECT_EQ(log->e[3], INTR_LOG_MARK + 3);
	tvm_destroy(&t);
}

/* Queued while IF = 0: the kernel's own window delivers it after STI. */
static void test_queued_waits_for_sti(void)
{
	struct intr_log *log;
	struct ucall_info uc;
	struct tvm t;

	intr_create(&t, guest_intr_cli_then_sti, 0x60);
	tvm_expect_sync(&t, &uc, 1);
	ASSERT_EQ(mv_interrupt(t.vm.vcpu_fd, 0x60), 0);
	EXPECT_EQ(tvm_run_done(&t), 1);
	log = GUEST_VAR(&t, intr_log);
	ASSERT_EQ(log->n, 4);
	EXPECT_EQ(log->e[0], INTR_LOG_MARK + 1);
	EXPECT_EQ(log->e[1], INTR_LOG_MARK + 2);
	EXPECT_EQ(log->e[2], 0x60);
	EXPECT_EQ(log->e[3], INTR_LOG_MARK + 3);
	tvm_destroy(&t);
}

/*
 * An NMI reaches a guest with IF = 0. A second one, queued while the first
 * handler runs (at its OUT), waits for the IRET: no nesting.
 */
static void test_nmi_blocked_until_iret(void)
{
	struct intr_log *log;
	struct ucall_info uc;
	struct tvm t;

	intr_create(&t, guest_intr_nmi_cli, 2);
	*GUEST_VAR(&t, intr_nmi_out) = 1;
	tvm_expect_sync(&t, &uc, 1);
	ASSERT_EQ(mv_nmi(t.vm.vcpu_fd), 0);
	tvm_run(&t);
	tvm_expect_io(&t, MV_EXIT_IO_OUT, INTR_NMI_PORT, 1);
	ASSERT_EQ(mv_nmi(t.vm.vcpu_fd), 0);
	tvm_run(&t);
	tvm_expect_io(&t, MV_EXIT_IO_OUT, INTR_NMI_PORT, 1);
	EXPECT_EQ(tvm_run_done(&t), 2);
	log = GUEST_VAR(&t, intr_log);
	ASSERT_EQ(log->n, 4);
	EXPECT_EQ(log->e[0], INTR_LOG_NMI_ENTER);
	EXPECT_EQ(log->e[1], INTR_LOG_NMI_EXIT);
	EXPECT_EQ(log->e[2], INTR_LOG_NMI_ENTER);
	EXPECT_EQ(log->e[3], INTR_LOG_NMI_EXIT);
	tvm_destroy(&t);
}

/* Delivery faults on the unmapped stack page: re-injected, delivered once. */
static void test_reinject_after_ept_violation(void)
{
	struct intr_log *log;
	struct tvm t;

	intr_create(&t, guest_intr_fresh_stack, 0x70);
	tvm_run(&t);
	tvm_expect_io(&t, MV_EXIT_IO_OUT, INTR_NMI_PORT + 1, 1);
	ASSERT_EQ(mv_interrupt(t.vm.vcpu_fd, 0x70), 0);
	EXPECT_EQ(tvm_run_done(&t), 1);
	log = GUEST_VAR(&t, intr_log);
	EXPECT_EQ(log->n, 1);
	EXPECT_EQ(log->e[0], 0x70);
	/* The handler ran on the fresh page (the CPU's frame is just below its top). */
	EXPECT_LT(log->last_rsp, INTR_FRESH_STACK);
	EXPECT_GE(log->last_rsp, INTR_FRESH_STACK - 0x1000);
	tvm_destroy(&t);
}

/* The guest's TSC starts near 0 (per-VM offset), not at the host's count. */
static void test_tsc_starts_near_zero(void)
{
	uint64_t before, after, guest;
	struct tvm t;

	before = __rdtsc();
	tvm_create_long(&t, guest_intr_rdtsc, 0);
	guest = tvm_run_done(&t);
	after = __rdtsc();
	test_diag("guest TSC at its first instruction: %llu (host spent %llu)",
		  (unsigned long long)guest, (unsigned long long)(after - before));
	EXPECT_LT(guest, after - before);
	tvm_destroy(&t);
}

static void test_cpuid_tsc_leaves(void)
{
	int fd = mv_open();
	long khz = mv_check_cap(fd, MV_CAP_TSC_KHZ);
	struct mv_cpuid_entry *e;
	struct mv_cpuid *c;
	struct tvm t;
	unsigned int i;
	int found = 0;

	tvm_create_long(&t, guest_intr_rdtsc, 0);
	c = calloc(1, sizeof(*c) + 256 * sizeof(*e));
	ASSERT_TRUE(c != NULL);
	c->nent = 256;
	ASSERT_EQ(ioctl(t.vm.vcpu_fd, MV_GET_CPUID, c), 0);
	for (i = 0; i < c->nent; i++) {
		e = &c->entries[i];
		if (e->function == 0x15) {
			EXPECT_EQ(e->eax, 1);
			EXPECT_EQ(e->ebx, 1);
			EXPECT_EQ(e->ecx, (uint32_t)(khz * 1000));
			found |= 1;
		}
		if (e->function == 0x40000010) {
			EXPECT_EQ(e->eax, (uint32_t)khz);
			found |= 2;
		}
	}
	EXPECT_EQ(found, 3);
	free(c);
	close(fd);
	tvm_destroy(&t);
}


/* ---- with the in-kernel local APIC ---- */

/*
 * Re-creates vCPU 0 with a local APIC: MV_CAP_LAPIC is only accepted while
 * the VM has no vCPU, and the slot with the loaded binary stays.
 */
static void lapic_create(struct tvm *t, guest_fn fn, uint64_t arg)
{
	tvm_create_long(t, fn, arg);
	mv_unmap_run(t->vm.sys_fd, t->vm.run);
	close(t->vm.vcpu_fd);
	ASSERT_EQ(mv_enable_cap(t->vm.vm_fd, MV_CAP_LAPIC, 0), 0);
	t->vm.vcpu_fd = mv_create_vcpu(t->vm.vm_fd, 0);
	ASSERT_GE(t->vm.vcpu_fd, 0);
	t->vm.run = mv_map_run(t->vm.sys_fd, t->vm.vcpu_fd);
	ASSERT_TRUE(t->vm.run != NULL);
	tvm_start_long(t, fn, arg);
	intr_idt(t);
	*GUEST_VAR(t, intr_eoi) = 1;
}

/*
 * APICv on or off for the VMs created next (the module parameter is read
 * at VM creation), so both interrupt paths run in one boot.
 */
static void set_apicv(bool on)
{
	FILE *f = fopen("/sys/module/minivisor/parameters/apicv", "w");
	int fd;

	ASSERT_TRUE(f != NULL);
	ASSERT_GT(fputs(on ? "Y" : "N", f), -1);
	ASSERT_EQ(fclose(f), 0);
	fd = mv_open();
	ASSERT_GE(fd, 0);
	test_diag("APICv %s (MV_CAP_LAPIC = %ld)", on ? "on" : "off",
		  mv_check_cap(fd, MV_CAP_LAPIC));
	close(fd);
}

/* The halt-poll time: a default in MV_CHECK_CAP, per VM up to 10 ms. */
static void test_halt_poll_cap(void)
{
	struct tvm t;
	long def;

	tvm_create_long(&t, guest_intr_rdtsc, 0);
	def = mv_check_cap(t.vm.sys_fd, MV_CAP_HALT_POLL);
	test_diag("default halt-poll: %ld ns", def);
	EXPECT_GE(def, 0);
	EXPECT_LE(def, 10000000);
	EXPECT_EQ(mv_enable_cap(t.vm.vm_fd, MV_CAP_HALT_POLL, 10000001), -EINVAL);
	EXPECT_EQ(mv_enable_cap(t.vm.vm_fd, MV_CAP_HALT_POLL, 10000000), 0);
	EXPECT_EQ(mv_enable_cap(t.vm.vm_fd, MV_CAP_HALT_POLL, 0), 0);
	tvm_destroy(&t);
}

/* MSI data: vector, delivery mode, level (assert) bit 14. */
#define MSI_ADDR(dest)		(0xfee00000u | ((uint32_t)(dest) << 12))
#define MSI_DATA(vec, dm)	((uint32_t)(vec) | (uint32_t)(dm) << 8 | 1u << 14)

struct vcpu_thread {
	int fd;
	struct mv_run *run;
	pthread_t tid;
	int ret;
	int done;
};

static void *vcpu_thread_main(void *arg)
{
	struct vcpu_thread *v = arg;

	v->ret = mv_run(v->fd);
	__atomic_store_n(&v->done, 1, __ATOMIC_RELEASE);
	return NULL;
}

static void vcpu_thread_start(struct vcpu_thread *v, int fd, struct mv_run *run)
{
	v->fd = fd;
	v->run = run;
	v->done = 0;
	ASSERT_EQ(pthread_create(&v->tid, NULL, vcpu_thread_main, v), 0);
}

/* Waits up to limit seconds; true if MV_RUN returned. */
static bool vcpu_thread_wait(struct vcpu_thread *v, double limit)
{
	double end = test_now() + limit;

	while (!__atomic_load_n(&v->done, __ATOMIC_ACQUIRE) && test_now() < end)
		usleep(1000);
	return __atomic_load_n(&v->done, __ATOMIC_ACQUIRE);
}

static void sigusr1_nop(int sig)
{
	(void)sig;
}

static void test_lapic_enable_rules(void)
{
	struct mv_run *run1;
	uint32_t state = 99;
	struct tvm t;
	int fd1;

	tvm_create_long(&t, guest_intr_rdtsc, 0);
	EXPECT_EQ(mv_check_cap(t.vm.sys_fd, MV_CAP_LAPIC) & (MV_LAPIC_XAPIC | MV_LAPIC_X2APIC),
		  MV_LAPIC_XAPIC | MV_LAPIC_X2APIC);
	EXPECT_EQ(mv_signal_msi(t.vm.vm_fd, MSI_ADDR(0), 0, MSI_DATA(0x80, 0)), -ENXIO);
	/* A vCPU exists: too late. */
	EXPECT_EQ(mv_enable_cap(t.vm.vm_fd, MV_CAP_LAPIC, 0), -EBUSY);
	tvm_destroy(&t);

	lapic_create(&t, guest_intr_rdtsc, 0);
	EXPECT_EQ(mv_enable_cap(t.vm.vm_fd, MV_CAP_LAPIC, 1), -EINVAL);
	ASSERT_EQ(mv_get_mp_state(t.vm.vcpu_fd, &state), 0);
	EXPECT_EQ(state, MV_MP_STATE_RUNNABLE);
	fd1 = mv_create_vcpu(t.vm.vm_fd, 1);
	ASSERT_GE(fd1, 0);
	run1 = mv_map_run(t.vm.sys_fd, fd1);
	ASSERT_TRUE(run1 != NULL);
	ASSERT_EQ(mv_get_mp_state(fd1, &state), 0);
	EXPECT_EQ(state, MV_MP_STATE_WAIT_SIPI);
	/* Malformed messages: flags, reserved, a non-0xfee address, SMI. */
	{
		struct mv_msi msi = { .address_lo = MSI_ADDR(0), .data = MSI_DATA(0x80, 0),
				      .flags = 1 };

		EXPECT_EQ(ioctl(t.vm.vm_fd, MV_SIGNAL_MSI, &msi), -1);
		EXPECT_EQ(errno, EINVAL);
		msi.flags = 0;
		msi.reserved[1] = 1;
		EXPECT_EQ(ioctl(t.vm.vm_fd, MV_SIGNAL_MSI, &msi), -1);
		EXPECT_EQ(errno, EINVAL);
	}
	EXPECT_EQ(mv_signal_msi(t.vm.vm_fd, 0xfed00000u, 0, MSI_DATA(0x80, 0)), -EINVAL);
	EXPECT_EQ(mv_signal_msi(t.vm.vm_fd, MSI_ADDR(0), 0, MSI_DATA(0x80, 2)), -EINVAL);
	/* No APIC with ID 5: nobody accepts. */
	EXPECT_EQ(mv_signal_msi(t.vm.vm_fd, MSI_ADDR(5), 0, MSI_DATA(0x80, 0)), 0);
	mv_unmap_run(t.vm.sys_fd, run1);
	close(fd1);
	tvm_destroy(&t);
}

/* An MSI from another thread wakes a vCPU halted in the kernel, or kicks a spinning one. */
static void msi_wakes(uint64_t halt)
{
	struct vcpu_thread v;
	struct ucall_info uc;
	struct tvm t;

	lapic_create(&t, guest_lapic_wait, halt);
	vcpu_thread_start(&v, t.vm.vcpu_fd, t.vm.run);
	/*
	 * Halted (or spinning) in the kernel's MV_RUN: no exit to userspace
	 * for 0.1 s (20 M instructions in Bochs: long past the entry).
	 */
	EXPECT_FALSE(vcpu_thread_wait(&v, 0.1));
	EXPECT_EQ(mv_signal_msi(t.vm.vm_fd, MSI_ADDR(0), 0, MSI_DATA(0x80, 0)), 1);
	if (!vcpu_thread_wait(&v, 20.0)) {
		pthread_kill(v.tid, SIGUSR1);
		vcpu_thread_wait(&v, 5.0);
		test_fail(__FILE__, __LINE__, "the MSI did not end the vCPU's wait within 20 s");
	}
	pthread_join(v.tid, NULL);
	ASSERT_EQ(v.ret, 0);
	ASSERT_EQ(tvm_get_ucall(&t, &uc), UCALL_DONE);
	EXPECT_EQ(uc.args[0], 1);
	EXPECT_EQ(GUEST_VAR(&t, intr_log)->count[0x80], 1);
	tvm_destroy(&t);
}

static void test_msi_wakes_halted(void)
{
	signal(SIGUSR1, sigusr1_nop);
	set_apicv(true);
	msi_wakes(1);
}

static void test_msi_kicks_spinning(void)
{
	signal(SIGUSR1, sigusr1_nop);
	set_apicv(true);
	msi_wakes(0);
}

static void test_msi_wakes_halted_noapicv(void)
{
	signal(SIGUSR1, sigusr1_nop);
	set_apicv(false);
	msi_wakes(1);
	set_apicv(true);
}

static void test_msi_kicks_spinning_noapicv(void)
{
	signal(SIGUSR1, sigusr1_nop);
	set_apicv(false);
	msi_wakes(0);
	set_apicv(true);
}

/*
 * vCPU 1 waits for SIPI in MV_RUN; vCPU 0's INIT then STARTUP IPIs (vector
 * 0x08, through its ICR) start it in real mode at 0800:0000, where it does
 * OUT 0x77, AX = 0x1234. A signal before that ends MV_RUN with EINTR and
 * the vCPU keeps waiting.
 */
static void test_init_sipi_starts_ap(void)
{
	static const uint8_t ap_code[] = {
		0xb8, 0x34, 0x12,	/* mov $0x1234, %ax */
		0xe7, INTR_AP_PORT,	/* out %ax, $0x77 */
		0xf4,			/* hlt */
	};
	struct vcpu_thread v;
	struct mv_sregs s;
	struct mv_run *run1;
	uint32_t state;
	struct tvm t;
	int fd1;

	signal(SIGUSR1, sigusr1_nop);
	lapic_create(&t, guest_lapic_start_ap, INTR_AP_CODE >> 12);
	memcpy(tvm_ptr(&t, INTR_AP_CODE, sizeof(ap_code)), ap_code, sizeof(ap_code));
	fd1 = mv_create_vcpu(t.vm.vm_fd, 1);
	ASSERT_GE(fd1, 0);
	run1 = mv_map_run(t.vm.sys_fd, fd1);
	ASSERT_TRUE(run1 != NULL);

	vcpu_thread_start(&v, fd1, run1);
	EXPECT_FALSE(vcpu_thread_wait(&v, 0.1));
	pthread_kill(v.tid, SIGUSR1);
	ASSERT_TRUE(vcpu_thread_wait(&v, 10.0));
	pthread_join(v.tid, NULL);
	EXPECT_EQ(v.ret, -EINTR);
	EXPECT_EQ(run1->exit_reason, MV_EXIT_INTR);
	ASSERT_EQ(mv_get_mp_state(fd1, &state), 0);
	EXPECT_EQ(state, MV_MP_STATE_WAIT_SIPI);

	vcpu_thread_start(&v, fd1, run1);
	EXPECT_FALSE(vcpu_thread_wait(&v, 0.1));
	/* vCPU 0 sends INIT and STARTUP; ICR delivery status reads 0 (sent). */
	EXPECT_EQ(tvm_run_done(&t), 0);
	if (!vcpu_thread_wait(&v, 20.0)) {
		pthread_kill(v.tid, SIGUSR1);
		vcpu_thread_wait(&v, 5.0);
		test_fail(__FILE__, __LINE__, "INIT/SIPI did not start vCPU 1 within 20 s");
	}
	pthread_join(v.tid, NULL);
	ASSERT_EQ(v.ret, 0);
	ASSERT_EQ(run1->exit_reason, MV_EXIT_IO);
	EXPECT_EQ(run1->io.port, INTR_AP_PORT);
	EXPECT_EQ(io_data_get((uint8_t *)run1 + run1->io.data_offset, 2), 0x1234);
	ASSERT_EQ(mv_get_sregs(fd1, &s), 0);
	EXPECT_EQ(s.cs.selector, INTR_AP_CODE >> 4);
	EXPECT_EQ(s.cs.base, INTR_AP_CODE);
	ASSERT_EQ(mv_get_mp_state(fd1, &state), 0);
	EXPECT_EQ(state, MV_MP_STATE_RUNNABLE);
	mv_unmap_run(t.vm.sys_fd, run1);
	close(fd1);
	tvm_destroy(&t);
}

static const struct test_case tests[] = {
	{ "irq_inject_cap", test_cap, 0 },
	{ "irq_inject_when_ready", test_inject_when_ready, 0 },
	{ "irq_bad_vectors_and_mp_state", test_bad_vectors, 0 },
	{ "irq_request_window_after_sti", test_request_window, 0 },
	{ "irq_queued_waits_for_sti", test_queued_waits_for_sti, 0 },
	{ "nmi_blocked_until_iret", test_nmi_blocked_until_iret, 0 },
	{ "irq_reinjected_after_ept_violation", test_reinject_after_ept_violation, 0 },
	{ "tsc_starts_near_zero", test_tsc_starts_near_zero, 0 },
	{ "cpuid_tsc_frequency_leaves", test_cpuid_tsc_leaves, 0 },
	{ "halt_poll_cap_limits", test_halt_poll_cap, 0 },
	{ "lapic_enable_rules_and_bad_msi", test_lapic_enable_rules, 0 },
	{ "lapic_msi_wakes_halted_vcpu", test_msi_wakes_halted, 0 },
	{ "lapic_msi_kicks_spinning_vcpu", test_msi_kicks_spinning, 0 },
	{ "lapic_init_sipi_starts_ap", test_init_sipi_starts_ap, 0 },
	{ "lapic_msi_wakes_halted_vcpu_noapicv", test_msi_wakes_halted_noapicv, 0 },
	{ "lapic_msi_kicks_spinning_vcpu_noapicv", test_msi_kicks_spinning_noapicv, 0 },
};

int main(int argc, char **argv)
{
	return test_main(argc, argv, tests, ARRAY_SIZE(tests));
}
