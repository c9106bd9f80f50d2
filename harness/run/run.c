#include "harness/run/run.h"

#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <curl/curl.h>

#include "common/alloc.h"
#include "common/clock.h"
#include "common/units.h"
#include "harness/measure/collector.h"
#include "harness/measure/exitcode.h"
#include "harness/engine/engine.h"
#include "harness/report/html.h"
#include "harness/report/outputs.h"
#include "harness/report/report_client.h"
#include "harness/report/report.h"
#include "harness/report/webhook.h"

/* Threads get a short head start so that the first arrival is not late because a thread was still being
 * created. */
#define HX_START_DELAY_NS (20ull * CM_NS_PER_MS)
/* How often the main thread wakes to close intervals and watch for signals. */
#define HX_WATCH_NS (100ull * CM_NS_PER_MS)
/* Without a TTY the progress line is printed as a plain line this often. */
#define HX_PLAIN_PROGRESS_NS (5ull * CM_NS_PER_S)
/* A last guard beyond the planned end and the drain: if a thread has not stopped by then (a bug, or a
 * loop stuck in a callback), everything in flight is aborted. */
#define HX_HARD_STOP_NS (5ull * CM_NS_PER_S)

typedef struct run {
    const hx_cfg_t *cfg;
    FILE *out, *err_out;
    hx_outputs_t outs;
    hx_collector_t *col;
    hx_engine_t *eng;
    uint64_t start_ns, end_ns, wall_ms;
    uint64_t stop_ns; /* first stop signal, 0 if none */
    int signals;
    const hx_run_watch_t *watch;
    char failure[512]; /* set by the watch: why the run was stopped and failed */
    bool tty, hard_stopped;
    uint64_t last_plain_ns;
    const char *group_names[HX_MAX_GROUPS];
    int (*spans)[3]; /* per expectation: the collector's spans of its baseline and window (drift between spans),
                        and of its group in its phase */
    sigset_t sigs, old_mask;
} run_t;

/* ---- progress --------------------------------------------------------------------------------------- */

static void progress(run_t *r, uint64_t now)
{
    char line[256];
    if (r->cfg->quiet)
        return;
    if (!r->tty && now - r->last_plain_ns < HX_PLAIN_PROGRESS_NS)
        return;
    r->last_plain_ns = now;
    double elapsed = now > r->start_ns ? (double)(now - r->start_ns) / 1e9 : 0;
    hx_report_progress(line, sizeof(line), hx_collector_last(r->col), hx_collector_total(r->col), elapsed,
                       (double)r->cfg->duration_ns / 1e9, hx_engine_inflight(r->eng));
    if (r->tty)
        fprintf(r->err_out, "\r%s\x1b[K", line);
    else
        fprintf(r->err_out, "%s\n", line);
    fflush(r->err_out);
}

static void announce(run_t *r)
{
    char arr[256], dur[32];
    if (r->cfg->quiet)
        return;
    fprintf(r->err_out, "soak: %s -> %s: %s for %s, %u thread%s, seed %llu\n", r->cfg->name, r->cfg->target,
            hx_cfg_describe_arrival(r->cfg, arr, sizeof(arr)),
            cm_format_duration(dur, sizeof(dur), r->cfg->duration_ns), r->cfg->threads, r->cfg->threads == 1 ? "" : "s",
            (unsigned long long)r->cfg->seed);
    if (r->outs.dir != NULL)
        fprintf(r->err_out, "soak: reports in %s\n", r->outs.dir);
    if (r->cfg->skipped_expects > 0)
        fprintf(r->err_out, "soak: %zu expectation%s on groups not selected by --group %s not judged\n",
                r->cfg->skipped_expects, r->cfg->skipped_expects == 1 ? "" : "s",
                r->cfg->skipped_expects == 1 ? "is" : "are");
}

/* ---- the watch loop --------------------------------------------------------------------------------- */

