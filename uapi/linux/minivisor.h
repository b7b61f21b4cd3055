/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * minivisor userspace ABI.
 *
 * Stable and versioned: MV_API_VERSION only grows, struct layouts never
 * change (their sizes and offsets are pinned by the host-tier tests), new
 * behaviour is announced through MV_CHECK_CAP and carried in reserved
 * fields, which must be zero today and are rejected with EINVAL otherwise.
 * Documentation/api.md describes every ioctl, exit and error.
 */
#ifndef _UAPI_LINUX_MINIVISOR_H
#define _UAPI_LINUX_MINIVISOR_H

#include <linux/types.h>
#include <linux/ioctl.h>

#define MV_API_VERSION		1

/* ioctl type byte; not taken in Documentation/userspace-api/ioctl/ioctl-number.rst */
#define MVIO			0xB9

/* ---- capabilities, MV_CHECK_CAP(cap) returns 0 when absent ---- */
#define MV_CAP_NR_MEMSLOTS	1	/* number of memory slots */
#define MV_CAP_MAX_VCPUS	2	/* vCPUs per VM */
#define MV_CAP_READONLY_MEM	3	/* MV_MEM_READONLY supported */
#define MV_CAP_IMMEDIATE_EXIT	4	/* mv_run.immediate_exit honoured */
#define MV_CAP_UNRESTRICTED	5	/* real-mode and unpaged guests run */
#define MV_CAP_VCPU_MMAP_SIZE	6	/* bytes to mmap() on a vCPU fd */
#define MV_CAP_MAX_MEMSLOT_SIZE	7	/* largest memory_size in one slot, in MiB */
#define MV_CAP_GUEST_PHYS_BITS	8	/* guest-physical address width */
/* 9 is MV_CAP_SET_CPUID */
#define MV_CAP_VCPU_EVENTS	10	/* MV_GET/SET_VCPU_EVENTS, MV_INJECT_EXCEPTION */
#define MV_CAP_MSRS		11	/* MV_GET/SET_MSRS, MV_GET_MSR_INDEX_LIST */
#define MV_CAP_MSR_EXIT		12	/* MV_ENABLE_CAP: unknown MSRs exit (MV_EXIT_MSR) */
#define MV_CAP_HYPERCALL	13	/* VMCALL ABI version (1), MV_EXIT_HYPERCALL */
#define MV_CAP_GUEST_DEBUG	14	/* MV_GUESTDBG_* bits MV_SET_GUEST_DEBUG accepts */
#define MV_CAP_GUEST_DEBUG_MTF	15	/* 1: single-step uses the monitor trap flag */
#define MV_CAP_DESC_EXIT	16	/* MV_ENABLE_CAP: LGDT/LIDT/LLDT/LTR/SGDT/SIDT/SLDT/STR exit */
#define MV_CAP_IRQ_INJECT	17	/* MV_INTERRUPT, MV_NMI, interrupt-window fields in mv_run */
/*
 * In-kernel local APIC per vCPU (MV_ENABLE_CAP before the first
 * MV_CREATE_VCPU, args[0] = 0). MV_CHECK_CAP returns MV_LAPIC_* bits.
 */
#define MV_CAP_LAPIC		18
#define MV_LAPIC_XAPIC		(1u << 0)	/* MMIO page at IA32_APIC_BASE */
#define MV_LAPIC_X2APIC		(1u << 1)	/* MSRs 0x800-0x8ff */
#define MV_LAPIC_APICV		(1u << 2)	/* TPR shadow, APIC-register virt., VID */
#define MV_CAP_SIGNAL_MSI	19	/* MV_SIGNAL_MSI (needs MV_CAP_LAPIC enabled) */
#define MV_CAP_MP_STATE		20	/* MV_GET/SET_MP_STATE */
#define MV_CAP_TSC_KHZ		21	/* guest TSC frequency in kHz (CPUID 0x15/0x16, 0x40000010) */
#define MV_CAP_HALT_POLL	22	/* MV_ENABLE_CAP: args[0] = halt-poll ns; CHECK: default */
#define MV_CAP_NETLINK		23	/* MV_GENL_VERSION of the "minivisor" genl family */
#define MV_CAP_STATS		24	/* MV_STATS_* bits: what the statistics record now */
#define MV_STATS_HISTOGRAMS	(1u << 0)	/* latency histograms (module parameter) */
#define MV_STATS_FLIGHT		(1u << 1)	/* exit flight recorder (flight_entries > 0) */
#define MV_STATS_COUNTERS	(1u << 2)	/* exit statistics at all (module parameter stats) */
#define MV_CAP_VMX_OWNER	25	/* whose VMX operation minivisor's VMs run in now: */
#define MV_VMX_OWNER_NONE	0	/* no VM exists: VMX not in use by minivisor */
#define MV_VMX_OWNER_SELF	1	/* minivisor's own VMXON (module parameter vmx_share=self) */
#define MV_VMX_OWNER_KVM	2	/* kvm_intel's, shared beside KVM's VMs */

