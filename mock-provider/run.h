/* mock-provider/run.h — one request being answered over time: its timing plan, its timers, and the
 * sending of the response (a whole body, or a stream of frames under h2o's one-send-at-a-time rule).
 *
 * Timing model (every deadline absolute, from the request's arrival, so nothing drifts):
 *   first token  = arrival + prefill_per_token * prompt_tokens + ttft  (plus the time queued for a
 *                  concurrency slot and a stall fault before the headers, when there are)
 *   step k (k>1) = step k-1 + itl          (a fresh itl sample per step)
 *   chunks:      steps go out tokens_per_chunk at a time (a draw per chunk, default 1): a chunk of k steps
 *                leaves with its last step, k itl samples after the previous chunk
 *   stream:      headers + head + step 1 at the first-token time, each later step at its own time, the
 *                tail together with the last step
 *   non-stream:  the whole body at the stream-equivalent end (last step's time)
 *   embeddings:  the body at arrival + prefill + ttft;  models: at once
 * Every sample is drawn when the run starts, so x-mock-service-ms (the planned arrival-to-last-byte time)
 * is known when the headers go out.
 *
 * A run lives in the request's memory pool (h2o_mem_alloc_shared) and is disposed with the request:
 * disposal cancels its timer and frees its buffers, so a client that disconnects mid-delay leaves
 * nothing behind. */
#ifndef MP_RUN_H
#define MP_RUN_H

#include <stdbool.h>
#include <stdint.h>

#include <h2o.h>

#include "common/alloc.h"
#include "common/buf.h"
#include "mock-provider/provider.h"
#include "mock-provider/timer.h"
#include "mock-provider/worker.h"

typedef enum mp_run_phase {
    MP_RUN_IDLE,
    MP_RUN_BODY,   /* waiting to send a whole body */
    MP_RUN_STREAM, /* streaming steps */
    MP_RUN_CUT,    /* a fault: the connection is cut (FIN or RST) when the timer fires */
    MP_RUN_HOLD,   /* a fault: a stall inside the response; the rest is sent when the timer fires */
} mp_run_phase_t;

