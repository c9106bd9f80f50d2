/* harness/engine/worker.h — one engine thread: its libevent loop, its libcurl multi handle, its transfers and
 * connections, its share of the arrivals or users, and its stats. Private to the engine (engine.c starts and
 * stops workers; worker.c handles the transfers, worker_curl.c is the loop glue; worker_load.c decides when
 * requests go out and when the run ends for this thread).
 *
 * Everything here is touched only by the worker's own thread once it runs, except the atomics at the end,
 * which the main thread reads (progress) or writes (stop requests, followed by a write to wake_fd). */
#ifndef HX_WORKER_H
#define HX_WORKER_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include <curl/curl.h>
#include <event2/event.h>
#include <event2/event_struct.h>

#include "harness/engine/arrival.h"
#include "harness/measure/collector.h"
#include "harness/config/config.h"
#include "harness/engine/router.h"
#include "harness/engine/xfer.h"

typedef struct hx_worker hx_worker_t;

/* A socket libcurl asked us to watch; allocated once per fd number and reused. A socket libcurl no longer
 * wants (wanted false) may stay registered until it closes or turns readable, see worker_curl.c. */
typedef struct hx_sock {
    struct event ev;
    bool added;
    bool wanted;
    short what;
} hx_sock_t;

/* In-flight peaks remembered for sizing the idle pool (intervals). */
#define HX_PEAK_WINDOW 10

/* A connection (by fd): when it opened and how many requests it completed, for max_age and max_requests. */
typedef struct hx_conn {
    uint64_t opened_ns;
    uint32_t requests;
    bool open;
} hx_conn_t;

/* A closed-loop user. */
typedef struct hx_user {
    hx_worker_t *w;
    struct event *ev;
    uint64_t intended;
} hx_user_t;

typedef struct hx_first_err {
    bool set;
    uint64_t at_ns;
    char msg[240];
} hx_first_err_t;

typedef enum hx_worker_state {
    HX_W_RUNNING,  /* arrivals flowing */
    HX_W_DRAINING, /* planned end (or stop) reached: waiting for in-flight requests */
    HX_W_DONE,
} hx_worker_state_t;

struct hx_worker {
    /* read-only after init */
    const hx_cfg_t *cfg;
    const hx_workload_t *wl;
    hx_collector_t *collector;
    char *const *urls;           /* per target, template and model slot ((t * nreqs + req) * slots + model; NULL when
                                    unused), shared */
    hx_router_t *router;         /* the engine's: which target a request goes to, cooldowns (shared) */
    uint32_t route_cursor;       /* this thread's round-robin position */
    struct curl_slist **headers; /* per template, this worker's own copies */
    CURLU **targets;             /* the same URLs parsed once (libcurl only copies from them) */
    size_t ntargets;
    uint32_t index, nworkers, cap; /* cap: this worker's share of max_inflight */
    uint64_t start_ns, end_ns;
    hx_xfer_opts_t xopts;

    struct event_base *base;
    CURLM *multi;
    /* A connection pool per group that has its own connections: policy (a share handle sharing connections;
     * this thread's only, so without locks); NULL for the groups that use the multi handle's. */
    CURLSH *shares[HX_MAX_GROUPS];
    struct event *curl_timer, *arrival_ev, *interval_ev, *end_ev, *drain_ev, *wake_ev;
    int wake_fd;
    pthread_t tid;
    bool started;

    hx_worker_state_t state;
    hx_stats_t *stats;
    hx_stats_t *gstats; /* per group (cfg->ngroups), when the load has groups; else NULL */
    hx_sched_t sched[HX_MAX_GROUPS]; /* open loop: each group's share of its arrival */
    uint64_t gnext[HX_MAX_GROUPS];   /* each group's next arrival, absolute ns, HX_SCHED_END when none */
    uint32_t next_group;             /* the group of next_arrival */
    uint64_t next_arrival;  /* absolute ns, the earliest of gnext, HX_SCHED_END when none */
    uint64_t arrival_armed; /* the time arrival_ev is set for, HX_SCHED_END when not set */
    bool ending;            /* the end (or a stop) came: only overdue arrivals still go out (begin_drain) */
    uint64_t next_interval;
    hx_user_t *users;
    uint32_t nusers;
    hx_xfer_t **xfers; /* every live transfer (in flight or idle), for aborting at the end and trimming */
    uint32_t nxfers;
    hx_xfer_t *free_list; /* the transfers not in flight: nxfers - inflight of them */
    uint32_t inflight;
    uint64_t peaks[HX_PEAK_WINDOW]; /* the in-flight peaks of the last intervals (a ring) */
    uint32_t peak_next;
    bool trim_again;   /* the pool's limit went down at the last boundary: libcurl closes the excess after it */
    long pool_limit;   /* CURLMOPT_MAXCONNECTS as last set */
    hx_sock_t **socks; /* by fd */
    size_t nsocks;
    hx_conn_t *conns; /* by fd */
    size_t nconns;
    uint64_t conns_opened;
    cm_rng_t rng;
    uint32_t cursor[HX_MAX_REQUESTS];
    uint64_t seq;
    cm_json_toks_t toks;
    hx_first_err_t first[HX_ERR__COUNT];
    uint64_t cpu_mark, wall_mark; /* this thread's CPU time and the monotonic time at the last CPU sample */
    hx_stats_t *wstats;           /* the warm-up's requests (load.warmup as a count), or NULL */
    uint64_t warm_left;           /* this thread's share of the warm-up count not yet sent */
    uint64_t warm_end;            /* when its last warm-up request went out (ns from the start), 0 before */

