/* SPDX-License-Identifier: GPL-2.0 */
/*
 * In-kernel local APIC, one per vCPU (MV_CAP_LAPIC): a layer beside core,
 * vendor-neutral. SDM Vol. 3A chapter 11 (xAPIC, x2APIC, timer, IPIs).
 *
 * The registers live in one page laid out as the xAPIC MMIO page (11.4.1,
 * table 11-1); with APICv that same page is the VMCS virtual-APIC page, so
 * the CPU reads and updates TPR, PPR, ISR, IRR and EOI there itself (SDM
 * Vol. 3C chapter 30). Concurrency: only the vCPU's own thread writes the
 * registers, except IRR and TMR bits, which any CPU sets atomically
 * (mv_lapic_deliver, the timer), followed by a kick of the vCPU.
 */
#ifndef MV_LAPIC_H
#define MV_LAPIC_H

#include <linux/hrtimer.h>
#include <linux/types.h>

struct mv_vcpu;
struct mv_vm;
struct mv_msi;

#define MV_APIC_DEFAULT_BASE	0xfee00000ULL
#define MV_APIC_BASE_BSP	(1ULL << 8)	/* IA32_APIC_BASE bits, SDM 11.4.4 */
#define MV_APIC_BASE_EXTD	(1ULL << 10)	/* x2APIC mode */
#define MV_APIC_BASE_EN		(1ULL << 11)

/* Register offsets in the page (table 11-1); x2APIC MSR = 0x800 + off / 16. */
#define APIC_REG_ID		0x020
#define APIC_REG_LVR		0x030
#define APIC_REG_TPR		0x080
#define APIC_REG_PPR		0x0a0
#define APIC_REG_EOI		0x0b0
#define APIC_REG_LDR		0x0d0
#define APIC_REG_DFR		0x0e0
#define APIC_REG_SVR		0x0f0
#define APIC_REG_ISR		0x100	/* 8 registers, 16 bytes apart */
#define APIC_REG_TMR		0x180
#define APIC_REG_IRR		0x200
#define APIC_REG_ESR		0x280
#define APIC_REG_LVT_CMCI	0x2f0
#define APIC_REG_ICR		0x300
#define APIC_REG_ICR2		0x310
#define APIC_REG_LVT_TIMER	0x320
#define APIC_REG_LVT_THERMAL	0x330
#define APIC_REG_LVT_PMC	0x340
#define APIC_REG_LVT_LINT0	0x350
#define APIC_REG_LVT_LINT1	0x360
#define APIC_REG_LVT_ERROR	0x370
#define APIC_REG_TMICT		0x380	/* timer initial count */
#define APIC_REG_TMCCT		0x390	/* timer current count */
#define APIC_REG_TDCR		0x3e0	/* timer divide configuration */
#define APIC_REG_SELF_IPI	0x3f0	/* x2APIC only */

/* One interrupt message, from an ICR write or MV_SIGNAL_MSI. */
struct mv_lapic_irq {
	u32 dest;		/* APIC ID or logical destination (x2APIC: 32 bits) */
	u8 vector;
	u8 delivery_mode;	/* MV_APIC_DM_* */
	bool logical;		/* destination mode */
	bool level;		/* trigger mode: level */
	bool assert;		/* level: assert (INIT level de-assert is ignored) */
	u8 shorthand;		/* 0 none, 1 self, 2 all incl. self, 3 all excl. self */
	bool x2apic_dest;	/* dest is a 32-bit x2APIC destination */
};

struct mv_lapic {
	struct mv_vcpu *vcpu;
	void *regs;			/* the register page (virtual-APIC page) */
	u64 base;			/* IA32_APIC_BASE */
	/* Timer (SDM 11.5.4): hrtimer on the host clock, in guest TSC ticks. */
	struct hrtimer timer;
	u64 timer_start_tsc;		/* guest TSC when TMICT was written */
	u64 timer_period_ns;		/* periodic mode: one period */
	u64 tsc_deadline;		/* IA32_TSC_DEADLINE, 0: disarmed */
	bool tmr_dirty;			/* TMR changed: backend recomputes EOI exits */
	/* Between lapic*.c only (vCPU thread unless noted). */
	unsigned long esr_pending;	/* errors since the last ESR write; atomic */
	u32 lvtt;			/* LVT timer as last processed (mode: timer) */
	u32 svr;			/* SVR as last processed */
	unsigned int divide_shift;	/* log2 of the TDCR divisor */
};

/*
 * What the LAPIC uses from core (mv.h, vcpu.c):
 *   mv_vcpu_request(vcpu, MV_REQ_*)  NMI, INIT, SIPI (vcpu->sipi_vector set
 *                                    first), or MV_REQ_EVENT after setting
 *                                    an IRR bit; any CPU, any context; kicks.
 *   mv_vcpu_kick(vcpu)               make it look at its state again soon.
 *   mv_vcpu_guest_tsc(vcpu)          the guest's TSC now.
 *   mv_tsc_khz                       guest TSC (and APIC bus) frequency.
 *   mv_vcpu_eoi_exit(vcpu, vector)   vCPU thread only: a level-triggered
 *                                    EOI goes to userspace (MV_EXIT_EOI).
 */

