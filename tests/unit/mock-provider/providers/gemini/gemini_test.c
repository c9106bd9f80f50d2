/* Tests mock-provider/providers/gemini.c and gemini_error.c: the Gemini API's and Vertex's routes, credentials,
 * Vertex's project and location, ids, and Google's error bodies. */
#include "unit/mock-provider/providers/fixture.h"
#include "common/config.h"
#include "mock-provider/providers/gemini/gemini.h"

typedef struct fake_http {
    mp_http_t http;
    const char *names[4], *values[4];
} fake_http_t;

static cm_str_t fake_header(const mp_http_t *http, const char *name)
{
    const fake_http_t *f = (const fake_http_t *)http;
    for (int i = 0; i < 4 && f->names[i] != NULL; i++)
        if (strcmp(f->names[i], name) == 0)
            return (cm_str_t){f->values[i], strlen(f->values[i])};
    return (cm_str_t){NULL, 0};
}

/* method, path with an optional "?query", and up to two headers. */
static fake_http_t request(const char *method, const char *target, const char *h1, const char *v1)
{
    fake_http_t f = {0};
    const char *q = strchr(target, '?');
    size_t plen = q ? (size_t)(q - target) : strlen(target);
    f.http = (mp_http_t){.method = {method, strlen(method)},
                         .path = {target, plen},
                         .query = q ? (cm_str_t){q + 1, strlen(q + 1)} : (cm_str_t){NULL, 0},
                         .header = fake_header};
    f.names[0] = h1;
    f.values[0] = v1;
    return f;
}

static const mp_provider_t *gemini(void)
{
    return mp_provider_for(MP_PROVIDER_GEMINI);
}

static const mp_provider_t *vertex(void)
{
    return mp_provider_for(MP_PROVIDER_VERTEX);
}

static void test_gemini_routes(void **state)
{
    (void)state;
    static const struct {
        const char *method, *target;
        mp_api_t api;
        uint8_t variant;
        const char *model, *ctype;
    } ok[] = {
        {"POST", "/v1beta/models/gemini-2.0-flash:generateContent", MP_API_GENERATE, MP_GM_V_PLAIN, "gemini-2.0-flash",
         NULL},
        {"POST", "/v1/models/gemini-2.0-flash:generateContent", MP_API_GENERATE, MP_GM_V_PLAIN, "gemini-2.0-flash",
         NULL},
        {"POST", "/v1beta/models/m:streamGenerateContent?alt=sse", MP_API_GENERATE, MP_GM_V_SSE, "m", NULL},
        {"POST", "/v1beta/models/m:streamGenerateContent?key=k&alt=sse", MP_API_GENERATE, MP_GM_V_SSE, "m", NULL},
        {"POST", "/v1beta/models/m:streamGenerateContent", MP_API_GENERATE, MP_GM_V_ARRAY, "m",
         "application/json; charset=UTF-8"},
        {"POST", "/v1beta/models/m%3AstreamGenerateContent?alt=json", MP_API_GENERATE, MP_GM_V_ARRAY, "m",
         "application/json; charset=UTF-8"},
        {"POST", "/v1beta/models/text-embedding-004:embedContent", MP_API_EMBEDDINGS, MP_GM_V_EMBED,
         "text-embedding-004", NULL},
        {"POST", "/v1beta/models/e:batchEmbedContents", MP_API_EMBEDDINGS, MP_GM_V_BATCH, "e", NULL},
        {"POST", "/v1beta/models/m:countTokens", MP_API_COUNT_TOKENS, MP_GM_V_PLAIN, "m", NULL},
        {"GET", "/v1beta/models", MP_API_MODELS, 0, "", NULL},
        {"GET", "/v1/models/gemini-2.5-pro", MP_API_MODELS, 0, "gemini-2.5-pro", NULL},
    };
    for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
        fake_http_t h = request(ok[i].method, ok[i].target, NULL, NULL);
        mp_route_t r;
        mp_error_t err;
        if (gemini()->route(&h.http, &r, &err) != 0)
            fail_msg("%s %s: %s", ok[i].method, ok[i].target, err.message);
        assert_int_equal(r.api, ok[i].api);
        assert_int_equal(r.variant, ok[i].variant);
        assert_int_equal(r.stream, ok[i].variant == MP_GM_V_SSE || ok[i].variant == MP_GM_V_ARRAY);
        assert_int_equal(r.model.n, strlen(ok[i].model));
        assert_memory_equal(r.model.p ? r.model.p : "", ok[i].model, r.model.n);
        if (ok[i].ctype == NULL)
            assert_null(r.stream_content_type);
        else
            assert_string_equal(r.stream_content_type, ok[i].ctype);
    }
}

