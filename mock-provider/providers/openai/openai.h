/* mock-provider/providers/openai/openai.h — the OpenAI shape's internal interface (soak_mp_providers only): the
 * provider table, and the parse and render entry points it is made of. The core reaches them through
 * mp_provider_for(MP_PROVIDER_OPENAI); Azure OpenAI reuses them with its own table. */
#ifndef MP_PROVIDERS_OPENAI_H
#define MP_PROVIDERS_OPENAI_H

#include "mock-provider/provider.h"
#include "mock-provider/providers/openai/openai_check.h"

extern const mp_provider_t mp_openai_provider;
extern const mp_provider_t mp_azure_provider;

/* What a provider of the OpenAI family changes in the shared parse and render code: its table's `own`
 * (NULL for OpenAI itself). */
typedef struct mp_oa_flavor {
    bool content_filters; /* Azure: prompt_filter_results, content_filter_results, the leading filter chunk */
    uint32_t frame_extra; /* the most bytes that adds to one frame, for the response budget */
    uint32_t body_extra;  /* and to a whole response */
} mp_oa_flavor_t;

/* The OpenAI shape's own view of a request (mp_request_t.own): what only its renderers echo or use. parse
 * allocates it; a request built without parse (tests) reads the defaults through mp_oa_req. */
typedef struct mp_oa_request {
    bool include_usage;        /* stream_options.include_usage */
    bool reasoning;            /* chat: a reasoning_effort other than "none" (openai_render.c: reasoning_content);
                                  responses: a reasoning.effort other than "none" (openai_responses.c) */
    bool encrypted_reasoning;  /* responses: include "reasoning.encrypted_content" */
    /* chat's reasoning_effort or responses' reasoning.effort, and responses' reasoning.summary (or
     * generate_summary), as sent: static strings from the lists of accepted values; NULL when absent or null */
    const char *reasoning_effort, *reasoning_summary;
    bool parallel_tool_calls;  /* echoed in the Responses object (default true) */
    bool store;                /* responses: echoed (default true) */
    bool logprobs;             /* chat: logprobs: true; responses: include message.output_text.logprobs */
    uint8_t top_logprobs;      /* 0..20 alternatives per token */
    bool has_instructions;     /* responses: false means null */
    cm_str_t instructions;     /* raw */
    cm_str_t tools_json;       /* responses: raw JSON of tools, tool_choice, metadata and text.format for the */
    cm_str_t tool_choice_json; /* echo; empty when absent (the renderer writes the defaults) */
    cm_str_t metadata_json;
    cm_str_t text_format_json;
    /* responses: echoed as sent (raw JSON text, empty when absent or null) */
    cm_str_t previous_response_id_json, user_json, service_tier_json;
    /* Legacy completions' logprobs: N sets logprobs and top_logprobs (N, 0..5); text_offset counts from the
     * end of each choice's prompt: its characters, per choice (0 for a prompt of token ids). */
    const uint32_t *prompt_chars;
} mp_oa_request_t;

/* The OpenAI view of req: its own, or the defaults when it has none. */
const mp_oa_request_t *mp_oa_req(const mp_request_t *req);

/* The response bound of an OpenAI-family request (openai_budget.c): upper bound, in bytes, of the body (or
 * whole stream) that answers req on dep. Valid for requests that parse; models listings answer 0. */
uint64_t mp_oa_response_bound(const mp_deployment_t *dep, const mp_request_t *req);
/* mp_provider_t.check_response of OpenAI and Azure: 0 when the bound is within the budget (budget.h), else
 * -1 with err filled: a 400 invalid_request_error, code "response_too_large", param the parameter to lower
 * ("n", "input", "tools" or null) and a message with the bound, the budget and what makes it large. */
int mp_oa_response_check(const mp_deployment_t *dep, const mp_request_t *req, mp_error_t *err);

/* The flavor of x's provider, never NULL (OpenAI's own when the table has none). */
const mp_oa_flavor_t *mp_oa_flavor(const mp_provider_t *ops);
/* The catalogue: kind -> status, type, code, default message (see openai.c). */
extern const mp_error_entry_t mp_openai_errors[MP_ERR__COUNT];

/* mp_provider_t.parse for every OpenAI api (openai_parse.c). */
int mp_openai_parse(const mp_route_t *route, const char *body, size_t len, cm_json_toks_t *scratch,
                    const cm_allocator_t *a, mp_request_t *req, mp_error_t *err);

/* Rate limits (openai_ratelimit.c): mp_provider_t.rate_headers and rate_error of OpenAI and Azure. */
struct mp_quota_decision;
void mp_openai_rate_headers(const mp_deployment_t *dep, const struct mp_quota_decision *d, bool refused,
                            mp_header_fn add, void *ctx);
void mp_openai_rate_error(const mp_deployment_t *dep, const mp_request_t *req, const struct mp_quota_decision *d,
                          mp_error_t *err);
void mp_azure_rate_headers(const mp_deployment_t *dep, const struct mp_quota_decision *d, bool refused,
                           mp_header_fn add, void *ctx);
void mp_azure_rate_error(const mp_deployment_t *dep, const mp_request_t *req, const struct mp_quota_decision *d,
                         mp_error_t *err);

/* mp_provider_t.render_models: the deployment's models, or a default catalogue when it accepts any. */
void mp_openai_render_models(const mp_deployment_t *dep, cm_buf_t *out);

