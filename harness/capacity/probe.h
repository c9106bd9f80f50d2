/* harness/capacity/probe.h — one probe of `soak find`: a `soak load` run at one constant (or Poisson) rate, in
 * this process, built from the user's load flags plus the rate, the probe's duration, its warm-up and a seed;
 * judged on the SLOs (expectations) over the part after the warm-up, and checked for over-saturation.
 *
 * A probe writes no report file unless asked (reports_dir): a scenario file's report: and webhook are dropped,
 * its table goes nowhere, and its diagnostics are kept in memory and shown only when the run errs.
 *
 * Over-saturated: saturation.h. A probe that drops arrivals after its warm-up stops there (--max-inflight bounds
 * how far it may fall behind). */
#ifndef HX_PROBE_H
#define HX_PROBE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "harness/measure/timeline.h"
#include "harness/measure/verdict.h"
#include "harness/run/cli.h"

#define HX_FIND_MAX_SLOS 16       /* --slo given to soak find */
#define HX_FIND_MAX_LOAD_ARGS 512 /* load flags passed on to every probe (words of the command line) */

/* `soak run`'s part in a scenario's sweep (cap_scenario.c): the scenario as it read it, in place of --config,
 * and the watch over the processes it started. */
typedef struct hx_probe_hooks {
    hx_cli_load_fn load; /* fills a probe's configuration before the probe's flags go over it */
    /* Called as the probe's load runs (hx_run_watch_t.check): -1 with why stops the probe and makes hx_probe_run
     * fail with that reason, which ends the search or the sweep. */
    int (*check)(void *ctx, uint64_t elapsed_ns, char *why, size_t whylen);
    void *ctx;
} hx_probe_hooks_t;

/* A run's latency over time, for a chart (the sweep page): one point per point of its timeline. */
#define HX_PROBE_SERIES_MAX HX_TIMELINE_POINTS
typedef struct hx_probe_series {
    double t_s[HX_PROBE_SERIES_MAX]; /* the point's end, seconds since the run's start */
    double p50_ms[HX_PROBE_SERIES_MAX], p99_ms[HX_PROBE_SERIES_MAX]; /* NAN without a success */
    size_t n;
    double end_s; /* the run's length */
} hx_probe_series_t;

/* What every probe of a search shares. */
typedef struct hx_probe_plan {
    const char *const *load_args; /* the user's `soak load` flags, without "load" */
    size_t nload_args;
    uint64_t duration_ns, warmup_ns; /* the warm-up is part of the duration */
    uint64_t seed;                   /* probe i, repeat r runs with seed + 1000 i + r */
    const hx_expect_t *slos;
    size_t nslos;
    const char *reports_dir; /* each probe's JSON summary there, or NULL */
    bool reports_html;       /* and its HTML report (soak sweep: one chart per rate) */
    /* 0: open loop at the probe's rate. N: closed loop, N users without think time (soak sweep's synchronous and
     * throughput runs): the rate is ignored, --poisson is left out, and nothing is over-saturated. */
    uint32_t users;
    /* A closed loop is over-saturated when its latency rises through the probe (saturation.h: `rising`; soak find
     * --over users). Dropped and behind have no meaning without an arrival rate. */
    bool closed_rising;
    const hx_probe_hooks_t *hooks; /* NULL: the load's flags say everything (--config included) */
    hx_probe_series_t *series;     /* NULL, or where the run's latency over time goes */
} hx_probe_plan_t;

typedef struct hx_probe_record {
    double rate;    /* asked, per second (0 for a closed loop) */
    uint32_t users; /* the plan's users: 0 for an open loop */
    unsigned probe, repeat;
    uint64_t seed;
    double offered, achieved; /* per second, from the warm-up's end to the last arrival (probe.h) */
    double duration_s;        /* how long arrivals ran: the probe's length, or less when it stopped early */
    double ok_rate;           /* successes per second over the same span: a sweep's range is made of them */
    double p50_ms, p99_ms;    /* latency of successes; NAN when none succeeded */
    double failure_rate;      /* as the failure_rate metric counts it; NAN when nothing was offered */
    uint64_t requests, ok, dropped, late;
    uint64_t aborted; /* still unanswered when the drain ended: what the target may still be working on */
    hx_verdict_t verdicts[HX_FIND_MAX_SLOS];
    bool pass, saturated;
    char why[320]; /* why it failed ("latency.p99 612.0ms", "behind: ..."), "" when it passed */
} hx_probe_record_t;

/* Runs one probe and fills rec. Returns 0 (pass or fail in rec), or -1 with err: the load could not be built or
 * run (err holds its message and diagnostics), or the run was interrupted (SIGINT, SIGTERM). */
int hx_probe_run(const hx_probe_plan_t *plan, double rate, unsigned probe, unsigned repeat, hx_probe_record_t *rec,
                 char *err, size_t errlen);

/* Builds the `soak load` command line of a probe (argv[0] "load") into argv (room for HX_FIND_MAX_LOAD_ARGS + 16
 * words; the strings live in bufs, 6 buffers of 4096 bytes, and in plan). seed: NULL for none (the load draws
 * one); json: the probe's JSON summary path, or NULL (with plan->reports_html, the HTML report goes beside it,
 * .html for .json). Returns argc. Shared with the check `soak find` makes
 * before its first probe. */
int hx_probe_argv(const hx_probe_plan_t *plan, double rate, const uint64_t *seed, const char *json, const char **argv,
                  char bufs[6][4096]);

#endif
