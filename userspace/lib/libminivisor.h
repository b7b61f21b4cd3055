/* SPDX-License-Identifier: GPL-2.0 */
/*
 * libminivisor: thin C wrappers over the /dev/minivisor ioctls.
 *
 * Every function that can fail returns a negative errno value (never -1 with
 * errno), so callers can print strerror(-ret) and tests can compare against
 * -EINVAL etc. directly. Functions returning a pointer return NULL and set
 * errno.
 */
#ifndef LIBMINIVISOR_H
#define LIBMINIVISOR_H

#include <stdint.h>
#include <stdio.h>
#include <linux/minivisor.h>

#define MV_DEVICE_PATH "/dev/minivisor"

/* System fd. */
int mv_open(void);				/* fd or -errno */
int mv_get_api_version(int sys_fd);		/* version or -errno */
long mv_check_cap(int sys_fd, unsigned int cap);	/* value (0 = absent) or -errno */
int mv_create_vm(int sys_fd);			/* VM fd or -errno */

/* VM fd. */
int mv_set_memory_region(int vm_fd, uint32_t slot, uint32_t flags,
			 uint64_t gpa, uint64_t size, void *hva);
int mv_set_memory_region_raw(int vm_fd, const struct mv_memory_region *r);
int mv_create_vcpu(int vm_fd, unsigned int id);	/* vCPU fd or -errno */

/* vCPU fd. */
struct mv_run *mv_map_run(int sys_fd, int vcpu_fd);	/* NULL + errno on error */
void mv_unmap_run(int sys_fd, struct mv_run *run);
int mv_run(int vcpu_fd);			/* 0 or -errno (-EINTR: signal) */
int mv_get_regs(int vcpu_fd, struct mv_regs *regs);
int mv_set_regs(int vcpu_fd, const struct mv_regs *regs);
int mv_get_sregs(int vcpu_fd, struct mv_sregs *sregs);
int mv_set_sregs(int vcpu_fd, const struct mv_sregs *sregs);
int mv_get_vcpu_events(int vcpu_fd, struct mv_vcpu_events *ev);
int mv_set_vcpu_events(int vcpu_fd, const struct mv_vcpu_events *ev);
/* Queue a hardware exception; -EBUSY if an event is already waiting. */
int mv_inject_exception(int vcpu_fd, uint8_t vector, int has_error, uint32_t error,
			uint64_t payload);
/* One MSR; 0 or -errno (-EINVAL: unknown MSR or value refused). */
int mv_get_msr(int vcpu_fd, uint32_t index, uint64_t *data);
int mv_set_msr(int vcpu_fd, uint32_t index, uint64_t data);
/* MV_ENABLE_CAP with args[0] = arg0. */
int mv_enable_cap(int vm_fd, uint32_t cap, uint64_t arg0);

/*
 * Interrupts. mv_signal_msi (VM fd): an MSI-style message to the in-kernel
 * local APICs (MV_CAP_LAPIC); returns how many accepted it, or -errno.
 * mv_interrupt/mv_nmi (vCPU fd): queue an external interrupt / an NMI;
 * -EBUSY if an interrupt is already queued.
 */
int mv_signal_msi(int vm_fd, uint32_t address_lo, uint32_t address_hi, uint32_t data);
int mv_interrupt(int vcpu_fd, uint32_t vector);
int mv_nmi(int vcpu_fd);
int mv_get_lapic(int vcpu_fd, struct mv_lapic_state *s);
int mv_set_lapic(int vcpu_fd, const struct mv_lapic_state *s);
int mv_get_mp_state(int vcpu_fd, uint32_t *state);	/* MV_MP_STATE_* */
int mv_set_mp_state(int vcpu_fd, uint32_t state);

/* Helpers for the run page. */
static inline void *mv_io_data(struct mv_run *run)
{
	return (char *)run + run->io.data_offset;
}

const char *mv_exit_reason_str(uint32_t reason);	/* "IO", "MMIO", ... or "UNKNOWN" */
const char *mv_internal_suberror_str(uint32_t suberror); /* "EMULATION", ... or "UNKNOWN" */
void mv_dump_exit(FILE *f, const struct mv_run *run);	/* one line per field */
/* fail_entry.check: rule name ("cs_l_and_d", "none", "unknown") and SDM section. */
const char *mv_entry_check_str(uint32_t id);
const char *mv_entry_check_sdm(uint32_t id);
void mv_dump_regs(FILE *f, const struct mv_regs *regs,
		  const struct mv_sregs *sregs);	/* either may be NULL */

/*
 * Convenience for tests and mvm: one VM with one vCPU and one anonymous
 * memory slot (slot 0 at GPA 0).
 */
