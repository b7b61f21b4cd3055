// SPDX-License-Identifier: GPL-2.0
/*
 * The small PC devices: i8042 (probe answers, reset), PCI configuration
 * ports (no device, reset control), ACPI PM1a (power-off), the sink ports,
 * and the stdin escape filter.
 */
#include <string.h>

#include "i8042.h"
#include "legacy.h"
#include "pc.h"
#include "pci.h"
#include "pm.h"
#include "tap.h"

static enum mvm_stop_reason stopped;
static unsigned int stops, irq1_edges, irq12_edges;

static void stop(void *ctx, enum mvm_stop_reason why)
{
	(void)ctx;
	stopped = why;
	stops++;
}

static void irq(void *ctx, unsigned int n, bool level)
{
	(void)ctx;
	if (level && n == 1)
		irq1_edges++;
	if (level && n == 12)
		irq12_edges++;
}

static bool filter(bool *esc, const char *in, const char *want, bool want_quit)
{
	uint8_t out[64];
	size_t n = 0;
	bool q = mvm_escape_filter(esc, (const uint8_t *)in, strlen(in), out, &n);

	return q == want_quit && n == strlen(want) && !memcmp(out, want, n);
}

int main(void)
{
	struct mvm_i8042 k;
	struct mvm_device kd = { .name = "i8042", .base = 0x64, .size = 1,
				 .access = mvm_i8042_access, .priv = &k };
	struct mvm_pci pci;
	struct mvm_device pa = { .name = "cf8", .base = 0xcf8, .size = 4,
				 .access = mvm_pci_addr_access, .priv = &pci };
	struct mvm_pm pm;
	struct mvm_device pe = { .name = "pm1a_evt", .base = 0x600, .size = 4,
				 .access = mvm_pm_evt_access, .priv = &pm };
	struct mvm_device pcnt = { .name = "pm1a_cnt", .base = 0x604, .size = 2,
				   .access = mvm_pm_cnt_access, .priv = &pm };
	uint32_t v;
	uint16_t w;
	uint8_t b[4];
	bool esc = false;

	tap_start();

	/* i8042 */
	mvm_i8042_init(&k, stop, NULL);
	mvm_irq_line_init(&k.irq1, irq, NULL, 1);
	mvm_irq_line_init(&k.irq12, irq, NULL, 12);
	ok(mvm_i8042_read(&k, 0x64) == (I8042_STR_SYS | I8042_STR_KEYLOCK),
	   "status: system flag, not inhibited, output buffer empty");
	mvm_i8042_write(&k, 0x64, 0xaa);
	ok((mvm_i8042_read(&k, 0x64) & I8042_STR_OBF) && mvm_i8042_read(&k, 0x60) == 0x55 &&
	   !(mvm_i8042_read(&k, 0x64) & I8042_STR_OBF), "self test 0xaa answers 0x55, OBF then clear");
	mvm_i8042_write(&k, 0x64, 0x20);
	ok(mvm_i8042_read(&k, 0x60) == (I8042_CCB_KBDINT | I8042_CCB_SYS | I8042_CCB_XLATE),
	   "read command byte (0x20)");
	mvm_i8042_write(&k, 0x64, 0x60);
	mvm_i8042_write(&k, 0x60, 0x47);
	mvm_i8042_write(&k, 0x64, 0x20);
	ok(mvm_i8042_read(&k, 0x60) == 0x47, "write command byte (0x60) takes the next data byte");
	mvm_i8042_write(&k, 0x64, 0xab);
	ok(mvm_i8042_read(&k, 0x60) == 0x00, "keyboard interface test: 0x00");
	mvm_i8042_write(&k, 0x64, 0xd3);
	mvm_i8042_write(&k, 0x60, 0x5a);
	ok(!(mvm_i8042_read(&k, 0x64) & I8042_STR_AUXDATA) && mvm_i8042_read(&k, 0x60) == 0x5a,
	   "aux loopback returns the byte without the AUX flag (no mouse port)");
	mvm_i8042_write(&k, 0x64, 0xa9);
	ok(mvm_i8042_read(&k, 0x60) == 0x01, "aux interface test: 0x01 (clock stuck: no mouse)");
	irq1_edges = 0;
	mvm_i8042_write(&k, 0x60, 0xf2);	/* keyboard: identify */
	ok(irq1_edges == 1 && mvm_i8042_read(&k, 0x60) == 0xfe && !k.irq1.level,
	   "a keyboard command gets 0xfe (no keyboard) at once, with IRQ1");
	mvm_i8042_write(&k, 0x64, 0xd4);
	mvm_i8042_write(&k, 0x60, 0xff);
	ok((mvm_i8042_read(&k, 0x64) & I8042_STR_AUXDATA) && irq12_edges == 1 &&
	   mvm_i8042_read(&k, 0x60) == 0xfe, "a mouse command: 0xfe flagged AUX, IRQ12 (enabled by CCB 0x47)");
	ok(mvm_i8042_read(&k, 0x60) == 0xfe, "an empty buffer reads the last byte again");
	mvm_i8042_write(&k, 0x64, 0xd0);
	ok(mvm_i8042_read(&k, 0x60) == 0x03, "read output port: reset high, A20 on");
	ok(stops == 0, "nothing so far asked for a reset");
	mvm_i8042_write(&k, 0x64, 0xfe);
	ok(stops == 1 && stopped == MVM_STOP_RESET_I8042, "command 0xfe: reset request");
	mvm_i8042_write(&k, 0x64, 0xff);
	ok(stops == 1, "command 0xff pulses nothing");
	mvm_i8042_write(&k, 0x64, 0xd1);
	mvm_i8042_write(&k, 0x60, 0x02);
	ok(stops == 2, "write output port with bit 0 clear: reset request");
	b[0] = b[1] = 0;
	ok(mvm_i8042_access(&kd, 0, b, 2, false) == 0 && b[0] == 0xff,
	   "a word access is ignored (all-ones), not an error");

	/* PCI */
	mvm_pci_init(&pci, stop, NULL);
	v = 0x80001234;
	mvm_pci_addr_access(&pa, 0, &v, 4, true);
	v = 0;
	mvm_pci_addr_access(&pa, 0, &v, 4, false);
	ok(v == 0x80001234, "CONFIG_ADDRESS reads back what was written");
	v = 0;
	mvm_pci_data_access(&pa, 0, &v, 4, false);
	ok(v == 0xffffffff, "CONFIG_DATA reads all-ones: no device");
	w = 0;
	mvm_pci_data_access(&pa, 2, &w, 2, false);
	ok(w == 0xffff, "a 16-bit read at 0xcfe too");
	b[0] = 0x02;
	stops = 0;
	mvm_pci_addr_access(&pa, 1, b, 1, true);
	ok(stops == 0, "0xcf9 without the CPU reset bit: nothing");
	b[0] = 0x06;
	mvm_pci_addr_access(&pa, 1, b, 1, true);
	ok(stops == 1 && stopped == MVM_STOP_RESET_PCI, "0xcf9 = 0x06: reset request");

	/* ACPI PM1a */
	stops = 0;
	mvm_pm_init(&pm, stop, NULL);
	w = 0;
	mvm_pm_cnt_access(&pcnt, 0, &w, 2, false);
	ok(w == MVM_PM_SCI_EN, "PM1_CNT: SCI_EN reads 1 (always in ACPI mode)");
	w = (1 << 10) | MVM_PM_SLP_EN;	/* S1 */
	mvm_pm_cnt_access(&pcnt, 0, &w, 2, true);
	ok(stops == 0, "SLP_TYP 1 with SLP_EN: ignored (no S1)");
	w = 5 << 10;
	mvm_pm_cnt_access(&pcnt, 0, &w, 2, true);
	ok(stops == 0, "SLP_TYP 5 without SLP_EN: nothing yet");
	w = 0x3401;
	mvm_pm_cnt_access(&pcnt, 0, &w, 2, true);
	ok(stops == 1 && stopped == MVM_STOP_POWEROFF, "SLP_TYP 5 | SLP_EN (0x3401): power-off");
	b[0] = 0x34;
	mvm_pm_cnt_access(&pcnt, 1, b, 1, true);
	ok(stops == 2, "the same as a byte write to the high half");
	pm.sts = 0x8001;
	w = 0x0001;
	mvm_pm_evt_access(&pe, 0, &w, 2, true);
	ok(pm.sts == 0x8000, "PM1_STS is write-1-to-clear");
	w = 0x0120;
	mvm_pm_evt_access(&pe, 2, &w, 2, true);
	v = 0;
	mvm_pm_evt_access(&pe, 0, &v, 4, false);
	ok(pm.en == 0x0120 && v == 0x01208000, "PM1_EN reads back; a dword read sees both");
	ok(mvm_pm_cnt_access(&pcnt, 1, &w, 2, false) != 0, "an access past PM1_CNT is an error");
	mvm_irq_line_init(&pm.sci, irq, NULL, 9);
	pm.sts = 0;
	w = 0;
	mvm_pm_evt_access(&pe, 2, &w, 2, true);
	mvm_pm_set_status(&pm, 0x0100);
	ok(!pm.sci.level, "a status bit that is not enabled leaves the SCI low");
	w = 0x0100;
	mvm_pm_evt_access(&pe, 2, &w, 2, true);
	ok(pm.sci.level, "enabling it (PM1_EN) raises the SCI (IRQ9)");
	mvm_pm_evt_access(&pe, 0, &w, 2, true);
	ok(!pm.sci.level && pm.sts == 0, "clearing the status (write 1) lowers it");

	/* Sink ports */
	v = 0;
	ok(mvm_sink_access(NULL, 0, &v, 4, false) == 0 && v == 0xffffffff &&
	   mvm_sink_access(NULL, 0, &v, 1, true) == 0, "port 0x80: writes dropped, reads all-ones");

	/* Escape filter */
	ok(filter(&esc, "abc", "abc", false), "plain bytes pass");
	ok(filter(&esc, "a\001\001b", "a\001b", false), "Ctrl-A Ctrl-A is one Ctrl-A");
	ok(filter(&esc, "a\001cd", "a\001cd", false), "Ctrl-A c passes both bytes");
	ok(filter(&esc, "ab\001", "ab", false) && esc && filter(&esc, "x", "", true),
	   "Ctrl-A at the end of one read, x in the next: quit");
	esc = false;
	ok(filter(&esc, "hi\001xyz", "hi", true), "Ctrl-A x quits; what came before is kept");
	return tap_end();
}
