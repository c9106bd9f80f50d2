/* tests/unit/mock-provider/providers/schema_check.h — a small JSON Schema validator written for the tests,
 * independent of the generator: it checks a value against a schema and says where and why it fails.
 *
 * Covers what the generator claims: type (and unions), properties, required, additionalProperties (false or
 * a schema), minProperties, items / prefixItems / tuple items, minItems, maxItems, uniqueItems (deep
 * equality), minimum, maximum,
 * exclusiveMinimum, exclusiveMaximum (numbers and draft-4 booleans), multipleOf, minLength, maxLength (in
 * code points), pattern (ECMA escapes translated to POSIX extended regexes, searched unanchored like JSON
 * Schema does), format (email, uuid, date, time, date-time, uri, hostname, ipv4, ipv6, duration), enum,
 * const (deep equality), anyOf, oneOf (exactly one), allOf, $ref (JSON pointers into the same schema),
 * boolean schemas. Header-only, like fixture.h. */
#ifndef TESTS_PROVIDERS_SCHEMA_CHECK_H
#define TESTS_PROVIDERS_SCHEMA_CHECK_H

#include <arpa/inet.h>
#include <math.h>
#include <regex.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/json.h"

typedef struct sc {
    const cm_json_doc_t *s; /* schema document */
    uint32_t root;
    const cm_json_doc_t *v; /* value document */
    char where[1024];       /* first failure: path and reason */
    int refs;               /* $ref hops on the current path, bounded against cycles */
} sc_t;

static bool sc_check(sc_t *c, uint32_t schema, uint32_t value, const char *path);

static inline bool sc_fail(sc_t *c, const char *path, const char *why, const char *detail)
{
    if (c->where[0] == '\0')
        snprintf(c->where, sizeof(c->where), "%s: %s %s", path[0] ? path : "(root)", why, detail ? detail : "");
    return false;
}

static inline char *sc_string(const cm_json_doc_t *d, uint32_t t)
{
    size_t n = cm_json_unescape(d, t, NULL, 0);
    char *s = malloc(n + 1);
    cm_json_unescape(d, t, s, n + 1);
    return s;
}

static inline bool sc_equal(const cm_json_doc_t *a, uint32_t x, const cm_json_doc_t *b, uint32_t y)
{
    cm_json_type_t tx = cm_json_type(a, x), ty = cm_json_type(b, y);
    if (tx != ty)
        return false;
    if (tx == CM_JSON_NUMBER) {
        double p, q;
        cm_json_double(a, x, &p);
        cm_json_double(b, y, &q);
        return p == q;
    }
    if (tx == CM_JSON_STRING) {
        char *p = sc_string(a, x), *q = sc_string(b, y);
        bool eq = strcmp(p, q) == 0;
        free(p);
        free(q);
        return eq;
    }
    if (tx == CM_JSON_ARRAY) {
        if (a->tok[x].count != b->tok[y].count)
            return false;
        for (uint32_t i = cm_json_first(a, x), j = cm_json_first(b, y); i;
             i = cm_json_next(a, i), j = cm_json_next(b, j))
            if (!sc_equal(a, i, b, j))
                return false;
        return true;
    }
    if (tx == CM_JSON_OBJECT) {
        if (a->tok[x].count != b->tok[y].count)
            return false;
        for (uint32_t k = cm_json_first(a, x); k; k = cm_json_next(a, k + 1)) {
            char *key = sc_string(a, k);
            uint32_t other = cm_json_get(b, y, key);
            free(key);
            if (other == 0 || !sc_equal(a, k + 1, b, other))
                return false;
        }
        return true;
    }
    return true;
}

static inline uint32_t sc_kw(const sc_t *c, uint32_t schema, const char *key)
{
    return cm_json_type(c->s, schema) == CM_JSON_OBJECT ? cm_json_get(c->s, schema, key) : 0;
}

static inline bool sc_num(const sc_t *c, uint32_t schema, const char *key, double *out)
{
    uint32_t t = sc_kw(c, schema, key);
    return t != 0 && cm_json_type(c->s, t) == CM_JSON_NUMBER && cm_json_double(c->s, t, out) == 0;
}

