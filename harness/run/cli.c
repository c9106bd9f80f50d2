#include "harness/run/cli.h"

#include <getopt.h>
#include <math.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "common/units.h"
#include "harness/measure/exitcode.h"
#include "harness/run/cli_http.h"

#define MAX_REPEAT_FLAG 64

/* The raw flags, kept as strings until the scenario file (if any) is loaded, so that flags override the
 * file whatever their order on the command line. */
typedef struct flags {
    const char *config, *url, *api, *rate, *duration, *users, *think, *spawn, *threads, *max_inflight, *timeout;
    const char *drain, *interval, *prompt, *repeat, *max_tokens, *user, *api_key, *seed, *json, *junit, *jsonl;
    const char *html, *webhook, *warmup, *cooldown, *exit_codes, *reasoning;
    const char *max_conn_requests, *max_conn_age;
    hx_http_flags_t http; /* --api http */
    bool stream, poisson, quiet, churn, check, help;
    const char *models[MAX_REPEAT_FLAG], *headers[MAX_REPEAT_FLAG], *expects[MAX_REPEAT_FLAG];
    const char *sets[MAX_REPEAT_FLAG], *groups[MAX_REPEAT_FLAG], *slos[MAX_REPEAT_FLAG];
    size_t nmodels, nheaders, nexpects, nsets, ngroups, nslos;
} flags_t;

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

/* ---- value parsers that name the flag -------------------------------------------------------------- */

static int parse_uint(const char *flag, const char *v, double min, double max, uint64_t *out, char *err, size_t errlen)
{
    double d;
    char why[200];
    if (cm_parse_count(v, &d, why, sizeof(why)) != 0)
        return hx_cli_errf(err, errlen, "--%s \"%s\": %s", flag, v, why);
    if (d != floor(d) || d < min || d > max)
        return hx_cli_errf(err, errlen, "--%s \"%s\": expected a whole number from %.0f to %.0f", flag, v, min, max);
    *out = (uint64_t)d;
    return 0;
}

static int parse_u32(const char *flag, const char *v, double min, double max, uint32_t *out, char *err, size_t errlen)
{
    uint64_t x;
    if (parse_uint(flag, v, min, max, &x, err, errlen) != 0)
        return -1;
    *out = (uint32_t)x;
    return 0;
}

static int parse_dur(const char *flag, const char *v, uint64_t min_ns, uint64_t *out, char *err, size_t errlen)
{
    char why[200], minbuf[32];
    if (cm_parse_duration(v, out, why, sizeof(why)) != 0)
        return hx_cli_errf(err, errlen, "--%s \"%s\": %s", flag, v, why);
    if (*out < min_ns)
        return hx_cli_errf(err, errlen, "--%s \"%s\": must be at least %s", flag, v,
                    cm_format_duration(minbuf, sizeof(minbuf), min_ns));
    return 0;
}

static int parse_rate(const char *flag, const char *v, double *out, char *err, size_t errlen)
{
    char why[200];
    if (cm_parse_rate(v, out, why, sizeof(why)) != 0)
        return hx_cli_errf(err, errlen, "--%s \"%s\": %s (expected a rate like 1000/s or 60k/min)", flag, v, why);
    return 0;
}

/* ---- applying flags over the file --------------------------------------------------------------- */

static int apply_rate(hx_cfg_t *c, const flags_t *f, char *err, size_t errlen)
{
    hx_arrival_t *a = &c->arrival;
    if (f->rate != NULL) {
        memset(a, 0, sizeof(*a));
        a->kind = f->poisson ? HX_ARRIVAL_POISSON : HX_ARRIVAL_CONSTANT;
        c->arrival_set = true;
        return parse_rate("rate", f->rate, &a->rate, err, errlen);
    }
    if (f->poisson) {
        if (!c->arrival_set || a->kind != HX_ARRIVAL_CONSTANT)
            return hx_cli_errf(err, errlen, "--poisson needs --rate (or a constant arrival in the file)");
        a->kind = HX_ARRIVAL_POISSON;
    }
    return 0;
}

