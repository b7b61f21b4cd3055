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
#define BENCH_LOAD		0x1000	/* GPA of each guest; CS = 0 */
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


/*
 * Local-APIC guests (exitbench's interrupt rows), the same code under
 * minivisor (MV_CAP_LAPIC) and kvm-intel (KVM_CREATE_IRQCHIP). Real mode,
 * interrupts through the real-mode IVT; the APIC either as x2APIC through
 * WRMSR/RDMSR (SDM Vol. 3A 11.12; bench_apic_x2) or as xAPIC through its
 * MMIO page at 0xfee00000 (bench_apic_xa), which real mode reaches with a
 * 4-GiB DS limit ("unreal mode": DS loaded in protected mode keeps its
 * limit after CR0.PE is cleared again, 9.9.2 / 3.4.3) and 32-bit
 * addresses. Loaded at BENCH_LOAD with CS = 0; EBP = iterations, EDI =
 * APIC_MODE_IPI or APIC_MODE_TIMER. vCPU 0 first times EBP turns of the
 * empty loop and reports them on BENCH_RESULT_PORT, then times EBP
 * iterations of the operation and reports those, then writes
 * APIC_DONE_PORT; exitbench takes (op - empty) / EBP.
 *
 * ipi: vCPU 0 starts vCPU 1 with INIT and STARTUP (vector AP_SIPI_VEC: the
 * trampoline bench_ap_*, which exitbench copies to AP_SIPI_VEC << 12) sent
 * to "all excluding self" (11.6.1), and waits for vCPU 1's ready byte. One
 * iteration: vCPU 0 sends fixed IPI V_PING to APIC ID 1 and halts (STI;
 * HLT: STI's interrupt shadow covers the HLT, so the reply cannot slip in
 * before it); vCPU 1's handler EOIs and sends V_BACK to APIC ID 0; vCPU 0's
 * handler EOIs and sets the flag its loop waits for. In xAPIC mode each
 * IPI writes ICR high (destination) and then ICR low, as Linux does. At
 * the end V_QUIT makes vCPU 1 write APIC_DONE_PORT too.
 *
 * lapic_timer: LVT timer in TSC-deadline mode (bits 18:17 = 10b, 11.5.4.1)
 * with vector V_TIMER; one iteration arms IA32_TSC_DEADLINE = 1 (in the
 * past: it fires at once) and halts until the handler (EOI, flag) ran.
 */
	.set APIC_MODE_IPI, 1
	.set APIC_MODE_TIMER, 2
	.set APIC_DONE_PORT, 0xf2
	.set AP_SIPI_VEC, 0x03		/* vCPU 1 starts at 0300:0000 = GPA 0x3000 */
	.set APIC_FLAG, 0x0f00		/* set by vCPU 0's handler */
	.set APIC_READY, 0x0f04		/* set by vCPU 1 once it takes IPIs */
	.set V_PING, 0x41		/* vCPU 0 -> vCPU 1 */
	.set V_BACK, 0x42		/* vCPU 1 -> vCPU 0 */
	.set V_TIMER, 0x43
	.set V_QUIT, 0x44
	.set MSR_APIC_BASE, 0x1b
	.set MSR_TSC_DEADLINE, 0x6e0
	.set MSR_X2APIC_EOI, 0x80b	/* x2APIC MSR = 0x800 + xAPIC offset / 16 */
	.set MSR_X2APIC_SVR, 0x80f
	.set MSR_X2APIC_ICR, 0x830
	.set MSR_X2APIC_LVTT, 0x832
	.set XAPIC_BASE, 0xfee00000
	.set XAPIC_ICR_HIGH, 0x310
	.set ICR_ASSERT, 0x4000		/* level = assert (bit 14) */
	.set ICR_ALL_BUT_SELF, 0xc0000	/* destination shorthand 11b (bits 19:18) */
	.set ICR_INIT, 0x500
	.set ICR_STARTUP, 0x600

/* WRMSR ECX=msr, EDX:EAX = hi:lo */
.macro WRMSR_IMM msr, lo, hi
	mov $\msr, %ecx
	mov $\lo, %eax
	mov $\hi, %edx
	wrmsr
.endm

/* Write APIC register \msr (named by its x2APIC MSR) with \lo. */
.macro APIC_WR x2, msr, lo
.if \x2
	WRMSR_IMM \msr, \lo, 0
.else
	addr32 movl $\lo, XAPIC_BASE + ((\msr - 0x800) << 4)
.endif
.endm

/* Send ICR low \lo to APIC ID \dest (physical). */
.macro APIC_ICR x2, lo, dest
.if \x2
	WRMSR_IMM MSR_X2APIC_ICR, \lo, \dest
.else
	addr32 movl $(\dest << 24), XAPIC_BASE + XAPIC_ICR_HIGH
	APIC_WR 0, MSR_X2APIC_ICR, \lo
.endif
.endm

.macro APIC_GUEST n, x2
/* Where a label of this guest lands in guest memory. */
#define APIC_ADDR(l)	(BENCH_LOAD + (l) - bench_apic_\n\()_start)
	.globl bench_apic_\n\()_start, bench_apic_\n\()_end
	.globl bench_ap_\n\()_start, bench_ap_\n\()_end
