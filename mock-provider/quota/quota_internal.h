/* mock-provider/quota/quota_internal.h — what quota.c, quota_keys.c and quota_conc.c share. Not for other modules:
 * they use quota.h. */
#ifndef MP_QUOTA_INTERNAL_H
#define MP_QUOTA_INTERNAL_H

#include <pthread.h>
#include <stdatomic.h>

#include "mock-provider/quota/quota.h"

/* One admission, or several merged when the ring was full (quota.h explains the merge). */
typedef struct mp_quota_entry {
    uint64_t t;      /* monotonic ns */
    uint64_t tokens; /* charged, as corrected by settlements */
    uint32_t n;      /* requests */
} mp_quota_entry_t;

/* One set of counters: the deployment's, one key's, or (per_key) the overflow set. Guarded by q->lock.
 * Sliding windows: entries with sequence numbers [req_tail, head) are inside the request window and
 * [tok_tail, head) inside the token window; the ring holds [min(req_tail, tok_tail), head). Fixed windows
 * use only the sums and fixed_k. */
typedef struct mp_quota_counters {
    mp_quota_entry_t *ring;
    uint32_t cap; /* a power of two, 0 for fixed windows */
    uint32_t max; /* cap grows up to this */
    uint64_t head, req_tail, tok_tail;
    uint64_t req_used, tok_used;
    uint64_t last_ns;     /* newest time recorded; earlier `now`s are raised to it */
    uint64_t fixed_k;     /* fixed windows: index of the window the sums count */
    uint64_t outstanding; /* tickets not yet settled or refunded: a key set is not dropped while any */
    uint64_t hash;        /* key sets: */
    uint32_t key_len;
    char *key;
} mp_quota_counters_t;

struct mp_quota {
    mp_quota_config_t cfg;
    uint64_t start_ns;
    uint64_t req_window_ns, tok_window_ns;
    uint64_t req_limit, tok_limit; /* per window; 0 = none */
    uint32_t ring_max, key_ring_max;

    /* The rate-limit lock, on cache lines of its own: every thread takes it for every admission. */
    char pad0[64];
    pthread_mutex_t lock;
    mp_quota_counters_t shared;  /* the deployment's counters; per_key: the overflow set */
    mp_quota_counters_t **slots; /* per_key: open addressing, linear probing; NULL = free */
    uint32_t nslots, nkeys;
    uint64_t last_sweep_ns;
    bool swept;

    char pad1[64];
    pthread_mutex_t conc_lock;
    uint32_t inflight, queued;
    mp_quota_waiter_t *qhead, *qtail;

    char pad2[64];
    _Atomic uint64_t rejected[MP_QUOTA_LIMIT_COUNT];
    _Atomic uint64_t overflowed;
};

/* quota.c */
void mp_quota_lock_init(pthread_mutex_t *m);
void mp_quota_counters_init(const mp_quota_t *q, mp_quota_counters_t *c, uint32_t max_entries);
void mp_quota_counters_free(mp_quota_counters_t *c);
/* Moves the windows to now (raised to c->last_ns) and returns that time. */
uint64_t mp_quota_advance(const mp_quota_t *q, mp_quota_counters_t *c, uint64_t now);

/* quota_keys.c (q->lock held) */
void mp_quota_keys_init(mp_quota_t *q);
void mp_quota_keys_free(mp_quota_t *q);
/* The counters of key, created on first use; the overflow set (and *overflow true) when the table is full
 * or the key too long. */
mp_quota_counters_t *mp_quota_key_counters(mp_quota_t *q, const char *key, size_t len, uint64_t now, bool *overflow);
/* Adds every key's window usage to *req and *tok. */
void mp_quota_keys_usage(mp_quota_t *q, uint64_t now, uint64_t *req, uint64_t *tok);
size_t mp_quota_keys_sweep(mp_quota_t *q, uint64_t now);

#endif
