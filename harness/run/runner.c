#include "harness/run/runner_internal.h"

#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/clock.h"
#include "harness/config/config.h"
#include "harness/report/outputs.h"
#include "harness/run/child.h"
#include "harness/run/reconcile.h"
#include "harness/run/run.h"
#include "harness/run/scenario.h"

int hx_runner_fail(hx_runner_t *r, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fputs("soak run: ", r->err_out);
    vfprintf(r->err_out, fmt, ap);
    fputc('\n', r->err_out);
    va_end(ap);
    return HX_EXIT_ERROR;
}

/* ---- arguments ------------------------------------------------------------------------------------- */

enum {
    OPT_DURATION = 256,
    OPT_SEED,
    OPT_REPORT_DIR,
    OPT_SET,
    OPT_CHECK,
    OPT_QUIET,
    OPT_MOCK,
    OPT_PROXY,
    OPT_HELP,
    OPT_GROUP,
    OPT_EXIT_CODES,
};

static const struct option longopts[] = {
    {"duration", required_argument, NULL, OPT_DURATION},
    {"seed", required_argument, NULL, OPT_SEED},
    {"report-dir", required_argument, NULL, OPT_REPORT_DIR},
    {"set", required_argument, NULL, OPT_SET},
    {"check", no_argument, NULL, OPT_CHECK},
    {"quiet", no_argument, NULL, OPT_QUIET},
    {"mock-provider", required_argument, NULL, OPT_MOCK},
    {"fault-proxy", required_argument, NULL, OPT_PROXY},
    {"help", no_argument, NULL, OPT_HELP},
    {"group", required_argument, NULL, OPT_GROUP},
    {"exit-codes", required_argument, NULL, OPT_EXIT_CODES},
    {NULL, 0, NULL, 0},
};

int hx_runner_parse(int argc, char **argv, hx_runner_opts_t *o, char *err, size_t errlen)
{
    memset(o, 0, sizeof(*o));
    optind = 0; /* reset getopt's state: a test may parse twice */
    opterr = 0;
    int opt;
    while ((opt = getopt_long(argc, argv, "+", longopts, NULL)) != -1) {
        switch (opt) {
        case OPT_DURATION:
            o->duration = optarg;
            break;
        case OPT_SEED:
            o->seed = optarg;
            break;
        case OPT_REPORT_DIR:
            o->report_dir = optarg;
            break;
        case OPT_MOCK:
            o->mock_provider = optarg;
            break;
        case OPT_EXIT_CODES:
            o->exit_codes = optarg;
            break;
        case OPT_PROXY:
            o->fault_proxy = optarg;
            break;
        case OPT_GROUP:
            if (o->ngroups >= HX_RUN_MAX_SETS) {
                snprintf(err, errlen, "--group: given more than %d times", HX_RUN_MAX_SETS);
                return -1;
            }
            o->groups[o->ngroups++] = optarg;
            break;
        case OPT_CHECK:
            o->check = true;
            break;
        case OPT_QUIET:
            o->quiet = true;
            break;
        case OPT_HELP:
            o->help = true;
            return 0;
        case OPT_SET:
            if (o->nsets >= HX_RUN_MAX_SETS) {
                snprintf(err, errlen, "--set: given more than %d times", HX_RUN_MAX_SETS);
                return -1;
            }
            o->sets[o->nsets++] = optarg;
            break;
        default:
            snprintf(err, errlen, "unknown option or missing value: %s", argv[optind - 1]);
            return -1;
        }
    }
    if (optind >= argc) {
        snprintf(err, errlen, "missing the scenario file (soak run SCENARIO.yaml)");
        return -1;
    }
    if (optind + 1 < argc) {
        snprintf(err, errlen, "one scenario file at a time (got \"%s\" after \"%s\"; options go before the file)",
                 argv[optind + 1], argv[optind]);
        return -1;
    }
    o->file = argv[optind];
    return 0;
}

void hx_runner_usage(FILE *out)
{
    fputs("Usage: soak run [options] SCENARIO.yaml\n"
          "\n"
          "Runs a whole experiment from one file: starts its services and mock deployments on free ports,\n"
          "runs its load against them, judges its expectations, writes its reports and stops everything it\n"
          "started (also on Ctrl-C, and when a process it started dies). A file whose load.arrival is\n"
          "{sweep: {...}} runs soak sweep's runs against its target instead of one load (soak help sweep),\n"
          "one whose load.arrival is {find: {...}} soak find's knee search (soak help find).\n"
          "Documentation: docs/scenarios.md\n"
          "\n"
          "Options:\n"
          "  --duration D        override the file's duration (e.g. 10s)\n"
          "  --seed N            override the file's seed\n"
          "  --report-dir DIR    override report.dir ({{name}}, {{time}}, {{seed}} allowed)\n"
          "  --set PATH=VALUE    override any value of the file (repeatable), e.g.\n"
          "                      --set 'mock.deployments[a].limits.rpm=600'\n"
          "  --group NAME        run only this group of load.groups (repeatable)\n"
          "  --check             validate every section of the file and exit\n"
          "  --quiet             no progress line\n"
          "  --exit-codes MODE   default, or detailed: a failed run exits 10-18 by what failed (docs/expectations.md)\n"
          "  --mock-provider P   the mock-provider binary (default: $SOAK_MOCK_PROVIDER, next to soak, PATH)\n"
          "  --fault-proxy P     the fault-proxy binary (default: $SOAK_FAULT_PROXY, next to soak, PATH)\n"
          "  --help              show this help\n"
          "\n"
          "Exit status: 0 every expectation passed, 1 an expectation failed or a process died during the\n"
          "load, 2 usage, configuration or start-up error (report.exit_codes: detailed or --exit-codes\n"
          "detailed: 10-18 by what failed).\n",
          out);
}

