/* common/dist.c — xoshiro256** generator, a stable hash, and the latency/length distributions. */
#include "common/dist.h"
#include "common/buf.h"
#include "common/units.h"

#include <math.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- generator -------------------------------------------------------------------------------------- */

static inline uint64_t rotl(uint64_t x, int k)
{
    return (x << k) | (x >> (64 - k));
}

static uint64_t splitmix64(uint64_t *state)
{
    uint64_t z = (*state += UINT64_C(0x9E3779B97F4A7C15));
    z = (z ^ (z >> 30)) * UINT64_C(0xBF58476D1CE4E5B9);
    z = (z ^ (z >> 27)) * UINT64_C(0x94D049BB133111EB);
    return z ^ (z >> 31);
}

/* xoshiro256** must not start from the all-zero state; splitmix64 expands any seed (0 included) into
 * four well-mixed words, so that never happens in practice. */
void cm_rng_seed(cm_rng_t *rng, uint64_t seed)
{
    uint64_t sm = seed;
    for (int i = 0; i < 4; i++)
        rng->s[i] = splitmix64(&sm);
}

uint64_t cm_rng_next(cm_rng_t *rng)
{
    uint64_t *s = rng->s;
    uint64_t result = rotl(s[1] * 5, 7) * 9;
    uint64_t t = s[1] << 17;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = rotl(s[3], 45);
    return result;
}

double cm_rng_uniform(cm_rng_t *rng)
{
    return (double)(cm_rng_next(rng) >> 11) * 0x1.0p-53;
}

/* Marsaglia's polar method. The second value of each pair is dropped: keeping it would need state in
 * cm_rng_t, and one extra draw is cheaper than the logarithm anyway. */
double cm_rng_normal(cm_rng_t *rng)
{
    for (;;) {
        double u = 2 * cm_rng_uniform(rng) - 1, v = 2 * cm_rng_uniform(rng) - 1;
        double s = u * u + v * v;
        if (s > 0 && s < 1)
            return u * sqrt(-2 * log(s) / s);
    }
}

double cm_rng_exponential(cm_rng_t *rng, double mean)
{
    /* 1 - u is in (0, 1], so the logarithm is finite. */
    return -mean * log(1 - cm_rng_uniform(rng));
}

/* ---- hash ------------------------------------------------------------------------------------------- */

static uint64_t load_le64(const unsigned char *p)
{
    uint64_t v = 0;
    for (int i = 7; i >= 0; i--)
        v = v << 8 | p[i];
    return v;
}

static uint64_t mix64(uint64_t z)
{
    z = (z ^ (z >> 33)) * UINT64_C(0xFF51AFD7ED558CCD);
    z = (z ^ (z >> 33)) * UINT64_C(0xC4CEB9FE1A85EC53);
    return z ^ (z >> 33);
}

/* Words are read little-endian explicitly so the value is the same on every machine; each word is
 * multiplied and rotated into the state and the result goes through a full avalanche finaliser. */
uint64_t cm_hash64(const void *data, size_t n, uint64_t seed)
{
    const unsigned char *p = data;
    const uint64_t k1 = UINT64_C(0x9E3779B97F4A7C15), k2 = UINT64_C(0xC2B2AE3D27D4EB4F);
    uint64_t h = seed ^ (n * k1) ^ UINT64_C(0x27D4EB2F165667C5);
    for (; n >= 8; p += 8, n -= 8) {
        h ^= rotl(load_le64(p) * k2, 31) * k1;
        h = rotl(h, 27) * 5 + UINT64_C(0x52DCE729);
    }
    uint64_t tail = 0;
    for (size_t i = n; i > 0; i--)
        tail = tail << 8 | p[i - 1];
    h ^= rotl(tail * k2, 31) * k1;
    return mix64(h);
}

/* ---- parsing ---------------------------------------------------------------------------------------- */

typedef struct args {
    const char *p[CM_DIST_MAX_POINTS + 1];
    size_t n[CM_DIST_MAX_POINTS + 1];
    size_t count;
} args_t;

typedef struct ctx {
    cm_dist_unit_t unit;
    const char *name; /* the distribution being parsed, to prefix messages */
    char *err;
    size_t errlen;
} ctx_t;

