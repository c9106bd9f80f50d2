/* harness/measure/selfcheck.c — the client's self-check: reading pacer lag, late sends and CPU samples into
 * figures and warning lines. The thresholds are the documented ones (stats.h, selfcheck.h); the words say what
 * to change, because a warning nobody can act on gets ignored. */
#include "harness/measure/selfcheck.h"

#include <stdio.h>
#include <string.h>

static double lag_ms(const cm_hist_t *h, double q)
{
    if (h->count == 0)
        return -1;
    return (double)(q >= 100 ? h->max : cm_hist_percentile(h, q)) / 1000.0;
}

void hx_selfcheck(const hx_stats_t *s, hx_selfcheck_t *out)
{
    memset(out, 0, sizeof(*out));
    out->lag_p50_ms = lag_ms(&s->pacer_lag, 50);
    out->lag_p99_ms = lag_ms(&s->pacer_lag, 99);
    out->lag_max_ms = lag_ms(&s->pacer_lag, 100);
    out->late_share = s->sent > 0 ? (double)s->late / (double)s->sent : 0;
    out->cpu_s = (double)s->cpu_ns / 1e9;
    out->cpu_busy_max = (double)s->cpu_busy_max / 1000.0;
    out->cpu_saturated = s->cpu_saturated > 0;
    out->lag_large = s->pacer_lag.count > 0 && out->lag_p99_ms * 1e6 > (double)HX_LAG_WARN_NS;
    if (out->cpu_saturated)
        snprintf(out->cpu_warning, sizeof(out->cpu_warning),
                 "soak's own CPU was saturated: an engine thread was busy %.0f%% of an interval (%llu of %llu "
                 "thread-intervals at %u%% or more); the figures may be the client's, not the target's "
                 "(add --threads, lower the rate or use a larger machine)",
                 out->cpu_busy_max * 100, (unsigned long long)s->cpu_saturated, (unsigned long long)s->cpu_samples,
                 HX_CPU_SATURATED_PERMILLE / 10);
    if (out->lag_large)
        snprintf(out->lag_warning, sizeof(out->lag_warning),
                 "soak's pacer fell behind its schedule: p99 lag %.1f ms, max %.1f ms, %llu of %llu sends late "
                 "(over %.0f ms); latency from the intended time includes that delay",
                 out->lag_p99_ms, out->lag_max_ms, (unsigned long long)s->late, (unsigned long long)s->sent,
                 (double)HX_LATE_NS / 1e6);
}

bool hx_selfcheck_warns(const hx_selfcheck_t *c)
{
    return c->cpu_saturated || c->lag_large;
}
