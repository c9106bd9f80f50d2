/* tests/unit/mock-provider/admin/update_test.c — admin API updates (mock-provider/admin/update.c): JSON read
 * by the same reader as the YAML file, PUT / PATCH / faults semantics, fixed fields, errors that name the
 * field with the body's line:col, and nothing built when the update is invalid. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "mock-provider/admin/update.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "faults/fault.h"
#include "mock-provider/config.h"
#include "mock-provider/provider.h"

#define assert_near(a, b)                                                                                              \
    do {                                                                                                               \
        double x_ = (a), y_ = (b);                                                                                     \
        if (x_ - y_ > 1 || y_ - x_ > 1)                                                                                \
            fail_msg("%s is %g, expected %g", #a, x_, y_);                                                             \
    } while (0)

static const char yaml[] = "mock:\n"
                           "  deployments:\n"
                           "    - name: a\n"
                           "      provider: openai\n"
                           "      listen: 127.0.0.1:0\n"
                           "      latency: {ttft: 80ms, itl: \"normal(20ms, 5ms)\"}\n"
                           "      output_tokens: fixed(12)\n"
                           "      limits: {rpm: 600}\n"
                           "      faults:\n"
                           "        - {kind: http_error, status: 503, first: 2}\n";

typedef struct fixture {
    mp_config_t cfg;
} fixture_t;

static int setup(void **state)
{
    fixture_t *f = calloc(1, sizeof(*f));
    cm_conf_t conf;
    cm_err_t err;
    mp_config_init(&f->cfg);
    assert_int_equal(cm_conf_load_string(&conf, "t.yaml", yaml, strlen(yaml), &err), 0);
    if (mp_config_load(&f->cfg, &conf, &err) != 0)
        fail_msg("%s", err.msg);
    cm_conf_free(&conf);
    mp_deployment_t *d = &f->cfg.deps[0];
    d->ops = mp_provider_for(d->provider);
    d->listen_port = 41000; /* as if bound */
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fixture_t *f = *state;
    mp_config_free(&f->cfg);
    free(f);
    return 0;
}

static int build(fixture_t *f, mp_admin_op_t op, const char *body, mp_deployment_t *out, mp_admin_kept_t *same,
                 cm_err_t *err)
{
    memset(err, 0, sizeof(*err));
    return mp_admin_build(&f->cfg.deps[0], 0, op, body, body ? strlen(body) : 0, out, same, err);
}

static void expect_error(fixture_t *f, mp_admin_op_t op, const char *body, const char *msg)
{
    mp_deployment_t d;
    mp_admin_kept_t same;
    cm_err_t err;
    memset(&d, 0, sizeof(d));
    assert_int_equal(build(f, op, body, &d, &same, &err), -1);
    assert_string_equal(err.msg, msg);
    assert_null(d.name); /* nothing built */
}

static void test_source_kept(void **state)
{
    fixture_t *f = *state;
    assert_string_equal(
        f->cfg.deps[0].source,
        "{\"name\": \"a\", \"provider\": \"openai\", \"listen\": \"127.0.0.1:0\", \"latency\": {\"ttft\": "
        "\"80ms\", \"itl\": \"normal(20ms, 5ms)\"}, \"output_tokens\": \"fixed(12)\", \"limits\": "
        "{\"rpm\": 600}, \"faults\": [{\"kind\": \"http_error\", \"status\": 503, \"first\": 2}]}");
}

static void test_patch_merges(void **state)
{
    fixture_t *f = *state;
    mp_deployment_t d;
    mp_admin_kept_t same;
    cm_err_t err;
    assert_int_equal(build(f, MP_ADMIN_PATCH, "{\"latency\": {\"ttft\": \"5ms\"}}", &d, &same, &err), 0);
    assert_near(d.ttft.a, 5e6);
    assert_int_equal(d.itl.kind, CM_DIST_NORMAL); /* kept from the current settings */
    assert_int_equal(d.faults->n, 1);
    assert_true(same.limits); /* limits untouched: the quota engine carries over */
    assert_true(same.faults); /* so do the faults and their counters */
    assert_true(d.limited);
    assert_int_equal(d.listen_port, 41000);
    assert_int_equal(d.index, 0);
    assert_ptr_equal(d.ops, f->cfg.deps[0].ops);
    assert_non_null(strstr(d.source, "\"ttft\": \"5ms\", \"itl\": \"normal(20ms, 5ms)\""));
    mp_deployment_free(&d);
    /* null removes a key (RFC 7386) and a new limit starts a new engine */
    assert_int_equal(build(f, MP_ADMIN_PATCH, "{\"faults\": null, \"limits\": {\"rpm\": 10}}", &d, &same, &err), 0);
    assert_null(d.faults);
    assert_false(same.limits);
    assert_false(same.faults);
    assert_int_equal(d.limits.rpm, 10);
    mp_deployment_free(&d);
}

