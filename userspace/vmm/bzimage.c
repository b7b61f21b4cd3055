// SPDX-License-Identifier: GPL-2.0
/*
 * The Linux x86 boot protocol (the kernel's Documentation/arch/x86/boot.rst),
 * 64-bit entry: the protected-mode part of a bzImage at 1 MiB, a zero page
 * (struct boot_params) with the image's setup header, an e820 map, the
 * command line and the initrd, identity page tables and a GDT with
 * __BOOT_CS / __BOOT_DS, then startup_64 (load address + 0x200) with RSI =
 * the zero page. The file is untrusted: every field is checked before use.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "boot_priv.h"
#include "mv_x86.h"

/* Offsets in the image / in struct boot_params (boot.rst, zero-page.rst). */
#define BP_EXT_RAMDISK_IMAGE	0x0c0
#define BP_EXT_RAMDISK_SIZE	0x0c4
#define BP_EXT_CMD_LINE_PTR	0x0c8
#define BP_E820_ENTRIES		0x1e8
#define BP_SENTINEL		0x1ef
#define BP_HDR			0x1f1	/* struct setup_header */
#define BP_E820_TABLE		0x2d0
#define BP_E820_MAX		128
#define BP_SIZE			0x1000

#define HDR_SETUP_SECTS		0x1f1
#define HDR_BOOT_FLAG		0x1fe
#define HDR_JUMP		0x200
#define HDR_MAGIC		0x202
#define HDR_VERSION		0x206
#define HDR_TYPE_OF_LOADER	0x210
#define HDR_LOADFLAGS		0x211
#define HDR_RAMDISK_IMAGE	0x218
#define HDR_RAMDISK_SIZE	0x21c
#define HDR_HEAP_END_PTR	0x224
#define HDR_CMD_LINE_PTR	0x228
#define HDR_INITRD_ADDR_MAX	0x22c
#define HDR_KERNEL_ALIGNMENT	0x230
#define HDR_RELOCATABLE		0x234
#define HDR_XLOADFLAGS		0x236
#define HDR_CMDLINE_SIZE	0x238
#define HDR_SETUP_DATA		0x250
#define HDR_PREF_ADDRESS	0x258
#define HDR_INIT_SIZE		0x260
#define HDR_END_MAX		0x290	/* boot_params.edd_mbr_sig_buffer follows */

#define HDRS_MAGIC		0x53726448	/* "HdrS" */
#define BOOT_FLAG		0xaa55
#define MIN_VERSION		0x020c		/* 2.12: xloadflags */
#define LOADED_HIGH		0x01
#define KEEP_SEGMENTS		0x40
#define CAN_USE_HEAP		0x80
#define XLF_KERNEL_64		0x01
#define LOADER_UNDEFINED	0xff
#define STARTUP_64_OFFSET	0x200
#define HEAP_END		0xfe00		/* relative to the real-mode code; unused at 64-bit entry */

bool mvm_is_bzimage(const uint8_t *k, size_t n)
{
	return k && n >= HDR_MAGIC + 4 && mvm_get32(k + HDR_MAGIC) == HDRS_MAGIC;
}

/* What the checks found, used to write the boot structures. */
struct bz_plan {
	size_t setup_size;		/* (setup_sects + 1) * 512 */
	size_t hdr_end;			/* end of the setup header in the image */
	uint16_t version;
	uint64_t pm_size;		/* protected-mode part */
	uint64_t run_start, run_end;	/* where it decompresses: init_size bytes */
	uint64_t initrd;		/* GPA, 0 without */
	size_t cmdline_len;
};

