// SPDX-License-Identifier: GPL-2.0
/* Long-mode guest functions of the "insn" test program. */
#include "guest.h"

static inline uint64_t rdmsr(uint32_t msr)
{
	uint32_t lo, hi;

	asm volatile("rdmsr" : "=a"(lo), "=d"(hi) : "c"(msr) : "memory");
	return lo | (uint64_t)hi << 32;
}

static inline void wrmsr(uint32_t msr, uint64_t v)
{
	asm volatile("wrmsr" : : "c"(msr), "a"((uint32_t)v), "d"((uint32_t)(v >> 32))
		     : "memory");
}

/* Reads the MSR whose index is arg; an exception ends the function. */
uint64_t guest_rdmsr(uint64_t msr)
{
	return rdmsr(msr);
}

/* arg: the MSR index; writes the value at LM_SCRATCH (0x200000). */
uint64_t guest_wrmsr(uint64_t msr)
{
	wrmsr(msr, *(volatile uint64_t *)0x200000);
	return 1;
}

/* Writes KERNEL_GS_BASE, lets the host look, then reads it back. */
uint64_t guest_kgs(uint64_t val)
{
	wrmsr(0xc0000102, val);
	GUEST_SYNC(rdmsr(0xc0000102));
	return rdmsr(0xc0000102);
}

/* STI (IF was 1 already: the shadow still applies) and an exiting RDMSR. */
uint64_t guest_sti_rdmsr(uint64_t msr)
{
	uint32_t lo, hi;

	asm volatile("sti\n\trdmsr" : "=a"(lo), "=d"(hi) : "c"((uint32_t)msr) : "memory");
	return lo | (uint64_t)hi << 32;
}

static inline uint64_t read_cr0(void)
{
	uint64_t v;

	asm volatile("mov %%cr0, %0" : "=r"(v));
	return v;
}

static inline void write_cr0(uint64_t v)
{
	asm volatile("mov %0, %%cr0" : : "r"(v) : "memory");
}

static inline uint64_t read_cr4(void)
{
	uint64_t v;

	asm volatile("mov %%cr4, %0" : "=r"(v));
	return v;
}

/* CR0.CD on (a host-owned bit: exits), read it back, CD off again. */
uint64_t guest_cr0_cd(uint64_t arg)
{
	uint64_t cr0 = read_cr0(), seen;

	(void)arg;
	write_cr0(cr0 | (1ull << 30));
	seen = read_cr0();
	GUEST_SYNC(seen);
	write_cr0(cr0);
	GUEST_ASSERT_EQ(read_cr0(), cr0);
	return seen;
}

/* CR0.NW without CD: #GP. */
uint64_t guest_cr0_nw(uint64_t arg)
{
	(void)arg;
	write_cr0((read_cr0() & ~(1ull << 30)) | (1ull << 29));
	return 0;
}

/* Sets the CR4 bits in arg (an unsupported one: #GP); returns CR4. */
uint64_t guest_cr4_set(uint64_t bits)
{
	uint64_t v = read_cr4() | bits;

	asm volatile("mov %0, %%cr4" : : "r"(v) : "memory");
	return read_cr4();
}

/* CR8 = arg, read back. */
uint64_t guest_cr8(uint64_t val)
{
	uint64_t v;

	asm volatile("mov %0, %%cr8" : : "r"(val) : "memory");
	asm volatile("mov %%cr8, %0" : "=r"(v));
	return v;
}

/* DR0 and DR7 round trips; DR6 reads back with its fixed bits. */
uint64_t guest_drs(uint64_t val)
{
	uint64_t d0, d6, d7;

	asm volatile("mov %0, %%dr0" : : "r"(val));
	asm volatile("mov %%dr0, %0" : "=r"(d0));
	asm volatile("mov %0, %%dr6" : : "r"(0ull));
	asm volatile("mov %%dr6, %0" : "=r"(d6));
	asm volatile("mov %0, %%dr7" : : "r"(0x0ull));
	asm volatile("mov %%dr7, %0" : "=r"(d7));
	GUEST_SYNC(d0, d6, d7);
	/* Bits 63:32 of DR7 are reserved: #GP. */
	asm volatile("mov %0, %%dr7" : : "r"(1ull << 40));
	return 0;
}

/* VMCALL with RAX = nr, RBX..RSI = nr + 1 .. nr + 4; returns RAX. */
uint64_t guest_vmcall(uint64_t nr)
{
	uint64_t ret;

	asm volatile("vmcall" : "=a"(ret)
		     : "a"(nr), "b"(nr + 1), "c"(nr + 2), "d"(nr + 3), "S"(nr + 4)
		     : "memory");
	return ret;
}

