#include "mock-provider/run.h"

#include <string.h>
#include <sys/socket.h>

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

static uint64_t sat_add(uint64_t a, uint64_t b)
{
    return a > UINT64_MAX - b ? UINT64_MAX : a + b;
}

static uint64_t to_ns(double v)
{
    if (!(v > 0))
        return 0;
    return v >= (double)MAX_DELAY_NS ? MAX_DELAY_NS : (uint64_t)(v + 0.5);
}

static mp_worker_t *worker(const mp_run_t *run)
{
    return run->wd->worker;
}

static const struct {
    int status;
    const char *reason;
} reasons[] = {
    {200, "OK"},
    {400, "Bad Request"},
    {401, "Unauthorized"},
    {403, "Forbidden"},
    {404, "Not Found"},
    {408, "Request Timeout"},
    {409, "Conflict"},
    {413, "Payload Too Large"},
    {422, "Unprocessable Entity"},
    {429, "Too Many Requests"},
    {500, "Internal Server Error"},
    {502, "Bad Gateway"},
    {503, "Service Unavailable"},
    {504, "Gateway Timeout"},
    {529, "Site Overloaded"},
};

const char *mp_reason(int status)
{
    for (size_t i = 0; i < sizeof(reasons) / sizeof(reasons[0]); i++)
        if (reasons[i].status == status)
            return reasons[i].reason;
    return "Unknown";
}

/* ---- headers ------------------------------------------------------------------------------------------ */

static void add_header(h2o_req_t *req, const char *name, const char *value, size_t len)
{
    h2o_add_header_by_str(&req->pool, &req->res.headers, name, strlen(name), 0, NULL, value, len);
}

/* Decimal digits of v at the end of a 24-byte buffer; returns where they start. printf is avoided on
 * the per-response path: it showed up in profiles at 70K+ responses a second. */
static char *put_digits(char *end, uint64_t v)
{
    do {
        *--end = (char)('0' + v % 10);
        v /= 10;
    } while (v != 0);
    return end;
}

/* "<ms>.<3 decimals>" in pool memory. */
static h2o_iovec_t format_ms3(h2o_mem_pool_t *pool, uint64_t ns)
{
    char tmp[24], *end = tmp + sizeof(tmp);
    uint64_t us = (ns + 500) / 1000;
    char *p = put_digits(end, 1000 + us % 1000); /* four digits: "1" + the zero-padded decimals */
    *p = '.';
    p = put_digits(p, us / 1000);
    return h2o_strdup(pool, p, (size_t)(end - p));
}

static h2o_iovec_t format_uint(h2o_mem_pool_t *pool, uint64_t v)
{
    char tmp[24], *end = tmp + sizeof(tmp);
    char *p = put_digits(end, v);
    return h2o_strdup(pool, p, (size_t)(end - p));
}

void mp_run_add_headers(h2o_req_t *req, const mp_deployment_t *dep, const char *rid, size_t rid_len,
                        uint64_t service_ns)
{
    const mp_provider_t *ops = dep->ops;
    h2o_iovec_t id = h2o_strdup(&req->pool, rid, rid_len);
    h2o_iovec_t ms = format_ms3(&req->pool, service_ns);
    if (ops->request_id_header != NULL)
        add_header(req, ops->request_id_header, id.base, id.len);
    add_header(req, "x-mock-request-id", id.base, id.len);
    add_header(req, "x-mock-deployment", dep->name, strlen(dep->name));
    add_header(req, "x-mock-service-ms", ms.base, ms.len);
    if (ops->processing_ms_header != NULL) {
        h2o_iovec_t rounded = format_uint(&req->pool, (service_ns + 500000) / 1000000);
        add_header(req, ops->processing_ms_header, rounded.base, rounded.len);
    }
    for (const mp_header_t *h = ops->static_headers; h != NULL && h->name != NULL; h++)
        add_header(req, h->name, h->value, strlen(h->value));
}

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

static void flush(mp_run_t *run, uint64_t now);

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
    flush(run, now);
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

/* Served-latency metrics come from the moment frames are handed to h2o, not from the plan: when a slow
 * reader makes frames queue up, the steps that leave together are recorded with a zero gap, which is
 * what the client sees. */
static void record_steps(mp_run_t *run, uint64_t now)
{
    mp_tmetrics_t *m = worker(run)->metrics;
    uint32_t dep = run->dep->index;
    for (uint32_t i = 0; i < run->pending_steps; i++) {
        if (!run->token_sent)
            mp_metrics_latency(m, dep, MP_LAT_TTFT, now - run->arrival);
        else
            mp_metrics_latency(m, dep, MP_LAT_ITL, i == 0 ? now - run->last_step_sent : 0);
        run->token_sent = true;
    }
    if (run->pending_steps > 0)
        run->last_step_sent = now;
    run->pending_steps = 0;
}

