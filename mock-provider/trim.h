/* mock-provider/trim.h — gives a burst's memory back to the system once the burst is over: the mock's side
 * of issue 7's pool-sizing rule (after a burst of connections and requests, RSS returns within 2 MB of its
 * level before; bench/mock_memory.sh measures it).
 *
 * What a burst leaves behind is almost all free memory that glibc keeps: each worker thread allocates from
 * an arena of its own, and an arena gives pages back only from its top, so the buffers of a thousand closed
 * connections stay resident for good (measured: 1000 HTTP/1.1 then 1000 h2c connections took the mock from
 * 6.4 MB to 181 MB, of which 4.5 MB were still in use). malloc_trim(0) returns every free page of every
 * arena. It walks the arenas under their locks, so it runs once per burst, not on a schedule: each worker
 * tracks the highest load it has seen (open connections plus requests in flight); once that peak reaches
 * MP_TRIM_MIN_PEAK a check runs every period, and when the load has fallen to 1/MP_TRIM_OVER_DIV of the
 * peak the memory is released and the peak starts again from the load. A load that stays high keeps its
 * memory, as it should. Cost: malloc_trim takes each arena's lock while it returns that arena's pages, so
 * the other worker's allocations may wait meanwhile: measured 0.3-7 ms after bursts of 64-1000 connections
 * and 47 ms once after 2000 h2c streams had freed about 130 MB (load average 7); once per burst, when at
 * most a quarter of it is still in flight. Not thread-safe: one per worker thread, on its timers. */
#ifndef MP_TRIM_H
#define MP_TRIM_H

#include <stdbool.h>
#include <stdint.h>

#include "mock-provider/timer.h"

#define MP_TRIM_MIN_PEAK 32 /* connections + requests on one thread: a smaller burst leaves under a megabyte */
#define MP_TRIM_OVER_DIV 4
#define MP_TRIM_PERIOD_NS (1000ull * 1000 * 1000)

typedef struct mp_trim {
    int64_t peak; /* the highest load since the last release */
    uint64_t period_ns;
    uint64_t releases; /* how many times release ran */
    mp_timer_t timer;  /* the check: armed while the peak is at least MP_TRIM_MIN_PEAK */
    mp_timers_t *timers;
    int64_t (*load)(void *ctx);
    void (*release)(void *ctx);
    void *ctx;
} mp_trim_t;

/* Prepares t on a thread's timers: load(ctx) reads the thread's load, release(ctx) gives memory back (the
 * worker passes mp_trim_release_memory's caller). period_ns: how often the check runs once armed. */
void mp_trim_init(mp_trim_t *t, mp_timers_t *timers, uint64_t period_ns, int64_t (*load)(void *ctx),
                  void (*release)(void *ctx), void *ctx);
/* After each loop iteration, with the load now: raises the peak, arms the check when it is worth one. */
void mp_trim_note(mp_trim_t *t, int64_t load);
/* Whether a burst that peaked at `peak` is over at `load` (MP_TRIM_MIN_PEAK, MP_TRIM_OVER_DIV). */
bool mp_trim_burst_over(int64_t peak, int64_t load);
void mp_trim_dispose(mp_trim_t *t);

/* Frees the calling thread's cached h2o socket buffers (h2o keeps up to 16 per thread for reuse) and returns
 * every free page of the process's heap to the system (malloc_trim). Call on a worker thread, between
 * requests. */
void mp_trim_release_memory(void);

#endif
