/* generateContent answers: the body (pretty-printed), the alt=sse stream (one-line frames ending in
 * "\r\n\r\n", no [DONE]) and the JSON-array stream (a pretty element per chunk, "\r\n,\r\n" between them);
 * countTokens; and the bound of an answer's size. Every chunk carries the model version and the response id;
 * a candidate's finishReason rides on the chunk of its last token and the full usage on the last chunk, as
 * Google streams them. A function call is not streamed in pieces: it arrives whole, in the chunk where the
 * fake model is done writing it. A thinking answer (gemini_thinking.c) sends its thoughts first, as parts
 * with "thought": true when includeThoughts asks for them, and nothing otherwise. */
#include <stdio.h>
#include <string.h>

#include "mock-provider/providers/budget.h"
#include "mock-provider/providers/content.h"
#include "mock-provider/providers/gemini/gemini.h"
#include "mock-provider/providers/gemini/gemini_json.h"
#include "mock-provider/providers/render.h"

static bool vertex(const mp_exchange_t *x)
{
    return mp_gm_flavor(x->ops)->vertex;
}

static const char *finish_name(mp_finish_t f)
{
    return f == MP_FINISH_LENGTH ? "MAX_TOKENS" : "STOP";
}

static const char *call_args(const mp_exchange_t *x, uint32_t i)
{
    return i == 0 ? x->req->tool_arguments : x->req->call_args[i];
}

/* What one candidate entry carries: its thought words (none when empty), and its answer text unless answer
 * is false (a chunk of thoughts only). */
typedef struct piece {
    cm_str_t thought, text;
    bool answer;
} piece_t;

static void text_part(mp_gj_t *w, cm_str_t text, bool thought)
{
    mp_gj_obj(w);
    mp_gj_key(w, "text");
    mp_gj_str(w, text.p, text.n);
    if (thought) {
        mp_gj_key(w, "thought");
        mp_gj_bool(w, true);
    }
    mp_gj_obj_end(w);
}

/* Bytes of a thoughtSignature: real ones are base64 of a few hundred bytes; these are base62 characters, a
 * multiple of 4 of them, which every base64 decoder reads (python-genai decodes the field as bytes). */
#define SIGNATURE_CHARS 96

/* The function calls of candidate c. A thinking model signs its thoughts on the first call's part
 * (thoughtSignature), which an agent loop sends back with the call on its next turn. */
static void call_parts(mp_gj_t *w, const mp_exchange_t *x, uint32_t c)
{
    for (uint32_t i = 0; i < x->calls[c]; i++) {
        const char *args = call_args(x, i);
        cm_str_t name = i == 0 ? x->req->tool_name : x->req->call_names[i];
        mp_gj_obj(w);
        mp_gj_key(w, "functionCall");
        mp_gj_obj(w);
        mp_gj_key(w, "name");
        mp_gj_str(w, name.p, name.n);
        mp_gj_key(w, "args");
        mp_gj_json(w, args, strlen(args));
        mp_gj_obj_end(w);
        if (i == 0 && mp_gm_thinks(x)) {
            char sig[SIGNATURE_CHARS + 8];
            mp_id_base62_from(sig, sizeof(sig), "Cr", SIGNATURE_CHARS - 2, mp_mix64(x->id_key ^ 0x5197u));
            mp_gj_key(w, "thoughtSignature");
            mp_gj_lit(w, sig);
        }
        mp_gj_obj_end(w);
    }
}

/* The parts of candidate c: thoughts first, then its text or its function calls (unless the piece holds
 * thoughts only). */
static void parts(mp_gj_t *w, const mp_exchange_t *x, uint32_t c, const piece_t *pc)
{
    mp_gj_key(w, "parts");
    mp_gj_arr(w);
    if (pc->thought.n > 0)
        text_part(w, pc->thought, true);
    if (x->finish[c] == MP_FINISH_TOOL_CALLS) {
        if (pc->answer)
            call_parts(w, x, c);
    } else if (pc->answer || pc->thought.n == 0) {
        text_part(w, pc->text, false);
    }
    mp_gj_arr_end(w);
}

