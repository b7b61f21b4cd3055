/* SPDX-License-Identifier: GPL-2.0 */
/*
 * x86 architectural constants libminivisor and mvm use to build guest state,
 * and the layout mv_setup_long_mode() writes.
 */
#ifndef MV_X86_H
#define MV_X86_H

#include <stdint.h>

#define MV_PAGE_SIZE		0x1000ull
#define MV_2MIB			0x200000ull
#define MV_GIB			0x40000000ull

#define MV_CR0_PE		(1ull << 0)
#define MV_CR0_MP		(1ull << 1)
#define MV_CR0_ET		(1ull << 4)
#define MV_CR0_NE		(1ull << 5)
#define MV_CR0_WP		(1ull << 16)
#define MV_CR0_AM		(1ull << 18)
#define MV_CR0_PG		(1ull << 31)

#define MV_CR4_PAE		(1ull << 5)
#define MV_CR4_OSFXSR		(1ull << 9)
#define MV_CR4_OSXMMEXCPT	(1ull << 10)

#define MV_EFER_LME		(1ull << 8)
#define MV_EFER_LMA		(1ull << 10)

#define MV_PTE_P		(1ull << 0)
#define MV_PTE_RW		(1ull << 1)
#define MV_PTE_PS		(1ull << 7)

/* Segment descriptor types (SDM Vol. 3A 3.4.5.1 and 3.5). */
#define MV_SEG_TYPE_DATA_RW_ACCESSED	0x3
#define MV_SEG_TYPE_CODE_RX_ACCESSED	0xb
#define MV_SEG_TYPE_LDT			0x2
#define MV_SEG_TYPE_TSS_BUSY		0xb

/* mv_setup_long_mode() layout. */
#define MV_LM_SEL_CODE		0x08
#define MV_LM_SEL_DATA		0x10
#define MV_LM_SEL_TSS		0x18
#define MV_LM_GDT_LIMIT		0x27		/* 3 descriptors + a 16-byte TSS one */
#define MV_LM_TSS_OFFSET	0x80		/* TSS sits in the GDT page */
#define MV_LM_TSS_LIMIT		0x67
#define MV_LM_GDT_AREA		MV_PAGE_SIZE	/* bytes reserved at gdt_gpa */
#define MV_LM_MAX_MAP_SIZE	(512 * MV_GIB)	/* one PDPT */

#endif /* MV_X86_H */
