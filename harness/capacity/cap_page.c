/* The page of a sweep (sweep.html) or of a knee search (find.html): one HTML file with the table of its runs, each
 * linked to its own report, and a chart of each run's latency over time, drawn with the HTML report's own chart
 * code and stylesheet (harness/report) so that it reads like the runs' reports it links to. Self-contained like
 * them: nothing is fetched when it opens. */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "common/buf.h"
#include "harness/capacity/sweep.h"
#include "harness/report/html.h"
#include "harness/report/svg.h"

/* What differs between the two pages. */
typedef struct page {
    const hx_find_opts_t *opts;
    const hx_probe_record_t *runs;
    const hx_probe_series_t *series; /* as many as runs */
    size_t nruns;
    const char *title, *first; /* "soak sweep", and the first column's name: "run" */
    const char *(*label)(const struct page *p, size_t i, char *buf, size_t n);
    char intro[1024];  /* the paragraph under the title (text) */
    const char *result; /* the lines under the table (text), or NULL */
} page_t;

static void cell_ms(cm_buf_t *b, double v)
{
    if (isnan(v))
        cm_buf_puts(b, "<td class=\"num\">-</td>");
    else
        cm_buf_printf(b, "<td class=\"num\">%.1fms</td>", v);
}

/* The second column says what the run was: its users for a closed loop, its rate for an open one. */
static void what_cell(cm_buf_t *b, const hx_probe_record_t *r)
{
    if (r->users > 0)
        cm_buf_printf(b, "<td class=\"num\">%u user%s</td>", r->users, r->users == 1 ? "" : "s");
    else
        cm_buf_printf(b, "<td class=\"num\">%.6g/s</td>", r->rate);
}

