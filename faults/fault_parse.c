#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/units.h"
#include "faults/fault.h"

/* Keys every request fault may have, then each kind's own. A key outside both is an error that lists what
 * the kind accepts, so a misspelt or misplaced parameter is never silently ignored. */
#define TARGETING "name", "kind", "routes", "models", "keys", "probability", "first", "every_nth", "window"

static const char *const *kind_keys(fx_kind_t k)
{
    static const char *const http_error[] = {TARGETING, "status", "retry_after", NULL};
    static const char *const stall[] = {TARGETING, "at", "duration", "then", NULL};
    static const char *const at_only[] = {TARGETING, "at", NULL};
    static const char *const truncate[] = {TARGETING, "bytes", NULL};
    static const char *const plain[] = {TARGETING, NULL};
    static const char *const drip[] = {TARGETING, "bytes", "every", NULL};
    static const char *const conn_limit[] = {"name", "kind", "requests", "age", NULL};
    static const char *const accept_pause[] = {"name", "kind", "window", NULL};
    static const char *const pause[] = {"name", "kind", "duration", "every", "window", NULL};
    switch (k) {
    case FX_HTTP_ERROR:
        return http_error;
    case FX_STALL:
        return stall;
    case FX_CLOSE:
    case FX_RESET:
    case FX_STREAM_ERROR:
        return at_only;
    case FX_TRUNCATE:
        return truncate;
    case FX_DRIP:
        return drip;
    case FX_CONN_LIMIT:
        return conn_limit;
    case FX_ACCEPT_PAUSE:
        return accept_pause;
    case FX_PAUSE:
        return pause;
    default:
        return plain;
    }
}

typedef struct reader {
    const cm_conf_t *conf;
    const cm_node_t *node; /* the fault's map */
    const char *path;      /* "mock.deployments[0].faults[2]" */
    cm_err_t *err;
    fx_set_t *set;
} reader_t;

static const char *sub(const reader_t *r, const char *key, char *buf, size_t n)
{
    return cm_conf_path(buf, n, r->path, -1, key);
}

static int fail(const reader_t *r, const cm_node_t *n, const char *key, const char *fmt, const char *what)
{
    char p[256];
    return cm_conf_error(r->conf, n != NULL ? n : r->node, sub(r, key, p, sizeof(p)), r->err, fmt, what);
}

static char *keep_str(fx_set_t *s, const char *v)
{
    size_t n = strlen(v) + 1;
    char *c = cm_arena_alloc(&s->arena, n);
    memcpy(c, v, n);
    return c;
}

static int read_kind(const reader_t *r, fx_kind_t *out)
{
    const cm_node_t *n = cm_conf_get(r->node, "kind");
    const char *s;
    char p[256];
    if (cm_conf_str(r->conf, n, sub(r, "kind", p, sizeof(p)), &s, r->err) != 0)
        return -1;
    for (int k = 0; k < FX_KIND_COUNT; k++) {
        if (strcmp(s, fx_kind_name((fx_kind_t)k)) == 0) {
            *out = (fx_kind_t)k;
            return 0;
        }
    }
    return fail(r, n, "kind",
                "unknown fault kind \"%s\" (expected http_error, stall, close, reset, truncate, malformed, "
                "stream_error, drip, conn_limit, accept_pause or pause)",
                s);
}

/* A duration within FX_MAX_DURATION_NS; required ones must be present and, when positive is set, above 0. */
static int read_dur(const reader_t *r, const char *key, bool required, bool positive, uint64_t *out)
{
    const cm_node_t *n = cm_conf_get(r->node, key);
    char p[256];
    if (n == NULL)
        return required ? fail(r, NULL, key, "required for this kind%s", "") : 0;
    if (cm_conf_duration(r->conf, n, sub(r, key, p, sizeof(p)), out, r->err) != 0)
        return -1;
    if (*out > FX_MAX_DURATION_NS)
        return fail(r, n, key, "at most 24h%s", "");
    if (positive && *out == 0)
        return fail(r, n, key, "must be more than 0%s", "");
    return 0;
}

