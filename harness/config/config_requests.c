#include <stdio.h>
#include <string.h>

#include "harness/config/config.h"

/* load.requests: each item is a request template. Values are validated here, at their nodes, even though
 * hx_workload_init checks them again, so that a mistake is reported at its line rather than by index. An
 * `api: http` template has keys of its own (config_http.c); each kind refuses the other's keys. */

static const char *const request_keys[] = {
    "name",       "weight", "api",     "model",   "stream",           "include_usage",     "prompt", "repeat", "input",
    "max_tokens", "user",   "headers", "api_key", "reasoning_effort", "reasoning_summary", NULL};
static const char *const http_keys[] = {"name", "weight", "api",      "method",  "path",    "base", "expect_status",
                                        "json", "body",   "contains", "headers", "api_key", NULL};

void hx_reqspec_defaults(hx_reqspec_t *s)
{
    static const char *const default_models[] = {HX_DEFAULT_MODEL};
    memset(s, 0, sizeof(*s));
    s->api = HX_DEFAULT_API;
    s->weight = 1;
    s->models = default_models;
    s->nmodels = 1;
    s->include_usage = -1;
    s->prompt = HX_DEFAULT_PROMPT;
    s->repeat = 1;
    s->max_tokens = -1;
    s->method = -1;
}

static int read_api(hx_cfg_t *c, const cm_conf_t *conf, const cm_node_t *v, const char *path, hx_reqspec_t *s,
                    cm_err_t *err)
{
    const char *name;
    if (cm_conf_str(conf, v, path, &name, err) != 0)
        return -1;
    if (hx_api_find(name) == NULL)
        return cm_conf_error(conf, v, path, err, "unknown api \"%s\" (expected one of %s)", name, hx_api_list());
    s->api = hx_cfg_strdup(c, name);
    return 0;
}

static int read_template(hx_cfg_t *c, const cm_conf_t *conf, const cm_node_t *v, const char *path, const char **out,
                         cm_err_t *err)
{
    const char *text;
    char why[256];
    hx_tmpl_t t;
    if (cm_conf_str(conf, v, path, &text, err) != 0)
        return -1;
    if (hx_tmpl_compile(&t, text, why, sizeof(why)) != 0)
        return cm_conf_error(conf, v, path, err, "%s", why);
    hx_tmpl_free(&t);
    *out = hx_cfg_strdup(c, text);
    return 0;
}

static int read_models(hx_cfg_t *c, const cm_conf_t *conf, const cm_node_t *v, const char *path, hx_reqspec_t *s,
                       cm_err_t *err)
{
    const char **names;
    size_t n;
    if (cm_conf_str_list(conf, v, path, &names, &n, err) != 0)
        return -1;
    if (n == 0)
        return cm_conf_error(conf, v, path, err, "at least one model is required");
    const char **copy = cm_arena_alloc(&c->arena, n * sizeof(char *));
    for (size_t i = 0; i < n; i++)
        copy[i] = hx_cfg_strdup(c, names[i]);
    s->models = copy;
    s->nmodels = n;
    return 0;
}

static int read_flags(const cm_conf_t *conf, const cm_node_t *it, const char *path, hx_reqspec_t *s, cm_err_t *err)
{
    char p[256];
    const cm_node_t *v;
    bool b;
    if ((v = cm_conf_get(it, "stream")) &&
        cm_conf_bool(conf, v, cm_conf_path(p, sizeof(p), path, -1, "stream"), &s->stream, err))
        return -1;
    if (s->stream && !hx_api_find(s->api)->streams)
        return cm_conf_error(conf, v, p, err, "%s cannot stream", s->api);
    if ((v = cm_conf_get(it, "include_usage")) != NULL) {
        if (cm_conf_bool(conf, v, cm_conf_path(p, sizeof(p), path, -1, "include_usage"), &b, err) != 0)
            return -1;
        s->include_usage = b;
    }
    return 0;
}

