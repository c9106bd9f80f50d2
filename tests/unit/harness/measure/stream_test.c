/* tests/unit/harness/measure/stream_test.c — each stream dialect on recorded-looking streams: token timing from
 * content events only, terminators, error chunks, malformed JSON, missing [DONE], truncation. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "harness/measure/stream.h"

#include <stdio.h>
#include <string.h>

#define MS 1000000ull

typedef struct gaps {
    uint64_t v[64];
    int n;
} gaps_t;

static void on_gap(void *ctx, uint64_t gap)
{
    gaps_t *g = ctx;
    if (g->n < 64)
        g->v[g->n] = gap;
    g->n++;
}

/* Feeds each string of frames[] at t = (i + 1) * 10 ms. */
static hx_err_t run(hx_stream_t *s, hx_dialect_t d, gaps_t *g, const char *const *frames, size_t n, bool transport_ok)
{
    memset(g, 0, sizeof(*g));
    hx_stream_init(s, d, on_gap, g);
    for (size_t i = 0; i < n; i++)
        hx_stream_feed(s, frames[i], strlen(frames[i]), (uint64_t)(i + 1) * 10 * MS);
    return hx_stream_finish(s, transport_ok);
}

#define CHUNK(delta)                                                                                                   \
    "data: "                                                                                                           \
    "{\"id\":\"chatcmpl-1\",\"object\":\"chat.completion.chunk\",\"created\":1694268190,\"model\":\"gpt-4o-mini\","    \
    "\"choices\":[{\"index\":0,\"delta\":" delta ",\"logprobs\":null,\"finish_reason\":null}],\"usage\":null}\n\n"

static const char *const chat_frames[] = {
    CHUNK("{\"role\":\"assistant\",\"content\":\"\"}"), /* t=10: role only, not a token */
    ": keep-alive\n\n",                                 /* t=20 */
    CHUNK("{\"content\":\"Hello\"}"),                   /* t=30: first token */
    CHUNK("{\"content\":\" wor\\u006cd\"}"),            /* t=40 */
    CHUNK("{}"),                                        /* t=50: empty delta */
    CHUNK("{\"content\":\"!\"}"),                       /* t=60 */
    "data: {\"id\":\"chatcmpl-1\",\"object\":\"chat.completion.chunk\",\"choices\":[{\"index\":0,\"delta\":{},"
    "\"finish_reason\":\"stop\"}],\"usage\":null}\n\n", /* t=70 */
    "data: {\"id\":\"chatcmpl-1\",\"object\":\"chat.completion.chunk\",\"choices\":[],"
    "\"usage\":{\"prompt_tokens\":9,\"completion_tokens\":3,\"total_tokens\":12}}\n\n", /* t=80: include_usage */
    "data: [DONE]\n\n",                                                                 /* t=90 */
};
#define NCHAT (sizeof(chat_frames) / sizeof(chat_frames[0]))

static void test_chat_timing_and_done(void **state)
{
    (void)state;
    hx_stream_t s;
    gaps_t g;
    assert_int_equal(run(&s, HX_DIALECT_OPENAI_CHAT, &g, chat_frames, NCHAT, true), HX_ERR_NONE);
    assert_true(s.done);
    assert_int_equal(s.tokens, 3);
    assert_int_equal(s.first_token, 30 * MS);
    assert_int_equal(s.last_token, 60 * MS);
    assert_int_equal(g.n, 2);
    assert_int_equal(g.v[0], 10 * MS);
    assert_int_equal(g.v[1], 20 * MS);
    hx_stream_free(&s);
}

/* The whole stream in one buffer, split at every offset into two feeds, gives the same outcome. */
static void test_chat_split_anywhere(void **state)
{
    (void)state;
    cm_buf_t all = CM_BUF_INIT;
    for (size_t i = 0; i < NCHAT; i++)
        cm_buf_puts(&all, chat_frames[i]);
    for (size_t cut = 0; cut <= all.len; cut++) {
        hx_stream_t s;
        gaps_t g = {{0}, 0};
        hx_stream_init(&s, HX_DIALECT_OPENAI_CHAT, on_gap, &g);
        hx_stream_feed(&s, all.data, cut, 1 * MS);
        hx_stream_feed(&s, all.data + cut, all.len - cut, 2 * MS);
        assert_int_equal(hx_stream_finish(&s, true), HX_ERR_NONE);
        assert_int_equal(s.tokens, 3);
        assert_int_equal(g.n, 2);
        hx_stream_free(&s);
    }
    cm_buf_free(&all);
}

