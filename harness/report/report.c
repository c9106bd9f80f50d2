/* harness/report/report.c — the progress line, the final table and the JSON summary (JUnit XML: report_junit.c).
 *
 * Everything here reads stats and never changes them. Histograms hold microseconds; people read
 * milliseconds, so every conversion happens at the edge, here. The JSON summary's schema is a contract
 * (docs/json-summary.md): fields are only ever added, and schema_version changes when one changes meaning. */
#include "harness/report/report.h"

#include <errno.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "common/buf.h"
#include "harness/report/report_client.h"
#include "harness/report/report_llm.h"

#ifndef SOAK_VERSION
#define SOAK_VERSION "unknown"
#endif

#define HX_SCHEMA_VERSION 1

static const char *const status_class_names[6] = {"none", "1xx", "2xx", "3xx", "4xx", "5xx"};

bool hx_report_verdict(const hx_report_t *r)
{
    return r->pass && r->total != NULL && r->total->all.ok > 0 && r->info->failure == NULL;
}

char *hx_report_iso_time(char *buf, size_t n, uint64_t wall_ms)
{
    time_t secs = (time_t)(wall_ms / 1000u);
    struct tm tm;
    if (gmtime_r(&secs, &tm) == NULL || n < 25) {
        snprintf(buf, n, "%s", "");
        return buf;
    }
    size_t len = strftime(buf, n, "%Y-%m-%dT%H:%M:%S", &tm);
    snprintf(buf + len, n - len, ".%03uZ", (unsigned)(wall_ms % 1000u));
    return buf;
}

static double us_to_ms(uint64_t us)
{
    return (double)us / 1000.0;
}

static void jw_ms(cm_jw_t *w, const char *key, double ms)
{
    cm_jw_key(w, key);
    cm_jw_fixed(w, ms, 3);
}

/* The members of a histogram's object, values divided by 1000 (microseconds to ms). */
static void json_hist_members(cm_jw_t *w, const cm_hist_t *h, bool full)
{
    static const struct {
        const char *key;
        double q;
        bool brief;
    } pcts[] = {{"p50", 50, true}, {"p90", 90, true}, {"p95", 95, false}, {"p99", 99, true}, {"p999", 99.9, false}};
    if (full) {
        cm_jw_key(w, "count");
        cm_jw_uint(w, h->count);
    }
    for (size_t i = 0; i < sizeof(pcts) / sizeof(pcts[0]); i++) {
        if (!full && !pcts[i].brief)
            continue;
        if (h->count == 0) {
            cm_jw_key(w, pcts[i].key);
            cm_jw_null(w);
        } else {
            jw_ms(w, pcts[i].key, us_to_ms(cm_hist_percentile(h, pcts[i].q)));
        }
    }
    const char *extra[] = {"max", "min", "mean"};
    double vals[] = {us_to_ms(h->max), us_to_ms(h->min), cm_hist_mean(h) / 1000.0};
    for (int i = 0; i < (full ? 3 : 1); i++) {
        if (h->count == 0) {
            cm_jw_key(w, extra[i]);
            cm_jw_null(w);
        } else {
            jw_ms(w, extra[i], vals[i]);
        }
    }
}

void hx_report_json_ms(cm_jw_t *w, const char *key, const cm_hist_t *h, bool full)
{
    cm_jw_key(w, key);
    if (h->count == 0 && !full) {
        cm_jw_null(w);
        return;
    }
    cm_jw_obj(w);
    json_hist_members(w, h, full);
    cm_jw_obj_end(w);
}

void hx_report_json_hist_open(cm_jw_t *w, const char *key, const cm_hist_t *h)
{
    cm_jw_key(w, key);
    cm_jw_obj(w);
    json_hist_members(w, h, true);
}

/* ---- progress line ---------------------------------------------------------------------------------- */

static char *fmt_ms(char *buf, size_t n, const cm_hist_t *h, double q)
{
    if (h->count == 0) {
        snprintf(buf, n, "-");
        return buf;
    }
    double ms = us_to_ms(cm_hist_percentile(h, q));
    snprintf(buf, n, ms < 100 ? "%.2fms" : ms < 10000 ? "%.1fms" : "%.0fms", ms);
    return buf;
}

