// SPDX-License-Identifier: GPL-2.0
/*
 * A stand-in for /dev/minivisor, LD_PRELOADed into the real mvm binary so
 * that main.c, run.c and libminivisor's ioctl calls can be tested on a
 * machine without VT-x. It implements the documented ABI (Documentation/
 * api.md) in userspace: open("/dev/minivisor"), the system/VM/vCPU ioctls
 * and the run-page mmap. MV_RUN either plays a scripted exit (FAKE_MV_EXIT,
 * see below) or, when built with Unicorn, executes the guest on an emulated
 * CPU and stops at each IN, OUT and HLT with the exit the module would give.
 *
 * FAKE_MV_EXIT: shutdown | fail_entry | internal | unknown | eio (MV_RUN
 * fails with EIO) | ebusy (MV_CREATE_VM fails) | api2 (API version 2) |
 * intr (first MV_RUN returns EINTR, the next HLT) | spin (endless OUTs to
 * the UART, honouring immediate_exit).
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>
#include <linux/minivisor.h>
#ifdef HAVE_UNICORN
#include <unicorn/unicorn.h>
#endif

#define RUN_SIZE	4096
#define DATA_OFF	1024

static int sys_fd = -1, vm_fd = -1, vcpu_fd = -1;
static struct mv_run *run;
static struct mv_regs regs;
static struct mv_sregs sregs;
static uint8_t *mem;
static uint64_t mem_size;
static unsigned long runs;

static int (*real_open)(const char *, int, ...);
static int (*real_ioctl)(int, unsigned long, ...);
static void *(*real_mmap)(void *, size_t, int, int, int, off_t);

static void resolve(void)
{
	if (!real_open) {
		real_open = dlsym(RTLD_NEXT, "open");
		real_ioctl = dlsym(RTLD_NEXT, "ioctl");
		real_mmap = dlsym(RTLD_NEXT, "mmap");
	}
}

static const char *mode(void)
{
	const char *m = getenv("FAKE_MV_EXIT");

	return m ? m : "";
}

static int new_fd(void)
{
	return real_open("/dev/null", O_RDWR | O_CLOEXEC);
}

int open(const char *path, int flags, ...)
{
	va_list ap;
	mode_t m = 0;

	resolve();
	if (!strcmp(path, "/dev/minivisor")) {
		sys_fd = new_fd();	/* mvm opens it twice: the last one is current */
		return sys_fd;
	}
	va_start(ap, flags);
	if (flags & (O_CREAT | O_TMPFILE))
		m = va_arg(ap, mode_t);
	va_end(ap);
	return real_open(path, flags, m);
}
int open64(const char *path, int flags, ...) __attribute__((alias("open")));

void *mmap(void *addr, size_t len, int prot, int flags, int fd, off_t off)
{
	resolve();
	if (fd >= 0 && fd == vcpu_fd) {
		if (off != 0 || len > RUN_SIZE) {
			errno = EINVAL;
			return MAP_FAILED;
		}
		run = real_mmap(NULL, RUN_SIZE, PROT_READ | PROT_WRITE,
				MAP_SHARED | MAP_ANONYMOUS, -1, 0);
		return run;
	}
	return real_mmap(addr, len, prot, flags, fd, off);
}
void *mmap64(void *, size_t, int, int, int, off_t) __attribute__((alias("mmap")));

static int fail(int e)
{
	errno = e;
	return -1;
}

#ifdef HAVE_UNICORN
static uc_engine *uc;
static uint64_t next_rip;	/* after the instruction the last exit stopped at */
static bool pending_in;
static bool long_mode;

/* Unicorn only knows the registers of the mode it was opened in. */
#define REG(r64, r32)	(long_mode ? (r64) : (r32))

