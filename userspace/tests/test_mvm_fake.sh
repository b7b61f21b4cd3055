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

echo "1..$n"
[ "$failed" -eq 0 ]
