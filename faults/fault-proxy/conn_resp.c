/* RESP on a connection: upstream, each command is cut out of the byte stream as it flows and gets its own
 * toxics (latency, stall, an error reply instead of Redis' answer); downstream, replies are counted off
 * against the commands so that an injected error reply goes out exactly where Redis' reply would have.
 *
 * Replies answer commands one to one except after SUBSCRIBE and friends, MONITOR and replication, and for
 * RESP3 pushes ('>'): pushes are skipped, and the other cases stop the counting (injected replies then go out
 * at once). A peer that does not speak RESP turns the connection into a plain TCP one. */
#include <stdlib.h>
#include <string.h>

#include <event2/buffer.h>

#include "common/alloc.h"
#include "common/clock.h"
#include "common/log.h"
#include "faults/fault-proxy/conn_internal.h"

#define FP_RESP_MAX_PENDING 4096 /* commands awaiting a reply per connection; reading stops past it */

struct fp_resp_pending {
    struct {
        const char *reply;       /* injected error reply, or NULL: Redis answers */
        uint64_t reply_delay_ns; /* a downstream latency toxic naming the command */
    } e[FP_RESP_MAX_PENDING];
    int head, count;
    bool untracked; /* replies no longer answer commands one to one */
};

static fp_resp_pending_t *pending(fp_conn_t *c)
{
    if (c->pending == NULL)
        c->pending = cm_xcalloc(1, sizeof(*c->pending));
    return c->pending;
}

void fp_resp_conn_free(fp_conn_t *c)
{
    for (int s = 0; s < 2; s++) {
        free(c->dir[s].parser);
        if (c->dir[s].cmdbuf != NULL)
            evbuffer_free(c->dir[s].cmdbuf);
    }
    free(c->pending);
}

static void count(fp_proxy_t *p, const char *name, uint64_t delay_ns, bool error)
{
    if (p->resp == NULL)
        p->resp = cm_xcalloc(1, sizeof(*p->resp));
    fp_resp_stats_t *s = p->resp;
    int i = 0;
    while (i < s->n && strcmp(s->cmd[i].name, name) != 0)
        i++;
    if (i == s->n && s->n < FP_RESP_MAX_TRACKED)
        memcpy(s->cmd[s->n++].name, name, strlen(name) + 1);
    else if (i == s->n)
        memcpy(s->cmd[i].name, "OTHER", 6);
    s->cmd[i].count++;
    s->cmd[i].delay_ns += delay_ns;
    s->cmd[i].errors += error;
}

/* Sends the injected replies at the head of the queue: every reply before them has gone out. */
static void emit_injected(fp_conn_t *c)
{
    fp_resp_pending_t *q = pending(c);
    fp_dir_t *down = &c->dir[FP_DOWNSTREAM];
    uint64_t now = cm_now_ns();
    bool any = false;
    while (q->count > 0 && (q->e[q->head].reply != NULL || q->untracked)) {
        const char *r = q->e[q->head].reply;
        if (r != NULL)
            fp_dir_hold_mem(down, r, strlen(r), fp_dir_keep_order(down, now + q->e[q->head].reply_delay_ns));
        q->head = (q->head + 1) % FP_RESP_MAX_PENDING, q->count--;
        any = true;
    }
    if (any)
        fp_dir_pump(down);
}

static bool untracking(const char *name)
{
    static const char *const names[] = {"SUBSCRIBE", "PSUBSCRIBE", "SSUBSCRIBE", "MONITOR", "SYNC", "PSYNC", NULL};
    for (int i = 0; names[i] != NULL; i++)
        if (strcmp(name, names[i]) == 0)
            return true;
    return false;
}

/* The command's name is known: choose what happens to it. */
static void decide(fp_dir_t *d, const char *name)
{
    fp_conn_t *c = d->conn;
    fp_dir_t *down = &c->dir[FP_DOWNSTREAM];
    uint64_t now = cm_now_ns();
    const fp_toxic_t *t = fp_dir_find(d, FP_ERROR, name);
    d->named = true;
    if (t == NULL)
        t = fp_dir_find(down, FP_ERROR, name);
    if (untracking(name))
        pending(c)->untracked = true;
    if (t != NULL) {
        d->drop = true;
        d->inject = fp_resp_error_reply(t->reply);
        fp_dir_hit(d, FP_ERROR);
        count(c->proxy, name, 0, true);
        return;
    }
    d->cmd_due = fp_dir_due(d, now, name);
    d->reply_delay_ns = 0;
    t = fp_dir_find(down, FP_LATENCY, name);
    if (t != NULL && t->ncommands > 0) {
        d->reply_delay_ns = (uint64_t)t->latency * CM_NS_PER_MS;
        fp_dir_hit(down, FP_LATENCY);
    }
    count(c->proxy, name, d->cmd_due - now + d->reply_delay_ns, false);
}

