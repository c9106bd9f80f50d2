/* tests/unit/harness/measure/collector_test.c — interval attribution, the JSONL lines (parsed back), totals, late
 * and early submits, the final partial interval, drift windows, and concurrent submitters. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "harness/measure/collector.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/json.h"

#define MS 1000000ull
#define SEC 1000000000ull
#define T0 (500 * SEC)
#define WALL0 1700000000000ull /* 2023-11-14T22:13:20.000Z */

static hx_stats_t *new_stats(uint64_t start)
{
    hx_stats_t *s = malloc(sizeof(*s));
    assert_non_null(s);
    hx_stats_reset(s, start);
    return s;
}

static void record(hx_stats_t *s, uint64_t intended, uint64_t latency, hx_err_t err, int status, const char *dep)
{
    hx_result_t r;
    memset(&r, 0, sizeof(r));
    r.intended = r.sent = intended;
    r.first_byte = intended + 1;
    r.done = intended + latency;
    r.err = err;
    r.status = status;
    r.mock_service_ms = HX_NO_VALUE;
    r.gateway_overhead_ms = HX_NO_VALUE;
    r.deployment = dep;
    r.deployment_len = dep ? (uint32_t)strlen(dep) : 0;
    hx_stats_record(s, &r);
}

/* The JSONL file read back line by line. */
typedef struct lines {
    char *v[64];
    int n;
} lines_t;

static void read_lines(FILE *f, lines_t *out)
{
    char *line = NULL;
    size_t cap = 0;
    ssize_t len;
    memset(out, 0, sizeof(*out));
    rewind(f);
    while ((len = getline(&line, &cap, f)) > 0 && out->n < 64) {
        assert_int_equal(line[len - 1], '\n');
        out->v[out->n++] = strndup(line, (size_t)len);
    }
    free(line);
}

static void free_lines(lines_t *l)
{
    for (int i = 0; i < l->n; i++)
        free(l->v[i]);
}

/* Parses one line and returns the value of a dotted path ("latency_ms.p50") as a double; -1 when absent,
 * -2 when null. */
static double jget(cm_json_doc_t *d, const char *path)
{
    char key[64];
    uint32_t t = 0;
    while (*path) {
        const char *dot = strchr(path, '.');
        size_t n = dot ? (size_t)(dot - path) : strlen(path);
        memcpy(key, path, n);
        key[n] = '\0';
        t = cm_json_get(d, t, key);
        if (t == 0)
            return -1;
        path += n + (dot != NULL);
    }
    if (cm_json_type(d, t) == CM_JSON_NULL)
        return -2;
    double v;
    assert_int_equal(cm_json_double(d, t, &v), 0);
    return v;
}

static void parse_line(cm_json_doc_t *d, cm_json_toks_t *toks, const char *line)
{
    char err[128];
    if (cm_json_parse(d, line, strlen(line), toks, err, sizeof(err)) != 0) {
        print_error("bad JSONL line: %s\n%s\n", err, line);
        fail();
    }
}

