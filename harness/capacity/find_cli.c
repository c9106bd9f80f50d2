/* The command line of `soak find`: its own flags, and the `soak load` flags it passes on to every probe. getopt
 * cannot pass unknown flags through with their values, so the words are read here one by one and cli.c says
 * which load flags exist and which take a value. The search's settings are read by config_find.c, which reads a
 * scenario's load.arrival.find too. */
#include <string.h>

#include "harness/capacity/find.h"
#include "harness/run/cli.h"
#include "harness/run/cli_http.h"

/* The flags of soak find's own beyond its search settings (those are HX_FK_*, read by config_find.c for the flags
 * and the scenario file alike). */
enum {
    F_SLO = HX_FK_COUNT,
    F_REQUEST_SLO,
    F_JSON,
    F_REPORTS,
    F_RATES,
    F_USERS,
    F_HELP,
};

/* Which command takes a flag. */
#define FIND 1u
#define SWEEP 2u
#define BOTH (FIND | SWEEP)

static const struct {
    const char *name;
    int id; /* HX_FK_* or F_* */
    bool value;
    unsigned cmds;
} own[] = {
    {"slo", F_SLO, true, BOTH},
    {"request-slo", F_REQUEST_SLO, true, BOTH},
    {"start-rate", HX_FK_START_RATE, true, FIND},
    {"max-rate", HX_FK_MAX_RATE, true, FIND},
    {"min-rate", HX_FK_MIN_RATE, true, FIND},
    {"repeats", HX_FK_REPEATS, true, FIND},
    {"precision", HX_FK_PRECISION, true, FIND},
    {"max-probes", HX_FK_MAX_PROBES, true, FIND},
    {"probe-duration", HX_FK_DURATION, true, BOTH},
    {"probe-warmup", HX_FK_WARMUP, true, BOTH},
    {"settle", HX_FK_SETTLE, true, BOTH},
    {"require", HX_FK_REQUIRE, true, FIND},
    {"json", F_JSON, true, BOTH},
    {"probe-reports", F_REPORTS, true, BOTH},
    {"rates", F_RATES, true, SWEEP},
    {"saturation-users", F_USERS, true, SWEEP},
    {"over", HX_FK_OVER, true, FIND},
    {"start-users", HX_FK_START_USERS, true, FIND},
    {"min-users", HX_FK_MIN_USERS, true, FIND},
    {"max-users", HX_FK_MAX_USERS, true, FIND},
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
    {"check", "it validates a scenario file (soak load --check --config FILE, soak run --check FILE)"},
};

typedef struct raw {
    /* The values given, by HX_FK_* or F_*: --think (a load flag, passed on) and --poisson ("true") too, for the
     * settings' cross-checks. */
    const char *v[F_HELP];
    const char *slos[HX_FIND_MAX_SLOS];
    size_t nslos;
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
    int id = own[i].id;
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
    for (size_t j = 0; j < sizeof(refused) / sizeof(refused[0]); j++)
        if (strlen(refused[j].name) == len && strncmp(refused[j].name, name, len) == 0)
            return hx_cli_errf(err, errlen, "--%s: not for soak %s: %s", refused[j].name, cmd_name(o), refused[j].why);
    if (hx_cli_load_flag(name, len, &takes) != 0)
        return hx_cli_errf(err, errlen, "unknown option \"%s\"", word);
    if (push_load(o, word, err, errlen) != 0)
        return -1;
    const char *value = eq ? eq + 1 : NULL;
    if (takes && eq == NULL) {
        if (*k + 1 >= argc)
            return hx_cli_errf(err, errlen, "--%.*s needs a value", (int)len, name);
        value = argv[++*k];
        if (push_load(o, value, err, errlen) != 0)
            return -1;
    }
    if (len == 5 && strncmp(name, "think", 5) == 0) /* a closed loop's: only over users */
        r->v[HX_FK_THINK] = value;
    if (len == 7 && strncmp(name, "poisson", 7) == 0) /* an open loop's: only over the rate */
        r->v[HX_FK_POISSON] = "true";
    return 0;
}

/* ---- values ------------------------------------------------------------------------------------------- */

void hx_find_apply(hx_find_opts_t *o, const hx_find_settings_t *s)
{
    o->over_users = s->over_users;
    o->search = (hx_search_opts_t){.start_rate = s->start,
                                   .min_rate = s->min,
                                   .max_rate = s->max,
                                   .repeats = s->repeats,
                                   .precision = s->precision,
                                   .max_probes = s->max_probes,
                                   .integer = s->over_users};
    o->duration_ns = s->duration_ns;
    o->warmup_ns = s->warmup_ns;
    o->settle_ns = s->settle_ns;
    o->require_set = s->require_set;
    o->require = s->require;
}

/* The search's settings (config_find.c: the flags and a scenario's load.arrival.find read alike). */
static int read_settings(hx_find_opts_t *o, const raw_t *r, char *err, size_t errlen)
{
    hx_find_settings_t s;
    hx_find_key_t bad;
    if (r->v[HX_FK_THINK] != NULL && o->cmd == HX_CAP_SWEEP)
        return hx_cli_errf(err, errlen,
                           "--think: not for soak sweep: its runs are open loop, and closed loops "
                           "without think time");
    if (hx_find_settings_read(&s, r->v, &hx_find_flag_names, &bad, err, errlen) != 0)
        return -1;
    hx_find_apply(o, &s);
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
                             .reports_html = true, /* each run's HTML report, linked from the page */
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
    const char *noun, *key = hx_cfg_capacity(&cli.cfg, &noun);
    if (key != NULL) {
        hx_cli_free(&cli);
        return hx_cli_errf(err, errlen,
                           "--config: the file's load.arrival is a %s, which `soak run FILE` runs; "
                           "soak %s takes its settings from its flags (remove load.arrival.%s)",
                           noun, cmd_name(o), key);
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
    if (r->v[F_RATES] && !hx_find_whole(r->v[F_RATES], HX_SWEEP_MAX_RATES, &o->nrates))
        return hx_cli_errf(err, errlen, "--rates \"%s\": expected a whole number from 1 to %u", r->v[F_RATES],
                           HX_SWEEP_MAX_RATES);
    if (r->v[F_USERS] && !hx_find_whole(r->v[F_USERS], HX_SWEEP_MAX_USERS, &users))
        return hx_cli_errf(err, errlen, "--saturation-users \"%s\": expected a whole number from 1 to %u",
                           r->v[F_USERS], HX_SWEEP_MAX_USERS);
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
    if (read_settings(o, &r, err, errlen) != 0 || read_slos(o, &r, err, errlen) != 0 ||
        (o->cmd == HX_CAP_SWEEP && read_sweep(o, &r, err, errlen) != 0))
        return -1;
    o->json_path = r.v[F_JSON];
    o->reports_dir = r.v[F_REPORTS];
    if (o->over_users)
        return check_load(o, (uint32_t)o->search.start_rate, true, err, errlen);
    if (check_load(o, 0, true, err, errlen) != 0)
        return -1;
    return o->cmd == HX_CAP_SWEEP ? check_load(o, o->sat_users, false, err, errlen) : 0;
}
