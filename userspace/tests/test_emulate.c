// SPDX-License-Identifier: GPL-2.0
/*
 * The demo guests, run end to end on an emulated CPU (Unicorn, i.e. QEMU's
 * TCG) instead of VT-x: mvm's loader, layout, mv_setup_long_mode() state and
 * page tables, exit handler and devices are all the real ones; only MV_RUN
 * is replaced. Each IN/OUT/HLT the emulator sees is turned into the
 * struct mv_run exit the module would report and handed to
 * mvm_handle_exit(), so this also proves the guests and mvm agree on the
 * device contract. Checks that hello.bin prints its line and halts (status
 * 0), and that hello-long.elf gets into 64-bit code through our GDT and
 * identity map, uses the stack, prints, and exits with status 33.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unicorn/unicorn.h>

#include "args.h"
#include "exit.h"
#include "layout.h"
#include "loader.h"
#include "machine.h"
#include "status.h"
#include "tap.h"

#define EMU_MEM		(16ull << 20)
#define RUN_SIZE	4096
#define DATA_OFF	1024

struct emu {
	uc_engine *uc;
	struct mvm_machine m;
	uint8_t page[RUN_SIZE] __attribute__((aligned(8)));
	int status;		/* MVM_CONTINUE while running */
	char out[512];
	size_t out_len;
	unsigned long exits;
};

static void sink(void *ctx, const char *buf, size_t len)
{
	struct emu *e = ctx;

	if (e->out_len + len < sizeof(e->out)) {
		memcpy(e->out + e->out_len, buf, len);
		e->out_len += len;
	}
}

/* Deliver one exit to mvm and stop the emulator if mvm says so. */
static void deliver(struct emu *e)
{
	e->exits++;
	e->status = mvm_handle_exit(&e->m, (struct mv_run *)e->page, RUN_SIZE);
	if (e->status != MVM_CONTINUE)
		uc_emu_stop(e->uc);
}

static void io_exit(struct emu *e, uint8_t dir, uint32_t port, int size)
{
	struct mv_run *run = (struct mv_run *)e->page;

	memset(run, 0, sizeof(*run));
	run->exit_reason = MV_EXIT_IO;
	run->io.direction = dir;
	run->io.size = (uint8_t)size;
	run->io.port = (uint16_t)port;
	run->io.count = 1;
	run->io.data_offset = DATA_OFF;
}

static uint32_t on_in(uc_engine *uc, uint32_t port, int size, void *user)
{
	struct emu *e = user;
	uint32_t v = 0;

	(void)uc;
	io_exit(e, MV_EXIT_IO_IN, port, size);
	deliver(e);
	memcpy(&v, e->page + DATA_OFF, (size_t)size);
	return v;
}

static void on_out(uc_engine *uc, uint32_t port, int size, uint32_t value, void *user)
{
	struct emu *e = user;

	(void)uc;
	io_exit(e, MV_EXIT_IO_OUT, port, size);
	memcpy(e->page + DATA_OFF, &value, (size_t)size);
	deliver(e);
}

/* HLT is not an exit Unicorn reports: spot the opcode before it runs. */
static void on_code(uc_engine *uc, uint64_t addr, uint32_t size, void *user)
{
	struct emu *e = user;
	uint8_t op;

	(void)size;
	if (uc_mem_read(uc, addr, &op, 1) == UC_ERR_OK && op == 0xf4) {
		memset(e->page, 0, sizeof(struct mv_run));
		((struct mv_run *)e->page)->exit_reason = MV_EXIT_HLT;
		deliver(e);
	}
}

static int set_seg(uc_engine *uc, int reg, uint16_t sel)
{
	uint64_t v = sel;

	return uc_reg_write(uc, reg, &v);
}

/* Load the state mvm would hand to MV_SET_SREGS/MV_SET_REGS into the emulator. */
static uc_err load_state(uc_engine *uc, const struct mv_regs *r, const struct mv_sregs *s,
			 bool long_mode)
{
	uc_x86_mmr gdtr = { .base = s->gdt.base, .limit = s->gdt.limit };
	uc_x86_msr efer = { .rid = 0xc0000080, .value = s->efer };
	uint64_t v;
	uc_err err = UC_ERR_OK;

	if (long_mode) {
		/* Paging structures first, CR0.PG last, as a guest would do it. */
		err |= uc_reg_write(uc, UC_X86_REG_GDTR, &gdtr);
		err |= uc_reg_write(uc, UC_X86_REG_MSR, &efer);
		v = s->cr4;
		err |= uc_reg_write(uc, UC_X86_REG_CR4, &v);
		v = s->cr3;
		err |= uc_reg_write(uc, UC_X86_REG_CR3, &v);
		v = s->cr0;
		err |= uc_reg_write(uc, UC_X86_REG_CR0, &v);
		/* Loading the data selectors reads their descriptors from our GDT. */
		err |= set_seg(uc, UC_X86_REG_DS, s->ds.selector);
		err |= set_seg(uc, UC_X86_REG_ES, s->es.selector);
		err |= set_seg(uc, UC_X86_REG_SS, s->ss.selector);
		err |= uc_reg_write(uc, UC_X86_REG_RSP, &r->rsp);
	} else {
		err |= set_seg(uc, UC_X86_REG_CS, s->cs.selector);
		err |= set_seg(uc, UC_X86_REG_DS, s->ds.selector);
		err |= set_seg(uc, UC_X86_REG_ES, s->es.selector);
		err |= set_seg(uc, UC_X86_REG_SS, s->ss.selector);
		v = r->rsp;
		err |= uc_reg_write(uc, UC_X86_REG_SP, &v);
	}
	v = r->rflags;
	err |= uc_reg_write(uc, UC_X86_REG_EFLAGS, &v);
	return err;
}