static void test_attribution_and_lines(void **state)
{
    (void)state;
    FILE *f = tmpfile();
    assert_non_null(f);
    hx_collector_t *c = hx_collector_new(T0, WALL0, SEC, f);
    hx_stats_t *a = new_stats(T0 + 200 * MS), *b = new_stats(T0);
    record(a, T0 + 300 * MS, 20 * MS, HX_ERR_NONE, 200, "coll-a");
    record(a, T0 + 400 * MS, 40 * MS, HX_ERR_NONE, 200, "coll-b");
    record(a, T0 + 500 * MS, 5 * MS, HX_ERR_HTTP_429, 429, "coll-a");
    a->sent = 3;
    a->inflight_max = 2;
    record(b, T0 + 600 * MS, 10 * MS, HX_ERR_HTTP_5XX, 502, NULL);
    b->inflight_max = 5;
    hx_collector_submit(c, a, T0 + SEC + 1 * MS);
    hx_collector_submit(c, b, T0 + SEC + 2 * MS);
    assert_int_equal(a->start_ns, T0 + SEC + 1 * MS); /* reset to start now */
    assert_int_equal(a->all.total, 0);
    /* a's next interval covers 1 s .. 3.5 s: all of it goes to interval 1, where it started. */
    record(a, T0 + 2500 * MS, 30 * MS, HX_ERR_NONE, 200, NULL);
    hx_collector_submit(c, a, T0 + 3500 * MS);

    assert_null(hx_collector_last(c));
    assert_int_equal(hx_collector_close_due(c, T0 + 1100 * MS, 200 * MS, 9), 0); /* still in its grace */
    assert_int_equal(hx_collector_close_due(c, T0 + 1300 * MS, 200 * MS, 9), 1);
    const hx_stats_t *last = hx_collector_last(c);
    assert_non_null(last);
    assert_int_equal(last->all.total, 4);
    assert_int_equal(last->inflight_max, 9); /* max(2 + 5 summed, sampled 9) */
    assert_int_equal(hx_collector_close_due(c, T0 + 3300 * MS, 200 * MS, 1), 2);
    assert_int_equal(hx_collector_last(c)->all.total, 0);             /* interval 2: nothing started there */
    assert_int_equal(hx_collector_close_due(c, UINT64_MAX, 0, 0), 0); /* nothing left */

    const hx_stats_t *t = hx_collector_total(c);
    assert_int_equal(t->all.total, 5);
    assert_int_equal(t->all.ok, 3);
    assert_int_equal(t->all.rate_limited, 1);
    assert_int_equal(t->inflight_max, 9);
    assert_int_equal(t->start_ns, T0);
    assert_int_equal(t->end_ns, T0 + 3 * SEC);

    lines_t l;
    read_lines(f, &l);
    assert_int_equal(l.n, 3);
    cm_json_toks_t toks = {0};
    cm_json_doc_t d;
    parse_line(&d, &toks, l.v[0]);
    assert_true(jget(&d, "t") == 1.0);
    assert_non_null(strstr(l.v[0], "\"ts\":\"2023-11-14T22:13:21.000Z\""));
    assert_true(jget(&d, "requests") == 4);
    assert_true(jget(&d, "ok") == 2);
    assert_true(jget(&d, "failed") == 2);
    assert_true(jget(&d, "rate_limited") == 1);
    assert_true(jget(&d, "aborted") == 0);
    assert_true(jget(&d, "rate") == 4.0);
    assert_true(jget(&d, "inflight") == 9);
    assert_true(jget(&d, "sent") == 3);
    assert_true(jget(&d, "latency_ms.max") == 40.0);
    assert_true(jget(&d, "latency_ms.p50") >= 19.8 && jget(&d, "latency_ms.p50") <= 20.2);
    assert_true(jget(&d, "service_ms.p99") > 0);
    assert_true(jget(&d, "errors.http_429") == 1);
    assert_true(jget(&d, "errors.http_5xx") == 1);
    assert_true(jget(&d, "errors.none") == -1); /* only failure classes, only non-zero */
    assert_true(jget(&d, "errors.reset") == -1);
    assert_true(jget(&d, "deployments.coll-a") == 2);
    assert_true(jget(&d, "deployments.coll-b") == 1);
    assert_true(jget(&d, "ttft_ms") == -1); /* no streams */
    parse_line(&d, &toks, l.v[1]);
    assert_true(jget(&d, "t") == 2.0);
    assert_true(jget(&d, "requests") == 1);
    parse_line(&d, &toks, l.v[2]);
    assert_true(jget(&d, "requests") == 0);
    assert_true(jget(&d, "latency_ms") == -2); /* null, not a made-up 0 */
    cm_json_toks_free(&toks);
    free_lines(&l);
    hx_collector_free(c);
    fclose(f);
    free(a);
    free(b);
}

