/* tests/unit/harness/measure/verdict_test.c — expectations: the YAML and CLI forms, their error messages (with
 * file:line:col), and evaluation of every metric family on known stats. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "harness/measure/verdict.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MS 1000000ull

static void assert_near(double got, double want, double tol)
{
    if (fabs(got - want) > tol) {
        print_error("got %.9g, want %.9g (+-%g)\n", got, want, tol);
        fail();
    }
}

static void assert_contains(const char *haystack, const char *needle)
{
    if (strstr(haystack, needle) == NULL) {
        print_error("\"%s\"\n  does not contain \"%s\"\n", haystack, needle);
        fail();
    }
}

/* ---- CLI form --------------------------------------------------------------------------------------- */

static void test_flag_forms(void **state)
{
    (void)state;
    hx_expect_t e;
    char err[1024];
    assert_int_equal(hx_expect_parse_flag("latency.p99<500ms", &e, err, sizeof(err)), 0);
    assert_string_equal(e.metric, "latency.p99");
    assert_true(e.has_max && !e.has_min && e.max_strict);
    assert_near(e.max, 500, 1e-9);
    assert_string_equal(e.bound_text, "< 500ms");
    assert_int_equal(hx_expect_parse_flag("failure_rate<=1%", &e, err, sizeof(err)), 0);
    assert_true(e.has_max && !e.max_strict);
    assert_near(e.max, 0.01, 1e-12);
    assert_string_equal(hx_expect_unit(&e), "fraction");
    assert_int_equal(hx_expect_parse_flag("rate.achieved>=990/s", &e, err, sizeof(err)), 0);
    assert_true(e.has_min && !e.has_max && !e.min_strict);
    assert_near(e.min, 990, 1e-9);
    assert_int_equal(hx_expect_parse_flag("rate.offered > 1000", &e, err, sizeof(err)), 0);
    assert_true(e.min_strict);
    assert_near(e.min, 1000, 1e-9);
    assert_int_equal(hx_expect_parse_flag("successes_per_minute>=19k", &e, err, sizeof(err)), 0);
    assert_near(e.min, 19000, 1e-9);
    assert_int_equal(hx_expect_parse_flag("successes_per_minute>=300/s", &e, err, sizeof(err)), 0);
    assert_near(e.min, 18000, 1e-9); /* a rate converted to per minute */
    assert_int_equal(hx_expect_parse_flag("  ttft.p999 <= 1.5s ", &e, err, sizeof(err)), 0);
    assert_string_equal(e.metric, "ttft.p999");
    assert_near(e.max, 1500, 1e-9);
    assert_int_equal(hx_expect_parse_flag("drift.latency.p99<=1.5", &e, err, sizeof(err)), 0);
    assert_string_equal(hx_expect_unit(&e), "ratio");
    assert_int_equal(hx_expect_parse_flag("deployment_share.gemini-a>=45%", &e, err, sizeof(err)), 0);
    assert_near(e.min, 0.45, 1e-12);
    assert_int_equal(hx_expect_parse_flag("requests.failed<=10", &e, err, sizeof(err)), 0);
    assert_string_equal(hx_expect_unit(&e), "count");
    assert_int_equal(hx_expect_parse_flag("gateway_overhead.p95<8ms", &e, err, sizeof(err)), 0);
    assert_int_equal(hx_expect_parse_flag("itl.p99.9<50ms", &e, err, sizeof(err)), 0);
    assert_int_equal(hx_expect_parse_flag("latency.mean<1s", &e, err, sizeof(err)), 0);
    assert_string_equal(hx_expect_unit(&e), "ms");
}

