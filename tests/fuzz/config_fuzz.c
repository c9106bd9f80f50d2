/* tests/fuzz/config_fuzz.c — the YAML loader on arbitrary bytes, then every typed reader on every node. */
#include "common/config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void read_all(const cm_conf_t *c, const cm_node_t *n)
{
    static const char *const keys[] = {"name", "listen", "latency", "limits", NULL};
    cm_err_t e;
    const char *s;
    bool b;
    int64_t i;
    double d;
    uint64_t u;
    cm_dist_t dist;
    const char **list;
    size_t count;
    (void)cm_conf_str(c, n, "p", &s, &e);
    (void)cm_conf_bool(c, n, "p", &b, &e);
    (void)cm_conf_int(c, n, "p", -5, 5000, &i, &e);
    (void)cm_conf_double(c, n, "p", &d, &e);
    (void)cm_conf_duration(c, n, "p", &u, &e);
    (void)cm_conf_rate(c, n, "p", &d, &e);
    (void)cm_conf_percent(c, n, "p", &d, &e);
    (void)cm_conf_size(c, n, "p", &u, &e);
    (void)cm_conf_dist(c, n, "p", CM_DIST_DURATION, &dist, &e);
    (void)cm_conf_str_list(c, n, "p", &list, &count, &e);
    (void)cm_conf_check_keys(c, n, "p", keys, &e);
    (void)cm_conf_require_keys(c, n, "p", keys, &e);
}

/* Aliases make the tree a DAG whose unfolding can be exponential, so the walk is bounded by visits. */
static void walk(const cm_conf_t *c, const cm_node_t *root)
{
    const cm_node_t *stack[256];
    size_t depth = 0, visits = 0;
    stack[depth++] = root;
    while (depth > 0 && visits++ < 20000) {
        const cm_node_t *n = stack[--depth];
        read_all(c, n);
        if (n->type != CM_NODE_MAP && n->type != CM_NODE_SEQ)
            continue;
        for (size_t i = 0; i < n->n && depth < 256; i++)
            stack[depth++] = n->items[i];
        if (n->type == CM_NODE_MAP && n->n > 0)
            (void)cm_conf_get(n, n->keys[n->n - 1]->str);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    cm_conf_t conf;
    cm_err_t err;
    if (cm_conf_load_string(&conf, "fuzz.yaml", (const char *)data, size, &err) == 0 && conf.root != NULL)
        walk(&conf, conf.root);
    else if (conf.root == NULL && err.msg[0] != '\0' && strncmp(err.msg, "fuzz.yaml:", 10) != 0)
        abort();
    cm_conf_free(&conf);
    return 0;
}
