// SPDX-License-Identifier: GPL-2.0
/*
 * libminivisor without /dev/minivisor: the negative-errno convention of
 * every wrapper (on bad fds and on a file that is not the device), the
 * cleanup contract of mv_vm_create(), exit names and the dumps.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "libminivisor.h"
#include "tap.h"

static char *dump_text;
static size_t dump_len;

static FILE *capture(void)
{
	free(dump_text);
	dump_text = NULL;
	return open_memstream(&dump_text, &dump_len);
}

static void test_wrappers(void)
{
	struct mv_regs regs;
	struct mv_sregs sregs;
	struct mv_memory_region r;
	int null_fd = open("/dev/null", O_RDWR);
	struct mv_run *run;

	ok(mv_get_api_version(-1) == -EBADF, "mv_get_api_version(-1) == -EBADF");
	ok(mv_check_cap(-1, MV_CAP_NR_MEMSLOTS) == -EBADF, "mv_check_cap(-1) == -EBADF");
	ok(mv_create_vm(-1) == -EBADF, "mv_create_vm(-1) == -EBADF");
	ok(mv_set_memory_region(-1, 0, 0, 0, 4096, &r) == -EBADF,
	   "mv_set_memory_region(-1) == -EBADF");
	memset(&r, 0, sizeof(r));
	ok(mv_set_memory_region_raw(-1, &r) == -EBADF, "mv_set_memory_region_raw(-1) == -EBADF");
	ok(mv_create_vcpu(-1, 0) == -EBADF, "mv_create_vcpu(-1) == -EBADF");
	ok(mv_run(-1) == -EBADF, "mv_run(-1) == -EBADF");
	ok(mv_get_regs(-1, &regs) == -EBADF && mv_set_regs(-1, &regs) == -EBADF,
	   "mv_get/set_regs(-1) == -EBADF");
	ok(mv_get_sregs(-1, &sregs) == -EBADF && mv_set_sregs(-1, &sregs) == -EBADF,
	   "mv_get/set_sregs(-1) == -EBADF");

	/* A real fd that is not /dev/minivisor: every ioctl is -ENOTTY. */
	ok(null_fd >= 0, "open /dev/null");
	ok(mv_get_api_version(null_fd) == -ENOTTY && mv_check_cap(null_fd, 1) == -ENOTTY &&
	   mv_create_vm(null_fd) == -ENOTTY && mv_run(null_fd) == -ENOTTY &&
	   mv_create_vcpu(null_fd, 0) == -ENOTTY && mv_get_regs(null_fd, &regs) == -ENOTTY,
	   "ioctls on /dev/null: -ENOTTY");
	errno = 0;
	run = mv_map_run(null_fd, null_fd);
	ok(run == NULL && errno == ENOTTY, "mv_map_run without the capability: NULL, errno ENOTTY");
	errno = 0;
	run = mv_map_run(-1, -1);
	ok(run == NULL && errno == EBADF, "mv_map_run(-1, -1): NULL, errno EBADF");
	mv_unmap_run(-1, NULL);		/* a no-op: must not crash */
	close(null_fd);
}

static void test_vm_create(void)
{
	struct mv_vm vm;
	int ret, fd;

	memset(&vm, 0x5a, sizeof(vm));
	ok(mv_vm_create(&vm, 0) == -EINVAL && vm.sys_fd == -1 && vm.vm_fd == -1 &&
	   vm.vcpu_fd == -1 && !vm.run && !vm.mem && !vm.mem_size,
	   "mv_vm_create(size 0): -EINVAL, vm left empty");
	ok(mv_vm_create(&vm, 4097) == -EINVAL, "mv_vm_create(unaligned size): -EINVAL");
	ok(mv_vm_create(NULL, 4096) == -EINVAL, "mv_vm_create(NULL): -EINVAL");
	/* Both harmless: a crash or a close(-1)... would show under ASan/in the fd test. */
	mv_vm_destroy(&vm);
	mv_vm_destroy(NULL);

	if (access(MV_DEVICE_PATH, F_OK) == 0) {
		tap_skip("mv_open/mv_vm_create without the device # SKIP %s exists here",
			 MV_DEVICE_PATH);
		return;
	}
	ok(mv_open() == -ENOENT, "mv_open() without the module: -ENOENT");
	fd = dup(0);	/* the next free fd: mv_vm_create must not leak any */
	close(fd);
	memset(&vm, 0x5a, sizeof(vm));
	ret = mv_vm_create(&vm, 1 << 20);
	ok(ret == -ENOENT && vm.sys_fd == -1 && !vm.mem && !vm.run,
	   "mv_vm_create() without the module: -ENOENT, nothing left allocated");
	ret = dup(0);
	ok(ret == fd, "no fd leaked by the failed mv_vm_create");
	close(ret);
}