static void test_gemini_route_errors(void **state)
{
    (void)state;
    static const char *const bad[][2] = {
        {"POST", "/v1beta/models/m:predict"}, /* Vertex's, not the Gemini API's */
        {"POST", "/v1beta/models/m:fooBar"},
        {"GET", "/v1beta/models/m:generateContent"},
        {"POST", "/v1beta/models"},
        {"POST", "/v2/models/m:generateContent"},
        {"POST", "/v1/chat/completions"},
        {"POST", "/v1beta/models/m/x:generateContent"},
        {"POST", "/"},
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        fake_http_t h = request(bad[i][0], bad[i][1], NULL, NULL);
        mp_route_t r;
        mp_error_t err;
        if (gemini()->route(&h.http, &r, &err) == 0)
            fail_msg("%s %s routed", bad[i][0], bad[i][1]);
        assert_int_equal(err.status, 404);
        assert_string_equal(err.message, "Requested entity was not found.");
    }
    fake_http_t h = request("POST", "/v1beta/models/a\"b:generateContent", NULL, NULL);
    mp_route_t r;
    mp_error_t err;
    assert_int_equal(gemini()->route(&h.http, &r, &err), -1);
    assert_int_equal(err.kind, MP_ERR_MODEL_NOT_FOUND);
}

static void test_vertex_routes(void **state)
{
    (void)state;
    fake_http_t h = request(
        "POST", "/v1/projects/p-1/locations/us-central1/publishers/google/models/gemini-2.0-flash:generateContent",
        NULL, NULL);
    mp_route_t r;
    mp_error_t err;
    assert_int_equal(vertex()->route(&h.http, &r, &err), 0);
    assert_int_equal(r.api, MP_API_GENERATE);
    assert_int_equal(r.variant, MP_GM_V_PLAIN | MP_GM_V_VERTEX);
    assert_int_equal(r.target.n, strlen("projects/p-1/locations/us-central1"));
    assert_memory_equal(r.target.p, "projects/p-1/locations/us-central1", r.target.n);
    h = request("POST", "/v1beta1/projects/p/locations/l/publishers/google/models/e:predict", NULL, NULL);
    assert_int_equal(vertex()->route(&h.http, &r, &err), 0);
    assert_int_equal(MP_GM_KIND(r.variant), MP_GM_V_PREDICT);
    h = request("POST", "/v1/publishers/google/models/m:streamGenerateContent?alt=sse", NULL, NULL); /* express */
    assert_int_equal(vertex()->route(&h.http, &r, &err), 0);
    assert_int_equal(MP_GM_KIND(r.variant), MP_GM_V_SSE);
    assert_int_equal(r.target.n, 0);
    static const char *const bad[] = {
        "/v1/projects/p/locations/l/publishers/google/models/m:embedContent",
        "/v1/projects/p/publishers/google/models/m:generateContent",
        "/v1beta/projects/p/locations/l/publishers/google/models/m:generateContent",
        "/v1/projects/p/locations/l/publishers/meta/models/m:generateContent",
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        h = request("POST", bad[i], NULL, NULL);
        if (vertex()->route(&h.http, &r, &err) == 0)
            fail_msg("%s routed", bad[i]);
        assert_int_equal(err.status, 404);
    }
}

