#include "harness/config/config.h"

#include "common/clock.h"
#include "common/units.h"
#include "harness/measure/exitcode.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* This file reads the scenario document (load.requests: config_requests.c); config_finish.c applies defaults
 * and cross-checks. Every reader
 * reports at the node it read, so a message always points at the line to fix. */

void hx_cfg_init(hx_cfg_t *c)
{
    memset(c, 0, sizeof(*c));
    /* LiteLLM's router defaults: simple-shuffle, a 5 s cooldown, and one more try on another deployment. */
    c->router = (hx_router_cfg_t){HX_ROUTE_SHUFFLE, HX_ROUTER_COOLDOWN_DEFAULT_NS, 1};
    /* Set here, not only by a report: section, so that a directory `soak run` picks by default holds every
     * format too (report.html included). Without a directory no file is written whatever the bits say. */
    c->report_formats = HX_FMT_DEFAULT;
}

void hx_cfg_free(hx_cfg_t *c)
{
    if (c->workload_built)
        hx_workload_free(&c->workload);
    free(c->expects);
    free(c->slos);
    cm_arena_free(&c->arena);
    memset(c, 0, sizeof(*c));
}

const char *hx_cfg_strdup(hx_cfg_t *c, const char *s)
{
    if (s == NULL)
        return NULL;
    size_t n = strlen(s) + 1;
    char *p = cm_arena_alloc(&c->arena, n);
    memcpy(p, s, n);
    return p;
}

/* Reads a string and copies it into the cfg arena (the document is freed after loading). */
static int get_str(hx_cfg_t *c, const cm_conf_t *conf, const cm_node_t *n, const char *path, const char **out,
                   cm_err_t *err)
{
    const char *s;
    if (cm_conf_str(conf, n, path, &s, err) != 0)
        return -1;
    *out = hx_cfg_strdup(c, s);
    return 0;
}

static int get_u32(const cm_conf_t *conf, const cm_node_t *n, const char *path, int64_t min, int64_t max, uint32_t *out,
                   cm_err_t *err)
{
    int64_t v;
    if (cm_conf_int(conf, n, path, min, max, &v, err) != 0)
        return -1;
    *out = (uint32_t)v;
    return 0;
}

/* ---- headers ---------------------------------------------------------------------------------------- */

static int header_item(hx_cfg_t *c, const cm_conf_t *conf, const cm_node_t *at, const char *path, const char *line,
                       const char **out, cm_err_t *err)
{
    char why[300];
    if (hx_header_check(line, why, sizeof(why)) != 0)
        return cm_conf_error(conf, at, path, err, "%s", why);
    *out = hx_cfg_strdup(c, line);
    return 0;
}

int hx_cfg_load_headers(hx_cfg_t *c, const cm_conf_t *conf, const cm_node_t *n, const char *path, const char ***out,
                        size_t *count, cm_err_t *err)
{
    char p[256];
    if (n->type != CM_NODE_MAP && n->type != CM_NODE_SEQ)
        return cm_conf_error(conf, n, path, err, "expected a map {Name: value} or a list of \"Name: value\"");
    if (n->n > HX_MAX_HEADERS)
        return cm_conf_error(conf, n, path, err, "%zu headers (at most %d)", n->n, HX_MAX_HEADERS);
    const char **list = cm_arena_alloc(&c->arena, (n->n + 1) * sizeof(char *));
    for (size_t i = 0; i < n->n; i++) {
        const char *v, *line = NULL;
        cm_conf_path(p, sizeof(p), path, n->type == CM_NODE_SEQ ? (int)i : -1,
                     n->type == CM_NODE_MAP ? n->keys[i]->str : NULL);
        if (cm_conf_str(conf, n->items[i], p, &v, err) != 0)
            return -1;
        char buf[HX_HEADER_LINE_MAX + 1];
        int len = n->type == CM_NODE_MAP ? snprintf(buf, sizeof(buf), "%s: %s", n->keys[i]->str, v)
                                         : snprintf(buf, sizeof(buf), "%s", v);
        if (len < 0 || (size_t)len >= sizeof(buf)) /* refused rather than cut short */
            return cm_conf_error(conf, n->items[i], p, err, "a header line of more than %d bytes", HX_HEADER_LINE_MAX);
        if (header_item(c, conf, n->items[i], p, buf, &line, err) != 0)
            return -1;
        list[i] = line;
    }
    *out = list;
    *count = n->n;
    return 0;
}

