// SPDX-License-Identifier: GPL-2.0
/* The PIO/MMIO buses: registration rules and dispatch by address range. */
#include <errno.h>
#include <string.h>

#include "bus.h"
#include "tap.h"

/* A device that records its last access and answers reads with its tag. */
struct probe {
	uint8_t tag;
	unsigned int calls;
	uint64_t offset;
	unsigned int len;
	bool is_write;
	uint8_t data[8];
};

static int probe_access(struct mvm_device *dev, uint64_t offset, void *data, unsigned int len,
			bool is_write)
{
	struct probe *p = dev->priv;

	p->calls++;
	p->offset = offset;
	p->len = len;
	p->is_write = is_write;
	if (is_write)
		memcpy(p->data, data, len);
	else
		memset(data, p->tag, len);
	return 0;
}

static int failing_access(struct mvm_device *dev, uint64_t offset, void *data,
			  unsigned int len, bool is_write)
{
	(void)dev; (void)offset; (void)data; (void)len; (void)is_write;
	return -EIO;
}

#define DEV(n, b, s, p) ((struct mvm_device){ .name = n, .base = b, .size = s, \
					       .access = probe_access, .priv = p })

int main(void)
{
	struct probe pa = { .tag = 0xa1 }, pb = { .tag = 0xb2 }, pm = { .tag = 0xc3 };
	struct mvm_device a = DEV("a", 0x3f8, 8, &pa), b = DEV("b", 0x400, 0x10, &pb);
	struct mvm_device below = DEV("below", 0x3f0, 8, &pa), above = DEV("above", 0x3ff, 1, &pa);
	struct mvm_device inside = DEV("inside", 0x3fa, 2, &pa), cover = DEV("cover", 0x300, 0x200, &pa);
	struct mvm_device empty = DEV("empty", 0x500, 0, &pa);
	struct mvm_device wrap = DEV("wrap", UINT64_MAX - 3, 8, &pa);
	struct mvm_device top = DEV("top", UINT64_MAX - 3, 4, &pa);
	struct mvm_device noop = { .name = "nohandler", .base = 0x600, .size = 1 };
	struct mvm_device fail = { .name = "fail", .base = 0x700, .size = 4, .access = failing_access };
	struct mvm_device mmio_dev = DEV("mmio", 0xd0000000, 0x1000, &pm);
	struct mvm_device fill[MVM_BUS_MAX_DEVICES];
	struct mvm_bus pio, mmio, full;
	uint8_t buf[8];
	uint32_t v32;
	unsigned int i;
	int ret;

	tap_start();
	mvm_bus_init(&pio, "pio");
	mvm_bus_init(&mmio, "mmio");

	ok(mvm_bus_register(&pio, &b) == 0, "register b at 0x400-0x40f");
	ok(mvm_bus_register(&pio, &a) == 0, "register a at 0x3f8-0x3ff");
	ok(pio.nr == 2 && pio.devs[0] == &a && pio.devs[1] == &b, "devices kept sorted by base");
	ok(mvm_bus_register(&pio, &below) == 0, "adjacent below (0x3f0-0x3f7) accepted");
	ok(mvm_bus_register(&pio, &above) == -EEXIST, "overlap on the last port rejected");
	ok(mvm_bus_register(&pio, &inside) == -EEXIST, "range inside another rejected");
	ok(mvm_bus_register(&pio, &cover) == -EEXIST, "range covering others rejected");
	ok(mvm_bus_register(&pio, &a) == -EEXIST, "same device twice rejected");
	ok(mvm_bus_register(&pio, &empty) == -EINVAL, "empty range rejected");
	ok(mvm_bus_register(&pio, &wrap) == -EINVAL, "wrapping range rejected");
	ok(mvm_bus_register(&pio, &noop) == -EINVAL, "device without handler rejected");
	ok(mvm_bus_register(&pio, &top) == 0, "range ending at 2^64-1 accepted");
	ok(pio.nr == 4, "rejected registrations left the bus unchanged");

	ok(mvm_bus_find(&pio, 0x3f8, 1) == &a && mvm_bus_find(&pio, 0x3ff, 1) == &a &&
	   mvm_bus_find(&pio, 0x3f7, 1) == &below && mvm_bus_find(&pio, 0x40f, 1) == &b,
	   "find by range, first and last address");
	ok(mvm_bus_find(&pio, 0x3fe, 2) == &a, "2-byte access inside a device");
	ok(mvm_bus_find(&pio, 0x3ff, 2) == NULL, "access straddling the device end is unclaimed");
	ok(mvm_bus_find(&pio, 0x3f6, 4) == NULL, "access straddling two devices is unclaimed");
	ok(mvm_bus_find(&pio, 0x410, 1) == NULL && mvm_bus_find(&pio, 0, 1) == NULL,
	   "addresses outside every device are unclaimed");
	ok(mvm_bus_find(&pio, UINT64_MAX, 1) == &top && mvm_bus_find(&pio, UINT64_MAX, 2) == NULL,
	   "the top of the address space, and an access wrapping past it");

	v32 = 0x44332211;
	ret = mvm_bus_access(&pio, 0x402, &v32, 4, true);
	ok(ret == 0 && pb.calls == 1 && pb.offset == 2 && pb.len == 4 && pb.is_write &&
	   !memcmp(pb.data, "\x11\x22\x33\x44", 4), "write dispatched with offset and data");
	memset(buf, 0, sizeof(buf));
	ret = mvm_bus_access(&pio, 0x3f9, buf, 1, false);
	ok(ret == 0 && buf[0] == 0xa1 && pa.offset == 1 && !pa.is_write,
	   "read dispatched and filled by the device");
	memset(buf, 0x5a, sizeof(buf));
	ret = mvm_bus_access(&pio, 0x80, buf, 4, false);
	ok(ret == -ENODEV && !memcmp(buf, "\xff\xff\xff\xff\x5a", 5),
	   "unclaimed read: -ENODEV, exactly len bytes of all-ones");
	i = pa.calls + pb.calls;
	ret = mvm_bus_access(&pio, 0x80, buf, 4, true);
	ok(ret == -ENODEV && pa.calls + pb.calls == i, "unclaimed write: -ENODEV, no device called");

	/* The same device type and handler on the MMIO bus. */
	ok(mvm_bus_register(&mmio, &mmio_dev) == 0, "MMIO bus takes the same struct mvm_device");
	{
		uint64_t v = 0x8877665544332211ull;

		ret = mvm_bus_access(&mmio, 0xd0000ff8, &v, 8, true);
		ok(ret == 0 && pm.offset == 0xff8 && pm.len == 8 && !memcmp(pm.data, &v, 8),
		   "8-byte MMIO write dispatched at offset 0xff8");
	}
	ok(mvm_bus_find(&mmio, 0x3f8, 1) == NULL && mvm_bus_find(&pio, 0xd0000000, 1) == NULL,
	   "the buses are separate address spaces");

	ok(mvm_bus_register(&pio, &fail) == 0 && mvm_bus_access(&pio, 0x701, buf, 1, true) == -EIO,
	   "a handler's error is passed back");

	mvm_bus_init(&full, "full");
	for (i = 0; i < MVM_BUS_MAX_DEVICES; i++) {
		fill[i] = DEV("fill", i * 2, 2, &pa);
		if (mvm_bus_register(&full, &fill[i]))
			break;
	}
	ok(i == MVM_BUS_MAX_DEVICES && mvm_bus_register(&full, &mmio_dev) == -ENOSPC,
	   "%d devices fit, one more is -ENOSPC", MVM_BUS_MAX_DEVICES);
	return tap_end();
}