static void on_signal(run_t *r, uint64_t now)
{
    r->signals++;
    if (r->signals == 1) {
        r->stop_ns = now;
        if (!r->cfg->quiet)
            fprintf(r->err_out, "%ssoak: stopping (in-flight requests get %.1fs; signal again to abort them)\n",
                    r->tty ? "\n" : "", (double)r->cfg->drain_ns / 1e9);
    }
    hx_engine_stop(r->eng, r->signals > 1);
}

/* Stops the load at once because the watch said so (why in r->failure): the run fails with that reason. */
static void stop_for_watch(run_t *r, uint64_t now)
{
    if (r->failure[0] == '\0')
        snprintf(r->failure, sizeof(r->failure), "stopped by the scenario runner");
    if (!r->cfg->quiet)
        fprintf(r->err_out, "%ssoak: stopping: %s\n", r->tty ? "\n" : "", r->failure);
    if (r->stop_ns == 0)
        r->stop_ns = now;
    hx_engine_stop(r->eng, false);
}

static void check_watch(run_t *r, uint64_t now)
{
    if (r->watch == NULL || r->watch->check == NULL || r->failure[0] != '\0' ||
        r->watch->check(r->watch->ctx, now > r->start_ns ? now - r->start_ns : 0, r->failure, sizeof(r->failure)) == 0)
        return;
    stop_for_watch(r, now);
}

/* After intervals closed: the watch's look at the newest one (soak find stops a probe that cannot keep up). */
static void check_interval(run_t *r, uint64_t now)
{
    const hx_stats_t *last = hx_collector_last(r->col);
    if (r->watch == NULL || r->watch->interval == NULL || r->failure[0] != '\0' || last == NULL ||
        r->stop_ns != 0 ||
        r->watch->interval(r->watch->ctx, last, last->start_ns > r->start_ns ? last->start_ns - r->start_ns : 0,
                           r->failure, sizeof(r->failure)) == 0)
        return;
    stop_for_watch(r, now);
}

static void watch(run_t *r)
{
    uint64_t grace = r->cfg->interval_ns / 2 < 250 * CM_NS_PER_MS ? r->cfg->interval_ns / 2 : 250 * CM_NS_PER_MS;
    uint64_t hard = hx_deadline_ns(hx_deadline_ns(r->end_ns, r->cfg->drain_ns), HX_HARD_STOP_NS);
    struct timespec ts = {0, (long)HX_WATCH_NS};
    while (hx_engine_running(r->eng) > 0) {
        int sig = sigtimedwait(&r->sigs, NULL, &ts);
        uint64_t now = cm_now_ns();
        if (sig == SIGINT || sig == SIGTERM)
            on_signal(r, now);
        check_watch(r, now);
        if (hx_collector_close_due(r->col, now, grace, hx_engine_inflight(r->eng)) > 0) {
            progress(r, now);
            check_interval(r, now);
        }
        if (now > hard && !r->hard_stopped) {
            r->hard_stopped = true;
            hx_engine_stop(r->eng, true);
        }
    }
    if (r->tty && !r->cfg->quiet)
        fputc('\n', r->err_out);
}

/* ---- reports ---------------------------------------------------------------------------------------- */

/* The part of [start_ns, end_ns) (from the run's start) during which arrivals were scheduled. */
static double span_seconds(const run_t *r, uint64_t start_ns, uint64_t end_ns)
{
    uint64_t stop = r->stop_ns != 0 && r->stop_ns < r->end_ns ? r->stop_ns : r->end_ns;
    uint64_t ran = stop > r->start_ns ? stop - r->start_ns : 0;
    uint64_t end = end_ns < ran ? end_ns : ran;
    return end > start_ns ? (double)(end - start_ns) / 1e9 : 0;
}