/* ---- system ioctls, on /dev/minivisor ---- */
#define MV_GET_API_VERSION	_IO(MVIO, 0x00)	/* returns MV_API_VERSION */
#define MV_CHECK_CAP		_IO(MVIO, 0x01)	/* arg: MV_CAP_*; returns value */
#define MV_CREATE_VM		_IO(MVIO, 0x02)	/* arg: flags, must be 0; returns VM fd */

/* MV_GET_MSR_INDEX_LIST: the MSRs MV_GET_MSRS/MV_SET_MSRS accept. */
struct mv_msr_list {
	__u32 nmsrs;		/* in: room in indices[]; out: how many there are */
	__u32 indices[];
};

#define MV_GET_MSR_INDEX_LIST	_IOWR(MVIO, 0x03, struct mv_msr_list)

/* ---- VM ioctls, on a VM fd ---- */
#define MV_MEM_READONLY		(1u << 0)	/* guest writes exit as MMIO */
#define MV_MEM_VALID_FLAGS	(MV_MEM_READONLY)

struct mv_memory_region {
	__u32 slot;		/* 0 .. MV_CAP_NR_MEMSLOTS - 1 */
	__u32 flags;		/* MV_MEM_* */
	__u64 guest_phys_addr;	/* page aligned */
	__u64 memory_size;	/* page aligned; 0 deletes the slot */
	__u64 userspace_addr;	/* page aligned, mapped in the caller */
	__u64 reserved[2];	/* must be zero */
};

#define MV_SET_MEMORY_REGION	_IOW(MVIO, 0x10, struct mv_memory_region)
#define MV_CREATE_VCPU		_IO(MVIO, 0x11)	/* arg: vCPU id; returns vCPU fd */

/* MV_ENABLE_CAP: opt-in behaviour for the whole VM. */
struct mv_enable_cap {
	__u32 cap;		/* MV_CAP_MSR_EXIT */
	__u32 flags;		/* must be 0 */
	__u64 args[4];		/* per cap; unused ones must be 0 */
};

#define MV_ENABLE_CAP		_IOW(MVIO, 0x12, struct mv_enable_cap)

/*
 * MV_SIGNAL_MSI: deliver an interrupt to the in-kernel local APICs as a
 * message-signalled interrupt would (SDM Vol. 3A 11.11): address bits 19:12
 * destination ID, bit 3 redirection hint, bit 2 destination mode (1:
 * logical); data bits 7:0 vector, 10:8 delivery mode (MV_APIC_DM_*), bit 14
 * level (assert), bit 15 trigger mode (1: level). x2APIC destinations above
 * 255 go in address_hi bits 31:8. Returns how many local APICs accepted it
 * (0: none matched, or the interrupt was masked/blocked).
 */
#define MV_APIC_DM_FIXED	0
#define MV_APIC_DM_LOWEST	1
#define MV_APIC_DM_SMI		2
#define MV_APIC_DM_NMI		4
#define MV_APIC_DM_INIT		5
#define MV_APIC_DM_STARTUP	6
#define MV_APIC_DM_EXTINT	7

struct mv_msi {
	__u32 address_lo;	/* 0xfeeXXXXX */
	__u32 address_hi;	/* x2APIC destination bits 31:8, else 0 */
	__u32 data;
	__u32 flags;		/* must be 0 */
	__u64 reserved[2];	/* must be zero */
};

