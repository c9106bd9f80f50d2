/* tests/unit/harness/run/cli_test.c — `soak load` flags: values reach the configuration, flags override a
 * scenario file, and every bad flag gets a message naming the flag and the value. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "harness/run/cli.h"
#include "harness/run/runner.h"

#define S 1000000000ull
#define ARGV(...) ((char *[]){"load", __VA_ARGS__, NULL})
#define ARGC(v) ((int)(sizeof(v) / sizeof(char *)) - 1)

static void assert_contains(const char *haystack, const char *needle)
{
    if (strstr(haystack, needle) == NULL) {
        print_error("\"%s\"\n  does not contain \"%s\"\n", haystack, needle);
        fail();
    }
}

static int parse(int argc, char **argv, hx_cli_t *cli, char *err, size_t n)
{
    err[0] = '\0';
    return hx_cli_parse_load(argc, argv, cli, err, n);
}

#define PARSE_OK(cli, ...)                                                                                             \
    do {                                                                                                               \
        char **v_ = ARGV(__VA_ARGS__);                                                                                 \
        char e_[1024];                                                                                                 \
        if (parse(ARGC(ARGV(__VA_ARGS__)), v_, (cli), e_, sizeof(e_)) != 0) {                                          \
            print_error("unexpected error: %s\n", e_);                                                                 \
            fail();                                                                                                    \
        }                                                                                                              \
    } while (0)

#define PARSE_ERR(want, ...)                                                                                           \
    do {                                                                                                               \
        hx_cli_t c_;                                                                                                   \
        char e_[1024];                                                                                                 \
        assert_int_equal(parse(ARGC(ARGV(__VA_ARGS__)), ARGV(__VA_ARGS__), &c_, e_, sizeof(e_)), -1);                  \
        assert_string_equal(e_, want);                                                                                 \
        hx_cli_free(&c_);                                                                                              \
    } while (0)

#define PARSE_ERR_HAS(want, ...)                                                                                       \
    do {                                                                                                               \
        hx_cli_t c_;                                                                                                   \
        char e_[1024];                                                                                                 \
        assert_int_equal(parse(ARGC(ARGV(__VA_ARGS__)), ARGV(__VA_ARGS__), &c_, e_, sizeof(e_)), -1);                  \
        assert_contains(e_, want);                                                                                     \
        hx_cli_free(&c_);                                                                                              \
    } while (0)

static void test_minimal(void **state)
{
    (void)state;
    hx_cli_t cli;
    PARSE_OK(&cli, "--url", "http://127.0.0.1:8080/v1", "--rate", "1000/s", "--duration", "30s");
    const hx_cfg_t *c = &cli.cfg;
    assert_string_equal(c->target, "http://127.0.0.1:8080/v1");
    assert_int_equal(c->arrival.kind, HX_ARRIVAL_CONSTANT);
    assert_true(c->arrival.rate == 1000);
    assert_int_equal(c->duration_ns, 30 * S);
    assert_string_equal(c->name, "load");
    assert_int_equal(c->threads, 1);
    assert_int_equal(c->max_inflight, 10000);
    assert_int_equal(c->workload.nreqs, 1);
    assert_false(cli.check);
    assert_int_equal(c->nexpects, 1); /* no --expect: the default verdict */
    assert_true(c->expects[0].is_default);
    hx_cli_free(&cli);
    PARSE_OK(&cli, "--url", "http://127.0.0.1:8080/v1", "--rate", "1/s", "--seed", "18446744073709551615");
    assert_true(cli.cfg.seed == UINT64_MAX);
    assert_true(cli.cfg.seed_set);
    hx_cli_free(&cli);
    /* One --expect replaces the default. */
    PARSE_OK(&cli, "--url", "http://127.0.0.1:8080/v1", "--rate", "1000/s", "--expect", "latency.p99<1s");
    assert_int_equal(cli.cfg.nexpects, 1);
    assert_false(cli.cfg.expects[0].is_default);
    assert_string_equal(cli.cfg.expects[0].metric, "latency.p99");
    hx_cli_free(&cli);
}

