/* SPDX-License-Identifier: GPL-2.0 */
/* Shared by memory.c (host side) and memory_guest.c. */
#ifndef SELFTEST_MEMORY_COMMON_H
#define SELFTEST_MEMORY_COMMON_H

#include <stdint.h>

#define MEM_PAGE		4096ull

/* What guest_mem_access() does with mem_addr and mem_val each round. */
#define MEM_OP_READ		0	/* 8-byte load (movq (%reg), %reg) */
#define MEM_OP_WRITE		1	/* 8-byte store of mem_val */
#define MEM_OP_TOUCH		2	/* 8-byte store in each 4 KiB page of mem_val bytes */
#define MEM_OP_SUM		3	/* sum of the first qword of each page of mem_val bytes */

/*
 * A window for guest-physical addresses outside the 4 GiB identity map:
 * PML4[1] -> a PDPT -> a PD whose entry 0 the host points (2 MiB page) at
 * the block it wants; the guest executes INVLPG before every access.
 */
#define MEM_WINDOW_VA		0x8000000000ull
#define MEM_WINDOW_PDPT_GPA	0x18000ull
#define MEM_WINDOW_PD_GPA	0x19000ull

extern volatile uint64_t mem_addr, mem_op, mem_val;
uint64_t guest_mem_access(uint64_t arg);

#endif /* SELFTEST_MEMORY_COMMON_H */
