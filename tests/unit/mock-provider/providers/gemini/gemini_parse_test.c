/* Tests mock-provider/providers/gemini/gemini_parse.c, gemini_contents.c, gemini_schema.c and gemini_embed.c: Google's
 * validation wording, the limits (one over each), tools and toolConfig, OpenAPI-subset schemas, structured
 * output and embeddings requests. */
#include "unit/mock-provider/providers/fixture.h"
#include "mock-provider/providers/gemini/gemini.h"

static fx_t *gfx(bool vertex)
{
    fx_t *f = fx_new();
    f->dep.provider = vertex ? MP_PROVIDER_VERTEX : MP_PROVIDER_GEMINI;
    f->dep.ops = mp_provider_for(f->dep.provider);
    return f;
}

static int gparse(fx_t *f, mp_api_t api, uint8_t variant, const char *model, const char *body)
{
    uint8_t kind = MP_GM_KIND(variant);
    f->route = (mp_route_t){.api = api,
                            .variant = variant,
                            .model = {model, strlen(model)},
                            .stream = kind == MP_GM_V_SSE || kind == MP_GM_V_ARRAY};
    return f->dep.ops->parse(&f->route, body, strlen(body), &f->toks, &f->a, &f->req, &f->err);
}

static void expect_ok(fx_t *f, mp_api_t api, uint8_t variant, const char *body)
{
    if (gparse(f, api, variant, api == MP_API_EMBEDDINGS ? "text-embedding-004" : "gemini-2.0-flash", body) != 0)
        fail_msg("%s: %d %s", body, f->err.status, f->err.message);
}

/* A 400 INVALID_ARGUMENT with this field violation and message. */
static void expect_bad(fx_t *f, mp_api_t api, uint8_t variant, const char *body, const char *field, const char *message)
{
    if (gparse(f, api, variant, api == MP_API_EMBEDDINGS ? "text-embedding-004" : "gemini-2.0-flash", body) == 0)
        fail_msg("accepted: %s", body);
    assert_int_equal(f->err.status, 400);
    assert_string_equal(f->err.param, field);
    assert_string_equal(f->err.message, message);
}

#define GEN MP_API_GENERATE, MP_GM_V_PLAIN
#define HI "\"contents\":[{\"role\":\"user\",\"parts\":[{\"text\":\"Hello big world\"}]}]"

static void test_generate_fields(void **state)
{
    (void)state;
    fx_t *f = gfx(false);
    expect_ok(
        f, GEN,
        "{" HI ",\"systemInstruction\":{\"parts\":[{\"text\":\"be brief\"}]},\"generation_config\":{"
        "\"temperature\":0.5,\"maxOutputTokens\":7,\"candidateCount\":3,\"top_k\":40,\"stopSequences\":[\"x\"]}}");
    assert_int_equal(f->req.n, 3);
    assert_int_equal(f->req.max_tokens, 7);
    assert_int_equal(f->req.prompt_tokens, 6); /* 23 bytes of text */
    assert_int_equal(f->req.echo.n, strlen("Hello big world"));
    assert_false(f->req.tools);
    expect_ok(f, GEN, "{" HI ",\"generationConfig\":{\"maxOutputTokens\":0}}");
    assert_int_equal(f->req.max_tokens, -1); /* 0 is proto3's unset */
    fx_free(f);
}

