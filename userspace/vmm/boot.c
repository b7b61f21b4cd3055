// SPDX-License-Identifier: GPL-2.0
/*
 * What the boot loaders share: the memory map, the checks on the machine's
 * configuration, the GDT, and mvm_boot() which picks the protocol.
 */
#include <errno.h>
#include <inttypes.h>
#include <string.h>

#include "boot_priv.h"
#include "mv_x86.h"

static unsigned int e820_add(struct mvm_e820_entry *e, unsigned int n, unsigned int max,
			     uint64_t addr, uint64_t end, uint32_t type)
{
	if (end <= addr || n >= max)
		return n;
	e[n].addr = addr;
	e[n].size = end - addr;
	e[n].type = type;
	return n + 1;
}

/*
 * Low RAM up to the EBDA, the legacy hole split so that the ACPI tables
 * have an entry of their own (type 3, so an OS knows it may read them),
 * then RAM from 1 MiB. Whatever memory exists above MVM_BOOT_MAX_MEM is
 * not described (the loaders refuse such a size anyway).
 */
unsigned int mvm_e820_build(uint64_t mem_size, struct mvm_e820_entry *e, unsigned int max)
{
	unsigned int n = 0;
	uint64_t top = mem_size < MVM_BOOT_MAX_MEM ? mem_size : MVM_BOOT_MAX_MEM;

	n = e820_add(e, n, max, 0, top < MVM_EBDA_START ? top : MVM_EBDA_START, MVM_E820_RAM);
	n = e820_add(e, n, max, MVM_EBDA_START, MVM_ACPI_BASE, MVM_E820_RESERVED);
	n = e820_add(e, n, max, MVM_ACPI_BASE, MVM_ACPI_BASE + MVM_ACPI_SIZE, MVM_E820_ACPI);
	n = e820_add(e, n, max, MVM_ACPI_BASE + MVM_ACPI_SIZE, MVM_HIGH_RAM_START,
		     MVM_E820_RESERVED);
	n = e820_add(e, n, max, MVM_HIGH_RAM_START, top, MVM_E820_RAM);
	return n;
}

int mvm_boot_check_cfg(const struct mvm_boot_cfg *c, bool need_mem, struct mvm_err *err)
{
	if (!c || (need_mem && !c->mem)) {
		mvm_err_set(err, "no guest memory");
		return -EINVAL;
	}
	if (c->mem_size % MV_PAGE_SIZE || c->mem_size < MV_2MIB) {
		mvm_err_set(err, "guest memory of 0x%" PRIx64 " bytes: need a multiple of 4 KiB, "
			    "at least 2 MiB", c->mem_size);
		return -EINVAL;
	}
	if (c->mem_size > MVM_BOOT_MAX_MEM) {
		mvm_err_set(err, "guest memory of %" PRIu64 " MiB: at most %llu MiB can boot a "
			    "kernel (RAM ends below the MMIO hole at 0x%llx)", c->mem_size >> 20,
			    MVM_BOOT_MAX_MEM >> 20, MVM_BOOT_MAX_MEM);
		return -EINVAL;
	}
	if (c->ncpus < 1 || c->ncpus > MVM_BOOT_MAX_CPUS) {
		mvm_err_set(err, "%u vCPUs: need 1..%d", c->ncpus, MVM_BOOT_MAX_CPUS);
		return -EINVAL;
	}
	if (!c->kernel || !c->kernel_size) {
		mvm_err_set(err, "the kernel is empty");
		return -EINVAL;
	}
	if (c->initrd && !c->initrd_size) {
		mvm_err_set(err, "the initrd is empty");
		return -EINVAL;
	}
	if (!c->initrd && c->initrd_size) {
		mvm_err_set(err, "an initrd size without an initrd");
		return -EINVAL;
	}
	if (c->cmdline && strlen(c->cmdline) >= MVM_BOOT_CMDLINE_MAX) {
		mvm_err_set(err, "the command line is %zu bytes long: at most %llu",
			    strlen(c->cmdline), MVM_BOOT_CMDLINE_MAX - 1);
		return -EINVAL;
	}
	return 0;
}

/* Legacy 8-byte code/data/system descriptor (SDM Vol. 3A 3.4.5). */
static uint64_t desc(uint32_t base, uint32_t limit, uint8_t type, unsigned int s,
		     unsigned int l, unsigned int db, unsigned int g)
{
	uint64_t d = 0;

	d |= (uint64_t)(limit & 0xffff);
	d |= (uint64_t)(base & 0xffffff) << 16;
	d |= (uint64_t)(type & 0xf) << 40;
	d |= (uint64_t)(s & 1) << 44;
	d |= (uint64_t)1 << 47;				/* present, DPL 0 */
	d |= (uint64_t)((limit >> 16) & 0xf) << 48;
	d |= (uint64_t)(l & 1) << 53;
	d |= (uint64_t)(db & 1) << 54;
	d |= (uint64_t)(g & 1) << 55;
	d |= (uint64_t)((base >> 24) & 0xff) << 56;
	return d;
}