static void table(cm_buf_t *b, const page_t *p)
{
    char label[32];
    cm_buf_printf(b,
                  "<h2>Runs</h2>\n<table><tr><th>%s</th><th>rate</th><th>achieved/s</th><th>p50</th><th>p99</th>"
                  "<th>failed</th><th>slo</th><th>why</th><th>report</th></tr>\n",
                  p->first);
    for (size_t i = 0; i < p->nruns; i++) {
        const hx_probe_record_t *r = &p->runs[i];
        cm_buf_puts(b, "<tr><td>");
        hx_html_escape(b, p->label(p, i, label, sizeof(label)), 0);
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
    if (p->result != NULL) {
        cm_buf_puts(b, "<pre>");
        hx_html_escape(b, p->result, 0);
        cm_buf_puts(b, "</pre>\n");
    }
}

static void chart(cm_buf_t *b, const page_t *p, size_t i)
{
    const hx_probe_series_t *ser = &p->series[i];
    const hx_probe_record_t *r = &p->runs[i];
    const hx_find_opts_t *o = p->opts;
    char id[32], title[96], buf[32];
    const char *label = p->label(p, i, buf, sizeof(buf));
    snprintf(id, sizeof(id), "run-%zu", i + 1);
    if (r->users > 0)
        snprintf(title, sizeof(title), "%s %s: %u user%s, latency", p->first, label, r->users,
                 r->users == 1 ? "" : "s");
    else
        snprintf(title, sizeof(title), "%s %s: %.6g/s, latency", p->first, label, r->rate);
    hx_svg_series_t lines[2] = {
        {"p50", "#4c78a8", ser->t_s, ser->p50_ms, ser->n, false},
        {"p99", "#e45756", ser->t_s, ser->p99_ms, ser->n, false},
    };
    hx_report_window_t warmup = {0, (double)o->warmup_ns / 1e9, "warm-up (not judged)"};
    double x_max = ser->end_s > 0 ? ser->end_s : (double)o->duration_ns / 1e9;
    hx_svg_chart_t c = {id, title, "ms", x_max, lines, 2, &warmup, o->warmup_ns > 0 ? 1 : 0};
    hx_svg_line_chart(b, &c);
}

static int page(FILE *out, const page_t *p)
{
    cm_buf_t b = CM_BUF_INIT;
    cm_buf_printf(&b,
                  "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"/><title>%s</title>"
                  "<style>%s</style></head>\n<body>\n<h1>%s: ",
                  p->title, hx_html_style, p->title);
    hx_html_escape(&b, p->opts->target, 0);
    cm_buf_puts(&b, "</h1>\n<p class=\"note\">");
    hx_html_escape(&b, p->intro, 0);
    cm_buf_puts(&b, "</p>\n");
    table(&b, p);
    cm_buf_puts(&b, "<h2>Latency over time, run by run</h2>\n");
    for (size_t i = 0; i < p->nruns; i++)
        chart(&b, p, i);
    cm_buf_printf(&b,
                  "<p class=\"note\">The same numbers are in the %s JSON (docs/capacity.md) and each run's JSON "
                  "summary beside this page.</p>\n</body></html>\n",
                  p->opts->cmd == HX_CAP_SWEEP ? "sweep's" : "search's");
    errno = 0;
    int rc = fwrite(b.data, 1, b.len, out) == b.len && fflush(out) == 0 ? 0 : -1;
    if (rc != 0 && errno == 0)
        errno = EIO;
    cm_buf_free(&b);
    return rc;
}

/* ---- soak sweep --------------------------------------------------------------------------------------- */

static const char *sweep_label(const page_t *p, size_t i, char *buf, size_t n)
{
    (void)p;
    return hx_sweep_label(i, buf, n);
}

int hx_sweep_page(FILE *out, const hx_sweep_outcome_t *s)
{
    const hx_find_opts_t *o = s->opts;
    char range[256];
    page_t p = {o, s->runs, s->series, s->nruns, "soak sweep", "run", sweep_label, "", NULL};
    snprintf(p.intro, sizeof(p.intro),
             "A synchronous run (1 user), a throughput run (%u users), then %u %s rates; runs of %.3gs with a "
             "warm-up of %.3gs left out of their results; seed %llu.%s",
             o->sat_users, o->nrates, o->poisson ? "Poisson" : "constant", (double)o->duration_ns / 1e9,
             (double)o->warmup_ns / 1e9, (unsigned long long)o->seed, s->complete ? "" : " The sweep stopped early.");
    if (s->sync_rate > 0 && s->max_rate > 0) {
        snprintf(range, sizeof(range), "Range: synchronous %.1f/s (1 user), throughput %.1f/s (%u users)",
                 s->sync_rate, s->max_rate, o->sat_users);
        p.result = range;
    }
    return page(out, &p);
}

/* ---- soak find ---------------------------------------------------------------------------------------- */

/* A probe's number, and its repeat when there are several. */
static const char *find_label(const page_t *p, size_t i, char *buf, size_t n)
{
    const hx_probe_record_t *r = &p->runs[i];
    if (p->opts->search.repeats > 1)
        snprintf(buf, n, "%u.%u", r->probe + 1, r->repeat + 1);
    else
        snprintf(buf, n, "%u", r->probe + 1);
    return buf;
}

int hx_find_page(FILE *out, const hx_find_outcome_t *f)
{
    const hx_find_opts_t *o = f->opts;
    char *summary = NULL;
    size_t len = 0;
    FILE *mem = open_memstream(&summary, &len);
    if (mem == NULL)
        return -1;
    hx_find_summary(mem, f); /* the table's own lines: the SLOs, the knee, the gate */
    if (fclose(mem) != 0) {
        free(summary);
        return -1;
    }
    page_t p = {o, f->runs, f->series, f->nruns, "soak find", "probe", find_label, "", summary};
    snprintf(p.intro, sizeof(p.intro),
             "The %s meeting every SLO, by exponential probing then bisection; probes of %.3gs with a warm-up of "
             "%.3gs left out of their results; seed %llu.%s",
             o->over_users ? "most closed-loop users"
             : o->poisson  ? "highest Poisson arrival rate"
                           : "highest constant arrival rate",
             (double)o->duration_ns / 1e9, (double)o->warmup_ns / 1e9, (unsigned long long)o->seed,
             f->complete ? "" : " The search stopped early.");
    int rc = page(out, &p);
    free(summary);
    return rc;
}
