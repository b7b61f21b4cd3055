// SPDX-License-Identifier: GPL-2.0
/*
 * Per-CPU VMX operation while any VM exists: VMXON/VMXOFF on every online
 * CPU, or kvm_intel's VMX operation shared (vmx_share.c); CPU hotplug, and
 * VMCS ownership.
 *
 * VMCS ownership rule (SDM Vol. 3C 25.1, 25.11.1): a VMCS may be active on at
 * most one CPU, and must be VMCLEARed on that CPU before it is loaded on
 * another. Each CPU keeps a list of the VMCSs active on it; vmx_vcpu->cpu
 * names that CPU. Moving a vCPU therefore always goes through
 * vmx_vmcs_clear(), which runs VMCLEAR on the owning CPU by IPI, and VMXOFF
 * (last VM gone, or CPU going offline) first VMCLEARs everything on its list.
 */
#include <linux/cpu.h>
#include <linux/cpuhotplug.h>
#include <linux/gfp.h>
#include <linux/mm.h>
#include <linux/io.h>
#include <linux/moduleparam.h>
#include <linux/percpu.h>
#include <linux/reboot.h>
#include <linux/smp.h>
#include <linux/syscore_ops.h>
#include <asm/msr.h>
#include <asm/tlbflush.h>
#include "vmx.h"

struct vmx_percpu {
	struct page *vmxon_page;
	bool on;
	int error;			/* from the last VMXON attempt */
	struct list_head loaded;	/* vmx_vcpu.loaded_node */
};

static DEFINE_PER_CPU(struct vmx_percpu, vmx_percpu);
DEFINE_PER_CPU(struct vmx_vcpu *, vmx_current_vcpu);

static bool vmx_wanted;			/* VMX should be on (any VM exists) */
int vmx_owner;				/* MV_VMX_OWNER_*, under mv_hw_lock */
static enum cpuhp_state vmx_hp_state;
bool vmx_rebooting;

static bool dump_host_state;
module_param(dump_host_state, bool, 0644);
MODULE_PARM_DESC(dump_host_state,
		 "VMCS dumps after a VMX failure include host addresses (kernel pointers)");

/*
 * A VMX instruction faulted: expected once reboot/kexec turned VMX off on
 * this CPU while a vCPU thread was between two instructions (the syscore
 * shutdown hook runs while user tasks still run); a bug otherwise.
 */
void vmx_insn_faulted(const char *insn, unsigned long arg)
{
	if (READ_ONCE(vmx_rebooting))
		return;
	WARN_ONCE(1, "minivisor: %s(%#lx) faulted outside VMX operation\n", insn, arg);
}

static int vmx_reboot_notify(struct notifier_block *nb, unsigned long code, void *unused)
{
	WRITE_ONCE(vmx_rebooting, true);
	return NOTIFY_OK;
}

/*
 * Before 6.1 KVM's reboot notifier (priority 0) turns VMX off under our
 * vCPU threads: from then on their VMX instructions may fault, quietly.
 */
static struct notifier_block vmx_reboot_nb = {
	.notifier_call = vmx_reboot_notify,
	.priority = 1,
};

void vmx_insn_failed(const char *insn, unsigned long arg)
{
	unsigned long err = 0;

	/* Shared VMX operation: never read (or dump) KVM's VMCS. */
	if (!vmx_vmcs_is_ours()) {
		WARN_ONCE(1, "minivisor: %s(%#lx) failed\n", insn, arg);
		return;
	}
	/* Read the error directly: vmcs_read32() would recurse on failure. */
	asm volatile("vmread %[f], %[v]" : [v] "+r" (err)
		     : [f] "r" ((unsigned long)VM_INSTRUCTION_ERROR) : "cc");
	if (WARN_ONCE(1, "minivisor: %s(%#lx) failed, VM-instruction error %lu\n",
		      insn, arg, err))
		vmx_dump_vmcs();
}

