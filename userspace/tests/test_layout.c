// SPDX-License-Identifier: GPL-2.0
/*
 * mv_setup_long_mode() on a plain buffer standing in for guest memory: the
 * page tables are walked as the CPU would walk them, the GDT descriptors are
 * decoded, the sregs checked; then mvm's layout planning and application.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "layout.h"
#include "libminivisor.h"
#include "mv_x86.h"
#include "tap.h"

#define MEM	(8ull << 20)

static uint64_t get64(const uint8_t *mem, uint64_t gpa)
{
	uint64_t v;

	memcpy(&v, mem + gpa, 8);
	return v;
}

/*
 * A 4-level walk for a 2 MiB-page identity map: returns the physical
 * address, or ~0 if not present. Fails (returns ~1) on anything outside
 * the buffer or unexpected (4 KiB leaf, reserved/NX bits, 1 GiB pages).
 */
static uint64_t walk(const uint8_t *mem, uint64_t mem_size, uint64_t cr3, uint64_t va)
{
	const uint64_t addr_mask = 0x000ffffffffff000ull;
	uint64_t e, table = cr3 & addr_mask;
	int level, shift;

	for (level = 4, shift = 39; level >= 2; level--, shift -= 9) {
		uint64_t slot = table + 8 * ((va >> shift) & 0x1ff);

		if (slot + 8 > mem_size)
			return ~1ull;
		e = get64(mem, slot);
		if (!(e & MV_PTE_P))
			return ~0ull;
		if ((e & ~addr_mask & ~0xfffull) || !(e & MV_PTE_RW))
			return ~1ull;	/* NX or high bits set, or read-only */
		if (level == 2) {
			if (!(e & MV_PTE_PS))
				return ~1ull;
			return (e & 0x000fffffffe00000ull) | (va & 0x1fffff);
		}
		if (e & MV_PTE_PS)
			return ~1ull;
		table = e & addr_mask;
	}
	return ~1ull;
}

/* Decode a legacy code/data descriptor into a struct mv_segment. */
static void decode(uint64_t d, struct mv_segment *s)
{
	memset(s, 0, sizeof(*s));
	s->limit = (uint32_t)((d & 0xffff) | ((d >> 32) & 0xf0000));
	s->base = ((d >> 16) & 0xffffff) | ((d >> 32) & 0xff000000);
	s->type = (d >> 40) & 0xf;
	s->s = (d >> 44) & 1;
	s->dpl = (d >> 45) & 3;
	s->present = (d >> 47) & 1;
	s->avl = (d >> 52) & 1;
	s->l = (d >> 53) & 1;
	s->db = (d >> 54) & 1;
	s->g = (d >> 55) & 1;
	if (s->g)
		s->limit = (s->limit << 12) | 0xfff;
}

/* The descriptor in the GDT matches what sregs says the hidden part holds. */
static bool seg_matches(const uint8_t *mem, const struct mv_sregs *sr, const struct mv_segment *s)
{
	struct mv_segment d;

	if ((unsigned int)s->selector + 8 > sr->gdt.limit + 1u)
		return false;
	decode(get64(mem, sr->gdt.base + s->selector), &d);
	return d.base == s->base && d.limit == s->limit && d.type == s->type && d.s == s->s &&
	       d.dpl == s->dpl && d.present == s->present && d.l == s->l && d.db == s->db &&
	       d.g == s->g;
}

