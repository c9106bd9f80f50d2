/* harness/capacity/sweep.h — `soak sweep`: the target across its whole range in one table. A synchronous run (one
 * user, one request at a time: the rate of an idle target), a throughput run (a closed loop of many users without
 * think time: the most it serves), each measured in successes per second, then N constant (or Poisson) rates
 * evenly spaced above the synchronous rate up to the throughput rate: rate i = sync + (max - sync) x i / N. Every
 * run is a probe (probe.h) with its warm-up left out. Flags: find.h (hx_find_parse with argv[0] "sweep").
 * Reference: docs/capacity.md. */
#ifndef HX_SWEEP_H
#define HX_SWEEP_H

#include <stdio.h>

#include "harness/capacity/find.h"
#include "harness/run/runner.h"

/* What a sweep measured. */
typedef struct hx_sweep_outcome {
    const hx_find_opts_t *opts;
    const hx_probe_record_t *runs; /* synchronous, throughput, then the rates */
    size_t nruns;
    double sync_rate, max_rate; /* successes per second of the two closed loops; 0 until measured */
    bool complete;              /* false: stopped by an error or an interrupt */
    const hx_probe_series_t *series; /* each run's latency over time (as many as runs), or NULL */
} hx_sweep_outcome_t;

/* Runs the sweep of a scenario under soak run (load.arrival: {sweep: ...}; cap_scenario.c): its settings from the
 * file's keys, its SLOs from its expect: list, its JSON (sweep.json), runs' reports and page (sweep.html) in the
 * report directory. The hx_runner_opts_t.sweep of `soak run`. Returns as hx_sweep_run. */
int hx_cap_scenario_sweep(const hx_runner_env_t *env);

/* The constant rates of a sweep: n rates from sync_rate up to max_rate (rates[n - 1] == max_rate). */
void hx_sweep_rates(double sync_rate, double max_rate, unsigned n, double *rates);

/* Runs the sweep: a line per run on err_out as it ends, the table on out, the JSON file, and with
 * --probe-reports DIR the sweep page DIR/sweep.html (linked on out: "report: DIR/sweep.html"). Returns
 * HX_EXIT_PASS, HX_EXIT_FAIL (the synchronous or the throughput run had no success: no range to sweep) or
 * HX_EXIT_ERROR. */
int hx_sweep_run(const hx_find_opts_t *o, FILE *out, FILE *err_out);

/* The reports (cap_report.c): a run's label in the table ("sync", "max", then the rates from 1; buf holds at
 * least 24 bytes), the table, the JSON. */
const char *hx_sweep_label(size_t i, char *buf, size_t n);
void hx_sweep_table(FILE *out, const hx_sweep_outcome_t *s);
int hx_sweep_json(FILE *out, const hx_sweep_outcome_t *s); /* 0, or -1 with errno */

/* The sweep page (sweep_page.c): one self-contained HTML file with the table of every run (each linked to its
 * own report, probe-NNN-1.html beside it) and one chart per run of its latency p50 and p99 over time, the warm-up
 * shaded. s->series must be set. Returns 0, or -1 with errno on a write error. */
int hx_sweep_page(FILE *out, const hx_sweep_outcome_t *s);
#define HX_SWEEP_PAGE "sweep.html" /* its name in the reports directory */

void hx_sweep_usage(FILE *out); /* soak help sweep */

#endif
