/* tests/unit/harness/capacity/search_test.c — the knee search on fake probes with known knees: deterministic,
 * noisy (a seeded coin near the knee), a first rate that already fails, knees beyond the bounds, the probe
 * budget, repeats that stop at the first failure or saturation, and a probe that ends the search. */
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
    double knee;       /* rates <= knee pass */
    double noise;      /* within knee x (1 +- noise), a run passes with a probability falling linearly */
    double saturate;   /* rates >= saturate are over-saturated (0: never) */
    uint64_t rng;      /* xorshift state for the noise */
    unsigned runs;     /* runs made */
    unsigned stop_at;  /* the run (1-based) that returns -1, 0: none */
    double rates[512]; /* every run's rate */
} fake_t;

static double next_unit(fake_t *f)
{
    f->rng ^= f->rng << 13;
    f->rng ^= f->rng >> 7;
    f->rng ^= f->rng << 17;
    return (double)(f->rng >> 11) / 9007199254740992.0;
}

static int fake_probe(void *ctx, double rate, unsigned probe, unsigned repeat, hx_probe_verdict_t *v)
{
    fake_t *f = ctx;
    (void)probe;
    (void)repeat;
    if (f->runs < 512)
        f->rates[f->runs] = rate;
    f->runs++;
    if (f->stop_at != 0 && f->runs == f->stop_at)
        return -1;
    double lo = f->knee * (1 - f->noise), hi = f->knee * (1 + f->noise);
    if (rate <= lo)
        v->pass = true;
    else if (rate >= hi)
        v->pass = false;
    else
        v->pass = next_unit(f) < (hi - rate) / (hi - lo);
    v->saturated = f->saturate > 0 && rate >= f->saturate;
    return 0;
}

static hx_search_opts_t opts(void)
{
    return (hx_search_opts_t){
        .start_rate = 10, .min_rate = 0.1, .max_rate = 100000, .repeats = 1, .precision = 0.05, .max_probes = 30};
}

static void run_ok(const hx_search_opts_t *o, fake_t *f, hx_search_result_t *res)
{
    char err[256] = "";
    int rc = hx_search_run(o, fake_probe, f, res, err, sizeof(err));
    if (rc != 0)
        fail_msg("search failed: %s", err);
}

/* The knee reported is the last pass, below the true knee by at most the precision, and the bracket holds it. */
static void expect_knee(const hx_search_result_t *res, double knee, double precision)
{
    if (res->end != HX_SEARCH_END_CONVERGED)
        fail_msg("end: expected converged, got %s", hx_search_end_name(res->end));
    if (!(res->lo <= knee && knee < res->hi))
        fail_msg("knee %.4g outside the bracket [%.4g, %.4g)", knee, res->lo, res->hi);
    if (!(res->hi - res->lo <= precision * res->hi + 1e-9))
        fail_msg("bracket [%.4g, %.4g) wider than %.1f%%", res->lo, res->hi, precision * 100);
    if (!(fabs(res->lo - knee) <= precision * knee))
        fail_msg("knee found %.4g, true %.4g: off by more than %.1f%%", res->lo, knee, precision * 100);
}

static void test_deterministic_knees(void **state)
{
    (void)state;
    static const double knees[] = {10, 13.7, 80, 99.9, 333, 1000, 12345.6};
    for (size_t i = 0; i < sizeof(knees) / sizeof(knees[0]); i++) {
        fake_t f = {.knee = knees[i]};
        hx_search_opts_t o = opts();
        hx_search_result_t res;
        run_ok(&o, &f, &res);
        expect_knee(&res, knees[i], o.precision);
        /* doubling then bisection: about log2(knee / start) + log2(1 / precision) + 1 probes */
        double bound = ceil(log2(knees[i] / o.start_rate)) + ceil(log2(1 / o.precision)) + 2;
        if (!(res.nsteps <= bound))
            fail_msg("knee %.4g: %zu probes, expected at most %.0f", knees[i], res.nsteps, bound);
        assert_int_equal(f.runs, res.nsteps);
    }
}

