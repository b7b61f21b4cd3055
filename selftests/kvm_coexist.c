// SPDX-License-Identifier: GPL-2.0
/*
 * Coexistence with kvm_intel. Only one hypervisor can own VMX on a CPU: on
 * 6.1, kvm_intel turns VMX on while it has a VM. minivisor must refuse with
 * EBUSY and a kernel-log line naming the reason while KVM owns VMX, work
 * again once KVM lets go, and leave KVM failing cleanly (and its own guest
 * running) while it owns VMX itself. Skipped without /dev/kvm.
 */
#include <fcntl.h>
#include <linux/kvm.h>
#include <stdio.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>

#include "test_harness.h"
#include "test_util.h"
#include "vm.h"

/* Retry window for a VMX owner that lets go asynchronously. */
#define RELEASE_WAIT_SECONDS	3

static int kvm_open(void)
{
	int fd = open("/dev/kvm", O_RDWR | O_CLOEXEC);

	if (fd < 0) {
		if (errno == ENOENT || errno == ENODEV || errno == ENXIO)
			test_skip("/dev/kvm not available (%s); kvm_intel not loaded",
				  strerror(errno));
		TEST_FAIL("open /dev/kvm: %s", strerror(errno));
	}
	ASSERT_EQ(ioctl(fd, KVM_GET_API_VERSION, 0), KVM_API_VERSION);
	return fd;
}

/* A KVM VM; on 6.1 the first one turns VMX on on every CPU. */
static int kvm_vm(int kvm)
{
	int vm = ioctl(kvm, KVM_CREATE_VM, 0);

	if (vm < 0)
		TEST_FAIL("KVM_CREATE_VM: %s (is another hypervisor holding VMX?)",
			  strerror(errno));
	return vm;
}

/* /dev/kmsg positioned after the newest record. */
static int kmsg_open_at_end(void)
{
	int fd = open("/dev/kmsg", O_RDONLY | O_NONBLOCK | O_CLOEXEC);

	if (fd < 0)
		TEST_FAIL("open /dev/kmsg: %s", strerror(errno));
	if (lseek(fd, 0, SEEK_END) < 0)
		TEST_FAIL("seek to the end of /dev/kmsg: %s", strerror(errno));
	return fd;
}

/* Reads the records logged since; true if one contains both strings. */
static bool kmsg_find(int fd, const char *a, const char *b)
{
	char rec[8192];
	bool found = false;

	for (;;) {
		ssize_t n = read(fd, rec, sizeof(rec) - 1);
		char *msg;

		if (n < 0 && errno == EPIPE)
			continue;	/* records overwritten under us; go on */
		if (n <= 0)
			break;		/* EAGAIN: nothing newer */
		rec[n] = '\0';
		/* "prio,seq,usec,flags;message\n" plus continuation lines */
		msg = strchr(rec, ';');
		msg = msg ? msg + 1 : rec;
		*strchrnul(msg, '\n') = '\0';
		if (strstr(msg, a) && strstr(msg, b)) {
			test_diag("kernel log: %s", msg);
			found = true;
		}
	}
	return found;
}

/* MV_CREATE_VM, retried while it fails with EBUSY for a little while. */
static int mv_create_vm_retry(int sys)
{
	double waited = 0;
	int vm;

	for (;;) {
		vm = mv_create_vm(sys);
		if (vm != -EBUSY || waited >= RELEASE_WAIT_SECONDS)
			return vm;
		sleep_ms(100);
		waited += 0.1;
	}
}

static void test_kvm_vm_blocks_minivisor(void)
{
	int kvm = kvm_open();
	int vm = kvm_vm(kvm);
	int kmsg = kmsg_open_at_end();
	int sys = mv_open();
	int ret;

	ASSERT_OK(sys);
	ret = mv_create_vm(sys);
	ASSERT_ERR(ret, EBUSY);
	EXPECT_TRUE(kmsg_find(kmsg, "minivisor", "another hypervisor"));
	close(sys);
	close(kmsg);
	close(vm);
	close(kvm);
}

static void test_minivisor_after_kvm_vm_closed(void)
{
	int kvm = kvm_open();
	struct tvm t;
	int sys, vm;

	close(kvm_vm(kvm));
	sys = mv_open();
	ASSERT_OK(sys);
	vm = mv_create_vm_retry(sys);
	ASSERT_OK(vm);
	close(vm);
	close(sys);
	/* And a guest runs to completion. */
	tvm_create_real(&t, RM_BLOB(hello));
	tvm_run_hello(&t);
	tvm_destroy(&t);
	close(kvm);
}

static void test_minivisor_vm_blocks_kvm(void)
{
	int kvm = kvm_open();
	struct tvm t;
	int vm;
	char e[96];
	int err;

	tvm_create_real(&t, RM_BLOB(hello));
	vm = ioctl(kvm, KVM_CREATE_VM, 0);
	err = vm < 0 ? errno : 0;
	test_diag("KVM_CREATE_VM with a minivisor VM alive: %d, %s", vm,
		  test_errno_str(-err, e, sizeof(e)));
	if (vm >= 0)
		close(vm);
	EXPECT_EQ(vm, -1);
	EXPECT_EQ(err, EBUSY);
	/* KVM's failed attempt left our VMX state alone. */
	tvm_run_hello(&t);
	tvm_destroy(&t);
	close(kvm);
}

/* minivisor turns VMX off with its last VM: KVM can have it afterwards. */
static void test_kvm_after_minivisor_vm_closed(void)
{
	int kvm = kvm_open();
	double waited = 0;
	struct tvm t;
	int vm;

	tvm_create_real(&t, RM_BLOB(hello));
	tvm_run_hello(&t);
	tvm_destroy(&t);
	for (;;) {
		vm = ioctl(kvm, KVM_CREATE_VM, 0);
		if (vm >= 0 || errno != EBUSY || waited >= RELEASE_WAIT_SECONDS)
			break;
		sleep_ms(100);
		waited += 0.1;
	}
	if (vm < 0)
		TEST_FAIL("KVM_CREATE_VM after the last minivisor VM is gone: %s",
			  strerror(errno));
	close(vm);
	close(kvm);
}

static const struct test_case tests[] = {
	{ "kvm_vm_blocks_minivisor_ebusy", test_kvm_vm_blocks_minivisor, 0 },
	{ "minivisor_works_after_kvm_vm_closed", test_minivisor_after_kvm_vm_closed, 0 },
	{ "minivisor_vm_blocks_kvm", test_minivisor_vm_blocks_kvm, 0 },
	{ "kvm_works_after_minivisor_vm_closed", test_kvm_after_minivisor_vm_closed, 0 },
};

int main(int argc, char **argv)
{
	return test_main(argc, argv, tests, ARRAY_SIZE(tests));
}
