/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The vCPU's initial state and the guest-memory layout around the image:
 * where execution starts, where the stack is, and in long mode where the
 * page tables and GDT go. Planning is pure (it runs before the VM exists,
 * so a bad image is reported before /dev/minivisor is touched); applying
 * writes the page tables into guest memory and fills regs/sregs, with no
 * ioctl either.
 */
#ifndef MVM_LAYOUT_H
#define MVM_LAYOUT_H

#include <stdint.h>

#include "args.h"
#include "err.h"
#include "libminivisor.h"
#include "loader.h"

#define MVM_REAL_MODE_SP	0xfff0		/* SS = 0 */
#define MVM_LONG_LOW_LIMIT	0x1000		/* keep guest page 0 free */
#define MVM_LONG_STACK_RESERVE	(64u << 10)	/* below RSP, kept free of page tables */
#define MVM_LONG_MIN_MAP	(4ull << 30)	/* identity map at least 4 GiB: MMIO */

struct mvm_layout {
	enum mvm_mode mode;	/* resolved: REAL or LONG */
	uint64_t mem_size;
	uint64_t entry;
	/* real mode */
	uint16_t cs, ip;
	/* long mode */
	uint64_t pt_gpa, gdt_gpa, map_size, rsp;
};

/* The loader options for these command-line options (mode-dependent default --load). */
void mvm_load_opts_from(const struct mvm_options *o, struct mvm_load_opts *lo);
/* 0 or -EINVAL with err set. */
int mvm_layout_plan(const struct mvm_options *o, const struct mvm_image *img,
		    struct mvm_layout *l, struct mvm_err *err);
/* Writes long-mode tables into vm->mem and fills regs/sregs. 0 or -errno. */
int mvm_layout_apply(const struct mvm_layout *l, struct mv_vm *vm, struct mv_regs *regs,
		     struct mv_sregs *sregs);

#endif /* MVM_LAYOUT_H */
