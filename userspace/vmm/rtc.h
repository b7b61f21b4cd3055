/* SPDX-License-Identifier: GPL-2.0 */
/*
 * MC146818-style CMOS RTC at 0x70 (index; bit 7 is the NMI mask, ignored)
 * and 0x71 (data). The time is the host's (UTC) plus whatever offset the
 * guest set by writing the clock; registers 0-9 are BCD or binary and 12 or
 * 24 hour as register B says. Register A reports update-in-progress during
 * the last 244 us of each second, as the chip does, so a guest's "wait for
 * UIP to clear, then read" loop terminates and reads a stable time. C reads
 * as zero (no periodic, alarm or update interrupts are generated), D has
 * VRT (valid RAM and time) set. The other bytes of the 128 are NVRAM; the
 * memory size fields (0x15-0x18, 0x30/0x31, 0x34/0x35, 0x5b-0x5d) and their
 * checksum (0x2e/0x2f) are filled in from the guest's memory size.
 */
#ifndef MVM_RTC_H
#define MVM_RTC_H

#include <stdbool.h>
#include <stdint.h>
#include <time.h>

#include "bus.h"

#define MVM_RTC_BASE		0x70
#define MVM_RTC_NR_PORTS	2

#define RTC_SECONDS		0x00
#define RTC_SECONDS_ALARM	0x01
#define RTC_MINUTES		0x02
#define RTC_MINUTES_ALARM	0x03
#define RTC_HOURS		0x04
#define RTC_HOURS_ALARM		0x05
#define RTC_DAY_OF_WEEK		0x06
#define RTC_DAY_OF_MONTH	0x07
#define RTC_MONTH		0x08
#define RTC_YEAR		0x09
#define RTC_REG_A		0x0a
#define RTC_REG_B		0x0b
#define RTC_REG_C		0x0c
#define RTC_REG_D		0x0d
#define RTC_CENTURY		0x32

#define RTC_A_UIP		0x80
#define RTC_B_SET		0x80
#define RTC_B_DM_BINARY		0x04
#define RTC_B_24H		0x02
#define RTC_D_VRT		0x80
#define RTC_UIP_NS		244000	/* update cycle: 244 us before each second */

/* Host wall clock (CLOCK_REALTIME) in ns. */
typedef uint64_t (*mvm_wallclock_fn)(void *ctx);

struct mvm_rtc {
	uint8_t index;
	uint8_t cmos[128];
	int64_t offset;		/* guest time - host time, seconds */
	struct tm set_tm;	/* the time being written while B.SET is on */
	mvm_wallclock_fn clock;
	void *clock_ctx;
};

uint64_t mvm_clock_realtime(void *ctx);
void mvm_rtc_init(struct mvm_rtc *r, uint64_t mem_size, mvm_wallclock_fn clock, void *ctx);
uint8_t mvm_rtc_read_reg(struct mvm_rtc *r, unsigned int reg);
void mvm_rtc_write_reg(struct mvm_rtc *r, unsigned int reg, uint8_t val);
/* Bus handler: dev->priv is the struct mvm_rtc. */
int mvm_rtc_access(struct mvm_device *dev, uint64_t offset, void *data, unsigned int len,
		   bool is_write);

#endif /* MVM_RTC_H */
