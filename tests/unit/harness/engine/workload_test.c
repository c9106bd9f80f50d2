/* tests/unit/harness/engine/workload_test.c — the API table, request bodies per API (parsed back as JSON), the
 * weighted mix, model cycling, header merging and the validation messages. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/json.h"
#include "harness/config/config.h"
#include "harness/engine/workload.h"

static void assert_contains(const char *haystack, const char *needle)
{
    if (strstr(haystack, needle) == NULL) {
        print_error("\"%s\"\n  does not contain \"%s\"\n", haystack, needle);
        fail();
    }
}

static hx_reqspec_t spec(const char *api)
{
    hx_reqspec_t s;
    hx_reqspec_defaults(&s);
    s.api = api;
    return s;
}

/* Parses body into doc (toks must be freed by the caller). */
static void parse(const cm_buf_t *body, cm_json_doc_t *doc, cm_json_toks_t *toks)
{
    char err[128];
    if (cm_json_parse(doc, body->data, body->len, toks, err, sizeof(err)) != 0) {
        print_error("invalid JSON body: %s\n%s\n", err, body->data);
        fail();
    }
}

static void assert_str_member(const cm_json_doc_t *d, uint32_t obj, const char *key, const char *want)
{
    char buf[256];
    uint32_t t = cm_json_get(d, obj, key);
    if (t == 0) {
        print_error("member \"%s\" missing\n", key);
        fail();
    }
    cm_json_unescape(d, t, buf, sizeof(buf));
    assert_string_equal(buf, want);
}

static void assert_int_member(const cm_json_doc_t *d, uint32_t obj, const char *key, int64_t want)
{
    int64_t v = -1;
    uint32_t t = cm_json_get(d, obj, key);
    assert_int_not_equal(t, 0);
    assert_int_equal(cm_json_int(d, t, &v), 0);
    assert_int_equal(v, want);
}

static void build(const hx_reqspec_t *s, cm_buf_t *body)
{
    hx_workload_t w;
    char err[512];
    cm_rng_t rng;
    cm_rng_seed(&rng, 5);
    if (hx_workload_init(&w, s, 1, NULL, 0, NULL, err, sizeof(err)) != 0) {
        print_error("init failed: %s\n", err);
        fail();
    }
    hx_workload_body(&w, 0, 0, &rng, 77, body);
    hx_workload_free(&w);
}

static void test_api_table(void **state)
{
    (void)state;
    const hx_api_t *a = hx_api_find("openai.chat");
    assert_non_null(a);
    assert_string_equal(a->path, "/chat/completions");
    assert_string_equal(hx_api_find("openai.completions")->path, "/completions");
    assert_string_equal(hx_api_find("openai.embeddings")->path, "/embeddings");
    assert_false(hx_api_find("openai.embeddings")->streams);
    assert_string_equal(hx_api_find("openai.responses")->path, "/responses");
    assert_int_equal(hx_api_find("openai.responses")->dialect, HX_DIALECT_OPENAI_RESPONSES);
    assert_null(hx_api_find("openai.chats"));
}

/* Every provider's entry: the path (with the model in it where the provider puts it), the stream path, how
 * the key is sent, the fixed header and a body that parses. */
