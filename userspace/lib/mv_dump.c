// SPDX-License-Identifier: GPL-2.0
/*
 * libminivisor: human-readable names and dumps of exits and registers, for
 * mvm's error reports and the selftests' diagnostics.
 */
#include <inttypes.h>

#include "libminivisor.h"

/* The run page size the ABI guarantees (MV_CAP_VCPU_MMAP_SIZE is >= this). */
#define MV_RUN_PAGE_MIN	4096u

static const char *const exit_names[] = {
	[MV_EXIT_NONE]		 = "NONE",
	[MV_EXIT_IO]		 = "IO",
	[MV_EXIT_MMIO]		 = "MMIO",
	[MV_EXIT_HLT]		 = "HLT",
	[MV_EXIT_SHUTDOWN]	 = "SHUTDOWN",
	[MV_EXIT_FAIL_ENTRY]	 = "FAIL_ENTRY",
	[MV_EXIT_INTERNAL_ERROR] = "INTERNAL_ERROR",
	[MV_EXIT_INTR]		 = "INTR",
	[MV_EXIT_HYPERCALL]	 = "HYPERCALL",
	[MV_EXIT_MSR]		 = "MSR",
	[MV_EXIT_DEBUG]		 = "DEBUG",
	[MV_EXIT_DESC]		 = "DESC",
	[MV_EXIT_IRQ_WINDOW_OPEN] = "IRQ_WINDOW_OPEN",
	[MV_EXIT_EOI]		 = "EOI",
};

const char *mv_exit_reason_str(uint32_t reason)
{
	if (reason < sizeof(exit_names) / sizeof(exit_names[0]) && exit_names[reason])
		return exit_names[reason];
	return "UNKNOWN";
}

const char *mv_internal_suberror_str(uint32_t suberror)
{
	switch (suberror) {
	case MV_INTERNAL_UNHANDLED_EXIT:
		return "UNHANDLED_EXIT";
	case MV_INTERNAL_EMULATION:
		return "EMULATION";
	case MV_INTERNAL_HW_ERROR:
		return "HW_ERROR";
	case MV_INTERNAL_MEMORY_FAULT:
		return "MEMORY_FAULT";
	default:
		return "UNKNOWN";
	}
}

/* Basic VM-exit reasons a failed entry reports (SDM Vol. 3C 27.8). */
static const char *entry_failure_str(uint64_t reason)
{
	switch (reason) {
	case 33:
		return "invalid guest state";
	case 34:
		return "MSR loading";
	case 41:
		return "machine-check event";
	default:
		return "unknown";
	}
}

static void dump_io(FILE *f, const struct mv_run *run)
{
	uint64_t off = run->io.data_offset;
	uint64_t bytes = (uint64_t)run->io.size * run->io.count;
	const uint8_t *data = (const uint8_t *)run + off;
	uint64_t i;

	fprintf(f, "io.direction: %u (%s)\n", run->io.direction,
		run->io.direction == MV_EXIT_IO_OUT ? "out" :
		run->io.direction == MV_EXIT_IO_IN ? "in" : "?");
	fprintf(f, "io.size: %u\n", run->io.size);
	fprintf(f, "io.port: 0x%04x\n", run->io.port);
	fprintf(f, "io.count: %u\n", run->io.count);
	fprintf(f, "io.data_offset: 0x%" PRIx64 "\n", off);
	/*
	 * Only show the data when it lies inside the one page the ABI maps;
	 * a corrupt offset must not make the dump itself fault.
	 */
	if (off < sizeof(*run) || off > MV_RUN_PAGE_MIN || bytes > MV_RUN_PAGE_MIN - off ||
	    bytes > 64)
		return;
	fprintf(f, "io.data:");
	for (i = 0; i < bytes; i++)
		fprintf(f, " %02x", data[i]);
	fprintf(f, "\n");
}

static void dump_mmio(FILE *f, const struct mv_run *run)
{
	unsigned int i, len = run->mmio.len;

	fprintf(f, "mmio.phys_addr: 0x%" PRIx64 "\n", (uint64_t)run->mmio.phys_addr);
	fprintf(f, "mmio.len: %u\n", len);
	fprintf(f, "mmio.is_write: %u\n", run->mmio.is_write);
	if (len > sizeof(run->mmio.data))
		len = sizeof(run->mmio.data);
	fprintf(f, "mmio.data:");
	for (i = 0; i < len; i++)
		fprintf(f, " %02x", run->mmio.data[i]);
	fprintf(f, "\n");
}

static void dump_internal(FILE *f, const struct mv_run *run)
{
	uint32_t i, n = run->internal.ndata;

	fprintf(f, "internal.suberror: %u (%s)\n", run->internal.suberror,
		mv_internal_suberror_str(run->internal.suberror));
	fprintf(f, "internal.ndata: %u\n", n);
	if (n > MV_INTERNAL_MAX_DATA)
		n = MV_INTERNAL_MAX_DATA;
	for (i = 0; i < n; i++)
		fprintf(f, "internal.data[%u]: 0x%016" PRIx64 "\n", i,
			(uint64_t)run->internal.data[i]);
}

