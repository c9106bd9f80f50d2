/* One entry of mock.deployments. Split from config.c so that each file reads in one sitting. */
#include "mock-provider/config.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/alloc.h"
#include "faults/fault.h"
#include "mock-provider/provider.h"
#include "mock-provider/quota/quota_config.h"

static const char *const dep_keys[] = {"name",         "provider",      "listen",  "models",     "api_keys",
                                       "latency",      "output_tokens", "content", "tool_calls", "embedding_dimensions",
                                       "max_response", "seed",          "limits",  "faults",     "tokens_per_chunk",
                                       "reasoning",    NULL};
static const char *const required_keys[] = {"name", NULL};
static const char *const latency_keys[] = {"ttft", "itl", "prefill_per_token", NULL};

/* Shared by the readers below: where we are and where errors go. */
typedef struct reader {
    const cm_conf_t *conf;
    const cm_node_t *node;
    char path[64]; /* "mock.deployments[3]" */
    cm_err_t *err;
} reader_t;

static const char *child(const reader_t *r, const char *key, char *buf, size_t n)
{
    return cm_conf_path(buf, n, r->path, -1, key);
}

static int read_name(const reader_t *r, const mp_config_t *c, const char **name)
{
    char p[96], why[160];
    const cm_node_t *n = cm_conf_get(r->node, "name");
    if (cm_conf_str(r->conf, n, child(r, "name", p, sizeof(p)), name, r->err) != 0)
        return -1;
    if (mp_check_name(*name, why, sizeof(why)) != 0)
        return cm_conf_error(r->conf, n, p, r->err, "%s", why);
    for (size_t i = 0; i < c->ndeps; i++)
        if (strcmp(c->deps[i].name, *name) == 0)
            return cm_conf_error(r->conf, n, p, r->err, "duplicate deployment name \"%s\" (also mock.deployments[%zu])",
                                 *name, i);
    return 0;
}

/* provider: one of the registry's names (providers/provider.c). */
static int read_provider(const reader_t *r, mp_deployment_t *d)
{
    char p[96], served[128];
    const char *s;
    const cm_node_t *n = cm_conf_get(r->node, "provider");
    if (n == NULL)
        return 0;
    if (cm_conf_str(r->conf, n, child(r, "provider", p, sizeof(p)), &s, r->err) != 0)
        return -1;
    if (mp_provider_named(s, &d->provider))
        return 0;
    mp_provider_names(served, sizeof(served));
    return cm_conf_error(r->conf, n, p, r->err, "unknown provider \"%s\" (supported: %s)", s, served);
}

/* The keys of a deployment: the common ones and its provider's own. */
#define MAX_DEP_KEYS 48

static bool listed(const char *const *keys, const char *k)
{
    for (; keys != NULL && *keys != NULL; keys++)
        if (strcmp(*keys, k) == 0)
            return true;
    return false;
}

/* A key of another provider's deployments says so, rather than only "unknown key". */
static int check_foreign_keys(const reader_t *r, const mp_deployment_t *d)
{
    const mp_provider_t *own = mp_provider_for(d->provider);
    for (size_t i = 0; r->node->type == CM_NODE_MAP && i < r->node->n; i++) {
        const char *k = r->node->keys[i]->str;
        if (listed(dep_keys, k) || listed(own->config_keys, k))
            continue;
        for (unsigned p = 0; p < MP_PROVIDER__COUNT; p++) {
            const mp_provider_t *other = mp_provider_for((mp_provider_kind_t)p);
            if (listed(other->config_keys, k))
                return cm_conf_error(r->conf, r->node->keys[i], r->path, r->err,
                                     "\"%s\" is a setting of %s deployments, and this one's provider is %s", k,
                                     other->name, own->name);
        }
    }
    return 0;
}

static int check_keys(const reader_t *r, const mp_deployment_t *d)
{
    if (check_foreign_keys(r, d) != 0)
        return -1;
    const char *keys[MAX_DEP_KEYS];
    size_t n = 0;
    for (const char *const *k = dep_keys; *k != NULL && n + 1 < MAX_DEP_KEYS; k++)
        keys[n++] = *k;
    const mp_provider_t *ops = mp_provider_for(d->provider);
    for (const char *const *k = ops->config_keys; k != NULL && *k != NULL && n + 1 < MAX_DEP_KEYS; k++)
        keys[n++] = *k;
    keys[n] = NULL;
    return cm_conf_check_keys(r->conf, r->node, r->path, keys, r->err);
}

