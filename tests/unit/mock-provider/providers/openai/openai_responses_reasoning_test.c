/* Tests the reasoning answers of mock-provider/providers/openai/openai_responses.c (and the reasoning object in
 * openai_parse.c): the reasoning item before the message, its summary and encrypted_content, usage arithmetic,
 * the event order and indexes of a stream with and without a summary, chunking, and request errors (chat's
 * reasoning_effort too). */
#include "unit/mock-provider/providers/fixture.h"
#include "mock-provider/providers/openai/openai.h"

#define RESP(extra) "{\"model\":\"o4-mini\",\"input\":\"Think first\"" extra "}"
#define CHAT(extra) "{\"model\":\"o4-mini\",\"messages\":[{\"role\":\"user\",\"content\":\"Think first\"}]" extra "}"
#define ERR(body, param, code, msg) fx_expect_error(f, MP_API_RESPONSES, body, 400, param, code, msg)

typedef struct ev {
    size_t n;
    sse_frame_t fr[128];
} ev_t;

static void stream(fx_t *f, ev_t *e)
{
    e->n = fx_events(f, e->fr, 128);
}

static void expect_events(const ev_t *e, const char *const *want, size_t n)
{
    fx_expect_events(e->fr, e->n, want, n);
}

/* A body: [reasoning, message], reasoning_tokens half of the 10 planned tokens inside output_tokens, the
 * summary text made of as many words, the effort and summary echoed. */
static void test_body_with_summary(void **state)
{
    (void)state;
    fx_t *f = fx_new();
    f->dep.output_tokens = cm_dist_fixed(10);
    fx_begin(f, MP_API_RESPONSES, RESP(",\"reasoning\":{\"effort\":\"high\",\"summary\":\"auto\"}"));
    f->dep.ops->render_body(&f->x, &f->out);
    fx_read(f, f->out.data, f->out.len);
    const cm_json_doc_t *d = &f->doc;
    assert_int_equal(d->tok[jpath(d, 0, "output")].count, 2);
    assert_string_equal(jstr(d, 0, "output.0.type"), "reasoning");
    const char *id = jstr(d, 0, "output.0.id");
    assert_int_equal(strncmp(id, "rs_", 3), 0);
    assert_int_equal(strlen(id), 3 + 48);
    assert_int_equal(d->tok[jpath(d, 0, "output.0.summary")].count, 1);
    assert_string_equal(jstr(d, 0, "output.0.summary.0.type"), "summary_text");
    assert_int_equal(fx_count_words(jstr(d, 0, "output.0.summary.0.text")), 5);
    assert_int_equal(jpath(d, 0, "output.0.encrypted_content"), 0); /* only when include asks */
    assert_string_equal(jstr(d, 0, "output.1.type"), "message");
    assert_string_equal(jstr(d, 0, "output.1.id"), f->x.item_id);
    assert_int_equal(jint(d, 0, "usage.output_tokens"), 10);
    assert_int_equal(jint(d, 0, "usage.output_tokens_details.reasoning_tokens"), 5);
    assert_int_equal(jint(d, 0, "usage.total_tokens"), f->req.prompt_tokens + 10);
    assert_string_equal(jstr(d, 0, "reasoning.effort"), "high");
    assert_string_equal(jstr(d, 0, "reasoning.summary"), "auto");
    fx_free(f);
}

/* A deployment with reasoning: true reasons unasked (effort "medium" echoed, no summary text), and include
 * "reasoning.encrypted_content" adds the opaque blob; an odd count gives the answer the larger half. */
static void test_body_deployment_encrypted(void **state)
{
    (void)state;
    fx_t *f = fx_new();
    f->dep.output_tokens = cm_dist_fixed(7);
    f->dep.reasoning = true;
    fx_begin(f, MP_API_RESPONSES, RESP(",\"include\":[\"reasoning.encrypted_content\"]"));
    f->dep.ops->render_body(&f->x, &f->out);
    fx_read(f, f->out.data, f->out.len);
    const cm_json_doc_t *d = &f->doc;
    assert_string_equal(jstr(d, 0, "output.0.type"), "reasoning");
    assert_int_equal(d->tok[jpath(d, 0, "output.0.summary")].count, 0);
    assert_int_equal(strncmp(jstr(d, 0, "output.0.encrypted_content"), "gAAAAAB", 7), 0);
    assert_int_equal(jint(d, 0, "usage.output_tokens"), 7);
    assert_int_equal(jint(d, 0, "usage.output_tokens_details.reasoning_tokens"), 3);
    assert_string_equal(jstr(d, 0, "reasoning.effort"), "medium");
    assert_true(jnull(d, 0, "reasoning.summary"));
    fx_free(f);
}

