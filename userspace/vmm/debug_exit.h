/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Debug-exit port (0xf4), after QEMU's isa-debug-exit: a guest ends mvm by
 * writing a value V; mvm exits with status (V << 1) | 1, always odd so it
 * cannot be mistaken for one of mvm's own (even) statuses.
 */
#ifndef MVM_DEBUG_EXIT_H
#define MVM_DEBUG_EXIT_H

#include <stdbool.h>
#include <stdint.h>

#include "bus.h"

#define MVM_DEBUG_EXIT_PORT	0xf4
#define MVM_DEBUG_EXIT_SIZE	4	/* outb, outw and outl at 0xf4 all work */

struct mvm_debug_exit {
	bool fired;
	uint32_t value;		/* what the guest wrote, zero-extended */
};

void mvm_debug_exit_init(struct mvm_debug_exit *d);
/* Bus handler; dev->priv is the struct mvm_debug_exit. Reads return 0. */
int mvm_debug_exit_access(struct mvm_device *dev, uint64_t offset, void *data,
			  unsigned int len, bool is_write);
/* The process exit status for value v, as the shell sees it (8 bits). */
int mvm_debug_exit_status(uint32_t v);

#endif /* MVM_DEBUG_EXIT_H */
