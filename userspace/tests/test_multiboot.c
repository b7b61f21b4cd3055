// SPDX-License-Identifier: GPL-2.0
/*
 * The Multiboot v1 loader (vmm/multiboot.c) on synthetic kernels built
 * here: the header search (first 8 KiB, 4-byte aligned, checksum), ELF32
 * loading by p_paddr with bss, the a.out kludge, the multiboot information
 * structure (memory, command line, module 0 = the initrd, memory map, boot
 * loader name), the 32-bit entry state, and every refusal with its message.
 */
#include <errno.h>
#include <glob.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "boot.h"
#include "boot_test.h"
#include "elf_build.h"
#include "loader.h"
#include "mv_x86.h"
#include "tap.h"

#define MEM_SIZE	(16ull << 20)
#define KSIZE		0x3000
#define HDR_OFF		0x1000
#define ENTRY		0x100010

static uint8_t *mem;

static void put_header(uint8_t *k, size_t off, uint32_t flags)
{
	wr32(k + off, 0x1badb002);
	wr32(k + off + 4, flags);
	wr32(k + off + 8, (uint32_t)-(0x1badb002u + flags));
}

/* ELF32: text [0x100000, +0x1000) from file 0x1000, data+bss [0x102000, +0x2000). */
static uint8_t *make_elf(size_t *n, uint32_t flags)
{
	static const struct seg_spec s[] = {
		{ PT_LOAD, 0x100000, 0x1000, 0x1000, 0x1000 },
		{ PT_LOAD, 0x102000, 0x2000, 0x800, 0x2000 },
	};
	uint8_t *k = malloc(KSIZE);

	build_elf(k, KSIZE, ELFCLASS32, ET_EXEC, EM_386, ENTRY, s, 2);
	put_header(k, HDR_OFF, flags);
	*n = KSIZE;
	return k;
}

/* a.out kludge: a flat file, header at 0x40, loaded at 0x200000. */
#define AOUT_SIZE	0x1800
static uint8_t *make_aout(size_t *n)
{
	uint8_t *k = malloc(AOUT_SIZE);
	unsigned int i;

	for (i = 0; i < AOUT_SIZE; i++)
		k[i] = file_byte(i);
	put_header(k, 0x40, 0x00010003);
	wr32(k + 0x40 + 12, 0x200040);		/* header_addr */
	wr32(k + 0x40 + 16, 0x200000);		/* load_addr */
	wr32(k + 0x40 + 20, 0x201000);		/* load_end_addr: 0x1000 bytes */
	wr32(k + 0x40 + 24, 0x203000);		/* bss_end_addr */
	wr32(k + 0x40 + 28, 0x200080);		/* entry_addr */
	*n = AOUT_SIZE;
	return k;
}

static void cfg_for(struct mvm_boot_cfg *c, const uint8_t *k, size_t n)
{
	memset(c, 0, sizeof(*c));
	c->mem = mem;
	c->mem_size = MEM_SIZE;
	c->ncpus = 1;
	c->kernel = k;
	c->kernel_size = n;
}

static void refused(const char *what, const struct mvm_boot_cfg *c, const char *msg_part)
{
	struct mvm_boot_state st;
	struct mvm_err err = { "" };
	int ret;

	memset(mem, 0xcc, MEM_SIZE);
	ret = mvm_boot_multiboot(c, &st, &err);
	ok(ret == -EINVAL && strstr(err.msg, msg_part) && all_bytes(mem, MEM_SIZE, 0xcc),
	   "%s refused, memory untouched: \"%s\"", what, err.msg);
}

