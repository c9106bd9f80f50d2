/* tests/unit/harness/measure/exitcode_test.c — exit statuses of a failed run: the class of every metric family,
 * which failure decides (run failure, no success, then the first failed expectation), an expectation's own
 * exit_code, the default mode's 1, and the errors of --exit-codes (exit_code: in a file: verdict_test.c). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "harness/measure/exitcode.h"

#include <stdio.h>
#include <string.h>

static void assert_contains(const char *haystack, const char *needle)
{
    if (strstr(haystack, needle) == NULL) {
        print_error("\"%s\"\n  does not contain \"%s\"\n", haystack, needle);
        fail();
    }
}

static void test_classes(void **state)
{
    (void)state;
    static const struct {
        const char *metric;
        hx_exit_class_t cls;
    } cases[] = {
        {"latency.p99", HX_EXIT_CLASS_LATENCY},
        {"ttft.p50", HX_EXIT_CLASS_LATENCY},
        {"tpot_incl_first.max", HX_EXIT_CLASS_LATENCY},
        {"gateway_overhead.p95", HX_EXIT_CLASS_LATENCY},
        {"failure_rate", HX_EXIT_CLASS_FAILURES},
        {"requests.failed", HX_EXIT_CLASS_FAILURES},
        {"requests.rate_limited", HX_EXIT_CLASS_FAILURES},
        {"requests.aborted", HX_EXIT_CLASS_FAILURES},
        {"requests.total", HX_EXIT_CLASS_THROUGHPUT},
        {"requests.ok", HX_EXIT_CLASS_THROUGHPUT},
        {"rate.achieved", HX_EXIT_CLASS_THROUGHPUT},
        {"successes_per_minute", HX_EXIT_CLASS_THROUGHPUT},
        {"tokens", HX_EXIT_CLASS_THROUGHPUT},
        {"goodput.attainment", HX_EXIT_CLASS_GOODPUT},
        {"goodput.rate", HX_EXIT_CLASS_GOODPUT},
        {"drift.latency.p99", HX_EXIT_CLASS_DRIFT},
        {"deployment_share.a", HX_EXIT_CLASS_SHARE},
        {"pacer_lag.p99", HX_EXIT_CLASS_CLIENT},
        {"late", HX_EXIT_CLASS_CLIENT},
        {"dropped", HX_EXIT_CLASS_CLIENT},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        hx_exit_class_t got = hx_exit_class_of(cases[i].metric);
        if (got != cases[i].cls)
            fail_msg("%s: class %d (%s), expected %d", cases[i].metric, (int)got, hx_exit_class_name(got),
                     (int)cases[i].cls);
    }
    assert_string_equal(hx_exit_class_name(HX_EXIT_CLASS_GOODPUT), "goodput");
}

static hx_expect_t expect_on(const char *metric, int exit_code)
{
    hx_expect_t e;
    memset(&e, 0, sizeof(e));
    snprintf(e.metric, sizeof(e.metric), "%s", metric);
    e.exit_code = exit_code;
    return e;
}

static void test_which_failure_decides(void **state)
{
    (void)state;
    hx_expect_t e[3] = {expect_on("failure_rate", 0), expect_on("latency.p99", 0), expect_on("goodput.rate", 42)};
    hx_verdict_t v[3] = {{true, 0, true}, {true, 0, false}, {true, 0, false}};
    /* the first failed expectation in the order given: latency */
    assert_int_equal(hx_exit_code(e, v, 3, false, false, true), HX_EXIT_CLASS_LATENCY);
    assert_int_equal(hx_exit_code(e, v, 3, false, false, false), 1);
    /* no success and a failed run come first */
    assert_int_equal(hx_exit_code(e, v, 3, false, true, true), HX_EXIT_CLASS_NO_SUCCESS);
    assert_int_equal(hx_exit_code(e, v, 3, true, true, true), HX_EXIT_CLASS_RUN_FAILED);
    assert_int_equal(hx_exit_code(e, v, 3, true, true, false), 1);
    /* an expectation's own exit_code holds without the detailed mode */
    v[1].pass = true;
    assert_int_equal(hx_exit_code(e, v, 3, false, false, false), 42);
    assert_int_equal(hx_exit_code(e, v, 3, false, false, true), 42);
    /* a failed run with nothing failed to name still fails */
    v[2].pass = true;
    assert_int_equal(hx_exit_code(e, v, 3, false, false, true), 1);
}

static void test_mode_parse(void **state)
{
    (void)state;
    bool d = true;
    char err[256];
    assert_int_equal(hx_exit_mode_parse("default", &d, err, sizeof(err)), 0);
    assert_false(d);
    assert_int_equal(hx_exit_mode_parse("detailed", &d, err, sizeof(err)), 0);
    assert_true(d);
    assert_int_equal(hx_exit_mode_parse("detail", &d, err, sizeof(err)), -1);
    assert_contains(err, "\"detail\": expected default (0 pass, 1 fail, 2 error) or detailed");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_classes),
        cmocka_unit_test(test_which_failure_decides),
        cmocka_unit_test(test_mode_parse),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
