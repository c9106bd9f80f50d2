/* The JSON object of a JSON-mode answer, read from the prompt: a schema or an example written in it, keys
 * it names, or its topic (the rule is in schema_hint.h). Every path ends in a JSON Schema text that the
 * schema generator turns into a seeded, realistic value, so the kinds of values (names, emails, ranges by
 * key name) are the same as for tool arguments and structured output. */
#include "mock-provider/providers/schema/schema_hint.h"

#include <ctype.h>
#include <stdbool.h>
#include <string.h>

#include "common/json.h"
#include "mock-provider/providers/schema/schema_gen.h"

/* ---- generating from a schema text ------------------------------------------------------------------ */

/* A schema that may stand for the answer: an object schema (properties, type object, or $schema). */
static bool object_schema(const cm_json_doc_t *d, uint32_t t)
{
    if (t == 0 || cm_json_type(d, t) != CM_JSON_OBJECT)
        return false;
    uint32_t props = cm_json_get(d, t, "properties"), type = cm_json_get(d, t, "type");
    return (props != 0 && cm_json_type(d, props) == CM_JSON_OBJECT) ||
           (type != 0 && cm_json_str_eq(d, type, "object")) || cm_json_get(d, t, "$schema") != 0;
}

/* The schema in a prompt object: the object itself, or one it wraps the way OpenAI's formats do
 * ({"name","schema"} or {"json_schema":{"schema"}}); 0 when it is not a schema. */
static uint32_t schema_in(const cm_json_doc_t *d, uint32_t t)
{
    if (object_schema(d, t))
        return t;
    uint32_t w = cm_json_get(d, t, "json_schema");
    if (w != 0 && cm_json_type(d, w) == CM_JSON_OBJECT)
        t = w;
    w = cm_json_get(d, t, "schema");
    return object_schema(d, w) ? w : 0;
}

/* Parses text as the member "s" of an object (the generator reads token 0 as "no schema"); *s is its token. */
static bool parse_wrapped(const char *text, size_t n, cm_buf_t *wrap, cm_json_toks_t *toks, cm_json_doc_t *d,
                          uint32_t *s)
{
    char err[160];
    cm_buf_reset(wrap);
    cm_buf_puts(wrap, "{\"s\":");
    cm_buf_append(wrap, text, n);
    cm_buf_putc(wrap, '}');
    if (cm_json_parse(d, wrap->data, wrap->len, toks, err, sizeof(err)) != 0)
        return false;
    *s = cm_json_get(d, 0, "s");
    return cm_json_type(d, *s) == CM_JSON_OBJECT;
}

/* A value of schema as an object with at least one member; false (out untouched) otherwise. */
static bool generate(const cm_json_doc_t *d, uint32_t schema, uint64_t seed, cm_buf_t *out)
{
    char why[200];
    size_t at = out->len;
    if (mp_schema_generate(d, schema, seed, MP_SCHEMA_ROOT_OBJECT, out, why, sizeof(why)) != 0)
        return false;
    if (out->len - at > 2)
        return true;
    out->len = at; /* "{}": the schema says nothing useful */
    if (out->data)
        out->data[at] = '\0';
    return false;
}

static bool generate_text(const char *schema, size_t n, uint64_t seed, cm_buf_t *out)
{
    cm_buf_t wrap = CM_BUF_INIT;
    cm_json_toks_t toks = {0};
    cm_json_doc_t d;
    uint32_t s;
    bool ok = parse_wrapped(schema, n, &wrap, &toks, &d, &s) && generate(&d, s, seed, out);
    cm_json_toks_free(&toks);
    cm_buf_free(&wrap);
    return ok;
}

/* ---- rules 1 and 2: JSON written in the prompt ------------------------------------------------------- */

