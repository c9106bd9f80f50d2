#include "mock-provider/metrics.h"

#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "common/alloc.h"
#include "common/clock.h"
#include "common/hist.h"
#include "faults/fault.h"
#include "mock-provider/provider.h"

/* Statuses get their own label value; anything else is counted as status="other". The table covers what
 * the mock sends today and what the fault and quota issues will add (429, 5xx, 529). */
static const int statuses[] = {200, 201, 204, 400, 401, 403, 404, 408, 409,
                               413, 422, 429, 499, 500, 502, 503, 504, 529};
#define NSTATUS (sizeof(statuses) / sizeof(statuses[0]) + 1) /* + "other" */
#define NAPI (MP_API__COUNT + 1)                             /* + unknown */

/* Prometheus bucket bounds, in microseconds (the histograms' unit) and as written in the `le` label. */
static const struct {
    uint64_t us;
    const char *le;
} buckets[] = {
    {100, "0.0001"},  {250, "0.00025"},   {500, "0.0005"},    {1000, "0.001"}, {2000, "0.002"},  {2500, "0.0025"},
    {5000, "0.005"},  {10000, "0.01"},    {25000, "0.025"},   {50000, "0.05"}, {100000, "0.1"},  {250000, "0.25"},
    {500000, "0.5"},  {1000000, "1"},     {2500000, "2.5"},   {5000000, "5"},  {10000000, "10"}, {30000000, "30"},
    {60000000, "60"}, {120000000, "120"}, {300000000, "300"},
};

static const char *const lat_names[MP_LAT__COUNT] = {"mock_ttft_seconds", "mock_itl_seconds", "mock_response_seconds",
                                                     "mock_timer_lateness_seconds"};
static const char *const lat_help[MP_LAT__COUNT] = {
    "Served time to first token of streams, from request arrival to the send of the first token.",
    "Served gaps between consecutive token sends of streams.",
    "Served response time of successful responses, from request arrival to the send of the last byte.",
    "How late planned sends (whole bodies and stream steps) were handed to the network after their planned time.",
};

/* One thread's view of one deployment. Cache-line aligned so two threads never write the same line. */
typedef struct tdep {
    _Alignas(64) uint64_t *requests; /* [NAPI][nslots][NSTATUS] */
    size_t nslots;                   /* named slots + other + none */
    int64_t inflight;
    uint64_t faults[FX_KIND_COUNT];
    cm_hist_t lat[MP_LAT__COUNT];
} tdep_t;

struct mp_tmetrics {
    _Alignas(64) int64_t connections;
    size_t ndeps;
    tdep_t *deps;
};

/* Names seen on a deployment that accepts any model. Readers scan names[0..count) after an acquire load
 * of count; a writer fills the next entry under the lock, then publishes it with a release store. */
typedef struct auto_models {
    pthread_mutex_t lock;
    uint32_t count;
    uint8_t len[MP_METRICS_AUTO_MODELS];
    char name[MP_METRICS_AUTO_MODELS][MP_METRICS_MODEL_LABEL_MAX];
} auto_models_t;

struct mp_metrics {
    const mp_deployment_t *deps;
    size_t ndeps;
    uint32_t nthreads;
    uint32_t *nnamed; /* per deployment: named slots (configured models, or MP_METRICS_AUTO_MODELS) */
    auto_models_t *autos;
    mp_tmetrics_t **threads;
};

/* ---- single-writer atomics ---------------------------------------------------------------------------- */

static inline void add_u64(uint64_t *c, uint64_t d)
{
    __atomic_store_n(c, __atomic_load_n(c, __ATOMIC_RELAXED) + d, __ATOMIC_RELAXED);
}

static inline void add_i64(int64_t *c, int64_t d)
{
    __atomic_store_n(c, __atomic_load_n(c, __ATOMIC_RELAXED) + d, __ATOMIC_RELAXED);
}

static inline uint64_t load_u64(const uint64_t *c)
{
    return __atomic_load_n(c, __ATOMIC_RELAXED);
}

