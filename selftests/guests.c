// SPDX-License-Identifier: GPL-2.0
/*
 * Guests that run: real-mode port I/O (OUT data, IN completion), long-mode C
 * functions of this binary talking through ucall, shared memory, CPUID as
 * the guest sees it, and the guest assertion path itself.
 */
#include <cpuid.h>

#include "test_harness.h"
#include "vm.h"
#include "guests_common.h"

/* guests_guest.c */
extern volatile uint64_t guest_shared[4];
uint64_t guest_fib(uint64_t n);
uint64_t guest_mix(uint64_t seed);
uint64_t guest_compute(uint64_t seed);
uint64_t guest_port_io(uint64_t arg);
uint64_t guest_shared_memory(uint64_t arg);
uint64_t guest_cpuid_leaves(uint64_t arg);
uint64_t guest_failing_assert(uint64_t arg);

static void test_rm_hello(void)
{
	const char *msg = "hello";
	struct tvm t;
	int i;

	tvm_create_real(&t, RM_BLOB(hello));
	for (i = 0; msg[i]; i++) {
		uint8_t *d;

		tvm_run(&t);
		d = tvm_expect_io(&t, MV_EXIT_IO_OUT, RM_SERIAL_PORT, 1);
		EXPECT_EQ(d[0], msg[i]);
	}
	tvm_run_expect(&t, MV_EXIT_HLT);
	/* RIP points after the HLT. */
	EXPECT_EQ(tvm_rip(&t), RM_ADDR(hello, after_hlt));
	tvm_destroy(&t);
}

static void test_rm_in_echo(void)
{
	struct tvm t;
	void *d;

	tvm_create_real(&t, RM_BLOB(echo));

	/*
	 * Each IN gets 4 bytes written, junk beyond the access size: only
	 * size bytes may reach the register.
	 */
	tvm_run(&t);
	d = tvm_expect_io(&t, MV_EXIT_IO_IN, RM_ECHO_IN_PORT8, 1);
	io_data_put(d, 4, 0xeeeeee5a);
	tvm_run(&t);
	d = tvm_expect_io(&t, MV_EXIT_IO_OUT, RM_ECHO_OUT_PORT, 4);
	EXPECT_EQ(io_data_get(d, 4), (RM_ECHO_EAX_BEFORE_B & ~0xffu) | 0x5a);

	tvm_run(&t);
	d = tvm_expect_io(&t, MV_EXIT_IO_IN, RM_ECHO_PORT_DX, 2);
	io_data_put(d, 4, 0xeeeea55a);
	tvm_run(&t);
	d = tvm_expect_io(&t, MV_EXIT_IO_OUT, RM_ECHO_OUT_PORT, 4);
	EXPECT_EQ(io_data_get(d, 4), (RM_ECHO_EAX_BEFORE_W & ~0xffffu) | 0xa55a);

	tvm_run(&t);
	d = tvm_expect_io(&t, MV_EXIT_IO_IN, RM_ECHO_PORT_DX, 4);
	io_data_put(d, 4, 0x89abcdef);
	tvm_run(&t);
	d = tvm_expect_io(&t, MV_EXIT_IO_OUT, RM_ECHO_OUT_PORT, 4);
	EXPECT_EQ(io_data_get(d, 4), 0x89abcdef);

	tvm_run(&t);
	d = tvm_expect_io(&t, MV_EXIT_IO_OUT, RM_ECHO_SMALL_PORT, 1);
	EXPECT_EQ(io_data_get(d, 1), 0xef);
	tvm_run(&t);
	d = tvm_expect_io(&t, MV_EXIT_IO_OUT, RM_ECHO_SMALL_PORT, 2);
	EXPECT_EQ(io_data_get(d, 2), 0xcdef);

	tvm_run_expect(&t, MV_EXIT_HLT);
	EXPECT_EQ(tvm_rip(&t), RM_ADDR(echo, after_hlt));
	tvm_destroy(&t);
}

/* MV_SET_REGS between an IN exit and the next run drops the IN data. */
static void test_rm_set_regs_cancels_in(void)
{
	struct mv_regs r;
	struct tvm t;
	void *d;

	tvm_create_real(&t, RM_BLOB(echo));
	tvm_run(&t);
	d = tvm_expect_io(&t, MV_EXIT_IO_IN, RM_ECHO_IN_PORT8, 1);
	io_data_put(d, 1, 0x5a);
	tvm_get_regs(&t, &r);
	r.rax = 0x12345677;
	tvm_set_regs(&t, &r);
	tvm_run(&t);
	d = tvm_expect_io(&t, MV_EXIT_IO_OUT, RM_ECHO_OUT_PORT, 4);
	EXPECT_EQ(io_data_get(d, 4), 0x12345677);
	tvm_destroy(&t);
}

