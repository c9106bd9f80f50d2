/* The rate-limit half of the quota engine: windows, admission, settlement. Keys live in quota_keys.c and
 * the concurrency counter in quota_conc.c. */
#include "mock-provider/quota/quota_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/alloc.h"
#include "common/clock.h"

#define MINUTE_NS (60ull * CM_NS_PER_S)
#define AZURE_WINDOW_NS (10ull * CM_NS_PER_S)
#define RING_FIRST 64u /* entries allocated at first; the ring doubles from there */

#define AT(c, s) (&(c)->ring[(s) & ((c)->cap - 1)])

void mp_quota_config_defaults(mp_quota_config_t *c)
{
    memset(c, 0, sizeof(*c));
    c->window = MP_QUOTA_SLIDING;
    c->retry_after.kind = MP_RETRY_AFTER_SECONDS;
    c->charge = MP_QUOTA_CHARGE_MAX_TOKENS;
}

int mp_quota_config_check(const mp_quota_config_t *c, char *why, size_t whylen)
{
    if (c->rpm > MP_QUOTA_MAX_RPM)
        snprintf(why, whylen, "rpm must be at most %llu", MP_QUOTA_MAX_RPM);
    else if (c->tpm > MP_QUOTA_MAX_TPM)
        snprintf(why, whylen, "tpm must be at most %llu", MP_QUOTA_MAX_TPM);
    else if (c->concurrency > MP_QUOTA_MAX_CONCURRENCY)
        snprintf(why, whylen, "concurrency must be at most %u", MP_QUOTA_MAX_CONCURRENCY);
    else if (c->queue > MP_QUOTA_MAX_QUEUE)
        snprintf(why, whylen, "queue must be at most %u", MP_QUOTA_MAX_QUEUE);
    else if (c->queue > 0 && c->concurrency == 0)
        snprintf(why, whylen, "queue needs a concurrency limit");
    else if (c->per_key && c->rpm == 0 && c->tpm == 0)
        snprintf(why, whylen, "per_key needs rpm or tpm");
    else if (c->window > MP_QUOTA_AZURE || c->charge > MP_QUOTA_CHARGE_ESTIMATE ||
             c->retry_after.kind > MP_RETRY_AFTER_FIXED)
        snprintf(why, whylen, "unknown window, charge or retry_after kind");
    else
        return 0;
    return -1;
}

const char *mp_quota_limit_name(mp_quota_limit_t limit)
{
    static const char *const names[] = {"none", "requests", "tokens", "concurrency"};
    return limit < MP_QUOTA_LIMIT_COUNT ? names[limit] : "none";
}

/* An adaptive mutex spins briefly before sleeping: the critical sections are a few dozen instructions, so
 * a waiter usually gets the lock without a futex round trip, and a preempted holder still cannot make the
 * others burn a core. */
void mp_quota_lock_init(pthread_mutex_t *m)
{
    pthread_mutexattr_t a;
    pthread_mutexattr_init(&a);
#ifdef PTHREAD_ADAPTIVE_MUTEX_INITIALIZER_NP
    pthread_mutexattr_settype(&a, PTHREAD_MUTEX_ADAPTIVE_NP);
#endif
    pthread_mutex_init(m, &a);
    pthread_mutexattr_destroy(&a);
}

static uint32_t pow2_at_least(uint64_t v, uint32_t cap)
{
    uint32_t p = 1;
    while (p < v && p < cap)
        p <<= 1;
    return p;
}

void mp_quota_counters_init(const mp_quota_t *q, mp_quota_counters_t *c, uint32_t max_entries)
{
    memset(c, 0, sizeof(*c));
    if (q->cfg.window == MP_QUOTA_FIXED)
        return;
    /* No window can hold more admissions than the request limit allows in the longest window. */
    uint64_t most = max_entries;
    if (q->req_limit > 0)
        most = q->req_limit * (q->tok_window_ns / q->req_window_ns);
    c->max = pow2_at_least(most, max_entries);
    c->cap = c->max < RING_FIRST ? c->max : RING_FIRST;
    c->ring = cm_xcalloc(c->cap, sizeof(*c->ring));
}

void mp_quota_counters_free(mp_quota_counters_t *c)
{
    free(c->ring);
    free(c->key);
    memset(c, 0, sizeof(*c));
}

