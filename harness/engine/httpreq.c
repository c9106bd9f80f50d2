#include "harness/engine/httpreq.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/alloc.h"
#include "harness/engine/workload.h"

/* The reasons below name the cap. */
_Static_assert(HX_HTTP_RESPONSE_KEEP == (1u << 20), "the messages say 1 MiB");

static const char *const method_names[] = {
    [HX_METHOD_GET] = "GET",         [HX_METHOD_POST] = "POST",     [HX_METHOD_PUT] = "PUT",
    [HX_METHOD_PATCH] = "PATCH",     [HX_METHOD_DELETE] = "DELETE", [HX_METHOD_HEAD] = "HEAD",
    [HX_METHOD_OPTIONS] = "OPTIONS",
};

int hx_method_parse(const char *s, hx_method_t *out)
{
    for (size_t i = 0; i < sizeof(method_names) / sizeof(method_names[0]); i++) {
        if (strcmp(s, method_names[i]) == 0) {
            *out = (hx_method_t)i;
            return 0;
        }
    }
    return -1;
}

const char *hx_method_name(hx_method_t m)
{
    return (unsigned)m < sizeof(method_names) / sizeof(method_names[0]) ? method_names[m] : "?";
}

/* ---- statuses --------------------------------------------------------------------------------------- */

static void set_range(hx_status_set_t *s, int lo, int hi)
{
    for (int i = lo; i <= hi; i++)
        s->bits[i / 64] |= (uint64_t)1 << (i % 64);
}

void hx_status_set_default(hx_status_set_t *s)
{
    memset(s, 0, sizeof(*s));
    set_range(s, 200, 299);
}

/* A status of exactly three digits from 100 to 599 spanning [p, p + n). */
static int parse_status(const char *p, size_t n, int *out)
{
    if (n != 3)
        return -1;
    int v = 0;
    for (size_t i = 0; i < 3; i++) {
        if (p[i] < '0' || p[i] > '9')
            return -1;
        v = v * 10 + (p[i] - '0');
    }
    if (v < 100 || v > 599)
        return -1;
    *out = v;
    return 0;
}

int hx_status_set_add(hx_status_set_t *s, const char *item, char *err, size_t errlen)
{
    size_t n = strlen(item);
    int lo, hi;
    if (s->nitems >= HX_HTTP_STATUS_ITEMS_MAX) {
        snprintf(err, errlen, "more than %d statuses or ranges", HX_HTTP_STATUS_ITEMS_MAX);
        return -1;
    }
    const char *dash = memchr(item, '-', n);
    if (n == 3 && (item[1] == 'x' || item[1] == 'X') && (item[2] == 'x' || item[2] == 'X') && item[0] >= '1' &&
        item[0] <= '5') {
        lo = (item[0] - '0') * 100;
        hi = lo + 99;
    } else if (dash != NULL) {
        size_t left = (size_t)(dash - item);
        if (parse_status(item, left, &lo) != 0 || parse_status(dash + 1, n - left - 1, &hi) != 0 || lo > hi)
            goto bad;
    } else if (parse_status(item, n, &lo) == 0) {
        hi = lo;
    } else {
        goto bad;
    }
    set_range(s, lo, hi);
    s->nitems++;
    return 0;
bad:
    snprintf(err, errlen, "\"%.40s\": expected a status from 100 to 599, a range like 200-299 or a class like 2xx",
             item);
    return -1;
}

int hx_status_set_parse(hx_status_set_t *s, const char *list, char *err, size_t errlen)
{
    memset(s, 0, sizeof(*s));
    const char *p = list;
    for (;;) {
        size_t n = strcspn(p, ",");
        char item[16];
        while (n > 0 && *p == ' ') {
            p++;
            n--;
        }
        size_t m = n;
        while (m > 0 && p[m - 1] == ' ')
            m--;
        if (m == 0 || m >= sizeof(item)) {
            snprintf(err, errlen, "\"%.40s\": expected statuses or ranges separated by commas (200-299,404)", list);
            return -1;
        }
        memcpy(item, p, m);
        item[m] = '\0';
        if (hx_status_set_add(s, item, err, errlen) != 0)
            return -1;
        if (p[n] == '\0')
            return 0;
        p += n + 1;
    }
}

/* ---- paths ------------------------------------------------------------------------------------------ */

int hx_http_check_path(const char *path, char *err, size_t errlen)
{
    size_t n = strlen(path);
    bool absolute = strncmp(path, "http://", 7) == 0 || strncmp(path, "https://", 8) == 0;
    if (n > HX_HTTP_PATH_MAX) {
        snprintf(err, errlen, "%zu bytes (at most %d)", n, HX_HTTP_PATH_MAX);
        return -1;
    }
    if (!absolute && path[0] != '/') {
        snprintf(err, errlen, "\"%.80s\": expected a path starting with / or an http:// or https:// URL", path);
        return -1;
    }
    if (absolute) {
        const char *host = path + (path[4] == 's' ? 8 : 7);
        if (*host == '\0' || *host == '/' || *host == ':' || *host == '?') {
            snprintf(err, errlen, "\"%.80s\" has no host", path);
            return -1;
        }
    }
    for (const char *p = path; *p; p++) {
        if ((unsigned char)*p <= ' ' || *p == 127 || *p == '#') {
            snprintf(err, errlen, "\"%.80s\": no space, control character or fragment (#) allowed", path);
            return -1;
        }
    }
    if (strstr(path, "{{") != NULL) {
        snprintf(err, errlen, "\"%.80s\": a path takes no placeholders (the URL is prepared once per target)", path);
        return -1;
    }
    return 0;
}

