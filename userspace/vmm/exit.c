// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <inttypes.h>
#include <string.h>

#include "exit.h"
#include "libminivisor.h"
#include "status.h"

static uint64_t le_value(const uint8_t *data, unsigned int len)
{
	uint64_t v = 0;
	unsigned int i;

	for (i = 0; i < len; i++)
		v |= (uint64_t)data[i] << (8 * i);
	return v;
}

/* Has this (bus, address) been reported? Records it if not. */
static bool seen_before(struct mvm_machine *m, bool mmio, uint64_t addr)
{
	uint64_t key = ((mmio ? 1ull : 0ull) << 63 | addr) + 1;
	unsigned int i, h = (unsigned int)((key * 0x9e3779b97f4a7c15ull) >> 54);

	for (i = 0; i < MVM_UNCLAIMED_SLOTS; i++) {
		uint64_t *slot = &m->seen[(h + i) % MVM_UNCLAIMED_SLOTS];

		if (*slot == key)
			return true;
		if (*slot == 0) {
			*slot = key;
			m->nseen++;
			return false;
		}
	}
	return true;	/* table full: quiet from now on */
}

static void warn_unclaimed(struct mvm_machine *m, const char *what, uint64_t addr,
			   unsigned int len, bool is_write, const uint8_t *data)
{
	m->unclaimed++;
	if (m->nseen >= MVM_UNCLAIMED_SLOTS || seen_before(m, what[0] == 'm', addr))
		return;
	if (is_write)
		fprintf(m->log, "mvm: warning: %s write to unclaimed 0x%" PRIx64
			" (%u bytes, value 0x%" PRIx64 ") ignored\n",
			what, addr, len, le_value(data, len));
	else
		fprintf(m->log, "mvm: warning: %s read from unclaimed 0x%" PRIx64
			" (%u bytes) returns all-ones\n", what, addr, len);
	if (m->nseen == MVM_UNCLAIMED_SLOTS)
		fprintf(m->log, "mvm: warning: %u unclaimed addresses reported, further ones are "
			"not\n", m->nseen);
}

/* One access on a bus: MVM_CONTINUE, or a status if the device model failed. */
static int bus_access(struct mvm_machine *m, struct mvm_bus *bus, const char *what,
		      uint64_t addr, uint8_t *data, unsigned int len, bool is_write)
{
	struct mvm_device *dev = mvm_bus_find(bus, addr, len);
	int ret;

	if (!dev) {
		mvm_bus_access(bus, addr, data, len, is_write);	/* fills all-ones */
		warn_unclaimed(m, what, addr, len, is_write, data);
		return MVM_CONTINUE;
	}
	ret = dev->access(dev, addr - dev->base, data, len, is_write);
	if (ret) {
		fprintf(m->log, "mvm: device %s failed a %u-byte %s at %s 0x%" PRIx64 ": %s\n",
			dev->name, len, is_write ? "write" : "read", what, addr, strerror(-ret));
		return MVM_STATUS_UNEXPECTED;
	}
	return MVM_CONTINUE;
}

static int malformed(struct mvm_machine *m, const struct mv_run *run, const char *why)
{
	fprintf(m->log, "mvm: malformed %s exit from the module: %s\n",
		mv_exit_reason_str(run->exit_reason), why);
	mv_dump_exit(m->log, run);
	return MVM_STATUS_UNEXPECTED;
}

static int handle_io(struct mvm_machine *m, struct mv_run *run, size_t run_size)
{
	unsigned int size = run->io.size, count = run->io.count, i;
	uint64_t off = run->io.data_offset;
	bool is_write = run->io.direction == MV_EXIT_IO_OUT;
	uint8_t *data;
	int ret;

	if (size != 1 && size != 2 && size != 4)
		return malformed(m, run, "io.size is not 1, 2 or 4");
	if (run->io.direction != MV_EXIT_IO_IN && run->io.direction != MV_EXIT_IO_OUT)
		return malformed(m, run, "io.direction is neither in nor out");
	if (count == 0)
		return malformed(m, run, "io.count is 0");
	/* The data area must lie after struct mv_run and inside the mapping. */
	if (off < sizeof(*run) || off > run_size || (uint64_t)size * count > run_size - off)
		return malformed(m, run, "io.data_offset/size/count point outside the run page");

	data = (uint8_t *)run + off;
	for (i = 0; i < count; i++, data += size) {
		ret = bus_access(m, &m->pio, "port", run->io.port, data, size, is_write);
		if (ret != MVM_CONTINUE)
			return ret;
		if (m->debug_exit.fired)
			return mvm_debug_exit_status(m->debug_exit.value);
		if (m->stop_reason != MVM_STOP_NONE)
			return MVM_STOPPED;
	}
	return MVM_CONTINUE;
}

static int handle_mmio(struct mvm_machine *m, struct mv_run *run)
{
	unsigned int len = run->mmio.len;
	int ret;

	if (len != 1 && len != 2 && len != 4 && len != 8)
		return malformed(m, run, "mmio.len is not 1, 2, 4 or 8");
	ret = bus_access(m, &m->mmio, "mmio", run->mmio.phys_addr, run->mmio.data, len,
			 run->mmio.is_write);
	if (ret != MVM_CONTINUE)
		return ret;
	if (m->debug_exit.fired)
		return mvm_debug_exit_status(m->debug_exit.value);
	if (m->stop_reason != MVM_STOP_NONE)
		return MVM_STOPPED;
	return MVM_CONTINUE;
}

static int fatal(struct mvm_machine *m, const struct mv_run *run, const char *what, int status)
{
	fprintf(m->log, "mvm: %s\n", what);
	mv_dump_exit(m->log, run);
	return status;
}

int mvm_handle_exit(struct mvm_machine *m, struct mv_run *run, size_t run_size)
{
	switch (run->exit_reason) {
	case MV_EXIT_IO:
		return handle_io(m, run, run_size);
	case MV_EXIT_MMIO:
		return handle_mmio(m, run);
	case MV_EXIT_HLT:
		return m->pc ? MVM_HALTED : MVM_STATUS_HLT;
	case MV_EXIT_SHUTDOWN:
		if (m->pc) {
			/* A PC resets on a triple fault: a reboot request. */
			mvm_machine_stop(m, MVM_STOP_TRIPLE_FAULT);
			return MVM_STOPPED;
		}
		return fatal(m, run, "the guest triple-faulted (shutdown)", MVM_STATUS_SHUTDOWN);
	case MV_EXIT_IRQ_WINDOW_OPEN:
		if (!m->pc)
			return fatal(m, run, "interrupt window exit without a PIC",
				     MVM_STATUS_UNEXPECTED);
		return MVM_CONTINUE;	/* the runner injects before the next MV_RUN */
	case MV_EXIT_EOI:
		if (!m->pc)
			return fatal(m, run, "EOI exit without an IOAPIC", MVM_STATUS_UNEXPECTED);
		mvm_ioapic_eoi(&m->ioapic, run->eoi.vector);
		return MVM_CONTINUE;
	case MV_EXIT_FAIL_ENTRY:
		return fatal(m, run, "VM entry failed: the CPU refused the guest state",
			     MVM_STATUS_FAIL_ENTRY);
	case MV_EXIT_INTERNAL_ERROR:
		return fatal(m, run, "the module could not handle an exit (internal error)",
			     MVM_STATUS_INTERNAL);
	default:
		/* NONE or INTR after a successful MV_RUN, or a reason newer than us. */
		return fatal(m, run, "unexpected exit reason", MVM_STATUS_UNEXPECTED);
	}
}
