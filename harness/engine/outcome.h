/* harness/engine/outcome.h — turning what libcurl saw into one hx_err_t class, and reading the response headers and
 * bodies that classification and ground truth need. Pure functions: no libcurl handles, no I/O. */
#ifndef HX_OUTCOME_H
#define HX_OUTCOME_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/json.h"
#include "harness/measure/result.h"

typedef struct hx_outcome_in {
    int curl_code;     /* CURLcode of the finished transfer */
    long os_errno;     /* CURLINFO_OS_ERRNO */
    int status;        /* final HTTP status, 0 when no status line arrived */
    bool connected;    /* the request got past connecting (pretransfer reached, or a response byte arrived) */
    bool stream;       /* a stream was requested */
    hx_err_t body_err; /* 2xx only: the stream's hx_stream_finish() class, or the body check's */
    bool generic;      /* api: http: `expected` decides instead of 2xx */
    bool expected;     /* api: http: the status is one of the template's expect_status (body_err then applies) */
} hx_outcome_in_t;

/* The class of a finished transfer (not for transfers the harness aborted: those are client_closed).
 * Transport errors win over statuses: refused, connect timeout, timeout, reset (or a stream's truncation
 * when a 2xx stream was cut), other. Then the status: 2xx -> body_err, 429, other 4xx, 5xx, other. For api: http
 * an expected status -> body_err (its check), and any other status by its class: 429, 4xx, 5xx, or
 * http_other (1xx, 3xx, or a 2xx the template did not expect). */
hx_err_t hx_outcome_classify(const hx_outcome_in_t *in);

/* Response headers the harness reads. Reset by hx_headers_reset at each status line (a 1xx interim or a
 * retried response must not leak values into the final one). */
#define HX_DEPLOYMENT_MAX 64

typedef struct hx_headers {
    int status;
    double mock_service_ms;             /* HX_NO_VALUE when absent */
    double gateway_overhead_ms;         /* HX_NO_VALUE when absent */
    char deployment[HX_DEPLOYMENT_MAX]; /* NUL-terminated (truncated); "" when absent */
    uint32_t deployment_len;
    int64_t retry_after_ms;    /* retry-after-ms, else retry-after (delta-seconds) x 1000; -1 when absent */
    bool retry_after_ms_exact; /* retry-after-ms was seen (it wins over retry-after) */
} hx_headers_t;

void hx_headers_reset(hx_headers_t *h);
/* Feeds one raw header line as libcurl's CURLOPT_HEADERFUNCTION delivers it (with its CRLF). A status line
 * ("HTTP/1.1 200 OK") resets the values and sets status. Unparsable numbers are treated as absent. */
void hx_headers_line(hx_headers_t *h, const char *line, size_t len);

/* Checks a non-stream 2xx body: it must be a JSON object without a non-null "error" member. Stores
 * usage.completion_tokens (or usage.output_tokens) in *tokens when present, else 0. Returns HX_ERR_NONE or
 * HX_ERR_BAD_BODY. toks is the caller's reusable token storage. */
hx_err_t hx_body_check(const char *body, size_t len, cm_json_toks_t *toks, uint32_t *tokens);

#endif
