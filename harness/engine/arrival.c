#include "harness/engine/arrival.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "common/units.h"

void hx_sched_init(hx_sched_t *s, const hx_arrival_t *a, uint32_t thread, uint32_t nthreads, uint64_t seed)
{
    memset(s, 0, sizeof(*s));
    s->a = a;
    s->top = a;
    if (a->kind == HX_ARRIVAL_PHASED && a->nsegs > 0)
        s->a = a->segs[0].a;
    s->thread = thread;
    s->nthreads = nthreads ? nthreads : 1;
    uint64_t mix[2] = {seed, thread};
    cm_rng_seed(&s->rng, cm_hash64(mix, sizeof(mix), 0x5eed0a11u));
}

/* Seconds at which cumulative expected arrivals of a ramp reach j. The closed form of solving
 * a*t + (b-a)*t^2/(2T) = j is written as 2j / (a + sqrt(...)) because that stays exact when a == b and
 * does not cancel when b < a. */
static double ramp_time(const hx_arrival_t *a, double j)
{
    double T = (double)a->over_ns / 1e9;
    double total = (a->from + a->to) * T / 2;
    if (j <= 0)
        return 0;
    if (j <= total) {
        double disc = a->from * a->from + 2 * (a->to - a->from) * j / T;
        return 2 * j / (a->from + sqrt(disc > 0 ? disc : 0));
    }
    if (a->to <= 0)
        return -1;
    return T + (j - total) / a->to;
}

static double step_time(const hx_arrival_t *a, double j)
{
    double t0 = 0, c0 = 0, rate = 0;
    for (size_t i = 0; i < a->nsteps; i++) {
        double dur = (double)a->steps[i].dur_ns / 1e9;
        rate = a->steps[i].rate;
        if (rate > 0 && j < c0 + rate * dur)
            return t0 + (j - c0) / rate;
        t0 += dur;
        c0 += rate * dur;
    }
    if (rate <= 0)
        return -1;
    return t0 + (j - c0) / rate; /* the last rate holds after the last step */
}

static uint64_t to_ns(double t_s)
{
    if (t_s < 0 || !isfinite(t_s) || t_s > 1.8e10)
        return HX_SCHED_END;
    return (uint64_t)llround(t_s * 1e9);
}

static uint64_t next_plain(hx_sched_t *s);

/* Phased: the current segment's arrivals, from its start, until one falls at or past its end; then the next
 * segment's, counted afresh from that segment's start. */
static uint64_t next_phased(hx_sched_t *s)
{
    const hx_arrival_t *top = s->top;
    while (s->seg < top->nsegs) {
        const hx_arrival_seg_t *g = &top->segs[s->seg];
        uint64_t off = next_plain(s);
        if (off != HX_SCHED_END && off < g->end_ns - g->start_ns)
            return g->start_ns + off;
        if (++s->seg < top->nsegs) {
            s->a = top->segs[s->seg].a;
            s->k = 0;
            s->t_s = 0;
        }
    }
    return HX_SCHED_END;
}

uint64_t hx_sched_next(hx_sched_t *s)
{
    return s->top->kind == HX_ARRIVAL_PHASED ? next_phased(s) : next_plain(s);
}

static uint64_t next_plain(hx_sched_t *s)
{
    const hx_arrival_t *a = s->a;
    double j = (double)s->k * s->nthreads + s->thread; /* this thread's next global arrival index */
    double t;
    switch (a->kind) {
    case HX_ARRIVAL_CONSTANT:
        t = a->rate > 0 ? j / a->rate : -1;
        break;
    case HX_ARRIVAL_POISSON:
        if (!(a->rate > 0))
            return HX_SCHED_END;
        s->t_s += cm_rng_exponential(&s->rng, s->nthreads / a->rate);
        t = s->t_s;
        break;
    case HX_ARRIVAL_RAMP:
        t = ramp_time(a, j);
        break;
    case HX_ARRIVAL_STEP:
        t = step_time(a, j);
        break;
    default:
        return HX_SCHED_END;
    }
    s->k++;
    return to_ns(t);
}

uint32_t hx_users_on_thread(const hx_arrival_t *a, uint32_t thread, uint32_t nthreads)
{
    if (nthreads == 0 || thread >= a->users)
        return 0;
    return (a->users - thread + nthreads - 1) / nthreads;
}

uint32_t hx_user_global(uint32_t i, uint32_t thread, uint32_t nthreads)
{
    return i * nthreads + thread;
}

uint64_t hx_user_start_ns(const hx_arrival_t *a, uint32_t user)
{
    if (!(a->spawn_rate > 0))
        return 0;
    return to_ns(user / a->spawn_rate);
}