static void candidate(mp_gj_t *w, const mp_exchange_t *x, uint32_t c, const piece_t *pc, bool finished, bool body)
{
    mp_gj_obj(w);
    mp_gj_key(w, "content");
    mp_gj_obj(w);
    mp_gj_key(w, "role");
    mp_gj_lit(w, "model");
    parts(w, x, c, pc);
    mp_gj_obj_end(w);
    if (finished) {
        mp_gj_key(w, "finishReason");
        mp_gj_lit(w, finish_name(x->finish[c]));
    }
    if (!vertex(x) || x->n > 1) {
        mp_gj_key(w, "index");
        mp_gj_uint(w, c);
    }
    if (body && vertex(x) && x->finish[c] != MP_FINISH_TOOL_CALLS) {
        /* A plausible mean log-probability, fixed by the content's seed. */
        mp_gj_key(w, "avgLogprobs");
        mp_gj_double(w, -0.05 - (double)((x->seed >> (c % 32)) % 997) / 4000.0);
    }
    mp_gj_obj_end(w);
}

static void token_details(mp_gj_t *w, const char *key, uint64_t n)
{
    mp_gj_key(w, key);
    mp_gj_arr(w);
    mp_gj_obj(w);
    mp_gj_key(w, "modality");
    mp_gj_lit(w, "TEXT");
    mp_gj_key(w, "tokenCount");
    mp_gj_uint(w, n);
    mp_gj_obj_end(w);
    mp_gj_arr_end(w);
}

/* usageMetadata: whole on bodies and on a stream's last chunk; earlier chunks count the prompt only. Thoughts
 * are counted apart from the candidates, and in the total. */
static void usage(mp_gj_t *w, const mp_exchange_t *x, bool final)
{
    uint64_t p = x->req->prompt_tokens, t = final ? mp_gm_thought_tokens(x) : 0;
    uint64_t c = final ? x->completion_tokens - t : 0;
    mp_gj_key(w, "usageMetadata");
    mp_gj_obj(w);
    mp_gj_key(w, "promptTokenCount");
    mp_gj_uint(w, p);
    if (final) {
        mp_gj_key(w, "candidatesTokenCount");
        mp_gj_uint(w, c);
    }
    mp_gj_key(w, "totalTokenCount");
    mp_gj_uint(w, p + c + t);
    if (vertex(x) && final) {
        mp_gj_key(w, "trafficType");
        mp_gj_lit(w, "ON_DEMAND");
    }
    token_details(w, "promptTokensDetails", p);
    if (vertex(x) && final)
        token_details(w, "candidatesTokensDetails", c);
    if (t > 0) {
        mp_gj_key(w, "thoughtsTokenCount");
        mp_gj_uint(w, t);
    }
    mp_gj_obj_end(w);
}

/* modelVersion, createTime (Vertex) and responseId close every body and chunk. */
static void trailer(mp_gj_t *w, const mp_exchange_t *x)
{
    mp_gj_key(w, "modelVersion");
    mp_gj_str(w, x->req->model.p, x->req->model.n);
    if (vertex(x)) {
        mp_gj_key(w, "createTime");
        mp_gj_lit(w, x->item_id);
    }
    mp_gj_key(w, "responseId");
    mp_gj_lit(w, x->id);
}

static cm_str_t text_of(const mp_exchange_t *x, uint32_t c)
{
    return (cm_str_t){x->text[c].data ? x->text[c].data : "", x->text[c].len};
}

static void generate_body(mp_exchange_t *x, cm_buf_t *out)
{
    mp_gj_t w;
    cm_buf_t thought = CM_BUF_INIT;
    if (mp_gm_shows_thoughts(x))
        mp_content_put_thoughts(x, 0, mp_gm_thought_tokens(x), &thought);
    mp_gj_init(&w, out, true);
    mp_gj_obj(&w);
    mp_gj_key(&w, "candidates");
    mp_gj_arr(&w);
    for (uint32_t c = 0; c < x->n; c++) {
        mp_content_fill(x, c);
        piece_t pc = {{c == 0 && thought.len > 0 ? thought.data : "", c == 0 ? thought.len : 0}, text_of(x, c), true};
        candidate(&w, x, c, &pc, true, true);
    }
    cm_buf_free(&thought);
    mp_gj_arr_end(&w);
    usage(&w, x, true);
    trailer(&w, x);
    mp_gj_obj_end(&w);
    cm_buf_putc(out, '\n');
}