static int read_range(const reader_t *r, const cm_node_t *n, const char *key, int64_t min, int64_t max, uint64_t *out)
{
    int64_t v;
    char p[256];
    if (cm_conf_int(r->conf, n, sub(r, key, p, sizeof(p)), min, max, &v, r->err) != 0)
        return -1;
    *out = (uint64_t)v;
    return 0;
}

static int read_count(const reader_t *r, const cm_node_t *n, const char *key, int64_t min, uint64_t *out)
{
    return read_range(r, n, key, min, (int64_t)FX_MAX_COUNT, out);
}

static int read_list(const reader_t *r, const char *key, const char ***out, size_t *count)
{
    const cm_node_t *n = cm_conf_get(r->node, key);
    const char **v;
    char p[256];
    if (n == NULL)
        return 0;
    if (cm_conf_str_list(r->conf, n, sub(r, key, p, sizeof(p)), &v, count, r->err) != 0)
        return -1;
    if (*count == 0 || *count > FX_MAX_LIST)
        return fail(r, n, key, "from 1 to 64 entries%s", "");
    *out = cm_arena_alloc(&r->set->arena, *count * sizeof(char *));
    for (size_t i = 0; i < *count; i++)
        (*out)[i] = keep_str(r->set, v[i]);
    return 0;
}

/* "2m..4m" (active from 2 minutes to 4 minutes after the start) or "2m.." (from 2 minutes on). */
static int read_window(const reader_t *r, fx_fault_t *f)
{
    const cm_node_t *n = cm_conf_get(r->node, "window");
    if (n == NULL)
        return 0;
    const char *dots = n->type == CM_NODE_SCALAR ? strstr(n->str, "..") : NULL;
    if (dots == NULL || dots - n->str >= 64 || strlen(dots + 2) >= 64)
        return fail(r, n, "window", "expected FROM..TO or FROM.. (durations since the start, e.g. %s)", "2m..4m");
    char from[64], to[64], why[160];
    snprintf(from, sizeof(from), "%.*s", (int)(dots - n->str), n->str);
    snprintf(to, sizeof(to), "%s", dots + 2);
    if (cm_parse_duration(from, &f->window_from, why, sizeof(why)) != 0 ||
        (to[0] != '\0' && cm_parse_duration(to, &f->window_to, why, sizeof(why)) != 0))
        return fail(r, n, "window", "%s", why);
    if (f->window_from > FX_MAX_DURATION_NS || (to[0] != '\0' && f->window_to > FX_MAX_DURATION_NS))
        return fail(r, n, "window", "%s", "bounds are at most 24h");
    if (to[0] != '\0' && f->window_to <= f->window_from)
        return fail(r, n, "window", "%s", "the end must come after the start");
    return 0;
}

static int read_point(const reader_t *r, fx_point_kind_t dflt, bool before_ok, fx_point_t *at)
{
    const cm_node_t *n = cm_conf_get(r->node, "at");
    at->kind = dflt;
    at->n = 0;
    if (n == NULL)
        return 0;
    if (n->type == CM_NODE_SCALAR && strcmp(n->str, "before_headers") == 0 && before_ok) {
        at->kind = FX_AT_BEFORE_HEADERS;
        return 0;
    }
    if (n->type == CM_NODE_SCALAR && strcmp(n->str, "after_headers") == 0) {
        at->kind = FX_AT_AFTER_HEADERS;
        return 0;
    }
    if (n->type == CM_NODE_MAP && n->n == 1 && n->keys[0]->str != NULL) {
        const char *k = n->keys[0]->str;
        if (strcmp(k, "after_chunks") == 0 || strcmp(k, "after_bytes") == 0) {
            at->kind = k[6] == 'c' ? FX_AT_AFTER_CHUNKS : FX_AT_AFTER_BYTES;
            return read_count(r, n->items[0], "at", 0, &at->n);
        }
    }
    return fail(r, n, "at", "expected %s, after_headers, {after_chunks: N} or {after_bytes: N}",
                before_ok ? "before_headers" : "(for this kind)");
}

