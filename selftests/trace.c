// SPDX-License-Identifier: GPL-2.0
/*
 * The tracepoints (module/trace.h) through tracefs: a guest does a known
 * sequence (N CPUID, M OUTs, K MMIO reads, trace_guest.c) with
 * events/minivisor/ enabled, and the records in "trace" must be exactly
 * those exits, with the right reasons, RIPs, qualifications, ports, values
 * and addresses; with the events disabled nothing is recorded. Then
 * injection, halt and a failed entry, a filter on the VM id, perf counters
 * on the tracepoints (what perf stat uses), and trace-cmd (packed into the
 * initramfs) recording and reporting the same events.
 *
 * The ring buffer is global: each case clears it, and only records of its
 * own VM (MV_GET_VM_ID) count. Only one test program runs at a time.
 */
#include <fcntl.h>
#include <linux/perf_event.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "test_harness.h"
#include "test_util.h"
#include "elf_image.h"
#include "vm.h"
#include "trace_common.h"

/* trace_guest.c */
uint64_t trace_guest_seq(uint64_t arg);
uint64_t trace_guest_idle(uint64_t arg);
extern const uint8_t trace_cpuid_rip[], trace_out_rip[], trace_mmio_rip[];

#define TRACEFS			"/sys/kernel/tracing"
#define TRACE_CMD		"/usr/bin/trace-cmd"

/* Basic exit reasons (SDM Vol. 3C appendix C). */
#define VMX_CPUID		10
#define VMX_INVALID_STATE	33
#define VMX_IO			30
#define VMX_EPT_VIOLATION	48

static const char *const events[] = {
	"minivisor_entry", "minivisor_exit", "minivisor_pio", "minivisor_mmio",
	"minivisor_inject", "minivisor_halt", "minivisor_userspace_exit",
	"minivisor_entry_failure",
};

/* One parsed record; which fields mean something depends on ev. */
struct rec {
	char ev[32];
	unsigned int vm, vcpu;
	unsigned int reason, user, exit_reason, port, size, count, len, vector, rule;
	unsigned long long qual, rip, gpa, ticks, value;
	char name[40], dir[16];
	int ret;
};

struct trace {
	struct rec *r;
	unsigned int n;
	unsigned long long in_buffer, written;	/* the header's entries line */
};

/* ---- tracefs ---- */

static void tracefs_mount(void)
{
	struct stat st;

	if (stat(TRACEFS "/events", &st) == 0)
		return;
	if (mount("tracefs", TRACEFS, "tracefs", 0, NULL) && errno != EBUSY)
		TEST_FAIL("mount tracefs on " TRACEFS ": %s", strerror(errno));
	if (stat(TRACEFS "/events", &st))
		test_skip("no tracefs (" TRACEFS "/events: %s): kernel without CONFIG_EVENT_TRACING",
			  strerror(errno));
}

static void tracefs_write(const char *file, const char *val)
{
	char path[512];
	int fd;
	ssize_t n;

	snprintf(path, sizeof(path), TRACEFS "/%s", file);
	/* O_TRUNC: writing "trace" that way clears the ring buffer. */
	fd = open(path, O_WRONLY | O_TRUNC);
	if (fd < 0)
		TEST_FAIL("open %s: %s", path, strerror(errno));
	n = write(fd, val, strlen(val));
	if (n != (ssize_t)strlen(val))
		TEST_FAIL("write '%s' to %s: %s", val, path, n < 0 ? strerror(errno) : "short");
	close(fd);
}

/* The whole file, NUL-terminated; the caller frees it. */
static char *slurp(const char *path, size_t *len_out)
{
	size_t cap = 1 << 16, len = 0;
	char *buf = malloc(cap);
	ssize_t n;
	int fd;

	ASSERT_TRUE(buf != NULL);
	fd = open(path, O_RDONLY);
	if (fd < 0)
		TEST_FAIL("open %s: %s", path, strerror(errno));
	for (;;) {
		if (cap - len < 4096) {
			cap *= 2;
			buf = realloc(buf, cap);
			ASSERT_TRUE(buf != NULL);
		}
		n = read(fd, buf + len, cap - len - 1);
		if (n < 0)
			TEST_FAIL("read %s: %s", path, strerror(errno));
		if (!n)
			break;
		len += n;
	}
	close(fd);
	buf[len] = 0;
	if (len_out)
		*len_out = len;
	return buf;
}

static char *tracefs_read(const char *file)
{
	char path[512];

	snprintf(path, sizeof(path), TRACEFS "/%s", file);
	return slurp(path, NULL);
}

/*
 * Nothing enabled, no filter, an empty buffer, recording on; one clock for
 * all CPUs, so records of a vCPU thread that moved stay in order.
 */
static void trace_reset(void)
{
	tracefs_write("trace_clock", "global");
	tracefs_write("events/minivisor/enable", "0");
	tracefs_write("events/minivisor/filter", "0");
	tracefs_write("tracing_on", "1");
	tracefs_write("trace", "");
}

/* ---- parsing "trace" and "trace-cmd report" lines ---- */

/*
 * "<comm>-<pid> [cpu] flags ts: minivisor_exit: vm 1 vcpu 0 reason ..."; the
 * event name is the first word starting "minivisor_" and ending in ':'.
 */
