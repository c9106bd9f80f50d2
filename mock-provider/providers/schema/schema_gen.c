/* The structure of a generated value: which schema nodes apply ($ref, allOf, the chosen anyOf/oneOf
 * branch), which type it takes, and its objects and arrays. Scalars are in schema_scalar.c. */
#include "mock-provider/providers/schema/schema_gen.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/alloc.h"
#include "mock-provider/providers/render.h"
#include "mock-provider/providers/schema/schema_build.h"

typedef enum vtype { T_ANY, T_OBJECT, T_ARRAY, T_STRING, T_INTEGER, T_NUMBER, T_BOOLEAN, T_NULL } vtype_t;

/* One value being built, plus what mp_sg_t does not need to share with the scalars. */
typedef struct gen {
    mp_sg_t sg;
    size_t start; /* length of the output on entry */
    bool root_object;
} gen_t;

static void gen_value(gen_t *g, mp_sg_view_t *v, int depth);

bool mp_sg_stopped(mp_sg_t *b)
{
    gen_t *g = (gen_t *)b;
    if (b->out->len - g->start > MP_SCHEMA_MAX_BYTES)
        b->too_large = true;
    return b->too_large || b->too_much_work;
}

bool mp_sg_spend(mp_sg_t *b, uint32_t n)
{
    if (n > MP_SCHEMA_MAX_WORK - b->work)
        b->too_much_work = true;
    else
        b->work += n;
    return !mp_sg_stopped(b);
}

uint32_t mp_sg_below(mp_sg_t *b, uint32_t n)
{
    return n ? (uint32_t)(cm_rng_next(&b->rng) % n) : 0;
}

uint32_t mp_sg_get(const mp_sg_t *b, const mp_sg_view_t *v, const char *key)
{
    for (uint32_t i = 0; i < v->n; i++) {
        uint32_t t = cm_json_type(b->d, v->node[i]) == CM_JSON_OBJECT ? cm_json_get(b->d, v->node[i], key) : 0;
        if (t != 0)
            return t;
    }
    return 0;
}

bool mp_sg_bound(const mp_sg_t *b, const mp_sg_view_t *v, const char *key, bool want_max, double *out)
{
    bool found = false;
    for (uint32_t i = 0; i < v->n; i++) {
        uint32_t t = cm_json_type(b->d, v->node[i]) == CM_JSON_OBJECT ? cm_json_get(b->d, v->node[i], key) : 0;
        double x;
        if (t == 0 || cm_json_type(b->d, t) != CM_JSON_NUMBER || cm_json_double(b->d, t, &x) != 0 || x != x ||
            x - x != 0)
            continue;
        if (!found || (want_max ? x < *out : x > *out))
            *out = x;
        found = true;
    }
    return found;
}

/* ---- which nodes apply ---------------------------------------------------------------------------- */

/* A JSON pointer within the schema: "#" or "#/a/b~1c/0". Other references (URLs, anchors) resolve to 0. */
static uint32_t resolve(mp_sg_t *b, uint32_t ref)
{
    char ptr[256], seg[256];
    size_t n = cm_json_unescape(b->d, ref, ptr, sizeof(ptr));
    if (n >= sizeof(ptr) || ptr[0] != '#')
        return 0;
    uint32_t t = b->root;
    for (const char *p = ptr + 1; *p != '\0' && t != 0;) {
        if (*p++ != '/')
            return 0;
        size_t o = 0;
        for (; *p != '\0' && *p != '/'; p++) {
            if (*p == '~' && (p[1] == '0' || p[1] == '1'))
                seg[o++] = *++p == '0' ? '~' : '/'; /* RFC 6901 escapes */
            else
                seg[o++] = *p;
        }
        seg[o] = '\0';
        mp_sg_spend(b, b->d->tok[t].count);
        if (cm_json_type(b->d, t) == CM_JSON_OBJECT)
            t = cm_json_get(b->d, t, seg);
        else if (cm_json_type(b->d, t) == CM_JSON_ARRAY)
            t = cm_json_at(b->d, t, (uint32_t)strtoul(seg, NULL, 10));
        else
            t = 0;
    }
    return t;
}

static void view_add(mp_sg_t *b, mp_sg_view_t *v, uint32_t s)
{
    if (s == 0 || v->n == MP_SG_MAX_VIEW)
        return;
    for (uint32_t i = 0; i < v->n; i++)
        if (v->node[i] == s)
            return; /* a $ref cycle, or the same member twice */
    v->node[v->n++] = s;
    mp_sg_spend(b, 1 + b->d->tok[s].count);
}

