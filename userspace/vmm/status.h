/* SPDX-License-Identifier: GPL-2.0 */
/*
 * mvm's exit statuses. All of mvm's own statuses are even so that they never
 * collide with the debug-exit device's statuses, which are odd:
 * ((value << 1) | 1) & 0xff.
 */
#ifndef MVM_STATUS_H
#define MVM_STATUS_H

enum mvm_status {
	MVM_STATUS_HLT		= 0,	/* the guest executed HLT (also: --help) */
	MVM_STATUS_USAGE	= 2,	/* bad command line, or the image cannot be loaded */
	MVM_STATUS_SHUTDOWN	= 4,	/* MV_EXIT_SHUTDOWN: triple fault */
	MVM_STATUS_FAIL_ENTRY	= 6,	/* MV_EXIT_FAIL_ENTRY: VM entry refused the state */
	MVM_STATUS_INTERNAL	= 8,	/* MV_EXIT_INTERNAL_ERROR from the module */
	MVM_STATUS_HOST		= 10,	/* /dev/minivisor, VM setup or MV_RUN failed */
	MVM_STATUS_UNEXPECTED	= 12,	/* unknown exit reason, malformed exit, device failure */
};

/* Returned by the exit handler when the guest should simply run on. */
#define MVM_CONTINUE	(-1)
/* PC machine only: a stop was requested, m->stop_reason says which (the status is 0). */
#define MVM_STOPPED	(-2)
/* PC machine only: MV_EXIT_HLT reached userspace (no in-kernel HLT): the runner waits. */
#define MVM_HALTED	(-3)

#endif /* MVM_STATUS_H */
