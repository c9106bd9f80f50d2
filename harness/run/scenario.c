#include "harness/run/scenario.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/buf.h"

#define MAX_NAME 48

static bool valid_name(const char *s)
{
    size_t n = strlen(s);
    if (n == 0 || n > MAX_NAME)
        return false;
    for (const char *p = s; *p; p++) {
        if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') || *p == '-' ||
              *p == '_' || *p == '.'))
            return false;
    }
    return true;
}

/* ---- services: ------------------------------------------------------------------------------------- */

static int read_command(const cm_conf_t *conf, const cm_node_t *n, const char *path, cm_err_t *err)
{
    if (n->type == CM_NODE_SCALAR)
        return n->str[0] != '\0' ? 0 : cm_conf_error(conf, n, path, err, "is empty");
    if (n->type != CM_NODE_SEQ)
        return cm_conf_error(conf, n, path, err,
                             "expected a command line (a string, run by /bin/sh -c) or a list "
                             "of arguments");
    if (n->n == 0 || n->n > HX_MAX_COMMAND_ARGS)
        return cm_conf_error(conf, n, path, err, "expected 1 to %d arguments, got %zu", HX_MAX_COMMAND_ARGS, n->n);
    for (size_t i = 0; i < n->n; i++) {
        if (n->items[i]->type != CM_NODE_SCALAR)
            return cm_conf_error(conf, n->items[i], path, err, "argument %zu: expected a string", i);
    }
    return 0;
}

static int read_ready(const cm_conf_t *conf, const cm_node_t *n, const char *path, hx_service_t *svc, cm_err_t *err)
{
    static const char *const keys[] = {"tcp", "log", NULL};
    if (n->type != CM_NODE_MAP || n->n != 1)
        return cm_conf_error(conf, n, path, err, "expected one of {tcp: PORT} or {log: TEXT}");
    if (cm_conf_check_keys(conf, n, path, keys, err) != 0)
        return -1;
    svc->ready = strcmp(n->keys[0]->str, "tcp") == 0 ? HX_READY_TCP : HX_READY_LOG;
    svc->ready_arg = n->items[0];
    if (svc->ready_arg->type != CM_NODE_SCALAR || svc->ready_arg->str[0] == '\0')
        return cm_conf_error(conf, svc->ready_arg, path, err, "expected %s",
                             svc->ready == HX_READY_TCP ? "a port (a number or {{services.NAME.port}})" : "a text");
    return 0;
}

/* command, ready and timeout: what a service and the gateway share. */
static int read_process(const cm_conf_t *conf, const cm_node_t *n, const char *path, hx_service_t *svc, cm_err_t *err)
{
    char sub[128];
    const cm_node_t *v;
    svc->command = cm_conf_get(n, "command");
    snprintf(sub, sizeof(sub), "%s.command", path);
    if (read_command(conf, svc->command, sub, err) != 0)
        return -1;
    snprintf(sub, sizeof(sub), "%s.ready", path);
    if ((v = cm_conf_get(n, "ready")) != NULL && read_ready(conf, v, sub, svc, err) != 0)
        return -1;
    svc->timeout_ns = HX_SERVICE_TIMEOUT_DEFAULT_NS;
    snprintf(sub, sizeof(sub), "%s.timeout", path);
    if ((v = cm_conf_get(n, "timeout")) != NULL) {
        if (cm_conf_duration(conf, v, sub, &svc->timeout_ns, err) != 0)
            return -1;
        if (svc->timeout_ns == 0 || svc->timeout_ns > HX_SERVICE_TIMEOUT_MAX_NS)
            return cm_conf_error(conf, v, sub, err, "expected more than 0 and at most 10m");
    }
    return 0;
}

static int read_service(hx_scenario_t *s, const cm_node_t *n, size_t index, cm_err_t *err)
{
    static const char *const keys[] = {"name", "command", "ready", "timeout", NULL};
    static const char *const required[] = {"name", "command", NULL};
    const cm_conf_t *conf = &s->conf;
    char path[96], sub[128];
    snprintf(path, sizeof(path), "services[%zu]", index);
    if (n->type != CM_NODE_MAP)
        return cm_conf_error(conf, n, path, err, "expected a map of name, command, ready, timeout");
    if (cm_conf_check_keys(conf, n, path, keys, err) != 0 || cm_conf_require_keys(conf, n, path, required, err) != 0)
        return -1;
    hx_service_t *svc = &s->services[s->nservices];
    memset(svc, 0, sizeof(*svc));
    const cm_node_t *v = cm_conf_get(n, "name");
    snprintf(sub, sizeof(sub), "%s.name", path);
    if (cm_conf_str(conf, v, sub, &svc->name, err) != 0)
        return -1;
    if (!valid_name(svc->name))
        return cm_conf_error(conf, v, sub, err, "expected 1 to %d letters, digits, '-', '_' or '.'", MAX_NAME);
    for (size_t i = 0; i < s->nservices; i++) {
        if (strcmp(s->services[i].name, svc->name) == 0)
            return cm_conf_error(conf, v, sub, err, "\"%s\" is already the name of services[%zu]", svc->name, i);
    }
    if (read_process(conf, n, path, svc, err) != 0)
        return -1;
    s->nservices++;
    return 0;
}

