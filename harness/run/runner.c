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

enum { OPT_DURATION = 256, OPT_SEED, OPT_REPORT_DIR, OPT_SET, OPT_CHECK, OPT_QUIET, OPT_MOCK, OPT_PROXY, OPT_HELP };

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
          "started (also on Ctrl-C, and when a process it started dies). Documentation: docs/scenarios.md\n"
          "\n"
          "Options:\n"
          "  --duration D        override the file's duration (e.g. 10s)\n"
          "  --seed N            override the file's seed\n"
          "  --report-dir DIR    override report.dir ({{name}}, {{time}}, {{seed}} allowed)\n"
          "  --set PATH=VALUE    override any value of the file (repeatable), e.g.\n"
          "                      --set 'mock.deployments[a].limits.rpm=600'\n"
          "  --check             validate every section of the file and exit\n"
          "  --quiet             no progress line\n"
          "  --mock-provider P   the mock-provider binary (default: $SOAK_MOCK_PROVIDER, next to soak, PATH)\n"
          "  --fault-proxy P     the fault-proxy binary (default: $SOAK_FAULT_PROXY, next to soak, PATH)\n"
          "  --help              show this help\n"
          "\n"
          "Exit status: 0 every expectation passed, 1 an expectation failed or a process died during the\n"
          "load, 2 usage, configuration or start-up error.\n",
          out);
}

/* ---- reading and checking -------------------------------------------------------------------------- */

static void collect_sets(hx_runner_t *r)
{
    const hx_runner_opts_t *o = r->o;
    for (size_t i = 0; i < o->nsets; i++)
        r->sets[r->nsets++] = o->sets[i];
    const char *keys[] = {"duration", "seed", "report.dir"};
    const char *vals[] = {o->duration, o->seed, o->report_dir};
    for (size_t i = 0; i < 3; i++) {
        if (vals[i] == NULL)
            continue;
        snprintf(r->overrides[i], sizeof(r->overrides[i]), "%s=\"%s\"", keys[i], vals[i]);
        r->sets[r->nsets++] = r->overrides[i];
    }
}

/* The gateway's api_base: its url: with placeholders filled in, or http://127.0.0.1:{{gateway.port}}/v1. */
int hx_runner_gateway_url(hx_runner_t *r)
{
    hx_gateway_t *g = &r->sc.gateway;
    cm_err_t err;
    char why[256];
    if (g->url == NULL) {
        snprintf(g->url_text, sizeof(g->url_text), "http://127.0.0.1:%u/v1", (unsigned)g->proc.port);
        return 0;
    }
    char tmp[HX_MAX_EXPANDED + 1];
    if (hx_scenario_expand(&r->sc, g->url, "gateway.url", g->url->str, tmp, sizeof(tmp), &err) != 0)
        return hx_runner_fail(r, "%s", err.msg);
    if (r->sc.started && hx_cfg_check_url(tmp, why, sizeof(why)) != 0)
        return hx_runner_fail(r, "gateway.url: \"%s\": %s", tmp, why);
    memcpy(g->url_text, tmp, strlen(tmp) + 1);
    return 0;
}

/* Checks every placeholder of a command (a string or a list) and of a ready check. */
static int check_command(hx_runner_t *r, const cm_node_t *c, const char *path)
{
    char tmp[HX_MAX_EXPANDED + 1];
    cm_err_t err;
    size_t n = c->type == CM_NODE_SEQ ? c->n : 1;
    for (size_t a = 0; a < n; a++) {
        const cm_node_t *arg = c->type == CM_NODE_SEQ ? c->items[a] : c;
        if (hx_scenario_expand(&r->sc, arg, path, arg->str, tmp, sizeof(tmp), &err) != 0)
            return hx_runner_fail(r, "%s", err.msg);
    }
    return 0;
}

