/* harness/measure/result.c — the stable names of the error taxonomy, and the per-request metrics.
 *
 * The names are part of the JSON summary, the JSONL series, JUnit and the expectation syntax, so they never
 * change once released; the table is indexed by hx_err_t and checked against HX_ERR__COUNT at compile time. */
#include "harness/measure/result.h"

#include <string.h>

static const char *const err_names[] = {
    [HX_ERR_NONE] = "none",
    [HX_ERR_HTTP_4XX] = "http_4xx",
    [HX_ERR_HTTP_429] = "http_429",
    [HX_ERR_HTTP_5XX] = "http_5xx",
    [HX_ERR_HTTP_OTHER] = "http_other",
    [HX_ERR_CONNECT_REFUSED] = "connect_refused",
    [HX_ERR_CONNECT_TIMEOUT] = "connect_timeout",
    [HX_ERR_RESET] = "reset",
    [HX_ERR_TIMEOUT] = "timeout",
    [HX_ERR_CLIENT_CLOSED] = "client_closed",
    [HX_ERR_STREAM_NO_DONE] = "stream_no_done",
    [HX_ERR_STREAM_TRUNCATED] = "stream_truncated",
    [HX_ERR_STREAM_ERROR] = "stream_error",
    [HX_ERR_STREAM_PARSE] = "stream_parse",
    [HX_ERR_BAD_BODY] = "bad_body",
    [HX_ERR_OTHER] = "other",
    [HX_ERR_DROPPED] = "dropped",
    [HX_ERR_CLIENT_SETUP] = "client_setup",
};

_Static_assert(sizeof(err_names) / sizeof(err_names[0]) == HX_ERR__COUNT, "every hx_err_t needs a name");

const char *hx_err_name(hx_err_t e)
{
    /* An out-of-range value can only come from a bug or memory corruption; naming it "other" keeps
     * reports readable instead of crashing on a NULL name. */
    if ((unsigned)e >= HX_ERR__COUNT)
        return err_names[HX_ERR_OTHER];
    return err_names[e];
}

int hx_err_parse(const char *name, hx_err_t *out)
{
    if (name == NULL)
        return -1;
    for (unsigned i = 0; i < HX_ERR__COUNT; i++) {
        if (strcmp(name, err_names[i]) == 0) {
            *out = (hx_err_t)i;
            return 0;
        }
    }
    return -1;
}

/* ---- per-request metrics ------------------------------------------------------------------------------ */

static double span_ms(uint64_t a, uint64_t b)
{
    return b > a ? (double)(b - a) / 1e6 : 0;
}

/* TPOT leaves the first token out, as vLLM and GuideLLM do: the first chunk's time is TTFT's, and what
 * follows is the decode rate. A first chunk carrying several tokens still counts as one first token, so
 * TPOT stays comparable with those tools (docs/metrics.md). */
static void stream_metrics(const hx_result_t *r, hx_rmetrics_t *m)
{
    if (r->first_token != 0) {
        m->v[HX_RM_TTFT] = span_ms(r->intended, r->first_token);
        m->has[HX_RM_TTFT] = true;
    }
    if (r->first_reasoning != 0) {
        m->v[HX_RM_TTFRT] = span_ms(r->intended, r->first_reasoning);
        m->has[HX_RM_TTFRT] = true;
    }
    if (r->chunks == 0 || r->tokens == 0)
        return;
    m->v[HX_RM_TPOT_INCL_FIRST] = span_ms(r->intended, r->last_output) / r->tokens;
    m->has[HX_RM_TPOT_INCL_FIRST] = true;
    if (r->tokens >= 2) {
        m->v[HX_RM_TPOT] = span_ms(r->first_output, r->last_output) / (r->tokens - 1);
        m->has[HX_RM_TPOT] = true;
    }
}

void hx_result_metrics(const hx_result_t *r, hx_rmetrics_t *m)
{
    memset(m, 0, sizeof(*m));
    if (r->first_byte != 0) {
        m->v[HX_RM_TTFB] = span_ms(r->sent, r->first_byte);
        m->has[HX_RM_TTFB] = true;
    }
    m->v[HX_RM_E2E] = span_ms(r->intended, r->done);
    m->has[HX_RM_E2E] = r->done != 0;
    if (r->stream)
        stream_metrics(r, m);
    if (r->tokens > 0 && m->v[HX_RM_E2E] > 0) {
        m->v[HX_RM_OTPS] = r->tokens / (m->v[HX_RM_E2E] / 1000.0);
        m->has[HX_RM_OTPS] = true;
    }
}

static const char *const rmetric_names[] = {
    [HX_RM_TTFB] = "ttfb",   [HX_RM_TTFT] = "ttft", [HX_RM_TTFRT] = "ttfrt",
    [HX_RM_TPOT] = "tpot",   [HX_RM_TPOT_INCL_FIRST] = "tpot_incl_first",
    [HX_RM_E2E] = "e2e",     [HX_RM_OTPS] = "output_tokens_per_s",
};

_Static_assert(sizeof(rmetric_names) / sizeof(rmetric_names[0]) == HX_RM__COUNT, "every hx_rmetric_t needs a name");

const char *hx_rmetric_name(hx_rmetric_t m)
{
    return (unsigned)m < HX_RM__COUNT ? rmetric_names[m] : "unknown";
}

int hx_rmetric_parse(const char *name, hx_rmetric_t *out)
{
    for (int i = 0; i < HX_RM__COUNT; i++) {
        if (strcmp(rmetric_names[i], name) == 0) {
            *out = (hx_rmetric_t)i;
            return 0;
        }
    }
    return -1;
}
