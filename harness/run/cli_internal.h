/* harness/run/cli_internal.h — what cli.c (reading `soak load`'s flags) and cli_apply.c (applying them over a
 * scenario file) share. Not part of the run library's interface. */
#ifndef HX_CLI_INTERNAL_H
#define HX_CLI_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>

#include "harness/config/config.h"
#include "harness/run/cli_http.h"

#define MAX_REPEAT_FLAG 64

/* The raw flags, kept as strings until the scenario file (if any) is loaded, so that flags override the
 * file whatever their order on the command line. */
typedef struct flags {
    const char *config, *url, *api, *rate, *duration, *users, *think, *spawn, *threads, *max_inflight, *timeout;
    const char *drain, *interval, *prompt, *repeat, *max_tokens, *user, *api_key, *seed, *json, *junit, *jsonl;
    const char *html, *webhook, *warmup, *cooldown, *exit_codes, *reasoning, *summary;
    const char *max_conn_requests, *max_conn_age;
    hx_http_flags_t http; /* --api http */
    bool stream, poisson, quiet, churn, check, help;
    const char *models[MAX_REPEAT_FLAG], *headers[MAX_REPEAT_FLAG], *expects[MAX_REPEAT_FLAG];
    const char *sets[MAX_REPEAT_FLAG], *groups[MAX_REPEAT_FLAG], *slos[MAX_REPEAT_FLAG];
    size_t nmodels, nheaders, nexpects, nsets, ngroups, nslos;
} flags_t;

/* Applies the flags f over c (a scenario file's values, or defaults): each flag replaces what the file says.
 * Returns 0, or -1 with a message naming the flag in err. */
int hx_cli_apply_flags(hx_cfg_t *c, const flags_t *f, char *err, size_t errlen);

#endif
