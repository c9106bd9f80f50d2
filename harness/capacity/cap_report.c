/* What `soak find` and `soak sweep` report: a line per run as it ends, the final table (with the knee, or the
 * range), and the JSON document (schema in docs/capacity.md). */
#include <errno.h>
#include <math.h>
#include <string.h>

#include "common/json.h"
#include "harness/capacity/find.h"
#include "harness/capacity/sweep.h"

#define HX_CAP_SCHEMA_VERSION 1 /* of soak find's and soak sweep's JSON */

double hx_find_knee(const hx_find_outcome_t *f)
{
    return f->search->lo;
}

double hx_find_knee_ok_rate(const hx_find_outcome_t *f)
{
    double knee = hx_find_knee(f), ok = NAN;
    for (size_t i = 0; knee > 0 && i < f->nruns; i++) {
        const hx_probe_record_t *r = &f->runs[i];
        double at = f->opts->over_users ? (double)r->users : r->rate;
        if (at == knee && r->pass && (isnan(ok) || r->ok_rate < ok))
            ok = r->ok_rate;
    }
    return ok;
}

bool hx_find_gate(const hx_find_outcome_t *f)
{
    double knee = hx_find_knee(f);
    return f->opts->require_set ? knee > 0 && knee >= f->opts->require * (1 - 1e-9) : knee > 0;
}

static char *ms(char *buf, size_t n, double v)
{
    if (isnan(v))
        snprintf(buf, n, "-");
    else
        snprintf(buf, n, v < 10 ? "%.2fms" : "%.1fms", v);
    return buf;
}

static char *pct(char *buf, size_t n, double v)
{
    if (isnan(v))
        snprintf(buf, n, "-");
    else
        snprintf(buf, n, "%.2f%%", v * 100);
    return buf;
}

void hx_cap_row(FILE *out, const char *label, const hx_probe_record_t *r)
{
    char p50[24], p99[24], fr[24], rate[32];
    if (r->users > 0)
        snprintf(rate, sizeof(rate), "%u user%s", r->users, r->users == 1 ? "" : "s");
    else
        snprintf(rate, sizeof(rate), "%.6g", r->rate);
    fprintf(out, "%-6s %10s %10.1f %9s %9s %7s  %s%s%s\n", label, rate, r->achieved, ms(p50, sizeof(p50), r->p50_ms),
            ms(p99, sizeof(p99), r->p99_ms), pct(fr, sizeof(fr), r->failure_rate), r->pass ? "pass" : "FAIL",
            r->why[0] ? " " : "", r->why);
}

void hx_cap_header(FILE *out, const char *first)
{
    fprintf(out, "%-6s %10s %10s %9s %9s %7s  %-4s %s\n", first, "rate/s", "achieved", "p50", "p99", "failed", "slo",
            "why");
}

/* A find run's label: its probe number, and its repeat when there are several. */
static void row(FILE *out, const hx_find_opts_t *o, const hx_probe_record_t *r)
{
    char label[32];
    if (o->search.repeats > 1)
        snprintf(label, sizeof(label), "%3u.%u", r->probe + 1, r->repeat + 1);
    else
        snprintf(label, sizeof(label), "%3u", r->probe + 1);
    hx_cap_row(out, label, r);
}

void hx_find_print_probe(FILE *out, const hx_find_opts_t *o, const hx_probe_record_t *rec)
{
    fprintf(out, "soak find: ");
    row(out, o, rec);
    fflush(out);
}

/* The knee in words: what is known, and how sure. Over users the values are user counts, and the throughput
 * at the knee says what that many users got through. */
