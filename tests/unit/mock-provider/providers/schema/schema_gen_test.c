/* Tests mock-provider/providers/schema/schema_gen.c (with schema_scalar.c, schema_pattern.c, schema_words.c): every
 * value generated for a schema, over many seeds, passes the independent validator of schema_check.h. */
#include "unit/mock-provider/providers/fixture.h"
#include "unit/mock-provider/providers/schema_check.h"
#include "mock-provider/providers/schema/schema_gen.h"
#include "mock-provider/providers/schema/schema_pattern.h"

#define SEEDS 300

static cm_json_toks_t schema_toks;
static cm_json_doc_t schema_doc;
static cm_buf_t value;
static char why[256];

static uint32_t schema_root;
static cm_buf_t schema_text;

/* Parses schema text into schema_doc. Token 0 means "absent" to the generator (a schema is always a member
 * of a request), so the schema is wrapped as the member "s" and schema_root is its token. */
static void load(const char *schema)
{
    char err[160];
    cm_buf_reset(&schema_text);
    cm_buf_printf(&schema_text, "{\"s\":%s}", schema);
    if (cm_json_parse(&schema_doc, schema_text.data, schema_text.len, &schema_toks, err, sizeof(err)) != 0)
        fail_msg("bad test schema: %s\n%s", err, schema);
    schema_root = cm_json_get(&schema_doc, 0, "s");
}

/* The value for the loaded schema and seed (NULL when refused; why says why). */
static const char *gen_loaded(uint64_t seed, int flags)
{
    cm_buf_reset(&value);
    why[0] = '\0';
    if (mp_schema_generate(&schema_doc, schema_root, seed, flags, &value, why, sizeof(why)) != 0) {
        if (value.len != 0)
            fail_msg("output left behind on refusal: %s", value.data);
        return NULL;
    }
    return value.data;
}

static const char *gen(const char *schema, uint64_t seed)
{
    load(schema);
    const char *v = gen_loaded(seed, 0);
    if (v == NULL)
        fail_msg("refused (%s): %s", why, schema);
    return v;
}

/* Every seed's value is valid; a failure names the seed, the value and where it breaks the schema. */
static void check_all(const char *schema)
{
    load(schema);
    for (uint64_t seed = 1; seed <= SEEDS; seed++) {
        const char *v = gen_loaded(seed, 0);
        if (v == NULL)
            fail_msg("refused (%s): %s", why, schema);
        const char *bad = sc_validate(&schema_doc, schema_root, v);
        if (bad != NULL)
            fail_msg("seed %llu: %s\nschema: %s\nvalue:  %s", (unsigned long long)seed, bad, schema, v);
    }
}

static void test_types(void **state)
{
    (void)state;
    check_all("{\"type\":\"object\",\"properties\":{\"s\":{\"type\":\"string\"},\"i\":{\"type\":\"integer\"},"
              "\"n\":{\"type\":\"number\"},\"b\":{\"type\":\"boolean\"},\"z\":{\"type\":\"null\"},"
              "\"a\":{\"type\":\"array\",\"items\":{\"type\":\"string\"}},\"o\":{\"type\":\"object\"}},"
              "\"required\":[\"s\",\"i\",\"n\",\"b\",\"z\",\"a\",\"o\"],\"additionalProperties\":false}");
    const char *v =
        gen("{\"type\":\"object\",\"properties\":{\"s\":{\"type\":\"string\"},\"i\":{\"type\":\"integer\"}},"
            "\"required\":[\"s\",\"i\"]}",
            3);
    fx_t *f = fx_new();
    fx_read(f, v, strlen(v));
    assert_int_equal(cm_json_type(&f->doc, jpath(&f->doc, 0, "s")), CM_JSON_STRING);
    assert_int_equal(cm_json_type(&f->doc, jpath(&f->doc, 0, "i")), CM_JSON_NUMBER);
    fx_free(f);
}

