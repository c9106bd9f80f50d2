/* harness/run/scenario.h — the parts of a scenario file only `soak run` reads: the services it starts
 * (`services:`), the mock deployments it starts (`mock:`, read by mock-provider itself; here only their names
 * and hosts), and the placeholders that connect them, filled in once the processes run and their ports are
 * known:
 *
 *   {{deployments.NAME.url}}   the api_base of mock deployment NAME (http://127.0.0.1:PORT/v1 for OpenAI)
 *   {{deployments.NAME.port}}  its port
 *   {{services.NAME.port}}     the free port chosen for service NAME (every service gets one)
 *   {{proxies.NAME.port}}      the free port fault-proxy NAME listens on ({{proxies.NAME.address}}: host:port,
 *                              {{proxies.NAME.url}}: http://host:port)
 *   {{gateway.port}}           the free port chosen for the gateway
 *   {{gateway.config}}         the path of the config written for it (config: litellm or portkey)
 *   {{gateway.url}}            its api_base (url:, default http://127.0.0.1:{{gateway.port}}/v1)
 *   {{report.dir}}             the run's report directory
 *   {{scenario.dir}}           the directory of the scenario file (for scripts shipped beside it)
 *
 *   services:
 *     - name: redis
 *       command: [redis-server, --port, "{{services.redis.port}}", --save, ""]   # or one string for /bin/sh -c
 *       ready: {tcp: "{{services.redis.port}}"}    # or {log: "Ready to accept"}; none: ready once started
 *       timeout: 30s                               # for readiness (default 30s)
 *
 *   gateway:                                       # started last, after the mock; load.target: gateway
 *     setup: "npm install --prefix ~/.cache/x @portkey-ai/gateway@1.15.2"   # optional, run to completion first
 *     command: [node, ..., "--port={{gateway.port}}"]
 *     config: portkey       # litellm: a model_list for the deployments; portkey: a load-balance config sent
 *                           # in every request's x-portkey-config header; none (default)
 *     ready: {tcp: "{{gateway.port}}"}
 *     url: "http://127.0.0.1:{{gateway.port}}/v1"
 */
#ifndef HX_SCENARIO_H
#define HX_SCENARIO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/config.h"
#include "harness/run/changes.h"

#define HX_MAX_SERVICES 16
#define HX_MAX_MOCK_DEPLOYMENTS 64
#define HX_MAX_COMMAND_ARGS 64
#define HX_MAX_EXPANDED 4096 /* bytes of one string after its placeholders are filled in */
#define HX_SERVICE_TIMEOUT_DEFAULT_NS (30ull * 1000 * 1000 * 1000)
#define HX_SERVICE_TIMEOUT_MAX_NS (600ull * 1000 * 1000 * 1000)

typedef enum hx_ready_kind {
    HX_READY_STARTED, /* no check */
    HX_READY_TCP,     /* a TCP connect to 127.0.0.1:PORT succeeds */
    HX_READY_LOG,     /* its output contains a text */
} hx_ready_kind_t;

typedef struct hx_service {
    const char *name;
    const cm_node_t *command; /* a string (run by /bin/sh -c) or a list of strings (argv) */
    hx_ready_kind_t ready;
    const cm_node_t *ready_arg; /* the port or the text, still with placeholders */
    uint64_t timeout_ns;
    uint16_t port; /* chosen when the run starts */
} hx_service_t;

typedef enum hx_gw_config {
    HX_GW_CONFIG_NONE,
    HX_GW_CONFIG_LITELLM, /* mock-provider --print-litellm-config writes {{gateway.config}} */
    HX_GW_CONFIG_PORTKEY, /* a loadbalance config over the deployments, in every request's x-portkey-config */
} hx_gw_config_t;

#define HX_GATEWAY_SETUP_TIMEOUT_DEFAULT_NS (600ull * 1000 * 1000 * 1000)

