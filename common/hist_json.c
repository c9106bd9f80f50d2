/* common/hist_json.c — a histogram as exact, sparse JSON and back (see hist_json.h for the shape).
 *
 * The reader is the gate of an exact merge: a histogram that passes it is one this build could have
 * recorded, so summing it bucket by bucket into another gives what one histogram recording both runs would
 * hold. It therefore refuses anything it would have to guess about (a bucket of another layout, a count of
 * 0, a bucket twice, counts that do not add up) rather than repairing it. */
#include "common/hist_json.h"

#include <float.h>
#include <inttypes.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>

/* How much of an offending value an error message quotes. */
#define QUOTE_MAX 40

typedef struct reader {
    const cm_json_doc_t *d;
    char *err;
    size_t errlen;
} reader_t;

void cm_hist_json_write_layout(cm_jw_t *w)
{
    cm_jw_obj(w);
    cm_jw_kv_str(w, "scheme", CM_HIST_JSON_SCHEME);
    cm_jw_kv_uint(w, "sub_bits", CM_HIST_SUB_BITS);
    cm_jw_kv_uint(w, "max", CM_HIST_MAX);
    cm_jw_kv_uint(w, "bucket_count", CM_HIST_NBUCKETS);
    cm_jw_obj_end(w);
}

static void write_bound(cm_jw_t *w, const char *key, bool has, uint64_t v)
{
    cm_jw_key(w, key);
    if (has)
        cm_jw_uint(w, v);
    else
        cm_jw_null(w);
}

void cm_hist_json_write(cm_jw_t *w, const cm_hist_t *h, const char *unit)
{
    cm_jw_obj(w);
    cm_jw_kv_str(w, "unit", unit);
    cm_jw_kv_uint(w, "count", h->count);
    cm_jw_kv_uint(w, "clamped", h->clamped);
    write_bound(w, "min", h->count > 0, h->min);
    write_bound(w, "max", h->count > 0, h->max);
    /* The shortest form that reads back as the same double: a sum of integers below 2^53 stays exact. */
    cm_jw_kv_double(w, "sum", h->sum);
    cm_jw_key(w, "buckets");
    cm_jw_arr(w);
    for (uint32_t i = 0; i < CM_HIST_NBUCKETS; i++) {
        if (h->buckets[i] == 0)
            continue;
        cm_jw_arr(w);
        cm_jw_uint(w, cm_hist_bucket_low(i));
        cm_jw_uint(w, cm_hist_bucket_high(i));
        cm_jw_uint(w, h->buckets[i]);
        cm_jw_arr_end(w);
    }
    cm_jw_arr_end(w);
    cm_jw_obj_end(w);
}

/* ---- reader ----------------------------------------------------------------------------------------- */

static int fail(const reader_t *r, uint32_t tok, const char *path, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* "<path> (byte N): <what>": the member relative to the histogram object, and where its value starts. */
static int fail(const reader_t *r, uint32_t tok, const char *path, const char *fmt, ...)
{
    int n = snprintf(r->err, r->errlen, "%s (byte %" PRIu32 "): ", path, r->d->tok[tok].start);
    if (n >= 0 && (size_t)n < r->errlen) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(r->err + n, r->errlen - (size_t)n, fmt, ap);
        va_end(ap);
    }
    return -1;
}

/* "lo..hi" into buf. */
static const char *span(char *buf, size_t n, uint64_t lo, uint64_t hi)
{
    snprintf(buf, n, "%" PRIu64 "..%" PRIu64, lo, hi);
    return buf;
}

static int tok_uint(const reader_t *r, uint32_t t, const char *path, uint64_t *out)
{
    int64_t v;
    if (cm_json_int(r->d, t, &v) != 0 || v < 0) {
        cm_str_t raw = cm_json_raw(r->d, t);
        const char *q = cm_json_type(r->d, t) == CM_JSON_STRING ? "\"" : "";
        int len = raw.n > QUOTE_MAX ? QUOTE_MAX : (int)raw.n;
        return fail(r, t, path, "%s%.*s%s%s is not an integer in 0..%" PRId64, q, len, raw.p,
                    raw.n > QUOTE_MAX ? "..." : "", q, INT64_MAX);
    }
    *out = (uint64_t)v;
    return 0;
}

/* The member key of obj; 0 (and err filled) when it is missing. */
static uint32_t member(const reader_t *r, uint32_t obj, const char *path, const char *key)
{
    uint32_t t = cm_json_get(r->d, obj, key);
    if (t == 0)
        fail(r, obj, path, "missing");
    return t;
}

static int member_uint(const reader_t *r, uint32_t obj, const char *path, const char *key, uint64_t *out)
{
    uint32_t t = member(r, obj, path, key);
    return t == 0 ? -1 : tok_uint(r, t, path, out);
}

