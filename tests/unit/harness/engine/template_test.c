/* tests/unit/harness/engine/template_test.c — payload templates: UUID format and uniqueness, {{seq}}, repeat with
 * the same UUID in every copy (the seed locustfile's f"{uuid4()} ..." * 150), JSON escaping, and errors. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/json.h"
#include "harness/engine/template.h"

static void assert_contains(const char *haystack, const char *needle)
{
    if (strstr(haystack, needle) == NULL) {
        print_error("\"%s\"\n  does not contain \"%s\"\n", haystack, needle);
        fail();
    }
}

static int is_hex(char c)
{
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
}

static void assert_uuid4(const char *u)
{
    assert_int_equal(strlen(u), HX_UUID_LEN);
    for (int i = 0; i < HX_UUID_LEN; i++) {
        if (i == 8 || i == 13 || i == 18 || i == 23)
            assert_int_equal(u[i], '-');
        else if (!is_hex(u[i])) {
            print_error("byte %d of \"%s\" is not lowercase hex\n", i, u);
            fail();
        }
    }
    assert_int_equal(u[14], '4');           /* version 4 */
    assert_non_null(strchr("89ab", u[19])); /* variant 10xx */
}

static void test_uuid_format_and_uniqueness(void **state)
{
    (void)state;
    cm_rng_t rng;
    cm_rng_seed(&rng, 42);
    enum { N = 2000 };
    char(*seen)[HX_UUID_LEN + 1] = calloc(N, sizeof(*seen));
    for (int i = 0; i < N; i++) {
        hx_uuid4(&rng, seen[i]);
        assert_uuid4(seen[i]);
    }
    for (int i = 0; i < N; i++)
        for (int j = i + 1; j < N; j++)
            assert_string_not_equal(seen[i], seen[j]);
    free(seen);
}

static void test_uuid_seeded(void **state)
{
    (void)state;
    cm_rng_t a, b, c;
    char ua[37], ub[37], uc[37];
    cm_rng_seed(&a, 7);
    cm_rng_seed(&b, 7);
    cm_rng_seed(&c, 8);
    hx_uuid4(&a, ua);
    hx_uuid4(&b, ub);
    hx_uuid4(&c, uc);
    assert_string_equal(ua, ub);
    assert_string_not_equal(ua, uc);
}

static char *render(const char *src, uint32_t repeat, uint64_t seed, uint64_t seq)
{
    hx_tmpl_t t;
    char err[256];
    cm_rng_t rng;
    cm_buf_t out = CM_BUF_INIT;
    cm_rng_seed(&rng, seed);
    if (hx_tmpl_compile(&t, src, err, sizeof(err)) != 0) {
        print_error("compile failed: %s\n", err);
        fail();
    }
    hx_tmpl_render_json(&t, &out, repeat, &rng, seq);
    hx_tmpl_free(&t);
    cm_buf_putc(&out, '\0'); /* so an empty rendering is still a string */
    return cm_buf_detach(&out);
}

static void test_repeat_same_uuid(void **state)
{
    (void)state;
    const char *tail = " This is a test there will be no cache hits and we'll fill up the context";
    char src[256];
    snprintf(src, sizeof(src), "{{uuid}}%s", tail);
    char *s = render(src, 150, 1, 0);
    size_t one = HX_UUID_LEN + strlen(tail);
    assert_int_equal(strlen(s), one * 150);
    char first[37];
    memcpy(first, s, 36);
    first[36] = '\0';
    assert_uuid4(first);
    for (int i = 0; i < 150; i++) {
        assert_memory_equal(s + (size_t)i * one, first, 36);
        assert_memory_equal(s + (size_t)i * one + 36, tail, strlen(tail));
    }
    free(s);
}

static void test_fresh_uuid_per_render(void **state)
{
    (void)state;
    hx_tmpl_t t;
    char err[128];
    cm_rng_t rng;
    cm_buf_t a = CM_BUF_INIT, b = CM_BUF_INIT;
    cm_rng_seed(&rng, 3);
    assert_int_equal(hx_tmpl_compile(&t, "id={{uuid}}", err, sizeof(err)), 0);
    assert_true(hx_tmpl_dynamic(&t));
    hx_tmpl_render_json(&t, &a, 1, &rng, 0);
    hx_tmpl_render_json(&t, &b, 1, &rng, 1);
    assert_string_not_equal(a.data, b.data);
    hx_tmpl_free(&t);
    cm_buf_free(&a);
    cm_buf_free(&b);
}

