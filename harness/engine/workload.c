#include "harness/engine/workload.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "common/alloc.h"
#include "common/json.h"

/* ---- validation ------------------------------------------------------------------------------------- */

static int fail(char *err, size_t errlen, size_t i, const char *fmt, ...) __attribute__((format(printf, 4, 5)));

static int fail(char *err, size_t errlen, size_t i, const char *fmt, ...)
{
    int n = snprintf(err, errlen, "requests[%zu].", i);
    va_list ap;
    va_start(ap, fmt);
    if (n >= 0 && (size_t)n < errlen)
        vsnprintf(err + n, errlen - (size_t)n, fmt, ap);
    va_end(ap);
    return -1;
}

int hx_header_check(const char *line, char *err, size_t errlen)
{
    const char *colon = strchr(line, ':');
    if (colon == NULL || colon == line) {
        snprintf(err, errlen, "header \"%s\": expected \"Name: value\"", line);
        return -1;
    }
    for (const char *p = line; p < colon; p++) {
        if (*p <= ' ' || *p >= 127 || strchr("()<>@,;\\\"/[]?={}", *p) != NULL) {
            snprintf(err, errlen, "header \"%s\": invalid character in the name", line);
            return -1;
        }
    }
    if (strpbrk(line, "\r\n") != NULL) {
        snprintf(err, errlen, "header \"%s\": must not contain CR or LF", line);
        return -1;
    }
    return 0;
}

int hx_api_key_check(const char *key, char *err, size_t errlen)
{
    if (strpbrk(key, "\r\n") != NULL) {
        snprintf(err, errlen, "must not contain CR or LF (it is sent as a header value)");
        return -1;
    }
    if (strlen(key) > HX_HEADER_LINE_MAX) {
        snprintf(err, errlen, "%zu bytes (at most %d)", strlen(key), HX_HEADER_LINE_MAX);
        return -1;
    }
    return 0;
}

static int check_headers(const hx_reqspec_t *s, size_t i, size_t nglobal, char *err, size_t errlen)
{
    char why[200];
    if (s->nheaders + nglobal > HX_MAX_HEADERS)
        return fail(err, errlen, i, "headers: %zu with the load's own (at most %d)", s->nheaders + nglobal,
                    HX_MAX_HEADERS);
    for (size_t h = 0; h < s->nheaders; h++) {
        if (strlen(s->headers[h]) > HX_HEADER_LINE_MAX)
            return fail(err, errlen, i, "headers: a line of %zu bytes (at most %d)", strlen(s->headers[h]),
                        HX_HEADER_LINE_MAX);
        if (hx_header_check(s->headers[h], why, sizeof(why)) != 0)
            return fail(err, errlen, i, "headers: %s", why);
    }
    return 0;
}

static int check_spec(const hx_reqspec_t *s, size_t i, size_t nglobal, char *err, size_t errlen)
{
    const hx_api_t *api = s->api ? hx_api_find(s->api) : NULL;
    if (s->api == NULL)
        return fail(err, errlen, i, "api: missing (expected one of %s)", hx_api_list());
    if (api == NULL)
        return fail(err, errlen, i, "api: unknown api \"%s\" (expected one of %s)", s->api, hx_api_list());
    if (!(s->weight > 0))
        return fail(err, errlen, i, "weight: must be > 0 (got %g)", s->weight);
    if (check_headers(s, i, nglobal, err, errlen) != 0)
        return -1;
    if (hx_api_is_http(api))
        return 0; /* its own fields are checked as it is compiled (hx_http_new) */
    if (hx_http_only_field(s) != NULL)
        return fail(err, errlen, i, "%s: only for api: http", hx_http_only_field(s));
    if (s->stream && !api->streams)
        return fail(err, errlen, i, "stream: %s cannot stream", api->name);
    if (s->nmodels == 0)
        return fail(err, errlen, i, "model: at least one model is required");
    if (s->repeat < 1)
        return fail(err, errlen, i, "repeat: must be >= 1");
    if (s->max_tokens >= 0 && api->max_tokens_key == NULL)
        return fail(err, errlen, i, "max_tokens: %s has no output length", api->name);
    if (s->user != NULL && !hx_api_takes_user(api))
        return fail(err, errlen, i, "user: %s has no user field", api->name);
    char why[96];
    if (s->reasoning_effort != NULL && hx_reasoning_effort(s->reasoning_effort, why, sizeof(why)) == NULL)
        return fail(err, errlen, i, "reasoning_effort: %s", why);
    if (s->reasoning_effort != NULL && !hx_api_takes_reasoning(api))
        return fail(err, errlen, i,
                    "reasoning_effort: %s has no reasoning effort (openai.chat, azure.chat, "
                    "openai.responses and azure.responses do)",
                    api->name);
    if (s->reasoning_summary != NULL && hx_reasoning_summary(s->reasoning_summary, why, sizeof(why)) == NULL)
        return fail(err, errlen, i, "reasoning_summary: %s", why);
    if (s->reasoning_summary != NULL && !hx_api_takes_summary(api))
        return fail(err, errlen, i,
                    "reasoning_summary: %s has no reasoning summary (openai.responses, azure.responses, "
                    "gemini.generate and vertex.generate do)",
                    api->name);
    if (s->input != NULL && !api->takes_input)
        return fail(err, errlen, i, "input: %s takes a prompt, not an input", api->name);
    return 0;
}