/* cm_hist_record is plain memory writes; a scrape reading concurrently would be a data race, so the
 * owning thread records through this relaxed-atomic twin of it instead. The count is bumped right after
 * the bucket, but relaxed stores to two addresses may still be seen in either order by a scraper, which is
 * why the scrape never reads `count` at all (see hist_add_snapshot). */
static void hist_record(cm_hist_t *h, uint64_t v)
{
    if (v > CM_HIST_MAX) {
        v = CM_HIST_MAX;
        add_u64(&h->clamped, 1);
    }
    add_u64(&h->buckets[cm_hist_index(v)], 1);
    add_u64(&h->count, 1);
    double sum;
    __atomic_load(&h->sum, &sum, __ATOMIC_RELAXED);
    sum += (double)v;
    __atomic_store(&h->sum, &sum, __ATOMIC_RELAXED);
    if (v < load_u64(&h->min))
        __atomic_store_n(&h->min, v, __ATOMIC_RELAXED);
    if (v > load_u64(&h->max))
        __atomic_store_n(&h->max, v, __ATOMIC_RELAXED);
}

/* The count of the snapshot is the sum of the bucket values this scrape read, not the writer's `count`:
 * read separately, `count` could lag a bucket already incremented and a scrape would then show an `le`
 * bucket above +Inf, which Prometheus clients treat as a broken histogram. Derived, +Inf and _count equal
 * the last bucket by construction. (_sum may still be one sample behind or ahead; Prometheus accepts
 * that.) */
static void hist_add_snapshot(cm_hist_t *dst, const cm_hist_t *src)
{
    cm_hist_t tmp;
    cm_hist_init(&tmp);
    for (uint32_t i = 0; i < CM_HIST_NBUCKETS; i++) {
        tmp.buckets[i] = load_u64(&src->buckets[i]);
        tmp.count += tmp.buckets[i];
    }
    tmp.clamped = load_u64(&src->clamped);
    tmp.min = load_u64(&src->min);
    tmp.max = load_u64(&src->max);
    __atomic_load(&src->sum, &tmp.sum, __ATOMIC_RELAXED);
    cm_hist_merge(dst, &tmp);
}

/* ---- construction ------------------------------------------------------------------------------------- */

static size_t nslots(const mp_metrics_t *m, size_t dep)
{
    return (size_t)m->nnamed[dep] + 2; /* + other + none */
}

static mp_tmetrics_t *thread_create(const mp_metrics_t *m)
{
    mp_tmetrics_t *t = aligned_alloc(64, sizeof(*t));
    if (t == NULL)
        t = cm_xmalloc(sizeof(*t)); /* aligned_alloc only fails for lack of memory; this aborts then */
    memset(t, 0, sizeof(*t));
    t->ndeps = m->ndeps;
    t->deps = aligned_alloc(64, (m->ndeps ? m->ndeps : 1) * sizeof(tdep_t));
    if (t->deps == NULL)
        t->deps = cm_xmalloc((m->ndeps ? m->ndeps : 1) * sizeof(tdep_t));
    for (size_t d = 0; d < m->ndeps; d++) {
        tdep_t *td = &t->deps[d];
        memset(td, 0, sizeof(*td));
        td->nslots = nslots(m, d);
        td->requests = cm_xcalloc(NAPI * td->nslots * NSTATUS, sizeof(uint64_t));
        for (int l = 0; l < MP_LAT__COUNT; l++)
            cm_hist_init(&td->lat[l]);
    }
    return t;
}

