/* harness/measure/slo.c — parsing SLOs and judging one request against them.
 *
 * The per-request values come from hx_result_metrics, the same definitions the histograms record, so an SLO
 * of "ttft<500ms" and the ttft_ms percentiles can never disagree about what TTFT is. */
#include "harness/measure/slo.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/alloc.h"
#include "common/units.h"

static const char slo_help[] = "ttfb, ttft, ttfrt, tpot, tpot_incl_first, e2e, output_tokens_per_s";

/* Copies s[0..n) without spaces into dst; -1 when it is empty or does not fit. */
static int copy_trim(char *dst, size_t cap, const char *s, size_t n)
{
    size_t o = 0;
    for (size_t i = 0; i < n; i++) {
        if (isspace((unsigned char)s[i]))
            continue;
        if (o + 1 >= cap)
            return -1;
        dst[o++] = s[i];
    }
    dst[o] = '\0';
    return o > 0 ? 0 : -1;
}

static int parse_value(hx_rmetric_t m, const char *v, double *out, char *why, size_t n)
{
    if (m != HX_RM_OTPS) {
        uint64_t ns;
        if (cm_parse_duration(v, &ns, why, n) != 0)
            return -1;
        *out = (double)ns / 1e6;
        return 0;
    }
    if (cm_parse_count(v, out, why, n) == 0)
        return 0;
    return cm_parse_rate(v, out, why, n);
}

int hx_slo_parse(const char *s, hx_slo_t *out, char *err, size_t errlen)
{
    char name[40], value[40], why[160];
    memset(out, 0, sizeof(*out));
    const char *op = strpbrk(s, "<>");
    bool inclusive = op != NULL && op[1] == '=';
    const char *rhs = op != NULL ? op + (inclusive ? 2 : 1) : NULL;
    if (op == NULL || copy_trim(name, sizeof(name), s, (size_t)(op - s)) != 0 ||
        copy_trim(value, sizeof(value), rhs, strlen(rhs)) != 0 || strpbrk(rhs, "<>=") != NULL) {
        snprintf(err, errlen, "SLO \"%.60s\": expected METRIC<VALUE, e.g. ttft<500ms (operators <, <=, >, >=)", s);
        return -1;
    }
    if (hx_rmetric_parse(name, &out->metric) != 0) {
        snprintf(err, errlen, "SLO \"%.60s\": unknown metric \"%s\" (expected %s)", s, name, slo_help);
        return -1;
    }
    if (parse_value(out->metric, value, &out->bound, why, sizeof(why)) != 0) {
        snprintf(err, errlen, "SLO \"%.60s\": %s takes %s: %s", s, name,
                 out->metric == HX_RM_OTPS ? "a number of tokens per second such as 20" : "a duration such as 500ms",
                 why);
        return -1;
    }
    out->upper = *op == '<';
    out->strict = !inclusive;
    snprintf(out->text, sizeof(out->text), "%s%c%s%s", name, *op, inclusive ? "=" : "", value);
    return 0;
}

int hx_slo_parse_list(const cm_conf_t *conf, const cm_node_t *seq, const char *path, hx_slo_t **out, size_t *count,
                      cm_err_t *err)
{
    char ipath[96], why[512];
    *out = NULL;
    *count = 0;
    if (seq == NULL || seq->type == CM_NODE_NULL)
        return 0;
    if (seq->type != CM_NODE_SEQ)
        return cm_conf_error(conf, seq, path, err, "expected a list of SLOs such as [\"ttft<500ms\", \"tpot<50ms\"]");
    if (seq->n > HX_MAX_SLOS)
        return cm_conf_error(conf, seq, path, err, "%zu SLOs, at most %d", seq->n, HX_MAX_SLOS);
    hx_slo_t *v = cm_xcalloc(seq->n > 0 ? seq->n : 1, sizeof(*v));
    for (size_t i = 0; i < seq->n; i++) {
        const char *s;
        cm_conf_path(ipath, sizeof(ipath), path, (int)i, NULL);
        if (cm_conf_str(conf, seq->items[i], ipath, &s, err) != 0)
            goto error;
        if (hx_slo_parse(s, &v[i], why, sizeof(why)) != 0) {
            cm_conf_error(conf, seq->items[i], ipath, err, "%s", why);
            goto error;
        }
    }
    if (seq->n == 0) {
        free(v);
        return 0;
    }
    *out = v;
    *count = seq->n;
    return 0;
error:
    free(v);
    return -1;
}

static bool holds(const hx_slo_t *s, double v)
{
    if (s->upper)
        return s->strict ? v < s->bound : v <= s->bound;
    return s->strict ? v > s->bound : v >= s->bound;
}

bool hx_slo_met(const hx_slo_t *slos, size_t n, const hx_result_t *r)
{
    if (r->err != HX_ERR_NONE)
        return false;
    if (n == 0)
        return true;
    hx_rmetrics_t m;
    hx_result_metrics(r, &m);
    for (size_t i = 0; i < n; i++) {
        hx_rmetric_t k = slos[i].metric;
        if (!m.has[k]) {
            /* Undefined by the answer's shape: a streamed answer of one token has no decode time, one without
             * reasoning no reasoning to wait for. */
            bool vacuous = r->stream && ((k == HX_RM_TPOT && r->tokens <= 1) || k == HX_RM_TTFRT);
            if (!vacuous)
                return false;
            continue;
        }
        if (!holds(&slos[i], m.v[k]))
            return false;
    }
    return true;
}
