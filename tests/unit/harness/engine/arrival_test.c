/* tests/unit/harness/engine/arrival_test.c — arrival schedules: exact intended times for constant, ramp and step
 * (alone and split across threads), Poisson gap mean and variance, closed-loop users and think times. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "harness/engine/arrival.h"

#define MS 1000000ull
#define S 1000000000ull

static void assert_near(double got, double want, double tol)
{
    if (fabs(got - want) > tol) {
        print_error("got %.9g, want %.9g (+-%g)\n", got, want, tol);
        fail();
    }
}

static int cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? -1 : x > y;
}

/* The first n arrivals of all threads together, sorted. */
static uint64_t *merged(const hx_arrival_t *a, uint32_t threads, size_t per_thread)
{
    uint64_t *all = calloc(threads * per_thread, sizeof(uint64_t));
    for (uint32_t t = 0; t < threads; t++) {
        hx_sched_t s;
        hx_sched_init(&s, a, t, threads, 1);
        uint64_t prev = 0;
        for (size_t k = 0; k < per_thread; k++) {
            uint64_t at = hx_sched_next(&s);
            assert_true(at >= prev); /* non-decreasing per thread */
            prev = at;
            all[t * per_thread + k] = at;
        }
    }
    qsort(all, threads * per_thread, sizeof(uint64_t), cmp_u64);
    return all;
}

static void test_constant_exact(void **state)
{
    (void)state;
    hx_arrival_t a = {.kind = HX_ARRIVAL_CONSTANT, .rate = 1000};
    hx_sched_t s;
    hx_sched_init(&s, &a, 0, 1, 1);
    for (uint64_t k = 0; k < 5000; k++)
        assert_int_equal(hx_sched_next(&s), k * MS);
    /* 1174/s split over 3 threads: the threads interleave into one evenly spaced stream. */
    a.rate = 1174;
    uint64_t *all = merged(&a, 3, 1000);
    for (size_t j = 0; j < 3000; j++)
        assert_int_equal(all[j], (uint64_t)llround((double)j * 1e9 / 1174));
    free(all);
    /* Thread 1 of 3 at 300/s starts at the second global slot. */
    a.rate = 300;
    hx_sched_init(&s, &a, 1, 3, 1);
    assert_int_equal(hx_sched_next(&s), 3333333);
    assert_int_equal(hx_sched_next(&s), 13333333);
    a.rate = 0;
    hx_sched_init(&s, &a, 0, 1, 1);
    assert_int_equal(hx_sched_next(&s), HX_SCHED_END);
}

static void test_ramp_exact(void **state)
{
    (void)state;
    /* 0 -> 100/s over 10 s: N(t) = 5 t^2, so arrival j is at sqrt(j / 5) s; then 100/s holds. */
    hx_arrival_t a = {.kind = HX_ARRIVAL_RAMP, .from = 0, .to = 100, .over_ns = 10 * S};
    hx_sched_t s;
    hx_sched_init(&s, &a, 0, 1, 1);
    uint64_t t[600];
    for (int j = 0; j < 600; j++)
        t[j] = hx_sched_next(&s);
    assert_int_equal(t[0], 0);
    assert_int_equal(t[5], 1 * S);
    assert_int_equal(t[20], 2 * S);
    assert_int_equal(t[125], 5 * S);
    assert_int_equal(t[500], 10 * S);
    assert_int_equal(t[501], 10 * S + 10 * MS);
    assert_int_equal(t[599], 10 * S + 990 * MS);
    assert_near(hx_arrival_expected(&a, 10 * S), 500, 1e-9);
    assert_near(hx_arrival_expected(&a, 12 * S), 700, 1e-9);
    /* The same ramp on 4 threads gives the same global times. */
    uint64_t *all = merged(&a, 4, 150);
    for (int j = 0; j < 600; j++)
        assert_int_equal(all[j], t[j]);
    free(all);
}

static void test_ramp_down_and_flat(void **state)
{
    (void)state;
    /* 100 -> 0/s over 10 s: N(t) = 100 t - 5 t^2; N = 500 at 10 s, and nothing after. */
    hx_arrival_t a = {.kind = HX_ARRIVAL_RAMP, .from = 100, .to = 0, .over_ns = 10 * S};
    hx_sched_t s;
    hx_sched_init(&s, &a, 0, 1, 1);
    uint64_t last = 0;
    int n = 0;
    for (uint64_t at; (at = hx_sched_next(&s)) != HX_SCHED_END; n++)
        last = at;
    assert_int_equal(n, 501); /* j = 0 .. 500 */
    assert_int_equal(last, 10 * S);
    /* N(t) = 375 at t = 5 s. */
    hx_sched_init(&s, &a, 0, 1, 1);
    for (int j = 0; j < 375; j++)
        hx_sched_next(&s);
    assert_int_equal(hx_sched_next(&s), 5 * S);
    /* A flat ramp is a constant rate. */
    a.from = a.to = 250;
    hx_sched_init(&s, &a, 0, 1, 1);
    for (uint64_t j = 0; j < 3000; j++)
        assert_int_equal(hx_sched_next(&s), j * 4 * MS);
}