static void test_generate_errors(void **state)
{
    (void)state;
    fx_t *f = gfx(false);
    expect_bad(f, GEN, "{}", "contents", "* GenerateContentRequest.contents: contents is not specified\n");
    /* an empty body is an empty message, as for Google's parser */
    expect_bad(f, GEN, "", "contents", "* GenerateContentRequest.contents: contents is not specified\n");
    expect_bad(f, GEN, "{" HI ",\"foo\":1}", "",
               "Invalid JSON payload received. Unknown name \"foo\": Cannot find field.");
    expect_bad(f, GEN, "{" HI ",\"generationConfig\":{\"maxTokens\":1}}", "generation_config",
               "Invalid JSON payload received. Unknown name \"maxTokens\" at 'generation_config': Cannot find field.");
    expect_bad(f, GEN, "{" HI ",\"generationConfig\":{\"maxOutputTokens\":\"x\"}}",
               "generation_config.max_output_tokens",
               "Invalid value at 'generation_config.max_output_tokens' (TYPE_INT32), \"x\"");
    expect_bad(f, GEN, "{\"contents\":\"hi\"}", "contents",
               "Invalid value at 'contents' (type.googleapis.com/google.ai.generativelanguage.v1beta.Content), \"hi\"");
    expect_bad(f, GEN, "{" HI ",\"generationConfig\":[]}", "generation_config",
               "Invalid JSON payload received. Proto field is not repeating, cannot start list.");
    expect_bad(f, GEN, "{\"contents\":[{\"role\":\"bot\",\"parts\":[{\"text\":\"x\"}]}]}", "contents[0]",
               "Please use a valid role: user, model.");
    expect_bad(f, GEN, "{\"contents\":[{\"parts\":[]}]}", "contents[0].parts",
               "* GenerateContentRequest.contents[0].parts: contents.parts must not be empty.\n");
    expect_bad(f, GEN, "{\"contents\":[{\"parts\":[{}]}]}", "contents[0].parts[0].data",
               "* GenerateContentRequest.contents[0].parts[0].data: required oneof field 'data' must have one "
               "initialized field\n");
    expect_bad(f, GEN, "{" HI ",\"generationConfig\":{\"temperature\":2.5}}", "generation_config.temperature",
               "Unable to submit request because it has a temperature value of 2.5 but the supported range is from 0 "
               "(inclusive) to 2.0001 (exclusive). Update the value and try again.");
    expect_bad(f, GEN, "[]", "", "Invalid JSON payload received. Unknown name \"\": Root element must be a message.");
    assert_int_equal(gparse(f, GEN, "m", "{\"contents\":"), -1);
    assert_int_equal(f->err.kind, MP_ERR_INVALID_JSON);
    fx_free(f);
    /* Vertex names its own package in type errors */
    f = gfx(true);
    expect_bad(f, MP_API_GENERATE, MP_GM_V_PLAIN | MP_GM_V_VERTEX, "{\"systemInstruction\":1," HI "}",
               "system_instruction",
               "Invalid value at 'system_instruction' (type.googleapis.com/google.cloud.aiplatform.v1.Content), 1");
    fx_free(f);
}

