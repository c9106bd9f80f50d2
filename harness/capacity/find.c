/* `soak find` from parsed flags to exit status: the search over real probes, their lines as they end, and the
 * reports. */
#include "harness/capacity/find.h"

#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "common/alloc.h"
#include "harness/run/run.h"

typedef struct find_ctx {
    const hx_find_opts_t *o;
    hx_probe_plan_t plan;
    hx_probe_record_t *runs;
    size_t nruns, cap;
    FILE *err_out;
    char err[2048];
} find_ctx_t;

/* Waits for the target to serve what the last probe left it (find.h, settle_ns). SIGINT and SIGTERM are blocked
 * during the search, so the wait is on them: one ends it, and the search. Returns 0, or -1 when interrupted. */
static int settle(find_ctx_t *f, const hx_probe_record_t *rec)
{
    if (rec->aborted == 0 || f->o->settle_ns == 0)
        return 0;
    double secs = (double)rec->aborted / (rec->achieved > 1 ? rec->achieved : 1);
    if (secs > (double)f->o->settle_ns / 1e9)
        secs = (double)f->o->settle_ns / 1e9;
    fprintf(f->err_out, "soak find: settling %.1fs: %llu requests were unanswered at the end of the probe\n", secs,
            (unsigned long long)rec->aborted);
    sigset_t sigs;
    sigemptyset(&sigs);
    sigaddset(&sigs, SIGINT);
    sigaddset(&sigs, SIGTERM);
    struct timespec ts = {(time_t)secs, (long)((secs - (double)(time_t)secs) * 1e9)};
    if (sigtimedwait(&sigs, NULL, &ts) > 0) {
        snprintf(f->err, sizeof(f->err), "interrupted");
        return -1;
    }
    return 0;
}

static int probe_cb(void *ctx, double rate, unsigned probe, unsigned repeat, hx_probe_verdict_t *v)
{
    find_ctx_t *f = ctx;
    if (f->nruns == f->cap) {
        f->cap = f->cap ? f->cap * 2 : 16;
        f->runs = cm_xrealloc(f->runs, f->cap * sizeof(*f->runs));
    }
    hx_probe_record_t *rec = &f->runs[f->nruns];
    if (hx_probe_run(&f->plan, rate, probe, repeat, rec, f->err, sizeof(f->err)) != 0)
        return -1;
    f->nruns++;
    hx_find_print_probe(f->err_out, f->o, rec);
    if (settle(f, rec) != 0)
        return -1;
    v->pass = rec->pass;
    v->saturated = rec->saturated;
    return 0;
}

static void announce(const hx_find_opts_t *o, FILE *err_out)
{
    fprintf(err_out, "soak find: %s: the highest %s rate meeting", o->target, o->poisson ? "Poisson" : "constant");
    for (size_t i = 0; i < o->nslos; i++)
        fprintf(err_out, "%s %s %s", i ? "," : "", o->slos[i].metric, o->slos[i].bound_text);
    fprintf(err_out, "; probes of %.3gs (warm-up %.3gs) from %.6g/s, seed %llu\n", (double)o->duration_ns / 1e9,
            (double)o->warmup_ns / 1e9, o->search.start_rate, (unsigned long long)o->seed);
}

static int write_json(const hx_find_outcome_t *out, const char *path, FILE *err_out)
{
    FILE *f = fopen(path, "w");
    if (f == NULL || hx_find_json(f, out) != 0) {
        fprintf(err_out, "soak find: %s: %s\n", path, strerror(errno));
        if (f != NULL)
            fclose(f);
        return -1;
    }
    if (fclose(f) != 0) {
        fprintf(err_out, "soak find: %s: %s\n", path, strerror(errno));
        return -1;
    }
    fprintf(err_out, "soak find: wrote %s\n", path);
    return 0;
}

static int make_reports_dir(const char *dir, FILE *err_out)
{
    if (mkdir(dir, 0777) == 0 || errno == EEXIST)
        return 0;
    fprintf(err_out, "soak find: --probe-reports %s: %s\n", dir, strerror(errno));
    return -1;
}

/* SIGINT and SIGTERM stay blocked for the whole search: one that arrives between two probes then stops the next
 * probe at once (its run reads the pending signal) instead of killing the process before the reports. */
static void block_signals(sigset_t *sigs, sigset_t *old)
{
    sigemptyset(sigs);
    sigaddset(sigs, SIGINT);
    sigaddset(sigs, SIGTERM);
    pthread_sigmask(SIG_BLOCK, sigs, old);
}

static void restore_signals(const sigset_t *sigs, const sigset_t *old)
{
    struct timespec zero = {0, 0};
    while (sigtimedwait(sigs, NULL, &zero) > 0) {
    }
    pthread_sigmask(SIG_SETMASK, old, NULL);
}

int hx_find_run(const hx_find_opts_t *o, FILE *out, FILE *err_out)
{
    find_ctx_t f = {.o = o, .err_out = err_out};
    f.plan = (hx_probe_plan_t){o->load_args, o->nload_args, o->duration_ns, o->warmup_ns,
                               o->seed,      o->slos,       o->nslos,       o->reports_dir};
    if (o->reports_dir != NULL && make_reports_dir(o->reports_dir, err_out) != 0)
        return HX_EXIT_ERROR;
    hx_search_result_t *res = cm_xcalloc(1, sizeof(*res));
    sigset_t sigs, old;
    block_signals(&sigs, &old);
    announce(o, err_out);
    int rc = hx_search_run(&o->search, probe_cb, &f, res, f.err, sizeof(f.err));
    restore_signals(&sigs, &old);
    if (rc != 0)
        fprintf(err_out, "soak find: %s\n", f.err);
    hx_find_outcome_t fo = {o, res, f.runs, f.nruns, rc == 0};
    hx_find_table(out, &fo);
    fflush(out);
    int exit_rc = rc != 0 ? HX_EXIT_ERROR : hx_find_gate(&fo) ? HX_EXIT_PASS : HX_EXIT_FAIL;
    if (o->json_path != NULL && write_json(&fo, o->json_path, err_out) != 0)
        exit_rc = HX_EXIT_ERROR;
    free(res);
    free(f.runs);
    return exit_rc;
}
