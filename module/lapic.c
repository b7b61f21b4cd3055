// SPDX-License-Identifier: GPL-2.0
/*
 * In-kernel local APIC: registers, interrupt acceptance, EOI, IPIs and MSI
 * delivery (Intel SDM Vol. 3A chapter 11). The timer is in lapic_timer.c,
 * IA32_APIC_BASE, IA32_TSC_DEADLINE and the x2APIC MSRs in lapic_msr.c, the
 * pure logic (priorities, destination matching, decoding) in common/apic.c.
 *
 * Concurrency (lapic.h): the vCPU thread owns the page; other CPUs only set
 * IRR and TMR bits with locked bit operations and read a few registers
 * (ID, LDR, DFR, SVR, PPR, LVTs) for matching and arbitration, which a
 * racing write may make stale but never torn. The vCPU array is walked
 * under RCU: mv_lapic_destroy() waits for a grace period, so a vCPU that
 * left vm->vcpus[] is not freed under a sender.
 */
#include <linux/slab.h>
#include <linux/gfp.h>
#include <linux/bitops.h>
#include <linux/rcupdate.h>
#include <linux/uaccess.h>
#include <linux/minivisor.h>

#include "mv.h"
#include "lapic.h"
#include "../common/apic.h"
#include "../common/apic.c"

static void *reg_ptr(struct mv_lapic *lapic, u32 off)
{
	return (u8 *)lapic->regs + off;
}

static u32 reg_get(struct mv_lapic *lapic, u32 off)
{
	return mva_reg_read(lapic->regs, off);
}

static void reg_set(struct mv_lapic *lapic, u32 off, u32 val)
{
	mva_reg_write(lapic->regs, off, val);
}

/*
 * Bit v of the 256-bit register at off, atomically: bit v is bit v % 32 of
 * the word at off + (v / 32) * 16, which is the low half of the 16-byte
 * aligned long at that address (x86 is little-endian, bits 63:32 are the
 * reserved rest of the 16-byte slot).
 */
static unsigned long *vec_word(struct mv_lapic *lapic, u32 off, unsigned int v)
{
	return (unsigned long *)reg_ptr(lapic, mva_vec_off(off, v));
}

static bool vec_test_set(struct mv_lapic *lapic, u32 off, unsigned int v)
{
	return test_and_set_bit(v % 32, vec_word(lapic, off, v));
}

static bool vec_test_clear(struct mv_lapic *lapic, u32 off, unsigned int v)
{
	return test_and_clear_bit(v % 32, vec_word(lapic, off, v));
}

static bool hw_enabled(const struct mv_lapic *lapic)
{
	return READ_ONCE(lapic->base) & MV_APIC_BASE_EN;
}

static bool sw_enabled(struct mv_lapic *lapic)
{
	return reg_get(lapic, APIC_REG_SVR) & MVA_SVR_ENABLE;
}

bool mv_lapic_enabled(struct mv_vcpu *vcpu)
{
	struct mv_lapic *lapic = vcpu->lapic;

	return lapic && hw_enabled(lapic) && sw_enabled(lapic);
}

int mv_lapic_highest(const void *regs, u32 offset)
{
	return mva_vec_highest(regs, offset);
}

static void update_ppr(struct mv_lapic *lapic)
{
	reg_set(lapic, APIC_REG_PPR, mva_ppr(reg_get(lapic, APIC_REG_TPR),
					     mva_vec_highest(lapic->regs, APIC_REG_ISR)));
}

int mv_lapic_pending_vector(struct mv_vcpu *vcpu)
{
	struct mv_lapic *lapic = vcpu->lapic;
	int v;

	if (!mv_lapic_enabled(vcpu))
		return -1;
	v = mva_vec_highest(lapic->regs, APIC_REG_IRR);
	if (v < 0 || !mva_above_ppr(v, reg_get(lapic, APIC_REG_PPR)))
		return -1;
	return v;
}

/* The vCPU takes vector (11.8.4): IRR -> ISR, PPR follows. */
void mv_lapic_ack(struct mv_vcpu *vcpu, u8 vector)
{
	struct mv_lapic *lapic = vcpu->lapic;

	vec_test_clear(lapic, APIC_REG_IRR, vector);
	vec_test_set(lapic, APIC_REG_ISR, vector);
	update_ppr(lapic);
}