static void check_entry_state(const struct mvm_boot_state *st, uint64_t entry)
{
	const struct mv_sregs *s = &st->sregs;

	ok(st->regs.rax == 0x2badb002 && st->regs.rbx == 0x8000 && st->info == 0x8000,
	   "EAX 0x2BADB002, EBX = info 0x%llx", (unsigned long long)st->regs.rbx);
	ok(st->regs.rip == entry && st->entry == entry, "EIP = entry 0x%llx",
	   (unsigned long long)st->regs.rip);
	ok(st->regs.rflags == 0x2, "EFLAGS 0x2: IF, VM clear");
	ok((s->cr0 & MV_CR0_PE) && !(s->cr0 & MV_CR0_PG) && (s->cr0 & ~MV_CR0_ET) == MV_CR0_PE,
	   "CR0 0x%llx: PE (and the hard-wired ET) only", (unsigned long long)s->cr0);
	ok(s->efer == 0 && s->cr4 == 0, "no EFER, no CR4 features");
	ok(s->cs.selector == 0x08 && s->cs.base == 0 && s->cs.limit == 0xffffffff &&
	   s->cs.db == 1 && s->cs.l == 0 && s->cs.g == 1 && (s->cs.type & 0xa) == 0xa,
	   "CS 0x08: flat 32-bit execute/read");
	ok(s->ds.selector == 0x18 && s->es.selector == 0x18 && s->fs.selector == 0x18 &&
	   s->gs.selector == 0x18 && s->ss.selector == 0x18 && s->ds.base == 0 &&
	   s->ss.limit == 0xffffffff && s->ss.db == 1 && (s->ds.type & 0xa) == 0x2 &&
	   s->fs.present && s->gs.present,
	   "DS/ES/FS/GS/SS 0x18: flat 32-bit read/write");
	ok(s->tr.present && s->tr.type == 11 && s->ldt.unusable, "busy TSS in TR, no LDT");
	{
		uint64_t d = rd64(mem + s->gdt.base + 0x08);

		ok(((d >> 54) & 1) && !((d >> 53) & 1) && ((d >> 43) & 1) && ((d >> 47) & 1),
		   "GDT entry 0x08 matches CS: present 32-bit code (0x%016llx)",
		   (unsigned long long)d);
	}
}

static void check_info(const struct mvm_boot_cfg *c, const struct mvm_boot_state *st,
		       uint64_t kernel_end)
{
	const uint8_t *mbi = mem + st->regs.rbx;
	uint32_t flags = rd32(mbi), mmap, mmap_len, off, nent = 0;
	uint64_t expect = 0;
	int bad = 0;

	ok((flags & 0x24d) == 0x24d, "info flags 0x%x: mem, cmdline, mods, mmap, loader name",
	   flags);
	ok(rd32(mbi + 4) == 639 && rd32(mbi + 8) == (MEM_SIZE - 0x100000) / 1024,
	   "mem_lower %u KiB, mem_upper %u KiB", rd32(mbi + 4), rd32(mbi + 8));
	ok(!strcmp((char *)mem + rd32(mbi + 16), c->cmdline ? c->cmdline : ""),
	   "cmdline at 0x%x: \"%s\"", rd32(mbi + 16), (char *)mem + rd32(mbi + 16));
	ok(!strcmp((char *)mem + rd32(mbi + 64), "mvm"), "boot_loader_name \"mvm\"");
	if (c->initrd) {
		const uint8_t *mod = mem + rd32(mbi + 24);
		uint32_t start = rd32(mod), end = rd32(mod + 4);

		ok(rd32(mbi + 20) == 1, "mods_count 1");
		ok(start % 4096 == 0 && start >= kernel_end && end - start == c->initrd_size &&
		   end <= MEM_SIZE && !memcmp(mem + start, c->initrd, c->initrd_size),
		   "module 0 = the initrd at [0x%x, 0x%x), page aligned, after the kernel", start,
		   end);
		ok(!strcmp((char *)mem + rd32(mod + 8), c->initrd_name ? c->initrd_name : "initrd"),
		   "module string \"%s\"", (char *)mem + rd32(mod + 8));
		ok(st->initrd_start == start && st->initrd_end == end, "state reports the module");
	} else {
		ok(rd32(mbi + 20) == 0, "mods_count 0 without an initrd");
	}
	/* The memory map as a kernel walks it: size field, then size bytes. */
	mmap = rd32(mbi + 48);
	mmap_len = rd32(mbi + 44);
	for (off = 0; off < mmap_len; off += rd32(mem + mmap + off) + 4, nent++) {
		const uint8_t *e = mem + mmap + off + 4;

		if (rd64(e) != expect)
			bad++;
		expect = rd64(e) + rd64(e + 8);
		if (rd64(e) == 0 && rd32(e + 16) != 1)
			bad++;
		if (rd64(e) == 0x100000 && rd32(e + 16) != 1)
			bad++;
		if (rd64(e) == 0x9fc00 && rd32(e + 16) != 2)
			bad++;
	}
	ok(nent == 5 && !bad && off == mmap_len && expect == MEM_SIZE,
	   "mmap: %u contiguous entries from 0 to the end of RAM, RAM/reserved types", nent);
}

