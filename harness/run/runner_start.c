#include "harness/run/runner_internal.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/buf.h"
#include "common/json.h"

static bool ready_tcp(void *ctx, hx_child_t *c)
{
    (void)c;
    return hx_ready_tcp("127.0.0.1", *(uint16_t *)ctx);
}

static bool ready_log(void *ctx, hx_child_t *c)
{
    return hx_child_log_has(c, ctx);
}

static bool ready_now(void *ctx, hx_child_t *c)
{
    (void)ctx;
    (void)c;
    return true;
}

/* Starts argv as child `name` and waits for it. Returns 0, or an exit status after printing why. */
static int start_child(hx_runner_t *r, const char *name, const char *log_name, char **argv, hx_ready_fn ready,
                       void *ctx, uint64_t timeout_ns)
{
    char log[PATH_MAX + 64], err[4096];
    bool interrupted = false;
    snprintf(log, sizeof(log), "%s/%s.log", r->logs, log_name);
    hx_child_t *c = &r->children[r->nchildren];
    if (hx_child_start(c, name, argv, log, err, sizeof(err)) != 0)
        return hx_runner_fail(r, "%s", err);
    r->nchildren++;
    fprintf(r->err_out, "soak run: started %s (pid %d, log %s)\n", name, (int)c->pid, log);
    if (hx_child_wait_ready(c, ready, ctx, timeout_ns, &interrupted, err, sizeof(err)) != 0)
        return hx_runner_fail(r, "%s", err);
    return 0;
}

/* The argv of a command node (a list, or a string run by /bin/sh -c) with its placeholders filled in, in
 * r->args. Returns 0, or an exit status after printing why. */
static int command_argv(hx_runner_t *r, const cm_node_t *c, const char *path, char **argv)
{
    char(*expanded)[HX_MAX_EXPANDED + 1] = r->args;
    cm_err_t err;
    size_t n = c->type == CM_NODE_SEQ ? c->n : 1, argc = 0;
    for (size_t a = 0; a < n; a++) {
        const cm_node_t *arg = c->type == CM_NODE_SEQ ? c->items[a] : c;
        if (hx_scenario_expand(&r->sc, arg, path, arg->str, expanded[a], sizeof(expanded[a]), &err) != 0)
            return hx_runner_fail(r, "%s", err.msg);
    }
    if (c->type != CM_NODE_SEQ) {
        argv[argc++] = "/bin/sh";
        argv[argc++] = "-c";
    }
    for (size_t a = 0; a < n; a++)
        argv[argc++] = expanded[a];
    argv[argc] = NULL;
    return 0;
}

/* Starts a service or the gateway (svc: its command, ready check and timeout) and waits until it is ready. */
static int start_process(hx_runner_t *r, const hx_service_t *svc, const char *name, const char *log_name,
                         const char *path)
{
    char *argv[HX_MAX_COMMAND_ARGS + 4], ready_text[HX_MAX_EXPANDED + 1];
    cm_err_t err;
    int rc = command_argv(r, svc->command, path, argv);
    if (rc != 0)
        return rc;
    if (svc->ready == HX_READY_STARTED)
        return start_child(r, name, log_name, argv, ready_now, NULL, svc->timeout_ns);
    if (hx_scenario_expand(&r->sc, svc->ready_arg, "ready", svc->ready_arg->str, ready_text, sizeof(ready_text),
                           &err) != 0)
        return hx_runner_fail(r, "%s", err.msg);
    if (svc->ready == HX_READY_LOG)
        return start_child(r, name, log_name, argv, ready_log, ready_text, svc->timeout_ns);
    char *end;
    unsigned long port = strtoul(ready_text, &end, 10);
    if (*end != '\0' || port == 0 || port > 65535)
        return hx_runner_fail(r, "%s.ready.tcp: \"%s\" is not a port", name, ready_text);
    uint16_t p = (uint16_t)port;
    return start_child(r, name, log_name, argv, ready_tcp, &p, svc->timeout_ns);
}

static int start_service(hx_runner_t *r, hx_service_t *svc)
{
    char name[96], log_name[80];
    snprintf(name, sizeof(name), "service %s", svc->name);
    snprintf(log_name, sizeof(log_name), "service-%s", svc->name);
    return start_process(r, svc, name, log_name, "command");
}

