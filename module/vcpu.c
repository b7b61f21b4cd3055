// SPDX-License-Identifier: GPL-2.0
/*
 * vCPU objects: fd, shared run page, ioctls and the run loop.
 *
 * The run loop is the bhyve shape: the backend enters the guest once and
 * either handles the exit itself (MV_NEXIT_NONE) or describes it neutrally;
 * core loops until an exit must go to userspace. Before every entry it checks
 * for pending signals and rescheduling, so a guest spinning in a loop can
 * never wedge a host CPU or a killed process.
 */
#include <linux/anon_inodes.h>
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/nospec.h>
#include <linux/sched.h>
#include <linux/sched/signal.h>
#include <linux/slab.h>
#include <linux/uaccess.h>
#include "mv.h"
#include "stats.h"
#include "lapic.h"
#include "trace.h"
#include "../common/x86_decode.h"

static struct preempt_ops mv_preempt_ops;

static struct mv_vcpu *pn_to_vcpu(struct preempt_notifier *pn)
{
	return container_of(pn, struct mv_vcpu, pn);
}

static void mv_sched_in(struct preempt_notifier *pn, int cpu)
{
	mv_ops->vcpu_load(pn_to_vcpu(pn), cpu);
}

static void mv_sched_out(struct preempt_notifier *pn, struct task_struct *next)
{
	mv_ops->vcpu_put(pn_to_vcpu(pn));
}

void mv_vcpu_preempt_init(void)
{
	mv_preempt_ops.sched_in = mv_sched_in;
	mv_preempt_ops.sched_out = mv_sched_out;
	preempt_notifier_inc();
}

void mv_vcpu_preempt_exit(void)
{
	preempt_notifier_dec();
}

/*
 * Loads the vCPU on this CPU for the duration of an ioctl. The preempt
 * notifier moves it (VMCLEAR on the old CPU, VMPTRLD on the new one) if the
 * thread is scheduled out and migrates meanwhile.
 */
static void mv_vcpu_load(struct mv_vcpu *vcpu)
{
	int cpu = get_cpu();

	preempt_notifier_register(&vcpu->pn);
	mv_ops->vcpu_load(vcpu, cpu);
	put_cpu();
}

static void mv_vcpu_put(struct mv_vcpu *vcpu)
{
	preempt_disable();
	mv_ops->vcpu_put(vcpu);
	preempt_notifier_unregister(&vcpu->pn);
	preempt_enable();
}

/*
 * Applies data userspace supplied for the previous IN or MMIO read. Returns
 * 0 when finishing the instruction is itself an exit to userspace (the
 * write of an MMIO read-modify-write, now in the run page), else 1.
 */
static int mv_complete_pending(struct mv_vcpu *vcpu)
{
	struct mv_pending *p = &vcpu->pending;
	struct mv_run *run = vcpu->run;
	u64 val = 0, old;

	switch (p->kind) {
	case MV_PENDING_PIO_IN:
		memcpy(&val, (u8 *)run + MV_RUN_IO_DATA_OFFSET, p->size);
		trace_minivisor_pio(vcpu, run->io.port, p->size, true, 1, val);
		break;
	case MV_PENDING_MMIO_READ:
	case MV_PENDING_MMIO_WRITE:
		return mv_mmio_complete(vcpu);
	case MV_PENDING_HYPERCALL:
		mv_ops->set_gpr(vcpu, X86_RAX, READ_ONCE(run->hypercall.ret));
		p->kind = MV_PENDING_NONE;
		return 1;
	case MV_PENDING_MSR:
		mv_msr_complete(vcpu);
		p->kind = MV_PENDING_NONE;
		return 1;
	case MV_PENDING_DESC:
		mv_ops->desc_complete(vcpu, READ_ONCE(run->desc.error));
		p->kind = MV_PENDING_NONE;
		return 1;
	case MV_PENDING_PIO_STRING_IN:
		mv_pio_string_complete(vcpu);
		p->kind = MV_PENDING_NONE;
		return 1;
	default:
		return 1;
	}
	old = mv_ops->get_gpr(vcpu, p->reg);
	mv_ops->set_gpr(vcpu, p->reg, x86_merge_reg(old, val, p->size, p->high_byte));
	p->kind = MV_PENDING_NONE;
	return 1;
}