static bool parse_line(const char *line, struct rec *r)
{
	const char *p = line, *colon, *f;
	size_t n;

	for (;;) {
		p = strstr(p, "minivisor_");
		if (!p)
			return false;
		colon = p + strcspn(p, ": \n");
		if (*colon == ':' && (p == line || p[-1] == ' '))
			break;
		p = colon;
	}
	memset(r, 0, sizeof(*r));
	n = colon - p;
	if (n >= sizeof(r->ev))
		return false;
	memcpy(r->ev, p, n);
	f = colon + 1;
	if (!strcmp(r->ev, "minivisor_exit"))
		return sscanf(f, " vm %u vcpu %u reason %u %39s qual 0x%llx rip 0x%llx gpa 0x%llx ticks %llu user %u",
			      &r->vm, &r->vcpu, &r->reason, r->name, &r->qual, &r->rip, &r->gpa,
			      &r->ticks, &r->user) == 9;
	if (!strcmp(r->ev, "minivisor_entry"))
		return sscanf(f, " vm %u vcpu %u rip 0x%llx", &r->vm, &r->vcpu, &r->rip) == 3;
	if (!strcmp(r->ev, "minivisor_pio"))
		return sscanf(f, " vm %u vcpu %u %15s port 0x%x size %u count %u value 0x%llx",
			      &r->vm, &r->vcpu, r->dir, &r->port, &r->size, &r->count,
			      &r->value) == 7;
	if (!strcmp(r->ev, "minivisor_mmio"))
		return sscanf(f, " vm %u vcpu %u %15s gpa 0x%llx len %u value 0x%llx",
			      &r->vm, &r->vcpu, r->dir, &r->gpa, &r->len, &r->value) == 6;
	if (!strcmp(r->ev, "minivisor_inject")) {
		if (sscanf(f, " vm %u vcpu %u %15s vector %u error %39s", &r->vm, &r->vcpu,
			   r->dir, &r->vector, r->name) != 5)
			return false;
		if (strcmp(r->name, "none"))
			r->value = strtoull(r->name, NULL, 16);
		return true;
	}
	if (!strcmp(r->ev, "minivisor_halt"))
		return sscanf(f, " vm %u vcpu %u %15s", &r->vm, &r->vcpu, r->dir) == 3;
	if (!strcmp(r->ev, "minivisor_userspace_exit"))
		return sscanf(f, " vm %u vcpu %u exit_reason %u %39s ret %d", &r->vm, &r->vcpu,
			      &r->exit_reason, r->name, &r->ret) == 5;
	if (!strcmp(r->ev, "minivisor_entry_failure"))
		return sscanf(f, " vm %u vcpu %u reason %u qual 0x%llx rule %u %39s", &r->vm,
			      &r->vcpu, &r->reason, &r->qual, &r->rule, r->name) == 6;
	return false;
}

/* Every minivisor record of text; a line naming an event that does not parse fails. */
static void parse_text(char *text, struct trace *tr)
{
	unsigned int cap = 256;
	char *line, *save = NULL;
	const char *h;

	memset(tr, 0, sizeof(*tr));
	tr->r = calloc(cap, sizeof(*tr->r));
	ASSERT_TRUE(tr->r != NULL);
	h = strstr(text, "entries-in-buffer/entries-written:");
	if (h)
		sscanf(h, "entries-in-buffer/entries-written: %llu/%llu", &tr->in_buffer,
		       &tr->written);
	for (line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		if (line[0] == '#' || !strstr(line, "minivisor_"))
			continue;
		if (tr->n == cap) {
			cap *= 2;
			tr->r = realloc(tr->r, cap * sizeof(*tr->r));
			ASSERT_TRUE(tr->r != NULL);
		}
		if (!parse_line(line, &tr->r[tr->n]))
			TEST_FAIL("trace line does not parse: %s", line);
		tr->n++;
	}
}

static void trace_read(struct trace *tr)
{
	char *text = tracefs_read("trace");

	parse_text(text, tr);
	free(text);
	test_diag("trace: %u minivisor records (entries-in-buffer/entries-written %llu/%llu)",
		  tr->n, tr->in_buffer, tr->written);
	/* The buffer must not have overflowed: every record must be there. */
	EXPECT_EQ(tr->in_buffer, tr->written);
}

static unsigned int count_ev(const struct trace *tr, unsigned int vm, const char *ev)
{
	unsigned int i, n = 0;

	for (i = 0; i < tr->n; i++)
		n += tr->r[i].vm == vm && !strcmp(tr->r[i].ev, ev);
	return n;
}

static const struct rec *find_ev(const struct trace *tr, unsigned int vm, const char *ev)
{
	unsigned int i;

	for (i = 0; i < tr->n; i++)
		if (tr->r[i].vm == vm && !strcmp(tr->r[i].ev, ev))
			return &tr->r[i];
	return NULL;
}

static void dump_some(const struct trace *tr, unsigned int max)
{
	unsigned int i;

	for (i = 0; i < tr->n && i < max; i++)
		test_diag("  %s vm %u vcpu %u reason %u %s rip 0x%llx user %u dir %s port 0x%x value 0x%llx",
			  tr->r[i].ev, tr->r[i].vm, tr->r[i].vcpu, tr->r[i].reason, tr->r[i].name,
			  tr->r[i].rip, tr->r[i].user, tr->r[i].dir, tr->r[i].port, tr->r[i].value);
}

