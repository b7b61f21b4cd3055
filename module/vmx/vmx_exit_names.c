// SPDX-License-Identifier: GPL-2.0
/*
 * Names of the basic exit reasons (SDM Vol. 3C appendix C), for the exit
 * statistics, the flight recorder and the log line at VM destruction.
 */
#include <linux/kernel.h>
#include "vmx.h"

static const struct {
	u32 reason;
	const char *name;
} vmx_exit_names[] = { VMX_EXIT_REASONS };

const char *vmx_exit_reason_name(u32 reason)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(vmx_exit_names); i++)
		if (vmx_exit_names[i].reason == reason)
			return vmx_exit_names[i].name;
	return NULL;
}
