/* tests/unit/harness/run/scenario_test.c — the sections only `soak run` reads: services: (every key, its
 * errors with file:line:col), the mock deployments' names and hosts, the placeholders before and after the
 * processes run (unknown names and fields, the size limit), and the mock's ready lines. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "harness/run/scenario.h"

/* Loads text as a scenario file (written to a temporary file). Returns load's result. */
static int load_text(hx_scenario_t *s, const char *text, cm_err_t *err)
{
    char path[] = "/tmp/scenario_test.XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
    close(fd);
    int rc = hx_scenario_load(s, path, NULL, 0, err);
    unlink(path);
    return rc;
}

static void expect_error(const char *text, const char *part)
{
    hx_scenario_t s;
    cm_err_t err;
    assert_int_equal(load_text(&s, text, &err), -1);
    if (strstr(err.msg, part) == NULL) {
        print_error("expected \"%s\" in \"%s\"\n", part, err.msg);
        fail();
    }
    hx_scenario_free(&s);
}

static const char *const good = "name: t\n"
                                "services:\n"
                                "  - name: redis\n"
                                "    command: [redis-server, --port, \"{{services.redis.port}}\"]\n"
                                "    ready: {tcp: \"{{services.redis.port}}\"}\n"
                                "    timeout: 5s\n"
                                "  - name: web\n"
                                "    command: \"python3 -m http.server\"\n"
                                "    ready: {log: Serving}\n"
                                "mock:\n"
                                "  deployments:\n"
                                "    - {name: a, listen: \"127.0.0.1:8080\"}\n"
                                "    - {name: b, listen: \"[::1]:0\"}\n"
                                "    - {name: c}\n"
                                "load:\n"
                                "  target: \"{{deployments.a.url}}\"\n";

static void test_services_and_deployments(void **state)
{
    (void)state;
    hx_scenario_t s;
    cm_err_t err;
    assert_int_equal(load_text(&s, good, &err), 0);
    assert_int_equal(s.nservices, 2);
    assert_string_equal(s.services[0].name, "redis");
    assert_int_equal(s.services[0].ready, HX_READY_TCP);
    assert_int_equal(s.services[0].timeout_ns, 5000000000ull);
    assert_int_equal(s.services[0].command->n, 3);
    assert_int_equal(s.services[1].ready, HX_READY_LOG);
    assert_string_equal(s.services[1].ready_arg->str, "Serving");
    assert_int_equal(s.services[1].timeout_ns, HX_SERVICE_TIMEOUT_DEFAULT_NS);
    assert_true(s.has_mock);
    assert_int_equal(s.ndeps, 3);
    assert_string_equal(s.deps[0].host, "127.0.0.1");
    assert_string_equal(s.deps[1].host, "::1");
    assert_string_equal(s.deps[2].host, "127.0.0.1");
    hx_scenario_free(&s);
}

static void test_service_errors(void **state)
{
    (void)state;
    expect_error("services: {a: 1}\n", ":1:11: services: expected a list of services");
    expect_error("services:\n  - {command: [x]}\n", "missing required key \"name\"");
    expect_error("services:\n  - {name: a}\n", "missing required key \"command\"");
    expect_error("services:\n  - {name: 'a b', command: [x]}\n", "services[0].name: expected 1 to 48 letters");
    expect_error("services:\n  - {name: a, command: [x]}\n  - {name: a, command: [y]}\n",
                 ":3:12: services[1].name: \"a\" is already the name of services[0]");
    expect_error("services:\n  - {name: a, command: []}\n", "services[0].command: expected 1 to 64 arguments, got 0");
    expect_error("services:\n  - {name: a, command: [[x]]}\n", "argument 0: expected a string");
    expect_error("services:\n  - {name: a, command: ''}\n", "services[0].command: is empty");
    expect_error("services:\n  - {name: a, command: [x], ready: {tcp: 1, log: x}}\n", "expected one of {tcp: PORT}");
    expect_error("services:\n  - {name: a, command: [x], ready: {http: x}}\n", "unknown key \"http\"");
    expect_error("services:\n  - {name: a, command: [x], timeout: 11m}\n", "services[0].timeout: expected more than 0");
    expect_error("services:\n  - {name: a, command: [x], comand: [y]}\n", "did you mean \"command\"?");
    char many[4096] = "services:\n";
    for (int i = 0; i <= HX_MAX_SERVICES; i++)
        snprintf(many + strlen(many), sizeof(many) - strlen(many), "  - {name: s%d, command: [x]}\n", i);
    expect_error(many, "at most 16 services, got 17");
    expect_error("gateway: {command: [x], config: nginx}\n", "gateway.config: unknown config \"nginx\"");
    expect_error("gateway: {ready: {tcp: 1}}\n", "missing required key \"command\"");
    expect_error("gateway: {command: [x], setup: []}\n", "gateway.setup: expected 1 to 64 arguments, got 0");
}

static void expand_ok(const hx_scenario_t *s, const char *text, const char *want)
{
    char out[HX_MAX_EXPANDED + 1];
    cm_err_t err;
    if (hx_scenario_expand(s, s->conf.root, "x", text, out, sizeof(out), &err) != 0) {
        print_error("%s: %s\n", text, err.msg);
        fail();
    }
    assert_string_equal(out, want);
}

