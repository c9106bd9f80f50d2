/* tests/unit/mock-provider/quota/quota_test.c — the quota engine on a fake clock: sliding windows exact at their
 * edges and against a brute-force log, fixed and Azure windows, per-key counters and their bound, the ring
 * bound (merged entries never over-admit), token settlement up, down and after the window moved,
 * refunds, the concurrency counter and its queue, and the usage read for metrics. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "mock-provider/quota/quota.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define S 1000000000ull
#define MS 1000000ull
#define T0 (1000ull * S) /* fake clocks start here, far from 0 */

static mp_quota_t *make(uint64_t rpm, uint64_t tpm, mp_quota_window_t window, bool per_key)
{
    mp_quota_config_t c;
    mp_quota_config_defaults(&c);
    c.rpm = rpm;
    c.tpm = tpm;
    c.window = window;
    c.per_key = per_key;
    mp_quota_t *q;
    char why[128];
    assert_int_equal(mp_quota_create(&c, T0, &q, why, sizeof(why)), 0);
    return q;
}

static bool admit(mp_quota_t *q, uint64_t now, mp_quota_decision_t *d)
{
    mp_quota_ticket_t t;
    return mp_quota_admit(q, NULL, 0, 0, now, &t, d);
}

static void test_sliding_edges(void **state)
{
    mp_quota_t *q = make(3, 0, MP_QUOTA_SLIDING, false);
    mp_quota_decision_t d;
    assert_true(admit(q, T0, &d));
    assert_int_equal(d.requests.limit, 3);
    assert_int_equal(d.requests.used, 1);
    assert_int_equal(d.requests.remaining, 2);
    assert_int_equal(d.requests.reset_ns, 60 * S);
    assert_true(admit(q, T0 + 1 * S, &d));
    assert_true(admit(q, T0 + 2 * S, &d));
    assert_int_equal(d.requests.remaining, 0);
    assert_false(admit(q, T0 + 3 * S, &d));
    assert_int_equal(d.hit, MP_QUOTA_LIMIT_REQUESTS);
    assert_int_equal(d.requests.used, 3);
    assert_int_equal(d.requests.wait_ns, 57 * S);
    assert_int_equal(d.retry_ns, 57 * S);
    assert_int_equal(d.requests.reset_ns, 59 * S);
    assert_int_equal(d.requests.next_ns, 57 * S);
    /* One nanosecond before the first admission is a window old: still refused. */
    assert_false(admit(q, T0 + 60 * S - 1, &d));
    assert_int_equal(d.requests.wait_ns, 1);
    /* Exactly a window later it has left: admitted, and only one slot came back. */
    assert_true(admit(q, T0 + 60 * S, &d));
    assert_false(admit(q, T0 + 60 * S, &d));
    assert_int_equal(d.requests.wait_ns, 1 * S);
    assert_true(admit(q, T0 + 61 * S, &d));
    mp_quota_usage_t u;
    mp_quota_usage(q, T0 + 61 * S, &u);
    assert_int_equal(u.requests, 3);
    assert_int_equal(u.rejected[MP_QUOTA_LIMIT_REQUESTS], 3);
    mp_quota_destroy(q);
}

/* xorshift64: a fixed seed, so a failure reproduces. */
static uint64_t next_rand(uint64_t *s)
{
    *s ^= *s << 13;
    *s ^= *s >> 7;
    *s ^= *s << 17;
    return *s;
}