static double span_s(const hx_stats_t *s)
{
    return s->end_ns > s->start_ns ? (double)(s->end_ns - s->start_ns) / 1e9 : 0;
}

void hx_report_progress(char *buf, size_t n, const hx_stats_t *interval, const hx_stats_t *total, double elapsed_s,
                        double planned_s, uint64_t inflight)
{
    char rate[32] = "-", p50[32] = "-", p99[32] = "-";
    if (n == 0)
        return;
    if (interval != NULL && span_s(interval) > 0)
        snprintf(rate, sizeof(rate), "%.0f/s", (double)interval->all.total / span_s(interval));
    if (interval != NULL) {
        fmt_ms(p50, sizeof(p50), &interval->latency, 50);
        fmt_ms(p99, sizeof(p99), &interval->latency, 99);
    }
    /* Fixed widths for the common magnitudes, so the line does not jitter as it is rewritten in place. */
    /* "not ok" is what failure_rate counts (failed, aborted and dropped), so an overloaded run does not look
     * healthy while its arrivals go unsent; the final table breaks it down. */
    snprintf(buf, n, "%7.1fs/%.0fs  rate %-7s  ok %-8llu  not ok %-6llu  p50 %-8s  p99 %-8s  inflight %llu", elapsed_s,
             planned_s, rate, (unsigned long long)total->all.ok, (unsigned long long)hx_stats_unsuccessful(total), p50,
             p99, (unsigned long long)inflight);
}

/* ---- terminal table --------------------------------------------------------------------------------- */

static double pct_of(uint64_t part, uint64_t whole)
{
    return whole > 0 ? 100.0 * (double)part / (double)whole : 0;
}

static double per_s(uint64_t n, double secs)
{
    return secs > 0 ? (double)n / secs : 0;
}

static void table_header(FILE *out, const hx_report_t *r)
{
    const hx_run_info_t *in = r->info;
    char started[40];
    fprintf(out, "soak %s  scenario %.80s\n", SOAK_VERSION, in->scenario ? in->scenario : "load");
    fprintf(out, "  target   %.88s\n", in->target ? in->target : "-");
    fprintf(out, "  arrival  %.60s, seed %llu, %d thread%s\n", in->arrival ? in->arrival : "-",
            (unsigned long long)in->seed, in->threads, in->threads == 1 ? "" : "s");
    fprintf(out, "  started  %s, ran %.1fs of %.1fs planned%s\n\n",
            hx_report_iso_time(started, sizeof(started), in->wall_start_ms), in->duration_s, in->planned_s,
            in->interrupted ? " (INTERRUPTED)" : "");
    if (in->failure != NULL)
        fprintf(out, "  FAILED   %s\n\n", in->failure);
}

static void table_counts(FILE *out, const hx_report_t *r)
{
    const hx_stats_t *t = r->total;
    double secs = r->info->judged_s;
    uint64_t offered = hx_stats_offered(t), unsuccessful = hx_stats_unsuccessful(t);
    fprintf(out, "Requests   total %llu  ok %llu  failed %llu  rate-limited %llu\n", (unsigned long long)t->all.total,
            (unsigned long long)t->all.ok, (unsigned long long)t->all.failed, (unsigned long long)t->all.rate_limited);
    fprintf(out, "           sent %llu  aborted %llu  dropped %llu  late %llu", (unsigned long long)t->sent,
            (unsigned long long)t->aborted, (unsigned long long)t->dropped, (unsigned long long)t->late);
    if (t->retried > 0)
        fprintf(out, "  retried elsewhere after 429 %llu", (unsigned long long)t->retried);
    fputc('\n', out);
    /* The share failure_rate judges: what the target was offered and did not serve, whoever is to blame. */
    fprintf(out, "           offered %llu  unsuccessful %llu (%.2f%%: failed + aborted + dropped)\n",
            (unsigned long long)offered, (unsigned long long)unsuccessful, pct_of(unsuccessful, offered));
    fprintf(out, "           max in-flight %llu  tokens %llu\n", (unsigned long long)t->inflight_max,
            (unsigned long long)t->tokens);
    fprintf(out, "Rate       offered %.1f/s  achieved %.1f/s  successes %.1f/min", per_s(t->sent + t->dropped, secs),
            per_s(t->all.total, secs), per_s(t->all.ok, secs) * 60.0);
    if (r->info->target_rate > 0)
        fprintf(out, "  target %.1f/s", r->info->target_rate);
    fputs("\n\n", out);
}

