/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Freestanding types for code in common/, which is compiled both into the
 * kernel module and into userspace unit tests and fuzzers.
 */
#ifndef MV_COMMON_TYPES_H
#define MV_COMMON_TYPES_H

#ifdef __KERNEL__
#include <linux/types.h>
#include <linux/string.h>
#include <linux/errno.h>
#else
#include <stdint.h>
#include <stdbool.h>
#include <stddef.h>
#include <string.h>
#include <errno.h>
typedef uint8_t u8;
typedef uint16_t u16;
typedef uint32_t u32;
typedef uint64_t u64;
typedef int8_t s8;
typedef int16_t s16;
typedef int32_t s32;
typedef int64_t s64;
#endif

#endif /* MV_COMMON_TYPES_H */
