/* Tests mock-provider/providers/gemini/gemini_thinking.c and the thinking answers of gemini_render.c: when an
 * answer thinks, usageMetadata's arithmetic (thoughts apart from the candidates, in the total), thought parts in
 * bodies and in both streams, chunking, budgets, the response bound, thinking before a function call (and its
 * thoughtSignature) or structured output, and thinkingConfig's errors. */
#include "unit/mock-provider/providers/fixture.h"
#include "mock-provider/providers/gemini/gemini.h"

static fx_t *gfx(bool vertex)
{
    fx_t *f = fx_new();
    f->dep.provider = vertex ? MP_PROVIDER_VERTEX : MP_PROVIDER_GEMINI;
    f->dep.ops = mp_provider_for(f->dep.provider);
    f->dep.output_tokens = cm_dist_fixed(10);
    return f;
}

static int gparse(fx_t *f, uint8_t variant, const char *body)
{
    uint8_t kind = MP_GM_KIND(variant);
    f->route = (mp_route_t){.api = MP_API_GENERATE,
                            .variant = variant,
                            .model = {"gemini-2.5-flash", 16},
                            .stream = kind == MP_GM_V_SSE || kind == MP_GM_V_ARRAY};
    return f->dep.ops->parse(&f->route, body, strlen(body), &f->toks, &f->a, &f->req, &f->err);
}

static void gbegin(fx_t *f, uint8_t variant, const char *body)
{
    if (gparse(f, variant, body) != 0)
        fail_msg("parse: %s", f->err.message);
    if (f->dep.ops->check_response(&f->dep, &f->req, &f->err) != 0)
        fail_msg("budget: %s", f->err.message);
    mp_exchange_begin(&f->x, &f->dep, &f->req, &f->rng, &f->a);
    f->begun = true;
}

static void within_bound(fx_t *f)
{
    uint64_t bound = mp_gm_response_bound(&f->dep, &f->req);
    if (f->out.len > bound)
        fail_msg("%zu bytes over the bound %llu", f->out.len, (unsigned long long)bound);
}

#define HI "{\"contents\":[{\"role\":\"user\",\"parts\":[{\"text\":\"Hello big world\"}]}]"
#define THINKING(cfg) HI ",\"generationConfig\":{\"thinkingConfig\":" cfg "}}"

/* A reasoning deployment thinks unasked: half of the 10 tokens, counted apart from the candidates; no thought
 * part without includeThoughts. */
static void test_body_thinks_without_thoughts(void **state)
{
    (void)state;
    fx_t *f = gfx(false);
    f->dep.reasoning = true;
    gbegin(f, MP_GM_V_PLAIN, HI "}");
    f->dep.ops->render_body(&f->x, &f->out);
    within_bound(f);
    fx_read(f, f->out.data, f->out.len);
    const cm_json_doc_t *d = &f->doc;
    assert_int_equal(d->tok[jpath(d, 0, "candidates.0.content.parts")].count, 1);
    assert_int_equal(jpath(d, 0, "candidates.0.content.parts.0.thought"), 0);
    assert_int_equal(fx_count_words(jstr(d, 0, "candidates.0.content.parts.0.text")), 5);
    assert_int_equal(jint(d, 0, "usageMetadata.candidatesTokenCount"), 5);
    assert_int_equal(jint(d, 0, "usageMetadata.thoughtsTokenCount"), 5);
    assert_int_equal(jint(d, 0, "usageMetadata.totalTokenCount"), f->req.prompt_tokens + 10);
    fx_free(f);
}

/* includeThoughts: a thought part first; a thinkingBudget caps the thoughts (3 of 10); Vertex counts its
 * candidatesTokensDetails without them. */
