/* tests/unit/mock-provider/config_test.c — the mock: section reader: a complete file with every key, the
 * defaults, and each kind of error with its exact file:line:col message; plus the listen parser. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "common/buf.h"
#include "mock-provider/config.h"

#include <stdio.h>
#include <string.h>

static int load(const char *yaml, mp_config_t *c, cm_err_t *err)
{
    cm_conf_t conf;
    memset(&conf, 0, sizeof(conf));
    mp_config_init(c);
    int rc = cm_conf_load_string(&conf, "t.yaml", yaml, strlen(yaml), err);
    if (rc == 0)
        rc = mp_config_load(c, &conf, err);
    cm_conf_free(&conf);
    return rc;
}

static void expect_error(const char *yaml, const char *msg)
{
    mp_config_t c;
    cm_err_t err;
    memset(&err, 0, sizeof(err));
    assert_int_equal(load(yaml, &c, &err), -1);
    assert_string_equal(err.msg, msg);
    mp_config_free(&c);
}

/* For messages whose tail comes from common/ (units, distributions): the position and path are ours. */
static void expect_error_prefix(const char *yaml, const char *prefix)
{
    mp_config_t c;
    cm_err_t err;
    memset(&err, 0, sizeof(err));
    assert_int_equal(load(yaml, &c, &err), -1);
    if (strncmp(err.msg, prefix, strlen(prefix)) != 0)
        fail_msg("message \"%s\" does not start with \"%s\"", err.msg, prefix);
    mp_config_free(&c);
}

static const char good[] = "name: t\n"
                           "seed: 7\n"
                           "duration: 10s\n"
                           "mock:\n"
                           "  threads: 3\n"
                           "  keepalive_timeout: 90s\n"
                           "  max_body: 1MiB\n"
                           "  deployments:\n"
                           "    - name: a\n"
                           "      provider: openai\n"
                           "      listen: 127.0.0.1:0\n"
                           "      models: [gpt-4o-mini, gpt-4o]\n"
                           "      api_keys: sk-one\n"
                           "      latency: {ttft: 200ms, itl: \"normal(20ms, 5ms)\", prefill_per_token: 0.02ms}\n"
                           "      output_tokens: uniform(10, 20)\n"
                           "      content: echo\n"
                           "      tool_calls: true\n"
                           "      embedding_dimensions: 256\n"
                           "      max_response: 16MiB\n"
                           "      seed: 99\n"
                           "    - name: b.2_x-y\n"
                           "      listen: \"[::1]:8080\"\n"
                           "load: {anything: 1}\n";

static void test_good_file(void **state)
{
    mp_config_t c;
    cm_err_t err = {{0}};
    assert_int_equal(load(good, &c, &err), 0);
    assert_string_equal(err.msg, "");
    assert_int_equal(c.threads, 3);
    assert_int_equal(c.keepalive_timeout, 90ull * 1000000000ull);
    assert_int_equal(c.max_body, 1048576);
    assert_int_equal(c.seed, 7);
    assert_int_equal(c.ndeps, 2);
    const mp_deployment_t *a = &c.deps[0], *b = &c.deps[1];
    assert_string_equal(a->name, "a");
    assert_int_equal(a->index, 0);
    assert_int_equal(a->provider, MP_PROVIDER_OPENAI);
    assert_string_equal(a->listen_host, "127.0.0.1");
    assert_int_equal(a->listen_port, 0);
    assert_int_equal(a->nmodels, 2);
    assert_string_equal(a->models[0], "gpt-4o-mini");
    assert_string_equal(a->models[1], "gpt-4o");
    assert_int_equal(a->nkeys, 1);
    assert_string_equal(a->api_keys[0], "sk-one");
    assert_int_equal(a->ttft.kind, CM_DIST_FIXED);
    assert_float_equal(a->ttft.a, 200e6, 1e-3);
    assert_int_equal(a->itl.kind, CM_DIST_NORMAL);
    assert_float_equal(a->itl.a, 20e6, 1e-3);
    assert_float_equal(a->itl.b, 5e6, 1e-3);
    assert_float_equal(a->prefill_per_token.a, 20e3, 1e-3);
    assert_int_equal(a->output_tokens.kind, CM_DIST_UNIFORM);
    assert_int_equal(a->content, MP_CONTENT_ECHO);
    assert_true(a->tool_calls);
    assert_int_equal(a->embedding_dimensions, 256);
    assert_int_equal(a->max_response, 16ull << 20);
    assert_int_equal(a->seed, 99);
    assert_null(a->ops);
    /* b: defaults */
    assert_string_equal(b->name, "b.2_x-y");
    assert_int_equal(b->index, 1);
    assert_string_equal(b->listen_host, "::1");
    assert_int_equal(b->listen_port, 8080);
    assert_int_equal(b->nmodels, 0);
    assert_int_equal(b->nkeys, 0);
    assert_int_equal(b->ttft.kind, CM_DIST_FIXED);
    assert_float_equal(b->ttft.a, 0, 0);
    assert_float_equal(b->itl.a, 0, 0);
    assert_float_equal(b->prefill_per_token.a, 0, 0);
    assert_int_equal(b->output_tokens.kind, CM_DIST_NORMAL);
    assert_float_equal(b->output_tokens.a, 64, 0);
    assert_float_equal(b->output_tokens.b, 16, 0);
    assert_int_equal(b->content, MP_CONTENT_POOL);
    assert_false(b->tool_calls);
    assert_int_equal(b->embedding_dimensions, 0);
    assert_int_equal(b->max_response, 0);
    assert_int_equal(b->seed, mp_default_seed(7, "b.2_x-y"));
    mp_config_free(&c);
}

