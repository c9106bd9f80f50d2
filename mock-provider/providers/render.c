#include "mock-provider/providers/render.h"

#include <math.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>
#include <unistd.h>

#include "common/json.h"

void mp_put_uint(cm_buf_t *b, uint64_t v)
{
    char tmp[24];
    char *p = tmp + sizeof(tmp);
    do {
        *--p = (char)('0' + v % 10);
        v /= 10;
    } while (v != 0);
    cm_buf_append(b, p, (size_t)(tmp + sizeof(tmp) - p));
}

void mp_put_int(cm_buf_t *b, int64_t v)
{
    if (v < 0) {
        cm_buf_putc(b, '-');
        /* Negating INT64_MIN overflows; going through unsigned arithmetic is exact for every value. */
        mp_put_uint(b, (uint64_t)0 - (uint64_t)v);
        return;
    }
    mp_put_uint(b, (uint64_t)v);
}

void mp_put_double(cm_buf_t *b, double v)
{
    if (isnan(v) || isinf(v)) {
        MP_PUT_LIT(b, "null");
        return;
    }
    /* Not on a per-token path (temperatures and the like), so the simple search for the shortest
     * precision that reads back exactly is affordable. */
    char tmp[40];
    for (int prec = 1; prec <= 17; prec++) {
        snprintf(tmp, sizeof(tmp), "%.*g", prec, v);
        if (strtod(tmp, NULL) == v)
            break;
    }
    cm_buf_puts(b, tmp);
    if (strpbrk(tmp, ".e") == NULL)
        MP_PUT_LIT(b, ".0");
}

/* Writes "0." + k zeros + the d digits of m (10^(d-1) <= m < 10^d), dropping trailing zeros but keeping one
 * digit. */
static void put_fraction(cm_buf_t *b, int k, uint64_t m, int d)
{
    char digits[9];
    for (int i = d - 1; i >= 0; i--) {
        digits[i] = (char)('0' + m % 10);
        m /= 10;
    }
    int n = d;
    while (n > 1 && digits[n - 1] == '0')
        n--;
    static const char zeros[32] = "00000000000000000000000000000000";
    MP_PUT_LIT(b, "0.");
    cm_buf_append(b, zeros, (size_t)k);
    cm_buf_append(b, digits, (size_t)n);
}

static const double pow10[] = {1e0,  1e1,  1e2,  1e3,  1e4,  1e5,  1e6,  1e7,  1e8,  1e9,  1e10, 1e11, 1e12, 1e13,
                               1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22, 1e23, 1e24, 1e25, 1e26, 1e27,
                               1e28, 1e29, 1e30, 1e31, 1e32, 1e33, 1e34, 1e35, 1e36, 1e37, 1e38, 1e39, 1e40};
static const double pow10_inv[] = {1e-0,  1e-1,  1e-2,  1e-3,  1e-4,  1e-5,  1e-6,  1e-7,  1e-8,  1e-9,  1e-10,
                                   1e-11, 1e-12, 1e-13, 1e-14, 1e-15, 1e-16, 1e-17, 1e-18, 1e-19, 1e-20, 1e-21,
                                   1e-22, 1e-23, 1e-24, 1e-25, 1e-26, 1e-27, 1e-28, 1e-29, 1e-30, 1e-31, 1e-32,
                                   1e-33, 1e-34, 1e-35, 1e-36, 1e-37, 1e-38, 1e-39, 1e-40};

typedef struct digits {
    uint64_t m; /* d significant digits */
    int k;      /* zeros between the point and them; -1 when the value rounded up to 1 */
} digits_t;

/* Rounds s * 10^-k (s in [0.1, 1)) to d significant digits; true when that decimal is within half_ulp of v. */
static bool try_digits(double s, int k, double v, double half_ulp, int d, digits_t *out)
{
    out->m = (uint64_t)(s * pow10[d] + 0.5);
    out->k = k;
    if (out->m >= (uint64_t)pow10[d]) { /* rounded up to the next power of ten */
        out->m /= 10;
        out->k--;
    }
    return fabs((double)out->m * pow10_inv[d + out->k] - v) <= half_ulp;
}

/* f in (1e-30, 1): 6 to 9 significant digits that read back as the same float32 — the rounding to 7 digits
 * (or to 6 when that works too), else to 8, else to 9, which always works. A rounding is accepted only when
 * it is within 0.49 float ulp of f, a margin that leaves ample room for the double rounding of this
 * arithmetic (about 1e-16 relative against 6e-8 for a float ulp), so the text always reads back exactly.
 * It is not always the shortest form (a shorter decimal that is not a rounding may exist), which is fine.
 * This runs once per embedding component, hence no libm calls: the ulp comes from the float's bits. */
