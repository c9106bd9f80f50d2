/* harness/run/cli.c — `soak load`'s flags: their table, reading them (getopt_long; every value is kept as given
 * until the scenario file is loaded), --check, and the finished configuration (cli_apply.c applies the flags
 * over the file). */
#include "harness/run/cli.h"

#include <getopt.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "harness/run/cli_internal.h"

enum {
    OPT_URL = 256,
    OPT_API,
    OPT_RATE,
    OPT_POISSON,
    OPT_DURATION,
    OPT_STREAM,
    OPT_MODEL,
    OPT_USERS,
    OPT_THINK,
    OPT_SPAWN,
    OPT_THREADS,
    OPT_MAX_INFLIGHT,
    OPT_TIMEOUT,
    OPT_DRAIN,
    OPT_INTERVAL,
    OPT_PROMPT,
    OPT_REPEAT,
    OPT_MAX_TOKENS,
    OPT_USER,
    OPT_API_KEY,
    OPT_HEADER,
    OPT_SEED,
    OPT_EXPECT,
    OPT_JSON,
    OPT_JUNIT,
    OPT_JSONL,
    OPT_HTML,
    OPT_QUIET,
    OPT_MAX_CONN_REQUESTS,
    OPT_MAX_CONN_AGE,
    OPT_CHURN,
    OPT_CONFIG,
    OPT_CHECK,
    OPT_HELP,
    OPT_HTTP2,
    OPT_SET,
    OPT_WEBHOOK,
    OPT_WARMUP,
    OPT_COOLDOWN,
    OPT_GROUP,
    OPT_METHOD,
    OPT_PATH,
    OPT_BASE,
    OPT_BODY,
    OPT_EXPECT_STATUS,
    OPT_CHECK_JSON,
    OPT_CONTAINS,
    OPT_SLO,
    OPT_EXIT_CODES,
    OPT_REASONING,
    OPT_SUMMARY,
};

static const struct option longopts[] = {
    {"url", required_argument, NULL, OPT_URL},
    {"api", required_argument, NULL, OPT_API},
    {"rate", required_argument, NULL, OPT_RATE},
    {"poisson", no_argument, NULL, OPT_POISSON},
    {"duration", required_argument, NULL, OPT_DURATION},
    {"stream", no_argument, NULL, OPT_STREAM},
    {"model", required_argument, NULL, OPT_MODEL},
    {"users", required_argument, NULL, OPT_USERS},
    {"think", required_argument, NULL, OPT_THINK},
    {"spawn", required_argument, NULL, OPT_SPAWN},
    {"threads", required_argument, NULL, OPT_THREADS},
    {"max-inflight", required_argument, NULL, OPT_MAX_INFLIGHT},
    {"timeout", required_argument, NULL, OPT_TIMEOUT},
    {"drain", required_argument, NULL, OPT_DRAIN},
    {"interval", required_argument, NULL, OPT_INTERVAL},
    {"prompt", required_argument, NULL, OPT_PROMPT},
    {"repeat", required_argument, NULL, OPT_REPEAT},
    {"max-tokens", required_argument, NULL, OPT_MAX_TOKENS},
    {"user", required_argument, NULL, OPT_USER},
    {"api-key", required_argument, NULL, OPT_API_KEY},
    {"header", required_argument, NULL, OPT_HEADER},
    {"seed", required_argument, NULL, OPT_SEED},
    {"expect", required_argument, NULL, OPT_EXPECT},
    {"slo", required_argument, NULL, OPT_SLO},
    {"json", required_argument, NULL, OPT_JSON},
    {"junit", required_argument, NULL, OPT_JUNIT},
    {"jsonl", required_argument, NULL, OPT_JSONL},
    {"html", required_argument, NULL, OPT_HTML},
    {"webhook", required_argument, NULL, OPT_WEBHOOK},
    {"quiet", no_argument, NULL, OPT_QUIET},
    {"exit-codes", required_argument, NULL, OPT_EXIT_CODES},
    {"reasoning-effort", required_argument, NULL, OPT_REASONING},
    {"reasoning-summary", required_argument, NULL, OPT_SUMMARY},
    {"max-conn-requests", required_argument, NULL, OPT_MAX_CONN_REQUESTS},
    {"max-conn-age", required_argument, NULL, OPT_MAX_CONN_AGE},
    {"churn", no_argument, NULL, OPT_CHURN},
    {"config", required_argument, NULL, OPT_CONFIG},
    {"check", no_argument, NULL, OPT_CHECK},
    {"help", no_argument, NULL, OPT_HELP},
    {"http2", no_argument, NULL, OPT_HTTP2},
    {"set", required_argument, NULL, OPT_SET},
    {"warmup", required_argument, NULL, OPT_WARMUP},
    {"cooldown", required_argument, NULL, OPT_COOLDOWN},
    {"group", required_argument, NULL, OPT_GROUP},
    {"method", required_argument, NULL, OPT_METHOD},
    {"path", required_argument, NULL, OPT_PATH},
    {"base", required_argument, NULL, OPT_BASE},
    {"body", required_argument, NULL, OPT_BODY},
    {"expect-status", required_argument, NULL, OPT_EXPECT_STATUS},
    {"check-json", no_argument, NULL, OPT_CHECK_JSON},
    {"contains", required_argument, NULL, OPT_CONTAINS},
    {NULL, 0, NULL, 0},
};

