// SPDX-License-Identifier: GPL-2.0
/*
 * mvm's command line. Hand-rolled rather than getopt_long() so that it keeps
 * no global state and the unit tests can call it any number of times.
 */
#include <errno.h>
#include <inttypes.h>
#include <string.h>

#include <linux/minivisor.h>

#include "args.h"
#include "status.h"

/* The Makefile passes the release from the top-level VERSION file. */
#ifndef MVM_VERSION
#define MVM_VERSION "unknown"
#endif

void mvm_usage(FILE *f)
{
	fprintf(f,
"Usage: mvm run [OPTIONS] IMAGE\n"
"       mvm run [OPTIONS] --kernel FILE [--initrd FILE] [--append STR]\n"
"       mvm stat [--vm ID] [--vcpu N] [--interval SEC] [--once] [--json] [--svg FILE]\n"
"       mvm events [--vm ID] [--json]\n"
"       mvm ps [--json]\n"
"       mvm --help | --version\n"
"\n"
"stat, events and ps watch running VMs through the \"minivisor\" generic\n"
"netlink family: 'mvm stat --help' etc. (Documentation/mvm-stat.md).\n"
"\n"
"Run IMAGE as the only vCPU of a minivisor VM (/dev/minivisor). IMAGE is an\n"
"ELF32 or ELF64 executable (ET_EXEC; its PT_LOAD segments are loaded at their\n"
"physical addresses, p_paddr) or, if it does not start with the ELF magic, a\n"
"flat binary copied to the load address.\n"
"\n"
"Or boot a kernel on a PC-like machine: a Linux bzImage (x86 boot protocol\n"
"2.12+, 64-bit entry, e820 map, ACPI tables) or a Multiboot v1 kernel (ELF32 or\n"
"a.out kludge, 32-bit protected-mode entry with EAX=0x2BADB002).\n"
"\n"
"Options:\n"
"  --mem SIZE       guest memory, at guest-physical 0, in MiB without a suffix\n"
"                   (as QEMU's and kvmtool's -m): --mem 256 = --mem 256M\n"
"                   (default 64M, 256M with --kernel; 64K..512G, 2M..3G with\n"
"                   --kernel; a multiple of 4K)\n"
"  --kernel FILE    boot FILE (bzImage or multiboot) instead of running an IMAGE\n"
"  --initrd FILE    initial ramdisk (Linux) or module 0 (multiboot); --kernel only\n"
"  --append STR     kernel command line; --kernel only\n"
"  --cpus N         number of vCPUs, 1..8 (default 1)\n"
"  --load ADDR      where a flat binary goes (default 0x1000 in real mode,\n"
"                   0x100000 in long mode); not allowed for ELF images\n"
"                   (--load, --entry and --mode: IMAGE only, not --kernel)\n"
"  --entry ADDR     first instruction (default: the load address for a flat\n"
"                   binary, e_entry for an ELF image)\n"
"  --mode real|long CPU mode at the entry point (default: long for ELF64,\n"
"                   real otherwise)\n"
"  -v, --verbose    print the image layout and the initial state to stderr\n"
"  -h, --help       this text\n"
"  -V, --version    mvm's version and the minivisor API version it was built for\n"
"Options take their value as the next argument or after '=' (--mem=16M).\n"
"SIZE and ADDR are decimal or 0x-prefixed hex, optionally followed by K, M or\n"
"G (x 1024, 1024^2, 1024^3; upper or lower case): 0x1000, 64K, 2M, 1G. A bare\n"
"number is bytes for ADDR and MiB for --mem SIZE.\n"
"\n"
"Modes:\n"
"  real   flat 16-bit real mode. Entry must be below 1 MiB: CS:IP = 0000:entry\n"
"         below 64 KiB, else CS = (entry >> 4) & 0xf000, IP = entry & 0xffff.\n"
"         Other segments 0, SS:SP = 0000:FFF0.\n"
"  long   64-bit mode, paging on. Identity-mapped page tables (2 MiB pages) cover\n"
"         the first max(SIZE, 4G) bytes, so MMIO below 4 GiB is reachable; they\n"
"         and a GDT (CS 0x08, data 0x10, TSS 0x18) are placed in the lowest free\n"
"         pages at or above 0x1000 that the image does not use. RSP = SIZE (top of\n"
"         memory, the stack grows down from there), interrupts off, IDT empty.\n"
"\n"
"Devices (IMAGE form):\n"
"  0x3f8-0x3ff  16550A UART (COM1); transmitted bytes go to stdout, flushed at\n"
"               each newline and at exit. No input: LSR.DR stays 0\n"
"               (except for bytes looped back in MCR loopback mode).\n"
"  0xf4-0xf7    debug exit: writing value V ends mvm with status\n"
"               ((V << 1) | 1) & 0xff, like QEMU's isa-debug-exit.\n"
"  Accesses to other ports or to unbacked guest-physical addresses print a\n"
"  warning (once per address); reads from them return all-ones.\n"
"\n"
"The PC machine (--kernel, or an IMAGE with a multiboot header): one thread\n"
"per vCPU (APs wait for INIT/SIPI), the in-kernel local APICs, an 8259 PIC\n"
"pair (0x20, 0xa0, ELCR 0x4d0), 8254 PIT (0x40-0x43, port 0x61), IOAPIC\n"
"(0xfec00000), CMOS RTC (0x70), i8042 (0x60/0x64, reset only), PCI config\n"
"ports with no device (0xcf8/0xcfc, reset control 0xcf9), ACPI PM1a (0x600,\n"
"0x604), port 0x80, the UART on IRQ4 with stdin as its input, the debug exit.\n"
"  Input: a terminal is put in raw mode (restored at exit; Ctrl-C goes to\n"
"  the guest); a pipe is read as it comes, nothing is dropped. Ctrl-A x\n"
"  quits mvm, Ctrl-A Ctrl-A sends one Ctrl-A.\n"
"  The guest powering off (ACPI S5) or resetting (i8042 0xfe, which is also\n"
"  the ACPI reset register, port 0xcf9, or a triple fault) ends mvm with\n"
"  status 0 and a line on stderr naming the reason; so does vCPU 0 halting\n"
"  with interrupts disabled on a 1-vCPU machine, and Ctrl-A x.\n"
"\n"
"Exit status:\n"
"  %2d  the guest executed HLT (or --help, --version); PC machine: power-off,\n"
"      reset, triple fault, Ctrl-A x\n"
"  %2d  usage error, or the image cannot be read or does not fit\n"
"  %2d  the guest triple-faulted (MV_EXIT_SHUTDOWN; IMAGE form only)\n"
"  %2d  VM entry failed (MV_EXIT_FAIL_ENTRY)\n"
"  %2d  the module could not handle an exit (MV_EXIT_INTERNAL_ERROR)\n"
"  %2d  host error: /dev/minivisor missing (insmod minivisor.ko), VM creation or\n"
"      MV_RUN failed\n"
"  %2d  unknown exit reason, malformed exit data, or a device model failed\n"
"  odd  ((V << 1) | 1) & 0xff: the guest wrote V to the debug-exit port\n"
"  On SIGINT/SIGTERM mvm stops every vCPU, flushes the UART output,\n"
"  restores the terminal and dies of that signal.\n"
"  Failures print the exit and the vCPU registers to stderr.\n",
		MVM_STATUS_HLT, MVM_STATUS_USAGE, MVM_STATUS_SHUTDOWN, MVM_STATUS_FAIL_ENTRY,
		MVM_STATUS_INTERNAL, MVM_STATUS_HOST, MVM_STATUS_UNEXPECTED);
}

