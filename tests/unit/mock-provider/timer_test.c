/* tests/unit/mock-provider/timer_test.c — the deadline heap (order, FIFO ties, cancel anywhere, re-arm,
 * callbacks that add or cancel, a randomized comparison against a sorted reference) and the timerfd
 * driver on a real h2o evloop (fires on time, cancelled timers stay silent). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "mock-provider/timer.h"

#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "common/clock.h"

#define MAXT 4096

typedef struct item {
    mp_timer_t t;
    int id;
} item_t;

static int fired[MAXT];
static size_t nfired;
static mp_timerq_t *cur_q;

static void record(mp_timer_t *t)
{
    item_t *it = (item_t *)t;
    fired[nfired++] = it->id;
}

static void init_items(item_t *items, size_t n, mp_timer_cb cb)
{
    for (size_t i = 0; i < n; i++) {
        mp_timer_init(&items[i].t, cb);
        items[i].id = (int)i;
    }
    nfired = 0;
}

static void test_fires_in_deadline_order(void **state)
{
    mp_timerq_t q;
    item_t items[6];
    uint64_t deadlines[6] = {50, 10, 40, 20, 60, 30};
    mp_timerq_init(&q);
    init_items(items, 6, record);
    for (int i = 0; i < 6; i++)
        mp_timerq_add(&q, &items[i].t, deadlines[i]);
    assert_int_equal(mp_timerq_next(&q), 10);
    assert_int_equal(mp_timerq_run(&q, 35), 3);
    assert_int_equal(fired[0], 1);
    assert_int_equal(fired[1], 3);
    assert_int_equal(fired[2], 5);
    assert_int_equal(mp_timerq_next(&q), 40);
    assert_false(mp_timer_armed(&items[1].t));
    assert_true(mp_timer_armed(&items[0].t));
    assert_int_equal(mp_timerq_run(&q, 1000), 3);
    assert_int_equal(fired[3], 2);
    assert_int_equal(fired[4], 0);
    assert_int_equal(fired[5], 4);
    assert_int_equal(mp_timerq_next(&q), UINT64_MAX);
    mp_timerq_dispose(&q);
}

/* A window lets a timer fire early when the queue runs for another reason, but never before its window
 * opens, and never out of deadline order; plain timers keep their exact deadline. */
static void test_windows_fire_early_in_deadline_order(void **state)
{
    mp_timerq_t q;
    item_t items[3];
    mp_timerq_init(&q);
    init_items(items, 3, record);
    mp_timerq_add_window(&q, &items[0].t, 90, 100);
    mp_timerq_add(&q, &items[1].t, 95);
    mp_timerq_add_window(&q, &items[2].t, 120, 110); /* an early past the deadline means the deadline */
    assert_int_equal(mp_timerq_run(&q, 94), 0);      /* item 0's window is open, but item 1 comes first */
    assert_int_equal(mp_timerq_run(&q, 95), 2);
    assert_int_equal(fired[0], 1);
    assert_int_equal(fired[1], 0);
    assert_int_equal(mp_timerq_run(&q, 109), 0);
    assert_int_equal(items[2].t.early, 110);
    assert_int_equal(mp_timerq_run(&q, 110), 1);
    assert_int_equal(fired[2], 2);
    mp_timerq_dispose(&q);
}

static void test_equal_deadlines_are_fifo(void **state)
{
    mp_timerq_t q;
    item_t items[8];
    mp_timerq_init(&q);
    init_items(items, 8, record);
    for (int i = 0; i < 8; i++)
        mp_timerq_add(&q, &items[i].t, 100);
    assert_int_equal(mp_timerq_run(&q, 100), 8);
    for (int i = 0; i < 8; i++)
        assert_int_equal(fired[i], i);
    mp_timerq_dispose(&q);
}

static void test_cancel_anywhere_and_rearm(void **state)
{
    mp_timerq_t q;
    item_t items[10];
    mp_timerq_init(&q);
    init_items(items, 10, record);
    for (int i = 0; i < 10; i++)
        mp_timerq_add(&q, &items[i].t, (uint64_t)(100 - i * 10)); /* item 9 is earliest */
    mp_timerq_cancel(&q, &items[9].t);                            /* the root */
    mp_timerq_cancel(&q, &items[0].t);                            /* a leaf */
    mp_timerq_cancel(&q, &items[4].t);                            /* the middle */
    mp_timerq_cancel(&q, &items[4].t);                            /* twice: no-op */
    assert_int_equal(q.n, 7);
    mp_timerq_add(&q, &items[1].t, 5);  /* re-arm earlier: moves to the root */
    mp_timerq_add(&q, &items[8].t, 95); /* re-arm later */
    assert_int_equal(mp_timerq_next(&q), 5);
    assert_int_equal(mp_timerq_run(&q, UINT64_MAX - 1), 7);
    int expect[] = {1, 7, 6, 5, 3, 2, 8};
    for (int i = 0; i < 7; i++)
        assert_int_equal(fired[i], expect[i]);
    mp_timerq_dispose(&q);
}