/* 11.8.6: CR8[3:0] is TPR[7:4]; a CR8 write clears TPR[3:0]. */
u64 mv_lapic_get_cr8(struct mv_vcpu *vcpu)
{
	return (reg_get(vcpu->lapic, APIC_REG_TPR) >> 4) & 0xf;
}

int mv_lapic_set_cr8(struct mv_vcpu *vcpu, u64 cr8)
{
	if (cr8 & ~0xfULL)
		return -EINVAL;
	return mv_lapic_reg_write(vcpu->lapic, APIC_REG_TPR, (u32)cr8 << 4, false);
}

/* The 8259 INTR reaches the CPU: LINT0 programmed as ExtINT, or no APIC (11.4.3). */
bool mv_lapic_accepts_pic(struct mv_vcpu *vcpu)
{
	struct mv_lapic *lapic = vcpu->lapic;
	u32 lint0;

	if (!lapic || !hw_enabled(lapic))
		return true;
	lint0 = reg_get(lapic, APIC_REG_LVT_LINT0);
	return (lint0 & (MVA_LVT_MASKED | MVA_LVT_DM)) == (MVA_DM_EXTINT << MVA_LVT_DM_SHIFT);
}

bool mv_lapic_in_mmio(struct mv_vcpu *vcpu, u64 gpa)
{
	struct mv_lapic *lapic = vcpu->lapic;
	u64 base;

	if (!lapic)
		return false;
	base = READ_ONCE(lapic->base);
	/* x2APIC mode turns the MMIO interface off (11.12.1.2). */
	if ((base & (MV_APIC_BASE_EN | MV_APIC_BASE_EXTD)) != MV_APIC_BASE_EN)
		return false;
	return (gpa & MV_APIC_BASE_ADDR_MASK) == (base & MV_APIC_BASE_ADDR_MASK);
}

static void kick_if_pending(struct mv_lapic *lapic)
{
	if (mv_lapic_pending_vector(lapic->vcpu) >= 0)
		mv_vcpu_request(lapic->vcpu, MV_REQ_EVENT);
}

/*
 * Error (11.5.3): latch it until the next ESR write and raise the error
 * LVT when it is unmasked. Any CPU.
 */
static void apic_error(struct mv_lapic *lapic, u32 bit)
{
	u32 lvt;

	set_bit(__ffs(bit), &lapic->esr_pending);
	lvt = reg_get(lapic, APIC_REG_LVT_ERROR);
	if (!(lvt & MVA_LVT_MASKED) && (lvt & MVA_LVT_VECTOR) >= 16)
		mv_lapic_accept_fixed(lapic, lvt & MVA_LVT_VECTOR, false);
}

/*
 * A fixed interrupt arrives (11.8.4): TMR follows the trigger mode, IRR is
 * set, the vCPU looks again. Any CPU, any context. Vectors 0-15 are
 * illegal (11.5.3, "receive illegal vector").
 */
bool mv_lapic_accept_fixed(struct mv_lapic *lapic, u8 vector, bool level)
{
	bool changed;

	if (vector < 16) {
		apic_error(lapic, MVA_ESR_RECV_ILLEGAL);
		return false;
	}
	if (level)
		changed = !vec_test_set(lapic, APIC_REG_TMR, vector);
	else
		changed = vec_test_clear(lapic, APIC_REG_TMR, vector);
	if (changed)
		WRITE_ONCE(lapic->tmr_dirty, true);
	/* The locked bit operation orders TMR before IRR. */
	vec_test_set(lapic, APIC_REG_IRR, vector);
	mv_vcpu_request(lapic->vcpu, MV_REQ_EVENT);
	return true;
}

/* EOI (11.8.5): retire the highest in-service vector. */
static void apic_eoi(struct mv_lapic *lapic)
{
	int v = mva_vec_highest(lapic->regs, APIC_REG_ISR);

	if (v < 0)
		return;
	vec_test_clear(lapic, APIC_REG_ISR, v);
	update_ppr(lapic);
	mv_lapic_eoi_vector(lapic->vcpu, v);
	kick_if_pending(lapic);
}

