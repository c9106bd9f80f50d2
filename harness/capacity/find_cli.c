/* The command line of `soak find`: its own flags, and the `soak load` flags it passes on to every probe. getopt
 * cannot pass unknown flags through with their values, so the words are read here one by one and cli.c says
 * which load flags exist and which take a value. */
#include <math.h>
#include <string.h>

#include "common/units.h"
#include "harness/capacity/find.h"
#include "harness/run/cli.h"
#include "harness/run/cli_http.h"

typedef enum fflag {
    F_SLO,
    F_REQUEST_SLO,
    F_START_RATE,
    F_MAX_RATE,
    F_MIN_RATE,
    F_REPEATS,
    F_PRECISION,
    F_MAX_PROBES,
    F_DURATION,
    F_WARMUP,
    F_SETTLE,
    F_REQUIRE,
    F_JSON,
    F_REPORTS,
    F_RATES,
    F_USERS,
    F_OVER,
    F_START_USERS,
    F_MIN_USERS,
    F_MAX_USERS,
    F_HELP,
} fflag_t;

/* Which command takes a flag. */
#define FIND 1u
#define SWEEP 2u
#define BOTH (FIND | SWEEP)

static const struct {
    const char *name;
    fflag_t id;
    bool value;
    unsigned cmds;
} own[] = {
    {"slo", F_SLO, true, BOTH},
    {"request-slo", F_REQUEST_SLO, true, BOTH},
    {"start-rate", F_START_RATE, true, FIND},
    {"max-rate", F_MAX_RATE, true, FIND},
    {"min-rate", F_MIN_RATE, true, FIND},
    {"repeats", F_REPEATS, true, FIND},
    {"precision", F_PRECISION, true, FIND},
    {"max-probes", F_MAX_PROBES, true, FIND},
    {"probe-duration", F_DURATION, true, BOTH},
    {"probe-warmup", F_WARMUP, true, BOTH},
    {"settle", F_SETTLE, true, BOTH},
    {"require", F_REQUIRE, true, FIND},
    {"json", F_JSON, true, BOTH},
    {"probe-reports", F_REPORTS, true, BOTH},
    {"rates", F_RATES, true, SWEEP},
    {"saturation-users", F_USERS, true, SWEEP},
    {"over", F_OVER, true, FIND},
    {"start-users", F_START_USERS, true, FIND},
    {"min-users", F_MIN_USERS, true, FIND},
    {"max-users", F_MAX_USERS, true, FIND},
    {"help", F_HELP, false, BOTH},
};

static const char *cmd_name(const hx_find_opts_t *o)
{
    return o->cmd == HX_CAP_SWEEP ? "sweep" : "find";
}

/* `soak load` flags a search cannot take, and why. */
static const struct {
    const char *name, *why;
} refused[] = {
    {"rate", "the search sets each probe's rate"},
    {"duration", "each probe runs --probe-duration"},
    {"warmup", "each probe's warm-up is --probe-warmup"},
    {"cooldown", "a probe has a warm-up only (--probe-warmup)"},
    {"users", "the probes are open loop (soak sweep: --saturation-users), or the search sets their users (soak find "
              "--over users)"},
    {"spawn", "the probes are open loop, closed loops without think time"},
    {"expect", "a probe is judged on --slo (the same metrics and forms as --expect)"},
    {"jsonl", "probes write no reports (--probe-reports DIR keeps each probe's JSON summary)"},
    {"junit", "probes write no reports (--probe-reports DIR keeps each probe's JSON summary)"},
    {"html", "probes write no reports (--probe-reports DIR keeps each probe's JSON summary)"},
    {"webhook", "probes write no reports (--probe-reports DIR keeps each probe's JSON summary)"},
    {"check", "not available for soak find"},
};

typedef struct raw {
    const char *v[F_HELP];
    const char *slos[HX_FIND_MAX_SLOS];
    size_t nslos;
    const char *think; /* --think: a closed loop's, so soak find --over users only (checked once --over is known) */
} raw_t;