/* A callback that re-arms itself at a deadline already reached fires again in the same run (catch-up),
 * and one that cancels another timer prevents it. */
static item_t chain[4];
static int chain_left;

static void chain_cb(mp_timer_t *t)
{
    record(t);
    if (--chain_left > 0)
        mp_timerq_add(cur_q, t, t->deadline + 1);
    if (((item_t *)t)->id == 0)
        mp_timerq_cancel(cur_q, &chain[2].t);
}

static void test_callbacks_add_and_cancel(void **state)
{
    mp_timerq_t q;
    mp_timerq_init(&q);
    cur_q = &q;
    init_items(chain, 4, chain_cb);
    chain[1].t.cb = record;
    chain[2].t.cb = record;
    chain_left = 3;
    mp_timerq_add(&q, &chain[0].t, 10);
    mp_timerq_add(&q, &chain[1].t, 100);
    mp_timerq_add(&q, &chain[2].t, 11);
    assert_int_equal(mp_timerq_run(&q, 50), 3); /* 0 at 10, 11 and 12; 2 cancelled */
    assert_int_equal(fired[0], 0);
    assert_int_equal(fired[1], 0);
    assert_int_equal(fired[2], 0);
    assert_false(mp_timer_armed(&chain[2].t));
    assert_int_equal(mp_timerq_next(&q), 100);
    mp_timerq_dispose(&q);
    assert_false(mp_timer_armed(&chain[1].t));
}

static uint64_t seed = 88172645463325252ull;

static uint64_t xorshift(void)
{
    seed ^= seed << 13;
    seed ^= seed >> 7;
    seed ^= seed << 17;
    return seed;
}

static int cmp_item(const void *a, const void *b)
{
    const item_t *x = *(item_t *const *)a, *y = *(item_t *const *)b;
    if (x->t.deadline != y->t.deadline)
        return x->t.deadline < y->t.deadline ? -1 : 1;
    return x->t.seq < y->t.seq ? -1 : 1;
}

static void test_random_against_sorted_reference(void **state)
{
    static item_t items[MAXT];
    static item_t *ref[MAXT];
    mp_timerq_t q;
    mp_timerq_init(&q);
    init_items(items, MAXT, record);
    for (int round = 0; round < 20000; round++) {
        item_t *it = &items[xorshift() % MAXT];
        if (xorshift() % 3 == 0)
            mp_timerq_cancel(&q, &it->t);
        else
            mp_timerq_add(&q, &it->t, xorshift() % 100000);
    }
    size_t n = 0;
    for (int i = 0; i < MAXT; i++)
        if (mp_timer_armed(&items[i].t))
            ref[n++] = &items[i];
    assert_int_equal(n, q.n);
    qsort(ref, n, sizeof(ref[0]), cmp_item);
    assert_int_equal(mp_timerq_run(&q, UINT64_MAX - 1), n);
    for (size_t i = 0; i < n; i++)
        assert_int_equal(fired[i], ref[i]->id);
    mp_timerq_dispose(&q);
}

/* ---- the timerfd driver ------------------------------------------------------------------------------ */

static uint64_t fired_at[4];

static void stamp(mp_timer_t *t)
{
    item_t *it = (item_t *)t;
    fired_at[it->id] = cm_now_ns();
    nfired++;
}

static double time_scale(void)
{
    const char *s = getenv("SOAK_TIME_SCALE");
    double v = s ? atof(s) : 1.0;
    return v > 0 ? v : 1.0;
}

