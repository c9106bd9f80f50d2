/* tests/unit/harness/config/config_http_test.c — `api: http` templates in scenario files (config_http.c): every
 * key read, bodies as text or as YAML written out as JSON, statuses, and errors at their file:line:col,
 * including each kind's refusal of the other kind's keys and the bounds one past their limit. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness/config/config.h"

#include "unit/harness/config/config_load.h"

static void test_full_template(void **state)
{
    (void)state;
    hx_cfg_t c;
    cm_err_t err;
    char why[256];
    const char *text = "load:\n"
                       "  target: http://127.0.0.1:9/v1\n"
                       "  arrival: {constant: 10/s}\n"
                       "  requests:\n"
                       "    - name: keys\n"
                       "      api: http\n"
                       "      weight: 2\n"
                       "      method: DELETE\n"
                       "      path: /key/delete?x=1\n"
                       "      base: host\n"
                       "      headers: {Authorization: Bearer sk-admin}\n"
                       "      body: '{\"keys\": [\"k-{{random hex 6}}\"]}'\n"
                       "      expect_status: [200-299, 404, 5xx]\n"
                       "      json: true\n"
                       "      contains: deleted\n"
                       "      api_key: sk-2\n"
                       "    - {api: http, path: /models}\n";
    assert_int_equal(load(&c, text, &err), 0);
    assert_int_equal(c.nreqs, 2);
    const hx_reqspec_t *s = &c.reqs[0];
    assert_string_equal(s->api, "http");
    assert_string_equal(s->name, "keys");
    assert_true(s->weight == 2);
    assert_int_equal(s->method, HX_METHOD_DELETE);
    assert_string_equal(s->path, "/key/delete?x=1");
    assert_true(s->from_host);
    assert_string_equal(s->body, "{\"keys\": [\"k-{{random hex 6}}\"]}");
    assert_true(hx_status_match(s->expect_status, 204));
    assert_true(hx_status_match(s->expect_status, 404));
    assert_true(hx_status_match(s->expect_status, 599));
    assert_false(hx_status_match(s->expect_status, 403));
    assert_true(s->check_json);
    assert_string_equal(s->contains, "deleted");
    assert_int_equal(s->nheaders, 1);
    assert_int_equal(c.reqs[1].method, -1);
    assert_null(c.reqs[1].expect_status);
    assert_int_equal(hx_cfg_finish(&c, why, sizeof(why)), 0);
    /* the template's own Authorization header replaces the Bearer key */
    assert_string_equal(c.workload.reqs[0].headers[1], "Authorization: Bearer sk-admin");
    assert_int_equal(c.workload.reqs[0].http->method, HX_METHOD_DELETE);
    assert_int_equal(c.workload.nmodels, 0);
    hx_cfg_free(&c);
}

/* A body written as YAML goes out as the JSON it reads as; placeholders stay live inside its strings. */
static void test_yaml_body(void **state)
{
    (void)state;
    hx_cfg_t c;
    cm_err_t err;
    const char *text = "load:\n"
                       "  requests:\n"
                       "    - api: http\n"
                       "      path: /chat/completions\n"
                       "      body: {model: m, n: 2, stream: false, messages: [{role: user, content: \"{{seq}}\"}]}\n"
                       "      expect_status: 201\n";
    assert_int_equal(load(&c, text, &err), 0);
    assert_string_equal(c.reqs[0].body, "{\"model\": \"m\", \"n\": 2, \"stream\": false, \"messages\": "
                                        "[{\"role\": \"user\", \"content\": \"{{seq}}\"}]}");
    assert_true(hx_status_match(c.reqs[0].expect_status, 201));
    assert_false(hx_status_match(c.reqs[0].expect_status, 200));
    hx_cfg_free(&c);
}

static void test_errors(void **state)
{
    (void)state;
    expect_error("load:\n  requests:\n    - {api: http}\n",
                 "s.yaml:3:7: load.requests[0]: api: http needs a path (like /v1/models, or an http:// URL)");
    expect_error("load:\n  requests:\n    - {api: http, path: v1/models}\n",
                 "s.yaml:3:25: load.requests[0].path: \"v1/models\": expected a path starting with / or an http:// or "
                 "https:// URL");
    expect_error("load:\n  requests:\n    - {api: http, path: /x, method: get}\n",
                 "s.yaml:3:37: load.requests[0].method: unknown method \"get\" (expected one of GET, POST, PUT, PATCH, "
                 "DELETE, HEAD, OPTIONS)");
    expect_error("load:\n  requests:\n    - {api: http, path: /x, method: HEAD, body: x}\n",
                 "s.yaml:3:49: load.requests[0].body: HEAD sends no body");
    expect_error("load:\n  requests:\n    - {api: http, path: /x, body: \"{{user}}\"}\n",
                 "s.yaml:3:35: load.requests[0].body: unknown template variable \"{{user}}\" at byte 0 (expected "
                 "{{uuid}}, {{seq}}, {{random MIN..MAX}} or {{random hex N}})");
    expect_error("load:\n  requests:\n    - {api: http, path: /x, expect_status: [200, 299-200]}\n",
                 "s.yaml:3:50: load.requests[0].expect_status[1]: \"299-200\": expected a status from 100 to 599, a "
                 "range like 200-299 or a class like 2xx");
    expect_error("load:\n  requests:\n    - {api: http, path: /x, expect_status: []}\n",
                 "s.yaml:3:44: load.requests[0].expect_status: expected at least one status or range");
    expect_error("load:\n  requests:\n    - {api: http, path: /x, json: maybe}\n",
                 "s.yaml:3:35: load.requests[0].json: expected true or false, got \"maybe\"");
    expect_error("load:\n  requests:\n    - {api: http, path: /x, contains: \"\"}\n",
                 "s.yaml:3:39: load.requests[0].contains: expected 1 to 1024 bytes of text");
    expect_error("load:\n  requests:\n    - {api: http, path: /x, base: root}\n",
                 "s.yaml:3:35: load.requests[0].base: expected api_base (the default) or host, got \"root\"");
    expect_error("load:\n  requests:\n    - {api: http, path: \"http://127.0.0.1:1/x\", base: host}\n",
                 "s.yaml:3:55: load.requests[0].base: host goes with a path starting with /, not a whole URL");
}

