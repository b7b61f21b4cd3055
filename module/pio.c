// SPDX-License-Identifier: GPL-2.0
/*
 * String port I/O: INS and OUTS, with or without REP, emulated in core so
 * every backend behaves the same. The backend reports the port, the element
 * size, the address size, REP, DF and the linear address of the current
 * element (SDM Vol. 3C 28.2.1 table 28-5, 28.2.5 table 28-8); core moves the
 * data between guest memory and the run page.
 *
 * One exit to userspace carries as many elements as fit in the I/O data
 * area without leaving the guest page of the first one (io.count). RSI/RDI
 * and RCX advance by what was transferred; RIP moves past the instruction
 * only when the count is exhausted. Until then the guest executes the same
 * REP INS/OUTS again at the next entry, which exits with the rest: the
 * instruction is resumable at every element boundary, after a signal or an
 * MV_SET_REGS, exactly as on hardware (an interrupt may arrive between
 * iterations, SDM Vol. 2B "REP").
 */
#include <linux/kernel.h>
#include <linux/mm.h>
#include "mv.h"
#include "trace.h"
#include "../common/x86_decode.h"

#define MV_RUN_IO_DATA_SIZE	(MV_RUN_SIZE - MV_RUN_IO_DATA_OFFSET)
#define X86_TRAP_PF_VECTOR	14
#define PF_ERR_WRITE		(1u << 1)
#define PF_ERR_USER		(1u << 2)

/* Register update of an address or count register for the address size. */
static u64 mv_addr_reg_add(u64 old, s64 delta, unsigned int addr_size)
{
	switch (addr_size) {
	case 2:
		return (old & ~0xffffULL) | ((old + delta) & 0xffff);
	case 4:
		return (u32)(old + delta);	/* a 32-bit write zero-extends */
	default:
		return old + delta;
	}
}

static u64 mv_addr_mask(u64 v, unsigned int addr_size)
{
	return addr_size == 8 ? v : v & ((1ULL << (8 * addr_size)) - 1);
}

/* The i-th element's linear address (DF set: downwards). */
static u64 mv_pio_la(const struct mv_io_exit *io, unsigned int i)
{
	return io->df ? io->la - (u64)i * io->size : io->la + (u64)i * io->size;
}

/*
 * Moves n elements between guest memory and buf (to_guest: INS). With
 * buf NULL it only checks that they can be reached. Returns how many it
 * moved; *fault_la is set if it stopped at a linear address that does not
 * translate, *missing if guest-physical memory was not there.
 */
static unsigned int mv_pio_copy(struct mv_vcpu *vcpu, const struct mv_io_exit *io,
				unsigned int n, u8 *buf, bool to_guest, u64 *fault_la,
				bool *missing)
{
	unsigned int i;
	u8 probe[4];
	int r;

	for (i = 0; i < n; i++) {
		r = mv_linear_access(vcpu, mv_pio_la(io, i), buf ? buf + i * io->size : probe,
				     io->size, buf && to_guest, fault_la);
		if (r) {
			*missing = r == -EIO;
			break;
		}
	}
	return i;
}

/*
 * How many elements go in this exit: at most what the data area holds and
 * what the count asks.
 */
static unsigned int mv_pio_batch(const struct mv_io_exit *io, u64 count)
{
	return min_t(u64, MV_RUN_IO_DATA_SIZE / io->size, count);
}

/* The CPU would fault at this element: #PF for the guest, no I/O. */
static int mv_pio_fault(struct mv_vcpu *vcpu, const struct mv_io_exit *io, u64 la)
{
	mv_ops->queue_exception(vcpu, X86_TRAP_PF_VECTOR, true,
				(io->in ? PF_ERR_WRITE : 0) | (io->cpl == 3 ? PF_ERR_USER : 0),
				la);
	return 1;
}

/* The element is not in RAM (MMIO or a hole): not emulated, data[0] = linear. */
static int mv_pio_internal(struct mv_vcpu *vcpu, u64 la)
{
	struct mv_run *run = vcpu->run;

	run->exit_reason = MV_EXIT_INTERNAL_ERROR;
	run->internal.suberror = MV_INTERNAL_EMULATION;
	run->internal.ndata = 2;
	run->internal.data[0] = la;
	run->internal.data[1] = vcpu->exit.io.rip;
	return 0;
}