/* No reasoning: effort "none", or none asked of a plain deployment; a tool call does not reason either. */
static void test_no_reasoning(void **state)
{
    (void)state;
    const char *bodies[] = {RESP(",\"reasoning\":{\"effort\":\"none\"}"), RESP(""), RESP(",\"reasoning\":{}")};
    for (size_t i = 0; i < 3; i++) {
        fx_t *f = fx_new();
        fx_begin(f, MP_API_RESPONSES, bodies[i]);
        f->dep.ops->render_body(&f->x, &f->out);
        fx_read(f, f->out.data, f->out.len);
        assert_int_equal(f->doc.tok[jpath(&f->doc, 0, "output")].count, 1);
        assert_string_equal(jstr(&f->doc, 0, "output.0.type"), "message");
        assert_int_equal(jint(&f->doc, 0, "usage.output_tokens_details.reasoning_tokens"), 0);
        assert_int_equal(jint(&f->doc, 0, "usage.output_tokens"), 5);
        fx_free(f);
    }
}

/* The stream with a summary: the reasoning item (output_index 0) with its summary part and one delta per
 * reasoning token, closed, then the message at output_index 1; the deltas concatenate to the body's summary. */
static void test_stream_with_summary(void **state)
{
    (void)state;
    fx_t *f = fx_new(), *g = fx_new();
    static ev_t e;
    f->dep.output_tokens = g->dep.output_tokens = cm_dist_fixed(6);
    fx_begin(f, MP_API_RESPONSES, RESP(",\"stream\":true,\"reasoning\":{\"effort\":\"low\",\"summary\":\"detailed\"}"));
    fx_begin(g, MP_API_RESPONSES, RESP(",\"reasoning\":{\"effort\":\"low\",\"summary\":\"detailed\"}"));
    g->dep.ops->render_body(&g->x, &g->out);
    stream(f, &e);
    static const char *const want[] = {
        "response.created",
        "response.in_progress",
        "response.output_item.added",
        "response.reasoning_summary_part.added",
        "response.reasoning_summary_text.delta",
        "response.reasoning_summary_text.delta",
        "response.reasoning_summary_text.delta",
        "response.reasoning_summary_text.done",
        "response.reasoning_summary_part.done",
        "response.output_item.done",
        "response.output_item.added",
        "response.content_part.added",
        "response.output_text.delta",
        "response.output_text.delta",
        "response.output_text.delta",
        "response.output_text.done",
        "response.content_part.done",
        "response.output_item.done",
        "response.completed",
    };
    expect_events(&e, want, sizeof(want) / sizeof(want[0]));
    fx_read(f, e.fr[2].data, e.fr[2].len);
    assert_int_equal(jint(&f->doc, 0, "output_index"), 0);
    assert_string_equal(jstr(&f->doc, 0, "item.type"), "reasoning");
    assert_int_equal(f->doc.tok[jpath(&f->doc, 0, "item.summary")].count, 0);
    char rs[64];
    fx_copy(rs, sizeof(rs), jstr(&f->doc, 0, "item.id"));
    fx_read(f, e.fr[3].data, e.fr[3].len);
    assert_string_equal(jstr(&f->doc, 0, "item_id"), rs);
    assert_int_equal(jint(&f->doc, 0, "summary_index"), 0);
    assert_string_equal(jstr(&f->doc, 0, "part.type"), "summary_text");
    assert_string_equal(jstr(&f->doc, 0, "part.text"), "");
    cm_buf_t text = CM_BUF_INIT;
    for (size_t i = 4; i < 7; i++) {
        fx_read(f, e.fr[i].data, e.fr[i].len);
        assert_string_equal(jstr(&f->doc, 0, "item_id"), rs);
        assert_int_equal(jint(&f->doc, 0, "output_index"), 0);
        assert_int_equal(jint(&f->doc, 0, "summary_index"), 0);
        cm_buf_puts(&text, jstr(&f->doc, 0, "delta"));
    }
    fx_read(g, g->out.data, g->out.len);
    assert_string_equal(text.data, jstr(&g->doc, 0, "output.0.summary.0.text"));
    fx_read(f, e.fr[7].data, e.fr[7].len);
    assert_string_equal(jstr(&f->doc, 0, "text"), text.data);
    fx_read(f, e.fr[8].data, e.fr[8].len);
    assert_string_equal(jstr(&f->doc, 0, "part.text"), text.data);
    fx_read(f, e.fr[9].data, e.fr[9].len);
    assert_int_equal(jint(&f->doc, 0, "output_index"), 0);
    assert_string_equal(jstr(&f->doc, 0, "item.summary.0.text"), text.data);
    for (size_t i = 10; i < 18; i++) { /* the message's events name it at output_index 1 */
        fx_read(f, e.fr[i].data, e.fr[i].len);
        assert_int_equal(jint(&f->doc, 0, "output_index"), 1);
    }
    fx_read(f, e.fr[10].data, e.fr[10].len);
    assert_string_equal(jstr(&f->doc, 0, "item.id"), f->x.item_id);
    fx_read(f, e.fr[18].data, e.fr[18].len);
    assert_string_equal(jstr(&f->doc, 0, "response.output.0.id"), rs);
    assert_string_equal(jstr(&f->doc, 0, "response.output.0.summary.0.text"), text.data);
    assert_int_equal(jint(&f->doc, 0, "response.usage.output_tokens"), 6);
    assert_int_equal(jint(&f->doc, 0, "response.usage.output_tokens_details.reasoning_tokens"), 3);
    assert_string_equal(jstr(&f->doc, 0, "response.reasoning.summary"), "detailed");
    cm_buf_free(&text);
    fx_free(f);
    fx_free(g);
}

