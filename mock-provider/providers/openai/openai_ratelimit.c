/* Rate limits in OpenAI's and Azure's words: the x-ratelimit-* headers on every answer of a limited
 * deployment, the retry headers and the 429 body of a refusal (quota.h decides, quota_format.h formats).
 *
 * OpenAI: x-ratelimit-{limit,remaining,reset}-{requests,tokens}, the resets as Go durations counted from now
 * (the time until the window holds nothing of what it holds now, OpenAI's "resets to its initial state"),
 * retry-after on a 429; the body says which limit, its numbers and when to try again.
 * Azure: x-ratelimit-{limit,remaining}-{requests,tokens} on every answer, retry-after and retry-after-ms on a
 * 429, and Azure's own message naming the operation and the api-version. */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "common/clock.h"
#include "mock-provider/providers/openai/openai.h"
#include "mock-provider/providers/ratelimit.h"
#include "mock-provider/quota/quota.h"
#include "mock-provider/quota/quota_format.h"

/* Digits by hand: this runs for every answer of a limited deployment. */
static void add_uint(mp_header_fn add, void *ctx, const char *name, uint64_t v)
{
    char buf[24];
    size_t i = sizeof(buf);
    do {
        buf[--i] = (char)('0' + v % 10);
        v /= 10;
    } while (v > 0);
    add(ctx, name, buf + i, sizeof(buf) - i);
}

static void add_str(mp_header_fn add, void *ctx, const char *name, const char *v)
{
    add(ctx, name, v, strlen(v));
}

void mp_retry_headers(const mp_deployment_t *dep, const mp_quota_decision_t *d, bool always_ms, mp_header_fn add,
                      void *ctx)
{
    mp_retry_after_values_t v;
    mp_retry_after_format(&dep->limits.retry_after, d->retry_ns, cm_wall_ns(), &v);
    if (v.retry_after[0] != '\0')
        add_str(add, ctx, "retry-after", v.retry_after);
    if (v.retry_after_ms[0] != '\0' && (always_ms || v.ms_required))
        add_str(add, ctx, "retry-after-ms", v.retry_after_ms);
}

/* The header names of one limited quantity (literals: the sink keeps the pointers). */
typedef struct dim_names {
    const char *limit, *remaining, *reset;
} dim_names_t;

static const dim_names_t requests_names = {"x-ratelimit-limit-requests", "x-ratelimit-remaining-requests",
                                           "x-ratelimit-reset-requests"};
static const dim_names_t tokens_names = {"x-ratelimit-limit-tokens", "x-ratelimit-remaining-tokens",
                                         "x-ratelimit-reset-tokens"};

static void dim_headers(const mp_quota_dim_t *dim, const dim_names_t *names, bool resets, mp_header_fn add, void *ctx)
{
    char reset[MP_GO_DURATION_MAX];
    if (dim->limit == 0)
        return;
    add_uint(add, ctx, names->limit, dim->limit);
    add_uint(add, ctx, names->remaining, dim->remaining);
    if (resets)
        add_str(add, ctx, names->reset, mp_format_go_duration(reset, sizeof(reset), dim->reset_ns));
}

void mp_openai_rate_headers(const mp_deployment_t *dep, const mp_quota_decision_t *d, bool refused, mp_header_fn add,
                            void *ctx)
{
    dim_headers(&d->requests, &requests_names, true, add, ctx);
    dim_headers(&d->tokens, &tokens_names, true, add, ctx);
    if (refused)
        mp_retry_headers(dep, d, false, add, ctx);
}

void mp_azure_rate_headers(const mp_deployment_t *dep, const mp_quota_decision_t *d, bool refused, mp_header_fn add,
                           void *ctx)
{
    dim_headers(&d->requests, &requests_names, false, add, ctx);
    dim_headers(&d->tokens, &tokens_names, false, add, ctx);
    if (refused)
        mp_retry_headers(dep, d, true, add, ctx);
}

static const mp_quota_dim_t *refusing(const mp_quota_decision_t *d)
{
    return d->hit == MP_QUOTA_LIMIT_TOKENS ? &d->tokens : &d->requests;
}

/* "try again in 20s": Go's form, of the wait rounded up to the millisecond (OpenAI shows 3.704s, 6ms). */
static void wait_text(const mp_quota_decision_t *d, char *out, size_t cap)
{
    uint64_t ns = d->retry_ns == MP_QUOTA_NEVER ? refusing(d)->window_ns : d->retry_ns;
    ns = (ns + 999999) / 1000000 * 1000000;
    mp_format_go_duration(out, cap, ns);
}

void mp_openai_rate_error(const mp_deployment_t *dep, const mp_request_t *req, const mp_quota_decision_t *d,
                          mp_error_t *err)
{
    (void)dep;
    bool tokens = d->hit == MP_QUOTA_LIMIT_TOKENS;
    const mp_quota_dim_t *dim = refusing(d);
    char wait[MP_GO_DURATION_MAX];
    wait_text(d, wait, sizeof(wait));
    int mlen = (int)(req->model.n < 128 ? req->model.n : 128);
    mp_error_set(err, MP_ERR_RATE_LIMITED, NULL,
                 "Rate limit reached for %.*s in organization user-soakrig on %s: Limit %llu, Used %llu, Requested "
                 "%llu. Please try again in %s. Visit https://platform.openai.com/account/rate-limits to learn more.",
                 mlen, req->model.p ? req->model.p : "", tokens ? "tokens per min (TPM)" : "requests per min (RPM)",
                 (unsigned long long)dim->limit, (unsigned long long)dim->used, (unsigned long long)dim->requested,
                 wait);
    snprintf(err->type, sizeof(err->type), "%s", tokens ? "tokens" : "requests");
    snprintf(err->code, sizeof(err->code), "rate_limit_exceeded");
}

/* The operation Azure names in its 429: ChatCompletions_Create, Completions_Create, Embeddings_Create. */
static const char *azure_operation(mp_api_t api)
{
    switch (api) {
    case MP_API_COMPLETIONS:
        return "Completions_Create";
    case MP_API_EMBEDDINGS:
        return "Embeddings_Create";
    case MP_API_RESPONSES:
        return "Responses_Create";
    default:
        return "ChatCompletions_Create";
    }
}

void mp_azure_rate_error(const mp_deployment_t *dep, const mp_request_t *req, const mp_quota_decision_t *d,
                         mp_error_t *err)
{
    (void)dep;
    uint64_t ns = d->retry_ns == MP_QUOTA_NEVER ? refusing(d)->window_ns : d->retry_ns;
    unsigned long long secs = mp_ceil_second_ns(ns) / 1000000000ull;
    cm_str_t v = req->route != NULL && req->route->version.n > 0 ? req->route->version : CM_STR("v1");
    int vlen = (int)(v.n < 32 ? v.n : 32);
    mp_error_set(err, MP_ERR_RATE_LIMITED, NULL,
                 "Requests to the %s Operation under Azure OpenAI API version %.*s have exceeded %s rate limit of your "
                 "current OpenAI S0 pricing tier. Please retry after %llu second%s. Please go here: "
                 "https://aka.ms/oai/quotaincrease if you would like to further increase the default rate limit.",
                 azure_operation(req->api), vlen, v.p ? v.p : "", d->hit == MP_QUOTA_LIMIT_TOKENS ? "token" : "call",
                 secs < 1 ? 1 : secs, secs > 1 ? "s" : "");
    snprintf(err->code, sizeof(err->code), "429");
}
