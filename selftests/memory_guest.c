// SPDX-License-Identifier: GPL-2.0
/*
 * Guest side of the "memory" test program: one access per round, as the
 * host sets it up in mem_addr/mem_op/mem_val, then a GUEST_SYNC with the
 * result. Inline assembly pins the access to one plain MOV, which the MMIO
 * decoder knows.
 */
#include "guest.h"
#include "memory_common.h"

volatile uint64_t mem_addr, mem_op, mem_val;

uint64_t guest_mem_access(uint64_t arg)
{
	uint64_t a, v, p, n;

	(void)arg;
	for (;;) {
		a = mem_addr;
		n = mem_val;
		v = 0;
		/* The host may have moved the window since the last round. */
		asm volatile("invlpg (%0)" : : "r"(a) : "memory");
		switch (mem_op) {
		case MEM_OP_READ:
			asm volatile("movq (%1), %0" : "=r"(v) : "r"(a) : "memory");
			break;
		case MEM_OP_WRITE:
			asm volatile("movq %0, (%1)" : : "r"(n), "r"(a) : "memory");
			break;
		case MEM_OP_TOUCH:
			for (p = a; p < a + n; p += MEM_PAGE) {
				asm volatile("movq %0, (%0)" : : "r"(p) : "memory");
				v++;
			}
			break;
		case MEM_OP_SUM:
			for (p = a; p < a + n; p += MEM_PAGE) {
				uint64_t x;

				asm volatile("movq (%1), %0" : "=r"(x) : "r"(p) : "memory");
				v += x;
			}
			break;
		}
		GUEST_SYNC(v);
	}
	return 0;
}
