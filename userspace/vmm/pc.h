/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Running the PC machine (machine.h, mvm_machine_init_pc): one thread per
 * vCPU plus one device thread.
 *
 * vCPU threads loop on MV_RUN. vCPU 0 also takes the PIC's interrupts:
 * before each MV_RUN, with INTR up, it injects the vector (INTA:
 * mvm_pic_ack, then MV_INTERRUPT) when run->ready_for_interrupt_injection,
 * else sets run->request_interrupt_window and injects at the
 * MV_EXIT_IRQ_WINDOW_OPEN that follows. APs start in the kernel's
 * wait-for-SIPI state: their MV_RUN blocks until the guest's INIT/SIPI.
 *
 * The device thread polls a timerfd (the PIT's next IRQ0), stdin (the
 * UART's input), a signalfd (SIGINT, SIGTERM: blocked in every thread) and
 * an eventfd (wake-up at the end). It kicks vCPU 0 when the PIC raises INTR:
 * immediate_exit = 1 and pthread_kill(MVM_KICK_SIGNAL), whose handler is
 * empty, so MV_RUN returns EINTR at once whether the signal lands before
 * the ioctl or during it.
 *
 * Everything that touches the machine holds pc->lock (never across MV_RUN).
 * The end of the machine (power-off, reset, triple fault, debug exit, a
 * fatal exit, SIGINT/SIGTERM, Ctrl-A x) sets immediate_exit on every run
 * page and kicks every vCPU; mvm_pc_run() joins the threads and returns.
 */
#ifndef MVM_PC_H
#define MVM_PC_H

#include <pthread.h>
#include <stdbool.h>
#include <termios.h>

#include "libminivisor.h"
#include "machine.h"

#define MVM_PC_MAX_CPUS		8
#define MVM_KICK_SIGNAL		SIGUSR1
#define MVM_ESCAPE_CHAR		0x01	/* Ctrl-A */

struct mvm_pc;

struct mvm_vcpu {
	struct mvm_pc *pc;
	unsigned int id;
	int fd;
	struct mv_run *run;
	pthread_t thread;
	bool started;
	int pending_vector;	/* acknowledged at the PIC, MV_INTERRUPT refused with EBUSY */
};

struct mvm_pc {
	struct mv_vm *vm;
	struct mvm_machine *m;
	pthread_mutex_t lock;
	pthread_cond_t wake;	/* a halted vCPU (MV_EXIT_HLT in userspace) waits here */
	unsigned int ncpus;
	struct mvm_vcpu vcpu[MVM_PC_MAX_CPUS];
	size_t run_size;
	bool irq_inject;	/* MV_CAP_IRQ_INJECT */
	bool verbose;

	bool stopping;
	int status;		/* mvm's exit status, valid once stopping */
	const char *why;	/* the one-line reason, or NULL */
	int signo;		/* SIGINT/SIGTERM that stopped it, or 0 */
	bool dump;		/* dump the vCPU that failed */

	int timer_fd, event_fd, signal_fd, in_fd;
	bool in_open, in_tty, raw, escape;
	struct termios saved_tio;
	pthread_t dev_thread;
	bool dev_started;
	unsigned int msi_errors, inject_errors;
};

/*
 * Prepare (no thread yet): eventfd, timerfd, signalfd, the signal mask
 * (SIGINT, SIGTERM and the kick signal blocked in this thread and so in
 * every thread created later) and the kick handler. in_fd: the UART's
 * input (stdin), -1 for none; a terminal is put in raw mode until
 * mvm_pc_cleanup(). 0 or -errno.
 */
int mvm_pc_prepare(struct mvm_pc *pc, struct mv_vm *vm, unsigned int ncpus, int in_fd,
		   bool verbose);
/* The hooks for mvm_machine_init_pc(), bound to pc. */
struct mvm_machine_hooks mvm_pc_hooks(struct mvm_pc *pc);
/* vCPU i's fd and run page (created by the caller). */
void mvm_pc_set_vcpu(struct mvm_pc *pc, unsigned int i, int fd, struct mv_run *run);
/*
 * Start the threads, wait for the end. Returns mvm's exit status; *signo is
 * the signal that ended it (0 if none): the caller re-raises it after
 * cleaning up. Prints the one-line reason of a power-off or reset.
 */
int mvm_pc_run(struct mvm_pc *pc, struct mvm_machine *m, int *signo);
/* Terminal restored, fds closed (safe to call twice, and from atexit). */
void mvm_pc_cleanup(struct mvm_pc *pc);

/*
 * The escape filter for host input: Ctrl-A x quits (returns true), Ctrl-A
 * Ctrl-A is one Ctrl-A, Ctrl-A followed by anything else passes both
 * bytes. *escape carries a trailing Ctrl-A to the next call. Writes at most
 * len + 1 bytes to out, *out_len says how many.
 */
bool mvm_escape_filter(bool *escape, const uint8_t *in, size_t len, uint8_t *out,
		       size_t *out_len);

#endif /* MVM_PC_H */
