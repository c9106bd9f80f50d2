/* Google's schemas and the values the fake model writes for them. Function parameters and responseSchema use
 * Google's OpenAPI subset: types in upper case ("OBJECT", "STRING"), "nullable": true, and int64 bounds
 * (minItems, maxLength...) that proto JSON may carry as strings. Those are rewritten into JSON Schema (lower
 * case types, ["t","null"] for nullable, numbers) and handed to the schema generator, which already reads
 * JSON Schema; parametersJsonSchema and responseJsonSchema go to it as they are. */
#include <stdio.h>
#include <string.h>

#include "mock-provider/providers/gemini/gemini.h"
#include "mock-provider/providers/render.h"
#include "mock-provider/providers/schema/schema_gen.h"

static bool raw_is(const cm_json_doc_t *d, uint32_t t, const char *s)
{
    cm_str_t r = cm_json_raw(d, t);
    return cm_json_type(d, t) == CM_JSON_STRING && strlen(s) == r.n && memcmp(r.p, s, r.n) == 0;
}

/* Google's Type enum to JSON Schema's type names; NULL for TYPE_UNSPECIFIED (no constraint). */
static const char *lower_type(const cm_json_doc_t *d, uint32_t t, bool *known)
{
    static const char *const upper[] = {"STRING", "NUMBER", "INTEGER", "BOOLEAN", "ARRAY", "OBJECT", "NULL"};
    static const char *const lower[] = {"string", "number", "integer", "boolean", "array", "object", "null"};
    *known = true;
    for (size_t i = 0; i < sizeof(upper) / sizeof(upper[0]); i++)
        if (raw_is(d, t, upper[i]) || raw_is(d, t, lower[i]))
            return lower[i];
    *known = raw_is(d, t, "TYPE_UNSPECIFIED");
    return NULL;
}

static bool is_int64_bound(const cm_json_doc_t *d, uint32_t k)
{
    static const char *const keys[] = {"minItems",      "maxItems",      "minLength",      "maxLength",
                                       "minProperties", "maxProperties", "min_items",      "max_items",
                                       "min_length",    "max_length",    "min_properties", "max_properties"};
    for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
        if (raw_is(d, k, keys[i]))
            return true;
    return false;
}

/* A string holding a plain non-negative integer ("3"), pasted as the number. */
static bool digits_only(cm_str_t s)
{
    if (s.n == 0 || s.n > 18)
        return false;
    for (size_t i = 0; i < s.n; i++)
        if (s.p[i] < '0' || s.p[i] > '9')
            return false;
    return true;
}

/* Request bytes for a message: printable ASCII only, at most 40. */
static void printable(char *out, size_t cap, cm_str_t s)
{
    size_t o = 0;
    for (size_t i = 0; i < s.n && i < 40 && o + 1 < cap; i++)
        out[o++] = s.p[i] >= 0x20 && s.p[i] < 0x7f ? s.p[i] : '?';
    out[o] = '\0';
}

typedef struct norm {
    const cm_json_doc_t *d;
    cm_buf_t out;
    char bad[96]; /* the path of an unknown type, when one is found */
} norm_t;

static void value(norm_t *n, uint32_t t);

static void put_key(norm_t *n, uint32_t k, bool *first)
{
    if (!*first)
        cm_buf_putc(&n->out, ',');
    *first = false;
    cm_buf_putc(&n->out, '"');
    cm_str_t r = cm_json_raw(n->d, k);
    cm_buf_append(&n->out, r.p, r.n);
    MP_PUT_LIT(&n->out, "\":");
}

static void object(norm_t *n, uint32_t t)
{
    const cm_json_doc_t *d = n->d;
    uint32_t nullable = cm_json_get(d, t, "nullable");
    bool null_ok = nullable != 0 && cm_json_type(d, nullable) == CM_JSON_TRUE, first = true;
    cm_buf_putc(&n->out, '{');
    for (uint32_t k = cm_json_first(d, t); k != 0; k = cm_json_next(d, k + 1)) {
        uint32_t v = k + 1;
        if (raw_is(d, k, "nullable") || raw_is(d, k, "propertyOrdering") || raw_is(d, k, "property_ordering"))
            continue;
        if (raw_is(d, k, "type") && cm_json_type(d, v) == CM_JSON_STRING) {
            bool known;
            const char *lt = lower_type(d, v, &known);
            if (!known && n->bad[0] == '\0')
                printable(n->bad, sizeof(n->bad), cm_json_raw(d, v));
            if (lt == NULL)
                continue;
            put_key(n, k, &first);
            cm_buf_putc(&n->out, null_ok ? '[' : '"');
            if (null_ok)
                cm_buf_putc(&n->out, '"');
            cm_buf_puts(&n->out, lt);
            cm_buf_puts(&n->out, null_ok ? "\",\"null\"]" : "\"");
            continue;
        }
        put_key(n, k, &first);
        cm_str_t r = cm_json_raw(d, v);
        if (is_int64_bound(d, k) && cm_json_type(d, v) == CM_JSON_STRING && digits_only(r))
            cm_buf_append(&n->out, r.p, r.n);
        else
            value(n, v);
    }
    cm_buf_putc(&n->out, '}');
}

