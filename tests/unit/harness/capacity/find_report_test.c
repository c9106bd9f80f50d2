/* tests/unit/harness/capacity/find_report_test.c — what `soak find` states about the knee, for each way a search
 * ends: the JSON knee (rate, ci, end), the gate with and without --require (and for soak run's search, a
 * measurement), the table's knee and probe lines, and the search's page. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness/capacity/find.h"

static hx_find_opts_t opts;
static hx_search_result_t res;
static hx_probe_record_t runs[2];

static void assert_contains(const char *haystack, const char *needle)
{
    if (strstr(haystack, needle) == NULL) {
        print_error("\"%s\"\n  does not contain \"%s\"\n", haystack, needle);
        fail();
    }
}

static void setup_case(hx_search_end_t end, double lo, double hi)
{
    memset(&opts, 0, sizeof(opts));
    memset(&res, 0, sizeof(res));
    memset(runs, 0, sizeof(runs));
    opts.search = (hx_search_opts_t){
        .start_rate = 50, .min_rate = 5, .max_rate = 1000, .repeats = 1, .precision = 0.05, .max_probes = 30};
    opts.duration_ns = 3000000000ull;
    opts.warmup_ns = 1000000000ull;
    snprintf(opts.target, sizeof(opts.target), "http://127.0.0.1:1/v1");
    hx_expect_default(&opts.slos[0]);
    opts.nslos = 1;
    res.end = end;
    res.lo = lo;
    res.hi = hi;
    res.nsteps = 2;
    runs[0] = (hx_probe_record_t){.rate = 50,
                                  .probe = 0,
                                  .achieved = 50,
                                  .p50_ms = 100.6,
                                  .p99_ms = 102.1,
                                  .failure_rate = 0,
                                  .requests = 100,
                                  .ok = 100,
                                  .pass = true};
    runs[1] = (hx_probe_record_t){.rate = 100,
                                  .probe = 1,
                                  .achieved = 80,
                                  .p50_ms = 559.1,
                                  .p99_ms = NAN,
                                  .failure_rate = NAN,
                                  .saturated = true};
    snprintf(runs[1].why, sizeof(runs[1].why), "saturated: behind, achieved 80.0/s of 100/s");
}

/* Runs fn into a memory buffer and returns it (caller frees). */
static char *capture(int (*fn)(FILE *, const hx_find_outcome_t *), void (*vfn)(FILE *, const hx_find_outcome_t *),
                     const hx_find_outcome_t *f)
{
    char *buf = NULL;
    size_t n = 0;
    FILE *out = open_memstream(&buf, &n);
    assert_non_null(out);
    if (fn != NULL)
        assert_int_equal(fn(out, f), 0);
    else
        vfn(out, f);
    fclose(out);
    return buf;
}

static void test_converged(void **state)
{
    (void)state;
    setup_case(HX_SEARCH_END_CONVERGED, 78.125, 81.25);
    hx_find_outcome_t f = {&opts, &res, runs, 2, true, NULL};
    char *j = capture(hx_find_json, NULL, &f);
    assert_contains(j, "\"knee\":{\"rate\":78.125,\"ci\":[78.125,81.25],\"end\":\"converged\",\"complete\":true");
    assert_contains(j, "\"require\":null");
    assert_contains(j, "\"latency_p99_ms\":null,\"failure_rate\":null");
    assert_contains(j, "\"why\":\"saturated: behind, achieved 80.0/s of 100/s\"");
    assert_contains(j, "\"verdict\":\"pass\"");
    free(j);
    char *t = capture(NULL, hx_find_table, &f);
    assert_contains(t, "Knee: 78.125/s, in [78.125/s, 81.25/s) (converged; the bracket is 3.8% of its top)");
    assert_contains(t, "  2           100       80.0   559.1ms         -       -  FAIL saturated: behind");
    assert_contains(t, "  1            50       50.0   100.6ms   102.1ms   0.00%  pass\n");
    assert_contains(t, "SLOs: failure_rate <= 1% (default); and no over-saturation");
    free(t);
    assert_true(hx_find_gate(&f));
    opts.require_set = true;
    opts.require = 78.125;
    assert_true(hx_find_gate(&f)); /* at least RATE: equal passes */
    opts.require = 79;
    assert_false(hx_find_gate(&f));
    t = capture(NULL, hx_find_table, &f);
    assert_contains(t, "Gate: knee >= 79/s: FAIL");
    free(t);
    j = capture(hx_find_json, NULL, &f);
    assert_contains(j, "\"require\":{\"rate\":79,\"pass\":false}");
    assert_contains(j, "\"verdict\":\"fail\"");
    free(j);
}