static void test_late_early_and_final_partial(void **state)
{
    (void)state;
    FILE *f = tmpfile();
    hx_collector_t *c = hx_collector_new(T0, WALL0, SEC, f);
    hx_stats_t *s = new_stats(T0);
    record(s, T0, MS, HX_ERR_NONE, 200, NULL);
    hx_collector_submit(c, s, T0 + SEC);
    assert_int_equal(hx_collector_close_due(c, T0 + 1500 * MS, 0, 0), 1);
    /* A straggler from interval 0 arrives after it closed: it lands in interval 1, not lost. */
    hx_stats_reset(s, T0 + 100 * MS);
    record(s, T0 + 100 * MS, MS, HX_ERR_NONE, 200, NULL);
    hx_collector_submit(c, s, T0 + 1600 * MS);
    /* The run ends 0.25 s into interval 8. */
    hx_stats_reset(s, T0 + 8 * SEC);
    record(s, T0 + 8 * SEC, MS, HX_ERR_NONE, 200, NULL);
    record(s, T0 + 8 * SEC + MS, MS, HX_ERR_CLIENT_CLOSED, 0, NULL);
    hx_collector_submit(c, s, T0 + 8 * SEC + 250 * MS);
    assert_int_equal(hx_collector_close_due(c, UINT64_MAX, 0, 0), 8);
    const hx_stats_t *t = hx_collector_total(c);
    assert_int_equal(t->all.total, 3);
    assert_int_equal(t->aborted, 1);
    lines_t l;
    read_lines(f, &l);
    assert_int_equal(l.n, 9);
    cm_json_toks_t toks = {0};
    cm_json_doc_t d;
    parse_line(&d, &toks, l.v[1]);
    assert_true(jget(&d, "requests") == 1); /* the straggler */
    parse_line(&d, &toks, l.v[8]);
    assert_true(jget(&d, "t") == 8.25); /* the cut-short last interval ends when the run did */
    assert_true(jget(&d, "requests") == 1);
    assert_true(jget(&d, "rate") == 4.0); /* 1 request in 0.25 s */
    assert_true(jget(&d, "aborted") == 1);
    assert_true(jget(&d, "errors.client_closed") == 1);
    cm_json_toks_free(&toks);
    free_lines(&l);
    hx_collector_free(c);
    fclose(f);
    free(s);
}

/* A thread far ahead of the closing (interval 20 while 0 is the oldest open) is folded into the newest
 * open interval rather than lost or written over a pending one. */
static void test_far_ahead_submit(void **state)
{
    (void)state;
    hx_collector_t *c = hx_collector_new(T0, WALL0, SEC, NULL);
    hx_stats_t *s = new_stats(T0 + 20 * SEC);
    record(s, T0 + 20 * SEC, MS, HX_ERR_NONE, 200, NULL);
    hx_collector_submit(c, s, T0 + 20 * SEC + 100 * MS);
    hx_stats_reset(s, T0);
    record(s, T0, MS, HX_ERR_NONE, 200, NULL);
    hx_collector_submit(c, s, T0 + SEC);
    assert_int_equal(hx_collector_close_due(c, UINT64_MAX, 0, 0), 8);
    assert_int_equal(hx_collector_last(c)->all.total, 1);
    assert_int_equal(hx_collector_total(c)->all.total, 2);
    hx_collector_free(c);
    free(s);
}

static void test_no_series_file_and_nothing_submitted(void **state)
{
    (void)state;
    hx_collector_t *c = hx_collector_new(T0, WALL0, SEC, NULL);
    assert_int_equal(hx_collector_close_due(c, UINT64_MAX, 0, 0), 0);
    assert_null(hx_collector_last(c));
    assert_null(hx_collector_first_window(c));
    assert_null(hx_collector_last_window(c));
    assert_int_equal(hx_collector_total(c)->all.total, 0);
    /* Time passing with no submissions still closes (empty) intervals; with no file, nothing is written. */
    assert_int_equal(hx_collector_close_due(c, T0 + 3 * SEC, 0, 0), 3);
    assert_int_equal(hx_collector_series_errno(c), 0);
    hx_collector_free(c);
}

/* Interval i gets latency (i + 1) ms: the first window is the first intervals, the last the last ones. */
static void run_intervals(hx_collector_t *c, hx_stats_t *s, int n)
{
    for (int i = 0; i < n; i++) {
        hx_stats_reset(s, T0 + (uint64_t)i * SEC);
        for (int k = 0; k < 10; k++)
            record(s, T0 + (uint64_t)i * SEC + (uint64_t)k * MS, (uint64_t)(i + 1) * MS, HX_ERR_NONE, 200, NULL);
        hx_collector_submit(c, s, T0 + (uint64_t)(i + 1) * SEC);
        hx_collector_close_due(c, T0 + (uint64_t)(i + 1) * SEC, 0, 0);
    }
}

