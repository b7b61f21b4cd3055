// SPDX-License-Identifier: GPL-2.0
/*
 * libminivisor: ready-made architectural states, flat real mode and 64-bit
 * long mode with identity paging.
 */
#include <errno.h>
#include <string.h>

#include "libminivisor.h"
#include "mv_x86.h"

static void real_mode_seg(struct mv_segment *seg, uint16_t selector, uint8_t type)
{
	memset(seg, 0, sizeof(*seg));
	seg->base = (uint64_t)selector << 4;
	seg->limit = 0xffff;
	seg->selector = selector;
	seg->type = type;
	seg->present = 1;
	seg->s = 1;
}

/*
 * Flat real mode: CS = cs_selector (base = selector << 4), every data
 * segment selector 0 / base 0, all with 64 KiB limits. TR and LDTR must be
 * usable-looking system segments for VM entry even though real mode never
 * uses them.
 *
 * CR0 is 0x10 (only ET), not the reset value 0x60000010: with CD set, a real
 * CPU under EPT would run the guest with caching disabled, which is slow for
 * no benefit; a guest that wants the reset value can set it itself.
 */
void mv_sregs_real_mode(struct mv_sregs *s, uint16_t cs_selector)
{
	memset(s, 0, sizeof(*s));
	real_mode_seg(&s->cs, cs_selector, MV_SEG_TYPE_CODE_RX_ACCESSED);
	real_mode_seg(&s->ds, 0, MV_SEG_TYPE_DATA_RW_ACCESSED);
	real_mode_seg(&s->es, 0, MV_SEG_TYPE_DATA_RW_ACCESSED);
	real_mode_seg(&s->fs, 0, MV_SEG_TYPE_DATA_RW_ACCESSED);
	real_mode_seg(&s->gs, 0, MV_SEG_TYPE_DATA_RW_ACCESSED);
	real_mode_seg(&s->ss, 0, MV_SEG_TYPE_DATA_RW_ACCESSED);

	s->tr.limit = 0xffff;
	s->tr.type = MV_SEG_TYPE_TSS_BUSY;
	s->tr.present = 1;

	s->ldt.limit = 0xffff;
	s->ldt.type = MV_SEG_TYPE_LDT;
	s->ldt.present = 1;

	s->gdt.limit = 0xffff;
	s->idt.limit = 0xffff;

	s->cr0 = MV_CR0_ET;
	s->efer = 0;
}

/* Legacy 8-byte code/data descriptor (SDM Vol. 3A 3.4.5). */
static uint64_t gdt_entry(uint32_t base, uint32_t limit, uint8_t type, unsigned int s,
			  unsigned int l, unsigned int db, unsigned int g)
{
	uint64_t d = 0;

	d |= (uint64_t)(limit & 0xffff);
	d |= (uint64_t)(base & 0xffffff) << 16;
	d |= (uint64_t)(type & 0xf) << 40;
	d |= (uint64_t)(s & 1) << 44;
	d |= (uint64_t)1 << 47;				/* present, DPL 0 */
	d |= (uint64_t)((limit >> 16) & 0xf) << 48;
	d |= (uint64_t)(l & 1) << 53;
	d |= (uint64_t)(db & 1) << 54;
	d |= (uint64_t)(g & 1) << 55;
	d |= (uint64_t)((base >> 24) & 0xff) << 56;
	return d;
}

static void put64(uint8_t *p, uint64_t v)
{
	/* x86 guests are little endian, and so is every host we build for. */
	memcpy(p, &v, sizeof(v));
}

static void flat_seg(struct mv_segment *seg, uint16_t selector, uint8_t type,
		     unsigned int l, unsigned int db)
{
	memset(seg, 0, sizeof(*seg));
	seg->base = 0;
	seg->limit = 0xffffffff;
	seg->selector = selector;
	seg->type = type;
	seg->present = 1;
	seg->s = 1;
	seg->l = l;
	seg->db = db;
	seg->g = 1;
}

uint64_t mv_long_mode_pt_size(uint64_t map_size)
{
	uint64_t pds = (map_size + MV_GIB - 1) / MV_GIB;

	return (2 + pds) * MV_PAGE_SIZE;
}

/* [a, a+alen) and [b, b+blen) intersect; neither range wraps (checked). */
static int ranges_overlap(uint64_t a, uint64_t alen, uint64_t b, uint64_t blen)
{
	return a < b + blen && b < a + alen;
}

/*
 * Guest memory layout written here:
 *   pt_gpa + 0x0000   PML4 (entry 0 -> PDPT)
 *   pt_gpa + 0x1000   PDPT (entry i -> PD i)
 *   pt_gpa + 0x2000.. one PD per GiB of map_size, 2 MiB pages, P|RW|PS
 *   gdt_gpa           GDT: null, 0x08 64-bit code, 0x10 data, 0x18 TSS (16 bytes)
 *   gdt_gpa + 0x80    the 104-byte TSS TR points at
 * Entries past map_size (rounded up to 2 MiB) are not present.
 */
