#include "common/slab.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/span.h"

/* A heap has a list of spans with room per zone and class, oldest first: an allocation takes the head, so
 * blocks gather in the oldest spans and the spans a burst added drain when it ends. */
#define NZONES 2u /* 0: most blocks; 1: blocks expected to live long */
#define NLISTS (CM_SPAN_CLASSES * NZONES)

typedef struct heap heap_t;
typedef cm_span_t span_t;

struct heap {
    span_t *head[NLISTS], *tail[NLISTS];
    span_t *empty; /* up to CM_SLAB_KEEP_EMPTY spans, linked by next */
    uint32_t nempty;
    uint64_t seq;
    _Atomic(void *) remote; /* blocks other threads freed, linked through their first word */
    atomic_bool owned;      /* a live thread allocates from it (changed under g_lock) */
    heap_t *next_heap;
};

static pthread_mutex_t g_lock = PTHREAD_MUTEX_INITIALIZER;
static heap_t *g_heaps;
static pthread_once_t g_once = PTHREAD_ONCE_INIT;
static pthread_key_t g_key;
static _Thread_local heap_t *t_heap;
static atomic_size_t g_mapped, g_spans, g_large;

static void unmap(span_t *s)
{
    atomic_fetch_sub_explicit(&g_mapped, s->len, memory_order_relaxed);
    if (s->cls == CM_SPAN_LARGE)
        atomic_fetch_sub_explicit(&g_large, 1, memory_order_relaxed);
    else
        atomic_fetch_sub_explicit(&g_spans, 1, memory_order_relaxed);
    cm_span_unmap(s);
}

/* ---- a zone and class's list of spans with room, oldest first ------------------------------------------ */

static void unlist(heap_t *h, span_t *s)
{
    if (s->prev != NULL)
        s->prev->next = s->next;
    else
        h->head[s->list] = s->next;
    if (s->next != NULL)
        s->next->prev = s->prev;
    else
        h->tail[s->list] = s->prev;
    s->prev = s->next = NULL;
}

/* Spans gaining room are mostly the recent ones, so the walk starts at the tail. */
static void enlist(heap_t *h, span_t *s)
{
    span_t *after = h->tail[s->list];
    while (after != NULL && after->seq > s->seq)
        after = after->prev;
    s->prev = after;
    s->next = after != NULL ? after->next : h->head[s->list];
    if (s->next != NULL)
        s->next->prev = s;
    else
        h->tail[s->list] = s;
    if (after != NULL)
        after->next = s;
    else
        h->head[s->list] = s;
}

/* A heap without a thread keeps no empty span: nothing would trim it. */
static void release_span(heap_t *h, span_t *s)
{
    unlist(h, s);
    if (h->nempty < CM_SLAB_KEEP_EMPTY && atomic_load_explicit(&h->owned, memory_order_relaxed)) {
        s->next = h->empty;
        h->empty = s;
        h->nempty++;
        return;
    }
    unmap(s);
}

static span_t *new_span(heap_t *h, uint32_t list)
{
    span_t *s = h->empty;
    bool fresh = s == NULL;
    if (!fresh) {
        h->empty = s->next;
        h->nempty--;
    } else {
        s = cm_span_map(CM_SPAN_SIZE);
        if (s == NULL)
            return NULL;
        atomic_fetch_add_explicit(&g_mapped, CM_SPAN_SIZE, memory_order_relaxed);
        atomic_fetch_add_explicit(&g_spans, 1, memory_order_relaxed);
    }
    s->heap = h;
    s->seq = ++h->seq;
    s->list = list;
    cm_span_init(s, list % CM_SPAN_CLASSES, fresh);
    s->prev = s->next = NULL;
    enlist(h, s);
    return s;
}

static void local_free(heap_t *h, span_t *s, void *p)
{
    bool was_full = s->live == s->cap;
    cm_span_put(s, p);
    if (was_full)
        enlist(h, s);
    if (s->live == 0)
        release_span(h, s);
}

/* ---- heaps and threads --------------------------------------------------------------------------------- */

/* Blocks other threads freed come home. */
static void take_remote(heap_t *h)
{
    void *p = atomic_exchange_explicit(&h->remote, NULL, memory_order_acquire);
    while (p != NULL) {
        void *next = *(void **)p;
        local_free(h, cm_span_of(p), p);
        p = next;
    }
}

static void drop_empties(heap_t *h)
{
    while (h->empty != NULL) {
        span_t *s = h->empty;
        h->empty = s->next;
        unmap(s);
    }
    h->nempty = 0;
}

/* Thread exit: the heap's blocks stay where they are; cm_slab_free frees them at once from now on. */
static void abandon(void *arg)
{
    heap_t *h = arg;
    take_remote(h);
    drop_empties(h);
    pthread_mutex_lock(&g_lock);
    atomic_store_explicit(&h->owned, false, memory_order_relaxed);
    pthread_mutex_unlock(&g_lock);
    t_heap = NULL;
}

static void make_key(void)
{
    if (pthread_key_create(&g_key, abandon) != 0)
        abort(); /* only when the process is out of thread keys at its first allocation */
}

static heap_t *claim_heap(void)
{
    pthread_once(&g_once, make_key);
    pthread_mutex_lock(&g_lock);
    heap_t *h = g_heaps;
    while (h != NULL && atomic_load_explicit(&h->owned, memory_order_relaxed))
        h = h->next_heap;
    if (h == NULL && (h = calloc(1, sizeof(*h))) != NULL) { /* heaps are never freed: spans point at them */
        h->next_heap = g_heaps;
        g_heaps = h;
    }
    if (h != NULL)
        atomic_store_explicit(&h->owned, true, memory_order_relaxed);
    pthread_mutex_unlock(&g_lock);
    if (h == NULL)
        return NULL;
    t_heap = h;
    pthread_setspecific(g_key, h);
    take_remote(h); /* frees that raced with the end of its last thread */
    return h;
}

