/* harness/config/config_phases.c — load.phases, load.warmup and load.cooldown: the named spans a run is judged
 * in (harness/measure/phase.h). Names are known when the file is read, so that expectations naming a phase
 * are checked with a position; durations are laid out on the run's clock by hx_cfg_finish. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/units.h"
#include "harness/config/config.h"

int hx_cfg_check_name(const cm_conf_t *conf, const cm_node_t *n, const char *path, const char *what, const char *s,
                      bool taken, cm_err_t *err)
{
    if (s[0] == '\0' || strlen(s) >= HX_PHASE_NAME_MAX ||
        strspn(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-") != strlen(s))
        return cm_conf_error(conf, n, path, err, "a %s name is 1 to %d letters, digits, '-' or '_' (\"%.60s\" is not)",
                             what, HX_PHASE_NAME_MAX - 1, s);
    if (taken)
        return cm_conf_error(conf, n, path, err, "a second %s called \"%s\"", what, s);
    return 0;
}

static int load_phase(hx_cfg_t *c, const cm_conf_t *conf, const cm_node_t *item, const char *path, cm_err_t *err)
{
    static const char *const keys[] = {"name", "duration", "exclude", "arrival", NULL};
    static const char *const required[] = {"name", "duration", NULL};
    char p[160];
    const char *name;
    if (item->type != CM_NODE_MAP)
        return cm_conf_error(conf, item, path, err, "expected a map of name, duration, exclude, arrival");
    if (cm_conf_check_keys(conf, item, path, keys, err) != 0 ||
        cm_conf_require_keys(conf, item, path, required, err) != 0)
        return -1;
    const cm_node_t *v = cm_conf_get(item, "name");
    cm_conf_path(p, sizeof(p), path, -1, "name");
    if (cm_conf_str(conf, v, p, &name, err) != 0 ||
        hx_cfg_check_name(conf, v, p, "phase", name, hx_phases_find(&c->phases, name) >= 0, err) != 0)
        return -1;
    hx_phase_t *ph = &c->phases.p[c->phases.n];
    memset(ph, 0, sizeof(*ph));
    snprintf(ph->name, sizeof(ph->name), "%s", name);
    v = cm_conf_get(item, "duration");
    cm_conf_path(p, sizeof(p), path, -1, "duration");
    if (cm_conf_duration(conf, v, p, &ph->dur_ns, err) != 0)
        return -1;
    if (ph->dur_ns == 0 || ph->dur_ns > HX_MAX_DURATION_NS)
        return cm_conf_error(conf, v, p, err, "a phase lasts more than 0s and at most a year");
    if ((v = cm_conf_get(item, "exclude")) != NULL) {
        cm_conf_path(p, sizeof(p), path, -1, "exclude");
        if (cm_conf_bool(conf, v, p, &ph->exclude, err) != 0)
            return -1;
    }
    size_t i = c->phases.n;
    c->phase_arrival_set[i] = false;
    if ((v = cm_conf_get(item, "arrival")) != NULL) {
        cm_conf_path(p, sizeof(p), path, -1, "arrival");
        if (hx_cfg_read_arrival(conf, v, p, &c->phase_arrival[i], err) != 0)
            return -1;
        if (c->phase_arrival[i].kind == HX_ARRIVAL_USERS)
            return cm_conf_error(conf, v, p, err, "a phase's arrival is open loop (constant, poisson, ramp or step); "
                                                  "closed-loop users run the whole load (load.arrival)");
        c->phase_arrival_set[i] = true;
    }
    c->phases.n++;
    return 0;
}

/* "500req": digits, then "req" and nothing else. Returns 1 when s is written that way (count filled in or err
 * set), 0 when it is not a count at all. */
static int parse_count(const char *s, bool allowed, hx_edge_t *e, char *err, size_t errlen)
{
    size_t digits = strspn(s, "0123456789");
    if (strcmp(s + digits, "req") != 0)
        return 0;
    if (!allowed) {
        snprintf(err, errlen,
                 "\"%.40s\": a cool-down is a duration or a share of the run, not a count: which "
                 "requests are the last is known only once the run has ended",
                 s);
        return -1;
    }
    unsigned long long n = digits > 0 && digits <= 10 ? strtoull(s, NULL, 10) : 0;
    if (n == 0 || n > HX_MAX_WARMUP_REQUESTS) {
        snprintf(err, errlen, "\"%.40s\": a warm-up count is 1req to %llureq", s, HX_MAX_WARMUP_REQUESTS);
        return -1;
    }
    e->count = n;
    e->set = true;
    return 1;
}