static void cell_ms(FILE *out, double ms)
{
    fprintf(out, ms < 100 ? " %9.2f" : ms < 100000 ? " %9.1f" : " %9.0f", ms);
}

static void table_hist_row(FILE *out, const char *label, const cm_hist_t *h, bool always)
{
    static const double qs[] = {50, 90, 95, 99, 99.9};
    if (h->count == 0 && !always)
        return;
    fprintf(out, "%-20s %9llu", label, (unsigned long long)h->count);
    if (h->count == 0) {
        fputs("         -         -         -         -         -         -         -\n", out);
        return;
    }
    for (size_t i = 0; i < sizeof(qs) / sizeof(qs[0]); i++)
        cell_ms(out, us_to_ms(cm_hist_percentile(h, qs[i])));
    cell_ms(out, us_to_ms(h->max));
    cell_ms(out, cm_hist_mean(h) / 1000.0);
    fputc('\n', out);
}

/* The LLM metrics of docs/metrics.md that the rows above do not show. */
static void table_llm_rows(FILE *out, const hx_stats_t *t)
{
    table_hist_row(out, "icl (per chunk)", &t->icl, false);
    table_hist_row(out, "ttfrt (reasoning)", &t->ttfrt, false);
    table_hist_row(out, "tpot", &t->tpot, false);
    table_hist_row(out, "tpot incl. first", &t->tpot_incl_first, false);
}

static void table_latency(FILE *out, const hx_stats_t *t)
{
    fprintf(out, "%-20s %9s %9s %9s %9s %9s %9s %9s %9s\n", "(ms)", "count", "p50", "p90", "p95", "p99", "p99.9", "max",
            "mean");
    table_hist_row(out, "latency (intended)", &t->latency, true);
    table_hist_row(out, "service (sent)", &t->service, true);
    table_hist_row(out, "all outcomes", &t->latency_all, false);
    table_hist_row(out, "ttfb", &t->ttfb, false);
    table_hist_row(out, "ttft (intended)", &t->ttft, false);
    table_hist_row(out, "itl", &t->itl, false);
    table_hist_row(out, "ttlt (intended)", &t->ttlt, false);
    table_hist_row(out, "gateway overhead", &t->gateway_overhead, false);
    table_hist_row(out, "litellm overhead", &t->litellm_overhead, false);
    table_hist_row(out, "mock service", &t->mock_service, false);
    table_llm_rows(out, t);
    fputc('\n', out);
}

static void table_errors(FILE *out, const hx_stats_t *t)
{
    char item[96];
    size_t col = 10;
    fputs("Errors    ", out);
    for (int e = 1; e < HX_ERR__COUNT; e++) {
        if (t->errors[e] == 0)
            continue;
        int n = snprintf(item, sizeof(item), " %s %llu (%.2f%%)", hx_err_name((hx_err_t)e),
                         (unsigned long long)t->errors[e], pct_of(t->errors[e], hx_stats_offered(t)));
        if (col > 10 && col + (size_t)n > 100) {
            fputs("\n          ", out);
            col = 10;
        }
        fputs(item, out);
        col += (size_t)n;
    }
    fputs(col == 10 ? " none\n\n" : "\n\n", out);
}

static uint64_t answered_total(const hx_stats_t *t)
{
    uint64_t n = 0;
    for (uint32_t d = 0; d <= HX_MAX_DEPLOYMENTS; d++)
        n += t->by_deployment[d].total;
    return n;
}

