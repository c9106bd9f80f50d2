/* mock-provider/quota/quota.h — the quota engine: requests per minute, tokens per minute and concurrency of one
 * deployment, exact across worker threads. Provider-neutral: it decides and reports numbers; each provider
 * renders its own 429 body and rate-limit headers from them (quota_format.h helps with the strings).
 *
 * Typical request path (any worker thread; `now` is the monotonic clock, cm_now_ns(), or a test's fake):
 *
 *   mp_quota_ticket_t t;
 *   mp_quota_decision_t d;
 *   if (!mp_quota_admit(q, key, key_len, max_tokens, now, &t, &d))
 *       return render_429(&d);                      // d.hit, d.requests, d.tokens, d.retry_ns
 *   ... serve, then when the real usage is known:
 *   mp_quota_settle(q, &t, usage.total_tokens);      // exactly once per admitted ticket (or mp_quota_refund)
 *
 * Windows. `sliding`: at most N admissions in ANY interval of the window's length (half-open, so two
 * admissions exactly one window apart never share one). `fixed`: windows aligned on the start time given
 * to mp_quota_create. `azure`: requests are limited per 10 s to rpm/6 (rounded down, at least 1) in a
 * sliding 10 s window; tokens per minute in a sliding minute.
 *
 * Exact sliding windows in bounded memory. Each counter set keeps a ring of admission entries
 * (time, requests, tokens) in time order, with running sums for the request and token windows. An entry
 * leaves a window when it is one window length old. The ring grows by doubling up to MP_QUOTA_RING_MAX
 * entries (MP_QUOTA_KEY_RING_MAX for a per-key set; 24 bytes each), and never beyond the most admissions
 * the request limit allows in the token window. So the decisions are exact to the nanosecond whenever no
 * more admissions than the ring holds are inside a window: always for rpm <= MP_QUOTA_RING_MAX (per key:
 * <= MP_QUOTA_KEY_RING_MAX); for a tokens-only limit, up to that many admissions a minute. When the ring is
 * full, a new admission is merged into the newest entry, whose time moves to now: the merged admissions
 * then leave the window together, with the last of them. That never admits more than the limit in any
 * window; it only holds capacity back, by about window / ring size under steady traffic and by at most one
 * window. (A refund of an admission other than the newest leaves an empty entry that takes ring space.)
 *
 * Threads. One short critical section (a mutex held for amortised O(1) work: append, pop what expired)
 * guards a deployment's counters, so totals are exact across threads. A clock read on one thread can be a
 * little older than one already recorded by another; such a `now` is taken as the newest time recorded,
 * which again only errs towards admitting less. */
#ifndef MP_QUOTA_H
#define MP_QUOTA_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Bounds on what a config may ask for (quota_config.c checks them, mp_quota_create again). */
#define MP_QUOTA_MAX_RPM 10000000ull      /* requests per minute */
#define MP_QUOTA_MAX_TPM 10000000000ull   /* tokens per minute */
#define MP_QUOTA_MAX_CONCURRENCY 100000u  /* requests in flight */
#define MP_QUOTA_MAX_QUEUE 100000u        /* requests waiting for a concurrency slot */
#define MP_QUOTA_MAX_CHARGE 4294967295ull /* tokens charged or settled per request; larger values are clamped */
#define MP_QUOTA_RING_MAX 65536u          /* window entries of a deployment's counters (24 bytes each) */
#define MP_QUOTA_KEY_RING_MAX 512u        /* window entries of one key's counters */
/* per_key: at most this many distinct keys get counters of their own. A new key beyond it first makes the
 * engine drop keys that have nothing left in their windows and no unsettled ticket (at most once per window
 * length, since that walks every key); if the table is still full, the key shares one overflow set of
 * counters with every other untracked key (its decisions say key_overflow). Memory is therefore bounded:
 * MP_QUOTA_MAX_KEYS * MP_QUOTA_KEY_RING_MAX * 24 bytes at worst. */
#define MP_QUOTA_MAX_KEYS 4096u
#define MP_QUOTA_MAX_KEY_LEN 256u /* longer keys are not tracked on their own: they use the overflow counters */
#define MP_QUOTA_NEVER UINT64_MAX /* a wait that no amount of time ends (the request is larger than the limit) */

typedef enum mp_quota_window {
    MP_QUOTA_SLIDING,
    MP_QUOTA_FIXED,
    MP_QUOTA_AZURE,
} mp_quota_window_t;

