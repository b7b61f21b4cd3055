// SPDX-License-Identifier: GPL-2.0
/*
 * VM objects: lifetime, memory slots and the VM ioctls.
 *
 * A slot records only which part of the creator's address space backs a
 * guest-physical range; mmu.c maps it into the second-level tables on first
 * use and follows every change the host makes to it (MMU notifier). Guest
 * RAM is therefore always exactly what the VMM sees at those addresses.
 */
#include <linux/anon_inodes.h>
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/highmem.h>
#include <linux/mm.h>
#include <linux/sched/mm.h>
#include <linux/cred.h>
#include <linux/user_namespace.h>
#include <linux/timekeeping.h>
#include <linux/slab.h>
#include <linux/uaccess.h>
#include <linux/module.h>
#include <linux/nospec.h>
#include <asm/msr.h>
#include "mv.h"
#include "lapic.h"
#include "stats.h"

static void mv_vm_free(struct kref *kref)
{
	struct mv_vm *vm = container_of(kref, struct mv_vm, kref);
	int i;

	/* No reader can find it now; the ones that hold a reference are gone. */
	mv_vm_unregister(vm);
	mv_nl_vm_event(vm, MV_NL_EVENT_VM_DESTROYED);
	mv_stats_log_vm(vm);
	mv_mmu_destroy(vm);
	mutex_lock(&vm->lock);
	for (i = 0; i < MV_MAX_MEMSLOTS; i++)
		mv_mmu_set_slot(vm, &vm->slots[i], NULL);
	mutex_unlock(&vm->lock);
	mv_ops->vm_destroy(vm);
	mv_stats_vm_free(vm);
	mv_nl_vm_free(vm);
	put_user_ns(vm->owner_ns);
	mmdrop(vm->mm);
	kfree(vm);
	mv_hw_put();
}

void mv_vm_put(struct mv_vm *vm)
{
	kref_put(&vm->kref, mv_vm_free);
}

/* Caller holds vm->lock. */
struct mv_memslot *mv_find_slot(struct mv_vm *vm, u64 gpa)
{
	int i;

	for (i = 0; i < MV_MAX_MEMSLOTS; i++) {
		struct mv_memslot *s = &vm->slots[i];

		if (s->npages && gpa >= s->gpa &&
		    gpa < s->gpa + (s->npages << PAGE_SHIFT))
			return s;
	}
	return NULL;
}

/*
 * Copies between a kernel buffer and guest-physical memory through the
 * VMM's own mapping of the slots (uaccess: it faults in, and sees exactly
 * what the guest sees through the second-level tables). Only the creator
 * can do this: every caller runs in one of its vCPU ioctls. A write needs a
 * writable slot. 0 or -EFAULT.
 */
static int mv_access_guest_phys(struct mv_vm *vm, u64 gpa, void *buf, unsigned int len,
				bool write)
{
	struct mv_memslot *s;
	unsigned int chunk;
	void __user *uva;
	u64 end;

	if (current->mm != vm->mm)
		return -EFAULT;
	while (len) {
		mutex_lock(&vm->lock);
		s = mv_find_slot(vm, gpa);
		if (!s || (write && (s->flags & MV_MEM_READONLY))) {
			mutex_unlock(&vm->lock);
			return -EFAULT;
		}
		end = s->gpa + (s->npages << PAGE_SHIFT);
		uva = u64_to_user_ptr(s->hva + (gpa - s->gpa));
		mutex_unlock(&vm->lock);
		/*
		 * Without the lock: a slot deleted meanwhile can only make us
		 * access the VMM's own memory, with its own permissions.
		 */
		chunk = min_t(u64, len, min_t(u64, end - gpa, PAGE_SIZE - offset_in_page(gpa)));
		if (write ? copy_to_user(uva, buf, chunk) : copy_from_user(buf, uva, chunk))
			return -EFAULT;
		buf += chunk;
		gpa += chunk;
		len -= chunk;
	}
	return 0;
}

