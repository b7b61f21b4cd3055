// SPDX-License-Identifier: GPL-2.0
/*
 * The PC machine as the exit handler sees it, with recording hooks: every
 * device at its address, ISA IRQ routing to both controllers (IRQ0 -> GSI 2),
 * the UART's interrupt, EOI and shutdown exits, stop requests.
 */
#include <stdlib.h>
#include <string.h>

#include "exit.h"
#include "machine.h"
#include "status.h"
#include "tap.h"

#define RUN_SIZE	4096
#define DATA_OFF	1024

static uint8_t page[RUN_SIZE] __attribute__((aligned(4096)));
static struct mv_run *run = (struct mv_run *)page;
static unsigned int msis, pic_rises, stops;
static uint32_t msi_data;
static enum mvm_stop_reason why;
static uint64_t armed;

static int h_msi(void *ctx, uint32_t lo, uint32_t hi, uint32_t data)
{
	(void)ctx; (void)lo; (void)hi;
	msis++;
	msi_data = data;
	return 1;
}

static void h_pic(void *ctx, bool intr)
{
	(void)ctx;
	if (intr)
		pic_rises++;
}

static void h_arm(void *ctx, uint64_t ns)
{
	(void)ctx;
	armed = ns;
}

static void h_stop(void *ctx, enum mvm_stop_reason w)
{
	(void)ctx;
	stops++;
	why = w;
}

static void sink(void *ctx, const char *buf, size_t len)
{
	(void)ctx; (void)buf; (void)len;
}

static int io(struct mvm_machine *m, bool out, uint16_t port, uint8_t size, uint32_t v)
{
	memset(page, 0, sizeof(page));
	run->exit_reason = MV_EXIT_IO;
	run->io.direction = out ? MV_EXIT_IO_OUT : MV_EXIT_IO_IN;
	run->io.size = size;
	run->io.port = port;
	run->io.count = 1;
	run->io.data_offset = DATA_OFF;
	memcpy(page + DATA_OFF, &v, size);
	return mvm_handle_exit(m, run, RUN_SIZE);
}

static uint32_t in(struct mvm_machine *m, uint16_t port, uint8_t size)
{
	uint32_t v = 0;

	io(m, false, port, size, 0);
	memcpy(&v, page + DATA_OFF, size);
	return v;
}

static int mmio_w(struct mvm_machine *m, uint64_t gpa, uint32_t v)
{
	memset(page, 0, sizeof(page));
	run->exit_reason = MV_EXIT_MMIO;
	run->mmio.phys_addr = gpa;
	run->mmio.len = 4;
	run->mmio.is_write = 1;
	memcpy(run->mmio.data, &v, 4);
	return mvm_handle_exit(m, run, RUN_SIZE);
}

static int simple_exit(struct mvm_machine *m, uint32_t reason)
{
	memset(page, 0, sizeof(page));
	run->exit_reason = reason;
	return mvm_handle_exit(m, run, RUN_SIZE);
}

