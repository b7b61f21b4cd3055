// SPDX-License-Identifier: GPL-2.0
/*
 * Multiboot v1 (the Multiboot Specification 0.6.96): a kernel with a
 * multiboot header in its first 8 KiB is loaded by its ELF32 program
 * headers (p_paddr) or by the header's a.out-kludge address fields (flag
 * 16), and entered in 32-bit protected mode with EAX = 0x2BADB002 and EBX =
 * the multiboot information structure (memory sizes, memory map, command
 * line, the initrd as module 0). Paging off, interrupts off, A20 on (there
 * is no A20 gate). The file is untrusted: every field is checked.
 */
#include <errno.h>
#include <inttypes.h>
#include <string.h>

#include "boot_priv.h"
#include "loader.h"
#include "mv_x86.h"

#define MB_MAGIC		0x1badb002u
#define MB_BOOT_MAGIC		0x2badb002u
#define MB_SEARCH		8192
#define MB_HDR_MIN		12
#define MB_HDR_AOUT		32	/* with the address fields */

/* Header flags (spec 3.1.2); bits 0-15 are requirements, 16-31 optional. */
#define MB_F_PAGE_ALIGN		(1u << 0)	/* modules page aligned: always done */
#define MB_F_MEMORY		(1u << 1)	/* mem_* and mmap: always given */
#define MB_F_VIDEO		(1u << 2)	/* video mode: text mode, no table */
#define MB_F_AOUT_KLUDGE	(1u << 16)
#define MB_F_REQUIRED_KNOWN	(MB_F_PAGE_ALIGN | MB_F_MEMORY | MB_F_VIDEO)

/* Information flags (spec 3.3). */
#define MBI_MEMORY		(1u << 0)
#define MBI_CMDLINE		(1u << 2)
#define MBI_MODS		(1u << 3)
#define MBI_MMAP		(1u << 6)
#define MBI_LOADER_NAME		(1u << 9)

/* The information area at MVM_BOOT_MB_INFO. */
#define MBI_OFF_INFO		0x000	/* struct multiboot_info, 116 bytes */
#define MBI_OFF_MMAP		0x080	/* MVM_E820_MAX entries of 24 bytes */
#define MBI_OFF_MODS		0x180	/* one 16-byte module entry */
#define MBI_OFF_NAME		0x1c0	/* "mvm" */
#define MBI_OFF_MODSTR		0x200	/* module string, to MVM_BOOT_MB_INFO_END */
#define MBI_MODSTR_MAX		(MVM_BOOT_MB_INFO_END - MVM_BOOT_MB_INFO - MBI_OFF_MODSTR)

_Static_assert(MBI_OFF_MMAP + 24 * MVM_E820_MAX <= MBI_OFF_MODS, "mmap overflows");

static uint32_t mb_sum(const uint8_t *h)
{
	return mvm_get32(h) + mvm_get32(h + 4) + mvm_get32(h + 8);
}

/*
 * The offset of the first header with the magic, 4-byte aligned and wholly
 * in the first 8 KiB; -1 if none. *sum_ok says whether its checksum holds.
 * A magic with a bad checksum is skipped if a good header follows.
 */
static long mb_find(const uint8_t *k, size_t n, bool *sum_ok)
{
	size_t lim = n < MB_SEARCH ? n : MB_SEARCH, off;
	long bad = -1;

	*sum_ok = false;
	if (!k)
		return -1;
	for (off = 0; off + MB_HDR_MIN <= lim; off += 4) {
		if (mvm_get32(k + off) != MB_MAGIC)
			continue;
		if (mb_sum(k + off) == 0) {
			*sum_ok = true;
			return (long)off;
		}
		if (bad < 0)
			bad = (long)off;
	}
	return bad;
}

bool mvm_is_multiboot(const uint8_t *k, size_t n)
{
	bool ok;

	return mb_find(k, n, &ok) >= 0 && ok;
}

struct mb_plan {
	struct mvm_image img;		/* the kernel's segments */
	uint64_t entry;
	uint64_t kernel_end;		/* highest loaded byte + 1 */
	uint64_t mod;			/* module 0 (the initrd) GPA */
	const char *kind;
};

