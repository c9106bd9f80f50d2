/* tests/fuzz/openai_request_fuzz.c — the OpenAI request parser of every api on arbitrary bytes, and, for
 * whatever it accepts, the whole answer: body and stream are rendered and must be valid JSON frame by
 * frame (everything echoed from a request must stay correctly escaped). Error bodies are checked alike.
 * The first input byte picks the deployment's options (echo or pool content, tool calls always or at 50%, one or up to
 * 4 parallel calls, a model that always reasons), and a trailing space the smallest response budget, so that both
 * content paths, tool calls and budget refusals see fuzzed text.
 *
 * Sizes are checked too (issue 7: an 801-byte schema built 16.8 MB of tool arguments, a 10 KB request
 * streamed 11.6 MB): the request-controlled multipliers stay bounded (tool arguments and structured output
 * within the schema generator's MP_SCHEMA_MAX_BYTES, model names within MP_OA_MAX_MODEL_LEN), and every rendered answer
 * stays within the bound of budget.h (refused with a 400 when that is over the deployment's budget) and within a budget
 * computed here from the input size alone, independently of budget.c. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "common/alloc.h"
#include "common/json.h"
#include "mock-provider/provider.h"
#include "mock-provider/providers/budget.h"
#include "mock-provider/providers/openai/openai.h"
#include "mock-provider/providers/content.h"
#include "mock-provider/providers/openai/openai_check.h"
#include "mock-provider/providers/schema/schema_gen.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Embeddings of thousands of inputs are valid but slow to render; they prove nothing more than a few. */
#define FUZZ_MAX_RENDERED_INPUTS 16

/* The independent budget of an answer to `size` input bytes: each frame (a chunk, an event, a choice, an
 * embedding) may hold up to 1 KiB of fixed fields and model name, each choice may repeat text of the input
 * up to 5 times (Responses' closing events), the request may be echoed 8 times, and an embedding component
 * may take 20 bytes. */
#define FUZZ_BASE 65536
#define FUZZ_FRAME 1024
#define FUZZ_FLOAT 20

static void must_be_json(const char *s, size_t n, cm_json_toks_t *toks)
{
    cm_json_doc_t doc;
    char err[128];
    if (cm_json_parse(&doc, s, n, toks, err, sizeof(err)) != 0)
        abort();
}

/* Every frame is "[event: X\n]data: <JSON or [DONE]>\n\n", the data on one line. */
static void must_be_sse(const cm_buf_t *b, cm_json_toks_t *toks)
{
    size_t pos = 0;
    while (pos < b->len) {
        const char *p = b->data + pos;
        if (strncmp(p, "event: ", 7) == 0) {
            const char *nl = strchr(p, '\n');
            if (nl == NULL)
                abort();
            p = nl + 1;
        }
        if (strncmp(p, "data: ", 6) != 0)
            abort();
        p += 6;
        /* memmem, not strstr: the sanitizers' strstr measures the whole rest of the stream on every call,
         * which made a stream of a few thousand frames cost seconds. */
        const char *end = memmem(p, b->len - (size_t)(p - b->data), "\n\n", 2);
        if (end == NULL || memchr(p, '\n', (size_t)(end - p)) != NULL) /* a newline would end the data line */
            abort();
        if (!((size_t)(end - p) == 6 && memcmp(p, "[DONE]", 6) == 0))
            must_be_json(p, (size_t)(end - p), toks);
        pos = (size_t)(end + 2 - b->data);
    }
}

static uint64_t input_budget(size_t size, const mp_deployment_t *dep, const mp_request_t *req, const mp_exchange_t *x)
{
    uint64_t n = x->n ? x->n : 1;
    /* frames per choice: every step, role, finish and usage, and the opening chunk of each parallel call */
    uint64_t frames = (uint64_t)x->steps + 3 + MP_MAX_PARALLEL_CALLS;
    uint64_t budget = FUZZ_BASE + (n * 5 + 8) * (uint64_t)size + n * frames * FUZZ_FRAME;
    /* logprobs: per token an entry of about 1 KiB with each alternative, and the text's bytes as numbers */
    if (mp_oa_req(req)->logprobs)
        budget += n * frames * FUZZ_FRAME * (1 + mp_oa_req(req)->top_logprobs) + n * 12 * (uint64_t)size;
    if (req->api == MP_API_EMBEDDINGS)
        budget += (uint64_t)req->ninputs * (FUZZ_FRAME + (uint64_t)mp_embedding_dims(dep, req) * FUZZ_FLOAT);
    return budget;
}

/* Renders req as a body or as a stream, as the handler would: within its bound and the input's budget, or
 * refused by the response budget with a 400 and a valid error body. */
