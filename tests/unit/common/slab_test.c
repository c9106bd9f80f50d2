/* tests/unit/common/slab_test.c — cm_slab and its spans (common/slab.c, common/span.c): sizes and alignment,
 * contents kept through realloc, memory unmapped after a burst even with blocks that stay, oldest spans and
 * lowest blocks used first, free pages given back by the trim, large blocks, bad frees, and blocks freed on
 * other threads (also after their thread ended). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "common/slab.h"

#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#if defined(__SANITIZE_ADDRESS__)
#include <sanitizer/asan_interface.h>
#define TEST_ASAN 1
#endif

#define SPAN (256u * 1024u)

static size_t mapped(void)
{
    cm_slab_stats_t st;
    cm_slab_trim();
    cm_slab_stats(&st);
    return st.mapped;
}

static uintptr_t span_of(const void *p)
{
    return (uintptr_t)p & ~(uintptr_t)(SPAN - 1);
}

static void test_sizes_and_alignment(void **state)
{
    (void)state;
    size_t before = mapped();
    size_t prev = 0;
    for (size_t n = 0; n <= CM_SLAB_MAX_SMALL + 1; n++) {
        unsigned char *p = cm_slab_malloc(n);
        assert_non_null(p);
        assert_int_equal((uintptr_t)p % 16, 0);
        size_t u = cm_slab_usable(p);
        if (u < n || u < prev || (n > 16 && u - n >= u / 4 + 16)) {
            fail_msg("size %zu got usable %zu (previous size's %zu)", n, u, prev);
        }
        prev = u;
        if (n > 0) { /* the whole block is writable (ASan checks) */
            p[0] = 1;
            p[u - 1] = 2;
        }
        cm_slab_free(p);
    }
    cm_slab_free(NULL);
    assert_int_equal(mapped(), before);
}

static void fill(unsigned char *p, size_t n, unsigned seed)
{
    for (size_t i = 0; i < n; i++)
        p[i] = (unsigned char)(seed * 31u + i);
}

static int check(const unsigned char *p, size_t n, unsigned seed)
{
    for (size_t i = 0; i < n; i++)
        if (p[i] != (unsigned char)(seed * 31u + i))
            return 0;
    return 1;
}

/* Many blocks of mixed sizes live at once keep their contents; freed in a shuffled order, everything goes. */
static void test_contents_and_return(void **state)
{
    (void)state;
    enum { N = 5000 };
    static unsigned char *blk[N];
    static size_t len[N];
    size_t before = mapped();
    unsigned r = 12345;
    for (unsigned i = 0; i < N; i++) {
        r = r * 1103515245u + 12345u;
        len[i] = (r >> 8) % (i % 50 == 0 ? 70000u : 3000u);
        blk[i] = cm_slab_malloc(len[i]);
        assert_non_null(blk[i]);
        fill(blk[i], len[i], i);
    }
    for (unsigned i = 0; i < N; i++)
        if (!check(blk[i], len[i], i))
            fail_msg("block %u (%zu bytes) was overwritten", i, len[i]);
    for (unsigned i = N - 1; i > 0; i--) {
        r = r * 1103515245u + 12345u;
        unsigned j = (r >> 8) % (i + 1);
        unsigned char *t = blk[i];
        size_t tl = len[i];
        blk[i] = blk[j];
        len[i] = len[j];
        blk[j] = t;
        len[j] = tl;
    }
    for (unsigned i = 0; i < N; i++)
        cm_slab_free(blk[i]);
    assert_int_equal(mapped(), before);
}

/* The case glibc fails: a burst of transfer-sized blocks, with small blocks that stay allocated among them
 * (a socket's event slot, one per connection the burst opened). Once the burst's blocks are freed, what stays
 * mapped is the small blocks' spans, not the burst's. */
static void test_burst_returns(void **state)
{
    (void)state;
    enum { B = 2000 };
    static void *big[B], *small[B], *stay[B];
    size_t before = mapped();
    for (int i = 0; i < B; i++) {
        big[i] = cm_slab_malloc(16385);
        small[i] = cm_slab_malloc(1496);
        stay[i] = cm_slab_malloc(16);
        assert_true(big[i] && small[i] && stay[i]);
        memset(big[i], 7, 16385);
        memset(small[i], 7, 1496);
    }
    size_t peak = mapped();
    assert_true(peak - before > (size_t)B * 16385);
    for (int i = 0; i < B; i++) {
        cm_slab_free(big[i]);
        cm_slab_free(small[i]);
    }
    size_t after = mapped();
    if (after - before > 2 * SPAN)
        fail_msg("after the burst %zu bytes stay mapped beyond the %zu before (peak %zu)", after - before, before,
                 peak);
    for (int i = 0; i < B; i++)
        cm_slab_free(stay[i]);
    assert_int_equal(mapped(), before);
}