static void vmx_clear_local(void *arg)
{
	struct vmx_vcpu *vx = arg;

	if (vx->cpu != raw_smp_processor_id())
		return;		/* already cleared (VMXOFF on this CPU) */
	if (vmx_vmclear(vx->vmcs_pa))
		vmx_insn_failed("vmclear", vx->vmcs_pa);
	if (__this_cpu_read(vmx_current_vcpu) == vx)
		__this_cpu_write(vmx_current_vcpu, NULL);
	list_del(&vx->loaded_node);
	vx->launched = false;
	/* Publish the cleared state before anyone may load it elsewhere. */
	smp_wmb();
	WRITE_ONCE(vx->cpu, -1);
}

/*
 * True if this CPU is in VMX operation. IPIs go to every online CPU, which
 * includes CPUs whose hotplug callback has not run VMXON yet or has already
 * run VMXOFF; INVEPT/INVVPID there would #UD.
 */
bool vmx_cpu_is_on(void)
{
	return this_cpu_ptr(&vmx_percpu)->on;
}

/* Records that the VMCS is now active on this CPU (after VMCLEAR). */
void vmx_vmcs_adopt(struct vmx_vcpu *vx)
{
	unsigned long flags;

	local_irq_save(flags);
	list_add(&vx->loaded_node, &this_cpu_ptr(&vmx_percpu)->loaded);
	WRITE_ONCE(vx->cpu, smp_processor_id());
	local_irq_restore(flags);
}

/* Makes the VMCS inactive everywhere; it may then be loaded on any CPU. */
void vmx_vmcs_clear(struct vmx_vcpu *vx)
{
	int cpu = READ_ONCE(vx->cpu);

	if (cpu >= 0)
		smp_call_function_single(cpu, vmx_clear_local, vx, 1);
}

static void vmx_clear_all_local(void)
{
	struct vmx_percpu *pc = this_cpu_ptr(&vmx_percpu);
	struct vmx_vcpu *vx, *tmp;

	list_for_each_entry_safe(vx, tmp, &pc->loaded, loaded_node)
		vmx_clear_local(vx);
}

static void vmx_cpu_off(void)
{
	struct vmx_percpu *pc = this_cpu_ptr(&vmx_percpu);

	if (!pc->on)
		return;
	vmx_clear_all_local();
	if (vmx_owner == MV_VMX_OWNER_KVM) {
		/* kvm_intel's VMX operation: it turns VMX off itself. */
		pc->on = false;
		return;
	}
	if (vmx_vmxoff())
		vmx_insn_failed("vmxoff", 0);
	mv_cr4_clear_vmxe();
	pc->on = false;
}

/* Runs on the target CPU with interrupts disabled. */
static int vmx_cpu_on(void)
{
	struct vmx_percpu *pc = this_cpu_ptr(&vmx_percpu);
	u64 fc;

	if (pc->on)
		return 0;
	if (vmx_owner == MV_VMX_OWNER_KVM) {
		/*
		 * kvm_intel turned VMX on here (its hotplug state comes before
		 * ours, its syscore resume runs first). Translations tagged with
		 * an EPTP we may use are dropped as after our own VMXON.
		 */
		if (!(__read_cr4() & X86_CR4_VMXE))
			return -ENODEV;
		pc->on = true;
		if (vmx_invept(VMX_EPT_EXTENT_GLOBAL, 0)) {
			pc->on = false;
			return -EIO;
		}
		return 0;
	}
	/* Linux 7.2: VMX operation is core x86's (compat.h, design.md). */
	if (MV_VMX_OWNED_BY_CORE)
		return -EOPNOTSUPP;
	/*
	 * CR4.VMXE set by someone else means another hypervisor (kvm_intel,
	 * VirtualBox, ...) is in VMX operation on this CPU: VMXON would fail,
	 * and VMXOFF would pull VMX from under it.
	 */
	if (__read_cr4() & X86_CR4_VMXE)
		return -EBUSY;
	if (rdmsrl_safe(MSR_IA32_FEAT_CTL, &fc) || !(fc & FEAT_CTL_LOCKED) ||
	    !(fc & FEAT_CTL_VMX_ENABLED_OUTSIDE_SMX))
		return -ENODEV;

	*(u32 *)page_address(pc->vmxon_page) = vmx_cfg.revision_id;
	/* Through the kernel's helper so its CR4 shadow stays right. */
	mv_cr4_set_vmxe();
	if (vmx_vmxon(page_to_phys(pc->vmxon_page))) {
		mv_cr4_clear_vmxe();
		return -EIO;
	}
	pc->on = true;

	/*
	 * Forget translations a previous VMX user may have left tagged: a page
	 * it used as an EPT root may become ours, with the same EPTP. Both
	 * extents are required at load (vmx_caps.c).
	 */
	if (vmx_invept(VMX_EPT_EXTENT_GLOBAL, 0) ||
	    (vmx_cfg.has_vpid && vmx_invvpid(VMX_VPID_EXTENT_ALL_CONTEXT, 0))) {
		vmx_cpu_off();
		return -EIO;
	}
	return 0;
}