static void value(norm_t *n, uint32_t t)
{
    const cm_json_doc_t *d = n->d;
    switch (cm_json_type(d, t)) {
    case CM_JSON_OBJECT:
        object(n, t);
        break;
    case CM_JSON_ARRAY:
        cm_buf_putc(&n->out, '[');
        for (uint32_t e = cm_json_first(d, t); e != 0; e = cm_json_next(d, e)) {
            if (e != cm_json_first(d, t))
                cm_buf_putc(&n->out, ',');
            value(n, e);
        }
        cm_buf_putc(&n->out, ']');
        break;
    case CM_JSON_STRING:
        cm_buf_putc(&n->out, '"');
        cm_buf_append(&n->out, d->src + d->tok[t].start, d->tok[t].len);
        cm_buf_putc(&n->out, '"');
        break;
    default:
        cm_buf_append(&n->out, d->src + d->tok[t].start, d->tok[t].len);
        break;
    }
}

/* Generates from a schema held as JSON text: the text is wrapped as {"s":<schema>} (the generator takes a
 * member value) and parsed with tokens from the request's allocator, sized for the text (a token takes two
 * bytes at least, with its separator), so the reader never grows them. */
static int generate_text(mp_gm_ctx_t *c, const char *schema, size_t len, uint64_t seed, int flags, const char **out,
                         char *why, size_t whylen)
{
    cm_buf_t text = CM_BUF_INIT, value_buf = CM_BUF_INIT;
    MP_PUT_LIT(&text, "{\"s\":");
    cm_buf_append(&text, schema, len);
    cm_buf_putc(&text, '}');
    uint32_t cap = (uint32_t)(text.len / 2 + 8);
    cm_json_toks_t toks = {.v = cm_alloc(c->a, (size_t)cap * sizeof(cm_json_tok_t)), .cap = cap};
    cm_json_doc_t d;
    char jerr[96];
    int rc = -1;
    if (cm_json_parse(&d, text.data, text.len, &toks, jerr, sizeof(jerr)) != 0) {
        snprintf(why, whylen, "is not valid JSON");
    } else if (mp_schema_generate(&d, 2, seed, flags, &value_buf, why, whylen) == 0) {
        char *s = cm_alloc(c->a, value_buf.len + 1);
        memcpy(s, value_buf.data ? value_buf.data : "", value_buf.len);
        s[value_buf.len] = '\0';
        *out = s;
        rc = 0;
    }
    cm_buf_free(&value_buf);
    cm_buf_free(&text);
    return rc;
}

int mp_gm_generate_text(mp_gm_ctx_t *c, const char *json_schema, uint64_t seed, int flags, const char **out, char *why,
                        size_t whylen)
{
    return generate_text(c, json_schema, strlen(json_schema), seed, flags, out, why, whylen);
}

int mp_gm_generate(mp_gm_ctx_t *c, uint32_t schema, bool json_schema, uint64_t seed, int flags, const char **out,
                   char *why, size_t whylen)
{
    if (json_schema) {
        cm_buf_t b = CM_BUF_INIT;
        if (mp_schema_generate(&c->d, schema, seed, flags, &b, why, whylen) != 0) {
            cm_buf_free(&b);
            return -1;
        }
        char *s = cm_alloc(c->a, b.len + 1);
        memcpy(s, b.data ? b.data : "", b.len);
        s[b.len] = '\0';
        *out = s;
        cm_buf_free(&b);
        return 0;
    }
    norm_t n = {.d = &c->d, .out = CM_BUF_INIT};
    value(&n, schema);
    int rc;
    if (n.bad[0] != '\0') {
        snprintf(why, whylen, "has an unknown type %s", n.bad);
        rc = -1;
    } else {
        rc = generate_text(c, n.out.data, n.out.len, seed, flags, out, why, whylen);
    }
    cm_buf_free(&n.out);
    return rc;
}
