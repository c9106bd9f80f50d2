/* mock-provider/run.c — a run's plan and its rendering: the timing plan and its timer, whole bodies, stream
 * steps, and the run's lifecycle (creation, pause faults, disposal). Sending to h2o and the faults inside a
 * response are in run_send.c, the headers every answer carries in run_headers.c. */
#include "mock-provider/run_internal.h"

#include <string.h>

#include "common/clock.h"
#include "faults/fault.h"
#include "mock-provider/admin/journal.h"
#include "mock-provider/limits.h"
#include "mock-provider/metrics.h"
#include "mock-provider/server.h"

/* One sample is capped at a day: a distribution typed with the wrong unit must not overflow a deadline. */
#define MAX_DELAY_NS (86400ull * CM_NS_PER_S)

static const h2o_iovec_t ctype_json = {H2O_STRLIT("application/json")};
static const h2o_iovec_t ctype_sse = {H2O_STRLIT("text/event-stream")};
static const h2o_iovec_t no_cache = {H2O_STRLIT("no-cache")};

static void *pool_alloc(void *ctx, size_t n)
{
    return h2o_mem_alloc_pool(ctx, n);
}

static uint64_t to_ns(double v)
{
    if (!(v > 0))
        return 0;
    return v >= (double)MAX_DELAY_NS ? MAX_DELAY_NS : (uint64_t)(v + 0.5);
}

/* ---- headers ------------------------------------------------------------------------------------------ */

/* A planned response reports its plan exactly (a timer that fires late shows in the served-latency
 * metrics, not here); an answer with no plan (errors, models) reports how long the mock held it. */
static uint64_t service_ns(const mp_run_t *run, uint64_t now)
{
    return (run->planned ? run->end_at : now) - run->arrival;
}

static void count_response(mp_run_t *run, int status)
{
    mp_metrics_request(worker(run)->metrics, run->dep->index, run->api, run->model_slot, status);
}

/* ---- whole bodies ------------------------------------------------------------------------------------- */

/* Replaces the last '}' with a space: the JSON of a body or of an event no longer parses, which is what a
 * malformed fault promises, while the text still looks like the provider's. */
static void corrupt(cm_buf_t *b)
{
    for (size_t i = b->len; i-- > 0;) {
        if (b->data[i] == '}') {
            b->data[i] = ' ';
            return;
        }
    }
}

static void whole_headers(mp_run_t *run, int status, size_t len, uint64_t now)
{
    h2o_req_t *req = run->req;
    req->res.status = status;
    req->res.reason = mp_reason(status);
    req->res.content_length = len;
    h2o_add_header(&req->pool, &req->res.headers, H2O_TOKEN_CONTENT_TYPE, NULL, ctype_json.base, ctype_json.len);
    mp_run_add_headers(req, run->dep, run->rid, run->rid_len, service_ns(run, now));
    count_response(run, status);
}

/* A whole body with a fault at a point inside it goes out like a stream's frames (flush stops at the point),
 * with the Content-Length of the whole body. */
static void send_whole_in_parts(mp_run_t *run, const cm_buf_t *body, uint64_t now)
{
    whole_headers(run, 200, body->len, now);
    cm_buf_append(&run->pending, body->data ? body->data : "", body->len);
    run->tail_rendered = true;
    run->headers_sent = true;
    run->phase = MP_RUN_IDLE;
    h2o_start_response(run->req, &run->super);
    mp_run_flush(run, now);
}

static void send_whole(mp_run_t *run, int status, const cm_buf_t *body)
{
    h2o_req_t *req = run->req;
    const mp_deployment_t *dep = run->dep;
    uint64_t now = cm_now_ns();
    whole_headers(run, status, body->len, now);
    if (status >= 200 && status < 300)
        mp_metrics_latency(worker(run)->metrics, dep->index, MP_LAT_RESPONSE, now - run->arrival);
    h2o_iovec_t iov = h2o_strdup(&req->pool, body->data ? body->data : "", body->len);
    run->final_sent = true;
    run->phase = MP_RUN_IDLE;
    h2o_start_response(req, &run->super);
    h2o_send(req, &iov, 1, H2O_SEND_STATE_FINAL);
}

