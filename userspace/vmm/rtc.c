// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <string.h>

#include "rtc.h"

#define NSEC	1000000000ull

uint64_t mvm_clock_realtime(void *ctx)
{
	struct timespec ts;

	(void)ctx;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_sec * NSEC + (uint64_t)ts.tv_nsec;
}

static void put16(uint8_t *p, uint64_t v)
{
	if (v > 0xffff)
		v = 0xffff;
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
}

static void fill_memory(struct mvm_rtc *r, uint64_t mem)
{
	uint64_t kib = mem >> 10, above16, above4g;
	unsigned int i, sum = 0;

	put16(&r->cmos[0x15], kib < 640 ? kib : 640);		/* base memory, KiB */
	/* Extended memory above 1 MiB, KiB, at most 0xffff (just under 64 MiB). */
	put16(&r->cmos[0x17], kib > 1024 ? kib - 1024 : 0);
	put16(&r->cmos[0x30], kib > 1024 ? kib - 1024 : 0);
	/* Memory above 16 MiB below 4 GiB, in 64 KiB units. */
	above16 = mem > (16ull << 20) ? ((mem < (4ull << 30) ? mem : (4ull << 30)) -
					 (16ull << 20)) >> 16 : 0;
	put16(&r->cmos[0x34], above16);
	/* Memory above 4 GiB, 64 KiB units, 3 bytes. */
	above4g = mem > (4ull << 30) ? (mem - (4ull << 30)) >> 16 : 0;
	r->cmos[0x5b] = (uint8_t)above4g;
	r->cmos[0x5c] = (uint8_t)(above4g >> 8);
	r->cmos[0x5d] = (uint8_t)(above4g >> 16);
	/* The standard checksum over 0x10-0x2d, big-endian at 0x2e. */
	for (i = 0x10; i <= 0x2d; i++)
		sum += r->cmos[i];
	r->cmos[0x2e] = (uint8_t)(sum >> 8);
	r->cmos[0x2f] = (uint8_t)sum;
}

void mvm_rtc_init(struct mvm_rtc *r, uint64_t mem_size, mvm_wallclock_fn clock, void *ctx)
{
	memset(r, 0, sizeof(*r));
	r->clock = clock ? clock : mvm_clock_realtime;
	r->clock_ctx = ctx;
	r->cmos[RTC_REG_A] = 0x26;	/* 32.768 kHz time base, 1024 Hz rate */
	r->cmos[RTC_REG_B] = RTC_B_24H;	/* BCD, 24 hour, as a PC BIOS leaves it */
	r->cmos[RTC_REG_D] = RTC_D_VRT;
	fill_memory(r, mem_size);
}

static bool binary(const struct mvm_rtc *r)
{
	return r->cmos[RTC_REG_B] & RTC_B_DM_BINARY;
}

static uint8_t to_reg(const struct mvm_rtc *r, unsigned int v)
{
	return binary(r) ? (uint8_t)v : (uint8_t)(((v / 10) << 4) | (v % 10));
}

static unsigned int from_reg(const struct mvm_rtc *r, uint8_t v)
{
	return binary(r) ? v : (v >> 4) * 10u + (v & 0xf);
}

static void guest_tm(struct mvm_rtc *r, struct tm *tm)
{
	time_t t = (time_t)(r->clock(r->clock_ctx) / NSEC) + (time_t)r->offset;

	gmtime_r(&t, tm);
}

static uint8_t hour_reg(const struct mvm_rtc *r, int hour)
{
	int h12;

	if (r->cmos[RTC_REG_B] & RTC_B_24H)
		return to_reg(r, (unsigned int)hour);
	h12 = hour % 12 ? hour % 12 : 12;
	return (uint8_t)(to_reg(r, (unsigned int)h12) | (hour >= 12 ? 0x80 : 0));
}

static int hour_from(const struct mvm_rtc *r, uint8_t v)
{
	int h;

	if (r->cmos[RTC_REG_B] & RTC_B_24H)
		return (int)from_reg(r, v);
	h = (int)from_reg(r, v & 0x7f) % 12;
	return (v & 0x80) ? h + 12 : h;
}

static uint8_t time_reg(struct mvm_rtc *r, unsigned int reg)
{
	struct tm tm;

	if (r->cmos[RTC_REG_B] & RTC_B_SET)
		tm = r->set_tm;		/* the clock is stopped while SET */
	else
		guest_tm(r, &tm);
	switch (reg) {
	case RTC_SECONDS:
		return to_reg(r, (unsigned int)tm.tm_sec);
	case RTC_MINUTES:
		return to_reg(r, (unsigned int)tm.tm_min);
	case RTC_HOURS:
		return hour_reg(r, tm.tm_hour);
	case RTC_DAY_OF_WEEK:
		return to_reg(r, (unsigned int)tm.tm_wday + 1);
	case RTC_DAY_OF_MONTH:
		return to_reg(r, (unsigned int)tm.tm_mday);
	case RTC_MONTH:
		return to_reg(r, (unsigned int)tm.tm_mon + 1);
	case RTC_YEAR:
		return to_reg(r, (unsigned int)(tm.tm_year % 100));
	default:	/* RTC_CENTURY */
		return to_reg(r, (unsigned int)(19 + tm.tm_year / 100));
	}
}

