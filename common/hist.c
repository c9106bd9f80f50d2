/* common/hist.c — log-linear histogram (see hist.h for the bucket layout and precision). */
#include "common/hist.h"

#include <math.h>
#include <string.h>

#define EXACT (1u << CM_HIST_SUB_BITS)      /* values below this have a bucket each */
#define SUBS (1u << (CM_HIST_SUB_BITS - 1)) /* linear sub-buckets per power of two above */

void cm_hist_init(cm_hist_t *h)
{
    memset(h, 0, sizeof(*h));
    h->min = UINT64_MAX;
}

uint32_t cm_hist_index(uint64_t v)
{
    if (v > CM_HIST_MAX)
        v = CM_HIST_MAX;
    if (v < EXACT)
        return (uint32_t)v;
    /* e is the position of the top bit (>= CM_HIST_SUB_BITS); the next SUB_BITS-1 bits pick the
     * sub-bucket, so each bucket spans 2^(e - SUB_BITS + 1) values. */
    unsigned e = 63u - (unsigned)__builtin_clzll(v);
    unsigned shift = e - (CM_HIST_SUB_BITS - 1);
    uint32_t sub = (uint32_t)(v >> shift) & (SUBS - 1);
    return EXACT + (e - CM_HIST_SUB_BITS) * SUBS + sub;
}

uint64_t cm_hist_bucket_low(uint32_t index)
{
    if (index < EXACT)
        return index;
    uint32_t k = (index - EXACT) / SUBS, sub = (index - EXACT) % SUBS;
    unsigned shift = k + 1; /* e - (SUB_BITS - 1) with e = k + SUB_BITS */
    return ((uint64_t)(SUBS + sub)) << shift;
}

uint64_t cm_hist_bucket_high(uint32_t index)
{
    if (index < EXACT)
        return index;
    uint32_t k = (index - EXACT) / SUBS;
    return cm_hist_bucket_low(index) + (UINT64_C(1) << (k + 1)) - 1;
}

void cm_hist_record_n(cm_hist_t *h, uint64_t v, uint64_t n)
{
    if (n == 0)
        return;
    if (v > CM_HIST_MAX) {
        v = CM_HIST_MAX;
        h->clamped += n;
    }
    h->buckets[cm_hist_index(v)] += n;
    h->count += n;
    h->sum += (double)v * (double)n;
    if (v < h->min)
        h->min = v;
    if (v > h->max)
        h->max = v;
}

void cm_hist_record(cm_hist_t *h, uint64_t v)
{
    cm_hist_record_n(h, v, 1);
}

void cm_hist_merge(cm_hist_t *dst, const cm_hist_t *src)
{
    if (src->count == 0)
        return;
    for (uint32_t i = 0; i < CM_HIST_NBUCKETS; i++)
        dst->buckets[i] += src->buckets[i];
    dst->count += src->count;
    dst->clamped += src->clamped;
    dst->sum += src->sum;
    if (src->min < dst->min)
        dst->min = src->min;
    if (src->max > dst->max)
        dst->max = src->max;
}

uint64_t cm_hist_percentile(const cm_hist_t *h, double q)
{
    if (h->count == 0)
        return 0;
    if (!(q > 0)) /* also catches NaN */
        return h->min;
    if (q >= 100)
        return h->max;
    /* The value of rank ceil(q% of count): the same definition as the nearest-rank percentile of the
     * sorted samples, so the only error is the bucket's width. */
    double r = ceil(q / 100.0 * (double)h->count);
    uint64_t rank = r < 1 ? 1 : (uint64_t)r;
    uint64_t seen = 0;
    uint32_t i = 0;
    for (; i < CM_HIST_NBUCKETS - 1; i++) {
        seen += h->buckets[i];
        if (seen >= rank)
            break;
    }
    uint64_t lo = cm_hist_bucket_low(i), hi = cm_hist_bucket_high(i);
    uint64_t mid = lo + (hi - lo) / 2;
    if (mid < h->min)
        mid = h->min;
    if (mid > h->max)
        mid = h->max;
    return mid;
}

double cm_hist_mean(const cm_hist_t *h)
{
    return h->count ? h->sum / (double)h->count : 0.0;
}

uint64_t cm_hist_count_le(const cm_hist_t *h, uint64_t v)
{
    if (v >= CM_HIST_MAX)
        return h->count;
    uint32_t last = cm_hist_index(v);
    if (cm_hist_bucket_high(last) > v) {
        if (last == 0)
            return 0;
        last--;
    }
    uint64_t n = 0;
    for (uint32_t i = 0; i <= last; i++)
        n += h->buckets[i];
    return n;
}
