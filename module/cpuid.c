// SPDX-License-Identifier: GPL-2.0
/*
 * CPUID as the guest sees it: a per-vCPU table, built when the vCPU is
 * created (an allow-list of what minivisor delivers) or given by userspace
 * (MV_SET_CPUID), and answered from that table at every CPUID exit: no
 * native CPUID on the exit path. Policy only and vendor neutral; backends
 * call mv_cpuid() from their CPUID exit handler and mv_xcr0_check() from
 * their XSETBV handler.
 */
#include <linux/bits.h>
#include <linux/slab.h>
#include <linux/sort.h>
#include <linux/uaccess.h>
#include <asm/cpufeature.h>
#include <asm/fpu/xcr.h>
#include <asm/processor.h>
#include <asm/trapnr.h>
#include "mv.h"

/* "Minivisor\0\0\0" in EBX, ECX, EDX. */
#define MV_SIG_EBX	0x696e694d	/* "Mini" */
#define MV_SIG_ECX	0x6f736976	/* "viso" */
#define MV_SIG_EDX	0x00000072	/* "r\0\0\0" */

enum { EAX, EBX, ECX, EDX };

/* XCR0 components (SDM Vol. 1 13.1). */
#define XCR0_FP		BIT_ULL(0)
#define XCR0_SSE	BIT_ULL(1)
#define XCR0_YMM	BIT_ULL(2)
#define XCR0_AVX512	(BIT_ULL(5) | BIT_ULL(6) | BIT_ULL(7))	/* opmask, ZMM_Hi256, Hi16_ZMM */
/*
 * What minivisor lets a guest enable: user state the FPU switch saves and
 * restores without extra MSRs. Not MPX (BNDCFGS), PKRU (CR4.PKE is
 * host-owned), AMX (XFD, dynamic sizing), nor any supervisor state (XSAVES
 * is not enabled).
 */
#define XCR0_MV_SUPPORTED (XCR0_FP | XCR0_SSE | XCR0_YMM | XCR0_AVX512)
#define MV_XCOMP_MAX	8

#define MV_FAST_LEAVES	32

/* Highest leaves of the default table. */
#define MV_MAX_BASIC	0xd
#define MV_MAX_EXT	0x80000008

struct mv_cpuid_table {
	u32 nent;
	/* Highest leaf per class (function bits 31:30), valid if has_max. */
	u32 max[4];
	u8 has_max;
	u64 xcr0_allowed;		/* what XSETBV accepts */
	/* Host XSAVE layout of components 2..7: offset, size, 64-byte alignment. */
	u32 xoff[MV_XCOMP_MAX], xsize[MV_XCOMP_MAX];
	u8 xalign;
	/* First entry of leaves 0..31 and 0x80000000..0x8000001f, or -1. */
	s16 first[2][MV_FAST_LEAVES];
	struct mv_cpuid_entry e[];	/* sorted by function, then index */
};

/* ---- the allow-lists (bit positions from SDM Vol. 2A, CPUID) ---- */

/*
 * Leaf 1 ECX: SSE3 PCLMULQDQ SSSE3 CX16 PCID (CR4.PCIDE is guest-owned; the
 * CPU tags with VPID) SSE4.1 SSE4.2 MOVBE POPCNT AES RDRAND.
 */
#define L1_ECX	(BIT(0) | BIT(1) | BIT(9) | BIT(13) | BIT(17) | BIT(19) | BIT(20) | \
		 BIT(22) | BIT(23) | BIT(25) | BIT(30))
#define L1_ECX_XSAVE	BIT(26)
#define L1_ECX_OSXSAVE	BIT(27)
#define L1_ECX_AVX	(BIT(12) | BIT(28) | BIT(29))		/* FMA AVX F16C */
#define L1_ECX_HYPERVISOR BIT(31)
#define L1_ECX_X2APIC	BIT(21)
#define L1_ECX_TSC_DEADLINE BIT(24)
#define L1_EDX_APIC	BIT(9)
/*
 * Leaf 1 EDX: FPU VME DE PSE TSC MSR PAE CX8 SEP PGE CMOV PAT PSE36 CLFSH MMX
 * FXSR SSE SSE2 SS; APIC only with the in-kernel LAPIC. Not: MCE/MCA, MTRR (their MSRs),
 * PSN, DS, ACPI, TM, PBE (MSRs or thermal), HTT (one thread per core).
 */
