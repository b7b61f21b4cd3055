/* SPDX-License-Identifier: GPL-2.0 */
/*
 * mvm stat / events / ps (Documentation/mvm-stat.md): the subcommands and
 * the pure formatters behind them (table, JSON, SVG, flight-recorder
 * table), which the host tests drive with synthetic struct mv_stats.
 */
#ifndef MVM_STAT_H
#define MVM_STAT_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "err.h"
#include "libminivisor.h"

enum mvm_stat_sort {
	MVM_SORT_COUNT,		/* exits, most first */
	MVM_SORT_TIME,		/* in-kernel + userspace ticks, most first */
};

/* One VM's numbers as the formatters see them. */
struct mvm_stat_view {
	const struct mv_vm_info *vm;	/* NULL: unknown (pid, comm, tsc_khz 0) */
	const struct mv_stats *cur;
	const struct mv_stats *prev;	/* the previous sample, or NULL */
	double dt;			/* seconds since prev (or over which cur accrued); 0: no rate */
};

/* A reason's derived numbers. */
struct mvm_stat_row {
	const struct mv_reason_stats *r;
	double pct;			/* of all exits in cur */
	double rate;			/* exits/s; < 0: unknown */
	double mean, umean;		/* ticks */
	uint64_t p99, up99;		/* ticks; upper bound of the 99th-percentile bucket */
	bool has_p99, has_up99;
};

/*
 * The 99th percentile from a log2 histogram (bucket i: fls64(t) == i): the
 * upper bound of the bucket that holds it (0 for bucket 0, 2^i - 1 for
 * bucket i), capped at max. false if the histogram is empty.
 */
bool mvm_hist_p99(const uint64_t *hist, uint64_t max, uint64_t *p99);
uint64_t mvm_hist_bucket_hi(unsigned int i);	/* upper bound of bucket i, in ticks */
uint64_t mvm_hist_bucket_lo(unsigned int i);
double mvm_ticks_to_us(double ticks, uint32_t tsc_khz);	/* < 0 if tsc_khz is 0 */

/* Rows of v, sorted; returns how many (<= MV_NL_MAX_REASONS). */
unsigned int mvm_stat_rows(const struct mvm_stat_view *v, enum mvm_stat_sort sort,
			   struct mvm_stat_row *rows);

void mvm_stat_table(FILE *f, const struct mvm_stat_view *v, enum mvm_stat_sort sort);
/*
 * One JSON document for n VMs (schema in Documentation/mvm-stat.md), on one
 * line, ending with a newline.
 */
void mvm_stat_json(FILE *f, const struct mvm_stat_view *v, unsigned int n,
		   enum mvm_stat_sort sort, uint64_t time_ns);
void mvm_json_str(FILE *f, const char *s);

/* Exits per reason over time, for the SVG. */
#define MVM_SERIES_REASONS	MV_NL_MAX_REASONS
struct mvm_stat_series {
	size_t n, cap;
	double *t;				/* seconds since the first sample */
	uint64_t (*count)[MVM_SERIES_REASONS];	/* cumulative exits by raw reason id */
	char name[MVM_SERIES_REASONS][MV_NL_NAME_LEN];
};
int mvm_series_add(struct mvm_stat_series *s, double t, const struct mv_stats *st);
void mvm_series_free(struct mvm_stat_series *s);
/* One self-contained SVG document: histograms per reason and exits over time. */
void mvm_stat_svg(FILE *f, const struct mvm_stat_view *v, const struct mvm_stat_series *s);

/* The flight recorder, oldest first, as a table. */
void mvm_flight_table(FILE *f, const struct mv_flight_rec *recs, size_t n, uint32_t tsc_khz);
/*
 * mvm's own guest died: print vCPU vcpu's flight recorder (VM from
 * MV_GET_VM_ID on vm_fd) to f; one line saying why if it cannot.
 */
void mvm_flight_dump(int vm_fd, unsigned int vcpu, FILE *f);

/* Command lines of the subcommands (pure: the host tests check them). */
struct mvm_stat_opts {
	uint32_t vm_id;			/* 0: all VMs (or the only one) */
	int vcpu;			/* -1: the VM's sum */
	double interval;		/* seconds between samples (default 1) */
	double duration;		/* seconds to sample; 0: until Ctrl-C */
	enum mvm_stat_sort sort;
	bool once, json;
	const char *svg;		/* --svg FILE */
};
struct mvm_sub_opts {			/* events and ps */
	uint32_t vm_id;			/* events: only this VM; 0: all */
	bool json;
	double duration;		/* events: stop after this many seconds; 0: never */
	long count;			/* events: stop after this many; 0: never */
};
enum mvm_sub_result {
	MVM_SUB_RUN,
	MVM_SUB_HELP,
	MVM_SUB_ERROR,			/* err says why: exit 2 */
};
enum mvm_sub_result mvm_stat_parse(int argc, char *const argv[], struct mvm_stat_opts *o,
				   struct mvm_err *err);
enum mvm_sub_result mvm_events_parse(int argc, char *const argv[], struct mvm_sub_opts *o,
				     struct mvm_err *err);
enum mvm_sub_result mvm_ps_parse(int argc, char *const argv[], struct mvm_sub_opts *o,
				 struct mvm_err *err);
void mvm_stat_usage(FILE *f);
void mvm_events_usage(FILE *f);
void mvm_ps_usage(FILE *f);
/* "--name", "--name=V" or alias; *val: the value after '=' or the next argument. */
bool mvm_sub_opt(int argc, char *const argv[], int *i, const char *name, const char *alias,
		 bool has_value, const char **val, struct mvm_err *err, bool *failed);
int mvm_sub_seconds(const char *opt, const char *s, double *v, struct mvm_err *err);
int mvm_sub_u32(const char *opt, const char *s, uint32_t min, uint32_t *v, struct mvm_err *err);

/* The subcommands: argv[1] is "stat", "events" or "ps"; the exit status. */
int mvm_cmd_stat(int argc, char *const argv[]);
int mvm_cmd_events(int argc, char *const argv[]);
int mvm_cmd_ps(int argc, char *const argv[]);
/* Formatters for events and ps (pure). */
void mvm_event_line(FILE *f, const struct mv_event *ev, bool json);
void mvm_ps_table(FILE *f, const struct mv_vm_info *vms, size_t n, uint64_t now_ns, bool json);

#endif /* MVM_STAT_H */
