/* harness/config/config_groups.c — load.groups: several request mixes in one run, each at its own arrival
 * process (a data plane at 1,000/s beside a control-plane request every 2 s), sharing one engine; results
 * and expectations per group. Without load.groups the run is one group made of load.arrival and
 * load.requests. */
#include <stdio.h>
#include <string.h>

#include "harness/config/config.h"

static int load_group(hx_cfg_t *c, const cm_conf_t *conf, const cm_node_t *item, const char *path, cm_err_t *err)
{
    static const char *const keys[] = {"name", "arrival", "requests", "connections", NULL};
    static const char *const required[] = {"name", "arrival", "requests", NULL};
    char p[160];
    const char *name;
    if (item->type != CM_NODE_MAP)
        return cm_conf_error(conf, item, path, err, "expected a map of name, arrival, requests (and connections)");
    if (cm_conf_check_keys(conf, item, path, keys, err) != 0 ||
        cm_conf_require_keys(conf, item, path, required, err) != 0)
        return -1;
    const cm_node_t *v = cm_conf_get(item, "name");
    cm_conf_path(p, sizeof(p), path, -1, "name");
    if (cm_conf_str(conf, v, p, &name, err) != 0 ||
        hx_cfg_check_name(conf, v, p, "group", name, hx_cfg_group_find(c, name) >= 0, err) != 0)
        return -1;
    hx_group_t *g = &c->groups[c->ngroups];
    memset(g, 0, sizeof(*g));
    snprintf(g->name, sizeof(g->name), "%s", name);
    g->enabled = true;
    v = cm_conf_get(item, "arrival");
    cm_conf_path(p, sizeof(p), path, -1, "arrival");
    if (hx_cfg_read_arrival(conf, v, p, &g->arrival, err) != 0)
        return -1;
    if (g->arrival.kind == HX_ARRIVAL_USERS)
        return cm_conf_error(conf, v, p, err, "a group's arrival is open loop (constant, poisson, ramp, step or "
                                              "every); closed-loop users run a load without groups");
    g->first_req = (uint32_t)c->nreqs;
    cm_conf_path(p, sizeof(p), path, -1, "requests");
    if (hx_cfg_append_requests(c, conf, cm_conf_get(item, "requests"), p, err) != 0)
        return -1;
    g->nreqs = (uint32_t)(c->nreqs - g->first_req);
    if ((v = cm_conf_get(item, "connections")) != NULL) {
        g->own_pool = true;
        if (hx_cfg_load_connections(conf, v, cm_conf_path(p, sizeof(p), path, -1, "connections"), &g->conn, err) != 0)
            return -1;
    }
    c->ngroups++;
    return 0;
}

int hx_cfg_load_groups(hx_cfg_t *c, const cm_conf_t *conf, const cm_node_t *load, cm_err_t *err)
{
    const cm_node_t *seq = cm_conf_get(load, "groups");
    char p[160];
    if (seq == NULL)
        return 0;
    const char *other = cm_conf_get(load, "arrival") != NULL ? "arrival"
                        : cm_conf_get(load, "requests")      ? "requests"
                                                             : NULL;
    if (other != NULL)
        return cm_conf_error(conf, cm_conf_get(load, other), other[0] == 'a' ? "load.arrival" : "load.requests", err,
                             "load.groups is set: each group has its own arrival and requests");
    if (seq->type != CM_NODE_SEQ || seq->n == 0)
        return cm_conf_error(conf, seq, "load.groups", err, "expected a list of groups ({name, arrival, requests})");
    if (seq->n > HX_MAX_GROUPS)
        return cm_conf_error(conf, seq->items[HX_MAX_GROUPS], "load.groups", err, "at most %d groups", HX_MAX_GROUPS);
    c->ngroups = 0;
    c->reqs = NULL;
    c->nreqs = 0;
    for (size_t i = 0; i < seq->n; i++) {
        cm_conf_path(p, sizeof(p), "load.groups", (int)i, NULL);
        if (load_group(c, conf, seq->items[i], p, err) != 0)
            return -1;
    }
    c->groups_set = true;
    c->arrival_set = true;
    c->arrival = c->groups[0].arrival; /* what a flag such as --rate would override: refused with groups */
    return 0;
}

