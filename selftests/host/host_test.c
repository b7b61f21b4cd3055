// SPDX-License-Identifier: GPL-2.0
/*
 * Host tier of the selftests: the parts that need no VMX. The ELF
 * self-loader against a buffer, the ucall encoding (guest side) and decoding
 * (host side), IDT gate encoding, the real-mode blobs' layout, and the
 * harness itself (a failing, crashing, hanging or skipping case must be
 * reported as such).
 */
#include <elf.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include "elf_image.h"
#include "test_harness.h"
#include "vm.h"

/* guest_entry.S */
extern const uint8_t guest_trampoline[];
extern const uint64_t guest_exc_stubs[LM_IDT_VECTORS];

/* Changed at run time: the loaded image must hold the values from the file. */
static volatile int data_probe = 0x1234;
static volatile int bss_probe;
static const char rodata_probe[] = "minivisor selftest rodata probe";

static void test_elf_self_image(void)
{
	struct elf_image img;
	uint64_t size;
	uint8_t *mem;
	char err[256];

	data_probe = 0x5678;
	bss_probe = 7;
	ASSERT_OK(elf_image_read_file(&img, "/proc/self/exe", err, sizeof(err)));
	test_diag("image 0x%llx..0x%llx", (unsigned long long)img.lo,
		  (unsigned long long)img.hi);
	EXPECT_GE(img.lo, LM_IMAGE_MIN);
	size = long_mode_mem_size(&img);
	EXPECT_GE(size, img.hi);
	mem = calloc(1, size);
	ASSERT_TRUE(mem != NULL);
	memset(mem, 0xcc, size);
	ASSERT_OK(elf_image_load(&img, mem, size, err, sizeof(err)));

	/* Code and read-only data: byte for byte what this process runs. */
	EXPECT_EQ(memcmp(mem + (uintptr_t)guest_trampoline, guest_trampoline, 32), 0);
	EXPECT_EQ(memcmp(mem + (uintptr_t)guest_exc_stubs, guest_exc_stubs,
			 sizeof(guest_exc_stubs)), 0);
	EXPECT_EQ(memcmp(mem + (uintptr_t)ucall_fill, (const void *)ucall_fill, 64), 0);
	EXPECT_STREQ((const char *)mem + (uintptr_t)rodata_probe, rodata_probe);
	/* Data as initialised in the file, bss zeroed (over the 0xcc fill). */
	EXPECT_EQ(*(int *)(mem + (uintptr_t)&data_probe), 0x1234);
	EXPECT_EQ(*(int *)(mem + (uintptr_t)&bss_probe), 0);
	/* Below the image nothing was written. */
	EXPECT_EQ(mem[img.lo - 1], 0xcc);
	EXPECT_EQ(mem[LM_PT_GPA], 0xcc);

	/* Too little memory: refused, not overrun. */
	EXPECT_ERR(elf_image_load(&img, mem, img.hi - 1, err, sizeof(err)), E2BIG);
	test_diag("too small: %s", err);
	free(mem);
	elf_image_free(&img);
}

/* A minimal valid ELF in a buffer: header, one PT_LOAD, 16 bytes of payload. */
struct tiny_elf {
	Elf64_Ehdr eh;
	Elf64_Phdr ph;
	uint8_t payload[16];
};

static void tiny_elf(struct tiny_elf *e)
{
	memset(e, 0, sizeof(*e));
	memcpy(e->eh.e_ident, ELFMAG, SELFMAG);
	e->eh.e_ident[EI_CLASS] = ELFCLASS64;
	e->eh.e_ident[EI_DATA] = ELFDATA2LSB;
	e->eh.e_type = ET_EXEC;
	e->eh.e_machine = EM_X86_64;
	e->eh.e_phoff = offsetof(struct tiny_elf, ph);
	e->eh.e_phentsize = sizeof(Elf64_Phdr);
	e->eh.e_phnum = 1;
	e->ph.p_type = PT_LOAD;
	e->ph.p_offset = offsetof(struct tiny_elf, payload);
	e->ph.p_vaddr = 0x100;
	e->ph.p_filesz = sizeof(e->payload);
	e->ph.p_memsz = 32;
	memset(e->payload, 0xab, sizeof(e->payload));
}

static void expect_rejected(const char *what, const struct tiny_elf *e, size_t size)
{
	struct elf_image img;
	char err[256] = "";
	int ret = elf_image_parse(&img, e, size, err, sizeof(err));

	test_diag("%s: %d, \"%s\"", what, ret, err);
	EXPECT_ERR(ret, ENOEXEC);
	EXPECT_NE(err[0], '\0');
}

