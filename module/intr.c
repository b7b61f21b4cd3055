// SPDX-License-Identifier: GPL-2.0
/*
 * Interrupts and events for a vCPU, vendor-neutral: what to inject at the
 * next entry (NMI, an external interrupt from userspace's PIC, the local
 * APIC's highest pending vector), interrupt and NMI windows, HLT blocking
 * in the kernel with halt polling, INIT and start-up IPIs (the MP state),
 * and kicking a vCPU from another thread or CPU.
 *
 * Requests (vcpu->requests) may be posted from any context: another vCPU's
 * IPI, the LAPIC timer's hrtimer, the MV_SIGNAL_MSI ioctl. The poster sets
 * the bit and kicks; the vCPU thread consumes the bits before each entry.
 * The entry path publishes guest_cpu and then re-reads the requests with
 * interrupts disabled (mv_vcpu_enter_guest()), and the kicker sets the bit
 * and then reads guest_cpu, both with a full barrier between: either the
 * vCPU sees the bit before entering, or the kicker sees it in guest mode and
 * interrupts that CPU (external-interrupt exiting makes the IPI a VM exit).
 */
#include <linux/hrtimer.h>
#include <linux/ktime.h>
#include <linux/module.h>
#include <linux/rcuwait.h>
#include <linux/sched.h>
#include <linux/sched/signal.h>
#include <linux/sched/stat.h>
#include <linux/uaccess.h>
#include <asm/tsc.h>
#include "mv.h"
#include "lapic.h"
#include "stats.h"

u32 mv_tsc_khz;

static unsigned int halt_poll_ns = 200000;
module_param(halt_poll_ns, uint, 0644);
MODULE_PARM_DESC(halt_poll_ns,
		 "Default ns a halted vCPU polls for a wake-up before it sleeps (0: never)");

#define MV_HALT_POLL_MAX_NS	(10 * NSEC_PER_MSEC)

u32 mv_halt_poll_default(void)
{
	return min_t(u32, READ_ONCE(halt_poll_ns), MV_HALT_POLL_MAX_NS);
}

u32 mv_halt_poll_max(void)
{
	return MV_HALT_POLL_MAX_NS;
}

void mv_vcpu_kick(struct mv_vcpu *vcpu)
{
	struct task_struct *task;

	rcuwait_wake_up(&vcpu->wait);
	/* Pairs with the barrier in mv_vcpu_enter_guest(). */
	smp_mb();
	if (READ_ONCE(vcpu->guest_cpu) < 0)
		return;
	rcu_read_lock();
	task = READ_ONCE(vcpu->task);
	/* A reschedule IPI to the CPU in guest mode: an external-interrupt exit. */
	if (task)
		kick_process(task);
	rcu_read_unlock();
}

void mv_vcpu_request(struct mv_vcpu *vcpu, unsigned int req)
{
	set_bit(req, &vcpu->requests);
	mv_vcpu_kick(vcpu);
}

/* Interrupts off, right before the entry: false if it must not happen. */
bool mv_vcpu_enter_guest(struct mv_vcpu *vcpu)
{
	WRITE_ONCE(vcpu->guest_cpu, raw_smp_processor_id());
	/* Pairs with the barrier in mv_vcpu_kick(). */
	smp_mb();
	if (mv_vcpu_exit_pending() || READ_ONCE(vcpu->requests)) {
		WRITE_ONCE(vcpu->guest_cpu, -1);
		return false;
	}
	return true;
}

void mv_vcpu_exit_guest(struct mv_vcpu *vcpu)
{
	WRITE_ONCE(vcpu->guest_cpu, -1);
}

u64 mv_vcpu_guest_tsc(struct mv_vcpu *vcpu)
{
	return rdtsc() + READ_ONCE(vcpu->tsc_offset);
}

void mv_vcpu_eoi_exit(struct mv_vcpu *vcpu, u8 vector)
{
	vcpu->eoi_exit = true;
	vcpu->eoi_vector = vector;
}

