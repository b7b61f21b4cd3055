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
#   make install    what "make" built: the module, udev rule, headers,
#                   libminivisor (.so + .a), minivisor.pc, mvm and mvm.1
#                   (DESTDIR, PREFIX; Documentation/install.md); make uninstall
#   make dkms-install  the module's sources to /usr/src/minivisor-VERSION,
#                   then dkms add/build/install; make dkms-uninstall
#   make check-kernels  make check with the 2-CPU host on Linux 6.12, then
#                   Linux 7.2 (1 CPU) running every selftest (boot-7.2)
#   make module-7.2 the module with W=1 against Linux 7.2 (Debian sid's
#                   cloud headers, gcc 16) in a cached sid chroot
KDIR ?= /lib/modules/$(shell uname -r)/build
W ?=

.PHONY: all module userspace selftests host-test check run bench profile deps clean fuzz
.PHONY: install uninstall dkms-install dkms-uninstall dkms-src module-7.2 check-kernels

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
# Then Linux 7.2 booted with the module built against it, every selftest in
# it (tools/testhost/boot-7.2).
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

# Installation (Documentation/install.md). Installs what "make" built; it
# does not build, so "sudo make install" leaves no root-owned objects.
# The module goes to the kernel it was built for (its vermagic), not
# necessarily the running one; depmod, ldconfig and udevadm run only for a
# real install (DESTDIR empty), a package's scripts run them otherwise.
VERSION := $(shell cat VERSION)
DESTDIR ?=
PREFIX ?= /usr/local
MODULE_KO ?= module/minivisor.ko
KVER ?= $(shell modinfo -F vermagic $(MODULE_KO) 2>/dev/null | cut -d' ' -f1)
MODDIR ?= /lib/modules/$(KVER)/updates
# udev reads rules from /usr/lib/udev/rules.d (packages) and /etc/udev/rules.d
# (the administrator's), not from /usr/local.
UDEVRULESDIR ?= $(if $(filter /usr,$(PREFIX)),/usr/lib/udev/rules.d,/etc/udev/rules.d)
UDEV_RULE := 60-minivisor.rules
DKMS_SRC ?= /usr/src/minivisor-$(VERSION)
# What the module build needs (dkms-src copies it to DKMS_SRC).
DKMS_FILES := Kbuild VERSION LICENSE $(wildcard uapi/linux/*.h common/*.[ch]) \
	module/Kbuild $(wildcard module/*.[ch] module/vmx/*.[chS])
INSTALL ?= install

install:
	@if [ ! -f "$(MODULE_KO)" ] || [ -z "$(KVER)" ]; then \
		echo "error: $(MODULE_KO) is not built (or has no vermagic): run make first"; \
		exit 1; fi
	@if [ ! -x userspace/mvm ] || [ ! -f userspace/lib/libminivisor.so ]; then \
		echo "error: userspace/ is not built: run make first"; exit 1; fi
	$(INSTALL) -D -m 0644 $(MODULE_KO) $(DESTDIR)$(MODDIR)/minivisor.ko
	$(INSTALL) -D -m 0644 packaging/$(UDEV_RULE) $(DESTDIR)$(UDEVRULESDIR)/$(UDEV_RULE)
	$(MAKE) -C userspace install DESTDIR=$(DESTDIR) PREFIX=$(PREFIX)
	@if [ -z "$(DESTDIR)" ]; then \
		echo "depmod -a $(KVER)"; depmod -a $(KVER); \
		if command -v udevadm >/dev/null && [ -d /run/udev ]; then \
			udevadm control --reload-rules; \
			udevadm trigger --subsystem-match=misc --sysname-match=minivisor; fi; \
	fi

uninstall:
	rm -f $(DESTDIR)$(MODDIR)/minivisor.ko $(DESTDIR)$(UDEVRULESDIR)/$(UDEV_RULE)
	$(MAKE) -C userspace uninstall DESTDIR=$(DESTDIR) PREFIX=$(PREFIX)
	@if [ -z "$(DESTDIR)" ] && [ -n "$(KVER)" ] && [ -d /lib/modules/$(KVER) ]; then \
		echo "depmod -a $(KVER)"; depmod -a $(KVER); fi

# The DKMS source tree: packaging/dkms.conf and the Kbuild sources.
dkms-src:
	@if [ "$$(sed -n 's/^PACKAGE_VERSION="\(.*\)"/\1/p' packaging/dkms.conf)" != "$(VERSION)" ]; then \
		echo "error: packaging/dkms.conf's PACKAGE_VERSION is not $(VERSION) (VERSION)"; \
		exit 1; fi
	rm -rf $(DESTDIR)$(DKMS_SRC)
	$(INSTALL) -d $(DESTDIR)$(DKMS_SRC)
	$(INSTALL) -m 0644 packaging/dkms.conf $(DESTDIR)$(DKMS_SRC)/dkms.conf
	tar -cf - $(DKMS_FILES) | tar -xf - -C $(DESTDIR)$(DKMS_SRC)

# dkms add/build/install for the running kernel (DKMS_KVER= another one); dkms
# rebuilds the module for every kernel installed later (AUTOINSTALL).
dkms-install: dkms-src
	dkms add minivisor/$(VERSION)
	dkms build minivisor/$(VERSION) $(if $(DKMS_KVER),-k $(DKMS_KVER))
	dkms install minivisor/$(VERSION) $(if $(DKMS_KVER),-k $(DKMS_KVER))

dkms-uninstall:
	-dkms remove minivisor/$(VERSION) --all
	rm -rf $(DESTDIR)$(DKMS_SRC)

clean:
	-$(MAKE) -C $(KDIR) M=$(CURDIR) clean 2>/dev/null
	$(MAKE) -C userspace clean
	$(MAKE) -C selftests clean
	$(MAKE) -C bench clean
	$(MAKE) -C common/tests clean
	rm -rf build
