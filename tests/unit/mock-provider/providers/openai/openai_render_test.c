/* Tests mock-provider/providers/openai/openai_render.c: chat and completions bodies and streams, read back with
 * common/json.h (the cost of the hot path is measured by bench/mock_render_bench, not here). */
#include "unit/mock-provider/providers/fixture.h"

#define CHAT(extra)                                                                                                    \
    "{\"model\":\"gpt-4o-mini\",\"messages\":[{\"role\":\"user\",\"content\":\"Hello there\"}]" extra "}"
#define TOOLS                                                                                                          \
    ",\"tools\":[{\"type\":\"function\",\"function\":{\"name\":\"get_weather\",\"parameters\":{\"type\":\"object\","   \
    "\"properties\":{\"city\":{\"type\":\"string\"},\"unit\":{\"enum\":[\"c\",\"f\"]}},\"required\":[\"city\","        \
    "\"unit\"]}}}]"

static void body(fx_t *f)
{
    f->dep.ops->render_body(&f->x, &f->out);
    fx_read(f, f->out.data, f->out.len);
}

static void check_usage(fx_t *f, uint32_t usage, bool details)
{
    const cm_json_doc_t *d = &f->doc;
    int64_t p = jint(d, usage, "prompt_tokens"), c = jint(d, usage, "completion_tokens");
    assert_int_equal(p, f->req.prompt_tokens);
    assert_int_equal(c, f->x.completion_tokens);
    assert_int_equal(jint(d, usage, "total_tokens"), p + c);
    if (details) {
        assert_int_equal(jint(d, usage, "prompt_tokens_details.cached_tokens"), 0);
        assert_int_equal(jint(d, usage, "completion_tokens_details.reasoning_tokens"), 0);
        assert_int_equal(jint(d, usage, "completion_tokens_details.accepted_prediction_tokens"), 0);
    }
}

static void test_chat_body_shape(void **state)
{
    (void)state;
    fx_t *f = fx_new();
    fx_begin(f, MP_API_CHAT, CHAT(""));
    body(f);
    const cm_json_doc_t *d = &f->doc;
    assert_int_equal(strncmp(jstr(d, 0, "id"), "chatcmpl-", 9), 0);
    assert_int_equal(strlen(jstr(d, 0, "id")), 38);
    assert_string_equal(jstr(d, 0, "object"), "chat.completion");
    assert_int_equal(jint(d, 0, "created"), f->x.created);
    assert_string_equal(jstr(d, 0, "model"), "gpt-4o-mini");
    assert_int_equal(d->tok[jpath(d, 0, "choices")].count, 1);
    assert_int_equal(jint(d, 0, "choices.0.index"), 0);
    assert_string_equal(jstr(d, 0, "choices.0.message.role"), "assistant");
    assert_true(jnull(d, 0, "choices.0.message.refusal"));
    assert_int_equal(cm_json_type(d, jpath(d, 0, "choices.0.message.annotations")), CM_JSON_ARRAY);
    assert_true(jnull(d, 0, "choices.0.logprobs"));
    assert_string_equal(jstr(d, 0, "choices.0.finish_reason"), "stop");
    assert_int_equal(jpath(d, 0, "choices.0.message.tool_calls"), 0);
    check_usage(f, jpath(d, 0, "usage"), true);
    assert_string_equal(jstr(d, 0, "service_tier"), "default");
    assert_int_equal(strncmp(jstr(d, 0, "system_fingerprint"), "fp_", 3), 0);
    /* Five pool words, each separated by one space. */
    const char *content = jstr(d, 0, "choices.0.message.content");
    size_t spaces = 0;
    for (const char *p = content; *p; p++)
        spaces += *p == ' ';
    assert_int_equal(spaces, 4);
    fx_free(f);
}

