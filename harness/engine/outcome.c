#include "harness/engine/outcome.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <curl/curl.h>

static hx_err_t classify_status(const hx_outcome_in_t *in)
{
    int s = in->status;
    if (in->generic ? in->expected : s >= 200 && s < 300)
        return in->body_err;
    if (s == 429)
        return HX_ERR_HTTP_429;
    if (s >= 400 && s < 500)
        return HX_ERR_HTTP_4XX;
    if (s >= 500 && s < 600)
        return HX_ERR_HTTP_5XX;
    return HX_ERR_HTTP_OTHER; /* 1xx, 3xx, or a 2xx an api: http template did not expect */
}

static bool is_stream_break(hx_err_t e)
{
    return e == HX_ERR_STREAM_TRUNCATED || e == HX_ERR_STREAM_PARSE || e == HX_ERR_STREAM_ERROR ||
           e == HX_ERR_STREAM_NO_DONE;
}

hx_err_t hx_outcome_classify(const hx_outcome_in_t *in)
{
    switch ((CURLcode)in->curl_code) {
    case CURLE_OK:
        return classify_status(in);
    case CURLE_COULDNT_CONNECT:
        if (in->os_errno == ECONNREFUSED)
            return HX_ERR_CONNECT_REFUSED;
        if (in->os_errno == ETIMEDOUT)
            return HX_ERR_CONNECT_TIMEOUT;
        return HX_ERR_OTHER;
    case CURLE_OPERATION_TIMEDOUT:
        /* libcurl reports both the connect timeout and the whole-request timeout with this code; whether
         * the transfer got past connecting tells them apart. */
        return in->connected ? HX_ERR_TIMEOUT : HX_ERR_CONNECT_TIMEOUT;
    case CURLE_RECV_ERROR:
    case CURLE_SEND_ERROR:
    case CURLE_PARTIAL_FILE:
    case CURLE_GOT_NOTHING:
    case CURLE_WRITE_ERROR: /* the body callback ended an unreadable stream */
        /* A 2xx stream that was already flowing broke in the middle: the stream reader knows whether it
         * ended between events or inside one, which is more useful than "reset". */
        if (in->stream && in->status >= 200 && in->status < 300 && is_stream_break(in->body_err))
            return in->body_err;
        return HX_ERR_RESET;
    default:
        return HX_ERR_OTHER;
    }
}

void hx_headers_reset(hx_headers_t *h)
{
    h->status = 0;
    h->mock_service_ms = HX_NO_VALUE;
    h->gateway_overhead_ms = HX_NO_VALUE;
    h->deployment[0] = '\0';
    h->deployment_len = 0;
    h->retry_after_ms = -1;
    h->retry_after_ms_exact = false;
}

/* The value of "name: value\r\n" when line has that name (case-insensitive), trimmed; NULL otherwise. */
static const char *header_value(const char *line, size_t len, const char *name, size_t *vlen)
{
    size_t n = strlen(name);
    if (len <= n || line[n] != ':' || strncasecmp(line, name, n) != 0)
        return NULL;
    const char *v = line + n + 1, *end = line + len;
    while (v < end && (*v == ' ' || *v == '\t'))
        v++;
    while (end > v && (end[-1] == '\r' || end[-1] == '\n' || end[-1] == ' ' || end[-1] == '\t'))
        end--;
    *vlen = (size_t)(end - v);
    return v;
}

static double parse_ms(const char *v, size_t n)
{
    char tmp[32];
    if (n == 0 || n >= sizeof(tmp))
        return HX_NO_VALUE;
    memcpy(tmp, v, n);
    tmp[n] = '\0';
    char *end;
    double d = strtod(tmp, &end);
    if (*end != '\0' || !(d >= 0) || d > 1e12)
        return HX_NO_VALUE;
    return d;
}

/* Retry-After in delta-seconds, or Azure's retry-after-ms (which wins: it is the finer of the two). An
 * HTTP-date is left as absent: the router then uses its configured cooldown. */