/* ---- the guest ---- */

static unsigned int vm_id(struct tvm *t)
{
	int id = ioctl(t->vm.vm_fd, MV_GET_VM_ID);

	ASSERT_GT(id, 0);
	return id;
}

static uint32_t mmio_value(unsigned int i)
{
	return 0x70000000u + i * 0x111u;
}

/* Runs trace_guest_seq to its end, checking every exit; returns MV_RUN calls. */
static unsigned int run_sequence(struct tvm *t)
{
	unsigned int i, runs = 0;
	uint64_t sum = 0;
	uint8_t *data;

	for (i = 0; i < TR_M_OUT; i++) {
		tvm_run(t);
		runs++;
		data = tvm_expect_io(t, MV_EXIT_IO_OUT, TR_PORT, 4);
		ASSERT_EQ(io_data_get(data, 4), TR_OUT_BASE + i);
	}
	for (i = 0; i < TR_K_MMIO; i++) {
		tvm_run(t);
		runs++;
		data = tvm_expect_mmio(t, TR_MMIO_GPA + TR_MMIO_STRIDE * i, 4, 0);
		memcpy(data, &(uint32_t){ mmio_value(i) }, 4);
		sum += mmio_value(i);
	}
	EXPECT_EQ(tvm_run_done(t), sum);
	return runs + 1;
}

/* ---- cases ---- */

/* All eight events are in tracefs with the fields the documentation names. */
static void test_events_in_tracefs(void)
{
	static const char *const exit_fields[] = {
		"field:u32 vm;", "field:u32 vcpu;", "field:u32 reason;", "field:char name[32];",
		"field:u64 qual;", "field:u64 rip;", "field:u64 gpa;", "field:u64 ticks;",
		"field:u32 user;",
	};
	char path[256], *fmt;
	unsigned int i;

	tracefs_mount();
	for (i = 0; i < ARRAY_SIZE(events); i++) {
		snprintf(path, sizeof(path), "events/minivisor/%s/format", events[i]);
		fmt = tracefs_read(path);
		if (!strstr(fmt, events[i]))
			TEST_FAIL("%s does not name the event:\n%s", path, fmt);
		free(fmt);
	}
	fmt = tracefs_read("events/minivisor/minivisor_exit/format");
	for (i = 0; i < ARRAY_SIZE(exit_fields); i++)
		if (!strstr(fmt, exit_fields[i]))
			TEST_FAIL("minivisor_exit/format lacks \"%s\":\n%s", exit_fields[i], fmt);
	free(fmt);
}

/*
 * The known sequence with every minivisor event on: exactly N CPUID exits
 * at the CPUID, M pio records with the values and M IO exits at the OUT,
 * K mmio records with the addresses and values userspace gave, a
 * userspace exit per MV_RUN, and every exit's RIP in the guest's code.
 */
