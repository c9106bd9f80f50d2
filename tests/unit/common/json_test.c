/* tests/unit/common/json_test.c — the JSON writer and the validating reader. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "common/json.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- helpers ---------------------------------------------------------------------------------------- */

typedef struct fixture {
    cm_json_toks_t toks;
    cm_json_doc_t doc;
    char err[160];
} fixture_t;

static int setup(void **state)
{
    *state = calloc(1, sizeof(fixture_t));
    return *state ? 0 : -1;
}

static int teardown(void **state)
{
    fixture_t *f = *state;
    cm_json_toks_free(&f->toks);
    free(f);
    return 0;
}

static int parse(fixture_t *f, const char *s)
{
    f->err[0] = '\0';
    return cm_json_parse(&f->doc, s, strlen(s), &f->toks, f->err, sizeof(f->err));
}

static void assert_parses(fixture_t *f, const char *s)
{
    if (parse(f, s) != 0)
        fail_msg("expected %s to parse, got: %s", s, f->err);
}

static void assert_rejects(fixture_t *f, const char *s, const char *msg)
{
    if (parse(f, s) == 0)
        fail_msg("expected %s to be rejected with \"%s\"", s, msg);
    assert_string_equal(f->err, msg);
}

/* ---- reader: acceptance ----------------------------------------------------------------------------- */

static void test_valid_documents(void **state)
{
    static const char *const ok[] = {
        "0",
        "-0",
        "1",
        "-1",
        "12.5",
        "0.5e10",
        "1E+2",
        "1e-2",
        "-0.0e0",
        "123456789012345678901234567890",
        "true",
        "false",
        "null",
        "\"\"",
        "\"abc\"",
        "[]",
        "{}",
        " \t\r\n[ ]\n ",
        "[1,2,3]",
        "{\"a\":1,\"b\":[true,false,null],\"c\":{\"d\":\"e\"}}",
        "\"\\\"\\\\\\/\\b\\f\\n\\r\\t\\u00e9\\uD83D\\uDE00\"",
        "\"caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80\"",
        "[[[[[]]]]]",
        "{\"\":\"\"}",
        "\"\\ud800\"",
        "[\"0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef\"]",
    };
    fixture_t *f = *state;
    for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++)
        assert_parses(f, ok[i]);
}

static void test_error_messages(void **state)
{
    fixture_t *f = *state;
    assert_rejects(f, "", "invalid JSON at byte 0: expected a value");
    assert_rejects(f, "   ", "invalid JSON at byte 3: expected a value");
    assert_rejects(f, "[1,]", "invalid JSON at byte 3: expected a value");
    assert_rejects(f, "{\"a\":1,}", "invalid JSON at byte 7: expected '\"' to start an object key");
    assert_rejects(f, "{\"a\" 1}", "invalid JSON at byte 5: expected ':' after object key");
    assert_rejects(f, "{\"a\":1 \"b\":2}", "invalid JSON at byte 7: expected ',' or '}'");
    assert_rejects(f, "[1 2]", "invalid JSON at byte 3: expected ',' or ']'");
    assert_rejects(f, "{1:2}", "invalid JSON at byte 1: expected '\"' to start an object key or '}'");
    assert_rejects(f, "[1]]", "invalid JSON at byte 3: expected end of input after the root value");
    assert_rejects(f, "1 2", "invalid JSON at byte 2: expected end of input after the root value");
    assert_rejects(f, "01", "invalid JSON at byte 1: expected end of input after the root value");
    assert_rejects(f, "-", "invalid JSON at byte 1: expected a digit");
    assert_rejects(f, "-a", "invalid JSON at byte 1: expected a digit");
    assert_rejects(f, "1.", "invalid JSON at byte 2: expected a digit after '.'");
    assert_rejects(f, "1.e5", "invalid JSON at byte 2: expected a digit after '.'");
    assert_rejects(f, "1e", "invalid JSON at byte 2: expected a digit in the exponent");
    assert_rejects(f, "1e+", "invalid JSON at byte 3: expected a digit in the exponent");
    assert_rejects(f, "+1", "invalid JSON at byte 0: expected a value");
    assert_rejects(f, ".5", "invalid JSON at byte 0: expected a value");
    assert_rejects(f, "tru", "invalid JSON at byte 0: expected a value");
    assert_rejects(f, "nul", "invalid JSON at byte 0: expected a value");
    assert_rejects(f, "True", "invalid JSON at byte 0: expected a value");
    assert_rejects(f, "\"abc", "invalid JSON at byte 0: unterminated string");
    assert_rejects(f, "[\"a\\", "invalid JSON at byte 3: unterminated string");
    assert_rejects(f, "\"a\nb\"", "invalid JSON at byte 2: control character in string (must be escaped)");
    assert_rejects(
        f, "\"\\x\"",
        "invalid JSON at byte 1: invalid escape (expected one of \\\" \\\\ \\/ \\b \\f \\n \\r \\t \\uXXXX)");
    assert_rejects(f, "\"\\u12g4\"", "invalid JSON at byte 1: expected 4 hex digits after \\u");
    assert_rejects(f, "\"\\u12", "invalid JSON at byte 1: expected 4 hex digits after \\u");
    assert_rejects(f, "\"\xff\"", "invalid JSON at byte 1: invalid UTF-8 in string");
    assert_rejects(f, "\"\xc0\xaf\"", "invalid JSON at byte 1: invalid UTF-8 in string");         /* overlong */
    assert_rejects(f, "\"\xed\xa0\x80\"", "invalid JSON at byte 1: invalid UTF-8 in string");     /* surrogate */
    assert_rejects(f, "\"\xf4\x90\x80\x80\"", "invalid JSON at byte 1: invalid UTF-8 in string"); /* > 10FFFF */
    assert_rejects(f, "\"\xe2\x82\"", "invalid JSON at byte 1: invalid UTF-8 in string");         /* truncated */
    assert_rejects(f, "{\"a\":}", "invalid JSON at byte 5: expected a value");
    assert_rejects(f, "[", "invalid JSON at byte 1: expected a value");
    assert_rejects(f, "{", "invalid JSON at byte 1: expected '\"' to start an object key or '}'");
    assert_rejects(f, "{\"a\":1", "invalid JSON at byte 6: expected ',' or '}'");
}

