/* Tests mock-provider/providers/schema/schema_hint.c: the object a JSON-mode answer carries, from a schema written
 * in the prompt, an example object, keys the prompt names, or its topic; seeded; bounded on hostile text. */
#include "unit/mock-provider/providers/fixture.h"
#include "unit/mock-provider/providers/schema_check.h"
#include "mock-provider/providers/schema/schema_hint.h"

static cm_buf_t out;
static cm_json_toks_t toks;
static cm_json_doc_t doc;

/* The answer for prompt and seed, parsed into doc; it must be a JSON object. */
static const char *answer(const char *prompt, uint64_t seed)
{
    char err[160];
    cm_buf_reset(&out);
    mp_hint_json_object(prompt, strlen(prompt), seed, &out);
    if (cm_json_parse(&doc, out.data, out.len, &toks, err, sizeof(err)) != 0 || cm_json_type(&doc, 0) != CM_JSON_OBJECT)
        fail_msg("not a JSON object (%s): %s", err, out.data);
    return out.data;
}

/* The answer's keys, comma-separated, in order. */
static const char *keys_of(void)
{
    static char buf[512];
    size_t o = 0;
    buf[0] = '\0';
    for (uint32_t k = cm_json_first(&doc, 0); k != 0; k = cm_json_next(&doc, k + 1))
        o += (size_t)snprintf(buf + o, sizeof(buf) - o, "%s%.*s", o ? "," : "", (int)cm_json_raw(&doc, k).n,
                              cm_json_raw(&doc, k).p);
    return buf;
}

static cm_json_type_t type_at(const char *key)
{
    uint32_t t = cm_json_get(&doc, 0, key);
    if (t == 0)
        fail_msg("no %s in %s", key, out.data);
    return cm_json_type(&doc, t);
}

/* Rule 1: a schema in the prompt, the last one when format instructions show an example schema first, also
 * wrapped as OpenAI's {"name","schema"}; the value is valid against it. */
static void test_schema_in_prompt(void **state)
{
    (void)state;
    static const char real[] = "{\"type\":\"object\",\"properties\":{\"city\":{\"type\":\"string\"},\"population\":{"
                               "\"type\":\"integer\",\"minimum\":1000},\"tags\":{\"type\":\"array\",\"items\":{"
                               "\"type\":\"string\"},\"minItems\":2,\"uniqueItems\":true}},\"required\":[\"city\","
                               "\"population\",\"tags\"],\"additionalProperties\":false}";
    cm_buf_t prompt = CM_BUF_INIT, wrapped = CM_BUF_INIT;
    cm_buf_printf(&prompt,
                  "You must format your output as a JSON value that adheres to a given \"JSON Schema\" instance.\n"
                  "For example, the example \"JSON Schema\" instance {\"properties\": {\"foo\": {\"type\": \"array\", "
                  "\"items\": {\"type\": \"string\"}}}, \"required\": [\"foo\"]}\nwould match an object with one "
                  "required property, \"foo\". The object {\"foo\": [\"bar\", \"baz\"]} is a well-formatted instance.\n"
                  "Here is the JSON Schema instance your output must adhere to:\n```json\n%s\n```\nWhat is the "
                  "largest city?",
                  real);
    cm_buf_printf(&wrapped, "{\"s\":%s}", real);
    cm_json_toks_t st = {0};
    cm_json_doc_t sd;
    char err[160];
    assert_int_equal(cm_json_parse(&sd, wrapped.data, wrapped.len, &st, err, sizeof(err)), 0);
    for (uint64_t seed = 1; seed <= 50; seed++) {
        const char *v = answer(prompt.data, seed);
        const char *bad = sc_validate(&sd, cm_json_get(&sd, 0, "s"), v);
        if (bad != NULL)
            fail_msg("seed %llu: %s: %s", (unsigned long long)seed, bad, v);
    }
    answer(
        "Reply in json following {\"name\":\"city_info\",\"strict\":true,\"schema\":{\"type\":\"object\","
        "\"properties\":{\"mayor\":{\"type\":\"string\"},\"founded\":{\"type\":\"integer\"}},\"required\":[\"mayor\","
        "\"founded\"]}}",
        3);
    assert_string_equal(keys_of(), "mayor,founded");
    assert_int_equal(type_at("founded"), CM_JSON_NUMBER);
    cm_json_toks_free(&st);
    cm_buf_free(&prompt);
    cm_buf_free(&wrapped);
}

/* Rule 2: an example object: its keys, each value of the example's kind, formats kept. */
static void test_example_in_prompt(void **state)
{
    (void)state;
    answer("Reply in JSON like this: {\"name\": \"Ann\", \"age\": 30, \"score\": 0.5, \"tags\": [\"a\"], "
           "\"is_admin\": false, \"joined\": \"2024-01-02\", \"address\": {\"city\": \"Oslo\"}, \"note\": null}",
           7);
    assert_string_equal(keys_of(), "name,age,score,tags,is_admin,joined,address,note");
    assert_int_equal(type_at("name"), CM_JSON_STRING);
    assert_int_equal(type_at("age"), CM_JSON_NUMBER);
    int64_t age;
    assert_int_equal(cm_json_int(&doc, cm_json_get(&doc, 0, "age"), &age), 0); /* an integer, like 30 */
    assert_int_equal(type_at("tags"), CM_JSON_ARRAY);
    cm_json_type_t b = type_at("is_admin");
    assert_true(b == CM_JSON_TRUE || b == CM_JSON_FALSE);
    char date[32];
    cm_json_unescape(&doc, cm_json_get(&doc, 0, "joined"), date, sizeof(date));
    assert_true(strlen(date) == 10 && date[4] == '-' && date[7] == '-');
    assert_int_equal(type_at("address"), CM_JSON_OBJECT);
    assert_int_equal(cm_json_type(&doc, jpath(&doc, 0, "address.city")), CM_JSON_STRING);
    assert_int_equal(type_at("note"), CM_JSON_STRING);
}

