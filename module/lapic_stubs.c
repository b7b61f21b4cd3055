// SPDX-License-Identifier: GPL-2.0
/*
 * TEMPORARY (lapic branch): weak stand-ins for the core hooks lapic*.c
 * uses (mv.h), so the module links before intr.c lands in main. The real
 * definitions override these; delete this file after merging them.
 */
#include "mv.h"

u32 __weak mv_tsc_khz;

void __weak mv_vcpu_request(struct mv_vcpu *vcpu, unsigned int req)
{
	set_bit(req, &vcpu->requests);
}

void __weak mv_vcpu_kick(struct mv_vcpu *vcpu)
{
}

u64 __weak mv_vcpu_guest_tsc(struct mv_vcpu *vcpu)
{
	return rdtsc() + vcpu->vm->tsc_offset;
}

void __weak mv_vcpu_eoi_exit(struct mv_vcpu *vcpu, u8 vector)
{
	vcpu->eoi_exit = true;
	vcpu->eoi_vector = vector;
}