static void test_elf(void)
{
	static const uint8_t initrd[5000] = { 1, 2, 3, 4, 5 };
	struct mvm_boot_state st;
	struct mvm_boot_cfg c;
	struct mvm_err err = { "" };
	size_t n;
	uint8_t *k = make_elf(&n, 0x00000003);
	int ret;

	ok(mvm_is_multiboot(k, n), "mvm_is_multiboot: the ELF32 kernel");
	memset(mem, 0xcc, MEM_SIZE);
	cfg_for(&c, k, n);
	c.cmdline = "console=ttyS0 test=1";
	c.initrd = initrd;
	c.initrd_size = sizeof(initrd);
	c.initrd_name = "/boot/initrd.cpio";
	ret = mvm_boot_multiboot(&c, &st, &err);
	ok(ret == 0, "ELF32 multiboot kernel loads (%d \"%s\")", ret, err.msg);
	ok(st.kind && !strcmp(st.kind, "multiboot ELF32"), "kind \"%s\"", st.kind);
	ok(!memcmp(mem + 0x100000, k + 0x1000, 0x1000) && !memcmp(mem + 0x102000, k + 0x2000,
								   0x800),
	   "segments at their p_paddr");
	ok(all_bytes(mem + 0x102800, 0x1800, 0), "bss zeroed");
	ok(st.kernel_start == 0x100000 && st.kernel_end == 0x104000, "kernel [0x%llx, 0x%llx)",
	   (unsigned long long)st.kernel_start, (unsigned long long)st.kernel_end);
	check_entry_state(&st, ENTRY);
	check_info(&c, &st, 0x104000);

	/* No initrd, no command line. */
	cfg_for(&c, k, n);
	ret = mvm_boot_multiboot(&c, &st, &err);
	ok(ret == 0 && st.initrd_start == 0 && st.initrd_end == 0, "no initrd");
	check_info(&c, &st, 0x104000);
	/* Default module name. */
	c.initrd = initrd;
	c.initrd_size = 10;
	ret = mvm_boot_multiboot(&c, &st, &err);
	ok(ret == 0, "initrd without a name");
	check_info(&c, &st, 0x104000);
	free(k);
}

static void test_search(void)
{
	struct mvm_boot_state st;
	struct mvm_boot_cfg c;
	struct mvm_err err = { "" };
	size_t n;
	uint8_t *k;
	int ret;

	/* Header at the last possible place: 8192 - 12. */
	k = make_elf(&n, 3);
	memset(k + HDR_OFF, 0, 12);
	put_header(k, 8192 - 12, 3);
	ok(mvm_is_multiboot(k, n), "header at 0x1ff4 (ends at 8 KiB) is found");
	free(k);

	k = make_elf(&n, 3);
	memset(k + HDR_OFF, 0, 12);
	put_header(k, 8192 - 8, 3);
	ok(!mvm_is_multiboot(k, n), "header straddling 8 KiB is not found");
	cfg_for(&c, k, n);
	refused("header at 0x1ff8", &c, "no multiboot header");
	free(k);

	k = make_elf(&n, 3);
	memset(k + HDR_OFF, 0, 12);
	put_header(k, HDR_OFF + 2, 3);
	ok(!mvm_is_multiboot(k, n), "unaligned header is not found");
	free(k);

	k = make_elf(&n, 3);
	wr32(k + HDR_OFF + 8, rd32(k + HDR_OFF + 8) + 1);
	ok(!mvm_is_multiboot(k, n), "header with a bad checksum: not multiboot");
	cfg_for(&c, k, n);
	refused("bad checksum", &c, "multiboot header at offset 0x1000: bad checksum");
	/* A good header after the bad one is used. */
	put_header(k, HDR_OFF + 0x10, 3);
	ret = mvm_boot_multiboot(&c, &st, &err);
	ok(ret == 0, "bad-checksum magic skipped, the next good header used (%d \"%s\")", ret,
	   err.msg);
	free(k);

	ok(!mvm_is_multiboot((const uint8_t *)"short", 5), "5-byte file: not multiboot");
	ok(!mvm_is_multiboot(NULL, 0), "NULL: not multiboot");
}

