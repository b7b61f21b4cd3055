// SPDX-License-Identifier: GPL-2.0
/*
 * Shared VMX operation: running minivisor's VMCSs inside the VMX operation
 * kvm_intel set up, with KVM's VMs running on the same CPUs.
 *
 * Documentation/design.md ("Running beside KVM") has the whole argument;
 * in short:
 *
 * - VMX stays on. minivisor holds a KVM VM of its own (KVM_CREATE_VM
 *   through /dev/kvm) while any minivisor VM exists. On every kernel (6.1
 *   turns VMX on only while KVM VMs exist, 6.12 and 7.2 may be loaded with
 *   kvm.enable_virt_at_load=0) KVM then keeps VMX on on every online CPU,
 *   and the VM's file pins kvm_intel: rmmod gets "in use".
 *
 * - The current-VMCS pointer (SDM Vol. 3C 25.1, 25.11.1). KVM caches, per
 *   CPU, which of its VMCSs it made current, and skips VMPTRLD when that
 *   one is still current in its records; it VMCLEARs a VMCS by IPI on the
 *   CPU that holds it before loading it elsewhere, and frees it after. So
 *   whenever KVM code can run on a CPU, the hardware's current VMCS must be
 *   the one KVM recorded, or KVM must have recorded none. minivisor keeps
 *   that invariant:
 *     * If KVM's VMCS X is current when a vCPU of ours needs its VMCS, ours
 *       is made current only with interrupts off (an access window: VMPTRLD
 *       ours, the access, VMPTRLD X). KVM's clearing IPI cannot arrive in
 *       between, so X is still active on this CPU when it is put back; with
 *       interrupts on X is current, so an IPI that VMCLEARs X leaves no
 *       current VMCS, which KVM records as none.
 *     * If no VMCS is current (or one of ours is), KVM has recorded none:
 *       ours may stay current with interrupts on, and KVM will VMPTRLD its
 *       own when it next runs here. Only scheduling in KVM's vCPU thread
 *       can change that, and the preempt notifier ends our claim first.
 *   A vCPU's accesses are atomic against preemption (the accessors in
 *   vmcs.h come here while sharing is on).
 *
 * - minivisor's VMCSs are cleared before KVM turns VMX off on a CPU: our
 *   CPU-hotplug state (CPUHP_AP_ONLINE_DYN) comes after KVM's
 *   (CPUHP_AP_KVM_STARTING on 6.1, CPUHP_AP_KVM_ONLINE on 6.12 and 7.2),
 *   so it is torn down first; the syscore hooks are registered again after
 *   KVM's, so they suspend and shut down first; the reboot notifier has a
 *   higher priority than 6.1 KVM's.
 *
 * - No VPIDs: KVM allocates VPIDs from its own private pool, so a VPID of
 *   ours could tag a KVM guest's translations. Our vCPUs run with VPID
 *   off, flushed at every transition (SDM Vol. 3C 29.4.3.3). Each EPT root
 *   is flushed on every CPU when created (KVM may have used the page).
 *
 * - Mitigation parity: KVM issues an IBPB when it loads another vCPU's
 *   VMCS, and skips it when its own is still current. So an IBPB before our
 *   guest runs on a CPU where another VMCS was current at load, and one at
 *   sched-out after our guest ran where KVM's VMCS is put back.
 */
#include <linux/fdtable.h>
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/kmod.h>
#include <linux/kvm.h>
#include <linux/magic.h>
#include <linux/moduleparam.h>
#include <linux/namei.h>
#include <linux/string.h>
#include "vmx.h"

DEFINE_STATIC_KEY_FALSE(vmx_shared);
DEFINE_PER_CPU(bool, vmx_vmcs_ready);

struct vmx_share_cpu {
	struct vmx_vcpu *loaded;	/* vCPU loaded on this CPU, or NULL */
	u64 foreign;			/* VMCS to make current again, or 0 */
	bool fresh;			/* no access since the vCPU was loaded */
	bool ran_over_foreign;		/* our guest ran with a foreign VMCS set aside */
};

static DEFINE_PER_CPU(struct vmx_share_cpu, vmx_share_cpu);