static int read_gateway(hx_scenario_t *s, const cm_node_t *n, cm_err_t *err)
{
    static const char *const keys[] = {"command", "ready", "timeout", "setup", "setup_timeout", "config", "url", NULL};
    static const char *const required[] = {"command", NULL};
    const cm_conf_t *conf = &s->conf;
    hx_gateway_t *g = &s->gateway;
    const cm_node_t *v;
    if (n->type != CM_NODE_MAP)
        return cm_conf_error(conf, n, "gateway", err, "expected a map of command, ready, timeout, setup, config, url");
    if (cm_conf_check_keys(conf, n, "gateway", keys, err) != 0 ||
        cm_conf_require_keys(conf, n, "gateway", required, err) != 0 || read_process(conf, n, "gateway", &g->proc, err))
        return -1;
    g->present = true;
    g->proc.name = "gateway";
    if ((g->setup = cm_conf_get(n, "setup")) != NULL && read_command(conf, g->setup, "gateway.setup", err) != 0)
        return -1;
    g->setup_timeout_ns = HX_GATEWAY_SETUP_TIMEOUT_DEFAULT_NS;
    if ((v = cm_conf_get(n, "setup_timeout")) != NULL) {
        if (cm_conf_duration(conf, v, "gateway.setup_timeout", &g->setup_timeout_ns, err) != 0)
            return -1;
        if (g->setup_timeout_ns == 0 || g->setup_timeout_ns > 2 * HX_GATEWAY_SETUP_TIMEOUT_DEFAULT_NS)
            return cm_conf_error(conf, v, "gateway.setup_timeout", err, "expected more than 0 and at most 20m");
    }
    if ((v = cm_conf_get(n, "config")) != NULL) {
        const char *c;
        if (cm_conf_str(conf, v, "gateway.config", &c, err) != 0)
            return -1;
        if (strcmp(c, "litellm") == 0)
            g->config = HX_GW_CONFIG_LITELLM;
        else if (strcmp(c, "portkey") == 0)
            g->config = HX_GW_CONFIG_PORTKEY;
        else if (strcmp(c, "none") != 0)
            return cm_conf_error(conf, v, "gateway.config", err,
                                 "unknown config \"%s\" (expected litellm, portkey or "
                                 "none)",
                                 c);
    }
    if ((g->url = cm_conf_get(n, "url")) != NULL && (g->url->type != CM_NODE_SCALAR || g->url->str[0] == '\0'))
        return cm_conf_error(conf, g->url, "gateway.url", err, "expected a URL (placeholders allowed)");
    return 0;
}

static int read_services(hx_scenario_t *s, const cm_node_t *n, cm_err_t *err)
{
    if (n->type != CM_NODE_SEQ)
        return cm_conf_error(&s->conf, n, "services", err, "expected a list of services");
    if (n->n > HX_MAX_SERVICES)
        return cm_conf_error(&s->conf, n, "services", err, "at most %d services, got %zu", HX_MAX_SERVICES, n->n);
    for (size_t i = 0; i < n->n; i++) {
        if (read_service(s, n->items[i], i, err) != 0)
            return -1;
    }
    return 0;
}

/* ---- mock: (names and hosts only: mock-provider validates the rest) --------------------------------- */

static void host_of(const char *listen, char *out, size_t cap)
{
    snprintf(out, cap, "127.0.0.1");
    if (listen == NULL)
        return;
    if (listen[0] == '[') {
        const char *end = strchr(listen, ']');
        if (end != NULL && (size_t)(end - listen - 1) < cap)
            snprintf(out, cap, "%.*s", (int)(end - listen - 1), listen + 1);
        return;
    }
    const char *colon = strrchr(listen, ':');
    if (colon != NULL && colon != listen && (size_t)(colon - listen) < cap)
        snprintf(out, cap, "%.*s", (int)(colon - listen), listen);
}