static void test_chat_error_chunk(void **state)
{
    (void)state;
    const char *const frames[] = {
        CHUNK("{\"content\":\"Hi\"}"),
        "data: {\"error\":{\"message\":\"The server had an error\",\"type\":\"server_error\",\"param\":null,"
        "\"code\":null}}\n\n",
        CHUNK("{\"content\":\"never seen\"}"),
        "data: [DONE]\n\n",
    };
    hx_stream_t s;
    gaps_t g;
    assert_int_equal(run(&s, HX_DIALECT_OPENAI_CHAT, &g, frames, 4, true), HX_ERR_STREAM_ERROR);
    assert_int_equal(s.tokens, 1); /* nothing after the error is parsed */
    assert_false(s.done);
    hx_stream_free(&s);
}

static void test_chat_error_event_and_null_error(void **state)
{
    (void)state;
    /* "error": null and false are not errors (some gateways always send the key). */
    const char *const ok[] = {"data: {\"error\":null,\"choices\":[{\"delta\":{\"content\":\"a\"}}]}\n\n",
                              "data: {\"error\":false,\"choices\":[]}\n\n", "data: [DONE]\n\n"};
    hx_stream_t s;
    gaps_t g;
    assert_int_equal(run(&s, HX_DIALECT_OPENAI_CHAT, &g, ok, 3, true), HX_ERR_NONE);
    assert_int_equal(s.tokens, 1);
    hx_stream_free(&s);
    const char *const ev[] = {"event: error\ndata: {\"message\":\"overloaded\"}\n\n"};
    assert_int_equal(run(&s, HX_DIALECT_OPENAI_CHAT, &g, ev, 1, true), HX_ERR_STREAM_ERROR);
    hx_stream_free(&s);
    const char *const str[] = {"data: {\"error\":\"rate limited\"}\n\n"};
    assert_int_equal(run(&s, HX_DIALECT_OPENAI_CHAT, &g, str, 1, true), HX_ERR_STREAM_ERROR);
    hx_stream_free(&s);
}

static void test_chat_missing_done_and_truncated(void **state)
{
    (void)state;
    hx_stream_t s;
    gaps_t g;
    /* Everything but [DONE], ending cleanly. */
    assert_int_equal(run(&s, HX_DIALECT_OPENAI_CHAT, &g, chat_frames, NCHAT - 1, true), HX_ERR_STREAM_NO_DONE);
    assert_int_equal(s.tokens, 3);
    hx_stream_free(&s);
    /* The connection broke in the middle. */
    assert_int_equal(run(&s, HX_DIALECT_OPENAI_CHAT, &g, chat_frames, 4, false), HX_ERR_STREAM_TRUNCATED);
    assert_int_equal(s.tokens, 2);
    hx_stream_free(&s);
    /* [DONE] without its blank line is an unfinished event (WHATWG): not a terminator. */
    const char *const half[] = {CHUNK("{\"content\":\"x\"}"), "data: [DONE]\n"};
    assert_int_equal(run(&s, HX_DIALECT_OPENAI_CHAT, &g, half, 2, true), HX_ERR_STREAM_NO_DONE);
    hx_stream_free(&s);
    /* After the terminator, a transport error no longer matters, and later bytes are not parsed. */
    const char *const tail[] = {"data: [DONE]\n\n", "data: {not json\n\n"};
    assert_int_equal(run(&s, HX_DIALECT_OPENAI_CHAT, &g, tail, 2, false), HX_ERR_NONE);
    hx_stream_free(&s);
}

static void test_chat_parse_errors(void **state)
{
    (void)state;
    hx_stream_t s;
    gaps_t g;
    const char *const bad_json[] = {CHUNK("{\"content\":\"a\"}"),
                                    "data: {\"choices\":[{\"delta\":{\"content\":\"b\"}]\n\n"};
    assert_int_equal(run(&s, HX_DIALECT_OPENAI_CHAT, &g, bad_json, 2, true), HX_ERR_STREAM_PARSE);
    assert_int_equal(s.tokens, 1);
    hx_stream_free(&s);
    const char *const not_object[] = {"data: [1,2,3]\n\n"};
    assert_int_equal(run(&s, HX_DIALECT_OPENAI_CHAT, &g, not_object, 1, true), HX_ERR_STREAM_PARSE);
    hx_stream_free(&s);
    const char *const html[] = {"<html><body>502 Bad Gateway</body></html>\n\n"};
    /* Not SSE at all: no field is "data", nothing dispatched, so the stream simply never finished. */
    assert_int_equal(run(&s, HX_DIALECT_OPENAI_CHAT, &g, html, 1, true), HX_ERR_STREAM_NO_DONE);
    hx_stream_free(&s);
    /* Keep-alive empty data frames are skipped, not parse errors. */
    const char *const empty[] = {"data:\n\n", "data: [DONE]\n\n"};
    assert_int_equal(run(&s, HX_DIALECT_OPENAI_CHAT, &g, empty, 2, true), HX_ERR_NONE);
    hx_stream_free(&s);
}

