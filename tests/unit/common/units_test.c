/* tests/unit/common/units_test.c — the table-driven quantity parsers and the formatters. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "common/units.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#define S UINT64_C(1000000000)

static void check_duration(const char *s, uint64_t want)
{
    char err[256] = "";
    uint64_t ns = 12345;
    if (cm_parse_duration(s, &ns, err, sizeof(err)) != 0)
        fail_msg("cm_parse_duration(\"%s\") failed: %s", s, err);
    assert_int_equal(ns, want);
}

static void check_duration_error(const char *s, const char *want)
{
    char err[256] = "";
    uint64_t ns = 777;
    assert_int_equal(cm_parse_duration(s, &ns, err, sizeof(err)), -1);
    assert_string_equal(err, want);
    assert_int_equal(ns, 777); /* untouched on error */
}

static void test_durations(void **state)
{
    (void)state;
    check_duration("0", 0);
    check_duration("0s", 0);
    check_duration("  30s ", 30 * S);
    check_duration("250ms", 250000000);
    check_duration("5us", 5000);
    check_duration("5\xc2\xb5s", 5000);
    check_duration("7ns", 7);
    check_duration("1.5h", 5400 * S);
    check_duration("2m", 120 * S);
    check_duration("2min", 120 * S);
    check_duration("1d", 86400 * S);
    check_duration("1m30s", 90 * S);
    check_duration("1h2m3.5s", 3723 * S + S / 2);
    check_duration("1h 30m", 5400 * S);
    check_duration("10 ms", 10000000);
    check_duration("0.1s", 100000000);
    check_duration("0.02ms", 20000);
    check_duration("1.0000000001s", 1000000000); /* below a nanosecond rounds */
    check_duration("0.0000000015s", 2);
    check_duration("9999999999999999999ns", UINT64_C(9999999999999999999));
    check_duration("213503d", UINT64_C(213503) * 86400 * S);
}

static void test_duration_errors(void **state)
{
    (void)state;
    check_duration_error("", "\"\": empty duration");
    check_duration_error("   ", "\"\": empty duration");
    check_duration_error("30", "\"30\": missing unit (expected ns, us, ms, s, m, h, d)");
    check_duration_error("1m30", "\"1m30\": missing unit (expected ns, us, ms, s, m, h, d)");
    check_duration_error("30x", "\"30x\": unknown unit \"x\" (expected ns, us, ms, s, m, h, d)");
    check_duration_error("30 sec", "\"30 sec\": unknown unit \"sec\" (expected ns, us, ms, s, m, h, d)");
    check_duration_error("-5s", "\"-5s\": negative values are not allowed");
    check_duration_error("s", "\"s\": expected a number at \"s\"");
    check_duration_error("1.s", "\"1.s\": expected a digit after '.'");
    check_duration_error(".5s", "\".5s\": expected a number at \".5s\"");
    check_duration_error("1.5.3s", "\"1.5.3s\": missing unit (expected ns, us, ms, s, m, h, d)");
    check_duration_error("30s1m", "\"30s1m\": units must go from largest to smallest, each once (as in \"1m30s\")");
    check_duration_error("1s1s", "\"1s1s\": units must go from largest to smallest, each once (as in \"1m30s\")");
    check_duration_error("1m1min", "\"1m1min\": units must go from largest to smallest, each once (as in \"1m30s\")");
    check_duration_error("18446744073709551616ns", "\"18446744073709551616ns\": too many digits");
    check_duration_error("213503d23h59m", "\"213503d23h59m\": too large (the maximum is about "
                                          "584 years)");
    check_duration_error("213504d", "\"213504d\": too large (the maximum is about 584 years)");
    check_duration_error("1d213503d", "\"1d213503d\": units must go from largest to smallest, each once (as in "
                                      "\"1m30s\")");
    check_duration_error("0.00000000000000000001s", "\"0.00000000000000000001s\": too many digits");
    check_duration_error("1e3s", "\"1e3s\": unknown unit \"e\" (expected ns, us, ms, s, m, h, d)");
}

