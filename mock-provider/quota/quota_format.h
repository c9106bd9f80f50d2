/* mock-provider/quota/quota_format.h — the strings providers put in rate-limit headers: Go durations (OpenAI's
 * x-ratelimit-reset-*), RFC 3339 times (Anthropic's anthropic-ratelimit-*-reset), HTTP-dates, and the
 * retry-after / retry-after-ms pair under a configurable policy. None allocates; each writes a
 * NUL-terminated string into buf (truncated to n - 1 bytes if n is too small) and returns buf. */
#ifndef MP_QUOTA_FORMAT_H
#define MP_QUOTA_FORMAT_H

#include <stddef.h>
#include <stdint.h>

#include "mock-provider/quota/quota.h"

#define MP_GO_DURATION_MAX 40 /* bytes for any value, with the NUL */
#define MP_RFC3339_MAX 24     /* "2025-08-21T12:40:59Z" */
#define MP_HTTP_DATE_MAX 32   /* "Sun, 06 Nov 1994 08:49:37 GMT" */

/* As Go's time.Duration.String(): "0s", "750ns", "1.5µs" (U+00B5, two bytes), "12ms", "1.234567ms", "1s",
 * "3.704s", "1m30.5s", "6m0s", "1h0m0s"; trailing zeros of fractions dropped; hours are the largest unit. */
char *mp_format_go_duration(char *buf, size_t n, uint64_t ns);
/* A NUL-terminated string written piece by piece into a caller's buffer, for texts built on every refusal
 * (429 messages, header values) without printf. Whatever does not fit is dropped; len < cap always. */
typedef struct mp_text {
    char *buf;
    size_t cap, len;
} mp_text_t;

/* Starts an empty text in buf (cap > 0 bytes). */
void mp_text_init(mp_text_t *t, char *buf, size_t cap);
/* Appends n bytes of s / the string s / v in decimal / mp_format_go_duration(ns). */
void mp_text_put(mp_text_t *t, const char *s, size_t n);
void mp_text_puts(mp_text_t *t, const char *s);
void mp_text_put_u64(mp_text_t *t, uint64_t v);
void mp_text_put_go_duration(mp_text_t *t, uint64_t ns);

/* UTC "YYYY-MM-DDTHH:MM:SSZ" of a Unix time in ns, truncated to the second. */
char *mp_format_rfc3339(char *buf, size_t n, uint64_t unix_ns);
/* RFC 9110 IMF-fixdate of a Unix time in ns, truncated to the second. */
char *mp_format_http_date(char *buf, size_t n, uint64_t unix_ns);

/* ns rounded up to a whole second: for announced times that a client must not act on too early. */
static inline uint64_t mp_ceil_second_ns(uint64_t ns)
{
    uint64_t s = ns / 1000000000ull + (ns % 1000000000ull != 0);
    return s * 1000000000ull;
}

/* Parses a retry_after setting: "seconds", "http-date", "ms", "none", or any other text as a fixed value
 * (1..MP_RETRY_AFTER_FIXED_MAX printable ASCII characters). Returns 0, or -1 with a reason in why. */
int mp_retry_after_parse(const char *s, mp_retry_after_t *out, char *why, size_t whylen);

/* Header values for one refusal. An empty string means "do not send that header". */
typedef struct mp_retry_after_values {
    char retry_after[MP_HTTP_DATE_MAX + MP_RETRY_AFTER_FIXED_MAX]; /* retry-after */
    char retry_after_ms[24];                                       /* retry-after-ms (integer ms) */
    /* retry-after-ms is filled for SECONDS and MS. A provider that sends it as a matter of course (Azure)
     * sends it whenever filled; the others only when ms_required (policy MS). */
    int ms_required;
} mp_retry_after_values_t;

/* Renders policy p for a wait of wait_ns (a decision's retry_ns) at wall-clock time unix_now_ns:
 * SECONDS: retry-after = wait in seconds rounded up, at least 1; retry-after-ms = wait in ms rounded up,
 *          at least 1.
 * HTTP_DATE: retry-after = the date of now + that many seconds (the same rounding); no retry-after-ms.
 * MS: retry-after-ms only.  NONE: neither.  FIXED: retry-after = the fixed text; no retry-after-ms (so a
 * client that prefers retry-after-ms still meets the fixed value). */
void mp_retry_after_format(const mp_retry_after_t *p, uint64_t wait_ns, uint64_t unix_now_ns,
                           mp_retry_after_values_t *out);

#endif
