// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <inttypes.h>
#include <string.h>

#include "layout.h"
#include "mv_x86.h"

void mvm_load_opts_from(const struct mvm_options *o, struct mvm_load_opts *lo)
{
	memset(lo, 0, sizeof(*lo));
	lo->mem_size = o->mem_size;
	lo->load_set = o->load_set;
	lo->entry_set = o->entry_set;
	/* Only flat images use it, and those run in real mode unless told otherwise. */
	if (o->load_set)
		lo->load_addr = o->load_addr;
	else if (o->mode == MVM_MODE_LONG)
		lo->load_addr = MVM_DEFAULT_LOAD_LONG;
	else
		lo->load_addr = MVM_DEFAULT_LOAD_REAL;
}

static uint64_t round_up(uint64_t v, uint64_t a)
{
	return (v + a - 1) / a * a;
}

/*
 * The lowest page-aligned gap of `need` bytes at or above MVM_LONG_LOW_LIMIT
 * that no image segment touches and that stays clear of the stack reserve
 * at the top of memory. Segments are sorted and disjoint (the loader
 * guarantees it). Returns 0 and *gpa, or -ENOSPC.
 */
static int find_gap(const struct mvm_image *img, uint64_t mem_size, uint64_t need,
		    uint64_t *gpa)
{
	uint64_t cand = MVM_LONG_LOW_LIMIT, limit;
	unsigned int i;

	if (mem_size < MVM_LONG_STACK_RESERVE)
		return -ENOSPC;
	limit = mem_size - MVM_LONG_STACK_RESERVE;
	for (i = 0; i < img->nseg; i++) {
		uint64_t start = img->seg[i].gpa & ~(MV_PAGE_SIZE - 1);
		uint64_t end = round_up(img->seg[i].gpa + img->seg[i].memsz, MV_PAGE_SIZE);

		if (cand + need <= start)
			break;
		if (end > cand)
			cand = end;
	}
	if (cand > limit || need > limit - cand)
		return -ENOSPC;
	*gpa = cand;
	return 0;
}

int mvm_layout_plan(const struct mvm_options *o, const struct mvm_image *img,
		    struct mvm_layout *l, struct mvm_err *err)
{
	uint64_t need;

	memset(l, 0, sizeof(*l));
	l->mem_size = o->mem_size;
	l->mode = o->mode;
	if (l->mode == MVM_MODE_AUTO)
		l->mode = img->format == MVM_IMAGE_ELF64 ? MVM_MODE_LONG : MVM_MODE_REAL;
	l->entry = o->entry_set ? o->entry : img->entry;

	if (l->entry >= o->mem_size) {
		mvm_err_set(err, "the entry point 0x%" PRIx64 " is outside guest memory "
			    "(0x%" PRIx64 " bytes)", l->entry, o->mem_size);
		return -EINVAL;
	}

	if (l->mode == MVM_MODE_REAL) {
		if (l->entry >= 0x100000) {
			mvm_err_set(err, "real mode cannot start at 0x%" PRIx64 ": the entry "
				    "point must be below 1 MiB (use --mode long, or link/load "
				    "the image lower)", l->entry);
			return -EINVAL;
		}
		if (l->entry < 0x10000) {
			l->cs = 0;
			l->ip = (uint16_t)l->entry;
		} else {
			l->cs = (uint16_t)((l->entry >> 4) & 0xf000);
			l->ip = (uint16_t)(l->entry & 0xffff);
		}
		return 0;
	}

	l->map_size = round_up(o->mem_size, MV_2MIB);
	if (l->map_size < MVM_LONG_MIN_MAP)
		l->map_size = MVM_LONG_MIN_MAP;
	need = mv_long_mode_pt_size(l->map_size) + MV_LM_GDT_AREA;
	if (find_gap(img, o->mem_size, need, &l->pt_gpa)) {
		mvm_err_set(err, "no room for the long-mode page tables and GDT (%" PRIu64
			    " bytes) in guest memory between 0x%x and the 64 KiB stack below "
			    "0x%" PRIx64 " that the image leaves free; use a larger --mem",
			    need, MVM_LONG_LOW_LIMIT, o->mem_size);
		return -EINVAL;
	}
	l->gdt_gpa = l->pt_gpa + mv_long_mode_pt_size(l->map_size);
	l->rsp = o->mem_size;
	return 0;
}

int mvm_layout_apply(const struct mvm_layout *l, struct mv_vm *vm, struct mv_regs *regs,
		     struct mv_sregs *sregs)
{
	int ret;

	memset(regs, 0, sizeof(*regs));
	regs->rflags = 0x2;	/* bit 1 is reserved and always set; IF stays clear */
	if (l->mode == MVM_MODE_REAL) {
		mv_sregs_real_mode(sregs, l->cs);
		regs->rip = l->ip;
		regs->rsp = MVM_REAL_MODE_SP;
		return 0;
	}
	ret = mv_setup_long_mode(vm, sregs, l->pt_gpa, l->gdt_gpa, l->map_size);
	if (ret)
		return ret;
	regs->rip = l->entry;
	regs->rsp = l->rsp;
	return 0;
}