/* INIT (SDM Vol. 3A 9.1, table 9-1): reset state, then wait for a SIPI. */
static void mv_intr_init(struct mv_vcpu *vcpu)
{
	mv_ops->init_vcpu(vcpu);
	if (vcpu->lapic)
		mv_lapic_reset(vcpu, true);
	vcpu->ext_irq = -1;
	vcpu->nmi_queued = false;
	clear_bit(MV_REQ_NMI, &vcpu->requests);
	vcpu->mp_state = MV_MP_STATE_WAIT_SIPI;
}

/* Whether a halted vCPU has something to do (SDM Vol. 3A 9.1.2, HLT). */
static bool mv_intr_wakeup(struct mv_vcpu *vcpu, bool guest_if)
{
	unsigned long req = READ_ONCE(vcpu->requests);

	if (req & (BIT(MV_REQ_NMI) | BIT(MV_REQ_INIT) | BIT(MV_REQ_SIPI)) || vcpu->nmi_queued)
		return true;
	if (!guest_if)
		return false;
	if (READ_ONCE(vcpu->ext_irq) >= 0)
		return true;
	return vcpu->lapic && mv_lapic_pending_vector(vcpu) >= 0;
}

/*
 * Blocks a halted or INIT-ed vCPU until it has work: polls for up to the
 * VM's halt-poll time first (a wake-up soon after HLT is common and a sleep
 * costs two context switches), then sleeps. 0 when there is work, -EINTR
 * for a signal (the vCPU stays halted: the next MV_RUN blocks again).
 */
static int mv_intr_block(struct mv_vcpu *vcpu, bool sipi)
{
	bool guest_if = !sipi && (mv_ops->get_rflags(vcpu) & X86_EFLAGS_IF);
	u64 start, poll = sipi ? 0 : READ_ONCE(vcpu->vm->halt_poll_ns);
	int r;

#define MV_WOKEN(v)	(sipi ? READ_ONCE((v)->requests) & (BIT(MV_REQ_INIT) | BIT(MV_REQ_SIPI)) \
			      : mv_intr_wakeup(v, guest_if))
	if (MV_WOKEN(vcpu))
		return 0;
	if (poll) {
		start = ktime_get_ns();
		/*
		 * Only while nothing else wants this CPU: polling while the
		 * thread that would wake us (another vCPU, the VMM) is
		 * runnable here only delays the wake-up.
		 */
		do {
			if (MV_WOKEN(vcpu))
				return 0;
			if (signal_pending(current))
				return -EINTR;
			cpu_relax();
		} while (!need_resched() && single_task_running() &&
			 ktime_get_ns() - start < poll);
	}
	r = rcuwait_wait_event(&vcpu->wait, MV_WOKEN(vcpu) || signal_pending(current),
			       TASK_INTERRUPTIBLE);
#undef MV_WOKEN
	if (signal_pending(current))
		return -EINTR;
	return r;
}

/*
 * Before every entry: requests, the MP state, and what to inject. Returns
 * 1 to enter, 0 to return to userspace with the run page filled in, or
 * -EINTR (a signal while blocked).
 */