static int apply_users(hx_cfg_t *c, const flags_t *f, char *err, size_t errlen)
{
    hx_arrival_t *a = &c->arrival;
    char why[200];
    if (f->users != NULL) {
        if (!c->arrival_set || a->kind != HX_ARRIVAL_USERS) {
            memset(a, 0, sizeof(*a));
            a->think = cm_dist_fixed(0);
        }
        a->kind = HX_ARRIVAL_USERS;
        c->arrival_set = true;
        if (parse_u32("users", f->users, 1, 10000000, &a->users, err, errlen) != 0)
            return -1;
    }
    if ((f->think || f->spawn) && (!c->arrival_set || a->kind != HX_ARRIVAL_USERS))
        return hx_cli_errf(err, errlen, "--%s goes with --users (closed loop)", f->think ? "think" : "spawn");
    if (f->think && hx_think_parse(f->think, &a->think, why, sizeof(why)) != 0)
        return hx_cli_errf(err, errlen, "--think %s", why);
    if (f->spawn && parse_rate("spawn", f->spawn, &a->spawn_rate, err, errlen) != 0)
        return -1;
    return 0;
}

static const char *first_workload_flag(const flags_t *f)
{
    if (f->api)
        return "api";
    if (hx_http_flags_first(&f->http) != NULL)
        return hx_http_flags_first(&f->http);
    if (f->stream)
        return "stream";
    if (f->nmodels)
        return "model";
    if (f->prompt)
        return "prompt";
    if (f->repeat)
        return "repeat";
    if (f->max_tokens)
        return "max-tokens";
    if (f->reasoning)
        return "reasoning-effort";
    return f->user ? "user" : NULL;
}

static int apply_template(hx_cfg_t *c, const flags_t *f, hx_reqspec_t *s, char *err, size_t errlen)
{
    char why[256];
    uint64_t v;
    hx_tmpl_t t;
    if (f->api && hx_api_find(f->api) == NULL)
        return hx_cli_errf(err, errlen, "--api \"%s\": unknown api (expected one of %s)", f->api, hx_api_list());
    s->api = f->api ? hx_cfg_strdup(c, f->api) : s->api;
    if (strcmp(s->api, "http") == 0) {
        bool llm = f->stream || f->nmodels || f->prompt || f->repeat || f->max_tokens || f->user || f->reasoning;
        return hx_http_flags_apply(c, &f->http, llm, s, err, errlen);
    }
    if (hx_http_flags_first(&f->http) != NULL)
        return hx_cli_errf(err, errlen, "--%s goes with --api http", hx_http_flags_first(&f->http));
    s->stream = f->stream;
    if (s->stream && !hx_api_find(s->api)->streams)
        return hx_cli_errf(err, errlen, "--stream: %s cannot stream", s->api);
    if (f->prompt && hx_tmpl_compile(&t, f->prompt, why, sizeof(why)) != 0)
        return hx_cli_errf(err, errlen, "--prompt \"%s\": %s", f->prompt, why);
    if (f->prompt) {
        hx_tmpl_free(&t);
        s->prompt = hx_cfg_strdup(c, f->prompt);
    }
    if (f->repeat && parse_u32("repeat", f->repeat, 1, 100000, &s->repeat, err, errlen) != 0)
        return -1;
    if (f->max_tokens && parse_uint("max-tokens", f->max_tokens, 0, 100000000, &v, err, errlen) != 0)
        return -1;
    if (f->max_tokens && hx_api_find(s->api)->max_tokens_key == NULL)
        return hx_cli_errf(err, errlen, "--max-tokens: %s has no output length", s->api);
    s->max_tokens = f->max_tokens ? (int64_t)v : -1;
    s->user = hx_cfg_strdup(c, f->user);
    if (f->reasoning && hx_reasoning_effort(f->reasoning, why, sizeof(why)) == NULL)
        return hx_cli_errf(err, errlen, "--reasoning-effort %s", why);
    if (f->reasoning && !hx_api_takes_reasoning(hx_api_find(s->api)))
        return hx_cli_errf(err, errlen,
                           "--reasoning-effort: %s has no reasoning effort (openai.chat, azure.chat, "
                           "openai.responses and azure.responses do)",
                           s->api);
    s->reasoning_effort = f->reasoning ? hx_reasoning_effort(f->reasoning, NULL, 0) : NULL;
    return 0;
}

static int apply_workload(hx_cfg_t *c, const flags_t *f, char *err, size_t errlen)
{
    const char *flag = first_workload_flag(f);
    if (flag == NULL)
        return 0;
    if (c->nreqs > 0)
        return hx_cli_errf(err, errlen, "--%s: the file already defines load.requests (change the template there)", flag);
    hx_reqspec_t *s = cm_arena_alloc(&c->arena, sizeof(*s));
    hx_reqspec_defaults(s);
    if (f->nmodels > 0) {
        const char **models = cm_arena_alloc(&c->arena, f->nmodels * sizeof(char *));
        for (size_t i = 0; i < f->nmodels; i++)
            models[i] = hx_cfg_strdup(c, f->models[i]);
        s->models = models;
        s->nmodels = f->nmodels;
    }
    if (apply_template(c, f, s, err, errlen) != 0)
        return -1;
    c->reqs = s;
    c->nreqs = 1;
    return 0;
}