static void test_flags(void)
{
	struct mvm_boot_state st;
	struct mvm_boot_cfg c;
	struct mvm_err err = { "" };
	size_t n;
	uint8_t *k;
	int ret;

	k = make_elf(&n, 0x00000008);
	cfg_for(&c, k, n);
	refused("required flag bit 3", &c, "flags 0x00000008 require features mvm does not know "
		"(bits 0x0008)");
	free(k);
	k = make_elf(&n, 0x00008001);
	cfg_for(&c, k, n);
	refused("required flag bit 15", &c, "(bits 0x8000)");
	free(k);
	k = make_elf(&n, 0x00020007);
	cfg_for(&c, k, n);
	ret = mvm_boot_multiboot(&c, &st, &err);
	ok(ret == 0, "flags 0x00020007 (video mode requested, unknown optional bit 17) accepted");
	free(k);
}

static void test_aout(void)
{
	struct mvm_boot_state st;
	struct mvm_boot_cfg c;
	struct mvm_err err = { "" };
	size_t n;
	uint8_t *k = make_aout(&n), *h = k + 0x40;
	int ret;

	ok(mvm_is_multiboot(k, n), "mvm_is_multiboot: the a.out-kludge kernel");
	memset(mem, 0xcc, MEM_SIZE);
	cfg_for(&c, k, n);
	c.initrd = (const uint8_t *)"module";
	c.initrd_size = 6;
	ret = mvm_boot_multiboot(&c, &st, &err);
	ok(ret == 0 && st.kind && !strcmp(st.kind, "multiboot (a.out kludge)"),
	   "a.out kludge loads (%d \"%s\", %s)", ret, err.msg, st.kind);
	ok(!memcmp(mem + 0x200000, k, 0x1000) && all_bytes(mem + 0x201000, 0x2000, 0) &&
	   !memcmp(mem + 0x203000, "module", 6) && mem[0x203006] == 0xcc,
	   "text from file offset 0 at load_addr, bss to bss_end_addr, the module right after");
	ok(st.kernel_start == 0x200000 && st.kernel_end == 0x203000, "kernel range");
	check_entry_state(&st, 0x200080);
	check_info(&c, &st, 0x203000);

	/* load_end_addr 0: the rest of the file; bss_end_addr 0: no bss. */
	wr32(h + 20, 0);
	wr32(h + 24, 0);
	memset(mem, 0xcc, MEM_SIZE);
	c.initrd = NULL;
	c.initrd_size = 0;
	ret = mvm_boot_multiboot(&c, &st, &err);
	ok(ret == 0 && !memcmp(mem + 0x200000, k, AOUT_SIZE) && mem[0x200000 + AOUT_SIZE] == 0xcc &&
	   st.kernel_end == 0x200000 + AOUT_SIZE,
	   "load_end_addr 0 loads the whole file, bss_end_addr 0 adds no bss");
	/* The kernel now ends at 0x201800: module 0 goes to the next page. */
	c.initrd = (const uint8_t *)"mod";
	c.initrd_size = 3;
	ret = mvm_boot_multiboot(&c, &st, &err);
	ok(ret == 0 && st.initrd_start == 0x202000 && !memcmp(mem + 0x202000, "mod", 3),
	   "kernel ending mid-page (0x201800): module at the next page 0x%llx",
	   (unsigned long long)st.initrd_start);
	check_info(&c, &st, 0x201800);
	c.initrd = NULL;
	c.initrd_size = 0;
	/* header_addr - load_addr selects the file offset. */
	wr32(h + 12, 0x200020);
	ret = mvm_boot_multiboot(&c, &st, &err);
	ok(ret == 0 && !memcmp(mem + 0x200000, k + 0x20, AOUT_SIZE - 0x20),
	   "load starts at the header's offset minus (header_addr - load_addr)");
	free(k);

#define AOUT_BAD(what, field, val, msg) do {				\
		k = make_aout(&n);					\
		wr32(k + 0x40 + (field), (val));			\
		cfg_for(&c, k, n);					\
		refused(what, &c, msg);					\
		free(k);						\
	} while (0)
	AOUT_BAD("load_addr above header_addr", 16, 0x200041, "put the load start before");
	AOUT_BAD("load start before the file", 12, 0x200041, "before the file's beginning");
	AOUT_BAD("load_end_addr below load_addr", 20, 0x1fffff, "load_end_addr 0x1fffff");
	AOUT_BAD("load_end_addr past the file", 20, 0x200000 + AOUT_SIZE + 1, "past the end of");
	AOUT_BAD("bss_end_addr below load_end", 24, 0x200fff, "bss_end_addr 0x200fff is below");
	AOUT_BAD("entry before the image", 28, 0x1fffff, "entry_addr 0x1fffff is outside");
	AOUT_BAD("entry past the bss", 28, 0x203000, "entry_addr 0x203000 is outside");
	AOUT_BAD("bss past RAM", 24, 0x1000001, "lies outside guest memory");
	k = make_aout(&n);
	wr32(k + 0x40 + 20, 0x200000);
	wr32(k + 0x40 + 24, 0);
	cfg_for(&c, k, n);
	refused("empty image", &c, "nothing to load");
	free(k);

	/* Loaded below 1 MiB. */
	k = make_aout(&n);
	wr32(k + 0x40 + 12, 0x80040);
	wr32(k + 0x40 + 16, 0x80000);
	wr32(k + 0x40 + 20, 0x81000);
	wr32(k + 0x40 + 24, 0x83000);
	wr32(k + 0x40 + 28, 0x80080);
	cfg_for(&c, k, n);
	refused("a.out kernel at 0x80000", &c, "loads at 0x80000: mvm loads kernels at or above");
	free(k);

	/* The address fields must fit in the 8 KiB window. */
	k = calloc(1, 0x3000);
	put_header(k, 8192 - 12, 0x00010000);
	cfg_for(&c, k, 0x3000);
	refused("flag 16 with the fields past 8 KiB", &c, "do not fit in the file's first 8 KiB");
	free(k);
}

