# SPDX-License-Identifier: GPL-2.0
# Shared helpers for the emulated VT-x test host scripts (sourced, not run).

TH_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$TH_DIR/../.." && pwd)
TH_BUILD=${TH_BUILD:-$ROOT/build/testhost}
TH_DEPS_ENV=$TH_BUILD/deps.env
TH_T0=${TH_T0:-$(date +%s)}
export TH_T0

# "make check TESTS=x" puts TESTS=x into MAKEFLAGS, and every make we run
# would pass it on as an override of the Makefiles' own variables (userspace
# has a TESTS list). Our settings arrive through the environment; the makes
# we start must not inherit the top-level command line.
unset MAKEFLAGS MFLAGS MAKEOVERRIDES

th_elapsed()
{
	local s=$(( $(date +%s) - TH_T0 ))
	printf '%d:%02d' $((s / 60)) $((s % 60))
}

# One progress line on stderr, prefixed with the time since the run started.
th_say()
{
	printf '[%s] %s\n' "$(th_elapsed)" "$*" >&2
}

th_die()
{
	printf 'testhost: error: %s\n' "$*" >&2
	exit 1
}

# Seconds since the epoch with a fraction, for wall-time measurements.
th_now()
{
	date +%s.%N
}

th_secs_since()
{
	awk -v a="$1" -v b="$(th_now)" 'BEGIN { printf "%.1f", b - a }'
}

# Loads what tools/testhost/deps resolved: TH_KVER, TH_KDIR, TH_KDIR_612,
# TH_KERNEL_DIR, TH_KVER_612, TH_KERNEL_DIR_612. Runs deps first if it
# never ran. TH_GUEST_KERNEL=6.12 makes the 6.12 cloud kernel the guest
# kernel (TH_KVER, TH_KDIR, TH_KERNEL_DIR: what boot and mkinitramfs use).
th_load_deps()
{
	if [ ! -f "$TH_DEPS_ENV" ]; then
		"$TH_DIR/deps" || th_die "tools/testhost/deps failed"
	fi
	# shellcheck source=/dev/null
	. "$TH_DEPS_ENV"
	case ${TH_GUEST_KERNEL:-} in
	'') ;;
	6.12)
		[ -n "${TH_KVER_612:-}" ] && [ -d "${TH_KERNEL_DIR_612:-}" ] ||
			th_die "no 6.12 guest kernel in $TH_DEPS_ENV (run tools/testhost/deps)"
		TH_KVER=$TH_KVER_612
		TH_KDIR=$TH_KDIR_612
		TH_KERNEL_DIR=$TH_KERNEL_DIR_612 ;;
	7.2)
		# Debian sid's kernel, fetched by tools/testhost/boot-7.2
		# (sid-chroot kernel); no headers on the host (gcc 16).
		TH_KVER=${TH_KVER_72:-}
		TH_KDIR=
		TH_KERNEL_DIR=$TH_BUILD/kernel-sid/$TH_KVER
		[ -n "$TH_KVER" ] && [ -f "$TH_KERNEL_DIR/.complete" ] ||
			th_die "no 7.2 guest kernel (run tools/testhost/boot-7.2)" ;;
	*) th_die "TH_GUEST_KERNEL=$TH_GUEST_KERNEL: only 6.12, 7.2 (or empty) are known" ;;
	esac
}

# Finds a module in the extracted guest kernel, decompressing .ko.xz/.ko.zst
# into $2 because busybox insmod only takes plain ELF modules.
th_fetch_kmod()
{
	local rel=$1 dst=$2 base=$TH_KERNEL_DIR/lib/modules/$TH_KVER/kernel/$1
	if [ -f "$base" ]; then
		cp "$base" "$dst"
	elif [ -f "$base.xz" ]; then
		xz -dc "$base.xz" > "$dst"
	elif [ -f "$base.zst" ]; then
		zstd -qdc "$base.zst" > "$dst"
	elif [ -f "$base.gz" ]; then
		gzip -dc "$base.gz" > "$dst"
	else
		echo "testhost: $rel not found in the guest kernel $TH_KVER" >&2
		return 1
	fi
}

# Number of TCP sockets listening on Bochs' RFB display ports, 5900-5949
# (0x170C-0x173D; the pattern also takes 5950 and 5951). Bochs binds them
# on all IPv4 addresses, so they are in /proc/net/tcp.
th_rfb_listeners()
{
	awk 'NR > 1 && $4 == "0A" && $2 ~ /:17(0[C-F]|[1-3][0-9A-F])$/ { n++ }
		END { print n + 0 }' /proc/net/tcp 2>/dev/null || echo 0
}

# th_wait_rfb COUNT PID: waits (at most 15 s) until more than COUNT RFB
# ports listen, i.e. the Bochs started last has its port; returns early if
# the boot script PID ended.
th_wait_rfb()
{
	local _
	for _ in $(seq 75); do
		[ "$(th_rfb_listeners)" -gt "$1" ] && return 0
		kill -0 "$2" 2>/dev/null || return 0
		sleep 0.2
	done
	return 0
}
