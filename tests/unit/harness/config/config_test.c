/* tests/unit/harness/config/config_test.c — scenario files for `soak load`: every section read into hx_cfg_t,
 * defaults and cross-checks, and error messages with their exact file:line:col. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "harness/config/config.h"

#include "unit/harness/config/config_load.h"

#define S 1000000000ull

static void assert_contains(const char *haystack, const char *needle)
{
    if (strstr(haystack, needle) == NULL) {
        print_error("\"%s\"\n  does not contain \"%s\"\n", haystack, needle);
        fail();
    }
}

/* A report directory holds every format, report.html included, unless formats says otherwise. */
static void test_report_formats(void **state)
{
    (void)state;
    hx_cfg_t c;
    cm_err_t err;
    assert_int_equal(load_as(&c, "s.yaml", "name: x\n", &err), 0); /* for the directory soak run picks */
    assert_int_equal(c.report_formats, HX_FMT_DEFAULT);
    assert_null(c.report_dir);
    hx_cfg_free(&c);
    assert_int_equal(load_as(&c, "s.yaml", "report: {dir: out}\n", &err), 0);
    assert_int_equal(c.report_formats, HX_FMT_DEFAULT);
    assert_true(c.report_formats & HX_FMT_HTML);
    hx_cfg_free(&c);
    assert_int_equal(load_as(&c, "s.yaml", "report: {formats: [html, jsonl]}\n", &err), 0);
    assert_int_equal(c.report_formats, HX_FMT_HTML | HX_FMT_JSONL);
    hx_cfg_free(&c);
}

static const char *const full =
    "name: seed-1k\n"
    "seed: 42\n"
    "duration: 30s\n"
    "mock:\n"
    "  deployments: [{name: fake-openai-endpoint}]\n"
    "load:\n"
    "  target: http://127.0.0.1:8080/v1\n"
    "  arrival: {constant: 1174/s}\n"
    "  requests:\n"
    "    - weight: 100\n"
    "      api: openai.chat\n"
    "      model: fake-openai-endpoint\n"
    "      prompt: \"{{uuid}} This is a test there will be no cache hits and we'll fill up the context\"\n"
    "      repeat: 150\n"
    "      user: my-new-end-user-1\n"
    "    - {api: openai.chat, model: [gpt-4o-mini, gpt-4o], stream: true, max_tokens: 50, include_usage: false,\n"
    "       headers: [\"X-Case: 2\"], api_key: sk-own}\n"
    "  threads: 2\n"
    "  max_inflight: 5000\n"
    "  timeout: 10s\n"
    "  drain: 0s\n"
    "  interval: 500ms\n"
    "  connections: {max_requests: 100, max_age: 1h}\n"
    "  headers: {X-Team: soak}\n"
    "  api_key: sk-1234\n"
    "expect:\n"
    "  - {metric: failure_rate, max: 1%}\n"
    "  - {metric: latency.p99, max: 500ms}\n"
    "report: {dir: \"out/{{name}}\", formats: [json, junit]}\n";

static void test_full(void **state)
{
    (void)state;
    hx_cfg_t c;
    cm_err_t err;
    char why[512];
    assert_int_equal(load_as(&c, "s.yaml", full, &err), 0);
    assert_string_equal(c.name, "seed-1k");
    assert_int_equal(c.seed, 42);
    assert_int_equal(c.duration_ns, 30 * S);
    assert_true(c.has_mock);
    assert_false(c.has_gateway);
    assert_string_equal(c.target, "http://127.0.0.1:8080/v1");
    assert_int_equal(c.arrival.kind, HX_ARRIVAL_CONSTANT);
    assert_true(c.arrival.rate == 1174);
    assert_int_equal(c.nreqs, 2);
    assert_true(c.reqs[0].weight == 100);
    assert_int_equal(c.reqs[0].repeat, 150);
    assert_string_equal(c.reqs[0].user, "my-new-end-user-1");
    assert_string_equal(c.reqs[0].models[0], "fake-openai-endpoint");
    assert_int_equal(c.reqs[1].nmodels, 2);
    assert_true(c.reqs[1].stream);
    assert_int_equal(c.reqs[1].include_usage, 0);
    assert_int_equal(c.reqs[1].max_tokens, 50);
    assert_int_equal(c.threads, 2);
    assert_int_equal(c.max_inflight, 5000);
    assert_int_equal(c.timeout_ns, 10 * S);
    assert_true(c.drain_set);
    assert_int_equal(c.drain_ns, 0);
    assert_int_equal(c.interval_ns, S / 2);
    assert_int_equal(c.conn.max_requests, 100);
    assert_int_equal(c.conn.max_age_ns, 3600 * S);
    assert_int_equal(c.nheaders, 1);
    assert_string_equal(c.headers[0], "X-Team: soak");
    assert_int_equal(c.nexpects, 2);
    assert_string_equal(c.report_dir, "out/{{name}}");
    assert_int_equal(c.report_formats, HX_FMT_JSON | HX_FMT_JUNIT);
    assert_int_equal(hx_cfg_finish(&c, why, sizeof(why)), 0);
    assert_int_equal(c.nexpects, 2); /* the file's own: no default added */
    assert_false(c.expects[0].is_default);
    assert_int_equal(c.workload.nmodels, 3);
    assert_string_equal(c.workload.reqs[0].headers[1], "Authorization: Bearer sk-1234");
    assert_string_equal(c.workload.reqs[1].headers[1], "Authorization: Bearer sk-own");
    assert_string_equal(c.workload.reqs[1].headers[3], "X-Case: 2");
    hx_cfg_free(&c);
}

