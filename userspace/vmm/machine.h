/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The virtual platform around the vCPUs: its buses and device models.
 *
 * Two machines: the plain one of the IMAGE form (a 16550 UART and the
 * debug-exit port, nothing else: mvm_machine_init) and the PC of the
 * Linux/multiboot forms (mvm_machine_init_pc): PIC pair, PIT and port 0x61,
 * IOAPIC, CMOS RTC, i8042, PCI configuration ports, ACPI PM1a, port 0x80,
 * the UART on IRQ4 and the debug exit. Both are pure: what reaches the
 * outside (MSIs, the PIC's INTR, the PIT's host timer, stop requests) goes
 * through struct mvm_machine_hooks, which mvm wires to ioctls and threads
 * and the tests to recorders.
 *
 * Locking: none in here; the caller serialises every call into a machine
 * (mvm: one mutex, the machine lock, held by a vCPU thread while it
 * handles an exit and by the device thread while it feeds timers and input).
 */
#ifndef MVM_MACHINE_H
#define MVM_MACHINE_H

#include <stdio.h>

#include "bus.h"
#include "debug_exit.h"
#include "i8042.h"
#include "ioapic.h"
#include "irq.h"
#include "pci.h"
#include "pic.h"
#include "pit.h"
#include "pm.h"
#include "rtc.h"
#include "uart.h"

/* Distinct unclaimed addresses reported (one line each) before going quiet. */
#define MVM_UNCLAIMED_SLOTS	1024

struct mvm_machine_hooks {
	void *ctx;
	/* IOAPIC delivery: mv_signal_msi(). Returns accepting APICs or -errno. */
	int (*msi)(void *ctx, uint32_t address_lo, uint32_t address_hi, uint32_t data);
	/* The PIC's INTR output changed (vCPU 0 should look). */
	void (*pic_intr)(void *ctx, bool intr);
	/* Arm the host timer for the PIT at abs_ns (CLOCK_MONOTONIC), 0: disarm. */
	void (*pit_arm)(void *ctx, uint64_t abs_ns);
	/* A device asked to end the machine (first reason wins; already recorded). */
	void (*stop)(void *ctx, enum mvm_stop_reason why);
	/* Clocks; NULL: CLOCK_MONOTONIC / CLOCK_REALTIME. */
	mvm_clock_fn clock;
	mvm_wallclock_fn wallclock;
};

struct mvm_pc_config {
	uint64_t mem_size;		/* for the CMOS memory fields */
	unsigned int ncpus;		/* the IOAPIC's ID is ncpus (boot.h, MADT) */
	uint16_t pm1a_evt, pm1a_cnt;	/* ACPI fixed-hardware ports (boot.h) */
	struct mvm_machine_hooks hooks;
};

struct mvm_machine {
	struct mvm_bus pio;
	struct mvm_bus mmio;

	struct mvm_uart uart;
	struct mvm_device uart_dev;
	struct mvm_debug_exit debug_exit;
	struct mvm_device debug_exit_dev;

	FILE *log;			/* warnings and exit dumps (stderr) */
	unsigned long unclaimed;	/* unclaimed accesses seen */
	unsigned int nseen;		/* distinct unclaimed addresses reported */
	uint64_t seen[MVM_UNCLAIMED_SLOTS];	/* (bus << 63) | address + 1, 0 = free */

	/* The PC (pc == true) */
	bool pc;
	struct mvm_machine_hooks hooks;
	enum mvm_stop_reason stop_reason;	/* first stop request, NONE until then */
	struct mvm_irq_router router;
	struct mvm_pic pic;
	struct mvm_ioapic ioapic;
	struct mvm_pit pit;
	struct mvm_rtc rtc;
	struct mvm_i8042 kbd;
	struct mvm_pci pci;
	struct mvm_pm pm;
	struct mvm_device pic_dev[3], ioapic_dev, pit_dev, port_b_dev, rtc_dev, kbd_dev[2],
			  pci_dev[2], pm_dev[2], sink_dev[2];
};

/* UART output goes to emit(ctx, ...). 0 or -errno (a device could not be registered). */
int mvm_machine_init(struct mvm_machine *m, mvm_uart_emit_fn emit, void *ctx, FILE *log);
/* The PC platform. 0 or -errno. */
int mvm_machine_init_pc(struct mvm_machine *m, const struct mvm_pc_config *cfg,
			mvm_uart_emit_fn emit, void *emit_ctx, FILE *log);
/* Record a stop request (first wins) and tell hooks.stop. */
void mvm_machine_stop(struct mvm_machine *m, enum mvm_stop_reason why);
/* Flush buffered device output; call before exiting. */
void mvm_machine_finish(struct mvm_machine *m);

#endif /* MVM_MACHINE_H */
