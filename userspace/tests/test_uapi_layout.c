// SPDX-License-Identifier: GPL-2.0
/*
 * The uapi is an ABI: pin every struct's size and every field's offset, the
 * ioctl numbers and the enum values at compile time, and print them at run
 * time so that a layout change shows up in the test log too.
 */
#include <stddef.h>
#include <stdio.h>
#include <linux/minivisor.h>

#include "tap.h"

#define PIN_SIZE(type, size) \
	_Static_assert(sizeof(type) == (size), "sizeof(" #type ") changed")
#define PIN_OFF(type, field, off) \
	_Static_assert(offsetof(type, field) == (off), "offsetof(" #type ", " #field ") changed")

PIN_SIZE(struct mv_memory_region, 48);
PIN_OFF(struct mv_memory_region, slot, 0);
PIN_OFF(struct mv_memory_region, flags, 4);
PIN_OFF(struct mv_memory_region, guest_phys_addr, 8);
PIN_OFF(struct mv_memory_region, memory_size, 16);
PIN_OFF(struct mv_memory_region, userspace_addr, 24);
PIN_OFF(struct mv_memory_region, reserved, 32);

PIN_SIZE(struct mv_regs, 144);
PIN_OFF(struct mv_regs, rax, 0);
PIN_OFF(struct mv_regs, rbx, 8);
PIN_OFF(struct mv_regs, rcx, 16);
PIN_OFF(struct mv_regs, rdx, 24);
PIN_OFF(struct mv_regs, rsi, 32);
PIN_OFF(struct mv_regs, rdi, 40);
PIN_OFF(struct mv_regs, rsp, 48);
PIN_OFF(struct mv_regs, rbp, 56);
PIN_OFF(struct mv_regs, r8, 64);
PIN_OFF(struct mv_regs, r9, 72);
PIN_OFF(struct mv_regs, r10, 80);
PIN_OFF(struct mv_regs, r11, 88);
PIN_OFF(struct mv_regs, r12, 96);
PIN_OFF(struct mv_regs, r13, 104);
PIN_OFF(struct mv_regs, r14, 112);
PIN_OFF(struct mv_regs, r15, 120);
PIN_OFF(struct mv_regs, rip, 128);
PIN_OFF(struct mv_regs, rflags, 136);

PIN_SIZE(struct mv_segment, 24);
PIN_OFF(struct mv_segment, base, 0);
PIN_OFF(struct mv_segment, limit, 8);
PIN_OFF(struct mv_segment, selector, 12);
PIN_OFF(struct mv_segment, type, 14);
PIN_OFF(struct mv_segment, present, 15);
PIN_OFF(struct mv_segment, dpl, 16);
PIN_OFF(struct mv_segment, db, 17);
PIN_OFF(struct mv_segment, s, 18);
PIN_OFF(struct mv_segment, l, 19);
PIN_OFF(struct mv_segment, g, 20);
PIN_OFF(struct mv_segment, avl, 21);
PIN_OFF(struct mv_segment, unusable, 22);
PIN_OFF(struct mv_segment, padding, 23);

PIN_SIZE(struct mv_dtable, 16);
PIN_OFF(struct mv_dtable, base, 0);
PIN_OFF(struct mv_dtable, limit, 8);
PIN_OFF(struct mv_dtable, padding, 10);

PIN_SIZE(struct mv_sregs, 328);
PIN_OFF(struct mv_sregs, cs, 0);
PIN_OFF(struct mv_sregs, ds, 24);
PIN_OFF(struct mv_sregs, es, 48);
PIN_OFF(struct mv_sregs, fs, 72);
PIN_OFF(struct mv_sregs, gs, 96);
PIN_OFF(struct mv_sregs, ss, 120);
PIN_OFF(struct mv_sregs, tr, 144);
PIN_OFF(struct mv_sregs, ldt, 168);
PIN_OFF(struct mv_sregs, gdt, 192);
PIN_OFF(struct mv_sregs, idt, 208);
PIN_OFF(struct mv_sregs, cr0, 224);
PIN_OFF(struct mv_sregs, cr2, 232);
PIN_OFF(struct mv_sregs, cr3, 240);
PIN_OFF(struct mv_sregs, cr4, 248);
PIN_OFF(struct mv_sregs, efer, 256);
PIN_OFF(struct mv_sregs, reserved, 264);

PIN_SIZE(struct mv_run, 320);
PIN_OFF(struct mv_run, immediate_exit, 0);
PIN_OFF(struct mv_run, request_interrupt_window, 1);
PIN_OFF(struct mv_run, padding_in, 2);
PIN_OFF(struct mv_run, exit_reason, 8);
PIN_OFF(struct mv_run, ready_for_interrupt_injection, 12);
PIN_OFF(struct mv_run, if_flag, 13);
PIN_OFF(struct mv_run, padding_out, 14);
PIN_OFF(struct mv_run, eoi.vector, 64);
PIN_SIZE(struct mv_msi, 32);
PIN_OFF(struct mv_msi, data, 8);
PIN_SIZE(struct mv_interrupt, 8);
PIN_SIZE(struct mv_lapic_state, 1024);
PIN_SIZE(struct mv_mp_state, 8);
PIN_OFF(struct mv_run, reserved, 16);
PIN_OFF(struct mv_run, io, 64);
PIN_OFF(struct mv_run, io.direction, 64);
PIN_OFF(struct mv_run, io.size, 65);
PIN_OFF(struct mv_run, io.port, 66);
PIN_OFF(struct mv_run, io.count, 68);
PIN_OFF(struct mv_run, io.data_offset, 72);
PIN_OFF(struct mv_run, mmio, 64);
PIN_OFF(struct mv_run, mmio.phys_addr, 64);
PIN_OFF(struct mv_run, mmio.data, 72);
PIN_OFF(struct mv_run, mmio.len, 80);
PIN_OFF(struct mv_run, mmio.is_write, 84);
PIN_OFF(struct mv_run, mmio.padding, 85);
PIN_OFF(struct mv_run, fail_entry, 64);
PIN_OFF(struct mv_run, fail_entry.hardware_entry_failure_reason, 64);
PIN_OFF(struct mv_run, fail_entry.qualification, 72);
PIN_OFF(struct mv_run, fail_entry.cpu, 80);
PIN_OFF(struct mv_run, fail_entry.check, 84);
PIN_OFF(struct mv_run, internal, 64);
PIN_OFF(struct mv_run, internal.suberror, 64);
PIN_OFF(struct mv_run, internal.ndata, 68);
PIN_OFF(struct mv_run, internal.data, 72);
PIN_OFF(struct mv_run, padding, 64);
_Static_assert(sizeof(((struct mv_run *)0)->internal) == 136, "internal payload size");
_Static_assert(MV_INTERNAL_MAX_DATA == 16, "MV_INTERNAL_MAX_DATA changed");

/* ioctl numbers: dir << 30 | size << 16 | type << 8 | nr. */
_Static_assert(MVIO == 0xB9, "ioctl type byte changed");
_Static_assert(MV_GET_API_VERSION == 0xB900, "MV_GET_API_VERSION");
_Static_assert(MV_CHECK_CAP == 0xB901, "MV_CHECK_CAP");
_Static_assert(MV_CREATE_VM == 0xB902, "MV_CREATE_VM");
_Static_assert(MV_SET_MEMORY_REGION == 0x4030B910, "MV_SET_MEMORY_REGION");
_Static_assert(MV_CREATE_VCPU == 0xB911, "MV_CREATE_VCPU");
_Static_assert(MV_RUN == 0xB920, "MV_RUN");
_Static_assert(MV_GET_REGS == 0x8090B921, "MV_GET_REGS");
_Static_assert(MV_SET_REGS == 0x4090B922, "MV_SET_REGS");
_Static_assert(MV_GET_SREGS == 0x8148B923, "MV_GET_SREGS");
_Static_assert(MV_SET_SREGS == 0x4148B924, "MV_SET_SREGS");

_Static_assert(MV_API_VERSION == 1, "API version");
_Static_assert(MV_EXIT_NONE == 0 && MV_EXIT_IO == 1 && MV_EXIT_MMIO == 2 && MV_EXIT_HLT == 3 &&
	       MV_EXIT_SHUTDOWN == 4 && MV_EXIT_FAIL_ENTRY == 5 &&
	       MV_EXIT_INTERNAL_ERROR == 6 && MV_EXIT_INTR == 7, "exit reasons");
_Static_assert(MV_EXIT_IO_IN == 0 && MV_EXIT_IO_OUT == 1, "io directions");
_Static_assert(MV_INTERNAL_UNHANDLED_EXIT == 1 && MV_INTERNAL_EMULATION == 2 &&
	       MV_INTERNAL_HW_ERROR == 3, "internal suberrors");
_Static_assert(MV_CAP_NR_MEMSLOTS == 1 && MV_CAP_MAX_VCPUS == 2 && MV_CAP_READONLY_MEM == 3 &&
	       MV_CAP_IMMEDIATE_EXIT == 4 && MV_CAP_UNRESTRICTED == 5 &&
	       MV_CAP_VCPU_MMAP_SIZE == 6 && MV_CAP_MAX_MEMSLOT_SIZE == 7 &&
	       MV_CAP_GUEST_PHYS_BITS == 8, "capability numbers");
_Static_assert(MV_MEM_READONLY == 1 && MV_MEM_VALID_FLAGS == 1, "memory flags");
PIN_SIZE(struct mv_vcpu_events, 64);
PIN_OFF(struct mv_vcpu_events, event_type, 1);
PIN_OFF(struct mv_vcpu_events, event_error, 4);
PIN_OFF(struct mv_vcpu_events, event_insn_len, 8);
PIN_OFF(struct mv_vcpu_events, interrupt_shadow, 12);
PIN_OFF(struct mv_vcpu_events, nmi_blocked, 16);
PIN_OFF(struct mv_vcpu_events, pending_debug, 24);
PIN_OFF(struct mv_vcpu_events, reserved, 32);
PIN_SIZE(struct mv_exception, 16);
PIN_OFF(struct mv_exception, error, 4);
PIN_OFF(struct mv_exception, payload, 8);
PIN_SIZE(struct mv_msr_entry, 16);
PIN_OFF(struct mv_msr_entry, data, 8);
PIN_SIZE(struct mv_msrs, 8);
PIN_OFF(struct mv_msrs, entries, 8);
PIN_SIZE(struct mv_msr_list, 4);
PIN_SIZE(struct mv_enable_cap, 40);
PIN_OFF(struct mv_enable_cap, args, 8);
PIN_OFF(struct mv_run, hypercall.nr, 64);
PIN_OFF(struct mv_run, hypercall.args, 72);
PIN_OFF(struct mv_run, hypercall.ret, 104);
PIN_OFF(struct mv_run, msr.index, 64);
PIN_OFF(struct mv_run, msr.is_write, 68);
PIN_OFF(struct mv_run, msr.error, 69);
PIN_OFF(struct mv_run, msr.data, 72);

/* MV_SET_CPUID / MV_GET_CPUID */
PIN_SIZE(struct mv_cpuid_entry, 40);
PIN_OFF(struct mv_cpuid_entry, flags, 8);
PIN_OFF(struct mv_cpuid_entry, eax, 12);
PIN_OFF(struct mv_cpuid_entry, edx, 24);
PIN_OFF(struct mv_cpuid_entry, padding, 28);
PIN_SIZE(struct mv_cpuid, 8);
PIN_OFF(struct mv_cpuid, entries, 8);
_Static_assert(MV_SET_CPUID == 0x4008B925, "MV_SET_CPUID");
_Static_assert(MV_GET_CPUID == 0xC008B925, "MV_GET_CPUID");
_Static_assert(MV_CAP_SET_CPUID == 9 && MV_CPUID_FLAG_SIGNIFICANT_INDEX == 1 &&
	       MV_CPUID_MAX_ENTRIES == 256, "cpuid constants");

/* Runtime echo of the pinned values: the compile already proved them. */
#define SHOW_SIZE(type, size) \
	ok(sizeof(type) == (size), "sizeof(" #type ") == %zu", sizeof(type))
#define SHOW_OFF(type, field, off) \
	ok(offsetof(type, field) == (off), "offsetof(" #type ", " #field ") == %zu", \
	   offsetof(type, field))

int main(void)
{
	tap_start();
	SHOW_SIZE(struct mv_memory_region, 48);
	SHOW_OFF(struct mv_memory_region, userspace_addr, 24);
	SHOW_OFF(struct mv_memory_region, reserved, 32);
	SHOW_SIZE(struct mv_regs, 144);
	SHOW_OFF(struct mv_regs, rip, 128);
	SHOW_OFF(struct mv_regs, rflags, 136);
	SHOW_SIZE(struct mv_segment, 24);
	SHOW_OFF(struct mv_segment, unusable, 22);
	SHOW_SIZE(struct mv_dtable, 16);
	SHOW_SIZE(struct mv_sregs, 328);
	SHOW_OFF(struct mv_sregs, gdt, 192);
	SHOW_OFF(struct mv_sregs, cr0, 224);
	SHOW_OFF(struct mv_sregs, efer, 256);
	SHOW_OFF(struct mv_sregs, reserved, 264);
	SHOW_SIZE(struct mv_run, 320);
	SHOW_OFF(struct mv_run, exit_reason, 8);
	SHOW_OFF(struct mv_run, io, 64);
	SHOW_OFF(struct mv_run, io.data_offset, 72);
	SHOW_OFF(struct mv_run, mmio, 64);
	SHOW_OFF(struct mv_run, mmio.data, 72);
	SHOW_OFF(struct mv_run, mmio.len, 80);
	SHOW_OFF(struct mv_run, mmio.is_write, 84);
	SHOW_OFF(struct mv_run, fail_entry.cpu, 80);
	SHOW_OFF(struct mv_run, internal, 64);
	SHOW_OFF(struct mv_run, internal.data, 72);
	ok(MV_SET_MEMORY_REGION == 0x4030B910, "MV_SET_MEMORY_REGION == 0x%08lx",
	   (unsigned long)MV_SET_MEMORY_REGION);
	ok(MV_GET_SREGS == 0x8148B923, "MV_GET_SREGS == 0x%08lx", (unsigned long)MV_GET_SREGS);
	ok(MV_RUN == 0xB920, "MV_RUN == 0x%04lx", (unsigned long)MV_RUN);
	SHOW_SIZE(struct mv_vcpu_events, 64);
	SHOW_SIZE(struct mv_exception, 16);
	SHOW_SIZE(struct mv_msr_entry, 16);
	SHOW_SIZE(struct mv_enable_cap, 40);
	SHOW_OFF(struct mv_run, hypercall.ret, 104);
	SHOW_OFF(struct mv_run, msr.data, 72);
	ok(MV_GET_VCPU_EVENTS == 0x8040B926, "MV_GET_VCPU_EVENTS == 0x%08lx",
	   (unsigned long)MV_GET_VCPU_EVENTS);
	ok(MV_SET_MSRS == 0x4008B929, "MV_SET_MSRS == 0x%08lx", (unsigned long)MV_SET_MSRS);
	ok(MV_EXIT_HYPERCALL == 8 && MV_EXIT_MSR == 9, "MV_EXIT_HYPERCALL == 8, MV_EXIT_MSR == 9");
	return tap_end();
}