static void test_seq_and_spaces(void **state)
{
    (void)state;
    char *s = render("req {{ seq }} of {{seq}}", 2, 1, 12345);
    assert_string_equal(s, "req 12345 of 12345req 12345 of 12345");
    free(s);
}

static void test_escaping(void **state)
{
    (void)state;
    char *s = render("say \"hi\"\n\tback\\slash {x} {", 1, 1, 0);
    assert_string_equal(s, "say \\\"hi\\\"\\n\\tback\\\\slash {x} {");
    /* The rendering pasted in quotes is valid JSON that decodes to the source. */
    cm_buf_t doc = CM_BUF_INIT;
    cm_buf_printf(&doc, "\"%s\"", s);
    cm_json_doc_t d;
    cm_json_toks_t toks = {0};
    char err[128], dec[128];
    assert_int_equal(cm_json_parse(&d, doc.data, doc.len, &toks, err, sizeof(err)), 0);
    cm_json_unescape(&d, 0, dec, sizeof(dec));
    assert_string_equal(dec, "say \"hi\"\n\tback\\slash {x} {");
    cm_json_toks_free(&toks);
    cm_buf_free(&doc);
    free(s);
}

static void test_static_template_leaves_rng(void **state)
{
    (void)state;
    hx_tmpl_t t;
    char err[128];
    cm_rng_t rng, ref;
    cm_buf_t out = CM_BUF_INIT;
    cm_rng_seed(&rng, 9);
    cm_rng_seed(&ref, 9);
    assert_int_equal(hx_tmpl_compile(&t, "plain text", err, sizeof(err)), 0);
    assert_false(hx_tmpl_dynamic(&t));
    cm_buf_puts(&out, "prefix:");
    hx_tmpl_render_json(&t, &out, 3, &rng, 0);
    assert_string_equal(out.data, "prefix:plain textplain textplain text");
    assert_int_equal(cm_rng_next(&rng), cm_rng_next(&ref));
    hx_tmpl_free(&t);
    cm_buf_free(&out);
}

static void test_empty(void **state)
{
    (void)state;
    char *s = render("", 5, 1, 0);
    assert_string_equal(s, "");
    free(s);
}

static void test_errors(void **state)
{
    (void)state;
    hx_tmpl_t t;
    char err[256];
    assert_int_equal(hx_tmpl_compile(&t, "a {{uuid4}} b", err, sizeof(err)), -1);
    assert_string_equal(err, "unknown template variable \"{{uuid4}}\" at byte 2 (expected {{uuid}}, {{seq}}, "
                             "{{random MIN..MAX}} or {{random hex N}})");
    assert_int_equal(t.nparts, 0);
    assert_int_equal(hx_tmpl_compile(&t, "x {{uuid}} {{uuid", err, sizeof(err)), -1);
    assert_string_equal(err, "unterminated \"{{\" at byte 11");
    assert_int_equal(hx_tmpl_compile(&t, "{{}}", err, sizeof(err)), -1);
    assert_contains(err, "unknown template variable \"{{}}\"");
}

static char *render_raw(const char *src, uint64_t seed, uint64_t seq, size_t *max)
{
    hx_tmpl_t t;
    char err[256];
    cm_rng_t rng;
    cm_buf_t b = CM_BUF_INIT;
    cm_rng_seed(&rng, seed);
    if (hx_tmpl_compile_raw(&t, src, err, sizeof(err)) != 0) {
        print_error("compile \"%s\": %s\n", src, err);
        fail();
    }
    hx_tmpl_render(&t, &b, &rng, seq);
    *max = hx_tmpl_max_len(&t);
    hx_tmpl_free(&t);
    return cm_buf_detach(&b);
}

/* A raw body keeps its quotes and backslashes (the author wrote the JSON); placeholders still expand. */
static void test_raw_keeps_text(void **state)
{
    (void)state;
    size_t max;
    char *s = render_raw("{\"id\": \"{{seq}}\", \"p\": \"a\\nb\"}", 1, 42, &max);
    assert_string_equal(s, "{\"id\": \"42\", \"p\": \"a\\nb\"}");
    assert_true(strlen(s) <= max);
    free(s);
}

