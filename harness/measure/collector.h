/* harness/measure/collector.h — gathers the threads' interval stats, closes intervals on time, keeps the
 * cumulative totals, and appends each closed interval to the JSONL series as soon as it closes (so a
 * killed run keeps everything measured up to its last second). */
#ifndef HX_COLLECTOR_H
#define HX_COLLECTOR_H

#include <stdint.h>
#include <stdio.h>

#include "harness/measure/phase.h"
#include "harness/measure/stats.h"
#include "harness/measure/timeline.h"

typedef struct hx_collector hx_collector_t;

/* interval_ns: window length (default 1 s). start_ns: monotonic run start. series: open JSONL file or NULL
 * (not owned). wall_start_ms: wall-clock time of start_ns, for timestamps in the series. */
hx_collector_t *hx_collector_new(uint64_t start_ns, uint64_t wall_start_ms, uint64_t interval_ns, FILE *series);
void hx_collector_free(hx_collector_t *c);

/* Called by an engine thread (any time, typically on its interval timer): merges s into the interval that
 * contains s->start_ns and resets s to start at now_ns. Thread-safe (a mutex; called about once a second
 * per thread, never per request). Everything in s is attributed to the interval s started in, so submit at
 * (or just after) each interval boundary, not before it. A submit for an interval already closed goes to
 * the oldest open one; one more than 8 intervals ahead of the closing goes to the newest open one. */
void hx_collector_submit(hx_collector_t *c, hx_stats_t *s, uint64_t now_ns);
/* The same with the thread's per-group stats of the interval (groups: c's ngroups of them, or NULL): each is
 * merged into its group's part of the interval and reset with s. */
void hx_collector_submit_groups(hx_collector_t *c, hx_stats_t *s, hx_stats_t *groups, uint64_t now_ns);
/* The same with the thread's warm-up stats of the interval (warm: NULL when the run has no warm-up by count;
 * see hx_collector_set_warmup), reset with s. */
void hx_collector_submit_all(hx_collector_t *c, hx_stats_t *s, hx_stats_t *groups, hx_stats_t *warm, uint64_t now_ns);

/* Called by the main thread: closes every interval that ended before now_ns - grace_ns, writes its JSONL
 * line and folds it into the cumulative stats. `inflight` is the current total in-flight depth (sampled by
 * the caller) recorded on the interval. Returns the number of intervals closed. Pass grace_ns = 0 and
 * now_ns = UINT64_MAX at the end of the run to close everything. */
int hx_collector_close_due(hx_collector_t *c, uint64_t now_ns, uint64_t grace_ns, uint64_t inflight);

/* The cumulative stats over closed intervals, and the most recently closed interval (NULL before one).
 * Valid until the next call on c from the main thread. */
const hx_stats_t *hx_collector_total(const hx_collector_t *c);
const hx_stats_t *hx_collector_last(const hx_collector_t *c);
/* Every closed interval, downsampled to at most HX_TIMELINE_POINTS points (harness/measure/timeline.h).
 * Valid until hx_collector_free. */
const hx_timeline_t *hx_collector_timeline(const hx_collector_t *c);
/* First and last `window_ns` of the run as their own merged stats (for drift expectations). */
const hx_stats_t *hx_collector_first_window(const hx_collector_t *c);
const hx_stats_t *hx_collector_last_window(const hx_collector_t *c);
/* Configure the drift window length before the run (default 60 s; the caller passes a tenth of the run when
 * that is shorter). Resets both windows, so call it before the first interval closes. The first window is
 * the intervals that start within window_ns of the run's start; the last window is the newest closed
 * intervals that together cover at least window_ns (so a final interval cut short by the end of the run
 * does not make a window of its own). The last window is kept as at most 65 buckets of whole intervals: a
 * window longer than 64 intervals is quantised to buckets. NULL from the window getters means no interval
 * has closed yet. */
void hx_collector_set_drift_window(hx_collector_t *c, uint64_t window_ns);

/* The run's phases (not copied: ps must outlive c), before the first interval closes. Every closed interval
 * belongs to the phase its start lies in (hx_phases_at) and its JSONL line names it ("phase"); the intervals
 * of an excluded phase (warm-up, cool-down) are marked ("excluded": true) and kept out of the total and the
 * drift windows, but counted in hx_collector_everything and in their phase's span. Phase i is span i. */
void hx_collector_set_phases(hx_collector_t *c, const hx_phases_t *ps);
/* The load's groups (names not copied: they must outlive c), before the run: each closed interval then has a
 * part per group, in its JSONL line ("groups": {name: {...}}), in the group's total (excluded phases left
 * out) and in group spans. At most 8 groups. */
void hx_collector_set_groups(hx_collector_t *c, const char *const *names, size_t n);
/* The run has a warm-up by count (load.warmup: 500req), before the run: the warm-up requests the threads
 * submit apart (hx_collector_submit_all) are kept out of the total, the groups, the spans and the drift
 * windows, counted in hx_collector_everything and in hx_collector_warmup, and each JSONL line that has some
 * says so ("warmup": {...}). */
void hx_collector_set_warmup(hx_collector_t *c);
/* The warm-up's requests, merged; NULL without a warm-up by count. */
const hx_stats_t *hx_collector_warmup(const hx_collector_t *c);
/* A group's total, like hx_collector_total for the run. NULL when g is not a group. */
const hx_stats_t *hx_collector_group_total(const hx_collector_t *c, int g);
/* A span of one group's requests (group >= 0), or of the whole run (-1): see hx_collector_add_span. */
int hx_collector_add_group_span(hx_collector_t *c, uint64_t start_ns, uint64_t end_ns, int group);
/* Spans of run time [start_ns, end_ns), in ns from the run's start, registered before the run: every closed
 * interval whose start lies in a span is merged into that span's stats (excluded or not). Returns the span's
 * id (the same id for the same span registered twice), or -1 when HX_COLLECTOR_MAX_SPANS are taken. */
#define HX_COLLECTOR_MAX_SPANS 48
int hx_collector_add_span(hx_collector_t *c, uint64_t start_ns, uint64_t end_ns);
/* A span's merged stats; NULL when no interval closed in it (or id is not a span). */
const hx_stats_t *hx_collector_span(const hx_collector_t *c, int id);
/* Every closed interval, excluded phases included: what was really sent, for reconciling with a server. */
const hx_stats_t *hx_collector_everything(const hx_collector_t *c);

/* 0, or the errno of the first failed write/flush of the JSONL series (later lines are then skipped). The
 * run goes on; the caller reports the error at the end. */
int hx_collector_series_errno(const hx_collector_t *c);

#endif
