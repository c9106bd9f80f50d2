/* When a probe is over-saturated (saturation.h). Only whole intervals between the warm-up and the last arrival
 * count: the warm-up is not judged, and the drain after the last arrival holds only the stragglers of a queue. */
#include "harness/capacity/saturation.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static bool measured(const hx_point_t *p, double from_s, double to_s)
{
    return p->t0_s >= from_s - 1e-6 && p->t1_s <= to_s + 1e-3;
}

bool hx_window_rates(const hx_timeline_t *tl, double from_s, double to_s, hx_window_rates_t *out)
{
    double secs = 0, offered = 0, done = 0, ok = 0;
    for (size_t i = 0; tl != NULL && i < tl->n; i++) {
        const hx_point_t *p = &tl->points[i];
        if (measured(p, from_s, to_s)) {
            secs += p->t1_s - p->t0_s;
            offered += (double)p->offered;
            done += (double)p->total;
            ok += (double)p->ok;
        }
    }
    if (!(secs > 0))
        return false;
    *out = (hx_window_rates_t){offered / secs, done / secs, ok / secs};
    return true;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

static double median(double *v, size_t n)
{
    qsort(v, n, sizeof(*v), cmp_double);
    return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

bool hx_rising(const hx_timeline_t *tl, double from_s, double to_s, bool ttft, double *first, double *last)
{
    double v[HX_TIMELINE_POINTS], tail[HX_TIMELINE_POINTS];
    size_t n = 0;
    for (size_t i = 0; tl != NULL && i < tl->n; i++) {
        const hx_point_t *p = &tl->points[i];
        double x = ttft ? p->ttft_ms[0] : p->latency_ms[0];
        if (measured(p, from_s, to_s) && !isnan(x))
            v[n++] = x;
    }
    if (n < 3)
        return false;
    size_t k = n / 3;
    memcpy(tail, v + n - k, k * sizeof(double));
    *first = median(v, k);
    *last = median(tail, k);
    return *last > HX_RISING_FACTOR * *first && *last - *first >= HX_RISING_MIN_MS;
}

bool hx_saturated(const hx_timeline_t *tl, double from_s, double to_s, double rate, double achieved, uint64_t dropped,
                  bool stopped_early, char *why, size_t n)
{
    double a, b;
    if (dropped > 0)
        snprintf(why, n, "saturated: %llu arrivals dropped at the in-flight cap%s", (unsigned long long)dropped,
                 stopped_early ? ", stopped early" : "");
    else if (achieved < HX_BEHIND_RATIO * rate)
        snprintf(why, n, "saturated: behind, achieved %.1f/s of %.6g/s", achieved, rate);
    else if (hx_rising(tl, from_s, to_s, false, &a, &b))
        snprintf(why, n, "saturated: latency p50 rising, %.1fms to %.1fms", a, b);
    else if (hx_rising(tl, from_s, to_s, true, &a, &b))
        snprintf(why, n, "saturated: TTFT p50 rising, %.1fms to %.1fms", a, b);
    else
        return false;
    return true;
}