static void test_elf_rejects_bad_input(void)
{
	struct elf_image img;
	struct tiny_elf e;
	uint8_t mem[0x200];
	char err[256];

	/* The good one loads: 16 bytes of payload, then 16 zeroed. */
	tiny_elf(&e);
	ASSERT_OK(elf_image_parse(&img, &e, sizeof(e), err, sizeof(err)));
	EXPECT_EQ(img.lo, 0x100);
	EXPECT_EQ(img.hi, 0x120);
	memset(mem, 0xcc, sizeof(mem));
	ASSERT_OK(elf_image_load(&img, mem, sizeof(mem), err, sizeof(err)));
	EXPECT_EQ(mem[0x100], 0xab);
	EXPECT_EQ(mem[0x10f], 0xab);
	EXPECT_EQ(mem[0x110], 0);
	EXPECT_EQ(mem[0x11f], 0);
	EXPECT_EQ(mem[0x120], 0xcc);
	EXPECT_EQ(mem[0xff], 0xcc);
	EXPECT_ERR(elf_image_load(&img, mem, 0x11f, err, sizeof(err)), E2BIG);

	expect_rejected("truncated header", &e, 10);
	tiny_elf(&e);
	e.eh.e_ident[1] = 'X';
	expect_rejected("bad magic", &e, sizeof(e));
	tiny_elf(&e);
	e.eh.e_ident[EI_CLASS] = ELFCLASS32;
	expect_rejected("32-bit", &e, sizeof(e));
	tiny_elf(&e);
	e.eh.e_machine = EM_386;
	expect_rejected("i386", &e, sizeof(e));
	tiny_elf(&e);
	e.eh.e_type = ET_DYN;
	expect_rejected("PIE (ET_DYN)", &e, sizeof(e));
	tiny_elf(&e);
	e.eh.e_phoff = sizeof(e);
	expect_rejected("program headers past the end", &e, sizeof(e));
	tiny_elf(&e);
	e.eh.e_phnum = 0xffff;
	expect_rejected("too many program headers", &e, sizeof(e));
	tiny_elf(&e);
	e.ph.p_offset = ~0ull - 4;
	expect_rejected("segment offset wraps", &e, sizeof(e));
	tiny_elf(&e);
	e.ph.p_filesz = sizeof(e);
	e.ph.p_memsz = sizeof(e);
	expect_rejected("segment past the end of the file", &e, sizeof(e));
	tiny_elf(&e);
	e.ph.p_memsz = 8;
	expect_rejected("p_filesz > p_memsz", &e, sizeof(e));
	tiny_elf(&e);
	e.ph.p_vaddr = ~0ull - 8;
	expect_rejected("address range wraps", &e, sizeof(e));
	tiny_elf(&e);
	e.ph.p_type = PT_NOTE;
	expect_rejected("no PT_LOAD", &e, sizeof(e));

	EXPECT_ERR(elf_image_read_file(&img, "/nonexistent/selftest", err, sizeof(err)),
		   ENOENT);
	test_diag("missing file: %s", err);
}

/* ucall_fill() takes a va_list; this is what ucall() does before its OUT. */
static void fill(struct ucall *uc, uint64_t cmd, uint64_t nargs, ...)
{
	va_list ap;

	va_start(ap, nargs);
	ucall_fill(uc, cmd, nargs, ap);
	va_end(ap);
}

#define GMEM_SIZE	0x10000