/* What the caller charges at admission; the engine only sees the number. */
typedef enum mp_quota_charge {
    MP_QUOTA_CHARGE_MAX_TOKENS, /* the request's max_tokens (plus its prompt estimate, as OpenAI does) */
    MP_QUOTA_CHARGE_ESTIMATE,   /* the caller's estimate of the whole request */
} mp_quota_charge_t;

/* How a provider announces when to retry (quota_format.h renders it). */
typedef enum mp_retry_after_kind {
    MP_RETRY_AFTER_SECONDS,   /* retry-after: delta seconds, rounded up, at least 1 (and retry-after-ms) */
    MP_RETRY_AFTER_HTTP_DATE, /* retry-after: an IMF-fixdate */
    MP_RETRY_AFTER_MS,        /* retry-after-ms only */
    MP_RETRY_AFTER_NONE,      /* no retry header */
    MP_RETRY_AFTER_FIXED,     /* retry-after: a fixed text, right or wrong, to test client retry logic */
} mp_retry_after_kind_t;

#define MP_RETRY_AFTER_FIXED_MAX 63 /* characters of a fixed value */

typedef struct mp_retry_after {
    mp_retry_after_kind_t kind;
    char fixed[MP_RETRY_AFTER_FIXED_MAX + 1]; /* MP_RETRY_AFTER_FIXED: printable ASCII, no CR/LF */
} mp_retry_after_t;

/* A deployment's `limits:`. Zero means "no limit" for rpm, tpm and concurrency. */
typedef struct mp_quota_config {
    uint64_t rpm;
    uint64_t tpm;
    mp_quota_window_t window;
    bool per_key;         /* rpm and tpm count per API key instead of per deployment */
    uint32_t concurrency; /* always per deployment */
    uint32_t queue;       /* waiters allowed once `concurrency` requests are in flight */
    mp_retry_after_t retry_after;
    mp_quota_charge_t charge;
} mp_quota_config_t;

/* Sliding windows, no limits, retry-after in seconds, charge on max_tokens. */
void mp_quota_config_defaults(mp_quota_config_t *c);
/* Checks ranges and combinations; returns 0, or -1 with a reason in why (no position: the config reader
 * adds it). */
int mp_quota_config_check(const mp_quota_config_t *c, char *why, size_t whylen);

typedef enum mp_quota_limit {
    MP_QUOTA_LIMIT_NONE,
    MP_QUOTA_LIMIT_REQUESTS,
    MP_QUOTA_LIMIT_TOKENS,
    MP_QUOTA_LIMIT_CONCURRENCY,
    MP_QUOTA_LIMIT_COUNT,
} mp_quota_limit_t;

/* "requests", "tokens", "concurrency" ("none"): the `limit` label of mock_rate_limited_total. */
const char *mp_quota_limit_name(mp_quota_limit_t limit);

/* One limited quantity as seen by one request. All zero when that quantity is not limited. */
typedef struct mp_quota_dim {
    uint64_t limit;     /* per window (azure requests: rpm/6 per 10 s) */
    uint64_t used;      /* in the window now, including this request when it was admitted */
    uint64_t remaining; /* limit - used, 0 when used is over (a settlement can push it over) */
    uint64_t requested; /* 1 for requests, the charge for tokens */
    uint64_t wait_ns;   /* until `requested` fits: 0 when admitted, MP_QUOTA_NEVER when larger than the limit */
    uint64_t next_ns;   /* until the oldest usage counted now leaves the window (capacity starts to return) */
    uint64_t reset_ns;  /* until nothing used now is left in the window ("back to its initial state") */
    uint64_t window_ns;
} mp_quota_dim_t;

typedef struct mp_quota_decision {
    bool admitted;
    mp_quota_limit_t hit; /* the limit that refused (requests before tokens when both did); NONE if admitted */
    bool key_overflow;    /* per_key: decided on the shared overflow counters (see MP_QUOTA_MAX_KEYS) */
    mp_quota_dim_t requests;
    mp_quota_dim_t tokens;
    uint64_t retry_ns; /* the longest wait among the limits that refused: what retry-after announces */
} mp_quota_decision_t;

/* What an admission charged, to correct it later. Owned by the caller (e.g. inside its request); empty
 * (counters NULL) after settle or refund, and when no rate limit applies. */
typedef struct mp_quota_ticket {
    struct mp_quota_counters *counters;
    uint64_t seq;    /* sliding: the window entry; fixed: the window's index */
    uint64_t tokens; /* charged */
} mp_quota_ticket_t;

typedef struct mp_quota mp_quota_t;

/* Creates the engine for one deployment. start_ns is the monotonic time fixed windows are aligned on.
 * Returns 0, or -1 with a reason when cfg fails mp_quota_config_check. */
