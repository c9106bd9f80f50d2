/* tests/unit/harness/report/html_test.c — the HTML report: a well-formed document whose SVG charts are valid
 * XML on their own, hostile names escaped (and bounded), every chart and the verdict table present, the
 * failure banner, fault windows shaded, nothing referenced from outside the file, the downsampling bound
 * on a long series, and write errors. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "harness/report/html.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MS 1000000ull

static const char hostile[] = "<img src=x onerror=alert(1)> & \"q\" 'a' ]]>";

typedef struct fixture {
    hx_stats_t total, first, last;
    hx_run_info_t info;
    hx_expect_t expects[3];
    hx_verdict_t verdicts[3];
    hx_report_t report;
    hx_timeline_t *tl;
    hx_html_input_t in;
} fixture_t;

static void rec(hx_stats_t *s, uint64_t latency_ms, hx_err_t err, const char *dep, bool stream)
{
    hx_result_t r;
    memset(&r, 0, sizeof(r));
    r.intended = r.sent = 1000 * MS;
    r.done = r.intended + latency_ms * MS;
    r.first_byte = r.intended + MS;
    r.err = err;
    r.status = err == HX_ERR_HTTP_429 ? 429 : err == HX_ERR_HTTP_5XX ? 503 : 200;
    r.stream = stream;
    r.first_token = stream ? r.intended + 2 * MS : 0;
    r.last_token = stream ? r.done : 0;
    r.tokens = stream ? 4 : 0;
    r.mock_service_ms = HX_NO_VALUE;
    r.gateway_overhead_ms = HX_NO_VALUE;
    r.deployment = dep;
    r.deployment_len = dep ? (uint32_t)strlen(dep) : 0;
    hx_stats_record(s, &r);
}

static void add_expect(fixture_t *f, const char *flag)
{
    char err[256];
    size_t i = f->report.nexpects++;
    assert_int_equal(hx_expect_parse_flag(flag, &f->expects[i], err, sizeof(err)), 0);
    hx_eval_input_t in = {&f->total, &f->first, &f->last, f->info.duration_s};
    hx_expect_eval(&f->expects[i], &in, &f->verdicts[i]);
    f->report.pass = f->report.pass && f->verdicts[i].pass;
}

/* A 60 s run of 1 s intervals: successes on two deployments (one with a hostile name), 429s and 5xx. */
static fixture_t *make_fixture(const char *scenario)
{
    fixture_t *f = calloc(1, sizeof(*f));
    hx_stats_t *iv = calloc(1, sizeof(*iv));
    hx_stats_init(&f->total);
    hx_stats_init(&f->first);
    hx_stats_init(&f->last);
    f->tl = hx_timeline_new();
    for (int sec = 0; sec < 60; sec++) {
        hx_stats_reset(iv, (uint64_t)sec * 1000 * MS);
        for (int i = 0; i < 20; i++)
            rec(iv, (uint64_t)(5 + i + sec % 7),
                i % 10 == 0 ? HX_ERR_HTTP_429
                : i == 5    ? HX_ERR_HTTP_5XX
                            : HX_ERR_NONE,
                i % 3 ? "alpha" : hostile, i % 2 == 0);
        iv->sent = 20;
        hx_timeline_add(f->tl, iv, sec, sec + 1);
        hx_stats_merge(&f->total, iv);
    }
    free(iv);
    f->info = (hx_run_info_t){scenario,
                              "http://127.0.0.1:4000/v1",
                              "constant 20/s",
                              7,
                              1700000000000ull,
                              60,
                              60,
                              20,
                              1,
                              false,
                              NULL,
                              0,
                              NULL,
                              0,
                              NULL,
                              60,
                              NULL,
                              0,
                              0,
                              -1};
    f->report = (hx_report_t){&f->info, &f->total, &f->first, &f->last, f->expects, f->verdicts, 0,
                              true,     NULL,      0,         NULL,     0,          NULL};
    add_expect(f, "failure_rate<=50%");
    add_expect(f, "latency.p99<1ms"); /* fails */
    f->in = (hx_html_input_t){&f->report, f->tl, NULL, 0};
    return f;
}