static void test_step_exact(void **state)
{
    (void)state;
    hx_arrival_t a = {.kind = HX_ARRIVAL_STEP, .nsteps = 3};
    a.steps[0] = (hx_step_t){10, 1 * S};
    a.steps[1] = (hx_step_t){0, 1 * S};
    a.steps[2] = (hx_step_t){20, 1 * S};
    hx_sched_t s;
    hx_sched_init(&s, &a, 0, 1, 1);
    uint64_t t[40];
    for (int j = 0; j < 40; j++)
        t[j] = hx_sched_next(&s);
    for (int j = 0; j < 10; j++)
        assert_int_equal(t[j], (uint64_t)j * 100 * MS);
    assert_int_equal(t[10], 2 * S); /* the silent second is skipped */
    assert_int_equal(t[11], 2 * S + 50 * MS);
    assert_int_equal(t[29], 2 * S + 950 * MS);
    assert_int_equal(t[30], 3 * S); /* the last rate holds after the last step */
    assert_int_equal(t[39], 3 * S + 450 * MS);
    assert_near(hx_arrival_expected(&a, 3 * S), 30, 1e-9);
    assert_near(hx_arrival_expected(&a, 1500 * MS), 10, 1e-9);
    uint64_t *all = merged(&a, 2, 20);
    for (int j = 0; j < 40; j++)
        assert_int_equal(all[j], t[j]);
    free(all);
    /* A schedule ending on a zero rate ends. */
    a.nsteps = 2;
    hx_sched_init(&s, &a, 0, 1, 1);
    for (int j = 0; j < 10; j++)
        hx_sched_next(&s);
    assert_int_equal(hx_sched_next(&s), HX_SCHED_END);
}

static void poisson_check(uint32_t threads)
{
    hx_arrival_t a = {.kind = HX_ARRIVAL_POISSON, .rate = 1000};
    enum { N = 200000 };
    hx_sched_t s;
    hx_sched_init(&s, &a, 0, threads, 99);
    double sum = 0, sum2 = 0;
    uint64_t prev = 0;
    for (int i = 0; i < N; i++) {
        uint64_t at = hx_sched_next(&s);
        double gap = (double)(at - prev) / 1e6; /* ms */
        prev = at;
        sum += gap;
        sum2 += gap * gap;
    }
    double mean = sum / N, var = sum2 / N - mean * mean;
    double want = threads * 1.0; /* each thread runs at rate / threads */
    /* Exponential gaps: mean = 1/rate and variance = mean^2. 200k samples: 1% and 3% are > 4 sigma. */
    assert_near(mean, want, want * 0.01);
    assert_near(var, want * want, want * want * 0.03);
}

static void test_poisson(void **state)
{
    (void)state;
    poisson_check(1);
    poisson_check(4);
    /* Different threads draw different gaps. */
    hx_arrival_t a = {.kind = HX_ARRIVAL_POISSON, .rate = 100};
    hx_sched_t s0, s1;
    hx_sched_init(&s0, &a, 0, 2, 5);
    hx_sched_init(&s1, &a, 1, 2, 5);
    assert_int_not_equal(hx_sched_next(&s0), hx_sched_next(&s1));
}

static void test_users(void **state)
{
    (void)state;
    hx_arrival_t a = {.kind = HX_ARRIVAL_USERS, .users = 10, .spawn_rate = 5};
    assert_int_equal(hx_users_on_thread(&a, 0, 3), 4);
    assert_int_equal(hx_users_on_thread(&a, 1, 3), 3);
    assert_int_equal(hx_users_on_thread(&a, 2, 3), 3);
    assert_int_equal(hx_users_on_thread(&a, 3, 12), 1);
    assert_int_equal(hx_users_on_thread(&a, 11, 12), 0);
    assert_int_equal(hx_user_global(2, 1, 3), 7);
    assert_int_equal(hx_user_start_ns(&a, 0), 0);
    assert_int_equal(hx_user_start_ns(&a, 7), 1400 * MS);
    a.spawn_rate = 0;
    assert_int_equal(hx_user_start_ns(&a, 7), 0);
}

