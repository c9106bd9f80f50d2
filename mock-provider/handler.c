#include "mock-provider/handler.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "common/alloc.h"
#include "common/clock.h"
#include "mock-provider/faults.h"
#include "mock-provider/admin/journal.h"
#include "mock-provider/limits.h"
#include "mock-provider/metrics.h"
#include "mock-provider/run.h"
#include "mock-provider/server.h"

static const h2o_iovec_t ctype_json = {H2O_STRLIT("application/json")};
static const h2o_iovec_t ctype_prom = {H2O_STRLIT("text/plain; version=0.0.4; charset=utf-8")};

static bool span_is(const char *p, size_t n, const char *lit)
{
    return strlen(lit) == n && memcmp(p, lit, n) == 0;
}

static cm_str_t request_path(const h2o_req_t *req)
{
    size_t n = req->query_at != SIZE_MAX ? req->query_at : req->path.len;
    return (cm_str_t){req->path.base, n};
}

/* ---- core paths --------------------------------------------------------------------------------------- */

/* Limits are read from the engines of this worker's current snapshots (the admin API may have replaced the
 * configuration's); the worker holds them, so they stay alive while they are read. */
static void render_metrics(mp_server_t *s, mp_worker_t *w, cm_buf_t *b)
{
    struct mp_quota *quotas[64], **q = quotas;
    size_t n = s->cfg->ndeps;
    if (n > sizeof(quotas) / sizeof(quotas[0]))
        q = cm_xcalloc(n, sizeof(*q));
    for (size_t d = 0; d < n; d++)
        q[d] = w->deps[d].snap->dep.quota;
    mp_metrics_render_quotas(s->metrics, q, b);
    if (q != quotas)
        free(q);
}

/* /health and /metrics answer on every deployment listener without auth, so a gateway's health checks and
 * a Prometheus scraper can use any api_base. They carry the same x-mock-* headers as provider responses. */
static int serve_core(mp_handler_t *h, h2o_req_t *req, cm_str_t path, uint64_t arrival)
{
    bool health = span_is(path.p, path.n, "/health"), metrics = span_is(path.p, path.n, "/metrics");
    if (!span_is(req->method.base, req->method.len, "GET") || (!health && !metrics))
        return -1;
    mp_worker_t *w = mp_worker_of(req);
    cm_buf_t *b = &w->scratch;
    cm_buf_reset(b);
    if (health)
        cm_buf_puts(b, "{\"status\":\"ok\"}");
    else
        render_metrics(h->server, w, b);
    char rid[80];
    size_t n = mp_worker_request_id(w, h->dep->ops, rid, sizeof(rid));
    const h2o_iovec_t *ct = health ? &ctype_json : &ctype_prom;
    req->res.status = 200;
    req->res.reason = "OK";
    req->res.content_length = b->len;
    h2o_add_header(&req->pool, &req->res.headers, H2O_TOKEN_CONTENT_TYPE, NULL, ct->base, ct->len);
    mp_run_add_headers(req, h->dep, rid, n, cm_now_ns() - arrival);
    h2o_send_inline(req, b->data, b->len);
    return 0;
}

/* ---- pipeline steps: each returns 0 to go on, or -1 with err filled ---------------------------------- */

static h2o_iovec_t header_value(const h2o_req_t *req, const h2o_token_t *token, const char *name)
{
    ssize_t i = token != NULL ? h2o_find_header(&req->headers, token, -1)
                              : h2o_find_header_by_str(&req->headers, name, strlen(name), -1);
    return i < 0 ? h2o_iovec_init(NULL, 0) : req->headers.entries[i].value;
}

static cm_str_t http_header(const mp_http_t *http, const char *name)
{
    h2o_iovec_t v = header_value(http->impl, NULL, name);
    return (cm_str_t){v.base, v.base != NULL ? v.len : 0};
}

/* The provider's view of the request line and headers. */
static mp_http_t http_view(const h2o_req_t *req)
{
    size_t at = req->query_at;
    bool query = at != SIZE_MAX && at < req->path.len;
    return (mp_http_t){
        .method = {req->method.base, req->method.len},
        .path = request_path(req),
        .query = query ? (cm_str_t){req->path.base + at + 1, req->path.len - at - 1} : (cm_str_t){NULL, 0},
        .header = http_header,
        .impl = req,
    };
}

static int step_route(mp_run_t *run, mp_error_t *err)
{
    if (run->dep->ops->route(&run->http, &run->route, err) != 0)
        return -1;
    run->api = (int)run->route.api;
    return 0;
}

/* The key presented is kept for fault targeting even when the deployment checks none. */
static int step_auth(mp_run_t *run, mp_error_t *err)
{
    return run->dep->ops->auth(&run->http, &run->route, run->dep, &run->key, err);
}

