/* Strings from a regular expression: the pattern is parsed into a small tree (sequences of atoms with a
 * repetition range; groups hold alternatives), then walked with random choices. Parsing is linear in the
 * pattern; the walk is bounded by MP_PATTERN_MAX_STEPS and MP_PATTERN_MAX_OUTPUT whatever the nesting. */
#include "mock-provider/providers/schema/schema_pattern.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define RX_INF 0xffffu
#define RX_MAX_NESTING 32

typedef enum rx_kind {
    RX_CHARS,  /* one character (1 to 4 UTF-8 bytes) */
    RX_SET,    /* one ASCII character of a set */
    RX_GROUP,  /* alternatives: first is the first RX_BRANCH */
    RX_BRANCH, /* one alternative: first is its first atom (0 = empty); next is the next alternative */
    RX_ANCHOR, /* ^ or $: matches without producing anything */
} rx_kind_t;

typedef struct rx_node {
    uint8_t kind;
    uint8_t nbytes;
    uint16_t min, max;
    uint32_t first, next; /* node indices; node 0 is never used, so 0 means none */
    char bytes[4];
    uint8_t set[16]; /* bitmap of ASCII 0..127 */
} rx_node_t;

typedef struct rx {
    rx_node_t *node;
    uint32_t n, cap;
    const char *p;
    size_t len, pos;
    int nesting;
    bool bad;
    /* generation */
    cm_rng_t *rng;
    cm_buf_t *out;
    uint32_t steps, spread;
    uint32_t step_cap; /* steps allowed in this try: MP_PATTERN_MAX_STEPS, or less of the caller's budget */
    size_t target;     /* > 0: repeat past a quantifier's minimum until the output is this long */
} rx_t;

static uint32_t add(rx_t *r, rx_kind_t kind)
{
    if (r->n == r->cap) { /* cap is sized from the pattern length, so this only guards a logic error */
        r->bad = true;
        return 0;
    }
    rx_node_t *x = &r->node[r->n];
    memset(x, 0, sizeof(*x));
    x->kind = (uint8_t)kind;
    x->min = x->max = 1;
    return r->n++;
}

static void set_bit(rx_node_t *x, unsigned c)
{
    if (c < 128)
        x->set[c >> 3] |= (uint8_t)(1u << (c & 7));
}

static bool has_bit(const rx_node_t *x, unsigned c)
{
    return c < 128 && (x->set[c >> 3] & (1u << (c & 7))) != 0;
}

static void set_range(rx_node_t *x, unsigned lo, unsigned hi)
{
    for (unsigned c = lo; c <= hi && c < 128; c++)
        set_bit(x, c);
}

/* \d \w \s (and, negated, \D \W \S over printable ASCII) into x. Returns false for other letters. */
static bool class_escape(rx_node_t *x, char e)
{
    rx_node_t tmp = {0};
    char lower = (char)(e | 0x20);
    if (lower == 'd')
        set_range(&tmp, '0', '9');
    else if (lower == 'w') {
        set_range(&tmp, '0', '9');
        set_range(&tmp, 'a', 'z');
        set_range(&tmp, 'A', 'Z');
        set_bit(&tmp, '_');
    } else if (lower == 's') {
        set_bit(&tmp, ' ');
        set_range(&tmp, '\t', '\r');
    } else
        return false;
    bool neg = e != lower;
    for (unsigned c = neg ? 0x20 : 0; c < (neg ? 0x7fu : 128u); c++)
        if (has_bit(&tmp, c) != neg)
            set_bit(x, c);
    return true;
}

