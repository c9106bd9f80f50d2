#include "harness/capacity/search.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

typedef struct search {
    const hx_search_opts_t *o;
    hx_probe_fn probe;
    void *ctx;
    hx_search_result_t *res;
    char *err;
    size_t errlen;
} search_t;

int hx_search_check(const hx_search_opts_t *o, char *err, size_t errlen)
{
    const char *why = NULL;
    if (!(o->min_rate >= HX_SEARCH_MIN_RATE) || !(o->max_rate <= HX_SEARCH_MAX_RATE))
        why = "rates must lie within 0.001/s .. 10M/s";
    else if (!(o->min_rate <= o->start_rate && o->start_rate <= o->max_rate))
        why = "start rate must lie within min rate .. max rate";
    else if (o->repeats < 1 || o->repeats > HX_SEARCH_MAX_REPEATS)
        why = "repeats must be 1 to 20";
    else if (!(o->precision >= HX_SEARCH_MIN_PRECISION && o->precision <= HX_SEARCH_MAX_PRECISION))
        why = "precision must be 0.1% to 50%";
    else if (o->max_probes < 1 || o->max_probes > HX_SEARCH_MAX_PROBES)
        why = "max probes must be 1 to 200";
    else if (o->integer && (o->min_rate < 1 || o->min_rate != floor(o->min_rate) ||
                            o->start_rate != floor(o->start_rate) || o->max_rate != floor(o->max_rate)))
        why = "an integer search needs whole start, min and max values of at least 1";
    if (why == NULL)
        return 0;
    snprintf(err, errlen, "%s", why);
    return -1;
}

/* Probes one rate: its repeats until one fails. Returns 0 with *pass set, or -1 when the probe asked to stop. */
static int probe_rate(search_t *s, double rate, bool *pass)
{
    hx_search_result_t *res = s->res;
    unsigned idx = (unsigned)res->nsteps;
    hx_search_step_t *st = &res->steps[res->nsteps++];
    *st = (hx_search_step_t){.rate = rate, .pass = true};
    for (unsigned r = 0; r < s->o->repeats; r++) {
        hx_probe_verdict_t v = {0};
        if (s->probe(s->ctx, rate, idx, r, &v) != 0) {
            st->pass = false;
            res->end = HX_SEARCH_END_STOPPED;
            snprintf(s->err, s->errlen, "probe %u at %.6g%s stopped the search", idx + 1, rate,
                     s->o->integer ? " users" : "/s");
            return -1;
        }
        st->runs++;
        /* A rate passes only when every repeat does, so the first failure decides it. */
        if (!v.pass || v.saturated) {
            st->pass = false;
            st->saturated = v.saturated;
            break;
        }
    }
    *pass = st->pass;
    return 0;
}

static bool budget_left(const search_t *s)
{
    return s->res->nsteps < s->o->max_probes;
}

/* Phase 1: doubling from the start rate while it passes, halving while it fails, until a pass and a fail bracket
 * the knee, or a bound or the budget is reached. */
static int bracket(search_t *s)
{
    const hx_search_opts_t *o = s->o;
    hx_search_result_t *res = s->res;
    double rate = o->start_rate;
    bool pass;
    if (probe_rate(s, rate, &pass) != 0)
        return -1;
    bool up = pass;
    for (;;) {
        if (pass)
            res->lo = rate;
        else
            res->hi = rate;
        if (res->lo > 0 && res->hi > 0)
            return 0;
        if (up ? rate >= o->max_rate : rate <= o->min_rate) {
            res->end = up ? HX_SEARCH_END_ABOVE_MAX : HX_SEARCH_END_BELOW_MIN;
            return 1;
        }
        if (!budget_left(s)) {
            res->end = HX_SEARCH_END_MAX_PROBES;
            return 1;
        }
        double next = o->integer ? floor(rate / 2) : rate / 2;
        rate = up ? fmin(rate * 2, o->max_rate) : fmax(next, o->min_rate);
        if (probe_rate(s, rate, &pass) != 0)
            return -1;
    }
}

/* Whether [lo, hi) is narrow enough: within precision of hi, and for whole values also when lo and hi are
 * neighbours (nothing lies between them to probe). */
static bool converged(const search_t *s)
{
    const hx_search_result_t *res = s->res;
    double width = s->o->precision * res->hi;
    if (s->o->integer && width < 1)
        width = 1;
    return res->hi - res->lo <= width;
}

/* Phase 2: bisection of [lo, hi). The midpoint is arithmetic: the precision asked for is relative to hi, and
 * by then lo and hi are within a factor of two, where the geometric and arithmetic means differ by < 3%. For
 * whole values it rounds down, which stays strictly between lo and hi because they are not neighbours. */
static int bisect(search_t *s)
{
    hx_search_result_t *res = s->res;
    while (!converged(s)) {
        if (!budget_left(s)) {
            res->end = HX_SEARCH_END_MAX_PROBES;
            return 0;
        }
        double mid = (res->lo + res->hi) / 2;
        if (s->o->integer)
            mid = floor(mid);
        bool pass;
        if (probe_rate(s, mid, &pass) != 0)
            return -1;
        if (pass)
            res->lo = mid;
        else
            res->hi = mid;
    }
    res->end = HX_SEARCH_END_CONVERGED;
    return 0;
}

int hx_search_run(const hx_search_opts_t *o, hx_probe_fn probe, void *ctx, hx_search_result_t *res, char *err,
                  size_t errlen)
{
    memset(res, 0, sizeof(*res));
    if (hx_search_check(o, err, errlen) != 0)
        return -1;
    search_t s = {o, probe, ctx, res, err, errlen};
    int rc = bracket(&s);
    if (rc < 0)
        return -1;
    if (rc > 0)
        return 0;
    return bisect(&s);
}

const char *hx_search_end_name(hx_search_end_t end)
{
    switch (end) {
    case HX_SEARCH_END_CONVERGED:
        return "converged";
    case HX_SEARCH_END_MAX_PROBES:
        return "max-probes";
    case HX_SEARCH_END_ABOVE_MAX:
        return "above-max-rate";
    case HX_SEARCH_END_BELOW_MIN:
        return "below-min-rate";
    case HX_SEARCH_END_STOPPED:
        return "stopped";
    }
    return "?";
}
