// SPDX-License-Identifier: GPL-2.0
/* The 16550A model: register semantics, DLAB, LSR/IIR/MSR, output buffering. */
#include <string.h>

#include "tap.h"
#include "uart.h"

static char out[4096];
static size_t out_len;
static unsigned int emits;

static void sink(void *ctx, const char *buf, size_t len)
{
	(void)ctx;
	if (out_len + len <= sizeof(out)) {
		memcpy(out + out_len, buf, len);
		out_len += len;
	}
	emits++;
}

static unsigned int irq_rises;

static void irq(void *ctx, unsigned int n, bool level)
{
	(void)ctx;
	(void)n;
	if (level)
		irq_rises++;
}

/* Interrupts and host input on a fresh UART. */
static void test_irq_and_input(void)
{
	static uint8_t big[MVM_UART_BACKLOG + 100];
	struct mvm_uart u;
	unsigned int i, got = 0;
	bool lost = false;

	mvm_uart_init(&u, NULL, NULL);
	mvm_irq_line_init(&u.irq, irq, NULL, 4);
	ok(mvm_uart_receive(&u, (const uint8_t *)"ab", 2) == 2 &&
	   (mvm_uart_read(&u, UART_LSR) & UART_LSR_DR) && mvm_uart_read(&u, UART_RBR) == 'a',
	   "host input: a guest that never wrote IER (polling) sees it");
	mvm_uart_write(&u, UART_IER, 0);
	ok(!(mvm_uart_read(&u, UART_LSR) & UART_LSR_DR) && mvm_uart_read(&u, UART_RBR) == 0,
	   "after IER = 0 (a driver probing or closed) host bytes wait, RBR reads 0");
	mvm_uart_write(&u, UART_FCR, UART_FCR_ENABLE | UART_FCR_CLR_RX);
	mvm_uart_write(&u, UART_IER, UART_IER_ERBFI);
	ok(irq_rises == 0 && (mvm_uart_read(&u, UART_IIR) & 0x0f) == UART_IIR_RDI,
	   "ERBFI: receive interrupt pending (the FIFO clear kept host input), no IRQ without OUT2");
	mvm_uart_write(&u, UART_MCR, UART_MCR_OUT2);
	ok(irq_rises == 1 && u.irq.level, "OUT2 set: IRQ4 rises");
	ok(mvm_uart_read(&u, UART_RBR) == 'b' && !u.irq.level &&
	   (mvm_uart_read(&u, UART_IIR) & 0x0f) == UART_IIR_NO_INT,
	   "reading the last byte drops IRQ4 and the condition");
	mvm_uart_receive(&u, (const uint8_t *)"c", 1);
	ok(irq_rises == 2 && u.irq.level, "new host input: IRQ4 rises again (a fresh edge)");
	mvm_uart_read(&u, UART_RBR);
	mvm_uart_write(&u, UART_IER, UART_IER_ERBFI | UART_IER_ETBEI);
	ok(irq_rises == 3 && (mvm_uart_read(&u, UART_IIR) & 0x0f) == UART_IIR_THRI && !u.irq.level,
	   "enabling ETBEI with THR empty: THRE interrupt; reading IIR acknowledges it");
	mvm_uart_write(&u, UART_THR, 'z');
	ok(irq_rises == 4 && u.irq.level, "writing THR: THRE again (transmission is instant)");
	mvm_uart_receive(&u, (const uint8_t *)"d", 1);
	ok((mvm_uart_read(&u, UART_IIR) & 0x0f) == UART_IIR_RDI,
	   "received data has priority over THRE in IIR");
	mvm_uart_read(&u, UART_RBR);
	mvm_uart_read(&u, UART_IIR);
	mvm_uart_write(&u, UART_MCR, UART_MCR_OUT2 | UART_MCR_LOOP);
	mvm_uart_receive(&u, (const uint8_t *)"e", 1);
	ok(!u.irq.level && !(mvm_uart_read(&u, UART_LSR) & UART_LSR_DR),
	   "loopback: host input is not visible and the IRQ line is cut off");
	mvm_uart_write(&u, UART_MCR, UART_MCR_OUT2);
	ok(mvm_uart_read(&u, UART_RBR) == 'e', "out of loopback the waiting byte is read");

	/* The backlog: never drops, refuses what does not fit. */
	for (i = 0; i < sizeof(big); i++)
		big[i] = (uint8_t)(i * 7);
	ok(mvm_uart_receive(&u, big, sizeof(big)) == MVM_UART_BACKLOG &&
	   mvm_uart_rx_room(&u) == 0, "the backlog takes %d bytes, then refuses (room 0)",
	   MVM_UART_BACKLOG);
	ok(mvm_uart_read(&u, UART_RBR) == big[0] && mvm_uart_rx_room(&u) == 1,
	   "one read frees one byte");
	ok(mvm_uart_receive(&u, big + MVM_UART_BACKLOG, 100) == 1, "and one more fits");
	for (i = 1; i <= MVM_UART_BACKLOG; i++) {
		if (!(mvm_uart_read(&u, UART_LSR) & UART_LSR_DR) ||
		    mvm_uart_read(&u, UART_RBR) != big[i])
			lost = true;
		got++;
	}
	ok(!lost && got == MVM_UART_BACKLOG && !(mvm_uart_read(&u, UART_LSR) & UART_LSR_DR),
	   "every byte comes out in order, none lost, then DR clears");
}

