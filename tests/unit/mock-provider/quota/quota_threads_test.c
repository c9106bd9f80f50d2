/* tests/unit/mock-provider/quota/quota_threads_test.c — the quota engine shared by worker threads: 4 threads
 * hammering one limit admit exactly the limit in total (a frozen window, then fixed windows in phases, then
 * per-key counters and token settlement), and the concurrency counter never lets more than its limit run.
 * With a queue, grants handed across threads race cancellations and none is lost.
 * Built for TSan too: every shared access must go through the engine's locks or atomics. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "mock-provider/quota/quota.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <sched.h>
#include <time.h>

#define S 1000000000ull
#define T0 (1000ull * S)
#define THREADS 4
#define ATTEMPTS 20000 /* per thread and phase */
#define PHASES 3

typedef struct shared {
    mp_quota_t *q;
    pthread_barrier_t barrier;
    atomic_uint admitted[PHASES];
    atomic_int running, most_running;
    const char *keys[2];
} shared_t;

typedef struct arg {
    shared_t *sh;
    int id;
} arg_t;

static mp_quota_t *make(uint64_t rpm, uint64_t tpm, mp_quota_window_t w, bool per_key, uint32_t conc)
{
    mp_quota_config_t c;
    mp_quota_config_defaults(&c);
    c.rpm = rpm;
    c.tpm = tpm;
    c.window = w;
    c.per_key = per_key;
    c.concurrency = conc;
    mp_quota_t *q;
    char why[128];
    assert_int_equal(mp_quota_create(&c, T0, &q, why, sizeof(why)), 0);
    return q;
}

static void run(shared_t *sh, void *(*fn)(void *))
{
    pthread_t th[THREADS];
    arg_t args[THREADS];
    pthread_barrier_init(&sh->barrier, NULL, THREADS);
    for (int i = 0; i < THREADS; i++) {
        args[i] = (arg_t){sh, i};
        assert_int_equal(pthread_create(&th[i], NULL, fn, &args[i]), 0);
    }
    for (int i = 0; i < THREADS; i++)
        pthread_join(th[i], NULL);
    pthread_barrier_destroy(&sh->barrier);
}

/* Every thread's clock moves forward a little with each attempt, but all stay inside one minute. */
static void *hammer_sliding(void *p)
{
    arg_t *a = p;
    mp_quota_ticket_t t;
    mp_quota_decision_t d;
    pthread_barrier_wait(&a->sh->barrier);
    for (uint64_t i = 0; i < ATTEMPTS; i++)
        if (mp_quota_admit(a->sh->q, NULL, 0, 3, T0 + i * 1000 + (uint64_t)a->id, &t, &d)) {
            atomic_fetch_add(&a->sh->admitted[0], 1);
            mp_quota_settle(a->sh->q, &t, 1);
        }
    return NULL;
}

static void test_sliding_exact_total(void **state)
{
    shared_t sh;
    memset(&sh, 0, sizeof(sh));
    sh.q = make(1000, 0, MP_QUOTA_SLIDING, false, 0);
    run(&sh, hammer_sliding);
    assert_int_equal(atomic_load(&sh.admitted[0]), 1000);
    mp_quota_usage_t u;
    mp_quota_usage(sh.q, T0 + 30 * S, &u);
    assert_int_equal(u.requests, 1000);
    assert_int_equal(u.tokens, 1000); /* every charge of 3 settled to 1 */
    assert_int_equal(u.rejected[MP_QUOTA_LIMIT_REQUESTS], THREADS * ATTEMPTS - 1000);
    mp_quota_destroy(sh.q);
}

/* Phases separated by barriers: in phase k every thread's clock is inside fixed window k. */
static void *hammer_fixed(void *p)
{
    arg_t *a = p;
    mp_quota_decision_t d;
    for (int k = 0; k < PHASES; k++) {
        pthread_barrier_wait(&a->sh->barrier);
        uint64_t base = T0 + (uint64_t)k * 60 * S;
        for (uint64_t i = 0; i < ATTEMPTS; i++)
            if (mp_quota_admit(a->sh->q, NULL, 0, 0, base + i, NULL, &d))
                atomic_fetch_add(&a->sh->admitted[k], 1);
    }
    return NULL;
}

static void test_fixed_exact_per_window(void **state)
{
    shared_t sh;
    memset(&sh, 0, sizeof(sh));
    sh.q = make(777, 0, MP_QUOTA_FIXED, false, 0);
    run(&sh, hammer_fixed);
    for (int k = 0; k < PHASES; k++)
        assert_int_equal(atomic_load(&sh.admitted[k]), 777);
    mp_quota_destroy(sh.q);
}

