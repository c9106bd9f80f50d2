/* `soak sweep` from parsed flags to exit status: two closed loops measure the range, then the constant rates
 * across it, each a probe; the table and the JSON. */
#include "harness/capacity/sweep.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "common/alloc.h"
#include "harness/run/run.h"

#define HX_SWEEP_SCHEMA_VERSION 1

typedef struct sweep {
    const hx_find_opts_t *o;
    FILE *err_out;
    hx_probe_record_t *runs; /* 2 + nrates */
    size_t nruns;
    char err[2048];
} sweep_t;

void hx_sweep_rates(double sync_rate, double max_rate, unsigned n, double *rates)
{
    for (unsigned i = 1; i <= n; i++)
        rates[i - 1] = sync_rate + (max_rate - sync_rate) * i / n;
}

/* "sync", "max", then the rates numbered from 1. */
static const char *run_label(size_t i, char *buf, size_t n)
{
    if (i < 2)
        return i == 0 ? "sync" : "max";
    snprintf(buf, n, "%zu", i - 1);
    return buf;
}

/* One run: users > 0 for a closed loop. Returns 0, or -1 (s->err) when it could not run or was interrupted. */
static int run_one(sweep_t *s, double rate, uint32_t users)
{
    hx_probe_plan_t plan = hx_find_plan(s->o);
    hx_probe_record_t *rec = &s->runs[s->nruns];
    char label[32];
    plan.users = users;
    if (hx_probe_run(&plan, rate, (unsigned)s->nruns, 0, rec, s->err, sizeof(s->err)) != 0)
        return -1;
    s->nruns++;
    fprintf(s->err_out, "soak sweep: ");
    hx_cap_row(s->err_out, run_label(s->nruns - 1, label, sizeof(label)), rec);
    fflush(s->err_out);
    if (hx_find_settle(s->o, rec, s->err_out) != 0) {
        snprintf(s->err, sizeof(s->err), "interrupted");
        return -1;
    }
    return 0;
}

/* Returns 0 when every run ran, 1 when a closed loop had no success (nothing to sweep), -1 on error. */
static int sweep(sweep_t *s, double *sync_rate, double *max_rate)
{
    if (run_one(s, 0, 1) != 0)
        return -1;
    *sync_rate = s->runs[0].ok_rate;
    if (run_one(s, 0, s->o->sat_users) != 0)
        return -1;
    *max_rate = s->runs[1].ok_rate;
    if (s->runs[0].ok == 0 || s->runs[1].ok == 0 || !(*sync_rate > 0) || !(*max_rate > 0))
        return 1;
    double rates[HX_SWEEP_MAX_RATES];
    hx_sweep_rates(*sync_rate, *max_rate, s->o->nrates, rates);
    for (unsigned i = 0; i < s->o->nrates; i++)
        if (run_one(s, rates[i], 0) != 0)
            return -1;
    return 0;
}

static int write_json(FILE *out, const void *so)
{
    return hx_sweep_json(out, so);
}

int hx_sweep_run(const hx_find_opts_t *o, FILE *out, FILE *err_out)
{
    sweep_t s = {.o = o, .err_out = err_out};
    if (hx_find_reports_dir(o, err_out) != 0)
        return HX_EXIT_ERROR;
    s.runs = cm_xcalloc(2 + o->nrates, sizeof(*s.runs));
    fprintf(err_out,
            "soak sweep: %s: a synchronous run, a throughput run of %u users, then %u %s rates; runs of %.3gs "
            "(warm-up %.3gs), seed %llu\n",
            o->target, o->sat_users, o->nrates, o->poisson ? "Poisson" : "constant", (double)o->duration_ns / 1e9,
            (double)o->warmup_ns / 1e9, (unsigned long long)o->seed);
    sigset_t sigs, old;
    hx_find_block_signals(&sigs, &old);
    hx_sweep_outcome_t so = {.opts = o};
    int rc = sweep(&s, &so.sync_rate, &so.max_rate);
    hx_find_restore_signals(&sigs, &old);
    if (rc < 0)
        fprintf(err_out, "soak sweep: stopped: %s\n", s.err);
    else if (rc > 0)
        fprintf(err_out, "soak sweep: the %s run had no success: no range to sweep\n",
                s.runs[0].ok == 0 ? "synchronous" : "throughput");
    so.runs = s.runs;
    so.nruns = s.nruns;
    so.complete = rc == 0;
    hx_sweep_table(out, &so);
    fflush(out);
    int exit_rc = rc < 0 ? HX_EXIT_ERROR : rc > 0 ? HX_EXIT_FAIL : HX_EXIT_PASS;
    if (o->json_path != NULL && hx_find_write_file(o->json_path, write_json, &so, err_out) != 0)
        exit_rc = HX_EXIT_ERROR;
    free(s.runs);
    return exit_rc;
}

