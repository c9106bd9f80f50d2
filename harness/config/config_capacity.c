/* A scenario whose load is a capacity command (load.arrival: {sweep: ...} or {find: ...}) beside the rest of the
 * file. Either is many short runs, each with its own arrival, length and warm-up, so whatever describes one run's
 * arrival or clock (phases, a warm-up, the duration, timed changes) is refused where it is written rather than
 * ignored; so are the report settings of one load, since the command writes reports of its own. load.groups is
 * refused by its own reader, which allows no load.arrival beside it. */
#include <stdio.h>
#include <string.h>

#include "harness/config/config.h"

/* How messages speak of each kind, and why each key it refuses cannot be (in the order of refused[] below). */
typedef struct cap_kind {
    const char *key, *noun;
    const char *judges; /* on how many expectations */
    const char *why[4];
} cap_kind_t;

static const cap_kind_t sweep_kind = {
    "sweep",
    "sweep",
    "a sweep judges every run",
    {"each run of a sweep has its own warm-up (load.arrival.sweep.probe_warmup) and no other phase",
     "each run of a sweep lasts load.arrival.sweep.probe_duration",
     "timed changes follow one load's clock; a sweep is many runs",
     "a sweep writes its own reports into report.dir (sweep.json, sweep.html, each run's JSON and HTML) and exits 0 "
     "when it ran"},
};

static const cap_kind_t find_kind = {
    "find",
    "knee search",
    "a knee search judges every probe",
    {"each probe of a knee search has its own warm-up (load.arrival.find.probe_warmup) and no other phase",
     "each probe of a knee search lasts load.arrival.find.probe_duration",
     "timed changes follow one load's clock; a knee search is many probes",
     "a knee search writes its own reports into report.dir (find.json, find.html, each probe's JSON and HTML) and "
     "exits as soak find does (1: the knee is below load.arrival.find.require)"},
};

static const cap_kind_t *kind_of(const hx_cfg_t *c)
{
    return c->sweep.set ? &sweep_kind : c->find.set ? &find_kind : NULL;
}

const char *hx_cfg_capacity(const hx_cfg_t *c, const char **noun)
{
    const cap_kind_t *k = kind_of(c);
    *noun = k != NULL ? k->noun : NULL;
    return k != NULL ? k->key : NULL;
}

int hx_cfg_load_arrival(hx_cfg_t *c, const cm_conf_t *conf, const cm_node_t *v, cm_err_t *err)
{
    const cm_node_t *sweep = v->type == CM_NODE_MAP ? cm_conf_get(v, "sweep") : NULL;
    const cm_node_t *find = v->type == CM_NODE_MAP ? cm_conf_get(v, "find") : NULL;
    if ((sweep != NULL || find != NULL) && v->n != 1)
        return cm_conf_error(conf, v, "load.arrival", err, "%s goes alone: it sets every %s's arrival",
                             sweep != NULL ? "sweep" : "find", sweep != NULL ? "run" : "probe");
    if (sweep != NULL)
        return hx_cfg_load_sweep(&c->sweep, conf, sweep, err);
    if (find != NULL) {
        if (hx_cfg_load_find(&c->find, conf, find, err) != 0)
            return -1;
        c->find.s.think = hx_cfg_strdup(c, c->find.s.think); /* the file's text may be freed before the run */
        return 0;
    }
    if (hx_cfg_read_arrival(conf, v, "load.arrival", &c->arrival, err) != 0)
        return -1;
    c->arrival_set = true;
    return 0;
}

/* The search's range: "users from 8 (1 to 10000)" or "the constant rate from 10/s (1.25/s to 100000/s)". */
static void describe_axis(const hx_find_settings_t *s, char *buf, size_t n)
{
    if (s->over_users)
        snprintf(buf, n, "users from %.0f (%.0f to %.0f)", s->start, s->min, s->max);
    else
        snprintf(buf, n, "the %s rate from %.6g/s (%.6g/s to %.6g/s)", s->poisson ? "Poisson" : "constant", s->start,
                 s->min, s->max);
}