/* A duration up to HX_MAX_DURATION_NS, so that no deadline computed from it can wrap. */
static int get_dur(const cm_conf_t *conf, const cm_node_t *n, const char *path, uint64_t *ns, cm_err_t *err)
{
    char max[32];
    if (cm_conf_duration(conf, n, path, ns, err) != 0)
        return -1;
    if (*ns > HX_MAX_DURATION_NS)
        return cm_conf_error(conf, n, path, err, "%s is above the maximum of %s", n->str,
                             cm_format_duration(max, sizeof(max), HX_MAX_DURATION_NS));
    return 0;
}

/* ---- arrival ---------------------------------------------------------------------------------------- */

static int load_ramp(hx_arrival_t *a, const cm_conf_t *conf, const cm_node_t *n, const char *path, cm_err_t *err)
{
    static const char *const keys[] = {"from", "to", "over", NULL};
    char p[256];
    if (cm_conf_check_keys(conf, n, path, keys, err) || cm_conf_require_keys(conf, n, path, keys, err))
        return -1;
    a->kind = HX_ARRIVAL_RAMP;
    if (cm_conf_rate(conf, cm_conf_get(n, "from"), cm_conf_path(p, sizeof(p), path, -1, "from"), &a->from, err) ||
        cm_conf_rate(conf, cm_conf_get(n, "to"), cm_conf_path(p, sizeof(p), path, -1, "to"), &a->to, err) ||
        get_dur(conf, cm_conf_get(n, "over"), cm_conf_path(p, sizeof(p), path, -1, "over"), &a->over_ns, err))
        return -1;
    if (a->over_ns == 0)
        return cm_conf_error(conf, cm_conf_get(n, "over"), p, err, "must be > 0");
    return 0;
}

static int load_steps(hx_arrival_t *a, const cm_conf_t *conf, const cm_node_t *n, const char *path, cm_err_t *err)
{
    static const char *const keys[] = {"rate", "for", NULL};
    char p[256], q[256];
    if (n->type != CM_NODE_SEQ || n->n == 0)
        return cm_conf_error(conf, n, path, err, "expected a list of {rate: R, for: D}");
    if (n->n > HX_MAX_STEPS)
        return cm_conf_error(conf, n, path, err, "%zu steps (at most %d)", n->n, HX_MAX_STEPS);
    a->kind = HX_ARRIVAL_STEP;
    a->nsteps = n->n;
    for (size_t i = 0; i < n->n; i++) {
        const cm_node_t *it = n->items[i];
        cm_conf_path(p, sizeof(p), path, (int)i, NULL);
        if (cm_conf_check_keys(conf, it, p, keys, err) || cm_conf_require_keys(conf, it, p, keys, err))
            return -1;
        if (cm_conf_rate(conf, cm_conf_get(it, "rate"), cm_conf_path(q, sizeof(q), p, -1, "rate"), &a->steps[i].rate,
                         err) ||
            get_dur(conf, cm_conf_get(it, "for"), cm_conf_path(q, sizeof(q), p, -1, "for"), &a->steps[i].dur_ns, err))
            return -1;
        if (a->steps[i].dur_ns == 0)
            return cm_conf_error(conf, cm_conf_get(it, "for"), q, err, "must be > 0");
    }
    return 0;
}

static int load_users(hx_arrival_t *a, const cm_conf_t *conf, const cm_node_t *n, const char *path, cm_err_t *err)
{
    char p[256], why[256];
    const cm_node_t *v;
    a->kind = HX_ARRIVAL_USERS;
    a->think = cm_dist_fixed(0);
    if (get_u32(conf, cm_conf_get(n, "users"), cm_conf_path(p, sizeof(p), path, -1, "users"), 1, 10000000, &a->users,
                err))
        return -1;
    if ((v = cm_conf_get(n, "spawn")) != NULL &&
        cm_conf_rate(conf, v, cm_conf_path(p, sizeof(p), path, -1, "spawn"), &a->spawn_rate, err) != 0)
        return -1;
    if ((v = cm_conf_get(n, "think")) != NULL) {
        const char *s;
        cm_conf_path(p, sizeof(p), path, -1, "think");
        if (cm_conf_str(conf, v, p, &s, err) != 0)
            return -1;
        if (hx_think_parse(s, &a->think, why, sizeof(why)) != 0)
            return cm_conf_error(conf, v, p, err, "%s", why);
    }
    return 0;
}

