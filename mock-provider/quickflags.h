/* mock-provider/quickflags.h — turns the command line into an mp_config_t: either `--config FILE` (the
 * mock: section of a scenario) or one deployment described by quick flags (--listen, --ttft, --model...).
 * Process-wide flags (--threads, --keepalive-timeout, --max-body) apply in both cases.
 *
 * main.c only collects the raw strings (getopt_long) into mp_cli_t; everything that can be wrong about
 * them is checked here, so it is testable without spawning the binary. */
#ifndef MP_QUICKFLAGS_H
#define MP_QUICKFLAGS_H

#include <stdbool.h>
#include <stddef.h>

#include "mock-provider/config.h"

#define MP_CLI_MAX_LIST 64 /* --model / --api-key repetitions */

typedef struct mp_cli {
    /* process-wide; NULL when not given */
    const char *config;                /* --config FILE */
    const char *sets[MP_CLI_MAX_LIST]; /* --set PATH=VALUE overrides of the file, in order */
    size_t nsets;
    const char *threads, *keepalive_timeout, *max_body;
    const char *admin, *admin_token; /* --admin HOST:PORT, --admin-token SECRET (over mock.admin) */
    /* the quick deployment; NULL / 0 when not given */
    const char *name, *listen, *ttft, *itl, *prefill_per_token, *output_tokens, *content, *seed;
    const char *tokens_per_chunk;
    const char *models[MP_CLI_MAX_LIST];
    size_t nmodels;
    const char *api_keys[MP_CLI_MAX_LIST];
    size_t nkeys;
    bool tool_calls;
    const char *first_quick_flag; /* e.g. "listen": the first deployment flag seen (for the --config conflict) */
} mp_cli_t;

/* Builds c (initialised by the caller with mp_config_init) from cli. With cli->config the file is loaded,
 * the --set overrides applied to it (cm_conf_set), and deployment quick flags are an error (they would be
 * silently ambiguous); --set without --config is an error too. Without a file, one deployment
 * is built from the quick flags and defaults. Returns 0, or -1 with a one-line message in err (already
 * prefixed with file:line:col for file errors, or naming the flag). */
int mp_cli_build_config(const mp_cli_t *cli, mp_config_t *c, cm_err_t *err);

#endif
