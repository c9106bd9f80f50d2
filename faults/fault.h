/* faults/fault.h — the fault model: what goes wrong (a kind and its parameters), where in a response (the
 * point), and to which requests (targeting), decided the same way whatever the number of threads.
 *
 * Server-neutral: no h2o or socket types. A server reads a deployment's `faults:` list (YAML in a scenario,
 * JSON through an admin API: both go through cm_conf, so one parser and one validation serve both) with
 * fx_parse, asks fx_pick which fault applies to each request, and applies it.
 *
 * Request faults are evaluated in list order; the first one that applies wins and a request gets at most one.
 * A fault "applies" when the request passes its filters (routes, models, keys, window) and then its counters
 * and its seeded draw (first N, every k-th, probability) say yes. Each fault counts the requests that passed
 * its filters; its decisions are a function of (seed, fault index, that count) only, so the same seed and the
 * same request sequence give the same faults with one thread or many. A request naming a fault in its
 * x-mock-fault header gets that fault whatever its targeting says (and no counter moves).
 *
 * Deployment faults (conn_limit, accept_pause, pause) are not picked per request; the server applies them
 * over its connections and listeners. */
#ifndef FX_FAULT_H
#define FX_FAULT_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/alloc.h"
#include "common/buf.h"
#include "common/config.h"

#define FX_MAX_FAULTS 64                           /* faults per deployment */
#define FX_MAX_LIST 64                             /* entries of routes, models, keys */
#define FX_MAX_NAME 64                             /* bytes of a fault's name */
#define FX_MAX_DURATION_NS (86400ull * 1000000000) /* durations, intervals, retry_after and window bounds: 1 day */
#define FX_MAX_COUNT 1000000000000ull              /* first, every_nth, chunk and byte counts, requests */

typedef enum fx_kind {
    FX_HTTP_ERROR,   /* a provider-shaped error status instead of the answer */
    FX_STALL,        /* silence at a point for a duration, then resume, close or reset */
    FX_CLOSE,        /* FIN at a point */
    FX_RESET,        /* RST at a point */
    FX_TRUNCATE,     /* the body cut after `bytes`, Content-Length kept */
    FX_MALFORMED,    /* invalid JSON with a 200 */
    FX_STREAM_ERROR, /* the provider's own in-stream error event at a point */
    FX_DRIP,         /* the response sent `bytes` at a time, every `every` */
    FX_CONN_LIMIT,   /* deployment: keep-alive connections closed after N requests or an age */
    FX_ACCEPT_PAUSE, /* deployment: no accepts during `window` */
    FX_PAUSE,        /* deployment: everything frozen for `duration` every `every` */
    FX_KIND_COUNT
} fx_kind_t;

typedef enum fx_point_kind {
    FX_AT_BEFORE_HEADERS,
    FX_AT_AFTER_HEADERS,
    FX_AT_AFTER_CHUNKS, /* after n stream chunks (events) */
    FX_AT_AFTER_BYTES,  /* after n body bytes */
} fx_point_kind_t;

typedef struct fx_point {
    fx_point_kind_t kind;
    uint64_t n;
} fx_point_t;

typedef enum fx_then { FX_THEN_RESUME, FX_THEN_CLOSE, FX_THEN_RESET } fx_then_t;

typedef struct fx_fault {
    const char *name; /* NULL when unnamed */
    fx_kind_t kind;
    /* what */
    int status;              /* http_error */
    bool has_retry_after;    /* http_error */
    uint64_t retry_after_ns; /* http_error */
    fx_point_t at;           /* stall, close, reset, stream_error */
    uint64_t duration_ns;    /* stall, pause */
    fx_then_t then;          /* stall */
    uint64_t bytes;          /* truncate: bytes kept; drip: bytes per step */
    uint64_t every_ns;       /* drip: step interval; pause: period */
    uint64_t max_requests;   /* conn_limit, 0 = none */
    uint64_t max_age_ns;     /* conn_limit, 0 = none */
    /* to whom (request faults) */
    const char **routes, **models, **keys; /* NULL lists match everything */
    size_t nroutes, nmodels, nkeys;
    uint64_t threshold;   /* probability as a fraction of 2^64; applies when the draw is below it */
    bool always;          /* probability 100% */
    uint64_t first;       /* only the first N requests that pass the filters, 0 = no limit */
    uint64_t every_nth;   /* only every k-th of them (the k-th, 2k-th, ...), 0 = each */
    uint64_t window_from; /* ns since the start; the fault is active in [from, to) */
    uint64_t window_to;   /* UINT64_MAX: open-ended */
} fx_fault_t;

typedef struct fx_set {
    fx_fault_t *faults;
    size_t n;
    uint64_t seed;
    _Atomic uint64_t *passed; /* per fault: requests that passed its filters */
    cm_arena_t arena;         /* names, lists and the arrays above */
} fx_set_t;

/* One request as the targeting sees it. Empty strings (n == 0) match no list entry; header.p NULL: no
 * x-mock-fault header. */
typedef struct fx_request {
    cm_str_t route; /* the API name, e.g. "chat", "embeddings" */
    cm_str_t model;
    cm_str_t key;
    cm_str_t header;
    uint64_t since_start_ns;
} fx_request_t;

/* Reads a list of fault specs (a YAML/JSON sequence; NULL or null gives an empty set) into out. Every error
 * names the field and its position (`file:line:col: PATH[i].duration: ...`). out owns copies of everything it
 * keeps, so conf may be freed afterwards. Returns 0, or -1 with err filled and out empty. */
int fx_parse(const cm_conf_t *conf, const cm_node_t *list, const char *path, uint64_t seed, fx_set_t *out,
             cm_err_t *err);
void fx_set_free(fx_set_t *s);
/* Restarts every counter (first N, every k-th and the draws start over). */
void fx_set_reset(const fx_set_t *s);

/* The request fault that applies to r, or NULL. Thread-safe: only the per-fault counters change, atomically. */
const fx_fault_t *fx_pick(const fx_set_t *s, const fx_request_t *r);

const char *fx_kind_name(fx_kind_t k);
/* Whether k is picked per request (false for conn_limit, accept_pause and pause). */
bool fx_kind_per_request(fx_kind_t k);

#endif