char *hx_cfg_describe_capacity(const hx_cfg_t *c, char *buf, size_t n)
{
    const hx_sweep_cfg_t *sw = &c->sweep;
    const hx_find_settings_t *s = &c->find.s;
    char axis[160], gate[64] = "", runs[48] = "";
    if (sw->set) {
        snprintf(buf, n,
                 "a sweep (a synchronous run, a throughput run of %u users, %u %s rates; runs of %.3gs, warm-up %.3gs)",
                 (unsigned)sw->saturation_users, sw->rates, sw->poisson ? "Poisson" : "constant",
                 (double)sw->duration_ns / 1e9, (double)sw->warmup_ns / 1e9);
        return buf;
    }
    if (!c->find.set)
        return NULL;
    describe_axis(s, axis, sizeof(axis));
    if (s->require_set)
        snprintf(gate, sizeof(gate), "; require %.6g%s", s->require, s->over_users ? "users" : "/s");
    if (s->repeats > 1)
        snprintf(runs, sizeof(runs), ", %u runs each", s->repeats);
    snprintf(buf, n, "a knee search (over %s, precision %.3g%%, at most %u probes of %.3gs, warm-up %.3gs%s%s)", axis,
             s->precision * 100, s->max_probes, (double)s->duration_ns / 1e9, (double)s->warmup_ns / 1e9, runs, gate);
    return buf;
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

/* A sweep's throughput run, and a search's probes over users, must fit the load: at most load.max_inflight
 * users, and at least a user per thread. */
static int check_users(const hx_cfg_t *c, const cm_conf_t *conf, cm_err_t *err)
{
    uint32_t inflight = c->max_inflight ? c->max_inflight : HX_DEFAULT_MAX_INFLIGHT;
    uint32_t threads = c->threads ? c->threads : 1;
    const hx_find_settings_t *s = &c->find.s;
    const cm_node_t *v;
    if (c->sweep.set && c->sweep.saturation_users > inflight) {
        v = cm_conf_get(c->sweep.node, "saturation_users");
        return cm_conf_error(conf, v != NULL ? v : c->sweep.node, "load.arrival.sweep.saturation_users", err,
                             "%u users exceed load.max_inflight (%u): raise load.max_inflight",
                             (unsigned)c->sweep.saturation_users, (unsigned)inflight);
    }
    if (!c->find.set || !s->over_users)
        return 0;
    if (s->max > inflight) {
        v = cm_conf_get(c->find.node, "max_users");
        return cm_conf_error(conf, v != NULL ? v : c->find.node, "load.arrival.find.max_users", err,
                             "%.0f users%s exceed load.max_inflight (%u): %sraise load.max_inflight", s->max,
                             v != NULL ? "" : " (the default)", (unsigned)inflight,
                             v != NULL ? "" : "give max_users, or ");
    }
    if (s->min < threads) {
        v = cm_conf_get(c->find.node, "min_users");
        return cm_conf_error(conf, v != NULL ? v : c->find.node, "load.arrival.find.min_users", err,
                             "%.0f user%s%s %s below load.threads (%u): a probe needs a user per thread; give "
                             "min_users at least %u",
                             s->min, s->min == 1 ? "" : "s", v != NULL ? "" : " (the default)",
                             s->min == 1 ? "is" : "are", (unsigned)threads, (unsigned)threads);
    }
    return 0;
}

int hx_cfg_check_capacity(const hx_cfg_t *c, const cm_conf_t *conf, cm_err_t *err)
{
    static const char *const refused[][4] = {
        {"load.phases", "load.warmup", "load.cooldown", NULL},
        {"duration", NULL},
        {"changes", NULL},
        {"report.formats", "report.webhook", "report.exit_codes", NULL},
    };
    const cap_kind_t *k = kind_of(c);
    const cm_node_t *at = c->sweep.set ? c->sweep.node : c->find.node;
    const char *which;
    if (k == NULL)
        return 0;
    for (size_t i = 0; i < sizeof(refused) / sizeof(refused[0]); i++) {
        const cm_node_t *v = first_of(conf->root, refused[i], &which);
        if (v != NULL)
            return cm_conf_error(conf, v, which, err, "not with load.arrival: {%s: ...} (line %d): %s", k->key,
                                 at->line, k->why[i]);
    }
    if (c->nexpects > HX_SWEEP_MAX_EXPECTS)
        return cm_conf_error(conf, cm_conf_get(conf->root, "expect"), "expect", err,
                             "%zu expectations: %s on at most %d (they are its SLOs)", c->nexpects, k->judges,
                             HX_SWEEP_MAX_EXPECTS);
    return check_users(c, conf, err);
}

void hx_cfg_capacity_standin(hx_cfg_t *c)
{
    const hx_find_settings_t *s = &c->find.s;
    char why[256];
    if (c->arrival_set || kind_of(c) == NULL)
        return;
    memset(&c->arrival, 0, sizeof(c->arrival));
    c->arrival_set = true;
    c->arrival_standin = true;
    if (c->find.set && !s->over_users) { /* the search's first probe */
        c->arrival.kind = s->poisson ? HX_ARRIVAL_POISSON : HX_ARRIVAL_CONSTANT;
        c->arrival.rate = s->start;
        return;
    }
    /* A sweep's synchronous run (one user), or a search's first probe of users. */
    c->arrival.kind = HX_ARRIVAL_USERS;
    c->arrival.users = c->find.set ? (uint32_t)s->start : 1;
    c->arrival.think = cm_dist_fixed(0);
    if (c->find.set && s->think != NULL && hx_think_parse(s->think, &c->arrival.think, why, sizeof(why)) != 0)
        c->arrival.think = cm_dist_fixed(0); /* not reached: hx_cfg_load_find read it already */
}
