#include <stdio.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>
#include <unistd.h>

#include "common/clock.h"
#include "common/units.h"
#include "harness/config/config.h"

int hx_cfg_check_url(const char *url, char *err, size_t errlen)
{
    size_t skip;
    if (strncmp(url, "http://", 7) == 0)
        skip = 7;
    else if (strncmp(url, "https://", 8) == 0)
        skip = 8;
    else {
        snprintf(err, errlen, "\"%s\" is not an http:// URL (expected an api_base like http://127.0.0.1:8080/v1)", url);
        return -1;
    }
    if (url[skip] == '\0' || url[skip] == '/' || url[skip] == ':') {
        snprintf(err, errlen, "\"%s\" has no host", url);
        return -1;
    }
    for (const char *p = url; *p; p++) {
        if (*p <= ' ' || *p == 127) {
            snprintf(err, errlen, "\"%s\" contains a space or a control character", url);
            return -1;
        }
    }
    if (strpbrk(url, "?#") != NULL) {
        snprintf(err, errlen, "\"%s\": an api_base has no query or fragment (the API path is appended to it)", url);
        return -1;
    }
    return 0;
}

int hx_cfg_check_dir(const char *dir, char *err, size_t errlen)
{
    static const char *const names[] = {"{{name}}", "{{time}}", "{{seed}}"};
    if (dir[0] == '\0') {
        snprintf(err, errlen, "must not be empty");
        return -1;
    }
    for (const char *p = strstr(dir, "{{"); p != NULL; p = strstr(p + 2, "{{")) {
        size_t i = 0;
        while (i < 3 && strncmp(p, names[i], strlen(names[i])) != 0)
            i++;
        if (i == 3) {
            const char *end = strstr(p, "}}");
            int n = end ? (int)(end + 2 - p) : (int)strlen(p);
            snprintf(err, errlen, "unknown placeholder \"%.*s\" (expected {{name}}, {{time}}, {{seed}})", n, p);
            return -1;
        }
    }
    return 0;
}

uint64_t hx_cfg_duration(const hx_cfg_t *c)
{
    if (c->duration_ns != 0)
        return c->duration_ns;
    if (c->phases.n > 0 && !c->phases_from_edges)
        return hx_phases_total(&c->phases);
    if (c->groups_set)
        return HX_DEFAULT_DURATION_NS;
    uint64_t d = 0;
    if (c->arrival.kind == HX_ARRIVAL_RAMP)
        d = c->arrival.over_ns;
    for (size_t i = 0; c->arrival.kind == HX_ARRIVAL_STEP && i < c->arrival.nsteps; i++)
        d = hx_deadline_ns(d, c->arrival.steps[i].dur_ns); /* saturates; hx_cfg_finish refuses the total */
    return d ? d : HX_DEFAULT_DURATION_NS;
}

/* The scenario name when none is written: the file's base name without extension ("1k-rps"). */
static const char *default_name(hx_cfg_t *c)
{
    if (c->file == NULL)
        return "load";
    const char *base = strrchr(c->file, '/');
    base = base ? base + 1 : c->file;
    char buf[256];
    snprintf(buf, sizeof(buf), "%s", base);
    char *dot = strrchr(buf, '.');
    if (dot != NULL && dot != buf)
        *dot = '\0';
    return hx_cfg_strdup(c, buf);
}

static uint64_t random_seed(void)
{
    uint64_t s;
    if (getrandom(&s, sizeof(s), 0) != (ssize_t)sizeof(s))
        s = cm_now_ns() ^ ((uint64_t)getpid() << 32) ^ (uint64_t)time(NULL);
    return s; /* any of the 2^64 values: --seed and seed: take the whole range back */
}

static void apply_defaults(hx_cfg_t *c)
{
    if (c->name == NULL)
        c->name = default_name(c);
    if (!c->seed_set)
        c->seed = random_seed();
    c->seed_set = true;
    c->duration_ns = hx_cfg_duration(c);
    if (c->threads == 0)
        c->threads = 1;
    if (c->max_inflight == 0)
        c->max_inflight = HX_DEFAULT_MAX_INFLIGHT;
    if (c->timeout_ns == 0)
        c->timeout_ns = HX_DEFAULT_TIMEOUT_NS;
    if (!c->drain_set)
        c->drain_ns = HX_DEFAULT_DRAIN_NS;
    if (c->interval_ns == 0)
        c->interval_ns = HX_DEFAULT_INTERVAL_NS;
    if (c->nreqs == 0) {
        hx_reqspec_t *s = cm_arena_alloc(&c->arena, sizeof(*s));
        hx_reqspec_defaults(s);
        c->reqs = s;
        c->nreqs = 1;
    }
    /* A run that states nothing still has a verdict that cannot hide failures or overload; `expect: []`
     * says "no expectations" on purpose. */
    if (c->nexpects == 0 && !c->expect_set) {
        c->expects = cm_xcalloc(1, sizeof(*c->expects));
        hx_expect_default(&c->expects[0]);
        c->nexpects = 1;
    }
}

