#include "mock-provider/config.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/alloc.h"
#include "common/dist.h"
#include "common/json.h"
#include "common/net.h"
#include "faults/fault.h"
#include "mock-provider/provider.h"

void mp_config_init(mp_config_t *c)
{
    memset(c, 0, sizeof(*c));
    c->keepalive_timeout = MP_DEFAULT_KEEPALIVE_NS;
    c->max_body = MP_DEFAULT_MAX_BODY;
    c->admin.journal = MP_ADMIN_DEFAULT_JOURNAL;
}

static void free_strv(char **v, size_t n)
{
    for (size_t i = 0; i < n; i++)
        free(v[i]);
    free(v);
}

void mp_deployment_free(mp_deployment_t *d)
{
    free(d->name);
    free(d->listen_host);
    free_strv(d->models, d->nmodels);
    free_strv(d->api_keys, d->nkeys);
    if (d->faults != NULL)
        fx_set_free(d->faults);
    free(d->faults);
    const mp_provider_t *ops = mp_provider_for(d->provider);
    if (d->provider_cfg != NULL && ops != NULL && ops->free_config != NULL)
        ops->free_config(d);
    free(d->source);
    d->source = NULL;
}

void mp_config_free(mp_config_t *c)
{
    for (size_t i = 0; i < c->ndeps; i++)
        mp_deployment_free(&c->deps[i]);
    free(c->deps);
    c->deps = NULL;
    c->ndeps = 0;
    free(c->admin.listen_host);
    free(c->admin.token);
    c->admin.listen_host = NULL;
    c->admin.token = NULL;
}

uint64_t mp_default_seed(uint64_t scenario_seed, const char *name)
{
    return cm_hash64(name, strlen(name), scenario_seed);
}

mp_deployment_t *mp_config_add_deployment(mp_config_t *c, const char *name)
{
    c->deps = cm_xrealloc(c->deps, (c->ndeps + 1) * sizeof(*c->deps));
    mp_deployment_t *d = &c->deps[c->ndeps];
    memset(d, 0, sizeof(*d));
    d->name = cm_xstrdup(name);
    d->index = (uint32_t)c->ndeps;
    d->provider = MP_PROVIDER_OPENAI;
    d->listen_host = cm_xstrdup("127.0.0.1");
    d->ttft = cm_dist_fixed(0);
    d->itl = cm_dist_fixed(0);
    d->prefill_per_token = cm_dist_fixed(0);
    d->output_tokens = (cm_dist_t){.kind = CM_DIST_NORMAL, .a = 64, .b = 16};
    d->tokens_per_chunk = cm_dist_fixed(1);
    d->content = MP_CONTENT_POOL;
    d->seed = mp_default_seed(c->seed, name);
    c->ndeps++;
    return d;
}