int hx_cfg_read_arrival(const cm_conf_t *conf, const cm_node_t *n, const char *path, hx_arrival_t *a, cm_err_t *err)
{
    static const char *const keys[] = {"constant", "poisson", "ramp",  "step", "every",
                                       "users",    "spawn",   "think", NULL};
    static const char *const kinds[] = {"constant", "poisson", "ramp", "step", "every", "users"};
    char p[256];
    if (cm_conf_check_keys(conf, n, path, keys, err) != 0)
        return -1;
    const char *kind = NULL;
    for (size_t i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++) {
        if (cm_conf_get(n, kinds[i]) == NULL)
            continue;
        if (kind != NULL)
            return cm_conf_error(conf, n, path, err, "both %s and %s given (pick one arrival kind)", kind, kinds[i]);
        kind = kinds[i];
    }
    if (kind == NULL)
        return cm_conf_error(conf, n, path, err, "expected one of constant, poisson, ramp, step, every, users");
    if (strcmp(kind, "users") != 0 && (cm_conf_get(n, "spawn") || cm_conf_get(n, "think")))
        return cm_conf_error(conf, cm_conf_get(n, cm_conf_get(n, "spawn") ? "spawn" : "think"), path, err,
                             "spawn and think go with users (closed loop), not with %s", kind);
    memset(a, 0, sizeof(*a));
    const cm_node_t *v = cm_conf_get(n, kind);
    cm_conf_path(p, sizeof(p), path, -1, kind);
    if (strcmp(kind, "constant") == 0 || strcmp(kind, "poisson") == 0) {
        a->kind = kind[0] == 'c' ? HX_ARRIVAL_CONSTANT : HX_ARRIVAL_POISSON;
        return cm_conf_rate(conf, v, p, &a->rate, err);
    }
    if (strcmp(kind, "every") == 0) { /* one request every D: constant 1/D */
        uint64_t ns;
        if (get_dur(conf, v, p, &ns, err) != 0)
            return -1;
        if (ns < 1000u)
            return cm_conf_error(conf, v, p, err, "must be at least 1us");
        a->kind = HX_ARRIVAL_CONSTANT;
        a->rate = 1e9 / (double)ns;
        return 0;
    }
    if (strcmp(kind, "ramp") == 0)
        return load_ramp(a, conf, v, p, err);
    if (strcmp(kind, "step") == 0)
        return load_steps(a, conf, v, p, err);
    return load_users(a, conf, n, path, err);
}

/* ---- connections and report ------------------------------------------------------------------------- */

int hx_cfg_load_connections(const cm_conf_t *conf, const cm_node_t *n, const char *path, hx_conn_policy_t *pol,
                            cm_err_t *err)
{
    static const char *const keys[] = {"max_requests", "max_age", "churn", NULL};
    char p[256];
    const cm_node_t *v;
    if (n->type != CM_NODE_MAP)
        return cm_conf_error(conf, n, path, err, "expected a map of max_requests, max_age, churn");
    if (cm_conf_check_keys(conf, n, path, keys, err) != 0)
        return -1;
    if ((v = cm_conf_get(n, "max_requests")) &&
        get_u32(conf, v, cm_conf_path(p, sizeof(p), path, -1, "max_requests"), 0, 1000000000, &pol->max_requests, err))
        return -1;
    if ((v = cm_conf_get(n, "max_age")) &&
        cm_conf_duration(conf, v, cm_conf_path(p, sizeof(p), path, -1, "max_age"), &pol->max_age_ns, err))
        return -1;
    if ((v = cm_conf_get(n, "max_age")) && pol->max_age_ns != 0 && pol->max_age_ns < 1000000ull)
        return cm_conf_error(conf, v, p, err, "must be 0 (unlimited) or at least 1ms");
    if ((v = cm_conf_get(n, "churn")) &&
        cm_conf_bool(conf, v, cm_conf_path(p, sizeof(p), path, -1, "churn"), &pol->churn, err))
        return -1;
    if (pol->churn && (pol->max_requests != 0 || pol->max_age_ns != 0))
        return cm_conf_error(conf, n, path, err,
                             "churn opens a connection per request: it excludes max_requests and "
                             "max_age");
    return 0;
}