/* countTokens: the prompt's estimate (Vertex adds its billable characters). */
static void count_body(mp_exchange_t *x, cm_buf_t *out)
{
    const mp_gm_own_t *own = x->req->own;
    mp_gj_t w;
    mp_gj_init(&w, out, true);
    mp_gj_obj(&w);
    mp_gj_key(&w, "totalTokens");
    mp_gj_uint(&w, x->req->prompt_tokens);
    if (vertex(x)) {
        mp_gj_key(&w, "totalBillableCharacters");
        mp_gj_uint(&w, own != NULL ? own->prompt_bytes : 0);
    }
    token_details(&w, "promptTokensDetails", x->req->prompt_tokens);
    mp_gj_obj_end(&w);
    cm_buf_putc(out, '\n');
}

void mp_gm_render_body(mp_exchange_t *x, cm_buf_t *out)
{
    switch (x->req->api) {
    case MP_API_GENERATE:
        generate_body(x, out);
        break;
    case MP_API_COUNT_TOKENS:
        count_body(x, out);
        break;
    case MP_API_EMBEDDINGS:
        mp_gm_embeddings_body(x, out);
        break;
    default:
        x->ops->render_models(x->dep, out);
        break;
    }
}

/* ---- streams ------------------------------------------------------------------------------------------------ */

static bool array_mode(const mp_exchange_t *x)
{
    return MP_GM_KIND(x->req->route->variant) == MP_GM_V_ARRAY;
}

/* Opens a chunk: "data: " on SSE, the separator between array elements. x->seq counts the chunks sent. */
static void chunk_open(mp_exchange_t *x, cm_buf_t *out, mp_gj_t *w)
{
    bool array = array_mode(x);
    if (array && x->seq > 0)
        MP_PUT_LIT(out, "\r\n,\r\n");
    else if (!array)
        MP_PUT_LIT(out, "data: ");
    x->seq++;
    mp_gj_init(w, out, array);
    mp_gj_obj(w);
    mp_gj_key(w, "candidates");
    mp_gj_arr(w);
}

static void chunk_close(mp_exchange_t *x, cm_buf_t *out, mp_gj_t *w, bool final)
{
    mp_gj_arr_end(w);
    usage(w, x, final);
    trailer(w, x);
    mp_gj_obj_end(w);
    if (!array_mode(x))
        MP_PUT_LIT(out, "\r\n\r\n");
}

void mp_gm_render_head(mp_exchange_t *x, cm_buf_t *out)
{
    if (array_mode(x))
        cm_buf_putc(out, '[');
}

/* A step of thoughts (the first T steps, one candidate): their words as a thought part when includeThoughts
 * asks, else nothing. A chunk that spans the end of the thoughts carries the answer's first tokens too, as a
 * second part of the same chunk. */
static void thought_step(mp_exchange_t *x, cm_buf_t *out, uint32_t chunk)
{
    uint32_t k = x->step, n = mp_gm_thought_tokens(x) - k < chunk ? mp_gm_thought_tokens(x) - k : chunk;
    cm_buf_t thought = CM_BUF_INIT;
    piece_t pc = {{"", 0}, {"", 0}, n < chunk};
    if (mp_gm_shows_thoughts(x)) {
        mp_content_put_thoughts(x, k, n, &thought);
        pc.thought = (cm_str_t){thought.data, thought.len};
    }
    if (pc.answer) {
        x->chunk = chunk - n; /* the rest of the chunk is answer */
        pc.text = mp_content_next(x, 0);
        /* a function call shows whole, in the chunk of its last piece */
        pc.answer = x->finish[0] != MP_FINISH_TOOL_CALLS || x->cursor[0] >= x->tokens[0];
    }
    if (pc.thought.n > 0 || pc.answer) {
        mp_gj_t w;
        bool done = x->cursor[0] >= x->tokens[0];
        chunk_open(x, out, &w);
        candidate(&w, x, 0, &pc, done, false);
        chunk_close(x, out, &w, k + chunk >= x->steps);
    }
    cm_buf_free(&thought);
}

