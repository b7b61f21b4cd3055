// SPDX-License-Identifier: GPL-2.0
/*
 * Every live VM by id, for the netlink family: lookups by id and in id
 * order (a dump resumes from the last id it sent). A VM leaves the registry
 * when its last reference goes, before anything is freed; a lookup takes a
 * reference only if one is still held (kref_get_unless_zero under the
 * xarray lock), so a reader never revives a VM that is being freed.
 */
#include <linux/xarray.h>
#include "mv.h"

static DEFINE_XARRAY_ALLOC1(mv_vms);
static u32 mv_vm_next_id = 1;	/* under the xarray's lock (xa_alloc_cyclic) */

/*
 * Ids are handed out cyclically, so an id is not reused until 2^31 VMs
 * later: an event listener or a tool that remembers an id never mistakes
 * a new VM for one that is gone.
 */
int mv_vm_register(struct mv_vm *vm)
{
	u32 id;
	int r;

	r = xa_alloc_cyclic(&mv_vms, &id, vm, XA_LIMIT(1, INT_MAX), &mv_vm_next_id,
			    GFP_KERNEL_ACCOUNT);
	if (r < 0)
		return r;
	vm->id = id;
	return 0;
}

void mv_vm_unregister(struct mv_vm *vm)
{
	if (vm->id)
		xa_erase(&mv_vms, vm->id);
}

struct mv_vm *mv_vm_get_next(u32 *id)
{
	unsigned long index = *id;
	struct mv_vm *vm;

	xa_lock(&mv_vms);
	xa_for_each_start(&mv_vms, index, vm, index) {
		if (kref_get_unless_zero(&vm->kref)) {
			xa_unlock(&mv_vms);
			*id = index;
			return vm;
		}
	}
	xa_unlock(&mv_vms);
	return NULL;
}

struct mv_vm *mv_vm_get_by_id(u32 id)
{
	struct mv_vm *vm;

	xa_lock(&mv_vms);
	vm = xa_load(&mv_vms, id);
	if (vm && !kref_get_unless_zero(&vm->kref))
		vm = NULL;
	xa_unlock(&mv_vms);
	return vm;
}

u64 mv_vm_mem_bytes(struct mv_vm *vm)
{
	u64 pages = 0;
	int i;

	mutex_lock(&vm->lock);
	for (i = 0; i < MV_MAX_MEMSLOTS; i++)
		pages += vm->slots[i].npages;
	mutex_unlock(&vm->lock);
	return pages << PAGE_SHIFT;
}

unsigned int mv_vm_vcpu_count(struct mv_vm *vm)
{
	unsigned int i, n = 0;

	mutex_lock(&vm->lock);
	for (i = 0; i < MV_MAX_VCPUS; i++)
		n += !!vm->vcpus[i];
	mutex_unlock(&vm->lock);
	return n;
}