static void test_chat_event_too_large(void **state)
{
    (void)state;
    hx_stream_t s;
    gaps_t g = {{0}, 0};
    hx_stream_init(&s, HX_DIALECT_OPENAI_CHAT, on_gap, &g);
    static char block[1 << 16];
    memset(block, 'a', sizeof(block));
    hx_stream_feed(&s, "data: ", 6, MS);
    for (int i = 0; i < 100 && s.err == HX_ERR_NONE; i++) /* 6.4 MB without a line end */
        hx_stream_feed(&s, block, sizeof(block), MS);
    assert_int_equal(s.err, HX_ERR_STREAM_PARSE);
    assert_int_equal(hx_stream_finish(&s, true), HX_ERR_STREAM_PARSE);
    hx_stream_free(&s);
}

static void test_chat_tool_calls_and_azure_preamble(void **state)
{
    (void)state;
    const char *const frames[] = {
        /* Azure: the first frame has no choices, only prompt filter results */
        "data: {\"choices\":[],\"created\":0,\"id\":\"\",\"model\":\"\",\"object\":\"\",\"prompt_filter_results\":"
        "[{\"prompt_index\":0,\"content_filter_results\":{}}]}\n\n",
        CHUNK("{\"role\":\"assistant\",\"content\":null,\"tool_calls\":[{\"index\":0,\"id\":\"call_1\",\"type\":"
              "\"function\",\"function\":{\"name\":\"f\",\"arguments\":\"\"}}]}"),
        CHUNK("{\"tool_calls\":[{\"index\":0,\"function\":{\"arguments\":\"{\\\"a\\\"\"}}]}"),
        CHUNK("{\"tool_calls\":[{\"index\":0,\"function\":{\"arguments\":\":1}\"}}]}"),
        "data: [DONE]\n\n",
    };
    hx_stream_t s;
    gaps_t g;
    assert_int_equal(run(&s, HX_DIALECT_OPENAI_CHAT, &g, frames, 5, true), HX_ERR_NONE);
    assert_int_equal(s.tokens, 2);
    assert_int_equal(s.first_token, 30 * MS);
    assert_int_equal(g.n, 1);
    hx_stream_free(&s);
}

static void test_completions(void **state)
{
    (void)state;
    const char *const frames[] = {
        "data: {\"id\":\"cmpl-1\",\"object\":\"text_completion\",\"choices\":[{\"text\":\"\",\"index\":0}]}\n\n",
        "data: "
        "{\"id\":\"cmpl-1\",\"object\":\"text_completion\",\"choices\":[{\"text\":\"\\n\\nThis\",\"index\":0}]}\n\n",
        "data: {\"id\":\"cmpl-1\",\"object\":\"text_completion\",\"choices\":[{\"text\":\" is\",\"index\":0,"
        "\"finish_reason\":\"length\"}]}\n\n",
        "data: [DONE]\n\n",
    };
    hx_stream_t s;
    gaps_t g;
    assert_int_equal(run(&s, HX_DIALECT_OPENAI_COMPLETIONS, &g, frames, 4, true), HX_ERR_NONE);
    assert_int_equal(s.tokens, 2);
    assert_int_equal(s.first_token, 20 * MS);
    hx_stream_free(&s);
    /* A chat delta is not completions content. */
    const char *const chat[] = {CHUNK("{\"content\":\"x\"}"), "data: [DONE]\n\n"};
    assert_int_equal(run(&s, HX_DIALECT_OPENAI_COMPLETIONS, &g, chat, 2, true), HX_ERR_NONE);
    assert_int_equal(s.tokens, 0);
    hx_stream_free(&s);
}

#define REV(type, rest) "event: " type "\ndata: {\"type\":\"" type "\"," rest "}\n\n"

