/* Structured output: chat "response_format" ({type, json_schema: {name, schema, strict}}) and the Responses
 * API's "text.format" (the same, flattened). The JSON the fake model answers with is made here, once, by the
 * schema generator; the exchange streams it in pieces like tool-call arguments. Errors copy OpenAI's: the
 * strict-mode schema errors ("Invalid schema for response_format 'x': In context=(), ...") are real
 * messages seen in client bug reports; chat reports them with param "response_format" and code null, the
 * Responses API with param "text.format.schema" and code "invalid_json_schema". */
#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "mock-provider/providers/openai/openai.h"
#include "mock-provider/providers/render.h"
#include "mock-provider/providers/schema/schema_gen.h"
#include "mock-provider/providers/schema/schema_hint.h"

/* Where the parts of a format are, and how errors name them, per api. */
typedef struct where {
    const char *base;         /* "response_format" / "text.format" */
    const char *inner;        /* holder of name/schema/strict: "response_format.json_schema" / "text.format" */
    const char *schema_param; /* schema problems: "response_format" / "text.format.schema" */
    const char *schema_code;  /* NULL / "invalid_json_schema" */
    const char *convo;        /* "messages" / "input" */
    const char *json_word;    /* the error when json_object is asked without the word "json" */
} where_t;

static const where_t chat_where = {
    "response_format",
    "response_format.json_schema",
    "response_format",
    NULL,
    "messages",
    "'messages' must contain the word 'json' in some form, to use 'response_format' of type 'json_object'.",
};
static const where_t responses_where = {
    "text.format",
    "text.format",
    "text.format.schema",
    "invalid_json_schema",
    "input",
    "Response input messages must contain the word 'json' in some form to use 'text.format' of type "
    "'json_object'.",
};

/* ---- strict mode ---------------------------------------------------------------------------------- */

typedef struct strict {
    const cm_json_doc_t *d;
    char ctx[160]; /* "'properties', 'a', 'items'": the path OpenAI prints as context=(...) */
    char *why;
    size_t whylen;
} strict_t;

static int strict_fail(strict_t *s, const char *what, const char *missing)
{
    snprintf(s->why, s->whylen, "In context=(%s), %s%s%s%s", s->ctx, what, missing ? " Missing '" : "",
             missing ? missing : "", missing ? "'." : "");
    return -1;
}

/* Every key of props is in required (an array of strings). */
static int strict_required(strict_t *s, uint32_t props, uint32_t req)
{
    static const char msg[] = "'required' is required to be supplied and to be an array including every key in "
                              "properties.";
    const cm_json_doc_t *d = s->d;
    for (uint32_t k = props ? cm_json_first(d, props) : 0; k != 0; k = cm_json_next(d, k + 1)) {
        bool listed = false;
        cm_str_t key = cm_json_raw(d, k);
        for (uint32_t r = req ? cm_json_first(d, req) : 0; r != 0 && !listed; r = cm_json_next(d, r)) {
            cm_str_t name = cm_json_raw(d, r);
            listed = cm_json_type(d, r) == CM_JSON_STRING && name.n == key.n && memcmp(name.p, key.p, key.n) == 0;
        }
        if (!listed) {
            char name[64];
            cm_json_unescape(d, k, name, sizeof(name));
            mp_trim_utf8(name);
            return strict_fail(s, msg, name);
        }
    }
    if (props != 0 && (req == 0 || cm_json_type(d, req) != CM_JSON_ARRAY))
        return strict_fail(s, msg, NULL);
    return 0;
}

static int strict_node(strict_t *s, uint32_t t, int depth);

/* Runs strict_node on child t with seg appended to the context ("'properties', 'name'"; array indices are
 * quoted too: context=('anyOf', '0') upstream). */
static int strict_child(strict_t *s, uint32_t t, const char *seg, size_t seglen, int depth)
{
    size_t len = strlen(s->ctx);
    snprintf(s->ctx + len, sizeof(s->ctx) - len, "%s'%.*s'", len ? ", " : "", (int)seglen, seg);
    int rc = strict_node(s, t, depth + 1);
    s->ctx[len] = '\0';
    return rc;
}

