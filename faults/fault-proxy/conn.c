#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/event.h>
#include <event2/event_struct.h>

#include "common/alloc.h"
#include "common/clock.h"
#include "common/dist.h"
#include "faults/fault-proxy/conn_internal.h"
#include "faults/fault-proxy/pass.h"

uint64_t fp_dir_keep_order(fp_dir_t *d, uint64_t due)
{
    if (due < d->last_due)
        due = d->last_due;
    d->last_due = due;
    return due;
}

bool fp_dir_full(const fp_dir_t *d)
{
    return d->held_len >= FP_HELD_MAX || d->count >= FP_MAX_MARKS - 1;
}

/* Bytes due at the same time as the last chunk join it, so a pipeline of small commands takes few marks. */
static fp_mark_t *new_mark(fp_dir_t *d, uint64_t due)
{
    if (d->count > 0) {
        fp_mark_t *last = &d->marks[(d->head + d->count - 1) % FP_MAX_MARKS];
        if (last->due == due)
            return last;
    }
    fp_mark_t *m = &d->marks[(d->head + d->count++) % FP_MAX_MARKS];
    m->due = due;
    m->len = 0;
    return m;
}

void fp_dir_hold(fp_dir_t *d, struct evbuffer *from, size_t n, uint64_t due)
{
    if (n == 0)
        return;
    fp_mark_t *m = new_mark(d, due);
    evbuffer_remove_buffer(from, d->held, n);
    m->len += n;
    d->held_len += n;
}

void fp_dir_hold_mem(fp_dir_t *d, const char *s, size_t n, uint64_t due)
{
    fp_mark_t *m = new_mark(d, due);
    evbuffer_add(d->held, s, n);
    m->len += n;
    d->held_len += n;
}

fp_conn_t *fp_conn_next(const fp_conn_t *c)
{
    return c->next;
}

size_t fp_conn_buffered(const fp_conn_t *c)
{
    size_t n = fp_pass_buffered(c);
    for (int s = 0; s < 2; s++)
        n += c->dir[s].held_len + evbuffer_get_length(bufferevent_get_input(c->bev[s])) +
             evbuffer_get_length(bufferevent_get_output(c->bev[s]));
    return n;
}

const fp_toxic_t *fp_dir_find(const fp_dir_t *d, fp_toxic_type_t type, const char *cmd)
{
    const fp_proxy_t *p = d->conn->proxy;
    for (int i = 0; i < p->ntoxics; i++) {
        const fp_toxic_t *t = &p->toxics[i];
        if (t->type == type && t->stream == d->stream && (cmd != NULL ? fp_toxic_matches(t, cmd) : t->ncommands == 0) &&
            fp_proxy_hits(p, t, d->conn->serial))
            return t;
    }
    return NULL;
}

static const fp_toxic_t *find(const fp_dir_t *d, fp_toxic_type_t type)
{
    return fp_dir_find(d, type, NULL);
}

static const fp_toxic_t *find_any_stream(const fp_conn_t *c, fp_toxic_type_t type)
{
    for (int s = 0; s < 2; s++) {
        const fp_toxic_t *t = find(&c->dir[s], type);
        if (t != NULL)
            return t;
    }
    return NULL;
}

void fp_dir_hit(const fp_dir_t *d, fp_toxic_type_t type)
{
    d->conn->proxy->stats.toxic_hits[type]++;
}

static void reap(evutil_socket_t fd, short what, void *arg)
{
    fp_conn_t *c = arg;
    for (int s = 0; s < 2; s++) {
        event_del(&c->dir[s].timer);
        evbuffer_free(c->dir[s].held);
        free(c->dir[s].pbuf);
        bufferevent_free(c->bev[s]);
    }
    event_del(&c->timer);
    fp_resp_conn_free(c);
    free(c);
}

static void set_linger0(struct bufferevent *bev)
{
    struct linger l = {1, 0};
    evutil_socket_t fd = bufferevent_getfd(bev);
    if (fd >= 0)
        setsockopt(fd, SOL_SOCKET, SO_LINGER, &l, sizeof(l));
}

/* Closing unlinks at once (the proxy may be freed right after) but frees from the loop, so that no caller up
 * the stack ever touches freed memory: every callback starts by checking dead. */