static void vmx_cpu_on_ipi(void *unused)
{
	this_cpu_ptr(&vmx_percpu)->error = vmx_cpu_on();
}

static void vmx_cpu_off_ipi(void *unused)
{
	vmx_cpu_off();
}

static void vmx_syscore_reregister(void);

/* The first VM is being created (mv_hw_lock held, process context). */
int vmx_hw_enable(void)
{
	bool required, share = vmx_share_wanted(&required);
	int cpu, r = 0;

	if (share) {
		r = vmx_share_enable();
		if (r && required)
			return r;
		if (r) {
			pr_warn_ratelimited("minivisor: not sharing kvm_intel's VMX operation (%d), trying VMXON of our own (vmx_share=auto)\n",
					    r);
			share = false;
		}
	}
	cpus_read_lock();
	vmx_owner = share ? MV_VMX_OWNER_KVM : MV_VMX_OWNER_SELF;
	on_each_cpu(vmx_cpu_on_ipi, NULL, 1);
	for_each_online_cpu(cpu) {
		r = per_cpu(vmx_percpu, cpu).error;
		if (!r)
			continue;
		if (r == -EOPNOTSUPP)
			pr_err_ratelimited("minivisor: this kernel keeps VMX operation in core x86 (x86_virt_get_ref, exported to KVM only): minivisor can only share kvm_intel's, and minivisor.vmx_share=self\n");
		else if (r == -EBUSY)
			pr_warn_ratelimited("minivisor: VMX is already in use on CPU %d by another hypervisor (probably kvm_intel) and minivisor.vmx_share=self; share it (vmx_share=auto or kvm), stop its VMs or 'rmmod kvm_intel' and retry\n",
					    cpu);
		else if (share)
			pr_err_ratelimited("minivisor: kvm_intel's VMX operation is not on on CPU %d (%d)\n",
					   cpu, r);
		else
			pr_err_ratelimited("minivisor: VMXON failed on CPU %d (%d)\n", cpu, r);
		break;
	}
	if (r) {
		on_each_cpu(vmx_cpu_off_ipi, NULL, 1);
		vmx_owner = MV_VMX_OWNER_NONE;
	} else {
		vmx_wanted = true;
		if (share)
			static_branch_enable_cpuslocked(&vmx_shared);
	}
	cpus_read_unlock();
	if (r && share)
		vmx_share_disable();
	if (!r && share)
		vmx_syscore_reregister();
	return r;
}

/* The last VM is gone (mv_hw_lock held). */
void vmx_hw_disable(void)
{
	bool shared = vmx_owner == MV_VMX_OWNER_KVM;

	cpus_read_lock();
	vmx_wanted = false;
	on_each_cpu(vmx_cpu_off_ipi, NULL, 1);
	if (shared)
		static_branch_disable_cpuslocked(&vmx_shared);
	vmx_owner = MV_VMX_OWNER_NONE;
	cpus_read_unlock();
	vmx_syscall_msrs_drop_all();
	if (shared)
		vmx_share_disable();
}

/* Hotplug callbacks run on the CPU coming up or going down. */
static int vmx_cpu_online(unsigned int cpu)
{
	int r = 0;

	if (READ_ONCE(vmx_wanted)) {
		local_irq_disable();
		r = vmx_cpu_on();
		local_irq_enable();
		if (r)
			pr_err("minivisor: cannot enter VMX operation on CPU %u (%d)\n", cpu, r);
	}
	return r;
}