int hx_edge_parse(const char *s, bool count, hx_edge_t *e, char *err, size_t errlen)
{
    char why[160];
    *e = (hx_edge_t){0};
    int rc = parse_count(s, count, e, err, errlen);
    if (rc != 0)
        return rc < 0 ? -1 : 0;
    if (strchr(s, '%') != NULL) {
        if (cm_parse_percent(s, &e->frac, why, sizeof(why)) != 0 || e->frac <= 0 || e->frac >= 1) {
            snprintf(err, errlen, "\"%.40s\": expected a share of the run above 0%% and below 100%%, or a duration", s);
            return -1;
        }
    } else if (cm_parse_duration(s, &e->ns, why, sizeof(why)) != 0 || e->ns == 0 || e->ns > HX_MAX_DURATION_NS) {
        snprintf(err, errlen,
                 "\"%.40s\": expected a duration such as 10s (more than 0s, at most a year), a share "
                 "of the run such as 10%%%s",
                 s, count ? " or a count of requests such as 500req" : "");
        return -1;
    }
    e->set = true;
    return 0;
}

/* warmup/cooldown in a file */
static int load_edge(const cm_conf_t *conf, const cm_node_t *n, const char *path, bool count, hx_edge_t *e,
                     cm_err_t *err)
{
    char why[200];
    const char *s;
    if (cm_conf_str(conf, n, path, &s, err) != 0)
        return -1;
    if (hx_edge_parse(s, count, e, why, sizeof(why)) != 0)
        return cm_conf_error(conf, n, path, err, "%s", why);
    return 0;
}

/* The warm-up is a phase (a duration or a share of the run), not a count of requests. */
static bool warm_phase(const hx_cfg_t *c)
{
    return c->warmup.set && c->warmup.count == 0;
}

int hx_cfg_set_edges(hx_cfg_t *c, const hx_edge_t *warmup, const hx_edge_t *cooldown, char *err, size_t errlen)
{
    if (c->phases.n > 0 && !c->phases_from_edges) {
        snprintf(err, errlen, "load.phases is set: a warm-up or cool-down is a phase there with exclude: true");
        return -1;
    }
    if (warmup != NULL && warmup->set)
        c->warmup = *warmup;
    if (cooldown != NULL && cooldown->set)
        c->cooldown = *cooldown;
    c->warmup_requests = c->warmup.set ? c->warmup.count : 0;
    /* warm-up, steady, cool-down (the edges that are set), so that expectations may name them; a warm-up by
     * count is not a span of time, so it makes no phase, and a run with nothing else has no phases */
    c->phases.n = 0;
    c->phases_from_edges = false;
    if (!warm_phase(c) && !c->cooldown.set)
        return 0;
    static const char *const names[] = {"warm-up", "steady", "cool-down"};
    const bool used[] = {warm_phase(c), true, c->cooldown.set};
    for (int i = 0; i < 3; i++) {
        if (!used[i])
            continue;
        hx_phase_t *ph = &c->phases.p[c->phases.n++];
        memset(ph, 0, sizeof(*ph));
        snprintf(ph->name, sizeof(ph->name), "%s", names[i]);
        ph->exclude = i != 1;
    }
    c->phases_from_edges = true;
    return 0;
}

int hx_cfg_load_phases(hx_cfg_t *c, const cm_conf_t *conf, const cm_node_t *load, cm_err_t *err)
{
    const cm_node_t *seq = cm_conf_get(load, "phases");
    const cm_node_t *wu = cm_conf_get(load, "warmup"), *cd = cm_conf_get(load, "cooldown");
    char p[160];
    if (seq != NULL && (wu != NULL || cd != NULL))
        return cm_conf_error(conf, wu != NULL ? wu : cd, wu != NULL ? "load.warmup" : "load.cooldown", err,
                             "load.phases is set: make the warm-up or cool-down a phase there with exclude: true");
    if (seq != NULL) {
        if (seq->type != CM_NODE_SEQ || seq->n == 0)
            return cm_conf_error(conf, seq, "load.phases", err,
                                 "expected a list of phases ({name, duration, exclude})");
        if (seq->n > HX_MAX_PHASES)
            return cm_conf_error(conf, seq->items[HX_MAX_PHASES], "load.phases", err, "at most %d phases",
                                 HX_MAX_PHASES);
        c->phases.n = 0;
        for (size_t i = 0; i < seq->n; i++) {
            cm_conf_path(p, sizeof(p), "load.phases", (int)i, NULL);
            if (load_phase(c, conf, seq->items[i], p, err) != 0)
                return -1;
        }
        bool any = false;
        for (size_t i = 0; i < c->phases.n; i++)
            any = any || !c->phases.p[i].exclude;
        if (!any)
            return cm_conf_error(conf, seq, "load.phases", err, "every phase is excluded: nothing would be judged");
        return 0;
    }
    hx_edge_t w = {0}, k = {0};
    if (wu != NULL && load_edge(conf, wu, "load.warmup", true, &w, err) != 0)
        return -1;
    if (cd != NULL && load_edge(conf, cd, "load.cooldown", false, &k, err) != 0)
        return -1;
    if (wu == NULL && cd == NULL)
        return 0;
    char why[200];
    if (hx_cfg_set_edges(c, &w, &k, why, sizeof(why)) != 0)
        return cm_conf_error(conf, wu != NULL ? wu : cd, wu != NULL ? "load.warmup" : "load.cooldown", err, "%s", why);
    return 0;
}