/* After a burst, new blocks go to the oldest span with room, so the burst's spans can drain. */
static void test_oldest_span_first(void **state)
{
    (void)state;
    enum { B = 400 };
    static void *burst[B];
    void *old = cm_slab_malloc(5000); /* class 5120: 51 to a span */
    for (int i = 0; i < B; i++)
        burst[i] = cm_slab_malloc(5000);
    /* Free all but the last block of the burst; then free half of the first span's blocks. */
    for (int i = 0; i < B - 1; i++)
        if (span_of(burst[i]) != span_of(old) || i % 2 == 0) {
            cm_slab_free(burst[i]);
            burst[i] = NULL;
        }
    for (int i = 0; i < 20; i++) {
        void *p = cm_slab_malloc(5000);
        assert_int_equal(span_of(p), span_of(old));
        cm_slab_free(p);
    }
    for (int i = 0; i < B; i++)
        cm_slab_free(burst[i]);
    cm_slab_free(old);
}

static void test_realloc_calloc_strdup(void **state)
{
    (void)state;
    size_t before = mapped();
    unsigned char *p = cm_slab_realloc(NULL, 10);
    assert_non_null(p);
    fill(p, 10, 1);
    size_t sizes[] = {20, 100, 1000, 5000, 40000, 200000, 3000, 50, 0};
    size_t have = 10;
    for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
        size_t keep = have < sizes[i] ? have : sizes[i];
        unsigned char *q = cm_slab_realloc(p, sizes[i]);
        assert_non_null(q);
        if (!check(q, keep, 1))
            fail_msg("realloc to %zu lost the first %zu bytes", sizes[i], keep);
        assert_true(cm_slab_usable(q) >= sizes[i]);
        fill(q, sizes[i], 1);
        p = q;
        have = sizes[i];
    }
    unsigned char *same = cm_slab_realloc(p, 1); /* shrinking within a small class stays in place */
    assert_ptr_equal(same, p);
    cm_slab_free(same);

    unsigned char *g = cm_slab_malloc(300);
    memset(g, 0xff, 300);
    cm_slab_free(g);
    unsigned char *z = cm_slab_calloc(30, 10); /* likely the block just freed: zeroed anyway */
    for (int i = 0; i < 300; i++)
        assert_int_equal(z[i], 0);
    cm_slab_free(z);
    assert_null(cm_slab_calloc(SIZE_MAX / 2, 4));
    char *s = cm_slab_strdup("soak");
    assert_string_equal(s, "soak");
    cm_slab_free(s);
    assert_int_equal(mapped(), before);
}

static void test_large_blocks(void **state)
{
    (void)state;
    cm_slab_stats_t st0, st1;
    size_t before = mapped();
    cm_slab_stats(&st0);
    unsigned char *p = cm_slab_malloc(CM_SLAB_MAX_SMALL + 1);
    unsigned char *q = cm_slab_malloc(5u << 20);
    assert_true(p && q);
    assert_int_equal((uintptr_t)q % 16, 0);
    assert_true(cm_slab_usable(q) >= (5u << 20));
    memset(q, 3, 5u << 20);
    cm_slab_stats(&st1);
    assert_int_equal(st1.large, st0.large + 2);
    assert_true(st1.mapped >= before + (5u << 20));
    cm_slab_free(p);
    cm_slab_free(q);
    assert_int_equal(mapped(), before);
}

/* Runs fn on a thread of its own, so that it starts with a heap holding no blocks. */
static void on_own_thread(void *(*fn)(void *))
{
    pthread_t t;
    assert_int_equal(pthread_create(&t, NULL, fn, NULL), 0);
    pthread_join(t, NULL);
}

static void *lowest_first(void *arg)
{
    (void)arg;
    char *b[8];
    for (int i = 0; i < 8; i++)
        b[i] = cm_slab_malloc(64);
    for (int i = 1; i < 8; i++)
        assert_true(b[i] == b[i - 1] + 64); /* one after the other */
    cm_slab_free(b[2]);
    cm_slab_free(b[5]);
    char *again = cm_slab_malloc(64); /* the lowest free block, not the last one freed */
    assert_ptr_equal(again, b[2]);
    b[2] = again;
    for (int i = 0; i < 8; i++)
        if (i != 5)
            cm_slab_free(b[i]);
    return NULL;
}