static const char *const responses_frames[] = {
    REV("response.created",
        "\"response\":{\"id\":\"resp_1\",\"status\":\"in_progress\",\"output\":[]},\"sequence_number\":0"),
    REV("response.in_progress", "\"response\":{\"id\":\"resp_1\"},\"sequence_number\":1"),
    REV("response.output_item.added", "\"output_index\":0,\"item\":{\"type\":\"message\"},\"sequence_number\":2"),
    REV("response.output_text.delta", "\"item_id\":\"msg_1\",\"delta\":\"Hi\",\"sequence_number\":3"),
    REV("response.output_text.delta", "\"item_id\":\"msg_1\",\"delta\":\"\",\"sequence_number\":4"),
    REV("response.output_text.delta", "\"item_id\":\"msg_1\",\"delta\":\" there\",\"sequence_number\":5"),
    REV("response.output_text.done", "\"text\":\"Hi there\",\"sequence_number\":6"),
    REV("response.completed",
        "\"response\":{\"id\":\"resp_1\",\"status\":\"completed\",\"usage\":{\"output_tokens\":2}},"
        "\"sequence_number\":7"),
};

static void test_responses_stream(void **state)
{
    (void)state;
    hx_stream_t s;
    gaps_t g;
    assert_int_equal(run(&s, HX_DIALECT_OPENAI_RESPONSES, &g, responses_frames, 8, true), HX_ERR_NONE);
    assert_int_equal(s.tokens, 2);
    assert_int_equal(s.first_token, 40 * MS);
    assert_int_equal(s.last_token, 60 * MS);
    assert_int_equal(g.n, 1);
    hx_stream_free(&s);
    assert_int_equal(run(&s, HX_DIALECT_OPENAI_RESPONSES, &g, responses_frames, 7, true), HX_ERR_STREAM_NO_DONE);
    hx_stream_free(&s);
    assert_int_equal(run(&s, HX_DIALECT_OPENAI_RESPONSES, &g, responses_frames, 5, false), HX_ERR_STREAM_TRUNCATED);
    hx_stream_free(&s);
}

static void test_responses_failures(void **state)
{
    (void)state;
    hx_stream_t s;
    gaps_t g;
    const char *const failed[] = {responses_frames[0], REV("response.failed", "\"response\":{\"status\":\"failed\"}")};
    assert_int_equal(run(&s, HX_DIALECT_OPENAI_RESPONSES, &g, failed, 2, true), HX_ERR_STREAM_ERROR);
    hx_stream_free(&s);
    /* Cut short by max_output_tokens: a normal end, not an error. */
    const char *const incomplete[] = {responses_frames[0], REV("response.incomplete", "\"response\":{}")};
    assert_int_equal(run(&s, HX_DIALECT_OPENAI_RESPONSES, &g, incomplete, 2, true), HX_ERR_NONE);
    hx_stream_free(&s);
    const char *const err[] = {REV("error", "\"code\":\"server_error\",\"message\":\"boom\",\"param\":null")};
    assert_int_equal(run(&s, HX_DIALECT_OPENAI_RESPONSES, &g, err, 1, true), HX_ERR_STREAM_ERROR);
    hx_stream_free(&s);
    const char *const bad[] = {"event: response.output_text.delta\ndata: {\"delta\":\"x\"\n\n"};
    assert_int_equal(run(&s, HX_DIALECT_OPENAI_RESPONSES, &g, bad, 1, true), HX_ERR_STREAM_PARSE);
    hx_stream_free(&s);
}

/* A gateway that drops the event: lines still sends "type" in the data. */
static void test_responses_type_from_data(void **state)
{
    (void)state;
    const char *const frames[] = {
        "data: {\"type\":\"response.function_call_arguments.delta\",\"delta\":\"{\\\"q\\\":\"}\n\n",
        "data: {\"type\":\"response.function_call_arguments.delta\",\"delta\":\"1}\"}\n\n",
        "data: {\"type\":\"response.completed\",\"response\":{}}\n\n",
        "data: [DONE]\n\n",
    };
    hx_stream_t s;
    gaps_t g;
    assert_int_equal(run(&s, HX_DIALECT_OPENAI_RESPONSES, &g, frames, 4, true), HX_ERR_NONE);
    assert_int_equal(s.tokens, 2);
    hx_stream_free(&s);
    const char *const untyped[] = {"data: {\"delta\":\"x\"}\n\n"};
    assert_int_equal(run(&s, HX_DIALECT_OPENAI_RESPONSES, &g, untyped, 1, true), HX_ERR_STREAM_PARSE);
    hx_stream_free(&s);
}

