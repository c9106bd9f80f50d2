/* The OpenAI shape as data: routes, error catalogue, headers; plus its error and models renderers.
 * Azure OpenAI will reuse the parse and render code with its own tables. */
#include "mock-provider/providers/openai/openai.h"

#include <stdio.h>
#include <string.h>

#include "mock-provider/providers/render.h"

/* Wording copied from the error bodies real OpenAI responses carry; 413 has no documented JSON body at OpenAI
 * (their edge answers it), so ours follows the same shape with a plain message. */
const mp_error_entry_t mp_openai_errors[MP_ERR__COUNT] = {
    [MP_ERR_BAD_REQUEST] = {400, "invalid_request_error", NULL, "Invalid request.", NULL},
    [MP_ERR_INVALID_JSON] = {400, "invalid_request_error", NULL,
                             "We could not parse the JSON body of your request. (HINT: This likely means you aren't "
                             "using your HTTP library correctly. The OpenAI API expects a JSON payload, but what was "
                             "sent was not valid JSON. If you have trouble figuring out how to fix this, please "
                             "contact us through our help center at help.openai.com.)",
                             NULL},
    [MP_ERR_UNAUTHORIZED] = {401, "invalid_request_error", "invalid_api_key",
                             "Incorrect API key provided: %s. You can find your API key at "
                             "https://platform.openai.com/account/api-keys.",
                             "You didn't provide an API key. You need to provide your API key in an Authorization "
                             "header using Bearer auth (i.e. Authorization: Bearer YOUR_KEY), or as the password "
                             "field (with blank username) if you're accessing the API from your browser and are "
                             "prompted for a username and password. You can obtain an API key from "
                             "https://platform.openai.com/account/api-keys."},
    [MP_ERR_NOT_FOUND] = {404, "invalid_request_error", NULL, "Invalid URL (%s)", NULL},
    [MP_ERR_MODEL_NOT_FOUND] = {404, "invalid_request_error", "model_not_found",
                                "The model `%s` does not exist or you do not have access to it.", NULL},
    [MP_ERR_TOO_LARGE] = {413, "invalid_request_error", "request_too_large", "The request body is too large (%s).",
                          "The request body is too large."},
    [MP_ERR_SERVER] = {500, "server_error", NULL,
                       "The server had an error while processing your request. Sorry about that!", NULL},
    [MP_ERR_RATE_LIMITED] = {429, "requests", "rate_limit_exceeded",
                             "Rate limit reached for %s in organization user-soakrig on requests per min (RPM): "
                             "Limit 1, Used 1, Requested 1. Please try again in 1s. Visit "
                             "https://platform.openai.com/account/rate-limits to learn more.",
                             "Rate limit reached for requests. Visit https://platform.openai.com/account/rate-limits "
                             "to learn more."},
    [MP_ERR_UNAVAILABLE] = {503, "server_error", NULL, "The engine is currently overloaded, please try again later.",
                            NULL},
};

static const mp_header_t openai_headers[] = {
    {"openai-version", "2020-10-01"},
    {"openai-organization", "user-soakrig"},
    {"openai-project", "proj_soakrig"},
    {NULL, NULL},
};

typedef struct route {
    const char *method;
    const char *path;
    mp_api_t api;
} route_t;

/* Both the /v1 paths and the bare ones: clients configured with a base URL lacking /v1 (LiteLLM's
 * api_base for some providers, Locust hosts) call the bare form. */
static const route_t routes[] = {
    {"POST", "/v1/chat/completions", MP_API_CHAT},
    {"POST", "/chat/completions", MP_API_CHAT},
    {"POST", "/v1/completions", MP_API_COMPLETIONS},
    {"POST", "/completions", MP_API_COMPLETIONS},
    {"POST", "/v1/embeddings", MP_API_EMBEDDINGS},
    {"POST", "/embeddings", MP_API_EMBEDDINGS},
    {"POST", "/v1/responses", MP_API_RESPONSES},
    {"POST", "/responses", MP_API_RESPONSES},
    {"GET", "/v1/models", MP_API_MODELS},
    {"GET", "/models", MP_API_MODELS},
};

static bool span_eq(const char *p, size_t n, const char *s)
{
    return strlen(s) == n && memcmp(p, s, n) == 0;
}

/* Length of the models prefix ("/v1/models" or "/models") when path is the list or one model, else 0. */
static size_t models_prefix(const char *path, size_t plen)
{
    static const char *const prefixes[] = {"/v1/models", "/models"};
    for (size_t i = 0; i < 2; i++) {
        size_t n = strlen(prefixes[i]);
        if (plen >= n && memcmp(path, prefixes[i], n) == 0 && (plen == n || (path[n] == '/' && plen > n + 1)))
            return n;
    }
    return 0;
}