/* Compares every decision with an exact log: admitted iff fewer than limit admissions in (t - W, t]. */
static void check_against_log(mp_quota_t *q, uint64_t limit, uint64_t window, uint64_t max_gap, size_t n, uint64_t seed)
{
    uint64_t *log = calloc(n, sizeof(*log)), now = T0, s = seed;
    size_t nlog = 0;
    for (size_t i = 0; i < n; i++) {
        now += next_rand(&s) % max_gap;
        size_t inside = 0;
        for (size_t j = 0; j < nlog; j++)
            inside += now - log[j] < window;
        mp_quota_decision_t d;
        bool want = inside < limit, got = admit(q, now, &d);
        if (want != got)
            fail_msg("request %zu at +%lluns: engine %s, exact log %s (%zu in window)", i,
                     (unsigned long long)(now - T0), got ? "admits" : "refuses", want ? "admits" : "refuses", inside);
        if (got)
            log[nlog++] = now;
        else if (log[nlog - limit] + window - now != d.requests.wait_ns)
            fail_msg("request %zu: wait %llu, expected %llu", i, (unsigned long long)d.requests.wait_ns,
                     (unsigned long long)(log[nlog - limit] + window - now));
    }
    free(log);
}

static void test_sliding_matches_exact_log(void **state)
{
    mp_quota_t *q = make(50, 0, MP_QUOTA_SLIDING, false);
    check_against_log(q, 50, 60 * S, 3 * S, 3000, 0x9e3779b97f4a7c15ull);
    mp_quota_destroy(q);
    /* Bursts: many admissions at the same nanosecond. */
    q = make(7, 0, MP_QUOTA_SLIDING, false);
    check_against_log(q, 7, 60 * S, 2, 500, 42);
    mp_quota_destroy(q);
}

static void test_fixed_windows(void **state)
{
    mp_quota_t *q = make(2, 0, MP_QUOTA_FIXED, false);
    mp_quota_decision_t d;
    assert_true(admit(q, T0 - 5 * S, &d)); /* before the start: the first window */
    assert_true(admit(q, T0 + 59 * S, &d));
    assert_int_equal(d.requests.reset_ns, 1 * S);
    assert_int_equal(d.requests.next_ns, 1 * S);
    assert_false(admit(q, T0 + 60 * S - 1, &d));
    assert_int_equal(d.requests.wait_ns, 1);
    /* A new window starts from zero, although a sliding window would still hold two. */
    assert_true(admit(q, T0 + 60 * S, &d));
    assert_int_equal(d.requests.used, 1);
    assert_int_equal(d.requests.reset_ns, 60 * S);
    assert_true(admit(q, T0 + 61 * S, &d));
    assert_false(admit(q, T0 + 62 * S, &d));
    assert_int_equal(d.requests.wait_ns, 58 * S);
    mp_quota_destroy(q);
}

static void test_azure_ten_seconds(void **state)
{
    mp_quota_t *q = make(60, 1000, MP_QUOTA_AZURE, false);
    mp_quota_decision_t d;
    for (int i = 0; i < 10; i++)
        assert_true(admit(q, T0 + (uint64_t)i * MS, &d));
    assert_int_equal(d.requests.limit, 10);
    assert_int_equal(d.requests.window_ns, 10 * S);
    assert_int_equal(d.tokens.window_ns, 60 * S);
    assert_false(admit(q, T0 + 5 * S, &d));
    assert_int_equal(d.requests.wait_ns, 5 * S);
    assert_true(admit(q, T0 + 10 * S, &d));
    /* A minute holds six windows of ten: 60 requests, not more. */
    int admitted = 11;
    for (uint64_t t = T0 + 10 * S; t < T0 + 60 * S; t += 100 * MS)
        admitted += admit(q, t, &d);
    assert_int_equal(admitted, 60);
    mp_quota_destroy(q);
    q = make(5, 0, MP_QUOTA_AZURE, false); /* below 6 rpm: one per 10 s */
    assert_true(admit(q, T0, &d));
    assert_int_equal(d.requests.limit, 1);
    assert_false(admit(q, T0 + 9 * S, &d));
    mp_quota_destroy(q);
}