/* The a.out kludge: the header's own address fields say what goes where. */
static int mb_aout(const struct mvm_boot_cfg *c, size_t off, struct mb_plan *p,
		   struct mvm_err *err)
{
	const uint8_t *h = c->kernel + off;
	uint32_t header_addr, load_addr, load_end, bss_end, entry;
	uint64_t file_off, filesz, memsz;

	if (off + MB_HDR_AOUT > c->kernel_size || off + MB_HDR_AOUT > MB_SEARCH) {
		mvm_err_set(err, "multiboot header at 0x%zx: flag 16 (address fields) set but "
			    "the header's 32 bytes do not fit in the file's first 8 KiB", off);
		return -EINVAL;
	}
	header_addr = mvm_get32(h + 12);
	load_addr = mvm_get32(h + 16);
	load_end = mvm_get32(h + 20);
	bss_end = mvm_get32(h + 24);
	entry = mvm_get32(h + 28);
	if (load_addr > header_addr || header_addr - load_addr > off) {
		mvm_err_set(err, "multiboot header: load_addr 0x%x and header_addr 0x%x put the "
			    "load start before the file's beginning (header at offset 0x%zx)",
			    load_addr, header_addr, off);
		return -EINVAL;
	}
	file_off = off - (header_addr - load_addr);
	if (load_end) {
		if (load_end < load_addr || load_end - load_addr > c->kernel_size - file_off) {
			mvm_err_set(err, "multiboot header: load_end_addr 0x%x is below load_addr "
				    "0x%x or past the end of the file (%zu bytes)", load_end,
				    load_addr, c->kernel_size);
			return -EINVAL;
		}
		filesz = load_end - load_addr;
	} else {
		filesz = c->kernel_size - file_off;
	}
	memsz = filesz;
	if (bss_end) {
		if (bss_end < load_addr + filesz) {
			mvm_err_set(err, "multiboot header: bss_end_addr 0x%x is below the end of "
				    "the loaded text and data (0x%" PRIx64 ")", bss_end,
				    load_addr + filesz);
			return -EINVAL;
		}
		memsz = bss_end - load_addr;
	}
	if (!memsz) {
		mvm_err_set(err, "multiboot header: nothing to load (load_end_addr = load_addr)");
		return -EINVAL;
	}
	if (!mvm_range_ok(load_addr, memsz, c->mem_size)) {
		mvm_err_set(err, "multiboot kernel [0x%x, +0x%" PRIx64 ") lies outside guest "
			    "memory (0x%" PRIx64 " bytes; try a larger --mem)", load_addr, memsz,
			    c->mem_size);
		return -EINVAL;
	}
	if (entry < load_addr || entry - load_addr >= memsz) {
		mvm_err_set(err, "multiboot header: entry_addr 0x%x is outside the loaded image "
			    "[0x%x, +0x%" PRIx64 ")", entry, load_addr, memsz);
		return -EINVAL;
	}
	p->img.data = c->kernel;
	p->img.size = c->kernel_size;
	p->img.format = MVM_IMAGE_FLAT;
	p->img.nseg = 1;
	p->img.seg[0].gpa = load_addr;
	p->img.seg[0].file_off = file_off;
	p->img.seg[0].filesz = filesz;
	p->img.seg[0].memsz = memsz;
	p->entry = entry;
	p->kind = "multiboot (a.out kludge)";
	return 0;
}

static int mb_elf(const struct mvm_boot_cfg *c, struct mb_plan *p, struct mvm_err *err)
{
	struct mvm_load_opts lo = { .mem_size = c->mem_size };
	struct mvm_err e2;

	if (c->kernel_size < 4 || memcmp(c->kernel, "\177ELF", 4)) {
		mvm_err_set(err, "the multiboot kernel is not an ELF file and its header has no "
			    "address fields (flag 16)");
		return -EINVAL;
	}
	if (mvm_image_parse(c->kernel, c->kernel_size, &lo, &p->img, &e2)) {
		mvm_err_set(err, "multiboot kernel: %s", e2.msg);
		return -EINVAL;
	}
	if (p->img.format != MVM_IMAGE_ELF32) {
		mvm_err_set(err, "the multiboot kernel is ELF64: Multiboot v1 loads ELF32 kernels "
			    "(or use the header's address fields, flag 16)");
		return -EINVAL;
	}
	p->entry = p->img.entry;
	p->kind = "multiboot ELF32";
	return 0;
}

