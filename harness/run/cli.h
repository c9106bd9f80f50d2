/* harness/run/cli.h — `soak load` flags: parse_args() with defaults and cross-checks, and the usage texts.
 *
 * Flags are read first, then the scenario file (--config) if any, then the flags are applied on top of it,
 * then hx_cfg_finish applies defaults and cross-checks. Every error names the flag and the value. */
#ifndef HX_CLI_H
#define HX_CLI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "harness/config/config.h"

typedef struct hx_cli {
    bool help;  /* --help given: print hx_cli_usage_load and exit 0 */
    bool check; /* --check: validate and exit */
    /* --check only: why part of the file was not checked as a runnable load ("no load: section", "no
     * target"), NULL when everything was. cfg is then not finished. */
    const char *check_note;
    hx_cfg_t cfg;
} hx_cli_t;

/* Parses the arguments of `soak load` (argv[0] is "load"). On success cli->cfg is finished and ready to
 * run (unless cli->help, or cli->check_note under --check: a file without a load: section, which only other
 * commands use, and a file without a target, which --url supplies at run time, still pass --check). Returns 0, or -1
 * with a one-line message in err; cli is always safe to free. Uses getopt_long, so it resets getopt's global state
 * first. */
int hx_cli_parse_load(int argc, char **argv, hx_cli_t *cli, char *err, size_t errlen);
/* The same, with the scenario read by load(ctx, &cli->cfg, err, errlen) in place of --config (which argv must
 * not have): `soak run` gives its sweep's runs the file it read, with its placeholders filled in. */
typedef int (*hx_cli_load_fn)(void *ctx, hx_cfg_t *c, char *err, size_t errlen);
int hx_cli_parse_load_from(int argc, char **argv, hx_cli_load_fn load, void *ctx, hx_cli_t *cli, char *err,
                           size_t errlen);
void hx_cli_free(hx_cli_t *cli);
/* Whether the len bytes at name (without the leading "--") are a `soak load` flag: 0 with *takes_value set, or
 * -1. `soak find` passes such flags on to its probes. */
int hx_cli_load_flag(const char *name, size_t len, bool *takes_value);

/* True when the configuration read from a file has sections `soak load` does not use (mock:, gateway:). */
bool hx_cli_has_run_sections(const hx_cli_t *cli);

void hx_cli_usage(FILE *out);      /* soak --help */
void hx_cli_usage_load(FILE *out); /* soak help load */

#endif
