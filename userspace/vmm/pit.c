// SPDX-License-Identifier: GPL-2.0
/*
 * i8254 PIT. A counting stretch starts at start_ns; the ticks since then,
 * plus acc, say where the counter is. Output per mode (82C54 data sheet,
 * "Mode definitions"), with N the count and t the ticks counted:
 *   0  low until t = N, then high          1  same, started by a gate edge
 *   2  low for the tick t = kN - 1          3  high for the first half of each period
 *   4  low for the tick t = N               5  same, started by a gate edge
 */
#include <errno.h>
#include <string.h>
#include <time.h>

#include "pit.h"

#define NSEC	1000000000ull

uint64_t mvm_clock_monotonic(void *ctx)
{
	struct timespec ts;

	(void)ctx;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * NSEC + (uint64_t)ts.tv_nsec;
}

static uint64_t ns_to_ticks(uint64_t ns)
{
	return (uint64_t)(((unsigned __int128)ns * MVM_PIT_HZ) / NSEC);
}

/* The first ns at which ns_to_ticks() reaches t. */
static uint64_t ticks_to_ns(uint64_t t)
{
	return (uint64_t)(((unsigned __int128)t * NSEC + MVM_PIT_HZ - 1) / MVM_PIT_HZ);
}

static uint64_t now(const struct mvm_pit *p)
{
	return p->clock(p->clock_ctx);
}

static bool periodic(unsigned int mode)
{
	return mode == 2 || mode == 3;
}

static uint64_t counted(const struct mvm_pit *p, const struct mvm_pit_channel *c)
{
	uint64_t t = c->acc, n;

	if (c->running) {
		n = now(p);
		t += n > c->start_ns ? ns_to_ticks(n - c->start_ns) : 0;
	}
	return t;
}

static uint16_t count_of(const struct mvm_pit *p, const struct mvm_pit_channel *c)
{
	uint64_t t, n = c->reload;

	if (!c->loaded)
		return 0;
	t = counted(p, c);
	if (periodic(c->mode)) {
		if (!c->running)
			return (uint16_t)n;
		if (c->mode == 2)
			return (uint16_t)(n - t % n);
		/* Mode 3 counts down by two, twice per period. */
		return (uint16_t)((n - 2 * (t % ((n + 1) / 2))) & ~1ull);
	}
	if (!c->running && (c->mode == 1 || c->mode == 5))
		return (uint16_t)c->reload;	/* waiting for the trigger */
	return (uint16_t)(c->init - t);	/* wraps through 0xffff like the chip */
}

static bool out_of(const struct mvm_pit *p, const struct mvm_pit_channel *c)
{
	uint64_t t, n = c->reload;

	if (!c->loaded || (!c->running && !(c->mode == 0 || c->mode == 4) ) ||
	    (!c->running && c->acc == 0))
		return c->out_idle;
	t = counted(p, c);
	switch (c->mode) {
	case 0:
	case 1:
		return t >= c->init;
	case 2:
		return t % n != n - 1;
	case 3:
		return t % n < (n + 1) / 2;
	default:	/* 4, 5 */
		return t != c->init;
	}
}

uint16_t mvm_pit_count(const struct mvm_pit *p, unsigned int ch)
{
	return count_of(p, &p->ch[ch % 3]);
}

bool mvm_pit_out(const struct mvm_pit *p, unsigned int ch)
{
	return out_of(p, &p->ch[ch % 3]);
}

uint64_t mvm_pit_deadline(const struct mvm_pit *p)
{
	const struct mvm_pit_channel *c = &p->ch[0];

	if (!c->loaded || !c->running || !c->next_fire)
		return 0;
	return c->start_ns + ticks_to_ns(c->next_fire - c->acc);
}

static void rearm(struct mvm_pit *p)
{
	uint64_t d = mvm_pit_deadline(p);

	if (d != p->armed) {
		p->armed = d;
		if (p->arm)
			p->arm(p->arm_ctx, d);
	}
}

/* Channel 0: the tick count (since the stretch began, acc included) of the next IRQ0. */
static void plan_fire(struct mvm_pit *p)
{
	struct mvm_pit_channel *c = &p->ch[0];

	c->next_fire = 0;
	if (c->loaded && c->running) {
		if (periodic(c->mode))
			c->next_fire = c->reload;	/* the output rises at each k * N */
		else if (counted(p, c) < c->init)
			c->next_fire = c->init;		/* modes 0/4: once, at terminal count */
	}
	rearm(p);
}

