/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Device buses. As in kvmtool, a device model has one access handler for
 * both port I/O and MMIO and is registered on a bus (the PIO bus or the
 * MMIO bus) for an address range; the bus finds the device that claims an
 * access and passes it the offset into that range.
 */
#ifndef MVM_BUS_H
#define MVM_BUS_H

#include <stdbool.h>
#include <stdint.h>

#define MVM_BUS_MAX_DEVICES	32

struct mvm_device;

/*
 * data holds len bytes (1, 2, 4 or 8) in guest (little-endian) order: the
 * value to write, or the buffer to fill on a read. Returns 0 or -errno.
 */
typedef int (*mvm_access_fn)(struct mvm_device *dev, uint64_t offset, void *data,
			     unsigned int len, bool is_write);

struct mvm_device {
	const char *name;
	uint64_t base;		/* first address of the range */
	uint64_t size;		/* bytes (ports) in the range, > 0 */
	mvm_access_fn access;
	void *priv;		/* the model's state */
};

struct mvm_bus {
	const char *name;	/* "pio", "mmio": for messages */
	unsigned int nr;
	struct mvm_device *devs[MVM_BUS_MAX_DEVICES];	/* sorted by base */
};

void mvm_bus_init(struct mvm_bus *bus, const char *name);
/* 0, -EINVAL (empty or wrapping range, no handler), -EEXIST (overlap), -ENOSPC. */
int mvm_bus_register(struct mvm_bus *bus, struct mvm_device *dev);
/* The device whose range holds all of [addr, addr + len), or NULL. */
struct mvm_device *mvm_bus_find(const struct mvm_bus *bus, uint64_t addr, unsigned int len);
/*
 * Dispatch one access. -ENODEV when no device claims it; a read then
 * returns all-ones, as an empty ISA/PCI bus does. Otherwise the handler's
 * return value.
 */
int mvm_bus_access(const struct mvm_bus *bus, uint64_t addr, void *data, unsigned int len,
		   bool is_write);

#endif /* MVM_BUS_H */
