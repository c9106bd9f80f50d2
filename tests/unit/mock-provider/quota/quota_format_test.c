/* tests/unit/mock-provider/quota/quota_format_test.c — rate-limit header strings: Go durations against the
 * outputs of Go's time.Duration.String (its documented examples and edge cases), RFC 3339 and HTTP-dates,
 * retry-after policies and their parser. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "mock-provider/quota/quota_format.h"

#include <string.h>

#define US 1000ull
#define MS 1000000ull
#define S 1000000000ull

static void expect_go(uint64_t ns, const char *want)
{
    char buf[MP_GO_DURATION_MAX];
    assert_string_equal(mp_format_go_duration(buf, sizeof(buf), ns), want);
}

static void test_go_durations(void **state)
{
    expect_go(0, "0s");
    expect_go(1, "1ns");
    expect_go(999, "999ns");
    expect_go(1 * US, "1\xc2\xb5s");
    expect_go(1100, "1.1\xc2\xb5s");
    expect_go(999999, "999.999\xc2\xb5s");
    expect_go(1 * MS, "1ms");
    expect_go(2200 * US, "2.2ms");
    expect_go(12 * MS, "12ms");
    expect_go(1234567, "1.234567ms");
    expect_go(S - 1, "999.999999ms");
    expect_go(1 * S, "1s");
    expect_go(3300 * MS, "3.3s");
    expect_go(3704 * MS, "3.704s");
    expect_go(20 * S, "20s");
    expect_go(59 * S + 999999999, "59.999999999s");
    expect_go(60 * S, "1m0s");
    expect_go(90500 * MS, "1m30.5s");
    expect_go((4 * 60 + 5) * S, "4m5s");
    expect_go((4 * 60 + 5) * S + 1 * MS, "4m5.001s");
    expect_go(6 * 60 * S, "6m0s");
    expect_go(8 * 60 * S + 1, "8m0.000000001s");
    expect_go(3600 * S, "1h0m0s");
    expect_go((5 * 3600 + 6 * 60 + 7) * S + 1 * MS, "5h6m7.001s");
    expect_go(3600 * S + 1, "1h0m0.000000001s");
    expect_go(100 * 3600 * S, "100h0m0s");
    expect_go(INT64_MAX, "2562047h47m16.854775807s");
    expect_go(UINT64_MAX, "5124095h34m33.709551615s"); /* past Go's int64 range, same rules */
}

static void test_go_duration_small_buffer(void **state)
{
    char buf[6];
    assert_string_equal(mp_format_go_duration(buf, sizeof(buf), 90500 * MS), "1m30.");
    char one[1];
    assert_string_equal(mp_format_go_duration(one, sizeof(one), 12 * MS), "");
}

static void test_dates(void **state)
{
    char buf[MP_HTTP_DATE_MAX];
    assert_string_equal(mp_format_rfc3339(buf, sizeof(buf), 0), "1970-01-01T00:00:00Z");
    assert_string_equal(mp_format_rfc3339(buf, sizeof(buf), 1755780059ull * S + 999999999), "2025-08-21T12:40:59Z");
    assert_string_equal(mp_format_rfc3339(buf, sizeof(buf), 951782400ull * S), "2000-02-29T00:00:00Z");
    assert_string_equal(mp_format_rfc3339(buf, sizeof(buf), 4102444799ull * S), "2099-12-31T23:59:59Z");
    assert_string_equal(mp_format_http_date(buf, sizeof(buf), 784111777ull * S), "Sun, 06 Nov 1994 08:49:37 GMT");
    assert_string_equal(mp_format_http_date(buf, sizeof(buf), 0), "Thu, 01 Jan 1970 00:00:00 GMT");
    assert_int_equal(mp_ceil_second_ns(0), 0);
    assert_int_equal(mp_ceil_second_ns(1), S);
    assert_int_equal(mp_ceil_second_ns(5 * S), 5 * S);
}

static void expect_retry(mp_retry_after_kind_t kind, const char *fixed, uint64_t wait, uint64_t now, const char *ra,
                         const char *ms, int ms_required)
{
    mp_retry_after_t p = {.kind = kind};
    if (fixed != NULL)
        strcpy(p.fixed, fixed);
    mp_retry_after_values_t v;
    mp_retry_after_format(&p, wait, now, &v);
    assert_string_equal(v.retry_after, ra);
    assert_string_equal(v.retry_after_ms, ms);
    assert_int_equal(v.ms_required, ms_required);
}