static void test_workload_flags(void **state)
{
    (void)state;
    hx_cli_t cli;
    PARSE_OK(&cli, "--url", "http://h:1/v1", "--rate", "60k/min", "--poisson", "--api", "openai.completions",
             "--stream", "--model", "a", "--model", "b", "--max-tokens", "50", "--prompt", "x {{seq}}", "--repeat", "3",
             "--user", "u1", "--api-key", "sk-9", "--header", "X-Run: 7", "--seed", "12", "--threads", "2",
             "--max-inflight", "2k", "--timeout", "5s", "--drain", "0s", "--interval", "250ms", "--quiet",
             "--max-conn-requests", "10", "--max-conn-age", "1m", "--json", "/tmp/s.json", "--html", "/tmp/r.html",
             "--expect", "latency.p99<500ms", "--expect", "failure_rate<=1%");
    const hx_cfg_t *c = &cli.cfg;
    assert_int_equal(c->arrival.kind, HX_ARRIVAL_POISSON);
    assert_true(c->arrival.rate == 1000);
    const hx_reqtpl_t *rq = &c->workload.reqs[0];
    assert_string_equal(rq->api->name, "openai.completions");
    assert_true(rq->stream);
    assert_int_equal(rq->nmodels, 2);
    assert_string_equal(c->workload.models[1], "b");
    assert_int_equal(rq->max_tokens, 50);
    assert_int_equal(rq->repeat, 3);
    assert_string_equal(rq->user_json, "\"u1\"");
    assert_string_equal(rq->headers[1], "Authorization: Bearer sk-9");
    assert_string_equal(rq->headers[2], "X-Run: 7");
    assert_int_equal(c->seed, 12);
    assert_int_equal(c->threads, 2);
    assert_int_equal(c->max_inflight, 2000);
    assert_int_equal(c->timeout_ns, 5 * S);
    assert_int_equal(c->drain_ns, 0);
    assert_int_equal(c->interval_ns, S / 4);
    assert_true(c->quiet);
    assert_int_equal(c->conn.max_requests, 10);
    assert_int_equal(c->conn.max_age_ns, 60 * S);
    assert_string_equal(c->json_path, "/tmp/s.json");
    assert_string_equal(c->html_path, "/tmp/r.html");
    assert_int_equal(c->nexpects, 2);
    assert_string_equal(c->expects[0].metric, "latency.p99");
    hx_cli_free(&cli);
}

static void test_users(void **state)
{
    (void)state;
    hx_cli_t cli;
    PARSE_OK(&cli, "--url", "http://h:1/v1", "--users", "1000", "--think", "0.5s..1s", "--spawn", "500/s");
    const hx_arrival_t *a = &cli.cfg.arrival;
    assert_int_equal(a->kind, HX_ARRIVAL_USERS);
    assert_int_equal(a->users, 1000);
    assert_true(a->spawn_rate == 500);
    assert_int_equal(a->think.kind, CM_DIST_UNIFORM);
    assert_true(a->think.a == 0.5e9 && a->think.b == 1e9);
    hx_cli_free(&cli);
}

static void test_bad_values(void **state)
{
    (void)state;
    PARSE_ERR_HAS("--rate \"fast\": ", "--url", "http://h/v1", "--rate", "fast");
    PARSE_ERR_HAS("(expected a rate like 1000/s or 60k/min)", "--url", "http://h/v1", "--rate", "fast");
    PARSE_ERR("--threads \"0\": expected a whole number from 1 to 256", "--url", "http://h/v1", "--rate", "1/s",
              "--threads", "0");
    PARSE_ERR("--threads \"1.5\": expected a whole number from 1 to 256", "--url", "http://h/v1", "--rate", "1/s",
              "--threads", "1.5");
    PARSE_ERR_HAS("--duration \"30\": ", "--url", "http://h/v1", "--rate", "1/s", "--duration", "30");
    PARSE_ERR("--max-conn-age \"100us\": must be at least 1ms", "--url", "http://h/v1", "--rate", "1/s",
              "--max-conn-age", "100us");
    PARSE_ERR(
        "--api \"openai.chats\": unknown api (expected one of openai.chat, openai.completions, "
        "openai.embeddings, openai.responses, azure.chat, azure.completions, "
        "azure.embeddings, azure.responses, anthropic.messages, gemini.generate, gemini.embed, vertex.generate, http)",
        "--url", "http://h/v1", "--rate", "1/s", "--api", "openai.chats");
    PARSE_ERR("--stream: openai.embeddings cannot stream", "--url", "http://h/v1", "--rate", "1/s", "--api",
              "openai.embeddings", "--stream");
    PARSE_ERR("--prompt \"{{uid}}\": unknown template variable \"{{uid}}\" at byte 0 (expected {{uuid}}, {{seq}}, "
              "{{random MIN..MAX}} or {{random hex N}})",
              "--url", "http://h/v1", "--rate", "1/s", "--prompt", "{{uid}}");
    PARSE_ERR("--header \"X Y: z\": invalid character in the name", "--url", "http://h/v1", "--rate", "1/s", "--header",
              "X Y: z");
    PARSE_ERR("--api-key: must not contain CR or LF (it is sent as a header value)", "--url", "http://h/v1", "--rate",
              "1/s", "--api-key", "k\r\nX-Injected: 1");
    PARSE_ERR_HAS("--expect \"latency.p99~5\": ", "--url", "http://h/v1", "--rate", "1/s", "--expect", "latency.p99~5");
    PARSE_ERR("--seed: \"-1\": negative values are not allowed", "--url", "http://h/v1", "--rate", "1/s", "--seed",
              "-1");
    PARSE_ERR("--seed: \"18446744073709551616\": too large (the maximum is 18446744073709551615)", "--url",
              "http://h/v1", "--rate", "1/s", "--seed", "18446744073709551616");
    PARSE_ERR("duration 400d is above the maximum of 365d", "--url", "http://h/v1", "--rate", "1/s", "--duration",
              "400d");
    PARSE_ERR("timeout 1000d is above the maximum of 365d", "--url", "http://h/v1", "--rate", "1/s", "--timeout",
              "1000d");
    PARSE_ERR("--think \"0s..2d\": a think time is at most 1d", "--url", "http://h/v1", "--users", "1", "--think",
              "0s..2d");
    PARSE_ERR("--url \"ftp://h/v1\" is not an http:// URL (expected an api_base like http://127.0.0.1:8080/v1)",
              "--url", "ftp://h/v1", "--rate", "1/s");
    PARSE_ERR_HAS("--think \"1s..x\": ", "--url", "http://h/v1", "--users", "2", "--think", "1s..x");
}