static void test_nullable_unions(void **state)
{
    (void)state;
    const char *s = "{\"type\":\"object\",\"properties\":{\"a\":{\"type\":[\"string\",\"null\"]},"
                    "\"b\":{\"type\":[\"integer\",\"boolean\"]},\"c\":{\"type\":[\"null\"]}},"
                    "\"required\":[\"a\",\"b\",\"c\"],\"additionalProperties\":false}";
    check_all(s);
    int nulls = 0, strings = 0;
    load(s);
    for (uint64_t seed = 1; seed <= SEEDS; seed++) {
        const char *v = gen_loaded(seed, 0);
        nulls += strstr(v, "\"a\":null") != NULL;
        strings += strstr(v, "\"a\":\"") != NULL;
    }
    /* Nullable fields are mostly filled, and sometimes null. */
    if (nulls == 0 || strings < nulls * 3)
        fail_msg("nulls %d, strings %d", nulls, strings);
}

static void test_numbers(void **state)
{
    (void)state;
    check_all("{\"type\":\"object\",\"properties\":{"
              "\"age\":{\"type\":\"integer\",\"minimum\":21,\"maximum\":22},"
              "\"x\":{\"type\":\"integer\",\"exclusiveMinimum\":5,\"exclusiveMaximum\":7},"
              "\"y\":{\"type\":\"number\",\"exclusiveMinimum\":0,\"exclusiveMaximum\":0.001},"
              "\"old\":{\"type\":\"number\",\"minimum\":1,\"exclusiveMinimum\":true,\"maximum\":2,"
              "\"exclusiveMaximum\":true},"
              "\"m\":{\"type\":\"integer\",\"multipleOf\":7,\"minimum\":100,\"maximum\":120},"
              "\"q\":{\"type\":\"number\",\"multipleOf\":0.25,\"minimum\":-3,\"maximum\":-1},"
              "\"big\":{\"type\":\"integer\",\"minimum\":1000000000000},"
              "\"neg\":{\"type\":\"number\",\"maximum\":-1e6},"
              "\"price\":{\"type\":\"number\"},\"latitude\":{\"type\":\"number\"},"
              "\"free\":{\"type\":\"integer\"},\"-_-x\":{\"type\":\"number\"}},"
              "\"required\":[\"age\",\"x\",\"y\",\"old\",\"m\",\"q\",\"big\",\"neg\",\"price\",\"latitude\",\"free\","
              "\"-_-x\"]}"); /* a name mostly punctuation (read before its start under ASan once) */
    /* x can only be 6; m only 105, 112 or 119. */
    const char *v = gen("{\"type\":\"object\",\"properties\":{\"x\":{\"type\":\"integer\",\"exclusiveMinimum\":5,"
                        "\"exclusiveMaximum\":7}},\"required\":[\"x\"]}",
                        9);
    assert_string_equal(v, "{\"x\":6}");
}

static void test_strings_and_formats(void **state)
{
    (void)state;
    check_all("{\"type\":\"object\",\"properties\":{"
              "\"e\":{\"type\":\"string\",\"format\":\"email\"},\"u\":{\"type\":\"string\",\"format\":\"uuid\"},"
              "\"dt\":{\"type\":\"string\",\"format\":\"date-time\"},\"d\":{\"type\":\"string\",\"format\":\"date\"},"
              "\"t\":{\"type\":\"string\",\"format\":\"time\"},\"uri\":{\"type\":\"string\",\"format\":\"uri\"},"
              "\"h\":{\"type\":\"string\",\"format\":\"hostname\"},\"ip\":{\"type\":\"string\",\"format\":\"ipv4\"},"
              "\"ip6\":{\"type\":\"string\",\"format\":\"ipv6\"},\"du\":{\"type\":\"string\",\"format\":\"duration\"},"
              "\"short\":{\"type\":\"string\",\"maxLength\":3},\"long\":{\"type\":\"string\",\"minLength\":40},"
              "\"exact\":{\"type\":\"string\",\"minLength\":5,\"maxLength\":5},"
              "\"none\":{\"type\":\"string\",\"maxLength\":0}},"
              "\"required\":[\"e\",\"u\",\"dt\",\"d\",\"t\",\"uri\",\"h\",\"ip\",\"ip6\",\"du\",\"short\",\"long\","
              "\"exact\",\"none\"]}");
}

/* format: time is RFC 3339 full-time (what JSON Schema defines): always an offset, "Z" or a numeric one,
 * both seen over the seeds (the validator above requires the offset). */
