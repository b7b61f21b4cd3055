// SPDX-License-Identifier: GPL-2.0
#include "ioapic.h"
#include "irq.h"
#include "pic.h"

void mvm_irq_router_set(void *ctx, unsigned int irq, bool level)
{
	struct mvm_irq_router *r = ctx;

	if (irq >= MVM_ISA_IRQS)
		return;
	/* A PC wires each ISA line to both controllers; the guest picks one by masking. */
	if (r->pic)
		mvm_pic_set_irq(r->pic, irq, level);
	if (r->ioapic)
		mvm_ioapic_set_irq(r->ioapic, mvm_isa_irq_to_gsi(irq), level);
}
