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
#include <linux/mmu_notifier.h>
#include <linux/spinlock.h>
#include <linux/rcuwait.h>
#include <linux/sched.h>
#include <linux/uidgid.h>
#include <linux/minivisor.h>
#include "../common/x86_decode.h"
#include "compat.h"

#define MV_MAX_MEMSLOTS		32
#define MV_MAX_VCPUS		8
#define MV_MAX_SLOT_MIB		(64 * 1024ULL)	/* 64 GiB per slot */
#define MV_RUN_SIZE		PAGE_SIZE
#define MV_RUN_IO_DATA_OFFSET	2048	/* I/O data area inside the run page */

#define mv_err(fmt, ...)  pr_err_ratelimited("minivisor: " fmt, ##__VA_ARGS__)
#define mv_info(fmt, ...) pr_info("minivisor: " fmt, ##__VA_ARGS__)

/* Second-level page-table counters, for the log line at VM destruction. */
struct mv_mmu_stats {
	u64 maps_small, maps_large;	/* 4 KiB and 2 MiB leaves made */
	long leaves_large;		/* 2 MiB leaves present now */
	long tables;			/* table pages besides the root */
};

/* Guest RAM [gpa, +npages pages) is the VMM's memory at hva (mmu.c). */
struct mv_memslot {
	u64 gpa;
	u64 npages;		/* 0: slot unused */
	u64 hva;
	u32 flags;		/* MV_MEM_* */
};

struct mv_vm {
	struct kref kref;		/* VM fd + one per vCPU */
	struct mutex lock;		/* slots[] and vcpus[] changes */
	struct mm_struct *mm;		/* creator; other processes get EIO */
	struct mv_memslot slots[MV_MAX_MEMSLOTS];
	struct mv_vcpu *vcpus[MV_MAX_VCPUS];
	void *arch;			/* backend state (EPT) */
	bool msr_exit;			/* MV_CAP_MSR_EXIT enabled */

	/* Second-level tables and MMU-notifier state (mmu.c). */
	spinlock_t mmu_lock;		/* tables, invalidations; slots[] writes */
	struct mmu_notifier mn;		/* on mm */
	bool mn_registered;
	bool mm_dead;			/* ->release ran: no more fault-in */
	unsigned long mmu_seq;		/* bumped when an invalidation ends */
	long mmu_inval_count;		/* invalidations in progress */
	unsigned long mmu_inval_start, mmu_inval_end;	/* their HVA union */
	pid_t creator;			/* for the log */
	bool desc_exit;			/* MV_CAP_DESC_EXIT enabled */
	bool lapic;			/* MV_CAP_LAPIC: every vCPU has a local APIC */
	s64 tsc_offset;			/* guest TSC = host TSC + tsc_offset */
	u32 halt_poll_ns;		/* MV_CAP_HALT_POLL */

	/* Observability (vm_registry.c, stats.c, netlink.c). */
	u32 id;				/* MV_GET_VM_ID, netlink MV_NL_A_VM_ID */
	kuid_t owner_uid;		/* creator's euid */
	struct user_namespace *owner_ns;	/* creator's user namespace (a reference) */
	u64 created_ns;			/* CLOCK_REALTIME */
	char comm[TASK_COMM_LEN];	/* creator's */
	/* Per vCPU id, from its first MV_CREATE_VCPU until the VM is freed. */
	struct mv_vcpu_stats *stats[MV_MAX_VCPUS];
	struct mutex stats_lock;	/* readers and resets of vCPUs not in MV_RUN */
	void *nl;			/* netlink.c's per-VM state (event rate limit) */
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
	MV_NEXIT_HYPERCALL,	/* RIP already advanced; RAX set at completion */
	MV_NEXIT_MSR,		/* unknown MSR, userspace asked to see it */
	MV_NEXIT_RAM_FAULT,	/* guest RAM the VMM's memory cannot back (mem) */
	MV_NEXIT_DEBUG,		/* MV_SET_GUEST_DEBUG event */
	MV_NEXIT_DESC,		/* descriptor-table instruction for userspace */
};