static void test_timerfd_fires_on_time(void **state)
{
    h2o_evloop_t *loop = h2o_evloop_create();
    mp_timers_t timers;
    char err[128];
    item_t items[4];
    assert_int_equal(mp_timers_init(&timers, loop, err, sizeof(err)), 0);
    init_items(items, 4, stamp);
    memset(fired_at, 0, sizeof(fired_at));
    uint64_t start = cm_now_ns();
    uint64_t at[4] = {start + 30 * CM_NS_PER_MS, start + 10 * CM_NS_PER_MS, start + 20 * CM_NS_PER_MS,
                      start + 15 * CM_NS_PER_MS};
    for (int i = 0; i < 4; i++)
        mp_timers_add(&timers, &items[i].t, at[i]);
    mp_timers_cancel(&timers, &items[3].t);
    assert_int_equal(mp_timers_count(&timers), 3);
    uint64_t give_up = start + (uint64_t)(2e9 * time_scale());
    while (nfired < 3 && cm_now_ns() < give_up)
        h2o_evloop_run(loop, 50);
    assert_int_equal(nfired, 3);
    uint64_t tolerance = (uint64_t)(20e6 * time_scale()); /* loose: the rearm test checks the median */
    for (int i = 0; i < 3; i++) {
        /* A timer may fire within its slack (1/32 of its delay) before the deadline, when the loop is awake
         * for another timer then: a late wake for the 20 ms timer may also serve the 30 ms one. */
        uint64_t slack = (at[i] - start) / MP_TIMER_SLACK_DIV;
        assert_true(fired_at[i] + slack >= at[i]);
        if (fired_at[i] < at[i])
            continue;
        assert_in_range(fired_at[i] - at[i], 0, tolerance);
    }
    assert_int_equal(fired_at[3], 0);
    assert_int_equal(mp_timers_count(&timers), 0);
    mp_timers_dispose(&timers);
    h2o_evloop_run(loop, 0); /* lets h2o free the closed timerfd socket */
    h2o_evloop_destroy(loop);
}

/* A timer re-armed from inside the fd's callback (as every stream step is) must still wake the loop: the
 * fd is reprogrammed once, after the callbacks. One late wake on a shared machine says little, so the
 * check is on the median of many firings, with a loose bound on the worst. */
#define REARMS 20

static mp_timers_t *cur_timers;
static int64_t rearm_late[REARMS];
static int rearm_count;

static void rearm_cb(mp_timer_t *t)
{
    /* Signed: a timer re-armed from its own late callback may fire within its slack before the deadline. */
    rearm_late[rearm_count] = (int64_t)(cm_now_ns() - t->deadline); /* deadline is readable after firing */
    if (++rearm_count < REARMS)
        mp_timers_add(cur_timers, t, t->deadline + 2 * CM_NS_PER_MS);
}

static int cmp_i64(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return x < y ? -1 : x > y;
}

/* mp_timers_poll, as the worker calls it after every loop iteration, fires a timer once its slack window
 * has opened, and not before. */
static void test_poll_fires_within_slack(void **state)
{
    h2o_evloop_t *loop = h2o_evloop_create();
    mp_timers_t timers;
    char err[128];
    item_t items[1];
    assert_int_equal(mp_timers_init(&timers, loop, err, sizeof(err)), 0);
    init_items(items, 1, stamp);
    memset(fired_at, 0, sizeof(fired_at));
    uint64_t start = cm_now_ns();
    uint64_t deadline = start + 64 * CM_NS_PER_MS; /* slack: min(64 ms / 32, 1 ms) = 1 ms */
    mp_timers_add(&timers, &items[0].t, deadline);
    assert_int_equal(items[0].t.early, deadline - MP_TIMER_SLACK_MAX_NS);
    mp_timers_poll(&timers);
    if (cm_now_ns() < items[0].t.early)
        assert_int_equal(nfired, 0);
    while (cm_now_ns() < items[0].t.early) {
        /* bounded: the window opens 63 ms after start */
    }
    mp_timers_poll(&timers);
    assert_int_equal(nfired, 1);
    assert_true(fired_at[0] >= deadline - MP_TIMER_SLACK_MAX_NS);
    assert_int_equal(mp_timers_count(&timers), 0);
    mp_timers_dispose(&timers);
    h2o_evloop_run(loop, 0);
    h2o_evloop_destroy(loop);
}

/* After a burst the heap gives its capacity back, and the timers still armed keep their order. */
static void test_shrink_keeps_order(void **state)
{
    static item_t items[1000];
    mp_timerq_t q;
    mp_timerq_init(&q);
    init_items(items, 1000, record);
    for (int i = 0; i < 1000; i++)
        mp_timerq_add(&q, &items[i].t, 1000 + (uint64_t)(i * 7919 % 1000));
    assert_int_equal(q.cap, 1024);
    for (int i = 0; i < 1000; i++)
        if (i != 10 && i != 500 && i != 900)
            mp_timerq_cancel(&q, &items[i].t);
    mp_timerq_shrink(&q);
    assert_int_equal(q.cap, MP_TIMERQ_MIN_CAP);
    mp_timerq_run(&q, UINT64_MAX);
    assert_int_equal(nfired, 3);
    assert_int_equal(fired[0], 900); /* deadlines: 900 -> 1100, 10 -> 1190, 500 -> 1500 */
    assert_int_equal(fired[1], 10);
    assert_int_equal(fired[2], 500);
    mp_timerq_shrink(&q); /* empty: stays at the minimum */
    assert_int_equal(q.cap, MP_TIMERQ_MIN_CAP);
    mp_timerq_dispose(&q);
}

