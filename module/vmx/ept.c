// SPDX-License-Identifier: GPL-2.0
/*
 * EPT: 4-level second-level page tables (SDM Vol. 3C 29.3.2, tables 29-1
 * to 29-6) with 4 KiB and 2 MiB leaves.
 *
 * Core (mmu.c) owns the policy: it faults guest RAM in one page at a time
 * and calls these functions with vm->mmu_lock held, so nothing here sleeps;
 * a table page that is missing is taken from *spare, which the caller
 * allocates outside the lock. The CPU walks the tables concurrently, so
 * entries change with single 64-bit stores.
 *
 * Whoever removes or changes a present entry must INVEPT on every CPU
 * (vmx_ept_flush) before the memory it pointed to is reused: the TLBs and
 * the paging-structure caches of any CPU may hold guest-physical and
 * combined translations derived from it (29.4.3.1). A table page that is
 * unhooked is therefore handed back on a list and freed by the caller only
 * after the flush. Only adding an entry or adding rights to a leaf needs no
 * flush: an EPT violation invalidates the translations of the faulting
 * guest-physical address on that CPU (29.4.3.1, "operations that
 * invalidate cached mappings"), and no other CPU can hold one for an
 * entry that was not present.
 */
#include <linux/gfp.h>
#include <linux/io.h>
#include <linux/list.h>
#include <linux/mm.h>
#include <linux/slab.h>
#include <linux/smp.h>
#include "vmx.h"

#define EPT_LEVELS	4
#define EPT_ENTRIES	512
#define EPT_ADDR_MASK	0x000ffffffffff000ULL
#define EPT_RWX		(VMX_EPT_READABLE_MASK | VMX_EPT_WRITABLE_MASK | \
			 VMX_EPT_EXECUTABLE_MASK)
#define EPT_TABLE_BITS	EPT_RWX
/* Bit 7 of a PDE: it maps a 2 MiB page (table 29-4). */
#define EPT_LARGE	(1ULL << 7)
/* Guest RAM is write-back and ignores guest PAT (no non-coherent DMA). */
#define EPT_LEAF_BITS	(VMX_EPT_READABLE_MASK | VMX_EPT_EXECUTABLE_MASK | \
			 (VMX_EPTP_MT_WB << VMX_EPT_MT_EPTE_SHIFT) | VMX_EPT_IPAT_BIT)

static unsigned int ept_shift(int level)
{
	return PAGE_SHIFT + 9 * (level - 1);
}

static unsigned int ept_index(u64 gpa, int level)
{
	return (gpa >> ept_shift(level)) & (EPT_ENTRIES - 1);
}

static bool ept_present(u64 e)
{
	return e & EPT_RWX;
}

static bool ept_is_leaf(u64 e, int level)
{
	return level == 1 || (e & EPT_LARGE);
}

static u64 *ept_table(u64 e)
{
	return phys_to_virt(e & EPT_ADDR_MASK);
}

/*
 * Maps the page at pfn (4 KiB, level 1) or the 2 MiB page starting at pfn
 * (level 2) at gpa. Returns 0; 1 if a present entry was replaced, so the
 * caller must flush; -ENOMEM if a table is missing and *spare is NULL;
 * -EEXIST if a 2 MiB leaf cannot go in because a table of 4 KiB entries is
 * there (the caller maps 4 KiB instead).
 */
int vmx_ept_map_page(struct mv_vm *vm, u64 gpa, u64 pfn, unsigned int level,
		     bool writable, void **spare)
{
	struct vmx_vm *ev = to_vmx_vm(vm);
	u64 leaf = (pfn << PAGE_SHIFT) | EPT_LEAF_BITS |
		   (writable ? VMX_EPT_WRITABLE_MASK : 0) | (level == 2 ? EPT_LARGE : 0);
	u64 *table = ev->pml4, *e, old;
	int l, flush = 0;

	if (level != 1 && level != 2)
		return -EINVAL;
	if (level == 2 && !(vmx_cfg.ept_vpid_cap & VMX_EPT_2MB_PAGE_BIT))
		return -EEXIST;
	for (l = EPT_LEVELS; l > (int)level; l--) {
		e = &table[ept_index(gpa, l)];
		old = READ_ONCE(*e);
		if (!ept_present(old) || ept_is_leaf(old, l)) {
			if (!*spare)
				return -ENOMEM;
			/*
			 * A new table; where a 2 MiB leaf is in the way, the
			 * table replaces it (the rest of it faults in again)
			 * and the caller must flush.
			 */
			if (ept_present(old)) {
				ev->leaves_large--;
				flush = 1;
			}
			WRITE_ONCE(*e, virt_to_phys(*spare) | EPT_TABLE_BITS);
			*spare = NULL;
			ev->tables++;
			old = READ_ONCE(*e);
		}
		table = ept_table(old);
	}
	e = &table[ept_index(gpa, level)];
	old = READ_ONCE(*e);
	if (ept_present(old)) {
		if (!ept_is_leaf(old, level))
			return -EEXIST;
		/* Same page, more rights: no flush (see above). */
		if ((old & EPT_ADDR_MASK) == (leaf & EPT_ADDR_MASK)) {
			WRITE_ONCE(*e, old | leaf);
			return flush;
		}
		flush = 1;
	} else if (level == 2) {
		ev->leaves_large++;
		ev->maps_large++;
	} else {
		ev->maps_small++;
	}
	WRITE_ONCE(*e, leaf);
	return flush;
}

static bool ept_table_empty(const u64 *table)
{
	int i;

	for (i = 0; i < EPT_ENTRIES; i++)
		if (READ_ONCE(table[i]))
			return false;
	return true;
}