/* A control byte or quote placed at every offset of a long string must be found whatever its position
 * inside the 8-byte words and 64-byte blocks the scanner reads. */
static void test_swar_finds_specials_everywhere(void **state)
{
    fixture_t *f = *state;
    char s[200], want[80];
    for (size_t pos = 1; pos < 150; pos++) {
        memset(s, 'a', sizeof(s));
        s[0] = '"';
        s[160] = '"';
        s[161] = '\0';
        s[pos] = '\x01';
        snprintf(want, sizeof(want), "invalid JSON at byte %zu: control character in string (must be escaped)", pos);
        assert_rejects(f, s, want);
        s[pos] = '"';
        snprintf(want, sizeof(want), "invalid JSON at byte %zu: expected end of input after the root value", pos + 1);
        assert_rejects(f, s, want);
        s[pos] = '\xe9'; /* a lone Latin-1 byte is not UTF-8 */
        snprintf(want, sizeof(want), "invalid JSON at byte %zu: invalid UTF-8 in string", pos);
        assert_rejects(f, s, want);
        s[pos] = 0x7f; /* DEL is allowed raw */
        assert_parses(f, s);
        assert_int_equal(f->doc.tok[0].len, 159);
    }
}

static void test_depth_limit(void **state)
{
    fixture_t *f = *state;
    char s[2 * CM_JSON_MAX_DEPTH + 8];
    memset(s, '[', CM_JSON_MAX_DEPTH);
    memset(s + CM_JSON_MAX_DEPTH, ']', CM_JSON_MAX_DEPTH);
    s[2 * CM_JSON_MAX_DEPTH] = '\0';
    assert_parses(f, s);
    assert_int_equal(f->doc.ntok, CM_JSON_MAX_DEPTH);
    memset(s, '[', CM_JSON_MAX_DEPTH + 1);
    memset(s + CM_JSON_MAX_DEPTH + 1, ']', CM_JSON_MAX_DEPTH + 1);
    s[2 * CM_JSON_MAX_DEPTH + 2] = '\0';
    assert_rejects(f, s, "invalid JSON at byte 128: nesting deeper than 128 levels");
}

static void test_error_buffer_truncation_and_null(void **state)
{
    fixture_t *f = *state;
    char small[12];
    cm_json_doc_t doc;
    assert_int_equal(cm_json_parse(&doc, "[1,]", 4, &f->toks, small, sizeof(small)), -1);
    assert_string_equal(small, "invalid JSO");
    assert_int_equal(cm_json_parse(&doc, "[1,]", 4, &f->toks, NULL, 0), -1);
    /* Not NUL-terminated input: the parser must stop at len. */
    assert_int_equal(cm_json_parse(&doc, "[1]xyz", 3, &f->toks, small, sizeof(small)), 0);
    assert_int_equal(doc.ntok, 2);
}

