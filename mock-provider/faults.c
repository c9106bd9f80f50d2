#include "mock-provider/faults.h"

#include <stdio.h>
#include <string.h>

#include "common/clock.h"
#include "faults/fault.h"
#include "mock-provider/metrics.h"
#include "mock-provider/server.h"

static fx_request_t view(const mp_run_t *run, uint64_t started_ns)
{
    fx_request_t r;
    const char *route = mp_api_label((mp_api_t)run->api);
    r.route = (cm_str_t){route, strlen(route)};
    r.model = run->r.model;
    r.key = run->key;
    r.header = (cm_str_t){run->fault_header.base, run->fault_header.base != NULL ? run->fault_header.len : 0};
    r.since_start_ns = run->arrival > started_ns ? run->arrival - started_ns : 0;
    return r;
}

static void name_it(mp_run_t *run, const fx_fault_t *f)
{
    const char *v = f->name != NULL ? f->name : fx_kind_name(f->kind);
    run->fault = v;
    h2o_req_t *req = run->req;
    h2o_add_header_by_str(&req->pool, &req->res.headers, H2O_STRLIT(MP_FAULT_HEADER), 0, NULL, v, strlen(v));
}

/* retry-after in whole seconds, rounded up (the form OpenAI's clients parse; 0 stays 0), and on a 429 of a
 * provider that sends it (Azure) retry-after-ms, rounded up to the millisecond: the OpenAI SDKs read it first,
 * so a fault's sub-second wait reaches them as it would from Azure. */
static void retry_headers(mp_run_t *run, const fx_fault_t *f, mp_error_t *err)
{
    h2o_mem_pool_t *pool = &run->req->pool;
    char v[24];
    err->retry_after_ms = (f->retry_after_ns + 999999ull) / 1000000ull;
    int n = snprintf(v, sizeof(v), "%llu", (unsigned long long)((f->retry_after_ns + 999999999ull) / 1000000000ull));
    h2o_add_header(pool, &run->req->res.headers, H2O_TOKEN_RETRY_AFTER, NULL, h2o_strdup(pool, v, (size_t)n).base,
                   (size_t)n);
    if (f->status != 429 || !run->dep->ops->retry_after_ms)
        return;
    n = snprintf(v, sizeof(v), "%llu", (unsigned long long)err->retry_after_ms);
    h2o_add_header_by_str(pool, &run->req->res.headers, H2O_STRLIT("retry-after-ms"), 0, NULL,
                          h2o_strdup(pool, v, (size_t)n).base, (size_t)n);
}

/* The provider's own error shape: its 429 and 503 for those statuses, its server error for other 5xx and its
 * invalid-request error for other 4xx, each with the status the fault asks for. */
static void http_error(mp_run_t *run, const fx_fault_t *f)
{
    const mp_provider_t *ops = run->dep->ops;
    mp_error_t err;
    char model[128];
    snprintf(model, sizeof(model), "%.*s", (int)(run->r.model.n < 127 ? run->r.model.n : 127),
             run->r.model.p != NULL ? run->r.model.p : "");
    if (f->status == 429)
        mp_error_preset(ops, &err, MP_ERR_RATE_LIMITED, model);
    else if (f->status == 503)
        mp_error_preset(ops, &err, MP_ERR_UNAVAILABLE, NULL);
    else if (f->status >= 500)
        mp_error_preset(ops, &err, MP_ERR_SERVER, NULL);
    else
        mp_error_set(&err, MP_ERR_BAD_REQUEST, NULL, "The request could not be served (HTTP %d).", f->status);
    err.status = f->status;
    if (f->has_retry_after)
        retry_headers(run, f, &err);
    mp_run_fail(run, &err);
}

void mp_faults_connection(mp_run_t *run)
{
    const fx_set_t *set = run->dep->faults;
    mp_conn_t *c = set != NULL ? mp_worker_conn_of(run->req) : NULL;
    if (c == NULL)
        return;
    c->requests++;
    uint64_t age = run->arrival > c->opened_ns ? run->arrival - c->opened_ns : 0;
    for (size_t i = 0; i < set->n; i++) {
        const fx_fault_t *f = &set->faults[i];
        if (f->kind != FX_CONN_LIMIT)
            continue;
        if ((f->max_requests != 0 && c->requests >= f->max_requests) || (f->max_age_ns != 0 && age >= f->max_age_ns)) {
            if (!mp_worker_conn_retire(c, run->req))
                return; /* retired by an earlier request (HTTP/2 streams in flight together) */
            mp_metrics_fault(run->wd->worker->metrics, run->dep->index, FX_CONN_LIMIT);
            name_it(run, f);
            return;
        }
    }
}

/* A fault inside the response: the normal answer starts and stops at the point (run_send.c), where the fault acts.
 * On a whole body, {after_chunks: N} means after the headers: there are no chunks. On a stream, h2o writes the
 * headers together with the first event, so after_headers acts after the opening event ({after_chunks: 0}).
 * truncate closes the connection after `bytes` body bytes, whatever the Content-Length said. */
static void at_point(mp_run_t *run, const fx_fault_t *f)
{
    name_it(run, f);
    run->mid = f;
    run->mid_seq = UINT64_MAX;
    if (f->kind == FX_TRUNCATE)
        run->mid_offset = f->bytes;
    else if (f->at.kind == FX_AT_AFTER_BYTES)
        run->mid_offset = f->at.n;
    else if (f->at.kind != FX_AT_BEFORE_HEADERS && run->r.stream)
        run->mid_offset = UINT64_MAX; /* set when the N-th chunk (or the opening event) is rendered */
    else
        run->mid_offset = 0;
}

bool mp_faults_apply(mp_run_t *run)
{
    const mp_deployment_t *dep = run->dep;
    if (dep->faults == NULL || dep->faults->n == 0 || run->api == MP_API_MODELS)
        return false;
    fx_request_t r = view(run, mp_server_epoch(run->wd->worker->server, dep->index));
    const fx_fault_t *f = fx_pick(dep->faults, &r);
    if (f == NULL || (f->kind == FX_STREAM_ERROR && !run->r.stream))
        return false; /* an in-stream error has no place in a whole body: that request is answered as usual */
    mp_metrics_fault(run->wd->worker->metrics, dep->index, (int)f->kind);
    if (f->kind == FX_TRUNCATE || f->kind == FX_STREAM_ERROR ||
        ((f->kind == FX_STALL || f->kind == FX_CLOSE || f->kind == FX_RESET) && f->at.kind != FX_AT_BEFORE_HEADERS)) {
        at_point(run, f);
        return false;
    }
    switch (f->kind) {
    case FX_HTTP_ERROR:
        name_it(run, f);
        http_error(run, f);
        return true;
    case FX_MALFORMED:
        name_it(run, f);
        run->malformed = true;
        return false;
    case FX_DRIP:
        name_it(run, f);
        run->drip = f;
        return false;
    case FX_STALL:
        if (f->then == FX_THEN_RESUME) {
            name_it(run, f);
            run->hold_ns = f->duration_ns;
            return false;
        }
        run->fault = f->name != NULL ? f->name : fx_kind_name(f->kind); /* no response to name it in */
        mp_run_cut_at(run, f->then == FX_THEN_RESET, run->arrival + f->duration_ns);
        return true;
    case FX_CLOSE:
    case FX_RESET:
        run->fault = f->name != NULL ? f->name : fx_kind_name(f->kind);
        mp_run_cut(run, f->kind == FX_RESET);
        return true;
    default:
        return false; /* the config reader refuses the kinds this build does not apply */
    }
}