static void test_flag_errors(void **state)
{
    (void)state;
    hx_expect_t e;
    char err[1024];
    assert_int_equal(hx_expect_parse_flag("latency.p99=500ms", &e, err, sizeof(err)), -1);
    assert_contains(err, "expectation \"latency.p99=500ms\": expected METRIC<VALUE");
    assert_int_equal(hx_expect_parse_flag("<500ms", &e, err, sizeof(err)), -1);
    assert_contains(err, "expected METRIC<VALUE");
    assert_int_equal(hx_expect_parse_flag("latency.p99<", &e, err, sizeof(err)), -1);
    assert_int_equal(hx_expect_parse_flag("latency.p99<<5ms", &e, err, sizeof(err)), -1);
    assert_int_equal(hx_expect_parse_flag("latncy.p99<500ms", &e, err, sizeof(err)), -1);
    assert_contains(err, "unknown metric \"latncy.p99\"");
    assert_contains(err, "failure_rate");
    assert_contains(err, "drift.<family>.<stat>");
    assert_contains(err, "deployment_share.<name>");
    assert_int_equal(hx_expect_parse_flag("latency.p100<5ms", &e, err, sizeof(err)), -1);
    assert_contains(err, "unknown metric");
    assert_int_equal(hx_expect_parse_flag("latency.p50x<5ms", &e, err, sizeof(err)), -1);
    assert_int_equal(hx_expect_parse_flag("latency<5ms", &e, err, sizeof(err)), -1);
    assert_int_equal(hx_expect_parse_flag("deployment_share.<1%", &e, err, sizeof(err)), -1);
    /* bounds in the wrong unit */
    assert_int_equal(hx_expect_parse_flag("latency.p99<500", &e, err, sizeof(err)), -1);
    assert_contains(err, "latency.p99 takes a duration such as 500ms: \"500\": missing unit");
    assert_int_equal(hx_expect_parse_flag("failure_rate<5ms", &e, err, sizeof(err)), -1);
    assert_contains(err, "failure_rate takes a percentage");
    assert_int_equal(hx_expect_parse_flag("failure_rate<150%", &e, err, sizeof(err)), -1);
    assert_int_equal(hx_expect_parse_flag("rate.achieved>fast", &e, err, sizeof(err)), -1);
    assert_contains(err, "rate.achieved takes a rate such as 1000/s");
    assert_int_equal(hx_expect_parse_flag("drift.latency.p99<1.5x", &e, err, sizeof(err)), -1);
    assert_contains(err, "takes a plain ratio such as 1.5: \"1.5x\"");
    assert_int_equal(hx_expect_parse_flag("dropped<-1", &e, err, sizeof(err)), -1);
    char longname[200];
    memset(longname, 'a', sizeof(longname));
    snprintf(longname + 120, 20, "<5ms");
    assert_int_equal(hx_expect_parse_flag(longname, &e, err, sizeof(err)), -1);
}

/* ---- YAML form -------------------------------------------------------------------------------------- */

static int parse_yaml(const char *text, hx_expect_t **out, size_t *n, cm_err_t *err)
{
    cm_conf_t conf;
    int rc = cm_conf_load_string(&conf, "test.yaml", text, strlen(text), err);
    if (rc == 0)
        rc = hx_expect_parse(&conf, cm_conf_get(conf.root, "expect"), "expect", NULL, out, n, err);
    cm_conf_free(&conf);
    return rc;
}

