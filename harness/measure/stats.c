/* harness/measure/stats.c — recording one finished request into a thread's stats, merging stats, and the
 * process-wide table of deployment names.
 *
 * Recording is on the hot path (once per request on the engine thread that owns the stats): no locks, no
 * allocation, a handful of histogram increments. Times are turned into microseconds here, once. */
#include "harness/measure/stats.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "common/alloc.h"

/* The histograms of a stats block, so that reset and merge walk them in one place. */
static const size_t hist_offsets[] = {
    offsetof(hx_stats_t, latency),
    offsetof(hx_stats_t, service),
    offsetof(hx_stats_t, latency_all),
    offsetof(hx_stats_t, ttfb),
    offsetof(hx_stats_t, ttft),
    offsetof(hx_stats_t, itl),
    offsetof(hx_stats_t, icl),
    offsetof(hx_stats_t, ttfrt),
    offsetof(hx_stats_t, tpot),
    offsetof(hx_stats_t, tpot_incl_first),
    offsetof(hx_stats_t, otps),
    offsetof(hx_stats_t, ttlt),
    offsetof(hx_stats_t, mock_service),
    offsetof(hx_stats_t, gateway_overhead),
    offsetof(hx_stats_t, litellm_overhead),
    offsetof(hx_stats_t, pacer_lag),
};
#define HX_STATS_NHIST (sizeof(hist_offsets) / sizeof(hist_offsets[0]))

static cm_hist_t *stats_hist(hx_stats_t *s, size_t i)
{
    return (cm_hist_t *)((char *)s + hist_offsets[i]);
}

static const cm_hist_t *stats_hist_const(const hx_stats_t *s, size_t i)
{
    return (const cm_hist_t *)((const char *)s + hist_offsets[i]);
}

void hx_stats_init(hx_stats_t *s)
{
    hx_stats_reset(s, 0);
}

void hx_stats_reset(hx_stats_t *s, uint64_t start_ns)
{
    /* The counters are cleared with one memset; the histograms need cm_hist_init because an empty
     * histogram has min = UINT64_MAX, not 0. */
    memset(s, 0, sizeof(*s));
    for (size_t i = 0; i < HX_STATS_NHIST; i++)
        cm_hist_init(stats_hist(s, i));
    s->start_ns = start_ns;
}

/* b - a in microseconds, 0 when b is not after a (a missing or out-of-order timestamp never produces a
 * huge unsigned value). */
static uint64_t span_us(uint64_t a, uint64_t b)
{
    return b > a ? (b - a) / 1000u : 0;
}

static uint64_t ms_to_us(double ms)
{
    if (!(ms > 0))
        return 0;
    if (ms >= (double)CM_HIST_MAX / 1000.0)
        return CM_HIST_MAX; /* the histogram clamps and counts it */
    return (uint64_t)(ms * 1000.0 + 0.5);
}

static void count_outcome(hx_counts_t *c, hx_err_t err)
{
    c->total++;
    if (err == HX_ERR_NONE)
        c->ok++;
    else
        c->failed++;
    if (err == HX_ERR_HTTP_429)
        c->rate_limited++;
}

static bool is_http_error(hx_err_t e)
{
    return e == HX_ERR_HTTP_4XX || e == HX_ERR_HTTP_429 || e == HX_ERR_HTTP_5XX || e == HX_ERR_HTTP_OTHER;
}

static void record_counts(hx_stats_t *s, const hx_result_t *r)
{
    count_outcome(&s->all, r->err);
    int cls = r->status >= 100 && r->status < 600 ? r->status / 100 : 0;
    s->status[cls]++;
    if ((unsigned)r->err < HX_ERR__COUNT)
        s->errors[r->err]++;
    else
        s->errors[HX_ERR_OTHER]++;
    if (is_http_error(r->err) && r->status > 0 && r->status < HX_STATUS_SLOTS)
        s->http_errors[r->status]++;
    if (r->request < HX_MAX_REQUESTS)
        count_outcome(&s->by_request[r->request], r->err);
    if (r->model < HX_MAX_MODELS)
        count_outcome(&s->by_model[r->model], r->err);
    if (r->deployment != NULL && r->deployment_len > 0) {
        uint32_t d = hx_stats_intern_deployment(r->deployment, r->deployment_len);
        count_outcome(&s->by_deployment[d], r->err);
    }
    s->tokens += r->tokens;
}

/* Streams: time to first and last token are measured from the intended send time, like latency, because
 * that is what a user waiting on the schedule feels. They are recorded for any stream that produced a
 * token, including streams that broke later: the first token did arrive at that time. */