/* ---- reader: structure and accessors ---------------------------------------------------------------- */

static void test_token_layout(void **state)
{
    fixture_t *f = *state;
    assert_parses(f, " {\"a\": [1, \"x\", {}], \"b\\n\": null} ");
    const cm_json_doc_t *d = &f->doc;
    assert_int_equal(d->ntok, 8);
    assert_int_equal(cm_json_type(d, 0), CM_JSON_OBJECT);
    assert_int_equal(d->tok[0].start, 1);
    assert_int_equal(d->tok[0].len, 32);
    assert_int_equal(d->tok[0].count, 2);
    assert_int_equal(cm_json_first(d, 0), 1); /* key "a" */
    assert_int_equal(cm_json_next(d, 1), 2);  /* its value */
    assert_int_equal(cm_json_type(d, 2), CM_JSON_ARRAY);
    assert_int_equal(d->tok[2].count, 3);
    assert_int_equal(cm_json_next(d, 2), 6); /* key "b\n" after the array's 3 children */
    assert_int_equal(d->tok[6].escaped, 1);
    assert_int_equal(d->tok[1].escaped, 0);
    assert_int_equal(cm_json_next(d, 7), 0);
    assert_int_equal(cm_json_next(d, 5), 0); /* {} is the array's last element */
    assert_int_equal(cm_json_first(d, 5), 0);
    cm_str_t raw = cm_json_raw(d, 2);
    assert_int_equal(raw.n, 12);
    assert_memory_equal(raw.p, "[1, \"x\", {}]", 12);
    raw = cm_json_raw(d, 4);
    assert_int_equal(raw.n, 1);
    assert_memory_equal(raw.p, "x", 1);
}

static void test_get_and_at(void **state)
{
    fixture_t *f = *state;
    assert_parses(f, "{\"model\":\"gpt\",\"m\\u006fdel2\":2,\"arr\":[10,20,30],\"k\\\"q\":true,\"\":1}");
    const cm_json_doc_t *d = &f->doc;
    uint32_t t = cm_json_get(d, 0, "model");
    assert_int_not_equal(t, 0);
    assert_true(cm_json_str_eq(d, t, "gpt"));
    assert_false(cm_json_str_eq(d, t, "gp"));
    assert_false(cm_json_str_eq(d, t, "gpt4"));
    int64_t v = 0;
    assert_int_equal(cm_json_int(d, cm_json_get(d, 0, "model2"), &v), 0); /* key written with an escape */
    assert_int_equal(v, 2);
    assert_int_not_equal(cm_json_get(d, 0, "k\"q"), 0);
    assert_int_not_equal(cm_json_get(d, 0, ""), 0);
    assert_int_equal(cm_json_get(d, 0, "missing"), 0);
    assert_int_equal(cm_json_get(d, 0, "mode"), 0);
    uint32_t arr = cm_json_get(d, 0, "arr");
    assert_int_equal(cm_json_get(d, arr, "x"), 0); /* not an object */
    assert_int_equal(cm_json_int(d, cm_json_at(d, arr, 2), &v), 0);
    assert_int_equal(v, 30);
    assert_int_equal(cm_json_at(d, arr, 3), 0);
    assert_int_equal(cm_json_at(d, 0, 0), 0); /* not an array */
    assert_false(cm_json_str_eq(d, arr, "arr"));
}

static void test_str_eq_escaped(void **state)
{
    fixture_t *f = *state;
    assert_parses(f, "[\"a\\nb\", \"\\u00e9t\\u00e9\", \"\\ud83d\\ude00\", \"x\\\\\"]");
    const cm_json_doc_t *d = &f->doc;
    assert_true(cm_json_str_eq(d, 1, "a\nb"));
    assert_false(cm_json_str_eq(d, 1, "a\\nb"));
    assert_false(cm_json_str_eq(d, 1, "a\n"));
    assert_true(cm_json_str_eq(d, 2, "\xc3\xa9t\xc3\xa9"));
    assert_true(cm_json_str_eq(d, 3, "\xf0\x9f\x98\x80"));
    assert_true(cm_json_str_eq(d, 4, "x\\"));
}