static void test_setup_long_mode(uint8_t *mem)
{
	struct mv_vm vm = { .sys_fd = -1, .vm_fd = -1, .vcpu_fd = -1, .mem = mem, .mem_size = MEM };
	struct mv_sregs s;
	struct mv_segment tss;
	uint64_t va, pa, bad = 0, tss_hi;
	const uint64_t pt = 0x10000, gdt = 0x20000, map = 3 * MV_GIB + 5 * MV_2MIB;
	unsigned int i;
	int ret;

	memset(mem, 0xcc, MEM);
	ret = mv_setup_long_mode(&vm, &s, pt, gdt, map);
	ok(ret == 0, "mv_setup_long_mode(pt 0x10000, gdt 0x20000, 3 GiB + 10 MiB) works on a "
	   "plain buffer");
	ok(mv_long_mode_pt_size(map) == 6 * 4096 && mv_long_mode_pt_size(MV_GIB) == 3 * 4096 &&
	   mv_long_mode_pt_size(1) == 3 * 4096, "page-table size: PML4 + PDPT + one PD per GiB");
	ok(mem[pt - 1] == 0xcc && mem[pt + 6 * 4096] == 0xcc && mem[gdt - 1] == 0xcc &&
	   mem[gdt + 4096] == 0xcc, "nothing written outside the tables and the GDT page");

	ok(get64(mem, pt) == ((pt + 0x1000) | 3) && get64(mem, pt + 8) == 0,
	   "PML4[0] -> PDPT, present|writable; PML4[1] empty");
	ok(get64(mem, pt + 0x1000) == ((pt + 0x2000) | 3) &&
	   get64(mem, pt + 0x1000 + 24) == ((pt + 0x5000) | 3) &&
	   get64(mem, pt + 0x1000 + 32) == 0, "PDPT: 4 PDs, then nothing");
	ok(get64(mem, pt + 0x2000) == 0x83 && get64(mem, pt + 0x2008) == (MV_2MIB | 0x83),
	   "PD[0] maps 0 and PD[1] 2 MiB, P|RW|PS");

	for (va = 0; va < map; va += MV_2MIB) {
		if (walk(mem, MEM, s.cr3, va) != va || walk(mem, MEM, s.cr3, va + 0x1fffff) !=
		    va + 0x1fffff)
			bad++;
	}
	ok(bad == 0, "a page walk maps every 2 MiB page below map_size to itself");
	ok(walk(mem, MEM, s.cr3, map) == ~0ull && walk(mem, MEM, s.cr3, 4 * MV_GIB - 1) == ~0ull &&
	   walk(mem, MEM, s.cr3, 1ull << 39) == ~0ull, "nothing mapped past map_size");
	pa = walk(mem, MEM, s.cr3, 0x12345678);
	ok(pa == 0x12345678, "walk(0x12345678) = 0x%llx", (unsigned long long)pa);

	ok(s.cr0 == 0x80050033 && s.cr4 == 0x620 && s.efer == 0x500 && s.cr3 == pt && s.cr2 == 0,
	   "CR0 0x80050033 (PE|MP|ET|NE|WP|AM|PG), CR4 0x620, EFER 0x500, CR3 = pt_gpa");
	ok(s.cs.selector == 8 && s.cs.l == 1 && s.cs.db == 0 && s.cs.type == 0xb && s.cs.s == 1 &&
	   s.cs.present == 1 && s.cs.dpl == 0 && !s.cs.unusable, "CS: 0x08, 64-bit code");
	ok(s.ds.selector == 0x10 && s.ds.type == 3 && s.ds.s && s.ds.present && s.ds.db &&
	   !memcmp(&s.ds, &s.es, sizeof(s.ds)) && !memcmp(&s.ds, &s.fs, sizeof(s.ds)) &&
	   !memcmp(&s.ds, &s.gs, sizeof(s.ds)) && !memcmp(&s.ds, &s.ss, sizeof(s.ds)),
	   "DS/ES/FS/GS/SS: 0x10 flat data");
	ok(seg_matches(mem, &s, &s.cs) && seg_matches(mem, &s, &s.ds),
	   "GDT descriptors 0x08/0x10 match the CS/DS hidden state");
	ok(s.gdt.base == gdt && s.gdt.limit == 0x27 && s.idt.base == 0 && s.idt.limit == 0,
	   "GDTR = gdt_gpa/0x27, IDTR 0/0");
	ok(s.tr.selector == 0x18 && s.tr.type == 0xb && s.tr.present && !s.tr.s &&
	   s.tr.limit == 0x67 && !s.tr.unusable && s.tr.base == gdt + 0x80,
	   "TR: busy 64-bit TSS at gdt_gpa + 0x80, limit 0x67");
	decode(get64(mem, gdt + 0x18), &tss);
	tss_hi = get64(mem, gdt + 0x20);
	ok(tss.base == s.tr.base && tss.limit == 0x67 && tss.type == 0xb && !tss.s &&
	   tss.present && tss_hi == 0, "GDT 0x18: the 16-byte TSS descriptor matches TR");
	ok(s.ldt.unusable, "LDTR unusable");
	for (i = 0; i < 8; i++)
		bad |= s.reserved[i];
	ok(!bad && !s.cs.padding && !s.tr.padding && !s.gdt.padding[0] && !s.idt.padding[2],
	   "reserved and padding fields are zero");
	ok(mem[gdt + 0x80 + 0x66] == 0x68 && mem[gdt + 0x80 + 0x67] == 0,
	   "TSS I/O map base past the limit: no I/O bitmap");

	/* Argument validation. */
	ok(mv_setup_long_mode(&vm, &s, 0x10001, gdt, map) == -EINVAL, "unaligned pt_gpa: -EINVAL");
	ok(mv_setup_long_mode(&vm, &s, pt, gdt + 4, map) == -EINVAL, "unaligned gdt_gpa: -EINVAL");
	ok(mv_setup_long_mode(&vm, &s, pt, gdt + 8, map) == 0, "8-byte aligned gdt_gpa is fine");
	ok(mv_setup_long_mode(&vm, &s, MEM - 5 * 4096, gdt, map) == -EINVAL,
	   "page tables running past the end of memory: -EINVAL");
	ok(mv_setup_long_mode(&vm, &s, MEM - 6 * 4096, gdt, map) == 0,
	   "page tables ending at the last byte of memory");
	ok(mv_setup_long_mode(&vm, &s, UINT64_MAX & ~0xfffull, gdt, map) == -EINVAL,
	   "pt_gpa near 2^64: -EINVAL (no wrap)");
	ok(mv_setup_long_mode(&vm, &s, pt, MEM - 2048, map) == -EINVAL,
	   "GDT page running past the end: -EINVAL");
	ok(mv_setup_long_mode(&vm, &s, pt, pt + 0x5000, map) == -EINVAL,
	   "GDT inside the page tables: -EINVAL");
	ok(mv_setup_long_mode(&vm, &s, pt, pt - 0x800, map) == -EINVAL,
	   "GDT page overlapping the start of the tables: -EINVAL");
	ok(mv_setup_long_mode(&vm, &s, pt, gdt, 0) == -EINVAL, "map_size 0: -EINVAL");
	ok(mv_setup_long_mode(&vm, &s, pt, gdt, 512 * MV_GIB + 1) == -EINVAL,
	   "map_size above 512 GiB: -EINVAL");
	ok(mv_setup_long_mode(NULL, &s, pt, gdt, map) == -EINVAL &&
	   mv_setup_long_mode(&vm, NULL, pt, gdt, map) == -EINVAL,
	   "NULL vm or sregs: -EINVAL");
	vm.mem = NULL;
	ok(mv_setup_long_mode(&vm, &s, pt, gdt, map) == -EINVAL, "vm without memory: -EINVAL");
	vm.mem = mem;
	vm.mem_size = MV_2MIB + 2 * 4096;
	ok(mv_setup_long_mode(&vm, &s, 0, MV_2MIB + 4096, 512 * MV_GIB) == -EINVAL,
	   "tables for 512 GiB (2 MiB + 8 KiB) would run into the GDT page at 2 MiB + 4 KiB");
	ok(mv_setup_long_mode(&vm, &s, 0, MV_2MIB + 4096, 511 * MV_GIB) == 0 &&
	   walk(mem, MEM, s.cr3, 511 * MV_GIB - 1) == 511 * MV_GIB - 1,
	   "tables for 511 GiB fit, and map its last byte");
	vm.mem_size = MEM;
	ok(mv_setup_long_mode(&vm, &s, 0, MEM - 4096, 2 * MV_2MIB) == 0 &&
	   walk(mem, MEM, s.cr3, MV_2MIB + 5) == MV_2MIB + 5 &&
	   walk(mem, MEM, s.cr3, 2 * MV_2MIB) == ~0ull, "a 4 MiB map at pt_gpa 0");
}