static void test_body_thought_part_and_budget(void **state)
{
    (void)state;
    fx_t *f = gfx(true);
    gbegin(f, MP_GM_V_PLAIN | MP_GM_V_VERTEX, THINKING("{\"thinkingBudget\":3,\"includeThoughts\":true}"));
    f->dep.ops->render_body(&f->x, &f->out);
    within_bound(f);
    fx_read(f, f->out.data, f->out.len);
    const cm_json_doc_t *d = &f->doc;
    assert_int_equal(d->tok[jpath(d, 0, "candidates.0.content.parts")].count, 2);
    assert_int_equal(cm_json_type(d, jpath(d, 0, "candidates.0.content.parts.0.thought")), CM_JSON_TRUE);
    assert_int_equal(fx_count_words(jstr(d, 0, "candidates.0.content.parts.0.text")), 3);
    assert_int_equal(jpath(d, 0, "candidates.0.content.parts.1.thought"), 0);
    assert_int_equal(fx_count_words(jstr(d, 0, "candidates.0.content.parts.1.text")), 7);
    assert_int_equal(jint(d, 0, "usageMetadata.candidatesTokenCount"), 7);
    assert_int_equal(jint(d, 0, "usageMetadata.candidatesTokensDetails.0.tokenCount"), 7);
    assert_int_equal(jint(d, 0, "usageMetadata.thoughtsTokenCount"), 3);
    assert_int_equal(jint(d, 0, "usageMetadata.totalTokenCount"), f->req.prompt_tokens + 10);
    fx_free(f);
}

/* No thinking: a plain deployment asked nothing (includeThoughts alone changes nothing), a budget of 0 on a
 * reasoning deployment; -1 and a thinkingLevel think on a plain deployment, and so does a function call on a
 * reasoning deployment. */
static void test_when_it_thinks(void **state)
{
    (void)state;
    static const struct {
        bool reasoning;
        const char *body;
        uint32_t thoughts;
    } cases[] = {
        {false, HI "}", 0},
        {false, THINKING("{\"includeThoughts\":true}"), 0},
        {true, THINKING("{\"thinkingBudget\":0}"), 0},
        {false, THINKING("{\"thinkingBudget\":-1}"), 5},
        {false, THINKING("{\"thinkingLevel\":\"LOW\"}"), 5},
        {false, THINKING("{\"thinkingLevel\":\"THINKING_LEVEL_UNSPECIFIED\"}"), 0},
        {true, THINKING("{\"thinking_budget\":100}"), 5},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        fx_t *f = gfx(false);
        f->dep.reasoning = cases[i].reasoning;
        gbegin(f, MP_GM_V_PLAIN, cases[i].body);
        f->dep.ops->render_body(&f->x, &f->out);
        fx_read(f, f->out.data, f->out.len);
        if (cases[i].thoughts == 0)
            assert_int_equal(jpath(&f->doc, 0, "usageMetadata.thoughtsTokenCount"), 0);
        else
            assert_int_equal(jint(&f->doc, 0, "usageMetadata.thoughtsTokenCount"), cases[i].thoughts);
        assert_int_equal(jint(&f->doc, 0, "usageMetadata.candidatesTokenCount"), 10 - cases[i].thoughts);
        fx_free(f);
    }
    fx_t *f = gfx(false);
    f->dep.reasoning = f->dep.tool_calls = true;
    gbegin(f, MP_GM_V_PLAIN,
           HI ",\"tools\":[{\"functionDeclarations\":[{\"name\":\"f\",\"parameters\":{\"type\":\"OBJECT\"}}]}]}");
    f->dep.ops->render_body(&f->x, &f->out);
    fx_read(f, f->out.data, f->out.len);
    /* with half of a draw of the length model, in steps before its pieces */
    assert_int_equal(jint(&f->doc, 0, "usageMetadata.thoughtsTokenCount"), 5);
    fx_free(f);
}

/* The SSE frames of f->out, each parsed in turn by each(); returns their count. */
static size_t frames(fx_t *f, void (*each)(fx_t *f, size_t i, void *ctx), void *ctx)
{
    size_t n = 0;
    const char *p = f->out.data, *end = f->out.data + f->out.len;
    while (p < end) {
        if (strncmp(p, "data: ", 6) != 0)
            fail_msg("frame %zu: %.40s", n, p);
        const char *e = strstr(p, "\r\n\r\n");
        assert_non_null(e);
        fx_read(f, p + 6, (size_t)(e - p - 6));
        each(f, n++, ctx);
        p = e + 4;
    }
    return n;
}

typedef struct seen {
    cm_buf_t thoughts, text;
    size_t thought_frames, text_frames, mixed, calls, call_at; /* call_at: the frame of the last call part */
} seen_t;

