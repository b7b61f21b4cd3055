// SPDX-License-Identifier: GPL-2.0
/* Address-range buses shared by port I/O and MMIO device models. */
#include <errno.h>
#include <string.h>

#include "bus.h"

void mvm_bus_init(struct mvm_bus *bus, const char *name)
{
	memset(bus, 0, sizeof(*bus));
	bus->name = name;
}

/* Inclusive end, so that a range ending at 2^64 - 1 does not overflow. */
static uint64_t last_addr(const struct mvm_device *dev)
{
	return dev->base + dev->size - 1;
}

int mvm_bus_register(struct mvm_bus *bus, struct mvm_device *dev)
{
	unsigned int i;

	if (!dev->access || dev->size == 0 || dev->base + (dev->size - 1) < dev->base)
		return -EINVAL;
	for (i = 0; i < bus->nr; i++) {
		struct mvm_device *d = bus->devs[i];

		if (dev->base <= last_addr(d) && d->base <= last_addr(dev))
			return -EEXIST;
		if (dev->base < d->base)
			break;
	}
	if (bus->nr == MVM_BUS_MAX_DEVICES)
		return -ENOSPC;
	memmove(&bus->devs[i + 1], &bus->devs[i], (bus->nr - i) * sizeof(bus->devs[0]));
	bus->devs[i] = dev;
	bus->nr++;
	return 0;
}

struct mvm_device *mvm_bus_find(const struct mvm_bus *bus, uint64_t addr, unsigned int len)
{
	unsigned int i;

	if (len == 0 || addr + (len - 1) < addr)
		return NULL;
	/* A handful of devices: a linear scan beats cleverness here. */
	for (i = 0; i < bus->nr; i++) {
		struct mvm_device *d = bus->devs[i];

		if (addr >= d->base && addr + (len - 1) <= last_addr(d))
			return d;
	}
	return NULL;
}

int mvm_bus_access(const struct mvm_bus *bus, uint64_t addr, void *data, unsigned int len,
		   bool is_write)
{
	struct mvm_device *d = mvm_bus_find(bus, addr, len);

	if (!d) {
		if (!is_write)
			memset(data, 0xff, len);
		return -ENODEV;
	}
	return d->access(d, addr - d->base, data, len, is_write);
}
