#include "mock-provider/worker.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "common/alloc.h"
#include "common/clock.h"
#include "common/log.h"
#include "faults/fault.h"
#include "mock-provider/h2goaway.h"
#include "mock-provider/handler.h"
#include "mock-provider/limits.h"
#include "mock-provider/run.h"
#include "mock-provider/provider.h"
#include "mock-provider/server.h"

/* Accepting in a bounded batch keeps one busy listener from starving the others and the timers. */
#define ACCEPT_BATCH 64

static void on_connection_close(void *data)
{
    mp_conn_t *c = data;
    mp_timers_cancel(&c->worker->timers, &c->goaway);
    mp_metrics_connections(c->worker->metrics, -1);
    free(c);
}

mp_conn_t *mp_worker_conn_of(h2o_req_t *req)
{
    if (req->conn->callbacks->get_socket == NULL)
        return NULL;
    h2o_socket_t *sock = req->conn->callbacks->get_socket(req->conn);
    return sock != NULL && sock->on_close.cb == on_connection_close ? sock->on_close.data : NULL;
}

/* The second GOAWAY of a graceful HTTP/2 end. The connection is alive: closing it cancels this timer first
 * (on_connection_close). */
static void on_goaway_due(mp_timer_t *timer)
{
    mp_conn_t *c = H2O_STRUCT_FROM_MEMBER(mp_conn_t, goaway, timer);
    mp_h2_goaway(c->h2, true);
}

bool mp_worker_conn_retire(mp_conn_t *c, h2o_req_t *req)
{
    if (c->retiring)
        return false;
    c->retiring = true;
    if (req->version < 0x200) {
        req->http1_is_persistent = 0;
    } else if (mp_h2_goaway(req->conn, false)) {
        c->h2 = req->conn;
        mp_timers_add(&c->worker->timers, &c->goaway, cm_now_ns() + MP_GOAWAY_GRACE_NS);
    }
    return true;
}

/* ---- lingering close ---------------------------------------------------------------------------------- */

typedef struct lingering {
    mp_worker_t *w;
    int fd;             /* our duplicate of the connection's socket */
    h2o_socket_t *sock; /* fd in the loop, once h2o has closed its own descriptor */
    mp_timer_t timer;
    uint64_t discarded;
} lingering_t;

static void linger_end(lingering_t *l)
{
    mp_timers_cancel(&l->w->timers, &l->timer);
    h2o_socket_close(l->sock);
    free(l);
}

static void on_lingering_timeout(mp_timer_t *timer)
{
    linger_end(H2O_STRUCT_FROM_MEMBER(lingering_t, timer, timer));
}

static void on_linger_read(h2o_socket_t *sock, const char *err)
{
    lingering_t *l = sock->data;
    if (err == NULL) {
        l->discarded += sock->input->size;
        h2o_buffer_consume(&sock->input, sock->input->size);
    }
    if (err != NULL || l->discarded > MP_LINGER_BYTES)
        linger_end(l);
}

/* h2o has written the response and closed its descriptor (the socket stays open through ours, so no reset
 * was sent). The connection counts as closed from here, as for any other connection. */
static void on_linger_close(void *data)
{
    lingering_t *l = data;
    mp_metrics_connections(l->w->metrics, -1);
    shutdown(l->fd, SHUT_WR);
    l->sock = h2o_evloop_socket_create(l->w->loop, l->fd, 0);
    l->sock->data = l;
    mp_timer_init(&l->timer, on_lingering_timeout);
    mp_timers_add(&l->w->timers, &l->timer, cm_now_ns() + MP_LINGER_NS);
    h2o_socket_read_start(l->sock, on_linger_read);
}

void mp_worker_linger(mp_worker_t *w, h2o_req_t *req)
{
    if (req->version >= 0x200 || req->conn->callbacks->get_socket == NULL)
        return;
    h2o_socket_t *sock = req->conn->callbacks->get_socket(req->conn);
    if (sock == NULL || sock->on_close.cb != on_connection_close)
        return; /* not one of our accepted sockets, or already lingering */
    int fd = fcntl(h2o_socket_get_fd(sock), F_DUPFD_CLOEXEC, 0);
    if (fd < 0)
        return; /* out of descriptors: h2o's plain close (a reset) is the fallback */
    lingering_t *l = cm_xcalloc(1, sizeof(*l));
    l->w = w;
    l->fd = fd;
    mp_conn_t *c = sock->on_close.data; /* lingering replaces it */
    mp_timers_cancel(&w->timers, &c->goaway);
    free(c);
    sock->on_close.cb = on_linger_close;
    sock->on_close.data = l;
}

