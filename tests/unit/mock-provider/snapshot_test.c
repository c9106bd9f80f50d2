/* tests/unit/mock-provider/snapshot_test.c — snapshot reference counting: the last holder frees (ASan sees a
 * leak or a double free otherwise), a borrowed snapshot never frees the configuration's deployment, quota
 * engines are shared between snapshots with the same limits and freed with the last, and references taken
 * and dropped from several threads at once balance. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "mock-provider/snapshot.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "common/alloc.h"
#include "faults/fault.h"
#include "mock-provider/config.h"
#include "mock-provider/quota/quota.h"

static mp_deployment_t owned_dep(const char *name)
{
    mp_config_t c;
    mp_config_init(&c);
    mp_config_add_deployment(&c, name);
    mp_deployment_t d = c.deps[0];
    d.source = cm_xstrdup("{\"name\": \"x\"}");
    c.ndeps = 0;
    mp_config_free(&c);
    return d;
}

static void test_last_holder_frees(void **state)
{
    (void)state;
    mp_deployment_t d = owned_dep("a");
    mp_snap_t *s = mp_snap_own(&d, NULL, NULL);
    assert_null(d.name); /* moved in */
    assert_string_equal(s->dep.name, "a");
    assert_int_equal(atomic_load(&s->refs), 1);
    mp_snap_ref(s);
    mp_snap_ref(s);
    assert_int_equal(atomic_load(&s->refs), 3);
    mp_snap_release(s);
    mp_snap_release(s);
    assert_string_equal(s->dep.name, "a"); /* still held once */
    mp_snap_release(s);                    /* freed: ASan reports any leak or later use */
    mp_snap_release(NULL);
}

static void test_borrowed_keeps_config(void **state)
{
    (void)state;
    mp_config_t c;
    mp_config_init(&c);
    mp_config_add_deployment(&c, "b");
    mp_snap_t *s = mp_snap_borrow(&c.deps[0]);
    assert_ptr_equal(s->dep.name, c.deps[0].name);
    mp_snap_release(s);
    assert_string_equal(c.deps[0].name, "b"); /* not freed by the snapshot */
    mp_config_free(&c);
}

static mp_quota_t *make_quota(void)
{
    mp_quota_config_t qc;
    mp_quota_config_defaults(&qc);
    qc.rpm = 60;
    mp_quota_t *q = NULL;
    char why[200];
    assert_int_equal(mp_quota_create(&qc, 0, &q, why, sizeof(why)), 0);
    return q;
}

/* Two snapshots share an engine; it lives until the second goes. */
static void test_shared_quota(void **state)
{
    (void)state;
    mp_deployment_t d1 = owned_dep("q");
    d1.limited = true;
    d1.quota = make_quota();
    mp_snap_t *s1 = mp_snap_own(&d1, NULL, NULL);
    mp_deployment_t d2 = owned_dep("q");
    d2.limited = true;
    mp_snap_t *s2 = mp_snap_own(&d2, s1->quota, NULL);
    assert_ptr_equal(s2->dep.quota, s1->dep.quota);
    assert_int_equal(atomic_load(&s1->quota->refs), 2);
    mp_snap_release(s1);
    assert_int_equal(atomic_load(&s2->quota->refs), 1);
    mp_quota_usage_t u;
    mp_quota_usage(s2->dep.quota, 0, &u); /* still usable */
    mp_snap_release(s2);
}

/* A fault set shared by two snapshots keeps its counters and goes with the last; the new deployment's own
 * copy is freed at once. */
static fx_set_t *parse_faults(void)
{
    static const char text[] = "[{kind: http_error, status: 503, first: 1}]";
    cm_conf_t conf;
    cm_err_t err;
    fx_set_t *set = cm_xcalloc(1, sizeof(*set));
    assert_int_equal(cm_conf_load_string(&conf, "f", text, strlen(text), &err), 0);
    assert_int_equal(fx_parse(&conf, conf.root, "faults", 1, set, &err), 0);
    cm_conf_free(&conf);
    return set;
}

static void test_shared_faults(void **state)
{
    (void)state;
    mp_deployment_t d1 = owned_dep("f");
    d1.faults = parse_faults();
    mp_snap_t *s1 = mp_snap_own(&d1, NULL, NULL);
    fx_request_t r = {{"chat", 4}, {"m", 1}, {"", 0}, {NULL, 0}, 0};
    assert_non_null(fx_pick(s1->dep.faults, &r)); /* the first request: faulted */
    mp_deployment_t d2 = owned_dep("f");
    d2.faults = parse_faults(); /* what the update read: replaced by the shared set */
    mp_snap_t *s2 = mp_snap_own(&d2, NULL, s1->faults);
    assert_ptr_equal(s2->dep.faults, s1->dep.faults);
    mp_snap_release(s1);
    assert_null(fx_pick(s2->dep.faults, &r)); /* first: 1 already used: the counter carried over */
    mp_snap_release(s2);
}

typedef struct hammer {
    mp_snap_t *s;
    int rounds;
} hammer_t;

static void *take_and_drop(void *arg)
{
    hammer_t *h = arg;
    for (int i = 0; i < h->rounds; i++) {
        mp_snap_t *r = mp_snap_ref(h->s);
        mp_snap_release(r);
    }
    return NULL;
}