struct mv_vm {
	int sys_fd;
	int vm_fd;
	int vcpu_fd;
	struct mv_run *run;
	uint8_t *mem;		/* host address of GPA 0 */
	uint64_t mem_size;
};

/*
 * mem_size: non-zero multiple of the page size (-EINVAL otherwise). On
 * failure everything is released and *vm is left empty (fds -1, pointers
 * NULL), so mv_vm_destroy() on it is harmless; errors are those of open(),
 * MV_CREATE_VM, mmap(), MV_SET_MEMORY_REGION, MV_CREATE_VCPU and mmap().
 */
int mv_vm_create(struct mv_vm *vm, uint64_t mem_size);	/* 0 or -errno */
void mv_vm_destroy(struct mv_vm *vm);
/*
 * Several vCPUs: mv_vm_create_novcpu() is mv_vm_create() without the
 * vCPU (vcpu_fd -1, run NULL), so that VM-wide capabilities that must
 * precede the first MV_CREATE_VCPU (MV_CAP_LAPIC) can be enabled; then
 * mv_vm_add_vcpu() creates vCPU id and maps its run page. vCPU 0 is also
 * stored in vm->vcpu_fd / vm->run (mv_vm_destroy() releases it); the
 * caller releases the others with mv_vcpu_release(). On failure nothing is
 * left behind (*fd = -1, *run = NULL) and -errno is returned. Its memory is
 * 2 MiB aligned with MADV_HUGEPAGE (a whole machine's RAM: transparent huge
 * pages, so the module maps it with 2 MiB EPT leaves).
 */
int mv_vm_create_novcpu(struct mv_vm *vm, uint64_t mem_size);
int mv_vm_add_vcpu(struct mv_vm *vm, unsigned int id, int *fd, struct mv_run **run);
void mv_vcpu_release(struct mv_vm *vm, int fd, struct mv_run *run);

/*
 * Architectural state helpers: flat real mode at cs:ip, or 64-bit long mode.
 *
 * mv_sregs_real_mode(): CS base = cs_selector << 4, other segments selector
 * and base 0, 64 KiB limits; CR0 = 0x10 (ET only: CD/NW clear, so a real CPU
 * does not run the guest uncached), EFER 0.
 */
void mv_sregs_real_mode(struct mv_sregs *s, uint16_t cs_selector);
/*
 * Builds identity-mapped 4-level page tables (2 MiB pages) for the first
 * map_size bytes of guest memory at guest-physical pt_gpa (needs 4 pages +
 * one page per GiB), and fills sregs for 64-bit mode with a flat GDT at
 * gdt_gpa (one page). Returns 0 or -errno.
 *
 * Precisely: the tables take mv_long_mode_pt_size(map_size) bytes (PML4,
 * PDPT, one PD per started GiB; at most the 4 + 1/GiB pages above), pt_gpa
 * must be 4 KiB aligned, gdt_gpa 8-byte aligned; the page at gdt_gpa holds
 * the GDT (null, 0x08 64-bit code, 0x10 data, 0x18 busy 64-bit TSS) and the
 * TSS at gdt_gpa + 0x80. Both areas must lie inside vm->mem_size and not
 * overlap; map_size may exceed the memory (to reach MMIO) up to 512 GiB.
 * CR0 = 0x80050033 (PE|MP|ET|NE|WP|AM|PG), CR3 = pt_gpa, CR4 = 0x620
 * (PAE|OSFXSR|OSXMMEXCPT), EFER = 0x500 (LME|LMA); IDT base 0 limit 0.
 * Only vm->mem and vm->mem_size are used: no ioctl is made, so the caller
 * still has to mv_set_sregs(). -EINVAL for any bad argument.
 */
int mv_setup_long_mode(struct mv_vm *vm, struct mv_sregs *s, uint64_t pt_gpa,
		       uint64_t gdt_gpa, uint64_t map_size);
uint64_t mv_long_mode_pt_size(uint64_t map_size);	/* bytes written at pt_gpa */

/* The VM's id in the netlink family (MV_GET_VM_ID on a VM fd): >= 1 or -errno. */
int mv_get_vm_id(int vm_fd);

/*
 * The "minivisor" generic netlink family: mv_nl_open(), mv_vm_list(),
 * mv_stats_get(), mv_stats_reset(), mv_flight_get(), mv_events_subscribe(),
 * mv_event_next() and their attribute parsers (mv_nl.h; link with
 * -lnl-genl-3 -lnl-3).
 */
#include "mv_nl.h"

#endif /* LIBMINIVISOR_H */
