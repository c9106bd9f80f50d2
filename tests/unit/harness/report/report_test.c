/* tests/unit/harness/report/report_test.c — the JSON summary parses and holds the documented fields, JUnit XML is
 * well-formed with the right cases and failures, the table fits 100 columns, the progress line, and
 * write errors (report paths: outputs_test.c). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "harness/report/outputs.h"
#include "harness/report/report.h"
#include "harness/report/webhook.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/clock.h"
#include "common/json.h"

#define MS 1000000ull

typedef struct fixture {
    hx_stats_t total, first, last;
    hx_run_info_t info;
    hx_expect_t expects[4];
    hx_verdict_t verdicts[4];
    hx_report_t report;
} fixture_t;

static const char *const request_names[] = {"openai.chat stream", "openai.chat"};
static const char *const model_names[] = {"gpt-4o-mini"};

static void rec(hx_stats_t *s, uint64_t latency_ms, hx_err_t err, int status, const char *dep, bool stream)
{
    hx_result_t r;
    memset(&r, 0, sizeof(r));
    r.request = stream ? 0 : 1;
    r.intended = r.sent = 1000 * MS;
    r.done = r.intended + latency_ms * MS;
    r.first_byte = r.intended + MS;
    r.err = err;
    r.status = status;
    r.stream = stream;
    r.first_token = stream ? r.intended + 2 * MS : 0;
    r.last_token = stream ? r.done - MS : 0;
    r.tokens = stream ? 10 : 0;
    /* Five chunks of two tokens, 1 ms apart; the stream's usage said 10. */
    static const uint32_t gaps[] = {1000, 1000, 1000, 1000};
    r.chunks = stream ? 5 : 0;
    r.usage_tokens = stream ? 10 : -1;
    r.first_output = r.first_token;
    r.last_output = r.first_token + 4 * MS;
    r.gaps = stream ? gaps : NULL;
    r.ngaps = stream ? 4 : 0;
    r.good = err == HX_ERR_NONE && latency_ms < 40;
    r.mock_service_ms = dep ? 0.5 : HX_NO_VALUE;
    r.gateway_overhead_ms = HX_NO_VALUE;
    r.deployment = dep;
    r.deployment_len = dep ? (uint32_t)strlen(dep) : 0;
    hx_stats_record(s, &r);
}

static void add_expect(fixture_t *f, const char *flag)
{
    char err[512];
    size_t i = f->report.nexpects;
    if (hx_expect_parse_flag(flag, &f->expects[i], err, sizeof(err)) != 0) {
        print_error("%s\n", err);
        fail();
    }
    hx_eval_input_t in = {&f->total, &f->first, &f->last, f->info.duration_s};
    hx_expect_eval(&f->expects[i], &in, &f->verdicts[i]);
    f->report.nexpects++;
}

static void finish(fixture_t *f)
{
    f->report.pass = true;
    for (size_t i = 0; i < f->report.nexpects; i++)
        f->report.pass = f->report.pass && f->verdicts[i].pass;
}

static fixture_t *make_fixture(bool streams, const char *scenario)
{
    fixture_t *f = calloc(1, sizeof(*f));
    hx_stats_init(&f->total);
    hx_stats_init(&f->first);
    hx_stats_init(&f->last);
    for (int i = 0; i < 200; i++) {
        const char *dep = streams ? (i % 4 == 0 ? "rep-b" : "rep-a \"quoted\"") : NULL;
        rec(&f->total, (uint64_t)(i % 50) + 1, i % 20 == 0 ? HX_ERR_HTTP_429 : HX_ERR_NONE, i % 20 ? 200 : 429, dep,
            streams && i % 2 == 0);
    }
    if (streams)
        for (int i = 0; i < 50; i++)
            hx_stats_record_icl(&f->total, (uint64_t)(i + 1) * MS / 10);
    for (int i = 0; i < 6; i++) /* cut off at the end of the run */
        rec(&f->total, 5, HX_ERR_CLIENT_CLOSED, 0, NULL, false);
    for (int i = 0; i < 4; i++) /* the in-flight cap was reached */
        hx_stats_record_dropped(&f->total);
    f->total.sent = 206;
    f->total.start_ns = 5;
    for (int i = 0; i < 5; i++) {
        rec(&f->first, 10, HX_ERR_NONE, 200, NULL, false);
        rec(&f->last, 12, HX_ERR_NONE, 200, NULL, false);
    }
    f->info = (hx_run_info_t){scenario,
                              "http://127.0.0.1:4000/v1",
                              "constant 20/s",
                              42,
                              1700000000123ull,
                              10.0,
                              10.0,
                              20.0,
                              2,
                              false,
                              request_names,
                              2,
                              model_names,
                              1,
                              NULL,
                              10.0,
                              NULL,
                              0,
                              0,
                              -1};
    f->report = (hx_report_t){&f->info, &f->total, &f->first, &f->last, f->expects, f->verdicts, 0,
                              false,    NULL,      0,         NULL,     0,          NULL};
    add_expect(f, "latency.p99<500ms");
    add_expect(f, "failure_rate<=1%"); /* 10 x 429, 6 aborted, 4 dropped of 210 offered: fails */
    add_expect(f, "drift.latency.p99<=1.5");
    if (streams)
        add_expect(f, "ttft.p50<1s");
    finish(f);
    return f;
}