static void test_known_sequence(void)
{
	const struct elf_image *img = self_image();
	unsigned int i, vm, runs, ncpuid = 0, nout = 0, nmmio = 0, nuser = 0, nexit = 0;
	unsigned int npio = 0, nmmiorec = 0, nentry_after = 0, open_user = 0;
	bool after_cpuid = false;
	struct trace tr;
	struct tvm t;

	tracefs_mount();
	trace_reset();
	tvm_create_long(&t, trace_guest_seq, 0);
	vm = vm_id(&t);
	tracefs_write("events/minivisor/enable", "1");
	runs = run_sequence(&t);
	tracefs_write("events/minivisor/enable", "0");
	trace_read(&tr);
	test_diag("vm %u: %u MV_RUN calls", vm, runs);

	for (i = 0; i < tr.n; i++) {
		const struct rec *r = &tr.r[i];

		if (r->vm != vm)
			continue;
		EXPECT_EQ(r->vcpu, 0);
		if (!strcmp(r->ev, "minivisor_exit")) {
			nexit++;
			/* Guest code only: the binary's image (guest virtual == physical). */
			if (r->rip < img->lo || r->rip >= img->hi)
				test_fail_soft(__FILE__, __LINE__,
					       "exit %u %s at rip 0x%llx outside the guest image [0x%llx, 0x%llx)",
					       r->reason, r->name, r->rip,
					       (unsigned long long)img->lo,
					       (unsigned long long)img->hi);
			EXPECT_GT(r->ticks, 0);
			if (r->reason == VMX_CPUID) {
				ncpuid++;
				EXPECT_STREQ(r->name, "CPUID");
				EXPECT_EQ(r->rip, (uintptr_t)trace_cpuid_rip);
				EXPECT_EQ(r->qual, 0);
				EXPECT_EQ(r->user, 0);
				EXPECT_LT(r->ticks, 1000000);
			} else if (r->reason == VMX_IO && r->rip == (uintptr_t)trace_out_rip) {
				nout++;
				EXPECT_STREQ(r->name, "IO_INSTRUCTION");
				/* SDM Vol. 3C table 28-5: port 31:16, OUT, DX, size - 1 = 3. */
				EXPECT_EQ(r->qual, (TR_PORT << 16) | 3);
				EXPECT_EQ(r->user, MV_EXIT_IO);
			} else if (r->reason == VMX_EPT_VIOLATION && r->user) {
				EXPECT_EQ(r->rip, (uintptr_t)trace_mmio_rip);
				EXPECT_EQ(r->gpa, TR_MMIO_GPA + TR_MMIO_STRIDE * nmmio);
				EXPECT_EQ(r->user, MV_EXIT_MMIO);
				nmmio++;
			}
			if (r->user)
				open_user++;
		} else if (!strcmp(r->ev, "minivisor_pio") && r->port == TR_PORT) {
			EXPECT_STREQ(r->dir, "out");
			EXPECT_EQ(r->size, 4);
			EXPECT_EQ(r->count, 1);
			EXPECT_EQ(r->value, TR_OUT_BASE + npio);
			npio++;
		} else if (!strcmp(r->ev, "minivisor_mmio")) {
			EXPECT_STREQ(r->dir, "read");
			EXPECT_EQ(r->gpa, TR_MMIO_GPA + TR_MMIO_STRIDE * nmmiorec);
			EXPECT_EQ(r->len, 4);
			EXPECT_EQ(r->value, mmio_value(nmmiorec));
			nmmiorec++;
		} else if (!strcmp(r->ev, "minivisor_userspace_exit")) {
			/* Each return follows the exit that caused it. */
			EXPECT_EQ(open_user, 1);
			open_user = 0;
			nuser++;
			EXPECT_EQ(r->ret, 0);
			EXPECT_TRUE(r->exit_reason == MV_EXIT_IO || r->exit_reason == MV_EXIT_MMIO);
		} else if (!strcmp(r->ev, "minivisor_entry")) {
			nentry_after += after_cpuid && r->rip == (uintptr_t)trace_cpuid_rip + 2;
		}
		if (!strcmp(r->ev, "minivisor_exit") || !strcmp(r->ev, "minivisor_entry"))
			after_cpuid = !strcmp(r->ev, "minivisor_exit") && r->reason == VMX_CPUID;
	}
	test_diag("vm %u: %u exits (%u CPUID, %u OUT, %u MMIO), %u pio, %u mmio, %u userspace exits, %u entries after a CPUID",
		  vm, nexit, ncpuid, nout, nmmio, npio, nmmiorec, nuser, nentry_after);
	if (ncpuid != TR_N_CPUID)
		dump_some(&tr, 40);
	EXPECT_EQ(ncpuid, TR_N_CPUID);
	EXPECT_EQ(nout, TR_M_OUT);
	EXPECT_EQ(npio, TR_M_OUT);
	EXPECT_EQ(nmmio, TR_K_MMIO);
	EXPECT_EQ(nmmiorec, TR_K_MMIO);
	EXPECT_EQ(nuser, runs);
	EXPECT_EQ(count_ev(&tr, vm, "minivisor_userspace_exit"), runs);
	/* CPUID is 2 bytes: the entry after each CPUID exit resumes right after it. */
	EXPECT_EQ(nentry_after, TR_N_CPUID);
	/* The ucall that ends the guest is an OUT too (UCALL_PORT). */
	EXPECT_EQ(count_ev(&tr, vm, "minivisor_pio"), TR_M_OUT + 1);
	free(tr.r);
	tvm_destroy(&t);
}

static void set_flight_entries(const char *v)
{
	FILE *f = fopen("/sys/module/minivisor/parameters/flight_entries", "w");

	ASSERT_TRUE(f != NULL);
	ASSERT_GT(fputs(v, f), -1);
	ASSERT_EQ(fclose(f), 0);
}

/*
 * With the flight recorder off (flight_entries=0, read at vCPU creation)
 * the backend still notes each exit's RIP, qualification and GPA for
 * minivisor_exit (into the statistics' spare record).
 */
static void test_exit_without_recorder(void)
{
	unsigned int i, vm, ncpuid = 0, nout = 0, nmmio = 0;
	struct trace tr;
	struct tvm t;

	tracefs_mount();
	trace_reset();
	set_flight_entries("0");
	tvm_create_long(&t, trace_guest_seq, 0);
	set_flight_entries("64");	/* main() puts the boot's value back */
	vm = vm_id(&t);
	tracefs_write("events/minivisor/minivisor_exit/enable", "1");
	run_sequence(&t);
	tracefs_write("events/minivisor/minivisor_exit/enable", "0");
	trace_read(&tr);
	for (i = 0; i < tr.n; i++) {
		const struct rec *r = &tr.r[i];

		if (r->vm != vm)
			continue;
		if (r->reason == VMX_CPUID) {
			EXPECT_EQ(r->rip, (uintptr_t)trace_cpuid_rip);
			ncpuid++;
		} else if (r->reason == VMX_IO && r->rip == (uintptr_t)trace_out_rip) {
			EXPECT_EQ(r->qual, (TR_PORT << 16) | 3);
			nout++;
		} else if (r->reason == VMX_EPT_VIOLATION && r->user) {
			EXPECT_EQ(r->rip, (uintptr_t)trace_mmio_rip);
			EXPECT_EQ(r->gpa, TR_MMIO_GPA + TR_MMIO_STRIDE * nmmio);
			nmmio++;
		}
	}
	EXPECT_EQ(ncpuid, TR_N_CPUID);
	EXPECT_EQ(nout, TR_M_OUT);
	EXPECT_EQ(nmmio, TR_K_MMIO);
	free(tr.r);
	tvm_destroy(&t);
}