/* Copies request bytes into an error message, replacing anything but printable ASCII: the message goes
 * into a JSON body, which must stay valid UTF-8 whatever a client put in its request line. */
static void copy_printable(char *out, size_t cap, const char *s, size_t n)
{
    size_t o = 0;
    for (size_t i = 0; i < n && o + 1 < cap; i++)
        out[o++] = s[i] >= 0x20 && s[i] < 0x7f ? s[i] : '?';
    out[o] = '\0';
}

static int route(const mp_http_t *http, mp_route_t *r, mp_error_t *err)
{
    cm_str_t m = http->method, p = http->path;
    memset(r, 0, sizeof(*r));
    for (size_t i = 0; i < sizeof(routes) / sizeof(routes[0]); i++) {
        if (span_eq(m.p, m.n, routes[i].method) && span_eq(p.p, p.n, routes[i].path)) {
            r->api = routes[i].api;
            return 0;
        }
    }
    if (span_eq(m.p, m.n, "GET") && models_prefix(p.p, p.n) != 0) {
        r->api = MP_API_MODELS;
        return 0;
    }
    char ms[24], ps[408], what[440];
    copy_printable(ms, sizeof(ms), m.p, m.n);
    copy_printable(ps, sizeof(ps), p.p, p.n);
    snprintf(what, sizeof(what), "%s %s", ms, ps);
    mp_error_preset(&mp_openai_provider, err, MP_ERR_NOT_FOUND, what);
    return -1;
}

/* Bearer auth, as OpenAI documents it; the api-key header is accepted too, so that clients configured for
 * Azure-style keys can point at an OpenAI deployment. */
static int auth(const mp_http_t *http, const mp_route_t *r, const mp_deployment_t *dep, cm_str_t *key, mp_error_t *err)
{
    (void)r;
    cm_str_t bearer = mp_bearer_token(http->header(http, "authorization"));
    cm_str_t api_key = http->header(http, "api-key");
    *key = bearer.p != NULL ? bearer : api_key;
    if (mp_key_accepted(dep, bearer) || mp_key_accepted(dep, api_key))
        return 0;
    char shown[128];
    copy_printable(shown, sizeof(shown), key->p ? key->p : "", key->p ? key->n : 0);
    mp_error_preset(&mp_openai_provider, err, MP_ERR_UNAUTHORIZED, shown);
    return -1;
}

void mp_openai_make_ids(mp_exchange_t *x, bool tool)
{
    uint64_t k = x->id_key;
    switch (x->req->api) {
    case MP_API_CHAT:
        mp_id_base62_from(x->id, sizeof(x->id), "chatcmpl-", 29, k);
        break;
    case MP_API_COMPLETIONS:
        mp_id_base62_from(x->id, sizeof(x->id), "cmpl-", 29, k);
        break;
    case MP_API_RESPONSES:
        mp_id_hex_from(x->id, sizeof(x->id), "resp_", 48, k);
        mp_id_hex_from(x->item_id, sizeof(x->item_id), tool ? "fc_" : "msg_", 48, mp_mix64(k ^ 0x17e3u));
        break;
    default:
        break;
    }
}

static void render_error(const mp_error_t *err, cm_buf_t *out)
{
    const mp_error_entry_t *e = (unsigned)err->kind < MP_ERR__COUNT ? &mp_openai_errors[err->kind] : NULL;
    const char *msg = err->message;
    if (msg[0] == '\0' && e != NULL)
        msg = e->message_noarg ? e->message_noarg : e->message;
    MP_PUT_LIT(out, "{\"error\":{\"message\":");
    cm_json_escape(out, msg, strlen(msg));
    MP_PUT_LIT(out, ",\"type\":");
    mp_put_opt(out, err->type[0] ? err->type : e ? e->type : "server_error");
    MP_PUT_LIT(out, ",\"param\":");
    mp_put_opt(out, err->param);
    MP_PUT_LIT(out, ",\"code\":");
    mp_put_opt(out, err->code[0] ? err->code : e ? e->code : NULL);
    MP_PUT_LIT(out, "}}");
}

void mp_oa_render_stream_error(mp_exchange_t *x, const mp_error_t *err, cm_buf_t *out)
{
    if (x->req->api == MP_API_RESPONSES) {
        mp_oa_responses_error(x, err, out);
        return;
    }
    MP_PUT_LIT(out, "data: ");
    x->ops->render_error(err, out);
    MP_PUT_LIT(out, MP_SSE_END);
}

/* Served by GET /v1/models when a deployment accepts any model: a plausible current catalogue. */
static const char *const default_models[] = {
    "gpt-4o",
    "gpt-4o-mini",
    "gpt-4.1",
    "gpt-4.1-mini",
    "gpt-3.5-turbo-instruct",
    "text-embedding-3-small",
    "text-embedding-3-large",
    "text-embedding-ada-002",
};

