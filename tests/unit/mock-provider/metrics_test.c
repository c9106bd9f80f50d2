/* tests/unit/mock-provider/metrics_test.c — Prometheus rendering of counters, gauges and histograms summed
 * over threads, the bounded model label, label escaping, the exposition syntax, and writers running
 * while a scrape reads. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "mock-provider/metrics.h"

#include "faults/fault.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/clock.h"
#include "mock-provider/provider.h"

static char *models_a[] = {"m1", "m2"};

static void make_deps(mp_deployment_t *deps)
{
    memset(deps, 0, 2 * sizeof(*deps));
    deps[0].name = "a";
    deps[0].index = 0;
    deps[0].models = models_a;
    deps[0].nmodels = 2;
    deps[1].name = "b";
    deps[1].index = 1;
}

static void expect_line(const char *text, const char *line)
{
    char want[512];
    snprintf(want, sizeof(want), "\n%s\n", line);
    if (strstr(text, want) == NULL)
        fail_msg("missing line \"%s\" in:\n%s", line, text);
}

static void expect_no(const char *text, const char *part)
{
    if (strstr(text, part) != NULL)
        fail_msg("unexpected \"%s\" in:\n%s", part, text);
}

static size_t count(const char *text, const char *part)
{
    size_t n = 0;
    for (const char *p = strstr(text, part); p != NULL; p = strstr(p + 1, part))
        n++;
    return n;
}

static void render(mp_metrics_t *m, cm_buf_t *out)
{
    cm_buf_reset(out);
    cm_buf_putc(out, '\n'); /* so that expect_line also matches the first line */
    mp_metrics_render(m, out);
}

static void test_counters_and_gauges(void **state)
{
    mp_deployment_t deps[2];
    make_deps(deps);
    mp_metrics_t *m = mp_metrics_create(deps, 2, 2);
    mp_tmetrics_t *t0 = mp_metrics_thread(m, 0), *t1 = mp_metrics_thread(m, 1);
    mp_metrics_request(t0, 0, MP_API_CHAT, 0, 200);
    mp_metrics_request(t0, 0, MP_API_CHAT, 0, 200);
    mp_metrics_request(t1, 0, MP_API_CHAT, 0, 200);
    mp_metrics_request(t1, 0, MP_API_CHAT, 1, 400);
    mp_metrics_request(t0, 0, MP_METRICS_API_UNKNOWN, MP_SLOT_NONE, 404);
    mp_metrics_request(t0, 0, MP_API_CHAT, MP_SLOT_OTHER, 404);
    mp_metrics_request(t1, 0, MP_API_CHAT, 7, 418); /* an out-of-range slot counts as other */
    uint32_t slot = mp_metrics_model_slot(m, 1, "text-emb", 8);
    mp_metrics_request(t1, 1, MP_API_EMBEDDINGS, slot, 200);
    mp_metrics_inflight(t0, 0, 1);
    mp_metrics_inflight(t0, 0, 1);
    mp_metrics_inflight(t1, 0, 1);
    mp_metrics_inflight(t0, 0, -1);
    mp_metrics_connections(t0, 3);
    mp_metrics_connections(t0, -1);
    mp_metrics_connections(t1, 1);
    mp_metrics_fault(t0, 0, FX_STALL);
    mp_metrics_fault(t1, 0, FX_STALL);
    mp_metrics_fault(t1, 1, FX_HTTP_ERROR);
    mp_metrics_fault(t1, 1, FX_KIND_COUNT); /* out of range: ignored */
    assert_int_equal(mp_metrics_thread_inflight(t0), 1);
    assert_int_equal(mp_metrics_thread_inflight(t1), 1);

    cm_buf_t out = CM_BUF_INIT;
    render(m, &out);
    expect_line(out.data, "# TYPE mock_requests_total counter");
    expect_line(out.data, "mock_requests_total{deployment=\"a\",api=\"chat\",model=\"m1\",status=\"200\"} 3");
    expect_line(out.data, "mock_requests_total{deployment=\"a\",api=\"chat\",model=\"m2\",status=\"400\"} 1");
    expect_line(out.data, "mock_requests_total{deployment=\"a\",api=\"unknown\",model=\"\",status=\"404\"} 1");
    expect_line(out.data, "mock_requests_total{deployment=\"a\",api=\"chat\",model=\"other\",status=\"404\"} 1");
    expect_line(out.data, "mock_requests_total{deployment=\"a\",api=\"chat\",model=\"other\",status=\"other\"} 1");
    expect_line(out.data,
                "mock_requests_total{deployment=\"b\",api=\"embeddings\",model=\"text-emb\",status=\"200\"} 1");
    assert_int_equal(count(out.data, "mock_requests_total{"), 6); /* zero series are not written */
    expect_line(out.data, "# TYPE mock_inflight_requests gauge");
    expect_line(out.data, "mock_inflight_requests{deployment=\"a\"} 2");
    expect_line(out.data, "mock_inflight_requests{deployment=\"b\"} 0");
    expect_line(out.data, "# TYPE mock_open_connections gauge");
    expect_line(out.data, "mock_open_connections 3");
    expect_no(out.data, "rate_limited");
    /* Every kind has a series per deployment, summed over the threads. */
    expect_line(out.data, "# TYPE mock_faults_total counter");
    expect_line(out.data, "mock_faults_total{deployment=\"a\",kind=\"stall\"} 2");
    expect_line(out.data, "mock_faults_total{deployment=\"a\",kind=\"http_error\"} 0");
    expect_line(out.data, "mock_faults_total{deployment=\"b\",kind=\"http_error\"} 1");
    assert_int_equal(count(out.data, "mock_faults_total{"), 2 * FX_KIND_COUNT);
    cm_buf_free(&out);
    mp_metrics_free(m);
}

