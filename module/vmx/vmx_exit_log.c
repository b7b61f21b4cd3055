// SPDX-License-Identifier: GPL-2.0
/*
 * Exit counts by basic exit reason (SDM Vol. 3C appendix C), per vCPU on
 * the vCPU thread (a plain increment per exit), summed into the VM when a
 * vCPU goes and logged in one line when the VM is destroyed:
 *
 *   minivisor: VM of pid 123 exits: 909: EXTERNAL_INTERRUPT 812, HLT 97
 *
 * so a boot's exits by reason can be read from the kernel log (the Linux
 * guest test and its benchmark do). VMs with fewer than VMX_EXIT_LOG_MIN
 * exits log nothing: a thousand small test VMs must not flood the log.
 */
#include <linux/atomic.h>
#include <linux/kernel.h>
#include "vmx.h"

#define VMX_EXIT_LOG_MIN	1000

static const struct {
	u32 reason;
	const char *name;
} vmx_exit_names[] = { VMX_EXIT_REASONS };

void vmx_exit_counts_fold(struct vmx_vcpu *vx)
{
	struct vmx_vm *ev = to_vmx_vm(vx->vcpu.vm);
	unsigned int i;

	for (i = 0; i < VMX_EXIT_COUNTS; i++)
		if (vx->exit_count[i])
			atomic64_add(vx->exit_count[i], &ev->exit_total[i]);
}

static const char *vmx_exit_name(u32 reason)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(vmx_exit_names); i++)
		if (vmx_exit_names[i].reason == reason)
			return vmx_exit_names[i].name;
	return NULL;
}

void vmx_exit_counts_log(struct mv_vm *vm)
{
	struct vmx_vm *ev = to_vmx_vm(vm);
	char line[768];
	const char *name;
	unsigned int i;
	size_t n = 0;
	s64 c, total = 0;

	for (i = 0; i < VMX_EXIT_COUNTS; i++)
		total += atomic64_read(&ev->exit_total[i]);
	if (total < VMX_EXIT_LOG_MIN)
		return;
	for (i = 0; i < VMX_EXIT_COUNTS && n < sizeof(line) - 48; i++) {
		c = atomic64_read(&ev->exit_total[i]);
		if (!c)
			continue;
		name = vmx_exit_name(i);
		if (name)
			n += scnprintf(line + n, sizeof(line) - n, "%s%s %lld", n ? ", " : "",
				       name, c);
		else
			n += scnprintf(line + n, sizeof(line) - n, "%sreason %u %lld",
				       n ? ", " : "", i, c);
	}
	mv_info("VM of pid %d exits: %lld: %s\n", vm->creator, total, line);
}