static void test_gemini_auth(void **state)
{
    (void)state;
    mp_deployment_t dep = {.name = "t"};
    char *keys[] = {"gk"};
    dep.api_keys = keys;
    dep.nkeys = 1;
    mp_route_t r = {.api = MP_API_GENERATE};
    mp_error_t err;
    cm_str_t key;
    fake_http_t h = request("POST", "/v1beta/models/m:generateContent", "x-goog-api-key", "gk");
    assert_int_equal(gemini()->auth(&h.http, &r, &dep, &key, &err), 0);
    h = request("POST", "/v1beta/models/m:generateContent?alt=sse&key=gk", NULL, NULL);
    assert_int_equal(gemini()->auth(&h.http, &r, &dep, &key, &err), 0);
    assert_int_equal(key.n, 2);
    h = request("POST", "/v1beta/models/m:generateContent", "authorization", "Bearer gk");
    assert_int_equal(gemini()->auth(&h.http, &r, &dep, &key, &err), 0);
    h = request("POST", "/v1beta/models/m:generateContent", "x-goog-api-key", "nope");
    assert_int_equal(gemini()->auth(&h.http, &r, &dep, &key, &err), -1);
    assert_int_equal(err.status, 400);
    assert_string_equal(err.message, "API key not valid. Please pass a valid API key.");
    h = request("POST", "/v1beta/models/m:generateContent", NULL, NULL);
    assert_int_equal(gemini()->auth(&h.http, &r, &dep, &key, &err), -1);
    assert_int_equal(err.status, 403);
}

static void test_vertex_auth_and_place(void **state)
{
    (void)state;
    mp_deployment_t dep = {.name = "t"};
    char *keys[] = {"tok"};
    dep.api_keys = keys;
    dep.nkeys = 1;
    mp_error_t err;
    cm_str_t key;
    mp_route_t r;
    fake_http_t h = request("POST", "/v1/projects/p1/locations/l1/publishers/google/models/m:generateContent",
                            "authorization", "Bearer tok");
    assert_int_equal(vertex()->route(&h.http, &r, &err), 0);
    assert_int_equal(vertex()->auth(&h.http, &r, &dep, &key, &err), 0);
    fake_http_t none = request("POST", "/v1/x", NULL, NULL);
    assert_int_equal(vertex()->auth(&none.http, &r, &dep, &key, &err), -1);
    assert_int_equal(err.status, 401);
    assert_string_equal(err.code, MP_GM_D_NO_CREDENTIALS);
    fake_http_t wrong = request("POST", "/v1/x", "authorization", "Bearer nope");
    assert_int_equal(vertex()->auth(&wrong.http, &r, &dep, &key, &err), -1);
    assert_int_equal(err.status, 401);
    /* project and location, read from a config */
    cm_conf_t conf = {0};
    cm_err_t cerr;
    const char *yaml = "project: p1\nlocation: l2\n";
    assert_int_equal(cm_conf_load_string(&conf, "t.yaml", yaml, strlen(yaml), &cerr), 0);
    assert_int_equal(vertex()->read_config(&conf, conf.root, "d", &dep, &cerr), 0);
    assert_int_equal(vertex()->auth(&h.http, &r, &dep, &key, &err), -1);
    assert_int_equal(err.status, 404); /* another location: the model is not served there */
    vertex()->free_config(&dep);
    cm_conf_free(&conf);
    const char *yaml2 = "project: p2\n";
    cm_conf_t conf2 = {0};
    assert_int_equal(cm_conf_load_string(&conf2, "t.yaml", yaml2, strlen(yaml2), &cerr), 0);
    assert_int_equal(vertex()->read_config(&conf2, conf2.root, "d", &dep, &cerr), 0);
    assert_int_equal(vertex()->auth(&h.http, &r, &dep, &key, &err), -1);
    assert_int_equal(err.status, 403);
    assert_string_equal(err.message,
                        "Permission 'aiplatform.endpoints.predict' denied on resource "
                        "'//aiplatform.googleapis.com/projects/p1/locations/l1/publishers/google/models/m' "
                        "(or it may not exist).");
    vertex()->free_config(&dep);
    cm_conf_free(&conf2);
}

static void render(const mp_provider_t *p, const mp_error_t *err, cm_buf_t *out)
{
    cm_buf_reset(out);
    p->render_error(err, out);
}

