// SPDX-License-Identifier: GPL-2.0
/*
 * Guest RAM follows the host's memory management.
 *
 * A slot only records which part of the VMM's address space backs a range
 * of guest-physical memory. Nothing is pinned: an EPT violation on a slot
 * GPA faults the page in through the VMM's own page tables (get_user_pages,
 * so the VMA's permissions, COW, THP, memcg charging and userfaultfd all
 * apply as for a touch by the VMM), maps it in the second-level tables and
 * drops the reference. From then on the host may reclaim, migrate, merge or
 * free the page at any time, because an MMU notifier on the VMM's mm
 * removes the second-level mapping and runs INVEPT on every CPU before the
 * host's own page-table change completes (invalidate_range_start is called
 * before the page can be freed).
 *
 * A fault that races with an invalidation must not install a mapping of a
 * page the host is about to free: it samples mmu_seq before looking the page
 * up and maps it only if, under mmu_lock, no invalidation that covers its
 * address is in progress and none ended meanwhile (mmu_seq unchanged);
 * otherwise the guest simply faults again.
 *
 * Locking: vm->lock (mutex) serializes slot changes; slots[] is written with
 * vm->lock and mmu_lock held, so either lock is enough to read it. mmu_lock
 * (spinlock, never held while sleeping) protects the second-level tables and
 * the invalidation state. The notifier takes only mmu_lock. Order: vm->lock,
 * then mmap_lock, then mmu_lock.
 */
#include <linux/mm.h>
#include <linux/mmu_notifier.h>
#include <linux/pgtable.h>
#include <linux/sched/mm.h>
#include <linux/sizes.h>
#include "mv.h"

/* Zaps the guest-physical ranges that [start, end) of the VMM backs. */
static bool mv_zap_hva(struct mv_vm *vm, unsigned long start, unsigned long end)
{
	bool changed = false;
	int i;

	lockdep_assert_held(&vm->mmu_lock);
	start &= PAGE_MASK;
	end = PAGE_ALIGN(end);
	for (i = 0; i < MV_MAX_MEMSLOTS; i++) {
		const struct mv_memslot *s = &vm->slots[i];
		unsigned long s_end = s->hva + (s->npages << PAGE_SHIFT);
		unsigned long a, b;

		if (!s->npages || end <= s->hva || start >= s_end)
			continue;
		a = max_t(unsigned long, start, s->hva);
		b = min(end, s_end);
		changed |= mv_ops->zap(vm, s->gpa + (a - s->hva), b - a, NULL);
	}
	return changed;
}

static int mv_mn_invalidate_range_start(struct mmu_notifier *mn,
					const struct mmu_notifier_range *range)
{
	struct mv_vm *vm = container_of(mn, struct mv_vm, mn);

	/*
	 * Nothing here sleeps (a spinlock and an IPI to every CPU), so this
	 * is also correct for non-blockable ranges (the OOM reaper).
	 */
	spin_lock(&vm->mmu_lock);
	if (!vm->mmu_inval_count++) {
		vm->mmu_inval_start = range->start;
		vm->mmu_inval_end = range->end;
	} else {
		vm->mmu_inval_start = min(vm->mmu_inval_start, range->start);
		vm->mmu_inval_end = max(vm->mmu_inval_end, range->end);
	}
	if (mv_zap_hva(vm, range->start, range->end))
		mv_ops->flush(vm);
	spin_unlock(&vm->mmu_lock);
	return 0;
}

static void mv_mn_invalidate_range_end(struct mmu_notifier *mn,
				       const struct mmu_notifier_range *range)
{
	struct mv_vm *vm = container_of(mn, struct mv_vm, mn);

	spin_lock(&vm->mmu_lock);
	/* A fault that looked its page up before this point retries. */
	WRITE_ONCE(vm->mmu_seq, vm->mmu_seq + 1);
	/* Balanced: registration excludes invalidations (mm_take_all_locks). */
	if (vm->mmu_inval_count > 0)
		vm->mmu_inval_count--;
	spin_unlock(&vm->mmu_lock);
}

