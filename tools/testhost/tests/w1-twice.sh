# SPDX-License-Identifier: GPL-2.0
#
# The W=1 gate must show a warning on every run, not only on the first
# (an incremental build recompiles nothing the second time): builds
# w1-module/ (one unused variable) twice with th_w1_build, as check does,
# and wants the warning in both logs. Needs the 6.1 headers that
# tools/testhost/deps installs; skips without them.
set -u
. "$(dirname "$0")/../lib.sh"
. "$TH_DIR/prepare.sh"
[ -f "$TH_DEPS_ENV" ] || { echo "no $TH_DEPS_ENV (run make deps)"; exit 77; }
# shellcheck source=/dev/null
. "$TH_DEPS_ENV"
[ -d "${TH_KDIR:-}" ] || { echo "no kernel headers at ${TH_KDIR:-?}"; exit 77; }
export TH_MODULE_DIR=$TH_DIR/tests/w1-module
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
rc=0
for run in 1 2; do
	if ! th_w1_build "$TH_KDIR" "$tmp/build$run.log" "$tmp/scratch"; then
		echo "run $run: the build failed:"
		tail -5 "$tmp/build$run.log"
		exit 1
	fi
	nw=$(th_count_warnings "$tmp/build$run.log")
	echo "run $run: $nw warning line(s)"
	if [ "$nw" = 0 ]; then
		echo "run $run: the W=1 warning of w1-module/minivisor.c did not show"
		rc=1
	fi
done
[ ! -e "$TH_MODULE_DIR/minivisor.o" ] || { echo "built in the fixture's own folder"; rc=1; }
exit $rc
