/* tests/unit/common/hist_test.c — bucket layout, percentile accuracy against exact sorted-sample
 * percentiles, merge, count_le, clamping and the empty histogram. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "common/hist.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A private generator so this test depends on nothing but hist.c (splitmix64). */
static uint64_t rnd_state = 12345;

static uint64_t rnd(void)
{
    uint64_t z = (rnd_state += UINT64_C(0x9E3779B97F4A7C15));
    z = (z ^ (z >> 30)) * UINT64_C(0xBF58476D1CE4E5B9);
    z = (z ^ (z >> 27)) * UINT64_C(0x94D049BB133111EB);
    return z ^ (z >> 31);
}

static double unit(void)
{
    return (double)(rnd() >> 11) * 0x1.0p-53;
}

static double gauss(void)
{
    double u = unit(), v = unit();
    return sqrt(-2.0 * log(1.0 - u)) * cos(2.0 * M_PI * v);
}

static int cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return (x > y) - (x < y);
}

/* Nearest-rank percentile of sorted samples: the same definition the histogram uses. */
static uint64_t exact_percentile(const uint64_t *sorted, size_t n, double q)
{
    if (q <= 0)
        return sorted[0];
    size_t rank = (size_t)ceil(q / 100.0 * (double)n);
    if (rank < 1)
        rank = 1;
    return sorted[rank > n ? n - 1 : rank - 1];
}

static cm_hist_t *new_hist(void)
{
    cm_hist_t *h = malloc(sizeof(*h));
    assert_non_null(h);
    cm_hist_init(h);
    return h;
}

static void test_bucket_layout(void **state)
{
    (void)state;
    assert_int_equal(CM_HIST_NBUCKETS, 3328);
    assert_int_equal(cm_hist_bucket_low(0), 0);
    for (uint32_t i = 0; i < CM_HIST_NBUCKETS; i++) {
        uint64_t lo = cm_hist_bucket_low(i), hi = cm_hist_bucket_high(i);
        assert_true(lo <= hi);
        assert_int_equal(cm_hist_index(lo), i);
        assert_int_equal(cm_hist_index(hi), i);
        if (i + 1 < CM_HIST_NBUCKETS)
            assert_int_equal(cm_hist_bucket_low(i + 1), hi + 1); /* contiguous, no gaps */
        if (i < 256)
            assert_int_equal(lo, hi); /* exact below 256 */
        else
            assert_true((double)(hi - lo + 1) / (double)lo <= 1.0 / 128 + 1e-12);
    }
    assert_int_equal(cm_hist_bucket_high(CM_HIST_NBUCKETS - 1), CM_HIST_MAX);
    assert_int_equal(cm_hist_index(CM_HIST_MAX), CM_HIST_NBUCKETS - 1);
    assert_int_equal(cm_hist_index(UINT64_MAX), CM_HIST_NBUCKETS - 1);
    assert_int_equal(cm_hist_index(255), 255);
    assert_int_equal(cm_hist_index(256), 256);
    assert_int_equal(cm_hist_index(257), 256);
    assert_int_equal(cm_hist_index(258), 257);
    assert_int_equal(cm_hist_index(512), 384);
}

static void test_empty(void **state)
{
    (void)state;
    cm_hist_t *h = new_hist();
    assert_int_equal(h->count, 0);
    assert_int_equal(h->min, UINT64_MAX);
    assert_int_equal(h->max, 0);
    assert_int_equal(cm_hist_percentile(h, 0), 0);
    assert_int_equal(cm_hist_percentile(h, 50), 0);
    assert_int_equal(cm_hist_percentile(h, 100), 0);
    assert_true(cm_hist_mean(h) == 0.0);
    assert_int_equal(cm_hist_count_le(h, 1000), 0);
    assert_int_equal(cm_hist_count_le(h, UINT64_MAX), 0);
    cm_hist_t *g = new_hist();
    cm_hist_merge(g, h); /* merging an empty one changes nothing, min stays "empty" */
    assert_int_equal(g->min, UINT64_MAX);
    assert_int_equal(g->count, 0);
    free(g);
    free(h);
}

