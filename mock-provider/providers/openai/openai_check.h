/* mock-provider/providers/openai/openai_check.h — request validation with OpenAI's wording (internal; shared by
 * the OpenAI and Azure OpenAI shapes, which run the same backend and answer bad requests alike).
 *
 * A request is checked in two passes: mp_oa_scan walks the top-level members once against a field table
 * (unknown keys, JSON types, numeric ranges) and records where the interesting values are; then the api's
 * own code checks what depends on several fields. Every check fails with a 400 whose message, param and
 * code copy OpenAI's, e.g. "Invalid type for 'n': expected an integer, but got a string instead." */
#ifndef MP_PROVIDERS_OPENAI_CHECK_H
#define MP_PROVIDERS_OPENAI_CHECK_H

#include <stdbool.h>
#include <stdint.h>

#include "mock-provider/provider.h"
#include "mock-provider/providers/render.h"

/* Fields whose values the api code needs after the scan (ctx->slot[...] holds their tokens, 0 if absent
 * or null: OpenAI treats an explicit null like an absent optional parameter). */
typedef enum mp_oa_slot {
    MP_OA_S_NONE,
    MP_OA_S_MODEL,
    MP_OA_S_MESSAGES,
    MP_OA_S_PROMPT,
    MP_OA_S_INPUT,
    MP_OA_S_N,
    MP_OA_S_MAX_TOKENS,
    MP_OA_S_MAX_COMPLETION_TOKENS,
    MP_OA_S_MAX_OUTPUT_TOKENS,
    MP_OA_S_STREAM,
    MP_OA_S_STREAM_OPTIONS,
    MP_OA_S_TEMPERATURE,
    MP_OA_S_TOP_P,
    MP_OA_S_TOOLS,
    MP_OA_S_TOOL_CHOICE,
    MP_OA_S_ENCODING_FORMAT,
    MP_OA_S_DIMENSIONS,
    MP_OA_S_INSTRUCTIONS,
    MP_OA_S_METADATA,
    MP_OA_S_PARALLEL_TOOL_CALLS,
    MP_OA_S_STOP,
    MP_OA_S_RESPONSE_FORMAT,
    MP_OA_S_TEXT,
    MP_OA_S_PREVIOUS_RESPONSE_ID,
    MP_OA_S_STORE,
    MP_OA_S_USER,
    MP_OA_S_SERVICE_TIER,
    MP_OA_S_LOGPROBS,
    MP_OA_S_TOP_LOGPROBS,
    MP_OA_S_INCLUDE,
    MP_OA_S_REASONING_EFFORT,
    MP_OA_S_REASONING, /* responses: the reasoning object */
    MP_OA_S__COUNT,
} mp_oa_slot_t;

/* Expected JSON type of a field; MP_OA_ANY leaves the check to the api code (unions such as stop). */
typedef enum mp_oa_type {
    MP_OA_ANY,
    MP_OA_STRING,
    MP_OA_INT,
    MP_OA_NUMBER,
    MP_OA_BOOL,
    MP_OA_OBJECT,
    MP_OA_ARRAY,
} mp_oa_type_t;

typedef struct mp_oa_field {
    const char *name;
    uint8_t namelen;      /* strlen(name), so that the scan compares lengths first (see MP_OA_FIELD) */
    uint8_t type;         /* mp_oa_type_t */
    uint8_t slot;         /* mp_oa_slot_t */
    bool ranged;          /* min/max apply (numbers only) */
    double min, max;      /* inclusive; max may be HUGE_VAL */
    const char *expected; /* phrase for type errors ("an array of objects"); NULL = from type */
} mp_oa_field_t;

/* A table entry: MP_OA_FIELD("n", MP_OA_INT, MP_OA_S_N, true, 1, 128, NULL). */
#define MP_OA_FIELD(name, type, slot, ranged, min, max, expected)                                                      \
    {                                                                                                                  \
        (name), sizeof(name) - 1, (type), (slot), (ranged), (min), (max), (expected)                                   \
    }

