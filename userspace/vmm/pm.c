// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <string.h>

#include "pm.h"

const char *mvm_stop_reason_str(enum mvm_stop_reason why)
{
	switch (why) {
	case MVM_STOP_POWEROFF:
		return "guest powered off";
	case MVM_STOP_RESET_I8042:
		return "guest reset (i8042 pulse reset, also the ACPI reset register)";
	case MVM_STOP_RESET_PCI:
		return "guest reset (reset control register 0xcf9)";
	case MVM_STOP_TRIPLE_FAULT:
		return "guest reset (triple fault)";
	default:
		return "guest stopped";
	}
}

void mvm_pm_init(struct mvm_pm *pm, mvm_stop_fn stop, void *ctx)
{
	memset(pm, 0, sizeof(*pm));
	pm->cnt = MVM_PM_SCI_EN;
	pm->stop = stop;
	pm->stop_ctx = ctx;
}

static void update_sci(struct mvm_pm *pm)
{
	mvm_irq_line_set(&pm->sci, (pm->sts & pm->en) != 0);
}

void mvm_pm_set_status(struct mvm_pm *pm, uint16_t bits)
{
	pm->sts |= bits;
	update_sci(pm);
}

/* Little-endian bytes [offset, offset + len) of a register file. */
static void rw_bytes(uint8_t *regs, unsigned int size, uint64_t offset, uint8_t *data,
		     unsigned int len, bool is_write)
{
	unsigned int i;

	for (i = 0; i < len && offset + i < size; i++) {
		if (is_write)
			regs[offset + i] = data[i];
		else
			data[i] = regs[offset + i];
	}
}

int mvm_pm_evt_access(struct mvm_device *dev, uint64_t offset, void *data, unsigned int len,
		      bool is_write)
{
	struct mvm_pm *pm = dev->priv;
	uint8_t regs[4], w[4] = { 0 };

	if (offset + len > 4)
		return -EINVAL;
	regs[0] = (uint8_t)pm->sts;
	regs[1] = (uint8_t)(pm->sts >> 8);
	regs[2] = (uint8_t)pm->en;
	regs[3] = (uint8_t)(pm->en >> 8);
	if (!is_write) {
		rw_bytes(regs, 4, offset, data, len, false);
		return 0;
	}
	memcpy(w, regs, 4);
	rw_bytes(w, 4, offset, data, len, true);
	/* PM1_STS bits are write-1-to-clear; PM1_EN is plain read/write. */
	if (offset < 2) {
		uint16_t clr = 0;

		if (offset == 0)
			clr |= ((uint8_t *)data)[0];
		if (offset + len > 1)
			clr |= (uint16_t)(((uint8_t *)data)[1 - offset] << 8);
		pm->sts &= (uint16_t)~clr;
	}
	if (offset + len > 2)
		pm->en = (uint16_t)(w[2] | (w[3] << 8));
	update_sci(pm);
	return 0;
}

int mvm_pm_cnt_access(struct mvm_device *dev, uint64_t offset, void *data, unsigned int len,
		      bool is_write)
{
	struct mvm_pm *pm = dev->priv;
	uint8_t regs[2];

	if (offset + len > 2)
		return -EINVAL;
	regs[0] = (uint8_t)pm->cnt;
	regs[1] = (uint8_t)(pm->cnt >> 8);
	rw_bytes(regs, 2, offset, data, len, is_write);
	if (!is_write)
		return 0;
	pm->cnt = (uint16_t)((regs[0] | (regs[1] << 8)) | MVM_PM_SCI_EN);
	if ((pm->cnt & MVM_PM_SLP_EN) &&
	    ((pm->cnt & MVM_PM_SLP_TYP_MASK) >> MVM_PM_SLP_TYP_SHIFT) == MVM_PM_SLP_TYP_S5) {
		if (pm->stop)
			pm->stop(pm->stop_ctx, MVM_STOP_POWEROFF);
	}
	pm->cnt &= (uint16_t)~MVM_PM_SLP_EN;	/* SLP_EN is write-only, reads 0 */
	return 0;
}