static void command_end(fp_dir_t *d)
{
    fp_conn_t *c = d->conn;
    fp_resp_pending_t *q = pending(c);
    if (!d->named) { /* an empty command: Redis answers nothing */
        fp_dir_hold(d, d->cmdbuf, evbuffer_get_length(d->cmdbuf), fp_dir_keep_order(d, cm_now_ns()));
        return;
    }
    bool injected = d->drop;
    if (!q->untracked || injected) {
        int i = (q->head + q->count++) % FP_RESP_MAX_PENDING;
        q->e[i].reply = injected ? d->inject : NULL;
        q->e[i].reply_delay_ns = injected ? 0 : d->reply_delay_ns;
    }
    d->named = d->drop = false;
    if (injected)
        emit_injected(c);
}

static void command_bytes(fp_dir_t *d, struct evbuffer *in, size_t used, fp_resp_event_t ev)
{
    if (!d->named)
        evbuffer_remove_buffer(in, d->cmdbuf, used);
    else if (d->drop)
        evbuffer_drain(in, used);
    else
        fp_dir_hold(d, in, used, d->cmd_due);
    if (ev == FP_RESP_NAME) {
        decide(d, d->parser->name);
        size_t k = evbuffer_get_length(d->cmdbuf);
        if (d->drop)
            evbuffer_drain(d->cmdbuf, k);
        else
            fp_dir_hold(d, d->cmdbuf, k, d->cmd_due);
    } else if (ev == FP_RESP_END) {
        command_end(d);
    }
}

static void reply_bytes(fp_dir_t *d, struct evbuffer *in, size_t used, fp_resp_event_t ev, bool starting)
{
    fp_conn_t *c = d->conn;
    fp_resp_pending_t *q = pending(c);
    if (starting) {
        uint64_t extra = q->count > 0 && !q->untracked ? q->e[q->head].reply_delay_ns : 0;
        d->reply_due = fp_dir_keep_order(d, fp_dir_due(d, cm_now_ns(), NULL) + extra);
    }
    fp_dir_hold(d, in, used, d->reply_due);
    if (ev != FP_RESP_END || q->untracked || d->parser->top == '>' || q->count == 0)
        return;
    q->head = (q->head + 1) % FP_RESP_MAX_PENDING, q->count--;
    emit_injected(c);
}

/* Not RESP after all: everything from here on passes as TCP, and any reply the proxy still owes goes now. */
static void give_up(fp_dir_t *d, struct evbuffer *in, const char *why)
{
    fp_conn_t *c = d->conn;
    cm_log(CM_LOG_DEBUG, "fault-proxy", "proxy %s: %s: %s; passing the connection through", c->proxy->name,
           d->stream == FP_UPSTREAM ? "commands" : "replies", why);
    d->resp_off = true;
    uint64_t due = fp_dir_due(d, cm_now_ns(), NULL);
    if (d->cmdbuf != NULL)
        fp_dir_hold(d, d->cmdbuf, evbuffer_get_length(d->cmdbuf), due);
    fp_dir_hold(d, in, evbuffer_get_length(in), due);
    pending(c)->untracked = true;
    emit_injected(c);
}

void fp_resp_take(fp_dir_t *d, struct evbuffer *in)
{
    fp_conn_t *c = d->conn;
    if (d->parser == NULL) {
        d->parser = cm_xcalloc(1, sizeof(*d->parser));
        fp_resp_init(d->parser, d->stream == FP_DOWNSTREAM);
        d->cmdbuf = evbuffer_new();
    }
    while (!c->dead && !d->resp_off && evbuffer_get_length(in) > 0) {
        bool starting = !d->parser->in_msg && !d->parser->end_due;
        if (fp_dir_full(d) || (d->stream == FP_UPSTREAM && starting && pending(c)->count >= FP_RESP_MAX_PENDING)) {
            fp_dir_pause(d);
            break;
        }
        struct evbuffer_iovec v;
        size_t used;
        char err[128];
        if (evbuffer_peek(in, -1, NULL, &v, 1) < 1)
            break;
        fp_resp_event_t ev = fp_resp_feed(d->parser, v.iov_base, v.iov_len, &used, err, sizeof(err));
        if (ev == FP_RESP_ERROR)
            give_up(d, in, err);
        else if (d->stream == FP_UPSTREAM)
            command_bytes(d, in, used, ev);
        else
            reply_bytes(d, in, used, ev, starting);
    }
    /* NAME's END comes with no byte: take it even when the input is empty. */
    if (!c->dead && !d->resp_off && d->parser->end_due && d->stream == FP_UPSTREAM) {
        size_t used;
        char err[8];
        command_bytes(d, in, 0, fp_resp_feed(d->parser, "", 0, &used, err, sizeof(err)));
    }
    if (!c->dead)
        fp_dir_pump(d);
}
