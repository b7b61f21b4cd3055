/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A small kselftest-style harness printing KTAP (version 1) and exiting
 * with kselftest's statuses.
 *
 * Every test case runs in its own forked child with a deadline enforced by
 * the parent, so a test that crashes, hangs in the guest or in the kernel
 * fails alone and the remaining cases still report. Assertions print
 * "# file:line: ..." diagnostics with the expected and actual values; the
 * ASSERT_* forms end the test at once, the EXPECT_* forms record the failure
 * and let the test go on.
 */
#ifndef TEST_HARNESS_H
#define TEST_HARNESS_H

#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#define ARRAY_SIZE(a)		(sizeof(a) / sizeof((a)[0]))

/*
 * Seconds (emulated time in the test host) one test case may take unless
 * it says otherwise; well below the runner's per-program limit (120 s), so
 * one hanging case leaves time for the others.
 */
#define TEST_DEFAULT_TIMEOUT	30

struct test_case {
	const char *name;
	void (*fn)(void);
	unsigned int timeout;	/* seconds; 0 means TEST_DEFAULT_TIMEOUT */
};

enum test_result {
	TEST_PASS,
	TEST_FAIL,
	TEST_SKIP,
};

/* Exit statuses, as tools/testing/selftests/kselftest.h and its runner use them. */
#define KSFT_PASS	0
#define KSFT_FAIL	1
#define KSFT_SKIP	4

/*
 * Runs the cases named on the command line (all of them without arguments),
 * prints the KTAP stream and returns the process exit status: KSFT_FAIL if
 * any case failed, else KSFT_SKIP if every case run skipped, else KSFT_PASS;
 * 2 for a usage error (no such case). "-l" lists the case names.
 * Without a usable /dev/minivisor (ENOENT, ENODEV, ENXIO, EACCES, EPERM from
 * mv_open()) it prints "1..0 # SKIP ..." and returns KSFT_SKIP at once.
 */
int test_main(int argc, char **argv, const struct test_case *tests, size_t n);
/* The same without the device check: the host tier's own programs. */
int test_main_nodev(int argc, char **argv, const struct test_case *tests, size_t n);

/*
 * Runs one case in a child and returns its result; why receives a short
 * reason for a failure or skip. Used by test_main() and by the harness's own
 * host-side tests.
 */
enum test_result test_run_one(const struct test_case *t, char *why, size_t why_len);

/* Inside a test. */
void test_diag(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void test_diag_block(const char *text);	/* every line gets a "# " prefix */
__attribute__((noreturn, format(printf, 1, 2)))
void test_skip(const char *fmt, ...);
__attribute__((noreturn, format(printf, 3, 4)))
void test_fail(const char *file, int line, const char *fmt, ...);
__attribute__((format(printf, 3, 4)))
void test_fail_soft(const char *file, int line, const char *fmt, ...);
/* Called by the ASSERT/EXPECT macros below. */
void test_report_cmp(const char *file, int line, bool fatal, const char *expr,
		     unsigned long long expected, unsigned long long actual);
void test_report_errno(const char *file, int line, bool fatal, const char *expr,
		       long long expected, long long actual);
void test_report_str(const char *file, int line, bool fatal, const char *expr,
		     const char *expected, const char *actual);

/* "EINVAL (Invalid argument)" for 22 or -22; "0 (success)" for 0. */
const char *test_errno_str(long long err, char *buf, size_t len);

#define TEST_FAIL(...)		test_fail(__FILE__, __LINE__, __VA_ARGS__)

/*
 * Equality is bitwise on the values converted to unsigned long long, so
 * mixing int and __u32 operands never trips -Wsign-compare and -1 still
 * differs from 0xffffffff. Ordering compares as signed long long: fine for
 * the counts, sizes and times the tests order. The expression text is made
 * by the outermost macro, so it shows the test's spelling (MV_CHECK_CAP, not
 * its _IO() expansion).
 */
#define __TEST_CMP_EQ(fatal, actual, expected, eq, text) do {			\
	unsigned long long __act = (unsigned long long)(actual);		\
	unsigned long long __exp = (unsigned long long)(expected);		\
	if ((__act == __exp) != (eq))						\
		test_report_cmp(__FILE__, __LINE__, fatal, text, __exp, __act);	\
} while (0)

