// SPDX-License-Identifier: GPL-2.0
/*
 * TEMPORARY: weak stand-ins for lapic.c until it is merged. MV_CAP_LAPIC
 * fails with -EOPNOTSUPP while these are linked.
 */
#include <linux/errno.h>
#include "mv.h"
#include "lapic.h"

int __weak mv_lapic_create(struct mv_vcpu *vcpu) { return -EOPNOTSUPP; }
void __weak mv_lapic_destroy(struct mv_vcpu *vcpu) { }
void __weak mv_lapic_reset(struct mv_vcpu *vcpu, bool init) { }
bool __weak mv_lapic_in_mmio(struct mv_vcpu *vcpu, u64 gpa) { return false; }
void __weak mv_lapic_mmio_read(struct mv_vcpu *vcpu, u32 offset, void *data, unsigned int len) { }
void __weak mv_lapic_mmio_write(struct mv_vcpu *vcpu, u32 offset, const void *data,
				unsigned int len) { }
int __weak mv_lapic_get_msr(struct mv_vcpu *vcpu, u32 index, u64 *data) { return -EINVAL; }
int __weak mv_lapic_set_msr(struct mv_vcpu *vcpu, u32 index, u64 data, bool host)
{ return -EINVAL; }
int __weak mv_lapic_signal_msi(struct mv_vm *vm, const struct mv_msi *msi) { return -ENXIO; }
int __weak mv_lapic_pending_vector(struct mv_vcpu *vcpu) { return -1; }
void __weak mv_lapic_ack(struct mv_vcpu *vcpu, u8 vector) { }
bool __weak mv_lapic_accepts_pic(struct mv_vcpu *vcpu) { return true; }
bool __weak mv_lapic_enabled(struct mv_vcpu *vcpu) { return false; }
void __weak mv_lapic_write_trap(struct mv_vcpu *vcpu, u32 offset) { }
void __weak mv_lapic_eoi_vector(struct mv_vcpu *vcpu, u8 vector) { }
int __weak mv_lapic_highest(const void *regs, u32 offset) { return -1; }
long __weak mv_lapic_ioctl(struct mv_vcpu *vcpu, unsigned int ioctl, void __user *argp)
{ return -ENXIO; }
