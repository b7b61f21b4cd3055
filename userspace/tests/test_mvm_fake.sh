#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# The real mvm binary against a fake /dev/minivisor (tests/fake_minivisor.so,
# LD_PRELOADed): main.c, run.c and libminivisor's ioctls end to end. Scripted
# exits (FAKE_MV_EXIT) check every failure status and dump; with Unicorn the
# fake also executes the guests, so the demo guests and a few hand-assembled
# ones run through the whole of mvm. Run from userspace/ after "make".
# Must be dynamically linked for LD_PRELOAD (the mvm binary is not with STATIC=1).
MVM=${MVM:-./tests/mvm-dynamic}
FAKE=$(pwd)/tests/fake_minivisor.so
TMP=$(mktemp -d) || exit 1
trap 'rm -rf "$TMP"' EXIT
n=0
failed=0

echo "TAP version 13"

result() {	# result OK NAME
	n=$((n + 1))
	if [ "$1" = 1 ]; then
		echo "ok $n - $2"
	else
		echo "not ok $n - $2"
		echo "#   status $st, stdout/stderr:"
		sed 's/^/#   /' "$TMP/out" "$TMP/err" | head -12
		failed=$((failed + 1))
	fi
}

# fake NAME MODE WANT_STATUS STDERR_PATTERN STDOUT_EXACT -- ARGS...
# An empty STDERR_PATTERN means stderr must be empty.
fake() {
	name=$1 mode=$2 want=$3 pattern=$4 stdout=$5
	shift 6
	FAKE_MV_EXIT=$mode LD_PRELOAD=$FAKE timeout 20 "$MVM" "$@" >"$TMP/out" 2>"$TMP/err"
	st=$?
	good=0
	if [ -n "$pattern" ]; then
		grep -q -e "$pattern" "$TMP/err"
	else
		[ ! -s "$TMP/err" ]
	fi && [ "$st" -eq "$want" ] && [ "$(cat "$TMP/out")" = "$stdout" ] && good=1
	result $good "$name"
}

skip() {
	n=$((n + 1))
	echo "ok $n - $1 # SKIP $2"
}

fake "SHUTDOWN: status 4, exit and registers dumped" shutdown 4 "cr0=0x0000000000000010" "" \
	-- run guests/hello.bin
grep -q "exit_reason: 4 (SHUTDOWN)" "$TMP/err" && grep -q "rip=0x0000000000001000" "$TMP/err"
result $((1 - $?)) "SHUTDOWN dump names the exit and the guest RIP"
fake "FAIL_ENTRY: status 6" fail_entry 6 "33 (invalid guest state)" "" -- run guests/hello.bin
grep -q "^cs  sel=" "$TMP/err"
result $((1 - $?)) "FAIL_ENTRY: segment registers dumped"
fake "INTERNAL_ERROR: status 8" internal 8 "internal.suberror: 1 (UNHANDLED_EXIT)" "" \
	-- run guests/hello.bin
fake "unknown exit reason: status 12" unknown 12 "exit_reason: 42 (UNKNOWN)" "" \
	-- run guests/hello.bin
fake "MV_RUN failing with EIO: status 10" eio 10 "MV_RUN failed: Input/output error" "" \
	-- run guests/hello.bin
fake "MV_CREATE_VM EBUSY: status 10 with the kvm_intel hint" ebusy 10 "kvm_intel" "" \
	-- run guests/hello.bin
fake "module with another API version: status 10" api2 10 "API version 2, mvm was built for 1" \
	"" -- run guests/hello.bin
fake "--mem above MV_CAP_MAX_MEMSLOT_SIZE: status 10" shutdown 10 "per-slot limit of 1024M" "" \
	-- run --mem 2G guests/hello.bin
fake "EINTR from MV_RUN is retried" intr 0 "" "" -- run guests/hello.bin
fake "-v shows the initial registers" intr 0 "rip=0x0000000000001000 rflags=0x0000000000000002" \
	"" -- run -v guests/hello.bin