/* Each kind refuses the other's keys by name; a key of neither is unknown. */
static void test_wrong_kind(void **state)
{
    (void)state;
    expect_error("load:\n  requests:\n    - {api: http, path: /x, model: m}\n",
                 "s.yaml:3:36: load.requests[0].model: not for api: http (it sends its body as written)");
    expect_error("load:\n  requests:\n    - {api: http, path: /x, stream: true}\n",
                 "s.yaml:3:37: load.requests[0].stream: not for api: http (it sends its body as written)");
    expect_error("load:\n  requests:\n    - {api: openai.chat, path: /x}\n",
                 "s.yaml:3:32: load.requests[0].path: only for api: http");
    expect_error("load:\n  requests:\n    - {api: openai.chat, expect_status: 200}\n",
                 "s.yaml:3:41: load.requests[0].expect_status: only for api: http");
    hx_cfg_t c;
    cm_err_t err;
    assert_int_equal(load(&c, "load:\n  requests:\n    - {api: http, path: /x, mehtod: GET}\n", &err), -1);
    assert_non_null(strstr(err.msg, "unknown key \"mehtod\" (did you mean \"method\"?"));
    hx_cfg_free(&c);
}

/* Bounds one past their limits: the path, the body, the number of statuses. */
static void test_bounds(void **state)
{
    (void)state;
    hx_cfg_t c;
    cm_err_t err;
    cm_buf_t b = CM_BUF_INIT;
    cm_buf_puts(&b, "load:\n  requests:\n    - api: http\n      path: /");
    for (int i = 0; i < HX_HTTP_PATH_MAX; i++)
        cm_buf_putc(&b, 'p');
    cm_buf_puts(&b, "\n");
    assert_int_equal(load(&c, b.data, &err), -1);
    assert_string_equal(err.msg, "s.yaml:4:13: load.requests[0].path: 2049 bytes (at most 2048)");
    hx_cfg_free(&c);

    cm_buf_reset(&b);
    cm_buf_puts(&b, "load:\n  requests:\n    - api: http\n      path: /x\n      body: '");
    for (unsigned i = 0; i <= HX_HTTP_BODY_MAX; i++)
        cm_buf_putc(&b, 'b');
    cm_buf_puts(&b, "'\n");
    assert_int_equal(load(&c, b.data, &err), -1);
    assert_string_equal(err.msg, "s.yaml:5:13: load.requests[0].body: 1048577 bytes (at most 1048576)");
    hx_cfg_free(&c);

    cm_buf_reset(&b);
    cm_buf_puts(&b, "load:\n  requests:\n    - api: http\n      path: /x\n      expect_status: [");
    for (int i = 0; i <= HX_HTTP_STATUS_ITEMS_MAX; i++)
        cm_buf_printf(&b, "%s%d", i ? ", " : "", 200 + i);
    cm_buf_puts(&b, "]\n");
    assert_int_equal(load(&c, b.data, &err), -1);
    assert_string_equal(err.msg, "s.yaml:5:183: load.requests[0].expect_status[32]: more than 32 statuses or ranges");
    hx_cfg_free(&c);

    /* headers: one line past HX_HEADER_LINE_MAX is refused (not cut short), and one header past HX_MAX_HEADERS */
    cm_buf_reset(&b);
    cm_buf_puts(&b, "load:\n  requests:\n    - api: http\n      path: /x\n      headers: {X-Big: ");
    for (int i = 0; i < HX_HEADER_LINE_MAX - 6; i++)
        cm_buf_putc(&b, 'v');
    cm_buf_puts(&b, "}\n");
    assert_int_equal(load(&c, b.data, &err), -1);
    assert_string_equal(err.msg, "s.yaml:5:24: load.requests[0].headers.X-Big: a header line of more than 8192 bytes");
    hx_cfg_free(&c);
    cm_buf_reset(&b);
    cm_buf_puts(&b, "load:\n  requests:\n    - api: http\n      path: /x\n      headers:\n");
    for (int i = 0; i <= HX_MAX_HEADERS; i++)
        cm_buf_printf(&b, "        X-H%d: v\n", i);
    assert_int_equal(load(&c, b.data, &err), -1);
    assert_string_equal(err.msg, "s.yaml:6:9: load.requests[0].headers: 65 headers (at most 64)");
    hx_cfg_free(&c);
    cm_buf_free(&b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_full_template), cmocka_unit_test(test_yaml_body), cmocka_unit_test(test_errors),
        cmocka_unit_test(test_wrong_kind),    cmocka_unit_test(test_bounds),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