void mp_run_fail(mp_run_t *run, mp_error_t *err)
{
    cm_buf_t *b = &worker(run)->scratch;
    err->request_id = run->rid;
    err->route = run->api != MP_METRICS_API_UNKNOWN ? &run->route : NULL;
    cm_buf_reset(b);
    run->dep->ops->render_error(err, b);
    send_whole(run, err->status, b);
}

/* The mock's own timing error: how long after its planned time a send happened (timer wake-up, other
 * requests served first). Users read it to tell the mock's lateness from the gateway's. */
static void record_lateness(const mp_run_t *run, uint64_t planned, uint64_t now)
{
    mp_metrics_latency(worker(run)->metrics, run->dep->index, MP_LAT_LATENESS, now > planned ? now - planned : 0);
}

static void body_tick(mp_run_t *run)
{
    record_lateness(run, run->end_at, cm_now_ns());
    cm_buf_t *b = &worker(run)->scratch;
    cm_buf_reset(b);
    run->dep->ops->render_body(&run->x, b);
    if (run->malformed)
        corrupt(b);
    if (run->mid != NULL || run->drip != NULL)
        send_whole_in_parts(run, b, cm_now_ns());
    else
        send_whole(run, 200, b);
}

static void send_models(mp_run_t *run)
{
    const mp_deployment_t *dep = run->dep;
    cm_buf_t *b = &worker(run)->scratch;
    mp_error_t err;
    cm_buf_reset(b);
    if (dep->ops->render_models_at == NULL)
        dep->ops->render_models(dep, b);
    else if (dep->ops->render_models_at(dep, run->path.p, run->path.n, b, &err) != 0) {
        mp_run_fail(run, &err);
        return;
    }
    send_whole(run, 200, b);
}

/* ---- streams ------------------------------------------------------------------------------------------ */

static void start_stream(mp_run_t *run, uint64_t now)
{
    h2o_req_t *req = run->req;
    req->res.status = 200;
    req->res.reason = "OK";
    const char *ctype = run->route.stream_content_type;
    if (ctype != NULL)
        h2o_add_header(&req->pool, &req->res.headers, H2O_TOKEN_CONTENT_TYPE, NULL, ctype, strlen(ctype));
    else
        h2o_add_header(&req->pool, &req->res.headers, H2O_TOKEN_CONTENT_TYPE, NULL, ctype_sse.base, ctype_sse.len);
    h2o_add_header(&req->pool, &req->res.headers, H2O_TOKEN_CACHE_CONTROL, NULL, no_cache.base, no_cache.len);
    mp_run_add_headers(req, run->dep, run->rid, run->rid_len, service_ns(run, now));
    count_response(run, 200);
    h2o_start_response(req, &run->super);
    run->headers_sent = true;
    run->dep->ops->render_head(&run->x, &run->pending);
    if (run->malformed)
        corrupt(&run->pending);
    if (run->mid != NULL && run->mid_offset == UINT64_MAX &&
        (run->mid->at.kind == FX_AT_AFTER_HEADERS || run->mid->at.n == 0)) {
        run->mid_offset = run->pending.len;
        run->mid_seq = run->x.seq;
    }
}

static uint64_t draw(const cm_dist_t *d, cm_rng_t *rng)
{
    return to_ns(cm_dist_sample(d, rng));
}

/* Steps in the next stream chunk: a draw of tokens_per_chunk, rounded, 1..MP_MAX_TOKENS_PER_CHUNK, at most
 * `left`. A fixed value draws nothing, so a seeded run with the default replays the same itl draws as it
 * did before chunks existed. */
static uint32_t chunk_steps(const cm_dist_t *d, cm_rng_t *rng, uint32_t left)
{
    double v = d->kind == CM_DIST_FIXED ? d->a : cm_dist_sample(d, rng);
    uint32_t k = !(v >= 1.5) ? 1 : v >= MP_MAX_TOKENS_PER_CHUNK ? MP_MAX_TOKENS_PER_CHUNK : (uint32_t)(v + 0.5);
    return k < left ? k : left;
}

/* The gap before a chunk of k steps: k itl samples, itl being the time per token. */
static uint64_t chunk_gap(const cm_dist_t *itl, uint32_t k, cm_rng_t *rng)
{
    uint64_t gap = 0;
    for (uint32_t i = 0; i < k; i++)
        gap = sat_add(gap, draw(itl, rng));
    return gap;
}

