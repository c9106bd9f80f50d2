#include "mock-provider/trim.h"

#include <stddef.h>
#include <stdlib.h>
#ifdef __GLIBC__
#include <malloc.h>
#endif

#include <h2o.h>

#include "common/clock.h"

static void arm(mp_trim_t *t)
{
    mp_timers_add(t->timers, &t->timer, cm_now_ns() + t->period_ns);
}

/* A load that stays high re-arms the check every period: one timer a second on a busy thread costs nothing
 * beside its requests, and it is how the end of a long burst is seen. */
static void on_check(mp_timer_t *timer)
{
    mp_trim_t *t = (mp_trim_t *)((char *)timer - offsetof(mp_trim_t, timer));
    int64_t load = t->load(t->ctx);
    if (mp_trim_burst_over(t->peak, load)) {
        t->release(t->ctx);
        t->releases++;
        t->peak = load;
    }
    if (t->peak >= MP_TRIM_MIN_PEAK)
        arm(t);
}

void mp_trim_init(mp_trim_t *t, mp_timers_t *timers, uint64_t period_ns, int64_t (*load)(void *ctx),
                  void (*release)(void *ctx), void *ctx)
{
    t->peak = 0;
    t->period_ns = period_ns;
    t->releases = 0;
    mp_timer_init(&t->timer, on_check);
    t->timers = timers;
    t->load = load;
    t->release = release;
    t->ctx = ctx;
}

void mp_trim_note(mp_trim_t *t, int64_t load)
{
    if (load <= t->peak)
        return;
    t->peak = load;
    if (load >= MP_TRIM_MIN_PEAK && !mp_timer_armed(&t->timer))
        arm(t);
}

bool mp_trim_burst_over(int64_t peak, int64_t load)
{
    return peak >= MP_TRIM_MIN_PEAK && load <= peak / MP_TRIM_OVER_DIV;
}

void mp_trim_dispose(mp_trim_t *t)
{
    mp_timers_cancel(t->timers, &t->timer);
}

/* h2o recycles a connection's input buffer of the initial size through the thread's prototype (at most
 * allocator.max of them, allocated with malloc, freed with free when the list is full): taking them out
 * one by one and freeing them is what h2o itself does with the ones over the limit. */
void mp_trim_release_memory(void)
{
    h2o_mem_recycle_t *cache = &h2o_socket_buffer_prototype.allocator;
    for (size_t n = cache->cnt; n > 0 && cache->cnt > 0; n--)
        free(h2o_mem_alloc_recycle(cache, 1));
#ifdef __GLIBC__
    malloc_trim(0);
#endif
}