static void test_lm_compute(void)
{
	const uint64_t seed = 12345;
	struct ucall_info uc;
	struct tvm t;
	uint64_t i;

	tvm_create_long(&t, guest_compute, seed);
	for (i = 0; i < 10; i++) {
		tvm_expect_sync(&t, &uc, 2);
		EXPECT_EQ(uc.args[0], i);
		EXPECT_EQ(uc.args[1], i * i + seed);
	}
	tvm_expect_sync(&t, &uc, 1);
	EXPECT_EQ(uc.args[0], FIB90);
	EXPECT_EQ(guest_fib(90), FIB90);
	/* The same function, run natively here, must agree with the guest. */
	EXPECT_EQ(tvm_run_done(&t), guest_mix(seed));
	tvm_destroy(&t);
}

static void test_lm_port_io(void)
{
	struct tvm t;
	void *d;

	tvm_create_long(&t, guest_port_io, 0);
	tvm_run(&t);
	d = tvm_expect_io(&t, MV_EXIT_IO_OUT, LM_PORT_OUT8, 1);
	EXPECT_EQ(io_data_get(d, 1), LM_OUT8_VALUE);
	tvm_run(&t);
	d = tvm_expect_io(&t, MV_EXIT_IO_OUT, LM_PORT_OUT16, 2);
	EXPECT_EQ(io_data_get(d, 2), LM_OUT16_VALUE);
	tvm_run(&t);
	d = tvm_expect_io(&t, MV_EXIT_IO_OUT, LM_PORT_OUT32, 4);
	EXPECT_EQ(io_data_get(d, 4), LM_OUT32_VALUE);

	tvm_run(&t);
	d = tvm_expect_io(&t, MV_EXIT_IO_IN, LM_PORT_IN, 4);
	io_data_put(d, 4, LM_IN32_VALUE);
	tvm_run(&t);
	d = tvm_expect_io(&t, MV_EXIT_IO_IN, LM_PORT_IN, 2);
	io_data_put(d, 4, 0xeeee0000u | LM_IN16_VALUE);
	tvm_run(&t);
	d = tvm_expect_io(&t, MV_EXIT_IO_IN, LM_PORT_IN, 1);
	io_data_put(d, 4, 0xeeeeee00u | LM_IN8_VALUE);

	/* The guest checked the register values itself (GUEST_ASSERT_EQ). */
	tvm_run(&t);
	d = tvm_expect_io(&t, MV_EXIT_IO_OUT, LM_PORT_RESULT, 4);
	EXPECT_EQ(io_data_get(d, 4), LM_RESULT(LM_IN32_VALUE));
	EXPECT_EQ(tvm_run_done(&t), LM_IN32_VALUE);
	tvm_destroy(&t);
}

static void test_lm_shared_memory(void)
{
	uint64_t *in, *out, i, h = SHM_HASH_INIT, bad = 0;
	struct ucall_info uc;
	struct tvm t;

	tvm_create_long(&t, guest_shared_memory, 0);
	*GUEST_VAR(&t, guest_shared[0]) = SHM_PRESET;
	in = tvm_ptr(&t, SHM_IN_GPA, SHM_AREA_SIZE);
	out = tvm_ptr(&t, SHM_OUT_GPA, SHM_AREA_SIZE);
	for (i = 0; i < SHM_AREA_SIZE / 8; i++) {
		in[i] = shm_in_word(i);
		h = shm_hash(h, in[i]);
	}

	tvm_expect_sync(&t, &uc, 1);
	EXPECT_EQ(uc.args[0], SHM_PRESET);
	tvm_expect_sync(&t, &uc, 0);
	EXPECT_EQ(*GUEST_VAR(&t, guest_shared[1]), SHM_PRESET * 3 + 1);
	*GUEST_VAR(&t, guest_shared[2]) = SHM_HOST_UPDATE;

	tvm_expect_sync(&t, &uc, 1);
	EXPECT_EQ(uc.args[0], h);
	for (i = 0; i < SHM_AREA_SIZE / 8; i++) {
		if (out[i] == shm_out_word(i))
			continue;
		if (!bad++)
			test_diag("first wrong word at GPA 0x%llx: 0x%llx, want 0x%llx",
				  (unsigned long long)(SHM_OUT_GPA + 8 * i),
				  (unsigned long long)out[i],
				  (unsigned long long)shm_out_word(i));
	}
	EXPECT_EQ(bad, 0);
	EXPECT_EQ(tvm_run_done(&t), SHM_HOST_UPDATE);
	/* Guest memory is not this process's copy of the variable. */
	EXPECT_EQ(guest_shared[0], 0);
	tvm_destroy(&t);
}