/* How much of pending may go now: all of it, or up to a fault's point (then *point is set). */
static size_t sendable(const mp_run_t *run, bool *point)
{
    *point = false;
    if (run->mid == NULL || run->mid_due || run->mid_offset == UINT64_MAX ||
        run->mid_offset - run->body_sent > run->pending.len)
        return run->pending.len;
    *point = true;
    return (size_t)(run->mid_offset - run->body_sent);
}

/* Moves the first n bytes of pending to inflight (all of them by swapping the buffers, without a copy). */
static void take(mp_run_t *run, size_t n)
{
    if (n == run->pending.len) {
        cm_buf_t tmp = run->inflight;
        run->inflight = run->pending;
        run->pending = tmp;
        cm_buf_reset(&run->pending);
        return;
    }
    cm_buf_reset(&run->inflight);
    cm_buf_append(&run->inflight, run->pending.data, n);
    memmove(run->pending.data, run->pending.data + n, run->pending.len - n);
    run->pending.len -= n;
}

/* h2o allows one outstanding send per request: after an IN_PROGRESS send nothing more may be sent until
 * proceed runs. Frames rendered meanwhile wait in `pending`; the buffers swap on each send so the bytes
 * h2o is still writing are never touched. A fault's point splits a send: what comes before it goes, and the
 * fault acts in proceed, once h2o has written it. */
static void flush(mp_run_t *run, uint64_t now)
{
    bool point;
    if (run->wd->frozen) {
        mp_run_park(run, MP_PARK_FLUSH);
        return;
    }
    if (run->sending || run->final_sent || run->stopped || now < run->held_until || run->drip_waiting)
        return;
    size_t n = sendable(run, &point);
    if (run->drip != NULL && n > run->drip->bytes) {
        n = (size_t)run->drip->bytes;
        point = false;
    }
    if (n == 0 && !point)
        return;
    record_steps(run, now);
    take(run, n);
    run->body_sent += n;
    run->mid_due = point;
    h2o_iovec_t iov = h2o_iovec_init(run->inflight.data, run->inflight.len);
    h2o_send_state_t state = H2O_SEND_STATE_IN_PROGRESS;
    if (run->tail_rendered && run->pending.len == 0 && !point) {
        state = H2O_SEND_STATE_FINAL;
        run->final_sent = true;
        mp_metrics_latency(worker(run)->metrics, run->dep->index, MP_LAT_RESPONSE, now - run->arrival);
    } else {
        run->sending = true;
    }
    h2o_send(run->req, &iov, n > 0 ? 1 : 0, state);
}

static void mid_act(mp_run_t *run);

static void on_proceed(h2o_generator_t *self, h2o_req_t *req)
{
    mp_run_t *run = (mp_run_t *)self;
    run->sending = false;
    cm_buf_reset(&run->inflight);
    if (run->mid_due) {
        mid_act(run);
    } else if (run->drip != NULL) {
        /* The next piece goes when the drip's interval has passed, whether it is rendered yet or not. */
        run->drip_waiting = true;
        mp_timers_add(&worker(run)->timers, &run->drip_timer, sat_add(cm_now_ns(), run->drip->every_ns));
    } else {
        flush(run, cm_now_ns());
    }
}

static void on_drip_timer(mp_timer_t *timer)
{
    mp_run_t *run = H2O_STRUCT_FROM_MEMBER(mp_run_t, drip_timer, timer);
    run->drip_waiting = false;
    flush(run, cm_now_ns());
}

static void on_stop(h2o_generator_t *self, h2o_req_t *req)
{
    mp_run_t *run = (mp_run_t *)self;
    run->stopped = true;
    mp_timers_cancel(&worker(run)->timers, &run->drip_timer);
    mp_timers_cancel(&worker(run)->timers, &run->timer);
}

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
        (run->mid->at.kind == FX_AT_AFTER_HEADERS || run->mid->at.n == 0))
        run->mid_offset = run->pending.len;
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
        if (run->mid != NULL && run->mid->at.kind == FX_AT_AFTER_CHUNKS && run->chunks_done == run->mid->at.n)
            run->mid_offset = run->body_sent + run->pending.len;
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
    flush(run, now);
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
        flush(run, cm_now_ns());
    }
}

static void on_timer(mp_timer_t *timer)
{
    fire(H2O_STRUCT_FROM_MEMBER(mp_run_t, timer, timer));
}

/* A deadline already reached is served in the handler's own call, without a trip through the timerfd:
 * zero-latency deployments then cost no system call beyond the response write. */
static void schedule(mp_run_t *run, mp_run_phase_t phase, uint64_t at)
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
        schedule(run, MP_RUN_BODY, run->end_at);
        return;
    }
    uint64_t prefill = to_ns(cm_dist_sample(&dep->prefill_per_token, rng) * (double)run->r.prompt_tokens);
    uint64_t start = sat_add(run->arrival, run->queued_ns);
    uint64_t first = sat_add(sat_add(sat_add(start, run->hold_ns), prefill), draw(&dep->ttft, rng));
    if (timing == MP_TIMING_PREFILL) {
        run->end_at = first;
        schedule(run, MP_RUN_BODY, first);
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
        schedule(run, MP_RUN_STREAM, first);
    else
        schedule(run, MP_RUN_BODY, end);
}

