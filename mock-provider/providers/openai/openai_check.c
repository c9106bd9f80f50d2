#include "mock-provider/providers/openai/openai_check.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "mock-provider/providers/render.h"

bool mp_oa_is(const cm_json_doc_t *d, uint32_t t, const char *s)
{
    const cm_json_tok_t *k = &d->tok[t];
    if (k->type != CM_JSON_STRING)
        return false;
    if (k->escaped)
        return cm_json_str_eq(d, t, s);
    size_t n = strlen(s);
    return k->len == n && memcmp(d->src + k->start, s, n) == 0;
}

const char *mp_oa_type_phrase(const cm_json_doc_t *d, uint32_t t)
{
    int64_t i;
    switch (cm_json_type(d, t)) {
    case CM_JSON_OBJECT:
        return "an object";
    case CM_JSON_ARRAY:
        return "an array";
    case CM_JSON_STRING:
        return "a string";
    case CM_JSON_NUMBER:
        return cm_json_int(d, t, &i) == 0 ? "an integer" : "a decimal";
    case CM_JSON_TRUE:
    case CM_JSON_FALSE:
        return "a boolean";
    case CM_JSON_NULL:
        return "null";
    }
    return "a value";
}

cm_str_t mp_oa_json_text(const cm_json_doc_t *d, uint32_t t)
{
    cm_str_t s = cm_json_raw(d, t);
    if (cm_json_type(d, t) == CM_JSON_STRING) {
        s.p--;
        s.n += 2;
    }
    return s;
}

void mp_oa_path(char *out, size_t cap, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(out, cap, fmt, ap);
    va_end(ap);
}

/* Request text reaches messages and params unescaped and possibly truncated by these fixed buffers; the
 * reader has validated it as UTF-8, so only a cut at the end can break a character, and trimming it keeps
 * the error body valid UTF-8. */
static int fail_v(mp_oa_ctx_t *c, const char *param, const char *code, const char *fmt, va_list ap)
{
    mp_error_t *e = c->err;
    memset(e, 0, sizeof(*e));
    e->kind = MP_ERR_BAD_REQUEST;
    e->status = 400;
    snprintf(e->param, sizeof(e->param), "%s", param ? param : "");
    snprintf(e->code, sizeof(e->code), "%s", code ? code : "");
    vsnprintf(e->message, sizeof(e->message), fmt, ap);
    mp_trim_utf8(e->param);
    mp_trim_utf8(e->message);
    return -1;
}

int mp_oa_invalid(mp_oa_ctx_t *c, const char *param, const char *code, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fail_v(c, param, code, fmt, ap);
    va_end(ap);
    return -1;
}

int mp_oa_missing(mp_oa_ctx_t *c, const char *param)
{
    return mp_oa_invalid(c, param, "missing_required_parameter", "Missing required parameter: '%s'.", param);
}

int mp_oa_bad_type(mp_oa_ctx_t *c, const char *param, const char *expected, uint32_t got)
{
    return mp_oa_invalid(c, param, "invalid_type", "Invalid type for '%s': expected %s, but got %s instead.", param,
                         expected, mp_oa_type_phrase(&c->d, got));
}

int mp_oa_empty_array(mp_oa_ctx_t *c, const char *param)
{
    return mp_oa_invalid(c, param, "empty_array",
                         "Invalid '%s': empty array. Expected an array with minimum length 1, but got an empty array "
                         "instead.",
                         param);
}

/* "'a'", "'a' and 'b'", "'a', 'b', and 'c'" as OpenAI lists supported values. */
static void join_values(char *out, size_t cap, const char *const *v)
{
    size_t n = 0, o = 0;
    while (v[n] != NULL)
        n++;
    out[0] = '\0';
    for (size_t i = 0; i < n && o < cap; i++) {
        const char *sep = i == 0 ? "" : n == 2 ? " and " : i + 1 == n ? ", and " : ", ";
        int w = snprintf(out + o, cap - o, "%s'%s'", sep, v[i]);
        o += w > 0 ? (size_t)w : 0;
    }
}

int mp_oa_bad_value(mp_oa_ctx_t *c, const char *param, uint32_t got, const char *const *supported)
{
    char value[80], list[320];
    cm_json_unescape(&c->d, got, value, sizeof(value));
    mp_trim_utf8(value);
    join_values(list, sizeof(list), supported);
    return mp_oa_invalid(c, param, "invalid_value", "Invalid value: '%s'. Supported values are: %s.", value, list);
}

