#include "harness/capacity/probe.h"

#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "harness/capacity/saturation.h"
#include "harness/run/cli.h"
#include "harness/run/run.h"

typedef struct judge_ctx {
    const hx_probe_plan_t *plan;
    hx_probe_record_t *rec;
    bool judged, interrupted;
    char stopped[512]; /* why the hooks' check stopped the run, "" when it did not */
} judge_ctx_t;

int hx_probe_argv(const hx_probe_plan_t *plan, double rate, const uint64_t *seed, const char *json, const char **argv,
                  char bufs[6][4096])
{
    int n = 0;
    argv[n++] = "load";
    for (size_t i = 0; i < plan->nload_args && i < HX_FIND_MAX_LOAD_ARGS; i++)
        if (plan->users == 0 || strcmp(plan->load_args[i], "--poisson") != 0)
            argv[n++] = plan->load_args[i];
    /* Given last, so they win over the same flags of a scenario file; the user's own are refused earlier. */
    if (plan->users > 0) {
        snprintf(bufs[0], 64, "%u", plan->users);
        argv[n++] = "--users";
    } else {
        snprintf(bufs[0], 64, "%.9g/s", rate);
        argv[n++] = "--rate";
    }
    argv[n++] = bufs[0];
    snprintf(bufs[1], 64, "%lluus", (unsigned long long)(plan->duration_ns / 1000));
    argv[n++] = "--duration";
    argv[n++] = bufs[1];
    argv[n++] = "--quiet";
    if (seed != NULL) {
        snprintf(bufs[2], 64, "%llu", (unsigned long long)*seed);
        argv[n++] = "--seed";
        argv[n++] = bufs[2];
    }
    if (plan->warmup_ns > 0) {
        snprintf(bufs[3], 64, "%lluus", (unsigned long long)(plan->warmup_ns / 1000));
        argv[n++] = "--warmup";
        argv[n++] = bufs[3];
    }
    if (json != NULL) {
        argv[n++] = "--json";
        argv[n++] = json;
    }
    size_t len = json != NULL ? strlen(json) : 0;
    if (plan->reports_html && len > 5 && len < 4096 && strcmp(json + len - 5, ".json") == 0) {
        snprintf(bufs[4], 4096, "%.*s.html", (int)(len - 5), json);
        argv[n++] = "--html";
        argv[n++] = bufs[4];
    }
    argv[n] = NULL;
    return n;
}

/* Adds one reason to rec->why ("; " between two), truncated to its size: the SLO that failed comes first, then
 * the saturation. */
