// SPDX-License-Identifier: GPL-2.0
/*
 * minivisor: /dev/minivisor, system ioctls, and the reference count that
 * keeps hardware virtualization on while any VM exists.
 */
#include <linux/module.h>
#include <linux/miscdevice.h>
#include <linux/fs.h>
#include <linux/workqueue.h>
#include <asm/tsc.h>
#include "mv.h"
#include "stats.h"

const struct mv_backend_ops *mv_ops;

static DEFINE_MUTEX(mv_hw_lock);
static unsigned int mv_hw_users;
/* No VM, but the backend's state is kept a while (mv_ops->linger_ms). */
static bool mv_hw_lingering;

static void mv_hw_linger_end(struct work_struct *work)
{
	mutex_lock(&mv_hw_lock);
	if (mv_hw_lingering && !mv_hw_users) {
		mv_hw_lingering = false;
		mv_ops->disable();
	}
	mutex_unlock(&mv_hw_lock);
}

static DECLARE_DELAYED_WORK(mv_hw_linger_work, mv_hw_linger_end);

/*
 * Hardware virtualization is turned on when the first VM is created and
 * off when the last one goes, so a loaded but idle minivisor never blocks
 * another hypervisor. A backend whose state costs much to set up and
 * nothing to keep (sharing kvm_intel's VMX operation: a KVM VM, text
 * patching) may keep it for linger_ms after the last VM, so that a VMM
 * that closes a VM and opens the next does not pay for it each time.
 */
int mv_hw_get(void)
{
	int r = 0;

	mutex_lock(&mv_hw_lock);
	if (!mv_hw_users) {
		if (mv_hw_lingering) {
			/* If the work already runs, it finds a user and leaves. */
			cancel_delayed_work(&mv_hw_linger_work);
			mv_hw_lingering = false;
		} else {
			r = mv_ops->enable();
		}
	}
	if (!r)
		mv_hw_users++;
	mutex_unlock(&mv_hw_lock);
	return r;
}

void mv_hw_put(void)
{
	unsigned int ms;

	mutex_lock(&mv_hw_lock);
	if (!--mv_hw_users) {
		ms = mv_ops->linger_ms ? mv_ops->linger_ms() : 0;
		if (ms) {
			mv_hw_lingering = true;
			mod_delayed_work(system_wq, &mv_hw_linger_work, msecs_to_jiffies(ms));
		} else {
			mv_ops->disable();
		}
	}
	mutex_unlock(&mv_hw_lock);
}

/*
 * Ends a linger now: at unload, and when a setting the next VM reads
 * changes. Process context, without mv_hw_lock.
 */
void mv_hw_linger_flush(void)
{
	mod_delayed_work(system_wq, &mv_hw_linger_work, 0);
	flush_delayed_work(&mv_hw_linger_work);
}

static long mv_check_cap(unsigned long cap)
{
	/* Capability numbers are 32-bit; do not let a wider one alias. */
	if (cap > U32_MAX)
		return 0;

	switch (cap) {
	case MV_CAP_NR_MEMSLOTS:
		return MV_MAX_MEMSLOTS;
	case MV_CAP_MAX_VCPUS:
		return MV_MAX_VCPUS;
	case MV_CAP_READONLY_MEM:
	case MV_CAP_IMMEDIATE_EXIT:
	case MV_CAP_SET_CPUID:
		return 1;
	case MV_CAP_VCPU_MMAP_SIZE:
		return MV_RUN_SIZE;
	case MV_CAP_MAX_MEMSLOT_SIZE:
		return MV_MAX_SLOT_MIB;
	case MV_CAP_VCPU_EVENTS:
	case MV_CAP_MSRS:
	case MV_CAP_MSR_EXIT:
	case MV_CAP_HYPERCALL:
	case MV_CAP_IRQ_INJECT:
	case MV_CAP_SIGNAL_MSI:
	case MV_CAP_MP_STATE:
		return 1;
	case MV_CAP_NETLINK:
		return MV_GENL_VERSION;
	case MV_CAP_STATS:
		return (mv_stats_on() ? MV_STATS_COUNTERS : 0) |
		       (mv_stats_histograms() ? MV_STATS_HISTOGRAMS : 0) |
		       (mv_flight_size() ? MV_STATS_FLIGHT : 0);
	case MV_CAP_TSC_KHZ:
		return mv_tsc_khz;
	case MV_CAP_HALT_POLL:
		return mv_halt_poll_default();
	default:
		/* Hardware-dependent capabilities; 0 for unknown ones. */
		return mv_ops->cap(cap);
	}
}

static long mv_dev_ioctl(struct file *filp, unsigned int ioctl, unsigned long arg)
{
	switch (ioctl) {
	case MV_GET_API_VERSION:
		return MV_API_VERSION;
	case MV_CHECK_CAP:
		return mv_check_cap(arg);
	case MV_CREATE_VM:
		return mv_vm_create(filp, arg);
	case MV_GET_MSR_INDEX_LIST:
		return mv_msr_index_list((void __user *)arg);
	default:
		return -ENOTTY;
	}
}

static const struct file_operations mv_dev_fops = {
	.owner		= THIS_MODULE,
	.unlocked_ioctl	= mv_dev_ioctl,
	.compat_ioctl	= compat_ptr_ioctl,
	.llseek		= noop_llseek,
};

static struct miscdevice mv_miscdev = {
	.minor	= MISC_DYNAMIC_MINOR,
	.name	= "minivisor",
	.fops	= &mv_dev_fops,
	.mode	= 0600,
};

static int __init mv_init(void)
{
	int r;

	/* The guest TSC runs at the host's rate (no scaling). */
	mv_tsc_khz = tsc_khz;
	r = mv_vmx_init(&mv_ops);
	if (r)
		return r;

	mv_vcpu_preempt_init();
	r = mv_netlink_init();
	if (r) {
		pr_err("minivisor: cannot register the generic netlink family: %d\n", r);
		goto preempt_exit;
	}
	r = misc_register(&mv_miscdev);
	if (r) {
		pr_err("minivisor: cannot register /dev/minivisor: %d\n", r);
		mv_netlink_exit();
		goto preempt_exit;
	}
	mv_info("ready (backend %s, API version %d)\n", mv_ops->name, MV_API_VERSION);
	return 0;

preempt_exit:
	mv_vcpu_preempt_exit();
	mv_vmx_exit();
	return r;
}

static void __exit mv_exit(void)
{
	/* Every VM holds a module reference through its fd, so none exist. */
	misc_deregister(&mv_miscdev);
	/* Waits for netlink requests in flight (they may hold the last VM reference). */
	mv_netlink_exit();
	/* The last VM may have gone a moment ago, its backend state lingering. */
	mv_hw_linger_flush();
	mv_vcpu_preempt_exit();
	mv_vmx_exit();
}

module_init(mv_init);
module_exit(mv_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("minivisor: a small VT-x hypervisor");