mp_metrics_t *mp_metrics_create(const mp_deployment_t *deps, size_t ndeps, uint32_t nthreads)
{
    mp_metrics_t *m = cm_xcalloc(1, sizeof(*m));
    m->deps = deps;
    m->ndeps = ndeps;
    m->nthreads = nthreads;
    m->nnamed = cm_xcalloc(ndeps ? ndeps : 1, sizeof(*m->nnamed));
    m->autos = cm_xcalloc(ndeps ? ndeps : 1, sizeof(*m->autos));
    for (size_t d = 0; d < ndeps; d++) {
        m->nnamed[d] = deps[d].nmodels > 0 ? (uint32_t)deps[d].nmodels : MP_METRICS_AUTO_MODELS;
        pthread_mutex_init(&m->autos[d].lock, NULL);
    }
    m->threads = cm_xcalloc(nthreads ? nthreads : 1, sizeof(*m->threads));
    for (uint32_t i = 0; i < nthreads; i++)
        m->threads[i] = thread_create(m);
    return m;
}

void mp_metrics_free(mp_metrics_t *m)
{
    if (m == NULL)
        return;
    for (uint32_t i = 0; i < m->nthreads; i++) {
        for (size_t d = 0; d < m->ndeps; d++)
            free(m->threads[i]->deps[d].requests);
        free(m->threads[i]->deps);
        free(m->threads[i]);
    }
    for (size_t d = 0; d < m->ndeps; d++)
        pthread_mutex_destroy(&m->autos[d].lock);
    free(m->threads);
    free(m->autos);
    free(m->nnamed);
    free(m);
}

mp_tmetrics_t *mp_metrics_thread(mp_metrics_t *m, uint32_t thread)
{
    return m->threads[thread];
}

/* ---- model labels ------------------------------------------------------------------------------------- */

static bool label_safe(const char *s, size_t n)
{
    if (n == 0 || n >= MP_METRICS_MODEL_LABEL_MAX)
        return false;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c < 0x20 || c > 0x7e || c == '"' || c == '\\')
            return false;
    }
    return true;
}

static int auto_find(const auto_models_t *a, uint32_t count, const char *s, size_t n)
{
    for (uint32_t i = 0; i < count; i++)
        if (a->len[i] == n && memcmp(a->name[i], s, n) == 0)
            return (int)i;
    return -1;
}

uint32_t mp_metrics_model_slot(mp_metrics_t *m, uint32_t dep, const char *model, size_t len)
{
    auto_models_t *a = &m->autos[dep];
    uint32_t count = __atomic_load_n(&a->count, __ATOMIC_ACQUIRE);
    int found = auto_find(a, count, model, len);
    if (found >= 0)
        return (uint32_t)found;
    if (count == MP_METRICS_AUTO_MODELS || !label_safe(model, len))
        return MP_SLOT_OTHER;
    pthread_mutex_lock(&a->lock);
    count = a->count;
    found = auto_find(a, count, model, len);
    if (found < 0 && count < MP_METRICS_AUTO_MODELS) {
        memcpy(a->name[count], model, len);
        a->name[count][len] = '\0';
        a->len[count] = (uint8_t)len;
        found = (int)count;
        __atomic_store_n(&a->count, count + 1, __ATOMIC_RELEASE);
    }
    pthread_mutex_unlock(&a->lock);
    return found >= 0 ? (uint32_t)found : MP_SLOT_OTHER;
}

/* ---- recording ---------------------------------------------------------------------------------------- */

static size_t status_index(int status)
{
    for (size_t i = 0; i < NSTATUS - 1; i++)
        if (statuses[i] == status)
            return i;
    return NSTATUS - 1;
}

void mp_metrics_request(mp_tmetrics_t *t, uint32_t dep, int api, uint32_t slot, int status)
{
    tdep_t *td = &t->deps[dep];
    size_t ai = (api < 0 || api >= MP_API__COUNT) ? MP_API__COUNT : (size_t)api;
    size_t si;
    if (slot == MP_SLOT_NONE)
        si = td->nslots - 1;
    else if (slot == MP_SLOT_OTHER || slot >= td->nslots - 2)
        si = td->nslots - 2;
    else
        si = slot;
    add_u64(&td->requests[(ai * td->nslots + si) * NSTATUS + status_index(status)], 1);
}

