/* tests/unit/harness/report/report_hists_test.c — the JSON summary's "histograms": every one reads back
 * (common/hist_json.h) as exactly the run's histogram, its percentiles are the summary's own, and each is
 * present exactly when the summary field it backs is. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "harness/report/report.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/hist_json.h"
#include "common/json.h"

#define MS 1000000ull

typedef struct fixture {
    hx_stats_t total;
    hx_run_info_t info;
    hx_report_t report;
    char *json;
    cm_json_toks_t toks;
    cm_json_doc_t doc;
    uint32_t hists;
} fixture_t;

/* One request of latency_us from its intended time; a stream when tokens > 0. */
static void rec(hx_stats_t *s, uint64_t latency_us, hx_err_t err, uint32_t tokens)
{
    static const uint32_t gaps[] = {700, 900};
    hx_result_t r;
    memset(&r, 0, sizeof(r));
    r.intended = 1000 * MS;
    r.sent = r.intended + 30000;
    r.done = r.intended + latency_us * 1000;
    r.first_byte = r.sent + 1000;
    r.err = err;
    r.status = err == HX_ERR_NONE ? 200 : 500;
    r.stream = tokens > 0;
    r.first_token = r.first_output = tokens ? r.first_byte + 2000 : 0;
    r.last_token = r.last_output = tokens ? r.done - 1000 : 0;
    r.tokens = r.chunks = tokens;
    r.usage_tokens = -1;
    r.gaps = tokens ? gaps : NULL;
    r.ngaps = tokens ? 2 : 0;
    r.mock_service_ms = r.gateway_overhead_ms = HX_NO_VALUE;
    hx_stats_record(s, &r);
    hx_stats_record_sent(s, r.intended, r.sent);
}

static fixture_t *make(bool streams, int n)
{
    fixture_t *f = calloc(1, sizeof(*f));
    assert_non_null(f);
    hx_stats_init(&f->total);
    for (int i = 0; i < n; i++)
        rec(&f->total, 5000 + (uint64_t)i * 997 % 400000, i % 10 == 3 ? HX_ERR_HTTP_5XX : HX_ERR_NONE,
            streams && i % 2 ? 3 : 0);
    f->info.scenario = "hists";
    f->info.duration_s = f->info.judged_s = f->info.planned_s = 10;
    f->report.info = &f->info;
    f->report.total = &f->total;
    f->report.pass = true;
    FILE *fp = tmpfile();
    assert_non_null(fp);
    assert_int_equal(hx_report_json(fp, &f->report), 0);
    long len = ftell(fp);
    rewind(fp);
    f->json = malloc((size_t)len + 1);
    assert_int_equal(fread(f->json, 1, (size_t)len, fp), (size_t)len);
    fclose(fp);
    char err[160];
    if (cm_json_parse(&f->doc, f->json, (size_t)len, &f->toks, err, sizeof(err)) != 0)
        fail_msg("the summary does not parse: %s", err);
    f->hists = cm_json_get(&f->doc, 0, "histograms");
    assert_int_not_equal(f->hists, 0);
    return f;
}

static void release(fixture_t *f)
{
    cm_json_toks_free(&f->toks);
    free(f->json);
    free(f);
}

/* The summary's histogram `key` read back must be *want, bucket for bucket. */
static void assert_exported(fixture_t *f, const char *key, const char *unit, const cm_hist_t *want)
{
    static cm_hist_t got;
    char err[256];
    uint32_t layout = cm_json_get(&f->doc, f->hists, "layout");
    if (cm_hist_from_json(&f->doc, layout, cm_json_get(&f->doc, f->hists, key), unit, &got, err, sizeof(err)) != 0)
        fail_msg("histograms.%s: %s", key, err);
    if (memcmp(&got, want, sizeof(got)) != 0)
        fail_msg("histograms.%s (count %llu) is not the run's (count %llu)", key, (unsigned long long)got.count,
                 (unsigned long long)want->count);
}

/* The summary's `field`.p99 is the p99 of the exported histogram `key`, in ms. */
static void assert_same_p99(fixture_t *f, const char *field, const cm_hist_t *h)
{
    double p99;
    uint32_t obj = cm_json_get(&f->doc, 0, field);
    assert_int_equal(cm_json_double(&f->doc, cm_json_get(&f->doc, obj, "p99"), &p99), 0);
    assert_true(fabs(p99 - (double)cm_hist_percentile(h, 99) / 1000.0) < 0.0005);
}

static void test_every_histogram_reads_back(void **state)
{
    (void)state;
    fixture_t *f = make(true, 3000);
    const hx_stats_t *t = &f->total;
    assert_exported(f, "latency", "us", &t->latency);
    assert_exported(f, "service", "us", &t->service);
    assert_exported(f, "latency_all", "us", &t->latency_all);
    assert_exported(f, "ttfb", "us", &t->ttfb);
    assert_exported(f, "ttft", "us", &t->ttft);
    assert_exported(f, "itl", "us", &t->itl);
    assert_exported(f, "ttlt", "us", &t->ttlt);
    assert_exported(f, "tpot", "us", &t->tpot);
    assert_exported(f, "tpot_incl_first", "us", &t->tpot_incl_first);
    assert_exported(f, "pacer_lag", "us", &t->pacer_lag);
    assert_exported(f, "output_tokens_per_s", "milli_tokens_per_s", &t->otps);
    assert_true(t->latency.count == 2700 && t->ttft.count == 1500 && t->otps.count > 0);
    assert_same_p99(f, "latency_ms", &t->latency);
    assert_same_p99(f, "ttft_ms", &t->ttft);
    release(f);
}

/* Without streams or mock headers, the histograms whose summary fields are absent are absent too; the
 * always-present ones are there, empty when nothing was measured. */
static void test_presence_follows_the_summary(void **state)
{
    (void)state;
    static const char *const optional[] = {"ttfb",
                                           "ttft",
                                           "itl",
                                           "icl",
                                           "ttfrt",
                                           "tpot",
                                           "ttlt",
                                           "tpot_incl_first",
                                           "gateway_overhead",
                                           "litellm_overhead",
                                           "mock_service"};
    fixture_t *f = make(false, 0);
    for (size_t i = 0; i < sizeof(optional) / sizeof(optional[0]); i++)
        if (cm_json_get(&f->doc, f->hists, optional[i]) != 0)
            fail_msg("histograms.%s written without data", optional[i]);
    assert_exported(f, "latency", "us", &f->total.latency);
    assert_exported(f, "latency_all", "us", &f->total.latency_all);
    assert_exported(f, "output_tokens_per_s", "milli_tokens_per_s", &f->total.otps);
    assert_int_equal(f->total.latency.count, 0);
    release(f);
    f = make(false, 100); /* requests without streams: a first byte, no token */
    assert_exported(f, "ttfb", "us", &f->total.ttfb);
    assert_int_equal(cm_json_get(&f->doc, f->hists, "ttft"), 0);
    assert_int_equal(cm_json_get(&f->doc, 0, "ttft_ms"), 0);
    release(f);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_every_histogram_reads_back),
        cmocka_unit_test(test_presence_follows_the_summary),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
