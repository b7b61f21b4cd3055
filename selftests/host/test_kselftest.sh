#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# kselftest conventions of the selftests, in the host tier (no VMX needed):
# "make install INSTALL_PATH=DIR" lays out run_kselftest.sh,
# kselftest-list.txt and minivisor/ as the kernel's tools/testing/selftests
# does, and run_kselftest.sh maps exit statuses 0/1/4 and timeouts to TAP
# results (on stand-in programs: the real ones need /dev/minivisor).
# Run from selftests/ (make host-test). TAP 13 on stdout; the runner's own
# TAP goes to files and only appears here as "#" diagnostics.
TMP=$(mktemp -d) || exit 1
trap 'rm -rf "$TMP"' EXIT
n=0
failed=0

echo "TAP version 13"

ok()	# ok STATUS NAME
{
	n=$((n + 1))
	if [ "$1" -eq 0 ]; then
		echo "ok $n - $2${3:+ $3}"
	else
		echo "not ok $n - $2${3:+ $3}"
		failed=$((failed + 1))
	fi
}

show()	# show FILE: as diagnostics
{
	sed 's/^/#   /' "$1" | head -n 30
}

progs=$(env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL make -s --no-print-directory print-progs)
D=$TMP/inst
env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL make --no-print-directory install INSTALL_PATH="$D" \
	>"$TMP/install.log" 2>&1
st=$?
ok $st "make install INSTALL_PATH=DIR"
[ $st -ne 0 ] && show "$TMP/install.log"

{
	echo ./kselftest-list.txt
	echo ./minivisor/settings
	echo ./run_kselftest.sh
	for p in $progs; do echo "./minivisor/$p"; done
} | LC_ALL=C sort >"$TMP/want"
(cd "$D" 2>/dev/null && find . -type f | LC_ALL=C sort) >"$TMP/got"
cmp -s "$TMP/want" "$TMP/got"
st=$?
ok $st "installed: run_kselftest.sh, kselftest-list.txt, minivisor/settings and every program"
[ $st -ne 0 ] && diff "$TMP/want" "$TMP/got" | sed 's/^/#   /'

for p in $progs; do echo "minivisor:$p"; done >"$TMP/list"
cmp -s "$TMP/list" "$D/kselftest-list.txt" && [ -s "$TMP/list" ] &&
	grep -qx 'timeout=[0-9][0-9]*' "$D/minivisor/settings"
ok $? "kselftest-list.txt is minivisor:PROG for each of the $(echo "$progs" | wc -w) programs;" \
	"settings has timeout="

"$D/run_kselftest.sh" -l >"$TMP/l.out" 2>&1 && cmp -s "$TMP/l.out" "$TMP/list"
ok $? "run_kselftest.sh -l lists kselftest-list.txt"

# Stand-ins for the programs: pass, fail, skip (KSFT_SKIP = 4), hang.
F=$TMP/fake
mkdir -p "$F/coll" "$F/other"
cp "$D/run_kselftest.sh" "$F/"
printf 'coll:pass\ncoll:fail\ncoll:skip\ncoll:hang\nother:pass\n' >"$F/kselftest-list.txt"
echo timeout=1 >"$F/coll/settings"
printf '#!/bin/sh\necho "KTAP version 1"\necho "1..1"\necho "ok 1 case"\n' >"$F/coll/pass"
printf '#!/bin/sh\necho "KTAP version 1"\necho "1..1"\necho "not ok 1 case"\nexit 1\n' \
	>"$F/coll/fail"
printf '#!/bin/sh\necho "KTAP version 1"\necho "1..1"\necho "ok 1 case # SKIP no VT-x"\n' \
	>"$F/coll/skip"
echo 'exit 4' >>"$F/coll/skip"
printf '#!/bin/sh\nexec sleep 30\n' >"$F/coll/hang"
# shellcheck disable=SC2016 # expanded by the stand-in
printf '#!/bin/sh\n[ "$(basename "$PWD")" = other ]\n' >"$F/other/pass"
chmod +x "$F/coll/"* "$F/other/pass"

"$F/run_kselftest.sh" >"$TMP/run.out" 2>&1
st=$?
cat >"$TMP/run.want" <<'EOF'
TAP version 13
1..5
# selftests: coll: pass
# KTAP version 1
# 1..1
# ok 1 case
ok 1 selftests: coll: pass
# selftests: coll: fail
# KTAP version 1
# 1..1
# not ok 1 case
not ok 2 selftests: coll: fail # exit=1
# selftests: coll: skip
# KTAP version 1
# 1..1
# ok 1 case # SKIP no VT-x
ok 3 selftests: coll: skip # SKIP
# selftests: coll: hang
not ok 4 selftests: coll: hang # TIMEOUT 1 seconds
# selftests: other: pass
ok 5 selftests: other: pass
EOF
[ $st -eq 1 ] && cmp -s "$TMP/run.want" "$TMP/run.out"
st2=$?
ok $st2 "run_kselftest.sh: exit 0 ok, 1 not ok, 4 SKIP, a hang TIMEOUT (settings), run in" \
	"the collection's directory, KTAP nested with '# ', status 1 (got $st)"
[ $st2 -ne 0 ] && diff "$TMP/run.want" "$TMP/run.out" | sed 's/^/#   /'

"$F/run_kselftest.sh" -t coll:pass -c other >"$TMP/sel.out" 2>&1
st=$?
[ $st -eq 0 ] && [ "$(grep -c '^ok' "$TMP/sel.out")" = 2 ] && grep -qx '1\.\.2' "$TMP/sel.out"
ok $? "run_kselftest.sh -t coll:pass -c other: those 2 only, status 0"

"$F/run_kselftest.sh" -t coll:skip >"$TMP/skip.out" 2>&1
st=$?
[ $st -eq 0 ] && grep -qx 'ok 1 selftests: coll: skip # SKIP' "$TMP/skip.out"
ok $? "run_kselftest.sh: a skipped program alone is not a failure (status 0)"

"$F/run_kselftest.sh" -t coll:nosuch >"$TMP/bad.out" 2>&1
st=$?
[ $st -eq 2 ] && grep -q "no test 'coll:nosuch'" "$TMP/bad.out"
ok $? "run_kselftest.sh -t with an unknown test: status 2 and a message"

"$F/run_kselftest.sh" -o 0 -t coll:pass >/dev/null 2>&1
ok $? "run_kselftest.sh -o 0 (no timeout) runs"

# The emulated host runs it with busybox alone (sh, awk, timeout...):
# busybox's timeout leaves the killed program's status (143) where GNU's
# exits with 124, and a hang must still be a TIMEOUT there.
if [ -x /bin/busybox ] && mkdir -p "$TMP/bb" && /bin/busybox --install -s "$TMP/bb"; then
	PATH=$TMP/bb "$TMP/bb/sh" "$F/run_kselftest.sh" >"$TMP/bb.out" 2>&1
	st=$?
	[ $st -eq 1 ] && cmp -s "$TMP/run.want" "$TMP/bb.out"
	st2=$?
	ok $st2 "run_kselftest.sh with busybox's sh, awk and timeout: the same results, the hang" \
		"a TIMEOUT (got status $st)"
	[ $st2 -ne 0 ] && diff "$TMP/run.want" "$TMP/bb.out" | sed 's/^/#   /'
else
	n=$((n + 1))
	echo "ok $n - run_kselftest.sh with busybox's sh, awk and timeout # SKIP no /bin/busybox"
fi

echo "1..$n"
[ "$failed" -eq 0 ]