enum { VMX_SHARE_AUTO, VMX_SHARE_KVM, VMX_SHARE_SELF };
static const char * const vmx_share_names[] = { "auto", "kvm", "self" };
static int vmx_share_policy = VMX_SHARE_AUTO;

static int vmx_share_param_set(const char *val, const struct kernel_param *kp)
{
	int i = sysfs_match_string(vmx_share_names, val);

	if (i < 0) {
		pr_err("minivisor: vmx_share must be auto, kvm or self\n");
		return -EINVAL;
	}
	WRITE_ONCE(vmx_share_policy, i);
	/* The next VM reads it: a session kept after the last VM ends now. */
	mv_hw_linger_flush();
	return 0;
}

static int vmx_share_param_get(char *buf, const struct kernel_param *kp)
{
	return scnprintf(buf, PAGE_SIZE, "%s\n", vmx_share_names[READ_ONCE(vmx_share_policy)]);
}

static const struct kernel_param_ops vmx_share_param_ops = {
	.set = vmx_share_param_set,
	.get = vmx_share_param_get,
};
module_param_cb(vmx_share, &vmx_share_param_ops, NULL, 0644);
MODULE_PARM_DESC(vmx_share,
		 "auto: use kvm_intel's VMX operation when it is loaded (always on kernels that keep VMX in core x86); kvm: always; self: VMXON by minivisor. Read when the first VM is created");

/*
 * Setting up a shared session costs a KVM VM and the text patching of the
 * vmx_shared key (every VMCS accessor); keeping it costs nothing but the
 * hold on kvm_intel. So it is kept this long after the last VM is closed.
 */
static unsigned int vmx_share_linger_ms = 1000;
module_param(vmx_share_linger_ms, uint, 0644);
MODULE_PARM_DESC(vmx_share_linger_ms,
		 "While sharing kvm_intel's VMX operation, keep it (and the hold on kvm_intel) this many ms after the last VM is closed (0: end at once; writing vmx_share ends it at once)");

unsigned int vmx_share_linger(void)
{
	return vmx_owner == MV_VMX_OWNER_KVM ? min(READ_ONCE(vmx_share_linger_ms), 60000U) : 0;
}

/* The KVM VM that keeps kvm_intel's VMX operation on, while sharing. */
static struct file *vmx_kvm_vm;

static bool vmx_kvm_intel_loaded(void)
{
	struct path p;

	if (kern_path("/sys/module/kvm_intel", LOOKUP_FOLLOW, &p))
		return false;
	path_put(&p);
	return true;
}

/*
 * Share kvm_intel's VMX operation instead of VMXON of our own? *required:
 * no VMXON of our own may be tried instead if sharing fails.
 */
bool vmx_share_wanted(bool *required)
{
	int policy = READ_ONCE(vmx_share_policy);

	*required = policy == VMX_SHARE_KVM || MV_VMX_OWNED_BY_CORE;
	switch (policy) {
	case VMX_SHARE_KVM:
		return true;
	case VMX_SHARE_SELF:
		return false;
	default:
		return MV_VMX_OWNED_BY_CORE || vmx_kvm_intel_loaded();
	}
}

/*
 * KVM_CREATE_VM on /dev/kvm from this process (the first MV_CREATE_VM's
 * caller, whose mm the KVM VM records). KVM installs the VM's file in the
 * caller's file table; it is taken out again at once. Process context, no
 * locks of KVM's or the CPU-hotplug lock held.
 */
static struct file *vmx_kvm_vm_create(void)
{
	struct file *dev, *vm;
	long fd;

