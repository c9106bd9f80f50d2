/* tests/unit/harness/measure/stats_test.c — recording results: what goes where, histogram percentiles against
 * exact ones, merge equivalence, ground-truth overheads kept apart, and deployment interning. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "harness/measure/stats.h"

#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MS 1000000ull
#define T0 (1000ull * 1000000000ull) /* an arbitrary monotonic origin */

static uint64_t rnd_state = 42;

static uint64_t rnd(void)
{
    uint64_t z = (rnd_state += UINT64_C(0x9E3779B97F4A7C15));
    z = (z ^ (z >> 30)) * UINT64_C(0xBF58476D1CE4E5B9);
    z = (z ^ (z >> 27)) * UINT64_C(0x94D049BB133111EB);
    return z ^ (z >> 31);
}

static double unit(void)
{
    return (double)(rnd() >> 11) * 0x1.0p-53;
}

static hx_stats_t *new_stats(void)
{
    hx_stats_t *s = malloc(sizeof(*s));
    assert_non_null(s);
    hx_stats_init(s);
    return s;
}

static hx_result_t ok_result(uint64_t intended, uint64_t latency_ns)
{
    hx_result_t r;
    memset(&r, 0, sizeof(r));
    r.status = 200;
    r.intended = intended;
    r.sent = intended;
    r.first_byte = intended + latency_ns / 2;
    r.done = intended + latency_ns;
    r.mock_service_ms = HX_NO_VALUE;
    r.gateway_overhead_ms = HX_NO_VALUE;
    return r;
}

static void test_counts_and_classes(void **state)
{
    (void)state;
    hx_stats_t *s = new_stats();
    hx_result_t r = ok_result(T0, 5 * MS);
    hx_stats_record(s, &r);
    r.status = 429;
    r.err = HX_ERR_HTTP_429;
    hx_stats_record(s, &r);
    r.status = 503;
    r.err = HX_ERR_HTTP_5XX;
    hx_stats_record(s, &r);
    r.status = 0;
    r.err = HX_ERR_CONNECT_REFUSED;
    r.first_byte = 0;
    hx_stats_record(s, &r);
    r.status = 200;
    r.err = HX_ERR_STREAM_NO_DONE;
    hx_stats_record(s, &r);
    assert_int_equal(s->all.total, 5);
    assert_int_equal(s->all.ok, 1);
    assert_int_equal(s->all.failed, 4);
    assert_int_equal(s->all.rate_limited, 1);
    assert_int_equal(s->status[0], 1);
    assert_int_equal(s->status[2], 2);
    assert_int_equal(s->status[4], 1);
    assert_int_equal(s->status[5], 1);
    assert_int_equal(s->errors[HX_ERR_HTTP_429], 1);
    assert_int_equal(s->errors[HX_ERR_HTTP_5XX], 1);
    assert_int_equal(s->errors[HX_ERR_CONNECT_REFUSED], 1);
    assert_int_equal(s->errors[HX_ERR_STREAM_NO_DONE], 1);
    assert_int_equal(s->http_errors[429], 1);
    assert_int_equal(s->http_errors[503], 1);
    assert_int_equal(s->http_errors[200], 0); /* a stream error on a 200 is not an HTTP error */
    assert_int_equal(s->latency.count, 1);    /* successful requests only */
    assert_int_equal(s->service.count, 1);
    assert_int_equal(s->latency_all.count, 5); /* every outcome */
    assert_int_equal(s->ttfb.count, 3);        /* only where a byte arrived */
    free(s);
}

static void test_client_closed_is_not_an_outcome(void **state)
{
    (void)state;
    hx_stats_t *s = new_stats();
    hx_result_t r = ok_result(T0, 5 * MS);
    r.err = HX_ERR_CLIENT_CLOSED;
    r.status = 0;
    r.sent = T0 + 50 * MS; /* would be late, but aborted requests only count as aborted */
    r.deployment = "dep-a";
    r.deployment_len = 5;
    hx_stats_record(s, &r);
    assert_int_equal(s->aborted, 1);
    assert_int_equal(s->errors[HX_ERR_CLIENT_CLOSED], 1);
    assert_int_equal(s->all.total, 0);
    assert_int_equal(s->all.failed, 0);
    assert_int_equal(s->late, 0);
    assert_int_equal(s->latency_all.count, 0);
    assert_int_equal(s->status[0], 0);
    uint32_t d = hx_stats_intern_deployment("dep-a", 5);
    assert_int_equal(s->by_deployment[d].total, 0);
    free(s);
}