#define L1_EDX	(BIT(0) | BIT(1) | BIT(2) | BIT(3) | BIT(4) | BIT(5) | BIT(6) | \
		 BIT(8) | BIT(11) | BIT(13) | BIT(15) | BIT(16) | BIT(17) | \
		 BIT(19) | BIT(23) | BIT(24) | BIT(25) | BIT(26) | BIT(27))
/*
 * Leaf 7.0 EBX: FSGSBASE BMI1 HLE AVX2* FDP_EXCPTN SMEP BMI2 ERMS RTM
 * FPU_CSDS RDSEED ADX SMAP CLFLUSHOPT CLWB SHA. Not: TSC_ADJUST, SGX, INVPCID
 * (not enabled in the VMCS, would #UD), MPX, PT, RDT.
 */
#define L7_EBX	(BIT(0) | BIT(3) | BIT(4) | BIT(6) | BIT(7) | BIT(8) | BIT(9) | \
		 BIT(11) | BIT(13) | BIT(18) | BIT(19) | BIT(20) | BIT(23) | \
		 BIT(24) | BIT(29))
#define L7_EBX_AVX	BIT(5)
#define L7_EBX_AVX512	(BIT(16) | BIT(17) | BIT(21) | BIT(26) | BIT(27) | BIT(28) | \
			 BIT(30) | BIT(31))
/*
 * Leaf 7.0 ECX: PREFETCHWT1 UMIP GFNI CLDEMOTE MOVDIRI MOVDIR64B. Not: PKU,
 * OSPKE, WAITPKG, CET, LA57, RDPID (needs TSC_AUX), KL, ENQCMD, SGX_LC, PKS.
 */
#define L7_ECX	(BIT(0) | BIT(2) | BIT(8) | BIT(25) | BIT(27) | BIT(28))
#define L7_ECX_AVX	(BIT(9) | BIT(10))			/* VAES VPCLMULQDQ */
#define L7_ECX_AVX512	(BIT(1) | BIT(6) | BIT(11) | BIT(12) | BIT(14))
/*
 * Leaf 7.0 EDX: FSRM MD_CLEAR RTM_ALWAYS_ABORT SERIALIZE TSXLDTRK. Not:
 * SPEC_CTRL/IBRS, STIBP, L1D_FLUSH, ARCH_CAPABILITIES, CORE_CAPABILITIES,
 * SSBD (all MSRs the guest cannot use), CET_IBT, AMX, HYBRID, PCONFIG.
 */
#define L7_EDX	(BIT(4) | BIT(10) | BIT(11) | BIT(14) | BIT(16))
#define L7_EDX_AVX512	(BIT(2) | BIT(3) | BIT(8) | BIT(23))
/* Leaf 0xd.1 EAX: XSAVEOPT XSAVEC XGETBV1. Not XSAVES (not enabled), XFD. */
#define LD1_EAX	(BIT(0) | BIT(1) | BIT(2))
/* Leaf 0x80000001 ECX: LAHF LZCNT PREFETCHW; EDX: SYSCALL NX PDPE1GB LM. */
#define LX1_ECX	(BIT(0) | BIT(5) | BIT(8))
#define LX1_EDX	(BIT(11) | BIT(20) | BIT(26) | BIT(29))

static u64 mv_key(const struct mv_cpuid_entry *e)
{
	u32 idx = e->flags & MV_CPUID_FLAG_SIGNIFICANT_INDEX ? e->index : 0;

	return (u64)e->function << 32 | idx;
}

static int mv_entry_cmp(const void *a, const void *b)
{
	u64 ka = mv_key(a), kb = mv_key(b);

	return ka < kb ? -1 : ka > kb;
}

/*
 * Entries without SIGNIFICANT_INDEX match any index. The common leaves are
 * found through first[], the others by binary search.
 */