/* ---- starting ---------------------------------------------------------------------------------------- */

static int make_report_dir(hx_runner_t *r)
{
    hx_cfg_t *c = &r->cfg;
    char err[512];
    if (c->report_dir == NULL)
        c->report_dir = HX_RUN_DEFAULT_REPORT_DIR; /* with the default formats (hx_cfg_init) */
    char *dir = hx_outputs_expand_dir(c->report_dir, c->name, cm_wall_ms(), c->seed);
    c->report_dir = hx_cfg_strdup(c, dir);
    free(dir);
    r->sc.report_dir = c->report_dir;
    snprintf(r->logs, sizeof(r->logs), "%s/logs", c->report_dir);
    if (hx_outputs_make_dirs(r->logs, err, sizeof(err)) != 0)
        return hx_runner_fail(r, "%s", err);
    return 0;
}

/* ---- the load and the end ------------------------------------------------------------------------------- */

/* Applies the changes that are due; a refused one stops the run as failed. */
static int apply_changes(hx_runner_t *r, uint64_t elapsed_ns, char *why, size_t whylen)
{
    hx_changes_t *c = &r->sc.changes;
    while (c->next < c->n && c->items[c->next].at_ns <= elapsed_ns) {
        hx_change_t *ch = &c->items[c->next++];
        if (hx_change_apply(ch, r->sc.admin_url, r->sc.proxy_api, why, whylen) != 0)
            return -1;
        ch->applied = true;
        fprintf(r->err_out, "%ssoak run: %.1fs: changed %s\n", r->cfg.quiet ? "" : "\n", (double)elapsed_ns / 1e9,
                ch->label);
    }
    return 0;
}

int hx_runner_watch(void *ctx, uint64_t elapsed_ns, char *why, size_t whylen)
{
    hx_runner_t *r = ctx;
    if (apply_changes(r, elapsed_ns, why, whylen) != 0)
        return -1;
    char how[96];
    for (size_t i = 0; i < r->nchildren; i++) {
        hx_child_t *c = &r->children[i];
        if (hx_child_alive(c))
            continue;
        r->died = (int)i + 1;
        snprintf(why, whylen, "%s (pid %d) %s during the load (log: %s)", c->name, (int)c->pid,
                 hx_child_describe(c, how, sizeof(how)), c->log);
        return -1;
    }
    return 0;
}

static void print_check(hx_runner_t *r)
{
    char arr[256];
    const hx_cfg_t *c = &r->cfg;
    char what[512];
    if (hx_cfg_describe_capacity(c, what, sizeof(what)) != NULL) { /* its runs' lengths are its own */
        fprintf(r->out, "%s: OK: %s: %zu service%s, %zu mock deployment%s, %s against %s, %zu expectation%s judging each run\n",
                r->o->file, c->name, r->sc.nservices, r->sc.nservices == 1 ? "" : "s", r->sc.ndeps,
                r->sc.ndeps == 1 ? "" : "s", what, c->target_template ? c->target_template : c->target, c->nexpects,
                c->nexpects == 1 ? "" : "s");
        return;
    }
    fprintf(
        r->out, "%s: OK: %s: %zu service%s, %zu mock deployment%s, load %s for %.0fs against %s, %zu expectation%s\n",
        r->o->file, c->name, r->sc.nservices, r->sc.nservices == 1 ? "" : "s", r->sc.ndeps, r->sc.ndeps == 1 ? "" : "s",
        hx_arrival_describe(&c->arrival, arr, sizeof(arr)), (double)c->duration_ns / 1e9,
        c->target_template ? c->target_template : c->target, c->nexpects, c->nexpects == 1 ? "" : "s");
}

