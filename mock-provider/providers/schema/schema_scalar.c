/* Strings and numbers of a generated value. A string comes from its pattern, else its format, else its
 * property's name, and is then fitted to minLength/maxLength; a number is drawn from a plausible range for
 * its name, narrowed by the schema's bounds and multipleOf. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mock-provider/providers/render.h"
#include "mock-provider/providers/schema/schema_build.h"
#include "mock-provider/providers/schema/schema_gen.h"
#include "mock-provider/providers/schema/schema_pattern.h"
#include "mock-provider/providers/schema/schema_words.h"

/* Integers beyond 2^53 are not exact in the doubles most clients parse JSON numbers into. */
#define MAX_SAFE_INT 9007199254740991.0

/* The string keyword key of the view, unescaped into out; false when absent, not a string or too long. */
static bool string_keyword(const mp_sg_t *b, const mp_sg_view_t *v, const char *key, char *out, size_t cap, size_t *len)
{
    uint32_t t = mp_sg_get(b, v, key);
    if (t == 0 || cm_json_type(b->d, t) != CM_JSON_STRING)
        return false;
    size_t n = cm_json_unescape(b->d, t, out, cap);
    if (n >= cap)
        return false;
    *len = n;
    return true;
}

static void length_bounds(mp_sg_t *b, const mp_sg_view_t *v, size_t *minlen, size_t *maxlen)
{
    double x;
    *minlen = 0;
    *maxlen = (size_t)-1;
    if (mp_sg_bound(b, v, "minLength", false, &x) && x > 0)
        *minlen = x > MP_SCHEMA_MAX_BYTES ? MP_SCHEMA_MAX_BYTES + 1 : (size_t)ceil(x);
    if (mp_sg_bound(b, v, "maxLength", true, &x))
        *maxlen = x <= 0 ? 0 : x > MP_SCHEMA_MAX_BYTES ? (size_t)-1 : (size_t)floor(x);
    if (*minlen > *maxlen)
        *minlen = *maxlen; /* contradictory: the lower bound of the two wins */
}

/* Grows raw with words up to minlen and cuts it at maxlen (the text here is ASCII: bytes are characters). */
static void fit_length(mp_sg_t *b, cm_buf_t *raw, size_t minlen, size_t maxlen)
{
    while (raw->len < minlen) {
        if (raw->len > 0)
            cm_buf_putc(raw, ' ');
        mp_words_word(raw, &b->rng);
    }
    if (raw->len > maxlen) {
        raw->len = maxlen;
        if (raw->data)
            raw->data[maxlen] = '\0';
    }
}

void mp_sg_string(mp_sg_t *b, const mp_sg_view_t *v)
{
    size_t minlen, maxlen, n;
    length_bounds(b, v, &minlen, &maxlen);
    if (minlen > MP_SCHEMA_MAX_BYTES) {
        b->too_large = true;
        return;
    }
    cm_buf_t raw = CM_BUF_INIT;
    char pat[MP_PATTERN_MAX_LEN + 1], format[32];
    uint32_t spent = 0;
    bool done = string_keyword(b, v, "pattern", pat, sizeof(pat), &n) &&
                mp_pattern_generate(pat, n, minlen, maxlen, MP_SCHEMA_MAX_WORK - b->work, &b->rng, &raw, &spent) == 0;
    if (!mp_sg_spend(b, spent)) {
        cm_buf_free(&raw);
        return;
    }
    if (!done) {
        if (!string_keyword(b, v, "format", format, sizeof(format), &n) || !mp_words_format(&raw, format, &b->rng))
            mp_words_for_key(&raw, v->key.p, v->key.n, &b->rng);
        fit_length(b, &raw, minlen, maxlen);
    }
    cm_json_escape(b->out, raw.data ? raw.data : "", raw.len);
    mp_sg_spend(b, (uint32_t)(raw.len / 64));
    cm_buf_free(&raw);
}

/* ---- numbers -------------------------------------------------------------------------------------- */

typedef struct range {
    double lo, hi;   /* the schema's bounds (-inf/+inf when absent) */
    bool exlo, exhi; /* exclusive */
} range_t;

