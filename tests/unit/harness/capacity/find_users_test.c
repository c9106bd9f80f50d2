/* tests/unit/harness/capacity/find_users_test.c — `soak find --over users`: its flags and defaults, what it
 * refuses (the rate axis's options, a rate as --require, --poisson, a user count without --over users), every
 * bound with the flag named, the probe's closed-loop command line, and how the knee is reported (table, JSON). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness/capacity/find.h"

#include "unit/harness/capacity/find_parse.h"

static void test_defaults(void **state)
{
    (void)state;
    PARSE_OK(URL, "--over", "users", "--slo", "latency.mean<110ms");
    assert_true(opts.over_users && opts.search.integer);
    assert_true(opts.search.start_rate == 8 && opts.search.min_rate == 1 && opts.search.max_rate == 10000);
    assert_false(opts.require_set);
    hx_probe_plan_t plan = hx_find_plan(&opts);
    assert_true(plan.closed_rising);
    PARSE_OK(URL, "--over=rate", "--slo", "latency.mean<110ms");
    assert_false(opts.over_users || opts.search.integer);
    assert_false(hx_find_plan(&opts).closed_rising);
}

static void test_own_flags(void **state)
{
    (void)state;
    PARSE_OK(URL, "--over", "users", "--slo", "latency.p99<1s", "--start-users", "4", "--min-users", "2", "--max-users",
             "64", "--require", "16users", "--think", "10ms..20ms", "--precision", "20%");
    assert_true(opts.search.start_rate == 4 && opts.search.min_rate == 2 && opts.search.max_rate == 64);
    assert_true(opts.require_set && opts.require == 16);
    assert_true(fabs(opts.search.precision - 0.2) < 1e-12);
    /* --think is passed on to every (closed-loop) probe */
    bool think = false;
    for (size_t i = 0; i + 1 < opts.nload_args; i++)
        think =
            think || (strcmp(opts.load_args[i], "--think") == 0 && strcmp(opts.load_args[i + 1], "10ms..20ms") == 0);
    assert_true(think);
    PARSE_OK(URL, "--over", "users", "--slo", "latency.p99<1s", "--require", "1user");
    assert_true(opts.require == 1);
    /* a start outside the default bounds moves them */
    PARSE_OK(URL, "--over", "users", "--slo", "latency.p99<1s", "--start-users", "20000", "--max-inflight", "30000");
    assert_true(opts.search.max_rate == 20000);
}

static void test_refused(void **state)
{
    (void)state;
    PARSE_ERR("--over \"load\": expected rate (open-loop arrivals) or users (closed loop)", URL, "--over", "load");
    PARSE_ERR("--start-rate: the search is over users (--over users): give --start-users", URL, "--over", "users",
              "--start-rate", "10/s");
    PARSE_ERR("--max-rate: the search is over users (--over users): give --max-users", URL, "--max-rate", "10/s",
              "--over", "users");
    PARSE_ERR("--start-users goes with --over users", URL, "--start-users", "8");
    PARSE_ERR("--max-users goes with --over users", URL, "--max-users", "8");
    PARSE_ERR("--require \"900/s\": the search is over users (--over users): give a user count like 64users", URL,
              "--over", "users", "--require", "900/s");
    PARSE_ERR("--require \"64users\": a user count, but the search is over the arrival rate: add --over users", URL,
              "--require", "64users");
    PARSE_ERR("--think: the probes are open loop (--over users searches closed loops", URL, "--think", "1s");
    PARSE_ERR("--poisson: the search is over users", URL, "--over", "users", "--poisson");
    PARSE_ERR("--users: not for soak find", URL, "--over", "users", "--users", "8");
    char *sweep[] = {"sweep", URL, "--over", "users", NULL}, e[1400];
    assert_int_equal(hx_find_parse(4, sweep, &opts, e, sizeof(e)), -1);
    assert_contains(e, "--over: not for soak sweep");
}