static void test_bad(void)
{
	struct mvm_boot_cfg c;
	size_t n;
	uint8_t *k, flat[64];

	/* ELF64 with a multiboot header. */
	{
		static const struct seg_spec s[] = { { PT_LOAD, 0x100000, 0x1000, 0x1000, 0x1000 } };

		k = malloc(KSIZE);
		build_elf(k, KSIZE, ELFCLASS64, ET_EXEC, EM_X86_64, 0x100000, s, 1);
		put_header(k, HDR_OFF, 3);
		cfg_for(&c, k, KSIZE);
		refused("ELF64", &c, "the multiboot kernel is ELF64");
		free(k);
	}
	/* Not ELF, no address fields. */
	memset(flat, 0x90, sizeof(flat));
	put_header(flat, 0, 3);
	cfg_for(&c, flat, sizeof(flat));
	refused("flat file without flag 16", &c, "not an ELF file and its header has no address");
	/* No header at all. */
	memset(flat, 0x90, sizeof(flat));
	cfg_for(&c, flat, sizeof(flat));
	refused("no header", &c, "no multiboot header (magic 0x1BADB002");

	/* An ELF segment below 1 MiB. */
	{
		static const struct seg_spec s[] = {
			{ PT_LOAD, 0x10000, 0x1000, 0x1000, 0x1000 },
			{ PT_LOAD, 0x100000, 0x2000, 0x1000, 0x1000 },
		};

		k = malloc(KSIZE);
		build_elf(k, KSIZE, ELFCLASS32, ET_EXEC, EM_386, 0x100000, s, 2);
		put_header(k, HDR_OFF, 3);
		cfg_for(&c, k, KSIZE);
		refused("ELF segment at 0x10000", &c, "loads at 0x10000");
		free(k);
	}
	/* ELF errors come from the ELF loader, prefixed. */
	k = make_elf(&n, 3);
	wr32(k + 0x18, 0x200000);		/* e_entry outside every segment */
	cfg_for(&c, k, n);
	refused("entry outside the segments", &c, "multiboot kernel: the ELF entry point 0x200000");
	free(k);
	k = make_elf(&n, 3);
	cfg_for(&c, k, n);
	c.mem_size = 1ull << 20;
	refused("1 MiB of memory", &c, "at least 2 MiB");
	c.mem_size = 2ull << 20;
	c.initrd = mem;		/* any bytes: it must not fit */
	c.initrd_size = (2ull << 20) - 0x104000 + 1;
	refused("an initrd too big for the space after the kernel", &c,
		"does not fit after the kernel at 0x104000");
	c.initrd_size = (2ull << 20) - 0x104000;
	{
		struct mvm_boot_state st;
		struct mvm_err err = { "" };
		uint8_t *rd = calloc(1, c.initrd_size);

		c.initrd = rd;
		ok(mvm_boot_multiboot(&c, &st, &err) == 0 && st.initrd_end == 2ull << 20,
		   "an initrd that exactly fills the rest of RAM (%s)", err.msg);
		free(rd);
	}
	c.initrd = NULL;
	c.initrd_size = 0;
	c.mem_size = MEM_SIZE;
	c.ncpus = 0;
	refused("0 vCPUs", &c, "0 vCPUs");
	c.ncpus = 1;
	{
		static char name[0x8000];

		memset(name, 'm', sizeof(name) - 1);
		c.initrd = (const uint8_t *)"x";
		c.initrd_size = 1;
		c.initrd_name = name;
		refused("a 32 KiB module string", &c, "the module string is 32767 bytes long");
	}
	free(k);
}