struct mv_exit {
	u32 reason;		/* enum mv_nexit_reason */
	union {
		struct mv_io_exit {
			u16 port;
			u8 size;
			bool in;
			u32 value;	/* OUT data */
			/* INS/OUTS (string): RIP not advanced yet */
			bool string, rep, df;
			u8 addr_size;	/* 2, 4 or 8 */
			u8 cpl;
			u8 insn_len;
			u32 count;	/* elements in this exit (core) */
			u64 la;		/* linear address of the current element */
			u64 rip;
		} io;
		struct {
			u64 gpa;
			bool write;
			int error;	/* MV_NEXIT_RAM_FAULT: -errno */
		} mem;
		struct {
			u64 reason;
			u64 qual;
			u32 check;	/* vmx_entry_check rule id, 0: none */
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
			u32 check;	/* rule id for errors 7 and 8, else 0 */
		} hw;
		struct {
			u64 nr;
			u64 args[4];
		} hypercall;
		struct {
			u32 index;
			bool write;
			u64 data;
		} msr;
		struct {
			u32 exception;
			u64 pc, dr6, dr7;
		} debug;
		struct {
			u8 insn;
			u16 selector;
			u32 limit;
			u64 base;
		} desc;
	};
};

/* Work to finish at the next MV_RUN, after userspace has supplied data. */
enum mv_pending_kind {
	MV_PENDING_NONE,
	MV_PENDING_PIO_IN,
	MV_PENDING_MMIO_READ,	/* an MMIO read exit awaits its data */
	MV_PENDING_HYPERCALL,	/* run->hypercall.ret to RAX */
	MV_PENDING_MSR,		/* run->msr: data to EDX:EAX, or #GP */
	MV_PENDING_PIO_STRING_IN, /* INS: data area to guest memory (pending_io) */
	MV_PENDING_DESC,	/* execute the descriptor-table instruction */
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
	struct mv_io_exit pending_io;	/* MV_PENDING_PIO_STRING_IN */
	bool dead;			/* a VMX instruction failed */
	u64 xcr0;			/* guest XCR0 (XSETBV), reset value 1 */
	struct mv_cpuid_table *cpuid;	/* what the guest's CPUID returns */

	/* Interrupts and events (intr.c, lapic.c). */
	struct mv_lapic *lapic;		/* NULL without MV_CAP_LAPIC */
	unsigned long requests;		/* MV_REQ_* bits, set from any CPU */
	u8 sipi_vector;			/* with MV_REQ_SIPI */
	u32 mp_state;			/* MV_MP_STATE_*, vCPU thread only */
	int ext_irq;			/* MV_INTERRUPT vector waiting, or -1 */
	bool eoi_exit;			/* report MV_EXIT_EOI with eoi_vector */
	u8 eoi_vector;
	bool nmi_queued;		/* an NMI waits for NMIs to be unblocked */
	struct rcuwait wait;		/* blocked in HLT or wait-for-SIPI */
	int guest_cpu;			/* CPU it runs the guest on, or -1 */
	struct task_struct *task;	/* the thread in MV_RUN, for kicks */
	s64 tsc_offset;			/* guest TSC = host TSC + tsc_offset */
	struct mv_vcpu_stats *stats;	/* vm->stats[id] */
};

/* vcpu->requests: work for the vCPU thread before its next entry. */
#define MV_REQ_EVENT		0	/* an IRR bit was set: evaluate interrupts */
#define MV_REQ_NMI		1
#define MV_REQ_INIT		2
#define MV_REQ_SIPI		3
#define MV_REQ_STATS_RESET	4	/* zero the statistics (stats.c) */

void mv_vcpu_request(struct mv_vcpu *vcpu, unsigned int req);
void mv_vcpu_kick(struct mv_vcpu *vcpu);
u64 mv_vcpu_guest_tsc(struct mv_vcpu *vcpu);
void mv_vcpu_eoi_exit(struct mv_vcpu *vcpu, u8 vector);
extern u32 mv_tsc_khz;

/* intr.c */
bool mv_vcpu_enter_guest(struct mv_vcpu *vcpu);	/* IRQs off, before entry */
void mv_vcpu_exit_guest(struct mv_vcpu *vcpu);	/* after the exit */
int mv_intr_prepare(struct mv_vcpu *vcpu);
int mv_intr_halt(struct mv_vcpu *vcpu);
void mv_intr_fill_run(struct mv_vcpu *vcpu);
long mv_intr_ioctl(struct mv_vcpu *vcpu, unsigned int ioctl, void __user *argp);
void mv_intr_vcpu_init(struct mv_vcpu *vcpu);
u32 mv_halt_poll_default(void);
u32 mv_halt_poll_max(void);

