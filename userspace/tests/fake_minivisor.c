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
 * the UART, honouring immediate_exit) | pc-* (a scripted guest on the PC
 * machine, see pc_scripts below: it programs the PIC, PIT, IOAPIC and
 * UART with I/O and MMIO exits, takes the interrupts mvm injects with
 * MV_INTERRUPT or signals with MV_SIGNAL_MSI, and reports what it got on
 * the UART). The PC ABI: MV_CAP_LAPIC/IRQ_INJECT/SIGNAL_MSI/MP_STATE, up to
 * 8 vCPUs (APs block in MV_RUN until immediate_exit, as in wait-for-SIPI),
 * MV_ENABLE_CAP, MV_INTERRUPT (EBUSY while one is queued), MV_SIGNAL_MSI,
 * MV_SET/GET_MP_STATE; the interrupt window: every exit reports
 * ready_for_interrupt_injection = 0 except MV_EXIT_IRQ_WINDOW_OPEN, so an
 * injection always goes through request_interrupt_window.
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
#include <stdio.h>
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

#define MAX_VCPUS	8
static int vcpu_fds[MAX_VCPUS] = { -1, -1, -1, -1, -1, -1, -1, -1 };
static struct mv_run *vcpu_runs[MAX_VCPUS];
static int lapic_on;
static int queued_vec = -1;		/* MV_INTERRUPT waiting for delivery */
static unsigned long msis;		/* MV_SIGNAL_MSI calls */
static uint32_t msi_addr, msi_data;

