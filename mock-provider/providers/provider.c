/* Provider-neutral parts of the contract: api labels and timing, error construction, the provider
 * registry, key checks, query parameters and the token estimate. */
#include "mock-provider/provider.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "mock-provider/providers/gemini/gemini.h"
#include "mock-provider/providers/anthropic/anthropic.h"
#include "mock-provider/providers/openai/openai.h"

const char *mp_api_label(mp_api_t api)
{
    static const char *const labels[MP_API__COUNT] = {
        [MP_API_CHAT] = "chat",
        [MP_API_COMPLETIONS] = "completions",
        [MP_API_EMBEDDINGS] = "embeddings",
        [MP_API_RESPONSES] = "responses",
        [MP_API_MODELS] = "models",
        [MP_API_MESSAGES] = "messages",
        [MP_API_GENERATE] = "generate_content",
        [MP_API_COUNT_TOKENS] = "count_tokens",
    };
    return (unsigned)api < MP_API__COUNT ? labels[api] : "unknown";
}

mp_api_timing_t mp_api_timing(mp_api_t api)
{
    switch (api) {
    case MP_API_EMBEDDINGS:
        return MP_TIMING_PREFILL;
    case MP_API_MODELS:
    case MP_API_COUNT_TOKENS:
        return MP_TIMING_AT_ONCE;
    default:
        return MP_TIMING_TOKENS;
    }
}

bool mp_http_query(const mp_http_t *http, const char *name, cm_str_t *value)
{
    size_t nlen = strlen(name);
    const char *p = http->query.p, *end = p ? p + http->query.n : NULL;
    while (p != NULL && p < end) {
        const char *amp = memchr(p, '&', (size_t)(end - p));
        const char *stop = amp ? amp : end;
        const char *eq = memchr(p, '=', (size_t)(stop - p));
        const char *kend = eq ? eq : stop;
        if ((size_t)(kend - p) == nlen && memcmp(p, name, nlen) == 0) {
            *value = eq ? (cm_str_t){eq + 1, (size_t)(stop - eq - 1)} : (cm_str_t){stop, 0};
            return true;
        }
        p = amp ? amp + 1 : end;
    }
    return false;
}

/* Every provider shape we serve or plan to (OpenAI, Azure, Vertex, Anthropic) answers these cases with the
 * same statuses; only the bodies differ, and those come from each provider's catalogue. */
static int status_of(mp_error_kind_t kind)
{
    static const int statuses[MP_ERR__COUNT] = {
        [MP_ERR_BAD_REQUEST] = 400, [MP_ERR_INVALID_JSON] = 400,    [MP_ERR_UNAUTHORIZED] = 401,
        [MP_ERR_NOT_FOUND] = 404,   [MP_ERR_MODEL_NOT_FOUND] = 404, [MP_ERR_TOO_LARGE] = 413,
        [MP_ERR_SERVER] = 500,      [MP_ERR_RATE_LIMITED] = 429,    [MP_ERR_UNAVAILABLE] = 503,
    };
    return (unsigned)kind < MP_ERR__COUNT ? statuses[kind] : 500;
}

static void copy_trunc(char *dst, size_t cap, const char *src)
{
    size_t n = src ? strlen(src) : 0;
    if (n >= cap)
        n = cap - 1;
    memcpy(dst, src ? src : "", n);
    dst[n] = '\0';
}

void mp_error_begin(mp_error_t *err, mp_error_kind_t kind, const char *param)
{
    err->kind = kind;
    err->status = status_of(kind);
    copy_trunc(err->param, sizeof(err->param), param);
    err->message[0] = '\0';
    err->code[0] = '\0';
    err->type[0] = '\0';
    err->request_id = NULL;
    err->route = NULL;
    err->retry_after_ms = 0;
}

void mp_error_set(mp_error_t *err, mp_error_kind_t kind, const char *param, const char *fmt, ...)
{
    mp_error_begin(err, kind, param);
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err->message, sizeof(err->message), fmt, ap);
    va_end(ap);
}

/* Keys are secrets: like OpenAI we show a few characters at each end and stars in between, and we replace
 * anything that is not printable ASCII so that a hostile header cannot put invalid UTF-8 into the body. */
static void mask_key(const char *key, char *out, size_t cap)
{
    size_t n = strlen(key), o = 0;
    size_t head = n >= 10 ? 5 : 2, tail = n >= 10 ? 4 : 0;
    size_t stars = n >= 10 ? n - head - tail : 3;
    if (stars > 40)
        stars = 40;
    for (size_t i = 0; i < head && i < n && o + 1 < cap; i++)
        out[o++] = key[i] >= 0x20 && key[i] < 0x7f ? key[i] : '?';
    for (size_t i = 0; i < stars && o + 1 < cap; i++)
        out[o++] = '*';
    for (size_t i = n - tail; i < n && o + 1 < cap; i++)
        out[o++] = key[i] >= 0x20 && key[i] < 0x7f ? key[i] : '?';
    out[o] = '\0';
}

