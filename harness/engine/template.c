#include "harness/engine/template.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/alloc.h"
#include "common/json.h"

static const struct {
    const char *name;
    hx_tmpl_kind_t kind;
} placeholders[] = {
    {"uuid", HX_TMPL_UUID},
    {"seq", HX_TMPL_SEQ},
};

#define EXPECTED "(expected {{uuid}}, {{seq}}, {{random MIN..MAX}} or {{random hex N}})"

static void add_part(hx_tmpl_t *t, const hx_tmpl_part_t *ph)
{
    t->parts = cm_xrealloc(t->parts, (t->nparts + 1) * sizeof(*t->parts));
    t->parts[t->nparts++] = *ph;
}

static void add_literal(hx_tmpl_t *t, const char *raw, size_t n, bool json)
{
    /* Escaping once here is what makes rendering a plain copy at 30K requests a second. */
    cm_buf_t b = CM_BUF_INIT;
    if (json)
        cm_json_escape_body(&b, raw, n);
    else
        cm_buf_append(&b, raw, n);
    hx_tmpl_part_t p = {.kind = HX_TMPL_LITERAL, .len = b.len};
    p.text = cm_buf_detach(&b);
    add_part(t, &p);
}

static void trim_name(const char *s, size_t n, const char **name, size_t *len)
{
    while (n > 0 && (*s == ' ' || *s == '\t')) {
        s++;
        n--;
    }
    while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\t'))
        n--;
    *name = s;
    *len = n;
}

/* A whole number of at most 10^18 in magnitude, spanning exactly [s, s + n). */
static int parse_bound(const char *s, size_t n, int64_t *out)
{
    char tmp[24];
    if (n == 0 || n >= sizeof(tmp))
        return -1;
    memcpy(tmp, s, n);
    tmp[n] = '\0';
    char *end;
    errno = 0;
    long long v = strtoll(tmp, &end, 10);
    if (*end != '\0' || errno != 0 || v > HX_TMPL_INT_MAX || v < -HX_TMPL_INT_MAX)
        return -1;
    *out = v;
    return 0;
}

/* The argument of {{random ARG}}: "MIN..MAX" or "hex N". */
static int parse_random(const char *arg, size_t n, hx_tmpl_part_t *p)
{
    int64_t v;
    if (n > 4 && memcmp(arg, "hex ", 4) == 0) {
        size_t skip = 4;
        while (skip < n && arg[skip] == ' ')
            skip++;
        if (parse_bound(arg + skip, n - skip, &v) != 0 || v < 1 || v > HX_TMPL_HEX_MAX)
            return -1;
        p->kind = HX_TMPL_RANDOM_HEX;
        p->len = (size_t)v;
        return 0;
    }
    const char *dots = memchr(arg, '.', n);
    if (dots == NULL || (size_t)(dots - arg) + 2 > n || dots[1] != '.')
        return -1;
    size_t left = (size_t)(dots - arg);
    if (parse_bound(arg, left, &p->lo) != 0 || parse_bound(dots + 2, n - left - 2, &p->hi) != 0 || p->lo > p->hi)
        return -1;
    p->kind = HX_TMPL_RANDOM_INT;
    return 0;
}

static int parse_name(const char *name, size_t len, hx_tmpl_part_t *p)
{
    for (size_t i = 0; i < sizeof(placeholders) / sizeof(placeholders[0]); i++) {
        if (strlen(placeholders[i].name) == len && memcmp(placeholders[i].name, name, len) == 0) {
            p->kind = placeholders[i].kind;
            return 0;
        }
    }
    if (len > 7 && memcmp(name, "random ", 7) == 0) {
        size_t skip = 7;
        while (skip < len && name[skip] == ' ')
            skip++;
        return parse_random(name + skip, len - skip, p);
    }
    return -1;
}

/* Parses the placeholder whose "{{" starts at src + at; on success fills p and stores where it ends. */
static int parse_placeholder(const char *src, size_t at, hx_tmpl_part_t *p, size_t *end, char *err, size_t errlen)
{
    const char *close = strstr(src + at + 2, "}}");
    if (close == NULL) {
        snprintf(err, errlen, "unterminated \"{{\" at byte %zu", at);
        return -1;
    }
    const char *name;
    size_t len;
    trim_name(src + at + 2, (size_t)(close - (src + at + 2)), &name, &len);
    memset(p, 0, sizeof(*p));
    if (parse_name(name, len, p) == 0) {
        *end = (size_t)(close - src) + 2;
        return 0;
    }
    int shown = (int)(close + 2 - (src + at));
    if (len >= 6 && memcmp(name, "random", 6) == 0)
        snprintf(err, errlen,
                 "bad \"%.*s\" at byte %zu (expected {{random MIN..MAX}} with |MIN|, |MAX| <= 10^18 and MIN <= MAX, "
                 "or {{random hex N}} with N from 1 to %d)",
                 shown > 80 ? 80 : shown, src + at, at, HX_TMPL_HEX_MAX);
    else
        snprintf(err, errlen, "unknown template variable \"%.*s\" at byte %zu " EXPECTED, shown > 80 ? 80 : shown,
                 src + at, at);
    return -1;
}

static int compile(hx_tmpl_t *t, const char *src, bool json, char *err, size_t errlen)
{
    t->parts = NULL;
    t->nparts = 0;
    size_t lit = 0, i = 0, n = strlen(src);
    while (i + 1 < n) {
        if (src[i] != '{' || src[i + 1] != '{') {
            i++;
            continue;
        }
        hx_tmpl_part_t ph;
        size_t end;
        if (parse_placeholder(src, i, &ph, &end, err, errlen) != 0)
            goto error;
        if (i > lit)
            add_literal(t, src + lit, i - lit, json);
        add_part(t, &ph);
        i = lit = end;
    }
    if (n > lit)
        add_literal(t, src + lit, n - lit, json);
    return 0;
error:
    hx_tmpl_free(t);
    return -1;
}

