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
 */
#ifndef MV_VMX_VMCS_H
#define MV_VMX_VMCS_H

#include <linux/build_bug.h>
#include <linux/compiler.h>
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

static __always_inline unsigned long __vmcs_read(unsigned long field)
{
	unsigned long value;
	bool fail;

	asm volatile("vmread %[field], %[value]"
		     CC_SET(na)
		     : CC_OUT(na) (fail), [value] "=r" (value)
		     : [field] "r" (field)
		     : "cc");
	if (unlikely(fail)) {
		vmx_insn_failed("vmread", field);
		return 0;
	}
	return value;
}

static __always_inline void __vmcs_write(unsigned long field, unsigned long value)
{
	bool fail;

	asm volatile("vmwrite %[value], %[field]"
		     CC_SET(na)
		     : CC_OUT(na) (fail)
		     : [field] "r" (field), [value] "rm" (value)
		     : "cc");
	if (unlikely(fail))
		vmx_insn_failed("vmwrite", field);
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

/* VMCLEAR, VMPTRLD, VMXON, VMXOFF, INVEPT, INVVPID: true on VMfail. */
static __always_inline bool vmx_vmclear(u64 pa)
{
	bool fail;

	asm volatile("vmclear %[pa]" CC_SET(na)
		     : CC_OUT(na) (fail) : [pa] "m" (pa) : "cc", "memory");
	return fail;
}

static __always_inline bool vmx_vmptrld(u64 pa)
{
	bool fail;

	asm volatile("vmptrld %[pa]" CC_SET(na)
		     : CC_OUT(na) (fail) : [pa] "m" (pa) : "cc", "memory");
	return fail;
}

static __always_inline bool vmx_vmxon(u64 pa)
{
	bool fail;

	asm volatile("vmxon %[pa]" CC_SET(na)
		     : CC_OUT(na) (fail) : [pa] "m" (pa) : "cc", "memory");
	return fail;
}

static __always_inline bool vmx_vmxoff(void)
{
	bool fail;

	asm volatile("vmxoff" CC_SET(na) : CC_OUT(na) (fail) : : "cc", "memory");
	return fail;
}

struct vmx_inv_desc {
	u64 a;
	u64 b;
};

static __always_inline bool vmx_invept(unsigned long type, u64 eptp)
{
	struct vmx_inv_desc desc = { .a = eptp, .b = 0 };
	bool fail;

	asm volatile("invept %[desc], %[type]" CC_SET(na)
		     : CC_OUT(na) (fail)
		     : [desc] "m" (desc), [type] "r" (type) : "cc", "memory");
	return fail;
}

static __always_inline bool vmx_invvpid(unsigned long type, u16 vpid)
{
	struct vmx_inv_desc desc = { .a = vpid, .b = 0 };
	bool fail;

	asm volatile("invvpid %[desc], %[type]" CC_SET(na)
		     : CC_OUT(na) (fail)
		     : [desc] "m" (desc), [type] "r" (type) : "cc", "memory");
	return fail;
}

#endif /* MV_VMX_VMCS_H */