static int load_formats(hx_cfg_t *c, const cm_conf_t *conf, const cm_node_t *n, const char *path, cm_err_t *err)
{
    const char **names;
    size_t count;
    char p[256];
    if (cm_conf_str_list(conf, n, path, &names, &count, err) != 0)
        return -1;
    c->report_formats = 0;
    for (size_t i = 0; i < count; i++) {
        const cm_node_t *at = n->type == CM_NODE_SEQ ? n->items[i] : n;
        cm_conf_path(p, sizeof(p), path, n->type == CM_NODE_SEQ ? (int)i : -1, NULL);
        unsigned f;
        if (strcmp(names[i], "json") == 0)
            f = HX_FMT_JSON;
        else if (strcmp(names[i], "jsonl") == 0)
            f = HX_FMT_JSONL;
        else if (strcmp(names[i], "junit") == 0)
            f = HX_FMT_JUNIT;
        else if (strcmp(names[i], "html") == 0)
            f = HX_FMT_HTML;
        else
            return cm_conf_error(conf, at, p, err, "unknown format \"%s\" (expected json, jsonl, junit, html)",
                                 names[i]);
        /* [html, html] is most likely a slip for two different formats: say so rather than write one */
        if ((c->report_formats & f) != 0)
            return cm_conf_error(conf, at, p, err, "format \"%s\" is listed twice", names[i]);
        c->report_formats |= f;
    }
    return 0;
}

static int load_report(hx_cfg_t *c, const cm_conf_t *conf, const cm_node_t *n, cm_err_t *err)
{
    static const char *const keys[] = {"dir", "formats", "webhook", "exit_codes", NULL};
    char why[256];
    const cm_node_t *v;
    if (cm_conf_check_keys(conf, n, "report", keys, err) != 0)
        return -1;
    c->report_formats = HX_FMT_DEFAULT;
    c->report_dir = "reports/{{name}}-{{time}}";
    if ((v = cm_conf_get(n, "dir")) != NULL) {
        if (get_str(c, conf, v, "report.dir", &c->report_dir, err) != 0)
            return -1;
        if (hx_cfg_check_dir(c->report_dir, why, sizeof(why)) != 0)
            return cm_conf_error(conf, v, "report.dir", err, "%s", why);
    }
    if ((v = cm_conf_get(n, "formats")) != NULL && load_formats(c, conf, v, "report.formats", err) != 0)
        return -1;
    if ((v = cm_conf_get(n, "webhook")) != NULL) {
        if (get_str(c, conf, v, "report.webhook", &c->webhook_url, err) != 0)
            return -1;
        if (hx_cfg_check_webhook(c->webhook_url, why, sizeof(why)) != 0)
            return cm_conf_error(conf, v, "report.webhook", err, "%s", why);
    }
    if ((v = cm_conf_get(n, "exit_codes")) != NULL) {
        const char *s;
        if (cm_conf_str(conf, v, "report.exit_codes", &s, err) != 0)
            return -1;
        if (hx_exit_mode_parse(s, &c->exit_codes_detailed, why, sizeof(why)) != 0)
            return cm_conf_error(conf, v, "report.exit_codes", err, "%s", why);
    }
    return 0;
}

int hx_cfg_check_webhook(const char *url, char *err, size_t errlen)
{
    if ((strncmp(url, "http://", 7) != 0 && strncmp(url, "https://", 8) != 0) || strlen(url) > 2048 ||
        strpbrk(url, " \r\n") != NULL) {
        snprintf(err, errlen, "\"%.80s\" is not an http:// or https:// URL of at most 2048 bytes", url);
        return -1;
    }
    return 0;
}