static void test_put_replaces(void **state)
{
    fixture_t *f = *state;
    mp_deployment_t d;
    mp_admin_kept_t same;
    cm_err_t err;
    assert_int_equal(build(f, MP_ADMIN_PUT, "{\"output_tokens\": 3}", &d, &same, &err), 0);
    assert_string_equal(d.name, "a");
    assert_null(d.faults);    /* not in the body: gone */
    assert_false(d.limited);  /* the same */
    assert_near(d.ttft.a, 0); /* default */
    assert_string_equal(d.source, "{\"name\": \"a\", \"provider\": \"openai\", \"listen\": \"127.0.0.1:0\", "
                                  "\"output_tokens\": 3}");
    mp_deployment_free(&d);
    /* the fixed fields may be repeated, the bound port too */
    assert_int_equal(build(f, MP_ADMIN_PUT,
                           "{\"name\": \"a\", \"provider\": \"openai\", \"listen\": \"127.0.0.1:41000\"}", &d, &same,
                           &err),
                     0);
    mp_deployment_free(&d);
}

static void test_faults_put_delete(void **state)
{
    fixture_t *f = *state;
    mp_deployment_t d;
    mp_admin_kept_t same;
    cm_err_t err;
    assert_int_equal(build(f, MP_ADMIN_FAULTS_PUT,
                           "[{\"kind\": \"stall\", \"duration\": \"2s\"}, {\"kind\": \"close\", \"every_nth\": 3}]", &d,
                           &same, &err),
                     0);
    assert_int_equal(d.faults->n, 2);
    assert_int_equal(d.faults->faults[0].kind, FX_STALL);
    assert_true(d.limited && same.limits && !same.faults);
    mp_deployment_free(&d);
    assert_int_equal(build(f, MP_ADMIN_FAULTS_DELETE, NULL, &d, &same, &err), 0);
    assert_null(d.faults);
    assert_near(d.ttft.a, 80e6);
    mp_deployment_free(&d);
}

static void test_errors_name_the_field(void **state)
{
    fixture_t *f = *state;
    expect_error(
        f, MP_ADMIN_PATCH,
        "{\"faults\": [{\"kind\": \"http_error\", \"status\": 503},\n {\"kind\": \"stall\", \"duration\": \"soon\"}]}",
        "body:2:32: faults[1].duration: \"soon\": expected a number at \"soon\"");
    expect_error(f, MP_ADMIN_PATCH, "{\"latncy\": {}}",
                 "body:1:2: unknown key \"latncy\" (did you mean \"latency\"? allowed: name, provider, listen, models, "
                 "api_keys, latency, output_tokens, content, tool_calls, embedding_dimensions, max_response, seed, "
                 "limits, faults, tokens_per_chunk, reasoning)");
    expect_error(f, MP_ADMIN_PUT, "{\"name\": \"b\"}",
                 "body:1:10: name: the deployment is \"a\": it cannot change at runtime (restart the mock with a new "
                 "configuration)");
    expect_error(
        f, MP_ADMIN_PATCH, "{\"provider\": \"anthropic\"}",
        "body:1:14: provider: the provider is openai: it cannot change at runtime (restart the mock with a new "
        "configuration)");
    expect_error(
        f, MP_ADMIN_PATCH, "{\"listen\": \"127.0.0.1:9\"}",
        "body:1:12: listen: the deployment listens on 127.0.0.1:41000: it cannot change at runtime (restart the "
        "mock with a new configuration)");
    expect_error(
        f, MP_ADMIN_PATCH, "{\"models\": [\"m\"]}",
        "body:1:12: models: the model list sets the metrics' label slots: it cannot change at runtime (restart "
        "the mock with a new configuration)");
    expect_error(f, MP_ADMIN_PATCH, "[1]", "body: expected a JSON object");
    expect_error(f, MP_ADMIN_FAULTS_PUT, "{}", "body: expected a JSON list of faults");
    expect_error(f, MP_ADMIN_PATCH, "", "body: expected a JSON object");
    expect_error(f, MP_ADMIN_PATCH, "{\"latency\": {\"ttft\": \"5ms\"}",
                 "body:2:1: did not find expected ',' or '}' (while parsing a flow mapping at line 1)");
}

/* A body one byte over the limit is refused before it is parsed. */
static void test_body_limit(void **state)
{
    fixture_t *f = *state;
    size_t n = MP_ADMIN_MAX_BODY + 1;
    char *body = malloc(n + 1);
    memset(body, ' ', n);
    body[0] = '{';
    body[n - 1] = '}';
    body[n] = '\0';
    mp_deployment_t d;
    mp_admin_kept_t same;
    cm_err_t err;
    assert_int_equal(build(f, MP_ADMIN_PATCH, body, &d, &same, &err), -1);
    assert_string_equal(err.msg, "body: larger than 1048576 bytes");
    body[n - 2] = '}';
    assert_int_equal(mp_admin_build(&f->cfg.deps[0], 0, MP_ADMIN_PATCH, body, n - 1, &d, &same, &err), 0);
    mp_deployment_free(&d);
    free(body);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_source_kept, setup, teardown),
        cmocka_unit_test_setup_teardown(test_patch_merges, setup, teardown),
        cmocka_unit_test_setup_teardown(test_put_replaces, setup, teardown),
        cmocka_unit_test_setup_teardown(test_faults_put_delete, setup, teardown),
        cmocka_unit_test_setup_teardown(test_errors_name_the_field, setup, teardown),
        cmocka_unit_test_setup_teardown(test_body_limit, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