static void test_exact_small_values(void **state)
{
    (void)state;
    cm_hist_t *h = new_hist();
    for (uint64_t v = 1; v <= 200; v++)
        cm_hist_record(h, v);
    assert_int_equal(cm_hist_percentile(h, 50), 100);
    assert_int_equal(cm_hist_percentile(h, 99), 198);
    assert_int_equal(cm_hist_percentile(h, 0.1), 1);
    assert_int_equal(cm_hist_percentile(h, 0), 1);
    assert_int_equal(cm_hist_percentile(h, 100), 200);
    assert_int_equal(cm_hist_percentile(h, 250), 200);
    assert_int_equal(cm_hist_percentile(h, -5), 1);
    assert_int_equal(cm_hist_percentile(h, NAN), 1);
    assert_true(fabs(cm_hist_mean(h) - 100.5) < 1e-9);
    free(h);
}

/* Records n samples from gen and checks several percentiles against the sorted samples. */
static void check_accuracy(const char *name, uint64_t (*gen)(void), size_t n)
{
    uint64_t *v = malloc(n * sizeof(*v));
    assert_non_null(v);
    cm_hist_t *h = new_hist();
    for (size_t i = 0; i < n; i++) {
        v[i] = gen();
        cm_hist_record(h, v[i]);
    }
    qsort(v, n, sizeof(*v), cmp_u64);
    static const double qs[] = {0, 0.1, 1, 10, 25, 50, 75, 90, 95, 99, 99.9, 99.99, 100};
    for (size_t i = 0; i < sizeof(qs) / sizeof(qs[0]); i++) {
        uint64_t want = exact_percentile(v, n, qs[i]), got = cm_hist_percentile(h, qs[i]);
        double rel = want ? fabs((double)got - (double)want) / (double)want : (double)got;
        if (rel >= 0.01)
            fail_msg("%s p%g: histogram %llu, exact %llu (relative error %.4f)", name, qs[i], (unsigned long long)got,
                     (unsigned long long)want, rel);
    }
    assert_int_equal(h->count, n);
    assert_int_equal(h->min, v[0]);
    assert_int_equal(h->max, v[n - 1]);
    double sum = 0;
    for (size_t i = 0; i < n; i++)
        sum += (double)v[i];
    assert_true(fabs(cm_hist_mean(h) - sum / (double)n) <= 1e-9 * sum / (double)n);
    free(h);
    free(v);
}

static uint64_t gen_uniform(void)
{
    return 1 + rnd() % 2000000;
}

static uint64_t gen_lognormal(void)
{
    return (uint64_t)llround(exp(log(50000.0) + 1.2 * gauss()));
}

static uint64_t gen_bimodal(void)
{
    double x = unit() < 0.8 ? 900 + 60 * gauss() : 250000 + 20000 * gauss();
    return x < 0 ? 0 : (uint64_t)x;
}

static void test_accuracy_uniform(void **state)
{
    (void)state;
    check_accuracy("uniform", gen_uniform, 200000);
}

static void test_accuracy_lognormal(void **state)
{
    (void)state;
    check_accuracy("lognormal", gen_lognormal, 200000);
}

static void test_accuracy_bimodal(void **state)
{
    (void)state;
    check_accuracy("bimodal", gen_bimodal, 200000);
}

static void test_merge_equals_single(void **state)
{
    (void)state;
    cm_hist_t *all = new_hist(), *parts[4], *merged = new_hist();
    for (int i = 0; i < 4; i++)
        parts[i] = new_hist();
    for (int i = 0; i < 100000; i++) {
        uint64_t v = gen_lognormal();
        cm_hist_record(all, v);
        cm_hist_record(parts[i % 4], v);
    }
    cm_hist_record(parts[2], UINT64_C(1) << 40); /* clamped counts merge too */
    cm_hist_record(all, UINT64_C(1) << 40);
    for (int i = 0; i < 4; i++) {
        cm_hist_merge(merged, parts[i]);
        free(parts[i]);
    }
    assert_int_equal(merged->count, all->count);
    assert_int_equal(merged->clamped, 1);
    assert_int_equal(merged->min, all->min);
    assert_int_equal(merged->max, all->max);
    assert_true(merged->sum == all->sum);
    assert_memory_equal(merged->buckets, all->buckets, sizeof(all->buckets));
    for (double q = 0; q <= 100; q += 0.5)
        assert_int_equal(cm_hist_percentile(merged, q), cm_hist_percentile(all, q));
    free(all);
    free(merged);
}