static void record_stream(hx_stats_t *s, const hx_result_t *r)
{
    if (r->first_token != 0)
        cm_hist_record(&s->ttft, span_us(r->intended, r->first_token));
    if (r->last_token != 0)
        cm_hist_record(&s->ttlt, span_us(r->intended, r->last_token));
    if (r->first_reasoning != 0)
        cm_hist_record(&s->ttfrt, span_us(r->intended, r->first_reasoning));
}

/* The per-token ITL: without the model's tokenizer the harness cannot see token boundaries inside a chunk,
 * so the stream's token count n is spread over its C chunks the way servers that batch tokens send them:
 * full chunks of ceil(n/C) tokens and the remainder at the end (every chunk keeping at least one token). Each
 * gap is divided over the tokens of the chunk it ends, once per token. Exact when every chunk but the last
 * carries the same number of tokens. A chunk with output carries at least one token, so a usage count below
 * the chunk count is not trusted here (token_counts reports the discrepancy). */
static void record_itl(hx_stats_t *s, const hx_result_t *r)
{
    uint64_t chunks = r->chunks, n = r->tokens > r->chunks ? r->tokens : r->chunks;
    if (chunks < 2 || r->gaps == NULL)
        return;
    uint64_t full = (n + chunks - 1) / chunks, assigned = 0;
    for (uint64_t c = 0; c < chunks && c <= r->ngaps; c++) {
        uint64_t room = n - assigned - (chunks - 1 - c); /* the chunks after this one keep a token each */
        uint64_t k = full < room ? full : room;
        assigned += k;
        if (c > 0) /* gap c - 1 ends chunk c */
            cm_hist_record_n(&s->itl, r->gaps[c - 1] / k, k);
    }
}

static void record_usage(hx_stats_t *s, const hx_result_t *r)
{
    if (r->usage_tokens < 0) {
        s->usage_missing++;
        return;
    }
    s->usage_compared++;
    s->usage_differs += (uint64_t)r->usage_tokens != r->chunks;
    s->usage_tokens += (uint64_t)r->usage_tokens;
    s->usage_chunks += r->chunks;
}

/* What needs a complete answer: the token count is final only when the stream ended well. */
static void record_success_tokens(hx_stats_t *s, const hx_result_t *r)
{
    hx_rmetrics_t m;
    hx_result_metrics(r, &m);
    s->success_tokens += r->tokens;
    if (m.has[HX_RM_OTPS])
        cm_hist_record(&s->otps, (uint64_t)(m.v[HX_RM_OTPS] * 1000.0 + 0.5));
    if (!r->stream)
        return;
    if (m.has[HX_RM_TPOT])
        cm_hist_record(&s->tpot, ms_to_us(m.v[HX_RM_TPOT]));
    if (m.has[HX_RM_TPOT_INCL_FIRST])
        cm_hist_record(&s->tpot_incl_first, ms_to_us(m.v[HX_RM_TPOT_INCL_FIRST]));
    record_itl(s, r);
    record_usage(s, r);
}

/* Ground truth from the mock and the gateway goes into histograms of its own and never into the request
 * counts or latency (the Locust harness mixed its overhead samples into the request totals). The mock's
 * x-mock-service-ms is the whole time it planned for the response, stream included (it knows the end
 * before it sends the first chunk), so it is compared with the whole client-side service time. */
static void record_overheads(hx_stats_t *s, const hx_result_t *r)
{
    if (r->mock_service_ms >= 0) {
        uint64_t mock_us = ms_to_us(r->mock_service_ms);
        cm_hist_record(&s->mock_service, mock_us);
        if (r->done != 0) {
            uint64_t client_us = span_us(r->sent, r->done);
            cm_hist_record(&s->gateway_overhead, client_us > mock_us ? client_us - mock_us : 0);
        }
    }
    if (r->gateway_overhead_ms >= 0)
        cm_hist_record(&s->litellm_overhead, ms_to_us(r->gateway_overhead_ms));
}