/* End (exclusive) of the balanced {...} that starts at start, or 0 when the text ends first. */
static size_t span_end(const char *t, size_t n, size_t start)
{
    int depth = 0;
    bool str = false;
    for (size_t i = start; i < n; i++) {
        if (str) {
            if (t[i] == '\\')
                i++;
            else if (t[i] == '"')
                str = false;
        } else if (t[i] == '"') {
            str = true;
        } else if (t[i] == '{' && ++depth > CM_JSON_MAX_DEPTH) {
            return 0;
        } else if (t[i] == '}' && --depth == 0) {
            return i + 1;
        }
    }
    return 0;
}

typedef struct found {
    size_t schema_at, schema_len;   /* the last schema (len 0: none) */
    size_t example_at, example_len; /* the last other object */
} found_t;

/* Walks the objects written in the text: outermost ones whole (their inner objects belong to them), and on
 * a failed parse the next '{' after its start. At most MP_HINT_MAX_OBJECTS attempts, each linear. */
static void find_objects(const char *t, size_t n, found_t *f)
{
    cm_buf_t wrap = CM_BUF_INIT;
    cm_json_toks_t toks = {0};
    cm_json_doc_t d;
    memset(f, 0, sizeof(*f));
    size_t pos = 0;
    for (int tries = 0; tries < MP_HINT_MAX_OBJECTS && pos < n; tries++) {
        const char *open = memchr(t + pos, '{', n - pos);
        if (open == NULL)
            break;
        size_t start = (size_t)(open - t), end = span_end(t, n, start);
        uint32_t s;
        if (end == 0 || !parse_wrapped(t + start, end - start, &wrap, &toks, &d, &s) || d.tok[s].count == 0) {
            pos = start + 1;
            continue;
        }
        if (schema_in(&d, s) != 0) {
            f->schema_at = start;
            f->schema_len = end - start;
        } else {
            f->example_at = start;
            f->example_len = end - start;
        }
        pos = end;
    }
    cm_json_toks_free(&toks);
    cm_buf_free(&wrap);
}

static bool from_prompt_schema(const char *t, const found_t *f, uint64_t seed, cm_buf_t *out)
{
    cm_buf_t wrap = CM_BUF_INIT;
    cm_json_toks_t toks = {0};
    cm_json_doc_t d;
    uint32_t s;
    bool ok = f->schema_len > 0 && parse_wrapped(t + f->schema_at, f->schema_len, &wrap, &toks, &d, &s) &&
              generate(&d, schema_in(&d, s), seed, out);
    cm_json_toks_free(&toks);
    cm_buf_free(&wrap);
    return ok;
}

/* A string example's likely format, so that "2024-05-01" stays a date and "a@b.co" an email. */
static const char *format_of(const cm_json_doc_t *d, uint32_t v)
{
    cm_str_t s = cm_json_raw(d, v);
    bool digits = s.n >= 10 && isdigit((unsigned char)s.p[0]) && s.p[4] == '-' && s.p[7] == '-';
    if (digits && s.n >= 19 && s.p[10] == 'T')
        return "date-time";
    if (digits && s.n == 10)
        return "date";
    if (memchr(s.p, '@', s.n) != NULL && memchr(s.p, ' ', s.n) == NULL)
        return "email";
    if (s.n > 8 && (memcmp(s.p, "https://", 8) == 0 || memcmp(s.p, "http://", 7) == 0))
        return "uri";
    return NULL;
}

/* The schema of an example value: its keys (up to MP_HINT_MAX_KEYS a level, all required, no others), the
 * kind of each value, arrays of 1 to 3 items like their first. */