/* A block of a heap whose thread has ended is freed at once, under the lock that keeps the heap from being
 * taken over meanwhile (with any frees that raced with the thread's end), so a thread's memory is unmapped
 * when the blocks it left are freed. Returns false when a thread took the heap over first. */
static bool free_unowned(heap_t *h, span_t *s, void *p)
{
    pthread_mutex_lock(&g_lock);
    bool unowned = !atomic_load_explicit(&h->owned, memory_order_relaxed);
    if (unowned) {
        take_remote(h);
        local_free(h, s, p);
    }
    pthread_mutex_unlock(&g_lock);
    return unowned;
}

/* ---- the interface ------------------------------------------------------------------------------------- */

static void *large_alloc(size_t n)
{
    size_t len = cm_span_large_len(n);
    span_t *s = len != 0 ? cm_span_map(len) : NULL;
    if (s == NULL)
        return NULL;
    s->heap = NULL;
    s->cls = CM_SPAN_LARGE;
    atomic_fetch_add_explicit(&g_mapped, len, memory_order_relaxed);
    atomic_fetch_add_explicit(&g_large, 1, memory_order_relaxed);
    return cm_span_large_block(s);
}

static void *zone_malloc(uint32_t zone, size_t n)
{
    if (n > CM_SLAB_MAX_SMALL)
        return large_alloc(n);
    heap_t *h = t_heap != NULL ? t_heap : claim_heap();
    if (h == NULL)
        return NULL;
    uint32_t list = zone * CM_SPAN_CLASSES + cm_span_class_of(n);
    span_t *s = h->head[list];
    if (s == NULL) {
        take_remote(h); /* may give this class room without a new span */
        s = h->head[list];
        if (s == NULL && (s = new_span(h, list)) == NULL)
            return NULL;
    }
    void *b = cm_span_take(s);
    if (s->live == s->cap)
        unlist(h, s);
    return b;
}

void *cm_slab_malloc(size_t n)
{
    return zone_malloc(0, n);
}

void *cm_slab_malloc_lasting(size_t n)
{
    return zone_malloc(1, n);
}

void cm_slab_free(void *p)
{
    if (p == NULL)
        return;
    span_t *s = cm_span_of(p);
    if (s->cls == CM_SPAN_LARGE) {
        unmap(s);
        return;
    }
    heap_t *h = s->heap;
    if (h == t_heap) {
        local_free(h, s, p);
        return;
    }
    if (!atomic_load_explicit(&h->owned, memory_order_relaxed) && free_unowned(h, s, p))
        return;
    void *old = atomic_load_explicit(&h->remote, memory_order_relaxed);
    do {
        *(void **)p = old;
    } while (!atomic_compare_exchange_weak_explicit(&h->remote, &old, p, memory_order_release, memory_order_relaxed));
}

void *cm_slab_calloc(size_t count, size_t size)
{
    if (size != 0 && count > SIZE_MAX / size)
        return NULL;
    void *p = cm_slab_malloc(count * size);
    if (p != NULL)
        memset(p, 0, count * size);
    return p;
}

size_t cm_slab_usable(const void *p)
{
    const span_t *s = cm_span_of(p);
    return s->cls == CM_SPAN_LARGE ? cm_span_large_usable(s) : s->size;
}

/* A block that still fits and would not waste more than half of itself stays where it is; one that moves
 * stays in its zone. */
static void *zone_realloc(uint32_t zone, void *p, size_t n)
{
    if (p == NULL)
        return zone_malloc(zone, n);
    const span_t *s = cm_span_of(p);
    size_t have = cm_slab_usable(p);
    if (n <= have && (n >= have / 2 || have <= 128))
        return p;
    void *q = zone_malloc(s->cls == CM_SPAN_LARGE ? zone : s->list / CM_SPAN_CLASSES, n);
    if (q == NULL)
        return NULL;
    memcpy(q, p, n < have ? n : have);
    cm_slab_free(p);
    return q;
}

void *cm_slab_realloc(void *p, size_t n)
{
    return zone_realloc(0, p, n);
}

void *cm_slab_realloc_lasting(void *p, size_t n)
{
    return zone_realloc(1, p, n);
}

char *cm_slab_strdup(const char *s)
{
    size_t n = strlen(s) + 1;
    char *p = cm_slab_malloc(n);
    if (p != NULL)
        memcpy(p, s, n);
    return p;
}

uint64_t cm_slab_span_seq(const void *p)
{
    const span_t *s = cm_span_of(p);
    return s->cls == CM_SPAN_LARGE ? 0 : s->seq;
}

/* Full spans have no free block, so the spans with free pages are all on the lists. */
void cm_slab_trim(void)
{
    heap_t *h = t_heap;
    if (h == NULL)
        return;
    take_remote(h);
    drop_empties(h);
    for (uint32_t l = 0; l < NLISTS; l++)
        for (span_t *s = h->head[l]; s != NULL; s = s->next)
            if (s->dirty)
                cm_span_purge(s);
}

void cm_slab_stats(cm_slab_stats_t *st)
{
    st->mapped = atomic_load_explicit(&g_mapped, memory_order_relaxed);
    st->spans = atomic_load_explicit(&g_spans, memory_order_relaxed);
    st->large = atomic_load_explicit(&g_large, memory_order_relaxed);
}
