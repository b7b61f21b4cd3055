// SPDX-License-Identifier: GPL-2.0
/* mvm's command-line parser: sizes, options, defaults and error messages. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "args.h"
#include "status.h"
#include "tap.h"

static void size_ok(const char *s, uint64_t want)
{
	uint64_t v = 0;
	int ret = mvm_parse_size(s, &v);

	ok(ret == 0 && v == want, "parse_size('%s') == 0x%llx (got %d, 0x%llx)", s,
	   (unsigned long long)want, ret, (unsigned long long)v);
}

static void size_bad(const char *s, int want)
{
	uint64_t v = 12345;
	int ret = mvm_parse_size(s, &v);

	ok(ret == want && v == 12345, "parse_size('%s') rejected with %d (got %d)", s, want, ret);
}

static void mem_ok(const char *s, uint64_t want)
{
	uint64_t v = 0;
	int ret = mvm_parse_mem(s, &v);

	ok(ret == 0 && v == want, "parse_mem('%s') == 0x%llx (got %d, 0x%llx)", s,
	   (unsigned long long)want, ret, (unsigned long long)v);
}

static void mem_bad(const char *s, int want)
{
	uint64_t v = 12345;
	int ret = mvm_parse_mem(s, &v);

	ok(ret == want && v == 12345, "parse_mem('%s') rejected with %d (got %d)", s, want, ret);
}

/* Parse a NULL-terminated argv. */
static enum mvm_args_result parse(struct mvm_options *o, struct mvm_err *err, ...)
{
	char *argv[32];
	va_list ap;
	int argc = 0;

	argv[argc++] = "mvm";
	va_start(ap, err);
	while ((argv[argc] = va_arg(ap, char *)))
		argc++;
	va_end(ap);
	err->msg[0] = '\0';
	return mvm_parse_args(argc, argv, o, err);
}

#define parse(o, err, ...) parse(o, err, __VA_ARGS__, (char *)NULL)

static void bad(const char *what, const char *msg_part, enum mvm_args_result r,
		const struct mvm_err *err)
{
	ok(r == MVM_ARGS_ERROR && strstr(err->msg, msg_part),
	   "%s rejected: \"%s\"", what, err->msg);
}

