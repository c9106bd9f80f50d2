#include "mock-provider/providers/toolargs.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/dist.h"
#include "mock-provider/providers/render.h"

/* One build: the output, and the budget it draws from. */
typedef struct builder {
    const cm_json_doc_t *d;
    cm_buf_t out;
    uint32_t examined; /* required entries and property names looked at so far */
    bool too_many, too_large;
} builder_t;

static void put_value(builder_t *b, uint32_t s, int depth);

static bool stopped(builder_t *b)
{
    if (b->out.len > MP_TOOLARGS_MAX_BYTES)
        b->too_large = true;
    return b->too_many || b->too_large;
}

/* Charges n names to the budget; false once it is spent. */
static bool examine(builder_t *b, uint32_t n)
{
    if (n > MP_TOOLARGS_MAX_PROPERTIES - b->examined) {
        b->too_many = true;
        return false;
    }
    b->examined += n;
    return true;
}

/* Raw JSON text of a value, compacted: string tokens exclude their quotes, so put them back. */
static void put_json(builder_t *b, uint32_t t)
{
    cm_str_t raw = cm_json_raw(b->d, t);
    if (cm_json_type(b->d, t) == CM_JSON_STRING)
        mp_put_quoted(&b->out, raw);
    else
        mp_put_json_compact(&b->out, raw);
}

static bool raw_equal(const cm_json_doc_t *d, uint32_t a, uint32_t b)
{
    cm_str_t x = cm_json_raw(d, a), y = cm_json_raw(d, b);
    return x.n == y.n && memcmp(x.p, y.p, x.n) == 0;
}

/* The names of one object (required entries, or property keys), hashed by their raw spelling, so that
 * matching k required names against p properties costs O(k + p) instead of O(k x p): a schema at the
 * property limit costs microseconds, not tens of milliseconds of the event loop. Open addressing over
 * token indices (+1; 0 is an empty slot), at most half full. Names are compared as sent (raw), which is how
 * every client writes them; differently escaped spellings of one name are different names. */
typedef struct names {
    uint32_t *slot;
    uint32_t mask;
} names_t;

static void names_init(names_t *t, uint32_t n)
{
    uint32_t cap = 8;
    while (cap < 2 * n)
        cap *= 2;
    t->slot = cm_xcalloc(cap, sizeof(*t->slot));
    t->mask = cap - 1;
}

/* The slot holding tok's spelling, or the empty slot where it would go. */
static uint32_t *names_slot(const names_t *t, const cm_json_doc_t *d, uint32_t tok)
{
    cm_str_t raw = cm_json_raw(d, tok);
    uint32_t i = (uint32_t)cm_hash64(raw.p, raw.n, 0) & t->mask;
    while (t->slot[i] != 0 && !raw_equal(d, t->slot[i] - 1, tok))
        i = (i + 1) & t->mask;
    return &t->slot[i];
}

/* Adds tok unless its spelling is there already; true when it was added. */
static bool names_add(names_t *t, const cm_json_doc_t *d, uint32_t tok)
{
    uint32_t *s = names_slot(t, d, tok);
    if (*s != 0)
        return false;
    *s = tok + 1;
    return true;
}

/* The stored token spelled like tok, or 0. */
static uint32_t names_find(const names_t *t, const cm_json_doc_t *d, uint32_t tok)
{
    uint32_t s = *names_slot(t, d, tok);
    return s ? s - 1 : 0;
}

/* Each property key of props (an object, or 0) in a table: the first of two equal keys wins. */
static void index_properties(names_t *t, const cm_json_doc_t *d, uint32_t props, uint32_t nprops)
{
    names_init(t, nprops);
    for (uint32_t k = props ? cm_json_first(d, props) : 0; k != 0; k = cm_json_next(d, k + 1))
        names_add(t, d, k);
}

/* Each required name once: a name listed again used to build its whole subtree again, which is how a
 * schema of a few hundred bytes reached gigabytes. */
