/* common/json_access.c — reading values out of a parsed document (json.h): lookups, string decoding and
 * numbers. The parser (json.c) has validated everything, so escapes and number syntax are trusted here. */
#include "common/json.h"
#include "common/alloc.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* Four hex digits already checked by the parser. */
static uint32_t hex4(const char *p)
{
    uint32_t u = 0;
    for (int i = 0; i < 4; i++) {
        unsigned c = (unsigned char)p[i];
        u = u << 4 | (c <= '9' ? c - '0' : (c | 0x20) - 'a' + 10);
    }
    return u;
}

/* Decodes the escape at p (a backslash) into a code point; returns the bytes consumed. The parser already
 * validated every escape, so only the surrogate pairing is decided here: a lone surrogate becomes U+FFFD
 * rather than ill-formed UTF-8. */
static size_t decode_escape(const char *p, const char *end, uint32_t *cp)
{
    static const char from[] = "\"\\/bfnrt", to[] = "\"\\/\b\f\n\r\t";
    const char *e = memchr(from, p[1], sizeof(from) - 1);
    if (e != NULL) {
        *cp = (unsigned char)to[e - from];
        return 2;
    }
    uint32_t u = hex4(p + 2);
    *cp = u;
    if (u >= 0xDC00 && u <= 0xDFFF) {
        *cp = 0xFFFD;
    } else if (u >= 0xD800 && u <= 0xDBFF) {
        bool pair = end - p >= 12 && p[6] == '\\' && p[7] == 'u';
        uint32_t lo = pair ? hex4(p + 8) : 0;
        if (!pair || lo < 0xDC00 || lo > 0xDFFF) {
            *cp = 0xFFFD;
            return 6;
        }
        *cp = 0x10000 + ((u - 0xD800) << 10) + (lo - 0xDC00);
        return 12;
    }
    return 6;
}

static size_t encode_utf8(uint32_t cp, char out[4])
{
    if (cp < 0x80) {
        out[0] = (char)cp;
        return 1;
    }
    if (cp < 0x800) {
        out[0] = (char)(0xC0 | cp >> 6);
        out[1] = (char)(0x80 | (cp & 0x3F));
        return 2;
    }
    if (cp < 0x10000) {
        out[0] = (char)(0xE0 | cp >> 12);
        out[1] = (char)(0x80 | (cp >> 6 & 0x3F));
        out[2] = (char)(0x80 | (cp & 0x3F));
        return 3;
    }
    out[0] = (char)(0xF0 | cp >> 18);
    out[1] = (char)(0x80 | (cp >> 12 & 0x3F));
    out[2] = (char)(0x80 | (cp >> 6 & 0x3F));
    out[3] = (char)(0x80 | (cp & 0x3F));
    return 4;
}

/* Walks a string token's decoded bytes in chunks: *chunk and *n receive the next run (raw text or one decoded
 * escape, held in tmp). Returns false at the end. This serves both unescape and compare without a copy. */
typedef struct str_iter {
    const char *p, *end;
    char tmp[4];
} str_iter_t;

size_t cm_json_decode_escape(const char *p, const char *end, char out[4], size_t *n)
{
    size_t left = (size_t)(end - p);
    if (left < 2 || (memchr("\"\\/bfnrt", p[1], 8) == NULL && left < 6)) { /* \uXXXX needs 6 bytes */
        out[0] = p[0];
        *n = 1;
        return 1;
    }
    uint32_t cp;
    size_t used = decode_escape(p, end, &cp);
    *n = encode_utf8(cp, out);
    return used;
}

static bool str_next(str_iter_t *it, const char **chunk, size_t *n)
{
    if (it->p >= it->end)
        return false;
    if (*it->p != '\\') {
        const char *bs = memchr(it->p, '\\', (size_t)(it->end - it->p));
        *chunk = it->p;
        *n = (size_t)((bs ? bs : it->end) - it->p);
        it->p += *n;
        return true;
    }
    it->p += cm_json_decode_escape(it->p, it->end, it->tmp, n);
    *chunk = it->tmp;
    return true;
}

static str_iter_t str_iter(const cm_json_doc_t *d, uint32_t t)
{
    str_iter_t it;
    it.p = d->src + d->tok[t].start;
    it.end = it.p + d->tok[t].len;
    return it;
}

bool cm_json_str_eq(const cm_json_doc_t *d, uint32_t t, const char *s)
{
    const cm_json_tok_t *k = &d->tok[t];
    if (k->type != CM_JSON_STRING)
        return false;
    size_t slen = strlen(s);
    if (!k->escaped)
        return k->len == slen && memcmp(d->src + k->start, s, slen) == 0;
    str_iter_t it = str_iter(d, t);
    const char *chunk;
    size_t n, off = 0;
    while (str_next(&it, &chunk, &n)) {
        if (n > slen - off || memcmp(chunk, s + off, n) != 0)
            return false;
        off += n;
    }
    return off == slen;
}