static int read_numbers(const cm_conf_t *conf, const cm_node_t *it, const char *path, hx_reqspec_t *s, cm_err_t *err)
{
    char p[256];
    const cm_node_t *v;
    int64_t n;
    if ((v = cm_conf_get(it, "weight")) != NULL) {
        if (cm_conf_double(conf, v, cm_conf_path(p, sizeof(p), path, -1, "weight"), &s->weight, err) != 0)
            return -1;
        if (!(s->weight > 0) || s->weight > 1e12)
            return cm_conf_error(conf, v, p, err, "must be a number > 0");
    }
    if ((v = cm_conf_get(it, "repeat")) != NULL) {
        if (cm_conf_int(conf, v, cm_conf_path(p, sizeof(p), path, -1, "repeat"), 1, 100000, &n, err) != 0)
            return -1;
        s->repeat = (uint32_t)n;
    }
    if ((v = cm_conf_get(it, "max_tokens")) != NULL) {
        if (cm_conf_int(conf, v, cm_conf_path(p, sizeof(p), path, -1, "max_tokens"), 0, 100000000, &n, err) != 0)
            return -1;
        if (hx_api_find(s->api)->max_tokens_key == NULL)
            return cm_conf_error(conf, v, p, err, "%s has no output length", s->api);
        s->max_tokens = n;
    }
    return 0;
}

/* reasoning_effort: one of the efforts OpenAI knows, on an API that carries it. The static string is kept. */
static int read_reasoning(const cm_conf_t *conf, const cm_node_t *it, const char *path, hx_reqspec_t *s, cm_err_t *err)
{
    char p[256], why[96];
    const char *str;
    const cm_node_t *v = cm_conf_get(it, "reasoning_effort");
    if (v == NULL)
        return 0;
    if (cm_conf_str(conf, v, cm_conf_path(p, sizeof(p), path, -1, "reasoning_effort"), &str, err) != 0)
        return -1;
    if ((s->reasoning_effort = hx_reasoning_effort(str, why, sizeof(why))) == NULL)
        return cm_conf_error(conf, v, p, err, "%s", why);
    if (!hx_api_takes_reasoning(hx_api_find(s->api)))
        return cm_conf_error(conf, v, p, err,
                             "%s has no reasoning effort (openai.chat, azure.chat, openai.responses "
                             "and azure.responses do)",
                             s->api);
    return 0;
}

/* reasoning_summary: auto, concise or detailed, on an API that can show its reasoning. */
static int read_summary(const cm_conf_t *conf, const cm_node_t *it, const char *path, hx_reqspec_t *s, cm_err_t *err)
{
    char p[256], why[96];
    const char *str;
    const cm_node_t *v = cm_conf_get(it, "reasoning_summary");
    if (v == NULL)
        return 0;
    if (cm_conf_str(conf, v, cm_conf_path(p, sizeof(p), path, -1, "reasoning_summary"), &str, err) != 0)
        return -1;
    if ((s->reasoning_summary = hx_reasoning_summary(str, why, sizeof(why))) == NULL)
        return cm_conf_error(conf, v, p, err, "%s", why);
    if (!hx_api_takes_summary(hx_api_find(s->api)))
        return cm_conf_error(conf, v, p, err,
                             "%s has no reasoning summary (openai.responses, azure.responses, gemini.generate "
                             "and vertex.generate do)",
                             s->api);
    return 0;
}

static int read_strings(hx_cfg_t *c, const cm_conf_t *conf, const cm_node_t *it, const char *path, hx_reqspec_t *s,
                        cm_err_t *err)
{
    char p[256];
    const cm_node_t *v;
    const char *str;
    if ((v = cm_conf_get(it, "prompt")) &&
        read_template(c, conf, v, cm_conf_path(p, sizeof(p), path, -1, "prompt"), &s->prompt, err))
        return -1;
    if ((v = cm_conf_get(it, "input")) != NULL) {
        if (read_template(c, conf, v, cm_conf_path(p, sizeof(p), path, -1, "input"), &s->input, err) != 0)
            return -1;
        if (!hx_api_find(s->api)->takes_input)
            return cm_conf_error(conf, v, p, err, "%s takes a prompt, not an input", s->api);
    }
    if ((v = cm_conf_get(it, "name")) != NULL) {
        if (cm_conf_str(conf, v, cm_conf_path(p, sizeof(p), path, -1, "name"), &str, err) != 0)
            return -1;
        s->name = hx_cfg_strdup(c, str);
    }
    if ((v = cm_conf_get(it, "user")) != NULL) {
        if (cm_conf_str(conf, v, cm_conf_path(p, sizeof(p), path, -1, "user"), &str, err) != 0)
            return -1;
        s->user = hx_cfg_strdup(c, str);
    }
    if ((v = cm_conf_get(it, "api_key")) != NULL) {
        char why[128];
        if (cm_conf_str(conf, v, cm_conf_path(p, sizeof(p), path, -1, "api_key"), &str, err) != 0)
            return -1;
        if (hx_api_key_check(str, why, sizeof(why)) != 0)
            return cm_conf_error(conf, v, p, err, "%s", why);
        s->api_key = hx_cfg_strdup(c, str);
    }
    return read_reasoning(conf, it, path, s, err) != 0 ? -1 : read_summary(conf, it, path, s, err);
}

