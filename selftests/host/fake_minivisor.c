// SPDX-License-Identifier: GPL-2.0
/*
 * Host tier only: a stand-in for the /dev/minivisor half of libminivisor
 * (mv_ioctl.o and mv_vm.o), linked into copies of the test programs so the
 * long-mode test cases run on a machine without VT-x.
 *
 * The guest function runs natively at CPL 3 in a ptrace'd child whose
 * address space, from FAKE_LOW up, is the guest memory: a memfd shared with
 * the test (vm->mem) and mapped at the guest-physical addresses, which works
 * because long-mode guests are identity mapped and the binary's own image
 * sits in guest memory at its link address. Privileged instructions fault;
 * the tracer turns them into what the module produces: IN/OUT become
 * MV_EXIT_IO (IN data applied on the next run), HLT becomes MV_EXIT_HLT,
 * "mov %cr2" is emulated, #UD is delivered through the guest's IDT, and
 * faulting MOVs to unmapped addresses become MV_EXIT_MMIO as documented
 * (opcodes 88, 89, 8A, 8B, C6, C7, A0-A3; the read completes on the next
 * run). That exercises the real test code, guest code, ucall, the
 * trampoline, the exception stubs and the MMIO tests' expectations. Real
 * mode, memory slots, paging and VMX behaviour are out of reach: MV_RUN
 * fails with ENOSYS or reports MV_INTERNAL_EMULATION.
 */
#include <errno.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/ptrace.h>
#include <sys/syscall.h>
#include <sys/user.h>
#include <sys/wait.h>
#include <unistd.h>

#include "libminivisor.h"
#include "test_harness.h"

#define FAKE_LOW	0x100000ull	/* guest memory below this stays unmapped */
#define FAKE_RUN_SIZE	4096
#define FAKE_VCPU_FD	1000		/* never a real fd: nothing to close */

static struct {
	bool active;
	int memfd;
	uint8_t *mem;
	uint64_t mem_size;
	struct mv_run *run;
	struct mv_regs regs;
	struct mv_sregs sregs;
	pid_t child;
	unsigned int pending_in;	/* size of an IN awaiting its data */
	struct {
		unsigned int len;	/* 0: no MMIO read awaiting its data */
		unsigned int reg;	/* destination GPR number */
		bool high_byte;		/* AH, CH, DH or BH */
	} pending_mmio;
	uint64_t cr2;
} fk;

static void fake_note(const char *what)
{
	printf("# fake minivisor: %s\n", what);
}

/*
 * The rest of mv_ioctl.o's interface, so that no member of libminivisor.a
 * with real ioctls gets linked in. The long-mode cases never call these.
 */
int mv_open(void)
{
	return -ENOSYS;
}

int mv_get_api_version(int fd)
{
	(void)fd;
	return MV_API_VERSION;
}

int mv_create_vm(int fd)
{
	(void)fd;
	return -ENOSYS;
}

int mv_create_vcpu(int fd, unsigned int id)
{
	(void)fd;
	(void)id;
	return -ENOSYS;
}

struct mv_run *mv_map_run(int sys_fd, int vcpu_fd)
{
	(void)sys_fd;
	(void)vcpu_fd;
	errno = ENOSYS;
	return NULL;
}

void mv_unmap_run(int sys_fd, struct mv_run *run)
{
	(void)sys_fd;
	(void)run;
}

int mv_set_memory_region_raw(int fd, const struct mv_memory_region *r)
{
	(void)fd;
	(void)r;
	return -ENOSYS;
}

int mv_set_memory_region(int fd, uint32_t slot, uint32_t flags, uint64_t gpa,
			 uint64_t size, void *hva)
{
	(void)fd;
	(void)slot;
	(void)flags;
	(void)gpa;
	(void)size;
	(void)hva;
	return -ENOSYS;
}

long mv_check_cap(int fd, unsigned int cap)
{
	(void)fd;
	switch (cap) {
	case MV_CAP_NR_MEMSLOTS:
		return 32;
	case MV_CAP_VCPU_MMAP_SIZE:
		return FAKE_RUN_SIZE;
	case MV_CAP_GUEST_PHYS_BITS:
		return 39;
	default:
		return 1;
	}
}