bench_apic_\n\()_start:
	cli
	xor %ax, %ax
	mov %ax, %ds
	mov %ax, %ss
	mov $0xf000, %sp
	movw $APIC_ADDR(apic_h_ping_\n), 4 * V_PING
	movw $0, 4 * V_PING + 2
	movw $APIC_ADDR(apic_h_flag_\n), 4 * V_BACK
	movw $0, 4 * V_BACK + 2
	movw $APIC_ADDR(apic_h_flag_\n), 4 * V_TIMER
	movw $0, 4 * V_TIMER + 2
	movw $APIC_ADDR(apic_h_quit_\n), 4 * V_QUIT
	movw $0, 4 * V_QUIT + 2
	movb $0, APIC_READY
	call apic_on_\n
	cmp $APIC_MODE_IPI, %edi
	jne 2f
	APIC_ICR \x2, (ICR_ALL_BUT_SELF | ICR_ASSERT | ICR_INIT), 0
	APIC_ICR \x2, (ICR_ALL_BUT_SELF | ICR_ASSERT | ICR_STARTUP | AP_SIPI_VEC), 0
1:	pause
	cmpb $0, APIC_READY
	je 1b
	jmp 3f
2:	APIC_WR \x2, MSR_X2APIC_LVTT, (V_TIMER | 2 << 17)
3:	/* the empty loop */
	mov %ebp, %ebx
	rdtsc
	mov %eax, %esi
4:	dec %ebp
	jnz 4b
	rdtsc
	sub %esi, %eax
	out %eax, $BENCH_RESULT_PORT
	mov %ebx, %ebp
	cmp $APIC_MODE_IPI, %edi
	jne 7f
	rdtsc
	mov %eax, %esi
5:	movb $0, APIC_FLAG
	APIC_ICR \x2, (ICR_ASSERT | V_PING), 1
6:	sti
	hlt
	cli
	cmpb $0, APIC_FLAG
	je 6b
	dec %ebp
	jnz 5b
	rdtsc
	sub %esi, %eax
	out %eax, $BENCH_RESULT_PORT
	APIC_ICR \x2, (ICR_ASSERT | V_QUIT), 1
	jmp 10f
7:	rdtsc
	mov %eax, %esi
8:	movb $0, APIC_FLAG
	WRMSR_IMM MSR_TSC_DEADLINE, 1, 0
9:	sti
	hlt
	cli
	cmpb $0, APIC_FLAG
	je 9b
	dec %ebp
	jnz 8b
	rdtsc
	sub %esi, %eax
	out %eax, $BENCH_RESULT_PORT
10:	out %al, $APIC_DONE_PORT
11:	hlt
	jmp 11b

/*
 * x2APIC: on through IA32_APIC_BASE bits 11 EN and 10 EXTD (11.12.1).
 * xAPIC (enabled at reset): a 4-GiB DS for the MMIO page. Then
 * software-enabled through SVR bit 8.
 */
apic_on_\n:
.if \x2
	mov $MSR_APIC_BASE, %ecx
	rdmsr
	or $0xc00, %eax
	wrmsr
.else
	lgdtl APIC_ADDR(apic_gdtr_\n)
	mov %cr0, %eax
	or $1, %al
	mov %eax, %cr0
	mov $8, %bx
	mov %bx, %ds
	and $0xfe, %al
	mov %eax, %cr0
.endif
	APIC_WR \x2, MSR_X2APIC_SVR, 0x1ff
	ret

/* vCPU 1, from the trampoline: APIC on, ready, then halt between IPIs. */
apic_ap_main_\n:
	cli
	xor %ax, %ax
	mov %ax, %ds
	mov %ax, %ss
	mov $0xe000, %sp
	call apic_on_\n
	movb $1, APIC_READY
1:	sti
	hlt
	jmp 1b

apic_h_ping_\n:	/* vCPU 1: EOI, then V_BACK to APIC ID 0 */
	push %eax
	push %ecx
	push %edx
	APIC_WR \x2, MSR_X2APIC_EOI, 0
	APIC_ICR \x2, (ICR_ASSERT | V_BACK), 0
	pop %edx
	pop %ecx
	pop %eax
	iret

apic_h_flag_\n:	/* vCPU 0: EOI, flag */
	push %eax
	push %ecx
	push %edx
	APIC_WR \x2, MSR_X2APIC_EOI, 0
	movb $1, APIC_FLAG
	pop %edx
	pop %ecx
	pop %eax
	iret

apic_h_quit_\n:	/* vCPU 1: done */
	out %al, $APIC_DONE_PORT
	iret

	.balign 8
apic_gdt_\n:	/* null, then a flat read/write data segment: base 0, 4 GiB (G = 1) */
	.quad 0
	.quad 0x00cf93000000ffff
apic_gdtr_\n:
	.word 15
	.long APIC_ADDR(apic_gdt_\n)
bench_apic_\n\()_end:

/* At AP_SIPI_VEC << 12, where STARTUP puts vCPU 1 (CS = 0x0300, IP = 0). */
bench_ap_\n\()_start:
	ljmp $0, $APIC_ADDR(apic_ap_main_\n)
bench_ap_\n\()_end:
#undef APIC_ADDR
.endm

	APIC_GUEST x2, 1
	APIC_GUEST xa, 0

	.section .note.GNU-stack, "", @progbits