/* Dropped arrivals and aborted requests are not outcomes, but they are offered load that did not succeed:
 * failure_rate and the reports count them through hx_stats_offered and hx_stats_unsuccessful. */
static void test_dropped_and_offered(void **state)
{
    (void)state;
    hx_stats_t *s = new_stats();
    hx_result_t r = ok_result(T0, 5 * MS);
    hx_stats_record(s, &r);
    r.err = HX_ERR_HTTP_5XX;
    r.status = 503;
    hx_stats_record(s, &r);
    r.err = HX_ERR_CLIENT_CLOSED;
    r.status = 0;
    hx_stats_record(s, &r);
    for (int i = 0; i < 3; i++)
        hx_stats_record_dropped(s);
    assert_int_equal(s->dropped, 3);
    assert_int_equal(s->errors[HX_ERR_DROPPED], 3);
    assert_int_equal(s->all.total, 2); /* outcomes only */
    assert_int_equal(s->all.failed, 1);
    assert_int_equal(s->status[0], 0);
    assert_int_equal(s->latency_all.count, 2);
    assert_int_equal(hx_stats_offered(s), 6);      /* 2 outcomes + 1 aborted + 3 dropped */
    assert_int_equal(hx_stats_unsuccessful(s), 5); /* 1 failed + 1 aborted + 3 dropped */
    hx_stats_t *m = new_stats();
    hx_stats_merge(m, s);
    hx_stats_merge(m, s);
    assert_int_equal(m->errors[HX_ERR_DROPPED], 6);
    assert_int_equal(hx_stats_offered(m), 12);
    assert_int_equal(hx_stats_unsuccessful(m), 10);
    free(m);
    free(s);
}

static void test_latency_from_intended_service_from_sent(void **state)
{
    (void)state;
    hx_stats_t *s = new_stats();
    hx_result_t r = ok_result(T0, 0);
    r.sent = T0 + 30 * MS; /* the schedule slipped 30 ms */
    r.first_byte = T0 + 40 * MS;
    r.done = T0 + 50 * MS;
    hx_stats_record(s, &r);
    assert_int_equal(s->latency.max, 50000); /* us, from intended */
    assert_int_equal(s->service.max, 20000); /* us, from sent */
    assert_int_equal(s->ttfb.max, 10000);
    assert_int_equal(s->late, 0); /* counted when the request is handed to libcurl, not when it ends */
    free(s);
}

static void test_late_threshold(void **state)
{
    (void)state;
    hx_stats_t *s = new_stats();
    hx_stats_record_sent(s, T0, T0 + HX_LATE_NS); /* exactly on the threshold: not late */
    assert_int_equal(s->late, 0);
    hx_stats_record_sent(s, T0, T0 + HX_LATE_NS + 1);
    assert_int_equal(s->late, 1);
    hx_stats_record_sent(s, T0 + 5 * MS, T0); /* sent early: no lag */
    assert_int_equal(s->late, 1);
    assert_int_equal(s->sent, 3);
    assert_int_equal(s->pacer_lag.count, 3);
    assert_int_equal(s->pacer_lag.min, 0);
    assert_int_equal(s->pacer_lag.max, HX_LATE_NS / 1000 + 0); /* us, rounded down */
    free(s);
}

/* Pacer lag of known sends: 90 on time, 9 two ms late, 1 fifty ms late; merged twice it keeps its shape. */
static void test_pacer_lag_percentiles(void **state)
{
    (void)state;
    hx_stats_t *s = new_stats();
    for (int i = 0; i < 90; i++)
        hx_stats_record_sent(s, T0 + (uint64_t)i * MS, T0 + (uint64_t)i * MS + 20000); /* 20 us */
    for (int i = 0; i < 9; i++)
        hx_stats_record_sent(s, T0, T0 + 2 * MS);
    hx_stats_record_sent(s, T0, T0 + 50 * MS);
    assert_int_equal(s->late, 10);
    assert_int_equal(cm_hist_percentile(&s->pacer_lag, 50), 20);
    uint64_t p99 = cm_hist_percentile(&s->pacer_lag, 99);
    if (p99 < 1980 || p99 > 2020)
        fail_msg("p99 pacer lag %llu us, expected about 2000", (unsigned long long)p99);
    assert_int_equal(s->pacer_lag.max, 50000);
    hx_stats_t *m = new_stats();
    hx_stats_merge(m, s);
    hx_stats_merge(m, s);
    assert_int_equal(m->late, 20);
    assert_int_equal(m->sent, 200);
    assert_int_equal(cm_hist_percentile(&m->pacer_lag, 50), 20);
    free(m);
    free(s);
}

