// SPDX-License-Identifier: GPL-2.0
/* Long-mode guest functions of the "debug" test program. */
#include "guest.h"

/* Three NOPs at known addresses, then a CPUID (emulated) and two more. */
asm(".pushsection .text\n"
    ".globl guest_steps\n"
    ".type guest_steps, @function\n"
    "guest_steps:\n"
    "	push	%rbx\n"
    ".globl step_a\n"
    "step_a:	nop\n"
    ".globl step_b\n"
    "step_b:	nop\n"
    ".globl step_c\n"
    "step_c:	xor	%eax, %eax\n"
    ".globl step_cpuid\n"
    "step_cpuid:\n"
    "	cpuid\n"
    ".globl step_after_cpuid\n"
    "step_after_cpuid:\n"
    "	nop\n"
    "	pop	%rbx\n"
    "	mov	$7, %eax\n"
    "	ret\n"
    ".size guest_steps, . - guest_steps\n"
    ".popsection\n");

/* INT3 at a known address. */
asm(".pushsection .text\n"
    ".globl guest_int3\n"
    ".type guest_int3, @function\n"
    "guest_int3:\n"
    ".globl int3_here\n"
    "int3_here:\n"
    "	int3\n"
    "	mov	$3, %eax\n"
    "	ret\n"
    ".size guest_int3, . - guest_int3\n"
    ".popsection\n");

/* An instruction for an execute breakpoint. */
asm(".pushsection .text\n"
    ".globl guest_hw_target\n"
    ".type guest_hw_target, @function\n"
    "guest_hw_target:\n"
    "	nop\n"
    ".globl hw_here\n"
    "hw_here:\n"
    "	mov	$5, %eax\n"
    "	ret\n"
    ".size guest_hw_target, . - guest_hw_target\n"
    ".popsection\n");

/* The guest sets its own DR7 and reads it back while the VMM debugs. */
uint64_t guest_own_dr7(uint64_t val)
{
	uint64_t v;

	asm volatile("mov %0, %%dr7" : : "r"(val));
	GUEST_SYNC(0);
	asm volatile("mov %%dr7, %0" : "=r"(v));
	return v;
}
