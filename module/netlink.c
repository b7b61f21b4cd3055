// SPDX-License-Identifier: GPL-2.0
/*
 * The "minivisor" generic netlink family (Documentation/netlink.md).
 * Placeholder until the family lands: no family is registered.
 */
#include "mv.h"

int mv_netlink_init(void)
{
	return 0;
}

void mv_netlink_exit(void)
{
}

int mv_nl_vm_init(struct mv_vm *vm)
{
	return 0;
}

void mv_nl_vm_free(struct mv_vm *vm)
{
}

void mv_nl_vm_event(struct mv_vm *vm, u32 event)
{
}

void mv_nl_exit_event(struct mv_vcpu *vcpu)
{
}