static void put_small_float(cm_buf_t *b, float f)
{
    uint32_t bits;
    memcpy(&bits, &f, sizeof(bits));
    bits++;
    float next;
    memcpy(&next, &bits, sizeof(next));
    double v = f, half_ulp = 0.49 * ((double)next - v);
    int k = 0;
    double s = v;
    while (s < 0.1) { /* scale into [0.1, 1), counting zeros after the point */
        s *= 10.0;
        k++;
    }
    digits_t r, shorter;
    int d = 7;
    if (try_digits(s, k, v, half_ulp, 7, &r)) {
        if (try_digits(s, k, v, half_ulp, 6, &shorter)) {
            r = shorter;
            d = 6;
        }
    } else if (try_digits(s, k, v, half_ulp, 8, &r)) {
        d = 8;
    } else {
        try_digits(s, k, v, half_ulp, 9, &r);
        d = 9;
    }
    if (r.k < 0)
        MP_PUT_LIT(b, "1.0");
    else
        put_fraction(b, r.k, r.m, d);
}

void mp_put_float(cm_buf_t *b, float f)
{
    double v = f;
    if (isnan(v) || isinf(v)) {
        MP_PUT_LIT(b, "null");
        return;
    }
    if (v < 0) {
        cm_buf_putc(b, '-');
        v = -v;
    }
    if (v < 1e-30) {
        MP_PUT_LIT(b, "0.0");
        return;
    }
    if (v < 1.0) {
        put_small_float(b, (float)v);
        return;
    }
    /* Rare for embedding components (unit vectors); printf is fine here. */
    char tmp[48];
    snprintf(tmp, sizeof(tmp), "%.9g", v);
    cm_buf_puts(b, tmp);
    if (strpbrk(tmp, ".e") == NULL)
        MP_PUT_LIT(b, ".0");
}

void mp_put_quoted(cm_buf_t *b, cm_str_t s)
{
    cm_buf_reserve(b, s.n + 2);
    b->data[b->len++] = '"';
    memcpy(b->data + b->len, s.p, s.n);
    b->len += s.n;
    b->data[b->len++] = '"';
    b->data[b->len] = '\0';
}

void mp_put_json_compact(cm_buf_t *b, cm_str_t json)
{
    cm_buf_reserve(b, json.n);
    char *o = b->data + b->len;
    bool in_string = false;
    for (size_t i = 0; i < json.n; i++) {
        char c = json.p[i];
        if (in_string) {
            *o++ = c;
            if (c == '\\' && i + 1 < json.n)
                *o++ = json.p[++i]; /* the escaped character, even a quote */
            else if (c == '"')
                in_string = false;
        } else if (c != ' ' && c != '\t' && c != '\n' && c != '\r') {
            *o++ = c;
            in_string = c == '"';
        }
    }
    b->len = (size_t)(o - b->data);
    b->data[b->len] = '\0';
}

void mp_put_cstr_or_null(cm_buf_t *b, const char *s)
{
    if (s == NULL)
        MP_PUT_LIT(b, "null");
    else
        cm_json_escape(b, s, strlen(s));
}

void mp_sse_event(cm_buf_t *b, const char *name)
{
    MP_PUT_LIT(b, "event: ");
    cm_buf_puts(b, name);
    MP_PUT_LIT(b, "\ndata: ");
}

static const char b64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/* Encodes one group of 1..3 bytes into 4 characters. */
static void b64_group(char *o, const unsigned char *in, size_t n)
{
    uint32_t w = (uint32_t)in[0] << 16;
    if (n > 1)
        w |= (uint32_t)in[1] << 8;
    if (n > 2)
        w |= in[2];
    o[0] = b64[(w >> 18) & 63];
    o[1] = b64[(w >> 12) & 63];
    o[2] = n > 1 ? b64[(w >> 6) & 63] : '=';
    o[3] = n > 2 ? b64[w & 63] : '=';
}

void mp_base64_f32le(cm_buf_t *b, const float *v, size_t n)
{
    size_t nbytes = n * 4;
    cm_buf_reserve(b, (nbytes + 2) / 3 * 4);
    char *o = b->data + b->len;
    unsigned char carry[3];
    size_t ncarry = 0;
    for (size_t i = 0; i < n; i++) {
        uint32_t u;
        memcpy(&u, &v[i], 4);
        /* Explicit byte order: the wire format is little-endian whatever the host is. */
        for (int k = 0; k < 4; k++) {
            carry[ncarry++] = (unsigned char)(u >> (8 * k));
            if (ncarry == 3) {
                b64_group(o, carry, 3);
                o += 4;
                ncarry = 0;
            }
        }
    }
    if (ncarry > 0) {
        b64_group(o, carry, ncarry);
        o += 4;
    }
    b->len = (size_t)(o - b->data);
    b->data[b->len] = '\0';
}

static int b64_value(char c)
{
    const char *p = c ? strchr(b64, c) : NULL;
    return p ? (int)(p - b64) : -1;
}