static char *slurp(FILE *fp)
{
    long n = ftell(fp);
    rewind(fp);
    char *s = malloc((size_t)n + 1);
    assert_int_equal(fread(s, 1, (size_t)n, fp), (size_t)n);
    s[n] = '\0';
    return s;
}

static char *write_with(int (*fn)(FILE *, const hx_report_t *), const hx_report_t *r)
{
    FILE *fp = tmpfile();
    assert_non_null(fp);
    assert_int_equal(fn(fp, r), 0);
    char *s = slurp(fp);
    fclose(fp);
    return s;
}

/* Token of a dotted path ("run.version", "deployments.rep-b.share"); 0 when absent. */
static uint32_t jpath(const cm_json_doc_t *d, const char *path)
{
    char key[64];
    uint32_t t = 0;
    while (*path && t != UINT32_MAX) {
        const char *dot = strchr(path, '.');
        size_t n = dot ? (size_t)(dot - path) : strlen(path);
        memcpy(key, path, n);
        key[n] = '\0';
        t = cm_json_get(d, t, key);
        if (t == 0)
            return 0;
        path += n + (dot != NULL);
    }
    return t;
}

static double jnum(const cm_json_doc_t *d, const char *path)
{
    uint32_t t = jpath(d, path);
    double v = -1;
    if (t == 0 || cm_json_double(d, t, &v) != 0) {
        print_error("no number at %s\n", path);
        fail();
    }
    return v;
}

static void assert_has(const cm_json_doc_t *d, const char *path)
{
    if (jpath(d, path) == 0) {
        print_error("missing %s\n", path);
        fail();
    }
}

