/* Tests mock-provider/providers/schema/toolargs.c: tool-call arguments built from the parameters' JSON Schema by the
 * schema generator (whose own tests are schema_gen_test.c): an object, valid, seeded, bounded. */
#include "unit/mock-provider/providers/fixture.h"
#include "unit/mock-provider/providers/schema_check.h"
#include "mock-provider/providers/schema/toolargs.h"

/* The arguments for schema (JSON text; "" means no parameters at all). Token 0 means "absent", so the
 * schema is wrapped as a member, as "parameters" always is in a request. */
static const char *args_for(fx_t *f, const char *schema, uint64_t seed)
{
    const char *out = NULL;
    char why[200];
    if (schema[0] == '\0') {
        assert_int_equal(mp_tool_arguments(NULL, 0, seed, &f->a, &out, why, sizeof(why)), 0);
        return out;
    }
    char *doc = cm_alloc(&f->a, strlen(schema) + 8);
    sprintf(doc, "{\"p\":%s}", schema);
    fx_read(f, doc, strlen(doc));
    if (mp_tool_arguments(&f->doc, cm_json_get(&f->doc, 0, "p"), seed, &f->a, &out, why, sizeof(why)) != 0)
        fail_msg("refused: %s", why);
    return out;
}

static void test_valid_object(void **state)
{
    (void)state;
    fx_t *f = fx_new();
    const char *s = "{\"type\":\"object\",\"properties\":{\"city\":{\"type\":\"string\",\"minLength\":2},"
                    "\"days\":{\"type\":\"integer\",\"minimum\":1,\"maximum\":14},\"unit\":{\"enum\":[\"c\",\"f\"]},"
                    "\"email\":{\"type\":\"string\",\"format\":\"email\"}},\"required\":[\"city\",\"days\",\"unit\","
                    "\"email\"],\"additionalProperties\":false}";
    cm_json_toks_t toks = {0};
    cm_json_doc_t sd;
    char err[160], wrapped[1024];
    snprintf(wrapped, sizeof(wrapped), "{\"p\":%s}", s);
    assert_int_equal(cm_json_parse(&sd, wrapped, strlen(wrapped), &toks, err, sizeof(err)), 0);
    for (uint64_t seed = 1; seed <= 100; seed++) {
        const char *args = args_for(f, s, seed);
        const char *bad = sc_validate(&sd, cm_json_get(&sd, 0, "p"), args);
        if (bad != NULL)
            fail_msg("seed %llu: %s: %s", (unsigned long long)seed, bad, args);
    }
    cm_json_toks_free(&toks);
    fx_free(f);
}

static void test_degenerate_schemas(void **state)
{
    (void)state;
    fx_t *f = fx_new();
    assert_string_equal(args_for(f, "", 1), "{}");
    assert_string_equal(args_for(f, "{}", 1), "{}");
    assert_string_equal(args_for(f, "{\"type\":\"object\",\"properties\":{}}", 1), "{}");
    assert_string_equal(args_for(f, "[1,2]", 1), "{}");
    assert_string_equal(args_for(f, "{\"type\":\"string\"}", 1), "{}");
    assert_string_equal(args_for(f, "{\"required\":\"x\"}", 1), "{}");
    /* Unknown names and unresolvable refs take any value; non-string required entries are skipped. */
    const char *a = args_for(f, "{\"properties\":{\"r\":{\"$ref\":\"#/x\"}},\"required\":[\"missing\",5,\"r\"]}", 1);
    fx_read(f, a, strlen(a));
    assert_int_equal(f->doc.tok[0].count, 2);
    assert_int_equal(cm_json_type(&f->doc, jpath(&f->doc, 0, "missing")), CM_JSON_STRING);
    fx_free(f);
}

static void test_seeded(void **state)
{
    (void)state;
    fx_t *f = fx_new();
    const char *s = "{\"type\":\"object\",\"properties\":{\"name\":{\"type\":\"string\"}},\"required\":[\"name\"]}";
    char first[128];
    snprintf(first, sizeof(first), "%s", args_for(f, s, 5));
    assert_string_equal(args_for(f, s, 5), first);
    assert_string_not_equal(args_for(f, s, 6), first);
    fx_free(f);
}

/* The generator's refusals come through with their sentence. */
static void test_refusal(void **state)
{
    (void)state;
    fx_t *f = fx_new();
    const char *out = NULL;
    char why[200];
    const char *doc = "{\"p\":{\"type\":\"object\",\"properties\":{\"s\":{\"type\":\"string\",\"minLength\":300000}},"
                      "\"required\":[\"s\"]}}";
    fx_read(f, doc, strlen(doc));
    assert_int_equal(mp_tool_arguments(&f->doc, cm_json_get(&f->doc, 0, "p"), 1, &f->a, &out, why, sizeof(why)), -1);
    assert_string_equal(why, "gives a value larger than 262144 bytes");
    assert_null(out);
    fx_free(f);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_valid_object),
        cmocka_unit_test(test_degenerate_schemas),
        cmocka_unit_test(test_seeded),
        cmocka_unit_test(test_refusal),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
