/* tests/unit/harness/capacity/search_int_test.c — the knee search over whole values (soak find --over users) on
 * fake targets with known knees: every value probed is whole, doubling from the start, halving down to 1, the
 * bisection ending on neighbours (or within the precision), the bounds, and the check of the options. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "harness/capacity/search.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

typedef struct fake {
    unsigned knee; /* user counts <= knee pass */
    unsigned runs;
    double values[256]; /* every run's value */
} fake_t;

static int fake_probe(void *ctx, double users, unsigned probe, unsigned repeat, hx_probe_verdict_t *v)
{
    fake_t *f = ctx;
    (void)probe;
    (void)repeat;
    if (f->runs < 256)
        f->values[f->runs] = users;
    f->runs++;
    v->pass = users <= f->knee;
    return 0;
}

static hx_search_opts_t opts(double start)
{
    return (hx_search_opts_t){.start_rate = start,
                              .min_rate = 1,
                              .max_rate = 10000,
                              .repeats = 1,
                              .precision = 0.05,
                              .max_probes = 40,
                              .integer = true};
}

static void run_ok(const hx_search_opts_t *o, fake_t *f, hx_search_result_t *res)
{
    char err[256] = "";
    if (hx_search_run(o, fake_probe, f, res, err, sizeof(err)) != 0)
        fail_msg("search failed: %s", err);
    for (unsigned i = 0; i < f->runs && i < 256; i++)
        if (f->values[i] != floor(f->values[i]) || f->values[i] < 1)
            fail_msg("run %u probed %.4g users: not a whole number >= 1", i + 1, f->values[i]);
}

static void expect_order(const hx_search_result_t *res, const double *want, size_t n)
{
    if (res->nsteps != n)
        fail_msg("expected %zu probes, got %zu", n, res->nsteps);
    for (size_t i = 0; i < n; i++)
        if (res->steps[i].rate != want[i])
            fail_msg("probe %zu: expected %.4g users, got %.4g", i + 1, want[i], res->steps[i].rate);
}

/* The analytic case of the integration test: 8 slots, so 8 users keep their latency and 9 do not. */
static void test_knee_eight_from_one(void **state)
{
    (void)state;
    fake_t f = {.knee = 8};
    hx_search_opts_t o = opts(1);
    hx_search_result_t res;
    run_ok(&o, &f, &res);
    static const double want[] = {1, 2, 4, 8, 16, 12, 10, 9};
    expect_order(&res, want, sizeof(want) / sizeof(want[0]));
    assert_int_equal(res.end, HX_SEARCH_END_CONVERGED);
    assert_true(res.lo == 8 && res.hi == 9);
}

/* A wider precision stops earlier, when hi - lo <= precision x hi. */
static void test_precision(void **state)
{
    (void)state;
    fake_t f = {.knee = 8};
    hx_search_opts_t o = opts(8);
    o.precision = 0.2;
    hx_search_result_t res;
    run_ok(&o, &f, &res);
    static const double want[] = {8, 16, 12, 10};
    expect_order(&res, want, sizeof(want) / sizeof(want[0]));
    assert_true(res.lo == 8 && res.hi == 10);
}

/* Halving rounds down and stops at 1. */
static void test_first_fails(void **state)
{
    (void)state;
    fake_t f = {.knee = 3};
    hx_search_opts_t o = opts(25);
    hx_search_result_t res;
    run_ok(&o, &f, &res);
    static const double want[] = {25, 12, 6, 3, 4};
    expect_order(&res, want, sizeof(want) / sizeof(want[0]));
    assert_true(res.lo == 3 && res.hi == 4);

    fake_t none = {.knee = 0};
    o = opts(5);
    run_ok(&o, &none, &res);
    static const double down[] = {5, 2, 1};
    expect_order(&res, down, sizeof(down) / sizeof(down[0]));
    assert_int_equal(res.end, HX_SEARCH_END_BELOW_MIN);
    assert_true(res.lo == 0 && res.hi == 1);
}

/* Every knee from 1 to 300 is found exactly (precision 0.1%: neighbours), inside its bracket. */
static void test_every_knee(void **state)
{
    (void)state;
    for (unsigned knee = 1; knee <= 300; knee++) {
        fake_t f = {.knee = knee};
        hx_search_opts_t o = opts(8);
        o.precision = HX_SEARCH_MIN_PRECISION;
        hx_search_result_t res;
        run_ok(&o, &f, &res);
        if (res.end != HX_SEARCH_END_CONVERGED || res.lo != knee || res.hi != knee + 1)
            fail_msg("knee %u: found [%.4g, %.4g) (%s)", knee, res.lo, res.hi, hx_search_end_name(res.end));
        /* doubling and bisection on whole numbers: about 2 log2(knee) probes */
        double bound = 2 * ceil(log2(knee + 8.0)) + 3;
        if (!(res.nsteps <= bound))
            fail_msg("knee %u: %zu probes, expected at most %.0f", knee, res.nsteps, bound);
    }
}

static void test_above_max(void **state)
{
    (void)state;
    fake_t f = {.knee = 1000};
    hx_search_opts_t o = opts(8);
    o.max_rate = 100;
    hx_search_result_t res;
    run_ok(&o, &f, &res);
    static const double want[] = {8, 16, 32, 64, 100};
    expect_order(&res, want, sizeof(want) / sizeof(want[0]));
    assert_int_equal(res.end, HX_SEARCH_END_ABOVE_MAX);
    assert_true(res.lo == 100 && res.hi == 0);
}

static void test_check(void **state)
{
    (void)state;
    char err[256];
    hx_search_opts_t o = opts(8);
    assert_int_equal(hx_search_check(&o, err, sizeof(err)), 0);
    o.start_rate = 8.5;
    assert_int_equal(hx_search_check(&o, err, sizeof(err)), -1);
    assert_non_null(strstr(err, "whole"));
    o = opts(8);
    o.min_rate = 0.5;
    assert_int_equal(hx_search_check(&o, err, sizeof(err)), -1);
    o = opts(8);
    o.max_rate = 99.9;
    assert_int_equal(hx_search_check(&o, err, sizeof(err)), -1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_knee_eight_from_one), cmocka_unit_test(test_precision),
        cmocka_unit_test(test_first_fails),         cmocka_unit_test(test_every_knee),
        cmocka_unit_test(test_above_max),           cmocka_unit_test(test_check),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