static void test_bounds(void **state)
{
    (void)state;
    PARSE_ERR("--start-users \"0\": expected a whole number from 1 to 100000", URL, "--over", "users", "--start-users",
              "0");
    PARSE_ERR("--max-users \"100001\": expected a whole number from 1 to 100000", URL, "--over", "users", "--max-users",
              "100001");
    PARSE_ERR("--min-users \"1.5\": expected a whole number", URL, "--over", "users", "--min-users", "1.5");
    PARSE_ERR("--start-users 9 is above --max-users 8", URL, "--over", "users", "--start-users", "9", "--max-users",
              "8");
    PARSE_ERR("--min-users 9 is above --start-users 8", URL, "--over", "users", "--min-users", "9");
    PARSE_ERR("--require \"0users\": expected a whole number of users from 1 to 100000", URL, "--over", "users",
              "--require", "0users");
    PARSE_ERR("--require \"100001users\"", URL, "--over", "users", "--require", "100001users");
    /* the load itself is checked as a closed loop of --start-users: more users than --max-inflight */
    PARSE_ERR("a probe of 8 users (--start-users)", URL, "--over", "users", "--max-inflight", "4");
}

/* The probe of a users search: --users N and no --rate. */
static void test_probe_argv(void **state)
{
    (void)state;
    PARSE_OK(URL, "--over", "users", "--slo", "latency.p99<1s");
    hx_probe_plan_t plan = hx_find_plan(&opts);
    plan.users = 12;
    const char *argv[HX_FIND_MAX_LOAD_ARGS + 16];
    char bufs[6][4096];
    int argc = hx_probe_argv(&plan, 12, NULL, NULL, argv, bufs);
    bool users = false, rate = false;
    for (int i = 0; i < argc; i++) {
        users = users || (strcmp(argv[i], "--users") == 0 && strcmp(argv[i + 1], "12") == 0);
        rate = rate || strcmp(argv[i], "--rate") == 0;
    }
    assert_true(users && !rate);
}

static char *table_of(const hx_find_outcome_t *f, bool json)
{
    char *buf = NULL;
    size_t n = 0;
    FILE *out = open_memstream(&buf, &n);
    assert_non_null(out);
    if (json)
        assert_int_equal(hx_find_json(out, f), 0);
    else
        hx_find_table(out, f);
    fclose(out);
    return buf;
}

static void test_report(void **state)
{
    (void)state;
    PARSE_OK(URL, "--over", "users", "--slo", "latency.mean<110ms", "--require", "8users");
    static hx_search_result_t res;
    hx_probe_record_t runs[2] = {
        {.users = 8, .probe = 0, .achieved = 80, .ok_rate = 79.5, .p50_ms = 100.6, .p99_ms = 102, .pass = true},
        {.users = 16, .probe = 1, .achieved = 80, .ok_rate = 80, .p50_ms = 200.4, .p99_ms = 201, .pass = false},
    };
    snprintf(runs[1].why, sizeof(runs[1].why), "latency.mean 200.1ms (< 110ms)");
    memset(&res, 0, sizeof(res));
    res.end = HX_SEARCH_END_MAX_PROBES;
    res.lo = 8;
    res.hi = 16;
    res.nsteps = 2;
    hx_find_outcome_t f = {&opts, &res, runs, 2, true, NULL};
    assert_true(hx_find_knee_ok_rate(&f) == 79.5);
    assert_true(hx_find_gate(&f));
    char *t = table_of(&f, false);
    assert_contains(t, "  1       8 users       80.0   100.6ms   102.0ms");
    assert_contains(t, "Knee: 8 users, in [8, 16 users) (max-probes; the bracket is 50.0% of its top); 79.5 "
                       "successes/s at the knee");
    assert_contains(t, "Gate: knee >= 8 users: pass");
    free(t);
    char *j = table_of(&f, true);
    assert_contains(j, "\"command\":\"find\",\"over\":\"users\"");
    assert_contains(j, "\"arrival\":\"closed\",\"start_rate\":null,\"min_rate\":null,\"max_rate\":null,"
                       "\"start_users\":8,\"min_users\":1,\"max_users\":10000");
    assert_contains(j, "\"knee\":{\"rate\":null,\"ci\":[8,16],\"end\":\"max-probes\",\"complete\":true,\"probes\":2,"
                       "\"users\":8,\"ok_rate\":79.5}");
    assert_contains(j, "\"require\":{\"rate\":null,\"pass\":true,\"users\":8}");
    assert_contains(j, "\"rate\":null,\"users\":16,");
    free(j);
    opts.require = 9;
    assert_false(hx_find_gate(&f));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_defaults), cmocka_unit_test(test_own_flags),  cmocka_unit_test(test_refused),
        cmocka_unit_test(test_bounds),   cmocka_unit_test(test_probe_argv), cmocka_unit_test(test_report),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