static void test_yaml_list(void **state)
{
    (void)state;
    hx_expect_t *e = NULL;
    size_t n = 0;
    cm_err_t err;
    const char *y = "expect:\n"
                    "  - {metric: successes_per_minute, min: 19000, max: 20500}\n"
                    "  - {metric: latency.p99, max: 500ms}\n"
                    "  - {metric: failure_rate, max: 1%, ignore: [429, \"http_5xx\", 503, \"404\", stream_no_done]}\n"
                    "  - metric: drift.latency.p99\n"
                    "    max: 1.5\n"
                    "  - {metric: failure_rate, max: 0.05, ignore: 429}\n"
                    "  - \"rate.achieved >= 1000/s\"\n";
    if (parse_yaml(y, &e, &n, &err) != 0) {
        print_error("%s\n", err.msg);
        fail();
    }
    assert_int_equal(n, 6);
    assert_string_equal(e[0].metric, "successes_per_minute");
    assert_true(e[0].has_min && e[0].has_max && !e[0].min_strict && !e[0].max_strict);
    assert_near(e[0].min, 19000, 0);
    assert_near(e[0].max, 20500, 0);
    assert_string_equal(e[0].bound_text, "min 19000, max 20500");
    assert_near(e[1].max, 500, 1e-9);
    assert_string_equal(e[1].bound_text, "max 500ms");
    assert_near(e[2].max, 0.01, 1e-12);
    assert_true(e[2].ignore_status[429 / 64] & (1ull << (429 % 64)));
    assert_true(e[2].ignore_status[503 / 64] & (1ull << (503 % 64)));
    assert_true(e[2].ignore_status[404 / 64] & (1ull << (404 % 64)));
    assert_int_equal(e[2].ignore_errors, (1ull << HX_ERR_HTTP_5XX) | (1ull << HX_ERR_STREAM_NO_DONE));
    assert_near(e[3].max, 1.5, 0);
    assert_near(e[4].max, 0.05, 1e-12);
    assert_true(e[4].ignore_status[429 / 64] & (1ull << (429 % 64)));
    assert_string_equal(e[5].metric, "rate.achieved");
    assert_true(e[5].has_min && !e[5].min_strict);
    assert_near(e[5].min, 1000, 0);
    free(e);
    /* No expect: key, or an empty one, is no expectations. */
    assert_int_equal(parse_yaml("name: x\n", &e, &n, &err), 0);
    assert_int_equal(n, 0);
    assert_null(e);
    /* dropped and aborted (the summary's name for client_closed) are classes failure_rate may ignore */
    assert_int_equal(
        parse_yaml("expect:\n  - {metric: failure_rate, max: 1%, ignore: [dropped, aborted]}\n", &e, &n, &err), 0);
    assert_int_equal(n, 1);
    assert_int_equal(e[0].ignore_errors, (1ull << HX_ERR_DROPPED) | (1ull << HX_ERR_CLIENT_CLOSED));
    free(e);
    assert_int_equal(parse_yaml("expect:\n", &e, &n, &err), 0);
    assert_int_equal(n, 0);
    assert_int_equal(parse_yaml("expect: []\n", &e, &n, &err), 0);
    assert_int_equal(n, 0);
}

static void expect_yaml_error(const char *yaml, const char *where, const char *what)
{
    hx_expect_t *e = (hx_expect_t *)1;
    size_t n = 7;
    cm_err_t err;
    assert_int_equal(parse_yaml(yaml, &e, &n, &err), -1);
    assert_null(e);
    assert_int_equal(n, 0);
    assert_contains(err.msg, where);
    assert_contains(err.msg, what);
}