static void collect(fx_t *f, size_t i, void *ctx)
{
    seen_t *s = ctx;
    const cm_json_doc_t *d = &f->doc;
    uint32_t parts = jpath(d, 0, "candidates.0.content.parts");
    bool thought = false, text = false;
    for (uint32_t k = 0; k < d->tok[parts].count; k++) {
        char path[32];
        snprintf(path, sizeof(path), "%u.functionCall", k);
        if (jpath(d, parts, path) != 0) {
            s->calls++;
            s->call_at = i;
            continue;
        }
        snprintf(path, sizeof(path), "%u.thought", k);
        bool is_thought = jpath(d, parts, path) != 0;
        if (is_thought && (text || s->calls > 0))
            fail_msg("a thought part after the answer's");
        snprintf(path, sizeof(path), "%u.text", k);
        cm_buf_puts(is_thought ? &s->thoughts : &s->text, jstr(d, parts, path));
        thought |= is_thought;
        text |= !is_thought;
    }
    s->thought_frames += thought && !text;
    s->text_frames += text && !thought;
    s->mixed += thought && text;
}

/* alt=sse with includeThoughts and 4 tokens a chunk over 5 thoughts and 5 answer tokens: a chunk of 4 thought
 * words, one with the last thought word and 3 answer tokens (two parts), one with the last 2 tokens, which
 * carries the usage; the thoughts and the text are the body's. */
static void test_sse_thoughts_chunked(void **state)
{
    (void)state;
    fx_t *f = gfx(false), *g = gfx(false);
    f->dep.reasoning = g->dep.reasoning = true;
    gbegin(f, MP_GM_V_SSE, THINKING("{\"includeThoughts\":true}"));
    gbegin(g, MP_GM_V_PLAIN, THINKING("{\"includeThoughts\":true}"));
    fx_stream_chunked(f, 4);
    within_bound(f);
    seen_t s = {CM_BUF_INIT, CM_BUF_INIT, 0, 0, 0, 0, 0};
    assert_int_equal(frames(f, collect, &s), 3);
    assert_int_equal(s.thought_frames, 1);
    assert_int_equal(s.mixed, 1);
    assert_int_equal(s.text_frames, 1);
    assert_int_equal(jint(&f->doc, 0, "usageMetadata.thoughtsTokenCount"), 5);
    assert_int_equal(jint(&f->doc, 0, "usageMetadata.candidatesTokenCount"), 5);
    assert_string_equal(jstr(&f->doc, 0, "candidates.0.finishReason"), "STOP");
    g->dep.ops->render_body(&g->x, &g->out);
    fx_read(g, g->out.data, g->out.len);
    assert_string_equal(s.thoughts.data, jstr(&g->doc, 0, "candidates.0.content.parts.0.text"));
    assert_string_equal(s.text.data, jstr(&g->doc, 0, "candidates.0.content.parts.1.text"));
    cm_buf_free(&s.thoughts);
    cm_buf_free(&s.text);
    fx_free(f);
    fx_free(g);
}

/* Without includeThoughts the thinking steps send nothing: the first chunk is the answer's. */
static void test_sse_silent_thinking(void **state)
{
    (void)state;
    fx_t *f = gfx(false);
    f->dep.reasoning = true;
    gbegin(f, MP_GM_V_SSE, HI "}");
    const mp_provider_t *p = f->dep.ops;
    p->render_head(&f->x, &f->out);
    for (uint32_t n = 0; n < 5; n++)
        p->render_step(&f->x, &f->out);
    assert_int_equal(f->out.len, 0);
    for (uint32_t n = 0; n < 5; n++)
        p->render_step(&f->x, &f->out);
    p->render_tail(&f->x, &f->out);
    seen_t s = {CM_BUF_INIT, CM_BUF_INIT, 0, 0, 0, 0, 0};
    assert_int_equal(frames(f, collect, &s), 5);
    assert_int_equal(s.thought_frames + s.mixed, 0);
    assert_int_equal(jint(&f->doc, 0, "usageMetadata.thoughtsTokenCount"), 5);
    cm_buf_free(&s.thoughts);
    cm_buf_free(&s.text);
    fx_free(f);
}

