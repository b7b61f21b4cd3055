/* SPDX-License-Identifier: GPL-2.0 */
/*
 * 16550A UART model (COM1 at 0x3f8, IRQ4). Transmitted bytes go to an
 * output sink (stdout in mvm), line-buffered. Host input (mvm's stdin) is
 * queued in a backlog of MVM_UART_BACKLOG bytes that is never dropped from:
 * the guest reads it from RBR one byte at a time, and the feeder stops
 * reading its input while the backlog is full (mvm_uart_rx_room). Host
 * bytes are visible to the guest (LSR.DR, RBR, the receive interrupt) while
 * IER.ERBFI is set, or as long as the guest has never written IER (a polling
 * guest); a driver that has written IER = 0 (Linux while the port is closed
 * or being probed) does not see them, so they wait for the reader rather
 * than being eaten by a probe's "flush the receiver" reads. In loopback mode
 * the receiver only sees what the guest transmits (a 16-byte FIFO with
 * overrun). The interrupt output (IIR != no interrupt) reaches the line
 * only while MCR.OUT2 is set and loopback is off, as on a PC's COM port.
 */
#ifndef MVM_UART_H
#define MVM_UART_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "bus.h"
#include "irq.h"

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
#define MVM_UART_BACKLOG	4096
#define MVM_UART_COM1_IRQ	4

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
	uint8_t in[MVM_UART_BACKLOG];	/* host input not yet read by the guest */
	size_t in_head, in_count;
	bool ier_written;	/* the guest wrote IER at least once */
	struct mvm_irq_line irq;
};

void mvm_uart_init(struct mvm_uart *u, mvm_uart_emit_fn emit, void *ctx);
uint8_t mvm_uart_read(struct mvm_uart *u, unsigned int reg);
void mvm_uart_write(struct mvm_uart *u, unsigned int reg, uint8_t val);
void mvm_uart_flush(struct mvm_uart *u);
/* Queue host input: how many of len bytes fit in the backlog (the rest: retry later). */
size_t mvm_uart_receive(struct mvm_uart *u, const uint8_t *buf, size_t len);
/* Free bytes in the backlog. */
size_t mvm_uart_rx_room(const struct mvm_uart *u);
/* Is an interrupt condition pending (what IIR would report), before OUT2 gating? */
bool mvm_uart_intr_pending(const struct mvm_uart *u);
/* Bus handler; dev->priv is the struct mvm_uart. Wide accesses hit successive registers. */
int mvm_uart_access(struct mvm_device *dev, uint64_t offset, void *data, unsigned int len,
		    bool is_write);
/* A sink writing to a file descriptor (ctx is an int * holding the fd). */
void mvm_uart_emit_fd(void *ctx, const char *buf, size_t len);

#endif /* MVM_UART_H */