/* Renders every step that is due (several when the thread runs late or itl is 0), arms the timer for the
 * next one, and only then hands the frames to h2o: if h2o disposed the request synchronously inside
 * h2o_send, the disposal would find the timer armed and cancel it. */
static void stream_tick(mp_run_t *run)
{
    const mp_provider_t *ops = run->dep->ops;
    mp_exchange_t *x = &run->x;
    uint64_t now = cm_now_ns();
    if (run->stopped)
        return;
    if (!run->headers_sent)
        start_stream(run, now);
    while (run->steps_done < x->steps && run->next_at <= now) {
        record_lateness(run, run->next_at, now);
        x->chunk = run->chunk_next;
        ops->render_step(x, &run->pending);
        run->steps_done += run->chunk_next;
        run->chunks_done++;
        if (run->mid != NULL && run->mid->at.kind == FX_AT_AFTER_CHUNKS && run->chunks_done == run->mid->at.n) {
            run->mid_offset = run->body_sent + run->pending.len;
            run->mid_seq = x->seq;
        }
        run->pending_steps++;
        if (run->steps_done < x->steps) {
            run->chunk_next = chunk_steps(&run->dep->tokens_per_chunk, &run->itl_rng, x->steps - run->steps_done);
            run->next_at = sat_add(run->next_at, chunk_gap(&run->dep->itl, run->chunk_next, &run->itl_rng));
        }
    }
    if (run->steps_done == x->steps && !run->tail_rendered) {
        ops->render_tail(x, &run->pending);
        run->tail_rendered = true;
    }
    if (!run->tail_rendered)
        mp_timers_add(&worker(run)->timers, &run->timer, run->next_at);
    mp_run_flush(run, now);
}

/* ---- planning ----------------------------------------------------------------------------------------- */

static void fire(mp_run_t *run)
{
    if (run->wd->frozen) {
        mp_run_park(run, MP_PARK_FIRE);
        return;
    }
    if (run->phase == MP_RUN_BODY)
        body_tick(run);
    else if (run->phase == MP_RUN_STREAM)
        stream_tick(run);
    else if (run->phase == MP_RUN_CUT)
        mp_run_cut(run, run->cut_reset);
    else if (run->phase == MP_RUN_HOLD) {
        /* The hold ends with its timer, which may fire within its slack before held_until. */
        run->held_until = 0;
        mp_run_flush(run, cm_now_ns());
    }
}

static void on_timer(mp_timer_t *timer)
{
    fire(H2O_STRUCT_FROM_MEMBER(mp_run_t, timer, timer));
}

/* A deadline already reached is served in the handler's own call, without a trip through the timerfd:
 * zero-latency deployments then cost no system call beyond the response write. */
void mp_run_schedule(mp_run_t *run, mp_run_phase_t phase, uint64_t at)
{
    run->phase = phase;
    if (at <= run->arrival || at <= cm_now_ns())
        fire(run);
    else
        mp_timers_add(&worker(run)->timers, &run->timer, at);
}

void mp_run_start(mp_run_t *run)
{
    const mp_deployment_t *dep = run->dep;
    cm_rng_t *rng = &run->wd->rng;
    if (run->api == MP_API_MODELS) {
        send_models(run);
        return;
    }
    mp_exchange_begin(&run->x, dep, &run->r, rng, &run->alloc);
    run->begun = true;
    run->planned = true;
    mp_limits_settle(run);
    mp_api_timing_t timing = mp_api_timing((mp_api_t)run->api);
    if (timing == MP_TIMING_AT_ONCE) {
        run->end_at = sat_add(sat_add(run->arrival, run->queued_ns), run->hold_ns);
        mp_run_schedule(run, MP_RUN_BODY, run->end_at);
        return;
    }
    uint64_t prefill = to_ns(cm_dist_sample(&dep->prefill_per_token, rng) * (double)run->r.prompt_tokens);
    uint64_t start = sat_add(run->arrival, run->queued_ns);
    uint64_t first = sat_add(sat_add(sat_add(start, run->hold_ns), prefill), draw(&dep->ttft, rng));
    if (timing == MP_TIMING_PREFILL) {
        run->end_at = first;
        mp_run_schedule(run, MP_RUN_BODY, first);
        return;
    }
    /* The itl and chunk draws are made twice from the same generator state: once here to know the end time
     * (for x-mock-service-ms and the non-stream wait), once chunk by chunk while streaming. */
    cm_rng_seed(&run->itl_rng, cm_rng_next(rng));
    cm_rng_t plan = run->itl_rng;
    uint64_t end = first;
    uint32_t steps = run->x.steps, done = chunk_steps(&dep->tokens_per_chunk, &plan, steps);
    while (done < steps) {
        uint32_t k = chunk_steps(&dep->tokens_per_chunk, &plan, steps - done);
        end = sat_add(end, chunk_gap(&dep->itl, k, &plan));
        done += k;
    }
    run->chunk_next = chunk_steps(&dep->tokens_per_chunk, &run->itl_rng, steps);
    run->end_at = end;
    run->next_at = first;
    if (run->r.stream)
        mp_run_schedule(run, MP_RUN_STREAM, first);
    else
        mp_run_schedule(run, MP_RUN_BODY, end);
}