void hx_stats_record(hx_stats_t *s, const hx_result_t *r)
{
    /* A request cut off by the end of the run has no outcome: counting it as a failure would punish the
     * target for the harness stopping, and its latency is only a lower bound. */
    if (r->err == HX_ERR_CLIENT_CLOSED) {
        s->aborted++;
        s->errors[HX_ERR_CLIENT_CLOSED]++;
        return;
    }
    record_counts(s, r);
    cm_hist_record(&s->latency_all, span_us(r->intended, r->done));
    if (r->err == HX_ERR_NONE) {
        cm_hist_record(&s->latency, span_us(r->intended, r->done));
        cm_hist_record(&s->service, span_us(r->sent, r->done));
        record_success_tokens(s, r);
        s->good += r->good;
    }
    if (r->first_byte != 0)
        cm_hist_record(&s->ttfb, span_us(r->sent, r->first_byte));
    if (r->stream)
        record_stream(s, r);
    record_overheads(s, r);
}

void hx_stats_record_dropped(hx_stats_t *s)
{
    s->dropped++;
    s->errors[HX_ERR_DROPPED]++;
}

uint64_t hx_stats_offered(const hx_stats_t *s)
{
    return s->all.total + s->aborted + s->dropped;
}

uint64_t hx_stats_unsuccessful(const hx_stats_t *s)
{
    return s->all.failed + s->aborted + s->dropped;
}

void hx_stats_record_icl(hx_stats_t *s, uint64_t gap_ns)
{
    cm_hist_record(&s->icl, gap_ns / 1000u);
}

static void add_counts(hx_counts_t *dst, const hx_counts_t *src, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        dst[i].total += src[i].total;
        dst[i].ok += src[i].ok;
        dst[i].failed += src[i].failed;
        dst[i].rate_limited += src[i].rate_limited;
    }
}

static void add_u64(uint64_t *dst, const uint64_t *src, size_t n)
{
    for (size_t i = 0; i < n; i++)
        dst[i] += src[i];
}

void hx_stats_record_sent(hx_stats_t *s, uint64_t intended, uint64_t sent)
{
    s->sent++;
    cm_hist_record(&s->pacer_lag, span_us(intended, sent));
    if (sent > intended && sent - intended > HX_LATE_NS)
        s->late++;
}

void hx_stats_record_cpu(hx_stats_t *s, uint64_t cpu_ns, uint64_t wall_ns)
{
    s->cpu_ns += cpu_ns;
    s->cpu_wall_ns += wall_ns;
    if (wall_ns < HX_CPU_MIN_WALL_NS)
        return;
    /* A thread cannot use more CPU than wall time; the two clocks are read a moment apart. */
    uint64_t busy = cpu_ns >= wall_ns ? 1000u : cpu_ns * 1000u / wall_ns;
    s->cpu_samples++;
    if (busy >= HX_CPU_SATURATED_PERMILLE)
        s->cpu_saturated++;
    if (busy > s->cpu_busy_max)
        s->cpu_busy_max = (uint32_t)busy;
}

void hx_stats_record_retry(hx_stats_t *s, const hx_result_t *r)
{
    s->retried++;
    if (r->deployment != NULL && r->deployment_len > 0)
        count_outcome(&s->by_deployment[hx_stats_intern_deployment(r->deployment, r->deployment_len)],
                      HX_ERR_HTTP_429);
}

void hx_stats_merge(hx_stats_t *dst, const hx_stats_t *src)
{
    /* The merged span covers both; a zero start means "not set" (a fresh hx_stats_init). */
    if (dst->start_ns == 0 || (src->start_ns != 0 && src->start_ns < dst->start_ns))
        dst->start_ns = src->start_ns;
    if (src->end_ns > dst->end_ns)
        dst->end_ns = src->end_ns;
    add_counts(&dst->all, &src->all, 1);
    dst->aborted += src->aborted;
    dst->sent += src->sent;
    dst->late += src->late;
    dst->cpu_ns += src->cpu_ns;
    dst->cpu_wall_ns += src->cpu_wall_ns;
    dst->cpu_samples += src->cpu_samples;
    dst->cpu_saturated += src->cpu_saturated;
    if (src->cpu_busy_max > dst->cpu_busy_max)
        dst->cpu_busy_max = src->cpu_busy_max;
    dst->dropped += src->dropped;
    dst->retried += src->retried;
    /* A maximum over time merges as a maximum; the collector sums the threads' maxima of one interval
     * itself, because only it knows that they were concurrent. */
    if (src->inflight_max > dst->inflight_max)
        dst->inflight_max = src->inflight_max;
    add_u64(dst->status, src->status, 6);
    add_u64(dst->errors, src->errors, HX_ERR__COUNT);
    dst->tokens += src->tokens;
    dst->usage_compared += src->usage_compared;
    dst->usage_differs += src->usage_differs;
    dst->usage_tokens += src->usage_tokens;
    dst->usage_chunks += src->usage_chunks;
    dst->usage_missing += src->usage_missing;
    dst->good += src->good;
    dst->success_tokens += src->success_tokens;
    for (size_t i = 0; i < HX_STATS_NHIST; i++)
        cm_hist_merge(stats_hist(dst, i), stats_hist_const(src, i));
    add_counts(dst->by_request, src->by_request, HX_MAX_REQUESTS);
    add_counts(dst->by_model, src->by_model, HX_MAX_MODELS);
    add_counts(dst->by_deployment, src->by_deployment, HX_MAX_DEPLOYMENTS + 1);
    add_u64(dst->http_errors, src->http_errors, HX_STATUS_SLOTS);
}

