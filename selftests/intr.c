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
};

int main(int argc, char **argv)
{
	return test_main(argc, argv, tests, ARRAY_SIZE(tests));
}