/*
 * Disabled events record nothing; one enabled event records only itself
 * (each has its own static key).
 */
static void test_disabled_records_nothing(void)
{
	struct trace tr;
	struct tvm t;
	unsigned int vm;
	char *en;

	tracefs_mount();
	trace_reset();
	en = tracefs_read("events/minivisor/enable");
	EXPECT_EQ(en[0], '0');
	free(en);
	tvm_create_long(&t, trace_guest_seq, 0);
	vm = vm_id(&t);
	run_sequence(&t);
	trace_read(&tr);
	EXPECT_EQ(tr.n, 0);
	if (tr.n)
		dump_some(&tr, 10);
	free(tr.r);
	tvm_destroy(&t);

	tracefs_write("events/minivisor/minivisor_pio/enable", "1");
	tvm_create_long(&t, trace_guest_seq, 0);
	vm = vm_id(&t);
	run_sequence(&t);
	tracefs_write("events/minivisor/minivisor_pio/enable", "0");
	trace_read(&tr);
	EXPECT_EQ(count_ev(&tr, vm, "minivisor_pio"), TR_M_OUT + 1);
	EXPECT_EQ(tr.n, TR_M_OUT + 1);
	free(tr.r);
	tvm_destroy(&t);
}

/*
 * A filter on the VM id (every event has the field) keeps one VM's
 * records; one on the reason's name keeps the CPUID exits.
 */
static void test_filter_by_vm(void)
{
	struct tvm a, b;
	unsigned int va, vb;
	struct trace tr;
	char f[32];

	tracefs_mount();
	trace_reset();
	tvm_create_long(&a, trace_guest_seq, 0);
	tvm_create_long(&b, trace_guest_seq, 0);
	va = vm_id(&a);
	vb = vm_id(&b);
	ASSERT_NE(va, vb);
	snprintf(f, sizeof(f), "vm == %u", vb);
	tracefs_write("events/minivisor/filter", f);
	tracefs_write("events/minivisor/minivisor_exit/enable", "1");
	run_sequence(&a);
	run_sequence(&b);
	tracefs_write("events/minivisor/minivisor_exit/enable", "0");
	tracefs_write("events/minivisor/filter", "0");
	trace_read(&tr);
	EXPECT_EQ(count_ev(&tr, va, "minivisor_exit"), 0);
	EXPECT_GE(count_ev(&tr, vb, "minivisor_exit"), TR_N_CPUID + TR_M_OUT + TR_K_MMIO + 1);
	EXPECT_EQ(count_ev(&tr, vb, "minivisor_exit"), tr.n);
	free(tr.r);
	tvm_destroy(&a);
	tvm_destroy(&b);

	/* A string field: the exit's reason name. */
	tracefs_write("trace", "");
	tvm_create_long(&a, trace_guest_seq, 0);
	va = vm_id(&a);
	tracefs_write("events/minivisor/minivisor_exit/filter", "name == \"CPUID\"");
	tracefs_write("events/minivisor/minivisor_exit/enable", "1");
	run_sequence(&a);
	tracefs_write("events/minivisor/minivisor_exit/enable", "0");
	tracefs_write("events/minivisor/minivisor_exit/filter", "0");
	trace_read(&tr);
	EXPECT_EQ(count_ev(&tr, va, "minivisor_exit"), TR_N_CPUID);
	EXPECT_EQ(tr.n, TR_N_CPUID);
	free(tr.r);
	tvm_destroy(&a);
}

static const struct rec *expect_exception(struct tvm *t, unsigned int vm, uint64_t vector,
					  struct trace *tr)
{
	struct ucall_info uc;

	tvm_run(t);
	ASSERT_EQ(tvm_get_ucall(t, &uc), UCALL_EXCEPTION);
	EXPECT_EQ(uc.args[0], vector);
	trace_read(tr);
	return find_ev(tr, vm, "minivisor_inject");
}

/*
 * Injection: exceptions from MV_INJECT_EXCEPTION (with and without an
 * error code), and an NMI that wakes a vCPU halted in the kernel (blocked,
 * then woken, then the NMI injected).
 */