static void test_yaml_errors(void **state)
{
    (void)state;
    expect_yaml_error("expect:\n  - {metric: latency.p99, maxx: 500ms}\n", "test.yaml:2:", "maxx");
    expect_yaml_error("expect:\n  - {metric: latency.p99}\n", "test.yaml:2:5: expect[0]", "needs min, max or both");
    expect_yaml_error("expect:\n  - {max: 5ms}\n", "test.yaml:2:", "metric");
    expect_yaml_error("expect:\n  - {metric: latency.p99, max: 1s}\n  - {metric: latncy.p99, max: 5ms}\n",
                      "test.yaml:3:14: expect[1].metric", "unknown metric \"latncy.p99\" (expected failure_rate");
    expect_yaml_error("expect:\n  - {metric: latency.p99, max: 500}\n", "test.yaml:2:32: expect[0].max",
                      "latency.p99 takes a duration such as 500ms: \"500\": missing unit");
    expect_yaml_error("expect:\n  - {metric: failure_rate, max: 2ms}\n", "expect[0].max", "takes a percentage");
    expect_yaml_error("expect:\n  - {metric: latency.p99, min: 2s, max: 1s}\n", "expect[0]", "min is greater than max");
    expect_yaml_error("expect:\n  - {metric: latency.p99, max: 1s, ignore: [429]}\n", "expect[0].ignore",
                      "ignore applies only to failure_rate");
    expect_yaml_error("expect:\n  - {metric: failure_rate, max: 1%, ignore: [429, 200]}\n",
                      "test.yaml:2:51: expect[0].ignore[1]", "200 is not a failure status");
    expect_yaml_error("expect:\n  - {metric: failure_rate, max: 1%, ignore: [http_6xx]}\n", "expect[0].ignore[0]",
                      "unknown error class \"http_6xx\"");
    expect_yaml_error("expect:\n  - {metric: failure_rate, max: 1%, ignore: [none]}\n", "expect[0].ignore[0]",
                      "unknown error class \"none\"");
    expect_yaml_error("expect:\n  - {metric: failure_rate, max: 1%, ignore: [abort]}\n", "expect[0].ignore[0]",
                      "bad_body, other, dropped, client_setup, aborted)");
    expect_yaml_error("expect:\n  - {metric: failure_rate, max: 1%, ignore: {a: 1}}\n", "expect[0].ignore",
                      "expected a list");
    expect_yaml_error("expect: {metric: failure_rate}\n", "test.yaml:1:9: expect", "expected a list of expectations");
    expect_yaml_error("expect:\n  - latency.p99=5ms\n", "test.yaml:2:5: expect[0]", "expected METRIC<VALUE");
    expect_yaml_error("expect:\n  - {metric: [a], max: 1s}\n", "expect[0].metric", "");
}

/* exit_code: an expectation's own exit status, 3 to 125 (harness/measure/exitcode.h). */
static void test_yaml_exit_code(void **state)
{
    (void)state;
    hx_expect_t *e = NULL;
    size_t n = 0;
    cm_err_t err;
    assert_int_equal(parse_yaml("expect:\n  - {metric: latency.p99, max: 1s, exit_code: 40}\n"
                                "  - {metric: failure_rate, max: 1%}\n",
                                &e, &n, &err),
                     0);
    assert_int_equal(n, 2);
    assert_int_equal(e[0].exit_code, 40);
    assert_int_equal(e[1].exit_code, 0);
    free(e);
    expect_yaml_error("expect:\n  - {metric: latency.p99, max: 1s, exit_code: 1}\n",
                      "test.yaml:2:47: expect[0].exit_code", "must be between 3 and 125, got 1");
    expect_yaml_error("expect:\n  - {metric: latency.p99, max: 1s, exit_code: 126}\n", "expect[0].exit_code",
                      "must be between 3 and 125");
    expect_yaml_error("expect:\n  - {metric: latency.p99, max: 1s, exit_code: many}\n", "expect[0].exit_code", "");
}

/* ---- evaluation ------------------------------------------------------------------------------------- */

typedef struct fixture {
    hx_stats_t total, first, last;
} fixture_t;

static void rec(hx_stats_t *s, uint64_t latency_ms, hx_err_t err, int status, const char *dep, bool stream)
{
    hx_result_t r;
    memset(&r, 0, sizeof(r));
    r.intended = r.sent = 1000 * MS;
    r.done = r.intended + latency_ms * MS;
    r.first_byte = r.intended + MS;
    r.err = err;
    r.status = status;
    r.stream = stream;
    r.first_token = stream ? r.intended + 2 * MS : 0;
    r.mock_service_ms = HX_NO_VALUE;
    r.gateway_overhead_ms = HX_NO_VALUE;
    r.deployment = dep;
    r.deployment_len = dep ? (uint32_t)strlen(dep) : 0;
    hx_stats_record(s, &r);
}