# SIGTERM while the guest runs: the partial line is flushed, mvm dies of the signal.
FAKE_MV_EXIT=spin LD_PRELOAD=$FAKE "$MVM" run guests/hello.bin >"$TMP/out" 2>"$TMP/err" &
pid=$!
sleep 1
kill -TERM $pid
wait $pid 2>/dev/null
st=$?
good=0
if [ "$st" -eq 143 ] && grep -q "stopped by signal 15" "$TMP/err" &&
   grep -q "^xxxxxxxxx$" "$TMP/out"; then
	good=1
fi
result $good "SIGTERM: output flushed, mvm killed by SIGTERM (shell status 143)"

if [ "$HAVE_UNICORN" != 1 ]; then
	for t in "hello.bin" "hello-long.elf" "unclaimed ports" "debug exit in real mode" \
		 "triple fault"; do
		skip "emulated guest: $t" "libunicorn-dev not installed"
	done
else
	fake "emulated guest: hello.bin prints and halts, status 0" "" 0 "" \
		"Hello from a minivisor guest!" -- run guests/hello.bin
	fake "emulated guest: hello-long.elf prints and exits with 33" "" 33 "" \
		"Hello from 64-bit long mode in a minivisor guest!" -- run guests/hello-long.elf
	# in al, 0x80; out 0x81, al; hlt
	printf '\344\200\346\201\364' >"$TMP/ports.bin"
	fake "emulated guest: unclaimed ports warn, reads give all-ones, status 0" "" 0 \
		"port write to unclaimed 0x81 (1 bytes, value 0xff) ignored" "" -- run "$TMP/ports.bin"
	# mov al, 5; out 0xf4, al; hlt
	printf '\260\005\346\364\364' >"$TMP/exit5.bin"
	fake "emulated guest: debug exit with 5 from real mode, status 11" "" 11 "" "" \
		-- run --load 0x7c00 "$TMP/exit5.bin"
	# ud2 with no IDT: the fake reports the fault as a triple fault
	printf '\017\013' >"$TMP/ud2.bin"
	fake "emulated guest: ud2 without an IDT, status 4" "" 4 "exit_reason: 4 (SHUTDOWN)" "" \
		-- run "$TMP/ud2.bin"
fi

# ---- the PC machine (multiboot IMAGE / --kernel): threads, injection, shutdown ----
le32() {	# one little-endian 32-bit word
	printf "\\$(printf %03o $(($1 & 255)))\\$(printf %03o $((($1 >> 8) & 255)))"
	printf "\\$(printf %03o $((($1 >> 16) & 255)))\\$(printf %03o $((($1 >> 24) & 255)))"
}
# A multiboot v1 a.out-kludge kernel: header at 0x100000, entry 0x100020 (hlt).
{ le32 0x1BADB002; le32 0x00010000; le32 0xE4514FFE; le32 0x100000; le32 0x100000
  le32 0; le32 0; le32 0x100020; printf '\364\364\364\364'; } >"$TMP/mb.bin"

# pcfake NAME MODE WANT_STATUS STDERR_PATTERN STDOUT_EXACT INPUT -- ARGS...
# INPUT (a printf format) is piped into stdin 0.3 s after the start.
pcfake() {
	name=$1 mode=$2 want=$3 pattern=$4 stdout=$5 input=$6
	shift 7
	(sleep 0.3; printf "$input") | FAKE_MV_EXIT=$mode LD_PRELOAD=$FAKE timeout 20 "$MVM" "$@" \
		>"$TMP/out" 2>"$TMP/err"
	st=$?
	good=0
	if [ -n "$pattern" ]; then
		grep -q -e "$pattern" "$TMP/err"
	else
		[ ! -s "$TMP/err" ]
	fi && [ "$st" -eq "$want" ] && [ "$(cat "$TMP/out")" = "$stdout" ] && good=1
	result $good "$name"
}

pcfake "PC: PIT IRQ0 through the PIC, injected via the interrupt window; piped line echoed; ACPI power-off, status 0" \
	pc-ticks 0 "^mvm: guest powered off$" "irq 0x20 x5
hello from the pipe" 'hello from the pipe\n' -- run "$TMP/mb.bin"
pcfake "PC: the same with --kernel and 2 vCPUs (the AP blocks in MV_RUN until the end)" \
	pc-ticks 0 "^mvm: guest powered off$" "irq 0x20 x5