static void test_unescape(void **state)
{
    fixture_t *f = *state;
    assert_parses(
        f, "[\"\\\"q\\\\\\/\\b\\f\\n\\r\\t\", \"\\ud83d\\ude00!\", \"\\ude00\\ud83d\", \"\\u0000z\", \"plain\"]");
    const cm_json_doc_t *d = &f->doc;
    char out[64];
    assert_int_equal(cm_json_unescape(d, 1, out, sizeof(out)), 9);
    assert_string_equal(out, "\"q\\/\b\f\n\r\t");
    assert_int_equal(cm_json_unescape(d, 2, out, sizeof(out)), 5);
    assert_string_equal(out, "\xf0\x9f\x98\x80!");
    /* Lone or reversed surrogates cannot be UTF-8: each becomes U+FFFD. */
    assert_int_equal(cm_json_unescape(d, 3, out, sizeof(out)), 6);
    assert_string_equal(out, "\xef\xbf\xbd\xef\xbf\xbd");
    assert_int_equal(cm_json_unescape(d, 4, out, sizeof(out)), 2);
    assert_int_equal(out[0], 0);
    assert_int_equal(out[1], 'z');
    /* Truncation keeps the NUL and reports the full length. */
    assert_int_equal(cm_json_unescape(d, 5, out, 3), 5);
    assert_string_equal(out, "pl");
    assert_int_equal(cm_json_unescape(d, 5, NULL, 0), 5);
    assert_int_equal(cm_json_unescape(d, 2, out, 3), 5);
    assert_int_equal(strlen(out), 2);
}

static void test_int_values(void **state)
{
    static const struct {
        const char *text;
        int rc;
        int64_t v;
    } cases[] = {
        {"0", 0, 0},
        {"-0", 0, 0},
        {"-7", 0, -7},
        {"1.0", 0, 1},
        {"1.5", -1, 0},
        {"15e-1", -1, 0},
        {"2.5E+1", 0, 25},
        {"1e3", 0, 1000},
        {"100e-2", 0, 1},
        {"0.001e3", 0, 1},
        {"10.50e1", 0, 105},
        {"1005", 0, 1005},
        {"0e99999999999", 0, 0},
        {"9223372036854775807", 0, INT64_MAX},
        {"-9223372036854775808", 0, INT64_MIN},
        {"9223372036854775808", -1, 0},
        {"-9223372036854775809", -1, 0},
        {"1e19", -1, 0},
        {"1e400", -1, 0},
        {"12345678901234567890123", -1, 0},
        {"1e-400", -1, 0},
        {"\"5\"", -1, 0},
    };
    fixture_t *f = *state;
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        assert_parses(f, cases[i].text);
        int64_t v = 12345;
        int rc = cm_json_int(&f->doc, 0, &v);
        if (rc != cases[i].rc)
            fail_msg("cm_json_int(%s) returned %d, want %d", cases[i].text, rc, cases[i].rc);
        if (rc == 0)
            assert_int_equal(v, cases[i].v);
    }
}

static void test_double_values(void **state)
{
    fixture_t *f = *state;
    double x = 0;
    assert_parses(f, "[1.5, 1e400, 1e-400, 12345678901234567890123, -0.25e2, true]");
    const cm_json_doc_t *d = &f->doc;
    assert_int_equal(cm_json_double(d, cm_json_at(d, 0, 0), &x), 0);
    assert_true(x == 1.5);
    assert_int_equal(cm_json_double(d, cm_json_at(d, 0, 1), &x), -1); /* overflows */
    assert_int_equal(cm_json_double(d, cm_json_at(d, 0, 2), &x), 0);  /* underflow reads as 0 */
    assert_true(x == 0.0);
    assert_int_equal(cm_json_double(d, cm_json_at(d, 0, 3), &x), 0);
    assert_true(x == 1.2345678901234567890123e22);
    assert_int_equal(cm_json_double(d, cm_json_at(d, 0, 4), &x), 0);
    assert_true(x == -25.0);
    assert_int_equal(cm_json_double(d, cm_json_at(d, 0, 5), &x), -1); /* not a number */
    assert_int_equal(cm_json_double(d, 0, &x), -1);
}

