// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <string.h>

#include "debug_exit.h"

void mvm_debug_exit_init(struct mvm_debug_exit *d)
{
	memset(d, 0, sizeof(*d));
}

int mvm_debug_exit_access(struct mvm_device *dev, uint64_t offset, void *data,
			  unsigned int len, bool is_write)
{
	struct mvm_debug_exit *d = dev->priv;
	const uint8_t *bytes = data;
	uint32_t v = 0;
	unsigned int i;

	(void)offset;	/* like QEMU, any port of the range will do */
	if (len > sizeof(v))
		return -EINVAL;
	if (!is_write) {
		memset(data, 0, len);
		return 0;
	}
	for (i = 0; i < len; i++)
		v |= (uint32_t)bytes[i] << (8 * i);
	/* The first write wins; the run loop stops right after it anyway. */
	if (!d->fired) {
		d->fired = true;
		d->value = v;
	}
	return 0;
}

int mvm_debug_exit_status(uint32_t v)
{
	return (int)(((v << 1) | 1) & 0xff);
}