static void test_usage_errors(void **state)
{
    (void)state;
    PARSE_ERR("unknown option \"--ratee\"", "--url", "http://h/v1", "--ratee", "1/s");
    PARSE_ERR("--url needs a value", "--rate", "1/s", "--url");
    PARSE_ERR("unexpected argument \"extra\" (every option starts with --)", "--url", "http://h/v1", "--rate", "1/s",
              "extra");
    PARSE_ERR("--rate and --users exclude each other (open loop or closed loop)", "--url", "http://h/v1", "--rate",
              "1/s", "--users", "3");
    PARSE_ERR("--think goes with --users (closed loop)", "--url", "http://h/v1", "--rate", "1/s", "--think", "1s");
    PARSE_ERR("--poisson needs --rate (or a constant arrival in the file)", "--url", "http://h/v1", "--poisson");
    PARSE_ERR("--check needs --config FILE", "--check");
    PARSE_ERR("--http2: not supported: libcurl 7.88 cannot reuse an HTTP/2 cleartext (h2c) connection (fixed in "
              "libcurl 8.0), so soak speaks HTTP/1.1",
              "--url", "http://h/v1", "--rate", "1/s", "--http2");
    PARSE_ERR("no target: pass --url (or set load.target)", "--rate", "1/s");
    PARSE_ERR("no arrival: pass --rate R or --users N (or set load.arrival, or an arrival in every phase)", "--url", "http://h/v1");
    PARSE_ERR("churn opens a connection per request: it excludes max_requests and max_age", "--url", "http://h/v1",
              "--rate", "1/s", "--churn", "--max-conn-requests", "3");
    PARSE_ERR("users (20000) exceed max_inflight (10000): raise --max-inflight", "--url", "http://h/v1", "--users",
              "20000");
    hx_cli_t cli;
    PARSE_OK(&cli, "--help");
    assert_true(cli.help);
    hx_cli_free(&cli);
}

static char *write_file(const char *text)
{
    static char path[64];
    snprintf(path, sizeof(path), "/tmp/soak-cli-test-%d.yaml", (int)getpid());
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
    return path;
}

