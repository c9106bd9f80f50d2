/* tests/unit/harness/measure/timeline_test.c — the downsampled timeline: one point per interval while it
 * fits, then pairwise merges that keep at most HX_TIMELINE_POINTS points, exact sums, contiguous spans, and
 * percentiles merged as their maximum (a spike survives). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "harness/measure/timeline.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define MS 1000000ull

static void record(hx_stats_t *s, uint64_t latency_ms, hx_err_t err)
{
    hx_result_t r;
    memset(&r, 0, sizeof(r));
    r.intended = r.sent = 1000 * MS;
    r.first_byte = r.intended + 1;
    r.done = r.intended + latency_ms * MS;
    r.err = err;
    r.status = err == HX_ERR_HTTP_429 ? 429 : 200;
    r.mock_service_ms = HX_NO_VALUE;
    r.gateway_overhead_ms = HX_NO_VALUE;
    hx_stats_record(s, &r);
}

static void test_one_point_per_interval(void **state)
{
    (void)state;
    hx_timeline_t *tl = hx_timeline_new();
    hx_stats_t *s = calloc(1, sizeof(*s));
    hx_stats_init(s);
    record(s, 10, HX_ERR_NONE);
    record(s, 20, HX_ERR_HTTP_429);
    s->sent = 2;
    s->dropped = 1;
    hx_timeline_add(tl, s, 0, 1);
    hx_stats_init(s);
    hx_timeline_add(tl, s, 1, 2);
    assert_int_equal(tl->n, 2);
    assert_int_equal(tl->per_point, 1);
    const hx_point_t *p = &tl->points[0];
    assert_int_equal(p->offered, 3);
    assert_int_equal(p->total, 2);
    assert_int_equal(p->ok, 1);
    assert_int_equal(p->errors[HX_ERR_HTTP_429], 1);
    assert_true(fabs(p->latency_ms[0] - 10) < 1);
    assert_true(isnan(p->ttft_ms[0]));
    assert_true(isnan(tl->points[1].latency_ms[2])); /* an empty interval has no percentile */
    hx_timeline_free(tl);
    free(s);
}

static void test_bounded_for_a_long_run(void **state)
{
    (void)state;
    hx_timeline_t *tl = hx_timeline_new();
    hx_stats_t *quiet = calloc(1, sizeof(*quiet)), *spike = calloc(1, sizeof(*spike));
    hx_stats_init(quiet);
    hx_stats_init(spike);
    quiet->sent = 5;
    record(spike, 900, HX_ERR_NONE);
    spike->sent = 1;
    const size_t n = 100000, spike_at = 77777;
    for (size_t i = 0; i < n; i++) {
        hx_timeline_add(tl, i == spike_at ? spike : quiet, (double)i, (double)i + 1);
        assert_true(tl->n <= HX_TIMELINE_POINTS);
    }
    assert_true(tl->n > HX_TIMELINE_POINTS / 2);
    assert_int_equal(tl->per_point, 64); /* 100,000 / 2,000 rounded up to a power of two */
    uint64_t intervals = 0, offered = 0;
    int spikes = 0;
    for (size_t i = 0; i < tl->n; i++) {
        const hx_point_t *p = &tl->points[i];
        intervals += p->intervals;
        offered += p->offered;
        assert_true(p->intervals <= tl->per_point);
        if (i > 0 && fabs(p->t0_s - tl->points[i - 1].t1_s) > 1e-9)
            fail_msg("point %zu starts at %.1f, the previous one ends at %.1f", i, p->t0_s, tl->points[i - 1].t1_s);
        if (!isnan(p->latency_ms[2])) {
            spikes++;
            assert_true(p->t0_s <= (double)spike_at && p->t1_s >= (double)spike_at + 1);
            assert_true(fabs(p->latency_ms[2] - 900) < 20);
        }
    }
    assert_int_equal(intervals, n);
    assert_int_equal(offered, 5 * (n - 1) + 1);
    assert_int_equal(spikes, 1); /* merged as a maximum: the one slow second is still there */
    assert_true(tl->points[0].t0_s == 0 && tl->points[tl->n - 1].t1_s == (double)n);
    hx_timeline_free(tl);
    free(quiet);
    free(spike);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_one_point_per_interval),
        cmocka_unit_test(test_bounded_for_a_long_run),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
