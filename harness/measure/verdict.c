/* harness/measure/verdict.c — expectation parsing, YAML and CLI forms (evaluation: verdict_eval.c; scopes:
 * verdict_scope.c).
 *
 * A metric name is resolved the same way when parsing and when evaluating (hx_metric_resolve), so hx_expect_t
 * only keeps the name as written and the bounds in the metric's base unit. Bounds are read with the one units
 * parser (common/units.h), so "500ms", "1%" and "1000/s" mean here what they mean everywhere else. */
#include "harness/measure/verdict.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/alloc.h"
#include "common/units.h"
#include "harness/measure/exitcode.h"

#include "harness/measure/verdict_internal.h"

typedef struct named_off {
    const char *name;
    size_t off;
} named_off_t;

static const named_off_t hist_families[] = {
    {"latency", offsetof(hx_stats_t, latency)},
    {"latency_all", offsetof(hx_stats_t, latency_all)},
    {"service", offsetof(hx_stats_t, service)},
    {"ttfb", offsetof(hx_stats_t, ttfb)},
    {"ttft", offsetof(hx_stats_t, ttft)},
    {"itl", offsetof(hx_stats_t, itl)},
    {"icl", offsetof(hx_stats_t, icl)},
    {"ttfrt", offsetof(hx_stats_t, ttfrt)},
    {"tpot_incl_first", offsetof(hx_stats_t, tpot_incl_first)},
    {"tpot", offsetof(hx_stats_t, tpot)},
    {"e2e", offsetof(hx_stats_t, latency)},
    {"ttlt", offsetof(hx_stats_t, ttlt)},
    {"gateway_overhead", offsetof(hx_stats_t, gateway_overhead)},
    {"litellm_overhead", offsetof(hx_stats_t, litellm_overhead)},
    {"mock_service", offsetof(hx_stats_t, mock_service)},
    {"pacer_lag", offsetof(hx_stats_t, pacer_lag)},
};

static const named_off_t counters[] = {
    {"requests.total", offsetof(hx_stats_t, all.total)},
    {"requests.ok", offsetof(hx_stats_t, all.ok)},
    {"requests.failed", offsetof(hx_stats_t, all.failed)},
    {"requests.rate_limited", offsetof(hx_stats_t, all.rate_limited)},
    {"requests.aborted", offsetof(hx_stats_t, aborted)},
    {"dropped", offsetof(hx_stats_t, dropped)},
    {"late", offsetof(hx_stats_t, late)},
    {"tokens", offsetof(hx_stats_t, tokens)},
};

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))

static const char metric_help[] =
    "expected failure_rate, latency|latency_all|service|ttfb|ttft|itl|icl|ttfrt|tpot|tpot_incl_first|e2e|ttlt|"
    "gateway_overhead|litellm_overhead|mock_service|pacer_lag.<stat>, goodput.rate, goodput.attainment, "
    "rate.achieved, rate.offered, successes_per_minute, "
    "requests.total|ok|failed|rate_limited|aborted, dropped, late, tokens, drift.<family>.<stat>, "
    "deployment_share.<name>; <stat> is p50, p90, p95, p99, p999 (any pNN or pNN.N), min, max or mean";

/* "p99" -> 99, "p999" -> 99.9, "p99.9" -> 99.9, "p5" -> 5: digits after the first two are decimals, as in
 * the usual p999 / p9999 spelling. */
static int parse_percentile(const char *s, double *pct)
{
    if (s[0] != 'p' || !isdigit((unsigned char)s[1]))
        return -1;
    const char *d = s + 1;
    size_t n = strspn(d, "0123456789");
    if (d[n] == '.') {
        char *end;
        *pct = strtod(d, &end);
        return *end == '\0' && *pct < 100 ? 0 : -1;
    }
    if (d[n] != '\0' || n > 6)
        return -1;
    double v = 0, scale = 1;
    for (size_t i = 0; i < n; i++) {
        if (i < 2)
            v = v * 10 + (d[i] - '0');
        else
            v += (d[i] - '0') * (scale /= 10);
    }
    *pct = v;
    return n >= 3 && d[0] != '9' ? -1 : 0; /* p100 or p500 would be a typo, not a percentile */
}

