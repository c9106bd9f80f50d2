#include "mock-provider/providers/anthropic/anthropic_check.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "mock-provider/providers/render.h"

int mp_an_fail(mp_an_ctx_t *c, const char *fmt, ...)
{
    mp_error_t *e = c->err;
    e->kind = MP_ERR_BAD_REQUEST;
    e->status = 400;
    e->param[0] = '\0';
    e->code[0] = '\0';
    e->request_id = NULL;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(e->message, sizeof(e->message), fmt, ap);
    va_end(ap);
    mp_trim_utf8(e->message);
    return -1;
}

bool mp_an_is(const cm_json_doc_t *d, uint32_t t, const char *s)
{
    const cm_json_tok_t *k = &d->tok[t];
    if (k->type != CM_JSON_STRING)
        return false;
    if (k->escaped)
        return cm_json_str_eq(d, t, s);
    size_t n = strlen(s);
    return k->len == n && memcmp(d->src + k->start, s, n) == 0;
}

void mp_an_key_name(const mp_an_ctx_t *c, uint32_t key, char *out, size_t cap)
{
    cm_json_unescape(&c->d, key, out, cap);
    mp_trim_utf8(out);
}

static const char *const type_words[] = {
    [MP_AN_ANY] = "value",    [MP_AN_STR] = "string",     [MP_AN_INT] = "integer", [MP_AN_NUM] = "number",
    [MP_AN_BOOL] = "boolean", [MP_AN_OBJ] = "dictionary", [MP_AN_LIST] = "list",
};

/* pydantic reads an integer literal of any size, so 10^20 is an integer: a range check, or the caller's
 * saturated value, decides what it means. A number with a fraction or an exponent is one only when it fits. */
static bool integral(const mp_an_ctx_t *c, uint32_t t)
{
    int64_t i;
    if (cm_json_int(&c->d, t, &i) == 0)
        return true;
    cm_str_t raw = cm_json_raw(&c->d, t);
    for (size_t k = raw.p[0] == '-'; k < raw.n; k++)
        if (raw.p[k] < '0' || raw.p[k] > '9')
            return false;
    return true;
}

int64_t mp_an_int_value(const mp_an_ctx_t *c, uint32_t t)
{
    int64_t i;
    if (cm_json_int(&c->d, t, &i) == 0)
        return i;
    return c->d.src[c->d.tok[t].start] == '-' ? INT64_MIN : INT64_MAX;
}

int mp_an_want(mp_an_ctx_t *c, uint32_t t, mp_an_type_t type, const char *path)
{
    cm_json_type_t jt = cm_json_type(&c->d, t);
    bool ok = type == MP_AN_ANY || (type == MP_AN_STR && jt == CM_JSON_STRING) ||
              (type == MP_AN_INT && jt == CM_JSON_NUMBER && integral(c, t)) ||
              (type == MP_AN_NUM && jt == CM_JSON_NUMBER) ||
              (type == MP_AN_BOOL && (jt == CM_JSON_TRUE || jt == CM_JSON_FALSE)) ||
              (type == MP_AN_OBJ && jt == CM_JSON_OBJECT) || (type == MP_AN_LIST && jt == CM_JSON_ARRAY);
    if (ok)
        return 0;
    if (type == MP_AN_INT && jt == CM_JSON_NUMBER)
        return mp_an_fail(c, "%s: Input should be a valid integer, got a number with a fractional part", path);
    return mp_an_fail(c, "%s: Input should be a valid %s", path, type_words[type]);
}

/* Bounds print as pydantic prints them: integers without a fraction, others in their shortest form. */
int mp_an_range(mp_an_ctx_t *c, uint32_t t, double min, double max, const char *path)
{
    double x = 0;
    if (cm_json_double(&c->d, t, &x) != 0) /* beyond a double (1e400): out of range on the side of its sign */
        x = c->d.src[c->d.tok[t].start] == '-' ? -HUGE_VAL : HUGE_VAL;
    if (x < min)
        return mp_an_fail(c, "%s: Input should be greater than or equal to %g", path, min);
    if (x > max)
        return mp_an_fail(c, "%s: Input should be less than or equal to %g", path, max);
    return 0;
}

/* "'a'", "'a' or 'b'", "'a', 'b' or 'c'" as pydantic lists literals; with_or false joins them all with
 * commas (the expected tags of a union). */
static void join(char *out, size_t cap, const char *const *v, bool with_or)
{
    size_t n = 0, o = 0;
    while (v[n] != NULL)
        n++;
    out[0] = '\0';
    for (size_t i = 0; i < n && o < cap; i++) {
        const char *sep = i == 0 ? "" : with_or && i + 1 == n ? " or " : ", ";
        int w = snprintf(out + o, cap - o, "%s'%s'", sep, v[i]);
        o += w > 0 ? (size_t)w : 0;
    }
}

int mp_an_literal(mp_an_ctx_t *c, uint32_t t, const char *const *values, const char *path)
{
    for (int i = 0; values[i] != NULL && cm_json_type(&c->d, t) == CM_JSON_STRING; i++)
        if (mp_an_is(&c->d, t, values[i]))
            return i;
    char list[400];
    join(list, sizeof(list), values, true);
    return mp_an_fail(c, "%s: Input should be %s", path, list);
}

int mp_an_tag(mp_an_ctx_t *c, uint32_t t, const char *const *tags, const char *path)
{
    if (cm_json_type(&c->d, t) != CM_JSON_OBJECT)
        return mp_an_fail(c, "%s: Input should be a valid dictionary or object to extract fields from", path);
    uint32_t type = cm_json_get(&c->d, t, "type");
    if (type == 0 || cm_json_type(&c->d, type) != CM_JSON_STRING)
        return mp_an_fail(c, "%s: Unable to extract tag using discriminator 'type'", path);
    for (int i = 0; tags[i] != NULL; i++)
        if (mp_an_is(&c->d, type, tags[i]))
            return i;
    char got[64], list[600];
    mp_an_key_name(c, type, got, sizeof(got));
    join(list, sizeof(list), tags, false);
    return mp_an_fail(c, "%s: Input tag '%s' found using 'type' does not match any of the expected tags: %s", path, got,
                      list);
}

int mp_an_member(mp_an_ctx_t *c, uint32_t obj, const char *key, mp_an_type_t type, const char *path, uint32_t *out)
{
    char p[160];
    snprintf(p, sizeof(p), "%s.%s", path, key);
    uint32_t t = cm_json_get(&c->d, obj, key);
    if (t == 0)
        return mp_an_fail(c, "%s: Field required", p);
    if (mp_an_want(c, t, type, p) != 0)
        return -1;
    if (out != NULL)
        *out = t;
    return 0;
}