static void test_chat_n_and_length(void **state)
{
    (void)state;
    fx_t *f = fx_new();
    fx_begin(f, MP_API_CHAT, CHAT(",\"n\":3,\"max_tokens\":2"));
    body(f);
    assert_int_equal(f->doc.tok[jpath(&f->doc, 0, "choices")].count, 3);
    char path[64];
    for (int c = 0; c < 3; c++) {
        snprintf(path, sizeof(path), "choices.%d.index", c);
        assert_int_equal(jint(&f->doc, 0, path), c);
        snprintf(path, sizeof(path), "choices.%d.finish_reason", c);
        assert_string_equal(jstr(&f->doc, 0, path), "length");
    }
    assert_int_equal(jint(&f->doc, 0, "usage.completion_tokens"), 6);
    check_usage(f, jpath(&f->doc, 0, "usage"), true);
    fx_free(f);
}

static void test_chat_echo_and_model_escapes(void **state)
{
    (void)state;
    fx_t *f = fx_new();
    f->dep.content = MP_CONTENT_ECHO;
    f->dep.output_tokens = cm_dist_fixed(100);
    fx_begin(f, MP_API_CHAT,
             "{\"model\":\"my\\\"model\\u00e9\",\"messages\":[{\"role\":\"user\",\"content\":\"Say \\\"hi\\\"\\n\\t"
             "caf\\u00e9 \xe2\x82\xac!\"}]}");
    body(f);
    assert_string_equal(jstr(&f->doc, 0, "model"), "my\"model\xc3\xa9");
    assert_string_equal(jstr(&f->doc, 0, "choices.0.message.content"), "Say \"hi\"\n\tcaf\xc3\xa9 \xe2\x82\xac!");
    assert_int_equal(jint(&f->doc, 0, "usage.completion_tokens"), 3);
    fx_free(f);
}

static void test_chat_tool_call_body(void **state)
{
    (void)state;
    fx_t *f = fx_new();
    f->dep.tool_calls = true;
    fx_begin(f, MP_API_CHAT, CHAT(TOOLS ",\"n\":2"));
    body(f);
    const cm_json_doc_t *d = &f->doc;
    assert_true(jnull(d, 0, "choices.0.message.content"));
    assert_string_equal(jstr(d, 0, "choices.0.finish_reason"), "tool_calls");
    assert_int_equal(d->tok[jpath(d, 0, "choices.0.message.tool_calls")].count, 1);
    char id0[64];
    fx_copy(id0, sizeof(id0), jstr(d, 0, "choices.0.message.tool_calls.0.id"));
    assert_int_equal(strncmp(id0, "call_", 5), 0);
    assert_int_equal(strlen(id0), 29);
    assert_string_not_equal(id0, jstr(d, 0, "choices.1.message.tool_calls.0.id"));
    assert_string_equal(jstr(d, 0, "choices.0.message.tool_calls.0.type"), "function");
    assert_string_equal(jstr(d, 0, "choices.0.message.tool_calls.0.function.name"), "get_weather");
    const char *args = jstr(d, 0, "choices.1.message.tool_calls.0.function.arguments");
    if (strncmp(args, "{\"city\":\"", 9) != 0 ||
        (strstr(args, "\",\"unit\":\"c\"}") == NULL && strstr(args, "\",\"unit\":\"f\"}") == NULL))
        fail_msg("arguments %s", args);
    check_usage(f, jpath(d, 0, "usage"), true);
    fx_free(f);
}

/* The text a stream carries for choice c: the concatenated content (or tool arguments) deltas. */
typedef struct stream_view {
    size_t nframes;
    sse_frame_t frames[512];
} stream_view_t;

static void read_stream(fx_t *f, stream_view_t *v)
{
    fx_stream(f);
    v->nframes = sse_split(f->out.data, f->out.len, v->frames, 512);
    assert_true(v->nframes >= 2);
    const sse_frame_t *last = &v->frames[v->nframes - 1];
    assert_int_equal(last->len, 6);
    assert_memory_equal(last->data, "[DONE]", 6);
}

