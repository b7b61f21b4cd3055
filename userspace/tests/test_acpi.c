// SPDX-License-Identifier: GPL-2.0
/*
 * The ACPI table builder (vmm/acpi.c), checked the way an OS reads the
 * tables: find the RSDP by scanning 0xe0000-0xfffff on 16-byte boundaries,
 * verify both its checksums, follow the XSDT (and the RSDT), verify every
 * table's signature, length and checksum, then decode the MADT entries,
 * the FADT fields, the FACS and the DSDT's \_S5 package (a small AML
 * decoder).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "boot.h"
#include "boot_test.h"
#include "tap.h"

#define MEM_SIZE	(4ull << 20)

static uint8_t *mem;

static uint8_t sum(const uint8_t *p, size_t n)
{
	uint8_t s = 0;

	while (n--)
		s = (uint8_t)(s + *p++);
	return s;
}

/* A table at gpa: inside the ACPI e820 range, signature, length, checksum. */
static const uint8_t *table(uint64_t gpa, const char *sig, uint32_t min_len)
{
	const uint8_t *t;
	uint32_t len;

	if (gpa < MVM_ACPI_BASE || gpa + 36 > MVM_ACPI_BASE + MVM_ACPI_SIZE) {
		ok(0, "%s at 0x%llx lies in the ACPI range", sig, (unsigned long long)gpa);
		return NULL;
	}
	t = mem + gpa;
	len = rd32(t + 4);
	ok(!memcmp(t, sig, 4) && len >= min_len && gpa + len <= MVM_ACPI_BASE + MVM_ACPI_SIZE &&
	   sum(t, len) == 0, "%.4s at 0x%llx: signature %s, length %u, checksum ok", t,
	   (unsigned long long)gpa, sig, len);
	return memcmp(t, sig, 4) ? NULL : t;
}

/* AML integer (ACPI 6.5 20.2.3 ComputationalData): 0 on success. */
static int aml_int(const uint8_t **p, uint64_t *v)
{
	switch (**p) {
	case 0x00: *v = 0; *p += 1; return 0;			/* ZeroOp */
	case 0x01: *v = 1; *p += 1; return 0;			/* OneOp */
	case 0xff: *v = ~0ull; *p += 1; return 0;		/* OnesOp */
	case 0x0a: *v = (*p)[1]; *p += 2; return 0;		/* BytePrefix */
	case 0x0b: *v = rd16(*p + 1); *p += 3; return 0;	/* WordPrefix */
	case 0x0c: *v = rd32(*p + 1); *p += 5; return 0;	/* DWordPrefix */
	case 0x0e: *v = rd64(*p + 1); *p += 9; return 0;	/* QWordPrefix */
	default: return -1;
	}
}

/* PkgLength (20.2.4): the value; *p moves past the encoding. */
static uint32_t aml_pkglen(const uint8_t **p)
{
	unsigned int follow = **p >> 6, i;
	uint32_t len;

	if (!follow) {
		len = **p & 0x3f;
		*p += 1;
		return len;
	}
	len = **p & 0x0f;
	for (i = 0; i < follow; i++)
		len |= (uint32_t)(*p)[1 + i] << (4 + 8 * i);
	*p += 1 + follow;
	return len;
}