static void knee_line(FILE *out, const hx_find_outcome_t *f)
{
    const hx_search_result_t *s = f->search;
    const hx_search_opts_t *so = &f->opts->search;
    bool users = f->opts->over_users;
    const char *u = users ? " users" : "/s";
    if (!f->complete)
        fprintf(out, "Search stopped early (error or interrupt): ");
    if (s->lo > 0 && s->hi > 0)
        fprintf(out, "Knee: %.6g%s, in [%.6g%s, %.6g%s) (%s; the bracket is %.1f%% of its top)", s->lo, u, s->lo,
                users ? "" : u, s->hi, u, hx_search_end_name(s->end), (s->hi - s->lo) / s->hi * 100);
    else if (s->lo > 0)
        fprintf(out, "Knee: at least %.6g%s (%s: no probed %s failed%s)", s->lo, u, hx_search_end_name(s->end),
                users ? "user count" : "rate",
                s->end != HX_SEARCH_END_ABOVE_MAX ? ""
                : users                           ? "; raise --max-users"
                                                  : "; raise --max-rate");
    else if (s->hi > 0)
        fprintf(out, "Knee: none found: every %s probed failed, down to %.6g%s (%s%s)", users ? "user count" : "rate",
                s->hi, u, hx_search_end_name(s->end),
                s->hi <= so->min_rate ? ""
                : users               ? "; lower --start-users"
                                      : "; lower --start-rate");
    else
        fprintf(out, "Knee: unknown (no probe finished)");
    if (users && s->lo > 0)
        fprintf(out, "; %.1f successes/s at the knee", hx_find_knee_ok_rate(f));
    fputc('\n', out);
}

void hx_find_table(FILE *out, const hx_find_outcome_t *f)
{
    fprintf(out, "\nCapacity search: %zu probe%s, %zu run%s\n", f->search->nsteps, f->search->nsteps == 1 ? "" : "s",
            f->nruns, f->nruns == 1 ? "" : "s");
    hx_cap_header(out, "probe");
    for (size_t i = 0; i < f->nruns; i++)
        row(out, f->opts, &f->runs[i]);
    hx_find_summary(out, f);
}

void hx_find_summary(FILE *out, const hx_find_outcome_t *f)
{
    const hx_find_opts_t *o = f->opts;
    fprintf(out, "SLOs:");
    for (size_t i = 0; i < o->nslos; i++)
        fprintf(out, "%s %s %s%s", i ? ";" : "", o->slos[i].metric, o->slos[i].bound_text,
                o->slos[i].is_default ? " (default)" : "");
    fprintf(out, "; and no over-saturation (docs/capacity.md)\n");
    knee_line(out, f);
    if (o->require_set)
        fprintf(out, "Gate: knee >= %.6g%s: %s\n", o->require, o->over_users ? " users" : "/s",
                hx_find_gate(f) ? "pass" : "FAIL");
}

/* ---- JSON --------------------------------------------------------------------------------------------- */

void hx_cap_json_open(cm_jw_t *w, const hx_find_opts_t *o)
{
    cm_jw_obj(w);
    cm_jw_key(w, "schema_version");
    cm_jw_int(w, HX_CAP_SCHEMA_VERSION);
    cm_jw_kv_str(w, "command", o->cmd == HX_CAP_SWEEP ? "sweep" : "find");
    if (o->cmd == HX_CAP_FIND)
        cm_jw_kv_str(w, "over", o->over_users ? "users" : "rate");
    cm_jw_kv_str(w, "target", o->target);
    cm_jw_kv_uint(w, "seed", o->seed);
    cm_jw_key(w, "slos");
    cm_jw_arr(w);
    for (size_t i = 0; i < o->nslos; i++) {
        cm_jw_obj(w);
        cm_jw_kv_str(w, "metric", o->slos[i].metric);
        cm_jw_kv_str(w, "bound", o->slos[i].bound_text);
        cm_jw_kv_bool(w, "default", o->slos[i].is_default);
        cm_jw_obj_end(w);
    }
    cm_jw_arr_end(w);
}

int hx_cap_json_close(FILE *out, cm_jw_t *w, cm_buf_t *b)
{
    cm_jw_obj_end(w);
    cm_buf_putc(b, '\n');
    errno = 0;
    int rc = fwrite(b->data, 1, b->len, out) == b->len && fflush(out) == 0 ? 0 : -1;
    if (rc != 0 && errno == 0)
        errno = EIO;
    cm_buf_free(b);
    return rc;
}