#define MV_SIGNAL_MSI		_IOW(MVIO, 0x13, struct mv_msi)
/* The VM's id (>= 1) in the netlink family, unique while the module is loaded. */
#define MV_GET_VM_ID		_IO(MVIO, 0x14)

/* ---- vCPU ioctls, on a vCPU fd ---- */
struct mv_regs {
	__u64 rax, rbx, rcx, rdx;
	__u64 rsi, rdi, rsp, rbp;
	__u64 r8, r9, r10, r11;
	__u64 r12, r13, r14, r15;
	__u64 rip, rflags;
};

struct mv_segment {
	__u64 base;
	__u32 limit;		/* byte granular, as the CPU uses it */
	__u16 selector;
	__u8  type;		/* descriptor type, 4 bits */
	__u8  present, dpl, db, s, l, g, avl;
	__u8  unusable;		/* VMX "segment unusable" */
	__u8  padding;		/* must be zero */
};

struct mv_dtable {
	__u64 base;
	__u16 limit;
	__u16 padding[3];	/* must be zero */
};

struct mv_sregs {
	struct mv_segment cs, ds, es, fs, gs, ss;
	struct mv_segment tr, ldt;
	struct mv_dtable gdt, idt;
	__u64 cr0, cr2, cr3, cr4;
	__u64 efer;
	__u64 reserved[8];	/* must be zero */
};

#define MV_RUN			_IO(MVIO, 0x20)
#define MV_GET_REGS		_IOR(MVIO, 0x21, struct mv_regs)
#define MV_SET_REGS		_IOW(MVIO, 0x22, struct mv_regs)
#define MV_GET_SREGS		_IOR(MVIO, 0x23, struct mv_sregs)
#define MV_SET_SREGS		_IOW(MVIO, 0x24, struct mv_sregs)

/*
 * Event state that is not in the registers: an exception (or a software
 * interrupt that was being delivered when the guest exited) waiting for the
 * next entry, the STI / MOV SS interrupt shadow, NMI blocking and pending
 * debug exceptions (the single-step trap after an instruction the kernel
 * emulated). A reset must set all of it to zero.
 */
#define MV_EVENT_EXCEPTION	1	/* hardware exception, vector 0..31 */
#define MV_EVENT_SOFT_INTR	2	/* INT n being delivered */
#define MV_EVENT_SOFT_EXCEPTION	3	/* INT3 / INTO being delivered */
#define MV_EVENT_PRIV_SOFT_EXCEPTION 4	/* INT1 (ICEBP) being delivered */

#define MV_SHADOW_STI		(1u << 0)
#define MV_SHADOW_MOV_SS	(1u << 1)

#define MV_PENDING_DBG_B0_3	0xfull		/* data/IO breakpoints matched */
#define MV_PENDING_DBG_BS	(1ull << 14)	/* single-step trap */

struct mv_vcpu_events {
	__u8  event_pending;	/* 1: event_* is delivered at the next entry */
	__u8  event_type;	/* MV_EVENT_* */
	__u8  event_vector;
	__u8  event_has_error;	/* push event_error (protected mode only) */
	__u32 event_error;
	__u32 event_insn_len;	/* software events: length of the INT insn */
	__u32 interrupt_shadow;	/* MV_SHADOW_* */
	__u8  nmi_blocked;
	__u8  padding[7];	/* must be zero */
	__u64 pending_debug;	/* MV_PENDING_DBG_* */
	__u64 reserved[4];	/* must be zero */
};

/* MV_INJECT_EXCEPTION: queue a hardware exception for the next entry. */
struct mv_exception {
	__u8  vector;		/* 0..31, not 2 (NMI) or reserved vectors */
	__u8  has_error;	/* error code pushed (vectors 8, 10-14, 17, 21) */
	__u8  padding[2];	/* must be zero */
	__u32 error;
	__u64 payload;		/* #PF: new CR2; #DB: DR6 bits; else 0 */
};

struct mv_msr_entry {
	__u32 index;
	__u32 reserved;		/* must be zero */
	__u64 data;
};

/* MV_GET_MSRS / MV_SET_MSRS: returns how many entries were processed. */
struct mv_msrs {
	__u32 nmsrs;
	__u32 pad;		/* must be zero */
	struct mv_msr_entry entries[];
};

