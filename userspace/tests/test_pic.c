// SPDX-License-Identifier: GPL-2.0
/* The 8259A pair: initialisation, priorities, EOIs, edge/level, cascade, OCW3, poll. */
#include <string.h>

#include "pic.h"
#include "tap.h"

static unsigned int notifies;
static bool last_intr;

static void notify(void *ctx, bool intr)
{
	(void)ctx;
	notifies++;
	last_intr = intr;
}

/* What a BIOS or Linux does: ICW1 edge+ICW4, bases 0x20/0x28, cascade on IR2, 8086 mode. */
static void init_pair(struct mvm_pic *p, uint8_t icw4)
{
	mvm_pic_init(p, notify, NULL);
	mvm_pic_write(p, 0, 0, 0x11);
	mvm_pic_write(p, 0, 1, 0x20);
	mvm_pic_write(p, 0, 1, 0x04);
	mvm_pic_write(p, 0, 1, icw4);
	mvm_pic_write(p, 1, 0, 0x11);
	mvm_pic_write(p, 1, 1, 0x28);
	mvm_pic_write(p, 1, 1, 0x02);
	mvm_pic_write(p, 1, 1, icw4);
}

static void pulse(struct mvm_pic *p, unsigned int irq)
{
	mvm_pic_set_irq(p, irq, true);
	mvm_pic_set_irq(p, irq, false);
}