static void test_histograms(void **state)
{
    mp_deployment_t deps[2];
    make_deps(deps);
    mp_metrics_t *m = mp_metrics_create(deps, 2, 2);
    mp_tmetrics_t *t0 = mp_metrics_thread(m, 0), *t1 = mp_metrics_thread(m, 1);
    mp_metrics_latency(t0, 0, MP_LAT_TTFT, 200 * CM_NS_PER_MS);
    mp_metrics_latency(t1, 0, MP_LAT_TTFT, 210 * CM_NS_PER_MS);
    mp_metrics_latency(t1, 0, MP_LAT_ITL, 0);
    mp_metrics_latency(t1, 0, MP_LAT_ITL, 20 * CM_NS_PER_MS);
    mp_metrics_latency(t0, 1, MP_LAT_RESPONSE, 1500 * CM_NS_PER_MS);
    mp_metrics_latency(t0, 1, MP_LAT_LATENESS, 150 * CM_NS_PER_US);
    mp_metrics_latency(t1, 1, MP_LAT_LATENESS, 1500 * CM_NS_PER_US);
    cm_buf_t out = CM_BUF_INIT;
    render(m, &out);
    expect_line(out.data, "# TYPE mock_ttft_seconds histogram");
    expect_line(out.data, "mock_ttft_seconds_bucket{deployment=\"a\",le=\"0.1\"} 0");
    expect_line(out.data, "mock_ttft_seconds_bucket{deployment=\"a\",le=\"0.25\"} 2");
    expect_line(out.data, "mock_ttft_seconds_bucket{deployment=\"a\",le=\"+Inf\"} 2");
    expect_line(out.data, "mock_ttft_seconds_sum{deployment=\"a\"} 0.410000");
    expect_line(out.data, "mock_ttft_seconds_count{deployment=\"a\"} 2");
    expect_line(out.data, "mock_ttft_seconds_count{deployment=\"b\"} 0");
    expect_line(out.data, "mock_itl_seconds_bucket{deployment=\"a\",le=\"0.0005\"} 1");
    expect_line(out.data, "mock_itl_seconds_bucket{deployment=\"a\",le=\"0.025\"} 2");
    expect_line(out.data, "mock_itl_seconds_sum{deployment=\"a\"} 0.020000");
    expect_line(out.data, "mock_response_seconds_bucket{deployment=\"b\",le=\"1\"} 0");
    expect_line(out.data, "mock_response_seconds_bucket{deployment=\"b\",le=\"2.5\"} 1");
    expect_line(out.data, "mock_response_seconds_count{deployment=\"b\"} 1");
    expect_line(out.data, "mock_response_seconds_count{deployment=\"a\"} 0");
    assert_int_equal(count(out.data, "# TYPE mock_response_seconds histogram"), 1);
    expect_line(out.data, "mock_timer_lateness_seconds_bucket{deployment=\"b\",le=\"0.0001\"} 0");
    expect_line(out.data, "mock_timer_lateness_seconds_bucket{deployment=\"b\",le=\"0.00025\"} 1");
    expect_line(out.data, "mock_timer_lateness_seconds_bucket{deployment=\"b\",le=\"0.001\"} 1");
    expect_line(out.data, "mock_timer_lateness_seconds_bucket{deployment=\"b\",le=\"0.002\"} 2");
    expect_line(out.data, "mock_timer_lateness_seconds_count{deployment=\"b\"} 2");
    /* 21 finite buckets + Inf per deployment and histogram */
    assert_int_equal(count(out.data, "mock_itl_seconds_bucket{"), 2 * 22);
    cm_buf_free(&out);
    mp_metrics_free(m);
}