static void test_time_has_offset(void **state)
{
    (void)state;
    int utc = 0, numeric = 0;
    load("{\"type\":\"string\",\"format\":\"time\"}");
    for (uint64_t seed = 1; seed <= 100; seed++) {
        const char *v = gen_loaded(seed, 0);
        size_t n = strlen(v);
        if (n == 11 && v[9] == 'Z')
            utc++;
        else if (n == 16 && (v[9] == '+' || v[9] == '-') && v[12] == ':')
            numeric++;
        else
            fail_msg("not a full-time: %s", v);
    }
    assert_true(utc > 0 && numeric > 0);
}

/* Names look like names and emails like emails, chosen by the property's name alone. */
static void test_realistic_by_name(void **state)
{
    (void)state;
    const char *s = "{\"type\":\"object\",\"properties\":{\"name\":{\"type\":\"string\"},\"email\":{\"type\":"
                    "\"string\"},\"city\":{\"type\":\"string\"},\"user_id\":{\"type\":\"string\"},\"age\":{\"type\":"
                    "\"integer\"},\"created_at\":{\"type\":\"string\"}},\"required\":[\"name\",\"email\",\"city\","
                    "\"user_id\",\"age\",\"created_at\"]}";
    load(s);
    for (uint64_t seed = 1; seed <= 50; seed++) {
        const char *v = gen_loaded(seed, 0);
        fx_t *f = fx_new();
        fx_read(f, v, strlen(v));
        if (!sc_regex("^[A-Z][a-z]+ [A-Z][a-z]+$", jstr(&f->doc, 0, "name")) ||
            !sc_format("email", jstr(&f->doc, 0, "email")) || !sc_format("uuid", jstr(&f->doc, 0, "user_id")) ||
            !sc_format("date-time", jstr(&f->doc, 0, "created_at")) ||
            !sc_regex("^[A-Z][a-z]+", jstr(&f->doc, 0, "city")) || jint(&f->doc, 0, "age") < 18 ||
            jint(&f->doc, 0, "age") > 80)
            fail_msg("unrealistic: %s", v);
        fx_free(f);
    }
}

static void test_patterns(void **state)
{
    (void)state;
    static const char *const patterns[] = {
        "^[A-Z]{3}-\\\\d{4}$",
        "^\\\\+?[0-9]{1,3}-[0-9]{3}-[0-9]{4}$",
        "^(foo|bar)+baz?$",
        "[a-f0-9]{8}",
        "^(?:[a-z]+\\\\.)*example\\\\.com$",
        "^(?<year>\\\\d{4})-(?<m>\\\\d{2})$",
        "^[^@\\\\s]+@[^@\\\\s]+$",
        "^\\\\w+( \\\\w+)*$",
        "^a{2,}b{0,3}c?$",
        "^[\\\\-_.a-z]{1,8}$",
        "^x\\\\u0041y$",
        "^.{3}$",
        "^(ab|c(d|e)f)+$",
        "^\\\\S{2} \\\\D$",
        "^[A-Za-z0-9+/]{4}={0,2}$",
    };
    for (size_t i = 0; i < sizeof(patterns) / sizeof(patterns[0]); i++) {
        char s[256];
        snprintf(s, sizeof(s), "{\"type\":\"string\",\"pattern\":\"%s\"}", patterns[i]);
        check_all(s);
    }
    /* With lengths: the tries narrow or widen the repetitions to fit. */
    check_all("{\"type\":\"string\",\"pattern\":\"^[a-z]+$\",\"minLength\":20,\"maxLength\":25}");
    check_all("{\"type\":\"string\",\"pattern\":\"^[a-z]*$\",\"maxLength\":2}");
}

