/* harness/measure/verdict_eval.c — an expectation judged against a run's stats (the whole run, a phase, a
 * group, or two spans for a drift), and its measured value formatted for reports. The metric is resolved by
 * the same code that parsed it (verdict.c), so a name means the same thing in both. */
#include <stdio.h>
#include <string.h>

#include "harness/measure/verdict.h"
#include "harness/measure/verdict_internal.h"

/* ---- evaluation ------------------------------------------------------------------------------------- */

static const cm_hist_t *hist_of(const hx_stats_t *s, const metric_t *m)
{
    return (const cm_hist_t *)((const char *)s + m->hist_off);
}

static bool hist_value(const cm_hist_t *h, const metric_t *m, double *ms)
{
    if (h->count == 0)
        return false;
    double us = 0;
    switch (m->stat) {
    case ST_PERCENTILE:
        us = (double)cm_hist_percentile(h, m->pct);
        break;
    case ST_MIN:
        us = (double)h->min;
        break;
    case ST_MAX:
        us = (double)h->max;
        break;
    case ST_MEAN:
        us = cm_hist_mean(h);
        break;
    }
    *ms = us / 1000.0;
    return true;
}

static hx_err_t status_class(unsigned st)
{
    if (st == 429)
        return HX_ERR_HTTP_429;
    if (st >= 400 && st < 500)
        return HX_ERR_HTTP_4XX;
    if (st >= 500 && st < 600)
        return HX_ERR_HTTP_5XX;
    return HX_ERR_HTTP_OTHER;
}

static bool ignores(const hx_expect_t *e, hx_err_t cls)
{
    return (e->ignore_errors >> cls) & 1u;
}

/* The rate is over the offered load, not only the outcomes: an arrival dropped at the in-flight cap and a
 * request cut off at the end of the run were asked of the target and did not succeed, and leaving them out
 * would let an overloaded run pass on the few requests it managed to send. Ignored statuses and classes
 * leave both the failures and the denominator; a status whose class is also ignored is already counted in
 * that class. */
static bool failure_rate(const hx_expect_t *e, const hx_stats_t *s, double *out)
{
    uint64_t ignored = 0;
    for (int c = 1; c < HX_ERR__COUNT; c++)
        if (ignores(e, (hx_err_t)c) && c != HX_ERR_CLIENT_CLOSED && c != HX_ERR_DROPPED)
            ignored += s->errors[c];
    for (unsigned st = 100; st < HX_STATUS_SLOTS; st++)
        if ((e->ignore_status[st / 64] >> (st % 64)) & 1u && !ignores(e, status_class(st)))
            ignored += s->http_errors[st];
    if (ignored > s->all.failed)
        ignored = s->all.failed;
    if (ignores(e, HX_ERR_CLIENT_CLOSED))
        ignored += s->aborted;
    if (ignores(e, HX_ERR_DROPPED))
        ignored += s->dropped;
    uint64_t total = hx_stats_offered(s) - ignored;
    if (total == 0)
        return false;
    *out = (double)(hx_stats_unsuccessful(s) - ignored) / (double)total;
    return true;
}

static bool deployment_share(const metric_t *m, const hx_stats_t *s, double *out)
{
    uint64_t answered = 0, mine = 0;
    for (uint32_t d = 0; d <= HX_MAX_DEPLOYMENTS; d++) {
        answered += s->by_deployment[d].total;
        const char *name = hx_stats_deployment_name(d);
        if (name != NULL && strcmp(name, m->share) == 0)
            mine = s->by_deployment[d].total;
    }
    if (answered == 0)
        return false;
    *out = (double)mine / (double)answered;
    return true;
}

static bool drift(const metric_t *m, const hx_eval_input_t *in, double *out)
{
    double first, last;
    if (in->first_window == NULL || in->last_window == NULL)
        return false;
    if (!hist_value(hist_of(in->first_window, m), m, &first) || !hist_value(hist_of(in->last_window, m), m, &last))
        return false;
    if (!(first > 0))
        return false;
    *out = last / first;
    return true;
}