two cpus" 'two cpus\n' -- run --kernel "$TMP/mb.bin" --cpus 2
pcfake "PC: PIT through IOAPIC pin 2 (IRQ0 override) as MSIs: destination 1, vector 0x30, edge" \
	pc-ioapic 0 "^mvm: guest powered off$" "msi addr 0xfee01000 data 0x4030" '' \
	-- run "$TMP/mb.bin"
pcfake "PC: level-triggered IOAPIC pin (UART IRQ4 with input): one MSI until MV_EXIT_EOI, then again" \
	pc-level 0 "^mvm: guest powered off$" "msi 1 addr 0xfee00000 data 0xc034
msi 2 addr 0xfee00000 data 0xc034" 'ab\n' -- run "$TMP/mb.bin"
pcfake "PC: i8042 pulse reset: status 0 and the reason" pc-reset 0 \
	"^mvm: guest reset (i8042" "" '' -- run --cpus 3 "$TMP/mb.bin"
pcfake "PC: reset control register 0xcf9: status 0" pc-pci-reset 0 \
	"^mvm: guest reset (reset control register 0xcf9)$" "" '' -- run "$TMP/mb.bin"
pcfake "PC: triple fault is a reset: status 0, 'guest reset (triple fault)'" pc-triple 0 \
	"^mvm: guest reset (triple fault)$" "" '' -- run --cpus 2 "$TMP/mb.bin"
pcfake "PC: debug exit still works (status 11, nothing on stderr)" pc-debug 11 "" "" '' \
	-- run "$TMP/mb.bin"
pcfake "PC: cli; hlt on the only vCPU ends mvm with status 0" pc-hlt 0 \
	"halted with interrupts disabled" "" '' -- run "$TMP/mb.bin"
pcfake "PC: Ctrl-A x on stdin quits (status 0), the bytes before it reach the guest" pc-idle 0 \
	"^mvm: quit (Ctrl-A x)$" "" 'abc\001x' -- run --cpus 2 "$TMP/mb.bin"
FAKE_MV_NO_LAPIC=1 FAKE_MV_EXIT=pc-idle LD_PRELOAD=$FAKE timeout 20 "$MVM" run --cpus 2 \
	"$TMP/mb.bin" </dev/null >"$TMP/out" 2>"$TMP/err"
st=$?
[ "$st" -eq 10 ] && grep -q "needs the module's in-kernel local APIC" "$TMP/err"
result $((1 - $?)) "PC: --cpus 2 without MV_CAP_LAPIC: status 10 and why"
printf 'not a kernel' >"$TMP/junk.bin"
FAKE_MV_EXIT=pc-idle LD_PRELOAD=$FAKE timeout 20 "$MVM" run --kernel "$TMP/junk.bin" \
	</dev/null >"$TMP/out" 2>"$TMP/err"
st=$?
[ "$st" -eq 2 ] && grep -q "the kernel is neither a bzImage" "$TMP/err"
result $((1 - $?)) "PC: --kernel with a file that is no kernel: status 2"

# SIGTERM with 2 vCPUs: every thread stops, mvm dies of the signal.
FAKE_MV_EXIT=pc-idle LD_PRELOAD=$FAKE "$MVM" run --cpus 2 "$TMP/mb.bin" </dev/null \
	>"$TMP/out" 2>"$TMP/err" &
pid=$!
sleep 0.5
kill -TERM $pid
wait $pid 2>/dev/null
st=$?
[ "$st" -eq 143 ] && grep -q "stopped by signal 15" "$TMP/err"
result $((1 - $?)) "PC: SIGTERM stops both vCPU threads, mvm killed by SIGTERM (143)"
FAKE_MV_EXIT=pc-idle LD_PRELOAD=$FAKE "$MVM" run "$TMP/mb.bin" </dev/null \
	>"$TMP/out" 2>"$TMP/err" &
pid=$!
sleep 0.5
kill -INT $pid
wait $pid 2>/dev/null
st=$?
[ "$st" -eq 130 ] && grep -q "stopped by signal 2" "$TMP/err"
result $((1 - $?)) "PC: SIGINT likewise (130)"

echo "1..$n"
[ "$failed" -eq 0 ]
