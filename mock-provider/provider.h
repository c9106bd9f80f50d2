/* mock-provider/provider.h — the contract between the server core (sockets, timers, streaming, quotas,
 * faults, metrics) and a provider shape (routes, authentication, request parsing, ids, error catalogue,
 * response renderers, its own deployment settings).
 *
 * A request flows: route (method, path, query: what the path carries) -> auth (the provider's own headers)
 * -> parse (the body, with the route) -> model check -> response budget -> [quota admission] -> faults ->
 * mp_exchange_begin (lengths decided, ids and the reasoning share from the provider) -> timing -> render (body,
 * or head/steps/tail for a stream). The core sees requests only through mp_http_t and mp_request_t, and never
 * branches on which provider it serves: what differs is in the provider's table. */
#ifndef MP_PROVIDER_H
#define MP_PROVIDER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "common/alloc.h"
#include "common/buf.h"
#include "common/dist.h"
#include "common/json.h"
#include "mock-provider/deployment.h"

/* What a request asks for, across providers; the metric label of mock_requests_total{api}. A provider maps
 * its own paths onto these (Azure's chat is MP_API_CHAT, Gemini's embedContent MP_API_EMBEDDINGS). */
typedef enum mp_api {
    MP_API_CHAT,
    MP_API_COMPLETIONS,
    MP_API_EMBEDDINGS,
    MP_API_RESPONSES,
    MP_API_MODELS,
    MP_API_MESSAGES,     /* Anthropic Messages */
    MP_API_GENERATE,     /* Gemini / Vertex generateContent and streamGenerateContent */
    MP_API_COUNT_TOKENS, /* count_tokens / countTokens: answered at once, no generation */
    MP_API__COUNT,
} mp_api_t;

/* Metric label: "chat", "completions", "embeddings", "responses", "models", "messages", "generate_content",
 * "count_tokens". */
const char *mp_api_label(mp_api_t api);

/* How the core times an api's answer (run.h has the timing model). */
typedef enum mp_api_timing {
    MP_TIMING_TOKENS,  /* generation: prefill, time to first token, a gap per token (streamed or not) */
    MP_TIMING_PREFILL, /* embeddings: one body after prefill and time to first token */
    MP_TIMING_AT_ONCE, /* listings and token counts: answered in the handler's call */
} mp_api_timing_t;
mp_api_timing_t mp_api_timing(mp_api_t api);

/* The parts of an HTTP request a provider reads to route and authenticate it. Strings are not
 * NUL-terminated and live as long as the request. */
typedef struct mp_http {
    cm_str_t method;
    cm_str_t path;  /* without the query string */
    cm_str_t query; /* after '?', raw (percent-encoded); empty when none */
    /* The first value of a header (name in lower case), {NULL, 0} when absent. */
    cm_str_t (*header)(const struct mp_http *http, const char *name);
    const void *impl; /* the server's request, for header() */
} mp_http_t;

/* The first value of a query parameter (raw, still percent-encoded). Returns false when absent. */
bool mp_http_query(const mp_http_t *http, const char *name, cm_str_t *value);

/* What route found in the method, path and query, kept for parse and the renderers. */
typedef struct mp_route {
    mp_api_t api;
    bool stream;      /* the path asks for a stream (Gemini :streamGenerateContent); parse may also set it */
    uint8_t variant;  /* the provider's own sub-kind (a stream dialect, a path family); 0 by default */
    cm_str_t model;   /* a model named by the path (Gemini models/{m}), empty when the body names it */
    cm_str_t target;  /* a deployment named by the path (Azure deployments/{d}), empty otherwise */
    cm_str_t version; /* an API version from the query or a header (Azure api-version), empty otherwise */
    /* Content-Type of a streamed answer; NULL means text/event-stream (Gemini's streamGenerateContent without
     * alt=sse streams a JSON array as application/json). */
    const char *stream_content_type;
} mp_route_t;

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
    /* The response's request id (the provider's request-id header value), set by the core before
     * render_error, for shapes that repeat it in the body (Anthropic's "request_id"); NULL when unknown. */
    const char *request_id;
    /* The provider's error type when it depends on the case (OpenAI's 429 says "requests" or "tokens"); ""
     * means the catalogue's type for the kind. */
    char type[32];
    /* What the path carried, set by the core before render_error once the request was routed (NULL before),
     * for shapes that depend on it (Google's errors on a JSON-array stream are arrays; its NOT_FOUND names
     * the path's model). */
    const struct mp_route *route;
    /* The wait a 429 or 503 asks for, in ms, when known (a fault's retry_after), for shapes that say it in the
     * body (Google's RetryInfo); 0 when unknown. */
    uint64_t retry_after_ms;
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

