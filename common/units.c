/* common/units.c — one scanner for every quantity people write, driven by per-kind unit tables.
 *
 * A value is a sequence of terms "<number><spaces?><unit word>". The scanner splits terms, looks each
 * unit word up in the kind's table and hands back exact decimals, so each parser is only a table plus
 * the few rules of its kind (durations may be compound, a bare percentage must be a fraction, ...).
 * Numbers stay exact decimals until the end: "0.1s" is exactly 100000000 ns, not a double's rounding. */
#include "common/units.h"
#include "common/buf.h"

#include <inttypes.h>
#include <math.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

/* A unit word and its value in the kind's base unit as the fraction num/den (a minute is 60e9 ns; a
 * per-minute rate is 1/60 per second). */
typedef struct unit {
    const char *name;
    uint64_t num, den;
} unit_t;

/* A word that is a likely mistake for this kind, with the explanation to give instead of "unknown unit". */
typedef struct hint {
    const char *word, *message;
} hint_t;

typedef struct kind {
    const char *what;     /* used in "empty" and "unexpected" messages */
    const unit_t *units;  /* terminated by a NULL name; "" matches a bare number */
    const char *expected; /* the list shown to people */
    const hint_t *hints;  /* NULL or terminated by a NULL word */
} kind_t;

#define NS_S UINT64_C(1000000000)

static const unit_t duration_units[] = {
    {"ns", 1, 1},        {"us", 1000, 1},       {"\xc2\xb5s", 1000, 1}, {"ms", 1000000, 1},     {"s", NS_S, 1},
    {"m", 60 * NS_S, 1}, {"min", 60 * NS_S, 1}, {"h", 3600 * NS_S, 1},  {"d", 86400 * NS_S, 1}, {NULL, 0, 0},
};
static const unit_t count_units[] = {
    {"", 1, 1}, {"k", 1000, 1}, {"K", 1000, 1}, {"M", 1000000, 1}, {"G", 1000000000, 1}, {NULL, 0, 0},
};
static const unit_t rate_units[] = {
    {"/s", 1, 1},       {"/sec", 1, 1}, {"/second", 1, 1}, {"rps", 1, 1},      {"/m", 1, 60}, {"/min", 1, 60},
    {"/minute", 1, 60}, {"rpm", 1, 60}, {"/h", 1, 3600},   {"/hour", 1, 3600}, {NULL, 0, 0},
};
static const unit_t percent_units[] = {{"", 1, 1}, {"%", 1, 100}, {NULL, 0, 0}};
static const unit_t size_units[] = {
    {"", 1, 1},           {"B", 1, 1},           {"k", 1000, 1},      {"K", 1000, 1},     {"kB", 1000, 1},
    {"KB", 1000, 1},      {"KiB", 1024, 1},      {"M", 1000000, 1},   {"MB", 1000000, 1}, {"MiB", 1 << 20, 1},
    {"G", 1000000000, 1}, {"GB", 1000000000, 1}, {"GiB", 1 << 30, 1}, {NULL, 0, 0},
};

static const hint_t count_hints[] = {
    {"m", "\"m\" is not a count suffix (use k, M or G; minutes are written as durations)"},
    {NULL, NULL},
};
static const hint_t size_hints[] = {
    {"b", "\"b\" would be bits; sizes are in bytes (B)"},
    {"kb", "write kB or KB (1000) or KiB (1024)"},
    {"mb", "write MB (10^6) or MiB (2^20)"},
    {NULL, NULL},
};

static const kind_t DURATION = {"duration", duration_units, "ns, us, ms, s, m, h, d", NULL};
static const kind_t COUNT = {"count", count_units, "no suffix, k, M or G", count_hints};
static const kind_t RATE = {"rate", rate_units, "/s, /min, /h, rps or rpm, e.g. \"1000/s\"", NULL};
static const kind_t PERCENT = {"percentage", percent_units, "%", NULL};
static const kind_t SIZE = {"size", size_units, "B, k, KB, KiB, M, MB, MiB, G, GB, GiB", size_hints};

/* ---- scanning --------------------------------------------------------------------------------------- */

/* digits * 10^-scale, exactly. */
typedef struct decimal {
    uint64_t digits;
    unsigned scale;
} decimal_t;

typedef struct term {
    decimal_t num;
    const unit_t *unit;
} term_t;

typedef struct scanner {
    const char *s; /* the whole input, for messages */
    const char *p, *end;
    char *err;
    size_t errlen;
} scanner_t;