/* Every limit a request controls: the limit passes, one more is a 400. */
static void test_limits(void **state)
{
    (void)state;
    fx_t *f = gfx(false);
    expect_ok(f, GEN, "{" HI ",\"generationConfig\":{\"candidateCount\":8}}");
    expect_bad(
        f, GEN, "{" HI ",\"generationConfig\":{\"candidateCount\":9}}", "generation_config.candidate_count",
        "* GenerateContentRequest.generation_config.candidate_count: candidate_count must be between 1 and 8.\n");
    expect_ok(f, GEN, "{" HI ",\"generationConfig\":{\"stopSequences\":[\"a\",\"b\",\"c\",\"d\",\"e\"]}}");
    expect_bad(f, GEN, "{" HI ",\"generationConfig\":{\"stopSequences\":[\"a\",\"b\",\"c\",\"d\",\"e\",\"f\"]}}",
               "generation_config.stop_sequences",
               "* GenerateContentRequest.generation_config.stop_sequences: the number of stop sequences must not "
               "exceed 5.\n");
    cm_buf_t b = CM_BUF_INIT;
    for (int limit = MP_GM_MAX_BATCH; limit <= MP_GM_MAX_BATCH + 1; limit++) {
        cm_buf_reset(&b);
        cm_buf_puts(&b, "{\"requests\":[");
        for (int i = 0; i < limit; i++)
            cm_buf_puts(&b, i ? ",{\"content\":{\"parts\":[{\"text\":\"a\"}]}}"
                              : "{\"content\":{\"parts\":[{\"text\":\"a\"}]}}");
        cm_buf_puts(&b, "]}");
        int rc = gparse(f, MP_API_EMBEDDINGS, MP_GM_V_BATCH, "text-embedding-004", b.data);
        assert_int_equal(rc, limit > MP_GM_MAX_BATCH ? -1 : 0);
    }
    fx_free(f);
    f = gfx(true);
    for (int limit = MP_GM_MAX_INSTANCES; limit <= MP_GM_MAX_INSTANCES + 1; limit++) {
        cm_buf_reset(&b);
        cm_buf_puts(&b, "{\"instances\":[");
        for (int i = 0; i < limit; i++)
            cm_buf_puts(&b, i ? ",{\"content\":\"a\"}" : "{\"content\":\"a\"}");
        cm_buf_puts(&b, "]}");
        int rc = gparse(f, MP_API_EMBEDDINGS, MP_GM_V_PREDICT | MP_GM_V_VERTEX, "text-embedding-005", b.data);
        assert_int_equal(rc, limit > MP_GM_MAX_INSTANCES ? -1 : 0);
    }
    expect_ok(f, MP_API_EMBEDDINGS, MP_GM_V_PREDICT,
              "{\"instances\":[{\"content\":\"a\"}],\"parameters\":{\"outputDimensionality\":768}}");
    assert_int_equal(gparse(f, MP_API_EMBEDDINGS, MP_GM_V_PREDICT, "text-embedding-005",
                            "{\"instances\":[{\"content\":\"a\"}],\"parameters\":{\"outputDimensionality\":769}}"),
                     -1);
    cm_buf_free(&b);
    fx_free(f);
}

#define WEATHER                                                                                                        \
    "{\"name\":\"get_weather\",\"parameters\":{\"type\":\"OBJECT\",\"properties\":{\"city\":{\"type\":\"STRING\"},"    \
    "\"days\":{\"type\":\"INTEGER\",\"minimum\":1,\"maximum\":3},\"tags\":{\"type\":\"ARRAY\",\"items\":{\"type\":"    \
    "\"STRING\"},\"minItems\":\"2\",\"maxItems\":\"2\"},\"unit\":{\"type\":\"STRING\",\"nullable\":true,\"enum\":["    \
    "\"C\"]}},\"required\":[\"city\",\"days\",\"tags\",\"unit\"]}}"

