/* common/json.c — the zero-copy validating JSON parser of json.h (accessors: json_access.c; writer:
 * json_write.c).
 *
 * The parser is a loop over an explicit stack of open containers, so hostile nesting costs a bounded
 * array, never C stack. Tokens are appended in document order (pre-order), which makes a container's
 * first child simply container + 1; sibling links are patched as each new child arrives.
 *
 * Nearly all of a chat request is the bytes of a few long strings, so string bodies are scanned a 64-bit
 * word at a time (SWAR): one mask finds the first quote, backslash, control byte or non-ASCII byte in eight
 * bytes, and only those bytes take the slow path. Non-ASCII bytes are validated as UTF-8 there, so the
 * reader accepts exactly RFC 8259 text. */
#include "common/json.h"
#include "common/alloc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct frame {
    uint32_t tok;   /* the open container */
    uint32_t last;  /* its last child so far, 0 before the first (token 0 is the root, never a child) */
    uint32_t count; /* members or elements so far */
    bool is_obj;
} frame_t;

typedef struct parser {
    const char *src, *p, *end;
    cm_json_toks_t *toks;
    uint32_t ntok;
    int depth;
    frame_t stack[CM_JSON_MAX_DEPTH];
    char *err;
    size_t errlen;
} parser_t;

#define ONES UINT64_C(0x0101010101010101)
#define HIGHS UINT64_C(0x8080808080808080)

/* ---- errors and tokens ------------------------------------------------------------------------------ */

static int fail(parser_t *ps, const char *at, const char *what)
{
    if (ps->err != NULL && ps->errlen > 0)
        snprintf(ps->err, ps->errlen, "invalid JSON at byte %zu: %s", (size_t)(at - ps->src), what);
    return -1;
}

static uint32_t new_tok(parser_t *ps, cm_json_type_t type, const char *start)
{
    cm_json_toks_t *t = ps->toks;
    if (ps->ntok == t->cap) {
        uint32_t cap = t->cap ? t->cap * 2 : 256;
        t->v = cm_xrealloc(t->v, (size_t)cap * sizeof(*t->v));
        t->cap = cap;
    }
    uint32_t i = ps->ntok++;
    cm_json_tok_t *k = &t->v[i];
    k->type = (uint8_t)type;
    k->escaped = 0;
    k->start = (uint32_t)(start - ps->src);
    k->len = 0;
    k->next = 0;
    k->count = 0;
    if (ps->depth > 0) {
        frame_t *f = &ps->stack[ps->depth - 1];
        if (f->last != 0)
            t->v[f->last].next = i;
        f->last = i;
    }
    return i;
}

static void set_end(parser_t *ps, uint32_t tok, const char *end)
{
    ps->toks->v[tok].len = (uint32_t)(end - ps->src) - ps->toks->v[tok].start;
}

static const char *skip_ws(const char *p, const char *end)
{
    while (p < end && (*p == ' ' || *p == '\n' || *p == '\r' || *p == '\t'))
        p++;
    return p;
}

/* ---- strings ---------------------------------------------------------------------------------------- */

/* Sets the high bit of (at least) every byte of v that is '"', '\\', below 0x20 or above 0x7f, before the
 * final & HIGHS. x - ONES sets a byte's high bit when x's byte is 0 or above 0x80; for x = v ^ '"' the
 * latter happens only where v itself is above 0x7f, which is special anyway, so the usual `& ~x` of the
 * zero-byte test can be dropped. A borrow only spreads upwards from a byte that is itself special, so the
 * lowest marked byte is always exact. The caller ANDs with HIGHS once for several words. */
static inline uint64_t special_bits(uint64_t v)
{
    return ((v ^ (ONES * '"')) - ONES) | ((v ^ (ONES * '\\')) - ONES) | (v - ONES * 0x20) | v;
}

static inline unsigned first_marked(uint64_t m)
{
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
    return (unsigned)__builtin_clzll(m) >> 3;
#else
    return (unsigned)__builtin_ctzll(m) >> 3;
#endif
}