/* 100 requests: 90 ok (latency 1..90 ms), 6 x 429, 2 x 503, 1 x 500, 1 reset; plus 1 aborted and 19 dropped.
 * Deployments: 60 on verdict-a, 30 on verdict-b, 10 without the header. */
static fixture_t *make_fixture(void)
{
    fixture_t *f = malloc(sizeof(*f));
    hx_stats_init(&f->total);
    hx_stats_init(&f->first);
    hx_stats_init(&f->last);
    for (int i = 0; i < 100; i++) {
        const char *dep = i < 60 ? "verdict-a" : i < 90 ? "verdict-b" : NULL;
        if (i < 90)
            rec(&f->total, (uint64_t)i + 1, HX_ERR_NONE, 200, dep, false);
        else if (i < 96)
            rec(&f->total, 5, HX_ERR_HTTP_429, 429, dep, false);
        else if (i < 98)
            rec(&f->total, 5, HX_ERR_HTTP_5XX, 503, dep, false);
        else if (i < 99)
            rec(&f->total, 5, HX_ERR_HTTP_5XX, 500, dep, false);
        else
            rec(&f->total, 5, HX_ERR_RESET, 0, dep, false);
    }
    rec(&f->total, 5, HX_ERR_CLIENT_CLOSED, 0, NULL, false);
    f->total.sent = 101;
    for (int i = 0; i < 19; i++)
        hx_stats_record_dropped(&f->total);
    f->total.late = 3;
    for (int i = 0; i < 10; i++) {
        rec(&f->first, 10, HX_ERR_NONE, 200, NULL, false);
        rec(&f->last, 15, HX_ERR_NONE, 200, NULL, false);
    }
    return f;
}

static hx_verdict_t eval(const fixture_t *f, const char *flag, bool windows)
{
    hx_expect_t e;
    char err[1024];
    if (hx_expect_parse_flag(flag, &e, err, sizeof(err)) != 0) {
        print_error("%s\n", err);
        fail();
    }
    hx_eval_input_t in = {&f->total, windows ? &f->first : NULL, windows ? &f->last : NULL, 10.0};
    hx_verdict_t v;
    hx_expect_eval(&e, &in, &v);
    return v;
}

static hx_expect_t failure_rate_ignoring(uint64_t classes, int status1, int status2)
{
    hx_expect_t e;
    memset(&e, 0, sizeof(e));
    snprintf(e.metric, sizeof(e.metric), "failure_rate");
    e.has_max = true;
    e.max = 0.05;
    e.ignore_errors = classes;
    if (status1 > 0)
        e.ignore_status[status1 / 64] |= 1ull << (status1 % 64);
    if (status2 > 0)
        e.ignore_status[status2 / 64] |= 1ull << (status2 % 64);
    return e;
}

static double measure_failure_rate(const hx_stats_t *s, const hx_expect_t *e)
{
    hx_eval_input_t in = {s, NULL, NULL, 10.0};
    hx_verdict_t v;
    hx_expect_eval(e, &in, &v);
    assert_true(v.available);
    return v.measured;
}

