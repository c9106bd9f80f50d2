/* harness/run/runner_internal.h — what the parts of `soak run` share (runner.c: arguments, checks, the load
 * and the end; runner_start.c: starting the services, the mock and the gateway). Not for other modules. */
#ifndef HX_RUNNER_INTERNAL_H
#define HX_RUNNER_INTERNAL_H

#include <limits.h>
#include <stdint.h>
#include <stdio.h>

#include "common/clock.h"
#include "harness/config/config.h"
#include "harness/run/child.h"
#include "harness/run/reconcile.h"
#include "harness/run/run.h"
#include "harness/run/runner.h"
#include "harness/run/scenario.h"

#define HX_RUN_DEFAULT_REPORT_DIR "reports/{{name}}-{{time}}"
/* `mock-provider --check` reads one file: it never takes long. */
#define HX_RUN_MOCK_CHECK_NS (30ull * CM_NS_PER_S)
/* The mock binds its listeners before printing its ready line; a slow (sanitizer) build still starts in a few
 * seconds. */
#define HX_RUN_MOCK_READY_NS (60ull * CM_NS_PER_S)
#define HX_RUN_MAX_CHILDREN (HX_MAX_SERVICES + 3) /* the services, the mock, fault-proxy, the gateway */

typedef struct hx_runner {
    const hx_runner_opts_t *o;
    FILE *out, *err_out;
    hx_scenario_t sc;
    hx_cfg_t cfg;
    const char *sets[HX_RUN_MAX_SETS + 4];
    size_t nsets;
    char overrides[4][256];
    char mock_bin[PATH_MAX];
    char proxy_bin[PATH_MAX];
    char proxy_sets[2 * HX_MAX_PROXIES][HX_MAX_EXPANDED + 64]; /* fault-proxy's --set upstream/listen */
    char logs[PATH_MAX];
    hx_child_t children[HX_RUN_MAX_CHILDREN];
    size_t nchildren;
    int died; /* index + 1 of the child that died during the load, 0 if none */
    char target[HX_MAX_EXPANDED + 1];
    char webhook[HX_MAX_EXPANDED + 1];                   /* report.webhook with its placeholders filled in */
    const char *urls[HX_MAX_MOCK_DEPLOYMENTS];           /* target: deployments */
    char args[HX_MAX_COMMAND_ARGS][HX_MAX_EXPANDED + 1]; /* a service's command line, placeholders filled in */
    char listens[HX_MAX_MOCK_DEPLOYMENTS][160];          /* the mock's --set ...listen= arguments */
    char litellm_arg[4096 + 32];                         /* --print-litellm-config=PATH */
    char *portkey_header;                                /* "x-portkey-config: {...}", malloc'd */
    hx_dep_counts_t counts[HX_MAX_MOCK_DEPLOYMENTS];     /* both sides of every deployment, after the load */
    uint64_t unanswered;
    uint64_t generic; /* soak's api: http requests: they may hit endpoints the mock does not count */
    bool have_totals;
} hx_runner_t;

/* Prints "soak run: ..." to err_out; returns HX_EXIT_ERROR. */
int hx_runner_fail(hx_runner_t *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* The gateway's api_base into r->sc.gateway.url_text (runner.c). Returns 0 or an exit status. */
int hx_runner_gateway_url(hx_runner_t *r);
/* runner_check.c: reads the scenario (with --set), applies --duration and the other options, checks every
 * section (the mock's and the proxies' with their own binaries) and finds the binaries. Returns 0 or an exit
 * status after printing why. */
int hx_runner_load(hx_runner_t *r);
/* load.target with everything known so far filled in (runner.c). Returns 0 or an exit status. */
int hx_runner_resolve_target(hx_runner_t *r);
/* fault-proxy's --set arguments (into r->proxy_sets): each upstream with its placeholders filled in and, with
 * free_ports, each listener moved to port 0 of its host. Returns their count, or -1 after printing why. */
int hx_runner_proxy_sets(hx_runner_t *r, bool free_ports);
/* Starts the services, the mock, fault-proxy and the gateway, in that order, each waited for (runner_start.c); then
 * resolves the target. Returns 0, or an exit status after printing why (what started keeps running until
 * hx_runner_stop_all). */
int hx_runner_start_all(hx_runner_t *r);
/* The load's watch (runner.c): applies the timed changes that are due and checks that every child runs; 0, or -1
 * with why. */
int hx_runner_watch(void *ctx, uint64_t elapsed_ns, char *why, size_t whylen);
/* Runs the scenario's sweep or knee search through o->sweep or o->find (runner_capacity.c). Returns an exit
 * status. */
int hx_runner_capacity(hx_runner_t *r);
/* Stops every process started, the last first. */
void hx_runner_stop_all(hx_runner_t *r);

#endif
