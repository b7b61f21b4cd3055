/* SPDX-License-Identifier: GPL-2.0 */
/*
 * mvm's boot loaders and firmware tables: the Linux x86 boot protocol
 * (bzImage, 64-bit entry), Multiboot v1 (ELF or a.out-kludge kernels,
 * 32-bit protected-mode entry) and the ACPI tables (RSDP, RSDT, XSDT, FADT,
 * FACS, MADT, DSDT with \_S5).
 *
 * Everything here is pure: functions on a guest-memory buffer (guest RAM at
 * GPA 0) that fill in vCPU 0's initial state. No ioctl, no device. The
 * machine (machine.c / main.c) creates the VM, calls these, then sets
 * out->regs / out->sregs on vCPU 0; the other vCPUs wait for INIT/SIPI.
 *
 * Memory map (Documentation/mvm-boot.md has the full picture):
 *   0x00000000-0x0009fbff RAM ("low memory"; mvm's boot structures below)
 *   0x0009fc00-0x000dffff reserved (EBDA, VGA hole, option ROM area)
 *   0x000e0000-0x000effff ACPI tables (e820 type 3, ACPI), RSDP at 0xe0000
 *   0x000f0000-0x000fffff reserved (BIOS area)
 *   0x00100000-mem_size   RAM (mem_size <= 3 GiB: 0xc0000000 and up is MMIO)
 *   0xfec00000            IOAPIC (MMIO, the machine's)
 *   0xfee00000            local APICs (MMIO, in the kernel)
 * Boot structures in low memory (all inside the first RAM entry):
 *   0x01000 GDT (0x08 code32, 0x10 code64 = __BOOT_CS, 0x18 data = __BOOT_DS,
 *           0x20 busy TSS), TSS at 0x1080
 *   0x07000 Linux zero page (struct boot_params), RSP/ESP below it
 *   0x08000 Multiboot information, memory map, module list, strings
 *   0x10000 identity page tables (Linux; 4 GiB in 2 MiB pages, 6 pages)
 *   0x20000 Linux command line (at most MVM_BOOT_CMDLINE_MAX bytes)
 *   0x100000 kernel (bzImage protected-mode part, or the multiboot segments)
 */
#ifndef MVM_BOOT_H
#define MVM_BOOT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <linux/minivisor.h>

#include "err.h"

/* ---- platform constants shared with the machine ---- */

#define MVM_BOOT_MAX_MEM	0xc0000000ull	/* 3 GiB: RAM stays below the MMIO hole */
#define MVM_BOOT_MAX_CPUS	8

#define MVM_LAPIC_BASE		0xfee00000u	/* APIC ID of vCPU i is i */
#define MVM_IOAPIC_BASE		0xfec00000u
#define MVM_IOAPIC_PINS		24
#define MVM_IOAPIC_GSI_BASE	0
/* The IOAPIC's ID is ncpus (one above the highest local APIC ID). */
#define MVM_IOAPIC_ID(ncpus)	((uint8_t)(ncpus))

/*
 * ACPI fixed hardware (I/O ports). PM1a event block: PM1_STS at 0x600 and
 * PM1_EN at 0x602 (16 bits each). PM1a control block: PM1_CNT at 0x604,
 * 16 bits; SCI_EN (bit 0) should read as 1 (there is no SMI_CMD port, so
 * the platform is always in ACPI mode). Linux powers off by writing
 * SLP_TYP = MVM_ACPI_SLP_TYP_S5 (bits 12:10) with SLP_EN (bit 13) to PM1_CNT,
 * i.e. the value 0x3400 (other bits may be set too: decode the fields).
 * No PM timer, no GPE blocks.
 */
#define MVM_ACPI_PM1A_EVT	0x600
#define MVM_ACPI_PM1A_EVT_LEN	4
#define MVM_ACPI_PM1A_CNT	0x604
#define MVM_ACPI_PM1A_CNT_LEN	2
#define MVM_ACPI_PM1_CNT_SCI_EN	(1u << 0)
#define MVM_ACPI_SLP_TYP_SHIFT	10
#define MVM_ACPI_SLP_TYP_MASK	(7u << MVM_ACPI_SLP_TYP_SHIFT)
#define MVM_ACPI_SLP_EN		(1u << 13)
#define MVM_ACPI_SLP_TYP_S5	5		/* the \_S5 package's value */

/*
 * The FADT reset register: an 8-bit write of 0xfe to I/O port 0x64, the
 * i8042 "pulse reset line" command, so the one i8042 model handles both
 * Linux's ACPI reboot and its keyboard-controller reboot.
 */
#define MVM_ACPI_RESET_PORT	0x64
#define MVM_ACPI_RESET_VALUE	0xfe

/*
 * SCI: ISA IRQ 9 -> GSI 9, level-triggered, active-high (MADT interrupt
 * source override flags 0x000d). The machine raises IOAPIC pin 9 while
 * PM1_STS & PM1_EN has a bit set, and lowers it otherwise.
 * IRQ 0 (the PIT) -> GSI 2, edge (override flags 0: conforms to ISA).
 * Every other ISA IRQ n is GSI n, edge, active-high.
 */
#define MVM_ACPI_SCI_IRQ	9
#define MVM_PIT_GSI		2

