// SPDX-License-Identifier: GPL-2.0
#include <string.h>

#include "machine.h"

int mvm_machine_init(struct mvm_machine *m, mvm_uart_emit_fn emit, void *ctx, FILE *log)
{
	int ret;

	memset(m, 0, sizeof(*m));
	m->log = log;
	mvm_bus_init(&m->pio, "pio");
	mvm_bus_init(&m->mmio, "mmio");

	mvm_uart_init(&m->uart, emit, ctx);
	m->uart_dev = (struct mvm_device){
		.name = "uart-16550",
		.base = MVM_UART_COM1_BASE,
		.size = MVM_UART_NR_REGS,
		.access = mvm_uart_access,
		.priv = &m->uart,
	};
	ret = mvm_bus_register(&m->pio, &m->uart_dev);
	if (ret)
		return ret;

	mvm_debug_exit_init(&m->debug_exit);
	m->debug_exit_dev = (struct mvm_device){
		.name = "debug-exit",
		.base = MVM_DEBUG_EXIT_PORT,
		.size = MVM_DEBUG_EXIT_SIZE,
		.access = mvm_debug_exit_access,
		.priv = &m->debug_exit,
	};
	return mvm_bus_register(&m->pio, &m->debug_exit_dev);
}

void mvm_machine_finish(struct mvm_machine *m)
{
	mvm_uart_flush(&m->uart);
}