static void test_defaults_without_mock_scalars(void **state)
{
    mp_config_t c;
    cm_err_t err;
    assert_int_equal(load("mock:\n  deployments:\n    - name: only\n", &c, &err), 0);
    assert_int_equal(c.threads, 0);
    assert_int_equal(c.keepalive_timeout, 300ull * 1000000000ull);
    assert_int_equal(c.max_body, 8 * 1024 * 1024);
    assert_int_equal(c.seed, 0);
    assert_int_equal(c.deps[0].seed, mp_default_seed(0, "only"));
    assert_true(mp_default_seed(0, "only") != mp_default_seed(1, "only"));
    assert_true(mp_default_seed(0, "only") != mp_default_seed(0, "other"));
    mp_config_free(&c);
}

/* tool_calls: true / false, or {auto: PERCENT}: the probability of a call under tool_choice auto. */
static void test_tool_calls_auto(void **state)
{
    (void)state;
    mp_config_t c;
    cm_err_t err;
    assert_int_equal(load("mock:\n  deployments:\n    - {name: a, tool_calls: {auto: 50%}}\n    - {name: b, "
                          "tool_calls: true}\n    - {name: c, tool_calls: {auto: 0%}}\n",
                          &c, &err),
                     0);
    assert_true(c.deps[0].tool_calls);
    assert_true(c.deps[0].tool_auto == 0.5);
    assert_true(c.deps[1].tool_calls);
    assert_true(c.deps[1].tool_auto == 1.0);
    assert_false(c.deps[2].tool_calls);
    mp_config_free(&c);
    assert_int_equal(load("mock:\n  deployments:\n    - {name: a, tool_calls: {parallel: 3}}\n", &c, &err), 0);
    assert_true(c.deps[0].tool_auto == 1.0);
    assert_int_equal(c.deps[0].tool_parallel, 3);
    mp_config_free(&c);
    expect_error("mock:\n  deployments:\n    - name: a\n      tool_calls: {parallel: 5}\n",
                 "t.yaml:4:30: mock.deployments[0].tool_calls.parallel: must be between 1 and 4, got 5");
    expect_error("mock:\n  deployments:\n    - name: a\n      tool_calls: {auto: 150%}\n",
                 "t.yaml:4:26: mock.deployments[0].tool_calls.auto: \"150%\": must be between 0% and 100%");
    expect_error("mock:\n  deployments:\n    - name: a\n      tool_calls: {always: 1}\n",
                 "t.yaml:4:20: mock.deployments[0].tool_calls: unknown key \"always\" (allowed: auto, parallel)");
    expect_error(
        "mock:\n  deployments:\n    - name: a\n      tool_calls: {}\n",
        "t.yaml:4:19: mock.deployments[0].tool_calls: expected true, false or {auto: PERCENT, parallel: N} (at least "
        "one key)");
}

