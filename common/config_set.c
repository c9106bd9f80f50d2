/* common/config_set.c — `--set PATH=VALUE` overrides applied to a loaded document (see config.h).
 *
 * The value is parsed as a YAML document of its own, its arena is adopted by the target document, and its
 * root is grafted at PATH. Grafted nodes carry an origin ("--set load.arrival") that replaces the
 * file:line:col of later error messages, since they come from no file. Readers then see the override as if
 * it had been written in the file: an unknown key created by --set is reported like one in the file. */
#include "common/config.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_SET_PATH 512
#define MAX_SET_NODES 10000 /* nodes marked in one grafted value: a flag's value is small */

typedef struct setter {
    cm_conf_t *conf;
    const char *origin; /* "--set PATH", in the arena */
    cm_err_t *err;
} setter_t;

static int fail(const setter_t *s, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static int fail(const setter_t *s, const char *fmt, ...)
{
    va_list ap;
    int n = snprintf(s->err->msg, sizeof(s->err->msg), "%s: ", s->origin);
    va_start(ap, fmt);
    if (n >= 0 && (size_t)n < sizeof(s->err->msg))
        vsnprintf(s->err->msg + n, sizeof(s->err->msg) - (size_t)n, fmt, ap);
    va_end(ap);
    return -1;
}

static char *arena_strdup(cm_conf_t *conf, const char *p, size_t n)
{
    char *d = cm_arena_alloc(&conf->arena, n + 1);
    memcpy(d, p, n);
    d[n] = '\0';
    return d;
}

/* Marks every node of a grafted value with the origin. Aliases make the value a DAG, so the walk is
 * bounded by a node budget rather than trusting its shape. */
static int mark(const setter_t *s, cm_node_t *n, size_t *budget)
{
    if (n == NULL)
        return 0;
    if (*budget == 0)
        return fail(s, "the value has more than %d nodes", MAX_SET_NODES);
    (*budget)--;
    n->origin = s->origin;
    size_t count = n->type == CM_NODE_MAP || n->type == CM_NODE_SEQ ? n->n : 0;
    for (size_t i = 0; i < count; i++) {
        if (n->type == CM_NODE_MAP && mark(s, n->keys[i], budget) != 0)
            return -1;
        if (mark(s, n->items[i], budget) != 0)
            return -1;
    }
    return 0;
}

static cm_node_t *new_node(const setter_t *s, cm_node_type_t type)
{
    cm_node_t *n = cm_arena_alloc(&s->conf->arena, sizeof(*n));
    memset(n, 0, sizeof(*n));
    n->type = type;
    n->origin = s->origin;
    return n;
}

/* Appends key: value to a map; the arrays live in the arena, so they are copied one longer. */
static cm_node_t **add_pair(const setter_t *s, cm_node_t *map, const char *key)
{
    cm_node_t **keys = cm_arena_alloc(&s->conf->arena, (map->n + 1) * sizeof(*keys));
    cm_node_t **items = cm_arena_alloc(&s->conf->arena, (map->n + 1) * sizeof(*items));
    if (map->n > 0) {
        memcpy(keys, map->keys, map->n * sizeof(*keys));
        memcpy(items, map->items, map->n * sizeof(*items));
    }
    cm_node_t *k = new_node(s, CM_NODE_SCALAR);
    k->str = arena_strdup(s->conf, key, strlen(key));
    keys[map->n] = k;
    items[map->n] = NULL;
    map->keys = keys;
    map->items = items;
    return &map->items[map->n++];
}

/* The slot holding key in map, created (empty) when absent. */
static cm_node_t **map_slot(const setter_t *s, cm_node_t *map, const char *key)
{
    for (size_t i = 0; i < map->n; i++)
        if (map->keys[i]->str != NULL && strcmp(map->keys[i]->str, key) == 0)
            return &map->items[i];
    return add_pair(s, map, key);
}

static bool all_digits(const char *p)
{
    if (*p == '\0')
        return false;
    for (; *p; p++)
        if (*p < '0' || *p > '9')
            return false;
    return true;
}

/* The slot of a sequence item chosen by index or by the value of its `name` key. */
static cm_node_t **seq_slot(const setter_t *s, cm_node_t *seq, const char *sel)
{
    if (all_digits(sel)) {
        unsigned long i = strtoul(sel, NULL, 10);
        if (i < seq->n)
            return &seq->items[i];
        fail(s, "index %s is past the end of a list of %zu items", sel, seq->n);
        return NULL;
    }
    for (size_t i = 0; i < seq->n; i++) {
        const cm_node_t *name = cm_conf_get(seq->items[i], "name");
        if (name != NULL && name->type == CM_NODE_SCALAR && strcmp(name->str, sel) == 0)
            return &seq->items[i];
    }
    fail(s, "no item of the list has name \"%s\"", sel);
    return NULL;
}

/* Steps from *slot into the child named sel, creating maps on the way where nothing is written yet. */
static cm_node_t **step(const setter_t *s, cm_node_t **slot, const char *sel)
{
    if (*slot == NULL || (*slot)->type == CM_NODE_NULL)
        *slot = new_node(s, CM_NODE_MAP);
    if ((*slot)->type == CM_NODE_MAP)
        return map_slot(s, *slot, sel);
    if ((*slot)->type == CM_NODE_SEQ)
        return seq_slot(s, *slot, sel);
    fail(s, "cannot go into \"%s\": the value before it is a scalar", sel);
    return NULL;
}

/* Splits the next selector off *p ("a.b", "a[0]", "a[name.with.dots]") into sel. Returns 0, or -1 when the
 * selector is empty, too long or an unclosed bracket. */
static int next_selector(const char **p, char *sel, size_t cap)
{
    const char *q = *p, *end;
    if (*q == '.')
        q++;
    if (*q == '[') {
        q++;
        if ((end = strchr(q, ']')) == NULL)
            return -1;
        *p = end + 1;
    } else {
        end = q + strcspn(q, ".[");
        *p = end;
    }
    size_t n = (size_t)(end - q);
    if (n == 0 || n >= cap)
        return -1;
    memcpy(sel, q, n);
    sel[n] = '\0';
    return 0;
}

static int graft(const setter_t *s, const char *path, cm_node_t *value)
{
    cm_node_t **slot = &s->conf->root;
    const char *p = path;
    char sel[256];
    if (*p == '\0')
        return fail(s, "empty path (expected KEY.KEY=VALUE)");
    while (*p != '\0') {
        if (next_selector(&p, sel, sizeof(sel)) != 0)
            return fail(s, "malformed path \"%s\" (keys are separated by dots; items are [N] or [NAME])", path);
        if ((slot = step(s, slot, sel)) == NULL)
            return -1;
    }
    *slot = value;
    return 0;
}

int cm_conf_set(cm_conf_t *conf, const char *assignment, cm_err_t *err)
{
    const char *eq = strchr(assignment, '=');
    size_t plen = eq ? (size_t)(eq - assignment) : strlen(assignment);
    if (plen > MAX_SET_PATH)
        plen = MAX_SET_PATH;
    char origin[MAX_SET_PATH + 8];
    snprintf(origin, sizeof(origin), "--set %.*s", (int)plen, assignment);
    setter_t s = {conf, arena_strdup(conf, origin, strlen(origin)), err};
    if (eq == NULL)
        return fail(&s, "expected PATH=VALUE, e.g. mock.deployments[0].listen=127.0.0.1:0");
    if ((size_t)(eq - assignment) > MAX_SET_PATH)
        return fail(&s, "path longer than %d bytes", MAX_SET_PATH);
    char path[MAX_SET_PATH + 1];
    memcpy(path, assignment, plen);
    path[plen] = '\0';

    cm_conf_t value;
    cm_err_t verr;
    const char *text = eq + 1;
    if (cm_conf_load_string(&value, s.origin, text, strlen(text), &verr) != 0) {
        cm_conf_free(&value);
        snprintf(err->msg, sizeof(err->msg), "%s", verr.msg);
        return -1;
    }
    cm_node_t *root = value.root;
    cm_arena_adopt(&conf->arena, &value.arena);
    if (root == NULL) /* "--set k=" sets k to null, as "k:" would in a file */
        root = new_node(&s, CM_NODE_NULL);
    size_t budget = MAX_SET_NODES;
    if (mark(&s, root, &budget) != 0)
        return -1;
    return graft(&s, path, root);
}

int cm_conf_set_all(cm_conf_t *conf, const char *const *assignments, size_t n, cm_err_t *err)
{
    for (size_t i = 0; i < n; i++)
        if (cm_conf_set(conf, assignments[i], err) != 0)
            return -1;
    return 0;
}
