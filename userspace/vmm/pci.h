/* SPDX-License-Identifier: GPL-2.0 */
/*
 * PCI configuration mechanism #1 with no device behind it: CONFIG_ADDRESS
 * at 0xcf8 (32-bit) reads back what was written, so a guest finds a host
 * bridge-less type-1 mechanism, and CONFIG_DATA at 0xcfc-0xcff reads
 * all-ones (no device at any bus/device/function), writes are dropped.
 * The byte at 0xcf9 is the PIIX/ICH reset control register: writing it with
 * bit 2 (reset CPU) set is a reboot request.
 */
#ifndef MVM_PCI_H
#define MVM_PCI_H

#include <stdbool.h>
#include <stdint.h>

#include "bus.h"
#include "pm.h"

#define MVM_PCI_CONFIG_ADDR	0xcf8
#define MVM_PCI_CONFIG_DATA	0xcfc
#define MVM_PCI_RESET_CTRL	0xcf9
#define PCI_RST_CPU		0x04

struct mvm_pci {
	uint32_t address;	/* CONFIG_ADDRESS (bits 1:0 read as 0) */
	uint8_t rst_ctrl;
	mvm_stop_fn stop;
	void *stop_ctx;
};

void mvm_pci_init(struct mvm_pci *p, mvm_stop_fn stop, void *ctx);
/* 0xcf8-0xcfb: dev->priv is the struct mvm_pci. */
int mvm_pci_addr_access(struct mvm_device *dev, uint64_t offset, void *data, unsigned int len,
			bool is_write);
/* 0xcfc-0xcff. */
int mvm_pci_data_access(struct mvm_device *dev, uint64_t offset, void *data, unsigned int len,
			bool is_write);

#endif /* MVM_PCI_H */
