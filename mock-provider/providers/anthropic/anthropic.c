/* The Anthropic Messages shape as data: routes, x-api-key / Bearer auth with the anthropic-version header,
 * the error catalogue and its {"type":"error",...} renderer, ids, and the model listing. Request parsing is in
 * anthropic_parse.c, the Message object and its event stream in anthropic_render.c. */
#include "common/clock.h"
#include "mock-provider/providers/anthropic/anthropic.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

#include "mock-provider/providers/ratelimit.h"
#include "mock-provider/providers/render.h"
#include "mock-provider/quota/quota_format.h"

/* Wording of the real API's error bodies. 413 has its own type (request_too_large); a 429's message names the
 * organization, never the model. */
static const mp_error_entry_t anthropic_errors[MP_ERR__COUNT] = {
    [MP_ERR_BAD_REQUEST] = {400, "invalid_request_error", NULL, "Invalid request.", NULL},
    [MP_ERR_INVALID_JSON] = {400, "invalid_request_error", NULL,
                             "The request body is not valid JSON: Expecting value: line 1 column 1 (char 0)", NULL},
    [MP_ERR_UNAUTHORIZED] = {401, "authentication_error", NULL, "invalid x-api-key", "x-api-key header is required"},
    [MP_ERR_NOT_FOUND] = {404, "not_found_error", NULL, "Not Found", NULL},
    [MP_ERR_MODEL_NOT_FOUND] = {404, "not_found_error", NULL, "model: %s", NULL},
    [MP_ERR_TOO_LARGE] = {413, "request_too_large", NULL, "Request exceeds the maximum allowed number of bytes.", NULL},
    [MP_ERR_SERVER] = {500, "api_error", NULL, "Internal server error", NULL},
    [MP_ERR_RATE_LIMITED] = {429, "rate_limit_error", NULL,
                             "This request would exceed the rate limit for your organization (" MP_AN_ORGANIZATION
                             ") of 50 requests per minute. For details, refer to: "
                             "https://docs.claude.com/en/api/rate-limits. You can see the response headers for current "
                             "usage. Please reduce the prompt length or the maximum tokens requested, or try again "
                             "later. You may also contact sales at https://www.anthropic.com/contact-sales to discuss "
                             "your options for a rate limit increase.",
                             NULL},
    [MP_ERR_UNAVAILABLE] = {529, "overloaded_error", NULL, "Overloaded", NULL},
};

static const mp_header_t anthropic_headers[] = {
    {"anthropic-organization-id", MP_AN_ORGANIZATION},
    {NULL, NULL},
};

/* error.type by HTTP status, as the API documents them; other statuses (injected faults) take the type of
 * their class. */
static const char *error_type(int status, mp_error_kind_t kind)
{
    static const struct {
        int status;
        const char *type;
    } types[] = {
        {400, "invalid_request_error"}, {401, "authentication_error"},
        {402, "billing_error"},         {403, "permission_error"},
        {404, "not_found_error"},       {413, "request_too_large"},
        {429, "rate_limit_error"},      {500, "api_error"},
        {529, "overloaded_error"},
    };
    for (size_t i = 0; i < sizeof(types) / sizeof(types[0]); i++)
        if (types[i].status == status)
            return types[i].type;
    if (status >= 500)
        return kind == MP_ERR_UNAVAILABLE ? "overloaded_error" : "api_error";
    return "invalid_request_error";
}

static void render_error(const mp_error_t *err, cm_buf_t *out)
{
    const mp_error_entry_t *e = (unsigned)err->kind < MP_ERR__COUNT ? &anthropic_errors[err->kind] : NULL;
    const char *msg = err->message;
    if (err->status == 529)
        msg = "Overloaded"; /* whatever produced it: the API's 529 always says so */
    else if (msg[0] == '\0' && e != NULL)
        msg = e->message_noarg ? e->message_noarg : e->message;
    MP_PUT_LIT(out, "{\"type\":\"error\",\"error\":{\"type\":\"");
    cm_buf_puts(out, error_type(err->status, err->kind));
    MP_PUT_LIT(out, "\",\"message\":");
    cm_json_escape(out, msg, strlen(msg));
    MP_PUT_LIT(out, "},\"request_id\":");
    mp_put_cstr_or_null(out, err->request_id);
    cm_buf_putc(out, '}');
}