/* Lifetime: create with the vCPU when vm->lapic is set, reset on INIT. */
int mv_lapic_create(struct mv_vcpu *vcpu);
void mv_lapic_destroy(struct mv_vcpu *vcpu);
void mv_lapic_reset(struct mv_vcpu *vcpu, bool init);	/* init: INIT keeps base/ID */

/* The xAPIC page: true if the guest-physical address is this vCPU's APIC page. */
bool mv_lapic_in_mmio(struct mv_vcpu *vcpu, u64 gpa);
/* Reads/writes at offset in the page, 1..4 bytes; writes other than 4 bytes are dropped. */
void mv_lapic_mmio_read(struct mv_vcpu *vcpu, u32 offset, void *data, unsigned int len);
void mv_lapic_mmio_write(struct mv_vcpu *vcpu, u32 offset, const void *data, unsigned int len);

/*
 * MSRs: IA32_APIC_BASE (0x1b), IA32_TSC_DEADLINE (0x6e0), x2APIC 0x800-0x8ff.
 * 0 on success, -EINVAL where the CPU would raise #GP, -ENOENT: not an APIC MSR.
 */
int mv_lapic_get_msr(struct mv_vcpu *vcpu, u32 index, u64 *data);
int mv_lapic_set_msr(struct mv_vcpu *vcpu, u32 index, u64 data, bool host);

/* Sends irq to every matching local APIC of vm (src: the sender, NULL for MSI). */
int mv_lapic_deliver(struct mv_vm *vm, struct mv_vcpu *src, const struct mv_lapic_irq *irq);
/* MV_SIGNAL_MSI: decodes the message; -EINVAL for a malformed one. */
int mv_lapic_signal_msi(struct mv_vm *vm, const struct mv_msi *msi);

/* Interrupt acceptance by the vCPU (SDM 11.8.3, 11.8.4). */
int mv_lapic_pending_vector(struct mv_vcpu *vcpu);	/* highest IRR above PPR, or -1 */
void mv_lapic_ack(struct mv_vcpu *vcpu, u8 vector);	/* IRR -> ISR, PPR */
bool mv_lapic_accepts_pic(struct mv_vcpu *vcpu);	/* LINT0 ExtINT unmasked, or APIC off */
bool mv_lapic_enabled(struct mv_vcpu *vcpu);		/* globally and software enabled */

/*
 * CR8 without a TPR shadow (SDM Vol. 3A 11.8.6): CR8[3:0] is
 * TPR[7:4]. set: -EINVAL (#GP) for bits 63:4.
 */
u64 mv_lapic_get_cr8(struct mv_vcpu *vcpu);
int mv_lapic_set_cr8(struct mv_vcpu *vcpu, u64 cr8);

/* APICv: trap-like APIC-write exit at offset; EOI-induced exit for vector. */
void mv_lapic_write_trap(struct mv_vcpu *vcpu, u32 offset);
void mv_lapic_eoi_vector(struct mv_vcpu *vcpu, u8 vector);
/* The highest set bit of the 256-bit register at offset (ISR, IRR), or -1. */
int mv_lapic_highest(const void *regs, u32 offset);

long mv_lapic_ioctl(struct mv_vcpu *vcpu, unsigned int ioctl, void __user *argp);

/* ---- Between lapic.c, lapic_timer.c and lapic_msr.c only ---- */
#define MV_APIC_BASE_ADDR_MASK	(~0xfffULL)

static inline bool mv_lapic_x2apic_mode(const struct mv_lapic *lapic)
{
	return (READ_ONCE(lapic->base) & (MV_APIC_BASE_EN | MV_APIC_BASE_EXTD)) ==
	       (MV_APIC_BASE_EN | MV_APIC_BASE_EXTD);
}

/* lapic.c */
u32 mv_lapic_reg_read(struct mv_lapic *lapic, u32 off);
int mv_lapic_reg_write(struct mv_lapic *lapic, u32 off, u32 val, bool x2apic);
void mv_lapic_send_icr(struct mv_lapic *lapic, u32 low, u32 dest, bool x2apic);
bool mv_lapic_accept_fixed(struct mv_lapic *lapic, u8 vector, bool level);
void mv_lapic_reset_regs(struct mv_lapic *lapic, bool init);
/* lapic_timer.c */
void mv_lapic_timer_init(struct mv_lapic *lapic);
void mv_lapic_timer_stop(struct mv_lapic *lapic);
u32 mv_lapic_timer_count(struct mv_lapic *lapic);
void mv_lapic_timer_lvtt(struct mv_lapic *lapic, u32 lvtt);
void mv_lapic_timer_tmict(struct mv_lapic *lapic, u32 tmict);
void mv_lapic_timer_tdcr(struct mv_lapic *lapic, u32 tdcr);
void mv_lapic_timer_restart(struct mv_lapic *lapic);
u64 mv_lapic_timer_get_deadline(struct mv_lapic *lapic);
void mv_lapic_timer_set_deadline(struct mv_lapic *lapic, u64 deadline);

#endif /* MV_LAPIC_H */
