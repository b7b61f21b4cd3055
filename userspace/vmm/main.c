// SPDX-License-Identifier: GPL-2.0
/*
 * mvm: a minimal VMM for minivisor. Either loads one image into a one-vCPU
 * VM and runs it with a 16550 UART and a debug-exit port (the IMAGE form,
 * run.c), or boots a Linux bzImage or a multiboot kernel (--kernel, or an
 * IMAGE that is a multiboot kernel) on a PC machine with N vCPUs, one
 * thread each (pc.c).
 *
 * Order matters for the error messages: the command line and the image are
 * checked completely before /dev/minivisor is opened, so a bad image is
 * reported as such (status 2) even where the module is missing.
 */
#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "args.h"
#include "boot.h"
#include "layout.h"
#include "libminivisor.h"
#include "loader.h"
#include "machine.h"
#include "pc.h"
#include "run.h"
#include "stat.h"
#include "status.h"

static int stdout_fd = STDOUT_FILENO;

/* Can this module run the VM we want? Prints why not. */
static int check_module(uint64_t mem_size)
{
	long cap;
	int fd, ver;

	fd = mv_open();
	if (fd < 0) {
		fprintf(stderr, "mvm: cannot open %s: %s\n", MV_DEVICE_PATH, strerror(-fd));
		if (fd == -ENOENT || fd == -ENODEV || fd == -ENXIO)
			fprintf(stderr, "mvm: hint: load the module first: "
				"insmod module/minivisor.ko\n");
		else if (fd == -EACCES || fd == -EPERM)
			fprintf(stderr, "mvm: hint: run as root or give yourself access to %s\n",
				MV_DEVICE_PATH);
		return -1;
	}
	ver = mv_get_api_version(fd);
	if (ver != MV_API_VERSION) {
		if (ver < 0)
			fprintf(stderr, "mvm: MV_GET_API_VERSION failed: %s\n", strerror(-ver));
		else
			fprintf(stderr, "mvm: the module implements API version %d, mvm was "
				"built for %d\n", ver, MV_API_VERSION);
		close(fd);
		return -1;
	}
	cap = mv_check_cap(fd, MV_CAP_MAX_MEMSLOT_SIZE);
	if (cap > 0 && mem_size > ((uint64_t)cap << 20)) {
		fprintf(stderr, "mvm: --mem %" PRIu64 "M is above the module's per-slot limit "
			"of %ldM (MV_CAP_MAX_MEMSLOT_SIZE)\n", mem_size >> 20, cap);
		close(fd);
		return -1;
	}
	close(fd);
	return 0;
}

static void print_layout(const struct mvm_options *o, const struct mvm_image *img,
			 const struct mvm_layout *l)
{
	unsigned int i;

	fprintf(stderr, "mvm: image %s: %s, %u segment(s), entry 0x%" PRIx64 "\n",
		o->image, mvm_image_format_name(img->format), img->nseg, img->entry);
	for (i = 0; i < img->nseg; i++)
		fprintf(stderr, "mvm:   [0x%" PRIx64 ", 0x%" PRIx64 ") from file offset 0x%"
			PRIx64 ", 0x%" PRIx64 " bytes from the file\n", img->seg[i].gpa,
			img->seg[i].gpa + img->seg[i].memsz, img->seg[i].file_off,
			img->seg[i].filesz);
	fprintf(stderr, "mvm: memory 0x%" PRIx64 " bytes, mode %s\n", l->mem_size,
		mvm_mode_name(l->mode));
	if (l->mode == MVM_MODE_REAL)
		fprintf(stderr, "mvm: start at %04x:%04x, ss:sp 0000:%04x\n", l->cs, l->ip,
			MVM_REAL_MODE_SP);
	else
		fprintf(stderr, "mvm: page tables at 0x%" PRIx64 " mapping 0x%" PRIx64
			" bytes, GDT at 0x%" PRIx64 ", rip 0x%" PRIx64 ", rsp 0x%" PRIx64 "\n",
			l->pt_gpa, l->map_size, l->gdt_gpa, l->entry, l->rsp);
}

static int create_vm(struct mv_vm *vm, uint64_t mem_size)
{
	int ret = mv_vm_create(vm, mem_size);

	if (!ret)
		return 0;
	fprintf(stderr, "mvm: cannot create a VM with %" PRIu64 " KiB of memory: %s\n",
		mem_size >> 10, strerror(-ret));
	if (ret == -EBUSY)
		fprintf(stderr, "mvm: hint: VMX is in use by another hypervisor (kvm_intel?); "
			"see the kernel log\n");
	else
		fprintf(stderr, "mvm: hint: the kernel log names the problem\n");
	return ret;
}