static void test_error_buffer_bounds(void **state)
{
    (void)state;
    char err[8];
    uint64_t ns;
    memset(err, 'X', sizeof(err));
    assert_int_equal(cm_parse_duration("30", &ns, err, sizeof(err)), -1);
    assert_string_equal(err, "\"30\": m");
    assert_int_equal(cm_parse_duration("30", &ns, NULL, 0), -1);
    assert_int_equal(cm_parse_duration("30", &ns, err, 0), -1);
}

static void test_counts(void **state)
{
    (void)state;
    static const struct {
        const char *s;
        double v;
    } ok[] = {{"0", 0},    {"64", 64},  {"10k", 10000},  {"10K", 10000}, {"1.5k", 1500},
              {"2M", 2e6}, {"3G", 3e9}, {" 7 k ", 7000}, {"0.5", 0.5}};
    for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
        double v = -1;
        char err[200] = "";
        if (cm_parse_count(ok[i].s, &v, err, sizeof(err)) != 0)
            fail_msg("cm_parse_count(\"%s\"): %s", ok[i].s, err);
        assert_true(v == ok[i].v);
    }
    char err[200];
    double v;
    assert_int_equal(cm_parse_count("10m", &v, err, sizeof(err)), -1);
    assert_string_equal(err, "\"10m\": \"m\" is not a count suffix (use k, M or G; minutes are written as durations)");
    assert_int_equal(cm_parse_count("10x", &v, err, sizeof(err)), -1);
    assert_string_equal(err, "\"10x\": unknown unit \"x\" (expected no suffix, k, M or G)");
    assert_int_equal(cm_parse_count("10k5", &v, err, sizeof(err)), -1);
    assert_string_equal(err, "\"10k5\": unexpected \"5\" after the count");
    assert_int_equal(cm_parse_count("-1", &v, err, sizeof(err)), -1);
    assert_string_equal(err, "\"-1\": negative values are not allowed");
    assert_int_equal(cm_parse_count("", &v, err, sizeof(err)), -1);
    assert_string_equal(err, "\"\": empty count");
    assert_int_equal(cm_parse_count("abc", &v, err, sizeof(err)), -1);
    assert_string_equal(err, "\"abc\": expected a number at \"abc\"");
}

static void test_rates(void **state)
{
    (void)state;
    static const struct {
        const char *s;
        double v;
    } ok[] = {
        {"1170/s", 1170}, {"20k/min", 20000.0 / 60}, {"60/m", 1},       {"3600/h", 1},       {"3600/hour", 1},
        {"5/sec", 5},     {"5/second", 5},           {"120/minute", 2}, {"1000rps", 1000},   {"10krpm", 10000.0 / 60},
        {"1.5k/s", 1500}, {" 10 /s ", 10},           {"0/s", 0},        {"2M/h", 2e6 / 3600}};
    for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
        double v = -1;
        char err[200] = "";
        if (cm_parse_rate(ok[i].s, &v, err, sizeof(err)) != 0)
            fail_msg("cm_parse_rate(\"%s\"): %s", ok[i].s, err);
        if (fabs(v - ok[i].v) > 1e-9 * ok[i].v)
            fail_msg("cm_parse_rate(\"%s\") = %g, want %g", ok[i].s, v, ok[i].v);
    }
    char err[200];
    double v;
    assert_int_equal(cm_parse_rate("1000", &v, err, sizeof(err)), -1);
    assert_string_equal(err, "\"1000\": missing unit (expected /s, /min, /h, rps or rpm, e.g. \"1000/s\")");
    assert_int_equal(cm_parse_rate("10k", &v, err, sizeof(err)), -1);
    assert_string_equal(err, "\"10k\": missing unit (expected /s, /min, /h, rps or rpm, e.g. \"1000/s\")");
    assert_int_equal(cm_parse_rate("10/d", &v, err, sizeof(err)), -1);
    assert_string_equal(err, "\"10/d\": unknown unit \"/d\" (expected /s, /min, /h, rps or rpm, e.g. \"1000/s\")");
    assert_int_equal(cm_parse_rate("10/s/s", &v, err, sizeof(err)), -1);
    assert_string_equal(err, "\"10/s/s\": unknown unit \"/s/s\" (expected /s, /min, /h, rps or rpm, e.g. \"1000/s\")");
    assert_int_equal(cm_parse_rate("10/s 5", &v, err, sizeof(err)), -1);
    assert_string_equal(err, "\"10/s 5\": unexpected \"5\" after the rate");
    assert_int_equal(cm_parse_rate("", &v, err, sizeof(err)), -1);
    assert_string_equal(err, "\"\": empty rate");
}

