#include "harness/run/cli_http.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

int hx_cli_errf(char *err, size_t errlen, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err, errlen, fmt, ap);
    va_end(ap);
    return -1;
}

const char *hx_http_flags_first(const hx_http_flags_t *f)
{
    if (f->method)
        return "method";
    if (f->path)
        return "path";
    if (f->base)
        return "base";
    if (f->body)
        return "body";
    if (f->expect_status)
        return "expect-status";
    if (f->check_json)
        return "check-json";
    return f->contains ? "contains" : NULL;
}

int hx_http_flags_apply(hx_cfg_t *c, const hx_http_flags_t *f, bool llm_flags, hx_reqspec_t *s, char *err,
                        size_t errlen)
{
    char why[256];
    hx_method_t m;
    if (llm_flags)
        return hx_cli_errf(err, errlen,
                    "--api http sends its --body as written: --stream, --model, --prompt, --repeat, "
                    "--max-tokens and --user do not apply");
    if (f->method && hx_method_parse(f->method, &m) != 0)
        return hx_cli_errf(err, errlen, "--method \"%s\": expected one of " HX_METHOD_LIST, f->method);
    s->method = f->method ? (int)m : -1;
    if (f->path == NULL)
        return hx_cli_errf(err, errlen, "--api http needs --path (like /v1/models, or an http:// URL)");
    if (hx_http_check_path(f->path, why, sizeof(why)) != 0)
        return hx_cli_errf(err, errlen, "--path %s", why);
    s->path = hx_cfg_strdup(c, f->path);
    if (f->base && strcmp(f->base, "host") != 0 && strcmp(f->base, "api_base") != 0)
        return hx_cli_errf(err, errlen, "--base \"%s\": expected api_base or host", f->base);
    s->from_host = f->base && strcmp(f->base, "host") == 0;
    s->body = hx_cfg_strdup(c, f->body);
    if (f->expect_status) {
        hx_status_set_t *set = cm_arena_alloc(&c->arena, sizeof(*set));
        if (hx_status_set_parse(set, f->expect_status, why, sizeof(why)) != 0)
            return hx_cli_errf(err, errlen, "--expect-status %s", why);
        s->expect_status = set;
    }
    s->check_json = f->check_json;
    s->contains = hx_cfg_strdup(c, f->contains);
    return 0; /* the rest (a body's placeholders and size, HEAD with a body) is checked with the workload */
}
