/* harness/capacity/find.h — `soak find`: the highest arrival rate at which every SLO holds (the knee), by the
 * search of search.h over probes of probe.h, reported as a table of every probe, the knee with its bracket,
 * JSON (--json) and an exit status usable as a CI gate (--require). Reference: docs/capacity.md.
 *
 * Its flags are its own (--slo, --start-rate, --max-rate, --min-rate, --repeats, --precision, --max-probes,
 * --probe-duration, --probe-warmup, --settle, --require, --json, --probe-reports) plus every `soak load` flag that says
 * what to send and how (--url, --api, --model, --body, --config, --threads, --max-inflight, ...), passed on to
 * each probe. The load flags that the search sets itself (--rate, --duration, --warmup) or that would write a
 * probe's reports (--jsonl, --junit, --html, --webhook) are refused with a reason. */
#ifndef HX_FIND_H
#define HX_FIND_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <signal.h>
#include <stdio.h>

#include "common/json.h"
#include "harness/config/config_sweep.h"
#include "harness/capacity/probe.h"
#include "harness/capacity/search.h"
#include "harness/run/runner.h"

/* The search's defaults and bounds (HX_FIND_*, HX_SEARCH_*) and a probe's (HX_CAP_*): config_find.h, where a
 * scenario's load.arrival.find reader finds them too. soak sweep's --rates and --saturation-users: HX_SWEEP_* in
 * config_sweep.h. */

/* soak find and soak sweep share their flags and probes (sweep.h). */
typedef enum hx_cap_cmd { HX_CAP_FIND, HX_CAP_SWEEP } hx_cap_cmd_t;

typedef struct hx_find_opts {
    hx_cap_cmd_t cmd;
    bool help;
    /* soak find --over users: the search is over closed-loop users (search.integer; its start, min and max
     * rates are user counts, and so is require); otherwise over the open-loop arrival rate. */
    bool over_users;
    hx_search_opts_t search;
    uint64_t duration_ns, warmup_ns;
    /* After a probe that left requests unanswered (aborted at the end of its drain), the target is likely still
     * serving a backlog that would slow the next probe: wait aborted / achieved rate seconds, at most this. */
    uint64_t settle_ns;
    bool require_set;
    double require; /* per second, or users with over_users */
    const char *json_path, *reports_dir;
    unsigned nrates;                    /* soak sweep: constant rates after the synchronous and throughput runs */
    uint32_t sat_users;                 /* soak sweep: users of the closed-loop throughput run */
    hx_expect_t slos[HX_FIND_MAX_SLOS]; /* --slo, then failure_rate<=1% unless one bounds failure_rate */
    size_t nslos;
    bool default_failure_slo; /* the last of slos was added by default */
    const char *load_args[HX_FIND_MAX_LOAD_ARGS];
    size_t nload_args;
    /* From the first build of the load (hx_find_parse): the seed every probe derives its own from, and what
     * the reports name. */
    uint64_t seed;
    char target[512], api[64], arrival_kind[16];
    bool poisson;
    /* soak run's sweep or search of a scenario (cap_scenario.c): how each probe gets the scenario and watches the
     * processes soak run started; NULL for soak find and soak sweep (their load flags say everything). */
    const hx_probe_hooks_t *hooks;
} hx_find_opts_t;

/* Parses `soak find` or `soak sweep` (argv[0] is "find" or "sweep") and builds the load once at the start rate
 * (sweep: also as its closed loop) to check every load flag. Returns 0, or -1 with a one-line message naming the
 * flag and the value in err. */
int hx_find_parse(int argc, char **argv, hx_find_opts_t *o, char *err, size_t errlen);
/* Sets the search's settings of o (axis, search, probes' length, warm-up and settle, require) from s: the flags'
 * (hx_find_parse) or a scenario's load.arrival.find (cap_scenario.c). */
void hx_find_apply(hx_find_opts_t *o, const hx_find_settings_t *s);
/* The plan every probe of o shares (open loop; the caller sets users for a closed loop). */
hx_probe_plan_t hx_find_plan(const hx_find_opts_t *o);
/* Creates --probe-reports DIR when o has one. Returns 0, or -1 with the reason printed on err_out. */
int hx_find_reports_dir(const hx_find_opts_t *o, FILE *err_out);
/* Blocks SIGINT and SIGTERM for a whole search or sweep (a signal between two probes then stops the next one
 * at once, instead of killing the process before its reports), and restores the mask after, dropping a
 * signal still pending. */