/* ---- load: ------------------------------------------------------------------------------------------ */

/* load.target as a list of URLs: the router spreads the load over them. */
static int load_targets(hx_cfg_t *c, const cm_conf_t *conf, const cm_node_t *v, cm_err_t *err)
{
    char why[256];
    if (v->n < 1 || v->n > HX_MAX_TARGETS)
        return cm_conf_error(conf, v, "load.target", err, "expected 1 to %d URLs, got %zu", HX_MAX_TARGETS, v->n);
    const char **urls = cm_arena_alloc(&c->arena, v->n * sizeof(char *));
    for (size_t i = 0; i < v->n; i++) {
        const char *s;
        if (cm_conf_str(conf, v->items[i], "load.target", &s, err) != 0)
            return -1;
        if (hx_cfg_check_url(s, why, sizeof(why)) != 0)
            return cm_conf_error(conf, v->items[i], "load.target", err, "%s", why);
        urls[i] = hx_cfg_strdup(c, s);
    }
    c->targets = urls;
    c->ntargets = v->n;
    c->target = urls[0];
    return 0;
}

static int load_target(hx_cfg_t *c, const cm_conf_t *conf, const cm_node_t *v, cm_err_t *err)
{
    const char *s;
    char why[256];
    if (v->type == CM_NODE_SEQ)
        return load_targets(c, conf, v, err);
    if (cm_conf_str(conf, v, "load.target", &s, err) != 0)
        return -1;
    c->target_deployments = strcmp(s, "deployments") == 0;
    if (strcmp(s, "gateway") == 0 || strcmp(s, "deployments") == 0 || strstr(s, "{{") != NULL) {
        /* Kept as a message and raised only when --url does not replace it, so a scenario written for
         * `soak run` can still be pointed at a URL by `soak load`; `soak run` fills in target_template. */
        cm_err_t e;
        if (strstr(s, "{{") != NULL)
            cm_conf_error(conf, v, "load.target", &e,
                          "\"%s\" has placeholders that `soak run` fills in; run it with `soak run`, or pass --url", s);
        else if (c->target_deployments)
            cm_conf_error(conf, v, "load.target", &e,
                          "\"deployments\" is filled in by `soak run` (the mock's deployments); give URLs here or "
                          "pass --url");
        else
            cm_conf_error(conf, v, "load.target", &e,
                          "\"%s\" is for `soak run` (not available yet); give a URL here or pass --url", s);
        c->target_err = hx_cfg_strdup(c, e.msg);
        c->target_template = hx_cfg_strdup(c, s);
        c->target_node = v;
        return 0;
    }
    if (hx_cfg_check_url(s, why, sizeof(why)) != 0)
        return cm_conf_error(conf, v, "load.target", err, "%s", why);
    c->target = hx_cfg_strdup(c, s);
    return 0;
}

static int load_durations(hx_cfg_t *c, const cm_conf_t *conf, const cm_node_t *n, cm_err_t *err)
{
    const cm_node_t *v;
    if ((v = cm_conf_get(n, "timeout")) && get_dur(conf, v, "load.timeout", &c->timeout_ns, err))
        return -1;
    if (v != NULL && c->timeout_ns < 1000000ull)
        return cm_conf_error(conf, v, "load.timeout", err, "must be at least 1ms");
    if ((v = cm_conf_get(n, "drain")) && get_dur(conf, v, "load.drain", &c->drain_ns, err))
        return -1;
    c->drain_set = c->drain_set || v != NULL;
    if ((v = cm_conf_get(n, "interval")) && get_dur(conf, v, "load.interval", &c->interval_ns, err))
        return -1;
    if (v != NULL && c->interval_ns < 10000000ull)
        return cm_conf_error(conf, v, "load.interval", err, "must be at least 10ms");
    return 0;
}