static void example_schema(const cm_json_doc_t *d, uint32_t v, int depth, cm_buf_t *s)
{
    switch (cm_json_type(d, v)) {
    case CM_JSON_OBJECT: {
        cm_buf_puts(s, "{\"type\":\"object\",\"properties\":{");
        uint32_t i = 0;
        for (uint32_t k = cm_json_first(d, v); k != 0 && i < MP_HINT_MAX_KEYS && depth < 8;
             k = cm_json_next(d, k + 1), i++) {
            cm_buf_printf(s, "%s\"%.*s\":", i ? "," : "", (int)cm_json_raw(d, k).n, cm_json_raw(d, k).p);
            example_schema(d, k + 1, depth + 1, s);
        }
        cm_buf_puts(s, "},\"required\":[");
        i = 0;
        for (uint32_t k = cm_json_first(d, v); k != 0 && i < MP_HINT_MAX_KEYS && depth < 8;
             k = cm_json_next(d, k + 1), i++)
            cm_buf_printf(s, "%s\"%.*s\"", i ? "," : "", (int)cm_json_raw(d, k).n, cm_json_raw(d, k).p);
        cm_buf_puts(s, "],\"additionalProperties\":false}");
        break;
    }
    case CM_JSON_ARRAY:
        cm_buf_puts(s, "{\"type\":\"array\",\"minItems\":1,\"maxItems\":3,\"items\":");
        if (d->tok[v].count > 0 && depth < 8)
            example_schema(d, cm_json_first(d, v), depth + 1, s);
        else
            cm_buf_puts(s, "{\"type\":\"string\"}");
        cm_buf_putc(s, '}');
        break;
    case CM_JSON_NUMBER: {
        cm_str_t raw = cm_json_raw(d, v);
        bool frac = memchr(raw.p, '.', raw.n) || memchr(raw.p, 'e', raw.n) || memchr(raw.p, 'E', raw.n);
        cm_buf_puts(s, frac ? "{\"type\":\"number\"}" : "{\"type\":\"integer\"}");
        break;
    }
    case CM_JSON_TRUE:
    case CM_JSON_FALSE:
        cm_buf_puts(s, "{\"type\":\"boolean\"}");
        break;
    default: { /* strings, and null placeholders, which stand for a value to fill */
        const char *f = cm_json_type(d, v) == CM_JSON_STRING ? format_of(d, v) : NULL;
        if (f != NULL)
            cm_buf_printf(s, "{\"type\":\"string\",\"format\":\"%s\"}", f);
        else
            cm_buf_puts(s, "{\"type\":\"string\"}");
        break;
    }
    }
}

static bool from_example(const char *t, const found_t *f, uint64_t seed, cm_buf_t *out)
{
    cm_buf_t wrap = CM_BUF_INIT, schema = CM_BUF_INIT;
    cm_json_toks_t toks = {0};
    cm_json_doc_t d;
    uint32_t s;
    bool ok = f->example_len > 0 && parse_wrapped(t + f->example_at, f->example_len, &wrap, &toks, &d, &s);
    if (ok) {
        example_schema(&d, s, 0, &schema);
        ok = generate_text(schema.data, schema.len, seed, out);
    }
    cm_json_toks_free(&toks);
    cm_buf_free(&wrap);
    cm_buf_free(&schema);
    return ok;
}

/* ---- rule 3: keys named in the prompt ------------------------------------------------------------- */

#define MAX_KEY_LEN 64

typedef struct keys {
    char name[MP_HINT_MAX_KEYS][MAX_KEY_LEN + 1];
    uint32_t n;
} keys_t;

/* The first m bytes of w are lit (lower case), in any case. */
static bool starts_ci(const char *w, size_t n, const char *lit)
{
    size_t m = strlen(lit);
    if (n < m)
        return false;
    for (size_t i = 0; i < m; i++)
        if (tolower((unsigned char)w[i]) != lit[i])
            return false;
    return true;
}

static bool ident_char(char c)
{
    return isalnum((unsigned char)c) || c == '_' || c == '-';
}

/* Adds name (n bytes) when it reads as a key: a letter or '_' first, then letters, digits, '_' or '-'. */
static void add_key(keys_t *k, const char *name, size_t n)
{
    if (n == 0 || n > MAX_KEY_LEN || k->n == MP_HINT_MAX_KEYS || !(isalpha((unsigned char)name[0]) || name[0] == '_'))
        return;
    for (size_t i = 0; i < n; i++)
        if (!ident_char(name[i]))
            return;
    for (uint32_t i = 0; i < k->n; i++)
        if (strlen(k->name[i]) == n && memcmp(k->name[i], name, n) == 0)
            return;
    memcpy(k->name[k->n], name, n);
    k->name[k->n++][n] = '\0';
}