/* CPU samples: busy share per thread-interval, the busiest kept, saturated counted from 90%, short samples
 * added to the totals but not judged; merging sums the counts and keeps the busiest. */
static void test_cpu_samples(void **state)
{
    (void)state;
    hx_stats_t *s = new_stats();
    hx_stats_record_cpu(s, 300 * MS, 1000 * MS);  /* 30% */
    hx_stats_record_cpu(s, 899 * MS, 1000 * MS);  /* 89.9%: not saturated */
    hx_stats_record_cpu(s, 900 * MS, 1000 * MS);  /* 90%: saturated */
    hx_stats_record_cpu(s, 1010 * MS, 1000 * MS); /* the clocks read apart: capped at 100% */
    hx_stats_record_cpu(s, 50 * MS, 50 * MS);     /* 50 ms: too short to judge */
    assert_int_equal(s->cpu_samples, 4);
    assert_int_equal(s->cpu_saturated, 2);
    assert_int_equal(s->cpu_busy_max, 1000);
    assert_int_equal(s->cpu_ns, 3159 * MS);
    assert_int_equal(s->cpu_wall_ns, 4050 * MS);
    hx_stats_t *m = new_stats();
    hx_stats_record_cpu(m, 100 * MS, 1000 * MS);
    hx_stats_merge(m, s);
    assert_int_equal(m->cpu_samples, 5);
    assert_int_equal(m->cpu_saturated, 2);
    assert_int_equal(m->cpu_busy_max, 1000);
    free(m);
    free(s);
}

static void test_stream_timings(void **state)
{
    (void)state;
    hx_stats_t *s = new_stats();
    hx_result_t r = ok_result(T0, 0);
    r.stream = true;
    r.sent = T0 + 2 * MS;
    r.first_byte = T0 + 10 * MS;
    r.first_token = T0 + 100 * MS;
    r.last_token = T0 + 900 * MS;
    r.done = T0 + 901 * MS;
    r.tokens = 40;
    hx_stats_record(s, &r);
    hx_stats_record_icl(s, 20 * MS);
    hx_stats_record_icl(s, 1500); /* 1.5 us: sub-microsecond part truncated */
    assert_int_equal(s->ttft.count, 1);
    assert_int_equal(s->ttft.max, 100000);
    assert_int_equal(s->ttlt.max, 900000);
    assert_int_equal(s->icl.count, 2);
    assert_int_equal(s->icl.max, 20000);
    assert_int_equal(s->icl.min, 1);
    assert_int_equal(s->tokens, 40);
    /* A stream that broke after its first token still has a real TTFT; a non-stream has none. */
    r.err = HX_ERR_STREAM_TRUNCATED;
    r.last_token = 0;
    hx_stats_record(s, &r);
    assert_int_equal(s->ttft.count, 2);
    assert_int_equal(s->ttlt.count, 1);
    r.stream = false;
    r.err = HX_ERR_NONE;
    hx_stats_record(s, &r);
    assert_int_equal(s->ttft.count, 2);
    free(s);
}

