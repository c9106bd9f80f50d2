#include "mock-provider/providers/toolargs.h"

#include <string.h>

#include "mock-provider/providers/render.h"

static void put_value(const cm_json_doc_t *d, uint32_t s, cm_buf_t *out, int depth);

/* Raw JSON text of a value, compacted: string tokens exclude their quotes, so put them back. */
static void put_json(const cm_json_doc_t *d, uint32_t t, cm_buf_t *out)
{
    cm_str_t raw = cm_json_raw(d, t);
    if (cm_json_type(d, t) == CM_JSON_STRING)
        mp_put_quoted(out, raw);
    else
        mp_put_json_compact(out, raw);
}

static bool raw_equal(const cm_json_doc_t *d, uint32_t a, uint32_t b)
{
    cm_str_t x = cm_json_raw(d, a), y = cm_json_raw(d, b);
    return x.n == y.n && memcmp(x.p, y.p, x.n) == 0;
}

/* The property schema named by the string token name, or 0. Names are compared as sent (raw), which is
 * how every client writes them; differently escaped spellings of one name are not matched. */
static uint32_t find_property(const cm_json_doc_t *d, uint32_t props, uint32_t name)
{
    if (props == 0 || cm_json_type(d, props) != CM_JSON_OBJECT)
        return 0;
    for (uint32_t k = cm_json_first(d, props); k != 0; k = cm_json_next(d, k + 1))
        if (raw_equal(d, k, name))
            return k + 1;
    return 0;
}

static void put_object(const cm_json_doc_t *d, uint32_t s, cm_buf_t *out, int depth)
{
    cm_buf_putc(out, '{');
    uint32_t req = s ? cm_json_get(d, s, "required") : 0;
    if (depth < MP_TOOLARGS_MAX_DEPTH && req != 0 && cm_json_type(d, req) == CM_JSON_ARRAY) {
        uint32_t props = cm_json_get(d, s, "properties");
        bool first = true;
        for (uint32_t r = cm_json_first(d, req); r != 0; r = cm_json_next(d, r)) {
            if (cm_json_type(d, r) != CM_JSON_STRING)
                continue;
            if (!first)
                cm_buf_putc(out, ',');
            first = false;
            mp_put_quoted(out, cm_json_raw(d, r));
            cm_buf_putc(out, ':');
            put_value(d, find_property(d, props, r), out, depth + 1);
        }
    }
    cm_buf_putc(out, '}');
}

/* The declared type name: "type": "string", or the first non-null entry of "type": ["string", "null"]. */
static uint32_t declared_type(const cm_json_doc_t *d, uint32_t s)
{
    uint32_t t = cm_json_get(d, s, "type");
    if (t == 0 || cm_json_type(d, t) != CM_JSON_ARRAY)
        return t;
    for (uint32_t e = cm_json_first(d, t); e != 0; e = cm_json_next(d, e))
        if (!cm_json_str_eq(d, e, "null"))
            return e;
    return cm_json_first(d, t);
}

/* Schema combinators: the first branch stands for the whole. */
static uint32_t first_branch(const cm_json_doc_t *d, uint32_t s)
{
    static const char *const keys[] = {"anyOf", "oneOf", "allOf"};
    for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
        uint32_t a = cm_json_get(d, s, keys[i]);
        if (a != 0 && cm_json_type(d, a) == CM_JSON_ARRAY && d->tok[a].count > 0)
            return cm_json_first(d, a);
    }
    return 0;
}

static void put_typed(const cm_json_doc_t *d, uint32_t s, uint32_t type, cm_buf_t *out, int depth)
{
    if (cm_json_str_eq(d, type, "string"))
        MP_PUT_LIT(out, "\"example\"");
    else if (cm_json_str_eq(d, type, "integer"))
        MP_PUT_LIT(out, "1");
    else if (cm_json_str_eq(d, type, "number"))
        MP_PUT_LIT(out, "1.5");
    else if (cm_json_str_eq(d, type, "boolean"))
        MP_PUT_LIT(out, "true");
    else if (cm_json_str_eq(d, type, "array"))
        MP_PUT_LIT(out, "[]");
    else if (cm_json_str_eq(d, type, "object"))
        put_object(d, s, out, depth);
    else
        MP_PUT_LIT(out, "null");
}

static void put_value(const cm_json_doc_t *d, uint32_t s, cm_buf_t *out, int depth)
{
    if (s == 0 || cm_json_type(d, s) != CM_JSON_OBJECT || depth > MP_TOOLARGS_MAX_DEPTH) {
        MP_PUT_LIT(out, "null");
        return;
    }
    uint32_t e = cm_json_get(d, s, "enum");
    if (e != 0 && cm_json_type(d, e) == CM_JSON_ARRAY && d->tok[e].count > 0) {
        put_json(d, cm_json_first(d, e), out);
        return;
    }
    uint32_t k = cm_json_get(d, s, "const");
    if (k != 0) {
        put_json(d, k, out);
        return;
    }
    uint32_t type = declared_type(d, s);
    if (type != 0) {
        put_typed(d, s, type, out, depth);
        return;
    }
    uint32_t branch = first_branch(d, s);
    if (branch != 0)
        put_value(d, branch, out, depth + 1);
    else if (cm_json_get(d, s, "properties") != 0)
        put_object(d, s, out, depth);
    else
        MP_PUT_LIT(out, "null");
}

const char *mp_tool_arguments(const cm_json_doc_t *d, uint32_t schema, const cm_allocator_t *a)
{
    cm_buf_t out = CM_BUF_INIT;
    put_object(d, schema != 0 && cm_json_type(d, schema) == CM_JSON_OBJECT ? schema : 0, &out, 0);
    char *s = cm_alloc(a, out.len + 1);
    memcpy(s, out.data, out.len + 1);
    cm_buf_free(&out);
    return s;
}