static void test_defaults(void **state)
{
    (void)state;
    hx_cfg_t c;
    cm_err_t err;
    char why[256];
    assert_int_equal(load_as(&c, "configs/1k-rps.yaml",
                          "load: {target: 'http://127.0.0.1:1/v1', arrival: {users: 4, think: 0.5s..1s}}\n", &err),
                     0);
    assert_int_equal(hx_cfg_finish(&c, why, sizeof(why)), 0);
    assert_string_equal(c.name, "1k-rps");
    assert_true(c.seed_set);
    assert_int_equal(c.duration_ns, HX_DEFAULT_DURATION_NS);
    assert_int_equal(c.threads, 1);
    assert_int_equal(c.max_inflight, HX_DEFAULT_MAX_INFLIGHT);
    assert_int_equal(c.timeout_ns, HX_DEFAULT_TIMEOUT_NS);
    assert_int_equal(c.drain_ns, HX_DEFAULT_DRAIN_NS);
    assert_int_equal(c.interval_ns, HX_DEFAULT_INTERVAL_NS);
    assert_int_equal(c.workload.nreqs, 1);
    assert_string_equal(c.workload.reqs[0].api->name, HX_DEFAULT_API);
    assert_string_equal(c.workload.models[0], HX_DEFAULT_MODEL);
    assert_null(c.report_dir);
    /* No expect: key: the default verdict, failure_rate <= 1% of the offered load. */
    assert_int_equal(c.nexpects, 1);
    assert_true(c.expects[0].is_default);
    assert_string_equal(c.expects[0].metric, "failure_rate");
    assert_true(c.expects[0].has_max && !c.expects[0].has_min && c.expects[0].max == HX_DEFAULT_FAILURE_RATE);
    assert_int_equal(hx_cfg_finish(&c, why, sizeof(why)), 0); /* finishing again adds nothing */
    assert_int_equal(c.nexpects, 1);
    hx_cfg_free(&c);
    /* An expect: key without items opts out of the default on purpose. */
    const char *none[] = {"expect: []\n", "expect:\n"};
    for (size_t i = 0; i < 2; i++) {
        char text[256];
        snprintf(text, sizeof(text), "load: {target: 'http://127.0.0.1:1/v1', arrival: {constant: 1/s}}\n%s", none[i]);
        assert_int_equal(load_as(&c, "n.yaml", text, &err), 0);
        assert_int_equal(hx_cfg_finish(&c, why, sizeof(why)), 0);
        assert_int_equal(c.nexpects, 0);
        hx_cfg_free(&c);
    }
    /* Ramp and step runs last as long as their schedule when no duration is given. */
    assert_int_equal(load_as(&c, "r.yaml", "load: {arrival: {ramp: {from: 1/s, to: 10/s, over: 45s}}}\n", &err), 0);
    assert_int_equal(hx_cfg_duration(&c), 45 * S);
    hx_cfg_free(&c);
    assert_int_equal(
        load_as(&c, "r.yaml", "load: {arrival: {step: [{rate: 5/s, for: 10s}, {rate: 10/s, for: 20s}]}}\n", &err), 0);
    assert_int_equal(hx_cfg_duration(&c), 30 * S);
    assert_int_equal(c.arrival.nsteps, 2);
    assert_true(c.arrival.steps[1].rate == 10);
    hx_cfg_free(&c);
}

/* seed: takes the whole 64-bit range, as --seed does; one past it is an error at the value's position. */
static void test_seed_range(void **state)
{
    (void)state;
    hx_cfg_t c;
    cm_err_t err;
    assert_int_equal(load_as(&c, "s.yaml", "seed: 0\n", &err), 0);
    assert_true(c.seed_set);
    assert_int_equal(c.seed, 0);
    hx_cfg_free(&c);
    assert_int_equal(load_as(&c, "s.yaml", "seed: 18446744073709551615\n", &err), 0);
    assert_true(c.seed == UINT64_MAX);
    hx_cfg_free(&c);
    assert_int_equal(load_as(&c, "s.yaml", "seed: 9223372036854775808\n", &err), 0); /* above INT64_MAX */
    assert_true(c.seed == UINT64_C(9223372036854775808));
    hx_cfg_free(&c);
    expect_error("name: x\nseed: 18446744073709551616\n",
                 "s.yaml:2:7: seed: \"18446744073709551616\": too large (the maximum is 18446744073709551615)");
    expect_error("seed: -1\n", "s.yaml:1:7: seed: \"-1\": negative values are not allowed");
    expect_error("seed: 1.5\n",
                 "s.yaml:1:7: seed: \"1.5\": expected a whole number from 0 to 18446744073709551615 in decimal digits");
    expect_error("seed: [1]\n", "s.yaml:1:7: seed: expected a whole number from 0 to 18446744073709551615");
}

static void expect_finish_error(const char *text, const char *want);

