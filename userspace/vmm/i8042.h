/* SPDX-License-Identifier: GPL-2.0 */
/*
 * i8042 keyboard controller at 0x60 (data) and 0x64 (status/command),
 * with nothing plugged in: enough for a guest's probe to finish quickly and
 * for the reset command. The controller answers its own commands (command
 * byte, self tests, output port, loopback); a byte for the keyboard or the
 * mouse gets 0xfe (resend: no device) at once instead of a timeout; the
 * mouse port fails its tests so that no mouse is probed. Pulsing the reset
 * line (command 0xfe, any 0xf0-0xfe command with bit 0 clear, or writing
 * the output port with bit 0 clear) is a reboot request. Output-buffer
 * data raises IRQ1 (keyboard) or IRQ12 (mouse) when the command byte
 * enables it.
 */
#ifndef MVM_I8042_H
#define MVM_I8042_H

#include <stdbool.h>
#include <stdint.h>

#include "bus.h"
#include "irq.h"
#include "pm.h"

#define MVM_I8042_DATA		0x60
#define MVM_I8042_CMD		0x64

#define I8042_STR_OBF		0x01
#define I8042_STR_IBF		0x02
#define I8042_STR_SYS		0x04
#define I8042_STR_CMD		0x08	/* last write was to 0x64 */
#define I8042_STR_KEYLOCK	0x10	/* 1: not inhibited */
#define I8042_STR_AUXDATA	0x20

#define I8042_CCB_KBDINT	0x01
#define I8042_CCB_AUXINT	0x02
#define I8042_CCB_SYS		0x04
#define I8042_CCB_KBDDIS	0x10
#define I8042_CCB_AUXDIS	0x20
#define I8042_CCB_XLATE		0x40

#define MVM_I8042_QUEUE		8

struct mvm_i8042 {
	uint8_t status;		/* SYS, CMD bits; OBF/AUXDATA follow the queue */
	uint8_t ccb;		/* controller command byte */
	uint8_t outport;
	uint8_t pending;	/* command waiting for its data byte on 0x60, or 0 */
	uint8_t queue[MVM_I8042_QUEUE];
	bool queue_aux[MVM_I8042_QUEUE];
	unsigned int head, count;
	uint8_t last;		/* the last byte read: an empty buffer reads it again */
	struct mvm_irq_line irq1, irq12;
	mvm_stop_fn stop;
	void *stop_ctx;
};

void mvm_i8042_init(struct mvm_i8042 *k, mvm_stop_fn stop, void *ctx);
uint8_t mvm_i8042_read(struct mvm_i8042 *k, unsigned int port);
void mvm_i8042_write(struct mvm_i8042 *k, unsigned int port, uint8_t val);
/* Bus handler for one port (0x60 or 0x64, dev->base tells which); dev->priv is the model. */
int mvm_i8042_access(struct mvm_device *dev, uint64_t offset, void *data, unsigned int len,
		     bool is_write);

#endif /* MVM_I8042_H */