static void test_overheads_are_kept_apart(void **state)
{
    (void)state;
    hx_stats_t *s = new_stats();
    hx_result_t r = ok_result(T0, 0);
    r.done = T0 + 60 * MS;
    r.mock_service_ms = 50.0;
    r.gateway_overhead_ms = 3.5;
    hx_stats_record(s, &r);
    assert_int_equal(s->gateway_overhead.max, 10000); /* 60 ms seen - 50 ms in the mock */
    assert_int_equal(s->mock_service.max, 50000);
    assert_int_equal(s->litellm_overhead.max, 3500);
    /* The mock claims more than the client saw (clock granularity): floored at 0, never negative. */
    r.mock_service_ms = 70.0;
    r.gateway_overhead_ms = HX_NO_VALUE;
    hx_stats_record(s, &r);
    assert_int_equal(s->gateway_overhead.min, 0);
    assert_int_equal(s->litellm_overhead.count, 1);
    /* A stream: the mock's value covers the whole stream (it plans the end before the first chunk), so it
     * is compared with the whole service time, not the time to first byte. */
    r.stream = true;
    r.first_byte = T0 + 12 * MS;
    r.first_token = T0 + 12 * MS;
    r.mock_service_ms = 57.25;
    hx_stats_record(s, &r);
    assert_int_equal(s->gateway_overhead.count, 3);
    assert_int_equal((uint64_t)s->gateway_overhead.sum, 10000 + 0 + 2750); /* 60 ms - 57.25 ms */
    /* Without the mock's header there is no overhead at all. */
    r.mock_service_ms = HX_NO_VALUE;
    hx_stats_record(s, &r);
    assert_int_equal(s->gateway_overhead.count, 3);
    /* Ground truth never leaks into request counts or latency. */
    assert_int_equal(s->all.total, 4);
    assert_int_equal(s->latency.count, 4);
    assert_int_equal(s->latency.max, 60000);
    free(s);
}

static void test_by_request_model_and_bounds(void **state)
{
    (void)state;
    hx_stats_t *s = new_stats();
    hx_result_t r = ok_result(T0, MS);
    r.request = 3;
    r.model = 7;
    hx_stats_record(s, &r);
    r.err = HX_ERR_HTTP_429;
    r.status = 429;
    hx_stats_record(s, &r);
    r.request = HX_MAX_REQUESTS; /* out of range: counted in the totals only */
    r.model = 65535;
    hx_stats_record(s, &r);
    assert_int_equal(s->by_request[3].total, 2);
    assert_int_equal(s->by_request[3].ok, 1);
    assert_int_equal(s->by_request[3].rate_limited, 1);
    assert_int_equal(s->by_model[7].failed, 1);
    assert_int_equal(s->all.total, 3);
    free(s);
}

static int cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? -1 : x > y;
}

/* Histogram percentiles of recorded latencies match exact nearest-rank percentiles of the same samples
 * within the histogram's precision (< 1%). */
static void test_percentiles_match_exact(void **state)
{
    (void)state;
    enum { N = 20000 };
    static uint64_t exact[N];
    hx_stats_t *s = new_stats();
    for (int i = 0; i < N; i++) {
        /* lognormal around 80 ms with a heavy tail, plus an occasional multi-second outlier */
        double ms = 80.0 * exp(0.6 * sqrt(-2.0 * log(1.0 - unit())) * cos(2.0 * M_PI * unit()));
        if (i % 997 == 0)
            ms += 3000;
        uint64_t ns = (uint64_t)(ms * 1e6);
        hx_result_t r = ok_result(T0 + (uint64_t)i * MS, ns);
        hx_stats_record(s, &r);
        exact[i] = ns / 1000;
    }
    qsort(exact, N, sizeof(exact[0]), cmp_u64);
    const double qs[] = {1, 10, 50, 90, 95, 99, 99.9};
    for (size_t i = 0; i < sizeof(qs) / sizeof(qs[0]); i++) {
        size_t rank = (size_t)ceil(qs[i] / 100.0 * N);
        double want = (double)exact[rank - 1];
        double got = (double)cm_hist_percentile(&s->latency, qs[i]);
        if (fabs(got - want) > want * 0.01) {
            print_error("p%.1f: histogram %.0f us, exact %.0f us\n", qs[i], got, want);
            fail();
        }
    }
    assert_int_equal(s->latency.max, exact[N - 1]);
    assert_int_equal(s->latency.min, exact[0]);
    free(s);
}