static void mv_exit_internal(struct mv_run *run, u32 suberror, unsigned int ndata,
			     const u64 *data)
{
	run->exit_reason = MV_EXIT_INTERNAL_ERROR;
	run->internal.suberror = suberror;
	run->internal.ndata = ndata;
	memcpy(run->internal.data, data, ndata * sizeof(u64));
}

/*
 * Translates a neutral exit for userspace. Returns 0 to return to
 * userspace, 1 to enter the guest again.
 */
static int mv_handle_exit(struct mv_vcpu *vcpu)
{
	struct mv_exit *e = &vcpu->exit;
	struct mv_run *run = vcpu->run;
	u64 data[4];

	switch (e->reason) {
	case MV_NEXIT_IO:
		if (e->io.string)
			return mv_pio_string_exit(vcpu);
		run->exit_reason = MV_EXIT_IO;
		run->io.direction = e->io.in ? MV_EXIT_IO_IN : MV_EXIT_IO_OUT;
		run->io.size = e->io.size;
		run->io.port = e->io.port;
		run->io.count = 1;
		run->io.data_offset = MV_RUN_IO_DATA_OFFSET;
		if (e->io.in) {
			vcpu->pending = (struct mv_pending) {
				.kind = MV_PENDING_PIO_IN, .size = e->io.size,
				.reg = X86_RAX,
			};
			memset((u8 *)run + MV_RUN_IO_DATA_OFFSET, 0, 4);
		} else {
			memcpy((u8 *)run + MV_RUN_IO_DATA_OFFSET, &e->io.value, 4);
			trace_minivisor_pio(vcpu, e->io.port, e->io.size, false, 1, e->io.value);
		}
		return 0;
	case MV_NEXIT_MEMFAULT:
		return mv_mmio_exit(vcpu);
	case MV_NEXIT_RAM_FAULT:
		return mv_mmu_fault_exit(vcpu);
	case MV_NEXIT_HLT:
		run->exit_reason = MV_EXIT_HLT;
		return 0;
	case MV_NEXIT_SHUTDOWN:
		run->exit_reason = MV_EXIT_SHUTDOWN;
		return 0;
	case MV_NEXIT_FAIL_ENTRY:
		run->exit_reason = MV_EXIT_FAIL_ENTRY;
		run->fail_entry.hardware_entry_failure_reason = e->fail.reason;
		run->fail_entry.qualification = e->fail.qual;
		run->fail_entry.cpu = raw_smp_processor_id();
		run->fail_entry.check = e->fail.check;
		trace_minivisor_entry_failure(vcpu, e->fail.reason, e->fail.qual, e->fail.check);
		return 0;
	case MV_NEXIT_HYPERCALL:
		run->exit_reason = MV_EXIT_HYPERCALL;
		run->hypercall.nr = e->hypercall.nr;
		memcpy(run->hypercall.args, e->hypercall.args, sizeof(run->hypercall.args));
		/* Unless the VMM answers, the guest sees "no such hypercall". */
		run->hypercall.ret = MV_HC_ENOSYS;
		vcpu->pending = (struct mv_pending) { .kind = MV_PENDING_HYPERCALL };
		return 0;
	case MV_NEXIT_MSR:
		return mv_msr_exit(vcpu);
	case MV_NEXIT_DESC:
		run->exit_reason = MV_EXIT_DESC;
		run->desc.insn = e->desc.insn;
		run->desc.error = 0;
		run->desc.selector = e->desc.selector;
		run->desc.limit = e->desc.limit;
		run->desc.base = e->desc.base;
		vcpu->pending = (struct mv_pending) { .kind = MV_PENDING_DESC };
		return 0;
	case MV_NEXIT_DEBUG:
		run->exit_reason = MV_EXIT_DEBUG;
		run->debug.exception = e->debug.exception;
		run->debug.padding = 0;
		run->debug.pc = e->debug.pc;
		run->debug.dr6 = e->debug.dr6;
		run->debug.dr7 = e->debug.dr7;
		return 0;
	case MV_NEXIT_UNHANDLED:
		data[0] = e->unhandled.raw_reason;
		data[1] = e->unhandled.qual;
		data[2] = e->unhandled.rip;
		data[3] = e->unhandled.insn_len;
		mv_exit_internal(run, MV_INTERNAL_UNHANDLED_EXIT, 4, data);
		return 0;
	case MV_NEXIT_HW_ERROR:
	default:
		vcpu->dead = true;
		data[0] = e->hw.op;
		data[1] = e->hw.error;
		data[2] = e->hw.check;
		mv_exit_internal(run, MV_INTERNAL_HW_ERROR, 3, data);
		return 0;
	}
}

