// SPDX-License-Identifier: GPL-2.0
/* The PC machine's threads: see pc.h. */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/signalfd.h>
#include <sys/timerfd.h>
#include <time.h>
#include <unistd.h>

#include "exit.h"
#include "pc.h"
#include "run.h"
#include "stat.h"
#include "status.h"

static __thread struct mvm_vcpu *self;	/* the vCPU this thread runs, or NULL */

static void on_kick(int sig)
{
	(void)sig;	/* only there to make MV_RUN return EINTR */
}

static void kick(struct mvm_vcpu *v)
{
	v->run->immediate_exit = 1;
	if (v->started && v != self)
		pthread_kill(v->thread, MVM_KICK_SIGNAL);
}

static void wake_device_thread(struct mvm_pc *pc)
{
	uint64_t one = 1;

	if (pc->event_fd >= 0 && write(pc->event_fd, &one, sizeof(one)) < 0) {
		/* the counter is saturated: the thread is awake anyway */
	}
}

/* Lock held. The first caller decides the status and the reason. */
static void stop_locked(struct mvm_pc *pc, int status, const char *why)
{
	unsigned int i;

	if (pc->stopping)
		return;
	pc->stopping = true;
	pc->status = status;
	pc->why = why;
	for (i = 0; i < pc->ncpus; i++)
		if (pc->vcpu[i].run)
			kick(&pc->vcpu[i]);
	pthread_cond_broadcast(&pc->wake);
	wake_device_thread(pc);
}

/* ---- machine hooks (called with the lock held) ---- */

static int hook_msi(void *ctx, uint32_t lo, uint32_t hi, uint32_t data)
{
	struct mvm_pc *pc = ctx;
	int ret = mv_signal_msi(pc->vm->vm_fd, lo, hi, data);

	if (ret < 0 && pc->msi_errors++ == 0)
		fprintf(pc->m->log, "mvm: warning: MV_SIGNAL_MSI (address 0x%08x data 0x%08x) "
			"failed: %s; IOAPIC interrupts are lost (does the module have an "
			"in-kernel local APIC?)\n", lo, data, strerror(-ret));
	return ret;
}

static void hook_pic_intr(void *ctx, bool intr)
{
	struct mvm_pc *pc = ctx;
	struct mvm_vcpu *v0 = &pc->vcpu[0];

	/* vCPU 0 looks at the PIC before every MV_RUN; kick it if it is elsewhere. */
	if (intr && v0->run && v0 != self)
		kick(v0);
	if (intr)
		pthread_cond_broadcast(&pc->wake);	/* halted() in userspace */
}

static void hook_pit_arm(void *ctx, uint64_t abs_ns)
{
	struct mvm_pc *pc = ctx;
	struct itimerspec its = { 0 };

	its.it_value.tv_sec = (time_t)(abs_ns / 1000000000ull);
	its.it_value.tv_nsec = (long)(abs_ns % 1000000000ull);
	if (abs_ns && !its.it_value.tv_sec && !its.it_value.tv_nsec)
		its.it_value.tv_nsec = 1;
	if (pc->timer_fd >= 0)
		timerfd_settime(pc->timer_fd, TFD_TIMER_ABSTIME, &its, NULL);
}

static void hook_stop(void *ctx, enum mvm_stop_reason why)
{
	struct mvm_pc *pc = ctx;

	stop_locked(pc, MVM_STATUS_HLT, mvm_stop_reason_str(why));
}

struct mvm_machine_hooks mvm_pc_hooks(struct mvm_pc *pc)
{
	return (struct mvm_machine_hooks){
		.ctx = pc,
		.msi = hook_msi,
		.pic_intr = hook_pic_intr,
		.pit_arm = hook_pit_arm,
		.stop = hook_stop,
	};
}

/* ---- terminal ---- */

static void raw_mode(struct mvm_pc *pc)
{
	struct termios t;

	if (tcgetattr(pc->in_fd, &pc->saved_tio))
		return;
	t = pc->saved_tio;
	/* Keystrokes go to the guest as they are (Ctrl-C included); output keeps OPOST. */
	t.c_iflag &= ~(tcflag_t)(IGNBRK | BRKINT | PARMRK | ISTRIP | INLCR | IGNCR | ICRNL | IXON);
	t.c_lflag &= ~(tcflag_t)(ECHO | ECHONL | ICANON | ISIG | IEXTEN);
	t.c_cc[VMIN] = 1;
	t.c_cc[VTIME] = 0;
	if (!tcsetattr(pc->in_fd, TCSAFLUSH, &t))
		pc->raw = true;
}

static struct mvm_pc *cleanup_pc;

static void restore_at_exit(void)
{
	if (cleanup_pc)
		mvm_pc_cleanup(cleanup_pc);
}

