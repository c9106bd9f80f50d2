/* mock-provider/snapshot.h — the settings of one deployment as an immutable, reference-counted snapshot, so
 * that the admin API can replace them while requests run, without a lock on the request path.
 *
 *   - A snapshot is a whole mp_deployment_t (latency, output_tokens, content, tool_calls, faults, limits,
 *     max_response, seed, models, keys, the provider's settings, its source text). Name, index, provider,
 *     ops and listen address are the same in every snapshot of a deployment.
 *   - A run holds the snapshot current on its worker when it starts and lets go when it is disposed: a
 *     request in flight keeps the configuration it started with. The last holder frees it. A run counts on
 *     its worker's hold (mp_snap_hold_t), not on the snapshot's shared count.
 *   - Publishing (mp_live_publish, admin thread only) stores the new snapshot in the deployment's live slot
 *     (an atomic pointer) and hands one reference to each worker through the worker's mailbox (an atomic
 *     pointer exchanged, never locked); the worker adopts it at its next loop iteration and counts itself in
 *     `adopted`. The worker's own reference is only touched on its thread, so taking a run's reference is a
 *     plain relaxed increment with no window where the snapshot could be freed between load and increment
 *     (the race a bare "load the pointer, then increment" has).
 *   - Quota engines: a snapshot whose limits are the same as the previous one's shares its engine (window
 *     state carried over); a snapshot with different limits gets a new engine (windows start empty). The
 *     engine is freed with the last snapshot that uses it.
 *   - Fault sets likewise: a snapshot whose faults are the same as the previous one's shares the set and its
 *     counters (first N, every k-th, draws go on); a replaced set starts afresh. */
#ifndef MP_SNAPSHOT_H
#define MP_SNAPSHOT_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include "mock-provider/deployment.h"

/* A quota engine shared by the snapshots whose limits are the same. */
typedef struct mp_quota_ref {
    atomic_uint refs;
    struct mp_quota *q;
    bool owned; /* false: the configuration's engine (mp_limits_free frees it) */
} mp_quota_ref_t;

/* A fault set shared by the snapshots whose faults are the same. */
typedef struct mp_faults_ref {
    atomic_uint refs;
    struct fx_set *set;
    bool owned; /* false: the configuration's set */
} mp_faults_ref_t;

typedef struct mp_snap {
    atomic_uint refs;
    atomic_uint adopted;     /* workers that adopted it (mp_live_publish waits for them) */
    uint64_t version;        /* 1 for the configuration's, then one more per publish */
    bool owned;              /* false: dep borrows the configuration's deployment (never freed here) */
    mp_quota_ref_t *quota;   /* NULL when unlimited */
    mp_faults_ref_t *faults; /* NULL when none */
    mp_deployment_t dep;
} mp_snap_t;

/* A snapshot of the configuration's deployment d (borrowed: d must outlive every reference), with one
 * reference held by the caller. Its quota is d->quota (not freed here). */
mp_snap_t *mp_snap_borrow(const mp_deployment_t *d);
/* A snapshot that owns *d (moved in; d is zeroed), one reference held by the caller. quota: the engine to
 * share (a reference is taken), or NULL to use d->quota as a new owned engine (NULL when unlimited). faults:
 * the set to share instead of d->faults (which is then freed), or NULL to own d->faults. */
mp_snap_t *mp_snap_own(mp_deployment_t *d, mp_quota_ref_t *quota, mp_faults_ref_t *faults);

static inline mp_snap_t *mp_snap_ref(mp_snap_t *s)
{
    atomic_fetch_add_explicit(&s->refs, 1, memory_order_relaxed);
    return s;
}
/* Drops a reference; the last one frees the snapshot (and its quota engine when no other snapshot uses it). */
void mp_snap_release(mp_snap_t *s);

/* One worker's hold on a snapshot. The runs of a worker count on the hold, with plain increments on the
 * worker's own thread, instead of on the snapshot's reference count: that count is shared by every worker,
 * so two atomic read-modify-writes per request on it moved its cache line between the threads. The hold owns
 * one reference to snap, dropped when the last holder goes: the worker while the snapshot is its current one
 * (until it adopts a newer one), and each run that started with it. Only its worker's thread touches it. */
typedef struct mp_snap_hold {
    mp_snap_t *snap;
    uint64_t holders;
} mp_snap_hold_t;

/* A hold taking over the caller's reference to s, with one holder (the caller: the worker). */
mp_snap_hold_t *mp_snap_hold(mp_snap_t *s);
static inline mp_snap_hold_t *mp_snap_hold_ref(mp_snap_hold_t *h)
{
    h->holders++;
    return h;
}
/* Drops one holder; the last one releases the snapshot's reference and frees h. */
void mp_snap_hold_put(mp_snap_hold_t *h);

#endif
