// SPDX-License-Identifier: GPL-2.0
/*
 * MSRs the VMX backend keeps: VMCS guest-state fields, and the MSRs VMX does
 * not switch, which minivisor switches in software at vcpu_load/vcpu_put.
 *
 * The MSR bitmap (SDM Vol. 3C 25.6.9) lets the guest access only MSRs that
 * are safe to give it directly: FS/GS base and SYSENTER_* are guest-state
 * fields that VM exit replaces with the host's (28.5.1), and KERNEL_GS_BASE
 * holds the guest's value whenever the vCPU is loaded. Everything else exits.
 */
#include <linux/gfp.h>
#include <linux/mm.h>
#include <linux/percpu.h>
#include <linux/smp.h>
#include <linux/user-return-notifier.h>
#include <asm/msr.h>
#include "vmx.h"

static unsigned long *vmx_msr_bitmap;	/* one page shared by every vCPU */

static const u32 vmx_passthrough_msrs[] = {
	MSR_FS_BASE, MSR_GS_BASE, MSR_KERNEL_GS_BASE,
	MSR_IA32_SYSENTER_CS, MSR_IA32_SYSENTER_ESP, MSR_IA32_SYSENTER_EIP,
};

/*
 * Bitmap layout, SDM Vol. 3C 25.6.9: read-low (MSRs 0-0x1fff) at 0, read-high
 * (0xc0000000-0xc0001fff) at 1024, write-low at 2048, write-high at 3072
 * bytes. A set bit makes the access exit.
 */
static void vmx_msr_allow(u32 msr)
{
	unsigned int base = (msr & 0xc0000000) ? 1024 : 0, bit = msr & 0x1fff;
	u8 *b = (u8 *)vmx_msr_bitmap;

	b[base + bit / 8] &= ~(1u << (bit % 8));
	b[2048 + base + bit / 8] &= ~(1u << (bit % 8));
}

int vmx_msr_setup(void)
{
	unsigned int i;

	vmx_msr_bitmap = (unsigned long *)__get_free_page(GFP_KERNEL);
	if (!vmx_msr_bitmap)
		return -ENOMEM;
	memset(vmx_msr_bitmap, 0xff, PAGE_SIZE);
	for (i = 0; i < ARRAY_SIZE(vmx_passthrough_msrs); i++)
		vmx_msr_allow(vmx_passthrough_msrs[i]);
	return 0;
}

void vmx_msr_teardown(void)
{
	free_page((unsigned long)vmx_msr_bitmap);
	vmx_msr_bitmap = NULL;
}

u64 vmx_msr_bitmap_pa(void)
{
	return __pa(vmx_msr_bitmap);
}

/*
 * SYSCALL MSRs (STAR, LSTAR, CSTAR, SFMASK): VMX switches none of them
 * (SDM Vol. 3C 25.4, 28.5), and only user mode (SYSCALL) uses them on the
 * host. So the guest's values are written before an entry and the host's
 * come back only when this CPU next returns to user mode, through a user-
 * return notifier: an exit handled in the kernel costs no MSR access, and a
 * guest SYSCALL never reaches the host's entry point. The guest cannot
 * change them without a WRMSR exit, so vmx_vcpu.guest_syscall is always
 * current and nothing is read back.
 */
static const u32 vmx_syscall_msrs[] = { MSR_STAR, MSR_LSTAR, MSR_CSTAR, MSR_SYSCALL_MASK };

struct vmx_uret {
	struct user_return_notifier urn;
	bool registered;		/* guest values may be live */
	bool host_valid;		/* host[] read on this CPU */
	u64 host[4];
	u64 cur[4];			/* what the hardware holds */
};

static DEFINE_PER_CPU(struct vmx_uret, vmx_uret);

/* Interrupts off (the notifier runs so, and so does the IPI). */
static void vmx_uret_restore(struct vmx_uret *u)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(vmx_syscall_msrs); i++) {
		if (u->cur[i] != u->host[i]) {
			wrmsrl(vmx_syscall_msrs[i], u->host[i]);
			u->cur[i] = u->host[i];
		}
	}
	user_return_notifier_unregister(&u->urn);
	u->registered = false;
}

static void vmx_uret_on_user_return(struct user_return_notifier *urn)
{
	unsigned long flags;

	local_irq_save(flags);
	vmx_uret_restore(container_of(urn, struct vmx_uret, urn));
	local_irq_restore(flags);
}

