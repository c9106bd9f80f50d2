/* tests/unit/common/dist_test.c — generator reproducibility, the hash, and distribution parse, sample
 * statistics, mean and format. Sample statistics use fixed seeds, so they are deterministic; the
 * tolerances are still several standard errors wide so that a change of seed would not break them. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "common/dist.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MS 1e6

/* ---- generator and hash ----------------------------------------------------------------------------- */

static void test_rng_reference_values(void **state)
{
    (void)state;
    /* Values from an independent implementation of splitmix64 seeding + xoshiro256**: the stream must
     * never change, or seeded runs would stop reproducing across versions. */
    cm_rng_t r;
    cm_rng_seed(&r, 42);
    assert_int_equal(cm_rng_next(&r), UINT64_C(0x15780b2e0c2ec716));
    assert_int_equal(cm_rng_next(&r), UINT64_C(0x6104d9866d113a7e));
    assert_int_equal(cm_rng_next(&r), UINT64_C(0xae17533239e499a1));
    cm_rng_seed(&r, 0);
    assert_int_equal(cm_rng_next(&r), UINT64_C(0x99ec5f36cb75f2b4));
    assert_int_equal(cm_rng_next(&r), UINT64_C(0xbf6e1f784956452a));
}

static void test_rng_reproducible_and_independent(void **state)
{
    (void)state;
    cm_rng_t a, b, c;
    cm_rng_seed(&a, 7);
    cm_rng_seed(&b, 7);
    cm_rng_seed(&c, 8);
    int same_ac = 0;
    for (int i = 0; i < 1000; i++) {
        uint64_t x = cm_rng_next(&a);
        assert_int_equal(x, cm_rng_next(&b));
        same_ac += x == cm_rng_next(&c);
    }
    assert_int_equal(same_ac, 0);
}

static void test_uniform_normal_exponential(void **state)
{
    (void)state;
    cm_rng_t r;
    cm_rng_seed(&r, 1);
    const int n = 200000;
    double su = 0, sn = 0, sn2 = 0, se = 0, umin = 1, umax = 0;
    for (int i = 0; i < n; i++) {
        double u = cm_rng_uniform(&r), z = cm_rng_normal(&r), e = cm_rng_exponential(&r, 3.0);
        assert_true(u >= 0 && u < 1);
        assert_true(e >= 0);
        umin = fmin(umin, u), umax = fmax(umax, u);
        su += u, sn += z, sn2 += z * z, se += e;
    }
    assert_true(fabs(su / n - 0.5) < 0.005);
    assert_true(umin < 0.001 && umax > 0.999);
    assert_true(fabs(sn / n) < 0.01);
    assert_true(fabs(sqrt(sn2 / n) - 1) < 0.01);
    assert_true(fabs(se / n - 3.0) < 0.05);
}

static void test_hash_reference_and_spread(void **state)
{
    (void)state;
    /* Little-endian reads are explicit, so these hold on any machine. */
    assert_int_equal(cm_hash64("", 0, 0), UINT64_C(0x9353dfc8a195f3e2));
    assert_int_equal(cm_hash64("a", 1, 0), UINT64_C(0x8538993c719417b5));
    assert_int_equal(cm_hash64("hello world", 11, 0), UINT64_C(0x800da56250d7d85b));
    assert_int_equal(cm_hash64("hello world", 11, 1), UINT64_C(0x8b03565693a2cf77));
    const char *fox = "The quick brown fox jumps over the lazy dog";
    assert_int_equal(cm_hash64(fox, strlen(fox), 42), UINT64_C(0x29f14217fc5d7ebc));
    assert_int_not_equal(cm_hash64("a", 2, 0), cm_hash64("a", 1, 0)); /* "a\0" differs from "a" */
    /* Avalanche: flipping any one input bit flips about half the output bits. */
    unsigned char buf[24] = "deployment-a/key-1";
    uint64_t base = cm_hash64(buf, sizeof(buf), 9);
    double total = 0;
    for (int bit = 0; bit < 24 * 8; bit++) {
        buf[bit / 8] ^= (unsigned char)(1u << (bit % 8));
        total += __builtin_popcountll(base ^ cm_hash64(buf, sizeof(buf), 9));
        buf[bit / 8] ^= (unsigned char)(1u << (bit % 8));
    }
    double mean = total / (24 * 8);
    if (mean < 28 || mean > 36)
        fail_msg("average flipped bits %.2f, want about 32", mean);
}

