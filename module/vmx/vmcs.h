/* SPDX-License-Identifier: GPL-2.0 */
/*
 * VMCS and VMX instruction accessors.
 *
 * Field encodings come from the kernel's <asm/vmx.h> (SDM Vol. 3C appendix
 * B). Bits 14:13 of an encoding give the field width (SDM Vol. 3C 25.11.2,
 * table 25-21): each accessor checks at build time that a constant field has
 * the width it is used with. Every VMX instruction is checked for VMfail
 * (CF=1: VMfailInvalid, ZF=1: VMfailValid; SDM Vol. 3C 31.2): a failure is a
 * minivisor bug and gets one WARN plus a VMCS dump, never a BUG().
 *
 * Every VMX instruction also has an exception-table fixup: outside VMX
 * operation it raises #UD, which happens legitimately once reboot or kexec
 * has turned VMX off under a vCPU thread (vmx_rebooting). The fixup makes
 * the instruction fail quietly then, and warns once otherwise.
 */
#ifndef MV_VMX_VMCS_H
#define MV_VMX_VMCS_H

#include <linux/build_bug.h>
#include <linux/compiler.h>
#include <linux/jump_label.h>
#include <linux/percpu.h>
#include <asm/asm.h>
#include <asm/vmx.h>

#define VMCS_WIDTH_16	0
#define VMCS_WIDTH_64	1
#define VMCS_WIDTH_32	2
#define VMCS_WIDTH_NAT	3
#define VMCS_FIELD_WIDTH(f)	(((f) >> 13) & 3)

#define vmcs_check_width(field, width)					\
	BUILD_BUG_ON_MSG(__builtin_constant_p(field) &&			\
			 VMCS_FIELD_WIDTH(field) != (width),		\
			 "VMCS field accessed with the wrong width")

void vmx_insn_failed(const char *insn, unsigned long arg);
void vmx_insn_faulted(const char *insn, unsigned long arg);

static __always_inline unsigned long vmx_raw_vmread(unsigned long field)
{
	unsigned long value;

	asm goto("1: vmread %[field], %[value]\n\t"
		 "jna %l[fail]\n\t"
		 _ASM_EXTABLE(1b, %l[fault])
		 : [value] "=r" (value)
		 : [field] "r" (field)
		 : "cc"
		 : fail, fault);
	return value;
fail:
	vmx_insn_failed("vmread", field);
	return 0;
fault:
	vmx_insn_faulted("vmread", field);
	return 0;
}

static __always_inline void vmx_raw_vmwrite(unsigned long field, unsigned long value)
{
	asm goto("1: vmwrite %[value], %[field]\n\t"
		 "jna %l[fail]\n\t"
		 _ASM_EXTABLE(1b, %l[fault])
		 : : [field] "r" (field), [value] "rm" (value)
		 : "cc"
		 : fail, fault);
	return;
fail:
	vmx_insn_failed("vmwrite", field);
	return;
fault:
	vmx_insn_faulted("vmwrite", field);
}

/*
 * While minivisor shares kvm_intel's VMX operation (vmx_share.c), KVM's
 * VMCS may be the current one: every access goes through vmx_share.c,
 * which makes ours current for it. Off, the branch is a NOP.
 */
DECLARE_STATIC_KEY_FALSE(vmx_shared);
unsigned long vmx_shared_vmread(unsigned long field);
void vmx_shared_vmwrite(unsigned long field, unsigned long value);
DECLARE_PER_CPU(bool, vmx_vmcs_ready);	/* the loaded vCPU's VMCS is current */

static __always_inline unsigned long __vmcs_read(unsigned long field)
{
	if (static_branch_unlikely(&vmx_shared))
		return vmx_shared_vmread(field);
	return vmx_raw_vmread(field);
}

static __always_inline void __vmcs_write(unsigned long field, unsigned long value)
{
	if (static_branch_unlikely(&vmx_shared))
		vmx_shared_vmwrite(field, value);
	else
		vmx_raw_vmwrite(field, value);
}

#define DEFINE_VMCS_ACCESSORS(name, type, width)			\
static __always_inline type vmcs_read##name(unsigned long field)	\
{									\
	vmcs_check_width(field, width);					\
	return (type)__vmcs_read(field);				\
}									\
static __always_inline void vmcs_write##name(unsigned long field, type value) \
{									\
	vmcs_check_width(field, width);					\
	__vmcs_write(field, value);					\
}

DEFINE_VMCS_ACCESSORS(16, u16, VMCS_WIDTH_16)
DEFINE_VMCS_ACCESSORS(32, u32, VMCS_WIDTH_32)
DEFINE_VMCS_ACCESSORS(64, u64, VMCS_WIDTH_64)
DEFINE_VMCS_ACCESSORS(l, unsigned long, VMCS_WIDTH_NAT)

/*
 * VMCLEAR, VMPTRLD, VMXON, VMXOFF, INVEPT, INVVPID: true on VMfail, and on
 * a fault (#UD outside VMX operation, #GP for VMXON with bad CR0/CR4 or
 * feature-control state, SDM Vol. 3C 31.3), which is reported once.
 */
#define vmx_insn_checked(name, insn, ...)				\
({									\
	bool __fail = false;						\
	asm goto("1: " insn "\n\t"					\
		 "jna %l[fail]\n\t"					\
		 _ASM_EXTABLE(1b, %l[fault])				\
		 : : __VA_ARGS__ : "cc", "memory" : fail, fault);	\
	if (0) {							\
fault:									\
		vmx_insn_faulted(name, 0);				\
		__fail = true;						\
	}								\
	if (0) {							\
fail:									\
		__fail = true;						\
	}								\
	__fail;								\
})

/* VMPTRST's "no current VMCS" (SDM Vol. 3C 31.3, VMPTRST). */
#define VMX_NO_VMCS	(~0ULL)

/* The current-VMCS pointer; VMX_NO_VMCS also if VMPTRST faults. */
static __always_inline u64 vmx_vmptrst(void)
{
	u64 pa = VMX_NO_VMCS;

	asm volatile("1: vmptrst %0\n\t"
		     "2:\n\t"
		     _ASM_EXTABLE(1b, 2b)
		     : "+m" (pa) : : "memory");
	return pa;
}

static __always_inline bool vmx_vmclear(u64 pa)
{
	return vmx_insn_checked("vmclear", "vmclear %[pa]", [pa] "m" (pa));
}

static __always_inline bool vmx_vmptrld(u64 pa)
{
	return vmx_insn_checked("vmptrld", "vmptrld %[pa]", [pa] "m" (pa));
}

static __always_inline bool vmx_vmxon(u64 pa)
{
	return vmx_insn_checked("vmxon", "vmxon %[pa]", [pa] "m" (pa));
}

static __always_inline bool vmx_vmxoff(void)
{
	return vmx_insn_checked("vmxoff", "vmxoff", "i" (0));
}

struct vmx_inv_desc {
	u64 a;
	u64 b;
};

static __always_inline bool vmx_invept(unsigned long type, u64 eptp)
{
	struct vmx_inv_desc desc = { .a = eptp, .b = 0 };

	return vmx_insn_checked("invept", "invept %[desc], %[type]",
				[desc] "m" (desc), [type] "r" (type));
}

static __always_inline bool vmx_invvpid(unsigned long type, u16 vpid)
{
	struct vmx_inv_desc desc = { .a = vpid, .b = 0 };

	return vmx_insn_checked("invvpid", "invvpid %[desc], %[type]",
				[desc] "m" (desc), [type] "r" (type));
}

#endif /* MV_VMX_VMCS_H */