size_t cm_json_unescape(const cm_json_doc_t *d, uint32_t t, char *out, size_t outcap)
{
    str_iter_t it = str_iter(d, t);
    const char *chunk;
    size_t n, total = 0;
    while (str_next(&it, &chunk, &n)) {
        if (outcap > 0 && total < outcap - 1) {
            size_t room = outcap - 1 - total;
            memcpy(out + total, chunk, n < room ? n : room);
        }
        total += n;
    }
    if (outcap > 0)
        out[total < outcap - 1 ? total : outcap - 1] = '\0';
    return total;
}

uint32_t cm_json_first(const cm_json_doc_t *d, uint32_t container)
{
    const cm_json_tok_t *k = &d->tok[container];
    if ((k->type != CM_JSON_OBJECT && k->type != CM_JSON_ARRAY) || k->count == 0)
        return 0;
    return container + 1;
}

uint32_t cm_json_get(const cm_json_doc_t *d, uint32_t obj, const char *key)
{
    if (d->tok[obj].type != CM_JSON_OBJECT)
        return 0;
    for (uint32_t k = cm_json_first(d, obj); k != 0; k = d->tok[k + 1].next) {
        if (cm_json_str_eq(d, k, key))
            return k + 1;
    }
    return 0;
}

uint32_t cm_json_at(const cm_json_doc_t *d, uint32_t arr, uint32_t index)
{
    if (d->tok[arr].type != CM_JSON_ARRAY || index >= d->tok[arr].count)
        return 0;
    uint32_t t = arr + 1;
    while (index-- > 0)
        t = d->tok[t].next;
    return t;
}

/* ---- numbers ---------------------------------------------------------------------------------------- */

/* Splits a validated number into sign, significant decimal digits (as a uint64, trailing zeros moved into
 * the exponent) and a power of ten. Returns -1 when the significant digits do not fit 19 digits, which for
 * an integer means out of range anyway. */
typedef struct decimal {
    bool neg;
    uint64_t digits;
    long exp10;
} decimal_t;

static int split_decimal(const char *p, const char *end, decimal_t *out)
{
    decimal_t x = {.neg = *p == '-', .digits = 0, .exp10 = 0};
    p += x.neg;
    int ndig = 0;
    long pending_zeros = 0;
    for (bool frac = false; p < end && (*p == '.' || (*p >= '0' && *p <= '9')); p++) {
        if (*p == '.') {
            frac = true;
            continue;
        }
        x.exp10 -= frac;
        if (*p == '0') {
            pending_zeros++; /* trailing zeros become exponent; inner ones are flushed below */
            continue;
        }
        for (; pending_zeros > 0; pending_zeros--, ndig += x.digits != 0)
            x.digits *= 10;
        if (++ndig > 19)
            return -1;
        x.digits = x.digits * 10 + (uint64_t)(*p - '0');
    }
    x.exp10 += pending_zeros;
    if (p < end) { /* exponent; clamped so absurd exponents cannot overflow the arithmetic */
        long e = 0;
        bool eneg = *++p == '-';
        p += *p == '-' || *p == '+';
        for (; p < end; p++)
            e = e < 100000 ? e * 10 + (*p - '0') : e;
        x.exp10 += eneg ? -e : e;
    }
    *out = x;
    return ndig > 19 ? -1 : 0;
}

int cm_json_int(const cm_json_doc_t *d, uint32_t t, int64_t *out)
{
    if (d->tok[t].type != CM_JSON_NUMBER)
        return -1;
    const char *p = d->src + d->tok[t].start;
    decimal_t x;
    if (split_decimal(p, p + d->tok[t].len, &x) != 0)
        return -1;
    if (x.digits == 0) {
        *out = 0;
        return 0;
    }
    if (x.exp10 < 0 || x.exp10 > 19)
        return -1; /* a fraction remains, or the value is at least 10^19 */
    uint64_t v = x.digits;
    for (long i = 0; i < x.exp10; i++) {
        if (__builtin_mul_overflow(v, 10, &v))
            return -1;
    }
    if (v > (uint64_t)INT64_MAX + x.neg)
        return -1;
    *out = x.neg ? (int64_t)(0 - v) : (int64_t)v;
    return 0;
}

int cm_json_double(const cm_json_doc_t *d, uint32_t t, double *out)
{
    if (d->tok[t].type != CM_JSON_NUMBER)
        return -1;
    /* strtod needs a terminated string; numbers longer than the stack buffer are rare enough to allocate. */
    size_t n = d->tok[t].len;
    char small[64];
    char *buf = n < sizeof(small) ? small : cm_xmalloc(n + 1);
    memcpy(buf, d->src + d->tok[t].start, n);
    buf[n] = '\0';
    double v = strtod(buf, NULL);
    if (buf != small)
        free(buf);
    if (isinf(v))
        return -1;
    *out = v;
    return 0;
}