/*
 * Whether the run loop must return or reschedule instead of entering the
 * guest. Backends call it again with interrupts disabled right before the
 * entry, so a kick that arrives after the loop's own check is not lost.
 * Signals end the run. TIF_NOTIFY_RESUME must not: rseq sets it at every
 * preemption of any glibc thread, so MV_RUN would return on every context
 * switch (see design.md, known gaps).
 */
bool mv_vcpu_exit_pending(void)
{
	return signal_pending(current) || need_resched();
}

static long mv_vcpu_run(struct mv_vcpu *vcpu)
{
	struct mv_run *run = vcpu->run;
	long r = 0;

	if (vcpu->dead)
		return -EIO;

	mv_vcpu_load(vcpu);
	WRITE_ONCE(vcpu->task, current);
	mv_ops->vcpu_run_begin(vcpu);
	if (!mv_complete_pending(vcpu))
		goto out;
	run->exit_reason = MV_EXIT_NONE;

	if (READ_ONCE(run->immediate_exit)) {
		run->exit_reason = MV_EXIT_INTR;
		r = -EINTR;
		goto out;
	}

	for (;;) {
		if (signal_pending(current)) {
			run->exit_reason = MV_EXIT_INTR;
			r = -EINTR;
			break;
		}
		cond_resched();

		r = mv_intr_prepare(vcpu);
		if (r <= 0) {
			if (r == -EINTR)
				run->exit_reason = MV_EXIT_INTR;
			break;
		}
		r = 0;
		mv_ops->vcpu_run(vcpu);
		if (vcpu->exit.reason == MV_NEXIT_HLT && vcpu->lapic)
			mv_intr_halt(vcpu);
		else if (vcpu->exit.reason != MV_NEXIT_NONE && !mv_handle_exit(vcpu))
			break;
		if (unlikely(vcpu->eoi_exit)) {
			/* A level-triggered EOI: userspace's IOAPIC clears remote IRR. */
			vcpu->eoi_exit = false;
			run->exit_reason = MV_EXIT_EOI;
			memset(&run->eoi, 0, sizeof(run->eoi));
			run->eoi.vector = vcpu->eoi_vector;
			break;
		}
	}
out:
	mv_stats_user_exit(vcpu);
	trace_minivisor_userspace_exit(vcpu, run->exit_reason, r);
	switch (run->exit_reason) {
	case MV_EXIT_FAIL_ENTRY:
	case MV_EXIT_SHUTDOWN:
	case MV_EXIT_INTERNAL_ERROR:
		mv_flight_report(vcpu);
		mv_nl_exit_event(vcpu);
		break;
	}
	mv_intr_fill_run(vcpu);
	mv_ops->vcpu_run_end(vcpu);
	WRITE_ONCE(vcpu->task, NULL);
	mv_vcpu_put(vcpu);
	return r;
}