/* Without a summary the reasoning steps send nothing: the item is added, and done when the answer starts. */
static void test_stream_without_summary(void **state)
{
    (void)state;
    fx_t *f = fx_new();
    static ev_t e;
    f->dep.output_tokens = cm_dist_fixed(4);
    fx_begin(f, MP_API_RESPONSES, RESP(",\"stream\":true,\"reasoning\":{\"effort\":\"minimal\"}"));
    const mp_provider_t *p = f->dep.ops;
    p->render_head(&f->x, &f->out);
    size_t head = f->out.len;
    p->render_step(&f->x, &f->out);
    p->render_step(&f->x, &f->out);
    assert_int_equal(f->out.len, head); /* two reasoning steps: a gap */
    p->render_step(&f->x, &f->out);
    p->render_step(&f->x, &f->out);
    p->render_tail(&f->x, &f->out);
    e.n = sse_split(f->out.data, f->out.len, e.fr, 128);
    static const char *const want[] = {
        "response.created",           "response.in_progress",       "response.output_item.added",
        "response.output_item.done",  "response.output_item.added", "response.content_part.added",
        "response.output_text.delta", "response.output_text.delta", "response.output_text.done",
        "response.content_part.done", "response.output_item.done",  "response.completed",
    };
    expect_events(&e, want, sizeof(want) / sizeof(want[0]));
    fx_read(f, e.fr[3].data, e.fr[3].len);
    assert_string_equal(jstr(&f->doc, 0, "item.type"), "reasoning");
    assert_int_equal(f->doc.tok[jpath(&f->doc, 0, "item.summary")].count, 0);
    fx_read(f, e.fr[11].data, e.fr[11].len);
    assert_int_equal(jint(&f->doc, 0, "response.usage.output_tokens_details.reasoning_tokens"), 2);
    fx_free(f);
}

/* tokens_per_chunk 4 over 5 reasoning and 5 answer tokens: a delta of 4 words, then a chunk that sends the
 * last reasoning word, closes the reasoning and starts the answer with 3 tokens, then the last 2 tokens. */
