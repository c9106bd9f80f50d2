/* harness/report/report_client.c — the client's self-check in the reports (report_client.h). One reading of the
 * stats (hx_selfcheck) feeds every format, so the table, the JSON and the warnings cannot disagree. */
#include "harness/report/report_client.h"

#include <string.h>

#include "harness/measure/selfcheck.h"
#include "harness/report/html.h"

/* ---- terminal table --------------------------------------------------------------------------------- */

static void lag_cells(FILE *out, const hx_stats_t *s)
{
    hx_selfcheck_t c;
    hx_selfcheck(s, &c);
    if (s->pacer_lag.count == 0) {
        fputs("pacer lag -  (nothing sent)\n", out);
        return;
    }
    fprintf(out, "pacer lag p50 %.2f ms  p99 %.2f ms  max %.2f ms  late %llu of %llu (%.2f%%)\n", c.lag_p50_ms,
            c.lag_p99_ms, c.lag_max_ms, (unsigned long long)s->late, (unsigned long long)s->sent, c.late_share * 100);
}

/* A warning under the table's "WARNING" label, wrapped at spaces to the table's 100 columns (the same one-line
 * text goes to stderr and to the JSON whole). */
static void put_warning(FILE *out, const char *text)
{
    const size_t width = 100 - 11;
    const char *label = "WARNING    ";
    while (*text != '\0') {
        size_t n = strlen(text);
        if (n > width) {
            n = width;
            while (n > 0 && text[n] != ' ')
                n--;
            if (n == 0)
                n = width; /* one word longer than the line: cut it */
        }
        fprintf(out, "%s%.*s\n", label, (int)n, text);
        label = "           ";
        text += n;
        while (*text == ' ')
            text++;
    }
}

void hx_report_table_client(FILE *out, const hx_report_t *r)
{
    static const hx_stats_t empty;
    const hx_stats_t *t = r->total;
    hx_selfcheck_t c;
    hx_selfcheck(t, &c);
    fputs("Client     ", out);
    lag_cells(out, t);
    /* The CPU on a line of its own: beside the note on "late" it took the line past 100 columns. */
    fprintf(out, "           (late: sent over %.0f ms after its intended time)\n           engine CPU %.2f s",
            (double)HX_LATE_NS / 1e6, c.cpu_s);
    if (t->cpu_samples > 0)
        fprintf(out, ", busiest thread %.0f%%, saturated %llu of %llu", c.cpu_busy_max * 100,
                (unsigned long long)t->cpu_saturated, (unsigned long long)t->cpu_samples);
    fputc('\n', out);
    for (size_t i = 0; i < r->nphases; i++) {
        const hx_stats_t *s = r->phases[i].stats != NULL ? r->phases[i].stats : &empty;
        fprintf(out, "  phase %-16.16s ", r->phases[i].phase->name);
        lag_cells(out, s);
    }
    for (size_t i = 0; i < r->ngroups; i++) {
        fprintf(out, "  group %-16.16s ", r->groups[i].name);
        lag_cells(out, r->groups[i].stats);
    }
    if (c.cpu_warning[0] != '\0')
        put_warning(out, c.cpu_warning);
    if (c.lag_warning[0] != '\0')
        put_warning(out, c.lag_warning);
    fputc('\n', out);
}

int hx_report_client_warnings(FILE *out, const hx_report_t *r)
{
    hx_selfcheck_t c;
    hx_selfcheck(r->total, &c);
    int n = 0;
    const char *lines[] = {c.cpu_warning, c.lag_warning};
    for (size_t i = 0; i < 2; i++) {
        if (lines[i][0] != '\0') {
            fprintf(out, "soak: warning: %s\n", lines[i]);
            n++;
        }
    }
    return n;
}

/* ---- JSON ------------------------------------------------------------------------------------------- */

void hx_report_json_client_slice(cm_jw_t *w, const hx_stats_t *s)
{
    cm_jw_key(w, "late");
    cm_jw_uint(w, s->late);
    hx_report_json_ms(w, "pacer_lag_ms", &s->pacer_lag, false);
}