/* Every line is a comment or `name{labels} value` / `name value`, with a numeric value. */
static void test_exposition_syntax(void **state)
{
    mp_deployment_t deps[2];
    make_deps(deps);
    mp_metrics_t *m = mp_metrics_create(deps, 2, 1);
    mp_tmetrics_t *t = mp_metrics_thread(m, 0);
    mp_metrics_request(t, 1, MP_API_RESPONSES, MP_SLOT_NONE, 401);
    mp_metrics_latency(t, 1, MP_LAT_RESPONSE, 5 * CM_NS_PER_MS);
    cm_buf_t out = CM_BUF_INIT;
    mp_metrics_render(m, &out);
    assert_true(out.len > 0);
    assert_int_equal(out.data[out.len - 1], '\n');
    char *save = NULL;
    for (char *line = strtok_r(out.data, "\n", &save); line != NULL; line = strtok_r(NULL, "\n", &save)) {
        if (strncmp(line, "# HELP mock_", 12) == 0 || strncmp(line, "# TYPE mock_", 12) == 0)
            continue;
        if (strncmp(line, "mock_", 5) != 0)
            fail_msg("bad line: %s", line);
        char *sp = strrchr(line, ' ');
        assert_non_null(sp);
        char *end;
        strtod(sp + 1, &end);
        if (*end != '\0' || end == sp + 1)
            fail_msg("value is not a number: %s", line);
        char *brace = strchr(line, '{');
        if (brace != NULL && (brace > sp || sp[-1] != '}'))
            fail_msg("bad labels: %s", line);
    }
    cm_buf_free(&out);
    mp_metrics_free(m);
}