/* ---- construction ----------------------------------------------------------------------------------- */

static char *quote(const char *s)
{
    cm_buf_t b = CM_BUF_INIT;
    cm_json_escape(&b, s, strlen(s));
    return cm_buf_detach(&b);
}

static int intern_model(hx_workload_t *w, const char *name, uint16_t *out)
{
    for (size_t i = 0; i < w->nmodels; i++) {
        if (strcmp(w->models[i], name) == 0) {
            *out = (uint16_t)i;
            return 0;
        }
    }
    if (w->nmodels >= HX_MAX_MODELS)
        return -1;
    w->models = cm_xrealloc(w->models, (w->nmodels + 1) * sizeof(char *));
    w->models_json = cm_xrealloc(w->models_json, (w->nmodels + 1) * sizeof(char *));
    w->models[w->nmodels] = cm_xstrdup(name);
    w->models_json[w->nmodels] = quote(name);
    *out = (uint16_t)w->nmodels++;
    return 0;
}

/* Adds line to the list, replacing an earlier header of the same name (case-insensitive). */
static void put_header(hx_reqtpl_t *rq, const char *line)
{
    size_t name_len = (size_t)(strchr(line, ':') - line);
    for (size_t i = 0; i < rq->nheaders; i++) {
        if (strncasecmp(rq->headers[i], line, name_len) == 0 && rq->headers[i][name_len] == ':') {
            free(rq->headers[i]);
            rq->headers[i] = cm_xstrdup(line);
            return;
        }
    }
    rq->headers = cm_xrealloc(rq->headers, (rq->nheaders + 1) * sizeof(char *));
    rq->headers[rq->nheaders++] = cm_xstrdup(line);
}

static void build_headers(hx_reqtpl_t *rq, const hx_reqspec_t *s, const char *const *headers, size_t nheaders,
                          const char *api_key)
{
    /* A generic request without a body has no content; one with a body is JSON unless its headers say. */
    if (rq->http == NULL || rq->http->has_body)
        put_header(rq, "Content-Type: application/json");
    if (rq->api->header != NULL)
        put_header(rq, rq->api->header);
    const char *key = s->api_key ? s->api_key : api_key;
    if (key != NULL && key[0] != '\0') {
        static const char *const prefixes[] = {
            [HX_AUTH_BEARER] = "Authorization: Bearer ",
            [HX_AUTH_API_KEY] = "api-key: ",
            [HX_AUTH_X_API_KEY] = "x-api-key: ",
            [HX_AUTH_GOOG] = "x-goog-api-key: ",
        };
        cm_buf_t b = CM_BUF_INIT;
        cm_buf_printf(&b, "%s%s", prefixes[rq->api->auth], key);
        put_header(rq, b.data);
        cm_buf_free(&b);
    }
    for (size_t i = 0; i < nheaders; i++)
        put_header(rq, headers[i]);
    for (size_t i = 0; i < s->nheaders; i++)
        put_header(rq, s->headers[i]);
}

void hx_workload_add_header(hx_workload_t *w, const char *line)
{
    for (size_t i = 0; i < w->nreqs; i++)
        put_header(&w->reqs[i], line);
}

static char *display_name(const hx_reqspec_t *s, const hx_workload_t *w)
{
    cm_buf_t b = CM_BUF_INIT;
    if (s->name != NULL)
        cm_buf_puts(&b, s->name);
    else
        cm_buf_printf(&b, "%s%s", s->api, s->stream ? " stream" : "");
    /* Two templates with the same display name would merge in reports; number the later ones. */
    for (size_t i = 0; i < w->nreqs; i++) {
        if (strcmp(w->reqs[i].name, b.data) == 0) {
            cm_buf_printf(&b, " #%zu", w->nreqs + 1);
            break;
        }
    }
    return cm_buf_detach(&b);
}

/* An api: http template has no model (nmodels 0: it uses model slot 0 of the URL table) and no prompt. */
static int add_http(hx_reqtpl_t *rq, const hx_reqspec_t *s, size_t i, const char *const *headers, size_t nheaders,
                    const char *api_key, char *err, size_t errlen)
{
    char why[300];
    if (hx_http_new(s, &rq->http, why, sizeof(why)) != 0)
        return fail(err, errlen, i, "%s", why);
    build_headers(rq, s, headers, nheaders, api_key);
    rq->static_body = !hx_tmpl_dynamic(&rq->http->body);
    return 0;
}

