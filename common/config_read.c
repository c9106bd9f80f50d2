/* common/config_read.c — typed readers, key checks and paths over a loaded cm_conf_t (see config.h).
 *
 * Every reader reports at the node it was given, so a message always points at the offending text; a
 * NULL node (a key the caller looked up and did not find) is reported without a position. */
#include "common/config.h"
#include "common/units.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char *const cm_scenario_keys[] = {"name",   "seed",     "duration", "mock",    "gateway", "load", "expect",
                                        "report", "services", "proxies",  "changes", "slo",     NULL};

static const char *type_name(const cm_node_t *n)
{
    switch (n->type) {
    case CM_NODE_NULL:
        return "nothing (null)";
    case CM_NODE_SCALAR:
        return n->quoted ? "a quoted string" : "a scalar";
    case CM_NODE_MAP:
        return "a map";
    case CM_NODE_SEQ:
        return "a list";
    }
    return "?";
}

/* Checks n is a scalar; `what` describes the value wanted ("a duration such as 30s"). */
static int want_scalar(const cm_conf_t *conf, const cm_node_t *n, const char *path, const char *what, cm_err_t *err)
{
    if (n == NULL)
        return cm_conf_error(conf, NULL, path, err, "missing value (expected %s)", what);
    if (n->type != CM_NODE_SCALAR)
        return cm_conf_error(conf, n, path, err, "expected %s, got %s", what, type_name(n));
    return 0;
}

int cm_conf_str(const cm_conf_t *conf, const cm_node_t *n, const char *path, const char **out, cm_err_t *err)
{
    if (want_scalar(conf, n, path, "a string", err) != 0)
        return -1;
    *out = n->str;
    return 0;
}

int cm_conf_bool(const cm_conf_t *conf, const cm_node_t *n, const char *path, bool *out, cm_err_t *err)
{
    static const char *const yes[] = {"true", "True", "TRUE"}, *const no[] = {"false", "False", "FALSE"};
    if (want_scalar(conf, n, path, "true or false", err) != 0)
        return -1;
    for (int i = 0; i < 3; i++) {
        if (strcmp(n->str, yes[i]) == 0 || strcmp(n->str, no[i]) == 0) {
            *out = strcmp(n->str, yes[i]) == 0;
            return 0;
        }
    }
    return cm_conf_error(conf, n, path, err, "expected true or false, got \"%s\"", n->str);
}

/* Plain decimal integers are read exactly; anything else goes through the count parser ("10k"). */
static int read_int(const char *s, int64_t *out, char *why, size_t whylen)
{
    const char *p = s + (*s == '-' || *s == '+');
    size_t digits = strspn(p, "0123456789");
    if (digits > 0 && p[digits] == '\0') {
        errno = 0;
        long long v = strtoll(s, NULL, 10);
        if (errno == ERANGE)
            return snprintf(why, whylen, "\"%s\" is out of range", s), -1;
        *out = v;
        return 0;
    }
    double d;
    if (cm_parse_count(p, &d, why, whylen) != 0)
        return -1;
    if (d != (double)(int64_t)d || d >= 0x1p53)
        return snprintf(why, whylen, "expected a whole number, got \"%s\"", s), -1;
    *out = *s == '-' ? -(int64_t)d : (int64_t)d;
    return 0;
}

int cm_conf_int(const cm_conf_t *conf, const cm_node_t *n, const char *path, int64_t min, int64_t max, int64_t *out,
                cm_err_t *err)
{
    char why[256];
    int64_t v;
    if (want_scalar(conf, n, path, "a whole number", err) != 0)
        return -1;
    if (read_int(n->str, &v, why, sizeof(why)) != 0)
        return cm_conf_error(conf, n, path, err, "%s", why);
    if (v < min || v > max)
        return cm_conf_error(conf, n, path, err, "must be between %lld and %lld, got %lld", (long long)min,
                             (long long)max, (long long)v);
    *out = v;
    return 0;
}

/* A decimal number: sign, digits, optional fraction and exponent. strtod alone would also take "nan",
 * "inf" and hex floats, which no config means. */