/* ---- parse ------------------------------------------------------------------------------------------ */

static cm_dist_t parse_ok(const char *s, cm_dist_unit_t unit)
{
    cm_dist_t d;
    char err[256] = "";
    if (cm_dist_parse(s, unit, &d, err, sizeof(err)) != 0)
        fail_msg("cm_dist_parse(\"%s\") failed: %s", s, err);
    return d;
}

static void parse_err(const char *s, cm_dist_unit_t unit, const char *want)
{
    cm_dist_t d;
    char err[256] = "";
    if (cm_dist_parse(s, unit, &d, err, sizeof(err)) == 0)
        fail_msg("cm_dist_parse(\"%s\") succeeded, want error \"%s\"", s, want);
    assert_string_equal(err, want);
}

static void test_parse_forms(void **state)
{
    (void)state;
    cm_dist_t d = parse_ok("50ms", CM_DIST_DURATION);
    assert_int_equal(d.kind, CM_DIST_FIXED);
    assert_true(d.a == 50 * MS);
    d = parse_ok(" fixed( 2s ) ", CM_DIST_DURATION);
    assert_int_equal(d.kind, CM_DIST_FIXED);
    assert_true(d.a == 2e9);
    d = parse_ok("uniform(10ms,20ms)", CM_DIST_DURATION);
    assert_int_equal(d.kind, CM_DIST_UNIFORM);
    assert_true(d.a == 10 * MS && d.b == 20 * MS);
    d = parse_ok("normal(20ms, 5ms)", CM_DIST_DURATION);
    assert_int_equal(d.kind, CM_DIST_NORMAL);
    assert_true(d.a == 20 * MS && d.b == 5 * MS);
    d = parse_ok("lognormal(80ms, 0.3)", CM_DIST_DURATION);
    assert_int_equal(d.kind, CM_DIST_LOGNORMAL);
    assert_true(d.a == 80 * MS && d.b == 0.3);
    d = parse_ok("normal(64, 16)", CM_DIST_COUNT);
    assert_true(d.a == 64 && d.b == 16);
    d = parse_ok("1.5k", CM_DIST_COUNT);
    assert_true(d.a == 1500);
    d = parse_ok("percentiles(p99=300ms, p50=80ms, p90=120ms, p99.9=1s)", CM_DIST_DURATION);
    assert_int_equal(d.kind, CM_DIST_PERCENTILES);
    assert_int_equal(d.npoints, 4);
    assert_true(d.points[0].p == 0.5 && d.points[0].v == 80 * MS); /* sorted by p */
    assert_true(d.points[1].p == 0.9 && d.points[1].v == 120 * MS);
    assert_true(d.points[2].p == 0.99 && d.points[2].v == 300 * MS);
    assert_true(fabs(d.points[3].p - 0.999) < 1e-12 && d.points[3].v == 1e9);
    d = parse_ok("percentiles(p100=5)", CM_DIST_COUNT);
    assert_int_equal(d.npoints, 1);
}