#define __TEST_CMP_ORD(fatal, actual, op, bound, text) do {			\
	long long __act = (long long)(actual);					\
	long long __bnd = (long long)(bound);					\
	if (!(__act op __bnd))							\
		test_report_cmp(__FILE__, __LINE__, fatal, text,		\
				(unsigned long long)__bnd,			\
				(unsigned long long)__act);			\
} while (0)

#define ASSERT_EQ(a, e)	__TEST_CMP_EQ(true, a, e, true, #a " == " #e)
#define ASSERT_NE(a, e)	__TEST_CMP_EQ(true, a, e, false, #a " != " #e)
#define ASSERT_LT(a, b)	__TEST_CMP_ORD(true, a, <, b, #a " < " #b)
#define ASSERT_LE(a, b)	__TEST_CMP_ORD(true, a, <=, b, #a " <= " #b)
#define ASSERT_GT(a, b)	__TEST_CMP_ORD(true, a, >, b, #a " > " #b)
#define ASSERT_GE(a, b)	__TEST_CMP_ORD(true, a, >=, b, #a " >= " #b)
#define EXPECT_EQ(a, e)	__TEST_CMP_EQ(false, a, e, true, #a " == " #e)
#define EXPECT_NE(a, e)	__TEST_CMP_EQ(false, a, e, false, #a " != " #e)
#define EXPECT_LT(a, b)	__TEST_CMP_ORD(false, a, <, b, #a " < " #b)
#define EXPECT_LE(a, b)	__TEST_CMP_ORD(false, a, <=, b, #a " <= " #b)
#define EXPECT_GT(a, b)	__TEST_CMP_ORD(false, a, >, b, #a " > " #b)
#define EXPECT_GE(a, b)	__TEST_CMP_ORD(false, a, >=, b, #a " >= " #b)

#define __TEST_TRUE(fatal, cond, want, text) do {				\
	if ((!!(cond)) != (want))						\
		test_report_cmp(__FILE__, __LINE__, fatal, text, want, !want);	\
} while (0)

#define ASSERT_TRUE(cond)	__TEST_TRUE(true, cond, 1, #cond)
#define ASSERT_FALSE(cond)	__TEST_TRUE(true, cond, 0, "!(" #cond ")")
#define EXPECT_TRUE(cond)	__TEST_TRUE(false, cond, 1, #cond)
#define EXPECT_FALSE(cond)	__TEST_TRUE(false, cond, 0, "!(" #cond ")")

/*
 * For the libminivisor convention (0 or a value >= 0 on success, -errno on
 * failure): ASSERT_OK wants ret >= 0, ASSERT_ERR(ret, EINVAL) wants exactly
 * -EINVAL. Both print errno names.
 */
#define __TEST_OK(fatal, ret, text) do {					\
	long long __r = (long long)(ret);					\
	if (__r < 0)								\
		test_report_errno(__FILE__, __LINE__, fatal, text, 0, __r);	\
} while (0)

#define __TEST_ERR(fatal, ret, err, text) do {					\
	long long __r = (long long)(ret);					\
	if (__r != -(long long)(err))						\
		test_report_errno(__FILE__, __LINE__, fatal, text,		\
				  -(long long)(err), __r);			\
} while (0)

#define ASSERT_OK(ret)		__TEST_OK(true, ret, #ret)
#define EXPECT_OK(ret)		__TEST_OK(false, ret, #ret)
#define ASSERT_ERR(ret, err)	__TEST_ERR(true, ret, err, #ret " fails with -" #err)
#define EXPECT_ERR(ret, err)	__TEST_ERR(false, ret, err, #ret " fails with -" #err)

#define __TEST_STREQ(fatal, actual, expected, text) do {			\
	const char *__a = (actual), *__e = (expected);				\
	if (!__a || !__e || strcmp(__a, __e))					\
		test_report_str(__FILE__, __LINE__, fatal, text, __e, __a);	\
} while (0)

#define ASSERT_STREQ(a, e)	__TEST_STREQ(true, a, e, #a " == " #e)
#define EXPECT_STREQ(a, e)	__TEST_STREQ(false, a, e, #a " == " #e)

#endif /* TEST_HARNESS_H */
