/* Tests mock-provider/providers/openai/openai_format.c: structured output (chat response_format, Responses
 * text.format): answers valid against the schema, in bodies and streams, usage, truncation, and the 400s. */
#include "unit/mock-provider/providers/fixture.h"
#include "unit/mock-provider/providers/schema_check.h"
#include "mock-provider/providers/budget.h"
#include "mock-provider/providers/openai/openai.h"

#define PERSON                                                                                                         \
    "{\"type\":\"object\",\"properties\":{\"name\":{\"type\":\"string\"},\"email\":{\"type\":\"string\",\"format\":"   \
    "\"email\"},\"age\":{\"type\":\"integer\",\"minimum\":0,\"maximum\":120},\"tags\":{\"type\":\"array\",\"items\":"  \
    "{\"type\":\"string\"}},\"nick\":{\"type\":[\"string\",\"null\"]}},\"required\":[\"name\",\"email\",\"age\","      \
    "\"tags\",\"nick\"],\"additionalProperties\":false}"
#define CHAT(extra) "{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":\"Who?\"}]" extra "}"
#define RF(schema)                                                                                                     \
    ",\"response_format\":{\"type\":\"json_schema\",\"json_schema\":{\"name\":\"person\",\"strict\":true,"             \
    "\"schema\":" schema "}}"
#define RESP(extra) "{\"model\":\"m\",\"input\":\"Who?\"" extra "}"
#define TF(schema)                                                                                                     \
    ",\"text\":{\"format\":{\"type\":\"json_schema\",\"name\":\"person\",\"strict\":true,\"schema\":" schema "}}"

static cm_json_toks_t stoks;
static cm_json_doc_t sdoc;

/* Fails unless json is valid against PERSON. */
static void expect_person(const char *json)
{
    static const char wrapped[] = "{\"s\":" PERSON "}";
    char err[160];
    assert_int_equal(cm_json_parse(&sdoc, wrapped, sizeof(wrapped) - 1, &stoks, err, sizeof(err)), 0);
    const char *bad = sc_validate(&sdoc, cm_json_get(&sdoc, 0, "s"), json);
    if (bad != NULL)
        fail_msg("%s: %s", bad, json);
}

static void test_chat_body(void **state)
{
    (void)state;
    fx_t *f = fx_new();
    fx_begin(f, MP_API_CHAT, CHAT(RF(PERSON)));
    f->dep.ops->render_body(&f->x, &f->out);
    fx_read(f, f->out.data, f->out.len);
    char content[4096];
    fx_copy(content, sizeof(content), jstr(&f->doc, 0, "choices.0.message.content"));
    expect_person(content);
    assert_string_equal(jstr(&f->doc, 0, "choices.0.finish_reason"), "stop");
    assert_true(jnull(&f->doc, 0, "choices.0.message.refusal"));
    /* Usage counts the JSON's pieces (about 4 characters each), not the length model's 5 tokens. */
    assert_int_equal(jint(&f->doc, 0, "usage.completion_tokens"), f->x.tokens[0]);
    assert_true(f->x.tokens[0] >= strlen(content) / 4);
    assert_true(mp_oa_response_bound(&f->dep, &f->req) >= f->out.len);
    fx_free(f);
}

/* Streamed, the JSON comes in content deltas of a few characters: every prefix is what a partial-object
 * parser would see, and together they are the body's JSON. */
static void test_chat_stream(void **state)
{
    (void)state;
    fx_t *f = fx_new(), *g = fx_new();
    fx_begin(f, MP_API_CHAT, CHAT(RF(PERSON) ",\"stream\":true,\"n\":2"));
    fx_begin(g, MP_API_CHAT, CHAT(RF(PERSON)));
    fx_stream(f);
    static sse_frame_t fr[4096];
    size_t n = sse_split(f->out.data, f->out.len, fr, 4096);
    cm_buf_t text = CM_BUF_INIT;
    size_t deltas = 0;
    for (size_t i = 0; i + 1 < n; i++) {
        fx_read(f, fr[i].data, fr[i].len);
        if (jint(&f->doc, 0, "choices.0.index") != 0 || jpath(&f->doc, 0, "choices.0.delta.content") == 0)
            continue;
        const char *piece = jstr(&f->doc, 0, "choices.0.delta.content");
        assert_true(strlen(piece) <= 12);
        deltas += piece[0] != '\0';
        cm_buf_puts(&text, piece);
    }
    assert_true(deltas > 10);
    expect_person(text.data);
    g->dep.ops->render_body(&g->x, &g->out);
    fx_read(g, g->out.data, g->out.len);
    assert_string_equal(text.data, jstr(&g->doc, 0, "choices.0.message.content"));
    assert_true(mp_oa_response_bound(&f->dep, &f->req) >= f->out.len);
    cm_buf_free(&text);
    fx_free(f);
    fx_free(g);
}

