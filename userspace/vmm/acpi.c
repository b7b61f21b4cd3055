// SPDX-License-Identifier: GPL-2.0
/*
 * Minimal ACPI tables (ACPI 6.x): an RSDP (revision 2, both checksums),
 * RSDT and XSDT, a FADT (revision 6) with the PM1a blocks, SCI 9 and the
 * reset register, a FACS, a MADT with one local APIC per vCPU, the IOAPIC
 * and the ISA interrupt source overrides, and a DSDT holding only \_S5 so
 * that an OS can power off. All of it in [MVM_ACPI_BASE, +MVM_ACPI_SIZE),
 * where Linux scans for the RSDP (0xe0000-0xfffff, 16-byte boundaries).
 */
#include <errno.h>
#include <string.h>

#include "boot_priv.h"

#define OEM_ID		"MVM   "	/* 6 bytes */
#define OEM_TABLE_ID	"MINIVSR "	/* 8 bytes */
#define OEM_REVISION	1
#define CREATOR_ID	"MVM "
#define CREATOR_REV	1

/* Where each table goes, relative to MVM_ACPI_BASE. */
#define OFF_RSDP	0x000	/* 36 bytes */
#define OFF_FACS	0x040	/* 64 bytes, 64-byte aligned */
#define OFF_RSDT	0x080	/* 36 + 4 * 2 */
#define OFF_XSDT	0x0c0	/* 36 + 8 * 2 */
#define OFF_FADT	0x100	/* 276 */
#define OFF_DSDT	0x280
#define OFF_MADT	0x300	/* 44 + 8 * ncpus + 12 + 10 * 2 + 6 */

#define HDR_LEN		36
#define FADT_LEN	276
#define FACS_LEN	64

/* MADT (ACPI 6.5 5.2.12). */
#define MADT_PCAT_COMPAT	(1u << 0)
#define MADT_LAPIC		0
#define MADT_IOAPIC		1
#define MADT_ISO		2
#define MADT_LAPIC_NMI		4
#define MADT_LAPIC_ENABLED	(1u << 0)
/* MPS INTI flags: polarity bits 1:0, trigger mode bits 3:2. */
#define MPS_ACTIVE_HIGH		0x1
#define MPS_ACTIVE_LOW		0x3
#define MPS_EDGE		(0x1 << 2)
#define MPS_LEVEL		(0x3 << 2)

/* FADT flags (5.2.9, Table 5.10) and IA-PC boot architecture flags (Table 5.11). */
#define FADT_WBINVD		(1u << 0)
#define FADT_PWR_BUTTON		(1u << 4)	/* no fixed power button */
#define FADT_SLP_BUTTON		(1u << 5)	/* no fixed sleep button */
#define FADT_RESET_REG_SUP	(1u << 10)
#define IAPC_LEGACY_DEVICES	(1u << 0)
#define IAPC_8042		(1u << 1)
#define IAPC_VGA_NOT_PRESENT	(1u << 2)

/* Generic address structure: space, bit width, bit offset, access size. */
#define GAS_SYSTEM_IO		1
#define GAS_ACCESS_BYTE		1
#define GAS_ACCESS_WORD		2

static uint8_t acpi_checksum(const uint8_t *p, size_t len)
{
	uint8_t sum = 0;

	while (len--)
		sum = (uint8_t)(sum + *p++);
	return (uint8_t)-sum;
}

static void header(uint8_t *t, const char *sig, uint32_t len, uint8_t rev)
{
	memcpy(t, sig, 4);
	mvm_put32(t + 4, len);
	t[8] = rev;
	t[9] = 0;			/* checksum, set last */
	memcpy(t + 10, OEM_ID, 6);
	memcpy(t + 16, OEM_TABLE_ID, 8);
	mvm_put32(t + 24, OEM_REVISION);
	memcpy(t + 28, CREATOR_ID, 4);
	mvm_put32(t + 32, CREATOR_REV);
}

static void finish(uint8_t *t)
{
	t[9] = acpi_checksum(t, mvm_get32(t + 4));
}

static void gas(uint8_t *g, uint8_t space, uint8_t width, uint8_t access, uint64_t addr)
{
	g[0] = space;
	g[1] = width;
	g[2] = 0;
	g[3] = access;
	mvm_put64(g + 4, addr);
}