static int vcpu_index(int fd)
{
	int i;

	for (i = 0; i < MAX_VCPUS; i++)
		if (fd >= 0 && vcpu_fds[i] == fd)
			return i;
	return -1;
}

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
	if (vcpu_index(fd) >= 0) {
		struct mv_run *r;

		if (off != 0 || len > RUN_SIZE) {
			errno = EINVAL;
			return MAP_FAILED;
		}
		r = real_mmap(NULL, RUN_SIZE, PROT_READ | PROT_WRITE,
			      MAP_SHARED | MAP_ANONYMOUS, -1, 0);
		vcpu_runs[vcpu_index(fd)] = r;
		if (fd == vcpu_fd)
			run = r;
		return r;
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


/* ---- the scripted PC guest (FAKE_MV_EXIT=pc-*) ---- */
#pragma GCC diagnostic ignored "-Wmissing-field-initializers"
enum { OP_OUT, OP_OUTW, OP_MMIO_W, OP_WAIT_PIC, OP_WAIT_MSI, OP_PRINT_IRQ, OP_PRINT_MSI,
       OP_ECHO, OP_IDLE, OP_SHUTDOWN, OP_HLT_CLI, OP_EOI, OP_SETTLE, OP_END };

struct op {
	int kind;
	uint64_t a;	/* port or address, or a count */
	uint32_t v;
};

#define PIC_INIT \
	{ OP_OUT, 0x20, 0x11 }, { OP_OUT, 0x21, 0x20 }, { OP_OUT, 0x21, 0x04 }, \
	{ OP_OUT, 0x21, 0x01 }, { OP_OUT, 0xa0, 0x11 }, { OP_OUT, 0xa1, 0x28 }, \
	{ OP_OUT, 0xa1, 0x02 }, { OP_OUT, 0xa1, 0x01 }
/* PIT channel 0, rate generator, 1193 ticks (1 ms). */
#define PIT_1MS { OP_OUT, 0x43, 0x34 }, { OP_OUT, 0x40, 1193 & 0xff }, { OP_OUT, 0x40, 1193 >> 8 }
#define POWEROFF { OP_OUTW, 0x604, 0x3400 }

static const struct op script_ticks[] = {
	PIC_INIT, { OP_OUT, 0x21, 0xfe }, { OP_OUT, 0xa1, 0xff }, PIT_1MS,
	{ OP_WAIT_PIC, 5 }, { OP_PRINT_IRQ }, { OP_OUT, 0x3f9, 0x01 }, { OP_ECHO },
	POWEROFF, { OP_END },
};
static const struct op script_ioapic[] = {
	PIC_INIT, { OP_OUT, 0x21, 0xff }, { OP_OUT, 0xa1, 0xff },
	{ OP_MMIO_W, 0xfec00000, 0x14 }, { OP_MMIO_W, 0xfec00010, 0x30 },
	{ OP_MMIO_W, 0xfec00000, 0x15 }, { OP_MMIO_W, 0xfec00010, 0x01000000 },
	PIT_1MS, { OP_WAIT_MSI, 3 }, { OP_PRINT_MSI }, POWEROFF, { OP_END },
};
/* UART IRQ4 -> IOAPIC pin 4, level, vector 0x34: one MSI until the EOI. */
static const struct op script_level[] = {
	PIC_INIT, { OP_OUT, 0x21, 0xff }, { OP_OUT, 0xa1, 0xff },
	{ OP_MMIO_W, 0xfec00000, 0x18 }, { OP_MMIO_W, 0xfec00010, 0x8034 },
	{ OP_OUT, 0x3fc, 0x08 }, { OP_OUT, 0x3f9, 0x01 },
	{ OP_WAIT_MSI, 1 }, { OP_SETTLE }, { OP_PRINT_MSI, 1 }, { OP_EOI, 0, 0x34 },
	{ OP_WAIT_MSI, 2 }, { OP_SETTLE }, { OP_PRINT_MSI, 1 }, POWEROFF, { OP_END },
};
static const struct op script_reset[] = { { OP_OUT, 0x64, 0xfe }, { OP_END } };
static const struct op script_pci_reset[] = { { OP_OUT, 0xcf9, 0x06 }, { OP_END } };
static const struct op script_triple[] = { { OP_SHUTDOWN }, { OP_END } };
static const struct op script_idle[] = { { OP_IDLE } };
static const struct op script_debug[] = { { OP_OUT, 0xf4, 5 }, { OP_END } };
static const struct op script_hlt[] = { { OP_HLT_CLI }, { OP_END } };

static const struct op *script;
static unsigned int pc_ip;	/* next op */
static unsigned int sub;	/* step inside a multi-exit op */
static unsigned int delivered;	/* interrupts taken */
static int last_vec = -1;
static char text[64];
static size_t text_len, text_pos;
static uint8_t echo_byte;

static const struct op *pick_script(const char *m)
{
	static const struct { const char *name; const struct op *ops; } t[] = {
		{ "pc-ticks", script_ticks }, { "pc-ioapic", script_ioapic },
		{ "pc-level", script_level }, { "pc-reset", script_reset },
		{ "pc-pci-reset", script_pci_reset }, { "pc-triple", script_triple },
		{ "pc-idle", script_idle }, { "pc-debug", script_debug },
		{ "pc-hlt", script_hlt },
	};
	unsigned int i;

	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++)
		if (!strcmp(m, t[i].name))
			return t[i].ops;
	return NULL;
}

static void exit_io(struct mv_run *r, int out, uint16_t port, uint8_t size, uint32_t v)
{
	memset(r->padding, 0, sizeof(r->padding));
	r->exit_reason = MV_EXIT_IO;
	r->io.direction = out ? MV_EXIT_IO_OUT : MV_EXIT_IO_IN;
	r->io.size = size;
	r->io.port = port;
	r->io.count = 1;
	r->io.data_offset = DATA_OFF;
	memcpy((uint8_t *)r + DATA_OFF, &v, size);
}