#define AEV(name, data) "event: " name "\ndata: " data "\n\n"

static const char *const anthropic_frames[] = {
    AEV("message_start", "{\"type\":\"message_start\",\"message\":{\"id\":\"msg_1\",\"type\":\"message\","
                         "\"role\":\"assistant\",\"content\":[],\"usage\":{\"input_tokens\":3,\"output_tokens\":1}}}"),
    AEV("content_block_start",
        "{\"type\":\"content_block_start\",\"index\":0,\"content_block\":{\"type\":\"text\",\"text\":\"\"}}"),
    AEV("ping", "{\"type\": \"ping\"}"),
    AEV("content_block_delta", "{\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\"type\":\"text_delta\","
                               "\"text\":\"Hi\"}}"), /* t=40: first token */
    AEV("content_block_delta", "{\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\"type\":\"text_delta\","
                               "\"text\":\"\"}}"), /* t=50: empty, not a token */
    AEV("content_block_delta", "{\"type\":\"content_block_delta\",\"index\":1,\"delta\":{\"type\":"
                               "\"input_json_delta\",\"partial_json\":\"{\\\"a\\\"\"}}"), /* t=60 */
    AEV("content_block_stop", "{\"type\":\"content_block_stop\",\"index\":0}"),
    AEV("message_delta", "{\"type\":\"message_delta\",\"delta\":{\"stop_reason\":\"end_turn\"},\"usage\":"
                         "{\"output_tokens\":2}}"),
    AEV("message_stop", "{\"type\":\"message_stop\"}"), /* t=90 */
};

static void test_anthropic_stream(void **state)
{
    (void)state;
    hx_stream_t s;
    gaps_t g;
    size_t n = sizeof(anthropic_frames) / sizeof(anthropic_frames[0]);
    assert_int_equal(run(&s, HX_DIALECT_ANTHROPIC, &g, anthropic_frames, n, true), HX_ERR_NONE);
    assert_true(s.done);
    assert_int_equal(s.tokens, 2);
    assert_int_equal(s.first_token, 40 * MS);
    assert_int_equal(s.last_token, 60 * MS);
    assert_int_equal(g.n, 1);
    assert_int_equal(g.v[0], 20 * MS);
    hx_stream_free(&s);
    /* without message_stop: a clean end is stream_no_done */
    assert_int_equal(run(&s, HX_DIALECT_ANTHROPIC, &g, anthropic_frames, n - 1, true), HX_ERR_STREAM_NO_DONE);
    hx_stream_free(&s);
    /* an error event after the 200 */
    static const char *const err_frames[] = {
        AEV("error", "{\"type\":\"error\",\"error\":{\"type\":\"overloaded_error\",\"message\":\"Overloaded\"}}"),
    };
    assert_int_equal(run(&s, HX_DIALECT_ANTHROPIC, &g, err_frames, 1, true), HX_ERR_STREAM_ERROR);
    hx_stream_free(&s);
    /* a gateway that drops event: lines still leaves the type in the data */
    static const char *const bare[] = {
        "data: {\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\"type\":\"text_delta\",\"text\":\"x\"}}\n\n",
        "data: {\"type\":\"message_stop\"}\n\n",
    };
    assert_int_equal(run(&s, HX_DIALECT_ANTHROPIC, &g, bare, 2, true), HX_ERR_NONE);
    assert_int_equal(s.tokens, 1);
    hx_stream_free(&s);
    static const char *const broken[] = {AEV("content_block_delta", "{\"type\":")};
    assert_int_equal(run(&s, HX_DIALECT_ANTHROPIC, &g, broken, 1, true), HX_ERR_STREAM_PARSE);
    hx_stream_free(&s);
}

#define GCHUNK(parts, tail)                                                                                            \
    "data: {\"candidates\":[{\"content\":{\"role\":\"model\",\"parts\":" parts "}" tail "}],"                          \
    "\"modelVersion\":\"gemini-2.5-flash\"}\r\n\r\n"

