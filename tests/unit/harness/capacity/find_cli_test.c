/* tests/unit/harness/capacity/find_cli_test.c — `soak find` flags: defaults, its own flags, the load flags passed
 * on to each probe (with their values), the ones refused, every bound with a message naming the flag and the
 * value, and the probe's command line. */
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

#define S 1000000000ull

static void test_defaults(void **state)
{
    (void)state;
    PARSE_OK(URL, "--slo", "latency.p99<500ms");
    assert_false(opts.help);
    assert_true(opts.search.start_rate == 10 && opts.search.max_rate == 100000);
    assert_true(opts.search.repeats == 1 && opts.search.max_probes == 30);
    assert_true(fabs(opts.search.precision - 0.05) < 1e-12);
    assert_true(opts.duration_ns == 10 * S && opts.warmup_ns == 2 * S && opts.settle_ns == 30 * S);
    /* 10 arrivals in the 8 s after the warm-up */
    assert_true(fabs(opts.search.min_rate - 1.25) < 1e-12);
    assert_int_equal(opts.nslos, 2);
    assert_string_equal(opts.slos[0].metric, "latency.p99");
    assert_string_equal(opts.slos[1].metric, "failure_rate");
    assert_true(opts.slos[1].is_default && opts.default_failure_slo);
    assert_false(opts.require_set);
    assert_string_equal(opts.target, "http://127.0.0.1:9/v1");
    assert_int_equal(opts.nload_args, 2);
    assert_false(opts.poisson);
}

static void test_own_flags(void **state)
{
    (void)state;
    PARSE_OK(URL, "--slo", "ttft.p99<300ms", "--slo=failure_rate<=5%", "--start-rate", "50/s", "--max-rate", "1k/s",
             "--min-rate=2/s", "--repeats", "3", "--precision", "2%", "--max-probes", "12", "--probe-duration", "20s",
             "--probe-warmup", "5s", "--settle", "0s", "--require", "900/s", "--json", "k.json", "--probe-reports",
             "dir");
    assert_true(opts.search.start_rate == 50 && opts.search.max_rate == 1000 && opts.search.min_rate == 2);
    assert_true(opts.search.repeats == 3 && opts.search.max_probes == 12);
    assert_true(fabs(opts.search.precision - 0.02) < 1e-12);
    assert_true(opts.duration_ns == 20 * S && opts.warmup_ns == 5 * S && opts.settle_ns == 0);
    assert_true(opts.require_set && opts.require == 900);
    assert_string_equal(opts.json_path, "k.json");
    assert_string_equal(opts.reports_dir, "dir");
    /* an SLO on failure_rate replaces the default one */
    assert_int_equal(opts.nslos, 2);
    assert_false(opts.default_failure_slo);
    assert_string_equal(opts.slos[1].metric, "failure_rate");
}

static void test_load_flags_pass(void **state)
{
    (void)state;
    PARSE_OK(URL, "--api", "openai.chat", "--stream", "--model=m1", "--threads", "2", "--max-inflight", "500",
             "--poisson", "--request-slo", "ttft<500ms", "--slo", "goodput.attainment>=99%", "--seed", "7");
    const char *want[] = {
        "--url", "http://127.0.0.1:9/v1", "--api", "openai.chat", "--stream", "--model=m1", "--threads",
        "2",     "--max-inflight",        "500",   "--poisson",   "--slo",    "ttft<500ms", "--seed",
        "7"};
    assert_int_equal(opts.nload_args, sizeof(want) / sizeof(want[0]));
    for (size_t i = 0; i < opts.nload_args; i++)
        assert_string_equal(opts.load_args[i], want[i]);
    assert_true(opts.poisson);
    assert_int_equal(opts.seed, 7);
    assert_string_equal(opts.slos[0].metric, "goodput.attainment");
}

static void test_probe_argv(void **state)
{
    (void)state;
    PARSE_OK(URL, "--probe-duration", "3s", "--probe-warmup", "1s");
    hx_probe_plan_t plan = {.load_args = opts.load_args,
                            .nload_args = opts.nload_args,
                            .duration_ns = opts.duration_ns,
                            .warmup_ns = opts.warmup_ns,
                            .seed = 5};
    const char *argv[HX_FIND_MAX_LOAD_ARGS + 16];
    static char bufs[6][4096];
    uint64_t seed = 1005;
    int argc = hx_probe_argv(&plan, 78.125, &seed, "p.json", argv, bufs);
    const char *want[] = {"load",      "--url",    "http://127.0.0.1:9/v1",
                          "--rate",    "78.125/s", "--duration",
                          "3000000us", "--quiet",  "--seed",
                          "1005",      "--warmup", "1000000us",
                          "--json",    "p.json"};
    assert_int_equal(argc, sizeof(want) / sizeof(want[0]));
    for (int i = 0; i < argc; i++)
        assert_string_equal(argv[i], want[i]);
    assert_null(argv[argc]);
}