static void check_s5(const uint8_t *dsdt)
{
	static const uint8_t want[] = { 0x08, '_', 'S', '5', '_', 0x12, 0x08, 0x04, 0x0a, 0x05,
					0x0a, 0x05, 0x00, 0x00 };
	uint32_t len = rd32(dsdt + 4), i, pkglen;
	const uint8_t *p = NULL, *pkg_start, *end = dsdt + len;
	uint64_t v[4] = { 9, 9, 9, 9 };
	unsigned int n, k;
	int bad = 0;

	ok(dsdt[8] >= 2, "DSDT revision %u (64-bit integers)", dsdt[8]);
	for (i = 36; i + 5 <= len; i++)
		if (dsdt[i] == 0x08 && !memcmp(dsdt + i + 1, "_S5_", 4)) {
			p = dsdt + i + 5;
			break;
		}
	if (!ok(p, "DSDT has Name (_S5_, ...) at the root"))
		return;
	ok(*p == 0x12, "\\_S5 is a Package (opcode 0x%02x)", *p);
	p++;
	pkg_start = p;
	pkglen = aml_pkglen(&p);
	ok(pkg_start + pkglen <= end, "package length %u inside the DSDT", pkglen);
	n = *p++;
	ok(n >= 2, "\\_S5 has %u elements (at least SLP_TYPa and SLP_TYPb)", n);
	for (k = 0; k < n && k < 4 && p < pkg_start + pkglen; k++)
		if (aml_int(&p, &v[k]))
			bad++;
	ok(!bad && p == pkg_start + pkglen, "every element an integer, package fully consumed");
	ok(v[0] == MVM_ACPI_SLP_TYP_S5 && v[1] == MVM_ACPI_SLP_TYP_S5,
	   "\\_S5: SLP_TYPa %llu, SLP_TYPb %llu (poweroff writes 0x%x to PM1a_CNT)",
	   (unsigned long long)v[0], (unsigned long long)v[1],
	   (unsigned int)(v[0] << MVM_ACPI_SLP_TYP_SHIFT | MVM_ACPI_SLP_EN));
	ok(len == 36 + sizeof(want) && !memcmp(dsdt + 36, want, sizeof(want)),
	   "DSDT AML is exactly 08 '_S5_' 12 08 04 0a 05 0a 05 00 00");
}

static void check_fadt(const uint8_t *f, uint64_t *dsdt, uint64_t *facs)
{
	uint32_t len = rd32(f + 4);

	ok(f[8] >= 3 && len >= 244, "FADT revision %u, length %u: the X_ fields exist", f[8], len);
	ok(rd32(f + 40) && rd64(f + 140) == rd32(f + 40), "X_DSDT 0x%llx = DSDT 0x%x",
	   (unsigned long long)rd64(f + 140), rd32(f + 40));
	ok(rd32(f + 36) && rd64(f + 132) == rd32(f + 36), "X_FIRMWARE_CTRL = FIRMWARE_CTRL 0x%x",
	   rd32(f + 36));
	*dsdt = rd64(f + 140);
	*facs = rd64(f + 132);
	ok(rd16(f + 46) == 9, "SCI_INT 9");
	ok(rd32(f + 48) == 0, "SMI_CMD 0: always in ACPI mode");
	ok(rd32(f + 56) == 0x600 && f[88] == 4, "PM1a_EVT_BLK 0x600, PM1_EVT_LEN 4");
	ok(rd32(f + 64) == 0x604 && f[89] == 2, "PM1a_CNT_BLK 0x604, PM1_CNT_LEN 2");
	ok(rd32(f + 60) == 0 && rd32(f + 68) == 0 && rd32(f + 72) == 0,
	   "no PM1b blocks, no PM2 control block");
	ok(rd32(f + 76) == 0 && f[91] == 0, "no PM timer");
	ok(rd32(f + 80) == 0 && rd32(f + 84) == 0 && f[92] == 0 && f[93] == 0, "no GPE blocks");
	ok(rd16(f + 96) > 100 && rd16(f + 98) > 1000, "C2/C3 not supported (latencies %u, %u)",
	   rd16(f + 96), rd16(f + 98));
	ok(rd16(f + 109) & 0x2, "IAPC_BOOT_ARCH 0x%x: 8042 present", rd16(f + 109));
	ok(rd16(f + 109) & 0x1, "IAPC_BOOT_ARCH: legacy devices");
	ok(rd32(f + 112) & (1u << 10), "flags 0x%x: RESET_REG_SUP", rd32(f + 112));
	ok(!(rd32(f + 112) & (1u << 20)), "not HW_REDUCED_ACPI");
	ok(f[116] == 1 && f[117] == 8 && f[118] == 0 && rd64(f + 120) == MVM_ACPI_RESET_PORT &&
	   f[128] == MVM_ACPI_RESET_VALUE,
	   "RESET_REG: I/O port 0x%llx, 8 bits, value 0x%02x", (unsigned long long)rd64(f + 120),
	   f[128]);
	ok(f[148] == 1 && f[149] == 32 && rd64(f + 152) == 0x600,
	   "X_PM1a_EVT_BLK: I/O 0x600, 32 bits");
	ok(f[172] == 1 && f[173] == 16 && rd64(f + 176) == 0x604,
	   "X_PM1a_CNT_BLK: I/O 0x604, 16 bits");
	ok(rd64(f + 164) == 0 && rd64(f + 188) == 0 && rd64(f + 212) == 0,
	   "X_PM1b_EVT, X_PM1b_CNT, X_PM_TMR empty");
}

