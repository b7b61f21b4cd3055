// SPDX-License-Identifier: GPL-2.0
/*
 * libminivisor: the ioctl wrappers. Each one turns the kernel's -1/errno
 * convention into a negative errno return so that callers never have to
 * remember to read errno right away.
 */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include "libminivisor.h"

/* Capture errno at once: anything called afterwards may clobber it. */
static inline int neg_errno(void)
{
	return errno ? -errno : -EIO;
}

int mv_open(void)
{
	int fd = open(MV_DEVICE_PATH, O_RDWR | O_CLOEXEC);

	return fd < 0 ? neg_errno() : fd;
}

int mv_get_api_version(int sys_fd)
{
	int ret = ioctl(sys_fd, MV_GET_API_VERSION, 0);

	return ret < 0 ? neg_errno() : ret;
}

long mv_check_cap(int sys_fd, unsigned int cap)
{
	int ret = ioctl(sys_fd, MV_CHECK_CAP, (unsigned long)cap);

	return ret < 0 ? neg_errno() : ret;
}

int mv_create_vm(int sys_fd)
{
	int ret = ioctl(sys_fd, MV_CREATE_VM, 0);

	return ret < 0 ? neg_errno() : ret;
}

int mv_set_memory_region_raw(int vm_fd, const struct mv_memory_region *r)
{
	int ret = ioctl(vm_fd, MV_SET_MEMORY_REGION, r);

	return ret < 0 ? neg_errno() : 0;
}

int mv_set_memory_region(int vm_fd, uint32_t slot, uint32_t flags,
			 uint64_t gpa, uint64_t size, void *hva)
{
	struct mv_memory_region r;

	/* memset, not an initializer: reserved[] and any padding must be 0. */
	memset(&r, 0, sizeof(r));
	r.slot = slot;
	r.flags = flags;
	r.guest_phys_addr = gpa;
	r.memory_size = size;
	r.userspace_addr = (uint64_t)(uintptr_t)hva;
	return mv_set_memory_region_raw(vm_fd, &r);
}

int mv_create_vcpu(int vm_fd, unsigned int id)
{
	int ret = ioctl(vm_fd, MV_CREATE_VCPU, (unsigned long)id);

	return ret < 0 ? neg_errno() : ret;
}

/*
 * The mapping size is a capability rather than a constant so that the run
 * page may grow (string I/O data, more exit payloads) without an ABI break.
 */
static long run_map_size(int sys_fd)
{
	long size = mv_check_cap(sys_fd, MV_CAP_VCPU_MMAP_SIZE);

	if (size < 0)
		return size;
	if ((unsigned long)size < sizeof(struct mv_run))
		return -EINVAL;	/* a module that cannot hold its own run page */
	return size;
}

struct mv_run *mv_map_run(int sys_fd, int vcpu_fd)
{
	long size = run_map_size(sys_fd);
	void *p;

	if (size < 0) {
		errno = (int)-size;
		return NULL;
	}
	p = mmap(NULL, (size_t)size, PROT_READ | PROT_WRITE, MAP_SHARED, vcpu_fd, 0);
	if (p == MAP_FAILED)
		return NULL;	/* errno set by mmap */
	return p;
}

void mv_unmap_run(int sys_fd, struct mv_run *run)
{
	long size;

	if (!run)
		return;
	size = run_map_size(sys_fd);
	/* Without the size, unmap the one page the ABI documents today. */
	if (size < 0)
		size = sysconf(_SC_PAGESIZE);
	munmap(run, (size_t)size);
}

int mv_run(int vcpu_fd)
{
	int ret = ioctl(vcpu_fd, MV_RUN, 0);

	return ret < 0 ? neg_errno() : 0;
}

int mv_get_regs(int vcpu_fd, struct mv_regs *regs)
{
	return ioctl(vcpu_fd, MV_GET_REGS, regs) < 0 ? neg_errno() : 0;
}

int mv_set_regs(int vcpu_fd, const struct mv_regs *regs)
{
	return ioctl(vcpu_fd, MV_SET_REGS, regs) < 0 ? neg_errno() : 0;
}

int mv_get_sregs(int vcpu_fd, struct mv_sregs *sregs)
{
	return ioctl(vcpu_fd, MV_GET_SREGS, sregs) < 0 ? neg_errno() : 0;
}

