#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# mvm end to end, as far as a machine without /dev/minivisor allows: help,
# usage errors and image errors give status 2 with a clear message before
# the device is ever opened; a good image then fails with status 10 and the
# insmod hint. Run from userspace/ after "make".
MVM=${MVM:-./tests/mvm-dynamic}
TMP=$(mktemp -d) || exit 1
trap 'rm -rf "$TMP"' EXIT
n=0
failed=0

echo "TAP version 13"

# check NAME WANT_STATUS WANT_STDERR_PATTERN -- ARGS...
check() {
	name=$1 want=$2 pattern=$3
	shift 4
	"$MVM" "$@" >"$TMP/out" 2>"$TMP/err"
	st=$?
	n=$((n + 1))
	if [ "$st" -eq "$want" ] && grep -q -e "$pattern" "$TMP/err" "$TMP/out"; then
		echo "ok $n - $name"
	else
		echo "not ok $n - $name"
		echo "#   status $st (want $want), output:"
		sed 's/^/#   /' "$TMP/err" "$TMP/out" | head -10
		failed=$((failed + 1))
	fi
}

check "--help: status 0, usage on stdout" 0 "^Usage: mvm run" -- --help
check "run --help: status 0" 0 "Exit status:" -- run --help
check "--version: status 0, version on stdout" 0 \
	"^mvm $(cat ../VERSION) (minivisor API version 1)\$" -- --version
check "run IMAGE --version: status 0" 0 "^mvm .*(minivisor API version" -- run guests/hello.bin -V
check "no arguments: status 2" 2 "missing command" --
check "unknown option: status 2" 2 "unknown option '--bogus'" -- run --bogus guests/hello.bin
check "bad --mem: status 2" 2 "'lots' is not a number" -- run --mem lots guests/hello.bin
check "bad --mode: status 2" 2 "is not 'real' or 'long'" -- run --mode smm guests/hello.bin
check "missing image file: status 2" 2 "cannot open image '$TMP/none'" -- run "$TMP/none"
check "directory as image: status 2" 2 "is a directory" -- run guests

: >"$TMP/empty"
check "empty image: status 2" 2 "the image is empty" -- run "$TMP/empty"
head -c 40 guests/hello-long.elf >"$TMP/trunc.elf"
check "ELF truncated in its header: status 2" 2 "truncated ELF header (40 bytes, need 64)" \
	-- run "$TMP/trunc.elf"
head -c 4200 guests/hello-long.elf >"$TMP/trunc2.elf"
check "ELF truncated in a segment: status 2" 2 "extend past the end of the file" \
	-- run "$TMP/trunc2.elf"
check "ELF at 1 MiB with --mem 512K: status 2" 2 "lies outside guest memory" \
	-- run --mem 512K guests/hello-long.elf
check "bare --mem is MiB: --mem 1 is 1 MiB, too small for an ELF at 1 MiB: status 2" 2 \
	"lies outside guest memory (0x100000 bytes" -- run --mem 1 guests/hello-long.elf
check "--load with an ELF image: status 2" 2 "--load only applies to flat binaries" \
	-- run --load 0x2000 guests/hello-long.elf
check "flat image past the end of memory: status 2" 2 "does not fit in guest memory" \
	-- run --mem 64K --load 0xffc0 guests/hello.bin
check "real-mode entry above 1 MiB: status 2" 2 "must be below 1 MiB" \
	-- run --mode real guests/hello-long.elf
check "long mode without room for page tables: status 2" 2 "no room for the long-mode page" \
	-- run --mem 64K --mode long --load 0x1000 guests/hello.bin
check "-v prints the layout" 10 "start at 0000:1000" -- run -v guests/hello.bin
check "-v long mode layout" 10 "page tables at 0x1000" -- run -v guests/hello-long.elf

if [ -e /dev/minivisor ]; then
	n=$((n + 1))
	echo "ok $n - good image without the module: status 10 # SKIP /dev/minivisor exists"
else
	check "good image without the module: status 10 and the insmod hint" 10 \
		"insmod module/minivisor.ko" -- run guests/hello.bin
	# A multiboot kernel (a.out kludge) given as IMAGE and as --kernel.
	printf '\002\260\255\033\000\000\001\000\376\117\121\344\000\000\020\000' >"$TMP/mb.bin"
	printf '\000\000\020\000\000\000\000\000\000\000\000\000\040\000\020\000\364\364' \
		>>"$TMP/mb.bin"
	check "multiboot IMAGE without the module: status 10" 10 \
		"insmod module/minivisor.ko" -- run "$TMP/mb.bin"
	check "--kernel multiboot without the module: status 10 (the header is recognised, else 2)" 10 \
		"insmod module/minivisor.ko" -- run --kernel "$TMP/mb.bin" --cpus 2
fi
printf 'MZ but no kernel' >"$TMP/nokernel"
check "--kernel with a file that is no kernel: status 2 before the module is opened" 2 \
	"the kernel is neither a bzImage" -- run --kernel "$TMP/nokernel"
check "--kernel with a missing initrd: status 2" 2 "nosuch" \
	-- run --kernel "$TMP/nokernel" --initrd "$TMP/nosuch"

echo "1..$n"
[ "$failed" -eq 0 ]