static int mv_intr_requests(struct mv_vcpu *vcpu, bool *irr)
{
	int r;

	if (test_and_clear_bit(MV_REQ_STATS_RESET, &vcpu->requests))
		mv_stats_apply_reset(vcpu);
	if (test_and_clear_bit(MV_REQ_INIT, &vcpu->requests))
		mv_intr_init(vcpu);
	if (vcpu->mp_state == MV_MP_STATE_WAIT_SIPI) {
		for (;;) {
			if (test_and_clear_bit(MV_REQ_INIT, &vcpu->requests))
				mv_intr_init(vcpu);
			if (test_and_clear_bit(MV_REQ_SIPI, &vcpu->requests)) {
				/* The start-up IPI: CS:IP = VV00:0000 (SDM Vol. 3A 9.4.4). */
				mv_ops->sipi(vcpu, READ_ONCE(vcpu->sipi_vector));
				vcpu->mp_state = MV_MP_STATE_RUNNABLE;
				break;
			}
			r = mv_intr_block(vcpu, true);
			if (r)
				return r;
		}
	}
	/* A SIPI outside wait-for-SIPI is ignored (9.4.4). */
	if (test_bit(MV_REQ_SIPI, &vcpu->requests))
		clear_bit(MV_REQ_SIPI, &vcpu->requests);

	if (vcpu->mp_state == MV_MP_STATE_HALTED) {
		mv_stats_count(vcpu, MV_STAT_HALTS);
		r = mv_intr_block(vcpu, false);
		if (r)
			return r;
		mv_stats_count(vcpu, MV_STAT_HALT_WAKEUPS);
		vcpu->mp_state = MV_MP_STATE_RUNNABLE;
		if (test_bit(MV_REQ_INIT, &vcpu->requests))
			return mv_intr_requests(vcpu, irr);
	}
	if (test_and_clear_bit(MV_REQ_EVENT, &vcpu->requests))
		*irr = true;
	if (test_and_clear_bit(MV_REQ_NMI, &vcpu->requests))
		vcpu->nmi_queued = true;
	return 1;
}

/*
 * Before every entry: requests, the MP state, and what to inject. Returns
 * 1 to enter, 0 to return to userspace with the run page filled in, or
 * -EINTR (a signal while blocked). Window controls are only ever set here;
 * the window exit clears them, so nothing is undone on the fast path.
 */
int mv_intr_prepare(struct mv_vcpu *vcpu)
{
	struct mv_run *run = vcpu->run;
	bool irq_window = false, nmi_window = false, irr = false;
	bool want_window = READ_ONCE(run->request_interrupt_window);
	int vector = -1, allowed = -1, r;

	if (unlikely(READ_ONCE(vcpu->requests) || vcpu->mp_state != MV_MP_STATE_RUNNABLE)) {
		r = mv_intr_requests(vcpu, &irr);
		if (r <= 0)
			return r;
	}
	if (vcpu->lapic) {
		mv_ops->lapic_sync(vcpu, irr);
		vector = mv_lapic_pending_vector(vcpu);
	}
	if (likely(!vcpu->nmi_queued && vcpu->ext_irq < 0 && vector < 0 && !want_window))
		return 1;

	/* One event per entry: NMI first, then the PIC, then the LAPIC. */
	if (vcpu->nmi_queued) {
		if (mv_ops->nmi_allowed(vcpu)) {
			mv_ops->inject_nmi(vcpu);
			mv_stats_count(vcpu, MV_STAT_NMIS);
			vcpu->nmi_queued = false;
			allowed = 0;
		} else {
			nmi_window = true;
		}
	}
	if (allowed < 0)
		allowed = mv_ops->irq_allowed(vcpu);
	if (vcpu->ext_irq >= 0) {
		if (allowed) {
			mv_ops->inject_irq(vcpu, vcpu->ext_irq);
			mv_stats_count(vcpu, MV_STAT_IRQS);
			vcpu->ext_irq = -1;
			allowed = 0;
		} else {
			irq_window = true;
		}
	}
	/*
	 * A LAPIC vector is delivered by injection in both modes. With APICv
	 * this is what virtual-interrupt delivery does (SDM Vol. 3C 30.2.2:
	 * IRR -> ISR, SVI, RVI, PPR), done by software at entry: the CPU's
	 * own evaluation at VM entry (27.3.2.5) is not relied on because
	 * Bochs 2.7 never performs it (Documentation/testing.md). After the
	 * guest's EOI the CPU delivers the next pending vector itself.
	 */
	if (vector >= 0) {
		if (allowed) {
			mv_lapic_ack(vcpu, vector);
			mv_ops->inject_irq(vcpu, vector);
			mv_stats_count(vcpu, MV_STAT_IRQS);
			if (mv_ops->apicv_active(vcpu))
				mv_ops->lapic_sync(vcpu, true);
			allowed = 0;
		} else {
			irq_window = true;
		}
	}
	/* Userspace waits to inject (KVM-style request_interrupt_window). */
	if (want_window && vcpu->ext_irq < 0 && (!vcpu->lapic || mv_lapic_accepts_pic(vcpu))) {
		if (allowed) {
			run->exit_reason = MV_EXIT_IRQ_WINDOW_OPEN;
			return 0;
		}
		irq_window = true;
	}
	if (irq_window || nmi_window)
		mv_ops->set_windows(vcpu, irq_window, nmi_window);
	return 1;
}