static bool is_decimal(const char *s)
{
    s += *s == '-' || *s == '+';
    size_t i = strspn(s, "0123456789"), f = 0;
    if (s[i] == '.')
        f = strspn(s + i + 1, "0123456789"), i += 1 + f;
    if (i == 0 || (i == 1 && s[0] == '.'))
        return false;
    if (s[i] == 'e' || s[i] == 'E') {
        i++;
        i += s[i] == '-' || s[i] == '+';
        size_t e = strspn(s + i, "0123456789");
        if (e == 0)
            return false;
        i += e;
    }
    return s[i] == '\0';
}

int cm_conf_double(const cm_conf_t *conf, const cm_node_t *n, const char *path, double *out, cm_err_t *err)
{
    if (want_scalar(conf, n, path, "a number", err) != 0)
        return -1;
    if (!is_decimal(n->str))
        return cm_conf_error(conf, n, path, err, "expected a number, got \"%s\"", n->str);
    errno = 0;
    double v = strtod(n->str, NULL);
    if (errno == ERANGE && (v > 1 || v < -1))
        return cm_conf_error(conf, n, path, err, "\"%s\" is out of range", n->str);
    *out = v;
    return 0;
}

/* The unit-bearing readers share one shape: check the scalar, run the units parser, prefix its message. */
#define UNIT_READER(fn, type, parser, what)                                                                            \
    int fn(const cm_conf_t *conf, const cm_node_t *n, const char *path, type *out, cm_err_t *err)                      \
    {                                                                                                                  \
        char why[256];                                                                                                 \
        if (want_scalar(conf, n, path, what, err) != 0)                                                                \
            return -1;                                                                                                 \
        if (parser(n->str, out, why, sizeof(why)) != 0)                                                                \
            return cm_conf_error(conf, n, path, err, "%s", why);                                                       \
        return 0;                                                                                                      \
    }

UNIT_READER(cm_conf_duration, uint64_t, cm_parse_duration, "a duration such as 30s")
UNIT_READER(cm_conf_rate, double, cm_parse_rate, "a rate such as 100/s")
UNIT_READER(cm_conf_percent, double, cm_parse_percent, "a percentage such as 20%")
UNIT_READER(cm_conf_size, uint64_t, cm_parse_size, "a size such as 16KiB")

int cm_conf_dist(const cm_conf_t *conf, const cm_node_t *n, const char *path, cm_dist_unit_t unit, cm_dist_t *out,
                 cm_err_t *err)
{
    char why[256];
    if (want_scalar(conf, n, path, "a distribution such as lognormal(80ms, 0.3)", err) != 0)
        return -1;
    if (cm_dist_parse(n->str, unit, out, why, sizeof(why)) != 0)
        return cm_conf_error(conf, n, path, err, "%s", why);
    return 0;
}

int cm_conf_str_list(const cm_conf_t *conf, const cm_node_t *n, const char *path, const char ***out, size_t *count,
                     cm_err_t *err)
{
    if (n != NULL && n->type == CM_NODE_SCALAR) {
        const char **v = cm_arena_alloc((cm_arena_t *)&conf->arena, sizeof(*v));
        v[0] = n->str;
        *out = v;
        *count = 1;
        return 0;
    }
    if (n == NULL || n->type != CM_NODE_SEQ)
        return want_scalar(conf, n, path, "a string or a list of strings", err);
    /* The arena belongs to the document; handing out memory from it is what the header promises. */
    const char **v = cm_arena_alloc((cm_arena_t *)&conf->arena, (n->n ? n->n : 1) * sizeof(*v));
    for (size_t i = 0; i < n->n; i++) {
        char p[512];
        cm_conf_path(p, sizeof(p), path, (int)i, NULL);
        if (cm_conf_str(conf, n->items[i], p, &v[i], err) != 0)
            return -1;
    }
    *out = v;
    *count = n->n;
    return 0;
}

const cm_node_t *cm_conf_get(const cm_node_t *map, const char *key)
{
    if (map == NULL || map->type != CM_NODE_MAP)
        return NULL;
    for (size_t i = 0; i < map->n; i++) {
        if (strcmp(map->keys[i]->str, key) == 0)
            return map->items[i];
    }
    return NULL;
}

/* ---- key checks ------------------------------------------------------------------------------------- */

/* Optimal string alignment distance (Levenshtein plus adjacent swaps), capped: only small distances
 * matter for suggestions, and keys are short. */
