// SPDX-License-Identifier: GPL-2.0
/*
 * The image loader: flat binaries, ELF64, ELF32, and every kind of broken
 * or hostile header, plus a mutation fuzzer that must never crash it (the
 * tests are built with ASan/UBSan) and never accept an image that would
 * write outside guest memory or read outside the file.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "elf_build.h"
#include "loader.h"
#include "tap.h"

#define MEM_SIZE	(4u << 20)
#define FILE_SIZE	0x3000u

static uint8_t file[FILE_SIZE];
static uint8_t *mem;

static struct mvm_load_opts opts(void)
{
	return (struct mvm_load_opts){ .mem_size = MEM_SIZE, .load_addr = 0x1000 };
}

/* Parse and check that it fails with a message containing `want`. */
static void reject(const char *what, const uint8_t *data, size_t size,
		   const struct mvm_load_opts *o, const char *want)
{
	struct mvm_image img;
	struct mvm_err err = { "" };
	int ret = mvm_image_parse(data, size, o, &img, &err);

	ok(ret == -EINVAL && strstr(err.msg, want), "%s rejected: \"%s\"", what, err.msg);
}

static bool mem_is(uint64_t gpa, uint64_t file_off, uint64_t len)
{
	uint64_t i;

	for (i = 0; i < len; i++)
		if (mem[gpa + i] != file_byte(file_off + i))
			return false;
	return true;
}

static bool mem_zero(uint64_t gpa, uint64_t len, uint8_t v)
{
	uint64_t i;

	for (i = 0; i < len; i++)
		if (mem[gpa + i] != v)
			return false;
	return true;
}

static void test_flat(void)
{
	struct mvm_load_opts o = opts();
	struct mvm_image img;
	struct mvm_err err;
	unsigned int i;
	int ret;

	for (i = 0; i < FILE_SIZE; i++)
		file[i] = file_byte(i);
	memset(mem, 0xaa, MEM_SIZE);
	ret = mvm_image_parse(file, 100, &o, &img, &err);
	ok(ret == 0 && img.format == MVM_IMAGE_FLAT && img.nseg == 1 && img.seg[0].gpa == 0x1000 &&
	   img.seg[0].filesz == 100 && img.entry == 0x1000, "flat image at the load address");
	mvm_image_load(&img, mem);
	ok(mem_is(0x1000, 0, 100) && mem[0xfff] == 0xaa && mem[0x1000 + 100] == 0xaa,
	   "flat image copied byte for byte, nothing around it touched");

	o.load_addr = MEM_SIZE - 100;
	ok(mvm_image_parse(file, 100, &o, &img, &err) == 0, "flat image ending at the last byte");
	o.load_addr = MEM_SIZE - 99;
	reject("flat image one byte past the end", file, 100, &o, "does not fit");
	o.load_addr = UINT64_MAX - 10;
	reject("flat image at a wrapping address", file, 100, &o, "does not fit");
	o = opts();
	reject("empty image", file, 0, &o, "empty");
	/* "\x7fEL" is not the full magic: a flat binary. */
	memcpy(file, "\x7f" "EL", 3);
	ok(mvm_image_parse(file, 3, &o, &img, &err) == 0 && img.format == MVM_IMAGE_FLAT,
	   "3 bytes of ELF magic are a flat binary");
}

