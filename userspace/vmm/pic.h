/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The PC's pair of 8259A programmable interrupt controllers: the master at
 * 0x20/0x21 and the slave at 0xa0/0xa1 cascaded on the master's IRQ2, plus
 * the edge/level control registers (ELCR) at 0x4d0/0x4d1 of PIIX-era
 * chipsets. Modelled after the Intel 8259A data sheet: ICW1-ICW4, OCW1-OCW3,
 * IRR/ISR/IMR, edge and level triggering, automatic EOI, specific and
 * non-specific EOI, priority rotation, special mask mode, poll mode.
 *
 * After mvm_pic_init() the pair is as a PC BIOS leaves it: bases 0x08 and
 * 0x70, all masked but the cascade (IMR 0xfb / 0xff).
 *
 * The master's INTR output is "a vector is ready" for vCPU 0; the INTA
 * cycle is mvm_pic_ack(), called when that vector is injected.
 */
#ifndef MVM_PIC_H
#define MVM_PIC_H

#include <stdbool.h>
#include <stdint.h>

#include "bus.h"

#define MVM_PIC_MASTER_BASE	0x20
#define MVM_PIC_SLAVE_BASE	0xa0
#define MVM_PIC_ELCR_BASE	0x4d0
#define MVM_PIC_NR_PORTS	2

struct mvm_pic_chip {
	uint8_t irr;		/* requests latched (edge) or present (level) */
	uint8_t isr;		/* in service */
	uint8_t imr;		/* masked */
	uint8_t lines;		/* input pin levels */
	uint8_t elcr;		/* 1: level-triggered pin */
	uint8_t elcr_mask;	/* ELCR bits that exist */
	uint8_t base;		/* ICW2: vector of IR0 */
	uint8_t icw3;
	uint8_t lowest;		/* the pin with the lowest priority (7 after ICW1) */
	uint8_t init_step;	/* 0: operational; 2, 3, 4: ICW2..ICW4 expected next */
	bool icw4_needed, single, ltim;
	bool auto_eoi, rotate_on_aeoi, sfnm;
	bool read_isr;		/* OCW3 RR/RIS: port 0 reads ISR rather than IRR */
	bool poll;		/* OCW3 P: the next port-0 read is a poll */
	bool special_mask;	/* OCW3 SMM */
};

typedef void (*mvm_pic_notify_fn)(void *ctx, bool intr);

struct mvm_pic {
	struct mvm_pic_chip chip[2];	/* [0] master, [1] slave */
	bool intr;			/* the master's INTR output */
	mvm_pic_notify_fn notify;	/* INTR changed */
	void *notify_ctx;
};

void mvm_pic_init(struct mvm_pic *p, mvm_pic_notify_fn notify, void *ctx);
/* An ISA IRQ line (0-15) changed level. */
void mvm_pic_set_irq(struct mvm_pic *p, unsigned int irq, bool level);
/* INTR: a vector is ready for the CPU. */
bool mvm_pic_intr(const struct mvm_pic *p);
/* INTA: the vector the CPU gets (IRR -> ISR), or -1 when nothing is pending. */
int mvm_pic_ack(struct mvm_pic *p);
/* Port access, chip 0/1, port 0/1. */
uint8_t mvm_pic_read(struct mvm_pic *p, unsigned int chip, unsigned int port);
void mvm_pic_write(struct mvm_pic *p, unsigned int chip, unsigned int port, uint8_t val);

/* Bus handlers: dev->priv is the struct mvm_pic; base 0x20, 0xa0, 0x4d0 selects the part. */
int mvm_pic_master_access(struct mvm_device *dev, uint64_t offset, void *data,
			  unsigned int len, bool is_write);
int mvm_pic_slave_access(struct mvm_device *dev, uint64_t offset, void *data,
			 unsigned int len, bool is_write);
int mvm_pic_elcr_access(struct mvm_device *dev, uint64_t offset, void *data,
			unsigned int len, bool is_write);

#endif /* MVM_PIC_H */
