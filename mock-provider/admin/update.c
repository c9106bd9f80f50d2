#include "mock-provider/admin/update.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mock-provider/config.h"
#include "mock-provider/provider.h"

#define CURRENT "current configuration"

/* Nodes of the current source are named as such in errors (their positions are in a text nobody sent). */
static void mark_current(cm_node_t *n, int depth)
{
    if (n == NULL || depth > CM_CONF_JSON_MAX_DEPTH || n->origin != NULL)
        return;
    n->origin = CURRENT;
    for (size_t i = 0; (n->type == CM_NODE_MAP || n->type == CM_NODE_SEQ) && i < n->n; i++)
        mark_current(n->items[i], depth + 1);
}

static cm_node_t *scalar(cm_arena_t *a, const char *s)
{
    cm_node_t *n = cm_arena_alloc(a, sizeof(*n));
    memset(n, 0, sizeof(*n));
    n->type = CM_NODE_SCALAR;
    n->str = s;
    return n;
}

static cm_node_t *new_map(cm_arena_t *a, size_t cap)
{
    cm_node_t *m = cm_arena_alloc(a, sizeof(*m));
    memset(m, 0, sizeof(*m));
    m->type = CM_NODE_MAP;
    m->keys = cm_arena_alloc(a, (cap ? cap : 1) * sizeof(cm_node_t *));
    m->items = cm_arena_alloc(a, (cap ? cap : 1) * sizeof(cm_node_t *));
    return m;
}

static void put(cm_node_t *m, cm_node_t *k, cm_node_t *v)
{
    m->keys[m->n] = k;
    m->items[m->n] = v;
    m->n++;
}

static const cm_node_t *lookup(const cm_node_t *map, const char *key)
{
    return map != NULL && map->type == CM_NODE_MAP ? cm_conf_get(map, key) : NULL;
}

/* RFC 7386 when deep; one level (keys replaced whole) otherwise. A null value removes the key. */
static cm_node_t *merge(cm_arena_t *a, cm_node_t *base, cm_node_t *patch, bool deep, int depth)
{
    if (patch == NULL)
        return base;
    if (base == NULL || base->type != CM_NODE_MAP || patch->type != CM_NODE_MAP || depth > CM_CONF_JSON_MAX_DEPTH)
        return patch;
    cm_node_t *m = new_map(a, base->n + patch->n);
    for (size_t i = 0; i < base->n; i++) {
        const char *k = base->keys[i]->str;
        cm_node_t *pv = (cm_node_t *)lookup(patch, k);
        if (pv == NULL)
            put(m, base->keys[i], base->items[i]);
        else if (pv->type != CM_NODE_NULL)
            put(m, base->keys[i], deep ? merge(a, base->items[i], pv, deep, depth + 1) : pv);
    }
    for (size_t i = 0; i < patch->n; i++)
        if (lookup(base, patch->keys[i]->str) == NULL && patch->items[i]->type != CM_NODE_NULL)
            put(m, patch->keys[i], patch->items[i]);
    return m;
}

static const char *text_of(const cm_node_t *n)
{
    return n != NULL && n->type == CM_NODE_SCALAR && n->str != NULL ? n->str : NULL;
}

static bool same_json(const cm_node_t *a, const cm_node_t *b)
{
    cm_buf_t x = CM_BUF_INIT, y = CM_BUF_INIT;
    bool same = cm_conf_write_json(&x, a, MP_ADMIN_MAX_BODY * 4) == 0 &&
                cm_conf_write_json(&y, b, MP_ADMIN_MAX_BODY * 4) == 0 && x.len == y.len &&
                (x.len == 0 || memcmp(x.data, y.data, x.len) == 0);
    cm_buf_free(&x);
    cm_buf_free(&y);
    return same;
}

/* name, provider, models and listen of body, when given, must be those of cur. */
static int check_fixed(const cm_conf_t *conf, const cm_node_t *body, const mp_deployment_t *cur,
                       const cm_node_t *cur_root, cm_err_t *err)
{
    static const char *const fixed = "it cannot change at runtime (restart the mock with a new configuration)";
    const cm_node_t *n;
    if ((n = lookup(body, "name")) != NULL && (text_of(n) == NULL || strcmp(text_of(n), cur->name) != 0))
        return cm_conf_error(conf, n, "name", err, "the deployment is \"%s\": %s", cur->name, fixed);
    if ((n = lookup(body, "provider")) != NULL) {
        mp_provider_kind_t k;
        if (text_of(n) == NULL || !mp_provider_named(text_of(n), &k) || k != cur->provider)
            return cm_conf_error(conf, n, "provider", err, "the provider is %s: %s", cur->ops->name, fixed);
    }
    /* Metric label slots are laid out from the configuration's model list when the server starts. */
    if ((n = lookup(body, "models")) != NULL && !same_json(n, lookup(cur_root, "models")))
        return cm_conf_error(conf, n, "models", err, "the model list sets the metrics' label slots: %s", fixed);
    if ((n = lookup(body, "listen")) != NULL) {
        const char *s = text_of(n), *was = text_of(lookup(cur_root, "listen"));
        char host[64], why[200];
        uint16_t port = 0;
        bool same = s != NULL && ((was != NULL && strcmp(s, was) == 0) ||
                                  (mp_parse_listen(s, host, sizeof(host), &port, why, sizeof(why)) == 0 &&
                                   strcmp(host, cur->listen_host) == 0 && port == cur->listen_port));
        if (!same)
            return cm_conf_error(conf, n, "listen", err, "the deployment listens on %s:%u: %s", cur->listen_host,
                                 (unsigned)cur->listen_port, fixed);
    }
    return 0;
}