/* As on the request path: worker threads take and drop while another drops the publisher's reference. */
static void test_threads_balance(void **state)
{
    (void)state;
    mp_deployment_t d = owned_dep("t");
    mp_snap_t *s = mp_snap_own(&d, NULL, NULL);
    enum { THREADS = 4 };
    pthread_t t[THREADS];
    hammer_t h = {.s = s, .rounds = 20000};
    for (int i = 0; i < THREADS; i++)
        mp_snap_ref(s); /* each thread's own reference, as a worker holds one */
    for (int i = 0; i < THREADS; i++)
        assert_int_equal(pthread_create(&t[i], NULL, take_and_drop, &h), 0);
    for (int i = 0; i < THREADS; i++)
        pthread_join(t[i], NULL);
    assert_int_equal(atomic_load(&s->refs), THREADS + 1);
    for (int i = 0; i < THREADS + 1; i++)
        mp_snap_release(s);
}

/* A worker's runs count on its hold: the snapshot's shared count moves only when the hold is made and when
 * its last holder (the worker or a run) lets go. */
static void test_hold_counts_runs(void **state)
{
    (void)state;
    mp_deployment_t d = owned_dep("h");
    mp_snap_t *s = mp_snap_own(&d, NULL, NULL);
    mp_snap_ref(s);                      /* the test's own, to watch the count */
    mp_snap_hold_t *h = mp_snap_hold(s); /* takes over the first reference: the worker's */
    mp_snap_hold_ref(h);                 /* two runs start */
    mp_snap_hold_ref(h);
    assert_int_equal(atomic_load(&s->refs), 2);
    mp_snap_hold_put(h); /* the worker adopts a newer snapshot */
    mp_snap_hold_put(h); /* one run ends */
    assert_int_equal(atomic_load(&s->refs), 2);
    mp_snap_hold_put(h); /* the last run ends: the hold's reference goes with it */
    assert_int_equal(atomic_load(&s->refs), 1);
    mp_snap_release(s);
    mp_snap_hold_put(NULL);
}

/* As between the admin thread and a worker (worker.c's adopt): the publisher hands snapshots over through a
 * mailbox while the worker starts and ends runs on whichever hold is current, adopting at its safe point.
 * At the end every snapshot is back to the one reference the test kept: none leaked, none released twice. */
enum { PUBLISHES = 2000, RUNS_OPEN = 8 };

typedef struct exchange {
    mp_deployment_t dep;
    mp_snap_t *kept[PUBLISHES];
    _Atomic(mp_snap_t *) mailbox;
    atomic_bool done;
} exchange_t;

static void *publisher(void *p)
{
    exchange_t *x = p;
    for (int i = 0; i < PUBLISHES; i++) {
        mp_snap_t *s = mp_snap_borrow(&x->dep);
        s->version = (uint64_t)i + 2;
        x->kept[i] = mp_snap_ref(s);
        mp_snap_release(atomic_exchange_explicit(&x->mailbox, s, memory_order_acq_rel)); /* not adopted */
    }
    atomic_store_explicit(&x->done, true, memory_order_release);
    return NULL;
}

static void test_hold_across_publishes(void **state)
{
    (void)state;
    exchange_t *x = cm_xcalloc(1, sizeof(*x));
    x->dep = owned_dep("p");
    atomic_init(&x->mailbox, NULL);
    mp_snap_hold_t *cur = mp_snap_hold(mp_snap_borrow(&x->dep)), *runs[RUNS_OPEN] = {0};
    pthread_t t;
    assert_int_equal(pthread_create(&t, NULL, publisher, x), 0);
    uint64_t started = 0, seen = 0;
    for (bool last = false; !last;) {
        last = atomic_load_explicit(&x->done, memory_order_acquire);
        mp_snap_t *n = atomic_exchange_explicit(&x->mailbox, NULL, memory_order_acq_rel);
        if (n != NULL) {
            mp_snap_hold_t *old = cur;
            cur = mp_snap_hold(n);
            mp_snap_hold_put(old);
        }
        size_t slot = started++ % RUNS_OPEN;
        mp_snap_hold_put(runs[slot]); /* the oldest run ends */
        runs[slot] = mp_snap_hold_ref(cur);
        seen += runs[slot]->snap->version > 1 && strcmp(runs[slot]->snap->dep.name, "p") == 0;
    }
    pthread_join(t, NULL);
    for (size_t i = 0; i < RUNS_OPEN; i++)
        mp_snap_hold_put(runs[i]);
    assert_int_equal(cur->snap->version, PUBLISHES + 1); /* the worker ends on the last one published */
    mp_snap_hold_put(cur);
    assert_true(seen > 0);
    for (int i = 0; i < PUBLISHES; i++) {
        assert_int_equal(atomic_load(&x->kept[i]->refs), 1);
        mp_snap_release(x->kept[i]);
    }
    mp_deployment_free(&x->dep);
    free(x);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_last_holder_frees),     cmocka_unit_test(test_borrowed_keeps_config),
        cmocka_unit_test(test_shared_quota),          cmocka_unit_test(test_shared_faults),
        cmocka_unit_test(test_threads_balance),       cmocka_unit_test(test_hold_counts_runs),
        cmocka_unit_test(test_hold_across_publishes),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
