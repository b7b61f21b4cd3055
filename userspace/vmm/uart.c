// SPDX-License-Identifier: GPL-2.0
/*
 * 16550A UART model. Transmission is instantaneous, so THR and the shift
 * register are always empty (LSR.THRE|TEMT). IIR reports the pending
 * conditions with the 16550 priorities; the interrupt line follows them
 * (gated by MCR.OUT2) after every register access and every host input.
 */
#include <errno.h>
#include <string.h>
#include <unistd.h>

#include "uart.h"

void mvm_uart_init(struct mvm_uart *u, mvm_uart_emit_fn emit, void *ctx)
{
	memset(u, 0, sizeof(*u));
	u->msr = UART_MSR_IDLE;
	u->dll = 1;		/* 115200 baud; the reset value is undefined on real parts */
	u->emit = emit;
	u->emit_ctx = ctx;
}

void mvm_uart_flush(struct mvm_uart *u)
{
	if (u->line_len && u->emit)
		u->emit(u->emit_ctx, u->line, u->line_len);
	u->line_len = 0;
}

static void transmit(struct mvm_uart *u, uint8_t c)
{
	u->line[u->line_len++] = (char)c;
	if (c == '\n' || u->line_len == sizeof(u->line))
		mvm_uart_flush(u);
}

static void rx_push(struct mvm_uart *u, uint8_t c)
{
	if (u->rx_count == MVM_UART_FIFO) {
		u->overrun = true;	/* the new byte is lost, as on the chip */
		return;
	}
	u->rx[(u->rx_head + u->rx_count) % MVM_UART_FIFO] = c;
	u->rx_count++;
}

static uint8_t rx_pop(struct mvm_uart *u)
{
	uint8_t c;

	if (!u->rx_count)
		return 0;
	c = u->rx[u->rx_head];
	u->rx_head = (u->rx_head + 1) % MVM_UART_FIFO;
	u->rx_count--;
	return c;
}

/* Modem status inputs: wired to the MCR outputs in loopback, idle-ready otherwise. */
static void update_msr(struct mvm_uart *u)
{
	uint8_t old = u->msr, now;

	if (u->mcr & UART_MCR_LOOP) {
		now = 0;
		if (u->mcr & UART_MCR_RTS)
			now |= UART_MSR_CTS;
		if (u->mcr & UART_MCR_DTR)
			now |= UART_MSR_DSR;
		if (u->mcr & UART_MCR_OUT1)
			now |= UART_MSR_RI;
		if (u->mcr & UART_MCR_OUT2)
			now |= UART_MSR_DCD;
	} else {
		now = UART_MSR_IDLE;
	}
	/* Deltas accumulate until MSR is read; TERI only on RI's falling edge. */
	u->msr = now | (old & 0x0f);
	if ((old ^ now) & UART_MSR_CTS)
		u->msr |= UART_MSR_DCTS;
	if ((old ^ now) & UART_MSR_DSR)
		u->msr |= UART_MSR_DDSR;
	if ((old & UART_MSR_RI) && !(now & UART_MSR_RI))
		u->msr |= UART_MSR_TERI;
	if ((old ^ now) & UART_MSR_DCD)
		u->msr |= UART_MSR_DDCD;
}

static bool host_visible(const struct mvm_uart *u)
{
	return !(u->mcr & UART_MCR_LOOP) && ((u->ier & UART_IER_ERBFI) || !u->ier_written);
}

static bool data_ready(const struct mvm_uart *u)
{
	return u->rx_count || (u->in_count && host_visible(u));
}

bool mvm_uart_intr_pending(const struct mvm_uart *u)
{
	return ((u->ier & UART_IER_ELSI) && u->overrun) ||
	       ((u->ier & UART_IER_ERBFI) && data_ready(u)) ||
	       ((u->ier & UART_IER_ETBEI) && u->thre_pending) ||
	       ((u->ier & UART_IER_EDSSI) && (u->msr & 0x0f));
}

static void update_irq(struct mvm_uart *u)
{
	mvm_irq_line_set(&u->irq, mvm_uart_intr_pending(u) && (u->mcr & UART_MCR_OUT2) &&
			 !(u->mcr & UART_MCR_LOOP));
}

size_t mvm_uart_rx_room(const struct mvm_uart *u)
{
	return MVM_UART_BACKLOG - u->in_count;
}

size_t mvm_uart_receive(struct mvm_uart *u, const uint8_t *buf, size_t len)
{
	size_t n = 0;

	while (n < len && u->in_count < MVM_UART_BACKLOG) {
		u->in[(u->in_head + u->in_count) % MVM_UART_BACKLOG] = buf[n++];
		u->in_count++;
	}
	update_irq(u);
	return n;
}