/* Durations stop at HX_MAX_DURATION_NS (365 days) and think times at a day, so no deadline can wrap. */
static void test_duration_limits(void **state)
{
    (void)state;
    hx_cfg_t c;
    cm_err_t err;
    char why[256];
    assert_int_equal(load_as(&c, "s.yaml", "duration: 365d\nload: {drain: 365d, timeout: 365d, interval: 365d}\n", &err),
                     0);
    assert_int_equal(c.duration_ns, HX_MAX_DURATION_NS);
    hx_cfg_free(&c);
    expect_error("duration: 366d\n", "s.yaml:1:11: duration: 366d is above the maximum of 365d");
    expect_error("duration: 100000d\n", "s.yaml:1:11: duration: 100000d is above the maximum of 365d");
    expect_error("load: {drain: 8760h1s}\n", "s.yaml:1:15: load.drain: 8760h1s is above the maximum of 365d");
    expect_error("load: {timeout: 400d}\n", "s.yaml:1:17: load.timeout: 400d is above the maximum of 365d");
    expect_error("load: {interval: 400d}\n", "s.yaml:1:18: load.interval: 400d is above the maximum of 365d");
    expect_error("load: {arrival: {ramp: {from: 1/s, to: 2/s, over: 400d}}}\n",
                 "s.yaml:1:51: load.arrival.ramp.over: 400d is above the maximum of 365d");
    expect_error("load: {arrival: {step: [{rate: 1/s, for: 1s}, {rate: 1/s, for: 400d}]}}\n",
                 "s.yaml:1:64: load.arrival.step[1].for: 400d is above the maximum of 365d");
    expect_error("load: {arrival: {users: 1, think: 2d}}\n",
                 "s.yaml:1:35: load.arrival.think: \"2d\": a think time is at most 1d");
    /* Steps within the limit one by one can still add up past it: refused before any deadline is computed. */
    expect_finish_error("load: {target: 'http://h/v1', arrival: {step: [{rate: 1/s, for: 200d}, {rate: 1/s, for: "
                        "200d}]}}\n",
                        "duration (the ramp's over or the steps' sum) 400d is above the maximum of 365d");
    /* Values set by hand (the CLI does this) are checked by hx_cfg_finish too. */
    assert_int_equal(load_as(&c, "s.yaml", "load: {target: 'http://h/v1', arrival: {constant: 1/s}}\n", &err), 0);
    c.drain_ns = HX_MAX_DURATION_NS + 1;
    c.drain_set = true;
    assert_int_equal(hx_cfg_finish(&c, why, sizeof(why)), -1);
    assert_string_equal(why, "drain is above the maximum of 365d"); /* 1 ns over: no rounded value */
    hx_cfg_free(&c);
}

static void test_unknown_keys(void **state)
{
    (void)state;
    expect_error("name: t\nlod: {}\n", "s.yaml:2:1: unknown key \"lod\" (did you mean \"load\"? allowed: name, seed, "
                                       "duration, mock, gateway, load, expect, report, services, proxies, changes, slo)");
    expect_error("load:\n  thread: 2\n",
                 "s.yaml:2:3: load: unknown key \"thread\" (did you mean \"threads\"? allowed: target, arrival, "
                 "requests, threads, max_inflight, timeout, drain, interval, connections, headers, api_key, router, "
                 "phases, warmup, cooldown, groups)");
    expect_error(
        "load:\n  requests:\n    - {api: openai.chat, promt: hi}\n",
        "s.yaml:3:26: load.requests[0]: unknown key \"promt\" (did you mean \"prompt\"? allowed: name, weight, "
        "api, model, stream, include_usage, prompt, repeat, input, max_tokens, user, headers, api_key, "
        "reasoning_effort, reasoning_summary)");
    expect_error("load: {connections: {churn: true, max_reqs: 3}}\n",
                 "s.yaml:1:35: load.connections: unknown key \"max_reqs\" (allowed: max_requests, max_age, churn)");
    expect_error(
        "report: {formats: [json], dirs: x}\n",
        "s.yaml:1:27: report: unknown key \"dirs\" (did you mean \"dir\"? allowed: dir, formats, webhook, exit_codes)");
}

