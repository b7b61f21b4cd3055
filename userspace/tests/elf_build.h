/* SPDX-License-Identifier: GPL-2.0 */
/* Building small ELF32/ELF64 files in memory for the loader tests. */
#ifndef MVM_ELF_BUILD_H
#define MVM_ELF_BUILD_H

#include <elf.h>
#include <stdint.h>
#include <string.h>

struct seg_spec {
	uint32_t type;
	uint64_t paddr, offset, filesz, memsz;
};

/* The byte every test file holds at offset off (headers are overwritten). */
static inline uint8_t file_byte(uint64_t off)
{
	return (uint8_t)(off * 7 + 3);
}

/*
 * Fill buf[0, size) with file_byte() and write an ELF header of class cls
 * with n program headers right after it. Returns the header size.
 */
static inline size_t build_elf(uint8_t *buf, size_t size, int cls, uint16_t type,
			       uint16_t machine, uint64_t entry, const struct seg_spec *s,
			       unsigned int n)
{
	unsigned int i;

	for (i = 0; i < size; i++)
		buf[i] = file_byte(i);
	if (cls == ELFCLASS64) {
		Elf64_Ehdr e;

		memset(&e, 0, sizeof(e));
		memcpy(e.e_ident, ELFMAG, SELFMAG);
		e.e_ident[EI_CLASS] = ELFCLASS64;
		e.e_ident[EI_DATA] = ELFDATA2LSB;
		e.e_ident[EI_VERSION] = EV_CURRENT;
		e.e_type = type;
		e.e_machine = machine;
		e.e_version = EV_CURRENT;
		e.e_entry = entry;
		e.e_phoff = sizeof(e);
		e.e_ehsize = sizeof(e);
		e.e_phentsize = sizeof(Elf64_Phdr);
		e.e_phnum = n;
		memcpy(buf, &e, sizeof(e));
		for (i = 0; i < n; i++) {
			Elf64_Phdr p;

			memset(&p, 0, sizeof(p));
			p.p_type = s[i].type;
			p.p_offset = s[i].offset;
			p.p_vaddr = s[i].paddr;
			p.p_paddr = s[i].paddr;
			p.p_filesz = s[i].filesz;
			p.p_memsz = s[i].memsz;
			memcpy(buf + sizeof(e) + i * sizeof(p), &p, sizeof(p));
		}
		return sizeof(e) + n * sizeof(Elf64_Phdr);
	} else {
		Elf32_Ehdr e;

		memset(&e, 0, sizeof(e));
		memcpy(e.e_ident, ELFMAG, SELFMAG);
		e.e_ident[EI_CLASS] = ELFCLASS32;
		e.e_ident[EI_DATA] = ELFDATA2LSB;
		e.e_ident[EI_VERSION] = EV_CURRENT;
		e.e_type = type;
		e.e_machine = machine;
		e.e_version = EV_CURRENT;
		e.e_entry = (uint32_t)entry;
		e.e_phoff = sizeof(e);
		e.e_ehsize = sizeof(e);
		e.e_phentsize = sizeof(Elf32_Phdr);
		e.e_phnum = n;
		memcpy(buf, &e, sizeof(e));
		for (i = 0; i < n; i++) {
			Elf32_Phdr p;

			memset(&p, 0, sizeof(p));
			p.p_type = s[i].type;
			p.p_offset = (uint32_t)s[i].offset;
			p.p_vaddr = (uint32_t)s[i].paddr;
			p.p_paddr = (uint32_t)s[i].paddr;
			p.p_filesz = (uint32_t)s[i].filesz;
			p.p_memsz = (uint32_t)s[i].memsz;
			memcpy(buf + sizeof(e) + i * sizeof(p), &p, sizeof(p));
		}
		return sizeof(e) + n * sizeof(Elf32_Phdr);
	}
}

#endif /* MVM_ELF_BUILD_H */
