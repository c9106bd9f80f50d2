/* harness/run/cli_apply.c — `soak load`'s flags applied over the scenario file (or the defaults), each value
 * parsed with the flag's name in its error; cli.c reads them. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "common/units.h"
#include "harness/measure/exitcode.h"
#include "harness/run/cli_internal.h"

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
    if (f->summary)
        return "reasoning-summary";
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
        bool llm =
            f->stream || f->nmodels || f->prompt || f->repeat || f->max_tokens || f->user || f->reasoning || f->summary;
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
    if (f->summary && hx_reasoning_summary(f->summary, why, sizeof(why)) == NULL)
        return hx_cli_errf(err, errlen, "--reasoning-summary %s", why);
    if (f->summary && !hx_api_takes_summary(hx_api_find(s->api)))
        return hx_cli_errf(err, errlen,
                           "--reasoning-summary: %s has no reasoning summary (openai.responses, azure.responses, "
                           "gemini.generate and vertex.generate do)",
                           s->api);
    s->reasoning_summary = f->summary ? hx_reasoning_summary(f->summary, NULL, 0) : NULL;
    return 0;
}

static int apply_workload(hx_cfg_t *c, const flags_t *f, char *err, size_t errlen)
{
    const char *flag = first_workload_flag(f);
    if (flag == NULL)
        return 0;
    if (c->nreqs > 0)
        return hx_cli_errf(err, errlen, "--%s: the file already defines load.requests (change the template there)",
                           flag);
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

static int apply_api_key(hx_cfg_t *c, const flags_t *f, char *err, size_t errlen)
{
    char why[128];
    if (f->api_key == NULL)
        return 0;
    if (hx_api_key_check(f->api_key, why, sizeof(why)) != 0)
        return hx_cli_errf(err, errlen, "--api-key: %s", why);
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
    const char *flag = f->rate      ? "rate"
                       : f->users   ? "users"
                       : f->poisson ? "poisson"
                       : f->think   ? "think"
                       : f->spawn   ? "spawn"
                                    : NULL;
    if (c->groups_set && flag != NULL)
        return hx_cli_errf(err, errlen,
                           "--%s: the file has load.groups, each with its own arrival (change them there, or "
                           "choose groups with --group)",
                           flag);
    char why[300];
    if (hx_cfg_select_groups(c, f->groups, f->ngroups, why, sizeof(why)) != 0)
        return hx_cli_errf(err, errlen, "%s", why);
    return 0;
}

int hx_cli_apply_flags(hx_cfg_t *c, const flags_t *f, char *err, size_t errlen)
{
    if (f->rate && f->users)
        return hx_cli_errf(err, errlen, "--rate and --users exclude each other (open loop or closed loop)");
    if (check_groups(c, f, err, errlen) != 0)
        return -1;
    if (apply_rate(c, f, err, errlen) || apply_users(c, f, err, errlen) || apply_workload(c, f, err, errlen) ||
        apply_headers(c, f, err, errlen) || apply_api_key(c, f, err, errlen) || apply_expects(c, f, err, errlen) ||
        apply_slos(c, f, err, errlen) || apply_seed(c, f, err, errlen) || apply_engine(c, f, err, errlen) ||
        apply_outputs(c, f, err, errlen))
        return -1;
    return 0;
}