static void test_percents(void **state)
{
    (void)state;
    double v = -1;
    char err[200] = "";
    assert_int_equal(cm_parse_percent("20%", &v, err, sizeof(err)), 0);
    assert_true(fabs(v - 0.2) < 1e-15);
    assert_int_equal(cm_parse_percent("0.5%", &v, err, sizeof(err)), 0);
    assert_true(fabs(v - 0.005) < 1e-15);
    assert_int_equal(cm_parse_percent("100%", &v, err, sizeof(err)), 0);
    assert_true(v == 1.0);
    assert_int_equal(cm_parse_percent("0.25", &v, err, sizeof(err)), 0);
    assert_true(v == 0.25);
    assert_int_equal(cm_parse_percent("1", &v, err, sizeof(err)), 0);
    assert_true(v == 1.0);
    assert_int_equal(cm_parse_percent(" 0% ", &v, err, sizeof(err)), 0);
    assert_true(v == 0.0);
    assert_int_equal(cm_parse_percent("20", &v, err, sizeof(err)), -1);
    assert_string_equal(err, "\"20\": a number without % must be a fraction between 0 and 1 (did you mean \"20%\"?)");
    assert_int_equal(cm_parse_percent("100.5%", &v, err, sizeof(err)), -1);
    assert_string_equal(err, "\"100.5%\": must be between 0% and 100%");
    assert_int_equal(cm_parse_percent("-1%", &v, err, sizeof(err)), -1);
    assert_string_equal(err, "\"-1%\": negative values are not allowed");
    assert_int_equal(cm_parse_percent("5%%", &v, err, sizeof(err)), -1);
    assert_string_equal(err, "\"5%%\": unknown unit \"%%\" (expected %)");
}

static void test_sizes(void **state)
{
    (void)state;
    static const struct {
        const char *s;
        uint64_t v;
    } ok[] = {{"0", 0},         {"512", 512},         {"512B", 512},   {"4KiB", 4096},    {"1MB", 1000000},
              {"16k", 16000},   {"16K", 16000},       {"1kB", 1000},   {"2MiB", 2097152}, {"1GiB", 1073741824},
              {"1.5KiB", 1536}, {"3GB", 3000000000u}, {"1 M", 1000000}};
    for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
        uint64_t v = 1;
        char err[200] = "";
        if (cm_parse_size(ok[i].s, &v, err, sizeof(err)) != 0)
            fail_msg("cm_parse_size(\"%s\"): %s", ok[i].s, err);
        assert_int_equal(v, ok[i].v);
    }
    char err[200];
    uint64_t v;
    assert_int_equal(cm_parse_size("10kb", &v, err, sizeof(err)), -1);
    assert_string_equal(err, "\"10kb\": write kB or KB (1000) or KiB (1024)");
    assert_int_equal(cm_parse_size("10b", &v, err, sizeof(err)), -1);
    assert_string_equal(err, "\"10b\": \"b\" would be bits; sizes are in bytes (B)");
    assert_int_equal(cm_parse_size("10TB", &v, err, sizeof(err)), -1);
    assert_string_equal(err, "\"10TB\": unknown unit \"TB\" (expected B, k, KB, KiB, M, MB, MiB, G, GB, GiB)");
    assert_int_equal(cm_parse_size("9999999999999999999GiB", &v, err, sizeof(err)), -1);
    assert_string_equal(err, "\"9999999999999999999GiB\": too large");
}

static void check_fmt_duration(uint64_t ns, const char *want)
{
    char buf[64];
    assert_string_equal(cm_format_duration(buf, sizeof(buf), ns), want);
    /* What the formatter prints, the parser reads back (to the printed precision). */
    uint64_t back;
    char err[128];
    if (cm_parse_duration(buf, &back, err, sizeof(err)) != 0)
        fail_msg("formatted \"%s\" does not parse: %s", buf, err);
}

static void check_u64_error(const char *s, const char *want)
{
    char err[256] = "";
    uint64_t v = 777;
    assert_int_equal(cm_parse_u64(s, &v, err, sizeof(err)), -1);
    assert_string_equal(err, want);
    assert_int_equal(v, 777); /* untouched on error */
}

