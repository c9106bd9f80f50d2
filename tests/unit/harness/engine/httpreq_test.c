/* tests/unit/harness/engine/httpreq_test.c — the generic request kind's parts: methods, expected statuses (single,
 * ranges, classes, lists, their bounds and errors), paths and the response checks (json, contains, the cap). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness/engine/httpreq.h"

static void test_methods(void **state)
{
    (void)state;
    static const char *const names[] = {"GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"};
    for (size_t i = 0; i < 7; i++) {
        hx_method_t m;
        assert_int_equal(hx_method_parse(names[i], &m), 0);
        assert_string_equal(hx_method_name(m), names[i]);
    }
    hx_method_t m;
    assert_int_equal(hx_method_parse("get", &m), -1);
    assert_int_equal(hx_method_parse("TRACE", &m), -1);
    assert_int_equal(hx_method_parse("", &m), -1);
}

static void assert_matches(const hx_status_set_t *s, const char *what, int lo, int hi)
{
    for (int st = 0; st < 640; st++) {
        bool want = st >= lo && st <= hi;
        if (hx_status_match(s, st) != want) {
            print_error("%s: status %d matched %d, expected %d\n", what, st, !want, want);
            fail();
        }
    }
}

static void test_status_items(void **state)
{
    (void)state;
    hx_status_set_t s;
    char err[200];
    hx_status_set_default(&s);
    assert_matches(&s, "default", 200, 299);
    memset(&s, 0, sizeof(s));
    assert_int_equal(hx_status_set_add(&s, "404", err, sizeof(err)), 0);
    assert_matches(&s, "404", 404, 404);
    memset(&s, 0, sizeof(s));
    assert_int_equal(hx_status_set_add(&s, "300-399", err, sizeof(err)), 0);
    assert_matches(&s, "300-399", 300, 399);
    memset(&s, 0, sizeof(s));
    assert_int_equal(hx_status_set_add(&s, "5xx", err, sizeof(err)), 0);
    assert_matches(&s, "5xx", 500, 599);
    assert_false(hx_status_match(&s, -1));
    assert_false(hx_status_match(&s, 100000));
}

static void test_status_lists(void **state)
{
    (void)state;
    hx_status_set_t s;
    char err[200];
    assert_int_equal(hx_status_set_parse(&s, "200-299, 404 ,429", err, sizeof(err)), 0);
    assert_true(hx_status_match(&s, 250));
    assert_true(hx_status_match(&s, 404));
    assert_true(hx_status_match(&s, 429));
    assert_false(hx_status_match(&s, 403));
    assert_false(hx_status_match(&s, 500));
    assert_int_equal(s.nitems, 3);
    static const char *const bad[] = {"",     "200,", ",200", "99",  "600", "2000",    "abc", "299-200",
                                      "200-", "-200", "6xx",  "0xx", "20x", "200-600", "1e2"};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        if (hx_status_set_parse(&s, bad[i], err, sizeof(err)) != -1) {
            print_error("\"%s\" parsed\n", bad[i]);
            fail();
        }
    }
    assert_int_equal(hx_status_set_parse(&s, "700", err, sizeof(err)), -1);
    assert_string_equal(err, "\"700\": expected a status from 100 to 599, a range like 200-299 or a class like 2xx");
}

/* At most HX_HTTP_STATUS_ITEMS_MAX items: the one past it is refused. */
static void test_status_bound(void **state)
{
    (void)state;
    hx_status_set_t s;
    char err[200], list[HX_HTTP_STATUS_ITEMS_MAX * 4 + 8] = "";
    for (int i = 0; i < HX_HTTP_STATUS_ITEMS_MAX; i++)
        snprintf(list + strlen(list), sizeof(list) - strlen(list), "%s%d", i ? "," : "", 200 + i);
    assert_int_equal(hx_status_set_parse(&s, list, err, sizeof(err)), 0);
    strcat(list, ",500");
    assert_int_equal(hx_status_set_parse(&s, list, err, sizeof(err)), -1);
    assert_string_equal(err, "more than 32 statuses or ranges");
}

static void test_paths(void **state)
{
    (void)state;
    char err[200];
    assert_int_equal(hx_http_check_path("/v1/models?limit=5", err, sizeof(err)), 0);
    assert_int_equal(hx_http_check_path("https://127.0.0.1:8443/x", err, sizeof(err)), 0);
    assert_int_equal(hx_http_check_path("http://[::1]:80/", err, sizeof(err)), 0);
    assert_int_equal(hx_http_check_path("", err, sizeof(err)), -1);
    assert_int_equal(hx_http_check_path("ftp://h/x", err, sizeof(err)), -1);
    assert_int_equal(hx_http_check_path("/x#frag", err, sizeof(err)), -1);
    assert_int_equal(hx_http_check_path("/x\n", err, sizeof(err)), -1);
    assert_int_equal(hx_http_check_path("https://", err, sizeof(err)), -1);
}

static hx_err_t check(const hx_http_t *h, const char *body, bool over, const char **why)
{
    cm_json_toks_t toks = {0};
    hx_err_t e = hx_http_check_body(h, body, strlen(body), over, &toks, why);
    cm_json_toks_free(&toks);
    return e;
}

static void test_checks(void **state)
{
    (void)state;
    hx_http_t h = {0};
    const char *why;
    h.check_json = true;
    assert_int_equal(check(&h, "[1, 2]", false, &why), HX_ERR_NONE);
    assert_int_equal(check(&h, " \"s\" ", false, &why), HX_ERR_NONE);
    assert_int_equal(check(&h, "{\"a\":", false, &why), HX_ERR_BAD_BODY);
    assert_string_equal(why, "the body is not JSON");
    assert_int_equal(check(&h, "", false, &why), HX_ERR_BAD_BODY);
    /* over the cap: a JSON check cannot pass on a part */
    assert_int_equal(check(&h, "{}", true, &why), HX_ERR_BAD_BODY);
    assert_string_equal(why, "the body is over the 1 MiB kept for checks, so it cannot be checked as JSON");
    h.check_json = false;
    h.contains = "\"object\":\"list\"";
    h.contains_len = strlen(h.contains);
    assert_int_equal(check(&h, "{\"object\":\"list\",\"data\":[]}", false, &why), HX_ERR_NONE);
    assert_int_equal(check(&h, "{\"object\": \"list\"}", false, &why), HX_ERR_BAD_BODY);
    assert_string_equal(why, "the body does not contain the expected text");
    assert_int_equal(check(&h, "", false, &why), HX_ERR_BAD_BODY);
    /* over the cap: found in the part kept passes, else says where it looked */
    assert_int_equal(check(&h, "xx\"object\":\"list\"", true, &why), HX_ERR_NONE);
    assert_int_equal(check(&h, "xx", true, &why), HX_ERR_BAD_BODY);
    assert_string_equal(why, "the body's first 1 MiB (the part kept) does not contain the expected text");
    /* both: each must pass */
    h.check_json = true;
    assert_int_equal(check(&h, "{\"object\":\"list\"}", false, &why), HX_ERR_NONE);
    assert_int_equal(check(&h, "\"object\":\"list\"", false, &why), HX_ERR_BAD_BODY);
    assert_true(hx_http_checks(&h));
    h.check_json = false;
    h.contains = NULL;
    assert_false(hx_http_checks(&h));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_methods),      cmocka_unit_test(test_status_items), cmocka_unit_test(test_status_lists),
        cmocka_unit_test(test_status_bound), cmocka_unit_test(test_paths),        cmocka_unit_test(test_checks),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
