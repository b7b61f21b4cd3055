# SPDX-License-Identifier: GPL-2.0
#
# minivisor top-level build.
#   make            module (against KDIR) + userspace + selftests
#   make check      every test: host tier, W=1 builds, emulated VT-x host
#   make run        boot the emulated host and run a demo guest under mvm
#                   (LINUX=1: the Linux guest under mvm with a shell in it)
#   make bench      exit-cost benchmarks side by side with kvm-intel, and the
#                   Linux guest's boot to its marker (mvm vs QEMU+KVM)
#   make profile    instruction trace of one exit round trip per exit kind
#   make check-kernels  make check with the 2-CPU host on Linux 6.12, then
#                   Linux 7.2 booted with the module loaded
#   make module-7.2 the module with W=1 against Linux 7.2 (Debian sid's
#                   cloud headers, gcc 16) in a cached sid chroot
KDIR ?= /lib/modules/$(shell uname -r)/build
W ?=

.PHONY: all module userspace selftests host-test check run bench profile deps clean fuzz module-7.2 check-kernels

all: module userspace selftests

module:
	@if [ ! -d "$(KDIR)" ]; then \
		echo "error: kernel headers not found at KDIR=$(KDIR)"; \
		echo "       install linux-headers-$$(uname -r) or pass KDIR=/path/to/build"; \
		exit 1; fi
	$(MAKE) -C $(KDIR) M=$(CURDIR) W=$(W) modules

# W=1 against the newest kernel's headers, which need gcc 16: in a Debian sid
# chroot cached outside the clone (tools/testhost/sid-chroot). Fails on any
# warning. The module lands in build/sid/minivisor.ko.
module-7.2:
	@tools/testhost/sid-chroot ensure
	@kv=$$(tools/testhost/sid-chroot kver); log=build/sid/build-module.log; \
	mkdir -p build/sid; \
	if ! tools/testhost/sid-chroot build $$log build/sid/minivisor.ko; then \
		grep -m5 -E 'error|ERROR' $$log; \
		echo "module-7.2: FAIL: W=1 build against $$kv failed (log: $$log)"; exit 1; fi; \
	nw=$$(grep -ci 'warning:' $$log || true); \
	if [ "$$nw" != 0 ]; then grep -i -m5 'warning:' $$log; \
		echo "module-7.2: FAIL: $$nw warning line(s) against $$kv (log: $$log)"; exit 1; fi; \
	echo "module-7.2: ok: W=1 against $$kv, 0 warnings (build/sid/minivisor.ko)"

userspace:
	$(MAKE) -C userspace

selftests: userspace
	$(MAKE) -C selftests

# Host tier: no VMX needed, prints TAP.
# Each part runs even if an earlier one failed, so every result is reported.
host-test:
	@fail=0; \
	$(MAKE) -C userspace test || fail=1; \
	$(MAKE) -C selftests host-test || fail=1; \
	$(MAKE) -C common/tests test || fail=1; \
	$(MAKE) -C common/tests fuzz FUZZ_SECONDS=$(FUZZ_SECONDS) || fail=1; \
	exit $$fail

# libFuzzer on the x86 decoder/emulator/page walk; host-test runs it too.
FUZZ_SECONDS ?= 60
fuzz:
	$(MAKE) -C common/tests fuzz FUZZ_SECONDS=$(FUZZ_SECONDS)

check:
	tools/testhost/check

# make check with the 2-CPU emulated host booting the 6.12 cloud kernel
# (module built against its headers) instead of 6.1; the 1-CPU one stays 6.1.
# Then Linux 7.2 booted with the module built against it (tools/testhost/boot-7.2).
check-kernels:
	@rc=0; TH_SMP2_KERNEL=6.12 tools/testhost/check || rc=1; \
	tools/testhost/boot-7.2 || rc=1; exit $$rc

run:
	tools/testhost/run

bench:
	tools/testhost/bench

profile:
	tools/testhost/profile

deps:
	tools/testhost/deps

clean:
	-$(MAKE) -C $(KDIR) M=$(CURDIR) clean 2>/dev/null
	$(MAKE) -C userspace clean
	$(MAKE) -C selftests clean
	$(MAKE) -C bench clean
	$(MAKE) -C common/tests clean
	rm -rf build
