/* Tests reasoning before tool calls and structured output (mp_plan_reasoning in content.c, mp_oa_plan and the
 * chat renderer in openai_render.c, openai_responses.c) and the reasoning items an agent loop gives back in the
 * Responses input: the reasoning item before the function_call items and before a structured message, usage
 * arithmetic, the event order and output indexes of a stream, chunks that span the end of the reasoning,
 * max_tokens, chat's reasoning_content and reasoning_tokens, and an agent loop's next turn (the input's errors
 * are in openai_messages_test.c). */
#include "unit/mock-provider/providers/fixture.h"
#include "mock-provider/providers/openai/openai.h"

#define FN                                                                                                             \
    "{\"type\":\"function\",\"name\":\"lookup\",\"parameters\":{\"type\":\"object\",\"properties\":{\"q\":{"           \
    "\"type\":\"string\"}},\"required\":[\"q\"]}}"
#define REQ(extra)                                                                                                     \
    "{\"model\":\"o4-mini\",\"input\":\"Look it up\",\"tools\":[" FN "],\"tool_choice\":\"required\"" extra "}"
#define SUMMARY ",\"reasoning\":{\"effort\":\"low\",\"summary\":\"auto\"}"
#define CHAT(extra)                                                                                                    \
    "{\"model\":\"o4-mini\",\"messages\":[{\"role\":\"user\",\"content\":\"Look it up\"}],\"reasoning_effort\":"       \
    "\"low\"" extra "}"
#define CHAT_TOOL                                                                                                      \
    ",\"tools\":[{\"type\":\"function\",\"function\":{\"name\":\"lookup\",\"parameters\":{\"type\":\"object\","        \
    "\"properties\":{\"q\":{\"type\":\"string\"}},\"required\":[\"q\"]}}}],\"tool_choice\":\"required\""
#define SCHEMA                                                                                                         \
    "{\"type\":\"object\",\"properties\":{\"name\":{\"type\":\"string\"},\"age\":{\"type\":\"integer\"}},"             \
    "\"required\":[\"name\",\"age\"],\"additionalProperties\":false}"

/* A deployment of 10-token answers: a tool call or structured answer reasons with 5 tokens. */
static fx_t *rfx(void)
{
    fx_t *f = fx_new();
    f->dep.output_tokens = cm_dist_fixed(10);
    return f;
}

/* The body: [reasoning, function_call]; reasoning_tokens 5 inside output_tokens, which also counts the call's
 * pieces; the summary has as many words; the encrypted blob when include asks. */
static void test_body_reasoning_then_call(void **state)
{
    (void)state;
    fx_t *f = rfx();
    fx_body(f, MP_API_RESPONSES, REQ(SUMMARY ",\"include\":[\"reasoning.encrypted_content\"]"));
    const cm_json_doc_t *d = &f->doc;
    uint32_t pieces = f->x.tokens[0];
    assert_true(pieces > 1);
    assert_int_equal(d->tok[jpath(d, 0, "output")].count, 2);
    assert_string_equal(jstr(d, 0, "output.0.type"), "reasoning");
    assert_int_equal(strncmp(jstr(d, 0, "output.0.id"), "rs_", 3), 0);
    assert_int_equal(fx_count_words(jstr(d, 0, "output.0.summary.0.text")), 5);
    assert_int_equal(strncmp(jstr(d, 0, "output.0.encrypted_content"), "gAAAAAB", 7), 0);
    assert_string_equal(jstr(d, 0, "output.1.type"), "function_call");
    assert_string_equal(jstr(d, 0, "output.1.name"), "lookup");
    assert_int_equal(strncmp(jstr(d, 0, "output.1.call_id"), "call_", 5), 0);
    assert_int_equal(strncmp(jstr(d, 0, "output.1.arguments"), "{\"q\":", 5), 0);
    assert_int_equal(jint(d, 0, "usage.output_tokens_details.reasoning_tokens"), 5);
    assert_int_equal(jint(d, 0, "usage.output_tokens"), pieces + 5);
    assert_int_equal(jint(d, 0, "usage.total_tokens"), f->req.prompt_tokens + pieces + 5);
    assert_int_equal(f->x.steps, pieces + 5);
    assert_string_equal(jstr(d, 0, "status"), "completed");
    fx_free(f);
}