static int own_flag(const char *name, size_t len)
{
    for (size_t i = 0; i < sizeof(own) / sizeof(own[0]); i++)
        if (strlen(own[i].name) == len && strncmp(own[i].name, name, len) == 0)
            return (int)i;
    return -1;
}

static int push_load(hx_find_opts_t *o, const char *word, char *err, size_t errlen)
{
    if (o->nload_args >= HX_FIND_MAX_LOAD_ARGS)
        return hx_cli_errf(err, errlen, "more than %d load flags and values", HX_FIND_MAX_LOAD_ARGS);
    o->load_args[o->nload_args++] = word;
    return 0;
}

static int take_own(hx_find_opts_t *o, raw_t *r, int i, const char *value, char *err, size_t errlen)
{
    fflag_t id = own[i].id;
    if (id == F_HELP) {
        o->help = true;
        return 0;
    }
    if (id == F_SLO) {
        if (r->nslos >= HX_FIND_MAX_SLOS - 1) /* one slot stays free for the default failure_rate */
            return hx_cli_errf(err, errlen, "--slo: given more than %d times", HX_FIND_MAX_SLOS - 1);
        r->slos[r->nslos++] = value;
        return 0;
    }
    if (id == F_REQUEST_SLO) { /* the load's own --slo: what makes one request good */
        if (push_load(o, "--slo", err, errlen) != 0)
            return -1;
        return push_load(o, value, err, errlen);
    }
    r->v[id] = value;
    return 0;
}

/* One word that starts with "--": a flag of find's, or of load's (with its value), or an error. */
static int read_flag(hx_find_opts_t *o, raw_t *r, int argc, char **argv, int *k, char *err, size_t errlen)
{
    const char *word = argv[*k], *name = word + 2, *eq = strchr(name, '=');
    size_t len = eq ? (size_t)(eq - name) : strlen(name);
    int i = own_flag(name, len);
    bool takes;
    if (i >= 0 && !(own[i].cmds & (o->cmd == HX_CAP_SWEEP ? SWEEP : FIND)))
        return hx_cli_errf(err, errlen, "--%s: not for soak %s (soak help %s)", own[i].name, cmd_name(o), cmd_name(o));
    if (i >= 0 && !own[i].value)
        return eq ? hx_cli_errf(err, errlen, "--%.*s takes no value", (int)len, name)
                  : take_own(o, r, i, NULL, err, errlen);
    if (i >= 0) {
        if (eq == NULL && *k + 1 >= argc)
            return hx_cli_errf(err, errlen, "--%.*s needs a value", (int)len, name);
        return take_own(o, r, i, eq ? eq + 1 : argv[++*k], err, errlen);
    }
    if (len == 5 && strncmp(name, "think", 5) == 0)
        r->think = word;
    for (size_t j = 0; j < sizeof(refused) / sizeof(refused[0]); j++)
        if (strlen(refused[j].name) == len && strncmp(refused[j].name, name, len) == 0)
            return hx_cli_errf(err, errlen, "--%s: not for soak %s: %s", refused[j].name, cmd_name(o), refused[j].why);
    if (hx_cli_load_flag(name, len, &takes) != 0)
        return hx_cli_errf(err, errlen, "unknown option \"%s\"", word);
    if (push_load(o, word, err, errlen) != 0)
        return -1;
    if (takes && eq == NULL) {
        if (*k + 1 >= argc)
            return hx_cli_errf(err, errlen, "--%.*s needs a value", (int)len, name);
        return push_load(o, argv[++*k], err, errlen);
    }
    return 0;
}

/* ---- values ------------------------------------------------------------------------------------------- */

static int rate_of(const char *flag, const char *v, double *out, char *err, size_t errlen)
{
    char why[200];
    if (cm_parse_rate(v, out, why, sizeof(why)) != 0)
        return hx_cli_errf(err, errlen, "--%s \"%s\": %s (expected a rate like 100/s or 6k/min)", flag, v, why);
    if (!(*out >= HX_SEARCH_MIN_RATE && *out <= HX_SEARCH_MAX_RATE))
        return hx_cli_errf(err, errlen, "--%s \"%s\": expected 0.001/s to 10M/s", flag, v);
    return 0;
}