/* The JSON-array stream: thought elements first, the whole a valid array within the bound. */
static void test_array_stream(void **state)
{
    (void)state;
    fx_t *f = gfx(false);
    gbegin(f, MP_GM_V_ARRAY, THINKING("{\"thinkingBudget\":2,\"includeThoughts\":true}"));
    fx_stream(f);
    within_bound(f);
    fx_read(f, f->out.data, f->out.len);
    assert_int_equal(f->doc.tok[0].count, 10);
    assert_int_equal(cm_json_type(&f->doc, jpath(&f->doc, 0, "0.candidates.0.content.parts.0.thought")), CM_JSON_TRUE);
    assert_int_equal(cm_json_type(&f->doc, jpath(&f->doc, 0, "1.candidates.0.content.parts.0.thought")), CM_JSON_TRUE);
    assert_int_equal(jpath(&f->doc, 0, "2.candidates.0.content.parts.0.thought"), 0);
    assert_int_equal(jint(&f->doc, 0, "9.usageMetadata.thoughtsTokenCount"), 2);
    assert_int_equal(jint(&f->doc, 0, "9.usageMetadata.candidatesTokenCount"), 8);
    fx_free(f);
}

/* ---- thinking before a function call or structured output ----------------------------------------------- */

#define TOOLS                                                                                                          \
    ",\"tools\":[{\"functionDeclarations\":[{\"name\":\"get_weather\",\"parameters\":{\"type\":\"OBJECT\","            \
    "\"properties\":{\"city\":{\"type\":\"STRING\"}},\"required\":[\"city\"]}}]}]"
#define DECL TOOLS ",\"toolConfig\":{\"functionCallingConfig\":{\"mode\":\"ANY\"}}"
#define CALL_THINKING(cfg) HI DECL ",\"generationConfig\":{\"thinkingConfig\":" cfg "}}"

/* includeThoughts and a function call: a thought part, then the call, signed (thoughtSignature, base64 text);
 * the thoughts are counted apart from the call's pieces. */
