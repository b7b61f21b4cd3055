// SPDX-License-Identifier: GPL-2.0
/* Long-mode guest functions of the "hoststate" test program. */
#include "guest.h"

/* SWAPGS, exit to userspace, SWAPGS, then read %gs:0. */
uint64_t guest_swapgs_probe(uint64_t arg)
{
	uint64_t v;

	(void)arg;
	asm volatile("swapgs" ::: "memory");
	GUEST_SYNC(1);
	asm volatile("swapgs" ::: "memory");
	asm volatile("movq %%gs:0, %0" : "=r"(v) : : "memory");
	return v;
}

uint64_t guest_spin(uint64_t n)
{
	uint64_t i;

	for (i = 0; i < n; i++)
		asm volatile("" ::: "memory");
	return n;
}

uint64_t guest_ret42(uint64_t arg)
{
	(void)arg;
	return 42;
}

/* TF on, then OUT (exits before it completes), then TF off and return. */
asm(".pushsection .text\n"
    ".globl guest_tf_out\n"
    ".type guest_tf_out, @function\n"
    "guest_tf_out:\n"
    "	pushfq\n"
    "	orq	$0x100, (%rsp)\n"
    "	popfq\n"
    "	outb	%al, $0x80\n"
    ".globl guest_tf_out_after\n"
    "guest_tf_out_after:\n"
    "	pushfq\n"
    "	andq	$~0x100, (%rsp)\n"
    "	popfq\n"
    "	xor	%eax, %eax\n"
    "	ret\n"
    ".size guest_tf_out, . - guest_tf_out\n"
    ".popsection\n");

/* TF on: the #DB after the next instruction goes to the guest's IDT stub. */
asm(".pushsection .text\n"
    ".globl guest_single_step\n"
    ".type guest_single_step, @function\n"
    "guest_single_step:\n"
    "	pushfq\n"
    "	orq	$0x100, (%rsp)\n"
    "	popfq\n"
    ".globl guest_single_step_after\n"
    "guest_single_step_after:\n"
    "	nop\n"
    "	nop\n"
    "	ret\n"
    ".size guest_single_step, . - guest_single_step\n"
    ".popsection\n");

#define MSR_EFER		0xc0000080
#define MSR_STAR		0xc0000081
#define MSR_LSTAR		0xc0000082
#define MSR_SYSCALL_MASK	0xc0000084

static inline void wrmsr(uint32_t msr, uint64_t v)
{
	asm volatile("wrmsr" : : "c"(msr), "a"((uint32_t)v), "d"((uint32_t)(v >> 32)));
}

static inline uint64_t rdmsr(uint32_t msr)
{
	uint32_t lo, hi;

	asm volatile("rdmsr" : "=a"(lo), "=d"(hi) : "c"(msr));
	return lo | (uint64_t)hi << 32;
}

/*
 * The guest's own SYSCALL target: SYSCALL puts the return RIP in RCX and
 * RFLAGS in R11; this one just records that it ran and jumps back.
 */
asm(".pushsection .text\n"
    ".globl guest_syscall_target\n"
    ".type guest_syscall_target, @function\n"
    "guest_syscall_target:\n"
    "	movq	$0x5ca11ed, %rax\n"
    "	jmp	*%rcx\n"
    ".size guest_syscall_target, . - guest_syscall_target\n"
    ".popsection\n");
void guest_syscall_target(void);

/*
 * Sets EFER.SCE, STAR, LSTAR and SFMASK, exits to userspace once (the host
 * runs with its own values meanwhile), then executes SYSCALL at CPL 0: it
 * must land on the guest's LSTAR with the guest's mask applied.
 */
uint64_t guest_syscall_msrs(uint64_t arg)
{
	uint64_t rax;

	(void)arg;
	wrmsr(MSR_STAR, (uint64_t)0x0008 << 32);	/* kernel CS 8, as the GDT has */
	wrmsr(MSR_LSTAR, (uint64_t)(uintptr_t)guest_syscall_target);
	wrmsr(MSR_SYSCALL_MASK, 0x200);		/* clear IF on entry */
	wrmsr(MSR_EFER, rdmsr(MSR_EFER) | 1);	/* SCE */
	GUEST_SYNC(rdmsr(MSR_LSTAR), rdmsr(MSR_SYSCALL_MASK));
	asm volatile("syscall" : "=a"(rax) : "a"(0) : "rcx", "r11", "memory");
	GUEST_ASSERT_EQ(rdmsr(MSR_LSTAR), (uintptr_t)guest_syscall_target);
	return rax;
}