void mvm_pc_cleanup(struct mvm_pc *pc)
{
	if (pc->raw) {
		tcsetattr(pc->in_fd, TCSAFLUSH, &pc->saved_tio);
		pc->raw = false;
	}
	if (pc->timer_fd >= 0)
		close(pc->timer_fd);
	if (pc->event_fd >= 0)
		close(pc->event_fd);
	if (pc->signal_fd >= 0)
		close(pc->signal_fd);
	pc->timer_fd = pc->event_fd = pc->signal_fd = -1;
}

int mvm_pc_prepare(struct mvm_pc *pc, struct mv_vm *vm, unsigned int ncpus, int in_fd,
		   bool verbose)
{
	struct sigaction sa;
	sigset_t set;
	unsigned int i;

	memset(pc, 0, sizeof(*pc));
	pc->vm = vm;
	pc->ncpus = ncpus;
	pc->verbose = verbose;
	pc->timer_fd = pc->event_fd = pc->signal_fd = -1;
	pc->in_fd = in_fd;
	pc->in_open = in_fd >= 0;
	for (i = 0; i < MVM_PC_MAX_CPUS; i++) {
		pc->vcpu[i].fd = -1;
		pc->vcpu[i].pending_vector = -1;
	}
	if (ncpus == 0 || ncpus > MVM_PC_MAX_CPUS)
		return -EINVAL;
	pthread_mutex_init(&pc->lock, NULL);
	pthread_cond_init(&pc->wake, NULL);

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_kick;
	sigemptyset(&sa.sa_mask);
	sigaction(MVM_KICK_SIGNAL, &sa, NULL);	/* no SA_RESTART: MV_RUN returns EINTR */
	/* A closed stdout is EPIPE for the UART's writes (the guest runs on), not death. */
	signal(SIGPIPE, SIG_IGN);

	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, MVM_KICK_SIGNAL);
	pthread_sigmask(SIG_BLOCK, &set, NULL);

	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	pc->signal_fd = signalfd(-1, &set, SFD_CLOEXEC | SFD_NONBLOCK);
	pc->event_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	pc->timer_fd = timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC | TFD_NONBLOCK);
	if (pc->signal_fd < 0 || pc->event_fd < 0 || pc->timer_fd < 0) {
		int e = -errno;

		mvm_pc_cleanup(pc);
		return e;
	}
	if (pc->in_open && isatty(in_fd)) {
		pc->in_tty = true;
		raw_mode(pc);
		cleanup_pc = pc;
		atexit(restore_at_exit);
	}
	return 0;
}

void mvm_pc_set_vcpu(struct mvm_pc *pc, unsigned int i, int fd, struct mv_run *run)
{
	pc->vcpu[i].pc = pc;
	pc->vcpu[i].id = i;
	pc->vcpu[i].fd = fd;
	pc->vcpu[i].run = run;
}

/* ---- vCPU threads ---- */

/* vCPU 0, lock held, before MV_RUN: INTA and inject, or ask for the window. */
static void prepare_interrupt(struct mvm_pc *pc, struct mvm_vcpu *v)
{
	struct mv_run *run = v->run;
	int vec, ret;

	if (!pc->irq_inject) {
		if (mvm_pic_intr(&pc->m->pic) && pc->inject_errors++ == 0)
			fprintf(pc->m->log, "mvm: warning: the module cannot inject interrupts "
				"(no MV_CAP_IRQ_INJECT): PIC interrupts are lost\n");
		return;
	}
	if (v->pending_vector < 0 && !mvm_pic_intr(&pc->m->pic)) {
		run->request_interrupt_window = 0;
		return;
	}
	if (!run->ready_for_interrupt_injection) {
		run->request_interrupt_window = 1;
		return;
	}
	vec = v->pending_vector >= 0 ? v->pending_vector : mvm_pic_ack(&pc->m->pic);
	v->pending_vector = -1;
	if (vec >= 32) {
		ret = mv_interrupt(v->fd, (uint32_t)vec);
		if (ret == -EBUSY)
			v->pending_vector = vec;	/* one is still queued: next time */
		else if (ret < 0 && pc->inject_errors++ == 0)
			fprintf(pc->m->log, "mvm: warning: MV_INTERRUPT vector %d failed: %s\n",
				vec, strerror(-ret));
	} else if (vec >= 0 && pc->inject_errors++ == 0) {
		fprintf(pc->m->log, "mvm: warning: the PIC gave vector %d (below 32: not "
			"initialised?), not injected\n", vec);
	}
	run->request_interrupt_window = v->pending_vector >= 0 || mvm_pic_intr(&pc->m->pic);
}

