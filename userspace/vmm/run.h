/* SPDX-License-Identifier: GPL-2.0 */
/* The vCPU run loop: MV_RUN until an exit ends the guest. */
#ifndef MVM_RUN_H
#define MVM_RUN_H

#include "libminivisor.h"
#include "machine.h"

/*
 * Runs vCPU 0 of vm until the guest stops. Returns mvm's exit status, or 0
 * with *signo set when SIGINT/SIGTERM arrived (the caller flushes the
 * devices and re-raises it). Failures dump the exit and registers to m->log.
 */
int mvm_run_vcpu(struct mv_vm *vm, struct mvm_machine *m, int *signo);
void mvm_dump_vcpu(struct mv_vm *vm, FILE *f);

#endif /* MVM_RUN_H */