void mp_metrics_inflight(mp_tmetrics_t *t, uint32_t dep, int delta)
{
    add_i64(&t->deps[dep].inflight, delta);
}

void mp_metrics_fault(mp_tmetrics_t *t, uint32_t dep, int kind)
{
    if (kind >= 0 && kind < FX_KIND_COUNT)
        add_u64(&t->deps[dep].faults[kind], 1);
}

void mp_metrics_connections(mp_tmetrics_t *t, int delta)
{
    add_i64(&t->connections, delta);
}

void mp_metrics_latency(mp_tmetrics_t *t, uint32_t dep, mp_lat_t which, uint64_t ns)
{
    hist_record(&t->deps[dep].lat[which], ns / CM_NS_PER_US);
}

int64_t mp_metrics_thread_connections(const mp_tmetrics_t *t)
{
    return __atomic_load_n(&t->connections, __ATOMIC_RELAXED);
}

int64_t mp_metrics_thread_inflight(const mp_tmetrics_t *t)
{
    int64_t sum = 0;
    for (size_t d = 0; d < t->ndeps; d++)
        sum += __atomic_load_n(&t->deps[d].inflight, __ATOMIC_RELAXED);
    return sum;
}

/* ---- rendering ---------------------------------------------------------------------------------------- */

/* Label values are escaped as the exposition format requires (backslash, double quote, newline), although
 * deployment names are restricted by the config and model labels are filtered by label_safe(). */
static void put_label(cm_buf_t *out, const char *s)
{
    for (; *s; s++) {
        if (*s == '\\' || *s == '"')
            cm_buf_putc(out, '\\');
        if (*s == '\n') {
            cm_buf_puts(out, "\\n");
            continue;
        }
        cm_buf_putc(out, *s);
    }
}

static void put_dep_label(cm_buf_t *out, const mp_metrics_t *m, size_t d)
{
    cm_buf_puts(out, "deployment=\"");
    put_label(out, m->deps[d].name);
    cm_buf_putc(out, '"');
}

static const char *slot_name(const mp_metrics_t *m, size_t d, size_t si, size_t ns)
{
    if (si == ns - 1)
        return "";
    if (si == ns - 2)
        return "other";
    if (m->deps[d].nmodels > 0)
        return m->deps[d].models[si];
    return m->autos[d].name[si];
}

static uint64_t sum_requests(const mp_metrics_t *m, size_t d, size_t idx)
{
    uint64_t sum = 0;
    for (uint32_t i = 0; i < m->nthreads; i++)
        sum += load_u64(&m->threads[i]->deps[d].requests[idx]);
    return sum;
}

/* For a deployment that accepts any model, slots past the published count have no name yet (a writer may
 * be filling one in), so they are skipped; their counters are still zero anyway. */
static bool slot_visible(mp_metrics_t *m, size_t d, size_t si, size_t ns)
{
    if (m->deps[d].nmodels > 0 || si >= ns - 2)
        return true;
    return si < __atomic_load_n(&m->autos[d].count, __ATOMIC_ACQUIRE);
}

static void render_requests_of(mp_metrics_t *m, size_t d, cm_buf_t *out)
{
    size_t ns = nslots(m, d);
    for (size_t a = 0; a < NAPI; a++) {
        for (size_t si = 0; si < ns; si++) {
            if (!slot_visible(m, d, si, ns))
                continue;
            for (size_t st = 0; st < NSTATUS; st++) {
                uint64_t v = sum_requests(m, d, (a * ns + si) * NSTATUS + st);
                if (v == 0)
                    continue;
                cm_buf_puts(out, "mock_requests_total{");
                put_dep_label(out, m, d);
                cm_buf_printf(out, ",api=\"%s\",model=\"", a == MP_API__COUNT ? "unknown" : mp_api_label((mp_api_t)a));
                put_label(out, slot_name(m, d, si, ns));
                if (st == NSTATUS - 1)
                    cm_buf_printf(out, "\",status=\"other\"} %llu\n", (unsigned long long)v);
                else
                    cm_buf_printf(out, "\",status=\"%d\"} %llu\n", statuses[st], (unsigned long long)v);
            }
        }
    }
}