static int whole_of(const char *flag, const char *v, unsigned max, unsigned *out, char *err, size_t errlen)
{
    char why[200];
    double d;
    if (cm_parse_count(v, &d, why, sizeof(why)) != 0 || d != floor(d) || d < 1 || d > max)
        return hx_cli_errf(err, errlen, "--%s \"%s\": expected a whole number from 1 to %u", flag, v, max);
    *out = (unsigned)d;
    return 0;
}

static int duration_of(const char *flag, const char *v, uint64_t *out, char *err, size_t errlen)
{
    char why[200];
    if (cm_parse_duration(v, out, why, sizeof(why)) != 0)
        return hx_cli_errf(err, errlen, "--%s \"%s\": %s", flag, v, why);
    if (*out > HX_FIND_MAX_DURATION_NS)
        return hx_cli_errf(err, errlen, "--%s \"%s\": at most 1h", flag, v);
    return 0;
}

/* Options of one axis given to a search over the other: said rather than ignored. */
static int check_axis(const hx_find_opts_t *o, const raw_t *r, char *err, size_t errlen)
{
    static const struct {
        fflag_t id;
        const char *name;
        bool users;
    } axis[] = {{F_START_RATE, "start-rate", false}, {F_MIN_RATE, "min-rate", false},
                {F_MAX_RATE, "max-rate", false},     {F_START_USERS, "start-users", true},
                {F_MIN_USERS, "min-users", true},    {F_MAX_USERS, "max-users", true}};
    for (size_t i = 0; i < sizeof(axis) / sizeof(axis[0]); i++) {
        if (r->v[axis[i].id] == NULL || axis[i].users == o->over_users)
            continue;
        if (o->over_users) /* "start-rate" -> "start-users" */
            return hx_cli_errf(err, errlen, "--%s: the search is over users (--over users): give --%.*s-users",
                               axis[i].name, (int)(strchr(axis[i].name, '-') - axis[i].name), axis[i].name);
        return hx_cli_errf(err, errlen, "--%s goes with --over users (the search is over the arrival rate)",
                           axis[i].name);
    }
    if (r->think != NULL && o->cmd == HX_CAP_SWEEP)
        return hx_cli_errf(err, errlen,
                           "--think: not for soak sweep: its runs are open loop, and closed loops "
                           "without think time");
    if (r->think != NULL && !o->over_users)
        return hx_cli_errf(err, errlen,
                           "--think: not for soak %s: the probes are open loop (--over users searches "
                           "closed loops, where --think applies)",
                           cmd_name(o));
    return 0;
}

static void search_defaults(hx_search_opts_t *s)
{
    s->repeats = 1;
    s->precision = HX_FIND_DEFAULT_PRECISION;
    s->max_probes = HX_FIND_DEFAULT_MAX_PROBES;
}

/* --over users: whole user counts from --min-users (default 1) through --max-users, starting at --start-users. */
static int read_users(hx_find_opts_t *o, const raw_t *r, char *err, size_t errlen)
{
    hx_search_opts_t *s = &o->search;
    unsigned start = HX_FIND_DEFAULT_START_USERS, min = 1, max = HX_FIND_DEFAULT_MAX_USERS;
    if ((r->v[F_START_USERS] && whole_of("start-users", r->v[F_START_USERS], HX_FIND_MAX_USERS, &start, err, errlen)) ||
        (r->v[F_MIN_USERS] && whole_of("min-users", r->v[F_MIN_USERS], HX_FIND_MAX_USERS, &min, err, errlen)) ||
        (r->v[F_MAX_USERS] && whole_of("max-users", r->v[F_MAX_USERS], HX_FIND_MAX_USERS, &max, err, errlen)))
        return -1;
    /* Defaults yield to a start given outside them; given values must agree with each other. */
    if (r->v[F_MAX_USERS] == NULL && start > max)
        max = start;
    if (r->v[F_MIN_USERS] == NULL && start < min)
        min = start;
    if (start > max)
        return hx_cli_errf(err, errlen, "--start-users %u is above --max-users %u", start, max);
    if (min > start)
        return hx_cli_errf(err, errlen, "--min-users %u is above --start-users %u", min, start);
    s->integer = true;
    s->start_rate = start;
    s->min_rate = min;
    s->max_rate = max;
    return 0;
}