static void test_gemini_stream(void **state)
{
    (void)state;
    static const char *const frames[] = {
        GCHUNK("[{\"text\":\"Hel\"}]", ""),                              /* t=10 */
        GCHUNK("[{\"text\":\"thinking\",\"thought\":true}]", ""),        /* t=20: a thought, not the answer */
        GCHUNK("[{\"functionCall\":{\"name\":\"f\",\"args\":{}}}]", ""), /* t=30 */
        GCHUNK("[{\"text\":\"lo\"}]", ",\"finishReason\":\"STOP\""),     /* t=40: the last, with content */
        GCHUNK("[{\"text\":\"after\"}]", ""),                            /* ignored: the outcome is settled */
    };
    hx_stream_t s;
    gaps_t g;
    assert_int_equal(run(&s, HX_DIALECT_GEMINI, &g, frames, 5, true), HX_ERR_NONE);
    assert_true(s.done);
    assert_int_equal(s.tokens, 3);
    assert_int_equal(s.first_token, 10 * MS);
    assert_int_equal(s.last_token, 40 * MS);
    hx_stream_free(&s);
    assert_int_equal(run(&s, HX_DIALECT_GEMINI, &g, frames, 3, false), HX_ERR_STREAM_TRUNCATED);
    hx_stream_free(&s);
    static const char *const errs[] = {
        "data: {\"error\":{\"code\":503,\"message\":\"The model is overloaded.\",\"status\":\"UNAVAILABLE\"}}\r\n\r\n",
    };
    assert_int_equal(run(&s, HX_DIALECT_GEMINI, &g, errs, 1, true), HX_ERR_STREAM_ERROR);
    hx_stream_free(&s);
}

static void test_reset_reuses(void **state)
{
    (void)state;
    hx_stream_t s;
    gaps_t g;
    assert_int_equal(run(&s, HX_DIALECT_OPENAI_CHAT, &g, chat_frames, 3, false), HX_ERR_STREAM_TRUNCATED);
    hx_stream_reset(&s, HX_DIALECT_OPENAI_RESPONSES);
    assert_int_equal(s.tokens, 0);
    assert_int_equal(s.err, HX_ERR_NONE);
    assert_false(s.done);
    assert_false(hx_sse_pending(&s.sse));
    g.n = 0;
    for (size_t i = 0; i < 8; i++)
        hx_stream_feed(&s, responses_frames[i], strlen(responses_frames[i]), (uint64_t)(i + 1) * MS);
    assert_int_equal(hx_stream_finish(&s, true), HX_ERR_NONE);
    assert_int_equal(s.tokens, 2);
    assert_int_equal(g.n, 1);
    hx_stream_free(&s);
}

/* ---- per-chunk measurement (docs/metrics.md) ------------------------------------------------------------ */

/* A role chunk, an empty delta, reasoning first (reasoning_content), then multi-token content chunks and
 * include_usage's count with its reasoning share. */
static const char *const reasoning_frames[] = {
    CHUNK("{\"role\":\"assistant\",\"content\":\"\"}"),        /* t=10: role only */
    CHUNK("{\"reasoning_content\":\"Let me think\"}"),          /* t=20: first reasoning (3 tokens) */
    CHUNK("{\"content\":\"\"}"),                                /* t=30: empty delta */
    CHUNK("{\"reasoning_content\":\" about it\"}"),             /* t=40 */
    CHUNK("{\"content\":\"The answer\"}"),                      /* t=50: first answer */
    CHUNK("{\"content\":\" is 42.\"}"),                         /* t=60 */
    "data: {\"choices\":[],\"usage\":{\"prompt_tokens\":5,\"completion_tokens\":12,"
    "\"completion_tokens_details\":{\"reasoning_tokens\":5}}}\n\n", /* t=70 */
    "data: [DONE]\n\n",                                         /* t=80 */
};