static int read_provider_config(const reader_t *r, mp_deployment_t *d)
{
    const mp_provider_t *ops = mp_provider_for(d->provider);
    if (ops->read_config == NULL)
        return 0;
    return ops->read_config(r->conf, r->node, r->path, d, r->err);
}

static int read_listen(const reader_t *r, const mp_config_t *c, mp_deployment_t *d)
{
    char p[96], host[64], why[200];
    const char *s;
    const cm_node_t *n = cm_conf_get(r->node, "listen");
    if (n == NULL)
        return 0;
    if (cm_conf_str(r->conf, n, child(r, "listen", p, sizeof(p)), &s, r->err) != 0)
        return -1;
    if (mp_parse_listen(s, host, sizeof(host), &d->listen_port, why, sizeof(why)) != 0)
        return cm_conf_error(r->conf, n, p, r->err, "%s", why);
    free(d->listen_host);
    d->listen_host = cm_xstrdup(host);
    for (size_t i = 0; d->listen_port != 0 && i < c->ndeps; i++) {
        const mp_deployment_t *o = &c->deps[i];
        if (o != d && o->listen_port == d->listen_port && strcmp(o->listen_host, d->listen_host) == 0)
            return cm_conf_error(r->conf, n, p, r->err, "%s is already the listen address of deployment \"%s\"", s,
                                 o->name);
    }
    return 0;
}

static int read_strv(const reader_t *r, const char *key, size_t max, char ***out, size_t *count)
{
    char p[96];
    const char **items;
    size_t n;
    const cm_node_t *node = cm_conf_get(r->node, key);
    if (node == NULL)
        return 0;
    if (cm_conf_str_list(r->conf, node, child(r, key, p, sizeof(p)), &items, &n, r->err) != 0)
        return -1;
    if (n > max) /* before the duplicate check, which is quadratic */
        return cm_conf_error(r->conf, node, p, r->err, "%zu items; at most %zu", n, max);
    for (size_t i = 0; i < n; i++) {
        const cm_node_t *item = node->type == CM_NODE_SEQ ? node->items[i] : node;
        if (items[i][0] == '\0')
            return cm_conf_error(r->conf, item, p, r->err, "item %zu is an empty string", i);
        for (size_t j = 0; j < i; j++)
            if (strcmp(items[i], items[j]) == 0)
                return cm_conf_error(r->conf, item, p, r->err, "\"%s\" is listed twice", items[i]);
    }
    *out = cm_xcalloc(n ? n : 1, sizeof(char *));
    for (size_t i = 0; i < n; i++)
        (*out)[i] = cm_xstrdup(items[i]);
    *count = n;
    return 0;
}

/* In YAML flow style ({...}) a comma ends a value, so `{ttft: lognormal(80ms, 0.3)}` reads as ttft:
 * "lognormal(80ms" plus a key "0.3)" with no value. That is easy to write (it looks like a call), so it
 * gets a message of its own instead of "unknown key". */
static int check_split_dist(const reader_t *r, const cm_node_t *map, const char *path)
{
    if (map == NULL || map->type != CM_NODE_MAP)
        return 0;
    for (size_t i = 0; i < map->n; i++) {
        const char *k = map->keys[i]->str;
        size_t n = strlen(k);
        if (n > 0 && k[n - 1] == ')' && strchr(k, '(') == NULL && map->items[i]->type == CM_NODE_NULL)
            return cm_conf_error(r->conf, map->keys[i], path, r->err,
                                 "\"%s\" looks like the end of a distribution cut at a comma: inside {...} quote "
                                 "distributions that contain commas, e.g. {ttft: \"lognormal(80ms, 0.3)\"}",
                                 k);
    }
    return 0;
}

static int read_dist(const reader_t *r, const cm_node_t *map, const char *parent, const char *key, cm_dist_unit_t unit,
                     cm_dist_t *out)
{
    char p[128];
    const cm_node_t *n = cm_conf_get(map, key);
    if (n == NULL)
        return 0;
    return cm_conf_dist(r->conf, n, cm_conf_path(p, sizeof(p), parent, -1, key), unit, out, r->err);
}

