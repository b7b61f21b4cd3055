/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Test VMs: a libminivisor mv_vm (one vCPU, slot 0 at GPA 0) set up either
 * for a real-mode blob or for a long-mode guest function of the test binary,
 * plus run helpers that check each exit and fail the test, at the caller's
 * file:line and with a dump of the exit and registers, when it is not the
 * expected one.
 */
#ifndef SELFTEST_VM_H
#define SELFTEST_VM_H

#include <stdbool.h>
#include <stdint.h>

#include "libminivisor.h"
#include "guest.h"
#include "rm_blobs.h"
#include "ucall_host.h"

/*
 * Long-mode guest-physical layout (guest virtual == guest physical). The
 * binary's image starts at 0x400000 (static non-PIE default), everything the
 * tests place themselves lies below it.
 */
#define LM_PT_GPA		0x10000ull	/* mv_setup_long_mode page tables */
#define LM_GDT_GPA		0x20000ull	/* GDT + TSS, one page */
#define LM_IDT_GPA		0x21000ull	/* 32 gates to guest_entry.S stubs */
#define LM_IDT_VECTORS		32
#define LM_STACK_TOP		0x200000ull	/* stack grows down from here */
#define LM_SCRATCH_GPA		0x200000ull	/* free for tests, up to the image */
#define LM_SCRATCH_SIZE		0x200000ull
#define LM_IMAGE_MIN		0x400000ull
/* The identity map reaches 4 GiB so MMIO tests can use unbacked GPAs. */
#define LM_MAP_SIZE		(4ull << 30)
#define LM_MIN_MEM		(8ull << 20)

struct tvm {
	struct mv_vm vm;
	long run_size;		/* MV_CAP_VCPU_MMAP_SIZE */
};

/* Creation fails the test (with the reason) rather than returning errors. */
#define tvm_create_real(t, blob)	__tvm_create_real(t, blob, __FILE__, __LINE__)
#define tvm_create_long(t, fn, arg)	__tvm_create_long(t, fn, arg, __FILE__, __LINE__)
void __tvm_create_real(struct tvm *t, struct rm_blob blob, const char *file, int line);
void __tvm_create_long(struct tvm *t, guest_fn fn, uint64_t arg, const char *file, int line);
void tvm_destroy(struct tvm *t);

/* (Re)start the vCPU: real mode at RM_LOAD_ADDR + offset, or a guest function. */
#define tvm_reset_real(t, rip)		__tvm_reset_real(t, rip, __FILE__, __LINE__)
#define tvm_start_long(t, fn, arg)	__tvm_start_long(t, fn, arg, __FILE__, __LINE__)
void __tvm_reset_real(struct tvm *t, uint64_t rip, const char *file, int line);
void __tvm_start_long(struct tvm *t, guest_fn fn, uint64_t arg, const char *file, int line);

/* Copy the blob to RM_LOAD_ADDR. */
void tvm_load_blob(struct tvm *t, struct rm_blob blob);

#define tvm_get_regs(t, r)	__tvm_get_regs(t, r, __FILE__, __LINE__)
#define tvm_set_regs(t, r)	__tvm_set_regs(t, r, __FILE__, __LINE__)
#define tvm_get_sregs(t, s)	__tvm_get_sregs(t, s, __FILE__, __LINE__)
#define tvm_set_sregs(t, s)	__tvm_set_sregs(t, s, __FILE__, __LINE__)
void __tvm_get_regs(struct tvm *t, struct mv_regs *r, const char *file, int line);
void __tvm_set_regs(struct tvm *t, const struct mv_regs *r, const char *file, int line);
void __tvm_get_sregs(struct tvm *t, struct mv_sregs *s, const char *file, int line);
void __tvm_set_sregs(struct tvm *t, const struct mv_sregs *s, const char *file, int line);
#define tvm_rip(t)		__tvm_rip(t, __FILE__, __LINE__)
uint64_t __tvm_rip(struct tvm *t, const char *file, int line);

