// SPDX-License-Identifier: GPL-2.0
/*
 * mvm: a minimal VMM for minivisor. Loads one image into a one-vCPU VM and
 * runs it with a 16550 UART and a debug-exit port.
 *
 * Order matters for the error messages: the command line and the image are
 * checked completely before /dev/minivisor is opened, so a bad image is
 * reported as such (status 2) even where the module is missing.
 */
#include <errno.h>
#include <inttypes.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "args.h"
#include "layout.h"
#include "libminivisor.h"
#include "loader.h"
#include "machine.h"
#include "run.h"
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

int main(int argc, char *argv[])
{
	struct mvm_options o;
	struct mvm_err err;

	switch (mvm_parse_args(argc, argv, &o, &err)) {
	case MVM_ARGS_HELP:
		mvm_usage(stdout);
		return MVM_STATUS_HLT;
	case MVM_ARGS_ERROR:
		fprintf(stderr, "mvm: %s\nTry 'mvm --help'.\n", err.msg);
		return MVM_STATUS_USAGE;
	case MVM_ARGS_RUN:
		break;
	}
	return run_image(&o);
}