/* The DESIGN.md example writes distributions inline, unquoted: the loader takes back the comma splits. */
static void test_inline_distributions(void **state)
{
    mp_config_t c;
    cm_err_t err;
    assert_int_equal(
        load("mock:\n  deployments:\n    - {name: a, output_tokens: normal(64, 16),\n"
             "       latency: {ttft: lognormal(80ms, 0.3), itl: normal(20ms, 5ms), prefill_per_token: 0.02ms}}\n",
             &c, &err),
        0);
    assert_int_equal(c.deps[0].ttft.kind, CM_DIST_LOGNORMAL);
    assert_true(c.deps[0].ttft.a == 80e6 && c.deps[0].ttft.b == 0.3);
    assert_int_equal(c.deps[0].itl.kind, CM_DIST_NORMAL);
    assert_true(c.deps[0].itl.a == 20e6 && c.deps[0].itl.b == 5e6);
    assert_int_equal(c.deps[0].output_tokens.kind, CM_DIST_NORMAL);
    assert_true(c.deps[0].output_tokens.a == 64 && c.deps[0].output_tokens.b == 16);
    mp_config_free(&c);
}

static void test_top_level_errors(void **state)
{
    expect_error("nmae: x\nmock: {}\n", "t.yaml:1:1: unknown key \"nmae\" (did you mean \"name\"? allowed: name, seed, "
                                        "duration, mock, gateway, load, expect, report, services, proxies, changes, slo)");
    expect_error("name: x\n", "t.yaml:1:1: missing key \"mock\" (mock-provider serves mock.deployments)");
    expect_error("", "t.yaml: the file is empty (expected a scenario with a mock: section)");
    expect_error_prefix("seed: -3\nmock: {}\n", "t.yaml:1:7: seed: ");
}

/* mock.admin: loopback without a token, any address with one, the journal size. */
static void test_admin(void **state)
{
    mp_config_t c;
    cm_err_t err;
    (void)state;
    assert_int_equal(load("mock:\n  admin: {listen: 127.0.0.1:0}\n  deployments: [{name: a}]\n", &c, &err), 0);
    assert_string_equal(c.admin.listen_host, "127.0.0.1");
    assert_int_equal(c.admin.listen_port, 0);
    assert_null(c.admin.token);
    assert_int_equal(c.admin.journal, MP_ADMIN_DEFAULT_JOURNAL);
    mp_config_free(&c);
    assert_int_equal(
        load("mock:\n  admin: {listen: '[::]:9100', token: s3cret, journal: 10}\n  deployments: [{name: a}]\n", &c,
             &err),
        0);
    assert_string_equal(c.admin.listen_host, "::");
    assert_int_equal(c.admin.listen_port, 9100);
    assert_string_equal(c.admin.token, "s3cret");
    assert_int_equal(c.admin.journal, 10);
    mp_config_free(&c);
    assert_true(mp_is_loopback("127.0.0.1") && mp_is_loopback("127.9.9.9") && mp_is_loopback("::1"));
    assert_false(mp_is_loopback("0.0.0.0") || mp_is_loopback("::") || mp_is_loopback("10.0.0.1"));
}