static const char *flag_name(int opt)
{
    for (const struct option *o = longopts; o->name; o++) {
        if (o->val == opt)
            return o->name;
    }
    return "?";
}

static int push(const char **list, size_t *n, const char *v, int opt, char *err, size_t errlen)
{
    if (*n >= MAX_REPEAT_FLAG)
        return hx_cli_errf(err, errlen, "--%s: given more than %d times", flag_name(opt), MAX_REPEAT_FLAG);
    list[(*n)++] = v;
    return 0;
}

/* Where each flag's value goes in flags_t: a string, a switch, or one more item of a repeatable flag. */
typedef enum slot_kind { SLOT_STR, SLOT_BOOL, SLOT_LIST } slot_kind_t;

typedef struct slot {
    int opt;
    slot_kind_t kind;
    size_t off, count_off; /* count_off: lists only */
} slot_t;

#define STR(o, field)                                                                                                  \
    {                                                                                                                  \
        o, SLOT_STR, offsetof(flags_t, field), 0                                                                       \
    }
#define BOOL(o, field)                                                                                                 \
    {                                                                                                                  \
        o, SLOT_BOOL, offsetof(flags_t, field), 0                                                                      \
    }
#define LIST(o, field)                                                                                                 \
    {                                                                                                                  \
        o, SLOT_LIST, offsetof(flags_t, field), offsetof(flags_t, n##field)                                            \
    }

static const slot_t slots[] = {
    STR(OPT_URL, url),         STR(OPT_API, api),
    STR(OPT_RATE, rate),       STR(OPT_DURATION, duration),
    STR(OPT_USERS, users),     STR(OPT_THINK, think),
    STR(OPT_SPAWN, spawn),     STR(OPT_THREADS, threads),
    STR(OPT_TIMEOUT, timeout), STR(OPT_MAX_INFLIGHT, max_inflight),
    STR(OPT_DRAIN, drain),     STR(OPT_INTERVAL, interval),
    STR(OPT_WARMUP, warmup),   STR(OPT_COOLDOWN, cooldown),
    STR(OPT_PROMPT, prompt),   STR(OPT_REPEAT, repeat),
    STR(OPT_USER, user),       STR(OPT_MAX_TOKENS, max_tokens),
    STR(OPT_SEED, seed),       STR(OPT_API_KEY, api_key),
    STR(OPT_JSON, json),       STR(OPT_JUNIT, junit),
    STR(OPT_JSONL, jsonl),     STR(OPT_MAX_CONN_REQUESTS, max_conn_requests),
    STR(OPT_CONFIG, config),   STR(OPT_MAX_CONN_AGE, max_conn_age),
    BOOL(OPT_STREAM, stream),  BOOL(OPT_POISSON, poisson),
    BOOL(OPT_QUIET, quiet),    BOOL(OPT_CHURN, churn),
    BOOL(OPT_CHECK, check),    BOOL(OPT_HELP, help),
    LIST(OPT_MODEL, models),   LIST(OPT_HEADER, headers),
    LIST(OPT_EXPECT, expects), LIST(OPT_SET, sets),
    LIST(OPT_GROUP, groups),
    STR(OPT_HTML, html),       STR(OPT_WEBHOOK, webhook),
    LIST(OPT_SLO, slos),       STR(OPT_EXIT_CODES, exit_codes),
    STR(OPT_REASONING, reasoning),
    STR(OPT_SUMMARY, summary),
};
/* --api http (cli_http.c) */
static const slot_t http_slots[] = {
    STR(OPT_METHOD, http.method),
    STR(OPT_PATH, http.path),
    STR(OPT_BASE, http.base),
    STR(OPT_BODY, http.body),
    STR(OPT_CONTAINS, http.contains),
    STR(OPT_EXPECT_STATUS, http.expect_status),
    BOOL(OPT_CHECK_JSON, http.check_json),
};

static const slot_t *find_slot(int opt)
{
    for (size_t i = 0; i < sizeof(slots) / sizeof(slots[0]); i++)
        if (slots[i].opt == opt)
            return &slots[i];
    for (size_t i = 0; i < sizeof(http_slots) / sizeof(http_slots[0]); i++)
        if (http_slots[i].opt == opt)
            return &http_slots[i];
    return NULL;
}

static int store(flags_t *f, int opt, const char *v, char *err, size_t errlen)
{
    if (opt == OPT_HTTP2) /* said plainly rather than speaking HTTP/1.1 under a flag that promises otherwise */
        return hx_cli_errf(err, errlen,
                    "--http2: not supported: libcurl 7.88 cannot reuse an HTTP/2 cleartext (h2c) "
                    "connection (fixed in libcurl 8.0), so soak speaks HTTP/1.1");
    const slot_t *s = find_slot(opt);
    if (s != NULL) {
        char *base = (char *)f;
        if (s->kind == SLOT_STR)
            *(const char **)(base + s->off) = v;
        else if (s->kind == SLOT_BOOL)
            *(bool *)(base + s->off) = true;
        else
            return push((const char **)(base + s->off), (size_t *)(base + s->count_off), v, opt, err, errlen);
        return 0;
    }
    return hx_cli_errf(err, errlen, "--%s: not handled", flag_name(opt));
}

static int read_flags(int argc, char **argv, flags_t *f, char *err, size_t errlen)
{
    int opt;
    memset(f, 0, sizeof(*f));
    optind = 0; /* GNU getopt: 0 re-initialises its state, so tests can parse many command lines */
    opterr = 0;
    while ((opt = getopt_long(argc, argv, "+h", longopts, NULL)) != -1) {
        if (opt == 'h')
            opt = OPT_HELP;
        if (opt == '?') {
            if (optopt >= OPT_URL)
                return hx_cli_errf(err, errlen, "--%s needs a value", flag_name(optopt));
            return hx_cli_errf(err, errlen, "unknown option \"%s\"", argv[optind - 1]);
        }
        if (opt == ':')
            return hx_cli_errf(err, errlen, "\"%s\" needs a value", argv[optind - 1]);
        if (store(f, opt, optarg, err, errlen) != 0)
            return -1;
    }
    if (optind < argc)
        return hx_cli_errf(err, errlen, "unexpected argument \"%s\" (every option starts with --)", argv[optind]);
    return 0;
}

/* --check validates what the file holds. A file for other commands only (no load:) passes, and so does a
 * load without a target: `soak run` supplies the gateway's or the mock's address, --url any other. The
 * rest is finished with a placeholder target so that every other check still runs. */
static int check_only(hx_cli_t *cli, char *err, size_t errlen)
{
    hx_cfg_t *c = &cli->cfg;
    if (!c->has_load && !c->arrival_set) {
        cli->check_note = "no load: section (nothing for `soak load` to run)";
        return 0;
    }
    if (c->target == NULL) {
        cli->check_note = c->target_err ? "load.target is for `soak run` (pass --url to run it with soak load)"
                                        : "no target (pass --url when running)";
        c->target = "http://127.0.0.1/";
        c->target_err = NULL;
    }
    if (c->sweep.set && !c->arrival_set && cli->check_note == NULL) /* each run sets its arrival */
        cli->check_note = "load.arrival is a sweep, run by `soak run`";
    if (c->find.set && !c->arrival_set && cli->check_note == NULL)
        cli->check_note = "load.arrival is a knee search (find), run by `soak run`";
    hx_cfg_capacity_standin(c);
    if (c->path_err != NULL) { /* likewise, paths that `soak run` fills in */
        if (cli->check_note == NULL)
            cli->check_note = "api: http paths with placeholders are for `soak run`";
        for (size_t i = 0; i < c->npath_tmpls; i++)
            c->reqs[c->path_tmpls[i].req].path = "/";
        c->path_err = NULL;
    }
    return hx_cfg_finish(c, err, errlen);
}

int hx_cli_load_flag(const char *name, size_t len, bool *takes_value)
{
    for (const struct option *o = longopts; o->name; o++) {
        if (strlen(o->name) == len && strncmp(o->name, name, len) == 0) {
            *takes_value = o->has_arg == required_argument;
            return 0;
        }
    }
    return -1;
}

int hx_cli_parse_load(int argc, char **argv, hx_cli_t *cli, char *err, size_t errlen)
{
    return hx_cli_parse_load_from(argc, argv, NULL, NULL, cli, err, errlen);
}

int hx_cli_parse_load_from(int argc, char **argv, hx_cli_load_fn load, void *ctx, hx_cli_t *cli, char *err,
                           size_t errlen)
{
    flags_t f;
    cm_err_t cerr;
    memset(cli, 0, sizeof(*cli));
    hx_cfg_init(&cli->cfg);
    if (read_flags(argc, argv, &f, err, errlen) != 0)
        return -1;
    cli->help = f.help;
    cli->check = f.check;
    if (f.help)
        return 0;
    if (f.check && f.config == NULL)
        return hx_cli_errf(err, errlen, "--check needs --config FILE");
    if (f.nsets > 0 && f.config == NULL)
        return hx_cli_errf(err, errlen, "--set needs --config FILE (it overrides a value of the file)");
    if (load != NULL && (f.config != NULL || f.nsets > 0))
        return hx_cli_errf(err, errlen, "--config and --set: the scenario is given already");
    if (load != NULL && load(ctx, &cli->cfg, err, errlen) != 0)
        return -1;
    if (f.config != NULL && hx_cfg_load_file(&cli->cfg, f.config, f.sets, f.nsets, &cerr) != 0)
        return hx_cli_errf(err, errlen, "%s", cerr.msg);
    if (hx_cli_apply_flags(&cli->cfg, &f, err, errlen) != 0)
        return -1;
    return cli->check ? check_only(cli, err, errlen) : hx_cfg_finish(&cli->cfg, err, errlen);
}

void hx_cli_free(hx_cli_t *cli)
{
    hx_cfg_free(&cli->cfg);
}

bool hx_cli_has_run_sections(const hx_cli_t *cli)
{
    return cli->cfg.has_mock || cli->cfg.has_gateway;
}
