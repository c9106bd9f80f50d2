/* harness/engine/worker_idle.c — sizing a worker's idle state to recent need: transfers and pooled
 * connections a burst left behind are freed and closed at interval boundaries (hx_worker_trim_idle), so a
 * days-long run does not keep the memory of its busiest second. Moved out of worker.c, which keeps the
 * libcurl/libevent glue and the transfers' lifecycle. */
#include <malloc.h>
#include <stdlib.h>

#include "common/alloc.h"
#include "common/slab.h"
#include "harness/engine/engine.h"
#include "harness/engine/worker.h"

#define HX_IDLE_KEEP 64

/* The idle state worth keeping: the busiest of the last HX_PEAK_WINDOW intervals plus a quarter. */
static uint64_t keep_for(hx_worker_t *w, uint64_t peak)
{
    w->peaks[w->peak_next] = peak;
    w->peak_next = (w->peak_next + 1) % HX_PEAK_WINDOW;
    uint64_t most = 0;
    for (uint32_t i = 0; i < HX_PEAK_WINDOW; i++)
        if (w->peaks[i] > most)
            most = w->peaks[i];
    most += most / 4;
    return most > HX_IDLE_KEEP ? most : HX_IDLE_KEEP;
}

typedef struct idle_xfer {
    uint64_t order;
    uint32_t i;
} idle_xfer_t;

static int last_first(const void *a, const void *b)
{
    const idle_xfer_t *x = a, *y = b;
    if (x->order != y->order)
        return x->order < y->order ? 1 : -1;
    return x->i < y->i ? 1 : x->i > y->i ? -1 : 0;
}

/* Between callbacks every transfer not in flight is on the free list, so one pass can free the excess and
 * relink the rest. Those freed first are the ones whose easy handle sits in the newest of cm_slab's spans:
 * new blocks go to the oldest span with room, so a handle made after a burst may fill a hole in an old span
 * while an older handle holds a span the burst added. (Without cm_slab, the newest transfers.) What stays is
 * then packed in the oldest spans, and the spans the burst took empty and are unmapped. Returns how many
 * were freed. */
static uint32_t free_idle_xfers(hx_worker_t *w, uint64_t keep)
{
    if (w->nxfers <= keep || w->nxfers == w->inflight)
        return 0;
    uint32_t excess = w->nxfers - (uint32_t)keep, nidle = 0;
    bool routed = hx_engine_memory_routed();
    idle_xfer_t *idle = cm_xmalloc((w->nxfers - w->inflight) * sizeof(*idle));
    for (uint32_t i = 0; i < w->nxfers; i++)
        if (!w->xfers[i]->active)
            idle[nidle++] = (idle_xfer_t){routed ? cm_slab_span_seq(w->xfers[i]->easy) : 0, i};
    qsort(idle, nidle, sizeof(*idle), last_first);
    uint32_t freed = 0;
    for (; freed < nidle && freed < excess; freed++) {
        hx_xfer_free(w->xfers[idle[freed].i]);
        w->xfers[idle[freed].i] = NULL;
    }
    /* The oldest end up at the head of the free list: they serve the next requests, and the newer ones,
     * left idle, are the next to go. */
    w->free_list = NULL;
    for (uint32_t k = freed; k < nidle; k++) {
        hx_xfer_t *x = w->xfers[idle[k].i];
        x->next_free = w->free_list;
        w->free_list = x;
    }
    free(idle);
    uint32_t n = 0;
    for (uint32_t i = 0; i < w->nxfers; i++)
        if (w->xfers[i] != NULL)
            w->xfers[n++] = w->xfers[i];
    w->nxfers = n;
    return freed;
}

/* Idle pooled connections beyond keep are closed by libcurl itself: with the pool's limit
 * (CURLMOPT_MAXCONNECTS) lowered to keep, each transfer that hands its connection back to an over-full pool
 * closes the connection idle longest, which after a burst is mostly one of the burst's (libcurl reuses the
 * first idle connection in the order they opened). Shutting the excess down from here instead left libcurl
 * to find it dead, and its prune starts its walk of the pool over after each dead connection it finds, with
 * a poll() per connection visited: 4,000 shut down beside 1,000 kept held the thread for 7 s without a
 * request. Returns whether the limit went down. */
bool hx_worker_limit_pool(hx_worker_t *w, uint64_t keep)
{
    long limit = keep < w->cap ? (long)keep : (long)w->cap;
    if (limit == w->pool_limit)
        return false;
    bool lower = limit < w->pool_limit;
    if (curl_multi_setopt(w->multi, CURLMOPT_MAXCONNECTS, limit) == CURLM_OK)
        w->pool_limit = limit;
    return lower;
}

/* glibc keeps freed memory in its arenas unless asked, hence malloc_trim after a real trim; once more at the
 * next boundary after lowering the pool's limit, because libcurl closes the excess as transfers finish.
 * libcurl's and libevent's memory (cm_slab) is unmapped as its spans empty; cm_slab_trim also lets go of
 * the empty spans kept for reuse and of the pages of free blocks inside the others. */
void hx_worker_trim_idle(hx_worker_t *w, uint64_t peak)
{
    uint64_t keep = keep_for(w, peak);
    uint32_t freed = free_idle_xfers(w, keep);
    bool lowered = hx_worker_limit_pool(w, keep);
    if (freed > 0 || w->trim_again)
        malloc_trim(0);
    w->trim_again = lowered;
    cm_slab_trim();
}