static void test_provider_apis(void **state)
{
    (void)state;
    static const struct {
        const char *api, *model;
        bool stream;
        const char *path, *auth, *extra;
    } cases[] = {
        {"azure.chat", "gpt-4o prod", false,
         "/openai/deployments/gpt-4o%20prod/chat/completions?api-version=2024-10-21", "api-key: k", NULL},
        {"azure.embeddings", "emb", false, "/openai/deployments/emb/embeddings?api-version=2024-10-21", "api-key: k",
         NULL},
        {"azure.responses", "gpt-4o", true, "/openai/v1/responses", "api-key: k", NULL},
        {"anthropic.messages", "claude-sonnet-4-5", true, "/v1/messages", "x-api-key: k",
         "anthropic-version: 2023-06-01"},
        {"gemini.generate", "gemini-2.5-flash", false, "/v1beta/models/gemini-2.5-flash:generateContent",
         "x-goog-api-key: k", NULL},
        {"gemini.generate", "gemini-2.5-flash", true, "/v1beta/models/gemini-2.5-flash:streamGenerateContent?alt=sse",
         "x-goog-api-key: k", NULL},
        {"gemini.embed", "text-embedding-004", false, "/v1beta/models/text-embedding-004:embedContent",
         "x-goog-api-key: k", NULL},
        {"vertex.generate", "gemini-2.0-flash-001", true,
         "/v1/projects/soakrig/locations/us-central1/publishers/google/models/gemini-2.0-flash-001:"
         "streamGenerateContent?alt=sse",
         "Authorization: Bearer k", NULL},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        hx_reqspec_t s = spec(cases[i].api);
        const char *models[] = {cases[i].model};
        s.models = models;
        s.nmodels = 1;
        s.stream = cases[i].stream;
        hx_workload_t w;
        char err[256];
        assert_int_equal(hx_workload_init(&w, &s, 1, NULL, 0, "k", err, sizeof(err)), 0);
        char *path = hx_workload_path(&w, 0, 0);
        assert_string_equal(path, cases[i].path);
        free(path);
        bool auth = false, extra = cases[i].extra == NULL;
        for (size_t h = 0; h < w.reqs[0].nheaders; h++) {
            auth = auth || strcmp(w.reqs[0].headers[h], cases[i].auth) == 0;
            extra = extra || strcmp(w.reqs[0].headers[h], cases[i].extra) == 0;
        }
        assert_true(auth);
        assert_true(extra);
        cm_buf_t body = CM_BUF_INIT;
        cm_rng_t rng;
        cm_rng_seed(&rng, 1);
        hx_workload_body(&w, 0, 0, &rng, 1, &body);
        cm_json_toks_t toks = {0};
        cm_json_doc_t doc;
        parse(&body, &doc, &toks);
        cm_json_toks_free(&toks);
        cm_buf_free(&body);
        hx_workload_free(&w);
    }
    assert_contains(hx_api_list(), "anthropic.messages");
}

static void test_anthropic_and_gemini_bodies(void **state)
{
    (void)state;
    cm_json_toks_t toks = {0};
    cm_json_doc_t doc;
    cm_buf_t body = CM_BUF_INIT;
    hx_reqspec_t s = spec("anthropic.messages");
    s.stream = true;
    s.user = "u-1";
    build(&s, &body);
    parse(&body, &doc, &toks);
    assert_int_member(&doc, 0, "max_tokens", 1024); /* required by Anthropic: a default when unset */
    assert_int_equal(cm_json_type(&doc, cm_json_get(&doc, 0, "stream")), CM_JSON_TRUE);
    assert_str_member(&doc, cm_json_get(&doc, 0, "metadata"), "user_id", "u-1");
    assert_int_equal(cm_json_get(&doc, 0, "user"), 0);
    cm_buf_reset(&body);
    s = spec("gemini.generate");
    s.stream = true;
    s.max_tokens = 50;
    build(&s, &body);
    parse(&body, &doc, &toks);
    assert_int_equal(cm_json_get(&doc, 0, "model"), 0);
    assert_int_equal(cm_json_get(&doc, 0, "stream"), 0);
    assert_int_member(&doc, cm_json_get(&doc, 0, "generationConfig"), "maxOutputTokens", 50);
    uint32_t contents = cm_json_get(&doc, 0, "contents");
    assert_int_equal(cm_json_type(&doc, contents), CM_JSON_ARRAY);
    assert_str_member(&doc, cm_json_first(&doc, contents), "role", "user");
    cm_json_toks_free(&toks);
    cm_buf_free(&body);
}