static void test_elf64(void)
{
	struct seg_spec s[] = {
		{ PT_LOAD, 0x100000, 0x1000, 0x800, 0x800 },
		{ PT_NOTE, 0, 0x100, 0x10, 0x10 },
		{ PT_LOAD, 0x102000, 0x2000, 0x100, 0x1000 },	/* bss: 0xf00 bytes */
		{ PT_LOAD, 0x200000, 0x0, 0x0, 0x0 },		/* empty: skipped */
	};
	struct mvm_load_opts o = opts();
	struct mvm_image img;
	struct mvm_err err;
	int ret;

	build_elf(file, FILE_SIZE, ELFCLASS64, ET_EXEC, EM_X86_64, 0x100010, s, 4);
	memset(mem, 0xaa, MEM_SIZE);
	ret = mvm_image_parse(file, FILE_SIZE, &o, &img, &err);
	ok(ret == 0 && img.format == MVM_IMAGE_ELF64 && img.nseg == 2 && img.entry == 0x100010,
	   "ELF64: two PT_LOAD segments, entry from e_entry (%s)", ret ? err.msg : "ok");
	mvm_image_load(&img, mem);
	ok(mem_is(0x100000, 0x1000, 0x800) && mem_is(0x102000, 0x2000, 0x100),
	   "ELF64: file bytes at p_paddr");
	ok(mem_zero(0x102100, 0xf00, 0) && mem[0x103000] == 0xaa && mem[0x100800] == 0xaa &&
	   mem[0xfffff] == 0xaa, "ELF64: bss zeroed, nothing else touched");

	/* Segments listed out of order come back sorted. */
	s[0].paddr = 0x300000;
	build_elf(file, FILE_SIZE, ELFCLASS64, ET_EXEC, EM_X86_64, 0x300000, s, 3);
	ret = mvm_image_parse(file, FILE_SIZE, &o, &img, &err);
	ok(ret == 0 && img.nseg == 2 && img.seg[0].gpa == 0x102000 && img.seg[1].gpa == 0x300000,
	   "ELF64: segments sorted by address");

	reject("ELF with --load", file, FILE_SIZE, &(struct mvm_load_opts){
		.mem_size = MEM_SIZE, .load_set = true, .load_addr = 0x1000 }, "--load only");
}

static void test_elf32(void)
{
	struct seg_spec s[] = {
		{ PT_LOAD, 0x7c00, 0x200, 0x200, 0x400 },
	};
	struct mvm_load_opts o = opts();
	struct mvm_image img;
	struct mvm_err err;
	int ret;

	build_elf(file, 0x400, ELFCLASS32, ET_EXEC, EM_386, 0x7c00, s, 1);
	memset(mem, 0xaa, MEM_SIZE);
	ret = mvm_image_parse(file, 0x400, &o, &img, &err);
	ok(ret == 0 && img.format == MVM_IMAGE_ELF32 && img.nseg == 1 && img.entry == 0x7c00,
	   "ELF32 (EM_386): one segment (%s)", ret ? err.msg : "ok");
	mvm_image_load(&img, mem);
	ok(mem_is(0x7c00, 0x200, 0x200) && mem_zero(0x7e00, 0x200, 0) && mem[0x8000] == 0xaa,
	   "ELF32: loaded with bss");

	build_elf(file, 0x400, ELFCLASS32, ET_EXEC, EM_X86_64, 0x7c00, s, 1);
	ok(mvm_image_parse(file, 0x400, &o, &img, &err) == 0, "ELF32 with EM_X86_64 (x32)");
}

static void test_bad_headers(void)
{
	struct seg_spec s[] = { { PT_LOAD, 0x100000, 0x1000, 0x100, 0x100 } };
	struct seg_spec two[2] = {
		{ PT_LOAD, 0x100000, 0x1000, 0x800, 0x1000 },
		{ PT_LOAD, 0x100800, 0x2000, 0x100, 0x100 },
	};
	struct mvm_load_opts o = opts();
	struct seg_spec many[MVM_MAX_SEGMENTS + 1];
	Elf64_Ehdr *e = (Elf64_Ehdr *)file;
	unsigned int i;

	build_elf(file, FILE_SIZE, ELFCLASS64, ET_EXEC, EM_X86_64, 0x100000, s, 1);
	reject("ELF cut inside e_ident", file, 10, &o, "truncated ELF header (10 bytes)");
	reject("ELF64 cut inside the header", file, 40, &o, "truncated ELF header (40 bytes, need 64)");
	reject("ELF64 cut inside the program headers", file, 100, &o, "past the end of the file");
	reject("ELF64 cut inside a segment", file, 0x1080, &o, "truncated image?");

	build_elf(file, FILE_SIZE, ELFCLASS32, ET_EXEC, EM_386, 0x100000, s, 1);
	reject("ELF32 cut inside the header", file, 40, &o, "(40 bytes, need 52)");

#define MUTATE(what, stmt, want) do { \
	build_elf(file, FILE_SIZE, ELFCLASS64, ET_EXEC, EM_X86_64, 0x100000, s, 1); \
	stmt; \
	reject(what, file, FILE_SIZE, &o, want); \
} while (0)
	MUTATE("ELF class 3", file[EI_CLASS] = 3, "unsupported ELF class 3");
	MUTATE("big-endian ELF", file[EI_DATA] = ELFDATA2MSB, "not little-endian");
	MUTATE("ELF version 2", file[EI_VERSION] = 2, "unsupported ELF version 2");
	MUTATE("ET_DYN", e->e_type = ET_DYN, "only ET_EXEC");
	MUTATE("ET_REL", e->e_type = ET_REL, "only ET_EXEC");
	MUTATE("AArch64 ELF", e->e_machine = EM_AARCH64, "not x86");
	MUTATE("ELF64 with EM_386", e->e_machine = EM_386, "not x86");
	MUTATE("no program headers", e->e_phnum = 0, "no program headers");
	MUTATE("PN_XNUM", e->e_phnum = PN_XNUM, "PN_XNUM");
	MUTATE("wrong e_phentsize", e->e_phentsize = 32, "program header size 32");
	MUTATE("e_phoff past the end", e->e_phoff = FILE_SIZE, "past the end of the file");
	MUTATE("e_phoff wrapping", e->e_phoff = UINT64_MAX - 8, "past the end of the file");
	MUTATE("e_phnum past the end", e->e_phnum = 2000, "past the end of the file");

