/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Loads the PT_LOAD segments of a static, non-PIE x86-64 ELF executable (in
 * practice the test binary itself, from /proc/self/exe) into a buffer that
 * stands for guest memory at GPA 0, each segment at its own virtual address.
 * Long-mode guests then run the binary's functions at the addresses they
 * were linked at.
 */
#ifndef SELFTEST_ELF_IMAGE_H
#define SELFTEST_ELF_IMAGE_H

#include <stddef.h>
#include <stdint.h>

struct elf_image {
	uint8_t *data;		/* the whole file */
	size_t size;
	uint64_t lo;		/* lowest PT_LOAD virtual address */
	uint64_t hi;		/* end of the highest PT_LOAD (p_vaddr + p_memsz) */
};

/*
 * Every function returns 0 or a negative errno and, on failure, writes a
 * message naming the problem into err: -ENOEXEC for a malformed or unsuitable
 * file, -E2BIG when the image does not fit the memory, or the error of the
 * failed system call.
 */
int elf_image_parse(struct elf_image *img, const void *data, size_t size,
		    char *err, size_t err_len);
int elf_image_read_file(struct elf_image *img, const char *path, char *err, size_t err_len);
int elf_image_load(const struct elf_image *img, uint8_t *mem, uint64_t mem_size,
		   char *err, size_t err_len);
void elf_image_free(struct elf_image *img);	/* only after elf_image_read_file() */

#endif /* SELFTEST_ELF_IMAGE_H */