static void test_chat_body_seed_payload(void **state)
{
    (void)state;
    static const char *const models[] = {"fake-openai-endpoint"};
    hx_reqspec_t s = spec("openai.chat");
    s.models = models;
    s.prompt = "{{uuid}} This is a test there will be no cache hits and we'll fill up the context";
    s.repeat = 150;
    s.user = "my-new-end-user-1";
    cm_buf_t body = CM_BUF_INIT;
    build(&s, &body);
    cm_json_doc_t d;
    cm_json_toks_t toks = {0};
    parse(&body, &d, &toks);
    assert_str_member(&d, 0, "model", "fake-openai-endpoint");
    assert_str_member(&d, 0, "user", "my-new-end-user-1");
    assert_int_equal(cm_json_get(&d, 0, "stream"), 0);
    assert_int_equal(cm_json_get(&d, 0, "max_tokens"), 0);
    uint32_t msgs = cm_json_get(&d, 0, "messages");
    assert_int_equal(d.tok[msgs].count, 1);
    uint32_t m0 = cm_json_at(&d, msgs, 0);
    assert_str_member(&d, m0, "role", "user");
    uint32_t content = cm_json_get(&d, m0, "content");
    /* A 36-byte uuid and the 73-byte sentence (the apostrophe needs no escaping), 150 times. */
    assert_int_equal(d.tok[content].len, 150 * (36 + 73));
    cm_json_toks_free(&toks);
    cm_buf_free(&body);
}

static void test_stream_options(void **state)
{
    (void)state;
    hx_reqspec_t s = spec("openai.chat");
    s.stream = true;
    s.max_tokens = 50;
    cm_buf_t body = CM_BUF_INIT;
    build(&s, &body);
    assert_contains(body.data, "\"stream\":true,\"stream_options\":{\"include_usage\":true}");
    assert_contains(body.data, "\"max_tokens\":50");
    s.include_usage = 0;
    build(&s, &body);
    assert_contains(body.data, "\"stream\":true}");
    assert_null(strstr(body.data, "stream_options"));
    cm_buf_free(&body);
}

static void test_other_apis(void **state)
{
    (void)state;
    cm_buf_t body = CM_BUF_INIT;
    cm_json_doc_t d;
    cm_json_toks_t toks = {0};
    hx_reqspec_t s = spec("openai.completions");
    s.prompt = "p{{seq}}";
    s.max_tokens = 7;
    build(&s, &body);
    parse(&body, &d, &toks);
    assert_str_member(&d, 0, "prompt", "p77");
    assert_int_member(&d, 0, "max_tokens", 7);

    s = spec("openai.embeddings");
    s.input = "embed {{seq}}";
    build(&s, &body);
    parse(&body, &d, &toks);
    assert_str_member(&d, 0, "input", "embed 77");
    assert_int_equal(cm_json_get(&d, 0, "messages"), 0);

    s = spec("openai.responses");
    s.prompt = "ping";
    s.max_tokens = 50;
    s.stream = true;
    build(&s, &body);
    parse(&body, &d, &toks);
    assert_str_member(&d, 0, "input", "ping");
    assert_int_member(&d, 0, "max_output_tokens", 50);
    assert_int_equal(cm_json_get(&d, 0, "stream_options"), 0);
    assert_int_equal(cm_json_type(&d, cm_json_get(&d, 0, "stream")), CM_JSON_TRUE);
    cm_json_toks_free(&toks);
    cm_buf_free(&body);
}

static void test_weighted_pick(void **state)
{
    (void)state;
    hx_reqspec_t s[3] = {spec("openai.chat"), spec("openai.completions"), spec("openai.embeddings")};
    s[0].weight = 1;
    s[1].weight = 2;
    s[2].weight = 7;
    hx_workload_t w;
    char err[256];
    assert_int_equal(hx_workload_init(&w, s, 3, NULL, 0, NULL, err, sizeof(err)), 0);
    cm_rng_t rng;
    cm_rng_seed(&rng, 11);
    enum { N = 200000 };
    int count[3] = {0};
    for (int i = 0; i < N; i++)
        count[hx_workload_pick(&w, &rng)]++;
    double want[3] = {0.1, 0.2, 0.7};
    for (int i = 0; i < 3; i++) {
        double share = (double)count[i] / N;
        if (fabs(share - want[i]) > 0.005) {
            print_error("template %d: share %.4f, want %.4f +- 0.005\n", i, share, want[i]);
            fail();
        }
    }
    hx_workload_free(&w);
}

