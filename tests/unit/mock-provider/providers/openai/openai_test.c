/* Tests mock-provider/providers/openai.c: routes, the error catalogue and bodies, GET models. */
#include "unit/mock-provider/providers/fixture.h"

static cm_str_t no_header(const mp_http_t *http, const char *name)
{
    (void)http;
    (void)name;
    return (cm_str_t){NULL, 0};
}

static int route(const char *method, const char *path, mp_api_t *api, mp_error_t *err)
{
    mp_http_t http = {.method = {method, strlen(method)}, .path = {path, strlen(path)}, .header = no_header};
    mp_route_t r;
    int rc = mp_provider_for(MP_PROVIDER_OPENAI)->route(&http, &r, err);
    if (rc == 0)
        *api = r.api;
    return rc;
}

static void test_routes(void **state)
{
    (void)state;
    static const struct {
        const char *method, *path;
        mp_api_t api;
    } ok[] = {
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
        {"GET", "/v1/models/gpt-4o", MP_API_MODELS},
        {"GET", "/models/ft:gpt-4o:org:x", MP_API_MODELS},
    };
    for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
        mp_api_t api = MP_API__COUNT;
        mp_error_t err;
        if (route(ok[i].method, ok[i].path, &api, &err) != 0)
            fail_msg("%s %s: %s", ok[i].method, ok[i].path, err.message);
        assert_int_equal(api, ok[i].api);
    }
}

static void test_route_not_found(void **state)
{
    (void)state;
    static const struct {
        const char *method, *path, *message;
    } bad[] = {
        {"POST", "/v1/foo", "Invalid URL (POST /v1/foo)"},
        {"GET", "/v1/chat/completions", "Invalid URL (GET /v1/chat/completions)"},
        {"POST", "/v1/models", "Invalid URL (POST /v1/models)"},
        {"POST", "/v1/chat/completions/", "Invalid URL (POST /v1/chat/completions/)"},
        {"GET", "/v1/models/", "Invalid URL (GET /v1/models/)"},
        {"DELETE", "/v1/models/x", "Invalid URL (DELETE /v1/models/x)"},
        {"GET", "/v1/modelsx", "Invalid URL (GET /v1/modelsx)"},
        {"POST", "/v1/\x01\xff", "Invalid URL (POST /v1/?\?)"},
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        mp_api_t api;
        mp_error_t err;
        assert_int_equal(route(bad[i].method, bad[i].path, &api, &err), -1);
        assert_int_equal(err.kind, MP_ERR_NOT_FOUND);
        assert_int_equal(err.status, 404);
        assert_string_equal(err.message, bad[i].message);
        assert_string_equal(err.param, "");
    }
}

static void test_render_error_shapes(void **state)
{
    (void)state;
    fx_t *f = fx_new();
    const mp_provider_t *p = f->dep.ops;
    mp_error_t err;
    /* A 400 from parsing: message, type, param and code. */
    assert_int_equal(fx_parse(f, MP_API_CHAT, "{\"model\":\"m\",\"messages\":\"hi\"}"), -1);
    p->render_error(&f->err, &f->out);
    assert_string_equal(
        f->out.data, "{\"error\":{\"message\":\"Invalid type for 'messages': expected an array of objects, but got a "
                     "string instead.\",\"type\":\"invalid_request_error\",\"param\":\"messages\",\"code\":"
                     "\"invalid_type\"}}");
    /* The catalogue's code and nulls. */
    cm_buf_reset(&f->out);
    mp_error_preset(p, &err, MP_ERR_MODEL_NOT_FOUND, "x\"y");
    p->render_error(&err, &f->out);
    assert_string_equal(f->out.data, "{\"error\":{\"message\":\"The model `x\\\"y` does not exist or you do not have "
                                     "access to it.\",\"type\":\"invalid_request_error\",\"param\":null,\"code\":"
                                     "\"model_not_found\"}}");
    cm_buf_reset(&f->out);
    mp_error_preset(p, &err, MP_ERR_SERVER, NULL);
    p->render_error(&err, &f->out);
    assert_string_equal(f->out.data, "{\"error\":{\"message\":\"The server had an error while processing your "
                                     "request. Sorry about that!\",\"type\":\"server_error\",\"param\":null,\"code\":"
                                     "null}}");
    cm_buf_reset(&f->out);
    mp_error_preset(p, &err, MP_ERR_UNAUTHORIZED, "sk-1234567890abcd");
    p->render_error(&err, &f->out);
    fx_read(f, f->out.data, f->out.len);
    assert_string_equal(jstr(&f->doc, 0, "error.code"), "invalid_api_key");
    assert_string_equal(jstr(&f->doc, 0, "error.type"), "invalid_request_error");
    /* An error filled by the core with mp_error_set and an empty message gets the catalogue wording. */
    cm_buf_reset(&f->out);
    mp_error_set(&err, MP_ERR_SERVER, NULL, "%s", "");
    p->render_error(&err, &f->out);
    fx_read(f, f->out.data, f->out.len);
    assert_string_equal(jstr(&f->doc, 0, "error.message"),
                        "The server had an error while processing your request. Sorry about that!");
    /* Control characters in a message are escaped. */
    cm_buf_reset(&f->out);
    mp_error_set(&err, MP_ERR_BAD_REQUEST, "a\"b", "line\nbreak\ttab\x01");
    p->render_error(&err, &f->out);
    fx_read(f, f->out.data, f->out.len);
    assert_string_equal(jstr(&f->doc, 0, "error.message"), "line\nbreak\ttab\x01");
    assert_string_equal(jstr(&f->doc, 0, "error.param"), "a\"b");
    assert_true(jnull(&f->doc, 0, "error.code"));
    fx_free(f);
}

