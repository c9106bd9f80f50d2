/* Tests mock-provider/providers/toolargs.c: example arguments built from a JSON Schema. */
#include "fixture.h"
#include "mock-provider/providers/toolargs.h"

/* The arguments for schema (JSON text; "" means no parameters at all). Token 0 means "absent", so the
 * schema is wrapped as a member, as "parameters" always is in a request. */
static const char *args_for(fx_t *f, const char *schema)
{
    const char *out = NULL;
    char why[160];
    if (schema[0] == '\0') {
        assert_int_equal(mp_tool_arguments(NULL, 0, &f->a, &out, why, sizeof(why)), 0);
        return out;
    }
    char *doc = cm_alloc(&f->a, strlen(schema) + 8);
    sprintf(doc, "{\"p\":%s}", schema);
    fx_read(f, doc, strlen(doc));
    if (mp_tool_arguments(&f->doc, cm_json_get(&f->doc, 0, "p"), &f->a, &out, why, sizeof(why)) != 0)
        fail_msg("refused: %s", why);
    return out;
}

/* The refusal text for schema, which must be refused. */
static const char *refusal_for(fx_t *f, const char *schema)
{
    static char why[160];
    const char *out = NULL;
    char *doc = cm_alloc(&f->a, strlen(schema) + 8);
    sprintf(doc, "{\"p\":%s}", schema);
    fx_read(f, doc, strlen(doc));
    assert_int_equal(mp_tool_arguments(&f->doc, cm_json_get(&f->doc, 0, "p"), &f->a, &out, why, sizeof(why)), -1);
    return why;
}

/* {"type":"object","properties":{"a":<next level>},"required":["a","a",...]} nested depth times, as in
 * issue 7: every level requires the same object `width` times. */
static void repeated_required(cm_buf_t *s, int depth, int width)
{
    for (int i = 0; i < depth; i++) {
        cm_buf_puts(s, "{\"type\":\"object\",\"required\":[");
        for (int k = 0; k < width; k++)
            cm_buf_puts(s, k ? ",\"a\"" : "\"a\"");
        cm_buf_puts(s, "],\"properties\":{\"a\":");
    }
    cm_buf_puts(s, "{\"type\":\"string\"}");
    for (int i = 0; i < depth; i++)
        cm_buf_puts(s, "}}");
}

static void test_types(void **state)
{
    (void)state;
    fx_t *f = fx_new();
    const char *s = "{\"type\":\"object\",\"properties\":{"
                    "\"s\":{\"type\":\"string\"},\"i\":{\"type\":\"integer\"},\"n\":{\"type\":\"number\"},"
                    "\"b\":{\"type\":\"boolean\"},\"a\":{\"type\":\"array\",\"items\":{\"type\":\"string\"}},"
                    "\"o\":{\"type\":\"object\"},\"z\":{\"type\":\"null\"},\"opt\":{\"type\":\"string\"}},"
                    "\"required\":[\"s\",\"i\",\"n\",\"b\",\"a\",\"o\",\"z\"]}";
    assert_string_equal(args_for(f, s),
                        "{\"s\":\"example\",\"i\":1,\"n\":1.5,\"b\":true,\"a\":[],\"o\":{},\"z\":null}");
    fx_free(f);
}

static void test_enum_const_union(void **state)
{
    (void)state;
    fx_t *f = fx_new();
    const char *s = "{\"type\":\"object\",\"properties\":{"
                    "\"unit\":{\"type\":\"string\",\"enum\":[\"celsius\",\"fahrenheit\"]},"
                    "\"k\":{\"enum\":[3,4]},\"c\":{\"const\":{\"x\":[1]}},"
                    "\"u\":{\"anyOf\":[{\"type\":\"integer\"},{\"type\":\"string\"}]},"
                    "\"t\":{\"type\":[\"null\",\"boolean\"]},\"esc\":{\"enum\":[\"a\\\"b\\u00e9\"]}},"
                    "\"required\":[\"unit\",\"k\",\"c\",\"u\",\"t\",\"esc\"]}";
    assert_string_equal(
        args_for(f, s),
        "{\"unit\":\"celsius\",\"k\":3,\"c\":{\"x\":[1]},\"u\":1,\"t\":true,\"esc\":\"a\\\"b\\u00e9\"}");
    fx_free(f);
}

static void test_nested_objects(void **state)
{
    (void)state;
    fx_t *f = fx_new();
    const char *s = "{\"type\":\"object\",\"properties\":{\"loc\":{\"type\":\"object\",\"properties\":{"
                    "\"lat\":{\"type\":\"number\"},\"lon\":{\"type\":\"number\"}},\"required\":[\"lat\",\"lon\"]}},"
                    "\"required\":[\"loc\"],\"additionalProperties\":false}";
    assert_string_equal(args_for(f, s), "{\"loc\":{\"lat\":1.5,\"lon\":1.5}}");
    fx_free(f);
}

