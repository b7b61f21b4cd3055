/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Guest image loader: flat binaries and ELF32/ELF64 executables.
 *
 * Loading is split in two so that nothing touches guest memory until the
 * whole image has been checked: mvm_image_parse() validates the file
 * against the guest memory size and records what goes where, then
 * mvm_image_load() copies it (and cannot fail). Both work on plain buffers.
 */
#ifndef MVM_LOADER_H
#define MVM_LOADER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "err.h"

#define MVM_MAX_SEGMENTS	16

enum mvm_image_format {
	MVM_IMAGE_FLAT,
	MVM_IMAGE_ELF32,
	MVM_IMAGE_ELF64,
};

struct mvm_segment {
	uint64_t gpa;		/* guest-physical start */
	uint64_t file_off;	/* bytes [file_off, +filesz) of the file go to gpa */
	uint64_t filesz;
	uint64_t memsz;		/* >= filesz; the rest is zeroed */
};

struct mvm_image {
	enum mvm_image_format format;
	const uint8_t *data;	/* the file, borrowed */
	size_t size;
	unsigned int nseg;	/* sorted by gpa, non-overlapping, memsz > 0 */
	struct mvm_segment seg[MVM_MAX_SEGMENTS];
	uint64_t entry;		/* load address (flat) or e_entry (ELF) */
};

struct mvm_load_opts {
	uint64_t mem_size;	/* guest memory is [0, mem_size) */
	uint64_t load_addr;	/* flat binaries */
	bool load_set;		/* --load given: refused for ELF */
	bool entry_set;		/* --entry given: e_entry need not be loaded */
};

/* 0, or -EINVAL with err naming the problem. */
int mvm_image_parse(const uint8_t *data, size_t size, const struct mvm_load_opts *o,
		    struct mvm_image *img, struct mvm_err *err);
void mvm_image_load(const struct mvm_image *img, uint8_t *mem);
const char *mvm_image_format_name(enum mvm_image_format f);

/* Read a whole file into a malloc'd buffer: 0 or -errno with err set. */
int mvm_read_file(const char *path, uint8_t **data, size_t *size, struct mvm_err *err);

#endif /* MVM_LOADER_H */
