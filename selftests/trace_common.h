/* SPDX-License-Identifier: GPL-2.0 */
/* Values shared by trace.c (host side) and trace_guest.c (guest side). */
#ifndef SELFTEST_TRACE_COMMON_H
#define SELFTEST_TRACE_COMMON_H

/* The known sequence: N CPUID, then M OUTs, then K MMIO reads. */
#define TR_N_CPUID		50
#define TR_M_OUT		20
#define TR_K_MMIO		10
#define TR_PORT			0x3e0
#define TR_OUT_BASE		0x1000	/* the i-th OUT writes TR_OUT_BASE + i */
#define TR_MMIO_GPA		0xd0000000	/* no slot; the i-th read at + 8 * i */
#define TR_MMIO_STRIDE		8

#define TR_STR_(x)		#x
#define TR_STR(x)		TR_STR_(x)

#endif /* SELFTEST_TRACE_COMMON_H */