static int read_mock(hx_scenario_t *s, const cm_node_t *mock, cm_err_t *err)
{
    const cm_node_t *deps = cm_conf_get(mock, "deployments");
    s->has_mock = true;
    if (deps == NULL || deps->type != CM_NODE_SEQ)
        return 0; /* mock-provider --check says what is wrong */
    if (deps->n > HX_MAX_MOCK_DEPLOYMENTS)
        return cm_conf_error(&s->conf, deps, "mock.deployments", err, "at most %d deployments in a scenario",
                             HX_MAX_MOCK_DEPLOYMENTS);
    for (size_t i = 0; i < deps->n; i++) {
        const cm_node_t *name = cm_conf_get(deps->items[i], "name");
        const cm_node_t *listen = cm_conf_get(deps->items[i], "listen");
        if (name == NULL || name->type != CM_NODE_SCALAR)
            continue;
        hx_mock_dep_t *d = &s->deps[s->ndeps++];
        d->name = name->str;
        const cm_node_t *prov = cm_conf_get(deps->items[i], "provider");
        const cm_node_t *keys = cm_conf_get(deps->items[i], "api_keys");
        d->provider = prov != NULL && prov->type == CM_NODE_SCALAR ? prov->str : "openai";
        if (keys != NULL && keys->type == CM_NODE_SEQ && keys->n > 0 && keys->items[0]->type == CM_NODE_SCALAR)
            d->api_key = keys->items[0]->str;
        else if (keys != NULL && keys->type == CM_NODE_SCALAR)
            d->api_key = keys->str;
        host_of(listen != NULL && listen->type == CM_NODE_SCALAR ? listen->str : NULL, d->host, sizeof(d->host));
    }
    return 0;
}

/* The absolute directory of the scenario file, for {{scenario.dir}}. */
static void scenario_dir(const char *path, char *out, size_t cap)
{
    char abs[PATH_MAX];
    if (realpath(path, abs) == NULL)
        snprintf(abs, sizeof(abs), "%s", path);
    char *slash = strrchr(abs, '/');
    if (slash == NULL)
        snprintf(out, cap, ".");
    else if (slash == abs)
        snprintf(out, cap, "/");
    else
        snprintf(out, cap, "%.*s", (int)(slash - abs), abs);
}

/* proxies: names, hosts and upstreams (fault-proxy --check validates the rest). */
static int read_proxies(hx_scenario_t *s, const cm_node_t *n, cm_err_t *err)
{
    if (n->type != CM_NODE_SEQ)
        return 0; /* fault-proxy --check says what is wrong */
    if (n->n > HX_MAX_PROXIES)
        return cm_conf_error(&s->conf, n, "proxies", err, "at most %d proxies in a scenario", HX_MAX_PROXIES);
    for (size_t i = 0; i < n->n; i++) {
        const cm_node_t *name = cm_conf_get(n->items[i], "name");
        const cm_node_t *listen = cm_conf_get(n->items[i], "listen");
        const cm_node_t *up = cm_conf_get(n->items[i], "upstream");
        if (name == NULL || name->type != CM_NODE_SCALAR || up == NULL || up->type != CM_NODE_SCALAR)
            continue;
        hx_proxy_t *p = &s->proxies[s->nproxies++];
        p->name = name->str;
        p->upstream = up;
        host_of(listen != NULL && listen->type == CM_NODE_SCALAR ? listen->str : NULL, p->host, sizeof(p->host));
    }
    return 0;
}

int hx_scenario_load(hx_scenario_t *s, const char *path, const char *const *sets, size_t nsets, cm_err_t *err)
{
    memset(s, 0, sizeof(*s));
    scenario_dir(path, s->dir, sizeof(s->dir));
    if (cm_conf_load_file(&s->conf, path, err) != 0 || cm_conf_set_all(&s->conf, sets, nsets, err) != 0)
        return -1;
    const cm_node_t *root = s->conf.root, *v;
    if (root == NULL || root->type != CM_NODE_MAP)
        return 0; /* the load reader says what is wrong */
    if ((v = cm_conf_get(root, "services")) != NULL && read_services(s, v, err) != 0)
        return -1;
    if ((v = cm_conf_get(root, "mock")) != NULL && read_mock(s, v, err) != 0)
        return -1;
    if ((v = cm_conf_get(root, "gateway")) != NULL && read_gateway(s, v, err) != 0)
        return -1;
    if ((v = cm_conf_get(root, "proxies")) != NULL && read_proxies(s, v, err) != 0)
        return -1;
    if ((v = cm_conf_get(root, "changes")) != NULL) {
        const char *deps[HX_MAX_MOCK_DEPLOYMENTS], *proxies[HX_MAX_PROXIES];
        for (size_t i = 0; i < s->ndeps; i++)
            deps[i] = s->deps[i].name;
        for (size_t i = 0; i < s->nproxies; i++)
            proxies[i] = s->proxies[i].name;
        hx_change_targets_t t = {deps, s->ndeps, proxies, s->nproxies};
        if (hx_changes_read(&s->changes, &s->conf, v, &t, err) != 0)
            return -1;
    }
    return 0;
}

