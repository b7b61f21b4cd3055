#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Packaging, as a dev box would use it (issue 8, section 3), in the host tier:
#   - DKMS: packaging/dkms.conf and "make dkms-src" give a source tree that
#     "dkms add", "dkms build -k KVER" against the installed 6.1 and 6.12
#     headers, "dkms install" and "dkms remove" accept (in private dkms,
#     source and install trees under a temporary directory: nothing of the
#     machine's /usr/src, /var/lib/dkms or /lib/modules is touched);
#   - "make install DESTDIR=... PREFIX=..." installs exactly the expected
#     files (module under lib/modules/KVER/updates/, the udev rule, headers,
#     libminivisor.so with its soname links, libminivisor.a, minivisor.pc,
#     mvm, mvm.1);
#   - a small C program builds against the installed header with
#     "pkg-config --cflags --libs minivisor" (shared and static) and runs
#     its host-side part (/dev/minivisor is absent here: ENOENT, cleanly);
#   - mvm --version and the man page (every option and status of --help);
#   - "make uninstall" leaves no file behind.
# Run from userspace/ after "make" (userspace/Makefile's test target). TAP.
ROOT=$(cd .. && pwd)
VERSION=$(cat "$ROOT/VERSION")
TMP=$(mktemp -d) || exit 1
n=0
failed=0
# Private DKMS trees; cleaned up even when a step fails.
DK_SRC=$TMP/dkms-src DK_TREE=$TMP/dkms-tree DK_INST=$TMP/dkms-inst
cleanup()
{
	if [ -d "$DK_TREE/minivisor" ]; then
		dkms_ remove "minivisor/$VERSION" --all >/dev/null 2>&1
	fi
	rm -rf "$TMP"
}
trap cleanup EXIT

echo "TAP version 13"

ok()	# ok COND_STATUS NAME [MORE_NAME]
{
	n=$((n + 1))
	if [ "$1" -eq 0 ]; then
		echo "ok $n - $2$3"
	else
		echo "not ok $n - $2$3"
		failed=$((failed + 1))
	fi
}

skip()	# skip NAME REASON
{
	n=$((n + 1))
	echo "ok $n - $1 # SKIP $2"
}

diag()	# diag FILE: its last lines as diagnostics
{
	tail -n 15 "$1" | sed 's/^/#   /'
}

# make of the top-level Makefile, without the caller's make state.
topmake()
{
	env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL make --no-print-directory -C "$ROOT" "$@"
}

# dkms in the private trees, never signing (no MOK key is made under
# /var/lib/dkms) and never running the machine's depmod.
dkms_()
{
	sign_file=/nonexistent dkms --sourcetree "$DK_SRC" --dkmstree "$DK_TREE" \
		--installtree "$DK_INST" "$@"
}

# ---- DKMS ----
dkver=$(sed -n 's/^PACKAGE_VERSION="\(.*\)"$/\1/p' "$ROOT/packaging/dkms.conf")
[ "$dkver" = "$VERSION" ]
ok $? "dkms.conf PACKAGE_VERSION ($dkver) is the VERSION file's ($VERSION)"

# The newest installed headers of a series ("6.1", "6.12"): a KVER with
# /lib/modules/KVER/build/Makefile.
headers_of()
{
	# shellcheck disable=SC2012 # KVERs have no odd characters
	ls -d /lib/modules/"$1".*/build/Makefile 2>/dev/null |
		sed 's|^/lib/modules/||; s|/build/Makefile$||' |
		sort -V | tail -n 1
}

if ! command -v dkms >/dev/null; then
	skip "dkms add/build/install/remove" "dkms not installed (apt-get install dkms)"
elif [ "$(id -u)" != 0 ]; then
	skip "dkms add/build/install/remove" "dkms needs root"
