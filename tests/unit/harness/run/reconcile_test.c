/* tests/unit/harness/run/reconcile_test.c — both sides of every deployment: the mock's Prometheus counters
 * summed per deployment (requests by status, 429s, faults; other deployments and other metrics ignored),
 * soak's attempts from a run's totals (with retried attempts and answers naming no deployment), the table's
 * verdict and deployments.json. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "harness/run/reconcile.h"

static const char metrics[] = "# HELP mock_requests_total requests\n"
                              "mock_requests_total{deployment=\"a\",api=\"chat\",model=\"m\",status=\"200\"} 6\n"
                              "mock_requests_total{deployment=\"a\",api=\"chat\",model=\"m\",status=\"429\"} 1\n"
                              "mock_requests_total{deployment=\"ab\",api=\"chat\",model=\"m\",status=\"200\"} 100\n"
                              "mock_requests_total{deployment=\"b\",api=\"chat\",model=\"m\",status=\"200\"} 30\n"
                              "mock_requests_total{deployment=\"b\",api=\"chat\",model=\"n\",status=\"500\"} 4\n"
                              "mock_faults_total{deployment=\"b\",kind=\"http_error\"} 4\n"
                              "mock_faults_total{deployment=\"b\",kind=\"stall\"} 0\n"
                              "mock_inflight_requests{deployment=\"a\"} 3\n"
                              "mock_requests_total{deployment=\"a\",status=\"200\"\n" /* cut: ignored */
                              "mock_open_connections 2";

static void test_parse(void **state)
{
    (void)state;
    hx_dep_counts_t d[3] = {{.name = "a"}, {.name = "b"}, {.name = "c"}};
    hx_reconcile_parse(metrics, strlen(metrics), d, 3);
    assert_true(d[0].mock_seen);
    assert_int_equal(d[0].mock_requests, 7);
    assert_int_equal(d[0].mock_2xx, 6);
    assert_int_equal(d[0].mock_429, 1);
    assert_int_equal(d[1].mock_requests, 34);
    assert_int_equal(d[1].mock_2xx, 30);
    assert_int_equal(d[1].mock_faults, 4);
    assert_false(d[2].mock_seen);
}

static void test_soak_side_and_verdict(void **state)
{
    (void)state;
    hx_stats_t *t = calloc(1, sizeof(*t));
    hx_stats_init(t);
    hx_result_t r = {.status = 200, .err = HX_ERR_NONE, .deployment = "a", .deployment_len = 1};
    for (int i = 0; i < 6; i++)
        hx_stats_record(t, &r);
    r.status = 429;
    r.err = HX_ERR_HTTP_429;
    hx_stats_record_retry(t, &r); /* a refused one, sent on to b */
    r = (hx_result_t){.status = 200, .err = HX_ERR_NONE, .deployment = "b", .deployment_len = 1};
    for (int i = 0; i < 34; i++)
        hx_stats_record(t, &r);
    hx_dep_counts_t d[2] = {{.name = "a"}, {.name = "b"}};
    assert_int_equal(hx_reconcile_soak(t, d, 2), 0);
    assert_int_equal(d[0].soak_attempts, 7);
    assert_int_equal(d[0].soak_429, 1);
    assert_int_equal(d[1].soak_ok, 34);
    d[0].mock_requests = 7;
    d[0].mock_429 = 1;
    d[1].mock_requests = 34;
    FILE *f = tmpfile();
    assert_true(hx_reconcile_print(f, d, 2, 0, 0));
    /* a request that got no answer naming a deployment (connection refused) is unattributed */
    r = (hx_result_t){.status = 0, .err = HX_ERR_CONNECT_REFUSED};
    hx_stats_record(t, &r);
    assert_int_equal(hx_reconcile_soak(t, d, 2), 1);
    d[1].mock_requests = 35; /* the mock saw one soak did not: explained by the unattributed one */
    assert_true(hx_reconcile_print(f, d, 2, 1, 0));
    d[1].mock_requests = 36; /* two more than soak can account for */
    assert_false(hx_reconcile_print(f, d, 2, 1, 0));
    d[1].mock_requests = 35;
    d[0].mock_requests = 6; /* soak saw an answer the mock never counted */
    assert_false(hx_reconcile_print(f, d, 2, 1, 0));
    d[0].mock_requests = 7;
    fclose(f);
    char path[] = "/tmp/reconcile_test.XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    assert_int_equal(hx_reconcile_write(path, d, 2, 1, 0, false), 0);
    char buf[1024] = "";
    FILE *in = fopen(path, "r");
    assert_non_null(in);
    size_t n = fread(buf, 1, sizeof(buf) - 1, in);
    buf[n] = '\0';
    fclose(in);
    unlink(path);
    assert_non_null(
        strstr(buf, "\"a\":{\"soak\":{\"attempts\":7,\"ok\":6,\"rate_limited\":1},\"mock\":{\"requests\":7,"));
    assert_non_null(strstr(buf, "\"agree\":false}},\"unattributed\":1,\"generic\":0,\"reconciled\":false}"));
    free(t);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_parse),
        cmocka_unit_test(test_soak_side_and_verdict),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
