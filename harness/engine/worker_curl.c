/* harness/engine/worker_curl.c — the libcurl <-> libevent glue of one engine thread: the sockets libcurl asks
 * to watch, its timer, the connections it opens and closes (counted, and retired by max_requests or max_age),
 * and the loop and multi handle they live in. */
#include "harness/engine/worker.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include "common/alloc.h"
#include "common/clock.h"

/* The libcurl <-> libevent glue follows the shape of curl's hiperfifo example: libcurl tells us which
 * sockets to watch and when to call it back; libevent watches; every callback hands control back to libcurl
 * with curl_multi_socket_action and then collects finished transfers. Unlike the example nothing here exits
 * or prints: failures become counted outcomes. */

/* ---- sockets and connections ------------------------------------------------------------------------ */

/* Returns arr grown (zero-filled) to hold at least need elements; *n is its capacity. */
static void *grow(void *arr, size_t *n, size_t need, size_t elem)
{
    if (need <= *n)
        return arr;
    size_t cap = *n ? *n : 64;
    while (cap < need)
        cap *= 2;
    arr = cm_xrealloc(arr, cap * elem);
    memset((char *)arr + *n * elem, 0, (cap - *n) * elem);
    *n = cap;
    return arr;
}

/* Socket state is kept by fd number in slots that never move (libevent holds pointers to the events). */
static hx_sock_t *sock_slot(hx_worker_t *w, int fd)
{
    w->socks = grow(w->socks, &w->nsocks, (size_t)fd + 1, sizeof(hx_sock_t *));
    if (w->socks[fd] == NULL)
        w->socks[fd] = cm_xcalloc(1, sizeof(hx_sock_t));
    return w->socks[fd];
}

static hx_conn_t *conn_slot(hx_worker_t *w, int fd)
{
    w->conns = grow(w->conns, &w->nconns, (size_t)fd + 1, sizeof(hx_conn_t));
    return &w->conns[fd];
}

static void unwatch(hx_sock_t *sk)
{
    if (sk->added)
        event_del(&sk->ev);
    sk->added = sk->wanted = false;
}

static void on_sock_ready(evutil_socket_t fd, short events, void *arg)
{
    hx_worker_t *w = arg;
    hx_sock_t *sk = w->socks[fd];
    if (!sk->wanted) {
        unwatch(sk); /* an idle pooled connection became readable (closed by the server): libcurl will see */
        return;
    }
    int action = ((events & EV_READ) ? CURL_CSELECT_IN : 0) | ((events & EV_WRITE) ? CURL_CSELECT_OUT : 0);
    int running;
    curl_multi_socket_action(w->multi, fd, action, &running);
    hx_worker_collect_done(w);
    hx_worker_arrivals_due(w, cm_now_ns());
}

/* CURLMOPT_SOCKETFUNCTION. libcurl asks to stop watching a connection at the end of every transfer and to
 * watch it again when the next transfer reuses it; the socket stays registered in between (an idle
 * keep-alive connection is not readable, so it costs nothing) to save two epoll_ctl calls per request. It is
 * removed for real when it closes or, if the server closes it while idle, when it turns readable. */
static int on_curl_socket(CURL *e, curl_socket_t s, int what, void *userp, void *socketp)
{
    hx_worker_t *w = userp;
    hx_sock_t *sk = sock_slot(w, s);
    if (what == CURL_POLL_REMOVE) {
        sk->wanted = false;
        return 0;
    }
    /* With HTTP/1.1 a socket serves one transfer at a time, so this tells which connection a transfer
     * uses (needed to count requests per connection). */
    hx_xfer_t *x = NULL;
    if (e != NULL && curl_easy_getinfo(e, CURLINFO_PRIVATE, (char **)&x) == CURLE_OK && x != NULL)
        x->fd = s;
    short ev = (short)(((what & CURL_POLL_IN) ? EV_READ : 0) | ((what & CURL_POLL_OUT) ? EV_WRITE : 0));
    sk->wanted = true;
    if (sk->added && sk->what == ev)
        return 0;
    if (sk->added)
        event_del(&sk->ev);
    event_assign(&sk->ev, w->base, s, (short)(ev | EV_PERSIST), on_sock_ready, w);
    sk->added = event_add(&sk->ev, NULL) == 0;
    sk->what = ev;
    return 0;
}

/* CURLOPT_OPENSOCKETFUNCTION: counts connections and starts their request count. */
static curl_socket_t on_open_socket(void *clientp, curlsocktype purpose, struct curl_sockaddr *addr)
{
    hx_worker_t *w = clientp;
    int fd = socket(addr->family, addr->socktype | SOCK_CLOEXEC, addr->protocol);
    if (fd < 0)
        return CURL_SOCKET_BAD;
    hx_conn_t *c = conn_slot(w, fd);
    c->opened_ns = cm_now_ns();
    c->requests = 0;
    c->open = true;
    w->conns_opened++;
    atomic_store_explicit(&w->conns_pub, w->conns_opened, memory_order_relaxed);
    return fd;
}