else
	mkdir -p "$DK_SRC" "$DK_TREE" "$DK_INST"
	topmake dkms-src DESTDIR="$DK_SRC" DKMS_SRC=/minivisor-"$VERSION" >"$TMP/dkms-src.log" 2>&1
	st=$?
	s=$DK_SRC/minivisor-$VERSION
	[ $st -eq 0 ] && [ -f "$s/dkms.conf" ] && [ -f "$s/Kbuild" ] && [ -f "$s/module/Kbuild" ] &&
		[ -f "$s/module/vmx/vmenter.S" ] && [ -f "$s/common/apic.c" ] &&
		[ -f "$s/uapi/linux/minivisor.h" ] && ! find "$s" -name '*.o' | grep -q .
	st=$?
	ok $st "make dkms-src: dkms.conf and the Kbuild sources (no objects) in minivisor-$VERSION/"
	[ $st -ne 0 ] && diag "$TMP/dkms-src.log"
	dkms_ add "minivisor/$VERSION" >"$TMP/dkms-add.log" 2>&1
	st=$?
	ok $st "dkms add minivisor/$VERSION"
	[ $st -ne 0 ] && diag "$TMP/dkms-add.log"
	for series in 6.1 6.12; do
		kver=$(headers_of "$series")
		if [ -z "$kver" ]; then
			skip "dkms build against the $series headers" \
				"no /lib/modules/$series.*/build (linux-headers-$series*)"
			continue
		fi
		dkms_ build "minivisor/$VERSION" -k "$kver" -j 1 >"$TMP/dkms-build-$series.log" 2>&1
		st=$?
		# compressed where the kernel's config says so (6.12: .ko.xz)
		ko=$(ls "$DK_TREE/minivisor/$VERSION/$kver/x86_64/module/minivisor.ko"* 2>/dev/null)
		vm=$(modinfo -F vermagic "$ko" 2>/dev/null | cut -d' ' -f1)
		[ $st -eq 0 ] && [ "$vm" = "$kver" ]
		st=$?
		ok $st "dkms build -k $kver: ${ko##*/} with vermagic $kver (got '$vm')"
		[ $st -ne 0 ] && diag "$TMP/dkms-build-$series.log"
		[ -z "$dk_kver" ] && [ $st -eq 0 ] && dk_kver=$kver
	done
	if [ -n "$dk_kver" ]; then
		mkdir -p "$DK_INST/$dk_kver"
		dkms_ install "minivisor/$VERSION" -k "$dk_kver" --no-depmod \
			>"$TMP/dkms-install.log" 2>&1
		st=$?
		[ $st -eq 0 ] && ls "$DK_INST/$dk_kver/updates/dkms/minivisor.ko"* >/dev/null 2>&1
		st=$?
		ok $st "dkms install -k $dk_kver: KVER/updates/dkms/minivisor.ko"
		[ $st -ne 0 ] && diag "$TMP/dkms-install.log"
	else
		skip "dkms install" "nothing was built"
	fi
	# Kept for make install below (the tree has no module in a fresh clone,
	# where make check builds it in a scratch copy): remove deletes it.
	if [ -n "$dk_kver" ]; then
		for f in "$DK_TREE/minivisor/$VERSION/$dk_kver/x86_64/module/minivisor.ko"*; do
			case $f in
			*.xz) xz -dc "$f" >"$TMP/minivisor.ko" ;;
			*) cp "$f" "$TMP/minivisor.ko" ;;
			esac
		done
	fi
	dkms_ remove "minivisor/$VERSION" --all --no-depmod >"$TMP/dkms-remove.log" 2>&1
	st=$?
	[ $st -eq 0 ] && [ -z "$(dkms_ status minivisor 2>/dev/null)" ] &&
		! find "$DK_INST" -name 'minivisor.ko*' | grep -q .
	st=$?
	ok $st "dkms remove --all: dkms status is empty, the installed module is gone"
	[ $st -ne 0 ] && diag "$TMP/dkms-remove.log"
