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

#define HX_RUN_MAX_SETS 64

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
} hx_runner_opts_t;

/* Parses `soak run` arguments (argv[0] is "run"). Returns 0, or -1 with a one-line message in err. */
int hx_runner_parse(int argc, char **argv, hx_runner_opts_t *o, char *err, size_t errlen);
void hx_runner_usage(FILE *out);

/* Runs (or, with o->check, only checks) the scenario. The final table and verdict go to out, progress and
 * diagnostics to err_out. Returns HX_EXIT_PASS, HX_EXIT_FAIL (or a detailed status, exitcode.h) or HX_EXIT_ERROR. */
int hx_runner_run(const hx_runner_opts_t *o, FILE *out, FILE *err_out);

#endif
