/* mock-provider/server.h — the mock-provider process: one h2o configuration with a hostconf and handler
 * per deployment, N worker threads each with its own listening socket per deployment (SO_REUSEPORT), the
 * shared metrics registry, and start/stop.
 *
 * Usage (main.c):
 *   mp_server_t *s;
 *   if (mp_server_create(&s, &cfg, err, sizeof(err)) != 0) -> exit 1   (bind failed, port in use...)
 *   if (mp_server_start(s, err, sizeof(err)) != 0)       -> exit 1   (a worker failed to set up)
 *   ... print one ready line per deployment (cfg.deps[i].listen_port is now the real port) ...
 *   wait for SIGINT/SIGTERM; mp_server_stop(s); mp_server_free(s);
 */
#ifndef MP_SERVER_H
#define MP_SERVER_H

#include <pthread.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

#include <h2o.h>

#include "mock-provider/config.h"
#include "mock-provider/metrics.h"
#include "mock-provider/snapshot.h"
#include "mock-provider/worker.h"

/* One deployment's current settings (snapshot.h): the snapshot new requests get, and the time its fault
 * windows and pause schedule count from (the server's start, moved to the reset by POST /admin/reset). */
typedef struct mp_live {
    _Atomic(mp_snap_t *) cur; /* holds one reference; written by the admin thread only */
    _Atomic uint64_t epoch_ns;
} mp_live_t;

struct mp_journal;

typedef struct mp_server {
    mp_config_t *cfg; /* borrowed; must outlive the server */
    uint32_t nthreads;
    h2o_globalconf_t h2o;
    h2o_hostconf_t **hosts; /* [ndeps * 2]: per deployment {hostconf, NULL}, the list an accept ctx takes */
    int *fds;               /* [nthreads * ndeps] listening sockets, -1 once handed to a worker */
    mp_metrics_t *metrics;
    mp_worker_t *workers;       /* [nthreads] */
    uint64_t started_ns;        /* CLOCK_MONOTONIC when the workers were started: fault windows count from it */
    mp_live_t *live;            /* [ndeps], set up by mp_server_start */
    struct mp_journal *journal; /* the recent-requests journal when the admin API is on, else NULL */
    /* ready latch: workers report setup success or failure */
    pthread_mutex_t lock;
    pthread_cond_t cond;
    uint32_t nreported;
    int failed;
    char failure[256];
} mp_server_t;

/* Allocations above this many bytes get their own mapping, given back to the kernel when freed, for the
 * whole process (glibc's mallopt; see pin_mmap_threshold in server.c). */
#define MP_SERVER_MMAP_THRESHOLD (128 * 1024)

/* Resolves each deployment's provider, builds the h2o configuration and binds nthreads listening sockets
 * per deployment (threads 0 = one per online CPU). A deployment with port 0 gets the port the first socket
 * was given; cfg->deps[i].listen_port is updated. Pins glibc's mmap threshold (MP_SERVER_MMAP_THRESHOLD).
 * Returns 0 with *out set, or -1 with err filled (e.g. "deployment \"a\": cannot listen on 127.0.0.1:8080:
 * Address already in use"); nothing is left open. */
int mp_server_create(mp_server_t **out, mp_config_t *cfg, char *err, size_t errlen);

/* Starts the workers and waits until each has set up its loop and listeners. Returns 0, or -1 with err
 * filled (the workers already started are stopped). */
int mp_server_start(mp_server_t *s, char *err, size_t errlen);

/* Stops accepting on every listener, lets in-flight requests finish for up to MP_WORKER_DRAIN_NS and waits
 * until every worker has stopped running its loop (the threads then park until the process exits). */
void mp_server_stop(mp_server_t *s);

/* Releases the server. h2o 2.2.5 cannot dispose a context while clients still hold keep-alive
 * connections, so the workers' loops and contexts are left to the process exit (kept reachable so leak
 * checkers do not report them); everything else is freed. Call after mp_server_stop. */
void mp_server_free(mp_server_t *s);

/* The time deployment d's fault windows count from (CLOCK_MONOTONIC ns). */
static inline uint64_t mp_server_epoch(const mp_server_t *s, uint32_t d)
{
    return atomic_load_explicit(&s->live[d].epoch_ns, memory_order_relaxed);
}

/* Makes snap (the caller's reference is taken over) the current settings of deployment d on every worker:
 * stores it in the live slot, gives each worker a reference through its mailbox and wakes it, then waits up
 * to wait_ns for every running worker to adopt it. Admin thread only (publishes are not concurrent). Returns
 * the number of workers that adopted it in time. */
uint32_t mp_server_publish(mp_server_t *s, uint32_t d, mp_snap_t *snap, uint64_t wait_ns);
/* The current snapshot of d with a reference for the caller (admin thread only: it alone replaces it). */
mp_snap_t *mp_server_current(mp_server_t *s, uint32_t d);

/* Called by a worker thread once its setup finished: rc 0, or -1 with a reason. */
void mp_server__worker_ready(mp_server_t *s, int rc, const char *why);
/* Called by a worker thread when its loop has stopped for good (after draining, or after a failed setup). */
void mp_server__worker_stopped(mp_server_t *s, mp_worker_t *w);

/* The h2o request-body limit for a given max_body: max_body + 1, so that h2o never buffers more than that;
 * what it refuses gets the provider's own 413 through the oversize filter (handler.h). */
size_t mp_server_entity_limit(uint64_t max_body);

#endif
