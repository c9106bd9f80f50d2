/* mock-provider/providers/anthropic.h — the Anthropic Messages shape's internal interface (soak_mp_providers
 * only): the provider table, the request view its parse keeps, and the parse, render and budget entry points
 * it is made of. The core reaches them through mp_provider_for(MP_PROVIDER_ANTHROPIC). */
#ifndef MP_PROVIDERS_ANTHROPIC_H
#define MP_PROVIDERS_ANTHROPIC_H

#include <stdbool.h>
#include <stdint.h>

#include "mock-provider/provider.h"

extern const mp_provider_t mp_anthropic_provider;

/* The organization every answer belongs to (anthropic-organization-id, and the 429 message). */
#define MP_AN_ORGANIZATION "5e8c3a42-7d1f-4b9e-a6c0-2f94d1b7e835"

/* The anthropic-version values the API accepts, NULL-terminated, and the one that removed temperature, top_p
 * and top_k and refuses document blocks in assistant turns and citations in user turns. */
extern const char *const mp_an_versions[];
#define MP_AN_VERSION_2026 "2026-10-21"

/* Bounds of a request that the response depends on (the rest is bounded by max_body). */
#define MP_AN_MAX_MODEL_LEN 256 /* "model: String should have at most 256 characters" */
#define MP_AN_MAX_TOOLS 128     /* tools offered in one request */
#define MP_AN_MAX_TOOL_NAME 128 /* "^[a-zA-Z0-9_-]{1,128}$" */
#define MP_AN_MIN_THINKING 1024 /* thinking.budget_tokens */
/* Words of the thought that comes before a tool call with thinking enabled (text answers think with half of
 * their planned tokens instead, see anthropic_render.c). */
#define MP_AN_TOOL_THOUGHT_WORDS 8

/* What parse keeps beyond mp_request_t (req->own; from the request's allocator). */
typedef struct mp_an_request {
    bool thinking;            /* thinking: {"type": "enabled"} */
    uint32_t thinking_budget; /* its budget_tokens */
    /* The final assistant message when it calls tools: its index + 1 (0: it calls none, or there is no assistant
     * message), the type of its first block, and whether that block is thinking or redacted_thinking (with
     * thinking on, the API requires it there: the loop must give the thought back). */
    uint32_t calls_turn;
    const char *calls_first;
    bool calls_thought;
} mp_an_request_t;

/* mp_provider_t.parse for /v1/messages and /v1/messages/count_tokens (anthropic_parse.c): Anthropic's
 * validation, with its "<field path>: <pydantic message>" wording. */
int mp_anthropic_parse(const mp_route_t *route, const char *body, size_t len, cm_json_toks_t *scratch,
                       const cm_allocator_t *a, mp_request_t *req, mp_error_t *err);

/* Renderers (anthropic_render.c): the Message object (or {"input_tokens":N} for count_tokens) and the named
 * event stream. */
void mp_an_render_body(mp_exchange_t *x, cm_buf_t *out);
void mp_an_render_head(mp_exchange_t *x, cm_buf_t *out);
void mp_an_render_step(mp_exchange_t *x, cm_buf_t *out);
void mp_an_render_tail(mp_exchange_t *x, cm_buf_t *out);

/* The largest response req could produce on dep, in bytes (anthropic_render.c, next to what it bounds), and
 * mp_provider_t.check_response over it: an Anthropic 400 when it is above the deployment's budget. */
uint64_t mp_an_response_bound(const mp_deployment_t *dep, const mp_request_t *req);
int mp_an_check_response(const mp_deployment_t *dep, const mp_request_t *req, mp_error_t *err);

#endif