static void check_madt(const uint8_t *m, unsigned int ncpus)
{
	uint32_t len = rd32(m + 4), off;
	unsigned int nlapic = 0, nioapic = 0, niso = 0, nnmi = 0, bad = 0;
	uint32_t ids = 0;
	int irq0 = 0, irq9 = 0;

	ok(rd32(m + 36) == 0xfee00000, "MADT local APIC address 0x%x", rd32(m + 36));
	ok(rd32(m + 40) & 1, "MADT flags: PCAT_COMPAT");
	for (off = 44; off < len; off += m[off + 1]) {
		const uint8_t *e = m + off;

		if (off + 2 > len || e[1] < 2 || off + e[1] > len) {
			bad++;
			break;
		}
		switch (e[0]) {
		case 0:
			if (e[1] != 8 || !(rd32(e + 4) & 1) || e[3] >= 32 || (ids & (1u << e[3])))
				bad++;
			else
				ids |= 1u << e[3];
			nlapic++;
			break;
		case 1:
			ok(e[1] == 12 && e[2] == ncpus && rd32(e + 4) == 0xfec00000 &&
			   rd32(e + 8) == 0, "IOAPIC: ID %u, address 0x%x, GSI base %u", e[2],
			   rd32(e + 4), rd32(e + 8));
			nioapic++;
			break;
		case 2:
			if (e[1] != 10 || e[2] != 0)
				bad++;
			if (e[3] == 0 && rd32(e + 4) == 2 && rd16(e + 8) == 0)
				irq0 = 1;
			if (e[3] == 9 && rd32(e + 4) == 9 && rd16(e + 8) == 0xd)
				irq9 = 1;
			niso++;
			break;
		case 4:
			if (e[1] != 6 || e[2] != 0xff || e[5] != 1)
				bad++;
			nnmi++;
			break;
		default:
			bad++;
		}
	}
	ok(!bad && off == len, "MADT entries well formed and fill the table exactly");
	ok(nlapic == ncpus && ids == (ncpus == 32 ? ~0u : (1u << ncpus) - 1),
	   "%u enabled local APICs with IDs 0..%u", nlapic, ncpus - 1);
	ok(nioapic == 1, "one IOAPIC");
	ok(niso == 2 && irq0, "override: ISA IRQ 0 -> GSI 2, conforming (edge)");
	ok(irq9, "override: ISA IRQ 9 (SCI) -> GSI 9, level, active-high (flags 0xd)");
	ok(nnmi == 1, "local APIC NMI on LINT1 for all processors");
}