void hx_scenario_free(hx_scenario_t *s)
{
    cm_conf_free(&s->conf);
}

/* ---- placeholders ---------------------------------------------------------------------------------- */

/* Appends the value of one placeholder (its text between the braces) to b. Returns 0, or -1 with why. */
static int placeholder(const hx_scenario_t *s, const char *p, size_t n, cm_buf_t *b, char *why, size_t whylen)
{
    char key[128];
    if (n >= sizeof(key)) {
        snprintf(why, whylen, "placeholder too long");
        return -1;
    }
    memcpy(key, p, n);
    key[n] = '\0';
    if (strcmp(key, "report.dir") == 0) {
        cm_buf_puts(b, s->report_dir != NULL ? s->report_dir : "reports");
        return 0;
    }
    if (strcmp(key, "scenario.dir") == 0) {
        cm_buf_puts(b, s->dir);
        return 0;
    }
    if (strcmp(key, "mock.admin.url") == 0) {
        if (!s->has_mock) {
            snprintf(why, whylen, "{{mock.admin.url}}: the scenario has no mock");
            return -1;
        }
        if (s->started && s->admin_url[0] == '\0') {
            snprintf(why, whylen,
                     "{{mock.admin.url}}: the mock's admin API is not running (soak run starts it for "
                     "changes: and for api: http paths that name it)");
            return -1;
        }
        cm_buf_puts(b, s->started ? s->admin_url : "http://127.0.0.1:1/admin");
        return 0;
    }
    char *dot = strrchr(key, '.');
    const char *field = dot != NULL ? dot + 1 : "";
    if (dot != NULL)
        *dot = '\0';
    if (strncmp(key, "deployments.", 12) == 0) {
        for (size_t i = 0; i < s->ndeps; i++) {
            if (strcmp(s->deps[i].name, key + 12) != 0)
                continue;
            if (strcmp(field, "url") == 0)
                cm_buf_puts(b, s->started ? s->deps[i].url : "http://127.0.0.1:1");
            else if (strcmp(field, "port") == 0)
                cm_buf_printf(b, "%u", s->started ? (unsigned)s->deps[i].port : 1u);
            else
                break;
            return 0;
        }
        snprintf(why, whylen, "{{%.*s}}: %s", (int)n, p,
                 s->ndeps == 0 ? "the scenario has no mock deployments"
                               : "no mock deployment of that name with that field (url, port)");
        return -1;
    }
    if (strncmp(key, "proxies.", 8) == 0) {
        for (size_t i = 0; i < s->nproxies; i++) {
            const hx_proxy_t *px = &s->proxies[i];
            if (strcmp(px->name, key + 8) != 0)
                continue;
            bool known = px->address[0] != '\0';
            if (strcmp(field, "port") == 0)
                cm_buf_printf(b, "%u", known ? (unsigned)px->port : 1u);
            else if (strcmp(field, "address") == 0)
                cm_buf_puts(b, known ? px->address : "127.0.0.1:1");
            else if (strcmp(field, "url") == 0)
                cm_buf_printf(b, "http://%s", known ? px->address : "127.0.0.1:1");
            else
                goto unknown;
            return 0;
        }
        snprintf(why, whylen, "{{%.*s}}: no proxy of that name", (int)n, p);
        return -1;
    }
    if (strcmp(key, "gateway") == 0 && s->gateway.present) {
        if (strcmp(field, "port") == 0)
            cm_buf_printf(b, "%u", s->started ? (unsigned)s->gateway.proc.port : 1u);
        else if (strcmp(field, "config") == 0)
            cm_buf_puts(b, s->gateway.config_path[0] != '\0' ? s->gateway.config_path : "gateway.config");
        else if (strcmp(field, "url") == 0)
            cm_buf_puts(b, s->gateway.url_text[0] != '\0' ? s->gateway.url_text : "http://127.0.0.1:1");
        else
            goto unknown;
        return 0;
    }
    if (strncmp(key, "services.", 9) == 0 && strcmp(field, "port") == 0) {
        for (size_t i = 0; i < s->nservices; i++) {
            if (strcmp(s->services[i].name, key + 9) == 0) {
                cm_buf_printf(b, "%u", s->started ? (unsigned)s->services[i].port : 1u);
                return 0;
            }
        }
        snprintf(why, whylen, "{{%.*s}}: no service of that name", (int)n, p);
        return -1;
    }
unknown:
    snprintf(why, whylen,
             "unknown placeholder {{%.*s}} (expected deployments.NAME.url, deployments.NAME.port, mock.admin.url, "
             "services.NAME.port, proxies.NAME.port|address|url, gateway.port|config|url (with a gateway: section), "
             "report.dir or scenario.dir)",
             (int)n, p);
    return -1;
}

