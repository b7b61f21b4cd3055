#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# mvm stat / events / ps on a machine without the minivisor module: --help
# (status 0), usage errors (status 2, the message and the hint), and the
# netlink failure (status 10, naming the missing "minivisor" family). Run
# from userspace/ after "make". If this host has the family (the module is
# loaded), the status-10 cases are skipped.
MVM=${MVM:-./tests/mvm-dynamic}
TMP=$(mktemp -d) || exit 1
trap 'rm -rf "$TMP"' EXIT
n=0
failed=0

echo "TAP version 13"

# check NAME WANT_STATUS WANT_PATTERN -- ARGS...
check() {
	name=$1 want=$2 pattern=$3
	shift 4
	"$MVM" "$@" >"$TMP/out" 2>"$TMP/err" </dev/null
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

check "stat --help: status 0" 0 "^Usage: mvm stat" -- stat --help
check "stat -h names p99's meaning" 0 "upper bound" -- stat -h
check "events --help: status 0" 0 "^Usage: mvm events" -- events --help
check "ps --help: status 0" 0 "^Usage: mvm ps" -- ps --help
check "mvm --help lists stat, events, ps" 0 "mvm stat \[--vm ID\]" -- --help
check "unknown command names the commands" 2 "commands: run, stat, events, ps" -- start
check "stat --bogus: status 2" 2 "unknown option '--bogus'" -- stat --bogus
check "stat: usage error hint" 2 "Try 'mvm stat --help'" -- stat --interval 0
check "stat --sort size: status 2" 2 "is not 'count' or 'time'" -- stat --sort size
check "stat --svg and --json: status 2" 2 "exclude each other" -- stat --svg x --json
check "events --count x: status 2" 2 "'x' is not a number" -- events --count x
check "ps extra argument: status 2" 2 "unexpected argument 'all'" -- ps all

if grep -q '^minivisor' /proc/net/genetlink 2>/dev/null ||
   "$MVM" ps >/dev/null 2>&1; then
	for c in "stat --once" "ps" "events"; do
		n=$((n + 1))
		echo "ok $n # SKIP $c: this host has the minivisor netlink family"
	done
else
	check "stat --once without the module: status 10" 10 \
		'no generic netlink family "minivisor"' -- stat --once
	check "ps without the module: status 10" 10 'is minivisor.ko loaded' -- ps
	check "events without the module: status 10" 10 'no generic netlink family' -- \
		events --duration 1
fi

echo "1..$n"
[ "$failed" -eq 0 ]