static void test_chat_reasoning_first_and_usage(void **state)
{
    (void)state;
    hx_stream_t s;
    gaps_t g;
    assert_int_equal(run(&s, HX_DIALECT_OPENAI_CHAT, &g, reasoning_frames, 8, true), HX_ERR_NONE);
    assert_int_equal(s.first_reasoning, 20 * MS);
    assert_int_equal(s.reasoning_chunks, 2);
    assert_int_equal(s.first_token, 50 * MS); /* TTFT: the role, empty and reasoning chunks never count */
    assert_int_equal(s.tokens, 2);
    assert_int_equal(s.first_output, 20 * MS);
    assert_int_equal(s.last_output, 60 * MS);
    assert_int_equal(s.chunks, 4);
    assert_int_equal(s.usage_tokens, 12);
    assert_int_equal(s.usage_reasoning, 5);
    assert_int_equal(hx_stream_output_tokens(&s), 12);
    /* ICL: the gaps between output chunks (the empty delta at t=30 is not one) */
    assert_int_equal(g.n, 3);
    assert_int_equal(g.v[0], 20 * MS);
    assert_int_equal(g.v[1], 10 * MS);
    assert_int_equal(g.v[2], 10 * MS);
    assert_int_equal(s.ngaps, 3);
    assert_int_equal(s.gaps[0], 20000);
    hx_result_t r;
    memset(&r, 0, sizeof(r));
    hx_stream_result(&s, &r);
    assert_int_equal(r.tokens, 12);
    assert_int_equal(r.chunks, 4);
    assert_ptr_equal(r.gaps, s.gaps);
    hx_stream_free(&s);
    /* Without a usage chunk the count is one token per output chunk. */
    assert_int_equal(run(&s, HX_DIALECT_OPENAI_CHAT, &g, reasoning_frames, 6, false), HX_ERR_STREAM_TRUNCATED);
    assert_int_equal(s.usage_tokens, -1);
    assert_int_equal(hx_stream_output_tokens(&s), 4);
    hx_stream_free(&s);
}

static void test_responses_reasoning_and_usage(void **state)
{
    (void)state;
    const char *const frames[] = {
        "event: response.created\ndata: {\"type\":\"response.created\",\"response\":{\"id\":\"resp_1\"}}\n\n",
        "event: response.reasoning_summary_text.delta\ndata: {\"type\":\"response.reasoning_summary_text.delta\","
        "\"delta\":\"Thinking\"}\n\n",
        "event: response.output_text.delta\ndata: {\"type\":\"response.output_text.delta\",\"delta\":\"Hi there\"}\n\n",
        "event: response.completed\ndata: {\"type\":\"response.completed\",\"response\":{\"id\":\"resp_1\","
        "\"usage\":{\"input_tokens\":3,\"output_tokens\":9,\"output_tokens_details\":{\"reasoning_tokens\":4}}}}\n\n",
    };
    hx_stream_t s;
    gaps_t g;
    assert_int_equal(run(&s, HX_DIALECT_OPENAI_RESPONSES, &g, frames, 4, true), HX_ERR_NONE);
    assert_int_equal(s.first_reasoning, 20 * MS);
    assert_int_equal(s.first_token, 30 * MS);
    assert_int_equal(s.chunks, 2);
    assert_int_equal(s.usage_tokens, 9);
    assert_int_equal(s.usage_reasoning, 4);
    hx_stream_free(&s);
}

static void test_anthropic_thinking_and_usage(void **state)
{
    (void)state;
    const char *const frames[] = {
        "event: message_start\ndata: {\"type\":\"message_start\",\"message\":{\"usage\":{\"input_tokens\":5,"
        "\"output_tokens\":1}}}\n\n",
        "event: content_block_delta\ndata: {\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\"type\":"
        "\"thinking_delta\",\"thinking\":\"Hmm, let me see\"}}\n\n",
        "event: content_block_delta\ndata: {\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\"type\":"
        "\"signature_delta\",\"signature\":\"EqQB\"}}\n\n",
        "event: content_block_delta\ndata: {\"type\":\"content_block_delta\",\"index\":1,\"delta\":{\"type\":"
        "\"text_delta\",\"text\":\"Hello\"}}\n\n",
        "event: message_delta\ndata: {\"type\":\"message_delta\",\"delta\":{\"stop_reason\":\"end_turn\"},"
        "\"usage\":{\"output_tokens\":7}}\n\n",
        "event: message_stop\ndata: {\"type\":\"message_stop\"}\n\n",
    };
    hx_stream_t s;
    gaps_t g;
    assert_int_equal(run(&s, HX_DIALECT_ANTHROPIC, &g, frames, 6, true), HX_ERR_NONE);
    assert_int_equal(s.first_reasoning, 20 * MS);
    assert_int_equal(s.first_token, 40 * MS); /* the signature carries no token */
    assert_int_equal(s.chunks, 2);
    assert_int_equal(g.n, 1);
    assert_int_equal(g.v[0], 20 * MS);
    assert_int_equal(s.usage_tokens, 7); /* message_delta's final count wins over message_start's */
    hx_stream_free(&s);
}