void fp_conn_close(fp_conn_t *c, bool reset)
{
    if (c->dead)
        return;
    c->dead = true;
    fp_proxy_t *p = c->proxy;
    fp_pass_close(c);
    if (c->prev != NULL)
        c->prev->next = c->next;
    else
        p->conns = c->next;
    if (c->next != NULL)
        c->next->prev = c->prev;
    p->stats.open--;
    c->proxy = NULL;
    for (int s = 0; s < 2; s++) {
        bufferevent_disable(c->bev[s], EV_READ | EV_WRITE);
        if (reset)
            set_linger0(c->bev[s]);
    }
    event_active(&c->reaper, EV_TIMEOUT, 0);
}

/* libevent counts a timeout from the time it cached when the loop woke, which can be milliseconds before
 * now inside a long callback: the timer would fire early, and a toxic's delay would come out short. */
static void add_timer(struct event *ev, const struct timeval *tv)
{
    event_base_update_cache_time(event_get_base(ev));
    event_add(ev, tv);
}

static void arm(fp_dir_t *d, uint64_t due, uint64_t now)
{
    uint64_t wait = due > now ? due - now : 0;
    struct timeval tv = {(time_t)(wait / CM_NS_PER_S), (suseconds_t)((wait % CM_NS_PER_S + 999) / 1000)};
    add_timer(&d->timer, &tv);
}

static void arm_conn(fp_conn_t *c, int64_t ms, bool reset)
{
    if (c->timer_armed)
        return;
    struct timeval tv = {(time_t)(ms / 1000), (suseconds_t)(ms % 1000 * 1000)};
    c->timer_armed = true;
    c->timer_reset = reset;
    add_timer(&c->timer, &tv);
}

static void on_conn_timer(evutil_socket_t fd, short what, void *arg)
{
    fp_conn_t *c = arg;
    c->timer_armed = false;
    if (c->dead)
        return;
    /* A timeout removed before it fired closes nothing; a reset_peer, once triggered, always resets. */
    if (c->timer_reset || find_any_stream(c, FP_TIMEOUT) != NULL)
        fp_conn_close(c, c->timer_reset);
}

void fp_dir_pause(fp_dir_t *d)
{
    d->paused = true;
    bufferevent_disable(d->src, EV_READ);
}

uint64_t fp_dir_due(fp_dir_t *d, uint64_t now, const char *cmd)
{
    const fp_toxic_t *t;
    uint64_t due = now;
    if ((t = fp_dir_find(d, FP_LATENCY, cmd)) != NULL) {
        int64_t ms = t->latency;
        if (t->jitter > 0)
            ms += (int64_t)(cm_rng_next(&d->rng) % (uint64_t)(2 * t->jitter + 1)) - t->jitter;
        due += ms > 0 ? (uint64_t)ms * CM_NS_PER_MS : 0;
        fp_dir_hit(d, FP_LATENCY);
    }
    if ((t = fp_dir_find(d, FP_STALL, cmd)) != NULL) {
        uint64_t from = t->added_ns + (uint64_t)t->start * CM_NS_PER_MS;
        uint64_t to = from + (uint64_t)t->duration * CM_NS_PER_MS;
        if (now >= from && now < to && to > due) {
            due = to;
            fp_dir_hit(d, FP_STALL);
        }
    }
    return fp_dir_keep_order(d, due);
}

/* Toxics that take the data instead of passing it: timeout drops it (its timer closes), reset_peer drops
 * it and resets after its timeout. Returns true when the input was consumed. */
static bool swallow(fp_dir_t *d, struct evbuffer *in)
{
    const fp_toxic_t *t;
    if ((t = find(d, FP_TIMEOUT)) != NULL) {
        evbuffer_drain(in, evbuffer_get_length(in));
        fp_dir_hit(d, FP_TIMEOUT);
        return true;
    }
    if ((t = find(d, FP_RESET_PEER)) != NULL) {
        evbuffer_drain(in, evbuffer_get_length(in));
        fp_dir_hit(d, FP_RESET_PEER);
        if (t->timeout == 0)
            fp_conn_close(d->conn, true);
        else
            arm_conn(d->conn, t->timeout, true);
        return true;
    }
    return false;
}

/* With nothing queued for dst, its socket is written at once: handing the bytes to the bufferevent would
 * cost a poll for writability and two epoll_ctl calls per read, which haproxy (writing speculatively) does
 * not pay. What the socket does not take (or an upstream still connecting) is queued as usual. */