/* Outside the subset (or over its bounds), the pattern is ignored: the string still honours the lengths. */
static void test_pattern_fallback(void **state)
{
    (void)state;
    static const char *const unsupported[] = {
        "^(?=a)b$", "^(a)\\\\1$", "\\\\bword\\\\b", "\\\\p{L}+", "a{2000}", "[^ -~]", "(((", "a)", "[z-a]"};
    cm_rng_t rng;
    cm_rng_seed(&rng, 1);
    for (size_t i = 0; i < sizeof(unsupported) / sizeof(unsupported[0]); i++) {
        char s[128];
        snprintf(s, sizeof(s), "{\"type\":\"string\",\"pattern\":\"%s\",\"minLength\":3,\"maxLength\":9}",
                 unsupported[i]);
        const char *v = gen(s, 5);
        fx_t *f = fx_new();
        fx_read(f, v, strlen(v));
        size_t n = strlen(jstr(&f->doc, 0, ""));
        if (n < 3 || n > 9)
            fail_msg("%s gave %s", s, v);
        fx_free(f);
    }
    /* One over each bound of the subset is refused; at the bound it is served. */
    cm_buf_t pat = CM_BUF_INIT, got = CM_BUF_INIT;
    uint32_t used;
    for (int i = 0; i < MP_PATTERN_MAX_LEN; i++)
        cm_buf_putc(&pat, 'a');
    assert_int_equal(mp_pattern_generate(pat.data, pat.len, 0, (size_t)-1, UINT32_MAX, &rng, &got, &used), 0);
    assert_int_equal(got.len, MP_PATTERN_MAX_LEN);
    cm_buf_putc(&pat, 'a');
    assert_int_equal(mp_pattern_generate(pat.data, pat.len, 0, (size_t)-1, UINT32_MAX, &rng, &got, &used), -1);
    assert_int_equal(mp_pattern_generate("x{1000}", 7, 0, (size_t)-1, UINT32_MAX, &rng, &got, &used), 0);
    assert_int_equal(mp_pattern_generate("x{1001}", 7, 0, (size_t)-1, UINT32_MAX, &rng, &got, &used), -1);
    assert_int_equal(mp_pattern_generate("x{0,1001}", 9, 0, (size_t)-1, UINT32_MAX, &rng, &got, &used), -1);
    cm_buf_free(&pat);
    cm_buf_free(&got);
    /* Nested quantifiers cannot multiply the work: refused within the step and output bounds. */
    cm_buf_t out = CM_BUF_INIT;
    uint32_t spent;
    const char *nested = "((((a{0,1000}){0,1000}){0,1000}){0,1000})";
    assert_int_equal(mp_pattern_generate(nested, strlen(nested), 1000000, (size_t)-1, UINT32_MAX, &rng, &out, &spent),
                     -1);
    assert_true(spent <= MP_PATTERN_TRIES * MP_PATTERN_MAX_STEPS + strlen(nested));
    /* All tries together stay within the caller's budget. */
    assert_int_equal(mp_pattern_generate(nested, strlen(nested), 1000000, (size_t)-1, 500, &rng, &out, &spent), -1);
    assert_true(spent <= 500);
    assert_int_equal(out.len, 0);
    cm_buf_free(&out);
}

static void test_enum_const(void **state)
{
    (void)state;
    check_all("{\"type\":\"object\",\"properties\":{\"unit\":{\"type\":\"string\",\"enum\":[\"celsius\","
              "\"fahrenheit\"]},\"k\":{\"enum\":[3,4.5,null,{\"x\":[1]}]},\"c\":{\"const\":{\"x\":[1,\"a\\\"b\"]}},"
              "\"esc\":{\"enum\":[\"a\\\"b\\u00e9\"]}},\"required\":[\"unit\",\"k\",\"c\",\"esc\"]}");
    /* enum picks among its values (seeded), not always the first. */
    load("{\"enum\":[\"a\",\"b\",\"c\"]}");
    int seen[3] = {0};
    for (uint64_t seed = 1; seed <= 60; seed++)
        seen[gen_loaded(seed, 0)[1] - 'a']++;
    assert_true(seen[0] > 0 && seen[1] > 0 && seen[2] > 0);
}

static void test_combinators(void **state)
{
    (void)state;
    check_all("{\"type\":\"object\",\"properties\":{"
              "\"any\":{\"anyOf\":[{\"type\":\"integer\",\"minimum\":5,\"maximum\":6},{\"type\":\"string\","
              "\"format\":\"email\"},{\"type\":\"null\"}]},"
              "\"one\":{\"oneOf\":[{\"type\":\"string\",\"maxLength\":2},{\"type\":\"boolean\"}]},"
              "\"all\":{\"allOf\":[{\"type\":\"string\"},{\"minLength\":12},{\"maxLength\":14}]},"
              "\"nums\":{\"allOf\":[{\"minimum\":10},{\"maximum\":12},{\"type\":\"integer\"}]},"
              "\"obj\":{\"allOf\":[{\"type\":\"object\",\"properties\":{\"a\":{\"type\":\"integer\"}},\"required\":"
              "[\"a\"]},{\"properties\":{\"b\":{\"type\":\"boolean\"}},\"required\":[\"b\"]}]}},"
              "\"required\":[\"any\",\"one\",\"all\",\"nums\",\"obj\"]}");
}