int mp_quota_create(const mp_quota_config_t *cfg, uint64_t start_ns, mp_quota_t **out, char *why, size_t whylen)
{
    *out = NULL;
    if (mp_quota_config_check(cfg, why, whylen) != 0)
        return -1;
    mp_quota_t *q = cm_xcalloc(1, sizeof(*q));
    q->cfg = *cfg;
    q->start_ns = start_ns;
    q->req_window_ns = cfg->window == MP_QUOTA_AZURE ? AZURE_WINDOW_NS : MINUTE_NS;
    q->tok_window_ns = MINUTE_NS;
    q->req_limit = cfg->rpm;
    if (cfg->window == MP_QUOTA_AZURE && cfg->rpm > 0)
        q->req_limit = cfg->rpm >= 6 ? cfg->rpm / 6 : 1;
    q->tok_limit = cfg->tpm;
    q->ring_max = MP_QUOTA_RING_MAX;
    q->key_ring_max = MP_QUOTA_KEY_RING_MAX;
    mp_quota_lock_init(&q->lock);
    mp_quota_lock_init(&q->conc_lock);
    mp_quota_counters_init(q, &q->shared, q->ring_max);
    if (cfg->per_key)
        mp_quota_keys_init(q);
    *out = q;
    return 0;
}

void mp_quota_destroy(mp_quota_t *q)
{
    if (q == NULL)
        return;
    mp_quota_keys_free(q);
    mp_quota_counters_free(&q->shared);
    pthread_mutex_destroy(&q->lock);
    pthread_mutex_destroy(&q->conc_lock);
    free(q);
}

const mp_quota_config_t *mp_quota_config(const mp_quota_t *q)
{
    return &q->cfg;
}

static uint64_t oldest(const mp_quota_counters_t *c)
{
    return c->req_tail < c->tok_tail ? c->req_tail : c->tok_tail;
}

static uint64_t fixed_index(const mp_quota_t *q, uint64_t now)
{
    return now < q->start_ns ? 0 : (now - q->start_ns) / MINUTE_NS;
}

/* Expiry is lazy: entries leave when the next caller looks. Each entry is popped once, so the cost is O(1)
 * per admission on average; after an idle period longer than the windows everything goes at once in O(1). */
uint64_t mp_quota_advance(const mp_quota_t *q, mp_quota_counters_t *c, uint64_t now)
{
    if (now < c->last_ns)
        now = c->last_ns;
    c->last_ns = now;
    if (q->cfg.window == MP_QUOTA_FIXED) {
        uint64_t k = fixed_index(q, now);
        if (k != c->fixed_k) {
            c->fixed_k = k;
            c->req_used = c->tok_used = 0;
        }
        return now;
    }
    if (c->head == oldest(c))
        return now;
    if (now - AT(c, c->head - 1)->t >= q->tok_window_ns && now - AT(c, c->head - 1)->t >= q->req_window_ns) {
        c->req_tail = c->tok_tail = c->head;
        c->req_used = c->tok_used = 0;
        return now;
    }
    while (c->req_tail < c->head && now - AT(c, c->req_tail)->t >= q->req_window_ns)
        c->req_used -= AT(c, c->req_tail++)->n;
    while (c->tok_tail < c->head && now - AT(c, c->tok_tail)->t >= q->tok_window_ns)
        c->tok_used -= AT(c, c->tok_tail++)->tokens;
    return now;
}

/* Doubling copies every live entry once; it happens at most log2(max / RING_FIRST) times per set. */
static bool grow(mp_quota_counters_t *c)
{
    if (c->cap >= c->max)
        return false;
    uint32_t cap = c->cap * 2;
    mp_quota_entry_t *ring = cm_xcalloc(cap, sizeof(*ring));
    for (uint64_t s = oldest(c); s < c->head; s++)
        ring[s & (cap - 1)] = *AT(c, s);
    free(c->ring);
    c->ring = ring;
    c->cap = cap;
    return true;
}

/* Records one admission; returns the sequence number of the entry holding it. */
static uint64_t append(mp_quota_counters_t *c, uint64_t now, uint64_t tokens)
{
    c->req_used += 1;
    c->tok_used += tokens;
    if (c->head - oldest(c) == c->cap && !grow(c)) {
        /* Merge into the newest entry, moving it to now. If it had left a window, it is counted there
         * again: with its new time it is inside, and over-counting only holds capacity back. */
        uint64_t s = c->head - 1;
        mp_quota_entry_t *e = AT(c, s);
        if (s < c->req_tail) {
            c->req_tail = s;
            c->req_used += e->n;
        }
        if (s < c->tok_tail) {
            c->tok_tail = s;
            c->tok_used += e->tokens;
        }
        e->t = now;
        e->n += 1;
        e->tokens += tokens;
        return s;
    }
    *AT(c, c->head) = (mp_quota_entry_t){.t = now, .tokens = tokens, .n = 1};
    return c->head++;
}

/* When enough of the oldest entries have left the window to free `need` units. */
static uint64_t sliding_wait(const mp_quota_counters_t *c, uint64_t from, uint64_t need, bool tokens, uint64_t window,
                             uint64_t now)
{
    uint64_t acc = 0;
    for (uint64_t s = from; s < c->head; s++) {
        const mp_quota_entry_t *e = AT(c, s);
        acc += tokens ? e->tokens : e->n;
        if (acc >= need)
            return e->t + window - now;
    }
    return window; /* not reached while the sums match the entries */
}