static void test_refused(void **state)
{
    (void)state;
    PARSE_ERR("--rate: not for soak find: the search sets each probe's rate", URL, "--rate", "10/s");
    PARSE_ERR("--duration: not for soak find: each probe runs --probe-duration", URL, "--duration=5s");
    PARSE_ERR("--users: not for soak find", URL, "--users", "10");
    PARSE_ERR("--expect: not for soak find: a probe is judged on --slo", URL, "--expect", "latency.p99<1s");
    PARSE_ERR("--html: not for soak find: probes write no reports", URL, "--html", "x.html");
    PARSE_ERR("unknown option \"--bogus\"", URL, "--bogus");
    PARSE_ERR("unexpected argument \"extra\"", URL, "extra");
    PARSE_ERR("--help takes no value", "--help=1");
    PARSE_ERR("--slo needs a value", URL, "--slo");
    PARSE_ERR("--model needs a value", URL, "--model");
}

static void test_bounds(void **state)
{
    (void)state;
    PARSE_ERR("--start-rate \"fast\": ", URL, "--start-rate", "fast");
    PARSE_ERR("--start-rate \"0/s\": expected 0.001/s to 10M/s", URL, "--start-rate", "0/s");
    PARSE_ERR("--max-rate \"11M/s\": expected 0.001/s to 10M/s", URL, "--max-rate", "11M/s");
    PARSE_ERR("--start-rate 500/s is above --max-rate 100/s", URL, "--start-rate", "500/s", "--max-rate", "100/s");
    PARSE_ERR("--min-rate 20/s is above --start-rate 10/s", URL, "--min-rate", "20/s");
    PARSE_ERR("--repeats \"21\": expected a whole number from 1 to 20", URL, "--repeats", "21");
    PARSE_ERR("--repeats \"1.5\": expected a whole number from 1 to 20", URL, "--repeats", "1.5");
    PARSE_ERR("--max-probes \"201\": expected a whole number from 1 to 200", URL, "--max-probes", "201");
    PARSE_ERR("--precision \"0%\": expected 0.1% to 50%", URL, "--precision", "0%");
    PARSE_ERR("--precision \"51%\": expected 0.1% to 50%", URL, "--precision", "51%");
    PARSE_ERR("--probe-duration \"2h\": at most 1h", URL, "--probe-duration", "2h");
    PARSE_ERR("--probe-warmup \"soon\": ", URL, "--probe-warmup", "soon");
    PARSE_ERR("--probe-duration must exceed --probe-warmup by at least 1s", URL, "--probe-duration", "5s",
              "--probe-warmup", "4.5s");
    PARSE_ERR("--require \"lots\": ", URL, "--require", "lots");
    PARSE_ERR("--slo \"latency.p99~1s\": ", URL, "--slo", "latency.p99~1s");
    PARSE_ERR("for a per-request SLO give --request-slo 'tpot<50ms'", URL, "--slo", "tpot<50ms");
    /* the load's own checks, through the first build of the load */
    PARSE_ERR("--api \"nope\": unknown api", URL, "--api", "nope");
    PARSE_ERR("--threads \"0\"", URL, "--threads", "0");
    PARSE_ERR("no target", "--slo", "latency.p99<1s");
    /* a file whose groups have their own arrivals cannot take a probe's rate, and the message says why */
    FILE *f = fopen("find_cli_groups.yaml", "w");
    assert_non_null(f);
    fputs("load:\n  target: http://127.0.0.1:9/v1\n  groups:\n    - {name: a, arrival: {constant: 5/s}, requests: "
          "[{api: openai.chat}]}\n",
          f);
    fclose(f);
    PARSE_ERR("a probe adds --rate, --duration and --warmup to the load: --rate: the file has load.groups", "--config",
              "find_cli_groups.yaml");
    remove("find_cli_groups.yaml");
}