fi

# ---- make install / uninstall ----
# The tree's module if "make" built one, else the one dkms built (above).
ko=$ROOT/module/minivisor.ko
[ ! -f "$ko" ] && [ -s "$TMP/minivisor.ko" ] && ko=$TMP/minivisor.ko
if [ ! -f "$ko" ]; then
	skip "make install, pkg-config, uninstall" \
		"no minivisor.ko: run make with kernel headers (or install dkms)"
	echo "1..$n"
	[ "$failed" -eq 0 ]
	exit
fi
kver=$(modinfo -F vermagic "$ko" | cut -d' ' -f1)

D=$TMP/dest
P=/opt/minivisor
topmake install DESTDIR="$D" PREFIX=$P MODULE_KO="$ko" >"$TMP/install.log" 2>&1
st=$?
ok $st "make install DESTDIR=... PREFIX=$P"
[ $st -ne 0 ] && diag "$TMP/install.log"

cat >"$TMP/want" <<EOF
./etc/udev/rules.d/60-minivisor.rules
./lib/modules/$kver/updates/minivisor.ko
.$P/bin/mvm
.$P/include/linux/minivisor.h
.$P/include/minivisor/libminivisor.h
.$P/include/minivisor/mv_nl.h
.$P/include/minivisor/mv_x86.h
.$P/lib/libminivisor.a
.$P/lib/libminivisor.so
.$P/lib/libminivisor.so.1
.$P/lib/libminivisor.so.1.0.0
.$P/lib/pkgconfig/minivisor.pc
.$P/share/man/man1/mvm.1
EOF
(cd "$D" 2>/dev/null && find . ! -type d | LC_ALL=C sort) >"$TMP/got"
LC_ALL=C sort -o "$TMP/want" "$TMP/want"
cmp -s "$TMP/want" "$TMP/got"
st=$?
ok $st "installed files: exactly the module, udev rule, headers, .so + links, .a, .pc, mvm, mvm.1"
[ $st -ne 0 ] && diff "$TMP/want" "$TMP/got" | sed 's/^/#   /'

cmp -s "$ko" "$D/lib/modules/$kver/updates/minivisor.ko"
ok $? "the module is in lib/modules/$kver/updates/ (its vermagic), not under PREFIX"

r=$D/etc/udev/rules.d/60-minivisor.rules
grep -q '^KERNEL=="minivisor", SUBSYSTEM=="misc", GROUP="kvm", MODE="0660"$' "$r" 2>/dev/null
ok $? "udev rule: /dev/minivisor to group kvm, mode 0660 (as /dev/kvm)"

L=$D$P/lib
soname=$(readelf -d "$L/libminivisor.so.1.0.0" 2>/dev/null |
	sed -n 's/.*Library soname: \[\(.*\)\]/\1/p')
[ "$soname" = libminivisor.so.1 ] &&
	[ "$(readlink "$L/libminivisor.so.1")" = libminivisor.so.1.0.0 ] &&
	[ "$(readlink "$L/libminivisor.so")" = libminivisor.so.1 ]
ok $? "libminivisor.so.1.0.0 has soname '$soname'; .so.1 and .so link to it"

nm -g --defined-only "$L/libminivisor.a" 2>/dev/null | grep -q ' T mv_open$' &&
	nm -D --defined-only "$L/libminivisor.so.1.0.0" 2>/dev/null | grep -q ' T mv_open$'
ok $? "libminivisor.a and libminivisor.so define mv_open"

# The installed .pc, its paths moved into DESTDIR (a copy; the installed one
# is checked below), ahead of the system's: Requires.private names
# libnl-genl-3.0, which is the system's. A sysroot (PKG_CONFIG_SYSROOT_DIR)
# would move the system libraries' flags into DESTDIR too.
mkdir -p "$TMP/pc"
sed -e "s|^prefix=.*|prefix=$D$P|" -e "s|^includedir=.*|includedir=$D$P/include|" \
	-e "s|^libdir=.*|libdir=$D$P/lib|" "$D$P/lib/pkgconfig/minivisor.pc" >"$TMP/pc/minivisor.pc"
