/* SPDX-License-Identifier: GPL-2.0 */
/* mvm's command line: "mvm run [options] IMAGE", "mvm --help", "mvm --version". */
#ifndef MVM_ARGS_H
#define MVM_ARGS_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "err.h"

#define MVM_DEFAULT_MEM		(64ull << 20)
#define MVM_MIN_MEM		(64ull << 10)	/* room for the real-mode stack below 64 KiB */
#define MVM_MAX_MEM		(512ull << 30)	/* what one PDPT of mv_setup_long_mode maps */
#define MVM_DEFAULT_LOAD_REAL	0x1000ull
#define MVM_DEFAULT_LOAD_LONG	0x100000ull
#define MVM_DEFAULT_MEM_KERNEL	(256ull << 20)	/* with --kernel and no --mem */
#define MVM_MAX_MEM_KERNEL	(3ull << 30)	/* MVM_BOOT_MAX_MEM (boot.h) */
#define MVM_MAX_CPUS		8

enum mvm_mode {
	MVM_MODE_AUTO,		/* ELF64 -> long, anything else -> real */
	MVM_MODE_REAL,
	MVM_MODE_LONG,
};

struct mvm_options {
	uint64_t mem_size;
	uint64_t load_addr;	/* flat binaries only */
	bool load_set;
	uint64_t entry;
	bool entry_set;
	enum mvm_mode mode;
	bool verbose;
	bool mem_set;		/* --mem given */
	const char *image;	/* IMAGE; NULL with --kernel */
	/* --kernel FILE: a bzImage or multiboot kernel booted with mvm_boot() (boot.h) */
	const char *kernel;
	const char *initrd;	/* --initrd FILE (only with --kernel), else NULL */
	const char *append;	/* --append STR (only with --kernel), else NULL */
	unsigned int ncpus;	/* --cpus N, 1..MVM_MAX_CPUS, default 1 */
};

enum mvm_args_result {
	MVM_ARGS_RUN,		/* options filled in: run the image */
	MVM_ARGS_HELP,		/* print mvm_usage() and exit 0 */
	MVM_ARGS_VERSION,	/* print mvm_print_version() and exit 0 */
	MVM_ARGS_ERROR,		/* err says why */
};

enum mvm_args_result mvm_parse_args(int argc, char *const argv[], struct mvm_options *o,
				    struct mvm_err *err);
/*
 * A number: decimal or 0x-prefixed hex, then an optional K, M or G suffix
 * (binary multiples, either case). 0 or -EINVAL / -ERANGE.
 */
int mvm_parse_size(const char *s, uint64_t *val);
/* The same for --mem: a bare number is MiB (QEMU's and kvmtool's -m). */
int mvm_parse_mem(const char *s, uint64_t *val);
/* "mvm VERSION (minivisor API version N)" and a newline. */
void mvm_print_version(FILE *f);
const char *mvm_mode_name(enum mvm_mode mode);
void mvm_usage(FILE *f);

#endif /* MVM_ARGS_H */