/* The in-stream error after a 200 (a stream_error fault): event: error, without the request id. */
static void render_stream_error(mp_exchange_t *x, const mp_error_t *err, cm_buf_t *out)
{
    (void)x;
    const char *msg = err->status == 529 || err->kind == MP_ERR_UNAVAILABLE ? "Overloaded" : err->message;
    MP_PUT_LIT(out, "event: error\ndata: {\"type\":\"error\",\"error\":{\"type\":\"");
    cm_buf_puts(out, error_type(err->status, err->kind));
    MP_PUT_LIT(out, "\",\"message\":");
    cm_json_escape(out, msg, strlen(msg));
    MP_PUT_LIT(out, "}}\n\n");
}

/* ---- rate limits ------------------------------------------------------------------------------------- */

/* anthropic-ratelimit-{requests,tokens}-{limit,remaining,reset}, the reset an absolute RFC 3339 time (when
 * what the window holds now has left it). */
typedef struct dim_names {
    const char *limit, *remaining, *reset;
} dim_names_t;

static void dim_headers(const mp_quota_dim_t *dim, const dim_names_t *names, uint64_t now, mp_header_fn add, void *ctx)
{
    char v[MP_RFC3339_MAX > 24 ? MP_RFC3339_MAX : 24];
    if (dim->limit == 0)
        return;
    int n = snprintf(v, sizeof(v), "%llu", (unsigned long long)dim->limit);
    add(ctx, names->limit, v, (size_t)n);
    n = snprintf(v, sizeof(v), "%llu", (unsigned long long)dim->remaining);
    add(ctx, names->remaining, v, (size_t)n);
    mp_format_rfc3339(v, sizeof(v), now + mp_ceil_second_ns(dim->reset_ns));
    add(ctx, names->reset, v, strlen(v));
}

static void rate_headers(const mp_deployment_t *dep, const mp_quota_decision_t *d, bool refused, mp_header_fn add,
                         void *ctx)
{
    static const dim_names_t requests = {"anthropic-ratelimit-requests-limit", "anthropic-ratelimit-requests-remaining",
                                         "anthropic-ratelimit-requests-reset"};
    static const dim_names_t tokens = {"anthropic-ratelimit-tokens-limit", "anthropic-ratelimit-tokens-remaining",
                                       "anthropic-ratelimit-tokens-reset"};
    uint64_t now = cm_wall_ns();
    dim_headers(&d->requests, &requests, now, add, ctx);
    dim_headers(&d->tokens, &tokens, now, add, ctx);
    if (refused)
        mp_retry_headers(dep, d, false, add, ctx);
}

static void rate_error(const mp_deployment_t *dep, const mp_request_t *req, const mp_quota_decision_t *d,
                       mp_error_t *err)
{
    (void)dep;
    (void)req;
    bool tokens = d->hit == MP_QUOTA_LIMIT_TOKENS;
    mp_error_set(err, MP_ERR_RATE_LIMITED, NULL,
                 "This request would exceed the rate limit for your organization (" MP_AN_ORGANIZATION
                 ") of %llu %s per minute. For details, refer to: https://docs.claude.com/en/api/rate-limits. You "
                 "can see the response headers for current usage. Please reduce the prompt length or the maximum "
                 "tokens requested, or try again later. You may also contact sales at "
                 "https://www.anthropic.com/contact-sales to discuss your options for a rate limit increase.",
                 (unsigned long long)(tokens ? d->tokens.limit : d->requests.limit), tokens ? "tokens" : "requests");
}

