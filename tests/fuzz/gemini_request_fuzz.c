/* tests/fuzz/gemini_request_fuzz.c — Google's request parser (generateContent, countTokens, embedContent,
 * batchEmbedContents, Vertex predict; the Gemini API's and Vertex's tables) on arbitrary bytes, and for whatever
 * it accepts, the whole answer: the body, the alt=sse stream (every frame "data: <JSON>\r\n\r\n") and the
 * JSON-array stream (one JSON array). Error bodies must be JSON too (arrays on the array stream). The first input
 * byte picks the deployment's options (echo or pool content, tool calls, parallel calls, length, thinking), a trailing
 * space the smallest response budget.
 *
 * Sizes are checked as for OpenAI: the request-controlled multipliers stay bounded (candidates, model names,
 * generated arguments and structured output), and every rendered answer stays within mp_gm_response_bound (a
 * 400 when that is over the budget) and within a budget computed here from the input alone. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "common/alloc.h"
#include "common/json.h"
#include "mock-provider/provider.h"
#include "mock-provider/providers/gemini/gemini.h"
#include "mock-provider/providers/gemini/gemini_json.h"
#include "mock-provider/providers/schema/schema_gen.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define FUZZ_MAX_RENDERED_INPUTS 16
#define FUZZ_BASE 65536
#define FUZZ_FRAME 2048
#define FUZZ_FLOAT 34

static void must_be_json(const char *s, size_t n, cm_json_toks_t *toks, cm_json_type_t want)
{
    cm_json_doc_t doc;
    char err[128];
    if (cm_json_parse(&doc, s, n, toks, err, sizeof(err)) != 0 || cm_json_type(&doc, 0) != want)
        abort();
}

/* Every frame is "data: <one-line JSON object>\r\n\r\n". */
static void must_be_sse(const cm_buf_t *b, cm_json_toks_t *toks)
{
    size_t pos = 0;
    while (pos < b->len) {
        const char *p = b->data + pos;
        if (b->len - pos < 6 || memcmp(p, "data: ", 6) != 0)
            abort();
        p += 6;
        const char *end = memmem(p, b->len - (size_t)(p - b->data), "\r\n\r\n", 4);
        if (end == NULL || memchr(p, '\n', (size_t)(end - p)) != NULL || memchr(p, '\r', (size_t)(end - p)) != NULL)
            abort();
        must_be_json(p, (size_t)(end - p), toks, CM_JSON_OBJECT);
        pos = (size_t)(end + 4 - b->data);
    }
}

/* The pretty form of a function call's arguments: every structural character may open a line indented up to
 * the writer's deepest level. */
static uint64_t pretty_bound(const char *json)
{
    uint64_t n = strlen(json), lines = 0;
    for (const char *p = json; *p; p++)
        lines += *p == ',' || *p == '{' || *p == '[' || *p == '}' || *p == ']';
    return n + lines * (2 * MP_GJ_MAX_DEPTH + 4);
}

static uint64_t input_budget(size_t size, const mp_deployment_t *dep, const mp_request_t *req, const mp_exchange_t *x)
{
    uint64_t n = x->n ? x->n : 1, frames = (uint64_t)x->steps + 2, calls = 0;
    for (uint32_t i = 0; req->tools && i < req->ncalls; i++)
        calls += pretty_bound(i == 0 ? req->tool_arguments : req->call_args[i]) + 512;
    uint64_t structured = req->structured ? 2 * strlen(req->structured) : 0;
    uint64_t budget = FUZZ_BASE + n * (3 * (uint64_t)size + calls + structured) + n * frames * FUZZ_FRAME;
    if (req->api == MP_API_EMBEDDINGS) {
        uint32_t dims = req->dimensions ? req->dimensions : mp_gm_embedding_dims(req->model);
        budget += (uint64_t)req->ninputs * (FUZZ_FRAME + (uint64_t)dims * FUZZ_FLOAT);
    }
    (void)dep;
    return budget;
}

static void render_one(const mp_deployment_t *dep, const mp_request_t *req, size_t size, cm_rng_t *rng,
                       const cm_allocator_t *a, cm_json_toks_t *toks)
{
    const mp_provider_t *p = dep->ops;
    mp_exchange_t x;
    mp_error_t err;
    cm_buf_t out = CM_BUF_INIT;
    if (p->check_response(dep, req, &err) != 0) {
        if (err.status != 400)
            abort();
        err.route = req->route;
        p->render_error(&err, &out);
        bool array = MP_GM_KIND(req->route->variant) == MP_GM_V_ARRAY;
        must_be_json(out.data, out.len, toks, array ? CM_JSON_ARRAY : CM_JSON_OBJECT);
        cm_buf_free(&out);
        return;
    }
    mp_exchange_begin(&x, dep, req, rng, a);
    int kind = MP_GM_KIND(req->route->variant);
    if (req->stream) {
        p->render_head(&x, &out);
        for (uint32_t i = 0; i < x.steps; i++)
            p->render_step(&x, &out);
        p->render_tail(&x, &out);
        if (kind == MP_GM_V_SSE)
            must_be_sse(&out, toks);
        else
            must_be_json(out.data, out.len, toks, CM_JSON_ARRAY);
    } else {
        p->render_body(&x, &out);
        must_be_json(out.data, out.len, toks, CM_JSON_OBJECT);
    }
    if (out.len > mp_gm_response_bound(dep, req) || out.len > input_budget(size, dep, req, &x))
        abort();
    mp_exchange_end(&x);
    cm_buf_free(&out);
}

