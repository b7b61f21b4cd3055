// SPDX-License-Identifier: GPL-2.0
/* Long-mode guest functions of the "guests" test program. */
#include "guest.h"
#include "guests_common.h"

/* Read and written by the host through guest memory (same address). */
volatile uint64_t guest_shared[4];

uint64_t guest_fib(uint64_t n)
{
	uint64_t a = 0, b = 1, t;

	while (n--) {
		t = a + b;
		a = b;
		b = t;
	}
	return a;
}

/* Pure, so the host can run it natively and compare. */
uint64_t guest_mix(uint64_t seed)
{
	uint64_t x = seed ? seed : 1, acc = 0;
	int i;

	for (i = 0; i < 1000; i++) {
		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		acc += x * (uint64_t)(i + 1);
	}
	return acc ^ guest_fib(seed % 91);
}

uint64_t guest_compute(uint64_t seed)
{
	uint64_t i;

	/* A sequence of SYNCs, each resumed by the host. */
	for (i = 0; i < 10; i++)
		GUEST_SYNC(i, i * i + seed);
	GUEST_SYNC(guest_fib(90));
	return guest_mix(seed);
}

uint64_t guest_port_io(uint64_t arg)
{
	uint64_t v = ~0ull;

	(void)arg;
	guest_outb(LM_PORT_OUT8, LM_OUT8_VALUE);
	guest_outw(LM_PORT_OUT16, LM_OUT16_VALUE);
	guest_outl(LM_PORT_OUT32, LM_OUT32_VALUE);

	/* 32-bit IN into EAX clears bits 63:32 of RAX. */
	asm volatile("inl %%dx, %%eax" : "+a"(v) : "d"(LM_PORT_IN));
	GUEST_ASSERT_EQ(v, LM_IN32_VALUE);

	/* 16- and 8-bit INs leave the rest of RAX alone. */
	v = LM_RAX_BEFORE;
	asm volatile("inw %%dx, %%ax" : "+a"(v) : "d"(LM_PORT_IN));
	GUEST_ASSERT_EQ(v, (LM_RAX_BEFORE & ~0xffffull) | LM_IN16_VALUE);
	v = LM_RAX_BEFORE;
	asm volatile("inb %%dx, %%al" : "+a"(v) : "d"(LM_PORT_IN));
	GUEST_ASSERT_EQ(v, (LM_RAX_BEFORE & ~0xffull) | LM_IN8_VALUE);

	/* Echo a value computed from what the host gave us. */
	guest_outl(LM_PORT_RESULT, LM_RESULT(LM_IN32_VALUE));
	return LM_IN32_VALUE;
}

uint64_t guest_shared_memory(uint64_t arg)
{
	const volatile uint64_t *in = (const volatile uint64_t *)SHM_IN_GPA;
	volatile uint64_t *out = (volatile uint64_t *)SHM_OUT_GPA;
	uint64_t i, h = SHM_HASH_INIT;

	(void)arg;
	/* What the host preset before the first run. */
	GUEST_SYNC(guest_shared[0]);
	guest_shared[1] = guest_shared[0] * 3 + 1;
	/* The host checks shared[1] and writes shared[2] while we wait. */
	GUEST_SYNC();

	for (i = 0; i < SHM_AREA_SIZE / 8; i++)
		h = shm_hash(h, in[i]);
	for (i = 0; i < SHM_AREA_SIZE / 8; i++)
		out[i] = shm_out_word(i);
	GUEST_SYNC(h);
	return guest_shared[2];
}

uint64_t guest_cpuid_leaves(uint64_t arg)
{
	static const uint32_t leaves[] = { 0, 1, 0x40000000 };
	uint32_t a, b, c, d;
	unsigned int i;

	(void)arg;
	for (i = 0; i < sizeof(leaves) / sizeof(leaves[0]); i++) {
		guest_cpuid(leaves[i], 0, &a, &b, &c, &d);
		GUEST_SYNC(leaves[i], a, b, c, d);
	}
	return 0;
}

/* A deliberately failing assertion: the host checks how it is reported. */
uint64_t guest_failing_assert(uint64_t arg)
{
	GUEST_SYNC(__LINE__ + 1);
	GUEST_ASSERT_EQ(arg + 1, 3);
	return 0;
}
