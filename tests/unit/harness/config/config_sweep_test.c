/* tests/unit/harness/config/config_sweep_test.c — load.arrival: {sweep: {...}}: every key read with its default,
 * every bad value with its file:line:col and key, what a sweep cannot go with (refused where it is written), and
 * what hx_cfg_finish says of a sweep that soak load is asked to run. */
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

static void test_defaults(void **state)
{
    (void)state;
    hx_cfg_t c;
    cm_err_t err;
    assert_int_equal(load(&c, "load:\n  target: http://127.0.0.1:9/v1\n  arrival: {sweep: {}}\n", &err), 0);
    assert_true(c.sweep.set);
    assert_false(c.arrival_set);
    assert_int_equal(c.sweep.rates, 8);
    assert_int_equal(c.sweep.saturation_users, 128);
    assert_true(c.sweep.duration_ns == 10 * S && c.sweep.warmup_ns == 2 * S && c.sweep.settle_ns == 30 * S);
    assert_false(c.sweep.poisson);
    hx_cfg_free(&c);
}

static void test_every_key(void **state)
{
    (void)state;
    hx_cfg_t c;
    cm_err_t err;
    const char *text = "load:\n"
                       "  target: http://127.0.0.1:9/v1\n"
                       "  max_inflight: 300\n"
                       "  arrival:\n"
                       "    sweep:\n"
                       "      rates: 3\n"
                       "      saturation_users: 256\n"
                       "      probe_duration: 5s\n"
                       "      probe_warmup: 1500ms\n"
                       "      poisson: true\n"
                       "      settle: 0s\n";
    if (load(&c, text, &err) != 0)
        fail_msg("%s", err.msg);
    assert_int_equal(c.sweep.rates, 3);
    assert_int_equal(c.sweep.saturation_users, 256);
    assert_true(c.sweep.duration_ns == 5 * S && c.sweep.warmup_ns == 1500000000ull && c.sweep.settle_ns == 0);
    assert_true(c.sweep.poisson);
    hx_cfg_free(&c);
}

#define SWEEP(keys) "load:\n  arrival:\n    sweep: " keys "\n"

static void test_bad_values(void **state)
{
    (void)state;
    expect_error(SWEEP("{rates: 0}"), "s.yaml:3:20: load.arrival.sweep.rates: must be between 1 and 50, got 0");
    expect_error(SWEEP("{rates: 51}"), "s.yaml:3:20: load.arrival.sweep.rates: must be between 1 and 50, got 51");
    expect_error(SWEEP("{rates: 2.5}"), "s.yaml:3:20: load.arrival.sweep.rates: expected a whole number, got \"2.5\"");
    expect_error(SWEEP("{saturation_users: 0}"),
                 "s.yaml:3:31: load.arrival.sweep.saturation_users: must be between 1 and 100000, got 0");
    expect_error(SWEEP("{saturation_users: 100001}"),
                 "s.yaml:3:31: load.arrival.sweep.saturation_users: must be between 1 and 100000, got 100001");
    expect_error(SWEEP("{probe_duration: 61m}"), "s.yaml:3:29: load.arrival.sweep.probe_duration: 61m: at most 1h");
    expect_error(SWEEP("{probe_warmup: soon}"),
                 "s.yaml:3:27: load.arrival.sweep.probe_warmup: \"soon\": expected a number at \"soon\"");
    expect_error(SWEEP("{settle: 2h}"), "s.yaml:3:21: load.arrival.sweep.settle: 2h: at most 1h");
    expect_error(SWEEP("{poisson: maybe}"),
                 "s.yaml:3:22: load.arrival.sweep.poisson: expected true or false, got \"maybe\"");
    expect_error(SWEEP("{probe_duration: 2s, probe_warmup: 1500ms}"),
                 "s.yaml:3:29: load.arrival.sweep.probe_duration: must exceed probe_warmup by at least 1s (the "
                 "measured part)");
    expect_error(SWEEP("{probe_warmup: 9001ms}"),
                 "s.yaml:3:12: load.arrival.sweep: must exceed probe_warmup by at least 1s (the measured part)");
    expect_error(SWEEP("{rate: 3}"),
                 "s.yaml:3:13: load.arrival.sweep: unknown key \"rate\" (did you mean \"rates\"? "
                 "allowed: rates, saturation_users, probe_duration, probe_warmup, poisson, settle)");
    expect_error(SWEEP("8"), "s.yaml:3:12: load.arrival.sweep: expected a map of rates, saturation_users, "
                             "probe_duration, probe_warmup, poisson, settle (e.g. {rates: 8}; {} for the defaults)");
    expect_error("load:\n  arrival: {sweep: {}, constant: 5/s}\n",
                 "s.yaml:2:12: load.arrival: sweep goes alone: it sets every run's arrival");
}