/* The gateway: its placeholders, and the configs it can be given. */
static int check_gateway(hx_runner_t *r)
{
    hx_gateway_t *g = &r->sc.gateway;
    char tmp[HX_MAX_EXPANDED + 1];
    cm_err_t err;
    if (!g->present)
        return 0;
    if (check_command(r, g->proc.command, "gateway.command") != 0 ||
        (g->setup != NULL && check_command(r, g->setup, "gateway.setup") != 0) || hx_runner_gateway_url(r) != 0)
        return HX_EXIT_ERROR;
    if (g->proc.ready_arg != NULL && hx_scenario_expand(&r->sc, g->proc.ready_arg, "gateway.ready",
                                                        g->proc.ready_arg->str, tmp, sizeof(tmp), &err) != 0)
        return hx_runner_fail(r, "%s", err.msg);
    if (g->config != HX_GW_CONFIG_NONE && r->sc.ndeps == 0)
        return hx_runner_fail(r, "%s: gateway.config: there are no mock deployments to write a config for", r->o->file);
    for (size_t i = 0; g->config == HX_GW_CONFIG_PORTKEY && i < r->sc.ndeps; i++) {
        if (strcmp(r->sc.deps[i].provider, "openai") != 0)
            return hx_runner_fail(
                r,
                "%s: gateway.config: portkey: deployment %s is %s; this build writes Portkey configs for "
                "openai deployments",
                r->o->file, r->sc.deps[i].name, r->sc.deps[i].provider);
    }
    return 0;
}

/* Checks every placeholder a service uses (before any process starts, so ports read as 0). */
static int check_services(hx_runner_t *r)
{
    char tmp[HX_MAX_EXPANDED + 1], path[96];
    cm_err_t err;
    for (size_t i = 0; i < r->sc.nservices; i++) {
        const hx_service_t *svc = &r->sc.services[i];
        const cm_node_t *c = svc->command;
        snprintf(path, sizeof(path), "services[%zu].command", i);
        size_t n = c->type == CM_NODE_SEQ ? c->n : 1;
        for (size_t a = 0; a < n; a++) {
            const cm_node_t *arg = c->type == CM_NODE_SEQ ? c->items[a] : c;
            if (hx_scenario_expand(&r->sc, arg, path, arg->str, tmp, sizeof(tmp), &err) != 0)
                return hx_runner_fail(r, "%s", err.msg);
            if (strstr(arg->str, "{{deployments.") != NULL) {
                cm_conf_error(&r->sc.conf, arg, path, &err,
                              "services start before the mock deployments: their URLs are not known yet");
                return hx_runner_fail(r, "%s", err.msg);
            }
        }
        snprintf(path, sizeof(path), "services[%zu].ready", i);
        if (svc->ready_arg != NULL &&
            hx_scenario_expand(&r->sc, svc->ready_arg, path, svc->ready_arg->str, tmp, sizeof(tmp), &err) != 0)
            return hx_runner_fail(r, "%s", err.msg);
    }
    return check_gateway(r);
}

/* target: deployments: the router spreads the load over every mock deployment. */
static int target_deployments(hx_runner_t *r)
{
    hx_cfg_t *c = &r->cfg;
    if (r->sc.ndeps == 0) {
        cm_err_t err;
        cm_conf_error(&r->sc.conf, c->target_node, "load.target", &err,
                      "\"deployments\" needs a mock: section with deployments");
        return hx_runner_fail(r, "%s", err.msg);
    }
    for (size_t i = 0; i < r->sc.ndeps; i++)
        r->urls[i] = r->sc.started ? r->sc.deps[i].url : "http://127.0.0.1:1";
    c->targets = r->urls;
    c->ntargets = r->sc.ndeps;
    snprintf(r->target, sizeof(r->target), "%s%s", r->urls[0],
             r->sc.ndeps > 1 ? " and the other deployments (router)" : "");
    c->target = r->target;
    c->target_err = NULL;
    return 0;
}

