# SPDX-License-Identifier: GPL-2.0
# Build and packing steps shared by tools/testhost/check and run (sourced).
#
# Development overrides (environment), to use other inputs than the tree:
#   TH_MODULE_DIR   build minivisor.ko from this kbuild dir instead of
#                   `make module` in the repository
#   TH_SELFTESTS    directory of ready selftest programs (skips their build)
#   TH_MVM          ready mvm binary (skips the userspace build)
#   TH_GUESTS       directory of ready demo guests (*.bin)

# Log directory for this run: build/testhost/logs/<mode>-<time>, plus a
# "last-<mode>" symlink; only the newest ten per mode are kept.
th_new_logdir()
{
	local mode=$1 base=$TH_BUILD/logs dir old
	dir=$base/$mode-$(date +%Y%m%d-%H%M%S)
	[ -e "$dir" ] && dir=$dir-$$
	mkdir -p "$dir"
	ln -sfn "$(basename "$dir")" "$base/last-$mode"
	# shellcheck disable=SC2012
	for old in $(ls -1d "$base/$mode"-* 2>/dev/null | sort -r | tail -n +11); do
		rm -rf "$old"
	done
	echo "$dir"
}

# Puts process PID (and what it starts) at the lowest CPU priority: with
# SCHED_IDLE it runs only on a core no Bochs wants (at nice 10 the CFS
# weights still give it about a tenth of a core next to each busy Bochs);
# nice 19 where chrt fails.
th_background()
{
	chrt -i -p 0 "$1" > /dev/null 2>&1 || renice -n 19 -p "$1" > /dev/null 2>&1 || :
}

# Builds the module with W=1 against KDIR, in SRC (default: the tree, or
# TH_MODULE_DIR). usage: th_build_module KDIR LOG [SRC]; returns make's status.
th_build_module()
{
	local kdir=$1 log=$2 src=${3:-}
	if [ -n "${TH_MODULE_DIR:-}" ]; then
		make ${TH_MAKE_JOBS:+-j"$TH_MAKE_JOBS"} -C "$kdir" M="${src:-$TH_MODULE_DIR}" W=1 modules >"$log" 2>&1
	else
		make ${TH_MAKE_JOBS:+-j"$TH_MAKE_JOBS"} -C "${src:-$ROOT}" module KDIR="$kdir" W=1 >"$log" 2>&1
	fi
}

# Where the freshly built module is.
th_module_ko()
{
	if [ -n "${TH_MODULE_DIR:-}" ]; then
		echo "$TH_MODULE_DIR/minivisor.ko"
	else
		echo "$ROOT/module/minivisor.ko"
	fi
}

# A copy of the module's sources in DIR, to build against other headers
# without touching the objects in the tree.
th_module_scratch()
{
	local dir=$1 src=${TH_MODULE_DIR:-$ROOT}
	rm -rf "$dir"
	mkdir -p "$dir"
	if [ -z "${TH_MODULE_DIR:-}" ] && git -C "$ROOT" rev-parse --git-dir >/dev/null 2>&1; then
		# Sources only (tracked or not ignored), minus the parts that
		# are not kernel code.
		# (A tracked file deleted in the work tree is left out.)
		(cd "$ROOT" && git ls-files -co --exclude-standard -z |
			grep -zvE '^(build|userspace|selftests|tools|Documentation|\.ci)/' |
			while IFS= read -r -d '' f; do
				[ -e "$f" ] && printf '%s\0' "$f"
			done | xargs -0 -r cp --parents -t "$dir")
	else
		(cd "$src" && tar --exclude=./build --exclude=./.git --exclude='*.o' \
			--exclude='*.ko' --exclude='.*.cmd' -cf - .) | tar -xf - -C "$dir"
	fi
}

# The W=1 gate: builds the module against KDIR from a fresh copy of its
# sources in SCRATCH (see th_module_scratch), never incrementally, so that
# every warning shows on every run (an in-tree rebuild would only recompile
# what changed, and a warning in an unchanged file would show once).
# usage: th_w1_build KDIR LOG SCRATCH; returns make's status. The module is
# then at $(th_module_ko_in SCRATCH).
th_w1_build()
{
	local kdir=$1 log=$2 scratch=$3
	th_module_scratch "$scratch" 2> "$log" || return 1
	th_build_module "$kdir" "$log" "$scratch"
}

# Where th_w1_build SCRATCH leaves the module.
th_module_ko_in()
{
	if [ -n "${TH_MODULE_DIR:-}" ]; then
		echo "$1/minivisor.ko"
	else
		echo "$1/module/minivisor.ko"
	fi
}

# Counts compiler/modpost warnings in a build log (W=1 must be clean).
th_count_warnings()
{
	grep -ci 'warning:' "$1" || true
}

# The mvm binary: userspace/mvm, or TH_MVM.
th_mvm_path()
{
	echo "${TH_MVM:-$ROOT/userspace/mvm}"
}
