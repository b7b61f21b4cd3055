// SPDX-License-Identifier: GPL-2.0
/*
 * The exit handler that mvm's run loop calls after every MV_RUN, driven
 * with a fake run page: I/O and MMIO dispatch, unclaimed accesses, and the
 * exit status of every terminal exit.
 */
#include <stdlib.h>
#include <string.h>

#include "exit.h"
#include "status.h"
#include "tap.h"

#define RUN_SIZE	4096
#define DATA_OFF	1024

static uint8_t page[RUN_SIZE] __attribute__((aligned(4096)));
static struct mv_run *run = (struct mv_run *)page;
static char out[1024];
static size_t out_len;
static char *log_text;
static size_t log_len;

static void sink(void *ctx, const char *buf, size_t len)
{
	(void)ctx;
	if (out_len + len <= sizeof(out)) {
		memcpy(out + out_len, buf, len);
		out_len += len;
	}
}

static void new_machine(struct mvm_machine *m)
{
	FILE *log;

	free(log_text);
	log_text = NULL;
	log = open_memstream(&log_text, &log_len);
	mvm_machine_init(m, sink, NULL, log);
	out_len = 0;
}

static const char *log_of(struct mvm_machine *m)
{
	fflush(m->log);
	return log_text ? log_text : "";
}

static void io(uint8_t dir, uint8_t size, uint16_t port, uint32_t count, uint64_t off)
{
	memset(page, 0, sizeof(page));
	run->exit_reason = MV_EXIT_IO;
	run->io.direction = dir;
	run->io.size = size;
	run->io.port = port;
	run->io.count = count;
	run->io.data_offset = off;
}

static void mmio(uint64_t gpa, uint32_t len, bool is_write, uint64_t val)
{
	memset(page, 0, sizeof(page));
	run->exit_reason = MV_EXIT_MMIO;
	run->mmio.phys_addr = gpa;
	run->mmio.len = len;
	run->mmio.is_write = is_write;
	memcpy(run->mmio.data, &val, 8);
}

static uint8_t ram[16];

static int ram_access(struct mvm_device *dev, uint64_t offset, void *data, unsigned int len,
		      bool is_write)
{
	(void)dev;
	if (is_write)
		memcpy(ram + offset, data, len);
	else
		memcpy(data, ram + offset, len);
	return 0;
}

static void terminal(uint32_t reason, int want, const char *name, const char *msg)
{
	struct mvm_machine m;
	int st;

	new_machine(&m);
	memset(page, 0, sizeof(page));
	run->exit_reason = reason;
	if (reason == MV_EXIT_FAIL_ENTRY) {
		run->fail_entry.hardware_entry_failure_reason = 33;
		run->fail_entry.qualification = 2;
	}
	if (reason == MV_EXIT_INTERNAL_ERROR) {
		run->internal.suberror = MV_INTERNAL_EMULATION;
		run->internal.ndata = 2;
		run->internal.data[0] = 0xfee00000;
	}
	st = mvm_handle_exit(&m, run, RUN_SIZE);
	ok(st == want && strstr(log_of(&m), name) && strstr(log_of(&m), msg),
	   "%s exit: status %d, exit dumped", name, st);
	fclose(m.log);
}