static void test_probe_order(void **state)
{
    (void)state;
    fake_t f = {.knee = 50};
    hx_search_opts_t o = opts();
    hx_search_result_t res;
    run_ok(&o, &f, &res);
    /* 10, 20, 40 pass, 80 fails, then 60, 50, 55 and 52.5 bisect [40, 80) to within 5% */
    static const double want[] = {10, 20, 40, 80, 60, 50, 55, 52.5};
    assert_int_equal(res.nsteps, sizeof(want) / sizeof(want[0]));
    for (size_t i = 0; i < res.nsteps; i++) {
        if (fabs(res.steps[i].rate - want[i]) > 1e-9)
            fail_msg("probe %zu: expected %.4g/s, got %.4g/s", i + 1, want[i], res.steps[i].rate);
        assert_int_equal(res.steps[i].pass, want[i] <= 50);
    }
    assert_true(res.lo == 50 && res.hi == 52.5);
}

static void test_first_rate_fails(void **state)
{
    (void)state;
    fake_t f = {.knee = 3};
    hx_search_opts_t o = opts();
    hx_search_result_t res;
    run_ok(&o, &f, &res);
    assert_false(res.steps[0].pass);
    assert_true(fabs(res.steps[1].rate - 5) < 1e-9); /* halving */
    expect_knee(&res, 3, o.precision);
}

static void test_bounds(void **state)
{
    (void)state;
    hx_search_opts_t o = opts();
    o.max_rate = 100;
    hx_search_result_t res;
    fake_t above = {.knee = 1000};
    run_ok(&o, &above, &res);
    assert_int_equal(res.end, HX_SEARCH_END_ABOVE_MAX);
    assert_true(res.lo == 100 && res.hi == 0);
    assert_true(res.steps[res.nsteps - 1].rate == 100); /* capped, not 160 */

    fake_t below = {.knee = 0.01};
    run_ok(&o, &below, &res);
    assert_int_equal(res.end, HX_SEARCH_END_BELOW_MIN);
    assert_true(res.lo == 0 && res.hi == 0.1);
}

static void test_budget(void **state)
{
    (void)state;
    fake_t f = {.knee = 777};
    hx_search_opts_t o = opts();
    o.max_probes = 5;
    hx_search_result_t res;
    run_ok(&o, &f, &res);
    assert_int_equal(res.end, HX_SEARCH_END_MAX_PROBES);
    assert_int_equal(res.nsteps, 5);
    assert_true(res.lo == 160 && res.hi == 0); /* 10 .. 160 passed, no failure yet */
    o.max_probes = 8;
    fake_t g = {.knee = 777};
    run_ok(&o, &g, &res);
    assert_int_equal(res.end, HX_SEARCH_END_MAX_PROBES);
    assert_true(res.lo <= 777 && 777 < res.hi); /* a bracket, wider than 5% */
    assert_true(res.hi - res.lo > 0.05 * res.hi);
}

static void test_repeats(void **state)
{
    (void)state;
    fake_t f = {.knee = 50};
    hx_search_opts_t o = opts();
    o.repeats = 3;
    hx_search_result_t res;
    run_ok(&o, &f, &res);
    expect_knee(&res, 50, o.precision);
    unsigned runs = 0;
    for (size_t i = 0; i < res.nsteps; i++) {
        /* a pass takes every repeat, a deterministic failure stops at the first */
        assert_int_equal(res.steps[i].runs, res.steps[i].pass ? 3u : 1u);
        runs += res.steps[i].runs;
    }
    assert_int_equal(runs, f.runs);
}

static void test_saturation_ends_repeats(void **state)
{
    (void)state;
    /* Saturated runs count as failures even when the probe says pass, and need no second run. */
    fake_t f = {.knee = 1000, .saturate = 64};
    hx_search_opts_t o = opts();
    o.repeats = 4;
    hx_search_result_t res;
    run_ok(&o, &f, &res);
    assert_true(res.lo < 64 && res.hi <= 80);
    for (size_t i = 0; i < res.nsteps; i++) {
        if (res.steps[i].rate >= 64) {
            assert_true(res.steps[i].saturated && !res.steps[i].pass);
            assert_int_equal(res.steps[i].runs, 1);
        }
    }
}

