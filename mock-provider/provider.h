/* mock-provider/provider.h — the contract between the server core (sockets, timers, streaming, metrics)
 * and a provider shape (routes, request parsing, error catalogue, response renderers).
 *
 * A request flows: route -> auth -> parse -> [quota check, fault selection: later issues plug in here]
 * -> mp_exchange_begin (lengths decided) -> timing -> render (body, or head/steps/tail for a stream).
 * Providers differ by table (routes, error catalogue, header names) and by renderer; the core never
 * branches on which provider it serves. */
#ifndef MP_PROVIDER_H
#define MP_PROVIDER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/alloc.h"
#include "common/buf.h"
#include "common/dist.h"
#include "common/json.h"
#include "mock-provider/deployment.h"

typedef enum mp_api {
    MP_API_CHAT,
    MP_API_COMPLETIONS,
    MP_API_EMBEDDINGS,
    MP_API_RESPONSES,
    MP_API_MODELS,
    MP_API__COUNT,
} mp_api_t;

/* Metric label: "chat", "completions", "embeddings", "responses", "models". */
const char *mp_api_label(mp_api_t api);

typedef enum mp_error_kind {
    MP_ERR_BAD_REQUEST,     /* 400: a field is missing, of the wrong type or out of range (param names it) */
    MP_ERR_INVALID_JSON,    /* 400: the body is not JSON */
    MP_ERR_UNAUTHORIZED,    /* 401: missing or wrong API key */
    MP_ERR_NOT_FOUND,       /* 404: unknown path or method */
    MP_ERR_MODEL_NOT_FOUND, /* 404: model not served by this deployment */
    MP_ERR_TOO_LARGE,       /* 413: body over the deployment's limit */
    MP_ERR_SERVER,          /* 500 */
    MP_ERR_RATE_LIMITED,    /* 429: a quota or an injected rate-limit fault */
    MP_ERR_UNAVAILABLE,     /* 503: overloaded (injected faults; other 5xx statuses reuse MP_ERR_SERVER's shape) */
    MP_ERR__COUNT,
} mp_error_kind_t;

typedef struct mp_error {
    mp_error_kind_t kind;
    int status;        /* HTTP status; set by mp_error_set from the provider's catalogue */
    char param[64];    /* the offending field, "" for null */
    char message[512]; /* provider-shaped message text (unescaped; the renderer escapes it) */
    /* Added for the OpenAI shape (compatible: mp_error_set clears it): the provider's machine-readable code
     * when it depends on the case ("missing_required_parameter", "invalid_type"...); "" means the catalogue's
     * code for the kind. */
    char code[48];
} mp_error_t;

/* One entry of a provider's error catalogue, indexed by mp_error_kind_t. NULL strings render as null.
 * message is the provider's default wording; "%s" in it takes the argument of mp_error_preset (the model
 * name, the masked API key...). message_noarg is used instead when that argument is NULL or empty. */
typedef struct mp_error_entry {
    int status;
    const char *type;
    const char *code;
    const char *message;
    const char *message_noarg;
} mp_error_entry_t;

/* The provider-neutral view of a request, filled by a provider's parse. Slices point into the request
 * body (raw JSON string contents, still escaped, hence safe to paste inside quotes); arrays come from the
 * allocator given to parse. */
