/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Interrupt lines. A device model owns a struct mvm_irq_line and drives its
 * level; whoever wired the line (the machine: the ISA IRQ router, or a test)
 * gets a callback with the new level. The router forwards every ISA line to
 * both interrupt controllers, as the wiring of a PC does: PIC pin IRQn and
 * IOAPIC pin GSI(n), where IRQ0 (the PIT) goes to GSI 2 (the MADT says so
 * with an interrupt source override) and every other line to GSI n.
 *
 * No locking here: the machine lock is held by whoever changes a level.
 */
#ifndef MVM_IRQ_H
#define MVM_IRQ_H

#include <stdbool.h>

typedef void (*mvm_irq_set_fn)(void *ctx, unsigned int irq, bool level);

struct mvm_irq_line {
	mvm_irq_set_fn set;	/* NULL: not wired */
	void *ctx;
	unsigned int irq;	/* passed to set() */
	bool level;		/* last level driven */
};

static inline void mvm_irq_line_init(struct mvm_irq_line *l, mvm_irq_set_fn set, void *ctx,
				     unsigned int irq)
{
	l->set = set;
	l->ctx = ctx;
	l->irq = irq;
	l->level = false;
}

/* Drive the line; the callback only sees changes. */
static inline void mvm_irq_line_set(struct mvm_irq_line *l, bool level)
{
	if (l->level == level)
		return;
	l->level = level;
	if (l->set)
		l->set(l->ctx, l->irq, level);
}

/* An edge: up and down again (an edge-triggered pin latches the rising edge). */
static inline void mvm_irq_line_pulse(struct mvm_irq_line *l)
{
	mvm_irq_line_set(l, false);
	mvm_irq_line_set(l, true);
	mvm_irq_line_set(l, false);
}

#define MVM_ISA_IRQS	16

struct mvm_pic;
struct mvm_ioapic;

struct mvm_irq_router {
	struct mvm_pic *pic;		/* may be NULL */
	struct mvm_ioapic *ioapic;	/* may be NULL */
};

/* The IOAPIC input (GSI) an ISA IRQ reaches: the MADT's override IRQ0 -> GSI 2. */
static inline unsigned int mvm_isa_irq_to_gsi(unsigned int irq)
{
	return irq == 0 ? 2 : irq;
}

/* An mvm_irq_set_fn: ctx is the struct mvm_irq_router, irq the ISA IRQ (0-15). */
void mvm_irq_router_set(void *ctx, unsigned int irq, bool level);

#endif /* MVM_IRQ_H */
