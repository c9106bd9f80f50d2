/* harness/engine/httpreq.h — the generic request kind (`api: http`): its method, path, raw body template,
 * expected statuses and optional response check. No LLM parsing: a request is ok when its final status is
 * one of the expected ones and the check (if any) passes.
 *
 * Everything a config or flag controls is bounded here: the path (HX_HTTP_PATH_MAX), the rendered body
 * (HX_HTTP_BODY_MAX), the `contains` text (HX_HTTP_CONTAINS_MAX) and the expect_status items
 * (HX_HTTP_STATUS_ITEMS_MAX); so are the response bytes kept for a check (HX_HTTP_RESPONSE_KEEP). */
#ifndef HX_HTTPREQ_H
#define HX_HTTPREQ_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/json.h"
#include "harness/engine/template.h"
#include "harness/measure/result.h"

#define HX_HTTP_PATH_MAX 2048
#define HX_HTTP_BODY_MAX (1u << 20)
#define HX_HTTP_CONTAINS_MAX 1024
#define HX_HTTP_STATUS_ITEMS_MAX 32
/* Response bytes kept for a check: a `contains` is looked for in them, and a `json` body larger than this
 * fails its check (it cannot be parsed whole). Without a check the body is read and dropped. */
#define HX_HTTP_RESPONSE_KEEP (1u << 20)

typedef enum hx_method {
    HX_METHOD_GET,
    HX_METHOD_POST,
    HX_METHOD_PUT,
    HX_METHOD_PATCH,
    HX_METHOD_DELETE,
    HX_METHOD_HEAD,
    HX_METHOD_OPTIONS,
} hx_method_t;

/* Parses an upper-case method name ("GET", ...). Returns 0 or -1. */
int hx_method_parse(const char *s, hx_method_t *out);
const char *hx_method_name(hx_method_t m);
/* "GET, POST, PUT, PATCH, DELETE, HEAD, OPTIONS", for messages. */
#define HX_METHOD_LIST "GET, POST, PUT, PATCH, DELETE, HEAD, OPTIONS"

/* A set of final statuses (100..599), as a bitmap: matching is one shift on the hot path. */
typedef struct hx_status_set {
    uint64_t bits[10]; /* bit s for status s, s < 640 */
    uint32_t nitems;   /* items added (bounded by HX_HTTP_STATUS_ITEMS_MAX) */
} hx_status_set_t;

/* The default: 200-299. */
void hx_status_set_default(hx_status_set_t *s);
/* Adds one item: a status ("404"), a range ("200-299") or a class ("2xx"). Returns 0, or -1 with a reason
 * ("\"700\": a status is from 100 to 599"). */
int hx_status_set_add(hx_status_set_t *s, const char *item, char *err, size_t errlen);
/* Replaces s with the comma-separated items of list ("200-299,404"); an empty list is an error. */
int hx_status_set_parse(hx_status_set_t *s, const char *list, char *err, size_t errlen);
static inline bool hx_status_match(const hx_status_set_t *s, int status)
{
    return status >= 0 && status < 640 && ((s->bits[status / 64] >> (status % 64)) & 1u) != 0;
}

/* Checks a path: "/..." (appended to the target) or an absolute http:// or https:// URL, at most
 * HX_HTTP_PATH_MAX bytes, no space, control character, fragment or template placeholder. 0 or -1. */
int hx_http_check_path(const char *path, char *err, size_t errlen);

/* A compiled `api: http` template (owned by its hx_reqtpl_t). */
typedef struct hx_http {
    hx_method_t method;
    char *path;     /* as written */
    bool absolute;  /* path is a whole URL: the target is not used */
    bool from_host; /* base: host — appended to the target's scheme://host:port, not to its api_base */
    hx_tmpl_t body; /* raw template */
    bool has_body;
    hx_status_set_t expect;
    bool check_json;
    char *contains; /* NULL: no substring check */
    size_t contains_len;
} hx_http_t;

struct hx_reqspec;
/* Checks the api: http fields of spec s and compiles them into *out (owned by the caller, freed with
 * hx_http_free). Returns 0, or -1 with "field: reason" in err ("body: HEAD sends no body"). */
int hx_http_new(const struct hx_reqspec *s, hx_http_t **out, char *err, size_t errlen);
void hx_http_free(hx_http_t *h);
/* For a spec of another kind: the name of an api: http field it sets ("path"), or NULL when none. */
const char *hx_http_only_field(const struct hx_reqspec *s);

/* True when the response body must be kept for a check. */
static inline bool hx_http_checks(const hx_http_t *h)
{
    return h->check_json || h->contains != NULL;
}

/* The check of a response whose status was expected: body holds its first len bytes (over: more arrived than
 * the cap kept). json: the kept bytes must parse as one JSON value, so a body over the cap fails; contains:
 * the text must appear in the kept bytes. Returns HX_ERR_NONE or HX_ERR_BAD_BODY with a reason in *why (a
 * static string). toks is the caller's reusable token storage. */
hx_err_t hx_http_check_body(const hx_http_t *h, const char *body, size_t len, bool over, cm_json_toks_t *toks,
                            const char **why);

#endif