/* Advances RSI or RDI, and RCX under REP, past n elements; RIP when done. */
static void mv_pio_advance(struct mv_vcpu *vcpu, const struct mv_io_exit *io, unsigned int n)
{
	unsigned int reg = io->in ? X86_RDI : X86_RSI;
	s64 delta = (s64)n * io->size * (io->df ? -1 : 1);
	u64 rcx = 0;

	mv_ops->set_gpr(vcpu, reg, mv_addr_reg_add(mv_ops->get_gpr(vcpu, reg), delta,
						    io->addr_size));
	if (io->rep) {
		rcx = mv_addr_reg_add(mv_ops->get_gpr(vcpu, X86_RCX), -(s64)n, io->addr_size);
		mv_ops->set_gpr(vcpu, X86_RCX, rcx);
	}
	if (!io->rep || !mv_addr_mask(rcx, io->addr_size))
		mv_ops->skip_insn(vcpu, io->insn_len);
}

/* The first element in the I/O data area, for the trace (only when it is on). */
static u32 mv_pio_first(const u8 *data, const struct mv_io_exit *io)
{
	u32 v = 0;

	memcpy(&v, data, io->size);
	return v;
}

/*
 * A string I/O exit. Returns 0 to go to userspace (run filled in), 1 to
 * enter the guest again (nothing to do, or a #PF was queued).
 */
int mv_pio_string_exit(struct mv_vcpu *vcpu)
{
	struct mv_io_exit *io = &vcpu->exit.io;
	struct mv_run *run = vcpu->run;
	u8 *data = (u8 *)run + MV_RUN_IO_DATA_OFFSET;
	u64 count = 1, fault_la = 0;
	bool missing = false;
	unsigned int n, done;

	if (io->rep)
		count = mv_addr_mask(mv_ops->get_gpr(vcpu, X86_RCX), io->addr_size);
	if (!count) {
		/* REP with a zero count: the instruction does nothing. */
		mv_ops->skip_insn(vcpu, io->insn_len);
		return 1;
	}
	n = mv_pio_batch(io, count);
	if (io->in) {
		done = mv_pio_copy(vcpu, io, n, NULL, true, &fault_la, &missing);
		if (!done)
			return missing ? mv_pio_internal(vcpu, io->la) :
					 mv_pio_fault(vcpu, io, fault_la);
		memset(data, 0, done * io->size);
		vcpu->pending = (struct mv_pending) {
			.kind = MV_PENDING_PIO_STRING_IN, .size = io->size,
		};
		vcpu->pending_io = *io;
		vcpu->pending_io.count = done;
	} else {
		done = mv_pio_copy(vcpu, io, n, data, false, &fault_la, &missing);
		if (!done)
			return missing ? mv_pio_internal(vcpu, io->la) :
					 mv_pio_fault(vcpu, io, fault_la);
		/* A later element faults or is missing: the next exit reports it. */
	}

	run->exit_reason = MV_EXIT_IO;
	run->io.direction = io->in ? MV_EXIT_IO_IN : MV_EXIT_IO_OUT;
	run->io.size = io->size;
	run->io.port = io->port;
	run->io.count = done;
	run->io.data_offset = MV_RUN_IO_DATA_OFFSET;
	if (!io->in) {
		trace_minivisor_pio(vcpu, io->port, io->size, false, done, mv_pio_first(data, io));
		mv_pio_advance(vcpu, io, done);
	}
	return 0;
}

/* INS: the data userspace supplied goes to guest memory at the next MV_RUN. */
void mv_pio_string_complete(struct mv_vcpu *vcpu)
{
	struct mv_io_exit *io = &vcpu->pending_io;
	u8 *data = (u8 *)vcpu->run + MV_RUN_IO_DATA_OFFSET;
	u64 fault_la = mv_pio_la(io, 0);
	bool missing = false;
	unsigned int done;

	done = mv_pio_copy(vcpu, io, io->count, data, true, &fault_la, &missing);
	if (done < io->count)
		pr_warn_ratelimited("minivisor: INS data for guest address %#llx could not be stored (no writable RAM there); element dropped\n",
				    mv_pio_la(io, done));
	if (done) {
		trace_minivisor_pio(vcpu, io->port, io->size, true, done, mv_pio_first(data, io));
		mv_pio_advance(vcpu, io, done);
	}
}