int hx_tmpl_compile(hx_tmpl_t *t, const char *src, char *err, size_t errlen)
{
    return compile(t, src, true, err, errlen);
}

int hx_tmpl_compile_raw(hx_tmpl_t *t, const char *src, char *err, size_t errlen)
{
    return compile(t, src, false, err, errlen);
}

size_t hx_tmpl_max_len(const hx_tmpl_t *t)
{
    size_t n = 0;
    for (size_t i = 0; i < t->nparts; i++) {
        const hx_tmpl_part_t *p = &t->parts[i];
        if (p->kind == HX_TMPL_LITERAL || p->kind == HX_TMPL_RANDOM_HEX)
            n += p->len;
        else if (p->kind == HX_TMPL_UUID)
            n += HX_UUID_LEN;
        else
            n += 20; /* a uint64 in decimal, or a sign and 19 digits */
    }
    return n;
}

void hx_tmpl_free(hx_tmpl_t *t)
{
    for (size_t i = 0; i < t->nparts; i++)
        free(t->parts[i].text);
    free(t->parts);
    t->parts = NULL;
    t->nparts = 0;
}

bool hx_tmpl_dynamic(const hx_tmpl_t *t)
{
    for (size_t i = 0; i < t->nparts; i++) {
        if (t->parts[i].kind != HX_TMPL_LITERAL)
            return true;
    }
    return false;
}

void hx_uuid4(cm_rng_t *rng, char out[HX_UUID_LEN + 1])
{
    static const char hex[] = "0123456789abcdef";
    uint8_t b[16];
    uint64_t hi = cm_rng_next(rng), lo = cm_rng_next(rng);
    for (int i = 0; i < 8; i++) {
        b[i] = (uint8_t)(hi >> (56 - 8 * i));
        b[8 + i] = (uint8_t)(lo >> (56 - 8 * i));
    }
    b[6] = (uint8_t)((b[6] & 0x0f) | 0x40); /* version 4 */
    b[8] = (uint8_t)((b[8] & 0x3f) | 0x80); /* variant 10xx */
    char *p = out;
    for (int i = 0; i < 16; i++) {
        if (i == 4 || i == 6 || i == 8 || i == 10)
            *p++ = '-';
        *p++ = hex[b[i] >> 4];
        *p++ = hex[b[i] & 15];
    }
    *p = '\0';
}

/* A uniform draw from [lo, hi]. Rejection keeps it unbiased; a draw is rejected with probability below 1/2,
 * so the bound of 64 tries is never reached in practice (the last try is then taken as it is). */
static int64_t random_int(cm_rng_t *rng, int64_t lo, int64_t hi)
{
    uint64_t span = (uint64_t)(hi - lo) + 1; /* at most 2 * 10^18 + 1: no overflow */
    uint64_t limit = UINT64_MAX - UINT64_MAX % span, x = cm_rng_next(rng);
    for (int tries = 1; x >= limit && tries < 64; tries++)
        x = cm_rng_next(rng);
    return lo + (int64_t)(x % span);
}

static void random_hex(cm_rng_t *rng, size_t n, cm_buf_t *out)
{
    static const char hex[] = "0123456789abcdef";
    char tmp[HX_TMPL_HEX_MAX];
    uint64_t bits = 0;
    for (size_t i = 0; i < n; i++) {
        if (i % 16 == 0)
            bits = cm_rng_next(rng);
        tmp[i] = hex[bits & 15];
        bits >>= 4;
    }
    cm_buf_append(out, tmp, n);
}

static void render_once(const hx_tmpl_t *t, cm_buf_t *out, cm_rng_t *rng, uint64_t seq)
{
    char tmp[HX_UUID_LEN + 1];
    int n;
    for (size_t i = 0; i < t->nparts; i++) {
        const hx_tmpl_part_t *p = &t->parts[i];
        switch (p->kind) {
        case HX_TMPL_LITERAL:
            cm_buf_append(out, p->text, p->len);
            break;
        case HX_TMPL_UUID:
            hx_uuid4(rng, tmp);
            cm_buf_append(out, tmp, HX_UUID_LEN);
            break;
        case HX_TMPL_SEQ:
            n = snprintf(tmp, sizeof(tmp), "%llu", (unsigned long long)seq);
            cm_buf_append(out, tmp, (size_t)n);
            break;
        case HX_TMPL_RANDOM_INT:
            n = snprintf(tmp, sizeof(tmp), "%lld", (long long)random_int(rng, p->lo, p->hi));
            cm_buf_append(out, tmp, (size_t)n);
            break;
        case HX_TMPL_RANDOM_HEX:
            random_hex(rng, p->len, out);
            break;
        }
    }
}

void hx_tmpl_render(const hx_tmpl_t *t, cm_buf_t *out, cm_rng_t *rng, uint64_t seq)
{
    render_once(t, out, rng, seq);
}

void hx_tmpl_render_json(const hx_tmpl_t *t, cm_buf_t *out, uint32_t repeat, cm_rng_t *rng, uint64_t seq)
{
    size_t start = out->len;
    render_once(t, out, rng, seq);
    size_t one = out->len - start;
    if (repeat <= 1 || one == 0)
        return;
    /* Copies come from the first rendering so every repetition carries the same UUID; reserving once keeps
     * the buffer from moving under the source. */
    cm_buf_reserve(out, one * (repeat - 1));
    for (uint32_t r = 1; r < repeat; r++) {
        memcpy(out->data + out->len, out->data + start, one);
        out->len += one;
    }
    out->data[out->len] = '\0';
}
