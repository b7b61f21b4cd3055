// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <string.h>

#include "i8042.h"

void mvm_i8042_init(struct mvm_i8042 *k, mvm_stop_fn stop, void *ctx)
{
	memset(k, 0, sizeof(*k));
	k->status = I8042_STR_SYS | I8042_STR_KEYLOCK;
	k->ccb = I8042_CCB_KBDINT | I8042_CCB_SYS | I8042_CCB_XLATE;
	k->outport = 0x03;	/* reset line high (not reset), A20 on */
	k->stop = stop;
	k->stop_ctx = ctx;
}

static void update_irqs(struct mvm_i8042 *k)
{
	bool have = k->count > 0, aux = have && k->queue_aux[k->head];

	mvm_irq_line_set(&k->irq1, have && !aux && (k->ccb & I8042_CCB_KBDINT));
	mvm_irq_line_set(&k->irq12, aux && (k->ccb & I8042_CCB_AUXINT));
}

static void push(struct mvm_i8042 *k, uint8_t v, bool aux)
{
	unsigned int i;

	if (k->count == MVM_I8042_QUEUE)
		return;
	i = (k->head + k->count) % MVM_I8042_QUEUE;
	k->queue[i] = v;
	k->queue_aux[i] = aux;
	k->count++;
	update_irqs(k);
}

static void reset_request(struct mvm_i8042 *k)
{
	if (k->stop)
		k->stop(k->stop_ctx, MVM_STOP_RESET_I8042);
}

static void command(struct mvm_i8042 *k, uint8_t cmd)
{
	switch (cmd) {
	case 0x20:		/* read the command byte */
		push(k, k->ccb, false);
		break;
	case 0x60:		/* write the command byte */
	case 0xd1:		/* write the output port */
	case 0xd2:		/* write the keyboard output buffer */
	case 0xd3:		/* write the mouse output buffer (loopback) */
	case 0xd4:		/* write to the mouse */
		k->pending = cmd;
		break;
	case 0xa7:
		k->ccb |= I8042_CCB_AUXDIS;
		break;
	case 0xa8:
		k->ccb &= (uint8_t)~I8042_CCB_AUXDIS;
		break;
	case 0xa9:		/* mouse interface test: 0x01 "clock stuck low" = no mouse */
		push(k, 0x01, false);
		break;
	case 0xaa:		/* controller self test: passed */
		push(k, 0x55, false);
		break;
	case 0xab:		/* keyboard interface test: no error */
		push(k, 0x00, false);
		break;
	case 0xad:
		k->ccb |= I8042_CCB_KBDDIS;
		break;
	case 0xae:
		k->ccb &= (uint8_t)~I8042_CCB_KBDDIS;
		break;
	case 0xc0:		/* read the input port */
		push(k, 0x80, false);	/* keyboard not inhibited */
		break;
	case 0xd0:		/* read the output port */
		push(k, k->outport, false);
		break;
	default:
		/* 0xf0-0xff pulse output-port bits 3:0 low; bit 0 is the reset line. */
		if (cmd >= 0xf0 && !(cmd & 1))
			reset_request(k);
		break;
	}
}

static void data(struct mvm_i8042 *k, uint8_t v)
{
	uint8_t cmd = k->pending;

	k->pending = 0;
	switch (cmd) {
	case 0x60:
		k->ccb = v;
		update_irqs(k);
		break;
	case 0xd1:
		k->outport = v;
		if (!(v & 1))
			reset_request(k);
		break;
	case 0xd2:
		push(k, v, false);
		break;
	case 0xd3:
		/* A real mouse port would loop it back flagged as mouse data; we have none. */
		push(k, v, false);
		break;
	case 0xd4:
		push(k, 0xfe, true);	/* no mouse: resend */
		break;
	default:
		push(k, 0xfe, false);	/* a keyboard command with no keyboard: resend */
		break;
	}
}

uint8_t mvm_i8042_read(struct mvm_i8042 *k, unsigned int port)
{
	uint8_t st;

	if (port == MVM_I8042_CMD) {
		st = k->status & (uint8_t)~(I8042_STR_OBF | I8042_STR_AUXDATA | I8042_STR_IBF);
		if (k->count)
			st |= I8042_STR_OBF | (k->queue_aux[k->head] ? I8042_STR_AUXDATA : 0);
		return st;
	}
	if (k->count) {
		k->last = k->queue[k->head];
		k->head = (k->head + 1) % MVM_I8042_QUEUE;
		k->count--;
		update_irqs(k);
	}
	return k->last;
}

void mvm_i8042_write(struct mvm_i8042 *k, unsigned int port, uint8_t val)
{
	if (port == MVM_I8042_CMD) {
		k->status |= I8042_STR_CMD;
		k->pending = 0;
		command(k, val);
	} else {
		k->status &= (uint8_t)~I8042_STR_CMD;
		data(k, val);
	}
}

int mvm_i8042_access(struct mvm_device *dev, uint64_t offset, void *data, unsigned int len,
		     bool is_write)
{
	unsigned int port = (unsigned int)(dev->base + offset);

	if (port != MVM_I8042_DATA && port != MVM_I8042_CMD)
		return -EINVAL;
	if (len != 1) {		/* the chip only does byte cycles: ignore, read all-ones */
		if (!is_write)
			memset(data, 0xff, len);
		return 0;
	}
	if (is_write)
		mvm_i8042_write(dev->priv, port, *(uint8_t *)data);
	else
		*(uint8_t *)data = mvm_i8042_read(dev->priv, port);
	return 0;
}