static void test_tools(void **state)
{
    (void)state;
    fx_t *f = gfx(false);
    expect_ok(
        f, GEN,
        "{" HI ",\"tools\":[{\"functionDeclarations\":[" WEATHER ",{\"name\":\"noop\"}]}],"
        "\"toolConfig\":{\"functionCallingConfig\":{\"mode\":\"ANY\",\"allowedFunctionNames\":[\"get_weather\"]}}}");
    assert_true(f->req.tools && f->req.tool_forced);
    assert_int_equal(f->req.ncalls, 1);
    fx_read(f, f->req.tool_arguments, strlen(f->req.tool_arguments));
    int64_t days = jint(&f->doc, 0, "days");
    assert_true(days >= 1 && days <= 3);
    assert_int_equal(f->doc.tok[jpath(&f->doc, 0, "tags")].count, 2); /* minItems "2" read as a number */
    uint32_t unit = jpath(&f->doc, 0, "unit");
    assert_true(cm_json_type(&f->doc, unit) == CM_JSON_NULL || cm_json_str_eq(&f->doc, unit, "C"));
    /* auto: every declaration may be called (parallel calls), none forced */
    expect_ok(f, GEN, "{" HI ",\"tools\":[{\"functionDeclarations\":[" WEATHER ",{\"name\":\"noop\"}]}]}");
    assert_int_equal(f->req.ncalls, 2);
    assert_false(f->req.tool_forced);
    assert_string_equal(f->req.call_args[1], "{}");
    expect_ok(f, GEN,
              "{" HI ",\"tools\":[{\"functionDeclarations\":[" WEATHER
              "]}],\"toolConfig\":{\"functionCallingConfig\":{\"mode\":\"NONE\"}}}");
    assert_false(f->req.tools);
    /* a conversation that ends with a function's result is answered in text */
    expect_ok(
        f, GEN,
        "{\"contents\":[{\"role\":\"user\",\"parts\":[{\"text\":\"q\"}]},{\"role\":\"model\",\"parts\":[{"
        "\"functionCall\":{\"name\":\"noop\",\"args\":{}}}]},{\"role\":\"user\",\"parts\":[{\"functionResponse\":{"
        "\"name\":\"noop\",\"response\":{\"ok\":true}}}]}],\"tools\":[{\"functionDeclarations\":[{\"name\":\"noop\"}]}]"
        "}");
    assert_true(f->req.after_tool_result);
    expect_bad(
        f, GEN, "{" HI ",\"tools\":[{\"functionDeclarations\":[{\"name\":\"9lives\"}]}]}",
        "tools[0].function_declarations[0]",
        "* GenerateContentRequest.tools[0].function_declarations[0].name: Invalid function name. Must start with "
        "a letter or an underscore. Must be a-z, A-Z, 0-9, or contain underscores, dots, colons, or dashes, "
        "with a maximum length of 64.\n");
    expect_bad(f, GEN, "{" HI ",\"toolConfig\":{\"functionCallingConfig\":{\"mode\":\"ALWAYS\"}}}",
               "tool_config.function_calling_config.mode",
               "Invalid value at 'tool_config.function_calling_config.mode' "
               "(type.googleapis.com/google.ai.generativelanguage.v1beta.FunctionCallingConfig.Mode), \"ALWAYS\"");
    expect_bad(f, GEN,
               "{" HI ",\"tools\":[{\"functionDeclarations\":[{\"name\":\"a\"}]}],\"toolConfig\":{"
               "\"functionCallingConfig\":{\"mode\":\"AUTO\",\"allowedFunctionNames\":[\"a\"]}}}",
               "tool_config.function_calling_config.allowed_function_names",
               "* GenerateContentRequest.tool_config.function_calling_config.allowed_function_names: "
               "allowed_function_names may only be set when the mode is ANY or VALIDATED.\n");
    expect_bad(f, GEN,
               "{" HI
               ",\"tools\":[{\"functionDeclarations\":[{\"name\":\"a\",\"parameters\":{\"type\":\"OBJECTS\"}}]}]}",
               "tools[0].function_declarations[0].parameters",
               "* GenerateContentRequest.tools[0].function_declarations[0].parameters: the schema has an unknown type "
               "OBJECTS.\n");
    fx_free(f);
}