struct mv_backend_ops {
	const char *name;
	/* Name of a raw exit reason, NULL if unknown (statistics, recorder). */
	const char *(*exit_reason_name)(u32 reason);
	/* Turn hardware virtualization on/off on every online CPU. */
	int (*enable)(void);
	void (*disable)(void);
	/*
	 * Optional: how long (ms) to keep the enabled state after the last
	 * VM is gone, 0 for not at all; asked at that moment.
	 */
	unsigned int (*linger_ms)(void);
	u64 (*cap)(unsigned int cap);

	int (*vm_init)(struct mv_vm *vm);
	void (*vm_destroy)(struct mv_vm *vm);
	/*
	 * Second-level page tables (mmu.c holds vm->mmu_lock; none sleeps).
	 * map_page: level 1 = 4 KiB, 2 = 2 MiB at pfn; 0, 1 (flush needed),
	 * -ENOMEM (a table is needed and *spare is NULL: allocate one, call
	 * again) or -EEXIST (no 2 MiB leaf possible here). zap: true if
	 * anything changed, then flush before the memory is reused; tables
	 * left empty go on 'freed' if it is not NULL.
	 */
	int (*map_page)(struct mv_vm *vm, u64 gpa, u64 pfn, unsigned int level,
			bool writable, void **spare);
	bool (*zap)(struct mv_vm *vm, u64 gpa, u64 size, struct list_head *freed);
	void (*flush)(struct mv_vm *vm);	/* every CPU */
	void (*mmu_stats)(struct mv_vm *vm, struct mv_mmu_stats *st);

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
	int (*set_sregs)(struct mv_vcpu *vcpu, const struct mv_sregs *sregs);
	u64 (*get_gpr)(struct mv_vcpu *vcpu, unsigned int reg);
	void (*set_gpr)(struct mv_vcpu *vcpu, unsigned int reg, u64 val);
	void (*get_fetch_state)(struct mv_vcpu *vcpu, struct mv_fetch_state *fs);
	void (*skip_insn)(struct mv_vcpu *vcpu, unsigned int len);

	int (*get_events)(struct mv_vcpu *vcpu, struct mv_vcpu_events *ev);
	int (*set_events)(struct mv_vcpu *vcpu, const struct mv_vcpu_events *ev);
	int (*inject_exception)(struct mv_vcpu *vcpu, const struct mv_exception *ex);
	void (*queue_gp)(struct mv_vcpu *vcpu);
	/* An exception for the next entry; #PF: payload is CR2. */
	void (*queue_exception)(struct mv_vcpu *vcpu, u8 vector, bool has_error, u32 error,
				u64 payload);
	/* MSRs the backend keeps (VMCS fields, switched MSRs); -ENOENT: not ours. */
	int (*get_msr)(struct mv_vcpu *vcpu, u32 index, u64 *data);
	int (*set_msr)(struct mv_vcpu *vcpu, u32 index, u64 data, bool host);
	int (*set_guest_debug)(struct mv_vcpu *vcpu, const struct mv_guest_debug *dbg);
	/* MV_PENDING_DESC: execute it (or #GP when refused). */
	void (*desc_complete)(struct mv_vcpu *vcpu, bool refused);
	/* RFLAGS as the guest sees them, for instruction emulation. */
	u64 (*get_rflags)(struct mv_vcpu *vcpu);
	void (*set_rflags)(struct mv_vcpu *vcpu, u64 rflags);
	/* Around the entry loop of one MV_RUN, vCPU loaded, preemption enabled. */
	void (*vcpu_run_begin)(struct mv_vcpu *vcpu);
	void (*vcpu_run_end)(struct mv_vcpu *vcpu);