static void test_drift_windows(void **state)
{
    (void)state;
    hx_collector_t *c = hx_collector_new(T0, WALL0, SEC, NULL);
    hx_collector_set_drift_window(c, 3 * SEC);
    hx_stats_t *s = new_stats(T0);
    run_intervals(c, s, 10);
    const hx_stats_t *first = hx_collector_first_window(c), *last = hx_collector_last_window(c);
    assert_non_null(first);
    assert_non_null(last);
    assert_int_equal(first->all.total, 30);
    assert_int_equal(first->latency.min, 1000);
    assert_int_equal(first->latency.max, 3000);
    assert_int_equal(last->all.total, 30);
    assert_int_equal(last->latency.min, 8000);
    assert_int_equal(last->latency.max, 10000);
    assert_int_equal(hx_collector_total(c)->all.total, 100);
    /* Merged on demand and refreshed after the next close. */
    hx_stats_reset(s, T0 + 10 * SEC);
    record(s, T0 + 10 * SEC, 50 * MS, HX_ERR_NONE, 200, NULL);
    hx_collector_submit(c, s, T0 + 11 * SEC);
    hx_collector_close_due(c, T0 + 11 * SEC, 0, 0);
    last = hx_collector_last_window(c);
    assert_int_equal(last->all.total, 21);
    assert_int_equal(last->latency.max, 50000);
    hx_collector_free(c);
    free(s);
}

/* The run's last interval is usually cut short (here 0.25 s): the last window then reaches one interval
 * further back so that it still covers the window's length, instead of judging drift on a sliver. */
static void test_last_window_spans_a_short_final_interval(void **state)
{
    (void)state;
    hx_collector_t *c = hx_collector_new(T0, WALL0, SEC, NULL);
    hx_collector_set_drift_window(c, 3 * SEC);
    hx_stats_t *s = new_stats(T0);
    run_intervals(c, s, 6);
    hx_stats_reset(s, T0 + 6 * SEC);
    record(s, T0 + 6 * SEC, 99 * MS, HX_ERR_NONE, 200, NULL);
    hx_collector_submit(c, s, T0 + 6 * SEC + 250 * MS);
    assert_int_equal(hx_collector_close_due(c, UINT64_MAX, 0, 0), 1);
    const hx_stats_t *last = hx_collector_last_window(c);
    assert_int_equal(last->all.total, 31); /* intervals 3, 4, 5 and the final sliver */
    assert_int_equal(last->latency.min, 4000);
    assert_int_equal(last->latency.max, 99000);
    /* A window shorter than one interval still gets a whole interval next to a sliver. */
    hx_collector_t *c2 = hx_collector_new(T0, WALL0, SEC, NULL);
    hx_collector_set_drift_window(c2, 500 * MS);
    run_intervals(c2, s, 4);
    hx_stats_reset(s, T0 + 4 * SEC);
    record(s, T0 + 4 * SEC, 99 * MS, HX_ERR_NONE, 200, NULL);
    hx_collector_submit(c2, s, T0 + 4 * SEC + 100 * MS);
    hx_collector_close_due(c2, UINT64_MAX, 0, 0);
    assert_int_equal(hx_collector_first_window(c2)->all.total, 10);
    assert_int_equal(hx_collector_last_window(c2)->all.total, 11);
    hx_collector_free(c);
    hx_collector_free(c2);
    free(s);
}

/* A window longer than 64 intervals is kept as buckets of several intervals: memory stays bounded and the
 * last window still holds the last window's worth of intervals. */
static void test_long_window_is_bucketed(void **state)
{
    (void)state;
    hx_collector_t *c = hx_collector_new(T0, WALL0, SEC, NULL);
    hx_collector_set_drift_window(c, 100 * SEC); /* 100 intervals: 50 buckets of 2 */
    hx_stats_t *s = new_stats(T0);
    run_intervals(c, s, 300);
    const hx_stats_t *first = hx_collector_first_window(c), *last = hx_collector_last_window(c);
    assert_int_equal(first->all.total, 1000);
    assert_int_equal(first->latency.max, 100000);
    assert_int_equal(last->all.total, 1000);
    assert_int_equal(last->latency.min, 201000);
    assert_int_equal(last->latency.max, 300000);
    hx_collector_free(c);
    free(s);
}