/* A word that says the sentence lists keys: key(s), field(s), property/properties, attribute(s), column(s). */
static bool key_word(const char *w, size_t n)
{
    static const char *const stems[] = {"key", "field", "propert", "attribut", "column"};
    for (size_t i = 0; i < sizeof(stems) / sizeof(stems[0]); i++) {
        size_t m = strlen(stems[i]);
        bool stem = starts_ci(w, n, stems[i]);
        if (stem && (m > 3 || n == 3 || (n == 4 && (w[3] == 's' || w[3] == 'S'))))
            return true;
    }
    return false;
}

/* 'answer', "follow_up", `tags`: a quote that opens after a non-letter and closes before one (so that the
 * apostrophe of "user's" opens nothing). */
static void quoted_keys(const char *s, size_t n, keys_t *k)
{
    for (size_t i = 0; i < n; i++) {
        char q = s[i];
        if ((q != '\'' && q != '"' && q != '`') || (i > 0 && isalnum((unsigned char)s[i - 1])))
            continue;
        size_t j = i + 1;
        while (j < n && j - i <= MAX_KEY_LEN + 1 && s[j] != q)
            j++;
        if (j < n && s[j] == q && (j + 1 == n || !isalnum((unsigned char)s[j + 1]))) {
            add_key(k, s + i + 1, j - i - 1);
            i = j;
        }
    }
}

/* "keys: name, age and email": the names after the colon, separated by commas, "and" or "or". */
static void listed_keys(const char *s, size_t n, keys_t *k)
{
    size_t i = 0;
    while (i < n) {
        while (i < n && (s[i] == ' ' || s[i] == ',' || s[i] == '\'' || s[i] == '"' || s[i] == '`'))
            i++;
        size_t w = i;
        while (i < n && ident_char(s[i]))
            i++;
        size_t len = i - w;
        bool joiner = (len == 3 && starts_ci(s + w, len, "and")) || (len == 2 && starts_ci(s + w, len, "or"));
        if (!joiner)
            add_key(k, s + w, len);
        while (i < n && (s[i] == '\'' || s[i] == '"' || s[i] == '`'))
            i++;
        if (i < n && s[i] != ' ' && s[i] != ',')
            return; /* the list ends at anything that is not a separator */
    }
}

/* One sentence: if it speaks of keys, its quoted names, and the list after "keys:" if there is one. */
static void sentence_keys(const char *s, size_t n, keys_t *k)
{
    bool about_keys = false;
    for (size_t i = 0; i < n;) {
        while (i < n && !isalpha((unsigned char)s[i]))
            i++;
        size_t w = i;
        while (i < n && isalpha((unsigned char)s[i]))
            i++;
        if (i > w && key_word(s + w, i - w)) {
            about_keys = true;
            size_t c = i;
            while (c < n && s[c] == ' ')
                c++;
            if (c < n && s[c] == ':')
                listed_keys(s + c + 1, n - c - 1, k);
        }
    }
    if (about_keys)
        quoted_keys(s, n, k);
}

/* Sentences end at a line break, at ". ", "? ", "! " or ";". */
static void find_keys(const char *t, size_t n, keys_t *k)
{
    size_t start = 0;
    for (size_t i = 0; i <= n && k->n < MP_HINT_MAX_KEYS; i++) {
        bool end = i == n || t[i] == '\n' || t[i] == ';' ||
                   ((t[i] == '.' || t[i] == '?' || t[i] == '!') && (i + 1 == n || isspace((unsigned char)t[i + 1])));
        if (end) {
            sentence_keys(t + start, i - start, k);
            start = i + 1;
        }
    }
}

