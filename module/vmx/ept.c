// SPDX-License-Identifier: GPL-2.0
/*
 * EPT: 4-level second-level page tables built from the memory slots, with
 * 4 KiB leaves (SDM Vol. 3C 29.3.2, tables 29-1 to 29-6).
 *
 * Only MV_SET_MEMORY_REGION and VM teardown change the tables, under
 * vm->lock; the CPU may walk them concurrently, so entries are written with
 * single 64-bit stores. After removing mappings, guest-physical translations
 * cached on any CPU are invalidated with INVEPT on every CPU (29.4.3.1): the
 * IPI also forces running vCPUs out of the guest first.
 */
#include <linux/gfp.h>
#include <linux/io.h>
#include <linux/mm.h>
#include <linux/slab.h>
#include <linux/smp.h>
#include "vmx.h"

#define EPT_LEVELS	4
#define EPT_ENTRIES	512
#define EPT_ADDR_MASK	0x000ffffffffff000ULL
#define EPT_TABLE_BITS	(VMX_EPT_READABLE_MASK | VMX_EPT_WRITABLE_MASK | \
			 VMX_EPT_EXECUTABLE_MASK)
/* Guest RAM is write-back and ignores guest PAT (no non-coherent DMA). */
#define EPT_LEAF_BITS	(VMX_EPT_READABLE_MASK | VMX_EPT_EXECUTABLE_MASK | \
			 (VMX_EPTP_MT_WB << VMX_EPT_MT_EPTE_SHIFT) | VMX_EPT_IPAT_BIT)

static unsigned int ept_index(u64 gpa, int level)
{
	return (gpa >> (12 + 9 * (level - 1))) & (EPT_ENTRIES - 1);
}

/* Returns the leaf entry for gpa, allocating tables if 'alloc'. */
static u64 *ept_leaf(struct vmx_vm *ev, u64 gpa, bool alloc)
{
	u64 *table = ev->pml4;
	int level;

	for (level = EPT_LEVELS; level > 1; level--) {
		u64 *e = &table[ept_index(gpa, level)];

		if (!(*e & EPT_TABLE_BITS)) {
			void *next;

			if (!alloc)
				return NULL;
			next = (void *)get_zeroed_page(GFP_KERNEL_ACCOUNT);
			if (!next)
				return NULL;
			WRITE_ONCE(*e, virt_to_phys(next) | EPT_TABLE_BITS);
		}
		table = phys_to_virt(*e & EPT_ADDR_MASK);
	}
	return &table[ept_index(gpa, 1)];
}

int vmx_ept_map(struct mv_vm *vm, u64 gpa, struct page **pages, u64 npages,
		bool writable)
{
	struct vmx_vm *ev = to_vmx_vm(vm);
	u64 bits = EPT_LEAF_BITS | (writable ? VMX_EPT_WRITABLE_MASK : 0);
	u64 i, *e;

	for (i = 0; i < npages; i++) {
		e = ept_leaf(ev, gpa + (i << PAGE_SHIFT), true);
		if (!e)
			return -ENOMEM;
		WRITE_ONCE(*e, page_to_phys(pages[i]) | bits);
		if (!(i & 0xfff))
			cond_resched();
	}
	return 0;
}

static void ept_flush_ipi(void *arg)
{
	u64 eptp = *(u64 *)arg;

	if (!vmx_cpu_is_on())
		return;		/* VMXON will flush everything anyway */
	if (vmx_cfg.ept_vpid_cap & VMX_EPT_EXTENT_CONTEXT_BIT)
		vmx_invept(VMX_EPT_EXTENT_CONTEXT, eptp);
	else
		vmx_invept(VMX_EPT_EXTENT_GLOBAL, 0);
}

/* Invalidates translations derived from eptp on every CPU. */
void vmx_flush_ept(u64 eptp)
{
	on_each_cpu(ept_flush_ipi, &eptp, 1);
}

void vmx_ept_unmap(struct mv_vm *vm, u64 gpa, u64 npages)
{
	struct vmx_vm *ev = to_vmx_vm(vm);
	u64 i, *e;

	for (i = 0; i < npages; i++) {
		e = ept_leaf(ev, gpa + (i << PAGE_SHIFT), false);
		if (e)
			WRITE_ONCE(*e, 0);
		if (!(i & 0xfff))
			cond_resched();
	}
	vmx_flush_ept(ev->eptp);
}

int vmx_ept_vm_init(struct mv_vm *vm)
{
	struct vmx_vm *ev;

	ev = kzalloc(sizeof(*ev), GFP_KERNEL_ACCOUNT);
	if (!ev)
		return -ENOMEM;
	ev->pml4 = (u64 *)get_zeroed_page(GFP_KERNEL_ACCOUNT);
	if (!ev->pml4) {
		kfree(ev);
		return -ENOMEM;
	}
	/* EPTP: WB paging structures, 4-level walk (SDM Vol. 3C 25.6.11). */
	ev->eptp = virt_to_phys(ev->pml4) | VMX_EPTP_MT_WB | VMX_EPTP_PWL_4;
	vm->arch = ev;
	return 0;
}

static void ept_free_table(u64 *table, int level)
{
	int i;

	if (level > 1) {
		for (i = 0; i < EPT_ENTRIES; i++)
			if (table[i] & EPT_TABLE_BITS)
				ept_free_table(phys_to_virt(table[i] & EPT_ADDR_MASK),
					       level - 1);
	}
	free_page((unsigned long)table);
}

void vmx_ept_vm_destroy(struct mv_vm *vm)
{
	struct vmx_vm *ev = to_vmx_vm(vm);

	if (!ev)
		return;
	/* No CPU may keep translations tagged with this EPTP once it is reused. */
	vmx_flush_ept(ev->eptp);
	ept_free_table(ev->pml4, EPT_LEVELS);
	kfree(ev);
	vm->arch = NULL;
}

/* Drops cached linear and combined translations of a VPID on this CPU. */
void vmx_flush_vpid(u16 vpid)
{
	if (!vpid)
		return;
	if (vmx_cfg.ept_vpid_cap & VPID_CAP_SINGLE)
		vmx_invvpid(VMX_VPID_EXTENT_SINGLE_CONTEXT, vpid);
	else
		vmx_invvpid(VMX_VPID_EXTENT_ALL_CONTEXT, 0);
}

void vmx_flush_vpid_ipi(void *vpid)
{
	if (vmx_cpu_is_on())
		vmx_flush_vpid(*(u16 *)vpid);
}