static void json_search(cm_jw_t *w, const hx_find_opts_t *o)
{
    cm_jw_key(w, "search");
    cm_jw_obj(w);
    const hx_search_opts_t *s = &o->search;
    bool users = o->over_users;
    cm_jw_kv_str(w, "arrival", users ? "closed" : o->poisson ? "poisson" : "constant");
    /* One axis or the other: the keys of the other are null. */
    cm_jw_kv_double(w, "start_rate", users ? NAN : s->start_rate);
    cm_jw_kv_double(w, "min_rate", users ? NAN : s->min_rate);
    cm_jw_kv_double(w, "max_rate", users ? NAN : s->max_rate);
    cm_jw_kv_double(w, "start_users", users ? s->start_rate : NAN);
    cm_jw_kv_double(w, "min_users", users ? s->min_rate : NAN);
    cm_jw_kv_double(w, "max_users", users ? s->max_rate : NAN);
    cm_jw_kv_uint(w, "repeats", o->search.repeats);
    cm_jw_kv_double(w, "precision", o->search.precision);
    cm_jw_kv_uint(w, "max_probes", o->search.max_probes);
    cm_jw_kv_double(w, "probe_duration_s", (double)o->duration_ns / 1e9);
    cm_jw_kv_double(w, "probe_warmup_s", (double)o->warmup_ns / 1e9);
    cm_jw_obj_end(w);
}

static void json_knee(cm_jw_t *w, const hx_find_outcome_t *f)
{
    const hx_search_result_t *s = f->search;
    bool users = f->opts->over_users;
    cm_jw_key(w, "knee");
    cm_jw_obj(w);
    /* knee.ci is on the search's axis: rates, or user counts over users. */
    cm_jw_kv_double(w, "rate", s->lo > 0 && !users ? s->lo : NAN);
    cm_jw_key(w, "ci");
    cm_jw_arr(w);
    cm_jw_double(w, s->lo > 0 ? s->lo : (s->hi > 0 ? 0 : NAN));
    cm_jw_double(w, s->hi > 0 ? s->hi : NAN);
    cm_jw_arr_end(w);
    cm_jw_kv_str(w, "end", hx_search_end_name(s->end));
    cm_jw_kv_bool(w, "complete", f->complete);
    cm_jw_kv_uint(w, "probes", s->nsteps);
    cm_jw_kv_double(w, "users", s->lo > 0 && users ? s->lo : NAN);
    cm_jw_kv_double(w, "ok_rate", hx_find_knee_ok_rate(f));
    cm_jw_obj_end(w);
    cm_jw_key(w, "require");
    if (!f->opts->require_set) {
        cm_jw_null(w);
        return;
    }
    cm_jw_obj(w);
    cm_jw_kv_double(w, "rate", users ? NAN : f->opts->require);
    cm_jw_kv_bool(w, "pass", hx_find_gate(f));
    if (users)
        cm_jw_kv_double(w, "users", f->opts->require);
    cm_jw_obj_end(w);
}

void hx_cap_json_run(cm_jw_t *w, const char *kind, const hx_expect_t *slos, size_t nslos, const hx_probe_record_t *r)
{
    cm_jw_obj(w);
    if (kind != NULL)
        cm_jw_kv_str(w, "kind", kind);
    cm_jw_kv_uint(w, "probe", r->probe + 1);
    cm_jw_kv_uint(w, "repeat", r->repeat + 1);
    cm_jw_kv_double(w, "rate", r->users > 0 ? NAN : r->rate);
    cm_jw_kv_uint(w, "users", r->users);
    cm_jw_kv_uint(w, "seed", r->seed);
    cm_jw_kv_double(w, "duration_s", r->duration_s);
    cm_jw_kv_double(w, "offered", r->offered);
    cm_jw_kv_double(w, "achieved", r->achieved);
    cm_jw_kv_double(w, "ok_rate", r->ok_rate);
    cm_jw_kv_double(w, "latency_p50_ms", r->p50_ms);
    cm_jw_kv_double(w, "latency_p99_ms", r->p99_ms);
    cm_jw_kv_double(w, "failure_rate", r->failure_rate);
    cm_jw_kv_uint(w, "requests", r->requests);
    cm_jw_kv_uint(w, "ok", r->ok);
    cm_jw_kv_uint(w, "dropped", r->dropped);
    cm_jw_kv_uint(w, "late", r->late);
    cm_jw_kv_bool(w, "saturated", r->saturated);
    cm_jw_kv_bool(w, "pass", r->pass);
    cm_jw_kv_str(w, "why", r->why[0] ? r->why : NULL);
    cm_jw_key(w, "slos");
    cm_jw_arr(w);
    for (size_t i = 0; i < nslos; i++) {
        cm_jw_obj(w);
        cm_jw_kv_str(w, "metric", slos[i].metric);
        cm_jw_kv_double(w, "measured", r->verdicts[i].available ? r->verdicts[i].measured : NAN);
        cm_jw_kv_bool(w, "pass", r->verdicts[i].pass);
        cm_jw_obj_end(w);
    }
    cm_jw_arr_end(w);
    cm_jw_obj_end(w);
}

