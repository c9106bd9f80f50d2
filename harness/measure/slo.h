/* harness/measure/slo.h — service level objectives per request, and goodput.
 *
 * An SLO bounds one per-request metric (hx_rmetric_t): "ttft<500ms", "tpot<=50ms", "e2e<2s",
 * "output_tokens_per_s>=20". A request is good when it succeeded and every SLO holds for it; goodput is the
 * good requests per second, and SLO attainment the good share of the offered load (failed, cut-off and dropped
 * requests in the denominator). Definitions and examples: docs/metrics.md. */
#ifndef HX_SLO_H
#define HX_SLO_H

#include <stdbool.h>
#include <stddef.h>

#include "common/config.h"
#include "harness/measure/result.h"

#define HX_MAX_SLOS 16 /* SLOs a run may state */

typedef struct hx_slo {
    hx_rmetric_t metric;
    bool upper;  /* "<" or "<=": the metric must stay below bound; else above */
    bool strict; /* "<" or ">" */
    double bound; /* ms for times, tokens per second for output_tokens_per_s */
    char text[96]; /* as written, without spaces: "ttft<500ms" */
} hx_slo_t;

/* Parses "METRIC<VALUE" (operators <, <=, >, >=; times with units, output_tokens_per_s as a number or a rate
 * such as 20/s). Returns 0, or -1 with a one-line reason in err naming the metrics it knows. */
int hx_slo_parse(const char *s, hx_slo_t *out, char *err, size_t errlen);
/* Parses a config file's `slo:` list of such strings into *out (malloc'd, *count items; NULL when empty).
 * Errors carry file:line:col and the item's path ("slo[1]: ..."). */
int hx_slo_parse_list(const cm_conf_t *conf, const cm_node_t *seq, const char *path, hx_slo_t **out, size_t *count,
                      cm_err_t *err);
/* Whether r is good: it succeeded and every one of the n SLOs holds. A request without a metric an SLO
 * bounds fails that SLO, except where the answer's shape leaves the metric undefined and so nothing could be
 * slow: TPOT of a one-token answer, TTFRT of an answer without reasoning. With n = 0, every success is good. */
bool hx_slo_met(const hx_slo_t *slos, size_t n, const hx_result_t *r);

#endif