static int fail(scanner_t *sc, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Messages quote the input without its surrounding spaces: `"30x": unknown unit "x" (...)`. */
static int fail(scanner_t *sc, const char *fmt, ...)
{
    if (sc->err == NULL || sc->errlen == 0)
        return -1;
    int n = snprintf(sc->err, sc->errlen, "\"%.*s\": ", (int)(sc->end - sc->s), sc->s);
    if (n < 0 || (size_t)n >= sc->errlen)
        return -1;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(sc->err + n, sc->errlen - (size_t)n, fmt, ap);
    va_end(ap);
    return -1;
}

static bool is_space(char c)
{
    return c == ' ' || c == '\t';
}

static bool is_digit(char c)
{
    return c >= '0' && c <= '9';
}

static void skip_spaces(scanner_t *sc)
{
    while (sc->p < sc->end && is_space(*sc->p))
        sc->p++;
}

/* Up to 19 significant digits (an exact uint64); more is refused rather than silently rounded. */
static int scan_decimal(scanner_t *sc, decimal_t *out)
{
    if (sc->p < sc->end && *sc->p == '-')
        return fail(sc, "negative values are not allowed");
    if (sc->p == sc->end || !is_digit(*sc->p))
        return fail(sc, "expected a number at \"%.*s\"", (int)(sc->end - sc->p), sc->p);
    decimal_t d = {0, 0};
    int ndig = 0;
    bool frac = false;
    for (; sc->p < sc->end && (is_digit(*sc->p) || (*sc->p == '.' && !frac)); sc->p++) {
        if (*sc->p == '.') {
            frac = true;
            if (sc->p + 1 == sc->end || !is_digit(sc->p[1]))
                return fail(sc, "expected a digit after '.'");
            continue;
        }
        ndig += d.digits != 0 || *sc->p != '0';
        if (ndig > 19 || d.scale + frac > 19)
            return fail(sc, "too many digits");
        d.digits = d.digits * 10 + (uint64_t)(*sc->p - '0');
        d.scale += frac;
    }
    *out = d;
    return 0;
}

/* A unit word runs to the next digit, dot or space, so "1m30s" splits into "m" and "s". */
static cm_str_t scan_word(scanner_t *sc)
{
    const char *w = sc->p;
    while (sc->p < sc->end && !is_digit(*sc->p) && *sc->p != '.' && !is_space(*sc->p))
        sc->p++;
    return (cm_str_t){w, (size_t)(sc->p - w)};
}

static const unit_t *lookup(const unit_t *units, cm_str_t w)
{
    for (const unit_t *u = units; u->name != NULL; u++) {
        if (strlen(u->name) == w.n && memcmp(u->name, w.p, w.n) == 0)
            return u;
    }
    return NULL;
}

/* Scans one term. A missing unit (bare number) yields the table's "" unit or NULL when it has none. */
static int scan_term(scanner_t *sc, const kind_t *k, term_t *t)
{
    if (scan_decimal(sc, &t->num) != 0)
        return -1;
    skip_spaces(sc);
    cm_str_t w = scan_word(sc);
    t->unit = lookup(k->units, w);
    for (const hint_t *h = k->hints; t->unit == NULL && h != NULL && h->word != NULL; h++) {
        if (strlen(h->word) == w.n && memcmp(h->word, w.p, w.n) == 0)
            return fail(sc, "%s", h->message);
    }
    if (t->unit == NULL && w.n > 0)
        return fail(sc, "unknown unit \"%.*s\" (expected %s)", (int)w.n, w.p, k->expected);
    skip_spaces(sc);
    return 0;
}

static void scanner_init(scanner_t *sc, const char *s, char *err, size_t errlen)
{
    sc->err = err;
    sc->errlen = errlen;
    sc->end = s + strlen(s);
    while (*s != '\0' && is_space(*s))
        s++;
    while (sc->end > s && is_space(sc->end[-1]))
        sc->end--;
    sc->s = sc->p = s;
}

/* Scans exactly one term that uses the whole input. */
static int scan_single(scanner_t *sc, const kind_t *k, term_t *t)
{
    if (sc->p == sc->end)
        return fail(sc, "empty %s", k->what);
    if (scan_term(sc, k, t) != 0)
        return -1;
    if (sc->p != sc->end)
        return fail(sc, "unexpected \"%.*s\" after the %s", (int)(sc->end - sc->p), sc->p, k->what);
    if (t->unit == NULL)
        return fail(sc, "missing unit (expected %s)", k->expected);
    return 0;
}

/* ---- conversions ------------------------------------------------------------------------------------ */

static const uint64_t pow10_u64[20] = {
    1u,
    10u,
    100u,
    1000u,
    10000u,
    100000u,
    1000000u,
    10000000u,
    100000000u,
    1000000000u,
    UINT64_C(10000000000),
    UINT64_C(100000000000),
    UINT64_C(1000000000000),
    UINT64_C(10000000000000),
    UINT64_C(100000000000000),
    UINT64_C(1000000000000000),
    UINT64_C(10000000000000000),
    UINT64_C(100000000000000000),
    UINT64_C(1000000000000000000),
    UINT64_C(10000000000000000000),
};

/* term in base units, rounded to the nearest integer; -1 when above UINT64_MAX. Exact: 128-bit. */
static int term_to_u64(const term_t *t, uint64_t *out)
{
    unsigned __int128 n = (unsigned __int128)t->num.digits * t->unit->num;
    unsigned __int128 d = (unsigned __int128)pow10_u64[t->num.scale] * t->unit->den;
    unsigned __int128 q = (n + d / 2) / d;
    if (q > UINT64_MAX)
        return -1;
    *out = (uint64_t)q;
    return 0;
}

static double term_to_double(const term_t *t)
{
    return (double)t->num.digits / (double)pow10_u64[t->num.scale] * (double)t->unit->num / (double)t->unit->den;
}

/* ---- parsers ---------------------------------------------------------------------------------------- */

int cm_parse_duration(const char *s, uint64_t *ns, char *err, size_t errlen)
{
    scanner_t sc;
    scanner_init(&sc, s, err, errlen);
    if (sc.p == sc.end)
        return fail(&sc, "empty duration");
    uint64_t total = 0, prev_scale = 0;
    while (sc.p < sc.end) {
        term_t t;
        uint64_t v;
        if (scan_term(&sc, &DURATION, &t) != 0)
            return -1;
        if (t.unit == NULL) { /* only a lone zero may omit its unit */
            if (t.num.digits != 0 || total != 0 || sc.p != sc.end || prev_scale != 0)
                return fail(&sc, "missing unit (expected %s)", DURATION.expected);
            break;
        }
        if (prev_scale != 0 && t.unit->num >= prev_scale)
            return fail(&sc, "units must go from largest to smallest, each once (as in \"1m30s\")");
        prev_scale = t.unit->num;
        if (term_to_u64(&t, &v) != 0 || __builtin_add_overflow(total, v, &total))
            return fail(&sc, "too large (the maximum is about 584 years)");
    }
    *ns = total;
    return 0;
}

int cm_parse_count(const char *s, double *out, char *err, size_t errlen)
{
    scanner_t sc;
    term_t t;
    scanner_init(&sc, s, err, errlen);
    if (scan_single(&sc, &COUNT, &t) != 0)
        return -1;
    *out = term_to_double(&t);
    return 0;
}

/* A rate's unit word may start with a count multiplier: "10krpm", "1.5k/s". Returns the multiplier and
 * sets *unit, or sets *unit to NULL when the word is not a rate unit. */
static double rate_unit(cm_str_t w, const unit_t **unit)
{
    *unit = lookup(rate_units, w);
    if (*unit != NULL || w.n < 2)
        return 1;
    const unit_t *c = lookup(count_units, (cm_str_t){w.p, 1});
    if (c == NULL)
        return 1;
    *unit = lookup(rate_units, (cm_str_t){w.p + 1, w.n - 1});
    return (double)c->num;
}

static int scan_rate_term(scanner_t *sc, term_t *t, double *mult)
{
    if (scan_decimal(sc, &t->num) != 0)
        return -1;
    skip_spaces(sc);
    cm_str_t w = scan_word(sc);
    *mult = rate_unit(w, &t->unit);
    if (t->unit == NULL && (w.n == 0 || lookup(count_units, w) != NULL))
        return fail(sc, "missing unit (expected %s)", RATE.expected);
    if (t->unit == NULL)
        return fail(sc, "unknown unit \"%.*s\" (expected %s)", (int)w.n, w.p, RATE.expected);
    skip_spaces(sc);
    if (sc->p != sc->end)
        return fail(sc, "unexpected \"%.*s\" after the rate", (int)(sc->end - sc->p), sc->p);
    return 0;
}

int cm_parse_rate(const char *s, double *per_second, char *err, size_t errlen)
{
    scanner_t sc;
    term_t t;
    double mult;
    scanner_init(&sc, s, err, errlen);
    if (sc.p == sc.end)
        return fail(&sc, "empty rate");
    if (scan_rate_term(&sc, &t, &mult) != 0)
        return -1;
    *per_second = term_to_double(&t) * mult;
    return 0;
}

int cm_parse_percent(const char *s, double *fraction, char *err, size_t errlen)
{
    scanner_t sc;
    term_t t;
    scanner_init(&sc, s, err, errlen);
    if (scan_single(&sc, &PERCENT, &t) != 0)
        return -1;
    double v = term_to_double(&t);
    if (t.unit->den == 1 && v > 1) {
        return fail(&sc, "a number without %% must be a fraction between 0 and 1 (did you mean \"%.*s%%\"?)",
                    (int)(sc.end - sc.s), sc.s);
    }
    if (v > 1)
        return fail(&sc, "must be between 0%% and 100%%");
    *fraction = v;
    return 0;
}

int cm_parse_size(const char *s, uint64_t *bytes, char *err, size_t errlen)
{
    scanner_t sc;
    term_t t;
    scanner_init(&sc, s, err, errlen);
    if (scan_single(&sc, &SIZE, &t) != 0)
        return -1;
    if (term_to_u64(&t, bytes) != 0)
        return fail(&sc, "too large");
    return 0;
}

int cm_parse_u64(const char *s, uint64_t *out, char *err, size_t errlen)
{
    scanner_t sc;
    scanner_init(&sc, s, err, errlen);
    if (sc.p == sc.end)
        return fail(&sc, "empty number");
    if (*sc.p == '-')
        return fail(&sc, "negative values are not allowed");
    uint64_t v = 0;
    for (const char *p = sc.p; p < sc.end; p++) {
        if (!is_digit(*p))
            return fail(&sc, "expected a whole number from 0 to %" PRIu64 " in decimal digits", UINT64_MAX);
        if (__builtin_mul_overflow(v, 10, &v) || __builtin_add_overflow(v, (uint64_t)(*p - '0'), &v))
            return fail(&sc, "too large (the maximum is %" PRIu64 ")", UINT64_MAX);
    }
    *out = v;
    return 0;
}

/* ---- formatting ------------------------------------------------------------------------------------- */

/* Prints v with up to 3 decimals and no trailing zeros ("1.25", "2", "0.001"). */
static int print_trimmed(char *buf, size_t n, double v, const char *suffix)
{
    char tmp[64];
    snprintf(tmp, sizeof(tmp), "%.3f", v);
    char *e = tmp + strlen(tmp);
    while (e[-1] == '0')
        *--e = '\0';
    if (e[-1] == '.')
        *--e = '\0';
    return snprintf(buf, n, "%s%s", tmp, suffix);
}

/* Below a minute: one unit, 3 decimals at most, moving up a unit when rounding reaches 1000 of it. */
static const struct {
    uint64_t scale;
    const char *name;
} small_units[] = {{1, "ns"}, {1000, "us"}, {1000000, "ms"}, {NS_S, "s"}};

char *cm_format_duration(char *buf, size_t n, uint64_t ns)
{
    if (n == 0)
        return buf;
    if (ns == 0) {
        snprintf(buf, n, "0s");
        return buf;
    }
    for (int i = 0; i < 4; i++) {
        double v = (double)ns / (double)small_units[i].scale;
        double limit = i < 3 ? 1000 : 60;
        if (round(v * 1000) / 1000 < limit) {
            print_trimmed(buf, n, v, small_units[i].name);
            return buf;
        }
    }
    /* A minute or more: compound "1h2m3.5s" with milliseconds kept in the seconds part. */
    uint64_t ms = ns / 1000000 + (ns % 1000000 >= 500000);
    uint64_t part[3] = {ms / 86400000, ms / 3600000 % 24, ms / 60000 % 60};
    static const char names[3] = {'d', 'h', 'm'};
    size_t len = 0;
    buf[0] = '\0';
    for (int i = 0; i < 3 && len < n; i++) {
        if (part[i] != 0) {
            int w = snprintf(buf + len, n - len, "%llu%c", (unsigned long long)part[i], names[i]);
            len += w > 0 ? (size_t)w : 0;
        }
    }
    if (ms % 60000 != 0 && len < n)
        print_trimmed(buf + len, n - len, (double)(ms % 60000) / 1000, "s");
    return buf;
}

char *cm_format_count(char *buf, size_t n, double v)
{
    static const struct {
        double scale;
        const char *name;
    } sfx[] = {{1, ""}, {1e3, "k"}, {1e6, "M"}, {1e9, "G"}};
    if (!isfinite(v)) {
        snprintf(buf, n, "%s", isnan(v) ? "nan" : v < 0 ? "-inf" : "inf");
        return buf;
    }
    const char *sign = v < 0 ? "-" : "";
    double a = fabs(v);
    for (int i = 0; i < 4; i++) {
        char tmp[32];
        double x = a / sfx[i].scale;
        snprintf(tmp, sizeof(tmp), "%.3g", x);
        /* %.3g turns to exponent form at 1000 (also when 999.7 rounds up): then the next suffix reads
         * better. Tiny fractions keep the exponent form; they have no suffix. */
        if (strchr(tmp, 'e') == NULL || x < 1) {
            snprintf(buf, n, "%s%s%s", sign, tmp, sfx[i].name);
            return buf;
        }
    }
    snprintf(buf, n, "%s%.0fG", sign, a / 1e9);
    return buf;
}
