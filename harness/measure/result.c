/* harness/measure/result.c — the stable names of the error taxonomy.
 *
 * The names are part of the JSON summary, the JSONL series, JUnit and the expectation syntax, so they never
 * change once released; the table is indexed by hx_err_t and checked against HX_ERR__COUNT at compile time. */
#include "harness/measure/result.h"

#include <string.h>

static const char *const err_names[] = {
    [HX_ERR_NONE] = "none",
    [HX_ERR_HTTP_4XX] = "http_4xx",
    [HX_ERR_HTTP_429] = "http_429",
    [HX_ERR_HTTP_5XX] = "http_5xx",
    [HX_ERR_HTTP_OTHER] = "http_other",
    [HX_ERR_CONNECT_REFUSED] = "connect_refused",
    [HX_ERR_CONNECT_TIMEOUT] = "connect_timeout",
    [HX_ERR_RESET] = "reset",
    [HX_ERR_TIMEOUT] = "timeout",
    [HX_ERR_CLIENT_CLOSED] = "client_closed",
    [HX_ERR_STREAM_NO_DONE] = "stream_no_done",
    [HX_ERR_STREAM_TRUNCATED] = "stream_truncated",
    [HX_ERR_STREAM_ERROR] = "stream_error",
    [HX_ERR_STREAM_PARSE] = "stream_parse",
    [HX_ERR_BAD_BODY] = "bad_body",
    [HX_ERR_OTHER] = "other",
    [HX_ERR_DROPPED] = "dropped",
    [HX_ERR_CLIENT_SETUP] = "client_setup",
};

_Static_assert(sizeof(err_names) / sizeof(err_names[0]) == HX_ERR__COUNT, "every hx_err_t needs a name");

const char *hx_err_name(hx_err_t e)
{
    /* An out-of-range value can only come from a bug or memory corruption; naming it "other" keeps
     * reports readable instead of crashing on a NULL name. */
    if ((unsigned)e >= HX_ERR__COUNT)
        return err_names[HX_ERR_OTHER];
    return err_names[e];
}

int hx_err_parse(const char *name, hx_err_t *out)
{
    if (name == NULL)
        return -1;
    for (unsigned i = 0; i < HX_ERR__COUNT; i++) {
        if (strcmp(name, err_names[i]) == 0) {
            *out = (hx_err_t)i;
            return 0;
        }
    }
    return -1;
}