/* The mm goes away (exit, kill -9) or the notifier is unregistered. */
static void mv_mn_release(struct mmu_notifier *mn, struct mm_struct *mm)
{
	struct mv_vm *vm = container_of(mn, struct mv_vm, mn);

	spin_lock(&vm->mmu_lock);
	vm->mm_dead = true;
	WRITE_ONCE(vm->mmu_seq, vm->mmu_seq + 1);
	if (mv_ops->zap(vm, 0, 0, NULL))
		mv_ops->flush(vm);
	spin_unlock(&vm->mmu_lock);
}

static const struct mmu_notifier_ops mv_mn_ops = {
	.invalidate_range_start	= mv_mn_invalidate_range_start,
	.invalidate_range_end	= mv_mn_invalidate_range_end,
	.release		= mv_mn_release,
};

/* At VM creation, in the creator's context (current->mm == vm->mm). */
int mv_mmu_init(struct mv_vm *vm)
{
	int r;

	spin_lock_init(&vm->mmu_lock);
	vm->mn.ops = &mv_mn_ops;
	r = mmu_notifier_register(&vm->mn, vm->mm);
	if (r)
		return r;
	vm->mn_registered = true;
	return 0;
}

/* Before the backend frees the tables; no vCPU is left. */
void mv_mmu_destroy(struct mv_vm *vm)
{
	struct mv_mmu_stats st;

	if (vm->mn_registered) {
		/* Runs ->release if the mm is still alive, then waits for callbacks. */
		mmu_notifier_unregister(&vm->mn, vm->mm);
		vm->mn_registered = false;
	}
	mv_ops->mmu_stats(vm, &st);
	/* Only VMs that used 2 MiB leaves: 1,000 small test VMs log nothing. */
	if (st.maps_large)
		mv_info("VM of pid %d destroyed: EPT mappings made: %llu of 4 KiB, %llu of 2 MiB\n",
			vm->creator, st.maps_small, st.maps_large);
}

/*
 * Installs (new != NULL) or deletes a slot; caller holds vm->lock. Deleting
 * zaps the slot's range, frees the table pages that leaves empty, and only
 * frees them after the flush on every CPU.
 */
void mv_mmu_set_slot(struct mv_vm *vm, struct mv_memslot *slot,
		     const struct mv_memslot *new)
{
	LIST_HEAD(freed);
	struct page *p, *n;
	u64 gpa = slot->gpa, npages = slot->npages;

	lockdep_assert_held(&vm->lock);
	spin_lock(&vm->mmu_lock);
	if (new) {
		*slot = *new;
		spin_unlock(&vm->mmu_lock);
		return;
	}
	memset(slot, 0, sizeof(*slot));
	/* A fault that found the slot before this must not map it now. */
	WRITE_ONCE(vm->mmu_seq, vm->mmu_seq + 1);
	if (npages && mv_ops->zap(vm, gpa, npages << PAGE_SHIFT, &freed))
		mv_ops->flush(vm);
	spin_unlock(&vm->mmu_lock);
	list_for_each_entry_safe(p, n, &freed, lru) {
		list_del(&p->lru);
		__free_page(p);
	}
}

static bool mv_mmu_must_retry(struct mv_vm *vm, unsigned long seq, unsigned long hva)
{
	lockdep_assert_held(&vm->mmu_lock);
	if (vm->mmu_inval_count && hva >= vm->mmu_inval_start && hva < vm->mmu_inval_end)
		return true;
	return vm->mmu_seq != seq;
}

/* The 2 MiB block around gpa lies in the slot, with the same offset in the VMM. */
static bool mv_slot_huge_ok(const struct mv_memslot *s, u64 gpa)
{
	u64 base = gpa & ~((u64)SZ_2M - 1);

	return !((s->gpa ^ s->hva) & (SZ_2M - 1)) && base >= s->gpa &&
	       base + SZ_2M <= s->gpa + (s->npages << PAGE_SHIFT);
}

/*
 * Whether the VMM maps hva with a 2 MiB (or 1 GiB) leaf whose page at hva
 * is pfn, and whether that leaf is writable. The host page tables are read
 * the way GUP-fast reads them: with interrupts off, so no table can be
 * freed under us (freeing waits for an IPI or an RCU-sched grace period).
 * A stale answer is harmless: a change of that mapping is an invalidation,
 * which either ran already (then the caller's mmu_seq check fails) or
 * waits for mmu_lock, held by the caller, and zaps what it maps.
 */