static void seg(struct mv_segment *sg, uint16_t sel, uint8_t type, unsigned int l,
		unsigned int db)
{
	memset(sg, 0, sizeof(*sg));
	sg->limit = 0xffffffff;
	sg->selector = sel;
	sg->type = type;
	sg->present = 1;
	sg->s = 1;
	sg->l = l;
	sg->db = db;
	sg->g = 1;
}

#define TSS_LIMIT	0x67
#define GDT_LIMIT	(MVM_BOOT_SEL_TSS + 16 - 1)

void mvm_boot_gdt(uint8_t *mem, struct mv_sregs *s, bool long_mode)
{
	uint8_t *gdt = mem + MVM_BOOT_GDT;

	memset(gdt, 0, MV_PAGE_SIZE);
	mvm_put64(gdt + MVM_BOOT_SEL_CODE32,
		  desc(0, 0xfffff, MV_SEG_TYPE_CODE_RX_ACCESSED, 1, 0, 1, 1));
	mvm_put64(gdt + MVM_BOOT_SEL_CODE64,
		  desc(0, 0xfffff, MV_SEG_TYPE_CODE_RX_ACCESSED, 1, 1, 0, 1));
	mvm_put64(gdt + MVM_BOOT_SEL_DATA,
		  desc(0, 0xfffff, MV_SEG_TYPE_DATA_RW_ACCESSED, 1, 0, 1, 1));
	/*
	 * Type 11 is a busy 32-bit TSS outside IA-32e mode and a busy 64-bit
	 * TSS in it: VM entry accepts it in both (SDM Vol. 3C 27.3.1.2). The
	 * upper half of the 16-byte 64-bit form is zero (base < 4 GiB).
	 */
	mvm_put64(gdt + MVM_BOOT_SEL_TSS, desc((uint32_t)MVM_BOOT_TSS, TSS_LIMIT,
					       MV_SEG_TYPE_TSS_BUSY, 0, 0, 0, 0));
	/* No I/O permission bitmap: its offset points past the TSS limit. */
	mvm_put16(mem + MVM_BOOT_TSS + 0x66, TSS_LIMIT + 1);

	memset(s, 0, sizeof(*s));
	if (long_mode)
		seg(&s->cs, MVM_BOOT_SEL_CODE64, MV_SEG_TYPE_CODE_RX_ACCESSED, 1, 0);
	else
		seg(&s->cs, MVM_BOOT_SEL_CODE32, MV_SEG_TYPE_CODE_RX_ACCESSED, 0, 1);
	seg(&s->ds, MVM_BOOT_SEL_DATA, MV_SEG_TYPE_DATA_RW_ACCESSED, 0, 1);
	seg(&s->es, MVM_BOOT_SEL_DATA, MV_SEG_TYPE_DATA_RW_ACCESSED, 0, 1);
	seg(&s->fs, MVM_BOOT_SEL_DATA, MV_SEG_TYPE_DATA_RW_ACCESSED, 0, 1);
	seg(&s->gs, MVM_BOOT_SEL_DATA, MV_SEG_TYPE_DATA_RW_ACCESSED, 0, 1);
	seg(&s->ss, MVM_BOOT_SEL_DATA, MV_SEG_TYPE_DATA_RW_ACCESSED, 0, 1);

	s->tr.base = MVM_BOOT_TSS;
	s->tr.limit = TSS_LIMIT;
	s->tr.selector = MVM_BOOT_SEL_TSS;
	s->tr.type = MV_SEG_TYPE_TSS_BUSY;
	s->tr.present = 1;
	s->ldt.unusable = 1;
	s->gdt.base = MVM_BOOT_GDT;
	s->gdt.limit = GDT_LIMIT;
	s->idt.base = 0;
	s->idt.limit = 0;
}

static const char neither[] = "the kernel is neither a bzImage (no \"HdrS\" at offset 0x202) "
			      "nor a multiboot kernel (no 0x1BADB002 header in its first 8 KiB)";

int mvm_boot_check(const struct mvm_boot_cfg *c, struct mvm_err *err)
{
	if (mvm_boot_check_cfg(c, false, err))
		return -EINVAL;
	if (mvm_is_bzimage(c->kernel, c->kernel_size))
		return mvm_bzimage_check(c, err);
	if (mvm_is_multiboot(c->kernel, c->kernel_size))
		return mvm_multiboot_check(c, err);
	mvm_err_set(err, "%s", neither);
	return -EINVAL;
}

int mvm_boot(const struct mvm_boot_cfg *c, struct mvm_boot_state *out, struct mvm_err *err)
{
	int ret;

	if (mvm_boot_check_cfg(c, true, err))
		return -EINVAL;
	if (mvm_is_bzimage(c->kernel, c->kernel_size))
		ret = mvm_boot_linux(c, out, err);
	else if (mvm_is_multiboot(c->kernel, c->kernel_size))
		ret = mvm_boot_multiboot(c, out, err);
	else {
		mvm_err_set(err, "%s", neither);
		return -EINVAL;
	}
	if (ret)
		return ret;
	return mvm_acpi_build(c, err);
}
