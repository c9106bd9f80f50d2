/* harness/report/report_phases.c — the run's phases and groups in the terminal table and the JSON summary, and
 * how every report names a scoped expectation. */
#include <stdio.h>

#include "harness/report/report.h"
#include "harness/report/report_client.h"

static double ms_at(const cm_hist_t *h, double q)
{
    return h->count > 0 ? (double)cm_hist_percentile(h, q) / 1000.0 : -1;
}

static void cell(FILE *out, double ms)
{
    if (ms < 0)
        fprintf(out, " %9s", "-");
    else
        fprintf(out, ms < 100 ? " %9.2f" : ms < 100000 ? " %9.1f" : " %9.0f", ms);
}

void hx_report_table_phases(FILE *out, const hx_report_t *r)
{
    static const hx_stats_t empty;
    if (r->nphases == 0)
        return;
    fprintf(out, "%-24s %13s %8s %8s %8s %9s %9s %9s\n", "Phase", "span (s)", "requests", "ok", "not ok", "rate/s",
            "p50 ms", "p99 ms");
    for (size_t i = 0; i < r->nphases; i++) {
        const hx_phase_report_t *p = &r->phases[i];
        const hx_stats_t *s = p->stats != NULL ? p->stats : &empty;
        char name[64], span[32];
        snprintf(name, sizeof(name), "%.*s%s", p->phase->exclude ? 14 : 24, p->phase->name,
                 p->phase->exclude ? " (excluded)" : "");
        snprintf(span, sizeof(span), "%.0f-%.0f", (double)p->phase->start_ns / 1e9, (double)p->phase->end_ns / 1e9);
        fprintf(out, "%-24s %13s %8llu %8llu %8llu %9.1f", name, span, (unsigned long long)s->all.total,
                (unsigned long long)s->all.ok, (unsigned long long)hx_stats_unsuccessful(s),
                p->secs > 0 ? (double)s->all.total / p->secs : 0);
        cell(out, ms_at(&s->latency, 50));
        cell(out, ms_at(&s->latency, 99));
        fputc('\n', out);
    }
    fputc('\n', out);
}

static void jw_u(cm_jw_t *w, const char *key, uint64_t v)
{
    cm_jw_key(w, key);
    cm_jw_uint(w, v);
}

/* A part of the run (a phase, a group, the warm-up) over secs: its counts, rates (none when secs < 0) and
 * latency. */
static void json_slice(cm_jw_t *w, const hx_stats_t *s, double secs)
{
    cm_jw_key(w, "requests");
    cm_jw_obj(w);
    jw_u(w, "total", s->all.total);
    jw_u(w, "ok", s->all.ok);
    jw_u(w, "failed", s->all.failed);
    jw_u(w, "rate_limited", s->all.rate_limited);
    jw_u(w, "aborted", s->aborted);
    jw_u(w, "dropped", s->dropped);
    jw_u(w, "sent", s->sent);
    jw_u(w, "offered", hx_stats_offered(s));
    jw_u(w, "unsuccessful", hx_stats_unsuccessful(s));
    cm_jw_obj_end(w);
    if (secs >= 0) {
        cm_jw_key(w, "rate");
        cm_jw_obj(w);
        cm_jw_key(w, "offered");
        cm_jw_fixed(w, secs > 0 ? (double)(s->sent + s->dropped) / secs : 0, 3);
        cm_jw_key(w, "achieved");
        cm_jw_fixed(w, secs > 0 ? (double)s->all.total / secs : 0, 3);
        cm_jw_obj_end(w);
    }
    hx_report_json_ms(w, "latency_ms", &s->latency, true);
    hx_report_json_ms(w, "service_ms", &s->service, true);
    hx_report_json_ms(w, "ttft_ms", &s->ttft, false);
    hx_report_json_client_slice(w, s);
}

void hx_report_json_phases(cm_jw_t *w, const hx_report_t *r)
{
    static const hx_stats_t empty;
    if (r->nphases == 0)
        return;
    cm_jw_key(w, "phases");
    cm_jw_arr(w);
    for (size_t i = 0; i < r->nphases; i++) {
        const hx_phase_report_t *p = &r->phases[i];
        const hx_stats_t *s = p->stats != NULL ? p->stats : &empty;
        cm_jw_obj(w);
        cm_jw_key(w, "name");
        cm_jw_str(w, p->phase->name);
        cm_jw_key(w, "start_s");
        cm_jw_fixed(w, (double)p->phase->start_ns / 1e9, 3);
        cm_jw_key(w, "end_s");
        cm_jw_fixed(w, (double)p->phase->end_ns / 1e9, 3);
        cm_jw_key(w, "seconds");
        cm_jw_fixed(w, p->secs, 3);
        cm_jw_key(w, "excluded");
        cm_jw_bool(w, p->phase->exclude);
        json_slice(w, s, p->secs);
        cm_jw_obj_end(w);
    }
    cm_jw_arr_end(w);
}

