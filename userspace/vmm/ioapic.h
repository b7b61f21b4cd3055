/* SPDX-License-Identifier: GPL-2.0 */
/*
 * I/O APIC (82093AA data sheet) at 0xfec00000: IOREGSEL at offset 0x00,
 * IOWIN at 0x10; registers ID (0), version (1: 0x11, 24 entries),
 * arbitration (2), and the 24 redirection-table entries (0x10 + 2n low,
 * 0x11 + 2n high). An unmasked pin that fires is delivered to the
 * in-kernel local APICs as an MSI composed from its entry (SDM Vol. 3A
 * 11.11: destination, destination mode, delivery mode, vector, trigger).
 * Version 0x11 has no EOI register: a level-triggered pin's remote IRR is
 * cleared by the local APIC's EOI, which the kernel reports as MV_EXIT_EOI
 * with the vector (mvm_ioapic_eoi).
 *
 * Pin levels are logical (asserted or not): the polarity bit is stored but
 * not applied, since the ISA lines mvm drives are active-high as the MADT
 * declares them.
 */
#ifndef MVM_IOAPIC_H
#define MVM_IOAPIC_H

#include <stdbool.h>
#include <stdint.h>

#include "bus.h"

#define MVM_IOAPIC_ADDR		0xfec00000ull
#define MVM_IOAPIC_SIZE		0x1000
#define MVM_IOAPIC_NPINS		24
#define MVM_IOAPIC_VERSION	0x11

#define IOAPIC_REGSEL		0x00
#define IOAPIC_WINDOW		0x10

#define IOAPIC_REG_ID		0x00
#define IOAPIC_REG_VER		0x01
#define IOAPIC_REG_ARB		0x02
#define IOAPIC_REG_REDTBL	0x10

/* Redirection entry bits. */
#define IOAPIC_RTE_VECTOR	0xffull
#define IOAPIC_RTE_DM_SHIFT	8		/* 3 bits, MV_APIC_DM_* */
#define IOAPIC_RTE_DEST_LOGICAL	(1ull << 11)
#define IOAPIC_RTE_DELIVS	(1ull << 12)	/* read-only */
#define IOAPIC_RTE_POLARITY_LOW	(1ull << 13)
#define IOAPIC_RTE_REMOTE_IRR	(1ull << 14)	/* read-only */
#define IOAPIC_RTE_LEVEL	(1ull << 15)
#define IOAPIC_RTE_MASKED	(1ull << 16)
#define IOAPIC_RTE_DEST_SHIFT	56
#define IOAPIC_RTE_RO		(IOAPIC_RTE_DELIVS | IOAPIC_RTE_REMOTE_IRR)

/* Deliver one message: mv_signal_msi() in mvm. Returns accepting APICs or -errno. */
typedef int (*mvm_msi_fn)(void *ctx, uint32_t address_lo, uint32_t address_hi, uint32_t data);

struct mvm_ioapic {
	uint32_t id;		/* register 0 as read (ID in bits 27:24) */
	uint32_t regsel;
	uint64_t rte[MVM_IOAPIC_NPINS];
	uint32_t pins;		/* asserted inputs */
	mvm_msi_fn deliver;
	void *deliver_ctx;
	unsigned long delivered;	/* messages sent */
	unsigned long failed;		/* deliver() errors */
};

void mvm_ioapic_init(struct mvm_ioapic *io, unsigned int apic_id, mvm_msi_fn deliver, void *ctx);
void mvm_ioapic_set_irq(struct mvm_ioapic *io, unsigned int pin, bool level);
/* A local APIC ended a level-triggered interrupt with this vector. */
void mvm_ioapic_eoi(struct mvm_ioapic *io, uint8_t vector);
/* The MSI address/data a redirection entry sends. */
void mvm_ioapic_msi(uint64_t rte, uint32_t *address_lo, uint32_t *data);
uint32_t mvm_ioapic_read_reg(struct mvm_ioapic *io, uint32_t reg);
void mvm_ioapic_write_reg(struct mvm_ioapic *io, uint32_t reg, uint32_t val);
/* Bus handler (MMIO): dev->priv is the struct mvm_ioapic; 32-bit accesses at 0x00, 0x10. */
int mvm_ioapic_access(struct mvm_device *dev, uint64_t offset, void *data, unsigned int len,
		      bool is_write);

#endif /* MVM_IOAPIC_H */
