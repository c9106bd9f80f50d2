/* Tests mock-provider/providers/anthropic/anthropic_parse.c with anthropic_check.c, anthropic_messages.c and
 * anthropic_tools.c: valid requests and what they yield, and every error in the API's exact wording (status
 * 400, the message), one over each bound included. */
#include "unit/mock-provider/providers/fixture.h"
#include "mock-provider/providers/anthropic/anthropic.h"

#define MSG(extra)                                                                                                     \
    "{\"model\":\"claude-sonnet-4-5\",\"max_tokens\":100,\"messages\":[{\"role\":\"user\",\"content\":\"Hello "        \
    "there\"}]" extra "}"
#define WEATHER                                                                                                        \
    "{\"name\":\"get_weather\",\"description\":\"d\",\"input_schema\":{\"type\":\"object\",\"properties\":{\"city\":"  \
    "{\"type\":\"string\"}},\"required\":[\"city\"]}}"

static fx_t *an_fx(void)
{
    fx_t *f = fx_new();
    f->dep.provider = MP_PROVIDER_ANTHROPIC;
    f->dep.ops = mp_provider_for(MP_PROVIDER_ANTHROPIC);
    return f;
}

/* Parses body for api under version (NULL: none); expects a 400 with message, or success when message is NULL. */
static void expect_v(fx_t *f, mp_api_t api, const char *version, const char *body, const char *message)
{
    f->route = (mp_route_t){.api = api};
    if (version != NULL)
        f->route.version = (cm_str_t){version, strlen(version)};
    int rc = f->dep.ops->parse(&f->route, body, strlen(body), &f->toks, &f->a, &f->req, &f->err);
    if (message == NULL) {
        if (rc != 0)
            fail_msg("refused: %s\n%s", f->err.message, body);
        return;
    }
    if (rc != -1)
        fail_msg("accepted: %s", body);
    assert_int_equal(f->err.status, 400);
    assert_string_equal(f->err.message, message);
}

static void expect(fx_t *f, const char *body, const char *message)
{
    expect_v(f, MP_API_MESSAGES, NULL, body, message);
}

static void test_minimal(void **state)
{
    (void)state;
    fx_t *f = an_fx();
    expect(f, MSG(""), NULL);
    assert_int_equal(f->req.api, MP_API_MESSAGES);
    assert_int_equal(f->req.max_tokens, 100);
    assert_int_equal(f->req.model.n, 17);
    assert_false(f->req.stream);
    assert_false(f->req.tools);
    /* "Hello there": ceil(11 / 4) = 3, + 3 for the message */
    assert_int_equal(f->req.prompt_tokens, 6);
    assert_int_equal(f->req.echo.n, 11);
    const mp_an_request_t *own = f->req.own;
    assert_false(own->thinking);
    fx_free(f);
}

static void test_full(void **state)
{
    (void)state;
    fx_t *f = an_fx();
    expect(f,
           "{\"model\":\"m\",\"max_tokens\":5,\"stream\":true,\"system\":[{\"type\":\"text\",\"text\":\"Be brief\","
           "\"cache_control\":{\"type\":\"ephemeral\"}}],\"temperature\":0.5,\"top_p\":0.9,\"top_k\":40,"
           "\"stop_sequences\":[\"END\"],\"metadata\":{\"user_id\":\"u1\"},\"service_tier\":\"auto\","
           "\"messages\":[{\"role\":\"user\",\"content\":[{\"type\":\"text\",\"text\":\"Look\"},{\"type\":\"image\","
           "\"source\":{\"type\":\"base64\",\"media_type\":\"image/png\",\"data\":\"AAAA\"}}]},{\"role\":\"assistant\","
           "\"content\":\"Nice\"},{\"role\":\"user\",\"content\":\"Again\"}]}",
           NULL);
    assert_true(f->req.stream);
    assert_memory_equal(f->req.echo.p, "Again", 5);
    /* system "Be brief" 2 + texts "Look" "Nice" "Again" 14 bytes -> 4, + 3 x 3 messages, + one image 1600 */
    assert_int_equal(f->req.prompt_tokens, 2 + 4 + 9 + 1600);
    expect_v(f, MP_API_COUNT_TOKENS, NULL, "{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}",
             NULL);
    expect(f, MSG(",\"thinking\":{\"type\":\"disabled\"},\"mcp_servers\":[],\"container\":null"), NULL);
    fx_free(f);
}

