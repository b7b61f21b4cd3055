// SPDX-License-Identifier: GPL-2.0
/*
 * libminivisor: the one-VM, one-vCPU, one-slot convenience used by mvm and
 * the selftests.
 */
#include <errno.h>
#include <stdbool.h>
#include <sys/mman.h>
#include <unistd.h>

#include "libminivisor.h"

/* Every field in a state mv_vm_destroy() understands as "nothing to free". */
static void mv_vm_init_empty(struct mv_vm *vm)
{
	vm->sys_fd = -1;
	vm->vm_fd = -1;
	vm->vcpu_fd = -1;
	vm->run = NULL;
	vm->mem = NULL;
	vm->mem_size = 0;
}

/*
 * On failure everything acquired so far is released and *vm is left empty
 * (fds -1, pointers NULL), so calling mv_vm_destroy() on it is harmless.
 */
#define GUEST_HUGE_PAGE	(2ul << 20)

/*
 * Guest RAM for a whole-machine VMM: 2 MiB aligned and MADV_HUGEPAGE, so
 * transparent huge pages back it and the module maps it with 2 MiB EPT
 * leaves (one EPT violation per 2 MiB instead of per 4 KiB the guest
 * touches). Over-allocates by 2 MiB and trims the ends, so that
 * munmap(mem, size) releases exactly what is left. MAP_FAILED + errno.
 */
static void *guest_ram_huge(size_t size)
{
	size_t span = size + GUEST_HUGE_PAGE, head;
	uint8_t *raw, *mem;

	raw = mmap(NULL, span, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (raw == MAP_FAILED)
		return MAP_FAILED;
	mem = (uint8_t *)(((uintptr_t)raw + GUEST_HUGE_PAGE - 1) & ~(GUEST_HUGE_PAGE - 1));
	head = (size_t)(mem - raw);
	if (head)
		munmap(raw, head);
	if (span - head > size)
		munmap(mem + size, span - head - size);
	/* Advice only: without THP the memory works the same, in 4 KiB pages. */
	madvise(mem, size, MADV_HUGEPAGE);
	return mem;
}

static int vm_create(struct mv_vm *vm, uint64_t mem_size, bool with_vcpu)
{
	/* mvm's machines (no vCPU made here) get huge-page friendly RAM. */
	bool huge = !with_vcpu && mem_size >= GUEST_HUGE_PAGE;
	long page = sysconf(_SC_PAGESIZE);
	void *mem;
	int ret;

	if (!vm)
		return -EINVAL;
	mv_vm_init_empty(vm);
	if (mem_size == 0 || mem_size % (uint64_t)page || mem_size > SIZE_MAX)
		return -EINVAL;

	ret = mv_open();
	if (ret < 0)
		goto fail;
	vm->sys_fd = ret;

	ret = mv_create_vm(vm->sys_fd);
	if (ret < 0)
		goto fail;
	vm->vm_fd = ret;

	/*
	 * Private anonymous memory, like KVM users allocate it: the module
	 * faults pages in as the guest touches them. NORESERVE because a large
	 * guest rarely touches all of its RAM.
	 */
	mem = huge ? guest_ram_huge((size_t)mem_size) :
		     mmap(NULL, (size_t)mem_size, PROT_READ | PROT_WRITE,
			  MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (mem == MAP_FAILED) {
		ret = -errno;
		goto fail;
	}
	vm->mem = mem;
	vm->mem_size = mem_size;

	ret = mv_set_memory_region(vm->vm_fd, 0, 0, 0, mem_size, vm->mem);
	if (ret < 0)
		goto fail;

	if (!with_vcpu)
		return 0;
	ret = mv_create_vcpu(vm->vm_fd, 0);
	if (ret < 0)
		goto fail;
	vm->vcpu_fd = ret;

	vm->run = mv_map_run(vm->sys_fd, vm->vcpu_fd);
	if (!vm->run) {
		ret = -errno;
		goto fail;
	}
	return 0;

fail:
	mv_vm_destroy(vm);
	return ret;
}

int mv_vm_create(struct mv_vm *vm, uint64_t mem_size)
{
	return vm_create(vm, mem_size, true);
}

int mv_vm_create_novcpu(struct mv_vm *vm, uint64_t mem_size)
{
	return vm_create(vm, mem_size, false);
}

int mv_vm_add_vcpu(struct mv_vm *vm, unsigned int id, int *fd, struct mv_run **run)
{
	struct mv_run *r;
	int ret;

	*fd = -1;
	*run = NULL;
	if (!vm || vm->vm_fd < 0 || (id == 0 && vm->vcpu_fd >= 0))
		return -EINVAL;
	ret = mv_create_vcpu(vm->vm_fd, id);
	if (ret < 0)
		return ret;
	r = mv_map_run(vm->sys_fd, ret);
	if (!r) {
		int e = -errno;

		close(ret);
		return e;
	}
	*fd = ret;
	*run = r;
	if (id == 0) {
		vm->vcpu_fd = ret;
		vm->run = r;
	}
	return 0;
}

void mv_vcpu_release(struct mv_vm *vm, int fd, struct mv_run *run)
{
	if (vm && fd >= 0 && fd == vm->vcpu_fd)
		return;		/* vCPU 0: mv_vm_destroy() releases it */
	if (run)
		mv_unmap_run(vm ? vm->sys_fd : -1, run);
	if (fd >= 0)
		close(fd);
}

/*
 * Tear down in reverse order. The vCPU fd holds a VM reference, so the
 * order only matters for clarity; the module follows our mappings with an
 * MMU notifier, so unmapping our memory is safe at any time.
 */
void mv_vm_destroy(struct mv_vm *vm)
{
	if (!vm)
		return;
	if (vm->run)
		mv_unmap_run(vm->sys_fd, vm->run);
	if (vm->vcpu_fd >= 0)
		close(vm->vcpu_fd);
	if (vm->vm_fd >= 0)
		close(vm->vm_fd);
	if (vm->mem)
		munmap(vm->mem, (size_t)vm->mem_size);
	if (vm->sys_fd >= 0)
		close(vm->sys_fd);
	mv_vm_init_empty(vm);
}