static void retry_after(hx_headers_t *h, const char *line, size_t len)
{
    size_t vlen;
    const char *v;
    double d;
    if ((v = header_value(line, len, "retry-after-ms", &vlen)) != NULL) {
        if ((d = parse_ms(v, vlen)) != HX_NO_VALUE) {
            h->retry_after_ms = (int64_t)d;
            h->retry_after_ms_exact = true;
        }
    } else if ((v = header_value(line, len, "retry-after", &vlen)) != NULL && !h->retry_after_ms_exact) {
        if ((d = parse_ms(v, vlen)) != HX_NO_VALUE)
            h->retry_after_ms = (int64_t)(d * 1000.0);
    }
}

static void status_line(hx_headers_t *h, const char *line, size_t len)
{
    hx_headers_reset(h);
    const char *sp = memchr(line, ' ', len);
    if (sp == NULL || (size_t)(sp - line) + 4 > len)
        return;
    int s = 0;
    for (int i = 1; i <= 3; i++) {
        if (sp[i] < '0' || sp[i] > '9')
            return;
        s = s * 10 + (sp[i] - '0');
    }
    h->status = s;
}

void hx_headers_line(hx_headers_t *h, const char *line, size_t len)
{
    size_t vlen;
    const char *v;
    if (len >= 5 && memcmp(line, "HTTP/", 5) == 0) {
        status_line(h, line, len);
        return;
    }
    if (len >= 2 && (line[0] == 'r' || line[0] == 'R')) {
        retry_after(h, line, len);
        return;
    }
    if (len < 2 || (line[0] != 'x' && line[0] != 'X'))
        return; /* every other header we read starts with x-; most lines stop here */
    if ((v = header_value(line, len, "x-mock-service-ms", &vlen)) != NULL) {
        h->mock_service_ms = parse_ms(v, vlen);
    } else if ((v = header_value(line, len, "x-litellm-overhead-duration-ms", &vlen)) != NULL) {
        h->gateway_overhead_ms = parse_ms(v, vlen);
    } else if ((v = header_value(line, len, "x-mock-deployment", &vlen)) != NULL) {
        if (vlen >= HX_DEPLOYMENT_MAX)
            vlen = HX_DEPLOYMENT_MAX - 1;
        /* The name goes to the terminal table as it is: a control character (an escape sequence) becomes '?'. */
        for (size_t i = 0; i < vlen; i++)
            h->deployment[i] = (unsigned char)v[i] < 0x20 || v[i] == 0x7f ? '?' : v[i];
        h->deployment[vlen] = '\0';
        h->deployment_len = (uint32_t)vlen;
    }
}

/* Output tokens a body reports: OpenAI's usage.completion_tokens, the Responses API's and Anthropic's
 * usage.output_tokens, Gemini's usageMetadata.candidatesTokenCount. */
static uint32_t usage_tokens(const cm_json_doc_t *d)
{
    uint32_t usage = cm_json_get(d, 0, "usage"), t = 0;
    if (usage != 0 && cm_json_type(d, usage) == CM_JSON_OBJECT) {
        t = cm_json_get(d, usage, "completion_tokens");
        if (t == 0)
            t = cm_json_get(d, usage, "output_tokens");
    } else if ((usage = cm_json_get(d, 0, "usageMetadata")) != 0 && cm_json_type(d, usage) == CM_JSON_OBJECT) {
        t = cm_json_get(d, usage, "candidatesTokenCount");
    }
    int64_t v;
    if (t == 0 || cm_json_int(d, t, &v) != 0 || v < 0 || v > UINT32_MAX)
        return 0;
    return (uint32_t)v;
}

hx_err_t hx_body_check(const char *body, size_t len, cm_json_toks_t *toks, uint32_t *tokens)
{
    cm_json_doc_t doc;
    char why[128];
    *tokens = 0;
    if (cm_json_parse(&doc, body, len, toks, why, sizeof(why)) != 0)
        return HX_ERR_BAD_BODY;
    if (cm_json_type(&doc, 0) != CM_JSON_OBJECT)
        return HX_ERR_BAD_BODY;
    uint32_t e = cm_json_get(&doc, 0, "error");
    if (e != 0 && cm_json_type(&doc, e) != CM_JSON_NULL)
        return HX_ERR_BAD_BODY;
    *tokens = usage_tokens(&doc);
    return HX_ERR_NONE;
}
