// SPDX-License-Identifier: GPL-2.0
/* Long-mode guest functions of the "smp" test program. */
#include "guest.h"
#include "smp_common.h"

#define __STR(x)	#x
#define STR(x)		__STR(x)

/*
 * guest_migrate_count(steps): per step, R12 counts (1, 2, ...), R13 sums the
 * counts, R14 = rol(R14, 7) ^ RBX folds in whatever the host put in RBX,
 * R12 is pushed (RSP drops by 8 and the new top of stack holds the count),
 * and EAX = the count goes out to SMP_STEP_PORT. R15 keeps the number of
 * steps. Fixed registers, so that the host can check every one of them with
 * MV_GET_REGS after each exit; returns the sum.
 */
asm(".pushsection .text\n"
    ".globl guest_migrate_count\n"
    ".type guest_migrate_count, @function\n"
    "guest_migrate_count:\n"
    "	push	%rbx\n"
    "	push	%r12\n"
    "	push	%r13\n"
    "	push	%r14\n"
    "	push	%r15\n"
    "	mov	%rdi, %r15\n"
    "	xor	%r12d, %r12d\n"
    "	xor	%r13d, %r13d\n"
    "	movabs	$" STR(SMP_R14_SEED) ", %r14\n"
    "1:	inc	%r12\n"
    "	add	%r12, %r13\n"
    "	rol	$7, %r14\n"
    "	xor	%rbx, %r14\n"
    "	push	%r12\n"
    "	mov	%r12d, %eax\n"
    "	mov	$" STR(SMP_STEP_PORT) ", %edx\n"
    "	out	%eax, %dx\n"
    ".globl guest_migrate_count_after_out\n"
    "guest_migrate_count_after_out:\n"
    "	cmp	%r15, %r12\n"
    "	jb	1b\n"
    "	lea	(%rsp,%r15,8), %rsp\n"
    "	mov	%r13, %rax\n"
    "	pop	%r15\n"
    "	pop	%r14\n"
    "	pop	%r13\n"
    "	pop	%r12\n"
    "	pop	%rbx\n"
    "	ret\n"
    ".size guest_migrate_count, . - guest_migrate_count\n"
    ".popsection\n");

static inline uint32_t guest_inl(uint16_t port)
{
	uint32_t v;

	asm volatile("inl %1, %0" : "=a"(v) : "Nd"(port));
	return v;
}

/*
 * n rounds of: read an input (IN), fold it into a hash, report the hash's
 * upper half (OUT). Every result depends on every input before it.
 */
uint64_t guest_in_out_chain(uint64_t n)
{
	uint64_t acc = n, i;

	for (i = 1; i <= n; i++) {
		acc = acc * SMP_HASH_MUL + guest_inl(SMP_IN_PORT) + i;
		guest_outl(SMP_OUT_PORT, (uint32_t)(acc >> 32));
	}
	return acc;
}

/* [0]: the host sets it to stop the loop; [1]: iterations so far. */
volatile uint64_t smp_spin_ctl[2];

/* Spins without exits until the host says stop; returns the iterations. */
uint64_t guest_spin_until_stopped(uint64_t arg)
{
	uint64_t n = 0;

	(void)arg;
	while (!smp_spin_ctl[0])
		smp_spin_ctl[1] = ++n;
	return n;
}

struct smp_slot_params smp_slot;

/* A plain 8-byte MOV load, a form the MMIO decoder handles. */
static inline uint64_t load64(uint64_t addr)
{
	uint64_t v;

	asm volatile("movq (%1), %0" : "=r"(v) : "r"(addr) : "memory");
	return v;
}

/*
 * Reads the slot described by smp_slot in a loop (no exits) until a load
 * returns something else than the pattern: the slot was deleted and the load
 * became an MMIO read the host answered. Reports where (UCALL_SYNC: address,
 * value), then reads SMP_SLOT_PROBES more addresses spread over the range,
 * each of which must come back from the host too. Returns the good loads.
 */
uint64_t guest_read_slot(uint64_t arg)
{
	volatile struct smp_slot_params *p = &smp_slot;
	uint64_t gpa = p->gpa, mask = p->size - 1, pattern = p->pattern;
	uint64_t off = 0, v, k, a;

	(void)arg;
	for (;;) {
		v = load64(gpa + off);
		if (v != (pattern ^ off))
			break;
		p->reads++;
		off = (off + 8) & mask;
	}
	GUEST_SYNC(gpa + off, v);
	for (k = 0; k < SMP_SLOT_PROBES; k++) {
		a = gpa + k * SMP_SLOT_STRIDE + 8 * k;
		v = load64(a);
		GUEST_ASSERT_EQ(v, SMP_MMIO_VALUE ^ a);
	}
	return p->reads;
}
