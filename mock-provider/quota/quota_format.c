/* Rate-limit header strings. Written from the formats' definitions (Go's time package documentation for
 * durations, RFC 3339, RFC 9110 section 5.6.7 for IMF-fixdate). */
#include "mock-provider/quota/quota_format.h"

#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#define NS_PER_US 1000ull
#define NS_PER_MS 1000000ull
#define NS_PER_S 1000000000ull
#define TEN_YEARS_S (3650ull * 86400ull)

/* The formatters below run on every answer of a limited deployment, and the texts of a refusal are built
 * on every 429, so they write digits by hand rather than through snprintf (which cost several percent of
 * the mock's CPU at full speed). */
typedef mp_text_t out_t;

void mp_text_init(mp_text_t *t, char *buf, size_t cap)
{
    t->buf = buf;
    t->cap = cap;
    t->len = 0;
    buf[0] = '\0';
}

void mp_text_put(mp_text_t *t, const char *s, size_t n)
{
    if (n > t->cap - 1 - t->len)
        n = t->cap - 1 - t->len;
    memcpy(t->buf + t->len, s, n);
    t->len += n;
    t->buf[t->len] = '\0';
}

void mp_text_puts(mp_text_t *t, const char *s)
{
    mp_text_put(t, s, strlen(s));
}

static void put_char(out_t *o, char c)
{
    if (o->len + 1 < o->cap)
        o->buf[o->len++] = c;
}

static void put_str(out_t *o, const char *s)
{
    for (; *s != '\0'; s++)
        put_char(o, *s);
}

static void put_u64(out_t *o, uint64_t v)
{
    char d[20];
    int i = 0;
    do {
        d[i++] = (char)('0' + v % 10);
        v /= 10;
    } while (v > 0);
    while (i > 0)
        put_char(o, d[--i]);
}

void mp_text_put_u64(mp_text_t *t, uint64_t v)
{
    put_u64(t, v);
    t->buf[t->len] = '\0';
}

/* ".ddd" with `digits` digits of frac, trailing zeros dropped; nothing when frac is zero. */
static void put_fraction(out_t *o, uint64_t frac, int digits)
{
    char d[16];
    int len = digits;
    if (frac == 0)
        return;
    for (int i = digits - 1; i >= 0; i--, frac /= 10)
        d[i] = (char)('0' + frac % 10);
    while (len > 0 && d[len - 1] == '0')
        len--;
    put_char(o, '.');
    for (int i = 0; i < len; i++)
        put_char(o, d[i]);
}

static void put_go_duration(out_t *o, uint64_t ns)
{
    if (ns == 0) {
        put_str(o, "0s");
    } else if (ns < NS_PER_US) {
        put_u64(o, ns);
        put_str(o, "ns");
    } else if (ns < NS_PER_S) {
        /* Below a second the unit is the largest one that leaves a non-zero integer part. */
        bool micro = ns < NS_PER_MS;
        uint64_t unit = micro ? NS_PER_US : NS_PER_MS;
        put_u64(o, ns / unit);
        put_fraction(o, ns % unit, micro ? 3 : 6);
        put_str(o, micro ? "\xc2\xb5s" : "ms");
    } else {
        uint64_t secs = ns / NS_PER_S, mins = secs / 60, hours = mins / 60;
        if (hours > 0) {
            put_u64(o, hours);
            put_char(o, 'h');
        }
        if (mins > 0) {
            put_u64(o, mins % 60);
            put_char(o, 'm');
        }
        put_u64(o, secs % 60);
        put_fraction(o, ns % NS_PER_S, 9);
        put_char(o, 's');
    }
}

void mp_text_put_go_duration(mp_text_t *t, uint64_t ns)
{
    put_go_duration(t, ns);
    t->buf[t->len] = '\0';
}

char *mp_format_go_duration(char *buf, size_t n, uint64_t ns)
{
    out_t o;
    if (n == 0)
        return buf;
    mp_text_init(&o, buf, n);
    mp_text_put_go_duration(&o, ns);
    return buf;
}

static int utc(uint64_t unix_ns, struct tm *tm)
{
    time_t t = (time_t)(unix_ns / NS_PER_S);
    return gmtime_r(&t, tm) != NULL ? 0 : -1;
}

