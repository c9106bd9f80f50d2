/* harness/engine/xfer.h — one reusable transfer: a libcurl easy handle with its buffers, the callbacks that time
 * and read the response as it arrives, and the conversion of a finished transfer into an hx_result_t.
 *
 * Transfers are owned by one engine thread and reused for the whole run (kept on a free list), so a
 * transfer's buffers and the easy handle's state are allocated once, not per request. */
#ifndef HX_XFER_H
#define HX_XFER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <curl/curl.h>

#include "common/buf.h"
#include "harness/engine/outcome.h"
#include "harness/measure/stats.h"
#include "harness/measure/stream.h"
#include "harness/engine/workload.h"

/* Non-stream 2xx bodies are kept up to this size and checked as JSON; larger ones are counted as received
 * but not checked (an embeddings answer of several MiB is legitimate). */
#define HX_BODY_KEEP (1u << 20)
/* Bytes of an error body kept for the "first error" message. */
#define HX_ERROR_SNIPPET 200u

typedef struct hx_xfer hx_xfer_t;
struct hx_xfer {
    CURL *easy;
    hx_stats_t *stats; /* the owning thread's stats: stream gaps are recorded as they arrive */
    hx_stats_t *gstats; /* and its group's, or NULL (set by the worker at each launch) */
    uint32_t group;
    bool warmup; /* one of the warm-up's requests (load.warmup as a count): counted apart */
    int pool;    /* the group whose own connection pool the handle is set to use, -1: the run's (the multi's) */
    hx_xfer_t *next_free;
    void *user; /* closed loop: the user that sent it; NULL in open loop */
    bool active;
    int fd;                /* socket it runs on (set by the engine's socket callback), -1 when unknown */
    const CURLU *last_url; /* the URL set on the handle, NULL none */
    const struct curl_slist *last_headers; /* and its header list */
    int body_req; /* static template whose body (for body_model) is in body and set on the handle, -1 none */
    uint16_t body_model;
    uint32_t req;
    uint16_t model;
    const hx_http_t *http; /* the template's api: http part, NULL for the LLM kinds */
    int mode;              /* the method options set on the handle (xfer.c), -1 unknown */
    const char *why;       /* api: http: why the body check failed (static), or NULL */
    uint32_t route;        /* the target it went to (harness/engine/router.h) */
    uint32_t attempt;      /* 0 for the first send, then one more per retry on another target */
    uint64_t seq;          /* its sequence number ({{seq}} in templates), kept for a retry */
    bool stream;
    uint64_t intended, sent, first_byte;
    cm_buf_t body;  /* request body */
    cm_buf_t resp;  /* 2xx non-stream body (bounded; api: http: an expected status's body, kept only for a check)
                       or an error body's first bytes */
    bool resp_over; /* the kept body went past its cap (HX_BODY_KEEP, HX_HTTP_RESPONSE_KEEP) */
    hx_headers_t hdr;
    hx_stream_t sr;
    char errbuf[CURL_ERROR_SIZE];
};

/* The options a transfer needs that do not change per request. */
typedef struct hx_xfer_opts {
    uint64_t timeout_ns;
    hx_conn_policy_t conn; /* the run's pool */
    curl_opensocket_callback open_cb;
    curl_closesocket_callback close_cb;
    void *sock_ctx;
} hx_xfer_opts_t;

/* Creates a transfer with its easy handle configured. Returns NULL (with err) when libcurl refuses. */
hx_xfer_t *hx_xfer_new(const hx_xfer_opts_t *o, hx_stats_t *stats, char *err, size_t errlen);
void hx_xfer_free(hx_xfer_t *x);
/* Points x's handle (not in flight) at a connection pool: share, a share handle that shares connections, or
 * NULL for the multi handle's own; with that pool's policy p (churn, libcurl's lifetime limit; the engine
 * applies max_requests and max_age itself). pool is what x->pool becomes. Returns 0, or -1 when libcurl refuses. */
int hx_xfer_set_pool(hx_xfer_t *x, int pool, CURLSH *share, const hx_conn_policy_t *p);

/* Readies x for template req with model index `model`: sets the method (POST for the LLM kinds), builds the body,
 * points the handle at the template's parsed URL and header list (both must outlive the transfer and stay unchanged
 * while it runs), resets the response state. Returns 0, or -1 when libcurl refuses an option, with the option and
 * libcurl's reason in err ("curl_easy_setopt(CURLOPT_POSTFIELDS): Out of memory"): the request must then not be sent
 * (the engine counts it as client_setup). x stays reusable: its next prepare sets every option again. */
int hx_xfer_prepare(hx_xfer_t *x, const hx_workload_t *wl, uint32_t req, uint16_t model, CURLU *url,
                    struct curl_slist *headers, cm_rng_t *rng, uint64_t seq, char *err, size_t errlen);

/* Fills r for a transfer libcurl finished with `code` at now_ns (call before curl_multi_remove_handle).
 * toks is the thread's JSON token storage. */
void hx_xfer_finish(hx_xfer_t *x, CURLcode code, uint64_t now_ns, cm_json_toks_t *toks, hx_result_t *r);
/* Fills r for a transfer the harness cut off (HX_ERR_CLIENT_CLOSED). */
void hx_xfer_aborted(hx_xfer_t *x, uint64_t now_ns, hx_result_t *r);
/* Fills r for a request that never reached libcurl (HX_ERR_CLIENT_SETUP): no transfer could be made or
 * prepared, or the multi handle refused it. It is an outcome (a failure), intended and sent at now_ns. */
void hx_xfer_setup_failed(uint64_t intended, uint64_t now_ns, hx_result_t *r);

/* A one-line description of a failed transfer for the "first error" report: libcurl's message, or the HTTP
 * status with the start of the body. */
void hx_xfer_describe(const hx_xfer_t *x, CURLcode code, const hx_result_t *r, char *buf, size_t n);

#endif