static void test_parse_errors(void **state)
{
    (void)state;
    const cm_dist_unit_t D = CM_DIST_DURATION, C = CM_DIST_COUNT;
    parse_err("lognorml(80ms, 0.3)", D,
              "unknown distribution \"lognorml\" (expected fixed, uniform, normal, lognormal, percentiles)");
    parse_err("lognorml", D,
              "unknown distribution \"lognorml\" (expected fixed, uniform, normal, lognormal, "
              "percentiles)");
    parse_err("", D, "empty distribution (expected fixed, uniform, normal, lognormal, percentiles, or a plain value)");
    parse_err("normal(20ms, -5ms)", D, "normal: sd must be >= 0");
    parse_err("normal(-1ms, 5ms)", D, "normal: mean must be >= 0");
    parse_err("normal(20ms)", D, "normal: expected 2 arguments (mean, sd), got 1");
    parse_err("normal(20ms, 5ms, 1ms)", D, "normal: expected 2 arguments (mean, sd), got 3");
    parse_err("normal(20ms, 5ms", D, "normal(...) must end with ')'");
    parse_err("normal()", D, "normal: no arguments");
    parse_err("normal(20ms, )", D, "normal: empty argument 2");
    parse_err("normal(20, 5)", D, "normal: mean: \"20\": missing unit (expected ns, us, ms, s, m, h, d)");
    parse_err("normal(20ms, 5ms)", C, "normal: mean: \"20ms\": unknown unit \"ms\" (expected no suffix, k, M or G)");
    parse_err("uniform(20ms, 10ms)", D, "uniform: lo must not exceed hi");
    parse_err("lognormal(0ms, 0.3)", D, "lognormal: median must be > 0");
    parse_err("lognormal(80ms, 0.3ms)", D, "lognormal: sigma: expected a number, got \"0.3ms\"");
    parse_err("lognormal(80ms, -1)", D, "lognormal: sigma must be >= 0");
    parse_err("lognormal(80ms, nan)", D, "lognormal: sigma: expected a number, got \"nan\"");
    parse_err("fixed(1s, 2s)", D, "fixed: expected 1 argument (value), got 2");
    parse_err("30", D, "value: \"30\": missing unit (expected ns, us, ms, s, m, h, d)");
    parse_err("percentiles(p50=80ms, p90=70ms)", D, "percentiles: p90 must not be below p50");
    parse_err("percentiles(p50=80ms, p50=90ms)", D, "percentiles: p50 is given twice");
    parse_err("percentiles(50=80ms)", D, "percentiles: expected points like p50=80ms, got \"50=80ms\"");
    parse_err("percentiles(p50)", D, "percentiles: expected points like p50=80ms, got \"p50\"");
    parse_err("percentiles(p0=1ms)", D, "percentiles: p0: the percentile must be above 0 and at most 100");
    parse_err("percentiles(p101=1ms)", D, "percentiles: p101: the percentile must be above 0 and at most 100");
    parse_err("percentiles(px=1ms)", D, "percentiles: px: expected a number, got \"x\"");
    parse_err("percentiles(p50=fast)", D, "percentiles: p50: \"fast\": expected a number at \"fast\"");
    parse_err("percentiles(p1=1,p2=2,p3=3,p4=4,p5=5,p6=6,p7=7,p8=8,p9=9,p10=10,p11=11,p12=12,p13=13,p14=14,p15=15,"
              "p16=16,p17=17)",
              C, "percentiles: at most 16 points");
}

/* ---- sampling --------------------------------------------------------------------------------------- */

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

typedef struct stats {
    double mean, sd, min, max, median;
    double *sorted;
    size_t n;
} stats_t;

static stats_t sample(const char *spec, cm_dist_unit_t unit, uint64_t seed, size_t n)
{
    cm_dist_t d = parse_ok(spec, unit);
    cm_rng_t r;
    cm_rng_seed(&r, seed);
    stats_t s = {0, 0, INFINITY, -INFINITY, 0, malloc(n * sizeof(double)), n};
    assert_non_null(s.sorted);
    double sum = 0, sum2 = 0;
    for (size_t i = 0; i < n; i++) {
        double x = cm_dist_sample(&d, &r);
        assert_true(x >= 0);
        s.sorted[i] = x;
        sum += x, sum2 += x * x;
    }
    qsort(s.sorted, n, sizeof(double), cmp_double);
    s.mean = sum / (double)n;
    s.sd = sqrt(fmax(0, sum2 / (double)n - s.mean * s.mean));
    s.min = s.sorted[0], s.max = s.sorted[n - 1], s.median = s.sorted[n / 2];
    return s;
}

