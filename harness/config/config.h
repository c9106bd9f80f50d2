/* harness/config/config.h — everything one `soak load` run needs, from a scenario file, flags, or both.
 *
 * A scenario file's top-level keys are name, seed, duration, mock, services, proxies, gateway, load, expect,
 * slo and report; `soak load` reads name, seed, duration, load, expect, slo and report (mock:, services:, proxies:
 * and gateway: belong to `soak run` and are only noted). The load: section:
 *
 *   load:
 *     target: http://127.0.0.1:8080/v1        # an api_base; --url overrides
 *     arrival: {constant: 1174/s}             # | {poisson: R} | {ramp: {from, to, over}}
 *                                             # | {step: [{rate, for}, ...]} | {users: N, spawn: R, think: D}
 *                                             # | {sweep: {rates, saturation_users, ...}}: soak run runs a
 *                                             #   sweep instead of one load (config_sweep.h)
 *                                             # | {find: {start_rate, require, ...}}: soak run runs soak
 *                                             #   find's knee search (config_find.h)
 *     requests: [{weight, api, model, stream, include_usage, prompt, repeat, input, max_tokens, user,
 *                 headers, api_key, name}]       # api: http: {weight, api, method, path, base, headers, body,
 *                                             #   expect_status, json, contains, api_key, name}
 *     groups: [{name, arrival, requests, connections}]  # instead of arrival and requests: mixes at their
 *                                             #   own rates (connections: a pool of the group's own)
 *     threads: 1
 *     max_inflight: 10000
 *     timeout: 60s
 *     drain: 2s
 *     interval: 1s
 *     connections: {max_requests: 0, max_age: 0s, churn: false}
 *     phases: [{name: warm-up, duration: 10s, exclude: true, arrival: {ramp: ...}}, {name: steady, duration: 60s}]
 *     warmup: 10s                             # or 10%; with cooldown, instead of phases
 *     headers: {X-Team: soak}                 # or ["X-Team: soak"]
 *     api_key: sk-1234
 *   report: {dir: "reports/{{name}}-{{time}}", formats: [json, jsonl, junit, html]}
 *
 * Loading fills an hx_cfg_t with the file's values; flags are applied on top (cli.c); hx_cfg_finish then
 * applies defaults, cross-checks and compiles the workload. */
#ifndef HX_CONFIG_H
#define HX_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/alloc.h"
#include "common/config.h"
#include "harness/config/config_find.h"
#include "harness/config/config_sweep.h"
#include "harness/engine/arrival.h"
#include "harness/measure/slo.h"
#include "harness/measure/verdict.h"
#include "harness/engine/router.h"
#include "harness/engine/workload.h"
#include "harness/report/svg.h"

typedef enum hx_format {
    HX_FMT_JSON = 1,
    HX_FMT_JSONL = 2,
    HX_FMT_JUNIT = 4,
    HX_FMT_HTML = 8,
} hx_format_t;
/* What a report directory holds when report.formats is not given. */
#define HX_FMT_DEFAULT (HX_FMT_JSON | HX_FMT_JSONL | HX_FMT_JUNIT | HX_FMT_HTML)

#define HX_DEFAULT_DURATION_NS (30ull * 1000000000ull)
#define HX_DEFAULT_MAX_INFLIGHT 10000u
#define HX_DEFAULT_TIMEOUT_NS (60ull * 1000000000ull)
#define HX_DEFAULT_DRAIN_NS (2ull * 1000000000ull)
#define HX_DEFAULT_INTERVAL_NS (1000000000ull)
#define HX_MAX_THREADS 256u
/* The longest duration, ramp `over`, step `for`, drain, timeout and interval a run accepts: a year. It keeps
 * start + duration + drain, and every deadline derived from them, far from 2^64 ns (584 years), where the
 * arithmetic would wrap into the past. Longer values are configuration errors. */
#define HX_MAX_DURATION_NS (365ull * 86400ull * 1000000000ull)

/* start + d in ns, saturating at UINT64_MAX: a deadline that would overflow is never reached rather than
 * wrapping to a time already past. */
static inline uint64_t hx_deadline_ns(uint64_t start, uint64_t d)
{
    return d > UINT64_MAX - start ? UINT64_MAX : start + d;
}
/* Defaults of a request template (flags and files alike). */
#define HX_DEFAULT_API "openai.chat"
#define HX_DEFAULT_MODEL "gpt-4o-mini"
#define HX_DEFAULT_PROMPT "{{uuid}} This is a SoakRig load test."

/* A group of load.groups: its own arrival and its own templates, cfg->reqs[first_req, first_req + nreqs). */
#define HX_MAX_GROUPS 8
typedef struct hx_group {
    char name[HX_PHASE_NAME_MAX];
    hx_arrival_t arrival; /* open loop */
    uint32_t first_req, nreqs;
    bool enabled;          /* --group leaves the others out */
    bool own_pool;         /* connections: given: the group's requests use a connection pool of their own */
    hx_conn_policy_t conn; /* with this policy */
} hx_group_t;