static void test_chat_stream(void **state)
{
    (void)state;
    fx_t *f = fx_new(), *g = fx_new();
    static stream_view_t v;
    fx_begin(f, MP_API_CHAT, CHAT(",\"stream\":true"));
    fx_begin(g, MP_API_CHAT, CHAT(",\"stream\":true"));
    read_stream(f, &v);
    g->dep.ops->render_body(&g->x, &g->out); /* same seed: the same text */
    assert_int_equal(f->x.step, f->x.steps);
    assert_int_equal(v.nframes, 1 + 5 + 1 + 1); /* role, 5 tokens, finish, [DONE] */
    cm_buf_t text = CM_BUF_INIT;
    for (size_t i = 0; i + 1 < v.nframes; i++) {
        fx_read(f, v.frames[i].data, v.frames[i].len);
        const cm_json_doc_t *d = &f->doc;
        assert_string_equal(v.frames[i].event, "");
        assert_string_equal(jstr(d, 0, "id"), f->x.id);
        assert_int_equal(jint(d, 0, "created"), f->x.created);
        assert_string_equal(jstr(d, 0, "object"), "chat.completion.chunk");
        assert_int_equal(jpath(d, 0, "usage"), 0); /* no include_usage: no usage key */
        assert_int_equal(jint(d, 0, "choices.0.index"), 0);
        if (i == 0) {
            assert_string_equal(jstr(d, 0, "choices.0.delta.role"), "assistant");
            assert_string_equal(jstr(d, 0, "choices.0.delta.content"), "");
            assert_true(jnull(d, 0, "choices.0.delta.refusal"));
        } else if (i + 2 < v.nframes) {
            assert_true(jnull(d, 0, "choices.0.finish_reason"));
            cm_buf_puts(&text, jstr(d, 0, "choices.0.delta.content"));
        } else {
            assert_int_equal(d->tok[jpath(d, 0, "choices.0.delta")].count, 0);
            assert_string_equal(jstr(d, 0, "choices.0.finish_reason"), "stop");
        }
    }
    fx_read(g, g->out.data, g->out.len);
    assert_string_equal(text.data, jstr(&g->doc, 0, "choices.0.message.content"));
    cm_buf_free(&text);
    fx_free(f);
    fx_free(g);
}

static void test_chat_stream_include_usage_and_n(void **state)
{
    (void)state;
    fx_t *f = fx_new();
    static stream_view_t v;
    fx_begin(f, MP_API_CHAT, CHAT(",\"stream\":true,\"n\":2,\"stream_options\":{\"include_usage\":true}"));
    read_stream(f, &v);
    /* 2 role chunks, 5 steps x 2 choices, 2 finish chunks, the usage chunk, [DONE]. */
    assert_int_equal(v.nframes, 2 + 10 + 2 + 1 + 1);
    for (size_t i = 0; i + 2 < v.nframes; i++) {
        fx_read(f, v.frames[i].data, v.frames[i].len);
        assert_true(jnull(&f->doc, 0, "usage"));
        assert_int_equal(f->doc.tok[jpath(&f->doc, 0, "choices")].count, 1);
        assert_int_equal(jint(&f->doc, 0, "choices.0.index"), (int64_t)(i % 2)); /* interleaved per step */
    }
    const sse_frame_t *u = &v.frames[v.nframes - 2];
    fx_read(f, u->data, u->len);
    assert_int_equal(cm_json_type(&f->doc, jpath(&f->doc, 0, "choices")), CM_JSON_ARRAY);
    assert_int_equal(f->doc.tok[jpath(&f->doc, 0, "choices")].count, 0);
    assert_string_equal(jstr(&f->doc, 0, "id"), f->x.id);
    check_usage(f, jpath(&f->doc, 0, "usage"), true);
    assert_int_equal(jint(&f->doc, 0, "usage.completion_tokens"), 10);
    fx_free(f);
}