/* ---- response checks -------------------------------------------------------------------------------- */

hx_err_t hx_http_check_body(const hx_http_t *h, const char *body, size_t len, bool over, cm_json_toks_t *toks,
                            const char **why)
{
    *why = NULL;
    if (h->contains != NULL && (len < h->contains_len || memmem(body, len, h->contains, h->contains_len) == NULL)) {
        *why = over ? "the body's first 1 MiB (the part kept) does not contain the expected text"
                    : "the body does not contain the expected text";
        return HX_ERR_BAD_BODY;
    }
    if (h->check_json) {
        cm_json_doc_t doc;
        char tmp[128];
        if (over) {
            *why = "the body is over the 1 MiB kept for checks, so it cannot be checked as JSON";
            return HX_ERR_BAD_BODY;
        }
        if (cm_json_parse(&doc, body, len, toks, tmp, sizeof(tmp)) != 0) {
            *why = "the body is not JSON";
            return HX_ERR_BAD_BODY;
        }
    }
    return HX_ERR_NONE;
}

/* ---- compiling a template --------------------------------------------------------------------------- */

const char *hx_http_only_field(const hx_reqspec_t *s)
{
    if (s->method >= 0)
        return "method";
    if (s->path != NULL)
        return "path";
    if (s->from_host)
        return "base";
    if (s->body != NULL)
        return "body";
    if (s->expect_status != NULL)
        return "expect_status";
    if (s->check_json)
        return "json";
    return s->contains != NULL ? "contains" : NULL;
}

/* The LLM fields an api: http template must leave alone (their defaults are allowed). */
static const char *llm_field(const hx_reqspec_t *s)
{
    if (s->stream)
        return "stream";
    if (s->input != NULL)
        return "input";
    if (s->max_tokens >= 0)
        return "max_tokens";
    if (s->user != NULL)
        return "user";
    return s->repeat > 1 ? "repeat" : NULL;
}

static int compile_body(hx_http_t *h, const char *src, char *err, size_t errlen)
{
    char why[256];
    size_t n = strlen(src);
    if (n > HX_HTTP_BODY_MAX) {
        snprintf(err, errlen, "body: %zu bytes (at most %u)", n, HX_HTTP_BODY_MAX);
        return -1;
    }
    if (hx_tmpl_compile_raw(&h->body, src, why, sizeof(why)) != 0) {
        snprintf(err, errlen, "body: %s", why);
        return -1;
    }
    h->has_body = true;
    if (hx_tmpl_max_len(&h->body) > HX_HTTP_BODY_MAX) {
        snprintf(err, errlen, "body: renders up to %zu bytes (at most %u)", hx_tmpl_max_len(&h->body),
                 HX_HTTP_BODY_MAX);
        return -1;
    }
    return 0;
}

static int check_fields(const hx_reqspec_t *s, char *err, size_t errlen)
{
    char why[256];
    const char *f = llm_field(s);
    if (f != NULL) {
        snprintf(err, errlen, "%s: not for api: http (it sends the body as written)", f);
        return -1;
    }
    if (s->path == NULL) {
        snprintf(err, errlen, "path: missing (api: http needs a path like /v1/models or an http:// URL)");
        return -1;
    }
    if (hx_http_check_path(s->path, why, sizeof(why)) != 0) {
        snprintf(err, errlen, "path: %s", why);
        return -1;
    }
    if (s->from_host && strncmp(s->path, "/", 1) != 0) {
        snprintf(err, errlen, "base: host goes with a path starting with /, not a whole URL");
        return -1;
    }
    if (s->method == HX_METHOD_HEAD && s->body != NULL) {
        snprintf(err, errlen, "body: HEAD sends no body");
        return -1;
    }
    if (s->contains != NULL && (s->contains[0] == '\0' || strlen(s->contains) > HX_HTTP_CONTAINS_MAX)) {
        snprintf(err, errlen, "contains: expected 1 to %d bytes of text", HX_HTTP_CONTAINS_MAX);
        return -1;
    }
    if (s->method > HX_METHOD_OPTIONS) {
        snprintf(err, errlen, "method: unknown (expected one of " HX_METHOD_LIST ")");
        return -1;
    }
    return 0;
}

int hx_http_new(const hx_reqspec_t *s, hx_http_t **out, char *err, size_t errlen)
{
    *out = NULL;
    if (check_fields(s, err, errlen) != 0)
        return -1;
    hx_http_t *h = cm_xcalloc(1, sizeof(*h));
    h->method = s->method >= 0 ? (hx_method_t)s->method : s->body != NULL ? HX_METHOD_POST : HX_METHOD_GET;
    h->path = cm_xstrdup(s->path);
    h->absolute = s->path[0] != '/';
    h->from_host = s->from_host;
    if (s->body != NULL && compile_body(h, s->body, err, errlen) != 0) {
        hx_http_free(h);
        return -1;
    }
    if (s->expect_status != NULL)
        h->expect = *s->expect_status;
    else
        hx_status_set_default(&h->expect);
    h->check_json = s->check_json;
    if (s->contains != NULL) {
        h->contains = cm_xstrdup(s->contains);
        h->contains_len = strlen(s->contains);
    }
    *out = h;
    return 0;
}

void hx_http_free(hx_http_t *h)
{
    if (h == NULL)
        return;
    free(h->path);
    hx_tmpl_free(&h->body);
    free(h->contains);
    free(h);
}
