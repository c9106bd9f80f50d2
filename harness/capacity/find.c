/* `soak find` from parsed flags to exit status: the search over real probes, their lines as they end, and the
 * reports. */
#include "harness/capacity/find.h"

#include <stdlib.h>
#include <string.h>

#include "common/alloc.h"
#include "harness/run/run.h"

typedef struct find_ctx {
    const hx_find_opts_t *o;
    hx_probe_plan_t plan;
    hx_probe_record_t *runs;
    hx_probe_series_t *series; /* as many as runs, for the page; NULL without --probe-reports */
    size_t nruns, cap;
    FILE *err_out;
    char err[2048];
} find_ctx_t;

static int probe_cb(void *ctx, double rate, unsigned probe, unsigned repeat, hx_probe_verdict_t *v)
{
    find_ctx_t *f = ctx;
    if (f->nruns == f->cap) {
        f->cap = f->cap ? f->cap * 2 : 16;
        f->runs = cm_xrealloc(f->runs, f->cap * sizeof(*f->runs));
        if (f->o->reports_dir != NULL)
            f->series = cm_xrealloc(f->series, f->cap * sizeof(*f->series));
    }
    hx_probe_record_t *rec = &f->runs[f->nruns];
    f->plan.series = f->series != NULL ? &f->series[f->nruns] : NULL;
    /* Over users the search's value is the probe's user count (a whole number, search.integer). */
    if (f->o->over_users)
        f->plan.users = (uint32_t)rate;
    if (hx_probe_run(&f->plan, rate, probe, repeat, rec, f->err, sizeof(f->err)) != 0)
        return -1;
    f->nruns++;
    hx_find_print_probe(f->err_out, f->o, rec);
    if (hx_find_settle(f->o, rec, f->err_out) != 0) {
        snprintf(f->err, sizeof(f->err), "interrupted");
        return -1;
    }
    v->pass = rec->pass;
    v->saturated = rec->saturated;
    return 0;
}

static void announce(const hx_find_opts_t *o, FILE *err_out)
{
    if (o->over_users)
        fprintf(err_out, "soak find: %s: the most closed-loop users meeting", o->target);
    else
        fprintf(err_out, "soak find: %s: the highest %s rate meeting", o->target, o->poisson ? "Poisson" : "constant");
    for (size_t i = 0; i < o->nslos; i++)
        fprintf(err_out, "%s %s %s", i ? "," : "", o->slos[i].metric, o->slos[i].bound_text);
    fprintf(err_out, "; probes of %.3gs (warm-up %.3gs) from %.6g%s, seed %llu\n", (double)o->duration_ns / 1e9,
            (double)o->warmup_ns / 1e9, o->search.start_rate, o->over_users ? " users" : "/s",
            (unsigned long long)o->seed);
}

static int write_json(FILE *out, const void *fo)
{
    return hx_find_json(out, fo);
}

static int write_page(FILE *out, const void *fo)
{
    return hx_find_page(out, fo);
}

int hx_find_run(const hx_find_opts_t *o, FILE *out, FILE *err_out)
{
    find_ctx_t f = {.o = o, .err_out = err_out};
    f.plan = hx_find_plan(o);
    if (hx_find_reports_dir(o, err_out) != 0)
        return HX_EXIT_ERROR;
    hx_search_result_t *res = cm_xcalloc(1, sizeof(*res));
    sigset_t sigs, old;
    hx_find_block_signals(&sigs, &old);
    announce(o, err_out);
    char serr[256];
    int rc = hx_search_run(&o->search, probe_cb, &f, res, serr, sizeof(serr));
    hx_find_restore_signals(&sigs, &old);
    if (rc != 0) /* the probe's own reason when it gave one */
        fprintf(err_out, "soak find: %s%s%s\n", serr, f.err[0] ? ": " : "", f.err);
    hx_find_outcome_t fo = {o, res, f.runs, f.nruns, rc == 0, f.series};
    hx_find_table(out, &fo);
    int exit_rc = rc != 0 ? HX_EXIT_ERROR : hx_find_gate(&fo) ? HX_EXIT_PASS : HX_EXIT_FAIL;
    if (o->json_path != NULL && hx_find_write_file(o->json_path, write_json, &fo, err_out) != 0)
        exit_rc = HX_EXIT_ERROR;
    if (o->reports_dir != NULL && hx_cap_write_page(o->reports_dir, HX_FIND_PAGE, write_page, &fo, out, err_out) != 0)
        exit_rc = HX_EXIT_ERROR;
    fflush(out);
    free(res);
    free(f.runs);
    free(f.series);
    return exit_rc;
}