static int step_size(mp_run_t *run, uint64_t max_body, mp_error_t *err)
{
    size_t len = run->req->entity.base != NULL ? run->req->entity.len : 0;
    if (len <= max_body)
        return 0;
    char what[96];
    snprintf(what, sizeof(what), "%zu bytes; the limit is %llu bytes", len, (unsigned long long)max_body);
    mp_error_preset(run->dep->ops, err, MP_ERR_TOO_LARGE, what);
    return -1;
}

static int step_parse(mp_run_t *run, mp_error_t *err)
{
    if (run->api == MP_API_MODELS)
        return 0;
    h2o_iovec_t body = run->req->entity;
    mp_worker_t *w = run->wd->worker;
    return run->dep->ops->parse(&run->route, body.base ? body.base : "", body.base ? body.len : 0, &w->toks,
                                &run->alloc, &run->r, err);
}

/* The label slot doubles as the result of the check: a listed model's slot is its index in the list. */
static int step_model(mp_run_t *run, mp_metrics_t *metrics, mp_error_t *err)
{
    const mp_deployment_t *dep = run->dep;
    cm_str_t model = run->r.model;
    if (run->api == MP_API_MODELS)
        return 0;
    if (dep->nmodels == 0) {
        run->model_slot = model.n ? mp_metrics_model_slot(metrics, dep->index, model.p, model.n) : MP_SLOT_NONE;
        return 0;
    }
    for (size_t i = 0; i < dep->nmodels; i++) {
        if (span_is(model.p, model.n, dep->models[i])) {
            run->model_slot = (uint32_t)i;
            return 0;
        }
    }
    char name[256];
    snprintf(name, sizeof(name), "%.*s", (int)(model.n < 255 ? model.n : 255), model.p ? model.p : "");
    run->model_slot = MP_SLOT_OTHER;
    mp_error_preset(dep->ops, err, MP_ERR_MODEL_NOT_FOUND, name);
    return -1;
}

/* Last check before anything is produced: the response's upper bound against the deployment's budget. */
static int step_budget(mp_run_t *run, mp_error_t *err)
{
    const mp_provider_t *ops = run->dep->ops;
    if (run->api == MP_API_MODELS || ops->check_response == NULL)
        return 0;
    return ops->check_response(run->dep, &run->r, err);
}

static int on_req(h2o_handler_t *self, h2o_req_t *req)
{
    mp_handler_t *h = (mp_handler_t *)self;
    uint64_t arrival = cm_now_ns();
    cm_str_t path = request_path(req);
    if (serve_core(h, req, path, arrival) == 0)
        return 0;
    mp_run_t *run = mp_run_create(req, &mp_worker_of(req)->deps[h->dep->index], arrival);
    run->path = path;
    run->http = http_view(req);
    if (run->wd->frozen)
        mp_run_park(run, MP_PARK_BEGIN); /* a pause fault: the request waits unread until it ends */
    else
        mp_handler_begin(run);
    return 0;
}

void mp_handler_begin(mp_run_t *run)
{
    const mp_server_t *server = run->wd->worker->server;
    mp_faults_connection(run);
    mp_error_t err;
    if (step_route(run, &err) != 0 || step_auth(run, &err) != 0 || step_size(run, server->cfg->max_body, &err) != 0 ||
        step_parse(run, &err) != 0) {
        mp_run_fail(run, &err);
        return;
    }
    if (server->journal != NULL)
        mp_journal_note_model(run);
    if (step_model(run, server->metrics, &err) != 0 || step_budget(run, &err) != 0) {
        mp_run_fail(run, &err);
        return;
    }
    switch (mp_limits_admit(run, &err)) {
    case MP_LIMITS_REFUSED:
        mp_run_fail(run, &err);
        return;
    case MP_LIMITS_QUEUED:
        return; /* mp_handler_continue goes on once a concurrency slot is free */
    case MP_LIMITS_GO:
        break;
    }
    mp_handler_continue(run);
}

void mp_handler_continue(mp_run_t *run)
{
    run->fault_header = header_value(run->req, NULL, MP_FAULT_HEADER);
    if (!mp_faults_apply(run))
        mp_run_start(run);
}

/* ---- bodies over max_body ------------------------------------------------------------------------------ */

/* h2o reads a request body before any handler runs, and refuses one over its max_request_entity_size with a
 * plain-text 413 ("request entity is too large") sent from its own code: HTTP/1 with a content-length over
 * the limit is refused before a byte of the body is read, a chunked one as soon as the limit is passed.
 * The mock used to set that limit to 4 x max_body, so bodies between max_body and 4 x max_body were
 * buffered whole (up to 32 MB by default, kept resident afterwards) to reach the handler's 413, and larger
 * ones got h2o's text. The limit is now max_body + 1 (mp_server_entity_limit), so h2o never holds more than
 * that, and this filter turns h2o's answer into the provider's own 413 with the usual headers, counted.
 *
 * h2o sends those errors through the hostconf's fallback path (the request never reached "/"), so a filter
 * registered there sees them and nothing else of ours. Other statuses h2o answers there (400 for a broken
 * chunked encoding) pass through unchanged. HTTP/2 cannot be helped: h2o 2.2.5 resets a stream whose DATA
 * go over the limit (RST_STREAM REFUSED_STREAM) without producing a response. */