static void test_tokens_settle_down_and_up(void **state)
{
    mp_quota_t *q = make(0, 100, MP_QUOTA_SLIDING, false);
    mp_quota_ticket_t a, b, c;
    mp_quota_decision_t d;
    assert_true(mp_quota_admit(q, NULL, 0, 60, T0, &a, &d));
    assert_int_equal(d.tokens.used, 60);
    assert_int_equal(d.tokens.remaining, 40);
    assert_int_equal(d.requests.limit, 0);
    assert_false(mp_quota_admit(q, NULL, 0, 50, T0 + 1 * S, &b, &d));
    assert_int_equal(d.hit, MP_QUOTA_LIMIT_TOKENS);
    assert_int_equal(d.tokens.requested, 50);
    assert_int_equal(d.tokens.wait_ns, 59 * S);
    assert_int_equal(d.retry_ns, 59 * S);
    mp_quota_settle(q, &a, 20); /* real usage was lower */
    assert_null(a.counters);
    assert_true(mp_quota_admit(q, NULL, 0, 50, T0 + 2 * S, &b, &d));
    assert_int_equal(d.tokens.used, 70);
    mp_quota_settle(q, &b, 75); /* and higher */
    assert_false(mp_quota_admit(q, NULL, 0, 10, T0 + 3 * S, &c, &d));
    assert_int_equal(d.tokens.used, 95);
    /* 5 tokens free up when the first admission (20) leaves at +60 s. */
    assert_int_equal(d.tokens.wait_ns, 57 * S);
    assert_true(mp_quota_admit(q, NULL, 0, 5, T0 + 3 * S, &c, &d));
    assert_int_equal(d.tokens.remaining, 0);
    mp_quota_destroy(q);
}

static void test_settle_after_window_moved(void **state)
{
    mp_quota_t *q = make(0, 100, MP_QUOTA_SLIDING, false);
    mp_quota_ticket_t a, b;
    mp_quota_decision_t d;
    assert_true(mp_quota_admit(q, NULL, 0, 90, T0, &a, &d));
    assert_true(mp_quota_admit(q, NULL, 0, 10, T0 + 30 * S, &b, &d));
    assert_true(mp_quota_admit(q, NULL, 0, 0, T0 + 61 * S, NULL, &d)); /* the window moves past a */
    assert_int_equal(d.tokens.used, 10);
    mp_quota_settle(q, &a, 1000); /* a's tokens left the window: nothing to correct */
    mp_quota_usage_t u;
    mp_quota_usage(q, T0 + 61 * S, &u);
    assert_int_equal(u.tokens, 10);
    mp_quota_settle(q, &b, 4);
    mp_quota_usage(q, T0 + 61 * S, &u);
    assert_int_equal(u.tokens, 4);
    mp_quota_destroy(q);
    /* Fixed windows: a settlement from an earlier window changes nothing in the current one. */
    q = make(0, 100, MP_QUOTA_FIXED, false);
    assert_true(mp_quota_admit(q, NULL, 0, 90, T0 + 59 * S, &a, &d));
    assert_true(mp_quota_admit(q, NULL, 0, 30, T0 + 60 * S, &b, &d));
    mp_quota_settle(q, &a, 0);
    mp_quota_usage(q, T0 + 60 * S, &u);
    assert_int_equal(u.tokens, 30);
    mp_quota_settle(q, &b, 50);
    mp_quota_usage(q, T0 + 60 * S, &u);
    assert_int_equal(u.tokens, 50);
    mp_quota_destroy(q);
}