typedef struct mp_request {
    mp_api_t api;
    cm_str_t model;
    bool stream;
    bool include_usage;     /* stream_options.include_usage */
    uint32_t n;             /* choices; 1 unless the request sets n */
    int64_t max_tokens;     /* max_tokens, max_completion_tokens or max_output_tokens; -1 when absent */
    uint32_t prompt_tokens; /* estimate: see mp_estimate_tokens */
    cm_str_t echo;          /* last user text / prompt / input (for content: echo); may be empty */
    /* tools (chat, responses): set when at least one function tool is offered and tool_choice is not "none" */
    bool tools;
    cm_str_t tool_name;
    const char *tool_arguments; /* a JSON object built from the tool's parameter schema, NUL-terminated */
    /* Calls one answer may make (chat with parallel_tool_calls: the next function tools, in order): call 0
     * is tool_name / tool_arguments; ncalls is 0 without tools. */
    uint32_t ncalls;
    cm_str_t call_names[MP_MAX_PARALLEL_CALLS];
    const char *call_args[MP_MAX_PARALLEL_CALLS];
    /* embeddings */
    uint32_t ninputs;
    const uint64_t *input_hash; /* per input: hash of its raw bytes, seeds its vector */
    const uint32_t *input_tokens;
    bool base64;         /* encoding_format: "base64" */
    uint32_t dimensions; /* requested dimensions, 0 = the model's default */
    /* responses */
    cm_str_t instructions; /* raw; has_instructions false means null */
    bool has_instructions;
    double temperature, top_p; /* echoed in the Responses object (default 1.0) */
    /* Added for the OpenAI shape (compatible additions; the core does not need them): */
    bool tool_forced;          /* tool_choice "required" or a named function: answer with a tool call even when
                                  the deployment's tool_calls is off */
    bool parallel_tool_calls;  /* echoed in the Responses object (default true) */
    cm_str_t tools_json;       /* responses: raw JSON of tools, tool_choice and metadata for the echo; */
    cm_str_t tool_choice_json; /* empty when absent (the renderer writes the defaults) */
    cm_str_t metadata_json;
    /* Structured output (chat response_format, Responses text.format of type json_schema or json_object):
     * the JSON text the fake model answers with, NUL-terminated, or NULL for free text. */
    const char *structured;
    cm_str_t text_format_json; /* responses: raw JSON of text.format for the echo; empty when absent */
    bool after_tool_result;    /* the conversation ends with a tool result: the model answers in text */
    /* responses: echoed as sent (raw JSON text, empty when absent or null) */
    cm_str_t previous_response_id_json, user_json, service_tier_json;
    bool store;           /* default true */
    bool logprobs;        /* chat: logprobs: true */
    uint8_t top_logprobs; /* 0..20 alternatives per token */
    /* Legacy completions' logprobs: N sets logprobs and top_logprobs (N, 0..5); text_offset counts from the
     * end of each choice's prompt: its characters, per choice (0 for a prompt of token ids). */
    const uint32_t *prompt_chars;
} mp_request_t;

typedef enum mp_finish {
    MP_FINISH_STOP,
    MP_FINISH_LENGTH,
    MP_FINISH_TOOL_CALLS,
} mp_finish_t;

#define MP_MAX_CHOICES 128

/* One response being produced. Created by mp_exchange_begin; the per-choice arrays come from its
 * allocator. The core only reads `steps`; everything else belongs to the content generator and renderer. */
typedef struct mp_exchange {
    const mp_deployment_t *dep;
    const struct mp_provider *ops;
    const mp_request_t *req;
    char id[64];      /* "chatcmpl-...", "cmpl-...", "resp_..." */
    char item_id[64]; /* responses: the message or function-call item id */
    int64_t created;  /* unix seconds */
    uint64_t seed;    /* content seed for this exchange */
    uint32_t n;       /* choices */
    uint32_t *tokens; /* per choice: completion tokens to produce */
    mp_finish_t *finish;
    uint32_t *cursor;           /* per choice: tokens produced so far */
    size_t *echo_pos;           /* per choice: byte offset reached in the echo text (or in a tool call's arguments) */
    cm_buf_t *text;             /* per choice: text produced so far (escaped JSON string contents) */
    uint32_t steps;             /* max(tokens): stream steps; each step emits one token per unfinished choice */
    uint32_t step;              /* steps already rendered */
    uint32_t completion_tokens; /* sum of tokens */
    uint64_t seq;               /* responses stream: next sequence_number */
    bool structured;            /* text choices carry req->structured, streamed in pieces like tool-call arguments */
    uint8_t *calls;             /* per choice: tool calls in a tool-call answer (1 unless parallel) */
    size_t *call_end;           /* per choice, MP_MAX_PARALLEL_CALLS each: end of each call's arguments in text */
    uint64_t id_key;            /* unique per exchange and process: the ids (response, item, tool calls) come from it */
} mp_exchange_t;

/* Decides ids, created time, per-choice lengths (output_tokens model capped by max_tokens, or the echo
 * length) and finish reasons. rng is the calling thread's generator. */
void mp_exchange_begin(mp_exchange_t *x, const mp_deployment_t *dep, const mp_request_t *req, cm_rng_t *rng,
                       const cm_allocator_t *a);
/* Releases per-choice text buffers (the arrays themselves belong to the allocator). */
void mp_exchange_end(mp_exchange_t *x);

