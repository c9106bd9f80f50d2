/* faults/fault-proxy/conn_internal.h — a connection's insides, shared by conn.c (bytes and TCP toxics) and
 * conn_resp.c (RESP: per-command toxics, injected replies kept in order). Not for other modules. */
#ifndef FP_CONN_INTERNAL_H
#define FP_CONN_INTERNAL_H

#include <event2/event_struct.h>

#include "common/dist.h"
#include "faults/fault-proxy/conn.h"
#include "faults/fault-proxy/resp.h"

struct evbuffer;
typedef struct fp_dir fp_dir_t;
typedef struct fp_resp_pending fp_resp_pending_t;

enum { SIDE_CLIENT = 0, SIDE_UPSTREAM = 1 };

typedef struct fp_mark {
    size_t len;
    uint64_t due; /* monotonic ns before which these bytes are not passed on */
} fp_mark_t;

/* One direction: bytes read from src wait in held, cut into marks, until the toxics let them go to dst. */
struct fp_dir {
    fp_conn_t *conn;
    fp_stream_t stream;
    struct bufferevent *src, *dst;
    struct evbuffer *held;
    size_t held_len;
    fp_mark_t marks[FP_MAX_MARKS]; /* a ring */
    int head, count;
    uint64_t last_due;   /* release times never go backwards, so bytes keep their order */
    uint64_t bw_next;    /* bandwidth: when the next slice may go */
    uint64_t not_before; /* slicer: no slice before this (the write callback pumps too) */
    uint64_t passed;     /* bytes passed on (limit_data) */
    struct event timer;
    bool paused;      /* src not read until the held bytes or dst's output go down */
    bool eof;         /* src closed its side */
    bool slow_waited; /* slow_close's delay has been waited */
    bool shut;        /* dst's write side has been shut */
    bool closing;     /* limit_data reached: close once dst's output is flushed */
    cm_rng_t rng;
    /* protocol resp */
    bool resp_off;           /* the peer spoke something else: its bytes pass as plain TCP from then on */
    fp_resp_t *parser;       /* allocated on the first bytes */
    struct evbuffer *cmdbuf; /* upstream: a command's first bytes, until its name is known */
    bool named, drop;        /* upstream: the current command's name is known; it is answered by the proxy */
    uint64_t cmd_due;        /* upstream: when the current command's bytes may go */
    const char *inject;      /* upstream: the error reply sent instead of the current command's */
    uint64_t reply_delay_ns; /* upstream: extra delay for the current command's reply */
    uint64_t reply_due;      /* downstream: when the current reply's bytes may go */
    /* the passthrough path (pass.c): bytes [poff, plen) of pbuf are read from src, not yet written to dst */
    char *pbuf;
    size_t poff, plen;
    bool pass_hup; /* src was seen half-closed (EV_CLOSED): read it until EOF */
};

struct fp_conn {
    fp_proxy_t *proxy; /* NULL once closed (the proxy may be gone before the reaper runs) */
    fp_conn_t *prev, *next;
    uint64_t serial;
    struct bufferevent *bev[2];
    fp_dir_t dir[2];    /* by fp_stream_t */
    struct event timer; /* timeout's close, reset_peer's RST */
    bool timer_reset;
    bool timer_armed;
    struct event reaper;
    bool dead;
    bool connected;             /* the upstream socket has connected */
    fp_resp_pending_t *pending; /* protocol resp: the commands awaiting a reply, in order */
    bool pass_wanted;           /* no toxic hits it: it moves to the passthrough path once drained */
    bool pass;                  /* on the passthrough path (pass.c): the bufferevents are disabled */
    bool pass_assigned;         /* pass_ev are assigned to the sockets */
    struct event pass_ev[2];    /* by side: edge-triggered read and write on the raw socket */
};

/* The first toxic of type on d's stream that hits this connection: with cmd, one that names cmd or names
 * no command; without, one that names no command. */
const fp_toxic_t *fp_dir_find(const fp_dir_t *d, fp_toxic_type_t type, const char *cmd);
void fp_dir_hit(const fp_dir_t *d, fp_toxic_type_t type);
/* When bytes arriving now (for command cmd, or NULL) may go: latency, jitter and stall windows applied. */
uint64_t fp_dir_due(fp_dir_t *d, uint64_t now, const char *cmd);
/* due, or later so that nothing overtakes what is already held. */
uint64_t fp_dir_keep_order(fp_dir_t *d, uint64_t due);
bool fp_dir_full(const fp_dir_t *d);
void fp_dir_pause(fp_dir_t *d);
/* Moves n bytes of from (or copies s) into the held queue, to go at due. */
void fp_dir_hold(fp_dir_t *d, struct evbuffer *from, size_t n, uint64_t due);
void fp_dir_hold_mem(fp_dir_t *d, const char *s, size_t n, uint64_t due);
void fp_dir_pump(fp_dir_t *d);

/* RESP: takes what d's source read (commands upstream, replies downstream). */
void fp_resp_take(fp_dir_t *d, struct evbuffer *in);
void fp_resp_conn_free(fp_conn_t *c);

#endif
