/* common/dist.h — seeded random numbers and the distributions used for latency and lengths.
 *
 * The generator is xoshiro256** seeded through splitmix64: fast, small, and every run with the same seed
 * reproduces. Each thread owns its own cm_rng_t (no sharing, no locks). */
#ifndef CM_DIST_H
#define CM_DIST_H

#include <stddef.h>
#include <stdint.h>

typedef struct cm_rng {
    uint64_t s[4];
} cm_rng_t;

void cm_rng_seed(cm_rng_t *rng, uint64_t seed);
uint64_t cm_rng_next(cm_rng_t *rng);
double cm_rng_uniform(cm_rng_t *rng); /* [0, 1) */
double cm_rng_normal(cm_rng_t *rng);  /* standard normal, mean 0, sd 1 */
double cm_rng_exponential(cm_rng_t *rng, double mean);
/* A 64-bit hash (e.g. to derive per-input seeds deterministically); stable across runs and machines. */
uint64_t cm_hash64(const void *data, size_t n, uint64_t seed);

typedef enum cm_dist_kind {
    CM_DIST_FIXED,       /* fixed(v) or a bare value "50ms"                     */
    CM_DIST_UNIFORM,     /* uniform(lo, hi)                                    */
    CM_DIST_NORMAL,      /* normal(mean, sd), truncated at 0                   */
    CM_DIST_LOGNORMAL,   /* lognormal(median, sigma): sigma is the shape, unitless */
    CM_DIST_PERCENTILES, /* percentiles(p50=80ms, p90=120ms, p99=300ms): piecewise-linear inverse CDF */
} cm_dist_kind_t;

/* What the values of a distribution are. Durations are written with units ("80ms") and sampled in
 * nanoseconds; counts are plain numbers ("64", "1.5k") such as output tokens. */
typedef enum cm_dist_unit {
    CM_DIST_DURATION,
    CM_DIST_COUNT,
} cm_dist_unit_t;

#define CM_DIST_MAX_POINTS 16

typedef struct cm_dist {
    cm_dist_kind_t kind;
    double a, b; /* fixed: a; uniform: lo, hi; normal: mean, sd; lognormal: median, sigma */
    size_t npoints;
    struct {
        double p; /* 0..1 */
        double v;
    } points[CM_DIST_MAX_POINTS]; /* percentiles, sorted by p, values non-decreasing */
} cm_dist_t;

/* Parses the forms above. Errors name the problem, e.g. `unknown distribution "lognorml" (expected fixed,
 * uniform, normal, lognormal, percentiles)` or `normal: sd must be >= 0`. Whitespace is free. */
int cm_dist_parse(const char *s, cm_dist_unit_t unit, cm_dist_t *out, char *err, size_t errlen);

/* Draws one value (>= 0). Percentiles below the first point return the first value, above the last the
 * last value. */
double cm_dist_sample(const cm_dist_t *d, cm_rng_t *rng);

/* The distribution's mean (exact for fixed/uniform/lognormal, approximate for truncated normal and
 * percentiles); used to size things and in --help output. */
double cm_dist_mean(const cm_dist_t *d);

/* A fixed distribution of value v. */
cm_dist_t cm_dist_fixed(double v);

/* Writes a canonical form, e.g. "lognormal(80ms, 0.3)". Returns buf. */
char *cm_dist_format(const cm_dist_t *d, cm_dist_unit_t unit, char *buf, size_t n);

#endif
