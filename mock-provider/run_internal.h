/* mock-provider/run_internal.h — what run.c (the plan, the rendering, the lifecycle) and run_send.c (sending
 * to h2o, the faults inside a response) share. Not for other modules: they use run.h. */
#ifndef MP_RUN_INTERNAL_H
#define MP_RUN_INTERNAL_H

#include <stdint.h>

#include <h2o.h>

#include "mock-provider/run.h"
#include "mock-provider/timer.h"
#include "mock-provider/worker.h"

static inline uint64_t sat_add(uint64_t a, uint64_t b)
{
    return a > UINT64_MAX - b ? UINT64_MAX : a + b;
}

static inline mp_worker_t *worker(const mp_run_t *run)
{
    return run->wd->worker;
}

/* run.c */
/* Enters phase and fires the run at `at` (absolute CLOCK_MONOTONIC ns), in this call when it is already due. */
void mp_run_schedule(mp_run_t *run, mp_run_phase_t phase, uint64_t at);

/* run_send.c */
/* Hands what is pending to h2o (up to a fault's point, or a drip's piece) unless a send is outstanding, the
 * run is paused, stopped or held, or its response is complete. */
void mp_run_flush(mp_run_t *run, uint64_t now);
/* The run's h2o generator callbacks (mp_run_create sets them in super) and the drip fault's timer callback. */
void mp_run_on_proceed(h2o_generator_t *self, h2o_req_t *req);
void mp_run_on_stop(h2o_generator_t *self, h2o_req_t *req);
void mp_run_on_drip_timer(mp_timer_t *timer);

#endif
