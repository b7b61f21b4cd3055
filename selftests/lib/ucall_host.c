// SPDX-License-Identifier: GPL-2.0
/*
 * Host side of ucall. Everything read from guest memory is untrusted: the
 * struct and the strings it points to are bounds-checked against the guest
 * memory, so a corrupt guest makes the test fail with a message, not crash.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "ucall_host.h"

const char *ucall_cmd_str(uint64_t cmd)
{
	switch (cmd) {
	case UCALL_NONE:
		return "NONE";
	case UCALL_SYNC:
		return "SYNC";
	case UCALL_DONE:
		return "DONE";
	case UCALL_ABORT:
		return "ABORT";
	case UCALL_EXCEPTION:
		return "EXCEPTION";
	default:
		return "UNKNOWN";
	}
}

/* Copies the guest string at gpa, or a placeholder if it is not readable. */
static void copy_guest_str(char *dst, size_t len, const uint8_t *mem, uint64_t mem_size,
			   uint64_t gpa)
{
	const char *s;
	size_t max;

	if (gpa == 0) {
		snprintf(dst, len, "<none>");
		return;
	}
	if (gpa >= mem_size) {
		snprintf(dst, len, "<bad address 0x%llx>", (unsigned long long)gpa);
		return;
	}
	s = (const char *)mem + gpa;
	max = mem_size - gpa < len - 1 ? (size_t)(mem_size - gpa) : len - 1;
	/* Bounded copy; strings longer than len are cut, not overrun. */
	memcpy(dst, s, strnlen(s, max));
	dst[strnlen(s, max)] = '\0';
}

int ucall_decode(const uint8_t *mem, uint64_t mem_size, uint64_t gpa,
		 struct ucall_info *uc, char *err, size_t err_len)
{
	struct ucall raw;

	memset(uc, 0, sizeof(*uc));
	if (gpa > mem_size || sizeof(raw) > mem_size - gpa) {
		snprintf(err, err_len, "ucall struct at GPA 0x%llx lies outside guest memory "
			 "(0x%llx bytes)", (unsigned long long)gpa, (unsigned long long)mem_size);
		return -EINVAL;
	}
	memcpy(&raw, mem + gpa, sizeof(raw));
	if (raw.magic != UCALL_MAGIC) {
		snprintf(err, err_len, "no ucall at GPA 0x%llx (magic 0x%llx, want 0x%llx)",
			 (unsigned long long)gpa, (unsigned long long)raw.magic,
			 (unsigned long long)UCALL_MAGIC);
		return -EINVAL;
	}
	if (raw.cmd == UCALL_NONE || raw.cmd >= UCALL_NR_CMDS) {
		snprintf(err, err_len, "ucall with unknown command %llu",
			 (unsigned long long)raw.cmd);
		return -EINVAL;
	}
	if (raw.nargs > UCALL_MAX_ARGS) {
		snprintf(err, err_len, "ucall with %llu arguments (at most %d)",
			 (unsigned long long)raw.nargs, UCALL_MAX_ARGS);
		return -EINVAL;
	}
	uc->cmd = raw.cmd;
	uc->nargs = raw.nargs;
	memcpy(uc->args, raw.args, sizeof(raw.args[0]) * raw.nargs);
	uc->line = raw.line;
	if (raw.cmd == UCALL_ABORT) {
		copy_guest_str(uc->file, sizeof(uc->file), mem, mem_size, raw.file);
		copy_guest_str(uc->text, sizeof(uc->text), mem, mem_size, raw.text);
	}
	return 0;
}
