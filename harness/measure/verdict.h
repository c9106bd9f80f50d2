/* harness/measure/verdict.h — expectations (thresholds) and their verdicts. Full reference: docs/expectations.md.
 *
 * Metrics (units as written in configs: durations with units, rates per second or minute, fractions as %):
 *   failure_rate                      fraction of the offered load that did not succeed: (failed + aborted +
 *                                     dropped) / (total + aborted + dropped); ignore: [429, http_5xx, dropped,
 *                                     client_closed, ...] removes those statuses/classes from the failures AND
 *                                     the denominator ("aborted" is accepted for client_closed)
 *   latency.<stat>                    from intended send time (successful requests)
 *   latency_all.<stat>                from intended send time, every outcome
 *   service.<stat>                    from actual send time
 *   ttfb.<stat>, ttft.<stat>, itl.<stat>, ttlt.<stat>   time to first byte; streams
 *   icl.<stat>, ttfrt.<stat>, tpot.<stat>, tpot_incl_first.<stat>, e2e.<stat>   docs/metrics.md (e2e: latency)
 *   goodput.rate, goodput.attainment  good requests (every SLO held) per second / share of the offered load
 *   gateway_overhead.<stat>           client service time minus x-mock-service-ms
 *   litellm_overhead.<stat>, mock_service.<stat>        the gateway's and the mock's own timing headers
 *   pacer_lag.<stat>                  intended send time to the hand-over to libcurl (the client's self-check)
 *   rate.achieved, rate.offered       per second (bounds may be written "1000/s")
 *   successes_per_minute              ok requests per minute of run
 *   requests.total|ok|failed|rate_limited|aborted, dropped, late, tokens     counts
 *   drift.<family>.<stat>             last window / first window ratio (e.g. drift.latency.p99, max: 1.5)
 *   deployment_share.<name>           fraction of answered requests served by that deployment
 * <stat> is p50, p90, p95, p99, p999 (any pNN, pNNN or pNN.N), min, max or mean; times in ms.
 * Each expectation has min and/or max. Exit status: 0 all pass, 1 any fails. An expectation whose metric
 * has no data (e.g. ttft with no streams) fails with measured "n/a". */
#ifndef HX_VERDICT_H
#define HX_VERDICT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/config.h"
#include "harness/measure/phase.h"
#include "harness/measure/stats.h"

typedef struct hx_expect {
    char metric[96];
    bool has_min, has_max;
    double min, max;             /* in the metric's base unit: ms for times, per second for rates, fraction */
    char bound_text[96];         /* as written, for reports: "max 500ms", "min 19000" */
    uint64_t ignore_errors;      /* bit i: hx_err_t i ignored by failure_rate */
    uint64_t ignore_status[10];  /* bitset over HTTP statuses 0..639 ignored by failure_rate */
    bool min_strict, max_strict; /* CLI ">" and "<": the bound itself fails (YAML min/max are inclusive) */
    bool is_default;             /* added because the run gave no expectation (hx_expect_default); reports say so */
    int exit_code;               /* YAML exit_code: the run's exit status when this fails first; 0: none */
    /* Scope (YAML form only). in_phase: judged on phase `phase` alone (load.phases), excluded or not;
     * otherwise on the whole run less its excluded phases. has_windows (drift metrics): window / baseline
     * instead of the run's last window / first window. scope_text says which, for reports ("" = whole run). */
    bool in_phase;
    int phase;
    bool in_group; /* judged on group `group` alone (load.groups) */
    int group;
    bool has_windows;
    hx_span_ref_t baseline, window;
    char scope[112];
} hx_expect_t;

/* The verdict of a run that states no expectation at all (no --expect, no expect: key): at most 1% of the
 * offered load may fail, as in LiteLLM's release load test. A scenario opts out with `expect: []`. */
#define HX_DEFAULT_FAILURE_RATE 0.01
#define HX_DEFAULT_FAILURE_RATE_TEXT "1%"

typedef struct hx_verdict {
    bool available; /* the metric had data */
    double measured;
    bool pass;
} hx_verdict_t;

/* Parses the `expect:` sequence (NULL or an empty value: no expectations). Each item is a map with
 * `metric`, `min` and/or `max` (in the metric's unit, see docs/expectations.md), for failure_rate only
 * `ignore` (HTTP statuses and error class names), `phase` (a name from scopes->phases), `group` (a name from
 * scopes->groups) and, for drift metrics only, `baseline` and `window` (each a phase name or a time range
 * "0s..60s"); or a string in the CLI form ("latency.p99<500ms"). scopes may be NULL (no phases, no groups).
 * On success *out is an array of *count items the caller frees with free() (NULL when count is 0). On error
 * returns -1, *out = NULL, and err carries file:line:col and the path ("expect[1].metric: unknown ..."). */
typedef struct hx_expect_scopes {
    const hx_phases_t *phases; /* NULL: none */
    const char *const *groups; /* the load's group names */
    size_t ngroups;
} hx_expect_scopes_t;
int hx_expect_parse(const cm_conf_t *conf, const cm_node_t *seq, const char *path, const hx_expect_scopes_t *scopes,
                    hx_expect_t **out, size_t *count, cm_err_t *err);
/* Whether e is a drift metric (drift.<family>.<stat>). */
bool hx_expect_is_drift(const hx_expect_t *e);
/* Part of hx_expect_parse (verdict_scope.c): reads the scope keys of the map item (group, phase, baseline,
 * window) into e, whose metric is already set. Returns 0, or -1 with err. */
int hx_expect_parse_scope(const cm_conf_t *conf, const cm_node_t *item, const char *path,
                          const hx_expect_scopes_t *sc, hx_expect_t *e, cm_err_t *err);
/* Parses a CLI expectation: "latency.p99<500ms", "failure_rate<=1%", "rate.achieved>=990/s". "<" and ">"
 * are strict, "<=" and ">=" inclusive. Returns 0, or -1 with a one-line reason in err. */
int hx_expect_parse_flag(const char *s, hx_expect_t *out, char *err, size_t errlen);
/* Fills out with the default expectation, failure_rate <= HX_DEFAULT_FAILURE_RATE, marked is_default. */
void hx_expect_default(hx_expect_t *out);
/* The unit of the metric's base value, for machine-readable reports: "ms", "fraction", "per_second",
 * "per_minute", "count" or "ratio" ("" for an expectation that did not come from a parser). */
const char *hx_expect_unit(const hx_expect_t *e);

typedef struct hx_eval_input {
    const hx_stats_t *total;
    const hx_stats_t *first_window, *last_window;
    double duration_s; /* measured run length */
} hx_eval_input_t;

/* Evaluates e on the run's stats (first_window/last_window may be NULL: drift metrics are then n/a). */
void hx_expect_eval(const hx_expect_t *e, const hx_eval_input_t *in, hx_verdict_t *v);
/* Measured value formatted in the metric's unit ("512.3ms", "0.42%", "1174.0/s"); "n/a" when unavailable. */
char *hx_expect_format_value(const hx_expect_t *e, const hx_verdict_t *v, char *buf, size_t n);

#endif