static bool sregs_reserved_clear(const struct mv_sregs *s)
{
	const struct mv_segment *segs[] = {
		&s->cs, &s->ds, &s->es, &s->fs, &s->gs, &s->ss, &s->tr, &s->ldt,
	};
	unsigned int i;

	/*
	 * Each field must fit its descriptor bits (type 4 bits, DPL 2, the
	 * flags 1): values the hardware fields would silently truncate are
	 * refused rather than changed.
	 */
	for (i = 0; i < ARRAY_SIZE(segs); i++)
		if (segs[i]->padding || segs[i]->type > 15 || segs[i]->dpl > 3 ||
		    (segs[i]->present | segs[i]->db | segs[i]->s | segs[i]->l |
		     segs[i]->g | segs[i]->avl | segs[i]->unusable) > 1)
			return false;
	for (i = 0; i < ARRAY_SIZE(s->reserved); i++)
		if (s->reserved[i])
			return false;
	for (i = 0; i < ARRAY_SIZE(s->gdt.padding); i++)
		if (s->gdt.padding[i] || s->idt.padding[i])
			return false;
	return true;
}

static long mv_vcpu_state_ioctl(struct mv_vcpu *vcpu, unsigned int ioctl,
				void __user *argp)
{
	struct mv_sregs sregs;
	struct mv_regs regs;
	long r = 0;

	switch (ioctl) {
	case MV_GET_REGS:
		mv_vcpu_load(vcpu);
		mv_ops->get_regs(vcpu, &regs);
		mv_vcpu_put(vcpu);
		if (copy_to_user(argp, &regs, sizeof(regs)))
			r = -EFAULT;
		break;
	case MV_SET_REGS:
		if (copy_from_user(&regs, argp, sizeof(regs)))
			return -EFAULT;
		mv_vcpu_load(vcpu);
		mv_ops->set_regs(vcpu, &regs);
		mv_vcpu_put(vcpu);
		/* The caller now owns the registers: drop pending completions. */
		vcpu->pending.kind = MV_PENDING_NONE;
		break;
	case MV_GET_SREGS:
		mv_vcpu_load(vcpu);
		mv_ops->get_sregs(vcpu, &sregs);
		mv_vcpu_put(vcpu);
		if (copy_to_user(argp, &sregs, sizeof(sregs)))
			r = -EFAULT;
		break;
	case MV_SET_SREGS:
		if (copy_from_user(&sregs, argp, sizeof(sregs)))
			return -EFAULT;
		if (!sregs_reserved_clear(&sregs))
			return -EINVAL;
		mv_vcpu_load(vcpu);
		r = mv_ops->set_sregs(vcpu, &sregs);
		mv_vcpu_put(vcpu);
		break;
	default:
		r = -ENOTTY;
	}
	return r;
}

static long mv_vcpu_event_ioctl(struct mv_vcpu *vcpu, unsigned int ioctl,
				void __user *argp)
{
	struct mv_guest_debug dbg;
	struct mv_vcpu_events ev;
	struct mv_exception ex;
	long r;

	switch (ioctl) {
	case MV_GET_VCPU_EVENTS:
		mv_vcpu_load(vcpu);
		r = mv_ops->get_events(vcpu, &ev);
		mv_vcpu_put(vcpu);
		if (!r && copy_to_user(argp, &ev, sizeof(ev)))
			r = -EFAULT;
		return r;
	case MV_SET_VCPU_EVENTS:
		if (copy_from_user(&ev, argp, sizeof(ev)))
			return -EFAULT;
		if (memchr_inv(ev.padding, 0, sizeof(ev.padding)) ||
		    memchr_inv(ev.reserved, 0, sizeof(ev.reserved)))
			return -EINVAL;
		mv_vcpu_load(vcpu);
		r = mv_ops->set_events(vcpu, &ev);
		mv_vcpu_put(vcpu);
		return r;
	case MV_INJECT_EXCEPTION:
		if (copy_from_user(&ex, argp, sizeof(ex)))
			return -EFAULT;
		mv_vcpu_load(vcpu);
		r = mv_ops->inject_exception(vcpu, &ex);
		mv_vcpu_put(vcpu);
		return r;
	case MV_GET_MSRS:
	case MV_SET_MSRS:
		mv_vcpu_load(vcpu);
		r = mv_msr_ioctl(vcpu, ioctl, argp);
		mv_vcpu_put(vcpu);
		return r;
	case MV_SET_GUEST_DEBUG:
		if (copy_from_user(&dbg, argp, sizeof(dbg)))
			return -EFAULT;
		mv_vcpu_load(vcpu);
		r = mv_ops->set_guest_debug(vcpu, &dbg);
		mv_vcpu_put(vcpu);
		return r;
	}
	return -ENOTTY;
}