static void test_model_cycle_and_intern(void **state)
{
    (void)state;
    static const char *const a[] = {"gpt-4o-mini", "gpt-4o"};
    static const char *const b[] = {"gpt-4o", "o3"};
    hx_reqspec_t s[2] = {spec("openai.chat"), spec("openai.chat")};
    s[0].models = a;
    s[0].nmodels = 2;
    s[1].models = b;
    s[1].nmodels = 2;
    hx_workload_t w;
    char err[256];
    assert_int_equal(hx_workload_init(&w, s, 2, NULL, 0, NULL, err, sizeof(err)), 0);
    assert_int_equal(w.nmodels, 3); /* gpt-4o is shared */
    assert_string_equal(w.models[2], "o3");
    assert_string_equal(w.reqs[1].name, "openai.chat #2");
    uint32_t cur = 0;
    const char *want[] = {"gpt-4o-mini", "gpt-4o", "gpt-4o-mini", "gpt-4o", "gpt-4o-mini"};
    for (int i = 0; i < 5; i++)
        assert_string_equal(w.models[hx_workload_model(&w, 0, &cur)], want[i]);
    cm_buf_t body = CM_BUF_INIT;
    cm_rng_t rng;
    cm_rng_seed(&rng, 1);
    hx_workload_body(&w, 1, 2, &rng, 0, &body);
    assert_contains(body.data, "{\"model\":\"o3\",");
    cm_buf_free(&body);
    hx_workload_free(&w);
}

static void test_headers(void **state)
{
    (void)state;
    static const char *const global[] = {"X-Team: soak", "x-trace: g"};
    static const char *const own[] = {"X-Trace: t"};
    hx_reqspec_t s[2] = {spec("openai.chat"), spec("openai.chat")};
    s[1].headers = own;
    s[1].nheaders = 1;
    s[1].api_key = "sk-own";
    hx_workload_t w;
    char err[256];
    assert_int_equal(hx_workload_init(&w, s, 2, global, 2, "sk-1234", err, sizeof(err)), 0);
    assert_int_equal(w.reqs[0].nheaders, 4);
    assert_string_equal(w.reqs[0].headers[0], "Content-Type: application/json");
    assert_string_equal(w.reqs[0].headers[1], "Authorization: Bearer sk-1234");
    assert_string_equal(w.reqs[0].headers[3], "x-trace: g");
    assert_int_equal(w.reqs[1].nheaders, 4);
    assert_string_equal(w.reqs[1].headers[1], "Authorization: Bearer sk-own");
    assert_string_equal(w.reqs[1].headers[3], "X-Trace: t"); /* same name, case-insensitive: replaced */
    hx_workload_free(&w);
}

static void expect_error(hx_reqspec_t s, const char *want)
{
    hx_workload_t w;
    char err[512];
    assert_int_equal(hx_workload_init(&w, &s, 1, NULL, 0, NULL, err, sizeof(err)), -1);
    assert_string_equal(err, want);
    assert_int_equal(w.nreqs, 0);
}