static int parse_stat(const char *s, metric_t *m)
{
    if (strcmp(s, "min") == 0)
        m->stat = ST_MIN;
    else if (strcmp(s, "max") == 0)
        m->stat = ST_MAX;
    else if (strcmp(s, "mean") == 0)
        m->stat = ST_MEAN;
    else if (parse_percentile(s, &m->pct) == 0)
        m->stat = ST_PERCENTILE;
    else
        return -1;
    return 0;
}

/* "<family>.<stat>" for the histogram families (the stat may itself hold a dot: "p99.9"). */
static int resolve_hist(const char *name, metric_t *m)
{
    for (size_t i = 0; i < NELEM(hist_families); i++) {
        size_t n = strlen(hist_families[i].name);
        if (strncmp(name, hist_families[i].name, n) == 0 && name[n] == '.') {
            m->hist_off = hist_families[i].off;
            return parse_stat(name + n + 1, m);
        }
    }
    return -1;
}

static int resolve_simple(const char *name, metric_t *m)
{
    static const struct {
        const char *name;
        metric_kind_t kind;
        metric_unit_t unit;
    } simple[] = {
        {"failure_rate", MK_FAILURE_RATE, U_FRACTION},
        {"rate.achieved", MK_RATE_ACHIEVED, U_PER_SECOND},
        {"rate.offered", MK_RATE_OFFERED, U_PER_SECOND},
        {"successes_per_minute", MK_SUCCESSES_PER_MINUTE, U_PER_MINUTE},
        {"goodput.rate", MK_GOODPUT_RATE, U_PER_SECOND},
        {"goodput.attainment", MK_GOODPUT_ATTAINMENT, U_FRACTION},
    };
    for (size_t i = 0; i < NELEM(simple); i++) {
        if (strcmp(name, simple[i].name) == 0) {
            m->kind = simple[i].kind;
            m->unit = simple[i].unit;
            return 0;
        }
    }
    for (size_t i = 0; i < NELEM(counters); i++) {
        if (strcmp(name, counters[i].name) == 0) {
            m->kind = MK_COUNT;
            m->unit = U_COUNT;
            m->count_off = counters[i].off;
            return 0;
        }
    }
    return -1;
}

int hx_metric_resolve(const char *name, metric_t *m)
{
    memset(m, 0, sizeof(*m));
    if (resolve_simple(name, m) == 0)
        return 0;
    if (strncmp(name, "drift.", 6) == 0) {
        m->kind = MK_DRIFT;
        m->unit = U_RATIO;
        return resolve_hist(name + 6, m);
    }
    if (strncmp(name, "deployment_share.", 17) == 0 && name[17] != '\0') {
        m->kind = MK_SHARE;
        m->unit = U_FRACTION;
        m->share = name + 17;
        return 0;
    }
    m->kind = MK_HIST;
    m->unit = U_MS;
    return resolve_hist(name, m);
}

static int resolve_err(const char *name, metric_t *m, char *err, size_t errlen)
{
    if (hx_metric_resolve(name, m) == 0)
        return 0;
    snprintf(err, errlen, "unknown metric \"%s\" (%s)", name, metric_help);
    return -1;
}

/* ---- bounds ----------------------------------------------------------------------------------------- */

static int parse_plain(const char *text, double *out, char *err, size_t errlen)
{
    char *end;
    const char *s = text;
    while (isspace((unsigned char)*s))
        s++;
    double v = strtod(s, &end);
    while (isspace((unsigned char)*end))
        end++;
    if (end == s || *end != '\0' || !(v >= 0) || v > 1e300) {
        snprintf(err, errlen, "\"%s\": expected a non-negative number", text);
        return -1;
    }
    *out = v;
    return 0;
}