static void test_think(void **state)
{
    (void)state;
    cm_dist_t d;
    char err[256];
    cm_rng_t rng;
    cm_rng_seed(&rng, 3);
    assert_int_equal(hx_think_parse("0.5s..1s", &d, err, sizeof(err)), 0);
    assert_int_equal(d.kind, CM_DIST_UNIFORM);
    double sum = 0;
    for (int i = 0; i < 20000; i++) {
        double v = cm_dist_sample(&d, &rng);
        assert_true(v >= 0.5e9 && v <= 1e9);
        sum += v;
    }
    assert_near(sum / 20000 / 1e9, 0.75, 0.005);
    assert_int_equal(hx_think_parse("1s", &d, err, sizeof(err)), 0);
    assert_near(cm_dist_sample(&d, &rng), 1e9, 0);
    assert_int_equal(hx_think_parse("lognormal(800ms, 0.3)", &d, err, sizeof(err)), 0);
    assert_int_equal(d.kind, CM_DIST_LOGNORMAL);
    assert_int_equal(hx_think_parse("1s..0.5s", &d, err, sizeof(err)), -1);
    assert_string_equal(err, "\"1s..0.5s\": the minimum is larger than the maximum");
    assert_int_equal(hx_think_parse("0.5..1s", &d, err, sizeof(err)), -1);
    assert_non_null(strstr(err, "\"0.5..1s\": "));
    assert_non_null(strstr(err, "expected MIN..MAX such as 0.5s..1s"));
    assert_int_equal(hx_think_parse("soon", &d, err, sizeof(err)), -1);
}

/* A think time is at most a day: longer typical values are refused, and tails are capped when drawn. */
static void test_think_cap(void **state)
{
    (void)state;
    cm_dist_t d;
    char err[256];
    cm_rng_t rng;
    cm_rng_seed(&rng, 5);
    assert_int_equal(hx_think_parse("1d", &d, err, sizeof(err)), 0); /* the limit itself is allowed */
    assert_int_equal(hx_think_sample(&d, &rng), HX_MAX_THINK_NS);
    assert_int_equal(hx_think_parse("0s..1d", &d, err, sizeof(err)), 0);
    assert_int_equal(hx_think_parse("1d1ns", &d, err, sizeof(err)), -1);
    assert_string_equal(err, "\"1d1ns\": a think time is at most 1d");
    assert_int_equal(hx_think_parse("0.5s..2d", &d, err, sizeof(err)), -1);
    assert_string_equal(err, "\"0.5s..2d\": a think time is at most 1d");
    assert_int_equal(hx_think_parse("lognormal(800h, 0.3)", &d, err, sizeof(err)), -1);
    assert_int_equal(hx_think_parse("normal(2d, 1s)", &d, err, sizeof(err)), -1);
    assert_int_equal(hx_think_parse("percentiles(p50=1s, p99=30d)", &d, err, sizeof(err)), -1);
    assert_string_equal(err, "\"percentiles(p50=1s, p99=30d)\": a think time is at most 1d");
    assert_int_equal(hx_think_parse("100000d", &d, err, sizeof(err)), -1); /* not wrapped into range */
    /* A median within the limit with a tail far beyond it: every draw is capped, some hit the cap. */
    assert_int_equal(hx_think_parse("lognormal(20h, 4)", &d, err, sizeof(err)), 0);
    int capped = 0;
    for (int i = 0; i < 10000; i++) {
        uint64_t v = hx_think_sample(&d, &rng);
        assert_true(v <= HX_MAX_THINK_NS);
        capped += v == HX_MAX_THINK_NS;
    }
    assert_true(capped > 1000 && capped < 9000);
    d = cm_dist_fixed(1e300); /* built by hand, past any parser */
    assert_int_equal(hx_think_sample(&d, &rng), HX_MAX_THINK_NS);
    d = cm_dist_fixed(0);
    assert_int_equal(hx_think_sample(&d, &rng), 0);
}