/* OpenAI's listing carries a creation time per model; a fixed one keeps bodies stable across runs. */
#define MODEL_CREATED 1686935002

static void put_model(cm_buf_t *out, const char *id, size_t n)
{
    MP_PUT_LIT(out, "{\"id\":");
    cm_json_escape(out, id, n);
    MP_PUT_LIT(out, ",\"object\":\"model\",\"created\":");
    mp_put_uint(out, MODEL_CREATED);
    MP_PUT_LIT(out, ",\"owned_by\":\"system\"}");
}

void mp_openai_render_models(const mp_deployment_t *dep, cm_buf_t *out)
{
    const char *const *list = dep->nmodels ? (const char *const *)dep->models : default_models;
    size_t n = dep->nmodels ? dep->nmodels : sizeof(default_models) / sizeof(default_models[0]);
    MP_PUT_LIT(out, "{\"object\":\"list\",\"data\":[");
    for (size_t i = 0; i < n; i++) {
        if (i > 0)
            cm_buf_putc(out, ',');
        put_model(out, list[i], strlen(list[i]));
    }
    MP_PUT_LIT(out, "]}");
}

static int hexval(char c)
{
    return c >= '0' && c <= '9'   ? c - '0'
           : c >= 'a' && c <= 'f' ? c - 'a' + 10
           : c >= 'A' && c <= 'F' ? c - 'A' + 10
                                  : -1;
}

/* Percent-decodes a path segment (model ids such as "ft:gpt-4o:org:x" may arrive encoded). Returns the
 * length, or -1 when it does not fit or is malformed. */
static long url_decode(const char *s, size_t n, char *out, size_t cap)
{
    size_t o = 0;
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        if (c == '%') {
            int hi = i + 2 < n ? hexval(s[i + 1]) : -1, lo = i + 2 < n ? hexval(s[i + 2]) : -1;
            if (hi < 0 || lo < 0)
                return -1;
            c = (char)(hi << 4 | lo);
            i += 2;
        }
        if (o + 1 >= cap)
            return -1;
        out[o++] = c;
    }
    out[o] = '\0';
    return (long)o;
}

static bool serves_model(const mp_deployment_t *dep, const char *id, size_t n)
{
    if (dep->nmodels == 0)
        return true;
    for (size_t i = 0; i < dep->nmodels; i++)
        if (span_eq(id, n, dep->models[i]))
            return true;
    return false;
}

static int render_models_at(const mp_deployment_t *dep, const char *path, size_t plen, cm_buf_t *out, mp_error_t *err)
{
    size_t pre = models_prefix(path, plen);
    if (pre == 0 || pre == plen) {
        mp_openai_render_models(dep, out);
        return 0;
    }
    char id[256];
    long n = url_decode(path + pre + 1, plen - pre - 1, id, sizeof(id));
    for (long i = 0; i < n; i++)
        if (id[i] < 0x20 || id[i] >= 0x7f)
            n = -1; /* model ids are printable ASCII; anything else cannot be one we serve */
    if (n <= 0 || !serves_model(dep, id, (size_t)n)) {
        char shown[208];
        copy_printable(shown, sizeof(shown), path + pre + 1, plen - pre - 1);
        mp_error_preset(&mp_openai_provider, err, MP_ERR_MODEL_NOT_FOUND, n > 0 ? id : shown);
        return -1;
    }
    put_model(out, id, (size_t)n);
    return 0;
}

const mp_oa_request_t *mp_oa_req(const mp_request_t *req)
{
    static const mp_oa_request_t defaults = {.parallel_tool_calls = true, .store = true};
    return req->own != NULL ? req->own : &defaults;
}

const mp_provider_t mp_openai_provider = {
    .name = "openai",
    .request_id_header = "x-request-id",
    .request_id_prefix = "req_",
    .processing_ms_header = "openai-processing-ms",
    .base_path = "/v1",
    .litellm_prefix = "openai",
    .static_headers = openai_headers,
    .route = route,
    .auth = auth,
    .parse = mp_openai_parse,
    .check_response = mp_oa_response_check,
    .make_ids = mp_openai_make_ids,
    .plan = mp_oa_plan,
    .rate_headers = mp_openai_rate_headers,
    .rate_error = mp_openai_rate_error,
    .render_error = render_error,
    .render_stream_error = mp_oa_render_stream_error,
    .render_models = mp_openai_render_models,
    .render_body = mp_openai_render_body,
    .render_head = mp_openai_render_head,
    .render_step = mp_openai_render_step,
    .render_tail = mp_openai_render_tail,
    .errors = mp_openai_errors,
    .render_models_at = render_models_at,
};