static int vmx_cpu_offline(unsigned int cpu)
{
	local_irq_disable();
	vmx_cpu_off();
	/* An offline CPU's notifier list would outlive the module otherwise. */
	vmx_syscall_msrs_drop_local();
	local_irq_enable();
	return 0;
}

/*
 * Suspend/resume and shutdown: the boot CPU is left (and comes back) outside
 * CPU hotplug, so it needs syscore hooks; the others go through
 * vmx_cpu_offline()/vmx_cpu_online(). A shutdown before kexec must leave no
 * CPU in VMX operation, where INIT is blocked (SDM Vol. 3C 26.2).
 */
#ifdef MV_SYSCORE_DATA
#define MV_SYSCORE_ARG	void *unused
#else
#define MV_SYSCORE_ARG	void
#endif

static int vmx_syscore_suspend(MV_SYSCORE_ARG)
{
	/* Resume rewrites the SYSCALL MSRs behind the notifier's back. */
	vmx_syscall_msrs_drop_local();
	vmx_cpu_off();
	return 0;
}

static void vmx_syscore_resume(MV_SYSCORE_ARG)
{
	int r;

	if (!READ_ONCE(vmx_wanted))
		return;
	r = vmx_cpu_on();
	if (r)
		pr_err("minivisor: cannot re-enter VMX operation after resume (%d)\n", r);
}

static void vmx_syscore_shutdown(MV_SYSCORE_ARG)
{
	/* kexec without reboot notifiers (kernel_kexec) comes here directly. */
	WRITE_ONCE(vmx_rebooting, true);
	on_each_cpu(vmx_cpu_off_ipi, NULL, 1);
}

static struct syscore_ops vmx_syscore_ops = {
	.suspend	= vmx_syscore_suspend,
	.resume		= vmx_syscore_resume,
	.shutdown	= vmx_syscore_shutdown,
};

#ifdef MV_SYSCORE_DATA
static struct syscore vmx_syscore = { .ops = &vmx_syscore_ops };
#define vmx_register_syscore()		register_syscore(&vmx_syscore)
#define vmx_unregister_syscore()	unregister_syscore(&vmx_syscore)
#else
#define vmx_register_syscore()		register_syscore_ops(&vmx_syscore_ops)
#define vmx_unregister_syscore()	unregister_syscore_ops(&vmx_syscore_ops)
#endif

/*
 * Syscore hooks suspend and shut down in the reverse order of registration,
 * and resume in that order. Registered again once kvm_intel's VMX operation
 * is shared, ours come before kvm_intel's (VMCLEAR ours, then KVM turns
 * VMX off) and resume after (KVM turns VMX on first).
 */
static void vmx_syscore_reregister(void)
{
	vmx_unregister_syscore();
	vmx_register_syscore();
}

int vmx_cpu_setup(void)
{
	int cpu, r;

	for_each_possible_cpu(cpu) {
		struct vmx_percpu *pc = per_cpu_ptr(&vmx_percpu, cpu);

		INIT_LIST_HEAD(&pc->loaded);
		pc->vmxon_page = alloc_pages_node(cpu_to_node(cpu),
						  GFP_KERNEL | __GFP_ZERO, 0);
		if (!pc->vmxon_page) {
			vmx_cpu_teardown();
			return -ENOMEM;
		}
	}
	r = cpuhp_setup_state_nocalls(CPUHP_AP_ONLINE_DYN, "minivisor:online",
				      vmx_cpu_online, vmx_cpu_offline);
	if (r < 0) {
		vmx_cpu_teardown();
		return r;
	}
	vmx_hp_state = r;
	vmx_register_syscore();
	register_reboot_notifier(&vmx_reboot_nb);
	return 0;
}