static void test_describe_and_check(void **state)
{
    (void)state;
    char buf[256], err[256];
    hx_arrival_t a = {.kind = HX_ARRIVAL_CONSTANT, .rate = 1174};
    assert_string_equal(hx_arrival_describe(&a, buf, sizeof(buf)), "constant 1174/s");
    a = (hx_arrival_t){.kind = HX_ARRIVAL_RAMP, .from = 10, .to = 1000, .over_ns = 30 * S};
    assert_string_equal(hx_arrival_describe(&a, buf, sizeof(buf)), "ramp 10/s -> 1000/s over 30s");
    a = (hx_arrival_t){.kind = HX_ARRIVAL_USERS, .users = 1000, .spawn_rate = 500};
    assert_int_equal(hx_think_parse("0.5s..1s", &a.think, err, sizeof(err)), 0);
    assert_string_equal(hx_arrival_describe(&a, buf, sizeof(buf)), "users 1000 spawn 500/s think 500ms..1s");
    a.spawn_rate = 0;
    a.think = cm_dist_fixed(1e9);
    assert_string_equal(hx_arrival_describe(&a, buf, sizeof(buf)), "users 1000 think 1s");
    a = (hx_arrival_t){.kind = HX_ARRIVAL_STEP, .nsteps = 2};
    a.steps[0] = (hx_step_t){10, S};
    a.steps[1] = (hx_step_t){20, 2 * S};
    assert_string_equal(hx_arrival_describe(&a, buf, sizeof(buf)), "step 10/s for 1s, 20/s for 2s");
    assert_int_equal(hx_arrival_check(&a, err, sizeof(err)), 0);
    a.steps[1].dur_ns = 0;
    assert_int_equal(hx_arrival_check(&a, err, sizeof(err)), -1);
    assert_string_equal(err, "step[1].for: must be > 0");
    a = (hx_arrival_t){.kind = HX_ARRIVAL_CONSTANT, .rate = -1};
    assert_int_equal(hx_arrival_check(&a, err, sizeof(err)), -1);
    assert_string_equal(err, "constant: rate must be a finite number >= 0 (got -1)");
    a = (hx_arrival_t){.kind = HX_ARRIVAL_USERS, .users = 0};
    assert_int_equal(hx_arrival_check(&a, err, sizeof(err)), -1);
    assert_string_equal(err, "users: must be >= 1");
}

/* Phased: 10/s for the first second, then nothing for a second (rate 0), then a Poisson 200/s for a second:
 * each segment's arrivals from its own start, none past its end; split over two threads the union is the
 * same; the expected counts and the description follow the segments. */
static void test_phased(void **state)
{
    (void)state;
    hx_arrival_t slow = {.kind = HX_ARRIVAL_CONSTANT, .rate = 10}, none = {.kind = HX_ARRIVAL_CONSTANT, .rate = 0};
    hx_arrival_t burst = {.kind = HX_ARRIVAL_POISSON, .rate = 200};
    hx_arrival_seg_t segs[] = {{0, 1 * S, &slow}, {1 * S, 2 * S, &none}, {2 * S, 3 * S, &burst}};
    hx_arrival_t a = {.kind = HX_ARRIVAL_PHASED, .segs = segs, .nsegs = 3};
    char err[160], buf[256];
    assert_int_equal(hx_arrival_check(&a, err, sizeof(err)), 0);
    hx_sched_t s;
    hx_sched_init(&s, &a, 0, 1, 7);
    for (uint64_t k = 0; k < 10; k++)
        assert_int_equal(hx_sched_next(&s), k * 100 * MS);
    size_t n = 0;
    uint64_t at, prev = 2 * S;
    while ((at = hx_sched_next(&s)) != HX_SCHED_END) {
        assert_true(at >= prev && at < 3 * S);
        prev = at;
        n++;
        assert_true(n < 1000);
    }
    assert_true(n > 150 && n < 250); /* Poisson 200/s for 1 s */
    /* two threads: the constant segment still yields its 10, interleaved */
    hx_sched_t t0, t1;
    hx_sched_init(&t0, &a, 0, 2, 7);
    hx_sched_init(&t1, &a, 1, 2, 7);
    for (int k = 0; k < 5; k++) {
        assert_int_equal(hx_sched_next(&t0), (uint64_t)(2 * k) * 100 * MS);
        assert_int_equal(hx_sched_next(&t1), (uint64_t)(2 * k + 1) * 100 * MS);
    }
    assert_true(hx_sched_next(&t0) >= 2 * S);
    assert_near(hx_arrival_expected(&a, 3 * S), 210, 1e-9);
    assert_near(hx_arrival_expected(&a, 2500 * MS), 110, 1e-9);
    assert_string_equal(hx_arrival_describe(&a, buf, sizeof(buf)),
                        "constant 10/s from 0s, constant 0/s from 1s, poisson 200/s from 2s");
    /* closed-loop users cannot be a segment; segments must follow each other */
    hx_arrival_t users = {.kind = HX_ARRIVAL_USERS, .users = 1};
    segs[1].a = &users;
    assert_int_equal(hx_arrival_check(&a, err, sizeof(err)), -1);
    assert_string_equal(err, "phase 1: a phase's arrival is open loop (constant, poisson, ramp or step)");
    segs[1].a = &none;
    segs[2].start_ns = 500 * MS;
    assert_int_equal(hx_arrival_check(&a, err, sizeof(err)), -1);
    assert_string_equal(err, "phase 2: segments must follow each other in time");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_constant_exact),
        cmocka_unit_test(test_ramp_exact),
        cmocka_unit_test(test_ramp_down_and_flat),
        cmocka_unit_test(test_step_exact),
        cmocka_unit_test(test_poisson),
        cmocka_unit_test(test_users),
        cmocka_unit_test(test_think),
        cmocka_unit_test(test_think_cap),
        cmocka_unit_test(test_describe_and_check),
        cmocka_unit_test(test_phased),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