/* ---- lifecycle ---------------------------------------------------------------------------------------- */

void mp_run_park(mp_run_t *run, uint8_t what)
{
    if (run->parked == 0)
        h2o_linklist_insert(&run->wd->parked, &run->park_link);
    run->parked |= what;
}

/* The runs parked during the pause, in the order they parked: a request that arrived goes through its
 * pipeline, a due deadline fires, a held send goes out (all at once, as from a process that was stopped). */
void mp_run_thaw(mp_wdep_t *wd)
{
    h2o_linklist_t list;
    h2o_linklist_init_anchor(&list);
    h2o_linklist_insert_list(&list, &wd->parked);
    while (!wd->frozen && !h2o_linklist_is_empty(&list)) {
        mp_run_t *run = H2O_STRUCT_FROM_MEMBER(mp_run_t, park_link, list.next);
        h2o_linklist_unlink(&run->park_link);
        uint8_t what = run->parked;
        run->parked = 0;
        if (what & MP_PARK_BEGIN)
            worker(run)->begin_run(run);
        else if (what & MP_PARK_FIRE)
            fire(run);
        else if (what & MP_PARK_FLUSH)
            mp_run_flush(run, cm_now_ns());
    }
    h2o_linklist_insert_list(&wd->parked, &list); /* frozen again before the end: the rest waits on */
}

static void on_dispose(void *p)
{
    mp_run_t *run = p;
    mp_worker_t *w = worker(run);
    if (h2o_linklist_is_linked(&run->park_link))
        h2o_linklist_unlink(&run->park_link);
    mp_timers_cancel(&w->timers, &run->timer);
    mp_timers_cancel(&w->timers, &run->drip_timer);
    mp_limits_done(run);
    if (run->begun)
        mp_exchange_end(&run->x);
    cm_buf_free(&run->pending);
    cm_buf_free(&run->inflight);
    mp_metrics_inflight(w->metrics, run->dep->index, -1);
    if (w->server->journal != NULL)
        mp_journal_add_run(w->server->journal, w->index, run);
    mp_snap_hold_put(run->hold);
}

mp_run_t *mp_run_create(h2o_req_t *req, mp_wdep_t *wd, uint64_t arrival)
{
    mp_run_t *run = h2o_mem_alloc_shared(&req->pool, sizeof(*run), on_dispose);
    memset(run, 0, sizeof(*run));
    run->super.proceed = mp_run_on_proceed;
    run->super.stop = mp_run_on_stop;
    run->req = req;
    run->wd = wd;
    run->hold = mp_snap_hold_ref(wd->hold);
    run->snap = run->hold->snap;
    run->dep = &run->snap->dep;
    run->arrival = arrival;
    run->alloc = (cm_allocator_t){.alloc = pool_alloc, .ctx = &req->pool};
    run->api = MP_METRICS_API_UNKNOWN;
    run->model_slot = MP_SLOT_NONE;
    run->rid_len = mp_worker_request_id(wd->worker, wd->dep->ops, run->rid, sizeof(run->rid));
    mp_timer_init(&run->timer, on_timer);
    mp_timer_init(&run->drip_timer, mp_run_on_drip_timer);
    mp_metrics_inflight(wd->worker->metrics, wd->dep->index, 1);
    if (wd->worker->server->journal != NULL)
        mp_journal_note_client(run);
    return run;
}
