// SPDX-License-Identifier: GPL-2.0
/*
 * The pure-C x86 helpers in common/ are shared with userspace tests and
 * fuzzers; they are compiled into the module through this file.
 */
#include "../common/x86_decode.c"
#include "../common/x86_emul.c"
#include "../common/x86_walk.c"