static void test_value_errors(void **state)
{
    (void)state;
    expect_error(
        "load:\n  requests:\n    - {api: openai.chats}\n",
        "s.yaml:3:13: load.requests[0].api: unknown api \"openai.chats\" (expected one of openai.chat, "
        "openai.completions, openai.embeddings, openai.responses, azure.chat, azure.completions, "
        "azure.embeddings, azure.responses, anthropic.messages, gemini.generate, gemini.embed, vertex.generate, http)");
    expect_error("load:\n  requests:\n    - api: openai.embeddings\n      stream: true\n",
                 "s.yaml:4:15: load.requests[0].stream: openai.embeddings cannot stream");
    expect_error("load:\n  requests:\n    - {prompt: \"{{uuid}} and {{user}}\"}\n",
                 "s.yaml:3:16: load.requests[0].prompt: unknown template variable \"{{user}}\" at byte 13 (expected "
                 "{{uuid}}, {{seq}}, {{random MIN..MAX}} or {{random hex N}})");
    expect_error("load:\n  requests:\n    - {repeat: 0}\n",
                 "s.yaml:3:16: load.requests[0].repeat: must be between 1 and 100000, got 0");
    expect_error("load:\n  arrival: {constant: 10/s, users: 5}\n",
                 "s.yaml:2:12: load.arrival: both constant and users given (pick one arrival kind)");
    expect_error("load:\n  arrival: {constant: 10/s, think: 1s}\n",
                 "s.yaml:2:36: load.arrival: spawn and think go with users (closed loop), not with constant");
    expect_error("load:\n  arrival: {users: 10, think: 1s..0.5s}\n",
                 "s.yaml:2:31: load.arrival.think: \"1s..0.5s\": the minimum is larger than the maximum");
    expect_error("load:\n  arrival: {ramp: {from: 1/s, to: 5/s}}\n",
                 "s.yaml:2:19: load.arrival.ramp: missing required key \"over\"");
    expect_error("load:\n  requests:\n    - {api: openai.embeddings, reasoning_effort: high}\n",
                 "s.yaml:3:50: load.requests[0].reasoning_effort: openai.embeddings has no reasoning effort "
                 "(openai.chat, azure.chat, openai.responses and azure.responses do)");
    expect_error("load:\n  requests:\n    - {api: openai.chat, reasoning_effort: extreme}\n",
                 "s.yaml:3:44: load.requests[0].reasoning_effort: \"extreme\": expected none, minimal, low, medium or "
                 "high");
    expect_error("load:\n  requests:\n    - {api: openai.chat, reasoning_summary: auto}\n",
                 "s.yaml:3:45: load.requests[0].reasoning_summary: openai.chat has no reasoning summary "
                 "(openai.responses, azure.responses, gemini.generate and vertex.generate do)");
    expect_error("load:\n  requests:\n    - {api: gemini.generate, reasoning_summary: long}\n",
                 "s.yaml:3:49: load.requests[0].reasoning_summary: \"long\": expected auto, concise or detailed");
    /* a key is a header value: "\r\n" in it added headers of its own to every request */
    expect_error("load: {api_key: \"k\\r\\nX-Injected: 1\"}\n",
                 "s.yaml:1:17: load.api_key: must not contain CR or LF (it is sent as a header value)");
    expect_error("load:\n  requests:\n    - {api: openai.chat, api_key: \"k\\nX: 1\"}\n",
                 "s.yaml:3:35: load.requests[0].api_key: must not contain CR or LF (it is sent as a header value)");
    expect_error("report: {exit_codes: detail}\n",
                 "s.yaml:1:22: report.exit_codes: \"detail\": expected default (0 pass, 1 fail, 2 error) or detailed "
                 "(a status per failed expectation class, docs/expectations.md)");
    expect_error("expect:\n  - {metric: latency.p99, max: 1s, exit_code: 2}\n",
                 "s.yaml:2:47: expect[0].exit_code: must be between 3 and 125, got 2");
    expect_error("load: {target: 'localhost:8080'}\n",
                 "s.yaml:1:16: load.target: \"localhost:8080\" is not an http:// URL (expected an api_base like "
                 "http://127.0.0.1:8080/v1)");
    expect_error("load: {connections: {max_age: 500us}}\n",
                 "s.yaml:1:31: load.connections.max_age: must be 0 (unlimited) or at least 1ms");
    expect_error("report: {formats: [json, pdf]}\n",
                 "s.yaml:1:26: report.formats[1]: unknown format \"pdf\" (expected json, jsonl, junit, html)");
    expect_error("report: {formats: [html, json, html]}\n",
                 "s.yaml:1:32: report.formats[2]: format \"html\" is listed twice");
    expect_error("report: {dir: 'r/{{when}}'}\n",
                 "s.yaml:1:15: report.dir: unknown placeholder \"{{when}}\" (expected {{name}}, {{time}}, {{seed}})");
    expect_error("load: {headers: {'X Bad': 1}}\n",
                 "s.yaml:1:27: load.headers.X Bad: header \"X Bad: 1\": invalid character in the name");
    expect_error("duration: 0s\n", "s.yaml:1:11: duration: must be > 0");
    expect_error("- a\n", "s.yaml:1:1: expected a map of name, seed, duration, load, expect, report");
    expect_error("", "s.yaml: the file is empty");
}

static void test_target_for_soak_run(void **state)
{
    (void)state;
    hx_cfg_t c;
    cm_err_t err;
    char why[512];
    const char *text = "load:\n  target: gateway\n  arrival: {constant: 1/s}\n";
    assert_int_equal(load_as(&c, "s.yaml", text, &err), 0);
    assert_int_equal(hx_cfg_finish(&c, why, sizeof(why)), -1);
    assert_string_equal(why, "s.yaml:2:11: load.target: \"gateway\" is for `soak run` (not available yet); give a URL "
                             "here or pass --url");
    hx_cfg_free(&c);
    /* --url replaces it (the CLI does this). */
    assert_int_equal(load_as(&c, "s.yaml", text, &err), 0);
    c.target = "http://127.0.0.1:9/v1";
    c.target_err = NULL;
    assert_int_equal(hx_cfg_finish(&c, why, sizeof(why)), 0);
    hx_cfg_free(&c);
}

/* An api: http path with placeholders is kept as written for `soak run`, which fills it in; until then
 * hx_cfg_finish fails with its position. The index it records is its template's, across groups. */