static void take_totals(void *ctx, const hx_stats_t *total)
{
    hx_runner_t *r = ctx;
    for (size_t i = 0; i < r->sc.ndeps; i++)
        r->counts[i].name = r->sc.deps[i].name;
    r->unanswered = hx_reconcile_soak(total, r->counts, r->sc.ndeps);
    /* the api: http templates' requests (by template, every outcome) */
    r->generic = 0;
    for (size_t i = 0; i < r->cfg.workload.nreqs && i < HX_MAX_REQUESTS; i++)
        if (r->cfg.workload.reqs[i].http != NULL)
            r->generic += total->by_request[i].total;
    r->have_totals = true;
}

/* "http://127.0.0.1:4100/v1" -> "http://127.0.0.1:4100/metrics" */
static void metrics_url(const char *api_base, char *out, size_t cap)
{
    const char *host = strstr(api_base, "://");
    const char *path = host != NULL ? strchr(host + 3, '/') : NULL;
    size_t n = path != NULL ? (size_t)(path - api_base) : strlen(api_base);
    snprintf(out, cap, "%.*s/metrics", (int)n, api_base);
}

/* The mock's side of every deployment, beside soak's, while the mock still runs. */
static void reconcile(hx_runner_t *r)
{
    if (!r->sc.has_mock || r->sc.ndeps == 0 || !r->have_totals)
        return;
    char url[512], err[512], path[PATH_MAX + 32];
    size_t len;
    metrics_url(r->sc.deps[0].url, url, sizeof(url));
    char *text = hx_reconcile_fetch(url, &len, err, sizeof(err));
    if (text == NULL) {
        fprintf(r->err_out, "soak run: cannot read the mock's counters: %s\n", err);
        return;
    }
    hx_reconcile_parse(text, len, r->counts, r->sc.ndeps);
    free(text);
    bool agreed = hx_reconcile_print(r->out, r->counts, r->sc.ndeps, r->unanswered, r->generic);
    snprintf(path, sizeof(path), "%s/deployments.json", r->cfg.report_dir);
    if (hx_reconcile_write(path, r->counts, r->sc.ndeps, r->unanswered, r->generic, agreed) != 0)
        fprintf(r->err_out, "soak run: %s: %s\n", path, strerror(errno));
    else
        fprintf(r->err_out, "soak run: wrote %s\n", path);
}

static int run_load(hx_runner_t *r)
{
    hx_run_watch_t w = {.check = hx_runner_watch, .done = take_totals, .ctx = r};
    r->cfg.report_windows = r->sc.changes.windows;
    r->cfg.nreport_windows = hx_changes_windows(&r->sc.changes, (double)r->cfg.duration_ns / 1e9);
    int rc = hx_run_watched(&r->cfg, r->out, r->err_out, &w);
    for (size_t i = r->sc.changes.next; i < r->sc.changes.n; i++)
        fprintf(r->err_out, "soak run: not applied (after the end of the load): the change at %.1fs (%s)\n",
                (double)r->sc.changes.items[i].at_ns / 1e9, r->sc.changes.items[i].label);
    reconcile(r);
    if (r->died > 0) {
        const hx_child_t *c = &r->children[r->died - 1];
        char tail[4096] = "", how[96];
        hx_child_tail(c, tail, sizeof(tail));
        fprintf(r->err_out, "soak run: %s (pid %d) %s during the load; the end of its log (%s):%s\n", c->name,
                (int)c->pid, hx_child_describe(c, how, sizeof(how)), c->log, tail);
    }
    return rc;
}

int hx_runner_run(const hx_runner_opts_t *o, FILE *out, FILE *err_out)
{
    hx_runner_t *r = calloc(1, sizeof(*r));
    if (r == NULL)
        return HX_EXIT_ERROR;
    r->o = o;
    r->out = out;
    r->err_out = err_out;
    hx_cfg_init(&r->cfg);
    /* Ctrl-C and SIGTERM are taken by sigtimedwait in the waits and in the load, never by default action, so
     * that every child is stopped whatever moment they arrive at. */
    sigset_t sigs, old;
    sigemptyset(&sigs);
    sigaddset(&sigs, SIGINT);
    sigaddset(&sigs, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &sigs, &old);
    signal(SIGPIPE, SIG_IGN);
    int rc = hx_runner_load(r);
    if (rc == 0 && o->check)
        print_check(r);
    else if (rc == 0 && (rc = make_report_dir(r)) == 0 && (rc = hx_runner_start_all(r)) == 0)
        rc = r->cfg.sweep.set || r->cfg.find.set ? hx_runner_capacity(r) : run_load(r);
    hx_runner_stop_all(r);
    if (r->nchildren > 0)
        fprintf(err_out, "soak run: stopped %zu process%s it started (logs in %s)\n", r->nchildren,
                r->nchildren == 1 ? "" : "es", r->logs);
    struct timespec zero = {0, 0};
    while (sigtimedwait(&sigs, NULL, &zero) > 0) {
    }
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    hx_cfg_free(&r->cfg);
    hx_scenario_free(&r->sc);
    free(r->portkey_header);
    free(r);
    return rc;
}
