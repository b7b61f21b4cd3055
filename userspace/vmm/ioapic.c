// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <string.h>

#include "ioapic.h"

void mvm_ioapic_init(struct mvm_ioapic *io, unsigned int apic_id, mvm_msi_fn deliver, void *ctx)
{
	unsigned int i;

	memset(io, 0, sizeof(*io));
	io->id = (apic_id & 0xf) << 24;
	for (i = 0; i < MVM_IOAPIC_NPINS; i++)
		io->rte[i] = IOAPIC_RTE_MASKED;	/* the reset state: all masked */
	io->deliver = deliver;
	io->deliver_ctx = ctx;
}

void mvm_ioapic_msi(uint64_t rte, uint32_t *address_lo, uint32_t *data)
{
	uint32_t dest = (uint32_t)(rte >> IOAPIC_RTE_DEST_SHIFT) & 0xff;
	uint32_t dm = (uint32_t)(rte >> IOAPIC_RTE_DM_SHIFT) & 7;

	/* SDM Vol. 3A 11.11.1: 0xfee, destination ID in 19:12, DM in bit 2. */
	*address_lo = 0xfee00000u | (dest << 12) | ((rte & IOAPIC_RTE_DEST_LOGICAL) ? 1u << 2 : 0);
	/* 11.11.2: vector 7:0, delivery mode 10:8, level (assert) 14, trigger 15. */
	*data = (uint32_t)(rte & IOAPIC_RTE_VECTOR) | (dm << 8) | (1u << 14) |
		((rte & IOAPIC_RTE_LEVEL) ? 1u << 15 : 0);
}

static void deliver(struct mvm_ioapic *io, unsigned int pin)
{
	uint32_t addr, data;
	int ret;

	mvm_ioapic_msi(io->rte[pin], &addr, &data);
	if (io->rte[pin] & IOAPIC_RTE_LEVEL)
		io->rte[pin] |= IOAPIC_RTE_REMOTE_IRR;	/* until the EOI */
	io->delivered++;
	ret = io->deliver ? io->deliver(io->deliver_ctx, addr, 0, data) : 0;
	if (ret < 0)
		io->failed++;
}

/* A level pin that is asserted, unmasked and not waiting for an EOI fires (again). */
static void check_level(struct mvm_ioapic *io, unsigned int pin)
{
	uint64_t r = io->rte[pin];

	if ((r & IOAPIC_RTE_LEVEL) && !(r & (IOAPIC_RTE_MASKED | IOAPIC_RTE_REMOTE_IRR)) &&
	    (io->pins & (1u << pin)))
		deliver(io, pin);
}

void mvm_ioapic_set_irq(struct mvm_ioapic *io, unsigned int pin, bool level)
{
	uint32_t bit = 1u << pin;
	bool was;

	if (pin >= MVM_IOAPIC_NPINS)
		return;
	was = io->pins & bit;
	if (level)
		io->pins |= bit;
	else
		io->pins &= ~bit;
	if (io->rte[pin] & IOAPIC_RTE_LEVEL)
		check_level(io, pin);
	else if (level && !was && !(io->rte[pin] & IOAPIC_RTE_MASKED))
		deliver(io, pin);	/* edge: a masked pin's edge is lost */
}

void mvm_ioapic_eoi(struct mvm_ioapic *io, uint8_t vector)
{
	unsigned int i;

	for (i = 0; i < MVM_IOAPIC_NPINS; i++) {
		uint64_t r = io->rte[i];

		if ((r & IOAPIC_RTE_VECTOR) != vector || !(r & IOAPIC_RTE_REMOTE_IRR))
			continue;
		io->rte[i] &= ~IOAPIC_RTE_REMOTE_IRR;
		check_level(io, i);	/* still asserted: the device wants more */
	}
}

uint32_t mvm_ioapic_read_reg(struct mvm_ioapic *io, uint32_t reg)
{
	unsigned int pin;

	switch (reg) {
	case IOAPIC_REG_ID:
	case IOAPIC_REG_ARB:
		return io->id;
	case IOAPIC_REG_VER:
		return MVM_IOAPIC_VERSION | ((MVM_IOAPIC_NPINS - 1) << 16);
	}
	if (reg < IOAPIC_REG_REDTBL || reg >= IOAPIC_REG_REDTBL + 2 * MVM_IOAPIC_NPINS)
		return 0xffffffff;
	pin = (reg - IOAPIC_REG_REDTBL) / 2;
	return (reg & 1) ? (uint32_t)(io->rte[pin] >> 32) : (uint32_t)io->rte[pin];
}

void mvm_ioapic_write_reg(struct mvm_ioapic *io, uint32_t reg, uint32_t val)
{
	unsigned int pin;
	uint64_t r;

	if (reg == IOAPIC_REG_ID) {
		io->id = val & (0xfu << 24);
		return;
	}
	if (reg < IOAPIC_REG_REDTBL || reg >= IOAPIC_REG_REDTBL + 2 * MVM_IOAPIC_NPINS)
		return;		/* version, arbitration: read-only */
	pin = (reg - IOAPIC_REG_REDTBL) / 2;
	r = io->rte[pin];
	if (reg & 1) {
		r = (r & 0xffffffffull) | ((uint64_t)val << 32);
		r &= ~(0x00ffffffull << 32);	/* bits 55:32 reserved */
	} else {
		r = (r & (0xffffffff00000000ull | IOAPIC_RTE_RO)) | (val & ~IOAPIC_RTE_RO);
		r &= ~(0xfffe0000ull);		/* bits 31:17 reserved */
	}
	if (!(r & IOAPIC_RTE_LEVEL))
		r &= ~IOAPIC_RTE_REMOTE_IRR;	/* edge pins have no remote IRR */
	io->rte[pin] = r;
	check_level(io, pin);	/* unmasking an asserted level pin fires it */
}

int mvm_ioapic_access(struct mvm_device *dev, uint64_t offset, void *data, unsigned int len,
		      bool is_write)
{
	struct mvm_ioapic *io = dev->priv;
	uint32_t v = 0;

	if (len != 4 || (offset != IOAPIC_REGSEL && offset != IOAPIC_WINDOW)) {
		/* Only aligned dwords at 0x00 and 0x10 exist; the rest reads as zero. */
		if (!is_write)
			memset(data, 0, len);
		return 0;
	}
	if (is_write)
		memcpy(&v, data, 4);
	if (offset == IOAPIC_REGSEL) {
		if (is_write)
			io->regsel = v & 0xff;
		else
			v = io->regsel;
	} else if (is_write) {
		mvm_ioapic_write_reg(io, io->regsel, v);
	} else {
		v = mvm_ioapic_read_reg(io, io->regsel);
	}
	if (!is_write)
		memcpy(data, &v, 4);
	return 0;
}