static void test_error_bodies(void **state)
{
    (void)state;
    cm_buf_t out = CM_BUF_INIT;
    mp_error_t err;
    mp_error_preset(gemini(), &err, MP_ERR_UNAVAILABLE, NULL);
    render(gemini(), &err, &out);
    assert_string_equal(out.data, "{\n  \"error\": {\n    \"code\": 503,\n    \"message\": \"The model is overloaded. "
                                  "Please try again later.\",\n    \"status\": \"UNAVAILABLE\"\n  }\n}\n");
    mp_route_t array = {.api = MP_API_GENERATE, .variant = MP_GM_V_ARRAY, .model = {"m", 1}};
    err.route = &array;
    render(gemini(), &err, &out);
    assert_true(out.data[0] == '[' && out.data[out.len - 1] == ']');
    /* a 429 says when to retry, in the message and in RetryInfo */
    mp_error_preset(gemini(), &err, MP_ERR_RATE_LIMITED, "m");
    err.retry_after_ms = 2500;
    render(gemini(), &err, &out);
    assert_non_null(strstr(out.data, "Please retry in 3s.\""));
    assert_non_null(strstr(out.data, "\"retryDelay\": \"3s\""));
    assert_non_null(strstr(out.data, "\"status\": \"RESOURCE_EXHAUSTED\""));
    render(vertex(), &err, &out);
    assert_null(strstr(out.data, "retryDelay")); /* Vertex's 429 has no details */
    /* other statuses get their canonical codes (a fault's 418, 502, 504) */
    static const struct {
        int status;
        const char *code;
    } codes[] = {{418, "FAILED_PRECONDITION"}, {502, "INTERNAL"}, {504, "DEADLINE_EXCEEDED"}, {401, "UNAUTHENTICATED"}};
    for (size_t i = 0; i < sizeof(codes) / sizeof(codes[0]); i++) {
        mp_error_set(&err, codes[i].status >= 500 ? MP_ERR_SERVER : MP_ERR_BAD_REQUEST, NULL, "x");
        err.status = codes[i].status;
        render(vertex(), &err, &out);
        char want[64];
        snprintf(want, sizeof(want), "\"status\": \"%s\"", codes[i].code);
        if (strstr(out.data, want) == NULL)
            fail_msg("%d: %s", codes[i].status, out.data);
    }
    /* a model the path names, in each service's words */
    mp_route_t vr = {.api = MP_API_GENERATE, .model = {"g-9", 3}, .target = {"projects/p/locations/l", 22}};
    mp_error_preset(vertex(), &err, MP_ERR_MODEL_NOT_FOUND, "g-9");
    err.route = &vr;
    render(vertex(), &err, &out);
    assert_non_null(strstr(out.data, "Publisher Model `projects/p/locations/l/publishers/google/models/g-9` was not"));
    cm_buf_free(&out);
}

static void test_ids(void **state)
{
    (void)state;
    fx_t *f = fx_new();
    f->dep.ops = vertex();
    f->route = (mp_route_t){.api = MP_API_GENERATE, .model = {"m", 1}};
    const char *body = "{\"contents\":[{\"parts\":[{\"text\":\"hi\"}]}]}";
    assert_int_equal(f->dep.ops->parse(&f->route, body, strlen(body), &f->toks, &f->a, &f->req, &f->err), 0);
    mp_exchange_begin(&f->x, &f->dep, &f->req, &f->rng, &f->a);
    f->begun = true;
    assert_int_equal(strlen(f->x.id), 20);
    assert_int_equal(strlen(f->x.item_id), strlen("2026-01-01T00:00:00.000000Z"));
    assert_int_equal(f->x.item_id[26], 'Z');
    fx_free(f);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_gemini_routes),
        cmocka_unit_test(test_gemini_route_errors),
        cmocka_unit_test(test_vertex_routes),
        cmocka_unit_test(test_gemini_auth),
        cmocka_unit_test(test_vertex_auth_and_place),
        cmocka_unit_test(test_error_bodies),
        cmocka_unit_test(test_ids),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