/*
 * APICv EOI-induced exit (SDM Vol. 3C 30.1.3): the CPU already cleared
 * the ISR bit; a level-triggered vector still goes to the IOAPIC.
 */
void mv_lapic_eoi_vector(struct mv_vcpu *vcpu, u8 vector)
{
	if (mva_vec_test(vcpu->lapic->regs, APIC_REG_TMR, vector))
		mv_vcpu_eoi_exit(vcpu, vector);
}

/* ---- registers ---- */

static const u32 lvt_regs[] = {
	APIC_REG_LVT_TIMER, APIC_REG_LVT_THERMAL, APIC_REG_LVT_PMC,
	APIC_REG_LVT_LINT0, APIC_REG_LVT_LINT1, APIC_REG_LVT_ERROR,
};

static bool is_lvt(u32 off)
{
	return off >= APIC_REG_LVT_TIMER && off <= APIC_REG_LVT_ERROR;
}

/* Power-up (init false) or INIT (keeps IA32_APIC_BASE and the ID), 11.4.7.1, 11.12.5.1. */
void mv_lapic_reset_regs(struct mv_lapic *lapic, bool init)
{
	struct mv_vcpu *vcpu = lapic->vcpu;
	u32 id = reg_get(lapic, APIC_REG_ID);
	unsigned int i;

	mv_lapic_timer_stop(lapic);
	memset(lapic->regs, 0, PAGE_SIZE);
	if (!init)
		WRITE_ONCE(lapic->base, MV_APIC_DEFAULT_BASE | MV_APIC_BASE_EN |
					(vcpu->id == 0 ? MV_APIC_BASE_BSP : 0));
	if (mv_lapic_x2apic_mode(lapic)) {
		reg_set(lapic, APIC_REG_ID, vcpu->id);
		reg_set(lapic, APIC_REG_LDR, mva_x2apic_ldr(vcpu->id));
	} else {
		reg_set(lapic, APIC_REG_ID, init ? id : vcpu->id << 24);
	}
	reg_set(lapic, APIC_REG_LVR, MVA_VERSION);
	reg_set(lapic, APIC_REG_DFR, MVA_DFR_FLAT);
	reg_set(lapic, APIC_REG_SVR, 0xff);
	for (i = 0; i < ARRAY_SIZE(lvt_regs); i++)
		reg_set(lapic, lvt_regs[i], MVA_LVT_MASKED);
	lapic->lvtt = MVA_LVT_MASKED;
	lapic->svr = 0xff;
	lapic->divide_shift = mva_divide_shift(0);
	WRITE_ONCE(lapic->tsc_deadline, 0);
	lapic->esr_pending = 0;
	WRITE_ONCE(lapic->tmr_dirty, true);
}

u32 mv_lapic_reg_read(struct mv_lapic *lapic, u32 off)
{
	if (off == APIC_REG_TMCCT)
		return mv_lapic_timer_count(lapic);
	return reg_get(lapic, off);
}

/* xAPIC registers a read may name (table 11-1); others set "illegal register". */
static bool xapic_readable(u32 off)
{
	switch (off) {
	case APIC_REG_ID: case APIC_REG_LVR: case APIC_REG_TPR: case 0x090: /* APR */
	case APIC_REG_PPR: case APIC_REG_EOI: case 0x0c0: /* RRD */
	case APIC_REG_LDR: case APIC_REG_DFR: case APIC_REG_SVR: case APIC_REG_ESR:
	case APIC_REG_ICR: case APIC_REG_ICR2: case APIC_REG_TMICT: case APIC_REG_TMCCT:
	case APIC_REG_TDCR:
		return true;
	}
	return (off >= APIC_REG_ISR && off < APIC_REG_IRR + 0x80) || is_lvt(off);
}

static void svr_write(struct mv_lapic *lapic, u32 val)
{
	unsigned int i;

	reg_set(lapic, APIC_REG_SVR, val);
	lapic->svr = val;
	if (val & MVA_SVR_ENABLE) {
		kick_if_pending(lapic);
		return;
	}
	/* Software disable masks every LVT entry (11.4.7.2); the timer keeps counting. */
	for (i = 0; i < ARRAY_SIZE(lvt_regs); i++)
		reg_set(lapic, lvt_regs[i], reg_get(lapic, lvt_regs[i]) | MVA_LVT_MASKED);
}