static void test_json_summary_fields(void **state)
{
    (void)state;
    fixture_t *f = make_fixture(true, "rate-limit-lb");
    char *s = write_with(hx_report_json, &f->report);
    cm_json_toks_t toks = {0};
    cm_json_doc_t d;
    char err[128];
    if (cm_json_parse(&d, s, strlen(s), &toks, err, sizeof(err)) != 0) {
        print_error("%s\n%s\n", err, s);
        fail();
    }
    static const char *const required[] = {
        "schema_version",
        "run.scenario",
        "run.target",
        "run.arrival",
        "run.seed",
        "run.started_at",
        "run.planned_s",
        "run.duration_s",
        "run.threads",
        "run.interrupted",
        "run.version",
        "run.host",
        "requests.total",
        "requests.ok",
        "requests.failed",
        "requests.rate_limited",
        "requests.aborted",
        "requests.dropped",
        "requests.offered",
        "requests.unsuccessful",
        "requests.late",
        "rate.offered",
        "rate.achieved",
        "latency_ms.p50",
        "latency_ms.p90",
        "latency_ms.p95",
        "latency_ms.p99",
        "latency_ms.p999",
        "latency_ms.max",
        "latency_ms.mean",
        "service_ms.p50",
        "service_ms.p90",
        "service_ms.p99",
        "service_ms.max",
        "ttfb_ms.p99",
        "ttft_ms.p50",
        "itl_ms.p99",
        "ttlt_ms.max",
        "icl_ms.p99",
        "tpot_ms.p50",
        "tpot_incl_first_ms.p50",
        "e2e_ms.p99",
        "output_tokens_per_s.p50",
        "output_tokens_per_s.aggregate",
        "token_counts.differs",
        "goodput.rate",
        "goodput.attainment",
        "tokens.total",
        "errors.http_429",
        "status_classes.2xx",
        "status_classes.4xx",
        "by_request",
        "by_model",
        "deployments.rep-b.total",
        "deployments.rep-b.ok",
        "deployments.rep-b.failed",
        "deployments.rep-b.rate_limited",
        "deployments.rep-b.share",
        "overhead_ms.gateway.p99",
        "overhead_ms.mock_service.p50",
        "drift_windows.first.latency_ms.p99",
        "expectations",
        "verdict",
    };
    for (size_t i = 0; i < sizeof(required) / sizeof(required[0]); i++)
        assert_has(&d, required[i]);
    assert_true(jnum(&d, "schema_version") == 1);
    assert_true(cm_json_str_eq(&d, jpath(&d, "run.version"), SOAK_VERSION));
    assert_true(cm_json_str_eq(&d, jpath(&d, "run.started_at"), "2023-11-14T22:13:20.123Z"));
    assert_true(cm_json_str_eq(&d, jpath(&d, "run.scenario"), "rate-limit-lb"));
    assert_true(jnum(&d, "requests.total") == 200);
    assert_true(jnum(&d, "requests.ok") == 190);
    assert_true(jnum(&d, "requests.rate_limited") == 10);
    assert_true(jnum(&d, "requests.aborted") == 6);
    assert_true(jnum(&d, "requests.dropped") == 4);
    assert_true(jnum(&d, "requests.offered") == 210);     /* 200 outcomes + 6 aborted + 4 dropped */
    assert_true(jnum(&d, "requests.unsuccessful") == 20); /* 10 failed + 6 aborted + 4 dropped */
    assert_true(jnum(&d, "errors.dropped") == 4);
    assert_true(jnum(&d, "errors.client_closed") == 6);
    assert_true(jnum(&d, "rate.achieved") == 20.0);
    assert_true(jnum(&d, "rate.offered") == 21.0);
    assert_true(jnum(&d, "latency_ms.max") == 50.0);
    assert_true(jnum(&d, "tokens.total") == 1000);
    assert_true(jnum(&d, "deployments.rep-b.total") == 50);
    assert_true(jnum(&d, "deployments.rep-b.share") == 0.25);
    assert_true(jpath(&d, "errors.none") == 0);
    /* A deployment name with quotes is escaped, not breaking the document. */
    uint32_t deps = jpath(&d, "deployments");
    assert_int_equal(d.tok[deps].count, 2);
    assert_true(cm_json_str_eq(&d, cm_json_first(&d, deps), "rep-a \"quoted\"") ||
                cm_json_str_eq(&d, cm_json_next(&d, cm_json_first(&d, deps) + 1), "rep-a \"quoted\""));
    /* by_request: one entry per workload template, with its name */
    uint32_t br = jpath(&d, "by_request");
    assert_int_equal(cm_json_type(&d, br), CM_JSON_ARRAY);
    assert_int_equal(d.tok[br].count, 2);
    assert_true(cm_json_str_eq(&d, cm_json_get(&d, cm_json_at(&d, br, 0), "name"), "openai.chat stream"));
    /* expectations in order with their verdicts */
    uint32_t ex = jpath(&d, "expectations");
    assert_int_equal(d.tok[ex].count, 4);
    uint32_t e1 = cm_json_at(&d, ex, 1);
    assert_true(cm_json_str_eq(&d, cm_json_get(&d, e1, "metric"), "failure_rate"));
    assert_true(cm_json_str_eq(&d, cm_json_get(&d, e1, "result"), "fail"));
    assert_true(cm_json_str_eq(&d, cm_json_get(&d, e1, "unit"), "fraction"));
    assert_int_equal(cm_json_type(&d, cm_json_get(&d, e1, "min")), CM_JSON_NULL);
    double measured;
    assert_int_equal(cm_json_double(&d, cm_json_get(&d, e1, "measured"), &measured), 0);
    assert_true(fabs(measured - 20.0 / 210.0) < 1e-12);
    assert_true(cm_json_str_eq(&d, cm_json_get(&d, cm_json_at(&d, ex, 0), "result"), "pass"));
    assert_int_equal(cm_json_type(&d, cm_json_get(&d, e1, "default")), CM_JSON_FALSE);
    assert_true(cm_json_str_eq(&d, jpath(&d, "verdict"), "fail"));
    /* Two tokens a chunk: a 1 ms gap is 0.5 ms per token; TPOT 4 ms over 9 tokens; usage 10 vs 5 chunks. */
    assert_true(fabs(jnum(&d, "itl_ms.p50") - 0.5) < 0.001);
    assert_true(jnum(&d, "icl_ms.count") == 50); /* recorded as the chunks arrive, apart from the results */
    assert_true(fabs(jnum(&d, "tpot_ms.p50") - 4.0 / 9.0) < 0.005);
    assert_true(jnum(&d, "token_counts.differs") == jnum(&d, "token_counts.usage_reported"));
    assert_true(jnum(&d, "token_counts.usage_tokens") == 2 * jnum(&d, "token_counts.chunks"));
    cm_json_toks_free(&toks);
    free(s);
    free(f);
}

