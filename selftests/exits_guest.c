// SPDX-License-Identifier: GPL-2.0
/* Long-mode guest functions of the "exits" test program. */
#include "guest.h"

/* A zero-limit IDT, then #UD: #UD -> #GP -> #DF -> triple fault. */
uint64_t guest_triple_fault(uint64_t arg)
{
	struct {
		uint16_t limit;
		uint64_t base;
	} __attribute__((packed)) idtr = { 0, 0 };

	(void)arg;
	asm volatile("lidt %0\n\tud2" : : "m"(idtr) : "memory");
	return 0;
}

/* A write through an unmapped linear address: #PF, reported via the IDT. */
uint64_t guest_page_fault(uint64_t addr)
{
	*(volatile uint64_t *)addr = 1;
	return 0;
}

/* UD2 at a known address, reported through the IDT the test installed. */
asm(".pushsection .text\n"
    ".globl guest_ud2\n"
    ".type guest_ud2, @function\n"
    "guest_ud2:\n"
    ".globl guest_ud2_rip\n"
    "guest_ud2_rip:\n"
    "	ud2\n"
    "	ret\n"
    ".size guest_ud2, . - guest_ud2\n"
    ".popsection\n");
