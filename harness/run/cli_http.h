/* harness/run/cli_http.h — the `soak load` flags of the generic request kind (--api http): --method, --path,
 * --base, --body, --expect-status, --check-json and --contains (cli.c reads them, this file applies them). */
#ifndef HX_CLI_HTTP_H
#define HX_CLI_HTTP_H

#include <stdbool.h>
#include <stddef.h>

#include "harness/config/config.h"

typedef struct hx_http_flags {
    const char *method, *path, *base, *body, *expect_status, *contains; /* as given, NULL when absent */
    bool check_json;
} hx_http_flags_t;

/* The name of the first flag given ("path"), or NULL when none is. */
const char *hx_http_flags_first(const hx_http_flags_t *f);
/* Fills the api: http fields of template s from f (strings copied into c's arena). llm_flags: an LLM-only
 * flag (--stream, --model, --prompt, ...) was given too, which is an error. Returns 0, or -1 with a message
 * naming the flag in err. A body's placeholders and size, and HEAD with a body, are checked with the workload
 * (hx_cfg_finish). */
int hx_http_flags_apply(hx_cfg_t *c, const hx_http_flags_t *f, bool llm_flags, hx_reqspec_t *s, char *err,
                        size_t errlen);

/* Writes the formatted message into err and returns -1: the flags' error path (cli.c and cli_http.c). */
int hx_cli_errf(char *err, size_t errlen, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

#endif