static void expand_error(const hx_scenario_t *s, const char *text, const char *part)
{
    char out[HX_MAX_EXPANDED + 1];
    cm_err_t err;
    assert_int_equal(hx_scenario_expand(s, s->conf.root, "x", text, out, sizeof(out), &err), -1);
    if (strstr(err.msg, part) == NULL) {
        print_error("expected \"%s\" in \"%s\"\n", part, err.msg);
        fail();
    }
}

static void test_placeholders(void **state)
{
    (void)state;
    hx_scenario_t s;
    cm_err_t err;
    assert_int_equal(load_text(&s, good, &err), 0);
    /* before the processes run: names checked, values are stand-ins */
    expand_ok(&s, "{{deployments.a.url}}", "http://127.0.0.1:1");
    expand_ok(&s, "port {{services.redis.port}}", "port 1");
    expand_ok(&s, "no placeholder", "no placeholder");
    expand_error(&s, "{{deployments.z.url}}", "x: {{deployments.z.url}}: no mock deployment of that name");
    expand_error(&s, "{{deployments.a.host}}", "with that field (url, port)");
    expand_error(&s, "{{services.nope.port}}", "{{services.nope.port}}: no service of that name");
    expand_error(&s, "{{proxies.nope.url}}", "{{proxies.nope.url}}: no proxy of that name");
    expand_error(&s, "{{services.redis.url}}", "unknown placeholder {{services.redis.url}}");
    expand_error(&s, "{{uuid}}", "unknown placeholder {{uuid}}");
    expand_error(&s, "a {{deployments.a.url", "\"{{\" without \"}}\"");
    /* once started: the real values */
    s.started = true;
    s.services[0].port = 6390;
    s.report_dir = "reports/t";
    assert_int_equal(hx_scenario_read_mock_urls(&s,
                                                "mock-provider: deployment a listening on http://127.0.0.1:4100/v1\n"
                                                "mock-provider: deployment b listening on http://[::1]:4101\n"),
                     1);
    assert_string_equal(s.deps[0].url, "http://127.0.0.1:4100/v1");
    assert_int_equal(s.deps[0].port, 4100);
    assert_int_equal(s.deps[1].port, 4101);
    assert_int_equal(s.deps[2].url[0], '\0'); /* c was not printed: one missing */
    expand_ok(&s, "{{deployments.a.url}}", "http://127.0.0.1:4100/v1");
    expand_ok(&s, "{{deployments.b.port}}/{{services.redis.port}}/{{report.dir}}", "4101/6390/reports/t");
    /* the size limit */
    char big[HX_MAX_EXPANDED + 64];
    memset(big, 'x', HX_MAX_EXPANDED - 10);
    big[HX_MAX_EXPANDED - 10] = '\0';
    strcat(big, "{{deployments.a.url}}");
    expand_error(&s, big, "longer than 4096 bytes");
    hx_scenario_free(&s);
}

static void test_ready_lines_are_exact(void **state)
{
    (void)state;
    hx_scenario_t s;
    cm_err_t err;
    assert_int_equal(load_text(&s, "mock:\n  deployments:\n    - {name: a}\n    - {name: ab}\n", &err), 0);
    assert_int_equal(
        hx_scenario_read_mock_urls(&s, "mock-provider: deployment ab listening on http://127.0.0.1:9/v1\n"), 1);
    assert_int_equal(s.deps[0].url[0], '\0'); /* "a" is not "ab" */
    assert_string_equal(s.deps[1].url, "http://127.0.0.1:9/v1");
    hx_scenario_free(&s);
}

static void test_proxies(void **state)
{
    (void)state;
    hx_scenario_t s;
    cm_err_t err;
    assert_int_equal(
        load_text(&s,
                  "proxies:\n  - {name: r, listen: \"[::1]:6380\", upstream: \"127.0.0.1:{{services.x.port}}\"}\n"
                  "  - {name: m, upstream: \"127.0.0.1:9\"}\n",
                  &err),
        0);
    assert_int_equal(s.nproxies, 2);
    assert_string_equal(s.proxies[0].host, "::1");
    assert_string_equal(s.proxies[1].host, "127.0.0.1");
    expand_ok(&s, "{{proxies.m.url}}/v1", "http://127.0.0.1:1/v1"); /* before the run: a stand-in */
    assert_int_equal(hx_scenario_read_proxy_addresses(&s, "fault-proxy: proxy r listening on [::1]:4100 upstream x\n"
                                                          "fault-proxy: proxy m listening on 127.0.0.1:4101 upstream "
                                                          "127.0.0.1:9\n"
                                                          "fault-proxy: api listening on http://127.0.0.1:4102\n"),
                     0);
    assert_string_equal(s.proxy_api, "http://127.0.0.1:4102");
    assert_int_equal(s.proxies[0].port, 4100);
    expand_ok(&s, "{{proxies.m.url}}/v1 {{proxies.r.address}} {{proxies.m.port}}",
              "http://127.0.0.1:4101/v1 [::1]:4100 4101");
    expand_error(&s, "{{proxies.m.host}}", "unknown placeholder {{proxies.m.host}}");
    hx_scenario_free(&s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_services_and_deployments),
        cmocka_unit_test(test_service_errors),
        cmocka_unit_test(test_placeholders),
        cmocka_unit_test(test_ready_lines_are_exact),
        cmocka_unit_test(test_proxies),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
