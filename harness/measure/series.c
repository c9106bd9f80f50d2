/* harness/measure/series.c — one interval as one JSONL line (docs/json-summary.md "JSONL series"). The collector
 * decides when an interval closes and where the line goes; this file only says what the line holds. */
#include "harness/measure/series.h"

#include "common/clock.h"
#include "common/json.h"
#include "harness/report/report.h"

static void jsonl_errors(cm_jw_t *w, const hx_stats_t *s)
{
    cm_jw_key(w, "errors");
    cm_jw_obj(w);
    for (int e = 1; e < HX_ERR__COUNT; e++) {
        if (s->errors[e] == 0)
            continue;
        cm_jw_key(w, hx_err_name((hx_err_t)e));
        cm_jw_uint(w, s->errors[e]);
    }
    cm_jw_obj_end(w);
}

static void jsonl_deployments(cm_jw_t *w, const hx_stats_t *s)
{
    cm_jw_key(w, "deployments");
    cm_jw_obj(w);
    for (uint32_t d = 0; d <= HX_MAX_DEPLOYMENTS; d++) {
        const char *name = hx_stats_deployment_name(d);
        if (s->by_deployment[d].total == 0 || name == NULL)
            continue;
        cm_jw_key(w, name);
        cm_jw_uint(w, s->by_deployment[d].total);
    }
    cm_jw_obj_end(w);
}

static void put_u(cm_jw_t *w, const char *key, uint64_t v)
{
    cm_jw_key(w, key);
    cm_jw_uint(w, v);
}

static void jsonl_counts(cm_jw_t *w, const hx_stats_t *s, double secs, uint64_t inflight)
{
    put_u(w, "requests", s->all.total);
    put_u(w, "ok", s->all.ok);
    put_u(w, "failed", s->all.failed);
    put_u(w, "rate_limited", s->all.rate_limited);
    put_u(w, "aborted", s->aborted);
    cm_jw_key(w, "rate");
    cm_jw_fixed(w, secs > 0 ? (double)s->all.total / secs : 0, 2);
    put_u(w, "sent", s->sent);
    put_u(w, "inflight", inflight);
    put_u(w, "inflight_max", s->inflight_max);
    put_u(w, "dropped", s->dropped);
    put_u(w, "late", s->late);
    put_u(w, "tokens", s->tokens);
}

/* A part of the interval (a group, the warm-up): its counts, in an object left open for the caller's. */
static void part_open(cm_jw_t *w, const char *key, const hx_stats_t *s)
{
    cm_jw_key(w, key);
    cm_jw_obj(w);
    put_u(w, "requests", s->all.total);
    put_u(w, "ok", s->all.ok);
    put_u(w, "failed", s->all.failed);
    put_u(w, "dropped", s->dropped);
}

/* Each group's part of the interval: its counts and latency. */
static void jsonl_groups(const hx_series_line_t *l, cm_jw_t *w)
{
    if (l->ngroups == 0)
        return;
    cm_jw_key(w, "groups");
    cm_jw_obj(w);
    for (size_t g = 0; g < l->ngroups; g++) {
        part_open(w, l->group_names[g], &l->groups[g]);
        hx_report_json_ms(w, "latency_ms", &l->groups[g].latency, false);
        cm_jw_obj_end(w);
    }
    cm_jw_obj_end(w);
}

/* The warm-up requests of the interval, when it has some: they are in no other figure of the line. */
static void jsonl_warmup(const hx_series_line_t *l, cm_jw_t *w)
{
    const hx_stats_t *ws = l->warm;
    if (ws == NULL || ws->all.total + ws->sent + ws->dropped + ws->aborted == 0)
        return;
    part_open(w, "warmup", ws);
    put_u(w, "sent", ws->sent);
    cm_jw_obj_end(w);
}

void hx_series_format(cm_buf_t *b, const hx_series_line_t *l)
{
    const hx_stats_t *s = l->s;
    double t = (double)(s->end_ns - l->start_ns) / 1e9;
    double secs = (double)(s->end_ns - s->start_ns) / 1e9;
    char ts[40];
    cm_jw_t w;
    cm_jw_init(&w, b);
    cm_jw_obj(&w);
    cm_jw_key(&w, "t");
    cm_jw_fixed(&w, t, 3);
    cm_jw_key(&w, "ts");
    cm_jw_str(&w, hx_report_iso_time(ts, sizeof(ts), l->wall_start_ms + (s->end_ns - l->start_ns) / CM_NS_PER_MS));
    if (l->phase != NULL) {
        cm_jw_key(&w, "phase");
        cm_jw_str(&w, l->phase->name);
        if (l->phase->exclude) {
            cm_jw_key(&w, "excluded");
            cm_jw_bool(&w, true);
        }
    }
    jsonl_counts(&w, s, secs, l->inflight);
    hx_report_json_ms(&w, "latency_ms", &s->latency, false);
    hx_report_json_ms(&w, "service_ms", &s->service, false);
    hx_report_json_ms(&w, "pacer_lag_ms", &s->pacer_lag, false);
    if (s->cpu_samples > 0) {
        cm_jw_key(&w, "cpu_busy_max");
        cm_jw_fixed(&w, (double)s->cpu_busy_max / 1000.0, 3);
    }
    if (s->ttft.count > 0)
        hx_report_json_ms(&w, "ttft_ms", &s->ttft, false);
    if (s->itl.count > 0)
        hx_report_json_ms(&w, "itl_ms", &s->itl, false);
    jsonl_errors(&w, s);
    jsonl_deployments(&w, s);
    jsonl_groups(l, &w);
    jsonl_warmup(l, &w);
    cm_jw_obj_end(&w);
    cm_buf_putc(b, '\n');
}
