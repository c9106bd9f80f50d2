/* The response bound: a sum of generous per-part sizes, one table row per api and mode, so that a new
 * field in a renderer needs only its part here. The constants are upper bounds of what the OpenAI renderers
 * write today, measured: a chat chunk carries about 285 fixed bytes, a tool-call piece chunk about 340, a
 * Responses delta event about 265; the bound of a long stream is about 1.4 times its real size. */
#include <stdio.h>
#include <string.h>

#include "common/json.h"
#include "mock-provider/providers/budget.h"
#include "mock-provider/providers/content.h"
#include "mock-provider/providers/openai/openai.h"

/* Fixed bytes of one frame: a stream chunk or event, a choice of a body, an embedding entry; ids, numbers
 * and punctuation included, but not the model name, the tool name or any text. The opening chunk of a
 * streamed tool call (about 480) is larger, but comes with a closing chunk (about 290) that is smaller. */
#define FRAME_BYTES 384
/* Fixed bytes of a whole response besides its frames: usage objects, [DONE], the Responses object's fixed
 * fields (about 900 bytes per copy). */
#define BASE_BYTES 4096
/* Longest word of the pool, with its space. */
#define POOL_TOKEN_BYTES 14
/* One embedding component as text: "-0.00123456789," is 15; 12 on average at 1536 dimensions. */
#define FLOAT_TEXT_BYTES 18

/* How a response is made of frames, per api and mode. Per choice: `per_token` frames for each token plus
 * `extra` frames; the model name is in `model_frames` frames per choice-frame (0 or 1) and `model_copies`
 * times more; the text `text_copies` times; the echoed request fields (instructions, tools, tool_choice,
 * metadata) `echo_copies` times; the tool name `tool_copies` times per choice. */
typedef struct shape {
    uint32_t per_token, extra, model_frames, model_copies, text_copies, echo_copies, tool_copies;
} shape_t;

static const shape_t chat_stream = {1, 3, 1, 0, 1, 0, 1};        /* role chunk, finish chunk, usage chunk */
static const shape_t chat_body = {0, 1, 0, 1, 1, 0, 1};          /* one choice entry */
static const shape_t completions_stream = {1, 2, 1, 0, 1, 0, 0}; /* finish chunk, usage chunk */
static const shape_t completions_body = {0, 1, 0, 1, 1, 0, 0};
static const shape_t responses_body = {0, 1, 0, 1, 1, 1, 1};
/* created, in_progress, item added, part added, text done, part done, item done, completed: the three
 * response objects echo the request, the deltas carry the text once and the four closing events repeat it
 * whole; a function call names its tool in four events. */
static const shape_t responses_stream = {1, 8, 0, 3, 5, 3, 4};

static const shape_t *shape_of(const mp_request_t *req)
{
    switch (req->api) {
    case MP_API_CHAT:
        return req->stream ? &chat_stream : &chat_body;
    case MP_API_COMPLETIONS:
        return req->stream ? &completions_stream : &completions_body;
    case MP_API_RESPONSES:
        return req->stream ? &responses_stream : &responses_body;
    default:
        return NULL;
    }
}

/* What one choice produces: its frames (tokens) and the bytes of its text as rendered. */
typedef struct choice {
    uint64_t tokens, text;
} choice_t;

/* Reasoning (mp_oa_reasons, mp_plan_reasoning) spends at most half of the longest length the deployment draws
 * (max_tokens at most): a text answer's share is among its own frames, but its words are pool words even when
 * the answer echoes; a tool call or structured output reasons in frames of its own (tool_choice, structured_choice). It
 * adds frames of its own too: the Responses reasoning item's five events (added, summary part added, text done, part
 * done, done), a chunk split at the end of the reasoning, and encrypted_content, in two copies (its done event
 * and the completed response). */
#define REASONING_FRAMES 6
#define REASONING_BLOB_BYTES 512

static bool may_reason(const mp_deployment_t *dep, const mp_request_t *req)
{
    return (req->api == MP_API_CHAT || req->api == MP_API_RESPONSES) && (mp_oa_req(req)->reasoning || dep->reasoning);
}