static int fail(const ctx_t *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static int fail(const ctx_t *c, const char *fmt, ...)
{
    if (c->err == NULL || c->errlen == 0)
        return -1;
    int n = c->name ? snprintf(c->err, c->errlen, "%s: ", c->name) : 0;
    if (n < 0 || (size_t)n >= c->errlen)
        return -1;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(c->err + n, c->errlen - (size_t)n, fmt, ap);
    va_end(ap);
    return -1;
}

static const char *const kind_names[] = {"fixed", "uniform", "normal", "lognormal", "percentiles"};
#define EXPECTED_KINDS "expected fixed, uniform, normal, lognormal, percentiles"

static bool is_space(char c)
{
    return c == ' ' || c == '\t';
}

static cm_str_t trim(const char *p, size_t n)
{
    while (n > 0 && is_space(*p))
        p++, n--;
    while (n > 0 && is_space(p[n - 1]))
        n--;
    return (cm_str_t){p, n};
}

/* Parses one value (a duration or a count) written as text of length n. "what" names the argument. */
static int parse_value(const ctx_t *c, const char *what, const char *p, size_t n, double *out)
{
    char tmp[128], e[192];
    cm_str_t t = trim(p, n);
    if (t.n >= sizeof(tmp))
        return fail(c, "%s: value too long", what);
    memcpy(tmp, t.p, t.n);
    tmp[t.n] = '\0';
    if (tmp[0] == '-')
        return fail(c, "%s must be >= 0", what);
    if (c->unit == CM_DIST_COUNT)
        return cm_parse_count(tmp, out, e, sizeof(e)) == 0 ? 0 : fail(c, "%s: %s", what, e);
    uint64_t ns;
    if (cm_parse_duration(tmp, &ns, e, sizeof(e)) != 0)
        return fail(c, "%s: %s", what, e);
    *out = (double)ns;
    return 0;
}

/* A plain unitless number such as lognormal's sigma. */
static int parse_plain(const ctx_t *c, const char *what, const char *p, size_t n, double *out)
{
    char tmp[64];
    cm_str_t t = trim(p, n);
    if (t.n == 0 || t.n >= sizeof(tmp))
        return fail(c, "%s: expected a number", what);
    memcpy(tmp, t.p, t.n);
    tmp[t.n] = '\0';
    char *end;
    double v = strtod(tmp, &end);
    if (*end != '\0' || !isfinite(v) || (tmp[0] != '-' && tmp[0] != '.' && (tmp[0] < '0' || tmp[0] > '9')))
        return fail(c, "%s: expected a number, got \"%s\"", what, tmp);
    if (v < 0)
        return fail(c, "%s must be >= 0", what);
    *out = v;
    return 0;
}

static int split_args(const ctx_t *c, const char *p, size_t n, args_t *a)
{
    a->count = 0;
    for (;;) {
        const char *comma = memchr(p, ',', n);
        size_t len = comma ? (size_t)(comma - p) : n;
        if (a->count == CM_DIST_MAX_POINTS + 1)
            return fail(c, "too many arguments");
        cm_str_t t = trim(p, len);
        if (t.n == 0)
            return fail(c, "empty argument %zu", a->count + 1);
        a->p[a->count] = t.p;
        a->n[a->count++] = t.n;
        if (comma == NULL)
            return 0;
        n -= len + 1;
        p = comma + 1;
    }
}

static int want_args(const ctx_t *c, const args_t *a, size_t n, const char *names)
{
    if (a->count != n)
        return fail(c, "expected %zu argument%s (%s), got %zu", n, n == 1 ? "" : "s", names, a->count);
    return 0;
}

static int parse_point(const ctx_t *c, const char *p, size_t n, double *pct, double *v)
{
    const char *eq = memchr(p, '=', n);
    cm_str_t key = trim(p, eq ? (size_t)(eq - p) : n);
    if (eq == NULL || key.n < 2 || (key.p[0] != 'p' && key.p[0] != 'P'))
        return fail(c, "expected points like p50=80ms, got \"%.*s\"", (int)n, p);
    char what[32];
    snprintf(what, sizeof(what), "%.*s", (int)(key.n < 20 ? key.n : 20), key.p);
    if (parse_plain(c, what, key.p + 1, key.n - 1, pct) != 0)
        return -1;
    if (*pct <= 0 || *pct > 100)
        return fail(c, "%s: the percentile must be above 0 and at most 100", what);
    *pct /= 100;
    return parse_value(c, what, eq + 1, n - (size_t)(eq + 1 - p), v);
}

static int cmp_point(const void *x, const void *y)
{
    double a = *(const double *)x, b = *(const double *)y;
    return (a > b) - (a < b);
}

static int parse_percentiles(const ctx_t *c, const args_t *a, cm_dist_t *d)
{
    if (a->count > CM_DIST_MAX_POINTS)
        return fail(c, "at most %d points", CM_DIST_MAX_POINTS);
    for (size_t i = 0; i < a->count; i++) {
        if (parse_point(c, a->p[i], a->n[i], &d->points[i].p, &d->points[i].v) != 0)
            return -1;
    }
    d->npoints = a->count;
    /* Points are sorted so they may be written in any order; p is the struct's first member. */
    qsort(d->points, d->npoints, sizeof(d->points[0]), cmp_point);
    for (size_t i = 1; i < d->npoints; i++) {
        if (d->points[i].p == d->points[i - 1].p)
            return fail(c, "p%g is given twice", d->points[i].p * 100);
        if (d->points[i].v < d->points[i - 1].v)
            return fail(c, "p%g must not be below p%g", d->points[i].p * 100, d->points[i - 1].p * 100);
    }
    return 0;
}

static int parse_kind(const ctx_t *c, const args_t *a, cm_dist_t *d)
{
    switch (d->kind) {
    case CM_DIST_FIXED:
        return want_args(c, a, 1, "value") || parse_value(c, "value", a->p[0], a->n[0], &d->a) ? -1 : 0;
    case CM_DIST_UNIFORM:
        if (want_args(c, a, 2, "lo, hi") || parse_value(c, "lo", a->p[0], a->n[0], &d->a) ||
            parse_value(c, "hi", a->p[1], a->n[1], &d->b))
            return -1;
        return d->a <= d->b ? 0 : fail(c, "lo must not exceed hi");
    case CM_DIST_NORMAL:
        return want_args(c, a, 2, "mean, sd") || parse_value(c, "mean", a->p[0], a->n[0], &d->a) ||
                       parse_value(c, "sd", a->p[1], a->n[1], &d->b)
                   ? -1
                   : 0;
    case CM_DIST_LOGNORMAL:
        if (want_args(c, a, 2, "median, sigma") || parse_value(c, "median", a->p[0], a->n[0], &d->a) ||
            parse_plain(c, "sigma", a->p[1], a->n[1], &d->b))
            return -1;
        return d->a > 0 ? 0 : fail(c, "median must be > 0");
    case CM_DIST_PERCENTILES:
        return parse_percentiles(c, a, d);
    }
    return -1;
}

/* "name(args)": finds the kind and checks the closing parenthesis. */
static int parse_call(ctx_t *c, cm_str_t s, const char *open, cm_dist_t *out)
{
    cm_str_t name = trim(s.p, (size_t)(open - s.p));
    size_t k = 0;
    while (k < 5 && (strlen(kind_names[k]) != name.n || memcmp(kind_names[k], name.p, name.n) != 0))
        k++;
    if (k == 5)
        return fail(c, "unknown distribution \"%.*s\" (" EXPECTED_KINDS ")", (int)name.n, name.p);
    if (s.p[s.n - 1] != ')')
        return fail(c, "%s(...) must end with ')'", kind_names[k]);
    c->name = kind_names[k];
    out->kind = (cm_dist_kind_t)k;
    args_t a;
    const char *body = open + 1;
    size_t blen = (size_t)(s.p + s.n - 1 - body);
    if (trim(body, blen).n == 0)
        return fail(c, "no arguments");
    if (split_args(c, body, blen, &a) != 0)
        return -1;
    return parse_kind(c, &a, out);
}

int cm_dist_parse(const char *s, cm_dist_unit_t unit, cm_dist_t *out, char *err, size_t errlen)
{
    ctx_t c = {.unit = unit, .name = NULL, .err = err, .errlen = errlen};
    cm_dist_t d;
    memset(&d, 0, sizeof(d));
    cm_str_t t = trim(s, strlen(s));
    if (t.n == 0)
        return fail(&c, "empty distribution (" EXPECTED_KINDS ", or a plain value)");
    const char *open = memchr(t.p, '(', t.n);
    int rc;
    if (open != NULL) {
        rc = parse_call(&c, t, open, &d);
    } else if ((t.p[0] | 0x20) >= 'a' && (t.p[0] | 0x20) <= 'z') {
        rc = fail(&c, "unknown distribution \"%.*s\" (" EXPECTED_KINDS ")", (int)t.n, t.p);
    } else {
        d.kind = CM_DIST_FIXED;
        rc = parse_value(&c, "value", t.p, t.n, &d.a);
    }
    if (rc != 0)
        return -1;
    *out = d;
    return 0;
}

/* ---- sampling --------------------------------------------------------------------------------------- */

static double sample_percentiles(const cm_dist_t *d, double u)
{
    if (u <= d->points[0].p)
        return d->points[0].v;
    for (size_t i = 1; i < d->npoints; i++) {
        if (u < d->points[i].p) {
            double p0 = d->points[i - 1].p, v0 = d->points[i - 1].v;
            return v0 + (d->points[i].v - v0) * (u - p0) / (d->points[i].p - p0);
        }
    }
    return d->points[d->npoints - 1].v;
}

double cm_dist_sample(const cm_dist_t *d, cm_rng_t *rng)
{
    switch (d->kind) {
    case CM_DIST_FIXED:
        return d->a;
    case CM_DIST_UNIFORM:
        return d->a + (d->b - d->a) * cm_rng_uniform(rng);
    case CM_DIST_NORMAL:
        /* Truncation by rejection keeps the shape above 0. The mean is >= 0, so each draw is kept with
         * probability >= 1/2 and 64 rejections in a row (p < 1e-19) are treated as 0. */
        for (int i = 0; i < 64; i++) {
            double x = d->a + d->b * cm_rng_normal(rng);
            if (x >= 0)
                return x;
        }
        return 0;
    case CM_DIST_LOGNORMAL:
        return d->a * exp(d->b * cm_rng_normal(rng));
    case CM_DIST_PERCENTILES:
        return sample_percentiles(d, cm_rng_uniform(rng));
    }
    return 0;
}

static double percentiles_mean(const cm_dist_t *d)
{
    const size_t n = d->npoints;
    double m = d->points[0].p * d->points[0].v + (1 - d->points[n - 1].p) * d->points[n - 1].v;
    for (size_t i = 1; i < n; i++)
        m += (d->points[i].p - d->points[i - 1].p) * (d->points[i].v + d->points[i - 1].v) / 2;
    return m;
}

double cm_dist_mean(const cm_dist_t *d)
{
    switch (d->kind) {
    case CM_DIST_FIXED:
        return d->a;
    case CM_DIST_UNIFORM:
        return (d->a + d->b) / 2;
    case CM_DIST_NORMAL: {
        if (d->b <= 0)
            return d->a;
        /* Mean of a normal truncated below at 0: mu + sd * phi(alpha) / (1 - Phi(alpha)), alpha = -mu/sd. */
        double alpha = -d->a / d->b;
        double phi = exp(-alpha * alpha / 2) / sqrt(2 * M_PI);
        return d->a + d->b * phi / (0.5 * erfc(alpha / sqrt(2)));
    }
    case CM_DIST_LOGNORMAL:
        return d->a * exp(d->b * d->b / 2);
    case CM_DIST_PERCENTILES:
        return percentiles_mean(d);
    }
    return 0;
}

cm_dist_t cm_dist_fixed(double v)
{
    cm_dist_t d;
    memset(&d, 0, sizeof(d));
    d.kind = CM_DIST_FIXED;
    d.a = v;
    return d;
}

/* ---- formatting ------------------------------------------------------------------------------------- */

static const char *fmt_value(double v, cm_dist_unit_t unit, char *buf, size_t n)
{
    if (unit == CM_DIST_DURATION)
        return cm_format_duration(buf, n, v <= 0 ? 0 : (uint64_t)llround(v));
    snprintf(buf, n, "%g", v);
    return buf;
}

char *cm_dist_format(const cm_dist_t *d, cm_dist_unit_t unit, char *buf, size_t n)
{
    char x[48], y[48];
    size_t len;
    switch (d->kind) {
    case CM_DIST_FIXED:
        snprintf(buf, n, "%s", fmt_value(d->a, unit, x, sizeof(x)));
        break;
    case CM_DIST_UNIFORM:
    case CM_DIST_NORMAL:
        snprintf(buf, n, "%s(%s, %s)", kind_names[d->kind], fmt_value(d->a, unit, x, sizeof(x)),
                 fmt_value(d->b, unit, y, sizeof(y)));
        break;
    case CM_DIST_LOGNORMAL:
        snprintf(buf, n, "lognormal(%s, %g)", fmt_value(d->a, unit, x, sizeof(x)), d->b);
        break;
    case CM_DIST_PERCENTILES:
        len = (size_t)snprintf(buf, n, "percentiles(");
        for (size_t i = 0; i < d->npoints && len < n; i++) {
            len += (size_t)snprintf(buf + len, n - len, "%sp%g=%s", i ? ", " : "", d->points[i].p * 100,
                                    fmt_value(d->points[i].v, unit, x, sizeof(x)));
        }
        if (len < n)
            snprintf(buf + len, n - len, ")");
        break;
    }
    return buf;
}
