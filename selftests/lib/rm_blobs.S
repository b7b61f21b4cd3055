/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Real-mode guest programs, kept as data in the test binaries and copied to
 * RM_LOAD_ADDR in guest memory. Jumps are relative; the few absolute
 * addresses are computed from RM_LOAD_ADDR.
 */
#include "rm_blobs.h"

#define RM(blob, sym)	((sym) - (blob) + RM_LOAD_ADDR)

	.section .rodata.rm_blobs, "a"
	.code16

	.globl	rm_hello_start, rm_hello_after_hlt, rm_hello_end
rm_hello_start:
	xorw	%ax, %ax
	movw	%ax, %ds
	movw	$RM(rm_hello_start, rm_hello_msg), %si
	movw	$RM_SERIAL_PORT, %dx
1:	lodsb
	testb	%al, %al
	jz	2f
	outb	%al, %dx
	jmp	1b
2:	hlt
rm_hello_after_hlt:
	jmp	2b
rm_hello_msg:
	.asciz	"hello"
rm_hello_end:

	.globl	rm_echo_start, rm_echo_after_hlt, rm_echo_end
rm_echo_start:
	/* IN AL must leave bits 31:8 alone. */
	movl	$RM_ECHO_EAX_BEFORE_B, %eax
	inb	$RM_ECHO_IN_PORT8, %al
	outl	%eax, $RM_ECHO_OUT_PORT
	/* IN AX (port in DX) must leave bits 31:16 alone. */
	movl	$RM_ECHO_EAX_BEFORE_W, %eax
	movw	$RM_ECHO_PORT_DX, %dx
	inw	%dx, %ax
	outl	%eax, $RM_ECHO_OUT_PORT
	/* IN EAX replaces all of EAX. */
	movl	$RM_ECHO_EAX_BEFORE_L, %eax
	inl	%dx, %eax
	outl	%eax, $RM_ECHO_OUT_PORT
	/* The small OUT sizes. */
	outb	%al, $RM_ECHO_SMALL_PORT
	outw	%ax, $RM_ECHO_SMALL_PORT
	hlt
rm_echo_after_hlt:
	jmp	rm_echo_after_hlt
rm_echo_end:

	.globl	rm_hlt_start, rm_hlt_end
rm_hlt_start:
	hlt
rm_hlt_end:

	.globl	rm_spin_start, rm_spin_loop, rm_spin_hlt, rm_spin_end
rm_spin_start:
rm_spin_loop:
	jmp	rm_spin_loop
rm_spin_hlt:
	hlt
	jmp	rm_spin_hlt
rm_spin_end:

	.globl	rm_peek_start, rm_peek_end
rm_peek_start:
	movb	(%si), %al
	outb	%al, $RM_PEEK_PORT
	hlt
	jmp	rm_peek_start
rm_peek_end:

	.globl	rm_triple_start, rm_triple_end
rm_triple_start:
	xorw	%ax, %ax
	movw	%ax, %ds
	lidt	RM(rm_triple_start, rm_triple_idtr)
	/*
	 * Vector 3 lies beyond the limit: #GP, whose vector lies beyond it
	 * too: #DF, likewise: triple fault.
	 */
	int3
	hlt
rm_triple_idtr:
	.word	0		/* limit */
	.long	0		/* base */
rm_triple_end:

	.code64
	.section .note.GNU-stack, "", @progbits
