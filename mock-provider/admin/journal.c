#include "mock-provider/admin/journal.h"

#include <arpa/inet.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "common/alloc.h"
#include "common/clock.h"
#include "common/json.h"
#include "mock-provider/metrics.h"
#include "mock-provider/run.h"

typedef struct ring {
    pthread_mutex_t lock;
    mp_journal_entry_t *e;
    uint64_t written; /* entries ever written since the last clear; the latest is at (written - 1) % cap */
} ring_t;

struct mp_journal {
    uint32_t nthreads, cap;
    ring_t *rings;
};

mp_journal_t *mp_journal_create(uint32_t nthreads, uint32_t cap)
{
    mp_journal_t *j = cm_xcalloc(1, sizeof(*j));
    j->nthreads = nthreads;
    j->cap = cap;
    j->rings = cm_xcalloc(nthreads ? nthreads : 1, sizeof(*j->rings));
    for (uint32_t t = 0; t < nthreads; t++) {
        pthread_mutex_init(&j->rings[t].lock, NULL);
        j->rings[t].e = cap ? cm_xcalloc(cap, sizeof(mp_journal_entry_t)) : NULL;
    }
    return j;
}

void mp_journal_free(mp_journal_t *j)
{
    if (j == NULL)
        return;
    for (uint32_t t = 0; t < j->nthreads; t++) {
        pthread_mutex_destroy(&j->rings[t].lock);
        free(j->rings[t].e);
    }
    free(j->rings);
    free(j);
}

void mp_journal_add(mp_journal_t *j, uint32_t thread, const mp_journal_entry_t *e)
{
    if (j->cap == 0 || thread >= j->nthreads)
        return;
    ring_t *r = &j->rings[thread];
    pthread_mutex_lock(&r->lock);
    r->e[r->written % j->cap] = *e;
    r->written++;
    pthread_mutex_unlock(&r->lock);
}

static void copy_str(char *dst, size_t cap, const char *p, size_t n)
{
    if (p == NULL)
        n = 0;
    if (n >= cap)
        n = cap - 1;
    if (n > 0)
        memcpy(dst, p, n);
    dst[n] = '\0';
}

static void peer(h2o_req_t *req, char *out, size_t cap)
{
    struct sockaddr_storage ss;
    char host[INET6_ADDRSTRLEN];
    out[0] = '\0';
    if (req->conn->callbacks->get_peername == NULL)
        return;
    socklen_t len = req->conn->callbacks->get_peername(req->conn, (struct sockaddr *)&ss);
    if (len == 0)
        return;
    if (ss.ss_family == AF_INET) {
        const struct sockaddr_in *a = (const struct sockaddr_in *)&ss;
        if (inet_ntop(AF_INET, &a->sin_addr, host, sizeof(host)) != NULL)
            snprintf(out, cap, "%s:%u", host, (unsigned)ntohs(a->sin_port));
    } else if (ss.ss_family == AF_INET6) {
        const struct sockaddr_in6 *a = (const struct sockaddr_in6 *)&ss;
        if (inet_ntop(AF_INET6, &a->sin6_addr, host, sizeof(host)) != NULL)
            snprintf(out, cap, "[%s]:%u", host, (unsigned)ntohs(a->sin6_port));
    }
}

void mp_journal_note_client(mp_run_t *run)
{
    char buf[MP_JOURNAL_MAX_CLIENT];
    peer(run->req, buf, sizeof(buf));
    run->journal_client = h2o_strdup(&run->req->pool, buf, strlen(buf)).base;
}

void mp_journal_note_model(mp_run_t *run)
{
    size_t n = run->r.model.n < MP_JOURNAL_MAX_MODEL - 1 ? run->r.model.n : MP_JOURNAL_MAX_MODEL - 1;
    if (run->r.model.p != NULL && n > 0)
        run->journal_model = h2o_strdup(&run->req->pool, run->r.model.p, n).base;
}

