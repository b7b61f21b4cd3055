// SPDX-License-Identifier: GPL-2.0
#include <string.h>

#include "legacy.h"
#include "machine.h"

static int reg(struct mvm_bus *bus, struct mvm_device *d, const char *name, uint64_t base,
	       uint64_t size, mvm_access_fn fn, void *priv)
{
	*d = (struct mvm_device){ .name = name, .base = base, .size = size, .access = fn,
				  .priv = priv };
	return mvm_bus_register(bus, d);
}

static int init_common(struct mvm_machine *m, mvm_uart_emit_fn emit, void *ctx, FILE *log)
{
	int ret;

	memset(m, 0, sizeof(*m));
	m->log = log;
	mvm_bus_init(&m->pio, "pio");
	mvm_bus_init(&m->mmio, "mmio");

	mvm_uart_init(&m->uart, emit, ctx);
	ret = reg(&m->pio, &m->uart_dev, "uart-16550", MVM_UART_COM1_BASE, MVM_UART_NR_REGS,
		  mvm_uart_access, &m->uart);
	if (ret)
		return ret;
	mvm_debug_exit_init(&m->debug_exit);
	return reg(&m->pio, &m->debug_exit_dev, "debug-exit", MVM_DEBUG_EXIT_PORT,
		   MVM_DEBUG_EXIT_SIZE, mvm_debug_exit_access, &m->debug_exit);
}

int mvm_machine_init(struct mvm_machine *m, mvm_uart_emit_fn emit, void *ctx, FILE *log)
{
	return init_common(m, emit, ctx, log);
}

void mvm_machine_stop(struct mvm_machine *m, enum mvm_stop_reason why)
{
	if (m->stop_reason != MVM_STOP_NONE || why == MVM_STOP_NONE)
		return;
	m->stop_reason = why;
	if (m->hooks.stop)
		m->hooks.stop(m->hooks.ctx, why);
}

static void dev_stop(void *ctx, enum mvm_stop_reason why)
{
	mvm_machine_stop(ctx, why);
}

static void pic_notify(void *ctx, bool intr)
{
	struct mvm_machine *m = ctx;

	if (m->hooks.pic_intr)
		m->hooks.pic_intr(m->hooks.ctx, intr);
}

static int ioapic_msi(void *ctx, uint32_t lo, uint32_t hi, uint32_t data)
{
	struct mvm_machine *m = ctx;

	return m->hooks.msi ? m->hooks.msi(m->hooks.ctx, lo, hi, data) : 0;
}

static void pit_arm(void *ctx, uint64_t abs_ns)
{
	struct mvm_machine *m = ctx;

	if (m->hooks.pit_arm)
		m->hooks.pit_arm(m->hooks.ctx, abs_ns);
}

int mvm_machine_init_pc(struct mvm_machine *m, const struct mvm_pc_config *cfg,
			mvm_uart_emit_fn emit, void *emit_ctx, FILE *log)
{
	struct mvm_bus *pio = &m->pio;
	int ret;

	ret = init_common(m, emit, emit_ctx, log);
	if (ret)
		return ret;
	m->pc = true;
	m->hooks = cfg->hooks;

	mvm_pic_init(&m->pic, pic_notify, m);
	mvm_ioapic_init(&m->ioapic, cfg->ncpus, ioapic_msi, m);
	m->router.pic = &m->pic;
	m->router.ioapic = &m->ioapic;
	mvm_pit_init(&m->pit, cfg->hooks.clock, cfg->hooks.ctx, pit_arm, m);
	mvm_irq_line_init(&m->pit.irq0, mvm_irq_router_set, &m->router, 0);
	mvm_irq_line_init(&m->uart.irq, mvm_irq_router_set, &m->router, MVM_UART_COM1_IRQ);
	mvm_rtc_init(&m->rtc, cfg->mem_size, cfg->hooks.wallclock, cfg->hooks.ctx);
	mvm_i8042_init(&m->kbd, dev_stop, m);
	mvm_irq_line_init(&m->kbd.irq1, mvm_irq_router_set, &m->router, 1);
	mvm_irq_line_init(&m->kbd.irq12, mvm_irq_router_set, &m->router, 12);
	mvm_pci_init(&m->pci, dev_stop, m);
	mvm_pm_init(&m->pm, dev_stop, m);
	mvm_irq_line_init(&m->pm.sci, mvm_irq_router_set, &m->router, 9);	/* boot.h: SCI */

	if ((ret = reg(pio, &m->pic_dev[0], "pic-master", MVM_PIC_MASTER_BASE, MVM_PIC_NR_PORTS,
		       mvm_pic_master_access, &m->pic)) ||
	    (ret = reg(pio, &m->pic_dev[1], "pic-slave", MVM_PIC_SLAVE_BASE, MVM_PIC_NR_PORTS,
		       mvm_pic_slave_access, &m->pic)) ||
	    (ret = reg(pio, &m->pic_dev[2], "pic-elcr", MVM_PIC_ELCR_BASE, MVM_PIC_NR_PORTS,
		       mvm_pic_elcr_access, &m->pic)) ||
	    (ret = reg(pio, &m->pit_dev, "pit-8254", MVM_PIT_BASE, MVM_PIT_NR_PORTS,
		       mvm_pit_access, &m->pit)) ||
	    (ret = reg(pio, &m->port_b_dev, "port-61", MVM_PORT_B, 1, mvm_port_b_access,
		       &m->pit)) ||
	    (ret = reg(pio, &m->rtc_dev, "cmos-rtc", MVM_RTC_BASE, MVM_RTC_NR_PORTS,
		       mvm_rtc_access, &m->rtc)) ||
	    (ret = reg(pio, &m->kbd_dev[0], "i8042-data", MVM_I8042_DATA, 1, mvm_i8042_access,
		       &m->kbd)) ||
	    (ret = reg(pio, &m->kbd_dev[1], "i8042-cmd", MVM_I8042_CMD, 1, mvm_i8042_access,
		       &m->kbd)) ||
	    (ret = reg(pio, &m->pci_dev[0], "pci-config-address", MVM_PCI_CONFIG_ADDR, 4,
		       mvm_pci_addr_access, &m->pci)) ||
	    (ret = reg(pio, &m->pci_dev[1], "pci-config-data", MVM_PCI_CONFIG_DATA, 4,
		       mvm_pci_data_access, &m->pci)) ||
	    (ret = reg(pio, &m->pm_dev[0], "acpi-pm1a-evt", cfg->pm1a_evt, 4, mvm_pm_evt_access,
		       &m->pm)) ||
	    (ret = reg(pio, &m->pm_dev[1], "acpi-pm1a-cnt", cfg->pm1a_cnt, 2, mvm_pm_cnt_access,
		       &m->pm)) ||
	    (ret = reg(pio, &m->sink_dev[0], "post-0x80", MVM_POST_PORT, 1, mvm_sink_access,
		       NULL)) ||
	    (ret = reg(pio, &m->sink_dev[1], "delay-0xed", MVM_DELAY_PORT_ED, 1,
		       mvm_sink_access, NULL)) ||
	    (ret = reg(&m->mmio, &m->ioapic_dev, "ioapic", MVM_IOAPIC_ADDR, MVM_IOAPIC_SIZE,
		       mvm_ioapic_access, &m->ioapic)))
		return ret;
	return 0;
}

void mvm_machine_finish(struct mvm_machine *m)
{
	mvm_uart_flush(&m->uart);
}
