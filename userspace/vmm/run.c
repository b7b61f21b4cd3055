// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <signal.h>
#include <string.h>

#include "exit.h"
#include "run.h"
#include "stat.h"
#include "status.h"

static volatile sig_atomic_t stop_signal;
static struct mv_run *volatile signal_run;

/*
 * A signal that lands between the check of stop_signal and the MV_RUN
 * ioctl would be consumed before the kernel looks for it, and the guest
 * would run on: immediate_exit closes that window (MV_RUN returns EINTR
 * before entering the guest).
 */
static void on_stop_signal(int sig)
{
	stop_signal = sig;
	if (signal_run)
		signal_run->immediate_exit = 1;
}

static void install_handlers(struct mv_run *run)
{
	struct sigaction sa;

	signal_run = run;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_stop_signal;
	sigemptyset(&sa.sa_mask);
	sa.sa_flags = 0;	/* no SA_RESTART: MV_RUN must come back with EINTR */
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
}

void mvm_dump_vcpu(struct mv_vm *vm, FILE *f)
{
	struct mv_regs regs;
	struct mv_sregs sregs;
	int ret;

	ret = mv_get_regs(vm->vcpu_fd, &regs);
	if (ret) {
		fprintf(f, "mvm: cannot read the registers: %s\n", strerror(-ret));
		return;
	}
	ret = mv_get_sregs(vm->vcpu_fd, &sregs);
	if (ret)
		fprintf(f, "mvm: cannot read the segment registers: %s\n", strerror(-ret));
	mv_dump_regs(f, &regs, ret ? NULL : &sregs);
}

static size_t run_page_size(struct mv_vm *vm)
{
	long size = mv_check_cap(vm->sys_fd, MV_CAP_VCPU_MMAP_SIZE);

	/* mv_map_run() already refused sizes below struct mv_run. */
	return size > 0 ? (size_t)size : sizeof(struct mv_run);
}

int mvm_run_vcpu(struct mv_vm *vm, struct mvm_machine *m, int *signo)
{
	size_t run_size = run_page_size(vm);
	struct mv_run *run = vm->run;
	int ret, status;

	*signo = 0;
	install_handlers(run);
	for (;;) {
		if (stop_signal) {
			*signo = stop_signal;
			return 0;
		}
		ret = mv_run(vm->vcpu_fd);
		if (ret == -EINTR) {
			/* Some other signal (SIGCONT, SIGWINCH...): just go back in. */
			continue;
		}
		if (ret) {
			fprintf(m->log, "mvm: MV_RUN failed: %s%s\n", strerror(-ret),
				ret == -EIO ? " (an earlier VMX failure; see the kernel log)" : "");
			mvm_dump_vcpu(vm, m->log);
			return MVM_STATUS_HOST;
		}
		status = mvm_handle_exit(m, run, run_size);
		if (status == MVM_CONTINUE)
			continue;
		if (status == MVM_STATUS_SHUTDOWN || status == MVM_STATUS_FAIL_ENTRY ||
		    status == MVM_STATUS_INTERNAL || status == MVM_STATUS_UNEXPECTED)
			mvm_dump_vcpu(vm, m->log);
		/* The guest died: its last exits, from the module's flight recorder. */
		if (status == MVM_STATUS_SHUTDOWN || status == MVM_STATUS_FAIL_ENTRY ||
		    status == MVM_STATUS_INTERNAL)
			mvm_flight_dump(vm->vm_fd, 0, m->log);
		return status;
	}
}