static int read_latency(const reader_t *r, mp_deployment_t *d)
{
    char p[96];
    const cm_node_t *n = cm_conf_get(r->node, "latency");
    if (n == NULL)
        return 0;
    child(r, "latency", p, sizeof(p));
    if (check_split_dist(r, n, p) != 0 || cm_conf_check_keys(r->conf, n, p, latency_keys, r->err) != 0)
        return -1;
    if (read_dist(r, n, p, "ttft", CM_DIST_DURATION, &d->ttft) != 0 ||
        read_dist(r, n, p, "itl", CM_DIST_DURATION, &d->itl) != 0 ||
        read_dist(r, n, p, "prefill_per_token", CM_DIST_DURATION, &d->prefill_per_token) != 0)
        return -1;
    return 0;
}

static int read_content(const reader_t *r, mp_deployment_t *d)
{
    char p[96];
    const char *s;
    const cm_node_t *n = cm_conf_get(r->node, "content");
    if (n == NULL)
        return 0;
    if (cm_conf_str(r->conf, n, child(r, "content", p, sizeof(p)), &s, r->err) != 0)
        return -1;
    if (strcmp(s, "pool") == 0)
        d->content = MP_CONTENT_POOL;
    else if (strcmp(s, "echo") == 0)
        d->content = MP_CONTENT_ECHO;
    else
        return cm_conf_error(r->conf, n, p, r->err, "unknown content mode \"%s\" (expected pool or echo)", s);
    return 0;
}

/* tool_calls: true (always call when tools are offered, unless answering a tool result), false, or
 * {auto: 50%, parallel: 3}: call with that probability when tool_choice is auto (default 100%), and up to
 * that many functions in one answer when the request allows parallel calls (default 1). */
static int read_tool_calls(const reader_t *r, const cm_node_t *n, mp_deployment_t *d)
{
    static const char *const keys[] = {"auto", "parallel", NULL};
    char p[96], pa[112];
    bool b;
    child(r, "tool_calls", p, sizeof(p));
    if (n->type != CM_NODE_MAP) {
        if (cm_conf_bool(r->conf, n, p, &b, r->err) != 0)
            return -1;
        d->tool_auto = b ? 1.0 : 0.0;
    } else {
        const cm_node_t *a = cm_conf_get(n, "auto"), *par = cm_conf_get(n, "parallel");
        int64_t most = 1;
        if (cm_conf_check_keys(r->conf, n, p, keys, r->err) != 0)
            return -1;
        if (a == NULL && par == NULL)
            return cm_conf_error(r->conf, n, p, r->err,
                                 "expected true, false or {auto: PERCENT, parallel: N} (at least one key)");
        snprintf(pa, sizeof(pa), "%s.auto", p);
        d->tool_auto = 1.0;
        if (a != NULL && cm_conf_percent(r->conf, a, pa, &d->tool_auto, r->err) != 0)
            return -1;
        snprintf(pa, sizeof(pa), "%s.parallel", p);
        if (par != NULL && cm_conf_int(r->conf, par, pa, 1, MP_MAX_PARALLEL_CALLS, &most, r->err) != 0)
            return -1;
        d->tool_parallel = (uint8_t)most;
    }
    d->tool_calls = d->tool_auto > 0;
    return 0;
}

static int read_numbers(const reader_t *r, mp_deployment_t *d)
{
    char p[96];
    const cm_node_t *n;
    int64_t v;
    if ((n = cm_conf_get(r->node, "tool_calls")) != NULL && read_tool_calls(r, n, d) != 0)
        return -1;
    if ((n = cm_conf_get(r->node, "embedding_dimensions")) != NULL) {
        if (cm_conf_int(r->conf, n, child(r, "embedding_dimensions", p, sizeof(p)), 1, MP_MAX_EMBEDDING_DIMS, &v,
                        r->err) != 0)
            return -1;
        d->embedding_dimensions = (uint32_t)v;
    }
    if ((n = cm_conf_get(r->node, "max_response")) != NULL) {
        uint64_t bytes;
        if (cm_conf_size(r->conf, n, child(r, "max_response", p, sizeof(p)), &bytes, r->err) != 0)
            return -1;
        if (bytes < MP_MIN_MAX_RESPONSE || bytes > MP_MAX_MAX_RESPONSE)
            return cm_conf_error(r->conf, n, p, r->err, "must be from 64KiB to 1GiB");
        d->max_response = bytes;
    }
    if ((n = cm_conf_get(r->node, "seed")) != NULL) {
        if (cm_conf_int(r->conf, n, child(r, "seed", p, sizeof(p)), 0, INT64_MAX, &v, r->err) != 0)
            return -1;
        d->seed = (uint64_t)v;
    }
    if ((n = cm_conf_get(r->node, "output_tokens")) != NULL &&
        cm_conf_dist(r->conf, n, child(r, "output_tokens", p, sizeof(p)), CM_DIST_COUNT, &d->output_tokens, r->err) !=
            0)
        return -1;
    if ((n = cm_conf_get(r->node, "reasoning")) != NULL &&
        cm_conf_bool(r->conf, n, child(r, "reasoning", p, sizeof(p)), &d->reasoning, r->err) != 0)
        return -1;
    if ((n = cm_conf_get(r->node, "tokens_per_chunk")) != NULL &&
        cm_conf_dist(r->conf, n, child(r, "tokens_per_chunk", p, sizeof(p)), CM_DIST_COUNT, &d->tokens_per_chunk,
                     r->err) != 0)
        return -1;
    return 0;
}