/*
 * MV_SET_GUEST_DEBUG: the VMM debugs the guest. Debug events exit as
 * MV_EXIT_DEBUG instead of reaching the guest.
 */
#define MV_GUESTDBG_ENABLE	(1u << 0)
#define MV_GUESTDBG_SINGLESTEP	(1u << 1)	/* exit after every instruction */
#define MV_GUESTDBG_USE_SW_BP	(1u << 2)	/* INT3 exits */
#define MV_GUESTDBG_USE_HW_BP	(1u << 3)	/* debugreg[] replace the guest's DR0-3, DR7 */
#define MV_GUESTDBG_VALID	0xfu

struct mv_guest_debug {
	__u32 control;		/* MV_GUESTDBG_* */
	__u32 pad;		/* must be zero */
	__u64 debugreg[8];	/* [0..3] addresses, [7] DR7; others must be zero */
	__u64 reserved[2];	/* must be zero */
};

#define MV_SET_GUEST_DEBUG	_IOW(MVIO, 0x2a, struct mv_guest_debug)
#define MV_GET_VCPU_EVENTS	_IOR(MVIO, 0x26, struct mv_vcpu_events)
#define MV_SET_VCPU_EVENTS	_IOW(MVIO, 0x27, struct mv_vcpu_events)
#define MV_GET_MSRS		_IOWR(MVIO, 0x28, struct mv_msrs)
#define MV_SET_MSRS		_IOW(MVIO, 0x29, struct mv_msrs)
#define MV_INJECT_EXCEPTION	_IOW(MVIO, 0x2b, struct mv_exception)

/*
 * MV_INTERRUPT: queue an external interrupt (an 8259 PIC's, or any when
 * the VM has no in-kernel local APIC). It is delivered at the first entry
 * at which the guest can take it; -EBUSY if one is already queued. Use it
 * when mv_run.ready_for_interrupt_injection is 1, or set
 * request_interrupt_window and wait for MV_EXIT_IRQ_WINDOW_OPEN.
 */
struct mv_interrupt {
	__u32 vector;		/* 0..255; 0..31 are refused (exceptions) */
	__u32 flags;		/* must be 0 */
};

#define MV_INTERRUPT		_IOW(MVIO, 0x2c, struct mv_interrupt)
/* MV_NMI: queue an NMI; delivered when NMIs are unblocked (virtual NMIs). */
#define MV_NMI			_IO(MVIO, 0x2d)

/*
 * MV_GET/SET_LAPIC: the in-kernel local APIC's registers, laid out as the
 * xAPIC MMIO page (offset 0x20 ID ... 0x3e0 divide configuration). SET
 * recomputes PPR and re-arms the timer from the initial count.
 */
struct mv_lapic_state {
	__u8 regs[1024];
};

#define MV_GET_LAPIC		_IOR(MVIO, 0x2e, struct mv_lapic_state)
#define MV_SET_LAPIC		_IOW(MVIO, 0x2f, struct mv_lapic_state)

/*
 * Multiprocessor state (SDM Vol. 3A 9.4): with an in-kernel local APIC,
 * vCPUs other than 0 start in WAIT_SIPI and MV_RUN on them blocks until a
 * start-up IPI arrives (or a signal: -EINTR). HALTED is a vCPU blocked in
 * HLT in the kernel.
 */
#define MV_MP_STATE_RUNNABLE	0
#define MV_MP_STATE_WAIT_SIPI	1	/* after INIT: waiting for a SIPI */
#define MV_MP_STATE_HALTED	2

struct mv_mp_state {
	__u32 state;		/* MV_MP_STATE_* */
	__u32 pad;		/* must be zero */
};

#define MV_GET_MP_STATE		_IOR(MVIO, 0x30, struct mv_mp_state)
#define MV_SET_MP_STATE		_IOW(MVIO, 0x31, struct mv_mp_state)

#define MV_MSRS_MAX		256	/* entries per MV_GET_MSRS / MV_SET_MSRS */

/* Hypercalls: VMCALL with the number in RAX, arguments in RBX, RCX, RDX, RSI. */
#define MV_HC_NOP		0	/* handled in the kernel, returns 0 */
#define MV_HC_USER_BASE		0x1000	/* 0x1000..0x1fff exit to userspace */
#define MV_HC_ENOSYS		((__u64)-38)	/* RAX for unknown numbers */
#define MV_HC_EPERM		((__u64)-1)	/* RAX for VMCALL at CPL > 0 */

