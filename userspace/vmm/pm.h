/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The ways a guest ends the whole machine, and the ACPI PM1a fixed hardware
 * that powers it off: PM1_STS/PM1_EN (event block) and PM1_CNT (control
 * block) at the ports the FADT names (boot.h). Writing SLP_TYP = 5 (the
 * DSDT's \_S5) together with SLP_EN to PM1_CNT is a power-off request; other
 * sleep types are ignored (there is no S1-S4). SCI_EN always reads as 1.
 * The SCI (IRQ9, level) is up while PM1_STS & PM1_EN has a bit set; mvm
 * sets no status bit itself (no PM timer, no power button), so it stays low
 * unless a status bit is set from outside (mvm_pm_set_status).
 */
#ifndef MVM_PM_H
#define MVM_PM_H

#include <stdbool.h>
#include <stdint.h>

#include "bus.h"
#include "irq.h"

enum mvm_stop_reason {
	MVM_STOP_NONE,
	MVM_STOP_POWEROFF,	/* ACPI S5 */
	MVM_STOP_RESET_I8042,	/* i8042 pulse-reset (also the FADT reset register) */
	MVM_STOP_RESET_PCI,	/* reset control register 0xcf9 */
	MVM_STOP_TRIPLE_FAULT,	/* MV_EXIT_SHUTDOWN */
};

/* The machine's "end everything" entry: a device asks, the machine stops every vCPU. */
typedef void (*mvm_stop_fn)(void *ctx, enum mvm_stop_reason why);

/* "guest powered off", "guest reset (i8042)", ... for the one-line message. */
const char *mvm_stop_reason_str(enum mvm_stop_reason why);

#define MVM_PM_SLP_TYP_SHIFT	10
#define MVM_PM_SLP_TYP_MASK	(7u << MVM_PM_SLP_TYP_SHIFT)
#define MVM_PM_SLP_EN		(1u << 13)
#define MVM_PM_SCI_EN		(1u << 0)
#define MVM_PM_SLP_TYP_S5	5

struct mvm_pm {
	uint16_t sts, en, cnt;
	struct mvm_irq_line sci;
	mvm_stop_fn stop;
	void *stop_ctx;
};

void mvm_pm_init(struct mvm_pm *pm, mvm_stop_fn stop, void *ctx);
/* Set PM1_STS bits (e.g. PWRBTN_STS, bit 8), as the hardware would. */
void mvm_pm_set_status(struct mvm_pm *pm, uint16_t bits);
/* Bus handlers: dev->priv is the struct mvm_pm; the event block (4 ports), control (2). */
int mvm_pm_evt_access(struct mvm_device *dev, uint64_t offset, void *data, unsigned int len,
		      bool is_write);
int mvm_pm_cnt_access(struct mvm_device *dev, uint64_t offset, void *data, unsigned int len,
		      bool is_write);

#endif /* MVM_PM_H */