static void on_accept(h2o_socket_t *listener, const char *err)
{
    mp_wdep_t *wd = listener->data;
    if (err != NULL)
        return;
    for (int i = 0; i < ACCEPT_BATCH; i++) {
        h2o_socket_t *sock = h2o_evloop_socket_accept(listener);
        if (sock == NULL)
            return;
        mp_conn_t *c = cm_xmalloc(sizeof(*c));
        c->worker = wd->worker;
        c->opened_ns = cm_now_ns();
        c->requests = 0;
        c->retiring = false;
        c->h2 = NULL;
        mp_timer_init(&c->goaway, on_goaway_due);
        sock->on_close.cb = on_connection_close;
        sock->on_close.data = c;
        mp_metrics_connections(wd->worker->metrics, 1);
        h2o_accept(&wd->accept, sock);
    }
}

static void update_accepting(mp_wdep_t *wd);
static void update_frozen(mp_wdep_t *wd);
static bool stopping(mp_worker_t *w);

/* A snapshot published by the admin thread (snapshot.h) becomes this thread's: new requests take it, runs
 * in flight keep theirs. The fault schedules are evaluated again (a new set may pause or stop accepting, or
 * no longer do), and the draws restart from the new seed when it changed. */
static void adopt(mp_wdep_t *wd)
{
    mp_snap_t *n = atomic_exchange_explicit(&wd->mailbox, NULL, memory_order_acq_rel);
    if (n == NULL)
        return;
    mp_snap_t *old = wd->snap;
    mp_snap_hold_t *old_hold = wd->hold;
    wd->hold = mp_snap_hold(n);
    wd->snap = n;
    if (n->dep.seed != old->dep.seed)
        cm_rng_seed(&wd->rng, n->dep.seed ^ ((uint64_t)(wd->worker->index + 1) * 0xbf58476d1ce4e5b9ull));
    mp_timers_cancel(&wd->worker->timers, &wd->accept_timer);
    mp_timers_cancel(&wd->worker->timers, &wd->pause_timer);
    wd->accept_at = 0;
    wd->pause_at = 0;
    update_accepting(wd);
    update_frozen(wd);
    atomic_fetch_add_explicit(&n->adopted, 1, memory_order_release);
    mp_snap_hold_put(old_hold); /* freed now, or by the last run that started with it */
}

/* The eventfd interrupts h2o_evloop_run: the stop flag is read by the run loop; new snapshots are adopted here. */
static void on_wake(h2o_socket_t *sock, const char *err)
{
    mp_worker_t *w = sock->data;
    uint64_t v;
    ssize_t r = read(w->wake_fd, &v, sizeof(v));
    (void)r;
    (void)err;
    for (size_t d = 0; !stopping(w) && d < w->server->cfg->ndeps; d++)
        adopt(&w->deps[d]);
}

bool mp_worker_trim_scratch(mp_worker_t *w)
{
    bool trimmed = false;
    if (w->scratch.cap > (size_t)MP_SCRATCH_SLACK * MP_SCRATCH_BUF_BASELINE) {
        cm_buf_shrink(&w->scratch, MP_SCRATCH_BUF_BASELINE);
        trimmed = true;
    }
    if (w->toks.cap > MP_SCRATCH_SLACK * MP_SCRATCH_TOKS_BASELINE) {
        cm_json_toks_shrink(&w->toks, MP_SCRATCH_TOKS_BASELINE);
        trimmed = true;
    }
    return trimmed;
}

/* The load mp_trim follows: a burst of connections holds their buffers even with no request in flight. */
static int64_t worker_load(void *ctx)
{
    mp_worker_t *w = ctx;
    return mp_metrics_thread_connections(w->metrics) + mp_metrics_thread_inflight(w->metrics);
}

static void worker_release(void *ctx)
{
    mp_worker_t *w = ctx;
    mp_worker_trim_scratch(w);
    mp_timerq_shrink(&w->timers.q);
    mp_trim_release_memory();
}

static uint64_t os_seed(uint32_t index)
{
    uint64_t seed;
    if (getrandom(&seed, sizeof(seed), GRND_NONBLOCK) != (ssize_t)sizeof(seed))
        seed = cm_wall_ms() ^ ((uint64_t)getpid() << 32);
    return seed ^ ((uint64_t)index * 0x9e3779b97f4a7c15ull);
}

