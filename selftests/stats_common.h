/* SPDX-License-Identifier: GPL-2.0 */
/* What the stats program and its guest (stats_guest.c) agree on. */
#ifndef SELFTEST_STATS_COMMON_H
#define SELFTEST_STATS_COMMON_H

#define STATS_PORT		0x80		/* the guest's OUTs */
#define STATS_MMIO_SEG		0x2000		/* DS of its MMIO writes: GPA 0x20000, */
#define STATS_MMIO_GPA		0x20000		/* above the 64 KiB of RAM */

#define STATS_XSTR(x)		#x
#define STATS_STR(x)		STATS_XSTR(x)

#ifndef __ASSEMBLER__
#include <stdint.h>
extern const uint8_t stats_rm_start[], stats_rm_cpuid[], stats_rm_out[], stats_rm_mmio[];
extern const uint8_t stats_rm_hlt[], stats_rm_end[];
#endif

#endif /* SELFTEST_STATS_COMMON_H */