/* Before a VM entry of a guest with EFER.SCE; interrupts are off. */
void vmx_syscall_msrs_load(struct vmx_vcpu *vx)
{
	struct vmx_uret *u = this_cpu_ptr(&vmx_uret);
	unsigned int i;

	if (!u->registered) {
		if (!u->host_valid) {
			for (i = 0; i < ARRAY_SIZE(vmx_syscall_msrs); i++)
				rdmsrl(vmx_syscall_msrs[i], u->host[i]);
			u->host_valid = true;
		}
		memcpy(u->cur, u->host, sizeof(u->cur));
		u->urn.on_user_return = vmx_uret_on_user_return;
		user_return_notifier_register(&u->urn);
		u->registered = true;
	}
	for (i = 0; i < ARRAY_SIZE(vmx_syscall_msrs); i++) {
		if (u->cur[i] != vx->guest_syscall[i]) {
			wrmsrl(vmx_syscall_msrs[i], vx->guest_syscall[i]);
			u->cur[i] = vx->guest_syscall[i];
		}
	}
}

/* On this CPU, interrupts off: host values back, notifier gone. */
void vmx_syscall_msrs_drop_local(void)
{
	struct vmx_uret *u = this_cpu_ptr(&vmx_uret);

	if (u->registered)
		vmx_uret_restore(u);
}

/*
 * Sharing kvm_intel's VMX operation: KVM keeps the SYSCALL MSRs of its
 * guests loaded until its own user-return notifier runs, and skips the
 * WRMSR when its record says the value is already there. So when our vCPU
 * is put (preemption, end of the ioctl) the values that were live when it
 * was loaded (KVM's guest's, or the host's) are written back, and read
 * afresh at the next load: neither hypervisor's record goes stale.
 */
void vmx_syscall_msrs_put_shared(void)
{
	unsigned long flags;

	local_irq_save(flags);
	vmx_syscall_msrs_drop_local();
	this_cpu_ptr(&vmx_uret)->host_valid = false;
	local_irq_restore(flags);
}

static void vmx_uret_drop_ipi(void *unused)
{
	vmx_syscall_msrs_drop_local();
	/* VMX may be shared next time: read what is live then. */
	this_cpu_ptr(&vmx_uret)->host_valid = false;
}

/* The last VM is gone or the module unloads: no notifier may stay behind. */
void vmx_syscall_msrs_drop_all(void)
{
	on_each_cpu(vmx_uret_drop_ipi, NULL, 1);
}

static int vmx_syscall_slot(u32 index)
{
	switch (index) {
	case MSR_STAR:		return 0;
	case MSR_LSTAR:		return 1;
	case MSR_CSTAR:		return 2;
	case MSR_SYSCALL_MASK:	return 3;
	}
	return -1;
}

/* A PAT entry must be a defined memory type (SDM Vol. 3A 13.12.2). */
static bool vmx_pat_valid(u64 pat)
{
	unsigned int i;

	for (i = 0; i < 8; i++) {
		u8 t = pat >> (8 * i);

		if (t > 7 || t == 2 || t == 3)
			return false;
	}
	return true;
}

int vmx_get_msr(struct mv_vcpu *vcpu, u32 index, u64 *data)
{
	struct vmx_vcpu *vx = to_vmx(vcpu);
	int slot = vmx_syscall_slot(index);

	if (slot >= 0) {
		*data = vx->guest_syscall[slot];
		return 0;
	}
	switch (index) {
	case MSR_EFER:
		*data = vmcs_read64(GUEST_IA32_EFER);
		return 0;
	case MSR_IA32_CR_PAT:
		*data = vmcs_read64(GUEST_IA32_PAT);
		return 0;
	case MSR_IA32_SYSENTER_CS:
		*data = vmcs_read32(GUEST_SYSENTER_CS);
		return 0;
	case MSR_IA32_SYSENTER_ESP:
		*data = vmcs_readl(GUEST_SYSENTER_ESP);
		return 0;
	case MSR_IA32_SYSENTER_EIP:
		*data = vmcs_readl(GUEST_SYSENTER_EIP);
		return 0;
	case MSR_FS_BASE:
		*data = vmcs_readl(GUEST_FS_BASE);
		return 0;
	case MSR_GS_BASE:
		*data = vmcs_readl(GUEST_GS_BASE);
		return 0;
	case MSR_KERNEL_GS_BASE:
		if (vx->host_saved)
			rdmsrl(MSR_KERNEL_GS_BASE, *data);
		else
			*data = vx->guest_kernel_gs_base;
		return 0;
	case MSR_IA32_DEBUGCTLMSR:
		*data = vx->guest_debugctl;
		return 0;
	case MSR_IA32_TSC:
		*data = mv_vcpu_guest_tsc(vcpu);
		return 0;
	}
	return -ENOENT;
}

