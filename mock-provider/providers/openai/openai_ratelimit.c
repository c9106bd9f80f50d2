/* Rate limits in OpenAI's and Azure's words: the x-ratelimit-* headers on every answer of a limited
 * deployment, the retry headers and the 429 body of a refusal (quota.h decides, quota_format.h formats).
 *
 * OpenAI: x-ratelimit-{limit,remaining,reset}-{requests,tokens}, the resets as Go durations counted from now
 * (the time until the window holds nothing of what it holds now, OpenAI's "resets to its initial state"),
 * retry-after on a 429; the body says which limit, its numbers and when to try again.
 * Azure: x-ratelimit-{limit,remaining}-{requests,tokens} on every answer, retry-after and retry-after-ms on a
 * 429, and Azure's own message naming the operation and the api-version. */
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

/* The wait a refusal announces, rounded up to the millisecond (OpenAI shows 3.704s, 6ms). */
static uint64_t wait_ns(const mp_quota_decision_t *d)
{
    uint64_t ns = d->retry_ns == MP_QUOTA_NEVER ? refusing(d)->window_ns : d->retry_ns;
    return (ns + 999999) / 1000000 * 1000000;
}

static void set_word(char *dst, size_t cap, const char *word)
{
    mp_text_t t;
    mp_text_init(&t, dst, cap);
    mp_text_puts(&t, word);
}

/* The messages of a 429 are built piece by piece rather than with printf: a quota storm answers nothing
 * else, and vsnprintf was the largest user-space cost of such an answer. */
void mp_openai_rate_error(const mp_deployment_t *dep, const mp_request_t *req, const mp_quota_decision_t *d,
                          mp_error_t *err)
{
    (void)dep;
    bool tokens = d->hit == MP_QUOTA_LIMIT_TOKENS;
    const mp_quota_dim_t *dim = refusing(d);
    mp_text_t m;
    mp_error_begin(err, MP_ERR_RATE_LIMITED, NULL);
    mp_text_init(&m, err->message, sizeof(err->message));
    mp_text_puts(&m, "Rate limit reached for ");
    if (req->model.p != NULL)
        mp_text_put(&m, req->model.p, req->model.n < 128 ? req->model.n : 128);
    mp_text_puts(&m, tokens ? " in organization user-soakrig on tokens per min (TPM): Limit "
                            : " in organization user-soakrig on requests per min (RPM): Limit ");
    mp_text_put_u64(&m, dim->limit);
    mp_text_puts(&m, ", Used ");
    mp_text_put_u64(&m, dim->used);
    mp_text_puts(&m, ", Requested ");
    mp_text_put_u64(&m, dim->requested);
    mp_text_puts(&m, ". Please try again in ");
    mp_text_put_go_duration(&m, wait_ns(d));
    mp_text_puts(&m, ". Visit https://platform.openai.com/account/rate-limits to learn more.");
    set_word(err->type, sizeof(err->type), tokens ? "tokens" : "requests");
    set_word(err->code, sizeof(err->code), "rate_limit_exceeded");
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
    uint64_t secs = mp_ceil_second_ns(ns) / 1000000000ull;
    cm_str_t v = req->route != NULL && req->route->version.n > 0 ? req->route->version : CM_STR("v1");
    mp_text_t m;
    mp_error_begin(err, MP_ERR_RATE_LIMITED, NULL);
    mp_text_init(&m, err->message, sizeof(err->message));
    mp_text_puts(&m, "Requests to the ");
    mp_text_puts(&m, azure_operation(req->api));
    mp_text_puts(&m, " Operation under Azure OpenAI API version ");
    if (v.p != NULL)
        mp_text_put(&m, v.p, v.n < 32 ? v.n : 32);
    mp_text_puts(&m, d->hit == MP_QUOTA_LIMIT_TOKENS ? " have exceeded token rate limit"
                                                     : " have exceeded call rate limit");
    mp_text_puts(&m, " of your current OpenAI S0 pricing tier. Please retry after ");
    mp_text_put_u64(&m, secs < 1 ? 1 : secs);
    mp_text_puts(&m, secs > 1 ? " seconds." : " second.");
    mp_text_puts(&m, " Please go here: https://aka.ms/oai/quotaincrease if you would like to further increase the "
                     "default rate limit.");
    set_word(err->code, sizeof(err->code), "429");
}