static inline bool sc_type_is(const sc_t *c, uint32_t value, const char *name)
{
    cm_json_type_t t = cm_json_type(c->v, value);
    int64_t i;
    double x;
    if (!strcmp(name, "integer"))
        return t == CM_JSON_NUMBER && cm_json_double(c->v, value, &x) == 0 && x == floor(x);
    if (!strcmp(name, "number"))
        return t == CM_JSON_NUMBER;
    (void)i;
    return (!strcmp(name, "string") && t == CM_JSON_STRING) || (!strcmp(name, "object") && t == CM_JSON_OBJECT) ||
           (!strcmp(name, "array") && t == CM_JSON_ARRAY) || (!strcmp(name, "null") && t == CM_JSON_NULL) ||
           (!strcmp(name, "boolean") && (t == CM_JSON_TRUE || t == CM_JSON_FALSE));
}

static inline bool sc_type(sc_t *c, uint32_t schema, uint32_t value, const char *path)
{
    uint32_t t = sc_kw(c, schema, "type");
    if (t == 0)
        return true;
    char name[16];
    if (cm_json_type(c->s, t) == CM_JSON_STRING) {
        cm_json_unescape(c->s, t, name, sizeof(name));
        return sc_type_is(c, value, name) || sc_fail(c, path, "not of type", name);
    }
    for (uint32_t e = cm_json_first(c->s, t); e; e = cm_json_next(c->s, e)) {
        cm_json_unescape(c->s, e, name, sizeof(name));
        if (sc_type_is(c, value, name))
            return true;
    }
    return sc_fail(c, path, "none of the types", NULL);
}

/* ECMA pattern -> POSIX extended: \d \w \s and their negations, (?: and (?<name>, \uXXXX for ASCII. */
static inline void sc_translate(const char *p, char *out, size_t cap)
{
    size_t o = 0;
    bool in_class = false;
    for (size_t i = 0; p[i] && o + 16 < cap; i++) {
        char ch = p[i];
        if (ch == '\\' && p[i + 1]) {
            char e = p[++i];
            const char *rep = NULL;
            switch (e) {
            case 'd':
                rep = in_class ? "0-9" : "[0-9]";
                break;
            case 'w':
                rep = in_class ? "A-Za-z0-9_" : "[A-Za-z0-9_]";
                break;
            case 's':
                rep = in_class ? "[:space:]" : "[[:space:]]";
                break;
            case 'D':
                rep = "[^0-9]";
                break;
            case 'W':
                rep = "[^A-Za-z0-9_]";
                break;
            case 'S':
                rep = "[^[:space:]]";
                break;
            case 'n':
                rep = "\n";
                break;
            case 't':
                rep = "\t";
                break;
            default:
                break;
            }
            if (rep) {
                o += (size_t)snprintf(out + o, cap - o, "%s", rep);
            } else if (e == 'u') {
                char hex[5] = {p[i + 1], p[i + 2], p[i + 3], p[i + 4], 0};
                i += 4;
                o += (size_t)snprintf(out + o, cap - o, in_class ? "%c" : "[%c]", (char)strtol(hex, NULL, 16));
            } else if (in_class) {
                out[o++] = e == ']' || e == '\\' ? '\\' : e;
                if (e == ']' || e == '\\')
                    out[o++] = e;
            } else {
                o += (size_t)snprintf(out + o, cap - o, "[%c]", e);
            }
            continue;
        }
        if (!in_class && ch == '(' && p[i + 1] == '?') {
            out[o++] = '(';
            i += p[i + 2] == ':' ? 2 : (size_t)(strchr(p + i, '>') - (p + i));
            continue;
        }
        if (!in_class && ch == '[')
            in_class = true;
        else if (in_class && ch == ']')
            in_class = false;
        out[o++] = ch;
    }
    out[o] = '\0';
}

static inline bool sc_regex(const char *re, const char *s)
{
    regex_t r;
    if (regcomp(&r, re, REG_EXTENDED | REG_NOSUB) != 0)
        fail_msg("test regex does not compile: %s", re);
    bool ok = regexec(&r, s, 0, NULL, 0) == 0;
    regfree(&r);
    return ok;
}

