/* soak find's settings from text: the flags' values and a scenario's load.arrival.find keys go through the same
 * reader, so that a file cannot accept what the command line refuses (or the reverse). The reader knows the
 * settings by what they are (hx_find_key_t) and names them in messages the way the caller spells them. */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "common/units.h"
#include "harness/config/config_find.h"
#include "harness/engine/arrival.h"

const hx_find_names_t hx_find_flag_names = {
    {"--over", "--start-rate", "--min-rate", "--max-rate", "--start-users", "--min-users", "--max-users", "--think",
     "--repeats", "--precision", "--max-probes", "--probe-duration", "--probe-warmup", "--settle", "--poisson",
     "--require", NULL},
    "--over users"};

const hx_find_names_t hx_find_file_names = {
    {"over", "start_rate", "min_rate", "max_rate", "start_users", "min_users", "max_users", "think", "repeats",
     "precision", "max_probes", "probe_duration", "probe_warmup", "settle", "poisson", "require", NULL},
    "over: users"};

typedef struct reader {
    const char *const *v;
    const hx_find_names_t *names;
    hx_find_key_t *bad;
    char *why;
    size_t whylen;
} reader_t;

#define NAME(k) (r->names->key[(k)])

static int fail(const reader_t *r, hx_find_key_t k, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static int fail(const reader_t *r, hx_find_key_t k, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(r->why, r->whylen, fmt, ap);
    va_end(ap);
    *r->bad = k;
    return -1;
}

/* ---- one value ---------------------------------------------------------------------------------------- */

static int rate(const reader_t *r, hx_find_key_t k, double *out)
{
    char why[200];
    const char *v = r->v[k];
    if (v == NULL)
        return 0;
    if (cm_parse_rate(v, out, why, sizeof(why)) != 0)
        return fail(r, k, "%s %s (expected a rate like 100/s or 6k/min)", NAME(k), why); /* why quotes v */
    if (!(*out >= HX_SEARCH_MIN_RATE && *out <= HX_SEARCH_MAX_RATE))
        return fail(r, k, "%s \"%s\": expected 0.001/s to 10M/s", NAME(k), v);
    return 0;
}

bool hx_find_whole(const char *v, unsigned max, unsigned *out)
{
    char why[200];
    double d;
    if (cm_parse_count(v, &d, why, sizeof(why)) != 0 || d != floor(d) || d < 1 || d > max)
        return false;
    *out = (unsigned)d;
    return true;
}

static int whole(const reader_t *r, hx_find_key_t k, unsigned max, unsigned *out)
{
    if (r->v[k] != NULL && !hx_find_whole(r->v[k], max, out))
        return fail(r, k, "%s \"%s\": expected a whole number from 1 to %u", NAME(k), r->v[k], max);
    return 0;
}

static int duration(const reader_t *r, hx_find_key_t k, uint64_t *out)
{
    char why[200];
    const char *v = r->v[k];
    if (v == NULL)
        return 0;
    if (cm_parse_duration(v, out, why, sizeof(why)) != 0)
        return fail(r, k, "%s %s", NAME(k), why); /* why quotes v */
    if (*out > HX_CAP_MAX_DURATION_NS)
        return fail(r, k, "%s \"%s\": at most 1h", NAME(k), v);
    return 0;
}

/* ---- the search --------------------------------------------------------------------------------------- */

/* An option of one axis given to a search over the other: said rather than ignored. The users keys follow the
 * rate keys in the same order (start, min, max), so k + 3 is the one that belongs. */
static int check_axis(const reader_t *r, const hx_find_settings_t *s)
{
    for (hx_find_key_t k = HX_FK_START_RATE; k <= HX_FK_MAX_USERS; k++) {
        bool users_key = k >= HX_FK_START_USERS;
        if (r->v[k] == NULL || users_key == s->over_users)
            continue;
        if (s->over_users)
            return fail(r, k, "%s: the search is over users (%s): give %s", NAME(k), r->names->over_users,
                        NAME(k + 3));
        return fail(r, k, "%s goes with %s (the search is over the arrival rate)", NAME(k), r->names->over_users);
    }
    if (r->v[HX_FK_THINK] != NULL && !s->over_users)
        return fail(r, HX_FK_THINK, "%s: the probes are open loop (%s searches closed loops, where %s applies)",
                    NAME(HX_FK_THINK), r->names->over_users, NAME(HX_FK_THINK));
    if (s->poisson && s->over_users)
        return fail(r, HX_FK_POISSON,
                    "%s: the search is over users (%s): closed loops have no arrival rate to draw gaps from",
                    NAME(HX_FK_POISSON), r->names->over_users);
    return 0;
}

/* Over users: whole user counts from min_users (default 1) through max_users, starting at start_users. */
static int read_users(const reader_t *r, hx_find_settings_t *s)
{
    unsigned start = HX_FIND_DEFAULT_START_USERS, min = 1, max = HX_FIND_DEFAULT_MAX_USERS;
    char why[200];
    if (whole(r, HX_FK_START_USERS, HX_FIND_MAX_USERS, &start) != 0 ||
        whole(r, HX_FK_MIN_USERS, HX_FIND_MAX_USERS, &min) != 0 ||
        whole(r, HX_FK_MAX_USERS, HX_FIND_MAX_USERS, &max) != 0)
        return -1;
    /* Defaults yield to a start given outside them; given values must agree with each other. */
    if (r->v[HX_FK_MAX_USERS] == NULL && start > max)
        max = start;
    if (r->v[HX_FK_MIN_USERS] == NULL && start < min)
        min = start;
    if (start > max)
        return fail(r, HX_FK_START_USERS, "%s %u is above %s %u", NAME(HX_FK_START_USERS), start,
                    NAME(HX_FK_MAX_USERS), max);
    if (min > start)
        return fail(r, HX_FK_MIN_USERS, "%s %u is above %s %u", NAME(HX_FK_MIN_USERS), min, NAME(HX_FK_START_USERS),
                    start);
    if (r->v[HX_FK_THINK] != NULL) {
        cm_dist_t d;
        if (hx_think_parse(r->v[HX_FK_THINK], &d, why, sizeof(why)) != 0)
            return fail(r, HX_FK_THINK, "%s %s", NAME(HX_FK_THINK), why); /* why quotes the value */
        s->think = r->v[HX_FK_THINK];
    }
    s->start = start;
    s->min = min;
    s->max = max;
    return 0;
}

static int read_rates(const reader_t *r, hx_find_settings_t *s)
{
    s->start = HX_FIND_DEFAULT_START_RATE;
    s->max = HX_FIND_DEFAULT_MAX_RATE;
    if (rate(r, HX_FK_START_RATE, &s->start) != 0 || rate(r, HX_FK_MAX_RATE, &s->max) != 0)
        return -1;
    if (s->start > s->max)
        return fail(r, HX_FK_START_RATE, "%s %.6g/s is above %s %.6g/s", NAME(HX_FK_START_RATE), s->start,
                    NAME(HX_FK_MAX_RATE), s->max);
    /* By default the search goes down to the rate that still gives a probe HX_FIND_MIN_ARRIVALS to judge. */
    double measured = (double)(s->duration_ns - s->warmup_ns) / 1e9;
    s->min = fmin(s->start, fmax(HX_SEARCH_MIN_RATE, HX_FIND_MIN_ARRIVALS / measured));
    if (rate(r, HX_FK_MIN_RATE, &s->min) != 0)
        return -1;
    if (s->min > s->start)
        return fail(r, HX_FK_MIN_RATE, "%s %.6g/s is above %s %.6g/s", NAME(HX_FK_MIN_RATE), s->min,
                    NAME(HX_FK_START_RATE), s->start);
    return 0;
}

/* require: a rate ("900/s") for a search over the rate, a user count ("64users", "1user") for one over users. */
static int read_require(const reader_t *r, hx_find_settings_t *s)
{
    const char *v = r->v[HX_FK_REQUIRE], *name = NAME(HX_FK_REQUIRE);
    if (v == NULL)
        return 0;
    s->require_set = true;
    size_t len = strlen(v);
    const char *unit = len > 5 && strcmp(v + len - 5, "users") == 0 ? v + len - 5 : NULL;
    if (unit == NULL && len > 4 && strcmp(v + len - 4, "user") == 0)
        unit = v + len - 4;
    if (unit == NULL && s->over_users)
        return fail(r, HX_FK_REQUIRE, "%s \"%s\": the search is over users (%s): give a user count like 64users",
                    name, v, r->names->over_users);
    if (unit == NULL)
        return rate(r, HX_FK_REQUIRE, &s->require);
    if (!s->over_users)
        return fail(r, HX_FK_REQUIRE,
                    "%s \"%s\": a user count, but the search is over the arrival rate: add %s, or give a rate like "
                    "900/s",
                    name, v, r->names->over_users);
    char num[32];
    unsigned users;
    snprintf(num, sizeof(num), "%.*s", (int)(unit - v), v);
    if (!hx_find_whole(num, HX_FIND_MAX_USERS, &users))
        return fail(r, HX_FK_REQUIRE, "%s \"%s\": expected a whole number of users from 1 to %d, like 64users", name,
                    v, HX_FIND_MAX_USERS);
    s->require = users;
    return 0;
}

static int read_over(const reader_t *r, hx_find_settings_t *s)
{
    const char *v = r->v[HX_FK_OVER];
    if (v == NULL || strcmp(v, "rate") == 0)
        return 0;
    if (strcmp(v, "users") != 0)
        return fail(r, HX_FK_OVER, "%s \"%s\": expected rate (open-loop arrivals) or users (closed loop)",
                    NAME(HX_FK_OVER), v);
    s->over_users = true;
    return 0;
}

static int read_probes(const reader_t *r, hx_find_settings_t *s)
{
    char why[200];
    const char *p = r->v[HX_FK_PRECISION];
    if (duration(r, HX_FK_DURATION, &s->duration_ns) != 0 || duration(r, HX_FK_WARMUP, &s->warmup_ns) != 0 ||
        duration(r, HX_FK_SETTLE, &s->settle_ns) != 0)
        return -1;
    if (s->duration_ns < s->warmup_ns + HX_CAP_MIN_MEASURED_NS)
        return fail(r, HX_FK_DURATION, "%s must exceed %s by at least 1s (the measured part)", NAME(HX_FK_DURATION),
                    NAME(HX_FK_WARMUP));
    if (whole(r, HX_FK_REPEATS, HX_SEARCH_MAX_REPEATS, &s->repeats) != 0 ||
        whole(r, HX_FK_MAX_PROBES, HX_SEARCH_MAX_PROBES, &s->max_probes) != 0)
        return -1;
    if (p != NULL && (cm_parse_percent(p, &s->precision, why, sizeof(why)) != 0 ||
                      s->precision < HX_SEARCH_MIN_PRECISION || s->precision > HX_SEARCH_MAX_PRECISION))
        return fail(r, HX_FK_PRECISION, "%s \"%s\": expected 0.1%% to 50%%", NAME(HX_FK_PRECISION), p);
    return 0;
}

int hx_find_settings_read(hx_find_settings_t *s, const char *const *v, const hx_find_names_t *names,
                          hx_find_key_t *bad, char *why, size_t whylen)
{
    reader_t r = {v, names, bad, why, whylen};
    *s = (hx_find_settings_t){.repeats = 1,
                              .max_probes = HX_FIND_DEFAULT_MAX_PROBES,
                              .precision = HX_FIND_DEFAULT_PRECISION,
                              .duration_ns = HX_CAP_DEFAULT_DURATION_NS,
                              .warmup_ns = HX_CAP_DEFAULT_WARMUP_NS,
                              .settle_ns = HX_CAP_DEFAULT_SETTLE_NS,
                              .poisson = v[HX_FK_POISSON] != NULL && strcmp(v[HX_FK_POISSON], "true") == 0};
    if (read_probes(&r, s) != 0 || read_over(&r, s) != 0 || check_axis(&r, s) != 0)
        return -1;
    if ((s->over_users ? read_users(&r, s) : read_rates(&r, s)) != 0)
        return -1;
    return read_require(&r, s);
}

/* ---- the scenario's section --------------------------------------------------------------------------- */

int hx_cfg_load_find(hx_find_cfg_t *f, const cm_conf_t *conf, const cm_node_t *n, cm_err_t *err)
{
    const char *path = "load.arrival.find", *v[HX_FK_COUNT] = {NULL};
    char p[96], why[512];
    hx_find_key_t bad;
    *f = (hx_find_cfg_t){.set = true, .node = n};
    if (n->type != CM_NODE_MAP)
        return cm_conf_error(conf, n, path, err,
                             "expected a map of soak find's settings (e.g. {start_rate: 50/s, require: 900/s}; {} "
                             "for the defaults)");
    if (cm_conf_check_keys(conf, n, path, hx_find_file_names.key, err) != 0)
        return -1;
    for (int k = 0; k < HX_FK_COUNT; k++) {
        const cm_node_t *at = cm_conf_get(n, hx_find_file_names.key[k]);
        bool b;
        cm_conf_path(p, sizeof(p), path, -1, hx_find_file_names.key[k]);
        if (at == NULL)
            continue;
        if (k == HX_FK_POISSON) { /* YAML's true and false, as every other switch of the file */
            if (cm_conf_bool(conf, at, p, &b, err) != 0)
                return -1;
            v[k] = b ? "true" : "false";
        } else if (cm_conf_str(conf, at, p, &v[k], err) != 0) {
            return -1;
        }
    }
    if (hx_find_settings_read(&f->s, v, &hx_find_file_names, &bad, why, sizeof(why)) == 0)
        return 0;
    const cm_node_t *at = cm_conf_get(n, hx_find_file_names.key[bad]);
    return cm_conf_error(conf, at != NULL ? at : n, path, err, "%s", why);
}
