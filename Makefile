# SPDX-License-Identifier: GPL-2.0
#
# minivisor top-level build.
#   make            module (against KDIR) + userspace + selftests
#   make check      every test: host tier, W=1 builds, emulated VT-x host
#   make run        boot the emulated host and run a demo guest under mvm
#   make bench      exit-cost benchmarks side by side with kvm-intel
#   make profile    instruction trace of one exit round trip per exit kind
KDIR ?= /lib/modules/$(shell uname -r)/build
W ?=

.PHONY: all module userspace selftests host-test check run bench profile deps clean

all: module userspace selftests

module:
	@if [ ! -d "$(KDIR)" ]; then \
		echo "error: kernel headers not found at KDIR=$(KDIR)"; \
		echo "       install linux-headers-$$(uname -r) or pass KDIR=/path/to/build"; \
		exit 1; fi
	$(MAKE) -C $(KDIR) M=$(CURDIR) W=$(W) modules

userspace:
	$(MAKE) -C userspace

selftests: userspace
	$(MAKE) -C selftests

# Host tier: no VMX needed, prints TAP.
host-test:
	$(MAKE) -C userspace test
	$(MAKE) -C selftests host-test

check:
	tools/testhost/check

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
	rm -rf build