/* The body must be JSON text: an object, or a list for the faults. */
static int load_body(cm_conf_t *bconf, mp_admin_op_t op, const char *body, size_t len, cm_err_t *err)
{
    size_t i = 0;
    while (i < len && (body[i] == ' ' || body[i] == '\t' || body[i] == '\r' || body[i] == '\n'))
        i++;
    char want = op == MP_ADMIN_FAULTS_PUT ? '[' : '{';
    if (len > MP_ADMIN_MAX_BODY) {
        snprintf(err->msg, sizeof(err->msg), "body: larger than %u bytes", MP_ADMIN_MAX_BODY);
        return -1;
    }
    if (i == len || body[i] != want) {
        snprintf(err->msg, sizeof(err->msg), "body: expected a JSON %s", want == '[' ? "list of faults" : "object");
        return -1;
    }
    return cm_conf_load_string(bconf, "body", body, len, err);
}

static cm_node_t *build_tree(cm_arena_t *a, mp_admin_op_t op, cm_node_t *cur_root, cm_node_t *body_root)
{
    static cm_node_t null_node = {.type = CM_NODE_NULL};
    cm_node_t *patch;
    switch (op) {
    case MP_ADMIN_PATCH:
        return merge(a, cur_root, body_root, true, 0);
    case MP_ADMIN_PUT: {
        cm_node_t *fixed = new_map(a, 4);
        static const char *const keys[] = {"name", "provider", "listen", "models"};
        for (size_t i = 0; i < 4; i++) {
            const cm_node_t *v = lookup(cur_root, keys[i]);
            if (v != NULL)
                put(fixed, scalar(a, keys[i]), (cm_node_t *)v);
        }
        return merge(a, fixed, body_root, false, 0);
    }
    case MP_ADMIN_FAULTS_PUT:
    case MP_ADMIN_FAULTS_DELETE:
        patch = new_map(a, 1);
        put(patch, scalar(a, "faults"), op == MP_ADMIN_FAULTS_PUT ? body_root : &null_node);
        return merge(a, cur_root, patch, false, 0);
    }
    return NULL;
}

int mp_admin_build(const mp_deployment_t *cur, uint64_t scenario_seed, mp_admin_op_t op, const char *body, size_t len,
                   mp_deployment_t *out, mp_admin_kept_t *kept, cm_err_t *err)
{
    cm_conf_t bconf = {.file = "body"}, cconf = {0};
    mp_config_t scratch;
    int rc = -1;
    mp_config_init(&scratch);
    scratch.seed = scenario_seed;
    if (op != MP_ADMIN_FAULTS_DELETE && load_body(&bconf, op, body, len, err) != 0)
        goto done;
    if (cm_conf_load_string(&cconf, CURRENT, cur->source, strlen(cur->source), err) != 0)
        goto done; /* cannot happen: the source was written from a valid document */
    mark_current(cconf.root, 0);
    if ((op == MP_ADMIN_PUT || op == MP_ADMIN_PATCH) && check_fixed(&bconf, bconf.root, cur, cconf.root, err) != 0)
        goto done;
    cm_node_t *tree = build_tree(&bconf.arena, op, cconf.root, bconf.root);
    if (mp_config_read_deployment(&scratch, &bconf, tree, "", err) != 0)
        goto done;
    *out = scratch.deps[0];
    scratch.ndeps = 0;
    free(out->listen_host);
    out->listen_host = cm_xstrdup(cur->listen_host);
    out->listen_port = cur->listen_port;
    out->index = cur->index;
    out->ops = cur->ops;
    kept->limits = same_json(lookup(cconf.root, "limits"), lookup(tree, "limits"));
    /* The set's draws are seeded from the deployment's seed: a new seed needs a new set. */
    kept->faults = out->seed == cur->seed && same_json(lookup(cconf.root, "faults"), lookup(tree, "faults"));
    rc = 0;
done:
    mp_config_free(&scratch);
    cm_conf_free(&bconf);
    cm_conf_free(&cconf);
    return rc;
}
