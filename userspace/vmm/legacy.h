/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Ports a PC guest touches that need no model: writes are dropped, reads
 * return all-ones, and no "unclaimed" warning is printed for them.
 *   0x80      POST code / Linux's I/O delay (outb to 0x80 after slow ports)
 *   0xed      the alternative I/O-delay port (io_delay=0xed)
 */
#ifndef MVM_LEGACY_H
#define MVM_LEGACY_H

#include <stdbool.h>
#include <stdint.h>

#include "bus.h"

#define MVM_POST_PORT		0x80
#define MVM_DELAY_PORT_ED	0xed

int mvm_sink_access(struct mvm_device *dev, uint64_t offset, void *data, unsigned int len,
		    bool is_write);

#endif /* MVM_LEGACY_H */