static void test_json_optional_sections(void **state)
{
    (void)state;
    fixture_t *f = make_fixture(false, "plain");
    f->report.nexpects = 1; /* latency.p99 only: passes */
    finish(f);
    char *s = write_with(hx_report_json, &f->report);
    cm_json_toks_t toks = {0};
    cm_json_doc_t d;
    char err[128];
    assert_int_equal(cm_json_parse(&d, s, strlen(s), &toks, err, sizeof(err)), 0);
    assert_int_equal(jpath(&d, "ttft_ms"), 0); /* no streams: no stream sections */
    assert_int_equal(jpath(&d, "itl_ms"), 0);
    assert_int_equal(jpath(&d, "ttlt_ms"), 0);
    assert_int_equal(jpath(&d, "overhead_ms"), 0);
    assert_int_equal(d.tok[jpath(&d, "deployments")].count, 0);
    assert_true(cm_json_str_eq(&d, jpath(&d, "verdict"), "pass"));
    cm_json_toks_free(&toks);
    free(s);
    /* Nothing succeeded: the verdict fails even though no expectation did; empty latency is null, not 0. */
    hx_stats_init(&f->total);
    rec(&f->total, 5, HX_ERR_CONNECT_REFUSED, 0, NULL, false);
    f->report.nexpects = 0;
    f->report.first_window = f->report.last_window = NULL;
    finish(f);
    assert_false(hx_report_verdict(&f->report));
    s = write_with(hx_report_json, &f->report);
    assert_int_equal(cm_json_parse(&d, s, strlen(s), &toks, err, sizeof(err)), 0);
    assert_true(cm_json_str_eq(&d, jpath(&d, "verdict"), "fail"));
    assert_int_equal(cm_json_type(&d, jpath(&d, "latency_ms.p50")), CM_JSON_NULL);
    assert_true(jnum(&d, "latency_ms.count") == 0);
    assert_int_equal(jpath(&d, "drift_windows"), 0);
    cm_json_toks_free(&toks);
    free(s);
    free(f);
}

/* A minimal XML well-formedness check: balanced tags, quoted attributes, no raw '<' or '&' in text or
 * attribute values except entity references. */
static void check_xml(const char *s)
{
    const char *stack[32];
    size_t lens[32];
    int depth = 0;
    if (strncmp(s, "<?xml ", 6) != 0)
        fail_msg("no XML declaration");
    s = strstr(s, "?>") + 2;
    while (*s) {
        if (*s == '&') {
            if (strncmp(s, "&amp;", 5) && strncmp(s, "&lt;", 4) && strncmp(s, "&gt;", 4) && strncmp(s, "&quot;", 6) &&
                strncmp(s, "&apos;", 6) && strncmp(s, "&#10;", 5))
                fail_msg("raw & at %.20s", s);
            s++;
            continue;
        }
        if (*s != '<') {
            if (*s == '>')
                fail_msg("raw > in text at %.20s", s);
            s++;
            continue;
        }
        bool closing = s[1] == '/';
        const char *name = s + 1 + closing;
        size_t n = strcspn(name, " />");
        const char *p = name + n;
        bool in_quote = false;
        for (; *p && (in_quote || (*p != '>')); p++) {
            if (*p == '"')
                in_quote = !in_quote;
            else if (in_quote && *p == '<')
                fail_msg("raw < in attribute");
        }
        assert_int_equal(*p, '>');
        bool empty = p[-1] == '/';
        if (closing) {
            assert_true(depth > 0);
            depth--;
            assert_int_equal(lens[depth], n);
            assert_memory_equal(stack[depth], name, n);
        } else if (!empty) {
            assert_true(depth < 32);
            stack[depth] = name;
            lens[depth++] = n;
        }
        s = p + 1;
    }
    assert_int_equal(depth, 0);
}