/* Two keys shared by all threads, tokens limited: each key admits exactly tpm / charge. */
static void *hammer_keys(void *p)
{
    arg_t *a = p;
    mp_quota_ticket_t t;
    mp_quota_decision_t d;
    pthread_barrier_wait(&a->sh->barrier);
    for (uint64_t i = 0; i < ATTEMPTS; i++) {
        int k = (int)((i + (uint64_t)a->id) & 1);
        if (mp_quota_admit(a->sh->q, a->sh->keys[k], strlen(a->sh->keys[k]), 10, T0 + i, &t, &d)) {
            atomic_fetch_add(&a->sh->admitted[k], 1);
            mp_quota_settle(a->sh->q, &t, 10);
        }
    }
    return NULL;
}

static void test_per_key_exact_total(void **state)
{
    shared_t sh;
    memset(&sh, 0, sizeof(sh));
    sh.q = make(0, 5000, MP_QUOTA_SLIDING, true, 0);
    sh.keys[0] = "sk-one";
    sh.keys[1] = "sk-two";
    run(&sh, hammer_keys);
    assert_int_equal(atomic_load(&sh.admitted[0]), 500);
    assert_int_equal(atomic_load(&sh.admitted[1]), 500);
    mp_quota_destroy(sh.q);
}

/* Without a queue: whoever gets a slot runs briefly and releases it; never more than the limit at once. */
static void *hammer_conc(void *p)
{
    arg_t *a = p;
    pthread_barrier_wait(&a->sh->barrier);
    for (int i = 0; i < ATTEMPTS; i++) {
        if (mp_quota_acquire(a->sh->q, NULL, NULL) != MP_QUOTA_SLOT_RUN)
            continue;
        int now = atomic_fetch_add(&a->sh->running, 1) + 1, most = atomic_load(&a->sh->most_running);
        for (int tries = 0; tries < 1000 && now > most; tries++)
            if (atomic_compare_exchange_weak(&a->sh->most_running, &most, now))
                break;
        atomic_fetch_add(&a->sh->admitted[0], 1);
        atomic_fetch_sub(&a->sh->running, 1);
        if (mp_quota_release(a->sh->q) != NULL) /* cmocka's asserts are not for other threads */
            atomic_fetch_add(&a->sh->admitted[1], 1);
    }
    return NULL;
}

static void test_concurrency_bound(void **state)
{
    shared_t sh;
    memset(&sh, 0, sizeof(sh));
    sh.q = make(0, 0, MP_QUOTA_SLIDING, false, 2);
    run(&sh, hammer_conc);
    assert_true(atomic_load(&sh.most_running) <= 2);
    assert_int_equal(atomic_load(&sh.admitted[1]), 0); /* nobody queued, so no release woke anyone */
    assert_true(atomic_load(&sh.admitted[0]) > 0);
    mp_quota_usage_t u;
    mp_quota_usage(sh.q, T0, &u);
    assert_int_equal(u.inflight, 0);
    assert_int_equal(u.rejected[MP_QUOTA_LIMIT_CONCURRENCY] + atomic_load(&sh.admitted[0]), THREADS * ATTEMPTS);
    mp_quota_destroy(sh.q);
}

/* With a queue: each thread plays a worker whose requests wait for a slot another thread hands over (the
 * mailbox flag stands for the worker's message), and one queued request in four gives up at once (client
 * gone), racing the releases of the others: cancel either removes it or finds it already granted, and then
 * it runs and releases like any other. Nothing may be lost: every grant arrives, every slot comes back. */
#define QUEUE_ATTEMPTS 5000
#define GRANT_WAIT_NS (10 * S)

typedef struct mailbox {
    mp_quota_waiter_t w;
    atomic_int granted;
} mailbox_t;

typedef struct queue_shared {
    shared_t base;
    atomic_uint handed, received, cancelled, raced, queued, lost;
} queue_shared_t;

static uint64_t mono_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * S + (uint64_t)ts.tv_nsec;
}