static void test_arrays(void **state)
{
    (void)state;
    check_all("{\"type\":\"object\",\"properties\":{"
              "\"tags\":{\"type\":\"array\",\"items\":{\"type\":\"string\"},\"minItems\":4,\"maxItems\":6},"
              "\"one\":{\"type\":\"array\",\"items\":{\"type\":\"integer\"},\"maxItems\":1},"
              "\"none\":{\"type\":\"array\",\"maxItems\":0},"
              "\"many\":{\"type\":\"array\",\"items\":{\"type\":\"boolean\"},\"minItems\":50},"
              "\"pair\":{\"type\":\"array\",\"prefixItems\":[{\"type\":\"string\"},{\"type\":\"integer\"}],"
              "\"minItems\":2},"
              "\"old\":{\"type\":\"array\",\"items\":[{\"type\":\"null\"},{\"type\":\"boolean\"}]},"
              "\"emails\":{\"type\":\"array\",\"items\":{\"type\":\"string\",\"format\":\"email\"}}},"
              "\"required\":[\"tags\",\"one\",\"none\",\"many\",\"pair\",\"old\",\"emails\"]}");
}

/* uniqueItems: distinct items even from small domains (3 enum values, 3 integers, 2 booleans, short
 * strings); an array whose schema cannot give minItems distinct values keeps its duplicates rather than
 * break minItems, and one that may stop early ends with the distinct items it has. */
static void test_unique_items(void **state)
{
    (void)state;
    check_all("{\"type\":\"object\",\"properties\":{"
              "\"tags\":{\"type\":\"array\",\"items\":{\"type\":\"string\",\"maxLength\":1},\"minItems\":3,"
              "\"uniqueItems\":true},"
              "\"colors\":{\"type\":\"array\",\"items\":{\"enum\":[\"red\",\"green\",\"blue\"]},\"minItems\":3,"
              "\"maxItems\":3,\"uniqueItems\":true},"
              "\"small\":{\"type\":\"array\",\"items\":{\"type\":\"integer\",\"minimum\":1,\"maximum\":3},"
              "\"minItems\":3,\"uniqueItems\":true},"
              "\"flags\":{\"type\":\"array\",\"items\":{\"type\":\"boolean\"},\"minItems\":2,\"uniqueItems\":true},"
              "\"points\":{\"type\":\"array\",\"items\":{\"type\":\"object\",\"properties\":{\"x\":{\"type\":"
              "\"integer\",\"minimum\":0,\"maximum\":1},\"y\":{\"type\":\"integer\",\"minimum\":0,\"maximum\":1}},"
              "\"required\":[\"x\",\"y\"]},\"minItems\":4,\"uniqueItems\":true},"
              "\"up_to\":{\"type\":\"array\",\"items\":{\"const\":1},\"maxItems\":3,\"uniqueItems\":true}},"
              "\"required\":[\"tags\",\"colors\",\"small\",\"flags\",\"points\",\"up_to\"]}");
    /* Without uniqueItems, 50 booleans repeat; with it and minItems 3 the schema is unsatisfiable: the
     * three items are kept (duplicates) rather than fewer than minItems. */
    const char *v = gen("{\"type\":\"array\",\"items\":{\"type\":\"boolean\"},\"minItems\":3,\"uniqueItems\":true}", 5);
    assert_int_equal(strlen(v) > 0 && v[0] == '[', 1);
    load("{\"type\":\"array\",\"items\":{\"type\":\"boolean\"},\"minItems\":3,\"uniqueItems\":true}");
    cm_json_toks_t t = {0};
    cm_json_doc_t d;
    char err[64];
    assert_int_equal(cm_json_parse(&d, gen_loaded(5, 0), value.len, &t, err, sizeof(err)), 0);
    assert_int_equal(d.tok[0].count, 3);
    cm_json_toks_free(&t);
}

/* multipleOf on an integer with a fractional value: 0.5 and 0.25 allow any integer, 1.5 the multiples of
 * 3, 0.3 and 3e-1 those of 3, 2.5 those of 5; values stay within their bounds. */