static void test_eval_failure_rate(void **state)
{
    (void)state;
    fixture_t *f = make_fixture();
    /* The offered load: 100 outcomes (10 failed) + 1 aborted + 19 dropped = 30 of 120 did not succeed. */
    hx_verdict_t v = eval(f, "failure_rate<=25%", false);
    assert_true(v.available && v.pass);
    assert_near(v.measured, 30.0 / 120.0, 1e-12);
    v = eval(f, "failure_rate<25%", false);
    assert_false(v.pass); /* strict: equal fails */
    v = eval(f, "failure_rate<=1%", false);
    assert_false(v.pass); /* the default verdict does not let an overloaded run pass */
    const uint64_t unsent = (1ull << HX_ERR_CLIENT_CLOSED) | (1ull << HX_ERR_DROPPED);
    /* ignore: [dropped, client_closed] is the outcomes alone: 10 of 100 */
    hx_expect_t e = failure_rate_ignoring(unsent, 0, 0);
    assert_near(measure_failure_rate(&f->total, &e), 10.0 / 100.0, 1e-12);
    e = failure_rate_ignoring(1ull << HX_ERR_DROPPED, 0, 0); /* 11 of 101 */
    assert_near(measure_failure_rate(&f->total, &e), 11.0 / 101.0, 1e-12);
    e = failure_rate_ignoring(1ull << HX_ERR_CLIENT_CLOSED, 0, 0); /* 29 of 119 */
    assert_near(measure_failure_rate(&f->total, &e), 29.0 / 119.0, 1e-12);
    /* ignore 429 (the offered load stays in): 24 of 114 */
    e = failure_rate_ignoring(0, 429, 0);
    assert_near(measure_failure_rate(&f->total, &e), 24.0 / 114.0, 1e-12);
    /* ignore 429 and the unsent: failures 4 of 94 */
    e = failure_rate_ignoring(unsent, 429, 0);
    assert_near(measure_failure_rate(&f->total, &e), 4.0 / 94.0, 1e-12);
    /* ignore 503 too: 2 of 92 */
    e = failure_rate_ignoring(unsent, 429, 503);
    assert_near(measure_failure_rate(&f->total, &e), 2.0 / 92.0, 1e-12);
    /* the http_5xx class already covers 503: not removed twice (1 reset of 91) */
    e = failure_rate_ignoring(unsent | (1ull << HX_ERR_HTTP_5XX), 429, 503);
    assert_near(measure_failure_rate(&f->total, &e), 1.0 / 91.0, 1e-12);
    /* ignoring a status nobody got changes nothing */
    e = failure_rate_ignoring(0, 404, 0);
    assert_near(measure_failure_rate(&f->total, &e), 30.0 / 120.0, 1e-12);
    /* a run in which every arrival was dropped failed completely: 100%, not "no data" */
    hx_stats_t *empty = malloc(sizeof(*empty));
    hx_stats_init(empty);
    for (int i = 0; i < 5; i++)
        hx_stats_record_dropped(empty);
    assert_near(measure_failure_rate(empty, &e), 1.0, 0);
    /* ... unless the drops are ignored: then nothing is left, n/a, fails */
    e = failure_rate_ignoring(unsent, 0, 0);
    hx_eval_input_t in = {empty, NULL, NULL, 10.0};
    hx_expect_eval(&e, &in, &v);
    assert_false(v.available);
    assert_false(v.pass);
    /* no requests at all: n/a, fails */
    hx_stats_init(empty);
    e = failure_rate_ignoring(0, 0, 0);
    hx_expect_eval(&e, &in, &v);
    assert_false(v.available);
    assert_false(v.pass);
    free(empty);
    free(f);
}

/* The default verdict is failure_rate <= 1%, exactly as --expect 'failure_rate<=1%' would be, but marked. */
static void test_default_expectation(void **state)
{
    (void)state;
    hx_expect_t d, flag;
    char err[256];
    hx_expect_default(&d);
    assert_int_equal(hx_expect_parse_flag("failure_rate<=" HX_DEFAULT_FAILURE_RATE_TEXT, &flag, err, sizeof(err)), 0);
    assert_true(d.is_default);
    assert_false(flag.is_default);
    assert_string_equal(d.metric, flag.metric);
    assert_string_equal(d.bound_text, flag.bound_text);
    assert_true(d.has_max == flag.has_max && d.has_min == flag.has_min && d.max_strict == flag.max_strict);
    assert_near(d.max, flag.max, 0);
    assert_near(d.max, 0.01, 0);
    assert_string_equal(hx_expect_unit(&d), "fraction");
    fixture_t *f = make_fixture();
    hx_eval_input_t in = {&f->total, NULL, NULL, 10.0};
    hx_verdict_t v;
    hx_expect_eval(&d, &in, &v);
    assert_false(v.pass); /* 30 of 120 offered did not succeed */
    free(f);
}