double hx_arrival_expected(const hx_arrival_t *a, uint64_t t_ns)
{
    double t = (double)t_ns / 1e9, c = 0, t0 = 0, rate = 0;
    switch (a->kind) {
    case HX_ARRIVAL_CONSTANT:
    case HX_ARRIVAL_POISSON:
        return a->rate * t;
    case HX_ARRIVAL_RAMP: {
        double T = (double)a->over_ns / 1e9;
        if (t <= T)
            return a->from * t + (a->to - a->from) * t * t / (2 * T);
        return (a->from + a->to) * T / 2 + a->to * (t - T);
    }
    case HX_ARRIVAL_STEP:
        for (size_t i = 0; i < a->nsteps && t0 < t; i++) {
            double dur = (double)a->steps[i].dur_ns / 1e9;
            rate = a->steps[i].rate;
            c += rate * fmin(dur, t - t0);
            t0 += dur;
        }
        return c + (t > t0 ? rate * (t - t0) : 0);
    case HX_ARRIVAL_PHASED:
        for (size_t i = 0; i < a->nsegs && a->segs[i].start_ns < t_ns; i++) {
            uint64_t end = t_ns < a->segs[i].end_ns ? t_ns : a->segs[i].end_ns;
            c += hx_arrival_expected(a->segs[i].a, end - a->segs[i].start_ns);
        }
        return c;
    default:
        return 0;
    }
}

/* "MIN..MAX" -> uniform(MIN, MAX) */
static int parse_range(const char *s, const char *dots, cm_dist_t *out, char *err, size_t errlen)
{
    char lo_s[64], why[128];
    uint64_t lo, hi;
    size_t n = (size_t)(dots - s);
    if (n >= sizeof(lo_s)) {
        snprintf(err, errlen, "\"%s\": expected MIN..MAX such as 0.5s..1s", s);
        return -1;
    }
    memcpy(lo_s, s, n);
    lo_s[n] = '\0';
    if (cm_parse_duration(lo_s, &lo, why, sizeof(why)) != 0 || cm_parse_duration(dots + 2, &hi, why, sizeof(why))) {
        snprintf(err, errlen, "\"%s\": %s (expected MIN..MAX such as 0.5s..1s)", s, why);
        return -1;
    }
    if (lo > hi) {
        snprintf(err, errlen, "\"%s\": the minimum is larger than the maximum", s);
        return -1;
    }
    memset(out, 0, sizeof(*out));
    out->kind = CM_DIST_UNIFORM;
    out->a = (double)lo;
    out->b = (double)hi;
    return 0;
}

/* The value that says how long a distribution thinks: samples beyond it are the tail, which
 * hx_think_sample caps; a think time whose typical value is already past the cap is a mistake. */
static double think_typical(const cm_dist_t *d)
{
    switch (d->kind) {
    case CM_DIST_UNIFORM:
        return d->b;
    case CM_DIST_PERCENTILES:
        return d->npoints > 0 ? d->points[d->npoints - 1].v : 0;
    default: /* fixed: the value; normal: the mean; lognormal: the median */
        return d->a;
    }
}

static int think_parse_any(const char *s, cm_dist_t *out, char *err, size_t errlen)
{
    const char *dots = strstr(s, "..");
    if (dots != NULL)
        return parse_range(s, dots, out, err, errlen);
    if (strchr(s, '(') != NULL)
        return cm_dist_parse(s, CM_DIST_DURATION, out, err, errlen);
    uint64_t ns;
    if (cm_parse_duration(s, &ns, err, errlen) != 0)
        return -1;
    *out = cm_dist_fixed((double)ns);
    return 0;
}

int hx_think_parse(const char *s, cm_dist_t *out, char *err, size_t errlen)
{
    char max[32];
    cm_dist_t d;
    if (think_parse_any(s, &d, err, errlen) != 0)
        return -1;
    if (!(think_typical(&d) <= (double)HX_MAX_THINK_NS)) {
        snprintf(err, errlen, "\"%s\": a think time is at most %s", s,
                 cm_format_duration(max, sizeof(max), HX_MAX_THINK_NS));
        return -1;
    }
    *out = d;
    return 0;
}

uint64_t hx_think_sample(const cm_dist_t *d, cm_rng_t *rng)
{
    double v = cm_dist_sample(d, rng);
    if (!(v > 0))
        return 0;
    return v >= (double)HX_MAX_THINK_NS ? HX_MAX_THINK_NS : (uint64_t)v;
}

static char *fmt_dur(char *buf, size_t n, uint64_t ns)
{
    return cm_format_duration(buf, n, ns);
}