int mv_read_guest_phys(struct mv_vm *vm, u64 gpa, void *buf, unsigned int len)
{
	return mv_access_guest_phys(vm, gpa, buf, len, false);
}

int mv_write_guest_phys(struct mv_vm *vm, u64 gpa, const void *buf, unsigned int len)
{
	return mv_access_guest_phys(vm, gpa, (void *)buf, len, true);
}

/* The whole user range must be mapped, so a bad pointer is EFAULT now. */
static int mv_check_user_range(u64 hva, u64 size, bool writable)
{
	struct mm_struct *mm = current->mm;
	struct vm_area_struct *vma;
	u64 addr = hva, end = hva + size;
	int r = 0;

	if (!access_ok((void __user *)hva, size))
		return -EFAULT;

	mmap_read_lock(mm);
	while (addr < end) {
		vma = vma_lookup(mm, addr);
		if (!vma || (writable && !(vma->vm_flags & VM_WRITE)) ||
		    (vma->vm_flags & (VM_IO | VM_PFNMAP))) {
			r = -EFAULT;
			break;
		}
		addr = vma->vm_end;
	}
	mmap_read_unlock(mm);
	return r;
}

static int mv_set_memory_region(struct mv_vm *vm, struct mv_memory_region __user *argp)
{
	u64 phys_limit = 1ULL << mv_ops->cap(MV_CAP_GUEST_PHYS_BITS);
	struct mv_memory_region mr;
	struct mv_memslot *slot, tmp = {};
	int i, r;

	if (copy_from_user(&mr, argp, sizeof(mr)))
		return -EFAULT;
	if (mr.slot >= MV_MAX_MEMSLOTS || (mr.flags & ~MV_MEM_VALID_FLAGS) ||
	    mr.reserved[0] || mr.reserved[1])
		return -EINVAL;
	if (!PAGE_ALIGNED(mr.guest_phys_addr) || !PAGE_ALIGNED(mr.memory_size) ||
	    !PAGE_ALIGNED(mr.userspace_addr))
		return -EINVAL;

	mutex_lock(&vm->lock);
	slot = &vm->slots[array_index_nospec(mr.slot, MV_MAX_MEMSLOTS)];
	if (!mr.memory_size) {
		mv_mmu_set_slot(vm, slot, NULL);
		r = 0;
		goto out;
	}

	/* The errnos below have several causes each: the log line says which. */
	r = -EINVAL;
	if (mr.memory_size > (MV_MAX_SLOT_MIB << 20) ||
	    mr.guest_phys_addr >= phys_limit ||
	    mr.memory_size > phys_limit - mr.guest_phys_addr) {
		mv_err("MV_SET_MEMORY_REGION: slot %u [%#llx, +%#llx) is larger than %llu MiB or ends above the %llu-bit guest-physical space\n",
		       mr.slot, mr.guest_phys_addr, mr.memory_size, MV_MAX_SLOT_MIB,
		       mv_ops->cap(MV_CAP_GUEST_PHYS_BITS));
		goto out;
	}

	r = -EEXIST;
	if (slot->npages) {
		mv_err("MV_SET_MEMORY_REGION: slot %u is in use; delete it (size 0) first\n",
		       mr.slot);
		goto out;
	}
	for (i = 0; i < MV_MAX_MEMSLOTS; i++) {
		struct mv_memslot *s = &vm->slots[i];

		if (s->npages && mr.guest_phys_addr < s->gpa + (s->npages << PAGE_SHIFT) &&
		    s->gpa < mr.guest_phys_addr + mr.memory_size) {
			mv_err("MV_SET_MEMORY_REGION: slot %u [%#llx, +%#llx) overlaps slot %d\n",
			       mr.slot, mr.guest_phys_addr, mr.memory_size, i);
			goto out;
		}
	}

	r = mv_check_user_range(mr.userspace_addr, mr.memory_size,
				!(mr.flags & MV_MEM_READONLY));
	if (r) {
		mv_err("MV_SET_MEMORY_REGION: slot %u: userspace_addr %#llx +%#llx is not all mapped%s (or is VM_IO/VM_PFNMAP)\n",
		       mr.slot, mr.userspace_addr, mr.memory_size,
		       mr.flags & MV_MEM_READONLY ? "" : " writable");
		goto out;
	}

	/* Nothing is allocated or pinned now: mmu.c maps pages on first use. */
	tmp.gpa = mr.guest_phys_addr;
	tmp.npages = mr.memory_size >> PAGE_SHIFT;
	tmp.hva = mr.userspace_addr;
	tmp.flags = mr.flags;
	mv_mmu_set_slot(vm, slot, &tmp);
out:
	mutex_unlock(&vm->lock);
	return r;
}