static int bz_check(const struct mvm_boot_cfg *c, struct bz_plan *p, struct mvm_err *err)
{
	const uint8_t *k = c->kernel;
	size_t n = c->kernel_size;
	unsigned int sects;
	uint32_t align, initrd_max, cmdline_size, init_size;
	uint64_t pref, need, top, limit, lo;
	uint8_t loadflags;
	uint16_t xlf;

	memset(p, 0, sizeof(*p));
	if (!mvm_is_bzimage(k, n)) {
		mvm_err_set(err, "not a bzImage: no \"HdrS\" magic at offset 0x%x", HDR_MAGIC);
		return -EINVAL;
	}
	if (n < HDR_END_MAX) {
		mvm_err_set(err, "bzImage truncated: %zu bytes, the setup header alone takes 0x%x",
			    n, HDR_END_MAX);
		return -EINVAL;
	}
	p->version = mvm_get16(k + HDR_VERSION);
	if (p->version < MIN_VERSION) {
		mvm_err_set(err, "bzImage boot protocol %u.%02u is too old: the 64-bit entry "
			    "needs 2.12 or later (xloadflags)", p->version >> 8,
			    p->version & 0xff);
		return -EINVAL;
	}
	if (mvm_get16(k + HDR_BOOT_FLAG) != BOOT_FLAG) {
		mvm_err_set(err, "bzImage boot_flag is 0x%04x, not 0xaa55",
			    mvm_get16(k + HDR_BOOT_FLAG));
		return -EINVAL;
	}
	/* The header runs to the end of the jump at 0x200: 0x202 + its 8-bit offset. */
	p->hdr_end = HDR_MAGIC + k[HDR_JUMP + 1];
	if (p->hdr_end < HDR_INIT_SIZE + 4 || p->hdr_end > HDR_END_MAX) {
		mvm_err_set(err, "bzImage setup header ends at 0x%zx (the jump at 0x200): want "
			    "0x%x..0x%x for protocol 2.12+", p->hdr_end, HDR_INIT_SIZE + 4,
			    HDR_END_MAX);
		return -EINVAL;
	}
	sects = k[HDR_SETUP_SECTS];
	if (!sects)
		sects = 4;		/* boot.rst: 0 means 4 */
	p->setup_size = (size_t)(sects + 1) * 512;
	if (p->setup_size < p->hdr_end || n <= p->setup_size) {
		mvm_err_set(err, "bzImage truncated: %zu bytes, but the %u setup sectors and the "
			    "boot sector take %zu", n, sects, p->setup_size);
		return -EINVAL;
	}
	p->pm_size = n - p->setup_size;

	loadflags = k[HDR_LOADFLAGS];
	if (!(loadflags & LOADED_HIGH)) {
		mvm_err_set(err, "not a bzImage: loadflags 0x%02x lacks LOADED_HIGH (a zImage "
			    "loaded at 0x10000 is not supported)", loadflags);
		return -EINVAL;
	}
	xlf = mvm_get16(k + HDR_XLOADFLAGS);
	if (!(xlf & XLF_KERNEL_64)) {
		mvm_err_set(err, "the kernel has no 64-bit entry point (xloadflags 0x%04x lacks "
			    "XLF_KERNEL_64): a 32-bit kernel is not supported", xlf);
		return -EINVAL;
	}
	align = mvm_get32(k + HDR_KERNEL_ALIGNMENT);
	if (!align || (align & (align - 1)) || align > (1u << 30)) {
		mvm_err_set(err, "bzImage kernel_alignment 0x%x is not a power of two up to "
			    "1 GiB", align);
		return -EINVAL;
	}
	init_size = mvm_get32(k + HDR_INIT_SIZE);
	if (init_size < p->pm_size) {
		mvm_err_set(err, "bzImage init_size 0x%x is smaller than its protected-mode part "
			    "(0x%" PRIx64 " bytes)", init_size, p->pm_size);
		return -EINVAL;
	}
	pref = mvm_get64(k + HDR_PREF_ADDRESS);
	/*
	 * Where the kernel decompresses and runs: a relocatable kernel at the
	 * load address rounded up to kernel_alignment, but never below
	 * pref_address (its LOAD_PHYSICAL_ADDR); otherwise at pref_address.
	 * init_size bytes from there must be RAM.
	 */
	if (k[HDR_RELOCATABLE]) {
		p->run_start = mvm_align_up(MVM_BOOT_KERNEL, align);
		if (p->run_start < pref)
			p->run_start = pref;
	} else {
		p->run_start = pref ? pref : MVM_BOOT_KERNEL;
	}
	if (p->run_start < MVM_BOOT_KERNEL || p->run_start >= MVM_BOOT_MAX_MEM) {
		mvm_err_set(err, "bzImage pref_address 0x%" PRIx64 " is outside the RAM mvm "
			    "gives a kernel (0x%llx..0x%llx)", pref, MVM_BOOT_KERNEL,
			    MVM_BOOT_MAX_MEM);
		return -EINVAL;
	}
	p->run_end = p->run_start + init_size;
	need = p->run_end > MVM_BOOT_KERNEL + p->pm_size ? p->run_end :
	       MVM_BOOT_KERNEL + p->pm_size;
	if (need > c->mem_size) {
		mvm_err_set(err, "the kernel needs RAM up to 0x%" PRIx64 " (init_size 0x%x from "
			    "0x%" PRIx64 "), but guest memory ends at 0x%" PRIx64 ": use "
			    "--mem %" PRIu64 "M or more", need, init_size, p->run_start,
			    c->mem_size, ((need + c->initrd_size) >> 20) + 16);
		return -EINVAL;
	}

	cmdline_size = mvm_get32(k + HDR_CMDLINE_SIZE);
	p->cmdline_len = c->cmdline ? strlen(c->cmdline) : 0;
	if (p->cmdline_len > cmdline_size) {
		mvm_err_set(err, "the command line is %zu bytes, the kernel takes at most %u "
			    "(cmdline_size)", p->cmdline_len, cmdline_size);
		return -EINVAL;
	}
	if (p->cmdline_len >= MVM_BOOT_CMDLINE_MAX) {
		mvm_err_set(err, "the command line is %zu bytes: at most %llu", p->cmdline_len,
			    MVM_BOOT_CMDLINE_MAX - 1);
		return -EINVAL;
	}

	if (!c->initrd)
		return 0;
	/*
	 * The initrd goes as high as possible: page aligned, its last byte at
	 * most initrd_addr_max, inside RAM, and above everything the kernel
	 * occupies while it decompresses.
	 */
	initrd_max = mvm_get32(k + HDR_INITRD_ADDR_MAX);
	top = (uint64_t)initrd_max + 1;
	if (top > c->mem_size)
		top = c->mem_size;
	lo = need;
	limit = top > lo ? top - lo : 0;
	if (c->initrd_size > limit || (top - c->initrd_size) / MV_PAGE_SIZE * MV_PAGE_SIZE < lo) {
		mvm_err_set(err, "the initrd (%zu bytes) does not fit between the kernel's end "
			    "0x%" PRIx64 " and 0x%" PRIx64 " (the end of RAM or initrd_addr_max "
			    "0x%x): use a larger --mem", c->initrd_size, lo, top, initrd_max);
		return -EINVAL;
	}
	p->initrd = (top - c->initrd_size) & ~(MV_PAGE_SIZE - 1);
	return 0;
}

