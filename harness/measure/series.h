/* harness/measure/series.h — the JSONL series' line for one closed interval: its time, phase, counts, latency,
 * pacer lag, errors, deployments, groups and warm-up requests (docs/json-summary.md "JSONL series"). */
#ifndef HX_SERIES_H
#define HX_SERIES_H

#include <stddef.h>
#include <stdint.h>

#include "common/buf.h"
#include "harness/measure/phase.h"
#include "harness/measure/stats.h"

typedef struct hx_series_line {
    const hx_stats_t *s;     /* the interval (start_ns, end_ns: monotonic) */
    uint64_t start_ns;       /* the run's start, monotonic */
    uint64_t wall_start_ms;  /* the wall-clock time of start_ns */
    const hx_phase_t *phase; /* the interval's phase, or NULL */
    uint64_t inflight;       /* requests in flight when it closed */
    const char *const *group_names;
    const hx_stats_t *groups; /* ngroups: each group's part of the interval */
    size_t ngroups;
    const hx_stats_t *warm; /* the warm-up requests of the interval (warm-up by count), or NULL */
} hx_series_line_t;

/* Appends the line, newline included, to b. */
void hx_series_format(cm_buf_t *b, const hx_series_line_t *l);

#endif
