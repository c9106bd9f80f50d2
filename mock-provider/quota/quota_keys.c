/* per_key counters: a bounded table from API key to its own counters. Every function runs under q->lock
 * (the same lock as the counters, so a key's counters cannot be dropped between lookup and use). */
#include "mock-provider/quota/quota_internal.h"

#include <stdlib.h>
#include <string.h>

#include "common/alloc.h"

/* Twice the keys, so linear probes stay short even when the table is full. */
#define NSLOTS (2u * MP_QUOTA_MAX_KEYS)

/* FNV-1a: keys are short, and the table is private to one deployment, so a simple hash is enough. */
static uint64_t hash_key(const char *key, size_t len)
{
    uint64_t h = 1469598103934665603ull;
    for (size_t i = 0; i < len; i++) {
        h ^= (unsigned char)key[i];
        h *= 1099511628211ull;
    }
    return h;
}

void mp_quota_keys_init(mp_quota_t *q)
{
    q->nslots = NSLOTS;
    q->slots = cm_xcalloc(q->nslots, sizeof(*q->slots));
}

void mp_quota_keys_free(mp_quota_t *q)
{
    for (uint32_t i = 0; q->slots != NULL && i < q->nslots; i++)
        if (q->slots[i] != NULL) {
            mp_quota_counters_free(q->slots[i]);
            free(q->slots[i]);
        }
    free(q->slots);
    q->slots = NULL;
    q->nkeys = 0;
}

/* The slot holding key, or the free slot where it would go. The table is never full (nkeys <= half). */
static uint32_t probe(const mp_quota_t *q, uint64_t h, const char *key, size_t len)
{
    uint32_t i = (uint32_t)(h & (q->nslots - 1));
    for (uint32_t n = 0; n < q->nslots; n++, i = (i + 1) & (q->nslots - 1)) {
        const mp_quota_counters_t *c = q->slots[i];
        if (c == NULL || (c->hash == h && c->key_len == len && memcmp(c->key, key, len) == 0))
            return i;
    }
    abort(); /* unreachable: at most half the slots are used */
}

static bool idle(const mp_quota_t *q, mp_quota_counters_t *c, uint64_t now)
{
    mp_quota_advance(q, c, now);
    return c->outstanding == 0 && c->req_used == 0 && c->tok_used == 0;
}

/* Rebuilds the table without the idle keys: O(keys), hence run at most once per window length on the
 * admission path (mp_quota_sweep may run it more often from a timer). */
size_t mp_quota_keys_sweep(mp_quota_t *q, uint64_t now)
{
    mp_quota_counters_t **old = q->slots;
    size_t dropped = 0;
    q->slots = cm_xcalloc(q->nslots, sizeof(*q->slots));
    q->nkeys = 0;
    for (uint32_t i = 0; i < q->nslots; i++) {
        mp_quota_counters_t *c = old[i];
        if (c == NULL)
            continue;
        if (idle(q, c, now)) {
            mp_quota_counters_free(c);
            free(c);
            dropped++;
            continue;
        }
        q->slots[probe(q, c->hash, c->key, c->key_len)] = c;
        q->nkeys++;
    }
    free(old);
    q->swept = true;
    q->last_sweep_ns = now;
    return dropped;
}

static bool may_sweep(const mp_quota_t *q, uint64_t now)
{
    return !q->swept || now - q->last_sweep_ns >= q->tok_window_ns || now < q->last_sweep_ns;
}

mp_quota_counters_t *mp_quota_key_counters(mp_quota_t *q, const char *key, size_t len, uint64_t now, bool *overflow)
{
    *overflow = false;
    if (len > MP_QUOTA_MAX_KEY_LEN) {
        *overflow = true;
        return &q->shared;
    }
    uint64_t h = hash_key(key, len);
    uint32_t i = probe(q, h, key, len);
    if (q->slots[i] != NULL)
        return q->slots[i];
    if (q->nkeys >= MP_QUOTA_MAX_KEYS && may_sweep(q, now)) {
        mp_quota_keys_sweep(q, now);
        i = probe(q, h, key, len);
    }
    if (q->nkeys >= MP_QUOTA_MAX_KEYS) {
        *overflow = true;
        return &q->shared;
    }
    mp_quota_counters_t *c = cm_xcalloc(1, sizeof(*c));
    mp_quota_counters_init(q, c, q->key_ring_max);
    c->hash = h;
    c->key_len = (uint32_t)len;
    c->key = cm_xmalloc(len + 1);
    memcpy(c->key, key, len);
    c->key[len] = '\0';
    q->slots[i] = c;
    q->nkeys++;
    return c;
}

void mp_quota_keys_usage(mp_quota_t *q, uint64_t now, uint64_t *req, uint64_t *tok)
{
    for (uint32_t i = 0; i < q->nslots; i++) {
        mp_quota_counters_t *c = q->slots[i];
        if (c == NULL)
            continue;
        mp_quota_advance(q, c, now);
        *req += c->req_used;
        *tok += c->tok_used;
    }
}