int mvm_bzimage_check(const struct mvm_boot_cfg *c, struct mvm_err *err)
{
	struct bz_plan p;

	if (mvm_boot_check_cfg(c, false, err) || bz_check(c, &p, err))
		return -EINVAL;
	return 0;
}

/* 4-level identity page tables for MVM_BOOT_PT_MAP bytes in 2 MiB pages. */
static void bz_page_tables(uint8_t *mem)
{
	uint64_t pt = MVM_BOOT_PAGE_TABLES, npd = MVM_BOOT_PT_MAP / MV_GIB, i;
	uint8_t *pml4 = mem + pt, *pdpt = pml4 + MV_PAGE_SIZE, *pd = pdpt + MV_PAGE_SIZE;

	memset(pml4, 0, (2 + npd) * MV_PAGE_SIZE);
	mvm_put64(pml4, (pt + MV_PAGE_SIZE) | MV_PTE_P | MV_PTE_RW);
	for (i = 0; i < npd; i++)
		mvm_put64(pdpt + 8 * i, (pt + (2 + i) * MV_PAGE_SIZE) | MV_PTE_P | MV_PTE_RW);
	/* The PDs are contiguous: entry i of them all maps 2 MiB page i. */
	for (i = 0; i < MVM_BOOT_PT_MAP / MV_2MIB; i++)
		mvm_put64(pd + 8 * i, (i * MV_2MIB) | MV_PTE_P | MV_PTE_RW | MV_PTE_PS);
}