/* Rates may be written as a rate ("1000/s", "60k/min") or as a plain count in the metric's own unit. */
static int parse_rate_or_count(const char *s, double per, double *out, char *err, size_t errlen)
{
    char e1[128];
    if (cm_parse_count(s, out, e1, sizeof(e1)) == 0)
        return 0;
    double per_second;
    if (cm_parse_rate(s, &per_second, err, errlen) != 0)
        return -1;
    *out = per_second * per;
    return 0;
}

static int parse_bound(const char *name, const metric_t *m, const char *s, double *out, char *err, size_t errlen)
{
    char why[160];
    int rc = -1;
    uint64_t ns;
    switch (m->unit) {
    case U_MS:
        rc = cm_parse_duration(s, &ns, why, sizeof(why));
        if (rc == 0)
            *out = (double)ns / 1e6;
        break;
    case U_FRACTION:
        rc = cm_parse_percent(s, out, why, sizeof(why));
        break;
    case U_PER_SECOND:
        rc = parse_rate_or_count(s, 1.0, out, why, sizeof(why));
        break;
    case U_PER_MINUTE:
        rc = parse_rate_or_count(s, 60.0, out, why, sizeof(why));
        break;
    case U_COUNT:
        rc = cm_parse_count(s, out, why, sizeof(why));
        break;
    case U_RATIO:
        rc = parse_plain(s, out, why, sizeof(why));
        break;
    }
    if (rc != 0) {
        static const char *const expected[] = {
            "a duration such as 500ms",
            "a percentage such as 1% (or a fraction 0.01)",
            "a rate such as 1000/s or a number per second",
            "a number per minute or a rate such as 300/s",
            "a count such as 1000 or 10k",
            "a plain ratio such as 1.5",
        };
        snprintf(err, errlen, "%s takes %s: %s", name, expected[m->unit], why);
    }
    return rc;
}

/* ---- YAML form -------------------------------------------------------------------------------------- */

/* An error class to ignore, or "aborted": the summary's name for client_closed (requests.aborted). */
static int parse_ignore_class(const char *s, hx_err_t *cls)
{
    if (strcmp(s, "aborted") == 0) {
        *cls = HX_ERR_CLIENT_CLOSED;
        return 0;
    }
    return hx_err_parse(s, cls) == 0 && *cls != HX_ERR_NONE ? 0 : -1;
}

static int parse_ignore_item(const cm_conf_t *conf, const cm_node_t *n, const char *path, hx_expect_t *e, cm_err_t *err)
{
    const char *s;
    if (cm_conf_str(conf, n, path, &s, err) != 0)
        return -1;
    if (s[0] != '\0' && strspn(s, "0123456789") == strlen(s)) {
        long st = strtol(s, NULL, 10);
        if (strlen(s) > 3 || st < 100 || st > 599 || (st >= 200 && st < 300))
            return cm_conf_error(conf, n, path, err,
                                 "%s is not a failure status (expected an HTTP status 100-199 or 300-599)", s);
        e->ignore_status[st / 64] |= 1ull << (st % 64);
        return 0;
    }
    hx_err_t cls;
    if (parse_ignore_class(s, &cls) != 0) {
        char names[512] = "";
        for (int i = 1, len = 0; i < HX_ERR__COUNT && len >= 0 && (size_t)len < sizeof(names); i++)
            len +=
                snprintf(names + len, sizeof(names) - (size_t)len, "%s%s", i > 1 ? ", " : "", hx_err_name((hx_err_t)i));
        return cm_conf_error(conf, n, path, err,
                             "unknown error class \"%s\" (expected an HTTP status or one of %s, aborted)", s, names);
    }
    e->ignore_errors |= 1ull << cls;
    return 0;
}