/* Parallel calls follow the reasoning item, each its own function_call item. */
static void test_body_parallel_calls(void **state)
{
    (void)state;
    fx_t *f = rfx();
    f->dep.tool_calls = true;
    f->dep.tool_parallel = 3;
    f->dep.reasoning = true;
    fx_body(f, MP_API_RESPONSES,
            "{\"model\":\"o4-mini\",\"input\":\"all three\",\"tools\":[" FN ",{\"type\":\"function\",\"name\":\"b\"},"
            "{\"type\":\"function\",\"name\":\"c\"}]}");
    const cm_json_doc_t *d = &f->doc;
    uint32_t calls = f->x.calls[0];
    assert_int_equal(d->tok[jpath(d, 0, "output")].count, 1 + calls);
    assert_string_equal(jstr(d, 0, "output.0.type"), "reasoning");
    for (uint32_t i = 1; i <= calls; i++) {
        char p[32];
        snprintf(p, sizeof(p), "output.%u.type", i);
        assert_string_equal(jstr(d, 0, p), "function_call");
    }
    assert_int_equal(jint(d, 0, "usage.output_tokens_details.reasoning_tokens"), 5);
    assert_string_equal(jstr(d, 0, "reasoning.effort"), "medium");
    fx_free(f);
}

/* The stream: the reasoning item at output_index 0 with its summary deltas, then the function call at
 * output_index 1 with its argument deltas, the same arguments and counts as the body's. */
static void test_stream_reasoning_then_call(void **state)
{
    (void)state;
    fx_t *f = rfx(), *g = rfx();
    static sse_frame_t fr[64];
    fx_body(g, MP_API_RESPONSES, REQ(SUMMARY));
    char args[256], rs[64];
    fx_copy(args, sizeof(args), jstr(&g->doc, 0, "output.1.arguments"));
    fx_begin(f, MP_API_RESPONSES, REQ(SUMMARY ",\"stream\":true"));
    size_t n = fx_events(f, fr, 64), pieces = f->x.tokens[0];
    assert_int_equal(n, 16 + pieces);
    static const char *const head[] = {
        "response.created",
        "response.in_progress",
        "response.output_item.added",
        "response.reasoning_summary_part.added",
        "response.reasoning_summary_text.delta",
    };
    fx_expect_events(fr, 5, head, 5);
    fx_read(f, fr[2].data, fr[2].len);
    assert_int_equal(jint(&f->doc, 0, "output_index"), 0);
    fx_copy(rs, sizeof(rs), jstr(&f->doc, 0, "item.id"));
    size_t k = 4 + 5; /* past the five summary deltas */
    static const char *const close[] = {"response.reasoning_summary_text.done", "response.reasoning_summary_part.done",
                                        "response.output_item.done", "response.output_item.added"};
    for (size_t i = 0; i < 4; i++)
        assert_string_equal(fr[k + i].event, close[i]);
    fx_read(f, fr[k + 2].data, fr[k + 2].len);
    assert_string_equal(jstr(&f->doc, 0, "item.id"), rs);
    assert_int_equal(fx_count_words(jstr(&f->doc, 0, "item.summary.0.text")), 5);
    fx_read(f, fr[k + 3].data, fr[k + 3].len);
    assert_int_equal(jint(&f->doc, 0, "output_index"), 1);
    assert_string_equal(jstr(&f->doc, 0, "item.type"), "function_call");
    cm_buf_t streamed = CM_BUF_INIT;
    for (size_t i = k + 4; i < k + 4 + pieces; i++) {
        assert_string_equal(fr[i].event, "response.function_call_arguments.delta");
        fx_read(f, fr[i].data, fr[i].len);
        assert_int_equal(jint(&f->doc, 0, "output_index"), 1);
        cm_buf_puts(&streamed, jstr(&f->doc, 0, "delta"));
    }
    assert_string_equal(streamed.data, args);
    static const char *const tail[] = {"response.function_call_arguments.done", "response.output_item.done",
                                       "response.completed"};
    for (size_t i = 0; i < 3; i++)
        assert_string_equal(fr[n - 3 + i].event, tail[i]);
    fx_read(f, fr[n - 1].data, fr[n - 1].len);
    assert_string_equal(jstr(&f->doc, 0, "response.output.0.id"), rs);
    assert_string_equal(jstr(&f->doc, 0, "response.output.1.arguments"), args);
    assert_int_equal(jint(&f->doc, 0, "response.usage.output_tokens_details.reasoning_tokens"), 5);
    assert_int_equal(jint(&f->doc, 0, "response.usage.output_tokens"), pieces + 5);
    cm_buf_free(&streamed);
    fx_free(f);
    fx_free(g);
}

/* Without a summary the reasoning steps send nothing; tokens_per_chunk 4 over 5 reasoning steps: a silent
 * chunk, then one that closes the reasoning and opens the call with its first 3 pieces. */