/* target: gateway: the load goes to the gateway the file starts. */
static int target_gateway(hx_runner_t *r)
{
    hx_cfg_t *c = &r->cfg;
    if (!r->sc.gateway.present) {
        cm_err_t err;
        cm_conf_error(&r->sc.conf, c->target_node, "load.target", &err, "\"gateway\" needs a gateway: section");
        return hx_runner_fail(r, "%s", err.msg);
    }
    if (!r->sc.started) { /* checked, not known yet */
        c->target = "http://127.0.0.1:1/v1";
        c->target_err = NULL;
        return 0;
    }
    snprintf(r->target, sizeof(r->target), "%s", r->sc.gateway.url_text);
    c->target = r->target;
    c->target_err = NULL;
    return 0;
}

/* The load's target: a URL, or placeholders filled in (ports read as 0 before the processes run). */
/* report.webhook with placeholders (a receiver started as a service) is filled in like the target. */
static int resolve_webhook(hx_runner_t *r)
{
    hx_cfg_t *c = &r->cfg;
    cm_err_t err;
    char why[256];
    if (c->webhook_url == NULL || strstr(c->webhook_url, "{{") == NULL)
        return 0;
    const cm_node_t *report = cm_conf_get(r->sc.conf.root, "report");
    const cm_node_t *node = report != NULL ? cm_conf_get(report, "webhook") : NULL;
    if (hx_scenario_expand(&r->sc, node != NULL ? node : r->sc.conf.root, "report.webhook", c->webhook_url, r->webhook,
                           sizeof(r->webhook), &err) != 0)
        return hx_runner_fail(r, "%s", err.msg);
    if (r->sc.started && hx_cfg_check_webhook(r->webhook, why, sizeof(why)) != 0)
        return hx_runner_fail(r, "report.webhook: %s", why);
    if (r->sc.started)
        c->webhook_url = r->webhook;
    return 0;
}

int hx_runner_resolve_target(hx_runner_t *r)
{
    if (resolve_webhook(r) != 0)
        return HX_EXIT_ERROR;
    hx_cfg_t *c = &r->cfg;
    cm_err_t err;
    char why[256];
    if (c->target_template == NULL)
        return c->target != NULL ? 0 : hx_runner_fail(r, "%s: load.target: required by `soak run`", c->file);
    if (c->target_deployments)
        return target_deployments(r);
    if (strcmp(c->target_template, "gateway") == 0)
        return target_gateway(r);
    if (strstr(c->target_template, "{{") == NULL)
        return hx_runner_fail(r, "%s", c->target_err);
    if (hx_scenario_expand(&r->sc, c->target_node, "load.target", c->target_template, r->target, sizeof(r->target),
                           &err) != 0)
        return hx_runner_fail(r, "%s", err.msg);
    if (r->sc.started && hx_cfg_check_url(r->target, why, sizeof(why)) != 0)
        return hx_runner_fail(r, "load.target: \"%s\" (from \"%s\"): %s", r->target, c->target_template, why);
    c->target = r->target;
    c->target_err = NULL;
    return 0;
}

/* Where a binary of ours is: the option, the environment, next to this soak (build tree or install), PATH.
 * tree_dir is its folder in the build tree ("mock-provider", "faults/fault-proxy"). */
static void find_binary(const char *given, const char *env, const char *name, const char *tree_dir, char *out,
                        size_t cap)
{
    if (given == NULL)
        given = getenv(env);
    if (given != NULL && given[0] != '\0') {
        snprintf(out, cap, "%s", given);
        return;
    }
    char self[PATH_MAX - 128]; /* room for a tail below */
    ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);
    if (n > 0) {
        self[n] = '\0';
        char *slash = strrchr(self, '/');
        if (slash != NULL) {
            *slash = '\0';
            char tail[96];
            snprintf(tail, sizeof(tail), "/../%s/%s", tree_dir, name);
            snprintf(out, cap, "%s%s", self, tail);
            if (access(out, X_OK) == 0)
                return;
            snprintf(out, cap, "%s/%s", self, name);
            if (access(out, X_OK) == 0)
                return;
        }
    }
    snprintf(out, cap, "%s", name);
}