/* How an api words an unknown top-level key: chat/completions/embeddings say "Unrecognized request argument
 * supplied: foo", the Responses API "Unknown parameter: 'foo'." (code unknown_parameter). */
typedef enum mp_oa_unknown_style {
    MP_OA_UNRECOGNIZED,
    MP_OA_UNKNOWN_PARAMETER,
} mp_oa_unknown_style_t;

typedef struct mp_oa_ctx {
    cm_json_doc_t d;
    const cm_allocator_t *a;
    mp_request_t *req;
    struct mp_oa_request *oa; /* req->own */
    mp_error_t *err;
    uint32_t slot[MP_OA_S__COUNT];
} mp_oa_ctx_t;

/* Pass 1 over the root object. Returns 0, or -1 with ctx->err filled. */
int mp_oa_scan(mp_oa_ctx_t *c, const mp_oa_field_t *fields, size_t nfields, mp_oa_unknown_style_t style);

/* True when token t is a string (or key) equal to s; fast on unescaped strings. */
bool mp_oa_is(const cm_json_doc_t *d, uint32_t t, const char *s);
/* "a string", "an integer", "a decimal", "a boolean", "an object", "an array", "null". */
const char *mp_oa_type_phrase(const cm_json_doc_t *d, uint32_t t);
/* Whole JSON text of a value (strings with their quotes), to echo it verbatim. */
cm_str_t mp_oa_json_text(const cm_json_doc_t *d, uint32_t t);

/* Error builders: each fills c->err (400) and returns -1, so checks read `return mp_oa_missing(c, p);`. */
int mp_oa_missing(mp_oa_ctx_t *c, const char *param);
int mp_oa_bad_type(mp_oa_ctx_t *c, const char *param, const char *expected, uint32_t got);
/* "Invalid value: 'x'. Supported values are: 'a', 'b', and 'c'." supported is NULL-terminated. */
int mp_oa_bad_value(mp_oa_ctx_t *c, const char *param, uint32_t got, const char *const *supported);
int mp_oa_empty_array(mp_oa_ctx_t *c, const char *param);
/* Any other 400: param may be NULL (renders null), code NULL means null. */
int mp_oa_invalid(mp_oa_ctx_t *c, const char *param, const char *code, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* Formats a parameter path such as "messages[3].content[0].type" into out. Truncation is harmless (the
 * error's param holds 63 bytes anyway), so this goes through vsnprintf where the compiler does not warn. */
void mp_oa_path(char *out, size_t cap, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* Longest model name accepted, in bytes as sent. Model names are echoed in every stream chunk, so their
 * length multiplies the size of a stream (n choices x tokens x name). OpenAI refuses absurd names without
 * documenting the bound; 256 is the limit Anthropic documents ("String should have at most 256
 * characters") and far above any real model or deployment name. */
#define MP_OA_MAX_MODEL_LEN 256

/* The model member (token m, 0 when absent): OpenAI's error for a missing or empty model, a
 * string_above_max_length 400 past MP_OA_MAX_MODEL_LEN, else sets c->req->model. */
int mp_oa_want_model(mp_oa_ctx_t *c, uint32_t m);

/* Checks that t is of the given type (MP_OA_STRING...), else fails with the type error for param. */
int mp_oa_want(mp_oa_ctx_t *c, uint32_t t, mp_oa_type_t type, const char *param);
/* A function or schema name (string token name): OpenAI requires ^[a-zA-Z0-9_-]+$, at most 64 characters;
 * fails with its string_above_max_length / empty_string / invalid_value error for param. */
int mp_oa_check_name(mp_oa_ctx_t *c, uint32_t name, const char *param);

/* Seed of a generated value (tool arguments, structured output): a hash of the conversation (messages or
 * input) and of the schema token (0 when none). */
uint64_t mp_oa_content_seed(const mp_oa_ctx_t *c, uint32_t schema);

/* Checks that t is a string among values (NULL-terminated) and returns its index, else -1 with the
 * invalid_value (or invalid_type) error for param. */
int mp_oa_enum(mp_oa_ctx_t *c, uint32_t t, const char *const *values, const char *param);

#endif
