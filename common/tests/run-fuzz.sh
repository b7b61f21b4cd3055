#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# run-fuzz.sh FUZZER SECONDS CORPUS: runs the libFuzzer harness for SECONDS
# and reports one TAP result with its numbers: executions, time, crashes
# (any crash, sanitizer report or leak fails it; the reproducer is kept in
# CORPUS/../artifacts/).
set -u
fuzzer=$1 secs=$2 corpus=$3
art=$(dirname "$corpus")/artifacts
log=$(dirname "$corpus")/fuzz.log
mkdir -p "$corpus" "$art"

echo "TAP version 13"
"$fuzzer" -max_total_time="$secs" -timeout=10 -rss_limit_mb=1024 -print_final_stats=1 \
	-artifact_prefix="$art/" "$corpus" > "$log" 2>&1
rc=$?
runs=$(sed -n 's/^Done \([0-9]*\) runs in \([0-9]*\) second.*/\1/p' "$log" | tail -n 1)
took=$(sed -n 's/^Done \([0-9]*\) runs in \([0-9]*\) second.*/\2/p' "$log" | tail -n 1)
crashes=$(ls "$art" 2>/dev/null | grep -c -E '^(crash|leak|timeout|oom)-' || true)
reports=$(grep -c -E 'ERROR: (AddressSanitizer|LeakSanitizer|libFuzzer)|runtime error:' "$log" || true)
cov=$(grep -E '^#[0-9]+.*(DONE|pulse|NEW)' "$log" | tail -n 1 | sed -n 's/.* cov: \([0-9]*\).*/\1/p')
units=$(ls "$corpus" | wc -l)
if [ "$rc" = 0 ] && [ -n "$runs" ] && [ "${took:-0}" -ge "$secs" ] && [ "$crashes" = 0 ] &&
   [ "$reports" = 0 ]; then
	echo "ok 1 - fuzz: x86 decoder/emulator/page walk, $runs executions in $took s," \
	     "0 crashes, 0 sanitizer reports (coverage ${cov:-?} edges, corpus $units)"
	status=0
else
	echo "not ok 1 - fuzz: x86 decoder/emulator/page walk: exit $rc, ${runs:-?} executions in" \
	     "${took:-?} s (wanted >= $secs), $crashes crash file(s), $reports sanitizer report(s)"
	grep -m 5 -E 'ERROR|runtime error|SUMMARY' "$log" | sed 's/^/#   /'
	echo "#   log: $log, reproducers: $art"
	status=1
fi
echo "1..1"
exit $status