static int run_image(const struct mvm_options *o)
{
	struct mvm_load_opts lo;
	struct mvm_machine m;
	struct mvm_layout l;
	struct mvm_image img;
	struct mvm_err err;
	struct mv_sregs sregs;
	struct mv_regs regs;
	struct mv_vm vm;
	uint8_t *data = NULL;
	size_t size = 0;
	int ret, status, signo = 0;

	if (mvm_read_file(o->image, &data, &size, &err)) {
		fprintf(stderr, "mvm: %s\n", err.msg);
		return MVM_STATUS_USAGE;
	}
	mvm_load_opts_from(o, &lo);
	if (mvm_image_parse(data, size, &lo, &img, &err) ||
	    mvm_layout_plan(o, &img, &l, &err)) {
		fprintf(stderr, "mvm: %s: %s\n", o->image, err.msg);
		free(data);
		return MVM_STATUS_USAGE;
	}
	if (o->verbose)
		print_layout(o, &img, &l);

	if (check_module(o->mem_size) || create_vm(&vm, o->mem_size)) {
		free(data);
		return MVM_STATUS_HOST;
	}
	mvm_image_load(&img, vm.mem);
	free(data);

	ret = mvm_layout_apply(&l, &vm, &regs, &sregs);
	if (!ret)
		ret = mv_set_sregs(vm.vcpu_fd, &sregs);
	if (!ret)
		ret = mv_set_regs(vm.vcpu_fd, &regs);
	if (ret) {
		fprintf(stderr, "mvm: cannot set the initial vCPU state: %s\n", strerror(-ret));
		mv_dump_regs(stderr, &regs, &sregs);
		mv_vm_destroy(&vm);
		return MVM_STATUS_HOST;
	}
	if (o->verbose)
		mv_dump_regs(stderr, &regs, &sregs);

	ret = mvm_machine_init(&m, mvm_uart_emit_fd, &stdout_fd, stderr);
	if (ret) {
		fprintf(stderr, "mvm: cannot register the devices: %s\n", strerror(-ret));
		mv_vm_destroy(&vm);
		return MVM_STATUS_UNEXPECTED;
	}
	status = mvm_run_vcpu(&vm, &m, &signo);
	mvm_machine_finish(&m);
	mv_vm_destroy(&vm);

	if (signo) {
		/* Die of the signal so the parent sees what happened, not a status. */
		fprintf(stderr, "mvm: stopped by signal %d (%s)\n", signo, strsignal(signo));
		signal(signo, SIG_DFL);
		raise(signo);
		return 128 + signo;
	}
	if (o->verbose)
		fprintf(stderr, "mvm: exit status %d\n", status);
	return status;
}

static int read_or_usage(const char *path, uint8_t **data, size_t *size)
{
	struct mvm_err err;

	if (mvm_read_file(path, data, size, &err)) {
		fprintf(stderr, "mvm: %s\n", err.msg);
		return -1;
	}
	return 0;
}