static void test_ucall_round_trip(void)
{
	uint8_t *mem = calloc(1, GMEM_SIZE);
	struct ucall_info uc;
	char err[256];

	ASSERT_TRUE(mem != NULL);
	fill((struct ucall *)(mem + 0x1000), UCALL_SYNC, 0);
	ASSERT_OK(ucall_decode(mem, GMEM_SIZE, 0x1000, &uc, err, sizeof(err)));
	EXPECT_EQ(uc.cmd, UCALL_SYNC);
	EXPECT_EQ(uc.nargs, 0);

	fill((struct ucall *)(mem + 0x2000), UCALL_DONE, 6, 1ull, 2ull, 3ull, 4ull, 5ull,
	     ~0ull);
	ASSERT_OK(ucall_decode(mem, GMEM_SIZE, 0x2000, &uc, err, sizeof(err)));
	EXPECT_EQ(uc.cmd, UCALL_DONE);
	EXPECT_EQ(uc.nargs, 6);
	EXPECT_EQ(uc.args[0], 1);
	EXPECT_EQ(uc.args[4], 5);
	EXPECT_EQ(uc.args[5], ~0ull);

	/* More than UCALL_MAX_ARGS is clamped by the guest side. */
	fill((struct ucall *)(mem + 0x3000), UCALL_SYNC, 9, 1ull, 2ull, 3ull, 4ull, 5ull, 6ull,
	     7ull, 8ull, 9ull);
	ASSERT_OK(ucall_decode(mem, GMEM_SIZE, 0x3000, &uc, err, sizeof(err)));
	EXPECT_EQ(uc.nargs, UCALL_MAX_ARGS);
	EXPECT_EQ(uc.args[5], 6);

	/* Assertion reports carry guest addresses of their strings. */
	strcpy((char *)mem + 0x4000, "some/dir/guest_file.c");
	strcpy((char *)mem + 0x4100, "x + 1 == y");
	ucall_fill_abort((struct ucall *)(mem + 0x5000), (const char *)0x4000, 1234,
			 (const char *)0x4100, 7, 9);
	ASSERT_OK(ucall_decode(mem, GMEM_SIZE, 0x5000, &uc, err, sizeof(err)));
	EXPECT_EQ(uc.cmd, UCALL_ABORT);
	EXPECT_STREQ(uc.file, "some/dir/guest_file.c");
	EXPECT_STREQ(uc.text, "x + 1 == y");
	EXPECT_EQ(uc.line, 1234);
	EXPECT_EQ(uc.args[0], 7);
	EXPECT_EQ(uc.args[1], 9);
	free(mem);
}

static void test_ucall_decode_rejects(void)
{
	uint8_t *mem = calloc(1, GMEM_SIZE);
	struct ucall_info uc;
	struct ucall *raw;
	char err[256];

	ASSERT_TRUE(mem != NULL);
	raw = (struct ucall *)(mem + 0x1000);
	fill(raw, UCALL_SYNC, 1, 42ull);

	EXPECT_ERR(ucall_decode(mem, GMEM_SIZE, GMEM_SIZE, &uc, err, sizeof(err)), EINVAL);
	EXPECT_ERR(ucall_decode(mem, GMEM_SIZE, GMEM_SIZE - 8, &uc, err, sizeof(err)), EINVAL);
	EXPECT_ERR(ucall_decode(mem, GMEM_SIZE, ~0ull - 8, &uc, err, sizeof(err)), EINVAL);
	test_diag("out of range: %s", err);
	/* Memory without a ucall in it. */
	EXPECT_ERR(ucall_decode(mem, GMEM_SIZE, 0x8000, &uc, err, sizeof(err)), EINVAL);
	test_diag("no magic: %s", err);
	raw->cmd = UCALL_NONE;
	EXPECT_ERR(ucall_decode(mem, GMEM_SIZE, 0x1000, &uc, err, sizeof(err)), EINVAL);
	raw->cmd = 99;
	EXPECT_ERR(ucall_decode(mem, GMEM_SIZE, 0x1000, &uc, err, sizeof(err)), EINVAL);
	raw->cmd = UCALL_SYNC;
	raw->nargs = UCALL_MAX_ARGS + 1;
	EXPECT_ERR(ucall_decode(mem, GMEM_SIZE, 0x1000, &uc, err, sizeof(err)), EINVAL);
	test_diag("too many args: %s", err);
	raw->nargs = 1;
	ASSERT_OK(ucall_decode(mem, GMEM_SIZE, 0x1000, &uc, err, sizeof(err)));
	EXPECT_EQ(uc.args[0], 42);

	/* Bad string pointers are reported, not followed. */
	ucall_fill_abort(raw, (const char *)(uintptr_t)(GMEM_SIZE + 5), 1,
			 (const char *)0, 0, 0);
	ASSERT_OK(ucall_decode(mem, GMEM_SIZE, 0x1000, &uc, err, sizeof(err)));
	test_diag("file \"%s\", text \"%s\"", uc.file, uc.text);
	EXPECT_TRUE(strstr(uc.file, "bad address") != NULL);
	EXPECT_STREQ(uc.text, "<none>");
	/* An unterminated string at the end of memory is cut there. */
	memset(mem + GMEM_SIZE - 4, 'z', 4);
	ucall_fill_abort(raw, (const char *)(uintptr_t)(GMEM_SIZE - 4), 1,
			 (const char *)(uintptr_t)(GMEM_SIZE - 2), 0, 0);
	ASSERT_OK(ucall_decode(mem, GMEM_SIZE, 0x1000, &uc, err, sizeof(err)));
	EXPECT_STREQ(uc.file, "zzzz");
	EXPECT_STREQ(uc.text, "zz");
	free(mem);
}