void mp_journal_add_run(mp_journal_t *j, uint32_t thread, const mp_run_t *run)
{
    if (j->cap == 0)
        return;
    mp_journal_entry_t e;
    uint64_t now = cm_now_ns(), wall = cm_wall_ns();
    e.latency_ns = now > run->arrival ? now - run->arrival : 0;
    e.end_ns = wall;
    e.time_ns = wall > e.latency_ns ? wall - e.latency_ns : 0;
    e.dep = run->dep->index;
    e.api = run->api;
    e.status = run->req->res.status;
    copy_str(e.model, sizeof(e.model), run->journal_model, run->journal_model != NULL ? strlen(run->journal_model) : 0);
    copy_str(e.fault, sizeof(e.fault), run->fault, run->fault != NULL ? strlen(run->fault) : 0);
    copy_str(e.rid, sizeof(e.rid), run->rid, run->rid_len);
    copy_str(e.client, sizeof(e.client), run->journal_client,
             run->journal_client != NULL ? strlen(run->journal_client) : 0);
    mp_journal_add(j, thread, &e);
}

void mp_journal_clear(mp_journal_t *j)
{
    for (uint32_t t = 0; t < j->nthreads; t++) {
        pthread_mutex_lock(&j->rings[t].lock);
        j->rings[t].written = 0;
        pthread_mutex_unlock(&j->rings[t].lock);
    }
}

static int by_end(const void *a, const void *b)
{
    const mp_journal_entry_t *x = a, *y = b;
    return x->end_ns < y->end_ns ? -1 : x->end_ns > y->end_ns;
}

static void put_entry(cm_jw_t *w, const mp_config_t *cfg, const mp_journal_entry_t *e)
{
    cm_jw_obj(w);
    cm_jw_key(w, "time");
    cm_jw_fixed(w, (double)e->time_ns / 1e9, 6);
    cm_jw_key(w, "deployment");
    cm_jw_str(w, e->dep < cfg->ndeps ? cfg->deps[e->dep].name : "");
    cm_jw_key(w, "route");
    cm_jw_str(w, e->api == MP_METRICS_API_UNKNOWN ? "unknown" : mp_api_label((mp_api_t)e->api));
    cm_jw_key(w, "model");
    cm_jw_str(w, e->model[0] ? e->model : NULL);
    cm_jw_key(w, "status");
    cm_jw_int(w, e->status);
    cm_jw_key(w, "fault");
    cm_jw_str(w, e->fault[0] ? e->fault : NULL);
    cm_jw_key(w, "latency_ms");
    cm_jw_fixed(w, (double)e->latency_ns / 1e6, 3);
    cm_jw_key(w, "request_id");
    cm_jw_str(w, e->rid);
    cm_jw_key(w, "client");
    cm_jw_str(w, e->client);
    cm_jw_obj_end(w);
}

void mp_journal_render(mp_journal_t *j, const mp_config_t *cfg, size_t limit, int dep, cm_buf_t *out)
{
    size_t total = (size_t)j->nthreads * j->cap, n = 0;
    mp_journal_entry_t *all = cm_xmalloc((total ? total : 1) * sizeof(*all));
    for (uint32_t t = 0; t < j->nthreads; t++) {
        ring_t *r = &j->rings[t];
        pthread_mutex_lock(&r->lock);
        uint64_t count = r->written < j->cap ? r->written : j->cap;
        for (uint64_t i = r->written - count; i < r->written; i++) {
            const mp_journal_entry_t *e = &r->e[i % j->cap];
            if (dep < 0 || e->dep == (uint32_t)dep)
                all[n++] = *e;
        }
        pthread_mutex_unlock(&r->lock);
    }
    qsort(all, n, sizeof(*all), by_end);
    size_t from = n > limit ? n - limit : 0;
    cm_jw_t w;
    cm_jw_init(&w, out);
    cm_jw_obj(&w);
    cm_jw_key(&w, "requests");
    cm_jw_arr(&w);
    for (size_t i = from; i < n; i++)
        put_entry(&w, cfg, &all[i]);
    cm_jw_arr_end(&w);
    cm_jw_obj_end(&w);
    free(all);
}