/* x->chunk tokens per unfinished candidate; a function call shows when its last piece is produced. */
void mp_gm_render_step(mp_exchange_t *x, cm_buf_t *out)
{
    mp_gj_t w;
    uint32_t chunk = x->chunk > 1 ? x->chunk : 1;
    bool open = false, last = x->step + chunk >= x->steps;
    if (x->step < mp_gm_thought_tokens(x)) {
        thought_step(x, out, chunk);
        x->step += chunk;
        return;
    }
    for (uint32_t c = 0; c < x->n; c++) {
        if (x->cursor[c] >= x->tokens[c])
            continue;
        piece_t pc = {{"", 0}, mp_content_next(x, c), true};
        bool done = x->cursor[c] >= x->tokens[c];
        if (x->finish[c] == MP_FINISH_TOOL_CALLS && !done)
            continue;
        if (!open)
            chunk_open(x, out, &w);
        open = true;
        candidate(&w, x, c, &pc, done, false);
    }
    if (open)
        chunk_close(x, out, &w, last);
    x->step += chunk;
}

void mp_gm_render_tail(mp_exchange_t *x, cm_buf_t *out)
{
    if (x->seq == 0) { /* nothing was produced: one chunk says so */
        mp_gj_t w;
        chunk_open(x, out, &w);
        piece_t empty = {{"", 0}, {"", 0}, true};
        for (uint32_t c = 0; c < x->n; c++)
            candidate(&w, x, c, &empty, true, false);
        chunk_close(x, out, &w, true);
    }
    if (array_mode(x))
        cm_buf_putc(out, ']');
}

/* ---- the response bound ----------------------------------------------------------------------------------- */

/* Fixed bytes of one chunk or body besides its candidates (usage with details, model version, ids, createTime,
 * the indentation of the pretty form), and of one candidate entry (content, role, parts, finishReason, index,
 * avgLogprobs); both measured under 700 and 400 bytes. A pool word is at most 14 bytes with its space. */
#define GM_CHUNK_BYTES 1024
#define GM_CANDIDATE_BYTES 640
#define GM_CALL_BYTES 256
#define GM_BASE_BYTES 4096
#define GM_POOL_TOKEN_BYTES 14
/* One embedding component in the pretty form: up to 15 characters, the comma, a line break, 10 spaces. */
#define GM_FLOAT_BYTES 32
/* Depth of a function call's args in a body, plus margin: their pretty form is measured at this depth. */
#define GM_ARGS_DEPTH 10

/* Bytes of the function calls of one candidate, laid out as the pretty form at depth GM_ARGS_DEPTH (deeper than
 * they are rendered, so an upper bound of either form). */
static uint64_t calls_bytes(const mp_request_t *req)
{
    cm_buf_t b = CM_BUF_INIT;
    uint64_t n = 0;
    uint32_t calls = req->ncalls > 0 ? req->ncalls : 1;
    for (uint32_t i = 0; i < calls; i++) {
        const char *args = i == 0 ? req->tool_arguments : req->call_args[i];
        mp_gj_t w;
        cm_buf_reset(&b);
        mp_gj_init(&w, &b, true);
        w.depth = GM_ARGS_DEPTH;
        mp_gj_json(&w, args, strlen(args));
        n += b.len + GM_CALL_BYTES + (i == 0 ? req->tool_name.n : req->call_names[i].n);
    }
    cm_buf_free(&b);
    return n;
}

typedef struct plan {
    uint64_t steps; /* chunks at most */
    uint64_t text;  /* bytes of one candidate's content */
} plan_t;

/* Whether an answer to req may think (gemini_thinking.c decides per exchange; the bound takes the larger). */
static bool may_think(const mp_deployment_t *dep, const mp_request_t *req)
{
    const mp_gm_own_t *o = req->own;
    if (o != NULL && o->budget_set)
        return o->thinking_budget != 0;
    return dep->reasoning || (o != NULL && o->thinking_level);
}

/* Thought tokens an answer may spend (mp_gm_plan): half of the longest length the deployment draws,
 * maxOutputTokens at most. Thoughts are pool words even when the answer echoes. */
