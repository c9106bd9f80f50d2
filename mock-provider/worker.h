/* mock-provider/worker.h — one event-loop thread: its own h2o evloop and context, its own SO_REUSEPORT
 * listening socket for every deployment, its own timers, random generators, scratch buffers and metrics
 * block. Nothing here is shared with other workers except read-only configuration and the metrics
 * registry of model names.
 *
 * Lifecycle (driven by server.c): mp_worker_spawn starts the thread, which sets everything up and reports
 * through mp_server's ready latch; mp_worker_request_stop (any thread) makes it close its listeners and
 * finish in-flight requests for up to MP_WORKER_DRAIN_NS; it then reports through the server's stop latch
 * and parks until the process exits (see worker_main for why it is never joined). */
#ifndef MP_WORKER_H
#define MP_WORKER_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#include <h2o.h>

#include "common/buf.h"
#include "common/dist.h"
#include "common/json.h"
#include "mock-provider/deployment.h"
#include "mock-provider/metrics.h"
#include "mock-provider/snapshot.h"
#include "mock-provider/timer.h"
#include "mock-provider/trim.h"

#define MP_WORKER_DRAIN_NS (500ull * 1000 * 1000) /* shutdown waits this long for in-flight requests */

/* Per-thread scratch (the rendering buffer, the JSON token array) grows to the largest request seen. After
 * a loop iteration that left either above MP_SCRATCH_SLACK times its baseline, it is freed and allocated
 * again at the baseline, so one outsized request does not keep its memory for the life of the thread. */
#define MP_SCRATCH_BUF_BASELINE (64u * 1024) /* bytes: a few ordinary bodies */
#define MP_SCRATCH_TOKS_BASELINE (4u * 1024) /* JSON tokens: a chat request of about 40 KB */
#define MP_SCRATCH_SLACK 4
/* Initial capacity of a connection's input buffer (h2o's default is 8 KiB): one read() takes a 30 KiB request. */
#define MP_INPUT_BUFFER_INITIAL (32u * 1024)

struct mp_server;

/* One deployment as seen by one worker. */
typedef struct mp_wdep {
    struct mp_worker *worker;
    const mp_deployment_t *dep;   /* the configuration's: only its fixed fields (name, index, ops, listen) */
    mp_snap_t *snap;              /* the current settings on this thread: hold->snap */
    mp_snap_hold_t *hold;         /* the worker's hold on them, which its runs share (snapshot.h) */
    _Atomic(mp_snap_t *) mailbox; /* a newer snapshot handed over by the admin thread, adopted when woken */
    h2o_accept_ctx_t accept;      /* hosts = the deployment's hostconf only: this listener serves just it */
    h2o_socket_t *listener;
    int fd;       /* the listening socket, bound by the server before the thread starts */
    cm_rng_t rng; /* latency and length draws: seeded from the deployment's seed and the thread index */
    /* accept_pause faults: the listener stops accepting inside their windows */
    mp_timer_t accept_timer;
    uint64_t accept_at; /* ns since the server's start the timer was set for */
    bool accept_paused;
    /* pause faults: the deployment is frozen; requests and sends wait in `parked` until the pause ends */
    bool frozen;
    h2o_linklist_t parked; /* mp_run_t.park_link */
    mp_timer_t pause_timer;
    uint64_t pause_at;  /* ns since the server's start the timer was set for */
    bool listener_idle; /* the listener is not read (accept_pause or pause) */
} mp_wdep_t;

struct mp_run;

typedef struct mp_worker {
    h2o_context_t ctx; /* requests find their worker from req->conn->ctx (mp_worker_of) */
    h2o_evloop_t *loop;
    uint32_t index;
    struct mp_server *server;
    mp_wdep_t *deps; /* one per deployment, same order as the config */
    mp_timers_t timers;
    mp_trim_t trim; /* gives a burst's memory back once it is over */
    mp_tmetrics_t *metrics;
    cm_json_toks_t toks; /* JSON token scratch for request parsing, reused by every request */
    cm_buf_t scratch;    /* rendering scratch; bodies are copied into the request pool before sending */
    cm_rng_t ids;        /* request ids (seeded from the OS: ids must differ between runs) */
    int wake_fd;         /* eventfd the main thread writes to when asking the worker to stop */
    h2o_socket_t *wake;
    int stop; /* set with __atomic by mp_worker_request_stop */
    pthread_t thread;
    /* concurrency slots handed over by other threads (limits.c) */
    h2o_multithread_receiver_t limits_rx;
    void (*continue_run)(struct mp_run *run);
    void (*begin_run)(struct mp_run *run); /* the request pipeline of a run that arrived during a pause */
    bool spawned;
    bool stopped; /* under the server lock: drained (or failed setup); the loop no longer runs */
} mp_worker_t;

