/* harness/run/run.h — one `soak load` run from start to verdict: opens the report files, starts the engine and
 * the collector, draws the progress line, handles SIGINT/SIGTERM (first: stop and drain, second: abort),
 * closes intervals, evaluates the expectations and writes every report. */
#ifndef HX_RUN_H
#define HX_RUN_H

#include <stdint.h>
#include <stdio.h>

#include "harness/config/config.h"
#include "harness/measure/stats.h"
#include "harness/measure/timeline.h"
#include "harness/report/report.h"

/* Exit statuses shared by every soak command. */
#define HX_EXIT_PASS 0
#define HX_EXIT_FAIL 1  /* an expectation failed, or no request succeeded */
#define HX_EXIT_ERROR 2 /* usage, configuration or runtime error */
/* A failed run may end with a status per failed class instead of 1 when the user asks for it:
 * harness/measure/exitcode.h (10 latency ... 18 run failed) or an expectation's own exit_code (3..125). */

/* Runs cfg (finished by hx_cfg_finish). The final table and verdict go to out, progress and diagnostics to
 * err_out. Returns HX_EXIT_PASS, HX_EXIT_FAIL or HX_EXIT_ERROR (a report could not be written, the engine
 * could not start). SIGINT and SIGTERM are blocked in the calling thread for the duration of the run. */
int hx_run(const hx_cfg_t *cfg, FILE *out, FILE *err_out);

/* What the scenario runner checks while its load runs: check (or NULL) is called from the run's watch loop (the
 * calling thread) about every 100 ms with the time since the load started, and returns 0 to go on, or -1
 * with why filled (one line) to stop the load at once; the run then fails with that reason in every report
 * (hx_run_info_t.failure). */
typedef struct hx_run_watch {
    int (*check)(void *ctx, uint64_t elapsed_ns, char *why, size_t whylen);
    /* Called once the run is over, with its totals (before the reports are written), or NULL. The totals count
     * every request the run sent, excluded phases (warm-up, cool-down) too: what a server saw. */
    void (*done)(void *ctx, const hx_stats_t *total);
    void *ctx;
    /* Called once the verdicts are known, before any report is written, with the run's report (totals less the
     * excluded phases, every expectation's verdict) and its timeline (every closed interval, excluded phases
     * too), both valid during the call only; or NULL. `soak find` judges its probes on these. */
    void (*judged)(void *ctx, const hx_report_t *rep, const hx_timeline_t *timeline);
    /* Called from the watch loop after intervals closed, with the newest one and when it started (ns since the
     * load started); returns 0 to go on, or -1 with why filled to stop the load as check does. NULL: none. Not
     * called once the load is stopping. */
    int (*interval)(void *ctx, const hx_stats_t *last, uint64_t t0_ns, char *why, size_t whylen);
} hx_run_watch_t;

/* hx_run with a watch (NULL: none). */
int hx_run_watched(const hx_cfg_t *cfg, FILE *out, FILE *err_out, const hx_run_watch_t *watch);

#endif
