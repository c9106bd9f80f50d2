/* Tests mock-provider/providers/openai/openai_ratelimit.c: the 429 messages of OpenAI and Azure, byte for byte
 * against the printf formats they were first written with (kept here as the reference, so building them
 * piece by piece cannot change a byte), with their type and code. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "mock-provider/providers/openai/openai.h"
#include "mock-provider/quota/quota.h"
#include "mock-provider/quota/quota_format.h"

#define S 1000000000ull

static mp_quota_decision_t refusal(bool tokens, uint64_t limit, uint64_t used, uint64_t requested, uint64_t retry_ns)
{
    mp_quota_decision_t d;
    memset(&d, 0, sizeof(d));
    d.hit = tokens ? MP_QUOTA_LIMIT_TOKENS : MP_QUOTA_LIMIT_REQUESTS;
    mp_quota_dim_t *dim = tokens ? &d.tokens : &d.requests;
    dim->limit = limit;
    dim->used = used;
    dim->requested = requested;
    dim->window_ns = 60 * S;
    d.retry_ns = retry_ns;
    return d;
}

static void expect_openai(const char *model, size_t model_len, const mp_quota_decision_t *d)
{
    mp_request_t req;
    mp_error_t err;
    memset(&req, 0, sizeof(req));
    req.model.p = model;
    req.model.n = model_len;
    mp_openai_rate_error(NULL, &req, d, &err);

    bool tokens = d->hit == MP_QUOTA_LIMIT_TOKENS;
    const mp_quota_dim_t *dim = tokens ? &d->tokens : &d->requests;
    uint64_t ns = d->retry_ns == MP_QUOTA_NEVER ? dim->window_ns : d->retry_ns;
    char wait[MP_GO_DURATION_MAX], want[512];
    mp_format_go_duration(wait, sizeof(wait), (ns + 999999) / 1000000 * 1000000);
    int mlen = (int)(model_len < 128 ? model_len : 128);
    snprintf(want, sizeof(want),
             "Rate limit reached for %.*s in organization user-soakrig on %s: Limit %llu, Used %llu, Requested "
             "%llu. Please try again in %s. Visit https://platform.openai.com/account/rate-limits to learn more.",
             mlen, model ? model : "", tokens ? "tokens per min (TPM)" : "requests per min (RPM)",
             (unsigned long long)dim->limit, (unsigned long long)dim->used, (unsigned long long)dim->requested, wait);
    assert_string_equal(err.message, want);
    assert_int_equal(err.status, 429);
    assert_int_equal(err.kind, MP_ERR_RATE_LIMITED);
    assert_string_equal(err.type, tokens ? "tokens" : "requests");
    assert_string_equal(err.code, "rate_limit_exceeded");
    assert_string_equal(err.param, "");
    assert_null(err.route);
}

static void test_openai_messages(void **state)
{
    (void)state;
    char longm[300];
    memset(longm, 'm', sizeof(longm));
    mp_quota_decision_t rpm = refusal(false, 60, 60, 1, 20 * S);
    mp_quota_decision_t tpm = refusal(true, 30000, 28770, 3082, 3704 * 1000000ull - 123);
    mp_quota_decision_t never = refusal(true, 100, 0, 5000, MP_QUOTA_NEVER);
    mp_quota_decision_t tiny = refusal(false, 1, 1, 1, 5);
    expect_openai("gpt-4o-mini", 11, &rpm);
    expect_openai("gpt-4o", 6, &tpm);
    expect_openai("m", 1, &never);
    expect_openai("a\\\"b", 4, &tiny); /* raw JSON string contents, escapes and all */
    expect_openai(longm, sizeof(longm), &rpm);
    expect_openai(NULL, 0, &rpm);
    mp_quota_decision_t big = refusal(false, UINT64_MAX, UINT64_MAX, UINT64_MAX, UINT64_MAX - 1);
    expect_openai(longm, sizeof(longm), &big);
}

static void expect_azure(mp_api_t api, const char *version, const mp_quota_decision_t *d)
{
    mp_request_t req;
    mp_route_t route;
    mp_error_t err;
    memset(&req, 0, sizeof(req));
    memset(&route, 0, sizeof(route));
    req.api = api;
    if (version != NULL) {
        route.version.p = version;
        route.version.n = strlen(version);
        req.route = &route;
    }
    mp_azure_rate_error(NULL, &req, d, &err);

    const mp_quota_dim_t *dim = d->hit == MP_QUOTA_LIMIT_TOKENS ? &d->tokens : &d->requests;
    uint64_t ns = d->retry_ns == MP_QUOTA_NEVER ? dim->window_ns : d->retry_ns;
    unsigned long long secs = mp_ceil_second_ns(ns) / 1000000000ull;
    const char *v = version != NULL && version[0] != '\0' ? version : "v1";
    int vlen = (int)(strlen(v) < 32 ? strlen(v) : 32);
    const char *op = api == MP_API_COMPLETIONS  ? "Completions_Create"
                     : api == MP_API_EMBEDDINGS ? "Embeddings_Create"
                     : api == MP_API_RESPONSES  ? "Responses_Create"
                                                : "ChatCompletions_Create";
    char want[512];
    snprintf(want, sizeof(want),
             "Requests to the %s Operation under Azure OpenAI API version %.*s have exceeded %s rate limit of your "
             "current OpenAI S0 pricing tier. Please retry after %llu second%s. Please go here: "
             "https://aka.ms/oai/quotaincrease if you would like to further increase the default rate limit.",
             op, vlen, v, d->hit == MP_QUOTA_LIMIT_TOKENS ? "token" : "call", secs < 1 ? 1 : secs, secs > 1 ? "s" : "");
    assert_string_equal(err.message, want);
    assert_int_equal(err.status, 429);
    assert_string_equal(err.code, "429");
    assert_string_equal(err.type, "");
}

static void test_azure_messages(void **state)
{
    (void)state;
    mp_quota_decision_t rpm = refusal(false, 10, 10, 1, 7 * S + 1);
    mp_quota_decision_t one = refusal(false, 10, 10, 1, 1);
    mp_quota_decision_t tpm = refusal(true, 1000, 990, 50, MP_QUOTA_NEVER);
    expect_azure(MP_API_CHAT, "2024-10-21", &rpm);
    expect_azure(MP_API_COMPLETIONS, "2024-06-01", &one);
    expect_azure(MP_API_EMBEDDINGS, NULL, &tpm);
    expect_azure(MP_API_RESPONSES, "", &rpm);
    expect_azure(MP_API_CHAT, "2025-01-01-preview-with-a-very-long-suffix", &tpm);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_openai_messages),
        cmocka_unit_test(test_azure_messages),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
