/* faults/fault-proxy/proxy.h — the proxies of one fault-proxy process: listeners, their upstreams, their
 * toxics and their connections, all on one libevent loop (the control API runs on the same loop, so a
 * change never races the data path).
 *
 * Which connections a toxic hits is decided by a hash of (seed, proxy, toxic, connection number), so a run
 * with the same seed and the same connection order reproduces. */
#ifndef FP_PROXY_H
#define FP_PROXY_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/socket.h>

#include "faults/fault-proxy/config.h"
#include "faults/fault-proxy/toxic.h"

struct event_base;
struct evconnlistener;
typedef struct fp_conn fp_conn_t;
typedef struct fp_resp_stats fp_resp_stats_t;

#define FP_MAX_PROXIES 256 /* proxies per process */

/* Counters shown by /metrics; index by fp_stream_t. */
typedef struct fp_stats {
    uint64_t bytes[2];                        /* bytes passed on, per direction */
    uint64_t connections;                     /* accepted */
    uint64_t open;                            /* open now */
    uint64_t pass_open;                       /* open now on the passthrough path (pass.c) */
    uint64_t refused;                         /* closed at once by a down toxic or a failed upstream connect */
    uint64_t toxic_hits[FP_TOXIC_TYPE_COUNT]; /* times a toxic acted on data or on a connection */
} fp_stats_t;

typedef struct fp_server fp_server_t;

typedef struct fp_proxy {
    fp_server_t *server;
    char name[FP_MAX_NAME];
    char listen[FP_MAX_ADDR]; /* as asked; port 0 is replaced by the bound port once listening */
    char upstream[FP_MAX_ADDR];
    bool enabled;
    fp_protocol_t protocol;
    struct sockaddr_storage up_addr;
    socklen_t up_len;
    struct evconnlistener *listener;
    fp_toxic_t toxics[FP_MAX_TOXICS]; /* in the order added */
    int ntoxics;
    uint32_t next_uid;
    uint64_t name_hash;
    uint64_t next_serial;
    fp_conn_t *conns; /* open connections, newest first */
    fp_stats_t stats;
    fp_resp_stats_t *resp; /* per-command counters (protocol resp), NULL until the first command */
} fp_proxy_t;

struct fp_server {
    struct event_base *base;
    uint64_t seed;
    fp_proxy_t *proxies[FP_MAX_PROXIES]; /* in the order created */
    int n;
};

/* Error codes, mapped to HTTP statuses by the API. */
enum {
    FP_E_EXISTS = -2,    /* 409 */
    FP_E_NOT_FOUND = -3, /* 404 */
    FP_E_LIMIT = -4,     /* 400: too many proxies or toxics */
    FP_E_LISTEN = -5,    /* 500: the listen address could not be bound */
};

void fp_server_init(fp_server_t *s, struct event_base *base, uint64_t seed);
/* Closes every connection and listener and frees every proxy. */
void fp_server_free(fp_server_t *s);

/* Creates a proxy from c (its toxics included) and, when enabled, starts listening. Returns 0, or an FP_E_
 * code with why in err. */
int fp_server_add(fp_server_t *s, const fp_proxy_conf_t *c, fp_proxy_t **out, char *err, size_t errlen);
fp_proxy_t *fp_server_find(const fp_server_t *s, const char *name);
/* Stops and frees the proxy: its connections are closed. */
int fp_server_remove(fp_server_t *s, const char *name);
/* POST /reset: every proxy enabled, every toxic removed. */
void fp_server_reset(fp_server_t *s);

/* Applies listen, upstream and enabled from c (name and toxics are ignored). Disabling, or a new listen
 * address, closes the proxy's connections like toxiproxy does. Returns 0 or FP_E_LISTEN (the proxy is then
 * left disabled). */
int fp_proxy_update(fp_proxy_t *p, const fp_proxy_conf_t *c, char *err, size_t errlen);

fp_toxic_t *fp_proxy_toxic(fp_proxy_t *p, const char *name);
/* Adds t (FP_E_EXISTS when its name is taken, FP_E_LIMIT past FP_MAX_TOXICS); open connections get it too. */
int fp_proxy_add_toxic(fp_proxy_t *p, const fp_toxic_t *t);
/* Replaces the toxic of that name by t (same uid, so the same connections keep it). */
int fp_proxy_update_toxic(fp_proxy_t *p, const char *name, const fp_toxic_t *t);
int fp_proxy_remove_toxic(fp_proxy_t *p, const char *name);

/* Writes the proxy as toxiproxy shows it: name, listen, upstream, enabled, toxics (plus protocol). */
void fp_proxy_json(cm_jw_t *w, const fp_proxy_t *p);

/* Whether toxic t hits connection serial of p: a seeded draw against t's toxicity. */
bool fp_proxy_hits(const fp_proxy_t *p, const fp_toxic_t *t, uint64_t serial);

#endif