/* Idle with IF=1: take a queued interrupt, open the window, or wait for a kick. */
static int idle_step(struct mv_run *r, bool *took)
{
	*took = false;
	for (;;) {
		if (__atomic_load_n(&queued_vec, __ATOMIC_SEQ_CST) >= 0) {
			last_vec = __atomic_exchange_n(&queued_vec, -1, __ATOMIC_SEQ_CST);
			delivered++;
			*took = true;
			/* The handler's EOI to the master PIC. */
			exit_io(r, 1, 0x20, 1, 0x20);
			return 0;
		}
		if (r->request_interrupt_window) {
			memset(r->padding, 0, sizeof(r->padding));
			r->exit_reason = MV_EXIT_IRQ_WINDOW_OPEN;
			r->ready_for_interrupt_injection = 1;
			return 0;
		}
		if (r->immediate_exit) {
			r->exit_reason = MV_EXIT_INTR;
			return fail(EINTR);
		}
		if (usleep(1000) && errno == EINTR) {
			r->exit_reason = MV_EXIT_INTR;
			return fail(EINTR);	/* the kick signal */
		}
		return -2;	/* nothing yet: the caller looks at its condition again */
	}
}

static int text_step(struct mv_run *r)
{
	exit_io(r, 1, 0x3f8, 1, (uint8_t)text[text_pos++]);
	return 0;
}

static int pc_run(struct mv_run *r)
{
	const struct op *o;
	bool took;
	int ret;

	if (!script)
		script = pick_script(mode());
	if (!script)
		return fail(EINVAL);
	r->ready_for_interrupt_injection = 0;
	r->if_flag = 1;
	for (;;) {
		if (text_pos < text_len)
			return text_step(r);
		text_len = text_pos = 0;
		o = &script[pc_ip];
		switch (o->kind) {
		case OP_OUT:
			pc_ip++;
			exit_io(r, 1, (uint16_t)o->a, 1, o->v);
			return 0;
		case OP_OUTW:
			pc_ip++;
			exit_io(r, 1, (uint16_t)o->a, 2, o->v);
			return 0;
		case OP_MMIO_W:
			pc_ip++;
			memset(r->padding, 0, sizeof(r->padding));
			r->exit_reason = MV_EXIT_MMIO;
			r->mmio.phys_addr = o->a;
			r->mmio.len = 4;
			r->mmio.is_write = 1;
			memcpy(r->mmio.data, &o->v, 4);
			return 0;
		case OP_EOI:
			pc_ip++;
			memset(r->padding, 0, sizeof(r->padding));
			r->exit_reason = MV_EXIT_EOI;
			r->eoi.vector = (uint8_t)o->v;
			return 0;
		case OP_SETTLE:		/* 50 ms of idling: nothing more may arrive */
			pc_ip++;
			usleep(50000);
			continue;
		case OP_WAIT_PIC:
		case OP_WAIT_MSI:
		case OP_IDLE:
		case OP_END:
			if ((o->kind == OP_WAIT_PIC && delivered >= o->a) ||
			    (o->kind == OP_WAIT_MSI && __atomic_load_n(&msis, __ATOMIC_SEQ_CST) >= o->a)) {
				pc_ip++;
				continue;
			}
			ret = idle_step(r, &took);
			if (ret == -2)
				continue;
			return ret;
		case OP_PRINT_IRQ:
			pc_ip++;
			text_len = (size_t)snprintf(text, sizeof(text), "irq 0x%x x%u\n",
						    (unsigned int)last_vec, delivered);
			continue;
		case OP_PRINT_MSI:
			pc_ip++;
			/* a: print the exact count (else the timer may have sent more already) */
			if (o->a)
				text_len = (size_t)snprintf(text, sizeof(text),
							    "msi %lu addr 0x%x data 0x%x\n",
							    __atomic_load_n(&msis, __ATOMIC_SEQ_CST),
							    msi_addr, msi_data);
			else
				text_len = (size_t)snprintf(text, sizeof(text),
							    "msi addr 0x%x data 0x%x\n",
							    msi_addr, msi_data);
			continue;
		case OP_ECHO:
			/* sub 0: IN LSR; 1: look at it; 2: IN RBR done, OUT it. */
			if (sub == 0) {
				sub = 1;
				exit_io(r, 0, 0x3fd, 1, 0);
				return 0;
			}
			if (sub == 1) {
				if (((uint8_t *)r)[DATA_OFF] & 1) {
					sub = 2;
					exit_io(r, 0, 0x3f8, 1, 0);
					return 0;
				}
				sub = 0;
				ret = idle_step(r, &took);
				if (ret == -2)
					continue;
				return ret;
			}
			echo_byte = ((uint8_t *)r)[DATA_OFF];
			sub = 0;
			if (echo_byte == '\n')
				pc_ip++;
			exit_io(r, 1, 0x3f8, 1, echo_byte);
			return 0;
		case OP_SHUTDOWN:
			pc_ip++;
			memset(r->padding, 0, sizeof(r->padding));
			r->exit_reason = MV_EXIT_SHUTDOWN;
			return 0;
		case OP_HLT_CLI:
			pc_ip++;
			memset(r->padding, 0, sizeof(r->padding));
			r->exit_reason = MV_EXIT_HLT;
			r->if_flag = 0;
			return 0;
		default:
			return fail(EINVAL);
		}
	}
}

