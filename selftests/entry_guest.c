// SPDX-License-Identifier: GPL-2.0
/* Long-mode guest function of the "entry" test program. */
#include "guest.h"

/* Proves that a repaired state runs: returns its argument plus one. */
uint64_t guest_entry_ok(uint64_t arg)
{
	return arg + 1;
}