/* max_tokens cuts the JSON at a piece boundary: finish "length", as the real API (the SDK's parse() then
 * raises its LengthFinishReasonError). */
static void test_chat_truncated(void **state)
{
    (void)state;
    fx_t *f = fx_new();
    fx_begin(f, MP_API_CHAT, CHAT(RF(PERSON) ",\"max_tokens\":3"));
    f->dep.ops->render_body(&f->x, &f->out);
    fx_read(f, f->out.data, f->out.len);
    assert_string_equal(jstr(&f->doc, 0, "choices.0.finish_reason"), "length");
    assert_int_equal(jint(&f->doc, 0, "usage.completion_tokens"), 3);
    assert_int_equal(strncmp(jstr(&f->doc, 0, "choices.0.message.content"), "{\"name\":\"", 9), 0);
    assert_true(strlen(jstr(&f->doc, 0, "choices.0.message.content")) <= 12);
    fx_free(f);
}

static void test_json_object(void **state)
{
    (void)state;
    fx_t *f = fx_new();
    fx_expect_error(f, MP_API_CHAT, CHAT(",\"response_format\":{\"type\":\"json_object\"}"), 400, "messages", "",
                    "'messages' must contain the word 'json' in some form, to use 'response_format' of type "
                    "'json_object'.");
    fx_begin(f, MP_API_CHAT,
             "{\"model\":\"m\",\"messages\":[{\"role\":\"system\",\"content\":\"Answer in JSON.\"},{\"role\":\"user\","
             "\"content\":\"Who?\"}],\"response_format\":{\"type\":\"json_object\"}}");
    f->dep.ops->render_body(&f->x, &f->out);
    fx_read(f, f->out.data, f->out.len);
    char content[4096];
    fx_copy(content, sizeof(content), jstr(&f->doc, 0, "choices.0.message.content"));
    fx_read(f, content, strlen(content));
    assert_int_equal(cm_json_type(&f->doc, 0), CM_JSON_OBJECT);
    assert_true(f->doc.tok[0].count >= 2);
    /* text is plain text, as without response_format. */
    assert_int_equal(fx_parse(f, MP_API_CHAT, CHAT(",\"response_format\":{\"type\":\"text\"}")), 0);
    assert_null(f->req.structured);
    fx_free(f);
}

/* json_object reads the conversation (system prompt, parts, Responses instructions) for the keys it asks
 * for (schema_hint.h), and the request's seed varies the values. */
static void test_json_object_from_prompt(void **state)
{
    (void)state;
    fx_t *f = fx_new();
    char first[1024];
    const char *chat =
        "{\"model\":\"m\",\"seed\":%d,\"messages\":[{\"role\":\"system\",\"content\":[{\"type\":\"text\","
        "\"text\":\"Reply with a JSON object with an \\\"answer\\\" key and a \\\"sources\\\" key.\"}]},"
        "{\"role\":\"user\",\"content\":\"Why is the sky blue?\"}],\"response_format\":{\"type\":"
        "\"json_object\"}}";
    char body[512];
    for (int seed = 1; seed <= 2; seed++) {
        snprintf(body, sizeof(body), chat, seed);
        assert_int_equal(fx_parse(f, MP_API_CHAT, body), 0);
        fx_read(f, f->req.structured, strlen(f->req.structured));
        assert_int_equal(cm_json_type(&f->doc, jpath(&f->doc, 0, "answer")), CM_JSON_STRING);
        assert_int_equal(cm_json_type(&f->doc, jpath(&f->doc, 0, "sources")), CM_JSON_ARRAY);
        assert_int_equal(f->doc.tok[0].count, 2);
        if (seed == 1)
            fx_copy(first, sizeof(first), f->req.structured);
        else
            assert_string_not_equal(first, f->req.structured);
    }
    assert_int_equal(fx_parse(f, MP_API_RESPONSES,
                              "{\"model\":\"m\",\"instructions\":\"Return JSON with the keys: city, population.\","
                              "\"input\":[{\"role\":\"user\",\"content\":[{\"type\":\"input_text\",\"text\":\"Largest "
                              "city?\"}]}],\"text\":{\"format\":{\"type\":\"json_object\"}}}"),
                     0);
    fx_read(f, f->req.structured, strlen(f->req.structured));
    assert_int_equal(cm_json_type(&f->doc, jpath(&f->doc, 0, "city")), CM_JSON_STRING);
    int64_t pop;
    assert_int_equal(cm_json_int(&f->doc, jpath(&f->doc, 0, "population"), &pop), 0);
    fx_free(f);
}

