/* harness/measure/verdict_internal.h — what verdict.c (parsing) and verdict_eval.c (evaluation) share: a
 * metric name resolved to what it measures and in which unit. Not part of the measure library's interface. */
#ifndef HX_VERDICT_INTERNAL_H
#define HX_VERDICT_INTERNAL_H

#include <stddef.h>

typedef enum metric_kind {
    MK_HIST,
    MK_FAILURE_RATE,
    MK_RATE_ACHIEVED,
    MK_RATE_OFFERED,
    MK_SUCCESSES_PER_MINUTE,
    MK_COUNT,
    MK_DRIFT,
    MK_SHARE,
    MK_GOODPUT_RATE,
    MK_GOODPUT_ATTAINMENT,
} metric_kind_t;

/* The unit of a metric's base value; also indexes unit_names[] and bound_expected[]. */
typedef enum metric_unit { U_MS, U_FRACTION, U_PER_SECOND, U_PER_MINUTE, U_COUNT, U_RATIO } metric_unit_t;

typedef enum hist_stat { ST_PERCENTILE, ST_MIN, ST_MAX, ST_MEAN } hist_stat_t;

typedef struct metric {
    metric_kind_t kind;
    metric_unit_t unit;
    size_t hist_off;   /* MK_HIST, MK_DRIFT: which histogram */
    hist_stat_t stat;  /* MK_HIST, MK_DRIFT */
    double pct;        /* ST_PERCENTILE: 0..100 */
    size_t count_off;  /* MK_COUNT: which uint64_t counter */
    const char *share; /* MK_SHARE: the deployment name (points into the metric string) */
} metric_t;

/* Resolves a metric name as written ("latency.p99", "drift.ttft.p50", "deployment_share.a") into m. Returns 0,
 * or -1 for a name that is no metric. */
int hx_metric_resolve(const char *name, metric_t *m);

#endif