static int count(const char *s, const char *needle)
{
    int n = 0;
    for (const char *p = strstr(s, needle); p; p = strstr(p + 1, needle))
        n++;
    return n;
}

static void test_junit(void **state)
{
    (void)state;
    fixture_t *f = make_fixture(true, "ci <soak> & \"friends\"");
    char *s = write_with(hx_report_junit, &f->report);
    check_xml(s);
    assert_int_equal(count(s, "<testsuite "), 1);
    assert_non_null(strstr(s, "<testsuite name=\"soak\" tests=\"5\" failures=\"1\""));
    assert_int_equal(count(s, "<testcase "), 5); /* run + 4 expectations */
    assert_int_equal(count(s, "<failure "), 1);
    assert_non_null(strstr(s, "name=\"run\""));
    assert_non_null(strstr(s, "classname=\"soak.ci &lt;soak&gt; &amp; &quot;friends&quot;\""));
    assert_non_null(
        strstr(s, "failure_rate measured 9.52%, expected &lt;= 1% (failed 10, aborted 6, dropped 4 of 210 offered)"));
    assert_non_null(strstr(s, "timestamp=\"2023-11-14T22:13:20\""));
    free(s);
    /* A long name cut by the class name's buffer ends mid-character, and a name may hold bytes that are not
     * UTF-8 or U+FFFF: each such byte is '?', so the document stays UTF-8 (as it declares) and XML 1.0. */
    char euros[3 * 100 + 16] = "\xff\xef\xbf\xbf\x01";
    for (int i = 0; i < 100; i++)
        strcat(euros, "\xe2\x82\xac");
    f->info.scenario = euros;
    s = write_with(hx_report_junit, &f->report);
    check_xml(s);
    const char *cls = strstr(s, "classname=\"soak.?????\xe2\x82\xac\xe2\x82\xac");
    assert_non_null(cls);
    /* 5 + 5 + 49 x 3 bytes fill the 159 the buffer keeps but for the first two of the 50th euro sign */
    assert_non_null(strstr(cls, "\xe2\x82\xac??\" name=\"run\""));
    for (const char *p = cls + 11; *p != '"'; p++)
        if ((unsigned char)*p >= 0x80 && strncmp(p, "\xe2\x82\xac", 3) != 0)
            fail_msg("a byte that is not UTF-8 at %td of the class name", p - cls);
        else if ((unsigned char)*p >= 0x80)
            p += 2;
    free(s);
    /* Nothing succeeded: the run case fails and says why. */
    hx_stats_init(&f->total);
    rec(&f->total, 5, HX_ERR_CONNECT_REFUSED, 0, NULL, false);
    rec(&f->total, 5, HX_ERR_CONNECT_REFUSED, 0, NULL, false);
    f->report.nexpects = 0;
    finish(f);
    s = write_with(hx_report_junit, &f->report);
    check_xml(s);
    assert_non_null(strstr(s, "tests=\"1\" failures=\"1\""));
    assert_non_null(strstr(s, "no request succeeded (2 completed, connect_refused 2)"));
    free(s);
    free(f);
}

/* A run the scenario runner failed (a process it started died) fails everywhere, with the reason, even
 * when every expectation passed. */
