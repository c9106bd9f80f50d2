/* Tests mock-provider/providers/anthropic/anthropic_render.c: the Message object, the named event stream byte for byte
 * (frames that carry no id or word) and event by event, thinking, tool_use with input_json_delta (parallel
 * calls included), count_tokens, and the response bound against what is rendered. */
#include "unit/mock-provider/providers/fixture.h"
#include "mock-provider/providers/anthropic/anthropic.h"
#include "mock-provider/providers/content.h"

#define MSG(extra)                                                                                                     \
    "{\"model\":\"claude-x\",\"max_tokens\":100,\"messages\":[{\"role\":\"user\",\"content\":\"Hello there\"}]" extra  \
    "}"
#define TOOL(name)                                                                                                     \
    "{\"name\":\"" name "\",\"input_schema\":{\"type\":\"object\",\"properties\":{\"city\":{\"type\":\"string\"}},"    \
    "\"required\":[\"city\"]}}"

static fx_t *an_fx(void)
{
    fx_t *f = fx_new();
    f->dep.provider = MP_PROVIDER_ANTHROPIC;
    f->dep.ops = mp_provider_for(MP_PROVIDER_ANTHROPIC);
    return f;
}

/* Splits the rendered stream; every frame must be "event: X\ndata: {...}\n\n" with X the data's type. */
static size_t frames_of(fx_t *f, sse_frame_t *fr, size_t cap)
{
    size_t n = sse_split(f->out.data, f->out.len, fr, cap);
    for (size_t i = 0; i < n; i++) {
        fx_read(f, fr[i].data, fr[i].len);
        if (strcmp(jstr(&f->doc, 0, "type"), fr[i].event) != 0)
            fail_msg("frame %zu: event %s carries type %s", i, fr[i].event, jstr(&f->doc, 0, "type"));
    }
    return n;
}

static bool frame_is(const sse_frame_t *fr, const char *data)
{
    return fr->len == strlen(data) && memcmp(fr->data, data, fr->len) == 0;
}

static void test_body(void **state)
{
    (void)state;
    fx_t *f = an_fx();
    fx_begin(f, MP_API_MESSAGES, MSG(""));
    f->dep.ops->render_body(&f->x, &f->out);
    fx_read(f, f->out.data, f->out.len);
    /* the keys in the API's order */
    assert_int_equal(strncmp(f->out.data, "{\"model\":\"claude-x\",\"id\":\"msg_01", 31), 0);
    assert_string_equal(jstr(&f->doc, 0, "type"), "message");
    assert_string_equal(jstr(&f->doc, 0, "role"), "assistant");
    assert_string_equal(jstr(&f->doc, 0, "content.0.type"), "text");
    assert_int_equal(strlen(jstr(&f->doc, 0, "content.0.text")) > 0, 1);
    assert_string_equal(jstr(&f->doc, 0, "stop_reason"), "end_turn");
    assert_true(jnull(&f->doc, 0, "stop_sequence"));
    assert_int_equal(jint(&f->doc, 0, "usage.input_tokens"), 6);
    assert_int_equal(jint(&f->doc, 0, "usage.output_tokens"), 5);
    assert_int_equal(jint(&f->doc, 0, "usage.cache_read_input_tokens"), 0);
    assert_int_equal(jint(&f->doc, 0, "usage.cache_creation.ephemeral_1h_input_tokens"), 0);
    assert_string_equal(jstr(&f->doc, 0, "usage.service_tier"), "standard");
    fx_free(f);
    f = an_fx();
    fx_begin(f, MP_API_MESSAGES,
             "{\"model\":\"m\",\"max_tokens\":2,\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}");
    f->dep.ops->render_body(&f->x, &f->out);
    fx_read(f, f->out.data, f->out.len);
    assert_string_equal(jstr(&f->doc, 0, "stop_reason"), "max_tokens");
    assert_int_equal(jint(&f->doc, 0, "usage.output_tokens"), 2);
    fx_free(f);
}