/* Header name/value pairs a provider adds to every response (static ones from its table). */
typedef struct mp_header {
    const char *name;
    const char *value;
} mp_header_t;

typedef struct mp_provider {
    const char *name;                  /* "openai" */
    const char *request_id_header;     /* "x-request-id" */
    const char *request_id_prefix;     /* "req_" */
    const char *processing_ms_header;  /* "openai-processing-ms", or NULL */
    const mp_header_t *static_headers; /* terminated by {NULL, NULL} */

    /* Maps a method and path (without query string) to an api. Returns 0, or -1 with err filled
     * (MP_ERR_NOT_FOUND, shaped like the provider's "Invalid URL (POST /v1/x)"). */
    int (*route)(const char *method, size_t mlen, const char *path, size_t plen, mp_api_t *api, mp_error_t *err);

    /* Validates the body for api and fills req. scratch is the thread's token storage for the JSON reader;
     * a allocates anything that must outlive the call. Returns 0, or -1 with err filled. */
    int (*parse)(mp_api_t api, const char *body, size_t len, cm_json_toks_t *scratch, const cm_allocator_t *a,
                 mp_request_t *req, mp_error_t *err);

    /* Renders an error body (the status is err->status). */
    void (*render_error)(const mp_error_t *err, cm_buf_t *out);
    /* GET models: the deployment's model list (or the requested model ids when it accepts any). */
    void (*render_models)(const mp_deployment_t *dep, cm_buf_t *out);

    /* Non-stream: produces every token and renders the whole body. */
    void (*render_body)(mp_exchange_t *x, cm_buf_t *out);
    /* Stream: frames before the first token (e.g. role chunk, response.created). */
    void (*render_head)(mp_exchange_t *x, cm_buf_t *out);
    /* Stream: produces the next step (one token per unfinished choice) and appends its frames.
     * Called x->steps times. */
    void (*render_step)(mp_exchange_t *x, cm_buf_t *out);
    /* Stream: the closing frames (finish chunk, usage chunk, data: [DONE] / response.completed). */
    void (*render_tail)(mp_exchange_t *x, cm_buf_t *out);

    /* Added for the OpenAI shape (compatible: NULL where a provider has none). */
    /* The error catalogue, MP_ERR__COUNT entries indexed by kind (see mp_error_preset). */
    const mp_error_entry_t *errors;
    /* GET models by path (without query string): the list for ".../models" (as render_models) or one model
     * for ".../models/{id}". Returns 0, or -1 with err filled (MP_ERR_MODEL_NOT_FOUND) and out untouched.
     * The core calls it for MP_API_MODELS when set, else render_models. */
    int (*render_models_at)(const mp_deployment_t *dep, const char *path, size_t plen, cm_buf_t *out, mp_error_t *err);
} mp_provider_t;

/* Fills err->kind, err->status (from the provider's catalogue: 400, 401, 404, 413, 500...), err->param and
 * a formatted message. */
void mp_error_set(mp_error_t *err, mp_error_kind_t kind, const char *param, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* Fills err entirely from p's catalogue for kind, in the provider's own words: arg is the model name for
 * MP_ERR_MODEL_NOT_FOUND, the API key received for MP_ERR_UNAUTHORIZED (masked here, never echoed whole;
 * NULL or "" when none was sent), a size for MP_ERR_TOO_LARGE; NULL elsewhere. */
void mp_error_preset(const mp_provider_t *p, mp_error_t *err, mp_error_kind_t kind, const char *arg);

/* The provider table for a kind (never NULL for a valid kind). */
const mp_provider_t *mp_provider_for(mp_provider_kind_t kind);

/* Token estimate used for prompt_tokens and TPM: ceil(bytes / 4) of the text, the common rule of thumb for
 * English with BPE tokenizers (documented in docs/mock-openai.md). */
uint32_t mp_estimate_tokens(size_t bytes);

/* Embedding vector for one input: dims floats, deterministic in (hash, dims), unit length. */
void mp_embedding_vector(uint64_t hash, uint32_t dims, float *out);
/* Default dimensions for a model name (text-embedding-3-small 1536, -3-large 3072, ada-002 1536), else dflt. */
uint32_t mp_embedding_default_dims(cm_str_t model, uint32_t dflt);

#endif