static void test_runner_failure(void **state)
{
    (void)state;
    fixture_t *f = make_fixture(false, "plain");
    f->report.nexpects = 0;
    finish(f);
    assert_true(hx_report_verdict(&f->report));
    f->info.failure = "service redis (pid 7) exited with status 1 during the load";
    assert_false(hx_report_verdict(&f->report));
    char *s = write_with(hx_report_json, &f->report);
    assert_non_null(strstr(s, "\"failure\":\"service redis (pid 7) exited with status 1 during the load\""));
    assert_non_null(strstr(s, "\"verdict\":\"fail\""));
    free(s);
    s = write_with(hx_report_junit, &f->report);
    check_xml(s);
    assert_non_null(strstr(s, "<failure message=\"service redis (pid 7) exited with status 1 during the load\""));
    free(s);
    FILE *fp = tmpfile();
    hx_report_table(fp, &f->report);
    s = slurp(fp);
    fclose(fp);
    assert_non_null(strstr(s, "FAILED   service redis (pid 7)"));
    assert_non_null(strstr(s, "Verdict: FAIL"));
    free(s);
    free(f);
}

/* The webhook's message: valid JSON whatever the names hold, a header block with the verdict, the fields
 * Slack shows (at most 10), the first failure's time. */
static void test_webhook_body(void **state)
{
    (void)state;
    fixture_t *f = make_fixture(false, "ci <x> & \"y\"\n");
    cm_buf_t b = CM_BUF_INIT;
    hx_webhook_body(&b, &f->report, 1.25);
    cm_json_toks_t toks = {0};
    cm_json_doc_t d;
    char err[128];
    if (cm_json_parse(&d, b.data, b.len, &toks, err, sizeof(err)) != 0) {
        print_error("%s\n%s\n", err, b.data);
        fail();
    }
    assert_non_null(strstr(b.data, "\"type\":\"header\""));
    assert_non_null(strstr(b.data, "soak: ci <x> & \\\"y\\\"\\n FAIL"));
    assert_non_null(strstr(b.data, "*First failure*\\n1.2s into the run"));
    assert_non_null(strstr(b.data, "*Latency*\\np50 "));
    uint32_t blocks = cm_json_get(&d, 0, "blocks");
    assert_int_not_equal(blocks, 0);
    cm_buf_reset(&b);
    f->info.failure = "service redis (pid 7) exited with status 1 during the load";
    hx_webhook_body(&b, &f->report, -1);
    assert_non_null(strstr(b.data, "*Verdict*\\nservice redis (pid 7) exited"));
    assert_non_null(strstr(b.data, "*First failure*\\nnone"));
    cm_buf_free(&b);
    cm_json_toks_free(&toks);
    free(f);
}

static void test_table_fits_100_columns(void **state)
{
    (void)state;
    fixture_t *f = make_fixture(true, "a-rather-long-scenario-name");
    f->info.interrupted = true;
    /* the widest client self-check: a long run's engine CPU and thread-intervals (it was 114 columns) */
    f->total.cpu_ns = 12345678ull * 1000000000ull;
    f->total.cpu_samples = 123456789;
    f->total.cpu_saturated = 123456789;
    f->total.cpu_busy_max = 1000;
    FILE *fp = tmpfile();
    hx_report_table(fp, &f->report);
    char *s = slurp(fp);
    fclose(fp);
    int line = 1;
    for (const char *p = s; *p;) {
        size_t n = strcspn(p, "\n");
        if (n > 100) {
            print_error("line %d is %zu columns:\n%.*s\n", line, n, (int)n, p);
            fail();
        }
        p += n + (p[n] == '\n');
        line++;
    }
    static const char *const want[] = {
        "a-rather-long-scenario-name",
        "INTERRUPTED",
        "latency (intended)",
        "service (sent)",
        "ttft (intended)",
        "itl",
        "gateway overhead",
        "http_429 10 (4.76%)",
        "client_closed 6 (2.86%)",
        "dropped 4 (1.90%)",
        "offered 210  unsuccessful 20 (9.52%: failed + aborted + dropped)",
        "rep-b",
        "25.0%",
        "PASS  latency.p99",
        "FAIL  failure_rate",
        "measured 9.52%",
        "Verdict: FAIL (3 of 4 expectations passed)",
        "offered 21.0/s",
        "achieved 20.0/s",
    };
    for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
        if (strstr(s, want[i]) == NULL) {
            print_error("table lacks \"%s\":\n%s\n", want[i], s);
            fail();
        }
    }
    free(s);
    free(f);
}