/* A draft-4 "exclusiveMinimum": true makes "minimum" exclusive; a number is its own (newer) bound. */
static void schema_range(mp_sg_t *b, const mp_sg_view_t *v, range_t *r)
{
    double x;
    r->lo = -INFINITY;
    r->hi = INFINITY;
    r->exlo = r->exhi = false;
    if (mp_sg_bound(b, v, "minimum", false, &x))
        r->lo = x;
    if (mp_sg_bound(b, v, "maximum", true, &x))
        r->hi = x;
    uint32_t t = mp_sg_get(b, v, "exclusiveMinimum");
    if (t != 0 && cm_json_type(b->d, t) == CM_JSON_TRUE)
        r->exlo = true;
    t = mp_sg_get(b, v, "exclusiveMaximum");
    if (t != 0 && cm_json_type(b->d, t) == CM_JSON_TRUE)
        r->exhi = true;
    if (mp_sg_bound(b, v, "exclusiveMinimum", false, &x) && x >= r->lo) {
        r->lo = x;
        r->exlo = true;
    }
    if (mp_sg_bound(b, v, "exclusiveMaximum", true, &x) && x <= r->hi) {
        r->hi = x;
        r->exhi = true;
    }
}

static bool inside(const range_t *r, double x)
{
    return (r->exlo ? x > r->lo : x >= r->lo) && (r->exhi ? x < r->hi : x <= r->hi);
}

/* The part of the realistic range [plo, phi] the schema allows, else a 100-wide stretch at the schema's
 * finite bound, else the whole schema range. */
static void preferred(const range_t *r, double plo, double phi, double *a, double *b)
{
    *a = fmax(plo, r->lo);
    *b = fmin(phi, r->hi);
    if (*a <= *b)
        return;
    if (isfinite(r->lo) && isfinite(r->hi)) {
        *a = r->lo;
        *b = r->hi;
    } else if (isfinite(r->lo)) {
        *a = r->lo;
        *b = r->lo + 100;
    } else {
        *a = r->hi - 100;
        *b = r->hi;
    }
}

/* An integer in [a, b] (both integral, |x| <= 2^53). */
static double draw_int(mp_sg_t *b, double lo, double hi)
{
    if (hi <= lo)
        return lo;
    uint64_t span = (uint64_t)(hi - lo) + 1;
    return lo + (double)(cm_rng_next(&b->rng) % span);
}

/* Multiples k x m within [lo, hi] (k integral), honouring exclusive ends; false when there is none. */
static bool multiples(const range_t *r, double m, double lo, double hi, double *klo, double *khi)
{
    *klo = ceil(lo / m);
    *khi = floor(hi / m);
    if (!inside(r, *klo * m))
        *klo += 1;
    if (!inside(r, *khi * m))
        *khi -= 1;
    return *klo <= *khi && fabs(*klo) <= MAX_SAFE_INT && fabs(*khi) <= MAX_SAFE_INT;
}

/* Fraction digits of multipleOf as written ("0.25" -> 2), so that k x m prints as the decimal it is. */
static int decimals_of(const mp_sg_t *b, uint32_t m)
{
    cm_str_t raw = cm_json_raw(b->d, m);
    const char *dot = memchr(raw.p, '.', raw.n);
    if (dot == NULL || memchr(raw.p, 'e', raw.n) || memchr(raw.p, 'E', raw.n))
        return -1;
    int n = (int)(raw.p + raw.n - dot - 1);
    return n > 12 ? -1 : n;
}

static void put_number(mp_sg_t *b, double x, int decimals)
{
    if (decimals >= 0 && fabs(x) < 1e15)
        cm_buf_printf(b->out, "%.*f", decimals, x);
    else
        mp_put_double(b->out, x);
}

/* The double a client reads back from put_number's text. */
static double as_printed(double x, int decimals)
{
    char text[64];
    if (decimals < 0 || fabs(x) >= 1e15)
        return x;
    snprintf(text, sizeof(text), "%.*f", decimals, x);
    return strtod(text, NULL);
}

/* Draws of a multiple to find one whose quotient is exact in floating point (see put_multiple). */
#define MULTIPLE_TRIES 16

/* With multipleOf m: a multiple of step (m itself, or for an integer the integral step of a fractional m)
 * within the preferred part of the range, else anywhere in it. Validators that test multipleOf by dividing
 * in floating point (ajv, Python's jsonschema) reject 9 for 0.3 and 0.3 for 0.1 (30.000000000000004,
 * 2.9999999999999996): among a few draws, a value whose quotient is exact is preferred, so that both they
 * and the exact decimal validators (zod) accept it. */
static bool put_multiple(mp_sg_t *b, const range_t *r, double step, double m, double pa, double pb, int decimals)
{
    double klo, khi, x = 0;
    if (!multiples(r, step, pa, pb, &klo, &khi) &&
        !multiples(r, step, fmax(r->lo, -MAX_SAFE_INT * step), fmin(r->hi, MAX_SAFE_INT * step), &klo, &khi))
        return false;
    for (int i = 0; i < MULTIPLE_TRIES; i++) {
        x = draw_int(b, klo, khi) * step;
        double q = as_printed(x, decimals) / m;
        if (q == floor(q))
            break;
    }
    put_number(b, x, decimals);
    return true;
}