	/* Interrupts (intr.c); vCPU loaded. */
	bool (*irq_allowed)(struct mv_vcpu *vcpu);	/* IF, no shadow, no event queued */
	bool (*nmi_allowed)(struct mv_vcpu *vcpu);
	void (*inject_irq)(struct mv_vcpu *vcpu, u8 vector);
	void (*inject_nmi)(struct mv_vcpu *vcpu);
	/* Exit as soon as an interrupt / an NMI could be injected. */
	void (*set_windows)(struct mv_vcpu *vcpu, bool irq, bool nmi);
	void (*init_vcpu)(struct mv_vcpu *vcpu);	/* INIT signal */
	void (*sipi)(struct mv_vcpu *vcpu, u8 vector);	/* leave wait-for-SIPI */
	/* The CPU delivers the LAPIC's interrupts itself (virtual-interrupt delivery). */
	bool (*apicv_active)(struct mv_vcpu *vcpu);
	/* Before entry with a LAPIC: mode and TMR changes; irr: new IRR bits. */
	void (*lapic_sync)(struct mv_vcpu *vcpu, bool irr);
};

extern const struct mv_backend_ops *mv_ops;

/* Backend registration (vmx/vmx_main.c). */
int mv_vmx_init(const struct mv_backend_ops **ops);
void mv_vmx_exit(void);

/* main.c */
int mv_hw_get(void);
void mv_hw_put(void);
void mv_hw_linger_flush(void);

/* vm_registry.c: every live VM by id; lookups return a reference. */
int mv_vm_register(struct mv_vm *vm);
void mv_vm_unregister(struct mv_vm *vm);
struct mv_vm *mv_vm_get_by_id(u32 id);
/* The live VM with the smallest id >= *id (then *id is its id), or NULL. */
struct mv_vm *mv_vm_get_next(u32 *id);
u64 mv_vm_mem_bytes(struct mv_vm *vm);
unsigned int mv_vm_vcpu_count(struct mv_vm *vm);

/* netlink.c: the "minivisor" generic netlink family. */
int mv_netlink_init(void);
void mv_netlink_exit(void);
void mv_nl_vm_event(struct mv_vm *vm, u32 event);	/* MV_NL_EVENT_VM_* */
/* Returning to userspace with run->exit_reason set: events for fatal exits. */
void mv_nl_exit_event(struct mv_vcpu *vcpu);
int mv_nl_vm_init(struct mv_vm *vm);
void mv_nl_vm_free(struct mv_vm *vm);

/* vm.c */
int mv_vm_create(struct file *dev, unsigned long flags);
void mv_vm_put(struct mv_vm *vm);
struct mv_memslot *mv_find_slot(struct mv_vm *vm, u64 gpa);
int mv_read_guest_phys(struct mv_vm *vm, u64 gpa, void *buf, unsigned int len);
int mv_write_guest_phys(struct mv_vm *vm, u64 gpa, const void *buf, unsigned int len);

/* mmu.c */
int mv_mmu_init(struct mv_vm *vm);
void mv_mmu_destroy(struct mv_vm *vm);
void mv_mmu_set_slot(struct mv_vm *vm, struct mv_memslot *slot,
		     const struct mv_memslot *new);
int mv_mmu_fault(struct mv_vcpu *vcpu, u64 gpa, bool write);
int mv_mmu_fault_exit(struct mv_vcpu *vcpu);
int mv_mmu_map_private(struct mv_vm *vm, u64 gpa, u64 pfn);

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

/* vcpu.c: true if the run loop must not enter (checked with IRQs off). */
bool mv_vcpu_exit_pending(void);

/* msr.c: MSR policy shared by every backend. */
enum mv_msr_result { MV_MSR_OK, MV_MSR_GP, MV_MSR_USER };
enum mv_msr_result mv_msr_read(struct mv_vcpu *vcpu, u32 index, u64 *data);
enum mv_msr_result mv_msr_write(struct mv_vcpu *vcpu, u32 index, u64 data);
long mv_msr_ioctl(struct mv_vcpu *vcpu, unsigned int ioctl, void __user *argp);
long mv_msr_index_list(void __user *argp);
void mv_msr_complete(struct mv_vcpu *vcpu);
int mv_msr_exit(struct mv_vcpu *vcpu);

/* linear.c */
int mv_linear_access(struct mv_vcpu *vcpu, u64 la, void *buf, unsigned int len, bool write,
		     u64 *fault_la);

/* pio.c: INS/OUTS */
int mv_pio_string_exit(struct mv_vcpu *vcpu);
void mv_pio_string_complete(struct mv_vcpu *vcpu);

/* mmio.c: 0 to return to userspace (run page filled), 1 to enter the guest */
int mv_mmio_exit(struct mv_vcpu *vcpu);
int mv_mmio_complete(struct mv_vcpu *vcpu);

#endif /* MV_H */
