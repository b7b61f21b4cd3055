/* SPDX-License-Identifier: GPL-2.0 */
/* Host side of ucall: decoding a guest's struct ucall from guest memory. */
#ifndef SELFTEST_UCALL_HOST_H
#define SELFTEST_UCALL_HOST_H

#include <stddef.h>
#include <stdint.h>

#include "ucall.h"

struct ucall_info {
	uint64_t cmd;
	uint64_t nargs;
	uint64_t args[UCALL_MAX_ARGS];
	uint64_t line;
	char file[128];		/* UCALL_ABORT; "<bad address 0x...>" if unreadable */
	char text[256];
};

/*
 * Decodes the struct ucall at guest-physical gpa of the guest memory
 * [mem, mem + mem_size). Returns 0, or -EINVAL with a message in err when
 * the address, magic, command or argument count is wrong.
 */
int ucall_decode(const uint8_t *mem, uint64_t mem_size, uint64_t gpa,
		 struct ucall_info *uc, char *err, size_t err_len);

const char *ucall_cmd_str(uint64_t cmd);

#endif /* SELFTEST_UCALL_HOST_H */