static void test_long_number_allocates(void **state)
{
    fixture_t *f = *state;
    char s[300] = "0.";
    memset(s + 2, '0', 200);
    strcpy(s + 202, "125");
    assert_parses(f, s);
    double x = 1;
    assert_int_equal(cm_json_double(&f->doc, 0, &x), 0);
    assert_true(fabs(x - 1.25e-201) < 1e-210);
    int64_t v;
    assert_int_equal(cm_json_int(&f->doc, 0, &v), -1);
}

static void test_toks_reused_and_grown(void **state)
{
    fixture_t *f = *state;
    char s[40000];
    size_t n = 0;
    s[n++] = '[';
    for (int i = 0; i < 5000; i++)
        n += (size_t)sprintf(s + n, "%d,", i);
    s[n - 1] = ']';
    s[n] = '\0';
    assert_parses(f, s);
    assert_int_equal(f->doc.ntok, 5001);
    assert_int_equal(f->doc.tok[0].count, 5000);
    int64_t v;
    assert_int_equal(cm_json_int(&f->doc, cm_json_at(&f->doc, 0, 4321), &v), 0);
    assert_int_equal(v, 4321);
    uint32_t cap = f->toks.cap;
    assert_parses(f, "[1]");
    assert_int_equal(f->toks.cap, cap);
    assert_int_equal(f->doc.ntok, 2);
}

/* ---- writer ----------------------------------------------------------------------------------------- */

static void test_escape(void **state)
{
    (void)state;
    cm_buf_t b = CM_BUF_INIT;
    cm_json_escape(&b, "a\"b\\c\n\t\x01\x1f\x7f caf\xc3\xa9", 16);
    assert_string_equal(b.data, "\"a\\\"b\\\\c\\n\\t\\u0001\\u001f\x7f caf\xc3\xa9\"");
    cm_buf_reset(&b);
    cm_json_escape_body(&b, "x\0y", 3);
    assert_string_equal(b.data, "x\\u0000y");
    cm_buf_reset(&b);
    cm_json_escape(&b, "", 0);
    assert_string_equal(b.data, "\"\"");
    cm_buf_free(&b);
}

static void test_writer_document(void **state)
{
    fixture_t *f = *state;
    cm_buf_t b = CM_BUF_INIT;
    cm_jw_t w;
    cm_jw_init(&w, &b);
    cm_jw_obj(&w);
    cm_jw_key(&w, "id");
    cm_jw_str(&w, "chatcmpl-1");
    cm_jw_key(&w, "n");
    cm_jw_int(&w, -3);
    cm_jw_key(&w, "u");
    cm_jw_uint(&w, UINT64_MAX);
    cm_jw_key(&w, "choices");
    cm_jw_arr(&w);
    cm_jw_obj(&w);
    cm_jw_key(&w, "text");
    cm_jw_strn(&w, "hi\"", 3);
    cm_jw_obj_end(&w);
    cm_jw_obj(&w);
    cm_jw_obj_end(&w);
    cm_jw_arr_end(&w);
    cm_jw_key(&w, "empty");
    cm_jw_arr(&w);
    cm_jw_arr_end(&w);
    cm_jw_key(&w, "flags");
    cm_jw_arr(&w);
    cm_jw_bool(&w, true);
    cm_jw_bool(&w, false);
    cm_jw_null(&w);
    cm_jw_str(&w, NULL);
    cm_jw_raw(&w, "{\"r\":1}", 7);
    cm_jw_arr_end(&w);
    cm_jw_key(&w, "k\n");
    cm_jw_fixed(&w, 1.23456, 2);
    /* Bytes that are not UTF-8 (a server's header, a name from the command line) become U+FFFD, so the
     * document stays valid: a stray byte, overlong and surrogate forms, a character cut short at the end;
     * valid characters around them are kept. */
    cm_jw_key(&w, "d\xff");
    cm_jw_str(&w, "\xfe\xc0\xaf\xed\xa0\x80 caf\xc3\xa9 \xe2\x82");
    cm_jw_obj_end(&w);
    assert_string_equal(
        b.data,
        "{\"id\":\"chatcmpl-1\",\"n\":-3,\"u\":18446744073709551615,\"choices\":[{\"text\":"
        "\"hi\\\"\"},{}],\"empty\":[],\"flags\":[true,false,null,null,{\"r\":1}],\"k\\n\":1.23,"
        "\"d\xef\xbf\xbd\":\"\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd caf\xc3\xa9 "
        "\xef\xbf\xbd\xef\xbf\xbd\"}");
    assert_int_equal(w.depth, 0);
    assert_int_equal(cm_json_parse(&f->doc, b.data, b.len, &f->toks, f->err, sizeof(f->err)), 0);
    cm_buf_free(&b);
}

