/* SPDX-License-Identifier: GPL-2.0 */
/*
 * minivisor core: vendor-neutral objects and the backend interface.
 *
 * Core code (main.c, vm.c, vcpu.c, mmio.c) never includes vmx/ headers. A
 * backend (vmx/) implements struct mv_backend_ops and reports every exit it
 * does not handle itself through the neutral struct mv_exit, which core
 * translates for userspace (the NetBSD NVMM split).
 */
#ifndef MV_H
#define MV_H

#include <linux/types.h>
#include <linux/kref.h>
#include <linux/mutex.h>
#include <linux/preempt.h>
#include <linux/mm_types.h>
#include <linux/minivisor.h>
#include "../common/x86_decode.h"

#define MV_MAX_MEMSLOTS		32
#define MV_MAX_VCPUS		8
#define MV_MAX_SLOT_MIB		(64 * 1024ULL)	/* 64 GiB per slot */
#define MV_RUN_SIZE		PAGE_SIZE
#define MV_RUN_IO_DATA_OFFSET	2048	/* I/O data area inside the run page */

#define mv_err(fmt, ...)  pr_err_ratelimited("minivisor: " fmt, ##__VA_ARGS__)
#define mv_info(fmt, ...) pr_info("minivisor: " fmt, ##__VA_ARGS__)

struct mv_memslot {
	u64 gpa;
	u64 npages;		/* 0: slot unused */
	u64 hva;
	u32 flags;		/* MV_MEM_* */
	struct page **pages;	/* pinned for the slot's lifetime */
};

struct mv_vm {
	struct kref kref;		/* VM fd + one per vCPU */
	struct mutex lock;		/* slots[] and vcpus[] changes */
	struct mm_struct *mm;		/* creator; other processes get EIO */
	struct mv_memslot slots[MV_MAX_MEMSLOTS];
	struct mv_vcpu *vcpus[MV_MAX_VCPUS];
	void *arch;			/* backend state (EPT) */
};

/* Neutral exits a backend hands to core. */
enum mv_nexit_reason {
	MV_NEXIT_NONE,		/* handled in the backend: enter again */
	MV_NEXIT_IO,		/* port I/O, RIP already advanced */
	MV_NEXIT_MEMFAULT,	/* guest-physical access with no mapping */
	MV_NEXIT_HLT,		/* RIP already advanced */
	MV_NEXIT_SHUTDOWN,
	MV_NEXIT_FAIL_ENTRY,
	MV_NEXIT_UNHANDLED,	/* valid exit the backend does not handle */
	MV_NEXIT_HW_ERROR,	/* a VMX instruction failed: vCPU is dead */
};

struct mv_exit {
	u32 reason;		/* enum mv_nexit_reason */
	union {
		struct {
			u16 port;
			u8 size;
			bool in;
			u32 value;	/* OUT data */
		} io;
		struct {
			u64 gpa;
			bool write;
		} mem;
		struct {
			u64 reason;
			u64 qual;
		} fail;
		struct {
			u64 raw_reason;
			u64 qual;
			u64 rip;
			u64 insn_len;
		} unhandled;
		struct {
			u64 op;
			u64 error;
		} hw;
	};
};

/* Work to finish at the next MV_RUN, after userspace has supplied data. */
enum mv_pending_kind {
	MV_PENDING_NONE,
	MV_PENDING_PIO_IN,
	MV_PENDING_MMIO_READ,	/* an MMIO read exit awaits its data */
	MV_PENDING_MMIO_WRITE,	/* more write exits of one MMIO part follow */
};

/* Bytes [off, off + len) of a memory operand, at guest-physical gpa. */
struct mv_mem_part {
	u64 gpa;
	u8 off;
	u8 len;
	bool mmio;		/* no slot (or a read-only slot, for a write) */
};

/* Where a memory operand lives: one part, or two when it crosses a page. */
struct mv_mem_plan {
	u8 nparts;
	struct mv_mem_part part[2];
};

struct mv_pending {
	u8 kind;
	u8 size;		/* MV_PENDING_PIO_IN */
	u8 reg;
	bool high_byte;
	/*
	 * MMIO: the MMIO part of the memory operand is bytes [off, end) at
	 * gpa (for offset 'start'), exchanged with userspace in exits of 1,
	 * 2, 4 or 8 bytes; 'len' is the one in flight. bytes[] holds the
	 * operand: for a read the RAM part (read at the exit) and the MMIO
	 * bytes received so far, for a write the value to write. A read
	 * finishes 'insn', and 'wr' says where its result goes.
	 */
	u8 start, off, len, end;
	u64 gpa;
	u8 bytes[8];
	struct x86_insn insn;
	struct mv_mem_plan wr;
};