export PKG_CONFIG_PATH="$TMP/pc"
unset PKG_CONFIG_LIBDIR PKG_CONFIG_SYSROOT_DIR
pkgconfig() { command pkg-config "$@"; }
pcver=$(pkgconfig --modversion minivisor 2>"$TMP/pc.err")
pcflags=$(pkgconfig --cflags --libs minivisor 2>>"$TMP/pc.err" | sed 's/ *$//')
# Its own flags in this order; Requires.private may add those of its libraries.
case " $pcflags " in
*" -I$D$P/include/minivisor -I$D$P/include "*"-L$D$P/lib -lminivisor "*) pcok=1 ;;
*) pcok=0 ;;
esac
[ "$pcver" = "$VERSION" ] && [ $pcok = 1 ]
st=$?
ok $st "pkg-config minivisor: version $pcver, '$pcflags'"
[ $st -ne 0 ] && sed 's/^/#   /' "$TMP/pc.err"
grep -q "^prefix=$P\$" "$D$P/lib/pkgconfig/minivisor.pc" &&
	! grep -q "@[A-Z_]*@" "$D$P/lib/pkgconfig/minivisor.pc"
ok $? "minivisor.pc: prefix=$P, every @...@ substituted"

# The program a user would write: the installed headers only (no -I into the
# tree), libminivisor's mv_open(), a clean message without the module.
cat >"$TMP/hello.c" <<'EOF'
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <linux/minivisor.h>
#include <libminivisor.h>

int main(void)
{
	int fd = mv_open();
	int ver;

	printf("built for minivisor API version %d\n", MV_API_VERSION);
	if (fd < 0) {
		printf("%s: %s%s\n", MV_DEVICE_PATH, strerror(-fd),
		       fd == -ENOENT ? " (load the module: modprobe minivisor)" : "");
		return fd == -ENOENT ? 0 : 1;
	}
	ver = mv_get_api_version(fd);
	printf("module API version %d\n", ver);
	close(fd);
	return ver == MV_API_VERSION ? 0 : 1;
}
EOF
if [ -e /dev/minivisor ]; then
	want="module API version 1"
else
	want="/dev/minivisor: No such file or directory (load the module: modprobe minivisor)"
fi
# shellcheck disable=SC2086 # pkg-config's words
env -u CFLAGS -u CPPFLAGS cc -Wall -Werror -o "$TMP/hello" "$TMP/hello.c" $pcflags \
	>"$TMP/cc.log" 2>&1
st=$?
ok $st "cc hello.c \$(pkg-config --cflags --libs minivisor) (shared)"
[ $st -ne 0 ] && diag "$TMP/cc.log"
LD_LIBRARY_PATH=$L ldd "$TMP/hello" 2>/dev/null |
	grep -q "libminivisor.so.1 => $L/libminivisor.so.1 "