static void test_mock_section_errors(void **state)
{
    expect_error("mock:\n  admin: {listen: 0.0.0.0:9000}\n  deployments: [{name: a}]\n",
                 "t.yaml:2:19: mock.admin.listen: admin listen \"0.0.0.0:9000\" is not a loopback address: set a token "
                 "(mock.admin.token or --admin-token), or listen on 127.0.0.1 or [::1]");
    expect_error(
        "mock:\n  admin: {listen: 127.0.0.1:0, tokn: x}\n  deployments: [{name: a}]\n",
        "t.yaml:2:32: mock.admin: unknown key \"tokn\" (did you mean \"token\"? allowed: listen, token, journal)");
    expect_error("mock:\n  admin: {token: x}\n  deployments: [{name: a}]\n",
                 "t.yaml:2:10: mock.admin: missing required key \"listen\"");
    expect_error("mock:\n  admin: {listen: 127.0.0.1:0, token: \"a b\"}\n  deployments: [{name: a}]\n",
                 "t.yaml:2:39: mock.admin.token: the admin token has a space or a control character at offset 1 (it "
                 "is sent as \"Authorization: Bearer TOKEN\")");
    expect_error("mock:\n  deployment: []\n",
                 "t.yaml:2:3: mock: unknown key \"deployment\" (did you mean \"deployments\"? allowed: admin, threads, "
                 "keepalive_timeout, max_body, deployments)");
    expect_error("mock:\n  threads: 2\n",
                 "t.yaml:2:3: mock: missing key \"deployments\" (a list of deployments to serve)");
    expect_error("mock:\n  deployments: []\n",
                 "t.yaml:2:16: mock.deployments: the list is empty: define at least one deployment");
    expect_error("mock:\n  deployments: {name: a}\n", "t.yaml:2:16: mock.deployments: expected a list of deployments");
    expect_error("mock:\n  keepalive_timeout: 0s\n  deployments: [{name: a}]\n",
                 "t.yaml:2:22: mock.keepalive_timeout: must be at least 1ms");
    expect_error("mock:\n  max_body: 2GiB\n  deployments: [{name: a}]\n",
                 "t.yaml:2:13: mock.max_body: must be from 1 byte to 1GiB");
    expect_error_prefix("mock:\n  threads: 0\n  deployments: [{name: a}]\n", "t.yaml:2:12: mock.threads: ");
    expect_error_prefix("mock:\n  keepalive_timeout: 30\n  deployments: [{name: a}]\n",
                        "t.yaml:2:22: mock.keepalive_timeout: ");
}

/* Deployment errors, each on the node that is wrong. */
static void test_deployment_errors(void **state)
{
    expect_error("mock:\n  deployments:\n    - name: a\n      provider: gemini\n      project: p\n",
                 "t.yaml:5:7: mock.deployments[0]: \"project\" is a setting of vertex deployments, and this one's "
                 "provider is gemini");
    expect_error("mock:\n  deployments:\n    - name: a\n      provider: vertex\n      location: US_CENTRAL\n",
                 "t.yaml:5:17: mock.deployments[0].location: a location is 1 to 63 lower-case letters, digits and '-' "
                 "(got \"US_CENTRAL\")");
    expect_error("mock:\n  deployments:\n    - name: a\n      api_versions: [2024-10-21]\n",
                 "t.yaml:4:7: mock.deployments[0]: \"api_versions\" is a setting of azure deployments, and this one's "
                 "provider is openai");
    expect_error("mock:\n  deployments:\n    - name: a\n      provider: azure\n      api_versions: []\n",
                 "t.yaml:5:21: mock.deployments[0].api_versions: list at least one api-version (or remove the key "
                 "to accept any)");
    expect_error("mock:\n  deployments:\n    - name: a\n      provider: opnai\n",
                 "t.yaml:4:17: mock.deployments[0].provider: unknown provider \"opnai\" (supported: openai, azure, "
                 "gemini, vertex, anthropic)");
    expect_error("mock:\n  deployments:\n    - name: a\n      limits: {rpm: 10, bogus: 1}\n",
                 "t.yaml:4:25: mock.deployments[0].limits: unknown key \"bogus\" (allowed: rpm, tpm, window, per_key, "
                 "concurrency, queue, retry_after, charge)");
    expect_error("mock:\n  deployments:\n    - name: a\n      faults: [{kind: stall}]\n",
                 "t.yaml:4:16: mock.deployments[0].faults[0].duration: required for this kind");
    expect_error("mock:\n  deployments:\n    - name: a\n    - name: a\n",
                 "t.yaml:4:13: mock.deployments[1].name: duplicate deployment name \"a\" (also mock.deployments[0])");
    expect_error("mock:\n  deployments:\n    - name: a b\n",
                 "t.yaml:3:13: mock.deployments[0].name: name \"a b\" has an invalid character ' ' (allowed: letters, "
                 "digits, '.', '_', '-')");
    expect_error("mock:\n  deployments:\n    - provider: openai\n",
                 "t.yaml:3:7: mock.deployments[0]: missing required key \"name\"");
    expect_error("mock:\n  deployments:\n    - name: a\n      latncy: {ttft: 1ms}\n",
                 "t.yaml:4:7: mock.deployments[0]: unknown key \"latncy\" (did you mean \"latency\"? allowed: name, "
                 "provider, listen, models, api_keys, latency, output_tokens, content, tool_calls, "
                 "embedding_dimensions, max_response, seed, limits, faults, tokens_per_chunk, reasoning)");
    expect_error(
        "mock:\n  deployments:\n    - name: a\n      latency: {tfft: 1ms}\n",
        "t.yaml:4:17: mock.deployments[0].latency: unknown key \"tfft\" (did you mean \"ttft\"? allowed: ttft, "
        "itl, prefill_per_token)");
    expect_error_prefix("mock:\n  deployments:\n    - name: a\n      latency:\n        ttft: lognorml(1ms, 0.3)\n",
                        "t.yaml:5:15: mock.deployments[0].latency.ttft: unknown distribution \"lognorml\"");
    expect_error("mock:\n  deployments:\n    - name: a\n      content: lorem\n",
                 "t.yaml:4:16: mock.deployments[0].content: unknown content mode \"lorem\" (expected pool or echo)");
    expect_error("mock:\n  deployments:\n    - name: a\n      models: [x, y, x]\n",
                 "t.yaml:4:22: mock.deployments[0].models: \"x\" is listed twice");
    expect_error("mock:\n  deployments:\n    - name: a\n      api_keys: [\"\"]\n",
                 "t.yaml:4:18: mock.deployments[0].api_keys: item 0 is an empty string");
    expect_error_prefix("mock:\n  deployments:\n    - name: a\n      embedding_dimensions: 0\n",
                        "t.yaml:4:29: mock.deployments[0].embedding_dimensions: ");
    expect_error("mock:\n  deployments:\n    - name: a\n      max_response: 1KiB\n",
                 "t.yaml:4:21: mock.deployments[0].max_response: must be from 64KiB to 1GiB");
    expect_error("mock:\n  deployments:\n    - name: a\n      max_response: 2GiB\n",
                 "t.yaml:4:21: mock.deployments[0].max_response: must be from 64KiB to 1GiB");
    expect_error_prefix("mock:\n  deployments:\n    - name: a\n      max_response: lots\n",
                        "t.yaml:4:21: mock.deployments[0].max_response: ");
    expect_error_prefix("mock:\n  deployments:\n    - name: a\n      tool_calls: yes please\n",
                        "t.yaml:4:19: mock.deployments[0].tool_calls: ");
}