static int add_template(hx_workload_t *w, const hx_reqspec_t *s, size_t i, const char *const *headers, size_t nheaders,
                        const char *api_key, char *err, size_t errlen)
{
    char why[256];
    hx_reqtpl_t *rq = &w->reqs[w->nreqs];
    memset(rq, 0, sizeof(*rq));
    rq->name = display_name(s, w);
    w->nreqs++; /* counted before the fallible steps so that hx_workload_free releases what was built */
    rq->api = hx_api_find(s->api);
    rq->weight = s->weight;
    rq->stream = s->stream;
    rq->include_usage = s->stream && s->include_usage != 0;
    rq->repeat = s->repeat;
    rq->max_tokens = s->max_tokens;
    rq->user_json = s->user ? quote(s->user) : NULL;
    rq->reasoning_effort = s->reasoning_effort ? hx_reasoning_effort(s->reasoning_effort, NULL, 0) : NULL;
    rq->reasoning_summary = s->reasoning_summary ? hx_reasoning_summary(s->reasoning_summary, NULL, 0) : NULL;
    if (hx_api_is_http(rq->api))
        return add_http(rq, s, i, headers, nheaders, api_key, err, errlen);
    rq->models = cm_xcalloc(s->nmodels, sizeof(uint16_t));
    rq->nmodels = s->nmodels;
    for (size_t m = 0; m < s->nmodels; m++) {
        if (intern_model(w, s->models[m], &rq->models[m]) != 0)
            return fail(err, errlen, i, "model: more than %d distinct models", HX_MAX_MODELS);
    }
    if (hx_tmpl_compile(&rq->prompt, s->prompt ? s->prompt : "", why, sizeof(why)) != 0)
        return fail(err, errlen, i, "prompt: %s", why);
    rq->has_input = s->input != NULL;
    if (rq->has_input && hx_tmpl_compile(&rq->input, s->input, why, sizeof(why)) != 0)
        return fail(err, errlen, i, "input: %s", why);
    build_headers(rq, s, headers, nheaders, api_key);
    rq->static_body = !hx_tmpl_dynamic(&rq->prompt) && !(rq->has_input && hx_tmpl_dynamic(&rq->input));
    return 0;
}

int hx_workload_init(hx_workload_t *w, const hx_reqspec_t *specs, size_t n, const char *const *headers, size_t nheaders,
                     const char *api_key, char *err, size_t errlen)
{
    memset(w, 0, sizeof(*w));
    if (n == 0) {
        snprintf(err, errlen, "requests: at least one request template is required");
        return -1;
    }
    if (n > HX_MAX_REQUESTS) {
        snprintf(err, errlen, "requests: %zu templates (at most %d)", n, HX_MAX_REQUESTS);
        return -1;
    }
    if (nheaders > HX_MAX_HEADERS) {
        snprintf(err, errlen, "headers: %zu (at most %d)", nheaders, HX_MAX_HEADERS);
        return -1;
    }
    for (size_t h = 0; h < nheaders; h++) {
        if (strlen(headers[h]) > HX_HEADER_LINE_MAX) {
            snprintf(err, errlen, "headers: a line of %zu bytes (at most %d)", strlen(headers[h]), HX_HEADER_LINE_MAX);
            return -1;
        }
        if (hx_header_check(headers[h], err, errlen) != 0)
            return -1;
    }
    w->reqs = cm_xcalloc(n, sizeof(*w->reqs));
    w->cum_weight = cm_xcalloc(n, sizeof(double));
    double sum = 0;
    for (size_t i = 0; i < n; i++) {
        if (check_spec(&specs[i], i, nheaders, err, errlen) != 0 ||
            add_template(w, &specs[i], i, headers, nheaders, api_key, err, errlen) != 0)
            goto error;
        sum += specs[i].weight;
        w->cum_weight[i] = sum;
    }
    return 0;
error:
    hx_workload_free(w);
    return -1;
}

static void free_template(hx_reqtpl_t *rq)
{
    free(rq->name);
    free(rq->models);
    hx_tmpl_free(&rq->prompt);
    hx_tmpl_free(&rq->input);
    free(rq->user_json);
    for (size_t h = 0; h < rq->nheaders; h++)
        free(rq->headers[h]);
    free(rq->headers);
    hx_http_free(rq->http);
}

void hx_workload_free(hx_workload_t *w)
{
    for (size_t i = 0; i < w->nreqs; i++)
        free_template(&w->reqs[i]);
    for (size_t i = 0; i < w->nmodels; i++) {
        free(w->models[i]);
        free(w->models_json[i]);
    }
    free(w->reqs);
    free(w->models);
    free(w->models_json);
    free(w->cum_weight);
    memset(w, 0, sizeof(*w));
}