static void test_stream_chunk_spans_the_end(void **state)
{
    (void)state;
    fx_t *f = rfx();
    static sse_frame_t fr[64];
    fx_begin(f, MP_API_RESPONSES, REQ(",\"stream\":true,\"reasoning\":{\"effort\":\"high\"}"));
    const mp_provider_t *p = f->dep.ops;
    p->render_head(&f->x, &f->out);
    size_t head = f->out.len;
    f->x.chunk = 4;
    p->render_step(&f->x, &f->out);
    assert_int_equal(f->out.len, head);
    f->x.chunk = 4;
    p->render_step(&f->x, &f->out);
    size_t n = sse_split(f->out.data, f->out.len, fr, 64);
    static const char *const want[] = {
        "response.created",          "response.in_progress",       "response.output_item.added",
        "response.output_item.done", "response.output_item.added", "response.function_call_arguments.delta",
    };
    fx_expect_events(fr, n, want, 6);
    assert_int_equal(f->x.cursor[0], 3);
    fx_free(f);
}

/* Structured output reasons too: [reasoning, message] whose text is the JSON; chat's json_schema counts the
 * reasoning tokens and shows them as reasoning_content. */
static void test_structured(void **state)
{
    (void)state;
    fx_t *f = rfx(), *g = rfx();
    fx_body(f, MP_API_RESPONSES,
            "{\"model\":\"o4-mini\",\"input\":\"A person\",\"reasoning\":{\"effort\":\"medium\"},\"text\":{\"format\":{"
            "\"type\":\"json_schema\",\"name\":\"p\",\"strict\":true,\"schema\":" SCHEMA "}}}");
    const cm_json_doc_t *d = &f->doc;
    assert_string_equal(jstr(d, 0, "output.0.type"), "reasoning");
    assert_string_equal(jstr(d, 0, "output.1.type"), "message");
    assert_string_equal(jstr(d, 0, "output.1.content.0.text"), f->req.structured);
    assert_int_equal(jint(d, 0, "usage.output_tokens_details.reasoning_tokens"), 5);
    assert_int_equal(jint(d, 0, "usage.output_tokens"), f->x.tokens[0] + 5);
    fx_body(g, MP_API_CHAT,
            CHAT(",\"response_format\":{\"type\":\"json_schema\",\"json_schema\":{\"name\":\"p\",\"strict\":true,"
                 "\"schema\":" SCHEMA "}}"));
    d = &g->doc;
    assert_string_equal(jstr(d, 0, "choices.0.message.content"), g->req.structured);
    assert_int_equal(fx_count_words(jstr(d, 0, "choices.0.message.reasoning_content")), 5);
    assert_int_equal(jint(d, 0, "usage.completion_tokens_details.reasoning_tokens"), 5);
    assert_int_equal(jint(d, 0, "usage.completion_tokens"), g->x.tokens[0] + 5);
    fx_free(f);
    fx_free(g);
}

/* Chat with tools and reasoning_effort: the body's message has both reasoning_content and tool_calls and the
 * usage counts the reasoning; the stream sends the role, the reasoning chunks, then the call's opening chunk
 * and its argument pieces, the same arguments as the body's. */
static void test_chat_tool_call(void **state)
{
    (void)state;
    fx_t *f = rfx(), *g = rfx();
    fx_body(f, MP_API_CHAT, CHAT(CHAT_TOOL));
    const cm_json_doc_t *d = &f->doc;
    uint32_t pieces = f->x.tokens[0];
    assert_string_equal(jstr(d, 0, "choices.0.finish_reason"), "tool_calls");
    assert_true(jnull(d, 0, "choices.0.message.content"));
    assert_int_equal(fx_count_words(jstr(d, 0, "choices.0.message.reasoning_content")), 5);
    char args[256];
    fx_copy(args, sizeof(args), jstr(d, 0, "choices.0.message.tool_calls.0.function.arguments"));
    assert_int_equal(jint(d, 0, "usage.completion_tokens_details.reasoning_tokens"), 5);
    assert_int_equal(jint(d, 0, "usage.completion_tokens"), pieces + 5);
    static sse_frame_t fr[64];
    fx_begin(g, MP_API_CHAT, CHAT(CHAT_TOOL ",\"stream\":true"));
    fx_stream(g);
    size_t n = sse_split(g->out.data, g->out.len, fr, 64);
    assert_int_equal(n, 1 + 5 + 1 + pieces + 1 + 1); /* role, reasoning, call opens, pieces, finish, [DONE] */
    fx_read(g, fr[0].data, fr[0].len);
    assert_int_equal(jpath(&g->doc, 0, "choices.0.delta.tool_calls"), 0);
    for (size_t i = 1; i <= 5; i++) {
        fx_read(g, fr[i].data, fr[i].len);
        assert_int_equal(fx_count_words(jstr(&g->doc, 0, "choices.0.delta.reasoning_content")), 1);
    }
    fx_read(g, fr[6].data, fr[6].len);
    assert_string_equal(jstr(&g->doc, 0, "choices.0.delta.tool_calls.0.function.name"), "lookup");
    assert_int_equal(strncmp(jstr(&g->doc, 0, "choices.0.delta.tool_calls.0.id"), "call_", 5), 0);
    cm_buf_t streamed = CM_BUF_INIT;
    for (size_t i = 7; i < 7 + pieces; i++) {
        fx_read(g, fr[i].data, fr[i].len);
        cm_buf_puts(&streamed, jstr(&g->doc, 0, "choices.0.delta.tool_calls.0.function.arguments"));
    }
    assert_string_equal(streamed.data, args);
    cm_buf_free(&streamed);
    fx_free(f);
    fx_free(g);
}