/* Adds what nodes from index `from` on bring in: their $ref targets and allOf members, transitively. */
static void view_expand(mp_sg_t *b, mp_sg_view_t *v, uint32_t from)
{
    const cm_json_doc_t *d = b->d;
    for (uint32_t i = from; i < v->n && !mp_sg_stopped(b); i++) {
        uint32_t s = v->node[i];
        if (cm_json_type(d, s) != CM_JSON_OBJECT)
            continue;
        uint32_t ref = cm_json_get(d, s, "$ref"), all = cm_json_get(d, s, "allOf");
        if (ref != 0 && cm_json_type(d, ref) == CM_JSON_STRING) {
            view_add(b, v, resolve(b, ref));
            if (v->refs < 255)
                v->refs++;
        }
        for (uint32_t e = all && cm_json_type(d, all) == CM_JSON_ARRAY ? cm_json_first(d, all) : 0; e != 0;
             e = cm_json_next(d, e))
            view_add(b, v, e);
    }
}

static bool has_type(const cm_json_doc_t *d, uint32_t s, const char *name)
{
    uint32_t t = cm_json_type(d, s) == CM_JSON_OBJECT ? cm_json_get(d, s, "type") : 0;
    if (t != 0 && cm_json_type(d, t) == CM_JSON_STRING)
        return cm_json_str_eq(d, t, name);
    for (uint32_t e = t && cm_json_type(d, t) == CM_JSON_ARRAY ? cm_json_first(d, t) : 0; e; e = cm_json_next(d, e))
        if (cm_json_str_eq(d, e, name))
            return true;
    return false;
}

/* A branch that ends a recursion: one that allows null, else one without structure or references. */
static uint32_t terminal_branch(const cm_json_doc_t *d, uint32_t arr)
{
    static const char *const deep[] = {"$ref", "properties", "items", "anyOf", "oneOf", "allOf"};
    for (uint32_t e = cm_json_first(d, arr); e != 0; e = cm_json_next(d, e))
        if (has_type(d, e, "null"))
            return e;
    for (uint32_t e = cm_json_first(d, arr); e != 0; e = cm_json_next(d, e)) {
        bool flat = cm_json_type(d, e) == CM_JSON_OBJECT;
        for (size_t k = 0; flat && k < sizeof(deep) / sizeof(deep[0]); k++)
            flat = cm_json_get(d, e, deep[k]) == 0;
        if (flat)
            return e;
    }
    return cm_json_first(d, arr);
}

/* Each anyOf/oneOf of the view contributes one branch (seeded; the terminal one when minimal), whose own
 * $refs, allOf and unions are followed in turn. */
static void choose_branches(mp_sg_t *b, mp_sg_view_t *v)
{
    static const char *const unions[] = {"anyOf", "oneOf"};
    uint32_t done = 0; /* bit per view member whose unions are chosen */
    for (uint32_t i = 0; i < v->n && !mp_sg_stopped(b); i++) {
        if (done & (1u << i))
            continue;
        done |= 1u << i;
        for (int k = 0; k < 2 && cm_json_type(b->d, v->node[i]) == CM_JSON_OBJECT; k++) {
            uint32_t arr = cm_json_get(b->d, v->node[i], unions[k]);
            if (arr == 0 || cm_json_type(b->d, arr) != CM_JSON_ARRAY || b->d->tok[arr].count == 0)
                continue;
            mp_sg_spend(b, b->d->tok[arr].count);
            uint32_t pick =
                v->minimal ? terminal_branch(b->d, arr) : cm_json_at(b->d, arr, mp_sg_below(b, b->d->tok[arr].count));
            uint32_t from = v->n;
            view_add(b, v, pick);
            view_expand(b, v, from);
        }
    }
}

/* ---- type ----------------------------------------------------------------------------------------- */

static vtype_t type_named(const cm_json_doc_t *d, uint32_t t)
{
    static const char *const names[] = {"object", "array", "string", "integer", "number", "boolean", "null"};
    for (int i = 0; i < 7; i++)
        if (cm_json_str_eq(d, t, names[i]))
            return (vtype_t)(T_OBJECT + i);
    return T_ANY;
}