/* ---- reports ------------------------------------------------------------------------------------------ */

void hx_sweep_table(FILE *out, const hx_sweep_outcome_t *s)
{
    char label[32];
    fprintf(out, "\nSweep: %zu run%s%s\n", s->nruns, s->nruns == 1 ? "" : "s", s->complete ? "" : " (stopped early)");
    hx_cap_header(out, "run");
    for (size_t i = 0; i < s->nruns; i++)
        hx_cap_row(out, run_label(i, label, sizeof(label)), &s->runs[i]);
    if (s->sync_rate > 0 && s->max_rate > 0)
        fprintf(out, "Range: synchronous %.1f/s (1 user), throughput %.1f/s (%u users)\n", s->sync_rate, s->max_rate,
                s->opts->sat_users);
}

static void json_sweep(cm_jw_t *w, const hx_sweep_outcome_t *s)
{
    const hx_find_opts_t *o = s->opts;
    cm_jw_key(w, "sweep");
    cm_jw_obj(w);
    cm_jw_key(w, "arrival");
    cm_jw_str(w, o->poisson ? "poisson" : "constant");
    cm_jw_key(w, "saturation_users");
    cm_jw_uint(w, o->sat_users);
    cm_jw_key(w, "nrates");
    cm_jw_uint(w, o->nrates);
    cm_jw_key(w, "probe_duration_s");
    cm_jw_double(w, (double)o->duration_ns / 1e9);
    cm_jw_key(w, "probe_warmup_s");
    cm_jw_double(w, (double)o->warmup_ns / 1e9);
    cm_jw_key(w, "synchronous_rate");
    cm_jw_double(w, s->sync_rate > 0 ? s->sync_rate : NAN);
    cm_jw_key(w, "max_rate");
    cm_jw_double(w, s->max_rate > 0 ? s->max_rate : NAN);
    cm_jw_key(w, "complete");
    cm_jw_bool(w, s->complete);
    cm_jw_obj_end(w);
}

int hx_sweep_json(FILE *out, const hx_sweep_outcome_t *s)
{
    static const char *const kinds[] = {"synchronous", "throughput"};
    cm_buf_t b = CM_BUF_INIT;
    cm_jw_t w;
    cm_jw_init(&w, &b);
    cm_jw_obj(&w);
    cm_jw_key(&w, "schema_version");
    cm_jw_int(&w, HX_SWEEP_SCHEMA_VERSION);
    cm_jw_key(&w, "command");
    cm_jw_str(&w, "sweep");
    hx_cap_json_common(&w, s->opts);
    json_sweep(&w, s);
    cm_jw_key(&w, "runs");
    cm_jw_arr(&w);
    for (size_t i = 0; i < s->nruns; i++)
        hx_cap_json_run(&w, i < 2 ? kinds[i] : "rate", s->opts->slos, s->opts->nslos, &s->runs[i]);
    cm_jw_arr_end(&w);
    cm_jw_obj_end(&w);
    cm_buf_putc(&b, '\n');
    errno = 0;
    int rc = fwrite(b.data, 1, b.len, out) == b.len && fflush(out) == 0 ? 0 : -1;
    if (rc != 0 && errno == 0)
        errno = EIO;
    cm_buf_free(&b);
    return rc;
}
