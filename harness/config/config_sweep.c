/* load.arrival: {sweep: {...}}: its keys, with soak sweep's defaults and bounds. What a sweep cannot go with in the
 * rest of the file: config_capacity.c. */
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
