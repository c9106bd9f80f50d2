/* tests/unit/harness/capacity/sweep_test.c — the rates of a sweep between its synchronous and throughput rates,
 * and what the table and the JSON say of a sweep that ran, and of one stopped early. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness/capacity/sweep.h"

static hx_find_opts_t opts;
static hx_probe_record_t runs[4];

static void assert_contains(const char *haystack, const char *needle)
{
    if (strstr(haystack, needle) == NULL) {
        print_error("\"%s\"\n  does not contain \"%s\"\n", haystack, needle);
        fail();
    }
}

static void test_rates(void **state)
{
    (void)state;
    double r[HX_SWEEP_MAX_RATES];
    hx_sweep_rates(10, 80, 4, r);
    assert_true(r[0] == 27.5 && r[1] == 45 && r[2] == 62.5 && r[3] == 80);
    hx_sweep_rates(10, 80, 1, r);
    assert_true(r[0] == 80);
    hx_sweep_rates(5, 5, 3, r); /* a target as fast alone as loaded: every rate the same */
    assert_true(r[0] == 5 && r[2] == 5);
    hx_sweep_rates(1, 1000, HX_SWEEP_MAX_RATES, r);
    assert_true(fabs(r[HX_SWEEP_MAX_RATES - 1] - 1000) < 1e-9);
    for (int i = 1; i < HX_SWEEP_MAX_RATES; i++)
        assert_true(r[i] > r[i - 1]);
}

static char *capture(const hx_sweep_outcome_t *s, bool json)
{
    char *buf = NULL;
    size_t n = 0;
    FILE *out = open_memstream(&buf, &n);
    assert_non_null(out);
    if (json)
        assert_int_equal(hx_sweep_json(out, s), 0);
    else
        hx_sweep_table(out, s);
    fclose(out);
    return buf;
}

static void setup_runs(void)
{
    memset(&opts, 0, sizeof(opts));
    opts.cmd = HX_CAP_SWEEP;
    opts.nrates = 2;
    opts.sat_users = 32;
    opts.duration_ns = 3000000000ull;
    opts.warmup_ns = 1000000000ull;
    snprintf(opts.target, sizeof(opts.target), "http://127.0.0.1:1/v1");
    hx_expect_default(&opts.slos[0]);
    opts.nslos = 1;
    runs[0] = (hx_probe_record_t){.users = 1, .achieved = 10, .p50_ms = 100.6, .p99_ms = 101.1, .ok = 20, .pass = true};
    runs[1] =
        (hx_probe_record_t){.users = 32, .achieved = 80, .p50_ms = 400.5, .p99_ms = 402.3, .ok = 160, .pass = true};
    runs[2] = (hx_probe_record_t){.rate = 45, .achieved = 45, .p50_ms = 100.6, .p99_ms = 104.1, .ok = 90, .pass = true};
    runs[3] =
        (hx_probe_record_t){.rate = 80, .achieved = 80, .p50_ms = 100.2, .p99_ms = 106.8, .ok = 160, .pass = true};
}

static void test_reports(void **state)
{
    (void)state;
    setup_runs();
    hx_sweep_outcome_t s = {&opts, runs, 4, 10, 80, true, NULL};
    char *t = capture(&s, false);
    assert_contains(t, "Sweep: 4 runs\n");
    assert_contains(t, "sync       1 user       10.0   100.6ms   101.1ms");
    assert_contains(t, "max      32 users       80.0   400.5ms   402.3ms");
    assert_contains(t, "2              80       80.0   100.2ms   106.8ms");
    assert_contains(t, "Range: synchronous 10.0/s (1 user), throughput 80.0/s (32 users)");
    free(t);
    char *j = capture(&s, true);
    assert_contains(j, "\"command\":\"sweep\"");
    assert_contains(j, "\"synchronous_rate\":10,\"max_rate\":80,\"complete\":true");
    assert_contains(j, "{\"kind\":\"synchronous\",\"probe\":1,\"repeat\":1,\"rate\":null,\"users\":1,");
    assert_contains(j, "{\"kind\":\"throughput\",\"probe\":1,\"repeat\":1,\"rate\":null,\"users\":32,");
    assert_contains(j, "{\"kind\":\"rate\",\"probe\":1,\"repeat\":1,\"rate\":45,\"users\":0,");
    free(j);
}

static void test_stopped(void **state)
{
    (void)state;
    setup_runs();
    hx_sweep_outcome_t s = {&opts, runs, 1, 10, 0, false, NULL};
    char *t = capture(&s, false);
    assert_contains(t, "Sweep: 1 run (stopped early)\n");
    assert_true(strstr(t, "Range:") == NULL);
    free(t);
    char *j = capture(&s, true);
    assert_contains(j, "\"synchronous_rate\":10,\"max_rate\":null,\"complete\":false");
    free(j);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_rates),
        cmocka_unit_test(test_reports),
        cmocka_unit_test(test_stopped),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
