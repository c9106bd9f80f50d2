/* mock-provider/providers/gemini.h — Google's shape (internal to soak_mp_providers): the Gemini API
 * (generativelanguage, `provider: gemini`) and Vertex AI (aiplatform, `provider: vertex`) share one
 * implementation; what differs is in a flavor (mp_gm_flavor_t) behind each table's `own`.
 *
 * Files: gemini.c (tables, routes, auth, ids, deployment keys), gemini_error.c (error bodies and the
 * catalogues), gemini_json.c (Google's two JSON layouts), gemini_parse.c (the request's top level and
 * generationConfig), gemini_contents.c (contents, systemInstruction, tools), gemini_schema.c (OpenAPI-subset
 * schemas to JSON Schema, tool arguments and structured output), gemini_embed.c (embeddings),
 * gemini_render.c (generateContent bodies and streams, countTokens, the response bound), gemini_thinking.c
 * (thinkingConfig and the thought share of an answer), gemini_models.c (model listings). */
#ifndef MP_PROVIDERS_GEMINI_H
#define MP_PROVIDERS_GEMINI_H

#include <stdbool.h>
#include <stdint.h>

#include "common/buf.h"
#include "common/json.h"
#include "mock-provider/provider.h"

extern const mp_provider_t mp_gemini_provider;
extern const mp_provider_t mp_vertex_provider;
/* The two error catalogues (gemini_error.c). */
extern const mp_error_entry_t mp_gm_gemini_errors[MP_ERR__COUNT];
extern const mp_error_entry_t mp_gm_vertex_errors[MP_ERR__COUNT];

/* What the Gemini API and Vertex AI do differently. */
typedef struct mp_gm_flavor {
    bool vertex;
    const char *proto_package;          /* "google.ai.generativelanguage.v1beta", in type errors */
    const char *service;                /* "generativelanguage.googleapis.com", in error details */
    const mp_error_entry_t *errors;     /* MP_ERR__COUNT entries */
    const struct mp_provider *provider; /* the table this flavor belongs to */
} mp_gm_flavor_t;

/* The flavor of a provider table (Gemini's when ops is NULL or not Google's). */
const mp_gm_flavor_t *mp_gm_flavor(const mp_provider_t *ops);

/* Route variants (mp_route_t.variant): the stream dialect and the embeddings request kind, plus a bit that
 * says the route is Vertex's (parse words type names in its package). */
#define MP_GM_V_VERTEX 0x80
#define MP_GM_KIND(variant) ((variant)&0x7f)
enum {
    MP_GM_V_PLAIN = 0,
    MP_GM_V_SSE = 1,     /* :streamGenerateContent?alt=sse */
    MP_GM_V_ARRAY = 2,   /* :streamGenerateContent without alt: one JSON array, streamed */
    MP_GM_V_EMBED = 3,   /* :embedContent */
    MP_GM_V_BATCH = 4,   /* :batchEmbedContents */
    MP_GM_V_PREDICT = 5, /* Vertex :predict */
};

/* Error detail selectors carried in mp_error_t.code; render_error turns them into Google's details. */
#define MP_GM_D_NONE "none"                   /* no details, whatever the catalogue says */
#define MP_GM_D_FIELD "field"                 /* google.rpc.BadRequest, field violation on err->param */
#define MP_GM_D_KEY_INVALID "API_KEY_INVALID" /* google.rpc.ErrorInfo with this reason, and so on */
#define MP_GM_D_NO_CREDENTIALS "CREDENTIALS_MISSING"
#define MP_GM_D_BAD_TOKEN "ACCESS_TOKEN_TYPE_UNSUPPORTED"
#define MP_GM_D_IAM "IAM_PERMISSION_DENIED"