static int apply_headers(hx_cfg_t *c, const flags_t *f, char *err, size_t errlen)
{
    char why[300];
    if (f->nheaders == 0)
        return 0;
    const char **list = cm_arena_alloc(&c->arena, (c->nheaders + f->nheaders) * sizeof(char *));
    if (c->nheaders > 0)
        memcpy(list, c->headers, c->nheaders * sizeof(char *));
    for (size_t i = 0; i < f->nheaders; i++) {
        if (hx_header_check(f->headers[i], why, sizeof(why)) != 0)
            return hx_cli_errf(err, errlen, "--%s", why);
        list[c->nheaders + i] = hx_cfg_strdup(c, f->headers[i]);
    }
    c->headers = list;
    c->nheaders += f->nheaders;
    return 0;
}

static int apply_api_key(hx_cfg_t *c, const flags_t *f)
{
    if (f->api_key == NULL)
        return 0;
    /* A flag wins over the file, including keys written on individual templates. */
    c->api_key = hx_cfg_strdup(c, f->api_key);
    for (size_t i = 0; i < c->nreqs; i++)
        c->reqs[i].api_key = NULL;
    return 0;
}

static int apply_expects(hx_cfg_t *c, const flags_t *f, char *err, size_t errlen)
{
    char why[256];
    if (f->nexpects == 0)
        return 0;
    c->expects = realloc(c->expects, (c->nexpects + f->nexpects) * sizeof(hx_expect_t));
    if (c->expects == NULL)
        abort();
    for (size_t i = 0; i < f->nexpects; i++) {
        if (hx_expect_parse_flag(f->expects[i], &c->expects[c->nexpects], why, sizeof(why)) != 0)
            return hx_cli_errf(err, errlen, "--expect \"%s\": %s", f->expects[i], why);
        c->nexpects++;
    }
    return 0;
}

/* --slo adds to the file's slo: list, as --expect adds to its expectations. */
static int apply_slos(hx_cfg_t *c, const flags_t *f, char *err, size_t errlen)
{
    char why[256];
    if (f->nslos == 0)
        return 0;
    if (c->nslos + f->nslos > HX_MAX_SLOS)
        return hx_cli_errf(err, errlen, "--slo: %zu SLOs in all, at most %d", c->nslos + f->nslos, HX_MAX_SLOS);
    c->slos = cm_xrealloc(c->slos, (c->nslos + f->nslos) * sizeof(hx_slo_t));
    for (size_t i = 0; i < f->nslos; i++) {
        if (hx_slo_parse(f->slos[i], &c->slos[c->nslos], why, sizeof(why)) != 0)
            return hx_cli_errf(err, errlen, "--slo: %s", why);
        c->nslos++;
    }
    return 0;
}

static int apply_seed(hx_cfg_t *c, const flags_t *f, char *err, size_t errlen)
{
    char why[160];
    if (f->seed == NULL)
        return 0;
    if (cm_parse_u64(f->seed, &c->seed, why, sizeof(why)) != 0)
        return hx_cli_errf(err, errlen, "--seed: %s", why);
    c->seed_set = true;
    return 0;
}

/* --warmup / --cooldown: excluded phases at the run's edges */
static int apply_edges(hx_cfg_t *c, const flags_t *f, char *err, size_t errlen)
{
    hx_edge_t w = {0}, k = {0};
    char why[200];
    if (f->warmup == NULL && f->cooldown == NULL)
        return 0;
    if (f->warmup && hx_edge_parse(f->warmup, true, &w, why, sizeof(why)) != 0)
        return hx_cli_errf(err, errlen, "--warmup: %s", why);
    if (f->cooldown && hx_edge_parse(f->cooldown, false, &k, why, sizeof(why)) != 0)
        return hx_cli_errf(err, errlen, "--cooldown: %s", why);
    if (hx_cfg_set_edges(c, &w, &k, why, sizeof(why)) != 0)
        return hx_cli_errf(err, errlen, "--%s: %s", f->warmup ? "warmup" : "cooldown", why);
    return 0;
}