static void test_path_for_soak_run(void **state)
{
    (void)state;
    hx_cfg_t c;
    cm_err_t err;
    char why[512];
    const char *text = "load:\n"
                       "  target: http://127.0.0.1:9/v1\n"
                       "  groups:\n"
                       "    - {name: a, arrival: {constant: 1/s}, requests: [{api: openai.chat}]}\n"
                       "    - name: b\n"
                       "      arrival: {every: 1s}\n"
                       "      requests:\n"
                       "        - {api: http, path: /metrics}\n"
                       "        - {api: http, path: \"{{mock.admin.url}}/deployments\"}\n";
    assert_int_equal(load_as(&c, "s.yaml", text, &err), 0);
    assert_int_equal(c.npath_tmpls, 1);
    assert_int_equal(c.path_tmpls[0].req, 2);
    assert_string_equal(c.path_tmpls[0].text, "{{mock.admin.url}}/deployments");
    assert_string_equal(c.path_tmpls[0].where, "load.groups[1].requests[1].path");
    assert_int_equal(hx_cfg_finish(&c, why, sizeof(why)), -1);
    assert_string_equal(why, "s.yaml:9:29: load.groups[1].requests[1].path: \"{{mock.admin.url}}/deployments\" has "
                             "placeholders that `soak run` fills in; run it with `soak run`");
    /* What soak run does once the mock runs. */
    c.reqs[2].path = "http://127.0.0.1:9/admin/deployments";
    c.path_err = NULL;
    assert_int_equal(hx_cfg_finish(&c, why, sizeof(why)), 0);
    hx_cfg_free(&c);
    /* Braces that are no placeholder still fail where the engine checks paths. */
    text = "load:\n  target: http://127.0.0.1:9/v1\n  arrival: {constant: 1/s}\n"
           "  requests: [{api: http, path: \"/a b\"}]\n";
    assert_int_equal(load_as(&c, "s.yaml", text, &err), -1);
    assert_non_null(strstr(err.msg, "no space, control character"));
    hx_cfg_free(&c);
}

/* Several targets and the router: a list of URLs, load.router's keys and their errors; placeholders and
 * "deployments" are left to `soak run` with a message --url clears. */
static void test_targets_and_router(void **state)
{
    (void)state;
    hx_cfg_t c;
    cm_err_t err;
    char why[512];
    const char *text = "load:\n  target: [\"http://127.0.0.1:1/v1\", \"http://127.0.0.1:2/v1\"]\n"
                       "  router: {policy: round-robin, cooldown: 2s, retries: 0}\n  arrival: {constant: 1/s}\n";
    assert_int_equal(load_as(&c, "s.yaml", text, &err), 0);
    assert_int_equal(c.ntargets, 2);
    assert_string_equal(c.targets[1], "http://127.0.0.1:2/v1");
    assert_string_equal(c.target, "http://127.0.0.1:1/v1");
    assert_int_equal(c.router.policy, HX_ROUTE_ROUND_ROBIN);
    assert_int_equal(c.router.cooldown_ns, 2000000000ull);
    assert_int_equal(c.router.retries, 0);
    assert_int_equal(hx_cfg_finish(&c, why, sizeof(why)), 0);
    hx_cfg_free(&c);
    /* defaults: LiteLLM's */
    assert_int_equal(load_as(&c, "s.yaml", "load:\n  target: deployments\n", &err), 0);
    assert_true(c.target_deployments);
    assert_int_equal(c.router.policy, HX_ROUTE_SHUFFLE);
    assert_int_equal(c.router.cooldown_ns, HX_ROUTER_COOLDOWN_DEFAULT_NS);
    assert_int_equal(c.router.retries, 1);
    assert_non_null(strstr(c.target_err, "\"deployments\" is filled in by `soak run`"));
    hx_cfg_free(&c);
    assert_int_equal(load_as(&c, "s.yaml", "load:\n  target: \"{{deployments.a.url}}\"\n", &err), 0);
    assert_string_equal(c.target_template, "{{deployments.a.url}}");
    assert_non_null(strstr(c.target_err, "placeholders that `soak run` fills in"));
    hx_cfg_free(&c);
    expect_error("load:\n  target: []\n", "s.yaml:2:11: load.target: expected 1 to 64 URLs, got 0");
    expect_error("load:\n  target: [\"ftp://x\"]\n", "s.yaml:2:12: load.target: \"ftp://x\" is not an http:// URL "
                                                     "(expected an api_base like http://127.0.0.1:8080/v1)");
    expect_error("load:\n  router: {policy: random}\n",
                 "s.yaml:2:20: load.router.policy: unknown policy \"random\" (expected shuffle or round-robin)");
    expect_error("load:\n  router: {retries: 4}\n", "s.yaml:2:21: load.router.retries: must be between 0 and 3, got 4");
    expect_error("load:\n  router: {cooldown: 11m}\n", "s.yaml:2:22: load.router.cooldown: at most 10m");
    expect_error("report: {webhook: ftp://x}\n", "s.yaml:1:19: report.webhook: \"ftp://x\" is not an http:// or "
                                                 "https:// URL of at most 2048 bytes");
    expect_error("load:\n  router: {cooldwn: 1s}\n", "s.yaml:2:12: load.router: unknown key \"cooldwn\" (did you mean "
                                                     "\"cooldown\"? allowed: policy, cooldown, retries)");
}