/* The VM for the PC: in-kernel LAPIC before the vCPUs, then N vCPUs. */
static int create_pc_vm(struct mv_vm *vm, struct mvm_pc *pc, uint64_t mem_size,
			unsigned int ncpus)
{
	long lapic, maxv, mp;
	unsigned int i;
	int ret;

	ret = mv_vm_create_novcpu(vm, mem_size);
	if (ret) {
		fprintf(stderr, "mvm: cannot create a VM with %" PRIu64 " KiB of memory: %s\n",
			mem_size >> 10, strerror(-ret));
		if (ret == -EBUSY)
			fprintf(stderr, "mvm: hint: VMX is in use by another hypervisor "
				"(kvm_intel?); see the kernel log\n");
		return ret;
	}
	maxv = mv_check_cap(vm->sys_fd, MV_CAP_MAX_VCPUS);
	if (maxv > 0 && ncpus > (unsigned long)maxv) {
		fprintf(stderr, "mvm: --cpus %u is above the module's limit of %ld vCPUs "
			"(MV_CAP_MAX_VCPUS)\n", ncpus, maxv);
		return -EINVAL;
	}
	lapic = mv_check_cap(vm->sys_fd, MV_CAP_LAPIC);
	if (lapic > 0) {
		ret = mv_enable_cap(vm->vm_fd, MV_CAP_LAPIC, 0);
		if (ret) {
			fprintf(stderr, "mvm: cannot enable the in-kernel local APIC "
				"(MV_ENABLE_CAP MV_CAP_LAPIC): %s\n", strerror(-ret));
			return ret;
		}
	} else if (ncpus > 1) {
		fprintf(stderr, "mvm: --cpus %u needs the module's in-kernel local APIC "
			"(MV_CAP_LAPIC), which this module does not have\n", ncpus);
		return -EINVAL;
	} else {
		fprintf(stderr, "mvm: warning: the module has no in-kernel local APIC "
			"(MV_CAP_LAPIC): only the PIC's interrupts reach the guest\n");
	}
	mp = mv_check_cap(vm->sys_fd, MV_CAP_MP_STATE);
	for (i = 0; i < ncpus; i++) {
		int fd;
		struct mv_run *run;

		ret = mv_vm_add_vcpu(vm, i, &fd, &run);
		if (ret) {
			fprintf(stderr, "mvm: cannot create vCPU %u: %s\n", i, strerror(-ret));
			return ret;
		}
		mvm_pc_set_vcpu(pc, i, fd, run);
		/* The kernel starts APs in wait-for-SIPI; say so explicitly where it can. */
		if (i && mp > 0)
			mv_set_mp_state(fd, MV_MP_STATE_WAIT_SIPI);
	}
	return 0;
}

static void release_pc_vm(struct mv_vm *vm, struct mvm_pc *pc)
{
	unsigned int i;

	for (i = 0; i < MVM_PC_MAX_CPUS; i++)
		if (pc->vcpu[i].fd >= 0)
			mv_vcpu_release(vm, pc->vcpu[i].fd, pc->vcpu[i].run);
	mv_vm_destroy(vm);
}

