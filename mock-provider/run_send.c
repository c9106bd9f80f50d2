/* mock-provider/run_send.c — a run's bytes once they are rendered: handing them to h2o under its
 * one-send-at-a-time rule (pending and inflight buffers, the drip fault's pacing), the served-latency
 * metrics taken at each send, and the faults that act at a point inside a response (cut, stall, stream
 * error). Split from run.c, which plans the timing and renders the bodies and steps, so that each reads in
 * one sitting; run_internal.h holds what the two share. */
#include "mock-provider/run_internal.h"

#include <string.h>
#include <sys/socket.h>

#include "common/clock.h"
#include "faults/fault.h"
#include "mock-provider/metrics.h"

/* ---- sending: stream frames, and whole bodies with a fault inside ------------------------------------- */

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
void mp_run_flush(mp_run_t *run, uint64_t now)
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

void mp_run_on_proceed(h2o_generator_t *self, h2o_req_t *req)
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
        mp_run_flush(run, cm_now_ns());
    }
}

void mp_run_on_drip_timer(mp_timer_t *timer)
{
    mp_run_t *run = H2O_STRUCT_FROM_MEMBER(mp_run_t, drip_timer, timer);
    run->drip_waiting = false;
    mp_run_flush(run, cm_now_ns());
}

void mp_run_on_stop(h2o_generator_t *self, h2o_req_t *req)
{
    mp_run_t *run = (mp_run_t *)self;
    run->stopped = true;
    mp_timers_cancel(&worker(run)->timers, &run->drip_timer);
    mp_timers_cancel(&worker(run)->timers, &run->timer);
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
    if (run->mid_seq != UINT64_MAX)
        run->x.seq = run->mid_seq; /* the events rendered past the point were dropped with their numbers */
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
    mp_run_flush(run, now);
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
    mp_run_schedule(run, MP_RUN_CUT, at);
}