typedef struct submitter {
    hx_collector_t *c;
    int intervals;
} submitter_t;

static void *submit_thread(void *arg)
{
    submitter_t *job = arg;
    hx_stats_t *s = new_stats(T0);
    for (int i = 0; i < job->intervals; i++) {
        hx_stats_reset(s, T0 + (uint64_t)i * SEC);
        for (int k = 0; k < 100; k++)
            record(s, T0 + (uint64_t)i * SEC, (uint64_t)(k + 1) * MS, k % 10 ? HX_ERR_NONE : HX_ERR_RESET, 0, NULL);
        hx_collector_submit(job->c, s, T0 + (uint64_t)(i + 1) * SEC);
    }
    free(s);
    return NULL;
}

/* Four threads submit while the main thread closes as fast as it can: whatever the interleaving (some
 * submits arrive after their interval closed), no request is lost or counted twice. */
static void test_concurrent_submitters(void **state)
{
    (void)state;
    enum { THREADS = 4, INTERVALS = 40 };
    hx_collector_t *c = hx_collector_new(T0, WALL0, SEC, NULL);
    pthread_t th[THREADS];
    submitter_t job = {c, INTERVALS};
    for (int t = 0; t < THREADS; t++)
        assert_int_equal(pthread_create(&th[t], NULL, submit_thread, &job), 0);
    for (int i = 0; i <= INTERVALS; i++)
        hx_collector_close_due(c, T0 + (uint64_t)i * SEC, 0, 0);
    for (int t = 0; t < THREADS; t++)
        pthread_join(th[t], NULL);
    hx_collector_close_due(c, UINT64_MAX, 0, 0);
    const hx_stats_t *total = hx_collector_total(c);
    assert_int_equal(total->all.total, THREADS * INTERVALS * 100);
    assert_int_equal(total->errors[HX_ERR_RESET], THREADS * INTERVALS * 10);
    assert_int_equal(total->latency.count, THREADS * INTERVALS * 90);
    hx_collector_free(c);
}

static void test_series_write_error_is_kept(void **state)
{
    (void)state;
    FILE *f = fopen("/dev/full", "w");
    if (f == NULL)
        fail_msg("cannot open /dev/full (this test needs it to provoke a write error)");
    hx_collector_t *c = hx_collector_new(T0, WALL0, SEC, f);
    assert_int_equal(hx_collector_close_due(c, T0 + 2 * SEC, 0, 0), 2);
    assert_int_not_equal(hx_collector_series_errno(c), 0);
    hx_collector_free(c);
    fclose(f);
}

/* Phases: interval i holds i+1 requests of (i+1) ms. Warm-up [0,2s) is excluded from the total, the drift
 * windows and nothing else; steady [2s,5s) and the last phase [5s,6s) (which also holds the drain) are spans
 * of their own; an extra span [1s,3s) crosses the boundary; the JSONL lines name their phase. */