/*
 * A register write, from the xAPIC page (x2apic false: reserved bits are
 * dropped) or an x2APIC MSR (reserved bits set: -EINVAL, i.e. #GP, 11.12.1.2).
 * The x2APIC ICR (64 bits) and SELF IPI are handled in lapic_msr.c.
 */
int mv_lapic_reg_write(struct mv_lapic *lapic, u32 off, u32 val, bool x2apic)
{
	u32 mask = mva_write_mask(off, x2apic);

	if (x2apic && (val & ~mask))
		return -EINVAL;
	switch (off) {
	case APIC_REG_EOI:
		apic_eoi(lapic);
		return 0;
	case APIC_REG_ESR:
		/* A write latches the errors seen since the previous one (11.5.3). */
		reg_set(lapic, APIC_REG_ESR, xchg(&lapic->esr_pending, 0));
		return 0;
	}
	if (!mask) {
		if (!x2apic && !xapic_readable(off))
			apic_error(lapic, MVA_ESR_ILLEGAL_REG);
		return 0;		/* read-only in xAPIC mode: ignored */
	}
	val &= mask;
	switch (off) {
	case APIC_REG_TPR:
		reg_set(lapic, off, val);
		update_ppr(lapic);
		kick_if_pending(lapic);
		break;
	case APIC_REG_DFR:
		reg_set(lapic, off, val | 0x0fffffff);
		break;
	case APIC_REG_SVR:
		svr_write(lapic, val);
		break;
	case APIC_REG_ICR:
		reg_set(lapic, off, val);
		mv_lapic_send_icr(lapic, val, reg_get(lapic, APIC_REG_ICR2) >> 24, false);
		break;
	case APIC_REG_LVT_TIMER:
		/* Mode 11b is reserved (11.5.1): #GP in x2APIC mode, one-shot otherwise. */
		if (((val & MVA_LVT_TIMER_MODE) >> MVA_LVT_TIMER_SHIFT) == 3) {
			if (x2apic)
				return -EINVAL;
			val &= ~MVA_LVT_TIMER_MODE;
		}
		if (!sw_enabled(lapic))
			val |= MVA_LVT_MASKED;
		reg_set(lapic, off, val);
		mv_lapic_timer_lvtt(lapic, val);
		break;
	case APIC_REG_LVT_THERMAL: case APIC_REG_LVT_PMC: case APIC_REG_LVT_LINT0:
	case APIC_REG_LVT_LINT1: case APIC_REG_LVT_ERROR:
		if (!sw_enabled(lapic))
			val |= MVA_LVT_MASKED;
		reg_set(lapic, off, val);
		break;
	case APIC_REG_TMICT:
		mv_lapic_timer_tmict(lapic, val);
		break;
	case APIC_REG_TDCR:
		mv_lapic_timer_tdcr(lapic, val);
		break;
	case APIC_REG_SELF_IPI:
		if (!x2apic) {
			apic_error(lapic, MVA_ESR_ILLEGAL_REG);
			break;
		}
		mv_lapic_accept_fixed(lapic, val, false);
		break;
	default:	/* ID, LDR, ICR2 in xAPIC mode */
		reg_set(lapic, off, val);
		break;
	}
	return 0;
}

void mv_lapic_mmio_read(struct mv_vcpu *vcpu, u32 offset, void *data, unsigned int len)
{
	struct mv_lapic *lapic = vcpu->lapic;
	u32 off = offset & 0xff0, byte = offset & 0xf;
	u8 buf[16] = {};
	u32 val = 0;

	/* Registers are 16 bytes apart, 32 bits wide; the rest of a slot reads 0. */
	if ((offset & 0xfff) < 0x400 && xapic_readable(off)) {
		if (off != APIC_REG_EOI)	/* write-only */
			val = mv_lapic_reg_read(lapic, off);
	} else {
		apic_error(lapic, MVA_ESR_ILLEGAL_REG);
	}
	memcpy(buf, &val, 4);
	if (len > 4)
		len = 4;
	if (byte + len > 16)
		len = 16 - byte;
	memcpy(data, buf + byte, len);
}