/* Every vCPU gets a local APIC: only before the first vCPU exists. */
static long mv_vm_enable_lapic(struct mv_vm *vm, u64 arg)
{
	unsigned int i;
	long r = 0;

	if (arg) {
		mv_err("MV_ENABLE_CAP(LAPIC): args[0] must be 0\n");
		return -EINVAL;
	}
	mutex_lock(&vm->lock);
	for (i = 0; i < MV_MAX_VCPUS; i++)
		if (vm->vcpus[i])
			r = -EBUSY;
	if (r)
		mv_err("MV_ENABLE_CAP(LAPIC): the VM already has vCPUs; enable it before MV_CREATE_VCPU\n");
	else
		WRITE_ONCE(vm->lapic, true);
	mutex_unlock(&vm->lock);
	return r;
}

static long mv_vm_signal_msi(struct mv_vm *vm, void __user *argp)
{
	struct mv_msi msi;

	if (copy_from_user(&msi, argp, sizeof(msi)))
		return -EFAULT;
	if (!READ_ONCE(vm->lapic)) {
		mv_err("MV_SIGNAL_MSI: the VM has no in-kernel local APIC (MV_CAP_LAPIC)\n");
		return -ENXIO;
	}
	return mv_lapic_signal_msi(vm, &msi);
}

static long mv_vm_enable_cap(struct mv_vm *vm, void __user *argp)
{
	struct mv_enable_cap ec;

	if (copy_from_user(&ec, argp, sizeof(ec)))
		return -EFAULT;
	if (ec.flags || memchr_inv(&ec.args[1], 0, sizeof(ec.args) - sizeof(ec.args[0])))
		return -EINVAL;
	switch (ec.cap) {
	case MV_CAP_MSR_EXIT:
		/* args[0]: 1 = unknown MSRs exit to userspace, 0 = #GP (default). */
		if (ec.args[0] > 1)
			return -EINVAL;
		WRITE_ONCE(vm->msr_exit, ec.args[0]);
		return 0;
	case MV_CAP_DESC_EXIT:
		/* args[0]: 1 = descriptor-table instructions exit (MV_EXIT_DESC). */
		if (ec.args[0] > 1 || (ec.args[0] && !mv_ops->cap(MV_CAP_DESC_EXIT)))
			return -EINVAL;
		WRITE_ONCE(vm->desc_exit, ec.args[0]);
		return 0;
	case MV_CAP_LAPIC:
		return mv_vm_enable_lapic(vm, ec.args[0]);
	case MV_CAP_HALT_POLL:
		if (ec.args[0] > mv_halt_poll_max()) {
			mv_err("MV_ENABLE_CAP(HALT_POLL): %llu ns is above the limit of %u ns\n",
			       ec.args[0], mv_halt_poll_max());
			return -EINVAL;
		}
		WRITE_ONCE(vm->halt_poll_ns, ec.args[0]);
		return 0;
	}
	mv_err("MV_ENABLE_CAP: unknown capability %u\n", ec.cap);
	return -EINVAL;
}

