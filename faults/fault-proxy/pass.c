#include <errno.h>
#include <stdlib.h>
#include <sys/socket.h>

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/event.h>

#include "common/alloc.h"
#include "faults/fault-proxy/conn_internal.h"
#include "faults/fault-proxy/pass.h"

/* Buffers one direction moves per wake-up before the loop serves the other connections; the rest follows
 * from an activated event, so one fast stream cannot starve the others. */
#define FP_PASS_ROUNDS 16

typedef enum pass_step {
    PASS_MORE,   /* go on */
    PASS_LAST,   /* the source is drained: write what was read, then wait for its next edge */
    PASS_WAIT,   /* a socket would block: its edge-triggered event brings the direction back */
    PASS_CLOSED, /* the connection was closed */
} pass_step_t;

static evutil_socket_t src_fd(const fp_dir_t *d)
{
    return bufferevent_getfd(d->src);
}

static evutil_socket_t dst_fd(const fp_dir_t *d)
{
    return bufferevent_getfd(d->dst);
}

bool fp_pass_wanted(const fp_conn_t *c)
{
    const fp_proxy_t *p = c->proxy;
    if (c->dead || p->protocol != FP_PROTO_TCP)
        return false;
    /* Level-triggered events on sockets kept registered would wake the loop for every writable socket, and
     * without EV_CLOSED a short read could not end the reads (fill). */
    int need = EV_FEATURE_ET | EV_FEATURE_EARLY_CLOSE;
    if ((event_base_get_features(p->server->base) & need) != need)
        return false;
    for (int i = 0; i < p->ntoxics; i++)
        if (fp_proxy_hits(p, &p->toxics[i], c->serial))
            return false;
    return true;
}

size_t fp_pass_buffered(const fp_conn_t *c)
{
    return c->dir[0].plen - c->dir[0].poff + c->dir[1].plen - c->dir[1].poff;
}

/* A socket error on either side is passed on as a reset to the other, as on the bufferevent path. */
static pass_step_t fail(fp_dir_t *d)
{
    fp_conn_close(d->conn, true);
    return PASS_CLOSED;
}

/* Writes what the buffer holds. A short write means dst's send buffer is full: its EPOLLOUT edge follows. */
static pass_step_t flush(fp_dir_t *d)
{
    while (d->poff < d->plen) {
        size_t want = d->plen - d->poff;
        ssize_t n = send(dst_fd(d), d->pbuf + d->poff, want, MSG_NOSIGNAL);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            return errno == EAGAIN || errno == EWOULDBLOCK ? PASS_WAIT : fail(d);
        d->poff += (size_t)n;
        d->conn->proxy->stats.bytes[d->stream] += (uint64_t)n;
        if ((size_t)n < want)
            return PASS_WAIT;
    }
    d->poff = d->plen = 0;
    return PASS_MORE;
}

/* Reads into the (empty) buffer; end of stream sets eof. A short read means the socket had no more: its next
 * edge reports new bytes, which saves the read that would only say EAGAIN (a third of the system calls of a
 * request through the proxy). A FIN that came in with those bytes brings no new edge, so once the source
 * was seen half-closed (EV_CLOSED) reading goes on until EOF. */
static pass_step_t fill(fp_dir_t *d)
{
    for (;;) {
        ssize_t n = recv(src_fd(d), d->pbuf, FP_PASS_BUF, 0);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            return errno == EAGAIN || errno == EWOULDBLOCK ? PASS_WAIT : fail(d);
        if (n == 0)
            d->eof = true;
        d->plen = (size_t)n;
        return n > 0 && (size_t)n < FP_PASS_BUF && !d->pass_hup ? PASS_LAST : PASS_MORE;
    }
}

/* The source closed and every byte it sent has been written: the close goes on as a half close, and the
 * connection ends once both directions have closed. */
static void finish(fp_dir_t *d)
{
    fp_conn_t *c = d->conn;
    if (d->shut)
        return;
    d->shut = true;
    shutdown(dst_fd(d), SHUT_WR);
    if (c->dir[!d->stream].shut)
        fp_conn_close(c, false);
}

/* Moves d's bytes until a socket would block. With edge-triggered events, stopping early without an event
 * to come back would strand bytes in the socket: past FP_PASS_ROUNDS the source's event is activated. */