/* ---- routes ------------------------------------------------------------------------------------------- */

static bool span_eq(cm_str_t s, const char *lit)
{
    return strlen(lit) == s.n && memcmp(s.p, lit, s.n) == 0;
}

#define MODELS_PREFIX "/v1/models"

static int route(const mp_http_t *http, mp_route_t *r, mp_error_t *err)
{
    cm_str_t m = http->method, p = http->path;
    size_t mp = sizeof(MODELS_PREFIX) - 1;
    memset(r, 0, sizeof(*r));
    if (span_eq(m, "POST") && span_eq(p, "/v1/messages"))
        r->api = MP_API_MESSAGES;
    else if (span_eq(m, "POST") && span_eq(p, "/v1/messages/count_tokens"))
        r->api = MP_API_COUNT_TOKENS;
    else if (span_eq(m, "GET") && p.n >= mp && memcmp(p.p, MODELS_PREFIX, mp) == 0 &&
             (p.n == mp || (p.p[mp] == '/' && p.n > mp + 1 && memchr(p.p + mp + 1, '/', p.n - mp - 1) == NULL)))
        r->api = MP_API_MODELS;
    else {
        mp_error_preset(&mp_anthropic_provider, err, MP_ERR_NOT_FOUND, NULL);
        return -1;
    }
    /* The version selects validation rules (2026-10-21 removed the sampling parameters); auth checks it. */
    r->version = http->header(http, "anthropic-version");
    return 0;
}

/* ---- auth --------------------------------------------------------------------------------------------- */

const char *const mp_an_versions[] = {"2023-06-01", "2023-01-01", MP_AN_VERSION_2026, NULL};

/* Copies header bytes into a message, replacing anything but printable ASCII so that the body stays valid
 * UTF-8 and one line whatever a client sent; '"' and '\\' go through the JSON escaper later. */
static void copy_printable(char *out, size_t cap, cm_str_t s)
{
    size_t o = 0;
    for (size_t i = 0; i < s.n && o + 1 < cap; i++)
        out[o++] = s.p[i] >= 0x20 && s.p[i] < 0x7f ? s.p[i] : '?';
    out[o] = '\0';
}

static int check_version(cm_str_t v, mp_error_t *err)
{
    if (v.p == NULL) {
        mp_error_set(err, MP_ERR_BAD_REQUEST, NULL, "anthropic-version: header is required");
        return -1;
    }
    for (size_t i = 0; mp_an_versions[i] != NULL; i++)
        if (span_eq(v, mp_an_versions[i]))
            return 0;
    char shown[96];
    copy_printable(shown, sizeof(shown), v);
    mp_error_set(err, MP_ERR_BAD_REQUEST, NULL, "anthropic-version: \"%s\" is not a valid version", shown);
    return -1;
}

/* OAuth access tokens (the SDKs' authToken) start so; an API key may come as Bearer too (the SDKs from API
 * version 2026-10-21 on send it that way). */
#define OAUTH_PREFIX "sk-ant-oat"

/* x-api-key, else Authorization: Bearer (x-api-key wins when both are sent, as at the API); either is checked
 * against the deployment's keys. The key is checked first, then the version header, which the API requires on
 * every request (a deployment without api_keys still requires it: a client that forgets it fails at Anthropic
 * too). */