/* Request limits: each is a count a request controls, refused with a 400 past it. */
#define MP_GM_MAX_CANDIDATES 8     /* generationConfig.candidateCount (Google documents 1 to 8) */
#define MP_GM_MAX_STOP_SEQUENCES 5 /* generationConfig.stopSequences (Google documents 5) */
#define MP_GM_MAX_FUNCTIONS 512    /* function declarations over all tools */
#define MP_GM_MAX_BATCH 100        /* batchEmbedContents requests (Google's limit) */
#define MP_GM_MAX_INSTANCES 250    /* Vertex :predict instances (Google's limit for text embeddings) */
#define MP_GM_MAX_MODEL_LEN 256    /* a model id in the path */
#define MP_GM_MAX_DIMENSIONS 3072  /* outputDimensionality */
/* thinkingConfig.thinkingBudget: -1 (dynamic), 0 (off) or up to 32768, the widest range Google documents (2.5
 * Pro; Flash takes up to 24576): the mock does not know which model a name stands for. */
#define MP_GM_MAX_THINKING_BUDGET 32768

/* What the renderers need beyond mp_request_t (its `own`). */
typedef struct mp_gm_own {
    uint64_t prompt_bytes;       /* text of the prompt: Vertex's billable characters */
    const uint32_t *input_bytes; /* embeddings: bytes of each input */
    /* generationConfig.thinkingConfig (gemini_thinking.c) */
    bool budget_set;         /* thinkingBudget given */
    int32_t thinking_budget; /* -1 dynamic, 0 off, else at most that many thought tokens */
    bool thinking_level;     /* a thinkingLevel other than THINKING_LEVEL_UNSPECIFIED */
    bool include_thoughts;   /* send the thoughts as parts with thought: true */
} mp_gm_own_t;

/* The parse context of one request. */
typedef struct mp_gm_ctx {
    cm_json_doc_t d;
    const cm_allocator_t *a;
    const mp_gm_flavor_t *fl;
    mp_request_t *req;
    mp_error_t *err;
    uint64_t convo_hash; /* of the contents, seeds tool arguments and structured output */
} mp_gm_ctx_t;

/* ---- validation helpers (gemini_parse.c) ------------------------------------------------------------ */

/* The request's own view, allocated on first use. */
mp_gm_own_t *mp_gm_own(mp_gm_ctx_t *c);

typedef enum mp_gm_type {
    MP_GM_ANY,
    MP_GM_STRING,
    MP_GM_INT,
    MP_GM_FLOAT,
    MP_GM_BOOL,
    MP_GM_OBJECT, /* a message: type names it ("GenerationConfig") */
    MP_GM_LIST,   /* a repeated field: type names its element ("Content", or "TYPE_STRING") */
    MP_GM_MAP,    /* a map or a free-form Struct (args, labels, response) */
} mp_gm_type_t;

/* A field of a message: its JSON (camelCase) and proto (snake_case) names, both accepted as Google's JSON
 * parser does; its type; and the slot its value goes to (index into the caller's array, -1 for none). */
typedef struct mp_gm_field {
    const char *json, *proto;
    uint8_t type;
    int8_t slot;
    const char *type_name;
} mp_gm_field_t;

/* Checks every member of object obj against fields (unknown names, JSON types) and stores the value token of
 * each slotted field in slots (0 when absent or null). where is the proto path of obj ("" at the top,
 * "generation_config"), for the messages. Returns 0, or -1 with c->err filled in Google's words. */
int mp_gm_scan(mp_gm_ctx_t *c, uint32_t obj, const char *where, const mp_gm_field_t *fields, size_t nfields,
               uint32_t *slots);