static void test_u64(void **state)
{
    (void)state;
    char err[256];
    uint64_t v = 1;
    assert_int_equal(cm_parse_u64("0", &v, err, sizeof(err)), 0);
    assert_int_equal(v, 0);
    assert_int_equal(cm_parse_u64(" 42 ", &v, err, sizeof(err)), 0);
    assert_int_equal(v, 42);
    assert_int_equal(cm_parse_u64("9223372036854775808", &v, err, sizeof(err)), 0); /* 2^63: past int64 */
    assert_true(v == UINT64_C(9223372036854775808));
    assert_int_equal(cm_parse_u64("18446744073709551615", &v, err, sizeof(err)), 0); /* 2^64 - 1 */
    assert_true(v == UINT64_MAX);
    assert_int_equal(cm_parse_u64("000018446744073709551615", &v, err, sizeof(err)), 0);
    assert_true(v == UINT64_MAX);
    check_u64_error("18446744073709551616",
                    "\"18446744073709551616\": too large (the maximum is 18446744073709551615)");
    check_u64_error("99999999999999999999999", "\"99999999999999999999999\": too large (the maximum is "
                                               "18446744073709551615)");
    check_u64_error("-1", "\"-1\": negative values are not allowed");
    check_u64_error("", "\"\": empty number");
    const char *bad[] = {"+1", "1k", "1.5", "1e3", "0x10", "1 2", "seven"};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        char want[128];
        snprintf(want, sizeof(want), "\"%s\": expected a whole number from 0 to 18446744073709551615 in decimal digits",
                 bad[i]);
        check_u64_error(bad[i], want);
    }
}

static void test_format_duration(void **state)
{
    (void)state;
    check_fmt_duration(0, "0s");
    check_fmt_duration(1, "1ns");
    check_fmt_duration(999, "999ns");
    check_fmt_duration(1000, "1us");
    check_fmt_duration(1234, "1.234us");
    check_fmt_duration(1250000, "1.25ms");
    check_fmt_duration(999999, "999.999us");
    check_fmt_duration(999999500, "1s"); /* rounding to 3 decimals reaches 1000ms: moves up a unit */
    check_fmt_duration(999999499, "999.999ms");
    check_fmt_duration(80 * 1000000, "80ms");
    check_fmt_duration(S + S / 2, "1.5s");
    check_fmt_duration(59 * S, "59s");
    check_fmt_duration(59999999999, "1m");
    check_fmt_duration(60 * S, "1m");
    check_fmt_duration(90 * S, "1m30s");
    check_fmt_duration(3600 * S, "1h");
    check_fmt_duration(3601 * S, "1h1s");
    check_fmt_duration(3723 * S + S / 2, "1h2m3.5s");
    check_fmt_duration(86400 * S * 2 + 3600 * S, "2d1h");
    char small[4];
    assert_string_equal(cm_format_duration(small, sizeof(small), 1250000), "1.2");
    assert_string_equal(cm_format_duration(small, sizeof(small), 3723 * S), "1h2");
}

static void test_format_count(void **state)
{
    (void)state;
    static const struct {
        double v;
        const char *want;
    } cases[] = {{0, "0"},         {999, "999"},     {12345, "12.3k"},  {1000, "1k"}, {1500, "1.5k"},
                 {999999, "1M"},   {999.7, "1k"},    {2500000, "2.5M"}, {3e9, "3G"},  {0.5, "0.5"},
                 {12.345, "12.3"}, {-1500, "-1.5k"}, {5e12, "5000G"},   {NAN, "nan"}, {INFINITY, "inf"}};
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        char buf[32];
        assert_string_equal(cm_format_count(buf, sizeof(buf), cases[i].v), cases[i].want);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_durations),
        cmocka_unit_test(test_duration_errors),
        cmocka_unit_test(test_error_buffer_bounds),
        cmocka_unit_test(test_counts),
        cmocka_unit_test(test_rates),
        cmocka_unit_test(test_percents),
        cmocka_unit_test(test_sizes),
        cmocka_unit_test(test_u64),
        cmocka_unit_test(test_format_duration),
        cmocka_unit_test(test_format_count),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