/* Recording into four per-thread stats and merging gives exactly what one stats recording everything gets. */
static void test_merge_equivalence(void **state)
{
    (void)state;
    hx_stats_t *one = new_stats(), *merged = new_stats(), *parts[4];
    for (int t = 0; t < 4; t++)
        parts[t] = new_stats();
    static const char *const deps[] = {"merge-a", "merge-b", "merge-c"};
    for (int i = 0; i < 5000; i++) {
        hx_result_t r = ok_result(T0 + (uint64_t)i * MS, (rnd() % 500 + 1) * MS / 7);
        r.sent = r.intended + (rnd() % 20) * MS;
        r.request = (uint16_t)(rnd() % 5);
        r.model = (uint16_t)(rnd() % 3);
        r.stream = rnd() % 2;
        r.first_token = r.stream ? r.sent + MS : 0;
        r.last_token = r.stream ? r.done - 1 : 0;
        r.tokens = (uint32_t)(rnd() % 50);
        r.mock_service_ms = rnd() % 3 ? (double)(rnd() % 40) : HX_NO_VALUE;
        static const hx_err_t errs[] = {HX_ERR_NONE,  HX_ERR_NONE,          HX_ERR_HTTP_429,    HX_ERR_HTTP_5XX,
                                        HX_ERR_RESET, HX_ERR_CLIENT_CLOSED, HX_ERR_STREAM_ERROR};
        r.err = errs[rnd() % 7];
        r.status = r.err == HX_ERR_HTTP_429 ? 429 : r.err == HX_ERR_HTTP_5XX ? 500 + (int)(rnd() % 4) : 200;
        const char *d = deps[rnd() % 3];
        r.deployment = d;
        r.deployment_len = (uint32_t)strlen(d);
        hx_stats_record(one, &r);
        hx_stats_record(parts[rnd() % 4], &r);
        uint64_t gap = rnd() % (5 * MS);
        hx_stats_record_icl(one, gap);
        hx_stats_record_icl(parts[rnd() % 4], gap);
    }
    for (int t = 0; t < 4; t++) {
        hx_stats_merge(merged, parts[t]);
        free(parts[t]);
    }
    assert_int_equal(merged->all.total, one->all.total);
    assert_int_equal(merged->aborted, one->aborted);
    assert_int_equal(merged->latency.count, one->latency.count);
    assert_int_equal(cm_hist_percentile(&merged->latency, 99), cm_hist_percentile(&one->latency, 99));
    assert_true(memcmp(merged, one, sizeof(*one)) == 0);
    free(one);
    free(merged);
}

static void test_merge_span_and_inflight(void **state)
{
    (void)state;
    hx_stats_t *a = new_stats(), *b = new_stats();
    hx_stats_reset(a, 5000);
    a->end_ns = 6000;
    a->inflight_max = 7;
    hx_stats_reset(b, 4000);
    b->end_ns = 5500;
    b->inflight_max = 3;
    b->sent = 9;
    b->dropped = 2;
    hx_stats_merge(a, b);
    assert_int_equal(a->start_ns, 4000);
    assert_int_equal(a->end_ns, 6000);
    assert_int_equal(a->inflight_max, 7);
    assert_int_equal(a->sent, 9);
    assert_int_equal(a->dropped, 2);
    hx_stats_reset(a, 123);
    assert_int_equal(a->start_ns, 123);
    assert_int_equal(a->sent, 0);
    assert_int_equal(a->latency.min, UINT64_MAX); /* reset leaves histograms empty, not zero-filled */
    free(a);
    free(b);
}

static void test_intern_same_name_same_index(void **state)
{
    (void)state;
    uint32_t a = hx_stats_intern_deployment("gemini-a", 8);
    uint32_t b = hx_stats_intern_deployment("gemini-b", 8);
    assert_int_not_equal(a, b);
    assert_int_equal(hx_stats_intern_deployment("gemini-a", 8), a);
    /* Only len bytes count: a longer buffer naming the same deployment interns to the same slot. */
    assert_int_equal(hx_stats_intern_deployment("gemini-a, trailing", 8), a);
    assert_string_equal(hx_stats_deployment_name(a), "gemini-a");
    assert_string_equal(hx_stats_deployment_name(b), "gemini-b");
    assert_string_equal(hx_stats_deployment_name(HX_MAX_DEPLOYMENTS), "other");
    assert_null(hx_stats_deployment_name(hx_stats_deployment_count()));
    assert_int_equal(hx_stats_intern_deployment("", 0), HX_MAX_DEPLOYMENTS);
    assert_int_equal(hx_stats_intern_deployment(NULL, 3), HX_MAX_DEPLOYMENTS);
    char longname[300];
    memset(longname, 'x', sizeof(longname));
    assert_int_equal(hx_stats_intern_deployment(longname, sizeof(longname)), HX_MAX_DEPLOYMENTS);
}