static void test_fractional_multiple_of_integer(void **state)
{
    (void)state;
    static const struct {
        const char *m;
        long step;
    } cases[] = {{"0.5", 1}, {"0.25", 1}, {"1.5", 3}, {"0.3", 3}, {"3e-1", 3}, {"2.5", 5}, {"0.75", 3}, {"1.50", 3}};
    char schema[256];
    bool odd = false;
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        snprintf(schema, sizeof(schema),
                 "{\"type\":\"object\",\"properties\":{\"n\":{\"type\":\"integer\",\"multipleOf\":%s,\"minimum\":-40,"
                 "\"maximum\":40}},\"required\":[\"n\"]}",
                 cases[i].m);
        check_all(schema);
        for (uint64_t seed = 1; seed <= 200; seed++) {
            const char *v = gen_loaded(seed, 0);
            long n = strtol(v + 5, NULL, 10);
            if (n % cases[i].step != 0 || n < -40 || n > 40)
                fail_msg("multipleOf %s: %s", cases[i].m, v);
            odd = odd || (cases[i].step == 1 && n % 2 != 0);
        }
    }
    assert_true(odd); /* 0.5 and 0.25 do not narrow integers to even ones */
}

/* A naive validator divides: 9 / 0.3 is 30.000000000000004 in floating point. Values are chosen so that
 * the quotient is exact, for integers and decimals alike. */
static void test_multiple_of_quotient_exact(void **state)
{
    (void)state;
    const char *schemas[] = {
        "{\"type\":\"object\",\"properties\":{\"n\":{\"type\":\"integer\",\"multipleOf\":0.3}},\"required\":[\"n\"]}",
        "{\"type\":\"object\",\"properties\":{\"n\":{\"type\":\"number\",\"multipleOf\":0.1,\"minimum\":0,"
        "\"maximum\":10}},\"required\":[\"n\"]}",
    };
    for (size_t i = 0; i < 2; i++) {
        load(schemas[i]);
        double m = i == 0 ? 0.3 : 0.1;
        for (uint64_t seed = 1; seed <= 200; seed++) {
            const char *v = gen_loaded(seed, 0);
            double x = strtod(v + 5, NULL), q = x / m;
            if (q != floor(q))
                fail_msg("seed %llu: %s / %g = %.17g", (unsigned long long)seed, v, m, q);
        }
    }
}

/* $ref into $defs and definitions, through chains and escaped pointer segments. */
static void test_refs(void **state)
{
    (void)state;
    check_all("{\"type\":\"object\",\"$defs\":{\"addr\":{\"type\":\"object\",\"properties\":{\"city\":{\"type\":"
              "\"string\"},\"zip\":{\"type\":\"string\",\"pattern\":\"^\\\\d{5}$\"}},\"required\":[\"city\",\"zip\"],"
              "\"additionalProperties\":false},\"alias\":{\"$ref\":\"#/$defs/addr\"},\"odd~name/x\":{\"const\":7}},"
              "\"definitions\":{\"n\":{\"type\":\"integer\",\"minimum\":1,\"maximum\":3}},"
              "\"properties\":{\"home\":{\"$ref\":\"#/$defs/alias\"},\"count\":{\"$ref\":\"#/definitions/n\"},"
              "\"odd\":{\"$ref\":\"#/$defs/odd~0name~1x\"} },"
              "\"required\":[\"home\",\"count\",\"odd\"],\"additionalProperties\":false}");
    /* A reference outside the schema cannot be followed: any value (a phrase) stands for it. */
    const char *v = gen("{\"type\":\"object\",\"properties\":{\"lost\":{\"$ref\":\"https://example.com/s.json\"}},"
                        "\"required\":[\"lost\"]}",
                        1);
    assert_true(strncmp(v, "{\"lost\":\"", 9) == 0);
    /* A $ref cycle without any value in between ends (the view ignores a node seen twice): some JSON. */
    fx_t *f = fx_new();
    v = gen("{\"$defs\":{\"a\":{\"$ref\":\"#/$defs/b\"},\"b\":{\"$ref\":\"#/$defs/a\"}},\"$ref\":\"#/$defs/a\"}", 1);
    fx_read(f, v, strlen(v));
    fx_free(f);
}

/* Recursive schemas (a tree through "#", a linked list through $defs, as zod and pydantic write them) end:
 * after a few levels the generator takes the null branch and minItems. */
