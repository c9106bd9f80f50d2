/* Tests mock-provider/providers/provider.c: api labels, error construction and the provider registry. */
#include "fixture.h"

static void test_api_labels(void **state)
{
    (void)state;
    assert_string_equal(mp_api_label(MP_API_CHAT), "chat");
    assert_string_equal(mp_api_label(MP_API_COMPLETIONS), "completions");
    assert_string_equal(mp_api_label(MP_API_EMBEDDINGS), "embeddings");
    assert_string_equal(mp_api_label(MP_API_RESPONSES), "responses");
    assert_string_equal(mp_api_label(MP_API_MODELS), "models");
    assert_string_equal(mp_api_label((mp_api_t)99), "unknown");
}

static void test_error_set(void **state)
{
    (void)state;
    mp_error_t e;
    memset(&e, 'x', sizeof(e));
    mp_error_set(&e, MP_ERR_BAD_REQUEST, "messages", "bad %s %d", "thing", 3);
    assert_int_equal(e.kind, MP_ERR_BAD_REQUEST);
    assert_int_equal(e.status, 400);
    assert_string_equal(e.param, "messages");
    assert_string_equal(e.code, "");
    assert_string_equal(e.message, "bad thing 3");
    mp_error_set(&e, MP_ERR_SERVER, NULL, "boom");
    assert_int_equal(e.status, 500);
    assert_string_equal(e.param, "");
    mp_error_set(&e, MP_ERR_UNAUTHORIZED, "", "x");
    assert_int_equal(e.status, 401);
    mp_error_set(&e, MP_ERR_NOT_FOUND, "", "x");
    assert_int_equal(e.status, 404);
    mp_error_set(&e, MP_ERR_MODEL_NOT_FOUND, "", "x");
    assert_int_equal(e.status, 404);
    mp_error_set(&e, MP_ERR_TOO_LARGE, "", "x");
    assert_int_equal(e.status, 413);
    mp_error_set(&e, MP_ERR_INVALID_JSON, "", "x");
    assert_int_equal(e.status, 400);
}

static void test_error_param_truncated(void **state)
{
    (void)state;
    mp_error_t e;
    char longp[200];
    memset(longp, 'p', sizeof(longp) - 1);
    longp[sizeof(longp) - 1] = '\0';
    mp_error_set(&e, MP_ERR_BAD_REQUEST, longp, "m");
    assert_int_equal(strlen(e.param), sizeof(e.param) - 1);
}

static void test_preset_model_not_found(void **state)
{
    (void)state;
    mp_error_t e;
    mp_error_preset(mp_provider_for(MP_PROVIDER_OPENAI), &e, MP_ERR_MODEL_NOT_FOUND, "gpt-9");
    assert_int_equal(e.status, 404);
    assert_string_equal(e.message, "The model `gpt-9` does not exist or you do not have access to it.");
    assert_string_equal(e.param, "");
    assert_string_equal(e.code, "");
}

static void test_preset_masks_key(void **state)
{
    (void)state;
    mp_error_t e;
    const mp_provider_t *p = mp_provider_for(MP_PROVIDER_OPENAI);
    mp_error_preset(p, &e, MP_ERR_UNAUTHORIZED, "sk-abcdefghijklmnop1234");
    assert_int_equal(e.status, 401);
    assert_string_equal(e.message, "Incorrect API key provided: sk-ab**************1234. You can find your API key at "
                                   "https://platform.openai.com/account/api-keys.");
    assert_null(strstr(e.message, "cdefghijklmnop"));
    mp_error_preset(p, &e, MP_ERR_UNAUTHORIZED, "short");
    assert_string_equal(e.message, "Incorrect API key provided: sh***. You can find your API key at "
                                   "https://platform.openai.com/account/api-keys.");
    /* Non-printable bytes of a hostile header never reach the body. */
    mp_error_preset(p, &e, MP_ERR_UNAUTHORIZED, "\x01\xff-abcdefghijk\n");
    assert_string_equal(e.message, "Incorrect API key provided: ?\?-ab******ijk?. You can find your API key at "
                                   "https://platform.openai.com/account/api-keys.");
}