static void on_code(uc_engine *u, uint64_t addr, uint32_t size, void *user)
{
	uint8_t b[3] = { 0 };
	unsigned int opsz = 4, i = 0, len;
	uint64_t rdx = 0;
	bool in, imm;

	(void)user;
	uc_mem_read(u, addr, b, sizeof(b));
	if (b[0] == 0x66) {	/* operand-size prefix: 16 bits outside real mode */
		opsz = 2;
		i = 1;
	}
	if (b[i] == 0xf4) {
		run->exit_reason = MV_EXIT_HLT;
		next_rip = addr + size;
		uc_emu_stop(u);
		return;
	}
	if (!(b[i] >= 0xe4 && b[i] <= 0xe7) && !(b[i] >= 0xec && b[i] <= 0xef))
		return;
	in = !(b[i] & 2);
	imm = b[i] < 0xe8;
	if (!(b[i] & 1))
		opsz = 1;
	else if (sregs.cr0 & 1 ? false : true)
		opsz = i ? 4 : 2;	/* real mode: the prefix selects 32 bits */
	len = i + 1 + imm;
	uc_reg_read(u, REG(UC_X86_REG_RDX, UC_X86_REG_EDX), &rdx);
	memset(run->padding, 0, sizeof(run->padding));
	run->exit_reason = MV_EXIT_IO;
	run->io.direction = in ? MV_EXIT_IO_IN : MV_EXIT_IO_OUT;
	run->io.size = (uint8_t)opsz;
	run->io.port = imm ? b[i + 1] : (uint16_t)rdx;
	run->io.count = 1;
	run->io.data_offset = DATA_OFF;
	if (!in) {
		uint64_t rax = 0;

		uc_reg_read(u, REG(UC_X86_REG_RAX, UC_X86_REG_EAX), &rax);
		memcpy((uint8_t *)run + DATA_OFF, &rax, opsz);
	}
	pending_in = in;
	next_rip = addr + len;
	uc_emu_stop(u);
}

static int start_engine(void)
{
	uc_x86_mmr gdtr = { .base = sregs.gdt.base, .limit = sregs.gdt.limit };
	uc_x86_msr efer = { .rid = 0xc0000080, .value = sregs.efer };
	uc_hook h;
	uint64_t v;

	long_mode = sregs.efer & (1 << 10);
	if (uc_open(UC_ARCH_X86, long_mode ? UC_MODE_64 : UC_MODE_16, &uc) ||
	    uc_mem_map_ptr(uc, 0, mem_size, UC_PROT_ALL, mem))
		return -1;
	if (long_mode) {
		uc_reg_write(uc, UC_X86_REG_GDTR, &gdtr);
		uc_reg_write(uc, UC_X86_REG_MSR, &efer);
		uc_reg_write(uc, UC_X86_REG_CR4, &sregs.cr4);
		uc_reg_write(uc, UC_X86_REG_CR3, &sregs.cr3);
		uc_reg_write(uc, UC_X86_REG_CR0, &sregs.cr0);
	} else {
		v = sregs.cs.selector;
		uc_reg_write(uc, UC_X86_REG_CS, &v);
	}
	v = sregs.ds.selector;
	uc_reg_write(uc, UC_X86_REG_DS, &v);
	v = sregs.ss.selector;
	uc_reg_write(uc, UC_X86_REG_SS, &v);
	uc_reg_write(uc, REG(UC_X86_REG_RSP, UC_X86_REG_ESP), &regs.rsp);
	uc_reg_write(uc, UC_X86_REG_EFLAGS, &regs.rflags);
	next_rip = regs.rip;
	return uc_hook_add(uc, &h, UC_HOOK_CODE, on_code, NULL, 1, 0) ? -1 : 0;
}

static int emulate(void)
{
	uint64_t rip;

	if (!uc && start_engine())
		return fail(EIO);
	/* Complete the last exit: IN data into AL/AX/EAX, RIP past the insn. */
	if (pending_in) {
		uint64_t rax = 0;

		uc_reg_read(uc, REG(UC_X86_REG_RAX, UC_X86_REG_EAX), &rax);
		if (run->io.size == 4)
			rax = 0;	/* a 32-bit write zero-extends */
		memcpy(&rax, (uint8_t *)run + DATA_OFF, run->io.size);
		uc_reg_write(uc, REG(UC_X86_REG_RAX, UC_X86_REG_EAX), &rax);
		pending_in = false;
	}
	rip = next_rip;
	run->exit_reason = MV_EXIT_NONE;
	if (uc_emu_start(uc, rip, UINT64_MAX, 0, 100000) || run->exit_reason == MV_EXIT_NONE) {
		/* A fault, or 100000 instructions without an exit: a triple fault to mvm. */
		uc_reg_read(uc, REG(UC_X86_REG_RIP, UC_X86_REG_EIP), &regs.rip);
		run->exit_reason = MV_EXIT_SHUTDOWN;
	}
	return 0;
}
#else
static int emulate(void)
{
	return fail(ENOSYS);
}
#endif