int hx_cfg_group_find(const hx_cfg_t *c, const char *name)
{
    for (size_t i = 0; i < c->ngroups; i++)
        if (strcmp(c->groups[i].name, name) == 0)
            return (int)i;
    return -1;
}

int hx_cfg_select_groups(hx_cfg_t *c, const char *const *names, size_t n, char *err, size_t errlen)
{
    if (n == 0)
        return 0;
    if (!c->groups_set) {
        snprintf(err, errlen, "--group: the load has no groups (load.groups)");
        return -1;
    }
    for (size_t i = 0; i < c->ngroups; i++)
        c->groups[i].enabled = false;
    for (size_t k = 0; k < n; k++) {
        int i = hx_cfg_group_find(c, names[k]);
        if (i < 0) {
            size_t len = (size_t)snprintf(err, errlen, "--group %s: no such group (the load has", names[k]);
            for (size_t j = 0; j < c->ngroups && len < errlen; j++)
                len += (size_t)snprintf(err + len, errlen - len, "%s %s", j ? "," : "", c->groups[j].name);
            if (len < errlen)
                snprintf(err + len, errlen - len, ")");
            return -1;
        }
        c->groups[i].enabled = true;
    }
    return 0;
}

int hx_cfg_finish_groups(hx_cfg_t *c, char *err, size_t errlen)
{
    if (!c->groups_set) {
        /* one group: the load's arrival and every template */
        memset(&c->groups[0], 0, sizeof(c->groups[0]));
        snprintf(c->groups[0].name, sizeof(c->groups[0].name), "load");
        c->groups[0].arrival = c->arrival;
        c->groups[0].nreqs = (uint32_t)c->nreqs;
        c->groups[0].enabled = true;
        c->ngroups = 1;
        return 0;
    }
    for (size_t i = 0; i < c->phases.n; i++) {
        if (c->phase_arrival_set[i]) {
            snprintf(err, errlen, "load.phases[%zu] has an arrival of its own: with load.groups each group has its own",
                     i);
            return -1;
        }
    }
    for (size_t i = 0; i < c->ngroups; i++) {
        char why[200];
        if (hx_arrival_check(&c->groups[i].arrival, why, sizeof(why)) != 0) {
            snprintf(err, errlen, "load.groups[%zu].arrival: %s", i, why);
            return -1;
        }
    }
    /* expectations on a group left out by --group are not judged */
    size_t kept = 0;
    for (size_t i = 0; i < c->nexpects; i++) {
        if (c->expects[i].in_group && !c->groups[c->expects[i].group].enabled) {
            c->skipped_expects++;
            continue;
        }
        c->expects[kept++] = c->expects[i];
    }
    c->nexpects = kept;
    return 0;
}

char *hx_cfg_describe_arrival(const hx_cfg_t *c, char *buf, size_t n)
{
    if (!c->groups_set)
        return hx_arrival_describe(&c->arrival, buf, n);
    size_t off = 0;
    buf[0] = '\0';
    for (size_t i = 0; i < c->ngroups && off < n; i++) {
        char one[200];
        if (!c->groups[i].enabled)
            continue;
        off += (size_t)snprintf(buf + off, n - off, "%s%s: %s", off ? "; " : "", c->groups[i].name,
                                hx_arrival_describe(&c->groups[i].arrival, one, sizeof(one)));
    }
    return buf;
}

double hx_cfg_expected_arrivals(const hx_cfg_t *c, uint64_t t_ns)
{
    if (!c->groups_set)
        return c->arrival.kind == HX_ARRIVAL_USERS ? 0 : hx_arrival_expected(&c->arrival, t_ns);
    double sum = 0;
    for (size_t i = 0; i < c->ngroups; i++)
        if (c->groups[i].enabled)
            sum += hx_arrival_expected(&c->groups[i].arrival, t_ns);
    return sum;
}