/* Most stop sequences a request may carry: OpenAI takes 4, Google 5; Anthropic documents no limit, so this is
 * the mock's own (over it, a 400): matching costs the answer's length once per sequence. */
#define MP_MAX_STOP_SEQUENCES 16

/* The provider-neutral view of a request, filled by a provider's parse. Slices point into the request
 * body (raw JSON string contents, still escaped, hence safe to paste inside quotes); arrays come from the
 * allocator given to parse. */
typedef struct mp_request {
    mp_api_t api;
    const mp_route_t *route; /* what the path carried (set by the core before parse) */
    /* The provider's own view of what it parsed beyond these fields (echoes, dialect details), from the
     * allocator given to parse; only its renderers read it. NULL when it keeps none. */
    const void *own;
    cm_str_t model;
    bool stream;
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
    bool base64;               /* encoding_format: "base64" */
    uint32_t dimensions;       /* requested dimensions, 0 = the model's default */
    double temperature, top_p; /* sampling, as sent (default 1.0) */
    /* Added for the tool and structured-output shapes (compatible additions; the core does not need them): */
    bool tool_forced; /* tool_choice "required" or a named function: answer with a tool call even when
                         the deployment's tool_calls is off */
    /* Structured output (chat response_format, Responses text.format of type json_schema or json_object,
     * Gemini's responseSchema): the JSON text the fake model answers with, NUL-terminated, or NULL for free
     * text. */
    const char *structured;
    bool after_tool_result; /* the conversation ends with a tool result: the model answers in text */
    /* Stop sequences (chat and completions stop, Anthropic stop_sequences, Gemini stopSequences) as raw slices
     * of the request's strings (still escaped); the parsers cap their count (mp_stop_add). */
    uint32_t nstop;
    cm_str_t stop[MP_MAX_STOP_SEQUENCES];
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
    char item_id[64]; /* responses: the message or function-call item id; Vertex: the createTime stamp */
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
    uint32_t chunk;             /* steps the next render_step renders as one chunk (tokens_per_chunk); 0 or 1: one */
    uint32_t completion_tokens; /* sum of tokens */
    uint64_t seq;               /* responses stream: next sequence_number */
    bool structured;            /* text choices carry req->structured, streamed in pieces like tool-call arguments */
    uint8_t *calls;             /* per choice: tool calls in a tool-call answer (1 unless parallel) */
    size_t *call_end;           /* per choice, MP_MAX_PARALLEL_CALLS each: end of each call's arguments in text */
    uint64_t id_key;            /* unique per exchange and process: the ids (response, item, tool calls) come from it */
    /* Stop sequences (NULL without any): per choice, the length of text[c] at which a stop sequence begins
     * (SIZE_MAX when none does) and 1 + the index in req->stop of that sequence (0 when none). */
    size_t *cut;
    uint8_t *stopped;
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

struct cm_conf;
struct cm_node;
struct cm_err;
struct mp_quota_decision;

/* Adds one response header: name a lower-case string that lives as long as the process (a literal), value
 * copied. */
typedef void (*mp_header_fn)(void *ctx, const char *name, const char *value, size_t len);

typedef struct mp_provider {
    const char *name;                  /* "openai": the value of a deployment's provider: key */
    const char *request_id_header;     /* "x-request-id" */
    const char *request_id_header2;    /* a second header with the same id, or NULL: Azure sends x-request-id
                                          next to apim-request-id, and the OpenAI SDKs read the request id of
                                          results and errors from x-request-id only */
    const char *request_id_prefix;     /* "req_" */
    uint8_t request_id_base62;         /* the id after the prefix: this many base62 characters (Anthropic's
                                          "req_011C" + 20); 0: 32 lower-case hex digits */
    const char *processing_ms_header;  /* "openai-processing-ms", or NULL */
    bool retry_after_ms;               /* its 429s carry retry-after-ms next to retry-after (Azure), also the
                                          429s of faults */
    const mp_header_t *static_headers; /* terminated by {NULL, NULL} */
    const char *base_path;             /* appended to http://host:port for the api_base clients are given:
                                          "/v1" (OpenAI), "" (Azure: the SDKs' endpoint) */
    const char *litellm_prefix;        /* LiteLLM's provider prefix in a model_list entry: "openai", "azure" */
    /* Writes the provider's own litellm_params lines (6 spaces of indent; Azure's api_version), or NULL. */
    void (*litellm_params)(const mp_deployment_t *dep, FILE *out);
    /* The api_base LiteLLM needs for model when it is not http://host:port + base_path (Gemini: /v1beta;
     * Vertex: the path up to the model), written into out from host (http://host:port); NULL: the default. */
    void (*litellm_api_base)(const mp_deployment_t *dep, const char *host, const char *model, char *out, size_t cap);
    const void *own; /* the provider's private data for its own code (Azure: its flavor of
                        the OpenAI renderers); the core never reads it */

    /* Maps a request line to an api and what the path carries. Returns 0, or -1 with err filled (the
     * provider's own 404 or 400, e.g. OpenAI's "Invalid URL (POST /v1/x)", Azure's missing api-version). */
    int (*route)(const mp_http_t *http, mp_route_t *route, mp_error_t *err);

    /* Finds the API key the request presents in the provider's own headers (or query) and checks it against
     * the deployment's keys (mp_key_accepted). *key is set to what was presented, {NULL, 0} when nothing,
     * also when the deployment accepts any key (faults target keys). Returns 0, or -1 with err filled. */
    int (*auth)(const mp_http_t *http, const mp_route_t *route, const mp_deployment_t *dep, cm_str_t *key,
                mp_error_t *err);

    /* Validates the body for route->api and fills req (req->api and req->route are set by the caller).
     * scratch is the thread's token storage for the JSON reader; a allocates anything that must outlive the
     * call. Returns 0, or -1 with err filled. */
    int (*parse)(const mp_route_t *route, const char *body, size_t len, cm_json_toks_t *scratch,
                 const cm_allocator_t *a, mp_request_t *req, mp_error_t *err);

    /* The largest response req could produce against the deployment's budget (providers/budget.h): 0, or -1
     * with err filled in the provider's words. NULL: no check (the provider's answers are bounded by
     * construction). */
    int (*check_response)(const mp_deployment_t *dep, const mp_request_t *req, mp_error_t *err);

    /* Writes x->id and x->item_id from x->id_key (unique per exchange and process) in the provider's own
     * forms; tool is true when the answer is a tool call. */
    void (*make_ids)(mp_exchange_t *x, bool tool);

    /* Called at the end of mp_exchange_begin, for the apis that produce tokens, before the core reads x's steps
     * and token counts: the provider's own changes to the plan (a reasoning answer's share of reasoning tokens;
     * see mp_plan_reasoning in providers/content.h). rng is the calling thread's generator. NULL: none. */
    void (*plan)(mp_exchange_t *x, cm_rng_t *rng);

    /* Renders an error body (the status is err->status). */
    void (*render_error)(const mp_error_t *err, cm_buf_t *out);
    /* GET models: the deployment's model list (or the requested model ids when it accepts any). */
    void (*render_models)(const mp_deployment_t *dep, cm_buf_t *out);

    /* Non-stream: produces every token and renders the whole body. */
    void (*render_body)(mp_exchange_t *x, cm_buf_t *out);
    /* Stream: frames before the first token (e.g. role chunk, response.created). */
    void (*render_head)(mp_exchange_t *x, cm_buf_t *out);
    /* Stream: produces the next x->chunk steps (that many tokens per unfinished choice, in one chunk per
     * choice) and appends their frames; advances x->step by x->chunk. Called until x->step reaches
     * x->steps. */
    void (*render_step)(mp_exchange_t *x, cm_buf_t *out);
    /* Stream: the closing frames (finish chunk, usage chunk, data: [DONE] / response.completed). */
    void (*render_tail)(mp_exchange_t *x, cm_buf_t *out);
    /* Stream: the provider's own error event that ends a stream after a 200 (a stream_error fault), e.g.
     * Anthropic's event: error, the Responses API's typed error event. NULL: render_error's body as one data:
     * frame (Google's form). */
    void (*render_stream_error)(mp_exchange_t *x, const mp_error_t *err, cm_buf_t *out);

    /* Added for the OpenAI shape (compatible: NULL where a provider has none). */
    /* The error catalogue, MP_ERR__COUNT entries indexed by kind (see mp_error_preset). */
    const mp_error_entry_t *errors;
    /* GET models by path (without query string): the list for ".../models" (as render_models) or one model
     * for ".../models/{id}". Returns 0, or -1 with err filled (MP_ERR_MODEL_NOT_FOUND) and out untouched.
     * The core calls it for MP_API_MODELS when set, else render_models. */
    int (*render_models_at)(const mp_deployment_t *dep, const char *path, size_t plen, cm_buf_t *out, mp_error_t *err);

    /* Rate limits (a deployment with limits:, quota.h decides). rate_headers adds the provider's rate-limit
     * headers from a decision: on every admitted answer, and with the retry headers on a refusal (refused
     * true; the policy is dep->limits.retry_after). rate_error fills the 429 of a refusal by requests or
     * tokens in the provider's words. NULL: no headers / the catalogue's generic 429. */
    void (*rate_headers)(const mp_deployment_t *dep, const struct mp_quota_decision *d, bool refused, mp_header_fn add,
                         void *ctx);
    void (*rate_error)(const mp_deployment_t *dep, const mp_request_t *req, const struct mp_quota_decision *d,
                       mp_error_t *err);

    /* The provider's own deployment settings: keys a deployment of this provider accepts beyond the common
     * ones (NULL-terminated; NULL when none), read by read_config, which stores what it reads in
     * dep->provider_cfg (freed by free_config). path is the deployment's key path for errors
     * ("mock.deployments[2]"). Returns 0, or -1 with err filled (file:line:col). */
    const char *const *config_keys;
    int (*read_config)(const struct cm_conf *conf, const struct cm_node *node, const char *path, mp_deployment_t *dep,
                       struct cm_err *err);
    void (*free_config)(mp_deployment_t *dep);
} mp_provider_t;

/* Fills err->kind, err->status and err->param as mp_error_set does, with an empty message for the caller to
 * write (the 429 of a refusal builds its message without printf: mp_text_t in quota_format.h). */
void mp_error_begin(mp_error_t *err, mp_error_kind_t kind, const char *param);

/* Fills err->kind, err->status (from the provider's catalogue: 400, 401, 404, 413, 500...), err->param and
 * a formatted message. */
void mp_error_set(mp_error_t *err, mp_error_kind_t kind, const char *param, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* Fills err entirely from p's catalogue for kind, in the provider's own words: arg is the model name for
 * MP_ERR_MODEL_NOT_FOUND, the API key received for MP_ERR_UNAUTHORIZED (masked here, never echoed whole;
 * NULL or "" when none was sent), a size for MP_ERR_TOO_LARGE; NULL elsewhere. */
void mp_error_preset(const mp_provider_t *p, mp_error_t *err, mp_error_kind_t kind, const char *arg);

/* The provider table for a kind (NULL for an invalid kind). */
const mp_provider_t *mp_provider_for(mp_provider_kind_t kind);
/* The kind whose table is named name ("openai"); returns false when none is. */
bool mp_provider_named(const char *name, mp_provider_kind_t *kind);
/* The names served, comma-separated ("openai, ..."), for error messages; truncated to cap. */
void mp_provider_names(char *out, size_t cap);

/* Whether key is one of the deployment's API keys (always true when it lists none). */
bool mp_key_accepted(const mp_deployment_t *dep, cm_str_t key);
/* The credentials of "Bearer K" (scheme case-insensitive, as RFC 7235 says, blanks after it skipped); any
 * other value is returned whole, so that a 401 can show what was sent. */
cm_str_t mp_bearer_token(cm_str_t authorization);

/* Token estimate used for prompt_tokens and TPM: ceil(bytes / 4) of the text, the common rule of thumb for
 * English with BPE tokenizers (documented in docs/mock-openai.md). */
uint32_t mp_estimate_tokens(size_t bytes);

/* Embedding vector for one input: dims floats, deterministic in (hash, dims), unit length. */
void mp_embedding_vector(uint64_t hash, uint32_t dims, float *out);
/* Default dimensions for a model name (text-embedding-3-small 1536, -3-large 3072, ada-002 1536), else dflt. */
uint32_t mp_embedding_default_dims(cm_str_t model, uint32_t dflt);

#endif