static const char *const expected_phrase[] = {
    [MP_OA_ANY] = "a value",    [MP_OA_STRING] = "a string",  [MP_OA_INT] = "an integer", [MP_OA_NUMBER] = "a decimal",
    [MP_OA_BOOL] = "a boolean", [MP_OA_OBJECT] = "an object", [MP_OA_ARRAY] = "an array",
};

static bool type_ok(const cm_json_doc_t *d, uint32_t t, mp_oa_type_t type)
{
    int64_t i;
    cm_json_type_t jt = cm_json_type(d, t);
    switch (type) {
    case MP_OA_ANY:
        return true;
    case MP_OA_STRING:
        return jt == CM_JSON_STRING;
    case MP_OA_INT:
        return jt == CM_JSON_NUMBER && cm_json_int(d, t, &i) == 0;
    case MP_OA_NUMBER:
        return jt == CM_JSON_NUMBER;
    case MP_OA_BOOL:
        return jt == CM_JSON_TRUE || jt == CM_JSON_FALSE;
    case MP_OA_OBJECT:
        return jt == CM_JSON_OBJECT;
    case MP_OA_ARRAY:
        return jt == CM_JSON_ARRAY;
    }
    return false;
}

/* OpenAI's wording for a missing or empty model differs from every other missing parameter. */
int mp_oa_want_model(mp_oa_ctx_t *c, uint32_t m)
{
    const mp_route_t *route = c->req->route;
    if (route != NULL && route->target.n > 0) {
        /* Azure's deployments/{d} paths: the deployment is the model, whatever the body says (the route
         * admits only [A-Za-z0-9._-] there, so it can be pasted into JSON as it is). */
        c->req->model = route->target;
        return 0;
    }
    if (m == 0 || c->d.tok[m].len == 0)
        return mp_oa_invalid(c, NULL, NULL, "you must provide a model parameter");
    if (c->d.tok[m].len > MP_OA_MAX_MODEL_LEN)
        return mp_oa_invalid(c, "model", "string_above_max_length",
                             "Invalid 'model': string too long. Expected a string with maximum length %d, but got a "
                             "string with length %u instead.",
                             MP_OA_MAX_MODEL_LEN, c->d.tok[m].len);
    c->req->model = cm_json_raw(&c->d, m);
    return 0;
}

int mp_oa_want(mp_oa_ctx_t *c, uint32_t t, mp_oa_type_t type, const char *param)
{
    return type_ok(&c->d, t, type) ? 0 : mp_oa_bad_type(c, param, expected_phrase[type], t);
}

int mp_oa_enum(mp_oa_ctx_t *c, uint32_t t, const char *const *values, const char *param)
{
    if (mp_oa_want(c, t, MP_OA_STRING, param) != 0)
        return -1;
    for (int i = 0; values[i] != NULL; i++)
        if (mp_oa_is(&c->d, t, values[i]))
            return i;
    return mp_oa_bad_value(c, param, t, values);
}

/* Messages echo the number as sent ("got 2.50"), like OpenAI, rather than reformatting it. */
static int out_of_range(mp_oa_ctx_t *c, const mp_oa_field_t *f, uint32_t v, bool above)
{
    const char *kind = f->type == MP_OA_INT ? "integer" : "decimal";
    char code[48];
    snprintf(code, sizeof(code), "%s_%s", kind, above ? "above_max_value" : "below_min_value");
    cm_str_t raw = cm_json_raw(&c->d, v);
    int n = raw.n > 40 ? 40 : (int)raw.n;
    return mp_oa_invalid(c, f->name, code, "Invalid '%s': %s %s value. Expected a value %s %g, but got %.*s instead.",
                         f->name, kind, above ? "above maximum" : "below minimum",
                         above ? "<=" : ">=", above ? f->max : f->min, n, raw.p);
}

