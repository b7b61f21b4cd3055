// SPDX-License-Identifier: GPL-2.0
/*
 * Host tier: the local APIC logic in common/apic.c against hand-written
 * expectations from the Intel SDM Vol. 3A chapter 11, exhaustive where the
 * domain is small: the 256-bit register layout (table 11-1), PPR
 * (11.8.3.1), the TDCR divisor (figure 11-10), the timer count (11.5.4),
 * x2APIC logical IDs (11.12.10.2), destination matching (11.6.2),
 * lowest-priority arbitration, MSI decoding (11.11) and the x2APIC MSR
 * access rules (table 11-6). TAP output; non-zero exit on any failure.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../apic.h"
#include "../../userspace/tests/tap.h"

static u32 page[1024];	/* one 4 KiB register page */

static void set_vec(u32 off, unsigned int v)
{
	/* Written out independently of mva_vec_off: 16-byte stride, 32 bits each. */
	page[(off + (v >> 5) * 0x10) / 4] |= 1u << (v & 31);
}

static void test_vectors(void)
{
	static const u32 regs[] = { MVA_OFF_ISR, MVA_OFF_TMR, MVA_OFF_IRR };
	unsigned int r, v, w, bad = 0, bad_test = 0, bad_pair = 0;

	for (r = 0; r < 3; r++) {
		memset(page, 0, sizeof(page));
		ok(mva_vec_highest(page, regs[r]) == -1, "register %#x: empty -> -1", regs[r]);
		for (v = 0; v < 256; v++) {
			memset(page, 0, sizeof(page));
			set_vec(regs[r], v);
			if (mva_vec_highest(page, regs[r]) != (int)v)
				bad++;
			for (w = 0; w < 256; w++)
				if (mva_vec_test(page, regs[r], w) != (w == v))
					bad_test++;
			/* The other registers of the page must not see it. */
			if (mva_vec_highest(page, regs[(r + 1) % 3]) != -1)
				bad++;
		}
		ok(!bad, "register %#x: highest of each single vector (%u wrong)", regs[r], bad);
		ok(!bad_test, "register %#x: test_vec of each vector (%u wrong)", regs[r], bad_test);
		for (v = 0; v < 256; v++) {
			for (w = 0; w < v; w += 7) {
				memset(page, 0, sizeof(page));
				set_vec(regs[r], w);
				set_vec(regs[r], v);
				if (mva_vec_highest(page, regs[r]) != (int)v)
					bad_pair++;
			}
		}
		ok(!bad_pair, "register %#x: highest of two vectors (%u wrong)", regs[r], bad_pair);
	}
	/* The layout itself: vector 0x45 is bit 5 of the word at IRR + 0x20. */
	memset(page, 0, sizeof(page));
	page[(MVA_OFF_IRR + 0x20) / 4] = 1u << 5;
	ok(mva_vec_highest(page, MVA_OFF_IRR) == 0x45, "IRR + 0x20 bit 5 is vector 0x45");
	/* Bytes 4..15 of each 16-byte slot are not part of the register. */
	memset(page, 0, sizeof(page));
	page[(MVA_OFF_IRR + 4) / 4] = 0xffffffff;
	page[(MVA_OFF_IRR + 0x7c) / 4] = 0xffffffff;
	ok(mva_vec_highest(page, MVA_OFF_IRR) == -1, "padding words are ignored");
	ok(mva_vec_off(MVA_OFF_TMR, 255) == 0x1f0 && mva_vec_off(MVA_OFF_ISR, 31) == 0x100 &&
	   mva_vec_off(MVA_OFF_ISR, 32) == 0x110, "mva_vec_off: table 11-1 offsets");
}