/* The children of a container member named key: each value of an object (properties, $defs), each element
 * of an array (anyOf), or the member itself (items). */
static int strict_members(strict_t *s, uint32_t node, const char *key, int depth)
{
    const cm_json_doc_t *d = s->d;
    uint32_t m = cm_json_get(d, node, key);
    if (m == 0)
        return 0;
    size_t len = strlen(s->ctx);
    snprintf(s->ctx + len, sizeof(s->ctx) - len, "%s'%s'", len ? ", " : "", key);
    int rc = 0;
    char idx[16];
    if (!strcmp(key, "items"))
        rc = strict_node(s, m, depth + 1);
    else if (cm_json_type(d, m) == CM_JSON_OBJECT)
        for (uint32_t k = cm_json_first(d, m); k != 0 && rc == 0; k = cm_json_next(d, k + 1))
            rc = strict_child(s, k + 1, cm_json_raw(d, k).p, cm_json_raw(d, k).n, depth);
    else if (cm_json_type(d, m) == CM_JSON_ARRAY) {
        uint32_t i = 0;
        for (uint32_t e = cm_json_first(d, m); e != 0 && rc == 0; e = cm_json_next(d, e), i++) {
            int n = snprintf(idx, sizeof(idx), "%u", i);
            rc = strict_child(s, e, idx, (size_t)n, depth);
        }
    }
    s->ctx[len] = '\0';
    return rc;
}

static int strict_node(strict_t *s, uint32_t t, int depth)
{
    static const char *const children[] = {"properties", "items", "anyOf", "$defs", "definitions"};
    const cm_json_doc_t *d = s->d;
    if (cm_json_type(d, t) != CM_JSON_OBJECT || depth > CM_JSON_MAX_DEPTH)
        return 0;
    uint32_t props = cm_json_get(d, t, "properties"), type = cm_json_get(d, t, "type");
    bool object = props != 0 || (type != 0 && cm_json_str_eq(d, type, "object"));
    if (object) {
        uint32_t ap = cm_json_get(d, t, "additionalProperties");
        if (ap == 0 || cm_json_type(d, ap) != CM_JSON_FALSE)
            return strict_fail(s, "'additionalProperties' is required to be supplied and to be false.", NULL);
        if (strict_required(s, props && cm_json_type(d, props) == CM_JSON_OBJECT ? props : 0,
                            cm_json_get(d, t, "required")) != 0)
            return -1;
    }
    for (size_t i = 0; i < sizeof(children) / sizeof(children[0]); i++)
        if (strict_members(s, t, children[i], depth) != 0)
            return -1;
    return 0;
}

int mp_oa_strict_schema(const cm_json_doc_t *d, uint32_t schema, char *why, size_t whylen)
{
    strict_t s = {.d = d, .why = why, .whylen = whylen};
    uint32_t type = cm_json_type(d, schema) == CM_JSON_OBJECT ? cm_json_get(d, schema, "type") : 0;
    if (type == 0 || !cm_json_str_eq(d, type, "object")) {
        char got[32] = "None";
        if (type != 0 && cm_json_type(d, type) == CM_JSON_STRING)
            cm_json_unescape(d, type, got, sizeof(got));
        snprintf(why, whylen, "schema must be a JSON Schema of 'type: \"object\"', got 'type: \"%s\"'.", got);
        return -1;
    }
    return strict_node(&s, schema, 0);
}

/* ---- the format ----------------------------------------------------------------------------------- */