/* ---- key names to kinds of values ----------------------------------------------------------------- */

typedef enum kind { K_STRING, K_BOOLEAN, K_INTEGER, K_NUMBER, K_LIST } kind_t;

static bool in_list(const char *w, const char *const *list)
{
    for (; *list != NULL; list++)
        if (strcmp(w, *list) == 0)
            return true;
    return false;
}

/* The kind a key's name suggests, from its words (snake_case, kebab-case or camelCase). Integers where a
 * name could be either (an integer is valid where a number is asked). */
static kind_t kind_of(const char *key)
{
    static const char *const booleans[] = {"is",       "has",      "can",       "should",    "was",  "did",
                                           "valid",    "success",  "enabled",   "active",    "done", "correct",
                                           "verified", "approved", "completed", "available", NULL};
    static const char *const numbers[] = {
        "price", "cost", "amount", "confidence", "probability", "ratio",       "latitude",   "longitude",
        "lat",   "lng",  "lon",    "weight",     "height",      "temperature", "percentage", NULL};
    static const char *const integers[] = {
        "count", "number", "num",   "age",      "year",       "years", "quantity", "qty",       "total",    "rank",
        "page",  "pages",  "votes", "rating",   "stars",      "score", "minutes",  "hours",     "seconds",  "servings",
        "size",  "length", "index", "humidity", "population", "views", "likes",    "followers", "calories", NULL};
    static const char *const lists[] = {"list", "items", "tags", "keywords", "array", NULL};
    static const char *const not_plural[] = {"status", "address", "news",     "analysis", "series",
                                             "alias",  "bonus",   "canvas",   "progress", "success",
                                             "class",  "process", "business", NULL};
    char words[8][MAX_KEY_LEN + 1];
    int nw = 0;
    size_t o = 0;
    for (const char *p = key; *p != '\0' && nw < 8; p++) {
        bool split = *p == '_' || *p == '-' || (isupper((unsigned char)*p) && o > 0);
        if (split && o > 0) {
            words[nw++][o] = '\0';
            o = 0;
        }
        if (*p != '_' && *p != '-' && nw < 8 && o < MAX_KEY_LEN)
            words[nw][o++] = (char)tolower((unsigned char)*p);
    }
    if (o > 0 && nw < 8)
        words[nw++][o] = '\0';
    if (nw == 0)
        return K_STRING;
    if (in_list(words[0], booleans) && (nw > 1 || strcmp(words[0], "is") != 0))
        return K_BOOLEAN;
    for (int i = nw - 1; i >= 0; i--) {
        if (in_list(words[i], numbers))
            return K_NUMBER;
        if (in_list(words[i], integers))
            return K_INTEGER;
    }
    const char *last = words[nw - 1];
    size_t len = strlen(last);
    if (in_list(last, lists) || (len > 3 && last[len - 1] == 's' && !in_list(last, not_plural) &&
                                 last[len - 2] != 's' && last[len - 2] != 'u' && last[len - 2] != 'i'))
        return K_LIST;
    return K_STRING;
}

/* {"type":"object","properties":{...},"required":[every key],"additionalProperties":false}. */
static void keys_schema(const keys_t *k, cm_buf_t *s)
{
    static const char *const kinds[] = {
        [K_STRING] = "{\"type\":\"string\"}",
        [K_BOOLEAN] = "{\"type\":\"boolean\"}",
        [K_INTEGER] = "{\"type\":\"integer\"}",
        [K_NUMBER] = "{\"type\":\"number\"}",
        [K_LIST] = "{\"type\":\"array\",\"items\":{\"type\":\"string\"},\"minItems\":1,\"maxItems\":4}",
    };
    cm_buf_puts(s, "{\"type\":\"object\",\"properties\":{");
    for (uint32_t i = 0; i < k->n; i++)
        cm_buf_printf(s, "%s\"%s\":%s", i ? "," : "", k->name[i], kinds[kind_of(k->name[i])]);
    cm_buf_puts(s, "},\"required\":[");
    for (uint32_t i = 0; i < k->n; i++)
        cm_buf_printf(s, "%s\"%s\"", i ? "," : "", k->name[i]);
    cm_buf_puts(s, "],\"additionalProperties\":false}");
}

