// SPDX-License-Identifier: GPL-2.0
/*
 * MSR policy, shared by every backend.
 *
 * The guest reaches an MSR only if it is on the list below (an allow-list,
 * like CPUID): the backend keeps the ones that live in its own state (VMCS
 * fields, MSRs it switches around the guest), core emulates the few that
 * Linux guests read at boot with constant answers. Anything else raises #GP
 * in the guest, as on a CPU that lacks the MSR, or exits to userspace as
 * MV_EXIT_MSR when the VMM enabled MV_CAP_MSR_EXIT.
 */
#include <linux/nospec.h>
#include <linux/slab.h>
#include <linux/uaccess.h>
#include <asm/msr-index.h>
#include "mv.h"
#include "lapic.h"
#include "../common/x86_decode.h"

/* Emulated by core: read-only constants, writes of the same value accepted. */
#define MV_MISC_ENABLE_VALUE	(MSR_IA32_MISC_ENABLE_FAST_STRING | \
				 MSR_IA32_MISC_ENABLE_BTS_UNAVAIL | \
				 MSR_IA32_MISC_ENABLE_PEBS_UNAVAIL)

/* Every MSR a guest or MV_GET/SET_MSRS may use (MV_GET_MSR_INDEX_LIST). */
static const u32 mv_msr_list[] = {
	/* kept by the backend */
	MSR_EFER, MSR_IA32_CR_PAT, MSR_IA32_SYSENTER_CS, MSR_IA32_SYSENTER_ESP,
	MSR_IA32_SYSENTER_EIP, MSR_FS_BASE, MSR_GS_BASE, MSR_KERNEL_GS_BASE,
	MSR_STAR, MSR_LSTAR, MSR_CSTAR, MSR_SYSCALL_MASK, MSR_IA32_DEBUGCTLMSR,
	MSR_IA32_TSC,
	/* the in-kernel local APIC (x2APIC registers: MV_GET/SET_LAPIC) */
	MSR_IA32_TSC_DEADLINE,
	/* emulated by core */
	MSR_IA32_MISC_ENABLE, MSR_IA32_UCODE_REV, MSR_IA32_FEAT_CTL,
	MSR_IA32_MCG_CAP, MSR_IA32_MCG_STATUS, MSR_IA32_APICBASE,
	MSR_PLATFORM_INFO, MSR_MTRRcap,
};

static bool mv_msr_known(u32 index)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(mv_msr_list); i++)
		if (mv_msr_list[i] == index)
			return true;
	return false;
}

/* Returns 0, -EINVAL (the guest would get #GP) or -ENOENT (not core's). */
static int mv_core_get(struct mv_vcpu *vcpu, u32 index, u64 *data)
{
	switch (index) {
	case MSR_IA32_MISC_ENABLE:
		*data = MV_MISC_ENABLE_VALUE;
		return 0;
	case MSR_IA32_UCODE_REV:
		*data = 0x100000000ULL;	/* microcode revision 1, in EDX */
		return 0;
	case MSR_IA32_FEAT_CTL:
		*data = FEAT_CTL_LOCKED;	/* locked, no VMX/SGX for the guest */
		return 0;
	case MSR_IA32_MCG_CAP:
	case MSR_IA32_MCG_STATUS:
	case MSR_PLATFORM_INFO:
	case MSR_MTRRcap:
		*data = 0;			/* no banks, no ratios, no MTRRs */
		return 0;
	case MSR_IA32_APICBASE:
		/* xAPIC at the architectural base; vCPU 0 is the BSP. */
		*data = APIC_DEFAULT_PHYS_BASE | MSR_IA32_APICBASE_ENABLE |
			(vcpu->id ? 0 : MSR_IA32_APICBASE_BSP);
		return 0;
	}
	return -ENOENT;
}

static int mv_core_set(struct mv_vcpu *vcpu, u32 index, u64 data)
{
	u64 cur;
	int r;

	switch (index) {
	case MSR_IA32_UCODE_REV:
		/* Linux writes 0 before CPUID to read the revision (SDM Vol. 3A 10.11.7.1). */
		return 0;
	case MSR_IA32_MCG_STATUS:
		return data ? -EINVAL : 0;
	}
	r = mv_core_get(vcpu, index, &cur);
	if (r)
		return r;
	return data == cur ? 0 : -EINVAL;
}

/* IA32_APIC_BASE, IA32_TSC_DEADLINE and the x2APIC range (SDM Vol. 3A 11.12.1). */
static bool mv_msr_lapic(struct mv_vcpu *vcpu, u32 index)
{
	return vcpu->lapic && (index == MSR_IA32_APICBASE || index == MSR_IA32_TSC_DEADLINE ||
			       (index >= 0x800 && index <= 0x8ff));
}

static int mv_get_msr(struct mv_vcpu *vcpu, u32 index, u64 *data)
{
	int r;

	if (mv_msr_lapic(vcpu, index))
		return mv_lapic_get_msr(vcpu, index, data);
	if (!mv_msr_known(index))
		return -ENOENT;
	r = mv_ops->get_msr(vcpu, index, data);
	return r == -ENOENT ? mv_core_get(vcpu, index, data) : r;
}