/* mvm_boot() picks the protocol and adds the ACPI tables. */
static void test_dispatch(void)
{
	struct mvm_boot_state st;
	struct mvm_boot_cfg c;
	struct mvm_err err = { "" };
	uint8_t junk[256];
	size_t n;
	uint8_t *k = make_elf(&n, 3);
	int ret;

	memset(mem, 0, MEM_SIZE);
	cfg_for(&c, k, n);
	c.ncpus = 2;
	ret = mvm_boot(&c, &st, &err);
	ok(ret == 0 && !strcmp(st.kind, "multiboot ELF32") && !memcmp(mem + 0xe0000, "RSD PTR ", 8),
	   "mvm_boot: multiboot kernel booted, ACPI tables built (%d \"%s\")", ret, err.msg);
	/* mvm_boot_check: the same verdicts with no guest memory at all. */
	cfg_for(&c, k, n);
	c.mem = NULL;
	ret = mvm_boot_check(&c, &err);
	ok(ret == 0, "mvm_boot_check without memory: multiboot kernel fine (%d \"%s\")", ret,
	   err.msg);
	c.initrd = k;
	c.initrd_size = MEM_SIZE;
	ret = mvm_boot_check(&c, &err);
	ok(ret == -EINVAL && strstr(err.msg, "does not fit after the kernel"),
	   "mvm_boot_check: an initrd as large as RAM: \"%s\"", err.msg);
	c.initrd = NULL;
	c.initrd_size = 0;
	wr32(k + HDR_OFF + 4, 0x8);
	ret = mvm_boot_check(&c, &err);
	ok(ret == -EINVAL && strstr(err.msg, "neither"),
	   "mvm_boot_check: a header with a bad checksum is no multiboot kernel: \"%s\"", err.msg);
	memset(junk, 0x90, sizeof(junk));
	cfg_for(&c, junk, sizeof(junk));
	c.mem = NULL;
	ret = mvm_boot_check(&c, &err);
	ok(ret == -EINVAL && strstr(err.msg, "neither a bzImage"), "mvm_boot_check: neither kind");
	ok(mvm_boot_check(NULL, &err) == -EINVAL, "mvm_boot_check(NULL)");
	cfg_for(&c, junk, sizeof(junk));
	ret = mvm_boot(&c, &st, &err);
	ok(ret == -EINVAL && strstr(err.msg, "neither a bzImage") , "mvm_boot: neither kind: "
	   "\"%s\"", err.msg);
	free(k);
}

