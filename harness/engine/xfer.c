#include "harness/engine/xfer.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/alloc.h"
#include "common/clock.h"

/* ---- libcurl callbacks ------------------------------------------------------------------------------ */

static void on_gap(void *ctx, uint64_t gap_ns)
{
    hx_xfer_t *x = ctx;
    hx_stats_record_icl(x->stats, gap_ns);
    if (x->gstats != NULL)
        hx_stats_record_icl(x->gstats, gap_ns);
}

/* CURLOPT_HEADERFUNCTION: the first response byte, and the headers that carry ground truth. */
static size_t on_header(char *p, size_t size, size_t nmemb, void *ud)
{
    hx_xfer_t *x = ud;
    size_t n = size * nmemb;
    if (x->first_byte == 0)
        x->first_byte = cm_now_ns();
    hx_headers_line(&x->hdr, p, n);
    return n;
}

static void keep(cm_buf_t *b, const char *p, size_t n, size_t limit, bool *over)
{
    if (b->len + n > limit) {
        n = limit > b->len ? limit - b->len : 0;
        *over = true;
    }
    if (n > 0)
        cm_buf_append(b, p, n);
}

/* CURLOPT_WRITEFUNCTION: streams are read event by event with the time each piece arrived; other bodies
 * are kept (bounded) to be checked when the transfer ends. */
static size_t on_body(char *p, size_t size, size_t nmemb, void *ud)
{
    hx_xfer_t *x = ud;
    size_t n = size * nmemb;
    bool ok = x->http != NULL ? hx_status_match(&x->http->expect, x->hdr.status)
                              : x->hdr.status >= 200 && x->hdr.status < 300;
    /* The clock is read only when something uses it: the header callback has normally stamped the first
     * byte already, and a kept body's pieces carry no time. */
    uint64_t now = x->first_byte == 0 || (ok && x->stream) ? cm_now_ns() : 0;
    if (x->first_byte == 0)
        x->first_byte = now;
    if (ok && x->stream) {
        hx_stream_feed(&x->sr, p, n, now);
        /* An event over the size limit leaves nothing readable: end the transfer now, as an SDK raises,
         * rather than take whatever the peer keeps sending until the timeout (which would then name it). */
        if (x->sr.err == HX_ERR_STREAM_PARSE)
            return 0;
    } else if (ok && x->http != NULL) {
        if (hx_http_checks(x->http)) /* otherwise the body is read and dropped */
            keep(&x->resp, p, n, HX_HTTP_RESPONSE_KEEP, &x->resp_over);
    } else if (ok)
        keep(&x->resp, p, n, HX_BODY_KEEP, &x->resp_over);
    else {
        bool ignored;
        keep(&x->resp, p, n, HX_ERROR_SNIPPET, &ignored);
    }
    return n;
}

/* The method options on a handle: a method, plus whether a body goes with it (libcurl's POST machinery). */
#define MODE_BODY 8
#define MODE_POST_BODY ((int)HX_METHOD_POST | MODE_BODY)

/* ---- lifecycle -------------------------------------------------------------------------------------- */

static int set_options(hx_xfer_t *x, const hx_xfer_opts_t *o)
{
    CURL *e = x->easy;
    CURLcode rc = CURLE_OK;
    rc |= curl_easy_setopt(e, CURLOPT_PRIVATE, x);
    rc |= curl_easy_setopt(e, CURLOPT_ERRORBUFFER, x->errbuf);
    rc |= curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
    rc |= curl_easy_setopt(e, CURLOPT_HTTP_VERSION, (long)CURL_HTTP_VERSION_1_1);
    rc |= curl_easy_setopt(e, CURLOPT_TCP_NODELAY, 1L);
    rc |= curl_easy_setopt(e, CURLOPT_TIMEOUT_MS, (long)(o->timeout_ns / CM_NS_PER_MS));
    rc |= curl_easy_setopt(e, CURLOPT_POST, 1L);
    rc |= curl_easy_setopt(e, CURLOPT_USERAGENT, "soak/" SOAK_VERSION);
    /* A load generator talks to its target directly: an http_proxy in the environment would otherwise
     * silently put a proxy in the measurement. */
    rc |= curl_easy_setopt(e, CURLOPT_PROXY, "");
    /* Saying so for no_proxy too keeps libcurl from reading no_proxy from the environment per request. */
    rc |= curl_easy_setopt(e, CURLOPT_NOPROXY, "*");
    rc |= curl_easy_setopt(e, CURLOPT_HEADERFUNCTION, on_header);
    rc |= curl_easy_setopt(e, CURLOPT_HEADERDATA, x);
    rc |= curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, on_body);
    rc |= curl_easy_setopt(e, CURLOPT_WRITEDATA, x);
    rc |= curl_easy_setopt(e, CURLOPT_OPENSOCKETFUNCTION, o->open_cb);
    rc |= curl_easy_setopt(e, CURLOPT_OPENSOCKETDATA, o->sock_ctx);
    rc |= curl_easy_setopt(e, CURLOPT_CLOSESOCKETFUNCTION, o->close_cb);
    rc |= curl_easy_setopt(e, CURLOPT_CLOSESOCKETDATA, o->sock_ctx);
    return rc == CURLE_OK && hx_xfer_set_pool(x, -1, NULL, &o->conn) == 0 ? 0 : -1;
}