static void free_fixture(fixture_t *f)
{
    hx_timeline_free(f->tl);
    free(f);
}

static char *render(const hx_html_input_t *in)
{
    cm_buf_t b = CM_BUF_INIT;
    hx_html_render(&b, in);
    return cm_buf_detach(&b);
}

static int count(const char *s, const char *needle)
{
    int n = 0;
    for (const char *p = strstr(s, needle); p; p = strstr(p + 1, needle))
        n++;
    return n;
}

/* ---- a small XML reader ----------------------------------------------------------------------------- */

/* Checks an entity reference at s: the five XML ones or a numeric one. Returns its length. */
static size_t entity_len(const char *s)
{
    static const char *const names[] = {"&amp;", "&lt;", "&gt;", "&quot;", "&apos;"};
    for (size_t i = 0; i < 5; i++)
        if (strncmp(s, names[i], strlen(names[i])) == 0)
            return strlen(names[i]);
    size_t n = 2;
    if (s[1] == '#')
        while (isdigit((unsigned char)s[n]))
            n++;
    if (n > 2 && s[n] == ';')
        return n + 1;
    fail_msg("bad entity at \"%.24s\"", s);
    return 0;
}

/* Reads one tag at s ('<'); checks its name and attributes (name="value", values without '<' and with
 * valid entities). Sets name/len, *closing and *empty; returns the character after '>'. */