static void test_stream(void **state)
{
    (void)state;
    fx_t *f = an_fx();
    fx_begin(f, MP_API_MESSAGES, MSG(",\"stream\":true"));
    fx_stream(f);
    sse_frame_t fr[32];
    size_t n = frames_of(f, fr, 32);
    assert_int_equal(n, 3 + 5 + 3);
    assert_string_equal(fr[0].event, "message_start");
    fx_read(f, fr[0].data, fr[0].len);
    assert_string_equal(jstr(&f->doc, 0, "message.content"), "<not a string>");
    assert_true(jnull(&f->doc, 0, "message.stop_reason"));
    assert_int_equal(jint(&f->doc, 0, "message.usage.output_tokens"), 1);
    assert_true(frame_is(&fr[1], "{\"type\":\"content_block_start\",\"index\":0,\"content_block\":{\"type\":\"text\","
                                 "\"text\":\"\"}}"));
    assert_true(frame_is(&fr[2], "{\"type\": \"ping\"}"));
    cm_buf_t text = {0};
    for (size_t i = 3; i < 8; i++) {
        assert_string_equal(fr[i].event, "content_block_delta");
        fx_read(f, fr[i].data, fr[i].len);
        assert_string_equal(jstr(&f->doc, 0, "delta.type"), "text_delta");
        cm_buf_puts(&text, jstr(&f->doc, 0, "delta.text"));
    }
    assert_true(frame_is(&fr[8], "{\"type\":\"content_block_stop\",\"index\":0}"));
    assert_true(frame_is(&fr[9],
                         "{\"type\":\"message_delta\",\"delta\":{\"stop_reason\":\"end_turn\",\"stop_sequence\":"
                         "null},\"usage\":{\"input_tokens\":6,\"cache_creation_input_tokens\":0,\"cache_read_"
                         "input_tokens\":0,\"output_tokens\":5}}"));
    assert_true(frame_is(&fr[10], "{\"type\":\"message_stop\"}"));
    /* the whole framing, byte for byte, around the first data line */
    assert_int_equal(strncmp(f->out.data, "event: message_start\ndata: {\"type\":\"message_start\",\"message\":{", 62),
                     0);
    const char *tail = "event: message_stop\ndata: {\"type\":\"message_stop\"}\n\n";
    assert_string_equal(f->out.data + f->out.len - strlen(tail), tail);
    /* the same seed gives the same text in a body */
    fx_t *g = an_fx();
    fx_begin(g, MP_API_MESSAGES, MSG(""));
    g->dep.ops->render_body(&g->x, &g->out);
    fx_read(g, g->out.data, g->out.len);
    assert_string_equal(jstr(&g->doc, 0, "content.0.text"), text.data);
    cm_buf_free(&text);
    fx_free(g);
    fx_free(f);
}

static void test_thinking(void **state)
{
    (void)state;
    fx_t *f = an_fx();
    f->dep.output_tokens = cm_dist_fixed(8);
    const char *body = "{\"model\":\"m\",\"max_tokens\":2000,\"stream\":true,\"thinking\":{\"type\":\"enabled\","
                       "\"budget_tokens\":1024},\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}";
    fx_begin(f, MP_API_MESSAGES, body);
    assert_int_equal(f->x.steps, 8);
    fx_stream(f);
    sse_frame_t fr[40];
    size_t n = frames_of(f, fr, 40);
    /* start, thinking block, ping, 4 thinking deltas, signature, stop, text block, 4 text deltas, stop, delta, stop */
    assert_int_equal(n, 3 + 4 + 3 + 4 + 3);
    assert_true(frame_is(&fr[1],
                         "{\"type\":\"content_block_start\",\"index\":0,\"content_block\":{\"type\":\"thinking\","
                         "\"thinking\":\"\",\"signature\":\"\"}}"));
    fx_read(f, fr[3].data, fr[3].len);
    assert_string_equal(jstr(&f->doc, 0, "delta.type"), "thinking_delta");
    fx_read(f, fr[7].data, fr[7].len);
    assert_string_equal(jstr(&f->doc, 0, "delta.type"), "signature_delta");
    assert_int_equal(strlen(jstr(&f->doc, 0, "delta.signature")), 128);
    assert_true(frame_is(&fr[8], "{\"type\":\"content_block_stop\",\"index\":0}"));
    assert_true(frame_is(&fr[9], "{\"type\":\"content_block_start\",\"index\":1,\"content_block\":{\"type\":\"text\","
                                 "\"text\":\"\"}}"));
    fx_read(f, fr[10].data, fr[10].len);
    assert_int_equal(jint(&f->doc, 0, "index"), 1);
    fx_read(f, fr[n - 2].data, fr[n - 2].len);
    assert_int_equal(jint(&f->doc, 0, "usage.output_tokens"), 8);
    fx_free(f);

    f = an_fx();
    f->dep.output_tokens = cm_dist_fixed(8);
    fx_begin(f, MP_API_MESSAGES,
             "{\"model\":\"m\",\"max_tokens\":2000,\"thinking\":{\"type\":\"enabled\",\"budget_tokens\":1024},"
             "\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}");
    f->dep.ops->render_body(&f->x, &f->out);
    fx_read(f, f->out.data, f->out.len);
    assert_string_equal(jstr(&f->doc, 0, "content.0.type"), "thinking");
    assert_int_equal(strlen(jstr(&f->doc, 0, "content.0.signature")), 128);
    const char *thought = jstr(&f->doc, 0, "content.0.thinking");
    assert_int_equal(mp_echo_count_tokens((cm_str_t){thought, strlen(thought)}), 4);
    assert_string_equal(jstr(&f->doc, 0, "content.1.type"), "text");
    assert_int_equal(jint(&f->doc, 0, "usage.output_tokens"), 8);
    fx_free(f);
}

