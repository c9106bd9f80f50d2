/* harness/report/html.c — the self-contained HTML report.
 *
 * The document is written as well-formed XML as well as HTML (every element closed, attributes quoted, only
 * the five XML entities and numeric ones), so a test can check its structure with a small XML reader and
 * the SVG parts stay valid XML when copied out. All outside text (scenario, target, deployment, model and
 * request names, the failure message, window labels) goes through hx_html_escape with a length bound; the
 * only URL in the file is the target, as text, never as a link or a source. Data comes from the same
 * in-memory stats the JSON summary is written from, and from the collector's downsampled timeline
 * (harness/measure/timeline.h explains why that, not a re-read of series.jsonl). */
#include "harness/report/html.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "common/alloc.h"
#include "harness/report/report_client.h"

#ifndef SOAK_VERSION
#define SOAK_VERSION "unknown"
#endif

/* Kept small and inline: no external stylesheet, no web font (the system's sans-serif). */
const char hx_html_style[] =
    "body{font-family:sans-serif;margin:24px;color:#222;background:#fff;max-width:1000px}"
    "h1{font-size:22px;margin:0 0 8px}h2{font-size:17px;margin:24px 0 8px}"
    "table{border-collapse:collapse;margin:4px 0}td,th{padding:3px 10px;border-bottom:1px solid #ddd;"
    "text-align:left;vertical-align:top}th{background:#f3f3f3}td.num{text-align:right}"
    ".pass{color:#176f2c;font-weight:bold}.fail{color:#b3261e;font-weight:bold}"
    ".badge{display:inline-block;padding:2px 10px;border-radius:4px;color:#fff;margin-left:8px}"
    ".badge.pass{background:#1e7b34;color:#fff}.badge.fail{background:#b3261e;color:#fff}"
    ".failure{background:#fde7e7;border:2px solid #b3261e;padding:10px 14px;margin:12px 0;white-space:pre-wrap}"
    ".note{color:#666;font-size:13px}"
    "svg.chart{display:block;margin:8px 0;font-size:12px}"
    "svg .grid line{stroke:#e4e4e4;stroke-width:1}svg .yl{text-anchor:end;fill:#555}"
    "svg .xl{text-anchor:middle;fill:#555}svg .unit{text-anchor:end;fill:#555}"
    "svg .ct{font-weight:bold;font-size:14px}svg .lg,svg .bl{fill:#333}svg .bl{text-anchor:end}"
    "svg .band rect{fill:#f4b6b6;fill-opacity:0.45}svg .band text{fill:#8a1c14;font-size:11px}"
    "svg .bar{fill:#4c78a8}svg .nodata{fill:#999;text-anchor:middle;font-size:16px}";

static double per_s(uint64_t n, double secs)
{
    return secs > 0 ? (double)n / secs : 0;
}

static void text_row(cm_buf_t *b, const char *key, const char *value)
{
    cm_buf_printf(b, "<tr><th>%s</th><td>", key);
    hx_html_escape(b, value ? value : "-", 0);
    cm_buf_puts(b, "</td></tr>");
}

/* ---- header, banner, totals ------------------------------------------------------------------------- */

static void header(cm_buf_t *b, const hx_report_t *r)
{
    const hx_run_info_t *in = r->info;
    bool pass = hx_report_verdict(r);
    char started[40];
    cm_buf_puts(b, "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"/>"
                   "<meta name=\"viewport\" content=\"width=device-width\"/><title>soak: ");
    hx_html_escape(b, in->scenario ? in->scenario : "load", 120);
    cm_buf_printf(b, " (%s)</title><style>%s</style></head>\n<body>\n<h1>soak report: ", pass ? "PASS" : "FAIL",
                  hx_html_style);
    hx_html_escape(b, in->scenario ? in->scenario : "load", 0);
    cm_buf_printf(b, "<span class=\"badge %s\" id=\"verdict\">%s</span></h1>\n", pass ? "pass" : "fail",
                  pass ? "PASS" : "FAIL");
    cm_buf_puts(b, "<table id=\"run\">");
    text_row(b, "target", in->target);
    text_row(b, "arrival", in->arrival);
    cm_buf_printf(b, "<tr><th>seed</th><td>%llu</td></tr><tr><th>threads</th><td>%d</td></tr>",
                  (unsigned long long)in->seed, in->threads);
    text_row(b, "started", hx_report_iso_time(started, sizeof(started), in->wall_start_ms));
    cm_buf_printf(b, "<tr><th>duration</th><td>%.1f s of %.1f s planned%s</td></tr>", in->duration_s, in->planned_s,
                  in->interrupted ? " (interrupted)" : "");
    cm_buf_printf(b, "<tr><th>soak</th><td>%s</td></tr></table>\n", SOAK_VERSION);
}