static void test_gemini_thought_and_usage(void **state)
{
    (void)state;
    const char *const frames[] = {
        "data: {\"candidates\":[{\"content\":{\"parts\":[{\"text\":\"Considering\",\"thought\":true}],"
        "\"role\":\"model\"}}]}\n\n",
        "data: {\"candidates\":[{\"content\":{\"parts\":[{\"text\":\"Paris\"}],\"role\":\"model\"},"
        "\"finishReason\":\"STOP\"}],\"usageMetadata\":{\"promptTokenCount\":4,\"candidatesTokenCount\":3,"
        "\"thoughtsTokenCount\":6}}\n\n",
    };
    hx_stream_t s;
    gaps_t g;
    assert_int_equal(run(&s, HX_DIALECT_GEMINI, &g, frames, 2, true), HX_ERR_NONE);
    assert_int_equal(s.first_reasoning, 10 * MS);
    assert_int_equal(s.first_token, 20 * MS);
    assert_int_equal(s.usage_tokens, 9); /* candidates leave the thoughts out */
    assert_int_equal(s.usage_reasoning, 6);
    hx_stream_free(&s);
}

/* A peer's usage is read, not trusted: a negative, fractional or absurd count is no count. */
static void test_usage_bounds(void **state)
{
    (void)state;
    const char *const frames[] = {
        CHUNK("{\"content\":\"a\"}"),
        "data: {\"choices\":[],\"usage\":{\"completion_tokens\":-3}}\n\n",
        "data: {\"choices\":[],\"usage\":{\"completion_tokens\":2.5}}\n\n",
        "data: [DONE]\n\n",
    };
    hx_stream_t s;
    gaps_t g;
    assert_int_equal(run(&s, HX_DIALECT_OPENAI_CHAT, &g, frames, 4, true), HX_ERR_NONE);
    assert_int_equal(s.usage_tokens, -1);
    assert_int_equal(hx_stream_output_tokens(&s), 1);
    hx_stream_free(&s);
    const char *const huge[] = {"data: {\"choices\":[],\"usage\":{\"completion_tokens\":99999999999}}\n\n",
                                "data: [DONE]\n\n"};
    assert_int_equal(run(&s, HX_DIALECT_OPENAI_CHAT, &g, huge, 2, true), HX_ERR_NONE);
    assert_int_equal(hx_stream_output_tokens(&s), UINT32_MAX);
    hx_stream_free(&s);
}

/* The gaps kept for ITL stop at HX_STREAM_MAX_GAPS; ICL still sees every one. */
static void test_gap_limit(void **state)
{
    (void)state;
    hx_stream_t s;
    gaps_t g = {{0}, 0};
    hx_stream_init(&s, HX_DIALECT_OPENAI_CHAT, on_gap, &g);
    const char *c = CHUNK("{\"content\":\"x\"}");
    for (uint32_t i = 0; i < HX_STREAM_MAX_GAPS + 2; i++)
        hx_stream_feed(&s, c, strlen(c), (uint64_t)(i + 1) * MS);
    assert_int_equal(s.ngaps, HX_STREAM_MAX_GAPS);
    assert_int_equal(s.gaps_dropped, 1);
    assert_int_equal(g.n, HX_STREAM_MAX_GAPS + 1);
    hx_stream_free(&s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_chat_timing_and_done),
        cmocka_unit_test(test_chat_split_anywhere),
        cmocka_unit_test(test_chat_error_chunk),
        cmocka_unit_test(test_chat_error_event_and_null_error),
        cmocka_unit_test(test_chat_missing_done_and_truncated),
        cmocka_unit_test(test_chat_parse_errors),
        cmocka_unit_test(test_chat_event_too_large),
        cmocka_unit_test(test_chat_tool_calls_and_azure_preamble),
        cmocka_unit_test(test_completions),
        cmocka_unit_test(test_responses_stream),
        cmocka_unit_test(test_responses_failures),
        cmocka_unit_test(test_responses_type_from_data),
        cmocka_unit_test(test_anthropic_stream),
        cmocka_unit_test(test_gemini_stream),
        cmocka_unit_test(test_reset_reuses),
        cmocka_unit_test(test_chat_reasoning_first_and_usage),
        cmocka_unit_test(test_responses_reasoning_and_usage),
        cmocka_unit_test(test_anthropic_thinking_and_usage),
        cmocka_unit_test(test_gemini_thought_and_usage),
        cmocka_unit_test(test_usage_bounds),
        cmocka_unit_test(test_gap_limit),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
