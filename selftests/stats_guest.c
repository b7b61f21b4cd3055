// SPDX-License-Identifier: GPL-2.0
/*
 * The stats program's guest (real mode, copied to RM_LOAD_ADDR): exactly
 * SI CPUIDs, DI one-byte OUTs to STATS_PORT and BP one-byte MMIO writes to
 * STATS_MMIO_GPA (unbacked), then HLT. It touches no memory besides its
 * own code page, so after one warm-up run every later run makes exactly
 * those exits (no first-touch EPT violation of RAM); counts of 0 skip a
 * loop. CPUID writes EAX..EDX (SDM Vol. 2A, CPUID), so its loop counts in
 * SI, not with LOOP's CX.
 */
#include "stats_common.h"

asm(
"	.pushsection .rodata, \"a\"\n"
"	.globl	stats_rm_start, stats_rm_cpuid, stats_rm_out, stats_rm_mmio\n"
"	.globl	stats_rm_hlt, stats_rm_end\n"
"	.code16\n"
"stats_rm_start:\n"
"	testw	%si, %si\n"
"	jz	1f\n"
"0:	xorl	%eax, %eax\n"
"stats_rm_cpuid:\n"
"	cpuid\n"			/* clobbers EAX..EDX: count in SI */
"	decw	%si\n"
"	jnz	0b\n"
"1:	movw	%di, %cx\n"
"	movw	$" STATS_STR(STATS_PORT) ", %dx\n"
"	jcxz	1f\n"
"stats_rm_out:\n"
"0:	outb	%al, %dx\n"
"	loop	0b\n"
"1:	movw	%bp, %cx\n"
"	movw	$" STATS_STR(STATS_MMIO_SEG) ", %bx\n"
"	movw	%bx, %ds\n"
"	xorw	%bx, %bx\n"
"	jcxz	1f\n"
"stats_rm_mmio:\n"
"0:	movb	%al, (%bx)\n"
"	loop	0b\n"
"1:\n"
"stats_rm_hlt:\n"
"	hlt\n"
"stats_rm_end:\n"
"	.code64\n"
"	.popsection\n"
);