/* A 400 INVALID_ARGUMENT with message fmt; field, when not NULL, is the proto path the violation names. */
int mp_gm_invalid(mp_gm_ctx_t *c, const char *field, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* "Invalid value at 'path' (TYPE), <value>" for a value of the wrong type or out of an enum. */
int mp_gm_bad_value(mp_gm_ctx_t *c, const char *path, const char *type_name, uint32_t value);
/* A proto path from a format ("contents[2].parts"); truncation is harmless. */
void mp_gm_path(char *out, size_t cap, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* ---- request parts (gemini_contents.c, gemini_schema.c, gemini_embed.c) --------------------------------- */

/* contents (required for generateContent), systemInstruction: roles, parts, the echo text, prompt_tokens, and
 * whether the conversation ends with a functionResponse. */
int mp_gm_contents(mp_gm_ctx_t *c, uint32_t contents, uint32_t system);
/* One Content to embed, checked like a turn: the hash of its text parts and their bytes. */
int mp_gm_content_text(mp_gm_ctx_t *c, uint32_t content, const char *path, uint64_t *hash, uint32_t *bytes);
/* tools and toolConfig: prepares the function call(s) the fake model may make. */
int mp_gm_tools(mp_gm_ctx_t *c, uint32_t tools, uint32_t tool_config);

/* Generates a value for a schema in Google's OpenAPI subset (upper-case types, nullable, int64 bounds as
 * strings) or, when json_schema is true, a JSON Schema. flags are mp_schema_flags_t. Returns 0 with *out a
 * NUL-terminated JSON text from c->a, or -1 with why set (as schema_gen.h words it). */
int mp_gm_generate(mp_gm_ctx_t *c, uint32_t schema, bool json_schema, uint64_t seed, int flags, const char **out,
                   char *why, size_t whylen);

/* The same from a JSON Schema held as text (a built-in one). */
int mp_gm_generate_text(mp_gm_ctx_t *c, const char *json_schema, uint64_t seed, int flags, const char **out, char *why,
                        size_t whylen);

/* The embeddings requests: embedContent, batchEmbedContents, Vertex predict (c->req->route->variant). */
int mp_gm_parse_embeddings(mp_gm_ctx_t *c);
/* Default vector size of a Google embedding model (768, or 3072 for gemini-embedding-*). */
uint32_t mp_gm_embedding_dims(cm_str_t model);

/* generationConfig.thinkingConfig (token tc, 0 when absent): types, ranges and Google's errors; fills the
 * own view's thinking fields. */
int mp_gm_thinking_config(mp_gm_ctx_t *c, uint32_t tc);

/* ---- thinking (gemini_thinking.c) --------------------------------------------------------------------------- */

/* Whether x's answer thinks first (a one-candidate answer; see gemini_thinking.c for when). */
bool mp_gm_thinks(const mp_exchange_t *x);
/* mp_provider_t.plan of Gemini and Vertex: plans the thoughts of an answer that thinks (mp_plan_reasoning, at
 * most thinkingBudget); the first mp_gm_thought_tokens(x) steps are thoughts. */
void mp_gm_plan(mp_exchange_t *x, cm_rng_t *rng);
/* Thought tokens of x's answer: usageMetadata.thoughtsTokenCount; 0 when it does not think. */
uint32_t mp_gm_thought_tokens(const mp_exchange_t *x);
/* Whether the thoughts are sent as parts (includeThoughts and some thought tokens). */
bool mp_gm_shows_thoughts(const mp_exchange_t *x);

/* ---- provider entry points -------------------------------------------------------------------------------- */

int mp_gm_parse(const mp_route_t *route, const char *body, size_t len, cm_json_toks_t *scratch, const cm_allocator_t *a,
                mp_request_t *req, mp_error_t *err);
void mp_gm_render_error(const mp_error_t *err, cm_buf_t *out);
void mp_gm_render_vertex_error(const mp_error_t *err, cm_buf_t *out);
void mp_gm_render_models(const mp_deployment_t *dep, cm_buf_t *out);
int mp_gm_render_models_at(const mp_deployment_t *dep, const char *path, size_t plen, cm_buf_t *out, mp_error_t *err);
void mp_gm_render_body(mp_exchange_t *x, cm_buf_t *out);
void mp_gm_render_head(mp_exchange_t *x, cm_buf_t *out);
void mp_gm_render_step(mp_exchange_t *x, cm_buf_t *out);
void mp_gm_render_tail(mp_exchange_t *x, cm_buf_t *out);
void mp_gm_embeddings_body(mp_exchange_t *x, cm_buf_t *out);
/* Upper bound of the answer's bytes, and the check against the deployment's budget (400 past it). */
uint64_t mp_gm_response_bound(const mp_deployment_t *dep, const mp_request_t *req);
int mp_gm_check_response(const mp_deployment_t *dep, const mp_request_t *req, mp_error_t *err);

#endif