static void find_mock(hx_runner_t *r)
{
    find_binary(r->o->mock_provider, "SOAK_MOCK_PROVIDER", "mock-provider", "mock-provider", r->mock_bin,
                sizeof(r->mock_bin));
    find_binary(r->o->fault_proxy, "SOAK_FAULT_PROXY", "fault-proxy", "faults/fault-proxy", r->proxy_bin,
                sizeof(r->proxy_bin));
}

/* The --set arguments that move each proxy to a free port of its host (listen_port 0) and give it its
 * upstream with the placeholders filled in, into r->proxy_sets. Returns their count, or -1 after printing. */
int hx_runner_proxy_sets(hx_runner_t *r, bool free_ports)
{
    size_t n = 0;
    cm_err_t err;
    char up[HX_MAX_EXPANDED + 1];
    for (size_t i = 0; i < r->sc.nproxies; i++) {
        const hx_proxy_t *p = &r->sc.proxies[i];
        if (hx_scenario_expand(&r->sc, p->upstream, "proxies.upstream", p->upstream->str, up, sizeof(up), &err) != 0)
            return hx_runner_fail(r, "%s", err.msg), -1;
        snprintf(r->proxy_sets[n++], sizeof(r->proxy_sets[0]), "proxies[%s].upstream=\"%s\"", p->name, up);
        if (free_ports) {
            bool v6 = strchr(p->host, ':') != NULL;
            snprintf(r->proxy_sets[n++], sizeof(r->proxy_sets[0]), "proxies[%s].listen=\"%s%s%s:0\"", p->name,
                     v6 ? "[" : "", p->host, v6 ? "]" : "");
        }
    }
    return (int)n;
}

/* Runs `BIN --check --config FILE` with the user's --set and extra ones: our binaries check their own
 * sections of the file. what names the check in messages ("mock: section", "the change at line 9 (...)"). */
static int check_with(hx_runner_t *r, const char *bin, const char *option, char *const *extra, size_t nextra,
                      const char *what)
{
    size_t max = 4 + 2 * (r->o->nsets + nextra) + 1, n = 0;
    char **argv = calloc(max, sizeof(char *));
    if (argv == NULL)
        return hx_runner_fail(r, "out of memory");
    argv[n++] = (char *)bin;
    argv[n++] = "--check";
    argv[n++] = "--config";
    argv[n++] = (char *)r->o->file;
    for (size_t i = 0; i < r->o->nsets; i++) {
        argv[n++] = "--set";
        argv[n++] = (char *)r->o->sets[i];
    }
    for (size_t i = 0; i < nextra; i++) {
        argv[n++] = "--set";
        argv[n++] = extra[i];
    }
    argv[n] = NULL;
    char out[4096];
    int rc = hx_child_run(argv, out, sizeof(out), HX_RUN_MOCK_CHECK_NS);
    free(argv);
    if (rc == 0)
        return 0;
    size_t len = strlen(out);
    while (len > 0 && out[len - 1] == '\n')
        out[--len] = '\0';
    if (rc == 127)
        return hx_runner_fail(r, "%s: %s not found; build it, or pass --%s PATH", what, bin, option);
    return hx_runner_fail(r, "%s (checked by %s --check): %s", what, bin, out);
}

/* fault-proxy checks the proxies: section, with the upstreams filled in (stand-in ports). */
static int check_proxies(hx_runner_t *r)
{
    if (r->sc.nproxies == 0)
        return 0;
    int nsets = hx_runner_proxy_sets(r, false);
    if (nsets < 0)
        return HX_EXIT_ERROR;
    char *sets[2 * HX_MAX_PROXIES + 2];
    for (int i = 0; i < nsets; i++)
        sets[i] = r->proxy_sets[i];
    int rc = check_with(r, r->proxy_bin, "fault-proxy", sets, (size_t)nsets, "proxies: section");
    /* each proxy change applied to the section, as fault-proxy's API would take it */
    for (size_t i = 0; rc == 0 && i < r->sc.changes.n; i++) {
        const hx_change_t *ch = &r->sc.changes.items[i];
        char **csets, what[160];
        if (ch->proxy == NULL)
            continue;
        int n = hx_change_sets(ch, &csets);
        if (n < 0 || n > 2)
            return hx_runner_fail(r, "%s:%d:%d: changes: set: larger than %u bytes as JSON", r->o->file, ch->set->line,
                                  ch->set->col, HX_CHANGE_MAX_BODY);
        for (int k = 0; k < n; k++)
            sets[nsets + k] = csets[k];
        snprintf(what, sizeof(what), "the change at line %d (%s)", ch->node->line, ch->label);
        rc = check_with(r, r->proxy_bin, "fault-proxy", sets, (size_t)nsets + (size_t)n, what);
        for (int k = 0; k < n; k++)
            free(csets[k]);
        free(csets);
    }
    return rc;
}