static bool is_time_reg(unsigned int reg)
{
	return reg == RTC_SECONDS || reg == RTC_MINUTES || reg == RTC_HOURS ||
	       (reg >= RTC_DAY_OF_WEEK && reg <= RTC_YEAR) || reg == RTC_CENTURY;
}

uint8_t mvm_rtc_read_reg(struct mvm_rtc *r, unsigned int reg)
{
	uint64_t ns;

	reg &= 0x7f;
	if (is_time_reg(reg))
		return time_reg(r, reg);
	switch (reg) {
	case RTC_REG_A:
		ns = r->clock(r->clock_ctx) % NSEC;
		return (uint8_t)((r->cmos[RTC_REG_A] & 0x7f) |
				 (ns >= NSEC - RTC_UIP_NS && !(r->cmos[RTC_REG_B] & RTC_B_SET) ?
				  RTC_A_UIP : 0));
	case RTC_REG_C:
		return 0;	/* no interrupt flags: none are generated */
	case RTC_REG_D:
		return RTC_D_VRT;
	default:
		return r->cmos[reg];
	}
}

static void set_time_field(struct mvm_rtc *r, struct tm *tm, unsigned int reg, uint8_t val)
{
	int v = (int)from_reg(r, val);

	switch (reg) {
	case RTC_SECONDS:
		tm->tm_sec = v;
		break;
	case RTC_MINUTES:
		tm->tm_min = v;
		break;
	case RTC_HOURS:
		tm->tm_hour = hour_from(r, val);
		break;
	case RTC_DAY_OF_WEEK:
		break;		/* derived from the date */
	case RTC_DAY_OF_MONTH:
		tm->tm_mday = v;
		break;
	case RTC_MONTH:
		tm->tm_mon = v - 1;
		break;
	case RTC_YEAR:
		tm->tm_year = (tm->tm_year / 100) * 100 + v;
		break;
	default:	/* century */
		tm->tm_year = (v - 19) * 100 + tm->tm_year % 100;
		break;
	}
}

static void commit_time(struct mvm_rtc *r, const struct tm *tm)
{
	struct tm copy = *tm;
	time_t t = timegm(&copy);

	if (t != (time_t)-1)
		r->offset = (int64_t)t - (int64_t)(r->clock(r->clock_ctx) / NSEC);
}

void mvm_rtc_write_reg(struct mvm_rtc *r, unsigned int reg, uint8_t val)
{
	struct tm tm;

	reg &= 0x7f;
	if (is_time_reg(reg)) {
		if (r->cmos[RTC_REG_B] & RTC_B_SET) {
			set_time_field(r, &r->set_tm, reg, val);
		} else {
			guest_tm(r, &tm);
			set_time_field(r, &tm, reg, val);
			commit_time(r, &tm);
		}
		return;
	}
	switch (reg) {
	case RTC_REG_A:
		r->cmos[reg] = val & 0x7f;	/* UIP is read-only */
		break;
	case RTC_REG_B:
		if ((val & RTC_B_SET) && !(r->cmos[RTC_REG_B] & RTC_B_SET))
			guest_tm(r, &r->set_tm);	/* freeze the clock for the update */
		else if (!(val & RTC_B_SET) && (r->cmos[RTC_REG_B] & RTC_B_SET))
			commit_time(r, &r->set_tm);
		r->cmos[reg] = val;
		break;
	case RTC_REG_C:
	case RTC_REG_D:
		break;		/* read-only */
	default:
		r->cmos[reg] = val;
		break;
	}
}

int mvm_rtc_access(struct mvm_device *dev, uint64_t offset, void *data, unsigned int len,
		   bool is_write)
{
	struct mvm_rtc *r = dev->priv;
	uint8_t *b = data;
	unsigned int i;

	for (i = 0; i < len; i++) {
		if (offset + i >= MVM_RTC_NR_PORTS)
			return -EINVAL;
		if (offset + i == 0) {
			if (is_write)
				r->index = b[i] & 0x7f;	/* bit 7: NMI mask, ignored */
			else
				b[i] = 0xff;		/* the index port is write-only */
		} else if (is_write) {
			mvm_rtc_write_reg(r, r->index, b[i]);
		} else {
			b[i] = mvm_rtc_read_reg(r, r->index);
		}
	}
	return 0;
}
