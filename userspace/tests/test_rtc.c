// SPDX-License-Identifier: GPL-2.0
/* The CMOS RTC on a fake wall clock: BCD/binary, 12/24 h, UIP, setting the time, NVRAM. */
#include <string.h>
#include <time.h>

#include "rtc.h"
#include "tap.h"

static uint64_t wall_ns;

static uint64_t fake_wall(void *ctx)
{
	(void)ctx;
	return wall_ns;
}

static uint8_t rd(struct mvm_device *d, uint8_t idx)
{
	uint8_t b = idx;

	mvm_rtc_access(d, 0, &b, 1, true);
	mvm_rtc_access(d, 1, &b, 1, false);
	return b;
}

static void wr(struct mvm_device *d, uint8_t idx, uint8_t v)
{
	mvm_rtc_access(d, 0, &idx, 1, true);
	mvm_rtc_access(d, 1, &v, 1, true);
}

int main(void)
{
	struct tm tm = { .tm_year = 126, .tm_mon = 11, .tm_mday = 1, .tm_hour = 13,
			 .tm_min = 45, .tm_sec = 30 };	/* Tue 2026-12-01 13:45:30 UTC */
	struct mvm_rtc r;
	struct mvm_device d = { .name = "rtc", .base = 0x70, .size = 2,
				.access = mvm_rtc_access, .priv = &r };
	time_t t = timegm(&tm);
	uint8_t b;

	tap_start();
	wall_ns = (uint64_t)t * 1000000000ull + 100000000ull;
	mvm_rtc_init(&r, 256ull << 20, fake_wall, NULL);
	ok(rd(&d, RTC_SECONDS) == 0x30 && rd(&d, RTC_MINUTES) == 0x45 && rd(&d, RTC_HOURS) == 0x13,
	   "BCD 24 h: 13:45:30");
	ok(rd(&d, RTC_DAY_OF_MONTH) == 0x01 && rd(&d, RTC_MONTH) == 0x12 &&
	   rd(&d, RTC_YEAR) == 0x26 && rd(&d, RTC_CENTURY) == 0x20 && rd(&d, RTC_DAY_OF_WEEK) == 3,
	   "date 2026-12-01, century 20, Tuesday = 3");
	ok(rd(&d, RTC_REG_D) == 0x80 && rd(&d, RTC_REG_C) == 0 && !(rd(&d, RTC_REG_A) & 0x80),
	   "register D: VRT; C: no flags; A: no update in progress mid-second");
	wall_ns = (uint64_t)t * 1000000000ull + 999900000ull;
	ok(rd(&d, RTC_REG_A) & RTC_A_UIP, "UIP set in the last 244 us of the second");
	wall_ns = (uint64_t)(t + 1) * 1000000000ull;
	ok(!(rd(&d, RTC_REG_A) & RTC_A_UIP) && rd(&d, RTC_SECONDS) == 0x31,
	   "after the update: UIP clear, seconds 31");
	wr(&d, RTC_REG_B, RTC_B_24H | RTC_B_DM_BINARY);
	ok(rd(&d, RTC_SECONDS) == 31 && rd(&d, RTC_HOURS) == 13 && rd(&d, RTC_YEAR) == 26,
	   "binary mode (register B DM)");
	wr(&d, RTC_REG_B, RTC_B_DM_BINARY);
	ok(rd(&d, RTC_HOURS) == (0x80 | 1), "12 h binary: 1 PM = 0x81");
	wr(&d, RTC_REG_B, 0);
	ok(rd(&d, RTC_HOURS) == 0x81, "12 h BCD: 0x81");
	wr(&d, RTC_REG_B, RTC_B_24H);

	/* Setting the clock: SET, write, clear SET. */
	wr(&d, RTC_REG_B, RTC_B_24H | RTC_B_SET);
	wr(&d, RTC_HOURS, 0x08);
	wr(&d, RTC_MINUTES, 0x00);
	wr(&d, RTC_SECONDS, 0x00);
	wall_ns += 5000000000ull;
	ok(rd(&d, RTC_HOURS) == 0x08 && rd(&d, RTC_SECONDS) == 0x00, "while SET the clock stands");
	wr(&d, RTC_REG_B, RTC_B_24H);
	wall_ns += 2000000000ull;
	ok(rd(&d, RTC_HOURS) == 0x08 && rd(&d, RTC_MINUTES) == 0x00 && rd(&d, RTC_SECONDS) == 0x02,
	   "after SET is cleared the guest's time runs on from what it wrote (08:00:02)");
	wr(&d, RTC_YEAR, 0x30);
	ok(rd(&d, RTC_YEAR) == 0x30 && rd(&d, RTC_MONTH) == 0x12, "a direct write moves the year");

	/* NVRAM and the memory fields. */
	wr(&d, 0x40, 0xa5);
	wr(&d, 0x7f, 0x5a);
	ok(rd(&d, 0x40) == 0xa5 && rd(&d, 0x7f) == 0x5a, "NVRAM bytes keep what was written");
	b = 0x80 | RTC_REG_D;		/* NMI mask bit set */
	mvm_rtc_access(&d, 0, &b, 1, true);
	mvm_rtc_access(&d, 1, &b, 1, false);
	ok(b == 0x80, "port 0x70 bit 7 (NMI mask) is ignored: index 0x0d");
	ok(rd(&d, 0x15) == 0x80 && rd(&d, 0x16) == 0x02, "base memory 640 KiB (0x15/0x16)");
	ok(rd(&d, 0x17) == 0xff && rd(&d, 0x18) == 0xff && rd(&d, 0x30) == 0xff &&
	   rd(&d, 0x31) == 0xff, "extended memory saturates at 0xffff KiB with 256 MiB");
	ok(rd(&d, 0x34) == 0x00 && rd(&d, 0x35) == 0x0f,
	   "memory above 16 MiB in 64 KiB units: 240 MiB = 0x0f00");
	mvm_rtc_init(&r, 32ull << 20, fake_wall, NULL);
	ok(rd(&d, 0x17) == 0x00 && rd(&d, 0x18) == 0x7c && rd(&d, 0x34) == 0 && rd(&d, 0x35) == 1,
	   "32 MiB: 31 MiB extended (0x7c00 KiB), 16 MiB above 16 MiB (0x0100 x 64 KiB)");
	{
		unsigned int i, sum = 0;

		for (i = 0x10; i <= 0x2d; i++)
			sum += rd(&d, (uint8_t)i);
		ok(rd(&d, 0x2e) == (uint8_t)(sum >> 8) && rd(&d, 0x2f) == (uint8_t)sum,
		   "checksum 0x2e/0x2f over 0x10-0x2d");
	}
	ok(mvm_rtc_access(&d, 1, &b, 2, false) != 0, "bus: an access past 0x71 is an error");
	return tap_end();
}