static void test_required_and_types(void **state)
{
    (void)state;
    fx_t *f = an_fx();
    expect(f, "{\"max_tokens\":1,\"messages\":[]}", "model: Field required");
    expect(f, "{\"model\":\"m\",\"max_tokens\":1}", "messages: Field required");
    expect(f, "{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}", "max_tokens: Field required");
    expect(f, MSG(",\"foo\":1"), "foo: Extra inputs are not permitted");
    expect(f, "{\"model\":5,\"max_tokens\":1,\"messages\":[]}", "model: Input should be a valid string");
    expect(f, "{\"model\":\"m\",\"max_tokens\":\"5\",\"messages\":[]}", "max_tokens: Input should be a valid integer");
    expect(f, "{\"model\":\"m\",\"max_tokens\":1.5,\"messages\":[]}",
           "max_tokens: Input should be a valid integer, got a number with a fractional part");
    expect(f, "{\"model\":\"m\",\"max_tokens\":0,\"messages\":[]}",
           "max_tokens: Input should be greater than or equal to 1");
    /* an integer past int64 is still an integer (pydantic reads any size), not "a fractional part" */
    expect(f, "{\"model\":\"m\",\"max_tokens\":-99999999999999999999,\"messages\":[]}",
           "max_tokens: Input should be greater than or equal to 1");
    expect(f, "{\"model\":\"m\",\"max_tokens\":99999999999999999999,\"messages\":[]}",
           "messages: at least one message is required");
    expect(f, "{\"model\":\"m\",\"max_tokens\":99999999999999999999.5,\"messages\":[]}",
           "max_tokens: Input should be a valid integer, got a number with a fractional part");
    expect(f,
           "{\"model\":\"m\",\"max_tokens\":99999999999999999999,\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}",
           NULL);
    assert_true(f->req.max_tokens == INT64_MAX); /* saturated, as large as any int64 the request could give */
    expect(f, "{\"model\":\"m\",\"max_tokens\":null,\"messages\":[]}", "max_tokens: Input should be a valid integer");
    expect(f, "{\"model\":\"m\",\"max_tokens\":1,\"messages\":{}}", "messages: Input should be a valid list");
    expect(f, "{\"model\":\"m\",\"max_tokens\":1,\"messages\":[]}", "messages: at least one message is required");
    expect(f, MSG(",\"temperature\":1.5"), "temperature: Input should be less than or equal to 1");
    expect(f, MSG(",\"top_k\":-1"), "top_k: Input should be greater than or equal to 0");
    expect(f, MSG(",\"stream\":\"yes\""), "stream: Input should be a valid boolean");
    expect(f, MSG(",\"stop_sequences\":[\"a\",3]"), "stop_sequences.1: Input should be a valid string");
    expect(f, MSG(",\"stop_sequences\":[\"a\",\"\"]"), "stop_sequences: each stop sequence must be non-empty");
    expect(f,
           MSG(",\"stop_sequences\":[\"1\",\"2\",\"3\",\"4\",\"5\",\"6\",\"7\",\"8\",\"9\",\"10\",\"11\",\"12\",\"13\","
               "\"14\","
               "\"15\",\"16\",\"17\"]"),
           "stop_sequences: List should have at most 16 items after validation, not 17");
    expect(f,
           MSG(",\"stop_sequences\":[\"1\",\"2\",\"3\",\"4\",\"5\",\"6\",\"7\",\"8\",\"9\",\"10\",\"11\",\"12\",\"13\","
               "\"14\","
               "\"15\",\"\\u00e9\"]"),
           NULL);
    assert_int_equal(f->req.nstop, 16);
    assert_int_equal(f->req.stop[15].n, 6); /* as sent, still escaped */
    expect(f, MSG(",\"metadata\":{\"user\":\"x\"}"), "metadata.user: Extra inputs are not permitted");
    expect(f, MSG(",\"service_tier\":\"fast\""), "service_tier: Input should be 'auto' or 'standard_only'");
    expect(f, "[1]", "Input should be a valid dictionary or object to extract fields from");
    expect(f, "{\"model\":\"m\",\n\"max_tokens\":}",
           "The request body is not valid JSON: Expecting value: line 2 column 14 (char 27)");
    /* count_tokens takes no max_tokens */
    expect_v(f, MP_API_COUNT_TOKENS, NULL, MSG(""), "max_tokens: Extra inputs are not permitted");
    fx_free(f);
}