static int auth(const mp_http_t *http, const mp_route_t *r, const mp_deployment_t *dep, cm_str_t *key, mp_error_t *err)
{
    cm_str_t api_key = http->header(http, "x-api-key");
    cm_str_t authz = http->header(http, "authorization");
    cm_str_t bearer = mp_bearer_token(authz);
    *key = api_key.p != NULL ? api_key : bearer;
    bool ok = api_key.p != NULL ? mp_key_accepted(dep, api_key) : mp_key_accepted(dep, bearer);
    if (!ok) {
        mp_error_preset(&mp_anthropic_provider, err, MP_ERR_UNAUTHORIZED, NULL);
        if (api_key.p != NULL)
            snprintf(err->message, sizeof(err->message), "invalid x-api-key");
        else if (bearer.n >= sizeof(OAUTH_PREFIX) - 1 && memcmp(bearer.p, OAUTH_PREFIX, sizeof(OAUTH_PREFIX) - 1) == 0)
            snprintf(err->message, sizeof(err->message), "OAuth access token is invalid.");
        else if (authz.p != NULL)
            snprintf(err->message, sizeof(err->message), "invalid x-api-key");
        return -1;
    }
    return check_version(r->version, err);
}

/* ---- ids ---------------------------------------------------------------------------------------------- */

/* "msg_01" + 22 base62 characters, like the API's 24 characters after "msg_" that start with "01". */
static void make_ids(mp_exchange_t *x, bool tool)
{
    (void)tool;
    mp_id_base62_from(x->id, sizeof(x->id), "msg_01", 22, x->id_key);
}

/* ---- models ------------------------------------------------------------------------------------------- */

typedef struct known_model {
    const char *id, *display_name, *created_at;
} known_model_t;

/* Served by GET /v1/models when a deployment accepts any model, newest first as the API lists them; their
 * display names and dates are used for listed models of the same id too. */
static const known_model_t catalogue[] = {
    {"claude-haiku-4-5-20251001", "Claude Haiku 4.5", "2025-10-15T00:00:00Z"},
    {"claude-sonnet-4-5-20250929", "Claude Sonnet 4.5", "2025-09-29T00:00:00Z"},
    {"claude-opus-4-1-20250805", "Claude Opus 4.1", "2025-08-05T00:00:00Z"},
    {"claude-opus-4-20250514", "Claude Opus 4", "2025-05-22T00:00:00Z"},
    {"claude-sonnet-4-20250514", "Claude Sonnet 4", "2025-05-22T00:00:00Z"},
    {"claude-3-7-sonnet-20250219", "Claude Sonnet 3.7", "2025-02-24T00:00:00Z"},
    {"claude-3-5-haiku-20241022", "Claude Haiku 3.5", "2024-10-22T00:00:00Z"},
};
#define NCATALOGUE (sizeof(catalogue) / sizeof(catalogue[0]))

static bool all_digits(const char *p, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (p[i] < '0' || p[i] > '9')
            return false;
    return n > 0;
}

/* For an id outside the catalogue: "claude-sonnet-4-5-20250929" reads "Claude Sonnet 4.5" (words capitalised,
 * version numbers joined with '.', the date dropped); ids not starting with "claude-" are their own name. */
static void display_name(const char *id, char *out, size_t cap)
{
    size_t o = 0, n = strlen(id);
    bool prev_digit = false;
    if (strncmp(id, "claude-", 7) != 0) {
        snprintf(out, cap, "%s", id);
        return;
    }
    for (size_t i = 0; i < n && o + 2 < cap;) {
        size_t len = strcspn(id + i, "-");
        bool digits = all_digits(id + i, len);
        if (!(digits && len == 8)) {
            if (o > 0)
                out[o++] = digits && prev_digit ? '.' : ' ';
            for (size_t k = 0; k < len && o + 1 < cap; k++)
                out[o++] = k == 0 && id[i] >= 'a' && id[i] <= 'z' ? (char)(id[i] - 32) : id[i + k];
        }
        prev_digit = digits;
        i += len + 1;
    }
    out[o] = '\0';
}

/* created_at from an id's 8-digit date ("...-20250929"), else a fixed day. */
static void created_at(const char *id, char *out, size_t cap)
{
    size_t n = strlen(id);
    if (n >= 9 && id[n - 9] == '-' && all_digits(id + n - 8, 8))
        snprintf(out, cap, "%.4s-%.2s-%.2sT00:00:00Z", id + n - 8, id + n - 4, id + n - 2);
    else
        snprintf(out, cap, "2025-01-01T00:00:00Z");
}

