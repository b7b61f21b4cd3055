/* SPDX-License-Identifier: GPL-2.0 */
/*
 * hello-long.elf: an ELF64 guest for mvm --mode long (the default for
 * ELF64). mvm enters it at _start in 64-bit mode with paging on, identity
 * mapped, and RSP at the top of guest memory. Prints a greeting on COM1
 * through a subroutine (so the stack must work), then writes 0x10 to the
 * debug-exit port: mvm exits with status (0x10 << 1) | 1 = 33.
 */
#define COM1		0x3f8
#define UART_LCR	3
#define UART_MCR	4
#define UART_LSR	5
#define LSR_THRE	0x20
#define DEBUG_EXIT	0xf4
#define EXIT_OK		0x10	/* status 33 */
#define EXIT_BSS_DIRTY	0x11	/* status 35: the loader did not zero .bss */

	.code64
	.section .text.start, "ax"
	.globl _start
_start:
	cli
	cld
	/* .bss must arrive zeroed: it is part of the ELF loader's contract. */
	cmpq	$0, chars_sent(%rip)
	jne	bss_dirty

	movw	$COM1 + UART_LCR, %dx
	movb	$0x03, %al		/* 8N1; the reset divisor is fine */
	outb	%al, %dx
	movw	$COM1 + UART_MCR, %dx
	movb	$0x03, %al
	outb	%al, %dx

	leaq	msg(%rip), %rsi
1:	lodsb
	testb	%al, %al
	jz	2f
	call	uart_putc
	jmp	1b

2:	movb	$EXIT_OK, %al
	outb	%al, $DEBUG_EXIT
3:	hlt				/* not reached: mvm stops at the write */
	jmp	3b

bss_dirty:
	movb	$EXIT_BSS_DIRTY, %al
	outb	%al, $DEBUG_EXIT
	jmp	3b

/* Send %al once the transmitter holding register is empty. */
uart_putc:
	pushq	%rax
	movw	$COM1 + UART_LSR, %dx
4:	inb	%dx, %al
	testb	$LSR_THRE, %al
	jz	4b
	popq	%rax
	movw	$COM1, %dx
	outb	%al, %dx
	incq	chars_sent(%rip)
	ret

	.section .rodata, "a"
msg:
	.asciz	"Hello from 64-bit long mode in a minivisor guest!\n"

	.section .bss, "aw", @nobits
	.balign	8
chars_sent:
	.quad	0