/* limits: rpm, tpm, window, per_key, concurrency, queue, retry_after, charge (quota_config.h). */
static int read_limits(const reader_t *r, mp_deployment_t *d)
{
    char p[96];
    const cm_node_t *n = cm_conf_get(r->node, "limits");
    if (n == NULL)
        return 0;
    if (mp_quota_config_read(r->conf, n, child(r, "limits", p, sizeof(p)), &d->limits, r->err) != 0)
        return -1;
    d->limited = true;
    return 0;
}

static int read_faults(const reader_t *r, mp_deployment_t *d)
{
    const cm_node_t *n = cm_conf_get(r->node, "faults");
    char p[96];
    if (n == NULL)
        return 0;
    fx_set_t *set = cm_xcalloc(1, sizeof(*set));
    if (fx_parse(r->conf, n, child(r, "faults", p, sizeof(p)), d->seed, set, r->err) != 0) {
        fx_set_free(set);
        free(set);
        return -1;
    }
    d->faults = set;
    return 0;
}

int mp_config_load_deployment(mp_config_t *c, const cm_conf_t *conf, const cm_node_t *node, int index, cm_err_t *err)
{
    char path[64];
    cm_conf_path(path, sizeof(path), "mock.deployments", index, NULL);
    return mp_config_read_deployment(c, conf, node, path, err);
}

/* The source as JSON: what the admin API shows and merges updates into. A document so large that its JSON
 * passes MP_SOURCE_MAX (aliases written out) is refused rather than kept. */
#define MP_SOURCE_MAX (4u * 1024 * 1024)

static int keep_source(const reader_t *r, mp_deployment_t *d)
{
    cm_buf_t b = CM_BUF_INIT;
    if (cm_conf_write_json(&b, r->node, MP_SOURCE_MAX) != 0) {
        cm_buf_free(&b);
        return cm_conf_error(r->conf, r->node, r->path, r->err, "the deployment is larger than %u bytes as JSON",
                             MP_SOURCE_MAX);
    }
    d->source = cm_buf_detach(&b);
    return 0;
}

int mp_config_read_deployment(mp_config_t *c, const cm_conf_t *conf, const cm_node_t *node, const char *path,
                              cm_err_t *err)
{
    reader_t r = {.conf = conf, .node = node, .err = err};
    snprintf(r.path, sizeof(r.path), "%s", path);
    const char *name;
    mp_deployment_t probe = {.provider = MP_PROVIDER_OPENAI};
    if (check_split_dist(&r, node, r.path) != 0 || cm_conf_require_keys(conf, node, r.path, required_keys, err) != 0 ||
        read_provider(&r, &probe) != 0 || check_keys(&r, &probe) != 0 || read_name(&r, c, &name) != 0)
        return -1;
    mp_deployment_t *d = mp_config_add_deployment(c, name);
    d->provider = probe.provider;
    if (read_provider_config(&r, d) != 0 || read_listen(&r, c, d) != 0 ||
        read_strv(&r, "models", MP_MAX_MODELS, &d->models, &d->nmodels) != 0 ||
        read_strv(&r, "api_keys", MP_MAX_API_KEYS, &d->api_keys, &d->nkeys) != 0 || read_latency(&r, d) != 0 ||
        read_content(&r, d) != 0 || read_numbers(&r, d) != 0 || read_limits(&r, d) != 0 || read_faults(&r, d) != 0 ||
        keep_source(&r, d) != 0)
        return -1;
    return 0;
}