typedef struct hx_gateway {
    bool present;
    hx_service_t proc;      /* command, ready, timeout, port (named "gateway") */
    const cm_node_t *setup; /* run to completion before it starts (a string or a list), or NULL */
    uint64_t setup_timeout_ns;
    hx_gw_config_t config;
    const cm_node_t *url; /* NULL: http://127.0.0.1:{{gateway.port}}/v1 */
    char config_path[4096];
    char url_text[HX_MAX_EXPANDED + 1]; /* once started */
} hx_gateway_t;

typedef struct hx_mock_dep {
    const char *name;
    const char *provider; /* as written (openai when absent) */
    const char *api_key;  /* its first api_keys entry, or NULL */
    char host[64];        /* from its listen: (127.0.0.1 when absent) */
    char url[256];        /* the api_base mock-provider printed, once it runs */
    uint16_t port;        /* the port it printed */
} hx_mock_dep_t;

#define HX_MAX_PROXIES 64

/* A fault proxy of proxies: (fault-proxy reads and checks the section itself; soak run moves its listener
 * to a free port and fills in the placeholders of its upstream). */
typedef struct hx_proxy {
    const char *name;
    char host[64];             /* of its listen: (127.0.0.1 when absent) */
    const cm_node_t *upstream; /* may hold placeholders */
    char address[160];         /* host:port it listens on, once it runs */
    uint16_t port;
} hx_proxy_t;

typedef struct hx_scenario {
    cm_conf_t conf; /* the whole file with --set applied */
    hx_service_t services[HX_MAX_SERVICES];
    size_t nservices;
    bool has_mock;
    hx_mock_dep_t deps[HX_MAX_MOCK_DEPLOYMENTS];
    size_t ndeps;
    hx_gateway_t gateway;
    hx_proxy_t proxies[HX_MAX_PROXIES];
    size_t nproxies;
    hx_changes_t changes;   /* changes: (timed, through the mock's admin API) */
    bool admin_wanted;      /* the mock runs its admin API: for changes:, or {{mock.admin.url}} in a request path */
    char admin_url[256];    /* the mock's admin API once it runs ("http://127.0.0.1:PORT/admin"), when wanted */
    char proxy_api[256];    /* fault-proxy's API once it runs ("http://127.0.0.1:PORT"), when proxies */
    const char *report_dir; /* once known, for {{report.dir}} */
    char dir[4096];         /* the scenario file's directory, absolute */
    bool started;           /* ports are known: placeholders expand to real values */
} hx_scenario_t;

/* Loads path with the assignments applied (as --set), and reads services: and the names and hosts of the
 * mock deployments. Returns 0, or -1 with err filled (file:line:col); s is always safe to free. */
int hx_scenario_load(hx_scenario_t *s, const char *path, const char *const *sets, size_t nsets, cm_err_t *err);
void hx_scenario_free(hx_scenario_t *s);

/* Fills the placeholders of text (read from node, named path in errors) into out. Before the run starts
 * (s->started false) only the names are checked and ports read as 1 (a valid address for the checks). Returns 0, or -1
 * with err filled: an unknown placeholder or name, or a result longer than HX_MAX_EXPANDED. */
int hx_scenario_expand(const hx_scenario_t *s, const cm_node_t *node, const char *path, const char *text, char *out,
                       size_t cap, cm_err_t *err);

/* Reads fault-proxy's ready output: "fault-proxy: proxy NAME listening on ADDR upstream ..." lines fill in
 * the proxies' address and port, "fault-proxy: api listening on URL" proxy_api. Returns the number of those
 * addresses still missing (the API's counts as one). */
size_t hx_scenario_read_proxy_addresses(hx_scenario_t *s, const char *log_text);

/* Reads mock-provider's ready output (log text): "deployment NAME listening on URL" lines fill in deps'
 * url and port. Returns the number of deployments still without a URL. */
size_t hx_scenario_read_mock_urls(hx_scenario_t *s, const char *log_text);

#endif