/* Rule 3: keys named in a sentence about keys (quoted, or listed after "keys:"); kinds from the names;
 * quoted words elsewhere and apostrophes name nothing. */
static void test_keys_in_prompt(void **state)
{
    (void)state;
    answer("Answer the user's question. You must always output a JSON object with an \"answer\" key and a "
           "\"followup_question\" key. Say 'hello' first.",
           1);
    assert_string_equal(keys_of(), "answer,followup_question");
    answer("Tell me a joke in JSON with the fields: setup, punchline, rating and is_funny.", 2);
    assert_string_equal(keys_of(), "setup,punchline,rating,is_funny");
    assert_int_equal(type_at("rating"), CM_JSON_NUMBER);
    cm_json_type_t b = type_at("is_funny");
    assert_true(b == CM_JSON_TRUE || b == CM_JSON_FALSE);
    answer("Return json. Use the properties `title`, `keywords`, `wordCount` and `confidence`.", 3);
    assert_string_equal(keys_of(), "title,keywords,wordCount,confidence");
    assert_int_equal(type_at("keywords"), CM_JSON_ARRAY);
    double conf;
    cm_json_double(&doc, cm_json_get(&doc, 0, "confidence"), &conf);
    assert_true(conf >= 0 && conf <= 1);
    int64_t wc;
    assert_int_equal(cm_json_int(&doc, cm_json_get(&doc, 0, "wordCount"), &wc), 0);
}

/* Rule 4: the topic of the latest text, else a general answer that varies with the seed; the same seed
 * gives the same object. */
static void test_topic_and_seed(void **state)
{
    (void)state;
    answer("Describe a customer as json", 1);
    assert_string_equal(keys_of(), "name,email,age,city");
    answer("What is the weather in Oslo? Reply in json", 1);
    assert_string_equal(keys_of(), "city,temperature,condition,humidity");
    char first[512], again[512];
    fx_copy(first, sizeof(first), answer("Give me json", 1));
    fx_copy(again, sizeof(again), answer("Give me json", 1));
    assert_string_equal(first, again);
    int distinct_keys = 0, distinct_values = 0;
    char shapes[8][128];
    for (uint64_t seed = 2; seed < 10; seed++) {
        const char *v = answer("Give me json", seed);
        distinct_values += strcmp(v, first) != 0;
        fx_copy(shapes[seed - 2], sizeof(shapes[0]), keys_of());
        bool is_new = true;
        for (uint64_t s = 2; s < seed; s++)
            is_new = is_new && strcmp(shapes[s - 2], shapes[seed - 2]) != 0;
        distinct_keys += is_new;
    }
    assert_int_equal(distinct_values, 8);
    assert_true(distinct_keys >= 2);
}

/* Hostile text: thousands of unclosed or invalid braces, a huge prompt, odd quotes; each is fast and still
 * answers an object. */
static void test_bounded(void **state)
{
    (void)state;
    cm_buf_t p = CM_BUF_INIT;
    for (int i = 0; i < 200000; i++)
        cm_buf_puts(&p, "{\"a");
    double t0 = fx_cpu_s();
    answer(p.data, 1);
    cm_buf_reset(&p);
    for (int i = 0; i < 100000; i++)
        cm_buf_puts(&p, "{x} 'keys' \"");
    answer(p.data, 1);
    cm_buf_reset(&p);
    for (size_t i = 0; i < 2 * MP_HINT_MAX_TEXT; i += 16)
        cm_buf_puts(&p, "field 'k' keys: ");
    answer(p.data, 1);
    assert_true(strlen(keys_of()) > 0);
    assert_true(fx_cpu_s() - t0 < 2.0 * fx_time_scale());
    /* One over each count: the 65th embedded object and the 33rd key are not read. */
    cm_buf_reset(&p);
    for (int i = 0; i < MP_HINT_MAX_OBJECTS; i++)
        cm_buf_puts(&p, "{not json} ");
    cm_buf_puts(&p, "{\"late\": 1} Describe a customer.");
    answer(p.data, 1);
    assert_string_equal(keys_of(), "name,email,age,city");
    cm_buf_reset(&p);
    cm_buf_puts(&p, "Return the keys:");
    for (int i = 0; i <= MP_HINT_MAX_KEYS; i++)
        cm_buf_printf(&p, "%s k%d", i ? "," : "", i);
    answer(p.data, 1);
    assert_int_equal(doc.tok[0].count, MP_HINT_MAX_KEYS);
    assert_int_equal(cm_json_get(&doc, 0, "k32"), 0);
    answer("", 1);
    answer("{\"a\":{\"type\":\"object\",\"properties\":{\"x\":{\"type\":\"string\",\"minLength\":9999999}}}}", 1);
    cm_buf_free(&p);
}

static int teardown(void **state)
{
    (void)state;
    cm_buf_free(&out);
    cm_json_toks_free(&toks);
    return 0;
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_schema_in_prompt), cmocka_unit_test(test_example_in_prompt),
        cmocka_unit_test(test_keys_in_prompt),   cmocka_unit_test(test_topic_and_seed),
        cmocka_unit_test(test_bounded),
    };
    return cmocka_run_group_tests(tests, NULL, teardown);
}