static void expect_finish_error(const char *text, const char *want)
{
    hx_cfg_t c;
    cm_err_t err;
    char why[512];
    assert_int_equal(load_as(&c, "s.yaml", text, &err), 0);
    assert_int_equal(hx_cfg_finish(&c, why, sizeof(why)), -1);
    assert_string_equal(why, want);
    hx_cfg_free(&c);
}

static void test_cross_checks(void **state)
{
    (void)state;
    expect_finish_error("load: {arrival: {constant: 1/s}}\n", "no target: pass --url (or set load.target)");
    expect_finish_error("load: {target: 'http://h/v1'}\n",
                        "no arrival: pass --rate R or --users N (or set load.arrival, or an arrival in every phase)");
    expect_finish_error("load: {target: 'http://h/v1', arrival: {users: 20}, max_inflight: 10}\n",
                        "users (20) exceed max_inflight (10): raise --max-inflight");
    expect_finish_error("load: {target: 'http://h/v1', arrival: {users: 2}, threads: 3}\n",
                        "threads (3) exceed users (2): a thread would have no user");
    /* In a file, where it is written; from flags (--churn with load.connections.max_requests), at the end. */
    hx_cfg_t c;
    cm_err_t err;
    char why[256];
    assert_int_equal(load_as(&c, "s.yaml",
                          "load: {target: 'http://h/v1', arrival: {constant: 1/s}, connections: {churn: true, "
                          "max_requests: 5}}\n",
                          &err),
                     -1);
    assert_string_equal(err.msg, "s.yaml:1:70: load.connections: churn opens a connection per request: it excludes "
                                 "max_requests and max_age");
    hx_cfg_free(&c);
    assert_int_equal(load_as(&c, "s.yaml",
                          "load: {target: 'http://h/v1', arrival: {constant: 1/s}, connections: "
                          "{max_requests: 5}}\n",
                          &err),
                     0);
    c.conn.churn = true;
    assert_int_equal(hx_cfg_finish(&c, why, sizeof(why)), -1);
    assert_string_equal(why, "churn opens a connection per request: it excludes max_requests and max_age");
    hx_cfg_free(&c);
}

static void test_check_helpers(void **state)
{
    (void)state;
    char why[256];
    assert_int_equal(hx_cfg_check_url("http://127.0.0.1:8080/v1", why, sizeof(why)), 0);
    assert_int_equal(hx_cfg_check_url("https://gw.example/v1/", why, sizeof(why)), 0);
    assert_int_equal(hx_cfg_check_url("http:///v1", why, sizeof(why)), -1);
    assert_string_equal(why, "\"http:///v1\" has no host");
    assert_int_equal(hx_cfg_check_url("http://h/v1?x=1", why, sizeof(why)), -1);
    assert_contains(why, "no query or fragment");
    assert_int_equal(hx_cfg_check_dir("reports/{{name}}-{{time}}-{{seed}}", why, sizeof(why)), 0);
}

/* load.phases: read in order, laid out by hx_cfg_finish (their sum is the run's duration unless duration: is
 * set, which rescales them), expectations scoped to a phase or between spans; warmup/cooldown as shares. */