/* MV_EXIT_HLT reached userspace: wait (lock held) for something to do. */
static void halted(struct mvm_pc *pc, struct mvm_vcpu *v)
{
	struct timespec ts;

	if (v->id == 0 && !v->run->if_flag && pc->ncpus == 1) {
		/* Nothing but an NMI or a reset can wake it: the guest is done. */
		stop_locked(pc, MVM_STATUS_HLT, "vCPU 0 halted with interrupts disabled");
		return;
	}
	clock_gettime(CLOCK_REALTIME, &ts);
	ts.tv_nsec += 10 * 1000 * 1000;
	if (ts.tv_nsec >= 1000000000L) {
		ts.tv_sec++;
		ts.tv_nsec -= 1000000000L;
	}
	while (!pc->stopping && !(v->id == 0 && mvm_pic_intr(&pc->m->pic)))
		if (pthread_cond_timedwait(&pc->wake, &pc->lock, &ts) == ETIMEDOUT)
			break;
}

static void *vcpu_thread(void *arg)
{
	struct mvm_vcpu *v = arg;
	struct mvm_pc *pc = v->pc;
	struct mv_run *run = v->run;
	sigset_t set;
	int ret, st;

	self = v;
	sigemptyset(&set);
	sigaddset(&set, MVM_KICK_SIGNAL);
	pthread_sigmask(SIG_UNBLOCK, &set, NULL);

	for (;;) {
		pthread_mutex_lock(&pc->lock);
		if (pc->stopping) {
			pthread_mutex_unlock(&pc->lock);
			break;
		}
		run->immediate_exit = 0;
		if (v->id == 0)
			prepare_interrupt(pc, v);
		pthread_mutex_unlock(&pc->lock);

		ret = mv_run(v->fd);

		pthread_mutex_lock(&pc->lock);
		if (ret == -EINTR) {
			pthread_mutex_unlock(&pc->lock);
			continue;	/* a kick, or the end: the top of the loop knows */
		}
		if (ret) {
			fprintf(pc->m->log, "mvm: vCPU %u: MV_RUN failed: %s%s\n", v->id,
				strerror(-ret), ret == -EIO ?
				" (an earlier VMX failure; see the kernel log)" : "");
			if (!pc->stopping) {
				struct mv_vm one = *pc->vm;

				one.vcpu_fd = v->fd;
				mvm_dump_vcpu(&one, pc->m->log);
			}
			stop_locked(pc, MVM_STATUS_HOST, NULL);
			pthread_mutex_unlock(&pc->lock);
			break;
		}
		st = mvm_handle_exit(pc->m, run, pc->run_size);
		if (st == MVM_HALTED) {
			halted(pc, v);
		} else if (st == MVM_STOPPED) {
			/* The device's stop hook already recorded the reason. */
		} else if (st != MVM_CONTINUE) {
			if (!pc->stopping && (st == MVM_STATUS_FAIL_ENTRY ||
					      st == MVM_STATUS_INTERNAL ||
					      st == MVM_STATUS_UNEXPECTED)) {
				struct mv_vm one = *pc->vm;

				fprintf(pc->m->log, "mvm: on vCPU %u\n", v->id);
				one.vcpu_fd = v->fd;
				mvm_dump_vcpu(&one, pc->m->log);
				if (st != MVM_STATUS_UNEXPECTED)
					mvm_flight_dump(pc->vm->vm_fd, v->id, pc->m->log);
			}
			stop_locked(pc, st, NULL);
		}
		pthread_mutex_unlock(&pc->lock);
	}
	return NULL;
}

/* ---- device thread ---- */

static void read_input(struct mvm_pc *pc)
{
	uint8_t buf[512], out[sizeof(buf) + 1];
	size_t room, n_out = 0;
	ssize_t n;
	bool quit;

	pthread_mutex_lock(&pc->lock);
	room = mvm_uart_rx_room(&pc->m->uart);
	pthread_mutex_unlock(&pc->lock);
	if (room < 2)
		return;
	if (room - 1 < sizeof(buf))
		room = room - 1;	/* a carried-over Ctrl-A may add a byte */
	else
		room = sizeof(buf);
	n = read(pc->in_fd, buf, room);
	if (n < 0) {
		if (errno == EINTR || errno == EAGAIN)
			return;
		n = 0;
	}
	if (n == 0) {
		pc->in_open = false;	/* EOF: the guest runs on without input */
		return;
	}
	quit = mvm_escape_filter(&pc->escape, buf, (size_t)n, out, &n_out);
	pthread_mutex_lock(&pc->lock);
	mvm_uart_receive(&pc->m->uart, out, n_out);
	if (quit)
		stop_locked(pc, MVM_STATUS_HLT, "quit (Ctrl-A x)");
	pthread_mutex_unlock(&pc->lock);
}

