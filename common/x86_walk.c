// SPDX-License-Identifier: GPL-2.0
/*
 * Guest page walk, SDM Vol. 3A chapter 4: 32-bit paging (4.3), PAE paging
 * (4.4) and 4/5-level paging (4.5).
 */
#include "x86_walk.h"

#define PTE_P		(1ULL << 0)
#define PTE_PS		(1ULL << 7)
#define PTE_ADDR_MASK	0x000ffffffffff000ULL

static int read_entry(x86_read_phys_fn read_phys, void *ctx, u64 gpa,
		      unsigned int size, u64 *entry)
{
	u32 e32;
	int r;

	if (size == 4) {
		r = read_phys(ctx, gpa, &e32, 4);
		*entry = e32;
	} else {
		r = read_phys(ctx, gpa, entry, 8);
	}
	if (r)
		return -EFAULT;
	return (*entry & PTE_P) ? 0 : -EFAULT;
}

static int walk_32bit(const struct x86_paging *p, u64 la, u64 *gpa,
		      x86_read_phys_fn read_phys, void *ctx)
{
	u64 pde, pte;
	int r;

	la &= 0xffffffffULL;
	r = read_entry(read_phys, ctx, (p->cr3 & 0xfffff000ULL) + ((la >> 22) << 2),
		       4, &pde);
	if (r)
		return r;
	if ((pde & PTE_PS) && (p->cr4 & MV_CR4_PSE)) {
		/* 4 MiB page; bits 20:13 hold physical-address bits 39:32. */
		*gpa = (pde & 0xffc00000ULL) | ((pde & 0x1fe000ULL) << 19) |
		       (la & 0x3fffffULL);
		return 0;
	}
	r = read_entry(read_phys, ctx, (pde & 0xfffff000ULL) + (((la >> 12) & 0x3ff) << 2),
		       4, &pte);
	if (r)
		return r;
	*gpa = (pte & 0xfffff000ULL) | (la & 0xfff);
	return 0;
}

/* Walks 'levels' levels of 9-bit tables starting at 'table'. */
static int walk_64bit(u64 table, int levels, u64 la, u64 *gpa,
		      x86_read_phys_fn read_phys, void *ctx)
{
	int level, r;
	u64 e;

	for (level = levels; level >= 1; level--) {
		unsigned int shift = 12 + 9 * (level - 1);

		r = read_entry(read_phys, ctx,
			       (table & PTE_ADDR_MASK) + (((la >> shift) & 0x1ff) << 3),
			       8, &e);
		if (r)
			return r;
		/* Large pages exist at the 1 GiB and 2 MiB levels only. */
		if (level <= 3 && level >= 2 && (e & PTE_PS)) {
			u64 mask = (1ULL << shift) - 1;

			*gpa = (e & PTE_ADDR_MASK & ~mask) | (la & mask);
			return 0;
		}
		table = e;
	}
	*gpa = (table & PTE_ADDR_MASK) | (la & 0xfff);
	return 0;
}

int x86_linear_to_phys(const struct x86_paging *p, u64 la, u64 *gpa,
		       x86_read_phys_fn read_phys, void *ctx)
{
	u64 pdpte;
	int r;

	if (!(p->cr0 & MV_CR0_PG)) {
		*gpa = (p->efer & MV_EFER_LMA) ? la : (la & 0xffffffffULL);
		return 0;
	}
	if (!(p->cr4 & MV_CR4_PAE))
		return walk_32bit(p, la, gpa, read_phys, ctx);
	if (p->efer & MV_EFER_LMA)
		return walk_64bit(p->cr3, (p->cr4 & MV_CR4_LA57) ? 5 : 4,
				  la, gpa, read_phys, ctx);

	/* PAE: four PDPTEs at CR3[31:5]. */
	la &= 0xffffffffULL;
	r = read_entry(read_phys, ctx, (p->cr3 & 0xffffffe0ULL) + ((la >> 30) << 3),
		       8, &pdpte);
	if (r)
		return r;
	return walk_64bit(pdpte, 2, la, gpa, read_phys, ctx);
}
