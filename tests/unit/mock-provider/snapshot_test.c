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
#include <string.h>

#include "common/alloc.h"
#include "mock-provider/config.h"
#include "mock-provider/quota.h"

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
    mp_snap_t *s = mp_snap_own(&d, NULL);
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
    mp_snap_t *s1 = mp_snap_own(&d1, NULL);
    mp_deployment_t d2 = owned_dep("q");
    d2.limited = true;
    mp_snap_t *s2 = mp_snap_own(&d2, s1->quota);
    assert_ptr_equal(s2->dep.quota, s1->dep.quota);
    assert_int_equal(atomic_load(&s1->quota->refs), 2);
    mp_snap_release(s1);
    assert_int_equal(atomic_load(&s2->quota->refs), 1);
    mp_quota_usage_t u;
    mp_quota_usage(s2->dep.quota, 0, &u); /* still usable */
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
    mp_snap_t *s = mp_snap_own(&d, NULL);
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

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_last_holder_frees),
        cmocka_unit_test(test_borrowed_keeps_config),
        cmocka_unit_test(test_shared_quota),
        cmocka_unit_test(test_threads_balance),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