static void write_now(fp_dir_t *d, struct evbuffer *in, struct evbuffer *out)
{
    evutil_socket_t fd = bufferevent_getfd(d->dst);
    if (fd >= 0 && evbuffer_get_length(out) == 0 && d->conn->connected)
        (void)evbuffer_write(in, fd);
}

/* Passthrough: what src read goes to dst. (Reading src again here is not possible: a bufferevent's input is
 * frozen at its end outside the bufferevent's own reads.) */
static void pass_through(fp_dir_t *d, struct evbuffer *in, struct evbuffer *out)
{
    d->conn->proxy->stats.bytes[d->stream] += evbuffer_get_length(in);
    write_now(d, in, out);
    evbuffer_add_buffer(out, in);
}

/* Moves what src has read into the proxy: straight to dst's output when nothing is held and no toxic is
 * set (evbuffer moves its chains, no copy), else into held with a release time. */
static void dir_take(fp_dir_t *d)
{
    fp_proxy_t *p = d->conn->proxy;
    struct evbuffer *in = bufferevent_get_input(d->src);
    size_t n = evbuffer_get_length(in);
    if (n == 0 || swallow(d, in) || d->conn->dead)
        return;
    if (p->ntoxics == 0 && d->count == 0 && p->protocol == FP_PROTO_TCP) {
        struct evbuffer *out = bufferevent_get_output(d->dst);
        if (evbuffer_get_length(out) >= FP_OUT_HIGH) {
            fp_dir_pause(d);
            return;
        }
        pass_through(d, in, out);
        return;
    }
    if (p->protocol == FP_PROTO_RESP && !d->resp_off) {
        fp_resp_take(d, in);
        return;
    }
    if (fp_dir_full(d)) {
        fp_dir_pause(d);
        return;
    }
    fp_dir_hold(d, in, n, fp_dir_due(d, cm_now_ns(), NULL));
    fp_dir_pump(d);
}

static void resume_src(fp_dir_t *d)
{
    if (!d->paused || d->held_len >= FP_HELD_MAX / 2 || d->count >= FP_MAX_MARKS / 2 ||
        evbuffer_get_length(bufferevent_get_output(d->dst)) >= FP_OUT_HIGH)
        return;
    d->paused = false;
    if (!d->eof)
        bufferevent_enable(d->src, EV_READ);
    dir_take(d);
}

/* The src side closed and everything it sent has been passed on: pass the close on (after slow_close's
 * delay) as a half close; the connection ends when both directions have. */
static void dir_finish(fp_dir_t *d)
{
    fp_conn_t *c = d->conn;
    if (d->shut || c->dead || evbuffer_get_length(bufferevent_get_output(d->dst)) > 0)
        return;
    const fp_toxic_t *t = find(d, FP_SLOW_CLOSE);
    if (t != NULL && !d->slow_waited) {
        d->slow_waited = true;
        fp_dir_hit(d, FP_SLOW_CLOSE);
        uint64_t now = cm_now_ns();
        arm(d, now + (uint64_t)t->delay * CM_NS_PER_MS, now);
        return;
    }
    d->shut = true;
    evutil_socket_t fd = bufferevent_getfd(d->dst);
    if (fd >= 0)
        shutdown(fd, SHUT_WR);
    if (c->dir[!d->stream].shut)
        fp_conn_close(c, false);
}

/* How many bytes of the head chunk may go now; 0 with *wake set when the next slice must wait. */
static size_t slice_len(fp_dir_t *d, size_t n, uint64_t now, uint64_t *wake)
{
    const fp_toxic_t *t;
    if ((t = find(d, FP_BANDWIDTH)) != NULL && t->rate > 0) {
        if (d->bw_next > now) {
            *wake = d->bw_next;
            return 0;
        }
        /* 10 ms worth per slice; the next slice's time follows from the last one's (not from the timer's
         * late wake-up), so the rate holds over time. */
        uint64_t per_s = (uint64_t)t->rate * 1000, slice = per_s / 100 > 0 ? per_s / 100 : 1;
        if (n > slice)
            n = slice;
        if (d->bw_next + 10 * CM_NS_PER_MS < now)
            d->bw_next = now;
        d->bw_next += n * CM_NS_PER_S / per_s;
        fp_dir_hit(d, FP_BANDWIDTH);
    }
    if ((t = find(d, FP_SLICER)) != NULL) {
        int64_t size = t->average_size;
        if (t->size_variation > 0)
            size += (int64_t)(cm_rng_next(&d->rng) % (uint64_t)(2 * t->size_variation + 1)) - t->size_variation;
        if (size < 1)
            size = 1;
        if (n > (size_t)size)
            n = (size_t)size;
        if (t->delay > 0)
            *wake = now + (uint64_t)t->delay * CM_NS_PER_US;
        fp_dir_hit(d, FP_SLICER);
    }
    if ((t = find(d, FP_LIMIT_DATA)) != NULL) {
        uint64_t left = (uint64_t)t->bytes > d->passed ? (uint64_t)t->bytes - d->passed : 0;
        if (n > left)
            n = (size_t)left;
        if (n == 0 || d->passed + n >= (uint64_t)t->bytes) {
            d->closing = true;
            fp_dir_hit(d, FP_LIMIT_DATA);
        }
    }
    return n;
}