/* load.router: {policy: shuffle | round-robin, cooldown: 5s, retries: 1} */
static int load_router(hx_cfg_t *c, const cm_conf_t *conf, const cm_node_t *n, cm_err_t *err)
{
    static const char *const keys[] = {"policy", "cooldown", "retries", NULL};
    const cm_node_t *v;
    if (n->type != CM_NODE_MAP)
        return cm_conf_error(conf, n, "load.router", err, "expected a map of policy, cooldown, retries");
    if (cm_conf_check_keys(conf, n, "load.router", keys, err) != 0)
        return -1;
    if ((v = cm_conf_get(n, "policy")) != NULL) {
        const char *p;
        if (cm_conf_str(conf, v, "load.router.policy", &p, err) != 0)
            return -1;
        if (strcmp(p, "shuffle") == 0)
            c->router.policy = HX_ROUTE_SHUFFLE;
        else if (strcmp(p, "round-robin") == 0)
            c->router.policy = HX_ROUTE_ROUND_ROBIN;
        else
            return cm_conf_error(conf, v, "load.router.policy", err,
                                 "unknown policy \"%s\" (expected shuffle or "
                                 "round-robin)",
                                 p);
    }
    if ((v = cm_conf_get(n, "cooldown")) != NULL) {
        if (get_dur(conf, v, "load.router.cooldown", &c->router.cooldown_ns, err))
            return -1;
        if (c->router.cooldown_ns > 600 * CM_NS_PER_S)
            return cm_conf_error(conf, v, "load.router.cooldown", err, "at most 10m");
    }
    if ((v = cm_conf_get(n, "retries")) != NULL &&
        get_u32(conf, v, "load.router.retries", 0, HX_ROUTER_RETRIES_MAX, &c->router.retries, err))
        return -1;
    return 0;
}

static int load_section(hx_cfg_t *c, const cm_conf_t *conf, const cm_node_t *n, cm_err_t *err)
{
    static const char *const keys[] = {"target",  "arrival", "requests", "threads",     "max_inflight",
                                       "timeout", "drain",   "interval", "connections", "headers",
                                       "api_key", "router",  "phases",      "warmup",
                                       "cooldown", "groups",  NULL};
    const cm_node_t *v;
    if (cm_conf_check_keys(conf, n, "load", keys, err) != 0)
        return -1;
    if ((v = cm_conf_get(n, "target")) && load_target(c, conf, v, err))
        return -1;
    if ((v = cm_conf_get(n, "arrival")) && hx_cfg_load_arrival(c, conf, v, err))
        return -1;
    if ((v = cm_conf_get(n, "router")) && load_router(c, conf, v, err))
        return -1;
    if ((v = cm_conf_get(n, "requests")) && hx_cfg_load_requests(c, conf, v, err))
        return -1;
    if ((v = cm_conf_get(n, "threads")) && get_u32(conf, v, "load.threads", 1, HX_MAX_THREADS, &c->threads, err))
        return -1;
    if ((v = cm_conf_get(n, "max_inflight")) &&
        get_u32(conf, v, "load.max_inflight", 1, 10000000, &c->max_inflight, err))
        return -1;
    if (load_durations(c, conf, n, err) != 0)
        return -1;
    if ((v = cm_conf_get(n, "connections")) && hx_cfg_load_connections(conf, v, "load.connections", &c->conn, err))
        return -1;
    if ((v = cm_conf_get(n, "headers")) &&
        hx_cfg_load_headers(c, conf, v, "load.headers", &c->headers, &c->nheaders, err))
        return -1;
    if ((v = cm_conf_get(n, "api_key")) && get_str(c, conf, v, "load.api_key", &c->api_key, err))
        return -1;
    char why[128];
    if (v != NULL && hx_api_key_check(c->api_key, why, sizeof(why)) != 0)
        return cm_conf_error(conf, v, "load.api_key", err, "%s", why);
    if (hx_cfg_load_groups(c, conf, n, err) != 0)
        return -1;
    return hx_cfg_load_phases(c, conf, n, err);
}

/* ---- top level -------------------------------------------------------------------------------------- */

static int load_expect(hx_cfg_t *c, const cm_conf_t *conf, const cm_node_t *n, cm_err_t *err)
{
    hx_expect_t *e = NULL;
    size_t count = 0;
    const char *groups[HX_MAX_GROUPS];
    for (size_t i = 0; i < c->ngroups; i++)
        groups[i] = c->groups[i].name;
    hx_expect_scopes_t scopes = {&c->phases, groups, c->groups_set ? c->ngroups : 0};
    if (hx_expect_parse(conf, n, "expect", &scopes, &e, &count, err) != 0)
        return -1;
    free(c->expects);
    c->expects = e;
    c->nexpects = count;
    c->expect_set = true;
    return 0;
}