/* Runs one request holding a slot, then passes the slot on as pass_slot does. */
static void hold_and_release(queue_shared_t *qs)
{
    shared_t *sh = &qs->base;
    int now = atomic_fetch_add(&sh->running, 1) + 1, most = atomic_load(&sh->most_running);
    for (int tries = 0; tries < 1000 && now > most; tries++)
        if (atomic_compare_exchange_weak(&sh->most_running, &most, now))
            break;
    atomic_fetch_add(&sh->admitted[0], 1);
    sched_yield(); /* a request takes a while: the others queue meanwhile */
    atomic_fetch_sub(&sh->running, 1);
    mp_quota_waiter_t *next = mp_quota_release(sh->q);
    if (next != NULL) {
        atomic_fetch_add(&qs->handed, 1);
        atomic_store_explicit(&((mailbox_t *)next->cookie)->granted, 1, memory_order_release);
    }
}

static bool await_grant(queue_shared_t *qs, mailbox_t *m)
{
    uint64_t give_up = mono_ns() + GRANT_WAIT_NS;
    while (!atomic_load_explicit(&m->granted, memory_order_acquire)) {
        if (mono_ns() > give_up) {
            atomic_fetch_add(&qs->lost, 1);
            return false;
        }
        sched_yield();
    }
    atomic_fetch_add(&qs->received, 1);
    return true;
}

static void *hammer_queue(void *p)
{
    arg_t *a = p;
    queue_shared_t *qs = (queue_shared_t *)a->sh;
    uint64_t rng = 0x9E3779B97F4A7C15ull * (uint64_t)(a->id + 1);
    mailbox_t m;
    pthread_barrier_wait(&a->sh->barrier);
    for (int i = 0; i < QUEUE_ATTEMPTS; i++) {
        memset(&m.w, 0, sizeof(m.w));
        m.w.cookie = &m;
        atomic_store(&m.granted, 0);
        mp_quota_slot_t r = mp_quota_acquire(a->sh->q, &m.w, NULL);
        if (r == MP_QUOTA_SLOT_QUEUED) {
            atomic_fetch_add(&qs->queued, 1);
            rng ^= rng << 13, rng ^= rng >> 7, rng ^= rng << 17;
            if ((rng >> 32) % 4 == 0) {
                sched_yield(); /* the client leaves a moment later, while the holder may be releasing */
                if (mp_quota_cancel(a->sh->q, &m.w)) {
                    atomic_fetch_add(&qs->cancelled, 1);
                    continue;
                }
                atomic_fetch_add(&qs->raced, 1); /* granted meanwhile: it holds the slot */
            }
            if (!await_grant(qs, &m))
                return NULL; /* the test fails on `lost`; this thread's mailbox must outlive a late grant */
        } else if (r == MP_QUOTA_SLOT_REJECTED) {
            sched_yield(); /* a client's back-off, so that a refused thread does not spend its attempts at once */
            continue;
        }
        hold_and_release(qs);
    }
    return NULL;
}

static void test_concurrency_queue_handoff(void **state)
{
    queue_shared_t qs;
    memset(&qs, 0, sizeof(qs));
    mp_quota_config_t c;
    mp_quota_config_defaults(&c);
    c.concurrency = 1;
    c.queue = 2;
    char why[128];
    assert_int_equal(mp_quota_create(&c, T0, &qs.base.q, why, sizeof(why)), 0);
    run(&qs.base, hammer_queue);
    mp_quota_usage_t u;
    mp_quota_usage(qs.base.q, T0, &u);
    printf("queue handoff: %u run, %u queued, %u cancelled, %u granted while cancelling, %llu refused\n",
           atomic_load(&qs.base.admitted[0]), atomic_load(&qs.queued), atomic_load(&qs.cancelled),
           atomic_load(&qs.raced), (unsigned long long)u.rejected[MP_QUOTA_LIMIT_CONCURRENCY]);
    assert_int_equal(atomic_load(&qs.lost), 0);
    assert_true(atomic_load(&qs.base.most_running) <= 1);
    assert_int_equal(atomic_load(&qs.handed), atomic_load(&qs.received));
    assert_int_equal(atomic_load(&qs.queued), atomic_load(&qs.received) + atomic_load(&qs.cancelled));
    assert_true(atomic_load(&qs.cancelled) > 0);
    assert_int_equal(u.inflight, 0);
    assert_int_equal(u.queued, 0);
    assert_int_equal(u.rejected[MP_QUOTA_LIMIT_CONCURRENCY] + atomic_load(&qs.base.admitted[0]) +
                         atomic_load(&qs.cancelled),
                     THREADS * QUEUE_ATTEMPTS);
    mp_quota_destroy(qs.base.q);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_sliding_exact_total),       cmocka_unit_test(test_fixed_exact_per_window),
        cmocka_unit_test(test_per_key_exact_total),       cmocka_unit_test(test_concurrency_bound),
        cmocka_unit_test(test_concurrency_queue_handoff),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
