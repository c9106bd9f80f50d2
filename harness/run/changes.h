/* harness/run/changes.h — timed changes of a scenario: at a time into the load, a deployment's settings
 * change through the mock's admin API (a JSON merge patch of the deployment, as `PATCH
 * /admin/deployments/NAME`), or a proxy's toxics and `enabled` through fault-proxy's toxiproxy API (the
 * proxy's toxics are replaced by the list given), e.g. a fault window:
 *
 *   changes:
 *     - {at: 20s, deployment: gpt, set: {faults: [{kind: http_error, status: 503, probability: 30%}]}}
 *     - {at: 40s, deployment: gpt, set: {faults: []}}
 *     - {at: recovery+5s, deployment: gpt, set: {latency: {ttft: 100ms}}}   # a phase's start, plus 5 s
 *     - {at: 30s, proxy: redis, set: {toxics: [{name: slow, type: latency, attributes: {latency: 500}}]}}
 *     - {at: 60s, proxy: redis, set: {toxics: [], enabled: true}}
 *
 * Checked before the run with mock-provider's own reader (each `set` applied to the deployment with --set),
 * applied in time order from the run's watch loop, and drawn as shaded windows in the HTML report (a change
 * lasts until the next change of the same deployment, or the end). */
#ifndef HX_CHANGES_H
#define HX_CHANGES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/config.h"
#include "harness/measure/phase.h"
#include "harness/report/svg.h"

#define HX_MAX_CHANGES 64
#define HX_CHANGE_MAX_BODY (64u * 1024) /* bytes of one change's JSON */
#define HX_CHANGE_MAX_AT_NS (24ull * 3600 * 1000 * 1000 * 1000)

typedef struct hx_change {
    uint64_t at_ns;
    const char *deployment; /* a mock deployment's change, or NULL */
    const char *proxy;      /* a fault-proxy proxy's change, or NULL */
    const char *at_phase; /* `at: fault` or `at: fault+5s`: the phase's start (plus at_ns), once resolved */
    bool resolved;
    const cm_node_t *set;  /* a map: the patch */
    const cm_node_t *node; /* the list item, for messages */
    char label[96];        /* "gpt: faults" */
    bool applied;
} hx_change_t;

typedef struct hx_changes {
    hx_change_t items[HX_MAX_CHANGES];
    size_t n;
    size_t next; /* the first not applied (items are in time order) */
    hx_report_window_t windows[HX_MAX_CHANGES];
} hx_changes_t;

/* The names a change may address: the mock deployments and the fault-proxy proxies of the file. */
typedef struct hx_change_targets {
    const char *const *deployments;
    size_t ndeps;
    const char *const *proxies;
    size_t nproxies;
} hx_change_targets_t;

/* Reads changes: (n) into c, in time order (stable). Returns 0, or -1 with err filled (file:line:col). */
int hx_changes_read(hx_changes_t *c, const cm_conf_t *conf, const cm_node_t *n, const hx_change_targets_t *t,
                    cm_err_t *err);

/* Resolves `at:` values that name a phase (`fault`, `fault+5s`) against the run's laid-out phases and puts
 * the changes back in time order. Call after hx_cfg_finish. Returns 0, or -1 with err (file:line:col). */
int hx_changes_resolve(hx_changes_t *c, const cm_conf_t *conf, const hx_phases_t *phases, cm_err_t *err);

/* The --set arguments that apply change i to the file ("mock.deployments[NAME].KEY=JSON", or
 * "proxies[NAME].KEY=JSON"), for checking it with `mock-provider --check` or `fault-proxy --check`; *out is
 * malloc'd strings (free each, then the array). Returns the count, or -1 when a value does not fit
 * HX_CHANGE_MAX_BODY. */
int hx_change_sets(const hx_change_t *ch, char ***out);

/* The JSON body of change i (a merge patch), into a malloc'd string, or NULL when over HX_CHANGE_MAX_BODY. */
char *hx_change_body(const hx_change_t *ch);

/* A deployment's change: PATCHes admin_url/deployments/NAME with the change's body. A proxy's change, through
 * proxy_api (fault-proxy's API, "http://127.0.0.1:PORT"): `toxics` deletes the proxy's toxics and adds the
 * ones given, in order; `enabled` POSTs /proxies/NAME. Returns 0, or -1 with err ("the admin API answered
 * 400: ..."). */
int hx_change_apply(const hx_change_t *ch, const char *admin_url, const char *proxy_api, char *err, size_t errlen);

/* The report windows of the changes for a run of duration_s: each from its time to the next change of the same
 * deployment, or to the end. Returns their number (in c->windows). */
size_t hx_changes_windows(hx_changes_t *c, double duration_s);

#endif