int mp_quota_create(const mp_quota_config_t *cfg, uint64_t start_ns, mp_quota_t **out, char *why, size_t whylen);
/* Frees q. Every thread must be done with it; tickets and waiters still held become invalid. */
void mp_quota_destroy(mp_quota_t *q);
const mp_quota_config_t *mp_quota_config(const mp_quota_t *q);

/* Admits one request charging `tokens` (clamped to MP_QUOTA_MAX_CHARGE), or refuses it without charging
 * anything. key/key_len name the API key (ignored unless per_key; NULL is the empty key). Fills *d always
 * and *t when admitted (t may be NULL when the charge will never be corrected). Thread-safe. Returns
 * d->admitted. */
bool mp_quota_admit(mp_quota_t *q, const char *key, size_t key_len, uint64_t tokens, uint64_t now_ns,
                    mp_quota_ticket_t *t, mp_quota_decision_t *d);
/* Replaces the ticket's charge by the real usage, at the admission's place in time: while that admission
 * is still inside the token window the window's usage moves by the difference (up or down, exactly);
 * once it has left, nothing is left to correct and nothing changes. Empties t. Thread-safe. */
void mp_quota_settle(mp_quota_t *q, mp_quota_ticket_t *t, uint64_t actual_tokens);
/* Takes the admission back (request and tokens) as far as it is still inside its windows, for a request
 * that was admitted but then never served (e.g. refused by the concurrency limit). Empties t. Taking back
 * the newest admission frees its ring entry; an older one leaves an empty entry until it expires. */
void mp_quota_refund(mp_quota_t *q, mp_quota_ticket_t *t);

/* Current usage for metrics and the admin API. Counters are summed over every key in per_key mode. */
typedef struct mp_quota_usage {
    uint64_t requests, tokens;               /* in the current windows */
    uint64_t requests_limit, tokens_limit;   /* per window (per key in per_key mode); 0 = none */
    uint32_t keys;                           /* keys with counters of their own */
    uint32_t inflight, queued;               /* concurrency */
    uint64_t rejected[MP_QUOTA_LIMIT_COUNT]; /* refusals since creation, by limit */
    uint64_t overflowed;                     /* requests decided on the overflow counters */
} mp_quota_usage_t;

void mp_quota_usage(mp_quota_t *q, uint64_t now_ns, mp_quota_usage_t *u);
/* per_key: drops keys whose windows are empty and which have no unsettled ticket. Returns how many. */
size_t mp_quota_sweep(mp_quota_t *q, uint64_t now_ns);

/* Concurrency. The engine only counts; queued requests live in the caller's structures and are woken by the
 * caller. A waiter is caller-owned memory (typically inside the request) that stays valid while queued. */
typedef struct mp_quota_waiter {
    void *owner;                         /* the caller's: e.g. the worker whose loop must be told */
    void *cookie;                        /* the caller's: e.g. the request */
    struct mp_quota_waiter *prev, *next; /* engine-private */
    int state;                           /* engine-private */
} mp_quota_waiter_t;

typedef enum mp_quota_slot {
    MP_QUOTA_SLOT_RUN,      /* a slot is held: call mp_quota_release when the request is done */
    MP_QUOTA_SLOT_QUEUED,   /* w is queued; it will be handed a slot by some mp_quota_release */
    MP_QUOTA_SLOT_REJECTED, /* the queue is full too */
} mp_quota_slot_t;

/* Takes a slot, or queues w (position: 1 for the head of the queue, at most `queue`), or refuses (counted
 * as a concurrency rejection). Without a concurrency limit always RUN. Thread-safe. */
mp_quota_slot_t mp_quota_acquire(mp_quota_t *q, mp_quota_waiter_t *w, uint32_t *position);
/* Gives a slot back (a release without a slot held is ignored). When a waiter is queued the slot passes
 * to the oldest one, which is unlinked and returned: the caller must then tell w->owner (from whichever
 * thread it runs on) that w->cookie may run; that request now holds the slot and releases it in its turn.
 * NULL when nobody waited. Thread-safe. */
mp_quota_waiter_t *mp_quota_release(mp_quota_t *q);
/* Takes a waiter that mp_quota_acquire queued out of the queue (client gone, queue timeout). true:
 * removed, it holds nothing. false: a release racing with this call already handed it a slot; it holds the
 * slot (and must release it) and its memory must stay valid until its owner has been told. */
bool mp_quota_cancel(mp_quota_t *q, mp_quota_waiter_t *w);

#endif
