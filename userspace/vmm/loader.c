// SPDX-License-Identifier: GPL-2.0
/*
 * Guest image loader. The file is untrusted: every offset, size and address
 * it contains is range-checked (without overflow) before it is used.
 */
#include <elf.h>
#include <errno.h>
#include <inttypes.h>
#include <string.h>

#include "loader.h"

const char *mvm_image_format_name(enum mvm_image_format f)
{
	switch (f) {
	case MVM_IMAGE_ELF32:
		return "ELF32";
	case MVM_IMAGE_ELF64:
		return "ELF64";
	default:
		return "flat binary";
	}
}

/* [off, off + len) lies inside [0, limit), computed without overflow. */
static bool range_ok(uint64_t off, uint64_t len, uint64_t limit)
{
	return off <= limit && len <= limit - off;
}

static int parse_flat(size_t size, const struct mvm_load_opts *o,
		      struct mvm_image *img, struct mvm_err *err)
{
	if (size == 0) {
		mvm_err_set(err, "the image is empty");
		return -EINVAL;
	}
	if (!range_ok(o->load_addr, size, o->mem_size)) {
		mvm_err_set(err, "the flat image (%zu bytes) loaded at 0x%" PRIx64
			    " does not fit in guest memory (0x%" PRIx64 " bytes)",
			    size, o->load_addr, o->mem_size);
		return -EINVAL;
	}
	img->format = MVM_IMAGE_FLAT;
	img->nseg = 1;
	img->seg[0].gpa = o->load_addr;
	img->seg[0].file_off = 0;
	img->seg[0].filesz = size;
	img->seg[0].memsz = size;
	img->entry = o->load_addr;
	return 0;
}

/* The fields of Elf32/Elf64 headers we use, widened. */
struct elf_hdr {
	unsigned int cls;
	uint16_t type, machine;
	uint64_t entry, phoff;
	uint16_t phentsize, phnum;
};

struct elf_phdr {
	uint32_t type;
	uint64_t offset, paddr, filesz, memsz;
};

static int read_ehdr(const uint8_t *data, size_t size, struct elf_hdr *h, struct mvm_err *err)
{
	size_t need;

	if (size < EI_NIDENT) {
		mvm_err_set(err, "truncated ELF header (%zu bytes)", size);
		return -EINVAL;
	}
	h->cls = data[EI_CLASS];
	if (h->cls != ELFCLASS32 && h->cls != ELFCLASS64) {
		mvm_err_set(err, "unsupported ELF class %u (want 1 = ELF32 or 2 = ELF64)", h->cls);
		return -EINVAL;
	}
	if (data[EI_DATA] != ELFDATA2LSB) {
		mvm_err_set(err, "ELF image is not little-endian (EI_DATA %u)", data[EI_DATA]);
		return -EINVAL;
	}
	if (data[EI_VERSION] != EV_CURRENT) {
		mvm_err_set(err, "unsupported ELF version %u", data[EI_VERSION]);
		return -EINVAL;
	}
	need = h->cls == ELFCLASS32 ? sizeof(Elf32_Ehdr) : sizeof(Elf64_Ehdr);
	if (size < need) {
		mvm_err_set(err, "truncated ELF header (%zu bytes, need %zu)", size, need);
		return -EINVAL;
	}
	/* memcpy: the file buffer carries no alignment guarantee. */
	if (h->cls == ELFCLASS32) {
		Elf32_Ehdr e;

		memcpy(&e, data, sizeof(e));
		h->type = e.e_type;
		h->machine = e.e_machine;
		h->entry = e.e_entry;
		h->phoff = e.e_phoff;
		h->phentsize = e.e_phentsize;
		h->phnum = e.e_phnum;
	} else {
		Elf64_Ehdr e;

		memcpy(&e, data, sizeof(e));
		h->type = e.e_type;
		h->machine = e.e_machine;
		h->entry = e.e_entry;
		h->phoff = e.e_phoff;
		h->phentsize = e.e_phentsize;
		h->phnum = e.e_phnum;
	}
	if (h->type != ET_EXEC) {
		mvm_err_set(err, "ELF type %u is not supported: only ET_EXEC (statically linked, "
			    "not position-independent) images can be loaded", h->type);
		return -EINVAL;
	}
	if (!(h->machine == EM_X86_64 || (h->cls == ELFCLASS32 && h->machine == EM_386))) {
		mvm_err_set(err, "ELF machine %u is not x86 (want %u = EM_386 or %u = EM_X86_64)",
			    h->machine, EM_386, EM_X86_64);
		return -EINVAL;
	}
	if (h->phnum == 0) {
		mvm_err_set(err, "the ELF image has no program headers");
		return -EINVAL;
	}
	if (h->phnum == PN_XNUM) {
		mvm_err_set(err, "the ELF image uses extended program header numbering (PN_XNUM)");
		return -EINVAL;
	}
	need = h->cls == ELFCLASS32 ? sizeof(Elf32_Phdr) : sizeof(Elf64_Phdr);
	if (h->phentsize != need) {
		mvm_err_set(err, "bad ELF program header size %u (want %zu)", h->phentsize, need);
		return -EINVAL;
	}
	if (!range_ok(h->phoff, (uint64_t)h->phnum * h->phentsize, size)) {
		mvm_err_set(err, "ELF program headers (%u at offset 0x%" PRIx64
			    ") extend past the end of the file (%zu bytes)",
			    h->phnum, h->phoff, size);
		return -EINVAL;
	}
	return 0;
}

static void read_phdr(const uint8_t *data, const struct elf_hdr *h, unsigned int i,
		      struct elf_phdr *p)
{
	const uint8_t *src = data + h->phoff + (uint64_t)i * h->phentsize;