static inline bool sc_format(const char *f, const char *s)
{
    static const char *const forms[][2] = {
        {"email", "^[^@[:space:]]+@[^@[:space:]]+\\.[^@[:space:]]+$"},
        {"uuid", "^[0-9a-f]{8}-[0-9a-f]{4}-[1-5][0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$"},
        {"date", "^[0-9]{4}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])$"},
        {"time", "^([01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9](\\.[0-9]+)?(Z|[+-]([01][0-9]|2[0-3]):[0-5][0-9])$"},
        {"date-time", "^[0-9]{4}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])T([01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9]"
                      "(\\.[0-9]+)?(Z|[+-][0-9]{2}:[0-9]{2})$"},
        {"uri", "^[a-zA-Z][a-zA-Z0-9+.-]*:[^[:space:]]+$"},
        {"hostname", "^[a-zA-Z0-9]([a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?(\\.[a-zA-Z0-9]([a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?)*$"},
        {"duration", "^P([0-9]+Y)?([0-9]+M)?([0-9]+W)?([0-9]+D)?(T([0-9]+H)?([0-9]+M)?([0-9]+S)?)?$"},
    };
    unsigned char addr[16];
    if (!strcmp(f, "ipv4"))
        return inet_pton(AF_INET, s, addr) == 1;
    if (!strcmp(f, "ipv6"))
        return inet_pton(AF_INET6, s, addr) == 1;
    for (size_t i = 0; i < sizeof(forms) / sizeof(forms[0]); i++)
        if (!strcmp(f, forms[i][0]))
            return sc_regex(forms[i][1], s) && strcmp(s, "P") != 0 && strcmp(s, "PT") != 0;
    return true; /* unknown formats are annotations */
}

static inline bool sc_string_kw(sc_t *c, uint32_t schema, uint32_t value, const char *path)
{
    char *s = sc_string(c->v, value);
    size_t chars = 0;
    for (const char *p = s; *p; p++)
        chars += ((unsigned char)*p & 0xc0) != 0x80;
    double x;
    bool ok = true;
    if (sc_num(c, schema, "minLength", &x) && chars < x)
        ok = sc_fail(c, path, "shorter than minLength:", s);
    if (ok && sc_num(c, schema, "maxLength", &x) && chars > x)
        ok = sc_fail(c, path, "longer than maxLength:", s);
    uint32_t t = sc_kw(c, schema, "pattern");
    if (ok && t != 0) {
        char *pat = sc_string(c->s, t), re[2048];
        sc_translate(pat, re, sizeof(re));
        if (!sc_regex(re, s))
            ok = sc_fail(c, path, "does not match the pattern:", s);
        free(pat);
    }
    t = sc_kw(c, schema, "format");
    if (ok && t != 0) {
        char f[32];
        cm_json_unescape(c->s, t, f, sizeof(f));
        if (!sc_format(f, s))
            ok = sc_fail(c, path, "does not have the format:", s);
    }
    free(s);
    return ok;
}

static inline bool sc_number_kw(sc_t *c, uint32_t schema, uint32_t value, const char *path)
{
    double x, b;
    cm_json_double(c->v, value, &x);
    uint32_t exmin = sc_kw(c, schema, "exclusiveMinimum"), exmax = sc_kw(c, schema, "exclusiveMaximum");
    bool old_lo = exmin && cm_json_type(c->s, exmin) == CM_JSON_TRUE;
    bool old_hi = exmax && cm_json_type(c->s, exmax) == CM_JSON_TRUE;
    if (sc_num(c, schema, "minimum", &b) && (old_lo ? x <= b : x < b))
        return sc_fail(c, path, "below minimum", NULL);
    if (sc_num(c, schema, "maximum", &b) && (old_hi ? x >= b : x > b))
        return sc_fail(c, path, "above maximum", NULL);
    if (sc_num(c, schema, "exclusiveMinimum", &b) && x <= b)
        return sc_fail(c, path, "not above exclusiveMinimum", NULL);
    if (sc_num(c, schema, "exclusiveMaximum", &b) && x >= b)
        return sc_fail(c, path, "not below exclusiveMaximum", NULL);
    if (sc_num(c, schema, "multipleOf", &b)) {
        double q = x / b;
        if (fabs(q - round(q)) > 1e-9 * fmax(1, fabs(q)))
            return sc_fail(c, path, "not a multiple", NULL);
    }
    return true;
}