static void failure_banner(cm_buf_t *b, const hx_run_info_t *in)
{
    if (in->failure == NULL)
        return;
    cm_buf_puts(b, "<div class=\"failure\" id=\"failure\" role=\"alert\"><strong>The run failed:</strong> ");
    hx_html_escape(b, in->failure, 0);
    cm_buf_puts(b, "</div>\n");
}

static void count_cell(cm_buf_t *b, const char *name, uint64_t v)
{
    cm_buf_printf(b, "<tr><th>%s</th><td class=\"num\">%llu</td></tr>", name, (unsigned long long)v);
}

static void ms_cell(cm_buf_t *b, const char *name, const cm_hist_t *h)
{
    cm_buf_printf(b, "<tr><th>%s</th>", name);
    static const double qs[] = {50, 90, 99};
    for (size_t i = 0; i < 3; i++) {
        if (h->count == 0)
            cm_buf_puts(b, "<td class=\"num\">-</td>");
        else
            cm_buf_printf(b, "<td class=\"num\">%.2f</td>", (double)cm_hist_percentile(h, qs[i]) / 1000.0);
    }
    cm_buf_puts(b, "</tr>");
}

static void totals(cm_buf_t *b, const hx_report_t *r)
{
    const hx_stats_t *t = r->total;
    double secs = r->info->judged_s;
    cm_buf_puts(b, "<h2>Totals</h2><table id=\"totals\">");
    count_cell(b, "offered", hx_stats_offered(t));
    count_cell(b, "completed", t->all.total);
    count_cell(b, "ok", t->all.ok);
    count_cell(b, "failed", t->all.failed);
    count_cell(b, "rate-limited (429)", t->all.rate_limited);
    count_cell(b, "aborted at the end", t->aborted);
    count_cell(b, "dropped (in-flight cap)", t->dropped);
    cm_buf_printf(b, "<tr><th>rate offered / achieved</th><td class=\"num\">%.1f/s / %.1f/s</td></tr>",
                  per_s(t->sent + t->dropped, secs), per_s(t->all.total, secs));
    cm_buf_puts(b, "</table><table id=\"latency\"><tr><th>ms</th><th>p50</th><th>p90</th><th>p99</th></tr>");
    ms_cell(b, "latency", &t->latency);
    ms_cell(b, "service", &t->service);
    if (t->ttft.count > 0)
        ms_cell(b, "ttft", &t->ttft);
    cm_buf_puts(b, "</table>\n");
}

/* ---- phases ----------------------------------------------------------------------------------------- */

/* The p50 and p99 cells of a phase's or a group's row, and the row's end. */
static void p50_p99_cells(cm_buf_t *b, const cm_hist_t *h)
{
    static const double qs[] = {50, 99};
    for (int k = 0; k < 2; k++) {
        if (h->count == 0)
            cm_buf_puts(b, "<td class=\"num\">-</td>");
        else
            cm_buf_printf(b, "<td class=\"num\">%.2f</td>", (double)cm_hist_percentile(h, qs[k]) / 1000.0);
    }
    cm_buf_puts(b, "</tr>");
}

static void phases_table(cm_buf_t *b, const hx_report_t *r)
{
    static const hx_stats_t empty;
    if (r->nphases == 0)
        return;
    cm_buf_puts(b, "<h2>Phases</h2><table id=\"phases\"><tr><th>phase</th><th>span</th><th>requests</th><th>ok</th>"
                   "<th>not ok</th><th>rate</th><th>p50 ms</th><th>p99 ms</th></tr>");
    for (size_t i = 0; i < r->nphases; i++) {
        const hx_phase_report_t *p = &r->phases[i];
        const hx_stats_t *s = p->stats != NULL ? p->stats : &empty;
        cm_buf_puts(b, "<tr><td>");
        hx_html_escape(b, p->phase->name, HX_PHASE_NAME_MAX);
        cm_buf_printf(b, "%s</td><td>%.0f-%.0f s</td><td class=\"num\">%llu</td><td class=\"num\">%llu</td>"
                         "<td class=\"num\">%llu</td><td class=\"num\">%.1f/s</td>",
                      p->phase->exclude ? " (excluded)" : "", (double)p->phase->start_ns / 1e9,
                      (double)p->phase->end_ns / 1e9, (unsigned long long)s->all.total, (unsigned long long)s->all.ok,
                      (unsigned long long)hx_stats_unsuccessful(s), p->secs > 0 ? (double)s->all.total / p->secs : 0);
        p50_p99_cells(b, &s->latency);
    }
    cm_buf_puts(b, "</table>\n");
}