void mvm_print_version(FILE *f)
{
	fprintf(f, "mvm %s (minivisor API version %d)\n", MVM_VERSION, MV_API_VERSION);
}

const char *mvm_mode_name(enum mvm_mode mode)
{
	switch (mode) {
	case MVM_MODE_REAL:
		return "real";
	case MVM_MODE_LONG:
		return "long";
	default:
		return "auto";
	}
}

/* A number with an optional K/M/G suffix; bare_mult applies without one. */
static int parse_size_mult(const char *s, uint64_t bare_mult, uint64_t *val)
{
	uint64_t v = 0, base = 10, mult = bare_mult;
	const char *p = s;
	unsigned int digits = 0;

	if (!s || !*s)
		return -EINVAL;
	if (p[0] == '0' && (p[1] == 'x' || p[1] == 'X')) {
		base = 16;
		p += 2;
	}
	for (; *p; p++) {
		unsigned int d;

		if (*p >= '0' && *p <= '9')
			d = *p - '0';
		else if (base == 16 && *p >= 'a' && *p <= 'f')
			d = *p - 'a' + 10;
		else if (base == 16 && *p >= 'A' && *p <= 'F')
			d = *p - 'A' + 10;
		else
			break;
		if (v > (UINT64_MAX - d) / base)
			return -ERANGE;
		v = v * base + d;
		digits++;
	}
	if (!digits)
		return -EINVAL;
	switch (*p) {
	case '\0':
		break;
	case 'k': case 'K':
		mult = 1ull << 10;
		break;
	case 'm': case 'M':
		mult = 1ull << 20;
		break;
	case 'g': case 'G':
		mult = 1ull << 30;
		break;
	default:
		return -EINVAL;
	}
	if (*p && p[1])
		return -EINVAL;		/* "64MB", "1Kx": trailing junk */
	if (v > UINT64_MAX / mult)
		return -ERANGE;
	*val = v * mult;
	return 0;
}