static inline bool sc_object_kw(sc_t *c, uint32_t schema, uint32_t value, const char *path)
{
    char p[512];
    uint32_t req = sc_kw(c, schema, "required"), props = sc_kw(c, schema, "properties");
    uint32_t addl = sc_kw(c, schema, "additionalProperties");
    double x;
    for (uint32_t r = req ? cm_json_first(c->s, req) : 0; r; r = cm_json_next(c->s, r)) {
        char *name = sc_string(c->s, r);
        bool there = cm_json_get(c->v, value, name) != 0;
        if (!there)
            sc_fail(c, path, "misses required", name);
        free(name);
        if (!there)
            return false;
    }
    if (sc_num(c, schema, "minProperties", &x) && c->v->tok[value].count < x)
        return sc_fail(c, path, "fewer than minProperties", NULL);
    for (uint32_t k = cm_json_first(c->v, value); k; k = cm_json_next(c->v, k + 1)) {
        char *name = sc_string(c->v, k);
        uint32_t sub = props ? cm_json_get(c->s, props, name) : 0;
        snprintf(p, sizeof(p), "%s.%s", path, name);
        free(name);
        if (sub == 0 && addl != 0 && cm_json_type(c->s, addl) == CM_JSON_FALSE)
            return sc_fail(c, p, "is not allowed", NULL);
        if (!sc_check(c, sub ? sub : addl, k + 1, p))
            return false;
    }
    return true;
}

static inline bool sc_array_kw(sc_t *c, uint32_t schema, uint32_t value, const char *path)
{
    double x;
    uint32_t n = c->v->tok[value].count;
    if (sc_num(c, schema, "minItems", &x) && n < x)
        return sc_fail(c, path, "fewer than minItems", NULL);
    if (sc_num(c, schema, "maxItems", &x) && n > x)
        return sc_fail(c, path, "more than maxItems", NULL);
    uint32_t unique = sc_kw(c, schema, "uniqueItems");
    for (uint32_t a = unique && cm_json_type(c->s, unique) == CM_JSON_TRUE ? cm_json_first(c->v, value) : 0; a;
         a = cm_json_next(c->v, a))
        for (uint32_t b = cm_json_next(c->v, a); b; b = cm_json_next(c->v, b))
            if (sc_equal(c->v, a, c->v, b))
                return sc_fail(c, path, "has equal items despite uniqueItems", NULL);
    uint32_t items = sc_kw(c, schema, "items"), tuple = sc_kw(c, schema, "prefixItems");
    if (items && cm_json_type(c->s, items) == CM_JSON_ARRAY) {
        tuple = items;
        items = sc_kw(c, schema, "additionalItems");
    }
    uint32_t i = 0, t = tuple ? cm_json_first(c->s, tuple) : 0;
    char p[512];
    for (uint32_t e = cm_json_first(c->v, value); e; e = cm_json_next(c->v, e), i++) {
        snprintf(p, sizeof(p), "%s[%u]", path, i);
        if (!sc_check(c, t ? t : items, e, p))
            return false;
        t = t ? cm_json_next(c->s, t) : 0;
    }
    return true;
}

static inline uint32_t sc_resolve(const sc_t *c, const char *ref)
{
    if (ref[0] != '#')
        return 0;
    uint32_t t = c->root;
    char seg[256];
    for (const char *p = ref + 1; *p == '/' && t;) {
        size_t n = strcspn(p + 1, "/");
        size_t o = 0;
        for (size_t i = 0; i < n; i++) {
            char ch = p[1 + i];
            if (ch == '~')
                ch = p[1 + ++i] == '0' ? '~' : '/';
            seg[o++] = ch;
        }
        seg[o] = '\0';
        t = cm_json_type(c->s, t) == CM_JSON_OBJECT ? cm_json_get(c->s, t, seg) : 0;
        p += 1 + n;
    }
    return t;
}