void mv_lapic_mmio_write(struct mv_vcpu *vcpu, u32 offset, const void *data, unsigned int len)
{
	u32 val;

	/* Only aligned 32-bit writes reach a register (11.4.1). */
	if (len != 4 || (offset & 0xf) || (offset & 0xfff) >= 0x400)
		return;
	memcpy(&val, data, 4);
	mv_lapic_reg_write(vcpu->lapic, offset & 0xff0, val, false);
}

/*
 * APICv trap-like APIC-write exit (SDM Vol. 3C 30.4.3.3): the CPU wrote the
 * register into the page; perform the write's effect. The x2APIC ICR is the
 * 64-bit field at 0x300 there (30.5).
 */
void mv_lapic_write_trap(struct mv_vcpu *vcpu, u32 offset)
{
	struct mv_lapic *lapic = vcpu->lapic;
	bool x2apic = mv_lapic_x2apic_mode(lapic);
	u32 off = offset & 0xff0;
	u32 val = reg_get(lapic, off);

	if (off == APIC_REG_ICR && x2apic) {
		val &= MVA_ICR_LOW_MASK;
		reg_set(lapic, off, val);
		mv_lapic_send_icr(lapic, val, reg_get(lapic, APIC_REG_ICR + 4), true);
		return;
	}
	if (x2apic && off == APIC_REG_SELF_IPI) {
		mv_lapic_accept_fixed(lapic, val & 0xff, false);
		return;
	}
	/* Reserved bits are dropped: the instruction has completed. */
	mv_lapic_reg_write(lapic, off, val & mva_write_mask(off, x2apic), false);
}

/* ---- delivery ---- */

static void rx_of(struct mv_lapic *lapic, struct mva_rx *rx)
{
	rx->x2apic = mv_lapic_x2apic_mode(lapic);
	rx->id = reg_get(lapic, APIC_REG_ID);
	if (!rx->x2apic)
		rx->id >>= 24;
	rx->ldr = reg_get(lapic, APIC_REG_LDR);
	rx->dfr = reg_get(lapic, APIC_REG_DFR);
}

static bool selects(struct mv_vcpu *v, struct mv_vcpu *src, const struct mv_lapic_irq *irq)
{
	struct mva_rx rx;

	/* A globally disabled APIC is off the bus (11.4.3). */
	if (!hw_enabled(v->lapic))
		return false;
	switch (irq->shorthand) {
	case MVA_SH_SELF:
		return v == src;
	case MVA_SH_ALL:
		return true;
	case MVA_SH_OTHERS:
		return v != src;
	}
	rx_of(v->lapic, &rx);
	return mva_match_dest(&rx, irq->dest, irq->logical, irq->x2apic_dest);
}

/* One APIC accepts irq; 1 if it did. */
static int accept(struct mv_vcpu *v, const struct mv_lapic_irq *irq)
{
	switch (irq->delivery_mode) {
	case MVA_DM_FIXED:
	case MVA_DM_LOWEST:
		/* A software-disabled APIC takes only NMI, INIT, SIPI (11.4.7.2). */
		if (!sw_enabled(v->lapic) || (irq->level && !irq->assert))
			return 0;
		return mv_lapic_accept_fixed(v->lapic, irq->vector, irq->level);
	case MVA_DM_NMI:
		mv_vcpu_request(v, MV_REQ_NMI);
		return 1;
	case MVA_DM_INIT:
		if (irq->level && !irq->assert)	/* INIT level de-assert: no effect */
			return 0;
		mv_vcpu_request(v, MV_REQ_INIT);
		return 1;
	case MVA_DM_STARTUP:
		WRITE_ONCE(v->sipi_vector, irq->vector);
		mv_vcpu_request(v, MV_REQ_SIPI);
		return 1;
	}
	return 0;	/* SMI is not emulated, ExtINT comes from the PIC */
}

/*
 * Deliver irq to every APIC it selects; lowest priority goes to one of
 * them (mva_lowest_pick: lowest PPR class, ties by vector hashing).
 * Returns how many accepted.
 */