char *hx_arrival_describe(const hx_arrival_t *a, char *buf, size_t n)
{
    char d1[32], d2[80], d3[32];
    switch (a->kind) {
    case HX_ARRIVAL_CONSTANT:
        snprintf(buf, n, "constant %g/s", a->rate);
        break;
    case HX_ARRIVAL_POISSON:
        snprintf(buf, n, "poisson %g/s", a->rate);
        break;
    case HX_ARRIVAL_RAMP:
        snprintf(buf, n, "ramp %g/s -> %g/s over %s", a->from, a->to, fmt_dur(d1, sizeof(d1), a->over_ns));
        break;
    case HX_ARRIVAL_STEP: {
        size_t off = (size_t)snprintf(buf, n, "step");
        for (size_t i = 0; i < a->nsteps && off < n; i++)
            off += (size_t)snprintf(buf + off, n - off, "%s %g/s for %s", i ? "," : "", a->steps[i].rate,
                                    fmt_dur(d1, sizeof(d1), a->steps[i].dur_ns));
        break;
    }
    case HX_ARRIVAL_PHASED: {
        size_t off = 0;
        buf[0] = '\0';
        for (size_t i = 0; i < a->nsegs && off < n; i++) {
            char one[256];
            hx_arrival_describe(a->segs[i].a, one, sizeof(one));
            off += (size_t)snprintf(buf + off, n - off, "%s%s from %s", i ? ", " : "", one,
                                    fmt_dur(d1, sizeof(d1), a->segs[i].start_ns));
        }
        break;
    }
    case HX_ARRIVAL_USERS:
        if (a->think.kind == CM_DIST_UNIFORM)
            snprintf(d2, sizeof(d2), "%s..%s", fmt_dur(d1, sizeof(d1), (uint64_t)a->think.a),
                     fmt_dur(d3, sizeof(d3), (uint64_t)a->think.b));
        else
            cm_dist_format(&a->think, CM_DIST_DURATION, d2, sizeof(d2));
        if (a->spawn_rate > 0)
            snprintf(buf, n, "users %u spawn %g/s think %s", a->users, a->spawn_rate, d2);
        else
            snprintf(buf, n, "users %u think %s", a->users, d2);
        break;
    }
    return buf;
}

static int check_rate(double r, const char *what, char *err, size_t errlen)
{
    if (!isfinite(r) || r < 0) {
        snprintf(err, errlen, "%s: rate must be a finite number >= 0 (got %g)", what, r);
        return -1;
    }
    return 0;
}

static int check_steps(const hx_arrival_t *a, char *err, size_t errlen)
{
    if (a->nsteps == 0) {
        snprintf(err, errlen, "step: at least one step is required");
        return -1;
    }
    for (size_t i = 0; i < a->nsteps; i++) {
        if (check_rate(a->steps[i].rate, "step", err, errlen) != 0)
            return -1;
        if (a->steps[i].dur_ns == 0) {
            snprintf(err, errlen, "step[%zu].for: must be > 0", i);
            return -1;
        }
    }
    return 0;
}

int hx_arrival_check(const hx_arrival_t *a, char *err, size_t errlen)
{
    switch (a->kind) {
    case HX_ARRIVAL_CONSTANT:
    case HX_ARRIVAL_POISSON:
        return check_rate(a->rate, a->kind == HX_ARRIVAL_CONSTANT ? "constant" : "poisson", err, errlen);
    case HX_ARRIVAL_RAMP:
        if (check_rate(a->from, "ramp.from", err, errlen) || check_rate(a->to, "ramp.to", err, errlen))
            return -1;
        if (a->over_ns == 0) {
            snprintf(err, errlen, "ramp.over: must be > 0");
            return -1;
        }
        return 0;
    case HX_ARRIVAL_STEP:
        return check_steps(a, err, errlen);
    case HX_ARRIVAL_USERS:
        if (a->users == 0) {
            snprintf(err, errlen, "users: must be >= 1");
            return -1;
        }
        return check_rate(a->spawn_rate, "spawn", err, errlen);
    case HX_ARRIVAL_PHASED:
        if (a->nsegs == 0 || a->segs == NULL) {
            snprintf(err, errlen, "a phased arrival needs at least one segment");
            return -1;
        }
        for (size_t i = 0; i < a->nsegs; i++) {
            const hx_arrival_t *g = a->segs[i].a;
            if (g == NULL || g->kind == HX_ARRIVAL_USERS || g->kind == HX_ARRIVAL_PHASED) {
                snprintf(err, errlen, "phase %zu: a phase's arrival is open loop (constant, poisson, ramp or step)", i);
                return -1;
            }
            if (a->segs[i].end_ns <= a->segs[i].start_ns || (i > 0 && a->segs[i].start_ns < a->segs[i - 1].end_ns)) {
                snprintf(err, errlen, "phase %zu: segments must follow each other in time", i);
                return -1;
            }
            if (hx_arrival_check(g, err, errlen) != 0)
                return -1;
        }
        return 0;
    }
    snprintf(err, errlen, "unknown arrival kind");
    return -1;
}