/* Substitutes arg for the first "%s" of tmpl. Done by hand rather than with printf so that a '%' anywhere
 * else in a catalogue message (or in arg) is never interpreted. */
static void substitute(char *out, size_t cap, const char *tmpl, const char *arg)
{
    const char *hole = strstr(tmpl, "%s");
    size_t o = 0;
    size_t pre = hole ? (size_t)(hole - tmpl) : strlen(tmpl);
    const char *parts[3] = {tmpl, hole ? arg : "", hole ? hole + 2 : ""};
    size_t lens[3] = {pre, hole ? strlen(arg) : 0, hole ? strlen(hole + 2) : 0};
    for (int i = 0; i < 3; i++) {
        size_t n = lens[i] < cap - 1 - o ? lens[i] : cap - 1 - o;
        memcpy(out + o, parts[i], n);
        o += n;
    }
    out[o] = '\0';
}

void mp_error_preset(const mp_provider_t *p, mp_error_t *err, mp_error_kind_t kind, const char *arg)
{
    const mp_error_entry_t *e = p && p->errors && (unsigned)kind < MP_ERR__COUNT ? &p->errors[kind] : NULL;
    err->kind = kind;
    err->status = e ? e->status : status_of(kind);
    err->param[0] = '\0';
    err->code[0] = '\0';
    err->type[0] = '\0';
    err->request_id = NULL;
    err->route = NULL;
    err->retry_after_ms = 0;
    char masked[64];
    if (kind == MP_ERR_UNAUTHORIZED && arg != NULL && arg[0] != '\0') {
        mask_key(arg, masked, sizeof(masked));
        arg = masked;
    }
    const char *tmpl = e && e->message ? e->message : "error";
    if ((arg == NULL || arg[0] == '\0') && e && e->message_noarg)
        tmpl = e->message_noarg;
    substitute(err->message, sizeof(err->message), tmpl, arg ? arg : "");
}

/* The registry: one table per kind. A new provider adds its kind and its table here, nothing else in the
 * core. */
static const mp_provider_t *const registry[MP_PROVIDER__COUNT] = {
    [MP_PROVIDER_OPENAI] = &mp_openai_provider,       [MP_PROVIDER_AZURE] = &mp_azure_provider,
    [MP_PROVIDER_GEMINI] = &mp_gemini_provider,       [MP_PROVIDER_VERTEX] = &mp_vertex_provider,
    [MP_PROVIDER_ANTHROPIC] = &mp_anthropic_provider,
};

const mp_provider_t *mp_provider_for(mp_provider_kind_t kind)
{
    return (unsigned)kind < MP_PROVIDER__COUNT ? registry[kind] : NULL;
}

bool mp_provider_named(const char *name, mp_provider_kind_t *kind)
{
    for (unsigned k = 0; k < MP_PROVIDER__COUNT; k++) {
        if (registry[k] != NULL && strcmp(registry[k]->name, name) == 0) {
            *kind = (mp_provider_kind_t)k;
            return true;
        }
    }
    return false;
}

void mp_provider_names(char *out, size_t cap)
{
    size_t o = 0;
    out[0] = '\0';
    for (unsigned k = 0; k < MP_PROVIDER__COUNT && o < cap; k++)
        o += (size_t)snprintf(out + o, cap - o, "%s%s", o ? ", " : "", registry[k]->name);
}

bool mp_key_accepted(const mp_deployment_t *dep, cm_str_t key)
{
    if (dep->nkeys == 0)
        return true;
    for (size_t i = 0; key.p != NULL && i < dep->nkeys; i++)
        if (strlen(dep->api_keys[i]) == key.n && memcmp(dep->api_keys[i], key.p, key.n) == 0)
            return true;
    return false;
}

cm_str_t mp_bearer_token(cm_str_t v)
{
    if (v.p != NULL && v.n >= 7 && strncasecmp(v.p, "bearer ", 7) == 0) {
        v.p += 7;
        v.n -= 7;
        while (v.n > 0 && (v.p[0] == ' ' || v.p[0] == '\t')) {
            v.p++;
            v.n--;
        }
    }
    return v;
}

uint32_t mp_estimate_tokens(size_t bytes)
{
    size_t t = bytes / 4 + (bytes % 4 != 0);
    return t > UINT32_MAX ? UINT32_MAX : (uint32_t)t;
}