static void test_errors(void **state)
{
    (void)state;
    static const char *const bad_header[] = {"NoColon"};
    hx_reqspec_t s = spec("openai.chats");
    expect_error(
        s,
        "requests[0].api: unknown api \"openai.chats\" (expected one of openai.chat, openai.completions, "
        "openai.embeddings, openai.responses, azure.chat, azure.completions, "
        "azure.embeddings, azure.responses, anthropic.messages, gemini.generate, gemini.embed, vertex.generate, http)");
    s = spec("openai.embeddings");
    s.stream = true;
    expect_error(s, "requests[0].stream: openai.embeddings cannot stream");
    s = spec("openai.embeddings");
    s.max_tokens = 5;
    expect_error(s, "requests[0].max_tokens: openai.embeddings has no output length");
    s = spec("openai.chat");
    s.input = "x";
    expect_error(s, "requests[0].input: openai.chat takes a prompt, not an input");
    s = spec("openai.chat");
    s.prompt = "{{uid}}";
    expect_error(s, "requests[0].prompt: unknown template variable \"{{uid}}\" at byte 0 (expected {{uuid}}, {{seq}}, "
                    "{{random MIN..MAX}} or {{random hex N}})");
    s = spec("openai.chat");
    s.weight = 0;
    expect_error(s, "requests[0].weight: must be > 0 (got 0)");
    s = spec("openai.chat");
    s.headers = bad_header;
    s.nheaders = 1;
    expect_error(s, "requests[0].headers: header \"NoColon\": expected \"Name: value\"");
    char why[128];
    assert_int_equal(hx_header_check("Bad Name: v", why, sizeof(why)), -1);
    assert_string_equal(why, "header \"Bad Name: v\": invalid character in the name");
    assert_int_equal(hx_header_check("X-Ok: v", why, sizeof(why)), 0);
}

/* A reasoning effort: reasoning_effort in a chat body, reasoning.effort in a Responses body, refused on an API
 * that has none and for an effort OpenAI does not know. */
static void test_reasoning_effort(void **state)
{
    (void)state;
    cm_buf_t body = CM_BUF_INIT;
    hx_reqspec_t s = spec("openai.chat");
    s.stream = true;
    s.reasoning_effort = "high";
    build(&s, &body);
    cm_json_doc_t d;
    cm_json_toks_t toks = {0};
    parse(&body, &d, &toks);
    assert_str_member(&d, 0, "reasoning_effort", "high");
    assert_int_equal(cm_json_get(&d, 0, "reasoning"), 0);
    s = spec("azure.chat");
    s.reasoning_effort = "minimal";
    build(&s, &body);
    assert_contains(body.data, ",\"reasoning_effort\":\"minimal\"");
    s = spec("openai.responses");
    s.reasoning_effort = "low";
    build(&s, &body);
    parse(&body, &d, &toks);
    uint32_t r = cm_json_get(&d, 0, "reasoning");
    assert_int_not_equal(r, 0);
    assert_str_member(&d, r, "effort", "low");
    assert_int_equal(cm_json_get(&d, 0, "reasoning_effort"), 0);
    s = spec("openai.chat"); /* none: no field unless asked */
    build(&s, &body);
    assert_null(strstr(body.data, "reasoning"));
    cm_json_toks_free(&toks);
    cm_buf_free(&body);
    s = spec("openai.embeddings");
    s.reasoning_effort = "high";
    expect_error(s, "requests[0].reasoning_effort: openai.embeddings has no reasoning effort (openai.chat, "
                    "azure.chat, openai.responses and azure.responses do)");
    s = spec("anthropic.messages");
    s.reasoning_effort = "high";
    expect_error(s, "requests[0].reasoning_effort: anthropic.messages has no reasoning effort (openai.chat, "
                    "azure.chat, openai.responses and azure.responses do)");
    s = spec("openai.chat");
    s.reasoning_effort = "hihg";
    expect_error(s, "requests[0].reasoning_effort: \"hihg\": expected none, minimal, low, medium or high");
    char why[96];
    assert_null(hx_reasoning_effort("max", why, sizeof(why)));
    assert_string_equal(hx_reasoning_effort("medium", NULL, 0), "medium");
}

/* A reasoning summary: reasoning.summary in a Responses body (with the effort when given), includeThoughts in a
 * Gemini or Vertex body (beside maxOutputTokens), refused on an API that cannot show its reasoning. */