/* An api: http path with placeholders, as written (config_http.c). */
typedef struct hx_path_tmpl {
    size_t req;        /* index in reqs */
    const char *text;  /* the path as written */
    const char *where; /* its key ("load.groups[1].requests[0].path") */
    const struct cm_node *node;
} hx_path_tmpl_t;

/* load.warmup / load.cooldown (and --warmup / --cooldown): a duration, a share of the run (frac > 0), or
 * (warm-up only) a count of requests (count > 0: the first `count` requests, excluded one by one). */
typedef struct hx_edge {
    uint64_t ns;
    double frac;
    uint64_t count;
    bool set;
} hx_edge_t;

/* A warm-up by count is at most a billion requests (a day at more than 10,000/s). */
#define HX_MAX_WARMUP_REQUESTS 1000000000ull

typedef struct hx_cfg {
    cm_arena_t arena; /* owns every string and array below except expects and workload */
    const char *file; /* scenario path, NULL for a flag-only run */
    const char *name; /* scenario name; "load" when none */
    uint64_t seed;
    bool seed_set;                     /* else hx_cfg_finish draws one from the OS (printed in every report) */
    uint64_t duration_ns;              /* 0: default (30 s; ramp: its `over`; step: the sum of its steps) */
    const char *target;                /* api_base URL */
    const char *target_err;            /* set when the file's target is not a URL ("gateway"): raised unless --url */
    const char *target_template;       /* that target as written ("{{deployments.a.url}}"), for `soak run` */
    const struct cm_node *target_node; /* where it is written (valid while the file's cm_conf_t lives) */
    /* Several targets (a list of URLs, or `soak run`'s deployments): the router spreads the load over them
     * (harness/engine/router.h). ntargets 0 means the one target above. */
    const char **targets;
    size_t ntargets;
    bool target_deployments; /* load.target: deployments (filled in by `soak run`) */
    hx_router_cfg_t router;
    hx_arrival_t arrival;
    bool arrival_set;
    hx_sweep_cfg_t sweep; /* load.arrival: {sweep: ...} (then arrival_set stays false: each run sets its own) */
    hx_find_cfg_t find;   /* load.arrival: {find: ...} (likewise: each probe sets its own) */
    bool arrival_standin; /* arrival is hx_cfg_capacity_standin's, for a check of a sweep's or a search's file */
    hx_reqspec_t *reqs;
    size_t nreqs;
    uint32_t threads;                           /* 0: default 1 */
    uint32_t max_inflight;                      /* 0: default */
    uint64_t timeout_ns, drain_ns, interval_ns; /* 0 with *_set false: default */
    bool drain_set;
    hx_conn_policy_t conn;      /* load.connections: the run's pool (groups without their own) */
    const char **headers;       /* "Name: value", for every request */
    size_t nheaders;
    const char *api_key;  /* default key for every request */
    /* load.phases, or the warm-up / steady / cool-down made from warmup and cooldown (phases_from_edges);
     * laid out on the run's clock by hx_cfg_finish. n == 0: the run is one span. */
    hx_phases_t phases;
    bool phases_from_edges;
    /* A phase's own arrival (phases[i].arrival). When any phase has one, hx_cfg_finish makes `arrival` a phased
     * arrival over segs (one per phase: its own arrival, or base_arrival, the load's). */
    hx_arrival_t phase_arrival[HX_MAX_PHASES];
    bool phase_arrival_set[HX_MAX_PHASES];
    hx_arrival_seg_t segs[HX_MAX_PHASES];
    hx_arrival_t base_arrival;
    hx_edge_t warmup, cooldown;
    uint64_t warmup_requests; /* warmup as a count (warmup.count), 0 otherwise: no warm-up phase then */
    /* load.groups (groups_set), or after hx_cfg_finish the one implicit group "load" (load.arrival and every
     * template): the engine runs each enabled group's arrival with its own templates. */
    hx_group_t groups[HX_MAX_GROUPS];
    size_t ngroups;
    bool groups_set;
    size_t skipped_expects; /* expectations on groups --group left out, not judged */
    /* api: http paths written with scenario placeholders ("{{mock.admin.url}}/deployments"): `soak run` fills
     * them in (reqs[req].path) once the mock runs; until then path_err (the first one's position) fails
     * hx_cfg_finish, as target_err does. */
    hx_path_tmpl_t *path_tmpls;
    size_t npath_tmpls;
    const char *path_err;
    hx_expect_t *expects; /* malloc'd */
    size_t nexpects;
    bool expect_set;         /* the file has an expect: key; without one (and no --expect) the run gets the default */
    hx_slo_t *slos;          /* slo: and --slo (malloc'd): what makes a request good (goodput) */
    size_t nslos;
    const char *report_dir;  /* template: {{name}}, {{time}}, {{seed}} */
    unsigned report_formats; /* hx_format_t bits, for report_dir */
    const char *webhook_url; /* report.webhook / --webhook: POSTed to at the end of the run, or NULL */
    const char *json_path, *jsonl_path, *junit_path, *html_path; /* explicit files (flags) */
    /* Spans shaded on the HTML report's charts (fault windows). Not read from files: `soak run` fills them
     * from its timed changes; the array must outlive the run. NULL/0: none. */
    const hx_report_window_t *report_windows;
    size_t nreport_windows;
    bool quiet;
    bool exit_codes_detailed;   /* report.exit_codes / --exit-codes detailed: a status per failed class (exitcode.h) */
    bool has_mock, has_gateway; /* the file has sections for `soak run` (has_gateway: also services:, proxies:) */
    bool has_load;              /* the file has a load: section */
    hx_workload_t workload;     /* built by hx_cfg_finish */
    bool workload_built;
} hx_cfg_t;

