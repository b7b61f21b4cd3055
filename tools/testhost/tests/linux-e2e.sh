#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The Linux-guest runner (linuxguest/linuxboot.c) and its bench table
# (linux-table.awk) against fake hypervisors: shell scripts that print what
# the guest's /init prints. A good guest must give 8 passes, each kind of
# bad guest the failure it has, a usage error 8 skips only with
# --skip-usage, and the table the figures.
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
gcc -O2 -Wall -Wextra -Werror -o "$tmp/linuxboot" "$here/../linuxguest/linuxboot.c" ||
	{ echo "linuxboot.c does not build"; exit 1; }

# fake [nproc] [loc2] [echo-prefix] [exit] [clock-scale]: a guest.
cat > "$tmp/fake" <<'EOF'
#!/bin/bash
nproc=${1:-2} loc2=${2:-20,30} pre=${3:-echo=} rc=${4:-0} scale=${5:-1}
mono() { awk -v s="$scale" '{ printf "%.0f", $1 * 1e9 * s }' /proc/uptime; }
echo "[    0.000000] Linux version 6.1"
echo "MVGUEST-BOOTED"
echo "mvguest: nproc=$nproc cpuinfo=$nproc kernel=x"
echo "mvguest: loc1=10,20"
echo "mvguest: clock1 mono_ns=$(mono) uptime=1.00 epoch=1"
echo "mvguest: ready"
read -r line
echo "$line"
echo "mvguest: $pre$line"
sleep 1
echo "mvguest: loc2=$loc2"
echo "mvguest: clock2 mono_ns=$(mono) uptime=2.00 epoch=2"
echo "mvguest: done"
exit "$rc"
EOF
chmod +x "$tmp/fake"
fails=0
# expect NAME PATTERN... -- ARGS: every PATTERN must be a line of the output.
expect()
{
	local name=$1 out p
	shift
	local pats=()
	while [ "$1" != -- ]; do
		pats+=("$1")
		shift
	done
	shift
	out=$("$tmp/linuxboot" --name t "$@" 2>&1)
	for p in "${pats[@]}"; do
		if ! grep -qE -- "$p" <<< "$out"; then
			echo "$name: no line matching '$p' in:"
			sed 's/^/  | /' <<< "$out"
			fails=$((fails + 1))
			return
		fi
	done
}
expect good '^ok 1 - t: boots' '^ok 4 - t: local timer' '^ok 5 - t: the typed' \
	'^ok 6 - t: guest clock' '^ok 8 - t: hypervisor exits' '^# bench: linux-boot hv=t cpus=2 ticks=[0-9]+ secs=' \
	-- --plan --cpus 2 -- "$tmp/fake"
expect nproc '^not ok 2 - t: nproc equals the vCPUs # nproc=1, want 2' '^ok 1 ' \
	-- --cpus 2 -- "$tmp/fake" 1
expect loc '^not ok 4 - t: local timer interrupts grow on every vCPU' \
	-- --cpus 2 -- "$tmp/fake" 2 20,20
expect echo '^not ok 5 - t: the typed line comes back # no echo line' \
	-- --cpus 2 -- "$tmp/fake" 2 20,30 xcho=
expect status '^not ok 8 - t: hypervisor exits with status 0 # exit status 3' \
	-- --cpus 2 -- "$tmp/fake" 2 20,30 echo= 3
expect clock '^not ok 6 - t: guest clock within 5% of the host' \
	-- --cpus 2 -- "$tmp/fake" 2 20,30 echo= 0 1.2
expect timeout '^not ok 1 - t: boots to the marker # no MVGUEST-BOOTED within 1 s' \
	'^not ok 8 - t: hypervisor exits with status 0 # killed after 1 s' \
	-- --timeout 1 -- sleep 30
expect usage-fails '^not ok 1 - t: boots' -- -- sh -c 'echo "mvm: unknown option --kernel"; exit 2'
expect usage-skips '^ok 8 - t: hypervisor exits with status 0 # SKIP ' \
	'^# bench: linux-boot hv=t skipped: mvm: unknown option' \
	-- --skip-usage -- sh -c 'echo "mvm: unknown option --kernel"; exit 2'

# The table: a figure per hypervisor, the skip reason, exits by reason.
table=$(awk -f "$here/../linux-table.awk" <<'EOF'
bench: linux-boot hv=mvm skipped: mvm: unknown option '--kernel'
bench: linux-boot hv=kvm cpus=1 ticks=123456 secs=9.50
bench: linux-kvm-stat hv=kvm exits=4321
bench: linux-wall hv=kvm secs=80.5
bench: linux-boot hv=kvm-hist cpus=1 ticks=223456 secs=12.00
bench: linux-kvm-exit hv=kvm-hist reason=30 count=4000
bench: linux-kvm-exit hv=kvm-hist reason=48 count=300
EOF
)
for p in '^\| kvm-intel \+ QEMU -M microvm \| 1 \| 123456 \| 9.50 \| 80.5 \| 4321 \|$' \
	"^\| minivisor \+ mvm \| - \| skipped: mvm: unknown option '--kernel' \|" \
	'^\| I/O instruction \| 4000 \|$' '^\| EPT violation \| 300 \|$' '^\| all \| 4300 \|$'; do
	grep -qE -- "$p" <<< "$table" || { echo "table: no line matching '$p' in:"; echo "$table"; fails=$((fails + 1)); }
done
# Wall seconds between "running" and "marker" from the console timeline.
printf 'abc\n    # kvm: running qemu\nxx\n    # kvm: marker\n' > "$tmp/serial.log"
printf '0.5 0\n1.0 4\n1.5 30\n2.0 31\n9.5 33\n10.0 51\n' > "$tmp/serial.timeline"
w=$(awk -f "$here/../linux-wall.awk" "$tmp/serial.timeline" "$tmp/serial.log")
[ "$w" = "bench: linux-wall hv=kvm secs=8.5" ] || { echo "linux-wall: got '$w'"; fails=$((fails + 1)); }
[ $fails = 0 ]