int mvm_parse_size(const char *s, uint64_t *val)
{
	return parse_size_mult(s, 1, val);
}

int mvm_parse_mem(const char *s, uint64_t *val)
{
	return parse_size_mult(s, 1ull << 20, val);
}

static int parse_number_opt(const char *opt, const char *s, uint64_t *val, struct mvm_err *err)
{
	int ret = mvm_parse_size(s, val);

	if (ret == -ERANGE)
		mvm_err_set(err, "%s: '%s' is too large", opt, s);
	else if (ret)
		mvm_err_set(err, "%s: '%s' is not a number (decimal or 0x hex, optional K/M/G suffix)",
			    opt, s);
	return ret;
}

static int parse_mem_opt(const char *s, uint64_t *val, struct mvm_err *err)
{
	int ret = mvm_parse_mem(s, val);

	if (ret == -ERANGE)
		mvm_err_set(err, "--mem: '%s' is too large", s);
	else if (ret)
		mvm_err_set(err, "--mem: '%s' is not a number (MiB, or with a K/M/G suffix; "
			    "decimal or 0x hex)", s);
	return ret;
}

/*
 * Match "--name", "--name=value" (value in *inline_val) or the short alias.
 * Returns true on a match.
 */
static bool match_opt(const char *arg, const char *name, const char *alias,
		      const char **inline_val)
{
	size_t n = strlen(name);

	*inline_val = NULL;
	if (alias && !strcmp(arg, alias))
		return true;
	if (strncmp(arg, name, n))
		return false;
	if (arg[n] == '\0')
		return true;
	if (arg[n] == '=') {
		*inline_val = arg + n + 1;
		return true;
	}
	return false;
}

/* The option's value: after '=' or the next argument. */
static const char *opt_value(const char *opt, const char *inline_val, int argc,
			     char *const argv[], int *i, struct mvm_err *err)
{
	if (inline_val)
		return inline_val;
	if (*i + 1 >= argc) {
		mvm_err_set(err, "%s needs a value", opt);
		return NULL;
	}
	return argv[++*i];
}

/* --kernel: the boot protocol places everything, IMAGE-only options do not apply. */
static enum mvm_args_result check_kernel_opts(struct mvm_options *o, bool mode_set,
					      const char *mem_arg, struct mvm_err *err)
{
	if (o->image) {
		mvm_err_set(err, "give either IMAGE ('%s') or --kernel ('%s'), not both",
			    o->image, o->kernel);
		return MVM_ARGS_ERROR;
	}
	if (o->load_set || o->entry_set || mode_set) {
		mvm_err_set(err, "%s only applies to an IMAGE: --kernel is placed and started by "
			    "its boot protocol", o->load_set ? "--load" :
			    o->entry_set ? "--entry" : "--mode");
		return MVM_ARGS_ERROR;
	}
	if (!o->mem_set) {
		o->mem_size = MVM_DEFAULT_MEM_KERNEL;
	} else if (o->mem_size < (2ull << 20) || o->mem_size > MVM_MAX_MEM_KERNEL) {
		mvm_err_set(err, "--mem: %s is out of range for --kernel (2M..3G: RAM stays "
			    "below the MMIO hole at 3 GiB)", mem_arg);
		return MVM_ARGS_ERROR;
	}
	return MVM_ARGS_RUN;
}

static enum mvm_args_result parse_run(int argc, char *const argv[], struct mvm_options *o,
				      struct mvm_err *err)
{
	bool only_positional = false, mode_set = false;
	const char *v, *iv, *mem_arg = NULL;
	int i;