static void test_structured(void **state)
{
    (void)state;
    fx_t *f = gfx(false);
    expect_ok(f, GEN,
              "{" HI ",\"generationConfig\":{\"responseMimeType\":\"application/json\",\"responseSchema\":{\"type\":"
              "\"ARRAY\",\"minItems\":2,\"maxItems\":2,\"items\":{\"type\":\"OBJECT\",\"properties\":{\"n\":{\"type\":"
              "\"INTEGER\",\"minimum\":5,\"maximum\":5}},\"required\":[\"n\"],\"propertyOrdering\":[\"n\"]}}}}");
    assert_string_equal(f->req.structured, "[{\"n\":5},{\"n\":5}]");
    expect_ok(f, GEN,
              "{" HI ",\"generationConfig\":{\"responseMimeType\":\"application/json\",\"responseJsonSchema\":{"
              "\"type\":\"object\",\"properties\":{\"k\":{\"const\":\"v\"}},\"required\":[\"k\"]}}}");
    assert_string_equal(f->req.structured, "{\"k\":\"v\"}");
    expect_ok(f, GEN,
              "{" HI ",\"generationConfig\":{\"responseMimeType\":\"text/x.enum\",\"responseSchema\":{\"type\":"
              "\"STRING\",\"enum\":[\"only \\\"one\\\"\"]}}}");
    assert_string_equal(f->req.structured, "only \"one\"");
    expect_ok(f, GEN, "{" HI ",\"generationConfig\":{\"responseMimeType\":\"application/json\"}}");
    assert_true(strncmp(f->req.structured, "{\"response\":\"", 13) == 0);
    expect_ok(f, GEN, "{" HI ",\"generationConfig\":{\"responseMimeType\":\"text/plain\"}}");
    assert_null(f->req.structured);
    expect_bad(f, GEN, "{" HI ",\"generationConfig\":{\"responseMimeType\":\"text/csv\"}}",
               "generation_config.response_mime_type",
               "* GenerateContentRequest.generation_config.response_mime_type: allowed mimetypes are `text/plain`, "
               "`application/json`, `application/xml`, `application/yaml` and `text/x.enum`.\n");
    expect_bad(f, GEN, "{" HI ",\"generationConfig\":{\"responseSchema\":{\"type\":\"STRING\"}}}",
               "generation_config.response_schema",
               "* GenerateContentRequest.generation_config.response_schema: only supported with response_mime_type "
               "`application/json` or `text/x.enum`.\n");
    fx_free(f);
}

static void test_embeddings_and_count(void **state)
{
    (void)state;
    fx_t *f = gfx(false);
    expect_ok(f, MP_API_EMBEDDINGS, MP_GM_V_EMBED,
              "{\"content\":{\"parts\":[{\"text\":\"hello\"}]},\"taskType\":\"RETRIEVAL_QUERY\","
              "\"outputDimensionality\":16}");
    assert_int_equal(f->req.ninputs, 1);
    assert_int_equal(f->req.dimensions, 16);
    assert_int_equal(f->req.input_tokens[0], 2);
    uint64_t hello = f->req.input_hash[0];
    expect_bad(
        f, MP_API_EMBEDDINGS, MP_GM_V_EMBED, "{\"content\":{\"parts\":[{\"text\":\"a\"}]},\"taskType\":\"X\"}",
        "task_type",
        "Invalid value at 'task_type' (type.googleapis.com/google.ai.generativelanguage.v1beta.TaskType), \"X\"");
    expect_bad(
        f, MP_API_EMBEDDINGS, MP_GM_V_BATCH,
        "{\"requests\":[{\"model\":\"models/other\",\"content\":{\"parts\":[{\"text\":\"a\"}]}}]}", "requests[0].model",
        "* BatchEmbedContentsRequest.requests[0].model: the model of every request must be the batch's model.\n");
    expect_ok(
        f, MP_API_COUNT_TOKENS, MP_GM_V_PLAIN,
        "{\"generateContentRequest\":{\"model\":\"models/m\",\"contents\":[{\"parts\":[{\"text\":\"12345678\"}]}]}}");
    assert_int_equal(f->req.prompt_tokens, 2);
    fx_free(f);
    /* one text, one vector: Vertex's predict hashes its content like the Gemini API's parts */
    f = gfx(true);
    expect_ok(f, MP_API_EMBEDDINGS, MP_GM_V_PREDICT,
              "{\"instances\":[{\"content\":\"hello\",\"task_type\":\"CLUSTERING\"}]}");
    assert_int_equal(f->req.input_hash[0], hello);
    fx_free(f);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_generate_fields), cmocka_unit_test(test_generate_errors),
        cmocka_unit_test(test_limits),          cmocka_unit_test(test_tools),
        cmocka_unit_test(test_structured),      cmocka_unit_test(test_embeddings_and_count),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
