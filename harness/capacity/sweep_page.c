/* The sweep page: one HTML file for a whole sweep, the table of its runs and a chart of each run's latency over
 * time, drawn with the HTML report's own chart code and stylesheet (harness/report) so that it reads like the
 * runs' reports it links to. Self-contained like them: nothing is fetched when it opens. */
#include <errno.h>
#include <math.h>
#include <stdio.h>

#include "common/buf.h"
#include "harness/capacity/sweep.h"
#include "harness/report/html.h"
#include "harness/report/svg.h"

static void cell_ms(cm_buf_t *b, double v)
{
    if (isnan(v))
        cm_buf_puts(b, "<td class=\"num\">-</td>");
    else
        cm_buf_printf(b, "<td class=\"num\">%.1fms</td>", v);
}

/* The first column says what the run was: its users for a closed loop, its rate for an open one. */
static void what_cell(cm_buf_t *b, const hx_probe_record_t *r)
{
    if (r->users > 0)
        cm_buf_printf(b, "<td class=\"num\">%u user%s</td>", r->users, r->users == 1 ? "" : "s");
    else
        cm_buf_printf(b, "<td class=\"num\">%.6g/s</td>", r->rate);
}

static void table(cm_buf_t *b, const hx_sweep_outcome_t *s)
{
    char label[32];
    cm_buf_puts(b, "<h2>Runs</h2>\n<table><tr><th>run</th><th>rate</th><th>achieved/s</th><th>p50</th><th>p99</th>"
                   "<th>failed</th><th>slo</th><th>why</th><th>report</th></tr>\n");
    for (size_t i = 0; i < s->nruns; i++) {
        const hx_probe_record_t *r = &s->runs[i];
        cm_buf_puts(b, "<tr><td>");
        hx_html_escape(b, hx_sweep_label(i, label, sizeof(label)), 0);
        cm_buf_puts(b, "</td>");
        what_cell(b, r);
        cm_buf_printf(b, "<td class=\"num\">%.1f</td>", r->achieved);
        cell_ms(b, r->p50_ms);
        cell_ms(b, r->p99_ms);
        if (isnan(r->failure_rate))
            cm_buf_puts(b, "<td class=\"num\">-</td>");
        else
            cm_buf_printf(b, "<td class=\"num\">%.2f%%</td>", r->failure_rate * 100);
        cm_buf_printf(b, "<td class=\"%s\">%s</td><td>", r->pass ? "pass" : "fail", r->pass ? "pass" : "FAIL");
        hx_html_escape(b, r->why, 0);
        /* the run's own report, written beside this page by its probe (probe.h) */
        cm_buf_printf(b, "</td><td><a href=\"probe-%03u-%u.html\">probe-%03u-%u</a></td></tr>\n", r->probe + 1,
                      r->repeat + 1, r->probe + 1, r->repeat + 1);
    }
    cm_buf_puts(b, "</table>\n");
    if (s->sync_rate > 0 && s->max_rate > 0)
        cm_buf_printf(b, "<p>Range: synchronous %.1f/s (1 user), throughput %.1f/s (%u users)</p>\n", s->sync_rate,
                      s->max_rate, s->opts->sat_users);
}

static void chart(cm_buf_t *b, const hx_sweep_outcome_t *s, size_t i)
{
    const hx_probe_series_t *ser = &s->series[i];
    const hx_probe_record_t *r = &s->runs[i];
    char id[32], title[96], buf[32];
    const char *label = hx_sweep_label(i, buf, sizeof(buf));
    snprintf(id, sizeof(id), "run-%zu", i + 1);
    if (r->users > 0)
        snprintf(title, sizeof(title), "run %s: %u user%s, latency", label, r->users, r->users == 1 ? "" : "s");
    else
        snprintf(title, sizeof(title), "run %s: %.6g/s, latency", label, r->rate);
    hx_svg_series_t lines[2] = {
        {"p50", "#4c78a8", ser->t_s, ser->p50_ms, ser->n, false},
        {"p99", "#e45756", ser->t_s, ser->p99_ms, ser->n, false},
    };
    hx_report_window_t warmup = {0, (double)s->opts->warmup_ns / 1e9, "warm-up (not judged)"};
    double x_max = ser->end_s > 0 ? ser->end_s : (double)s->opts->duration_ns / 1e9;
    hx_svg_chart_t c = {id, title, "ms", x_max, lines, 2, &warmup, s->opts->warmup_ns > 0 ? 1 : 0};
    hx_svg_line_chart(b, &c);
}

int hx_sweep_page(FILE *out, const hx_sweep_outcome_t *s)
{
    const hx_find_opts_t *o = s->opts;
    cm_buf_t b = CM_BUF_INIT;
    cm_buf_printf(&b,
                  "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"/><title>soak sweep</title>"
                  "<style>%s</style></head>\n<body>\n<h1>soak sweep: ",
                  hx_html_style);
    hx_html_escape(&b, o->target, 0);
    cm_buf_printf(&b,
                  "</h1>\n<p class=\"note\">A synchronous run (1 user), a throughput run (%u users), then %u %s "
                  "rates; runs of %.3gs with a warm-up of %.3gs left out of their results; seed %llu.%s</p>\n",
                  o->sat_users, o->nrates, o->poisson ? "Poisson" : "constant", (double)o->duration_ns / 1e9,
                  (double)o->warmup_ns / 1e9, (unsigned long long)o->seed,
                  s->complete ? "" : " The sweep stopped early.");
    table(&b, s);
    cm_buf_puts(&b, "<h2>Latency over time, run by run</h2>\n");
    for (size_t i = 0; i < s->nruns; i++)
        chart(&b, s, i);
    cm_buf_puts(&b, "<p class=\"note\">The same numbers are in the sweep's JSON (docs/capacity.md) and each run's "
                    "JSON summary beside this page.</p>\n</body></html>\n");
    errno = 0;
    int rc = fwrite(b.data, 1, b.len, out) == b.len && fflush(out) == 0 ? 0 : -1;
    if (rc != 0 && errno == 0)
        errno = EIO;
    cm_buf_free(&b);
    return rc;
}