static void test_reasoning_summary(void **state)
{
    (void)state;
    cm_buf_t body = CM_BUF_INIT;
    cm_json_doc_t d;
    cm_json_toks_t toks = {0};
    hx_reqspec_t s = spec("openai.responses");
    s.reasoning_effort = "high";
    s.reasoning_summary = "auto";
    build(&s, &body);
    assert_contains(body.data, ",\"reasoning\":{\"effort\":\"high\",\"summary\":\"auto\"}");
    s = spec("azure.responses");
    s.reasoning_summary = "detailed";
    build(&s, &body);
    assert_contains(body.data, ",\"reasoning\":{\"summary\":\"detailed\"}");
    s = spec("gemini.generate");
    s.reasoning_summary = "auto";
    s.max_tokens = 50;
    build(&s, &body);
    parse(&body, &d, &toks);
    assert_contains(body.data,
                    ",\"generationConfig\":{\"maxOutputTokens\":50,\"thinkingConfig\":{\"includeThoughts\":true}}");
    s = spec("vertex.generate");
    s.reasoning_summary = "concise";
    build(&s, &body);
    parse(&body, &d, &toks);
    assert_contains(body.data, ",\"generationConfig\":{\"thinkingConfig\":{\"includeThoughts\":true}}");
    cm_json_toks_free(&toks);
    cm_buf_free(&body);
    s = spec("openai.chat");
    s.reasoning_summary = "auto";
    expect_error(s, "requests[0].reasoning_summary: openai.chat has no reasoning summary (openai.responses, "
                    "azure.responses, gemini.generate and vertex.generate do)");
    s = spec("openai.responses");
    s.reasoning_summary = "brief";
    expect_error(s, "requests[0].reasoning_summary: \"brief\": expected auto, concise or detailed");
}

/* A body is static (reusable across requests) only when neither its prompt nor its input has placeholders. */
static void test_body_static(void **state)
{
    (void)state;
    hx_reqspec_t s[4] = {spec("openai.chat"), spec("openai.chat"), spec("openai.embeddings"), spec("openai.responses")};
    s[0].prompt = "plain text {not a placeholder}";
    s[1].prompt = "id {{uuid}}";
    s[2].prompt = "plain";
    s[2].input = "row {{ seq }}";
    s[3].prompt = "x {{seq}}";
    s[3].input = "plain input";
    hx_workload_t w;
    char err[512];
    assert_int_equal(hx_workload_init(&w, s, 4, NULL, 0, NULL, err, sizeof(err)), 0);
    assert_int_equal(hx_workload_body_static(&w, 0), true);
    assert_int_equal(hx_workload_body_static(&w, 1), false);
    assert_int_equal(hx_workload_body_static(&w, 2), false);
    /* responses sends its input, not its prompt, but a placeholder in either makes the body change. */
    assert_int_equal(hx_workload_body_static(&w, 3), false);
    hx_workload_free(&w);
}

static hx_reqspec_t http_spec(const char *path)
{
    hx_reqspec_t s = spec("http");
    s.path = path;
    return s;
}

/* api: http: no model, the URL from its path (appended to the api_base, after the host with base: host, or
 * whole), its raw body, Content-Type only with a body, the key as a Bearer token. */