/*
 * The DSDT's AML (ACPI 6.5 chapter 20): DefName := NameOp NameString
 * DataRefObject; DefPackage := PackageOp PkgLength NumElements
 * PackageElementList. PkgLength counts itself, NumElements and the
 * elements (1 + 1 + 6 = 8, one byte since < 64). 5 is BytePrefix 0x05;
 * 0 is ZeroOp. So: Name (_S5, Package () { 5, 5, 0, 0 }) -> SLP_TYP 5 for
 * PM1a_CNT and PM1b_CNT, then two reserved values.
 */
static const uint8_t dsdt_aml[] = {
	0x08, '_', 'S', '5', '_',	/* NameOp "_S5_" (in the root scope) */
	0x12, 0x08, 0x04,		/* PackageOp, PkgLength 8, NumElements 4 */
	0x0a, MVM_ACPI_SLP_TYP_S5,	/* BytePrefix 5 */
	0x0a, MVM_ACPI_SLP_TYP_S5,	/* BytePrefix 5 */
	0x00,				/* ZeroOp */
	0x00,				/* ZeroOp */
};

static uint32_t build_madt(uint8_t *t, unsigned int ncpus)
{
	uint8_t *e = t + 44;
	unsigned int i;

	mvm_put32(t + 36, MVM_LAPIC_BASE);
	mvm_put32(t + 40, MADT_PCAT_COMPAT);	/* there are 8259s to mask */
	for (i = 0; i < ncpus; i++, e += 8) {
		e[0] = MADT_LAPIC;
		e[1] = 8;
		e[2] = (uint8_t)i;		/* ACPI processor UID */
		e[3] = (uint8_t)i;		/* APIC ID */
		mvm_put32(e + 4, MADT_LAPIC_ENABLED);
	}
	e[0] = MADT_IOAPIC;
	e[1] = 12;
	e[2] = MVM_IOAPIC_ID(ncpus);
	e[3] = 0;
	mvm_put32(e + 4, MVM_IOAPIC_BASE);
	mvm_put32(e + 8, MVM_IOAPIC_GSI_BASE);
	e += 12;
	/* ISA IRQ 0 (PIT) is wired to IOAPIC pin 2; conforming flags = edge, high. */
	e[0] = MADT_ISO;
	e[1] = 10;
	e[2] = 0;				/* bus: ISA */
	e[3] = 0;				/* source IRQ */
	mvm_put32(e + 4, MVM_PIT_GSI);
	mvm_put16(e + 8, 0);
	e += 10;
	/* The SCI: level-triggered, active-high (the machine's PM1 model drives it so). */
	e[0] = MADT_ISO;
	e[1] = 10;
	e[2] = 0;
	e[3] = MVM_ACPI_SCI_IRQ;
	mvm_put32(e + 4, MVM_ACPI_SCI_IRQ);
	mvm_put16(e + 8, MPS_ACTIVE_HIGH | MPS_LEVEL);
	e += 10;
	/* LINT1 of every local APIC is the NMI input, as on PC hardware. */
	e[0] = MADT_LAPIC_NMI;
	e[1] = 6;
	e[2] = 0xff;				/* all processors */
	mvm_put16(e + 3, MPS_ACTIVE_HIGH | MPS_EDGE);
	e[5] = 1;				/* LINT1 */
	e += 6;
	return (uint32_t)(e - t);
}

static void build_fadt(uint8_t *t, uint64_t facs, uint64_t dsdt)
{
	mvm_put32(t + 36, (uint32_t)facs);		/* FIRMWARE_CTRL */
	mvm_put32(t + 40, (uint32_t)dsdt);		/* DSDT */
	t[45] = 0;					/* Preferred_PM_Profile: unspecified */
	mvm_put16(t + 46, MVM_ACPI_SCI_IRQ);		/* SCI_INT */
	/* SMI_CMD 0: no legacy mode, the platform is always in ACPI mode. */
	mvm_put32(t + 56, MVM_ACPI_PM1A_EVT);		/* PM1a_EVT_BLK */
	mvm_put32(t + 64, MVM_ACPI_PM1A_CNT);		/* PM1a_CNT_BLK */
	t[88] = MVM_ACPI_PM1A_EVT_LEN;			/* PM1_EVT_LEN */
	t[89] = MVM_ACPI_PM1A_CNT_LEN;			/* PM1_CNT_LEN */
	/* No PM timer (PM_TMR_BLK 0), no GPE blocks, no C2/C3 (latencies over the limits). */
	mvm_put16(t + 96, 101);				/* P_LVL2_LAT > 100: no C2 */
	mvm_put16(t + 98, 1001);			/* P_LVL3_LAT > 1000: no C3 */
	mvm_put16(t + 109, IAPC_LEGACY_DEVICES | IAPC_8042 | IAPC_VGA_NOT_PRESENT);
	mvm_put32(t + 112, FADT_WBINVD | FADT_PWR_BUTTON | FADT_SLP_BUTTON | FADT_RESET_REG_SUP);
	gas(t + 116, GAS_SYSTEM_IO, 8, GAS_ACCESS_BYTE, MVM_ACPI_RESET_PORT);	/* RESET_REG */
	t[128] = MVM_ACPI_RESET_VALUE;
	t[131] = 0;					/* FADT minor version: 6.0 */
	mvm_put64(t + 132, facs);			/* X_FIRMWARE_CTRL */
	mvm_put64(t + 140, dsdt);			/* X_DSDT */
	gas(t + 148, GAS_SYSTEM_IO, 8 * MVM_ACPI_PM1A_EVT_LEN, GAS_ACCESS_WORD,
	    MVM_ACPI_PM1A_EVT);				/* X_PM1a_EVT_BLK */
	gas(t + 172, GAS_SYSTEM_IO, 8 * MVM_ACPI_PM1A_CNT_LEN, GAS_ACCESS_WORD,
	    MVM_ACPI_PM1A_CNT);				/* X_PM1a_CNT_BLK */
	memcpy(t + 268, "MINIVSOR", 8);			/* hypervisor vendor identity */
}