static bool from_keys(const keys_t *k, uint64_t seed, cm_buf_t *out)
{
    if (k->n == 0)
        return false;
    cm_buf_t schema = CM_BUF_INIT;
    keys_schema(k, &schema);
    bool ok = generate_text(schema.data, schema.len, seed, out);
    cm_buf_free(&schema);
    return ok;
}

/* ---- rule 4: the topic ---------------------------------------------------------------------------- */

/* Bytes at the end of the prompt read for its topic: the latest request says what it is about. */
#define TOPIC_TAIL 4096

static const struct topic {
    const char *words; /* space-separated, matched as whole words (a plural 's' allowed) */
    const char *keys;  /* comma-separated */
} topics[] = {
    {"person people user customer employee profile contact author member", "name,email,age,city"},
    {"product item order purchase shop store catalog", "product_name,price,quantity,available"},
    {"event meeting appointment schedule calendar", "title,date,location,attendees"},
    {"weather forecast", "city,temperature,condition,humidity"},
    {"recipe ingredient cook cooking dish meal", "title,ingredients,steps,servings"},
    {"sentiment classify classification category label intent", "label,confidence,reasoning"},
    {"summary summarize summarise tldr article", "title,summary,key_points"},
};
/* General answers when the prompt has no topic the table knows, one chosen by the seed. */
static const char *const general[] = {"answer,confidence", "title,summary,tags", "result,explanation,sources"};

static void split_keys(const char *list, keys_t *k)
{
    k->n = 0;
    for (const char *p = list; *p != '\0';) {
        size_t n = strcspn(p, ",");
        add_key(k, p, n);
        p += n + (p[n] == ',');
    }
}

/* Whether word (lower case) is in the space-separated list, or is a plural of one of its words. */
static bool topic_word(const char *list, const char *w, size_t n)
{
    for (const char *p = list; *p != '\0';) {
        size_t m = strcspn(p, " ");
        if ((n == m || (n == m + 1 && w[m] == 's')) && strncmp(p, w, m) == 0)
            return true;
        p += m + (p[m] == ' ');
    }
    return false;
}

static const char *topic_of(const char *t, size_t n)
{
    size_t from = n > TOPIC_TAIL ? n - TOPIC_TAIL : 0;
    for (size_t i = from; i < n;) {
        while (i < n && !isalpha((unsigned char)t[i]))
            i++;
        char w[24];
        size_t len = 0;
        while (i < n && isalpha((unsigned char)t[i])) {
            if (len < sizeof(w) - 1)
                w[len++] = (char)tolower((unsigned char)t[i]);
            i++;
        }
        for (size_t k = 0; len > 0 && len < sizeof(w) - 1 && k < sizeof(topics) / sizeof(topics[0]); k++)
            if (topic_word(topics[k].words, w, len))
                return topics[k].keys;
    }
    return NULL;
}

/* ---- entry ---------------------------------------------------------------------------------------- */

void mp_hint_json_object(const char *text, size_t len, uint64_t seed, cm_buf_t *out)
{
    if (len > MP_HINT_MAX_TEXT)
        len = MP_HINT_MAX_TEXT;
    found_t f;
    keys_t k = {.n = 0};
    find_objects(text, len, &f);
    if (from_prompt_schema(text, &f, seed, out) || from_example(text, &f, seed, out))
        return;
    find_keys(text, len, &k);
    if (from_keys(&k, seed, out))
        return;
    const char *topic = topic_of(text, len);
    split_keys(topic ? topic : general[seed % (sizeof(general) / sizeof(general[0]))], &k);
    if (!from_keys(&k, seed, out))
        cm_buf_puts(out, "{}");
}