static void fill_info(const run_t *r, hx_run_info_t *in, char *arrival, size_t n)
{
    const hx_cfg_t *c = r->cfg;
    /* The measured duration is the time arrivals were scheduled: up to the planned end, or to the stop
     * signal. The drain is not in it, so achieved rate compares with the target. */
    uint64_t stop = r->stop_ns != 0 && r->stop_ns < r->end_ns ? r->stop_ns : r->end_ns;
    memset(in, 0, sizeof(*in));
    in->scenario = c->name;
    in->target = c->target;
    in->arrival = hx_cfg_describe_arrival(c, arrival, n);
    in->seed = c->seed;
    in->wall_start_ms = r->wall_ms;
    in->planned_s = (double)c->duration_ns / 1e9;
    in->duration_s = stop > r->start_ns ? (double)(stop - r->start_ns) / 1e9 : 0;
    in->judged_s = in->duration_s;
    for (size_t i = 0; i < c->phases.n; i++)
        if (c->phases.p[i].exclude)
            in->judged_s -= span_seconds(r, c->phases.p[i].start_ns, c->phases.p[i].end_ns);
    /* A warm-up by count took the run's first seconds up to its last request: rates are over the rest. */
    if (c->warmup_requests > 0) {
        uint64_t end = hx_engine_warmup_end(r->eng);
        in->warmup_requests = c->warmup_requests;
        in->warmup_s = end > 0 ? (double)end / 1e9 : -1;
        in->judged_s -= span_seconds(r, 0, end > 0 ? end : UINT64_MAX);
        if (in->judged_s < 0)
            in->judged_s = 0;
    }
    if (c->arrival.kind != HX_ARRIVAL_USERS)
        in->target_rate = hx_cfg_expected_arrivals(c, c->duration_ns) / in->planned_s;
    in->threads = (int)c->threads;
    in->interrupted = r->stop_ns != 0 && r->stop_ns < r->end_ns;
    in->failure = r->failure[0] != '\0' ? r->failure : NULL;
    in->nrequests = c->workload.nreqs;
    in->nmodels = c->workload.nmodels;
    in->model_names = (const char *const *)c->workload.models;
    in->slos = c->slos;
    in->nslos = c->nslos;
}

static void print_first_errors(run_t *r)
{
    char msg[256];
    double at;
    for (int e = 1; e < HX_ERR__COUNT; e++) {
        if (hx_engine_first_error(r->eng, (hx_err_t)e, msg, sizeof(msg), &at))
            fprintf(r->err_out, "soak: first %s at %.1fs: %s\n", hx_err_name((hx_err_t)e), at, msg);
    }
    if (!r->cfg->quiet)
        fprintf(r->err_out, "soak: %llu connection%s opened\n", (unsigned long long)hx_engine_connections(r->eng),
                hx_engine_connections(r->eng) == 1 ? "" : "s");
}

/* The report files in the order the run's last lines name them: the HTML first (the one a person opens). */
enum { OUT_HTML, OUT_JSON, OUT_JSONL, OUT_JUNIT, OUT__COUNT };

static void write_failed(run_t *r, const char *path, bool failed[OUT__COUNT], int which)
{
    if (errno == EAGAIN) /* hx_outputs_fopen's files: a FIFO or pipe whose reader stopped reading */
        fprintf(r->err_out, "soak: %s: its reader took nothing for %.1f s\n", path, HX_OUTPUT_STALL_MS / 1e3);
    else
        fprintf(r->err_out, "soak: %s: %s\n", path, strerror(errno != 0 ? errno : EIO));
    failed[which] = true;
}

/* Every file is written even when another could not be (a full disk, a closed pipe): one lost report must
 * not take the others' results with it. Returns -1 when any failed, each said on stderr and marked. */