/* The duration of one edge of a run of total_ns, in whole intervals (at least one). */
static uint64_t edge_ns(const hx_edge_t *e, uint64_t total_ns, uint64_t interval_ns)
{
    double ns = e->frac > 0 ? e->frac * (double)total_ns : (double)e->ns;
    uint64_t iv = (uint64_t)(ns / (double)interval_ns + 0.5);
    return (iv > 0 ? iv : 1) * interval_ns;
}

bool hx_cfg_phases_cover_arrival(const hx_cfg_t *c)
{
    for (size_t i = 0; i < c->phases.n; i++)
        if (!c->phase_arrival_set[i])
            return false;
    return c->phases.n > 0 && !c->phases_from_edges;
}

/* When a phase has its own arrival, the run's arrival becomes the phases' segments end to end. */
static int phased_arrival(hx_cfg_t *c, char *err, size_t errlen)
{
    bool any = false;
    for (size_t i = 0; i < c->phases.n && !c->phases_from_edges; i++)
        any = any || c->phase_arrival_set[i];
    if (!any)
        return 0;
    if (c->arrival.kind == HX_ARRIVAL_USERS) {
        snprintf(err, errlen, "load.arrival is closed-loop users: phases cannot have arrivals of their own");
        return -1;
    }
    if (c->arrival.kind != HX_ARRIVAL_PHASED) /* hx_cfg_finish may run twice on one cfg */
        c->base_arrival = c->arrival;
    for (size_t i = 0; i < c->phases.n; i++) {
        const hx_phase_t *p = &c->phases.p[i];
        c->segs[i] = (hx_arrival_seg_t){p->start_ns, p->end_ns,
                                        c->phase_arrival_set[i] ? &c->phase_arrival[i] : &c->base_arrival};
    }
    memset(&c->arrival, 0, sizeof(c->arrival));
    c->arrival.kind = HX_ARRIVAL_PHASED;
    c->arrival.segs = c->segs;
    c->arrival.nsegs = c->phases.n;
    return hx_arrival_check(&c->arrival, err, errlen);
}

int hx_cfg_finish_phases(hx_cfg_t *c, char *err, size_t errlen)
{
    if (c->phases.n == 0)
        return 0;
    char d[32], e[32];
    if (c->phases_from_edges) {
        uint64_t total = c->duration_ns - c->duration_ns % c->interval_ns;
        uint64_t w = warm_phase(c) ? edge_ns(&c->warmup, total, c->interval_ns) : 0;
        uint64_t k = c->cooldown.set ? edge_ns(&c->cooldown, total, c->interval_ns) : 0;
        if (w + k >= total) {
            snprintf(err, errlen, "the warm-up and cool-down (%s) leave nothing of a run of %s to judge",
                     cm_format_duration(d, sizeof(d), w + k), cm_format_duration(e, sizeof(e), c->duration_ns));
            return -1;
        }
        size_t i = 0;
        if (warm_phase(c))
            c->phases.p[i++].dur_ns = w;
        c->phases.p[i++].dur_ns = total - w - k;
        if (c->cooldown.set)
            c->phases.p[i].dur_ns = k;
    }
    /* Phases end on interval boundaries: a run whose length is not whole intervals ends inside the last one. */
    uint64_t total = c->duration_ns - c->duration_ns % c->interval_ns;
    if (hx_phases_layout(&c->phases, total, c->interval_ns, err, errlen) != 0)
        return -1;
    hx_phase_t *last = &c->phases.p[c->phases.n - 1];
    last->end_ns = c->duration_ns;
    return phased_arrival(c, err, errlen);
}