static const struct mv_cpuid_entry *mv_cpuid_find(const struct mv_cpuid_table *t,
						  u32 fn, u32 idx)
{
	unsigned int lo = 0, hi = t->nent, f = fn & 0x7fffffff;
	const struct mv_cpuid_entry *e;
	int i;

	if (f < MV_FAST_LEAVES) {		/* 0..31 or 0x80000000..0x8000001f */
		i = t->first[fn >> 31][f];
		if (i < 0)
			return NULL;
		for (e = &t->e[i]; e < &t->e[t->nent] && e->function == fn; e++)
			if (!(e->flags & MV_CPUID_FLAG_SIGNIFICANT_INDEX) || e->index == idx)
				return e;
		return NULL;
	}

	while (lo < hi) {
		unsigned int mid = lo + (hi - lo) / 2;
		const struct mv_cpuid_entry *e = &t->e[mid];
		u64 key = (u64)fn << 32 |
			  (e->function == fn && (e->flags & MV_CPUID_FLAG_SIGNIFICANT_INDEX) ?
			   idx : 0);
		u64 ek = mv_key(e);

		if (ek == key)
			return e;
		if (ek < key)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

/* Size of an XSAVE image holding the components of xcr0 (SDM Vol. 1 13.4). */
static u32 mv_xsave_size(const struct mv_cpuid_table *t, u64 xcr0, bool compacted)
{
	u32 size = 512 + 64, end;	/* legacy region + XSAVE header */
	unsigned int i;

	for (i = 2; i < MV_XCOMP_MAX; i++) {
		if (!(xcr0 & BIT_ULL(i)) || !t->xsize[i])
			continue;
		if (compacted) {
			if (t->xalign & BIT(i))
				size = ALIGN(size, 64);
			size += t->xsize[i];
		} else {
			end = t->xoff[i] + t->xsize[i];
			size = max(size, end);
		}
	}
	return size;
}

void mv_cpuid(struct mv_vcpu *vcpu, u32 leaf, u32 subleaf, bool osxsave, u32 *r)
{
	const struct mv_cpuid_table *t = vcpu->cpuid;
	const struct mv_cpuid_entry *e = NULL;
	unsigned int class = leaf >> 30;

	/*
	 * A leaf above the highest one of its class returns the highest basic
	 * leaf, as Intel CPUs do (SDM Vol. 2A, CPUID, "If a value entered for
	 * CPUID.EAX is higher than the maximum input value ..."); a class the
	 * table does not describe returns zeros.
	 */
	if (t->has_max & BIT(class)) {
		if (leaf > t->max[class] && (t->has_max & BIT(0)))
			leaf = t->max[0];
		e = mv_cpuid_find(t, leaf, subleaf);
	}
	if (!e) {
		r[EAX] = r[EBX] = r[ECX] = r[EDX] = 0;
		return;
	}
	r[EAX] = e->eax;
	r[EBX] = e->ebx;
	r[ECX] = e->ecx;
	r[EDX] = e->edx;

	/* Fields the hardware computes from the current state. */
	if (leaf == 1 && (r[ECX] & L1_ECX_XSAVE)) {
		r[ECX] &= ~L1_ECX_OSXSAVE;
		if (osxsave)
			r[ECX] |= L1_ECX_OSXSAVE;
	} else if (leaf == 0xd && subleaf < 2) {
		/* EBX: bytes XSAVE (0) or XSAVEC (1) needs for the guest's XCR0. */
		r[EBX] = mv_xsave_size(t, vcpu->xcr0, subleaf == 1);
	}
}

/*
 * XSETBV rules, SDM Vol. 2D XSETBV and Vol. 1 13.3: only XCR0 exists; x87
 * state cannot be disabled; AVX needs SSE; the three AVX-512 components go
 * together and need AVX; nothing beyond what the guest's CPUID announces
 * (leaf 0xd.0) and minivisor switches. CPL and CR4.OSXSAVE are the caller's.
 */
int mv_xcr0_check(struct mv_vcpu *vcpu, u32 index, u64 val)
{
	if (index != 0 || !(val & XCR0_FP) || (val & ~vcpu->cpuid->xcr0_allowed))
		return X86_TRAP_GP;
	if ((val & XCR0_YMM) && !(val & XCR0_SSE))
		return X86_TRAP_GP;
	if ((val & XCR0_AVX512) &&
	    ((val & XCR0_AVX512) != XCR0_AVX512 || !(val & XCR0_YMM)))
		return X86_TRAP_GP;
	return 0;
}

/* The host XCR0 bits minivisor can give a guest. */
static u64 mv_xcr0_supported(void)
{
	u64 x;

	if (!boot_cpu_has(X86_FEATURE_XSAVE))
		return 0;
	x = xgetbv(XCR_XFEATURE_ENABLED_MASK) & XCR0_MV_SUPPORTED;
	if ((x & (XCR0_FP | XCR0_SSE)) != (XCR0_FP | XCR0_SSE))
		return 0;
	if (!(x & XCR0_YMM) || (x & XCR0_AVX512) != XCR0_AVX512)
		x &= ~XCR0_AVX512;
	return x;
}

/* Indexes, caches the class maxima, the XSETBV mask and the XSAVE layout. */
static void mv_cpuid_finish(struct mv_cpuid_table *t)
{
	const struct mv_cpuid_entry *e;
	unsigned int i, class;
	u32 a, b, c, d;

	memset(t->first, 0xff, sizeof(t->first));
	for (i = t->nent; i-- > 0;) {
		u32 fn = t->e[i].function, f = fn & 0x7fffffff;

		if (f < MV_FAST_LEAVES)
			t->first[fn >> 31][f] = i;
	}
	t->has_max = 0;
	for (class = 0; class < 4; class++) {
		e = mv_cpuid_find(t, class << 30, 0);
		if (e) {
			t->max[class] = max(e->eax, class << 30);
			t->has_max |= BIT(class);
		}
	}
	e = mv_cpuid_find(t, 0xd, 0);
	t->xcr0_allowed = mv_xcr0_supported();
	if (e)
		t->xcr0_allowed &= (u64)e->edx << 32 | e->eax;
	else
		t->xcr0_allowed = 0;
	t->xcr0_allowed |= XCR0_FP;

	/* The host's layout, for leaf 0xd EBX; read here, never at an exit. */
	t->xalign = 0;
	for (i = 2; i < MV_XCOMP_MAX; i++) {
		t->xoff[i] = t->xsize[i] = 0;
		if (!(t->xcr0_allowed & BIT_ULL(i)))
			continue;
		cpuid_count(0xd, i, &a, &b, &c, &d);
		t->xsize[i] = a;
		t->xoff[i] = b;
		if (c & BIT(1))
			t->xalign |= BIT(i);
	}
}

static struct mv_cpuid_table *mv_cpuid_alloc(unsigned int nent)
{
	/* nent <= MV_CPUID_MAX_ENTRIES: no overflow. */
	return kzalloc(sizeof(struct mv_cpuid_table) + nent * sizeof(struct mv_cpuid_entry),
		       GFP_KERNEL_ACCOUNT);
}

struct mv_cpuid_builder {
	struct mv_cpuid_table *t;
	unsigned int cap;
};

static void mv_add(struct mv_cpuid_builder *b, u32 fn, u32 idx, bool sig,
		   u32 a, u32 bx, u32 c, u32 d)
{
	struct mv_cpuid_entry *e;

	if (WARN_ON_ONCE(b->t->nent >= b->cap))
		return;
	e = &b->t->e[b->t->nent++];
	e->function = fn;
	e->index = sig ? idx : 0;
	e->flags = sig ? MV_CPUID_FLAG_SIGNIFICANT_INDEX : 0;
	e->eax = a;
	e->ebx = bx;
	e->ecx = c;
	e->edx = d;
}

/* The host leaf, reduced to what the kernel itself enables in that word. */
#define host_word(w)	(boot_cpu_data.x86_capability[w])

/*
 * The default table: the host's identification and caches, and only the
 * features minivisor delivers to a guest (allow-lists above).
 */
static struct mv_cpuid_table *mv_cpuid_default(struct mv_vcpu *vcpu)
{
	struct mv_cpuid_builder b = { .cap = 64 };
	u32 a, bx, c, d, max_basic, max_ext, i;
	bool tsc_leaves;
	u64 xcr0 = mv_xcr0_supported();
	bool avx = xcr0 & XCR0_YMM, avx512 = xcr0 & XCR0_AVX512;
	unsigned int phys;

	b.t = mv_cpuid_alloc(b.cap);
	if (!b.t)
		return NULL;

	cpuid(0, &max_basic, &bx, &c, &d);
	max_basic = min_t(u32, max_basic, MV_MAX_BASIC);
	/* Leaves 0x15/0x16 announce the TSC frequency (below); ECX is 32 bits of Hz. */
	tsc_leaves = mv_tsc_khz && (u64)mv_tsc_khz * 1000 <= U32_MAX;
	mv_add(&b, 0, 0, false, tsc_leaves ? 0x16 : max_basic, bx, c, d);

	cpuid(1, &a, &bx, &c, &d);
	/* EBX: brand index and CLFLUSH size stay; no HTT count; APIC ID = vCPU id. */
	bx = (bx & 0xffff) | (vcpu->id << 24);
	c &= host_word(CPUID_1_ECX) & (L1_ECX | (xcr0 ? L1_ECX_XSAVE : 0) |
				       (avx ? L1_ECX_AVX : 0));
	c |= L1_ECX_HYPERVISOR;
	d &= host_word(CPUID_1_EDX) & L1_EDX;
	/* The in-kernel local APIC: xAPIC, x2APIC and the TSC-deadline timer. */
	if (vcpu->vm->lapic) {
		d |= L1_EDX_APIC;
		c |= L1_ECX_X2APIC | L1_ECX_TSC_DEADLINE;
	}
	mv_add(&b, 1, 0, false, a, bx, c, d);

	if (max_basic >= 2) {
		cpuid(2, &a, &bx, &c, &d);
		mv_add(&b, 2, 0, false, a, bx, c, d);
	}
	if (max_basic >= 4) {
		/* Cache levels; one core and one thread share each (31:14 = 0). */
		for (i = 0; i < 8; i++) {
			cpuid_count(4, i, &a, &bx, &c, &d);
			mv_add(&b, 4, i, true, a & 0x3fff, bx, c, d);
			if (!(a & 0x1f))
				break;
		}
	}
	if (max_basic >= 7) {
		cpuid_count(7, 0, &a, &bx, &c, &d);
		bx &= host_word(CPUID_7_0_EBX) &
		      (L7_EBX | (avx ? L7_EBX_AVX : 0) | (avx512 ? L7_EBX_AVX512 : 0));
		c &= host_word(CPUID_7_ECX) &
		     (L7_ECX | (avx ? L7_ECX_AVX : 0) | (avx512 ? L7_ECX_AVX512 : 0));
		d &= L7_EDX | (avx512 ? L7_EDX_AVX512 : 0);
		/* EAX = 0: subleaf 0 is the only one. */
		mv_add(&b, 7, 0, true, 0, bx, c, d);
	}
	if (max_basic >= 0xd && xcr0) {
		/* EBX of subleaves 0 and 1 is computed at each CPUID. */
		mv_add(&b, 0xd, 0, true, (u32)xcr0, 0, 0, xcr0 >> 32);
		cpuid_count(0xd, 1, &a, &bx, &c, &d);
		mv_add(&b, 0xd, 1, true, a & host_word(CPUID_D_1_EAX) & LD1_EAX, 0, 0, 0);
		for (i = 2; i < MV_XCOMP_MAX; i++) {
			if (!(xcr0 & BIT_ULL(i)))
				continue;
			cpuid_count(0xd, i, &a, &bx, &c, &d);
			mv_add(&b, 0xd, i, true, a, bx, c & BIT(1), 0);
		}
	}

	/*
	 * The TSC frequency, so a guest need not calibrate (Linux takes it and
	 * the APIC timer period from leaf 0x15: SDM Vol. 2A CPUID leaf 15H, TSC
	 * = ECX * EBX / EAX). The "crystal" is the TSC itself, which is also
	 * the in-kernel APIC timer's clock (lapic.c). Leaf 0x16 in MHz.
	 */
	if (tsc_leaves) {
		mv_add(&b, 0x15, 0, false, 1, 1, mv_tsc_khz * 1000, 0);
		mv_add(&b, 0x16, 0, false, mv_tsc_khz / 1000, mv_tsc_khz / 1000,
		       mv_tsc_khz / 1000, 0);
	}

	/* The hypervisor leaves; 0x40000010: TSC and APIC-bus kHz (the VMware convention). */
	mv_add(&b, 0x40000000, 0, false, 0x40000010, MV_SIG_EBX, MV_SIG_ECX, MV_SIG_EDX);
	mv_add(&b, 0x40000010, 0, false, mv_tsc_khz, mv_tsc_khz, 0, 0);

	cpuid(0x80000000, &max_ext, &bx, &c, &d);
	if (max_ext >= 0x80000001) {
		max_ext = min_t(u32, max_ext, MV_MAX_EXT);
		mv_add(&b, 0x80000000, 0, false, max_ext, 0, 0, 0);
		cpuid(0x80000001, &a, &bx, &c, &d);
		mv_add(&b, 0x80000001, 0, false, 0, 0,
		       c & host_word(CPUID_8000_0001_ECX) & LX1_ECX,
		       d & host_word(CPUID_8000_0001_EDX) & LX1_EDX);
		for (i = 0x80000002; i <= min_t(u32, max_ext, 0x80000004); i++) {
			cpuid(i, &a, &bx, &c, &d);	/* brand string */
			mv_add(&b, i, 0, false, a, bx, c, d);
		}
		if (max_ext >= 0x80000006) {
			cpuid(0x80000006, &a, &bx, &c, &d);	/* L2 cache */
			mv_add(&b, 0x80000006, 0, false, 0, 0, c, 0);
		}
		if (max_ext >= 0x80000008) {
			/*
			 * Physical-address width is what the EPT maps
			 * (MV_CAP_GUEST_PHYS_BITS); linear width 48: no LA57.
			 */
			phys = mv_ops->cap(MV_CAP_GUEST_PHYS_BITS);
			mv_add(&b, 0x80000008, 0, false, phys | 48 << 8, 0, 0, 0);
		}
	}
	return b.t;
}

int mv_cpuid_vcpu_init(struct mv_vcpu *vcpu)
{
	struct mv_cpuid_table *t = mv_cpuid_default(vcpu);

	if (!t)
		return -ENOMEM;
	sort(t->e, t->nent, sizeof(t->e[0]), mv_entry_cmp, NULL);
	mv_cpuid_finish(t);
	vcpu->cpuid = t;
	return 0;
}

void mv_cpuid_vcpu_free(struct mv_vcpu *vcpu)
{
	kfree(vcpu->cpuid);
	vcpu->cpuid = NULL;
}

static int mv_set_cpuid(struct mv_vcpu *vcpu, struct mv_cpuid __user *argp)
{
	struct mv_cpuid_table *t;
	struct mv_cpuid hdr;
	unsigned int i;

	if (copy_from_user(&hdr, argp, sizeof(hdr)))
		return -EFAULT;
	if (hdr.padding)
		return -EINVAL;
	if (hdr.nent > MV_CPUID_MAX_ENTRIES)
		return -E2BIG;
	t = mv_cpuid_alloc(hdr.nent);
	if (!t)
		return -ENOMEM;
	if (copy_from_user(t->e, argp->entries, hdr.nent * sizeof(t->e[0]))) {
		kfree(t);
		return -EFAULT;
	}
	t->nent = hdr.nent;
	for (i = 0; i < t->nent; i++) {
		const struct mv_cpuid_entry *e = &t->e[i];

		if ((e->flags & ~MV_CPUID_VALID_FLAGS) || e->padding[0] ||
		    e->padding[1] || e->padding[2] ||
		    (!(e->flags & MV_CPUID_FLAG_SIGNIFICANT_INDEX) && e->index))
			goto einval;
	}
	sort(t->e, t->nent, sizeof(t->e[0]), mv_entry_cmp, NULL);
	for (i = 1; i < t->nent; i++) {
		const struct mv_cpuid_entry *p = &t->e[i - 1], *e = &t->e[i];

		/* One entry per leaf/subleaf; a leaf is indexed or not, not both. */
		if (p->function == e->function &&
		    (mv_key(p) == mv_key(e) || p->flags != e->flags))
			goto einval;
	}
	mv_cpuid_finish(t);
	/* The guest may already run with XCR0 bits the new table removes. */
	if (vcpu->xcr0 & ~t->xcr0_allowed) {
		kfree(t);
		return -EBUSY;
	}
	/* vcpu->mutex is held: no MV_RUN reads the old table now. */
	kfree(vcpu->cpuid);
	vcpu->cpuid = t;
	return 0;

einval:
	kfree(t);
	return -EINVAL;
}

static int mv_get_cpuid(struct mv_vcpu *vcpu, struct mv_cpuid __user *argp)
{
	const struct mv_cpuid_table *t = vcpu->cpuid;
	struct mv_cpuid hdr;
	int r = 0;

	if (copy_from_user(&hdr, argp, sizeof(hdr)))
		return -EFAULT;
	if (hdr.padding)
		return -EINVAL;
	if (hdr.nent < t->nent)
		r = -E2BIG;
	else if (copy_to_user(argp->entries, t->e, t->nent * sizeof(t->e[0])))
		return -EFAULT;
	/* nent says how many there are, also when the buffer was too small. */
	if (put_user(t->nent, &argp->nent))
		return -EFAULT;
	return r;
}

/* Called with vcpu->mutex held. */
long mv_cpuid_ioctl(struct mv_vcpu *vcpu, unsigned int ioctl, void __user *argp)
{
	switch (ioctl) {
	case MV_SET_CPUID:
		return mv_set_cpuid(vcpu, argp);
	case MV_GET_CPUID:
		return mv_get_cpuid(vcpu, argp);
	default:
		return -ENOTTY;
	}
}