static int write_files(run_t *r, const hx_report_t *rep, bool failed[OUT__COUNT])
{
    if (r->outs.json != NULL && hx_report_json(r->outs.json, rep) != 0)
        write_failed(r, r->outs.json_path, failed, OUT_JSON);
    if (r->outs.junit != NULL && hx_report_junit(r->outs.junit, rep) != 0)
        write_failed(r, r->outs.junit_path, failed, OUT_JUNIT);
    /* The charts shade the scenario's fault windows and the excluded phases (warm-up, cool-down). */
    const hx_cfg_t *c = r->cfg;
    hx_report_window_t *win = cm_xcalloc(c->nreport_windows + c->phases.n + 1, sizeof(*win));
    size_t nwin = 0;
    for (size_t i = 0; i < c->nreport_windows; i++)
        win[nwin++] = c->report_windows[i];
    for (size_t i = 0; i < c->phases.n; i++)
        if (c->phases.p[i].exclude)
            win[nwin++] = (hx_report_window_t){(double)c->phases.p[i].start_ns / 1e9,
                                               (double)c->phases.p[i].end_ns / 1e9, c->phases.p[i].name};
    hx_html_input_t html = {rep, hx_collector_timeline(r->col), win, nwin};
    if (r->outs.html != NULL && hx_report_html(r->outs.html, &html) != 0)
        write_failed(r, r->outs.html_path, failed, OUT_HTML);
    free(win);
    if (hx_collector_series_errno(r->col) != 0) {
        errno = hx_collector_series_errno(r->col);
        write_failed(r, r->outs.jsonl_path, failed, OUT_JSONL);
    }
    for (int i = 0; i < OUT__COUNT; i++)
        if (failed[i])
            return -1;
    return 0;
}

/* The last lines of a run say where its files are, so a CI log or a person finds them without searching. */
static void print_written(const run_t *r, const bool failed[OUT__COUNT])
{
    const char *paths[OUT__COUNT] = {r->outs.html_path, r->outs.json_path, r->outs.jsonl_path, r->outs.junit_path};
    for (int i = 0; i < OUT__COUNT; i++) {
        if (paths[i] != NULL && !failed[i])
            fprintf(r->err_out, "soak: wrote %s\n", paths[i]);
    }
}

/* When the first request failed (any class but the harness's own cuts at the end), -1 when none did. */
static double first_failure_s(const run_t *r)
{
    double first = -1, at;
    char msg[8];
    for (int e = 1; e < HX_ERR__COUNT; e++) {
        if (e != HX_ERR_CLIENT_CLOSED && hx_engine_first_error(r->eng, (hx_err_t)e, msg, sizeof(msg), &at) &&
            (first < 0 || at < first))
            first = at;
    }
    return first;
}

/* A webhook that fails is said, and changes nothing else. */
static void post_webhook(run_t *r, const hx_report_t *rep)
{
    cm_buf_t b = CM_BUF_INIT;
    char err[512];
    hx_webhook_body(&b, rep, first_failure_s(r));
    if (hx_webhook_post(r->cfg->webhook_url, b.data, b.len, err, sizeof(err)) != 0)
        fprintf(r->err_out, "soak: webhook failed: %s\n", err);
    else
        fprintf(r->err_out, "soak: posted the result to the webhook\n");
    cm_buf_free(&b);
}

/* An expectation judges the run less its excluded phases, one phase, or (drift) one span against another. */
static void evaluate(const run_t *r, const hx_expect_t *e, size_t i, const hx_eval_input_t *run,
                     const hx_phase_report_t *phases, hx_verdict_t *v)
{
    static const hx_stats_t empty; /* a span nothing closed in: every count 0, every histogram empty */
    hx_eval_input_t in = *run;
    if (e->in_phase) {
        const hx_phase_report_t *p = &phases[e->phase];
        const hx_stats_t *st = e->in_group ? hx_collector_span(r->col, r->spans[i][2]) : p->stats;
        in = (hx_eval_input_t){st != NULL ? st : &empty, NULL, NULL, p->secs};
    } else if (e->in_group && !e->has_windows) {
        in = (hx_eval_input_t){hx_collector_group_total(r->col, e->group), NULL, NULL, run->duration_s};
    }
    if (e->has_windows) {
        in.first_window = hx_collector_span(r->col, r->spans[i][0]);
        in.last_window = hx_collector_span(r->col, r->spans[i][1]);
    }
    hx_expect_eval(e, &in, v);
}