/* --kernel FILE, or an IMAGE that is a multiboot kernel: the PC machine. */
static int run_pc(const struct mvm_options *o, const char *kernel_path)
{
	uint8_t *kernel = NULL, *initrd = NULL;
	size_t kernel_size = 0, initrd_size = 0;
	unsigned int ncpus = o->ncpus ? o->ncpus : 1;
	struct mvm_boot_state bs;
	struct mvm_boot_cfg cfg;
	struct mvm_pc_config pcc;
	struct mvm_machine m;
	struct mvm_err err;
	struct mvm_pc pc;
	struct mv_vm vm;
	int ret, status = MVM_STATUS_HOST, signo = 0;

	if (read_or_usage(kernel_path, &kernel, &kernel_size) ||
	    (o->initrd && read_or_usage(o->initrd, &initrd, &initrd_size))) {
		free(kernel);
		return MVM_STATUS_USAGE;
	}
	/* Every boot check, before the module is opened (c.mem NULL: nothing written). */
	cfg = (struct mvm_boot_cfg){
		.mem = NULL, .mem_size = o->mem_size, .ncpus = ncpus,
		.kernel = kernel, .kernel_size = kernel_size,
		.initrd = initrd, .initrd_size = initrd_size,
		.cmdline = o->append, .initrd_name = o->initrd,
	};
	if (mvm_boot_check(&cfg, &err)) {
		fprintf(stderr, "mvm: %s: %s\n", kernel_path, err.msg);
		free(kernel);
		free(initrd);
		return MVM_STATUS_USAGE;
	}
	if (check_module(o->mem_size)) {
		free(kernel);
		free(initrd);
		return MVM_STATUS_HOST;
	}
	memset(&vm, 0, sizeof(vm));
	vm.sys_fd = vm.vm_fd = vm.vcpu_fd = -1;
	/* Prepared first: it blocks SIGINT/SIGTERM before any thread exists. */
	ret = mvm_pc_prepare(&pc, &vm, ncpus, STDIN_FILENO, o->verbose);
	if (ret) {
		fprintf(stderr, "mvm: cannot set up the event loop: %s\n", strerror(-ret));
		goto out_free;
	}
	if (create_pc_vm(&vm, &pc, o->mem_size, ncpus))
		goto out;
	cfg = (struct mvm_boot_cfg){
		.mem = vm.mem, .mem_size = vm.mem_size, .ncpus = ncpus,
		.kernel = kernel, .kernel_size = kernel_size,
		.initrd = initrd, .initrd_size = initrd_size,
		.cmdline = o->append, .initrd_name = o->initrd,
	};
	if (mvm_boot(&cfg, &bs, &err)) {
		fprintf(stderr, "mvm: %s: %s\n", kernel_path, err.msg);
		status = MVM_STATUS_USAGE;
		goto out;
	}
	if (o->verbose)
		fprintf(stderr, "mvm: %s: %s, kernel [0x%" PRIx64 ", 0x%" PRIx64 "), entry 0x%"
			PRIx64 ", %u vCPU(s), %" PRIu64 " MiB\n", kernel_path, bs.kind,
			bs.kernel_start, bs.kernel_end, bs.entry, ncpus, vm.mem_size >> 20);
	ret = mv_set_sregs(vm.vcpu_fd, &bs.sregs);
	if (!ret)
		ret = mv_set_regs(vm.vcpu_fd, &bs.regs);
	if (ret) {
		fprintf(stderr, "mvm: cannot set vCPU 0's initial state: %s\n", strerror(-ret));
		mv_dump_regs(stderr, &bs.regs, &bs.sregs);
		goto out;
	}
	pcc = (struct mvm_pc_config){
		.mem_size = vm.mem_size, .ncpus = ncpus,
		.pm1a_evt = MVM_ACPI_PM1A_EVT, .pm1a_cnt = MVM_ACPI_PM1A_CNT,
		.hooks = mvm_pc_hooks(&pc),
	};
	ret = mvm_machine_init_pc(&m, &pcc, mvm_uart_emit_fd, &stdout_fd, stderr);
	if (ret) {
		fprintf(stderr, "mvm: cannot register the devices: %s\n", strerror(-ret));
		status = MVM_STATUS_UNEXPECTED;
		goto out;
	}
	status = mvm_pc_run(&pc, &m, &signo);
	mvm_machine_finish(&m);
out:
	mvm_pc_cleanup(&pc);
	release_pc_vm(&vm, &pc);
out_free:
	free(kernel);
	free(initrd);
	if (signo) {
		fprintf(stderr, "mvm: stopped by signal %d (%s)\n", signo, strsignal(signo));
		signal(signo, SIG_DFL);
		{
			sigset_t set;

			sigemptyset(&set);
			sigaddset(&set, signo);
			pthread_sigmask(SIG_UNBLOCK, &set, NULL);
		}
		raise(signo);
		return 128 + signo;
	}
	if (o->verbose)
		fprintf(stderr, "mvm: exit status %d\n", status);
	return status;
}

/* An IMAGE with a multiboot header (and no IMAGE-only option) boots on the PC. */
static bool image_is_multiboot(const struct mvm_options *o)
{
	uint8_t *data = NULL;
	size_t size = 0;
	struct mvm_err err;
	bool mb;

	if (o->load_set || o->entry_set || o->mode != MVM_MODE_AUTO)
		return false;
	if (mvm_read_file(o->image, &data, &size, &err))
		return false;	/* run_image() reports it */
	mb = mvm_is_multiboot(data, size);
	free(data);
	return mb;
}

int main(int argc, char *argv[])
{
	struct mvm_options o;
	struct mvm_err err;

	/* The observability subcommands (stat.h) have their own command lines. */
	if (argc >= 2 && !strcmp(argv[1], "stat"))
		return mvm_cmd_stat(argc, argv);
	if (argc >= 2 && !strcmp(argv[1], "events"))
		return mvm_cmd_events(argc, argv);
	if (argc >= 2 && !strcmp(argv[1], "ps"))
		return mvm_cmd_ps(argc, argv);
	switch (mvm_parse_args(argc, argv, &o, &err)) {
	case MVM_ARGS_HELP:
		mvm_usage(stdout);
		return MVM_STATUS_HLT;
	case MVM_ARGS_VERSION:
		mvm_print_version(stdout);
		return MVM_STATUS_HLT;
	case MVM_ARGS_ERROR:
		fprintf(stderr, "mvm: %s\nTry 'mvm --help'.\n", err.msg);
		return MVM_STATUS_USAGE;
	case MVM_ARGS_RUN:
		break;
	}
	if (o.kernel)
		return run_pc(&o, o.kernel);
	if (image_is_multiboot(&o))
		return run_pc(&o, o.image);
	return run_image(&o);
}