void mv_dump_exit(FILE *f, const struct mv_run *run)
{
	fprintf(f, "exit_reason: %u (%s)\n", run->exit_reason,
		mv_exit_reason_str(run->exit_reason));
	switch (run->exit_reason) {
	case MV_EXIT_IO:
		dump_io(f, run);
		break;
	case MV_EXIT_MMIO:
		dump_mmio(f, run);
		break;
	case MV_EXIT_FAIL_ENTRY:
		fprintf(f, "fail_entry.hardware_entry_failure_reason: %" PRIu64 " (%s)\n",
			(uint64_t)run->fail_entry.hardware_entry_failure_reason,
			entry_failure_str(run->fail_entry.hardware_entry_failure_reason));
		fprintf(f, "fail_entry.qualification: 0x%" PRIx64 "\n",
			(uint64_t)run->fail_entry.qualification);
		fprintf(f, "fail_entry.cpu: %u\n", run->fail_entry.cpu);
		fprintf(f, "fail_entry.check: %u (%s%s%s)\n", run->fail_entry.check,
			mv_entry_check_str(run->fail_entry.check),
			run->fail_entry.check ? ", SDM Vol. 3C " : "",
			mv_entry_check_sdm(run->fail_entry.check));
		break;
	case MV_EXIT_INTERNAL_ERROR:
		dump_internal(f, run);
		break;
	case MV_EXIT_HYPERCALL:
		fprintf(f, "hypercall.nr: 0x%" PRIx64 "\n", (uint64_t)run->hypercall.nr);
		for (unsigned int i = 0; i < 4; i++)
			fprintf(f, "hypercall.args[%u]: 0x%" PRIx64 "\n", i,
				(uint64_t)run->hypercall.args[i]);
		break;
	case MV_EXIT_EOI:
		fprintf(f, "eoi.vector: %u\n", run->eoi.vector);
		break;
	case MV_EXIT_MSR:
		fprintf(f, "msr.index: 0x%x\nmsr.is_write: %u\nmsr.data: 0x%" PRIx64 "\n",
			run->msr.index, run->msr.is_write, (uint64_t)run->msr.data);
		break;
	default:
		/* HLT, SHUTDOWN, INTR: no payload. Unknown: nothing we can decode. */
		break;
	}
}

static void dump_seg(FILE *f, const char *name, const struct mv_segment *s)
{
	fprintf(f, "%-3s sel=0x%04x base=0x%016" PRIx64 " limit=0x%08x type=0x%x "
		"p=%u dpl=%u db=%u s=%u l=%u g=%u avl=%u%s\n",
		name, s->selector, (uint64_t)s->base, s->limit, s->type, s->present,
		s->dpl, s->db, s->s, s->l, s->g, s->avl, s->unusable ? " unusable" : "");
}

void mv_dump_regs(FILE *f, const struct mv_regs *r, const struct mv_sregs *s)
{
	if (r) {
		fprintf(f, "rax=0x%016" PRIx64 " rbx=0x%016" PRIx64
			" rcx=0x%016" PRIx64 " rdx=0x%016" PRIx64 "\n",
			(uint64_t)r->rax, (uint64_t)r->rbx, (uint64_t)r->rcx, (uint64_t)r->rdx);
		fprintf(f, "rsi=0x%016" PRIx64 " rdi=0x%016" PRIx64
			" rsp=0x%016" PRIx64 " rbp=0x%016" PRIx64 "\n",
			(uint64_t)r->rsi, (uint64_t)r->rdi, (uint64_t)r->rsp, (uint64_t)r->rbp);
		fprintf(f, "r8 =0x%016" PRIx64 " r9 =0x%016" PRIx64
			" r10=0x%016" PRIx64 " r11=0x%016" PRIx64 "\n",
			(uint64_t)r->r8, (uint64_t)r->r9, (uint64_t)r->r10, (uint64_t)r->r11);
		fprintf(f, "r12=0x%016" PRIx64 " r13=0x%016" PRIx64
			" r14=0x%016" PRIx64 " r15=0x%016" PRIx64 "\n",
			(uint64_t)r->r12, (uint64_t)r->r13, (uint64_t)r->r14, (uint64_t)r->r15);
		fprintf(f, "rip=0x%016" PRIx64 " rflags=0x%016" PRIx64 "\n",
			(uint64_t)r->rip, (uint64_t)r->rflags);
	}
	if (!s)
		return;
	dump_seg(f, "cs", &s->cs);
	dump_seg(f, "ds", &s->ds);
	dump_seg(f, "es", &s->es);
	dump_seg(f, "fs", &s->fs);
	dump_seg(f, "gs", &s->gs);
	dump_seg(f, "ss", &s->ss);
	dump_seg(f, "tr", &s->tr);
	dump_seg(f, "ldt", &s->ldt);
	fprintf(f, "gdt base=0x%016" PRIx64 " limit=0x%04x\n", (uint64_t)s->gdt.base,
		s->gdt.limit);
	fprintf(f, "idt base=0x%016" PRIx64 " limit=0x%04x\n", (uint64_t)s->idt.base,
		s->idt.limit);
	fprintf(f, "cr0=0x%016" PRIx64 " cr2=0x%016" PRIx64 " cr3=0x%016" PRIx64
		" cr4=0x%016" PRIx64 "\n", (uint64_t)s->cr0, (uint64_t)s->cr2,
		(uint64_t)s->cr3, (uint64_t)s->cr4);
	fprintf(f, "efer=0x%016" PRIx64 "\n", (uint64_t)s->efer);
}