int main(void)
{
	struct mvm_options o;
	struct mvm_err err;
	enum mvm_args_result r;
	char *text = NULL;
	size_t len = 0;
	FILE *f;

	tap_start();

	size_ok("0", 0);
	size_ok("4096", 4096);
	size_ok("0x1000", 0x1000);
	size_ok("0XfFfF", 0xffff);
	size_ok("64K", 64 << 10);
	size_ok("64k", 64 << 10);
	size_ok("2M", 2 << 20);
	size_ok("1G", 1ull << 30);
	size_ok("0x10M", 16ull << 20);
	size_ok("18446744073709551615", UINT64_MAX);
	size_ok("16777215G", 16777215ull << 30);
	size_bad("", -EINVAL);
	size_bad("K", -EINVAL);
	size_bad("0x", -EINVAL);
	size_bad("-1", -EINVAL);
	size_bad("+1", -EINVAL);
	size_bad(" 1", -EINVAL);
	size_bad("12Q", -EINVAL);
	size_bad("64MB", -EINVAL);
	size_bad("1.5M", -EINVAL);
	size_bad("0x1g0", -EINVAL);
	size_bad("18446744073709551616", -ERANGE);
	size_bad("0x10000000000000000", -ERANGE);
	size_bad("17179869184G", -ERANGE);
	size_ok("17179869183G", 17179869183ull << 30);

	/* --mem: a bare number is MiB, as with QEMU's and kvmtool's -m. */
	mem_ok("256", 256ull << 20);
	mem_ok("1", 1ull << 20);
	mem_ok("0x10", 16ull << 20);
	mem_ok("64K", 64ull << 10);
	mem_ok("64k", 64ull << 10);
	mem_ok("256M", 256ull << 20);
	mem_ok("2G", 2ull << 30);
	mem_ok("17592186044415", 17592186044415ull << 20);
	mem_bad("17592186044416", -ERANGE);	/* 2^44 MiB = 2^64 bytes */
	mem_bad("", -EINVAL);
	mem_bad("256MB", -EINVAL);
	mem_bad("M", -EINVAL);

	r = parse(&o, &err, "run", "img.bin");
	ok(r == MVM_ARGS_RUN && o.mem_size == 64ull << 20 && !o.load_set && !o.entry_set &&
	   o.mode == MVM_MODE_AUTO && !o.verbose && !strcmp(o.image, "img.bin"),
	   "defaults: 64M, auto mode, no --load/--entry");

	r = parse(&o, &err, "run", "--mem", "16M", "--load", "0x2000", "--entry", "0x2010",
		  "--mode", "long", "-v", "img.elf");
	ok(r == MVM_ARGS_RUN && o.mem_size == 16ull << 20 && o.load_set &&
	   o.load_addr == 0x2000 && o.entry_set && o.entry == 0x2010 &&
	   o.mode == MVM_MODE_LONG && o.verbose && !strcmp(o.image, "img.elf"),
	   "every option, value as next argument");

	r = parse(&o, &err, "run", "--mem=1G", "--load=1M", "--entry=0x100000", "--mode=real",
		  "--verbose", "x");
	ok(r == MVM_ARGS_RUN && o.mem_size == 1ull << 30 && o.load_addr == 0x100000 &&
	   o.entry == 0x100000 && o.mode == MVM_MODE_REAL && o.verbose,
	   "every option, --opt=value form");

	r = parse(&o, &err, "run", "--", "--weird-name");
	ok(r == MVM_ARGS_RUN && !strcmp(o.image, "--weird-name"), "'--' ends the options");

	r = parse(&o, &err, "run", "img", "--mem", "128K");
	ok(r == MVM_ARGS_RUN && o.mem_size == 128 << 10 && !strcmp(o.image, "img"),
	   "options after IMAGE");

	ok(parse(&o, &err, "--help") == MVM_ARGS_HELP, "mvm --help");
	ok(parse(&o, &err, "-h") == MVM_ARGS_HELP, "mvm -h");
	ok(parse(&o, &err, "help") == MVM_ARGS_HELP, "mvm help");
	ok(parse(&o, &err, "run", "--help") == MVM_ARGS_HELP, "mvm run --help");
	ok(parse(&o, &err, "run", "x", "-h") == MVM_ARGS_HELP, "mvm run x -h");
	ok(parse(&o, &err, "--version") == MVM_ARGS_VERSION, "mvm --version");
	ok(parse(&o, &err, "-V") == MVM_ARGS_VERSION, "mvm -V");
	ok(parse(&o, &err, "run", "x", "--version") == MVM_ARGS_VERSION, "mvm run x --version");
	bad("--version=1", "unknown option '--version=1'",
	    parse(&o, &err, "run", "x", "--version=1"), &err);
	r = parse(&o, &err, "run", "--mem", "256", "img");
	ok(r == MVM_ARGS_RUN && o.mem_size == 256ull << 20, "--mem 256 is 256 MiB");
	r = parse(&o, &err, "run", "--mem=1", "img");
	ok(r == MVM_ARGS_RUN && o.mem_size == 1ull << 20, "--mem=1 is 1 MiB");
	r = parse(&o, &err, "run", "--kernel", "k", "--mem", "512");
	ok(r == MVM_ARGS_RUN && o.mem_size == 512ull << 20, "--kernel --mem 512 is 512 MiB");
	bad("--mem 0", "--mem: 0 is out of range", parse(&o, &err, "run", "--mem", "0", "a"),
	    &err);
	bad("--mem 524289 (MiB, above 512G)", "--mem: 524289 is out of range",
	    parse(&o, &err, "run", "--mem", "524289", "a"), &err);
	bad("--mem 2^44 MiB", "--mem: '17592186044416' is too large",
	    parse(&o, &err, "run", "--mem", "17592186044416", "a"), &err);
	bad("--kernel --mem 4096 (MiB)", "--mem: 4096 is out of range for --kernel",
	    parse(&o, &err, "run", "--kernel", "k", "--mem", "4096"), &err);

	r = mvm_parse_args(1, (char *[]){ "mvm", NULL }, &o, &err);
	bad("no command", "missing command", r, &err);
	bad("unknown command", "unknown command 'start'", parse(&o, &err, "start", "x"), &err);
	bad("missing IMAGE", "missing IMAGE (or --kernel FILE)", parse(&o, &err, "run"), &err);
	bad("two images", "only one IMAGE", parse(&o, &err, "run", "a", "b"), &err);
	bad("unknown option", "unknown option '--fast'", parse(&o, &err, "run", "--fast", "a"),
	    &err);
	bad("--mem without value", "--mem needs a value", parse(&o, &err, "run", "a", "--mem"),
	    &err);
	bad("--mem junk", "'lots' is not a number", parse(&o, &err, "run", "--mem", "lots", "a"),
	    &err);
	bad("--mem overflow", "too large",
	    parse(&o, &err, "run", "--mem", "99999999999999999999", "a"), &err);
	bad("--mem below 64K", "out of range", parse(&o, &err, "run", "--mem", "60K", "a"), &err);
	bad("--mem above 512G", "out of range", parse(&o, &err, "run", "--mem", "513G", "a"),
	    &err);
	bad("--mem not 4K multiple", "not a multiple of 4K",
	    parse(&o, &err, "run", "--mem", "65537K", "a"), &err);
	bad("--load junk", "--load: '0xZZ' is not a number",
	    parse(&o, &err, "run", "--load", "0xZZ", "a"), &err);
	bad("--entry empty", "--entry: '' is not a number",
	    parse(&o, &err, "run", "--entry=", "a"), &err);
	bad("--mode bad", "'protected' is not 'real' or 'long'",
	    parse(&o, &err, "run", "--mode", "protected", "a"), &err);
	bad("--help=x", "unknown option '--help=x'", parse(&o, &err, "run", "--help=x", "a"),
	    &err);
	bad("--memory (prefix of no option)", "unknown option '--memory'",
	    parse(&o, &err, "run", "--memory", "1M", "a"), &err);

	/* --kernel / --initrd / --append / --cpus (issue 6). */
	r = parse(&o, &err, "run", "img");
	ok(r == MVM_ARGS_RUN && o.ncpus == 1 && !o.kernel && !o.initrd && !o.append &&
	   !o.mem_set, "IMAGE form: 1 vCPU, no kernel, initrd or command line");
	r = parse(&o, &err, "run", "--cpus", "4", "img");
	ok(r == MVM_ARGS_RUN && o.ncpus == 4 && !strcmp(o.image, "img"),
	   "--cpus with an IMAGE");
	r = parse(&o, &err, "run", "--kernel", "bzImage");
	ok(r == MVM_ARGS_RUN && !o.image && !strcmp(o.kernel, "bzImage") && !o.initrd &&
	   !o.append && o.ncpus == 1 && o.mem_size == 256ull << 20 && !o.mem_set,
	   "--kernel alone: no IMAGE, 256M default memory");
	r = parse(&o, &err, "run", "--kernel", "k", "--initrd", "i.cpio", "--append",
		  "console=ttyS0 quiet", "--cpus", "8", "--mem", "1G", "-v");
	ok(r == MVM_ARGS_RUN && !strcmp(o.kernel, "k") && !strcmp(o.initrd, "i.cpio") &&
	   !strcmp(o.append, "console=ttyS0 quiet") && o.ncpus == 8 &&
	   o.mem_size == 1ull << 30 && o.mem_set && o.verbose,
	   "--kernel with every option, values as next argument");
	r = parse(&o, &err, "run", "--kernel=k", "--initrd=i", "--append=a=b c", "--cpus=0x2",
		  "--mem=3G");
	ok(r == MVM_ARGS_RUN && !strcmp(o.kernel, "k") && !strcmp(o.initrd, "i") &&
	   !strcmp(o.append, "a=b c") && o.ncpus == 2 && o.mem_size == 3ull << 30,
	   "--kernel options in the --opt=value form, --mem 3G allowed");
	r = parse(&o, &err, "run", "--kernel", "k", "--append", "");
	ok(r == MVM_ARGS_RUN && o.append && !o.append[0], "--append with an empty string");
	r = parse(&o, &err, "run", "--kernel", "k", "--mem", "2M");
	ok(r == MVM_ARGS_RUN && o.mem_size == 2ull << 20, "--kernel --mem 2M (the minimum)");
	bad("--kernel and IMAGE", "either IMAGE ('img') or --kernel ('k'), not both",
	    parse(&o, &err, "run", "--kernel", "k", "img"), &err);
	bad("IMAGE then --kernel", "not both", parse(&o, &err, "run", "img", "--kernel", "k"),
	    &err);
	bad("--initrd without --kernel", "--initrd needs --kernel",
	    parse(&o, &err, "run", "--initrd", "i", "img"), &err);
	bad("--append without --kernel", "--append needs --kernel",
	    parse(&o, &err, "run", "--append", "x", "img"), &err);
	bad("--initrd alone", "--initrd needs --kernel", parse(&o, &err, "run", "--initrd", "i"),
	    &err);
	bad("nothing to run", "missing IMAGE (or --kernel FILE)",
	    parse(&o, &err, "run", "--cpus", "2"), &err);
	bad("--kernel --load", "--load only applies to an IMAGE",
	    parse(&o, &err, "run", "--kernel", "k", "--load", "0x1000"), &err);
	bad("--kernel --entry", "--entry only applies to an IMAGE",
	    parse(&o, &err, "run", "--entry", "0x1000", "--kernel", "k"), &err);
	bad("--kernel --mode", "--mode only applies to an IMAGE",
	    parse(&o, &err, "run", "--kernel", "k", "--mode", "long"), &err);
	bad("--kernel --mem 4G", "--mem: 4G is out of range for --kernel (2M..3G",
	    parse(&o, &err, "run", "--kernel", "k", "--mem", "4G"), &err);
	bad("--kernel --mem 1M", "--mem: 1M is out of range for --kernel",
	    parse(&o, &err, "run", "--kernel", "k", "--mem", "1M"), &err);
	bad("--kernel without value", "--kernel needs a value",
	    parse(&o, &err, "run", "--kernel"), &err);
	bad("--initrd without value", "--initrd needs a value",
	    parse(&o, &err, "run", "--kernel", "k", "--initrd"), &err);
	bad("--append without value", "--append needs a value",
	    parse(&o, &err, "run", "--kernel", "k", "--append"), &err);
	bad("--cpus without value", "--cpus needs a value", parse(&o, &err, "run", "x", "--cpus"),
	    &err);
	bad("--cpus 0", "--cpus: 0 is out of range (1..8)",
	    parse(&o, &err, "run", "--cpus", "0", "x"), &err);
	bad("--cpus 9", "--cpus: 9 is out of range (1..8)",
	    parse(&o, &err, "run", "--cpus", "9", "x"), &err);
	bad("--cpus 1K", "--cpus: 1K is out of range", parse(&o, &err, "run", "--cpus=1K", "x"),
	    &err);
	bad("--cpus junk", "--cpus: 'two' is not a number",
	    parse(&o, &err, "run", "--cpus", "two", "x"), &err);
	bad("--kernels (prefix of no option)", "unknown option '--kernels'",
	    parse(&o, &err, "run", "--kernels", "k"), &err);

	/* The help text must cover every option, default and status. */
	f = open_memstream(&text, &len);
	mvm_usage(f);
	fclose(f);
	ok(text && strstr(text, "--mem SIZE") && strstr(text, "--load ADDR") &&
	   strstr(text, "--entry ADDR") && strstr(text, "--mode real|long") &&
	   strstr(text, "--verbose") && strstr(text, "--help") && strstr(text, "--kernel FILE") &&
	   strstr(text, "--initrd FILE") && strstr(text, "--append STR") &&
	   strstr(text, "--cpus N") && strstr(text, "--version"), "usage lists every option");
	ok(text && strstr(text, "in MiB without a suffix") && strstr(text, "MiB for --mem"),
	   "usage says a bare --mem is MiB");
	ok(text && strstr(text, "256M with") && strstr(text, "1..8") && strstr(text, "2M..3G"),
	   "usage gives the --kernel defaults and ranges");
	ok(text && strstr(text, "default 64M") && strstr(text, "0x1000") &&
	   strstr(text, "0x100000") && strstr(text, "K, M or") && strstr(text, "G"),
	   "usage gives the defaults and the size suffixes");
	ok(text && strstr(text, " 0  the guest executed HLT") &&
	   strstr(text, " 2  usage error") && strstr(text, " 4  the guest triple-faulted") &&
	   strstr(text, " 6  VM entry failed") && strstr(text, " 8  the module could not") &&
	   strstr(text, "10  host error") && strstr(text, "12  unknown exit reason") &&
	   strstr(text, "odd  ((V << 1) | 1)"), "usage lists every exit status");
	ok(text && strstr(text, "0x3f8") && strstr(text, "0xf4"), "usage lists the devices");
	free(text);

	text = NULL;
	f = open_memstream(&text, &len);
	mvm_print_version(f);
	fclose(f);
	ok(text && !strncmp(text, "mvm ", 4) && strstr(text, "(minivisor API version 1)\n") &&
	   !strstr(text, "unknown"),
	   "mvm_print_version: \"mvm VERSION (minivisor API version 1)\"");
	free(text);

	/* mvm's own statuses are even: none can be mistaken for a debug-exit status. */
	ok(MVM_STATUS_USAGE % 2 == 0 && MVM_STATUS_SHUTDOWN % 2 == 0 &&
	   MVM_STATUS_FAIL_ENTRY % 2 == 0 && MVM_STATUS_INTERNAL % 2 == 0 &&
	   MVM_STATUS_HOST % 2 == 0 && MVM_STATUS_UNEXPECTED % 2 == 0,
	   "mvm statuses are even");
	return tap_end();
}