static void test_config_overrides(void **state)
{
    (void)state;
    char *path = write_file("name: file-run\n"
                            "duration: 10m\n"
                            "load:\n"
                            "  target: gateway\n"
                            "  arrival: {constant: 100/s}\n"
                            "  requests: [{model: m, api_key: sk-file}]\n");
    hx_cli_t cli;
    PARSE_OK(&cli, "--config", path, "--url", "http://127.0.0.1:9/v1", "--duration", "2s", "--api-key", "sk-flag",
             "--check");
    assert_true(cli.check);
    assert_string_equal(cli.cfg.name, "file-run");
    assert_string_equal(cli.cfg.target, "http://127.0.0.1:9/v1");
    assert_int_equal(cli.cfg.duration_ns, 2 * S);
    assert_true(cli.cfg.arrival.rate == 100);
    assert_string_equal(cli.cfg.workload.reqs[0].headers[1], "Authorization: Bearer sk-flag");
    hx_cli_free(&cli);
    PARSE_ERR("--model: the file already defines load.requests (change the template there)", "--config", path, "--url",
              "http://h/v1", "--model", "x");
    char want[256];
    snprintf(want, sizeof(want),
             "%s:4:11: load.target: \"gateway\" is for `soak run` (not available yet); give a URL here or pass --url",
             path);
    PARSE_ERR(want, "--config", path);
    /* --check passes it: the target is for `soak run`, --url supplies one to `soak load`. */
    PARSE_OK(&cli, "--config", path, "--check");
    assert_string_equal(cli.check_note, "load.target is for `soak run` (pass --url to run it with soak load)");
    assert_true(cli.cfg.workload_built);
    hx_cli_free(&cli);
    unlink(path);
    /* A file for other commands only (no load:) passes --check too. */
    path = write_file("mock:\n  deployments: [{name: a}]\n");
    PARSE_OK(&cli, "--config", path, "--check");
    assert_string_equal(cli.check_note, "no load: section (nothing for `soak load` to run)");
    assert_false(cli.cfg.workload_built);
    hx_cli_free(&cli);
    PARSE_ERR("no target: pass --url (or set load.target)", "--config", path, "--rate", "1/s");
    unlink(path);
    PARSE_ERR_HAS("/nonexistent/x.yaml: cannot open: No such file or directory", "--config", "/nonexistent/x.yaml");
}

static void test_config_sets(void **state)
{
    (void)state;
    char *path = write_file("name: file-run\n"
                            "duration: 10m\n"
                            "load:\n"
                            "  target: http://127.0.0.1:8080/v1\n"
                            "  arrival: {constant: 100/s}\n"
                            "  requests: [{model: m}]\n");
    hx_cli_t cli;
    PARSE_OK(&cli, "--config", path, "--set", "load.target=http://127.0.0.1:9/v1", "--set",
             "load.arrival={constant: 7/s}", "--set", "load.requests[0].model=m2", "--check");
    assert_string_equal(cli.cfg.target, "http://127.0.0.1:9/v1");
    assert_true(cli.cfg.arrival.rate == 7);
    hx_cli_free(&cli);
    PARSE_ERR_HAS("--set load.arival", "--config", path, "--set", "load.arival={constant: 7/s}");
    PARSE_ERR("--set load.requests[3].model: index 3 is past the end of a list of 1 items", "--config", path, "--set",
              "load.requests[3].model=x");
    PARSE_ERR("--set needs --config FILE (it overrides a value of the file)", "--url", "http://h/v1", "--set",
              "load.target=x");
    unlink(path);
}

/* load.groups: each group's arrival and templates; --group chooses among them (their expectations go with
 * them); the single-load arrival flags are refused rather than ignored. */
static void test_groups(void **state)
{
    (void)state;
    char *path = write_file("load:\n"
                            "  target: http://127.0.0.1:8080/v1\n"
                            "  groups:\n"
                            "    - {name: data, arrival: {constant: 100/s}, requests: [{model: a}, {model: b}]}\n"
                            "    - {name: control, arrival: {every: 2s}, requests: [{model: c}]}\n"
                            "expect:\n"
                            "  - {metric: latency.p99, group: data, max: 1s}\n"
                            "  - {metric: failure_rate, group: control, max: 0%}\n");
    hx_cli_t cli;
    PARSE_OK(&cli, "--config", path, "--check");
    assert_int_equal(cli.cfg.ngroups, 2);
    assert_int_equal(cli.cfg.groups[1].first_req, 2);
    assert_int_equal(cli.cfg.groups[1].nreqs, 1);
    assert_true(cli.cfg.groups[1].arrival.rate == 0.5);
    assert_int_equal(cli.cfg.nexpects, 2);
    assert_string_equal(cli.cfg.expects[0].scope, "data");
    hx_cli_free(&cli);
    PARSE_OK(&cli, "--config", path, "--group", "control", "--check");
    assert_false(cli.cfg.groups[0].enabled);
    assert_true(cli.cfg.groups[1].enabled);
    assert_int_equal(cli.cfg.nexpects, 1); /* the data group's expectation is not judged */
    assert_int_equal(cli.cfg.skipped_expects, 1);
    hx_cli_free(&cli);
    PARSE_ERR("--group ctl: no such group (the load has data, control)", "--config", path, "--group", "ctl");
    PARSE_ERR("--rate: the file has load.groups, each with its own arrival (change them there, or choose groups with "
              "--group)",
              "--config", path, "--rate", "5/s");
    PARSE_ERR("--group: the load has no groups (load.groups)", "--url", "http://h/v1", "--rate", "1/s", "--group", "x");
    unlink(path);
}

