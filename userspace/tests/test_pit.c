// SPDX-License-Identifier: GPL-2.0
/* The 8254 PIT and port 0x61 on a fake clock: counts, outputs, IRQ0 timing, latches. */
#include <stdlib.h>
#include <string.h>

#include "pit.h"
#include "tap.h"

static uint64_t now_ns = 1000000000ull;
static uint64_t armed_at;
static unsigned int arms, edges;

static uint64_t fake_clock(void *ctx)
{
	(void)ctx;
	return now_ns;
}

static void fake_arm(void *ctx, uint64_t abs_ns)
{
	(void)ctx;
	armed_at = abs_ns;
	arms++;
}

static void irq(void *ctx, unsigned int n, bool level)
{
	(void)ctx;
	(void)n;
	if (level)
		edges++;
}

/* ns for t ticks of 1.193182 MHz, rounded up */
static uint64_t t2ns(uint64_t t)
{
	return (t * 1000000000ull + MVM_PIT_HZ - 1) / MVM_PIT_HZ;
}

static uint16_t read_word(struct mvm_pit *p, unsigned int ch)
{
	uint16_t lo = mvm_pit_read(p, ch);

	return (uint16_t)(lo | (mvm_pit_read(p, ch) << 8));
}

static void load(struct mvm_pit *p, unsigned int ch, uint8_t mode, uint16_t count)
{
	mvm_pit_write(p, 3, (uint8_t)((ch << 6) | 0x30 | (mode << 1)));
	mvm_pit_write(p, ch, (uint8_t)count);
	mvm_pit_write(p, ch, (uint8_t)(count >> 8));
}