static inline bool special_byte(unsigned char c)
{
    return c == '"' || c == '\\' || c < 0x20 || c >= 0x80;
}

/* Index of the first special byte in the 8 bytes at p, or 8. */
static inline unsigned special_in_word(const char *p)
{
    uint64_t v;
    memcpy(&v, p, 8);
    uint64_t m = special_bits(v) & HIGHS;
    return m ? first_marked(m) : 8;
}

/* Returns the first special byte at or after p, or end. Four words are tested with a single branch; only
 * a block that holds a special byte is looked at word by word. */
static inline const char *find_special(const char *p, const char *end)
{
    while (end - p >= 64) {
        uint64_t w[8];
        memcpy(w, p, 64);
        uint64_t m = 0;
        for (int i = 0; i < 8; i++)
            m |= special_bits(w[i]);
        if ((m & HIGHS) != 0)
            break;
        p += 64;
    }
    while (end - p >= 8) {
        unsigned i = special_in_word(p);
        if (i < 8)
            return p + i;
        p += 8;
    }
    while (p < end && !special_byte((unsigned char)*p))
        p++;
    return p;
}

static int hexval(unsigned char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    c |= 0x20;
    return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

/* p points at a backslash; returns the byte after the escape or NULL (error reported). */
static const char *scan_escape(parser_t *ps, const char *p)
{
    if (p + 1 >= ps->end)
        return fail(ps, p, "unterminated string"), NULL;
    switch (p[1]) {
    case '"':
    case '\\':
    case '/':
    case 'b':
    case 'f':
    case 'n':
    case 'r':
    case 't':
        return p + 2;
    case 'u':
        for (int i = 2; i < 6; i++) {
            if (p + i >= ps->end || hexval((unsigned char)p[i]) < 0)
                return fail(ps, p, "expected 4 hex digits after \\u"), NULL;
        }
        return p + 6;
    default:
        return fail(ps, p, "invalid escape (expected one of \\\" \\\\ \\/ \\b \\f \\n \\r \\t \\uXXXX)"), NULL;
    }
}

size_t cm_json_utf8_len(const unsigned char *p, const unsigned char *end)
{
    unsigned char c = p[0];
    size_t n;
    unsigned char lo = 0x80, hi = 0xBF;
    if (c >= 0xC2 && c <= 0xDF)
        n = 2;
    else if (c >= 0xE0 && c <= 0xEF)
        n = 3, lo = c == 0xE0 ? 0xA0 : 0x80, hi = c == 0xED ? 0x9F : 0xBF;
    else if (c >= 0xF0 && c <= 0xF4)
        n = 4, lo = c == 0xF0 ? 0x90 : 0x80, hi = c == 0xF4 ? 0x8F : 0xBF;
    else
        return 0;
    if ((size_t)(end - p) < n || p[1] < lo || p[1] > hi)
        return 0;
    for (size_t i = 2; i < n; i++) {
        if ((p[i] & 0xC0) != 0x80)
            return 0;
    }
    return n;
}

/* p points at the opening quote. Fills tok's range and escaped flag; returns the byte after the closing
 * quote or NULL. */
static const char *scan_string(parser_t *ps, uint32_t tok, const char *p)
{
    const char *body = p + 1;
    uint8_t escaped = 0;
    p = body;
    for (;;) {
        p = find_special(p, ps->end);
        if (p == ps->end)
            return fail(ps, body - 1, "unterminated string"), NULL;
        unsigned char c = (unsigned char)*p;
        if (c == '"')
            break;
        if (c < 0x20)
            return fail(ps, p, "control character in string (must be escaped)"), NULL;
        if (c == '\\') {
            escaped = 1;
            if ((p = scan_escape(ps, p)) == NULL)
                return NULL;
            continue;
        }
        size_t n = cm_json_utf8_len((const unsigned char *)p, (const unsigned char *)ps->end);
        if (n == 0)
            return fail(ps, p, "invalid UTF-8 in string"), NULL;
        p += n;
    }
    cm_json_tok_t *k = &ps->toks->v[tok];
    k->start = (uint32_t)(body - ps->src);
    k->len = (uint32_t)(p - body);
    k->escaped = escaped;
    return p + 1;
}

/* ---- scalars ---------------------------------------------------------------------------------------- */

static bool is_digit(const char *p, const char *end)
{
    return p < end && *p >= '0' && *p <= '9';
}

static const char *digits(const char *p, const char *end)
{
    while (is_digit(p, end))
        p++;
    return p;
}

/* RFC 8259 number grammar: -? (0 | [1-9][0-9]*) (. [0-9]+)? ([eE] [+-]? [0-9]+)? */
static const char *scan_number(parser_t *ps, const char *p)
{
    const char *end = ps->end;
    if (*p == '-')
        p++;
    if (!is_digit(p, end))
        return fail(ps, p, "expected a digit"), NULL;
    p = *p == '0' ? p + 1 : digits(p, end);
    if (p < end && *p == '.') {
        if (!is_digit(++p, end))
            return fail(ps, p, "expected a digit after '.'"), NULL;
        p = digits(p, end);
    }
    if (p < end && (*p == 'e' || *p == 'E')) {
        p++;
        if (p < end && (*p == '+' || *p == '-'))
            p++;
        if (!is_digit(p, end))
            return fail(ps, p, "expected a digit in the exponent"), NULL;
        p = digits(p, end);
    }
    return p;
}

static const char *scan_literal(parser_t *ps, const char *p, const char *word, size_t n)
{
    if ((size_t)(ps->end - p) < n || memcmp(p, word, n) != 0)
        return fail(ps, p, "expected a value"), NULL;
    return p + n;
}

/* ---- structure -------------------------------------------------------------------------------------- */

static int open_container(parser_t *ps, const char *p, bool is_obj)
{
    if (ps->depth == CM_JSON_MAX_DEPTH)
        return fail(ps, p, "nesting deeper than 128 levels");
    uint32_t t = new_tok(ps, is_obj ? CM_JSON_OBJECT : CM_JSON_ARRAY, p);
    ps->stack[ps->depth++] = (frame_t){.tok = t, .last = 0, .count = 0, .is_obj = is_obj};
    return 0;
}

static void close_container(parser_t *ps, const char *p)
{
    frame_t *f = &ps->stack[--ps->depth];
    set_end(ps, f->tok, p + 1);
    ps->toks->v[f->tok].count = f->count;
}

/* Parses one scalar, or opens a container. Returns the byte after what it consumed, or NULL. */
static const char *parse_value(parser_t *ps, const char *p)
{
    if (p == ps->end)
        return fail(ps, p, "expected a value"), NULL;
    if (ps->depth > 0)
        ps->stack[ps->depth - 1].count++;
    uint32_t t;
    const char *q;
    switch (*p) {
    case '{':
        return open_container(ps, p, true) == 0 ? p + 1 : NULL;
    case '[':
        return open_container(ps, p, false) == 0 ? p + 1 : NULL;
    case '"':
        return scan_string(ps, new_tok(ps, CM_JSON_STRING, p), p);
    case 't':
        t = new_tok(ps, CM_JSON_TRUE, p), q = scan_literal(ps, p, "true", 4);
        break;
    case 'f':
        t = new_tok(ps, CM_JSON_FALSE, p), q = scan_literal(ps, p, "false", 5);
        break;
    case 'n':
        t = new_tok(ps, CM_JSON_NULL, p), q = scan_literal(ps, p, "null", 4);
        break;
    default:
        if (*p != '-' && (*p < '0' || *p > '9'))
            return fail(ps, p, "expected a value"), NULL;
        t = new_tok(ps, CM_JSON_NUMBER, p), q = scan_number(ps, p);
    }
    if (q != NULL)
        set_end(ps, t, q);
    return q;
}

/* Parses `"key" :` inside an object; the key is a token but not counted as a member until its value. */
static const char *parse_key(parser_t *ps, const char *p)
{
    if (p == ps->end || *p != '"')
        return fail(ps, p, "expected '\"' to start an object key"), NULL;
    p = scan_string(ps, new_tok(ps, CM_JSON_STRING, p), p);
    if (p == NULL)
        return NULL;
    p = skip_ws(p, ps->end);
    if (p == ps->end || *p != ':')
        return fail(ps, p, "expected ':' after object key"), NULL;
    return skip_ws(p + 1, ps->end);
}

/* After a complete value inside a container: a separator, or the container's end. Returns the position
 * of the next value to parse, or NULL; *closed tells the caller a container ended instead. */
static const char *after_value(parser_t *ps, const char *p, bool *closed)
{
    const frame_t *f = &ps->stack[ps->depth - 1];
    char close = f->is_obj ? '}' : ']';
    p = skip_ws(p, ps->end);
    *closed = false;
    if (p < ps->end && *p == close) {
        close_container(ps, p);
        *closed = true;
        return p + 1;
    }
    if (p == ps->end || *p != ',')
        return fail(ps, p, f->is_obj ? "expected ',' or '}'" : "expected ',' or ']'"), NULL;
    p = skip_ws(p + 1, ps->end);
    return f->is_obj ? parse_key(ps, p) : p;
}

/* Right after '{' or '[': the container may be empty, otherwise its first value (or key) follows. */
static const char *after_open(parser_t *ps, const char *p, bool *closed)
{
    const frame_t *f = &ps->stack[ps->depth - 1];
    p = skip_ws(p, ps->end);
    *closed = p < ps->end && *p == (f->is_obj ? '}' : ']');
    if (*closed) {
        close_container(ps, p);
        return p + 1;
    }
    if (!f->is_obj)
        return p;
    if (p == ps->end || *p != '"')
        return fail(ps, p, "expected '\"' to start an object key or '}'"), NULL;
    return parse_key(ps, p);
}

static int parse_all(parser_t *ps)
{
    const char *p = skip_ws(ps->src, ps->end);
    do {
        int depth = ps->depth;
        p = parse_value(ps, p);
        /* done: the value just parsed (or a container just closed) is complete, so a separator or a
         * closing bracket of the enclosing container comes next. */
        bool done = true;
        if (p != NULL && ps->depth > depth)
            p = after_open(ps, p, &done);
        while (p != NULL && done && ps->depth > 0)
            p = after_value(ps, p, &done);
        if (p == NULL)
            return -1;
    } while (ps->depth > 0);
    p = skip_ws(p, ps->end);
    if (p != ps->end)
        return fail(ps, p, "expected end of input after the root value");
    return 0;
}

int cm_json_parse(cm_json_doc_t *doc, const char *src, size_t len, cm_json_toks_t *toks, char *err, size_t errlen)
{
    parser_t ps;
    ps.src = ps.p = src;
    ps.end = src + len;
    ps.toks = toks;
    ps.ntok = 0;
    ps.depth = 0;
    ps.err = err;
    ps.errlen = errlen;
    memset(doc, 0, sizeof(*doc));
    if (len >= UINT32_MAX)
        return fail(&ps, src, "document larger than 4 GiB");
    if (parse_all(&ps) != 0)
        return -1;
    doc->src = src;
    doc->srclen = len;
    doc->tok = toks->v;
    doc->ntok = ps.ntok;
    return 0;
}

void cm_json_toks_shrink(cm_json_toks_t *toks, uint32_t cap)
{
    if (toks->cap <= cap)
        return;
    cm_json_toks_free(toks);
    if (cap > 0) {
        toks->v = cm_xmalloc((size_t)cap * sizeof(*toks->v));
        toks->cap = cap;
    }
}

void cm_json_toks_free(cm_json_toks_t *toks)
{
    free(toks->v);
    toks->v = NULL;
    toks->cap = 0;
}
