/* Tests mock-provider/providers/gemini/gemini_render.c, gemini_embed.c, gemini_models.c and gemini_json.c: bodies, the
 * alt=sse and JSON-array streams, function calls in both, embeddings, countTokens, models, Google's two JSON
 * layouts, and the response bound (every answer within it; a 400 past the budget). */
#include "unit/mock-provider/providers/fixture.h"
#include "mock-provider/providers/gemini/gemini.h"
#include "mock-provider/providers/gemini/gemini_json.h"

static fx_t *gfx(bool vertex)
{
    fx_t *f = fx_new();
    f->dep.provider = vertex ? MP_PROVIDER_VERTEX : MP_PROVIDER_GEMINI;
    f->dep.ops = mp_provider_for(f->dep.provider);
    return f;
}

static void gbegin(fx_t *f, mp_api_t api, uint8_t variant, const char *model, const char *body)
{
    uint8_t kind = MP_GM_KIND(variant);
    f->route = (mp_route_t){.api = api,
                            .variant = variant,
                            .model = {model, strlen(model)},
                            .stream = kind == MP_GM_V_SSE || kind == MP_GM_V_ARRAY};
    if (f->dep.ops->parse(&f->route, body, strlen(body), &f->toks, &f->a, &f->req, &f->err) != 0)
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

static void test_json_layouts(void **state)
{
    (void)state;
    cm_buf_t b = CM_BUF_INIT;
    mp_gj_t w;
    static const char args[] = "{\"a\":[1,{\"b\":\"x,y\"}],\"c\":{},\"d\":[]}";
    mp_gj_init(&w, &b, true);
    mp_gj_json(&w, args, strlen(args));
    assert_string_equal(b.data, "{\n  \"a\": [\n    1,\n    {\n      \"b\": \"x,y\"\n    }\n  ],\n  \"c\": {},\n"
                                "  \"d\": []\n}");
    cm_buf_reset(&b);
    mp_gj_init(&w, &b, false);
    mp_gj_json(&w, args, strlen(args));
    assert_string_equal(b.data, "{\"a\": [1,{\"b\": \"x,y\"}],\"c\": {},\"d\": []}");
    cm_buf_free(&b);
}

static void test_body(void **state)
{
    (void)state;
    fx_t *f = gfx(false);
    f->dep.output_tokens = cm_dist_fixed(6);
    gbegin(f, MP_API_GENERATE, MP_GM_V_PLAIN, "gemini-2.0-flash",
           HI ",\"generationConfig\":{\"candidateCount\":2,\"maxOutputTokens\":4}}");
    f->dep.ops->render_body(&f->x, &f->out);
    within_bound(f);
    fx_read(f, f->out.data, f->out.len);
    assert_string_equal(jstr(&f->doc, 0, "candidates.1.finishReason"), "MAX_TOKENS");
    assert_int_equal(jint(&f->doc, 0, "candidates.1.index"), 1);
    assert_string_equal(jstr(&f->doc, 0, "candidates.0.content.role"), "model");
    assert_int_equal(jint(&f->doc, 0, "usageMetadata.candidatesTokenCount"), 8);
    assert_int_equal(jint(&f->doc, 0, "usageMetadata.totalTokenCount"), 8 + 4);
    assert_string_equal(jstr(&f->doc, 0, "modelVersion"), "gemini-2.0-flash");
    assert_int_equal(jpath(&f->doc, 0, "createTime"), 0); /* Vertex only */
    assert_int_equal(strlen(jstr(&f->doc, 0, "responseId")), 20);
    assert_true(f->out.data[f->out.len - 1] == '\n' && strstr(f->out.data, "\n    {\n      \"content\": {") != NULL);
    fx_free(f);
}

/* The SSE frames: split on "\r\n\r\n", each a one-line JSON object; returns their count. */
static size_t sse_frames(fx_t *f, const char **last, size_t *last_len)
{
    size_t n = 0;
    const char *p = f->out.data, *end = f->out.data + f->out.len;
    while (p < end) {
        if (strncmp(p, "data: ", 6) != 0)
            fail_msg("frame %zu: %.40s", n, p);
        const char *e = strstr(p, "\r\n\r\n");
        assert_non_null(e);
        assert_null(memchr(p, '\n', (size_t)(e - p)));
        fx_read(f, p + 6, (size_t)(e - p - 6));
        *last = p + 6;
        *last_len = (size_t)(e - p - 6);
        p = e + 4;
        n++;
    }
    return n;
}

static void test_sse_stream(void **state)
{
    (void)state;
    fx_t *f = gfx(true);
    f->dep.output_tokens = cm_dist_fixed(3);
    gbegin(f, MP_API_GENERATE, MP_GM_V_SSE | MP_GM_V_VERTEX, "gemini-2.0-flash", HI "}");
    fx_stream(f);
    within_bound(f);
    const char *last;
    size_t len;
    assert_int_equal(sse_frames(f, &last, &len), 3);
    assert_null(strstr(f->out.data, "[DONE]"));
    fx_read(f, last, len);
    assert_string_equal(jstr(&f->doc, 0, "candidates.0.finishReason"), "STOP");
    assert_int_equal(jint(&f->doc, 0, "usageMetadata.candidatesTokenCount"), 3);
    assert_string_equal(jstr(&f->doc, 0, "usageMetadata.trafficType"), "ON_DEMAND");
    assert_int_equal(strlen(jstr(&f->doc, 0, "createTime")), 27);
    assert_int_equal(jpath(&f->doc, 0, "candidates.0.index"), 0); /* one candidate on Vertex: no index */
    fx_free(f);
}

static void test_array_stream(void **state)
{
    (void)state;
    fx_t *f = gfx(false);
    f->dep.output_tokens = cm_dist_fixed(4);
    gbegin(f, MP_API_GENERATE, MP_GM_V_ARRAY, "gemini-2.0-flash", HI ",\"generationConfig\":{\"candidateCount\":2}}");
    fx_stream(f);
    within_bound(f);
    fx_read(f, f->out.data, f->out.len);
    assert_int_equal(cm_json_type(&f->doc, 0), CM_JSON_ARRAY);
    assert_int_equal(f->doc.tok[0].count, 4);
    assert_int_equal(f->out.data[0], '[');
    assert_non_null(strstr(f->out.data, "\n}\r\n,\r\n{\n  \"candidates\""));
    assert_string_equal(f->out.data + f->out.len - 3, "\n}]");
    assert_int_equal(jint(&f->doc, 0, "3.usageMetadata.candidatesTokenCount"), 8);
    assert_int_equal(jpath(&f->doc, 0, "0.usageMetadata.candidatesTokenCount"), 0);
    fx_free(f);
}

#define TOOLS                                                                                                          \
    ",\"tools\":[{\"functionDeclarations\":[{\"name\":\"lookup\",\"parameters\":{\"type\":\"OBJECT\",\"properties\":{" \
    "\"id\":{\"type\":\"INTEGER\"},\"tags\":{\"type\":\"ARRAY\",\"items\":{\"type\":\"STRING\"}}},\"required\":["      \
    "\"id\",\"tags\"]}}]}],\"toolConfig\":{\"functionCallingConfig\":{\"mode\":\"ANY\"}}}"

static void test_function_calls(void **state)
{
    (void)state;
    fx_t *f = gfx(false);
    gbegin(f, MP_API_GENERATE, MP_GM_V_PLAIN, "gemini-2.0-flash", HI TOOLS);
    f->dep.ops->render_body(&f->x, &f->out);
    within_bound(f);
    fx_read(f, f->out.data, f->out.len);
    assert_string_equal(jstr(&f->doc, 0, "candidates.0.content.parts.0.functionCall.name"), "lookup");
    assert_int_equal(cm_json_type(&f->doc, jpath(&f->doc, 0, "candidates.0.content.parts.0.functionCall.args.tags")),
                     CM_JSON_ARRAY);
    assert_string_equal(jstr(&f->doc, 0, "candidates.0.finishReason"), "STOP");
    fx_free(f);
    /* streamed, the call arrives whole in one chunk, with the finish and the usage */
    f = gfx(false);
    gbegin(f, MP_API_GENERATE, MP_GM_V_SSE, "gemini-2.0-flash", HI TOOLS);
    fx_stream(f);
    within_bound(f);
    const char *last;
    size_t len;
    assert_int_equal(sse_frames(f, &last, &len), 1);
    fx_read(f, last, len);
    assert_string_equal(jstr(&f->doc, 0, "candidates.0.content.parts.0.functionCall.name"), "lookup");
    assert_true(jint(&f->doc, 0, "usageMetadata.candidatesTokenCount") > 0);
    fx_free(f);
}

static void test_embeddings_count_models(void **state)
{
    (void)state;
    fx_t *f = gfx(false);
    gbegin(
        f, MP_API_EMBEDDINGS, MP_GM_V_BATCH, "text-embedding-004",
        "{\"requests\":[{\"content\":{\"parts\":[{\"text\":\"a\"}]}},{\"content\":{\"parts\":[{\"text\":\"b\"}]}}]}");
    f->dep.ops->render_body(&f->x, &f->out);
    within_bound(f);
    fx_read(f, f->out.data, f->out.len);
    assert_int_equal(f->doc.tok[jpath(&f->doc, 0, "embeddings.1.values")].count, 768);
    fx_free(f);
    f = gfx(true);
    gbegin(f, MP_API_EMBEDDINGS, MP_GM_V_PREDICT | MP_GM_V_VERTEX, "gemini-embedding-001",
           "{\"instances\":[{\"content\":\"abcdef\"}]}");
    f->dep.ops->render_body(&f->x, &f->out);
    fx_read(f, f->out.data, f->out.len);
    assert_int_equal(f->doc.tok[jpath(&f->doc, 0, "predictions.0.embeddings.values")].count, 3072);
    assert_int_equal(jint(&f->doc, 0, "predictions.0.embeddings.statistics.token_count"), 2);
    assert_int_equal(jint(&f->doc, 0, "metadata.billableCharacterCount"), 6);
    fx_free(f);
    f = gfx(true);
    gbegin(f, MP_API_COUNT_TOKENS, MP_GM_V_VERTEX, "gemini-2.0-flash", HI "}");
    f->dep.ops->render_body(&f->x, &f->out);
    fx_read(f, f->out.data, f->out.len);
    assert_int_equal(jint(&f->doc, 0, "totalTokens"), 4);
    assert_int_equal(jint(&f->doc, 0, "totalBillableCharacters"), 15);
    fx_free(f);
    /* models: the deployment's, or a default catalogue; one model, or Google's NOT_FOUND */
    f = gfx(false);
    f->dep.ops->render_models(&f->dep, &f->out);
    fx_read(f, f->out.data, f->out.len);
    assert_string_equal(jstr(&f->doc, 0, "models.0.name"), "models/gemini-2.5-flash");
    char *models[] = {"gemini-2.0-flash"};
    f->dep.models = models;
    f->dep.nmodels = 1;
    cm_buf_reset(&f->out);
    static const char path[] = "/v1beta/models/gemini-2.0-flash";
    assert_int_equal(f->dep.ops->render_models_at(&f->dep, path, strlen(path), &f->out, &f->err), 0);
    fx_read(f, f->out.data, f->out.len);
    assert_string_equal(jstr(&f->doc, 0, "displayName"), "Gemini 2.0 Flash");
    assert_string_equal(jstr(&f->doc, 0, "version"), "2.0");
    static const char other[] = "/v1beta/models/gemini-9";
    assert_int_equal(f->dep.ops->render_models_at(&f->dep, other, strlen(other), &f->out, &f->err), -1);
    assert_int_equal(f->err.status, 404);
    fx_free(f);
}

/* What a request controls is bounded: a long answer times candidates is refused past the budget. */
static void test_budget(void **state)
{
    (void)state;
    fx_t *f = gfx(false);
    f->dep.output_tokens = cm_dist_fixed(100000);
    f->dep.max_response = MP_MIN_MAX_RESPONSE;
    f->route = (mp_route_t){.api = MP_API_GENERATE, .variant = MP_GM_V_SSE, .stream = true, .model = {"m", 1}};
    const char *body = HI ",\"generationConfig\":{\"candidateCount\":8}}";
    assert_int_equal(f->dep.ops->parse(&f->route, body, strlen(body), &f->toks, &f->a, &f->req, &f->err), 0);
    assert_int_equal(f->dep.ops->check_response(&f->dep, &f->req, &f->err), -1);
    assert_int_equal(f->err.status, 400);
    assert_string_equal(f->err.param, "generation_config.candidate_count");
    f->dep.max_response = 0;
    f->dep.output_tokens = cm_dist_fixed(50);
    assert_int_equal(f->dep.ops->check_response(&f->dep, &f->req, &f->err), 0);
    mp_exchange_begin(&f->x, &f->dep, &f->req, &f->rng, &f->a);
    f->begun = true;
    fx_stream(f);
    within_bound(f);
    fx_free(f);
}

/* stopSequences: the text ends right before the first one (here inside a word), finishReason STOP, and
 * candidatesTokenCount counts the tokens said, in a body and in an alt=sse stream. */
static void test_stop_sequences(void **state)
{
    (void)state;
    const char *body = "{\"contents\":[{\"role\":\"user\",\"parts\":[{\"text\":\"the quick brown fox jumps\"}]}],"
                       "\"generationConfig\":{\"maxOutputTokens\":4,\"stopSequences\":[\"own f\",\"zz\"]}}";
    fx_t *f = gfx(false);
    f->dep.content = MP_CONTENT_ECHO;
    f->dep.output_tokens = cm_dist_fixed(100);
    gbegin(f, MP_API_GENERATE, MP_GM_V_PLAIN, "gemini-2.0-flash", body);
    f->dep.ops->render_body(&f->x, &f->out);
    within_bound(f);
    fx_read(f, f->out.data, f->out.len);
    assert_string_equal(jstr(&f->doc, 0, "candidates.0.content.parts.0.text"), "the quick br");
    /* STOP, not MAX_TOKENS: the 4th token completes "own f" */
    assert_string_equal(jstr(&f->doc, 0, "candidates.0.finishReason"), "STOP");
    assert_int_equal(jint(&f->doc, 0, "usageMetadata.candidatesTokenCount"), 3);
    fx_free(f);
    f = gfx(false);
    f->dep.content = MP_CONTENT_ECHO;
    f->dep.output_tokens = cm_dist_fixed(100);
    gbegin(f, MP_API_GENERATE, MP_GM_V_SSE, "gemini-2.0-flash", body);
    fx_stream(f);
    cm_buf_t text = CM_BUF_INIT;
    const char *p = f->out.data, *end = f->out.data + f->out.len;
    while (p < end) {
        const char *e = strstr(p, "\r\n\r\n");
        assert_non_null(e);
        fx_read(f, p + 6, (size_t)(e - p - 6));
        if (jpath(&f->doc, 0, "candidates.0.content.parts.0.text") != 0)
            cm_buf_puts(&text, jstr(&f->doc, 0, "candidates.0.content.parts.0.text"));
        p = e + 4;
    }
    assert_string_equal(text.data, "the quick br");
    assert_string_equal(jstr(&f->doc, 0, "candidates.0.finishReason"), "STOP");
    assert_int_equal(jint(&f->doc, 0, "usageMetadata.candidatesTokenCount"), 3);
    cm_buf_free(&text);
    fx_free(f);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_json_layouts),
        cmocka_unit_test(test_body),
        cmocka_unit_test(test_sse_stream),
        cmocka_unit_test(test_stop_sequences),
        cmocka_unit_test(test_array_stream),
        cmocka_unit_test(test_function_calls),
        cmocka_unit_test(test_embeddings_count_models),
        cmocka_unit_test(test_budget),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