static void test_model_length(void **state)
{
    (void)state;
    fx_t *f = an_fx();
    char body[1024], model[MP_AN_MAX_MODEL_LEN + 2];
    memset(model, 'm', sizeof(model) - 1);
    model[MP_AN_MAX_MODEL_LEN] = '\0';
    snprintf(body, sizeof(body),
             "{\"model\":\"%s\",\"max_tokens\":1,\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}", model);
    expect(f, body, NULL);
    model[MP_AN_MAX_MODEL_LEN] = 'm';
    model[MP_AN_MAX_MODEL_LEN + 1] = '\0';
    snprintf(body, sizeof(body),
             "{\"model\":\"%s\",\"max_tokens\":1,\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}", model);
    expect(f, body, "model: String should have at most 256 characters");
    expect(f, "{\"model\":\"\",\"max_tokens\":1,\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}",
           "model: String should have at least 1 character");
    fx_free(f);
}

#define ONE(message) "{\"model\":\"m\",\"max_tokens\":9,\"messages\":[" message "]}"

static void test_messages(void **state)
{
    (void)state;
    fx_t *f = an_fx();
    expect(f, ONE("3"), "messages.0: Input should be a valid dictionary");
    expect(f, ONE("{\"content\":\"x\"}"), "messages.0.role: Field required");
    expect(f, ONE("{\"role\":\"system\",\"content\":\"x\"}"), "messages.0.role: Input should be 'user' or 'assistant'");
    expect(f, ONE("{\"role\":\"user\"}"), "messages.0.content: Field required");
    expect(f, ONE("{\"role\":\"user\",\"content\":\"x\",\"name\":\"n\"}"),
           "messages.0.name: Extra inputs are not permitted");
    expect(f, ONE("{\"role\":\"user\",\"content\":5}"), "messages.0.content: Input should be a valid list");
    expect(f, ONE("{\"role\":\"user\",\"content\":\"\"}"),
           "messages.0: all messages must have non-empty content except for the optional final assistant message");
    expect(f, ONE("{\"role\":\"user\",\"content\":[]}"),
           "messages.0: all messages must have non-empty content except for the optional final assistant message");
    expect(f, ONE("{\"role\":\"user\",\"content\":\"x\"},{\"role\":\"assistant\",\"content\":\"\"}"), NULL);
    expect(f, ONE("{\"role\":\"user\",\"content\":[{\"text\":\"x\"}]}"),
           "messages.0.content.0: Unable to extract tag using discriminator 'type'");
    expect(f, ONE("{\"role\":\"user\",\"content\":[{\"type\":\"txt\",\"text\":\"x\"}]}"),
           "messages.0.content.0: Input tag 'txt' found using 'type' does not match any of the expected tags: 'text', "
           "'image', 'document', 'search_result', 'thinking', 'redacted_thinking', 'tool_use', 'tool_result', "
           "'server_tool_use', 'web_search_tool_result', 'web_fetch_tool_result', 'code_execution_tool_result', "
           "'bash_code_execution_tool_result', 'text_editor_code_execution_tool_result', 'mcp_tool_use', "
           "'mcp_tool_result', 'container_upload'");
    expect(f, ONE("{\"role\":\"user\",\"content\":[{\"type\":\"text\"}]}"),
           "messages.0.content.0.text.text: Field required");
    expect(f, ONE("{\"role\":\"user\",\"content\":[{\"type\":\"text\",\"text\":\"\"}]}"),
           "messages: text content blocks must be non-empty");
    expect(f, ONE("{\"role\":\"user\",\"content\":[{\"type\":\"image\"}]}"),
           "messages.0.content.0.image.source: Field required");
    expect(f, ONE("{\"role\":\"user\",\"content\":[{\"type\":\"tool_result\",\"tool_use_id\":\"toolu_1\"}]}"),
           "messages.0.content.0: unexpected `tool_use_id` found in `tool_result` blocks: toolu_1. Each `tool_result` "
           "block must have a corresponding `tool_use` block in the previous message.");
    expect(f, MSG(",\"system\":5"), "system: Input should be a valid list");
    expect(f, MSG(",\"system\":[{\"type\":\"image\"}]"),
           "system.0: Input tag 'image' found using 'type' does not match any of the expected tags: 'text'");
    fx_free(f);
}