void hx_report_json_client(cm_jw_t *w, const hx_report_t *r)
{
    const hx_stats_t *t = r->total;
    hx_selfcheck_t c;
    hx_selfcheck(t, &c);
    cm_jw_key(w, "client");
    cm_jw_obj(w);
    hx_report_json_ms(w, "pacer_lag_ms", &t->pacer_lag, true);
    cm_jw_key(w, "late");
    cm_jw_uint(w, t->late);
    cm_jw_key(w, "late_threshold_ms");
    cm_jw_fixed(w, (double)HX_LATE_NS / 1e6, 3);
    cm_jw_key(w, "late_share");
    cm_jw_fixed(w, c.late_share, 6);
    cm_jw_key(w, "cpu");
    cm_jw_obj(w);
    cm_jw_key(w, "engine_s");
    cm_jw_fixed(w, c.cpu_s, 3);
    cm_jw_key(w, "busy_max");
    cm_jw_fixed(w, c.cpu_busy_max, 3);
    cm_jw_key(w, "samples");
    cm_jw_uint(w, t->cpu_samples);
    cm_jw_key(w, "saturated");
    cm_jw_uint(w, t->cpu_saturated);
    cm_jw_key(w, "saturated_threshold");
    cm_jw_fixed(w, HX_CPU_SATURATED_PERMILLE / 1000.0, 3);
    cm_jw_obj_end(w);
    cm_jw_key(w, "warnings");
    cm_jw_arr(w);
    if (c.cpu_warning[0] != '\0')
        cm_jw_str(w, c.cpu_warning);
    if (c.lag_warning[0] != '\0')
        cm_jw_str(w, c.lag_warning);
    cm_jw_arr_end(w);
    cm_jw_obj_end(w);
}

/* ---- JUnit and HTML --------------------------------------------------------------------------------- */

void hx_report_junit_client(cm_buf_t *b, const hx_report_t *r)
{
    hx_selfcheck_t c;
    hx_selfcheck(r->total, &c);
    cm_buf_printf(b, "      <property name=\"client.pacer_lag_p99_ms\" value=\"%.3f\"/>\n",
                  c.lag_p99_ms < 0 ? 0 : c.lag_p99_ms);
    cm_buf_printf(b, "      <property name=\"client.late\" value=\"%llu\"/>\n", (unsigned long long)r->total->late);
    cm_buf_printf(b, "      <property name=\"client.cpu_busy_max\" value=\"%.3f\"/>\n", c.cpu_busy_max);
    cm_buf_printf(b, "      <property name=\"client.warnings\" value=\"%d\"/>\n",
                  (c.cpu_warning[0] != '\0') + (c.lag_warning[0] != '\0'));
}

void hx_report_html_client(cm_buf_t *b, const hx_report_t *r)
{
    const hx_stats_t *t = r->total;
    hx_selfcheck_t c;
    hx_selfcheck(t, &c);
    cm_buf_puts(b, "<h2>Client</h2><table id=\"client\">");
    if (t->pacer_lag.count > 0)
        cm_buf_printf(b, "<tr><th>pacer lag p50 / p99 / max</th><td class=\"num\">%.2f / %.2f / %.2f ms</td></tr>",
                      c.lag_p50_ms, c.lag_p99_ms, c.lag_max_ms);
    cm_buf_printf(b, "<tr><th>late sends (over %.0f ms)</th><td class=\"num\">%llu of %llu</td></tr>",
                  (double)HX_LATE_NS / 1e6, (unsigned long long)t->late, (unsigned long long)t->sent);
    cm_buf_printf(b, "<tr><th>busiest engine thread</th><td class=\"num\">%.0f%%</td></tr></table>\n",
                  c.cpu_busy_max * 100);
    const char *lines[] = {c.cpu_warning, c.lag_warning};
    for (size_t i = 0; i < 2; i++) {
        if (lines[i][0] == '\0')
            continue;
        cm_buf_puts(b, "<p class=\"fail\">Warning: ");
        hx_html_escape(b, lines[i], HX_SELFCHECK_MSG_MAX);
        cm_buf_puts(b, "</p>\n");
    }
}
