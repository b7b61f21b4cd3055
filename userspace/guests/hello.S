/* SPDX-License-Identifier: GPL-2.0 */
/*
 * hello.bin: a real-mode flat binary for mvm. Linked at 0x1000, mvm's
 * default real-mode load address, where it starts at CS:IP = 0000:1000.
 * Prints a greeting on COM1, polling LSR.THRE as a driver for real
 * hardware must, then halts: mvm exits with status 0.
 */
#define COM1		0x3f8
#define UART_IER	1
#define UART_FCR	2
#define UART_LCR	3
#define UART_MCR	4
#define UART_LSR	5
#define LSR_THRE	0x20

	.code16
	.section .text.start, "ax"
	.globl _start
_start:
	cli
	cld
	xorw	%ax, %ax
	movw	%ax, %ds
	movw	%ax, %es

	/* 115200 baud 8N1, FIFOs on, no interrupts, DTR and RTS up. */
	movw	$COM1 + UART_IER, %dx
	movb	$0x00, %al
	outb	%al, %dx
	movw	$COM1 + UART_LCR, %dx
	movb	$0x80, %al		/* DLAB: ports 0 and 1 are the divisor */
	outb	%al, %dx
	movw	$COM1, %dx
	movb	$0x01, %al		/* divisor 1 = 115200 baud */
	outb	%al, %dx
	movw	$COM1 + 1, %dx
	movb	$0x00, %al
	outb	%al, %dx
	movw	$COM1 + UART_LCR, %dx
	movb	$0x03, %al		/* 8 data bits, no parity, 1 stop bit */
	outb	%al, %dx
	movw	$COM1 + UART_FCR, %dx
	movb	$0xc7, %al
	outb	%al, %dx
	movw	$COM1 + UART_MCR, %dx
	movb	$0x03, %al
	outb	%al, %dx

	movw	$msg, %si
next_char:
	lodsb
	testb	%al, %al
	jz	done
	movb	%al, %bl
	movw	$COM1 + UART_LSR, %dx
wait_thre:
	inb	%dx, %al
	testb	$LSR_THRE, %al
	jz	wait_thre
	movw	$COM1, %dx
	movb	%bl, %al
	outb	%al, %dx
	jmp	next_char

done:
	hlt
	jmp	done			/* should mvm ever resume us */

	.section .rodata, "a"
msg:
	.asciz	"Hello from a minivisor guest!\n"
