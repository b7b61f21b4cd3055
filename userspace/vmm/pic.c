// SPDX-License-Identifier: GPL-2.0
/*
 * 8259A PIC pair. Priorities rotate: "lowest" is the pin with the lowest
 * priority, (lowest + 1) & 7 the highest (the 8259A data sheet, "Priority
 * Modes"). The master's IR2 follows the slave's INT output as a level
 * (whatever ELCR says), so a slave request waiting behind one in service
 * is not lost.
 */
#include <errno.h>
#include <string.h>

#include "pic.h"

#define CASCADE_PIN	2

static void chip_reset(struct mvm_pic_chip *c)
{
	uint8_t elcr = c->elcr, mask = c->elcr_mask, lines = c->lines;

	memset(c, 0, sizeof(*c));
	c->elcr = elcr;
	c->elcr_mask = mask;
	c->lines = lines;
	c->lowest = 7;
}

void mvm_pic_init(struct mvm_pic *p, mvm_pic_notify_fn notify, void *ctx)
{
	memset(p, 0, sizeof(*p));
	/* PIIX ELCR: IRQ0-2 (timer, keyboard, cascade) and IRQ8, IRQ13 are always edge. */
	p->chip[0].elcr_mask = 0xf8;
	p->chip[1].elcr_mask = 0xde;
	chip_reset(&p->chip[0]);
	chip_reset(&p->chip[1]);
	/*
	 * What a PC BIOS leaves behind (there is no firmware here): vector
	 * bases 0x08 and 0x70, everything masked but the cascade, so nothing
	 * reaches a guest before it programs the PIC itself.
	 */
	p->chip[0].base = 0x08;
	p->chip[0].icw3 = 0x04;
	p->chip[0].imr = 0xfb;
	p->chip[1].base = 0x70;
	p->chip[1].icw3 = 0x02;
	p->chip[1].imr = 0xff;
	p->notify = notify;
	p->notify_ctx = ctx;
}

static bool is_level(const struct mvm_pic_chip *c, unsigned int pin, bool master)
{
	if (master && pin == CASCADE_PIN && !c->single)
		return true;
	return c->ltim || (c->elcr & (1u << pin));
}

/* 0 = highest priority. */
static unsigned int prio(const struct mvm_pic_chip *c, unsigned int pin)
{
	return (pin - c->lowest - 1) & 7;
}

/* The pin of mask with the highest priority, or -1. */
static int highest(const struct mvm_pic_chip *c, uint8_t mask)
{
	unsigned int i;

	for (i = 0; i < 8; i++) {
		unsigned int pin = (c->lowest + 1 + i) & 7;

		if (mask & (1u << pin))
			return (int)pin;
	}
	return -1;
}

/* The request this chip would present at INTA, or -1. */
static int pending(const struct mvm_pic_chip *c, bool master)
{
	uint8_t req = c->irr & ~c->imr, isr = c->isr;
	int irq, cur;

	if (c->init_step)
		return -1;	/* being initialized: no interrupts */
	irq = highest(c, req);
	if (irq < 0)
		return -1;
	if (c->special_mask)
		isr &= ~c->imr;	/* only unmasked in-service levels block */
	if (master && c->sfnm && !c->single)
		isr &= ~(1u << CASCADE_PIN);	/* fully nested: the slave may nest */
	cur = highest(c, isr);
	if (cur >= 0 && prio(c, (unsigned int)irq) >= prio(c, (unsigned int)cur))
		return -1;
	return irq;
}

static void set_pin(struct mvm_pic_chip *c, unsigned int pin, bool level, bool master)
{
	uint8_t bit = (uint8_t)(1u << pin);

	if (is_level(c, pin, master)) {
		if (level)
			c->irr |= bit;
		else
			c->irr &= ~bit;
	} else if (level && !(c->lines & bit)) {
		c->irr |= bit;	/* rising edge latched until INTA */
	}
	if (level)
		c->lines |= bit;
	else
		c->lines &= ~bit;
}

static void update(struct mvm_pic *p)
{
	bool intr;

	set_pin(&p->chip[0], CASCADE_PIN, pending(&p->chip[1], false) >= 0, true);
	intr = pending(&p->chip[0], true) >= 0;
	if (intr != p->intr) {
		p->intr = intr;
		if (p->notify)
			p->notify(p->notify_ctx, intr);
	}
}

void mvm_pic_set_irq(struct mvm_pic *p, unsigned int irq, bool level)
{
	if (irq >= 16)
		return;
	if (irq < 8)
		set_pin(&p->chip[0], irq, level, true);
	else
		set_pin(&p->chip[1], irq - 8, level, false);
	update(p);
}

bool mvm_pic_intr(const struct mvm_pic *p)
{
	return p->intr;
}

static void ack_chip(struct mvm_pic_chip *c, unsigned int pin, bool master)
{
	uint8_t bit = (uint8_t)(1u << pin);

	if (!is_level(c, pin, master))
		c->irr &= ~bit;
	if (!c->auto_eoi)
		c->isr |= bit;
	else if (c->rotate_on_aeoi)
		c->lowest = (uint8_t)pin;
}

int mvm_pic_ack(struct mvm_pic *p)
{
	struct mvm_pic_chip *m = &p->chip[0], *s = &p->chip[1];
	int irq = pending(m, true), sirq, vector;

	if (irq < 0)
		return -1;
	ack_chip(m, (unsigned int)irq, true);
	if (irq == CASCADE_PIN && !m->single) {
		sirq = pending(s, false);
		if (sirq < 0) {
			vector = s->base + 7;	/* the request went away: spurious IRQ15 */
		} else {
			ack_chip(s, (unsigned int)sirq, false);
			vector = s->base + sirq;
		}
	} else {
		vector = m->base + irq;
	}
	update(p);
	return vector;
}

