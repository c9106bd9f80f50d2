/* Tests mock-provider/providers/anthropic.c: routes, x-api-key / Bearer auth with anthropic-version, the error
 * bodies by status (faults included), ids, and the models listing. */
#include "unit/mock-provider/providers/fixture.h"
#include "mock-provider/providers/anthropic/anthropic.h"

static const mp_provider_t *an(void)
{
    return mp_provider_for(MP_PROVIDER_ANTHROPIC);
}

/* Request headers for the fake http view: "name: value" entries, NULL-terminated. */
typedef struct fake_http {
    mp_http_t http;
    const char *const *headers;
} fake_http_t;

static cm_str_t fake_header(const mp_http_t *http, const char *name)
{
    const fake_http_t *f = (const fake_http_t *)http;
    size_t n = strlen(name);
    for (const char *const *h = f->headers; h != NULL && *h != NULL; h++)
        if (strncmp(*h, name, n) == 0 && (*h)[n] == ':')
            return (cm_str_t){*h + n + 2, strlen(*h + n + 2)};
    return (cm_str_t){NULL, 0};
}

static fake_http_t request(const char *method, const char *path, const char *const *headers)
{
    fake_http_t f = {.headers = headers};
    f.http = (mp_http_t){.method = {method, strlen(method)}, .path = {path, strlen(path)}, .header = fake_header};
    return f;
}

static void test_routes(void **state)
{
    (void)state;
    static const struct {
        const char *method, *path;
        int api; /* -1: Anthropic's 404 */
    } cases[] = {
        {"POST", "/v1/messages", MP_API_MESSAGES},
        {"POST", "/v1/messages/count_tokens", MP_API_COUNT_TOKENS},
        {"GET", "/v1/models", MP_API_MODELS},
        {"GET", "/v1/models/claude-sonnet-4-5", MP_API_MODELS},
        {"GET", "/v1/messages", -1},
        {"POST", "/v1/models", -1},
        {"POST", "/messages", -1},
        {"POST", "/v1/chat/completions", -1},
        {"GET", "/v1/models/", -1},
        {"GET", "/v1/models/a/b", -1},
        {"POST", "/v1/messages/", -1},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        fake_http_t f = request(cases[i].method, cases[i].path, NULL);
        mp_route_t r;
        mp_error_t err;
        int rc = an()->route(&f.http, &r, &err);
        if (cases[i].api < 0) {
            assert_int_equal(rc, -1);
            assert_int_equal(err.status, 404);
            assert_string_equal(err.message, "Not Found");
        } else {
            if (rc != 0)
                fail_msg("%s %s: %s", cases[i].method, cases[i].path, err.message);
            assert_int_equal(r.api, cases[i].api);
        }
    }
}

/* Runs route and auth on a deployment that lists one key; returns auth's result. */
static int authorize(const char *const *headers, mp_error_t *err, cm_str_t *key)
{
    static char *keys[] = {"sk-ant-good"};
    mp_deployment_t dep = {.name = "t", .api_keys = keys, .nkeys = 1};
    fake_http_t f = request("POST", "/v1/messages", headers);
    mp_route_t r;
    assert_int_equal(an()->route(&f.http, &r, err), 0);
    return an()->auth(&f.http, &r, &dep, key, err);
}

static void expect_auth(const char *const *headers, int status, const char *message)
{
    mp_error_t err;
    cm_str_t key;
    int rc = authorize(headers, &err, &key);
    if (status == 0) {
        if (rc != 0)
            fail_msg("refused: %d %s", err.status, err.message);
        return;
    }
    assert_int_equal(rc, -1);
    assert_int_equal(err.status, status);
    assert_string_equal(err.message, message);
}