	for (i = 2; i < argc; i++) {
		const char *a = argv[i];

		if (only_positional || a[0] != '-' || !strcmp(a, "-")) {
			if (o->image) {
				mvm_err_set(err, "only one IMAGE may be given ('%s' and '%s')",
					    o->image, a);
				return MVM_ARGS_ERROR;
			}
			o->image = a;
			continue;
		}
		if (!strcmp(a, "--")) {
			only_positional = true;
		} else if (match_opt(a, "--help", "-h", &iv) && !iv) {
			return MVM_ARGS_HELP;
		} else if (match_opt(a, "--version", "-V", &iv) && !iv) {
			return MVM_ARGS_VERSION;
		} else if (match_opt(a, "--verbose", "-v", &iv) && !iv) {
			o->verbose = true;
		} else if (match_opt(a, "--mem", NULL, &iv)) {
			v = opt_value("--mem", iv, argc, argv, &i, err);
			if (!v || parse_mem_opt(v, &o->mem_size, err))
				return MVM_ARGS_ERROR;
			if (o->mem_size < MVM_MIN_MEM || o->mem_size > MVM_MAX_MEM) {
				mvm_err_set(err, "--mem: %s is out of range (64K..512G)", v);
				return MVM_ARGS_ERROR;
			}
			if (o->mem_size % 4096) {
				mvm_err_set(err, "--mem: %s is not a multiple of 4K", v);
				return MVM_ARGS_ERROR;
			}
			o->mem_set = true;
			mem_arg = v;
		} else if (match_opt(a, "--load", NULL, &iv)) {
			v = opt_value("--load", iv, argc, argv, &i, err);
			if (!v || parse_number_opt("--load", v, &o->load_addr, err))
				return MVM_ARGS_ERROR;
			o->load_set = true;
		} else if (match_opt(a, "--entry", NULL, &iv)) {
			v = opt_value("--entry", iv, argc, argv, &i, err);
			if (!v || parse_number_opt("--entry", v, &o->entry, err))
				return MVM_ARGS_ERROR;
			o->entry_set = true;
		} else if (match_opt(a, "--kernel", NULL, &iv)) {
			o->kernel = opt_value("--kernel", iv, argc, argv, &i, err);
			if (!o->kernel)
				return MVM_ARGS_ERROR;
		} else if (match_opt(a, "--initrd", NULL, &iv)) {
			o->initrd = opt_value("--initrd", iv, argc, argv, &i, err);
			if (!o->initrd)
				return MVM_ARGS_ERROR;
		} else if (match_opt(a, "--append", NULL, &iv)) {
			o->append = opt_value("--append", iv, argc, argv, &i, err);
			if (!o->append)
				return MVM_ARGS_ERROR;
		} else if (match_opt(a, "--cpus", NULL, &iv)) {
			uint64_t n;

			v = opt_value("--cpus", iv, argc, argv, &i, err);
			if (!v || parse_number_opt("--cpus", v, &n, err))
				return MVM_ARGS_ERROR;
			if (n < 1 || n > MVM_MAX_CPUS) {
				mvm_err_set(err, "--cpus: %s is out of range (1..%d)", v,
					    MVM_MAX_CPUS);
				return MVM_ARGS_ERROR;
			}
			o->ncpus = (unsigned int)n;
		} else if (match_opt(a, "--mode", NULL, &iv)) {
			v = opt_value("--mode", iv, argc, argv, &i, err);
			if (!v)
				return MVM_ARGS_ERROR;
			mode_set = true;
			if (!strcmp(v, "real")) {
				o->mode = MVM_MODE_REAL;
			} else if (!strcmp(v, "long")) {
				o->mode = MVM_MODE_LONG;
			} else {
				mvm_err_set(err, "--mode: '%s' is not 'real' or 'long'", v);
				return MVM_ARGS_ERROR;
			}
		} else {
			mvm_err_set(err, "unknown option '%s'", a);
			return MVM_ARGS_ERROR;
		}
	}
	if (o->kernel)
		return check_kernel_opts(o, mode_set, mem_arg, err);
	if (o->initrd || o->append) {
		mvm_err_set(err, "%s needs --kernel (an IMAGE gets no %s)",
			    o->initrd ? "--initrd" : "--append",
			    o->initrd ? "initrd" : "command line");
		return MVM_ARGS_ERROR;
	}
	if (!o->image) {
		mvm_err_set(err, "missing IMAGE (or --kernel FILE)");
		return MVM_ARGS_ERROR;
	}
	return MVM_ARGS_RUN;
}

enum mvm_args_result mvm_parse_args(int argc, char *const argv[], struct mvm_options *o,
				    struct mvm_err *err)
{
	memset(o, 0, sizeof(*o));
	o->mem_size = MVM_DEFAULT_MEM;
	o->mode = MVM_MODE_AUTO;
	o->ncpus = 1;

	if (argc < 2) {
		mvm_err_set(err, "missing command");
		return MVM_ARGS_ERROR;
	}
	if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") || !strcmp(argv[1], "help"))
		return MVM_ARGS_HELP;
	if (!strcmp(argv[1], "--version") || !strcmp(argv[1], "-V"))
		return MVM_ARGS_VERSION;
	if (strcmp(argv[1], "run")) {
		mvm_err_set(err, "unknown command '%s' (commands: run, stat, events, ps)", argv[1]);
		return MVM_ARGS_ERROR;
	}
	return parse_run(argc, argv, o, err);
}