	if (h->cls == ELFCLASS32) {
		Elf32_Phdr e;

		memcpy(&e, src, sizeof(e));
		p->type = e.p_type;
		p->offset = e.p_offset;
		p->paddr = e.p_paddr;
		p->filesz = e.p_filesz;
		p->memsz = e.p_memsz;
	} else {
		Elf64_Phdr e;

		memcpy(&e, src, sizeof(e));
		p->type = e.p_type;
		p->offset = e.p_offset;
		p->paddr = e.p_paddr;
		p->filesz = e.p_filesz;
		p->memsz = e.p_memsz;
	}
}

static int add_segment(struct mvm_image *img, unsigned int idx, const struct elf_phdr *p,
		       size_t size, uint64_t mem_size, struct mvm_err *err)
{
	struct mvm_segment *s;
	unsigned int i;

	if (p->filesz > p->memsz) {
		mvm_err_set(err, "PT_LOAD segment %u: p_filesz 0x%" PRIx64
			    " is larger than p_memsz 0x%" PRIx64, idx, p->filesz, p->memsz);
		return -EINVAL;
	}
	if (!range_ok(p->offset, p->filesz, size)) {
		mvm_err_set(err, "PT_LOAD segment %u: file bytes [0x%" PRIx64 ", +0x%" PRIx64
			    ") extend past the end of the file (%zu bytes): truncated image?",
			    idx, p->offset, p->filesz, size);
		return -EINVAL;
	}
	if (p->memsz == 0)
		return 0;	/* nothing to place */
	if (!range_ok(p->paddr, p->memsz, mem_size)) {
		mvm_err_set(err, "PT_LOAD segment %u: [0x%" PRIx64 ", +0x%" PRIx64
			    ") lies outside guest memory (0x%" PRIx64 " bytes; try a larger --mem)",
			    idx, p->paddr, p->memsz, mem_size);
		return -EINVAL;
	}
	if (img->nseg == MVM_MAX_SEGMENTS) {
		mvm_err_set(err, "too many PT_LOAD segments (at most %d)", MVM_MAX_SEGMENTS);
		return -EINVAL;
	}
	/* Insert sorted by address, refusing overlaps: they would make load order matter. */
	for (i = 0; i < img->nseg; i++) {
		s = &img->seg[i];
		if (p->paddr < s->gpa + s->memsz && s->gpa < p->paddr + p->memsz) {
			mvm_err_set(err, "PT_LOAD segment %u [0x%" PRIx64 ", +0x%" PRIx64
				    ") overlaps another one at [0x%" PRIx64 ", +0x%" PRIx64 ")",
				    idx, p->paddr, p->memsz, s->gpa, s->memsz);
			return -EINVAL;
		}
		if (p->paddr < s->gpa)
			break;
	}
	memmove(&img->seg[i + 1], &img->seg[i], (img->nseg - i) * sizeof(img->seg[0]));
	s = &img->seg[i];
	s->gpa = p->paddr;
	s->file_off = p->offset;
	s->filesz = p->filesz;
	s->memsz = p->memsz;
	img->nseg++;
	return 0;
}

static int parse_elf(const uint8_t *data, size_t size, const struct mvm_load_opts *o,
		     struct mvm_image *img, struct mvm_err *err)
{
	struct elf_hdr h;
	struct elf_phdr p;
	unsigned int i;
	int ret;

	ret = read_ehdr(data, size, &h, err);
	if (ret)
		return ret;
	if (o->load_set) {
		mvm_err_set(err, "--load only applies to flat binaries; this is an ELF image, "
			    "whose segments carry their own addresses");
		return -EINVAL;
	}
	for (i = 0; i < h.phnum; i++) {
		read_phdr(data, &h, i, &p);
		if (p.type == PT_INTERP || p.type == PT_DYNAMIC) {
			mvm_err_set(err, "the ELF image is dynamically linked (program header %u "
				    "is PT_%s); link it statically", i,
				    p.type == PT_INTERP ? "INTERP" : "DYNAMIC");
			return -EINVAL;
		}
		if (p.type != PT_LOAD)
			continue;
		ret = add_segment(img, i, &p, size, o->mem_size, err);
		if (ret)
			return ret;
	}
	if (img->nseg == 0) {
		mvm_err_set(err, "the ELF image has no non-empty PT_LOAD segment");
		return -EINVAL;
	}
	img->format = h.cls == ELFCLASS32 ? MVM_IMAGE_ELF32 : MVM_IMAGE_ELF64;
	img->entry = h.entry;
	if (!o->entry_set) {
		for (i = 0; i < img->nseg; i++)
			if (h.entry >= img->seg[i].gpa &&
			    h.entry - img->seg[i].gpa < img->seg[i].memsz)
				break;
		if (i == img->nseg) {
			mvm_err_set(err, "the ELF entry point 0x%" PRIx64
				    " is not inside any PT_LOAD segment", h.entry);
			return -EINVAL;
		}
	}
	return 0;
}

int mvm_image_parse(const uint8_t *data, size_t size, const struct mvm_load_opts *o,
		    struct mvm_image *img, struct mvm_err *err)
{
	memset(img, 0, sizeof(*img));
	img->data = data;
	img->size = size;
	if (size >= SELFMAG && !memcmp(data, ELFMAG, SELFMAG))
		return parse_elf(data, size, o, img, err);
	return parse_flat(size, o, img, err);
}

void mvm_image_load(const struct mvm_image *img, uint8_t *mem)
{
	unsigned int i;

	for (i = 0; i < img->nseg; i++) {
		const struct mvm_segment *s = &img->seg[i];

		memcpy(mem + s->gpa, img->data + s->file_off, s->filesz);
		memset(mem + s->gpa + s->filesz, 0, s->memsz - s->filesz);
	}
}
