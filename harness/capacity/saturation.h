/* harness/capacity/saturation.h — whether a probe of `soak find` (or a constant rate of `soak sweep`) was
 * over-saturated: the target could not keep up at all, whatever its SLOs said. Pure: it reads the probe's
 * timeline (harness/measure/timeline.h), nothing else. Definitions (docs/capacity.md), on the measured part (the
 * whole intervals from the warm-up's end, from_s, to the last arrival, to_s), any of:
 *   dropped  an arrival found --max-inflight requests in flight and was not sent;
 *   behind   the achieved rate (requests answered per second over the measured part) is below 90% of the rate;
 *   rising   the median of the intervals' p50 latency over the last third of the measured intervals is more than
 *            twice that over the first third and at least 20 ms higher (for streams, TTFT the same way); it
 *            needs 3 measured intervals: a queue growing through the probe, which a longer probe would only
 *            make worse. */
#ifndef HX_SATURATION_H
#define HX_SATURATION_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "harness/measure/timeline.h"

#define HX_BEHIND_RATIO 0.9   /* achieved below this share of the rate: over-saturated */
#define HX_RISING_FACTOR 2.0  /* last third's median p50 above this times the first third's */
#define HX_RISING_MIN_MS 20.0 /* ... and at least this much higher */

/* Arrivals (offered), answers (achieved) and successes (ok) per second over the measured part. The run's own
 * rate.achieved counts the drain's answers too, and those of requests sent in the warm-up: a queue emptying after
 * the last arrival would make a saturated target look as fast as the rate it was offered. Returns false when no
 * whole interval lies in [from_s, to_s]. */
typedef struct hx_window_rates {
    double offered, achieved, ok;
} hx_window_rates_t;
bool hx_window_rates(const hx_timeline_t *tl, double from_s, double to_s, hx_window_rates_t *out);

/* Whether the p50 latency (ttft: TTFT) rises through the measured part as `rising` says; first and last are
 * the two thirds' medians (set when there are 3 intervals or more). */
bool hx_rising(const hx_timeline_t *tl, double from_s, double to_s, bool ttft, double *first, double *last);

/* Whether a probe at `rate` per second that achieved `achieved` and dropped `dropped` arrivals after its warm-up
 * was over-saturated; true with the reason in why ("saturated: behind, achieved 80.0/s of 100/s"; stopped_early
 * adds that the probe stopped at its first drop). tl may be NULL (then only dropped and behind). */
bool hx_saturated(const hx_timeline_t *tl, double from_s, double to_s, double rate, double achieved, uint64_t dropped,
                  bool stopped_early, char *why, size_t n);

#endif