/* HLT exit: in the kernel with a local APIC, else userspace's business. */
int mv_intr_halt(struct mv_vcpu *vcpu)
{
	vcpu->mp_state = MV_MP_STATE_HALTED;
	return 1;
}

/* Every return from MV_RUN: the interrupt state userspace decides on. */
void mv_intr_fill_run(struct mv_vcpu *vcpu)
{
	struct mv_run *run = vcpu->run;
	bool allowed = mv_ops->irq_allowed(vcpu);

	run->if_flag = !!(mv_ops->get_rflags(vcpu) & X86_EFLAGS_IF);
	run->ready_for_interrupt_injection = allowed && vcpu->ext_irq < 0 &&
		(!vcpu->lapic || mv_lapic_accepts_pic(vcpu));
}

long mv_intr_ioctl(struct mv_vcpu *vcpu, unsigned int ioctl, void __user *argp)
{
	struct mv_interrupt irq;
	struct mv_mp_state mp;

	switch (ioctl) {
	case MV_INTERRUPT:
		if (copy_from_user(&irq, argp, sizeof(irq)))
			return -EFAULT;
		if (irq.flags || irq.vector > 255 || irq.vector < 32) {
			mv_err("MV_INTERRUPT: vector %u (must be 32..255) or flags %#x (must be 0)\n",
			       irq.vector, irq.flags);
			return -EINVAL;
		}
		if (vcpu->ext_irq >= 0)
			return -EBUSY;
		vcpu->ext_irq = irq.vector;
		return 0;
	case MV_NMI:
		vcpu->nmi_queued = true;
		return 0;
	case MV_GET_MP_STATE:
		mp = (struct mv_mp_state) { .state = vcpu->mp_state };
		return copy_to_user(argp, &mp, sizeof(mp)) ? -EFAULT : 0;
	case MV_SET_MP_STATE:
		if (copy_from_user(&mp, argp, sizeof(mp)))
			return -EFAULT;
		if (mp.pad || mp.state > MV_MP_STATE_HALTED) {
			mv_err("MV_SET_MP_STATE: unknown state %u\n", mp.state);
			return -EINVAL;
		}
		/* Without a local APIC nothing could ever send the SIPI. */
		if (mp.state == MV_MP_STATE_WAIT_SIPI && !vcpu->lapic) {
			mv_err("MV_SET_MP_STATE: WAIT_SIPI needs the in-kernel local APIC (MV_CAP_LAPIC)\n");
			return -EINVAL;
		}
		vcpu->mp_state = mp.state;
		return 0;
	}
	return -ENOTTY;
}

void mv_intr_vcpu_init(struct mv_vcpu *vcpu)
{
	vcpu->ext_irq = -1;
	vcpu->guest_cpu = -1;
	rcuwait_init(&vcpu->wait);
	vcpu->tsc_offset = vcpu->vm->tsc_offset;
	/* With a local APIC, application processors wait for INIT/SIPI (9.4). */
	vcpu->mp_state = vcpu->lapic && vcpu->id ? MV_MP_STATE_WAIT_SIPI : MV_MP_STATE_RUNNABLE;
}