/* Good requests (hx_slo_met) per second of run, or their share of the offered load: a failed, cut-off or
 * dropped request counts against attainment as it counts in failure_rate. */
static bool goodput(const metric_t *m, const hx_eval_input_t *in, double *out)
{
    const hx_stats_t *t = in->total;
    if (m->kind == MK_GOODPUT_RATE) {
        *out = in->duration_s > 0 ? (double)t->good / in->duration_s : 0;
        return in->duration_s > 0;
    }
    uint64_t offered = hx_stats_offered(t);
    *out = offered > 0 ? (double)t->good / (double)offered : 0;
    return offered > 0;
}

static bool measure(const hx_expect_t *e, const metric_t *m, const hx_eval_input_t *in, double *out)
{
    const hx_stats_t *t = in->total;
    double secs = in->duration_s;
    switch (m->kind) {
    case MK_HIST:
        return hist_value(hist_of(t, m), m, out);
    case MK_FAILURE_RATE:
        return failure_rate(e, t, out);
    case MK_RATE_ACHIEVED:
        *out = secs > 0 ? (double)t->all.total / secs : 0;
        return secs > 0;
    case MK_RATE_OFFERED:
        *out = secs > 0 ? (double)(t->sent + t->dropped) / secs : 0;
        return secs > 0;
    case MK_SUCCESSES_PER_MINUTE:
        *out = secs > 0 ? (double)t->all.ok * 60.0 / secs : 0;
        return secs > 0;
    case MK_COUNT:
        *out = (double)*(const uint64_t *)((const char *)t + m->count_off);
        return true;
    case MK_DRIFT:
        return drift(m, in, out);
    case MK_SHARE:
        return deployment_share(m, t, out);
    case MK_GOODPUT_RATE:
    case MK_GOODPUT_ATTAINMENT:
        return goodput(m, in, out);
    }
    return false;
}

void hx_expect_eval(const hx_expect_t *e, const hx_eval_input_t *in, hx_verdict_t *v)
{
    metric_t m;
    memset(v, 0, sizeof(*v));
    if (in->total == NULL || hx_metric_resolve(e->metric, &m) != 0)
        return; /* not available: fails */
    v->available = measure(e, &m, in, &v->measured);
    if (!v->available)
        return;
    bool ok = true;
    if (e->has_min)
        ok = ok && (e->min_strict ? v->measured > e->min : v->measured >= e->min);
    if (e->has_max)
        ok = ok && (e->max_strict ? v->measured < e->max : v->measured <= e->max);
    v->pass = ok;
}

const char *hx_expect_unit(const hx_expect_t *e)
{
    static const char *const names[] = {"ms", "fraction", "per_second", "per_minute", "count", "ratio"};
    metric_t m;
    return hx_metric_resolve(e->metric, &m) == 0 ? names[m.unit] : "";
}

char *hx_expect_format_value(const hx_expect_t *e, const hx_verdict_t *v, char *buf, size_t n)
{
    static const char *const formats[] = {"%.1fms", "%.2f%%", "%.1f/s", "%.1f/min", "%.0f", "%.3f"};
    metric_t m;
    if (!v->available || hx_metric_resolve(e->metric, &m) != 0) {
        snprintf(buf, n, "n/a");
        return buf;
    }
    double x = m.unit == U_FRACTION ? v->measured * 100 : v->measured;
    const char *fmt = formats[m.unit];
    if (m.unit == U_MS && x < 10)
        fmt = "%.2fms"; /* inter-token gaps and overheads live below 10 ms */
    else if (m.unit == U_FRACTION && x > 0 && x < 1)
        fmt = "%.3g%%"; /* 0.0042% must not print as 0.00% */
    snprintf(buf, n, fmt, x);
    return buf;
}