static void test_ppr(void)
{
	static const struct { u32 tpr; int isrv; u32 ppr; } known[] = {
		{ 0x00, -1, 0x00 }, { 0x0f, -1, 0x0f }, { 0x20, 0x35, 0x30 },
		{ 0x45, 0x35, 0x45 }, { 0x35, 0x3a, 0x35 }, { 0x3f, 0x41, 0x40 },
		{ 0xff, 0xfe, 0xff }, { 0x10, 0xff, 0xf0 }, { 0x00, 0x10, 0x10 },
		{ 0x1234, -1, 0x34 },	/* TPR bits 31:8 are reserved */
	};
	unsigned int i, bad = 0;
	int isrv;
	u32 tpr;

	for (i = 0; i < sizeof(known) / sizeof(known[0]); i++)
		ok(mva_ppr(known[i].tpr, known[i].isrv) == known[i].ppr,
		   "PPR(TPR %#x, ISRV %d) = %#x (got %#x)", known[i].tpr, known[i].isrv,
		   known[i].ppr, mva_ppr(known[i].tpr, known[i].isrv));
	/* Every pair: class is the larger class; sub-class is TPR's only when TPR wins. */
	for (tpr = 0; tpr < 256; tpr++) {
		for (isrv = -1; isrv < 256; isrv++) {
			u32 p = mva_ppr(tpr, isrv);
			u32 ic = isrv < 0 ? 0 : (u32)isrv >> 4, tc = tpr >> 4;
			u32 want_c = tc >= ic ? tc : ic;
			u32 want_s = tc >= ic ? (tpr & 0xf) : 0;

			if (p != ((want_c << 4) | want_s))
				bad++;
		}
	}
	ok(!bad, "PPR for all 256 x 257 TPR/ISRV pairs (%u wrong)", bad);
	ok(mva_above_ppr(0x31, 0x20) && !mva_above_ppr(0x2f, 0x20) &&
	   !mva_above_ppr(0x25, 0x2f) && mva_above_ppr(0x10, 0x0f) && !mva_above_ppr(0xff, 0xf0),
	   "deliverable only with a class above PPR's (11.8.4)");
}

static void test_timer(void)
{
	/* Figure 11-10, bits 3, 1:0 (bit 2 is reserved, 0). */
	static const struct { u32 tdcr; unsigned int div; } div[] = {
		{ 0x0, 2 }, { 0x1, 4 }, { 0x2, 8 }, { 0x3, 16 },
		{ 0x8, 32 }, { 0x9, 64 }, { 0xa, 128 }, { 0xb, 1 },
	};
	unsigned int i;

	for (i = 0; i < 8; i++) {
		ok((1u << mva_divide_shift(div[i].tdcr)) == div[i].div,
		   "TDCR %#x divides by %u", div[i].tdcr, div[i].div);
		ok((1u << mva_divide_shift(div[i].tdcr | 0xfffffff4u)) == div[i].div,
		   "TDCR %#x with bit 2 and bits 31:4 set still divides by %u",
		   div[i].tdcr | 0xfffffff4u, div[i].div);
	}
	ok(mva_timer_count(100, 0, false) == 100, "one-shot: full count at start");
	ok(mva_timer_count(100, 1, false) == 99, "one-shot: one tick");
	ok(mva_timer_count(100, 99, false) == 1, "one-shot: last tick");
	ok(mva_timer_count(100, 100, false) == 0, "one-shot: zero at expiry");
	ok(mva_timer_count(100, 1ULL << 40, false) == 0, "one-shot: stays zero");
	ok(mva_timer_count(100, 100, true) == 100, "periodic: reloads at expiry");
	ok(mva_timer_count(100, 150, true) == 50, "periodic: second period");
	ok(mva_timer_count(100, 1000000 + 37, true) == 63, "periodic: many periods later");
	ok(mva_timer_count(0, 5, false) == 0 && mva_timer_count(0, 5, true) == 0,
	   "TMICT 0: stopped");
	ok(mva_timer_count(0xffffffffu, 0xfffffffeu, false) == 1, "one-shot: 32-bit count");
	ok(mva_timer_count(0xffffffffu, 0x1ffffffffULL, true) == 0xfffffffeu,
	   "periodic: 32-bit count, 64-bit ticks");
}