/* ---- accept_pause faults --------------------------------------------------------------------------- */

/* Whether an accept_pause window of dep covers t (ns since the server's start), and the next time after t
 * at which a window opens or closes (UINT64_MAX: none). */
static bool accept_paused_at(const mp_deployment_t *dep, uint64_t t, uint64_t *next)
{
    bool paused = false;
    *next = UINT64_MAX;
    for (size_t i = 0; dep->faults != NULL && i < dep->faults->n; i++) {
        const fx_fault_t *f = &dep->faults->faults[i];
        if (f->kind != FX_ACCEPT_PAUSE)
            continue;
        paused |= t >= f->window_from && t < f->window_to;
        if (f->window_from > t && f->window_from < *next)
            *next = f->window_from;
        if (f->window_to > t && f->window_to < *next)
            *next = f->window_to;
    }
    return paused;
}

/* The kernel keeps completing handshakes into the listen backlog while the listener is not read, so
 * clients connect and then wait for an answer, as with a server that stopped calling accept(). */
static void apply_listener(mp_wdep_t *wd)
{
    bool idle = wd->accept_paused || wd->frozen;
    if (wd->listener == NULL)
        return;
    if (idle && !wd->listener_idle)
        h2o_socket_read_stop(wd->listener);
    else if (!idle && wd->listener_idle)
        h2o_socket_read_start(wd->listener, on_accept);
    wd->listener_idle = idle;
}

static void update_accepting(mp_wdep_t *wd)
{
    if (wd->listener == NULL)
        return;
    uint64_t start = mp_server_epoch(wd->worker->server, wd->dep->index), now = cm_now_ns(), next;
    uint64_t t = now > start ? now - start : 0;
    if (t < wd->accept_at) /* the timer may fire within its slack: it is due all the same */
        t = wd->accept_at;
    bool paused = accept_paused_at(&wd->snap->dep, t, &next);
    if (paused && !wd->accept_paused)
        mp_metrics_fault(wd->worker->metrics, wd->dep->index, FX_ACCEPT_PAUSE);
    wd->accept_paused = paused;
    apply_listener(wd);
    wd->accept_at = next;
    if (next != UINT64_MAX)
        mp_timers_add(&wd->worker->timers, &wd->accept_timer, start + next);
}

static void on_accept_window(mp_timer_t *timer)
{
    update_accepting(H2O_STRUCT_FROM_MEMBER(mp_wdep_t, accept_timer, timer));
}

/* ---- pause faults ------------------------------------------------------------------------------------ */

/* Whether a pause of dep covers t (ns since the server's start): pause k (k >= 1) freezes [k*every,
 * k*every + duration) when it starts inside the fault's window. Also the next time after t at which a pause
 * starts or ends (UINT64_MAX: none). */
static bool frozen_at(const mp_deployment_t *dep, uint64_t t, uint64_t *next)
{
    bool frozen = false;
    *next = UINT64_MAX;
    for (size_t i = 0; dep->faults != NULL && i < dep->faults->n; i++) {
        const fx_fault_t *f = &dep->faults->faults[i];
        if (f->kind != FX_PAUSE || f->every_ns == 0)
            continue;
        uint64_t k = t / f->every_ns, start = k * f->every_ns, boundary;
        if (k >= 1 && start >= f->window_from && start < f->window_to && t < start + f->duration_ns) {
            frozen = true;
            boundary = start + f->duration_ns;
        } else {
            uint64_t k2 = k + 1;
            if (k2 * f->every_ns < f->window_from)
                k2 = f->window_from / f->every_ns + (f->window_from % f->every_ns != 0);
            boundary = k2 * f->every_ns < f->window_to ? k2 * f->every_ns : UINT64_MAX;
        }
        if (boundary < *next)
            *next = boundary;
    }
    return frozen;
}

/* A frozen deployment reads no new connection and sends nothing: requests that arrive wait unread, due
 * answers and stream events wait (run.c parks them), and all of it goes when the pause ends. */
static void update_frozen(mp_wdep_t *wd)
{
    uint64_t start = mp_server_epoch(wd->worker->server, wd->dep->index), now = cm_now_ns(), next;
    uint64_t t = now > start ? now - start : 0;
    if (t < wd->pause_at)
        t = wd->pause_at;
    bool frozen = frozen_at(&wd->snap->dep, t, &next);
    bool thaw = wd->frozen && !frozen;
    if (frozen && !wd->frozen)
        mp_metrics_fault(wd->worker->metrics, wd->dep->index, FX_PAUSE);
    wd->frozen = frozen;
    apply_listener(wd);
    wd->pause_at = next;
    if (next != UINT64_MAX)
        mp_timers_add(&wd->worker->timers, &wd->pause_timer, start + next);
    if (thaw)
        mp_run_thaw(wd);
}

