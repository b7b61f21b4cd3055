// SPDX-License-Identifier: GPL-2.0
/* The IOAPIC: registers, redirection entries, MSI composition, edge/level, remote IRR, EOI. */
#include <string.h>

#include "ioapic.h"
#include "tap.h"

static unsigned int sent;
static uint32_t last_addr, last_data;

static int deliver(void *ctx, uint32_t lo, uint32_t hi, uint32_t data)
{
	(void)ctx;
	(void)hi;
	sent++;
	last_addr = lo;
	last_data = data;
	return 1;
}

static void mmio(struct mvm_device *d, uint64_t off, uint32_t *v, bool w)
{
	mvm_ioapic_access(d, off, v, 4, w);
}

static void set_rte(struct mvm_device *d, unsigned int pin, uint64_t rte)
{
	uint32_t v;

	v = 0x11 + 2 * pin;
	mmio(d, IOAPIC_REGSEL, &v, true);
	v = (uint32_t)(rte >> 32);
	mmio(d, IOAPIC_WINDOW, &v, true);
	v = 0x10 + 2 * pin;
	mmio(d, IOAPIC_REGSEL, &v, true);
	v = (uint32_t)rte;
	mmio(d, IOAPIC_WINDOW, &v, true);
}

static uint32_t reg(struct mvm_device *d, uint32_t r)
{
	uint32_t v = r;

	mmio(d, IOAPIC_REGSEL, &v, true);
	mmio(d, IOAPIC_WINDOW, &v, false);
	return v;
}

int main(void)
{
	struct mvm_ioapic io;
	struct mvm_device d = { .name = "ioapic", .base = MVM_IOAPIC_ADDR, .size = 0x1000,
				.access = mvm_ioapic_access, .priv = &io };
	uint32_t v, a, dt;
	unsigned int i, masked = 0;

	tap_start();
	mvm_ioapic_init(&io, 2, deliver, NULL);
	ok(reg(&d, IOAPIC_REG_VER) == 0x00170011, "version 0x11, 24 entries (0x%08x)",
	   reg(&d, IOAPIC_REG_VER));
	ok(reg(&d, IOAPIC_REG_ID) == 0x02000000, "ID register: the configured ID in bits 27:24");
	for (i = 0; i < MVM_IOAPIC_NPINS; i++)
		masked += (reg(&d, 0x10 + 2 * i) & IOAPIC_RTE_MASKED) != 0;
	ok(masked == 24, "every entry starts masked");
	v = IOAPIC_REG_VER;
	mmio(&d, IOAPIC_REGSEL, &v, true);
	v = 0;
	mmio(&d, IOAPIC_WINDOW, &v, true);
	ok(reg(&d, IOAPIC_REG_VER) == 0x00170011, "the version register is read-only");
	v = 0x0f000000;
	mvm_ioapic_write_reg(&io, IOAPIC_REG_ID, v);
	ok(reg(&d, IOAPIC_REG_ID) == 0x0f000000, "the ID is writable");
	v = 0x33;
	mmio(&d, IOAPIC_REGSEL, &v, true);
	mmio(&d, IOAPIC_REGSEL, &v, false);
	ok(v == 0x33, "IOREGSEL reads back");

	/* MSI composition. */
	mvm_ioapic_msi(0x0300000000000031ull, &a, &dt);
	ok(a == 0xfee03000 && dt == 0x4031, "fixed, physical dest 3, vector 0x31, edge: "
	   "address 0x%08x data 0x%08x", a, dt);
	mvm_ioapic_msi(0x0100000000008000ull | IOAPIC_RTE_DEST_LOGICAL | (1 << 8) | 0x41, &a, &dt);
	ok(a == 0xfee01004 && dt == 0xc141, "lowest priority, logical dest 1, level: "
	   "address 0x%08x data 0x%08x", a, dt);

	/* Edge pin. */
	set_rte(&d, 2, 0x0100000000000030ull);
	ok(reg(&d, 0x14) == 0x30 && reg(&d, 0x15) == 0x01000000, "entry 2 reads back");
	mvm_ioapic_set_irq(&io, 2, true);
	ok(sent == 1 && last_addr == 0xfee01000 && last_data == 0x4030,
	   "edge pin 2 rising: one MSI, destination 1, vector 0x30");
	mvm_ioapic_set_irq(&io, 2, true);
	ok(sent == 1, "no new edge, no new MSI");
	mvm_ioapic_set_irq(&io, 2, false);
	mvm_ioapic_set_irq(&io, 2, true);
	ok(sent == 2, "next rising edge: another MSI");
	mvm_ioapic_set_irq(&io, 2, false);
	ok(!(reg(&d, 0x14) & IOAPIC_RTE_REMOTE_IRR), "edge pins never set remote IRR");
	set_rte(&d, 2, 0x0100000000000030ull | IOAPIC_RTE_MASKED);
	mvm_ioapic_set_irq(&io, 2, true);
	mvm_ioapic_set_irq(&io, 2, false);
	ok(sent == 2, "a masked edge pin sends nothing");

	/* Level pin. */
	sent = 0;
	set_rte(&d, 9, 0x40 | IOAPIC_RTE_LEVEL);
	mvm_ioapic_set_irq(&io, 9, true);
	ok(sent == 1 && (last_data & 0xc0ff) == 0xc040 && (reg(&d, 0x22) & IOAPIC_RTE_REMOTE_IRR),
	   "level pin 9 asserted: MSI with trigger=level, remote IRR set");
	mvm_ioapic_set_irq(&io, 9, false);
	mvm_ioapic_set_irq(&io, 9, true);
	ok(sent == 1, "re-asserting before the EOI sends nothing (remote IRR)");
	mvm_ioapic_eoi(&io, 0x41);
	ok(sent == 1 && (reg(&d, 0x22) & IOAPIC_RTE_REMOTE_IRR), "an EOI for another vector does not clear it");
	mvm_ioapic_eoi(&io, 0x40);
	ok(sent == 2, "EOI with the line still asserted: delivered again");
	mvm_ioapic_set_irq(&io, 9, false);
	mvm_ioapic_eoi(&io, 0x40);
	ok(sent == 2 && !(reg(&d, 0x22) & IOAPIC_RTE_REMOTE_IRR),
	   "EOI with the line down: remote IRR cleared, nothing sent");
	v = 0x22;
	mmio(&d, IOAPIC_REGSEL, &v, true);
	v = 0x40 | IOAPIC_RTE_LEVEL | IOAPIC_RTE_REMOTE_IRR | IOAPIC_RTE_DELIVS;
	mmio(&d, IOAPIC_WINDOW, &v, true);
	ok(!(reg(&d, 0x22) & (IOAPIC_RTE_REMOTE_IRR | IOAPIC_RTE_DELIVS)),
	   "remote IRR and delivery status are read-only");
	set_rte(&d, 9, 0x40 | IOAPIC_RTE_LEVEL | IOAPIC_RTE_MASKED);
	mvm_ioapic_set_irq(&io, 9, true);
	ok(sent == 2, "a masked level pin sends nothing");
	set_rte(&d, 9, 0x40 | IOAPIC_RTE_LEVEL);
	ok(sent == 3, "unmasking an asserted level pin delivers it");
	mvm_ioapic_set_irq(&io, 30, true);
	ok(sent == 3, "pins past 23 are ignored");
	v = 0xdeadbeef;
	ok(mvm_ioapic_access(&d, 0x20, &v, 4, false) == 0 && v == 0,
	   "other offsets in the page read as zero");
	return tap_end();
}
