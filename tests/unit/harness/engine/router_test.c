/* tests/unit/harness/engine/router_test.c — the router's picks: shuffle spreads over the targets that are not
 * cooling down, round robin goes in order and skips them, a 429 cools a target for its Retry-After (or the
 * configured time, capped), a retry avoids the target that refused, and with every target cooling down the
 * policy spreads over all of them. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "harness/engine/router.h"

#define MS 1000000ull

typedef struct fixture {
    hx_router_cfg_t cfg;
    _Atomic uint64_t until[4];
    hx_router_t r;
    cm_rng_t rng;
    uint32_t cursor;
} fixture_t;

static void setup(fixture_t *f, hx_route_policy_t policy, uint32_t n)
{
    f->cfg = (hx_router_cfg_t){policy, 5000 * MS, 1};
    for (int i = 0; i < 4; i++)
        atomic_init(&f->until[i], 0);
    f->r = (hx_router_t){&f->cfg, n, f->until};
    cm_rng_seed(&f->rng, 42);
    f->cursor = 0;
}

static void test_round_robin_skips_cooling(void **state)
{
    (void)state;
    fixture_t f;
    setup(&f, HX_ROUTE_ROUND_ROBIN, 3);
    uint64_t now = 1000 * MS;
    for (uint32_t i = 0; i < 6; i++)
        assert_int_equal(hx_router_pick(&f.r, now, UINT32_MAX, &f.cursor, &f.rng), i % 3);
    hx_router_cool(&f.r, 1, now, 2000); /* Retry-After: 2 s */
    for (uint32_t i = 0; i < 4; i++)
        assert_int_not_equal(hx_router_pick(&f.r, now + 1999 * MS, UINT32_MAX, &f.cursor, &f.rng), 1);
    assert_true(hx_router_has_other(&f.r, now, 1));
    /* the cooldown ends: 1 is back in turn */
    bool seen = false;
    for (uint32_t i = 0; i < 3; i++)
        seen = seen || hx_router_pick(&f.r, now + 2000 * MS, UINT32_MAX, &f.cursor, &f.rng) == 1;
    assert_true(seen);
}

static void test_shuffle_spreads(void **state)
{
    (void)state;
    fixture_t f;
    setup(&f, HX_ROUTE_SHUFFLE, 4);
    uint32_t count[4] = {0};
    for (int i = 0; i < 4000; i++)
        count[hx_router_pick(&f.r, 0, UINT32_MAX, &f.cursor, &f.rng)]++;
    for (int t = 0; t < 4; t++) {
        if (count[t] < 850 || count[t] > 1150) {
            print_error("target %d picked %u times of 4000\n", t, count[t]);
            fail();
        }
    }
    hx_router_cool(&f.r, 2, 0, -1); /* no Retry-After: the configured 5 s */
    for (int i = 0; i < 1000; i++)
        assert_int_not_equal(hx_router_pick(&f.r, 4999 * MS, UINT32_MAX, &f.cursor, &f.rng), 2);
}

static void test_retry_avoids_the_refusing_target(void **state)
{
    (void)state;
    fixture_t f;
    setup(&f, HX_ROUTE_SHUFFLE, 2);
    for (int i = 0; i < 100; i++)
        assert_int_equal(hx_router_pick(&f.r, 0, 0, &f.cursor, &f.rng), 1);
    /* a single target is always the answer */
    setup(&f, HX_ROUTE_ROUND_ROBIN, 1);
    assert_int_equal(hx_router_pick(&f.r, 0, 0, &f.cursor, &f.rng), 0);
    assert_false(hx_router_has_other(&f.r, 0, 0));
}

static void test_all_cooling_spreads(void **state)
{
    (void)state;
    fixture_t f;
    setup(&f, HX_ROUTE_ROUND_ROBIN, 3);
    hx_router_cool(&f.r, 0, 0, 3000);
    hx_router_cool(&f.r, 1, 0, 1000);
    hx_router_cool(&f.r, 2, 0, 2000);
    for (uint32_t i = 0; i < 6; i++)
        assert_int_equal(hx_router_pick(&f.r, 10 * MS, UINT32_MAX, &f.cursor, &f.rng), i % 3);
    assert_false(hx_router_has_other(&f.r, 10 * MS, 0));
    setup(&f, HX_ROUTE_SHUFFLE, 2);
    hx_router_cool(&f.r, 0, 0, 3000);
    hx_router_cool(&f.r, 1, 0, 1000);
    uint32_t count[2] = {0};
    for (int i = 0; i < 1000; i++)
        count[hx_router_pick(&f.r, 10 * MS, UINT32_MAX, &f.cursor, &f.rng)]++;
    assert_true(count[0] > 400 && count[1] > 400);
    /* cooldowns only grow, and a huge Retry-After is capped at 10 minutes */
    hx_router_cool(&f.r, 1, 0, 10);
    assert_int_equal(atomic_load(&f.until[1]), 1000 * MS);
    hx_router_cool(&f.r, 1, 0, 86400000);
    assert_int_equal(atomic_load(&f.until[1]), 600000 * MS);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_round_robin_skips_cooling),
        cmocka_unit_test(test_shuffle_spreads),
        cmocka_unit_test(test_retry_avoids_the_refusing_target),
        cmocka_unit_test(test_all_cooling_spreads),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
