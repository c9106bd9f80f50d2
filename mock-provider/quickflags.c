#include "mock-provider/quickflags.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/alloc.h"
#include "common/units.h"

static int fail(cm_err_t *err, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int fail(cm_err_t *err, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
    va_end(ap);
    return -1;
}

static int parse_uint(const char *flag, const char *s, uint64_t min, uint64_t max, uint64_t *out, cm_err_t *err)
{
    char *end;
    errno = 0;
    unsigned long long v = strtoull(s, &end, 10);
    if (s[0] == '\0' || s[0] == '-' || *end != '\0' || errno != 0 || v < min || v > max)
        return fail(err, "%s \"%s\": expected a whole number from %llu to %llu", flag, s, (unsigned long long)min,
                    (unsigned long long)max);
    *out = v;
    return 0;
}

/* --admin replaces mock.admin.listen; --admin-token replaces its token (and needs a listener). */
static int apply_admin(const mp_cli_t *cli, mp_config_t *c, cm_err_t *err)
{
    char why[300];
    if (cli->admin == NULL && cli->admin_token == NULL)
        return 0;
    if (cli->admin == NULL && c->admin.listen_host == NULL)
        return fail(err, "--admin-token needs --admin HOST:PORT (or mock.admin.listen in the file)");
    char listen[96];
    if (cli->admin != NULL) {
        snprintf(listen, sizeof(listen), "%s", cli->admin);
    } else {
        bool v6 = strchr(c->admin.listen_host, ':') != NULL;
        snprintf(listen, sizeof(listen), "%s%s%s:%u", v6 ? "[" : "", c->admin.listen_host, v6 ? "]" : "",
                 (unsigned)c->admin.listen_port);
    }
    if (mp_admin_token_check(cli->admin_token, why, sizeof(why)) != 0)
        return fail(err, "--admin-token: %s", why);
    char *token = cli->admin_token != NULL ? cm_xstrdup(cli->admin_token)
                  : c->admin.token != NULL ? cm_xstrdup(c->admin.token)
                                           : NULL;
    int rc = mp_config_set_admin(c, listen, token, why, sizeof(why));
    free(token);
    if (rc != 0)
        return fail(err, "--admin: %s", why);
    return 0;
}

static int apply_globals(const mp_cli_t *cli, mp_config_t *c, cm_err_t *err)
{
    char why[256];
    uint64_t v;
    if (cli->threads != NULL) {
        if (parse_uint("--threads", cli->threads, 1, MP_MAX_THREADS, &v, err) != 0)
            return -1;
        c->threads = (uint32_t)v;
    }
    if (cli->keepalive_timeout != NULL) {
        if (cm_parse_duration(cli->keepalive_timeout, &v, why, sizeof(why)) != 0)
            return fail(err, "--keepalive-timeout \"%s\": %s", cli->keepalive_timeout, why);
        if (v < CM_NS_PER_MS)
            return fail(err, "--keepalive-timeout \"%s\": must be at least 1ms", cli->keepalive_timeout);
        c->keepalive_timeout = v;
    }
    if (cli->max_body != NULL) {
        if (cm_parse_size(cli->max_body, &v, why, sizeof(why)) != 0)
            return fail(err, "--max-body \"%s\": %s", cli->max_body, why);
        if (v == 0 || v > MP_MAX_BODY_LIMIT)
            return fail(err, "--max-body \"%s\": must be from 1 byte to 1GiB", cli->max_body);
        c->max_body = v;
    }
    return apply_admin(cli, c, err);
}

static int dist_flag(const char *flag, const char *s, cm_dist_unit_t unit, cm_dist_t *out, cm_err_t *err)
{
    char why[256];
    if (s == NULL)
        return 0;
    if (cm_dist_parse(s, unit, out, why, sizeof(why)) != 0)
        return fail(err, "%s \"%s\": %s", flag, s, why);
    return 0;
}

static int copy_list(const char *flag, const char *const *items, size_t n, char ***out, size_t *count, cm_err_t *err)
{
    for (size_t i = 0; i < n; i++) {
        if (items[i][0] == '\0')
            return fail(err, "%s: the value is empty", flag);
        for (size_t j = 0; j < i; j++)
            if (strcmp(items[i], items[j]) == 0)
                return fail(err, "%s \"%s\" is given twice", flag, items[i]);
    }
    *out = cm_xcalloc(n ? n : 1, sizeof(char *));
    for (size_t i = 0; i < n; i++)
        (*out)[i] = cm_xstrdup(items[i]);
    *count = n;
    return 0;
}

static int quick_listen(const mp_cli_t *cli, mp_deployment_t *d, cm_err_t *err)
{
    char host[64], why[200];
    if (cli->listen == NULL)
        return 0;
    if (mp_parse_listen(cli->listen, host, sizeof(host), &d->listen_port, why, sizeof(why)) != 0)
        return fail(err, "--%s", why);
    free(d->listen_host);
    d->listen_host = cm_xstrdup(host);
    return 0;
}

static int quick_misc(const mp_cli_t *cli, mp_deployment_t *d, cm_err_t *err)
{
    uint64_t v;
    if (cli->content != NULL) {
        if (strcmp(cli->content, "pool") == 0)
            d->content = MP_CONTENT_POOL;
        else if (strcmp(cli->content, "echo") == 0)
            d->content = MP_CONTENT_ECHO;
        else
            return fail(err, "--content \"%s\": expected pool or echo", cli->content);
    }
    if (cli->seed != NULL) {
        if (parse_uint("--seed", cli->seed, 0, UINT64_MAX, &v, err) != 0)
            return -1;
        d->seed = v;
    }
    d->tool_calls = cli->tool_calls;
    d->tool_auto = cli->tool_calls ? 1.0 : 0.0;
    return 0;
}

static int build_quick(const mp_cli_t *cli, mp_config_t *c, cm_err_t *err)
{
    char why[200];
    const char *name = cli->name != NULL ? cli->name : "default";
    if (mp_check_name(name, why, sizeof(why)) != 0)
        return fail(err, "--name: %s", why);
    mp_deployment_t *d = mp_config_add_deployment(c, name);
    if (quick_listen(cli, d, err) != 0 || dist_flag("--ttft", cli->ttft, CM_DIST_DURATION, &d->ttft, err) != 0 ||
        dist_flag("--itl", cli->itl, CM_DIST_DURATION, &d->itl, err) != 0 ||
        dist_flag("--prefill-per-token", cli->prefill_per_token, CM_DIST_DURATION, &d->prefill_per_token, err) != 0 ||
        dist_flag("--output-tokens", cli->output_tokens, CM_DIST_COUNT, &d->output_tokens, err) != 0 ||
        dist_flag("--tokens-per-chunk", cli->tokens_per_chunk, CM_DIST_COUNT, &d->tokens_per_chunk, err) != 0 ||
        copy_list("--model", cli->models, cli->nmodels, &d->models, &d->nmodels, err) != 0 ||
        copy_list("--api-key", cli->api_keys, cli->nkeys, &d->api_keys, &d->nkeys, err) != 0 ||
        quick_misc(cli, d, err) != 0)
        return -1;
    return 0;
}

static int load_file(const mp_cli_t *cli, mp_config_t *c, cm_err_t *err)
{
    cm_conf_t conf;
    memset(&conf, 0, sizeof(conf));
    int rc = cm_conf_load_file(&conf, cli->config, err);
    if (rc == 0)
        rc = cm_conf_set_all(&conf, cli->sets, cli->nsets, err);
    if (rc == 0)
        rc = mp_config_load(c, &conf, err);
    cm_conf_free(&conf);
    return rc;
}

int mp_cli_build_config(const mp_cli_t *cli, mp_config_t *c, cm_err_t *err)
{
    if (cli->config != NULL && cli->first_quick_flag != NULL)
        return fail(err, "--%s cannot be combined with --config (describe deployments in the file's mock.deployments)",
                    cli->first_quick_flag);
    if (cli->config == NULL && cli->nsets > 0)
        return fail(err, "--set needs --config FILE (it overrides a value of the file)");
    if (cli->config != NULL ? load_file(cli, c, err) : build_quick(cli, c, err))
        return -1;
    return apply_globals(cli, c, err);
}