int hx_xfer_set_pool(hx_xfer_t *x, int pool, CURLSH *share, const hx_conn_policy_t *p)
{
    CURL *e = x->easy;
    CURLcode rc = CURLE_OK;
    rc |= curl_easy_setopt(e, CURLOPT_SHARE, share);
    /* The engine retires connections at max_age itself (worker.c); libcurl's own limit, in whole seconds,
     * is a backstop for a connection that aged while idle in the pool. 0: none. */
    rc |= curl_easy_setopt(e, CURLOPT_MAXLIFETIME_CONN, (long)((p->max_age_ns + CM_NS_PER_S - 1) / CM_NS_PER_S));
    rc |= curl_easy_setopt(e, CURLOPT_FRESH_CONNECT, p->churn ? 1L : 0L);
    rc |= curl_easy_setopt(e, CURLOPT_FORBID_REUSE, p->churn ? 1L : 0L);
    x->pool = pool;
    return rc == CURLE_OK ? 0 : -1;
}

hx_xfer_t *hx_xfer_new(const hx_xfer_opts_t *o, hx_stats_t *stats, char *err, size_t errlen)
{
    hx_xfer_t *x = cm_xcalloc(1, sizeof(*x));
    x->stats = stats;
    x->fd = -1;
    x->last_url = NULL;
    x->last_headers = NULL;
    x->body_req = -1;
    x->mode = MODE_POST_BODY; /* set_options sets POST */
    hx_stream_init(&x->sr, HX_DIALECT_OPENAI_CHAT, on_gap, x);
    x->easy = curl_easy_init();
    if (x->easy == NULL) {
        snprintf(err, errlen, "curl_easy_init failed");
        goto error;
    }
    if (set_options(x, o) != 0) {
        snprintf(err, errlen, "libcurl rejected an option (libcurl %s)", curl_version_info(CURLVERSION_NOW)->version);
        goto error;
    }
    return x;
error:
    hx_xfer_free(x);
    return NULL;
}

void hx_xfer_free(hx_xfer_t *x)
{
    if (x == NULL)
        return;
    if (x->easy != NULL)
        curl_easy_cleanup(x->easy);
    cm_buf_free(&x->body);
    cm_buf_free(&x->resp);
    hx_stream_free(&x->sr);
    free(x);
}

/* A refused option leaves the handle half set up (a body pointer the buffer has since moved from, the
 * previous template's URL): forgetting what the handle holds makes the next prepare set everything again. */
static int setopt_failed(hx_xfer_t *x, const char *option, CURLcode rc, char *err, size_t errlen)
{
    x->body_req = -1;
    x->mode = -1;
    x->last_url = NULL;
    x->last_headers = NULL;
    snprintf(err, errlen, "curl_easy_setopt(%s): %s", option, curl_easy_strerror(rc));
    return -1;
}

static int set_body(hx_xfer_t *x, char *err, size_t errlen)
{
    /* Never NULL: with POST and no POSTFIELDS libcurl would read the body from stdin. */
    CURLcode rc = curl_easy_setopt(x->easy, CURLOPT_POSTFIELDS, x->body.data != NULL ? x->body.data : "");
    if (rc != CURLE_OK)
        return setopt_failed(x, "CURLOPT_POSTFIELDS", rc, err, errlen);
    rc = curl_easy_setopt(x->easy, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)x->body.len);
    if (rc != CURLE_OK)
        return setopt_failed(x, "CURLOPT_POSTFIELDSIZE_LARGE", rc, err, errlen);
    return 0;
}

static int set_target(hx_xfer_t *x, CURLU *url, struct curl_slist *headers, char *err, size_t errlen)
{
    CURLcode rc = curl_easy_setopt(x->easy, CURLOPT_CURLU, url);
    if (rc != CURLE_OK)
        return setopt_failed(x, "CURLOPT_CURLU", rc, err, errlen);
    rc = curl_easy_setopt(x->easy, CURLOPT_HTTPHEADER, headers);
    if (rc != CURLE_OK)
        return setopt_failed(x, "CURLOPT_HTTPHEADER", rc, err, errlen);
    return 0;
}