static void test_real_mode(void)
{
	struct mv_sregs s;

	memset(&s, 0x55, sizeof(s));
	mv_sregs_real_mode(&s, 0x1234);
	ok(s.cs.selector == 0x1234 && s.cs.base == 0x12340 && s.cs.limit == 0xffff &&
	   s.cs.type == 0xb && s.cs.s && s.cs.present && !s.cs.db && !s.cs.l && !s.cs.g,
	   "real mode CS: base = selector << 4, 64 KiB, code type 0xb");
	ok(s.ss.selector == 0 && s.ss.base == 0 && s.ss.limit == 0xffff && s.ss.type == 3 &&
	   s.ss.s && s.ss.present && !memcmp(&s.ds, &s.ss, sizeof(s.ss)) &&
	   !memcmp(&s.es, &s.ss, sizeof(s.ss)) && !memcmp(&s.fs, &s.ss, sizeof(s.ss)) &&
	   !memcmp(&s.gs, &s.ss, sizeof(s.ss)), "real mode data segments: 0, 64 KiB, type 3");
	ok(s.tr.type == 0xb && s.tr.present && !s.tr.s && !s.tr.unusable && s.tr.limit == 0xffff &&
	   s.ldt.type == 2 && s.ldt.present && !s.ldt.unusable, "TR busy TSS and LDT usable");
	ok(s.gdt.limit == 0xffff && s.idt.limit == 0xffff && s.idt.base == 0,
	   "GDTR/IDTR limit 0xffff (the real-mode IVT at 0)");
	ok(s.cr0 == 0x10 && s.cr3 == 0 && s.cr4 == 0 && s.efer == 0 && !s.reserved[7] &&
	   !s.cs.padding, "CR0 0x10 (ET), CR4/EFER 0, reserved zero");
}