static uint64_t reasoning_tokens(const mp_deployment_t *dep, const mp_request_t *req)
{
    return may_reason(dep, req) ? mp_reasoning_tokens_bound(dep, req) : 0;
}

static uint64_t reasoning_bound(const mp_deployment_t *dep, const mp_request_t *req, const shape_t *s)
{
    if (!may_reason(dep, req))
        return 0;
    return REASONING_FRAMES * FRAME_BYTES + reasoning_tokens(dep, req) * POOL_TOKEN_BYTES * s->text_copies +
           2 * REASONING_BLOB_BYTES;
}

/* A tool call streams its escaped arguments in pieces of 4 characters, one byte or more each; parallel
 * calls (every prepared one, at most) one after the other, each with its own opening chunk. */
static choice_t tool_choice(const mp_deployment_t *dep, const mp_request_t *req)
{
    uint64_t n = 0, calls = req->ncalls > 0 ? req->ncalls : 1;
    for (uint64_t i = 0; i < calls; i++) {
        const char *args = i == 0 ? req->tool_arguments : req->call_args[i];
        n += cm_json_escaped_len(args, strlen(args));
    }
    return (choice_t){n / 4 + 2 * calls + reasoning_tokens(dep, req), n};
}

/* The tool names an answer may repeat: every prepared call's. */
static uint64_t tool_names(const mp_request_t *req)
{
    uint64_t n = req->tool_name.n + 2;
    for (uint32_t i = 1; i < req->ncalls; i++)
        n += req->call_names[i].n + 2;
    return n;
}

/* Structured output streams its escaped JSON like tool-call arguments (max_tokens can only shorten it). */
static choice_t structured_choice(const mp_deployment_t *dep, const mp_request_t *req)
{
    uint64_t n = cm_json_escaped_len(req->structured, strlen(req->structured));
    return (choice_t){n / 4 + 1 + reasoning_tokens(dep, req), n};
}

static choice_t text_choice(const mp_deployment_t *dep, const mp_request_t *req)
{
    uint64_t tokens = mp_output_tokens_cap(&dep->output_tokens);
    bool echo = dep->content == MP_CONTENT_ECHO && req->echo.n > 0;
    if (req->max_tokens >= 0 && (uint64_t)req->max_tokens < tokens)
        tokens = (uint64_t)req->max_tokens;
    if (echo && req->echo.n < tokens) /* an echo token holds at least one byte of the echo */
        tokens = req->echo.n;
    return (choice_t){tokens, echo ? req->echo.n : tokens * POOL_TOKEN_BYTES};
}

static uint32_t choices(const mp_request_t *req)
{
    if (req->api == MP_API_RESPONSES || req->n == 0)
        return 1;
    return req->n > MP_MAX_CHOICES ? MP_MAX_CHOICES : req->n;
}

static uint64_t echoed(const mp_request_t *req)
{
    const mp_oa_request_t *oa = mp_oa_req(req);
    return oa->instructions.n + oa->tools_json.n + oa->tool_choice_json.n + oa->metadata_json.n +
           oa->text_format_json.n + oa->previous_response_id_json.n + oa->user_json.n + oa->service_tier_json.n;
}

/* Logprobs, per token, as often as the text is repeated: an entry (about 90 fixed bytes, the token and its bytes array:
 * at most 5 bytes of JSON per byte of text) and top_logprobs alternatives (the token again, then pool words). */
#define LOGPROB_TOKEN_BYTES 256
#define LOGPROB_ALT_BYTES 192
#define LOGPROB_TEXT_FACTOR 12

static uint64_t logprobs_bound(const mp_request_t *req, choice_t c)
{
    const mp_oa_request_t *oa = mp_oa_req(req);
    if (!oa->logprobs)
        return 0;
    return c.tokens * (LOGPROB_TOKEN_BYTES + LOGPROB_ALT_BYTES * (uint64_t)oa->top_logprobs) +
           c.text * LOGPROB_TEXT_FACTOR;
}