static long mv_vcpu_intr_ioctl(struct mv_vcpu *vcpu, unsigned int ioctl, void __user *argp)
{
	long r;

	mv_vcpu_load(vcpu);
	r = mv_intr_ioctl(vcpu, ioctl, argp);
	mv_vcpu_put(vcpu);
	return r;
}

static long mv_vcpu_lapic_ioctl(struct mv_vcpu *vcpu, unsigned int ioctl, void __user *argp)
{
	long r;

	if (!vcpu->lapic)
		return -ENXIO;
	mv_vcpu_load(vcpu);
	r = mv_lapic_ioctl(vcpu, ioctl, argp);
	mv_vcpu_put(vcpu);
	return r;
}

/* Which handler an ioctl goes to; NULL: not a vCPU ioctl. */
static long (*mv_vcpu_ioctl_handler(unsigned int ioctl))(struct mv_vcpu *, unsigned int,
							 void __user *)
{
	switch (ioctl) {
	case MV_GET_REGS:
	case MV_SET_REGS:
	case MV_GET_SREGS:
	case MV_SET_SREGS:
		return mv_vcpu_state_ioctl;
	case MV_GET_VCPU_EVENTS:
	case MV_SET_VCPU_EVENTS:
	case MV_INJECT_EXCEPTION:
	case MV_GET_MSRS:
	case MV_SET_MSRS:
	case MV_SET_GUEST_DEBUG:
		return mv_vcpu_event_ioctl;
	case MV_SET_CPUID:
	case MV_GET_CPUID:
		return mv_cpuid_ioctl;
	case MV_INTERRUPT:
	case MV_NMI:
	case MV_GET_MP_STATE:
	case MV_SET_MP_STATE:
		return mv_vcpu_intr_ioctl;
	case MV_GET_LAPIC:
	case MV_SET_LAPIC:
		return mv_vcpu_lapic_ioctl;
	}
	return NULL;
}

static long mv_vcpu_ioctl(struct file *filp, unsigned int ioctl, unsigned long arg)
{
	long (*handler)(struct mv_vcpu *vcpu, unsigned int ioctl, void __user *argp);
	struct mv_vcpu *vcpu = filp->private_data;
	long r;

	handler = mv_vcpu_ioctl_handler(ioctl);
	if (!handler && ioctl != MV_RUN)
		return -ENOTTY;
	/* Guest state belongs to the creating process (api.md). */
	if (vcpu->vm->mm != current->mm)
		return -EIO;

	/* MV_RUN may take a long time; a second caller gets EBUSY, not a wait. */
	if (!mutex_trylock(&vcpu->mutex))
		return -EBUSY;
	if (ioctl == MV_RUN)
		r = mv_vcpu_run(vcpu);
	else
		r = handler(vcpu, ioctl, (void __user *)arg);
	mutex_unlock(&vcpu->mutex);
	return r;
}

static vm_fault_t mv_vcpu_fault(struct vm_fault *vmf)
{
	struct mv_vcpu *vcpu = vmf->vma->vm_file->private_data;

	if (vmf->pgoff != 0)
		return VM_FAULT_SIGBUS;
	vmf->page = virt_to_page(vcpu->run);
	get_page(vmf->page);
	return 0;
}