void hx_cfg_init(hx_cfg_t *c);
void hx_cfg_free(hx_cfg_t *c);
/* A copy of s in c's arena (NULL stays NULL). */
const char *hx_cfg_strdup(hx_cfg_t *c, const char *s);

/* Reads a scenario document into c. Errors are "file:line:col: path: message" in err. */
int hx_cfg_load(hx_cfg_t *c, const cm_conf_t *conf, cm_err_t *err);
/* Reads the load.requests sequence n into c->reqs (used by hx_cfg_load). */
int hx_cfg_load_requests(hx_cfg_t *c, const cm_conf_t *conf, const cm_node_t *n, cm_err_t *err);
/* load.groups (config_groups.c): read (after the templates of the file, instead of load.arrival and
 * load.requests), looked up by name, chosen by --group (NAMES of the groups to run; the others are left out
 * with their expectations), finished by hx_cfg_finish (the implicit group when there are none). */
int hx_cfg_load_groups(hx_cfg_t *c, const cm_conf_t *conf, const cm_node_t *load, cm_err_t *err);
int hx_cfg_group_find(const hx_cfg_t *c, const char *name);
int hx_cfg_select_groups(hx_cfg_t *c, const char *const *names, size_t n, char *err, size_t errlen);
int hx_cfg_finish_groups(hx_cfg_t *c, char *err, size_t errlen);
/* The run's arrival in words (each enabled group's, when it has groups), and its expected arrivals in [0, t). */
char *hx_cfg_describe_arrival(const hx_cfg_t *c, char *buf, size_t n);
double hx_cfg_expected_arrivals(const hx_cfg_t *c, uint64_t t_ns);
/* Appends the request templates of the list n (named path in errors) to c->reqs. */
int hx_cfg_append_requests(hx_cfg_t *c, const cm_conf_t *conf, const cm_node_t *n, const char *path, cm_err_t *err);
/* A scenario whose load is a capacity command, load.arrival: {sweep: ...} or {find: ...} (config_capacity.c):
 * many short runs, each with its own arrival, length and warm-up, run by `soak run` instead of one load.
 *
 * hx_cfg_capacity: its key ("sweep", "find") with *noun what messages call it ("sweep", "knee search"); NULL
 * (and *noun NULL) for any other load. */
const char *hx_cfg_capacity(const hx_cfg_t *c, const char **noun);
/* Such a load in words for --check ("a sweep (a synchronous run, ...)", "a knee search (over users from 8 ...)"),
 * into buf; NULL for any other load. */
char *hx_cfg_describe_capacity(const hx_cfg_t *c, char *buf, size_t n);
/* load.arrival at v: an arrival (hx_cfg_read_arrival; arrival_set), or a capacity command's section (c->sweep,
 * c->find), which goes alone there. Returns 0, or -1 with err. */
int hx_cfg_load_arrival(hx_cfg_t *c, const cm_conf_t *conf, const cm_node_t *v, cm_err_t *err);
/* Its cross-checks against the rest of the file: phases, a warm-up, the duration, timed changes and report
 * formats are refused where written, with the reason; so are more expectations than it judges a run on, and
 * users the load cannot hold (a sweep's saturation_users, a search's max_users, above load.max_inflight; a
 * search's min_users below load.threads). 0 for any other load. */
int hx_cfg_check_capacity(const hx_cfg_t *c, const cm_conf_t *conf, cm_err_t *err);
/* Such a file has no arrival of its own: this gives it a stand-in (a sweep: one user, its synchronous run; a
 * search: its first probe's arrival) so that hx_cfg_finish checks the rest of the load (`soak run` before it
 * starts, --check). Nothing for any other load, or when an arrival was set (a flag). */