static double quantile(const stats_t *s, double q)
{
    return s->sorted[(size_t)(q * (double)(s->n - 1))];
}

static void assert_near(const char *what, double got, double want, double tol)
{
    if (fabs(got - want) > tol)
        fail_msg("%s: got %.6g, want %.6g +- %.3g", what, got, want, tol);
}

static void test_sample_fixed_uniform(void **state)
{
    (void)state;
    stats_t s = sample("50ms", CM_DIST_DURATION, 1, 1000);
    assert_true(s.min == 50 * MS && s.max == 50 * MS);
    free(s.sorted);
    s = sample("uniform(10ms, 20ms)", CM_DIST_DURATION, 2, 100000);
    assert_true(s.min >= 10 * MS && s.max < 20 * MS);
    assert_near("uniform mean", s.mean, 15 * MS, 0.05 * MS);
    assert_near("uniform sd", s.sd, 10 * MS / sqrt(12), 0.05 * MS);
    assert_near("uniform p10", quantile(&s, 0.1), 11 * MS, 0.1 * MS);
    free(s.sorted);
}

static void test_sample_normal(void **state)
{
    (void)state;
    stats_t s = sample("normal(64, 16)", CM_DIST_COUNT, 3, 100000);
    assert_near("normal mean", s.mean, 64, 0.2);
    assert_near("normal sd", s.sd, 16, 0.2);
    assert_near("normal median", s.median, 64, 0.3);
    free(s.sorted);
    /* Truncated at 0: normal(0, sd) keeps the positive half, whose mean is sd * sqrt(2 / pi). */
    cm_dist_t d = parse_ok("normal(0ms, 10ms)", CM_DIST_DURATION);
    s = sample("normal(0ms, 10ms)", CM_DIST_DURATION, 4, 100000);
    assert_true(s.min >= 0);
    assert_near("half-normal mean", s.mean, 10 * MS * sqrt(2 / M_PI), 0.1 * MS);
    assert_near("cm_dist_mean(half-normal)", cm_dist_mean(&d), 10 * MS * sqrt(2 / M_PI), 1);
    free(s.sorted);
    d = parse_ok("normal(20ms, 0ms)", CM_DIST_DURATION);
    assert_true(cm_dist_mean(&d) == 20 * MS);
}

static void test_sample_lognormal(void **state)
{
    (void)state;
    stats_t s = sample("lognormal(80ms, 0.3)", CM_DIST_DURATION, 5, 100000);
    assert_near("lognormal median", s.median, 80 * MS, 0.8 * MS);
    cm_dist_t d = parse_ok("lognormal(80ms, 0.3)", CM_DIST_DURATION);
    assert_near("cm_dist_mean(lognormal)", cm_dist_mean(&d), 80 * MS * exp(0.045), 1);
    assert_near("lognormal mean", s.mean, cm_dist_mean(&d), 0.5 * MS);
    /* The 84th percentile is one sigma above the median in log space. */
    assert_near("lognormal p84", quantile(&s, 0.8413), 80 * MS * exp(0.3), 1.5 * MS);
    free(s.sorted);
}