static void on_pause_window(mp_timer_t *timer)
{
    update_frozen(H2O_STRUCT_FROM_MEMBER(mp_wdep_t, pause_timer, timer));
}

static void setup_deployment(mp_worker_t *w, mp_wdep_t *wd, size_t d, int fd)
{
    mp_server_t *s = w->server;
    wd->worker = w;
    wd->dep = &s->cfg->deps[d];
    wd->snap = mp_server_current(s, (uint32_t)d);
    wd->hold = mp_snap_hold(wd->snap);
    atomic_init(&wd->mailbox, NULL);
    wd->fd = fd;
    /* Each (deployment, thread) pair draws from its own stream, so one deployment's traffic never shifts
     * another's samples and a single-threaded run with a seed reproduces exactly. */
    cm_rng_seed(&wd->rng, wd->dep->seed ^ ((uint64_t)(w->index + 1) * 0xbf58476d1ce4e5b9ull));
    wd->accept.ctx = &w->ctx;
    wd->accept.hosts = &s->hosts[2 * d];
    wd->listener = h2o_evloop_socket_create(w->loop, fd, H2O_SOCKET_FLAG_DONT_READ);
    wd->listener->data = wd;
    h2o_socket_read_start(wd->listener, on_accept);
    h2o_linklist_init_anchor(&wd->parked);
    mp_timer_init(&wd->accept_timer, on_accept_window);
    mp_timer_init(&wd->pause_timer, on_pause_window);
    update_accepting(wd);
    update_frozen(wd);
}

static int setup(mp_worker_t *w, const int *fds, char *err, size_t errlen)
{
    mp_server_t *s = w->server;
    /* h2o starts each request's input buffer at 8 KiB and doubles it, so a typical 10-30 KiB chat request
     * took three read() calls and two reallocations (profiled at the seed load). The prototype is
     * thread-local; buffers are released when drained, so this sizes memory per request being read, not
     * per idle connection. */
    h2o_socket_buffer_prototype._initial_buf.capacity = MP_INPUT_BUFFER_INITIAL;
    w->loop = h2o_evloop_create();
    h2o_context_init(&w->ctx, w->loop, &s->h2o);
    w->metrics = mp_metrics_thread(s->metrics, w->index);
    cm_rng_seed(&w->ids, os_seed(w->index));
    if (mp_timers_init(&w->timers, w->loop, err, errlen) != 0)
        return -1;
    mp_trim_init(&w->trim, &w->timers, MP_TRIM_PERIOD_NS, worker_load, worker_release, w);
    w->wake_fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
    if (w->wake_fd < 0) {
        snprintf(err, errlen, "eventfd: %s", strerror(errno));
        return -1;
    }
    w->wake = h2o_evloop_socket_create(w->loop, w->wake_fd, H2O_SOCKET_FLAG_DONT_READ);
    w->wake->data = w;
    h2o_socket_read_start(w->wake, on_wake);
    mp_limits_worker_init(w, mp_handler_continue);
    w->begin_run = mp_handler_begin;
    w->deps = cm_xcalloc(s->cfg->ndeps ? s->cfg->ndeps : 1, sizeof(*w->deps));
    for (size_t d = 0; d < s->cfg->ndeps; d++)
        setup_deployment(w, &w->deps[d], d, fds[d]);
    return 0;
}

static bool stopping(mp_worker_t *w)
{
    return __atomic_load_n(&w->stop, __ATOMIC_ACQUIRE) != 0;
}

/* Closing the listeners first means the kernel refuses new connections at once, while requests already
 * accepted get a short grace period: long enough for ordinary latencies, short enough that a stop never
 * takes more than about a second even with long stalls in flight. */