static void test_stream_chunks_span_the_end(void **state)
{
    (void)state;
    fx_t *f = fx_new();
    static ev_t e;
    f->dep.output_tokens = cm_dist_fixed(10);
    fx_begin(f, MP_API_RESPONSES, RESP(",\"stream\":true,\"reasoning\":{\"effort\":\"high\",\"summary\":\"auto\"}"));
    assert_int_equal(fx_stream_chunked(f, 4), 3);
    e.n = sse_split(f->out.data, f->out.len, e.fr, 128);
    size_t deltas = 0, texts = 0;
    for (size_t i = 0; i < e.n; i++) {
        fx_read(f, e.fr[i].data, e.fr[i].len);
        if (strcmp(e.fr[i].event, "response.reasoning_summary_text.delta") == 0)
            assert_int_equal(fx_count_words(jstr(&f->doc, 0, "delta")), deltas++ == 0 ? 4 : 1);
        if (strcmp(e.fr[i].event, "response.output_text.delta") == 0)
            texts++;
    }
    assert_int_equal(deltas, 2);
    assert_int_equal(texts, 2);
    fx_free(f);
}

static void test_request_errors(void **state)
{
    (void)state;
    fx_t *f = fx_new();
    ERR(RESP(",\"reasoning\":{\"effort\":\"extreme\"}"), "reasoning.effort", "invalid_value",
        "Invalid value: 'extreme'. Supported values are: 'none', 'minimal', 'low', 'medium', 'high', 'xhigh', and "
        "'max'.");
    ERR(RESP(",\"reasoning\":{\"summary\":\"short\"}"), "reasoning.summary", "invalid_value",
        "Invalid value: 'short'. Supported values are: 'auto', 'concise', and 'detailed'.");
    ERR(RESP(",\"reasoning\":{\"effort\":3}"), "reasoning.effort", "invalid_type",
        "Invalid type for 'reasoning.effort': expected a string, but got an integer instead.");
    ERR(RESP(",\"reasoning\":{\"budget\":100}"), "reasoning.budget", "unknown_parameter",
        "Unknown parameter: 'reasoning.budget'.");
    ERR(RESP(",\"reasoning\":\"high\""), "reasoning", "invalid_type",
        "Invalid type for 'reasoning': expected an object, but got a string instead.");
    assert_int_equal(fx_parse(f, MP_API_RESPONSES,
                              RESP(",\"reasoning\":{\"effort\":null,\"generate_summary\":\"concise\",\"context\":"
                                   "\"auto\",\"mode\":\"standard\"}")),
                     0);
    assert_false(mp_oa_req(&f->req)->reasoning);
    assert_string_equal(mp_oa_req(&f->req)->reasoning_summary, "concise");
    fx_free(f);
}

/* Chat's reasoning_effort takes the same values, with its own parameter name; null is no effort. */
static void test_chat_effort(void **state)
{
    (void)state;
    fx_t *f = fx_new();
    fx_expect_error(f, MP_API_CHAT, CHAT(",\"reasoning_effort\":\"extreme\""), 400, "reasoning_effort", "invalid_value",
                    "Invalid value: 'extreme'. Supported values are: 'none', 'minimal', 'low', 'medium', 'high', "
                    "'xhigh', and 'max'.");
    fx_expect_error(f, MP_API_CHAT, CHAT(",\"reasoning_effort\":2"), 400, "reasoning_effort", "invalid_type",
                    "Invalid type for 'reasoning_effort': expected a string, but got an integer instead.");
    assert_int_equal(fx_parse(f, MP_API_CHAT, CHAT(",\"reasoning_effort\":\"minimal\"")), 0);
    assert_true(mp_oa_req(&f->req)->reasoning);
    assert_int_equal(fx_parse(f, MP_API_CHAT, CHAT(",\"reasoning_effort\":null")), 0);
    assert_false(mp_oa_req(&f->req)->reasoning);
    assert_int_equal(fx_parse(f, MP_API_CHAT, CHAT(",\"reasoning_effort\":\"none\"")), 0);
    assert_false(mp_oa_req(&f->req)->reasoning);
    fx_free(f);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_body_with_summary),      cmocka_unit_test(test_body_deployment_encrypted),
        cmocka_unit_test(test_no_reasoning),           cmocka_unit_test(test_stream_with_summary),
        cmocka_unit_test(test_stream_without_summary), cmocka_unit_test(test_stream_chunks_span_the_end),
        cmocka_unit_test(test_request_errors),         cmocka_unit_test(test_chat_effort),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
