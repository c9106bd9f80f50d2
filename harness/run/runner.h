/* harness/run/runner.h — `soak run SCENARIO.yaml`: one file runs a whole experiment, hermetically.
 *
 * In order: reads and checks the whole file (the load with the harness's reader, mock: with
 * `mock-provider --check`, services:); creates the report directory (report.dir, default
 * reports/{{name}}-{{time}}) with a logs/ folder; starts the services (each on a free port of its own), then
 * the mock deployments (every listen: port replaced by a free one), waiting for each to be ready; fills in
 * the placeholders of load.target; runs the load while watching every child; stops every child it started
 * (last started, first stopped), also after Ctrl-C, a failed start or a child that died; and returns the
 * verdict. A child that dies during the load stops it and fails the run, naming the child and quoting the
 * end of its log. */
#ifndef HX_RUNNER_H
#define HX_RUNNER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "harness/config/config.h"
#include "harness/run/cli.h"

#define HX_RUN_MAX_SETS 64

/* What soak run gives the sweep or the knee search of a scenario (load.arrival: {sweep: ...}, {find: ...}) once
 * the file's processes run. */
typedef struct hx_runner_env {
    const hx_cfg_t *cfg; /* the file's load, finished: seed, target, expect:, sweep or find, report_dir (made) */
    const char *file;
    hx_cli_load_fn load; /* a run's configuration: the file with what soak run filled in (its target, ...) */
    /* 0 while every process soak run started runs; -1 with why once one died (stops the run it watches) */
    int (*check)(void *ctx, uint64_t elapsed_ns, char *why, size_t whylen);
    void *ctx; /* of load and check */
    FILE *out, *err_out;
} hx_runner_env_t;
/* Runs the sweep or the search (harness/capacity: cap_scenario.c). Returns an exit status. */
typedef int (*hx_runner_capacity_fn)(const hx_runner_env_t *env);

typedef struct hx_runner_opts {
    const char *file;
    const char *duration, *seed, *report_dir, *exit_codes; /* overrides, as text; NULL when not given */
    const char *sets[HX_RUN_MAX_SETS];        /* --set PATH=VALUE */
    size_t nsets;
    const char *groups[HX_RUN_MAX_SETS]; /* --group NAME */
    size_t ngroups;
    const char *mock_provider; /* the mock-provider binary; NULL: SOAK_MOCK_PROVIDER, then next to soak, then PATH */
    const char *fault_proxy;   /* the fault-proxy binary; NULL: SOAK_FAULT_PROXY, then next to soak, then PATH */
    bool check, quiet, help;
    hx_runner_capacity_fn sweep; /* runs a scenario's sweep; NULL: such a scenario is refused */
    hx_runner_capacity_fn find;  /* runs a scenario's knee search; NULL: such a scenario is refused */
} hx_runner_opts_t;

/* Parses `soak run` arguments (argv[0] is "run"). Returns 0, or -1 with a one-line message in err. */
int hx_runner_parse(int argc, char **argv, hx_runner_opts_t *o, char *err, size_t errlen);
void hx_runner_usage(FILE *out);

/* Runs (or, with o->check, only checks) the scenario. The final table and verdict go to out, progress and
 * diagnostics to err_out. Returns HX_EXIT_PASS, HX_EXIT_FAIL (or a detailed status, exitcode.h) or HX_EXIT_ERROR. */
int hx_runner_run(const hx_runner_opts_t *o, FILE *out, FILE *err_out);

#endif