/* max_tokens counts the reasoning too: the call is never cut, the reasoning takes what is left of it. */
static void test_max_tokens(void **state)
{
    (void)state;
    fx_t *f = rfx();
    fx_body(f, MP_API_CHAT, CHAT(CHAT_TOOL));
    uint32_t pieces = f->x.tokens[0];
    fx_free(f);
    const uint32_t max[] = {pieces + 2, pieces, pieces - 1, pieces + 100};
    const uint32_t reasoning[] = {2, 0, 0, 5};
    for (size_t i = 0; i < 4; i++) {
        char req[1024];
        snprintf(req, sizeof(req), CHAT(CHAT_TOOL ",\"max_completion_tokens\":%u"), max[i]);
        f = rfx();
        fx_body(f, MP_API_CHAT, req);
        assert_int_equal(f->x.tokens[0], pieces);
        assert_int_equal(jint(&f->doc, 0, "usage.completion_tokens_details.reasoning_tokens"), reasoning[i]);
        assert_string_equal(jstr(&f->doc, 0, "choices.0.finish_reason"), "tool_calls");
        fx_free(f);
    }
}

/* An agent loop's second turn gives the reasoning item back before the call and its output (by replaying the
 * output items, here without store, so with the encrypted content), and the answer is text that reasons. */
static void test_input_reasoning_item_accepted(void **state)
{
    (void)state;
    fx_t *f = rfx();
    fx_body(f, MP_API_RESPONSES,
            "{\"model\":\"o4-mini\",\"store\":false,\"reasoning\":{\"effort\":\"low\"},\"tools\":[" FN "],\"input\":["
            "{\"role\":\"user\",\"content\":\"Look it up\"},"
            "{\"id\":\"rs_0a1\",\"type\":\"reasoning\",\"summary\":[{\"type\":\"summary_text\",\"text\":\"why\"}],"
            "\"content\":[{\"type\":\"reasoning_text\",\"text\":\"because\"}],\"encrypted_content\":\"gAAAAABx\","
            "\"status\":\"completed\"},"
            "{\"id\":\"fc_1\",\"type\":\"function_call\",\"status\":\"completed\",\"arguments\":\"{}\",\"call_id\":"
            "\"call_1\",\"name\":\"lookup\"},"
            "{\"type\":\"function_call_output\",\"call_id\":\"call_1\",\"output\":\"42\"}]}");
    assert_string_equal(jstr(&f->doc, 0, "output.0.type"), "reasoning");
    assert_string_equal(jstr(&f->doc, 0, "output.1.type"), "message");
    assert_int_equal(jint(&f->doc, 0, "usage.output_tokens_details.reasoning_tokens"), 5);
    /* with store (the default) the API keeps the item: no encrypted content needed; null summary parts list */
    assert_int_equal(
        fx_parse(f, MP_API_RESPONSES,
                 "{\"model\":\"o4-mini\",\"input\":[{\"type\":\"reasoning\",\"id\":\"rs_1\",\"summary\":[],"
                 "\"encrypted_content\":null,\"content\":null},{\"type\":\"message\",\"role\":"
                 "\"assistant\",\"content\":\"hi\"},{\"role\":\"user\",\"content\":\"and?\"}]}"),
        0);
    fx_free(f);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_body_reasoning_then_call),
        cmocka_unit_test(test_body_parallel_calls),
        cmocka_unit_test(test_stream_reasoning_then_call),
        cmocka_unit_test(test_stream_chunk_spans_the_end),
        cmocka_unit_test(test_structured),
        cmocka_unit_test(test_chat_tool_call),
        cmocka_unit_test(test_max_tokens),
        cmocka_unit_test(test_input_reasoning_item_accepted),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
