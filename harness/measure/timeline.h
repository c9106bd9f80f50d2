/* harness/measure/timeline.h — a bounded, downsampled copy of the run's interval series in memory, for
 * reports drawn at the end of a run (the HTML charts). The JSONL series on disk keeps every interval; this
 * keeps at most HX_TIMELINE_POINTS points whatever the run length, by merging adjacent intervals. */
#ifndef HX_TIMELINE_H
#define HX_TIMELINE_H

#include <stddef.h>
#include <stdint.h>

#include "harness/measure/stats.h"

/* Points kept. A 3-day run at 1 s intervals (259,200 intervals) keeps between 1,000 and 2,000 points of
 * 128 or 256 intervals each; a chart of 1,000 px has no use for more. */
#define HX_TIMELINE_POINTS 2000

/* One point: one interval, or several adjacent intervals merged. */
typedef struct hx_point {
    double t0_s, t1_s;  /* the span it covers, in seconds since the run's start */
    uint64_t offered;   /* sent + dropped: the arrivals the schedule produced */
    uint64_t total, ok; /* requests with an outcome, and those that succeeded */
    uint64_t errors[HX_ERR__COUNT];
    double latency_ms[3]; /* p50, p90, p99 of latency (successes); NAN when none */
    double ttft_ms[3];    /* p50, p90, p99 of ttft; NAN when no stream produced a token */
    uint32_t intervals;   /* collector intervals merged into it */
} hx_point_t;

typedef struct hx_timeline {
    hx_point_t *points; /* HX_TIMELINE_POINTS of them */
    size_t n;
    uint32_t per_point; /* intervals a full point holds: 1, then doubled by each compaction */
} hx_timeline_t;

/* The percentiles a point keeps, in the order of latency_ms[] and ttft_ms[]. */
extern const double hx_timeline_quantiles[3];

hx_timeline_t *hx_timeline_new(void);
void hx_timeline_free(hx_timeline_t *tl);
/* Appends one closed interval, [t0_s, t1_s] since the run's start. When every point is in use, adjacent
 * points are merged pairwise first (per_point doubles), so memory never grows. */
void hx_timeline_add(hx_timeline_t *tl, const hx_stats_t *s, double t0_s, double t1_s);

#endif