int mvm_acpi_build(const struct mvm_boot_cfg *c, struct mvm_err *err)
{
	uint64_t base = MVM_ACPI_BASE;
	uint8_t *a, *rsdp, *rsdt, *xsdt, *fadt, *facs, *madt, *dsdt;
	uint32_t madt_len;

	if (!c || !c->mem || c->mem_size < MVM_HIGH_RAM_START) {
		mvm_err_set(err, "the ACPI tables need guest memory up to 1 MiB");
		return -EINVAL;
	}
	if (c->ncpus < 1 || c->ncpus > MVM_BOOT_MAX_CPUS) {
		mvm_err_set(err, "%u vCPUs: need 1..%d", c->ncpus, MVM_BOOT_MAX_CPUS);
		return -EINVAL;
	}
	a = c->mem + base;
	memset(a, 0, MVM_ACPI_SIZE);
	rsdp = a + OFF_RSDP;
	facs = a + OFF_FACS;
	rsdt = a + OFF_RSDT;
	xsdt = a + OFF_XSDT;
	fadt = a + OFF_FADT;
	dsdt = a + OFF_DSDT;
	madt = a + OFF_MADT;

	/* DSDT revision 2: integers are 64 bits. */
	header(dsdt, "DSDT", HDR_LEN + sizeof(dsdt_aml), 2);
	memcpy(dsdt + HDR_LEN, dsdt_aml, sizeof(dsdt_aml));
	finish(dsdt);

	/* FACS (5.2.10): no checksum; version 2; the waking vector stays 0. */
	memcpy(facs, "FACS", 4);
	mvm_put32(facs + 4, FACS_LEN);
	facs[32] = 2;

	header(fadt, "FACP", FADT_LEN, 6);
	build_fadt(fadt, base + OFF_FACS, base + OFF_DSDT);
	finish(fadt);

	header(madt, "APIC", 0, 3);
	madt_len = build_madt(madt, c->ncpus);
	mvm_put32(madt + 4, madt_len);
	finish(madt);

	header(rsdt, "RSDT", HDR_LEN + 4 * 2, 1);
	mvm_put32(rsdt + HDR_LEN, (uint32_t)(base + OFF_FADT));
	mvm_put32(rsdt + HDR_LEN + 4, (uint32_t)(base + OFF_MADT));
	finish(rsdt);

	header(xsdt, "XSDT", HDR_LEN + 8 * 2, 1);
	mvm_put64(xsdt + HDR_LEN, base + OFF_FADT);
	mvm_put64(xsdt + HDR_LEN + 8, base + OFF_MADT);
	finish(xsdt);

	/* RSDP (5.2.5.3): checksum over the first 20 bytes, extended one over all 36. */
	memcpy(rsdp, "RSD PTR ", 8);
	memcpy(rsdp + 9, OEM_ID, 6);
	rsdp[15] = 2;
	mvm_put32(rsdp + 16, (uint32_t)(base + OFF_RSDT));
	mvm_put32(rsdp + 20, 36);
	mvm_put64(rsdp + 24, base + OFF_XSDT);
	rsdp[8] = acpi_checksum(rsdp, 20);
	rsdp[32] = acpi_checksum(rsdp, 36);
	return 0;
}