/* One past each count limit: 200,000 models took minutes in a quadratic duplicate check and would have laid
 * out metric slots for each on every thread; deployments and keys had no bound either. */
static void test_count_limits(void **state)
{
    cm_buf_t b = CM_BUF_INIT;
    cm_buf_puts(&b, "mock:\n  deployments:\n    - name: a\n      models: [");
    for (int i = 0; i <= MP_MAX_MODELS; i++)
        cm_buf_printf(&b, "%sm%d", i ? ", " : "", i);
    cm_buf_puts(&b, "]\n");
    expect_error(b.data, "t.yaml:4:15: mock.deployments[0].models: 257 items; at most 256");
    cm_buf_reset(&b);
    cm_buf_puts(&b, "mock:\n  deployments:\n    - name: a\n      api_keys: [");
    for (int i = 0; i <= MP_MAX_API_KEYS; i++)
        cm_buf_printf(&b, "%sk%d", i ? ", " : "", i);
    cm_buf_puts(&b, "]\n");
    expect_error(b.data, "t.yaml:4:17: mock.deployments[0].api_keys: 1025 items; at most 1024");
    cm_buf_reset(&b);
    cm_buf_puts(&b, "mock:\n  deployments:\n");
    for (int i = 0; i <= MP_MAX_DEPLOYMENTS; i++)
        cm_buf_printf(&b, "    - {name: d%d}\n", i);
    expect_error(b.data, "t.yaml:3:5: mock.deployments: 257 deployments; at most 256");
    cm_buf_free(&b);
}