static void put_members(builder_t *b, uint32_t s, uint32_t req, int depth)
{
    const cm_json_doc_t *d = b->d;
    uint32_t props = cm_json_get(d, s, "properties");
    uint32_t nprops = props != 0 && cm_json_type(d, props) == CM_JSON_OBJECT ? d->tok[props].count : 0;
    if (!examine(b, d->tok[req].count) || !examine(b, nprops))
        return;
    names_t by_name, seen;
    index_properties(&by_name, d, nprops ? props : 0, nprops);
    names_init(&seen, d->tok[req].count);
    bool first = true;
    for (uint32_t r = cm_json_first(d, req); r != 0 && !stopped(b); r = cm_json_next(d, r)) {
        if (cm_json_type(d, r) != CM_JSON_STRING || !names_add(&seen, d, r))
            continue;
        if (!first)
            cm_buf_putc(&b->out, ',');
        first = false;
        mp_put_quoted(&b->out, cm_json_raw(d, r));
        cm_buf_putc(&b->out, ':');
        uint32_t key = names_find(&by_name, d, r);
        put_value(b, key ? key + 1 : 0, depth + 1);
    }
    free(seen.slot);
    free(by_name.slot);
}

static void put_object(builder_t *b, uint32_t s, int depth)
{
    cm_buf_putc(&b->out, '{');
    uint32_t req = s ? cm_json_get(b->d, s, "required") : 0;
    if (depth < MP_TOOLARGS_MAX_DEPTH && req != 0 && cm_json_type(b->d, req) == CM_JSON_ARRAY)
        put_members(b, s, req, depth);
    cm_buf_putc(&b->out, '}');
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

static void put_typed(builder_t *b, uint32_t s, uint32_t type, int depth)
{
    const cm_json_doc_t *d = b->d;
    if (cm_json_str_eq(d, type, "string"))
        MP_PUT_LIT(&b->out, "\"example\"");
    else if (cm_json_str_eq(d, type, "integer"))
        MP_PUT_LIT(&b->out, "1");
    else if (cm_json_str_eq(d, type, "number"))
        MP_PUT_LIT(&b->out, "1.5");
    else if (cm_json_str_eq(d, type, "boolean"))
        MP_PUT_LIT(&b->out, "true");
    else if (cm_json_str_eq(d, type, "array"))
        MP_PUT_LIT(&b->out, "[]");
    else if (cm_json_str_eq(d, type, "object"))
        put_object(b, s, depth);
    else
        MP_PUT_LIT(&b->out, "null");
}

static void put_value(builder_t *b, uint32_t s, int depth)
{
    const cm_json_doc_t *d = b->d;
    if (s == 0 || cm_json_type(d, s) != CM_JSON_OBJECT || depth > MP_TOOLARGS_MAX_DEPTH) {
        MP_PUT_LIT(&b->out, "null");
        return;
    }
    uint32_t e = cm_json_get(d, s, "enum");
    if (e != 0 && cm_json_type(d, e) == CM_JSON_ARRAY && d->tok[e].count > 0) {
        put_json(b, cm_json_first(d, e));
        return;
    }
    uint32_t k = cm_json_get(d, s, "const");
    if (k != 0) {
        put_json(b, k);
        return;
    }
    uint32_t type = declared_type(d, s);
    if (type != 0) {
        put_typed(b, s, type, depth);
        return;
    }
    uint32_t branch = first_branch(d, s);
    if (branch != 0)
        put_value(b, branch, depth + 1);
    else if (cm_json_get(d, s, "properties") != 0)
        put_object(b, s, depth);
    else
        MP_PUT_LIT(&b->out, "null");
}

int mp_tool_arguments(const cm_json_doc_t *d, uint32_t schema, const cm_allocator_t *a, const char **out, char *why,
                      size_t whylen)
{
    builder_t b = {.d = d, .out = CM_BUF_INIT};
    put_object(&b, schema != 0 && cm_json_type(d, schema) == CM_JSON_OBJECT ? schema : 0, 0);
    if (stopped(&b)) {
        if (b.too_many)
            snprintf(why, whylen,
                     "has more than %d properties (required entries and property names, all nested "
                     "objects together)",
                     MP_TOOLARGS_MAX_PROPERTIES);
        else
            snprintf(why, whylen, "gives example arguments larger than %d bytes", MP_TOOLARGS_MAX_BYTES);
        cm_buf_free(&b.out);
        return -1;
    }
    char *s = cm_alloc(a, b.out.len + 1);
    memcpy(s, b.out.data, b.out.len + 1);
    cm_buf_free(&b.out);
    *out = s;
    return 0;
}