/* A warm-up by count (load.warmup: 500req): its requests, kept out of every figure above, on their own. */
static void warmup_table(cm_buf_t *b, const hx_report_t *r)
{
    const hx_stats_t *s = r->warmup;
    if (s == NULL)
        return;
    cm_buf_puts(b, "<h2>Warm-up</h2><table id=\"warmup\"><tr><th>excluded</th><th>ended at</th><th>completed</th>"
                   "<th>ok</th><th>not ok</th><th>p50 ms</th><th>p99 ms</th></tr><tr>");
    cm_buf_printf(b, "<td>first %llu requests</td>", (unsigned long long)r->info->warmup_requests);
    if (r->info->warmup_s >= 0)
        cm_buf_printf(b, "<td class=\"num\">%.1f s</td>", r->info->warmup_s);
    else
        cm_buf_puts(b, "<td>never</td>");
    cm_buf_printf(b, "<td class=\"num\">%llu</td><td class=\"num\">%llu</td><td class=\"num\">%llu</td>",
                  (unsigned long long)s->all.total, (unsigned long long)s->all.ok,
                  (unsigned long long)hx_stats_unsuccessful(s));
    p50_p99_cells(b, &s->latency);
    cm_buf_puts(b, "</table>\n");
}

static void groups_table(cm_buf_t *b, const hx_report_t *r)
{
    if (r->ngroups == 0)
        return;
    double secs = r->info->judged_s;
    cm_buf_puts(b, "<h2>Groups</h2><table id=\"groups\"><tr><th>group</th><th>requests</th><th>ok</th><th>not ok</th>"
                   "<th>rate</th><th>p50 ms</th><th>p99 ms</th></tr>");
    for (size_t i = 0; i < r->ngroups; i++) {
        const hx_stats_t *s = r->groups[i].stats;
        cm_buf_puts(b, "<tr><td>");
        hx_html_escape(b, r->groups[i].name, HX_PHASE_NAME_MAX);
        cm_buf_printf(b, "</td><td class=\"num\">%llu</td><td class=\"num\">%llu</td><td class=\"num\">%llu</td>"
                         "<td class=\"num\">%.1f/s</td>",
                      (unsigned long long)s->all.total, (unsigned long long)s->all.ok,
                      (unsigned long long)hx_stats_unsuccessful(s), secs > 0 ? (double)s->all.total / secs : 0);
        p50_p99_cells(b, &s->latency);
    }
    cm_buf_puts(b, "</table>\n");
}

/* ---- verdict table ---------------------------------------------------------------------------------- */

static void verdicts(cm_buf_t *b, const hx_report_t *r)
{
    char val[64];
    size_t passed = 0;
    cm_buf_puts(b, "<h2>Expectations</h2><table id=\"verdicts\"><tr><th>result</th><th>metric</th><th>bound</th>"
                   "<th>measured</th></tr>");
    for (size_t i = 0; i < r->nexpects; i++) {
        const hx_expect_t *e = &r->expects[i];
        const hx_verdict_t *v = &r->verdicts[i];
        passed += v->pass;
        cm_buf_printf(b, "<tr><td class=\"%s\">%s</td><td>", v->pass ? "pass" : "fail", v->pass ? "PASS" : "FAIL");
        char label[224];
        hx_html_escape(b, hx_report_expect_label(e, label, sizeof(label)), sizeof(label));
        cm_buf_puts(b, "</td><td>");
        hx_html_escape(b, e->bound_text, sizeof(e->bound_text));
        cm_buf_printf(b, "%s</td><td class=\"num\">", e->is_default ? " (default)" : "");
        hx_html_escape(b, hx_expect_format_value(e, v, val, sizeof(val)), sizeof(val));
        cm_buf_puts(b, "</td></tr>");
    }
    if (r->nexpects == 0)
        cm_buf_puts(b, "<tr><td colspan=\"4\">no expectations</td></tr>");
    bool pass = hx_report_verdict(r);
    cm_buf_printf(b, "</table><p>Verdict: <span class=\"%s\">%s</span> (%zu of %zu expectations passed%s%s)</p>\n",
                  pass ? "pass" : "fail", pass ? "PASS" : "FAIL", passed, r->nexpects,
                  r->total->all.ok == 0 ? "; no request succeeded" : "",
                  r->info->failure != NULL ? "; the run failed" : "");
}