static long mv_vm_ioctl(struct file *filp, unsigned int ioctl, unsigned long arg)
{
	struct mv_vm *vm = filp->private_data;

	switch (ioctl) {
	case MV_SET_MEMORY_REGION:
	case MV_CREATE_VCPU:
	case MV_ENABLE_CAP:
	case MV_SIGNAL_MSI:
		break;
	case MV_GET_VM_ID:
		return vm->id;
	default:
		return -ENOTTY;
	}
	/* A VM belongs to the process that created it (api.md). */
	if (vm->mm != current->mm)
		return -EIO;

	switch (ioctl) {
	case MV_SET_MEMORY_REGION:
		return mv_set_memory_region(vm, (void __user *)arg);
	case MV_CREATE_VCPU:
		return mv_vcpu_create(vm, arg);
	case MV_SIGNAL_MSI:
		return mv_vm_signal_msi(vm, (void __user *)arg);
	default:
		return mv_vm_enable_cap(vm, (void __user *)arg);
	}
}

static int mv_vm_release(struct inode *inode, struct file *filp)
{
	mv_vm_put(filp->private_data);
	return 0;
}

static const struct file_operations mv_vm_fops = {
	.owner		= THIS_MODULE,
	.release	= mv_vm_release,
	.unlocked_ioctl	= mv_vm_ioctl,
	.compat_ioctl	= compat_ptr_ioctl,
	.llseek		= noop_llseek,
};

int mv_vm_create(struct file *dev, unsigned long flags)
{
	const struct cred *old;
	struct mv_vm *vm;
	int r, fd;

	if (flags)
		return -EINVAL;

	/*
	 * With the credentials of whoever opened /dev/minivisor, like the
	 * access to it: bringing VMX up may open /dev/kvm (the backend's
	 * shared VMX operation), and a caller that dropped privileges after
	 * opening /dev/minivisor may still create VMs.
	 */
	old = override_creds(dev->f_cred);
	r = mv_hw_get();
	revert_creds(old);
	if (r)
		return r;

	r = -ENOMEM;
	vm = kzalloc(sizeof(*vm), GFP_KERNEL_ACCOUNT);
	if (!vm)
		goto put_hw;
	kref_init(&vm->kref);
	mutex_init(&vm->lock);
	vm->mm = current->mm;
	mmgrab(vm->mm);
	vm->creator = task_tgid_nr(current);
	mutex_init(&vm->stats_lock);
	vm->owner_uid = current_euid();
	vm->owner_ns = get_user_ns(current_user_ns());
	vm->created_ns = ktime_get_real_ns();
	get_task_comm(vm->comm, current);
	/* Every vCPU's TSC starts near 0 and they agree (one offset per VM). */
	vm->tsc_offset = -(s64)rdtsc();
	vm->halt_poll_ns = mv_halt_poll_default();

	r = mv_ops->vm_init(vm);
	if (r)
		goto free_vm;
	r = mv_mmu_init(vm);
	if (r)
		goto destroy;
	r = mv_nl_vm_init(vm);
	if (r)
		goto destroy;
	r = mv_vm_register(vm);
	if (r)
		goto nl_free;

	fd = anon_inode_getfd("minivisor-vm", &mv_vm_fops, vm, O_RDWR | O_CLOEXEC);
	if (fd < 0) {
		r = fd;
		goto unregister;
	}
	mv_nl_vm_event(vm, MV_NL_EVENT_VM_CREATED);
	return fd;

unregister:
	mv_vm_unregister(vm);
nl_free:
	mv_nl_vm_free(vm);
destroy:
	mv_mmu_destroy(vm);
	mv_ops->vm_destroy(vm);
free_vm:
	put_user_ns(vm->owner_ns);
	mmdrop(vm->mm);
	kfree(vm);
put_hw:
	mv_hw_put();
	return r;
}
