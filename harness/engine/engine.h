/* harness/engine/engine.h — the load engine: N threads, each with one libevent loop (precise timers) driving one
 * libcurl multi handle through its socket API, one connection pool and thread-private stats handed to the
 * collector at every interval boundary.
 *
 * Each thread runs its share of the arrival schedule (or its users), caps its in-flight requests (an
 * arrival over the cap is counted as dropped, never queued), and at the planned end stops arriving, waits
 * up to the drain time for what is in flight, then aborts the rest (client_closed). The main thread only
 * starts, stops and joins the threads; it never touches a loop. */
#ifndef HX_ENGINE_H
#define HX_ENGINE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "harness/measure/collector.h"
#include "harness/config/config.h"

typedef struct hx_engine hx_engine_t;

/* Once per process, before anything else uses libcurl or libevent: routes both libraries' memory through
 * cm_slab (common/slab.h: what a burst of requests took is unmapped when the burst is over, which glibc's heap
 * cannot do) and initialises libcurl. Returns 0, or -1 when libcurl fails to initialise. Pair it with
 * curl_global_cleanup. */
int hx_engine_global_init(void);
/* Whether hx_engine_global_init has routed the libraries' memory through cm_slab. */
bool hx_engine_memory_routed(void);

/* Builds the threads' loops, multi handles and request headers for a finished cfg (hx_cfg_finish). cfg and
 * c must outlive the engine. Returns NULL with err on failure (libevent or libcurl refused). libcurl must
 * be globally initialised (hx_engine_global_init) before. */
hx_engine_t *hx_engine_new(const hx_cfg_t *cfg, hx_collector_t *c, char *err, size_t errlen);
/* Starts the threads for a run that starts at start_ns (monotonic, normally a few ms ahead so that every
 * thread is ready for the first arrival). Returns 0, or -1 with err (threads already started keep running
 * and must still be stopped and joined). */
int hx_engine_start(hx_engine_t *e, uint64_t start_ns, char *err, size_t errlen);
/* Asks every thread to stop early: abort_now false stops arrivals and drains as at the planned end; true
 * aborts everything in flight at once. Safe to call from the main thread at any time, repeatedly. */
void hx_engine_stop(hx_engine_t *e, bool abort_now);
/* Number of threads still running. */
unsigned hx_engine_running(const hx_engine_t *e);
/* Requests in flight across threads (a sample, for progress lines). */
uint64_t hx_engine_inflight(const hx_engine_t *e);
/* Connections opened so far across threads (a sample). */
uint64_t hx_engine_connections(const hx_engine_t *e);
/* Waits for every thread; each has submitted its final stats to the collector when this returns. */
void hx_engine_join(hx_engine_t *e);
/* The earliest recorded failure of class err across threads: its description and when it happened
 * (seconds after the start). Returns false when that class never happened. Call after join. */
bool hx_engine_first_error(const hx_engine_t *e, hx_err_t err, char *buf, size_t n, double *at_s);
/* A warm-up by count (load.warmup: 500req): when the last thread sent its last warm-up request, in ns from
 * the start; 0 when the warm-up did not end (or there is none). Call after join. */
uint64_t hx_engine_warmup_end(const hx_engine_t *e);
void hx_engine_free(hx_engine_t *e);

#endif