/* Where a sweep is not the load's arrival, it is no arrival kind at all. */
static void test_only_load_arrival(void **state)
{
    (void)state;
    hx_cfg_t c;
    cm_err_t err;
    assert_int_equal(
        load(&c, "load:\n  groups:\n    - name: a\n      arrival: {sweep: {}}\n      requests: [{model: m}]\n", &err),
        -1);
    assert_string_equal(err.msg, "s.yaml:4:17: load.groups[0].arrival: unknown key \"sweep\" (did you mean \"step\"? "
                                 "allowed: constant, poisson, ramp, step, every, users, spawn, think)");
    hx_cfg_free(&c);
}

static void test_refused_beside(void **state)
{
    (void)state;
    expect_error("duration: 30s\nload:\n  arrival: {sweep: {}}\n",
                 "s.yaml:1:11: duration: not with load.arrival: {sweep: ...} (line 3): each run of a sweep lasts "
                 "load.arrival.sweep.probe_duration");
    expect_error("load:\n  arrival: {sweep: {}}\n  warmup: 5s\n",
                 "s.yaml:3:11: load.warmup: not with load.arrival: {sweep: ...} (line 2): each run of a sweep has its "
                 "own warm-up (load.arrival.sweep.probe_warmup) and no other phase");
    expect_error("load:\n  arrival: {sweep: {}}\n  phases: [{name: a, duration: 5s}]\n",
                 "s.yaml:3:11: load.phases: not with load.arrival: {sweep: ...} (line 2): each run of a sweep has its "
                 "own warm-up (load.arrival.sweep.probe_warmup) and no other phase");
    /* load.groups' own check speaks first, at load.arrival */
    expect_error("load:\n  arrival: {sweep: {}}\n  groups: [{name: a, arrival: {constant: 1/s}, requests: [{model: "
                 "m}]}]\n",
                 "s.yaml:2:12: load.arrival: load.groups is set: each group has its own arrival and requests");
    expect_error("load:\n  arrival: {sweep: {}}\nreport: {formats: [json]}\n",
                 "s.yaml:3:19: report.formats: not with load.arrival: {sweep: ...} (line 2): a sweep writes its own "
                 "reports into report.dir (sweep.json, sweep.html, each run's JSON and HTML) and exits 0 when it ran");
    expect_error("load:\n  arrival: {sweep: {}}\nreport: {webhook: \"http://127.0.0.1:9/\"}\n",
                 "s.yaml:3:19: report.webhook: not with load.arrival: {sweep: ...} (line 2): a sweep writes its own "
                 "reports into report.dir (sweep.json, sweep.html, each run's JSON and HTML) and exits 0 when it ran");
    expect_error("load:\n  arrival: {sweep: {saturation_users: 20000}}\n",
                 "s.yaml:2:39: load.arrival.sweep.saturation_users: 20000 users exceed load.max_inflight (10000): "
                 "raise load.max_inflight");
    /* The most expectations a sweep judges each run on, and one more. */
    expect_limit("load:\n  arrival: {sweep: {}}\n",
                 "s.yaml:4:3: expect: 16 expectations: a sweep judges every run on at most 15 (they are its SLOs)");
}

/* soak load cannot run a sweep unless a flag gives it an arrival; soak run and --check give it a stand-in. */
static void test_finish(void **state)
{
    (void)state;
    hx_cfg_t c;
    cm_err_t err;
    char why[512];
    const char *text = "load:\n  target: http://127.0.0.1:9/v1\n  arrival: {sweep: {rates: 2}}\n";
    assert_int_equal(load(&c, text, &err), 0);
    c.file = "s.yaml";
    assert_int_equal(hx_cfg_finish(&c, why, sizeof(why)), -1);
    assert_string_equal(why, "load.arrival: a sweep is run by `soak run s.yaml` (soak load runs one arrival: pass "
                             "--rate R or --users N)");
    hx_cfg_free(&c);
    assert_int_equal(load(&c, text, &err), 0);
    hx_cfg_capacity_standin(&c);
    assert_true(c.arrival_set && c.arrival.kind == HX_ARRIVAL_USERS && c.arrival.users == 1);
    if (hx_cfg_finish(&c, why, sizeof(why)) != 0)
        fail_msg("%s", why);
    hx_cfg_free(&c);
    /* without a sweep, the stand-in does nothing */
    assert_int_equal(load(&c, "load:\n  target: http://127.0.0.1:9/v1\n", &err), 0);
    hx_cfg_capacity_standin(&c);
    assert_false(c.arrival_set);
    hx_cfg_free(&c);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_defaults),       cmocka_unit_test(test_every_key),
        cmocka_unit_test(test_bad_values),     cmocka_unit_test(test_only_load_arrival),
        cmocka_unit_test(test_refused_beside), cmocka_unit_test(test_finish),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