/* ---- per request ------------------------------------------------------------------------------------ */

bool hx_workload_uses(const hx_workload_t *w, uint32_t req, uint16_t model)
{
    const hx_reqtpl_t *rq = &w->reqs[req];
    if (rq->http != NULL)
        return model == 0;
    for (size_t i = 0; i < rq->nmodels; i++)
        if (rq->models[i] == model)
            return true;
    return false;
}

/* Characters a model name keeps in a path; others are percent-encoded (RFC 3986 unreserved, plus ':' and
 * '@', which path segments allow). */
static bool path_safe(unsigned char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || strchr("-._~:@", c) != NULL;
}

char *hx_workload_path(const hx_workload_t *w, uint32_t req, uint16_t model)
{
    const hx_reqtpl_t *rq = &w->reqs[req];
    if (rq->http != NULL)
        return cm_xstrdup(rq->http->path);
    const char *path = rq->stream && rq->api->stream_path != NULL ? rq->api->stream_path : rq->api->path;
    const char *hole = strstr(path, "{model}");
    cm_buf_t b = CM_BUF_INIT;
    if (hole == NULL) {
        cm_buf_puts(&b, path);
        return cm_buf_detach(&b);
    }
    cm_buf_append(&b, path, (size_t)(hole - path));
    for (const unsigned char *m = (const unsigned char *)w->models[model]; *m != '\0'; m++) {
        if (path_safe(*m))
            cm_buf_putc(&b, (char)*m);
        else
            cm_buf_printf(&b, "%%%02X", *m);
    }
    cm_buf_puts(&b, hole + strlen("{model}"));
    return cm_buf_detach(&b);
}

/* The length of "scheme://host:port" at the start of url. */
static size_t origin_len(const char *url)
{
    const char *host = strstr(url, "://");
    host = host != NULL ? host + 3 : url;
    return (size_t)(host - url) + strcspn(host, "/?#");
}

char *hx_workload_url(const hx_workload_t *w, uint32_t req, uint16_t model, const char *base)
{
    const hx_http_t *h = w->reqs[req].http;
    char *path = hx_workload_path(w, req, model);
    if (h != NULL && h->absolute)
        return path;
    /* api_base "http://h:p/v1/" + "/chat/completions" -> "http://h:p/v1/chat/completions", as the OpenAI SDK
     * joins them. */
    size_t n = h != NULL && h->from_host ? origin_len(base) : strlen(base);
    while (n > 0 && base[n - 1] == '/')
        n--;
    cm_buf_t b = CM_BUF_INIT;
    cm_buf_append(&b, base, n);
    cm_buf_puts(&b, path);
    free(path);
    return cm_buf_detach(&b);
}

uint32_t hx_workload_pick(const hx_workload_t *w, cm_rng_t *rng)
{
    if (w->nreqs <= 1)
        return 0;
    double x = cm_rng_uniform(rng) * w->cum_weight[w->nreqs - 1];
    size_t lo = 0, hi = w->nreqs - 1;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (x < w->cum_weight[mid])
            hi = mid;
        else
            lo = mid + 1;
    }
    return (uint32_t)lo;
}

uint32_t hx_workload_pick_range(const hx_workload_t *w, uint32_t first, uint32_t n, cm_rng_t *rng)
{
    if (n <= 1 || first + n > w->nreqs)
        return first < w->nreqs ? first : 0;
    double lo_w = first > 0 ? w->cum_weight[first - 1] : 0;
    double x = lo_w + cm_rng_uniform(rng) * (w->cum_weight[first + n - 1] - lo_w);
    size_t lo = first, hi = first + n - 1;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (x < w->cum_weight[mid])
            hi = mid;
        else
            lo = mid + 1;
    }
    return (uint32_t)lo;
}

uint16_t hx_workload_model(const hx_workload_t *w, uint32_t req, uint32_t *cursor)
{
    const hx_reqtpl_t *rq = &w->reqs[req];
    if (rq->nmodels == 0)
        return 0; /* api: http */
    uint16_t m = rq->models[*cursor % rq->nmodels];
    *cursor = (uint32_t)((*cursor + 1) % rq->nmodels);
    return m;
}

bool hx_workload_body_static(const hx_workload_t *w, uint32_t req)
{
    return w->reqs[req].static_body;
}

void hx_workload_body(const hx_workload_t *w, uint32_t req, uint16_t model, cm_rng_t *rng, uint64_t seq, cm_buf_t *out)
{
    const hx_reqtpl_t *rq = &w->reqs[req];
    cm_buf_reset(out);
    rq->api->build(rq, rq->http != NULL ? NULL : w->models_json[model], rng, seq, out);
}
