/* harness/capacity/search.h — the knee search of `soak find`: the highest arrival rate whose probes meet every
 * SLO, by exponential probing then bisection, with repeats. Pure: it knows nothing of HTTP or of how a probe
 * runs; the caller supplies a probe function (a real run in find_probe.c, a fake one in the unit test).
 *
 * The search:
 *   1. probe start_rate; while it passes, double the rate (up to max_rate) until a probe fails. If start_rate
 *      already fails, halve it until a probe passes (no lower than min_rate).
 *   2. bisect between the last passing rate (lo) and the first failing one (hi) until (hi - lo) <= precision x hi
 *      or max_probes rates have been probed.
 * A rate passes only when each of its `repeats` runs passes; the first failing run fails the rate and the
 * rest are skipped, and so is every repeat after a run the probe calls over-saturated.
 *
 * The knee is lo, and [lo, hi) the bracket it lies in (knee.ci): if a probe's verdict is monotone in the rate
 * (every rate below the true knee passes, every rate above fails), the true knee is in it. It is the search's
 * honest minimum, not a statistical interval: with noisy probes, raise repeats. Definitions: docs/capacity.md.
 *
 * The axis need not be a rate: with `integer` set it is a whole number (`soak find --over users`: closed-loop
 * users). Every value probed is then whole: halving rounds down (never below min_rate), the midpoint rounds down,
 * and the bisection stops when hi - lo <= max(1, precision x hi), so it ends on two neighbours at worst. */
#ifndef HX_SEARCH_H
#define HX_SEARCH_H

#include <stdbool.h>
#include <stddef.h>

/* Bounds of the inputs, HX_SEARCH_*: config_find.h, whose reader checks them for the flags and the scenario file
 * (hx_search_check repeats the check for other callers). */
#include "harness/config/config_find.h"

typedef struct hx_search_opts {
    double start_rate, min_rate, max_rate; /* per second, min_rate <= start_rate <= max_rate */
    unsigned repeats;                      /* runs per rate, >= 1 */
    double precision;                      /* relative width of the final bracket, e.g. 0.05 */
    unsigned max_probes;                   /* rates probed at most */
    bool integer; /* whole values only: start, min and max are whole numbers >= 1 (users) */
} hx_search_opts_t;

/* What one run of a probe found. */
typedef struct hx_probe_verdict {
    bool pass;      /* every SLO held */
    bool saturated; /* the target could not keep up at all (the caller's definition): fail, no more repeats */
} hx_probe_verdict_t;

/* Runs one probe at `rate` per second, repeat `repeat` (0-based) of the probe numbered `probe` (0-based), and
 * fills v. Returns 0, or -1 to end the search at once (an error, an interrupt): hx_search_run then returns -1. */
typedef int (*hx_probe_fn)(void *ctx, double rate, unsigned probe, unsigned repeat, hx_probe_verdict_t *v);

/* How a search ended. */
typedef enum hx_search_end {
    HX_SEARCH_END_CONVERGED,  /* lo and hi within precision */
    HX_SEARCH_END_MAX_PROBES, /* max_probes reached first: the bracket is wider than asked (lo or hi may be 0) */
    HX_SEARCH_END_ABOVE_MAX,  /* max_rate passed: the knee is at least max_rate (hi is 0) */
    HX_SEARCH_END_BELOW_MIN,  /* min_rate failed: no rate passes (lo is 0) */
    HX_SEARCH_END_STOPPED,    /* a probe ended the search (an error, an interrupt): lo and hi as known then */
} hx_search_end_t;

/* One probed rate, in the order probed. */
typedef struct hx_search_step {
    double rate;
    unsigned runs; /* runs made (the first failing one ends the rate) */
    bool pass, saturated;
} hx_search_step_t;

typedef struct hx_search_result {
    hx_search_end_t end;
    double lo; /* highest passing rate, 0 when none passed */
    double hi; /* lowest failing rate above lo, 0 when none failed */
    hx_search_step_t steps[HX_SEARCH_MAX_PROBES];
    size_t nsteps;
} hx_search_result_t;

/* Checks o: 0, or -1 with a one-line reason naming the field in err. */
int hx_search_check(const hx_search_opts_t *o, char *err, size_t errlen);
/* Runs the search (o must pass hx_search_check). Returns 0 with *res filled, -1 when o is invalid (err) or a
 * probe returned -1 (err says so; *res holds the steps made so far). */
int hx_search_run(const hx_search_opts_t *o, hx_probe_fn probe, void *ctx, hx_search_result_t *res, char *err,
                  size_t errlen);
/* The end as reports name it: "converged", "max-probes", "above-max-rate", "below-min-rate", "stopped". */
const char *hx_search_end_name(hx_search_end_t end);

#endif