static void test_inject_and_halt(void)
{
	struct mv_exception ex = { .vector = 6 };
	struct mv_mp_state mp = { .state = MV_MP_STATE_HALTED };
	const struct rec *r;
	struct trace tr;
	unsigned int vm, i, blocked = 0, woken = 0;
	struct tvm t;

	tracefs_mount();
	trace_reset();
	tracefs_write("events/minivisor/enable", "1");

	tvm_create_long(&t, trace_guest_idle, 0);
	vm = vm_id(&t);
	ASSERT_EQ(ioctl(t.vm.vcpu_fd, MV_INJECT_EXCEPTION, &ex), 0);
	r = expect_exception(&t, vm, 6, &tr);
	ASSERT_TRUE(r != NULL);
	EXPECT_STREQ(r->dir, "exception");
	EXPECT_EQ(r->vector, 6);
	EXPECT_STREQ(r->name, "none");
	free(tr.r);
	tvm_destroy(&t);

	tracefs_write("trace", "");
	tvm_create_long(&t, trace_guest_idle, 0);
	vm = vm_id(&t);
	ex = (struct mv_exception) { .vector = 13, .has_error = 1, .error = 0x18 };
	ASSERT_EQ(ioctl(t.vm.vcpu_fd, MV_INJECT_EXCEPTION, &ex), 0);
	r = expect_exception(&t, vm, 13, &tr);
	ASSERT_TRUE(r != NULL);
	EXPECT_STREQ(r->dir, "exception");
	EXPECT_EQ(r->vector, 13);
	EXPECT_EQ(r->value, 0x18);
	free(tr.r);
	tvm_destroy(&t);

	tracefs_write("trace", "");
	tvm_create_long(&t, trace_guest_idle, 0);
	vm = vm_id(&t);
	ASSERT_EQ(ioctl(t.vm.vcpu_fd, MV_SET_MP_STATE, &mp), 0);
	ASSERT_EQ(ioctl(t.vm.vcpu_fd, MV_NMI), 0);
	r = expect_exception(&t, vm, 2, &tr);
	ASSERT_TRUE(r != NULL);
	EXPECT_STREQ(r->dir, "nmi");
	EXPECT_EQ(r->vector, 2);
	for (i = 0; i < tr.n; i++) {
		if (tr.r[i].vm != vm || strcmp(tr.r[i].ev, "minivisor_halt"))
			continue;
		if (!strcmp(tr.r[i].dir, "blocked")) {
			EXPECT_EQ(woken, 0);
			blocked++;
		} else {
			EXPECT_STREQ(tr.r[i].dir, "woken");
			woken++;
		}
	}
	EXPECT_EQ(blocked, 1);
	EXPECT_EQ(woken, 1);
	free(tr.r);
	tvm_destroy(&t);
	tracefs_write("events/minivisor/enable", "0");
}

/* A failed VM entry (CR0.PG without PE, SDM Vol. 3C 27.3.1.1): its event and exit. */
static void test_entry_failure(void)
{
	const struct rec *r;
	struct mv_sregs s;
	struct trace tr;
	unsigned int vm;
	struct tvm t;

	tracefs_mount();
	trace_reset();
	tvm_create_real(&t, RM_BLOB(hlt));
	vm = vm_id(&t);
	tvm_get_sregs(&t, &s);
	s.cr0 = (1ull << 31) | (1ull << 4);
	tvm_set_sregs(&t, &s);
	tracefs_write("events/minivisor/enable", "1");
	tvm_run_expect(&t, MV_EXIT_FAIL_ENTRY);
	tracefs_write("events/minivisor/enable", "0");
	trace_read(&tr);
	r = find_ev(&tr, vm, "minivisor_entry_failure");
	ASSERT_TRUE(r != NULL);
	test_diag("entry failure: reason %u qual 0x%llx rule %u %s", r->reason, r->qual, r->rule,
		  r->name);
	EXPECT_EQ(r->reason, VMX_INVALID_STATE);
	EXPECT_EQ(r->rule, t.vm.run->fail_entry.check);
	EXPECT_NE(r->rule, 0);
	EXPECT_NE(strcmp(r->name, "-"), 0);
	r = find_ev(&tr, vm, "minivisor_exit");
	ASSERT_TRUE(r != NULL);
	EXPECT_EQ(r->reason, VMX_INVALID_STATE);
	EXPECT_EQ(r->user, MV_EXIT_FAIL_ENTRY);
	r = find_ev(&tr, vm, "minivisor_userspace_exit");
	ASSERT_TRUE(r != NULL);
	EXPECT_EQ(r->exit_reason, MV_EXIT_FAIL_ENTRY);
	EXPECT_STREQ(r->name, "FAIL_ENTRY");
	EXPECT_EQ(count_ev(&tr, vm, "minivisor_entry_failure"), 1);
	free(tr.r);
	tvm_destroy(&t);
}

/* A perf counter on a minivisor tracepoint of this thread, with a filter. */
static int perf_tracepoint(const char *event, const char *filter)
{
	struct perf_event_attr attr = {
		.type = PERF_TYPE_TRACEPOINT, .size = sizeof(attr), .disabled = 1,
	};
	char path[128], *id;
	int fd;

	snprintf(path, sizeof(path), "events/minivisor/%s/id", event);
	id = tracefs_read(path);
	attr.config = strtoull(id, NULL, 10);
	free(id);
	fd = syscall(SYS_perf_event_open, &attr, 0, -1, -1, 0);
	if (fd < 0)
		TEST_FAIL("perf_event_open(%s): %s", event, strerror(errno));
	if (filter && ioctl(fd, PERF_EVENT_IOC_SET_FILTER, filter))
		TEST_FAIL("PERF_EVENT_IOC_SET_FILTER '%s' on %s: %s", filter, event,
			  strerror(errno));
	return fd;
}

static uint64_t perf_count(int fd)
{
	uint64_t n = 0;

	ASSERT_EQ(read(fd, &n, sizeof(n)), sizeof(n));
	return n;
}

/*
 * What perf uses: counters on the tracepoints (perf stat -e
 * minivisor:minivisor_exit --filter ...), here for the vCPU thread, which
 * is this one: exactly N CPUID exits, M OUTs to the port, K MMIO reads.
 */
