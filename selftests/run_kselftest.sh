#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Runs installed selftests the way the kernel's tools/testing/selftests
# install does: "make -C selftests install INSTALL_PATH=DIR" puts this
# script, kselftest-list.txt ("COLLECTION:TEST" lines) and the programs
# (DIR/COLLECTION/TEST, with DIR/COLLECTION/settings: timeout=SECS) there.
#
# usage: run_kselftest.sh [-l] [-t COLLECTION:TEST]... [-c COLLECTION]...
#                         [-o SECS] [-h]
#   -l, --list               print the available tests, one a line
#   -t, --test C:T           run this test only (repeatable)
#   -c, --collection C       run this collection only (repeatable)
#   -o, --override-timeout S per-test timeout in seconds (0: none)
#   -h, --help
#
# Output is TAP 13 with one result per program, each program's own KTAP
# prefixed by "# " (as the kernel's runner prints it):
#   ok N selftests: C: T                  exit status 0 (KSFT_PASS)
#   ok N selftests: C: T # SKIP           exit status 4 (KSFT_SKIP)
#   not ok N selftests: C: T # TIMEOUT S seconds
#   not ok N selftests: C: T # exit=RC    any other status
# Exit status: 0 if no test failed, 1 otherwise, 2 on a usage error.
BASE_DIR=$(cd "$(dirname "$0")" && pwd)
LIST=$BASE_DIR/kselftest-list.txt
KSFT_SKIP=4

usage()
{
	sed -n '9,15s/^# //p' "$0"
}

if [ ! -r "$LIST" ]; then
	echo "$0: cannot read the list of tests $LIST" >&2
	exit 2
fi
# Shell builtins where they do (read, case, for): every process costs in
# the emulated test host, which runs this once per program.
available=
while IFS= read -r l || [ -n "$l" ]; do
	[ -n "$l" ] && available="$available $l"
done <"$LIST"

selected=
override=
listonly=0
while [ $# -gt 0 ]; do
	case $1 in
	-l|--list) listonly=1; shift ;;
	-t|--test)
		[ $# -ge 2 ] || { echo "$0: $1 needs COLLECTION:TEST" >&2; exit 2; }
		m=
		for a in $available; do
			[ "$a" = "$2" ] && m=$a
		done
		[ -n "$m" ] || { echo "$0: no test '$2' (see -l)" >&2; exit 2; }
		selected="$selected $2"; shift 2 ;;
	-c|--collection)
		[ $# -ge 2 ] || { echo "$0: $1 needs COLLECTION" >&2; exit 2; }
		m=
		for a in $available; do
			case $a in "$2":*) m="$m $a" ;; esac
		done
		[ -n "$m" ] || { echo "$0: no collection '$2' (see -l)" >&2; exit 2; }
		selected="$selected $m"; shift 2 ;;
	-o|--override-timeout)
		case ${2:-x} in
		*[!0-9]*) echo "$0: $1 needs whole seconds" >&2; exit 2 ;;
		esac
		override=$2; shift 2 ;;
	-h|--help) usage; exit 0 ;;
	*) echo "$0: unknown argument '$1'" >&2; usage >&2; exit 2 ;;
	esac
done

if [ $listonly = 1 ]; then
	for a in $available; do
		echo "$a"
	done
	exit 0
fi
tests=${selected:-$available}
ntests=0
for ct in $tests; do
	ntests=$((ntests + 1))
done

# Sets secs to the collection's timeout: its settings file (timeout=N),
# default 45 s as in the kernel's runner; -o wins.
timeout_of()
{
	secs=
	if [ -r "$BASE_DIR/$1/settings" ]; then
		while IFS= read -r l || [ -n "$l" ]; do
			case ${l#timeout=} in
			"$l"|''|*[!0-9]*) ;;
			*) secs=${l#timeout=} ;;
			esac
		done <"$BASE_DIR/$1/settings"
	fi
	secs=${override:-${secs:-45}}
}

# Sets now to whole seconds of a clock that does not jump (uptime).
now_secs()
{
	if [ -r /proc/uptime ] && read -r now _ </proc/uptime; then
		now=${now%%.*}
	else
		now=$(date +%s)
	fi
}

# Whether the program that ended with status $1, started at second $2
# (now_secs), was killed by the timeout of $3 seconds: GNU timeout exits
# with 124 (137 when KILL was needed), busybox's (the emulated host) leaves
# the program's own status, killed by TERM or KILL (143, 137). A program
# killed by those signals at least $3 seconds after its start was the
# timeout's: with whole seconds, floor(end) - floor(start) >= $3 whenever
# end - start >= $3.
timed_out()
{
	case $1 in
	124) return 0 ;;
	137|143) now_secs; [ $((now - $2)) -ge "$3" ] ;;
	*) return 1 ;;
	esac
}

rcfile=$(mktemp) || exit 2
trap 'rm -f "$rcfile"' EXIT
n=0
fails=0
echo "TAP version 13"
echo "1..$ntests"
for ct in $tests; do
	c=${ct%%:*}
	t=${ct#*:}
	n=$((n + 1))
	name="selftests: $c: $t"
	echo "# $name"
	if [ ! -x "$BASE_DIR/$c/$t" ]; then
		echo "not ok $n $name # exit=127 (not installed or not executable)"
		fails=$((fails + 1))
		continue
	fi
	timeout_of "$c"
	now_secs
	start=$now
	{
		cd "$BASE_DIR/$c" || exit 1
		# The program in a subshell whose parent's stderr is /dev/null:
		# busybox sh reports a child killed by a signal ("Terminated"
		# after a timeout) on the stderr it has while it waits; the
		# exit status says it in the result line.
		{
			if [ "$secs" -gt 0 ]; then
				(timeout -k 5 "$secs" "./$t" </dev/null 2>&1)
			else
				("./$t" </dev/null 2>&1)
			fi
			echo $? >"$rcfile"
		} 2>/dev/null
	} | awk '{ print "# " $0; fflush() }'
	rc=
	read -r rc <"$rcfile"
	rc=${rc:-1}
	: >"$rcfile"
	if [ "$rc" = 0 ]; then
		echo "ok $n $name"
	elif [ "$rc" = $KSFT_SKIP ]; then
		echo "ok $n $name # SKIP"
	elif [ "$secs" -gt 0 ] && timed_out "$rc" "$start" "$secs"; then
		echo "not ok $n $name # TIMEOUT $secs seconds"
		fails=$((fails + 1))
	else
		echo "not ok $n $name # exit=$rc"
		fails=$((fails + 1))
	fi
done
[ $fails = 0 ]