static void test_tool_stream(void **state)
{
    (void)state;
    fx_t *f = an_fx();
    f->dep.tool_calls = true;
    fx_begin(f, MP_API_MESSAGES, MSG(",\"stream\":true,\"tools\":[" TOOL("get_weather") "]"));
    fx_stream(f);
    sse_frame_t fr[64];
    size_t n = frames_of(f, fr, 64);
    fx_read(f, fr[1].data, fr[1].len);
    assert_string_equal(jstr(&f->doc, 0, "content_block.type"), "tool_use");
    assert_string_equal(jstr(&f->doc, 0, "content_block.name"), "get_weather");
    assert_int_equal(strncmp(jstr(&f->doc, 0, "content_block.id"), "toolu_01", 8), 0);
    assert_string_equal(fr[2].event, "ping");
    assert_true(frame_is(&fr[3],
                         "{\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\"type\":\"input_json_delta\","
                         "\"partial_json\":\"\"}}"));
    cm_buf_t json = {0};
    for (size_t i = 4; i + 3 < n; i++) {
        fx_read(f, fr[i].data, fr[i].len);
        assert_string_equal(jstr(&f->doc, 0, "delta.type"), "input_json_delta");
        cm_buf_puts(&json, jstr(&f->doc, 0, "delta.partial_json"));
    }
    assert_string_equal(json.data, f->req.tool_arguments);
    fx_read(f, fr[n - 2].data, fr[n - 2].len);
    assert_string_equal(jstr(&f->doc, 0, "delta.stop_reason"), "tool_use");
    cm_buf_free(&json);
    fx_free(f);
}

static void test_parallel_tools(void **state)
{
    (void)state;
    for (uint64_t seed = 1; seed < 40; seed++) {
        fx_t *f = an_fx();
        f->dep.tool_calls = true;
        f->dep.tool_parallel = 3;
        cm_rng_seed(&f->rng, seed);
        fx_begin(f, MP_API_MESSAGES, MSG(",\"stream\":true,\"tools\":[" TOOL("a") "," TOOL("b") "," TOOL("c") "]"));
        uint32_t calls = f->x.calls[0];
        fx_stream(f);
        sse_frame_t fr[256];
        size_t n = frames_of(f, fr, 256), starts = 0, stops = 0;
        for (size_t i = 0; i < n; i++) {
            fx_read(f, fr[i].data, fr[i].len);
            if (strcmp(fr[i].event, "content_block_start") == 0)
                assert_int_equal(jint(&f->doc, 0, "index"), starts++);
            if (strcmp(fr[i].event, "content_block_stop") == 0)
                assert_int_equal(jint(&f->doc, 0, "index"), stops++);
        }
        assert_int_equal(starts, calls);
        assert_int_equal(stops, calls);
        fx_t *g = an_fx();
        g->dep.tool_calls = true;
        g->dep.tool_parallel = 3;
        cm_rng_seed(&g->rng, seed);
        fx_begin(g, MP_API_MESSAGES, MSG(",\"tools\":[" TOOL("a") "," TOOL("b") "," TOOL("c") "]"));
        g->dep.ops->render_body(&g->x, &g->out);
        fx_read(g, g->out.data, g->out.len);
        uint32_t content = jpath(&g->doc, 0, "content");
        assert_int_equal(g->doc.tok[content].count, calls);
        assert_string_equal(jstr(&g->doc, 0, "content.0.name"), "a");
        fx_free(g);
        fx_free(f);
    }
}