static void test_perf_counters(void)
{
	int cpuid, pio, mmio, uexit;
	char f[64];
	struct tvm t;
	unsigned int vm;

	tracefs_mount();
	trace_reset();
	tvm_create_long(&t, trace_guest_seq, 0);
	vm = vm_id(&t);
	snprintf(f, sizeof(f), "vm == %u && reason == %u", vm, VMX_CPUID);
	cpuid = perf_tracepoint("minivisor_exit", f);
	snprintf(f, sizeof(f), "vm == %u && port == %u", vm, TR_PORT);
	pio = perf_tracepoint("minivisor_pio", f);
	mmio = perf_tracepoint("minivisor_mmio", NULL);
	uexit = perf_tracepoint("minivisor_userspace_exit", NULL);
	ASSERT_EQ(ioctl(cpuid, PERF_EVENT_IOC_ENABLE, 0), 0);
	ASSERT_EQ(ioctl(pio, PERF_EVENT_IOC_ENABLE, 0), 0);
	ASSERT_EQ(ioctl(mmio, PERF_EVENT_IOC_ENABLE, 0), 0);
	ASSERT_EQ(ioctl(uexit, PERF_EVENT_IOC_ENABLE, 0), 0);
	run_sequence(&t);
	test_diag("perf counts: %llu CPUID exits, %llu pio, %llu mmio, %llu userspace exits",
		  (unsigned long long)perf_count(cpuid), (unsigned long long)perf_count(pio),
		  (unsigned long long)perf_count(mmio), (unsigned long long)perf_count(uexit));
	EXPECT_EQ(perf_count(cpuid), TR_N_CPUID);
	EXPECT_EQ(perf_count(pio), TR_M_OUT);
	EXPECT_EQ(perf_count(mmio), TR_K_MMIO);
	EXPECT_EQ(perf_count(uexit), TR_M_OUT + TR_K_MMIO + 1);
	close(cpuid);
	close(pio);
	close(mmio);
	close(uexit);
	tvm_destroy(&t);
}

/* What trace-cmd runs (this program with --child): the sequence once. */
static int child_sequence(void)
{
	struct tvm t;

	tvm_create_long(&t, trace_guest_seq, 0);
	printf("vm %u\n", vm_id(&t));
	fflush(stdout);
	run_sequence(&t);
	tvm_destroy(&t);
	return 0;
}

/*
 * Some report lines as diagnostics (Documentation/tracing.md shows them):
 * the head, and the lines around the last CPUID exit and the first MMIO.
 */
static void report_sample(const char *out)
{
	const char *p = out, *cpuid = NULL, *mmio = NULL, *e;
	unsigned int i;

	test_diag("trace-cmd report, head:");
	for (i = 0; i < 12 && *p; i++) {
		e = strchrnul(p, '\n');
		test_diag("| %.*s", (int)(e - p), p);
		p = *e ? e + 1 : e;
	}
	for (p = out; (p = strstr(p, "reason 10 CPUID")); p++)
		cpuid = p;
	mmio = strstr(out, "minivisor_mmio:");
	for (i = 0; i < 2; i++) {
		p = i ? mmio : cpuid;
		if (!p)
			continue;
		/* Back 3 lines, forward 8. */
		for (int back = 0; p > out && back < 4; p--)
			back += p[-1] == '\n';
		if (*p == '\n')
			p++;
		test_diag("trace-cmd report, around the %s:", i ? "first MMIO" : "last CPUID exit");
		for (int n = 0; n < 10 && *p; n++) {
			e = strchrnul(p, '\n');
			test_diag("| %.*s", (int)(e - p), p);
			p = *e ? e + 1 : e;
		}
	}
}

static int run_cmd(const char *cmd)
{
	double t0 = test_now();
	int st = system(cmd);

	test_diag("%s: status %d (%.2f s)", cmd, st, test_now() - t0);
	return st;
}

/*
 * trace-cmd record copies /proc/kallsyms (3.9 MB in the emulated host) into
 * its file, reading it twice (procfs gives no size, so once to count it),
 * and report parses it again: with one CPU, 2.5 of record's 4.8 emulated
 * seconds and 2.2 of report's 2.2. The minivisor events print no kernel
 * addresses, so trace-cmd runs with an empty file over /proc/kallsyms,
 * bound in a mount namespace of this case's own (the harness runs each
 * case in a child process of its own).
 */
static void hide_kallsyms(void)
{
	const char *empty = "/tmp/mv-trace.kallsyms";
	int fd;

	if (unshare(CLONE_NEWNS))
		TEST_FAIL("unshare(CLONE_NEWNS): %s", strerror(errno));
	if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL))
		TEST_FAIL("mount --make-rprivate /: %s", strerror(errno));
	fd = open(empty, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0)
		TEST_FAIL("create %s: %s", empty, strerror(errno));
	close(fd);
	if (mount(empty, "/proc/kallsyms", NULL, MS_BIND, NULL))
		TEST_FAIL("bind %s over /proc/kallsyms: %s", empty, strerror(errno));
}

/*
 * trace-cmd (its libtraceevent parses our formats): record -e minivisor
 * around a run of the sequence, then report, with the same counts.
 */
