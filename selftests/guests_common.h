/* SPDX-License-Identifier: GPL-2.0 */
/* Values shared by guests.c (host side) and guests_guest.c (guest side). */
#ifndef SELFTEST_GUESTS_COMMON_H
#define SELFTEST_GUESTS_COMMON_H

#include <stdint.h>

/* Long-mode port I/O guest. */
#define LM_PORT_OUT8		0x80
#define LM_PORT_OUT16		0x82
#define LM_PORT_OUT32		0x84
#define LM_PORT_IN		0x2f0
#define LM_PORT_RESULT		0x2f4
#define LM_OUT8_VALUE		0xa5
#define LM_OUT16_VALUE		0xbeef
#define LM_OUT32_VALUE		0xdeadbeefu
/* Bit 31 set: the 32-bit IN must zero-extend, not sign-extend. */
#define LM_IN32_VALUE		0x89abcdefu
#define LM_IN16_VALUE		0x5aa5u
#define LM_IN8_VALUE		0x3cu
#define LM_RAX_BEFORE		0x1122334455667788ull
#define LM_RESULT(v)		((uint32_t)((v) * 3u + 7u))

/* Shared-memory guest. */
#define SHM_PRESET		0x1234abcd5678ef01ull
#define SHM_HOST_UPDATE		0xfeedfacecafebeefull
#define SHM_IN_GPA		0x200000ull	/* host fills, guest sums */
#define SHM_OUT_GPA		0x300000ull	/* guest fills, host checks */
#define SHM_AREA_SIZE		0x100000ull

static inline uint64_t shm_in_word(uint64_t i)
{
	return (i * 0x9e3779b97f4a7c15ull) ^ (i << 17);
}

static inline uint64_t shm_out_word(uint64_t i)
{
	return ~i * 0xff51afd7ed558ccdull;
}

/* FNV-1a over 64-bit words. */
static inline uint64_t shm_hash(uint64_t h, uint64_t w)
{
	return (h ^ w) * 0x100000001b3ull;
}

#define SHM_HASH_INIT		0xcbf29ce484222325ull

/* The known answer for fib(90). */
#define FIB90			2880067194370816120ull

#endif /* SELFTEST_GUESTS_COMMON_H */
