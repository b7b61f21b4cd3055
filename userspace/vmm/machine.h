/* SPDX-License-Identifier: GPL-2.0 */
/* The virtual platform around the vCPU: its buses and device models. */
#ifndef MVM_MACHINE_H
#define MVM_MACHINE_H

#include <stdio.h>

#include "bus.h"
#include "debug_exit.h"
#include "uart.h"

/* Unclaimed-access warnings printed before going quiet (a polling guest would flood). */
#define MVM_MAX_UNCLAIMED_WARNINGS	20

struct mvm_machine {
	struct mvm_bus pio;
	struct mvm_bus mmio;

	struct mvm_uart uart;
	struct mvm_device uart_dev;
	struct mvm_debug_exit debug_exit;
	struct mvm_device debug_exit_dev;

	FILE *log;			/* warnings and exit dumps (stderr) */
	unsigned int unclaimed;		/* unclaimed accesses seen */
};

/* UART output goes to emit(ctx, ...). 0 or -errno (a device could not be registered). */
int mvm_machine_init(struct mvm_machine *m, mvm_uart_emit_fn emit, void *ctx, FILE *log);
/* Flush buffered device output; call before exiting. */
void mvm_machine_finish(struct mvm_machine *m);

#endif /* MVM_MACHINE_H */
