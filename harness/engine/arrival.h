/* harness/engine/arrival.h — when requests are meant to start.
 *
 * Open loop (constant, Poisson, ramp, step): arrivals follow a schedule that ignores how fast the target
 * answers. Each arrival has an intended time; the engine sends it then and measures latency from it. With
 * N threads, global arrival j belongs to thread j mod N, so the threads together follow the schedule
 * exactly (Poisson: each thread runs an independent process at rate/N, and their sum is Poisson at rate).
 *
 * Closed loop (users): each user sends a request, waits for its outcome, thinks, and sends the next; the
 * intended time of a request is the moment its think time ended. User u starts at u / spawn_rate and lives
 * on thread u mod N.
 *
 * Ramp holds its `to` rate after `over`; step holds its last rate after the last step (the run's duration
 * decides when arrivals stop). */
#ifndef HX_ARRIVAL_H
#define HX_ARRIVAL_H

#include <stddef.h>
#include <stdint.h>

#include "common/dist.h"

typedef enum hx_arrival_kind {
    HX_ARRIVAL_CONSTANT,
    HX_ARRIVAL_POISSON,
    HX_ARRIVAL_RAMP,
    HX_ARRIVAL_STEP,
    HX_ARRIVAL_USERS,
    HX_ARRIVAL_PHASED, /* open-loop segments end to end: the load's phases, each with its own arrival */
} hx_arrival_kind_t;

#define HX_MAX_STEPS 64

typedef struct hx_step {
    double rate;     /* per second */
    uint64_t dur_ns; /* > 0 */
} hx_step_t;

struct hx_arrival;
/* One segment of a phased arrival: [start_ns, end_ns) of the run, in which arrivals follow a (open loop),
 * counted from the segment's start. */
typedef struct hx_arrival_seg {
    uint64_t start_ns, end_ns;
    const struct hx_arrival *a;
} hx_arrival_seg_t;

typedef struct hx_arrival {
    hx_arrival_kind_t kind;
    double rate;                   /* constant, poisson: per second, all threads together */
    double from, to;               /* ramp: per second */
    uint64_t over_ns;              /* ramp */
    hx_step_t steps[HX_MAX_STEPS]; /* step */
    size_t nsteps;
    uint32_t users;    /* users */
    double spawn_rate; /* users started per second; 0 = all at once */
    cm_dist_t think;   /* ns */
    const hx_arrival_seg_t *segs; /* phased: in time order, not overlapping (not owned) */
    size_t nsegs;
} hx_arrival_t;

#define HX_SCHED_END UINT64_MAX

/* One thread's share of an open-loop schedule. */
typedef struct hx_sched {
    const hx_arrival_t *a;   /* the arrival being followed: the whole, or the current segment's */
    const hx_arrival_t *top; /* the whole arrival */
    size_t seg;              /* phased: the current segment */
    uint32_t thread, nthreads;
    uint64_t k;   /* this thread's arrivals produced so far */
    double t_s;   /* Poisson: time of the last arrival, seconds */
    cm_rng_t rng; /* Poisson gaps */
} hx_sched_t;

/* a must outlive s. seed gives each thread its own Poisson stream. */
void hx_sched_init(hx_sched_t *s, const hx_arrival_t *a, uint32_t thread, uint32_t nthreads, uint64_t seed);
/* The intended time of this thread's next arrival, in ns from the run's start (non-decreasing), or
 * HX_SCHED_END when the schedule has no more (a zero rate held forever). Not for HX_ARRIVAL_USERS. */
uint64_t hx_sched_next(hx_sched_t *s);

/* Closed loop: how many users thread `thread` runs, the global index of its i-th user, and that user's
 * start offset (ns from the run's start). */
uint32_t hx_users_on_thread(const hx_arrival_t *a, uint32_t thread, uint32_t nthreads);
uint32_t hx_user_global(uint32_t i, uint32_t thread, uint32_t nthreads);
uint64_t hx_user_start_ns(const hx_arrival_t *a, uint32_t user);

/* Expected number of open-loop arrivals in [0, t) (all threads); for the offered rate and --check output. */
double hx_arrival_expected(const hx_arrival_t *a, uint64_t t_ns);

/* One think time is at most a day, like one of the mock's delays: a distribution written with the wrong unit
 * ("lognormal(800s, 2)") or a long tail must not park a user for years or overflow its next send time. */
#define HX_MAX_THINK_NS (86400ull * 1000000000ull)

/* Parses a think time: "0.5s..1s" (uniform, like Locust's between(0.5, 1)), a bare duration ("1s", fixed),
 * or any duration distribution cm_dist_parse accepts ("lognormal(800ms, 0.3)"). A think time whose typical
 * value is above HX_MAX_THINK_NS (fixed value, range maximum, mean, median or last percentile) is an error.
 * Returns 0 or -1 with err. */
int hx_think_parse(const char *s, cm_dist_t *out, char *err, size_t errlen);
/* Draws one think time in ns, capped at HX_MAX_THINK_NS (tails of normal and lognormal are unbounded). */
uint64_t hx_think_sample(const cm_dist_t *d, cm_rng_t *rng);

/* A one-line description for reports: "constant 1174/s", "ramp 10/s -> 1000/s over 30s",
 * "users 1000 spawn 500/s think 0.5s..1s". Returns buf. */
char *hx_arrival_describe(const hx_arrival_t *a, char *buf, size_t n);

/* Validates an arrival built by hand (CLI or config): rates >= 0 and finite, at least one step, users >= 1,
 * ramp over > 0, a phased arrival's segments open loop and valid. Returns 0 or -1 with a reason in err. */
int hx_arrival_check(const hx_arrival_t *a, char *err, size_t errlen);

#endif