int hx_scenario_expand(const hx_scenario_t *s, const cm_node_t *node, const char *path, const char *text, char *out,
                       size_t cap, cm_err_t *err)
{
    cm_buf_t b = CM_BUF_INIT;
    char why[256] = "";
    cm_buf_puts(&b, "");
    for (const char *p = text; *p != '\0';) {
        const char *open = strstr(p, "{{");
        if (open == NULL) {
            cm_buf_puts(&b, p);
            break;
        }
        const char *close = strstr(open + 2, "}}");
        cm_buf_append(&b, p, (size_t)(open - p));
        if (close == NULL) {
            snprintf(why, sizeof(why), "\"{{\" without \"}}\"");
            break;
        }
        if (placeholder(s, open + 2, (size_t)(close - open - 2), &b, why, sizeof(why)) != 0)
            break;
        p = close + 2;
    }
    if (why[0] == '\0' && (b.len >= cap || b.len > HX_MAX_EXPANDED))
        snprintf(why, sizeof(why), "longer than %d bytes once its placeholders are filled in", HX_MAX_EXPANDED);
    if (why[0] == '\0')
        memcpy(out, b.data, b.len + 1);
    cm_buf_free(&b);
    return why[0] == '\0' ? 0 : cm_conf_error(&s->conf, node, path, err, "%s", why);
}

size_t hx_scenario_read_proxy_addresses(hx_scenario_t *s, const char *log_text)
{
    size_t missing = 0;
    for (size_t i = 0; i < s->nproxies; i++) {
        hx_proxy_t *px = &s->proxies[i];
        char want[160];
        snprintf(want, sizeof(want), "fault-proxy: proxy %s listening on ", px->name);
        const char *at = strstr(log_text, want);
        size_t n = at != NULL ? strcspn(at + strlen(want), " \r\n") : 0;
        if (n == 0 || n >= sizeof(px->address)) {
            missing++;
            continue;
        }
        snprintf(px->address, sizeof(px->address), "%.*s", (int)n, at + strlen(want));
        const char *colon = strrchr(px->address, ':');
        px->port = colon != NULL ? (uint16_t)strtoul(colon + 1, NULL, 10) : 0;
    }
    static const char api[] = "fault-proxy: api listening on ";
    const char *at = strstr(log_text, api);
    size_t n = at != NULL ? strcspn(at + strlen(api), " \r\n") : 0;
    if (n == 0 || n >= sizeof(s->proxy_api))
        missing++;
    else
        snprintf(s->proxy_api, sizeof(s->proxy_api), "%.*s", (int)n, at + strlen(api));
    return missing;
}

/* The port of "http://HOST:PORT/..." or "http://[V6]:PORT/...", 0 when it has none. */
static uint16_t url_port(const char *url)
{
    const char *h = strstr(url, "://");
    if (h == NULL)
        return 0;
    h += 3;
    if (*h == '[') {
        h = strchr(h, ']');
        if (h == NULL)
            return 0;
        h++;
    } else {
        h += strcspn(h, ":/");
    }
    return *h == ':' ? (uint16_t)strtoul(h + 1, NULL, 10) : 0;
}

size_t hx_scenario_read_mock_urls(hx_scenario_t *s, const char *log_text)
{
    static const char prefix[] = "mock-provider: deployment ";
    size_t missing = 0;
    for (size_t i = 0; i < s->ndeps; i++) {
        hx_mock_dep_t *d = &s->deps[i];
        char want[160];
        snprintf(want, sizeof(want), "%s%s listening on ", prefix, d->name);
        const char *at = strstr(log_text, want);
        if (at == NULL) {
            missing++;
            continue;
        }
        at += strlen(want);
        size_t n = strcspn(at, " \r\n");
        if (n == 0 || n >= sizeof(d->url)) {
            missing++;
            continue;
        }
        snprintf(d->url, sizeof(d->url), "%.*s", (int)n, at);
        d->port = url_port(d->url);
    }
    return missing;
}