/* Instructions the guest may not use: each ends in an exception. */
uint64_t guest_vmxoff(uint64_t arg)
{
	(void)arg;
	asm volatile("vmxoff" ::: "memory", "cc");
	return 0;
}

uint64_t guest_rdpmc(uint64_t arg)
{
	uint32_t lo, hi;

	asm volatile("rdpmc" : "=a"(lo), "=d"(hi) : "c"((uint32_t)arg));
	return lo;
}

uint64_t guest_mwait(uint64_t arg)
{
	(void)arg;
	asm volatile("monitor" : : "a"(0x200000ull), "c"(0), "d"(0));
	return 0;
}

/* WBINVD and INVD complete (the host's caches untouched). */
uint64_t guest_wbinvd_invd(uint64_t arg)
{
	asm volatile("wbinvd\n\tinvd" ::: "memory");
	return arg + 1;
}

/* Just returns: the host injects an exception before its first instruction. */
uint64_t guest_nothing(uint64_t arg)
{
	return arg;
}

#define PIO_PORT	0xe0

/* REP OUTSB of n bytes from src; returns the final RSI. */
uint64_t guest_rep_outsb(uint64_t n)
{
	uint64_t rsi = 0x200000, rcx = n;

	asm volatile("rep outsb" : "+S"(rsi), "+c"(rcx) : "d"(PIO_PORT) : "memory");
	GUEST_ASSERT_EQ(rcx, 0);
	return rsi;
}

/* The same with DF set: from the last byte downwards. */
uint64_t guest_rep_outsb_down(uint64_t n)
{
	uint64_t rsi = 0x200000 + n - 1, rcx = n;

	asm volatile("std\n\trep outsb\n\tcld" : "+S"(rsi), "+c"(rcx) : "d"(PIO_PORT)
		     : "memory", "cc");
	return rsi;
}

/* REP INSW of n words to 0x300000; returns the final RDI. */
uint64_t guest_rep_insw(uint64_t n)
{
	uint64_t rdi = 0x300000, rcx = n;

	asm volatile("rep insw" : "+D"(rdi), "+c"(rcx) : "d"(PIO_PORT) : "memory");
	GUEST_ASSERT_EQ(rcx, 0);
	return rdi;
}

/* One INSL to a linear address that is not mapped: #PF. */
uint64_t guest_insl_to(uint64_t addr)
{
	asm volatile("insl" : "+D"(addr) : "d"(PIO_PORT) : "memory");
	return addr;
}

/* REP OUTSB with RCX = 0: nothing happens. */
uint64_t guest_rep_outsb_zero(uint64_t arg)
{
	uint64_t rsi = 0x200000, rcx = 0;

	(void)arg;
	asm volatile("rep outsb" : "+S"(rsi), "+c"(rcx) : "d"(PIO_PORT) : "memory");
	return rsi;
}

/* 32-bit address size: ESI/ECX, upper halves cleared by the update. */
uint64_t guest_rep_outsb_addr32(uint64_t n)
{
	uint64_t rsi = 0xffffffff00200000ull, rcx = 0xffffffff00000000ull | n;

	asm volatile("addr32 rep outsb" : "+S"(rsi), "+c"(rcx) : "d"(PIO_PORT) : "memory");
	GUEST_ASSERT_EQ(rcx, 0);
	return rsi;
}

/* Descriptor-table instructions, each exiting with MV_CAP_DESC_EXIT. */
uint64_t guest_desc_ops(uint64_t ldt_sel)
{
	struct {
		uint16_t limit;
		uint64_t base;
	} __attribute__((packed)) g, i;
	uint16_t tr, ldt;

	asm volatile("sgdt %0" : "=m"(g));
	asm volatile("sidt %0" : "=m"(i));
	asm volatile("str %0" : "=r"(tr));
	asm volatile("lldt %0" : : "r"((uint16_t)ldt_sel));
	asm volatile("sldt %0" : "=r"(ldt));
	asm volatile("lgdt %0" : : "m"(g));
	GUEST_SYNC(g.base, g.limit, i.base, tr, ldt);
	return 0;
}

/* LTR of the TSS that is already busy: #GP(selector). */
uint64_t guest_ltr(uint64_t sel)
{
	asm volatile("ltr %0" : : "r"((uint16_t)sel));
	return 0;
}