enum sabotage {
	INTACT,
	NO_PD_ENTRY,		/* clear the PD entry mapping the image */
};

/*
 * Run `image` the way "mvm run IMAGE" would, up to MV_RUN. The sabotaged
 * run proves that the emulator really walks our page tables (an identity
 * map is otherwise indistinguishable from no paging). Unicorn does not
 * check descriptors when segment registers are written, so the GDT itself
 * is verified by decoding it in test_layout instead.
 */
static void run_guest(const char *image, const char *want_out, int want_status,
		      enum sabotage sabotage)
{
	struct mvm_options o = { .mem_size = EMU_MEM, .mode = MVM_MODE_AUTO, .image = image };
	struct mv_vm vm = { .sys_fd = -1, .vm_fd = -1, .vcpu_fd = -1 };
	struct mvm_load_opts lo;
	struct mvm_layout l;
	struct mvm_image img;
	struct mvm_err err;
	struct mv_regs regs;
	struct mv_sregs sregs;
	struct emu *e;
	uc_hook h_in, h_out, h_code;
	uint8_t *data = NULL;
	size_t size;
	uc_err uerr;
	bool long_mode;

	e = calloc(1, sizeof(*e));
	vm.mem = aligned_alloc(4096, EMU_MEM);
	if (!e || !vm.mem) {
		ok(0, "%s: out of memory", image);
		goto out;
	}
	memset(vm.mem, 0, EMU_MEM);
	vm.mem_size = EMU_MEM;
	mvm_load_opts_from(&o, &lo);
	if (mvm_read_file(image, &data, &size, &err) || mvm_image_parse(data, size, &lo, &img, &err) ||
	    mvm_layout_plan(&o, &img, &l, &err)) {
		ok(0, "%s: load: %s", image, err.msg);
		goto out;
	}
	mvm_image_load(&img, vm.mem);
	if (mvm_layout_apply(&l, &vm, &regs, &sregs)) {
		ok(0, "%s: mvm_layout_apply failed", image);
		goto out;
	}
	long_mode = l.mode == MVM_MODE_LONG;
	if (sabotage == NO_PD_ENTRY)	/* PD 0 is the third table page; 1 MiB is in entry 0 */
		memset(vm.mem + l.pt_gpa + 2 * 4096, 0, 8);
	mvm_machine_init(&e->m, sink, e, stderr);
	e->status = MVM_CONTINUE;

	uerr = uc_open(UC_ARCH_X86, long_mode ? UC_MODE_64 : UC_MODE_16, &e->uc);
	if (uerr) {
		ok(0, "%s: uc_open: %s", image, uc_strerror(uerr));
		goto out;
	}
	uerr = uc_mem_map_ptr(e->uc, 0, EMU_MEM, UC_PROT_ALL, vm.mem);
	uerr |= load_state(e->uc, &regs, &sregs, long_mode);
	uerr |= uc_hook_add(e->uc, &h_in, UC_HOOK_INSN, on_in, e, 1, 0, UC_X86_INS_IN);
	uerr |= uc_hook_add(e->uc, &h_out, UC_HOOK_INSN, on_out, e, 1, 0, UC_X86_INS_OUT);
	uerr |= uc_hook_add(e->uc, &h_code, UC_HOOK_CODE, on_code, e, 1, 0);
	if (uerr) {
		ok(0, "%s: emulator setup failed", image);
		goto close;
	}
	/* Real mode starts at CS:IP; Unicorn takes IP there since CS is loaded. */
	uerr = uc_emu_start(e->uc, regs.rip, UINT64_MAX, 10 * 1000 * 1000, 1000000);
	if (uerr)
		tap_diag("%s: emulation stopped: %s", image, uc_strerror(uerr));
	mvm_machine_finish(&e->m);
	e->out[e->out_len] = '\0';
	tap_diag("%s: %lu exits, guest output: \"%.*s\"", image, e->exits,
		 (int)(e->out_len && e->out[e->out_len - 1] == '\n' ? e->out_len - 1 : e->out_len),
		 e->out);
	if (sabotage == INTACT)
		ok(!uerr && e->status == want_status && !strcmp(e->out, want_out),
		   "%s under emulation: output and mvm status %d (got %d)", image, want_status,
		   e->status);
	else
		ok(uerr && e->out_len == 0, "%s with its PD entry cleared faults at once", image);
close:
	uc_close(e->uc);
out:
	free(data);
	free(vm.mem);
	free(e);
}

int main(void)
{
	tap_start();
	run_guest("guests/hello.bin", "Hello from a minivisor guest!\n", MVM_STATUS_HLT, INTACT);
	run_guest("guests/hello-long.elf", "Hello from 64-bit long mode in a minivisor guest!\n", 33,
		  INTACT);
	run_guest("guests/hello-long.elf", "", 0, NO_PD_ENTRY);
	return tap_end();
}