typedef struct intern_job {
    uint32_t idx[8];
} intern_job_t;

static void *intern_thread(void *arg)
{
    intern_job_t *job = arg;
    char name[32];
    for (int round = 0; round < 200; round++) {
        for (int i = 0; i < 8; i++) {
            int n = snprintf(name, sizeof(name), "thr-dep-%d", i);
            job->idx[i] = hx_stats_intern_deployment(name, (uint32_t)n);
        }
    }
    return NULL;
}

static void test_intern_across_threads(void **state)
{
    (void)state;
    pthread_t th[4];
    intern_job_t jobs[4];
    for (int t = 0; t < 4; t++)
        assert_int_equal(pthread_create(&th[t], NULL, intern_thread, &jobs[t]), 0);
    for (int t = 0; t < 4; t++)
        pthread_join(th[t], NULL);
    for (int i = 0; i < 8; i++) {
        char name[32];
        snprintf(name, sizeof(name), "thr-dep-%d", i);
        for (int t = 1; t < 4; t++)
            assert_int_equal(jobs[t].idx[i], jobs[0].idx[i]);
        assert_string_equal(hx_stats_deployment_name(jobs[0].idx[i]), name);
    }
}

/* More distinct names than slots fold into "other" (last: fills the process-wide table). */
static void test_intern_overflow_goes_to_other(void **state)
{
    (void)state;
    char name[32];
    for (int i = 0; i < HX_MAX_DEPLOYMENTS + 10; i++) {
        int n = snprintf(name, sizeof(name), "fill-%d", i);
        uint32_t idx = hx_stats_intern_deployment(name, (uint32_t)n);
        assert_true(idx <= HX_MAX_DEPLOYMENTS);
    }
    assert_int_equal(hx_stats_deployment_count(), HX_MAX_DEPLOYMENTS);
    assert_int_equal(hx_stats_intern_deployment("never-seen", 10), HX_MAX_DEPLOYMENTS);
    uint32_t kept = hx_stats_intern_deployment("gemini-a", 8); /* earlier names keep their slots */
    assert_true(kept < HX_MAX_DEPLOYMENTS);
    assert_string_equal(hx_stats_deployment_name(kept), "gemini-a");
    hx_stats_t *s = new_stats();
    hx_result_t r = ok_result(T0, MS);
    r.deployment = "never-seen";
    r.deployment_len = 10;
    hx_stats_record(s, &r);
    assert_int_equal(s->by_deployment[HX_MAX_DEPLOYMENTS].total, 1);
    free(s);
}

/* The worked example of docs/metrics.md: sent at 0 (as intended), first byte at 90 ms, reasoning at 100 ms,
 * then chunks at 150, 170, 190 and 210 ms, done at 212 ms; 20 output tokens in usage over 5 chunks (4 a
 * chunk). */
static hx_result_t worked_example(const uint32_t *gaps)
{
    hx_result_t r = ok_result(T0, 212 * MS);
    r.stream = true;
    r.first_byte = T0 + 90 * MS;
    r.first_reasoning = T0 + 100 * MS;
    r.first_output = T0 + 100 * MS;
    r.first_token = T0 + 150 * MS;
    r.last_token = r.last_output = T0 + 210 * MS;
    r.chunks = 5;
    r.tokens = 20;
    r.usage_tokens = 20;
    r.gaps = gaps;
    r.ngaps = 4;
    return r;
}