static size_t edit_distance(const char *a, const char *b)
{
    size_t la = strlen(a), lb = strlen(b);
    if (la > 63 || lb > 63)
        return 64;
    size_t d[64][64];
    for (size_t i = 0; i <= la; i++)
        d[i][0] = i;
    for (size_t j = 0; j <= lb; j++)
        d[0][j] = j;
    for (size_t i = 1; i <= la; i++) {
        for (size_t j = 1; j <= lb; j++) {
            size_t best = d[i - 1][j - 1] + (a[i - 1] != b[j - 1]);
            if (d[i - 1][j] + 1 < best)
                best = d[i - 1][j] + 1;
            if (d[i][j - 1] + 1 < best)
                best = d[i][j - 1] + 1;
            if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] && d[i - 2][j - 2] + 1 < best)
                best = d[i - 2][j - 2] + 1;
            d[i][j] = best;
        }
    }
    return d[la][lb];
}

/* The closest allowed key within distance 2 (and at most half its length, so "ab" never suggests "xy"). */
static const char *closest(const char *key, const char *const *allowed)
{
    const char *best = NULL;
    size_t best_d = 3;
    for (size_t i = 0; allowed[i] != NULL; i++) {
        size_t d = edit_distance(key, allowed[i]);
        if (d < best_d && d * 2 <= strlen(allowed[i]))
            best = allowed[i], best_d = d;
    }
    return best;
}

static bool allowed_key(const char *key, const char *const *allowed)
{
    for (size_t i = 0; allowed[i] != NULL; i++) {
        if (strcmp(key, allowed[i]) == 0)
            return true;
    }
    return false;
}

static int unknown_key(const cm_conf_t *conf, const cm_node_t *key, const char *path, const char *const *allowed,
                       cm_err_t *err)
{
    char list[512] = "";
    size_t len = 0;
    for (size_t i = 0; allowed[i] != NULL && len < sizeof(list); i++)
        len += (size_t)snprintf(list + len, sizeof(list) - len, "%s%s", i ? ", " : "", allowed[i]);
    const char *near = closest(key->str, allowed);
    if (near != NULL)
        return cm_conf_error(conf, key, path, err, "unknown key \"%s\" (did you mean \"%s\"? allowed: %s)", key->str,
                             near, list);
    return cm_conf_error(conf, key, path, err, "unknown key \"%s\" (allowed: %s)", key->str, list);
}

/* Duplicate keys never reach here: the loader refuses them in every map (after expanding merges). An
 * empty value ("admin:") reads as an empty map. */
int cm_conf_check_keys(const cm_conf_t *conf, const cm_node_t *node, const char *path, const char *const *allowed,
                       cm_err_t *err)
{
    if (node == NULL || node->type == CM_NODE_NULL)
        return 0;
    if (node->type != CM_NODE_MAP)
        return cm_conf_error(conf, node, path, err, "expected a map, got %s", type_name(node));
    for (size_t i = 0; i < node->n; i++) {
        if (!allowed_key(node->keys[i]->str, allowed))
            return unknown_key(conf, node->keys[i], path, allowed, err);
    }
    return 0;
}

int cm_conf_require_keys(const cm_conf_t *conf, const cm_node_t *node, const char *path, const char *const *required,
                         cm_err_t *err)
{
    if (node != NULL && node->type != CM_NODE_MAP && node->type != CM_NODE_NULL)
        return cm_conf_error(conf, node, path, err, "expected a map, got %s", type_name(node));
    for (size_t i = 0; required[i] != NULL; i++) {
        if (cm_conf_get(node, required[i]) == NULL)
            return cm_conf_error(conf, node, path, err, "missing required key \"%s\"", required[i]);
    }
    return 0;
}

char *cm_conf_path(char *buf, size_t n, const char *parent, int index, const char *key)
{
    if (n == 0)
        return buf;
    int len = snprintf(buf, n, "%s", parent ? parent : "");
    if (index >= 0 && len >= 0 && (size_t)len < n)
        len += snprintf(buf + len, n - (size_t)len, "[%d]", index);
    if (key != NULL && len >= 0 && (size_t)len < n)
        snprintf(buf + len, n - (size_t)len, "%s%s", len > 0 ? "." : "", key);
    return buf;
}