void hx_cfg_capacity_standin(hx_cfg_t *c);
/* Reads an arrival map ({constant: R} | {poisson: R} | {ramp: ...} | {step: [...]} | {users: N, ...}) at n. */
int hx_cfg_read_arrival(const cm_conf_t *conf, const cm_node_t *n, const char *path, hx_arrival_t *a, cm_err_t *err);
/* A phase's or a group's name at node n (what: "phase", "group"): 1 to HX_PHASE_NAME_MAX - 1 letters, digits,
 * '-' or '_', not taken already. Returns 0, or -1 with err. */
int hx_cfg_check_name(const cm_conf_t *conf, const cm_node_t *n, const char *path, const char *what, const char *s,
                      bool taken, cm_err_t *err);
/* Reads load.phases, or load.warmup and load.cooldown, of the load: map n into c->phases (names now,
 * durations laid out by hx_cfg_finish). */
int hx_cfg_load_phases(hx_cfg_t *c, const cm_conf_t *conf, const cm_node_t *n, cm_err_t *err);
/* A warm-up or cool-down as written: "10s", "10%" or, when count is allowed (a warm-up), "500req". Returns 0
 * or -1 with a reason. */
int hx_edge_parse(const char *s, bool count, hx_edge_t *e, char *err, size_t errlen);
/* --warmup / --cooldown (either may be NULL or unset): the phases warm-up (excluded), steady and cool-down
 * (excluded); a warm-up by count makes no phase (warmup_requests), so without a cool-down the run has none.
 * Fails when the file has load.phases of its own. Returns 0 or -1 with a reason. */
int hx_cfg_set_edges(hx_cfg_t *c, const hx_edge_t *warmup, const hx_edge_t *cooldown, char *err, size_t errlen);
/* Whether every phase of load.phases has its own arrival (then load.arrival may be left out). */
bool hx_cfg_phases_cover_arrival(const hx_cfg_t *c);
/* Part of hx_cfg_finish: sizes the edge phases, lays every phase out on the run's clock, and makes the
 * run's arrival phased when a phase has its own. */
int hx_cfg_finish_phases(hx_cfg_t *c, char *err, size_t errlen);
/* Reads a connections: map (load.connections, load.groups[].connections) at path into pol. */
int hx_cfg_load_connections(const cm_conf_t *conf, const cm_node_t *n, const char *path, hx_conn_policy_t *pol,
                            cm_err_t *err);
/* Reads the keys of an `api: http` template `it` at path into s (config_http.c); the keys were checked. */
int hx_cfg_load_http(hx_cfg_t *c, const cm_conf_t *conf, const cm_node_t *it, const char *path, hx_reqspec_t *s,
                     cm_err_t *err);
/* Reads headers written as a map ({X-Team: soak}) or a list of "Name: value" lines into c's arena. */
int hx_cfg_load_headers(hx_cfg_t *c, const cm_conf_t *conf, const cm_node_t *n, const char *path, const char ***out,
                        size_t *count, cm_err_t *err);
/* Fills s with the template defaults: HX_DEFAULT_API, HX_DEFAULT_MODEL, HX_DEFAULT_PROMPT, weight 1,
 * repeat 1, no max_tokens, include_usage on when streaming. */
void hx_reqspec_defaults(hx_reqspec_t *s);
/* cm_conf_load_file, then the nsets `--set PATH=VALUE` overrides (cm_conf_set), then hx_cfg_load. */
int hx_cfg_load_file(hx_cfg_t *c, const char *path, const char *const *sets, size_t nsets, cm_err_t *err);

/* Checks a target URL ("http://127.0.0.1:8080/v1"); returns 0 or -1 with a reason. */
int hx_cfg_check_url(const char *url, char *err, size_t errlen);
/* Checks a webhook URL (http:// or https://, at most 2048 bytes, no spaces). Returns 0 or -1 with a reason. */
int hx_cfg_check_webhook(const char *url, char *err, size_t errlen);
/* Checks a report dir template's placeholders. */
int hx_cfg_check_dir(const char *dir, char *err, size_t errlen);

/* Applies defaults and cross-checks (a target is set, users <= max_inflight, threads <= users, durations up
 * to HX_MAX_DURATION_NS, ...), then compiles the workload. A run with no expectation and no expect: key gets
 * the default one (hx_expect_default). Returns 0 or -1 with a one-line reason in err. */
int hx_cfg_finish(hx_cfg_t *c, char *err, size_t errlen);
/* Compiles (again) the workload from reqs, for hx_cfg_finish and after `soak run` filled in request paths. */
int hx_cfg_build_workload(hx_cfg_t *c, char *err, size_t errlen);

/* The planned duration after hx_cfg_finish. */
uint64_t hx_cfg_duration(const hx_cfg_t *c);

#endif