#define USE(id) "{\"type\":\"tool_use\",\"id\":\"" id "\",\"name\":\"get_weather\",\"input\":{\"city\":\"Oslo\"}}"
#define RESULT(id) "{\"type\":\"tool_result\",\"tool_use_id\":\"" id "\",\"content\":\"5 C\"}"

static void test_tool_pairing(void **state)
{
    (void)state;
    fx_t *f = an_fx();
    expect(f,
           ONE("{\"role\":\"user\",\"content\":\"w\"},{\"role\":\"assistant\",\"content\":[" USE("a") "," USE(
               "b") "]},"
                    "{\"role\":\"user\",\"content\":[" RESULT("b") "," RESULT("a") "]}"),
           NULL);
    assert_true(f->req.after_tool_result);
    expect(f,
           ONE("{\"role\":\"user\",\"content\":\"w\"},{\"role\":\"assistant\",\"content\":[" USE("a") "," USE(
               "b") "]},"
                    "{\"role\":\"user\",\"content\":[" RESULT("a") "]}"),
           "messages.1: `tool_use` ids were found without `tool_result` blocks immediately after: b. Each `tool_use` "
           "block must have a corresponding `tool_result` block in the next message.");
    expect(f,
           ONE("{\"role\":\"user\",\"content\":\"w\"},{\"role\":\"assistant\",\"content\":[" USE(
               "a") "]},"
                    "{\"role\":\"assistant\",\"content\":\"no\"}"),
           "messages.1: `tool_use` ids were found without `tool_result` blocks immediately after: a. Each `tool_use` "
           "block must have a corresponding `tool_result` block in the next message.");
    expect(f,
           ONE("{\"role\":\"user\",\"content\":\"w\"},{\"role\":\"assistant\",\"content\":[" USE(
               "a") "]},"
                    "{\"role\":\"user\",\"content\":[" RESULT("a") "," RESULT("z") "]}"),
           "messages.2.content.1: unexpected `tool_use_id` found in `tool_result` blocks: z. Each `tool_result` block "
           "must have a corresponding `tool_use` block in the previous message.");
    /* a final assistant turn with calls (a prefill) is not checked */
    expect(f, ONE("{\"role\":\"user\",\"content\":\"w\"},{\"role\":\"assistant\",\"content\":[" USE("a") "]}"), NULL);
    assert_false(f->req.after_tool_result);
    fx_free(f);
}