static void test_llm_metrics_worked_example(void **state)
{
    (void)state;
    static const uint32_t gaps[] = {50000, 20000, 20000, 20000};
    hx_result_t r = worked_example(gaps);
    hx_rmetrics_t m;
    hx_result_metrics(&r, &m);
    assert_true(fabs(m.v[HX_RM_TTFB] - 90) < 1e-9);
    assert_true(fabs(m.v[HX_RM_TTFT] - 150) < 1e-9);
    assert_true(fabs(m.v[HX_RM_TTFRT] - 100) < 1e-9);
    assert_true(fabs(m.v[HX_RM_TPOT] - 110.0 / 19) < 1e-9);
    assert_true(fabs(m.v[HX_RM_TPOT_INCL_FIRST] - 210.0 / 20) < 1e-9);
    assert_true(fabs(m.v[HX_RM_E2E] - 212) < 1e-9);
    assert_true(fabs(m.v[HX_RM_OTPS] - 20 / 0.212) < 1e-9);
    hx_stats_t *s = new_stats();
    hx_stats_record(s, &r);
    /* ITL per token: 50 ms over 4 tokens, then 20 ms over 4 tokens three times: 16 values */
    assert_int_equal(s->itl.count, 16);
    assert_int_equal(cm_hist_percentile(&s->itl, 100), 12500);
    assert_int_equal(s->itl.min, 5000);
    assert_true(llabs((long long)cm_hist_percentile(&s->itl, 50) - 5000) <= 50); /* bucket midpoint, 1% */
    assert_int_equal(s->ttfrt.max, 100000);
    assert_int_equal(s->tpot.count, 1);
    assert_int_equal(s->usage_compared, 1);
    assert_int_equal(s->usage_differs, 1); /* 20 tokens in usage, 5 chunks */
    assert_int_equal(s->usage_tokens, 20);
    assert_int_equal(s->usage_chunks, 5);
    assert_int_equal(s->success_tokens, 20);
    assert_int_equal(s->otps.count, 1);
    assert_true(llabs((long long)s->otps.max - 94340) <= 1); /* 94.340 tokens/s, x1000 */
    /* A stream cut short has a TTFT and a TTFRT, but no decode metrics: its count is not final. */
    r.err = HX_ERR_STREAM_TRUNCATED;
    hx_stats_record(s, &r);
    assert_int_equal(s->ttft.count, 2);
    assert_int_equal(s->ttfrt.count, 2);
    assert_int_equal(s->tpot.count, 1);
    assert_int_equal(s->itl.count, 16);
    free(s);
}

/* Token counts that do not divide evenly: full chunks, the remainder last; a usage below the chunk count is
 * not trusted (each output chunk carried a token). */
static void test_itl_apportioning(void **state)
{
    (void)state;
    static const uint32_t gaps[] = {30000, 30000};
    hx_result_t r = ok_result(T0, 100 * MS);
    r.stream = true;
    r.first_output = r.first_token = T0 + 10 * MS;
    r.last_output = r.last_token = T0 + 70 * MS;
    r.chunks = 3;
    r.gaps = gaps;
    r.ngaps = 2;
    r.tokens = 7; /* chunks of 3, 3 and 1 tokens */
    hx_stats_t *s = new_stats();
    hx_stats_record(s, &r);
    assert_int_equal(s->itl.count, 4);
    assert_int_equal(s->itl.max, 30000);
    assert_int_equal(s->itl.min, 10000);
    hx_stats_reset(s, 0);
    r.tokens = 5; /* 2, 2, 1 */
    hx_stats_record(s, &r);
    assert_int_equal(s->itl.count, 3);
    assert_int_equal(s->itl.min, 15000);
    hx_stats_reset(s, 0);
    r.tokens = 2; /* below the chunk count: one each */
    r.usage_tokens = 2;
    hx_stats_record(s, &r);
    assert_int_equal(s->itl.count, 2);
    assert_int_equal(s->itl.min, 30000);
    free(s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_counts_and_classes),
        cmocka_unit_test(test_client_closed_is_not_an_outcome),
        cmocka_unit_test(test_dropped_and_offered),
        cmocka_unit_test(test_latency_from_intended_service_from_sent),
        cmocka_unit_test(test_late_threshold),
        cmocka_unit_test(test_pacer_lag_percentiles),
        cmocka_unit_test(test_cpu_samples),
        cmocka_unit_test(test_stream_timings),
        cmocka_unit_test(test_overheads_are_kept_apart),
        cmocka_unit_test(test_by_request_model_and_bounds),
        cmocka_unit_test(test_llm_metrics_worked_example),
        cmocka_unit_test(test_itl_apportioning),
        cmocka_unit_test(test_percentiles_match_exact),
        cmocka_unit_test(test_merge_equivalence),
        cmocka_unit_test(test_merge_span_and_inflight),
        cmocka_unit_test(test_intern_same_name_same_index),
        cmocka_unit_test(test_intern_across_threads),
        cmocka_unit_test(test_intern_overflow_goes_to_other),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
