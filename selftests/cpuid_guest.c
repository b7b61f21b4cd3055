// SPDX-License-Identifier: GPL-2.0
/*
 * Guest code of the cpuid test: CPUID probes filled in by the host, XSETBV
 * attempts, and SSE register state that must survive exits, host FPU use
 * and context switches.
 */
#include "guest.h"
#include "cpuid_common.h"

volatile struct cpuid_probe cpuid_probes[CPUID_MAX_PROBES];
volatile uint32_t cpuid_nprobes;
volatile uint32_t fpu_release;

/* Runs every probe the host put in cpuid_probes[]. */
uint64_t guest_cpuid_probe(uint64_t arg)
{
	uint32_t i, a, b, c, d;

	(void)arg;
	for (i = 0; i < cpuid_nprobes && i < CPUID_MAX_PROBES; i++) {
		guest_cpuid(cpuid_probes[i].leaf, cpuid_probes[i].subleaf, &a, &b, &c, &d);
		cpuid_probes[i].r[0] = a;
		cpuid_probes[i].r[1] = b;
		cpuid_probes[i].r[2] = c;
		cpuid_probes[i].r[3] = d;
	}
	return i;
}

/* XSETBV with ECX = arg >> 32 and EDX:EAX = (u32)arg, CR4.OSXSAVE as asked. */
static __attribute__((noinline)) uint64_t guest_xsetbv(uint64_t arg, int osxsave)
{
	uint32_t lo = (uint32_t)arg, index = arg >> 32, xlo, xhi;
	uint64_t cr4;

	asm volatile("mov %%cr4, %0" : "=r"(cr4));
	if (osxsave)
		cr4 |= XSETBV_CR4_OSXSAVE;
	asm volatile(".globl guest_xsetbv_cr4_rip\n"
		     "guest_xsetbv_cr4_rip: mov %0, %%cr4" : : "r"(cr4));
	GUEST_SYNC(cr4);
	asm volatile(".globl guest_xsetbv_rip\n"
		     "guest_xsetbv_rip: xsetbv" : : "c"(index), "a"(lo), "d"(0));
	asm volatile("xgetbv" : "=a"(xlo), "=d"(xhi) : "c"(0));
	return (uint64_t)xhi << 32 | xlo;
}

uint64_t guest_xsetbv_osxsave(uint64_t arg)
{
	return guest_xsetbv(arg, 1);
}

uint64_t guest_xsetbv_no_osxsave(uint64_t arg)
{
	return guest_xsetbv(arg, 0);
}

/*
 * Sets CR4.OSXSAVE and reads XCR0 at once, with no exit of its own in
 * between: the value must be the guest's XCR0, not the host's.
 */
uint64_t guest_osxsave_xgetbv(uint64_t arg)
{
	uint32_t xlo, xhi;
	uint64_t cr4;

	(void)arg;
	asm volatile("mov %%cr4, %0" : "=r"(cr4));
	cr4 |= XSETBV_CR4_OSXSAVE;
	asm volatile(".globl guest_osxsave_cr4_rip\n"
		     "guest_osxsave_cr4_rip: mov %2, %%cr4\n\txgetbv"
		     : "=&a"(xlo), "=&d"(xhi) : "r"(cr4), "c"(0));
	return (uint64_t)xhi << 32 | xlo;
}

/*
 * Loads XMM0/XMM7 and MXCSR with patterns from arg, exits to the host twice
 * (the host uses its own FPU state, sleeps, takes signals meanwhile), and
 * returns 0 if the guest's state survived, else which part changed.
 */
uint64_t guest_fpu_state(uint64_t arg)
{
	uint64_t in[2] = { arg, ~arg }, out0[2], out7[2];
	uint32_t mxcsr = FPU_GUEST_MXCSR, got;
	uint64_t bad = 0;
	int round;

	asm volatile("movdqu %0, %%xmm0\n\tmovdqu %0, %%xmm7\n\tldmxcsr %1"
		     : : "m"(in), "m"(mxcsr));	/* no SSE in guest code: no clobbers */
	for (round = 0; round < 3; round++) {
		GUEST_SYNC(round);
		/* Round 1: spin inside one MV_RUN until the host releases us. */
		while (round == 1 && !fpu_release)
			asm volatile("pause");
		asm volatile("movdqu %%xmm0, %0\n\tmovdqu %%xmm7, %1\n\tstmxcsr %2"
			     : "=m"(out0), "=m"(out7), "=m"(got));
		if (out0[0] != in[0] || out0[1] != in[1])
			bad |= 1;
		if (out7[0] != in[0] || out7[1] != in[1])
			bad |= 2;
		if (got != mxcsr)
			bad |= 4;
	}
	return bad;
}