long mp_base64_decode(const char *s, size_t n, unsigned char *out, size_t cap)
{
    if (n % 4 != 0)
        return -1;
    size_t o = 0;
    for (size_t i = 0; i < n; i += 4) {
        int pad = 0;
        if (i + 4 == n && s[i + 3] == '=')
            pad = s[i + 2] == '=' ? 2 : 1;
        uint32_t w = 0;
        for (int k = 0; k < 4; k++) {
            int v = k < 4 - pad ? b64_value(s[i + k]) : 0;
            if (v < 0)
                return -1;
            w = w << 6 | (uint32_t)v;
        }
        for (int k = 0; k < 3 - pad; k++) {
            if (o >= cap)
                return -1;
            out[o++] = (unsigned char)(w >> (16 - 8 * k));
        }
    }
    return (long)o;
}

uint64_t mp_mix64(uint64_t x)
{
    x += 0x9e3779b97f4a7c15ULL;
    x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
    x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
    return x ^ (x >> 31);
}

static const char base62[] = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

/* Shared body of the id writers: next() supplies 64-bit words, each spent radix characters at a time. */
static void put_id(char *out, size_t cap, const char *prefix, size_t nchars, const char *alphabet, unsigned radix,
                   unsigned per_word, uint64_t (*next)(void *), void *ctx)
{
    if (cap == 0)
        return;
    size_t len = strlen(prefix);
    if (len > cap - 1)
        len = cap - 1;
    memcpy(out, prefix, len);
    uint64_t w = 0;
    unsigned left = 0;
    for (size_t i = 0; i < nchars && len < cap - 1; i++) {
        if (left == 0) {
            w = next(ctx);
            left = per_word;
        }
        out[len++] = alphabet[w % radix];
        w /= radix;
        left--;
    }
    out[len] = '\0';
}

static uint64_t next_rng(void *ctx)
{
    return cm_rng_next(ctx);
}

static uint64_t next_key(void *ctx)
{
    uint64_t *k = ctx;
    *k = mp_mix64(*k);
    return *k;
}

void mp_id_base62(char *out, size_t cap, const char *prefix, size_t nchars, cm_rng_t *rng)
{
    put_id(out, cap, prefix, nchars, base62, 62, 10, next_rng, rng);
}

void mp_id_hex(char *out, size_t cap, const char *prefix, size_t nchars, cm_rng_t *rng)
{
    put_id(out, cap, prefix, nchars, "0123456789abcdef", 16, 16, next_rng, rng);
}

void mp_id_base62_from(char *out, size_t cap, const char *prefix, size_t nchars, uint64_t key)
{
    put_id(out, cap, prefix, nchars, base62, 62, 10, next_key, &key);
}

void mp_id_hex_from(char *out, size_t cap, const char *prefix, size_t nchars, uint64_t key)
{
    put_id(out, cap, prefix, nchars, "0123456789abcdef", 16, 16, next_key, &key);
}

/* ---- unique keys ---------------------------------------------------------------------------------- */

static _Atomic uint64_t process_nonce, threads_seen;
static _Thread_local uint64_t thread_base, thread_count;

/* Random once per process (the first caller wins a race; every thread then reads the settled value). */
static uint64_t nonce(void)
{
    uint64_t n = atomic_load_explicit(&process_nonce, memory_order_acquire);
    if (n != 0)
        return n;
    uint64_t fresh = 0;
    if (getrandom(&fresh, sizeof(fresh), GRND_NONBLOCK) != (ssize_t)sizeof(fresh)) {
        struct timespec ts;
        clock_gettime(CLOCK_REALTIME, &ts);
        fresh = mp_mix64((uint64_t)ts.tv_nsec ^ ((uint64_t)ts.tv_sec << 30) ^ ((uint64_t)getpid() << 48));
    }
    fresh |= 1; /* 0 means "not chosen yet" */
    uint64_t expected = 0;
    atomic_compare_exchange_strong(&process_nonce, &expected, fresh);
    return atomic_load_explicit(&process_nonce, memory_order_acquire);
}

/* mp_mix64 is a bijection, so distinct (thread, count) pairs give distinct keys within a process; the
 * process nonce makes another process's keys different too. */
uint64_t mp_unique_key(void)
{
    if (thread_base == 0)
        thread_base = (atomic_fetch_add(&threads_seen, 1) + 1) << 40;
    return mp_mix64(nonce() ^ mp_mix64(thread_base + thread_count++));
}

void mp_put_opt(cm_buf_t *b, const char *s)
{
    if (s == NULL || s[0] == '\0')
        MP_PUT_LIT(b, "null");
    else
        cm_json_escape(b, s, strlen(s));
}

void mp_trim_utf8(char *s)
{
    size_t i = strlen(s), cont = 0;
    while (i > 0 && cont < 4 && ((unsigned char)s[i - 1] & 0xC0) == 0x80) {
        i--;
        cont++;
    }
    if (i == 0)
        return;
    unsigned char lead = (unsigned char)s[i - 1];
    size_t need = lead >= 0xF0 ? 4 : lead >= 0xE0 ? 3 : lead >= 0xC0 ? 2 : 1;
    if (lead >= 0xC0 && cont + 1 < need)
        s[i - 1] = '\0';
}
