/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Long-mode guest entry and exception stubs. They run inside the VM from
 * the test binary's own image, at the addresses they are linked at.
 */

	.text
	.code64

/*
 * guest_trampoline: the test sets RIP here, RDI = argument, RSI = the guest
 * function, RSP = a 16-byte aligned stack top. The function's return value
 * becomes a UCALL_DONE through guest_return(), which never returns.
 */
	.globl	guest_trampoline
	.type	guest_trampoline, @function
guest_trampoline:
	xorl	%ebp, %ebp
	andq	$-16, %rsp
	call	*%rsi
	movq	%rax, %rdi
	call	guest_return
1:	hlt
	jmp	1b
	.size	guest_trampoline, . - guest_trampoline

/*
 * Exception stubs for vectors 0-31. Each pushes a dummy error code where
 * the CPU pushes none, then the vector; the common part hands vector,
 * error code, faulting RIP and CR2 to guest_exception() (a UCALL_EXCEPTION).
 */
	.macro	EXC_STUB vec
	.type	guest_exc_stub_\vec, @function
guest_exc_stub_\vec:
	/* The CPU pushes an error code for 8, 10-14, 17, 21, 29 and 30. */
	.if ((\vec == 8) || ((\vec >= 10) && (\vec <= 14)) || (\vec == 17) || \
	     (\vec == 21) || (\vec == 29) || (\vec == 30)) == 0
	pushq	$0
	.endif
	pushq	$\vec
	jmp	guest_exc_common
	.size	guest_exc_stub_\vec, . - guest_exc_stub_\vec
	.endm

	.irp	v, 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15, \
		  16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31
	EXC_STUB \v
	.endr

	.type	guest_exc_common, @function
guest_exc_common:
	movq	(%rsp), %rdi		/* vector */
	movq	8(%rsp), %rsi		/* error code */
	movq	16(%rsp), %rdx		/* RIP of the interrupted instruction */
	movq	%cr2, %rcx
	andq	$-16, %rsp
	call	guest_exception
2:	hlt
	jmp	2b
	.size	guest_exc_common, . - guest_exc_common

/* The stub addresses, read by the host to build the guest's IDT. */
	.section .rodata
	.balign	8
	.globl	guest_exc_stubs
	.type	guest_exc_stubs, @object
guest_exc_stubs:
	.irp	v, 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15, \
		  16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31
	.quad	guest_exc_stub_\v
	.endr
	.size	guest_exc_stubs, . - guest_exc_stubs

	.section .note.GNU-stack, "", @progbits