/* A key of one kind written on a template of the other is named as such rather than as unknown. */
static int wrong_kind(const cm_conf_t *conf, const cm_node_t *it, const char *path, bool http, cm_err_t *err)
{
    const char *const *mine = http ? http_keys : request_keys, *const *theirs = http ? request_keys : http_keys;
    char p[256];
    for (size_t k = 0; theirs[k] != NULL; k++) {
        const cm_node_t *v = cm_conf_get(it, theirs[k]);
        bool shared = false;
        for (size_t m = 0; mine[m] != NULL && !shared; m++)
            shared = strcmp(mine[m], theirs[k]) == 0;
        if (v == NULL || shared)
            continue;
        cm_conf_path(p, sizeof(p), path, -1, theirs[k]);
        return cm_conf_error(conf, v, p, err,
                             http ? "not for api: http (it sends its body as written)" : "only for api: http");
    }
    return cm_conf_check_keys(conf, it, path, mine, err);
}

static int load_request(hx_cfg_t *c, const cm_conf_t *conf, const cm_node_t *it, const char *path, hx_reqspec_t *s,
                        cm_err_t *err)
{
    char p[256];
    const cm_node_t *v;
    hx_reqspec_defaults(s);
    if ((v = cm_conf_get(it, "api")) && read_api(c, conf, v, cm_conf_path(p, sizeof(p), path, -1, "api"), s, err))
        return -1;
    bool http = strcmp(s->api, "http") == 0;
    if (wrong_kind(conf, it, path, http, err) != 0)
        return -1;
    if ((v = cm_conf_get(it, "model")) &&
        read_models(c, conf, v, cm_conf_path(p, sizeof(p), path, -1, "model"), s, err))
        return -1;
    if (read_flags(conf, it, path, s, err) || read_numbers(conf, it, path, s, err) ||
        read_strings(c, conf, it, path, s, err))
        return -1;
    if ((v = cm_conf_get(it, "headers")) != NULL) {
        const char **h;
        if (hx_cfg_load_headers(c, conf, v, cm_conf_path(p, sizeof(p), path, -1, "headers"), &h, &s->nheaders, err))
            return -1;
        s->headers = h;
    }
    return http ? hx_cfg_load_http(c, conf, it, path, s, err) : 0;
}

int hx_cfg_load_requests(hx_cfg_t *c, const cm_conf_t *conf, const cm_node_t *n, cm_err_t *err)
{
    c->reqs = NULL;
    c->nreqs = 0;
    return hx_cfg_append_requests(c, conf, n, "load.requests", err);
}

int hx_cfg_append_requests(hx_cfg_t *c, const cm_conf_t *conf, const cm_node_t *n, const char *path, cm_err_t *err)
{
    char p[256];
    if (n->type != CM_NODE_SEQ || n->n == 0)
        return cm_conf_error(conf, n, path, err, "expected a non-empty list of request templates");
    if (n->n > HX_MAX_REQUESTS - c->nreqs)
        return cm_conf_error(conf, n, path, err, "%zu templates (at most %d in a run)", c->nreqs + n->n,
                             HX_MAX_REQUESTS);
    hx_reqspec_t *all = cm_arena_alloc(&c->arena, (c->nreqs + n->n) * sizeof(hx_reqspec_t));
    if (c->nreqs > 0)
        memcpy(all, c->reqs, c->nreqs * sizeof(hx_reqspec_t));
    for (size_t i = 0; i < n->n; i++) {
        size_t tmpls = c->npath_tmpls;
        if (load_request(c, conf, n->items[i], cm_conf_path(p, sizeof(p), path, (int)i, NULL), &all[c->nreqs + i],
                         err) != 0)
            return -1;
        for (size_t t = tmpls; t < c->npath_tmpls; t++)
            c->path_tmpls[t].req = c->nreqs + i;
    }
    c->reqs = all;
    c->nreqs += n->n;
    return 0;
}