static void regs_str(char out[13], uint32_t b, uint32_t c, uint32_t d)
{
	uint32_t w[3] = { b, c, d };
	int i;

	memcpy(out, w, 12);
	for (i = 0; i < 12; i++)
		if (out[i] && (out[i] < 0x20 || out[i] > 0x7e))
			out[i] = '?';
	out[12] = '\0';
}

static void test_lm_cpuid(void)
{
	unsigned int ha, hb, hc, hd;
	char host[13], guest[13];
	struct ucall_info uc;
	struct tvm t;

	__cpuid(0, ha, hb, hc, hd);
	tvm_create_long(&t, guest_cpuid_leaves, 0);

	tvm_expect_sync(&t, &uc, 5);
	ASSERT_EQ(uc.args[0], 0);
	regs_str(host, hb, hd, hc);
	regs_str(guest, (uint32_t)uc.args[2], (uint32_t)uc.args[4], (uint32_t)uc.args[3]);
	test_diag("leaf 0: guest max leaf 0x%llx vendor \"%s\", host max leaf 0x%x vendor \"%s\"",
		  (unsigned long long)uc.args[1], guest, ha, host);
	EXPECT_EQ(uc.args[2], hb);
	EXPECT_EQ(uc.args[3], hc);
	EXPECT_EQ(uc.args[4], hd);

	tvm_expect_sync(&t, &uc, 5);
	ASSERT_EQ(uc.args[0], 1);
	test_diag("leaf 1: eax 0x%llx ebx 0x%llx ecx 0x%llx edx 0x%llx",
		  (unsigned long long)uc.args[1], (unsigned long long)uc.args[2],
		  (unsigned long long)uc.args[3], (unsigned long long)uc.args[4]);
	EXPECT_EQ((uc.args[3] >> 5) & 1, 0);	/* no VMX for the guest */
	EXPECT_EQ((uc.args[3] >> 31) & 1, 1);	/* "running under a hypervisor" */

	tvm_expect_sync(&t, &uc, 5);
	ASSERT_EQ(uc.args[0], 0x40000000);
	regs_str(guest, (uint32_t)uc.args[2], (uint32_t)uc.args[3], (uint32_t)uc.args[4]);
	test_diag("leaf 0x40000000: eax 0x%llx signature \"%s\"",
		  (unsigned long long)uc.args[1], guest);
	EXPECT_EQ(uc.args[2], 0x696e694d);	/* "Mini" */
	EXPECT_EQ(uc.args[3], 0x6f736976);	/* "viso" */
	EXPECT_EQ(uc.args[4], 0x00000072);	/* "r\0\0\0" */

	EXPECT_EQ(tvm_run_done(&t), 0);
	tvm_destroy(&t);
}

/* The harness's own guest assertion path: a failing GUEST_ASSERT_EQ. */
static void test_lm_guest_assert_reported(void)
{
	const char *suffix = "guests_guest.c";
	struct ucall_info uc;
	struct tvm t;
	uint64_t line;
	size_t len;

	tvm_create_long(&t, guest_failing_assert, 5);
	tvm_expect_sync(&t, &uc, 1);
	line = uc.args[0];
	tvm_run(&t);
	ASSERT_EQ(tvm_get_ucall(&t, &uc), UCALL_ABORT);
	test_diag("reported: %s:%llu: %s (0x%llx, 0x%llx)", uc.file,
		  (unsigned long long)uc.line, uc.text, (unsigned long long)uc.args[0],
		  (unsigned long long)uc.args[1]);
	EXPECT_EQ(uc.line, line);
	len = strlen(uc.file);
	EXPECT_TRUE(len >= strlen(suffix) && !strcmp(uc.file + len - strlen(suffix), suffix));
	EXPECT_STREQ(uc.text, "arg + 1 == 3");
	EXPECT_EQ(uc.args[0], 3);	/* expected */
	EXPECT_EQ(uc.args[1], 6);	/* actual */
	tvm_destroy(&t);
}

static const struct test_case tests[] = {
	{ "rm_hello_serial_out_and_hlt", test_rm_hello, 0 },
	{ "rm_in_completion_each_size", test_rm_in_echo, 0 },
	{ "rm_set_regs_cancels_pending_in", test_rm_set_regs_cancels_in, 0 },
	{ "lm_compute_and_sync_sequence", test_lm_compute, 0 },
	{ "lm_port_io_sizes_and_in_extension", test_lm_port_io, 0 },
	{ "lm_shared_memory", test_lm_shared_memory, 0 },
	{ "lm_cpuid", test_lm_cpuid, 0 },
	{ "lm_guest_assert_reported", test_lm_guest_assert_reported, 0 },
};

int main(int argc, char **argv)
{
	return test_main(argc, argv, tests, ARRAY_SIZE(tests));
}