static const char *read_tag(const char *s, const char **name, size_t *len, bool *closing, bool *empty)
{
    *closing = s[1] == '/';
    *name = s + 1 + *closing;
    *len = strspn(*name, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-:");
    if (*len == 0)
        fail_msg("tag without a name at \"%.24s\"", s);
    const char *p = *name + *len;
    for (;;) {
        p += strspn(p, " \n\t");
        if (*p == '>' || (p[0] == '/' && p[1] == '>'))
            break;
        size_t an = strspn(p, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-:");
        if (an == 0 || p[an] != '=' || p[an + 1] != '"')
            fail_msg("unquoted or malformed attribute at \"%.30s\"", p);
        for (p += an + 2; *p != '"'; p++) {
            if (*p == '\0' || *p == '<')
                fail_msg("raw '<' or unterminated value in <%.*s>", (int)*len, *name);
            if (*p == '&')
                p += entity_len(p) - 1;
        }
        p++;
    }
    *empty = *p == '/';
    return p + (*empty ? 2 : 1);
}

/* Well-formed: every element closed in order, text without raw '<' or bad entities. With root set, the
 * input must be exactly one element of that name (XML with a single root). */
static void check_xml(const char *s, const char *root)
{
    const char *stack[64];
    size_t lens[64];
    int depth = 0, roots = 0;
    if (strncmp(s, "<!DOCTYPE html>", 15) == 0)
        s += 15;
    while (*s) {
        if (*s == '&') {
            s += entity_len(s);
            continue;
        }
        if (*s != '<') {
            if (root != NULL && depth == 0 && !isspace((unsigned char)*s))
                fail_msg("text outside the root element: \"%.24s\"", s);
            s++;
            continue;
        }
        const char *name;
        size_t n;
        bool closing, empty;
        s = read_tag(s, &name, &n, &closing, &empty);
        if (closing) {
            if (depth == 0 || lens[depth - 1] != n || memcmp(stack[depth - 1], name, n) != 0)
                fail_msg("</%.*s> closes <%.*s>", (int)n, name, depth ? (int)lens[depth - 1] : 0,
                         depth ? stack[depth - 1] : "");
            depth--;
            continue;
        }
        if (depth == 0) {
            roots++;
            if (root != NULL && (n != strlen(root) || memcmp(name, root, n) != 0))
                fail_msg("root element <%.*s>, expected <%s>", (int)n, name, root);
        }
        if (!empty) {
            assert_true(depth < 64);
            stack[depth] = name;
            lens[depth++] = n;
        }
    }
    if (depth != 0)
        fail_msg("<%.*s> never closed", (int)lens[depth - 1], stack[depth - 1]);
    assert_int_equal(roots, 1);
}

/* Checks each <svg>...</svg> of doc on its own as an XML document with an svg root and the SVG namespace. */
static int check_svgs(const char *doc)
{
    int n = 0;
    for (const char *p = strstr(doc, "<svg "); p; p = strstr(p + 1, "<svg ")) {
        const char *end = strstr(p, "</svg>");
        assert_non_null(end);
        char *svg = strndup(p, (size_t)(end + 6 - p));
        check_xml(svg, "svg");
        assert_non_null(strstr(svg, "xmlns=\"http://www.w3.org/2000/svg\""));
        free(svg);
        n++;
    }
    return n;
}

/* ---- tests ------------------------------------------------------------------------------------------ */

static void test_well_formed_with_charts(void **state)
{
    (void)state;
    fixture_t *f = make_fixture("nightly");
    char *s = render(&f->in);
    check_xml(s, "html");
    assert_int_equal(check_svgs(s), 5);
    static const char *const ids[] = {"chart-rate",        "chart-latency", "chart-ttft", "chart-errors",
                                      "chart-deployments", "verdicts",      "totals",     "run"};
    for (size_t i = 0; i < sizeof(ids) / sizeof(ids[0]); i++) {
        char id[64];
        snprintf(id, sizeof(id), "id=\"%s\"", ids[i]);
        if (strstr(s, id) == NULL)
            fail_msg("%s missing", id);
    }
    /* 3 rate lines + target, p50/p90/p99 twice, http_429 and http_5xx: every one has points. */
    assert_int_equal(count(s, "<path class=\"series\""), 4 + 3 + 3 + 2);
    assert_int_equal(count(s, "d=\"\""), 0);
    assert_non_null(strstr(s, ">http_429<"));
    assert_non_null(strstr(s, ">http_5xx<"));
    /* The verdict table: every expectation with metric, bound, measured and its result. */
    assert_non_null(strstr(s, "<td class=\"pass\">PASS</td><td>failure_rate</td><td>&lt;= 50%</td>"));
    assert_non_null(strstr(s, "<td class=\"fail\">FAIL</td><td>latency.p99</td><td>&lt; 1ms</td>"));
    assert_non_null(strstr(s, "id=\"verdict\">FAIL<"));
    assert_null(strstr(s, "id=\"failure\"")); /* no banner: the run itself did not fail */
    assert_null(strstr(s, "class=\"band\""));
    free(s);
    free_fixture(f);
}

static void test_failure_banner(void **state)
{
    (void)state;
    fixture_t *f = make_fixture("nightly");
    f->info.failure = "mock \"a\" exited with status 1 <last lines: panic & abort>";
    char *s = render(&f->in);
    check_xml(s, "html");
    assert_non_null(strstr(s, "<div class=\"failure\" id=\"failure\" role=\"alert\"><strong>The run failed:</strong> "
                              "mock &quot;a&quot; exited with status 1 &lt;last lines: panic &amp; abort&gt;</div>"));
    assert_non_null(strstr(s, "; the run failed)"));
    free(s);
    free_fixture(f);
}

static void test_hostile_names_escaped(void **state)
{
    (void)state;
    /* Invalid UTF-8 (a lone continuation byte, an overlong '/', a surrogate) and a control character. */
    fixture_t *f = make_fixture("<script>alert(1)</script> \x80 \xc0\xaf \xed\xa0\x80 \x01 caf\xc3\xa9");
    f->info.target = "http://h/v1?a=1&b=<2>";
    hx_report_window_t w[] = {{10, 20, "stall <redis> & \"co\""}, {30, 35, hostile}};
    f->in.windows = w;
    f->in.nwindows = 2;
    char *s = render(&f->in);
    check_xml(s, "html");
    check_svgs(s);
    assert_null(strstr(s, "<script"));
    assert_null(strstr(s, "<img"));
    assert_null(strstr(s, "<redis>"));
    assert_non_null(strstr(s, "&lt;script&gt;alert(1)&lt;/script&gt; ? ?? ??? ? caf\xc3\xa9"));
    assert_non_null(strstr(s, "&lt;img src=x onerror=alert(1)&gt; &amp; &quot;q&quot; &#39;a&#39; ]]&gt;"));
    assert_non_null(strstr(s, "http://h/v1?a=1&amp;b=&lt;2&gt;"));
    assert_non_null(strstr(s, "stall &lt;redis&gt; &amp; &quot;co&quot;"));
    free(s);
    free_fixture(f);
}

static void test_text_is_bounded(void **state)
{
    (void)state;
    size_t n = 100000;
    char *name = malloc(n + 1);
    for (size_t i = 0; i < n; i += 2) /* "é" repeated: a cut may only fall between characters */
        memcpy(name + i, "\xc3\xa9", 2);
    name[n] = '\0';
    cm_buf_t b = CM_BUF_INIT;
    hx_html_escape(&b, name, 0);
    assert_true(b.len <= HX_HTML_MAX_TEXT + 3);
    assert_int_equal(b.len % 2, 1); /* whole "é"s, then the 3-byte ellipsis */
    assert_string_equal(b.data + b.len - 3, "\xe2\x80\xa6");
    cm_buf_reset(&b);
    hx_html_escape(&b, "ab\xc3\xa9", 3); /* the bound cuts "é" in two: dropped, not split */
    assert_string_equal(b.data, "ab\xe2\x80\xa6");
    cm_buf_reset(&b);
    hx_html_escape(&b, "\xef\xbf\xbe\xf4\x90\x80\x80\xe2\x82", 0); /* U+FFFE, past U+10FFFF, truncated */
    assert_string_equal(b.data, "?????????");
    cm_buf_reset(&b);
    /* Lead bytes 0xf5..0xff start no UTF-8 character, whatever follows (they were taken for 3-byte leads). */
    hx_html_escape(&b, "\xfb\x8a\xb8|\xf8\x88\x80\x80\x80|\xff\xbf\xbf|\xf0\x9f\x98\x80", 0);
    assert_string_equal(b.data, "???|?????|???|\xf0\x9f\x98\x80");
    cm_buf_free(&b);
    fixture_t *f = make_fixture(name);
    hx_report_window_t w[HX_HTML_MAX_WINDOWS + 5];
    for (size_t i = 0; i < HX_HTML_MAX_WINDOWS + 5; i++)
        w[i] = (hx_report_window_t){(double)i, (double)i + 0.5, name};
    f->in.windows = w;
    f->in.nwindows = HX_HTML_MAX_WINDOWS + 5;
    char *s = render(&f->in);
    check_xml(s, "html");
    assert_int_equal(count(s, "<g class=\"band\">"), 4 * HX_HTML_MAX_WINDOWS);
    assert_non_null(strstr(s, "; 5 more not shown"));
    assert_true(strlen(s) < 4u * 1024 * 1024);
    free(s);
    free(name);
    free_fixture(f);
}

static void test_offline(void **state)
{
    (void)state;
    fixture_t *f = make_fixture("offline");
    char *s = render(&f->in);
    /* Attributes, not text: the hostile deployment name "<img src=x ...>" is in the file, escaped. */
    static const char *const banned[] = {" src=\"", " href=\"", "<script",  "<link",   "<img",  "<iframe",
                                         "url(",    "@import",  "https://", "<object", "<embed"};
    for (size_t i = 0; i < sizeof(banned) / sizeof(banned[0]); i++)
        if (strstr(s, banned[i]) != NULL)
            fail_msg("\"%s\" in the report: %.60s", banned[i], strstr(s, banned[i]));
    /* The only http:// are the SVG namespace (a name, never fetched) and the target, as text. */
    assert_int_equal(count(s, "http://"), count(s, "xmlns=\"http://www.w3.org/2000/svg\"") + 1);
    free(s);
    free_fixture(f);
}

/* The largest number of points in any one chart line. */
static size_t max_path_points(const char *s)
{
    size_t most = 0;
    for (const char *p = strstr(s, "<path class=\"series\""); p; p = strstr(p + 1, "<path class=\"series\"")) {
        const char *d = strstr(p, " d=\""), *end = strstr(d + 4, "\"");
        size_t n = 0;
        for (const char *c = d + 4; c < end; c++)
            n += *c == 'M' || *c == 'L';
        most = n > most ? n : most;
    }
    return most;
}

static void test_long_series_is_downsampled(void **state)
{
    (void)state;
    fixture_t *f = make_fixture("three days");
    hx_timeline_free(f->tl);
    f->tl = hx_timeline_new();
    hx_stats_t *iv = calloc(1, sizeof(*iv));
    hx_stats_init(iv);
    rec(iv, 12, HX_ERR_NONE, NULL, false);
    rec(iv, 12, HX_ERR_HTTP_429, NULL, false);
    iv->sent = 2;
    const size_t secs = 3 * 86400;
    for (size_t i = 0; i < secs; i++)
        hx_timeline_add(f->tl, iv, (double)i, (double)i + 1);
    free(iv);
    f->in.timeline = f->tl;
    f->info.duration_s = f->info.planned_s = f->info.judged_s = (double)secs;
    char *s = render(&f->in);
    check_xml(s, "html");
    size_t most = max_path_points(s);
    assert_true(most > HX_TIMELINE_POINTS / 2);
    assert_true(most <= HX_TIMELINE_POINTS);
    assert_non_null(strstr(s, "Each point merges 256 intervals"));
    assert_true(strlen(s) < 2u * 1024 * 1024);
    free(s);
    free_fixture(f);
}

static void test_no_data(void **state)
{
    (void)state;
    fixture_t *f = make_fixture("empty");
    f->in.timeline = NULL;
    hx_stats_init(&f->total);
    char *s = render(&f->in);
    check_xml(s, "html");
    assert_int_equal(check_svgs(s), 4);         /* no deployment bar without answers */
    assert_int_equal(count(s, ">no data<"), 3); /* the rate chart still draws its target */
    assert_non_null(strstr(s, "id=\"no-deployments\""));
    assert_non_null(strstr(s, "no request succeeded"));
    free(s);
    free_fixture(f);
}

/* Values no run should produce still give a finite, well-formed chart: no "nan" or "inf" coordinates. */
static void test_extreme_values(void **state)
{
    (void)state;
    double x[] = {0, 1, 2, 3, 4, NAN}, y[] = {1e300, INFINITY, NAN, -5, 1e-300, 7};
    hx_svg_series_t s = {"odd", "#000", x, y, 6, false};
    hx_report_window_t w[] = {{5, 1, "backwards"}, {NAN, 2, "nan"}, {-10, 1e308, "everything"}};
    hx_svg_chart_t c = {"odd", "odd values", "ms", 1e308, &s, 1, w, 3};
    cm_buf_t b = CM_BUF_INIT;
    hx_svg_line_chart(&b, &c);
    check_xml(b.data, "svg");
    for (const char *p = b.data; *p; p++)
        if (strncmp(p, "nan", 3) == 0 || strncmp(p, "inf", 3) == 0)
            fail_msg("non-finite number in the chart: %.40s", p);
    assert_true(count(b.data, "<line ") <= 2 * 65);
    assert_int_equal(count(b.data, "<g class=\"band\">"), 1);
    cm_buf_free(&b);
}

static void test_write_error(void **state)
{
    (void)state;
    fixture_t *f = make_fixture("full");
    FILE *full = fopen("/dev/full", "w");
    assert_non_null(full);
    assert_int_equal(hx_report_html(full, &f->in), -1);
    assert_int_equal(errno, ENOSPC);
    fclose(full);
    FILE *tmp = tmpfile();
    assert_int_equal(hx_report_html(tmp, &f->in), 0);
    assert_true(ftell(tmp) > 1000);
    fclose(tmp);
    free_fixture(f);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_well_formed_with_charts),
        cmocka_unit_test(test_failure_banner),
        cmocka_unit_test(test_hostile_names_escaped),
        cmocka_unit_test(test_text_is_bounded),
        cmocka_unit_test(test_offline),
        cmocka_unit_test(test_long_series_is_downsampled),
        cmocka_unit_test(test_no_data),
        cmocka_unit_test(test_extreme_values),
        cmocka_unit_test(test_write_error),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