int mv_vm_create(struct mv_vm *vm, uint64_t mem_size)
{
	memset(vm, 0, sizeof(*vm));
	vm->sys_fd = vm->vm_fd = vm->vcpu_fd = -1;
	if (fk.active)
		return -EBUSY;	/* one VM at a time */
	memset(&fk, 0, sizeof(fk));
	fk.memfd = memfd_create("fake-guest-memory", MFD_CLOEXEC);
	if (fk.memfd < 0 || ftruncate(fk.memfd, (off_t)mem_size) < 0)
		return -errno;
	fk.mem = mmap(NULL, mem_size, PROT_READ | PROT_WRITE, MAP_SHARED, fk.memfd, 0);
	fk.run = mmap(NULL, FAKE_RUN_SIZE, PROT_READ | PROT_WRITE,
		      MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (fk.mem == MAP_FAILED || fk.run == MAP_FAILED)
		return -ENOMEM;
	fk.mem_size = mem_size;
	fk.active = true;
	vm->vcpu_fd = FAKE_VCPU_FD;
	vm->run = fk.run;
	vm->mem = fk.mem;
	vm->mem_size = mem_size;
	return 0;
}

void mv_vm_destroy(struct mv_vm *vm)
{
	if (!fk.active)
		return;
	if (fk.child > 0) {
		kill(fk.child, SIGKILL);
		waitpid(fk.child, NULL, 0);
	}
	munmap(fk.mem, fk.mem_size);
	munmap(fk.run, FAKE_RUN_SIZE);
	close(fk.memfd);
	memset(&fk, 0, sizeof(fk));
	memset(vm, 0, sizeof(*vm));
	vm->sys_fd = vm->vm_fd = vm->vcpu_fd = -1;
}

/* The general registers, in struct mv_regs order. */
#define FAKE_GPRS(X) X(rax) X(rbx) X(rcx) X(rdx) X(rsi) X(rdi) X(rsp) X(rbp) \
	X(r8) X(r9) X(r10) X(r11) X(r12) X(r13) X(r14) X(r15) X(rip)

static void to_user(const struct mv_regs *r, struct user_regs_struct *u)
{
#define TO_USER(reg) u->reg = r->reg;
	FAKE_GPRS(TO_USER)
#undef TO_USER
	u->eflags = r->rflags | 0x200;	/* user mode keeps IF */
}

static void from_user(const struct user_regs_struct *u, struct mv_regs *r)
{
#define FROM_USER(reg) r->reg = u->reg;
	FAKE_GPRS(FROM_USER)
#undef FROM_USER
	r->rflags = u->eflags;
}

static int push_regs(void)
{
	struct user_regs_struct u;

	if (ptrace(PTRACE_GETREGS, fk.child, 0, &u) < 0)
		return -errno;
	to_user(&fk.regs, &u);
	return ptrace(PTRACE_SETREGS, fk.child, 0, &u) < 0 ? -errno : 0;
}

static int pull_regs(void)
{
	struct user_regs_struct u;

	if (ptrace(PTRACE_GETREGS, fk.child, 0, &u) < 0)
		return -errno;
	from_user(&u, &fk.regs);
	return 0;
}

int mv_get_regs(int fd, struct mv_regs *r)
{
	int ret = fk.child > 0 ? pull_regs() : 0;

	(void)fd;
	if (ret == 0)
		*r = fk.regs;
	return ret;
}

int mv_set_regs(int fd, const struct mv_regs *r)
{
	(void)fd;
	fk.regs = *r;
	fk.regs.rflags |= 2;
	fk.pending_in = 0;	/* as documented: the caller took over */
	fk.pending_mmio.len = 0;
	return fk.child > 0 ? push_regs() : 0;
}

int mv_get_sregs(int fd, struct mv_sregs *s)
{
	(void)fd;
	*s = fk.sregs;
	return 0;
}

int mv_set_sregs(int fd, const struct mv_sregs *s)
{
	(void)fd;
	fk.sregs = *s;
	return 0;
}

/*
 * The child maps the guest memory over its own address space, including its
 * own text (the guest image holds the same bytes, so execution goes on) and
 * data (which it no longer uses: everything after the mmap is one asm block
 * working on registers), then stops for the tracer.
 */
static int spawn_child(void)
{
	int status;
	pid_t pid;

	fflush(NULL);
	pid = fork();
	if (pid < 0)
		return -errno;
	if (pid == 0) {
		long self = getpid();

		if (ptrace(PTRACE_TRACEME, 0, 0, 0) < 0)
			_exit(100);
		/* Register variables only hold across no calls: set them last. */
		register long r10 asm("r10") = MAP_SHARED | MAP_FIXED;
		register long r8 asm("r8") = fk.memfd;
		register long r9 asm("r9") = FAKE_LOW;

		asm volatile("syscall\n\t"
			     "cmpq $-4096, %%rax\n\t"
			     "ja 1f\n\t"
			     "movq %[self], %%rdi\n\t"
			     "movl %[sigstop], %%esi\n\t"
			     "movl %[nr_kill], %%eax\n\t"
			     "syscall\n"
			     "1:\n\t"
			     "movl $101, %%edi\n\t"
			     "movl %[nr_exit], %%eax\n\t"
			     "syscall"
			     : : "a"(SYS_mmap), "D"(FAKE_LOW), "S"(fk.mem_size - FAKE_LOW),
			       "d"(PROT_READ | PROT_WRITE | PROT_EXEC), "r"(r10), "r"(r8),
			       "r"(r9), [self] "r"(self), [sigstop] "i"(SIGSTOP),
			       [nr_kill] "i"(SYS_kill), [nr_exit] "i"(SYS_exit)
			     : "rcx", "r11", "memory");
		_exit(102);
	}
	if (waitpid(pid, &status, 0) != pid)
		return -errno;
	if (!WIFSTOPPED(status) || WSTOPSIG(status) != SIGSTOP) {
		char msg[128];

		if (WIFEXITED(status))
			snprintf(msg, sizeof(msg), "the traced child did not start: exit "
				 "status %d", WEXITSTATUS(status));
		else
			snprintf(msg, sizeof(msg), "the traced child did not start: signal %d",
				 WIFSTOPPED(status) ? WSTOPSIG(status) : WTERMSIG(status));
		if (WIFSTOPPED(status))
			kill(pid, SIGKILL);
		waitpid(pid, NULL, 0);
		/* No ptrace or no mapping at low addresses here: nothing to test. */
		test_skip("%s (the fake needs ptrace and mmap at 0x%llx)", msg, FAKE_LOW);
	}
	ptrace(PTRACE_SETOPTIONS, pid, 0, PTRACE_O_EXITKILL);
	fk.child = pid;
	return push_regs();
}

static uint64_t *gpr(struct user_regs_struct *u, unsigned int n)
{
	uint64_t *map[16] = {
		(uint64_t *)&u->rax, (uint64_t *)&u->rcx, (uint64_t *)&u->rdx,
		(uint64_t *)&u->rbx, (uint64_t *)&u->rsp, (uint64_t *)&u->rbp,
		(uint64_t *)&u->rsi, (uint64_t *)&u->rdi, (uint64_t *)&u->r8,
		(uint64_t *)&u->r9, (uint64_t *)&u->r10, (uint64_t *)&u->r11,
		(uint64_t *)&u->r12, (uint64_t *)&u->r13, (uint64_t *)&u->r14,
		(uint64_t *)&u->r15,
	};

	return map[n & 15];
}

/* [gpa, gpa + len) is guest memory (the tracer reads it through fk.mem). */
static bool guest_range_ok(uint64_t gpa, uint64_t len)
{
	return gpa <= fk.mem_size && len <= fk.mem_size - gpa;
}

static void internal_error(uint64_t addr, uint64_t rip)
{
	fk.run->exit_reason = MV_EXIT_INTERNAL_ERROR;
	fk.run->internal.suberror = MV_INTERNAL_EMULATION;
	fk.run->internal.ndata = 2;
	fk.run->internal.data[0] = addr;
	fk.run->internal.data[1] = rip;
	if (guest_range_ok(rip, 16)) {
		memcpy(&fk.run->internal.data[2], fk.mem + rip, 16);
		fk.run->internal.ndata = 4;
	}
}

/* GPR n (0-15) as a byte register: without REX, 4-7 are AH, CH, DH, BH. */
static uint64_t get_reg(struct user_regs_struct *u, unsigned int n, unsigned int len,
			bool rex)
{
	if (len == 1 && !rex && n >= 4 && n < 8)
		return (*gpr(u, n - 4) >> 8) & 0xff;
	return *gpr(u, n) & (len == 8 ? ~0ull : (1ull << (8 * len)) - 1);
}

/*
 * The documented MMIO decoder: MOV between a register or immediate and
 * memory. Only the addressing forms the tests use (register indirect,
 * mod 00 without SIB or RIP-relative, and moffs64) are understood.
 */
static bool mmio_exit(struct user_regs_struct *u, uint64_t addr)
{
	struct mv_run *run = fk.run;
	const uint8_t *p = fk.mem + u->rip;
	unsigned int i = 0, len = 4, reg = 0, ilen;
	bool rex = false, rex_w = false, rex_r = false, write;
	uint64_t value = 0;
	uint8_t op, modrm;

	if (p[i] == 0x66) {
		len = 2;
		i++;
	}
	if ((p[i] & 0xf0) == 0x40) {
		rex = true;
		rex_w = p[i] & 8;
		rex_r = p[i] & 4;
		i++;
	}
	if (rex_w)
		len = 8;
	op = p[i++];
	if (op == 0x88 || op == 0x8a || op == 0xc6 || op == 0xa0 || op == 0xa2)
		len = 1;
	switch (op) {
	case 0x88: case 0x89: case 0x8a: case 0x8b: case 0xc6: case 0xc7:
		modrm = p[i++];
		if ((modrm >> 6) != 0 || (modrm & 7) == 4 || (modrm & 7) == 5)
			return false;
		reg = ((modrm >> 3) & 7) | (rex_r ? 8 : 0);
		write = op != 0x8a && op != 0x8b;
		if (op == 0xc6) {
			value = p[i++];
		} else if (op == 0xc7) {
			int32_t imm;

			memcpy(&imm, p + i, len == 2 ? 2 : 4);
			if (len == 2)
				imm &= 0xffff;
			i += len == 2 ? 2 : 4;
			value = (uint64_t)(int64_t)imm;	/* sign-extended for REX.W */
		} else if (write) {
			value = get_reg(u, reg, len, rex);
		}
		break;
	case 0xa0: case 0xa1: case 0xa2: case 0xa3:
		i += 8;
		reg = 0;
		write = op >= 0xa2;
		if (write)
			value = get_reg(u, 0, len, rex);
		break;
	default:
		return false;
	}
	ilen = i;

	run->exit_reason = MV_EXIT_MMIO;
	run->mmio.phys_addr = addr;
	run->mmio.len = len;
	run->mmio.is_write = write;
	memset(run->mmio.data, 0, sizeof(run->mmio.data));
	if (write)
		memcpy(run->mmio.data, &value, len);
	else
		fk.pending_mmio = (typeof(fk.pending_mmio)){
			len, reg, len == 1 && !rex && reg >= 4 && reg < 8 };
	u->rip += ilen;
	return true;
}

/* #UD (vector 6, no error code) through the IDT the test installed. */
static bool deliver_ud(struct user_regs_struct *u)
{
	uint64_t gate_gpa = fk.sregs.idt.base + 16 * 6, frame[5], sp;
	uint8_t *g;

	if (fk.sregs.idt.limit < 16 * 7 - 1 || !guest_range_ok(gate_gpa, 16))
		return false;
	g = fk.mem + gate_gpa;
	sp = (u->rsp & ~0xfull) - sizeof(frame);
	/* The child sees guest memory from FAKE_LOW up only. */
	if (sp < FAKE_LOW || !guest_range_ok(sp, sizeof(frame)))
		return false;
	frame[0] = u->rip;
	frame[1] = fk.sregs.cs.selector;
	frame[2] = fk.regs.rflags;
	frame[3] = u->rsp;
	frame[4] = fk.sregs.ss.selector;
	memcpy(fk.mem + sp, frame, sizeof(frame));
	u->rsp = sp;
	u->rip = (uint64_t)g[0] | (uint64_t)g[1] << 8 | (uint64_t)g[6] << 16 |
		 (uint64_t)g[7] << 24 | (uint64_t)g[8] << 32 | (uint64_t)g[9] << 40 |
		 (uint64_t)g[10] << 48 | (uint64_t)g[11] << 56;
	return true;
}

/*
 * Handles a fault of the child at u->rip. Returns 1 if that is an exit to
 * report (fk.run filled), 0 to let the guest go on.
 */
static int handle_fault(struct user_regs_struct *u, int sig, uint64_t addr)
{
	struct mv_run *run = fk.run;
	unsigned int len = 0, opsize = 4;
	uint8_t op;

	if (sig == SIGILL) {
		if (!deliver_ud(u)) {
			internal_error(0, u->rip);
			return 1;
		}
		return 0;
	}
	if (!guest_range_ok(u->rip, 16)) {
		internal_error(addr, u->rip);
		return 1;
	}
	op = fk.mem[u->rip];
	if (op == 0x66) {
		opsize = 2;
		op = fk.mem[u->rip + ++len];
	}
	switch (op) {
	case 0xe4: case 0xe5: case 0xe6: case 0xe7:	/* IN/OUT imm8 */
	case 0xec: case 0xed: case 0xee: case 0xef: {	/* IN/OUT DX */
		bool imm = op < 0xe8;
		uint32_t data = (uint32_t)u->rax;

		run->exit_reason = MV_EXIT_IO;
		run->io.direction = (op & 2) ? MV_EXIT_IO_OUT : MV_EXIT_IO_IN;
		run->io.size = (op & 1) ? opsize : 1;
		run->io.port = imm ? fk.mem[u->rip + len + 1] : (uint16_t)u->rdx;
		run->io.count = 1;
		run->io.data_offset = (sizeof(*run) + 7) & ~7ul;
		memset(mv_io_data(run), 0, 4);
		if (run->io.direction == MV_EXIT_IO_OUT)
			memcpy(mv_io_data(run), &data, run->io.size);
		else
			fk.pending_in = run->io.size;
		u->rip += len + (imm ? 2 : 1);
		return 1;
	}
	case 0xf4:
		run->exit_reason = MV_EXIT_HLT;
		u->rip += len + 1;
		return 1;
	case 0x0f:
		/* mov %cr2, %reg: 0F 20 /r with reg field 2, register form. */
		if (fk.mem[u->rip + len + 1] == 0x20 &&
		    (fk.mem[u->rip + len + 2] & 0xf8) == 0xd0) {
			*gpr(u, fk.mem[u->rip + len + 2] & 7) = fk.cr2;
			u->rip += len + 3;
			return 0;
		}
		break;
	}
	if (addr && mmio_exit(u, addr))
		return 1;
	internal_error(addr, u->rip);
	return 1;
}

static void complete_mmio_read(void)
{
	unsigned int reg = fk.pending_mmio.reg, len = fk.pending_mmio.len;
	struct mv_regs *g = &fk.regs;
	uint64_t v = 0;
	__u64 *r, *map[16] = { &g->rax, &g->rcx, &g->rdx, &g->rbx, &g->rsp, &g->rbp,
			      &g->rsi, &g->rdi, &g->r8, &g->r9, &g->r10, &g->r11,
			      &g->r12, &g->r13, &g->r14, &g->r15 };

	memcpy(&v, fk.run->mmio.data, len);
	if (fk.pending_mmio.high_byte) {
		r = map[reg - 4];
		*r = (*r & ~0xff00ull) | v << 8;
	} else {
		r = map[reg];
		if (len == 8 || len == 4)
			*r = v;		/* 32-bit results zero-extend */
		else
			*r = (*r & ~((1ull << (8 * len)) - 1)) | v;
	}
	fk.pending_mmio.len = 0;
}

int mv_run(int fd)
{
	struct user_regs_struct u;
	siginfo_t si;
	int status, ret;

	(void)fd;
	if (!fk.active)
		return -EBADF;
	if (fk.run->immediate_exit) {
		fk.run->exit_reason = MV_EXIT_INTR;
		return -EINTR;
	}
	if (!(fk.sregs.efer & (1ull << 10))) {
		fake_note("only long-mode guests run here");
		return -ENOSYS;
	}
	if (fk.child <= 0) {
		ret = spawn_child();
		if (ret < 0)
			return ret;
	}
	if (fk.pending_mmio.len) {
		complete_mmio_read();
		ret = push_regs();
		if (ret < 0)
			return ret;
	}
	if (fk.pending_in) {
		uint32_t v = 0;

		memcpy(&v, mv_io_data(fk.run), fk.pending_in);
		if (fk.pending_in == 4)
			fk.regs.rax = v;	/* 32-bit results zero-extend */
		else if (fk.pending_in == 2)
			fk.regs.rax = (fk.regs.rax & ~0xffffull) | v;
		else
			fk.regs.rax = (fk.regs.rax & ~0xffull) | v;
		fk.pending_in = 0;
		ret = push_regs();
		if (ret < 0)
			return ret;
	}
	for (;;) {
		if (ptrace(PTRACE_CONT, fk.child, 0, 0) < 0)
			return -errno;
		if (waitpid(fk.child, &status, 0) != fk.child)
			return -errno;
		if (!WIFSTOPPED(status)) {
			fake_note("the guest process died");
			fk.child = 0;
			return -EIO;
		}
		if (ptrace(PTRACE_GETREGS, fk.child, 0, &u) < 0 ||
		    ptrace(PTRACE_GETSIGINFO, fk.child, 0, &si) < 0)
			return -errno;
		if (WSTOPSIG(status) != SIGSEGV && WSTOPSIG(status) != SIGILL) {
			internal_error(0, u.rip);
			break;
		}
		if (handle_fault(&u, WSTOPSIG(status), (uint64_t)(uintptr_t)si.si_addr)) {
			if (ptrace(PTRACE_SETREGS, fk.child, 0, &u) < 0)
				return -errno;
			break;
		}
		if (ptrace(PTRACE_SETREGS, fk.child, 0, &u) < 0)
			return -errno;
	}
	from_user(&u, &fk.regs);
	return 0;
}