void mvm_pit_expire(struct mvm_pit *p)
{
	struct mvm_pit_channel *c = &p->ch[0];
	uint64_t t;

	if (!c->next_fire || !c->running)
		return rearm(p);
	t = counted(p, c);
	if (t < c->next_fire)
		return rearm(p);	/* early (a stale timer): wait on */
	if (periodic(c->mode))
		c->next_fire += ((t - c->next_fire) / c->reload + 1) * c->reload;
	else
		c->next_fire = 0;
	p->irqs++;
	mvm_irq_line_pulse(&p->irq0);
	rearm(p);
}

void mvm_pit_init(struct mvm_pit *p, mvm_clock_fn clock, void *clock_ctx,
		  mvm_timer_arm_fn arm, void *arm_ctx)
{
	unsigned int i;

	memset(p, 0, sizeof(*p));
	p->clock = clock ? clock : mvm_clock_monotonic;
	p->clock_ctx = clock_ctx;
	p->arm = arm;
	p->arm_ctx = arm_ctx;
	for (i = 0; i < 3; i++) {
		p->ch[i].rw = PIT_RW_WORD;
		p->ch[i].reload = 0x10000;
		p->ch[i].gate = i != 2;		/* channel 2's gate is port 0x61 bit 0 */
		p->ch[i].out_idle = true;
	}
}

static void start(struct mvm_pit *p, struct mvm_pit_channel *c)
{
	c->start_ns = now(p);
	c->acc = 0;
	c->init = c->reload;
	c->running = true;
}

static void load(struct mvm_pit *p, unsigned int ch, uint32_t val)
{
	struct mvm_pit_channel *c = &p->ch[ch];

	c->reload = val ? val : 0x10000;
	c->loaded = true;
	c->null_count = false;
	c->running = false;
	c->acc = 0;
	c->init = c->reload;
	/* Modes 1 and 5 wait for a gate edge; the others start counting now if gated on. */
	if (c->mode != 1 && c->mode != 5 && c->gate)
		start(p, c);
	c->out_idle = !(c->mode == 0 || c->mode == 1);
	if (ch == 0)
		plan_fire(p);
}

void mvm_pit_set_gate(struct mvm_pit *p, unsigned int ch, bool gate)
{
	struct mvm_pit_channel *c = &p->ch[ch % 3];

	if (gate == c->gate)
		return;
	c->gate = gate;
	if (!c->loaded)
		return;
	if (gate) {
		if (c->mode == 0 || c->mode == 4) {
			c->start_ns = now(p);	/* resume where the count stopped */
			c->running = true;
		} else {
			start(p, c);		/* 1, 5: trigger; 2, 3: reload and restart */
		}
	} else if (c->mode == 0 || c->mode == 4) {
		c->acc = counted(p, c);		/* pause */
		c->running = false;
	} else if (periodic(c->mode)) {
		c->running = false;		/* output goes high, count holds */
		c->out_idle = true;
	}
	if (ch == 0)
		plan_fire(p);
}

static void latch_count(struct mvm_pit *p, struct mvm_pit_channel *c)
{
	if (c->latch_left)
		return;		/* a latched count stays until read */
	c->latch = count_of(p, c);
	c->latch_left = c->rw == PIT_RW_WORD ? 2 : 1;
}

static void latch_status(struct mvm_pit *p, struct mvm_pit_channel *c)
{
	if (c->status_latched)
		return;
	c->status = (uint8_t)((out_of(p, c) ? 0x80 : 0) | (c->null_count ? 0x40 : 0) |
			      (c->rw << PIT_CTRL_RW_SHIFT) | (c->mode << PIT_CTRL_MODE_SHIFT) |
			      (c->bcd ? PIT_CTRL_BCD : 0));
	c->status_latched = true;
}

