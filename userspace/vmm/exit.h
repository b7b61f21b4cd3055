/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Handling of one MV_RUN exit: I/O and MMIO go to the machine's buses,
 * everything else decides mvm's exit status. Needs only the run page (no
 * ioctl), so the unit tests drive it with a fake one.
 */
#ifndef MVM_EXIT_H
#define MVM_EXIT_H

#include <stddef.h>
#include <linux/minivisor.h>

#include "machine.h"

/*
 * MVM_CONTINUE to run the guest on, or the mvm exit status (enum mvm_status
 * or a debug-exit status); on the PC machine also MVM_STOPPED (power-off,
 * reset, triple fault: m->stop_reason) and MVM_HALTED (MV_EXIT_HLT). For failures the exit is dumped to m->log; the
 * caller adds the registers. run_size is the size of the run page mapping.
 */
int mvm_handle_exit(struct mvm_machine *m, struct mv_run *run, size_t run_size);

#endif /* MVM_EXIT_H */
