/* harness/collector.h — gathers the threads' interval stats, closes intervals on time, keeps the
 * cumulative totals, and appends each closed interval to the JSONL series as soon as it closes (so a
 * killed run keeps everything measured up to its last second). */
#ifndef HX_COLLECTOR_H
#define HX_COLLECTOR_H

#include <stdint.h>
#include <stdio.h>

#include "harness/stats.h"

typedef struct hx_collector hx_collector_t;

/* interval_ns: window length (default 1 s). start_ns: monotonic run start. series: open JSONL file or NULL
 * (not owned). wall_start_ms: wall-clock time of start_ns, for timestamps in the series. */
hx_collector_t *hx_collector_new(uint64_t start_ns, uint64_t wall_start_ms, uint64_t interval_ns, FILE *series);
void hx_collector_free(hx_collector_t *c);

/* Called by an engine thread (any time, typically on its interval timer): merges s into the interval that
 * contains s->start_ns and resets s to start at now_ns. Thread-safe (a mutex; called about once a second
 * per thread, never per request). */
void hx_collector_submit(hx_collector_t *c, hx_stats_t *s, uint64_t now_ns);

/* Called by the main thread: closes every interval that ended before now_ns - grace_ns, writes its JSONL
 * line and folds it into the cumulative stats. `inflight` is the current total in-flight depth (sampled by
 * the caller) recorded on the interval. Returns the number of intervals closed. Pass grace_ns = 0 and
 * now_ns = UINT64_MAX at the end of the run to close everything. */
int hx_collector_close_due(hx_collector_t *c, uint64_t now_ns, uint64_t grace_ns, uint64_t inflight);

/* The cumulative stats over closed intervals, and the most recently closed interval (NULL before one).
 * Valid until the next call on c from the main thread. */
const hx_stats_t *hx_collector_total(const hx_collector_t *c);
const hx_stats_t *hx_collector_last(const hx_collector_t *c);
/* First and last `window_ns` of the run as their own merged stats (for drift expectations). */
const hx_stats_t *hx_collector_first_window(const hx_collector_t *c);
const hx_stats_t *hx_collector_last_window(const hx_collector_t *c);
/* Configure the drift window length before the run (default 60 s, or a tenth of the run when shorter). */
void hx_collector_set_drift_window(hx_collector_t *c, uint64_t window_ns);

#endif