int mv_set_sregs(int vcpu_fd, const struct mv_sregs *sregs)
{
	return ioctl(vcpu_fd, MV_SET_SREGS, sregs) < 0 ? neg_errno() : 0;
}

int mv_get_vcpu_events(int vcpu_fd, struct mv_vcpu_events *ev)
{
	return ioctl(vcpu_fd, MV_GET_VCPU_EVENTS, ev) < 0 ? neg_errno() : 0;
}

int mv_set_vcpu_events(int vcpu_fd, const struct mv_vcpu_events *ev)
{
	return ioctl(vcpu_fd, MV_SET_VCPU_EVENTS, ev) < 0 ? neg_errno() : 0;
}

int mv_inject_exception(int vcpu_fd, uint8_t vector, int has_error, uint32_t error,
			uint64_t payload)
{
	struct mv_exception ex = {
		.vector = vector, .has_error = !!has_error, .error = error,
		.payload = payload,
	};

	return ioctl(vcpu_fd, MV_INJECT_EXCEPTION, &ex) < 0 ? neg_errno() : 0;
}

/* MV_GET_MSRS/MV_SET_MSRS return how many entries they processed. */
static int mv_one_msr(int vcpu_fd, unsigned long ioctl_nr, uint32_t index, uint64_t *data)
{
	struct {
		struct mv_msrs hdr;
		struct mv_msr_entry e;
	} m = { .hdr = { .nmsrs = 1 }, .e = { .index = index, .data = *data } };
	int ret = ioctl(vcpu_fd, ioctl_nr, &m);

	if (ret < 0)
		return neg_errno();
	if (ret != 1)
		return -EINVAL;
	*data = m.e.data;
	return 0;
}

int mv_get_msr(int vcpu_fd, uint32_t index, uint64_t *data)
{
	*data = 0;
	return mv_one_msr(vcpu_fd, MV_GET_MSRS, index, data);
}

int mv_set_msr(int vcpu_fd, uint32_t index, uint64_t data)
{
	return mv_one_msr(vcpu_fd, MV_SET_MSRS, index, &data);
}

int mv_enable_cap(int vm_fd, uint32_t cap, uint64_t arg0)
{
	struct mv_enable_cap ec = { .cap = cap, .args = { arg0 } };

	return ioctl(vm_fd, MV_ENABLE_CAP, &ec) < 0 ? neg_errno() : 0;
}

/* MSI-style interrupt to the in-kernel local APICs: APICs reached, or -errno. */
int mv_signal_msi(int vm_fd, uint32_t address_lo, uint32_t address_hi, uint32_t data)
{
	struct mv_msi msi;
	int ret;

	memset(&msi, 0, sizeof(msi));
	msi.address_lo = address_lo;
	msi.address_hi = address_hi;
	msi.data = data;
	ret = ioctl(vm_fd, MV_SIGNAL_MSI, &msi);
	return ret < 0 ? neg_errno() : ret;
}

int mv_interrupt(int vcpu_fd, uint32_t vector)
{
	struct mv_interrupt irq = { .vector = vector };

	return ioctl(vcpu_fd, MV_INTERRUPT, &irq) < 0 ? neg_errno() : 0;
}

int mv_nmi(int vcpu_fd)
{
	return ioctl(vcpu_fd, MV_NMI, 0) < 0 ? neg_errno() : 0;
}

int mv_get_lapic(int vcpu_fd, struct mv_lapic_state *s)
{
	return ioctl(vcpu_fd, MV_GET_LAPIC, s) < 0 ? neg_errno() : 0;
}

int mv_set_lapic(int vcpu_fd, const struct mv_lapic_state *s)
{
	return ioctl(vcpu_fd, MV_SET_LAPIC, s) < 0 ? neg_errno() : 0;
}

int mv_get_mp_state(int vcpu_fd, uint32_t *state)
{
	struct mv_mp_state mp;

	if (ioctl(vcpu_fd, MV_GET_MP_STATE, &mp) < 0)
		return neg_errno();
	*state = mp.state;
	return 0;
}

int mv_set_mp_state(int vcpu_fd, uint32_t state)
{
	struct mv_mp_state mp = { .state = state };

	return ioctl(vcpu_fd, MV_SET_MP_STATE, &mp) < 0 ? neg_errno() : 0;
}
