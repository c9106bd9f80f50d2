#include "harness/engine/engine.h"

#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <curl/curl.h>
#include <event2/event.h>

#include "common/alloc.h"
#include "common/slab.h"
#include "harness/engine/worker.h"

struct hx_engine {
    const hx_cfg_t *cfg;
    hx_collector_t *collector;
    char **urls; /* per target, template and model slot ((t * nreqs + req) * slots + model): hx_workload_url */
    size_t nurls;
    hx_router_t router;
    _Atomic uint64_t cooled_until[HX_MAX_TARGETS];
    hx_worker_t *workers;
    uint32_t nworkers;
};

static pthread_once_t mem_once = PTHREAD_ONCE_INIT;
static atomic_bool mem_routed;

/* What libevent allocates (events, a slot per socket number ever watched, arrays that grow) stays for the
 * run: in cm_slab's spans for lasting blocks, a burst's slots do not keep its transfers' spans mapped. */
static void route_event_memory(void)
{
    event_set_mem_functions(cm_slab_malloc_lasting, cm_slab_realloc_lasting, cm_slab_free);
}

/* libcurl keeps the functions it was first initialised with until the process ends, and libevent's apply to
 * everything it allocates after the call; both are set before either library has allocated anything (soak's
 * main path makes this its first call into either). */
int hx_engine_global_init(void)
{
    pthread_once(&mem_once, route_event_memory);
    CURLcode rc = curl_global_init_mem(CURL_GLOBAL_DEFAULT, cm_slab_malloc, cm_slab_free, cm_slab_realloc,
                                       cm_slab_strdup, cm_slab_calloc);
    if (rc != CURLE_OK)
        return -1;
    atomic_store(&mem_routed, true);
    return 0;
}

bool hx_engine_memory_routed(void)
{
    return atomic_load(&mem_routed);
}

hx_engine_t *hx_engine_new(const hx_cfg_t *cfg, hx_collector_t *c, char *err, size_t errlen)
{
    hx_engine_t *e = cm_xcalloc(1, sizeof(*e));
    e->cfg = cfg;
    e->collector = c;
    /* One URL per target, template and model it uses (the model may be in the path); NULL for the others. */
    const hx_workload_t *wl = &cfg->workload;
    uint32_t ntargets = cfg->ntargets > 0 ? (uint32_t)cfg->ntargets : 1;
    e->router = (hx_router_t){&cfg->router, ntargets, e->cooled_until};
    size_t slots = hx_workload_model_slots(wl);
    e->nurls = ntargets * wl->nreqs * slots;
    e->urls = cm_xcalloc(e->nurls, sizeof(char *));
    for (uint32_t t = 0; t < ntargets; t++) {
        const char *base = cfg->ntargets > 0 ? cfg->targets[t] : cfg->target;
        for (uint32_t i = 0; i < wl->nreqs; i++) {
            for (uint16_t m = 0; m < slots; m++) {
                if (hx_workload_uses(wl, i, m))
                    e->urls[((size_t)t * wl->nreqs + i) * slots + m] = hx_workload_url(wl, i, m, base);
            }
        }
    }
    e->workers = cm_xcalloc(cfg->threads, sizeof(hx_worker_t));
    for (uint32_t i = 0; i < cfg->threads; i++) {
        e->nworkers = i + 1; /* so that hx_engine_free releases a partly built worker too */
        if (hx_worker_init(&e->workers[i], cfg, c, e->urls, &e->router, i, cfg->threads, err, errlen) != 0)
            goto error;
    }
    return e;
error:
    hx_engine_free(e);
    return NULL;
}

int hx_engine_start(hx_engine_t *e, uint64_t start_ns, char *err, size_t errlen)
{
    for (uint32_t i = 0; i < e->nworkers; i++) {
        hx_worker_t *w = &e->workers[i];
        w->start_ns = start_ns;
        w->end_ns = hx_deadline_ns(start_ns, e->cfg->duration_ns);
        w->next_interval = hx_deadline_ns(start_ns, e->cfg->interval_ns);
        hx_stats_reset(w->stats, start_ns);
        atomic_store(&w->running, true);
        int rc = pthread_create(&w->tid, NULL, hx_worker_main, w);
        if (rc != 0) {
            atomic_store(&w->running, false);
            snprintf(err, errlen, "cannot start engine thread %u: %s", i, strerror(rc));
            return -1;
        }
        w->started = true;
    }
    return 0;
}

void hx_engine_stop(hx_engine_t *e, bool abort_now)
{
    int level = abort_now ? 2 : 1;
    for (uint32_t i = 0; i < e->nworkers; i++) {
        hx_worker_t *w = &e->workers[i];
        int cur = atomic_load(&w->stop_req);
        while (cur < level && !atomic_compare_exchange_weak(&w->stop_req, &cur, level)) {
        }
        uint64_t one = 1;
        if (w->wake_fd >= 0 && write(w->wake_fd, &one, sizeof(one)) < 0 && errno != EAGAIN) {
            /* The counter cannot overflow in practice; a failed wakeup leaves the planned end in charge. */
        }
    }
}

unsigned hx_engine_running(const hx_engine_t *e)
{
    unsigned n = 0;
    for (uint32_t i = 0; i < e->nworkers; i++)
        n += atomic_load(&e->workers[i].running) ? 1u : 0u;
    return n;
}

uint64_t hx_engine_inflight(const hx_engine_t *e)
{
    uint64_t n = 0;
    for (uint32_t i = 0; i < e->nworkers; i++)
        n += atomic_load_explicit(&e->workers[i].inflight_pub, memory_order_relaxed);
    return n;
}

uint64_t hx_engine_connections(const hx_engine_t *e)
{
    uint64_t n = 0;
    for (uint32_t i = 0; i < e->nworkers; i++)
        n += atomic_load_explicit(&e->workers[i].conns_pub, memory_order_relaxed);
    return n;
}

void hx_engine_join(hx_engine_t *e)
{
    for (uint32_t i = 0; i < e->nworkers; i++) {
        if (e->workers[i].started)
            pthread_join(e->workers[i].tid, NULL);
        e->workers[i].started = false;
    }
}

bool hx_engine_first_error(const hx_engine_t *e, hx_err_t err, char *buf, size_t n, double *at_s)
{
    const hx_first_err_t *best = NULL;
    for (uint32_t i = 0; i < e->nworkers; i++) {
        const hx_first_err_t *f = &e->workers[i].first[err];
        if (f->set && (best == NULL || f->at_ns < best->at_ns))
            best = f;
    }
    if (best == NULL)
        return false;
    snprintf(buf, n, "%s", best->msg);
    *at_s = (double)best->at_ns / 1e9;
    return true;
}

uint64_t hx_engine_warmup_end(const hx_engine_t *e)
{
    uint64_t end = 0;
    for (uint32_t i = 0; i < e->nworkers; i++) {
        if (e->workers[i].warm_left > 0)
            return 0;
        if (e->workers[i].warm_end > end)
            end = e->workers[i].warm_end;
    }
    return end;
}

void hx_engine_free(hx_engine_t *e)
{
    if (e == NULL)
        return;
    hx_engine_join(e);
    for (uint32_t i = 0; i < e->nworkers; i++)
        hx_worker_free(&e->workers[i]);
    free(e->workers);
    for (size_t i = 0; i < e->nurls; i++)
        free(e->urls[i]);
    free(e->urls);
    free(e);
}
