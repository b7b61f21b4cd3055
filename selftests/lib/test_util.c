// SPDX-License-Identifier: GPL-2.0
/* Small helpers shared by the selftest programs (host side). */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include "test_harness.h"
#include "test_util.h"

double test_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

void sleep_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000 };

	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

static void noop_handler(int sig)
{
	(void)sig;
}

void install_sigusr1(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = noop_handler;
	sigemptyset(&sa.sa_mask);
	ASSERT_EQ(sigaction(SIGUSR1, &sa, NULL), 0);
}

/*
 * Pages on the per-CPU free lists (/proc/zoneinfo "count:"), in KiB: free
 * memory that MemFree and MemAvailable do not show (a freed THP may sit
 * there), so leak bounds add it back.
 */
void settle_memory(void)
{
	struct timespec ts = { 0, 300 * 1000 * 1000 };
	int fd;

	nanosleep(&ts, NULL);
	sync();
	fd = open("/proc/sys/vm/drop_caches", O_WRONLY | O_CLOEXEC);
	if (fd >= 0) {
		if (write(fd, "3", 1) != 1)
			test_diag("drop_caches: %s", strerror(errno));
		close(fd);
	}
	nanosleep(&ts, NULL);
}

long pcp_free_kib(void)
{
	FILE *f = fopen("/proc/zoneinfo", "r");
	char line[256];
	long n = 0, v;

	if (!f)
		TEST_FAIL("open /proc/zoneinfo: %s", strerror(errno));
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, " count: %ld", &v) == 1)
			n += v;
	fclose(f);
	return n * 4;
}

long meminfo_kib(const char *key)
{
	char line[256];
	size_t klen = strlen(key);
	long v = -1;
	FILE *f = fopen("/proc/meminfo", "r");

	if (!f)
		TEST_FAIL("open /proc/meminfo: %s", strerror(errno));
	while (fgets(line, sizeof(line), f))
		if (!strncmp(line, key, klen) && line[klen] == ':') {
			v = strtol(line + klen + 1, NULL, 10);
			break;
		}
	fclose(f);
	if (v < 0)
		TEST_FAIL("no %s in /proc/meminfo", key);
	return v;
}