int main(void)
{
	static const struct { uint64_t addr; const char *name; bool mmio; } devs[] = {
		{ 0x20, "pic-master", false }, { 0xa1, "pic-slave", false }, { 0x4d0, "pic-elcr", false },
		{ 0x43, "pit-8254", false }, { 0x61, "port-61", false }, { 0x71, "cmos-rtc", false },
		{ 0x60, "i8042-data", false }, { 0x64, "i8042-cmd", false }, { 0xcf8, "pci-config-address", false },
		{ 0xcff, "pci-config-data", false }, { 0x600, "acpi-pm1a-evt", false },
		{ 0x604, "acpi-pm1a-cnt", false }, { 0x80, "post-0x80", false }, { 0x3f8, "uart-16550", false },
		{ 0xf4, "debug-exit", false }, { 0xfec00010, "ioapic", true },
	};
	struct mvm_pc_config cfg = {
		.mem_size = 256ull << 20, .ncpus = 2, .pm1a_evt = 0x600, .pm1a_cnt = 0x604,
		.hooks = { .msi = h_msi, .pic_intr = h_pic, .pit_arm = h_arm, .stop = h_stop },
	};
	struct mvm_machine m;
	char *log_text = NULL;
	size_t log_len = 0;
	FILE *log = open_memstream(&log_text, &log_len);
	unsigned int i, found = 0;

	tap_start();
	ok(mvm_machine_init_pc(&m, &cfg, sink, NULL, log) == 0 && m.pc, "the PC machine registers");
	for (i = 0; i < sizeof(devs) / sizeof(devs[0]); i++) {
		struct mvm_device *d = mvm_bus_find(devs[i].mmio ? &m.mmio : &m.pio, devs[i].addr, 1);

		if (d && !strcmp(d->name, devs[i].name))
			found++;
		else
			tap_diag("0x%llx: %s", (unsigned long long)devs[i].addr, d ? d->name : "none");
	}
	ok(found == sizeof(devs) / sizeof(devs[0]), "every device at its address (%u of %zu)",
	   found, sizeof(devs) / sizeof(devs[0]));
	ok((mvm_ioapic_read_reg(&m.ioapic, 0) >> 24) == 2, "the IOAPIC ID is ncpus (2)");

	/* IRQ routing: both controllers see each ISA line. */
	mvm_irq_router_set(&m.router, 0, true);
	ok((m.pic.chip[0].irr & 1) && (m.ioapic.pins & (1u << 2)) && !(m.ioapic.pins & 1),
	   "IRQ0 reaches PIC pin 0 and IOAPIC pin 2 (not pin 0)");
	mvm_irq_router_set(&m.router, 0, false);
	mvm_irq_router_set(&m.router, 9, true);
	ok((m.pic.chip[1].irr & 2) && (m.ioapic.pins & (1u << 9)), "IRQ9: slave pin 1, IOAPIC pin 9");
	mvm_irq_router_set(&m.router, 9, false);

	/* The PIT through the PIC, as a guest programs them with OUTs. */
	io(&m, true, 0x20, 1, 0x11); io(&m, true, 0x21, 1, 0x20);
	io(&m, true, 0x21, 1, 0x04); io(&m, true, 0x21, 1, 0x01);
	io(&m, true, 0x21, 1, 0xfe);
	io(&m, true, 0x43, 1, 0x34); io(&m, true, 0x40, 1, 0xa9); io(&m, true, 0x40, 1, 0x04);
	ok(armed != 0, "programming PIT channel 0 arms the host timer");
	pic_rises = 0;
	m.pit.irqs = 0;
	mvm_irq_line_pulse(&m.pit.irq0);	/* what mvm_pit_expire() does on time */
	ok(pic_rises == 1 && mvm_pic_intr(&m.pic) && mvm_pic_ack(&m.pic) == 0x20,
	   "an IRQ0 pulse raises the PIC's INTR (hook called), INTA gives 0x20");
	ok(msis == 0, "IOAPIC pin 2 is masked: no MSI");

	/* IOAPIC pin 2 unmasked: the same pulse is an MSI too. */
	ok(mmio_w(&m, 0xfec00000, 0x14) == MVM_CONTINUE && mmio_w(&m, 0xfec00010, 0x31) == MVM_CONTINUE,
	   "RTE 2 programmed through MMIO exits");
	mvm_irq_line_pulse(&m.pit.irq0);
	ok(msis == 1 && (msi_data & 0xff) == 0x31, "IRQ0 -> GSI 2 -> MSI vector 0x31");

	/* The UART's interrupt: THRE with OUT2. */
	mmio_w(&m, 0xfec00000, 0x18);
	mmio_w(&m, 0xfec00010, 0x8044);		/* pin 4 level, vector 0x44 */
	msis = 0;
	io(&m, true, 0x3fc, 1, 0x08);		/* MCR OUT2 */
	io(&m, true, 0x3f9, 1, 0x02);		/* IER THRE */
	ok(msis == 1 && (msi_data & 0xff) == 0x44 && m.uart.irq.level,
	   "UART THRE interrupt with OUT2: IRQ4 up, MSI vector 0x44 (level)");
	ok((in(&m, 0x3fa, 1) & 0x0f) == 0x02 && !m.uart.irq.level,
	   "reading IIR (THRE) acknowledges it: IRQ4 down");
	io(&m, true, 0x3f8, 1, 'x');
	ok(m.uart.irq.level && msis == 1, "THR written: THRE again, but remote IRR holds the MSI");
	memset(page, 0, sizeof(page));
	run->exit_reason = MV_EXIT_EOI;
	run->eoi.vector = 0x44;
	ok(mvm_handle_exit(&m, run, RUN_SIZE) == MVM_CONTINUE && msis == 2,
	   "MV_EXIT_EOI 0x44: remote IRR cleared, still asserted -> MSI again");
	ok(simple_exit(&m, MV_EXIT_IRQ_WINDOW_OPEN) == MVM_CONTINUE,
	   "MV_EXIT_IRQ_WINDOW_OPEN continues (the runner injects)");
	ok(simple_exit(&m, MV_EXIT_HLT) == MVM_HALTED, "MV_EXIT_HLT on the PC: MVM_HALTED");

	/* CMOS through ports, memory size. */
	io(&m, true, 0x70, 1, 0x35);
	ok(in(&m, 0x71, 1) == 0x0f, "CMOS 0x35 through ports 0x70/0x71: 240 MiB above 16 MiB");
	ok(in(&m, 0xcfc, 4) == 0xffffffff, "PCI data: all-ones");
	ok(in(&m, 0x80, 1) == 0xff && !strstr(log_text ? log_text : "", "0x80"),
	   "port 0x80 is claimed: no warning");

	/* Stops. */
	ok(stops == 0 && m.stop_reason == MVM_STOP_NONE, "no stop requested so far");
	ok(io(&m, true, 0x604, 2, 0x3400) == MVM_STOPPED && stops == 1 && why == MVM_STOP_POWEROFF &&
	   m.stop_reason == MVM_STOP_POWEROFF, "ACPI S5 write: MVM_STOPPED, reason power-off");
	ok(io(&m, true, 0x64, 1, 0xfe) == MVM_STOPPED && stops == 1 && m.stop_reason == MVM_STOP_POWEROFF,
	   "a second request keeps the first reason, the hook is not called again");
	m.stop_reason = MVM_STOP_NONE;
	ok(simple_exit(&m, MV_EXIT_SHUTDOWN) == MVM_STOPPED && why == MVM_STOP_TRIPLE_FAULT,
	   "MV_EXIT_SHUTDOWN on the PC: a reset (triple fault), not status 4");
	ok(!strcmp(mvm_stop_reason_str(MVM_STOP_POWEROFF), "guest powered off") &&
	   !strcmp(mvm_stop_reason_str(MVM_STOP_TRIPLE_FAULT), "guest reset (triple fault)"),
	   "the one-line reasons");

	/* The plain machine is unchanged: EOI and window exits there are unexpected. */
	fclose(log);
	free(log_text);
	log_text = NULL;
	log = open_memstream(&log_text, &log_len);
	mvm_machine_init(&m, sink, NULL, log);
	ok(simple_exit(&m, MV_EXIT_EOI) == MVM_STATUS_UNEXPECTED &&
	   simple_exit(&m, MV_EXIT_HLT) == MVM_STATUS_HLT &&
	   simple_exit(&m, MV_EXIT_SHUTDOWN) == MVM_STATUS_SHUTDOWN,
	   "IMAGE machine: EOI unexpected (12), HLT 0, SHUTDOWN 4 as before");
	ok(mvm_bus_find(&m.pio, 0x20, 1) == NULL, "IMAGE machine: no PIC (nothing but UART and 0xf4)");
	fclose(log);
	free(log_text);
	return tap_end();
}