/* soak run's own options: --fault-proxy and --mock-provider name the binaries, --group is repeatable. */
static void test_run_options(void **state)
{
    (void)state;
    hx_runner_opts_t o;
    char err[256];
    char *argv[] = {"run", "--mock-provider", "/m", "--fault-proxy", "/f", "--group", "a", "--group", "b", "s.yaml", NULL};
    assert_int_equal(hx_runner_parse(10, argv, &o, err, sizeof(err)), 0);
    assert_string_equal(o.mock_provider, "/m");
    assert_string_equal(o.fault_proxy, "/f");
    assert_int_equal(o.ngroups, 2);
    assert_string_equal(o.groups[1], "b");
    assert_string_equal(o.file, "s.yaml");
}

/* --api http: the generic kind's flags reach the template; the LLM flags are refused with it, and its flags
 * without it. */
static void test_http_flags(void **state)
{
    (void)state;
    hx_cli_t cli;
    PARSE_OK(&cli, "--url", "http://127.0.0.1:9/v1", "--rate", "10/s", "--api", "http", "--method", "PATCH", "--path",
             "/key/update", "--base", "host", "--body", "{\"k\": \"{{random hex 4}}\"}", "--expect-status",
             "200-299,404", "--check-json", "--contains", "ok");
    const hx_reqtpl_t *rq = &cli.cfg.workload.reqs[0];
    assert_non_null(rq->http);
    assert_int_equal(rq->http->method, HX_METHOD_PATCH);
    assert_string_equal(rq->http->path, "/key/update");
    assert_true(rq->http->from_host);
    assert_true(rq->http->has_body);
    assert_true(hx_status_match(&rq->http->expect, 404));
    assert_false(hx_status_match(&rq->http->expect, 403));
    assert_true(rq->http->check_json);
    assert_string_equal(rq->http->contains, "ok");
    hx_cli_free(&cli);
    PARSE_OK(&cli, "--url", "http://127.0.0.1:9/v1", "--rate", "10/s", "--api", "http", "--path", "/models");
    assert_int_equal(cli.cfg.workload.reqs[0].http->method, HX_METHOD_GET);
    hx_cli_free(&cli);

    PARSE_ERR("--api http needs --path (like /v1/models, or an http:// URL)", "--url", "http://127.0.0.1:9/v1",
              "--rate", "1/s", "--api", "http");
    PARSE_ERR("--path goes with --api http", "--url", "http://127.0.0.1:9/v1", "--rate", "1/s", "--path", "/x");
    PARSE_ERR("--check-json goes with --api http", "--url", "http://127.0.0.1:9/v1", "--rate", "1/s", "--api",
              "openai.chat", "--check-json");
    PARSE_ERR("--api http sends its --body as written: --stream, --model, --prompt, --repeat, --max-tokens and --user "
              "do not apply",
              "--url", "http://127.0.0.1:9/v1", "--rate", "1/s", "--api", "http", "--path", "/x", "--prompt", "p");
    PARSE_ERR("--method \"get\": expected one of GET, POST, PUT, PATCH, DELETE, HEAD, OPTIONS", "--url",
              "http://127.0.0.1:9/v1", "--rate", "1/s", "--api", "http", "--path", "/x", "--method", "get");
    PARSE_ERR("--expect-status \"2000\": expected a status from 100 to 599, a range like 200-299 or a class like 2xx",
              "--url", "http://127.0.0.1:9/v1", "--rate", "1/s", "--api", "http", "--path", "/x", "--expect-status",
              "2000");
    PARSE_ERR("--base \"root\": expected api_base or host", "--url", "http://127.0.0.1:9/v1", "--rate", "1/s", "--api",
              "http", "--path", "/x", "--base", "root");
    PARSE_ERR("requests[0].body: HEAD sends no body", "--url", "http://127.0.0.1:9/v1", "--rate", "1/s", "--api",
              "http", "--path", "/x", "--method", "HEAD", "--body", "x");
    PARSE_ERR_HAS("--path \"x\": expected a path starting with /", "--url", "http://127.0.0.1:9/v1", "--rate", "1/s",
                  "--api", "http", "--path", "x");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_minimal),      cmocka_unit_test(test_workload_flags),
        cmocka_unit_test(test_users),        cmocka_unit_test(test_bad_values),
        cmocka_unit_test(test_usage_errors), cmocka_unit_test(test_config_overrides),
        cmocka_unit_test(test_config_sets),  cmocka_unit_test(test_groups),
        cmocka_unit_test(test_run_options),  cmocka_unit_test(test_http_flags),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
