/* `soak sweep` from parsed flags to exit status: two closed loops measure the range, then the constant rates
 * across it, each a probe; the table and the JSON. */
#include "harness/capacity/sweep.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "common/alloc.h"
#include "harness/run/run.h"

typedef struct sweep {
    const hx_find_opts_t *o;
    FILE *err_out;
    hx_probe_record_t *runs;   /* 2 + nrates */
    hx_probe_series_t *series; /* as many, for the sweep page; NULL without one */
    size_t nruns;
    char err[2048];
} sweep_t;

void hx_sweep_rates(double sync_rate, double max_rate, unsigned n, double *rates)
{
    for (unsigned i = 1; i <= n; i++)
        rates[i - 1] = sync_rate + (max_rate - sync_rate) * i / n;
}

/* One run: users > 0 for a closed loop. Returns 0, or -1 (s->err) when it could not run or was interrupted. */
static int run_one(sweep_t *s, double rate, uint32_t users)
{
    hx_probe_plan_t plan = hx_find_plan(s->o);
    hx_probe_record_t *rec = &s->runs[s->nruns];
    char label[32];
    plan.users = users;
    plan.series = s->series != NULL ? &s->series[s->nruns] : NULL;
    if (hx_probe_run(&plan, rate, (unsigned)s->nruns, 0, rec, s->err, sizeof(s->err)) != 0)
        return -1;
    s->nruns++;
    fprintf(s->err_out, "soak sweep: ");
    hx_cap_row(s->err_out, hx_sweep_label(s->nruns - 1, label, sizeof(label)), rec);
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

static int write_page(FILE *out, const void *so)
{
    return hx_sweep_page(out, so);
}

int hx_sweep_run(const hx_find_opts_t *o, FILE *out, FILE *err_out)
{
    sweep_t s = {.o = o, .err_out = err_out};
    if (hx_find_reports_dir(o, err_out) != 0)
        return HX_EXIT_ERROR;
    s.runs = cm_xcalloc(2 + o->nrates, sizeof(*s.runs));
    if (o->reports_dir != NULL)
        s.series = cm_xcalloc(2 + o->nrates, sizeof(*s.series));
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
    so.series = s.series;
    hx_sweep_table(out, &so);
    int exit_rc = rc < 0 ? HX_EXIT_ERROR : rc > 0 ? HX_EXIT_FAIL : HX_EXIT_PASS;
    if (o->json_path != NULL && hx_find_write_file(o->json_path, write_json, &so, err_out) != 0)
        exit_rc = HX_EXIT_ERROR;
    if (s.series != NULL && hx_cap_write_page(o->reports_dir, HX_SWEEP_PAGE, write_page, &so, out, err_out) != 0)
        exit_rc = HX_EXIT_ERROR;
    fflush(out);
    free(s.runs);
    free(s.series);
    return exit_rc;
}