ok $? "hello needs libminivisor.so.1 (the soname), found in the installed libdir"
out=$(LD_LIBRARY_PATH=$L "$TMP/hello" 2>&1)
st=$?
[ $st -eq 0 ] && [ "$out" = "built for minivisor API version 1
$want" ]
ok $? "hello runs: '$(echo "$out" | tail -n 1)'"
# shellcheck disable=SC2046 # pkg-config's words
env -u CFLAGS -u CPPFLAGS cc -Wall -Werror -static -o "$TMP/hello-static" "$TMP/hello.c" \
	$(pkgconfig --cflags minivisor) $(pkgconfig --static --libs minivisor) >"$TMP/cc2.log" 2>&1
st=$?
[ $st -eq 0 ] && out=$("$TMP/hello-static" 2>&1) && [ "$out" = "built for minivisor API version 1
$want" ]
st=$?
ok $st "cc -static with pkg-config --static: libminivisor.a, runs the same"
[ $st -ne 0 ] && diag "$TMP/cc2.log"

out=$("$D$P/bin/mvm" --version 2>&1)
[ "$out" = "mvm $VERSION (minivisor API version 1)" ]
ok $? "installed mvm --version: '$out'"

m=$D$P/share/man/man1/mvm.1
groff -man -Tutf8 -ww -z "$m" >"$TMP/groff.log" 2>&1 && [ ! -s "$TMP/groff.log" ] &&
	grep -q "^\.TH MVM 1 .*\"minivisor $VERSION\"" "$m" && ! grep -q '@VERSION@' "$m"
st=$?
ok $st "mvm.1 renders without groff warnings, footer 'minivisor $VERSION'"
[ $st -ne 0 ] && diag "$TMP/groff.log"
# Every long option and exit status of mvm --help is in the man page.
"$D$P/bin/mvm" --help >"$TMP/help" 2>&1
missing=
# shellcheck disable=SC2013 # words
for o in $(grep -o -e '--[a-z][a-z-]*' "$TMP/help" | sort -u); do
	grep -q -F -e "$(echo "$o" | sed 's/-/\\-/g')" "$m" || missing="$missing $o"
done
# shellcheck disable=SC2013 # words
for s in $(sed -n '/^Exit status:/,/^  odd/s/^ *\([0-9][0-9]*\)  .*/\1/p' "$TMP/help"); do
	grep -q -x "\.B $s" "$m" || missing="$missing status:$s"
done
nst=$(sed -n '/^Exit status:/,/^  odd/s/^ *\([0-9][0-9]*\)  .*/\1/p' "$TMP/help" | wc -l)
[ -z "$missing" ] && [ "$nst" -ge 7 ]
ok $? "mvm.1 has every option and all $nst exit statuses of mvm --help" \
	"${missing:+ (missing:$missing)}"

topmake uninstall DESTDIR="$D" PREFIX=$P MODULE_KO="$ko" >"$TMP/uninstall.log" 2>&1
st=$?
left=$(cd "$D" && find . ! -type d)
[ $st -eq 0 ] && [ -z "$left" ]
st=$?
ok $st "make uninstall DESTDIR=... PREFIX=$P leaves no file behind"
[ $st -ne 0 ] && { echo "$left" | sed 's/^/#   left: /'; diag "$TMP/uninstall.log"; }

# PREFIX=/usr: the udev rule goes where packages put theirs.
D2=$TMP/dest-usr
topmake install DESTDIR="$D2" PREFIX=/usr MODULE_KO="$ko" >"$TMP/install2.log" 2>&1 &&
	[ -f "$D2/usr/lib/udev/rules.d/60-minivisor.rules" ] && [ -x "$D2/usr/bin/mvm" ] &&
	grep -q '^libdir=/usr/lib$' "$D2/usr/lib/pkgconfig/minivisor.pc" &&
	topmake uninstall DESTDIR="$D2" PREFIX=/usr MODULE_KO="$ko" >>"$TMP/install2.log" 2>&1 &&
	[ -z "$(cd "$D2" && find . ! -type d)" ]
st=$?
ok $st "PREFIX=/usr: rule in /usr/lib/udev/rules.d, libdir=/usr/lib; uninstall leaves nothing"
[ $st -ne 0 ] && diag "$TMP/install2.log"

topmake install DESTDIR="$TMP/none" MODULE_KO="$TMP/no-such.ko" >"$TMP/nomod.log" 2>&1
st=$?
[ $st -ne 0 ] && grep -q "is not built.*run make first" "$TMP/nomod.log" && [ ! -e "$TMP/none" ]
ok $? "make install without a built module: error 'run make first', nothing installed"

echo "1..$n"
[ "$failed" -eq 0 ]
