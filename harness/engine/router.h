/* harness/engine/router.h — spreading a load over several targets (the deployments of `soak run` with
 * `target: deployments`, or a list of URLs) the way a gateway's router does, modelled on LiteLLM's: pick a
 * target by policy among those not cooling down; a target that answers 429 cools down for its Retry-After
 * (or the configured time) and the request is sent again, once by default, to another target. When every
 * target is cooling down the policy picks among all of them (LiteLLM answers such a request with its own
 * 429; here the provider's 429 is counted, so that every request is accounted for on the provider's side).
 *
 * The cooldown table is shared by the engine threads (one atomic per target); the round-robin cursor is each
 * thread's own. */
#ifndef HX_ROUTER_H
#define HX_ROUTER_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include "common/dist.h"

#define HX_MAX_TARGETS 64
#define HX_ROUTER_RETRIES_MAX 3
#define HX_ROUTER_COOLDOWN_DEFAULT_NS (5ull * 1000 * 1000 * 1000)

typedef enum hx_route_policy {
    HX_ROUTE_SHUFFLE,     /* uniformly at random among the targets not cooling down */
    HX_ROUTE_ROUND_ROBIN, /* in turn, skipping those cooling down */
} hx_route_policy_t;

typedef struct hx_router_cfg {
    hx_route_policy_t policy;
    uint64_t cooldown_ns; /* when a 429 carries no Retry-After */
    uint32_t retries;     /* sends to other targets after a 429, 0..HX_ROUTER_RETRIES_MAX */
} hx_router_cfg_t;

typedef struct hx_router {
    const hx_router_cfg_t *cfg;
    uint32_t ntargets;
    _Atomic uint64_t *cooled_until; /* [ntargets] CLOCK_MONOTONIC ns; shared by every thread */
} hx_router_t;

/* Picks a target at now: by policy among those not cooling down, never `avoid` (UINT32_MAX: none) unless it is
 * the only target; when all are cooling down, by policy among all. cursor is the calling thread's
 * round-robin position. Returns an index below ntargets. */
uint32_t hx_router_pick(const hx_router_t *r, uint64_t now, uint32_t avoid, uint32_t *cursor, cm_rng_t *rng);

/* True when some target other than t is not cooling down at now. */
bool hx_router_has_other(const hx_router_t *r, uint64_t now, uint32_t t);

/* Target t answered 429 at now: it cools down for retry_after_ms (negative: the configured cooldown). */
void hx_router_cool(hx_router_t *r, uint32_t t, uint64_t now, int64_t retry_after_ms);

#endif