static void answer(const mp_deployment_t *dep, const mp_request_t *req, size_t size, cm_rng_t *rng,
                   const cm_allocator_t *a, cm_json_toks_t *toks)
{
    for (uint32_t i = 0; req->tools && i < req->ncalls; i++)
        if (strlen(i == 0 ? req->tool_arguments : req->call_args[i]) > MP_SCHEMA_MAX_BYTES)
            abort();
    if (req->structured != NULL && strlen(req->structured) > MP_SCHEMA_MAX_BYTES)
        abort();
    if (req->n > MP_GM_MAX_CANDIDATES || req->model.n > MP_GM_MAX_MODEL_LEN)
        abort();
    if (req->api == MP_API_EMBEDDINGS && req->ninputs > FUZZ_MAX_RENDERED_INPUTS)
        return;
    render_one(dep, req, size, rng, a, toks);
}

typedef struct route_case {
    mp_api_t api;
    uint8_t variant;
    bool stream, vertex;
    const char *model;
} route_case_t;

static const route_case_t cases[] = {
    {MP_API_GENERATE, MP_GM_V_PLAIN, false, false, "gemini-2.0-flash"},
    {MP_API_GENERATE, MP_GM_V_SSE, true, false, "gemini-2.0-flash"},
    {MP_API_GENERATE, MP_GM_V_ARRAY, true, true, "gemini-2.0-flash"},
    {MP_API_GENERATE, MP_GM_V_PLAIN, false, true, "gemini-2.0-flash"},
    {MP_API_COUNT_TOKENS, MP_GM_V_PLAIN, false, false, "gemini-2.0-flash"},
    {MP_API_EMBEDDINGS, MP_GM_V_EMBED, false, false, "text-embedding-004"},
    {MP_API_EMBEDDINGS, MP_GM_V_BATCH, false, false, "text-embedding-004"},
    {MP_API_EMBEDDINGS, MP_GM_V_PREDICT, false, true, "text-embedding-005"},
};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    uint8_t opts = size > 0 ? data[0] : 0;
    mp_deployment_t dep;
    memset(&dep, 0, sizeof(dep));
    dep.name = "fuzz";
    dep.output_tokens = cm_dist_fixed(opts & 4 ? 3 : 12);
    dep.content = opts & 1 ? MP_CONTENT_ECHO : MP_CONTENT_POOL;
    dep.tool_calls = (opts & 2) != 0;
    dep.tool_auto = opts & 8 ? 0.5 : 0;
    dep.tool_parallel = opts & 16 ? MP_MAX_PARALLEL_CALLS : 1;
    dep.reasoning = (opts & 32) != 0;
    dep.max_response = size > 0 && data[size - 1] == ' ' ? MP_MIN_MAX_RESPONSE : 0;
    cm_json_toks_t scratch = {0}, check = {0};
    cm_rng_t rng;
    cm_rng_seed(&rng, 1);
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        const route_case_t *rc = &cases[i];
        dep.ops = mp_provider_for(rc->vertex ? MP_PROVIDER_VERTEX : MP_PROVIDER_GEMINI);
        cm_arena_t arena = {0};
        cm_allocator_t a = cm_arena_allocator(&arena);
        mp_route_t route = {.api = rc->api,
                            .variant = (uint8_t)(rc->variant | (rc->vertex ? MP_GM_V_VERTEX : 0)),
                            .stream = rc->stream,
                            .model = {rc->model, strlen(rc->model)}};
        mp_request_t req;
        mp_error_t err;
        cm_buf_t out = CM_BUF_INIT;
        if (dep.ops->parse(&route, (const char *)data, size, &scratch, &a, &req, &err) == 0) {
            answer(&dep, &req, size, &rng, &a, &check);
        } else {
            if (err.status != 400)
                abort();
            err.route = &route;
            dep.ops->render_error(&err, &out);
            must_be_json(out.data, out.len, &check, rc->variant == MP_GM_V_ARRAY ? CM_JSON_ARRAY : CM_JSON_OBJECT);
        }
        cm_buf_free(&out);
        cm_arena_free(&arena);
    }
    cm_json_toks_free(&scratch);
    cm_json_toks_free(&check);
    return 0;
}