static void test_eval_latency_and_streams(void **state)
{
    (void)state;
    fixture_t *f = make_fixture();
    hx_verdict_t v = eval(f, "latency.p50<100ms", false);
    assert_near(v.measured, 45, 45 * 0.01); /* ok latencies 1..90 ms: nearest-rank p50 is 45 */
    assert_true(v.pass);
    v = eval(f, "latency.max<90ms", false);
    assert_near(v.measured, 90, 1e-9);
    assert_false(v.pass);
    v = eval(f, "latency.max<=90ms", false);
    assert_true(v.pass);
    v = eval(f, "latency.min>=1ms", false);
    assert_near(v.measured, 1, 1e-9);
    assert_true(v.pass);
    v = eval(f, "latency.mean<100ms", false);
    assert_near(v.measured, 45.5, 1e-9);
    v = eval(f, "ttfb.p99<2ms", false);
    assert_true(v.available && v.pass);
    v = eval(f, "ttft.p99<1s", false); /* no streams ran */
    assert_false(v.available);
    assert_false(v.pass);
    v = eval(f, "gateway_overhead.p50<1s", false);
    assert_false(v.available);
    /* the client's self-check: 3 sends 2 ms behind, one 30 ms behind */
    for (int i = 0; i < 3; i++)
        hx_stats_record_sent(&f->total, 0, 2 * MS);
    hx_stats_record_sent(&f->total, 0, 30 * MS);
    v = eval(f, "pacer_lag.max<5ms", false);
    assert_true(v.available);
    assert_false(v.pass);
    assert_near(v.measured, 30, 1e-9);
    v = eval(f, "pacer_lag.p50<2.1ms", false); /* 2 ms within the histogram's 1% */
    assert_true(v.pass);
    free(f);
}

static void test_eval_rates_counts_shares(void **state)
{
    (void)state;
    fixture_t *f = make_fixture();
    hx_verdict_t v = eval(f, "rate.achieved>=10/s", false);
    assert_near(v.measured, 10.0, 1e-12); /* 100 completed in 10 s */
    assert_true(v.pass);
    v = eval(f, "rate.offered>=12/s", false);
    assert_near(v.measured, 12.0, 1e-12); /* (101 sent + 19 dropped) / 10 s */
    v = eval(f, "successes_per_minute>=540", false);
    assert_near(v.measured, 540.0, 1e-9); /* 90 ok * 60 / 10 s */
    assert_true(v.pass);
    v = eval(f, "requests.total<=100", false);
    assert_near(v.measured, 100, 0);
    v = eval(f, "requests.rate_limited<=5", false);
    assert_near(v.measured, 6, 0);
    assert_false(v.pass);
    v = eval(f, "requests.aborted<=1", false);
    assert_near(v.measured, 1, 0);
    v = eval(f, "dropped<=19", false);
    assert_near(v.measured, 19, 0);
    assert_true(v.pass);
    v = eval(f, "late<1", false);
    assert_near(v.measured, 3, 0);
    assert_false(v.pass);
    v = eval(f, "deployment_share.verdict-a>=60%", false);
    assert_near(v.measured, 60.0 / 90.0, 1e-12); /* of the 90 answered with a deployment header */
    assert_true(v.pass);
    v = eval(f, "deployment_share.verdict-b<=1%", false);
    assert_near(v.measured, 30.0 / 90.0, 1e-12);
    assert_false(v.pass);
    v = eval(f, "deployment_share.nobody<=1%", false);
    assert_true(v.available);
    assert_near(v.measured, 0, 0);
    assert_true(v.pass);
    free(f);
}