/* A timer fired by mp_timers_poll (outside h2o_evloop_run) that completes a socket write: h2o queues the
 * write's completion for its next run but sizes that run's poll by its own timeouts only, so the poll must
 * say "do not wait" or the completion (an HTTP/1 request's end, its concurrency slot's release) waits for
 * an unrelated event: the hang of h2load against a concurrency limit with a queue. */
static h2o_socket_t *write_sock;
static int write_done;

static void on_written(h2o_socket_t *sock, const char *err)
{
    (void)sock;
    write_done = err == NULL ? 1 : -1;
}

static void write_cb(mp_timer_t *t)
{
    (void)t;
    static char byte = 'x';
    h2o_iovec_t buf = h2o_iovec_init(&byte, 1);
    h2o_socket_write(write_sock, &buf, 1, on_written);
}

static void test_poll_write_completes_without_waiting(void **state)
{
    h2o_evloop_t *loop = h2o_evloop_create();
    mp_timers_t timers;
    char err[128];
    int fds[2];
    assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM, 0, fds), 0);
    write_sock = h2o_evloop_socket_create(loop, fds[0], 0);
    write_done = 0;
    assert_int_equal(mp_timers_init(&timers, loop, err, sizeof(err)), 0);
    assert_int_equal(mp_timers_poll(&timers), INT32_MAX); /* nothing armed: the loop may sleep */
    mp_timer_t t;
    mp_timer_init(&t, write_cb);
    mp_timers_add(&timers, &t, cm_now_ns() + 32 * CM_NS_PER_MS); /* slack 1 ms */
    while (cm_now_ns() < t.early) {
        /* bounded: the window opens 31 ms from now */
    }
    int32_t max_wait = mp_timers_poll(&timers);
    assert_int_equal(write_done, 0); /* written, but h2o reports it in its next run */
    assert_int_equal(max_wait, 0);
    uint64_t before = cm_now_ns();
    h2o_evloop_run(loop, max_wait);
    assert_int_equal(write_done, 1);
    assert_true(cm_now_ns() - before < 500 * CM_NS_PER_MS);
    char got = 0;
    assert_int_equal(read(fds[1], &got, 1), 1);
    assert_int_equal(got, 'x');
    h2o_socket_close(write_sock);
    close(fds[1]);
    mp_timers_dispose(&timers);
    h2o_evloop_run(loop, 0);
    h2o_evloop_destroy(loop);
}

static void test_timerfd_rearm_from_callback(void **state)
{
    h2o_evloop_t *loop = h2o_evloop_create();
    mp_timers_t timers;
    char err[128];
    mp_timer_t t;
    assert_int_equal(mp_timers_init(&timers, loop, err, sizeof(err)), 0);
    cur_timers = &timers;
    rearm_count = 0;
    mp_timer_init(&t, rearm_cb);
    uint64_t start = cm_now_ns();
    mp_timers_add(&timers, &t, start + 2 * CM_NS_PER_MS);
    uint64_t give_up = start + (uint64_t)(2e9 * time_scale());
    while (rearm_count < REARMS && cm_now_ns() < give_up)
        h2o_evloop_run(loop, 1000); /* a long max wait: only the timerfd can wake the loop in time */
    assert_int_equal(rearm_count, REARMS);
    qsort(rearm_late, REARMS, sizeof(rearm_late[0]), cmp_i64);
    int64_t slack = (int64_t)(2 * CM_NS_PER_MS / MP_TIMER_SLACK_DIV); /* the most a 2 ms timer may be early */
    assert_true(rearm_late[0] >= -slack);
    assert_true(rearm_late[REARMS / 2] <= (int64_t)(2e6 * time_scale()));
    assert_true(rearm_late[REARMS - 1] <= (int64_t)(20e6 * time_scale()));
    mp_timers_dispose(&timers);
    h2o_evloop_run(loop, 0);
    h2o_evloop_destroy(loop);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_fires_in_deadline_order),
        cmocka_unit_test(test_equal_deadlines_are_fifo),
        cmocka_unit_test(test_cancel_anywhere_and_rearm),
        cmocka_unit_test(test_callbacks_add_and_cancel),
        cmocka_unit_test(test_random_against_sorted_reference),
        cmocka_unit_test(test_timerfd_fires_on_time),
        cmocka_unit_test(test_timerfd_rearm_from_callback),
        cmocka_unit_test(test_poll_write_completes_without_waiting),
        cmocka_unit_test(test_shrink_keeps_order),
        cmocka_unit_test(test_windows_fire_early_in_deadline_order),
        cmocka_unit_test(test_poll_fires_within_slack),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