static void test_degenerate_schemas(void **state)
{
    (void)state;
    fx_t *f = fx_new();
    assert_string_equal(args_for(f, ""), "{}");
    assert_string_equal(args_for(f, "{}"), "{}");
    assert_string_equal(args_for(f, "{\"type\":\"object\",\"properties\":{}}"), "{}");
    assert_string_equal(args_for(f, "[1,2]"), "{}");
    /* A required name with no schema, a non-string entry, a $ref: null or skipped, never a crash. */
    assert_string_equal(args_for(f, "{\"properties\":{\"r\":{\"$ref\":\"#/x\"}},\"required\":[\"missing\",5,\"r\"]}"),
                        "{\"missing\":null,\"r\":null}");
    assert_string_equal(args_for(f, "{\"required\":\"x\"}"), "{}");
    fx_free(f);
}

static void test_depth_bounded(void **state)
{
    (void)state;
    fx_t *f = fx_new();
    cm_buf_t s = CM_BUF_INIT;
    for (int i = 0; i < 40; i++)
        cm_buf_puts(&s, "{\"type\":\"object\",\"required\":[\"a\"],\"properties\":{\"a\":");
    cm_buf_puts(&s, "{\"type\":\"string\"}");
    for (int i = 0; i < 40; i++)
        cm_buf_puts(&s, "}}");
    const char *out = args_for(f, s.data);
    fx_read(f, out, strlen(out)); /* still valid JSON */
    size_t depth = 0;
    for (const char *p = out; *p; p++)
        depth += *p == '{';
    assert_int_equal(depth, MP_TOOLARGS_MAX_DEPTH + 1);
    cm_buf_free(&s);
    fx_free(f);
}

/* The 801-byte schema of issue 7 (9 levels, each requiring its child 6 times) built 6^9 copies of the
 * leaf, 16.8 MB of arguments on the event loop; with repeats skipped it is one path. */
static void test_repeated_required_is_linear(void **state)
{
    (void)state;
    fx_t *f = fx_new();
    cm_buf_t s = CM_BUF_INIT;
    repeated_required(&s, 9, 6);
    const char *out = args_for(f, s.data);
    assert_string_equal(out, "{\"a\":{\"a\":{\"a\":{\"a\":{\"a\":{\"a\":{\"a\":{\"a\":{\"a\":\"example\"}}}}}}}}}");
    if (strlen(out) > 2 * s.len)
        fail_msg("arguments (%zu bytes) more than twice the schema (%zu bytes)", strlen(out), s.len);
    /* Repeats are skipped, other names kept in order. */
    assert_string_equal(
        args_for(f, "{\"properties\":{\"x\":{\"type\":\"integer\"}},\"required\":[\"x\",\"y\",\"x\",5,\"y\"]}"),
        "{\"x\":1,\"y\":null}");
    cm_buf_free(&s);
    fx_free(f);
}

/* One name over MP_TOOLARGS_MAX_PROPERTIES is refused; at the limit it is served. Repeats count: they cost
 * a comparison each. */
static void test_properties_bounded(void **state)
{
    (void)state;
    fx_t *f = fx_new();
    for (int extra = 0; extra <= 1; extra++) {
        cm_buf_t s = CM_BUF_INIT;
        cm_buf_puts(&s, "{\"type\":\"object\",\"required\":[");
        for (int i = 0; i < MP_TOOLARGS_MAX_PROPERTIES + extra; i++)
            cm_buf_printf(&s, "%s\"p%d\"", i ? "," : "", i);
        cm_buf_puts(&s, "]}");
        if (extra == 0) {
            const char *out = args_for(f, s.data);
            assert_true(strstr(out, "\"p4999\":null}") != NULL);
        } else {
            assert_string_equal(refusal_for(f, s.data), "has more than 5000 properties (required entries and "
                                                        "property names, all nested objects together)");
        }
        cm_buf_free(&s);
    }
    fx_free(f);
}

/* Each of 20 required properties is a 20 KB enum value: 400 KB of arguments, over MP_TOOLARGS_MAX_BYTES. */
static void test_bytes_bounded(void **state)
{
    (void)state;
    fx_t *f = fx_new();
    cm_buf_t s = CM_BUF_INIT, big = CM_BUF_INIT;
    for (int i = 0; i < 20 * 1024; i++)
        cm_buf_putc(&big, 'x');
    cm_buf_puts(&s, "{\"properties\":{");
    for (int i = 0; i < 20; i++)
        cm_buf_printf(&s, "%s\"p%d\":{\"enum\":[\"%s\"]}", i ? "," : "", i, big.data);
    cm_buf_puts(&s, "},\"required\":[");
    for (int i = 0; i < 20; i++)
        cm_buf_printf(&s, "%s\"p%d\"", i ? "," : "", i);
    cm_buf_puts(&s, "]}");
    assert_string_equal(refusal_for(f, s.data), "gives example arguments larger than 262144 bytes");
    cm_buf_free(&s);
    cm_buf_free(&big);
    fx_free(f);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_types),
        cmocka_unit_test(test_enum_const_union),
        cmocka_unit_test(test_nested_objects),
        cmocka_unit_test(test_degenerate_schemas),
        cmocka_unit_test(test_depth_bounded),
        cmocka_unit_test(test_repeated_required_is_linear),
        cmocka_unit_test(test_properties_bounded),
        cmocka_unit_test(test_bytes_bounded),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