static void test_chat_tool_call_stream(void **state)
{
    (void)state;
    fx_t *f = fx_new(), *g = fx_new();
    static stream_view_t v;
    f->dep.tool_calls = g->dep.tool_calls = true;
    fx_begin(f, MP_API_CHAT, CHAT(TOOLS ",\"stream\":true"));
    fx_begin(g, MP_API_CHAT, CHAT(TOOLS));
    read_stream(f, &v);
    assert_int_equal(v.nframes, 1 + f->x.tokens[0] + 1 + 1);
    fx_read(f, v.frames[0].data, v.frames[0].len);
    const cm_json_doc_t *d = &f->doc;
    assert_string_equal(jstr(d, 0, "choices.0.delta.role"), "assistant");
    assert_true(jnull(d, 0, "choices.0.delta.content"));
    assert_int_equal(jint(d, 0, "choices.0.delta.tool_calls.0.index"), 0);
    char id[64];
    fx_copy(id, sizeof(id), jstr(d, 0, "choices.0.delta.tool_calls.0.id"));
    assert_string_equal(jstr(d, 0, "choices.0.delta.tool_calls.0.type"), "function");
    assert_string_equal(jstr(d, 0, "choices.0.delta.tool_calls.0.function.name"), "get_weather");
    assert_string_equal(jstr(d, 0, "choices.0.delta.tool_calls.0.function.arguments"), "");
    cm_buf_t args = CM_BUF_INIT;
    for (size_t i = 1; i + 2 < v.nframes; i++) {
        fx_read(f, v.frames[i].data, v.frames[i].len);
        assert_int_equal(jint(&f->doc, 0, "choices.0.delta.tool_calls.0.index"), 0);
        assert_int_equal(jpath(&f->doc, 0, "choices.0.delta.tool_calls.0.id"), 0);
        cm_buf_puts(&args, jstr(&f->doc, 0, "choices.0.delta.tool_calls.0.function.arguments"));
    }
    fx_read(f, v.frames[v.nframes - 2].data, v.frames[v.nframes - 2].len);
    assert_string_equal(jstr(&f->doc, 0, "choices.0.finish_reason"), "tool_calls");
    g->dep.ops->render_body(&g->x, &g->out);
    fx_read(g, g->out.data, g->out.len);
    assert_string_equal(args.data, jstr(&g->doc, 0, "choices.0.message.tool_calls.0.function.arguments"));
    /* Another exchange: the same arguments (same conversation and schema), another call id. */
    assert_string_not_equal(id, jstr(&g->doc, 0, "choices.0.message.tool_calls.0.id"));
    assert_int_equal(strncmp(id, "call_", 5), 0);
    cm_buf_free(&args);
    fx_free(f);
    fx_free(g);
}