    /* shared with the main thread */
    atomic_int stop_req; /* 0 none, 1 stop and drain, 2 abort now */
    atomic_uint_fast64_t inflight_pub, conns_pub;
    atomic_bool running;
};

/* worker.c (worker_idle.c for the idle state, worker_curl.c for the libcurl/libevent glue): setup and teardown
 * (on the main thread), transfers. */
int hx_worker_init(hx_worker_t *w, const hx_cfg_t *cfg, hx_collector_t *c, char *const *urls, hx_router_t *router,
                   uint32_t index, uint32_t nworkers, char *err, size_t errlen);
void hx_worker_free(hx_worker_t *w);
/* Hands a transfer to libcurl now; intended is its scheduled time, user its closed-loop user or NULL, group
 * the group whose templates it is drawn from (0 without groups). now_ns is the current time when the caller
 * has just read it (it becomes the sent time), 0 to read the clock here. Counts a dropped arrival instead
 * when the worker is at its in-flight cap. */
void hx_worker_launch(hx_worker_t *w, uint64_t intended, hx_user_t *user, uint64_t now_ns, uint32_t group);
/* Collects the transfers libcurl finished: records them, frees their slots, tells the schedule. */
void hx_worker_collect_done(hx_worker_t *w);
/* worker_curl.c: the loop, the multi handle and the groups' own pools, with the socket and timer callbacks
 * (on the main thread, from hx_worker_init). */
int hx_worker_setup_curl(hx_worker_t *w, char *err, size_t errlen);
/* Lets libcurl act on transfers just added, then collects finished ones. */
void hx_worker_kick(hx_worker_t *w);
/* Cuts off every transfer in flight (client_closed). */
void hx_worker_abort_all(hx_worker_t *w);
/* Sizes the idle state to recent need, so a burst of concurrency (a stalled target, a ramp) does not hold its
 * memory for the rest of a days-long run: transfers and pooled connections beyond the busiest of the last
 * HX_PEAK_WINDOW intervals plus a quarter (at least HX_IDLE_KEEP) are freed, and closed (by libcurl, as
 * transfers hand their connections back, see hx_worker_limit_pool in worker_idle.c).
 * peak: the highest in-flight depth of the interval that just ended. */
void hx_worker_trim_idle(hx_worker_t *w, uint64_t peak);
/* worker_idle.c: sets the connection pool's limit (CURLMOPT_MAXCONNECTS) to keep, at most the thread's cap.
 * Returns whether the limit went down. */
bool hx_worker_limit_pool(hx_worker_t *w, uint64_t keep);

/* worker_load.c: the schedule and the end of the run. */
void *hx_worker_main(void *arg);
/* Called by worker.c when a transfer finished (user: its closed-loop user, or NULL). may_launch: a user
 * whose think time is over may send its next request at once (not when the request could not even be
 * handed to libcurl, which would loop). */
void hx_worker_on_done(hx_worker_t *w, hx_user_t *user, uint64_t now_ns, bool may_launch);
/* Open loop: an arrival planned within HX_ARRIVAL_EARLY_NS of a wakeup goes out in that wakeup (timed from
 * when it really leaves), so arrivals close together, and arrivals close to an answer coming in, share one
 * wakeup of the thread instead of costing a timer each. Called after socket events; a no-op otherwise. */
#define HX_ARRIVAL_EARLY_NS (1000u * 1000u)
void hx_worker_arrivals_due(hx_worker_t *w, uint64_t now);
/* Hands the interval's stats to the collector and starts the next interval (the interval timer, and a result
 * completing after a boundary the timer has not reached yet). */
void hx_worker_close_interval(hx_worker_t *w, uint64_t now);
/* Arms ev to fire at absolute monotonic time at_ns (now when past). */
void hx_worker_arm(hx_worker_t *w, struct event *ev, uint64_t at_ns);

#endif