int mv_lapic_deliver(struct mv_vm *vm, struct mv_vcpu *src, const struct mv_lapic_irq *irq)
{
	struct mv_vcpu *cand[MV_MAX_VCPUS];
	u32 ppr[MV_MAX_VCPUS];
	unsigned int i, n = 0;
	int count = 0, k;

	rcu_read_lock();
	for (i = 0; i < MV_MAX_VCPUS; i++) {
		struct mv_vcpu *v = READ_ONCE(vm->vcpus[i]);

		if (!v || !READ_ONCE(v->lapic) || !selects(v, src, irq))
			continue;
		if (irq->delivery_mode != MVA_DM_LOWEST) {
			count += accept(v, irq);
			continue;
		}
		if (!sw_enabled(v->lapic))
			continue;
		cand[n] = v;
		ppr[n++] = reg_get(v->lapic, APIC_REG_PPR);
	}
	k = mva_lowest_pick(ppr, n, irq->vector);
	if (k >= 0)
		count += accept(cand[k], irq);
	rcu_read_unlock();
	return count;
}

/* An ICR write (11.6.1): low word, destination (xAPIC: 8 bits, x2APIC: 32). */
void mv_lapic_send_icr(struct mv_lapic *lapic, u32 low, u32 dest, bool x2apic)
{
	struct mv_lapic_irq irq = {
		.dest = dest,
		.vector = low & MVA_ICR_VECTOR,
		.delivery_mode = (low >> MVA_ICR_DM_SHIFT) & 7,
		.logical = low & MVA_ICR_LOGICAL,
		.level = low & MVA_ICR_LEVEL,
		.assert = low & MVA_ICR_ASSERT,
		.shorthand = (low & MVA_ICR_SH) >> MVA_ICR_SH_SHIFT,
		.x2apic_dest = x2apic,
	};

	switch (irq.delivery_mode) {
	case MVA_DM_FIXED:
	case MVA_DM_LOWEST:
		if (irq.vector < 16) {
			apic_error(lapic, MVA_ESR_SEND_ILLEGAL);
			return;
		}
		/* The trigger mode of a fixed IPI is edge in practice; level sets TMR. */
		if (!irq.level)
			irq.assert = true;
		break;
	case MVA_DM_NMI:
	case MVA_DM_STARTUP:
		break;
	case MVA_DM_INIT:
		if (!irq.level)
			irq.assert = true;
		break;
	default:
		return;		/* SMI, reserved, ExtINT: not sent */
	}
	mv_lapic_deliver(lapic->vcpu->vm, lapic->vcpu, &irq);
}

int mv_lapic_signal_msi(struct mv_vm *vm, const struct mv_msi *msi)
{
	struct mva_msg m;
	struct mv_lapic_irq irq = {};
	const char *bad = NULL;

	if (!vm->lapic) {
		mv_err("MV_SIGNAL_MSI: the VM has no in-kernel local APIC (MV_CAP_LAPIC)\n");
		return -ENXIO;
	}
	if (msi->flags) {
		mv_err("MV_SIGNAL_MSI: flags %#x must be 0\n", msi->flags);
		return -EINVAL;
	}
	if (msi->reserved[0] || msi->reserved[1]) {
		mv_err("MV_SIGNAL_MSI: reserved[] must be zero\n");
		return -EINVAL;
	}
	if (mva_msi_decode(msi->address_lo, msi->address_hi, msi->data, &m, &bad)) {
		mv_err("MV_SIGNAL_MSI: address %#x:%08x data %#x: bad %s\n",
		       msi->address_hi, msi->address_lo, msi->data, bad);
		return -EINVAL;
	}
	irq.dest = m.dest;
	irq.vector = m.vector;
	irq.delivery_mode = m.dm;
	irq.logical = m.logical;
	irq.level = m.level;
	irq.assert = m.assert;
	irq.x2apic_dest = m.x2apic_dest;
	/* RH with logical destinations: only one of them (11.11.1), as lowest priority. */
	if (m.redir_hint && m.logical && m.dm == MVA_DM_FIXED)
		irq.delivery_mode = MVA_DM_LOWEST;
	return mv_lapic_deliver(vm, NULL, &irq);
}

/* ---- lifetime and state ---- */

int mv_lapic_create(struct mv_vcpu *vcpu)
{
	struct mv_lapic *lapic;

	lapic = kzalloc(sizeof(*lapic), GFP_KERNEL_ACCOUNT);
	if (!lapic)
		return -ENOMEM;
	lapic->regs = (void *)get_zeroed_page(GFP_KERNEL_ACCOUNT);
	if (!lapic->regs) {
		kfree(lapic);
		return -ENOMEM;
	}
	lapic->vcpu = vcpu;
	mv_lapic_timer_init(lapic);
	mv_lapic_reset_regs(lapic, false);
	vcpu->lapic = lapic;
	return 0;
}