static void test_sample_percentiles(void **state)
{
    (void)state;
    const char *spec = "percentiles(p50=80ms, p90=120ms, p99=300ms)";
    stats_t s = sample(spec, CM_DIST_DURATION, 6, 200000);
    assert_true(s.min == 80 * MS && s.max == 300 * MS);
    assert_near("p70", quantile(&s, 0.70), 100 * MS, 0.5 * MS); /* halfway between p50 and p90 */
    assert_near("p95", quantile(&s, 0.95), 120 * MS + 180 * MS * 5 / 9, 2 * MS);
    assert_near("p99.5", quantile(&s, 0.995), 300 * MS, 0.001);
    /* Everything below the first point is the first value: half of the samples are exactly 80ms. */
    size_t at_first = 0;
    for (size_t i = 0; i < s.n; i++)
        at_first += s.sorted[i] == 80 * MS;
    assert_near("share at p50 value", (double)at_first / (double)s.n, 0.5, 0.005);
    cm_dist_t d = parse_ok(spec, CM_DIST_DURATION);
    double want = 0.5 * 80 + 0.4 * 100 + 0.09 * 210 + 0.01 * 300;
    assert_near("cm_dist_mean(percentiles)", cm_dist_mean(&d), want * MS, 1);
    assert_near("percentiles sample mean", s.mean, want * MS, 0.3 * MS);
    free(s.sorted);
}

static void test_mean_fixed_uniform_and_constructor(void **state)
{
    (void)state;
    cm_dist_t d = cm_dist_fixed(42);
    assert_int_equal(d.kind, CM_DIST_FIXED);
    assert_true(cm_dist_mean(&d) == 42);
    cm_rng_t r;
    cm_rng_seed(&r, 1);
    assert_true(cm_dist_sample(&d, &r) == 42);
    d = parse_ok("uniform(1s, 3s)", CM_DIST_DURATION);
    assert_true(cm_dist_mean(&d) == 2e9);
}

static void test_format_round_trip(void **state)
{
    (void)state;
    static const struct {
        const char *in, *out;
        cm_dist_unit_t unit;
    } cases[] = {
        {"lognormal(80ms,0.3)", "lognormal(80ms, 0.3)", CM_DIST_DURATION},
        {"fixed(50ms)", "50ms", CM_DIST_DURATION},
        {"uniform(500ms, 1s)", "uniform(500ms, 1s)", CM_DIST_DURATION},
        {"normal(20ms, 5ms)", "normal(20ms, 5ms)", CM_DIST_DURATION},
        {"normal(64, 16)", "normal(64, 16)", CM_DIST_COUNT},
        {"percentiles(p90=120ms, p50=80ms, p99.9=1.5s)", "percentiles(p50=80ms, p90=120ms, p99.9=1.5s)",
         CM_DIST_DURATION},
        {"90s", "1m30s", CM_DIST_DURATION},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        cm_dist_t d = parse_ok(cases[i].in, cases[i].unit), back;
        char buf[160], err[200];
        assert_string_equal(cm_dist_format(&d, cases[i].unit, buf, sizeof(buf)), cases[i].out);
        assert_int_equal(cm_dist_parse(buf, cases[i].unit, &back, err, sizeof(err)), 0);
        assert_int_equal(back.kind, d.kind);
        assert_true(back.a == d.a && back.b == d.b && back.npoints == d.npoints);
    }
    cm_dist_t d = parse_ok("percentiles(p50=80ms, p90=120ms, p99=300ms)", CM_DIST_DURATION);
    char small[16];
    assert_string_equal(cm_dist_format(&d, CM_DIST_DURATION, small, sizeof(small)), "percentiles(p50");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_rng_reference_values),
        cmocka_unit_test(test_rng_reproducible_and_independent),
        cmocka_unit_test(test_uniform_normal_exponential),
        cmocka_unit_test(test_hash_reference_and_spread),
        cmocka_unit_test(test_parse_forms),
        cmocka_unit_test(test_parse_errors),
        cmocka_unit_test(test_sample_fixed_uniform),
        cmocka_unit_test(test_sample_normal),
        cmocka_unit_test(test_sample_lognormal),
        cmocka_unit_test(test_sample_percentiles),
        cmocka_unit_test(test_mean_fixed_uniform_and_constructor),
        cmocka_unit_test(test_format_round_trip),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