int main(void)
{
	struct mvm_device dev = { .name = "pic", .base = 0x20, .size = 2,
				  .access = mvm_pic_master_access };
	struct mvm_device elcr = { .name = "elcr", .base = 0x4d0, .size = 2,
				   .access = mvm_pic_elcr_access };
	struct mvm_pic p;
	uint8_t b[2];

	tap_start();
	elcr.priv = &p;
	mvm_pic_init(&p, notify, NULL);
	ok(p.chip[0].imr == 0xfb && p.chip[1].imr == 0xff && p.chip[0].base == 0x08 &&
	   p.chip[1].base == 0x70 && !mvm_pic_intr(&p) && mvm_pic_ack(&p) == -1,
	   "power-on: as a BIOS leaves it (bases 0x08/0x70, masked but IRQ2), nothing pending");
	pulse(&p, 0);
	ok(!mvm_pic_intr(&p), "power-on: IRQ0 is masked");

	init_pair(&p, 0x01);
	ok(p.chip[0].base == 0x20 && p.chip[1].base == 0x28 && p.chip[0].icw3 == 0x04 &&
	   p.chip[0].init_step == 0 && p.chip[1].init_step == 0,
	   "ICW1-ICW4: vector bases 0x20/0x28, cascade on IR2, back to operation");

	notifies = 0;
	pulse(&p, 0);
	ok(mvm_pic_intr(&p) && notifies == 1 && last_intr, "edge IRQ0: INTR raised, notified once");
	ok(p.chip[0].irr == 0x01, "the edge is latched in IRR after the line fell");
	ok(mvm_pic_ack(&p) == 0x20 && p.chip[0].isr == 0x01 && p.chip[0].irr == 0 &&
	   !mvm_pic_intr(&p) && !last_intr, "INTA: vector 0x20, IRR -> ISR, INTR drops");
	pulse(&p, 1);
	ok(!mvm_pic_intr(&p), "IRQ1 waits while the higher-priority IRQ0 is in service");
	mvm_pic_write(&p, 0, 0, 0x20);
	ok(p.chip[0].isr == 0 && mvm_pic_intr(&p) && mvm_pic_ack(&p) == 0x21,
	   "non-specific EOI ends IRQ0; IRQ1 is delivered (0x21)");
	pulse(&p, 0);
	ok(mvm_pic_intr(&p), "IRQ0 interrupts IRQ1's service (higher priority)");
	ok(mvm_pic_ack(&p) == 0x20 && p.chip[0].isr == 0x03, "nested: ISR holds IRQ0 and IRQ1");
	mvm_pic_write(&p, 0, 0, 0x61);	/* specific EOI, IRQ1 */
	ok(p.chip[0].isr == 0x01, "specific EOI (0x61) ends IRQ1 only");
	mvm_pic_write(&p, 0, 0, 0x20);
	ok(p.chip[0].isr == 0, "non-specific EOI ends the highest in service");

	/* Masking. */
	mvm_pic_write(&p, 0, 1, 0x08);
	pulse(&p, 3);
	ok(!mvm_pic_intr(&p) && mvm_pic_read(&p, 0, 1) == 0x08 && p.chip[0].irr == 0x08,
	   "a masked request is latched but does not raise INTR; OCW1 reads back");
	mvm_pic_write(&p, 0, 1, 0x00);
	ok(mvm_pic_intr(&p) && mvm_pic_ack(&p) == 0x23, "unmasking delivers it (0x23)");
	mvm_pic_write(&p, 0, 0, 0x20);

	/* OCW3: IRR/ISR reads. */
	pulse(&p, 5);
	mvm_pic_write(&p, 0, 0, 0x0a);
	ok(mvm_pic_read(&p, 0, 0) == 0x20, "OCW3 0x0a: port 0x20 reads IRR");
	mvm_pic_ack(&p);
	mvm_pic_write(&p, 0, 0, 0x0b);
	ok(mvm_pic_read(&p, 0, 0) == 0x20 && mvm_pic_read(&p, 0, 0) == 0x20,
	   "OCW3 0x0b: port 0x20 reads ISR (and keeps doing so)");
	mvm_pic_write(&p, 0, 0, 0x20);

	/* Cascade. */
	pulse(&p, 10);
	ok(mvm_pic_intr(&p) && p.chip[1].irr == 0x04, "IRQ10: the slave's IR2 asks, INTR up");
	ok(mvm_pic_ack(&p) == 0x2a && p.chip[1].isr == 0x04 && p.chip[0].isr == 0x04,
	   "INTA through the cascade: vector 0x2a, both ISRs set");
	mvm_pic_write(&p, 1, 0, 0x20);
	mvm_pic_write(&p, 0, 0, 0x20);
	ok(p.chip[0].isr == 0 && p.chip[1].isr == 0 && !mvm_pic_intr(&p),
	   "EOI to slave and master ends it");
	pulse(&p, 14);
	pulse(&p, 15);
	ok(mvm_pic_ack(&p) == 0x2e, "two slave requests: the higher priority one first (IRQ14)");
	ok(!mvm_pic_intr(&p), "IRQ15 waits for the slave's EOI");
	mvm_pic_write(&p, 1, 0, 0x20);
	mvm_pic_write(&p, 0, 0, 0x20);
	ok(mvm_pic_ack(&p) == 0x2f, "then IRQ15 (0x2f)");
	mvm_pic_write(&p, 1, 0, 0x20);
	mvm_pic_write(&p, 0, 0, 0x20);

	/* Level triggering through ELCR. */
	b[0] = 0xff;
	b[1] = 0xff;
	ok(mvm_pic_elcr_access(&elcr, 0, b, 2, true) == 0 &&
	   mvm_pic_elcr_access(&elcr, 0, b, 2, false) == 0 && b[0] == 0xf8 && b[1] == 0xde,
	   "ELCR: IRQ0-2, 8 and 13 cannot be level (reads 0xf8 0xde)");
	b[0] = 0x08;
	b[1] = 0x00;
	mvm_pic_elcr_access(&elcr, 0, b, 2, true);
	mvm_pic_set_irq(&p, 3, true);
	ok(mvm_pic_ack(&p) == 0x23, "level IRQ3 is delivered");
	mvm_pic_write(&p, 0, 0, 0x20);
	ok(mvm_pic_intr(&p), "still asserted after the EOI: delivered again (level)");
	mvm_pic_set_irq(&p, 3, false);
	ok(!mvm_pic_intr(&p) && !(p.chip[0].irr & 0x08), "line down: the level request is gone");
	mvm_pic_set_irq(&p, 3, true);
	mvm_pic_set_irq(&p, 3, false);
	ok(!mvm_pic_intr(&p), "a level pulse that ended before INTA is not delivered");
	b[0] = 0;
	mvm_pic_elcr_access(&elcr, 0, b, 1, true);

	/* Priority rotation. */
	mvm_pic_write(&p, 0, 0, 0xc1);	/* set priority: IRQ1 lowest, IRQ2 highest */
	pulse(&p, 0);
	pulse(&p, 3);
	ok(mvm_pic_ack(&p) == 0x23, "OCW2 set priority (IRQ1 lowest): IRQ3 beats IRQ0");
	mvm_pic_write(&p, 0, 0, 0xa0);	/* rotate on non-specific EOI: IRQ3 becomes lowest */
	ok(p.chip[0].lowest == 3 && mvm_pic_ack(&p) == 0x20,
	   "rotate on non-specific EOI: IRQ3 lowest, then IRQ0");
	mvm_pic_write(&p, 0, 0, 0x20);
	mvm_pic_write(&p, 0, 0, 0xc7);

	/* Poll mode. */
	pulse(&p, 6);
	mvm_pic_write(&p, 0, 0, 0x0c);
	ok(mvm_pic_read(&p, 0, 0) == 0x86 && p.chip[0].isr == 0x40,
	   "poll command: the read returns 0x80 | 6 and acknowledges it");
	mvm_pic_write(&p, 0, 0, 0x0c);
	mvm_pic_write(&p, 0, 0, 0x20);
	ok(mvm_pic_read(&p, 0, 0) == 0x00, "poll with nothing pending reads 0");

	/* Automatic EOI. */
	init_pair(&p, 0x03);
	pulse(&p, 4);
	ok(mvm_pic_ack(&p) == 0x24 && p.chip[0].isr == 0, "ICW4 AEOI: INTA leaves ISR clear");
	pulse(&p, 4);
	ok(mvm_pic_intr(&p), "AEOI: the next request is delivered without an EOI");

	/* ICW1 resets IMR and ISR; the chip is quiet while being initialised. */
	mvm_pic_write(&p, 0, 1, 0xff);
	mvm_pic_write(&p, 0, 0, 0x11);
	ok(p.chip[0].imr == 0 && !mvm_pic_intr(&p), "ICW1 clears IMR; no INTR mid-initialisation");
	mvm_pic_write(&p, 0, 1, 0x08);
	mvm_pic_write(&p, 0, 1, 0x04);
	mvm_pic_write(&p, 0, 1, 0x01);
	pulse(&p, 0);
	ok(mvm_pic_ack(&p) == 0x08, "re-initialised at base 0x08 (a BIOS's)");

	/* The bus handler. */
	dev.priv = &p;
	b[0] = 0x55;
	ok(mvm_pic_master_access(&dev, 1, b, 1, true) == 0 && p.chip[0].imr == 0x55,
	   "bus: a write to 0x21 is OCW1");
	ok(mvm_pic_master_access(&dev, 1, b, 2, false) != 0, "bus: an access past 0x21 is an error");

	return tap_end();
}
