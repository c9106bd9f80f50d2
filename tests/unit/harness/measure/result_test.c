/* tests/unit/harness/measure/result_test.c — the stable error class names and their parser. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "harness/measure/result.h"

#include <string.h>

static void test_names_are_stable(void **state)
{
    (void)state;
    static const char *const expected[HX_ERR__COUNT] = {
        "none",         "http_4xx",        "http_429",        "http_5xx",
        "http_other",   "connect_refused", "connect_timeout", "reset",
        "timeout",      "client_closed",   "stream_no_done",  "stream_truncated",
        "stream_error", "stream_parse",    "bad_body",        "other",
        "dropped",      "client_setup",
    };
    for (int i = 0; i < HX_ERR__COUNT; i++)
        assert_string_equal(hx_err_name((hx_err_t)i), expected[i]);
}

static void test_parse_round_trips(void **state)
{
    (void)state;
    for (int i = 0; i < HX_ERR__COUNT; i++) {
        hx_err_t e = HX_ERR__COUNT;
        assert_int_equal(hx_err_parse(hx_err_name((hx_err_t)i), &e), 0);
        assert_int_equal(e, i);
    }
}

static void test_parse_rejects_unknown(void **state)
{
    (void)state;
    hx_err_t e = HX_ERR_RESET;
    assert_int_equal(hx_err_parse("HTTP_429", &e), -1);
    assert_int_equal(hx_err_parse("429", &e), -1);
    assert_int_equal(hx_err_parse("", &e), -1);
    assert_int_equal(hx_err_parse("stream_no_don", &e), -1);
    assert_int_equal(hx_err_parse(NULL, &e), -1);
    assert_int_equal(e, HX_ERR_RESET); /* untouched on failure */
}

static void test_out_of_range_is_named(void **state)
{
    (void)state;
    assert_string_equal(hx_err_name(HX_ERR__COUNT), "other");
    assert_string_equal(hx_err_name((hx_err_t)1000), "other");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_names_are_stable),
        cmocka_unit_test(test_parse_round_trips),
        cmocka_unit_test(test_parse_rejects_unknown),
        cmocka_unit_test(test_out_of_range_is_named),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