/* Guest-physical layout (see above). */
#define MVM_BOOT_GDT		0x1000ull
#define MVM_BOOT_TSS		0x1080ull
#define MVM_BOOT_SEL_CODE32	0x08
#define MVM_BOOT_SEL_CODE64	0x10		/* Linux __BOOT_CS */
#define MVM_BOOT_SEL_DATA	0x18		/* Linux __BOOT_DS */
#define MVM_BOOT_SEL_TSS	0x20
#define MVM_BOOT_ZERO_PAGE	0x7000ull
#define MVM_BOOT_STACK		0x7000ull	/* initial RSP/ESP (grows down) */
#define MVM_BOOT_MB_INFO	0x8000ull
#define MVM_BOOT_MB_INFO_END	0x10000ull
#define MVM_BOOT_PAGE_TABLES	0x10000ull
#define MVM_BOOT_PT_MAP		(4ull << 30)	/* identity-mapped by the page tables */
#define MVM_BOOT_CMDLINE	0x20000ull
#define MVM_BOOT_CMDLINE_MAX	0x10000ull	/* incl. the NUL; Linux's cmdline_size may be less */
#define MVM_BOOT_KERNEL		0x100000ull

#define MVM_EBDA_START		0x9fc00ull
#define MVM_HIGH_RAM_START	0x100000ull
#define MVM_ACPI_BASE		0xe0000ull	/* RSDP here, tables after it */
#define MVM_ACPI_SIZE		0x10000ull
#define MVM_BIOS_START		0xf0000ull

/* ---- the e820 memory map (also the multiboot mmap) ---- */

#define MVM_E820_RAM		1
#define MVM_E820_RESERVED	2
#define MVM_E820_ACPI		3

struct mvm_e820_entry {
	uint64_t addr, size;
	uint32_t type;
};

#define MVM_E820_MAX		8

/* The map for mem_size bytes of RAM (sorted, disjoint): the number of entries. */
unsigned int mvm_e820_build(uint64_t mem_size, struct mvm_e820_entry *e, unsigned int max);

/* ---- loading ---- */

struct mvm_boot_cfg {			/* what the machine tells the loader */
	uint8_t *mem;			/* guest RAM at GPA 0 */
	uint64_t mem_size;		/* multiple of 4 KiB, 2 MiB..MVM_BOOT_MAX_MEM */
	unsigned int ncpus;		/* 1..MVM_BOOT_MAX_CPUS (ACPI MADT) */
	const uint8_t *kernel;		/* the kernel file, borrowed */
	size_t kernel_size;
	const uint8_t *initrd;		/* may be NULL (then initrd_size 0) */
	size_t initrd_size;
	const char *cmdline;		/* may be NULL = "" */
	const char *initrd_name;	/* multiboot module string; NULL = "initrd" */
};

struct mvm_boot_state {			/* what the machine sets on vCPU 0 before MV_RUN */
	struct mv_regs regs;
	struct mv_sregs sregs;
	const char *kind;		/* "linux bzImage (boot protocol 2.15)", "multiboot ELF32" */
	/* For the verbose log: */
	uint64_t kernel_start, kernel_end;	/* loaded bytes (bzImage: + init_size) */
	uint64_t initrd_start, initrd_end;	/* 0, 0 without an initrd */
	uint64_t entry;			/* first instruction */
	uint64_t info;			/* zero page (RSI) or multiboot info (EBX) */
};

/* Does the file look like one (magic only; the loaders check the rest)? */
bool mvm_is_bzimage(const uint8_t *k, size_t n);
bool mvm_is_multiboot(const uint8_t *k, size_t n);

/*
 * Each: checks everything first (0 or -EINVAL with err naming the problem,
 * guest memory untouched on error), then writes the kernel, initrd,
 * command line and boot structures into c->mem and fills *out.
 * Neither builds the ACPI tables: call mvm_acpi_build() too (mvm_boot()
 * does both).
 */
int mvm_boot_linux(const struct mvm_boot_cfg *c, struct mvm_boot_state *out,
		   struct mvm_err *err);
int mvm_boot_multiboot(const struct mvm_boot_cfg *c, struct mvm_boot_state *out,
		       struct mvm_err *err);

/* ACPI tables into c->mem at MVM_ACPI_BASE (uses mem, mem_size, ncpus). 0 or -EINVAL. */
int mvm_acpi_build(const struct mvm_boot_cfg *c, struct mvm_err *err);

/*
 * Every check mvm_boot() makes, without guest memory (c->mem may be NULL):
 * so that a bad kernel, initrd or command line is reported before the VM
 * exists. 0 or -EINVAL with err set; then mvm_boot() with the same
 * configuration (and c->mem) succeeds.
 */
int mvm_boot_check(const struct mvm_boot_cfg *c, struct mvm_err *err);

/*
 * The whole job: a bzImage boots with the Linux protocol, else a multiboot
 * kernel with Multiboot v1, else -EINVAL ("neither a bzImage nor a
 * multiboot kernel"); then the ACPI tables. 0 or -EINVAL.
 */
int mvm_boot(const struct mvm_boot_cfg *c, struct mvm_boot_state *out, struct mvm_err *err);

#endif /* MVM_BOOT_H */