int hx_find_json(FILE *out, const hx_find_outcome_t *f)
{
    cm_buf_t b = CM_BUF_INIT;
    cm_jw_t w;
    cm_jw_init(&w, &b);
    hx_cap_json_open(&w, f->opts);
    json_search(&w, f->opts);
    json_knee(&w, f);
    cm_jw_key(&w, "probes");
    cm_jw_arr(&w);
    for (size_t i = 0; i < f->nruns; i++)
        hx_cap_json_run(&w, NULL, f->opts->slos, f->opts->nslos, &f->runs[i]);
    cm_jw_arr_end(&w);
    cm_jw_kv_str(&w, "verdict", f->complete && hx_find_gate(f) ? "pass" : "fail");
    return hx_cap_json_close(out, &w, &b);
}

/* ---- soak sweep --------------------------------------------------------------------------------------- */

/* "sync", "max", then the rates numbered from 1. */
const char *hx_sweep_label(size_t i, char *buf, size_t n)
{
    if (i < 2)
        return i == 0 ? "sync" : "max";
    snprintf(buf, n, "%zu", i - 1);
    return buf;
}

void hx_sweep_table(FILE *out, const hx_sweep_outcome_t *s)
{
    char label[32];
    fprintf(out, "\nSweep: %zu run%s%s\n", s->nruns, s->nruns == 1 ? "" : "s", s->complete ? "" : " (stopped early)");
    hx_cap_header(out, "run");
    for (size_t i = 0; i < s->nruns; i++)
        hx_cap_row(out, hx_sweep_label(i, label, sizeof(label)), &s->runs[i]);
    if (s->sync_rate > 0 && s->max_rate > 0)
        fprintf(out, "Range: synchronous %.1f/s (1 user), throughput %.1f/s (%u users)\n", s->sync_rate, s->max_rate,
                s->opts->sat_users);
}

static void json_sweep(cm_jw_t *w, const hx_sweep_outcome_t *s)
{
    const hx_find_opts_t *o = s->opts;
    cm_jw_key(w, "sweep");
    cm_jw_obj(w);
    cm_jw_kv_str(w, "arrival", o->poisson ? "poisson" : "constant");
    cm_jw_kv_uint(w, "saturation_users", o->sat_users);
    cm_jw_kv_uint(w, "nrates", o->nrates);
    cm_jw_kv_double(w, "probe_duration_s", (double)o->duration_ns / 1e9);
    cm_jw_kv_double(w, "probe_warmup_s", (double)o->warmup_ns / 1e9);
    cm_jw_kv_double(w, "synchronous_rate", s->sync_rate > 0 ? s->sync_rate : NAN);
    cm_jw_kv_double(w, "max_rate", s->max_rate > 0 ? s->max_rate : NAN);
    cm_jw_kv_bool(w, "complete", s->complete);
    cm_jw_obj_end(w);
}

int hx_sweep_json(FILE *out, const hx_sweep_outcome_t *s)
{
    static const char *const kinds[] = {"synchronous", "throughput"};
    cm_buf_t b = CM_BUF_INIT;
    cm_jw_t w;
    cm_jw_init(&w, &b);
    hx_cap_json_open(&w, s->opts);
    json_sweep(&w, s);
    cm_jw_key(&w, "runs");
    cm_jw_arr(&w);
    for (size_t i = 0; i < s->nruns; i++)
        hx_cap_json_run(&w, i < 2 ? kinds[i] : "rate", s->opts->slos, s->opts->nslos, &s->runs[i]);
    cm_jw_arr_end(&w);
    return hx_cap_json_close(out, &w, &b);
}