typedef struct mp_run {
    h2o_generator_t super; /* first: h2o hands it back to proceed/stop */
    h2o_req_t *req;
    mp_wdep_t *wd;
    mp_snap_hold_t *hold;       /* its worker's hold on them, let go at disposal */
    mp_snap_t *snap;            /* the settings the run started with: hold->snap */
    const mp_deployment_t *dep; /* &snap->dep */
    const char *fault;          /* the fault applied (its name or kind; valid while snap is), else NULL */
    char *journal_model;        /* journal.h, when on: copies made while the request is sure to be there */
    char *journal_client;
    uint64_t arrival;     /* CLOCK_MONOTONIC ns when the handler got the request */
    cm_allocator_t alloc; /* backed by the request pool */
    cm_str_t path;        /* request path without the query string */
    mp_http_t http;       /* the provider's view of the request line and headers */
    mp_route_t route;     /* what the path carried, once routed */
    int api;              /* mp_api_t once routed, else MP_METRICS_API_UNKNOWN */
    uint32_t model_slot;  /* metrics label slot */
    mp_request_t r;
    mp_exchange_t x;
    char rid[80]; /* provider prefix + 32 hex digits */
    size_t rid_len;
    /* plan */
    mp_run_phase_t phase;
    mp_timer_t timer;
    uint64_t end_at;  /* planned send of the last byte (valid when planned) */
    uint64_t next_at; /* stream: deadline of the next step */
    uint32_t steps_done;
    uint32_t chunks_done; /* stream chunks rendered (a fault after N chunks counts these) */
    uint32_t chunk_next;  /* steps in the next chunk */
    /* faults (mock-provider/faults.h) */
    cm_str_t key;             /* the API key the request presented (the provider's own header), for fault targeting */
    h2o_iovec_t fault_header; /* the x-mock-fault request header (base NULL when absent) */
    uint64_t hold_ns;         /* a stall before the headers, added to the plan */
    bool cut_reset;           /* MP_RUN_CUT: RST rather than FIN */
    bool malformed;           /* the body (or the stream's first event) is sent as invalid JSON */
    /* limits (mock-provider/limits.h) */
    mp_quota_ticket_t ticket;    /* the rate-limit charge until settled (counters NULL when none) */
    bool slot;                   /* holds a concurrency slot */
    uint64_t queued_ns;          /* waited for the slot: the plan starts this much after the arrival */
    struct mp_limits_wait *wait; /* queued for a slot, else NULL */
    /* a fault at a point inside the response (stall, close, reset, truncate), until it acts */
    const struct fx_fault *mid;
    uint64_t mid_offset;         /* body offset of its point; UINT64_MAX until known (after N stream chunks) */
    uint64_t mid_seq;            /* the exchange's seq at a point after N chunks (the Responses sequence_number
                                    an in-stream error takes, though later events were rendered); UINT64_MAX
                                    when unknown (a point in bytes) */
    uint64_t body_sent;          /* body bytes handed to h2o */
    uint64_t held_until;         /* a stall inside the response: nothing more is sent before this time */
    bool mid_due;                /* the last send reached the point: the fault acts when h2o is done with it */
    const struct fx_fault *drip; /* a drip fault: at most drip->bytes per send, a send every drip->every_ns */
    mp_timer_t drip_timer;
    bool drip_waiting; /* the next piece waits for drip_timer */
    cm_rng_t itl_rng;  /* stream: replays the itl draws made while planning */
    /* a pause fault froze the deployment: what the run does when it ends (MP_PARK_* bits) */
    h2o_linklist_t park_link;
    uint8_t parked;
    /* stream output: frames rendered while a send is outstanding wait in pending */
    cm_buf_t pending, inflight;
    uint32_t pending_steps;
    uint64_t last_step_sent;
    bool begun, planned, headers_sent, tail_rendered, final_sent, sending, stopped, token_sent;
} mp_run_t;

/* Creates the run of req in req's pool, counts it in flight and draws its request id. Never NULL. */
mp_run_t *mp_run_create(h2o_req_t *req, mp_wdep_t *wd, uint64_t arrival);
/* Answers now with the provider's error body for err, after setting err's request_id and route (the
 * caller's own error, not copied: a 429 storm answers nothing else). */
void mp_run_fail(mp_run_t *run, mp_error_t *err);
/* After a successful parse (or routing for models): begins the exchange, plans the timing and schedules
 * the response. */
void mp_run_start(mp_run_t *run);

/* Adds the headers every response carries: the provider's request-id header and x-mock-request-id (rid,
 * copied), x-mock-deployment, x-mock-service-ms (3 decimals), the provider's processing-ms header (the same
 * value rounded) and the provider's static headers. */
void mp_run_add_headers(h2o_req_t *req, const mp_deployment_t *dep, const char *rid, size_t rid_len,
                        uint64_t service_ns);

/* Cuts the request's connection: FIN (close) or RST (reset), without a response or in the middle of one.
 * HTTP/2 connections carry other streams, which end with it. h2o then finishes the request on the cut socket. */
void mp_run_cut(mp_run_t *run, bool reset);
/* The same at an absolute CLOCK_MONOTONIC time (a stall that ends in close or reset). */
void mp_run_cut_at(mp_run_t *run, bool reset, uint64_t at);

/* pause faults (mp_wdep_t.frozen): a run that would act while its deployment is frozen waits in the
 * deployment's parked list; mp_run_thaw runs what each waited for when the pause ends. */
enum { MP_PARK_BEGIN = 1, MP_PARK_FIRE = 2, MP_PARK_FLUSH = 4 };
void mp_run_park(mp_run_t *run, uint8_t what);
void mp_run_thaw(mp_wdep_t *wd);

/* HTTP reason phrase for a status ("OK", "Not Found"...; "Unknown" for unlisted ones). */
const char *mp_reason(int status);

#endif