int mvm_boot_linux(const struct mvm_boot_cfg *c, struct mvm_boot_state *out,
		   struct mvm_err *err)
{
	struct mvm_e820_entry e820[MVM_E820_MAX];
	static char kind[64];	/* out->kind; what it says depends only on the version */
	struct bz_plan p;
	uint8_t *bp, *mem;
	unsigned int ne, i;

	if (mvm_boot_check_cfg(c, true, err) || bz_check(c, &p, err))
		return -EINVAL;
	mem = c->mem;

	/* The protected-mode kernel at 1 MiB; the rest of init_size is the kernel's. */
	memcpy(mem + MVM_BOOT_KERNEL, c->kernel + p.setup_size, p.pm_size);
	if (c->initrd)
		memcpy(mem + p.initrd, c->initrd, c->initrd_size);
	memset(mem + MVM_BOOT_CMDLINE, 0, p.cmdline_len + 1);
	if (p.cmdline_len)
		memcpy(mem + MVM_BOOT_CMDLINE, c->cmdline, p.cmdline_len);

	/* The zero page: all zero (sentinel included), then the image's setup header. */
	bp = mem + MVM_BOOT_ZERO_PAGE;
	memset(bp, 0, BP_SIZE);
	memcpy(bp + BP_HDR, c->kernel + BP_HDR, p.hdr_end - BP_HDR);
	bp[HDR_TYPE_OF_LOADER] = LOADER_UNDEFINED;
	/* Heap usable; segments are the loader's business only at the 32-bit entry. */
	bp[HDR_LOADFLAGS] = (uint8_t)((bp[HDR_LOADFLAGS] | CAN_USE_HEAP) & ~KEEP_SEGMENTS);
	mvm_put16(bp + HDR_HEAP_END_PTR, HEAP_END);
	mvm_put32(bp + HDR_CMD_LINE_PTR, (uint32_t)MVM_BOOT_CMDLINE);
	mvm_put32(bp + HDR_RAMDISK_IMAGE, (uint32_t)p.initrd);
	mvm_put32(bp + HDR_RAMDISK_SIZE, (uint32_t)c->initrd_size);
	mvm_put64(bp + HDR_SETUP_DATA, 0);	/* no setup_data chain */
	/* Everything is below 4 GiB: the ext_ fields stay 0. */
	ne = mvm_e820_build(c->mem_size, e820, MVM_E820_MAX);
	bp[BP_E820_ENTRIES] = (uint8_t)ne;
	for (i = 0; i < ne; i++) {
		uint8_t *ent = bp + BP_E820_TABLE + 20 * i;

		mvm_put64(ent, e820[i].addr);
		mvm_put64(ent + 8, e820[i].size);
		mvm_put32(ent + 16, e820[i].type);
	}

	/* 64-bit entry (boot.rst "64-bit Boot Protocol"). */
	memset(out, 0, sizeof(*out));
	bz_page_tables(mem);
	mvm_boot_gdt(mem, &out->sregs, true);
	out->sregs.cr0 = MV_CR0_PE | MV_CR0_MP | MV_CR0_ET | MV_CR0_NE | MV_CR0_WP | MV_CR0_PG;
	out->sregs.cr3 = MVM_BOOT_PAGE_TABLES;
	out->sregs.cr4 = MV_CR4_PAE;
	out->sregs.efer = MV_EFER_LME | MV_EFER_LMA;
	out->regs.rflags = 0x2;		/* interrupts off */
	out->regs.rip = MVM_BOOT_KERNEL + STARTUP_64_OFFSET;
	out->regs.rsi = MVM_BOOT_ZERO_PAGE;
	out->regs.rsp = MVM_BOOT_STACK;

	snprintf(kind, sizeof(kind), "linux bzImage (boot protocol %u.%02u)", p.version >> 8,
		 p.version & 0xff);
	out->kind = kind;
	out->kernel_start = MVM_BOOT_KERNEL;
	out->kernel_end = p.run_end > MVM_BOOT_KERNEL + p.pm_size ? p.run_end :
			  MVM_BOOT_KERNEL + p.pm_size;
	out->initrd_start = p.initrd;
	out->initrd_end = c->initrd ? p.initrd + c->initrd_size : 0;
	out->entry = out->regs.rip;
	out->info = MVM_BOOT_ZERO_PAGE;
	return 0;
}