static void test_preset_no_key(void **state)
{
    (void)state;
    mp_error_t e;
    mp_error_preset(mp_provider_for(MP_PROVIDER_OPENAI), &e, MP_ERR_UNAUTHORIZED, "");
    assert_non_null(strstr(e.message, "You didn't provide an API key."));
    mp_error_preset(mp_provider_for(MP_PROVIDER_OPENAI), &e, MP_ERR_UNAUTHORIZED, NULL);
    assert_non_null(strstr(e.message, "You didn't provide an API key."));
}

static void test_preset_percent_is_literal(void **state)
{
    (void)state;
    mp_error_t e;
    mp_error_preset(mp_provider_for(MP_PROVIDER_OPENAI), &e, MP_ERR_MODEL_NOT_FOUND, "%s%n%d");
    assert_string_equal(e.message, "The model `%s%n%d` does not exist or you do not have access to it.");
    mp_error_preset(mp_provider_for(MP_PROVIDER_OPENAI), &e, MP_ERR_SERVER, NULL);
    assert_int_equal(e.status, 500);
    assert_string_equal(e.message, "The server had an error while processing your request. Sorry about that!");
    mp_error_preset(mp_provider_for(MP_PROVIDER_OPENAI), &e, MP_ERR_TOO_LARGE, "9 bytes; the limit is 8 bytes");
    assert_int_equal(e.status, 413);
    assert_string_equal(e.message, "The request body is too large (9 bytes; the limit is 8 bytes).");
}

static void test_preset_long_arg_truncated(void **state)
{
    (void)state;
    mp_error_t e;
    char big[2000];
    memset(big, 'm', sizeof(big) - 1);
    big[sizeof(big) - 1] = '\0';
    mp_error_preset(mp_provider_for(MP_PROVIDER_OPENAI), &e, MP_ERR_MODEL_NOT_FOUND, big);
    assert_int_equal(strlen(e.message), sizeof(e.message) - 1);
}

static void test_provider_for(void **state)
{
    (void)state;
    const mp_provider_t *p = mp_provider_for(MP_PROVIDER_OPENAI);
    assert_non_null(p);
    assert_string_equal(p->name, "openai");
    assert_string_equal(p->request_id_header, "x-request-id");
    assert_string_equal(p->request_id_prefix, "req_");
    assert_string_equal(p->processing_ms_header, "openai-processing-ms");
    assert_non_null(p->errors);
    assert_non_null(p->render_models_at);
    assert_null(mp_provider_for((mp_provider_kind_t)77));
    size_t n = 0;
    while (p->static_headers[n].name != NULL)
        n++;
    assert_true(n >= 1);
    assert_string_equal(p->static_headers[0].name, "openai-version");
}

static void test_provider_registry(void **state)
{
    (void)state;
    mp_provider_kind_t k = MP_PROVIDER__COUNT;
    assert_true(mp_provider_named("openai", &k));
    assert_int_equal(k, MP_PROVIDER_OPENAI);
    assert_false(mp_provider_named("opnai", &k));
    assert_false(mp_provider_named("", &k));
    char names[128];
    mp_provider_names(names, sizeof(names));
    assert_string_equal(names, "openai, azure, gemini, vertex, anthropic");
    assert_true(mp_provider_named("azure", &k));
    assert_int_equal(k, MP_PROVIDER_AZURE);
    assert_true(mp_provider_named("gemini", &k));
    assert_int_equal(k, MP_PROVIDER_GEMINI);
    assert_true(mp_provider_named("vertex", &k));
    assert_int_equal(k, MP_PROVIDER_VERTEX);
    assert_true(mp_provider_named("anthropic", &k));
    assert_int_equal(k, MP_PROVIDER_ANTHROPIC);
    for (unsigned i = 0; i < MP_PROVIDER__COUNT; i++) {
        const mp_provider_t *p = mp_provider_for((mp_provider_kind_t)i);
        assert_non_null(p);
        assert_non_null(p->route);
        assert_non_null(p->auth);
        assert_non_null(p->parse);
        assert_non_null(p->render_error);
    }
}