static int parse_ignore(const cm_conf_t *conf, const cm_node_t *n, const char *path, hx_expect_t *e, cm_err_t *err)
{
    char ipath[160], item[176];
    cm_conf_path(ipath, sizeof(ipath), path, -1, "ignore");
    if (strcmp(e->metric, "failure_rate") != 0)
        return cm_conf_error(conf, n, ipath, err, "ignore applies only to failure_rate, not to %s", e->metric);
    if (n->type == CM_NODE_SCALAR)
        return parse_ignore_item(conf, n, ipath, e, err);
    if (n->type != CM_NODE_SEQ)
        return cm_conf_error(conf, n, ipath, err, "expected a list of HTTP statuses and error classes");
    for (size_t i = 0; i < n->n; i++) {
        cm_conf_path(item, sizeof(item), ipath, (int)i, NULL);
        if (parse_ignore_item(conf, n->items[i], item, e, err) != 0)
            return -1;
    }
    return 0;
}

static void append_bound_text(hx_expect_t *e, const char *word, const char *text)
{
    size_t len = strlen(e->bound_text);
    snprintf(e->bound_text + len, sizeof(e->bound_text) - len, "%s%s %s", len > 0 ? ", " : "", word, text);
}

static int parse_yaml_bound(const cm_conf_t *conf, const cm_node_t *item, const char *path, const char *key,
                            const metric_t *m, double *out, hx_expect_t *e, cm_err_t *err)
{
    const cm_node_t *n = cm_conf_get(item, key);
    char bpath[160], why[512];
    const char *s;
    cm_conf_path(bpath, sizeof(bpath), path, -1, key);
    if (cm_conf_str(conf, n, bpath, &s, err) != 0)
        return -1;
    if (parse_bound(e->metric, m, s, out, why, sizeof(why)) != 0)
        return cm_conf_error(conf, n, bpath, err, "%s", why);
    append_bound_text(e, key, s);
    return 0;
}

static int parse_item(const cm_conf_t *conf, const cm_node_t *item, const char *path, const hx_expect_scopes_t *sc,
                      hx_expect_t *e, cm_err_t *err)
{
    static const char *const keys[] = {"metric",   "min",    "max",   "ignore",    "phase",
                                       "baseline", "window", "group", "exit_code", NULL};
    static const char *const required[] = {"metric", NULL};
    char mpath[160], why[1024];
    const char *name;
    metric_t m;
    /* The CLI form is accepted as a list item too: - "latency.p99<500ms" */
    if (item->type == CM_NODE_SCALAR) {
        if (hx_expect_parse_flag(item->str, e, why, sizeof(why)) != 0)
            return cm_conf_error(conf, item, path, err, "%s", why);
        return 0;
    }
    if (cm_conf_check_keys(conf, item, path, keys, err) != 0 ||
        cm_conf_require_keys(conf, item, path, required, err) != 0)
        return -1;
    const cm_node_t *mn = cm_conf_get(item, "metric");
    cm_conf_path(mpath, sizeof(mpath), path, -1, "metric");
    if (cm_conf_str(conf, mn, mpath, &name, err) != 0)
        return -1;
    if (strlen(name) >= sizeof(e->metric))
        return cm_conf_error(conf, mn, mpath, err, "metric name longer than %zu bytes", sizeof(e->metric) - 1);
    if (resolve_err(name, &m, why, sizeof(why)) != 0)
        return cm_conf_error(conf, mn, mpath, err, "%s", why);
    snprintf(e->metric, sizeof(e->metric), "%s", name);
    e->has_min = cm_conf_get(item, "min") != NULL;
    e->has_max = cm_conf_get(item, "max") != NULL;
    if (!e->has_min && !e->has_max)
        return cm_conf_error(conf, item, path, err, "expectation on %s needs min, max or both", name);
    if (e->has_min && parse_yaml_bound(conf, item, path, "min", &m, &e->min, e, err) != 0)
        return -1;
    if (e->has_max && parse_yaml_bound(conf, item, path, "max", &m, &e->max, e, err) != 0)
        return -1;
    if (e->has_min && e->has_max && e->min > e->max)
        return cm_conf_error(conf, item, path, err, "min is greater than max for %s", name);
    const cm_node_t *ign = cm_conf_get(item, "ignore");
    if (ign != NULL && parse_ignore(conf, ign, path, e, err) != 0)
        return -1;
    if (hx_expect_parse_exit_code(conf, item, path, e, err) != 0)
        return -1;
    return hx_expect_parse_scope(conf, item, path, sc, e, err);
}