/* reset: when the newest counted entry leaves; next: when the oldest does. */
static void sliding_times(const mp_quota_counters_t *c, uint64_t tail, uint64_t used, uint64_t window, uint64_t now,
                          mp_quota_dim_t *d)
{
    if (d->limit == 0 || used == 0 || tail >= c->head)
        return;
    d->reset_ns = AT(c, c->head - 1)->t + window - now;
    d->next_ns = AT(c, tail)->t + window - now;
}

static void fill_dim(mp_quota_dim_t *d, uint64_t limit, uint64_t used, uint64_t requested, uint64_t window)
{
    memset(d, 0, sizeof(*d));
    if (limit == 0)
        return;
    d->limit = limit;
    d->used = used;
    d->remaining = used < limit ? limit - used : 0;
    d->requested = requested;
    d->window_ns = window;
}

/* Fills both dimensions from the counters (after the admission when it happened) and the waits of the
 * limits that refused. */
static void fill(const mp_quota_t *q, const mp_quota_counters_t *c, uint64_t now, uint64_t tokens,
                 mp_quota_decision_t *d)
{
    bool req_over = !d->admitted && q->req_limit > 0 && c->req_used + 1 > q->req_limit;
    bool tok_over = !d->admitted && q->tok_limit > 0 && c->tok_used + tokens > q->tok_limit;
    fill_dim(&d->requests, q->req_limit, c->req_used, 1, q->req_window_ns);
    fill_dim(&d->tokens, q->tok_limit, c->tok_used, tokens, q->tok_window_ns);
    if (q->cfg.window == MP_QUOTA_FIXED) {
        uint64_t end = q->start_ns + (fixed_index(q, now) + 1) * MINUTE_NS, left = end - now;
        d->requests.reset_ns = d->requests.next_ns = c->req_used > 0 && q->req_limit > 0 ? left : 0;
        d->tokens.reset_ns = d->tokens.next_ns = c->tok_used > 0 && q->tok_limit > 0 ? left : 0;
        d->requests.wait_ns = req_over ? left : 0;
        d->tokens.wait_ns = tok_over ? left : 0;
    } else {
        sliding_times(c, c->req_tail, c->req_used, q->req_window_ns, now, &d->requests);
        sliding_times(c, c->tok_tail, c->tok_used, q->tok_window_ns, now, &d->tokens);
        if (req_over)
            d->requests.wait_ns =
                sliding_wait(c, c->req_tail, c->req_used + 1 - q->req_limit, false, q->req_window_ns, now);
        if (tok_over && tokens <= q->tok_limit)
            d->tokens.wait_ns =
                sliding_wait(c, c->tok_tail, c->tok_used + tokens - q->tok_limit, true, q->tok_window_ns, now);
    }
    if (tok_over && tokens > q->tok_limit)
        d->tokens.wait_ns = MP_QUOTA_NEVER;
    d->hit = req_over ? MP_QUOTA_LIMIT_REQUESTS : tok_over ? MP_QUOTA_LIMIT_TOKENS : MP_QUOTA_LIMIT_NONE;
    d->retry_ns = req_over ? d->requests.wait_ns : 0;
    /* A request larger than the limit never fits; the window length is still a finite, honest answer. */
    uint64_t tw = d->tokens.wait_ns == MP_QUOTA_NEVER ? q->tok_window_ns : d->tokens.wait_ns;
    if (tok_over && tw > d->retry_ns)
        d->retry_ns = tw;
}

static bool fits(const mp_quota_t *q, const mp_quota_counters_t *c, uint64_t tokens)
{
    return (q->req_limit == 0 || c->req_used + 1 <= q->req_limit) &&
           (q->tok_limit == 0 || c->tok_used + tokens <= q->tok_limit);
}

bool mp_quota_admit(mp_quota_t *q, const char *key, size_t key_len, uint64_t tokens, uint64_t now_ns,
                    mp_quota_ticket_t *t, mp_quota_decision_t *d)
{
    memset(d, 0, sizeof(*d));
    if (tokens > MP_QUOTA_MAX_CHARGE)
        tokens = MP_QUOTA_MAX_CHARGE;
    if (q->req_limit == 0 && q->tok_limit == 0) {
        d->admitted = true;
        if (t != NULL)
            memset(t, 0, sizeof(*t));
        return true;
    }
    pthread_mutex_lock(&q->lock);
    mp_quota_counters_t *c = &q->shared;
    if (q->cfg.per_key)
        c = mp_quota_key_counters(q, key != NULL ? key : "", key != NULL ? key_len : 0, now_ns, &d->key_overflow);
    uint64_t now = mp_quota_advance(q, c, now_ns);
    d->admitted = fits(q, c, tokens);
    if (d->admitted) {
        uint64_t seq = q->cfg.window == MP_QUOTA_FIXED ? c->fixed_k : append(c, now, tokens);
        if (q->cfg.window == MP_QUOTA_FIXED) {
            c->req_used += 1;
            c->tok_used += tokens;
        }
        if (t != NULL) {
            c->outstanding++;
            *t = (mp_quota_ticket_t){.counters = c, .seq = seq, .tokens = tokens};
        }
    }
    fill(q, c, now, tokens, d);
    pthread_mutex_unlock(&q->lock);
    if (!d->admitted)
        atomic_fetch_add_explicit(&q->rejected[d->hit], 1, memory_order_relaxed);
    if (d->key_overflow)
        atomic_fetch_add_explicit(&q->overflowed, 1, memory_order_relaxed);
    return d->admitted;
}