/* CURLOPT_CLOSESOCKETFUNCTION */
static int on_close_socket(void *clientp, curl_socket_t fd)
{
    hx_worker_t *w = clientp;
    if ((size_t)fd < w->nconns)
        w->conns[fd].open = false;
    /* The event must go before the fd does: a new socket may get the same number at once. The slot goes too
     * (libevent allows freeing an event from its own callback), so that a burst of connections leaves no
     * small blocks behind to pin the memory it used. */
    if ((size_t)fd < w->nsocks && w->socks[fd] != NULL) {
        unwatch(w->socks[fd]);
        free(w->socks[fd]);
        w->socks[fd] = NULL;
    }
    return close(fd);
}

/* ---- timers ----------------------------------------------------------------------------------------- */

static void on_curl_timer_fire(evutil_socket_t fd, short events, void *arg)
{
    hx_worker_kick(arg);
}

/* CURLMOPT_TIMERFUNCTION */
static int on_curl_timer(CURLM *m, long timeout_ms, void *userp)
{
    hx_worker_t *w = userp;
    if (timeout_ms < 0) {
        evtimer_del(w->curl_timer);
        return 0;
    }
    struct timeval tv = {timeout_ms / 1000, (timeout_ms % 1000) * 1000};
    evtimer_add(w->curl_timer, &tv);
    return 0;
}

void hx_worker_kick(hx_worker_t *w)
{
    int running;
    curl_multi_socket_action(w->multi, CURL_SOCKET_TIMEOUT, 0, &running);
    hx_worker_collect_done(w);
}

/* ---- setup ---------------------------------------------------------------------------------------- */

static int setup_loop(hx_worker_t *w, char *err, size_t errlen)
{
    struct event_config *ec = event_config_new();
    if (ec == NULL)
        goto error;
    /* The kernel tick here is 4 ms: without the precise flag a 1 ms timer fires every 5.7 ms. */
    event_config_set_flag(ec, EVENT_BASE_FLAG_PRECISE_TIMER | EVENT_BASE_FLAG_NOLOCK);
    w->base = event_base_new_with_config(ec);
    event_config_free(ec);
    if (w->base == NULL)
        goto error;
    w->curl_timer = evtimer_new(w->base, on_curl_timer_fire, w);
    w->wake_fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
    if (w->curl_timer == NULL || w->wake_fd < 0)
        goto error;
    return 0;
error:
    snprintf(err, errlen, "cannot set up the event loop of thread %u: %s", w->index, strerror(errno));
    return -1;
}

static int setup_multi(hx_worker_t *w, char *err, size_t errlen)
{
    w->multi = curl_multi_init();
    if (w->multi == NULL) {
        snprintf(err, errlen, "curl_multi_init failed");
        return -1;
    }
    CURLMcode rc = CURLM_OK;
    rc |= curl_multi_setopt(w->multi, CURLMOPT_SOCKETFUNCTION, on_curl_socket);
    rc |= curl_multi_setopt(w->multi, CURLMOPT_SOCKETDATA, w);
    rc |= curl_multi_setopt(w->multi, CURLMOPT_TIMERFUNCTION, on_curl_timer);
    rc |= curl_multi_setopt(w->multi, CURLMOPT_TIMERDATA, w);
    /* The pool may keep as many idle connections as the thread may have requests in flight, so the same
     * connections serve the whole run rather than being closed when the pool's default size is exceeded. */
    rc |= curl_multi_setopt(w->multi, CURLMOPT_MAXCONNECTS, (long)w->cap);
    w->pool_limit = (long)w->cap;
    if (rc != CURLM_OK) {
        snprintf(err, errlen, "libcurl rejected a multi option");
        return -1;
    }
    /* The multi handle's limit (CURLMOPT_MAXCONNECTS, limit_pool) applies to each pool. */
    for (size_t g = 0; g < w->cfg->ngroups; g++) {
        if (!w->cfg->groups[g].own_pool)
            continue;
        w->shares[g] = curl_share_init();
        if (w->shares[g] == NULL ||
            curl_share_setopt(w->shares[g], CURLSHOPT_SHARE, CURL_LOCK_DATA_CONNECT) != CURLSHE_OK) {
            snprintf(err, errlen, "libcurl cannot share connections (group %s's own pool)", w->cfg->groups[g].name);
            return -1;
        }
    }
    return 0;
}

int hx_worker_setup_curl(hx_worker_t *w, char *err, size_t errlen)
{
    w->xopts = (hx_xfer_opts_t){w->cfg->timeout_ns, w->cfg->conn, on_open_socket, on_close_socket, w};
    return setup_loop(w, err, errlen) != 0 ? -1 : setup_multi(w, err, errlen);
}