/* The mock runs the scenario file itself, every deployment moved to a free port of its host. */
static int start_mock(hx_runner_t *r)
{
    char(*listens)[160] = r->listens;
    char *argv[7 + 2 * (HX_RUN_MAX_SETS + HX_MAX_MOCK_DEPLOYMENTS) + 1];
    size_t n = 0;
    argv[n++] = r->mock_bin;
    argv[n++] = "--config";
    argv[n++] = (char *)r->o->file;
    for (size_t i = 0; i < r->o->nsets; i++) {
        argv[n++] = "--set";
        argv[n++] = (char *)r->o->sets[i];
    }
    if (r->sc.admin_wanted) {
        argv[n++] = "--admin";
        argv[n++] = "127.0.0.1:0";
    }
    if (r->sc.gateway.present && r->sc.gateway.config == HX_GW_CONFIG_LITELLM) {
        snprintf(r->litellm_arg, sizeof(r->litellm_arg), "--print-litellm-config=%s", r->sc.gateway.config_path);
        argv[n++] = r->litellm_arg;
    }
    for (size_t i = 0; i < r->sc.ndeps; i++) {
        const hx_mock_dep_t *d = &r->sc.deps[i];
        bool v6 = strchr(d->host, ':') != NULL;
        snprintf(listens[i], sizeof(listens[i]), "mock.deployments[%s].listen=\"%s%s%s:0\"", d->name, v6 ? "[" : "",
                 d->host, v6 ? "]" : "");
        argv[n++] = "--set";
        argv[n++] = listens[i];
    }
    argv[n] = NULL;
    return start_child(r, "mock-provider", "mock-provider", argv, ready_log, "mock-provider: ready",
                       HX_RUN_MOCK_READY_NS);
}

/* Reads the deployments' api_base from the mock's log. */
static int read_mock_urls(hx_runner_t *r)
{
    const hx_child_t *mock = &r->children[r->nchildren - 1];
    size_t len;
    char *text = hx_child_read_log(mock, &len);
    if (text == NULL)
        return hx_runner_fail(r, "cannot read %s", mock->log);
    size_t missing = hx_scenario_read_mock_urls(&r->sc, text);
    if (r->sc.admin_wanted) {
        static const char mark[] = "mock-provider: admin listening on ";
        const char *at = strstr(text, mark);
        if (at != NULL)
            snprintf(r->sc.admin_url, sizeof(r->sc.admin_url), "%.*s", (int)strcspn(at + sizeof(mark) - 1, " \r\n"),
                     at + sizeof(mark) - 1);
    }
    free(text);
    if (missing > 0)
        return hx_runner_fail(r, "mock-provider did not print the address of %zu deployment(s) (see %s)", missing,
                              mock->log);
    if (r->sc.admin_wanted && r->sc.admin_url[0] == '\0')
        return hx_runner_fail(r, "mock-provider did not print its admin API's address (see %s)", mock->log);
    for (size_t i = 0; i < r->sc.ndeps; i++)
        fprintf(r->err_out, "soak run: deployment %s at %s\n", r->sc.deps[i].name, r->sc.deps[i].url);
    return 0;
}

/* fault-proxy serves the file's proxies: section, each listener moved to a free port and each upstream
 * with its placeholders filled in (services and mock deployments are running by now); its control API on
 * a free port too. */
static int start_proxies(hx_runner_t *r)
{
    int nsets = hx_runner_proxy_sets(r, true);
    if (nsets < 0)
        return HX_EXIT_ERROR;
    char *argv[6 + 2 * (HX_RUN_MAX_SETS + 2 * HX_MAX_PROXIES) + 1];
    size_t n = 0;
    argv[n++] = r->proxy_bin;
    argv[n++] = "--config";
    argv[n++] = (char *)r->o->file;
    argv[n++] = "--api";
    argv[n++] = "127.0.0.1:0";
    for (size_t i = 0; i < r->o->nsets; i++) {
        argv[n++] = "--set";
        argv[n++] = (char *)r->o->sets[i];
    }
    for (int i = 0; i < nsets; i++) {
        argv[n++] = "--set";
        argv[n++] = r->proxy_sets[i];
    }
    argv[n] = NULL;
    int rc = start_child(r, "fault-proxy", "fault-proxy", argv, ready_log, "fault-proxy: ready", HX_RUN_MOCK_READY_NS);
    if (rc != 0)
        return rc;
    const hx_child_t *c = &r->children[r->nchildren - 1];
    size_t len;
    char *text = hx_child_read_log(c, &len);
    size_t missing = text != NULL ? hx_scenario_read_proxy_addresses(&r->sc, text) : r->sc.nproxies + 1;
    free(text);
    if (missing > 0)
        return hx_runner_fail(r, "fault-proxy did not print %zu of the addresses of its proxies and its API (see %s)",
                              missing, c->log);
    for (size_t i = 0; i < r->sc.nproxies; i++)
        fprintf(r->err_out, "soak run: proxy %s at %s\n", r->sc.proxies[i].name, r->sc.proxies[i].address);
    return 0;
}

/* gateway.setup: a command run to completion before the gateway starts (an install step), its output in
 * logs/gateway-setup.log. */
static int run_setup(hx_runner_t *r)
{
    hx_gateway_t *g = &r->sc.gateway;
    char *argv[HX_MAX_COMMAND_ARGS + 4];
    int rc = command_argv(r, g->setup, "gateway.setup", argv);
    if (rc != 0)
        return rc;
    char *out = malloc(HX_CHILD_LOG_SCAN);
    if (out == NULL)
        return hx_runner_fail(r, "out of memory");
    fprintf(r->err_out, "soak run: gateway setup: %s%s%s\n", argv[0], argv[1] ? " " : "", argv[1] ? argv[1] : "");
    int status = hx_child_run(argv, out, HX_CHILD_LOG_SCAN, g->setup_timeout_ns);
    char path[PATH_MAX + 32];
    snprintf(path, sizeof(path), "%s/gateway-setup.log", r->logs);
    FILE *f = fopen(path, "w");
    if (f != NULL) {
        fputs(out, f);
        fclose(f);
    }
    if (status != 0) {
        size_t len = strlen(out);
        const char *tail = len > 1500 ? out + len - 1500 : out;
        hx_runner_fail(r, "gateway.setup %s (status %d; log %s):\n%s", status < 0 ? "failed" : "exited", status, path,
                       tail);
        free(out);
        return HX_EXIT_ERROR;
    }
    free(out);
    return 0;
}