/* Noisy probes: near the knee a run passes by chance. With repeats the knee found stays close to the noise
 * band's lower edge, where every run passes, and never above the band. */
static void test_noisy(void **state)
{
    (void)state;
    for (uint64_t seed = 1; seed <= 40; seed++) {
        fake_t f = {.knee = 200, .noise = 0.05, .rng = seed * 0x9E3779B97F4A7C15ull};
        hx_search_opts_t o = opts();
        o.repeats = 3;
        hx_search_result_t res;
        run_ok(&o, &f, &res);
        assert_int_equal(res.end, HX_SEARCH_END_CONVERGED);
        if (!(res.lo >= 200 * 0.95 * 0.95 && res.lo <= 200 * 1.05))
            fail_msg("seed %llu: knee %.4g outside [%.4g, %.4g]", (unsigned long long)seed, res.lo, 200 * 0.95 * 0.95,
                     200 * 1.05);
        assert_true(res.lo < res.hi);
    }
}

static void test_probe_stops(void **state)
{
    (void)state;
    fake_t f = {.knee = 50, .stop_at = 3};
    hx_search_opts_t o = opts();
    hx_search_result_t res;
    char err[256];
    assert_int_equal(hx_search_run(&o, fake_probe, &f, &res, err, sizeof(err)), -1);
    assert_non_null(strstr(err, "probe 3 at 40/s stopped the search"));
    assert_int_equal(res.nsteps, 3);
    assert_int_equal(res.end, HX_SEARCH_END_STOPPED);
    assert_true(res.lo == 20 && res.hi == 0); /* what was known when it stopped */
}

static void test_check(void **state)
{
    (void)state;
    char err[256];
    hx_search_opts_t o = opts();
    assert_int_equal(hx_search_check(&o, err, sizeof(err)), 0);
    o.repeats = 0;
    assert_int_equal(hx_search_check(&o, err, sizeof(err)), -1);
    assert_non_null(strstr(err, "repeats"));
    o = opts();
    o.precision = 0;
    assert_int_equal(hx_search_check(&o, err, sizeof(err)), -1);
    o = opts();
    o.precision = NAN;
    assert_int_equal(hx_search_check(&o, err, sizeof(err)), -1);
    o = opts();
    o.start_rate = 200000;
    assert_int_equal(hx_search_check(&o, err, sizeof(err)), -1);
    assert_non_null(strstr(err, "start rate"));
    o = opts();
    o.max_probes = HX_SEARCH_MAX_PROBES + 1;
    assert_int_equal(hx_search_check(&o, err, sizeof(err)), -1);
    hx_search_result_t res;
    fake_t f = {.knee = 1};
    assert_int_equal(hx_search_run(&o, fake_probe, &f, &res, err, sizeof(err)), -1);
    assert_int_equal(f.runs, 0);
}

/* The budget caps the steps array whatever the probe does: the largest budget against a knee it cannot reach. */
static void test_largest_budget(void **state)
{
    (void)state;
    fake_t f = {.knee = 100, .noise = 0.5, .rng = 7};
    hx_search_opts_t o = opts();
    o.max_probes = HX_SEARCH_MAX_PROBES;
    o.precision = HX_SEARCH_MIN_PRECISION;
    hx_search_result_t res;
    run_ok(&o, &f, &res);
    assert_true(res.nsteps <= HX_SEARCH_MAX_PROBES);
    assert_true(res.lo < res.hi);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_deterministic_knees),
        cmocka_unit_test(test_probe_order),
        cmocka_unit_test(test_first_rate_fails),
        cmocka_unit_test(test_bounds),
        cmocka_unit_test(test_budget),
        cmocka_unit_test(test_repeats),
        cmocka_unit_test(test_saturation_ends_repeats),
        cmocka_unit_test(test_noisy),
        cmocka_unit_test(test_probe_stops),
        cmocka_unit_test(test_check),
        cmocka_unit_test(test_largest_budget),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