void hx_find_block_signals(sigset_t *sigs, sigset_t *old);
void hx_find_restore_signals(const sigset_t *sigs, const sigset_t *old);
/* After a probe that left requests unanswered, waits for the target to serve them (settle_ns). Returns 0, or
 * -1 when SIGINT or SIGTERM arrived meanwhile. */
int hx_find_settle(const hx_find_opts_t *o, const hx_probe_record_t *rec, FILE *err_out);
/* Writes the document of write_fn to path, saying so on err_out. Returns 0, or -1 with the error printed. */
int hx_find_write_file(const char *path, int (*write_fn)(FILE *, const void *), const void *arg, FILE *err_out);
/* Writes a page (sweep.html, find.html) as dir/name with hx_find_write_file, and names it on out ("report:
 * dir/name"). Returns 0, or -1 with the error printed. */
int hx_cap_write_page(const char *dir, const char *name, int (*write_fn)(FILE *, const void *), const void *arg,
                      FILE *out, FILE *err_out);

/* Runs the search: a line per probe on err_out as it ends, the table and the knee on out, the JSON file, and
 * with --probe-reports DIR the search's page DIR/find.html (linked on out: "report: DIR/find.html").
 * Returns HX_EXIT_PASS (with --require: the knee is at least RATE; without: some rate, or user count, met every SLO), HX_EXIT_FAIL (otherwise) or HX_EXIT_ERROR (a probe could not run,
 * interrupted, the JSON or the page not written). */
int hx_find_run(const hx_find_opts_t *o, FILE *out, FILE *err_out);

/* Runs the knee search of a scenario under soak run (load.arrival: {find: ...}; cap_scenario.c): its settings
 * from the file's keys, its SLOs from its expect: list, its JSON (find.json), probes' reports and page
 * (find.html) in the report directory. The hx_runner_opts_t.find of `soak run`. Returns as hx_find_run: without require, 0
 * when some probe met every expectation, as soak find without --require. */
int hx_cap_scenario_find(const hx_runner_env_t *env);

void hx_find_usage(FILE *out); /* soak help find */

/* The knee as reports state it (find_report.c). */
typedef struct hx_find_outcome {
    const hx_find_opts_t *opts;
    const hx_search_result_t *search;
    const hx_probe_record_t *runs; /* every run, in order */
    size_t nruns;
    bool complete; /* false: stopped by an error or an interrupt, the knee is what was known then */
    const hx_probe_series_t *series; /* each run's latency over time (as many as runs), or NULL */
} hx_find_outcome_t;

/* The knee: a rate, or a user count with --over users (0 when nothing passed). */
double hx_find_knee(const hx_find_outcome_t *f);
/* Successes per second at the knee: the lowest of its runs (NAN when nothing passed). */
double hx_find_knee_ok_rate(const hx_find_outcome_t *f);
/* Whether the gate (--require) passes; true without --require when some rate passed. */
bool hx_find_gate(const hx_find_outcome_t *f);
void hx_find_print_probe(FILE *out, const hx_find_opts_t *o, const hx_probe_record_t *rec);
/* The columns of a run (shared with soak sweep): a header whose first column is named first, a row with label
 * there, and a run's JSON object (with a "kind" member first unless kind is NULL). */
void hx_cap_header(FILE *out, const char *first);
void hx_cap_row(FILE *out, const char *label, const hx_probe_record_t *r);
void hx_cap_json_run(cm_jw_t *w, const char *kind, const hx_expect_t *slos, size_t nslos, const hx_probe_record_t *r);
/* A JSON document of soak find or soak sweep: opens it with schema_version, command, target, seed and slos; and
 * closes it, writes it to out and frees b (0, or -1 with errno). */
void hx_cap_json_open(cm_jw_t *w, const hx_find_opts_t *o);
int hx_cap_json_close(FILE *out, cm_jw_t *w, cm_buf_t *b);
void hx_find_table(FILE *out, const hx_find_outcome_t *f);
/* The lines under the table: the SLOs, the knee and, with --require, the gate. */
void hx_find_summary(FILE *out, const hx_find_outcome_t *f);
/* The search's page (cap_page.c), like the sweep's (sweep.h): the table of every probe linked to its reports
 * (probe-NNN-R.html beside it), the knee, and one chart per run. f->series must be set. Returns 0, or -1 with
 * errno on a write error. */
int hx_find_page(FILE *out, const hx_find_outcome_t *f);
#define HX_FIND_PAGE "find.html" /* its name in the reports directory */
/* Returns 0, or -1 with errno set on a write error. */
int hx_find_json(FILE *out, const hx_find_outcome_t *f);

#endif
