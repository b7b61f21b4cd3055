/* SPDX-License-Identifier: GPL-2.0 */
/*
 * i8254 programmable interval timer at 0x40-0x43 (Intel 82C54 data sheet)
 * and the PC's port 0x61 (system control port B: channel 2's gate in bit 0,
 * the speaker data enable in bit 1, the refresh toggle in bit 4, channel
 * 2's output in bit 5). The counters run at 1.193182 MHz on the host's
 * CLOCK_MONOTONIC: the count is computed from the time since it was loaded,
 * so reads are exact whenever the guest looks. Modes 0-5 (modes 1 and 5
 * start on a rising gate edge, so only channel 2 can use them), the counter
 * latch and read-back commands, LSB/MSB/LSB-then-MSB access. BCD counting
 * is stored and reported in the status byte but the counters count in
 * binary.
 *
 * Channel 0's output drives IRQ0: a pulse each time it rises (modes 2 and
 * 3: every period; 0 and 4: once). The machine arms a host timer for
 * mvm_pit_deadline() (arm callback) and calls mvm_pit_expire() when it
 * fires; expirations that were missed are coalesced into one interrupt.
 */
#ifndef MVM_PIT_H
#define MVM_PIT_H

#include <stdbool.h>
#include <stdint.h>

#include "bus.h"
#include "irq.h"

#define MVM_PIT_BASE		0x40
#define MVM_PIT_NR_PORTS	4
#define MVM_PIT_HZ		1193182ull
#define MVM_PORT_B		0x61

#define PIT_CTRL_SC_SHIFT	6
#define PIT_CTRL_RW_SHIFT	4
#define PIT_CTRL_MODE_SHIFT	1
#define PIT_CTRL_BCD		0x01
#define PIT_RW_LATCH		0
#define PIT_RW_LSB		1
#define PIT_RW_MSB		2
#define PIT_RW_WORD		3

#define PORTB_GATE2		0x01
#define PORTB_SPEAKER		0x02
#define PORTB_RW_MASK		0x0f
#define PORTB_REFRESH		0x10
#define PORTB_OUT2		0x20

typedef uint64_t (*mvm_clock_fn)(void *ctx);
/* abs_ns: CLOCK_MONOTONIC-style deadline, 0 = disarm. */
typedef void (*mvm_timer_arm_fn)(void *ctx, uint64_t abs_ns);

struct mvm_pit_channel {
	uint8_t mode;		/* 0-5 */
	uint8_t rw;		/* PIT_RW_LSB/MSB/WORD */
	bool bcd;
	uint32_t reload;	/* 1..65536 (0 written means 65536) */
	bool loaded;		/* a count was written since the control word */
	bool gate;
	bool running;		/* counting (modes 1/5: triggered) */
	uint64_t start_ns;	/* the current counting stretch began */
	uint64_t acc;		/* ticks counted before it (modes 0/4 across gate-low) */
	uint32_t init;		/* modes 0/1/4/5: the count the stretch started from */
	bool out_idle;		/* output while not counting */
	bool null_count;
	bool write_msb;		/* WORD access: the MSB is next */
	uint8_t write_lsb;
	bool read_msb;		/* WORD access, unlatched: the MSB is next */
	uint8_t latch_left;	/* bytes of a latched count still to read */
	uint16_t latch;
	bool status_latched;
	uint8_t status;
	uint64_t next_fire;	/* channel 0: ticks after start_ns of the next IRQ0, 0: none */
};

struct mvm_pit {
	struct mvm_pit_channel ch[3];
	uint8_t port_b;		/* bits 0-3 as written */
	bool refresh;		/* bit 4, toggles on every read */
	struct mvm_irq_line irq0;
	mvm_clock_fn clock;
	void *clock_ctx;
	mvm_timer_arm_fn arm;
	void *arm_ctx;
	uint64_t armed;		/* the deadline last passed to arm() */
	unsigned long irqs;	/* IRQ0 pulses */
};

/* CLOCK_MONOTONIC in ns: the default clock. */
uint64_t mvm_clock_monotonic(void *ctx);

void mvm_pit_init(struct mvm_pit *p, mvm_clock_fn clock, void *clock_ctx,
		  mvm_timer_arm_fn arm, void *arm_ctx);
uint8_t mvm_pit_read(struct mvm_pit *p, unsigned int port);
void mvm_pit_write(struct mvm_pit *p, unsigned int port, uint8_t val);
/* The host timer fired (or any time): raise IRQ0 if due, re-arm. */
void mvm_pit_expire(struct mvm_pit *p);
/* Channel 0's next IRQ0 as an absolute clock time, 0 if none. */
uint64_t mvm_pit_deadline(const struct mvm_pit *p);
/* Current count and output of a channel (for the tests and port 0x61). */
uint16_t mvm_pit_count(const struct mvm_pit *p, unsigned int ch);
bool mvm_pit_out(const struct mvm_pit *p, unsigned int ch);
void mvm_pit_set_gate(struct mvm_pit *p, unsigned int ch, bool gate);

/* Bus handlers: dev->priv is the struct mvm_pit (0x40-0x43, and 0x61). */
int mvm_pit_access(struct mvm_device *dev, uint64_t offset, void *data, unsigned int len,
		   bool is_write);
int mvm_port_b_access(struct mvm_device *dev, uint64_t offset, void *data, unsigned int len,
		      bool is_write);

#endif /* MVM_PIT_H */
