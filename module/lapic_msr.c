// SPDX-License-Identifier: GPL-2.0
/*
 * Local APIC MSRs (Intel SDM Vol. 3A): IA32_APIC_BASE (11.4.4, mode
 * transitions 11.12.5), IA32_TSC_DEADLINE (11.5.4.1) and the x2APIC
 * registers 0x800-0x8ff (11.12.1.2, table 11-6).
 */
#include <linux/minmax.h>
#include <asm/processor.h>

#include "mv.h"
#include "lapic.h"
#include "../common/apic.h"

#define MSR_APIC_BASE		0x1b
#define MSR_TSC_DEADLINE	0x6e0

/* x2APIC ICR (11.12.9): bits 12, 13, 16, 17 and 31:20 of the low half are reserved. */
#define X2APIC_ICR_VALID	(0xffffffff00000000ULL | MVA_ICR_LOW_MASK)

enum apic_mode { APIC_MODE_OFF, APIC_MODE_INVALID, APIC_MODE_XAPIC, APIC_MODE_X2APIC };

static enum apic_mode mode_of(u64 base)
{
	return (enum apic_mode)(((base & MV_APIC_BASE_EN) ? 2 : 0) |
				((base & MV_APIC_BASE_EXTD) ? 1 : 0));
}

static int set_base(struct mv_lapic *lapic, u64 val, bool host)
{
	struct mv_vcpu *vcpu = lapic->vcpu;
	unsigned int pa_bits = min_t(unsigned int, boot_cpu_data.x86_phys_bits, 48);
	u64 reserved = ~((1ULL << pa_bits) - 1) | 0x2ff;	/* bits 7:0, 9, above MAXPHYADDR */
	u64 old = lapic->base;
	enum apic_mode from = mode_of(old), to = mode_of(val);

	if (val & reserved)
		return -EINVAL;
	if (to == APIC_MODE_INVALID)		/* EN = 0, EXTD = 1 (11.12.5) */
		return -EINVAL;
	if (!host) {
		/* Figure 11-27: no disabled -> x2APIC, no x2APIC -> xAPIC. */
		if (from == APIC_MODE_OFF && to == APIC_MODE_X2APIC)
			return -EINVAL;
		if (from == APIC_MODE_X2APIC && to == APIC_MODE_XAPIC)
			return -EINVAL;
		/* The BSP flag is the platform's, not the guest's. */
		val = (val & ~MV_APIC_BASE_BSP) | (old & MV_APIC_BASE_BSP);
	}
	if (from == to) {
		WRITE_ONCE(lapic->base, val);	/* relocation, BSP flag */
		return 0;
	}
	/*
	 * Leaving the disabled state (11.4.3: state as after power-up) or
	 * entering it: the registers start over; IA32_APIC_BASE is the new value.
	 */
	if (from == APIC_MODE_OFF || to == APIC_MODE_OFF)
		mv_lapic_reset_regs(lapic, true);
	WRITE_ONCE(lapic->base, val);
	if (to == APIC_MODE_X2APIC) {
		/* 11.12.5.1: the x2APIC ID is the initial APIC ID; LDR is derived. */
		mva_reg_write(lapic->regs, APIC_REG_ID, vcpu->id);
		mva_reg_write(lapic->regs, APIC_REG_LDR, mva_x2apic_ldr(vcpu->id));
	} else if (to == APIC_MODE_XAPIC) {
		mva_reg_write(lapic->regs, APIC_REG_ID, vcpu->id << 24);
		if (from == APIC_MODE_X2APIC)		/* host only */
			mva_reg_write(lapic->regs, APIC_REG_LDR, 0);
	}
	return 0;
}

int mv_lapic_get_msr(struct mv_vcpu *vcpu, u32 index, u64 *data)
{
	struct mv_lapic *lapic = vcpu->lapic;
	int off;

	if (!lapic)
		return -ENOENT;
	if (index == MSR_APIC_BASE) {
		*data = lapic->base;
		return 0;
	}
	if (index == MSR_TSC_DEADLINE) {
		*data = mv_lapic_timer_get_deadline(lapic);
		return 0;
	}
	if (index < 0x800 || index > 0x8ff)
		return -ENOENT;
	/* x2APIC registers exist only in x2APIC mode (11.12.1.2). */
	if (!mv_lapic_x2apic_mode(lapic))
		return -EINVAL;
	off = mva_x2apic_reg(index, false);
	if (off < 0)
		return -EINVAL;
	if (off == APIC_REG_ICR)
		*data = mva_reg_read(lapic->regs, APIC_REG_ICR) |
			(u64)mva_reg_read(lapic->regs, APIC_REG_ICR + 4) << 32;
	else
		*data = mv_lapic_reg_read(lapic, off);
	return 0;
}

int mv_lapic_set_msr(struct mv_vcpu *vcpu, u32 index, u64 data, bool host)
{
	struct mv_lapic *lapic = vcpu->lapic;
	int off;

	if (!lapic)
		return -ENOENT;
	if (index == MSR_APIC_BASE)
		return set_base(lapic, data, host);
	if (index == MSR_TSC_DEADLINE) {
		mv_lapic_timer_set_deadline(lapic, data);
		return 0;
	}
	if (index < 0x800 || index > 0x8ff)
		return -ENOENT;
	if (!mv_lapic_x2apic_mode(lapic))
		return -EINVAL;
	off = mva_x2apic_reg(index, true);
	if (off < 0)
		return -EINVAL;
	if (off == APIC_REG_ICR) {
		/* One 64-bit register, destination in bits 63:32 (11.12.9). */
		if (data & ~X2APIC_ICR_VALID)
			return -EINVAL;
		mva_reg_write(lapic->regs, APIC_REG_ICR, (u32)data);
		mva_reg_write(lapic->regs, APIC_REG_ICR + 4, data >> 32);
		mv_lapic_send_icr(lapic, (u32)data, data >> 32, true);
		return 0;
	}
	if (data >> 32)
		return -EINVAL;
	return mv_lapic_reg_write(lapic, off, (u32)data, true);
}