static int read_search(hx_find_opts_t *o, const raw_t *r, char *err, size_t errlen)
{
    hx_search_opts_t *s = &o->search;
    char why[200];
    search_defaults(s);
    if ((r->v[F_REPEATS] && whole_of("repeats", r->v[F_REPEATS], HX_SEARCH_MAX_REPEATS, &s->repeats, err, errlen)) ||
        (r->v[F_MAX_PROBES] &&
         whole_of("max-probes", r->v[F_MAX_PROBES], HX_SEARCH_MAX_PROBES, &s->max_probes, err, errlen)))
        return -1;
    if (r->v[F_PRECISION] && (cm_parse_percent(r->v[F_PRECISION], &s->precision, why, sizeof(why)) != 0 ||
                              s->precision < HX_SEARCH_MIN_PRECISION || s->precision > HX_SEARCH_MAX_PRECISION))
        return hx_cli_errf(err, errlen, "--precision \"%s\": expected 0.1%% to 50%%", r->v[F_PRECISION]);
    if (check_axis(o, r, err, errlen) != 0)
        return -1;
    if (o->over_users)
        return read_users(o, r, err, errlen);
    s->start_rate = HX_FIND_DEFAULT_START_RATE;
    s->max_rate = HX_FIND_DEFAULT_MAX_RATE;
    if ((r->v[F_START_RATE] && rate_of("start-rate", r->v[F_START_RATE], &s->start_rate, err, errlen)) ||
        (r->v[F_MAX_RATE] && rate_of("max-rate", r->v[F_MAX_RATE], &s->max_rate, err, errlen)))
        return -1;
    if (s->start_rate > s->max_rate)
        return hx_cli_errf(err, errlen, "--start-rate %.6g/s is above --max-rate %.6g/s", s->start_rate, s->max_rate);
    /* By default the search goes down to the rate that still gives a probe HX_FIND_MIN_ARRIVALS to judge. */
    double measured = (double)(o->duration_ns - o->warmup_ns) / 1e9;
    s->min_rate = fmin(s->start_rate, fmax(HX_SEARCH_MIN_RATE, HX_FIND_MIN_ARRIVALS / measured));
    if (r->v[F_MIN_RATE] && rate_of("min-rate", r->v[F_MIN_RATE], &s->min_rate, err, errlen))
        return -1;
    if (s->min_rate > s->start_rate)
        return hx_cli_errf(err, errlen, "--min-rate %.6g/s is above --start-rate %.6g/s", s->min_rate, s->start_rate);
    return 0;
}

/* --over rate|users. */
static int read_over(hx_find_opts_t *o, const raw_t *r, char *err, size_t errlen)
{
    const char *v = r->v[F_OVER];
    if (v == NULL || strcmp(v, "rate") == 0)
        return 0;
    if (strcmp(v, "users") != 0)
        return hx_cli_errf(err, errlen, "--over \"%s\": expected rate (open-loop arrivals) or users (closed loop)", v);
    o->over_users = true;
    return 0;
}

/* --require: a rate ("900/s") for a search over the rate, a user count ("64users") for one over users. */
static int read_require(hx_find_opts_t *o, const raw_t *r, char *err, size_t errlen)
{
    const char *v = r->v[F_REQUIRE];
    if (v == NULL)
        return 0;
    o->require_set = true;
    size_t len = strlen(v);
    const char *unit = len > 5 && strcmp(v + len - 5, "users") == 0 ? v + len - 5 : NULL;
    if (unit == NULL && len > 4 && strcmp(v + len - 4, "user") == 0)
        unit = v + len - 4;
    if (unit == NULL && o->over_users)
        return hx_cli_errf(err, errlen,
                           "--require \"%s\": the search is over users (--over users): give a user count like 64users",
                           v);
    if (unit == NULL)
        return rate_of("require", v, &o->require, err, errlen);
    if (!o->over_users)
        return hx_cli_errf(err, errlen,
                           "--require \"%s\": a user count, but the search is over the arrival rate: add --over users, "
                           "or give a rate like 900/s",
                           v);
    char num[32];
    unsigned users;
    snprintf(num, sizeof(num), "%.*s", (int)(unit - v), v);
    if (whole_of("require", num, HX_FIND_MAX_USERS, &users, err, errlen) != 0)
        return hx_cli_errf(err, errlen, "--require \"%s\": expected a whole number of users from 1 to %d, like 64users",
                           v, HX_FIND_MAX_USERS);
    o->require = users;
    return 0;
}

