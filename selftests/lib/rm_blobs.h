/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Real-mode guest programs (rm_blobs.S). Each is position dependent only
 * through RM_LOAD_ADDR: the test copies [start, end) to guest-physical
 * RM_LOAD_ADDR and starts it with CS = 0, IP = RM_LOAD_ADDR.
 */
#ifndef SELFTEST_RM_BLOBS_H
#define SELFTEST_RM_BLOBS_H

#define RM_LOAD_ADDR		0x1000
#define RM_STACK_TOP		0xf000
#define RM_MEM_SIZE		0x10000		/* 64 KiB of guest RAM at GPA 0 */

/* Ports and values the echo program uses (see rm_blobs.S). */
#define RM_ECHO_IN_PORT8	0x10
#define RM_ECHO_OUT_PORT	0x11
#define RM_ECHO_SMALL_PORT	0x12
#define RM_ECHO_PORT_DX		0x1234
#define RM_ECHO_EAX_BEFORE_B	0xdeadbeefu
#define RM_ECHO_EAX_BEFORE_W	0xcafef00du
#define RM_ECHO_EAX_BEFORE_L	0x11111111u

#define RM_SERIAL_PORT		0x3f8
#define RM_PEEK_PORT		0x21

#ifndef __ASSEMBLER__
#include <stddef.h>
#include <stdint.h>

struct rm_blob {
	const uint8_t *start;
	const uint8_t *end;
};

#define RM_BLOB(name) ((struct rm_blob){ rm_##name##_start, rm_##name##_end })
/* Guest-physical (= real-mode IP, CS base 0) address of a label in a blob. */
#define RM_ADDR(name, label) \
	((uint64_t)RM_LOAD_ADDR + (uint64_t)(rm_##name##_##label - rm_##name##_start))

/* Prints "hello" on RM_SERIAL_PORT one OUT per byte, then HLT. */
extern const uint8_t rm_hello_start[], rm_hello_after_hlt[], rm_hello_end[];
/*
 * IN of each size, each echoed back with a 4-byte OUT to RM_ECHO_OUT_PORT,
 * then byte and word OUTs of the last value to RM_ECHO_SMALL_PORT, then HLT.
 */
extern const uint8_t rm_echo_start[], rm_echo_after_hlt[], rm_echo_end[];
/* A single HLT. */
extern const uint8_t rm_hlt_start[], rm_hlt_end[];
/* "jmp ." forever; rm_spin_hlt is a HLT after it for resuming elsewhere. */
extern const uint8_t rm_spin_start[], rm_spin_loop[], rm_spin_hlt[], rm_spin_end[];
/* Reads the byte at DS:SI (movb (%si), %al), OUTs it to RM_PEEK_PORT, HLT. */
extern const uint8_t rm_peek_start[], rm_peek_end[];
/* LIDT of a zero-limit IDT, then INT3: a triple fault. */
extern const uint8_t rm_triple_start[], rm_triple_end[];
#endif

#endif /* SELFTEST_RM_BLOBS_H */