/* An AP in wait-for-SIPI: MV_RUN blocks until a kick. */
static int ap_run(struct mv_run *r)
{
	while (!r->immediate_exit)
		if (usleep(100000) && errno == EINTR)
			break;
	r->exit_reason = MV_EXIT_INTR;
	return fail(EINTR);
}

static int vcpu_run(int fd)
{
	const char *m = mode();

	int idx = vcpu_index(fd);

	if (idx > 0)
		return ap_run(vcpu_runs[idx]);
	runs++;
	if (run->immediate_exit) {
		run->exit_reason = MV_EXIT_INTR;
		return fail(EINTR);
	}
	if (!strncmp(m, "pc-", 3))
		return pc_run(run);
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
	case MV_CAP_MAX_VCPUS: return MAX_VCPUS;
	case MV_CAP_LAPIC: return getenv("FAKE_MV_NO_LAPIC") ? 0 : MV_LAPIC_XAPIC;
	case MV_CAP_IRQ_INJECT: case MV_CAP_SIGNAL_MSI: case MV_CAP_MP_STATE: return 1;
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
	if (fd < 0 || (fd != sys_fd && fd != vm_fd && vcpu_index(fd) < 0))
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
		case MV_CREATE_VCPU: {
			unsigned long id = (unsigned long)arg;

			if (id >= MAX_VCPUS || vcpu_fds[id] >= 0)
				return fail(id >= MAX_VCPUS ? EINVAL : EEXIST);
			vcpu_fds[id] = new_fd();
			if (id == 0)
				vcpu_fd = vcpu_fds[0];
			return vcpu_fds[id];
		}
		case MV_ENABLE_CAP: {
			const struct mv_enable_cap *c = arg;

			if (c->cap != MV_CAP_LAPIC || c->flags || c->args[0] || vcpu_fds[0] >= 0)
				return fail(EINVAL);	/* LAPIC only before the first vCPU */
			lapic_on = 1;
			return 0;
		}
		case MV_SIGNAL_MSI: {
			const struct mv_msi *msi = arg;

			if (!lapic_on)
				return fail(ENOTTY);
			msi_addr = msi->address_lo;
			msi_data = msi->data;
			__atomic_add_fetch(&msis, 1, __ATOMIC_SEQ_CST);
			return 1;
		}
		}
	} else {
		switch (req) {
		case MV_RUN:
			return vcpu_run(fd);
		case MV_INTERRUPT: {
			const struct mv_interrupt *irq = arg;
			int none = -1;

			if (vcpu_index(fd) != 0 || irq->vector < 32 || irq->vector > 255 || irq->flags)
				return fail(EINVAL);
			if (!__atomic_compare_exchange_n(&queued_vec, &none, (int)irq->vector, false,
							 __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST))
				return fail(EBUSY);
			return 0;
		}
		case MV_SET_MP_STATE:
		case MV_GET_MP_STATE:
			if (!lapic_on)
				return fail(EINVAL);
			if (req == MV_GET_MP_STATE)
				((struct mv_mp_state *)arg)->state = vcpu_index(fd) ? MV_MP_STATE_WAIT_SIPI
										      : MV_MP_STATE_RUNNABLE;
			return 0;
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
