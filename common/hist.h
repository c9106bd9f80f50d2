/* common/hist.h — log-linear latency histogram: fixed memory, mergeable, about 1% precision.
 *
 * Values are unsigned integers in whatever unit the caller picks (SoakRig records microseconds). Buckets are
 * exact below 2^CM_HIST_SUB_BITS and then split each power of two into 2^(CM_HIST_SUB_BITS-1) linear
 * sub-buckets, so the relative error of any reported percentile is below 2^-(CM_HIST_SUB_BITS-1)
 * (0.78% with 8 bits). Values up to CM_HIST_MAX (2^32-1: 71 minutes in microseconds) are recorded exactly
 * to that precision; larger ones are clamped to CM_HIST_MAX and counted in `clamped`.
 *
 * Not thread-safe: each thread records into its own histograms and a reader merges them (cm_hist_merge)
 * at interval boundaries. */
#ifndef CM_HIST_H
#define CM_HIST_H

#include <stdint.h>

#define CM_HIST_SUB_BITS 8
#define CM_HIST_MAX UINT64_C(0xFFFFFFFF)
/* 2^8 exact buckets + 24 powers of two (2^8 .. 2^32) x 128 sub-buckets. */
#define CM_HIST_NBUCKETS ((1u << CM_HIST_SUB_BITS) + (32u - CM_HIST_SUB_BITS) * (1u << (CM_HIST_SUB_BITS - 1)))

typedef struct cm_hist {
    uint64_t count;
    uint64_t clamped;
    uint64_t min, max; /* exact; min = UINT64_MAX when empty */
    double sum;        /* exact sum of recorded values (after clamping), for the mean */
    uint64_t buckets[CM_HIST_NBUCKETS];
} cm_hist_t;

void cm_hist_init(cm_hist_t *h); /* also resets */
void cm_hist_record(cm_hist_t *h, uint64_t v);
void cm_hist_record_n(cm_hist_t *h, uint64_t v, uint64_t n);
void cm_hist_merge(cm_hist_t *dst, const cm_hist_t *src);
/* q in [0, 100]. Returns the value at that percentile (the midpoint of its bucket, clamped into
 * [min, max]; q = 100 returns max exactly, q = 0 returns min). 0 when empty. */
uint64_t cm_hist_percentile(const cm_hist_t *h, double q);
double cm_hist_mean(const cm_hist_t *h); /* 0 when empty */
/* Count of recorded values <= v (bucket granularity: a bucket counts when its upper bound is <= v).
 * Used to render Prometheus cumulative buckets. */
uint64_t cm_hist_count_le(const cm_hist_t *h, uint64_t v);
/* Bucket index <-> value range helpers (exposed for tests and exporters). */
uint32_t cm_hist_index(uint64_t v);
uint64_t cm_hist_bucket_low(uint32_t index);
uint64_t cm_hist_bucket_high(uint32_t index); /* inclusive */

#endif