static void put_model(cm_buf_t *out, const char *id)
{
    char name[160], date[32];
    const known_model_t *k = NULL;
    for (size_t i = 0; i < NCATALOGUE && k == NULL; i++)
        if (strcmp(catalogue[i].id, id) == 0)
            k = &catalogue[i];
    if (k == NULL) {
        display_name(id, name, sizeof(name));
        created_at(id, date, sizeof(date));
    }
    MP_PUT_LIT(out, "{\"type\":\"model\",\"id\":");
    cm_json_escape(out, id, strlen(id));
    MP_PUT_LIT(out, ",\"display_name\":");
    cm_json_escape(out, k ? k->display_name : name, strlen(k ? k->display_name : name));
    MP_PUT_LIT(out, ",\"created_at\":\"");
    cm_buf_puts(out, k ? k->created_at : date);
    MP_PUT_LIT(out, "\"}");
}

static const char *model_at(const mp_deployment_t *dep, size_t i)
{
    return dep->nmodels ? dep->models[i] : catalogue[i].id;
}

/* The whole list in one page: has_more is false, so the SDKs' auto-pagination stops after it (limit,
 * before_id and after_id are not applied; the lists are short). */
static void render_models(const mp_deployment_t *dep, cm_buf_t *out)
{
    size_t n = dep->nmodels ? dep->nmodels : NCATALOGUE;
    MP_PUT_LIT(out, "{\"data\":[");
    for (size_t i = 0; i < n; i++) {
        if (i > 0)
            cm_buf_putc(out, ',');
        put_model(out, model_at(dep, i));
    }
    MP_PUT_LIT(out, "],\"has_more\":false,\"first_id\":");
    mp_put_cstr_or_null(out, n ? model_at(dep, 0) : NULL);
    MP_PUT_LIT(out, ",\"last_id\":");
    mp_put_cstr_or_null(out, n ? model_at(dep, n - 1) : NULL);
    cm_buf_putc(out, '}');
}

/* GET /v1/models/{id}: one model of the list (ids are compared as sent: real ids need no percent-encoding). */
static int render_models_at(const mp_deployment_t *dep, const char *path, size_t plen, cm_buf_t *out, mp_error_t *err)
{
    size_t pre = sizeof(MODELS_PREFIX) - 1;
    if (plen <= pre + 1) {
        render_models(dep, out);
        return 0;
    }
    cm_str_t id = {path + pre + 1, plen - pre - 1};
    size_t n = dep->nmodels ? dep->nmodels : NCATALOGUE;
    for (size_t i = 0; i < n; i++) {
        if (span_eq(id, model_at(dep, i))) {
            put_model(out, model_at(dep, i));
            return 0;
        }
    }
    char shown[256];
    copy_printable(shown, sizeof(shown), id);
    mp_error_preset(&mp_anthropic_provider, err, MP_ERR_MODEL_NOT_FOUND, shown);
    return -1;
}

const mp_provider_t mp_anthropic_provider = {
    .name = "anthropic",
    .request_id_header = "request-id",
    .request_id_prefix = "req_011C",
    .request_id_base62 = 20,
    .processing_ms_header = NULL,
    .static_headers = anthropic_headers,
    .base_path = "",
    .litellm_prefix = "anthropic",
    .rate_headers = rate_headers,
    .rate_error = rate_error,
    .render_stream_error = render_stream_error,
    .route = route,
    .auth = auth,
    .parse = mp_anthropic_parse,
    .check_response = mp_an_check_response,
    .make_ids = make_ids,
    .render_error = render_error,
    .render_models = render_models,
    .render_body = mp_an_render_body,
    .render_head = mp_an_render_head,
    .render_step = mp_an_render_step,
    .render_tail = mp_an_render_tail,
    .errors = anthropic_errors,
    .render_models_at = render_models_at,
};