static void test_after_tool_result(void **state)
{
    (void)state;
    fx_t *f = an_fx();
    f->dep.tool_calls = true;
    fx_begin(f, MP_API_MESSAGES,
             "{\"model\":\"m\",\"max_tokens\":50,\"tools\":[" TOOL(
                 "w") "],\"messages\":[{\"role\":\"user\",\"content\":"
                      "\"x\"},{\"role\":\"assistant\",\"content\":[{\"type\":\"tool_use\",\"id\":\"t1\",\"name\":\"w\","
                      "\"input\":"
                      "{}}]},{\"role\":\"user\",\"content\":[{\"type\":\"tool_result\",\"tool_use_id\":\"t1\","
                      "\"content\":\"ok\"}]}]}");
    f->dep.ops->render_body(&f->x, &f->out);
    fx_read(f, f->out.data, f->out.len);
    assert_string_equal(jstr(&f->doc, 0, "content.0.type"), "text");
    assert_string_equal(jstr(&f->doc, 0, "stop_reason"), "end_turn");
    fx_free(f);
}

static void test_count_tokens(void **state)
{
    (void)state;
    fx_t *f = an_fx();
    fx_begin(f, MP_API_COUNT_TOKENS,
             "{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":\"Hello there\"}]}");
    f->dep.ops->render_body(&f->x, &f->out);
    assert_string_equal(f->out.data, "{\"input_tokens\":6}");
    assert_int_equal(mp_an_response_bound(&f->dep, &f->req), 0);
    fx_free(f);
}

/* The bound holds every rendered response, and the check refuses one over the budget. */
static void test_bound(void **state)
{
    (void)state;
    static const char *const bodies[] = {
        MSG(""),
        MSG(",\"stream\":true"),
        MSG(",\"stream\":true,\"tools\":[" TOOL("a") "," TOOL("b") "]"),
        "{\"model\":\"m\",\"max_tokens\":5000,\"stream\":true,\"thinking\":{\"type\":\"enabled\",\"budget_tokens\":"
        "1024},"
        "\"tools\":[" TOOL("a") "],\"messages\":[{\"role\":\"user\",\"content\":\"a b c d e f g\"}]}",
    };
    for (size_t i = 0; i < sizeof(bodies) / sizeof(bodies[0]); i++) {
        for (int mode = 0; mode < 4; mode++) {
            fx_t *f = an_fx();
            f->dep.output_tokens = cm_dist_fixed(mode == 0 ? 1 : 300);
            f->dep.content = mode == 2 ? MP_CONTENT_ECHO : MP_CONTENT_POOL;
            f->dep.tool_calls = mode == 3;
            f->dep.tool_parallel = 4;
            fx_begin(f, MP_API_MESSAGES, bodies[i]);
            if (f->req.stream)
                fx_stream(f);
            else
                f->dep.ops->render_body(&f->x, &f->out);
            uint64_t bound = mp_an_response_bound(&f->dep, &f->req);
            if (f->out.len > bound)
                fail_msg("body %zu mode %d: %zu bytes over the bound %llu", i, mode, f->out.len,
                         (unsigned long long)bound);
            assert_int_equal(f->dep.ops->check_response(&f->dep, &f->req, &f->err), 0);
            fx_free(f);
        }
    }
    fx_t *f = an_fx();
    f->dep.output_tokens = cm_dist_fixed(1000000);
    f->dep.max_response = MP_MIN_MAX_RESPONSE;
    assert_int_equal(fx_parse(f, MP_API_MESSAGES, MSG(",\"stream\":true")), 0);
    assert_int_equal(f->dep.ops->check_response(&f->dep, &f->req, &f->err), 0); /* max_tokens 100 keeps it small */
    assert_int_equal(fx_parse(f, MP_API_MESSAGES,
                              "{\"model\":\"m\",\"max_tokens\":100000,\"stream\":true,\"messages\":[{\"role\":\"user\","
                              "\"content\":\"x\"}]}"),
                     0);
    assert_int_equal(f->dep.ops->check_response(&f->dep, &f->req, &f->err), -1);
    assert_int_equal(f->err.status, 400);
    assert_ptr_equal(strstr(f->err.message, "max_tokens: the response to this request could take up to "),
                     f->err.message);
    fx_free(f);
}

