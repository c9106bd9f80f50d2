#include "harness/engine/router.h"

#include "common/clock.h"

/* A Retry-After longer than this is taken as this: a wrong header must not idle a target for the whole run. */
#define MAX_COOLDOWN_NS (600ull * CM_NS_PER_S)

static bool cooling(const hx_router_t *r, uint32_t t, uint64_t now)
{
    return atomic_load_explicit(&r->cooled_until[t], memory_order_relaxed) > now;
}

bool hx_router_has_other(const hx_router_t *r, uint64_t now, uint32_t t)
{
    for (uint32_t i = 0; i < r->ntargets; i++) {
        if (i != t && !cooling(r, i, now))
            return true;
    }
    return false;
}

uint32_t hx_router_pick(const hx_router_t *r, uint64_t now, uint32_t avoid, uint32_t *cursor, cm_rng_t *rng)
{
    if (r->ntargets <= 1)
        return 0;
    uint32_t ready[HX_MAX_TARGETS], n = 0;
    for (uint32_t i = 0; i < r->ntargets; i++) {
        if (i != avoid && !cooling(r, i, now))
            ready[n++] = i;
    }
    /* Every target cooling down: the policy spreads the requests over all of them, so that each provider
     * answers its share of them with its own 429 (none is favoured by a cooldown that ends a little sooner). */
    bool all = n == 0;
    if (all) {
        for (uint32_t i = 0; i < r->ntargets; i++)
            ready[n++] = i;
    }
    if (r->cfg->policy == HX_ROUTE_SHUFFLE)
        return ready[cm_rng_next(rng) % n];
    /* Round robin over every target, skipping those not ready, so that the order stays fixed. */
    for (uint32_t k = 0; k < r->ntargets; k++) {
        uint32_t t = (*cursor + k) % r->ntargets;
        if (all || (t != avoid && !cooling(r, t, now))) {
            *cursor = t + 1;
            return t;
        }
    }
    return ready[0];
}

void hx_router_cool(hx_router_t *r, uint32_t t, uint64_t now, int64_t retry_after_ms)
{
    uint64_t d = retry_after_ms < 0 ? r->cfg->cooldown_ns : (uint64_t)retry_after_ms * CM_NS_PER_MS;
    if (d > MAX_COOLDOWN_NS)
        d = MAX_COOLDOWN_NS;
    uint64_t until = now + d, cur = atomic_load_explicit(&r->cooled_until[t], memory_order_relaxed);
    /* Only ever extend: two threads seeing 429s from one target keep the later end. */
    while (cur < until && !atomic_compare_exchange_weak_explicit(&r->cooled_until[t], &cur, until, memory_order_relaxed,
                                                                 memory_order_relaxed)) {
    }
}