static int read_slos(hx_find_opts_t *o, const raw_t *r, char *err, size_t errlen)
{
    char why[256];
    bool bounds_failures = false;
    for (size_t i = 0; i < r->nslos; i++) {
        hx_slo_t per_request;
        if (hx_expect_parse_flag(r->slos[i], &o->slos[i], why, sizeof(why)) == 0) {
            bounds_failures = bounds_failures || strcmp(o->slos[i].metric, "failure_rate") == 0;
            continue;
        }
        if (hx_slo_parse(r->slos[i], &per_request, err, errlen) == 0)
            return hx_cli_errf(
                err, errlen,
                "--slo \"%s\": a probe is judged on its aggregate metrics (e.g. 'ttft.p99<500ms'); for a "
                "per-request SLO give --request-slo '%s' and judge goodput: --slo "
                "'goodput.attainment>=99%%'",
                r->slos[i], r->slos[i]);
        return hx_cli_errf(err, errlen, "--slo \"%s\": %s", r->slos[i], why);
    }
    o->nslos = r->nslos;
    /* Like soak load's default verdict: a rate at which requests fail does not meet a latency SLO, since a
     * latency percentile counts only the successes. */
    if (!bounds_failures) {
        hx_expect_default(&o->slos[o->nslos++]);
        o->default_failure_slo = true;
    }
    return 0;
}

hx_probe_plan_t hx_find_plan(const hx_find_opts_t *o)
{
    return (hx_probe_plan_t){.load_args = o->load_args,
                             .nload_args = o->nload_args,
                             .duration_ns = o->duration_ns,
                             .warmup_ns = o->warmup_ns,
                             .seed = o->seed,
                             .slos = o->slos,
                             .nslos = o->nslos,
                             .reports_dir = o->reports_dir,
                             .reports_html = o->cmd == HX_CAP_SWEEP,
                             .closed_rising = o->over_users,
                             .hooks = o->hooks};
}

/* Builds the load of a probe once, at the start rate (users: 0) or as a closed loop, so that a mistake in a load
 * flag is said before any probe runs. No seed: the load draws one when no --seed was given, and every probe
 * derives its own from it. */
static int check_load(hx_find_opts_t *o, uint32_t users, bool first, char *err, size_t errlen)
{
    hx_probe_plan_t plan = hx_find_plan(o);
    const char *argv[HX_FIND_MAX_LOAD_ARGS + 16];
    char bufs[6][4096], why[1200];
    hx_cli_t cli;
    plan.users = users;
    int argc = hx_probe_argv(&plan, o->search.start_rate, NULL, NULL, argv, bufs);
    int rc = hx_cli_parse_load(argc, (char **)argv, &cli, why, sizeof(why));
    if (rc != 0) {
        hx_cli_free(&cli);
        if (users > 0 && o->over_users)
            return hx_cli_errf(err, errlen, "a probe of %u users (--start-users): %s", users, why);
        if (users > 0)
            return hx_cli_errf(err, errlen, "the throughput run (--saturation-users %u): %s", users, why);
        /* An error about a flag the probe adds is about the scenario file: say where that flag came from. */
        if (strstr(why, "--rate") != NULL || strstr(why, "--warmup") != NULL || strstr(why, "--duration") != NULL)
            return hx_cli_errf(err, errlen, "a probe adds --rate, --duration and --warmup to the load: %s", why);
        return hx_cli_errf(err, errlen, "%s", why);
    }
    if (cli.cfg.sweep.set) {
        hx_cli_free(&cli);
        return hx_cli_errf(err, errlen,
                           "--config: the file's load.arrival is a sweep, which `soak run FILE` runs; "
                           "soak %s takes its settings from its flags (remove load.arrival.sweep)",
                           cmd_name(o));
    }
    if (first) {
        o->seed = cli.cfg.seed;
        o->poisson = cli.cfg.arrival.kind == HX_ARRIVAL_POISSON;
        snprintf(o->target, sizeof(o->target), "%s", cli.cfg.target);
    }
    hx_cli_free(&cli);
    return 0;
}

