/* harness/report/report.h — the ways a run is reported: the live progress line, the final terminal table, the
 * JSON summary (stable schema, docs/json-summary.md) and JUnit XML. The JSONL series is written by the
 * collector as intervals close. */
#ifndef HX_REPORT_H
#define HX_REPORT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "common/json.h"
#include "harness/measure/slo.h"
#include "harness/measure/stats.h"
#include "harness/measure/verdict.h"

typedef struct hx_run_info {
    const char *scenario; /* scenario name, or "load" for a flag-only run */
    const char *target;   /* URL (api_base) */
    const char *arrival;  /* human description: "constant 1174/s", "users 1000 think 0.5s..1s" */
    uint64_t seed;
    uint64_t wall_start_ms; /* unix ms */
    double planned_s;       /* configured duration */
    double duration_s;      /* measured */
    double target_rate;     /* per second; 0 for closed loop */
    int threads;
    bool interrupted;                 /* stopped by a signal before the planned end */
    const char *const *request_names; /* workload templates ("openai.chat stream", ...) */
    size_t nrequests;
    const char *const *model_names;
    size_t nmodels;
    const char *failure; /* why the run itself failed whatever the expectations say (a process `soak run`
                            started died during the load), or NULL */
    double judged_s;     /* duration_s less the excluded phases (warm-up, cool-down): the totals' rates are over it */
    const hx_slo_t *slos; /* what made a request good (goodput); none: every success was */
    size_t nslos;
    uint64_t warmup_requests; /* a warm-up by count (load.warmup: 500req), 0 without */
    double warmup_s;          /* when its last request went out (s from the start); -1: it never ended */
} hx_run_info_t;

/* One phase's results (harness/measure/phase.h): its stats (NULL when no interval closed in it) over secs of
 * scheduled arrivals. */
typedef struct hx_phase_report {
    const hx_phase_t *phase;
    const hx_stats_t *stats;
    double secs;
} hx_phase_report_t;

/* One group's results (load.groups): its totals, excluded phases left out. */
typedef struct hx_group_report {
    const char *name;
    const hx_stats_t *stats;
} hx_group_report_t;

typedef struct hx_report {
    const hx_run_info_t *info;
    const hx_stats_t *total;
    const hx_stats_t *first_window, *last_window;
    const hx_expect_t *expects;
    const hx_verdict_t *verdicts;
    size_t nexpects;
    bool pass; /* every expectation passed */
    const hx_phase_report_t *phases; /* the run's phases in order, or NULL */
    size_t nphases;
    const hx_group_report_t *groups; /* the load's groups that ran, or NULL */
    size_t ngroups;
    const hx_stats_t *warmup; /* the requests of a warm-up by count, kept out of every figure above; or NULL */
} hx_report_t;

/* The run's verdict: every expectation passed AND at least one request succeeded AND the run did not fail
 * on its own (info->failure; a run in which nothing succeeded never passes, whatever its expectations say). The JSON
 * "verdict", the JUnit "run" case and the exit code follow this. */
bool hx_report_verdict(const hx_report_t *r);

/* One line for the terminal: elapsed, rate this interval, ok and not ok (failed + aborted + dropped, what
 * failure_rate counts), p50/p99, in-flight. interval may be NULL (nothing closed yet). Always NUL-terminates
 * buf (truncating when n is small). */
void hx_report_progress(char *buf, size_t n, const hx_stats_t *interval, const hx_stats_t *total, double elapsed_s,
                        double planned_s, uint64_t inflight);
/* The final table for people, at most 100 columns wide. first_window/last_window may be NULL. */
void hx_report_table(FILE *out, const hx_report_t *r);
/* Return 0, or -1 on a write error (errno set). The JSON schema is docs/json-summary.md. */
int hx_report_json(FILE *out, const hx_report_t *r);
/* JUnit XML: one testsuite "soak", a testcase "run" (fails when no request succeeded) and one per
 * expectation (with <failure> when it failed; a failure_rate failure also gives its failed, aborted and
 * dropped counts). */
int hx_report_junit(FILE *out, const hx_report_t *r);

/* The phases' part of the reports (report_phases.c): the terminal table's "Phases" section, the JSON
 * summary's "phases" array (nothing when the run has no phases). */
void hx_report_table_phases(FILE *out, const hx_report_t *r);
void hx_report_json_phases(cm_jw_t *w, const hx_report_t *r);
/* The groups' part (report_phases.c): the "Groups" section, the JSON "groups" object. */
void hx_report_table_groups(FILE *out, const hx_report_t *r);
void hx_report_json_groups(cm_jw_t *w, const hx_report_t *r);
/* A warm-up by count's part (report_phases.c): the "Warm-up" line, the JSON "warmup" object (nothing without
 * one). */
void hx_report_table_warmup(FILE *out, const hx_report_t *r);
void hx_report_json_warmup(cm_jw_t *w, const hx_report_t *r);
/* Its JUnit properties (warmup.requests_excluded, warmup.ended_s: -1 when it never ended, warmup.completed,
 * warmup.ok), inside the testsuite's <properties>; nothing without a warm-up by count. */
void hx_report_junit_warmup(cm_buf_t *b, const hx_report_t *r);
/* The run's histograms in full (report_hists.c): the JSON "histograms" object, the layout and every latency
 * histogram the summary reports (and output tokens per second) as common/hist_json.h writes them, from the
 * same stats as the summary's percentiles; each present when its summary field is. */
void hx_report_json_histograms(cm_jw_t *w, const hx_report_t *r);
/* An expectation as reports name it: its metric, and its scope in brackets when it has one
 * ("latency.p99 [steady]", "drift.latency.p99 [fault vs steady]"). Returns buf. */
char *hx_report_expect_label(const hx_expect_t *e, char *buf, size_t n);

/* Writes b to out and flushes it. Returns 0, or -1 with errno (EIO when the stream set none). */
int hx_report_write_all(FILE *out, const cm_buf_t *b);
/* Shared with the collector's JSONL writer. */
/* Unix milliseconds as ISO-8601 UTC with milliseconds ("2026-11-21T20:05:33.120Z"). Returns buf. */
char *hx_report_iso_time(char *buf, size_t n, uint64_t wall_ms);
/* Writes key: {p50, p90, p99, max} of a microsecond histogram in milliseconds, or with full also count,
 * min, mean, p95 and p999. An empty histogram writes null (full: count 0 and null values). */
void hx_report_json_ms(cm_jw_t *w, const char *key, const cm_hist_t *h, bool full);
/* The same for a histogram of values scaled by 1000 (hx_stats_t.otps: tokens per second x 1000), opened
 * and left open so that the caller may add members; the caller closes it (cm_jw_obj_end). */
void hx_report_json_hist_open(cm_jw_t *w, const char *key, const cm_hist_t *h);

#endif