/* No "type": what the keywords present imply, else any (a string reads best). */
static vtype_t inferred(const mp_sg_t *b, const mp_sg_view_t *v)
{
    static const struct {
        const char *key;
        vtype_t type;
    } hints[] = {
        {"properties", T_OBJECT}, {"required", T_OBJECT},         {"additionalProperties", T_OBJECT},
        {"items", T_ARRAY},       {"prefixItems", T_ARRAY},       {"minItems", T_ARRAY},
        {"maxItems", T_ARRAY},    {"minimum", T_NUMBER},          {"maximum", T_NUMBER},
        {"multipleOf", T_NUMBER}, {"exclusiveMinimum", T_NUMBER}, {"exclusiveMaximum", T_NUMBER},
    };
    for (size_t i = 0; i < sizeof(hints) / sizeof(hints[0]); i++)
        if (mp_sg_get(b, v, hints[i].key) != 0)
            return hints[i].type;
    return T_STRING;
}

/* A type of the union ["string", "null"]: usually not null (one time in eight when allowed), always null
 * when minimal and allowed, so optional-by-null fields look filled and recursions end. */
static vtype_t choose_type(mp_sg_t *b, const mp_sg_view_t *v)
{
    uint32_t t = mp_sg_get(b, v, "type");
    if (t == 0)
        return inferred(b, v);
    if (cm_json_type(b->d, t) == CM_JSON_STRING)
        return type_named(b->d, t);
    if (cm_json_type(b->d, t) != CM_JSON_ARRAY || b->d->tok[t].count == 0)
        return inferred(b, v);
    vtype_t options[8];
    uint32_t n = 0;
    bool null_ok = false;
    for (uint32_t e = cm_json_first(b->d, t); e != 0; e = cm_json_next(b->d, e)) {
        vtype_t x = type_named(b->d, e);
        if (x == T_NULL)
            null_ok = true;
        else if (x != T_ANY && n < 8)
            options[n++] = x;
    }
    if (null_ok && (n == 0 || v->minimal || mp_sg_below(b, 8) == 0))
        return T_NULL;
    return n ? options[mp_sg_below(b, n)] : T_STRING;
}

/* ---- objects -------------------------------------------------------------------------------------- */

static bool raw_equal(const cm_json_doc_t *d, uint32_t a, uint32_t b)
{
    cm_str_t x = cm_json_raw(d, a), y = cm_json_raw(d, b);
    return x.n == y.n && memcmp(x.p, y.p, x.n) == 0;
}

/* Names (property keys, required entries) hashed by their raw spelling, so that matching k required names
 * against p properties costs O(k + p), not O(k x p). Open addressing over token indices (+1; 0 is empty),
 * at most half full. Names are compared as sent (raw): differently escaped spellings are different names. */
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

static uint32_t names_find(const names_t *t, const cm_json_doc_t *d, uint32_t tok)
{
    uint32_t s = *names_slot(t, d, tok);
    return s ? s - 1 : 0;
}

/* The view's "properties" objects and "required" arrays. */
typedef struct members {
    uint32_t props[MP_SG_MAX_VIEW], req[MP_SG_MAX_VIEW];
    uint32_t nprops, nreq, count; /* count: property keys and required entries together */
} members_t;

static void collect_members(const mp_sg_t *b, const mp_sg_view_t *v, members_t *m)
{
    const cm_json_doc_t *d = b->d;
    memset(m, 0, sizeof(*m));
    for (uint32_t i = 0; i < v->n; i++) {
        if (cm_json_type(d, v->node[i]) != CM_JSON_OBJECT)
            continue;
        uint32_t p = cm_json_get(d, v->node[i], "properties"), r = cm_json_get(d, v->node[i], "required");
        if (p != 0 && cm_json_type(d, p) == CM_JSON_OBJECT) {
            m->props[m->nprops++] = p;
            m->count += d->tok[p].count;
        }
        if (r != 0 && cm_json_type(d, r) == CM_JSON_ARRAY) {
            m->req[m->nreq++] = r;
            m->count += d->tok[r].count;
        }
    }
}

static void put_member(gen_t *g, const mp_sg_view_t *v, uint32_t name, uint32_t schema, bool *first, int depth)
{
    cm_buf_t *out = g->sg.out;
    if (!*first)
        cm_buf_putc(out, ',');
    *first = false;
    mp_put_quoted(out, cm_json_raw(g->sg.d, name));
    cm_buf_putc(out, ':');
    mp_sg_view_t child = {.key = cm_json_raw(g->sg.d, name), .minimal = v->minimal, .refs = v->refs};
    view_add(&g->sg, &child, schema);
    gen_value(g, &child, depth + 1);
}