static void *device_thread(void *arg)
{
	struct mvm_pc *pc = arg;

	for (;;) {
		struct pollfd fds[4];
		int nfds = 0, timeout = -1, in_idx = -1;
		bool stopping, room = true;
		unsigned int i;

		pthread_mutex_lock(&pc->lock);
		stopping = pc->stopping;
		if (pc->in_open)
			room = mvm_uart_rx_room(&pc->m->uart) >= 2;
		pthread_mutex_unlock(&pc->lock);
		if (stopping)
			break;

		fds[nfds++] = (struct pollfd){ .fd = pc->event_fd, .events = POLLIN };
		fds[nfds++] = (struct pollfd){ .fd = pc->signal_fd, .events = POLLIN };
		fds[nfds++] = (struct pollfd){ .fd = pc->timer_fd, .events = POLLIN };
		if (pc->in_open && room) {
			in_idx = nfds;
			fds[nfds++] = (struct pollfd){ .fd = pc->in_fd, .events = POLLIN };
		} else if (pc->in_open) {
			timeout = 10;	/* the backlog is full: look again when the guest read some */
		}
		if (poll(fds, (nfds_t)nfds, timeout) < 0 && errno != EINTR)
			break;
		for (i = 0; i < (unsigned int)nfds; i++) {
			uint64_t v;

			if (!fds[i].revents)
				continue;
			if (fds[i].fd == pc->event_fd) {
				if (read(pc->event_fd, &v, sizeof(v)) < 0) {
					/* EAGAIN: someone else drained it */
				}
			} else if (fds[i].fd == pc->signal_fd) {
				struct signalfd_siginfo si;

				if (read(pc->signal_fd, &si, sizeof(si)) == sizeof(si)) {
					pthread_mutex_lock(&pc->lock);
					if (!pc->stopping)
						pc->signo = (int)si.ssi_signo;
					stop_locked(pc, 128 + (int)si.ssi_signo, NULL);
					pthread_mutex_unlock(&pc->lock);
				}
			} else if (fds[i].fd == pc->timer_fd) {
				if (read(pc->timer_fd, &v, sizeof(v)) == sizeof(v)) {
					pthread_mutex_lock(&pc->lock);
					mvm_pit_expire(&pc->m->pit);
					pthread_mutex_unlock(&pc->lock);
				}
			} else if ((int)i == in_idx) {
				read_input(pc);
			}
		}
	}
	return NULL;
}

int mvm_pc_run(struct mvm_pc *pc, struct mvm_machine *m, int *signo)
{
	unsigned int i;
	int ret;

	long size = mv_check_cap(pc->vm->sys_fd, MV_CAP_VCPU_MMAP_SIZE);

	pc->m = m;
	*signo = 0;
	pc->run_size = size > 0 ? (size_t)size : sizeof(struct mv_run);
	pc->irq_inject = mv_check_cap(pc->vm->sys_fd, MV_CAP_IRQ_INJECT) > 0;
	for (i = 0; i < pc->ncpus; i++) {
		ret = pthread_create(&pc->vcpu[i].thread, NULL, vcpu_thread, &pc->vcpu[i]);
		if (ret) {
			fprintf(m->log, "mvm: cannot start vCPU %u's thread: %s\n", i, strerror(ret));
			pthread_mutex_lock(&pc->lock);
			stop_locked(pc, MVM_STATUS_HOST, NULL);
			pthread_mutex_unlock(&pc->lock);
			break;
		}
		pthread_mutex_lock(&pc->lock);
		pc->vcpu[i].started = true;
		if (pc->stopping)
			kick(&pc->vcpu[i]);
		pthread_mutex_unlock(&pc->lock);
	}
	ret = pthread_create(&pc->dev_thread, NULL, device_thread, pc);
	if (ret) {
		fprintf(m->log, "mvm: cannot start the device thread: %s\n", strerror(ret));
		pthread_mutex_lock(&pc->lock);
		stop_locked(pc, MVM_STATUS_HOST, NULL);
		pthread_mutex_unlock(&pc->lock);
	} else {
		pc->dev_started = true;
	}
	for (i = 0; i < pc->ncpus; i++)
		if (pc->vcpu[i].started)
			pthread_join(pc->vcpu[i].thread, NULL);
	pthread_mutex_lock(&pc->lock);
	stop_locked(pc, MVM_STATUS_HOST, NULL);	/* (no-op: a vCPU only ends when stopping) */
	pthread_mutex_unlock(&pc->lock);
	if (pc->dev_started)
		pthread_join(pc->dev_thread, NULL);
	mvm_pc_cleanup(pc);
	if (pc->why)
		fprintf(m->log, "mvm: %s\n", pc->why);
	*signo = pc->signo;
	return pc->status;
}
