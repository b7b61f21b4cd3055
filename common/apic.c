// SPDX-License-Identifier: GPL-2.0
/*
 * Local APIC logic without kernel dependencies; see apic.h. References are
 * to the Intel SDM Vol. 3A chapter 11.
 */
#include "apic.h"

bool mva_vec_test(const void *page, u32 off, unsigned int v)
{
	return (mva_reg_read(page, mva_vec_off(off, v & 0xff)) >> (v % 32)) & 1;
}

int mva_vec_highest(const void *page, u32 off)
{
	int i;

	/* IRR, ISR and TMR: eight 32-bit words, 16 bytes apart (table 11-1). */
	for (i = 7; i >= 0; i--) {
		u32 w = mva_reg_read(page, off + i * 16);

		if (w)
			return i * 32 + 31 - __builtin_clz(w);
	}
	return -1;
}

u32 mva_ppr(u32 tpr, int isrv)
{
	u32 isrc = isrv < 0 ? 0 : (u32)isrv & 0xf0;

	/* 11.8.3.1: PPR = TPR if TPR[7:4] >= ISRV[7:4], else ISRV[7:4] << 4. */
	tpr &= 0xff;
	if ((tpr & 0xf0) >= isrc)
		return tpr;
	return isrc;
}

unsigned int mva_divide_shift(u32 tdcr)
{
	/* Figure 11-10: bits 3, 1:0; 111b divides by 1, else by 2^(value + 1). */
	unsigned int v = ((tdcr >> 1) & 4) | (tdcr & 3);

	return (v + 1) & 7;
}

u32 mva_timer_count(u32 tmict, u64 ticks, bool periodic)
{
	if (!tmict)
		return 0;
	if (periodic)
		return tmict - (u32)(ticks % tmict);
	if (ticks >= tmict)
		return 0;
	return tmict - (u32)ticks;
}

bool mva_match_dest(const struct mva_rx *rx, u32 dest, bool logical, bool x2apic_dest)
{
	u32 bcast = x2apic_dest ? 0xffffffffu : 0xffu;

	if (dest == bcast)
		return true;
	if (rx->x2apic) {
		if (!logical)
			return dest == rx->id;
		/* 11.12.10.2: cluster in bits 31:16, one-hot member in 15:0. */
		return (dest >> 16) == (rx->ldr >> 16) && (dest & rx->ldr & 0xffff);
	}
	/* An xAPIC receiver sees 8-bit destinations only. */
	if (dest > 0xff)
		return false;
	if (!logical)
		return dest == (rx->id & 0xff);
	if ((rx->dfr >> 28) == 0xf)	/* flat: 8-bit bitmap (11.6.2.2) */
		return dest & (rx->ldr >> 24);
	/* cluster: bits 7:4 cluster, 3:0 one-hot members (11.6.2.2). */
	if ((dest >> 4) != (rx->ldr >> 28))
		return false;
	return dest & (rx->ldr >> 24) & 0xf;
}

int mva_lowest_pick(const u32 *ppr, unsigned int n, u8 vector)
{
	unsigned int i, k = 0, best = 0x100, want;

	for (i = 0; i < n; i++) {
		unsigned int c = (ppr[i] & 0xff) >> 4;

		if (c < best) {
			best = c;
			k = 1;
		} else if (c == best) {
			k++;
		}
	}
	if (!n)
		return -1;
	want = vector % k;
	for (i = 0; i < n; i++) {
		if (((ppr[i] & 0xff) >> 4) != best)
			continue;
		if (!want)
			return (int)i;
		want--;
	}
	return -1;	/* not reached */
}