/* slo: ["ttft<500ms", "tpot<50ms"]: every one must hold for a request to count as good (goodput). */
static int load_slo(hx_cfg_t *c, const cm_conf_t *conf, const cm_node_t *n, cm_err_t *err)
{
    hx_slo_t *v = NULL;
    size_t count = 0;
    if (hx_slo_parse_list(conf, n, "slo", &v, &count, err) != 0)
        return -1;
    free(c->slos);
    c->slos = v;
    c->nslos = count;
    return 0;
}

/* A seed is any 64-bit value, as --seed takes it (cm_conf_int stops at INT64_MAX). */
static int load_seed(hx_cfg_t *c, const cm_conf_t *conf, const cm_node_t *v, cm_err_t *err)
{
    char why[160];
    if (v->type != CM_NODE_SCALAR)
        return cm_conf_error(conf, v, "seed", err, "expected a whole number from 0 to %llu",
                             (unsigned long long)UINT64_MAX);
    if (cm_parse_u64(v->str, &c->seed, why, sizeof(why)) != 0)
        return cm_conf_error(conf, v, "seed", err, "%s", why);
    c->seed_set = true;
    return 0;
}

static int load_scalars(hx_cfg_t *c, const cm_conf_t *conf, const cm_node_t *root, cm_err_t *err)
{
    const cm_node_t *v;
    if ((v = cm_conf_get(root, "name")) && get_str(c, conf, v, "name", &c->name, err))
        return -1;
    if ((v = cm_conf_get(root, "seed")) && load_seed(c, conf, v, err))
        return -1;
    if ((v = cm_conf_get(root, "duration")) && get_dur(conf, v, "duration", &c->duration_ns, err))
        return -1;
    if (v != NULL && c->duration_ns == 0)
        return cm_conf_error(conf, v, "duration", err, "must be > 0");
    return 0;
}

int hx_cfg_load(hx_cfg_t *c, const cm_conf_t *conf, cm_err_t *err)
{
    const cm_node_t *root = conf->root, *v;
    c->file = hx_cfg_strdup(c, conf->file);
    if (root == NULL) {
        snprintf(err->msg, sizeof(err->msg), "%s: the file is empty", conf->file);
        return -1;
    }
    if (root->type != CM_NODE_MAP)
        return cm_conf_error(conf, root, NULL, err, "expected a map of name, seed, duration, load, expect, report");
    if (cm_conf_check_keys(conf, root, "", cm_scenario_keys, err) != 0 || load_scalars(c, conf, root, err) != 0)
        return -1;
    c->has_mock = cm_conf_get(root, "mock") != NULL;
    c->has_gateway = cm_conf_get(root, "gateway") != NULL || cm_conf_get(root, "services") != NULL ||
                     cm_conf_get(root, "proxies") != NULL || cm_conf_get(root, "changes") != NULL;
    c->has_load = cm_conf_get(root, "load") != NULL;
    if ((v = cm_conf_get(root, "load")) && load_section(c, conf, v, err))
        return -1;
    if ((v = cm_conf_get(root, "expect")) && load_expect(c, conf, v, err))
        return -1;
    if ((v = cm_conf_get(root, "slo")) && load_slo(c, conf, v, err))
        return -1;
    if ((v = cm_conf_get(root, "report")) && load_report(c, conf, v, err))
        return -1;
    return hx_cfg_check_capacity(c, conf, err);
}

int hx_cfg_load_file(hx_cfg_t *c, const char *path, const char *const *sets, size_t nsets, cm_err_t *err)
{
    cm_conf_t conf;
    int rc = cm_conf_load_file(&conf, path, err);
    if (rc == 0)
        rc = cm_conf_set_all(&conf, sets, nsets, err);
    if (rc == 0)
        rc = hx_cfg_load(c, &conf, err);
    cm_conf_free(&conf);
    return rc;
}