static void test_every_kind_renders(void **state)
{
    (void)state;
    fx_t *f = fx_new();
    for (int k = 0; k < MP_ERR__COUNT; k++) {
        mp_error_t err;
        mp_error_preset(f->dep.ops, &err, (mp_error_kind_t)k, "arg");
        assert_int_equal(err.status, f->dep.ops->errors[k].status);
        assert_true(err.status >= 400);
        cm_buf_reset(&f->out);
        f->dep.ops->render_error(&err, &f->out);
        fx_read(f, f->out.data, f->out.len);
        for (const char *const *key = (const char *const[]){"message", "type", "param", "code", NULL}; *key; key++)
            if (jpath(&f->doc, cm_json_get(&f->doc, 0, "error"), *key) == 0)
                fail_msg("kind %d: no error.%s in %s", k, *key, f->out.data);
    }
    fx_free(f);
}

static void test_models_list(void **state)
{
    (void)state;
    fx_t *f = fx_new();
    char *models[] = {"gpt-4o-mini", "my\"model"};
    f->dep.models = models;
    f->dep.nmodels = 2;
    f->dep.ops->render_models(&f->dep, &f->out);
    fx_read(f, f->out.data, f->out.len);
    assert_string_equal(jstr(&f->doc, 0, "object"), "list");
    assert_int_equal(f->doc.tok[jpath(&f->doc, 0, "data")].count, 2);
    assert_string_equal(jstr(&f->doc, 0, "data.0.id"), "gpt-4o-mini");
    assert_string_equal(jstr(&f->doc, 0, "data.0.object"), "model");
    assert_string_equal(jstr(&f->doc, 0, "data.0.owned_by"), "system");
    assert_int_equal(jint(&f->doc, 0, "data.0.created"), 1686935002);
    assert_string_equal(jstr(&f->doc, 0, "data.1.id"), "my\"model");
    /* A deployment that accepts any model lists a default catalogue. */
    f->dep.nmodels = 0;
    cm_buf_reset(&f->out);
    f->dep.ops->render_models(&f->dep, &f->out);
    fx_read(f, f->out.data, f->out.len);
    assert_true(f->doc.tok[jpath(&f->doc, 0, "data")].count >= 3);
    assert_string_equal(jstr(&f->doc, 0, "data.0.id"), "gpt-4o");
    fx_free(f);
}

static int models_at(fx_t *f, const char *path)
{
    cm_buf_reset(&f->out);
    return f->dep.ops->render_models_at(&f->dep, path, strlen(path), &f->out, &f->err);
}

static void test_models_at(void **state)
{
    (void)state;
    fx_t *f = fx_new();
    char *models[] = {"gpt-4o-mini", "ft:gpt-4o:org:x"};
    f->dep.models = models;
    f->dep.nmodels = 2;
    assert_int_equal(models_at(f, "/v1/models"), 0);
    fx_read(f, f->out.data, f->out.len);
    assert_string_equal(jstr(&f->doc, 0, "object"), "list");
    assert_int_equal(models_at(f, "/v1/models/gpt-4o-mini"), 0);
    fx_read(f, f->out.data, f->out.len);
    assert_string_equal(jstr(&f->doc, 0, "id"), "gpt-4o-mini");
    assert_string_equal(jstr(&f->doc, 0, "object"), "model");
    assert_int_equal(models_at(f, "/models/ft%3Agpt-4o%3aorg%3Ax"), 0);
    fx_read(f, f->out.data, f->out.len);
    assert_string_equal(jstr(&f->doc, 0, "id"), "ft:gpt-4o:org:x");
    assert_int_equal(models_at(f, "/v1/models/gpt-5"), -1);
    assert_int_equal(f->out.len, 0);
    assert_int_equal(f->err.status, 404);
    assert_int_equal(f->err.kind, MP_ERR_MODEL_NOT_FOUND);
    assert_string_equal(f->err.message, "The model `gpt-5` does not exist or you do not have access to it.");
    assert_int_equal(models_at(f, "/v1/models/bad%zz"), -1);
    assert_string_equal(f->err.message, "The model `bad%zz` does not exist or you do not have access to it.");
    assert_int_equal(models_at(f, "/v1/models/%01x"), -1);
    f->dep.nmodels = 0; /* accepts any model: any id is served */
    assert_int_equal(models_at(f, "/v1/models/whatever-1"), 0);
    fx_read(f, f->out.data, f->out.len);
    assert_string_equal(jstr(&f->doc, 0, "id"), "whatever-1");
    fx_free(f);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_routes),
        cmocka_unit_test(test_route_not_found),
        cmocka_unit_test(test_render_error_shapes),
        cmocka_unit_test(test_every_kind_renders),
        cmocka_unit_test(test_models_list),
        cmocka_unit_test(test_models_at),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
