/* tests/unit/harness/measure/selfcheck_test.c — the client's self-check on known stats: no warning for a
 * healthy run, the CPU warning for one saturated thread-interval, the lag warning above 10 ms at p99 and not at
 * it, figures for a run that sent nothing. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "harness/measure/selfcheck.h"

#include <stdlib.h>
#include <string.h>

#define MS 1000000ull
#define T0 (1000ull * 1000000000ull)

static hx_stats_t *new_stats(void)
{
    hx_stats_t *s = malloc(sizeof(*s));
    assert_non_null(s);
    hx_stats_init(s);
    return s;
}

/* n sends, each lag_ns behind its plan */
static void sends(hx_stats_t *s, int n, uint64_t lag_ns)
{
    for (int i = 0; i < n; i++)
        hx_stats_record_sent(s, T0, T0 + lag_ns);
}

static void test_healthy_run(void **state)
{
    (void)state;
    hx_stats_t *s = new_stats();
    sends(s, 1000, 50000); /* 50 us */
    sends(s, 5, 3 * MS);
    hx_stats_record_cpu(s, 200 * MS, 1000 * MS);
    hx_selfcheck_t c;
    hx_selfcheck(s, &c);
    assert_false(hx_selfcheck_warns(&c));
    assert_string_equal(c.cpu_warning, "");
    assert_string_equal(c.lag_warning, "");
    assert_true(c.lag_p50_ms > 0.049 && c.lag_p50_ms < 0.051);
    assert_true(c.lag_max_ms > 2.99 && c.lag_max_ms < 3.01);
    assert_true(c.late_share > 0.0049 && c.late_share < 0.0050);
    assert_true(c.cpu_busy_max > 0.199 && c.cpu_busy_max < 0.201);
    free(s);
}

static void test_cpu_saturated(void **state)
{
    (void)state;
    hx_stats_t *s = new_stats();
    sends(s, 10, 0);
    hx_stats_record_cpu(s, 100 * MS, 1000 * MS);
    hx_stats_record_cpu(s, 950 * MS, 1000 * MS);
    hx_selfcheck_t c;
    hx_selfcheck(s, &c);
    assert_true(c.cpu_saturated);
    assert_false(c.lag_large);
    if (strstr(c.cpu_warning, "busy 95% of an interval (1 of 2 thread-intervals at 90% or more)") == NULL)
        fail_msg("cpu warning: %s", c.cpu_warning);
    free(s);
}

static void test_lag_threshold(void **state)
{
    (void)state;
    hx_stats_t *s = new_stats();
    sends(s, 100, 10 * MS); /* p99 exactly 10 ms (within the histogram's precision): not above */
    hx_selfcheck_t c;
    hx_selfcheck(s, &c);
    assert_false(c.lag_large);
    hx_stats_init(s);
    sends(s, 97, 0);
    sends(s, 3, 40 * MS);
    hx_selfcheck(s, &c);
    assert_true(c.lag_large);
    assert_true(hx_selfcheck_warns(&c));
    if (strstr(c.lag_warning, "3 of 100 sends late (over 1 ms)") == NULL)
        fail_msg("lag warning: %s", c.lag_warning);
    free(s);
}

static void test_nothing_sent(void **state)
{
    (void)state;
    hx_stats_t *s = new_stats();
    hx_selfcheck_t c;
    hx_selfcheck(s, &c);
    assert_false(hx_selfcheck_warns(&c));
    assert_true(c.lag_p99_ms < 0);
    assert_true(c.late_share == 0);
    free(s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_healthy_run),
        cmocka_unit_test(test_cpu_saturated),
        cmocka_unit_test(test_lag_threshold),
        cmocka_unit_test(test_nothing_sent),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