void hx_report_table_groups(FILE *out, const hx_report_t *r)
{
    if (r->ngroups == 0)
        return;
    double secs = r->info->judged_s;
    fprintf(out, "%-24s %9s %9s %9s %8s %9s %9s %9s\n", "Group", "requests", "ok", "not ok", "fail %", "rate/s",
            "p50 ms", "p99 ms");
    for (size_t i = 0; i < r->ngroups; i++) {
        const hx_stats_t *s = r->groups[i].stats;
        uint64_t offered = hx_stats_offered(s), bad = hx_stats_unsuccessful(s);
        fprintf(out, "%-24.24s %9llu %9llu %9llu %7.2f%% %9.1f", r->groups[i].name, (unsigned long long)s->all.total,
                (unsigned long long)s->all.ok, (unsigned long long)bad,
                offered > 0 ? 100.0 * (double)bad / (double)offered : 0, secs > 0 ? (double)s->all.total / secs : 0);
        cell(out, ms_at(&s->latency, 50));
        cell(out, ms_at(&s->latency, 99));
        fputc('\n', out);
    }
    fputc('\n', out);
}

void hx_report_json_groups(cm_jw_t *w, const hx_report_t *r)
{
    if (r->ngroups == 0)
        return;
    double secs = r->info->judged_s;
    cm_jw_key(w, "groups");
    cm_jw_obj(w);
    for (size_t i = 0; i < r->ngroups; i++) {
        const hx_stats_t *s = r->groups[i].stats;
        cm_jw_key(w, r->groups[i].name);
        cm_jw_obj(w);
        json_slice(w, s, secs);
        cm_jw_key(w, "errors");
        cm_jw_obj(w);
        for (int e = 1; e < HX_ERR__COUNT; e++) {
            if (s->errors[e] > 0)
                jw_u(w, hx_err_name((hx_err_t)e), s->errors[e]);
        }
        cm_jw_obj_end(w);
        cm_jw_obj_end(w);
    }
    cm_jw_obj_end(w);
}

void hx_report_table_warmup(FILE *out, const hx_report_t *r)
{
    const hx_stats_t *s = r->warmup;
    if (s == NULL)
        return;
    char until[48] = "never ended";
    if (r->info->warmup_s >= 0)
        snprintf(until, sizeof(until), "ended at %.1fs", r->info->warmup_s);
    fprintf(out, "Warm-up    first %llu requests (excluded, %s): %llu completed, ok %llu, not ok %llu",
            (unsigned long long)r->info->warmup_requests, until, (unsigned long long)s->all.total,
            (unsigned long long)s->all.ok, (unsigned long long)hx_stats_unsuccessful(s));
    if (s->latency.count > 0)
        fprintf(out, ", p50 %.2f ms, p99 %.2f ms", ms_at(&s->latency, 50), ms_at(&s->latency, 99));
    fputs("\n\n", out);
}

void hx_report_junit_warmup(cm_buf_t *b, const hx_report_t *r)
{
    const hx_stats_t *s = r->warmup;
    if (s == NULL)
        return;
    cm_buf_printf(b, "      <property name=\"warmup.requests_excluded\" value=\"%llu\"/>\n",
                  (unsigned long long)r->info->warmup_requests);
    cm_buf_printf(b, "      <property name=\"warmup.ended_s\" value=\"%.3f\"/>\n", r->info->warmup_s);
    cm_buf_printf(b, "      <property name=\"warmup.completed\" value=\"%llu\"/>\n", (unsigned long long)s->all.total);
    cm_buf_printf(b, "      <property name=\"warmup.ok\" value=\"%llu\"/>\n", (unsigned long long)s->all.ok);
}

void hx_report_json_warmup(cm_jw_t *w, const hx_report_t *r)
{
    if (r->warmup == NULL)
        return;
    cm_jw_key(w, "warmup");
    cm_jw_obj(w);
    jw_u(w, "requests_excluded", r->info->warmup_requests);
    cm_jw_key(w, "ended_s");
    r->info->warmup_s >= 0 ? cm_jw_fixed(w, r->info->warmup_s, 3) : cm_jw_null(w);
    json_slice(w, r->warmup, -1);
    cm_jw_obj_end(w);
}

char *hx_report_expect_label(const hx_expect_t *e, char *buf, size_t n)
{
    if (e->scope[0] != '\0')
        snprintf(buf, n, "%s [%s]", e->metric, e->scope);
    else
        snprintf(buf, n, "%s", e->metric);
    return buf;
}
