/* harness/measure/verdict_scope.c — what part of a run an expectation judges: `group:`, `phase:`, and for a
 * drift `baseline:` and `window:` (phase names or time ranges), checked against the load's groups and phases
 * with file:line:col errors, and the scope text reports show after the metric. */
#include <stdio.h>
#include <string.h>

#include "harness/measure/verdict.h"

bool hx_expect_is_drift(const hx_expect_t *e)
{
    return strncmp(e->metric, "drift.", 6) == 0;
}

static int parse_span(const cm_conf_t *conf, const cm_node_t *item, const char *path, const char *key,
                      const hx_phases_t *ps, hx_span_ref_t *out, cm_err_t *err)
{
    char p[176], why[256];
    const char *s;
    const cm_node_t *n = cm_conf_get(item, key);
    cm_conf_path(p, sizeof(p), path, -1, key);
    if (cm_conf_str(conf, n, p, &s, err) != 0)
        return -1;
    if (hx_span_ref_parse(s, ps, out, why, sizeof(why)) != 0)
        return cm_conf_error(conf, n, p, err, "%s", why);
    return 0;
}

/* The group in front of the scope text: "data-plane", "data-plane, steady", "data-plane, fault vs steady". */
static void scope_group(hx_expect_t *e, const hx_expect_scopes_t *sc)
{
    if (!e->in_group)
        return;
    char rest[sizeof(e->scope)];
    snprintf(rest, sizeof(rest), "%s", e->scope);
    snprintf(e->scope, sizeof(e->scope), "%.47s%s%.60s", sc->groups[e->group], rest[0] ? ", " : "", rest);
}

/* group: NAME */
static int parse_group(const cm_conf_t *conf, const cm_node_t *item, const char *path, const hx_expect_scopes_t *sc,
                       hx_expect_t *e, cm_err_t *err)
{
    const cm_node_t *g = cm_conf_get(item, "group");
    char p[176];
    const char *name;
    if (g == NULL)
        return 0;
    cm_conf_path(p, sizeof(p), path, -1, "group");
    if (cm_conf_str(conf, g, p, &name, err) != 0)
        return -1;
    size_t n = sc != NULL ? sc->ngroups : 0;
    for (size_t i = 0; i < n; i++) {
        if (strcmp(sc->groups[i], name) == 0) {
            e->in_group = true;
            e->group = (int)i;
            return 0;
        }
    }
    return cm_conf_error(conf, g, p, err, "no group called \"%s\" in load.groups%s", name,
                         n == 0 ? " (it has none)" : "");
}

int hx_expect_parse_scope(const cm_conf_t *conf, const cm_node_t *item, const char *path,
                          const hx_expect_scopes_t *sc, hx_expect_t *e, cm_err_t *err)
{
    static const hx_phases_t none;
    const hx_phases_t *ps = sc != NULL && sc->phases != NULL ? sc->phases : &none;
    char p[176];
    if (parse_group(conf, item, path, sc, e, err) != 0)
        return -1;
    const cm_node_t *ph = cm_conf_get(item, "phase"), *b = cm_conf_get(item, "baseline"),
                    *w = cm_conf_get(item, "window");
    bool drift = hx_expect_is_drift(e);
    if (ph != NULL) {
        const char *name;
        cm_conf_path(p, sizeof(p), path, -1, "phase");
        if (drift)
            return cm_conf_error(conf, ph, p, err, "a drift metric compares two spans: give baseline and window "
                                                   "(phase names or time ranges), not phase");
        if (cm_conf_str(conf, ph, p, &name, err) != 0)
            return -1;
        int i = hx_phases_find(ps, name);
        if (i < 0)
            return cm_conf_error(conf, ph, p, err, "no phase called \"%s\" in load.phases%s", name,
                                 ps->n == 0 ? " (it has none)" : "");
        e->in_phase = true;
        e->phase = i;
        snprintf(e->scope, sizeof(e->scope), "%s", name);
    }
    if (b == NULL && w == NULL) {
        if (e->in_group && drift)
            return cm_conf_error(conf, cm_conf_get(item, "group"), path, err,
                                 "a drift for one group compares two spans: give baseline and window");
        scope_group(e, sc);
        return 0;
    }
    const cm_node_t *n = b != NULL ? b : w;
    cm_conf_path(p, sizeof(p), path, -1, b != NULL ? "baseline" : "window");
    if (!drift)
        return cm_conf_error(conf, n, p, err, "baseline and window apply to drift metrics only, not to %s", e->metric);
    if (b == NULL || w == NULL)
        return cm_conf_error(conf, n, p, err, "a drift between spans needs both baseline and window");
    if (parse_span(conf, item, path, "baseline", ps, &e->baseline, err) != 0 ||
        parse_span(conf, item, path, "window", ps, &e->window, err) != 0)
        return -1;
    e->has_windows = true;
    char bs[64], ws[64];
    snprintf(e->scope, sizeof(e->scope), "%s vs %s", hx_span_ref_describe(&e->window, ps, ws, sizeof(ws)),
             hx_span_ref_describe(&e->baseline, ps, bs, sizeof(bs)));
    scope_group(e, sc);
    return 0;
}