/* Sets the method for mode. POST, PUT and PATCH always carry a body (an empty one is Content-Length: 0), the
 * others only when the template has one; the handle's POST machinery sends any body, under another name when
 * CURLOPT_CUSTOMREQUEST says so. */
static int set_method(hx_xfer_t *x, int mode, char *err, size_t errlen)
{
    hx_method_t m = (hx_method_t)(mode & ~MODE_BODY);
    bool body = (mode & MODE_BODY) != 0;
    bool plain = m == HX_METHOD_HEAD || (m == HX_METHOD_POST && body) || (m == HX_METHOD_GET && !body);
    CURLcode rc = curl_easy_setopt(x->easy, CURLOPT_NOBODY, m == HX_METHOD_HEAD ? 1L : 0L);
    if (rc == CURLE_OK && m != HX_METHOD_HEAD)
        rc = body ? curl_easy_setopt(x->easy, CURLOPT_POST, 1L) : curl_easy_setopt(x->easy, CURLOPT_HTTPGET, 1L);
    if (rc == CURLE_OK)
        rc = curl_easy_setopt(x->easy, CURLOPT_CUSTOMREQUEST, plain ? NULL : hx_method_name(m));
    if (rc != CURLE_OK)
        return setopt_failed(x, "the method", rc, err, errlen);
    x->mode = mode;
    x->body_req = -1; /* a change of method drops the body libcurl had: set it again */
    return 0;
}

static int mode_of(const hx_reqtpl_t *rq)
{
    const hx_http_t *h = rq->http;
    if (h == NULL)
        return MODE_POST_BODY;
    bool body =
        h->has_body || h->method == HX_METHOD_POST || h->method == HX_METHOD_PUT || h->method == HX_METHOD_PATCH;
    return (int)h->method | (body ? MODE_BODY : 0);
}

int hx_xfer_prepare(hx_xfer_t *x, const hx_workload_t *wl, uint32_t req, uint16_t model, CURLU *url,
                    struct curl_slist *headers, cm_rng_t *rng, uint64_t seq, char *err, size_t errlen)
{
    const hx_reqtpl_t *rq = &wl->reqs[req];
    int mode = mode_of(rq);
    if (mode != x->mode && set_method(x, mode, err, errlen) != 0)
        return -1;
    /* A body without placeholders is the same for every request of its template and model: the handle
     * keeps sending the one it has. A request without a body (GET) leaves the handle's alone. */
    if ((mode & MODE_BODY) != 0 && (x->body_req != (int)req || x->body_model != model)) {
        hx_workload_body(wl, req, model, rng, seq, &x->body);
        if (set_body(x, err, errlen) != 0)
            return -1;
        x->body_req = hx_workload_body_static(wl, req) ? (int)req : -1;
        x->body_model = model;
    }
    /* Given a URL string, libcurl parses it again for every transfer; given a parsed handle, it copies the
     * parts. Most runs have one template, one model in the path and one target, so the handle keeps the last
     * URL and header list it was given (each is unique per target, template and model). */
    if (x->last_url != url || x->last_headers != headers) {
        if (set_target(x, url, headers, err, errlen) != 0)
            return -1;
        x->last_url = url;
        x->last_headers = headers;
    }
    x->req = req;
    x->model = model;
    x->http = rq->http;
    x->why = NULL;
    x->stream = rq->stream;
    x->first_byte = 0;
    x->fd = -1;
    x->errbuf[0] = '\0';
    cm_buf_reset(&x->resp);
    x->resp_over = false;
    hx_headers_reset(&x->hdr);
    if (x->stream)
        hx_stream_reset(&x->sr, rq->api->dialect);
    return 0;
}

/* ---- results ---------------------------------------------------------------------------------------- */

static void fill_common(const hx_xfer_t *x, uint64_t now_ns, hx_result_t *r)
{
    memset(r, 0, sizeof(*r));
    r->request = (uint16_t)x->req;
    r->model = x->http != NULL ? HX_MODEL_NONE : x->model;
    r->status = x->hdr.status;
    r->stream = x->stream;
    r->intended = x->intended;
    r->sent = x->sent;
    r->first_byte = x->first_byte;
    r->done = now_ns;
    r->mock_service_ms = x->hdr.mock_service_ms;
    r->gateway_overhead_ms = x->hdr.gateway_overhead_ms;
    r->deployment = x->hdr.deployment_len ? x->hdr.deployment : NULL;
    r->deployment_len = x->hdr.deployment_len;
    r->usage_tokens = -1;
}