static void test_lowest_block_first(void **state)
{
    (void)state;
    on_own_thread(lowest_first);
}

static size_t resident_pages(const void *span)
{
    unsigned char vec[SPAN / 4096];
    assert_int_equal(mincore((void *)span, SPAN, vec), 0);
    size_t n = 0;
    for (size_t i = 0; i < sizeof(vec); i++)
        n += vec[i] & 1;
    return n;
}

/* A span that keeps one block after most of it was used holds its pages until the trim gives back those of
 * the free blocks. */
static void *purge(void *arg)
{
    (void)arg;
    enum { N = 200 };
    char *b[N];
    for (int i = 0; i < N; i++) {
        b[i] = cm_slab_malloc(1000); /* class 1024: 255 to a span */
        memset(b[i], 1, 1000);
        assert_int_equal(span_of(b[i]), span_of(b[0]));
    }
    size_t touched = resident_pages((void *)span_of(b[0]));
    assert_true(touched >= N / 4);
    for (int i = 1; i < N; i++)
        cm_slab_free(b[i]);
    assert_int_equal(resident_pages((void *)span_of(b[0])), touched); /* freed, not yet given back */
    cm_slab_trim();
    size_t left = resident_pages((void *)span_of(b[0]));
    if (left > 2)
        fail_msg("%zu pages resident after the trim (%zu before): the header's and the block's expected", left,
                 touched);
    assert_int_equal(b[0][999], 1);
    cm_slab_free(b[0]);
    return NULL;
}

static void test_trim_gives_back_pages(void **state)
{
    (void)state;
    on_own_thread(purge);
}

/* Runs fn in a child process and expects it to abort. */
static void expect_abort(void (*fn)(void))
{
    fflush(NULL);
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        fclose(stderr); /* the message is expected */
        fn();
        _exit(0);
    }
    int status;
    assert_int_equal(waitpid(pid, &status, 0), pid);
    assert_true(WIFSIGNALED(status));
    assert_int_equal(WTERMSIG(status), SIGABRT);
}

static void double_free(void)
{
    void *p = cm_slab_malloc(40);
    cm_slab_free(p);
    cm_slab_free(p);
}

static void inner_free(void)
{
    char *p = cm_slab_malloc(40);
    cm_slab_free(p + 16);
}

static void test_bad_frees_abort(void **state)
{
    (void)state;
    expect_abort(double_free);
    expect_abort(inner_free);
}

#ifdef TEST_ASAN
static void test_free_blocks_poisoned(void **state)
{
    (void)state;
    char *p = cm_slab_malloc(100);
    assert_false(__asan_address_is_poisoned(p));
    cm_slab_free(p);
    assert_true(__asan_address_is_poisoned(p));
    char *q = cm_slab_malloc(100); /* the same block again: usable */
    assert_false(__asan_address_is_poisoned(q + 99));
    cm_slab_free(q);
}
#endif

/* ---- threads -------------------------------------------------------------------------------------------- */

enum { T_BLOCKS = 3000 };

typedef struct handoff {
    void *blk[T_BLOCKS];
    pthread_mutex_t mu;
    pthread_cond_t cv;
    int stage; /* 1: blocks allocated; 2: the other thread freed them */
    int trim_then_exit;
} handoff_t;

static void *allocating_thread(void *arg)
{
    handoff_t *h = arg;
    for (int i = 0; i < T_BLOCKS; i++) {
        h->blk[i] = cm_slab_malloc((size_t)(16 + (i % 40) * 100));
        memset(h->blk[i], i & 0xff, 16);
    }
    pthread_mutex_lock(&h->mu);
    h->stage = 1;
    pthread_cond_broadcast(&h->cv);
    if (h->trim_then_exit) {
        while (h->stage != 2)
            pthread_cond_wait(&h->cv, &h->mu);
    }
    pthread_mutex_unlock(&h->mu);
    if (h->trim_then_exit)
        cm_slab_trim(); /* takes in the blocks the main thread freed */
    return NULL;
}

static void free_all(handoff_t *h)
{
    for (int i = 0; i < T_BLOCKS; i++)
        cm_slab_free(h->blk[i]);
}