static void test_phases(void **state)
{
    (void)state;
    hx_cfg_t c;
    cm_err_t err;
    char why[256];
    const char *text = "load:\n  target: http://127.0.0.1:1/v1\n  arrival: {constant: 10/s}\n"
                       "  phases:\n    - {name: warm-up, duration: 10s, exclude: true}\n"
                       "    - {name: steady, duration: 60s}\n    - {name: fault, duration: 30s}\n"
                       "expect:\n  - {metric: latency.p99, phase: fault, max: 2s}\n"
                       "  - {metric: drift.latency.p99, baseline: steady, window: 70s.., max: 1.5}\n";
    assert_int_equal(load_as(&c, "s.yaml", text, &err), 0);
    assert_int_equal(c.phases.n, 3);
    assert_true(c.phases.p[0].exclude);
    assert_true(c.expects[0].in_phase);
    assert_int_equal(c.expects[0].phase, 2);
    assert_string_equal(c.expects[0].scope, "fault");
    assert_true(c.expects[1].has_windows);
    assert_string_equal(c.expects[1].scope, "1m10s.. vs steady");
    assert_int_equal(hx_cfg_finish(&c, why, sizeof(why)), 0);
    assert_int_equal(c.duration_ns, 100 * S);
    assert_int_equal(c.phases.p[2].start_ns, 70 * S);
    hx_cfg_free(&c);
    /* a --duration of 10s keeps the shape */
    assert_int_equal(load_as(&c, "s.yaml", text, &err), 0);
    c.duration_ns = 10 * S;
    assert_int_equal(hx_cfg_finish(&c, why, sizeof(why)), 0);
    assert_int_equal(c.phases.p[0].end_ns, 1 * S);
    assert_int_equal(c.phases.p[1].end_ns, 7 * S);
    assert_int_equal(c.phases.p[2].end_ns, 10 * S);
    hx_cfg_free(&c);
    /* warmup and cooldown as a share of the run */
    assert_int_equal(load_as(&c, "s.yaml",
                          "duration: 20s\nload:\n  target: http://127.0.0.1:1/v1\n  arrival: {constant: 1/s}\n"
                          "  warmup: 10%\n  cooldown: 5s\nexpect:\n  - {metric: failure_rate, phase: steady, max: 0%}\n",
                          &err),
                     0);
    assert_int_equal(hx_cfg_finish(&c, why, sizeof(why)), 0);
    assert_int_equal(c.phases.n, 3);
    assert_string_equal(c.phases.p[1].name, "steady");
    assert_int_equal(c.phases.p[0].end_ns, 2 * S);
    assert_int_equal(c.phases.p[1].end_ns, 15 * S);
    assert_int_equal(c.phases.p[2].end_ns, 20 * S);
    assert_true(c.phases.p[2].exclude);
    hx_cfg_free(&c);
    /* --warmup on a file without phases; refused beside load.phases */
    assert_int_equal(load_as(&c, "s.yaml", "load: {target: \"http://127.0.0.1:1/v1\", arrival: {constant: 1/s}}\n", &err), 0);
    hx_edge_t w;
    assert_int_equal(hx_edge_parse("3s", true, &w, why, sizeof(why)), 0);
    assert_int_equal(hx_cfg_set_edges(&c, &w, NULL, why, sizeof(why)), 0);
    c.duration_ns = 10 * S;
    assert_int_equal(hx_cfg_finish(&c, why, sizeof(why)), 0);
    assert_int_equal(c.phases.n, 2);
    assert_int_equal(c.phases.p[0].end_ns, 3 * S);
    hx_cfg_free(&c);
    assert_int_equal(load_as(&c, "s.yaml", text, &err), 0);
    assert_int_equal(hx_cfg_set_edges(&c, &w, NULL, why, sizeof(why)), -1);
    assert_string_equal(why, "load.phases is set: a warm-up or cool-down is a phase there with exclude: true");
    hx_cfg_free(&c);
    assert_int_equal(hx_edge_parse("100%", true, &w, why, sizeof(why)), -1);
    /* a warm-up by count: no phase of its own; a cool-down beside it still is one */
    assert_int_equal(hx_edge_parse("500req", true, &w, why, sizeof(why)), 0);
    assert_int_equal(w.count, 500);
    assert_int_equal(load_as(&c, "s.yaml", "load: {target: \"http://127.0.0.1:1/v1\", arrival: {constant: 1/s}}\n", &err),
                     0);
    assert_int_equal(hx_cfg_set_edges(&c, &w, NULL, why, sizeof(why)), 0);
    c.duration_ns = 10 * S;
    assert_int_equal(hx_cfg_finish(&c, why, sizeof(why)), 0);
    assert_int_equal(c.phases.n, 0);
    assert_int_equal(c.warmup_requests, 500);
    hx_cfg_free(&c);
    assert_int_equal(load_as(&c, "s.yaml",
                          "duration: 10s\nload:\n  target: http://127.0.0.1:1/v1\n  arrival: {constant: 1/s}\n"
                          "  warmup: 20req\n  cooldown: 2s\n",
                          &err),
                     0);
    assert_int_equal(hx_cfg_finish(&c, why, sizeof(why)), 0);
    assert_int_equal(c.phases.n, 2);
    assert_string_equal(c.phases.p[0].name, "steady");
    assert_int_equal(c.phases.p[0].end_ns, 8 * S);
    assert_int_equal(c.warmup_requests, 20);
    hx_cfg_free(&c);
    assert_int_equal(hx_edge_parse("500req", false, &w, why, sizeof(why)), -1);
    assert_string_equal(why, "\"500req\": a cool-down is a duration or a share of the run, not a count: which "
                             "requests are the last is known only once the run has ended");
    assert_int_equal(hx_edge_parse("0req", true, &w, why, sizeof(why)), -1);
    assert_string_equal(why, "\"0req\": a warm-up count is 1req to 1000000000req");
    assert_int_equal(hx_edge_parse("1000000001req", true, &w, why, sizeof(why)), -1);
    assert_int_equal(hx_edge_parse("5 req", true, &w, why, sizeof(why)), -1);
    assert_string_equal(why, "\"5 req\": expected a duration such as 10s (more than 0s, at most a year), a share of "
                             "the run such as 10% or a count of requests such as 500req");
    expect_error("load:\n  cooldown: 100req\n",
                 "s.yaml:2:13: load.cooldown: \"100req\": a cool-down is a duration or a share of the run, not a "
                 "count: which requests are the last is known only once the run has ended");
    /* the warm-up and cool-down leave nothing */
    assert_int_equal(load_as(&c, "s.yaml",
                          "duration: 4s\nload:\n  target: http://127.0.0.1:1/v1\n  arrival: {constant: 1/s}\n"
                          "  warmup: 2s\n  cooldown: 2s\n",
                          &err),
                     0);
    assert_int_equal(hx_cfg_finish(&c, why, sizeof(why)), -1);
    assert_string_equal(why, "the warm-up and cool-down (4s) leave nothing of a run of 4s to judge");
    hx_cfg_free(&c);
}