/* ---- the shared run page, mmap()ed from a vCPU fd at offset 0 ---- */
enum mv_exit_reason {
	MV_EXIT_NONE		= 0,
	MV_EXIT_IO		= 1,	/* port I/O, see mv_run.io */
	MV_EXIT_MMIO		= 2,	/* access to a GPA with no slot, see mv_run.mmio */
	MV_EXIT_HLT		= 3,	/* guest executed HLT */
	MV_EXIT_SHUTDOWN	= 4,	/* triple fault */
	MV_EXIT_FAIL_ENTRY	= 5,	/* VM entry refused the guest state */
	MV_EXIT_INTERNAL_ERROR	= 6,	/* the kernel could not handle an exit */
	MV_EXIT_INTR		= 7,	/* signal pending or immediate_exit */
	MV_EXIT_HYPERCALL	= 8,	/* VMCALL in MV_HC_USER_BASE.., see mv_run.hypercall */
	MV_EXIT_MSR		= 9,	/* unknown MSR with MV_CAP_MSR_EXIT, see mv_run.msr */
	MV_EXIT_DEBUG		= 10,	/* MV_SET_GUEST_DEBUG event, see mv_run.debug */
	MV_EXIT_DESC		= 11,	/* descriptor-table instruction, see mv_run.desc */
	MV_EXIT_IRQ_WINDOW_OPEN	= 12,	/* request_interrupt_window: MV_INTERRUPT now */
	MV_EXIT_EOI		= 13,	/* EOI of a level-triggered vector, see mv_run.eoi */
};

/* mv_run.desc.insn */
#define MV_DESC_SGDT		0
#define MV_DESC_SIDT		1
#define MV_DESC_LGDT		2
#define MV_DESC_LIDT		3
#define MV_DESC_SLDT		4
#define MV_DESC_STR		5
#define MV_DESC_LLDT		6
#define MV_DESC_LTR		7

#define MV_EXIT_IO_IN		0
#define MV_EXIT_IO_OUT		1

enum mv_internal_suberror {
	MV_INTERNAL_UNHANDLED_EXIT = 1,	/* data: raw reason, qualification, rip */
	MV_INTERNAL_EMULATION	   = 2,	/* data: gpa, rip, insn bytes[0..7], [8..15], why */
	MV_INTERNAL_HW_ERROR	   = 3,	/* data: failing op, VM-instruction error */
	MV_INTERNAL_MEMORY_FAULT   = 4,	/* data: gpa, is_write, errno, userspace addr */
};

#define MV_INTERNAL_MAX_DATA	16

struct mv_run {
	/* in: set by userspace */
	__u8  immediate_exit;	/* MV_RUN returns -EINTR before entering */
	__u8  request_interrupt_window;	/* exit once the guest can take MV_INTERRUPT */
	__u8  padding_in[6];

	/* out: set by the kernel on every return from MV_RUN */
	__u32 exit_reason;	/* enum mv_exit_reason */
	__u8  ready_for_interrupt_injection;	/* MV_INTERRUPT now is taken at once */
	__u8  if_flag;		/* guest RFLAGS.IF */
	__u8  padding_out[2];
	__u64 reserved[6];