static int vcpu_run(void)
{
	const char *m = mode();

	runs++;
	if (run->immediate_exit) {
		run->exit_reason = MV_EXIT_INTR;
		return fail(EINTR);
	}
	if (!*m)
		return emulate();	/* it needs the last exit's payload: no clearing */
	memset(run->padding, 0, sizeof(run->padding));
	if (!strcmp(m, "shutdown")) {
		run->exit_reason = MV_EXIT_SHUTDOWN;
	} else if (!strcmp(m, "fail_entry")) {
		run->exit_reason = MV_EXIT_FAIL_ENTRY;
		run->fail_entry.hardware_entry_failure_reason = 33;
	} else if (!strcmp(m, "internal")) {
		run->exit_reason = MV_EXIT_INTERNAL_ERROR;
		run->internal.suberror = MV_INTERNAL_UNHANDLED_EXIT;
		run->internal.ndata = 4;
		run->internal.data[0] = 10;	/* CPUID */
	} else if (!strcmp(m, "unknown")) {
		run->exit_reason = 42;
	} else if (!strcmp(m, "eio")) {
		return fail(EIO);
	} else if (!strcmp(m, "intr")) {
		run->exit_reason = runs == 1 ? MV_EXIT_INTR : MV_EXIT_HLT;
		if (runs == 1)
			return fail(EINTR);
	} else if (!strcmp(m, "spin")) {
		run->exit_reason = MV_EXIT_IO;
		run->io.direction = MV_EXIT_IO_OUT;
		run->io.size = 1;
		run->io.port = 0x3f8;
		run->io.count = 1;
		run->io.data_offset = DATA_OFF;
		((uint8_t *)run)[DATA_OFF] = runs % 10 ? 'x' : '\n';
		usleep(100);
	} else {
		return fail(EINVAL);	/* a typo in FAKE_MV_EXIT */
	}
	return 0;
}

static long cap(unsigned long c)
{
	switch (c) {
	case MV_CAP_NR_MEMSLOTS: return 32;
	case MV_CAP_MAX_VCPUS: return 1;
	case MV_CAP_VCPU_MMAP_SIZE: return RUN_SIZE;
	case MV_CAP_MAX_MEMSLOT_SIZE: return 1024;
	case MV_CAP_GUEST_PHYS_BITS: return 39;
	case MV_CAP_READONLY_MEM: case MV_CAP_IMMEDIATE_EXIT: case MV_CAP_UNRESTRICTED: return 1;
	default: return 0;
	}
}

int ioctl(int fd, unsigned long req, ...)
{
	const struct mv_memory_region *r;
	va_list ap;
	void *arg;

	resolve();
	va_start(ap, req);
	arg = va_arg(ap, void *);
	va_end(ap);
	if (fd < 0 || (fd != sys_fd && fd != vm_fd && fd != vcpu_fd))
		return real_ioctl(fd, req, arg);

	if (fd == sys_fd) {
		switch (req) {
		case MV_GET_API_VERSION:
			return strcmp(mode(), "api2") ? MV_API_VERSION : 2;
		case MV_CHECK_CAP:
			return (int)cap((unsigned long)arg);
		case MV_CREATE_VM:
			if (arg)
				return fail(EINVAL);
			if (!strcmp(mode(), "ebusy"))
				return fail(EBUSY);
			vm_fd = new_fd();
			return vm_fd;
		}
	} else if (fd == vm_fd) {
		switch (req) {
		case MV_SET_MEMORY_REGION:
			r = arg;
			if (r->slot != 0 || r->flags || r->reserved[0] || r->reserved[1] ||
			    (r->guest_phys_addr | r->memory_size | r->userspace_addr) & 0xfff ||
			    r->guest_phys_addr || r->memory_size > (1024ull << 20))
				return fail(EINVAL);
			mem = (uint8_t *)(uintptr_t)r->userspace_addr;
			mem_size = r->memory_size;
			return 0;
		case MV_CREATE_VCPU:
			if (arg)
				return fail(EINVAL);
			vcpu_fd = new_fd();
			return vcpu_fd;
		}
	} else {
		switch (req) {
		case MV_RUN:
			return vcpu_run();
		case MV_GET_REGS:
			memcpy(arg, &regs, sizeof(regs));
			return 0;
		case MV_SET_REGS:
			memcpy(&regs, arg, sizeof(regs));
			regs.rflags |= 2;
			return 0;
		case MV_GET_SREGS:
			memcpy(arg, &sregs, sizeof(sregs));
			return 0;
		case MV_SET_SREGS:
			memcpy(&sregs, arg, sizeof(sregs));
			return 0;
		}
	}
	return fail(ENOTTY);
}