static void table_deployments(FILE *out, const hx_stats_t *t)
{
    uint64_t answered = answered_total(t);
    if (answered == 0)
        return;
    fprintf(out, "%-32s %10s %10s %10s %12s %8s\n", "Deployment", "total", "ok", "failed", "rate-limited", "share");
    for (uint32_t d = 0; d <= HX_MAX_DEPLOYMENTS; d++) {
        const hx_counts_t *c = &t->by_deployment[d];
        const char *name = hx_stats_deployment_name(d);
        if (c->total == 0 || name == NULL)
            continue;
        fprintf(out, "%-32.32s %10llu %10llu %10llu %12llu %7.1f%%\n", name, (unsigned long long)c->total,
                (unsigned long long)c->ok, (unsigned long long)c->failed, (unsigned long long)c->rate_limited,
                pct_of(c->total, answered));
    }
    fputc('\n', out);
}

static void table_expectations(FILE *out, const hx_report_t *r)
{
    char val[64];
    if (r->nexpects > 0)
        fputs("Expectations\n", out);
    size_t passed = 0;
    for (size_t i = 0; i < r->nexpects; i++) {
        const hx_verdict_t *v = &r->verdicts[i];
        passed += v->pass;
        const hx_expect_t *e = &r->expects[i];
        char bound[128], label[224];
        snprintf(bound, sizeof(bound), "%s%s", e->bound_text, e->is_default ? " (default)" : "");
        hx_report_expect_label(e, label, sizeof(label));
        /* a scoped label longer than the column keeps its whole scope: the bound moves right */
        fprintf(out, "  %s  %-34s %-26.26s measured %s\n", v->pass ? "PASS" : "FAIL", label, bound,
                hx_expect_format_value(e, v, val, sizeof(val)));
    }
    bool pass = hx_report_verdict(r);
    fprintf(out, "%sVerdict: %s (%zu of %zu expectations passed%s)\n", r->nexpects > 0 ? "\n" : "",
            pass ? "PASS" : "FAIL", passed, r->nexpects, r->total->all.ok == 0 ? "; no request succeeded" : "");
}

void hx_report_table(FILE *out, const hx_report_t *r)
{
    table_header(out, r);
    table_counts(out, r);
    hx_report_table_client(out, r);
    table_latency(out, r->total);
    hx_report_table_llm(out, r);
    table_errors(out, r->total);
    table_deployments(out, r->total);
    hx_report_table_groups(out, r);
    hx_report_table_phases(out, r);
    hx_report_table_warmup(out, r);
    table_expectations(out, r);
}

/* ---- JSON summary ----------------------------------------------------------------------------------- */

static void jw_u(cm_jw_t *w, const char *key, uint64_t v)
{
    cm_jw_key(w, key);
    cm_jw_uint(w, v);
}

static void jw_s(cm_jw_t *w, const char *key, const char *v)
{
    cm_jw_key(w, key);
    cm_jw_str(w, v);
}

static void jw_f(cm_jw_t *w, const char *key, double v)
{
    cm_jw_key(w, key);
    cm_jw_fixed(w, v, 3);
}

static void jw_counts(cm_jw_t *w, const hx_counts_t *c)
{
    jw_u(w, "total", c->total);
    jw_u(w, "ok", c->ok);
    jw_u(w, "failed", c->failed);
    jw_u(w, "rate_limited", c->rate_limited);
}

static void json_run(cm_jw_t *w, const hx_run_info_t *in)
{
    char host[256] = "", started[40];
    if (gethostname(host, sizeof(host)) != 0)
        host[0] = '\0';
    host[sizeof(host) - 1] = '\0';
    cm_jw_key(w, "run");
    cm_jw_obj(w);
    jw_s(w, "scenario", in->scenario ? in->scenario : "load");
    jw_s(w, "target", in->target);
    jw_s(w, "arrival", in->arrival);
    jw_u(w, "seed", in->seed);
    jw_s(w, "started_at", hx_report_iso_time(started, sizeof(started), in->wall_start_ms));
    jw_f(w, "planned_s", in->planned_s);
    jw_f(w, "duration_s", in->duration_s);
    jw_f(w, "target_rate", in->target_rate);
    cm_jw_key(w, "threads");
    cm_jw_int(w, in->threads);
    cm_jw_key(w, "interrupted");
    cm_jw_bool(w, in->interrupted);
    jw_s(w, "failure", in->failure);
    jw_s(w, "version", SOAK_VERSION);
    jw_s(w, "host", host);
    cm_jw_obj_end(w);
}