/* EFER bits a guest may set: SCE, LME, NXE; LMA follows CR0.PG (see vmx_insn.c). */
#define VMX_EFER_GUEST_BITS	(EFER_SCE | EFER_LME | EFER_NX)

static int vmx_set_guest_efer(struct vmx_vcpu *vx, u64 efer, bool host)
{
	u64 old = vmcs_read64(GUEST_IA32_EFER);

	if (host) {
		if (efer & ~(VMX_EFER_GUEST_BITS | EFER_LMA))
			return -EINVAL;
	} else {
		/* #GP on reserved bits, and on LME changes while paging is on. */
		if (efer & ~(VMX_EFER_GUEST_BITS | EFER_LMA))
			return -EINVAL;
		if (((efer ^ old) & EFER_LME) && (vmx_guest_cr0(vx) & X86_CR0_PG))
			return -EINVAL;
		efer = (efer & ~EFER_LMA) | (old & EFER_LMA);	/* LMA is read-only */
	}
	vmx_set_efer(efer);
	vx->guest_sce = efer & EFER_SCE;
	return 0;
}

int vmx_set_msr(struct mv_vcpu *vcpu, u32 index, u64 data, bool host)
{
	struct vmx_vcpu *vx = to_vmx(vcpu);
	int slot = vmx_syscall_slot(index);

	if (slot >= 0) {
		/* LSTAR and CSTAR are linear addresses: canonical (SDM Vol. 4 2.2). */
		if ((index == MSR_LSTAR || index == MSR_CSTAR) &&
		    (u64)((s64)data << 16 >> 16) != data)
			return -EINVAL;
		if (index == MSR_SYSCALL_MASK || index == MSR_STAR)
			data &= index == MSR_STAR ? ~0ULL : 0xffffffffULL;
		vx->guest_syscall[slot] = data;	/* live at the next entry */
		return 0;
	}
	switch (index) {
	case MSR_EFER:
		return vmx_set_guest_efer(vx, data, host);
	case MSR_IA32_CR_PAT:
		if (!vmx_pat_valid(data))
			return -EINVAL;
		vmcs_write64(GUEST_IA32_PAT, data);
		return 0;
	case MSR_IA32_SYSENTER_CS:
		vmcs_write32(GUEST_SYSENTER_CS, data);
		return 0;
	case MSR_IA32_SYSENTER_ESP:
	case MSR_IA32_SYSENTER_EIP:
	case MSR_FS_BASE:
	case MSR_GS_BASE:
	case MSR_KERNEL_GS_BASE:
		/* Bases are canonical; VM entry checks them (SDM Vol. 3C 27.3.1). */
		if ((u64)((s64)data << 16 >> 16) != data)
			return -EINVAL;
		if (index == MSR_IA32_SYSENTER_ESP)
			vmcs_writel(GUEST_SYSENTER_ESP, data);
		else if (index == MSR_IA32_SYSENTER_EIP)
			vmcs_writel(GUEST_SYSENTER_EIP, data);
		else if (index == MSR_FS_BASE)
			vmcs_writel(GUEST_FS_BASE, data);
		else if (index == MSR_GS_BASE)
			vmcs_writel(GUEST_GS_BASE, data);
		else if (vx->host_saved)
			wrmsrl(MSR_KERNEL_GS_BASE, data);
		else
			vx->guest_kernel_gs_base = data;
		return 0;
	case MSR_IA32_DEBUGCTLMSR:
		/* No LBR, BTS or BTF for guests yet: only 0 is accepted. */
		if (data)
			return -EINVAL;
		vx->guest_debugctl = 0;
		return 0;
	case MSR_IA32_TSC:
		/* Writing the TSC moves this vCPU's offset (SDM Vol. 3B 18.17). */
		if (!(vmx_cfg.proc & CPU_BASED_USE_TSC_OFFSETTING))
			return -EINVAL;
		vmx_set_tsc_offset(vx, data - rdtsc());
		return 0;
	}
	return -ENOENT;
}
