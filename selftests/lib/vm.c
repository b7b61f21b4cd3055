// SPDX-License-Identifier: GPL-2.0
/*
 * Test VM helpers: creation for real-mode blobs and long-mode guest
 * functions, and exit checking with diagnostics at the caller's location.
 */
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "elf_image.h"
#include "test_harness.h"
#include "vm.h"

/* guest_entry.S */
extern const uint8_t guest_trampoline[];
extern const uint64_t guest_exc_stubs[LM_IDT_VECTORS];

const char *exit_name(uint32_t reason)
{
	return mv_exit_reason_str(reason);
}

void tvm_dump(struct tvm *t)
{
	struct mv_regs regs;
	struct mv_sregs sregs;
	char *text = NULL;
	size_t len = 0;
	FILE *f;
	int rr, rs;

	f = open_memstream(&text, &len);
	if (!f)
		return;
	if (t->vm.run)
		mv_dump_exit(f, t->vm.run);
	rr = t->vm.vcpu_fd >= 0 ? mv_get_regs(t->vm.vcpu_fd, &regs) : -1;
	rs = t->vm.vcpu_fd >= 0 ? mv_get_sregs(t->vm.vcpu_fd, &sregs) : -1;
	mv_dump_regs(f, rr == 0 ? &regs : NULL, rs == 0 ? &sregs : NULL);
	fclose(f);
	test_diag_block(text);
	free(text);
}