/* Every required name once (a name listed twice used to build its subtree twice, which is how a schema of
 * a few hundred bytes reached gigabytes), then optional properties now and then (or up to minProperties). */
static void put_members(gen_t *g, const mp_sg_view_t *v, const members_t *m, int depth)
{
    const cm_json_doc_t *d = g->sg.d;
    names_t by_name, seen;
    names_init(&by_name, m->count);
    names_init(&seen, m->count);
    for (uint32_t i = 0; i < m->nprops; i++)
        for (uint32_t k = cm_json_first(d, m->props[i]); k != 0; k = cm_json_next(d, k + 1))
            names_add(&by_name, d, k);
    bool first = true;
    uint32_t emitted = 0;
    for (uint32_t i = 0; i < m->nreq; i++)
        for (uint32_t r = cm_json_first(d, m->req[i]); r != 0 && !mp_sg_stopped(&g->sg); r = cm_json_next(d, r))
            if (cm_json_type(d, r) == CM_JSON_STRING && names_add(&seen, d, r)) {
                uint32_t key = names_find(&by_name, d, r);
                put_member(g, v, r, key ? key + 1 : 0, &first, depth);
                emitted++;
            }
    double min_props = 0;
    mp_sg_bound(&g->sg, v, "minProperties", false, &min_props);
    for (uint32_t i = 0; i < m->nprops; i++)
        for (uint32_t k = cm_json_first(d, m->props[i]); k != 0 && !mp_sg_stopped(&g->sg); k = cm_json_next(d, k + 1))
            if ((emitted < min_props || (!v->minimal && mp_sg_below(&g->sg, 2) == 0)) && names_add(&seen, d, k)) {
                put_member(g, v, k, k + 1, &first, depth);
                emitted++;
            }
    free(seen.slot);
    free(by_name.slot);
}

static void gen_object(gen_t *g, const mp_sg_view_t *v, int depth)
{
    cm_buf_putc(g->sg.out, '{');
    members_t m;
    collect_members(&g->sg, v, &m);
    if (depth < MP_SCHEMA_MAX_DEPTH && mp_sg_spend(&g->sg, m.count))
        put_members(g, v, &m, depth);
    cm_buf_putc(g->sg.out, '}');
}

/* ---- arrays --------------------------------------------------------------------------------------- */

/* How many items: minItems when minimal, else a realistic handful within [minItems, maxItems]. */
static uint64_t item_count(mp_sg_t *b, const mp_sg_view_t *v, uint32_t tuple_len)
{
    double mn = 0, mx = 1e18;
    mp_sg_bound(b, v, "minItems", false, &mn);
    mp_sg_bound(b, v, "maxItems", true, &mx);
    uint64_t lo = mn > 0 ? (mn > 1e18 ? (uint64_t)1e18 : (uint64_t)mn) : 0;
    uint64_t hi = mx < 0 ? 0 : (uint64_t)mx;
    if (lo > hi)
        lo = hi; /* contradictory: the lower bound of the two wins */
    if (tuple_len > 0)
        return tuple_len < lo ? lo : tuple_len > hi ? hi : tuple_len;
    if (v->minimal)
        return lo;
    uint64_t a = lo > MP_SCHEMA_DEFAULT_ITEMS_MIN ? lo : MP_SCHEMA_DEFAULT_ITEMS_MIN;
    uint64_t z = hi < MP_SCHEMA_DEFAULT_ITEMS_MAX ? hi : MP_SCHEMA_DEFAULT_ITEMS_MAX;
    if (a <= z)
        return a + mp_sg_below(b, (uint32_t)(z - a + 1));
    return lo > MP_SCHEMA_DEFAULT_ITEMS_MAX ? lo : hi;
}

/* uniqueItems: the items produced so far, as hashes of their text (the generator writes one value one way,
 * so equal values are equal texts; a number that two union branches could print as 2 and 2.00 is the one
 * case it misses). Open addressing, at most half full; 0 marks an empty slot. */
typedef struct seen_items {
    uint64_t *slot;
    uint32_t mask, count;
} seen_items_t;