static void test_count_le(void **state)
{
    (void)state;
    cm_hist_t *h = new_hist();
    for (uint64_t v = 0; v < 1000; v++)
        cm_hist_record(h, v);
    assert_int_equal(cm_hist_count_le(h, 0), 1);
    assert_int_equal(cm_hist_count_le(h, 99), 100);
    assert_int_equal(cm_hist_count_le(h, 255), 256);
    /* 256 and 257 share a bucket: it counts only once its upper bound (257) is <= v. */
    assert_int_equal(cm_hist_count_le(h, 256), 256);
    assert_int_equal(cm_hist_count_le(h, 257), 258);
    /* 512..515 is one bucket. */
    assert_int_equal(cm_hist_count_le(h, 514), 512);
    assert_int_equal(cm_hist_count_le(h, 515), 516);
    assert_int_equal(cm_hist_count_le(h, 999), 1000 - 0); /* 996..999 ends at 999 */
    assert_int_equal(cm_hist_count_le(h, 5000), 1000);
    assert_int_equal(cm_hist_count_le(h, UINT64_MAX), 1000);
    /* For any bucket's upper bound the answer is exact. */
    for (uint32_t i = 0; i < 400; i++) {
        uint64_t hi = cm_hist_bucket_high(i);
        assert_int_equal(cm_hist_count_le(h, hi), hi < 1000 ? hi + 1 : 1000);
    }
    free(h);
}

static void test_clamping(void **state)
{
    (void)state;
    cm_hist_t *h = new_hist();
    cm_hist_record(h, 10);
    cm_hist_record(h, CM_HIST_MAX);
    cm_hist_record(h, CM_HIST_MAX + 1);
    cm_hist_record(h, UINT64_MAX);
    assert_int_equal(h->count, 4);
    assert_int_equal(h->clamped, 2);
    assert_int_equal(h->max, CM_HIST_MAX);
    assert_int_equal(h->buckets[CM_HIST_NBUCKETS - 1], 3);
    assert_int_equal(cm_hist_percentile(h, 100), CM_HIST_MAX);
    assert_int_equal(cm_hist_percentile(h, 50),
                     cm_hist_bucket_low(CM_HIST_NBUCKETS - 1) +
                         (cm_hist_bucket_high(CM_HIST_NBUCKETS - 1) - cm_hist_bucket_low(CM_HIST_NBUCKETS - 1)) / 2);
    assert_int_equal(cm_hist_count_le(h, CM_HIST_MAX - 1), 1);
    assert_int_equal(cm_hist_count_le(h, CM_HIST_MAX), 4);
    assert_true(cm_hist_mean(h) == (10.0 + 3.0 * (double)CM_HIST_MAX) / 4);
    free(h);
}

static void test_record_n_and_reset(void **state)
{
    (void)state;
    cm_hist_t *a = new_hist(), *b = new_hist();
    cm_hist_record_n(a, 777, 0);
    assert_int_equal(a->count, 0);
    assert_int_equal(a->min, UINT64_MAX);
    cm_hist_record_n(a, 777, 5);
    for (int i = 0; i < 5; i++)
        cm_hist_record(b, 777);
    assert_memory_equal(a, b, sizeof(*a));
    /* The percentile is the bucket midpoint clamped into [min, max]: a single value reads back exactly. */
    assert_int_equal(cm_hist_percentile(a, 50), 777);
    cm_hist_init(a);
    assert_int_equal(a->count, 0);
    assert_int_equal(a->buckets[cm_hist_index(777)], 0);
    free(a);
    free(b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_bucket_layout),
        cmocka_unit_test(test_empty),
        cmocka_unit_test(test_exact_small_values),
        cmocka_unit_test(test_accuracy_uniform),
        cmocka_unit_test(test_accuracy_lognormal),
        cmocka_unit_test(test_accuracy_bimodal),
        cmocka_unit_test(test_merge_equals_single),
        cmocka_unit_test(test_count_le),
        cmocka_unit_test(test_clamping),
        cmocka_unit_test(test_record_n_and_reset),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