/* mp_provider_t.make_ids: chatcmpl-, cmpl-, resp_ with msg_ or fc_ items (openai.c). */
void mp_openai_make_ids(mp_exchange_t *x, bool tool);

/* The embeddings request (openai_embeddings.c), called by mp_openai_parse with the document parsed. */
int mp_oa_parse_embeddings(mp_oa_ctx_t *c);

/* Per-api checks after the field scan (openai_messages.c, openai_tools.c). Each returns 0 or -1 with
 * c->err filled. */
int mp_oa_chat_messages(mp_oa_ctx_t *c, uint32_t messages);
int mp_oa_responses_input(mp_oa_ctx_t *c, uint32_t input, uint32_t instructions);
/* tools and tool_choice; nested is true for chat ({"type":"function","function":{...}}), false for the
 * Responses API's flat {"type":"function","name":...}. */
int mp_oa_tools(mp_oa_ctx_t *c, uint32_t tools, uint32_t tool_choice, bool nested);

/* Structured output (openai_format.c): chat response_format and the Responses API's text (its format),
 * each 0 when absent. Validates them with OpenAI's errors (strict schemas included) and sets
 * req->structured (and req->text_format_json) when the answer is JSON. */
int mp_oa_response_format(mp_oa_ctx_t *c, uint32_t response_format);
int mp_oa_text_format(mp_oa_ctx_t *c, uint32_t text);
/* The strict-mode rules for a schema (root an object; every object with additionalProperties false and
 * every property required). Returns 0, or -1 with why set to OpenAI's wording after the owner's name, e.g.
 * "In context=('properties', 'a'), 'additionalProperties' is required to be supplied and to be false.". */
int mp_oa_strict_schema(const cm_json_doc_t *d, uint32_t schema, char *why, size_t whylen);

/* Renderers dispatching on x->req->api (openai_render.c; Responses in openai_responses.c). */
void mp_openai_render_body(mp_exchange_t *x, cm_buf_t *out);
void mp_openai_render_head(mp_exchange_t *x, cm_buf_t *out);
void mp_openai_render_step(mp_exchange_t *x, cm_buf_t *out);
void mp_openai_render_tail(mp_exchange_t *x, cm_buf_t *out);

void mp_oa_embeddings_body(mp_exchange_t *x, cm_buf_t *out);
void mp_oa_responses_body(mp_exchange_t *x, cm_buf_t *out);
void mp_oa_responses_head(mp_exchange_t *x, cm_buf_t *out);
void mp_oa_responses_step(mp_exchange_t *x, cm_buf_t *out);
void mp_oa_responses_tail(mp_exchange_t *x, cm_buf_t *out);
/* A Responses stream's in-stream error: the typed `error` event, flat ({type, code, message, param,
 * sequence_number}) and numbered after the events before it (openai_responses.c). */
void mp_oa_responses_error(mp_exchange_t *x, const mp_error_t *err, cm_buf_t *out);
/* The OpenAI and Azure stream_error hook: the Responses error event on a Responses stream, else the provider's
 * error object as one data: frame (the chat and completions form, which the SDKs raise). */
void mp_oa_render_stream_error(mp_exchange_t *x, const mp_error_t *err, cm_buf_t *out);

/* Chat logprobs (openai_logprobs.c): one entry for token number index of choice c (escaped text), and the
 * whole {"content":[...],"refusal":null} of a choice's text for a body. */
void mp_oa_put_logprob_entry(const mp_exchange_t *x, uint32_t c, uint32_t index, cm_str_t token, cm_buf_t *out);
void mp_oa_put_choice_logprobs(const mp_exchange_t *x, uint32_t c, cm_buf_t *out);
/* The entries of every token of choice c's text, comma-separated (Responses' output_text.logprobs). */
void mp_oa_put_logprob_entries(const mp_exchange_t *x, uint32_t c, cm_buf_t *out);

/* Legacy completions logprobs (openai_logprobs.c): {"tokens","token_logprobs","top_logprobs","text_offset"} for
 * the tokens of text (escaped), the tokens of choice c numbered from first on, offsets counted from offset (in
 * characters). A body passes a choice's whole text, a stream chunk its own token, a closing chunk nothing. */
void mp_oa_put_legacy_logprobs(const mp_exchange_t *x, uint32_t c, uint32_t first, cm_str_t text, size_t offset,
                               cm_buf_t *out);
/* Characters (code points) of escaped JSON string contents. */
size_t mp_oa_text_chars(cm_str_t escaped);

/* The usage object of chat and completions ({"prompt_tokens":..,"total_tokens":..,"..._details"}). */
void mp_oa_put_usage(const mp_exchange_t *x, cm_buf_t *out, bool details);
/* Reasoning (openai_render.c), shared by chat and the Responses API. Whether x's answer reasons first: a
 * one-choice answer (text, tool call or structured output) to a request that asked for reasoning, or on a
 * deployment with reasoning: true. */
bool mp_oa_reasons(const mp_exchange_t *x);
/* mp_provider_t.plan of OpenAI and Azure: plans the reasoning of x when it reasons (mp_plan_reasoning). */
void mp_oa_plan(mp_exchange_t *x, cm_rng_t *rng);
/* Tokens of x's answer spent reasoning (counted in reasoning_tokens, inside the output count); 0 unless x
 * reasons. */
uint32_t mp_oa_reasoning_tokens(const mp_exchange_t *x);

#endif