static void test_idt_gate(void)
{
	const uint64_t h = 0x123456789abcdef0ull;
	uint8_t g[16];
	uint64_t off;

	idt_gate_encode(g, h, 0x08);
	off = (uint64_t)g[0] | (uint64_t)g[1] << 8 | (uint64_t)g[6] << 16 |
	      (uint64_t)g[7] << 24 | (uint64_t)g[8] << 32 | (uint64_t)g[9] << 40 |
	      (uint64_t)g[10] << 48 | (uint64_t)g[11] << 56;
	EXPECT_EQ(off, h);
	EXPECT_EQ(g[2] | g[3] << 8, 0x08);	/* selector */
	EXPECT_EQ(g[4], 0);			/* IST */
	EXPECT_EQ(g[5], 0x8e);			/* P, DPL 0, interrupt gate */
	EXPECT_EQ(g[12] | g[13] | g[14] | g[15], 0);
	/* The stubs it will point at are distinct and inside the text. */
	EXPECT_NE(guest_exc_stubs[0], guest_exc_stubs[1]);
	EXPECT_GT(guest_exc_stubs[14], guest_exc_stubs[13]);
	EXPECT_GE(guest_exc_stubs[0], LM_IMAGE_MIN);
}

static void test_rm_blob_layout(void)
{
	const struct rm_blob blobs[] = {
		RM_BLOB(hello), RM_BLOB(echo), RM_BLOB(hlt), RM_BLOB(spin), RM_BLOB(peek),
		RM_BLOB(triple),
	};
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(blobs); i++) {
		EXPECT_GT(blobs[i].end - blobs[i].start, 0);
		EXPECT_LE(RM_LOAD_ADDR + (blobs[i].end - blobs[i].start), RM_STACK_TOP);
	}
	/* The "after HLT" labels follow a HLT (0xf4), the spin HLT is one. */
	EXPECT_EQ(rm_hello_start[rm_hello_after_hlt - rm_hello_start - 1], 0xf4);
	EXPECT_EQ(rm_echo_start[rm_echo_after_hlt - rm_echo_start - 1], 0xf4);
	EXPECT_EQ(rm_hlt_start[0], 0xf4);
	EXPECT_EQ(rm_spin_hlt[0], 0xf4);
	/* "jmp ." is EB FE. */
	EXPECT_EQ(rm_spin_loop[0], 0xeb);
	EXPECT_EQ(rm_spin_loop[1], 0xfe);
	EXPECT_EQ(RM_ADDR(spin, loop), RM_LOAD_ADDR);
	EXPECT_LT(RM_LOAD_ADDR + (rm_hello_end - rm_hello_start), RM_MEM_SIZE);
	/* The message the hello blob prints is in it. */
	EXPECT_TRUE(memmem(rm_hello_start, (size_t)(rm_hello_end - rm_hello_start), "hello", 6)
		    != NULL);
}

/* Cases for the harness self-test, run through test_run_one(). */
static void case_pass(void)
{
	ASSERT_EQ(1 + 1, 2);
	EXPECT_ERR(-EINVAL, EINVAL);
}

static void case_expect_fails(void)
{
	EXPECT_EQ(1, 2);
	ASSERT_EQ(2, 2);	/* goes on after a failed EXPECT */
}

static void case_assert_fails(void)
{
	ASSERT_ERR(0, EINVAL);
	EXPECT_EQ(0, 0);
}

static void case_crash(void)
{
	raise(SIGSEGV);
}

static void case_hang(void)
{
	for (;;)
		pause();
}

static void case_skip(void)
{
	test_skip("no %s here", "frobnicator");
}

static void test_harness_results(void)
{
	static const struct {
		struct test_case tc;
		enum test_result want;
		const char *why;
	} cases[] = {
		{ { "pass", case_pass, 5 }, TEST_PASS, "" },
		{ { "expect_fails", case_expect_fails, 5 }, TEST_FAIL, "exit status 1" },
		{ { "assert_fails", case_assert_fails, 5 }, TEST_FAIL, "exit status 1" },
		{ { "crash", case_crash, 5 }, TEST_FAIL, "killed by signal 11" },
		{ { "hang", case_hang, 1 }, TEST_FAIL, "timed out after 1 s" },
		{ { "skip", case_skip, 5 }, TEST_SKIP, "no frobnicator here" },
	};
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		char why[320];
		enum test_result r;

		test_diag("--- inner case \"%s\" (its diagnostics follow) ---", cases[i].tc.name);
		r = test_run_one(&cases[i].tc, why, sizeof(why));
		test_diag("--- result %d, \"%s\" ---", r, why);
		EXPECT_EQ(r, cases[i].want);
		EXPECT_TRUE(!strncmp(why, cases[i].why, strlen(cases[i].why)));
	}
}