static void test_match(void)
{
	struct mva_rx rx = {};
	unsigned int id, d, bad = 0, ldr;

	ok(mva_x2apic_ldr(0) == 0x00000001 && mva_x2apic_ldr(0x15) == 0x00010020 &&
	   mva_x2apic_ldr(0x0f) == 0x00008000 && mva_x2apic_ldr(0x12345) == 0x12340020,
	   "x2APIC LDR: cluster id >> 4 in 31:16, 1 << (id & 15) in 15:0");

	/* xAPIC physical: every ID against every 8-bit destination. */
	for (id = 0; id < 255; id++) {
		rx.x2apic = false;
		rx.id = id;
		for (d = 0; d < 256; d++)
			if (mva_match_dest(&rx, d, false, false) != (d == id || d == 0xff))
				bad++;
		if (mva_match_dest(&rx, 0x100 | id, false, true))
			bad++;		/* 32-bit destination above 0xff: no xAPIC match */
		if (!mva_match_dest(&rx, 0xffffffffu, false, true))
			bad++;		/* x2APIC broadcast reaches xAPIC receivers */
	}
	ok(!bad, "xAPIC physical: ID or 0xff, all IDs x destinations (%u wrong)", bad);

	bad = 0;
	rx.x2apic = true;
	for (id = 0; id < 600; id += 3) {
		rx.id = id;
		rx.ldr = mva_x2apic_ldr(id);
		for (d = 0; d < 600; d++)
			if (mva_match_dest(&rx, d, false, true) != (d == id))
				bad++;
		if (!mva_match_dest(&rx, 0xffffffffu, false, true) ||
		    !mva_match_dest(&rx, 0xff, false, false))
			bad++;
		if (id != 0xff && mva_match_dest(&rx, 0xff, false, true))
			bad++;		/* 0xff is an ID in x2APIC format */
	}
	ok(!bad, "x2APIC physical: 32-bit ID, 0xffffffff broadcast (%u wrong)", bad);

	/* Flat logical: LDR[31:24] bitmap, dest bitmap, any common bit. */
	bad = 0;
	rx.x2apic = false;
	rx.dfr = MVA_DFR_FLAT;
	for (ldr = 0; ldr < 256; ldr++) {
		rx.ldr = ldr << 24;
		for (d = 0; d < 256; d++) {
			bool want = d == 0xff || (d & ldr) != 0;

			if (mva_match_dest(&rx, d, true, false) != want)
				bad++;
		}
	}
	ok(!bad, "xAPIC flat logical: all LDR x destinations (%u wrong)", bad);
	rx.ldr = 0x01000000;
	ok(mva_match_dest(&rx, 0x03, true, false) && !mva_match_dest(&rx, 0x02, true, false),
	   "flat: LDR 0x01 takes 0x03, not 0x02");

	/* Cluster logical: cluster equal and a common member bit. */
	bad = 0;
	rx.dfr = MVA_DFR_CLUSTER;
	for (ldr = 0; ldr < 256; ldr++) {
		rx.ldr = ldr << 24;
		for (d = 0; d < 256; d++) {
			bool want = d == 0xff || ((d >> 4) == (ldr >> 4) && (d & ldr & 0xf));

			if (mva_match_dest(&rx, d, true, false) != want)
				bad++;
		}
	}
	ok(!bad, "xAPIC cluster logical: all LDR x destinations (%u wrong)", bad);
	rx.ldr = 0x21000000;
	ok(mva_match_dest(&rx, 0x21, true, false) && mva_match_dest(&rx, 0x23, true, false) &&
	   !mva_match_dest(&rx, 0x11, true, false) && !mva_match_dest(&rx, 0x22, true, false),
	   "cluster: cluster 2 member 1 takes 0x21, 0x23; not 0x11, 0x22");

	/* x2APIC cluster logical. */
	rx.x2apic = true;
	rx.id = 0x13;
	rx.ldr = mva_x2apic_ldr(0x13);
	ok(mva_match_dest(&rx, 0x00010008, true, true) && mva_match_dest(&rx, 0x0001000f, true, true) &&
	   !mva_match_dest(&rx, 0x00020008, true, true) && !mva_match_dest(&rx, 0x00010004, true, true) &&
	   mva_match_dest(&rx, 0xffffffffu, true, true),
	   "x2APIC cluster: cluster 1 member bit 3");
	bad = 0;
	for (id = 0; id < 64; id++) {
		rx.id = id;
		rx.ldr = mva_x2apic_ldr(id);
		for (d = 0; d < 4 * 65536; d += 97) {
			bool want = (d >> 16) == (id >> 4) && ((d >> (id & 15)) & 1);

			if (mva_match_dest(&rx, d, true, true) != want)
				bad++;
		}
	}
	ok(!bad, "x2APIC cluster: 64 IDs x sampled destinations (%u wrong)", bad);
}

static void test_lowest(void)
{
	static const u32 three[] = { 0x20, 0x10, 0x30 };
	static const u32 ties[] = { 0x10, 0x1f, 0x20, 0x15 };
	static const u32 one[] = { 0xf0 };

	ok(mva_lowest_pick(three, 0, 0) == -1, "no candidate: -1");
	ok(mva_lowest_pick(one, 1, 0x77) == 0, "one candidate: it");
	ok(mva_lowest_pick(three, 3, 0x40) == 1, "lowest PPR class wins");
	/* Tied class 1: indices 0, 1, 3; the (vector mod 3)-th. */
	ok(mva_lowest_pick(ties, 4, 0x30) == 0, "ties: vector 0x30 mod 3 = 0 -> index 0");
	ok(mva_lowest_pick(ties, 4, 0x31) == 1, "ties: vector 0x31 mod 3 = 1 -> index 1");
	ok(mva_lowest_pick(ties, 4, 0x32) == 3, "ties: vector 0x32 mod 3 = 2 -> index 3");
	ok(mva_lowest_pick(ties, 4, 0x33) == 0, "ties: vector 0x33 mod 3 = 0 -> index 0");
}

