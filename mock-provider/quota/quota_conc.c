/* The concurrency limit: a counter of requests in flight and a FIFO of caller-owned waiters, under a lock
 * of its own so that it never contends with the rate limits. Every operation is O(1). */
#include "mock-provider/quota/quota_internal.h"

#include <stddef.h>

enum { WAITER_IDLE, WAITER_QUEUED, WAITER_GRANTED, WAITER_CANCELLED };

static void push(mp_quota_t *q, mp_quota_waiter_t *w)
{
    w->next = NULL;
    w->prev = q->qtail;
    if (q->qtail != NULL)
        q->qtail->next = w;
    else
        q->qhead = w;
    q->qtail = w;
    q->queued++;
}

static void unlink_waiter(mp_quota_t *q, mp_quota_waiter_t *w)
{
    if (w->prev != NULL)
        w->prev->next = w->next;
    else
        q->qhead = w->next;
    if (w->next != NULL)
        w->next->prev = w->prev;
    else
        q->qtail = w->prev;
    w->prev = w->next = NULL;
    q->queued--;
}

mp_quota_slot_t mp_quota_acquire(mp_quota_t *q, mp_quota_waiter_t *w, uint32_t *position)
{
    if (position != NULL)
        *position = 0;
    if (q->cfg.concurrency == 0)
        return MP_QUOTA_SLOT_RUN;
    mp_quota_slot_t r;
    pthread_mutex_lock(&q->conc_lock);
    if (q->inflight < q->cfg.concurrency) {
        q->inflight++;
        r = MP_QUOTA_SLOT_RUN;
    } else if (w != NULL && q->queued < q->cfg.queue) {
        push(q, w);
        w->state = WAITER_QUEUED;
        if (position != NULL)
            *position = q->queued;
        r = MP_QUOTA_SLOT_QUEUED;
    } else {
        r = MP_QUOTA_SLOT_REJECTED;
    }
    pthread_mutex_unlock(&q->conc_lock);
    if (r == MP_QUOTA_SLOT_REJECTED)
        atomic_fetch_add_explicit(&q->rejected[MP_QUOTA_LIMIT_CONCURRENCY], 1, memory_order_relaxed);
    return r;
}

/* The slot is handed over rather than freed and retaken, so a newcomer on another thread cannot overtake
 * a waiter between the release and the wake-up. */
mp_quota_waiter_t *mp_quota_release(mp_quota_t *q)
{
    if (q->cfg.concurrency == 0)
        return NULL;
    pthread_mutex_lock(&q->conc_lock);
    mp_quota_waiter_t *w = q->qhead;
    if (w != NULL) {
        unlink_waiter(q, w);
        w->state = WAITER_GRANTED;
    } else if (q->inflight > 0) {
        q->inflight--;
    }
    pthread_mutex_unlock(&q->conc_lock);
    return w;
}

bool mp_quota_cancel(mp_quota_t *q, mp_quota_waiter_t *w)
{
    bool removed = false;
    pthread_mutex_lock(&q->conc_lock);
    if (w->state == WAITER_QUEUED) {
        unlink_waiter(q, w);
        w->state = WAITER_CANCELLED;
        removed = true;
    }
    pthread_mutex_unlock(&q->conc_lock);
    return removed;
}