static int expect_uint(const reader_t *r, uint32_t obj, const char *path, const char *key, uint64_t want)
{
    uint64_t v;
    if (member_uint(r, obj, path, key, &v) != 0)
        return -1;
    if (v != want)
        return fail(r, cm_json_get(r->d, obj, key), path, "%" PRIu64 ", but this build's layout has %" PRIu64, v, want);
    return 0;
}

int cm_hist_json_check_layout(const cm_json_doc_t *d, uint32_t layout, char *err, size_t errlen)
{
    reader_t r = {d, err, errlen};
    if (layout == 0) { /* cm_json_get's "absent": the root is never a layout */
        snprintf(err, errlen, "layout: missing");
        return -1;
    }
    if (cm_json_type(d, layout) != CM_JSON_OBJECT)
        return fail(&r, layout, "layout", "expected an object");
    uint32_t scheme = member(&r, layout, "layout.scheme", "scheme");
    if (scheme == 0)
        return -1;
    if (!cm_json_str_eq(d, scheme, CM_HIST_JSON_SCHEME))
        return fail(&r, scheme, "layout.scheme", "expected \"%s\"", CM_HIST_JSON_SCHEME);
    if (expect_uint(&r, layout, "layout.sub_bits", "sub_bits", CM_HIST_SUB_BITS) != 0 ||
        expect_uint(&r, layout, "layout.max", "max", CM_HIST_MAX) != 0 ||
        expect_uint(&r, layout, "layout.bucket_count", "bucket_count", CM_HIST_NBUCKETS) != 0)
        return -1;
    return 0;
}

/* Entry i, [low, high, count]: exactly one bucket of this layout, above the entry before it (prev, -1 for the
 * first), with a count above 0. */
static int read_bucket(const reader_t *r, uint32_t e, uint32_t i, int64_t prev, uint32_t *index, uint64_t *n)
{
    char path[40], range[48];
    uint64_t v[3];
    snprintf(path, sizeof(path), "buckets[%" PRIu32 "]", i);
    if (cm_json_type(r->d, e) != CM_JSON_ARRAY || r->d->tok[e].count != 3)
        return fail(r, e, path, "expected [low, high, count]");
    for (int k = 0; k < 3; k++) {
        snprintf(path, sizeof(path), "buckets[%" PRIu32 "][%d]", i, k);
        if (tok_uint(r, cm_json_at(r->d, e, (uint32_t)k), path, &v[k]) != 0)
            return -1;
    }
    snprintf(path, sizeof(path), "buckets[%" PRIu32 "]", i);
    if (v[0] > CM_HIST_MAX)
        return fail(r, e, path, "low %" PRIu64 " is above the layout's max %" PRIu64, v[0], CM_HIST_MAX);
    *index = cm_hist_index(v[0]);
    uint64_t lo = cm_hist_bucket_low(*index), hi = cm_hist_bucket_high(*index);
    if (lo != v[0] || hi != v[1])
        return fail(r, e, path, "%" PRIu64 "..%" PRIu64 " is not a bucket of this layout (%" PRIu64 " is in %s)", v[0],
                    v[1], v[0], span(range, sizeof(range), lo, hi));
    if ((int64_t)*index <= prev)
        return fail(r, e, path, "%s is not above the bucket before it (buckets ascend, each once)",
                    span(range, sizeof(range), lo, hi));
    if (v[2] == 0)
        return fail(r, e, path, "count 0: only non-empty buckets are listed");
    *n = v[2];
    return 0;
}

/* The buckets into h->buckets; their total into *total, the first and last index into *first, *last. */
static int read_buckets(const reader_t *r, uint32_t arr, cm_hist_t *h, uint64_t *total, uint32_t *first, uint32_t *last)
{
    if (cm_json_type(r->d, arr) != CM_JSON_ARRAY)
        return fail(r, arr, "buckets", "expected an array");
    if (r->d->tok[arr].count > CM_HIST_NBUCKETS)
        return fail(r, arr, "buckets", "%" PRIu32 " entries, more than the layout's %u buckets", r->d->tok[arr].count,
                    CM_HIST_NBUCKETS);
    *total = 0;
    uint32_t i = 0;
    for (uint32_t e = cm_json_first(r->d, arr); e != 0; e = cm_json_next(r->d, e), i++) {
        uint32_t index = 0;
        uint64_t n = 0;
        if (read_bucket(r, e, i, i > 0 ? (int64_t)*last : -1, &index, &n) != 0)
            return -1;
        if (__builtin_add_overflow(*total, n, total)) {
            char path[32];
            snprintf(path, sizeof(path), "buckets[%" PRIu32 "]", i);
            return fail(r, e, path, "the counts up to here overflow 64 bits");
        }
        h->buckets[index] = n;
        if (i == 0)
            *first = index;
        *last = index;
    }
    return 0;
}

/* min or max: null exactly when the histogram is empty; otherwise a value in bucket `index`, the `which`
 * ("first" or "last") non-empty one. */
