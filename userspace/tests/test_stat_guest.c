// SPDX-License-Identifier: GPL-2.0
/*
 * The guest of selftests/stats.c (selftests/stats_guest.c, real mode) on an
 * emulated CPU (Unicorn): with SI = N, DI = M, BP = K it must execute
 * exactly N CPUIDs, M one-byte OUTs to STATS_PORT and K one-byte writes to
 * STATS_MMIO_GPA, then HLT, for several counts including 0 - the exact
 * counts the emulated-host test relies on. No VT-x needed.
 */
#include <stdlib.h>
#include <string.h>
#include <unicorn/unicorn.h>

#include "../../selftests/stats_common.h"
#include "tap.h"

#define LOAD	0x1000
#define RAM	0x10000

struct counts {
	uint64_t cpuid, out, out_bad, mmio, mmio_bad, insns;
	uint64_t hlt_ip;
	bool hlt;
};

static void on_code(uc_engine *uc, uint64_t addr, uint32_t size, void *user)
{
	struct counts *c = user;
	uint8_t op[2] = { 0, 0 };

	(void)size;
	c->insns++;
	uc_mem_read(uc, addr, op, 2);
	if (op[0] == 0x0f && op[1] == 0xa2)
		c->cpuid++;
	if (op[0] == 0xf4) {
		c->hlt = true;
		c->hlt_ip = addr;
		uc_emu_stop(uc);
	}
}

static void on_out(uc_engine *uc, uint32_t port, int size, uint32_t value, void *user)
{
	struct counts *c = user;

	(void)uc;
	(void)value;
	if (port == STATS_PORT && size == 1)
		c->out++;
	else
		c->out_bad++;
}

static void on_write(uc_engine *uc, uc_mem_type type, uint64_t addr, int size, int64_t value,
		     void *user)
{
	struct counts *c = user;

	(void)uc;
	(void)type;
	(void)value;
	if (addr == STATS_MMIO_GPA && size == 1)
		c->mmio++;
	else if (addr >= RAM)
		c->mmio_bad++;
}

static void run(uint16_t n, uint16_t m, uint16_t k)
{
	static uint8_t mem[RAM], mmio[0x1000];
	size_t len = (size_t)(stats_rm_end - stats_rm_start);
	struct counts c;
	uc_hook h1, h2, h3;
	uc_engine *uc;
	uint64_t zero = 0, ip = LOAD, hlt = LOAD + (uint64_t)(stats_rm_hlt - stats_rm_start);
	uint64_t v;
	uc_err e;

	memset(&c, 0, sizeof(c));
	memset(mem, 0, sizeof(mem));
	memcpy(mem + LOAD, stats_rm_start, len);
	e = uc_open(UC_ARCH_X86, UC_MODE_16, &uc);
	if (e) {
		ok(0, "uc_open: %s", uc_strerror(e));
		return;
	}
	e = uc_mem_map_ptr(uc, 0, RAM, UC_PROT_ALL, mem);
	e |= uc_mem_map_ptr(uc, STATS_MMIO_GPA, sizeof(mmio), UC_PROT_ALL, mmio);
	e |= uc_hook_add(uc, &h1, UC_HOOK_CODE, on_code, &c, 1, 0);
	e |= uc_hook_add(uc, &h2, UC_HOOK_INSN, on_out, &c, 1, 0, UC_X86_INS_OUT);
	e |= uc_hook_add(uc, &h3, UC_HOOK_MEM_WRITE, on_write, &c, 1, 0);
	v = n;
	e |= uc_reg_write(uc, UC_X86_REG_SI, &v);
	v = m;
	e |= uc_reg_write(uc, UC_X86_REG_DI, &v);
	v = k;
	e |= uc_reg_write(uc, UC_X86_REG_BP, &v);
	e |= uc_reg_write(uc, UC_X86_REG_CS, &zero);
	e |= uc_reg_write(uc, UC_X86_REG_DS, &zero);
	e |= uc_reg_write(uc, UC_X86_REG_SS, &zero);
	v = 0xf000;
	e |= uc_reg_write(uc, UC_X86_REG_SP, &v);
	if (e) {
		ok(0, "unicorn setup failed");
		uc_close(uc);
		return;
	}
	/* A bounded run: a loop that never ends shows as no HLT. */
	e = uc_emu_start(uc, ip, LOAD + len, 0, 10ull * (n + m + k) + 1000);
	ok(c.hlt && c.hlt_ip == hlt && c.cpuid == n && c.out == m && !c.out_bad &&
	   c.mmio == k && !c.mmio_bad,
	   "SI=%u DI=%u BP=%u: %llu CPUID, %llu OUT (%llu elsewhere), %llu MMIO writes "
	   "(%llu elsewhere), HLT %s at %#llx (%s)", n, m, k, (unsigned long long)c.cpuid,
	   (unsigned long long)c.out, (unsigned long long)c.out_bad,
	   (unsigned long long)c.mmio, (unsigned long long)c.mmio_bad,
	   c.hlt ? "reached" : "NOT reached", (unsigned long long)c.hlt_ip,
	   e ? uc_strerror(e) : "ok");
	uc_close(uc);
}

int main(void)
{
	tap_start();
	run(1, 1, 1);		/* the selftest's warm-up */
	run(300, 40, 12);	/* its measured run */
	run(7, 0, 0);		/* after the reset */
	run(0, 0, 0);
	run(0, 3, 0);
	run(2, 0, 5);
	return tap_end();
}