	union {
		/* MV_EXIT_IO: data is at (char *)run + data_offset */
		struct {
			__u8  direction;	/* MV_EXIT_IO_IN / _OUT */
			__u8  size;		/* 1, 2 or 4 */
			__u16 port;
			__u32 count;		/* 1 today; string I/O later */
			__u64 data_offset;
		} io;
		/* MV_EXIT_MMIO: a read is completed from data by the next MV_RUN */
		struct {
			__u64 phys_addr;
			__u8  data[8];
			__u32 len;		/* 1, 2, 4 or 8 */
			__u8  is_write;
			__u8  padding[3];
		} mmio;
		/* MV_EXIT_FAIL_ENTRY */
		struct {
			__u64 hardware_entry_failure_reason; /* basic exit reason */
			__u64 qualification;	/* which check failed */
			__u32 cpu;
			__u32 check;		/* first SDM rule broken, 0: none found */
		} fail_entry;
		/* MV_EXIT_INTERNAL_ERROR */
		struct {
			__u32 suberror;		/* enum mv_internal_suberror */
			__u32 ndata;
			__u64 data[MV_INTERNAL_MAX_DATA];
		} internal;
		/* MV_EXIT_HYPERCALL: ret goes to the guest's RAX at the next MV_RUN */
		struct {
			__u64 nr;
			__u64 args[4];
			__u64 ret;
		} hypercall;
		/* MV_EXIT_MSR: set data (reads) and error at the next MV_RUN */
		struct {
			__u32 index;
			__u8  is_write;
			__u8  error;		/* in: 1 injects #GP instead */
			__u8  padding[2];
			__u64 data;
		} msr;
		/* MV_EXIT_DEBUG */
		struct {
			__u32 exception;	/* 1: #DB (step, HW breakpoint), 3: #BP */
			__u32 padding;
			__u64 pc;		/* guest RIP */
			__u64 dr6;		/* #DB: B0-B3, BS */
			__u64 dr7;		/* the DR7 in effect */
		} debug;
		/*
		 * MV_EXIT_DESC: the instruction has not executed yet; the next
		 * MV_RUN executes it, or raises #GP(0) if error is set.
		 */
		struct {
			__u8  insn;		/* MV_DESC_* */
			__u8  error;		/* in: 1 refuses the instruction */
			__u16 selector;		/* LLDT/LTR: the new one; SLDT/STR: current */
			__u32 limit;		/* LGDT/LIDT: the new table; SGDT/SIDT: current */
			__u64 base;
		} desc;
		/* MV_EXIT_EOI: the guest ended a level-triggered interrupt */
		struct {
			__u8  vector;
			__u8  padding[7];
		} eoi;
		/* MV_EXIT_SHUTDOWN, MV_EXIT_HLT, MV_EXIT_INTR, _IRQ_WINDOW_OPEN: no payload */
		__u8 padding[256];
	};
	/* the I/O data area follows at io.data_offset, inside the mapping */
};

/* ---- guest CPUID, on a vCPU fd (MV_CAP_SET_CPUID) ---- */
#define MV_CAP_SET_CPUID	9	/* MV_SET_CPUID / MV_GET_CPUID supported */

#define MV_CPUID_FLAG_SIGNIFICANT_INDEX	(1u << 0)	/* index selects a subleaf */
#define MV_CPUID_VALID_FLAGS		(MV_CPUID_FLAG_SIGNIFICANT_INDEX)
#define MV_CPUID_MAX_ENTRIES		256

struct mv_cpuid_entry {
	__u32 function;		/* EAX on CPUID */
	__u32 index;		/* ECX on CPUID, if SIGNIFICANT_INDEX */
	__u32 flags;		/* MV_CPUID_FLAG_* */
	__u32 eax, ebx, ecx, edx;
	__u32 padding[3];	/* must be zero */
};

struct mv_cpuid {
	__u32 nent;		/* entries that follow (GET: in capacity, out count) */
	__u32 padding;		/* must be zero */
	struct mv_cpuid_entry entries[];
};

#define MV_SET_CPUID		_IOW(MVIO, 0x25, struct mv_cpuid)
/* Same number, read direction: the vCPU's table as the guest sees it. */
#define MV_GET_CPUID		_IOWR(MVIO, 0x25, struct mv_cpuid)

/*
 * ---- generic netlink family MV_GENL_NAME (Documentation/netlink.md) ----
 *
 * Versioned like the ioctl ABI: MV_GENL_VERSION only grows, commands and
 * attributes are only added, never renumbered. Requests are validated
 * strictly: unknown attributes, wrong types or lengths and trailing data are
 * refused with an extack message naming the attribute.
 */
#define MV_GENL_NAME		"minivisor"
#define MV_GENL_VERSION		1
#define MV_GENL_MCGRP_EVENTS	"events"

/* Latency histograms: bucket i counts handling times t with fls64(t) == i
 * (bucket 0: 0 ticks, 1: 1, 2: 2-3, 3: 4-7, ...); the last one takes the rest. */
#define MV_STATS_HIST_BUCKETS	40

