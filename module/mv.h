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
	MV_PENDING_MMIO_READ,
};

struct mv_pending {
	u8 kind;
	u8 size;
	u8 reg;
	bool high_byte;
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
	u64 xcr0;			/* guest XCR0 (XSETBV), reset value 1 */
	struct mv_cpuid_table *cpuid;	/* what the guest's CPUID returns */
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
	/* Around the entry loop of one MV_RUN, vCPU loaded, preemption enabled. */
	void (*vcpu_run_begin)(struct mv_vcpu *vcpu);
	void (*vcpu_run_end)(struct mv_vcpu *vcpu);
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

/* vcpu.c */
int mv_vcpu_create(struct mv_vm *vm, unsigned long id);
void mv_vcpu_preempt_init(void);
void mv_vcpu_preempt_exit(void);

/* cpuid.c: r[] = { eax, ebx, ecx, edx } */
void mv_cpuid(struct mv_vcpu *vcpu, u32 leaf, u32 subleaf, bool osxsave, u32 *r);
int mv_cpuid_vcpu_init(struct mv_vcpu *vcpu);
void mv_cpuid_vcpu_free(struct mv_vcpu *vcpu);
long mv_cpuid_ioctl(struct mv_vcpu *vcpu, unsigned int ioctl, void __user *argp);
/* 0 if the guest may load XCR0 with val, else the exception vector (#GP). */
int mv_xcr0_check(struct mv_vcpu *vcpu, u32 index, u64 val);

/* mmio.c */
int mv_mmio_exit(struct mv_vcpu *vcpu);

#endif /* MV_H */
