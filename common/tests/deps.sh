#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Installs what the decoder's host-tier tests need when it is missing:
# objdump (binutils, the reference disassembler), libunicorn-dev (the
# reference CPU), clang and its libFuzzer runtime (make fuzz). Debian
# bookworm; apt-get only when something is absent.
set -eu

need=
command -v objdump >/dev/null 2>&1 || need="$need binutils"
command -v clang >/dev/null 2>&1 || need="$need clang"
[ -f /usr/include/unicorn/unicorn.h ] || need="$need libunicorn-dev"
# The libFuzzer runtime clang links with -fsanitize=fuzzer.
if command -v clang >/dev/null 2>&1; then
	rt=$(clang -print-resource-dir 2>/dev/null)/lib/linux/libclang_rt.fuzzer-x86_64.a
	[ -f "$rt" ] || need="$need libclang-rt-$(clang -dumpversion | cut -d. -f1)-dev"
else
	need="$need libclang-rt-14-dev"
fi
[ -z "$need" ] && exit 0

echo "decoder tests: installing$need"
SUDO=
if [ "$(id -u)" != 0 ]; then
	command -v sudo >/dev/null 2>&1 || { echo "error: not root and no sudo: apt-get install$need" >&2; exit 1; }
	SUDO=sudo
fi
export DEBIAN_FRONTEND=noninteractive
# shellcheck disable=SC2086 # a list of packages
$SUDO apt-get install -y -q --no-install-recommends -o DPkg::Lock::Timeout=300 $need >/dev/null ||
	{ $SUDO apt-get -q update >/dev/null &&
	  $SUDO apt-get install -y -q --no-install-recommends -o DPkg::Lock::Timeout=300 $need >/dev/null; }