static void test_auth(void **state)
{
    (void)state;
    const char *key_v1[] = {"x-api-key: sk-ant-good", "anthropic-version: 2023-06-01", NULL};
    const char *bearer_v2[] = {"authorization: Bearer sk-ant-good", "anthropic-version: 2026-10-21", NULL};
    const char *old[] = {"x-api-key: sk-ant-good", "anthropic-version: 2023-01-01", NULL};
    const char *none[] = {"anthropic-version: 2023-06-01", NULL};
    const char *wrong[] = {"x-api-key: sk-ant-bad", "anthropic-version: 2023-06-01", NULL};
    const char *wrong_bearer[] = {"authorization: Bearer sk-ant-bad", "anthropic-version: 2023-06-01", NULL};
    const char *wrong_oauth[] = {"authorization: Bearer sk-ant-oat01-x", "anthropic-version: 2023-06-01", NULL};
    const char *key_wins[] = {"x-api-key: sk-ant-bad", "authorization: Bearer sk-ant-good",
                              "anthropic-version: 2023-06-01", NULL};
    const char *no_version[] = {"x-api-key: sk-ant-good", NULL};
    const char *bad_version[] = {"x-api-key: sk-ant-good", "anthropic-version: 2023-10-01", NULL};
    expect_auth(key_v1, 0, NULL);
    expect_auth(bearer_v2, 0, NULL);
    expect_auth(old, 0, NULL);
    expect_auth(none, 401, "x-api-key header is required");
    expect_auth(wrong, 401, "invalid x-api-key");
    expect_auth(wrong_bearer, 401, "invalid x-api-key");
    expect_auth(wrong_oauth, 401, "OAuth access token is invalid.");
    expect_auth(key_wins, 401, "invalid x-api-key");
    expect_auth(no_version, 400, "anthropic-version: header is required");
    expect_auth(bad_version, 400, "anthropic-version: \"2023-10-01\" is not a valid version");
    mp_error_t err;
    cm_str_t key;
    assert_int_equal(authorize(bearer_v2, &err, &key), 0);
    assert_int_equal(key.n, strlen("sk-ant-good"));
    assert_memory_equal(key.p, "sk-ant-good", key.n);
}

/* Every status a fault can ask for renders Anthropic's body with the type of that status. */
static void test_error_bodies(void **state)
{
    (void)state;
    static const struct {
        mp_error_kind_t kind;
        int status;
        const char *body;
    } cases[] = {
        {MP_ERR_UNAUTHORIZED, 401,
         "{\"type\":\"error\",\"error\":{\"type\":\"authentication_error\",\"message\":\"x-api-key header is "
         "required\"},\"request_id\":\"req_011CX\"}"},
        {MP_ERR_MODEL_NOT_FOUND, 404,
         "{\"type\":\"error\",\"error\":{\"type\":\"not_found_error\",\"message\":\"model: claude-x\"},"
         "\"request_id\":\"req_011CX\"}"},
        {MP_ERR_TOO_LARGE, 413,
         "{\"type\":\"error\",\"error\":{\"type\":\"request_too_large\",\"message\":\"Request exceeds the maximum "
         "allowed number of bytes.\"},\"request_id\":\"req_011CX\"}"},
        {MP_ERR_SERVER, 500,
         "{\"type\":\"error\",\"error\":{\"type\":\"api_error\",\"message\":\"Internal server error\"},"
         "\"request_id\":\"req_011CX\"}"},
        {MP_ERR_SERVER, 529,
         "{\"type\":\"error\",\"error\":{\"type\":\"overloaded_error\",\"message\":\"Overloaded\"},"
         "\"request_id\":\"req_011CX\"}"},
        {MP_ERR_UNAVAILABLE, 503,
         "{\"type\":\"error\",\"error\":{\"type\":\"overloaded_error\",\"message\":\"Overloaded\"},"
         "\"request_id\":\"req_011CX\"}"},
        {MP_ERR_SERVER, 502,
         "{\"type\":\"error\",\"error\":{\"type\":\"api_error\",\"message\":\"Internal server error\"},"
         "\"request_id\":\"req_011CX\"}"},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        mp_error_t err;
        mp_error_preset(an(), &err, cases[i].kind, cases[i].kind == MP_ERR_MODEL_NOT_FOUND ? "claude-x" : NULL);
        err.status = cases[i].status;
        err.request_id = "req_011CX";
        cm_buf_t out = {0};
        an()->render_error(&err, &out);
        assert_string_equal(out.data, cases[i].body);
        cm_buf_free(&out);
    }
    mp_error_t err;
    mp_error_preset(an(), &err, MP_ERR_RATE_LIMITED, "claude-x");
    assert_int_equal(err.status, 429);
    assert_non_null(strstr(err.message, "rate limit for your organization (" MP_AN_ORGANIZATION ")"));
    mp_error_set(&err, MP_ERR_BAD_REQUEST, NULL, "The request could not be served (HTTP %d).", 403);
    err.status = 403;
    cm_buf_t out = {0};
    an()->render_error(&err, &out);
    assert_non_null(strstr(out.data, "\"type\":\"permission_error\""));
    assert_non_null(strstr(out.data, "\"request_id\":null"));
    cm_buf_free(&out);
}