/* The spans the expectations compare, registered before the run so that every interval is merged into them. */
static int add_expect_spans(run_t *r)
{
    const hx_cfg_t *c = r->cfg;
    r->spans = cm_xcalloc(c->nexpects ? c->nexpects : 1, sizeof(*r->spans));
    for (size_t i = 0; i < c->nexpects; i++) {
        const hx_expect_t *e = &c->expects[i];
        int group = e->in_group ? e->group : -1;
        r->spans[i][0] = r->spans[i][1] = r->spans[i][2] = -1;
        /* baseline, window, and one group's phase */
        const hx_span_ref_t phase = {.phase = e->phase};
        const hx_span_ref_t *refs[3] = {e->has_windows ? &e->baseline : NULL, e->has_windows ? &e->window : NULL,
                                        e->in_phase && e->in_group ? &phase : NULL};
        for (int k = 0; k < 3; k++) {
            uint64_t a, b;
            if (refs[k] == NULL)
                continue;
            hx_span_ref_times(refs[k], &c->phases, &a, &b);
            if ((r->spans[i][k] = hx_collector_add_group_span(r->col, a, b, group)) < 0) {
                fprintf(r->err_out, "soak: more than %d distinct phases and expectation windows\n",
                        HX_COLLECTOR_MAX_SPANS);
                return -1;
            }
        }
    }
    return 0;
}

/* A failed run's exit status: 1, or with detailed exit codes (or an expectation's own exit_code) what failed. */
static int fail_code(const run_t *r, const hx_report_t *rep)
{
    int rc = hx_exit_code(rep->expects, rep->verdicts, rep->nexpects, rep->info->failure != NULL,
                          rep->total->all.ok == 0, r->cfg->exit_codes_detailed);
    if (rc != HX_EXIT_FAIL)
        fprintf(r->err_out, "soak: exit status %d (docs/expectations.md \"Exit codes\")\n", rc);
    return rc;
}

static int report(run_t *r)
{
    const hx_cfg_t *c = r->cfg;
    hx_run_info_t info;
    char arrival[256];
    fill_info(r, &info, arrival, sizeof(arrival));
    const char **names = cm_xcalloc(c->workload.nreqs, sizeof(char *));
    for (size_t i = 0; i < c->workload.nreqs; i++)
        names[i] = c->workload.reqs[i].name;
    info.request_names = names;
    hx_verdict_t *verdicts = cm_xcalloc(c->nexpects ? c->nexpects : 1, sizeof(*verdicts));
    hx_eval_input_t in = {hx_collector_total(r->col), hx_collector_first_window(r->col),
                          hx_collector_last_window(r->col), info.judged_s};
    hx_phase_report_t phases[HX_MAX_PHASES];
    for (size_t i = 0; i < c->phases.n; i++) {
        const hx_phase_t *p = &c->phases.p[i];
        phases[i] = (hx_phase_report_t){p, hx_collector_span(r->col, (int)i), span_seconds(r, p->start_ns, p->end_ns)};
    }
    bool all = true;
    for (size_t i = 0; i < c->nexpects; i++) {
        evaluate(r, &c->expects[i], i, &in, phases, &verdicts[i]);
        all = all && verdicts[i].pass;
    }
    hx_group_report_t groups[HX_MAX_GROUPS];
    size_t ngroups = 0;
    for (size_t g = 0; c->groups_set && g < c->ngroups; g++)
        if (c->groups[g].enabled)
            groups[ngroups++] = (hx_group_report_t){c->groups[g].name, hx_collector_group_total(r->col, (int)g)};
    hx_report_t rep = {&info,  in.total,    in.first_window, in.last_window, c->expects,
                       verdicts, c->nexpects, all,        phases,         c->phases.n,
                       groups, ngroups,     hx_collector_warmup(r->col)};
    if (r->watch != NULL && r->watch->judged != NULL)
        r->watch->judged(r->watch->ctx, &rep, hx_collector_timeline(r->col));
    hx_report_table(r->out, &rep);
    fflush(r->out);
    print_first_errors(r);
    hx_report_client_warnings(r->err_out, &rep);
    bool failed[OUT__COUNT] = {false};
    int rc = write_files(r, &rep, failed) != 0 ? HX_EXIT_ERROR
             : hx_report_verdict(&rep)         ? HX_EXIT_PASS
                                               : fail_code(r, &rep);
    print_written(r, failed);
    if (c->webhook_url != NULL)
        post_webhook(r, &rep);
    free(verdicts);
    free(names);
    return rc;
}

