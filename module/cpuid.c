// SPDX-License-Identifier: GPL-2.0
/*
 * CPUID as the guest sees it: the host's values, with features hidden that
 * minivisor does not virtualize (or that would let the guest reach host
 * state), the hypervisor bit set, and a hypervisor leaf at 0x40000000.
 * Policy only; backends call mv_cpuid() from their CPUID exit handler.
 */
#include <linux/bits.h>
#include <asm/processor.h>
#include "mv.h"

/* "Minivisor\0\0\0" in EBX, ECX, EDX. */
#define MV_SIG_EBX	0x696e694d	/* "Mini" */
#define MV_SIG_ECX	0x6f736976	/* "viso" */
#define MV_SIG_EDX	0x00000072	/* "r\0\0\0" */

enum { EAX, EBX, ECX, EDX };

void mv_cpuid(struct mv_vcpu *vcpu, u32 leaf, u32 subleaf, bool osxsave, u32 *r)
{
	if (leaf >= 0x40000000 && leaf <= 0x4fffffff) {
		r[EAX] = r[EBX] = r[ECX] = r[EDX] = 0;
		if (leaf == 0x40000000) {
			r[EAX] = 0x40000000;	/* highest hypervisor leaf */
			r[EBX] = MV_SIG_EBX;
			r[ECX] = MV_SIG_ECX;
			r[EDX] = MV_SIG_EDX;
		}
		return;
	}

	cpuid_count(leaf, subleaf, &r[EAX], &r[EBX], &r[ECX], &r[EDX]);

	switch (leaf) {
	case 1:
		/* APIC ID = vCPU id. */
		r[EBX] = (r[EBX] & 0x00ffffff) | (vcpu->id << 24);
		/*
		 * Hide MONITOR (exits), PDCM (perf MSR), VMX, SMX, x2APIC (no
		 * virtual APIC yet); OSXSAVE mirrors the guest's CR4.
		 */
		r[ECX] &= ~(BIT(3) | BIT(5) | BIT(6) | BIT(15) | BIT(21) |
			    BIT(27));
		if (osxsave)
			r[ECX] |= BIT(27);
		r[ECX] |= BIT(31);	/* running under a hypervisor */
		break;
	case 6:
		r[EAX] = r[EBX] = r[ECX] = r[EDX] = 0;	/* no power management */
		break;
	case 7:
		if (subleaf == 0) {
			/* INVPCID is not enabled in the VMCS: it would #UD. */
			r[EBX] &= ~BIT(10);
			/* PKU/OSPKE (CR4.PKE is host-owned), WAITPKG, CET_SS, RDPID. */
			r[ECX] &= ~(BIT(3) | BIT(4) | BIT(5) | BIT(7) | BIT(22));
			/* CET_IBT. */
			r[EDX] &= ~BIT(20);
		}
		break;
	case 0xa:
		r[EAX] = r[EBX] = r[ECX] = r[EDX] = 0;	/* no PMU */
		break;
	case 0xb:
	case 0x1f:
		r[EDX] = vcpu->id;	/* x2APIC ID */
		break;
	case 0xd:
		if (subleaf == 1)
			r[EAX] &= ~BIT(3);	/* XSAVES/XRSTORS are not enabled */
		break;
	case 0x80000001:
		r[EDX] &= ~BIT(27);	/* RDTSCP is not enabled */
		break;
	}
}