#define PH(i) ((Elf64_Phdr *)(file + sizeof(Elf64_Ehdr)) + (i))
	MUTATE("p_filesz > p_memsz", PH(0)->p_filesz = 0x200, "larger than p_memsz");
	MUTATE("p_offset past the end", PH(0)->p_offset = FILE_SIZE, "past the end of the file");
	MUTATE("p_offset + p_filesz wrapping",
	       (PH(0)->p_offset = UINT64_MAX - 0x10, PH(0)->p_filesz = 0x100),
	       "past the end of the file");
	MUTATE("segment above guest memory", PH(0)->p_paddr = MEM_SIZE, "outside guest memory");
	MUTATE("segment straddling the end of memory", PH(0)->p_paddr = MEM_SIZE - 0x80,
	       "outside guest memory");
	MUTATE("p_paddr + p_memsz wrapping",
	       (PH(0)->p_paddr = UINT64_MAX - 0x10, PH(0)->p_memsz = 0x100), "outside guest memory");
	MUTATE("huge p_memsz", PH(0)->p_memsz = UINT64_MAX, "outside guest memory");
	MUTATE("PT_INTERP", PH(0)->p_type = PT_INTERP, "dynamically linked");
	MUTATE("PT_DYNAMIC", PH(0)->p_type = PT_DYNAMIC, "dynamically linked");
	MUTATE("only a PT_NOTE", PH(0)->p_type = PT_NOTE, "no non-empty PT_LOAD");
	MUTATE("entry outside every segment", e->e_entry = 0x200000,
	       "not inside any PT_LOAD segment");

	/* --entry overrides a bad e_entry. */
	build_elf(file, FILE_SIZE, ELFCLASS64, ET_EXEC, EM_X86_64, 0x200000, s, 1);
	{
		struct mvm_load_opts oe = opts();
		struct mvm_image img;
		struct mvm_err err;

		oe.entry_set = true;
		ok(mvm_image_parse(file, FILE_SIZE, &oe, &img, &err) == 0,
		   "--entry makes an e_entry outside the segments acceptable");
	}

	build_elf(file, FILE_SIZE, ELFCLASS64, ET_EXEC, EM_X86_64, 0x100000, two, 2);
	reject("overlapping PT_LOAD segments (bss under the next)", file, FILE_SIZE, &o,
	       "overlaps another one");
	two[1].paddr = 0xff800;
	two[1].memsz = 0x900;
	build_elf(file, FILE_SIZE, ELFCLASS64, ET_EXEC, EM_X86_64, 0x100000, two, 2);
	reject("overlapping PT_LOAD segments (lower one listed second)", file, FILE_SIZE, &o,
	       "overlaps another one");

	for (i = 0; i < MVM_MAX_SEGMENTS + 1; i++)
		many[i] = (struct seg_spec){ PT_LOAD, 0x100000 + i * 0x1000, 0x1000, 0x10, 0x10 };
	build_elf(file, FILE_SIZE, ELFCLASS64, ET_EXEC, EM_X86_64, 0x100000, many,
		  MVM_MAX_SEGMENTS + 1);
	reject("too many PT_LOAD segments", file, FILE_SIZE, &o, "too many PT_LOAD");
}

/* xorshift64: deterministic, so a failure reproduces. */
static uint64_t rnd_state = 0x9e3779b97f4a7c15ull;
static uint64_t rnd(void)
{
	rnd_state ^= rnd_state << 13;
	rnd_state ^= rnd_state >> 7;
	rnd_state ^= rnd_state << 17;
	return rnd_state;
}

