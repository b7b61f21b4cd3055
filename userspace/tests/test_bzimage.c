// SPDX-License-Identifier: GPL-2.0
/*
 * The Linux boot-protocol loader (vmm/bzimage.c) on a synthetic bzImage
 * built here, then on the host's real Debian vmlinuz: header checks with
 * their messages, the zero page, e820, command line, initrd placement, the
 * identity page tables (walked in software) and the GDT selectors.
 */
#include <errno.h>
#include <glob.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "boot.h"
#include "boot_test.h"
#include "loader.h"
#include "mv_x86.h"
#include "tap.h"

#define MEM_SIZE	(64ull << 20)
#define SETUP_SECTS	4
#define SETUP_SIZE	((SETUP_SECTS + 1) * 512)
#define PM_SIZE		(64u << 10)
#define INIT_SIZE	(8u << 20)
#define PREF		0x1000000ull

static uint8_t *mem;

/* A bzImage with protocol 2.15: setup sectors, then PM_SIZE bytes of "kernel". */
static uint8_t *make_bzimage(size_t *size)
{
	size_t n = SETUP_SIZE + PM_SIZE, i;
	uint8_t *k = calloc(1, n);

	k[0x1f1] = SETUP_SECTS;
	wr32(k + 0x1f4, PM_SIZE / 16);		/* syssize */
	wr16(k + 0x1fa, 0xffff);		/* vid_mode */
	wr16(k + 0x1fe, 0xaa55);
	k[0x200] = 0xeb;
	k[0x201] = 0x6a;			/* the header ends at 0x26c */
	wr32(k + 0x202, 0x53726448);		/* "HdrS" */
	wr16(k + 0x206, 0x020f);
	k[0x211] = 0x01;			/* LOADED_HIGH */
	wr32(k + 0x214, 0x100000);		/* code32_start */
	wr32(k + 0x22c, 0x7fffffff);		/* initrd_addr_max */
	wr32(k + 0x230, 0x200000);		/* kernel_alignment */
	k[0x234] = 1;				/* relocatable */
	k[0x235] = 21;
	wr16(k + 0x236, 0x7f);			/* xloadflags */
	wr32(k + 0x238, 0x7ff);			/* cmdline_size */
	wr64(k + 0x250, 0x1234);		/* setup_data: must not reach the guest */
	wr64(k + 0x258, PREF);
	wr32(k + 0x260, INIT_SIZE);
	for (i = SETUP_SIZE; i < n; i++)
		k[i] = (uint8_t)(i * 7 + 3);
	*size = n;
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

/* Software walk of 4-level paging: the physical address, or ~0 if not present. */
static uint64_t walk(const uint8_t *m, uint64_t msize, uint64_t cr3, uint64_t va)
{
	uint64_t e, t = cr3 & ~0xfffull;
	int level;

	for (level = 3; level >= 0; level--) {
		unsigned int idx = (va >> (12 + 9 * level)) & 511;

		if (t + 8 * idx + 8 > msize)
			return ~0ull;
		e = rd64(m + t + 8 * idx);
		if (!(e & MV_PTE_P) || !(e & MV_PTE_RW))
			return ~0ull;
		if (level == 1 && (e & MV_PTE_PS))
			return (e & 0xfffffffe00000ull) | (va & 0x1fffff);
		if (level == 2 && (e & MV_PTE_PS))
			return ~0ull;	/* no 1 GiB pages expected */
		t = e & 0xffffffffff000ull;
	}
	return (t) | (va & 0xfff);
}

/* Expect refusal with msg_part and guest memory left untouched. */
static void refused(const char *what, const struct mvm_boot_cfg *c, const char *msg_part)
{
	struct mvm_boot_state st;
	struct mvm_err err = { "" };
	int ret;

	memset(mem, 0xcc, MEM_SIZE);
	ret = mvm_boot_linux(c, &st, &err);
	ok(ret == -EINVAL && strstr(err.msg, msg_part) && all_bytes(mem, MEM_SIZE, 0xcc),
	   "%s refused, memory untouched: \"%s\"", what, err.msg);
}

static void bad_field(const char *what, size_t off, unsigned int width, uint64_t val,
		      const char *msg_part)
{
	struct mvm_boot_cfg c;
	size_t n;
	uint8_t *k = make_bzimage(&n);

	if (width == 1)
		k[off] = (uint8_t)val;
	else if (width == 2)
		wr16(k + off, (uint16_t)val);
	else if (width == 4)
		wr32(k + off, (uint32_t)val);
	else
		wr64(k + off, val);
	cfg_for(&c, k, n);
	refused(what, &c, msg_part);
	free(k);
}

static void test_good(void)
{
	static const char initrd[] = "070701 a synthetic initramfs";
	struct mvm_boot_state st;
	struct mvm_boot_cfg c;
	struct mvm_err err = { "" };
	const uint8_t *bp = mem + 0x7000, *e;
	uint64_t lo = ~0ull, prev_end = 0, want_initrd;
	size_t n;
	uint8_t *k = make_bzimage(&n);
	unsigned int i, ne;
	int ret, mism = 0;

	memset(mem, 0xcc, MEM_SIZE);
	cfg_for(&c, k, n);
	c.cmdline = "console=ttyS0 root=/dev/ram0";
	c.initrd = (const uint8_t *)initrd;
	c.initrd_size = sizeof(initrd);
	ret = mvm_boot_linux(&c, &st, &err);
	ok(ret == 0, "synthetic bzImage 2.15 loads (%d \"%s\")", ret, err.msg);
	ok(st.kind && !strcmp(st.kind, "linux bzImage (boot protocol 2.15)"), "kind \"%s\"",
	   st.kind);

	/* The protected-mode part at 1 MiB. */
	ok(!memcmp(mem + 0x100000, k + SETUP_SIZE, PM_SIZE), "protected-mode kernel at 0x100000");
	ok(st.kernel_start == 0x100000 && st.kernel_end == PREF + INIT_SIZE,
	   "kernel range [0x%llx, 0x%llx): it decompresses at pref_address + init_size",
	   (unsigned long long)st.kernel_start, (unsigned long long)st.kernel_end);

	/* The zero page: the image's header, then the loader's fields. */
	ok(all_bytes(bp, 0x1e8, 0) && bp[0x1ef] == 0, "zero page below the header is zero "
	   "(screen_info, ext_ fields, sentinel)");
	for (i = 0x1f1; i < 0x26c; i++) {
		bool written = (i == 0x210 || i == 0x211 || (i >= 0x218 && i < 0x220) ||
				(i >= 0x224 && i < 0x22c) || (i >= 0x250 && i < 0x258));
		if (!written && bp[i] != k[i])
			mism++;
	}
	ok(mism == 0, "setup header copied from the image (%d bytes differ)", mism);
	ok(all_bytes(bp + 0x26c, 0x2d0 - 0x26c, 0), "zero page after the header is zero");
	ok(bp[0x210] == 0xff, "type_of_loader 0xff (0x%02x)", bp[0x210]);
	ok(bp[0x211] == (0x01 | 0x80), "loadflags LOADED_HIGH | CAN_USE_HEAP (0x%02x)", bp[0x211]);
	ok(rd16(bp + 0x224) == 0xfe00, "heap_end_ptr 0xfe00");
	ok(rd64(bp + 0x250) == 0, "setup_data 0: the image's value is not passed on");
	ok(rd32(bp + 0x228) == 0x20000 && !strcmp((char *)mem + 0x20000, c.cmdline),
	   "cmd_line_ptr 0x%x -> \"%s\"", rd32(bp + 0x228), (char *)mem + 0x20000);

	want_initrd = (MEM_SIZE - sizeof(initrd)) & ~0xfffull;
	ok(rd32(bp + 0x218) == want_initrd && rd32(bp + 0x21c) == sizeof(initrd) &&
	   !memcmp(mem + want_initrd, initrd, sizeof(initrd)),
	   "initrd at the highest page below the end of RAM: 0x%x, %u bytes", rd32(bp + 0x218),
	   rd32(bp + 0x21c));
	ok(st.initrd_start == want_initrd && st.initrd_end == want_initrd + sizeof(initrd),
	   "state reports the initrd range");

	/* e820 */
	ne = bp[0x1e8];
	ok(ne == 5, "5 e820 entries (%u)", ne);
	for (i = 0; i < ne; i++) {
		e = bp + 0x2d0 + 20 * i;
		if (i && rd64(e) != prev_end)
			mism++;
		if (i == 0)
			lo = rd64(e);
		prev_end = rd64(e) + rd64(e + 8);
	}
	ok(mism == 0 && lo == 0 && prev_end == MEM_SIZE,
	   "e820 entries contiguous from 0 to the end of RAM");
	e = bp + 0x2d0;
	ok(rd64(e) == 0 && rd64(e + 8) == 0x9fc00 && rd32(e + 16) == 1, "e820[0] RAM 0-0x9fc00");
	ok(rd64(e + 20) == 0x9fc00 && rd64(e + 28) == 0xe0000 - 0x9fc00 && rd32(e + 36) == 2,
	   "e820[1] reserved 0x9fc00-0xe0000");
	ok(rd64(e + 40) == 0xe0000 && rd64(e + 48) == 0x10000 && rd32(e + 56) == 3,
	   "e820[2] ACPI 0xe0000-0xf0000 (the tables)");
	ok(rd64(e + 60) == 0xf0000 && rd64(e + 68) == 0x10000 && rd32(e + 76) == 2,
	   "e820[3] reserved 0xf0000-0x100000");
	ok(rd64(e + 80) == 0x100000 && rd64(e + 88) == MEM_SIZE - 0x100000 && rd32(e + 96) == 1,
	   "e820[4] RAM 0x100000-end");
	ok(all_bytes(bp + 0x2d0 + 20 * ne, 0x1000 - 0x2d0 - 20 * ne, 0),
	   "rest of the zero page is zero");

	/* The 64-bit entry state. */
	ok(st.regs.rip == 0x100200 && st.entry == 0x100200, "rip = startup_64 = 0x100200");
	ok(st.regs.rsi == 0x7000 && st.info == 0x7000, "rsi = zero page 0x7000");
	ok(st.regs.rflags == 0x2, "rflags 0x2: interrupts off");
	ok(st.regs.rsp && st.regs.rsp <= 0x7000 && st.regs.rsp > 0x2000, "rsp 0x%llx below the "
	   "zero page", (unsigned long long)st.regs.rsp);
	ok((st.sregs.cr0 & (MV_CR0_PE | MV_CR0_PG)) == (MV_CR0_PE | MV_CR0_PG) &&
	   (st.sregs.cr4 & MV_CR4_PAE) && st.sregs.efer == (MV_EFER_LME | MV_EFER_LMA),
	   "long mode: CR0 0x%llx CR4 0x%llx EFER 0x%llx", (unsigned long long)st.sregs.cr0,
	   (unsigned long long)st.sregs.cr4, (unsigned long long)st.sregs.efer);

	/* Page tables: identity for RAM, the zero page, MMIO and the 4 GiB edge. */
	mism = 0;
	{
		static const uint64_t vas[] = { 0, 0x7000, 0x20000, 0x100200, 0x3fffffc,
						0x40000000, 0xbffff000, 0xfec00000, 0xfee00000,
						0xffffffff };

		for (i = 0; i < sizeof(vas) / sizeof(vas[0]); i++)
			if (walk(mem, MEM_SIZE, st.sregs.cr3, vas[i]) != vas[i]) {
				mism++;
				tap_diag("va 0x%llx -> 0x%llx", (unsigned long long)vas[i],
					 (unsigned long long)walk(mem, MEM_SIZE, st.sregs.cr3,
								  vas[i]));
			}
		for (i = 0; i < 2048; i++)	/* every 2 MiB page of the first 4 GiB */
			if (walk(mem, MEM_SIZE, st.sregs.cr3, (uint64_t)i << 21 | 0x1234) !=
			    ((uint64_t)i << 21 | 0x1234))
				mism++;
	}
	ok(mism == 0, "page tables at CR3 0x%llx identity-map the first 4 GiB",
	   (unsigned long long)st.sregs.cr3);
	ok(walk(mem, MEM_SIZE, st.sregs.cr3, 0x100000000ull) == ~0ull,
	   "4 GiB and up not mapped");

	/* GDT: __BOOT_CS 0x10 (64-bit code), __BOOT_DS 0x18 (data). */
	{
		uint64_t gdt = st.sregs.gdt.base, cs, ds;

		cs = rd64(mem + gdt + 0x10);
		ds = rd64(mem + gdt + 0x18);
		ok(st.sregs.cs.selector == 0x10 && st.sregs.cs.l == 1 && st.sregs.cs.db == 0 &&
		   st.sregs.cs.present && st.sregs.cs.s && (st.sregs.cs.type & 0xa) == 0xa,
		   "CS = __BOOT_CS 0x10, 64-bit execute/read");
		ok(((cs >> 53) & 1) && ((cs >> 47) & 1) && ((cs >> 43) & 1) && ((cs >> 41) & 1),
		   "GDT entry 0x10: present 64-bit code, readable (0x%016llx)",
		   (unsigned long long)cs);
		ok(st.sregs.ds.selector == 0x18 && st.sregs.es.selector == 0x18 &&
		   st.sregs.ss.selector == 0x18 && st.sregs.ds.base == 0 &&
		   st.sregs.ds.limit == 0xffffffff && (st.sregs.ds.type & 0xa) == 0x2,
		   "DS/ES/SS = __BOOT_DS 0x18, flat read/write");
		ok(((ds >> 47) & 1) && !((ds >> 43) & 1) && ((ds >> 41) & 1) &&
		   (ds & 0xffff) == 0xffff && ((ds >> 55) & 1),
		   "GDT entry 0x18: present flat writable data (0x%016llx)",
		   (unsigned long long)ds);
		ok(st.sregs.gdt.limit >= 0x1f && st.sregs.tr.present && st.sregs.tr.type == 11 &&
		   st.sregs.tr.selector < st.sregs.gdt.limit && st.sregs.ldt.unusable,
		   "GDT limit 0x%x covers the selectors, busy TSS in TR, no LDT",
		   st.sregs.gdt.limit);
	}
	free(k);
}

static void test_variants(void)
{
	struct mvm_boot_state st;
	struct mvm_boot_cfg c;
	struct mvm_err err = { "" };
	size_t n;
	uint8_t *k = make_bzimage(&n);
	char line[0x800];
	int ret;

	/* setup_sects 0 means 4. */
	k[0x1f1] = 0;
	cfg_for(&c, k, n);
	ret = mvm_boot_linux(&c, &st, &err);
	ok(ret == 0 && !memcmp(mem + 0x100000, k + SETUP_SIZE, PM_SIZE),
	   "setup_sects 0 is read as 4 (%d \"%s\")", ret, err.msg);
	k[0x1f1] = SETUP_SECTS;

	/* No initrd, no command line: empty string, ramdisk fields 0. */
	ret = mvm_boot_linux(&c, &st, &err);
	ok(ret == 0 && rd32(mem + 0x7000 + 0x218) == 0 && rd32(mem + 0x7000 + 0x21c) == 0 &&
	   mem[0x20000] == 0 && st.initrd_start == 0 && st.initrd_end == 0,
	   "no initrd and no command line");

	/* A command line of exactly cmdline_size bytes fits. */
	memset(line, 'x', 0x7ff);
	line[0x7ff] = 0;
	c.cmdline = line;
	ret = mvm_boot_linux(&c, &st, &err);
	ok(ret == 0 && strlen((char *)mem + 0x20000) == 0x7ff,
	   "a command line of cmdline_size (0x7ff) bytes is accepted");
	line[0x7fe] = 0;
	c.cmdline = NULL;

	/* initrd_addr_max below the end of RAM caps the placement. */
	wr32(k + 0x22c, 0x2ffffff);
	c.initrd = (const uint8_t *)"abc";
	c.initrd_size = 3;
	ret = mvm_boot_linux(&c, &st, &err);
	ok(ret == 0 && st.initrd_start == 0x2fff000 && rd32(mem + 0x7000 + 0x218) == 0x2fff000,
	   "initrd_addr_max 0x2ffffff: initrd at 0x%llx", (unsigned long long)st.initrd_start);
	wr32(k + 0x22c, 0x7fffffff);

	/* A 40 MiB initrd still fits above the kernel's decompression area (24 MiB). */
	{
		size_t big = 40u << 20;
		uint8_t *rd = malloc(big);

		memset(rd, 0x5a, big);
		c.initrd = rd;
		c.initrd_size = big;
		ret = mvm_boot_linux(&c, &st, &err);
		ok(ret == 0 && st.initrd_start >= PREF + INIT_SIZE && st.initrd_end <= MEM_SIZE &&
		   st.initrd_start % 4096 == 0 && mem[st.initrd_start] == 0x5a,
		   "40 MiB initrd at 0x%llx, above the kernel (%d \"%s\")",
		   (unsigned long long)st.initrd_start, ret, err.msg);
		c.initrd_size = (size_t)(MEM_SIZE - PREF - INIT_SIZE) + 1;
		rd = realloc(rd, c.initrd_size);
		c.initrd = rd;
		refused("an initrd one byte too large for the space above the kernel", &c,
			"does not fit between the kernel's end");
		free(rd);
		c.initrd = NULL;
		c.initrd_size = 0;
	}

	/* Relocatable, pref_address below the aligned load address: runs at 2 MiB. */
	wr64(k + 0x258, 0x100000);
	ret = mvm_boot_linux(&c, &st, &err);
	ok(ret == 0 && st.kernel_end == 0x200000 + INIT_SIZE,
	   "relocatable, pref_address 1 MiB: decompresses at the 2 MiB-aligned 0x200000");
	/* Not relocatable: at pref_address. */
	k[0x234] = 0;
	wr64(k + 0x258, 0x400000);
	ret = mvm_boot_linux(&c, &st, &err);
	ok(ret == 0 && st.kernel_end == 0x400000 + INIT_SIZE,
	   "not relocatable: decompresses at pref_address 0x400000");
	free(k);
}

static void test_bad(void)
{
	struct mvm_boot_cfg c;
	struct mvm_err err = { "" };
	size_t n;
	uint8_t *k = make_bzimage(&n);
	char line[0x801];

	bad_field("no HdrS magic", 0x202, 4, 0x53726447, "no \"HdrS\" magic");
	bad_field("protocol 2.11", 0x206, 2, 0x020b, "boot protocol 2.11 is too old");
	bad_field("protocol 2.00", 0x206, 2, 0x0200, "2.00 is too old");
	bad_field("boot_flag", 0x1fe, 2, 0x55aa, "boot_flag is 0x55aa");
	bad_field("short header (jump)", 0x201, 1, 0x40, "setup header ends at 0x242");
	bad_field("setup_sects past the file", 0x1f1, 1, 200, "bzImage truncated");
	bad_field("no LOADED_HIGH (zImage)", 0x211, 1, 0x00, "lacks LOADED_HIGH");
	bad_field("no XLF_KERNEL_64", 0x236, 2, 0x7e, "lacks XLF_KERNEL_64");
	bad_field("kernel_alignment 3 MiB", 0x230, 4, 0x300000, "not a power of two");
	bad_field("kernel_alignment 0", 0x230, 4, 0, "not a power of two");
	bad_field("init_size below the file", 0x260, 4, PM_SIZE - 1, "init_size 0xffff");
	bad_field("init_size beyond RAM", 0x260, 4, 0x3000001, "needs RAM up to 0x4000001");
	bad_field("pref_address above RAM", 0x258, 8, 0xc0000000ull, "pref_address 0xc0000000");

	cfg_for(&c, k, 0x28f);
	refused("a 0x28f-byte file", &c, "the setup header alone");
	cfg_for(&c, k, SETUP_SIZE);
	refused("a file with no protected-mode part", &c, "bzImage truncated: 2560 bytes");
	cfg_for(&c, k, 0x1000);
	k[0x202] = 'X';
	refused("mvm_boot_linux on a non-bzImage", &c, "not a bzImage");
	k[0x202] = 'H';

	memset(line, 'x', 0x800);
	line[0x800] = 0;
	cfg_for(&c, k, n);
	c.cmdline = line;
	refused("command line longer than cmdline_size", &c,
		"the command line is 2048 bytes, the kernel takes at most 2047");

	cfg_for(&c, k, n);
	c.mem_size = 4ull << 30;
	refused("4 GiB of guest memory", &c, "at most 3072 MiB");
	c.mem_size = MEM_SIZE + 1;
	refused("guest memory not a page multiple", &c, "multiple of 4 KiB");
	c.mem_size = 1 << 20;
	refused("1 MiB of guest memory", &c, "at least 2 MiB");
	c.mem_size = 16ull << 20;
	refused("16 MiB: the kernel needs 24", &c, "guest memory ends at 0x1000000: use --mem");
	c.mem_size = MEM_SIZE;
	c.ncpus = 0;
	refused("0 vCPUs", &c, "0 vCPUs: need 1..8");
	c.ncpus = 9;
	refused("9 vCPUs", &c, "9 vCPUs: need 1..8");
	c.ncpus = 1;
	c.initrd = (const uint8_t *)"";
	refused("an empty initrd", &c, "the initrd is empty");
	c.initrd = NULL;
	c.kernel_size = 0;
	refused("an empty kernel", &c, "the kernel is empty");
	c.kernel_size = n;

	/* mvm_boot_check: the same checks without guest memory. */
	cfg_for(&c, k, n);
	c.mem = NULL;
	ok(mvm_boot_check(&c, &err) == 0, "mvm_boot_check without memory: good image accepted");
	c.mem_size = 16ull << 20;
	ok(mvm_boot_check(&c, &err) == -EINVAL && strstr(err.msg, "use --mem"),
	   "mvm_boot_check: 16 MiB too small: \"%s\"", err.msg);
	c.mem_size = MEM_SIZE;
	k[0x236] = 0;
	ok(mvm_boot_check(&c, &err) == -EINVAL && strstr(err.msg, "lacks XLF_KERNEL_64"),
	   "mvm_boot_check: no 64-bit entry: \"%s\"", err.msg);
	k[0x236] = 0x7f;

	ok(mvm_is_bzimage(k, n), "mvm_is_bzimage: the synthetic image");
	ok(!mvm_is_bzimage(k, 0x205), "mvm_is_bzimage: too short for the magic");
	ok(!mvm_is_bzimage(NULL, 0), "mvm_is_bzimage: NULL");
	k[0x205] = 0;
	ok(!mvm_is_bzimage(k, n), "mvm_is_bzimage: bad magic");
	free(k);
}

/* The host's own Debian kernel, as the Linux guest will boot it. */
static void test_real_kernel(void)
{
	struct mvm_boot_state st;
	struct mvm_boot_cfg c;
	struct mvm_err err = { "" };
	uint8_t *k = NULL, *rd = NULL, *m;
	size_t n = 0, rn = 0;
	glob_t g, gi;
	int ret;

	if (glob("/boot/vmlinuz-*", 0, NULL, &g) || !g.gl_pathc) {
		tap_skip("# SKIP no /boot/vmlinuz-* on this machine: real bzImage not tested");
		return;
	}
	if (mvm_read_file(g.gl_pathv[0], &k, &n, &err)) {
		tap_skip("# SKIP cannot read %s: %s", g.gl_pathv[0], err.msg);
		globfree(&g);
		return;
	}
	m = calloc(1, 256ull << 20);
	memset(&c, 0, sizeof(c));
	c.mem = m;
	c.mem_size = 256ull << 20;
	c.ncpus = 2;
	c.kernel = k;
	c.kernel_size = n;
	c.cmdline = "console=ttyS0 earlyprintk=serial panic=-1";
	if (!glob("/boot/initrd.img-*", 0, NULL, &gi) && gi.gl_pathc &&
	    !mvm_read_file(gi.gl_pathv[0], &rd, &rn, &err)) {
		c.initrd = rd;
		c.initrd_size = rn;
		tap_diag("with initrd %s (%zu bytes)", gi.gl_pathv[0], rn);
		globfree(&gi);
	}
	ok(mvm_is_bzimage(k, n), "%s is a bzImage (%zu bytes)", g.gl_pathv[0], n);
	ret = mvm_boot(&c, &st, &err);
	ok(ret == 0, "mvm_boot loads it into 256 MiB with 2 vCPUs (%d \"%s\")", ret, err.msg);
	if (!ret) {
		size_t setup = (size_t)((k[0x1f1] ? k[0x1f1] : 4) + 1) * 512;
		uint32_t max = rd32(k + 0x22c);

		tap_diag("%s: protocol 0x%04x, init_size 0x%x, pref_address 0x%llx, kernel "
			 "[0x%llx, 0x%llx), initrd [0x%llx, 0x%llx)", st.kind, rd16(k + 0x206),
			 rd32(k + 0x260), (unsigned long long)rd64(k + 0x258),
			 (unsigned long long)st.kernel_start, (unsigned long long)st.kernel_end,
			 (unsigned long long)st.initrd_start, (unsigned long long)st.initrd_end);
		ok(!strncmp(st.kind, "linux bzImage (boot protocol 2.", 31), "kind \"%s\"",
		   st.kind);
		ok(!memcmp(m + 0x100000, k + setup, n - setup), "protected-mode part at 1 MiB");
		ok(st.regs.rip == 0x100200 && st.regs.rsi == 0x7000, "64-bit entry 0x100200, "
		   "RSI 0x7000");
		ok(m[0x7000 + 0x210] == 0xff && rd32(m + 0x7000 + 0x228) == 0x20000 &&
		   !strcmp((char *)m + 0x20000, c.cmdline), "zero page: loader, command line");
		ok(st.kernel_end <= 256ull << 20, "init_size fits in 256 MiB");
		if (c.initrd)
			ok(st.initrd_start >= st.kernel_end && st.initrd_end <= 256ull << 20 &&
			   st.initrd_end - 1 <= max && st.initrd_start % 4096 == 0 &&
			   rd32(m + 0x7000 + 0x218) == st.initrd_start &&
			   !memcmp(m + st.initrd_start, rd, rn),
			   "initrd placed high, page aligned, above the kernel");
		ok(!memcmp(m + 0xe0000, "RSD PTR ", 8), "ACPI RSDP at 0xe0000");
	}
	c.mem = NULL;
	ret = mvm_boot_check(&c, &err);
	ok(ret == 0, "mvm_boot_check accepts it in 256 MiB (%d \"%s\")", ret, err.msg);
	c.mem_size = 64ull << 20;
	ret = mvm_boot_check(&c, &err);
	ok(ret == -EINVAL && strstr(err.msg, "use --mem"), "mvm_boot_check: not in 64 MiB");
	c.mem = m;
	c.initrd = NULL;
	c.initrd_size = 0;
	ret = mvm_boot_linux(&c, &st, &err);
	ok(ret == -EINVAL && strstr(err.msg, "use --mem"),
	   "64 MiB is too small for it: \"%s\"", err.msg);
	free(m);
	free(k);
	free(rd);
	globfree(&g);
}

/* Other real bzImages when installed (Debian's memtest86+ package): optional. */
static void test_memtest(void)
{
	static const char *x64 = "/boot/memtest86+x64.bin", *ia32 = "/boot/memtest86+ia32.bin";
	struct mvm_boot_state st;
	struct mvm_boot_cfg c;
	struct mvm_err err = { "" };
	uint8_t *k = NULL;
	size_t n = 0;
	int ret;

	if (mvm_read_file(x64, &k, &n, &err)) {
		tap_skip("# SKIP %s not installed (Debian memtest86+): %s", x64, err.msg);
	} else {
		cfg_for(&c, k, n);
		c.cmdline = "console=ttyS0,115200";
		ret = mvm_boot(&c, &st, &err);
		ok(ret == 0 && st.regs.rip == 0x100200 && st.regs.rsi == 0x7000 &&
		   !strncmp(st.kind, "linux bzImage", 13) && !memcmp(mem + 0x100000,
		   k + ((k[0x1f1] ? k[0x1f1] : 4) + 1) * 512, 512),
		   "%s (%zu bytes) boots in 64 MiB: %s (%d \"%s\")", x64, n, st.kind, ret, err.msg);
		free(k);
	}
	k = NULL;
	if (mvm_read_file(ia32, &k, &n, &err)) {
		tap_skip("# SKIP %s not installed (Debian memtest86+): %s", ia32, err.msg);
		return;
	}
	cfg_for(&c, k, n);
	refused("the 32-bit-only memtest86+ia32.bin", &c, "lacks XLF_KERNEL_64");
	free(k);
}

int main(void)
{
	tap_start();
	mem = malloc(MEM_SIZE);
	test_good();
	test_variants();
	test_bad();
	test_real_kernel();
	test_memtest();
	free(mem);
	return tap_end();
}