static void test_tools(void **state)
{
    (void)state;
    fx_t *f = an_fx();
    expect(f, MSG(",\"tools\":[" WEATHER "]"), NULL);
    assert_true(f->req.tools);
    assert_false(f->req.tool_forced);
    assert_int_equal(f->req.ncalls, 1);
    assert_memory_equal(f->req.tool_name.p, "get_weather", 11);
    assert_non_null(strstr(f->req.tool_arguments, "\"city\":"));
    /* 6 for the message, the tools' JSON and the tool-use system prompt (346 under auto) */
    assert_true(f->req.prompt_tokens > 6 + 346);
    expect(f, MSG(",\"tools\":[" WEATHER "],\"tool_choice\":{\"type\":\"any\"}"), NULL);
    assert_true(f->req.tool_forced);
    expect(f, MSG(",\"tools\":[" WEATHER "],\"tool_choice\":{\"type\":\"none\"}"), NULL);
    assert_false(f->req.tools);
    expect(f, MSG(",\"tools\":[{\"type\":\"web_search_20250305\",\"name\":\"web_search\"}," WEATHER "]"), NULL);
    assert_memory_equal(f->req.tool_name.p, "get_weather", 11);
    expect(f, MSG(",\"tools\":[{\"type\":\"web_search_20250305\",\"name\":\"web_search\"}]"), NULL);
    assert_false(f->req.tools);
    expect(f, MSG(",\"tools\":[{\"name\":\"f\"}]"), "tools.0.custom.input_schema: Field required");
    expect(f, MSG(",\"tools\":[{\"input_schema\":{\"type\":\"object\"}}]"), "tools.0.custom.name: Field required");
    expect(f, MSG(",\"tools\":[{\"name\":\"a b\",\"input_schema\":{\"type\":\"object\"}}]"),
           "tools.0.custom.name: String should match pattern '^[a-zA-Z0-9_-]{1,128}$'");
    expect(f, MSG(",\"tools\":[{\"name\":\"f\",\"input_schema\":{\"type\":\"array\"}}]"),
           "tools.0.custom.input_schema.type: Input should be 'object'");
    expect(f, MSG(",\"tools\":[" WEATHER "," WEATHER "]"), "tools: Tool names must be unique.");
    expect(f, MSG(",\"tools\":[{\"type\":\"bash\",\"name\":\"bash\"}]"),
           "tools.0: Input tag 'bash' found using 'type' does not match any of the expected tags: 'custom', "
           "'bash_20250124', 'code_execution_20250825', 'text_editor_20250728', 'web_fetch_20250910', "
           "'web_search_20250305'");
    expect(f, MSG(",\"tools\":[" WEATHER "],\"tool_choice\":{\"type\":\"tool\"}"),
           "tool_choice.tool.name: Field required");
    expect(f, MSG(",\"tools\":[" WEATHER "],\"tool_choice\":{\"type\":\"tool\",\"name\":\"nope\"}"),
           "tool_choice.tool.name: Tool 'nope' not found in the provided tools.");
    expect(f, MSG(",\"tools\":[" WEATHER "],\"tool_choice\":{\"type\":\"required\"}"),
           "tool_choice: Input tag 'required' found using 'type' does not match any of the expected tags: 'auto', "
           "'any', 'tool', 'none'");
    expect(f, MSG(",\"tools\":[" WEATHER "],\"tool_choice\":{\"type\":\"auto\",\"disable_parallel_tool_use\":1}"),
           "tool_choice.auto.disable_parallel_tool_use: Input should be a valid boolean");
    fx_free(f);
}

static void test_tools_bound(void **state)
{
    (void)state;
    fx_t *f = an_fx();
    cm_buf_t body = {0};
    for (int n = MP_AN_MAX_TOOLS; n <= MP_AN_MAX_TOOLS + 1; n++) {
        cm_buf_reset(&body);
        cm_buf_puts(
            &body,
            "{\"model\":\"m\",\"max_tokens\":9,\"messages\":[{\"role\":\"user\",\"content\":\"x\"}],\"tools\":[");
        for (int i = 0; i < n; i++) {
            char t[96];
            snprintf(t, sizeof(t), "%s{\"name\":\"t%d\",\"input_schema\":{\"type\":\"object\"}}", i ? "," : "", i);
            cm_buf_puts(&body, t);
        }
        cm_buf_puts(&body, "]}");
        expect(f, body.data,
               n == MP_AN_MAX_TOOLS ? NULL : "tools: List should have at most 128 items after validation, not 129");
    }
    cm_buf_free(&body);
    fx_free(f);
}

static void test_parallel(void **state)
{
    (void)state;
    fx_t *f = an_fx();
    const char *tools =
        ",\"tools\":[{\"name\":\"a\",\"input_schema\":{\"type\":\"object\"}},{\"name\":\"b\","
        "\"input_schema\":{\"type\":\"object\"}},{\"name\":\"c\",\"input_schema\":{\"type\":\"object\"}}]";
    char body[1024];
    snprintf(body, sizeof(body), "%s", MSG(""));
    snprintf(body + strlen(body) - 1, sizeof(body) - strlen(body) + 1, "%s}", tools);
    expect(f, body, NULL);
    assert_int_equal(f->req.ncalls, 3);
    snprintf(body + strlen(body) - 1, sizeof(body) - strlen(body) + 1,
             ",\"tool_choice\":{\"type\":\"auto\",\"disable_parallel_tool_use\":true}}");
    expect(f, body, NULL);
    assert_int_equal(f->req.ncalls, 1);
    fx_free(f);
}