static void reset_out(void)
{
	out_len = 0;
	emits = 0;
}

static void puts_thr(struct mvm_uart *u, const char *s)
{
	while (*s)
		mvm_uart_write(u, UART_THR, (uint8_t)*s++);
}

int main(void)
{
	struct mvm_device dev = { .name = "uart", .base = 0x3f8, .size = 8,
				  .access = mvm_uart_access };
	struct mvm_uart u;
	uint8_t b[4];
	unsigned int i;

	tap_start();
	mvm_uart_init(&u, sink, NULL);
	dev.priv = &u;

	ok(mvm_uart_read(&u, UART_LSR) == (UART_LSR_THRE | UART_LSR_TEMT),
	   "LSR after reset: THRE|TEMT, DR clear (0x60)");
	ok(mvm_uart_read(&u, UART_IIR) == UART_IIR_NO_INT, "IIR after reset: no interrupt (0x01)");
	ok(mvm_uart_read(&u, UART_IER) == 0 && mvm_uart_read(&u, UART_LCR) == 0 &&
	   mvm_uart_read(&u, UART_MCR) == 0, "IER, LCR, MCR reset to 0");
	ok(mvm_uart_read(&u, UART_MSR) == 0xb0, "MSR: DCD|DSR|CTS, a ready line (0xb0)");
	ok(mvm_uart_read(&u, UART_RBR) == 0, "RBR with nothing received reads 0");

	/* Output: line buffered. */
	reset_out();
	puts_thr(&u, "Hello");
	ok(out_len == 0, "no output before a newline");
	puts_thr(&u, "\n");
	ok(out_len == 6 && !memcmp(out, "Hello\n", 6) && emits == 1,
	   "a newline flushes the line in one write");
	puts_thr(&u, "tail");
	mvm_uart_flush(&u);
	ok(out_len == 10 && !memcmp(out + 6, "tail", 4), "flush at exit emits a partial line");
	mvm_uart_flush(&u);
	ok(emits == 2, "flushing an empty buffer emits nothing");
	reset_out();
	for (i = 0; i < MVM_UART_LINE + 10; i++)
		mvm_uart_write(&u, UART_THR, 'x');
	ok(out_len == MVM_UART_LINE && emits == 1, "a full line buffer (%d bytes) is flushed",
	   MVM_UART_LINE);
	mvm_uart_flush(&u);
	ok(out_len == MVM_UART_LINE + 10, "no byte lost across the full-buffer flush");
	reset_out();
	mvm_uart_write(&u, UART_THR, 0);
	mvm_uart_write(&u, UART_THR, 0xff);
	mvm_uart_flush(&u);
	ok(out_len == 2 && out[0] == 0 && (uint8_t)out[1] == 0xff, "binary bytes pass unchanged");

	/* DLAB. */
	reset_out();
	mvm_uart_write(&u, UART_IER, 0x05);
	mvm_uart_write(&u, UART_LCR, UART_LCR_DLAB | 0x03);
	mvm_uart_write(&u, UART_DLL, 0x0c);
	mvm_uart_write(&u, UART_DLM, 0x01);
	ok(mvm_uart_read(&u, UART_DLL) == 0x0c && mvm_uart_read(&u, UART_DLM) == 0x01,
	   "DLAB=1: offsets 0/1 are the divisor latch");
	mvm_uart_flush(&u);
	ok(out_len == 0, "DLAB=1: writing offset 0 transmits nothing");
	ok(mvm_uart_read(&u, UART_LCR) == 0x83, "LCR reads back");
	mvm_uart_write(&u, UART_LCR, 0x03);
	ok(mvm_uart_read(&u, UART_IER) == 0x05, "DLAB=0: IER kept its value under the latch");
	ok(mvm_uart_read(&u, UART_RBR) == 0, "DLAB=0: offset 0 is RBR again, not DLL");
	mvm_uart_write(&u, UART_LCR, UART_LCR_DLAB);
	ok(mvm_uart_read(&u, UART_DLL) == 0x0c, "divisor kept across DLAB toggles");
	mvm_uart_write(&u, UART_LCR, 0x03);
	mvm_uart_write(&u, UART_IER, 0xff);
	ok(mvm_uart_read(&u, UART_IER) == 0x0f, "IER keeps only its 4 defined bits");
	mvm_uart_write(&u, UART_IER, 0);

	/* IIR / FCR. */
	mvm_uart_write(&u, UART_FCR, 0xc7);
	ok(mvm_uart_read(&u, UART_IIR) == (UART_IIR_FIFO | UART_IIR_NO_INT),
	   "FIFOs enabled: IIR bits 7:6 set (0xc1)");
	mvm_uart_write(&u, UART_IER, UART_IER_ETBEI);
	ok(mvm_uart_read(&u, UART_IIR) == (UART_IIR_FIFO | UART_IIR_THRI),
	   "enabling ETBEI raises the THR-empty condition (IIR 0xc2)");
	ok(mvm_uart_read(&u, UART_IIR) == (UART_IIR_FIFO | UART_IIR_NO_INT),
	   "reading IIR acknowledges THR-empty");
	mvm_uart_write(&u, UART_THR, '\n');
	ok(mvm_uart_read(&u, UART_IIR) == (UART_IIR_FIFO | UART_IIR_THRI),
	   "THR-empty again after a transmit");
	mvm_uart_write(&u, UART_IER, 0);
	mvm_uart_write(&u, UART_FCR, 0);
	ok(mvm_uart_read(&u, UART_IIR) == UART_IIR_NO_INT, "FIFOs off: IIR 0x01");

	/* LSR: transmitter always empty, no data without input. */
	puts_thr(&u, "abc");
	ok(mvm_uart_read(&u, UART_LSR) == 0x60, "LSR stays THRE|TEMT while transmitting");
	mvm_uart_write(&u, UART_LSR, 0x00);
	ok(mvm_uart_read(&u, UART_LSR) == 0x60, "LSR ignores writes");

	/* MCR, loopback, MSR. */
	mvm_uart_write(&u, UART_MCR, 0xff);
	ok(mvm_uart_read(&u, UART_MCR) == 0x1f, "MCR keeps its 5 defined bits");
	ok(mvm_uart_read(&u, UART_MSR) == 0xf0, "loopback with all outputs up: MSR 0xf0");
	mvm_uart_write(&u, UART_MCR, UART_MCR_LOOP | UART_MCR_RTS);
	ok(mvm_uart_read(&u, UART_MSR) == (UART_MSR_CTS | UART_MSR_DDSR | UART_MSR_TERI |
					    UART_MSR_DDCD),
	   "loopback RTS only: CTS, deltas for DSR/DCD, TERI on RI's falling edge");
	ok(mvm_uart_read(&u, UART_MSR) == UART_MSR_CTS, "reading MSR clears the deltas");
	mvm_uart_flush(&u);
	reset_out();
	mvm_uart_write(&u, UART_THR, 'L');
	mvm_uart_write(&u, UART_THR, '\n');
	mvm_uart_flush(&u);
	ok(out_len == 0, "loopback: transmitted bytes do not reach the output");
	ok(mvm_uart_read(&u, UART_LSR) == (0x60 | UART_LSR_DR), "loopback: LSR.DR set");
	mvm_uart_write(&u, UART_IER, UART_IER_ERBFI);
	ok(mvm_uart_read(&u, UART_IIR) == UART_IIR_RDI, "loopback: IIR reports received data");
	mvm_uart_write(&u, UART_IER, 0);
	ok(mvm_uart_read(&u, UART_RBR) == 'L' && mvm_uart_read(&u, UART_RBR) == '\n' &&
	   mvm_uart_read(&u, UART_LSR) == 0x60, "loopback: RBR returns the bytes in order");
	for (i = 0; i < MVM_UART_FIFO + 1; i++)
		mvm_uart_write(&u, UART_THR, (uint8_t)i);
	ok(mvm_uart_read(&u, UART_LSR) == (0x60 | UART_LSR_DR | UART_LSR_OE),
	   "loopback: a 17th byte overruns (LSR.OE)");
	ok(mvm_uart_read(&u, UART_LSR) == (0x60 | UART_LSR_DR), "reading LSR clears OE");
	mvm_uart_write(&u, UART_FCR, UART_FCR_ENABLE | UART_FCR_CLR_RX);
	ok(mvm_uart_read(&u, UART_LSR) == 0x60, "FCR clear-RX empties the receiver");
	mvm_uart_write(&u, UART_MCR, UART_MCR_DTR | UART_MCR_RTS);
	ok(mvm_uart_read(&u, UART_MSR) == (0xb0 | UART_MSR_DDCD | UART_MSR_DDSR),
	   "leaving loopback: the line reads ready again, with deltas");
	reset_out();
	mvm_uart_write(&u, UART_THR, 'x');
	mvm_uart_flush(&u);
	ok(out_len == 1 && out[0] == 'x', "out of loopback: output again");

	mvm_uart_write(&u, UART_SCR, 0x5a);
	ok(mvm_uart_read(&u, UART_SCR) == 0x5a, "SCR reads back");

	/* Through the bus handler: wide accesses hit successive registers. */
	reset_out();
	b[0] = 'w';
	b[1] = 0x02;
	ok(mvm_uart_access(&dev, 0, b, 2, true) == 0 && mvm_uart_read(&u, UART_IER) == 0x02,
	   "16-bit write at 0x3f8 writes THR then IER");
	mvm_uart_write(&u, UART_IER, 0);
	memset(b, 0, sizeof(b));
	ok(mvm_uart_access(&dev, 4, b, 4, false) == 0 && b[0] == 0x03 && b[1] == 0x60 &&
	   b[2] == 0xb0 && b[3] == 0x5a, "32-bit read at 0x3fc returns MCR, LSR, MSR, SCR");
	ok(mvm_uart_access(&dev, 6, b, 4, false) != 0, "access past register 7 is an error");
	mvm_uart_flush(&u);
	ok(out_len == 1 && out[0] == 'w', "byte written through the handler is output");
	test_irq_and_input();
	return tap_end();
}