int mp_check_name(const char *name, char *err, size_t errlen)
{
    size_t n = strlen(name);
    if (n == 0 || n > MP_MAX_NAME) {
        snprintf(err, errlen, "name must be 1 to %d characters", MP_MAX_NAME);
        return -1;
    }
    for (size_t i = 0; i < n; i++) {
        char ch = name[i];
        if (!((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') || ch == '.' ||
              ch == '_' || ch == '-')) {
            snprintf(err, errlen, "name \"%s\" has an invalid character '%c' (allowed: letters, digits, '.', '_', '-')",
                     name, ch);
            return -1;
        }
    }
    return 0;
}

/* ---- listen addresses --------------------------------------------------------------------------------- */

static int parse_port(const char *s, uint16_t *port)
{
    if (*s == '\0' || strlen(s) > 5)
        return -1;
    unsigned long v = 0;
    for (const char *p = s; *p; p++) {
        if (*p < '0' || *p > '9')
            return -1;
        v = v * 10 + (unsigned long)(*p - '0');
    }
    if (v > 65535)
        return -1;
    *port = (uint16_t)v;
    return 0;
}

static int split_listen(const char *s, char *host, size_t hostlen, const char **portp, int *family)
{
    const char *colon;
    size_t hlen;
    if (s[0] == '[') {
        const char *close = strchr(s, ']');
        if (close == NULL || close[1] != ':')
            return -1;
        hlen = (size_t)(close - s - 1);
        s++;
        colon = close + 1;
        *family = AF_INET6;
    } else {
        colon = strrchr(s, ':');
        if (colon == NULL || memchr(s, ':', (size_t)(colon - s)) != NULL)
            return -2; /* none, or several colons: an IPv6 address without brackets */
        hlen = (size_t)(colon - s);
        *family = AF_INET;
    }
    if (hlen == 0 || hlen >= hostlen)
        return -1;
    memcpy(host, s, hlen);
    host[hlen] = '\0';
    *portp = colon + 1;
    return 0;
}

int mp_parse_listen(const char *s, char *host, size_t hostlen, uint16_t *port, char *err, size_t errlen)
{
    const char *portstr = NULL;
    int family = AF_INET;
    int r = split_listen(s, host, hostlen, &portstr, &family);
    if (r == -2 && strchr(s, ':') != NULL && strchr(s, ':') != strrchr(s, ':')) {
        snprintf(err, errlen, "listen \"%s\": put an IPv6 address in brackets, e.g. [::1]:8080", s);
        return -1;
    }
    if (r != 0) {
        snprintf(err, errlen, "listen \"%s\": expected HOST:PORT, e.g. 127.0.0.1:0 or [::1]:8080", s);
        return -1;
    }
    if (parse_port(portstr, port) != 0) {
        snprintf(err, errlen, "listen \"%s\": port \"%s\" is not a number from 0 to 65535", s, portstr);
        return -1;
    }
    if (family == AF_INET && strcmp(host, "localhost") == 0)
        snprintf(host, hostlen, "127.0.0.1");
    unsigned char addr[sizeof(struct in6_addr)];
    if (inet_pton(family, host, addr) != 1) {
        snprintf(err, errlen, "listen \"%s\": host \"%s\" is not a numeric %s address", s, host,
                 family == AF_INET6 ? "IPv6" : "IPv4");
        return -1;
    }
    return 0;
}

/* ---- the mock: section -------------------------------------------------------------------------------- */

static const char *const mock_keys[] = {"admin", "threads", "keepalive_timeout", "max_body", "deployments", NULL};

bool mp_is_loopback(const char *host)
{
    struct in_addr a4;
    if (inet_pton(AF_INET, host, &a4) == 1)
        return (ntohl(a4.s_addr) >> 24) == 127;
    return strcmp(host, "::1") == 0;
}

int mp_admin_token_check(const char *token, char *err, size_t errlen)
{
    if (token == NULL)
        return 0;
    if (strlen(token) > MP_ADMIN_MAX_TOKEN) {
        snprintf(err, errlen, "the admin token is longer than %d characters", MP_ADMIN_MAX_TOKEN);
        return -1;
    }
    long bad = cm_bearer_token_bad(token);
    if (bad >= 0) {
        snprintf(err, errlen, "the admin token has a space or a control character at offset %ld (it is sent as "
                 "\"Authorization: Bearer TOKEN\")", bad);
        return -1;
    }
    return 0;
}

int mp_config_set_admin(mp_config_t *c, const char *listen, const char *token, char *err, size_t errlen)
{
    char host[64], why[200];
    uint16_t port;
    if (mp_parse_listen(listen, host, sizeof(host), &port, why, sizeof(why)) != 0) {
        snprintf(err, errlen, "%s", why);
        return -1;
    }
    if (mp_admin_token_check(token, err, errlen) != 0)
        return -1;
    if ((token == NULL || token[0] == '\0') && !mp_is_loopback(host)) {
        snprintf(err, errlen,
                 "admin listen \"%s\" is not a loopback address: set a token (mock.admin.token or --admin-token), "
                 "or listen on 127.0.0.1 or [::1]",
                 listen);
        return -1;
    }
    free(c->admin.listen_host);
    free(c->admin.token);
    c->admin.listen_host = cm_xstrdup(host);
    c->admin.listen_port = port;
    c->admin.token = token != NULL && token[0] != '\0' ? cm_xstrdup(token) : NULL;
    return 0;
}

/* mock.admin: {listen: HOST:PORT, token: SECRET, journal: N}. */
static int load_admin(mp_config_t *c, const cm_conf_t *conf, const cm_node_t *n, cm_err_t *err)
{
    static const char *const keys[] = {"listen", "token", "journal", NULL};
    static const char *const required[] = {"listen", NULL};
    const char *listen, *token = NULL;
    char why[300];
    int64_t v;
    if (cm_conf_check_keys(conf, n, "mock.admin", keys, err) != 0 ||
        cm_conf_require_keys(conf, n, "mock.admin", required, err) != 0 ||
        cm_conf_str(conf, cm_conf_get(n, "listen"), "mock.admin.listen", &listen, err) != 0)
        return -1;
    const cm_node_t *t = cm_conf_get(n, "token"), *j = cm_conf_get(n, "journal");
    if (t != NULL && cm_conf_str(conf, t, "mock.admin.token", &token, err) != 0)
        return -1;
    if (mp_admin_token_check(token, why, sizeof(why)) != 0)
        return cm_conf_error(conf, t, "mock.admin.token", err, "%s", why);
    if (j != NULL) {
        if (cm_conf_int(conf, j, "mock.admin.journal", 0, MP_ADMIN_MAX_JOURNAL, &v, err) != 0)
            return -1;
        c->admin.journal = (uint32_t)v;
    }
    if (mp_config_set_admin(c, listen, token, why, sizeof(why)) != 0)
        return cm_conf_error(conf, cm_conf_get(n, "listen"), "mock.admin.listen", err, "%s", why);
    return 0;
}

static int load_scalars(mp_config_t *c, const cm_conf_t *conf, const cm_node_t *mock, cm_err_t *err)
{
    const cm_node_t *n;
    int64_t v;
    if ((n = cm_conf_get(mock, "admin")) != NULL && load_admin(c, conf, n, err) != 0)
        return -1;
    if ((n = cm_conf_get(mock, "threads")) != NULL) {
        if (cm_conf_int(conf, n, "mock.threads", 1, MP_MAX_THREADS, &v, err) != 0)
            return -1;
        c->threads = (uint32_t)v;
    }
    if ((n = cm_conf_get(mock, "keepalive_timeout")) != NULL) {
        if (cm_conf_duration(conf, n, "mock.keepalive_timeout", &c->keepalive_timeout, err) != 0)
            return -1;
        if (c->keepalive_timeout < CM_NS_PER_MS)
            return cm_conf_error(conf, n, "mock.keepalive_timeout", err, "must be at least 1ms");
    }
    if ((n = cm_conf_get(mock, "max_body")) != NULL) {
        if (cm_conf_size(conf, n, "mock.max_body", &c->max_body, err) != 0)
            return -1;
        if (c->max_body == 0 || c->max_body > MP_MAX_BODY_LIMIT)
            return cm_conf_error(conf, n, "mock.max_body", err, "must be from 1 byte to 1GiB");
    }
    return 0;
}

static int load_deployments(mp_config_t *c, const cm_conf_t *conf, const cm_node_t *mock, cm_err_t *err)
{
    const cm_node_t *list = cm_conf_get(mock, "deployments");
    if (list == NULL)
        return cm_conf_error(conf, mock, "mock", err, "missing key \"deployments\" (a list of deployments to serve)");
    if (list->type != CM_NODE_SEQ)
        return cm_conf_error(conf, list, "mock.deployments", err, "expected a list of deployments");
    if (list->n == 0)
        return cm_conf_error(conf, list, "mock.deployments", err, "the list is empty: define at least one deployment");
    if (list->n > MP_MAX_DEPLOYMENTS)
        return cm_conf_error(conf, list, "mock.deployments", err, "%zu deployments; at most %d", list->n,
                             MP_MAX_DEPLOYMENTS);
    for (size_t i = 0; i < list->n; i++)
        if (mp_config_load_deployment(c, conf, list->items[i], (int)i, err) != 0)
            return -1;
    return 0;
}

static int load_seed(mp_config_t *c, const cm_conf_t *conf, const cm_node_t *root, cm_err_t *err)
{
    const cm_node_t *n = cm_conf_get(root, "seed");
    int64_t v = 0;
    if (n != NULL && cm_conf_int(conf, n, "seed", 0, INT64_MAX, &v, err) != 0)
        return -1;
    c->seed = (uint64_t)v;
    return 0;
}

int mp_config_load(mp_config_t *c, const cm_conf_t *conf, cm_err_t *err)
{
    const cm_node_t *root = conf->root;
    if (root == NULL) {
        snprintf(err->msg, sizeof(err->msg), "%s: the file is empty (expected a scenario with a mock: section)",
                 conf->file);
        return -1;
    }
    if (cm_conf_check_keys(conf, root, "", cm_scenario_keys, err) != 0 || load_seed(c, conf, root, err) != 0)
        return -1;
    const cm_node_t *mock = cm_conf_get(root, "mock");
    if (mock == NULL)
        return cm_conf_error(conf, root, NULL, err, "missing key \"mock\" (mock-provider serves mock.deployments)");
    if (cm_conf_check_keys(conf, mock, "mock", mock_keys, err) != 0)
        return -1;
    if (load_scalars(c, conf, mock, err) != 0 || load_deployments(c, conf, mock, err) != 0)
        return -1;
    return 0;
}

/* ---- the source of a deployment built without a document ---------------------------------------------- */

static void put_dist(cm_jw_t *w, const char *key, const cm_dist_t *d, cm_dist_unit_t unit)
{
    char buf[128];
    cm_jw_key(w, key);
    cm_jw_str(w, cm_dist_format(d, unit, buf, sizeof(buf)));
}

static void put_strv(cm_jw_t *w, const char *key, char **v, size_t n)
{
    if (n == 0)
        return;
    cm_jw_key(w, key);
    cm_jw_arr(w);
    for (size_t i = 0; i < n; i++)
        cm_jw_str(w, v[i]);
    cm_jw_arr_end(w);
}

void mp_deployment_fill_source(mp_deployment_t *d)
{
    if (d->source != NULL)
        return;
    cm_buf_t b = CM_BUF_INIT;
    cm_jw_t w;
    char listen[96];
    bool v6 = strchr(d->listen_host, ':') != NULL;
    snprintf(listen, sizeof(listen), "%s%s%s:%u", v6 ? "[" : "", d->listen_host, v6 ? "]" : "",
             (unsigned)d->listen_port);
    const mp_provider_t *ops = mp_provider_for(d->provider);
    cm_jw_init(&w, &b);
    cm_jw_obj(&w);
    cm_jw_key(&w, "name");
    cm_jw_str(&w, d->name);
    cm_jw_key(&w, "provider");
    cm_jw_str(&w, ops != NULL ? ops->name : "openai");
    cm_jw_key(&w, "listen");
    cm_jw_str(&w, listen);
    put_strv(&w, "models", d->models, d->nmodels);
    put_strv(&w, "api_keys", d->api_keys, d->nkeys);
    cm_jw_key(&w, "latency");
    cm_jw_obj(&w);
    put_dist(&w, "ttft", &d->ttft, CM_DIST_DURATION);
    put_dist(&w, "itl", &d->itl, CM_DIST_DURATION);
    put_dist(&w, "prefill_per_token", &d->prefill_per_token, CM_DIST_DURATION);
    cm_jw_obj_end(&w);
    put_dist(&w, "output_tokens", &d->output_tokens, CM_DIST_COUNT);
    put_dist(&w, "tokens_per_chunk", &d->tokens_per_chunk, CM_DIST_COUNT);
    cm_jw_key(&w, "content");
    cm_jw_str(&w, d->content == MP_CONTENT_ECHO ? "echo" : "pool");
    cm_jw_key(&w, "tool_calls");
    cm_jw_bool(&w, d->tool_calls);
    cm_jw_key(&w, "reasoning");
    cm_jw_bool(&w, d->reasoning);
    if (d->seed <= INT64_MAX) { /* a seed derived from the name may not be writable: the reader derives it again */
        cm_jw_key(&w, "seed");
        cm_jw_uint(&w, d->seed);
    }
    cm_jw_obj_end(&w);
    d->source = cm_buf_detach(&b);
}