static void test_multi_vcpu(void)
{
	struct mv_vm vm;
	struct mv_run *run = (struct mv_run *)1;
	int fd = 7, ret;

	memset(&vm, 0x5a, sizeof(vm));
	ok(mv_vm_create_novcpu(&vm, 0) == -EINVAL && vm.vm_fd == -1 && vm.vcpu_fd == -1 && !vm.mem,
	   "mv_vm_create_novcpu(size 0): -EINVAL, vm left empty");
	ok(mv_vm_add_vcpu(&vm, 0, &fd, &run) == -EINVAL && fd == -1 && run == NULL,
	   "mv_vm_add_vcpu on an empty vm: -EINVAL, *fd -1, *run NULL");
	vm.vm_fd = open("/dev/null", O_RDWR);
	vm.sys_fd = -1;
	ret = mv_vm_add_vcpu(&vm, 1, &fd, &run);
	ok(ret == -ENOTTY && fd == -1 && run == NULL && vm.vcpu_fd == -1,
	   "mv_vm_add_vcpu on a non-VM fd: MV_CREATE_VCPU's -ENOTTY, nothing stored");
	close(vm.vm_fd);
	vm.vm_fd = -1;
	mv_vcpu_release(&vm, -1, NULL);	/* harmless */
	mv_vm_destroy(&vm);
	if (access(MV_DEVICE_PATH, F_OK) == 0)
		return;
	fd = dup(0);
	close(fd);
	ok(mv_vm_create_novcpu(&vm, 1 << 20) == -ENOENT && vm.sys_fd == -1 && !vm.mem &&
	   dup(0) == fd, "mv_vm_create_novcpu() without the module: -ENOENT, no fd leaked");
	close(fd);
}

static void test_names(void)
{
	ok(!strcmp(mv_exit_reason_str(MV_EXIT_NONE), "NONE") &&
	   !strcmp(mv_exit_reason_str(MV_EXIT_IO), "IO") &&
	   !strcmp(mv_exit_reason_str(MV_EXIT_MMIO), "MMIO") &&
	   !strcmp(mv_exit_reason_str(MV_EXIT_HLT), "HLT") &&
	   !strcmp(mv_exit_reason_str(MV_EXIT_SHUTDOWN), "SHUTDOWN") &&
	   !strcmp(mv_exit_reason_str(MV_EXIT_FAIL_ENTRY), "FAIL_ENTRY") &&
	   !strcmp(mv_exit_reason_str(MV_EXIT_INTERNAL_ERROR), "INTERNAL_ERROR") &&
	   !strcmp(mv_exit_reason_str(MV_EXIT_INTR), "INTR") &&
	   !strcmp(mv_exit_reason_str(MV_EXIT_HYPERCALL), "HYPERCALL") &&
	   !strcmp(mv_exit_reason_str(MV_EXIT_MSR), "MSR") &&
	   !strcmp(mv_exit_reason_str(MV_EXIT_DEBUG), "DEBUG") &&
	   !strcmp(mv_exit_reason_str(MV_EXIT_DESC), "DESC") &&
	   !strcmp(mv_exit_reason_str(MV_EXIT_IRQ_WINDOW_OPEN), "IRQ_WINDOW_OPEN") &&
	   !strcmp(mv_exit_reason_str(MV_EXIT_EOI), "EOI"), "every exit reason has its name");
	ok(!strcmp(mv_exit_reason_str(14), "UNKNOWN") &&
	   !strcmp(mv_exit_reason_str(0xffffffff), "UNKNOWN"), "unknown reasons: UNKNOWN");
	ok(!strcmp(mv_internal_suberror_str(MV_INTERNAL_UNHANDLED_EXIT), "UNHANDLED_EXIT") &&
	   !strcmp(mv_internal_suberror_str(MV_INTERNAL_EMULATION), "EMULATION") &&
	   !strcmp(mv_internal_suberror_str(MV_INTERNAL_HW_ERROR), "HW_ERROR") &&
	   !strcmp(mv_internal_suberror_str(MV_INTERNAL_MEMORY_FAULT), "MEMORY_FAULT") &&
	   !strcmp(mv_internal_suberror_str(0), "UNKNOWN"), "internal suberror names");
}