static inline bool sc_combinators(sc_t *c, uint32_t schema, uint32_t value, const char *path)
{
    uint32_t t;
    if ((t = sc_kw(c, schema, "allOf")) != 0)
        for (uint32_t e = cm_json_first(c->s, t); e; e = cm_json_next(c->s, e))
            if (!sc_check(c, e, value, path))
                return false;
    sc_t probe = *c;
    if ((t = sc_kw(c, schema, "anyOf")) != 0) {
        bool any = false;
        for (uint32_t e = cm_json_first(c->s, t); e && !any; e = cm_json_next(c->s, e)) {
            probe.where[0] = '\0';
            any = sc_check(&probe, e, value, path);
        }
        if (!any)
            return sc_fail(c, path, "matches no anyOf branch", probe.where);
    }
    if ((t = sc_kw(c, schema, "oneOf")) != 0) {
        int matches = 0;
        for (uint32_t e = cm_json_first(c->s, t); e; e = cm_json_next(c->s, e)) {
            probe.where[0] = '\0';
            matches += sc_check(&probe, e, value, path);
        }
        if (matches != 1)
            return sc_fail(c, path, "does not match exactly one oneOf branch", NULL);
    }
    return true;
}

static bool sc_check(sc_t *c, uint32_t schema, uint32_t value, const char *path)
{
    if (schema == 0 || cm_json_type(c->s, schema) == CM_JSON_TRUE)
        return true;
    if (cm_json_type(c->s, schema) == CM_JSON_FALSE)
        return sc_fail(c, path, "is not allowed (false schema)", NULL);
    uint32_t ref = sc_kw(c, schema, "$ref"), t;
    if (ref != 0) {
        char *r = sc_string(c->s, ref);
        uint32_t target = sc_resolve(c, r);
        free(r);
        if (target == 0 || c->refs > 64)
            return sc_fail(c, path, "has an unresolvable or endless $ref", NULL);
        c->refs++;
        bool ok = sc_check(c, target, value, path);
        c->refs--;
        if (!ok)
            return false;
    }
    if (!sc_type(c, schema, value, path) || !sc_combinators(c, schema, value, path))
        return false;
    if ((t = sc_kw(c, schema, "const")) != 0 && !sc_equal(c->s, t, c->v, value))
        return sc_fail(c, path, "differs from const", NULL);
    if ((t = sc_kw(c, schema, "enum")) != 0) {
        bool found = false;
        for (uint32_t e = cm_json_first(c->s, t); e && !found; e = cm_json_next(c->s, e))
            found = sc_equal(c->s, e, c->v, value);
        if (!found)
            return sc_fail(c, path, "not in enum", NULL);
    }
    switch (cm_json_type(c->v, value)) {
    case CM_JSON_STRING:
        return sc_string_kw(c, schema, value, path);
    case CM_JSON_NUMBER:
        return sc_number_kw(c, schema, value, path);
    case CM_JSON_OBJECT:
        return sc_object_kw(c, schema, value, path);
    case CM_JSON_ARRAY:
        return sc_array_kw(c, schema, value, path);
    default:
        return true;
    }
}

/* Validates value (JSON text) against the schema at token root of schema_doc (a member value: token 0, the
 * document's root, stands for "no schema" here as in the generator, and is refused to keep tests honest). Returns NULL
 * when valid, else a static description of the first failure. */
static inline const char *sc_validate(const cm_json_doc_t *schema_doc, uint32_t root, const char *value)
{
    static sc_t c;
    static cm_json_toks_t toks;
    static cm_json_doc_t vd;
    char err[160];
    memset(&c, 0, sizeof(c));
    if (cm_json_parse(&vd, value, strlen(value), &toks, err, sizeof(err)) != 0) {
        snprintf(c.where, sizeof(c.where), "not JSON: %s", err);
        return c.where;
    }
    if (root == 0)
        fail_msg("sc_validate needs the schema as a member value, not token 0");
    c.s = schema_doc;
    c.root = root;
    c.v = &vd;
    return sc_check(&c, root, 0, "") ? NULL : c.where;
}

#endif
