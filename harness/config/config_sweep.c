/* load.arrival: {sweep: {...}}: its keys, and what a sweep cannot go with in the rest of the file. A sweep is many
 * short runs, each with its own arrival, length and warm-up, so whatever describes one run's arrival or clock
 * (phases, a warm-up, the duration, timed changes) is refused where it is written rather than ignored. load.groups
 * is refused by its own reader, which allows no load.arrival beside it. */
#include <stdio.h>
#include <string.h>

#include "harness/config/config.h"
#include "harness/config/config_sweep.h"

static int whole(const cm_conf_t *conf, const cm_node_t *n, const char *key, int64_t max, int64_t *out, cm_err_t *err)
{
    char p[96];
    return cm_conf_int(conf, n, cm_conf_path(p, sizeof(p), "load.arrival.sweep", -1, key), 1, max, out, err);
}

static int probe_time(const cm_conf_t *conf, const cm_node_t *n, const char *key, uint64_t *ns, cm_err_t *err)
{
    char p[96];
    cm_conf_path(p, sizeof(p), "load.arrival.sweep", -1, key);
    if (cm_conf_duration(conf, n, p, ns, err) != 0)
        return -1;
    if (*ns > HX_CAP_MAX_DURATION_NS)
        return cm_conf_error(conf, n, p, err, "%s: at most 1h", n->str);
    return 0;
}

int hx_cfg_load_sweep(hx_sweep_cfg_t *s, const cm_conf_t *conf, const cm_node_t *n, cm_err_t *err)
{
    static const char *const keys[] = {
        "rates", "saturation_users", "probe_duration", "probe_warmup", "poisson", "settle", NULL};
    const char *path = "load.arrival.sweep";
    const cm_node_t *v;
    int64_t i;
    *s = (hx_sweep_cfg_t){.set = true,
                          .rates = HX_SWEEP_DEFAULT_RATES,
                          .saturation_users = HX_SWEEP_DEFAULT_USERS,
                          .duration_ns = HX_CAP_DEFAULT_DURATION_NS,
                          .warmup_ns = HX_CAP_DEFAULT_WARMUP_NS,
                          .settle_ns = HX_CAP_DEFAULT_SETTLE_NS,
                          .node = n};
    if (n->type != CM_NODE_MAP)
        return cm_conf_error(conf, n, path, err,
                             "expected a map of rates, saturation_users, probe_duration, probe_warmup, poisson, "
                             "settle (e.g. {rates: 8}; {} for the defaults)");
    if (cm_conf_check_keys(conf, n, path, keys, err) != 0)
        return -1;
    if ((v = cm_conf_get(n, "rates")) != NULL) {
        if (whole(conf, v, "rates", HX_SWEEP_MAX_RATES, &i, err) != 0)
            return -1;
        s->rates = (unsigned)i;
    }
    if ((v = cm_conf_get(n, "saturation_users")) != NULL) {
        if (whole(conf, v, "saturation_users", HX_SWEEP_MAX_USERS, &i, err) != 0)
            return -1;
        s->saturation_users = (uint32_t)i;
    }
    if (((v = cm_conf_get(n, "probe_duration")) && probe_time(conf, v, "probe_duration", &s->duration_ns, err)) ||
        ((v = cm_conf_get(n, "probe_warmup")) && probe_time(conf, v, "probe_warmup", &s->warmup_ns, err)) ||
        ((v = cm_conf_get(n, "settle")) && probe_time(conf, v, "settle", &s->settle_ns, err)))
        return -1;
    if ((v = cm_conf_get(n, "poisson")) && cm_conf_bool(conf, v, "load.arrival.sweep.poisson", &s->poisson, err))
        return -1;
    if (s->duration_ns < s->warmup_ns + HX_CAP_MIN_MEASURED_NS) {
        v = cm_conf_get(n, "probe_duration");
        return cm_conf_error(conf, v != NULL ? v : n, v != NULL ? "load.arrival.sweep.probe_duration" : path, err,
                             "must exceed probe_warmup by at least 1s (the measured part)");
    }
    return 0;
}

/* The first of keys (each "section.key" or a top-level "key") present in the file, or NULL. */
static const cm_node_t *first_of(const cm_node_t *root, const char *const *keys, const char **which)
{
    for (size_t i = 0; keys[i] != NULL; i++) {
        const char *dot = strchr(keys[i], '.');
        const cm_node_t *at = root;
        if (dot != NULL) {
            char section[32];
            snprintf(section, sizeof(section), "%.*s", (int)(dot - keys[i]), keys[i]);
            at = cm_conf_get(root, section);
        }
        const cm_node_t *v = at != NULL && at->type == CM_NODE_MAP ? cm_conf_get(at, dot ? dot + 1 : keys[i]) : NULL;
        if (v != NULL) {
            *which = keys[i];
            return v;
        }
    }
    return NULL;
}

int hx_cfg_check_sweep(const hx_cfg_t *c, const cm_conf_t *conf, cm_err_t *err)
{
    static const struct {
        const char *keys[4], *why;
    } refused[] = {
        {{"load.phases", "load.warmup", "load.cooldown", NULL},
         "each run of a sweep has its own warm-up (load.arrival.sweep.probe_warmup) and no other phase"},
        {{"duration", NULL}, "each run of a sweep lasts load.arrival.sweep.probe_duration"},
        {{"changes", NULL}, "timed changes follow one load's clock; a sweep is many runs"},
        {{"report.formats", "report.webhook", "report.exit_codes", NULL},
         "a sweep writes its own reports into report.dir (sweep.json, sweep.html, each run's JSON and HTML) and "
         "exits 0 when it ran"},
    };
    const char *which;
    if (!c->sweep.set)
        return 0;
    for (size_t i = 0; i < sizeof(refused) / sizeof(refused[0]); i++) {
        const cm_node_t *v = first_of(conf->root, refused[i].keys, &which);
        if (v != NULL)
            return cm_conf_error(conf, v, which, err, "not with load.arrival: {sweep: ...} (line %d): %s",
                                 c->sweep.node->line, refused[i].why);
    }
    const cm_node_t *v = cm_conf_get(conf->root, "expect");
    if (c->nexpects > HX_SWEEP_MAX_EXPECTS)
        return cm_conf_error(conf, v, "expect", err,
                             "%zu expectations: a sweep judges every run on at most %d (they are its SLOs)",
                             c->nexpects, HX_SWEEP_MAX_EXPECTS);
    uint32_t inflight = c->max_inflight ? c->max_inflight : HX_DEFAULT_MAX_INFLIGHT;
    if (c->sweep.saturation_users > inflight) {
        v = cm_conf_get(c->sweep.node, "saturation_users");
        return cm_conf_error(conf, v != NULL ? v : c->sweep.node, "load.arrival.sweep.saturation_users", err,
                             "%u users exceed load.max_inflight (%u): raise load.max_inflight",
                             (unsigned)c->sweep.saturation_users, (unsigned)inflight);
    }
    return 0;
}

void hx_cfg_sweep_standin(hx_cfg_t *c)
{
    if (!c->sweep.set || c->arrival_set)
        return;
    memset(&c->arrival, 0, sizeof(c->arrival));
    c->arrival.kind = HX_ARRIVAL_USERS;
    c->arrival.users = 1;
    c->arrival.think = cm_dist_fixed(0);
    c->arrival_set = true;
}
