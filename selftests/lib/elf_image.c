// SPDX-License-Identifier: GPL-2.0
/*
 * A minimal, defensive ELF64 loader for the test binary's own image. Every
 * offset and size comes from the file, so each is range-checked before use:
 * a corrupt file gives a message, never a wild read or write.
 */
#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "elf_image.h"

static int fail(char *err, size_t err_len, int ret, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static int fail(char *err, size_t err_len, int ret, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	if (err && err_len)
		vsnprintf(err, err_len, fmt, ap);
	va_end(ap);
	return ret;
}

/* [off, off + len) lies inside [0, size) without wrapping. */
static int in_bounds(uint64_t off, uint64_t len, uint64_t size)
{
	return off <= size && len <= size - off;
}

static const Elf64_Phdr *phdr(const struct elf_image *img, unsigned int i)
{
	const Elf64_Ehdr *eh = (const Elf64_Ehdr *)img->data;

	return (const Elf64_Phdr *)(img->data + eh->e_phoff + (uint64_t)i * eh->e_phentsize);
}

int elf_image_parse(struct elf_image *img, const void *data, size_t size,
		    char *err, size_t err_len)
{
	const Elf64_Ehdr *eh = data;
	uint64_t lo = UINT64_MAX, hi = 0;
	unsigned int i, nload = 0;

	memset(img, 0, sizeof(*img));
	if (!data || size < sizeof(Elf64_Ehdr))
		return fail(err, err_len, -ENOEXEC, "file too small for an ELF header (%zu bytes)",
			    size);
	if (memcmp(eh->e_ident, ELFMAG, SELFMAG))
		return fail(err, err_len, -ENOEXEC, "not an ELF file (bad magic)");
	if (eh->e_ident[EI_CLASS] != ELFCLASS64 || eh->e_ident[EI_DATA] != ELFDATA2LSB)
		return fail(err, err_len, -ENOEXEC, "not a 64-bit little-endian ELF file");
	if (eh->e_machine != EM_X86_64)
		return fail(err, err_len, -ENOEXEC, "not an x86-64 ELF file (e_machine %u)",
			    eh->e_machine);
	if (eh->e_type != ET_EXEC)
		return fail(err, err_len, -ENOEXEC,
			    "not a fixed-address executable (e_type %u): build the tests with "
			    "-static -no-pie", eh->e_type);
	if (eh->e_phentsize != sizeof(Elf64_Phdr))
		return fail(err, err_len, -ENOEXEC, "unexpected program header size %u",
			    eh->e_phentsize);
	if (!in_bounds(eh->e_phoff, (uint64_t)eh->e_phnum * sizeof(Elf64_Phdr), size))
		return fail(err, err_len, -ENOEXEC, "program headers lie outside the file");

	img->data = (uint8_t *)data;
	img->size = size;
	for (i = 0; i < eh->e_phnum; i++) {
		const Elf64_Phdr *ph = phdr(img, i);

		if (ph->p_type != PT_LOAD || ph->p_memsz == 0)
			continue;
		if (ph->p_filesz > ph->p_memsz)
			return fail(err, err_len, -ENOEXEC,
				    "segment %u: p_filesz 0x%llx > p_memsz 0x%llx", i,
				    (unsigned long long)ph->p_filesz,
				    (unsigned long long)ph->p_memsz);
		if (!in_bounds(ph->p_offset, ph->p_filesz, size))
			return fail(err, err_len, -ENOEXEC,
				    "segment %u: file range 0x%llx+0x%llx lies outside the "
				    "file (%zu bytes)", i, (unsigned long long)ph->p_offset,
				    (unsigned long long)ph->p_filesz, size);
		if (ph->p_vaddr + ph->p_memsz < ph->p_vaddr)
			return fail(err, err_len, -ENOEXEC, "segment %u: address range wraps", i);
		if (ph->p_vaddr < lo)
			lo = ph->p_vaddr;
		if (ph->p_vaddr + ph->p_memsz > hi)
			hi = ph->p_vaddr + ph->p_memsz;
		nload++;
	}
	if (!nload) {
		memset(img, 0, sizeof(*img));
		return fail(err, err_len, -ENOEXEC, "no PT_LOAD segment");
	}
	img->lo = lo;
	img->hi = hi;
	return 0;
}

int elf_image_read_file(struct elf_image *img, const char *path, char *err, size_t err_len)
{
	struct stat st;
	uint8_t *buf;
	size_t done = 0;
	int fd, ret;

	memset(img, 0, sizeof(*img));
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return fail(err, err_len, -errno, "open %s: %s", path, strerror(errno));
	if (fstat(fd, &st) < 0) {
		ret = -errno;
		close(fd);
		return fail(err, err_len, ret, "stat %s: %s", path, strerror(-ret));
	}
	if (st.st_size <= 0) {
		close(fd);
		return fail(err, err_len, -ENOEXEC, "%s is empty", path);
	}
	buf = malloc((size_t)st.st_size);
	if (!buf) {
		close(fd);
		return fail(err, err_len, -ENOMEM, "no memory for %s (%lld bytes)", path,
			    (long long)st.st_size);
	}
	while (done < (size_t)st.st_size) {
		ssize_t n = read(fd, buf + done, (size_t)st.st_size - done);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			ret = n < 0 ? -errno : -EIO;
			free(buf);
			close(fd);
			return fail(err, err_len, ret, "read %s: %s", path,
				    n < 0 ? strerror(-ret) : "unexpected end of file");
		}
		done += (size_t)n;
	}
	close(fd);

	ret = elf_image_parse(img, buf, done, err, err_len);
	if (ret < 0)
		free(buf);
	return ret;
}

int elf_image_load(const struct elf_image *img, uint8_t *mem, uint64_t mem_size,
		   char *err, size_t err_len)
{
	const Elf64_Ehdr *eh = (const Elf64_Ehdr *)img->data;
	unsigned int i;

	if (!img->data)
		return fail(err, err_len, -EINVAL, "no image parsed");
	if (img->hi > mem_size)
		return fail(err, err_len, -E2BIG,
			    "image ends at 0x%llx, beyond the 0x%llx bytes of guest memory",
			    (unsigned long long)img->hi, (unsigned long long)mem_size);
	for (i = 0; i < eh->e_phnum; i++) {
		const Elf64_Phdr *ph = phdr(img, i);

		if (ph->p_type != PT_LOAD || ph->p_memsz == 0)
			continue;
		/* Checked by elf_image_parse(); hi bounds every segment end. */
		memcpy(mem + ph->p_vaddr, img->data + ph->p_offset, ph->p_filesz);
		memset(mem + ph->p_vaddr + ph->p_filesz, 0, ph->p_memsz - ph->p_filesz);
	}
	return 0;
}

void elf_image_free(struct elf_image *img)
{
	free(img->data);
	memset(img, 0, sizeof(*img));
}