static int read_then(const reader_t *r, fx_then_t *then)
{
    static const char *const names[] = {"resume", "close", "reset"};
    const cm_node_t *n = cm_conf_get(r->node, "then");
    *then = FX_THEN_RESUME;
    if (n == NULL)
        return 0;
    for (int i = 0; i < 3; i++) {
        if (n->type == CM_NODE_SCALAR && strcmp(n->str, names[i]) == 0) {
            *then = (fx_then_t)i;
            return 0;
        }
    }
    return fail(r, n, "then", "expected resume, close or reset%s", "");
}

static int read_probability(const reader_t *r, fx_fault_t *f)
{
    const cm_node_t *n = cm_conf_get(r->node, "probability");
    double p = 1.0;
    char path[256];
    if (n != NULL && cm_conf_percent(r->conf, n, sub(r, "probability", path, sizeof(path)), &p, r->err) != 0)
        return -1;
    f->always = p >= 1.0;
    f->threshold = f->always ? UINT64_MAX : (uint64_t)(p * 18446744073709551616.0);
    return 0;
}

static int read_targeting(const reader_t *r, fx_fault_t *f)
{
    const cm_node_t *n;
    if (read_list(r, "routes", &f->routes, &f->nroutes) != 0 || read_list(r, "models", &f->models, &f->nmodels) != 0 ||
        read_list(r, "keys", &f->keys, &f->nkeys) != 0 || read_probability(r, f) != 0)
        return -1;
    if ((n = cm_conf_get(r->node, "first")) != NULL && read_count(r, n, "first", 1, &f->first) != 0)
        return -1;
    if ((n = cm_conf_get(r->node, "every_nth")) != NULL && read_count(r, n, "every_nth", 1, &f->every_nth) != 0)
        return -1;
    return 0;
}

static int read_http_error(const reader_t *r, fx_fault_t *f)
{
    const cm_node_t *n = cm_conf_get(r->node, "status");
    uint64_t status;
    if (n == NULL)
        return fail(r, NULL, "status", "required for kind http_error (e.g. %s)", "503");
    if (read_range(r, n, "status", 400, 599, &status) != 0)
        return -1;
    f->status = (int)status;
    f->has_retry_after = cm_conf_get(r->node, "retry_after") != NULL;
    return read_dur(r, "retry_after", false, false, &f->retry_after_ns);
}

static int read_conn_limit(const reader_t *r, fx_fault_t *f)
{
    const cm_node_t *req = cm_conf_get(r->node, "requests");
    if (req != NULL && read_count(r, req, "requests", 1, &f->max_requests) != 0)
        return -1;
    if (read_dur(r, "age", false, true, &f->max_age_ns) != 0)
        return -1;
    if (req == NULL && cm_conf_get(r->node, "age") == NULL)
        return fail(r, NULL, "requests", "conn_limit needs %s (or both)", "requests: N or age: T");
    return 0;
}

static int read_params(const reader_t *r, fx_fault_t *f)
{
    const cm_node_t *n;
    switch (f->kind) {
    case FX_HTTP_ERROR:
        return read_http_error(r, f);
    case FX_STALL:
        if (read_point(r, FX_AT_BEFORE_HEADERS, true, &f->at) != 0 || read_then(r, &f->then) != 0)
            return -1;
        return read_dur(r, "duration", true, true, &f->duration_ns);
    case FX_CLOSE:
    case FX_RESET:
        return read_point(r, FX_AT_BEFORE_HEADERS, true, &f->at);
    case FX_STREAM_ERROR:
        return read_point(r, FX_AT_AFTER_HEADERS, false, &f->at);
    case FX_TRUNCATE:
        if ((n = cm_conf_get(r->node, "bytes")) == NULL)
            return fail(r, NULL, "bytes", "required for kind truncate (%s)", "the body bytes kept");
        return read_count(r, n, "bytes", 0, &f->bytes);
    case FX_DRIP:
        f->bytes = 1;
        if ((n = cm_conf_get(r->node, "bytes")) != NULL && read_count(r, n, "bytes", 1, &f->bytes) != 0)
            return -1;
        return read_dur(r, "every", true, true, &f->every_ns);
    case FX_CONN_LIMIT:
        return read_conn_limit(r, f);
    case FX_ACCEPT_PAUSE:
        if (cm_conf_get(r->node, "window") == NULL)
            return fail(r, NULL, "window", "required for kind accept_pause (%s)", "when accepts stop");
        return 0;
    case FX_PAUSE:
        if (read_dur(r, "duration", true, true, &f->duration_ns) != 0 ||
            read_dur(r, "every", true, true, &f->every_ns) != 0)
            return -1;
        if (f->duration_ns >= f->every_ns)
            return fail(r, cm_conf_get(r->node, "duration"), "duration", "must be shorter than every (%s)",
                        "the period");
        return 0;
    default:
        return 0;
    }
}

