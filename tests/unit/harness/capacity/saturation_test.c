/* tests/unit/harness/capacity/saturation_test.c — over-saturation on timelines with known shapes: a steady probe,
 * a queue growing through it (latency and TTFT), a target behind its rate, drops, and the intervals left out
 * (warm-up, drain, too few). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "harness/capacity/saturation.h"

static hx_point_t pts[16];

/* n one-second intervals from 0: rate arrivals and `answered` answers (all ok) each, p50 latency lat(i) ms and no
 * TTFT. */
static hx_timeline_t timeline(size_t n, uint64_t arrivals, uint64_t answered, double lat0, double lat_step)
{
    memset(pts, 0, sizeof(pts));
    for (size_t i = 0; i < n; i++) {
        pts[i] = (hx_point_t){.t0_s = (double)i,
                              .t1_s = (double)i + 1,
                              .offered = arrivals,
                              .total = answered,
                              .ok = answered,
                              .intervals = 1};
        pts[i].latency_ms[0] = lat0 + lat_step * (double)i;
        pts[i].ttft_ms[0] = NAN;
    }
    return (hx_timeline_t){pts, n, 1};
}

static void test_steady(void **state)
{
    (void)state;
    hx_timeline_t tl = timeline(10, 100, 100, 100, 0.5);
    char why[160] = "";
    hx_window_rates_t r;
    assert_true(hx_window_rates(&tl, 2, 10, &r));
    assert_true(r.offered == 100 && r.achieved == 100 && r.ok == 100);
    assert_false(hx_saturated(&tl, 2, 10, 100, r.achieved, 0, false, why, sizeof(why)));
    assert_string_equal(why, "");
}

static void test_rising_latency(void **state)
{
    (void)state;
    /* a queue adding 100 ms a second: 300 ms in the first interval after the warm-up, 1 s in the last */
    hx_timeline_t tl = timeline(10, 100, 95, 100, 100);
    char why[160];
    double a, b;
    assert_true(hx_rising(&tl, 2, 10, false, &a, &b));
    assert_true(fabs(a - 350) < 1e-9 && fabs(b - 950) < 1e-9); /* medians of 300, 400 and 900, 1000 */
    assert_true(hx_saturated(&tl, 2, 10, 100, 95, 0, false, why, sizeof(why)));
    assert_string_equal(why, "saturated: latency p50 rising, 350.0ms to 950.0ms");
    /* the drain's intervals (past 10 s) and the warm-up's are not measured */
    assert_false(hx_rising(&tl, 2, 4, false, &a, &b)); /* two intervals only */
}

static void test_rising_needs_both(void **state)
{
    (void)state;
    double a, b;
    /* tripled, but by 4 ms: 2 ms to 6 ms is no queue without bound */
    hx_timeline_t tl = timeline(9, 100, 100, 2, 0.5);
    assert_false(hx_rising(&tl, 0, 9, false, &a, &b));
    /* 60 ms higher, but by less than twice: 500 ms to 560 ms */
    tl = timeline(9, 100, 100, 500, 7.5);
    assert_false(hx_rising(&tl, 0, 9, false, &a, &b));
}

static void test_rising_ttft(void **state)
{
    (void)state;
    hx_timeline_t tl = timeline(9, 50, 50, 1000, 0); /* the whole answer steady */
    for (size_t i = 0; i < 9; i++)
        pts[i].ttft_ms[0] = 50 + 40 * (double)i;
    char why[160];
    assert_true(hx_saturated(&tl, 0, 9, 50, 50, 0, false, why, sizeof(why)));
    assert_string_equal(why, "saturated: TTFT p50 rising, 90.0ms to 330.0ms");
}

static void test_behind_and_dropped(void **state)
{
    (void)state;
    hx_timeline_t tl = timeline(5, 100, 80, 100, 0);
    char why[160];
    hx_window_rates_t r;
    assert_true(hx_window_rates(&tl, 1, 5, &r));
    assert_true(r.achieved == 80);
    assert_true(hx_saturated(&tl, 1, 5, 100, r.achieved, 0, false, why, sizeof(why)));
    assert_string_equal(why, "saturated: behind, achieved 80.0/s of 100/s");
    /* 90% is still keeping up */
    assert_false(hx_saturated(&tl, 1, 5, 100, 90, 0, false, why, sizeof(why)));
    /* drops come first, and say when the probe stopped at them */
    assert_true(hx_saturated(NULL, 1, 5, 100, 100, 7, true, why, sizeof(why)));
    assert_string_equal(why, "saturated: 7 arrivals dropped at the in-flight cap, stopped early");
}

static void test_no_measured_interval(void **state)
{
    (void)state;
    hx_timeline_t tl = timeline(3, 100, 100, 100, 0);
    hx_window_rates_t r;
    assert_false(hx_window_rates(&tl, 3, 3, &r)); /* all of it warm-up */
    assert_false(hx_window_rates(NULL, 0, 3, &r));
    pts[1].t1_s = 1.5; /* an interval cut short by an early stop at 1.5 s still counts, up to the stop */
    assert_true(hx_window_rates(&tl, 0, 1.5, &r));
    assert_true(fabs(r.offered - 200 / 1.5) < 1e-9);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_steady),
        cmocka_unit_test(test_rising_latency),
        cmocka_unit_test(test_rising_needs_both),
        cmocka_unit_test(test_rising_ttft),
        cmocka_unit_test(test_behind_and_dropped),
        cmocka_unit_test(test_no_measured_interval),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
