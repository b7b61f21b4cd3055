/* SPDX-License-Identifier: GPL-2.0 */
/*
 * 16550A UART model (COM1 at 0x3f8). Transmitted bytes go to an output sink
 * (stdout in mvm), line-buffered. There is no host input yet: the receiver
 * only ever holds bytes looped back in MCR loopback mode.
 */
#ifndef MVM_UART_H
#define MVM_UART_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "bus.h"

#define MVM_UART_COM1_BASE	0x3f8
#define MVM_UART_NR_REGS	8

/* Register offsets (DLAB selects DLL/DLM at 0 and 1). */
#define UART_RBR	0	/* read, DLAB=0 */
#define UART_THR	0	/* write, DLAB=0 */
#define UART_DLL	0	/* DLAB=1 */
#define UART_IER	1	/* DLAB=0 */
#define UART_DLM	1	/* DLAB=1 */
#define UART_IIR	2	/* read */
#define UART_FCR	2	/* write */
#define UART_LCR	3
#define UART_MCR	4
#define UART_LSR	5
#define UART_MSR	6
#define UART_SCR	7

#define UART_IER_ERBFI	0x01	/* received data available */
#define UART_IER_ETBEI	0x02	/* transmitter holding register empty */
#define UART_IER_ELSI	0x04	/* receiver line status */
#define UART_IER_EDSSI	0x08	/* modem status */
#define UART_IER_MASK	0x0f

#define UART_IIR_NO_INT	0x01
#define UART_IIR_MSI	0x00
#define UART_IIR_THRI	0x02
#define UART_IIR_RDI	0x04
#define UART_IIR_RLSI	0x06
#define UART_IIR_FIFO	0xc0	/* FIFOs enabled */

#define UART_FCR_ENABLE	0x01
#define UART_FCR_CLR_RX	0x02
#define UART_FCR_CLR_TX	0x04
#define UART_FCR_KEEP	0xc9	/* enable, DMA mode, trigger level */

#define UART_LCR_DLAB	0x80

#define UART_MCR_DTR	0x01
#define UART_MCR_RTS	0x02
#define UART_MCR_OUT1	0x04
#define UART_MCR_OUT2	0x08
#define UART_MCR_LOOP	0x10
#define UART_MCR_MASK	0x1f

#define UART_LSR_DR	0x01
#define UART_LSR_OE	0x02
#define UART_LSR_THRE	0x20
#define UART_LSR_TEMT	0x40

#define UART_MSR_DCTS	0x01
#define UART_MSR_DDSR	0x02
#define UART_MSR_TERI	0x04
#define UART_MSR_DDCD	0x08
#define UART_MSR_CTS	0x10
#define UART_MSR_DSR	0x20
#define UART_MSR_RI	0x40
#define UART_MSR_DCD	0x80
/* Lines seen when not in loopback: a terminal is attached and ready. */
#define UART_MSR_IDLE	(UART_MSR_DCD | UART_MSR_DSR | UART_MSR_CTS)

#define MVM_UART_FIFO	16
#define MVM_UART_LINE	256

typedef void (*mvm_uart_emit_fn)(void *ctx, const char *buf, size_t len);

struct mvm_uart {
	uint8_t ier, lcr, mcr, msr, scr, fcr;
	uint8_t dll, dlm;
	bool thre_pending;	/* THR-empty interrupt condition, cleared by an IIR read */
	bool overrun;		/* LSR.OE, cleared by an LSR read */
	uint8_t rx[MVM_UART_FIFO];
	unsigned int rx_head, rx_count;
	char line[MVM_UART_LINE];	/* transmitted, not yet emitted */
	size_t line_len;
	mvm_uart_emit_fn emit;
	void *emit_ctx;
};

void mvm_uart_init(struct mvm_uart *u, mvm_uart_emit_fn emit, void *ctx);
uint8_t mvm_uart_read(struct mvm_uart *u, unsigned int reg);
void mvm_uart_write(struct mvm_uart *u, unsigned int reg, uint8_t val);
void mvm_uart_flush(struct mvm_uart *u);
/* Bus handler; dev->priv is the struct mvm_uart. Wide accesses hit successive registers. */
int mvm_uart_access(struct mvm_device *dev, uint64_t offset, void *data, unsigned int len,
		    bool is_write);
/* A sink writing to a file descriptor (ctx is an int * holding the fd). */
void mvm_uart_emit_fd(void *ctx, const char *buf, size_t len);

#endif /* MVM_UART_H */