static uint64_t thought_tokens(const mp_deployment_t *dep, const mp_request_t *req)
{
    return may_think(dep, req) ? mp_reasoning_tokens_bound(dep, req) : 0;
}

/* A text answer's thoughts are among its steps; structured output and function calls think in steps of their
 * own, before their pieces. */
static plan_t text_plan(const mp_deployment_t *dep, const mp_request_t *req)
{
    uint64_t thoughts = thought_tokens(dep, req);
    if (req->structured != NULL) {
        uint64_t n = cm_json_escaped_len(req->structured, strlen(req->structured));
        return (plan_t){n / 4 + 1 + thoughts, n + thoughts * GM_POOL_TOKEN_BYTES};
    }
    uint64_t tokens = mp_output_tokens_cap(&dep->output_tokens);
    bool echo = dep->content == MP_CONTENT_ECHO && req->echo.n > 0;
    if (req->max_tokens >= 0 && (uint64_t)req->max_tokens < tokens)
        tokens = (uint64_t)req->max_tokens;
    if (echo && req->echo.n < tokens)
        tokens = req->echo.n;
    return (plan_t){tokens, (echo ? req->echo.n : tokens * GM_POOL_TOKEN_BYTES) + thoughts * GM_POOL_TOKEN_BYTES};
}

static uint64_t generate_bound(const mp_deployment_t *dep, const mp_request_t *req)
{
    uint64_t n = req->n ? req->n : 1, model = req->model.n;
    plan_t p = text_plan(dep, req);
    if (mp_wants_tool_call(dep, req)) {
        uint64_t args = 0, thoughts = thought_tokens(dep, req);
        for (uint32_t i = 0; i < (req->ncalls ? req->ncalls : 1); i++) {
            const char *a = i == 0 ? req->tool_arguments : req->call_args[i];
            args += cm_json_escaped_len(a, strlen(a));
        }
        uint64_t calls = calls_bytes(req) + (may_think(dep, req) ? SIGNATURE_CHARS + 32 : 0);
        calls += thoughts * GM_POOL_TOKEN_BYTES;
        p.steps = p.steps > args / 4 + 8 + thoughts ? p.steps : args / 4 + 8 + thoughts;
        p.text = p.text > calls ? p.text : calls;
    }
    uint64_t chunks = req->stream ? p.steps + 1 : 1;
    return GM_BASE_BYTES + chunks * (GM_CHUNK_BYTES + model + n * GM_CANDIDATE_BYTES) + n * p.text;
}

uint64_t mp_gm_response_bound(const mp_deployment_t *dep, const mp_request_t *req)
{
    switch (req->api) {
    case MP_API_GENERATE:
        return generate_bound(dep, req);
    case MP_API_EMBEDDINGS: {
        uint64_t dims = req->dimensions ? req->dimensions : mp_gm_embedding_dims(req->model);
        return GM_BASE_BYTES + (uint64_t)req->ninputs * (GM_CANDIDATE_BYTES + dims * GM_FLOAT_BYTES);
    }
    default:
        return GM_BASE_BYTES;
    }
}

int mp_gm_check_response(const mp_deployment_t *dep, const mp_request_t *req, mp_error_t *err)
{
    uint64_t bound = mp_gm_response_bound(dep, req), budget = mp_response_budget(dep);
    if (bound <= budget)
        return 0;
    const char *field = req->api == MP_API_EMBEDDINGS  ? "requests"
                        : mp_wants_tool_call(dep, req) ? "tools"
                        : req->structured != NULL      ? "generation_config.response_schema"
                        : req->n > 1                   ? "generation_config.candidate_count"
                                                       : "generation_config.max_output_tokens";
    mp_error_set(err, MP_ERR_BAD_REQUEST, field,
                 "The response to this request could take up to %llu bytes, above the limit of %llu bytes for a "
                 "response of this deployment (%s). Lower candidateCount, maxOutputTokens, the input or the schema, "
                 "or raise the deployment's max_response.",
                 (unsigned long long)bound, (unsigned long long)budget, field);
    snprintf(err->code, sizeof(err->code), "%s", MP_GM_D_FIELD);
    return -1;
}