static void test_api_timing(void **state)
{
    (void)state;
    assert_int_equal(mp_api_timing(MP_API_CHAT), MP_TIMING_TOKENS);
    assert_int_equal(mp_api_timing(MP_API_MESSAGES), MP_TIMING_TOKENS);
    assert_int_equal(mp_api_timing(MP_API_GENERATE), MP_TIMING_TOKENS);
    assert_int_equal(mp_api_timing(MP_API_EMBEDDINGS), MP_TIMING_PREFILL);
    assert_int_equal(mp_api_timing(MP_API_MODELS), MP_TIMING_AT_ONCE);
    assert_int_equal(mp_api_timing(MP_API_COUNT_TOKENS), MP_TIMING_AT_ONCE);
    assert_string_equal(mp_api_label(MP_API_GENERATE), "generate_content");
    assert_string_equal(mp_api_label(MP_API_COUNT_TOKENS), "count_tokens");
}

static void test_http_query(void **state)
{
    (void)state;
    const char *q = "api-version=2024-10-21&alt=sse&flag&key=a%3Db&api-version=second";
    mp_http_t h = {.query = {q, strlen(q)}};
    cm_str_t v;
    assert_true(mp_http_query(&h, "api-version", &v));
    assert_int_equal(v.n, 10);
    assert_memory_equal(v.p, "2024-10-21", 10); /* the first of two */
    assert_true(mp_http_query(&h, "alt", &v));
    assert_int_equal(v.n, 3);
    assert_true(mp_http_query(&h, "flag", &v));
    assert_int_equal(v.n, 0);
    assert_true(mp_http_query(&h, "key", &v));
    assert_int_equal(v.n, 5);
    assert_memory_equal(v.p, "a%3Db", 5);
    assert_false(mp_http_query(&h, "ap", &v));
    assert_false(mp_http_query(&h, "version", &v));
    mp_http_t none = {0};
    assert_false(mp_http_query(&none, "alt", &v));
}

static void test_keys(void **state)
{
    (void)state;
    cm_str_t b = mp_bearer_token(CM_STR("bearer \t sk-1"));
    assert_int_equal(b.n, 4);
    assert_memory_equal(b.p, "sk-1", 4);
    b = mp_bearer_token(CM_STR("Basic abc"));
    assert_int_equal(b.n, 9); /* other schemes whole */
    b = mp_bearer_token((cm_str_t){NULL, 0});
    assert_null(b.p);
    char *keys[] = {"sk-1", "sk-22"};
    mp_deployment_t dep = {.api_keys = keys, .nkeys = 2};
    assert_true(mp_key_accepted(&dep, CM_STR("sk-22")));
    assert_false(mp_key_accepted(&dep, CM_STR("sk-2")));
    assert_false(mp_key_accepted(&dep, (cm_str_t){NULL, 0}));
    mp_deployment_t open = {0};
    assert_true(mp_key_accepted(&open, (cm_str_t){NULL, 0}));
}

static void test_estimate_tokens(void **state)
{
    (void)state;
    assert_int_equal(mp_estimate_tokens(0), 0);
    assert_int_equal(mp_estimate_tokens(1), 1);
    assert_int_equal(mp_estimate_tokens(4), 1);
    assert_int_equal(mp_estimate_tokens(5), 2);
    assert_int_equal(mp_estimate_tokens(400), 100);
    assert_int_equal(mp_estimate_tokens((size_t)1 << 40), UINT32_MAX);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_api_labels),
        cmocka_unit_test(test_provider_registry),
        cmocka_unit_test(test_api_timing),
        cmocka_unit_test(test_http_query),
        cmocka_unit_test(test_keys),
        cmocka_unit_test(test_error_set),
        cmocka_unit_test(test_error_param_truncated),
        cmocka_unit_test(test_preset_model_not_found),
        cmocka_unit_test(test_preset_masks_key),
        cmocka_unit_test(test_preset_no_key),
        cmocka_unit_test(test_preset_percent_is_literal),
        cmocka_unit_test(test_preset_long_arg_truncated),
        cmocka_unit_test(test_provider_for),
        cmocka_unit_test(test_estimate_tokens),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