/* What instruction fetch for emulation needs to know about the guest. */
struct mv_fetch_state {
	u64 cs_base;
	u64 rip;
	bool cs_l, cs_db;
	u64 cr0, cr3, cr4, efer;
};

struct mv_vcpu {
	struct mv_vm *vm;
	unsigned int id;
	struct mutex mutex;		/* one ioctl at a time */
	struct mv_run *run;		/* kernel address of the shared page */
	struct preempt_notifier pn;
	struct mv_exit exit;
	struct mv_pending pending;
	bool dead;			/* a VMX instruction failed */
};

struct mv_backend_ops {
	const char *name;
	/* Turn hardware virtualization on/off on every online CPU. */
	int (*enable)(void);
	void (*disable)(void);
	u64 (*cap)(unsigned int cap);

	int (*vm_init)(struct mv_vm *vm);
	void (*vm_destroy)(struct mv_vm *vm);
	int (*map)(struct mv_vm *vm, u64 gpa, struct page **pages, u64 npages,
		   bool writable);
	void (*unmap)(struct mv_vm *vm, u64 gpa, u64 npages);

	struct mv_vcpu *(*vcpu_create)(struct mv_vm *vm, unsigned int id);
	void (*vcpu_destroy)(struct mv_vcpu *vcpu);
	/* Called with preemption disabled, on the CPU that will run it. */
	void (*vcpu_load)(struct mv_vcpu *vcpu, int cpu);
	void (*vcpu_put)(struct mv_vcpu *vcpu);
	/* Enters the guest once; fills vcpu->exit. Preemption enabled. */
	void (*vcpu_run)(struct mv_vcpu *vcpu);

	void (*get_regs)(struct mv_vcpu *vcpu, struct mv_regs *regs);
	void (*set_regs)(struct mv_vcpu *vcpu, const struct mv_regs *regs);
	void (*get_sregs)(struct mv_vcpu *vcpu, struct mv_sregs *sregs);
	void (*set_sregs)(struct mv_vcpu *vcpu, const struct mv_sregs *sregs);
	u64 (*get_gpr)(struct mv_vcpu *vcpu, unsigned int reg);
	void (*set_gpr)(struct mv_vcpu *vcpu, unsigned int reg, u64 val);
	void (*get_fetch_state)(struct mv_vcpu *vcpu, struct mv_fetch_state *fs);
	void (*skip_insn)(struct mv_vcpu *vcpu, unsigned int len);
	/* RFLAGS as the guest sees them, for instruction emulation. */
	u64 (*get_rflags)(struct mv_vcpu *vcpu);
	void (*set_rflags)(struct mv_vcpu *vcpu, u64 rflags);
};

extern const struct mv_backend_ops *mv_ops;

/* Backend registration (vmx/vmx_main.c). */
int mv_vmx_init(const struct mv_backend_ops **ops);
void mv_vmx_exit(void);

/* main.c */
int mv_hw_get(void);
void mv_hw_put(void);

/* vm.c */
int mv_vm_create(unsigned long flags);
void mv_vm_put(struct mv_vm *vm);
struct mv_memslot *mv_find_slot(struct mv_vm *vm, u64 gpa);
int mv_read_guest_phys(struct mv_vm *vm, u64 gpa, void *buf, unsigned int len);
int mv_write_guest_phys(struct mv_vm *vm, u64 gpa, const void *buf, unsigned int len);

/* vcpu.c */
int mv_vcpu_create(struct mv_vm *vm, unsigned long id);
void mv_vcpu_preempt_init(void);
void mv_vcpu_preempt_exit(void);

/* cpuid.c: r[] = { eax, ebx, ecx, edx } */
void mv_cpuid(struct mv_vcpu *vcpu, u32 leaf, u32 subleaf, bool osxsave, u32 *r);

/* mmio.c: 0 to return to userspace (run page filled), 1 to enter the guest */
int mv_mmio_exit(struct mv_vcpu *vcpu);
int mv_mmio_complete(struct mv_vcpu *vcpu);

#endif /* MV_H */