	dev = filp_open("/dev/kvm", O_RDWR, 0);
	if (IS_ERR(dev) && PTR_ERR(dev) == -ENOENT && !vmx_kvm_intel_loaded()) {
		/* The kernel's owner of VMX operation, brought up. */
		request_module("kvm_intel");
		dev = filp_open("/dev/kvm", O_RDWR, 0);
	}
	if (IS_ERR(dev)) {
		pr_err("minivisor: cannot share kvm_intel's VMX operation: open /dev/kvm: %ld%s\n",
		       PTR_ERR(dev), vmx_kvm_intel_loaded() ? "" : " (kvm_intel is not loaded)");
		return dev;
	}
	if (!dev->f_op->unlocked_ioctl) {
		fput(dev);
		pr_err("minivisor: /dev/kvm has no ioctl method\n");
		return ERR_PTR(-ENODEV);
	}
	fd = dev->f_op->unlocked_ioctl(dev, KVM_CREATE_VM, 0);
	if (fd < 0) {
		fput(dev);
		pr_err("minivisor: cannot share kvm_intel's VMX operation: KVM_CREATE_VM: %ld\n", fd);
		return ERR_PTR(fd);
	}
	vm = fget(fd);
	/*
	 * Only KVM's VM file (anonymous inode "kvm-vm") may be taken out of the
	 * table: a thread of the caller could have closed the number and
	 * reused it meanwhile. (Its f_op->owner is kvm_intel only since 6.7;
	 * before, each KVM VM holds a reference on kvm_intel itself.)
	 */
	if (!vm || file_inode(vm)->i_sb->s_magic != ANON_INODE_FS_MAGIC ||
	    strcmp(file_dentry(vm)->d_name.name, "kvm-vm")) {
		if (vm)
			fput(vm);
		fput(dev);
		pr_err("minivisor: the file KVM_CREATE_VM returned changed under us\n");
		return ERR_PTR(-EBUSY);
	}
	close_fd(fd);
	fput(dev);
	return vm;
}

int vmx_share_enable(void)
{
	struct file *vm = vmx_kvm_vm_create();

	if (IS_ERR(vm))
		return PTR_ERR(vm);
	vmx_kvm_vm = vm;
	return 0;
}

/* The last VM is gone: kvm_intel may turn VMX off and unload again. */
void vmx_share_disable(void)
{
	if (!vmx_kvm_vm)
		return;
	fput(vmx_kvm_vm);
	vmx_kvm_vm = NULL;
	/*
	 * At the end of a linger this runs in a kworker, whose fput is
	 * deferred to a work of its own: release the KVM VM (and its hold on
	 * kvm_intel) before returning, as a VMM's close does.
	 */
	if (current->flags & PF_KTHREAD)
		flush_delayed_fput();
}

/* The vCPU loaded on this CPU (preemption off). */
struct vmx_vcpu *vmx_share_loaded(void)
{
	return this_cpu_ptr(&vmx_share_cpu)->loaded;
}

/* From vmx_vcpu_load(), preemption off: the vCPU's ioctl runs here now. */
void vmx_share_load(struct vmx_vcpu *vx)
{
	struct vmx_share_cpu *c = this_cpu_ptr(&vmx_share_cpu);

	c->loaded = vx;
	c->fresh = true;
	__this_cpu_write(vmx_vmcs_ready, false);
}

/*
 * From vmx_vcpu_put(), preemption off: KVM may run here next. Our VMCS may
 * stay current only where KVM recorded none (vmx_share_acquire).
 */
void vmx_share_put(struct vmx_vcpu *vx)
{
	struct vmx_share_cpu *c = this_cpu_ptr(&vmx_share_cpu);

	if (c->ran_over_foreign) {
		/* KVM's VMCS is current again: KVM will not issue its own IBPB. */
		vmx_mitigate_other_guest();
		c->ran_over_foreign = false;
	}
	c->loaded = NULL;
	__this_cpu_write(vmx_vmcs_ready, false);
}

