/* harness/measure/result.h — what the engine knows about one finished request, handed to stats.
 *
 * Times are CLOCK_MONOTONIC nanoseconds. `intended` is when the schedule wanted the request sent (open
 * loop) or when the user decided to send it (closed loop); `sent` is when it really went to libcurl.
 * Latency is measured from intended (no coordinated omission); service time from sent. */
#ifndef HX_RESULT_H
#define HX_RESULT_H

#include <stdbool.h>
#include <stdint.h>

/* Error taxonomy. Exactly one class per request; HX_ERR_NONE means a 2xx with a complete body/stream. */
typedef enum hx_err {
    HX_ERR_NONE = 0,
    HX_ERR_HTTP_4XX, /* 4xx other than 429 */
    HX_ERR_HTTP_429, /* rate limited */
    HX_ERR_HTTP_5XX,
    HX_ERR_HTTP_OTHER, /* 1xx/3xx final status */
    HX_ERR_CONNECT_REFUSED,
    HX_ERR_CONNECT_TIMEOUT,
    HX_ERR_RESET,            /* connection reset or closed before a complete response */
    HX_ERR_TIMEOUT,          /* request timeout after connecting */
    HX_ERR_CLIENT_CLOSED,    /* aborted by the harness (run ended while in flight) */
    HX_ERR_STREAM_NO_DONE,   /* stream ended cleanly at the HTTP level but without its terminator */
    HX_ERR_STREAM_TRUNCATED, /* connection ended in the middle of a stream */
    HX_ERR_STREAM_ERROR,     /* an error event/object inside a 200 stream */
    HX_ERR_STREAM_PARSE,     /* malformed SSE or JSON inside the stream */
    HX_ERR_BAD_BODY,         /* non-stream 2xx whose body is not the expected JSON */
    HX_ERR_OTHER,            /* any other transport error (libcurl code in the log) */
    HX_ERR_DROPPED,          /* an arrival never sent: the in-flight cap (max_inflight) was reached */
    HX_ERR_CLIENT_SETUP,     /* the harness could not prepare the request or hand it to libcurl */
    HX_ERR__COUNT,
} hx_err_t;

/* Stable snake_case names used in JSON, JSONL and JUnit: "http_4xx", "http_429", "connect_refused", ... */
const char *hx_err_name(hx_err_t e);
/* Parses a name back (for expectations like `ignore: [429, stream_no_done]`); -1 if unknown. */
int hx_err_parse(const char *name, hx_err_t *out);

#define HX_NO_VALUE (-1.0)

typedef struct hx_result {
    uint16_t request; /* index of the request template in the workload */
    uint16_t model;   /* index of the model name in the workload's model table */
    int status;       /* final HTTP status, 0 when none was received */
    hx_err_t err;
    bool stream;
    uint64_t intended;      /* ns */
    uint64_t sent;          /* ns */
    uint64_t first_byte;    /* ns, 0 if no response byte arrived */
    uint64_t first_token;   /* ns, streams: first non-empty content; 0 if none */
    uint64_t last_token;    /* ns, streams: last content event; 0 if none */
    uint64_t done;          /* ns */
    uint64_t first_reasoning;           /* ns, streams: first reasoning chunk; 0 if none */
    uint64_t first_output, last_output; /* ns, streams: first and last chunk with output (answer or reasoning) */
    uint32_t chunks;                    /* streams: chunks with output */
    /* Output tokens: streams, the count the stream's usage reported (reasoning included) or, without one, one
     * per output chunk; non-stream: usage.completion_tokens if parsed, else 0. */
    uint32_t tokens;
    int64_t usage_tokens; /* streams: the usage count alone, -1 when the stream reported none */
    const uint32_t *gaps; /* streams: gaps (us) between consecutive output chunks, valid during the call */
    uint32_t ngaps;
    bool good; /* a success that met every SLO (hx_slo_met; the caller sets it) */
    double mock_service_ms; /* x-mock-service-ms, HX_NO_VALUE when absent */
    double gateway_overhead_ms; /* x-litellm-overhead-duration-ms, HX_NO_VALUE when absent */
    const char *deployment;     /* x-mock-deployment value (NUL-terminated, valid during the call), or NULL */
    uint32_t deployment_len;
} hx_result_t;

/* Per-request metrics (docs/metrics.md), each in ms except HX_RM_OTPS (tokens per second). */
typedef enum hx_rmetric {
    HX_RM_TTFB,            /* first response byte - sent */
    HX_RM_TTFT,            /* first answer chunk - intended */
    HX_RM_TTFRT,           /* first reasoning chunk - intended */
    HX_RM_TPOT,            /* (last output chunk - first output chunk) / (tokens - 1) */
    HX_RM_TPOT_INCL_FIRST, /* (last output chunk - intended) / tokens */
    HX_RM_E2E,             /* done - intended */
    HX_RM_OTPS,            /* tokens / e2e */
    HX_RM__COUNT,
} hx_rmetric_t;

typedef struct hx_rmetrics {
    double v[HX_RM__COUNT];
    bool has[HX_RM__COUNT]; /* the request has that metric (a non-stream has no TTFT, a one-token answer no TPOT) */
} hx_rmetrics_t;

/* Computes r's per-request metrics. Times that go backwards count as 0. */
void hx_result_metrics(const hx_result_t *r, hx_rmetrics_t *m);
/* The metric's name as SLOs and the JSON summary spell it ("ttft", "tpot_incl_first", "output_tokens_per_s"),
 * and back (-1 if unknown). */
const char *hx_rmetric_name(hx_rmetric_t m);
int hx_rmetric_parse(const char *name, hx_rmetric_t *out);

#endif
