/* SPDX-License-Identifier: GPL-2.0 */
/* Shared between cpuid.c (host) and cpuid_guest.c (guest). */
#ifndef SELFTEST_CPUID_COMMON_H
#define SELFTEST_CPUID_COMMON_H

#include <stdint.h>

#define CPUID_MAX_PROBES	64

struct cpuid_probe {
	uint32_t leaf, subleaf;
	uint32_t r[4];		/* EAX, EBX, ECX, EDX as the guest saw them */
};

#define XSETBV_CR4_OSXSAVE	(1ull << 18)
#define FPU_GUEST_MXCSR		0x3f80u		/* exceptions masked, round down */
#define FPU_HOST_MXCSR		0x5f80u		/* exceptions masked, round up */

#endif