static void test_retry_after_forms(void **state)
{
    uint64_t now = 784111776ull * S + 500 * MS;
    expect_retry(MP_RETRY_AFTER_SECONDS, NULL, 0, now, "1", "1", 0);
    expect_retry(MP_RETRY_AFTER_SECONDS, NULL, 1, now, "1", "1", 0);
    expect_retry(MP_RETRY_AFTER_SECONDS, NULL, 20 * S, now, "20", "20000", 0);
    expect_retry(MP_RETRY_AFTER_SECONDS, NULL, 20 * S + 1, now, "21", "20001", 0);
    expect_retry(MP_RETRY_AFTER_SECONDS, NULL, 3704 * MS, now, "4", "3704", 0);
    /* now rounds up to ...777, plus one second at least. */
    expect_retry(MP_RETRY_AFTER_HTTP_DATE, NULL, 200 * MS, now, "Sun, 06 Nov 1994 08:49:38 GMT", "", 0);
    expect_retry(MP_RETRY_AFTER_HTTP_DATE, NULL, 60 * S, now, "Sun, 06 Nov 1994 08:50:37 GMT", "", 0);
    expect_retry(MP_RETRY_AFTER_MS, NULL, 1500 * US, now, "", "2", 1);
    expect_retry(MP_RETRY_AFTER_NONE, NULL, 5 * S, now, "", "", 0);
    expect_retry(MP_RETRY_AFTER_FIXED, "-1", 5 * S, now, "-1", "", 0);
    expect_retry(MP_RETRY_AFTER_FIXED, "soon", 5 * S, now, "soon", "", 0);
    /* A never-fitting wait still renders a date. */
    expect_retry(MP_RETRY_AFTER_HTTP_DATE, NULL, UINT64_MAX, 0, "Sun, 30 Dec 1979 00:00:00 GMT", "", 0);
}

static void test_retry_after_parse(void **state)
{
    mp_retry_after_t p;
    char why[200];
    assert_int_equal(mp_retry_after_parse("seconds", &p, why, sizeof(why)), 0);
    assert_int_equal(p.kind, MP_RETRY_AFTER_SECONDS);
    assert_int_equal(mp_retry_after_parse("http-date", &p, why, sizeof(why)), 0);
    assert_int_equal(p.kind, MP_RETRY_AFTER_HTTP_DATE);
    assert_int_equal(mp_retry_after_parse("ms", &p, why, sizeof(why)), 0);
    assert_int_equal(p.kind, MP_RETRY_AFTER_MS);
    assert_int_equal(mp_retry_after_parse("none", &p, why, sizeof(why)), 0);
    assert_int_equal(p.kind, MP_RETRY_AFTER_NONE);
    assert_int_equal(mp_retry_after_parse("3600", &p, why, sizeof(why)), 0);
    assert_int_equal(p.kind, MP_RETRY_AFTER_FIXED);
    assert_string_equal(p.fixed, "3600");
    char longest[MP_RETRY_AFTER_FIXED_MAX + 2];
    memset(longest, '9', sizeof(longest) - 1);
    longest[MP_RETRY_AFTER_FIXED_MAX] = '\0';
    assert_int_equal(mp_retry_after_parse(longest, &p, why, sizeof(why)), 0);
    longest[MP_RETRY_AFTER_FIXED_MAX] = '9';
    longest[MP_RETRY_AFTER_FIXED_MAX + 1] = '\0';
    assert_int_equal(mp_retry_after_parse(longest, &p, why, sizeof(why)), -1);
    assert_string_equal(why, "expected seconds, http-date, ms, none or a fixed value of 1 to 63 characters");
    assert_int_equal(mp_retry_after_parse("", &p, why, sizeof(why)), -1);
    assert_int_equal(mp_retry_after_parse("1\r\nx-evil: 1", &p, why, sizeof(why)), -1);
    assert_string_equal(why, "a fixed retry_after value must be printable ASCII (it is sent as a header)");
}

static void test_text(void **state)
{
    (void)state;
    char buf[16];
    mp_text_t t;
    mp_text_init(&t, buf, sizeof(buf));
    assert_string_equal(buf, "");
    mp_text_puts(&t, "Limit ");
    mp_text_put_u64(&t, 0);
    mp_text_put(&t, ", x", 2);
    mp_text_put_u64(&t, 1234);
    assert_string_equal(buf, "Limit 0, 1234");
    mp_text_put_go_duration(&t, 3704 * MS); /* cut at 15 bytes, NUL-terminated */
    assert_string_equal(buf, "Limit 0, 12343.");
    assert_int_equal(t.len, 15);
    mp_text_puts(&t, "more");
    mp_text_put_u64(&t, UINT64_MAX);
    assert_string_equal(buf, "Limit 0, 12343.");
    char one[1];
    mp_text_init(&t, one, sizeof(one));
    mp_text_puts(&t, "x");
    mp_text_put_u64(&t, 7);
    assert_string_equal(one, "");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_go_durations),
        cmocka_unit_test(test_go_duration_small_buffer),
        cmocka_unit_test(test_dates),
        cmocka_unit_test(test_retry_after_forms),
        cmocka_unit_test(test_retry_after_parse),
        cmocka_unit_test(test_text),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