static void test_eval_drift(void **state)
{
    (void)state;
    fixture_t *f = make_fixture();
    hx_verdict_t v = eval(f, "drift.latency.p99<=1.5", true);
    assert_true(v.available);
    assert_near(v.measured, 1.5, 0.02);
    v = eval(f, "drift.latency.p99<=1.2", true);
    assert_false(v.pass);
    v = eval(f, "drift.latency.p99<=1.5", false); /* no windows */
    assert_false(v.available);
    assert_false(v.pass);
    v = eval(f, "drift.ttft.p99<=1.5", true); /* windows without streams */
    assert_false(v.available);
    free(f);
}

static void test_zero_duration_is_na(void **state)
{
    (void)state;
    fixture_t *f = make_fixture();
    hx_expect_t e;
    char err[256];
    assert_int_equal(hx_expect_parse_flag("rate.achieved>1", &e, err, sizeof(err)), 0);
    hx_eval_input_t in = {&f->total, NULL, NULL, 0};
    hx_verdict_t v;
    hx_expect_eval(&e, &in, &v);
    assert_false(v.available);
    assert_false(v.pass);
    free(f);
}

static void test_format_values(void **state)
{
    (void)state;
    char buf[64];
    hx_expect_t e;
    char err[256];
    hx_verdict_t v = {true, 512.34, true};
    assert_int_equal(hx_expect_parse_flag("latency.p99<1s", &e, err, sizeof(err)), 0);
    assert_string_equal(hx_expect_format_value(&e, &v, buf, sizeof(buf)), "512.3ms");
    v.measured = 0.125;
    assert_string_equal(hx_expect_format_value(&e, &v, buf, sizeof(buf)), "0.12ms");
    assert_int_equal(hx_expect_parse_flag("failure_rate<1%", &e, err, sizeof(err)), 0);
    v.measured = 0.0042;
    assert_string_equal(hx_expect_format_value(&e, &v, buf, sizeof(buf)), "0.42%");
    v.measured = 0.25;
    assert_string_equal(hx_expect_format_value(&e, &v, buf, sizeof(buf)), "25.00%");
    v.measured = 0;
    assert_string_equal(hx_expect_format_value(&e, &v, buf, sizeof(buf)), "0.00%");
    assert_int_equal(hx_expect_parse_flag("rate.achieved>1", &e, err, sizeof(err)), 0);
    v.measured = 1174;
    assert_string_equal(hx_expect_format_value(&e, &v, buf, sizeof(buf)), "1174.0/s");
    assert_int_equal(hx_expect_parse_flag("successes_per_minute>1", &e, err, sizeof(err)), 0);
    v.measured = 19876.54;
    assert_string_equal(hx_expect_format_value(&e, &v, buf, sizeof(buf)), "19876.5/min");
    assert_int_equal(hx_expect_parse_flag("dropped<1", &e, err, sizeof(err)), 0);
    v.measured = 12;
    assert_string_equal(hx_expect_format_value(&e, &v, buf, sizeof(buf)), "12");
    assert_int_equal(hx_expect_parse_flag("drift.latency.p99<1", &e, err, sizeof(err)), 0);
    v.measured = 1.23456;
    assert_string_equal(hx_expect_format_value(&e, &v, buf, sizeof(buf)), "1.235");
    v.available = false;
    assert_string_equal(hx_expect_format_value(&e, &v, buf, sizeof(buf)), "n/a");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_flag_forms),
        cmocka_unit_test(test_flag_errors),
        cmocka_unit_test(test_yaml_list),
        cmocka_unit_test(test_yaml_errors),
        cmocka_unit_test(test_yaml_exit_code),
        cmocka_unit_test(test_eval_failure_rate),
        cmocka_unit_test(test_default_expectation),
        cmocka_unit_test(test_eval_latency_and_streams),
        cmocka_unit_test(test_eval_rates_counts_shares),
        cmocka_unit_test(test_eval_drift),
        cmocka_unit_test(test_zero_duration_is_na),
        cmocka_unit_test(test_format_values),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