static bool name_ok(const char *s)
{
    size_t n = strlen(s);
    if (n == 0 || n > FX_MAX_NAME)
        return false;
    for (size_t i = 0; i < n; i++)
        if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= 'A' && s[i] <= 'Z') || (s[i] >= '0' && s[i] <= '9') ||
              s[i] == '.' || s[i] == '_' || s[i] == '-'))
            return false;
    return true;
}

static int read_name(const reader_t *r, size_t index, fx_fault_t *f)
{
    const cm_node_t *n = cm_conf_get(r->node, "name");
    const char *s;
    char p[256];
    if (n == NULL)
        return 0;
    if (cm_conf_str(r->conf, n, sub(r, "name", p, sizeof(p)), &s, r->err) != 0)
        return -1;
    if (!name_ok(s))
        return fail(r, n, "name", "\"%s\": 1 to 64 letters, digits, '.', '_' or '-'", s);
    for (size_t i = 0; i < index; i++)
        if (r->set->faults[i].name != NULL && strcmp(r->set->faults[i].name, s) == 0)
            return fail(r, n, "name", "\"%s\" is used by an earlier fault", s);
    f->name = keep_str(r->set, s);
    return 0;
}

static int read_fault(reader_t *r, size_t index, fx_fault_t *f)
{
    memset(f, 0, sizeof(*f));
    f->window_to = UINT64_MAX;
    f->always = true;
    f->threshold = UINT64_MAX;
    if (r->node->type != CM_NODE_MAP)
        return fail(r, NULL, NULL, "%s", "a fault is a map such as {kind: http_error, status: 503}");
    if (cm_conf_require_keys(r->conf, r->node, r->path, (const char *const[]){"kind", NULL}, r->err) != 0 ||
        read_kind(r, &f->kind) != 0 || cm_conf_check_keys(r->conf, r->node, r->path, kind_keys(f->kind), r->err) != 0)
        return -1;
    if (read_name(r, index, f) != 0 || read_window(r, f) != 0 || read_params(r, f) != 0)
        return -1;
    return fx_kind_per_request(f->kind) ? read_targeting(r, f) : 0;
}

int fx_parse(const cm_conf_t *conf, const cm_node_t *list, const char *path, uint64_t seed, fx_set_t *out,
             cm_err_t *err)
{
    memset(out, 0, sizeof(*out));
    out->seed = seed;
    if (list == NULL || list->type == CM_NODE_NULL)
        return 0;
    if (list->type != CM_NODE_SEQ)
        return cm_conf_error(conf, list, path, err, "expected a list of faults");
    if (list->n > FX_MAX_FAULTS)
        return cm_conf_error(conf, list, path, err, "%zu faults; at most %d per deployment", list->n, FX_MAX_FAULTS);
    out->faults = cm_arena_alloc(&out->arena, (list->n ? list->n : 1) * sizeof(fx_fault_t));
    out->passed = cm_xcalloc(list->n ? list->n : 1, sizeof(*out->passed));
    for (size_t i = 0; i < list->n; i++) {
        char p[256];
        reader_t r = {conf, list->items[i], cm_conf_path(p, sizeof(p), path, (int)i, NULL), err, out};
        if (read_fault(&r, i, &out->faults[i]) != 0) {
            fx_set_free(out);
            return -1;
        }
        out->n = i + 1;
    }
    return 0;
}

void fx_set_free(fx_set_t *s)
{
    free(s->passed);
    cm_arena_free(&s->arena);
    memset(s, 0, sizeof(*s));
}