static void test_msi(void)
{
	struct mva_msg m;
	const char *bad;
	unsigned int b, nbad;
	int r;

	memset(&m, 0xaa, sizeof(m));
	r = mva_msi_decode(0xfee05000, 0, 0x0030, &m, &bad);
	ok(!r && m.dest == 5 && m.vector == 0x30 && m.dm == MVA_DM_FIXED && !m.logical &&
	   !m.level && m.assert && !m.redir_hint && !m.x2apic_dest,
	   "fixed, physical dest 5, vector 0x30, edge");
	r = mva_msi_decode(0xfee0f00c, 0, 0x0141, &m, &bad);
	ok(!r && m.dest == 0x0f && m.logical && m.redir_hint && m.dm == MVA_DM_LOWEST &&
	   m.vector == 0x41, "lowest priority, logical 0x0f, RH");
	r = mva_msi_decode(0xfee00003, 0, 0xc050, &m, &bad);
	ok(!r && m.level && m.assert && m.vector == 0x50 && m.dest == 0,
	   "level assert; address bits 1:0 are don't-care");
	r = mva_msi_decode(0xfee00000, 0, 0x8050, &m, &bad);
	ok(!r && m.level && !m.assert, "level de-assert");
	r = mva_msi_decode(0xfee00000, 0, 0x4050, &m, &bad);
	ok(!r && !m.level && m.assert, "edge: the level bit does not matter");
	r = mva_msi_decode(0xfee34000, 0x00012300, 0x0060, &m, &bad);
	ok(!r && m.dest == 0x00012334 && m.x2apic_dest, "x2APIC destination bits 31:8 from address_hi");
	r = mva_msi_decode(0xfee00000, 0, 0x0400, &m, &bad);
	ok(!r && m.dm == MVA_DM_NMI, "NMI");
	r = mva_msi_decode(0xfee00000, 0, 0x0500, &m, &bad);
	ok(!r && m.dm == MVA_DM_INIT, "INIT");

	bad = NULL;
	ok(mva_msi_decode(0xfed00000, 0, 0x30, &m, &bad) == -EINVAL && bad &&
	   strstr(bad, "31:20"), "address not 0xfeeXXXXX: -EINVAL naming bits 31:20");
	nbad = 0;
	for (b = 4; b < 12; b++) {
		bad = NULL;
		if (mva_msi_decode(0xfee00000 | (1u << b), 0, 0x30, &m, &bad) != -EINVAL ||
		    !bad || !strstr(bad, "11:4"))
			nbad++;
	}
	ok(!nbad, "address bits 11:4 each refused (%u accepted)", nbad);
	nbad = 0;
	for (b = 0; b < 8; b++) {
		bad = NULL;
		if (mva_msi_decode(0xfee00000, 1u << b, 0x30, &m, &bad) != -EINVAL || !bad ||
		    !strstr(bad, "address_hi"))
			nbad++;
	}
	ok(!nbad, "address_hi bits 7:0 each refused (%u accepted)", nbad);
	nbad = 0;
	for (b = 11; b < 32; b++) {
		if (b == 14 || b == 15)
			continue;
		bad = NULL;
		if (mva_msi_decode(0xfee00000, 0, 0x30 | (1u << b), &m, &bad) != -EINVAL || !bad ||
		    !strstr(bad, b < 14 ? "13:11" : "31:16"))
			nbad++;
	}
	ok(!nbad, "data bits 13:11 and 31:16 each refused (%u accepted)", nbad);
	nbad = 0;
	for (b = 0; b < 8; b++) {
		bool valid = b == 0 || b == 1 || b == 4 || b == 5;

		bad = NULL;
		r = mva_msi_decode(0xfee00000, 0, 0x30 | (b << 8), &m, &bad);
		if (valid ? r != 0 : (r != -EINVAL || !bad || !strstr(bad, "delivery mode")))
			nbad++;
	}
	ok(!nbad, "delivery modes: 0, 1, 4, 5 accepted; SMI, 3, 6, ExtINT refused (%u wrong)", nbad);
}

struct x2reg { u32 msr; bool rd, wr; };