/* json_object needs the word "json", in any case, somewhere in the conversation (or the instructions). */
static bool mentions_json(const mp_oa_ctx_t *c)
{
    const uint32_t where[] = {c->slot[MP_OA_S_MESSAGES], c->slot[MP_OA_S_INPUT], c->slot[MP_OA_S_INSTRUCTIONS]};
    for (size_t w = 0; w < 3; w++) {
        if (where[w] == 0)
            continue;
        cm_str_t s = cm_json_raw(&c->d, where[w]);
        for (size_t i = 0; i + 4 <= s.n; i++)
            if (tolower((unsigned char)s.p[i]) == 'j' && tolower((unsigned char)s.p[i + 1]) == 's' &&
                tolower((unsigned char)s.p[i + 2]) == 'o' && tolower((unsigned char)s.p[i + 3]) == 'n')
                return true;
    }
    return false;
}

static void keep_answer(mp_oa_ctx_t *c, const cm_buf_t *out)
{
    char *s = cm_alloc(c->a, out->len + 1);
    memcpy(s, out->data ? out->data : "", out->len);
    s[out->len] = '\0';
    c->req->structured = s;
}

/* The answer to a json_schema format: a value of schema. */
static int generate(mp_oa_ctx_t *c, const where_t *w, uint32_t schema, const char *name)
{
    cm_buf_t out = CM_BUF_INIT;
    char why[200];
    int rc = mp_schema_generate(&c->d, schema, mp_oa_content_seed(c, schema), 0, &out, why, sizeof(why));
    if (rc == 0)
        keep_answer(c, &out);
    cm_buf_free(&out);
    if (rc != 0)
        return mp_oa_invalid(c, w->schema_param, w->schema_code, "Invalid schema for response_format '%s': it %s.",
                             name, why);
    return 0;
}

/* Appends the text of string token t (decoded) to out, up to MP_HINT_MAX_TEXT bytes in all. */
static void add_text(const cm_json_doc_t *d, uint32_t t, cm_buf_t *out)
{
    if (t == 0 || cm_json_type(d, t) != CM_JSON_STRING || out->len >= MP_HINT_MAX_TEXT)
        return;
    size_t room = MP_HINT_MAX_TEXT - out->len, n;
    cm_buf_reserve(out, room + 2);
    n = cm_json_unescape(d, t, out->data + out->len, room + 1);
    out->len += n < room ? n : room;
    cm_buf_putc(out, '\n');
}

/* A message's or input item's text: a string content, or the text of its parts. */
static void add_content(const cm_json_doc_t *d, uint32_t content, cm_buf_t *out)
{
    if (content != 0 && cm_json_type(d, content) == CM_JSON_ARRAY)
        for (uint32_t p = cm_json_first(d, content); p != 0; p = cm_json_next(d, p))
            add_text(d, cm_json_type(d, p) == CM_JSON_OBJECT ? cm_json_get(d, p, "text") : 0, out);
    else
        add_text(d, content, out);
}

/* What the conversation says, in order: instructions, then every message but tool results (chat) or every
 * input message (Responses). */
static void prompt_text(const mp_oa_ctx_t *c, cm_buf_t *out)
{
    const cm_json_doc_t *d = &c->d;
    uint32_t convo = c->slot[MP_OA_S_MESSAGES] ? c->slot[MP_OA_S_MESSAGES] : c->slot[MP_OA_S_INPUT];
    add_text(d, c->slot[MP_OA_S_INSTRUCTIONS], out);
    if (convo != 0 && cm_json_type(d, convo) != CM_JSON_ARRAY) {
        add_text(d, convo, out);
        return;
    }
    for (uint32_t m = convo ? cm_json_first(d, convo) : 0; m != 0; m = cm_json_next(d, m)) {
        uint32_t role = cm_json_type(d, m) == CM_JSON_OBJECT ? cm_json_get(d, m, "role") : 0;
        if (role != 0 && !mp_oa_is(d, role, "tool") && !mp_oa_is(d, role, "function"))
            add_content(d, cm_json_get(d, m, "content"), out);
    }
}

/* The answer to json_object: an object that fits what the prompt asks (schema_hint.h), seeded by the
 * conversation and the request's seed, so that another seed gives another object. */