/* Passes on every chunk that is due, as far as dst's output has room. */
void fp_dir_pump(fp_dir_t *d)
{
    fp_conn_t *c = d->conn;
    struct evbuffer *out = bufferevent_get_output(d->dst);
    uint64_t now = cm_now_ns();
    while (d->count > 0 && !d->closing && !c->dead) {
        fp_mark_t *m = &d->marks[d->head];
        if (m->due > now || d->not_before > now) {
            arm(d, m->due > d->not_before ? m->due : d->not_before, now);
            return;
        }
        if (evbuffer_get_length(out) >= FP_OUT_HIGH)
            return; /* dst's write callback pumps again */
        uint64_t wake = 0;
        size_t n = slice_len(d, m->len, now, &wake);
        if (n > 0) {
            evbuffer_remove_buffer(d->held, out, n);
            d->held_len -= n, d->passed += n, m->len -= n;
            c->proxy->stats.bytes[d->stream] += n;
            if (m->len == 0)
                d->head = (d->head + 1) % FP_MAX_MARKS, d->count--;
        }
        if (wake > now && d->count > 0) {
            d->not_before = wake;
            arm(d, wake, now);
            return;
        }
    }
    if (c->dead)
        return;
    if (d->closing) {
        if (evbuffer_get_length(out) == 0)
            fp_conn_close(c, false);
        return;
    }
    resume_src(d);
    if (!c->dead && d->eof && d->count == 0 && evbuffer_get_length(bufferevent_get_input(d->src)) == 0)
        dir_finish(d);
}

static void on_dir_timer(evutil_socket_t fd, short what, void *arg)
{
    fp_dir_t *d = arg;
    if (!d->conn->dead && !d->conn->pass)
        fp_dir_pump(d);
}

static void on_read(struct bufferevent *bev, void *arg)
{
    fp_conn_t *c = arg;
    if (!c->dead)
        dir_take(&c->dir[bev == c->bev[SIDE_CLIENT] ? FP_UPSTREAM : FP_DOWNSTREAM]);
    if (!c->dead && c->pass_wanted)
        fp_pass_enter(c);
}

static void on_write(struct bufferevent *bev, void *arg)
{
    fp_conn_t *c = arg;
    if (!c->dead)
        fp_dir_pump(&c->dir[bev == c->bev[SIDE_CLIENT] ? FP_DOWNSTREAM : FP_UPSTREAM]);
    if (!c->dead && c->pass_wanted)
        fp_pass_enter(c);
}

static void on_event(struct bufferevent *bev, short what, void *arg)
{
    fp_conn_t *c = arg;
    if (c->dead)
        return;
    if (what & BEV_EVENT_CONNECTED) {
        c->connected = true;
        fp_pass_enter(c);
        return;
    }
    fp_dir_t *d = &c->dir[bev == c->bev[SIDE_CLIENT] ? FP_UPSTREAM : FP_DOWNSTREAM];
    if (what & BEV_EVENT_EOF) {
        d->eof = true;
        dir_take(d);
        if (!c->dead)
            fp_dir_pump(d);
        return;
    }
    /* A reset or failed connect on one side is passed on as a reset to the other. */
    if (bev == c->bev[SIDE_UPSTREAM] && c->dir[FP_UPSTREAM].passed == 0 && c->dir[FP_DOWNSTREAM].passed == 0)
        c->proxy->stats.refused++;
    fp_conn_close(c, true);
}