static void test_above_max(void **state)
{
    (void)state;
    setup_case(HX_SEARCH_END_ABOVE_MAX, 1000, 0);
    hx_find_outcome_t f = {&opts, &res, runs, 2, true, NULL};
    char *j = capture(hx_find_json, NULL, &f);
    assert_contains(j, "\"knee\":{\"rate\":1000,\"ci\":[1000,null],\"end\":\"above-max-rate\"");
    free(j);
    char *t = capture(NULL, hx_find_table, &f);
    assert_contains(t, "Knee: at least 1000/s (above-max-rate: no probed rate failed; raise --max-rate)");
    free(t);
    assert_true(hx_find_gate(&f));
}

static void test_below_min(void **state)
{
    (void)state;
    setup_case(HX_SEARCH_END_BELOW_MIN, 0, 5);
    hx_find_outcome_t f = {&opts, &res, runs, 2, true, NULL};
    char *j = capture(hx_find_json, NULL, &f);
    assert_contains(j, "\"knee\":{\"rate\":null,\"ci\":[0,5],\"end\":\"below-min-rate\"");
    assert_contains(j, "\"verdict\":\"fail\"");
    free(j);
    char *t = capture(NULL, hx_find_table, &f);
    assert_contains(t, "Knee: none found: every rate probed failed, down to 5/s (below-min-rate)");
    free(t);
    assert_false(hx_find_gate(&f)); /* without a gate, a search that found nothing fails (soak run's too) */
    opts.require_set = true;
    opts.require = 0.001;
    assert_false(hx_find_gate(&f)); /* no knee never meets a gate */
}

static void test_incomplete(void **state)
{
    (void)state;
    setup_case(HX_SEARCH_END_STOPPED, 50, 100);
    hx_find_outcome_t f = {&opts, &res, runs, 2, false, NULL};
    char *j = capture(hx_find_json, NULL, &f);
    assert_contains(j, "\"end\":\"stopped\",\"complete\":false");
    assert_contains(j, "\"verdict\":\"fail\"");
    free(j);
    char *t = capture(NULL, hx_find_table, &f);
    assert_contains(t, "Search stopped early (error or interrupt): Knee: 50/s, in [50/s, 100/s) (stopped;");
    free(t);
}

/* The search's page: every probe linked to its own report, the knee under the table, a chart per run. */
static void test_page(void **state)
{
    (void)state;
    static hx_probe_series_t series[2];
    setup_case(HX_SEARCH_END_CONVERGED, 50, 100);
    opts.reports_dir = "reports";
    for (size_t i = 0; i < 2; i++) {
        series[i] = (hx_probe_series_t){.n = 2, .end_s = 3};
        series[i].t_s[0] = 1;
        series[i].t_s[1] = 2;
        series[i].p50_ms[0] = series[i].p50_ms[1] = 100;
        series[i].p99_ms[0] = series[i].p99_ms[1] = 120;
    }
    hx_find_outcome_t f = {&opts, &res, runs, 2, true, series};
    char *p = capture(hx_find_page, NULL, &f);
    assert_contains(p, "<title>soak find</title>");
    assert_contains(p, "<a href=\"probe-001-1.html\">probe-001-1</a>");
    assert_contains(p, "<a href=\"probe-002-1.html\">probe-002-1</a>");
    assert_contains(p, "Knee: 50/s, in [50/s, 100/s) (converged;");
    assert_contains(p, "probe 2: 100/s, latency");
    size_t charts = 0;
    for (const char *at = p; (at = strstr(at, "<svg ")) != NULL; at++)
        charts++;
    assert_int_equal(charts, 2);
    free(p);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_converged),
        cmocka_unit_test(test_above_max),
        cmocka_unit_test(test_below_min),
        cmocka_unit_test(test_incomplete),
        cmocka_unit_test(test_page),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