static hx_err_t body_class(hx_xfer_t *x, CURLcode code, cm_json_toks_t *toks, uint32_t *tokens)
{
    *tokens = 0;
    if (x->http != NULL) {
        if (code != CURLE_OK || !hx_http_checks(x->http) || !hx_status_match(&x->http->expect, x->hdr.status))
            return HX_ERR_NONE; /* the transport error or the status decides */
        return hx_http_check_body(x->http, x->resp.data ? x->resp.data : "", x->resp.len, x->resp_over, toks, &x->why);
    }
    if (x->hdr.status < 200 || x->hdr.status >= 300)
        return HX_ERR_NONE;
    if (x->stream) {
        hx_err_t e = hx_stream_finish(&x->sr, code == CURLE_OK);
        *tokens = hx_stream_output_tokens(&x->sr);
        return e;
    }
    if (code != CURLE_OK || x->resp_over)
        return HX_ERR_NONE; /* a transport error decides the class; an oversized body is not checked */
    return hx_body_check(x->resp.data ? x->resp.data : "", x->resp.len, toks, tokens);
}

void hx_xfer_finish(hx_xfer_t *x, CURLcode code, uint64_t now_ns, cm_json_toks_t *toks, hx_result_t *r)
{
    long os_errno = 0;
    curl_off_t pretransfer = 0;
    if (code != CURLE_OK) {
        curl_easy_getinfo(x->easy, CURLINFO_OS_ERRNO, &os_errno);
        curl_easy_getinfo(x->easy, CURLINFO_PRETRANSFER_TIME_T, &pretransfer);
    }
    fill_common(x, now_ns, r);
    hx_outcome_in_t in = {
        .curl_code = (int)code,
        .os_errno = os_errno,
        .status = x->hdr.status,
        .connected = pretransfer > 0 || x->first_byte != 0,
        .stream = x->stream,
        .generic = x->http != NULL,
        .expected = x->http != NULL && hx_status_match(&x->http->expect, x->hdr.status),
    };
    in.body_err = body_class(x, code, toks, &r->tokens);
    r->err = hx_outcome_classify(&in);
    if (x->stream)
        hx_stream_result(&x->sr, r);
}

void hx_xfer_aborted(hx_xfer_t *x, uint64_t now_ns, hx_result_t *r)
{
    fill_common(x, now_ns, r);
    r->err = HX_ERR_CLIENT_CLOSED;
}

void hx_xfer_setup_failed(uint64_t intended, uint64_t now_ns, hx_result_t *r)
{
    memset(r, 0, sizeof(*r));
    r->err = HX_ERR_CLIENT_SETUP;
    r->intended = intended;
    r->sent = r->done = now_ns;
    r->mock_service_ms = r->gateway_overhead_ms = HX_NO_VALUE;
}

/* Bodies may hold newlines; the report is one line per class. A server's bytes go to a terminal, so every
 * control character becomes a space: an escape sequence in an error body must not recolour, retitle or
 * clear the screen of whoever reads the run. */
static void one_line(char *buf)
{
    for (char *p = buf; *p; p++)
        if ((unsigned char)*p < 0x20 || *p == 0x7f)
            *p = ' ';
}

void hx_xfer_describe(const hx_xfer_t *x, CURLcode code, const hx_result_t *r, char *buf, size_t n)
{
    if (code != CURLE_OK) {
        snprintf(buf, n, "%s", x->errbuf[0] ? x->errbuf : curl_easy_strerror(code));
        return;
    }
    if (x->http != NULL && r->err == HX_ERR_BAD_BODY) {
        snprintf(buf, n, "HTTP %d %s: %s", r->status, x->http->path, x->why ? x->why : "the check failed");
        return;
    }
    if (x->http != NULL) {
        int len = (int)x->resp.len;
        snprintf(buf, n, "HTTP %d %s (not an expected status): %.*s", r->status, x->http->path, len,
                 x->resp.data ? x->resp.data : "");
        one_line(buf);
        return;
    }
    if (r->status < 200 || r->status >= 300) {
        int len = (int)x->resp.len;
        snprintf(buf, n, "HTTP %d: %.*s", r->status, len, x->resp.data ? x->resp.data : "");
        one_line(buf);
        return;
    }
    snprintf(buf, n, "HTTP %d with %s (%zu body bytes kept)", r->status, hx_err_name(r->err), x->resp.len);
}