/* MV_RUN must return 0; then the exit reason must be the given one. */
#define tvm_run(t)			__tvm_run(t, __FILE__, __LINE__)
#define tvm_expect_exit(t, reason)	__tvm_expect_exit(t, reason, __FILE__, __LINE__)
#define tvm_run_expect(t, reason)	do { tvm_run(t); tvm_expect_exit(t, reason); } while (0)
void __tvm_run(struct tvm *t, const char *file, int line);
void __tvm_expect_exit(struct tvm *t, uint32_t reason, const char *file, int line);

/*
 * The current exit must be port I/O with these fields (count 1, data inside
 * the run mapping); returns the data pointer.
 */
#define tvm_expect_io(t, dir, port, size) __tvm_expect_io(t, dir, port, size, __FILE__, __LINE__)
void *__tvm_expect_io(struct tvm *t, uint8_t dir, uint16_t port, uint8_t size,
		      const char *file, int line);
/* Little-endian I/O data of 1, 2 or 4 bytes. */
uint32_t io_data_get(const void *data, unsigned int size);
void io_data_put(void *data, unsigned int size, uint32_t value);

/*
 * Runs the RM_BLOB(hello) guest from where it stands to its HLT: each of the
 * 5 exits must be a 1-byte OUT of the next character of "hello" to
 * RM_SERIAL_PORT, then HLT.
 */
#define tvm_run_hello(t) __tvm_run_hello(t, __FILE__, __LINE__)
void __tvm_run_hello(struct tvm *t, const char *file, int line);

/* The current exit must be MMIO with these fields; returns run->mmio.data. */
#define tvm_expect_mmio(t, gpa, len, is_write) \
	__tvm_expect_mmio(t, gpa, len, is_write, __FILE__, __LINE__)
uint8_t *__tvm_expect_mmio(struct tvm *t, uint64_t gpa, uint32_t len, uint8_t is_write,
			   const char *file, int line);

/*
 * Ucalls. tvm_get_ucall() decodes the current exit, which must be a ucall,
 * and returns its command. tvm_run_ucall() runs and decodes, and fails the
 * test on UCALL_ABORT (printing the guest's file:line, expression and values)
 * and on UCALL_EXCEPTION. tvm_run_done() wants UCALL_DONE and returns args[0].
 */
#define tvm_get_ucall(t, uc)	__tvm_get_ucall(t, uc, __FILE__, __LINE__)
#define tvm_run_ucall(t, uc)	__tvm_run_ucall(t, uc, __FILE__, __LINE__)
#define tvm_run_done(t)		__tvm_run_done(t, __FILE__, __LINE__)
uint64_t __tvm_get_ucall(struct tvm *t, struct ucall_info *uc, const char *file, int line);
uint64_t __tvm_run_ucall(struct tvm *t, struct ucall_info *uc, const char *file, int line);
uint64_t __tvm_run_done(struct tvm *t, const char *file, int line);
#define tvm_expect_sync(t, uc, nargs) __tvm_expect_sync(t, uc, nargs, __FILE__, __LINE__)
void __tvm_expect_sync(struct tvm *t, struct ucall_info *uc, uint64_t nargs,
		       const char *file, int line);

/* Host pointer for [gpa, gpa + len) of slot 0; fails the test if outside. */
#define tvm_ptr(t, gpa, len)	__tvm_ptr(t, gpa, len, __FILE__, __LINE__)
void *__tvm_ptr(struct tvm *t, uint64_t gpa, uint64_t len, const char *file, int line);
/* The guest's copy of a global of the test binary (same address in the guest). */
#define GUEST_VAR(t, var)	((__typeof__(&(var)))tvm_ptr(t, (uintptr_t)&(var), sizeof(var)))

/* Exit, registers and segment state as "# " diagnostics. */
void tvm_dump(struct tvm *t);
const char *exit_name(uint32_t reason);

/* A 64-bit interrupt gate (16 bytes) for handler, DPL 0, no IST. */
void idt_gate_encode(uint8_t gate[16], uint64_t handler, uint16_t selector);

/* The binary's own image, read once per process from /proc/self/exe. */
struct elf_image;
const struct elf_image *self_image(void);
uint64_t long_mode_mem_size(const struct elf_image *img);

#endif /* SELFTEST_VM_H */
