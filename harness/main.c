/* soak — SoakRig's load generator. main only dispatches commands; everything else is in the library. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <curl/curl.h>
#include <event2/event.h>

#include "harness/capacity/find.h"
#include "harness/capacity/sweep.h"
#include "harness/run/cli.h"
#include "harness/run/run.h"
#include "harness/run/runner.h"

static void print_version(void)
{
    printf("soak %s (libcurl %s, libevent %s)\n", SOAK_VERSION, curl_version_info(CURLVERSION_NOW)->version,
           event_get_version());
}

static void print_check(const hx_cli_t *cli)
{
    const hx_cfg_t *c = &cli->cfg;
    char arr[512];
    if (!c->workload_built) {
        printf("%s: OK: %s\n", c->file, cli->check_note);
        return;
    }
    char dur[64];
    bool dflt = c->nexpects == 1 && c->expects[0].is_default;
    /* A sweep's or a search's runs set their own arrivals and lengths (the arrival is a stand-in for the check). */
    if (c->arrival_standin && hx_cfg_describe_capacity(c, arr, sizeof(arr)) != NULL) {
        dur[0] = '\0';
    } else {
        hx_arrival_describe(&c->arrival, arr, sizeof(arr));
        snprintf(dur, sizeof(dur), " for %.0fs", (double)c->duration_ns / 1e9);
    }
    printf("%s: OK: %s -> %s, %s%s, %zu request template%s, %zu expectation%s%s%s%s\n", c->file, c->name, c->target,
           arr, dur, c->workload.nreqs,
           c->workload.nreqs == 1 ? "" : "s", c->nexpects, c->nexpects == 1 ? "" : "s",
           dflt ? " (the default failure_rate <= " HX_DEFAULT_FAILURE_RATE_TEXT ")" : "",
           cli->check_note ? "; note: " : "", cli->check_note ? cli->check_note : "");
}

static int cmd_load(int argc, char **argv)
{
    hx_cli_t cli;
    char err[1200];
    int rc;
    if (hx_cli_parse_load(argc, argv, &cli, err, sizeof(err)) != 0) {
        fprintf(stderr, "soak load: %s\nTry 'soak help load'.\n", err);
        rc = HX_EXIT_ERROR;
    } else if (cli.help) {
        hx_cli_usage_load(stdout);
        rc = HX_EXIT_PASS;
    } else {
        if (hx_cli_has_run_sections(&cli))
            fprintf(stderr,
                    "soak load: note: the mock:, services:, proxies: and gateway: sections of %s are for "
                    "`soak run`; `soak load` does not start them\n",
                    cli.cfg.file);
        if (cli.check) {
            print_check(&cli);
            rc = HX_EXIT_PASS;
        } else {
            rc = hx_run(&cli.cfg, stdout, stderr);
        }
    }
    hx_cli_free(&cli);
    return rc;
}

static int cmd_run(int argc, char **argv)
{
    hx_runner_opts_t o;
    char err[512];
    if (hx_runner_parse(argc, argv, &o, err, sizeof(err)) != 0) {
        fprintf(stderr, "soak run: %s\nTry 'soak help run'.\n", err);
        return HX_EXIT_ERROR;
    }
    if (o.help) {
        hx_runner_usage(stdout);
        return HX_EXIT_PASS;
    }
    o.sweep = hx_cap_scenario_sweep; /* load.arrival: {sweep: ...} */
    o.find = hx_cap_scenario_find;   /* load.arrival: {find: ...} */
    return hx_runner_run(&o, stdout, stderr);
}

/* soak find and soak sweep: one parser, their own runs and usage texts. */
static int cmd_capacity(int argc, char **argv)
{
    bool sweep = strcmp(argv[0], "sweep") == 0;
    hx_find_opts_t *o = calloc(1, sizeof(*o)); /* it holds every SLO and the load's flags: not for the stack */
    char err[1400];
    int rc;
    if (o == NULL)
        return HX_EXIT_ERROR;
    if (hx_find_parse(argc, argv, o, err, sizeof(err)) != 0) {
        fprintf(stderr, "soak %s: %s\nTry 'soak help %s'.\n", argv[0], err, argv[0]);
        rc = HX_EXIT_ERROR;
    } else if (o->help) {
        (sweep ? hx_sweep_usage : hx_find_usage)(stdout);
        rc = HX_EXIT_PASS;
    } else {
        rc = sweep ? hx_sweep_run(o, stdout, stderr) : hx_find_run(o, stdout, stderr);
    }
    free(o);
    return rc;
}

static int cmd_help(int argc, char **argv)
{
    if (argc < 2) {
        hx_cli_usage(stdout);
        return HX_EXIT_PASS;
    }
    if (strcmp(argv[1], "load") == 0) {
        hx_cli_usage_load(stdout);
        return HX_EXIT_PASS;
    }
    if (strcmp(argv[1], "run") == 0) {
        hx_runner_usage(stdout);
        return HX_EXIT_PASS;
    }
    if (strcmp(argv[1], "find") == 0 || strcmp(argv[1], "sweep") == 0) {
        (strcmp(argv[1], "find") == 0 ? hx_find_usage : hx_sweep_usage)(stdout);
        return HX_EXIT_PASS;
    }
    fprintf(stderr, "soak help: unknown command \"%s\" (commands: run, load, find, sweep)\n", argv[1]);
    return HX_EXIT_ERROR;
}

int main(int argc, char **argv)
{
    const char *cmd = argc > 1 ? argv[1] : NULL;
    if (cmd == NULL) {
        hx_cli_usage(stderr);
        return HX_EXIT_ERROR;
    }
    if (strcmp(cmd, "--help") == 0 || strcmp(cmd, "-h") == 0) {
        hx_cli_usage(stdout);
        return HX_EXIT_PASS;
    }
    if (strcmp(cmd, "--version") == 0) {
        print_version();
        return HX_EXIT_PASS;
    }
    if (strcmp(cmd, "help") == 0)
        return cmd_help(argc - 1, argv + 1);
    if (strcmp(cmd, "load") == 0)
        return cmd_load(argc - 1, argv + 1);
    if (strcmp(cmd, "run") == 0)
        return cmd_run(argc - 1, argv + 1);
    if (strcmp(cmd, "find") == 0 || strcmp(cmd, "sweep") == 0)
        return cmd_capacity(argc - 1, argv + 1);
    if (strcmp(cmd, "serve") == 0) {
        fprintf(stderr, "soak: `soak %s` is not available yet; use `soak run` or `soak load`\n", cmd);
        return HX_EXIT_ERROR;
    }
    fprintf(stderr, "soak: unknown command \"%s\" (commands: run, load, find, sweep, help)\nTry 'soak --help'.\n", cmd);
    return HX_EXIT_ERROR;
}