static void test_ids(void **state)
{
    (void)state;
    fx_t *f = fx_new();
    f->dep.provider = MP_PROVIDER_ANTHROPIC;
    f->dep.ops = an();
    fx_begin(f, MP_API_MESSAGES,
             "{\"model\":\"m\",\"max_tokens\":5,\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}");
    assert_int_equal(strlen(f->x.id), 28);
    assert_memory_equal(f->x.id, "msg_01", 6);
    for (size_t i = 6; i < 28; i++)
        assert_true(strchr("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz", f->x.id[i]) != NULL);
    char first[64];
    fx_copy(first, sizeof(first), f->x.id);
    mp_exchange_end(&f->x);
    mp_exchange_begin(&f->x, &f->dep, &f->req, &f->rng, &f->a);
    assert_string_not_equal(first, f->x.id);
    assert_string_equal(an()->request_id_prefix, "req_011C");
    assert_int_equal(an()->request_id_base62, 20);
    assert_string_equal(an()->request_id_header, "request-id");
    assert_string_equal(an()->base_path, "");
    fx_free(f);
}

static void test_models(void **state)
{
    (void)state;
    static char *models[] = {"claude-sonnet-4-5-20250929", "claude-opus-4-7", "my-model"};
    mp_deployment_t dep = {.name = "t", .models = models, .nmodels = 3};
    cm_buf_t out = {0};
    mp_error_t err;
    assert_int_equal(an()->render_models_at(&dep, "/v1/models", 10, &out, &err), 0);
    assert_string_equal(
        out.data,
        "{\"data\":[{\"type\":\"model\",\"id\":\"claude-sonnet-4-5-20250929\",\"display_name\":\"Claude Sonnet 4.5\","
        "\"created_at\":\"2025-09-29T00:00:00Z\"},{\"type\":\"model\",\"id\":\"claude-opus-4-7\",\"display_name\":"
        "\"Claude Opus 4.7\",\"created_at\":\"2025-01-01T00:00:00Z\"},{\"type\":\"model\",\"id\":\"my-model\","
        "\"display_name\":\"my-model\",\"created_at\":\"2025-01-01T00:00:00Z\"}],\"has_more\":false,\"first_id\":"
        "\"claude-sonnet-4-5-20250929\",\"last_id\":\"my-model\"}");
    cm_buf_reset(&out);
    const char *one = "/v1/models/claude-opus-4-7";
    assert_int_equal(an()->render_models_at(&dep, one, strlen(one), &out, &err), 0);
    assert_string_equal(out.data, "{\"type\":\"model\",\"id\":\"claude-opus-4-7\",\"display_name\":\"Claude Opus 4.7\","
                                  "\"created_at\":\"2025-01-01T00:00:00Z\"}");
    const char *none = "/v1/models/claude-2";
    assert_int_equal(an()->render_models_at(&dep, none, strlen(none), &out, &err), -1);
    assert_int_equal(err.status, 404);
    assert_string_equal(err.message, "model: claude-2");
    mp_deployment_t any = {.name = "any"};
    cm_buf_reset(&out);
    an()->render_models(&any, &out);
    assert_non_null(strstr(out.data, "\"first_id\":\"claude-haiku-4-5-20251001\""));
    cm_buf_free(&out);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_routes), cmocka_unit_test(test_auth),   cmocka_unit_test(test_error_bodies),
        cmocka_unit_test(test_ids),    cmocka_unit_test(test_models),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
