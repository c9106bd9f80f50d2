/* harness/measure/timeline.c — the downsampled interval series.
 *
 * Why in memory rather than re-reading series.jsonl at the end: the HTML report must not depend on the
 * JSONL file being requested (or on the disk holding it after a write error), re-parsing a multi-day
 * series would cost seconds and a JSON parser pass at the very end of the run, and the collector already
 * holds every interval's stats for a moment as it closes it. A fixed array with pairwise compaction keeps
 * memory constant (HX_TIMELINE_POINTS points, about half a megabyte) and every point an equal share of time.
 *
 * A known limit: percentiles cannot be merged without their histograms, and keeping a histogram per point
 * would cost 2,000 times the histogram size. A merged point keeps the highest value of each percentile
 * among its intervals, so the charts of a long run show an upper envelope: a one-second latency spike in a
 * three-day run stays visible instead of being averaged away. Counts are summed exactly. */
#include "harness/measure/timeline.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "common/alloc.h"

const double hx_timeline_quantiles[3] = {50, 90, 99};

hx_timeline_t *hx_timeline_new(void)
{
    hx_timeline_t *tl = cm_xcalloc(1, sizeof(*tl));
    tl->points = cm_xcalloc(HX_TIMELINE_POINTS, sizeof(*tl->points));
    tl->per_point = 1;
    return tl;
}

void hx_timeline_free(hx_timeline_t *tl)
{
    if (tl == NULL)
        return;
    free(tl->points);
    free(tl);
}

static void percentiles(double out[3], const cm_hist_t *h)
{
    for (int i = 0; i < 3; i++)
        out[i] = h->count > 0 ? (double)cm_hist_percentile(h, hx_timeline_quantiles[i]) / 1000.0 : NAN;
}

static void point_from(hx_point_t *p, const hx_stats_t *s, double t0_s, double t1_s)
{
    memset(p, 0, sizeof(*p));
    p->t0_s = t0_s;
    p->t1_s = t1_s;
    p->offered = s->sent + s->dropped;
    p->total = s->all.total;
    p->ok = s->all.ok;
    memcpy(p->errors, s->errors, sizeof(p->errors));
    percentiles(p->latency_ms, &s->latency);
    percentiles(p->ttft_ms, &s->ttft);
    p->intervals = 1;
}

/* fmax ignores a NAN operand: an interval without data does not hide its neighbour's value. */
static void point_merge(hx_point_t *dst, const hx_point_t *src)
{
    dst->t0_s = fmin(dst->t0_s, src->t0_s);
    dst->t1_s = fmax(dst->t1_s, src->t1_s);
    dst->offered += src->offered;
    dst->total += src->total;
    dst->ok += src->ok;
    for (int e = 0; e < HX_ERR__COUNT; e++)
        dst->errors[e] += src->errors[e];
    for (int i = 0; i < 3; i++) {
        dst->latency_ms[i] = fmax(dst->latency_ms[i], src->latency_ms[i]);
        dst->ttft_ms[i] = fmax(dst->ttft_ms[i], src->ttft_ms[i]);
    }
    dst->intervals += src->intervals;
}

/* Merges points pairwise: n points become ceil(n / 2), each covering twice the intervals. */
static void compact(hx_timeline_t *tl)
{
    size_t out = 0;
    for (size_t i = 0; i < tl->n; i += 2, out++) {
        hx_point_t p = tl->points[i];
        if (i + 1 < tl->n)
            point_merge(&p, &tl->points[i + 1]);
        tl->points[out] = p;
    }
    tl->n = out;
    tl->per_point *= 2;
}

void hx_timeline_add(hx_timeline_t *tl, const hx_stats_t *s, double t0_s, double t1_s)
{
    hx_point_t p;
    point_from(&p, s, t0_s, t1_s);
    if (tl->n > 0 && tl->points[tl->n - 1].intervals < tl->per_point) {
        point_merge(&tl->points[tl->n - 1], &p);
        return;
    }
    if (tl->n == HX_TIMELINE_POINTS)
        compact(tl);
    if (tl->n > 0 && tl->points[tl->n - 1].intervals < tl->per_point)
        point_merge(&tl->points[tl->n - 1], &p);
    else
        tl->points[tl->n++] = p;
}