/* Blocks freed by another thread while their own thread lives: its trim takes them in and unmaps. */
static void test_free_on_other_thread(void **state)
{
    (void)state;
    size_t before = mapped();
    static handoff_t h = {.mu = PTHREAD_MUTEX_INITIALIZER, .cv = PTHREAD_COND_INITIALIZER, .trim_then_exit = 1};
    pthread_t t;
    assert_int_equal(pthread_create(&t, NULL, allocating_thread, &h), 0);
    pthread_mutex_lock(&h.mu);
    while (h.stage != 1)
        pthread_cond_wait(&h.cv, &h.mu);
    pthread_mutex_unlock(&h.mu);
    free_all(&h);
    pthread_mutex_lock(&h.mu);
    h.stage = 2;
    pthread_cond_broadcast(&h.cv);
    pthread_mutex_unlock(&h.mu);
    pthread_join(t, NULL);
    assert_int_equal(mapped(), before);
}

static void *touch_thread(void *arg)
{
    (void)arg;
    cm_slab_free(cm_slab_malloc(8)); /* takes over a heap no thread owns */
    cm_slab_trim();
    return NULL;
}

/* Blocks freed after their thread ended are let go at once; the next thread to allocate takes the heap over. */
static void test_free_after_thread_ended(void **state)
{
    (void)state;
    size_t before = mapped();
    static handoff_t h = {.mu = PTHREAD_MUTEX_INITIALIZER, .cv = PTHREAD_COND_INITIALIZER};
    pthread_t t;
    assert_int_equal(pthread_create(&t, NULL, allocating_thread, &h), 0);
    pthread_join(t, NULL);
    for (int i = 0; i < T_BLOCKS; i++)
        if (*(unsigned char *)h.blk[i] != (i & 0xff))
            fail_msg("block %d changed after its thread ended", i);
    free_all(&h);
    assert_int_equal(mapped(), before);
    assert_int_equal(pthread_create(&t, NULL, touch_thread, NULL), 0);
    pthread_join(t, NULL);
    assert_int_equal(mapped(), before);
}

/* Two threads allocate and each frees half of the other's blocks as they go (bounded rounds). */
enum { PP_ROUNDS = 200, PP_BATCH = 64 };
typedef struct pingpong {
    void *box[2][PP_BATCH];
    pthread_barrier_t bar;
} pingpong_t;

static pingpong_t pp;

static void *pingpong_thread(void *arg)
{
    int me = (int)(intptr_t)arg;
    for (int r = 0; r < PP_ROUNDS; r++) {
        for (int i = 0; i < PP_BATCH; i++) {
            pp.box[me][i] = cm_slab_malloc((size_t)(1 + (r * 7 + i * 13) % 2000));
            memset(pp.box[me][i], me, 1);
        }
        pthread_barrier_wait(&pp.bar);
        for (int i = 0; i < PP_BATCH; i++) /* half of the other thread's blocks: evens here, odds there */
            if (i % 2 == me) {
                assert_int_equal(*(unsigned char *)pp.box[1 - me][i], 1 - me);
                cm_slab_free(pp.box[1 - me][i]);
            }
        pthread_barrier_wait(&pp.bar);
        for (int i = 0; i < PP_BATCH; i++) /* and the half of its own the other thread left */
            if (i % 2 == me)
                cm_slab_free(pp.box[me][i]);
        pthread_barrier_wait(&pp.bar);
    }
    cm_slab_trim();
    return NULL;
}

static void test_cross_thread_traffic(void **state)
{
    (void)state;
    size_t before = mapped();
    pthread_barrier_init(&pp.bar, NULL, 2);
    pthread_t a, b;
    assert_int_equal(pthread_create(&a, NULL, pingpong_thread, (void *)(intptr_t)0), 0);
    assert_int_equal(pthread_create(&b, NULL, pingpong_thread, (void *)(intptr_t)1), 0);
    pthread_join(a, NULL);
    pthread_join(b, NULL);
    pthread_barrier_destroy(&pp.bar);
    assert_int_equal(mapped(), before);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_sizes_and_alignment),   cmocka_unit_test(test_contents_and_return),
        cmocka_unit_test(test_burst_returns),         cmocka_unit_test(test_oldest_span_first),
        cmocka_unit_test(test_realloc_calloc_strdup), cmocka_unit_test(test_large_blocks),
        cmocka_unit_test(test_lowest_block_first),    cmocka_unit_test(test_trim_gives_back_pages),
        cmocka_unit_test(test_bad_frees_abort),
#ifdef TEST_ASAN
        cmocka_unit_test(test_free_blocks_poisoned),
#endif
        cmocka_unit_test(test_free_on_other_thread),  cmocka_unit_test(test_free_after_thread_ended),
        cmocka_unit_test(test_cross_thread_traffic),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