static void json_requests(cm_jw_t *w, const hx_stats_t *t, double secs)
{
    cm_jw_key(w, "requests");
    cm_jw_obj(w);
    jw_counts(w, &t->all);
    jw_u(w, "aborted", t->aborted);
    jw_u(w, "sent", t->sent);
    jw_u(w, "dropped", t->dropped);
    jw_u(w, "retried", t->retried);
    jw_u(w, "offered", hx_stats_offered(t));
    jw_u(w, "unsuccessful", hx_stats_unsuccessful(t));
    jw_u(w, "late", t->late);
    jw_u(w, "inflight_max", t->inflight_max);
    cm_jw_obj_end(w);
    cm_jw_key(w, "rate");
    cm_jw_obj(w);
    jw_f(w, "offered", per_s(t->sent + t->dropped, secs));
    jw_f(w, "achieved", per_s(t->all.total, secs));
    jw_f(w, "successes_per_minute", per_s(t->all.ok, secs) * 60.0);
    cm_jw_obj_end(w);
    cm_jw_key(w, "tokens");
    cm_jw_obj(w);
    jw_u(w, "total", t->tokens);
    jw_f(w, "per_second", per_s(t->tokens, secs));
    cm_jw_obj_end(w);
}

static void json_hists(cm_jw_t *w, const hx_stats_t *t)
{
    hx_report_json_ms(w, "latency_ms", &t->latency, true);
    hx_report_json_ms(w, "service_ms", &t->service, true);
    hx_report_json_ms(w, "latency_all_ms", &t->latency_all, true);
    if (t->ttfb.count > 0)
        hx_report_json_ms(w, "ttfb_ms", &t->ttfb, true);
    if (t->ttft.count > 0)
        hx_report_json_ms(w, "ttft_ms", &t->ttft, true);
    if (t->itl.count > 0)
        hx_report_json_ms(w, "itl_ms", &t->itl, true);
    if (t->ttlt.count > 0)
        hx_report_json_ms(w, "ttlt_ms", &t->ttlt, true);
    if (t->gateway_overhead.count + t->litellm_overhead.count + t->mock_service.count == 0)
        return;
    cm_jw_key(w, "overhead_ms");
    cm_jw_obj(w);
    if (t->gateway_overhead.count > 0)
        hx_report_json_ms(w, "gateway", &t->gateway_overhead, true);
    if (t->litellm_overhead.count > 0)
        hx_report_json_ms(w, "litellm", &t->litellm_overhead, true);
    if (t->mock_service.count > 0)
        hx_report_json_ms(w, "mock_service", &t->mock_service, true);
    cm_jw_obj_end(w);
}

static void json_errors(cm_jw_t *w, const hx_stats_t *t)
{
    cm_jw_key(w, "errors");
    cm_jw_obj(w);
    for (int e = 1; e < HX_ERR__COUNT; e++)
        if (t->errors[e] > 0)
            jw_u(w, hx_err_name((hx_err_t)e), t->errors[e]);
    cm_jw_obj_end(w);
    cm_jw_key(w, "status_classes");
    cm_jw_obj(w);
    for (int i = 0; i < 6; i++)
        jw_u(w, status_class_names[i], t->status[i]);
    cm_jw_obj_end(w);
}

static void json_named_counts(cm_jw_t *w, const char *key, const hx_counts_t *c, const char *const *names, size_t n,
                              size_t cap)
{
    cm_jw_key(w, key);
    cm_jw_arr(w);
    for (size_t i = 0; i < n && i < cap; i++) {
        cm_jw_obj(w);
        jw_u(w, "index", i);
        jw_s(w, "name", names ? names[i] : NULL);
        jw_counts(w, &c[i]);
        cm_jw_obj_end(w);
    }
    cm_jw_arr_end(w);
}

static void json_deployments(cm_jw_t *w, const hx_stats_t *t)
{
    uint64_t answered = answered_total(t);
    cm_jw_key(w, "deployments");
    cm_jw_obj(w);
    for (uint32_t d = 0; d <= HX_MAX_DEPLOYMENTS; d++) {
        const char *name = hx_stats_deployment_name(d);
        if (t->by_deployment[d].total == 0 || name == NULL)
            continue;
        cm_jw_key(w, name);
        cm_jw_obj(w);
        jw_counts(w, &t->by_deployment[d]);
        cm_jw_key(w, "share");
        cm_jw_fixed(w, (double)t->by_deployment[d].total / (double)answered, 6);
        cm_jw_obj_end(w);
    }
    cm_jw_obj_end(w);
}