static int mb_check(const struct mvm_boot_cfg *c, struct mb_plan *p, struct mvm_err *err)
{
	const struct mvm_segment *last;
	uint32_t flags, unknown;
	bool sum_ok;
	long off;
	int ret;

	memset(p, 0, sizeof(*p));
	off = mb_find(c->kernel, c->kernel_size, &sum_ok);
	if (off < 0) {
		mvm_err_set(err, "no multiboot header (magic 0x1BADB002, 4-byte aligned) in the "
			    "kernel's first 8 KiB");
		return -EINVAL;
	}
	flags = mvm_get32(c->kernel + off + 4);
	if (!sum_ok) {
		mvm_err_set(err, "multiboot header at offset 0x%lx: bad checksum 0x%08x (magic + "
			    "flags + checksum must be 0 mod 2^32, want 0x%08x)", off,
			    mvm_get32(c->kernel + off + 8), (uint32_t)-(MB_MAGIC + flags));
		return -EINVAL;
	}
	unknown = flags & 0xffff & ~MB_F_REQUIRED_KNOWN;
	if (unknown) {
		mvm_err_set(err, "multiboot header flags 0x%08x require features mvm does not "
			    "know (bits 0x%04x)", flags, unknown);
		return -EINVAL;
	}
	if (flags & MB_F_AOUT_KLUDGE)
		ret = mb_aout(c, (size_t)off, p, err);
	else
		ret = mb_elf(c, p, err);
	if (ret)
		return ret;

	/* The loader's own structures live below 1 MiB, the firmware area too. */
	if (p->img.seg[0].gpa < MVM_HIGH_RAM_START) {
		mvm_err_set(err, "multiboot kernel loads at 0x%" PRIx64 ": mvm loads kernels at "
			    "or above 1 MiB (0x100000)", p->img.seg[0].gpa);
		return -EINVAL;
	}
	last = &p->img.seg[p->img.nseg - 1];
	p->kernel_end = last->gpa + last->memsz;
	if (p->entry > 0xffffffffull) {
		mvm_err_set(err, "multiboot entry point 0x%" PRIx64 " is above 4 GiB", p->entry);
		return -EINVAL;
	}
	if (c->initrd) {
		p->mod = mvm_align_up(p->kernel_end, MV_PAGE_SIZE);
		if (!mvm_range_ok(p->mod, c->initrd_size, c->mem_size)) {
			mvm_err_set(err, "the initrd (%zu bytes, module 0) does not fit after the "
				    "kernel at 0x%" PRIx64 " in guest memory (0x%" PRIx64
				    " bytes): use a larger --mem", c->initrd_size, p->mod,
				    c->mem_size);
			return -EINVAL;
		}
	}
	if (c->initrd_name && strlen(c->initrd_name) >= MBI_MODSTR_MAX) {
		mvm_err_set(err, "the module string is %zu bytes long: at most %llu",
			    strlen(c->initrd_name), MBI_MODSTR_MAX - 1);
		return -EINVAL;
	}
	return 0;
}

int mvm_multiboot_check(const struct mvm_boot_cfg *c, struct mvm_err *err)
{
	struct mb_plan p;

	if (mvm_boot_check_cfg(c, false, err) || mb_check(c, &p, err))
		return -EINVAL;
	return 0;
}

int mvm_boot_multiboot(const struct mvm_boot_cfg *c, struct mvm_boot_state *out,
		       struct mvm_err *err)
{
	struct mvm_e820_entry e820[MVM_E820_MAX];
	const char *cmdline, *modstr;
	uint8_t *mbi, *info;
	struct mb_plan p;
	uint64_t upper;
	unsigned int ne, i;