static const struct vm_operations_struct mv_vcpu_vm_ops = {
	.fault = mv_vcpu_fault,
};

static int mv_vcpu_mmap(struct file *filp, struct vm_area_struct *vma)
{
	if (vma->vm_pgoff != 0 || vma->vm_end - vma->vm_start > MV_RUN_SIZE)
		return -EINVAL;
	vma->vm_ops = &mv_vcpu_vm_ops;
	return 0;
}

static int mv_vcpu_release(struct inode *inode, struct file *filp)
{
	struct mv_vcpu *vcpu = filp->private_data;
	struct mv_vm *vm = vcpu->vm;

	mutex_lock(&vm->lock);
	WRITE_ONCE(vm->vcpus[vcpu->id], NULL);
	mutex_unlock(&vm->lock);
	/*
	 * IPI and MSI senders look vCPUs up under rcu_read_lock() (lapic.c).
	 * Expedited: a normal grace period costs every vCPU close a tick or
	 * more of waiting (0.2 s of wall time per vCPU in the 2-CPU test host).
	 */
	synchronize_rcu_expedited();

	if (vcpu->lapic)
		mv_lapic_destroy(vcpu);
	free_page((unsigned long)vcpu->run);
	mv_cpuid_vcpu_free(vcpu);
	mv_ops->vcpu_destroy(vcpu);
	mv_vm_put(vm);
	return 0;
}

static const struct file_operations mv_vcpu_fops = {
	.owner		= THIS_MODULE,
	.release	= mv_vcpu_release,
	.unlocked_ioctl	= mv_vcpu_ioctl,
	.compat_ioctl	= compat_ptr_ioctl,
	.mmap		= mv_vcpu_mmap,
	.llseek		= noop_llseek,
};

int mv_vcpu_create(struct mv_vm *vm, unsigned long id)
{
	struct mv_vcpu *vcpu;
	struct mv_run *run;
	int fd;

	if (id >= MV_MAX_VCPUS)
		return -EINVAL;
	id = array_index_nospec(id, MV_MAX_VCPUS);

	mutex_lock(&vm->lock);
	fd = -EEXIST;
	if (vm->vcpus[id])
		goto out_unlock;

	fd = -ENOMEM;
	run = (struct mv_run *)get_zeroed_page(GFP_KERNEL_ACCOUNT);
	if (!run)
		goto out_unlock;

	vcpu = mv_ops->vcpu_create(vm, id);
	if (IS_ERR(vcpu)) {
		fd = PTR_ERR(vcpu);
		goto free_run;
	}
	vcpu->vm = vm;
	vcpu->id = id;
	vcpu->run = run;
	mutex_init(&vcpu->mutex);
	preempt_notifier_init(&vcpu->pn, &mv_preempt_ops);
	fd = mv_cpuid_vcpu_init(vcpu);
	if (fd)
		goto destroy;
	if (vm->lapic) {
		fd = mv_lapic_create(vcpu);
		if (fd)
			goto free_cpuid;
	}
	mv_intr_vcpu_init(vcpu);
	fd = mv_stats_vcpu_init(vcpu);
	if (fd)
		goto free_lapic;

	kref_get(&vm->kref);
	fd = anon_inode_getfd("minivisor-vcpu", &mv_vcpu_fops, vcpu, O_RDWR | O_CLOEXEC);
	if (fd < 0) {
		mv_vm_put(vm);	/* not the last reference: the VM fd is open */
		goto free_lapic;
	}
	WRITE_ONCE(vm->vcpus[id], vcpu);
	mutex_unlock(&vm->lock);
	return fd;

	/* The statistics of this id, if made, stay with the VM (stats.h). */
free_lapic:
	if (vcpu->lapic)
		mv_lapic_destroy(vcpu);
free_cpuid:
	mv_cpuid_vcpu_free(vcpu);
destroy:
	mv_ops->vcpu_destroy(vcpu);
free_run:
	free_page((unsigned long)run);
out_unlock:
	mutex_unlock(&vm->lock);
	return fd;
}
