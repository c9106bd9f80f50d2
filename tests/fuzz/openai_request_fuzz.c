/* tests/fuzz/openai_request_fuzz.c — the OpenAI request parser of every api on arbitrary bytes, and, for
 * whatever it accepts, the whole answer: body and stream are rendered and must be valid JSON frame by
 * frame (everything echoed from a request must stay correctly escaped). Error bodies are checked alike.
 * The first input byte picks the deployment's options (echo or pool content, tool calls), so that both
 * content paths and tool calls see fuzzed text. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "common/alloc.h"
#include "common/json.h"
#include "mock-provider/provider.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Embeddings of thousands of inputs are valid but slow to render; they prove nothing more than a few. */
#define FUZZ_MAX_RENDERED_INPUTS 16

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
        const char *end = strstr(p, "\n\n");
        if (end == NULL || memchr(p, '\n', (size_t)(end - p)) != NULL) /* a newline would end the data line */
            abort();
        if (!((size_t)(end - p) == 6 && memcmp(p, "[DONE]", 6) == 0))
            must_be_json(p, (size_t)(end - p), toks);
        pos = (size_t)(end + 2 - b->data);
    }
}

static void render_all(const mp_deployment_t *dep, const mp_request_t *req, cm_rng_t *rng, const cm_allocator_t *a,
                       cm_json_toks_t *toks)
{
    const mp_provider_t *p = dep->ops;
    mp_exchange_t x;
    cm_buf_t out = CM_BUF_INIT;
    if (req->api == MP_API_EMBEDDINGS && req->ninputs > FUZZ_MAX_RENDERED_INPUTS)
        return;
    mp_exchange_begin(&x, dep, req, rng, a);
    p->render_body(&x, &out);
    must_be_json(out.data, out.len, toks);
    mp_exchange_end(&x);
    if (req->api != MP_API_EMBEDDINGS) {
        cm_buf_reset(&out);
        mp_exchange_begin(&x, dep, req, rng, a);
        p->render_head(&x, &out);
        for (uint32_t i = 0; i < x.steps; i++)
            p->render_step(&x, &out);
        p->render_tail(&x, &out);
        must_be_sse(&out, toks);
        mp_exchange_end(&x);
    }
    cm_buf_free(&out);
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
    dep.embedding_dimensions = 8;
    cm_json_toks_t scratch = {0}, check = {0};
    cm_rng_t rng;
    cm_rng_seed(&rng, 1);
    for (size_t i = 0; i < sizeof(apis) / sizeof(apis[0]); i++) {
        cm_arena_t arena = {0};
        cm_allocator_t a = cm_arena_allocator(&arena);
        mp_request_t req;
        mp_error_t err;
        cm_buf_t out = CM_BUF_INIT;
        if (dep.ops->parse(apis[i], (const char *)data, size, &scratch, &a, &req, &err) == 0) {
            render_all(&dep, &req, &rng, &a, &check);
        } else {
            if (err.status != 400)
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