/* The integers that are multiples of a fractional m, read from its decimal text M x 10^-k (M integral):
 * j x M / 10^k is an integer exactly when it is a multiple of M / gcd(M, 10^k), so 0.5 allows every
 * integer, 1.5 the multiples of 3 and 0.75 those of 3. False when the text does not give M exactly (more
 * than 18 significant digits) or the step is beyond 2^53. */
static bool integer_step(const mp_sg_t *b, uint32_t mt, double *step)
{
    cm_str_t raw = cm_json_raw(b->d, mt);
    uint64_t mant = 0;
    int64_t exp10 = 0;
    int digits = 0;
    bool frac = false;
    size_t i = 0;
    for (; i < raw.n && raw.p[i] != 'e' && raw.p[i] != 'E'; i++) {
        if (raw.p[i] == '.') {
            frac = true;
            continue;
        }
        if (raw.p[i] < '0' || raw.p[i] > '9')
            return false;
        if (mant == 0 && raw.p[i] == '0') {
            exp10 -= frac; /* leading zeros: only their place counts */
            continue;
        }
        if (++digits > 18)
            return false;
        mant = mant * 10 + (uint64_t)(raw.p[i] - '0');
        exp10 -= frac;
    }
    if (i < raw.n) {
        char *end;
        long e = strtol(raw.p + i + 1, &end, 10);
        exp10 += e < -100000 ? -100000 : e > 100000 ? 100000 : e;
    }
    if (mant == 0)
        return false;
    for (int64_t k = 0; k < -exp10 && mant % 2 == 0; k++)
        mant /= 2;
    for (int64_t k = 0; k < -exp10 && mant % 5 == 0; k++)
        mant /= 5;
    for (int64_t k = 0; k < exp10; k++) /* an integral m written with an exponent (1.5e1) */
        if (mant > (uint64_t)MAX_SAFE_INT / 10)
            return false;
        else
            mant *= 10;
    *step = (double)mant;
    return mant <= (uint64_t)MAX_SAFE_INT;
}

static void put_integer(mp_sg_t *b, const range_t *r, double pa, double pb)
{
    double lo = ceil(pa), hi = floor(pb);
    if (!inside(r, lo))
        lo += 1;
    if (!inside(r, hi))
        hi -= 1;
    lo = fmax(lo, -MAX_SAFE_INT);
    hi = fmin(hi, MAX_SAFE_INT);
    if (lo > hi) /* nothing fits (contradictory or beyond 2^53): the lower bound */
        lo = hi = isfinite(r->lo) ? (r->exlo ? floor(r->lo) + 1 : ceil(r->lo)) : hi;
    put_number(b, draw_int(b, lo, hi), 0);
}

/* A number with the realistic number of decimals, unless rounding would step outside the bounds. */
static void put_decimal(mp_sg_t *b, const range_t *r, double pa, double pb, int decimals)
{
    double x = pa + cm_rng_uniform(&b->rng) * (pb - pa);
    double scale = pow(10, decimals), rounded = round(x * scale) / scale;
    if (inside(r, rounded)) {
        put_number(b, rounded, decimals);
        return;
    }
    if (!inside(r, x))
        x = isfinite(r->lo) && isfinite(r->hi) ? r->lo + (r->hi - r->lo) / 2 : isfinite(r->lo) ? r->lo : r->hi;
    put_number(b, x, -1);
}

void mp_sg_number(mp_sg_t *b, const mp_sg_view_t *v, bool integer)
{
    double plo, phi, pa, pb, m;
    int decimals;
    range_t r;
    mp_words_number_range(v->key.p, v->key.n, &plo, &phi, &decimals);
    schema_range(b, v, &r);
    preferred(&r, plo, phi, &pa, &pb);
    if (b->widen) { /* a distinct value is wanted: the realistic range may hold too few */
        double span = pb - pa + 1;
        pa = isfinite(r.lo) ? r.lo : pa - 10 * span;
        pb = isfinite(r.hi) ? r.hi : pb + 10 * span;
    }
    uint32_t mt = mp_sg_get(b, v, "multipleOf");
    bool has_m = mt != 0 && cm_json_type(b->d, mt) == CM_JSON_NUMBER && cm_json_double(b->d, mt, &m) == 0 &&
                 isfinite(m) && m > 0;
    /* An integer takes the integral step of a fractional m (0.5: any integer; 1.5: multiples of 3). */
    double step = m;
    if (has_m && integer && m != floor(m) && !integer_step(b, mt, &step))
        has_m = false;
    if (has_m && put_multiple(b, &r, step, m, pa, pb, integer ? 0 : decimals_of(b, mt)))
        return;
    if (integer)
        put_integer(b, &r, pa, pb);
    else
        put_decimal(b, &r, pa, pb, decimals);
}