static bool mv_host_huge(struct mm_struct *mm, unsigned long hva, unsigned long pfn,
			 bool *writable)
{
	unsigned long flags, hpfn;
	bool huge = false;
	pgd_t pgd;
	p4d_t p4d;
	pud_t pud;
	pmd_t pmd;

	local_irq_save(flags);
	pgd = READ_ONCE(*pgd_offset(mm, hva));
	if (pgd_none(pgd) || !pgd_present(pgd))
		goto out;
	p4d = READ_ONCE(*p4d_offset(&pgd, hva));
	if (p4d_none(p4d) || !p4d_present(p4d))
		goto out;
	pud = READ_ONCE(*pud_offset(&p4d, hva));
	if (pud_none(pud) || !pud_present(pud))
		goto out;
	if (pud_leaf(pud)) {
		hpfn = pud_pfn(pud) + ((hva & ~PUD_MASK) >> PAGE_SHIFT);
		*writable = pud_write(pud);
		huge = true;
		goto out;
	}
	pmd = READ_ONCE(*pmd_offset(&pud, hva));
	if (pmd_none(pmd) || !pmd_present(pmd) || !pmd_leaf(pmd))
		goto out;
	hpfn = pmd_pfn(pmd) + ((hva & ~PMD_MASK) >> PAGE_SHIFT);
	*writable = pmd_write(pmd);
	huge = true;
out:
	local_irq_restore(flags);
	return huge && hpfn == pfn;
}

/* Looks the VMM's page at hva up, faulting it in. */
static int mv_get_page(unsigned long hva, bool write, bool slot_writable,
		       struct page **page, bool *writable)
{
	int n;

	*writable = write;
	if (write) {
		n = get_user_pages_fast(hva, 1, FOLL_WRITE, page);
	} else if (slot_writable && get_user_pages_fast_only(hva, 1, FOLL_WRITE, page) == 1) {
		/* Already present and writable: map it writable at once. */
		*writable = true;
		n = 1;
	} else {
		/*
		 * A read maps what a read by the VMM would see (the shared zero
		 * page for untouched anonymous memory), read-only; a later write
		 * faults again with FOLL_WRITE and breaks COW.
		 */
		n = get_user_pages_fast(hva, 1, 0, page);
	}
	if (n == 1)
		return 0;
	if (n == 0)
		return -EFAULT;
	switch (n) {
	case -EINTR:
	case -ERESTARTSYS:
	case -EAGAIN:
	case -EBUSY:
		return -EAGAIN;		/* signal or retry: the run loop decides */
	}
	return n;
}

/*
 * Called by the backend for a second-level fault at gpa, with preemption
 * enabled, by the VMM thread running the vCPU. Returns 0 when the page is
 * mapped or -EAGAIN when the guest must simply fault again (enter again in
 * both cases), -ENOENT if gpa is not guest RAM for this access (no slot, or
 * a write to a read-only slot: MMIO), or another errno when the VMM's
 * memory cannot back the access (-EFAULT: not mapped, or not writable for
 * a write; -ENOMEM; -EHWPOISON).
 */