static int apply_engine(hx_cfg_t *c, const flags_t *f, char *err, size_t errlen)
{
    if (f->threads && parse_u32("threads", f->threads, 1, HX_MAX_THREADS, &c->threads, err, errlen))
        return -1;
    if (f->max_inflight && parse_u32("max-inflight", f->max_inflight, 1, 10000000, &c->max_inflight, err, errlen))
        return -1;
    if (f->duration && parse_dur("duration", f->duration, 1000000ull, &c->duration_ns, err, errlen))
        return -1;
    if (f->timeout && parse_dur("timeout", f->timeout, 1000000ull, &c->timeout_ns, err, errlen))
        return -1;
    if (f->drain && parse_dur("drain", f->drain, 0, &c->drain_ns, err, errlen))
        return -1;
    c->drain_set = c->drain_set || f->drain != NULL;
    if (f->interval && parse_dur("interval", f->interval, 10000000ull, &c->interval_ns, err, errlen))
        return -1;
    if (f->max_conn_requests &&
        parse_u32("max-conn-requests", f->max_conn_requests, 1, 1000000000, &c->conn.max_requests, err, errlen))
        return -1;
    if (f->max_conn_age && parse_dur("max-conn-age", f->max_conn_age, 1000000ull, &c->conn.max_age_ns, err, errlen))
        return -1;
    c->conn.churn = c->conn.churn || f->churn;
    return apply_edges(c, f, err, errlen);
}

static int apply_outputs(hx_cfg_t *c, const flags_t *f, char *err, size_t errlen)
{
    char why[256];
    if (f->url && hx_cfg_check_url(f->url, why, sizeof(why)) != 0)
        return hx_cli_errf(err, errlen, "--url %s", why);
    if (f->url) { /* one URL replaces the file's target, or its list of targets */
        c->target = hx_cfg_strdup(c, f->url);
        c->target_err = NULL;
        c->targets = NULL;
        c->ntargets = 0;
    }
    c->json_path = f->json ? hx_cfg_strdup(c, f->json) : NULL;
    c->jsonl_path = f->jsonl ? hx_cfg_strdup(c, f->jsonl) : NULL;
    c->junit_path = f->junit ? hx_cfg_strdup(c, f->junit) : NULL;
    c->html_path = f->html ? hx_cfg_strdup(c, f->html) : NULL;
    if (f->webhook && hx_cfg_check_webhook(f->webhook, why, sizeof(why)) != 0)
        return hx_cli_errf(err, errlen, "--webhook %s", why);
    if (f->webhook)
        c->webhook_url = hx_cfg_strdup(c, f->webhook);
    if (f->exit_codes && hx_exit_mode_parse(f->exit_codes, &c->exit_codes_detailed, why, sizeof(why)) != 0)
        return hx_cli_errf(err, errlen, "--exit-codes %s", why);
    c->quiet = f->quiet;
    return 0;
}

/* A file with load.groups has an arrival per group: the single-load arrival flags would be ignored. */
static int check_groups(hx_cfg_t *c, const flags_t *f, char *err, size_t errlen)
{
    const char *flag = f->rate ? "rate" : f->users ? "users" : f->poisson ? "poisson" : f->think ? "think" : f->spawn ? "spawn" : NULL;
    if (c->groups_set && flag != NULL)
        return hx_cli_errf(err, errlen, "--%s: the file has load.groups, each with its own arrival (change them there, or "
                                 "choose groups with --group)", flag);
    char why[300];
    if (hx_cfg_select_groups(c, f->groups, f->ngroups, why, sizeof(why)) != 0)
        return hx_cli_errf(err, errlen, "%s", why);
    return 0;
}

static int apply_flags(hx_cfg_t *c, const flags_t *f, char *err, size_t errlen)
{
    if (f->rate && f->users)
        return hx_cli_errf(err, errlen, "--rate and --users exclude each other (open loop or closed loop)");
    if (check_groups(c, f, err, errlen) != 0)
        return -1;
    if (apply_rate(c, f, err, errlen) || apply_users(c, f, err, errlen) || apply_workload(c, f, err, errlen) ||
        apply_headers(c, f, err, errlen) || apply_api_key(c, f) || apply_expects(c, f, err, errlen) ||
        apply_slos(c, f, err, errlen) || apply_seed(c, f, err, errlen) || apply_engine(c, f, err, errlen) || apply_outputs(c, f, err, errlen))
        return -1;
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
    if (f.config != NULL && hx_cfg_load_file(&cli->cfg, f.config, f.sets, f.nsets, &cerr) != 0)
        return hx_cli_errf(err, errlen, "%s", cerr.msg);
    if (apply_flags(&cli->cfg, &f, err, errlen) != 0)
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