/* Adds the hash of text; false when it was there already. */
static bool seen_add(seen_items_t *t, const char *text, size_t n)
{
    if (2 * (t->count + 1) > t->mask + 1) {
        seen_items_t bigger = {cm_xcalloc(2 * ((size_t)t->mask + 1), sizeof(uint64_t)), 2 * t->mask + 1, 0};
        for (uint32_t i = 0; t->slot && i <= t->mask; i++)
            for (uint32_t j = (uint32_t)t->slot[i] & bigger.mask; t->slot[i] != 0; j = (j + 1) & bigger.mask)
                if (bigger.slot[j] == 0) {
                    bigger.slot[j] = t->slot[i];
                    break;
                }
        free(t->slot);
        bigger.count = t->count;
        *t = bigger;
    }
    uint64_t h = cm_hash64(text, n, 0x0417e5u) | 1;
    uint32_t i = (uint32_t)h & t->mask;
    for (; t->slot[i] != 0; i = (i + 1) & t->mask)
        if (t->slot[i] == h)
            return false;
    t->slot[i] = h;
    t->count++;
    return true;
}

/* Tries at a distinct value for one item of a uniqueItems array: enough that a value drawn from as few as
 * three choices is found with near certainty ((2/3)^32 < 1e-5), while each try is charged to the budget. */
#define MP_SCHEMA_UNIQUE_TRIES 32

/* Item i (its schema elem or rest). With uniqueItems, a value equal to an earlier item is drawn again; false
 * when no distinct value was found: the item is then kept (below minItems: the schema asks for more distinct
 * values than it allows) or dropped (the array may end here). */
static bool gen_item(gen_t *g, const mp_sg_view_t *v, uint32_t schema, int depth, seen_items_t *seen, bool keep)
{
    cm_buf_t *out = g->sg.out;
    size_t at = out->len;
    bool widen = g->sg.widen;
    for (int t = 0; t < MP_SCHEMA_UNIQUE_TRIES; t++) {
        out->len = at;
        mp_sg_view_t child = {.key = v->key, .minimal = v->minimal, .refs = v->refs};
        view_add(&g->sg, &child, schema);
        g->sg.widen = widen || t >= 2; /* after two equal draws, numbers use all the schema allows */
        gen_value(g, &child, depth + 1);
        g->sg.widen = widen;
        if (seen == NULL || mp_sg_stopped(&g->sg) || seen_add(seen, out->data + at, out->len - at))
            return true;
        if (!mp_sg_spend(&g->sg, 1))
            return true;
    }
    if (!keep)
        out->len = at;
    if (out->data)
        out->data[out->len] = '\0';
    return keep;
}

static void gen_array(gen_t *g, const mp_sg_view_t *v, int depth)
{
    mp_sg_t *b = &g->sg;
    const cm_json_doc_t *d = b->d;
    cm_buf_putc(b->out, '[');
    uint32_t items = mp_sg_get(b, v, "items"), tuple = mp_sg_get(b, v, "prefixItems"), rest = items;
    uint32_t unique = mp_sg_get(b, v, "uniqueItems");
    if (items != 0 && cm_json_type(d, items) == CM_JSON_ARRAY) { /* draft-4 tuples */
        tuple = items;
        rest = mp_sg_get(b, v, "additionalItems");
    }
    if (tuple != 0 && cm_json_type(d, tuple) != CM_JSON_ARRAY)
        tuple = 0;
    uint64_t count = depth < MP_SCHEMA_MAX_DEPTH ? item_count(b, v, tuple ? d->tok[tuple].count : 0) : 0;
    double min_items = 0;
    mp_sg_bound(b, v, "minItems", false, &min_items);
    seen_items_t seen = {NULL, 0, 0};
    bool distinct = unique != 0 && cm_json_type(d, unique) == CM_JSON_TRUE;
    uint32_t elem = tuple ? cm_json_first(d, tuple) : 0;
    for (uint64_t i = 0; i < count && mp_sg_spend(b, 1); i++) {
        size_t comma = b->out->len;
        if (i > 0)
            cm_buf_putc(b->out, ',');
        if (!gen_item(g, v, elem ? elem : rest, depth, distinct ? &seen : NULL, (double)i < min_items)) {
            b->out->len = comma; /* no distinct value left: the array ends with the items it has */
            break;
        }
        elem = elem ? cm_json_next(d, elem) : 0;
    }
    free(seen.slot);
    cm_buf_putc(b->out, ']');
}

/* ---- values --------------------------------------------------------------------------------------- */

/* A request's JSON value as it was sent, compacted: string tokens exclude their quotes. */
static void put_json(mp_sg_t *b, uint32_t t)
{
    cm_str_t raw = cm_json_raw(b->d, t);
    if (cm_json_type(b->d, t) == CM_JSON_STRING)
        mp_put_quoted(b->out, raw);
    else
        mp_put_json_compact(b->out, raw);
}