static int cross_check(const hx_cfg_t *c, char *err, size_t errlen)
{
    const hx_arrival_t *a = &c->arrival;
    if (a->kind == HX_ARRIVAL_USERS && a->users > c->max_inflight) {
        snprintf(err, errlen, "users (%u) exceed max_inflight (%u): raise --max-inflight", a->users, c->max_inflight);
        return -1;
    }
    if (a->kind == HX_ARRIVAL_USERS && c->threads > a->users) {
        snprintf(err, errlen, "threads (%u) exceed users (%u): a thread would have no user", c->threads, a->users);
        return -1;
    }
    if (c->max_inflight < c->threads) {
        snprintf(err, errlen, "max_inflight (%u) is below threads (%u): each thread needs at least one",
                 c->max_inflight, c->threads);
        return -1;
    }
    if (c->conn.churn && (c->conn.max_requests != 0 || c->conn.max_age_ns != 0)) {
        snprintf(err, errlen, "churn opens a connection per request: it excludes max_requests and max_age");
        return -1;
    }
    return 0;
}

static int check_limit(const char *what, uint64_t ns, char *err, size_t errlen)
{
    char v[32], max[32];
    if (ns <= HX_MAX_DURATION_NS)
        return 0;
    /* The formatter rounds to 3 significant decimals: "365d" above "365d" would read as a contradiction. */
    cm_format_duration(v, sizeof(v), ns);
    cm_format_duration(max, sizeof(max), HX_MAX_DURATION_NS);
    if (strcmp(v, max) == 0)
        snprintf(err, errlen, "%s is above the maximum of %s", what, max);
    else
        snprintf(err, errlen, "%s %s is above the maximum of %s", what, v, max);
    return -1;
}

/* Files are checked value by value where they are read (with a position); this catches flags and the total
 * of a step schedule, whose steps may each be within the limit. */
static int check_limits(const hx_cfg_t *c, char *err, size_t errlen)
{
    const char *what = c->duration_ns != 0 ? "duration" : "duration (the ramp's over or the steps' sum)";
    if (check_limit(what, hx_cfg_duration(c), err, errlen) || check_limit("drain", c->drain_ns, err, errlen) ||
        check_limit("timeout", c->timeout_ns, err, errlen) || check_limit("interval", c->interval_ns, err, errlen))
        return -1;
    return 0;
}

int hx_cfg_finish(hx_cfg_t *c, char *err, size_t errlen)
{
    if (c->target == NULL) {
        snprintf(err, errlen, "%s", c->target_err ? c->target_err : "no target: pass --url (or set load.target)");
        return -1;
    }
    if (c->path_err != NULL) {
        snprintf(err, errlen, "%s", c->path_err);
        return -1;
    }
    if (!c->arrival_set && hx_cfg_phases_cover_arrival(c)) {
        /* every phase has its own: the base is never followed */
        memset(&c->arrival, 0, sizeof(c->arrival));
        c->arrival.kind = HX_ARRIVAL_CONSTANT;
        c->arrival_set = true;
    }
    const char *noun;
    if (!c->arrival_set && hx_cfg_capacity(c, &noun) != NULL) {
        snprintf(err, errlen,
                 "load.arrival: a %s is run by `soak run %s` (soak load runs one arrival: pass --rate R "
                 "or --users N)",
                 noun, c->file ? c->file : "FILE");
        return -1;
    }
    if (!c->arrival_set) {
        snprintf(err, errlen, "no arrival: pass --rate R or --users N (or set load.arrival, or an arrival in every "
                              "phase)");
        return -1;
    }
    if (hx_arrival_check(&c->arrival, err, errlen) != 0 || check_limits(c, err, errlen) != 0)
        return -1;
    apply_defaults(c);
    if (cross_check(c, err, errlen) != 0 || hx_cfg_finish_phases(c, err, errlen) != 0 ||
        hx_cfg_finish_groups(c, err, errlen) != 0)
        return -1;
    return hx_cfg_build_workload(c, err, errlen);
}

int hx_cfg_build_workload(hx_cfg_t *c, char *err, size_t errlen)
{
    if (c->workload_built)
        hx_workload_free(&c->workload);
    c->workload_built = false;
    if (hx_workload_init(&c->workload, c->reqs, c->nreqs, c->headers, c->nheaders, c->api_key, err, errlen) != 0)
        return -1;
    c->workload_built = true;
    return 0;
}