static void drain(mp_worker_t *w)
{
    for (size_t d = 0; d < w->server->cfg->ndeps; d++) {
        mp_timers_cancel(&w->timers, &w->deps[d].accept_timer);
        mp_timers_cancel(&w->timers, &w->deps[d].pause_timer);
        if (w->deps[d].frozen) { /* what a pause held back may finish in the grace period */
            w->deps[d].frozen = false;
            mp_run_thaw(&w->deps[d]);
        }
        h2o_socket_read_stop(w->deps[d].listener);
        h2o_socket_close(w->deps[d].listener);
        w->deps[d].listener = NULL;
    }
    h2o_context_request_shutdown(&w->ctx);
    uint64_t deadline = cm_now_ns() + MP_WORKER_DRAIN_NS;
    while (mp_metrics_thread_inflight(w->metrics) > 0 && cm_now_ns() < deadline)
        h2o_evloop_run(w->loop, 10);
    int64_t left = mp_metrics_thread_inflight(w->metrics);
    if (left > 0)
        cm_log(CM_LOG_INFO, "mock-provider", "worker %u: %lld request(s) still in flight were cut by the shutdown",
               w->index, (long long)left);
}

typedef struct start_arg {
    mp_worker_t *w;
    const int *fds;
} start_arg_t;

/* A stopped worker parks instead of returning. h2o 2.2.5 caches memory-pool chunks and socket buffers in
 * thread-local free lists and offers no way to release them; if the thread ended, those chunks would be
 * orphaned (and reported by leak checkers) while connections h2o still tracks point into the loop. Parked,
 * the thread keeps everything reachable until the process exits, which is when the memory goes anyway.
 * Signals are blocked in this thread, so pause() never returns. */
static void *worker_main(void *arg)
{
    start_arg_t a = *(start_arg_t *)arg;
    free(arg);
    mp_worker_t *w = a.w;
    char err[256] = "";
    int rc = setup(w, a.fds, err, sizeof(err));
    mp_server__worker_ready(w->server, rc, err);
    if (rc == 0) {
        int32_t max_wait = INT32_MAX;
        while (!stopping(w)) {
            h2o_evloop_run(w->loop, max_wait);
            max_wait = mp_timers_poll(&w->timers); /* 0: what the timers sent completes in the next run */
            mp_worker_trim_scratch(w);
            mp_trim_note(&w->trim, worker_load(w));
        }
        drain(w);
    }
    mp_server__worker_stopped(w->server, w);
    for (;;)
        pause();
    return NULL;
}

int mp_worker_spawn(mp_worker_t *w, struct mp_server *s, uint32_t index, const int *fds, char *err, size_t errlen)
{
    memset(w, 0, sizeof(*w));
    w->server = s;
    w->index = index;
    w->wake_fd = -1;
    start_arg_t *a = cm_xmalloc(sizeof(*a));
    a->w = w;
    a->fds = fds;
    pthread_attr_t attr;
    pthread_attr_init(&attr);
    pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
    int rc = pthread_create(&w->thread, &attr, worker_main, a);
    pthread_attr_destroy(&attr);
    if (rc != 0) {
        free(a);
        snprintf(err, errlen, "cannot start worker thread %u: %s", index, strerror(rc));
        return -1;
    }
    w->spawned = true;
    return 0;
}

void mp_worker_request_stop(mp_worker_t *w)
{
    __atomic_store_n(&w->stop, 1, __ATOMIC_RELEASE);
    mp_worker_wake(w);
}

void mp_worker_wake(mp_worker_t *w)
{
    if (w->wake_fd >= 0) {
        uint64_t one = 1;
        ssize_t r = write(w->wake_fd, &one, sizeof(one));
        (void)r;
    }
}

size_t mp_worker_request_id(mp_worker_t *w, const mp_provider_t *ops, char *out, size_t cap)
{
    static const char hex[] = "0123456789abcdef";
    static const char base62[] = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
    const char *prefix = ops->request_id_prefix != NULL ? ops->request_id_prefix : "";
    size_t n = strlen(prefix), body = ops->request_id_base62 ? ops->request_id_base62 : 32;
    if (cap < n + body + 1) {
        out[0] = '\0';
        return 0;
    }
    memcpy(out, prefix, n);
    if (ops->request_id_base62 == 0) {
        for (int half = 0; half < 2; half++) {
            uint64_t r = cm_rng_next(&w->ids);
            for (int i = 0; i < 16; i++, r >>= 4)
                out[n++] = hex[r & 15];
        }
    } else {
        /* One draw gives ten base62 characters (62^10 < 2^64); the slight bias of the modulo does not matter
         * for an id. */
        for (size_t i = 0; i < body; i += 10) {
            uint64_t r = cm_rng_next(&w->ids);
            for (size_t j = i; j < body && j < i + 10; j++, r /= 62)
                out[n++] = base62[r % 62];
        }
    }
    out[n] = '\0';
    return n;
}