static void render_one(const mp_deployment_t *dep, const mp_request_t *req, size_t size, cm_rng_t *rng,
                       const cm_allocator_t *a, cm_json_toks_t *toks)
{
    const mp_provider_t *p = dep->ops;
    mp_exchange_t x;
    mp_error_t err;
    cm_buf_t out = CM_BUF_INIT;
    if (mp_oa_response_check(dep, req, &err) != 0) {
        if (err.status != 400)
            abort();
        p->render_error(&err, &out);
        must_be_json(out.data, out.len, toks);
        cm_buf_free(&out);
        return;
    }
    mp_exchange_begin(&x, dep, req, rng, a);
    if (req->stream) {
        p->render_head(&x, &out);
        for (uint32_t i = 0; i < x.steps; i++)
            p->render_step(&x, &out);
        p->render_tail(&x, &out);
        must_be_sse(&out, toks);
    } else {
        p->render_body(&x, &out);
        must_be_json(out.data, out.len, toks);
    }
    if (out.len > mp_oa_response_bound(dep, req) || out.len > input_budget(size, dep, req, &x))
        abort();
    mp_exchange_end(&x);
    cm_buf_free(&out);
}

/* An accepted request: its request-controlled multipliers are bounded, and it is answered as a body and
 * (except embeddings) as a stream. */
static void answer(const mp_deployment_t *dep, const mp_request_t *req, size_t size, cm_rng_t *rng,
                   const cm_allocator_t *a, cm_json_toks_t *toks)
{
    if (req->tool_arguments != NULL && strlen(req->tool_arguments) > MP_SCHEMA_MAX_BYTES)
        abort();
    if (req->structured != NULL && strlen(req->structured) > MP_SCHEMA_MAX_BYTES)
        abort();
    if (req->model.n > MP_OA_MAX_MODEL_LEN)
        abort();
    if (req->api == MP_API_EMBEDDINGS && req->ninputs > FUZZ_MAX_RENDERED_INPUTS)
        return;
    mp_request_t r = *req;
    r.stream = false;
    render_one(dep, &r, size, rng, a, toks);
    if (req->api != MP_API_EMBEDDINGS) {
        r.stream = true;
        render_one(dep, &r, size, rng, a, toks);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const mp_api_t apis[] = {MP_API_CHAT, MP_API_COMPLETIONS, MP_API_EMBEDDINGS, MP_API_RESPONSES};
    uint8_t opts = size > 0 ? data[0] : 0;
    mp_deployment_t dep;
    memset(&dep, 0, sizeof(dep));
    dep.name = "fuzz";
    dep.ops = mp_provider_for(MP_PROVIDER_OPENAI);
    dep.output_tokens = cm_dist_fixed(opts & 4 ? 3 : 12);
    dep.content = opts & 1 ? MP_CONTENT_ECHO : MP_CONTENT_POOL;
    dep.tool_calls = (opts & 2) != 0;
    dep.tool_auto = opts & 8 ? 0.5 : 0; /* tool_calls: {auto: 50%}: either answer, within one bound */
    dep.tool_parallel = opts & 16 ? MP_MAX_PARALLEL_CALLS : 1;
    dep.reasoning = (opts & 32) != 0;
    dep.embedding_dimensions = 8;
    dep.max_response = size > 0 && data[size - 1] == ' ' ? MP_MIN_MAX_RESPONSE : 0; /* a trailing space: 64 KiB */
    cm_json_toks_t scratch = {0}, check = {0};
    cm_rng_t rng;
    cm_rng_seed(&rng, 1);
    for (size_t i = 0; i < sizeof(apis) / sizeof(apis[0]); i++) {
        cm_arena_t arena = {0};
        cm_allocator_t a = cm_arena_allocator(&arena);
        mp_request_t req;
        mp_error_t err;
        cm_buf_t out = CM_BUF_INIT;
        mp_route_t route = {.api = apis[i]};
        if (dep.ops->parse(&route, (const char *)data, size, &scratch, &a, &req, &err) == 0) {
            answer(&dep, &req, size, &rng, &a, &check);
        } else {
            /* A refusal is a 400, or the 404 of a reasoning item given back without store nor its encrypted
             * content (an item OpenAI did not keep). */
            if (err.status != 400 && err.status != 404)
                abort();
            dep.ops->render_error(&err, &out);
            must_be_json(out.data, out.len, &check);
        }
        cm_buf_free(&out);
        cm_arena_free(&arena);
    }
    cm_json_toks_free(&scratch);
    cm_json_toks_free(&check);
    return 0;
}