static void test_phases_and_spans(void **state)
{
    (void)state;
    FILE *f = tmpfile();
    hx_collector_t *c = hx_collector_new(T0, WALL0, SEC, f);
    hx_phases_t ps = {.n = 3};
    const char *names[] = {"warm-up", "steady", "tail"};
    uint64_t ends[] = {2 * SEC, 5 * SEC, 6 * SEC};
    for (size_t i = 0; i < 3; i++) {
        snprintf(ps.p[i].name, sizeof(ps.p[i].name), "%s", names[i]);
        ps.p[i].start_ns = i ? ends[i - 1] : 0;
        ps.p[i].end_ns = ends[i];
    }
    ps.p[0].exclude = true;
    hx_collector_set_phases(c, &ps);
    int cross = hx_collector_add_span(c, 1 * SEC, 3 * SEC);
    assert_int_equal(cross, 3);
    assert_int_equal(hx_collector_add_span(c, 1 * SEC, 3 * SEC), 3); /* the same span twice: one id */
    hx_collector_set_drift_window(c, SEC);
    hx_stats_t *s = new_stats(T0);
    for (uint64_t i = 0; i < 7; i++) { /* interval 6 is the drain, after the planned 6 s */
        hx_stats_reset(s, T0 + i * SEC);
        for (uint64_t k = 0; k <= i; k++)
            record(s, T0 + i * SEC + k * MS, (i + 1) * MS, HX_ERR_NONE, 200, NULL);
        hx_collector_submit(c, s, T0 + (i + 1) * SEC);
    }
    assert_null(hx_collector_span(c, 0));
    hx_collector_close_due(c, UINT64_MAX, 0, 0);
    assert_int_equal(hx_collector_total(c)->all.total, 3 + 4 + 5 + 6 + 7); /* not intervals 0 and 1 */
    assert_int_equal(hx_collector_everything(c)->all.total, 28);
    assert_int_equal(hx_collector_span(c, 0)->all.total, 1 + 2);
    assert_int_equal(hx_collector_span(c, 1)->all.total, 3 + 4 + 5);
    assert_int_equal(hx_collector_span(c, 2)->all.total, 6 + 7); /* the drain belongs to the last phase */
    assert_int_equal(hx_collector_span(c, cross)->all.total, 2 + 3);
    assert_null(hx_collector_span(c, 9));
    /* the first drift window is the first judged second (interval 2), not the warm-up */
    assert_int_equal(hx_collector_first_window(c)->all.total, 3);
    assert_int_equal(hx_collector_first_window(c)->latency.max, 3000);

    lines_t l;
    read_lines(f, &l);
    assert_int_equal(l.n, 7);
    assert_non_null(strstr(l.v[0], "\"phase\":\"warm-up\",\"excluded\":true"));
    assert_non_null(strstr(l.v[2], "\"phase\":\"steady\""));
    assert_null(strstr(l.v[2], "excluded"));
    assert_non_null(strstr(l.v[6], "\"phase\":\"tail\""));
    free_lines(&l);
    hx_collector_free(c);
    fclose(f);
    free(s);
}

/* At most HX_COLLECTOR_MAX_SPANS distinct spans. */
static void test_span_limit(void **state)
{
    (void)state;
    hx_collector_t *c = hx_collector_new(T0, WALL0, SEC, NULL);
    for (int i = 0; i < HX_COLLECTOR_MAX_SPANS; i++)
        assert_int_equal(hx_collector_add_span(c, (uint64_t)i * SEC, (uint64_t)(i + 1) * SEC), i);
    assert_int_equal(hx_collector_add_span(c, 999 * SEC, 1000 * SEC), -1);
    assert_int_equal(hx_collector_add_span(c, 0, SEC), 0);
    hx_collector_free(c);
}

/* Groups: each interval's per-group parts reach the group totals (not the excluded phase's), group spans and
 * the JSONL line's "groups"; a group span outside the groups is refused. */
static void test_groups(void **state)
{
    (void)state;
    FILE *f = tmpfile();
    hx_collector_t *c = hx_collector_new(T0, WALL0, SEC, f);
    static const char *const names[] = {"data", "ctl"};
    hx_collector_set_groups(c, names, 2);
    hx_phases_t ps = {.n = 2};
    snprintf(ps.p[0].name, sizeof(ps.p[0].name), "warm");
    ps.p[0].end_ns = SEC;
    ps.p[0].exclude = true;
    snprintf(ps.p[1].name, sizeof(ps.p[1].name), "main");
    ps.p[1].start_ns = SEC;
    ps.p[1].end_ns = 3 * SEC;
    hx_collector_set_phases(c, &ps);
    int ctl_main = hx_collector_add_group_span(c, SEC, 3 * SEC, 1);
    assert_true(ctl_main >= 0);
    assert_int_equal(hx_collector_add_group_span(c, 0, SEC, 2), -1);
    hx_stats_t *s = new_stats(T0), *g = calloc(2, sizeof(hx_stats_t));
    for (uint64_t i = 0; i < 3; i++) {
        hx_stats_reset(s, T0 + i * SEC);
        hx_stats_reset(&g[0], T0 + i * SEC);
        hx_stats_reset(&g[1], T0 + i * SEC);
        for (uint64_t k = 0; k < 4; k++) { /* three data requests and one control request a second */
            record(s, T0 + i * SEC + k * MS, MS, HX_ERR_NONE, 200, NULL);
            record(&g[k == 3], T0 + i * SEC + k * MS, MS, HX_ERR_NONE, 200, NULL);
        }
        hx_collector_submit_groups(c, s, g, T0 + (i + 1) * SEC);
        assert_int_equal(g[0].all.total, 0); /* reset with the run's */
    }
    hx_collector_close_due(c, UINT64_MAX, 0, 0);
    assert_int_equal(hx_collector_total(c)->all.total, 8); /* the warm-up second left out */
    assert_int_equal(hx_collector_group_total(c, 0)->all.total, 6);
    assert_int_equal(hx_collector_group_total(c, 1)->all.total, 2);
    assert_null(hx_collector_group_total(c, 2));
    assert_int_equal(hx_collector_span(c, ctl_main)->all.total, 2);
    lines_t l;
    read_lines(f, &l);
    assert_int_equal(l.n, 3);
    assert_non_null(strstr(l.v[0], "\"groups\":{\"data\":{\"requests\":3,"));
    assert_non_null(strstr(l.v[0], "\"ctl\":{\"requests\":1,"));
    free_lines(&l);
    hx_collector_free(c);
    fclose(f);
    free(s);
    free(g);
}