/*
 * Clears the leaves that map [start, end) below 'table' (which maps from
 * 'level'); a 2 MiB leaf that overlaps the range is cleared as a whole. With
 * 'freed', tables left empty are unhooked and put on the list.
 */
static bool ept_zap_level(struct vmx_vm *ev, u64 *table, int level, u64 start, u64 end,
			  struct list_head *freed)
{
	u64 size = 1ULL << ept_shift(level), a, next, v, *e, *child;
	bool changed = false;

	for (a = start; a < end; a = next) {
		next = min((a & ~(size - 1)) + size, end);
		e = &table[ept_index(a, level)];
		v = READ_ONCE(*e);
		if (!ept_present(v))
			continue;
		if (ept_is_leaf(v, level)) {
			WRITE_ONCE(*e, 0);
			if (level == 2)
				ev->leaves_large--;
			changed = true;
			continue;
		}
		child = ept_table(v);
		changed |= ept_zap_level(ev, child, level - 1, a, next, freed);
		if (freed && ept_table_empty(child)) {
			WRITE_ONCE(*e, 0);
			list_add(&virt_to_page(child)->lru, freed);
			ev->tables--;
			changed = true;
		}
	}
	return changed;
}

/*
 * Removes the mappings of [gpa, gpa + size). Returns true if any entry
 * changed: then the caller must vmx_ept_flush() before it frees what was
 * mapped and the pages put on 'freed' (may be NULL: tables are kept).
 */
bool vmx_ept_zap(struct mv_vm *vm, u64 gpa, u64 size, struct list_head *freed)
{
	struct vmx_vm *ev = to_vmx_vm(vm);
	u64 end = gpa + size;

	if (!size || end < gpa || end > (1ULL << 48))
		end = 1ULL << 48;
	return ept_zap_level(ev, ev->pml4, EPT_LEVELS, gpa, end, freed);
}

static bool ept_invept(unsigned long type, u64 eptp)
{
	if (!vmx_invept(type, eptp))
		return true;
	/* VMX turned off by reboot under us: nothing cached survives. */
	if (READ_ONCE(vmx_rebooting))
		return true;
	vmx_insn_failed("invept", type == VMX_EPT_EXTENT_CONTEXT ? eptp : 0);
	return false;
}

static void ept_flush_ipi(void *arg)
{
	u64 eptp = *(u64 *)arg;

	if (!vmx_cpu_is_on())
		return;		/* VMXON will flush everything anyway */
	/*
	 * Single-context INVEPT drops guest-physical and combined mappings
	 * of this EPTP for every VPID (SDM Vol. 3C 31.3, INVEPT). If it is
	 * missing or fails, global INVEPT (which vmx_caps.c requires) is the
	 * fallback.
	 */
	if ((vmx_cfg.ept_vpid_cap & VMX_EPT_EXTENT_CONTEXT_BIT) &&
	    ept_invept(VMX_EPT_EXTENT_CONTEXT, eptp))
		return;
	if (vmx_cfg.ept_vpid_cap & VMX_EPT_EXTENT_GLOBAL_BIT)
		ept_invept(VMX_EPT_EXTENT_GLOBAL, 0);
}

/* Invalidates translations derived from eptp on every CPU. */
void vmx_flush_ept(u64 eptp)
{
	/* on_each_cpu() also runs on this CPU, with interrupts off. */
	on_each_cpu(ept_flush_ipi, &eptp, 1);
}

void vmx_ept_flush(struct mv_vm *vm)
{
	vmx_flush_ept(to_vmx_vm(vm)->eptp);
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
	/*
	 * Beside KVM, the page may have been a root of KVM's, and no VMXON
	 * of ours flushed since: drop what CPUs cached for this EPTP.
	 */
	if (static_branch_unlikely(&vmx_shared))
		vmx_flush_ept(ev->eptp);
	return 0;
}

static void ept_free_table(u64 *table, int level)
{
	int i;

	if (level > 1) {
		for (i = 0; i < EPT_ENTRIES; i++)
			if (ept_present(table[i]) && !ept_is_leaf(table[i], level))
				ept_free_table(ept_table(table[i]), level - 1);
	}
	free_page((unsigned long)table);
}

void vmx_ept_stats(struct mv_vm *vm, struct mv_mmu_stats *st)
{
	struct vmx_vm *ev = to_vmx_vm(vm);

	st->maps_small = ev->maps_small;
	st->maps_large = ev->maps_large;
	st->leaves_large = ev->leaves_large;
	st->tables = ev->tables;
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

static bool vpid_flush(unsigned long type, u16 vpid)
{
	if (!vmx_invvpid(type, vpid))
		return true;
	if (READ_ONCE(vmx_rebooting))
		return true;
	vmx_insn_failed("invvpid", vpid);
	return false;
}

/*
 * Drops cached linear and combined translations of a VPID on this CPU
 * (SDM Vol. 3C 31.3, INVVPID): single-context where the CPU has it, else
 * (or if it fails) all-context.
 */
void vmx_flush_vpid(u16 vpid)
{
	if (!vpid)
		return;
	if ((vmx_cfg.ept_vpid_cap & VPID_CAP_SINGLE) &&
	    vpid_flush(VMX_VPID_EXTENT_SINGLE_CONTEXT, vpid))
		return;
	if (vmx_cfg.ept_vpid_cap & VPID_CAP_ALL)
		vpid_flush(VMX_VPID_EXTENT_ALL_CONTEXT, 0);
}

void vmx_flush_vpid_ipi(void *vpid)
{
	if (vmx_cpu_is_on())
		vmx_flush_vpid(*(u16 *)vpid);
}