/* ---- hx_run ----------------------------------------------------------------------------------------- */

static int start(run_t *r)
{
    char err[512];
    if (hx_outputs_open(&r->outs, r->cfg, r->wall_ms, err, sizeof(err)) != 0) {
        fprintf(r->err_out, "soak: %s\n", err);
        return -1;
    }
    r->col = hx_collector_new(r->start_ns, r->wall_ms, r->cfg->interval_ns, r->outs.jsonl);
    if (r->cfg->groups_set) {
        for (size_t g = 0; g < r->cfg->ngroups; g++)
            r->group_names[g] = r->cfg->groups[g].name;
        hx_collector_set_groups(r->col, r->group_names, r->cfg->ngroups);
    }
    if (r->cfg->phases.n > 0)
        hx_collector_set_phases(r->col, &r->cfg->phases);
    if (r->cfg->warmup_requests > 0)
        hx_collector_set_warmup(r->col);
    if (add_expect_spans(r) != 0)
        return -1;
    /* Drift compares the first and last minute, or tenths of a run shorter than ten minutes. */
    if (r->cfg->duration_ns / 10 < 60 * CM_NS_PER_S)
        hx_collector_set_drift_window(r->col, r->cfg->duration_ns / 10);
    r->eng = hx_engine_new(r->cfg, r->col, err, sizeof(err));
    if (r->eng == NULL) {
        fprintf(r->err_out, "soak: %s\n", err);
        return -1;
    }
    announce(r);
    if (hx_engine_start(r->eng, r->start_ns, err, sizeof(err)) != 0) {
        fprintf(r->err_out, "soak: %s\n", err);
        hx_engine_stop(r->eng, true);
        hx_engine_join(r->eng);
        return -1;
    }
    return 0;
}

static void restore_signals(run_t *r)
{
    /* A signal that arrived after the watch loop must not kill the process once unblocked. */
    struct timespec zero = {0, 0};
    while (sigtimedwait(&r->sigs, NULL, &zero) > 0) {
    }
    pthread_sigmask(SIG_SETMASK, &r->old_mask, NULL);
}

int hx_run(const hx_cfg_t *cfg, FILE *out, FILE *err_out)
{
    return hx_run_watched(cfg, out, err_out, NULL);
}

int hx_run_watched(const hx_cfg_t *cfg, FILE *out, FILE *err_out, const hx_run_watch_t *watch_spec)
{
    run_t r = {.cfg = cfg, .out = out, .err_out = err_out, .watch = watch_spec};
    int rc = HX_EXIT_ERROR;
    char err[512];
    if (hx_engine_global_init() != 0) {
        fprintf(err_out, "soak: libcurl failed to initialise\n");
        return HX_EXIT_ERROR;
    }
    signal(SIGPIPE, SIG_IGN);
    sigemptyset(&r.sigs);
    sigaddset(&r.sigs, SIGINT);
    sigaddset(&r.sigs, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &r.sigs, &r.old_mask); /* engine threads inherit the mask */
    r.tty = isatty(fileno(err_out)) == 1;
    r.start_ns = cm_now_ns() + HX_START_DELAY_NS;
    r.end_ns = hx_deadline_ns(r.start_ns, cfg->duration_ns);
    r.wall_ms = cm_wall_ms() + HX_START_DELAY_NS / CM_NS_PER_MS;
    if (start(&r) == 0) {
        watch(&r);
        hx_engine_join(r.eng);
        hx_collector_close_due(r.col, UINT64_MAX, 0, 0);
        if (watch_spec != NULL && watch_spec->done != NULL)
            watch_spec->done(watch_spec->ctx, hx_collector_everything(r.col));
        rc = report(&r);
    }
    hx_engine_free(r.eng);
    hx_collector_free(r.col);
    free(r.spans);
    if (hx_outputs_close(&r.outs, err, sizeof(err)) != 0) {
        fprintf(err_out, "soak: %s\n", err);
        rc = HX_EXIT_ERROR;
    }
    curl_global_cleanup();
    restore_signals(&r);
    return rc;
}