static struct mvm_image one_seg(enum mvm_image_format f, uint64_t gpa, uint64_t size,
				uint64_t entry)
{
	struct mvm_image img;

	memset(&img, 0, sizeof(img));
	img.format = f;
	img.nseg = 1;
	img.seg[0].gpa = gpa;
	img.seg[0].filesz = size;
	img.seg[0].memsz = size;
	img.entry = entry;
	return img;
}

static void test_plan(uint8_t *mem)
{
	struct mvm_options o = { .mem_size = MEM, .mode = MVM_MODE_AUTO };
	struct mvm_image img = one_seg(MVM_IMAGE_FLAT, 0x1000, 0x200, 0x1000);
	struct mv_vm vm = { .sys_fd = -1, .vm_fd = -1, .vcpu_fd = -1, .mem = mem, .mem_size = MEM };
	struct mvm_load_opts lo;
	struct mvm_layout l;
	struct mvm_err err;
	struct mv_regs r;
	struct mv_sregs s;
	int ret;

	mvm_load_opts_from(&o, &lo);
	ok(lo.load_addr == 0x1000 && lo.mem_size == MEM, "default --load in real mode: 0x1000");
	o.mode = MVM_MODE_LONG;
	mvm_load_opts_from(&o, &lo);
	ok(lo.load_addr == 0x100000, "default --load in long mode: 0x100000");
	o.load_set = true;
	o.load_addr = 0x8000;
	mvm_load_opts_from(&o, &lo);
	ok(lo.load_addr == 0x8000 && lo.load_set, "--load wins");
	o.load_set = false;
	o.mode = MVM_MODE_AUTO;

	ret = mvm_layout_plan(&o, &img, &l, &err);
	ok(ret == 0 && l.mode == MVM_MODE_REAL && l.cs == 0 && l.ip == 0x1000,
	   "flat image, auto mode: real mode at 0000:1000");
	ret = mvm_layout_apply(&l, &vm, &r, &s);
	ok(ret == 0 && r.rip == 0x1000 && r.rsp == 0xfff0 && r.rflags == 2 && s.cs.base == 0 &&
	   s.cr0 == 0x10, "real-mode registers: rip 0x1000, sp 0xfff0, rflags 2");

	img.entry = 0x12345;
	ret = mvm_layout_plan(&o, &img, &l, &err);
	ok(ret == 0 && l.cs == 0x1000 && l.ip == 0x2345 && ((uint32_t)l.cs << 4) + l.ip == 0x12345,
	   "entry 0x12345: 1000:2345");
	img.entry = 0xfffff;
	ret = mvm_layout_plan(&o, &img, &l, &err);
	ok(ret == 0 && l.cs == 0xf000 && l.ip == 0xffff, "entry 0xfffff: f000:ffff");
	img.entry = 0x100000;
	ret = mvm_layout_plan(&o, &img, &l, &err);
	ok(ret == -EINVAL && strstr(err.msg, "below 1 MiB"), "real-mode entry at 1 MiB refused: "
	   "\"%s\"", err.msg);
	o.entry_set = true;
	o.entry = MEM;
	ret = mvm_layout_plan(&o, &img, &l, &err);
	ok(ret == -EINVAL && strstr(err.msg, "outside guest memory"),
	   "--entry beyond memory refused: \"%s\"", err.msg);
	o.entry = 0x1100;
	ret = mvm_layout_plan(&o, &img, &l, &err);
	ok(ret == 0 && l.ip == 0x1100, "--entry overrides the image entry");
	o.entry_set = false;

	/* Long mode. */
	img = one_seg(MVM_IMAGE_ELF64, 0x100000, 0x3000, 0x100000);
	ret = mvm_layout_plan(&o, &img, &l, &err);
	ok(ret == 0 && l.mode == MVM_MODE_LONG && l.pt_gpa == 0x1000 &&
	   l.gdt_gpa == 0x1000 + mv_long_mode_pt_size(4 * MV_GIB) && l.map_size == 4 * MV_GIB &&
	   l.rsp == MEM, "ELF64, auto mode: long mode, tables at 0x1000 below the image, 4 GiB map");
	memset(mem, 0, MEM);
	ret = mvm_layout_apply(&l, &vm, &r, &s);
	ok(ret == 0 && r.rip == 0x100000 && r.rsp == MEM && r.rflags == 2 && s.cr3 == 0x1000 &&
	   s.gdt.base == l.gdt_gpa && walk(mem, MEM, s.cr3, 0x100000) == 0x100000 &&
	   walk(mem, MEM, s.cr3, MEM - 8) == MEM - 8 &&
	   walk(mem, MEM, s.cr3, 0xfee00000) == 0xfee00000, "long-mode registers and tables "
	   "(image, stack top and the MMIO hole below 4 GiB mapped)");

	img = one_seg(MVM_IMAGE_FLAT, 0x1000, 0x2800, 0x1000);
	o.mode = MVM_MODE_LONG;
	ret = mvm_layout_plan(&o, &img, &l, &err);
	ok(ret == 0 && l.mode == MVM_MODE_LONG && l.pt_gpa == 0x4000,
	   "--mode long with a flat image at 0x1000: tables after it, page aligned (0x%llx)",
	   (unsigned long long)l.pt_gpa);
	img.seg[1] = img.seg[0];
	img.seg[0].gpa = 0x1000;
	img.seg[0].memsz = 0x5000;
	img.seg[1].gpa = 0xc800;	/* 0x7000 needed, 0x6000 free in [0x6000, 0xc000) */
	img.seg[1].memsz = 0x1000;
	img.nseg = 2;
	ret = mvm_layout_plan(&o, &img, &l, &err);
	ok(ret == 0 && l.pt_gpa == 0xe000,
	   "a gap too small for the tables is skipped; placed after the segment's last page "
	   "(0x%llx)", (unsigned long long)l.pt_gpa);
	img.seg[1].gpa = 0xd000;	/* [0x6000, 0xd000) is exactly 0x7000 */
	ret = mvm_layout_plan(&o, &img, &l, &err);
	ok(ret == 0 && l.pt_gpa == 0x6000, "a gap exactly the size needed is used");

	img = one_seg(MVM_IMAGE_ELF64, 0x1000, MEM - 0x1000 - 0x10000, 0x1000);
	ret = mvm_layout_plan(&o, &img, &l, &err);
	ok(ret == -EINVAL && strstr(err.msg, "no room for the long-mode page tables"),
	   "an image filling memory leaves no room: \"%s\"", err.msg);
	o.mem_size = 64 << 10;
	img = one_seg(MVM_IMAGE_FLAT, 0x1000, 0x100, 0x1000);
	ret = mvm_layout_plan(&o, &img, &l, &err);
	ok(ret == -EINVAL, "64K of memory is too small for long mode");
	o.mem_size = 5ull << 30;
	ret = mvm_layout_plan(&o, &img, &l, &err);
	ok(ret == 0 && l.map_size == 5ull << 30, "5 GiB of memory: map 5 GiB");
	o.mem_size = (4ull << 30) + 4096;
	ret = mvm_layout_plan(&o, &img, &l, &err);
	ok(ret == 0 && l.map_size == (4ull << 30) + MV_2MIB,
	   "4 GiB + 4 KiB of memory: map rounded up to 2 MiB");
}

int main(void)
{
	uint8_t *mem = aligned_alloc(4096, MEM);

	tap_start();
	if (!mem)
		return 1;
	test_setup_long_mode(mem);
	test_real_mode();
	test_plan(mem);
	free(mem);
	return tap_end();
}