static void render_requests(mp_metrics_t *m, cm_buf_t *out)
{
    cm_buf_puts(out, "# HELP mock_requests_total Requests answered, by deployment, api, model and HTTP status.\n"
                     "# TYPE mock_requests_total counter\n");
    for (size_t d = 0; d < m->ndeps; d++)
        render_requests_of(m, d, out);
}

static void render_faults(const mp_metrics_t *m, cm_buf_t *out)
{
    cm_buf_puts(out, "# HELP mock_faults_total Faults injected, by deployment and kind.\n"
                     "# TYPE mock_faults_total counter\n");
    for (size_t d = 0; d < m->ndeps; d++) {
        for (int k = 0; k < FX_KIND_COUNT; k++) {
            uint64_t sum = 0;
            for (uint32_t i = 0; i < m->nthreads; i++)
                sum += load_u64(&m->threads[i]->deps[d].faults[k]);
            cm_buf_puts(out, "mock_faults_total{");
            put_dep_label(out, m, d);
            cm_buf_printf(out, ",kind=\"%s\"} %llu\n", fx_kind_name((fx_kind_t)k), (unsigned long long)sum);
        }
    }
}

static void render_gauges(const mp_metrics_t *m, cm_buf_t *out)
{
    cm_buf_puts(out, "# HELP mock_inflight_requests Requests received and not yet finished.\n"
                     "# TYPE mock_inflight_requests gauge\n");
    for (size_t d = 0; d < m->ndeps; d++) {
        int64_t sum = 0;
        for (uint32_t i = 0; i < m->nthreads; i++)
            sum += __atomic_load_n(&m->threads[i]->deps[d].inflight, __ATOMIC_RELAXED);
        cm_buf_puts(out, "mock_inflight_requests{");
        put_dep_label(out, m, d);
        cm_buf_printf(out, "} %lld\n", (long long)(sum < 0 ? 0 : sum));
    }
    int64_t conns = 0;
    for (uint32_t i = 0; i < m->nthreads; i++)
        conns += __atomic_load_n(&m->threads[i]->connections, __ATOMIC_RELAXED);
    cm_buf_printf(out,
                  "# HELP mock_open_connections Client connections currently open, all listeners.\n"
                  "# TYPE mock_open_connections gauge\n"
                  "mock_open_connections %lld\n",
                  (long long)(conns < 0 ? 0 : conns));
}

static void render_hist_of(const mp_metrics_t *m, size_t d, mp_lat_t l, cm_buf_t *out)
{
    cm_hist_t h;
    cm_hist_init(&h);
    for (uint32_t i = 0; i < m->nthreads; i++)
        hist_add_snapshot(&h, &m->threads[i]->deps[d].lat[l]);
    for (size_t b = 0; b < sizeof(buckets) / sizeof(buckets[0]); b++) {
        cm_buf_printf(out, "%s_bucket{", lat_names[l]);
        put_dep_label(out, m, d);
        cm_buf_printf(out, ",le=\"%s\"} %llu\n", buckets[b].le,
                      (unsigned long long)cm_hist_count_le(&h, buckets[b].us));
    }
    cm_buf_printf(out, "%s_bucket{", lat_names[l]);
    put_dep_label(out, m, d);
    cm_buf_printf(out, ",le=\"+Inf\"} %llu\n", (unsigned long long)h.count);
    cm_buf_printf(out, "%s_sum{", lat_names[l]);
    put_dep_label(out, m, d);
    cm_buf_printf(out, "} %.6f\n", h.sum / 1e6);
    cm_buf_printf(out, "%s_count{", lat_names[l]);
    put_dep_label(out, m, d);
    cm_buf_printf(out, "} %llu\n", (unsigned long long)h.count);
}