static void test_too_large_and_refund(void **state)
{
    mp_quota_t *q = make(2, 100, MP_QUOTA_SLIDING, false);
    mp_quota_ticket_t a;
    mp_quota_decision_t d;
    assert_false(mp_quota_admit(q, NULL, 0, 101, T0, &a, &d));
    assert_int_equal(d.hit, MP_QUOTA_LIMIT_TOKENS);
    assert_int_equal(d.tokens.wait_ns, MP_QUOTA_NEVER);
    assert_int_equal(d.retry_ns, 60 * S);
    assert_int_equal(d.requests.used, 0); /* a refusal charges nothing */
    assert_true(mp_quota_admit(q, NULL, 0, 100, T0, &a, &d));
    mp_quota_refund(q, &a);
    assert_true(mp_quota_admit(q, NULL, 0, 100, T0, &a, &d));
    assert_int_equal(d.requests.used, 1);
    assert_int_equal(d.tokens.used, 100);
    /* Both limits refuse: requests are named first, the retry is the longer wait. */
    assert_true(admit(q, T0 + 10 * S, &d));
    assert_false(mp_quota_admit(q, NULL, 0, 1, T0 + 20 * S, &a, &d));
    assert_int_equal(d.hit, MP_QUOTA_LIMIT_REQUESTS);
    assert_int_equal(d.requests.wait_ns, 40 * S);
    assert_int_equal(d.tokens.wait_ns, 40 * S);
    mp_quota_destroy(q);
    /* A charge above MP_QUOTA_MAX_CHARGE is clamped, so sums cannot overflow. */
    q = make(0, MP_QUOTA_MAX_TPM, MP_QUOTA_SLIDING, false);
    assert_true(mp_quota_admit(q, NULL, 0, UINT64_MAX, T0, &a, &d));
    assert_int_equal(d.tokens.requested, MP_QUOTA_MAX_CHARGE);
    mp_quota_settle(q, &a, UINT64_MAX);
    mp_quota_usage_t u;
    mp_quota_usage(q, T0, &u);
    assert_int_equal(u.tokens, MP_QUOTA_MAX_CHARGE);
    mp_quota_destroy(q);
}

static void test_clock_going_back(void **state)
{
    mp_quota_t *q = make(1, 0, MP_QUOTA_SLIDING, false);
    mp_quota_decision_t d;
    assert_true(admit(q, T0 + 100 * S, &d));
    /* A `now` older than one already recorded (read on another thread) counts as the newest time. */
    assert_false(admit(q, T0 + 50 * S, &d));
    assert_int_equal(d.requests.wait_ns, 60 * S);
    assert_true(admit(q, T0 + 160 * S, &d));
    mp_quota_destroy(q);
}

static void test_per_key(void **state)
{
    mp_quota_t *q = make(1, 0, MP_QUOTA_SLIDING, true);
    mp_quota_ticket_t t;
    mp_quota_decision_t d;
    assert_true(mp_quota_admit(q, "sk-a", 4, 0, T0, &t, &d));
    mp_quota_settle(q, &t, 0);
    assert_true(mp_quota_admit(q, "sk-b", 4, 0, T0, &t, &d));
    mp_quota_settle(q, &t, 0);
    assert_false(mp_quota_admit(q, "sk-a", 4, 0, T0 + 1, &t, &d));
    assert_false(d.key_overflow);
    assert_false(mp_quota_admit(q, "sk-a-longer", 4, 0, T0 + 1, &t, &d)); /* the same 4 bytes: sk-a */
    assert_true(mp_quota_admit(q, NULL, 0, 0, T0, &t, &d));               /* the empty key */
    mp_quota_settle(q, &t, 0);
    mp_quota_usage_t u;
    mp_quota_usage(q, T0 + 1, &u);
    assert_int_equal(u.keys, 3);
    assert_int_equal(u.requests, 3);
    mp_quota_destroy(q);
}