/* ---- faults that cut the connection ------------------------------------------------------------------ */

/* connect() with AF_UNSPEC disconnects a TCP socket: Linux sends a RST at once and leaves the descriptor
 * valid (h2o still owns it), which closing it ourselves would not. shutdown(SHUT_WR) sends the FIN. Either
 * way h2o's next write fails and it closes the connection, which disposes the request. */
void mp_run_cut(mp_run_t *run, bool reset)
{
    h2o_req_t *req = run->req;
    h2o_socket_t *sock = req->conn->callbacks->get_socket != NULL ? req->conn->callbacks->get_socket(req->conn) : NULL;
    if (sock != NULL) {
        int fd = h2o_socket_get_fd(sock);
        if (reset) {
            struct sockaddr sa;
            memset(&sa, 0, sizeof(sa));
            sa.sa_family = AF_UNSPEC;
            (void)connect(fd, &sa, sizeof(sa));
        } else {
            (void)shutdown(fd, SHUT_WR);
        }
    }
    mp_timers_cancel(&worker(run)->timers, &run->timer);
    mp_timers_cancel(&worker(run)->timers, &run->drip_timer);
    run->phase = MP_RUN_IDLE;
    run->final_sent = true;
    req->http1_is_persistent = 0;
    if (!run->headers_sent) {
        req->res.status = 503;
        req->res.reason = mp_reason(503);
        req->res.content_length = 0;
        h2o_start_response(req, &run->super);
    }
    h2o_send(req, NULL, 0, H2O_SEND_STATE_FINAL);
}

/* The response reached a fault's point and h2o has written everything before it. A stall that resumes holds
 * back the rest (and, in a stream, every later step) for its duration; the other faults cut the connection,
 * at once or when their stall ends. */
/* A stream_error fault: what was rendered after the point is dropped, the provider's error event goes out
 * and ends the stream; the connection stays usable. */
static void stream_error(mp_run_t *run, uint64_t now)
{
    const mp_provider_t *ops = run->dep->ops;
    mp_error_t err;
    mp_error_preset(ops, &err, MP_ERR_UNAVAILABLE, NULL);
    err.request_id = run->rid;
    err.route = &run->route;
    mp_timers_cancel(&worker(run)->timers, &run->timer);
    cm_buf_reset(&run->pending);
    if (ops->render_stream_error != NULL) {
        ops->render_stream_error(&run->x, &err, &run->pending);
    } else {
        cm_buf_puts(&run->pending, "data: ");
        ops->render_error(&err, &run->pending);
        cm_buf_puts(&run->pending, "\n\n");
    }
    run->pending_steps = 0;
    run->tail_rendered = true;
    run->phase = MP_RUN_IDLE;
    flush(run, now);
}

static void mid_act(mp_run_t *run)
{
    const fx_fault_t *f = run->mid;
    uint64_t now = cm_now_ns();
    run->mid = NULL;
    run->mid_due = false;
    if (f->kind == FX_STREAM_ERROR) {
        stream_error(run, now);
        return;
    }
    if (f->kind == FX_STALL && f->then == FX_THEN_RESUME) {
        run->held_until = sat_add(now, f->duration_ns);
        if (run->phase == MP_RUN_STREAM && !run->tail_rendered) {
            run->next_at = sat_add(run->next_at > now ? run->next_at : now, f->duration_ns);
            run->end_at = sat_add(run->end_at, f->duration_ns);
            mp_timers_add(&worker(run)->timers, &run->timer, run->next_at);
        } else {
            run->phase = MP_RUN_HOLD;
            mp_timers_add(&worker(run)->timers, &run->timer, run->held_until);
        }
        return;
    }
    bool reset = f->kind == FX_RESET || (f->kind == FX_STALL && f->then == FX_THEN_RESET);
    if (f->kind != FX_STALL) {
        mp_run_cut(run, reset);
        return;
    }
    mp_run_cut_at(run, reset, sat_add(now, f->duration_ns));
}

void mp_run_cut_at(mp_run_t *run, bool reset, uint64_t at)
{
    run->cut_reset = reset;
    run->planned = true;
    run->end_at = at;
    schedule(run, MP_RUN_CUT, at);
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
            flush(run, cm_now_ns());
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
    run->super.proceed = on_proceed;
    run->super.stop = on_stop;
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
    mp_timer_init(&run->drip_timer, on_drip_timer);
    mp_metrics_inflight(wd->worker->metrics, wd->dep->index, 1);
    if (wd->worker->server->journal != NULL)
        mp_journal_note_client(run);
    return run;
}
