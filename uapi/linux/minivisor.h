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

/* ---- system ioctls, on /dev/minivisor ---- */
#define MV_GET_API_VERSION	_IO(MVIO, 0x00)	/* returns MV_API_VERSION */
#define MV_CHECK_CAP		_IO(MVIO, 0x01)	/* arg: MV_CAP_*; returns value */
#define MV_CREATE_VM		_IO(MVIO, 0x02)	/* arg: flags, must be 0; returns VM fd */

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
};

#define MV_EXIT_IO_IN		0
#define MV_EXIT_IO_OUT		1

enum mv_internal_suberror {
	MV_INTERNAL_UNHANDLED_EXIT = 1,	/* data: raw reason, qualification, rip */
	MV_INTERNAL_EMULATION	   = 2,	/* data: gpa, rip, insn bytes[0..7], [8..15] */
	MV_INTERNAL_HW_ERROR	   = 3,	/* data: failing op, VM-instruction error */
};

#define MV_INTERNAL_MAX_DATA	16

struct mv_run {
	/* in: set by userspace */
	__u8  immediate_exit;	/* MV_RUN returns -EINTR before entering */
	__u8  padding_in[7];

	/* out: set by the kernel on every return from MV_RUN */
	__u32 exit_reason;	/* enum mv_exit_reason */
	__u32 padding_out;
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
			__u32 padding;
		} fail_entry;
		/* MV_EXIT_INTERNAL_ERROR */
		struct {
			__u32 suberror;		/* enum mv_internal_suberror */
			__u32 ndata;
			__u64 data[MV_INTERNAL_MAX_DATA];
		} internal;
		/* MV_EXIT_SHUTDOWN, MV_EXIT_HLT, MV_EXIT_INTR: no payload */
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

#endif /* _UAPI_LINUX_MINIVISOR_H */