static void test_listen_errors(void **state)
{
    expect_error("mock:\n  deployments:\n    - name: a\n      listen: 127.0.0.1\n",
                 "t.yaml:4:15: mock.deployments[0].listen: listen \"127.0.0.1\": expected HOST:PORT, e.g. 127.0.0.1:0 "
                 "or [::1]:8080");
    expect_error("mock:\n  deployments:\n    - name: a\n      listen: 127.0.0.1:70000\n",
                 "t.yaml:4:15: mock.deployments[0].listen: listen \"127.0.0.1:70000\": port \"70000\" is not a number "
                 "from 0 to 65535");
    expect_error("mock:\n  deployments:\n    - name: a\n      listen: example.com:80\n",
                 "t.yaml:4:15: mock.deployments[0].listen: listen \"example.com:80\": host \"example.com\" is not a "
                 "numeric IPv4 address");
    expect_error("mock:\n  deployments:\n    - name: a\n      listen: \"::1:80\"\n",
                 "t.yaml:4:15: mock.deployments[0].listen: listen \"::1:80\": put an IPv6 address in brackets, e.g. "
                 "[::1]:8080");
    expect_error("mock:\n  deployments:\n    - {name: a, listen: 127.0.0.1:9000}\n    - {name: b, listen: "
                 "127.0.0.1:9000}\n",
                 "t.yaml:4:25: mock.deployments[1].listen: 127.0.0.1:9000 is already the listen address of deployment "
                 "\"a\"");
    /* Two deployments on port 0 of the same host are fine: each gets its own port. */
    mp_config_t c;
    cm_err_t err;
    assert_int_equal(load("mock:\n  deployments: [{name: a}, {name: b}]\n", &c, &err), 0);
    assert_int_equal(c.ndeps, 2);
    mp_config_free(&c);
}

static void test_parse_listen(void **state)
{
    char host[64], err[200];
    uint16_t port = 1;
    assert_int_equal(mp_parse_listen("0.0.0.0:80", host, sizeof(host), &port, err, sizeof(err)), 0);
    assert_string_equal(host, "0.0.0.0");
    assert_int_equal(port, 80);
    assert_int_equal(mp_parse_listen("localhost:0", host, sizeof(host), &port, err, sizeof(err)), 0);
    assert_string_equal(host, "127.0.0.1");
    assert_int_equal(port, 0);
    assert_int_equal(mp_parse_listen("[::]:65535", host, sizeof(host), &port, err, sizeof(err)), 0);
    assert_string_equal(host, "::");
    assert_int_equal(port, 65535);
    assert_int_equal(mp_parse_listen("[::1]80", host, sizeof(host), &port, err, sizeof(err)), -1);
    assert_string_equal(err, "listen \"[::1]80\": expected HOST:PORT, e.g. 127.0.0.1:0 or [::1]:8080");
    assert_int_equal(mp_parse_listen(":80", host, sizeof(host), &port, err, sizeof(err)), -1);
    assert_int_equal(mp_parse_listen("1.2.3.4:", host, sizeof(host), &port, err, sizeof(err)), -1);
    assert_string_equal(err, "listen \"1.2.3.4:\": port \"\" is not a number from 0 to 65535");
    assert_int_equal(mp_parse_listen("[1.2.3.4]:5", host, sizeof(host), &port, err, sizeof(err)), -1);
    assert_string_equal(err, "listen \"[1.2.3.4]:5\": host \"1.2.3.4\" is not a numeric IPv6 address");
}

static void test_check_name(void **state)
{
    char err[200];
    char longname[80];
    memset(longname, 'x', sizeof(longname) - 1);
    longname[sizeof(longname) - 1] = '\0';
    assert_int_equal(mp_check_name("gpt-4o.east_1", err, sizeof(err)), 0);
    assert_int_equal(mp_check_name("", err, sizeof(err)), -1);
    assert_string_equal(err, "name must be 1 to 64 characters");
    assert_int_equal(mp_check_name(longname, err, sizeof(err)), -1);
    assert_int_equal(mp_check_name("a\"b", err, sizeof(err)), -1);
    assert_string_equal(err, "name \"a\"b\" has an invalid character '\"' (allowed: letters, digits, '.', '_', '-')");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_good_file),
        cmocka_unit_test(test_defaults_without_mock_scalars),
        cmocka_unit_test(test_inline_distributions),
        cmocka_unit_test(test_top_level_errors),
        cmocka_unit_test(test_mock_section_errors),
        cmocka_unit_test(test_admin),
        cmocka_unit_test(test_deployment_errors),
        cmocka_unit_test(test_count_limits),
        cmocka_unit_test(test_listen_errors),
        cmocka_unit_test(test_parse_listen),
        cmocka_unit_test(test_check_name),
        cmocka_unit_test(test_tool_calls_auto),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
