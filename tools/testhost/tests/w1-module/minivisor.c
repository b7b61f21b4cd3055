// SPDX-License-Identifier: GPL-2.0
/* Fixture of tools/testhost/tests/w1-twice.sh: one W=1 warning, on purpose. */
#include <linux/module.h>

static int __init w1_fixture_init(void)
{
	int w1_fixture_unused;

	return 0;
}
module_init(w1_fixture_init);
MODULE_LICENSE("GPL");
