#include <string.h>

#include "faults/fault.h"

static const char *const kind_names[FX_KIND_COUNT] = {
    "http_error",   "stall", "close",      "reset",        "truncate", "malformed",
    "stream_error", "drip",  "conn_limit", "accept_pause", "pause",
};

const char *fx_kind_name(fx_kind_t k)
{
    return k < FX_KIND_COUNT ? kind_names[k] : "unknown";
}

bool fx_kind_per_request(fx_kind_t k)
{
    return k != FX_CONN_LIMIT && k != FX_ACCEPT_PAUSE && k != FX_PAUSE;
}

/* splitmix64's finaliser over (seed, fault, count): the draw for the count-th request a fault sees depends on
 * nothing else, which is what makes a run reproduce across thread counts. */
static uint64_t draw(uint64_t seed, size_t fault, uint64_t count)
{
    uint64_t z = seed ^ ((uint64_t)(fault + 1) * 0x9e3779b97f4a7c15ull) ^ (count * 0xd1b54a32d192ed03ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

static bool listed(const char *const *list, size_t n, cm_str_t v)
{
    if (list == NULL)
        return true;
    for (size_t i = 0; i < n; i++)
        if (strlen(list[i]) == v.n && (v.n == 0 || memcmp(list[i], v.p, v.n) == 0))
            return true;
    return false;
}

static bool passes_filters(const fx_fault_t *f, const fx_request_t *r)
{
    return r->since_start_ns >= f->window_from && r->since_start_ns < f->window_to &&
           listed(f->routes, f->nroutes, r->route) && listed(f->models, f->nmodels, r->model) &&
           listed(f->keys, f->nkeys, r->key);
}

/* count is 1 for the first request that passed the filters. */
static bool applies(const fx_set_t *s, size_t i, uint64_t count)
{
    const fx_fault_t *f = &s->faults[i];
    if (f->first != 0 && count > f->first)
        return false;
    if (f->every_nth > 1 && count % f->every_nth != 0)
        return false;
    return f->always || draw(s->seed, i, count) < f->threshold;
}

static const fx_fault_t *by_name(const fx_set_t *s, cm_str_t name)
{
    for (size_t i = 0; i < s->n; i++) {
        const char *fn = s->faults[i].name;
        if (fn != NULL && fx_kind_per_request(s->faults[i].kind) && strlen(fn) == name.n &&
            memcmp(fn, name.p, name.n) == 0)
            return &s->faults[i];
    }
    return NULL;
}

const fx_fault_t *fx_pick(const fx_set_t *s, const fx_request_t *r)
{
    if (r->header.p != NULL) {
        const fx_fault_t *f = by_name(s, r->header);
        if (f != NULL)
            return f;
    }
    for (size_t i = 0; i < s->n; i++) {
        const fx_fault_t *f = &s->faults[i];
        if (!fx_kind_per_request(f->kind) || !passes_filters(f, r))
            continue;
        uint64_t count = atomic_fetch_add_explicit(&s->passed[i], 1, memory_order_relaxed) + 1;
        if (applies(s, i, count))
            return f;
    }
    return NULL;
}

void fx_set_reset(const fx_set_t *s)
{
    for (size_t i = 0; i < s->n; i++)
        atomic_store_explicit(&s->passed[i], 0, memory_order_relaxed);
}