/*
 * test_main() in a child with stdout in a file: its KTAP stream and its exit
 * status (kselftest: 0 pass, 1 fail, 4 every case skipped).
 */
static int run_test_main(const struct test_case *tc, size_t n, bool need_dev, char *out,
			 size_t len)
{
	char *argv[] = { "inner", NULL };
	FILE *f = tmpfile();
	int status, fd;
	size_t got;
	pid_t pid;

	ASSERT_TRUE(f != NULL);
	fflush(stdout);
	pid = fork();
	ASSERT_GE(pid, 0);
	if (pid == 0) {
		fd = fileno(f);
		dup2(fd, STDOUT_FILENO);
		_exit(need_dev ? test_main(1, argv, tc, n) : test_main_nodev(1, argv, tc, n));
	}
	ASSERT_EQ(waitpid(pid, &status, 0), pid);
	ASSERT_TRUE(WIFEXITED(status));
	rewind(f);
	got = fread(out, 1, len - 1, f);
	out[got] = '\0';
	fclose(f);
	return WEXITSTATUS(status);
}

static void test_harness_ksft_status(void)
{
	static const struct test_case skips[] = {
		{ "skip_a", case_skip, 5 }, { "skip_b", case_skip, 5 },
	};
	static const struct test_case mixed[] = {
		{ "pass", case_pass, 5 }, { "skip", case_skip, 5 },
	};
	static const struct test_case failing[] = {
		{ "skip", case_skip, 5 }, { "fails", case_expect_fails, 5 },
	};
	char out[4096];

	EXPECT_EQ(run_test_main(skips, ARRAY_SIZE(skips), false, out, sizeof(out)), KSFT_SKIP);
	EXPECT_TRUE(!strncmp(out, "KTAP version 1\n1..2\n", 20));
	EXPECT_TRUE(strstr(out, "\nok 1 skip_a # SKIP no frobnicator here\n") != NULL);
	EXPECT_TRUE(strstr(out, "\nok 2 skip_b # SKIP no frobnicator here\n") != NULL);
	EXPECT_EQ(run_test_main(mixed, ARRAY_SIZE(mixed), false, out, sizeof(out)), KSFT_PASS);
	EXPECT_TRUE(strstr(out, "\nok 1 pass\n") != NULL);
	EXPECT_EQ(run_test_main(failing, ARRAY_SIZE(failing), false, out, sizeof(out)), KSFT_FAIL);
	EXPECT_TRUE(strstr(out, "\nnot ok 2 fails\n") != NULL);
	EXPECT_TRUE(strstr(out, "# inner: 0 passed, 1 failed, 1 skipped\n") != NULL);
}

/* No /dev/minivisor: test_main() skips the whole program, status 4. */
static void test_harness_skips_without_device(void)
{
	static const struct test_case one[] = { { "pass", case_pass, 5 } };
	char out[4096];

	if (access(MV_DEVICE_PATH, F_OK) == 0)
		test_skip("%s exists here", MV_DEVICE_PATH);
	EXPECT_EQ(run_test_main(one, ARRAY_SIZE(one), true, out, sizeof(out)), KSFT_SKIP);
	EXPECT_TRUE(!strcmp(out, "KTAP version 1\n1..0 # SKIP /dev/minivisor: No such file or "
			    "directory (load minivisor.ko)\n# inner: 0 passed, 0 failed, 0 skipped\n"));
	test_diag_block(out);
}

static const struct test_case tests[] = {
	{ "elf_self_image_matches_running_binary", test_elf_self_image, 0 },
	{ "elf_rejects_bad_input", test_elf_rejects_bad_input, 0 },
	{ "ucall_encode_decode_round_trip", test_ucall_round_trip, 0 },
	{ "ucall_decode_rejects_bad_input", test_ucall_decode_rejects, 0 },
	{ "idt_gate_encoding", test_idt_gate, 0 },
	{ "rm_blob_layout", test_rm_blob_layout, 0 },
	{ "harness_reports_each_outcome", test_harness_results, 0 },
	{ "harness_exit_status_is_kselftest", test_harness_ksft_status, 0 },
	{ "harness_skips_without_device", test_harness_skips_without_device, 0 },
};

int main(int argc, char **argv)
{
	return test_main_nodev(argc, argv, tests, ARRAY_SIZE(tests));
}