static int check_field(mp_oa_ctx_t *c, const mp_oa_field_t *f, uint32_t v)
{
    if (!type_ok(&c->d, v, (mp_oa_type_t)f->type))
        return mp_oa_bad_type(c, f->name, f->expected ? f->expected : expected_phrase[f->type], v);
    if (!f->ranged)
        return 0;
    /* A number beyond a double (1e400) is out of every range, on the side of its sign; it must not pass as
     * the 0 an unread value would leave. */
    double x = 0;
    if (cm_json_double(&c->d, v, &x) != 0)
        x = c->d.src[c->d.tok[v].start] == '-' ? -HUGE_VAL : HUGE_VAL;
    if (x < f->min)
        return out_of_range(c, f, v, false);
    if (x > f->max)
        return out_of_range(c, f, v, true);
    return 0;
}

static int unknown_key(mp_oa_ctx_t *c, uint32_t key, mp_oa_unknown_style_t style)
{
    char name[64];
    cm_json_unescape(&c->d, key, name, sizeof(name));
    mp_trim_utf8(name);
    if (style == MP_OA_UNKNOWN_PARAMETER)
        return mp_oa_invalid(c, name, "unknown_parameter", "Unknown parameter: '%s'.", name);
    return mp_oa_invalid(c, NULL, NULL, "Unrecognized request argument supplied: %s", name);
}

/* Linear search, lengths and first bytes first: the tables hold about 35 names and a request a handful of
 * keys, which costs less than building any index. */
static const mp_oa_field_t *find_field(const cm_json_doc_t *d, uint32_t key, const mp_oa_field_t *fields, size_t n)
{
    const cm_json_tok_t *t = &d->tok[key];
    const char *p = d->src + t->start;
    for (size_t i = 0; i < n; i++) {
        const mp_oa_field_t *f = &fields[i];
        if (t->escaped ? mp_oa_is(d, key, f->name)
                       : t->len == f->namelen && t->len > 0 && p[0] == f->name[0] && memcmp(p, f->name, t->len) == 0)
            return f;
    }
    return NULL;
}

int mp_oa_scan(mp_oa_ctx_t *c, const mp_oa_field_t *fields, size_t nfields, mp_oa_unknown_style_t style)
{
    const cm_json_doc_t *d = &c->d;
    memset(c->slot, 0, sizeof(c->slot));
    for (uint32_t k = cm_json_first(d, 0); k != 0; k = cm_json_next(d, k + 1)) {
        const mp_oa_field_t *f = find_field(d, k, fields, nfields);
        if (f == NULL)
            return unknown_key(c, k, style);
        uint32_t v = k + 1;
        if (cm_json_type(d, v) == CM_JSON_NULL)
            continue;
        if (check_field(c, f, v) != 0)
            return -1;
        if (f->slot != MP_OA_S_NONE)
            c->slot[f->slot] = v;
    }
    return 0;
}

int mp_oa_check_name(mp_oa_ctx_t *c, uint32_t name, const char *param)
{
    cm_str_t s = cm_json_raw(&c->d, name);
    if (s.n > 64)
        return mp_oa_invalid(c, param, "string_above_max_length",
                             "Invalid '%s': string too long. Expected a string with maximum length 64, but got a "
                             "string with length %zu instead.",
                             param, s.n);
    if (s.n == 0)
        return mp_oa_invalid(c, param, "empty_string",
                             "Invalid '%s': empty string. Expected a string with minimum length 1, but got an empty "
                             "string instead.",
                             param);
    for (size_t i = 0; i < s.n; i++) {
        char ch = s.p[i];
        if (!((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') || ch == '_' ||
              ch == '-'))
            return mp_oa_invalid(c, param, "invalid_value",
                                 "Invalid '%s': string does not match pattern. Expected a string that matches the "
                                 "pattern '^[a-zA-Z0-9_-]+$'.",
                                 param);
    }
    return 0;
}

/* The conversation and the schema, not the whole body: the same request gets the same value streamed or
 * not, and another conversation another value. */
uint64_t mp_oa_content_seed(const mp_oa_ctx_t *c, uint32_t schema)
{
    uint32_t convo = c->slot[MP_OA_S_MESSAGES] ? c->slot[MP_OA_S_MESSAGES] : c->slot[MP_OA_S_INPUT];
    cm_str_t said = convo ? mp_oa_json_text(&c->d, convo) : (cm_str_t){"", 0};
    cm_str_t s = schema ? mp_oa_json_text(&c->d, schema) : (cm_str_t){"", 0};
    return cm_hash64(said.p, said.n, cm_hash64(s.p, s.n, 0x7001a125u));
}
