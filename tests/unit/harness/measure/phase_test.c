/* tests/unit/harness/measure/phase_test.c — phases laid out on the run's clock (exact, rescaled, rounded to
 * whole intervals), the phase at a time, and span references (phase names, time ranges, errors). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "harness/measure/phase.h"

#include <stdio.h>
#include <string.h>

#define SEC 1000000000ull

static hx_phases_t make(const char *const *names, const uint64_t *secs, size_t n)
{
    hx_phases_t ps;
    memset(&ps, 0, sizeof(ps));
    for (size_t i = 0; i < n; i++) {
        snprintf(ps.p[i].name, sizeof(ps.p[i].name), "%s", names[i]);
        ps.p[i].dur_ns = secs[i] * SEC;
    }
    ps.n = n;
    return ps;
}

static const char *const names[] = {"warm-up", "steady", "fault", "recovery"};

static void test_layout_exact_and_scaled(void **state)
{
    (void)state;
    char err[160];
    const uint64_t secs[] = {10, 60, 30, 20};
    hx_phases_t ps = make(names, secs, 4);
    assert_int_equal(hx_phases_total(&ps), 120 * SEC);
    assert_int_equal(hx_phases_layout(&ps, 120 * SEC, SEC, err, sizeof(err)), 0);
    assert_int_equal(ps.p[1].start_ns, 10 * SEC);
    assert_int_equal(ps.p[2].start_ns, 70 * SEC);
    assert_int_equal(ps.p[3].end_ns, 120 * SEC);
    /* --duration 12s keeps the shape: 1 + 6 + 3 + 2 */
    assert_int_equal(hx_phases_layout(&ps, 12 * SEC, SEC, err, sizeof(err)), 0);
    assert_int_equal(ps.p[0].end_ns, 1 * SEC);
    assert_int_equal(ps.p[1].end_ns, 7 * SEC);
    assert_int_equal(ps.p[2].end_ns, 10 * SEC);
    assert_int_equal(ps.p[3].end_ns, 12 * SEC);
    /* too short to scale evenly: every phase keeps at least one interval, the last ends on time */
    assert_int_equal(hx_phases_layout(&ps, 5 * SEC, SEC, err, sizeof(err)), 0);
    for (size_t i = 0; i < 4; i++)
        assert_true(ps.p[i].end_ns > ps.p[i].start_ns);
    assert_int_equal(ps.p[3].end_ns, 5 * SEC);
    /* fewer intervals than phases */
    assert_int_equal(hx_phases_layout(&ps, 3 * SEC, SEC, err, sizeof(err)), -1);
    assert_string_equal(err, "a run of 3s cannot hold 4 phases of whole intervals of 1s");
}

static void test_phase_at(void **state)
{
    (void)state;
    char err[160];
    const uint64_t secs[] = {2, 3};
    hx_phases_t ps = make(names, secs, 2);
    assert_int_equal(hx_phases_layout(&ps, 5 * SEC, SEC, err, sizeof(err)), 0);
    assert_int_equal(hx_phases_at(&ps, 0), 0);
    assert_int_equal(hx_phases_at(&ps, 2 * SEC - 1), 0);
    assert_int_equal(hx_phases_at(&ps, 2 * SEC), 1);
    assert_int_equal(hx_phases_at(&ps, 99 * SEC), 1); /* the drain */
    hx_phases_t none = {.n = 0};
    assert_int_equal(hx_phases_at(&none, 0), -1);
    assert_int_equal(hx_phases_find(&ps, "steady"), 1);
    assert_int_equal(hx_phases_find(&ps, "fault"), -1);
}

static void test_span_refs(void **state)
{
    (void)state;
    char err[200], buf[64];
    const uint64_t secs[] = {10, 60};
    hx_phases_t ps = make(names, secs, 2);
    assert_int_equal(hx_phases_layout(&ps, 70 * SEC, SEC, err, sizeof(err)), 0);
    hx_span_ref_t r;
    uint64_t a, b;
    assert_int_equal(hx_span_ref_parse("warm-up", &ps, &r, err, sizeof(err)), 0);
    hx_span_ref_times(&r, &ps, &a, &b);
    assert_int_equal(a, 0);
    assert_int_equal(b, 10 * SEC);
    assert_string_equal(hx_span_ref_describe(&r, &ps, buf, sizeof(buf)), "warm-up");
    assert_int_equal(hx_span_ref_parse("steady", &ps, &r, err, sizeof(err)), 0);
    hx_span_ref_times(&r, &ps, &a, &b);
    assert_int_equal(b, UINT64_MAX); /* the last phase holds the drain */
    assert_int_equal(hx_span_ref_parse("0s..60s", &ps, &r, err, sizeof(err)), 0);
    assert_int_equal(r.phase, -1);
    assert_int_equal(r.end_ns, 60 * SEC);
    assert_string_equal(hx_span_ref_describe(&r, &ps, buf, sizeof(buf)), "..1m");
    assert_int_equal(hx_span_ref_parse("1m..", &ps, &r, err, sizeof(err)), 0);
    assert_int_equal(r.start_ns, 60 * SEC);
    assert_int_equal(r.end_ns, UINT64_MAX);
    assert_int_equal(hx_span_ref_parse("60s..30s", &ps, &r, err, sizeof(err)), -1);
    assert_string_equal(err, "time range \"60s..30s\" ends before it starts");
    assert_int_equal(hx_span_ref_parse("fault", &ps, &r, err, sizeof(err)), -1);
    assert_string_equal(err, "\"fault\" is neither a time range (\"0s..60s\") nor one of the 2 phases");
    assert_int_equal(hx_span_ref_parse("x..y", &ps, &r, err, sizeof(err)), -1);
    assert_non_null(strstr(err, "time range \"x..y\""));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_layout_exact_and_scaled),
        cmocka_unit_test(test_phase_at),
        cmocka_unit_test(test_span_refs),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