/* A Portkey load-balance config over the deployments (equal weights, each deployment's api_base as its
 * custom_host), written to {{gateway.config}} and sent in every request's x-portkey-config header: the
 * open-source gateway takes its routing from that header. */
static int write_portkey_config(hx_runner_t *r)
{
    cm_buf_t b = CM_BUF_INIT;
    cm_jw_t w;
    cm_jw_init(&w, &b);
    cm_jw_obj(&w);
    cm_jw_key(&w, "strategy");
    cm_jw_obj(&w);
    cm_jw_key(&w, "mode");
    cm_jw_str(&w, "loadbalance");
    cm_jw_obj_end(&w);
    cm_jw_key(&w, "targets");
    cm_jw_arr(&w);
    for (size_t i = 0; i < r->sc.ndeps; i++) {
        const hx_mock_dep_t *d = &r->sc.deps[i];
        cm_jw_obj(&w);
        cm_jw_key(&w, "provider");
        cm_jw_str(&w, "openai");
        cm_jw_key(&w, "api_key");
        cm_jw_str(&w, d->api_key != NULL ? d->api_key : "sk-soakrig");
        cm_jw_key(&w, "custom_host");
        cm_jw_str(&w, d->url);
        cm_jw_key(&w, "weight");
        cm_jw_int(&w, 1);
        cm_jw_obj_end(&w);
    }
    cm_jw_arr_end(&w);
    cm_jw_obj_end(&w);
    FILE *f = fopen(r->sc.gateway.config_path, "w");
    bool ok = f != NULL && fwrite(b.data, 1, b.len, f) == b.len;
    if (f != NULL && fclose(f) != 0)
        ok = false;
    size_t len = strlen("x-portkey-config: ") + b.len + 1;
    r->portkey_header = cm_xmalloc(len);
    snprintf(r->portkey_header, len, "x-portkey-config: %s", b.data);
    cm_buf_free(&b);
    if (!ok)
        return hx_runner_fail(r, "cannot write %s: %s", r->sc.gateway.config_path, strerror(errno));
    hx_workload_add_header(&r->cfg.workload, r->portkey_header);
    return 0;
}

/* The gateway's config, its setup command (run to completion), then the gateway itself. */
static int start_gateway(hx_runner_t *r)
{
    hx_gateway_t *g = &r->sc.gateway;
    int rc;
    if (g->config == HX_GW_CONFIG_PORTKEY && (rc = write_portkey_config(r)) != 0)
        return rc;
    if (g->config == HX_GW_CONFIG_LITELLM && access(g->config_path, R_OK) != 0)
        return hx_runner_fail(r, "mock-provider did not write the LiteLLM config %s", g->config_path);
    if ((rc = hx_runner_gateway_url(r)) != 0)
        return rc;
    if (g->setup != NULL && (rc = run_setup(r)) != 0)
        return rc;
    return start_process(r, &g->proc, "gateway", "gateway", "gateway.command");
}

int hx_runner_start_all(hx_runner_t *r)
{
    int rc;
    for (size_t i = 0; i < r->sc.nservices; i++) {
        r->sc.services[i].port = hx_free_port("127.0.0.1");
        if (r->sc.services[i].port == 0)
            return hx_runner_fail(r, "no free port on 127.0.0.1 for service %s", r->sc.services[i].name);
    }
    if (r->sc.gateway.present) {
        hx_gateway_t *g = &r->sc.gateway;
        if ((g->proc.port = hx_free_port("127.0.0.1")) == 0)
            return hx_runner_fail(r, "no free port on 127.0.0.1 for the gateway");
        snprintf(g->config_path, sizeof(g->config_path), "%s/gateway.%s", r->cfg.report_dir,
                 g->config == HX_GW_CONFIG_PORTKEY ? "portkey.json" : "litellm.yaml");
    }
    r->sc.started = true;
    for (size_t i = 0; i < r->sc.nservices; i++) {
        if ((rc = start_service(r, &r->sc.services[i])) != 0)
            return rc;
    }
    if (r->sc.has_mock && ((rc = start_mock(r)) != 0 || (rc = read_mock_urls(r)) != 0))
        return rc;
    if (r->sc.nproxies > 0 && (rc = start_proxies(r)) != 0)
        return rc;
    if (r->sc.gateway.present && (rc = start_gateway(r)) != 0)
        return rc;
    return hx_runner_resolve_target(r);
}

void hx_runner_stop_all(hx_runner_t *r)
{
    for (size_t i = r->nchildren; i-- > 0;)
        hx_child_stop(&r->children[i]);
}