typedef struct oversize_filter {
    h2o_filter_t super;
    struct mp_server *server;
    const mp_deployment_t *dep;
} oversize_filter_t;

typedef struct oversize_ostream {
    h2o_ostream_t super;
    h2o_iovec_t body;
} oversize_ostream_t;

/* Replaces h2o's text with our body; a HEAD request (h2o sends no bytes) gets none either. */
static void oversize_send(h2o_ostream_t *self, h2o_req_t *req, h2o_iovec_t *bufs, size_t bufcnt, h2o_send_state_t state)
{
    oversize_ostream_t *o = (oversize_ostream_t *)self;
    h2o_iovec_t body = o->body;
    size_t n = bufcnt > 0 && body.len > 0 ? 1 : 0;
    o->body.len = 0;
    h2o_ostream_send_next(&o->super, req, &body, n, state);
}

/* The api the path would have been routed to, for the request counter. */
static int oversize_api(const mp_deployment_t *dep, const h2o_req_t *req)
{
    mp_route_t route;
    mp_error_t ignored;
    if (req->path.base == NULL)
        return MP_METRICS_API_UNKNOWN;
    mp_http_t http = http_view(req);
    if (dep->ops->route(&http, &route, &ignored) != 0)
        return MP_METRICS_API_UNKNOWN;
    return (int)route.api;
}

static uint64_t held_ns(const h2o_req_t *req)
{
    const struct timeval *a = &req->timestamps.request_begin_at, *b = &req->processed_at.at;
    int64_t us = (int64_t)(b->tv_sec - a->tv_sec) * 1000000 + (b->tv_usec - a->tv_usec);
    return a->tv_sec == 0 || us < 0 ? 0 : (uint64_t)us * 1000;
}

static void shape_too_large(oversize_filter_t *f, h2o_req_t *req, h2o_ostream_t **slot)
{
    const mp_deployment_t *dep = f->dep;
    mp_worker_t *w = mp_worker_of(req);
    char what[64], rid[80];
    mp_error_t err;
    snprintf(what, sizeof(what), "the limit is %llu bytes", (unsigned long long)f->server->cfg->max_body);
    mp_error_preset(dep->ops, &err, MP_ERR_TOO_LARGE, what);
    size_t n = mp_worker_request_id(w, dep->ops, rid, sizeof(rid));
    err.request_id = rid;
    cm_buf_reset(&w->scratch);
    dep->ops->render_error(&err, &w->scratch);
    memset(&req->res.headers, 0, sizeof(req->res.headers));
    req->res.reason = mp_reason(413);
    req->res.content_length = w->scratch.len;
    h2o_add_header(&req->pool, &req->res.headers, H2O_TOKEN_CONTENT_TYPE, NULL, ctype_json.base, ctype_json.len);
    mp_run_add_headers(req, dep, rid, n, held_ns(req));
    mp_metrics_request(w->metrics, dep->index, oversize_api(dep, req), MP_SLOT_NONE, 413);
    mp_worker_linger(w, req); /* h2o closes the connection after this answer; the client may still be sending */
    oversize_ostream_t *o = (oversize_ostream_t *)h2o_add_ostream(req, sizeof(*o), slot);
    o->super.do_send = oversize_send;
    o->body = h2o_strdup(&req->pool, w->scratch.data, w->scratch.len);
    h2o_setup_next_ostream(req, &o->super.next);
}

static void on_setup_oversize(h2o_filter_t *self, h2o_req_t *req, h2o_ostream_t **slot)
{
    if (req->res.status == 413)
        shape_too_large((oversize_filter_t *)self, req, slot);
    else
        h2o_setup_next_ostream(req, slot);
}

void mp_handler_register_oversize(h2o_hostconf_t *host, struct mp_server *s, const mp_deployment_t *dep)
{
    oversize_filter_t *f = (oversize_filter_t *)h2o_create_filter(&host->fallback_path, sizeof(*f));
    f->super.on_setup_ostream = on_setup_oversize;
    f->server = s;
    f->dep = dep;
}

void mp_handler_register(h2o_pathconf_t *pathconf, struct mp_server *s, const mp_deployment_t *dep)
{
    mp_handler_t *h = (mp_handler_t *)h2o_create_handler(pathconf, sizeof(*h));
    h->super.on_req = on_req;
    h->server = s;
    h->dep = dep;
}