static void test_model_label_is_bounded(void **state)
{
    mp_deployment_t deps[2];
    make_deps(deps);
    mp_metrics_t *m = mp_metrics_create(deps, 2, 1);
    char name[32];
    for (int i = 0; i < MP_METRICS_AUTO_MODELS + 8; i++) {
        int n = snprintf(name, sizeof(name), "model-%d", i);
        uint32_t slot = mp_metrics_model_slot(m, 1, name, (size_t)n);
        if (i < MP_METRICS_AUTO_MODELS)
            assert_int_equal(slot, (uint32_t)i);
        else
            assert_int_equal(slot, MP_SLOT_OTHER);
    }
    assert_int_equal(mp_metrics_model_slot(m, 1, "model-3", 7), 3);
    mp_metrics_t *m2 = mp_metrics_create(deps, 2, 1);
    assert_int_equal(mp_metrics_model_slot(m2, 1, "a\"b", 3), MP_SLOT_OTHER);
    assert_int_equal(mp_metrics_model_slot(m2, 1, "a\\u0041", 7), MP_SLOT_OTHER);
    char longname[MP_METRICS_MODEL_LABEL_MAX + 1];
    memset(longname, 'x', sizeof(longname));
    assert_int_equal(mp_metrics_model_slot(m2, 1, longname, sizeof(longname)), MP_SLOT_OTHER);
    assert_int_equal(mp_metrics_model_slot(m2, 1, "ok", 2), 0); /* rejected names took no slot */
    mp_metrics_request(mp_metrics_thread(m2, 0), 1, MP_API_CHAT, 0, 200);
    cm_buf_t out = CM_BUF_INIT;
    render(m2, &out);
    expect_line(out.data, "mock_requests_total{deployment=\"b\",api=\"chat\",model=\"ok\",status=\"200\"} 1");
    cm_buf_free(&out);
    mp_metrics_free(m2);
    mp_metrics_free(m);
}

static void test_label_escaping(void **state)
{
    mp_deployment_t deps[2];
    make_deps(deps);
    deps[1].name = "q\"b\\s\nn";
    mp_metrics_t *m = mp_metrics_create(deps, 2, 1);
    cm_buf_t out = CM_BUF_INIT;
    render(m, &out);
    expect_line(out.data, "mock_inflight_requests{deployment=\"q\\\"b\\\\s\\nn\"} 0");
    cm_buf_free(&out);
    mp_metrics_free(m);
}

/* Writers on two threads while the main thread scrapes: every scrape parses and the final totals are
 * exact. (Run under the sanitizer build too.) */
typedef struct writer_arg {
    mp_metrics_t *m;
    uint32_t thread;
} writer_arg_t;

#define WRITES 200000

static void *writer(void *p)
{
    writer_arg_t *a = p;
    mp_tmetrics_t *t = mp_metrics_thread(a->m, a->thread);
    char name[16];
    for (int i = 0; i < WRITES; i++) {
        int n = snprintf(name, sizeof(name), "x%d", i % 40);
        uint32_t slot = mp_metrics_model_slot(a->m, 1, name, (size_t)n);
        mp_metrics_request(t, 1, MP_API_CHAT, slot, 200);
        mp_metrics_latency(t, 1, MP_LAT_RESPONSE, (uint64_t)(i % 1000) * CM_NS_PER_US);
    }
    return NULL;
}

static void test_concurrent_writers(void **state)
{
    mp_deployment_t deps[2];
    make_deps(deps);
    mp_metrics_t *m = mp_metrics_create(deps, 2, 2);
    pthread_t th[2];
    writer_arg_t args[2] = {{m, 0}, {m, 1}};
    for (int i = 0; i < 2; i++)
        assert_int_equal(pthread_create(&th[i], NULL, writer, &args[i]), 0);
    cm_buf_t out = CM_BUF_INIT;
    for (int i = 0; i < 20; i++)
        render(m, &out);
    for (int i = 0; i < 2; i++)
        pthread_join(th[i], NULL);
    render(m, &out);
    char line[128];
    snprintf(line, sizeof(line), "mock_response_seconds_count{deployment=\"b\"} %d", 2 * WRITES);
    expect_line(out.data, line);
    /* 32 names were tracked, 8 went to "other": sum the chat series to check nothing was lost. */
    unsigned long long total = 0;
    for (const char *p = strstr(out.data, "api=\"chat\""); p != NULL; p = strstr(p + 1, "api=\"chat\"")) {
        const char *sp = strchr(p, '}');
        total += strtoull(sp + 2, NULL, 10);
    }
    assert_int_equal(total, 2 * WRITES);
    assert_int_equal(count(out.data, "model=\"other\""), 1);
    cm_buf_free(&out);
    mp_metrics_free(m);
}