int hx_expect_parse(const cm_conf_t *conf, const cm_node_t *seq, const char *path, const hx_expect_scopes_t *scopes,
                    hx_expect_t **out, size_t *count, cm_err_t *err)
{
    *out = NULL;
    *count = 0;
    if (seq == NULL || seq->type == CM_NODE_NULL)
        return 0;
    if (seq->type != CM_NODE_SEQ)
        return cm_conf_error(conf, seq, path, err, "expected a list of expectations ({metric, min, max})");
    hx_expect_t *v = cm_xcalloc(seq->n > 0 ? seq->n : 1, sizeof(*v));
    char ipath[160];
    for (size_t i = 0; i < seq->n; i++) {
        cm_conf_path(ipath, sizeof(ipath), path, (int)i, NULL);
        if (parse_item(conf, seq->items[i], ipath, scopes, &v[i], err) != 0)
            goto error;
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

/* ---- CLI form --------------------------------------------------------------------------------------- */

/* Copies s[0..n) without surrounding spaces into dst; returns -1 when it is empty or does not fit. */
static int trim_copy(char *dst, size_t cap, const char *s, size_t n)
{
    while (n > 0 && isspace((unsigned char)*s)) {
        s++;
        n--;
    }
    while (n > 0 && isspace((unsigned char)s[n - 1]))
        n--;
    if (n == 0 || n >= cap)
        return -1;
    memcpy(dst, s, n);
    dst[n] = '\0';
    return 0;
}

int hx_expect_parse_flag(const char *s, hx_expect_t *out, char *err, size_t errlen)
{
    char name[sizeof(out->metric)], value[64], why[1024];
    metric_t m;
    memset(out, 0, sizeof(*out));
    const char *op = strpbrk(s, "<>");
    bool inclusive = op != NULL && op[1] == '=';
    const char *rhs = op != NULL ? op + (inclusive ? 2 : 1) : NULL;
    if (op == NULL || trim_copy(name, sizeof(name), s, (size_t)(op - s)) != 0 ||
        trim_copy(value, sizeof(value), rhs, strlen(rhs)) != 0 || strpbrk(rhs, "<>=") != NULL) {
        snprintf(err, errlen, "expectation \"%s\": expected METRIC<VALUE (operators <, <=, >, >=)", s);
        return -1;
    }
    double bound;
    if (resolve_err(name, &m, why, sizeof(why)) != 0 || parse_bound(name, &m, value, &bound, why, sizeof(why)) != 0) {
        snprintf(err, errlen, "expectation \"%s\": %s", s, why);
        return -1;
    }
    memcpy(out->metric, name, sizeof(name));
    snprintf(out->bound_text, sizeof(out->bound_text), "%c%s %s", *op, inclusive ? "=" : "", value);
    if (*op == '<') {
        out->has_max = true;
        out->max = bound;
        out->max_strict = !inclusive;
    } else {
        out->has_min = true;
        out->min = bound;
        out->min_strict = !inclusive;
    }
    return 0;
}

void hx_expect_default(hx_expect_t *out)
{
    memset(out, 0, sizeof(*out));
    snprintf(out->metric, sizeof(out->metric), "failure_rate");
    out->has_max = true;
    out->max = HX_DEFAULT_FAILURE_RATE;
    snprintf(out->bound_text, sizeof(out->bound_text), "<= %s", HX_DEFAULT_FAILURE_RATE_TEXT);
    out->is_default = true;
}