static void test_per_key_bound(void **state)
{
    mp_quota_t *q = make(1, 0, MP_QUOTA_SLIDING, true);
    static mp_quota_ticket_t tickets[MP_QUOTA_MAX_KEYS];
    mp_quota_decision_t d;
    char key[32];
    for (unsigned i = 0; i < MP_QUOTA_MAX_KEYS; i++) {
        int n = snprintf(key, sizeof(key), "sk-%u", i);
        assert_true(mp_quota_admit(q, key, (size_t)n, 0, T0, &tickets[i], &d));
        assert_false(d.key_overflow);
    }
    /* One more key than the bound: it shares the overflow counters (limit 1 for all such keys). */
    mp_quota_ticket_t t;
    assert_true(mp_quota_admit(q, "sk-new", 6, 0, T0, &t, &d));
    assert_true(d.key_overflow);
    mp_quota_settle(q, &t, 0);
    assert_false(mp_quota_admit(q, "sk-other", 8, 0, T0, &t, &d));
    assert_true(d.key_overflow);
    /* Too long a key is never tracked on its own. */
    static char longkey[MP_QUOTA_MAX_KEY_LEN + 2];
    memset(longkey, 'k', sizeof(longkey) - 1);
    assert_false(mp_quota_admit(q, longkey, strlen(longkey), 0, T0, &t, &d));
    assert_true(d.key_overflow);
    /* A window later, keys with nothing left and no unsettled ticket make room; the ones holding an
     * unsettled ticket stay. */
    for (unsigned i = 0; i < MP_QUOTA_MAX_KEYS - 1; i++)
        mp_quota_settle(q, &tickets[i], 0);
    assert_true(mp_quota_admit(q, "sk-new", 6, 0, T0 + 61 * S, &t, &d));
    assert_false(d.key_overflow);
    mp_quota_settle(q, &t, 0);
    mp_quota_usage_t u;
    mp_quota_usage(q, T0 + 61 * S, &u);
    assert_int_equal(u.keys, 2);
    assert_int_equal(u.overflowed, 3);
    mp_quota_settle(q, &tickets[MP_QUOTA_MAX_KEYS - 1], 0);
    assert_int_equal(mp_quota_sweep(q, T0 + 200 * S), 2);
    mp_quota_destroy(q);
}

/* A key's ring holds MP_QUOTA_KEY_RING_MAX entries; a limit above that merges admissions. The engine must
 * then never admit more than the limit in any window, and may only hold capacity back. */
static void test_ring_bound_never_over_admits(void **state)
{
    enum { LIMIT = 2000, N = 20000 };
    mp_quota_t *q = make(LIMIT, 0, MP_QUOTA_SLIDING, true);
    uint64_t *log = calloc(N, sizeof(*log)), now = T0, s = 7;
    size_t nlog = 0, first = 0;
    mp_quota_ticket_t t;
    mp_quota_decision_t d;
    for (size_t i = 0; i < N; i++) {
        now += next_rand(&s) % (20 * MS);
        if (!mp_quota_admit(q, "k", 1, 0, now, &t, &d))
            continue;
        mp_quota_settle(q, &t, 0);
        log[nlog++] = now;
        while (now - log[first] >= 60 * S)
            first++;
        if (nlog - first > LIMIT)
            fail_msg("%zu admissions inside one window at +%llums (limit %d)", nlog - first,
                     (unsigned long long)((now - T0) / MS), LIMIT);
    }
    /* About 200 s of traffic at ~100/s against 2000 per minute: an exact log admits about 6,600; merging
     * may hold some back, but not most. */
    if (nlog < 5 * LIMIT / 2)
        fail_msg("only %zu admitted", nlog);
    free(log);
    mp_quota_destroy(q);
}