static void render_histograms(const mp_metrics_t *m, cm_buf_t *out)
{
    for (int l = 0; l < MP_LAT__COUNT; l++) {
        cm_buf_printf(out, "# HELP %s %s\n# TYPE %s histogram\n", lat_names[l], lat_help[l], lat_names[l]);
        for (size_t d = 0; d < m->ndeps; d++)
            render_hist_of(m, d, (mp_lat_t)l, out);
    }
}

/* Every deployment's limits, read from its quota engine (exact across threads): refusals by limit, and what
 * the current windows hold against their limits. */
static void render_limits(const mp_metrics_t *m, struct mp_quota *const *quotas, cm_buf_t *out)
{
    static const struct {
        const char *name, *help;
    } gauges[] = {
        {"mock_ratelimit_window_requests", "Requests counted in the deployment's current rate-limit window."},
        {"mock_ratelimit_window_tokens", "Tokens counted in the deployment's current rate-limit window."},
        {"mock_ratelimit_limit_requests", "The deployment's requests per window (per key with per_key)."},
        {"mock_ratelimit_limit_tokens", "The deployment's tokens per window (per key with per_key)."},
        {"mock_concurrency_inflight", "Requests holding one of the deployment's concurrency slots."},
        {"mock_concurrency_queued", "Requests waiting for a concurrency slot."},
    };
    bool any = false;
    for (size_t d = 0; d < m->ndeps; d++)
        any = any || quotas[d] != NULL;
    if (!any)
        return; /* no deployment has limits: no series to show */
    mp_quota_usage_t *u = cm_xcalloc(m->ndeps, sizeof(*u));
    uint64_t now = cm_now_ns();
    for (size_t d = 0; d < m->ndeps; d++)
        if (quotas[d] != NULL)
            mp_quota_usage(quotas[d], now, &u[d]);
    cm_buf_puts(out, "# HELP mock_rate_limited_total Requests refused by a deployment's limits, by limit.\n"
                     "# TYPE mock_rate_limited_total counter\n");
    for (size_t d = 0; d < m->ndeps; d++) {
        for (int l = MP_QUOTA_LIMIT_REQUESTS; quotas[d] != NULL && l < MP_QUOTA_LIMIT_COUNT; l++) {
            cm_buf_puts(out, "mock_rate_limited_total{");
            put_dep_label(out, m, d);
            cm_buf_printf(out, ",limit=\"%s\"} %llu\n", mp_quota_limit_name((mp_quota_limit_t)l),
                          (unsigned long long)u[d].rejected[l]);
        }
    }
    for (size_t g = 0; g < sizeof(gauges) / sizeof(gauges[0]); g++) {
        cm_buf_printf(out, "# HELP %s %s\n# TYPE %s gauge\n", gauges[g].name, gauges[g].help, gauges[g].name);
        for (size_t d = 0; d < m->ndeps; d++) {
            if (quotas[d] == NULL)
                continue;
            const uint64_t v[] = {u[d].requests,     u[d].tokens,   u[d].requests_limit,
                                  u[d].tokens_limit, u[d].inflight, u[d].queued};
            cm_buf_printf(out, "%s{", gauges[g].name);
            put_dep_label(out, m, d);
            cm_buf_printf(out, "} %llu\n", (unsigned long long)v[g]);
        }
    }
    free(u);
}

void mp_metrics_render_quotas(mp_metrics_t *m, struct mp_quota *const *quotas, cm_buf_t *out)
{
    render_requests(m, out);
    render_faults(m, out);
    render_limits(m, quotas, out);
    render_gauges(m, out);
    render_histograms(m, out);
}

void mp_metrics_render(mp_metrics_t *m, cm_buf_t *out)
{
    struct mp_quota **quotas = cm_xcalloc(m->ndeps ? m->ndeps : 1, sizeof(*quotas));
    for (size_t d = 0; d < m->ndeps; d++)
        quotas[d] = m->deps[d].quota;
    mp_metrics_render_quotas(m, quotas, out);
    free(quotas);
}