int mva_msi_decode(u32 address_lo, u32 address_hi, u32 data, struct mva_msg *m,
		   const char **bad)
{
	u8 dm = (data >> 8) & 7;

	/* Figure 11-24: address bits 31:20 0FEEH, 11:4 reserved. */
	if ((address_lo >> 20) != 0xfee) {
		*bad = "address_lo bits 31:20 (must be 0xfee)";
		return -EINVAL;
	}
	if (address_lo & 0xff0) {
		*bad = "address_lo bits 11:4 (reserved)";
		return -EINVAL;
	}
	if (address_hi & 0xff) {
		*bad = "address_hi bits 7:0 (reserved; bits 31:8 are destination bits 31:8)";
		return -EINVAL;
	}
	/* Figure 11-25: data bits 13:11 and 31:16 reserved. */
	if (data & 0x3800) {
		*bad = "data bits 13:11 (reserved)";
		return -EINVAL;
	}
	if (data & 0xffff0000u) {
		*bad = "data bits 31:16 (reserved)";
		return -EINVAL;
	}
	switch (dm) {
	case MVA_DM_FIXED:
	case MVA_DM_LOWEST:
	case MVA_DM_NMI:
	case MVA_DM_INIT:
		break;
	case MVA_DM_SMI:
		*bad = "data delivery mode 010b (SMI is not emulated)";
		return -EINVAL;
	case MVA_DM_EXTINT:
		*bad = "data delivery mode 111b (ExtINT comes from the PIC, not a message)";
		return -EINVAL;
	default:
		*bad = "data delivery mode (011b and 110b are reserved)";
		return -EINVAL;
	}
	m->dest = ((address_lo >> 12) & 0xff) | (address_hi & 0xffffff00u);
	m->x2apic_dest = address_hi != 0;
	m->redir_hint = address_lo & (1u << 3);
	m->logical = address_lo & (1u << 2);
	m->vector = data & 0xff;
	m->dm = dm;
	m->level = data & (1u << 15);
	/* 11.11.2: the level bit only matters for level-triggered messages. */
	m->assert = !m->level || (data & (1u << 14));
	return 0;
}

int mva_x2apic_reg(u32 msr, bool write)
{
	u32 off = (msr - 0x800) << 4;

	if (msr < 0x800 || msr > 0x8ff)
		return -EINVAL;
	switch (off) {
	case MVA_OFF_ID:
	case MVA_OFF_LVR:
	case MVA_OFF_PPR:
	case MVA_OFF_LDR:
	case MVA_OFF_TMCCT:
		return write ? -EINVAL : (int)off;
	case MVA_OFF_EOI:
	case MVA_OFF_SELF_IPI:
		return write ? (int)off : -EINVAL;
	case MVA_OFF_TPR:
	case MVA_OFF_SVR:
	case MVA_OFF_ESR:
	case MVA_OFF_ICR:
	case MVA_OFF_LVT_TIMER:
	case MVA_OFF_LVT_THERMAL:
	case MVA_OFF_LVT_PMC:
	case MVA_OFF_LVT_LINT0:
	case MVA_OFF_LVT_LINT1:
	case MVA_OFF_LVT_ERROR:
	case MVA_OFF_TMICT:
	case MVA_OFF_TDCR:
		return (int)off;
	}
	/* ISR, TMR, IRR (0x810-0x827): read-only. */
	if (off >= MVA_OFF_ISR && off < MVA_OFF_IRR + 0x80)
		return write ? -EINVAL : (int)off;
	/* Everything else, DFR (0x80e), ICR2 (0x831) and CMCI (0x82f, max LVT 5) included. */
	return -EINVAL;
}

u32 mva_write_mask(u32 off, bool x2apic)
{
	switch (off) {
	case MVA_OFF_ID:
	case MVA_OFF_LDR:
		return x2apic ? 0 : 0xff000000u;
	case MVA_OFF_DFR:
		return x2apic ? 0 : 0xf0000000u;
	case MVA_OFF_ICR2:
		return x2apic ? 0 : 0xff000000u;
	case MVA_OFF_TPR:
	case MVA_OFF_SELF_IPI:
		return 0xff;
	case MVA_OFF_SVR:
		return MVA_SVR_MASK;
	case MVA_OFF_ICR:
		return MVA_ICR_LOW_MASK;
	case MVA_OFF_LVT_TIMER:
		return MVA_LVT_VECTOR | MVA_LVT_MASKED | MVA_LVT_TIMER_MODE;
	case MVA_OFF_LVT_THERMAL:
	case MVA_OFF_LVT_PMC:
		return MVA_LVT_VECTOR | MVA_LVT_DM | MVA_LVT_MASKED;
	case MVA_OFF_LVT_LINT0:
	case MVA_OFF_LVT_LINT1:
		return MVA_LVT_VECTOR | MVA_LVT_DM | MVA_LVT_POLARITY | MVA_LVT_LEVEL |
		       MVA_LVT_MASKED;
	case MVA_OFF_LVT_ERROR:
		return MVA_LVT_VECTOR | MVA_LVT_MASKED;
	case MVA_OFF_TMICT:
		return 0xffffffffu;
	case MVA_OFF_TDCR:
		return 0xb;
	}
	return 0;
}