int main(void)
{
	struct mvm_device ramdev = { .name = "ram", .base = 0xd0000000, .size = sizeof(ram),
				     .access = ram_access };
	struct mvm_machine m;
	int st, i;

	tap_start();

	new_machine(&m);
	io(MV_EXIT_IO_OUT, 1, 0x3f8, 1, DATA_OFF);
	page[DATA_OFF] = 'A';
	st = mvm_handle_exit(&m, run, RUN_SIZE);
	page[DATA_OFF] = '\n';
	st |= mvm_handle_exit(&m, run, RUN_SIZE) ^ MVM_CONTINUE;
	ok(st == MVM_CONTINUE && out_len == 2 && !memcmp(out, "A\n", 2),
	   "OUT to 0x3f8 goes to the UART and on to the output");

	io(MV_EXIT_IO_IN, 1, 0x3fd, 1, DATA_OFF);
	st = mvm_handle_exit(&m, run, RUN_SIZE);
	ok(st == MVM_CONTINUE && page[DATA_OFF] == 0x60, "IN from 0x3fd reads LSR (0x60)");

	io(MV_EXIT_IO_OUT, 1, 0x3f8, 3, DATA_OFF);
	memcpy(page + DATA_OFF, "xy\n", 3);
	st = mvm_handle_exit(&m, run, RUN_SIZE);
	ok(st == MVM_CONTINUE && out_len == 5 && !memcmp(out + 2, "xy\n", 3),
	   "string OUT (count 3) sends each element");

	io(MV_EXIT_IO_IN, 2, 0x3fc, 1, DATA_OFF);
	st = mvm_handle_exit(&m, run, RUN_SIZE);
	ok(st == MVM_CONTINUE && page[DATA_OFF] == 0 && page[DATA_OFF + 1] == 0x60,
	   "16-bit IN from 0x3fc reads MCR and LSR");

	io(MV_EXIT_IO_IN, 4, 0x80, 1, DATA_OFF);
	st = mvm_handle_exit(&m, run, RUN_SIZE);
	ok(st == MVM_CONTINUE && !memcmp(page + DATA_OFF, "\xff\xff\xff\xff", 4) &&
	   strstr(log_of(&m), "port read from unclaimed 0x80 (4 bytes) returns all-ones"),
	   "IN from an unclaimed port: all-ones and a warning");
	io(MV_EXIT_IO_OUT, 2, 0x70, 1, DATA_OFF);
	memcpy(page + DATA_OFF, "\x34\x12", 2);
	st = mvm_handle_exit(&m, run, RUN_SIZE);
	ok(st == MVM_CONTINUE &&
	   strstr(log_of(&m), "port write to unclaimed 0x70 (2 bytes, value 0x1234) ignored"),
	   "OUT to an unclaimed port: a warning naming port and value, guest continues");
	for (i = 0; i < 40; i++)
		mvm_handle_exit(&m, run, RUN_SIZE);	/* the same port again and again */
	{
		const char *l = log_of(&m), *p;
		int n = 0;

		for (p = l; (p = strstr(p, "mvm: warning: port")); p++)
			n++;
		ok(n == 2, "an unclaimed port is reported once, however often it is hit (saw %d)",
		   n);
	}
	for (i = 0; i < 40; i++) {
		io(MV_EXIT_IO_OUT, 1, (uint16_t)(0x100 + i), 1, DATA_OFF);
		mvm_handle_exit(&m, run, RUN_SIZE);
	}
	mmio(0xfed00000, 4, false, 0);
	mvm_handle_exit(&m, run, RUN_SIZE);
	mmio(0xfed00000, 4, false, 0);
	mvm_handle_exit(&m, run, RUN_SIZE);
	{
		const char *l = log_of(&m), *p;
		int n = 0, k = 0;

		for (p = l; (p = strstr(p, "mvm: warning: port")); p++)
			n++;
		for (p = l; (p = strstr(p, "unclaimed 0xfed00000")); p++)
			k++;
		ok(n == 42 && k == 1 && m.unclaimed == 84,
		   "each distinct unclaimed port and address is reported once "
		   "(%d port lines, %d mmio lines, %lu accesses)", n, k, m.unclaimed);
	}
	for (i = 0; i < MVM_UNCLAIMED_SLOTS + 10; i++) {
		mmio(0x100000000ull + 8ull * (unsigned int)i, 1, true, 0);
		mvm_handle_exit(&m, run, RUN_SIZE);
	}
	ok(m.nseen == MVM_UNCLAIMED_SLOTS && strstr(log_of(&m), "further ones are not"),
	   "after %d distinct addresses the warnings stop (a scanning guest cannot flood)",
	   MVM_UNCLAIMED_SLOTS);
	fclose(m.log);

	/* Malformed I/O exits: never touch memory outside the run page. */
	new_machine(&m);
	io(MV_EXIT_IO_OUT, 3, 0x3f8, 1, DATA_OFF);
	ok(mvm_handle_exit(&m, run, RUN_SIZE) == MVM_STATUS_UNEXPECTED &&
	   strstr(log_of(&m), "io.size is not 1, 2 or 4"), "io.size 3 is malformed (status 12)");
	io(MV_EXIT_IO_OUT, 1, 0x3f8, 1, RUN_SIZE);
	ok(mvm_handle_exit(&m, run, RUN_SIZE) == MVM_STATUS_UNEXPECTED,
	   "io.data_offset at the end of the page is malformed");
	io(MV_EXIT_IO_OUT, 4, 0x3f8, 2, RUN_SIZE - 4);
	ok(mvm_handle_exit(&m, run, RUN_SIZE) == MVM_STATUS_UNEXPECTED,
	   "io data running past the page is malformed");
	io(MV_EXIT_IO_OUT, 4, 0x3f8, 0x40000000, DATA_OFF);
	ok(mvm_handle_exit(&m, run, RUN_SIZE) == MVM_STATUS_UNEXPECTED,
	   "a huge io.count is malformed");
	io(MV_EXIT_IO_OUT, 1, 0x3f8, 1, 8);
	ok(mvm_handle_exit(&m, run, RUN_SIZE) == MVM_STATUS_UNEXPECTED,
	   "io.data_offset inside struct mv_run is malformed");
	io(MV_EXIT_IO_OUT, 1, 0x3f8, 1, UINT64_MAX);
	ok(mvm_handle_exit(&m, run, RUN_SIZE) == MVM_STATUS_UNEXPECTED,
	   "io.data_offset 2^64-1 is malformed");
	io(MV_EXIT_IO_OUT, 1, 0x3f8, 0, DATA_OFF);
	ok(mvm_handle_exit(&m, run, RUN_SIZE) == MVM_STATUS_UNEXPECTED, "io.count 0 is malformed");
	io(2, 1, 0x3f8, 1, DATA_OFF);
	ok(mvm_handle_exit(&m, run, RUN_SIZE) == MVM_STATUS_UNEXPECTED,
	   "io.direction 2 is malformed");
	io(MV_EXIT_IO_OUT, 4, 0x3fe, 1, DATA_OFF);
	ok(mvm_handle_exit(&m, run, RUN_SIZE) == MVM_CONTINUE &&
	   strstr(log_of(&m), "unclaimed 0x3fe"),
	   "a 4-byte OUT straddling the UART's end is unclaimed, not a UART access");
	fclose(m.log);

	/* MMIO. */
	new_machine(&m);
	mmio(0xfee00000, 4, false, 0);
	st = mvm_handle_exit(&m, run, RUN_SIZE);
	ok(st == MVM_CONTINUE && !memcmp(run->mmio.data, "\xff\xff\xff\xff\0", 5) &&
	   strstr(log_of(&m), "mmio read from unclaimed 0xfee00000"),
	   "MMIO read with no device: all-ones in mmio.data and a warning");
	ok(mvm_bus_register(&m.mmio, &ramdev) == 0, "a device on the MMIO bus");
	mmio(0xd0000008, 8, true, 0x1122334455667788ull);
	st = mvm_handle_exit(&m, run, RUN_SIZE);
	mmio(0xd000000c, 4, false, 0);
	st |= mvm_handle_exit(&m, run, RUN_SIZE) ^ MVM_CONTINUE;
	ok(st == MVM_CONTINUE && !memcmp(run->mmio.data, "\x44\x33\x22\x11", 4),
	   "MMIO write then read reach the device at the right offset");
	mmio(0xd0000000, 3, false, 0);
	ok(mvm_handle_exit(&m, run, RUN_SIZE) == MVM_STATUS_UNEXPECTED &&
	   strstr(log_of(&m), "mmio.len"), "mmio.len 3 is malformed");
	mmio(0xd0000000, 64, false, 0);
	ok(mvm_handle_exit(&m, run, RUN_SIZE) == MVM_STATUS_UNEXPECTED, "mmio.len 64 is malformed");
	fclose(m.log);

	new_machine(&m);
	memset(page, 0, sizeof(page));
	run->exit_reason = MV_EXIT_HLT;
	ok(mvm_handle_exit(&m, run, RUN_SIZE) == MVM_STATUS_HLT && !*log_of(&m),
	   "HLT ends with status 0, silently");
	fclose(m.log);

	terminal(MV_EXIT_SHUTDOWN, MVM_STATUS_SHUTDOWN, "SHUTDOWN", "triple-faulted");
	terminal(MV_EXIT_FAIL_ENTRY, MVM_STATUS_FAIL_ENTRY, "FAIL_ENTRY", "invalid guest state");
	terminal(MV_EXIT_INTERNAL_ERROR, MVM_STATUS_INTERNAL, "INTERNAL_ERROR", "EMULATION");
	terminal(MV_EXIT_NONE, MVM_STATUS_UNEXPECTED, "NONE", "unexpected exit reason");
	terminal(MV_EXIT_INTR, MVM_STATUS_UNEXPECTED, "INTR", "unexpected exit reason");
	terminal(99, MVM_STATUS_UNEXPECTED, "UNKNOWN", "exit_reason: 99");
	free(log_text);
	return tap_end();
}
