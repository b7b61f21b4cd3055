// SPDX-License-Identifier: GPL-2.0
/* The debug-exit port: status encoding, access widths, and through the machine. */
#include <stdlib.h>
#include <string.h>

#include "debug_exit.h"
#include "exit.h"
#include "machine.h"
#include "status.h"
#include "tap.h"

static void discard(void *ctx, const char *buf, size_t len)
{
	(void)ctx; (void)buf; (void)len;
}

int main(void)
{
	struct mvm_debug_exit d;
	struct mvm_device dev = { .name = "dbg", .base = MVM_DEBUG_EXIT_PORT,
				  .size = MVM_DEBUG_EXIT_SIZE, .access = mvm_debug_exit_access,
				  .priv = &d };
	static uint8_t page[4096] __attribute__((aligned(4096)));
	struct mv_run *run = (struct mv_run *)page;
	struct mvm_machine m;
	uint8_t b[4];
	char *log_text = NULL;
	size_t log_len = 0;
	uint32_t v;
	FILE *log;
	int st;

	tap_start();
	ok(mvm_debug_exit_status(0) == 1 && mvm_debug_exit_status(1) == 3 &&
	   mvm_debug_exit_status(0x10) == 33 && mvm_debug_exit_status(0x7f) == 255,
	   "status (v << 1) | 1: 0->1, 1->3, 0x10->33, 0x7f->255");
	ok(mvm_debug_exit_status(0x80) == 1 && mvm_debug_exit_status(0xffffffff) == 255,
	   "only the low 8 bits reach the shell: 0x80->1, 0xffffffff->255");
	for (v = 0, st = 1; v < 256; v++)
		if (mvm_debug_exit_status(v) % 2 != 1)
			st = 0;
	ok(st, "every debug-exit status is odd");

	mvm_debug_exit_init(&d);
	ok(!d.fired, "not fired after init");
	memset(b, 0x77, sizeof(b));
	ok(mvm_debug_exit_access(&dev, 0, b, 4, false) == 0 && !memcmp(b, "\0\0\0\0", 4) &&
	   !d.fired, "reads return 0 and do not exit");
	b[0] = 0x42;
	ok(mvm_debug_exit_access(&dev, 0, b, 1, true) == 0 && d.fired && d.value == 0x42,
	   "outb 0x42: fired with value 0x42");
	b[0] = 0x99;
	mvm_debug_exit_access(&dev, 0, b, 1, true);
	ok(d.value == 0x42, "the first write wins");
	mvm_debug_exit_init(&d);
	memcpy(b, "\x34\x12", 2);
	ok(mvm_debug_exit_access(&dev, 0, b, 2, true) == 0 && d.value == 0x1234, "outw 0x1234");
	mvm_debug_exit_init(&d);
	memcpy(b, "\x78\x56\x34\x12", 4);
	ok(mvm_debug_exit_access(&dev, 0, b, 4, true) == 0 && d.value == 0x12345678,
	   "outl 0x12345678");

	/* Through the machine's PIO bus and the exit handler, as the run loop does. */
	mvm_machine_init(&m, discard, NULL, stderr);
	run->exit_reason = MV_EXIT_IO;
	run->io.direction = MV_EXIT_IO_OUT;
	run->io.size = 1;
	run->io.port = 0xf4;
	run->io.count = 1;
	run->io.data_offset = 1024;
	page[1024] = 0x10;
	st = mvm_handle_exit(&m, run, sizeof(page));
	ok(st == 33, "guest 'outb 0x10, 0xf4' ends mvm with status 33 (got %d)", st);
	mvm_machine_init(&m, discard, NULL, stderr);
	run->io.port = 0xf6;
	page[1024] = 0;
	st = mvm_handle_exit(&m, run, sizeof(page));
	ok(st == 1, "any port of 0xf4-0xf7 exits; value 0 gives status 1 (got %d)", st);
	log = open_memstream(&log_text, &log_len);
	mvm_machine_init(&m, discard, NULL, log);
	run->io.port = 0xf8;
	st = mvm_handle_exit(&m, run, sizeof(page));
	fclose(log);
	ok(st == MVM_CONTINUE && !m.debug_exit.fired && strstr(log_text, "unclaimed 0xf8"),
	   "port 0xf8 is not the debug-exit device (unclaimed)");
	free(log_text);
	return tap_end();
}