void mv_lapic_destroy(struct mv_vcpu *vcpu)
{
	struct mv_lapic *lapic = vcpu->lapic;

	if (!lapic)
		return;
	hrtimer_cancel(&lapic->timer);
	/* Senders walk vm->vcpus[] under RCU; the vCPU has left it already. */
	synchronize_rcu();
	vcpu->lapic = NULL;
	free_page((unsigned long)lapic->regs);
	kfree(lapic);
}

void mv_lapic_reset(struct mv_vcpu *vcpu, bool init)
{
	if (vcpu->lapic)
		mv_lapic_reset_regs(vcpu->lapic, init);
}

static void set_state(struct mv_lapic *lapic, const u8 *regs)
{
	unsigned int i;
	u32 v;

	mv_lapic_timer_stop(lapic);
	memcpy(lapic->regs, regs, sizeof(struct mv_lapic_state));
	/* Derived and read-only fields (11.4.8, 11.12.10.2, 11.8.3.1). */
	reg_set(lapic, APIC_REG_LVR, MVA_VERSION);
	if (mv_lapic_x2apic_mode(lapic)) {
		reg_set(lapic, APIC_REG_ID, lapic->vcpu->id);
		reg_set(lapic, APIC_REG_LDR, mva_x2apic_ldr(lapic->vcpu->id));
	}
	reg_set(lapic, APIC_REG_DFR, reg_get(lapic, APIC_REG_DFR) | 0x0fffffff);
	reg_set(lapic, APIC_REG_ICR, reg_get(lapic, APIC_REG_ICR) & ~MVA_ICR_STATUS);
	reg_set(lapic, APIC_REG_TMCCT, 0);
	for (i = 0; i < ARRAY_SIZE(lvt_regs); i++) {
		v = reg_get(lapic, lvt_regs[i]) & ~(MVA_LVT_STATUS | MVA_LVT_REMOTE_IRR);
		if (!(reg_get(lapic, APIC_REG_SVR) & MVA_SVR_ENABLE))
			v |= MVA_LVT_MASKED;
		reg_set(lapic, lvt_regs[i], v);
	}
	v = reg_get(lapic, APIC_REG_LVT_TIMER);
	if (((v & MVA_LVT_TIMER_MODE) >> MVA_LVT_TIMER_SHIFT) == 3)
		reg_set(lapic, APIC_REG_LVT_TIMER, v & ~MVA_LVT_TIMER_MODE);
	lapic->lvtt = reg_get(lapic, APIC_REG_LVT_TIMER);
	lapic->svr = reg_get(lapic, APIC_REG_SVR);
	lapic->divide_shift = mva_divide_shift(reg_get(lapic, APIC_REG_TDCR));
	lapic->esr_pending = 0;
	update_ppr(lapic);
	WRITE_ONCE(lapic->tmr_dirty, true);
	mv_lapic_timer_restart(lapic);
	kick_if_pending(lapic);
}

long mv_lapic_ioctl(struct mv_vcpu *vcpu, unsigned int ioctl, void __user *argp)
{
	struct mv_lapic *lapic = vcpu->lapic;
	struct mv_lapic_state *st;
	long r = 0;

	if (!lapic)
		return -ENXIO;
	switch (ioctl) {
	case MV_GET_LAPIC:
		st = kmalloc(sizeof(*st), GFP_KERNEL);
		if (!st)
			return -ENOMEM;
		memcpy(st->regs, lapic->regs, sizeof(st->regs));
		*(u32 *)&st->regs[APIC_REG_TMCCT] = mv_lapic_timer_count(lapic);
		if (copy_to_user(argp, st, sizeof(*st)))
			r = -EFAULT;
		kfree(st);
		return r;
	case MV_SET_LAPIC:
		st = memdup_user(argp, sizeof(*st));
		if (IS_ERR(st))
			return PTR_ERR(st);
		set_state(lapic, st->regs);
		kfree(st);
		return 0;
	}
	return -ENOTTY;
}