static int mv_set_msr(struct mv_vcpu *vcpu, u32 index, u64 data, bool host)
{
	int r;

	if (mv_msr_lapic(vcpu, index))
		return mv_lapic_set_msr(vcpu, index, data, host);
	if (!mv_msr_known(index))
		return -ENOENT;
	r = mv_ops->set_msr(vcpu, index, data, host);
	return r == -ENOENT ? mv_core_set(vcpu, index, data) : r;
}

static enum mv_msr_result mv_msr_unknown(struct mv_vcpu *vcpu, u32 index, bool write,
					 u64 data)
{
	if (!READ_ONCE(vcpu->vm->msr_exit))
		return MV_MSR_GP;
	vcpu->exit.reason = MV_NEXIT_MSR;
	vcpu->exit.msr.index = index;
	vcpu->exit.msr.write = write;
	vcpu->exit.msr.data = data;
	return MV_MSR_USER;
}

enum mv_msr_result mv_msr_read(struct mv_vcpu *vcpu, u32 index, u64 *data)
{
	int r = mv_get_msr(vcpu, index, data);

	if (r == -ENOENT)
		return mv_msr_unknown(vcpu, index, false, 0);
	return r ? MV_MSR_GP : MV_MSR_OK;
}

enum mv_msr_result mv_msr_write(struct mv_vcpu *vcpu, u32 index, u64 data)
{
	int r = mv_set_msr(vcpu, index, data, false);

	if (r == -ENOENT)
		return mv_msr_unknown(vcpu, index, true, data);
	return r ? MV_MSR_GP : MV_MSR_OK;
}

/* An MSR exit for userspace: the VMM answers in run->msr at the next MV_RUN. */
int mv_msr_exit(struct mv_vcpu *vcpu)
{
	struct mv_run *run = vcpu->run;

	run->exit_reason = MV_EXIT_MSR;
	run->msr.index = vcpu->exit.msr.index;
	run->msr.is_write = vcpu->exit.msr.write;
	run->msr.error = 0;
	memset(run->msr.padding, 0, sizeof(run->msr.padding));
	run->msr.data = vcpu->exit.msr.data;
	vcpu->pending = (struct mv_pending) {
		.kind = MV_PENDING_MSR, .reg = vcpu->exit.msr.write,
	};
	return 0;
}

/* RDMSR and WRMSR are two bytes long (0F 32, 0F 30). */
#define MV_MSR_INSN_LEN	2

void mv_msr_complete(struct mv_vcpu *vcpu)
{
	struct mv_run *run = vcpu->run;
	u64 data;

	if (READ_ONCE(run->msr.error)) {
		mv_ops->queue_gp(vcpu);
		return;
	}
	if (!vcpu->pending.reg) {	/* a read: EDX:EAX, upper halves zeroed */
		data = READ_ONCE(run->msr.data);
		mv_ops->set_gpr(vcpu, X86_RAX, (u32)data);
		mv_ops->set_gpr(vcpu, X86_RDX, data >> 32);
	}
	mv_ops->skip_insn(vcpu, MV_MSR_INSN_LEN);
}

long mv_msr_index_list(void __user *argp)
{
	struct mv_msr_list __user *ul = argp;
	u32 n, total = ARRAY_SIZE(mv_msr_list);

	if (get_user(n, &ul->nmsrs))
		return -EFAULT;
	if (put_user(total, &ul->nmsrs))
		return -EFAULT;
	if (n < total)
		return -E2BIG;
	if (copy_to_user(ul->indices, mv_msr_list, sizeof(mv_msr_list)))
		return -EFAULT;
	return 0;
}

/*
 * MV_GET_MSRS / MV_SET_MSRS: entries are processed in order and the call
 * returns how many succeeded; the first unknown MSR or rejected value stops
 * it (as KVM_GET/SET_MSRS). Called with the vCPU loaded.
 */
long mv_msr_ioctl(struct mv_vcpu *vcpu, unsigned int ioctl, void __user *argp)
{
	struct mv_msrs __user *um = argp;
	struct mv_msr_entry *e;
	struct mv_msrs hdr;
	long r, i;

	if (copy_from_user(&hdr, um, sizeof(hdr)))
		return -EFAULT;
	if (hdr.pad)
		return -EINVAL;
	if (hdr.nmsrs > MV_MSRS_MAX)
		return -E2BIG;
	e = memdup_user(um->entries, hdr.nmsrs * sizeof(*e));
	if (IS_ERR(e))
		return PTR_ERR(e);
	for (i = 0; i < hdr.nmsrs; i++) {
		if (e[i].reserved) {
			r = -EINVAL;
			goto out;
		}
	}
	for (i = 0; i < hdr.nmsrs; i++) {
		if (ioctl == MV_GET_MSRS)
			r = mv_get_msr(vcpu, e[i].index, &e[i].data);
		else
			r = mv_set_msr(vcpu, e[i].index, e[i].data, true);
		if (r)
			break;
	}
	r = i;
	if (ioctl == MV_GET_MSRS && copy_to_user(um->entries, e, i * sizeof(*e)))
		r = -EFAULT;
out:
	kfree(e);
	return r;
}
