/* harness/measure/selfcheck.h — is the client the bottleneck? From a run's stats (hx_stats_t: pacer lag, late
 * sends, the engine threads' CPU samples), the figures and warnings every report shows, so that a user knows
 * when the numbers describe soak rather than the target (docs/soak.md "Is the client the bottleneck?"). */
#ifndef HX_SELFCHECK_H
#define HX_SELFCHECK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "harness/measure/stats.h"

/* The pacer is behind when the 99th percentile of its lag is above 10 ms: by then a tenth of a typical
 * target's p99 (or more) may be the client's own delay. */
#define HX_LAG_WARN_NS (10ull * 1000000ull)
#define HX_SELFCHECK_MSG_MAX 320

typedef struct hx_selfcheck {
    double lag_p50_ms, lag_p99_ms, lag_max_ms; /* -1 when nothing was sent */
    double late_share;                         /* late / sent, 0 when nothing was sent */
    double cpu_s;                              /* the engine threads' CPU time */
    double cpu_busy_max;                       /* the busiest thread-interval's share of its wall time, 0..1 */
    bool cpu_saturated;                        /* at least one thread-interval at HX_CPU_SATURATED_PERMILLE */
    bool lag_large;                            /* lag p99 above HX_LAG_WARN_NS */
    char cpu_warning[HX_SELFCHECK_MSG_MAX];    /* one line each, "" when there is nothing to say */
    char lag_warning[HX_SELFCHECK_MSG_MAX];
} hx_selfcheck_t;

/* Fills out from s (a run's total, a phase's or a group's stats). */
void hx_selfcheck(const hx_stats_t *s, hx_selfcheck_t *out);
/* Whether out carries a warning. */
bool hx_selfcheck_warns(const hx_selfcheck_t *c);

#endif
