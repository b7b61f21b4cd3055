/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Guest-side API for long-mode guest functions compiled into the test
 * binaries. Guest code runs inside the VM from the binary's own image: it
 * may call only functions of the guest objects (no libc: no TLS, no
 * syscalls, no IFUNC-resolved memcpy), which the Makefile checks.
 */
#ifndef SELFTEST_GUEST_H
#define SELFTEST_GUEST_H

#include <stdarg.h>
#include <stdint.h>

#include "ucall.h"

/* The entry point: the test starts every guest function through this. */
typedef uint64_t (*guest_fn)(uint64_t arg);

/* Fills *uc (no I/O), so the host-side tests can check the encoding. */
void ucall_fill(struct ucall *uc, uint64_t cmd, uint64_t nargs, va_list ap);
void ucall_fill_abort(struct ucall *uc, const char *file, uint64_t line,
		      const char *text, uint64_t a, uint64_t b);

void ucall(uint64_t cmd, uint64_t nargs, ...);
__attribute__((noreturn))
void guest_abort(const char *file, uint64_t line, const char *text, uint64_t a, uint64_t b);

/* Number of variadic arguments, 0 to 6. */
#define __UCALL_NARGS(...)	__UCALL_NARGS_(_, ##__VA_ARGS__, 6, 5, 4, 3, 2, 1, 0)
#define __UCALL_NARGS_(_, a, b, c, d, e, f, n, ...) n

#define GUEST_SYNC(...)	ucall(UCALL_SYNC, __UCALL_NARGS(__VA_ARGS__), ##__VA_ARGS__)
#define GUEST_DONE(...)	ucall(UCALL_DONE, __UCALL_NARGS(__VA_ARGS__), ##__VA_ARGS__)

#define GUEST_ASSERT(cond) do {							\
	if (!(cond))								\
		guest_abort(__FILE__, __LINE__, #cond, 0, 0);			\
} while (0)

#define GUEST_ASSERT_EQ(actual, expected) do {					\
	uint64_t __a = (uint64_t)(actual), __e = (uint64_t)(expected);		\
	if (__a != __e)								\
		guest_abort(__FILE__, __LINE__, #actual " == " #expected, __e, __a); \
} while (0)

static inline void guest_outb(uint16_t port, uint8_t v)
{
	asm volatile("outb %0, %1" : : "a"(v), "Nd"(port));
}

static inline void guest_outw(uint16_t port, uint16_t v)
{
	asm volatile("outw %0, %1" : : "a"(v), "Nd"(port));
}

static inline void guest_outl(uint16_t port, uint32_t v)
{
	asm volatile("outl %0, %1" : : "a"(v), "Nd"(port));
}

static inline void guest_cpuid(uint32_t leaf, uint32_t subleaf, uint32_t *a, uint32_t *b,
			       uint32_t *c, uint32_t *d)
{
	asm volatile("cpuid" : "=a"(*a), "=b"(*b), "=c"(*c), "=d"(*d)
		     : "a"(leaf), "c"(subleaf));
}

static inline void guest_hlt(void)
{
	asm volatile("hlt");
}

/* Freestanding helpers (no libc in the guest). */
void guest_memset(void *dst, int c, uint64_t n);
uint64_t guest_strlen(const char *s);

#endif /* SELFTEST_GUEST_H */