/* A real multiboot kernel when installed: Xen (gzipped ELF32), dom0 kernel as module. */
static void test_xen(void)
{
	struct mvm_boot_state st;
	struct mvm_boot_cfg c;
	struct mvm_err err = { "" };
	uint8_t *k = NULL, *dom0 = NULL, *big;
	size_t n = 0, cap = 0, dn = 0;
	char cmd[512];
	glob_t g;
	FILE *f;
	int ret;

	if (glob("/boot/xen-*.gz", 0, NULL, &g) || !g.gl_pathc) {
		tap_skip("# SKIP no /boot/xen-*.gz (Debian xen-hypervisor): real multiboot kernel "
			 "not tested");
		return;
	}
	snprintf(cmd, sizeof(cmd), "gzip -dc '%s'", g.gl_pathv[0]);
	f = popen(cmd, "r");
	while (f && !feof(f)) {
		if (n == cap) {
			cap = cap ? 2 * cap : 1 << 20;
			k = realloc(k, cap);
		}
		n += fread(k + n, 1, cap - n, f);
	}
	if (!f || pclose(f) || n < 64) {
		tap_skip("# SKIP cannot decompress %s", g.gl_pathv[0]);
		free(k);
		globfree(&g);
		return;
	}
	ok(mvm_is_multiboot(k, n) && !memcmp(k, "\177ELF", 4) && k[4] == 1,
	   "%s: an ELF32 multiboot kernel (%zu bytes)", g.gl_pathv[0], n);
	big = malloc(256ull << 20);
	cfg_for(&c, k, n);
	c.mem = big;
	c.mem_size = 256ull << 20;
	c.ncpus = 2;
	c.cmdline = "console=com1 com1=115200,8n1 dom0_mem=128M";
	{
		glob_t gk;

		if (!glob("/boot/vmlinuz-*", 0, NULL, &gk)) {
			if (gk.gl_pathc && !mvm_read_file(gk.gl_pathv[0], &dom0, &dn, &err)) {
				c.initrd = dom0;
				c.initrd_size = dn;
				c.initrd_name = "vmlinuz console=hvc0";
			}
			globfree(&gk);
		}
	}
	ret = mvm_boot(&c, &st, &err);
	ok(ret == 0 && !strcmp(st.kind, "multiboot ELF32") && st.regs.rax == 0x2badb002 &&
	   st.regs.rip == rd32(k + 0x18) && st.kernel_start >= 0x100000,
	   "Xen loads: entry 0x%llx, kernel [0x%llx, 0x%llx) (%d \"%s\")",
	   (unsigned long long)st.regs.rip, (unsigned long long)st.kernel_start,
	   (unsigned long long)st.kernel_end, ret, err.msg);
	if (!ret && c.initrd) {
		const uint8_t *mbi = big + st.regs.rbx, *mod = big + rd32(mbi + 24);

		ok(rd32(mbi + 20) == 1 && rd32(mod) == st.initrd_start &&
		   st.initrd_start >= st.kernel_end && st.initrd_start % 4096 == 0 &&
		   !memcmp(big + st.initrd_start, dom0, dn) &&
		   !strcmp((char *)big + rd32(mod + 8), "vmlinuz console=hvc0"),
		   "dom0 kernel as module 0 at 0x%llx with its command line",
		   (unsigned long long)st.initrd_start);
	}
	free(big);
	free(dom0);
	free(k);
	globfree(&g);
}

int main(void)
{
	tap_start();
	mem = malloc(MEM_SIZE);
	test_elf();
	test_search();
	test_flags();
	test_aout();
	test_bad();
	test_dispatch();
	test_xen();
	free(mem);
	return tap_end();
}