static void json_window(cm_jw_t *w, const char *key, const hx_stats_t *s)
{
    cm_jw_key(w, key);
    cm_jw_obj(w);
    jw_f(w, "seconds", span_s(s));
    jw_counts(w, &s->all);
    hx_report_json_ms(w, "latency_ms", &s->latency, true);
    hx_report_json_ms(w, "service_ms", &s->service, true);
    cm_jw_obj_end(w);
}

static void json_expectations(cm_jw_t *w, const hx_report_t *r)
{
    char val[64];
    cm_jw_key(w, "expectations");
    cm_jw_arr(w);
    for (size_t i = 0; i < r->nexpects; i++) {
        const hx_expect_t *e = &r->expects[i];
        const hx_verdict_t *v = &r->verdicts[i];
        cm_jw_obj(w);
        jw_s(w, "metric", e->metric);
        cm_jw_key(w, "scope");
        e->scope[0] != '\0' ? cm_jw_str(w, e->scope) : cm_jw_null(w);
        jw_s(w, "bound", e->bound_text);
        jw_s(w, "unit", hx_expect_unit(e));
        cm_jw_key(w, "min");
        e->has_min ? cm_jw_double(w, e->min) : cm_jw_null(w);
        cm_jw_key(w, "max");
        e->has_max ? cm_jw_double(w, e->max) : cm_jw_null(w);
        cm_jw_key(w, "measured");
        v->available ? cm_jw_double(w, v->measured) : cm_jw_null(w);
        jw_s(w, "measured_text", hx_expect_format_value(e, v, val, sizeof(val)));
        jw_s(w, "result", v->pass ? "pass" : "fail");
        cm_jw_key(w, "default");
        cm_jw_bool(w, e->is_default);
        cm_jw_obj_end(w);
    }
    cm_jw_arr_end(w);
}

int hx_report_write_all(FILE *out, const cm_buf_t *b)
{
    if (fwrite(b->data, 1, b->len, out) != b->len || fflush(out) != 0 || ferror(out)) {
        if (errno == 0)
            errno = EIO;
        return -1;
    }
    return 0;
}

int hx_report_json(FILE *out, const hx_report_t *r)
{
    const hx_stats_t *t = r->total;
    const hx_run_info_t *in = r->info;
    cm_buf_t b = CM_BUF_INIT;
    cm_jw_t w;
    cm_jw_init(&w, &b);
    cm_jw_obj(&w);
    cm_jw_key(&w, "schema_version");
    cm_jw_int(&w, HX_SCHEMA_VERSION);
    json_run(&w, in);
    json_requests(&w, t, in->judged_s);
    json_hists(&w, t);
    hx_report_json_llm(&w, r);
    hx_report_json_client(&w, r);
    json_errors(&w, t);
    json_named_counts(&w, "by_request", t->by_request, in->request_names, in->nrequests, HX_MAX_REQUESTS);
    json_named_counts(&w, "by_model", t->by_model, in->model_names, in->nmodels, HX_MAX_MODELS);
    json_deployments(&w, t);
    if (r->first_window != NULL && r->last_window != NULL) {
        cm_jw_key(&w, "drift_windows");
        cm_jw_obj(&w);
        json_window(&w, "first", r->first_window);
        json_window(&w, "last", r->last_window);
        cm_jw_obj_end(&w);
    }
    hx_report_json_groups(&w, r);
    hx_report_json_phases(&w, r);
    hx_report_json_warmup(&w, r);
    json_expectations(&w, r);
    jw_s(&w, "verdict", hx_report_verdict(r) ? "pass" : "fail");
    hx_report_json_histograms(&w, r);
    cm_jw_obj_end(&w);
    cm_buf_putc(&b, '\n');
    errno = 0;
    int rc = hx_report_write_all(out, &b);
    cm_buf_free(&b);
    return rc;
}