static __attribute__((noreturn, format(printf, 4, 5)))
void tvm_fail(struct tvm *t, const char *file, int line, const char *fmt, ...)
{
	char buf[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	test_diag("%s:%d: %s", file, line, buf);
	tvm_dump(t);
	test_fail(file, line, "(see the state above)");
}

static __attribute__((noreturn))
void fail_errno(const char *file, int line, const char *what, long long ret)
{
	char e[96];

	test_fail(file, line, "%s failed: %s", what, test_errno_str(ret, e, sizeof(e)));
}

void idt_gate_encode(uint8_t gate[16], uint64_t handler, uint16_t selector)
{
	memset(gate, 0, 16);
	gate[0] = handler & 0xff;
	gate[1] = (handler >> 8) & 0xff;
	gate[2] = selector & 0xff;
	gate[3] = selector >> 8;
	gate[4] = 0;			/* IST 0 */
	gate[5] = 0x8e;			/* present, DPL 0, 64-bit interrupt gate */
	gate[6] = (handler >> 16) & 0xff;
	gate[7] = (handler >> 24) & 0xff;
	gate[8] = (handler >> 32) & 0xff;
	gate[9] = (handler >> 40) & 0xff;
	gate[10] = (handler >> 48) & 0xff;
	gate[11] = (handler >> 56) & 0xff;
}

const struct elf_image *self_image(void)
{
	static struct elf_image img;
	char err[256];
	int ret;

	if (img.data)
		return &img;
	ret = elf_image_read_file(&img, "/proc/self/exe", err, sizeof(err));
	if (ret < 0)
		TEST_FAIL("cannot load the test binary's image: %s", err);
	if (img.lo < LM_IMAGE_MIN)
		TEST_FAIL("the binary is linked at 0x%" PRIx64 ", below 0x%llx where the "
			  "guest page tables and stack live", img.lo, LM_IMAGE_MIN);
	return &img;
}

uint64_t long_mode_mem_size(const struct elf_image *img)
{
	/* Round up to 2 MiB and leave 2 MiB of room above the image. */
	uint64_t size = ((img->hi + 0x1fffff) & ~0x1fffffull) + 0x200000;

	return size < LM_MIN_MEM ? LM_MIN_MEM : size;
}

static void tvm_create(struct tvm *t, uint64_t mem_size, const char *file, int line)
{
	int ret;

	memset(t, 0, sizeof(*t));
	ret = mv_vm_create(&t->vm, mem_size);
	if (ret < 0)
		fail_errno(file, line, "mv_vm_create (open /dev/minivisor, create VM, "
			   "memory slot, vCPU, mmap)", ret);
	t->run_size = mv_check_cap(t->vm.sys_fd, MV_CAP_VCPU_MMAP_SIZE);
	if (t->run_size < (long)sizeof(struct mv_run))
		test_fail(file, line, "MV_CAP_VCPU_MMAP_SIZE is %ld, below sizeof(struct "
			  "mv_run) = %zu", t->run_size, sizeof(struct mv_run));
}

void tvm_destroy(struct tvm *t)
{
	mv_vm_destroy(&t->vm);
}

void tvm_load_blob(struct tvm *t, struct rm_blob blob)
{
	size_t len = (size_t)(blob.end - blob.start);

	if (RM_LOAD_ADDR + len > t->vm.mem_size)
		TEST_FAIL("real-mode blob of %zu bytes does not fit the guest memory", len);
	memcpy(t->vm.mem + RM_LOAD_ADDR, blob.start, len);
}

void __tvm_reset_real(struct tvm *t, uint64_t rip, const char *file, int line)
{
	struct mv_sregs s;
	struct mv_regs r;

	mv_sregs_real_mode(&s, 0);
	__tvm_set_sregs(t, &s, file, line);
	memset(&r, 0, sizeof(r));
	r.rip = rip;
	r.rsp = RM_STACK_TOP;
	r.rflags = 0x2;
	__tvm_set_regs(t, &r, file, line);
}

void __tvm_create_real(struct tvm *t, struct rm_blob blob, const char *file, int line)
{
	tvm_create(t, RM_MEM_SIZE, file, line);
	tvm_load_blob(t, blob);
	__tvm_reset_real(t, RM_LOAD_ADDR, file, line);
}

void __tvm_start_long(struct tvm *t, guest_fn fn, uint64_t arg, const char *file, int line)
{
	struct mv_sregs s;
	struct mv_regs r;
	unsigned int v;
	int ret;

	ret = mv_setup_long_mode(&t->vm, &s, LM_PT_GPA, LM_GDT_GPA, LM_MAP_SIZE);
	if (ret < 0)
		fail_errno(file, line, "mv_setup_long_mode", ret);

	/* Exceptions become UCALL_EXCEPTION reports instead of triple faults. */
	for (v = 0; v < LM_IDT_VECTORS; v++)
		idt_gate_encode(t->vm.mem + LM_IDT_GPA + 16 * v, guest_exc_stubs[v],
				s.cs.selector);
	s.idt.base = LM_IDT_GPA;
	s.idt.limit = 16 * LM_IDT_VECTORS - 1;
	__tvm_set_sregs(t, &s, file, line);

	memset(&r, 0, sizeof(r));
	r.rip = (uint64_t)(uintptr_t)guest_trampoline;
	r.rdi = arg;
	r.rsi = (uint64_t)(uintptr_t)fn;
	r.rsp = LM_STACK_TOP;
	r.rflags = 0x2;
	__tvm_set_regs(t, &r, file, line);
}

void __tvm_create_long(struct tvm *t, guest_fn fn, uint64_t arg, const char *file, int line)
{
	const struct elf_image *img = self_image();
	char err[256];
	int ret;

	tvm_create(t, long_mode_mem_size(img), file, line);
	ret = elf_image_load(img, t->vm.mem, t->vm.mem_size, err, sizeof(err));
	if (ret < 0)
		test_fail(file, line, "loading the binary into guest memory: %s", err);
	__tvm_start_long(t, fn, arg, file, line);
}

void __tvm_get_regs(struct tvm *t, struct mv_regs *r, const char *file, int line)
{
	int ret = mv_get_regs(t->vm.vcpu_fd, r);

	if (ret < 0)
		fail_errno(file, line, "MV_GET_REGS", ret);
}

void __tvm_set_regs(struct tvm *t, const struct mv_regs *r, const char *file, int line)
{
	int ret = mv_set_regs(t->vm.vcpu_fd, r);

	if (ret < 0)
		fail_errno(file, line, "MV_SET_REGS", ret);
}

void __tvm_get_sregs(struct tvm *t, struct mv_sregs *s, const char *file, int line)
{
	int ret = mv_get_sregs(t->vm.vcpu_fd, s);

	if (ret < 0)
		fail_errno(file, line, "MV_GET_SREGS", ret);
}

void __tvm_set_sregs(struct tvm *t, const struct mv_sregs *s, const char *file, int line)
{
	int ret = mv_set_sregs(t->vm.vcpu_fd, s);

	if (ret < 0)
		fail_errno(file, line, "MV_SET_SREGS", ret);
}

uint64_t __tvm_rip(struct tvm *t, const char *file, int line)
{
	struct mv_regs r;

	__tvm_get_regs(t, &r, file, line);
	return r.rip;
}

void __tvm_run(struct tvm *t, const char *file, int line)
{
	int ret = mv_run(t->vm.vcpu_fd);
	char e[96];

	if (ret < 0)
		tvm_fail(t, file, line, "MV_RUN failed: %s", test_errno_str(ret, e, sizeof(e)));
}

static void check_guest_failure(const struct ucall_info *uc, const char *file, int line);

void __tvm_expect_exit(struct tvm *t, uint32_t reason, const char *file, int line)
{
	struct ucall_info uc;
	uint32_t got = t->vm.run->exit_reason;

	if (got == reason)
		return;
	/* A guest that asserted or faulted says why; report that instead. */
	if (got == MV_EXIT_IO && t->vm.run->io.port == UCALL_PORT) {
		__tvm_get_ucall(t, &uc, file, line);
		check_guest_failure(&uc, file, line);
	}
	tvm_fail(t, file, line, "expected exit %s (%u), got %s (%u)", exit_name(reason), reason,
		 exit_name(got), got);
}

uint32_t io_data_get(const void *data, unsigned int size)
{
	uint32_t v = 0;

	memcpy(&v, data, size > 4 ? 4 : size);
	return v;
}

void io_data_put(void *data, unsigned int size, uint32_t value)
{
	memcpy(data, &value, size > 4 ? 4 : size);
}

void *__tvm_expect_io(struct tvm *t, uint8_t dir, uint16_t port, uint8_t size,
		      const char *file, int line)
{
	struct mv_run *run = t->vm.run;

	__tvm_expect_exit(t, MV_EXIT_IO, file, line);
	if (port != UCALL_PORT && run->io.port == UCALL_PORT) {
		struct ucall_info uc;

		/* An assertion or exception in the guest explains itself. */
		__tvm_get_ucall(t, &uc, file, line);
		check_guest_failure(&uc, file, line);
	}
	if (run->io.direction != dir || run->io.port != port || run->io.size != size ||
	    run->io.count != 1)
		tvm_fail(t, file, line, "expected I/O %s port 0x%x size %u count 1, got %s "
			 "port 0x%x size %u count %u", dir == MV_EXIT_IO_OUT ? "OUT" : "IN",
			 port, size, run->io.direction == MV_EXIT_IO_OUT ? "OUT" :
			 run->io.direction == MV_EXIT_IO_IN ? "IN" : "?", run->io.port,
			 run->io.size, run->io.count);
	/* The data area follows the struct and stays inside the mapping. */
	if (run->io.data_offset < sizeof(*run) ||
	    run->io.data_offset > (uint64_t)t->run_size - size)
		tvm_fail(t, file, line, "io.data_offset 0x%llx outside [sizeof(struct mv_run) "
			 "= 0x%zx, mmap size 0x%lx - %u]",
			 (unsigned long long)run->io.data_offset, sizeof(*run), t->run_size,
			 size);
	return mv_io_data(run);
}

void __tvm_run_hello(struct tvm *t, const char *file, int line)
{
	const char *msg = "hello";
	uint32_t got;
	int i;

	for (i = 0; msg[i]; i++) {
		__tvm_run(t, file, line);
		got = io_data_get(__tvm_expect_io(t, MV_EXIT_IO_OUT, RM_SERIAL_PORT, 1,
						  file, line), 1);
		if (got != (uint8_t)msg[i])
			tvm_fail(t, file, line, "\"hello\" byte %d: expected '%c', got 0x%x",
				 i, msg[i], got);
	}
	__tvm_run(t, file, line);
	__tvm_expect_exit(t, MV_EXIT_HLT, file, line);
}

uint8_t *__tvm_expect_mmio(struct tvm *t, uint64_t gpa, uint32_t len, uint8_t is_write,
			   const char *file, int line)
{
	struct mv_run *run = t->vm.run;

	__tvm_expect_exit(t, MV_EXIT_MMIO, file, line);
	if (run->mmio.phys_addr != gpa || run->mmio.len != len ||
	    run->mmio.is_write != is_write)
		tvm_fail(t, file, line, "expected MMIO %s of %u bytes at 0x%llx, got %s of %u "
			 "bytes at 0x%llx", is_write ? "write" : "read", len,
			 (unsigned long long)gpa, run->mmio.is_write ? "write" : "read",
			 run->mmio.len, (unsigned long long)run->mmio.phys_addr);
	return run->mmio.data;
}

void *__tvm_ptr(struct tvm *t, uint64_t gpa, uint64_t len, const char *file, int line)
{
	if (gpa > t->vm.mem_size || len > t->vm.mem_size - gpa)
		test_fail(file, line, "GPA range 0x%llx+0x%llx outside guest memory (0x%llx)",
			  (unsigned long long)gpa, (unsigned long long)len,
			  (unsigned long long)t->vm.mem_size);
	return t->vm.mem + gpa;
}

uint64_t __tvm_get_ucall(struct tvm *t, struct ucall_info *uc, const char *file, int line)
{
	struct mv_run *run = t->vm.run;
	struct mv_regs r;
	char err[256];
	uint32_t eax;

	if (run->exit_reason != MV_EXIT_IO || run->io.port != UCALL_PORT)
		tvm_fail(t, file, line, "expected a ucall (OUT to port 0x%x), got exit %s",
			 UCALL_PORT, exit_name(run->exit_reason));
	if (run->io.direction != MV_EXIT_IO_OUT || run->io.size != 4 || run->io.count != 1)
		tvm_fail(t, file, line, "ucall port access is not a 4-byte OUT");
	__tvm_get_regs(t, &r, file, line);
	if (ucall_decode(t->vm.mem, t->vm.mem_size, r.rdi, uc, err, sizeof(err)) < 0)
		tvm_fail(t, file, line, "bad ucall: %s", err);
	/* The command travels in EAX too; both must agree. */
	eax = io_data_get(mv_io_data(run), 4);
	if (eax != (uint32_t)uc->cmd)
		tvm_fail(t, file, line, "ucall OUT data 0x%x differs from the struct's command "
			 "%llu", eax, (unsigned long long)uc->cmd);
	return uc->cmd;
}

static const char *vector_name(uint64_t v)
{
	static const char *const names[] = {
		"#DE", "#DB", "NMI", "#BP", "#OF", "#BR", "#UD", "#NM", "#DF", "#09",
		"#TS", "#NP", "#SS", "#GP", "#PF", "#15", "#MF", "#AC", "#MC", "#XM",
		"#VE", "#CP",
	};

	return v < ARRAY_SIZE(names) ? names[v] : "#?";
}

/* Fails the test if the ucall reports a guest assertion or exception. */
static void check_guest_failure(const struct ucall_info *uc, const char *file, int line)
{
	if (uc->cmd == UCALL_ABORT)
		test_fail(file, line, "guest assertion failed at %s:%llu: %s (expected 0x%llx, "
			  "actual 0x%llx)", uc->file, (unsigned long long)uc->line, uc->text,
			  (unsigned long long)uc->args[0], (unsigned long long)uc->args[1]);
	if (uc->cmd == UCALL_EXCEPTION)
		test_fail(file, line, "unexpected guest exception %s (vector %llu) at rip 0x%llx,"
			  " error code 0x%llx, cr2 0x%llx", vector_name(uc->args[0]),
			  (unsigned long long)uc->args[0], (unsigned long long)uc->args[2],
			  (unsigned long long)uc->args[1], (unsigned long long)uc->args[3]);
}

uint64_t __tvm_run_ucall(struct tvm *t, struct ucall_info *uc, const char *file, int line)
{
	__tvm_run(t, file, line);
	__tvm_get_ucall(t, uc, file, line);
	check_guest_failure(uc, file, line);
	return uc->cmd;
}

uint64_t __tvm_run_done(struct tvm *t, const char *file, int line)
{
	struct ucall_info uc;
	uint64_t cmd = __tvm_run_ucall(t, &uc, file, line);

	if (cmd != UCALL_DONE)
		test_fail(file, line, "expected UCALL_DONE, got UCALL_%s (args 0x%llx 0x%llx)",
			  ucall_cmd_str(cmd), (unsigned long long)uc.args[0],
			  (unsigned long long)uc.args[1]);
	if (uc.nargs < 1)
		test_fail(file, line, "UCALL_DONE without a return value");
	return uc.args[0];
}

void __tvm_expect_sync(struct tvm *t, struct ucall_info *uc, uint64_t nargs,
		       const char *file, int line)
{
	uint64_t cmd = __tvm_run_ucall(t, uc, file, line);

	if (cmd != UCALL_SYNC)
		test_fail(file, line, "expected UCALL_SYNC, got UCALL_%s", ucall_cmd_str(cmd));
	if (uc->nargs != nargs)
		test_fail(file, line, "UCALL_SYNC with %llu arguments, expected %llu",
			  (unsigned long long)uc->nargs, (unsigned long long)nargs);
}