static void test_trace_cmd(void)
{
	char cmd[512], self[256], *out, *line, *save = NULL, *text;
	unsigned int vm = 0, ncpuid = 0, npio = 0, nuser = 0, nuser_io = 0, nuser_mmio = 0;
	struct trace tr;
	ssize_t n;

	/*
	 * What trace-cmd parses (the format files) is the same with any number
	 * of CPUs, and the records of the other cases come from the same ring
	 * buffers. Even without kallsyms, record takes 2.3 emulated seconds,
	 * mostly waiting (2.2 s of wall time with one CPU, which idles at no
	 * cost), and 3 with two CPUs: 25 s of wall time in make check's 2-CPU
	 * boot, where every emulated second costs about ten (testing.md, "Two
	 * CPUs").
	 */
	if (sysconf(_SC_NPROCESSORS_ONLN) > 1)
		test_skip("trace-cmd runs in the 1-CPU boot");
	tracefs_mount();
	trace_reset();
	if (access(TRACE_CMD, X_OK))
		TEST_FAIL("%s: %s (tools/testhost/mkinitramfs packs it when the machine has trace-cmd)",
			  TRACE_CMD, strerror(errno));
	hide_kallsyms();
	n = readlink("/proc/self/exe", self, sizeof(self) - 1);
	ASSERT_GT(n, 0);
	self[n] = 0;
	snprintf(cmd, sizeof(cmd), "cd /tmp && " TRACE_CMD " record -e minivisor -o /tmp/mv-trace.dat %s --child > /tmp/mv-trace.rec 2>&1",
		 self);
	EXPECT_EQ(run_cmd(cmd), 0);
	text = slurp("/tmp/mv-trace.rec", NULL);
	for (line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		if (sscanf(line, "vm %u", &vm) != 1)
			test_diag("record: %s", line);
	}
	free(text);
	ASSERT_GT(vm, 0);
	snprintf(cmd, sizeof(cmd), TRACE_CMD " report -i /tmp/mv-trace.dat > /tmp/mv-trace.txt 2>/tmp/mv-trace.err");
	EXPECT_EQ(run_cmd(cmd), 0);
	out = slurp("/tmp/mv-trace.txt", NULL);
	report_sample(out);
	parse_text(out, &tr);
	for (unsigned int i = 0; i < tr.n; i++) {
		const struct rec *r = &tr.r[i];

		if (r->vm != vm)
			continue;
		ncpuid += !strcmp(r->ev, "minivisor_exit") && r->reason == VMX_CPUID &&
			  !strcmp(r->name, "CPUID") && r->rip == (uintptr_t)trace_cpuid_rip;
		npio += !strcmp(r->ev, "minivisor_pio") && r->port == TR_PORT;
		nuser += !strcmp(r->ev, "minivisor_userspace_exit");
		/* trace-cmd prints the names from the format (TRACE_DEFINE_ENUM). */
		nuser_io += !strcmp(r->ev, "minivisor_userspace_exit") && !strcmp(r->name, "IO");
		nuser_mmio += !strcmp(r->ev, "minivisor_userspace_exit") && !strcmp(r->name, "MMIO");
	}
	test_diag("trace-cmd report: %u records, vm %u: %u CPUID exits, %u pio, %u userspace exits",
		  tr.n, vm, ncpuid, npio, nuser);
	if (ncpuid != TR_N_CPUID) {
		text = slurp("/tmp/mv-trace.err", NULL);
		test_diag_block(text);
		free(text);
		free(out);
		out = slurp("/tmp/mv-trace.txt", NULL);
		out[out[0] ? strnlen(out, 3000) : 0] = 0;
		test_diag_block(out);
	}
	EXPECT_EQ(ncpuid, TR_N_CPUID);
	EXPECT_EQ(npio, TR_M_OUT);
	EXPECT_EQ(nuser, TR_M_OUT + TR_K_MMIO + 1);
	EXPECT_EQ(nuser_io, TR_M_OUT + 1);
	EXPECT_EQ(nuser_mmio, TR_K_MMIO);
	free(out);
	free(tr.r);
	unlink("/tmp/mv-trace.dat");
}

static const struct test_case tests[] = {
	{ "events_in_tracefs", test_events_in_tracefs, 0 },
	{ "known_sequence_records", test_known_sequence, 0 },
	{ "exit_records_without_flight_recorder", test_exit_without_recorder, 0 },
	{ "disabled_records_nothing", test_disabled_records_nothing, 0 },
	{ "filters_vm_id_and_name", test_filter_by_vm, 0 },
	{ "inject_exception_nmi_and_halt", test_inject_and_halt, 0 },
	{ "entry_failure_event", test_entry_failure, 0 },
	{ "perf_counters_with_filters", test_perf_counters, 0 },
	{ "trace_cmd_record_report", test_trace_cmd, 60 },
};

int main(int argc, char **argv)
{
	if (argc == 2 && !strcmp(argv[1], "--child"))
		return child_sequence();
	char flight[32] = "";
	FILE *f = fopen("/sys/module/minivisor/parameters/flight_entries", "r");
	int r;

	/* A case that failed half-way must not leave the recorder off for others. */
	if (f && !fgets(flight, sizeof(flight), f))
		flight[0] = 0;
	if (f)
		fclose(f);
	r = test_main(argc, argv, tests, ARRAY_SIZE(tests));
	f = flight[0] ? fopen("/sys/module/minivisor/parameters/flight_entries", "w") : NULL;
	if (f) {
		fputs(flight, f);
		fclose(f);
	}
	return r;
}