static void set_nodelay(evutil_socket_t fd)
{
    int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
}

static void dir_init(fp_conn_t *c, fp_stream_t s, struct event_base *base)
{
    fp_dir_t *d = &c->dir[s];
    d->conn = c;
    d->stream = s;
    d->src = c->bev[s == FP_UPSTREAM ? SIDE_CLIENT : SIDE_UPSTREAM];
    d->dst = c->bev[s == FP_UPSTREAM ? SIDE_UPSTREAM : SIDE_CLIENT];
    d->held = evbuffer_new();
    evtimer_assign(&d->timer, base, on_dir_timer, d);
    cm_rng_seed(&d->rng, c->proxy->server->seed ^ c->proxy->name_hash ^ (c->serial * 2 + (uint64_t)s));
}

static fp_conn_t *conn_new(fp_proxy_t *p, int fd)
{
    struct event_base *base = p->server->base;
    fp_conn_t *c = cm_xcalloc(1, sizeof(*c));
    c->proxy = p;
    c->serial = p->next_serial++;
    c->bev[SIDE_CLIENT] = bufferevent_socket_new(base, fd, BEV_OPT_CLOSE_ON_FREE);
    c->bev[SIDE_UPSTREAM] = bufferevent_socket_new(base, -1, BEV_OPT_CLOSE_ON_FREE);
    if (c->bev[SIDE_CLIENT] == NULL || c->bev[SIDE_UPSTREAM] == NULL)
        abort(); /* only allocation fails here */
    for (int s = 0; s < 2; s++) {
        bufferevent_setcb(c->bev[s], on_read, on_write, on_event, c);
        bufferevent_setwatermark(c->bev[s], EV_READ, 0, FP_OUT_HIGH);
        bufferevent_setwatermark(c->bev[s], EV_WRITE, FP_OUT_HIGH / 2, 0);
        /* libevent reads and writes 16 KiB per call by default: a bulk stream then costs four times the
         * system calls haproxy makes. */
        bufferevent_set_max_single_read(c->bev[s], FP_IO_MAX);
        bufferevent_set_max_single_write(c->bev[s], FP_IO_MAX);
        dir_init(c, (fp_stream_t)s, base);
    }
    evtimer_assign(&c->timer, base, on_conn_timer, c);
    event_assign(&c->reaper, base, -1, 0, reap, c);
    c->next = p->conns;
    if (p->conns != NULL)
        p->conns->prev = c;
    p->conns = c;
    p->stats.connections++;
    p->stats.open++;
    return c;
}

void fp_conn_accept(fp_proxy_t *p, int fd)
{
    set_nodelay(fd);
    fp_conn_t *c = conn_new(p, fd);
    if (find_any_stream(c, FP_DOWN) != NULL) {
        p->stats.refused++;
        p->stats.toxic_hits[FP_DOWN]++;
        fp_conn_close(c, false);
        return;
    }
    if (bufferevent_socket_connect(c->bev[SIDE_UPSTREAM], (struct sockaddr *)&p->up_addr, (int)p->up_len) != 0) {
        p->stats.refused++;
        fp_conn_close(c, true);
        return;
    }
    set_nodelay(bufferevent_getfd(c->bev[SIDE_UPSTREAM]));
    bufferevent_enable(c->bev[SIDE_CLIENT], EV_READ | EV_WRITE);
    bufferevent_enable(c->bev[SIDE_UPSTREAM], EV_READ | EV_WRITE);
    fp_conn_toxics_changed(c);
}

void fp_conn_toxics_changed(fp_conn_t *c)
{
    const fp_toxic_t *t;
    if (c->dead)
        return;
    c->pass_wanted = fp_pass_wanted(c);
    if (c->pass && c->pass_wanted)
        return;
    fp_pass_leave(c);
    if (find_any_stream(c, FP_DOWN) != NULL) {
        c->proxy->stats.toxic_hits[FP_DOWN]++;
        fp_conn_close(c, false);
        return;
    }
    if ((t = find_any_stream(c, FP_TIMEOUT)) != NULL && t->timeout > 0)
        arm_conn(c, t->timeout, false);
    for (int s = 0; s < 2 && !c->dead; s++) {
        fp_dir_pump(&c->dir[s]);
        if (!c->dead)
            dir_take(&c->dir[s]);
    }
    if (!c->dead)
        fp_pass_enter(c);
}