/* ---- charts over time ------------------------------------------------------------------------------- */

/* Per-point columns for the charts, allocated once per report (at most HX_TIMELINE_POINTS each). */
typedef struct cols {
    const hx_point_t *p;
    size_t n;
    double x_max;
    double *x;
} cols_t;

static double *col_new(const cols_t *c)
{
    return cm_xcalloc(c->n ? c->n : 1, sizeof(double));
}

static double span(const hx_point_t *p)
{
    return p->t1_s > p->t0_s ? p->t1_s - p->t0_s : 0;
}

static void chart(cm_buf_t *b, const cols_t *c, const hx_html_input_t *in, const char *id, const char *title,
                  const char *unit, const hx_svg_series_t *s, size_t n)
{
    hx_svg_chart_t ch = {id, title, unit, c->x_max, s, n, in->windows, in->nwindows};
    hx_svg_line_chart(b, &ch);
}

static void chart_rate(cm_buf_t *b, const cols_t *c, const hx_html_input_t *in)
{
    double *off = col_new(c), *ach = col_new(c), *ok = col_new(c);
    for (size_t i = 0; i < c->n; i++) {
        double d = span(&c->p[i]);
        off[i] = d > 0 ? (double)c->p[i].offered / d : NAN;
        ach[i] = d > 0 ? (double)c->p[i].total / d : NAN;
        ok[i] = d > 0 ? (double)c->p[i].ok / d : NAN;
    }
    double rate = in->report->info->target_rate, tx[2] = {0, c->x_max}, ty[2] = {rate, rate};
    hx_svg_series_t s[] = {{"offered", "#8c8c8c", c->x, off, c->n, false},
                           {"achieved", "#1f63b4", c->x, ach, c->n, false},
                           {"ok", "#2ca02c", c->x, ok, c->n, false},
                           {"target", "#444444", tx, ty, 2, true}};
    chart(b, c, in, "chart-rate", "Achieved vs offered rate", "req/s", s, rate > 0 ? 4 : 3);
    free(off);
    free(ach);
    free(ok);
}

static void chart_quantiles(cm_buf_t *b, const cols_t *c, const hx_html_input_t *in, bool ttft)
{
    static const char *const names[3] = {"p50", "p90", "p99"}, *const colors[3] = {"#1f63b4", "#e07b00", "#c0231a"};
    double *y[3];
    hx_svg_series_t s[3];
    for (int q = 0; q < 3; q++) {
        y[q] = col_new(c);
        for (size_t i = 0; i < c->n; i++)
            y[q][i] = ttft ? c->p[i].ttft_ms[q] : c->p[i].latency_ms[q];
        s[q] = (hx_svg_series_t){names[q], colors[q], c->x, y[q], c->n, false};
    }
    if (ttft)
        chart(b, c, in, "chart-ttft", "Time to first token (streams, from the intended send)", "ms", s, 3);
    else
        chart(b, c, in, "chart-latency", "Latency percentiles (successes, from the intended send)", "ms", s, 3);
    for (int q = 0; q < 3; q++)
        free(y[q]);
}

static const char *const err_colors[] = {"#e07b00", "#c0231a", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f",
                                         "#bcbd22", "#17becf", "#1f63b4", "#2ca02c", "#ff9896", "#98df8a",
                                         "#c5b0d5", "#c49c94", "#f7b6d2", "#dbdb8d", "#9edae5", "#393b79"};

static void chart_errors(cm_buf_t *b, const cols_t *c, const hx_html_input_t *in)
{
    hx_svg_series_t s[HX_ERR__COUNT];
    double *y[HX_ERR__COUNT];
    size_t n = 0;
    for (int e = 1; e < HX_ERR__COUNT; e++) {
        uint64_t sum = 0;
        for (size_t i = 0; i < c->n; i++)
            sum += c->p[i].errors[e];
        if (sum == 0)
            continue;
        y[n] = col_new(c);
        for (size_t i = 0; i < c->n; i++)
            y[n][i] = span(&c->p[i]) > 0 ? (double)c->p[i].errors[e] / span(&c->p[i]) : NAN;
        const char *color = err_colors[(size_t)(e - 1) % (sizeof(err_colors) / sizeof(err_colors[0]))];
        s[n] = (hx_svg_series_t){hx_err_name((hx_err_t)e), color, c->x, y[n], c->n, false};
        n++;
    }
    chart(b, c, in, "chart-errors", n ? "Errors and 429s by class" : "Errors and 429s by class (none)", "per s", s, n);
    for (size_t i = 0; i < n; i++)
        free(y[i]);
}