enum mv_nl_cmd {
	MV_NL_CMD_UNSPEC,
	MV_NL_CMD_VM_GET,	/* doit: MV_NL_A_VM_ID; dump: every VM the caller may read */
	MV_NL_CMD_STATS_GET,	/* MV_NL_A_VM_ID [, MV_NL_A_VCPU_ID]: the VM's sum or one vCPU */
	MV_NL_CMD_STATS_RESET,	/* MV_NL_A_VM_ID [, MV_NL_A_VCPU_ID]; CAP_NET_ADMIN/SYS_ADMIN */
	MV_NL_CMD_FLIGHT_GET,	/* MV_NL_A_VM_ID, MV_NL_A_VCPU_ID: the last exits, oldest first */
	MV_NL_CMD_EVENT,	/* kernel to the "events" group only */
	__MV_NL_CMD_MAX,
};
#define MV_NL_CMD_MAX		(__MV_NL_CMD_MAX - 1)

enum mv_nl_attr {
	MV_NL_A_UNSPEC,
	MV_NL_A_PAD,
	MV_NL_A_VM_ID,		/* u32 */
	MV_NL_A_VCPU_ID,	/* u32 */
	MV_NL_A_PID,		/* u32: the creator's thread-group id */
	MV_NL_A_UID,		/* u32: the creator's euid, in the reader's user namespace */
	MV_NL_A_VCPU_COUNT,	/* u32: vCPUs that exist now */
	MV_NL_A_MEM_BYTES,	/* u64: guest-physical bytes in memory slots */
	MV_NL_A_CREATED_NS,	/* u64: creation time, CLOCK_REALTIME ns */
	MV_NL_A_COMM,		/* string: the creator's comm */
	MV_NL_A_TSC_KHZ,	/* u32: TSC ticks per ms, to turn ticks into time */
	MV_NL_A_STATS,		/* nested enum mv_nl_stats */
	MV_NL_A_FLIGHT,		/* nested: MV_NL_FLIGHT_ENTRY, each nested enum mv_nl_flight */
	MV_NL_A_EVENT,		/* u32: enum mv_nl_event */
	MV_NL_A_EVENT_REASON,	/* u64: raw exit reason (backend's numbering) */
	MV_NL_A_EVENT_QUAL,	/* u64: exit qualification */
	MV_NL_A_EVENT_RIP,	/* u64 */
	MV_NL_A_EVENT_RULE,	/* string: the entry check that failed (SDM rule) */
	MV_NL_A_EVENT_SUBERROR,	/* u32: enum mv_internal_suberror */
	MV_NL_A_EVENT_DROPPED,	/* u32: this VM's events dropped by the rate limit before this one */
	MV_NL_A_TIME_NS,	/* u64: when the event happened, CLOCK_REALTIME ns */
	MV_NL_A_BACKEND,	/* string: "vmx" */
	MV_NL_A_FLIGHT_SIZE,	/* u32: entries the recorder keeps per vCPU */
	__MV_NL_A_MAX,
};
#define MV_NL_A_MAX		(__MV_NL_A_MAX - 1)

/* Ticks are TSC ticks (MV_NL_A_TSC_KHZ per ms). All counters are u64. */
enum mv_nl_stats {
	MV_NL_STATS_UNSPEC,
	MV_NL_STATS_PAD,
	MV_NL_STATS_EXITS,		/* every VM exit */
	MV_NL_STATS_GUEST_TICKS,	/* in the guest: VM entry to VM exit */
	MV_NL_STATS_KERNEL_TICKS,	/* VM exit to next entry or return to userspace */
	MV_NL_STATS_USER_TICKS,		/* return to userspace to the next entry */
	MV_NL_STATS_IRQS,		/* external interrupts injected */
	MV_NL_STATS_NMIS,		/* NMIs injected */
	MV_NL_STATS_EXCEPTIONS,		/* exceptions injected */
	MV_NL_STATS_HALTS,		/* HLTs blocked in the kernel */
	MV_NL_STATS_HALT_WAKEUPS,	/* of those, ended by an event (not a signal) */
	MV_NL_STATS_HISTOGRAMS,		/* u8: 1 if histograms were recorded */
	MV_NL_STATS_REASON,		/* nested enum mv_nl_reason, one per reason seen */
	MV_NL_STATS_USER_EXIT,		/* nested enum mv_nl_user_exit, one per type seen */
	__MV_NL_STATS_MAX,
};
#define MV_NL_STATS_MAX		(__MV_NL_STATS_MAX - 1)