static void test_responses(void **state)
{
    (void)state;
    fx_t *f = fx_new(), *g = fx_new();
    fx_begin(f, MP_API_RESPONSES, RESP(TF(PERSON)));
    f->dep.ops->render_body(&f->x, &f->out);
    fx_read(f, f->out.data, f->out.len);
    char text[4096];
    fx_copy(text, sizeof(text), jstr(&f->doc, 0, "output.0.content.0.text"));
    expect_person(text);
    assert_string_equal(jstr(&f->doc, 0, "text.format.type"), "json_schema");
    assert_string_equal(jstr(&f->doc, 0, "text.format.name"), "person");
    assert_string_equal(jstr(&f->doc, 0, "text.format.schema.properties.email.format"), "email");
    assert_int_equal(jint(&f->doc, 0, "usage.output_tokens"), f->x.tokens[0]);
    /* Streamed: the deltas add up to the same JSON. */
    fx_begin(g, MP_API_RESPONSES, RESP(TF(PERSON) ",\"stream\":true"));
    fx_stream(g);
    static sse_frame_t fr[4096];
    size_t n = sse_split(g->out.data, g->out.len, fr, 4096);
    cm_buf_t all = CM_BUF_INIT;
    for (size_t i = 0; i < n; i++)
        if (!strcmp(fr[i].event, "response.output_text.delta")) {
            fx_read(g, fr[i].data, fr[i].len);
            cm_buf_puts(&all, jstr(&g->doc, 0, "delta"));
        }
    assert_string_equal(all.data, text);
    assert_true(mp_oa_response_bound(&g->dep, &g->req) >= g->out.len);
    cm_buf_free(&all);
    fx_free(f);
    fx_free(g);
}

static void test_chat_errors(void **state)
{
    (void)state;
    fx_t *f = fx_new();
    fx_expect_error(f, MP_API_CHAT, CHAT(",\"response_format\":{}"), 400, "response_format.type",
                    "missing_required_parameter", "Missing required parameter: 'response_format.type'.");
    fx_expect_error(f, MP_API_CHAT, CHAT(",\"response_format\":{\"type\":\"xml\"}"), 400, "response_format.type",
                    "invalid_value",
                    "Invalid value: 'xml'. Supported values are: 'text', 'json_object', and 'json_schema'.");
    fx_expect_error(f, MP_API_CHAT, CHAT(",\"response_format\":{\"type\":\"json_schema\"}"), 400,
                    "response_format.json_schema", "missing_required_parameter",
                    "Missing required parameter: 'response_format.json_schema'.");
    fx_expect_error(f, MP_API_CHAT, CHAT(",\"response_format\":{\"type\":\"json_schema\",\"json_schema\":{}}"), 400,
                    "response_format.json_schema.name", "missing_required_parameter",
                    "Missing required parameter: 'response_format.json_schema.name'.");
    fx_expect_error(f, MP_API_CHAT,
                    CHAT(",\"response_format\":{\"type\":\"json_schema\",\"json_schema\":{\"name\":\"a b\"}}"), 400,
                    "response_format.json_schema.name", "invalid_value",
                    "Invalid 'response_format.json_schema.name': string does not match pattern. Expected a string "
                    "that matches the pattern '^[a-zA-Z0-9_-]+$'.");
    fx_expect_error(f, MP_API_CHAT,
                    CHAT(RF("{\"type\":\"object\",\"properties\":{\"a\":{\"type\":\"string\"}},"
                            "\"required\":[\"a\"]}")),
                    400, "response_format", "",
                    "Invalid schema for response_format 'person': In context=(), 'additionalProperties' is required "
                    "to be supplied and to be false.");
    fx_expect_error(f, MP_API_CHAT,
                    CHAT(RF("{\"type\":\"object\",\"properties\":{\"a\":{\"type\":\"object\",\"properties\":{\"b\":{"
                            "\"type\":\"string\"},\"c\":{\"type\":\"string\"}},\"required\":[\"b\"],"
                            "\"additionalProperties\":false}},\"required\":[\"a\"],\"additionalProperties\":false}")),
                    400, "response_format", "",
                    "Invalid schema for response_format 'person': In context=('properties', 'a'), 'required' is "
                    "required to be supplied and to be an array including every key in properties. Missing 'c'.");
    fx_expect_error(f, MP_API_CHAT, CHAT(RF("{\"type\":\"array\"}")), 400, "response_format", "",
                    "Invalid schema for response_format 'person': schema must be a JSON Schema of 'type: "
                    "\"object\"', got 'type: \"array\"'.");
    /* Not strict: the same schema is accepted. */
    assert_int_equal(
        fx_parse(f, MP_API_CHAT,
                 CHAT(",\"response_format\":{\"type\":\"json_schema\",\"json_schema\":{\"name\":\"x\","
                      "\"schema\":{\"type\":\"array\",\"items\":{\"type\":\"integer\"},\"minItems\":2}}}")),
        0);
    assert_int_equal(f->req.structured[0], '[');
    fx_free(f);
}