/* ---- deployment names ------------------------------------------------------------------------------- */

/* Names are published once and never change or move, so a reader that has seen `dep_count` (acquire) may
 * read names[0..count) without the lock. Writers serialise on the mutex and publish with a release store.
 * Names longer than HX_DEP_NAME_MAX fold into "other" so a misbehaving header cannot grow the table. */
#define HX_DEP_NAME_MAX 255
#define HX_DEP_CACHE 32

typedef struct dep_name {
    char *name;
    uint32_t len;
} dep_name_t;

static dep_name_t dep_names[HX_MAX_DEPLOYMENTS];
static atomic_uint dep_count;
static pthread_mutex_t dep_lock = PTHREAD_MUTEX_INITIALIZER;

typedef struct dep_cache_entry {
    const char *name; /* points into dep_names (immutable once published) */
    uint32_t len;
    uint32_t index;
} dep_cache_entry_t;

/* A small direct-mapped cache per thread: in steady state a lookup is one hash and one memcmp. */
static _Thread_local dep_cache_entry_t dep_cache[HX_DEP_CACHE];

static uint32_t dep_hash(const char *p, uint32_t len)
{
    uint32_t h = 2166136261u; /* FNV-1a: short names, only needs to spread */
    for (uint32_t i = 0; i < len; i++)
        h = (h ^ (uint8_t)p[i]) * 16777619u;
    return h;
}

static int dep_find(const char *p, uint32_t len, uint32_t from, uint32_t count)
{
    for (uint32_t i = from; i < count; i++)
        if (dep_names[i].len == len && memcmp(dep_names[i].name, p, len) == 0)
            return (int)i;
    return -1;
}

/* Slow path: a name this thread has not cached. Searches the published names without the lock first, so
 * that only a name no thread has seen before takes it. */
static uint32_t dep_intern_slow(const char *p, uint32_t len)
{
    uint32_t count = atomic_load_explicit(&dep_count, memory_order_acquire);
    int found = dep_find(p, len, 0, count);
    if (found >= 0 || count >= HX_MAX_DEPLOYMENTS)
        return found >= 0 ? (uint32_t)found : HX_MAX_DEPLOYMENTS;
    pthread_mutex_lock(&dep_lock);
    uint32_t now = atomic_load_explicit(&dep_count, memory_order_relaxed);
    found = dep_find(p, len, count, now);
    if (found < 0 && now < HX_MAX_DEPLOYMENTS) {
        dep_names[now].name = cm_xstrndup(p, len);
        dep_names[now].len = len;
        atomic_store_explicit(&dep_count, now + 1, memory_order_release);
        found = (int)now;
    }
    pthread_mutex_unlock(&dep_lock);
    return found >= 0 ? (uint32_t)found : HX_MAX_DEPLOYMENTS;
}

uint32_t hx_stats_intern_deployment(const char *name, uint32_t len)
{
    if (name == NULL || len == 0 || len > HX_DEP_NAME_MAX)
        return HX_MAX_DEPLOYMENTS;
    dep_cache_entry_t *e = &dep_cache[dep_hash(name, len) % HX_DEP_CACHE];
    if (e->name != NULL && e->len == len && memcmp(e->name, name, len) == 0)
        return e->index;
    uint32_t index = dep_intern_slow(name, len);
    if (index < HX_MAX_DEPLOYMENTS) {
        e->name = dep_names[index].name;
        e->len = len;
        e->index = index;
    }
    return index;
}

const char *hx_stats_deployment_name(uint32_t index)
{
    if (index == HX_MAX_DEPLOYMENTS)
        return "other";
    if (index >= atomic_load_explicit(&dep_count, memory_order_acquire))
        return NULL;
    return dep_names[index].name;
}

uint32_t hx_stats_deployment_count(void)
{
    return atomic_load_explicit(&dep_count, memory_order_acquire);
}