static int hex_value(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    c = (char)(c | 0x20);
    return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

/* The character of a single-character escape after the backslash (at r->pos), advancing past it; -1 for an
 * escape outside the subset. \uXXXX and \xHH give code points (only ASCII ones are kept as such). */
static long simple_escape(rx_t *r)
{
    char e = r->p[r->pos++];
    int digits = e == 'u' ? 4 : e == 'x' ? 2 : 0;
    if (digits > 0) {
        long v = 0;
        for (int i = 0; i < digits; i++) {
            int h = r->pos < r->len ? hex_value(r->p[r->pos]) : -1;
            if (h < 0)
                return -1;
            v = v * 16 + h;
            r->pos++;
        }
        return v;
    }
    static const char from[] = "ntrfv0", to[] = "\n\t\r\f\v";
    const char *k = strchr(from, e);
    if (e != '\0' && k != NULL)
        return to[k - from];
    if ((e >= 'a' && e <= 'z') || (e >= 'A' && e <= 'Z') || (e >= '1' && e <= '9'))
        return -1; /* \b, \p, backreferences and the like */
    return (unsigned char)e;
}

static void parse_class(rx_t *r, rx_node_t *x)
{
    bool neg = r->pos < r->len && r->p[r->pos] == '^';
    r->pos += neg;
    rx_node_t acc = {0};
    bool any = false;
    while (r->pos < r->len && r->p[r->pos] != ']' && !r->bad) {
        long lo = (unsigned char)r->p[r->pos++];
        if (lo == '\\' && r->pos < r->len) {
            if (class_escape(&acc, r->p[r->pos])) {
                r->pos++;
                any = true;
                continue;
            }
            lo = simple_escape(r);
        }
        long hi = lo;
        if (r->pos + 1 < r->len && r->p[r->pos] == '-' && r->p[r->pos + 1] != ']') {
            r->pos++;
            hi = (unsigned char)r->p[r->pos++];
            if (hi == '\\' && r->pos < r->len)
                hi = simple_escape(r);
        }
        if (lo < 0 || hi < lo || hi >= 128) {
            r->bad = true;
        } else {
            set_range(&acc, (unsigned)lo, (unsigned)hi);
            any = true;
        }
    }
    if (r->pos >= r->len || !any)
        r->bad = true; /* unterminated, or [] which matches nothing */
    r->pos++;
    bool empty = true;
    for (unsigned c = neg ? 0x20 : 0; c < (neg ? 0x7fu : 128u); c++)
        if (has_bit(&acc, c) != neg) {
            set_bit(x, c);
            empty = false;
        }
    if (empty)
        r->bad = true; /* e.g. [^ -~]: no printable member left to produce */
}

static void literal(rx_node_t *x, long cp)
{
    if (cp < 0x80) {
        x->bytes[0] = (char)cp;
        x->nbytes = 1;
    } else if (cp < 0x800) {
        x->bytes[0] = (char)(0xc0 | (cp >> 6));
        x->bytes[1] = (char)(0x80 | (cp & 0x3f));
        x->nbytes = 2;
    } else {
        x->bytes[0] = (char)(0xe0 | (cp >> 12));
        x->bytes[1] = (char)(0x80 | ((cp >> 6) & 0x3f));
        x->bytes[2] = (char)(0x80 | (cp & 0x3f));
        x->nbytes = 3;
    }
}

static uint32_t parse_alt(rx_t *r);

static void parse_group(rx_t *r, uint32_t g)
{
    if (r->pos < r->len && r->p[r->pos] == '?') {
        bool named =
            r->pos + 2 < r->len && r->p[r->pos + 1] == '<' && r->p[r->pos + 2] != '=' && r->p[r->pos + 2] != '!';
        if (r->pos + 1 < r->len && r->p[r->pos + 1] == ':')
            r->pos += 2;
        else if (named) {
            const char *close = memchr(r->p + r->pos, '>', r->len - r->pos);
            if (close == NULL) {
                r->bad = true;
                return;
            }
            r->pos = (size_t)(close - r->p) + 1;
        } else {
            r->bad = true; /* lookarounds and flags */
            return;
        }
    }
    if (++r->nesting > RX_MAX_NESTING) {
        r->bad = true;
        return;
    }
    uint32_t first = parse_alt(r);
    r->node[g].first = first;
    r->nesting--;
    if (r->pos >= r->len || r->p[r->pos] != ')')
        r->bad = true;
    r->pos++;
}

/* One atom at r->pos (never at '|' or ')'); returns its node. */
static uint32_t parse_atom(rx_t *r)
{
    unsigned char c = (unsigned char)r->p[r->pos++];
    uint32_t a;
    if (c == '(') {
        a = add(r, RX_GROUP);
        if (a != 0)
            parse_group(r, a);
        return a;
    }
    if (c == '^' || c == '$')
        return add(r, RX_ANCHOR);
    if (c == '*' || c == '+' || c == '?') {
        r->bad = true;
        return 0;
    }
    bool set = c == '[' || c == '.' || (c == '\\' && r->pos < r->len && strchr("dwsDWS", r->p[r->pos]) != NULL);
    if ((a = add(r, set ? RX_SET : RX_CHARS)) == 0)
        return 0;
    rx_node_t *x = &r->node[a];
    if (c == '[')
        parse_class(r, x);
    else if (c == '.')
        class_escape(x, 'w'); /* any character matches; a word character reads best */
    else if (c == '\\' && set)
        class_escape(x, r->p[r->pos++]);
    else if (c == '\\') {
        long cp = r->pos < r->len ? simple_escape(r) : -1;
        if (cp < 0 || (cp >= 0xd800 && cp <= 0xdfff))
            r->bad = true; /* lone surrogates are not characters */
        else
            literal(x, cp);
    } else {
        size_t n = c >= 0xf0 ? 4 : c >= 0xe0 ? 3 : c >= 0xc0 ? 2 : 1;
        if (r->pos - 1 + n > r->len)
            n = r->len - (r->pos - 1);
        memcpy(x->bytes, r->p + r->pos - 1, n);
        x->nbytes = (uint8_t)n;
        r->pos += n - 1;
    }
    return a;
}

/* Digits at r->pos as a count, or -1 when there are none. */
static long parse_count(rx_t *r)
{
    long v = -1;
    while (r->pos < r->len && r->p[r->pos] >= '0' && r->p[r->pos] <= '9') {
        v = (v < 0 ? 0 : v) * 10 + (r->p[r->pos++] - '0');
        if (v > 100000)
            v = 100000;
    }
    return v;
}

/* {n}, {n,}, {n,m} at r->pos (after the '{'); false (position restored) when it is a literal brace. */
static bool parse_braces(rx_t *r, long *lo, long *hi)
{
    size_t start = r->pos;
    *lo = parse_count(r);
    *hi = *lo;
    if (*lo >= 0 && r->pos < r->len && r->p[r->pos] == ',') {
        r->pos++;
        *hi = parse_count(r);
        if (*hi < 0)
            *hi = RX_INF;
    }
    if (*lo < 0 || r->pos >= r->len || r->p[r->pos] != '}') {
        r->pos = start;
        return false;
    }
    r->pos++;
    return true;
}

static void parse_quantifier(rx_t *r, rx_node_t *x)
{
    if (r->pos >= r->len)
        return;
    char q = r->p[r->pos];
    long lo = 1, hi = 1;
    if (q == '*' || q == '+' || q == '?') {
        r->pos++;
        lo = q == '+';
        hi = q == '?' ? 1 : RX_INF;
    } else if (q == '{') {
        r->pos++;
        if (!parse_braces(r, &lo, &hi)) {
            r->pos--;
            return;
        }
        if (lo > MP_PATTERN_MAX_REPEAT || (hi != RX_INF && hi > MP_PATTERN_MAX_REPEAT) || hi < lo)
            r->bad = true;
    } else {
        return;
    }
    x->min = (uint16_t)lo;
    x->max = (uint16_t)hi;
    if (r->pos < r->len && (r->p[r->pos] == '?' || r->p[r->pos] == '+'))
        r->pos++; /* lazy or possessive: the same strings match */
}

/* Alternatives up to ')' or the end; returns the first RX_BRANCH. */
static uint32_t parse_alt(rx_t *r)
{
    uint32_t first = add(r, RX_BRANCH), branch = first, last = 0;
    while (!r->bad && r->pos < r->len && r->p[r->pos] != ')') {
        if (r->p[r->pos] == '|') {
            r->pos++;
            uint32_t b = add(r, RX_BRANCH);
            r->node[branch].next = b;
            branch = b;
            last = 0;
            continue;
        }
        uint32_t a = parse_atom(r);
        if (a == 0 || r->bad)
            break;
        parse_quantifier(r, &r->node[a]);
        if (last == 0)
            r->node[branch].first = a;
        else
            r->node[last].next = a;
        last = a;
    }
    return first;
}

/* ---- generation ----------------------------------------------------------------------------------- */

static uint32_t below(rx_t *r, uint32_t n)
{
    return n ? (uint32_t)(cm_rng_next(r->rng) % n) : 0;
}

static bool alnum(unsigned c)
{
    return (c >= '0' && c <= '9') || ((c | 0x20) >= 'a' && (c | 0x20) <= 'z');
}

/* A member of the set: a letter or digit when the set has one (nine times in ten), so that "[^,]" reads
 * like text, else a printable member, else any member. */
static char pick(rx_t *r, const rx_node_t *x)
{
    unsigned cand[128], n = 0;
    for (int pass = below(r, 10) == 0 ? 1 : 0; pass < 3 && n == 0; pass++)
        for (unsigned c = 0; c < 128; c++) {
            bool wanted = pass == 0 ? alnum(c) : pass == 1 ? c >= 0x20 && c < 0x7f : true;
            if (wanted && has_bit(x, c))
                cand[n++] = c;
        }
    return (char)cand[below(r, n)];
}

static bool over(rx_t *r)
{
    if (++r->steps > r->step_cap || r->out->len > MP_PATTERN_MAX_OUTPUT)
        r->bad = true;
    return r->bad;
}

static void gen_branches(rx_t *r, uint32_t first);

static void gen_seq(rx_t *r, uint32_t a)
{
    for (; a != 0 && !r->bad; a = r->node[a].next) {
        const rx_node_t *x = &r->node[a];
        uint32_t room = x->max == RX_INF ? r->spread : (uint32_t)(x->max - x->min);
        if (room > r->spread)
            room = r->spread;
        uint32_t reps = r->target ? x->max : x->min + below(r, room + 1);
        for (uint32_t k = 0; k < reps && !over(r) && (k < x->min || !r->target || r->out->len < r->target); k++) {
            if (x->kind == RX_CHARS)
                cm_buf_append(r->out, x->bytes, x->nbytes);
            else if (x->kind == RX_SET)
                cm_buf_putc(r->out, pick(r, x));
            else if (x->kind == RX_GROUP)
                gen_branches(r, x->first);
        }
    }
}

static void gen_branches(rx_t *r, uint32_t first)
{
    uint32_t n = 0;
    for (uint32_t b = first; b != 0; b = r->node[b].next)
        n++;
    uint32_t k = below(r, n), b = first;
    while (k-- > 0)
        b = r->node[b].next;
    gen_seq(r, r->node[b].first);
}

static size_t utf8_chars(const char *s, size_t n)
{
    size_t c = 0;
    for (size_t i = 0; i < n; i++)
        c += ((unsigned char)s[i] & 0xc0) != 0x80;
    return c;
}

int mp_pattern_generate(const char *pat, size_t n, size_t minlen, size_t maxlen, uint32_t budget, cm_rng_t *rng,
                        cm_buf_t *out, uint32_t *spent)
{
    /* Parsing costs about a unit per 16 pattern bytes; every generation step one unit. */
    *spent = (uint32_t)(n / 16 + 1);
    if (n > MP_PATTERN_MAX_LEN || *spent > budget)
        return -1;
    rx_t r = {.p = pat, .len = n, .cap = (uint32_t)(2 * n + 4), .rng = rng};
    r.node = calloc(r.cap, sizeof(*r.node));
    if (r.node == NULL)
        return -1;
    r.n = 1;
    uint32_t root = parse_alt(&r);
    bool ok = !r.bad && r.pos == n;
    /* Random repetition counts (wider and narrower in turn, to stay under a maxLength), and every other try
     * counts aimed at a length within [minlen, maxlen] (to reach a minLength). */
    static const uint32_t spreads[MP_PATTERN_TRIES] = {3, 0, 0, 1, 12, 0, 48, 0};
    cm_buf_t tmp = CM_BUF_INIT;
    for (int t = 0; ok && t < MP_PATTERN_TRIES && *spent < budget; t++) {
        cm_buf_reset(&tmp);
        r.out = &tmp;
        r.steps = 0;
        r.step_cap = budget - *spent < MP_PATTERN_MAX_STEPS ? budget - *spent : MP_PATTERN_MAX_STEPS;
        r.spread = spreads[t];
        r.target =
            t % 2 && minlen > 0 ? minlen + below(&r, (uint32_t)(maxlen - minlen < 8 ? maxlen - minlen + 1 : 9)) : 0;
        gen_branches(&r, root);
        *spent += r.steps < r.step_cap ? r.steps : r.step_cap;
        size_t chars = utf8_chars(tmp.data ? tmp.data : "", tmp.len);
        if (r.bad)
            r.bad = false; /* over a bound this time; a narrower try may fit */
        else if (chars >= minlen && chars <= maxlen) {
            cm_buf_append(out, tmp.data ? tmp.data : "", tmp.len);
            cm_buf_free(&tmp);
            free(r.node);
            return 0;
        }
    }
    cm_buf_free(&tmp);
    free(r.node);
    return -1;
}