static void test_responses_errors_and_strict_tools(void **state)
{
    (void)state;
    fx_t *f = fx_new();
    fx_expect_error(f, MP_API_RESPONSES, RESP(",\"text\":{\"format\":{\"type\":\"json_schema\"}}"), 400,
                    "text.format.name", "missing_required_parameter",
                    "Missing required parameter: 'text.format.name'.");
    fx_expect_error(f, MP_API_RESPONSES, RESP(TF("{\"type\":\"object\",\"properties\":{}}")), 400, "text.format.schema",
                    "invalid_json_schema",
                    "Invalid schema for response_format 'person': In context=(), 'additionalProperties' is required "
                    "to be supplied and to be false.");
    /* Array indices in the context are quoted, as in a real upstream error (a zod union through
     * zodTextFormat). */
    fx_expect_error(
        f, MP_API_RESPONSES,
        RESP(TF("{\"type\":\"object\",\"properties\":{\"u\":{\"anyOf\":[{\"type\":\"object\",\"properties\":{"
                "\"a\":{\"type\":\"string\"}},\"required\":[\"a\"]},{\"type\":\"null\"}]}},\"required\":[\"u\"],"
                "\"additionalProperties\":false}")),
        400, "text.format.schema", "invalid_json_schema",
        "Invalid schema for response_format 'person': In context=('properties', 'u', 'anyOf', '0'), "
        "'additionalProperties' is required to be supplied and to be false.");
    fx_expect_error(f, MP_API_RESPONSES, RESP(",\"text\":{\"format\":{\"type\":\"json_object\"}}"), 400, "input", "",
                    "Response input messages must contain the word 'json' in some form to use 'text.format' of type "
                    "'json_object'.");
    fx_expect_error(f, MP_API_CHAT,
                    CHAT(",\"tools\":[{\"type\":\"function\",\"function\":{\"name\":\"f\",\"strict\":true,"
                         "\"parameters\":{\"type\":\"object\",\"properties\":{\"a\":{\"type\":\"string\"}},"
                         "\"additionalProperties\":false}}}]"),
                    400, "tools[0].function.parameters", "invalid_function_parameters",
                    "Invalid schema for function 'f': In context=(), 'required' is required to be supplied and to be "
                    "an array including every key in properties. Missing 'a'.");
    /* A schema over the generator's bounds is a 400 too, never a crash or a huge answer. */
    fx_expect_error(f, MP_API_CHAT,
                    CHAT(",\"response_format\":{\"type\":\"json_schema\",\"json_schema\":{\"name\":\"big\",\"schema\":"
                         "{\"type\":\"string\",\"minLength\":300000}}}"),
                    400, "response_format", "",
                    "Invalid schema for response_format 'big': it gives a value larger than 262144 bytes.");
    fx_free(f);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_chat_body),
        cmocka_unit_test(test_chat_stream),
        cmocka_unit_test(test_chat_truncated),
        cmocka_unit_test(test_json_object),
        cmocka_unit_test(test_json_object_from_prompt),
        cmocka_unit_test(test_responses),
        cmocka_unit_test(test_chat_errors),
        cmocka_unit_test(test_responses_errors_and_strict_tools),
    };
    int rc = cmocka_run_group_tests(tests, NULL, NULL);
    cm_json_toks_free(&stoks);
    return rc;
}