/* Whether the ticket's admission is still counted in the token (tokens) or request window. */
static bool still_counted(const mp_quota_t *q, const mp_quota_counters_t *c, const mp_quota_ticket_t *t, bool tokens)
{
    if (q->cfg.window == MP_QUOTA_FIXED)
        return t->seq == c->fixed_k;
    return t->seq >= (tokens ? c->tok_tail : c->req_tail) && t->seq < c->head;
}

/* Both end a ticket: correct (or take back) what it charged while still counted, then let its counters go. */
static void close_ticket(mp_quota_t *q, mp_quota_ticket_t *t, uint64_t tokens, bool refund)
{
    mp_quota_counters_t *c = t->counters;
    if (c == NULL)
        return;
    if (tokens > MP_QUOTA_MAX_CHARGE)
        tokens = MP_QUOTA_MAX_CHARGE;
    pthread_mutex_lock(&q->lock);
    if (still_counted(q, c, t, true)) {
        /* The window's sum includes this ticket's charge, so subtracting it cannot go below zero. */
        c->tok_used = c->tok_used - t->tokens + tokens;
        if (q->cfg.window != MP_QUOTA_FIXED)
            AT(c, t->seq)->tokens = AT(c, t->seq)->tokens - t->tokens + tokens;
    }
    if (refund && still_counted(q, c, t, false)) {
        c->req_used -= 1;
        if (q->cfg.window != MP_QUOTA_FIXED)
            AT(c, t->seq)->n -= 1;
    }
    /* The usual refund takes back the newest admission: drop its entry so that it does not occupy a place
     * in a ring sized for admissions. (No ticket refers to an entry with no request left in it.) */
    if (refund && q->cfg.window != MP_QUOTA_FIXED && t->seq + 1 == c->head && AT(c, t->seq)->n == 0 &&
        AT(c, t->seq)->tokens == 0) {
        c->head--;
        c->req_tail = c->req_tail < c->head ? c->req_tail : c->head;
        c->tok_tail = c->tok_tail < c->head ? c->tok_tail : c->head;
    }
    c->outstanding--;
    pthread_mutex_unlock(&q->lock);
    memset(t, 0, sizeof(*t));
}

void mp_quota_settle(mp_quota_t *q, mp_quota_ticket_t *t, uint64_t actual_tokens)
{
    close_ticket(q, t, actual_tokens, false);
}

void mp_quota_refund(mp_quota_t *q, mp_quota_ticket_t *t)
{
    close_ticket(q, t, 0, true);
}

void mp_quota_usage(mp_quota_t *q, uint64_t now_ns, mp_quota_usage_t *u)
{
    memset(u, 0, sizeof(*u));
    u->requests_limit = q->req_limit;
    u->tokens_limit = q->tok_limit;
    pthread_mutex_lock(&q->lock);
    mp_quota_advance(q, &q->shared, now_ns);
    u->requests = q->shared.req_used;
    u->tokens = q->shared.tok_used;
    if (q->cfg.per_key) {
        mp_quota_keys_usage(q, now_ns, &u->requests, &u->tokens);
        u->keys = q->nkeys;
    }
    pthread_mutex_unlock(&q->lock);
    pthread_mutex_lock(&q->conc_lock);
    u->inflight = q->inflight;
    u->queued = q->queued;
    pthread_mutex_unlock(&q->conc_lock);
    for (int i = 0; i < MP_QUOTA_LIMIT_COUNT; i++)
        u->rejected[i] = atomic_load_explicit(&q->rejected[i], memory_order_relaxed);
    u->overflowed = atomic_load_explicit(&q->overflowed, memory_order_relaxed);
}

size_t mp_quota_sweep(mp_quota_t *q, uint64_t now_ns)
{
    if (!q->cfg.per_key)
        return 0;
    pthread_mutex_lock(&q->lock);
    size_t n = mp_quota_keys_sweep(q, now_ns);
    pthread_mutex_unlock(&q->lock);
    return n;
}
