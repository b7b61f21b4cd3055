/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Real-mode guest loops for the exit-cost benchmark. Each loop runs EBP
 * iterations of one operation, brackets them with RDTSC, reports the elapsed
 * ticks with "out %eax, $BENCH_RESULT_PORT" and halts. The "base" loop is the
 * same without the operation, so (op - base) / N is the cost of one exit
 * round trip, measured the same way under minivisor and kvm-intel.
 */
#define BENCH_RESULT_PORT	0xf0
#define BENCH_PIO_PORT		0x80
#define BENCH_MMIO_SEG		0x2000	/* GPA 0x20000: no memory slot there */

	.code16
	.section .rodata, "a"

.macro LOOP name, op:vararg
	.globl bench_\name\()_start, bench_\name\()_end
bench_\name\()_start:
	mov $BENCH_MMIO_SEG, %ax
	mov %ax, %ds
	rdtsc
	mov %eax, %esi
1:	xor %eax, %eax
	\op
	dec %ebp
	jnz 1b
	rdtsc
	sub %esi, %eax
	out %eax, $BENCH_RESULT_PORT
	hlt
bench_\name\()_end:
.endm

	LOOP base, nop
	LOOP cpuid, cpuid
	LOOP pio, outb %al, $BENCH_PIO_PORT
	LOOP mmio, movb %al, 0

	.section .note.GNU-stack, "", @progbits