static void test_thinking(void **state)
{
    (void)state;
    fx_t *f = an_fx();
    expect(
        f,
        "{\"model\":\"m\",\"max_tokens\":2000,\"thinking\":{\"type\":\"enabled\",\"budget_tokens\":1024},\"messages\":"
        "[{\"role\":\"user\",\"content\":\"x\"}]}",
        NULL);
    const mp_an_request_t *own = f->req.own;
    assert_true(own->thinking);
    assert_int_equal(own->thinking_budget, 1024);
    expect(f, MSG(",\"thinking\":{\"type\":\"enabled\",\"budget_tokens\":1023}"),
           "thinking.enabled.budget_tokens: Input should be greater than or equal to 1024");
    expect(f, MSG(",\"thinking\":{\"type\":\"enabled\"}"), "thinking.enabled.budget_tokens: Field required");
    expect(f, MSG(",\"thinking\":{\"type\":\"enabled\",\"budget_tokens\":99999999999999999999}"),
           "`max_tokens` must be greater than `thinking.budget_tokens`. Please consult our documentation at "
           "https://docs.claude.com/en/docs/build-with-claude/extended-thinking#max-tokens-and-context-window-size");
    expect(f, MSG(",\"thinking\":{\"type\":\"enabled\",\"budget_tokens\":1024}"),
           "`max_tokens` must be greater than `thinking.budget_tokens`. Please consult our documentation at "
           "https://docs.claude.com/en/docs/build-with-claude/extended-thinking#max-tokens-and-context-window-size");
    expect(f, MSG(",\"thinking\":{\"type\":\"on\"}"),
           "thinking: Input tag 'on' found using 'type' does not match any of the expected tags: 'enabled', "
           "'disabled', 'adaptive'");
    expect(f,
           "{\"model\":\"m\",\"max_tokens\":2000,\"temperature\":0.5,\"thinking\":{\"type\":\"enabled\",\"budget_"
           "tokens\":1024},\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}",
           "`temperature` may only be set to 1 when thinking is enabled. Please consult our documentation at "
           "https://docs.claude.com/en/docs/build-with-claude/extended-thinking#feature-compatibility");
    expect(f,
           "{\"model\":\"m\",\"max_tokens\":2000,\"thinking\":{\"type\":\"enabled\",\"budget_tokens\":1024},\"tools\":"
           "[" WEATHER "],\"tool_choice\":{\"type\":\"any\"},\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}",
           "Thinking may not be enabled when tool_choice forces tool use.");
    expect(f, MSG(",\"thinking\":{\"type\":\"adaptive\"}"), NULL);
    fx_free(f);
}

#define THINK_LOOP(assistant, more)                                                                                    \
    "{\"model\":\"m\",\"max_tokens\":2000,\"thinking\":{\"type\":\"enabled\",\"budget_tokens\":1024},\"tools\":"       \
    "[" WEATHER                                                                                                        \
    "],\"messages\":[{\"role\":\"user\",\"content\":\"w\"},{\"role\":\"assistant\",\"content\":[" assistant            \
    "]},{\"role\":\"user\",\"content\":[" RESULT("a") "]}" more "]}"
#define THOUGHT "{\"type\":\"thinking\",\"thinking\":\"hm\",\"signature\":\"c2ln\"}"
#define GIVE_BACK(found)                                                                                               \
    "messages.1.content.0.type: Expected `thinking` or `redacted_thinking`, but found `" found "`. When `thinking` "   \
    "is enabled, a final `assistant` message must start with a thinking block (preceeding the lastmost set of "        \
    "`tool_use` and `tool_result` blocks). We recommend you include thinking blocks from previous turns. To avoid "    \
    "this requirement, disable `thinking`. Please consult our documentation at "                                       \
    "https://docs.claude.com/en/docs/build-with-claude/extended-thinking"