static int json_object(mp_oa_ctx_t *c)
{
    cm_buf_t text = CM_BUF_INIT, out = CM_BUF_INIT;
    int64_t seed = 0;
    uint32_t st = cm_json_get(&c->d, 0, "seed");
    if (st != 0)
        cm_json_int(&c->d, st, &seed);
    prompt_text(c, &text);
    mp_hint_json_object(text.data ? text.data : "", text.len, mp_oa_content_seed(c, 0) ^ mp_mix64((uint64_t)seed),
                        &out);
    keep_answer(c, &out);
    cm_buf_free(&text);
    cm_buf_free(&out);
    return 0;
}

static int json_schema(mp_oa_ctx_t *c, const where_t *w, uint32_t holder)
{
    char p[96], name[72];
    mp_oa_path(p, sizeof(p), "%s.name", w->inner);
    uint32_t n = cm_json_get(&c->d, holder, "name");
    if (n == 0)
        return mp_oa_missing(c, p);
    if (mp_oa_want(c, n, MP_OA_STRING, p) != 0 || mp_oa_check_name(c, n, p) != 0)
        return -1;
    cm_json_unescape(&c->d, n, name, sizeof(name));
    uint32_t strict = cm_json_get(&c->d, holder, "strict"), schema = cm_json_get(&c->d, holder, "schema");
    mp_oa_path(p, sizeof(p), "%s.strict", w->inner);
    if (strict != 0 && cm_json_type(&c->d, strict) != CM_JSON_NULL && mp_oa_want(c, strict, MP_OA_BOOL, p) != 0)
        return -1;
    mp_oa_path(p, sizeof(p), "%s.schema", w->inner);
    if (schema != 0 && cm_json_type(&c->d, schema) == CM_JSON_NULL)
        schema = 0;
    if (schema != 0 && mp_oa_want(c, schema, MP_OA_OBJECT, p) != 0)
        return -1;
    char why[256];
    if (strict != 0 && cm_json_type(&c->d, strict) == CM_JSON_TRUE &&
        mp_oa_strict_schema(&c->d, schema, why, sizeof(why)) != 0)
        return mp_oa_invalid(c, w->schema_param, w->schema_code, "Invalid schema for response_format '%s': %s", name,
                             why);
    return generate(c, w, schema, name);
}

static int format(mp_oa_ctx_t *c, const where_t *w, uint32_t f)
{
    static const char *const types[] = {"text", "json_object", "json_schema", NULL};
    enum { TEXT, JSON_OBJECT, JSON_SCHEMA };
    char p[96];
    if (mp_oa_want(c, f, MP_OA_OBJECT, w->base) != 0)
        return -1;
    mp_oa_path(p, sizeof(p), "%s.type", w->base);
    uint32_t t = cm_json_get(&c->d, f, "type");
    if (t == 0)
        return mp_oa_missing(c, p);
    int type = mp_oa_enum(c, t, types, p);
    if (type < 0 || type == TEXT)
        return type < 0 ? -1 : 0;
    if (type == JSON_OBJECT)
        return mentions_json(c) ? json_object(c) : mp_oa_invalid(c, w->convo, NULL, "%s", w->json_word);
    if (w == &responses_where)
        return json_schema(c, w, f);
    uint32_t holder = cm_json_get(&c->d, f, "json_schema");
    if (holder == 0)
        return mp_oa_missing(c, w->inner);
    return mp_oa_want(c, holder, MP_OA_OBJECT, w->inner) != 0 ? -1 : json_schema(c, w, holder);
}

int mp_oa_response_format(mp_oa_ctx_t *c, uint32_t rf)
{
    return rf == 0 ? 0 : format(c, &chat_where, rf);
}

int mp_oa_text_format(mp_oa_ctx_t *c, uint32_t text)
{
    uint32_t f = text != 0 ? cm_json_get(&c->d, text, "format") : 0;
    if (f == 0 || cm_json_type(&c->d, f) == CM_JSON_NULL)
        return 0;
    if (format(c, &responses_where, f) != 0)
        return -1;
    c->oa->text_format_json = mp_oa_json_text(&c->d, f);
    return 0;
}