static int read_sweep(hx_find_opts_t *o, const raw_t *r, char *err, size_t errlen)
{
    unsigned users = HX_SWEEP_DEFAULT_USERS;
    o->nrates = HX_SWEEP_DEFAULT_RATES;
    if ((r->v[F_RATES] && whole_of("rates", r->v[F_RATES], HX_SWEEP_MAX_RATES, &o->nrates, err, errlen)) ||
        (r->v[F_USERS] && whole_of("saturation-users", r->v[F_USERS], HX_SWEEP_MAX_USERS, &users, err, errlen)))
        return -1;
    o->sat_users = users;
    return 0;
}

int hx_find_parse(int argc, char **argv, hx_find_opts_t *o, char *err, size_t errlen)
{
    raw_t r;
    memset(o, 0, sizeof(*o));
    memset(&r, 0, sizeof(r));
    o->cmd = argc > 0 && strcmp(argv[0], "sweep") == 0 ? HX_CAP_SWEEP : HX_CAP_FIND;
    for (int k = 1; k < argc; k++) {
        const char *w = argv[k];
        if (strcmp(w, "-h") == 0) {
            o->help = true;
        } else if (strncmp(w, "--", 2) != 0 || w[2] == '\0') {
            return hx_cli_errf(err, errlen, "unexpected argument \"%s\" (every option starts with --)", w);
        } else if (read_flag(o, &r, argc, argv, &k, err, errlen) != 0) {
            return -1;
        }
    }
    if (o->help)
        return 0;
    o->duration_ns = HX_FIND_DEFAULT_DURATION_NS;
    o->warmup_ns = HX_FIND_DEFAULT_WARMUP_NS;
    o->settle_ns = HX_FIND_DEFAULT_SETTLE_NS;
    if ((r.v[F_DURATION] && duration_of("probe-duration", r.v[F_DURATION], &o->duration_ns, err, errlen)) ||
        (r.v[F_WARMUP] && duration_of("probe-warmup", r.v[F_WARMUP], &o->warmup_ns, err, errlen)) ||
        (r.v[F_SETTLE] && duration_of("settle", r.v[F_SETTLE], &o->settle_ns, err, errlen)))
        return -1;
    if (o->duration_ns < o->warmup_ns + 1000000000ull)
        return hx_cli_errf(err, errlen,
                           "--probe-duration must exceed --probe-warmup by at least 1s (the measured part)");
    if (read_over(o, &r, err, errlen) != 0 || read_search(o, &r, err, errlen) != 0 ||
        read_slos(o, &r, err, errlen) != 0 || (o->cmd == HX_CAP_SWEEP && read_sweep(o, &r, err, errlen) != 0))
        return -1;
    if (read_require(o, &r, err, errlen) != 0)
        return -1;
    o->json_path = r.v[F_JSON];
    o->reports_dir = r.v[F_REPORTS];
    if (o->over_users) {
        for (size_t i = 0; i < o->nload_args; i++)
            if (strcmp(o->load_args[i], "--poisson") == 0)
                return hx_cli_errf(err, errlen,
                                   "--poisson: the search is over users (--over users): closed loops "
                                   "have no arrival rate to draw gaps from");
        return check_load(o, (uint32_t)o->search.start_rate, true, err, errlen);
    }
    if (check_load(o, 0, true, err, errlen) != 0)
        return -1;
    return o->cmd == HX_CAP_SWEEP ? check_load(o, o->sat_users, false, err, errlen) : 0;
}
