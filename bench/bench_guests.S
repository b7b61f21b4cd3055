/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Real-mode guest loops for the exit-cost benchmark and the exit profiler.
 * Each loop runs EBP iterations of one operation, brackets them with RDTSC,
 * reports the elapsed ticks with "out %eax, $BENCH_RESULT_PORT" and halts.
 * The "base" loop is the same without the operation, so (op - base) / N is
 * the cost of one exit round trip, measured the same way under minivisor
 * and kvm-intel.
 *
 * Profiling (exitbench --profile): the iteration where EBP equals EDI runs
 * the operation between two "xchg %bx, %bx", Bochs' magic breakpoint, which
 * the profiler's debugger script turns into "trace on" and "trace off"; so
 * exactly one round trip is traced and the rest runs at full speed. EDI = 0
 * (the benchmark) never matches. The byte at BENCH_FLAG_OFF (in the code
 * segment) says how far the traced iteration got: 1 after the first marker,
 * 2 after the second, so exitbench can close a trace the guest left open.
 * Every loop, "base" included, has the same compare and branch per
 * iteration, which cancels out of (op - base).
 */
#define BENCH_RESULT_PORT	0xf0
#define BENCH_PIO_PORT		0x80
#define BENCH_MMIO_SEG		0x2000	/* GPA 0x20000: no memory slot there */
#define BENCH_FLAG_OFF		0x0ff0	/* CS:0x0ff0 = GPA 0x0ff0, below the code */

	/* assembler symbols: the LOOP setup strings below are not preprocessed */
	.set BENCH_MSR_READ, 0x277		/* IA32_PAT: intercepted by both */
	.set BENCH_MSR_WRITE, 0xc0000102	/* IA32_KERNEL_GS_BASE: kvm passes it through */

	.code16
	.section .rodata, "a"

.macro LOOP name, setup, op:vararg
	.globl bench_\name\()_start, bench_\name\()_end
bench_\name\()_start:
	mov $BENCH_MMIO_SEG, %ax
	mov %ax, %ds
	\setup
	rdtsc
	mov %eax, %esi
1:	xor %eax, %eax
	cmp %ebp, %edi
	je 3f
	\op
2:	dec %ebp
	jnz 1b
	rdtsc
	sub %esi, %eax
	out %eax, $BENCH_RESULT_PORT
	hlt
3:	movb $1, %cs:BENCH_FLAG_OFF
	xchg %bx, %bx
	\op
	xchg %bx, %bx
	movb $2, %cs:BENCH_FLAG_OFF
	jmp 2b
bench_\name\()_end:
.endm

	LOOP base, nop, nop
	LOOP cpuid, nop, cpuid
	/* EAX = 0: no hypercall ABI asks for more than a no-op with number 0 */
	LOOP vmcall, nop, vmcall
	LOOP pio, nop, outb %al, $BENCH_PIO_PORT
	LOOP mmio, nop, movb %al, 0
	/* RDMSR writes EDX:EAX only, so ECX stays set; WRMSR writes EDX:EAX = 0 */
	LOOP rdmsr, "mov $BENCH_MSR_READ, %ecx", rdmsr
	LOOP wrmsr, "mov $BENCH_MSR_WRITE, %ecx; xor %edx, %edx", wrmsr

	.section .note.GNU-stack, "", @progbits