static void pump(fp_dir_t *d)
{
    fp_conn_t *c = d->conn;
    for (int round = 0; round < FP_PASS_ROUNDS; round++) {
        if (flush(d) != PASS_MORE)
            return;
        if (d->eof) {
            finish(d);
            return;
        }
        pass_step_t step = fill(d);
        if (step == PASS_LAST) {
            (void)flush(d); /* whatever it returns, the next edge brings this direction back */
            return;
        }
        if (step != PASS_MORE)
            return;
    }
    event_active(&c->pass_ev[d->stream == FP_UPSTREAM ? SIDE_CLIENT : SIDE_UPSTREAM], EV_READ, 0);
}

static void on_pass(evutil_socket_t fd, short what, void *arg)
{
    fp_conn_t *c = arg;
    int side = fd == bufferevent_getfd(c->bev[SIDE_CLIENT]) ? SIDE_CLIENT : SIDE_UPSTREAM;
    if (c->dead || !c->pass)
        return;
    if (what & EV_CLOSED)
        c->dir[side == SIDE_CLIENT ? FP_UPSTREAM : FP_DOWNSTREAM].pass_hup = true;
    /* Readable: the direction that reads this side; writable: the one that writes to it. */
    if (what & EV_READ)
        pump(&c->dir[side == SIDE_CLIENT ? FP_UPSTREAM : FP_DOWNSTREAM]);
    if ((what & EV_WRITE) && !c->dead && c->pass)
        pump(&c->dir[side == SIDE_CLIENT ? FP_DOWNSTREAM : FP_UPSTREAM]);
}

/* Nothing waits in the bufferevents or the toxics' queues, so the raw sockets can take over in order. */
static bool drained(const fp_conn_t *c)
{
    for (int s = 0; s < 2; s++) {
        const fp_dir_t *d = &c->dir[s];
        if (d->count > 0 || d->closing || evbuffer_get_length(bufferevent_get_input(d->src)) > 0 ||
            evbuffer_get_length(bufferevent_get_output(d->dst)) > 0)
            return false;
    }
    return true;
}

bool fp_pass_enter(fp_conn_t *c)
{
    if (c->pass)
        return true;
    if (c->dead || !c->connected || !c->pass_wanted || !drained(c))
        return false;
    for (int s = 0; s < 2; s++) {
        bufferevent_disable(c->bev[s], EV_READ | EV_WRITE);
        if (c->dir[s].pbuf == NULL)
            c->dir[s].pbuf = cm_xmalloc(FP_PASS_BUF);
        c->dir[s].paused = false;
    }
    if (!c->pass_assigned) {
        for (int s = 0; s < 2; s++)
            event_assign(&c->pass_ev[s], c->proxy->server->base, bufferevent_getfd(c->bev[s]),
                         EV_READ | EV_WRITE | EV_CLOSED | EV_ET | EV_PERSIST, on_pass, c);
        c->pass_assigned = true;
    }
    c->pass = true;
    c->proxy->stats.pass_open++;
    for (int s = 0; s < 2; s++)
        event_add(&c->pass_ev[s], NULL);
    /* Bytes may already wait in the sockets, and a close may be due (a slow_close removed meanwhile). */
    for (int s = 0; s < 2 && !c->dead; s++)
        pump(&c->dir[s]);
    return true;
}

static void stop(fp_conn_t *c)
{
    c->pass = false;
    c->proxy->stats.pass_open--;
    for (int s = 0; s < 2; s++)
        event_del(&c->pass_ev[s]);
}

void fp_pass_leave(fp_conn_t *c)
{
    if (!c->pass)
        return;
    stop(c);
    /* These bytes were read before the toxic came: they go on untouched, ahead of everything read after. */
    for (int s = 0; s < 2; s++) {
        fp_dir_t *d = &c->dir[s];
        if (d->plen > d->poff) {
            evbuffer_add(bufferevent_get_output(d->dst), d->pbuf + d->poff, d->plen - d->poff);
            c->proxy->stats.bytes[s] += d->plen - d->poff;
        }
        d->poff = d->plen = 0;
    }
    for (int side = 0; side < 2; side++) {
        const fp_dir_t *reader = &c->dir[side == SIDE_CLIENT ? FP_UPSTREAM : FP_DOWNSTREAM];
        bufferevent_enable(c->bev[side], reader->eof ? EV_WRITE : EV_READ | EV_WRITE);
    }
}

void fp_pass_close(fp_conn_t *c)
{
    if (c->pass)
        stop(c);
}