static void windows_list(cm_buf_t *b, const hx_html_input_t *in)
{
    if (in->nwindows == 0)
        return;
    cm_buf_puts(b, "<p class=\"note\" id=\"windows\">Shaded: ");
    for (size_t i = 0; i < in->nwindows && i < HX_HTML_MAX_WINDOWS; i++) {
        cm_buf_printf(b, "%s%.1f-%.1f s ", i ? "; " : "", in->windows[i].start_s, in->windows[i].end_s);
        hx_html_escape(b, in->windows[i].label, 0);
    }
    if (in->nwindows > HX_HTML_MAX_WINDOWS)
        cm_buf_printf(b, "; %zu more not shown", in->nwindows - HX_HTML_MAX_WINDOWS);
    cm_buf_puts(b, "</p>\n");
}

static void charts(cm_buf_t *b, const hx_html_input_t *in)
{
    const hx_timeline_t *tl = in->timeline;
    cols_t c = {tl ? tl->points : NULL, tl ? tl->n : 0, in->report->info->duration_s, NULL};
    c.x = col_new(&c);
    for (size_t i = 0; i < c.n; i++) {
        c.x[i] = (c.p[i].t0_s + c.p[i].t1_s) / 2;
        c.x_max = fmax(c.x_max, c.p[i].t1_s);
    }
    cm_buf_puts(b, "<h2>Over time</h2>\n");
    if (tl != NULL && tl->per_point > 1)
        cm_buf_printf(b,
                      "<p class=\"note\">Each point merges %u intervals; latency and TTFT points show the "
                      "highest value among them.</p>\n",
                      tl->per_point);
    chart_rate(b, &c, in);
    chart_quantiles(b, &c, in, false);
    chart_quantiles(b, &c, in, true);
    chart_errors(b, &c, in);
    windows_list(b, in);
    free(c.x);
}

/* ---- deployments ------------------------------------------------------------------------------------ */

static void deployments(cm_buf_t *b, const hx_stats_t *t)
{
    hx_svg_bar_t bars[HX_MAX_DEPLOYMENTS + 1];
    char notes[HX_MAX_DEPLOYMENTS + 1][96];
    uint64_t answered = 0;
    size_t n = 0;
    for (uint32_t d = 0; d <= HX_MAX_DEPLOYMENTS; d++)
        answered += t->by_deployment[d].total;
    for (uint32_t d = 0; d <= HX_MAX_DEPLOYMENTS && answered > 0; d++) {
        const hx_counts_t *c = &t->by_deployment[d];
        const char *name = hx_stats_deployment_name(d);
        if (c->total == 0 || name == NULL)
            continue;
        double share = (double)c->total / (double)answered;
        snprintf(notes[n], sizeof(notes[n]), "%.1f%%, %llu requests, %llu rate-limited", 100 * share,
                 (unsigned long long)c->total, (unsigned long long)c->rate_limited);
        bars[n] = (hx_svg_bar_t){name, share, notes[n]};
        n++;
    }
    cm_buf_puts(b, "<h2>Deployments</h2>\n");
    if (n == 0) {
        cm_buf_puts(b, "<p class=\"note\" id=\"no-deployments\">No answer named its deployment "
                       "(x-mock-deployment): no per-deployment share.</p>\n");
        return;
    }
    hx_svg_bar_chart(b, "chart-deployments", "Share of answered requests by deployment", bars, n);
}

/* ---- the document ----------------------------------------------------------------------------------- */

void hx_html_render(cm_buf_t *b, const hx_html_input_t *in)
{
    const hx_report_t *r = in->report;
    header(b, r);
    failure_banner(b, r->info);
    verdicts(b, r);
    totals(b, r);
    hx_report_html_client(b, r);
    groups_table(b, r);
    phases_table(b, r);
    warmup_table(b, r);
    charts(b, in);
    deployments(b, r->total);
    cm_buf_printf(b,
                  "<p class=\"note\">Written by soak %s. The same run's numbers are in summary.json "
                  "(schema: docs/json-summary.md) and, per interval, series.jsonl.</p>\n</body></html>\n",
                  SOAK_VERSION);
}

int hx_report_html(FILE *out, const hx_html_input_t *in)
{
    cm_buf_t b = CM_BUF_INIT;
    hx_html_render(&b, in);
    errno = 0;
    int rc = 0;
    if (fwrite(b.data, 1, b.len, out) != b.len || fflush(out) != 0 || ferror(out)) {
        if (errno == 0)
            errno = EIO;
        rc = -1;
    }
    cm_buf_free(&b);
    return rc;
}
