/* harness/run/runner_check.c — `soak run` before anything starts: the scenario read with its --set, every
 * section checked (services, gateway, the target and its placeholders, the mock: section and each change to
 * it by mock-provider --check, the proxies: section and each proxy change by fault-proxy --check), and the
 * binaries found. */
#include "harness/run/runner_internal.h"

#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "harness/config/config.h"
#include "harness/engine/httpreq.h"
#include "harness/run/child.h"
#include "harness/run/scenario.h"

/* ---- reading and checking -------------------------------------------------------------------------- */

static void collect_sets(hx_runner_t *r)
{
    const hx_runner_opts_t *o = r->o;
    for (size_t i = 0; i < o->nsets; i++)
        r->sets[r->nsets++] = o->sets[i];
    const char *keys[] = {"duration", "seed", "report.dir", "report.exit_codes"};
    const char *vals[] = {o->duration, o->seed, o->report_dir, o->exit_codes};
    for (size_t i = 0; i < 4; i++) {
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

static int resolve_target(hx_runner_t *r)
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

/* api: http paths with placeholders ("{{mock.admin.url}}/deployments"), filled in like the target; each is
 * checked as written paths are (config_http.c) once the processes it names run. */
static int resolve_paths(hx_runner_t *r)
{
    hx_cfg_t *c = &r->cfg;
    cm_err_t err;
    char why[256];
    char tmp[HX_MAX_EXPANDED + 1];
    for (size_t i = 0; i < c->npath_tmpls; i++) {
        const hx_path_tmpl_t *t = &c->path_tmpls[i];
        if (hx_scenario_expand(&r->sc, t->node, t->where, t->text, tmp, sizeof(tmp), &err) != 0)
            return hx_runner_fail(r, "%s", err.msg);
        if (hx_http_check_path(tmp, why, sizeof(why)) != 0)
            return hx_runner_fail(r, "%s: \"%s\" (from \"%s\"): %s", t->where, tmp, t->text, why);
        c->reqs[t->req].path = hx_cfg_strdup(c, tmp);
    }
    c->path_err = NULL;
    /* Once the processes run the workload exists (compiled by hx_cfg_finish with the checks' stand-ins). */
    if (c->npath_tmpls > 0 && c->workload_built && hx_cfg_build_workload(c, why, sizeof(why)) != 0)
        return hx_runner_fail(r, "%s", why);
    return 0;
}

int hx_runner_resolve_target(hx_runner_t *r)
{
    return resolve_target(r) != 0 || resolve_paths(r) != 0 ? HX_EXIT_ERROR : 0;
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

static void find_binaries(hx_runner_t *r)
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

int hx_runner_load(hx_runner_t *r)
{
    cm_err_t err;
    collect_sets(r);
    if (hx_scenario_load(&r->sc, r->o->file, r->sets, r->nsets, &err) != 0 ||
        hx_cfg_load(&r->cfg, &r->sc.conf, &err) != 0)
        return hx_runner_fail(r, "%s", err.msg);
    r->cfg.quiet = r->cfg.quiet || r->o->quiet;
    r->sc.admin_wanted = r->sc.changes.n > 0;
    for (size_t i = 0; i < r->cfg.npath_tmpls; i++)
        r->sc.admin_wanted = r->sc.admin_wanted || strstr(r->cfg.path_tmpls[i].text, "{{mock.admin.url}}") != NULL;
    if (!r->cfg.has_load)
        return hx_runner_fail(r, "%s: no load: section (nothing to run)", r->o->file);
    char why[512];
    if (hx_cfg_select_groups(&r->cfg, r->o->groups, r->o->ngroups, why, sizeof(why)) != 0)
        return hx_runner_fail(r, "%s", why);
    if (check_services(r) != 0 || hx_runner_resolve_target(r) != 0)
        return HX_EXIT_ERROR;
    const char *noun;
    if (hx_cfg_capacity(&r->cfg, &noun) != NULL && (r->cfg.find.set ? r->o->find : r->o->sweep) == NULL)
        return hx_runner_fail(r, "%s: load.arrival: a %s cannot run in this build of soak run", r->o->file, noun);
    hx_cfg_capacity_standin(&r->cfg); /* a sweep's or a search's runs set their own arrivals: check the rest */
    if (hx_cfg_finish(&r->cfg, why, sizeof(why)) != 0)
        return hx_runner_fail(r, "%s", why);
    if (hx_changes_resolve(&r->sc.changes, &r->sc.conf, &r->cfg.phases, &err) != 0)
        return hx_runner_fail(r, "%s", err.msg);
    find_binaries(r);
    int rc;
    if (r->sc.has_mock && (rc = check_mock(r)) != 0)
        return rc;
    return check_proxies(r);
}