static void test_x2apic_rules(void)
{
	/* Table 11-6, written out. CMCI (0x82f) is absent: max LVT entry 5. */
	static const struct x2reg t[] = {
		{ 0x802, 1, 0 }, { 0x803, 1, 0 }, { 0x808, 1, 1 }, { 0x80a, 1, 0 },
		{ 0x80b, 0, 1 }, { 0x80d, 1, 0 }, { 0x80f, 1, 1 },
		{ 0x810, 1, 0 }, { 0x811, 1, 0 }, { 0x812, 1, 0 }, { 0x813, 1, 0 },
		{ 0x814, 1, 0 }, { 0x815, 1, 0 }, { 0x816, 1, 0 }, { 0x817, 1, 0 },
		{ 0x818, 1, 0 }, { 0x819, 1, 0 }, { 0x81a, 1, 0 }, { 0x81b, 1, 0 },
		{ 0x81c, 1, 0 }, { 0x81d, 1, 0 }, { 0x81e, 1, 0 }, { 0x81f, 1, 0 },
		{ 0x820, 1, 0 }, { 0x821, 1, 0 }, { 0x822, 1, 0 }, { 0x823, 1, 0 },
		{ 0x824, 1, 0 }, { 0x825, 1, 0 }, { 0x826, 1, 0 }, { 0x827, 1, 0 },
		{ 0x828, 1, 1 }, { 0x830, 1, 1 }, { 0x832, 1, 1 }, { 0x833, 1, 1 },
		{ 0x834, 1, 1 }, { 0x835, 1, 1 }, { 0x836, 1, 1 }, { 0x837, 1, 1 },
		{ 0x838, 1, 1 }, { 0x839, 1, 0 }, { 0x83e, 1, 1 }, { 0x83f, 0, 1 },
	};
	unsigned int msr, i, bad = 0;

	for (msr = 0x7f0; msr < 0x910; msr++) {
		bool rd = false, wr = false;
		int r, w;

		for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
			if (t[i].msr == msr) {
				rd = t[i].rd;
				wr = t[i].wr;
			}
		}
		r = mva_x2apic_reg(msr, false);
		w = mva_x2apic_reg(msr, true);
		if ((r >= 0) != rd || (w >= 0) != wr)
			bad++;
		if ((rd && r != (int)((msr - 0x800) * 16)) || (wr && w != (int)((msr - 0x800) * 16)))
			bad++;
	}
	ok(!bad, "x2APIC MSR read/write rules, 0x7f0-0x90f (%u wrong)", bad);
	ok(mva_x2apic_reg(0x80e, false) < 0 && mva_x2apic_reg(0x80e, true) < 0,
	   "no DFR in x2APIC mode");
	ok(mva_x2apic_reg(0x831, false) < 0, "no ICR2 in x2APIC mode (ICR is 64-bit)");

	ok(mva_write_mask(MVA_OFF_TPR, true) == 0xff, "TPR: bits 7:0");
	ok(mva_write_mask(MVA_OFF_ID, false) == 0xff000000u && mva_write_mask(MVA_OFF_ID, true) == 0,
	   "ID: writable in xAPIC bits 31:24, read-only in x2APIC");
	ok(mva_write_mask(MVA_OFF_LDR, true) == 0, "x2APIC LDR read-only");
	ok(mva_write_mask(MVA_OFF_LVT_TIMER, true) == 0x700ff, "LVT timer: vector, mask, mode");
	ok(mva_write_mask(MVA_OFF_LVT_LINT0, false) == 0x1a7ff,
	   "LVT LINT0: vector, mode, polarity, trigger, mask (not status, remote IRR)");
	ok(mva_write_mask(MVA_OFF_LVT_ERROR, false) == 0x100ff, "LVT error: vector, mask");
	ok(mva_write_mask(MVA_OFF_TDCR, true) == 0xb, "TDCR: bits 3, 1:0");
	ok(mva_write_mask(MVA_OFF_ICR, true) == 0xccfff, "ICR low: no delivery status bit");
	ok(mva_write_mask(MVA_OFF_PPR, false) == 0 && mva_write_mask(MVA_OFF_IRR, false) == 0 &&
	   mva_write_mask(MVA_OFF_TMCCT, false) == 0 && mva_write_mask(MVA_OFF_LVR, false) == 0,
	   "read-only registers: no writable bits");
}

int main(void)
{
	tap_start();
	test_vectors();
	test_ppr();
	test_timer();
	test_match();
	test_lowest();
	test_msi();
	test_x2apic_rules();
	return tap_end();
}