static void test_recursion(void **state)
{
    (void)state;
    const char *tree = "{\"type\":\"object\",\"properties\":{\"name\":{\"type\":\"string\"},\"children\":{\"type\":"
                       "\"array\",\"items\":{\"$ref\":\"#\"}}},\"required\":[\"name\",\"children\"],"
                       "\"additionalProperties\":false}";
    check_all(tree);
    check_all("{\"$defs\":{\"node\":{\"type\":\"object\",\"properties\":{\"v\":{\"type\":\"integer\"},\"next\":"
              "{\"anyOf\":[{\"$ref\":\"#/$defs/node\"},{\"type\":\"null\"}]}},\"required\":[\"v\",\"next\"]}},"
              "\"$ref\":\"#/$defs/node\"}");
    /* Depth of the tree stays within the soft limit plus the levels a minimal value still needs. */
    load(tree);
    for (uint64_t seed = 1; seed <= SEEDS; seed++) {
        const char *v = gen_loaded(seed, 0);
        int depth = 0, max = 0;
        for (const char *p = v; *p; p++) {
            depth += *p == '{' ? 1 : *p == '}' ? -1 : 0;
            max = depth > max ? depth : max;
        }
        if (max > MP_SCHEMA_SOFT_REFS + 2)
            fail_msg("tree %d deep: %s", max, v);
    }
}

/* A schema that requires infinite recursion is cut at MP_SCHEMA_MAX_DEPTH: still JSON, still bounded. */
static void test_depth_bounded(void **state)
{
    (void)state;
    const char *v = gen("{\"type\":\"object\",\"properties\":{\"a\":{\"$ref\":\"#\"}},\"required\":[\"a\"]}", 1);
    fx_t *f = fx_new();
    fx_read(f, v, strlen(v));
    size_t depth = 0;
    for (const char *p = v; *p; p++)
        depth += *p == '{';
    assert_int_equal(depth, MP_SCHEMA_MAX_DEPTH + 1);
    fx_free(f);
}

static void test_deterministic(void **state)
{
    (void)state;
    const char *s = "{\"type\":\"object\",\"properties\":{\"name\":{\"type\":\"string\"},\"n\":{\"type\":"
                    "\"number\"},\"tags\":{\"type\":\"array\",\"items\":{\"type\":\"string\"}}},\"required\":[\"name\","
                    "\"n\",\"tags\"]}";
    char first[512];
    snprintf(first, sizeof(first), "%s", gen(s, 77));
    assert_string_equal(gen(s, 77), first);
    int differ = 0;
    for (uint64_t seed = 1; seed <= 10; seed++)
        differ += strcmp(gen(s, seed), first) != 0;
    assert_true(differ >= 9);
    /* Tool arguments: the root is an object whatever the schema says. */
    load("{}");
    assert_string_equal(gen_loaded(1, MP_SCHEMA_ROOT_OBJECT), "{}");
    load("[1,2]");
    assert_string_equal(gen_loaded(1, MP_SCHEMA_ROOT_OBJECT), "{}");
    assert_int_equal(mp_schema_generate(NULL, 0, 1, MP_SCHEMA_ROOT_OBJECT, &value, why, sizeof(why)), 0);
}

/* $defs that each use the next twice: 2^30 leaves if expanded. Refused by the work bound, quickly. */
static void test_exponential_refused(void **state)
{
    (void)state;
    cm_buf_t s = CM_BUF_INIT;
    cm_buf_puts(&s, "{\"$ref\":\"#/$defs/d0\",\"$defs\":{");
    for (int i = 0; i < 30; i++)
        cm_buf_printf(&s, "\"d%d\":{\"type\":\"array\",\"minItems\":2,\"items\":{\"$ref\":\"#/$defs/d%d\"}},", i,
                      i + 1);
    cm_buf_puts(&s, "\"d30\":{\"type\":\"string\"}}}");
    load(s.data);
    double t0 = fx_cpu_s();
    assert_null(gen_loaded(1, 0));
    double took = fx_cpu_s() - t0;
    if (took > 0.5 * fx_time_scale())
        fail_msg("refusal took %.3f s", took);
    assert_true(strstr(why, "steps") != NULL || strstr(why, "larger") != NULL);
    cm_buf_free(&s);
}

