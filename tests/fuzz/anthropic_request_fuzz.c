/* tests/fuzz/anthropic_request_fuzz.c — the Anthropic request parser (messages and count_tokens, under API
 * versions 2023-06-01 and 2026-10-21) on arbitrary bytes, and, for whatever it accepts, the whole answer: the
 * Message body and the named event stream must be valid JSON frame by frame, every frame "event: X\ndata: {...}"
 * with X the data's type; error bodies must be valid JSON too.
 *
 * Sizes: tool inputs stay within the schema generator's MP_SCHEMA_MAX_BYTES and model names within
 * MP_AN_MAX_MODEL_LEN, and every rendered answer stays within mp_an_response_bound (a 400 when that is over the
 * deployment's budget) and within a budget computed here from the input size alone. The first input byte picks
 * the deployment's options (echo or pool, tool calls, parallel calls, a short or long length model), a trailing
 * space the smallest response budget. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "common/alloc.h"
#include "common/json.h"
#include "mock-provider/provider.h"
#include "mock-provider/providers/anthropic/anthropic.h"
#include "mock-provider/providers/schema/schema_gen.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Each event may hold 1 KiB of fixed fields, ids and names; the input's text may come back 3 times. */
#define FUZZ_BASE 65536
#define FUZZ_FRAME 1024

static void must_be_json(const char *s, size_t n, cm_json_toks_t *toks, cm_json_doc_t *doc)
{
    char err[128];
    if (cm_json_parse(doc, s, n, toks, err, sizeof(err)) != 0)
        abort();
}

static void must_be_events(const cm_buf_t *b, cm_json_toks_t *toks)
{
    size_t pos = 0;
    while (pos < b->len) {
        const char *p = b->data + pos, *end = b->data + b->len;
        if ((size_t)(end - p) < 7 || memcmp(p, "event: ", 7) != 0)
            abort();
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        if (nl == NULL || (size_t)(end - nl) < 7 || memcmp(nl + 1, "data: ", 6) != 0)
            abort();
        cm_str_t event = {p + 7, (size_t)(nl - p - 7)};
        const char *d = nl + 7, *stop = memmem(d, (size_t)(end - d), "\n\n", 2);
        if (stop == NULL || memchr(d, '\n', (size_t)(stop - d)) != NULL)
            abort();
        cm_json_doc_t doc;
        must_be_json(d, (size_t)(stop - d), toks, &doc);
        uint32_t type = cm_json_get(&doc, 0, "type");
        cm_str_t t = type ? cm_json_raw(&doc, type) : (cm_str_t){"", 0};
        if (t.n != event.n || memcmp(t.p, event.p, t.n) != 0)
            abort();
        pos = (size_t)(stop + 2 - b->data);
    }
}

static void render_one(const mp_deployment_t *dep, const mp_request_t *req, size_t size, cm_rng_t *rng,
                       const cm_allocator_t *a, cm_json_toks_t *toks)
{
    const mp_provider_t *p = dep->ops;
    mp_exchange_t x;
    mp_error_t err;
    cm_json_doc_t doc;
    cm_buf_t out = CM_BUF_INIT;
    if (p->check_response(dep, req, &err) != 0) {
        if (err.status != 400)
            abort();
        p->render_error(&err, &out);
        must_be_json(out.data, out.len, toks, &doc);
        cm_buf_free(&out);
        return;
    }
    mp_exchange_begin(&x, dep, req, rng, a);
    if (req->stream && req->api == MP_API_MESSAGES) {
        p->render_head(&x, &out);
        for (uint32_t i = 0; i < x.steps; i++)
            p->render_step(&x, &out);
        p->render_tail(&x, &out);
        must_be_events(&out, toks);
    } else {
        p->render_body(&x, &out);
        must_be_json(out.data, out.len, toks, &doc);
    }
    uint64_t budget = FUZZ_BASE + 3 * (uint64_t)size + ((uint64_t)x.steps + 16) * FUZZ_FRAME;
    if (req->api == MP_API_MESSAGES && out.len > mp_an_response_bound(dep, req))
        abort();
    if (out.len > budget)
        abort();
    mp_exchange_end(&x);
    cm_buf_free(&out);
}

static void answer(const mp_deployment_t *dep, const mp_request_t *req, size_t size, cm_rng_t *rng,
                   const cm_allocator_t *a, cm_json_toks_t *toks)
{
    for (uint32_t i = 0; i < req->ncalls; i++)
        if (strlen(req->call_args[i]) > MP_SCHEMA_MAX_BYTES)
            abort();
    if (req->model.n > MP_AN_MAX_MODEL_LEN)
        abort();
    mp_request_t r = *req;
    r.stream = false;
    render_one(dep, &r, size, rng, a, toks);
    r.stream = true;
    render_one(dep, &r, size, rng, a, toks);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const mp_api_t apis[] = {MP_API_MESSAGES, MP_API_COUNT_TOKENS};
    static const char *const versions[] = {"2023-06-01", MP_AN_VERSION_2026};
    uint8_t opts = size > 0 ? data[0] : 0;
    mp_deployment_t dep;
    memset(&dep, 0, sizeof(dep));
    dep.name = "fuzz";
    dep.provider = MP_PROVIDER_ANTHROPIC;
    dep.ops = mp_provider_for(MP_PROVIDER_ANTHROPIC);
    dep.output_tokens = cm_dist_fixed(opts & 4 ? 3 : 40);
    dep.content = opts & 1 ? MP_CONTENT_ECHO : MP_CONTENT_POOL;
    dep.tool_calls = (opts & 2) != 0;
    dep.tool_auto = opts & 8 ? 0.5 : 0;
    dep.tool_parallel = opts & 16 ? MP_MAX_PARALLEL_CALLS : 1;
    dep.max_response = size > 0 && data[size - 1] == ' ' ? MP_MIN_MAX_RESPONSE : 0;
    cm_json_toks_t scratch = {0}, check = {0};
    cm_rng_t rng;
    cm_rng_seed(&rng, 1);
    for (size_t i = 0; i < sizeof(apis) / sizeof(apis[0]) * 2; i++) {
        cm_arena_t arena = {0};
        cm_allocator_t a = cm_arena_allocator(&arena);
        mp_request_t req;
        mp_error_t err;
        cm_json_doc_t doc;
        cm_buf_t out = CM_BUF_INIT;
        const char *v = versions[i % 2];
        mp_route_t route = {.api = apis[i / 2], .version = {v, strlen(v)}};
        if (dep.ops->parse(&route, (const char *)data, size, &scratch, &a, &req, &err) == 0) {
            answer(&dep, &req, size, &rng, &a, &check);
        } else {
            if (err.status != 400)
                abort();
            err.request_id = "req_011Cfuzz";
            dep.ops->render_error(&err, &out);
            must_be_json(out.data, out.len, &check, &doc);
        }
        cm_buf_free(&out);
        cm_arena_free(&arena);
    }
    cm_json_toks_free(&scratch);
    cm_json_toks_free(&check);
    return 0;
}