void vmx_cpu_teardown(void)
{
	int cpu;

	if (vmx_hp_state > 0) {
		unregister_reboot_notifier(&vmx_reboot_nb);
		vmx_unregister_syscore();
		cpuhp_remove_state_nocalls(vmx_hp_state);
	}
	vmx_hp_state = 0;
	for_each_possible_cpu(cpu) {
		struct vmx_percpu *pc = per_cpu_ptr(&vmx_percpu, cpu);

		if (pc->vmxon_page)
			__free_page(pc->vmxon_page);
		pc->vmxon_page = NULL;
	}
}

/*
 * Best effort: raw VMREADs, failures print as 0. Host-state fields are
 * kernel addresses (stack, IDT, GDT, TSS, entry point): printed only with
 * minivisor.dump_host_state=1, so a log reader learns no KASLR secrets.
 */
void vmx_dump_vmcs(void)
{
	static const struct { const char *name; unsigned long field; bool host; } f[] = {
		{ "GUEST_RIP", GUEST_RIP }, { "GUEST_RSP", GUEST_RSP },
		{ "GUEST_RFLAGS", GUEST_RFLAGS }, { "GUEST_CR0", GUEST_CR0 },
		{ "GUEST_CR3", GUEST_CR3 }, { "GUEST_CR4", GUEST_CR4 },
		{ "GUEST_EFER", GUEST_IA32_EFER },
		{ "GUEST_CS_SEL", GUEST_CS_SELECTOR }, { "GUEST_CS_AR", GUEST_CS_AR_BYTES },
		{ "GUEST_CS_BASE", GUEST_CS_BASE }, { "GUEST_CS_LIMIT", GUEST_CS_LIMIT },
		{ "GUEST_TR_AR", GUEST_TR_AR_BYTES },
		{ "GUEST_ACTIVITY", GUEST_ACTIVITY_STATE },
		{ "GUEST_INTR_INFO", GUEST_INTERRUPTIBILITY_INFO },
		{ "ENTRY_INTR_INFO", VM_ENTRY_INTR_INFO_FIELD },
		{ "PIN", PIN_BASED_VM_EXEC_CONTROL }, { "PROC", CPU_BASED_VM_EXEC_CONTROL },
		{ "PROC2", SECONDARY_VM_EXEC_CONTROL }, { "EXIT_CTLS", VM_EXIT_CONTROLS },
		{ "ENTRY_CTLS", VM_ENTRY_CONTROLS },
		{ "HOST_CR0", HOST_CR0 }, { "HOST_CR4", HOST_CR4 },
		{ "EPTP", EPT_POINTER, true }, { "HOST_CR3", HOST_CR3, true },
		{ "HOST_RIP", HOST_RIP, true }, { "HOST_RSP", HOST_RSP, true },
		{ "HOST_TR_BASE", HOST_TR_BASE, true },
		{ "HOST_GDTR_BASE", HOST_GDTR_BASE, true },
		{ "EXIT_REASON", VM_EXIT_REASON }, { "EXIT_QUAL", EXIT_QUALIFICATION },
		{ "INSN_ERROR", VM_INSTRUCTION_ERROR },
	};
	unsigned long v, flags;
	unsigned int i;
	/* Beside KVM: in a window where ours is current, never KVM's VMCS. */
	bool shared = static_branch_unlikely(&vmx_shared) && !__this_cpu_read(vmx_vmcs_ready);

	if (shared) {
		local_irq_save(flags);
		if (!vmx_share_acquire(vmx_share_loaded())) {
			local_irq_restore(flags);
			pr_err("minivisor: no VMCS dump: our VMCS cannot be made current\n");
			return;
		}
	}
	pr_err("minivisor: VMCS dump (CPU %d)%s\n", raw_smp_processor_id(),
	       dump_host_state ? "" : "; host fields need minivisor.dump_host_state=1");
	for (i = 0; i < ARRAY_SIZE(f); i++) {
		if (f[i].host && !dump_host_state)
			continue;
		v = 0;
		asm volatile("vmread %[f], %[v]" : [v] "+r" (v) : [f] "r" (f[i].field) : "cc");
		pr_err("minivisor:   %-16s %#018lx\n", f[i].name, v);
	}
	if (shared) {
		vmx_share_release();
		local_irq_restore(flags);
	}
}