static void say(hx_probe_record_t *rec, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void say(hx_probe_record_t *rec, const char *fmt, ...)
{
    size_t len = strlen(rec->why);
    if (len > 0 && len + 2 < sizeof(rec->why)) {
        memcpy(rec->why + len, "; ", 3);
        len += 2;
    }
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(rec->why + len, sizeof(rec->why) - len, fmt, ap);
    va_end(ap);
}

static void check_saturation(const judge_ctx_t *j, const hx_report_t *rep, const hx_timeline_t *tl)
{
    hx_probe_record_t *rec = j->rec;
    char why[160];
    if (!hx_saturated(tl, (double)j->plan->warmup_ns / 1e9, rep->info->duration_s, rec->rate, rec->achieved,
                      rec->dropped, rep->info->failure != NULL, why, sizeof(why)))
        return;
    say(rec, "%s", why);
    rec->saturated = true;
    rec->pass = false;
}

/* A closed loop cannot fall behind a rate or drop arrivals; its queue shows only as latency rising. */
static void check_rising(const judge_ctx_t *j, const hx_report_t *rep, const hx_timeline_t *tl)
{
    double from = (double)j->plan->warmup_ns / 1e9, to = rep->info->duration_s, a, b;
    bool ttft = false;
    if (!hx_rising(tl, from, to, false, &a, &b) && !(ttft = hx_rising(tl, from, to, true, &a, &b)))
        return;
    say(j->rec, "saturated: %s p50 rising, %.1fms to %.1fms", ttft ? "TTFT" : "latency", a, b);
    j->rec->saturated = true;
    j->rec->pass = false;
}

static void keep_series(hx_probe_series_t *s, const hx_timeline_t *tl, double end_s)
{
    s->n = 0;
    s->end_s = end_s;
    for (size_t i = 0; tl != NULL && i < tl->n && i < HX_PROBE_SERIES_MAX; i++) {
        s->t_s[s->n] = tl->points[i].t1_s;
        s->p50_ms[s->n] = tl->points[i].latency_ms[0];
        s->p99_ms[s->n] = tl->points[i].latency_ms[2];
        s->n++;
    }
}

/* ---- judging ------------------------------------------------------------------------------------------ */

static double pct_ms(const cm_hist_t *h, double q)
{
    return h->count > 0 ? (double)cm_hist_percentile(h, q) / 1000.0 : NAN;
}

static void on_judged(void *ctx, const hx_report_t *rep, const hx_timeline_t *tl)
{
    judge_ctx_t *j = ctx;
    hx_probe_record_t *rec = j->rec;
    const hx_stats_t *t = rep->total;
    double secs = rep->info->judged_s;
    hx_eval_input_t in = {t, rep->first_window, rep->last_window, secs};
    j->judged = true;
    if (j->plan->series != NULL)
        keep_series(j->plan->series, tl, rep->info->duration_s);
    /* A stop with a failure is this probe's own early stop (on_interval); without one it was a signal. */
    j->interrupted = rep->info->interrupted && rep->info->failure == NULL;
    hx_window_rates_t wr;
    if (hx_window_rates(tl, (double)j->plan->warmup_ns / 1e9, rep->info->duration_s, &wr)) {
        rec->offered = wr.offered;
        rec->achieved = wr.achieved;
        rec->ok_rate = wr.ok;
    } else { /* no whole interval after the warm-up: the totals, drain included */
        rec->offered = secs > 0 ? (double)(t->sent + t->dropped) / secs : 0;
        rec->achieved = secs > 0 ? (double)t->all.total / secs : 0;
        rec->ok_rate = secs > 0 ? (double)t->all.ok / secs : 0;
    }
    rec->p50_ms = pct_ms(&t->latency, 50);
    rec->p99_ms = pct_ms(&t->latency, 99);
    rec->duration_s = rep->info->duration_s;
    rec->requests = hx_stats_offered(t);
    rec->ok = t->all.ok;
    rec->dropped = t->dropped;
    rec->late = t->late;
    rec->aborted = t->aborted;
    hx_expect_t fr;
    hx_verdict_t v;
    hx_expect_default(&fr);
    hx_expect_eval(&fr, &in, &v);
    rec->failure_rate = v.available ? v.measured : NAN;
    rec->pass = t->all.ok > 0;
    if (!rec->pass)
        say(rec, "no request succeeded");
    for (size_t i = 0; i < j->plan->nslos; i++) {
        const hx_expect_t *e = &j->plan->slos[i];
        hx_expect_eval(e, &in, &rec->verdicts[i]);
        if (!rec->verdicts[i].pass && rec->pass) {
            char val[48];
            rec->pass = false;
            say(rec, "%s %s (%s)", e->metric, hx_expect_format_value(e, &rec->verdicts[i], val, sizeof(val)),
                e->bound_text);
        }
    }
    /* Saturation is checked on a passing probe too: a queue that grows without bound fails the rate even when
     * the SLOs still held over this probe's few seconds. A closed loop cannot outrun its target. */
    if (j->plan->users == 0)
        check_saturation(j, rep, tl);
    else if (j->plan->closed_rising)
        check_rising(j, rep, tl);
}

/* A probe that drops arrivals at the in-flight cap after its warm-up is over-saturated whatever follows: it stops
 * at once instead of running its whole length (--max-inflight bounds how far a probe may fall behind). A deficit
 * of answers alone is no reason to stop early: until a target's latency has passed once, a healthy probe answers
 * fewer requests than it sends too. */
static int on_interval(void *ctx, const hx_stats_t *last, uint64_t t0_ns, char *why, size_t whylen)
{
    const judge_ctx_t *j = ctx;
    if (j->plan->users > 0 || t0_ns < j->plan->warmup_ns || last->dropped == 0)
        return 0;
    snprintf(why, whylen, "arrivals dropped at the in-flight cap after the warm-up");
    return -1;
}

static int on_check(void *ctx, uint64_t elapsed_ns, char *why, size_t whylen)
{
    judge_ctx_t *j = ctx;
    const hx_probe_hooks_t *h = j->plan->hooks;
    if (h == NULL || h->check == NULL || h->check(h->ctx, elapsed_ns, why, whylen) == 0)
        return 0;
    snprintf(j->stopped, sizeof(j->stopped), "%s", why);
    return -1;
}

/* ---- a run -------------------------------------------------------------------------------------------- */

static int run_load(hx_cli_t *cli, judge_ctx_t *j, char *err, size_t errlen)
{
    char *diag = NULL;
    size_t ndiag = 0;
    FILE *null_out = fopen("/dev/null", "w");
    FILE *diag_out = open_memstream(&diag, &ndiag);
    if (null_out == NULL || diag_out == NULL) {
        snprintf(err, errlen, "cannot open /dev/null or a memory stream");
        if (null_out != NULL)
            fclose(null_out);
        if (diag_out != NULL)
            fclose(diag_out);
        free(diag);
        return -1;
    }
    hx_run_watch_t w = {.judged = on_judged, .interval = on_interval, .check = on_check, .ctx = j};
    int rc = hx_run_watched(&cli->cfg, null_out, diag_out, &w);
    fclose(null_out);
    fclose(diag_out);
    if (j->stopped[0] != '\0') {
        snprintf(err, errlen, "%s", j->stopped);
        rc = -1;
    } else if (rc == HX_EXIT_ERROR || !j->judged) {
        /* the run's own lines, the last first-error line included, trimmed of the final newline */
        while (ndiag > 0 && diag[ndiag - 1] == '\n')
            diag[--ndiag] = '\0';
        snprintf(err, errlen, "the probe's load failed: %s", ndiag > 0 ? diag : "no diagnostics");
        rc = -1;
    } else if (j->interrupted) {
        snprintf(err, errlen, "interrupted");
        rc = -1;
    } else {
        rc = 0;
    }
    free(diag);
    return rc;
}

int hx_probe_run(const hx_probe_plan_t *plan, double rate, unsigned probe, unsigned repeat, hx_probe_record_t *rec,
                 char *err, size_t errlen)
{
    const char *argv[HX_FIND_MAX_LOAD_ARGS + 16];
    char bufs[6][4096], json[4096], why[1200];
    memset(rec, 0, sizeof(*rec));
    rec->rate = plan->users > 0 ? 0 : rate;
    rec->users = plan->users;
    rec->probe = probe;
    rec->repeat = repeat;
    rec->seed = plan->seed + 1000ull * probe + repeat;
    rec->p50_ms = rec->p99_ms = rec->failure_rate = NAN;
    if (plan->reports_dir != NULL)
        snprintf(json, sizeof(json), "%s/probe-%03u-%u.json", plan->reports_dir, probe + 1, repeat + 1);
    int argc = hx_probe_argv(plan, rate, &rec->seed, plan->reports_dir ? json : NULL, argv, bufs);
    hx_cli_t cli;
    const hx_probe_hooks_t *h = plan->hooks;
    int prc = h != NULL && h->load != NULL
                  ? hx_cli_parse_load_from(argc, (char **)argv, h->load, h->ctx, &cli, why, sizeof(why))
                  : hx_cli_parse_load(argc, (char **)argv, &cli, why, sizeof(why));
    if (prc != 0) {
        if (plan->users > 0)
            snprintf(err, errlen, "probe of %u users: %s", plan->users, why);
        else
            snprintf(err, errlen, "probe at %.6g/s: %s", rate, why);
        hx_cli_free(&cli);
        return -1;
    }
    /* A probe writes only what was asked of soak find: not the file's report directory, nor its webhook. */
    cli.cfg.report_dir = NULL;
    cli.cfg.webhook_url = NULL;
    judge_ctx_t j = {.plan = plan, .rec = rec};
    int rc = run_load(&cli, &j, err, errlen);
    hx_cli_free(&cli);
    return rc;
}