static uint64_t choice_bound(const mp_deployment_t *dep, const mp_request_t *req, choice_t c)
{
    const mp_oa_flavor_t *fl = mp_oa_flavor(dep->ops);
    const shape_t *s = shape_of(req);
    uint64_t model = req->model.n + 2, tool = tool_names(req);
    uint64_t frames = c.tokens * s->per_token + s->extra;
    uint64_t one = frames * (FRAME_BYTES + fl->frame_extra + s->model_frames * model) + c.text * s->text_copies +
                   tool * s->tool_copies + logprobs_bound(req, c) * s->text_copies + reasoning_bound(dep, req, s);
    return BASE_BYTES + fl->body_extra + choices(req) * one + model * s->model_copies + echoed(req) * s->echo_copies;
}

/* A tool call may be drawn (tool_calls: {auto: p}) or not: the larger of the two answers. */
static uint64_t text_bound(const mp_deployment_t *dep, const mp_request_t *req)
{
    uint64_t text = choice_bound(dep, req, req->structured ? structured_choice(dep, req) : text_choice(dep, req));
    uint64_t tool = mp_wants_tool_call(dep, req) ? choice_bound(dep, req, tool_choice(dep, req)) : 0;
    return tool > text ? tool : text;
}

/* Base64 of dims float32: 4 characters per 3 bytes, padded, and its quotes. */
static uint64_t embedding_bound(const mp_deployment_t *dep, const mp_request_t *req)
{
    uint64_t dims = mp_embedding_dims(dep, req);
    uint64_t vector = req->base64 ? (dims * 4 + 2) / 3 * 4 + 2 : dims * FLOAT_TEXT_BYTES + 2;
    return BASE_BYTES + req->model.n + (uint64_t)req->ninputs * (FRAME_BYTES + vector);
}

uint64_t mp_oa_response_bound(const mp_deployment_t *dep, const mp_request_t *req)
{
    if (req->api == MP_API_EMBEDDINGS)
        return embedding_bound(dep, req);
    if (shape_of(req) == NULL)
        return 0;
    return text_bound(dep, req);
}

/* What makes the response large, for the message, and the parameter that lowers it. */
static const char *describe(const mp_deployment_t *dep, const mp_request_t *req, char *out, size_t cap)
{
    if (req->api == MP_API_EMBEDDINGS) {
        snprintf(out, cap, "%u inputs x %u dimensions as %s", req->ninputs, mp_embedding_dims(dep, req),
                 req->base64 ? "base64" : "float");
        return "input";
    }
    const char *mode = req->stream ? "streamed" : "in one body";
    if (mp_wants_tool_call(dep, req) && choice_bound(dep, req, tool_choice(dep, req)) == text_bound(dep, req)) {
        snprintf(out, cap, "%u choice(s) x a tool call with %zu bytes of arguments, %s", choices(req),
                 strlen(req->tool_arguments), mode);
        return "tools";
    }
    if (req->structured) {
        snprintf(out, cap, "%u choice(s) x %zu bytes of structured output, %s", choices(req), strlen(req->structured),
                 mode);
        return req->api == MP_API_RESPONSES ? "text.format" : "response_format";
    }
    snprintf(out, cap, "%u choice(s) x up to %llu tokens, %s", choices(req),
             (unsigned long long)text_choice(dep, req).tokens, mode);
    return choices(req) > 1 ? "n" : "";
}

int mp_oa_response_check(const mp_deployment_t *dep, const mp_request_t *req, mp_error_t *err)
{
    uint64_t bound = mp_oa_response_bound(dep, req), budget = mp_response_budget(dep);
    if (bound <= budget)
        return 0;
    char what[160];
    const char *param = describe(dep, req, what, sizeof(what));
    mp_error_set(err, MP_ERR_BAD_REQUEST, param,
                 "The response to this request could take up to %llu bytes (%s), above the limit of %llu bytes "
                 "for a response of this deployment. Lower n, max_tokens, the input or the tool schema, or raise "
                 "the deployment's max_response.",
                 (unsigned long long)bound, what, (unsigned long long)budget);
    snprintf(err->code, sizeof(err->code), "response_too_large");
    return -1;
}