static void test_dumps(void)
{
	static uint8_t page[4096] __attribute__((aligned(8)));
	struct mv_run *run = (struct mv_run *)page;
	struct mv_regs regs;
	struct mv_sregs sregs;
	FILE *f;

	memset(page, 0, sizeof(page));
	run->exit_reason = MV_EXIT_IO;
	run->io.direction = MV_EXIT_IO_OUT;
	run->io.size = 2;
	run->io.port = 0x3f8;
	run->io.count = 1;
	run->io.data_offset = 1024;
	page[1024] = 0x34;
	page[1025] = 0x12;
	f = capture();
	mv_dump_exit(f, run);
	fclose(f);
	ok(strstr(dump_text, "exit_reason: 1 (IO)\n") && strstr(dump_text, "io.direction: 1 (out)") &&
	   strstr(dump_text, "io.port: 0x03f8") && strstr(dump_text, "io.data: 34 12\n"),
	   "IO exit dump: reason, direction, port, data bytes");
	run->io.data_offset = 0xfffffffffff0ull;
	f = capture();
	mv_dump_exit(f, run);
	fclose(f);
	ok(!strstr(dump_text, "io.data:"), "a bogus data_offset is printed, not dereferenced");

	memset(page, 0, sizeof(page));
	run->exit_reason = MV_EXIT_MMIO;
	run->mmio.phys_addr = 0xfee00030;
	run->mmio.len = 4;
	run->mmio.is_write = 1;
	memcpy(run->mmio.data, "\x01\x02\x03\x04", 4);
	f = capture();
	mv_dump_exit(f, run);
	fclose(f);
	ok(strstr(dump_text, "mmio.phys_addr: 0xfee00030") && strstr(dump_text, "mmio.len: 4") &&
	   strstr(dump_text, "mmio.is_write: 1") && strstr(dump_text, "mmio.data: 01 02 03 04\n"),
	   "MMIO exit dump");

	memset(page, 0, sizeof(page));
	run->exit_reason = MV_EXIT_FAIL_ENTRY;
	run->fail_entry.hardware_entry_failure_reason = 33;
	run->fail_entry.qualification = 0;
	run->fail_entry.cpu = 1;
	f = capture();
	mv_dump_exit(f, run);
	fclose(f);
	ok(strstr(dump_text, "hardware_entry_failure_reason: 33 (invalid guest state)") &&
	   strstr(dump_text, "fail_entry.cpu: 1"), "FAIL_ENTRY dump names reason 33");

	memset(page, 0, sizeof(page));
	run->exit_reason = MV_EXIT_INTERNAL_ERROR;
	run->internal.suberror = MV_INTERNAL_UNHANDLED_EXIT;
	run->internal.ndata = 1000;
	run->internal.data[0] = 48;
	f = capture();
	mv_dump_exit(f, run);
	fclose(f);
	ok(strstr(dump_text, "internal.suberror: 1 (UNHANDLED_EXIT)") &&
	   strstr(dump_text, "internal.data[0]: 0x0000000000000030") &&
	   strstr(dump_text, "internal.data[15]") && !strstr(dump_text, "internal.data[16]"),
	   "INTERNAL_ERROR dump, ndata clamped to %d", MV_INTERNAL_MAX_DATA);

	memset(&regs, 0, sizeof(regs));
	regs.rax = 0x1122334455667788ull;
	regs.r15 = 0xf;
	regs.rip = 0x100000;
	regs.rflags = 2;
	mv_sregs_real_mode(&sregs, 0xf000);
	f = capture();
	mv_dump_regs(f, &regs, &sregs);
	fclose(f);
	ok(strstr(dump_text, "rax=0x1122334455667788") && strstr(dump_text, "r15=0x000000000000000f") &&
	   strstr(dump_text, "rip=0x0000000000100000 rflags=0x0000000000000002") &&
	   strstr(dump_text, "cs  sel=0xf000 base=0x00000000000f0000 limit=0x0000ffff type=0xb") &&
	   strstr(dump_text, "cr0=0x0000000000000010") && strstr(dump_text, "efer=0x"),
	   "register dump: GPRs, RIP/RFLAGS, segments, control registers");
	sregs.ldt.unusable = 1;
	f = capture();
	mv_dump_regs(f, &regs, NULL);
	mv_dump_regs(f, NULL, &sregs);
	fclose(f);
	ok(strstr(dump_text, "rax=") && strstr(dump_text, "ldt sel=") &&
	   strstr(dump_text, " unusable\n"), "dumps with NULL sregs or NULL regs");
}

int main(void)
{
	tap_start();
	test_wrappers();
	test_vm_create();
	test_multi_vcpu();
	test_names();
	test_dumps();
	free(dump_text);
	return tap_end();
}