/* Interrupts off. Makes the loaded vCPU's VMCS current; false if it cannot be. */
bool vmx_share_acquire(struct vmx_vcpu *vx)
{
	struct vmx_share_cpu *c = this_cpu_ptr(&vmx_share_cpu);
	struct vmx_vcpu *ours = __this_cpu_read(vmx_current_vcpu);
	u64 cur;

	if (__this_cpu_read(vmx_vmcs_ready))
		return true;
	if (WARN_ONCE(!vx || c->loaded != vx, "minivisor: VMCS access with no vCPU loaded\n"))
		return false;
	if (unlikely(!vmx_cpu_is_on()))
		return false;
	cur = vmx_vmptrst();
	if (cur != vx->vmcs_pa) {
		if (vmx_vmptrld(vx->vmcs_pa)) {
			vmx_insn_failed("vmptrld", vx->vmcs_pa);
			return false;
		}
		/* None current, or one of ours: KVM recorded none here. */
		if (cur == VMX_NO_VMCS || (ours && cur == ours->vmcs_pa)) {
			c->foreign = 0;
			__this_cpu_write(vmx_current_vcpu, vx);
		} else {
			c->foreign = cur;
			__this_cpu_write(vmx_current_vcpu, NULL);
		}
	}
	if (c->fresh) {
		c->fresh = false;
		/* Another hypervisor's guest may have run here since. */
		if (cur != vx->vmcs_pa)
			vmx_mitigate_other_guest();
	}
	__this_cpu_write(vmx_vmcs_ready, true);
	return true;
}

/* Interrupts off: puts KVM's VMCS back before they are enabled. */
void vmx_share_release(void)
{
	struct vmx_share_cpu *c = this_cpu_ptr(&vmx_share_cpu);

	if (!c->foreign)
		return;
	if (vmx_vmptrld(c->foreign))
		vmx_insn_failed("vmptrld (kvm_intel's VMCS)", c->foreign);
	c->foreign = 0;
	__this_cpu_write(vmx_vmcs_ready, false);
}

/* vmx_vcpu_run, interrupts off, after the exit's fields are read. */
void vmx_share_after_exit(void)
{
	struct vmx_share_cpu *c = this_cpu_ptr(&vmx_share_cpu);

	if (c->foreign)
		c->ran_over_foreign = true;
	vmx_share_release();
}

/*
 * VMCS setup outside a vCPU ioctl (MV_CREATE_VCPU), preemption off: the
 * new vCPU counts as loaded meanwhile. Returns what was loaded before.
 */
struct vmx_vcpu *vmx_share_borrow(struct vmx_vcpu *vx)
{
	struct vmx_share_cpu *c = this_cpu_ptr(&vmx_share_cpu);
	struct vmx_vcpu *prev = c->loaded;

	c->loaded = vx;
	c->fresh = false;		/* no guest runs before the next load */
	__this_cpu_write(vmx_vmcs_ready, false);
	return prev;
}

void vmx_share_unborrow(struct vmx_vcpu *prev)
{
	unsigned long flags;

	local_irq_save(flags);
	vmx_share_release();
	local_irq_restore(flags);
	this_cpu_ptr(&vmx_share_cpu)->loaded = prev;
	__this_cpu_write(vmx_vmcs_ready, false);
}

/*
 * A VMCS access through a window (vmcs.h), preemption and interrupts
 * handled. Two copies of the same shape on purpose: one function for both
 * (a write flag) compiled to four more instructions on the fast path,
 * which made a shared CPUID exit 45 ticks dearer (make bench, f86e9fd).
 */
unsigned long vmx_shared_vmread(unsigned long field)
{
	unsigned long flags, v = 0;

	preempt_disable();
	if (likely(__this_cpu_read(vmx_vmcs_ready))) {
		v = vmx_raw_vmread(field);
	} else {
		local_irq_save(flags);
		if (vmx_share_acquire(this_cpu_ptr(&vmx_share_cpu)->loaded))
			v = vmx_raw_vmread(field);
		vmx_share_release();
		local_irq_restore(flags);
	}
	preempt_enable();
	return v;
}

void vmx_shared_vmwrite(unsigned long field, unsigned long value)
{
	unsigned long flags;

	preempt_disable();
	if (likely(__this_cpu_read(vmx_vmcs_ready))) {
		vmx_raw_vmwrite(field, value);
	} else {
		local_irq_save(flags);
		if (vmx_share_acquire(this_cpu_ptr(&vmx_share_cpu)->loaded))
			vmx_raw_vmwrite(field, value);
		vmx_share_release();
		local_irq_restore(flags);
	}
	preempt_enable();
}

/* A VMCS dump or error read would show KVM's VMCS unless ours is current. */
bool vmx_vmcs_is_ours(void)
{
	return !static_branch_unlikely(&vmx_shared) || __this_cpu_read(vmx_vmcs_ready);
}
