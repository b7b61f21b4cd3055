// SPDX-License-Identifier: GPL-2.0
/*
 * Guest code of the trace test: the known sequence in assembly, so every
 * exit's RIP is a label the test can compare with.
 */
#include "guest.h"
#include "trace_common.h"

/*
 * TR_N_CPUID x CPUID (leaf 0), TR_M_OUT x "outl %eax, %dx" to TR_PORT with
 * TR_OUT_BASE + i, TR_K_MMIO x "movl (%rsi), %eax" at TR_MMIO_GPA + 8 * i;
 * returns the sum of what the MMIO reads returned.
 */
asm(".pushsection .text\n"
    ".globl trace_guest_seq\n"
    ".type trace_guest_seq, @function\n"
    "trace_guest_seq:\n"
    "	push %rbx\n"
    "	mov $" TR_STR(TR_N_CPUID) ", %r8d\n"
    "1:	xor %eax, %eax\n"
    "	xor %ecx, %ecx\n"
    ".globl trace_cpuid_rip\n"
    "trace_cpuid_rip:\n"
    "	cpuid\n"
    "	dec %r8d\n"
    "	jnz 1b\n"
    "	mov $" TR_STR(TR_M_OUT) ", %r8d\n"
    "	mov $" TR_STR(TR_OUT_BASE) ", %r9d\n"
    "	mov $" TR_STR(TR_PORT) ", %edx\n"
    "2:	mov %r9d, %eax\n"
    ".globl trace_out_rip\n"
    "trace_out_rip:\n"
    "	outl %eax, %dx\n"
    "	inc %r9d\n"
    "	dec %r8d\n"
    "	jnz 2b\n"
    "	mov $" TR_STR(TR_K_MMIO) ", %r8d\n"
    "	movabs $" TR_STR(TR_MMIO_GPA) ", %rsi\n"
    "	xor %r10d, %r10d\n"
    "3:\n"
    ".globl trace_mmio_rip\n"
    "trace_mmio_rip:\n"
    "	movl (%rsi), %eax\n"
    "	add %rax, %r10\n"
    "	add $" TR_STR(TR_MMIO_STRIDE) ", %rsi\n"
    "	dec %r8d\n"
    "	jnz 3b\n"
    "	mov %r10, %rax\n"
    "	pop %rbx\n"
    "	ret\n"
    ".size trace_guest_seq, . - trace_guest_seq\n"
    ".popsection\n");

/* Nothing to do: for injected events, which arrive at the first entry. */
uint64_t trace_guest_idle(uint64_t arg)
{
	return arg;
}