static uint8_t read_rbr(struct mvm_uart *u)
{
	uint8_t c;

	if (u->rx_count)
		return rx_pop(u);
	if (!u->in_count || !host_visible(u))
		return 0;
	c = u->in[u->in_head];
	u->in_head = (u->in_head + 1) % MVM_UART_BACKLOG;
	u->in_count--;
	return c;
}

static uint8_t read_iir(struct mvm_uart *u)
{
	uint8_t fifo = (u->fcr & UART_FCR_ENABLE) ? UART_IIR_FIFO : 0;

	if ((u->ier & UART_IER_ELSI) && u->overrun)
		return fifo | UART_IIR_RLSI;
	if ((u->ier & UART_IER_ERBFI) && data_ready(u))
		return fifo | UART_IIR_RDI;
	if ((u->ier & UART_IER_ETBEI) && u->thre_pending) {
		u->thre_pending = false;	/* reading IIR acknowledges THRE */
		return fifo | UART_IIR_THRI;
	}
	if ((u->ier & UART_IER_EDSSI) && (u->msr & 0x0f))
		return fifo | UART_IIR_MSI;
	return fifo | UART_IIR_NO_INT;
}

static uint8_t uart_read(struct mvm_uart *u, unsigned int reg)
{
	uint8_t v;

	switch (reg) {
	case UART_RBR:
		return (u->lcr & UART_LCR_DLAB) ? u->dll : read_rbr(u);
	case UART_IER:
		return (u->lcr & UART_LCR_DLAB) ? u->dlm : u->ier;
	case UART_IIR:
		return read_iir(u);
	case UART_LCR:
		return u->lcr;
	case UART_MCR:
		return u->mcr;
	case UART_LSR:
		v = UART_LSR_THRE | UART_LSR_TEMT;
		if (data_ready(u))
			v |= UART_LSR_DR;
		if (u->overrun)
			v |= UART_LSR_OE;
		u->overrun = false;
		return v;
	case UART_MSR:
		v = u->msr;
		u->msr &= 0xf0;
		return v;
	case UART_SCR:
		return u->scr;
	default:
		return 0xff;
	}
}

uint8_t mvm_uart_read(struct mvm_uart *u, unsigned int reg)
{
	uint8_t v = uart_read(u, reg);

	update_irq(u);
	return v;
}

static void uart_write(struct mvm_uart *u, unsigned int reg, uint8_t val)
{
	switch (reg) {
	case UART_THR:
		if (u->lcr & UART_LCR_DLAB) {
			u->dll = val;
			break;
		}
		/* In loopback the transmitter is cut off from the line. */
		if (u->mcr & UART_MCR_LOOP)
			rx_push(u, val);
		else
			transmit(u, val);
		u->thre_pending = true;	/* sent at once: THR is empty again */
		break;
	case UART_IER:
		if (u->lcr & UART_LCR_DLAB) {
			u->dlm = val;
			break;
		}
		/* Enabling ETBEI with THR empty raises the THRE condition at once. */
		if ((val & UART_IER_ETBEI) && !(u->ier & UART_IER_ETBEI))
			u->thre_pending = true;
		u->ier = val & UART_IER_MASK;
		u->ier_written = true;
		break;
	case UART_FCR:
		/* Toggling the FIFO enable, or the clear bits, empties the FIFOs. */
		if ((val & UART_FCR_CLR_RX) || ((val ^ u->fcr) & UART_FCR_ENABLE)) {
			u->rx_count = 0;
			u->rx_head = 0;
		}
		u->fcr = val & UART_FCR_KEEP;
		break;
	case UART_LCR:
		u->lcr = val;
		break;
	case UART_MCR:
		u->mcr = val & UART_MCR_MASK;
		update_msr(u);
		break;
	case UART_LSR:
	case UART_MSR:
		break;		/* read-only (factory test writes are ignored) */
	case UART_SCR:
		u->scr = val;
		break;
	}
}

void mvm_uart_write(struct mvm_uart *u, unsigned int reg, uint8_t val)
{
	uart_write(u, reg, val);
	update_irq(u);
}

int mvm_uart_access(struct mvm_device *dev, uint64_t offset, void *data, unsigned int len,
		    bool is_write)
{
	struct mvm_uart *u = dev->priv;
	uint8_t *bytes = data;
	unsigned int i;

	/* An ISA bus splits a wide access into byte cycles on successive ports. */
	for (i = 0; i < len; i++) {
		unsigned int reg = (unsigned int)(offset + i);

		if (reg >= MVM_UART_NR_REGS)
			return -EINVAL;
		if (is_write)
			mvm_uart_write(u, reg, bytes[i]);
		else
			bytes[i] = mvm_uart_read(u, reg);
	}
	return 0;
}

void mvm_uart_emit_fd(void *ctx, const char *buf, size_t len)
{
	int fd = *(int *)ctx;

	while (len) {
		ssize_t n = write(fd, buf, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return;	/* stdout gone (EPIPE, closed): the guest keeps running */
		buf += n;
		len -= (size_t)n;
	}
}