static bool impossible(const mp_sg_t *b, const mp_sg_view_t *v)
{
    for (uint32_t i = 0; i < v->n; i++)
        if (cm_json_type(b->d, v->node[i]) == CM_JSON_FALSE)
            return true;
    return false;
}

static void gen_value(gen_t *g, mp_sg_view_t *v, int depth)
{
    mp_sg_t *b = &g->sg;
    if (mp_sg_stopped(b))
        return;
    view_expand(b, v, 0);
    v->minimal = v->minimal || depth >= MP_SCHEMA_SOFT_DEPTH || v->refs >= MP_SCHEMA_SOFT_REFS;
    choose_branches(b, v);
    uint32_t e = mp_sg_get(b, v, "enum"), k = mp_sg_get(b, v, "const");
    if (k != 0 || (e != 0 && cm_json_type(b->d, e) == CM_JSON_ARRAY && b->d->tok[e].count > 0)) {
        put_json(b, k != 0 ? k : cm_json_at(b->d, e, mp_sg_below(b, b->d->tok[e].count)));
        return;
    }
    vtype_t type = depth == 0 && g->root_object ? T_OBJECT : impossible(b, v) ? T_NULL : choose_type(b, v);
    switch (type) {
    case T_OBJECT:
        gen_object(g, v, depth);
        break;
    case T_ARRAY:
        gen_array(g, v, depth);
        break;
    case T_INTEGER:
        mp_sg_number(b, v, true);
        break;
    case T_NUMBER:
        mp_sg_number(b, v, false);
        break;
    case T_BOOLEAN:
        cm_buf_puts(b->out, mp_sg_below(b, 2) ? "true" : "false");
        break;
    case T_NULL:
        MP_PUT_LIT(b->out, "null");
        break;
    default:
        mp_sg_string(b, v);
        break;
    }
}

/* ---- entry ---------------------------------------------------------------------------------------- */

/* Property names and required entries anywhere in the schema (enum and const values included: counting
 * them too costs nothing and keeps the walk simple). */
static uint32_t count_names(const cm_json_doc_t *d, uint32_t t, uint32_t limit)
{
    uint32_t n = 0;
    bool object = cm_json_type(d, t) == CM_JSON_OBJECT;
    if (!object && cm_json_type(d, t) != CM_JSON_ARRAY)
        return 0;
    for (uint32_t c = cm_json_first(d, t); c != 0 && n <= limit; c = cm_json_next(d, object ? c + 1 : c)) {
        uint32_t val = object ? c + 1 : c;
        if (object && (cm_json_str_eq(d, c, "properties") || cm_json_str_eq(d, c, "required")) &&
            (cm_json_type(d, val) == CM_JSON_OBJECT || cm_json_type(d, val) == CM_JSON_ARRAY))
            n += d->tok[val].count;
        n += count_names(d, val, limit - (n > limit ? limit : n));
    }
    return n;
}

int mp_schema_generate(const cm_json_doc_t *d, uint32_t schema, uint64_t seed, int flags, cm_buf_t *out, char *why,
                       size_t whylen)
{
    gen_t g = {.sg = {.d = d, .root = schema, .out = out}, .start = out->len};
    g.root_object = (flags & MP_SCHEMA_ROOT_OBJECT) != 0;
    cm_rng_seed(&g.sg.rng, seed);
    if (d != NULL && schema != 0 && count_names(d, schema, MP_SCHEMA_MAX_PROPERTIES) > MP_SCHEMA_MAX_PROPERTIES) {
        snprintf(why, whylen,
                 "has more than %d properties (required entries and property names, all nested objects together)",
                 MP_SCHEMA_MAX_PROPERTIES);
        return -1;
    }
    if (d == NULL || schema == 0 || (g.root_object && cm_json_type(d, schema) != CM_JSON_OBJECT)) {
        cm_buf_puts(out, g.root_object ? "{}" : "null");
        return 0;
    }
    mp_sg_view_t v = {.n = 0};
    view_add(&g.sg, &v, schema);
    gen_value(&g, &v, 0);
    if (!mp_sg_stopped(&g.sg))
        return 0;
    if (g.sg.too_large)
        snprintf(why, whylen, "gives a value larger than %d bytes", MP_SCHEMA_MAX_BYTES);
    else
        snprintf(why, whylen,
                 "needs more than %u steps to build a value (array items, $refs and properties "
                 "multiply)",
                 MP_SCHEMA_MAX_WORK);
    out->len = g.start;
    if (out->data)
        out->data[g.start] = '\0';
    return -1;
}