static void test_phase_errors(void **state)
{
    (void)state;
    expect_error("load:\n  phases:\n    - {name: a b, duration: 1s}\n",
                 "s.yaml:3:14: load.phases[0].name: a phase name is 1 to 47 letters, digits, '-' or '_' "
                 "(\"a b\" is not)");
    expect_error("load:\n  phases:\n    - {name: a, duration: 1s}\n    - {name: a, duration: 2s}\n",
                 "s.yaml:4:14: load.phases[1].name: a second phase called \"a\"");
    expect_error("load:\n  phases:\n    - {name: a, duration: 0s}\n",
                 "s.yaml:3:27: load.phases[0].duration: a phase lasts more than 0s and at most a year");
    expect_error("load:\n  phases:\n    - {name: a, duration: 1s, arrival: x}\n",
                 "s.yaml:3:40: load.phases[0].arrival: expected a map, got a scalar");
    expect_error("load:\n  phases:\n    - {name: a, duration: 1s, arrival: {users: 2}}\n",
                 "s.yaml:3:40: load.phases[0].arrival: a phase's arrival is open loop (constant, poisson, ramp or "
                 "step); closed-loop users run the whole load (load.arrival)");
    expect_error("load:\n  phases:\n    - {name: a, duration: 1s, exclud: true}\n",
                 "s.yaml:3:31: load.phases[0]: unknown key \"exclud\" (did you mean \"exclude\"? allowed: name, "
                 "duration, exclude, arrival)");
    expect_error("load:\n  phases:\n    - {name: a, duration: 1s, exclude: true}\n",
                 "s.yaml:3:5: load.phases: every phase is excluded: nothing would be judged");
    expect_error("load:\n  phases: []\n", "s.yaml:2:11: load.phases: expected a list of phases ({name, duration, exclude})");
    expect_error("load:\n  warmup: 10s\n  phases:\n    - {name: a, duration: 1s}\n",
                 "s.yaml:2:11: load.warmup: load.phases is set: make the warm-up or cool-down a phase there with "
                 "exclude: true");
    expect_error("load:\n  warmup: 1x\n",
                 "s.yaml:2:11: load.warmup: \"1x\": expected a duration such as 10s (more than 0s, at most a year), "
                 "a share of the run such as 10% or a count of requests such as 500req");
    expect_error("load:\n  phases:\n    - {name: a, duration: 1s}\nexpect:\n  - {metric: latency.p99, phase: b, max: 1s}\n",
                 "s.yaml:5:34: expect[0].phase: no phase called \"b\" in load.phases");
    expect_error("expect:\n  - {metric: latency.p99, phase: b, max: 1s}\n",
                 "s.yaml:2:34: expect[0].phase: no phase called \"b\" in load.phases (it has none)");
    expect_error("expect:\n  - {metric: latency.p99, baseline: 0s..1s, window: 1s.., max: 1s}\n",
                 "s.yaml:2:37: expect[0].baseline: baseline and window apply to drift metrics only, not to latency.p99");
    expect_error("expect:\n  - {metric: drift.latency.p99, window: 1s.., max: 1.2}\n",
                 "s.yaml:2:41: expect[0].window: a drift between spans needs both baseline and window");
    expect_error("expect:\n  - {metric: drift.latency.p99, phase: x, max: 1.2}\n",
                 "s.yaml:2:40: expect[0].phase: a drift metric compares two spans: give baseline and window (phase "
                 "names or time ranges), not phase");
}

static void test_group_errors(void **state)
{
    (void)state;
    expect_error("load:\n  arrival: {constant: 1/s}\n  groups:\n    - {name: a, arrival: {every: 1s}, requests: [{}]}\n",
                 "s.yaml:2:12: load.arrival: load.groups is set: each group has its own arrival and requests");
    expect_error("load:\n  groups:\n    - {name: a, arrival: {users: 3}, requests: [{}]}\n",
                 "s.yaml:3:26: load.groups[0].arrival: a group's arrival is open loop (constant, poisson, ramp, step or "
                 "every); closed-loop users run a load without groups");
    expect_error("load:\n  groups:\n    - {name: a, arrival: {every: 1s}}\n",
                 "s.yaml:3:7: load.groups[0]: missing required key \"requests\"");
    expect_error("load:\n  groups:\n    - {name: a, arrival: {every: 1s}, requests: [{}]}\n"
                 "    - {name: a, arrival: {every: 1s}, requests: [{}]}\n",
                 "s.yaml:4:14: load.groups[1].name: a second group called \"a\"");
    expect_error("load:\n  arrival: {every: 0s}\n", "s.yaml:2:20: load.arrival.every: must be at least 1us");
    expect_error("expect:\n  - {metric: latency.p99, group: x, max: 1s}\n",
                 "s.yaml:2:34: expect[0].group: no group called \"x\" in load.groups (it has none)");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_phases),
        cmocka_unit_test(test_phase_errors),
        cmocka_unit_test(test_group_errors),
        cmocka_unit_test(test_full),
        cmocka_unit_test(test_defaults),
        cmocka_unit_test(test_report_formats),
        cmocka_unit_test(test_seed_range),
        cmocka_unit_test(test_duration_limits),
        cmocka_unit_test(test_unknown_keys),
        cmocka_unit_test(test_value_errors),
        cmocka_unit_test(test_target_for_soak_run),
        cmocka_unit_test(test_path_for_soak_run),
        cmocka_unit_test(test_targets_and_router),
        cmocka_unit_test(test_cross_checks),
        cmocka_unit_test(test_check_helpers),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