	if (mvm_boot_check_cfg(c, true, err) || mb_check(c, &p, err))
		return -EINVAL;

	mvm_image_load(&p.img, c->mem);
	if (c->initrd)
		memcpy(c->mem + p.mod, c->initrd, c->initrd_size);

	cmdline = c->cmdline ? c->cmdline : "";
	modstr = c->initrd_name ? c->initrd_name : "initrd";
	memcpy(c->mem + MVM_BOOT_CMDLINE, cmdline, strlen(cmdline) + 1);

	mbi = c->mem + MVM_BOOT_MB_INFO;
	memset(mbi, 0, MVM_BOOT_MB_INFO_END - MVM_BOOT_MB_INFO);
	info = mbi + MBI_OFF_INFO;
	mvm_put32(info + 0, MBI_MEMORY | MBI_CMDLINE | MBI_MODS | MBI_MMAP | MBI_LOADER_NAME);
	/* KiB of RAM from 0 and from 1 MiB to the first hole (spec 3.3). */
	mvm_put32(info + 4, (uint32_t)(MVM_EBDA_START >> 10));
	upper = c->mem_size > MVM_HIGH_RAM_START ? (c->mem_size - MVM_HIGH_RAM_START) >> 10 : 0;
	mvm_put32(info + 8, (uint32_t)upper);
	mvm_put32(info + 16, (uint32_t)MVM_BOOT_CMDLINE);
	mvm_put32(info + 20, c->initrd ? 1 : 0);
	mvm_put32(info + 24, (uint32_t)(MVM_BOOT_MB_INFO + MBI_OFF_MODS));
	if (c->initrd) {
		uint8_t *mod = mbi + MBI_OFF_MODS;

		mvm_put32(mod + 0, (uint32_t)p.mod);
		mvm_put32(mod + 4, (uint32_t)(p.mod + c->initrd_size));	/* exclusive */
		mvm_put32(mod + 8, (uint32_t)(MVM_BOOT_MB_INFO + MBI_OFF_MODSTR));
		memcpy(mbi + MBI_OFF_MODSTR, modstr, strlen(modstr) + 1);
	}
	/* mmap: entries of size (4, not counting itself), base, length, type. */
	ne = mvm_e820_build(c->mem_size, e820, MVM_E820_MAX);
	for (i = 0; i < ne; i++) {
		uint8_t *m = mbi + MBI_OFF_MMAP + 24 * i;

		mvm_put32(m, 20);
		mvm_put64(m + 4, e820[i].addr);
		mvm_put64(m + 12, e820[i].size);
		mvm_put32(m + 20, e820[i].type);
	}
	mvm_put32(info + 44, 24 * ne);
	mvm_put32(info + 48, (uint32_t)(MVM_BOOT_MB_INFO + MBI_OFF_MMAP));
	mvm_put32(info + 64, (uint32_t)(MVM_BOOT_MB_INFO + MBI_OFF_NAME));
	memcpy(mbi + MBI_OFF_NAME, "mvm", 4);

	/* Machine state (spec 3.2): flat 32-bit segments, PE on, PG off, IF off. */
	memset(out, 0, sizeof(*out));
	mvm_boot_gdt(c->mem, &out->sregs, false);
	/* ET is hard-wired to 1 on every CPU with VMX (SDM Vol. 3A 2.5). */
	out->sregs.cr0 = MV_CR0_PE | MV_CR0_ET;
	out->regs.rax = MB_BOOT_MAGIC;
	out->regs.rbx = MVM_BOOT_MB_INFO + MBI_OFF_INFO;
	out->regs.rip = p.entry;
	out->regs.rsp = MVM_BOOT_STACK;
	out->regs.rflags = 0x2;
	out->kind = p.kind;
	out->kernel_start = p.img.seg[0].gpa;
	out->kernel_end = p.kernel_end;
	out->initrd_start = c->initrd ? p.mod : 0;
	out->initrd_end = c->initrd ? p.mod + c->initrd_size : 0;
	out->entry = p.entry;
	out->info = MVM_BOOT_MB_INFO + MBI_OFF_INFO;
	return 0;
}
