/* Tests mock-provider/providers/toolargs.c: example arguments built from a JSON Schema. */
#include "fixture.h"
#include "mock-provider/providers/toolargs.h"

/* The arguments for schema (JSON text; "" means no parameters at all). Token 0 means "absent", so the
 * schema is wrapped as a member, as "parameters" always is in a request. */
static const char *args_for(fx_t *f, const char *schema)
{
    if (schema[0] == '\0')
        return mp_tool_arguments(NULL, 0, &f->a);
    char *doc = cm_alloc(&f->a, strlen(schema) + 8);
    sprintf(doc, "{\"p\":%s}", schema);
    fx_read(f, doc, strlen(doc));
    return mp_tool_arguments(&f->doc, cm_json_get(&f->doc, 0, "p"), &f->a);
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

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_types),          cmocka_unit_test(test_enum_const_union),
        cmocka_unit_test(test_nested_objects), cmocka_unit_test(test_degenerate_schemas),
        cmocka_unit_test(test_depth_bounded),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