static void test_completions_body_and_stream(void **state)
{
    (void)state;
    fx_t *f = fx_new(), *g = fx_new();
    static stream_view_t v;
    const char *req = "{\"model\":\"gpt-3.5-turbo-instruct\",\"prompt\":[\"a\",\"b\"],\"max_tokens\":3,\"stream\":true,"
                      "\"stream_options\":{\"include_usage\":true}}";
    fx_begin(f, MP_API_COMPLETIONS, req);
    fx_begin(g, MP_API_COMPLETIONS, req);
    body(g);
    const cm_json_doc_t *d = &g->doc;
    assert_int_equal(strncmp(jstr(d, 0, "id"), "cmpl-", 5), 0);
    assert_string_equal(jstr(d, 0, "object"), "text_completion");
    assert_string_equal(jstr(d, 0, "model"), "gpt-3.5-turbo-instruct");
    assert_int_equal(d->tok[jpath(d, 0, "choices")].count, 2);
    assert_int_equal(jint(d, 0, "choices.1.index"), 1);
    assert_true(jnull(d, 0, "choices.1.logprobs"));
    assert_string_equal(jstr(d, 0, "choices.1.finish_reason"), "length");
    check_usage(g, jpath(d, 0, "usage"), false);
    assert_int_equal(jpath(d, 0, "usage.prompt_tokens_details"), 0);
    read_stream(f, &v);
    assert_int_equal(v.nframes, 3 * 2 + 2 + 1 + 1);
    cm_buf_t text = CM_BUF_INIT;
    for (size_t i = 0; i + 2 < v.nframes; i++) {
        fx_read(f, v.frames[i].data, v.frames[i].len);
        assert_string_equal(jstr(&f->doc, 0, "object"), "text_completion");
        assert_true(jnull(&f->doc, 0, "usage"));
        if (jint(&f->doc, 0, "choices.0.index") == 0)
            cm_buf_puts(&text, jstr(&f->doc, 0, "choices.0.text"));
        if (i + 3 >= v.nframes)
            assert_string_equal(jstr(&f->doc, 0, "choices.0.finish_reason"), "length");
    }
    assert_string_equal(text.data, jstr(&g->doc, 0, "choices.0.text"));
    fx_read(f, v.frames[v.nframes - 2].data, v.frames[v.nframes - 2].len);
    assert_int_equal(f->doc.tok[jpath(&f->doc, 0, "choices")].count, 0);
    check_usage(f, jpath(&f->doc, 0, "usage"), false);
    cm_buf_free(&text);
    fx_free(f);
    fx_free(g);
}

/* reasoning_effort: half the tokens stream first as reasoning_content, counted in reasoning_tokens; chunks of
 * 3 tokens split where the reasoning ends (10 tokens: reasoning 3, reasoning 2 + answer 1, answer 3, 1). */
static void test_chat_reasoning_chunks(void **state)
{
    (void)state;
    fx_t *f = fx_new(), *g = fx_new();
    f->dep.output_tokens = g->dep.output_tokens = cm_dist_fixed(10);
    fx_begin(f, MP_API_CHAT,
             CHAT(",\"stream\":true,\"reasoning_effort\":\"low\","
                  "\"stream_options\":{\"include_usage\":true}"));
    fx_stream_chunked(f, 3);
    static sse_frame_t frames[64];
    size_t n = sse_split(f->out.data, f->out.len, frames, 64);
    assert_int_equal(n, 1 + 5 + 1 + 1 + 1); /* role, 5 chunks, finish, usage, [DONE] */
    static const char *const key[] = {"reasoning_content", "reasoning_content", "content", "content", "content"};
    static const int words[] = {3, 2, 1, 3, 1};
    cm_buf_t reasoning = CM_BUF_INIT;
    for (int i = 0; i < 5; i++) {
        fx_read(f, frames[1 + i].data, frames[1 + i].len);
        char path[64];
        snprintf(path, sizeof(path), "choices.0.delta.%s", key[i]);
        const char *text = jstr(&f->doc, 0, path);
        int spaces = 0;
        for (const char *c = text; *c; c++)
            spaces += *c == ' ';
        assert_int_equal(spaces + (text[0] != ' '), words[i]);
        if (i < 2)
            cm_buf_puts(&reasoning, text);
    }
    fx_read(f, frames[7].data, frames[7].len);
    assert_int_equal(jint(&f->doc, 0, "usage.completion_tokens"), 10);
    assert_int_equal(jint(&f->doc, 0, "usage.completion_tokens_details.reasoning_tokens"), 5);
    /* The body says the same: the answer, its reasoning_content, the counts. */
    fx_begin(g, MP_API_CHAT, CHAT(",\"reasoning_effort\":\"high\""));
    body(g);
    assert_string_equal(jstr(&g->doc, 0, "choices.0.message.reasoning_content"), reasoning.data);
    assert_int_equal(jint(&g->doc, 0, "usage.completion_tokens_details.reasoning_tokens"), 5);
    cm_buf_free(&reasoning);
    fx_free(f);
    fx_free(g);
    /* reasoning_effort none, and no reasoning_effort: no reasoning */
    f = fx_new();
    fx_begin(f, MP_API_CHAT, CHAT(",\"reasoning_effort\":\"none\""));
    body(f);
    assert_int_equal(jpath(&f->doc, 0, "choices.0.message.reasoning_content"), 0);
    assert_int_equal(jint(&f->doc, 0, "usage.completion_tokens_details.reasoning_tokens"), 0);
    fx_free(f);
}