static void test_http_template(void **state)
{
    (void)state;
    hx_reqspec_t s[3] = {http_spec("/models"), http_spec("/metrics"), http_spec("http://127.0.0.1:9/x?y=1")};
    s[0].api_key = "sk-1";
    s[1].from_host = true;
    s[2].method = HX_METHOD_PUT;
    s[2].body = "{\"id\": {{seq}}, \"s\": \"a\\\"b\"}";
    hx_workload_t w;
    char err[256];
    assert_int_equal(hx_workload_init(&w, s, 3, NULL, 0, NULL, err, sizeof(err)), 0);
    assert_int_equal(w.nmodels, 0);
    assert_int_equal(hx_workload_model_slots(&w), 1);
    assert_true(hx_workload_uses(&w, 0, 0));
    uint32_t cursor = 0;
    assert_int_equal(hx_workload_model(&w, 0, &cursor), 0);
    char *u = hx_workload_url(&w, 0, 0, "http://127.0.0.1:8080/v1/");
    assert_string_equal(u, "http://127.0.0.1:8080/v1/models");
    free(u);
    u = hx_workload_url(&w, 1, 0, "http://127.0.0.1:8080/v1");
    assert_string_equal(u, "http://127.0.0.1:8080/metrics");
    free(u);
    u = hx_workload_url(&w, 2, 0, "http://127.0.0.1:8080/v1");
    assert_string_equal(u, "http://127.0.0.1:9/x?y=1");
    free(u);
    assert_int_equal(w.reqs[0].http->method, HX_METHOD_GET);
    assert_int_equal(w.reqs[0].nheaders, 1);
    assert_string_equal(w.reqs[0].headers[0], "Authorization: Bearer sk-1");
    assert_int_equal(w.reqs[2].http->method, HX_METHOD_PUT);
    assert_string_equal(w.reqs[2].headers[0], "Content-Type: application/json");
    assert_false(hx_workload_body_static(&w, 2));
    assert_true(hx_workload_body_static(&w, 0));
    cm_buf_t b = CM_BUF_INIT;
    cm_rng_t rng;
    cm_rng_seed(&rng, 1);
    hx_workload_body(&w, 2, 0, &rng, 77, &b);
    assert_string_equal(b.data, "{\"id\": 77, \"s\": \"a\\\"b\"}");
    hx_workload_body(&w, 0, 0, &rng, 77, &b);
    assert_int_equal(b.len, 0);
    cm_buf_free(&b);
    assert_true(hx_status_match(&w.reqs[0].http->expect, 204));
    assert_false(hx_status_match(&w.reqs[0].http->expect, 404));
    hx_workload_free(&w);
}

static void test_http_defaults_and_mix(void **state)
{
    (void)state;
    hx_reqspec_t s[2] = {spec("openai.chat"), http_spec("/health")};
    s[1].body = "x";
    hx_workload_t w;
    char err[256];
    assert_int_equal(hx_workload_init(&w, s, 2, NULL, 0, NULL, err, sizeof(err)), 0);
    assert_int_equal(w.nmodels, 1);                           /* the chat template's only */
    assert_int_equal(w.reqs[1].http->method, HX_METHOD_POST); /* a body without a method: POST, as curl -d */
    assert_false(hx_workload_uses(&w, 0, 1));
    assert_null(w.reqs[0].http);
    hx_workload_free(&w);
}

static void test_http_errors(void **state)
{
    (void)state;
    hx_reqspec_t s = http_spec(NULL);
    expect_error(s, "requests[0].path: missing (api: http needs a path like /v1/models or an http:// URL)");
    s = http_spec("models");
    expect_error(s, "requests[0].path: \"models\": expected a path starting with / or an http:// or https:// URL");
    s = http_spec("/a b");
    expect_error(s, "requests[0].path: \"/a b\": no space, control character or fragment (#) allowed");
    s = http_spec("/x/{{seq}}");
    expect_error(s, "requests[0].path: \"/x/{{seq}}\": a path takes no placeholders (the URL is prepared once per "
                    "target)");
    s = http_spec("http:///x");
    expect_error(s, "requests[0].path: \"http:///x\" has no host");
    s = http_spec("/x");
    s.method = HX_METHOD_HEAD;
    s.body = "{}";
    expect_error(s, "requests[0].body: HEAD sends no body");
    s = http_spec("/x");
    s.body = "{{nope}}";
    expect_error(s, "requests[0].body: unknown template variable \"{{nope}}\" at byte 0 (expected {{uuid}}, {{seq}}, "
                    "{{random MIN..MAX}} or {{random hex N}})");
    s = http_spec("/x");
    s.stream = true;
    expect_error(s, "requests[0].stream: not for api: http (it sends the body as written)");
    s = http_spec("/x");
    s.contains = "";
    expect_error(s, "requests[0].contains: expected 1 to 1024 bytes of text");
    s = http_spec("http://127.0.0.1:1/x");
    s.from_host = true;
    expect_error(s, "requests[0].base: host goes with a path starting with /, not a whole URL");
    s = spec("openai.chat");
    s.path = "/x";
    expect_error(s, "requests[0].path: only for api: http");
    s = spec("openai.chat");
    s.check_json = true;
    expect_error(s, "requests[0].json: only for api: http");
}

