// SPDX-License-Identifier: GPL-2.0
#include <string.h>

#include "pci.h"

void mvm_pci_init(struct mvm_pci *p, mvm_stop_fn stop, void *ctx)
{
	memset(p, 0, sizeof(*p));
	p->stop = stop;
	p->stop_ctx = ctx;
}

int mvm_pci_addr_access(struct mvm_device *dev, uint64_t offset, void *data, unsigned int len,
			bool is_write)
{
	struct mvm_pci *p = dev->priv;
	uint8_t *b = data;

	if (offset == 0 && len == 4) {
		if (is_write)
			memcpy(&p->address, data, 4), p->address &= ~3u;
		else
			memcpy(data, &p->address, 4);
		return 0;
	}
	if (offset == 1 && len == 1) {
		if (!is_write) {
			b[0] = p->rst_ctrl;
			return 0;
		}
		p->rst_ctrl = b[0] & 0x0e;
		if ((b[0] & PCI_RST_CPU) && p->stop)
			p->stop(p->stop_ctx, MVM_STOP_RESET_PCI);
		return 0;
	}
	/* Other widths are not configuration cycles: ignored, read all-ones. */
	if (!is_write)
		memset(data, 0xff, len);
	return 0;
}

int mvm_pci_data_access(struct mvm_device *dev, uint64_t offset, void *data, unsigned int len,
			bool is_write)
{
	(void)dev;
	(void)offset;
	if (!is_write)
		memset(data, 0xff, len);	/* no device: master abort */
	return 0;
}
