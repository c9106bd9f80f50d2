/* tests/unit/mock-provider/trim_test.c — when a worker gives a burst's memory back: the decision (peak and
 * load against MP_TRIM_MIN_PEAK and MP_TRIM_OVER_DIV), and the check on a real evloop's timers: armed by a
 * peak, silent while the load stays high, one release once it falls, none for a small burst. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "mock-provider/trim.h"

#include "common/clock.h"

static void test_burst_over(void **state)
{
    assert_false(mp_trim_burst_over(MP_TRIM_MIN_PEAK - 1, 0)); /* too small to be worth a trim */
    assert_true(mp_trim_burst_over(MP_TRIM_MIN_PEAK, 0));
    assert_true(mp_trim_burst_over(1000, 1000 / MP_TRIM_OVER_DIV));
    assert_false(mp_trim_burst_over(1000, 1000 / MP_TRIM_OVER_DIV + 1));
}

typedef struct fake {
    int64_t load;
    int released;
} fake_t;

static int64_t fake_load(void *ctx)
{
    return ((fake_t *)ctx)->load;
}

static void fake_release(void *ctx)
{
    ((fake_t *)ctx)->released++;
}

/* Runs the loop (and the poll, as the worker does) for about ms milliseconds. */
static void spin(h2o_evloop_t *loop, mp_timers_t *timers, int ms)
{
    uint64_t end = cm_now_ns() + (uint64_t)ms * CM_NS_PER_MS;
    while (cm_now_ns() < end) {
        h2o_evloop_run(loop, 5);
        mp_timers_poll(timers);
    }
}

static void test_check_on_timers(void **state)
{
    h2o_evloop_t *loop = h2o_evloop_create();
    mp_timers_t timers;
    char err[128];
    assert_int_equal(mp_timers_init(&timers, loop, err, sizeof(err)), 0);
    fake_t f = {0, 0};
    mp_trim_t t;
    mp_trim_init(&t, &timers, 10 * CM_NS_PER_MS, fake_load, fake_release, &f);
    mp_trim_note(&t, MP_TRIM_MIN_PEAK - 1); /* a small burst arms nothing */
    assert_false(mp_timer_armed(&t.timer));
    f.load = 400;
    mp_trim_note(&t, f.load);
    assert_true(mp_timer_armed(&t.timer));
    spin(loop, &timers, 40);
    assert_int_equal(f.released, 0); /* still busy */
    f.load = 100;                    /* a quarter of the peak: over */
    spin(loop, &timers, 40);
    assert_int_equal(f.released, 1);
    assert_int_equal(t.releases, 1);
    assert_int_equal(t.peak, 100); /* the next burst is measured from here */
    f.load = 0;
    spin(loop, &timers, 40);
    assert_int_equal(f.released, 2); /* 100 was itself a burst over MP_TRIM_MIN_PEAK */
    assert_false(mp_timer_armed(&t.timer));
    spin(loop, &timers, 30);
    assert_int_equal(f.released, 2); /* idle: no check, no release */
    mp_trim_dispose(&t);
    mp_timers_dispose(&timers);
    h2o_evloop_run(loop, 0);
    h2o_evloop_destroy(loop);
}

/* The real release runs on a thread with nothing cached and with buffers cached alike. */
static void test_release_memory(void **state)
{
    h2o_buffer_t *b;
    h2o_buffer_init(&b, &h2o_socket_buffer_prototype);
    h2o_buffer_reserve(&b, 100);
    h2o_buffer_dispose(&b);
    assert_int_equal(h2o_socket_buffer_prototype.allocator.cnt, 1); /* h2o keeps it for the next connection */
    mp_trim_release_memory();
    assert_int_equal(h2o_socket_buffer_prototype.allocator.cnt, 0);
    mp_trim_release_memory();
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_burst_over),
        cmocka_unit_test(test_check_on_timers),
        cmocka_unit_test(test_release_memory),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