/* Bounds: the path, the rendered body and the header count and length, each refused one past its limit. */
static void test_http_bounds(void **state)
{
    (void)state;
    char *path = malloc(HX_HTTP_PATH_MAX + 2);
    path[0] = '/';
    memset(path + 1, 'a', HX_HTTP_PATH_MAX);
    path[HX_HTTP_PATH_MAX + 1] = '\0';
    hx_reqspec_t s = http_spec(path);
    expect_error(s, "requests[0].path: 2049 bytes (at most 2048)");
    path[HX_HTTP_PATH_MAX] = '\0'; /* exactly at the limit */
    hx_workload_t w;
    char err[256];
    assert_int_equal(hx_workload_init(&w, &s, 1, NULL, 0, NULL, err, sizeof(err)), 0);
    hx_workload_free(&w);
    free(path);

    /* A body whose placeholders could render past the limit: 1 MiB - 10 bytes of text plus one {{seq}} (20). */
    size_t n = HX_HTTP_BODY_MAX - 10;
    char *body = malloc(n + 8 + 1);
    memset(body, 'b', n);
    memcpy(body + n, "{{seq}}", 8);
    s = http_spec("/x");
    s.body = body;
    expect_error(s, "requests[0].body: renders up to 1048586 bytes (at most 1048576)");
    free(body);

    static char line[HX_HEADER_LINE_MAX + 2];
    memcpy(line, "X-Big: ", 7);
    memset(line + 7, 'v', HX_HEADER_LINE_MAX - 6);
    const char *one[1] = {line};
    s = http_spec("/x");
    s.headers = one;
    s.nheaders = 1;
    expect_error(s, "requests[0].headers: a line of 8193 bytes (at most 8192)");
    const char *many[HX_MAX_HEADERS + 1];
    for (size_t i = 0; i <= HX_MAX_HEADERS; i++)
        many[i] = "X-A: 1";
    s = http_spec("/x");
    s.headers = many;
    s.nheaders = HX_MAX_HEADERS + 1;
    expect_error(s, "requests[0].headers: 65 with the load's own (at most 64)");
    s.nheaders = HX_MAX_HEADERS;
    assert_int_equal(hx_workload_init(&w, &s, 1, NULL, 0, NULL, err, sizeof(err)), 0);
    hx_workload_free(&w);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_api_table),
        cmocka_unit_test(test_chat_body_seed_payload),
        cmocka_unit_test(test_provider_apis),
        cmocka_unit_test(test_anthropic_and_gemini_bodies),
        cmocka_unit_test(test_stream_options),
        cmocka_unit_test(test_other_apis),
        cmocka_unit_test(test_weighted_pick),
        cmocka_unit_test(test_model_cycle_and_intern),
        cmocka_unit_test(test_headers),
        cmocka_unit_test(test_errors),
        cmocka_unit_test(test_reasoning_effort),
        cmocka_unit_test(test_reasoning_summary),
        cmocka_unit_test(test_body_static),
        cmocka_unit_test(test_http_template),
        cmocka_unit_test(test_http_defaults_and_mix),
        cmocka_unit_test(test_http_errors),
        cmocka_unit_test(test_http_bounds),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