enum mv_nl_reason {
	MV_NL_REASON_UNSPEC,
	MV_NL_REASON_PAD,
	MV_NL_REASON_ID,		/* u32: raw exit reason */
	MV_NL_REASON_NAME,		/* string, e.g. "CPUID" */
	MV_NL_REASON_COUNT,		/* u64: exits */
	MV_NL_REASON_TICKS,		/* u64: in-kernel handling, summed */
	MV_NL_REASON_MIN,		/* u64 */
	MV_NL_REASON_MAX,		/* u64 */
	MV_NL_REASON_HIST,		/* binary: __u64[MV_STATS_HIST_BUCKETS] */
	MV_NL_REASON_USER_COUNT,	/* u64: of these, exits that went to userspace */
	MV_NL_REASON_USER_TICKS,	/* u64: their userspace round trips, summed */
	MV_NL_REASON_USER_MIN,		/* u64 */
	MV_NL_REASON_USER_MAX,		/* u64 */
	MV_NL_REASON_USER_HIST,		/* binary: __u64[MV_STATS_HIST_BUCKETS] */
	__MV_NL_REASON_MAX,
};
#define MV_NL_REASON_MAX_ATTR	(__MV_NL_REASON_MAX - 1)

enum mv_nl_user_exit {
	MV_NL_USER_EXIT_UNSPEC,
	MV_NL_USER_EXIT_PAD,
	MV_NL_USER_EXIT_TYPE,		/* u32: enum mv_exit_reason */
	MV_NL_USER_EXIT_COUNT,		/* u64 */
	__MV_NL_USER_EXIT_MAX,
};
#define MV_NL_USER_EXIT_MAX	(__MV_NL_USER_EXIT_MAX - 1)

#define MV_NL_FLIGHT_ENTRY	1	/* the only attribute inside MV_NL_A_FLIGHT */

/* One exit of the flight recorder. */
enum mv_nl_flight {
	MV_NL_FLIGHT_UNSPEC,
	MV_NL_FLIGHT_PAD,
	MV_NL_FLIGHT_REASON,		/* u32: raw exit reason */
	MV_NL_FLIGHT_NAME,		/* string */
	MV_NL_FLIGHT_QUAL,		/* u64: exit qualification (0 where none) */
	MV_NL_FLIGHT_RIP,		/* u64: guest RIP at the exit */
	MV_NL_FLIGHT_GPA,		/* u64: present for EPT exits only */
	MV_NL_FLIGHT_TSC,		/* u64: host TSC at the exit */
	MV_NL_FLIGHT_TICKS,		/* u64: in-kernel handling time */
	MV_NL_FLIGHT_USER,		/* u32: enum mv_exit_reason if it went to userspace, else 0 */
	__MV_NL_FLIGHT_MAX,
};
#define MV_NL_FLIGHT_MAX	(__MV_NL_FLIGHT_MAX - 1)

/* MV_NL_A_EVENT: every event has MV_NL_A_VM_ID, MV_NL_A_PID and MV_NL_A_TIME_NS. */
enum mv_nl_event {
	MV_NL_EVENT_UNSPEC,
	MV_NL_EVENT_VM_CREATED,		/* + UID, COMM */
	MV_NL_EVENT_VM_DESTROYED,
	MV_NL_EVENT_ENTRY_FAILED,	/* + VCPU_ID, EVENT_REASON, EVENT_QUAL, EVENT_RULE */
	MV_NL_EVENT_SHUTDOWN,		/* + VCPU_ID, EVENT_RIP: triple fault */
	MV_NL_EVENT_INTERNAL_ERROR,	/* + VCPU_ID, EVENT_SUBERROR, EVENT_REASON, EVENT_QUAL */
	MV_NL_EVENT_UNHANDLED_EXIT,	/* + VCPU_ID, EVENT_REASON, EVENT_QUAL, EVENT_RIP */
	__MV_NL_EVENT_MAX,
};

#endif /* _UAPI_LINUX_MINIVISOR_H */