/* With thinking on, the assistant turn whose calls the conversation ends by answering must start with its
 * thinking (or redacted_thinking) block; earlier turns need not, nor does any turn without thinking. */
static void test_thinking_given_back(void **state)
{
    (void)state;
    fx_t *f = an_fx();
    expect(f, THINK_LOOP(THOUGHT "," USE("a"), ""), NULL);
    expect(f, THINK_LOOP("{\"type\":\"redacted_thinking\",\"data\":\"eA==\"}," USE("a"), ""), NULL);
    expect(f, THINK_LOOP(USE("a"), ""), GIVE_BACK("tool_use"));
    expect(f, THINK_LOOP("{\"type\":\"text\",\"text\":\"Let me look.\"}," USE("a"), ""), GIVE_BACK("text"));
    expect(f, THINK_LOOP("{\"type\":\"text\",\"text\":\"Let me look.\"}," THOUGHT "," USE("a"), ""), GIVE_BACK("text"));
    /* the loop has moved on: the last assistant turn is text, and a new question follows */
    expect(f,
           THINK_LOOP(USE("a"), ",{\"role\":\"assistant\",\"content\":\"5 C in Oslo\"},{\"role\":\"user\","
                                "\"content\":\"and tomorrow?\"}"),
           NULL);
    /* without thinking the same turn is fine */
    expect(f,
           ONE("{\"role\":\"user\",\"content\":\"w\"},{\"role\":\"assistant\",\"content\":[" USE(
               "a") "]},{\"role\":\"user\",\"content\":[" RESULT("a") "]}"),
           NULL);
    fx_free(f);
}

/* API version 2026-10-21: no sampling parameters, no documents in assistant turns, no citations in user turns. */
static void test_version_2026(void **state)
{
    (void)state;
    fx_t *f = an_fx();
    const char *v = MP_AN_VERSION_2026;
    expect_v(f, MP_API_MESSAGES, v, MSG(""), NULL);
    expect_v(f, MP_API_MESSAGES, v, MSG(",\"temperature\":1.0"), "temperature: Extra inputs are not permitted");
    expect_v(f, MP_API_MESSAGES, v, MSG(",\"top_p\":0.5"), "top_p: Extra inputs are not permitted");
    expect_v(f, MP_API_MESSAGES, v, MSG(",\"top_k\":5"), "top_k: Extra inputs are not permitted");
    expect_v(f, MP_API_MESSAGES, "2023-06-01", MSG(",\"temperature\":1.0"), NULL);
    const char *doc =
        ONE("{\"role\":\"user\",\"content\":\"x\"},{\"role\":\"assistant\",\"content\":[{\"type\":"
            "\"document\",\"source\":{\"type\":\"text\",\"media_type\":\"text/plain\",\"data\":\"d\"}}]}");
    expect_v(f, MP_API_MESSAGES, v, doc,
             "messages.1.content.0: document blocks are not accepted in assistant messages; send documents in user "
             "messages");
    expect_v(f, MP_API_MESSAGES, NULL, doc, NULL);
    const char *cite = ONE("{\"role\":\"user\",\"content\":[{\"type\":\"text\",\"text\":\"x\",\"citations\":[{\"type\":"
                           "\"char_location\"}]}]}");
    expect_v(f, MP_API_MESSAGES, v, cite,
             "messages.0.content.0.text.citations: citations are not accepted on text blocks in user messages");
    expect_v(f, MP_API_MESSAGES, NULL, cite, NULL);
    fx_free(f);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_minimal),
        cmocka_unit_test(test_full),
        cmocka_unit_test(test_required_and_types),
        cmocka_unit_test(test_model_length),
        cmocka_unit_test(test_messages),
        cmocka_unit_test(test_tool_pairing),
        cmocka_unit_test(test_tools),
        cmocka_unit_test(test_tools_bound),
        cmocka_unit_test(test_parallel),
        cmocka_unit_test(test_thinking),
        cmocka_unit_test(test_thinking_given_back),
        cmocka_unit_test(test_version_2026),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