static void write_control(struct mvm_pit *p, uint8_t val)
{
	unsigned int sc = val >> PIT_CTRL_SC_SHIFT, rw = (val >> PIT_CTRL_RW_SHIFT) & 3, i;
	struct mvm_pit_channel *c;

	if (sc == 3) {		/* read-back: bit 5 = !COUNT, bit 4 = !STATUS, bits 3:1 */
		for (i = 0; i < 3; i++) {
			if (!(val & (2u << i)))
				continue;
			if (!(val & 0x10))
				latch_status(p, &p->ch[i]);
			if (!(val & 0x20))
				latch_count(p, &p->ch[i]);
		}
		return;
	}
	c = &p->ch[sc];
	if (rw == PIT_RW_LATCH) {
		latch_count(p, c);
		return;
	}
	c->rw = (uint8_t)rw;
	c->mode = (val >> PIT_CTRL_MODE_SHIFT) & 7;
	if (c->mode > 5)
		c->mode -= 4;	/* 6 and 7 are aliases of 2 and 3 */
	c->bcd = val & PIT_CTRL_BCD;
	c->loaded = false;
	c->running = false;
	c->null_count = true;
	c->write_msb = false;
	c->read_msb = false;
	c->latch_left = 0;
	c->status_latched = false;
	c->out_idle = c->mode != 0;	/* mode 0: the output goes low on the control word */
	if (sc == 0)
		plan_fire(p);
}

uint8_t mvm_pit_read(struct mvm_pit *p, unsigned int port)
{
	struct mvm_pit_channel *c;
	uint16_t v;
	uint8_t b;

	if (port >= 3)
		return 0xff;	/* the control word register cannot be read */
	c = &p->ch[port];
	if (c->status_latched) {
		c->status_latched = false;
		return c->status;
	}
	if (c->latch_left) {
		v = c->latch;
		if (c->rw == PIT_RW_WORD)
			b = c->latch_left == 2 ? (uint8_t)v : (uint8_t)(v >> 8);
		else
			b = c->rw == PIT_RW_MSB ? (uint8_t)(v >> 8) : (uint8_t)v;
		c->latch_left = c->rw == PIT_RW_WORD ? c->latch_left - 1 : 0;
		return b;
	}
	v = count_of(p, c);
	switch (c->rw) {
	case PIT_RW_LSB:
		return (uint8_t)v;
	case PIT_RW_MSB:
		return (uint8_t)(v >> 8);
	default:
		b = c->read_msb ? (uint8_t)(v >> 8) : (uint8_t)v;
		c->read_msb = !c->read_msb;
		return b;
	}
}

void mvm_pit_write(struct mvm_pit *p, unsigned int port, uint8_t val)
{
	struct mvm_pit_channel *c;

	if (port == 3) {
		write_control(p, val);
		return;
	}
	if (port > 3)
		return;
	c = &p->ch[port];
	switch (c->rw) {
	case PIT_RW_LSB:
		load(p, port, val);
		break;
	case PIT_RW_MSB:
		load(p, port, (uint32_t)val << 8);
		break;
	default:
		if (!c->write_msb) {
			c->write_lsb = val;
			c->write_msb = true;
			if (c->mode == 0)
				c->running = false;	/* mode 0: writing the LSB stops the count */
		} else {
			c->write_msb = false;
			load(p, port, c->write_lsb | ((uint32_t)val << 8));
		}
		break;
	}
}

int mvm_pit_access(struct mvm_device *dev, uint64_t offset, void *data, unsigned int len,
		   bool is_write)
{
	struct mvm_pit *p = dev->priv;
	uint8_t *b = data;
	unsigned int i;

	for (i = 0; i < len; i++) {
		if (offset + i >= MVM_PIT_NR_PORTS)
			return -EINVAL;
		if (is_write)
			mvm_pit_write(p, (unsigned int)(offset + i), b[i]);
		else
			b[i] = mvm_pit_read(p, (unsigned int)(offset + i));
	}
	return 0;
}

int mvm_port_b_access(struct mvm_device *dev, uint64_t offset, void *data, unsigned int len,
		      bool is_write)
{
	struct mvm_pit *p = dev->priv;
	uint8_t *b = data;

	if (offset != 0 || len != 1)
		return -EINVAL;
	if (is_write) {
		p->port_b = b[0] & PORTB_RW_MASK;
		mvm_pit_set_gate(p, 2, b[0] & PORTB_GATE2);
		return 0;
	}
	/* The DRAM refresh request toggles every 15 us; every read will do. */
	p->refresh = !p->refresh;
	b[0] = (uint8_t)(p->port_b | (p->refresh ? PORTB_REFRESH : 0) |
			 (mvm_pit_out(p, 2) ? PORTB_OUT2 : 0));
	return 0;
}