char *mp_format_rfc3339(char *buf, size_t n, uint64_t unix_ns)
{
    struct tm tm;
    if (n == 0)
        return buf;
    if (utc(unix_ns, &tm) != 0) {
        buf[0] = '\0';
        return buf;
    }
    snprintf(buf, n, "%04d-%02d-%02dT%02d:%02d:%02dZ", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour,
             tm.tm_min, tm.tm_sec);
    return buf;
}

/* The names are fixed by the format, never the locale's. */
char *mp_format_http_date(char *buf, size_t n, uint64_t unix_ns)
{
    static const char days[7][4] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
    static const char months[12][4] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                       "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
    struct tm tm;
    if (n == 0)
        return buf;
    if (utc(unix_ns, &tm) != 0) {
        buf[0] = '\0';
        return buf;
    }
    snprintf(buf, n, "%s, %02d %s %04d %02d:%02d:%02d GMT", days[tm.tm_wday], tm.tm_mday, months[tm.tm_mon],
             tm.tm_year + 1900, tm.tm_hour, tm.tm_min, tm.tm_sec);
    return buf;
}

int mp_retry_after_parse(const char *s, mp_retry_after_t *out, char *why, size_t whylen)
{
    static const struct {
        const char *name;
        mp_retry_after_kind_t kind;
    } words[] = {{"seconds", MP_RETRY_AFTER_SECONDS},
                 {"http-date", MP_RETRY_AFTER_HTTP_DATE},
                 {"ms", MP_RETRY_AFTER_MS},
                 {"none", MP_RETRY_AFTER_NONE}};
    memset(out, 0, sizeof(*out));
    for (size_t i = 0; i < sizeof(words) / sizeof(words[0]); i++)
        if (strcmp(s, words[i].name) == 0) {
            out->kind = words[i].kind;
            return 0;
        }
    size_t len = strlen(s);
    if (len == 0 || len > MP_RETRY_AFTER_FIXED_MAX) {
        snprintf(why, whylen, "expected seconds, http-date, ms, none or a fixed value of 1 to %d characters",
                 MP_RETRY_AFTER_FIXED_MAX);
        return -1;
    }
    for (size_t i = 0; i < len; i++)
        if (s[i] < 0x20 || s[i] > 0x7e) {
            snprintf(why, whylen, "a fixed retry_after value must be printable ASCII (it is sent as a header)");
            return -1;
        }
    out->kind = MP_RETRY_AFTER_FIXED;
    memcpy(out->fixed, s, len + 1);
    return 0;
}

static uint64_t ceil_div_min1(uint64_t v, uint64_t unit)
{
    uint64_t q = v / unit + (v % unit != 0);
    return q > 0 ? q : 1;
}

static void put_decimal(char *buf, size_t n, uint64_t v)
{
    out_t o;
    mp_text_init(&o, buf, n);
    mp_text_put_u64(&o, v);
}

void mp_retry_after_format(const mp_retry_after_t *p, uint64_t wait_ns, uint64_t unix_now_ns,
                           mp_retry_after_values_t *out)
{
    out_t text;
    memset(out, 0, sizeof(*out));
    uint64_t secs = ceil_div_min1(wait_ns, NS_PER_S), ms = ceil_div_min1(wait_ns, NS_PER_MS);
    switch (p->kind) {
    case MP_RETRY_AFTER_SECONDS:
        put_decimal(out->retry_after, sizeof(out->retry_after), secs);
        put_decimal(out->retry_after_ms, sizeof(out->retry_after_ms), ms);
        break;
    case MP_RETRY_AFTER_HTTP_DATE: {
        /* A client reading the date must not come back early: the current second is rounded up too. Waits
         * past ten years (a never-fitting request) are cut there so the date stays a date. */
        uint64_t at_s = mp_ceil_second_ns(unix_now_ns) / NS_PER_S + (secs < TEN_YEARS_S ? secs : TEN_YEARS_S);
        mp_format_http_date(out->retry_after, sizeof(out->retry_after), at_s * NS_PER_S);
        break;
    }
    case MP_RETRY_AFTER_MS:
        put_decimal(out->retry_after_ms, sizeof(out->retry_after_ms), ms);
        out->ms_required = 1;
        break;
    case MP_RETRY_AFTER_FIXED:
        mp_text_init(&text, out->retry_after, sizeof(out->retry_after));
        mp_text_puts(&text, p->fixed);
        break;
    case MP_RETRY_AFTER_NONE:
        break;
    }
}