/* A warm-up by count: its requests, submitted apart, are in no total, span or window, but in the warm-up's
 * stats, in everything, and marked on the JSONL lines that hold them. */
static void test_warmup_requests(void **state)
{
    (void)state;
    FILE *f = tmpfile();
    hx_collector_t *c = hx_collector_new(T0, WALL0, SEC, f);
    assert_null(hx_collector_warmup(c));
    hx_collector_set_warmup(c);
    hx_collector_set_drift_window(c, SEC);
    int whole = hx_collector_add_span(c, 0, UINT64_MAX);
    hx_stats_t *s = new_stats(T0), *w = new_stats(T0);
    for (uint64_t i = 0; i < 2; i++) {
        hx_stats_reset(s, T0 + i * SEC);
        hx_stats_reset(w, T0 + i * SEC);
        for (uint64_t k = 0; k < 5; k++) /* the first 3 requests are the warm-up's */
            record(i == 0 && k < 3 ? w : s, T0 + i * SEC + k * MS, MS, HX_ERR_NONE, 200, NULL);
        hx_collector_submit_all(c, s, NULL, w, T0 + (i + 1) * SEC);
        assert_int_equal(w->all.total, 0); /* reset with the run's */
    }
    hx_collector_close_due(c, UINT64_MAX, 0, 0);
    assert_int_equal(hx_collector_total(c)->all.total, 7);
    assert_int_equal(hx_collector_span(c, whole)->all.total, 7);
    assert_int_equal(hx_collector_warmup(c)->all.total, 3);
    assert_int_equal(hx_collector_everything(c)->all.total, 10);
    assert_int_equal(hx_collector_first_window(c)->all.total, 2);
    lines_t l;
    read_lines(f, &l);
    assert_int_equal(l.n, 2);
    assert_non_null(strstr(l.v[0], "\"requests\":2,"));
    assert_non_null(strstr(l.v[0], "\"warmup\":{\"requests\":3,\"ok\":3,\"failed\":0,\"dropped\":0,\"sent\":0}"));
    assert_null(strstr(l.v[1], "\"warmup\""));
    free_lines(&l);
    hx_collector_free(c);
    fclose(f);
    free(s);
    free(w);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_attribution_and_lines),
        cmocka_unit_test(test_late_early_and_final_partial),
        cmocka_unit_test(test_far_ahead_submit),
        cmocka_unit_test(test_no_series_file_and_nothing_submitted),
        cmocka_unit_test(test_drift_windows),
        cmocka_unit_test(test_last_window_spans_a_short_final_interval),
        cmocka_unit_test(test_long_window_is_bucketed),
        cmocka_unit_test(test_concurrent_submitters),
        cmocka_unit_test(test_series_write_error_is_kept),
        cmocka_unit_test(test_phases_and_spans),
        cmocka_unit_test(test_span_limit),
        cmocka_unit_test(test_groups),
        cmocka_unit_test(test_warmup_requests),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