/* A run that gave no expectation is judged by the default one, and every report says it is the default. */
static void test_default_expectation_is_marked(void **state)
{
    (void)state;
    fixture_t *f = make_fixture(false, "dflt");
    f->report.nexpects = 1;
    hx_expect_default(&f->expects[0]);
    hx_eval_input_t in = {&f->total, NULL, NULL, f->info.duration_s};
    hx_expect_eval(&f->expects[0], &in, &f->verdicts[0]);
    finish(f);
    FILE *fp = tmpfile();
    hx_report_table(fp, &f->report);
    char *s = slurp(fp);
    fclose(fp);
    assert_non_null(strstr(s, "FAIL  failure_rate"));
    assert_non_null(strstr(s, "<= 1% (default)"));
    assert_non_null(strstr(s, "measured 9.52%"));
    free(s);
    s = write_with(hx_report_json, &f->report);
    cm_json_toks_t toks = {0};
    cm_json_doc_t d;
    char err[128];
    assert_int_equal(cm_json_parse(&d, s, strlen(s), &toks, err, sizeof(err)), 0);
    uint32_t e0 = cm_json_at(&d, jpath(&d, "expectations"), 0);
    assert_int_equal(cm_json_type(&d, cm_json_get(&d, e0, "default")), CM_JSON_TRUE);
    assert_true(cm_json_str_eq(&d, cm_json_get(&d, e0, "bound"), "<= 1%"));
    assert_true(cm_json_str_eq(&d, jpath(&d, "verdict"), "fail"));
    cm_json_toks_free(&toks);
    free(s);
    s = write_with(hx_report_junit, &f->report);
    check_xml(s);
    assert_non_null(strstr(s, "name=\"failure_rate &lt;= 1% (default)\""));
    free(s);
    free(f);
}

static void test_progress_line(void **state)
{
    (void)state;
    fixture_t *f = make_fixture(false, "p");
    hx_stats_t *iv = &f->first;
    iv->start_ns = 1000 * MS;
    iv->end_ns = 2000 * MS;
    char buf[256];
    hx_report_progress(buf, sizeof(buf), iv, &f->total, 12.04, 60, 17);
    assert_true(strlen(buf) < 100);
    assert_non_null(strstr(buf, "12.0s/60s"));
    assert_non_null(strstr(buf, "rate 5/s"));
    assert_non_null(strstr(buf, "ok 190"));
    assert_non_null(strstr(buf, "not ok 20")); /* 10 failed + 6 aborted + 4 dropped, as failure_rate counts */
    assert_non_null(strstr(buf, "p50 10.0"));
    assert_non_null(strstr(buf, "inflight 17"));
    hx_report_progress(buf, sizeof(buf), NULL, &f->total, 0.5, 60, 0);
    assert_non_null(strstr(buf, "rate -"));
    hx_report_progress(buf, 8, NULL, &f->total, 0.5, 60, 0); /* truncated, terminated */
    assert_int_equal(strlen(buf), 7);
    free(f);
}

static void test_write_errors(void **state)
{
    (void)state;
    FILE *fp = fopen("/dev/full", "w");
    if (fp == NULL)
        fail_msg("cannot open /dev/full (this test needs it to provoke a write error)");
    fixture_t *f = make_fixture(false, "full");
    assert_int_equal(hx_report_json(fp, &f->report), -1);
    clearerr(fp);
    assert_int_equal(hx_report_junit(fp, &f->report), -1);
    fclose(fp);
    free(f);
}

static void test_iso_time(void **state)
{
    (void)state;
    char buf[40];
    assert_string_equal(hx_report_iso_time(buf, sizeof(buf), 0), "1970-01-01T00:00:00.000Z");
    assert_string_equal(hx_report_iso_time(buf, sizeof(buf), 1700000000999ull), "2023-11-14T22:13:20.999Z");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_json_summary_fields),
        cmocka_unit_test(test_json_optional_sections),
        cmocka_unit_test(test_junit),
        cmocka_unit_test(test_runner_failure),
        cmocka_unit_test(test_webhook_body),
        cmocka_unit_test(test_table_fits_100_columns),
        cmocka_unit_test(test_default_expectation_is_marked),
        cmocka_unit_test(test_progress_line),
        cmocka_unit_test(test_write_errors),
        cmocka_unit_test(test_iso_time),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