int main(void)
{
	struct mvm_device portb = { .name = "61", .base = 0x61, .size = 1,
				    .access = mvm_port_b_access };
	struct mvm_pit p;
	uint64_t t0;
	uint16_t c;
	uint8_t b;
	int diff;

	tap_start();
	mvm_pit_init(&p, fake_clock, NULL, fake_arm, NULL);
	mvm_irq_line_init(&p.irq0, irq, NULL, 0);
	portb.priv = &p;
	ok(mvm_pit_deadline(&p) == 0, "after reset nothing is armed");

	/* Mode 2, 1193 ticks = 1 ms: Linux's PIT tick at HZ=1000. */
	t0 = now_ns;
	load(&p, 0, 2, 1193);
	ok(armed_at == t0 + t2ns(1193), "mode 2: the host timer is armed for one period (%llu ns)",
	   (unsigned long long)(armed_at - t0));
	now_ns = t0 + t2ns(500);
	mvm_pit_write(&p, 3, 0x00);	/* counter latch, channel 0 */
	now_ns += 5000000;		/* the latched value does not move */
	c = read_word(&p, 0);
	ok(c == 1193 - 500, "counter latch: 693 after 500 ticks, read later (got %u)", c);
	now_ns = t0 + t2ns(1193);
	mvm_pit_expire(&p);
	ok(edges == 1 && p.irqs == 1, "at the deadline: one IRQ0 edge");
	ok(armed_at == t0 + t2ns(2 * 1193), "re-armed for the next period");
	now_ns = t0 + t2ns(1193) + 5000000;	/* 5 ms late: 5 periods missed */
	mvm_pit_expire(&p);
	ok(edges == 2, "missed periods are coalesced into one interrupt (edges %u)", edges);
	ok(armed_at > now_ns && armed_at - now_ns <= t2ns(1193) &&
	   armed_at == t0 + t2ns(1193 * 7), "and the next deadline is the next period boundary");
	mvm_pit_expire(&p);
	ok(edges == 2, "an early expiry (stale timer) raises nothing");
	now_ns = t0 + t2ns(1193 * 10 + 100);
	c = read_word(&p, 0);
	ok(c == 1193 - 100, "unlatched LSB/MSB read: 1093 into the 11th period (got %u)", c);

	/* Mode 3 at 65536 (count 0): 18.2 Hz, 54.9 ms. */
	t0 = now_ns;
	load(&p, 0, 3, 0);
	ok(armed_at - t0 == t2ns(65536), "mode 3, count 0 = 65536: period %llu ns",
	   (unsigned long long)(armed_at - t0));
	ok(mvm_pit_out(&p, 0), "mode 3: output high in the first half");
	now_ns = t0 + t2ns(40000);
	ok(!mvm_pit_out(&p, 0), "mode 3: low in the second half");
	c = mvm_pit_count(&p, 0);
	ok((c & 1) == 0, "mode 3 counts by two (count %u even)", c);

	/* Mode 0 one-shot. */
	edges = 0;
	t0 = now_ns;
	mvm_pit_write(&p, 3, 0x30);	/* ch0 lsb/msb mode 0 */
	ok(!mvm_pit_out(&p, 0), "mode 0: the control word drives the output low");
	mvm_pit_write(&p, 0, 100);
	mvm_pit_write(&p, 0, 0);
	ok(armed_at == t0 + t2ns(100), "mode 0: armed for the terminal count");
	now_ns = t0 + t2ns(99);
	ok(!mvm_pit_out(&p, 0) && mvm_pit_count(&p, 0) == 1, "one tick before: output low, count 1");
	now_ns = t0 + t2ns(100);
	mvm_pit_expire(&p);
	ok(mvm_pit_out(&p, 0) && edges == 1 && mvm_pit_deadline(&p) == 0,
	   "terminal count: output high, one IRQ0, disarmed");
	now_ns += t2ns(200);
	ok(mvm_pit_count(&p, 0) == (uint16_t)(100 - 300), "the counter wraps on past 0 (0x%04x)",
	   mvm_pit_count(&p, 0));
	mvm_pit_expire(&p);
	ok(edges == 1, "mode 0 fires once");

	/* Mode 4 software strobe. */
	t0 = now_ns;
	load(&p, 0, 4, 50);
	ok(mvm_pit_out(&p, 0), "mode 4: output high while counting");
	now_ns = t0 + t2ns(50);
	ok(!mvm_pit_out(&p, 0), "mode 4: low for the terminal tick");
	mvm_pit_expire(&p);
	ok(edges == 2, "mode 4: IRQ0 at the strobe");

	/* Read-back. */
	load(&p, 0, 2, 1000);
	mvm_pit_write(&p, 3, 0xe2);	/* read-back: status only, channel 0 */
	b = mvm_pit_read(&p, 0);
	ok((b & 0x3f) == 0x34 && (b & 0x80), "read-back status: lsb/msb, mode 2, OUT high (0x%02x)",
	   b);
	now_ns += t2ns(10);
	mvm_pit_write(&p, 3, 0xc2);	/* read-back: count and status */
	now_ns += t2ns(300);
	b = mvm_pit_read(&p, 0);
	c = read_word(&p, 0);
	ok((b & 0x0e) == 0x04 && c == 990, "read-back count+status: status first, then 990 (got %u)",
	   c);
	c = read_word(&p, 0);
	ok(c == 690, "after the latched bytes, reads are live again (690, got %u)", c);

	/* LSB-only and MSB-only access. */
	mvm_pit_write(&p, 3, 0x54);	/* ch1, lsb only, mode 2 */
	mvm_pit_write(&p, 1, 18);	/* Linux's old DRAM refresh setting */
	ok(mvm_pit_count(&p, 1) == 18 && mvm_pit_read(&p, 1) == 18, "LSB-only load and read");
	mvm_pit_write(&p, 3, 0x64);	/* ch1, msb only */
	mvm_pit_write(&p, 1, 0x12);
	ok(p.ch[1].reload == 0x1200 && mvm_pit_read(&p, 1) == 0x12, "MSB-only load and read");

	/* Channel 2 and port 0x61: what Linux's PIT TSC calibration does. */
	b = 0;
	mvm_port_b_access(&portb, 0, &b, 1, false);
	ok(!(b & PORTB_GATE2), "port 0x61 at reset: gate 2 low");
	t0 = now_ns;
	load(&p, 2, 0, 11932);		/* 10 ms, gate still low */
	now_ns += 20000000;
	ok(mvm_pit_count(&p, 2) == 11932 && !mvm_pit_out(&p, 2),
	   "gate low: channel 2 does not count");
	b = PORTB_GATE2;
	mvm_port_b_access(&portb, 0, &b, 1, true);
	t0 = now_ns;
	now_ns = t0 + t2ns(5000);
	mvm_port_b_access(&portb, 0, &b, 1, false);
	diff = (int)mvm_pit_count(&p, 2) - (11932 - 5000);
	ok(!(b & PORTB_OUT2) && (b & PORTB_GATE2) && abs(diff) <= 1,
	   "gate high: counting (count %u), OUT2 still low", mvm_pit_count(&p, 2));
	now_ns = t0 + t2ns(11932);
	mvm_port_b_access(&portb, 0, &b, 1, false);
	ok(b & PORTB_OUT2, "at terminal count port 0x61 bit 5 goes high");
	{
		uint8_t r1 = 0, r2 = 0;

		mvm_port_b_access(&portb, 0, &r1, 1, false);
		mvm_port_b_access(&portb, 0, &r2, 1, false);
		ok((r1 ^ r2) == PORTB_REFRESH, "bit 4 (refresh) toggles between reads");
	}
	/* Gate low pauses mode 0, high resumes. */
	load(&p, 2, 0, 1000);
	now_ns += t2ns(300);
	b = 0;
	mvm_port_b_access(&portb, 0, &b, 1, true);
	now_ns += t2ns(5000);
	ok(mvm_pit_count(&p, 2) == 700, "mode 0, gate low: the count holds (700, got %u)",
	   mvm_pit_count(&p, 2));
	b = PORTB_GATE2 | PORTB_SPEAKER;
	mvm_port_b_access(&portb, 0, &b, 1, true);
	now_ns += t2ns(100);
	ok(mvm_pit_count(&p, 2) == 600, "gate high again: counting resumes (600, got %u)",
	   mvm_pit_count(&p, 2));
	mvm_port_b_access(&portb, 0, &b, 1, false);
	ok((b & 0x0f) == (PORTB_GATE2 | PORTB_SPEAKER), "port 0x61 bits 0-3 read back");
	/* Mode 2 on channel 2: a rising gate reloads. */
	load(&p, 2, 2, 500);
	now_ns += t2ns(200);
	b = 0;
	mvm_port_b_access(&portb, 0, &b, 1, true);
	ok(mvm_pit_out(&p, 2), "mode 2, gate low: output high");
	b = PORTB_GATE2;
	mvm_port_b_access(&portb, 0, &b, 1, true);
	ok(mvm_pit_count(&p, 2) == 500, "mode 2, gate rising: reloaded (500, got %u)",
	   mvm_pit_count(&p, 2));
	ok(mvm_pit_access(&(struct mvm_device){ .priv = &p }, 3, &b, 2, false) != 0,
	   "bus: an access past 0x43 is an error");
	ok(arms > 0, "(the arm hook was used %u times)", arms);
	return tap_end();
}