static void test_body_thought_then_call(void **state)
{
    (void)state;
    fx_t *f = gfx(false);
    gbegin(f, MP_GM_V_PLAIN, CALL_THINKING("{\"thinkingBudget\":2,\"includeThoughts\":true}"));
    f->dep.ops->render_body(&f->x, &f->out);
    within_bound(f);
    fx_read(f, f->out.data, f->out.len);
    const cm_json_doc_t *d = &f->doc;
    uint32_t pieces = f->x.tokens[0];
    assert_int_equal(d->tok[jpath(d, 0, "candidates.0.content.parts")].count, 2);
    assert_int_equal(cm_json_type(d, jpath(d, 0, "candidates.0.content.parts.0.thought")), CM_JSON_TRUE);
    assert_int_equal(fx_count_words(jstr(d, 0, "candidates.0.content.parts.0.text")), 2);
    assert_string_equal(jstr(d, 0, "candidates.0.content.parts.1.functionCall.name"), "get_weather");
    const char *sig = jstr(d, 0, "candidates.0.content.parts.1.thoughtSignature");
    assert_int_equal(strlen(sig), 96);
    assert_int_equal(strspn(sig, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"), 96);
    assert_string_equal(jstr(d, 0, "candidates.0.finishReason"), "STOP");
    assert_int_equal(jint(d, 0, "usageMetadata.thoughtsTokenCount"), 2);
    assert_int_equal(jint(d, 0, "usageMetadata.candidatesTokenCount"), pieces);
    assert_int_equal(jint(d, 0, "usageMetadata.totalTokenCount"), f->req.prompt_tokens + pieces + 2);
    fx_free(f);
}

/* A reasoning deployment thinks before a call unasked, with no thought part but the signature; a budget of 0
 * turns both off. */
static void test_call_thinks_silently(void **state)
{
    (void)state;
    static const char *const bodies[] = {HI DECL "}", CALL_THINKING("{\"thinkingBudget\":0}")};
    for (size_t i = 0; i < 2; i++) {
        fx_t *f = gfx(false);
        f->dep.reasoning = true;
        gbegin(f, MP_GM_V_PLAIN, bodies[i]);
        f->dep.ops->render_body(&f->x, &f->out);
        within_bound(f);
        fx_read(f, f->out.data, f->out.len);
        const cm_json_doc_t *d = &f->doc;
        assert_int_equal(d->tok[jpath(d, 0, "candidates.0.content.parts")].count, 1);
        assert_string_equal(jstr(d, 0, "candidates.0.content.parts.0.functionCall.name"), "get_weather");
        if (i == 0) {
            assert_int_equal(jint(d, 0, "usageMetadata.thoughtsTokenCount"), 5);
            assert_int_equal(strlen(jstr(d, 0, "candidates.0.content.parts.0.thoughtSignature")), 96);
        } else {
            assert_int_equal(jpath(d, 0, "usageMetadata.thoughtsTokenCount"), 0);
            assert_int_equal(jpath(d, 0, "candidates.0.content.parts.0.thoughtSignature"), 0);
        }
        fx_free(f);
    }
}

/* alt=sse, 2 steps a chunk over 3 thoughts: a chunk of 2 thought words, one with the last thought word (the
 * call's first piece is not shown), silence while the pieces are written, and the call whole in the chunk of
 * its last piece, the last chunk, with the usage. */
static void test_sse_thoughts_then_call(void **state)
{
    (void)state;
    fx_t *f = gfx(false);
    gbegin(f, MP_GM_V_SSE, CALL_THINKING("{\"thinkingBudget\":3,\"includeThoughts\":true}"));
    fx_stream_chunked(f, 2);
    within_bound(f);
    seen_t s = {CM_BUF_INIT, CM_BUF_INIT, 0, 0, 0, 0, 0};
    size_t n = frames(f, collect, &s);
    assert_int_equal(s.thought_frames, 2);
    assert_int_equal(s.calls, 1);
    assert_int_equal(n, 3);
    assert_int_equal(s.call_at, 2);
    cm_buf_free(&s.thoughts);
    assert_string_equal(jstr(&f->doc, 0, "candidates.0.finishReason"), "STOP");
    assert_int_equal(jint(&f->doc, 0, "usageMetadata.thoughtsTokenCount"), 3);
    assert_int_equal(jint(&f->doc, 0, "usageMetadata.candidatesTokenCount"), f->x.tokens[0]);
    fx_free(f);
}

/* Structured output thinks first too: a thought part, then the JSON text. */
static void test_structured_thinks(void **state)
{
    (void)state;
    fx_t *f = gfx(false);
    gbegin(f, MP_GM_V_PLAIN,
           HI ",\"generationConfig\":{\"responseMimeType\":\"application/json\",\"responseSchema\":{\"type\":"
              "\"OBJECT\",\"properties\":{\"n\":{\"type\":\"INTEGER\"}},\"required\":[\"n\"]},\"thinkingConfig\":{"
              "\"thinkingBudget\":2,\"includeThoughts\":true}}}");
    f->dep.ops->render_body(&f->x, &f->out);
    within_bound(f);
    fx_read(f, f->out.data, f->out.len);
    const cm_json_doc_t *d = &f->doc;
    assert_int_equal(cm_json_type(d, jpath(d, 0, "candidates.0.content.parts.0.thought")), CM_JSON_TRUE);
    assert_string_equal(jstr(d, 0, "candidates.0.content.parts.1.text"), f->req.structured);
    assert_int_equal(jint(d, 0, "usageMetadata.thoughtsTokenCount"), 2);
    assert_int_equal(jint(d, 0, "usageMetadata.candidatesTokenCount"), f->x.tokens[0]);
    fx_free(f);
}

/* The agent loop's next turn sends the thought and the signed call back, then the function's response. */
static void test_loop_sends_signature_back(void **state)
{
    (void)state;
    fx_t *f = gfx(false);
    f->dep.reasoning = true;
    gbegin(f, MP_GM_V_PLAIN,
           "{\"contents\":[{\"role\":\"user\",\"parts\":[{\"text\":\"Weather in Paris?\"}]},{\"role\":\"model\","
           "\"parts\":[{\"text\":\"why\",\"thought\":true},{\"functionCall\":{\"name\":\"get_weather\",\"args\":{"
           "\"city\":\"Paris\"}},\"thoughtSignature\":\"CrAbCd\"}]},{\"role\":\"user\",\"parts\":[{"
           "\"functionResponse\":{\"name\":\"get_weather\",\"response\":{\"t\":21}}}]}]" TOOLS "}");
    f->dep.ops->render_body(&f->x, &f->out);
    fx_read(f, f->out.data, f->out.len);
    assert_int_equal(jpath(&f->doc, 0, "candidates.0.content.parts.0.functionCall"), 0);
    assert_int_equal(fx_count_words(jstr(&f->doc, 0, "candidates.0.content.parts.0.text")), 5);
    assert_int_equal(jint(&f->doc, 0, "usageMetadata.thoughtsTokenCount"), 5);
    fx_free(f);
}

static void expect_bad(bool vertex, const char *body, const char *field, const char *code, const char *message)
{
    fx_t *f = gfx(vertex);
    assert_int_equal(gparse(f, vertex ? MP_GM_V_VERTEX : MP_GM_V_PLAIN, body), -1);
    assert_int_equal(f->err.status, 400);
    assert_string_equal(f->err.param, field);
    assert_string_equal(f->err.code, code);
    assert_string_equal(f->err.message, message);
    fx_free(f);
}

static void test_errors(void **state)
{
    (void)state;
    expect_bad(false, THINKING("{\"thinkingBudget\":52428}"), "generation_config.thinking_config.thinking_budget",
               MP_GM_D_NONE, "The thinking budget (52428) is invalid.");
    expect_bad(false, THINKING("{\"thinkingBudget\":-2}"), "generation_config.thinking_config.thinking_budget",
               MP_GM_D_NONE, "The thinking budget (-2) is invalid.");
    expect_bad(false, THINKING("{\"thinkingBudget\":19660.8}"), "generation_config.thinking_config.thinking_budget",
               MP_GM_D_FIELD,
               "Invalid value at 'generation_config.thinking_config.thinking_budget' (TYPE_INT32), 19660.8");
    expect_bad(false, THINKING("{\"includeThoughts\":\"yes\"}"), "generation_config.thinking_config.include_thoughts",
               MP_GM_D_FIELD,
               "Invalid value at 'generation_config.thinking_config.include_thoughts' (TYPE_BOOL), \"yes\"");
    expect_bad(false, THINKING("{\"thinkingLevel\":\"EXTREME\"}"), "generation_config.thinking_config.thinking_level",
               MP_GM_D_FIELD,
               "Invalid value at 'generation_config.thinking_config.thinking_level' "
               "(type.googleapis.com/google.ai.generativelanguage.v1beta.ThinkingConfig.ThinkingLevel), \"EXTREME\"");
    expect_bad(false, THINKING("{\"thinkingBudget\":100,\"thinkingLevel\":\"HIGH\"}"),
               "generation_config.thinking_config", MP_GM_D_NONE,
               "You can only set only one of thinking budget and thinking level.");
    expect_bad(false, THINKING("{\"budget\":1}"), "generation_config.thinking_config", MP_GM_D_FIELD,
               "Invalid JSON payload received. Unknown name \"budget\" at 'generation_config.thinking_config': Cannot "
               "find field.");
    expect_bad(true, THINKING("{\"thinkingBudget\":0,\"includeThoughts\":true}"),
               "generation_config.thinking_config.include_thoughts", MP_GM_D_NONE,
               "Unable to submit request because Thinking_config.include_thoughts is only enabled when thinking is "
               "enabled.. Learn more: https://cloud.google.com/vertex-ai/generative-ai/docs/model-reference/gemini");
    fx_t *f = gfx(false); /* the Gemini API takes it: no thoughts to include */
    assert_int_equal(gparse(f, MP_GM_V_PLAIN, THINKING("{\"thinkingBudget\":0,\"includeThoughts\":true}")), 0);
    assert_int_equal(gparse(f, MP_GM_V_PLAIN, THINKING("{\"thinkingBudget\":32768}")), 0);
    fx_free(f);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_body_thinks_without_thoughts),
        cmocka_unit_test(test_body_thought_part_and_budget),
        cmocka_unit_test(test_when_it_thinks),
        cmocka_unit_test(test_sse_thoughts_chunked),
        cmocka_unit_test(test_sse_silent_thinking),
        cmocka_unit_test(test_array_stream),
        cmocka_unit_test(test_body_thought_then_call),
        cmocka_unit_test(test_call_thinks_silently),
        cmocka_unit_test(test_sse_thoughts_then_call),
        cmocka_unit_test(test_structured_thinks),
        cmocka_unit_test(test_loop_sends_signature_back),
        cmocka_unit_test(test_errors),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