/* stop_sequences: the text ends right before the first one, stop_reason stop_sequence with the sequence as sent,
 * in the Message and in the stream's message_delta, and output_tokens counts the tokens said. */
static void test_stop_sequence(void **state)
{
    (void)state;
    const char *req =
        "{\"model\":\"m\",\"max_tokens\":100,\"messages\":[{\"role\":\"user\",\"content\":\"the quick brown "
        "fox jumps\"}],\"stop_sequences\":[\"zzz\",\"\\u0066ox\"]%s}";
    char plain[512], streamed[512];
    snprintf(plain, sizeof(plain), req, "");
    snprintf(streamed, sizeof(streamed), req, ",\"stream\":true");
    fx_t *f = an_fx(), *g = an_fx();
    f->dep.content = g->dep.content = MP_CONTENT_ECHO;
    f->dep.output_tokens = g->dep.output_tokens = cm_dist_fixed(100);
    fx_body(f, MP_API_MESSAGES, plain);
    assert_string_equal(jstr(&f->doc, 0, "content.0.text"), "the quick brown ");
    assert_string_equal(jstr(&f->doc, 0, "stop_reason"), "stop_sequence");
    assert_string_equal(jstr(&f->doc, 0, "stop_sequence"), "fox");
    assert_int_equal(jint(&f->doc, 0, "usage.output_tokens"), 4);
    fx_begin(g, MP_API_MESSAGES, streamed);
    fx_stream(g);
    sse_frame_t fr[32];
    size_t n = frames_of(g, fr, 32);
    cm_buf_t text = {0};
    for (size_t i = 0; i < n; i++) {
        fx_read(g, fr[i].data, fr[i].len);
        if (strcmp(fr[i].event, "content_block_delta") == 0)
            cm_buf_puts(&text, jstr(&g->doc, 0, "delta.text"));
    }
    assert_string_equal(text.data, "the quick brown ");
    assert_string_equal(fr[n - 2].event, "message_delta");
    fx_read(g, fr[n - 2].data, fr[n - 2].len);
    assert_string_equal(jstr(&g->doc, 0, "delta.stop_reason"), "stop_sequence");
    assert_string_equal(jstr(&g->doc, 0, "delta.stop_sequence"), "fox");
    assert_int_equal(jint(&g->doc, 0, "usage.output_tokens"), 4);
    cm_buf_free(&text);
    fx_free(f);
    fx_free(g);
    /* Thinking takes half of the 4 tokens said: the text ends before the sequence, which then did not stop it. */
    f = an_fx();
    f->dep.content = MP_CONTENT_ECHO;
    f->dep.output_tokens = cm_dist_fixed(100);
    fx_body(
        f, MP_API_MESSAGES,
        "{\"model\":\"m\",\"max_tokens\":2000,\"thinking\":{\"type\":\"enabled\",\"budget_tokens\":1024},"
        "\"messages\":[{\"role\":\"user\",\"content\":\"the quick brown fox jumps\"}],\"stop_sequences\":[\"fox\"]}");
    assert_string_equal(jstr(&f->doc, 0, "content.1.text"), "the quick");
    assert_string_equal(jstr(&f->doc, 0, "stop_reason"), "end_turn");
    assert_true(jnull(&f->doc, 0, "stop_sequence"));
    assert_int_equal(jint(&f->doc, 0, "usage.output_tokens"), 4);
    fx_free(f);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_body),
        cmocka_unit_test(test_stream),
        cmocka_unit_test(test_stop_sequence),
        cmocka_unit_test(test_thinking),
        cmocka_unit_test(test_tool_stream),
        cmocka_unit_test(test_parallel_tools),
        cmocka_unit_test(test_after_tool_result),
        cmocka_unit_test(test_count_tokens),
        cmocka_unit_test(test_bound),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