/* Patterns draw on the same work budget as the rest of the value: thousands of patterned strings, each of
 * which no try can fit, are refused quickly instead of costing each pattern's worst case (seconds of the
 * event loop before the budget counted pattern steps). */
static void test_patterns_share_the_budget(void **state)
{
    (void)state;
    load("{\"type\":\"array\",\"minItems\":5000,\"maxItems\":5000,\"items\":{\"type\":\"string\","
         "\"pattern\":\"((a|b|c|d)(e|f|g|h)(x|y|z)){300}\",\"maxLength\":3}}");
    assert_null(gen_loaded(1, 0));
    assert_non_null(strstr(why, "steps"));
}

/* One name over MP_SCHEMA_MAX_PROPERTIES is refused; at the limit it is served. */
static void test_properties_bounded(void **state)
{
    (void)state;
    for (int extra = 0; extra <= 1; extra++) {
        cm_buf_t s = CM_BUF_INIT;
        cm_buf_puts(&s, "{\"type\":\"object\",\"required\":[");
        for (int i = 0; i < MP_SCHEMA_MAX_PROPERTIES + extra; i++)
            cm_buf_printf(&s, "%s\"p%d\"", i ? "," : "", i);
        cm_buf_puts(&s, "]}");
        load(s.data);
        const char *v = gen_loaded(1, 0);
        if (extra == 0) {
            assert_non_null(v);
            assert_non_null(strstr(v, "\"p4999\":"));
        } else {
            assert_null(v);
            assert_string_equal(why, "has more than 5000 properties (required entries and property names, all "
                                     "nested objects together)");
        }
        cm_buf_free(&s);
    }
}

/* Over MP_SCHEMA_MAX_BYTES by minLength, by minItems x item size, and by enum values; a minItems of 10^12
 * is refused without looping over it. */
static void test_bytes_bounded(void **state)
{
    (void)state;
    char s[256];
    snprintf(s, sizeof(s), "{\"type\":\"string\",\"minLength\":%d}", MP_SCHEMA_MAX_BYTES + 1);
    load(s);
    assert_null(gen_loaded(1, 0));
    assert_string_equal(why, "gives a value larger than 262144 bytes");
    snprintf(s, sizeof(s), "{\"type\":\"string\",\"minLength\":%d}", MP_SCHEMA_MAX_BYTES - 10);
    load(s);
    assert_non_null(gen_loaded(1, 0));
    load("{\"type\":\"array\",\"minItems\":1000000000000,\"items\":{\"type\":\"integer\"}}");
    double t0 = fx_cpu_s();
    assert_null(gen_loaded(1, 0));
    assert_true(fx_cpu_s() - t0 < 0.5 * fx_time_scale());
    load("{\"type\":\"array\",\"minItems\":3000,\"items\":{\"type\":\"string\",\"minLength\":100}}");
    assert_null(gen_loaded(1, 0));
    assert_string_equal(why, "gives a value larger than 262144 bytes");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_types),
        cmocka_unit_test(test_nullable_unions),
        cmocka_unit_test(test_numbers),
        cmocka_unit_test(test_strings_and_formats),
        cmocka_unit_test(test_time_has_offset),
        cmocka_unit_test(test_realistic_by_name),
        cmocka_unit_test(test_patterns),
        cmocka_unit_test(test_pattern_fallback),
        cmocka_unit_test(test_enum_const),
        cmocka_unit_test(test_combinators),
        cmocka_unit_test(test_arrays),
        cmocka_unit_test(test_unique_items),
        cmocka_unit_test(test_fractional_multiple_of_integer),
        cmocka_unit_test(test_multiple_of_quotient_exact),
        cmocka_unit_test(test_refs),
        cmocka_unit_test(test_recursion),
        cmocka_unit_test(test_depth_bounded),
        cmocka_unit_test(test_deterministic),
        cmocka_unit_test(test_exponential_refused),
        cmocka_unit_test(test_patterns_share_the_budget),
        cmocka_unit_test(test_properties_bounded),
        cmocka_unit_test(test_bytes_bounded),
    };
    int rc = cmocka_run_group_tests(tests, NULL, NULL);
    cm_buf_free(&value);
    cm_buf_free(&schema_text);
    cm_json_toks_free(&schema_toks);
    return rc;
}