static void eoi(struct mvm_pic_chip *c, int pin, bool rotate)
{
	if (pin < 0)
		return;
	c->isr &= (uint8_t)~(1u << pin);
	if (rotate)
		c->lowest = (uint8_t)pin;
}

static void write_ocw2(struct mvm_pic_chip *c, uint8_t val)
{
	unsigned int level = val & 7;

	switch (val >> 5) {
	case 0:		/* rotate in automatic EOI mode: clear */
		c->rotate_on_aeoi = false;
		break;
	case 4:		/* rotate in automatic EOI mode: set */
		c->rotate_on_aeoi = true;
		break;
	case 1:		/* non-specific EOI */
		eoi(c, highest(c, c->isr), false);
		break;
	case 5:		/* rotate on non-specific EOI */
		eoi(c, highest(c, c->isr), true);
		break;
	case 3:		/* specific EOI */
		eoi(c, (int)level, false);
		break;
	case 7:		/* rotate on specific EOI */
		eoi(c, (int)level, true);
		break;
	case 6:		/* set priority */
		c->lowest = (uint8_t)level;
		break;
	default:	/* 2: no operation */
		break;
	}
}

static void write_cmd(struct mvm_pic_chip *c, uint8_t val, bool master)
{
	if (val & 0x10) {		/* ICW1 */
		chip_reset(c);
		c->icw4_needed = val & 0x01;
		c->single = val & 0x02;
		c->ltim = val & 0x08;
		c->init_step = 2;
		/* The edge-sense latches are cleared: level inputs still request. */
		c->irr = 0;
		for (unsigned int pin = 0; pin < 8; pin++)
			if (is_level(c, pin, master) && (c->lines & (1u << pin)))
				c->irr |= (uint8_t)(1u << pin);
	} else if (val & 0x08) {	/* OCW3 */
		if (val & 0x04)
			c->poll = true;
		if (val & 0x02)
			c->read_isr = val & 0x01;
		if (val & 0x40)
			c->special_mask = val & 0x20;
	} else {			/* OCW2 */
		write_ocw2(c, val);
	}
}

static void write_data(struct mvm_pic_chip *c, uint8_t val)
{
	switch (c->init_step) {
	case 2:
		c->base = val & 0xf8;	/* x86 mode: T7-T3 */
		c->init_step = c->single ? (c->icw4_needed ? 4 : 0) : 3;
		break;
	case 3:
		c->icw3 = val;
		c->init_step = c->icw4_needed ? 4 : 0;
		break;
	case 4:
		c->auto_eoi = val & 0x02;
		c->sfnm = val & 0x10;
		c->init_step = 0;
		break;
	default:
		c->imr = val;		/* OCW1 */
		break;
	}
}

static uint8_t poll_read(struct mvm_pic *p, unsigned int chip)
{
	struct mvm_pic_chip *c = &p->chip[chip];
	int irq = pending(c, chip == 0);

	c->poll = false;
	if (irq < 0)
		return 0;
	ack_chip(c, (unsigned int)irq, chip == 0);
	update(p);
	return (uint8_t)(0x80 | irq);
}

uint8_t mvm_pic_read(struct mvm_pic *p, unsigned int chip, unsigned int port)
{
	struct mvm_pic_chip *c = &p->chip[chip & 1];

	if (c->poll)
		return poll_read(p, chip & 1);
	if (port & 1)
		return c->imr;
	return c->read_isr ? c->isr : c->irr;
}

void mvm_pic_write(struct mvm_pic *p, unsigned int chip, unsigned int port, uint8_t val)
{
	struct mvm_pic_chip *c = &p->chip[chip & 1];

	if (port & 1)
		write_data(c, val);
	else
		write_cmd(c, val, (chip & 1) == 0);
	update(p);
}

static int pic_access(struct mvm_pic *p, unsigned int chip, uint64_t offset, void *data,
		      unsigned int len, bool is_write)
{
	uint8_t *b = data;
	unsigned int i;

	for (i = 0; i < len; i++) {
		if (offset + i >= MVM_PIC_NR_PORTS)
			return -EINVAL;
		if (is_write)
			mvm_pic_write(p, chip, (unsigned int)(offset + i), b[i]);
		else
			b[i] = mvm_pic_read(p, chip, (unsigned int)(offset + i));
	}
	return 0;
}

int mvm_pic_master_access(struct mvm_device *dev, uint64_t offset, void *data,
			  unsigned int len, bool is_write)
{
	return pic_access(dev->priv, 0, offset, data, len, is_write);
}

int mvm_pic_slave_access(struct mvm_device *dev, uint64_t offset, void *data,
			 unsigned int len, bool is_write)
{
	return pic_access(dev->priv, 1, offset, data, len, is_write);
}

int mvm_pic_elcr_access(struct mvm_device *dev, uint64_t offset, void *data,
			unsigned int len, bool is_write)
{
	struct mvm_pic *p = dev->priv;
	uint8_t *b = data;
	unsigned int i;

	for (i = 0; i < len; i++) {
		struct mvm_pic_chip *c;

		if (offset + i >= MVM_PIC_NR_PORTS)
			return -EINVAL;
		c = &p->chip[offset + i];
		if (is_write)
			c->elcr = b[i] & c->elcr_mask;
		else
			b[i] = c->elcr;
	}
	if (is_write) {
		/* A pin turned edge drops its level request; one turned level follows its pin. */
		for (i = 0; i < 2; i++) {
			struct mvm_pic_chip *c = &p->chip[i];

			c->irr = (uint8_t)((c->irr & ~c->elcr) | (c->lines & c->elcr));
		}
		update(p);
	}
	return 0;
}