/* Checks every histogram of one scrape: cumulative buckets never decrease, and +Inf equals _count and is
 * at least every finite bucket. */
static void check_histograms(const char *text)
{
    unsigned long long prev = 0;
    for (const char *p = strstr(text, "_bucket{"); p != NULL; p = strstr(p, "_bucket{")) {
        char line[256];
        const char *eol = strchr(p, '\n');
        assert_non_null(eol);
        snprintf(line, sizeof(line), "%.*s", (int)(eol - p), p);
        unsigned long long v = strtoull(strrchr(line, ' ') + 1, NULL, 10);
        if (strstr(line, "le=\"0.0001\"") == NULL && v < prev)
            fail_msg("bucket %llu below the previous one %llu: %s", v, prev, line);
        prev = v;
        if (strstr(line, "le=\"+Inf\"") != NULL) {
            const char *count = strstr(eol, "_count{");
            assert_non_null(count);
            unsigned long long c = strtoull(strchr(count, '}') + 2, NULL, 10);
            if (c != v)
                fail_msg("+Inf %llu != _count %llu", v, c);
        }
        p = eol;
    }
}

/* A scrape taken while threads record must show a consistent histogram every time. Before the count was
 * derived from the buckets, a scrape could read a bucket already incremented and a count not yet. The
 * writers record until the scrapes are done (bounded by MAX_LATENCY_WRITES). */
#define MAX_LATENCY_WRITES 50000000
#define SCRAPES 300

typedef struct latency_arg {
    mp_metrics_t *m;
    uint32_t thread;
    int *stop;
    long written;
} latency_arg_t;

static void *latency_writer(void *p)
{
    latency_arg_t *a = p;
    mp_tmetrics_t *t = mp_metrics_thread(a->m, a->thread);
    long i = 0;
    for (; i < MAX_LATENCY_WRITES && !__atomic_load_n(a->stop, __ATOMIC_RELAXED); i++)
        /* Alternately a short and an overlong value: the latter lands in the last internal bucket, the one
         * a scrape reads just before it used to read the count. */
        mp_metrics_latency(t, 0, MP_LAT_TTFT, i % 2 ? 5000 * CM_NS_PER_S : (uint64_t)(i % 5000) * CM_NS_PER_US);
    a->written = i;
    return NULL;
}

static void test_histogram_scrape_consistent(void **state)
{
    mp_deployment_t deps[2];
    make_deps(deps);
    mp_metrics_t *m = mp_metrics_create(deps, 2, 2);
    int stop = 0;
    pthread_t th[2];
    latency_arg_t args[2] = {{m, 0, &stop, 0}, {m, 1, &stop, 0}};
    for (int i = 0; i < 2; i++)
        assert_int_equal(pthread_create(&th[i], NULL, latency_writer, &args[i]), 0);
    cm_buf_t out = CM_BUF_INIT;
    for (int i = 0; i < SCRAPES; i++) {
        render(m, &out);
        check_histograms(out.data);
    }
    __atomic_store_n(&stop, 1, __ATOMIC_RELAXED);
    for (int i = 0; i < 2; i++)
        pthread_join(th[i], NULL);
    render(m, &out);
    check_histograms(out.data);
    char line[128];
    snprintf(line, sizeof(line), "mock_ttft_seconds_count{deployment=\"a\"} %ld", args[0].written + args[1].written);
    expect_line(out.data, line);
    cm_buf_free(&out);
    mp_metrics_free(m);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_counters_and_gauges),
        cmocka_unit_test(test_histograms),
        cmocka_unit_test(test_exposition_syntax),
        cmocka_unit_test(test_model_label_is_bounded),
        cmocka_unit_test(test_label_escaping),
        cmocka_unit_test(test_concurrent_writers),
        cmocka_unit_test(test_histogram_scrape_consistent),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