static void test_writer_members(void **state)
{
    (void)state;
    cm_buf_t b = CM_BUF_INIT;
    cm_jw_t w;
    cm_jw_init(&w, &b);
    cm_jw_obj(&w);
    cm_jw_kv_str(&w, "s", "a\"b");
    cm_jw_kv_str(&w, "none", NULL);
    cm_jw_kv_uint(&w, "u", 42);
    cm_jw_kv_double(&w, "d", 78.125);
    cm_jw_kv_double(&w, "nan", NAN);
    cm_jw_kv_bool(&w, "b", false);
    cm_jw_obj_end(&w);
    assert_string_equal(b.data, "{\"s\":\"a\\\"b\",\"none\":null,\"u\":42,\"d\":78.125,\"nan\":null,\"b\":false}");
    cm_buf_free(&b);
}

static void test_writer_doubles(void **state)
{
    (void)state;
    static const struct {
        double v;
        const char *want;
    } cases[] = {{0.1, "0.1"},      {1.0 / 3, "0.3333333333333333"},   {100, "100"},  {-2.5, "-2.5"},
                 {1e300, "1e+300"}, {5e-324, "4.94065645841247e-324"}, {NAN, "null"}, {INFINITY, "null"}};
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        cm_buf_t b = CM_BUF_INIT;
        cm_jw_t w;
        cm_jw_init(&w, &b);
        cm_jw_double(&w, cases[i].v);
        assert_string_equal(b.data, cases[i].want);
        if (isfinite(cases[i].v))
            assert_true(strtod(b.data, NULL) == cases[i].v);
        cm_buf_free(&b);
    }
    cm_buf_t b = CM_BUF_INIT;
    cm_jw_t w;
    cm_jw_init(&w, &b);
    cm_jw_arr(&w);
    cm_jw_fixed(&w, NAN, 3);
    cm_jw_fixed(&w, 2.0, 0);
    cm_jw_fixed(&w, 2.0, -1);
    cm_jw_arr_end(&w);
    assert_string_equal(b.data, "[null,2,2]");
    cm_buf_free(&b);
}

/* Deeper than the writer's comma stack: the output must stay memory-safe and the shallow levels correct. */
static void test_writer_deep_nesting(void **state)
{
    (void)state;
    cm_buf_t b = CM_BUF_INIT;
    cm_jw_t w;
    cm_jw_init(&w, &b);
    for (int i = 0; i < CM_JW_MAX_DEPTH + 5; i++)
        cm_jw_arr(&w);
    for (int i = 0; i < CM_JW_MAX_DEPTH + 5; i++)
        cm_jw_arr_end(&w);
    cm_jw_arr_end(&w); /* one too many must not underflow */
    assert_int_equal(w.depth, 0);
    assert_int_equal(b.len, 2 * (CM_JW_MAX_DEPTH + 5) + 1);
    cm_buf_free(&b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_valid_documents, setup, teardown),
        cmocka_unit_test_setup_teardown(test_error_messages, setup, teardown),
        cmocka_unit_test_setup_teardown(test_swar_finds_specials_everywhere, setup, teardown),
        cmocka_unit_test_setup_teardown(test_depth_limit, setup, teardown),
        cmocka_unit_test_setup_teardown(test_error_buffer_truncation_and_null, setup, teardown),
        cmocka_unit_test_setup_teardown(test_token_layout, setup, teardown),
        cmocka_unit_test_setup_teardown(test_get_and_at, setup, teardown),
        cmocka_unit_test_setup_teardown(test_str_eq_escaped, setup, teardown),
        cmocka_unit_test_setup_teardown(test_unescape, setup, teardown),
        cmocka_unit_test_setup_teardown(test_int_values, setup, teardown),
        cmocka_unit_test_setup_teardown(test_double_values, setup, teardown),
        cmocka_unit_test_setup_teardown(test_long_number_allocates, setup, teardown),
        cmocka_unit_test_setup_teardown(test_toks_reused_and_grown, setup, teardown),
        cmocka_unit_test(test_escape),
        cmocka_unit_test_setup_teardown(test_writer_document, setup, teardown),
        cmocka_unit_test(test_writer_doubles),
        cmocka_unit_test(test_writer_members),
        cmocka_unit_test(test_writer_deep_nesting),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