/* One accepted client connection: what conn_limit faults count. Owned by the socket's close callback. */
typedef struct mp_conn {
    mp_worker_t *worker;
    uint64_t opened_ns; /* CLOCK_MONOTONIC at accept */
    uint64_t requests;  /* requests started on it */
    bool retiring;      /* mp_worker_conn_retire ran: the connection ends once its requests are answered */
    h2o_conn_t *h2;     /* HTTP/2: the connection whose final GOAWAY `goaway` sends */
    mp_timer_t goaway;
} mp_conn_t;

/* The connection state of req's connection, or NULL (a socket the worker did not accept, or one that is
 * lingering). */
mp_conn_t *mp_worker_conn_of(h2o_req_t *req);

/* Ends c, req's connection, the way a server retiring a keep-alive connection does, with every request
 * already on it answered in full. HTTP/1.1: req's response carries `Connection: close` and the server
 * closes (FIN) after it. HTTP/2 (RFC 9113 section 6.8, graceful shutdown): a GOAWAY with NO_ERROR and the
 * highest stream id at once (no new streams, please; nothing sent so far is refused), then after
 * MP_GOAWAY_GRACE_NS a second GOAWAY naming the last stream opened by then: h2o refuses streams opened
 * after it and closes the connection once the open ones are answered. Returns false, doing nothing, when
 * the connection is already retiring. */
#define MP_GOAWAY_GRACE_NS (1000ull * 1000 * 1000)
bool mp_worker_conn_retire(mp_conn_t *c, h2o_req_t *req);

static inline mp_worker_t *mp_worker_of(h2o_req_t *req)
{
    return H2O_STRUCT_FROM_MEMBER(mp_worker_t, ctx, req->conn->ctx);
}

/* Starts the thread. fds[d] is the listening socket of deployment d for this worker. Returns 0, or -1 with
 * err filled when the thread could not be created. Setup failures inside the thread are reported through
 * the server's ready latch (mp_server__worker_ready). */
int mp_worker_spawn(mp_worker_t *w, struct mp_server *s, uint32_t index, const int *fds, char *err, size_t errlen);
/* Asks the worker to stop (async-signal-unsafe; call from a normal thread). The server waits for its stop
 * latch (mp_server__worker_stopped) rather than joining the thread. */
void mp_worker_request_stop(mp_worker_t *w);
/* Interrupts the worker's loop (any thread): it then adopts the snapshots waiting in its mailboxes. */
void mp_worker_wake(mp_worker_t *w);

/* Brings the worker's scratch back to its baselines when it grew past MP_SCRATCH_SLACK times them (see
 * above); returns true when it did. Called by the worker's loop between iterations, when no request holds
 * the scratch. */
bool mp_worker_trim_scratch(mp_worker_t *w);

/* A client may still be sending an oversize body when h2o has refused it: closing the socket then makes
 * the kernel answer with a reset that can destroy the 413 before the client reads it (h2o 2.2.5 has no
 * lingering close: "TODO use lingering close" in lib/http1.c). After mp_worker_linger, the connection of
 * req (HTTP/1 only) is not reset when h2o closes it: the mock keeps its own descriptor of the socket, stops
 * writing (FIN after the response), and reads and discards what the client still sends, until the client
 * closes or MP_LINGER_NS or MP_LINGER_BYTES is reached. Memory: one small struct and one read buffer. */
#define MP_LINGER_NS (5ull * 1000 * 1000 * 1000)
#define MP_LINGER_BYTES (1024ull * 1024 * 1024)
void mp_worker_linger(mp_worker_t *w, h2o_req_t *req);

/* Writes a request id in the provider's form into out: its request_id_prefix (NULL = none), then its
 * request_id_base62 random base62 characters, or 32 random lower-case hex digits when that is 0. Returns the
 * length, or 0 with out empty when it does not fit in cap. */
size_t mp_worker_request_id(mp_worker_t *w, const struct mp_provider *ops, char *out, size_t cap);

#endif