int mv_mmu_fault(struct mv_vcpu *vcpu, u64 gpa, bool write)
{
	struct mv_vm *vm = vcpu->vm;
	struct mv_memslot slot, *s;
	unsigned long seq, hva, pfn;
	bool writable, huge_w = false, huge_ok;
	unsigned int level;
	struct page *page;
	void *spare = NULL;
	u64 map_gpa;
	int r;

	mutex_lock(&vm->lock);
	s = mv_find_slot(vm, gpa);
	if (!s || (write && (s->flags & MV_MEM_READONLY))) {
		mutex_unlock(&vm->lock);
		return -ENOENT;
	}
	slot = *s;
	seq = READ_ONCE(vm->mmu_seq);
	mutex_unlock(&vm->lock);
	/* Sample mmu_seq before the host page tables are read. */
	smp_rmb();

	if (current->mm != vm->mm)
		return -EFAULT;
	hva = slot.hva + ((gpa - slot.gpa) & PAGE_MASK);
	r = mv_get_page(hva, write, !(slot.flags & MV_MEM_READONLY), &page, &writable);
	if (r)
		return r;
	pfn = page_to_pfn(page);
	huge_ok = mv_slot_huge_ok(&slot, gpa);

	spin_lock(&vm->mmu_lock);
again:
	if (vm->mm_dead) {
		r = -EFAULT;
		goto unlock;
	}
	if (mv_mmu_must_retry(vm, seq, hva)) {
		r = -EAGAIN;
		goto unlock;
	}
	level = 1;
	map_gpa = gpa & PAGE_MASK;
	if (huge_ok && mv_host_huge(vm->mm, hva, pfn, &huge_w) && (huge_w || !writable)) {
		level = 2;
		map_gpa = gpa & ~((u64)SZ_2M - 1);
	}
	r = mv_ops->map_page(vm, map_gpa, level == 2 ? pfn - ((hva >> PAGE_SHIFT) & 511) : pfn,
			     level, writable, &spare);
	if (r == -EEXIST && level == 2)
		r = mv_ops->map_page(vm, gpa & PAGE_MASK, pfn, 1, writable, &spare);
	if (r == -ENOMEM && !spare) {
		/* A table page is missing: allocate it without the lock. */
		spin_unlock(&vm->mmu_lock);
		spare = (void *)get_zeroed_page(GFP_KERNEL_ACCOUNT);
		if (!spare) {
			r = -ENOMEM;
			goto put;
		}
		spin_lock(&vm->mmu_lock);
		goto again;
	}
	if (r > 0) {
		mv_ops->flush(vm);
		r = 0;
	}
unlock:
	spin_unlock(&vm->mmu_lock);
	/*
	 * The guest may write the page without the host's PTE dirty bit ever
	 * being set: mark it dirty now. Writeback cleans a page only after
	 * write-protecting the PTEs (an invalidation), so it never sees a
	 * clean page we still map writable.
	 */
	if (!r && writable)
		set_page_dirty_lock(page);
put:
	put_page(page);
	if (spare)
		free_page((unsigned long)spare);
	return r;
}

/*
 * Maps a kernel page of the VM (the APIC-access page) at gpa, outside any
 * slot: no MMU notifier covers it, and nothing but VM teardown unmaps it.
 */
int mv_mmu_map_private(struct mv_vm *vm, u64 gpa, u64 pfn)
{
	void *spare = NULL;
	int r;

	spin_lock(&vm->mmu_lock);
	for (;;) {
		r = mv_ops->map_page(vm, gpa & PAGE_MASK, pfn, 1, true, &spare);
		if (r != -ENOMEM || spare)
			break;
		spin_unlock(&vm->mmu_lock);
		spare = (void *)get_zeroed_page(GFP_KERNEL_ACCOUNT);
		if (!spare)
			return -ENOMEM;
		spin_lock(&vm->mmu_lock);
	}
	if (r > 0) {
		mv_ops->flush(vm);
		r = 0;
	}
	spin_unlock(&vm->mmu_lock);
	if (spare)
		free_page((unsigned long)spare);
	return r;
}

/*
 * MV_NEXIT_RAM_FAULT: the VMM's memory behind a slot cannot back the
 * guest's access (unmapped, or a write to memory the VMM cannot write,
 * out of memory, poisoned). The vCPU stays usable: MV_RUN retries the
 * access once userspace has fixed its mapping.
 */
int mv_mmu_fault_exit(struct mv_vcpu *vcpu)
{
	struct mv_exit *e = &vcpu->exit;
	struct mv_run *run = vcpu->run;
	struct mv_vm *vm = vcpu->vm;
	struct mv_memslot *s;
	u64 hva = 0;

	mutex_lock(&vm->lock);
	s = mv_find_slot(vm, e->mem.gpa);
	if (s)
		hva = s->hva + (e->mem.gpa - s->gpa);
	mutex_unlock(&vm->lock);

	run->exit_reason = MV_EXIT_INTERNAL_ERROR;
	run->internal.suberror = MV_INTERNAL_MEMORY_FAULT;
	run->internal.ndata = 4;
	run->internal.data[0] = e->mem.gpa;
	run->internal.data[1] = e->mem.write;
	run->internal.data[2] = -e->mem.error;
	run->internal.data[3] = hva;
	return 0;
}