int mv_setup_long_mode(struct mv_vm *vm, struct mv_sregs *s, uint64_t pt_gpa,
		       uint64_t gdt_gpa, uint64_t map_size)
{
	uint64_t pt_size, npd, npages, i;
	uint64_t tss_gpa = gdt_gpa + MV_LM_TSS_OFFSET;
	uint8_t *pml4, *pdpt, *pd, *gdt;

	if (!vm || !vm->mem || !s)
		return -EINVAL;
	if (map_size == 0 || map_size > MV_LM_MAX_MAP_SIZE)
		return -EINVAL;
	if (pt_gpa % MV_PAGE_SIZE || gdt_gpa % 8)
		return -EINVAL;

	pt_size = mv_long_mode_pt_size(map_size);
	if (pt_gpa > vm->mem_size || pt_size > vm->mem_size - pt_gpa)
		return -EINVAL;
	if (gdt_gpa > vm->mem_size || MV_LM_GDT_AREA > vm->mem_size - gdt_gpa)
		return -EINVAL;
	if (ranges_overlap(pt_gpa, pt_size, gdt_gpa, MV_LM_GDT_AREA))
		return -EINVAL;
	/* The GDT base and TSS base go into 32-bit descriptor fields. */
	if (tss_gpa > 0xffffffffull)
		return -EINVAL;

	memset(vm->mem + pt_gpa, 0, pt_size);
	pml4 = vm->mem + pt_gpa;
	pdpt = pml4 + MV_PAGE_SIZE;
	pd = pdpt + MV_PAGE_SIZE;

	npd = (map_size + MV_GIB - 1) / MV_GIB;
	npages = (map_size + MV_2MIB - 1) / MV_2MIB;

	put64(pml4, (pt_gpa + MV_PAGE_SIZE) | MV_PTE_P | MV_PTE_RW);
	for (i = 0; i < npd; i++)
		put64(pdpt + 8 * i, (pt_gpa + (2 + i) * MV_PAGE_SIZE) | MV_PTE_P | MV_PTE_RW);
	/* The PDs are contiguous, so entry i of the lot maps 2 MiB page i. */
	for (i = 0; i < npages; i++)
		put64(pd + 8 * i, (i * MV_2MIB) | MV_PTE_P | MV_PTE_RW | MV_PTE_PS);

	gdt = vm->mem + gdt_gpa;
	memset(gdt, 0, MV_LM_GDT_AREA);
	put64(gdt + MV_LM_SEL_CODE, gdt_entry(0, 0xfffff, MV_SEG_TYPE_CODE_RX_ACCESSED,
					      1, 1, 0, 1));
	put64(gdt + MV_LM_SEL_DATA, gdt_entry(0, 0xfffff, MV_SEG_TYPE_DATA_RW_ACCESSED,
					      1, 0, 1, 1));
	/* 64-bit TSS descriptor: 16 bytes, base[63:32] in the second quadword. */
	put64(gdt + MV_LM_SEL_TSS, gdt_entry((uint32_t)tss_gpa, MV_LM_TSS_LIMIT,
					     MV_SEG_TYPE_TSS_BUSY, 0, 0, 0, 0));
	put64(gdt + MV_LM_SEL_TSS + 8, tss_gpa >> 32);
	/* No I/O permission bitmap: its offset points past the TSS limit. */
	gdt[MV_LM_TSS_OFFSET + 0x66] = MV_LM_TSS_LIMIT + 1;

	memset(s, 0, sizeof(*s));
	flat_seg(&s->cs, MV_LM_SEL_CODE, MV_SEG_TYPE_CODE_RX_ACCESSED, 1, 0);
	flat_seg(&s->ds, MV_LM_SEL_DATA, MV_SEG_TYPE_DATA_RW_ACCESSED, 0, 1);
	flat_seg(&s->es, MV_LM_SEL_DATA, MV_SEG_TYPE_DATA_RW_ACCESSED, 0, 1);
	flat_seg(&s->fs, MV_LM_SEL_DATA, MV_SEG_TYPE_DATA_RW_ACCESSED, 0, 1);
	flat_seg(&s->gs, MV_LM_SEL_DATA, MV_SEG_TYPE_DATA_RW_ACCESSED, 0, 1);
	flat_seg(&s->ss, MV_LM_SEL_DATA, MV_SEG_TYPE_DATA_RW_ACCESSED, 0, 1);

	s->tr.base = tss_gpa;
	s->tr.limit = MV_LM_TSS_LIMIT;
	s->tr.selector = MV_LM_SEL_TSS;
	s->tr.type = MV_SEG_TYPE_TSS_BUSY;
	s->tr.present = 1;

	s->ldt.unusable = 1;

	s->gdt.base = gdt_gpa;
	s->gdt.limit = MV_LM_GDT_LIMIT;
	s->idt.base = 0;
	s->idt.limit = 0;

	/* 0x80050033, the value Linux runs with; AM is inert at CPL 0. */
	s->cr0 = MV_CR0_PE | MV_CR0_MP | MV_CR0_ET | MV_CR0_NE | MV_CR0_WP | MV_CR0_AM |
		 MV_CR0_PG;
	s->cr3 = pt_gpa;
	s->cr4 = MV_CR4_PAE | MV_CR4_OSFXSR | MV_CR4_OSXMMEXCPT;
	s->efer = MV_EFER_LME | MV_EFER_LMA;
	return 0;
}
