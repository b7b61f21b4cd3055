// SPDX-License-Identifier: GPL-2.0
/* Guest code of the "intr" test: interrupt and NMI handlers that log. */
#include "guest.h"
#include "intr_common.h"

#define __STR(x)	#x
#define STR(x)		__STR(x)

struct intr_log intr_log;
volatile uint64_t intr_nmi_out;
volatile uint64_t intr_eoi;

void intr_record(uint64_t vector, uint64_t rsp);

void intr_record(uint64_t vector, uint64_t rsp)
{
	if (vector == 2) {
		if (intr_log.n < INTR_LOG_MAX)
			intr_log.e[intr_log.n++] = INTR_LOG_NMI_ENTER;
		/* An exit inside the NMI handler: the host queues another NMI here. */
		if (intr_nmi_out)
			guest_outb(INTR_NMI_PORT, 1);
		if (intr_log.n < INTR_LOG_MAX)
			intr_log.e[intr_log.n++] = INTR_LOG_NMI_EXIT;
	} else if (intr_log.n < INTR_LOG_MAX) {
		intr_log.e[intr_log.n++] = vector;
	}
	intr_log.count[vector & 0xff]++;
	intr_log.last_rsp = rsp;
	if (intr_eoi && vector >= 32)
		*(volatile uint32_t *)(INTR_APIC_BASE + 0xb0) = 0;
}

/* One stub per vector: push the vector, save the scratch registers, log, IRET. */
asm(".pushsection .text\n"
    ".macro INTR_STUB v\n"
    "intr_stub_\\v:\n"
    "	push	$\\v\n"
    "	jmp	intr_common\n"
    ".endm\n"
    ".macro INTR_PTR v\n"
    "	.quad	intr_stub_\\v\n"
    ".endm\n"
    ".altmacro\n"
    ".set i, 0\n"
    ".rept 256\n"
    "	INTR_STUB %i\n"
    "	.set i, i + 1\n"
    ".endr\n"
    "intr_common:\n"
    "	push	%rax\n push %rcx\n push %rdx\n push %rsi\n push %rdi\n"
    "	push	%r8\n push %r9\n push %r10\n push %r11\n push %rbx\n"
    "	mov	80(%rsp), %rdi\n"
    "	mov	%rsp, %rsi\n"
    "	mov	%rsp, %rbx\n"
    "	and	$-16, %rsp\n"
    "	call	intr_record\n"
    "	mov	%rbx, %rsp\n"
    "	pop	%rbx\n"
    "	pop	%r11\n pop %r10\n pop %r9\n pop %r8\n"
    "	pop	%rdi\n pop %rsi\n pop %rdx\n pop %rcx\n pop %rax\n"
    "	add	$8, %rsp\n"
    "	iretq\n"
    ".popsection\n"
    ".pushsection .rodata\n"
    ".balign 8\n"
    ".globl intr_stubs\n"
    "intr_stubs:\n"
    ".set i, 0\n"
    ".rept 256\n"
    "	INTR_PTR %i\n"
    "	.set i, i + 1\n"
    ".endr\n"
    ".noaltmacro\n"
    ".popsection\n");

static void mark(uint64_t n)
{
	if (intr_log.n < INTR_LOG_MAX)
		intr_log.e[intr_log.n++] = INTR_LOG_MARK + n;
}

static uint64_t wait_count(uint64_t vector)
{
	uint64_t spins = 0;

	while (!__atomic_load_n(&intr_log.count[vector], __ATOMIC_ACQUIRE) && spins < 100000000)
		spins++;
	return intr_log.count[vector];
}

/* IF = 1; sync so the host injects; wait for the handler. */
uint64_t guest_intr_sti_wait(uint64_t vector)
{
	asm volatile("sti");
	GUEST_SYNC(1);
	return wait_count(vector);
}

/* IF = 0 around a sync; then STI: the interrupt must come after mark 2. */
uint64_t guest_intr_cli_then_sti(uint64_t vector)
{
	asm volatile("cli");
	mark(1);
	GUEST_SYNC(1);
	mark(2);
	asm volatile("sti; nop");
	mark(3);
	return wait_count(vector);
}

/* NMIs are not masked by IF. */
uint64_t guest_intr_nmi_cli(uint64_t arg)
{
	uint64_t spins = 0;

	asm volatile("cli");
	GUEST_SYNC(1);
	while (__atomic_load_n(&intr_log.count[2], __ATOMIC_ACQUIRE) < arg && spins < 100000000)
		spins++;
	return intr_log.count[2];
}

/*
 * Switches to a stack page the guest never touched, so the CPU's pushes
 * during delivery take an EPT violation (guest memory is mapped on first
 * use): the interrupted delivery must be injected again, exactly once.
 * No stack use between the switch and the handler: the OUT is inline.
 */
uint64_t guest_intr_fresh_stack(uint64_t vector)
{
	uint64_t saved;

	asm volatile("mov %%rsp, %0\n\t"
		     "mov %1, %%rsp\n\t"
		     "sti\n\t"
		     "out %%al, %%dx\n\t"
		     "1: cmpq $0, (%3)\n\t"
		     "je 1b\n\t"
		     "mov %0, %%rsp\n\t"
		     "cli"
		     : "=&r"(saved)
		     : "r"(INTR_FRESH_STACK), "d"(INTR_NMI_PORT + 1),
		       "r"(&intr_log.count[vector]), "a"(0)
		     : "memory");
	return intr_log.count[vector];
}

uint64_t guest_intr_rdtsc(uint64_t arg)
{
	uint32_t lo, hi;

	(void)arg;
	asm volatile("rdtsc" : "=a"(lo), "=d"(hi));
	return (uint64_t)hi << 32 | lo;
}

/*
 * Software-enables the local APIC (SVR, spurious vector 0xff), then waits
 * with IF = 1 for vector 0x80, halting in between or spinning.
 */
uint64_t guest_lapic_wait(uint64_t halt)
{
	*(volatile uint32_t *)(INTR_APIC_BASE + 0xf0) = 0x1ff;
	/* The check runs with IF = 0; STI's shadow covers the HLT: no lost wake-up. */
	for (;;) {
		asm volatile("cli" ::: "memory");
		if (__atomic_load_n(&intr_log.count[0x80], __ATOMIC_ACQUIRE))
			break;
		if (halt)
			asm volatile("sti; hlt" ::: "memory");
		else
			asm volatile("sti; pause" ::: "memory");
	}
	asm volatile("sti");
	return intr_log.count[0x80];
}

/* vCPU 0 starts vCPU 1 the way an OS does: INIT, then STARTUP, through the ICR. */
uint64_t guest_lapic_start_ap(uint64_t vector)
{
	volatile uint32_t *apic = (volatile uint32_t *)INTR_APIC_BASE;

	apic[0xf0 / 4] = 0x1ff;
	apic[0x310 / 4] = 1u << 24;
	apic[0x300 / 4] = 0x4500;		/* INIT, level assert */
	apic[0x310 / 4] = 1u << 24;
	apic[0x300 / 4] = 0x4600 | (uint32_t)vector;	/* start-up */
	return apic[0x300 / 4] & (1u << 12);	/* delivery status: 0, sent */
}