static int read_bound(const reader_t *r, uint32_t obj, const char *key, const char *which, uint64_t count,
                      uint32_t index, uint64_t *out)
{
    char range[48];
    uint32_t t = member(r, obj, key, key);
    if (t == 0)
        return -1;
    if (count == 0)
        return cm_json_type(r->d, t) == CM_JSON_NULL ? 0 : fail(r, t, key, "expected null: count is 0");
    if (tok_uint(r, t, key, out) != 0)
        return -1;
    if (*out > CM_HIST_MAX || cm_hist_index(*out) != index)
        return fail(r, t, key, "%" PRIu64 " is not in the %s bucket %s", *out, which,
                    span(range, sizeof(range), cm_hist_bucket_low(index), cm_hist_bucket_high(index)));
    return 0;
}

/* clamped values were recorded as CM_HIST_MAX: they are in the top bucket, and max is CM_HIST_MAX. */
static int check_clamped(const reader_t *r, uint32_t obj, const cm_hist_t *h)
{
    uint32_t t = cm_json_get(r->d, obj, "clamped");
    if (h->clamped > h->buckets[CM_HIST_NBUCKETS - 1])
        return fail(r, t, "clamped", "%" PRIu64 ", more than the top bucket's %" PRIu64, h->clamped,
                    h->buckets[CM_HIST_NBUCKETS - 1]);
    if (h->clamped > 0 && h->max != CM_HIST_MAX)
        return fail(r, t, "clamped", "%" PRIu64 " clamped values but max %" PRIu64 " is not %" PRIu64, h->clamped,
                    h->max, CM_HIST_MAX);
    return 0;
}

/* sum is the doubles' sum of what was recorded, so it lies between count x min and count x max up to the
 * rounding of count additions. */
static int read_sum(const reader_t *r, uint32_t obj, cm_hist_t *h)
{
    uint32_t t = member(r, obj, "sum", "sum");
    if (t == 0)
        return -1;
    if (cm_json_double(r->d, t, &h->sum) != 0 || !isfinite(h->sum) || h->sum < 0)
        return fail(r, t, "sum", "expected a finite number >= 0");
    double n = (double)h->count, slack = n * DBL_EPSILON;
    double lo = h->count ? (double)h->min * n : 0, hi = h->count ? (double)h->max * n : 0;
    if (h->sum < lo * (1 - slack) || h->sum > hi * (1 + slack))
        return fail(r, t, "sum", "%.17g is outside count x min .. count x max (%.17g .. %.17g)", h->sum, lo, hi);
    return 0;
}

static int read_hist(const reader_t *r, uint32_t obj, const char *unit, cm_hist_t *h)
{
    if (obj == 0) { /* cm_json_get's "absent" */
        snprintf(r->err, r->errlen, "histogram: missing");
        return -1;
    }
    if (cm_json_type(r->d, obj) != CM_JSON_OBJECT)
        return fail(r, obj, "histogram", "expected an object");
    uint32_t u = member(r, obj, "unit", "unit");
    if (u == 0)
        return -1;
    if (cm_json_type(r->d, u) != CM_JSON_STRING)
        return fail(r, u, "unit", "expected a string");
    if (unit != NULL && !cm_json_str_eq(r->d, u, unit))
        return fail(r, u, "unit", "expected \"%s\"", unit);
    uint32_t arr = member(r, obj, "buckets", "buckets");
    uint64_t total = 0;
    uint32_t first = 0, last = 0;
    if (arr == 0 || member_uint(r, obj, "count", "count", &h->count) != 0 ||
        member_uint(r, obj, "clamped", "clamped", &h->clamped) != 0 ||
        read_buckets(r, arr, h, &total, &first, &last) != 0)
        return -1;
    if (total != h->count)
        return fail(r, arr, "buckets", "the counts sum to %" PRIu64 ", but count is %" PRIu64, total, h->count);
    if (read_bound(r, obj, "min", "first", h->count, first, &h->min) != 0 ||
        read_bound(r, obj, "max", "last", h->count, last, &h->max) != 0)
        return -1;
    if (h->count > 0 && h->min > h->max)
        return fail(r, cm_json_get(r->d, obj, "min"), "min", "%" PRIu64 " is above max %" PRIu64, h->min, h->max);
    if (check_clamped(r, obj, h) != 0)
        return -1;
    return read_sum(r, obj, h);
}

int cm_hist_from_json(const cm_json_doc_t *d, uint32_t layout, uint32_t obj, const char *unit, cm_hist_t *h, char *err,
                      size_t errlen)
{
    reader_t r = {d, err, errlen};
    cm_hist_init(h);
    if (cm_hist_json_check_layout(d, layout, err, errlen) != 0 || read_hist(&r, obj, unit, h) != 0) {
        cm_hist_init(h);
        return -1;
    }
    return 0;
}