static void test_concurrency_queue(void **state)
{
    mp_quota_config_t c;
    mp_quota_config_defaults(&c);
    c.concurrency = 2;
    c.queue = 2;
    mp_quota_t *q;
    char why[128];
    assert_int_equal(mp_quota_create(&c, T0, &q, why, sizeof(why)), 0);
    mp_quota_waiter_t w[4];
    memset(w, 0, sizeof(w));
    uint32_t pos;
    assert_int_equal(mp_quota_acquire(q, &w[0], &pos), MP_QUOTA_SLOT_RUN);
    assert_int_equal(mp_quota_acquire(q, &w[1], &pos), MP_QUOTA_SLOT_RUN);
    w[2].cookie = &w[2];
    assert_int_equal(mp_quota_acquire(q, &w[2], &pos), MP_QUOTA_SLOT_QUEUED);
    assert_int_equal(pos, 1);
    assert_int_equal(mp_quota_acquire(q, &w[3], &pos), MP_QUOTA_SLOT_QUEUED);
    assert_int_equal(pos, 2);
    mp_quota_waiter_t extra;
    assert_int_equal(mp_quota_acquire(q, &extra, &pos), MP_QUOTA_SLOT_REJECTED);
    /* A release hands its slot to the oldest waiter. */
    mp_quota_waiter_t *woken = mp_quota_release(q);
    assert_ptr_equal(woken, &w[2]);
    assert_ptr_equal(woken->cookie, &w[2]);
    assert_false(mp_quota_cancel(q, &w[2])); /* already granted: it holds the slot */
    assert_true(mp_quota_cancel(q, &w[3]));  /* still queued: removed */
    mp_quota_usage_t u;
    mp_quota_usage(q, T0, &u);
    assert_int_equal(u.inflight, 2);
    assert_int_equal(u.queued, 0);
    assert_int_equal(u.rejected[MP_QUOTA_LIMIT_CONCURRENCY], 1);
    assert_null(mp_quota_release(q));
    assert_null(mp_quota_release(q));
    mp_quota_usage(q, T0, &u);
    assert_int_equal(u.inflight, 0);
    /* Without a queue a full limit refuses at once. */
    mp_quota_destroy(q);
    c.queue = 0;
    assert_int_equal(mp_quota_create(&c, T0, &q, why, sizeof(why)), 0);
    assert_int_equal(mp_quota_acquire(q, &w[0], NULL), MP_QUOTA_SLOT_RUN);
    assert_int_equal(mp_quota_acquire(q, &w[1], NULL), MP_QUOTA_SLOT_RUN);
    assert_int_equal(mp_quota_acquire(q, &w[2], NULL), MP_QUOTA_SLOT_REJECTED);
    mp_quota_destroy(q);
}

static void test_no_limits_and_config_check(void **state)
{
    mp_quota_t *q = make(0, 0, MP_QUOTA_SLIDING, false);
    mp_quota_ticket_t t;
    mp_quota_decision_t d;
    for (int i = 0; i < 100; i++)
        assert_true(mp_quota_admit(q, NULL, 0, 1000, T0, &t, &d));
    assert_null(t.counters);
    mp_quota_settle(q, &t, 5); /* an empty ticket is fine */
    assert_int_equal(mp_quota_acquire(q, NULL, NULL), MP_QUOTA_SLOT_RUN);
    mp_quota_destroy(q);
    mp_quota_config_t c;
    mp_quota_config_defaults(&c);
    char why[128];
    c.rpm = MP_QUOTA_MAX_RPM + 1;
    assert_int_equal(mp_quota_create(&c, 0, &q, why, sizeof(why)), -1);
    assert_string_equal(why, "rpm must be at most 10000000");
    assert_null(q);
    c.rpm = 1;
    c.queue = 3;
    assert_int_equal(mp_quota_create(&c, 0, &q, why, sizeof(why)), -1);
    assert_string_equal(why, "queue needs a concurrency limit");
    assert_string_equal(mp_quota_limit_name(MP_QUOTA_LIMIT_TOKENS), "tokens");
    assert_string_equal(mp_quota_limit_name(MP_QUOTA_LIMIT_CONCURRENCY), "concurrency");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_sliding_edges),
        cmocka_unit_test(test_sliding_matches_exact_log),
        cmocka_unit_test(test_fixed_windows),
        cmocka_unit_test(test_azure_ten_seconds),
        cmocka_unit_test(test_tokens_settle_down_and_up),
        cmocka_unit_test(test_settle_after_window_moved),
        cmocka_unit_test(test_too_large_and_refund),
        cmocka_unit_test(test_clock_going_back),
        cmocka_unit_test(test_per_key),
        cmocka_unit_test(test_per_key_bound),
        cmocka_unit_test(test_ring_bound_never_over_admits),
        cmocka_unit_test(test_concurrency_queue),
        cmocka_unit_test(test_no_limits_and_config_check),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
