/* SPDX-License-Identifier: GPL-2.0 */
/*
 * ucall: how a long-mode guest talks to its test. The guest fills a
 * struct ucall in its own memory and executes "outl %eax, %dx" with DX =
 * UCALL_PORT, EAX = the command and RDI = the struct's guest address (guest
 * virtual == guest physical: the tests identity-map). The test sees an
 * MV_EXIT_IO, reads RDI and decodes the struct from guest memory.
 *
 * Shared by guest code (freestanding) and the host side: plain fixed-width
 * fields only, pointers travel as uint64_t guest addresses.
 */
#ifndef SELFTEST_UCALL_H
#define SELFTEST_UCALL_H

#include <stdint.h>

/*
 * No device lives here: the tests' VMs have none, and the real-mode tests use
 * 0x3f8 and a few low ports of their own. Distinct from 0x3f8 and 0xf4.
 */
#define UCALL_PORT		0x5c5c
#define UCALL_MAGIC		0x4c4c41435556ull	/* "VUCALL" */
#define UCALL_MAX_ARGS		6

enum ucall_cmd {
	UCALL_NONE = 0,		/* not a ucall (host side only) */
	UCALL_SYNC = 1,		/* report progress or values; the guest continues */
	UCALL_DONE = 2,		/* the guest function finished; args[0] = its value */
	UCALL_ABORT = 3,	/* GUEST_ASSERT failed: file, line, text, 2 values */
	UCALL_EXCEPTION = 4,	/* unexpected exception: vector, error code, rip, cr2 */
	UCALL_NR_CMDS,
};

struct ucall {
	uint64_t magic;
	uint64_t cmd;
	uint64_t nargs;
	uint64_t args[UCALL_MAX_ARGS];
	uint64_t file;		/* UCALL_ABORT: guest address of __FILE__ */
	uint64_t line;
	uint64_t text;		/* UCALL_ABORT: guest address of the expression */
};

#endif /* SELFTEST_UCALL_H */