/* stop: the answer ends right before the first sequence (here across two words), with finish "stop" and usage
 * of the tokens said, in a body and in a stream (which never sends a byte of the sequence); legacy completions
 * take a bare string. */
static void test_stop_sequences(void **state)
{
    (void)state;
    static stream_view_t v;
    const char *req =
        "{\"model\":\"gpt-4o-mini\",\"messages\":[{\"role\":\"user\",\"content\":\"the quick brown fox jumps "
        "over\"}],\"stop\":[\"zzz\",\"fox ju\"]%s}";
    char plain[512], streamed[512];
    snprintf(plain, sizeof(plain), req, "");
    snprintf(streamed, sizeof(streamed), req, ",\"stream\":true,\"stream_options\":{\"include_usage\":true}");
    fx_t *f = fx_new(), *g = fx_new();
    f->dep.content = g->dep.content = MP_CONTENT_ECHO;
    f->dep.output_tokens = g->dep.output_tokens = cm_dist_fixed(100);
    fx_body(f, MP_API_CHAT, plain);
    assert_string_equal(jstr(&f->doc, 0, "choices.0.message.content"), "the quick brown ");
    assert_string_equal(jstr(&f->doc, 0, "choices.0.finish_reason"), "stop");
    assert_int_equal(jint(&f->doc, 0, "usage.completion_tokens"), 4); /* the, quick, brown, and " fox" cut short */
    fx_begin(g, MP_API_CHAT, streamed);
    read_stream(g, &v);
    cm_buf_t text = CM_BUF_INIT;
    for (size_t i = 1; i + 1 < v.nframes; i++) {
        fx_read(g, v.frames[i].data, v.frames[i].len);
        if (jpath(&g->doc, 0, "choices.0.delta.content") != 0)
            cm_buf_puts(&text, jstr(&g->doc, 0, "choices.0.delta.content"));
        if (i + 3 == v.nframes)
            assert_string_equal(jstr(&g->doc, 0, "choices.0.finish_reason"), "stop");
        if (i + 2 == v.nframes)
            assert_int_equal(jint(&g->doc, 0, "usage.completion_tokens"), 4);
    }
    assert_string_equal(text.data, "the quick brown ");
    cm_buf_free(&text);
    fx_free(f);
    fx_free(g);
    f = fx_new();
    f->dep.content = MP_CONTENT_ECHO;
    f->dep.output_tokens = cm_dist_fixed(100);
    fx_body(f, MP_API_COMPLETIONS,
            "{\"model\":\"gpt-3.5-turbo-instruct\",\"prompt\":\"one two three\",\"stop\":\" t\"}");
    assert_string_equal(jstr(&f->doc, 0, "choices.0.text"), "one");
    assert_string_equal(jstr(&f->doc, 0, "choices.0.finish_reason"), "stop");
    assert_int_equal(jint(&f->doc, 0, "usage.completion_tokens"), 1);
    fx_free(f);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_chat_body_shape),
        cmocka_unit_test(test_chat_n_and_length),
        cmocka_unit_test(test_chat_echo_and_model_escapes),
        cmocka_unit_test(test_stop_sequences),
        cmocka_unit_test(test_chat_tool_call_body),
        cmocka_unit_test(test_chat_stream),
        cmocka_unit_test(test_chat_stream_include_usage_and_n),
        cmocka_unit_test(test_chat_reasoning_chunks),
        cmocka_unit_test(test_chat_tool_call_stream),
        cmocka_unit_test(test_completions_body_and_stream),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