/* {{random MIN..MAX}} stays in its range and reaches both ends; negative bounds work; a one-value range. */
static void test_random_int(void **state)
{
    (void)state;
    hx_tmpl_t t;
    char err[256];
    cm_rng_t rng;
    cm_rng_seed(&rng, 7);
    assert_int_equal(hx_tmpl_compile_raw(&t, "{{ random -2..3 }}", err, sizeof(err)), 0);
    assert_true(hx_tmpl_dynamic(&t));
    int seen[6] = {0};
    for (int i = 0; i < 600; i++) {
        cm_buf_t b = CM_BUF_INIT;
        hx_tmpl_render(&t, &b, &rng, 0);
        long v = strtol(b.data, NULL, 10);
        if (v < -2 || v > 3) {
            print_error("%ld is outside -2..3\n", v);
            fail();
        }
        seen[v + 2]++;
        cm_buf_free(&b);
    }
    for (int i = 0; i < 6; i++)
        assert_true(seen[i] > 0);
    hx_tmpl_free(&t);
    size_t max;
    char *s = render_raw("<{{random 5..5}}>", 1, 0, &max);
    assert_string_equal(s, "<5>");
    free(s);
    s = render_raw("{{random -1000000000000000000..1000000000000000000}}", 3, 0, &max);
    assert_true(strlen(s) <= max);
    free(s);
}

static void test_random_hex(void **state)
{
    (void)state;
    size_t max;
    char *a = render_raw("k-{{random hex 40}}", 1, 0, &max);
    char *b = render_raw("k-{{random hex 40}}", 2, 0, &max);
    assert_int_equal(strlen(a), 42);
    assert_int_equal(max, 42);
    for (size_t i = 2; i < 42; i++)
        assert_true(is_hex(a[i]));
    assert_string_not_equal(a, b); /* another seed, other digits */
    free(a);
    free(b);
    char *c = render_raw("{{random hex 64}}", 1, 0, &max);
    assert_int_equal(strlen(c), 64);
    free(c);
}

/* The largest rendering is known at compile time: literal text, 36 per uuid, 20 per number. */
static void test_max_len(void **state)
{
    (void)state;
    size_t max;
    char *s = render_raw("ab{{uuid}}{{seq}}{{random 1..2}}{{random hex 3}}", 1, UINT64_MAX, &max);
    assert_int_equal(max, 2 + 36 + 20 + 20 + 3);
    assert_true(strlen(s) <= max);
    free(s);
}

static void test_random_errors(void **state)
{
    (void)state;
    hx_tmpl_t t;
    char err[256];
    static const char *const bad[] = {
        "{{random}}",       "{{random 3..1}}",
        "{{random 1..}}",   "{{random ..4}}",
        "{{random hex 0}}", "{{random hex 65}}",
        "{{random hex x}}", "{{random 1.5..2}}",
        "{{random 1...2}}", "{{random 0..1000000000000000001}}",
        "{{random a..b}}",  "{{random 1-2}}",
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        if (hx_tmpl_compile_raw(&t, bad[i], err, sizeof(err)) != -1) {
            print_error("\"%s\" compiled\n", bad[i]);
            fail();
        }
        assert_contains(err, "expected {{random MIN..MAX}}");
    }
    assert_int_equal(hx_tmpl_compile(&t, "x {{random 3..1}}", err, sizeof(err)), -1);
    assert_string_equal(err, "bad \"{{random 3..1}}\" at byte 2 (expected {{random MIN..MAX}} with |MIN|, |MAX| <= "
                             "10^18 and MIN <= MAX, or {{random hex N}} with N from 1 to 64)");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_uuid_format_and_uniqueness),
        cmocka_unit_test(test_uuid_seeded),
        cmocka_unit_test(test_repeat_same_uuid),
        cmocka_unit_test(test_fresh_uuid_per_render),
        cmocka_unit_test(test_seq_and_spaces),
        cmocka_unit_test(test_escaping),
        cmocka_unit_test(test_static_template_leaves_rng),
        cmocka_unit_test(test_empty),
        cmocka_unit_test(test_errors),
        cmocka_unit_test(test_raw_keeps_text),
        cmocka_unit_test(test_random_int),
        cmocka_unit_test(test_random_hex),
        cmocka_unit_test(test_max_len),
        cmocka_unit_test(test_random_errors),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