static void test_fuzz(void)
{
	struct seg_spec s[] = {
		{ PT_LOAD, 0x100000, 0x1000, 0x800, 0x1000 },
		{ PT_LOAD, 0x102000, 0x2000, 0x100, 0x100 },
	};
	static uint8_t orig[FILE_SIZE];
	struct mvm_load_opts o = opts();
	unsigned int iter, accepted = 0, bad = 0;

	for (iter = 0; iter < 20000; iter++) {
		int cls = (iter & 1) ? ELFCLASS64 : ELFCLASS32;
		size_t hdr = build_elf(orig, FILE_SIZE, cls, ET_EXEC,
				       cls == ELFCLASS64 ? EM_X86_64 : EM_386, 0x100000, s, 2);
		size_t size = FILE_SIZE;
		unsigned int n = 1 + rnd() % 8, i;
		struct mvm_image img;
		struct mvm_err err;
		uint64_t prev_end = 0;

		memcpy(file, orig, FILE_SIZE);
		for (i = 0; i < n; i++) {
			size_t at = rnd() % hdr;

			/* Mostly small changes, sometimes all-ones or a random byte. */
			switch (rnd() % 3) {
			case 0: file[at] ^= 1u << (rnd() % 8); break;
			case 1: file[at] = 0xff; break;
			default: file[at] = (uint8_t)rnd(); break;
			}
		}
		if (rnd() % 4 == 0)
			size = rnd() % FILE_SIZE;
		if (mvm_image_parse(file, size, &o, &img, &err))
			continue;
		accepted++;
		/* Whatever was accepted must be safe to load. */
		for (i = 0; i < img.nseg; i++) {
			const struct mvm_segment *g = &img.seg[i];

			if (g->filesz > g->memsz || g->file_off > size ||
			    g->filesz > size - g->file_off || g->gpa > MEM_SIZE ||
			    g->memsz > MEM_SIZE - g->gpa || g->gpa < prev_end || !g->memsz)
				bad++;
			prev_end = g->gpa + g->memsz;
		}
		if (!bad)
			mvm_image_load(&img, mem);
	}
	ok(bad == 0, "fuzz: 20000 mutated ELF32/ELF64 headers, %u accepted, all in bounds",
	   accepted);
}

static void test_real_files(void)
{
	struct mvm_load_opts o = opts();
	struct mvm_image img;
	struct mvm_err err;
	uint8_t *data = NULL;
	size_t size = 0;
	int ret;

	ret = mvm_read_file("guests/hello-long.elf", &data, &size, &err);
	ok(ret == 0 && size > 64, "read guests/hello-long.elf (%s)", ret ? err.msg : "ok");
	if (!ret) {
		ret = mvm_image_parse(data, size, &o, &img, &err);
		ok(ret == 0 && img.format == MVM_IMAGE_ELF64 && img.entry == 0x100000 &&
		   img.seg[0].gpa == 0x100000, "hello-long.elf is an ELF64 at 1 MiB (%s)",
		   ret ? err.msg : "ok");
		free(data);
	}
	ret = mvm_read_file("guests/hello.bin", &data, &size, &err);
	ok(ret == 0 && size > 0 && size < 4096 && data[0] == 0xfa,
	   "read guests/hello.bin, a flat binary starting with CLI");
	free(ret ? NULL : data);

	ret = mvm_read_file("guests/no-such-file", &data, &size, &err);
	ok(ret == -ENOENT && strstr(err.msg, "cannot open image 'guests/no-such-file'"),
	   "missing file: \"%s\"", err.msg);
	ret = mvm_read_file("guests", &data, &size, &err);
	ok(ret == -EISDIR && strstr(err.msg, "is a directory"), "directory: \"%s\"", err.msg);
	ret = mvm_read_file("/dev/null", &data, &size, &err);
	ok(ret == 0 && size == 0, "an empty non-regular file reads as 0 bytes");
	if (!ret)
		free(data);
}

int main(void)
{
	tap_start();
	mem = malloc(MEM_SIZE);
	if (!mem)
		return 1;
	test_flat();
	test_elf64();
	test_elf32();
	test_bad_headers();
	test_fuzz();
	test_real_files();
	free(mem);
	return tap_end();
}