/* One more --slo than allowed, and one more load word than allowed. */
static void test_limits(void **state)
{
    (void)state;
    char *argv[HX_FIND_MAX_LOAD_ARGS + 64];
    char err[1400];
    int n = 0;
    argv[n++] = "find";
    for (int i = 0; i < HX_FIND_MAX_SLOS; i++) {
        argv[n++] = "--slo";
        argv[n++] = "latency.p99<1s";
    }
    argv[n] = NULL;
    assert_int_equal(hx_find_parse(n, argv, &opts, err, sizeof(err)), -1);
    assert_contains(err, "--slo: given more than 15 times");
    n = 1;
    for (int i = 0; i < HX_FIND_MAX_LOAD_ARGS / 2 + 1; i++) {
        argv[n++] = "--header";
        argv[n++] = "X-A: b";
    }
    argv[n] = NULL;
    assert_int_equal(hx_find_parse(n, argv, &opts, err, sizeof(err)), -1);
    assert_contains(err, "more than 512 load flags and values");
}

#define SWEEP_OK(...)                                                                                                  \
    do {                                                                                                               \
        char e_[1400] = "";                                                                                            \
        char *v_[] = {"sweep", __VA_ARGS__, NULL};                                                                     \
        if (hx_find_parse(ARGC(v_), v_, &opts, e_, sizeof(e_)) != 0) {                                                 \
            print_error("unexpected error: %s\n", e_);                                                                 \
            fail();                                                                                                    \
        }                                                                                                              \
    } while (0)

#define SWEEP_ERR(want, ...)                                                                                           \
    do {                                                                                                               \
        char e_[1400] = "";                                                                                            \
        char *v_[] = {"sweep", __VA_ARGS__, NULL};                                                                     \
        assert_int_equal(hx_find_parse(ARGC(v_), v_, &opts, e_, sizeof(e_)), -1);                                      \
        assert_contains(e_, want);                                                                                     \
    } while (0)

static void test_sweep_flags(void **state)
{
    (void)state;
    SWEEP_OK(URL, "--poisson");
    assert_int_equal(opts.cmd, HX_CAP_SWEEP);
    assert_int_equal(opts.nrates, 8);
    assert_int_equal(opts.sat_users, 128);
    assert_true(opts.poisson);
    SWEEP_OK(URL, "--rates", "3", "--saturation-users=16", "--probe-duration", "4s", "--slo", "latency.p99<1s");
    assert_int_equal(opts.nrates, 3);
    assert_int_equal(opts.sat_users, 16);
    assert_true(opts.duration_ns == 4 * S);
    SWEEP_ERR("--rates \"51\": expected a whole number from 1 to 50", URL, "--rates", "51");
    SWEEP_ERR("--saturation-users \"0\": expected a whole number from 1 to 100000", URL, "--saturation-users", "0");
    SWEEP_ERR("--require: not for soak sweep (soak help sweep)", URL, "--require", "10/s");
    /* it said "not for soak sweep: not available for soak find" */
    SWEEP_ERR("--check: not for soak sweep: it validates a scenario file (soak load --check --config FILE, soak run "
              "--check FILE)",
              URL, "--check");
    SWEEP_ERR("--users: not for soak sweep: the probes are open loop (soak sweep: --saturation-users)", URL, "--users",
              "5");
    /* the closed loop is built too: more users than the in-flight cap is said before any run */
    SWEEP_ERR("the throughput run (--saturation-users 20): users (20) exceed max_inflight (10)", URL, "--max-inflight",
              "10", "--saturation-users", "20");
    PARSE_ERR("--rates: not for soak find (soak help find)", URL, "--rates", "3");
    /* a closed loop leaves --poisson out */
    SWEEP_OK(URL, "--poisson");
    hx_probe_plan_t plan = hx_find_plan(&opts);
    plan.users = 4;
    const char *argv[HX_FIND_MAX_LOAD_ARGS + 16];
    static char bufs[6][4096];
    int argc = hx_probe_argv(&plan, 1, NULL, "d/probe-001-1.json", argv, bufs);
    const char *want[] = {"load",
                          "--url",
                          "http://127.0.0.1:9/v1",
                          "--users",
                          "4",
                          "--duration",
                          "10000000us",
                          "--quiet",
                          "--warmup",
                          "2000000us",
                          "--json",
                          "d/probe-001-1.json",
                          "--html",
                          "d/probe-001-1.html"};
    assert_int_equal(argc, sizeof(want) / sizeof(want[0]));
    for (int i = 0; i < argc; i++)
        assert_string_equal(argv[i], want[i]);
}

static void test_help(void **state)
{
    (void)state;
    PARSE_OK("--help");
    assert_true(opts.help);
    PARSE_OK("-h");
    assert_true(opts.help);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_defaults),   cmocka_unit_test(test_own_flags), cmocka_unit_test(test_load_flags_pass),
        cmocka_unit_test(test_probe_argv), cmocka_unit_test(test_refused),   cmocka_unit_test(test_bounds),
        cmocka_unit_test(test_limits),     cmocka_unit_test(test_help),      cmocka_unit_test(test_sweep_flags),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
