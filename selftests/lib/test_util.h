/* SPDX-License-Identifier: GPL-2.0 */
/* Small helpers shared by the selftest programs (host side). */
#ifndef MV_SELFTEST_UTIL_H
#define MV_SELFTEST_UTIL_H

/* CLOCK_MONOTONIC in seconds. */
double test_now(void);
/* Sleeps ms milliseconds, resuming after signals. */
void sleep_ms(long ms);
/* SIGUSR1 with a no-op handler and no SA_RESTART: it makes MV_RUN return EINTR. */
void install_sigusr1(void);
/* A /proc/meminfo value in KiB; fails the test if absent. */
long meminfo_kib(const char *key);
long pcp_free_kib(void);
/*
 * Lets RCU-deferred frees finish and drops clean caches, so that memory
 * readings afterwards show what tests kept (without root only noisier).
 */
void settle_memory(void);

#endif /* MV_SELFTEST_UTIL_H */