static int check_mock_with(hx_runner_t *r, char *const *extra, size_t nextra, const char *what)
{
    return check_with(r, r->mock_bin, "mock-provider", extra, nextra, what);
}

/* The mock: section, then each timed change applied to it (as the admin API would merge it). */
static int check_mock(hx_runner_t *r)
{
    int rc = check_mock_with(r, NULL, 0, "mock: section");
    for (size_t i = 0; rc == 0 && i < r->sc.changes.n; i++) {
        const hx_change_t *ch = &r->sc.changes.items[i];
        char **sets, what[160];
        if (ch->deployment == NULL)
            continue;
        int n = hx_change_sets(ch, &sets);
        if (n < 0)
            return hx_runner_fail(r, "%s:%d:%d: changes: set: larger than %u bytes as JSON", r->o->file, ch->set->line,
                                  ch->set->col, HX_CHANGE_MAX_BODY);
        snprintf(what, sizeof(what), "the change at line %d (%s)", ch->node->line, ch->label);
        rc = check_mock_with(r, sets, (size_t)n, what);
        for (int k = 0; k < n; k++)
            free(sets[k]);
        free(sets);
    }
    return rc;
}

static int load_scenario(hx_runner_t *r)
{
    cm_err_t err;
    collect_sets(r);
    if (hx_scenario_load(&r->sc, r->o->file, r->sets, r->nsets, &err) != 0 ||
        hx_cfg_load(&r->cfg, &r->sc.conf, &err) != 0)
        return hx_runner_fail(r, "%s", err.msg);
    r->cfg.quiet = r->cfg.quiet || r->o->quiet;
    if (!r->cfg.has_load)
        return hx_runner_fail(r, "%s: no load: section (nothing to run)", r->o->file);
    char why[512];
    if (check_services(r) != 0 || hx_runner_resolve_target(r) != 0)
        return HX_EXIT_ERROR;
    if (hx_cfg_finish(&r->cfg, why, sizeof(why)) != 0)
        return hx_runner_fail(r, "%s", why);
    if (hx_changes_resolve(&r->sc.changes, &r->sc.conf, &r->cfg.phases, &err) != 0)
        return hx_runner_fail(r, "%s", err.msg);
    find_mock(r);
    int rc;
    if (r->sc.has_mock && (rc = check_mock(r)) != 0)
        return rc;
    return check_proxies(r);
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

static int watch_children(void *ctx, uint64_t elapsed_ns, char *why, size_t whylen)
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
    bool agreed = hx_reconcile_print(r->out, r->counts, r->sc.ndeps, r->unanswered);
    snprintf(path, sizeof(path), "%s/deployments.json", r->cfg.report_dir);
    if (hx_reconcile_write(path, r->counts, r->sc.ndeps, r->unanswered, agreed) != 0)
        fprintf(r->err_out, "soak run: %s: %s\n", path, strerror(errno));
    else
        fprintf(r->err_out, "soak run: wrote %s\n", path);
}

static int run_load(hx_runner_t *r)
{
    hx_run_watch_t w = {watch_children, take_totals, r};
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
    int rc = load_scenario(r);
    if (rc == 0 && o->check)
        print_check(r);
    else if (rc == 0 && (rc = make_report_dir(r)) == 0 && (rc = hx_runner_start_all(r)) == 0)
        rc = run_load(r);
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