static void check_tables(unsigned int ncpus)
{
	const uint8_t *rsdp = NULL, *xsdt, *rsdt, *fadt = NULL, *madt = NULL, *dsdt, *facs;
	uint64_t a, dsdt_gpa = 0, facs_gpa = 0;
	unsigned int i, n, found = 0;

	tap_diag("--- %u vCPU(s)", ncpus);
	/* The RSDP search Linux does (acpi_find_root_pointer) in the BIOS area. */
	for (a = 0xe0000; a < 0x100000; a += 16)
		if (!memcmp(mem + a, "RSD PTR ", 8) && sum(mem + a, 20) == 0) {
			rsdp = mem + a;
			found++;
		}
	if (!ok(rsdp && found == 1, "one RSDP found by the 16-byte scan of 0xe0000-0xfffff "
		"(at 0x%llx)", rsdp ? (unsigned long long)(rsdp - mem) : 0ull))
		return;
	ok(rsdp[15] == 2 && rd32(rsdp + 20) == 36 && sum(rsdp, 36) == 0,
	   "RSDP revision 2, length 36, extended checksum ok");
	xsdt = table(rd64(rsdp + 24), "XSDT", 36);
	rsdt = table(rd32(rsdp + 16), "RSDT", 36);
	if (!xsdt || !rsdt)
		return;
	n = (rd32(xsdt + 4) - 36) / 8;
	ok(n == (rd32(rsdt + 4) - 36) / 4 && n == 2, "XSDT and RSDT list %u tables", n);
	for (i = 0; i < n; i++) {
		uint64_t t = rd64(xsdt + 36 + 8 * i);

		ok(rd32(rsdt + 36 + 4 * i) == t, "RSDT entry %u = XSDT entry %u", i, i);
		if (!memcmp(mem + t, "FACP", 4))
			fadt = table(t, "FACP", 244);
		else if (!memcmp(mem + t, "APIC", 4))
			madt = table(t, "APIC", 44);
		else
			ok(0, "unexpected table %.4s", mem + t);
	}
	if (!ok(fadt && madt, "XSDT lists the FADT and the MADT"))
		return;
	check_fadt(fadt, &dsdt_gpa, &facs_gpa);
	check_madt(madt, ncpus);
	dsdt = table(dsdt_gpa, "DSDT", 36);
	if (dsdt)
		check_s5(dsdt);
	facs = mem + facs_gpa;
	ok(facs_gpa % 64 == 0 && facs_gpa >= MVM_ACPI_BASE &&
	   facs_gpa + 64 <= MVM_ACPI_BASE + MVM_ACPI_SIZE && !memcmp(facs, "FACS", 4) &&
	   rd32(facs + 4) >= 64 && rd32(facs + 12) == 0, "FACS at 0x%llx: 64-byte aligned, "
	   "length %u, no waking vector", (unsigned long long)facs_gpa, rd32(facs + 4));
}

int main(void)
{
	struct mvm_boot_cfg c = { 0 };
	struct mvm_err err = { "" };
	unsigned int ncpus;
	int ret;

	tap_start();
	mem = malloc(MEM_SIZE);
	c.mem = mem;
	c.mem_size = MEM_SIZE;
	for (ncpus = 1; ncpus <= 8; ncpus++) {
		memset(mem, 0xcc, MEM_SIZE);
		c.ncpus = ncpus;
		ret = mvm_acpi_build(&c, &err);
		ok(ret == 0, "tables built for %u vCPU(s) (%d \"%s\")", ncpus, ret, err.msg);
		ok(all_bytes(mem, MVM_ACPI_BASE, 0xcc) &&
		   all_bytes(mem + MVM_ACPI_BASE + MVM_ACPI_SIZE,
			     MEM_SIZE - MVM_ACPI_BASE - MVM_ACPI_SIZE, 0xcc),
		   "nothing written outside [0xe0000, 0xf0000)");
		check_tables(ncpus);
	}
	/* Rebuilding for fewer CPUs leaves no stale entry behind. */
	c.ncpus = 8;
	mvm_acpi_build(&c, &err);
	c.ncpus = 1;
	ret = mvm_acpi_build(&c, &err);
	ok(ret == 0, "rebuilt for 1 vCPU after 8");
	check_tables(1);

	c.ncpus = 0;
	ret = mvm_acpi_build(&c, &err);
	ok(ret == -EINVAL && strstr(err.msg, "0 vCPUs: need 1..8"), "0 vCPUs refused: \"%s\"",
	   err.msg);
	c.ncpus = 9;
	ret = mvm_acpi_build(&c, &err);
	ok(ret == -EINVAL && strstr(err.msg, "9 vCPUs"), "9 vCPUs refused: \"%s\"", err.msg);
	c.ncpus = 1;
	c.mem_size = 0xfffff;
	ret = mvm_acpi_build(&c, &err);
	ok(ret == -EINVAL && strstr(err.msg, "up to 1 MiB"), "memory below 1 MiB refused: \"%s\"",
	   err.msg);
	ok(mvm_acpi_build(NULL, &err) == -EINVAL, "NULL configuration refused");
	free(mem);
	return tap_end();
}
