/* mock-provider/providers/anthropic/anthropic_check.h — the validation helpers of the Anthropic shape (internal): a
 * parse context and pydantic's wording for the common failures, so that every check reads
 * `return mp_an_fail(c, ...)` or `if (mp_an_want(c, t, MP_AN_STR, path) != 0) return -1;`. */
#ifndef MP_PROVIDERS_ANTHROPIC_CHECK_H
#define MP_PROVIDERS_ANTHROPIC_CHECK_H

#include <stdbool.h>
#include <stdint.h>

#include "common/alloc.h"
#include "common/json.h"
#include "mock-provider/providers/anthropic/anthropic.h"

typedef enum mp_an_type {
    MP_AN_ANY,
    MP_AN_STR,
    MP_AN_INT,
    MP_AN_NUM,
    MP_AN_BOOL,
    MP_AN_OBJ,
    MP_AN_LIST,
} mp_an_type_t;

typedef struct mp_an_ctx {
    cm_json_doc_t d;
    const cm_allocator_t *a;
    mp_request_t *req;
    mp_an_request_t *own;
    mp_error_t *err;
    bool v2026; /* anthropic-version 2026-10-21: its stricter rules apply */
} mp_an_ctx_t;

/* Fills c->err with a 400 invalid_request_error whose message is the formatted text (truncated on a UTF-8
 * boundary) and returns -1. */
int mp_an_fail(mp_an_ctx_t *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* True when t is a string (or key) equal to s. */
bool mp_an_is(const cm_json_doc_t *d, uint32_t t, const char *s);
/* An object key as text for a path (unescaped, truncated, valid UTF-8). */
void mp_an_key_name(const mp_an_ctx_t *c, uint32_t key, char *out, size_t cap);

/* "<path>: Input should be a valid integer" and its kin when t is not of type; 0 when it is. */
int mp_an_want(mp_an_ctx_t *c, uint32_t t, mp_an_type_t type, const char *path);
/* An integer mp_an_want accepted, saturated to INT64_MIN or INT64_MAX when it does not fit. */
int64_t mp_an_int_value(const mp_an_ctx_t *c, uint32_t t);
/* A number within [min, max]: "<path>: Input should be greater than or equal to 1" (or less than...). */
int mp_an_range(mp_an_ctx_t *c, uint32_t t, double min, double max, const char *path);
/* A string among values (NULL-terminated): its index, else -1 with "<path>: Input should be 'a' or 'b'". */
int mp_an_literal(mp_an_ctx_t *c, uint32_t t, const char *const *values, const char *path);
/* A tagged union member: t must be an object whose "type" is one of tags; returns its index, else -1 with
 * pydantic's discriminator errors for path. */
int mp_an_tag(mp_an_ctx_t *c, uint32_t t, const char *const *tags, const char *path);
/* A required member of an object of the given type, or "<path>.<key>: Field required". 0 with *out set. */
int mp_an_member(mp_an_ctx_t *c, uint32_t obj, const char *key, mp_an_type_t type, const char *path, uint32_t *out);

/* Conversation checks (anthropic_messages.c): system (0 when absent) and messages; they add their prompt
 * tokens, set req->echo (the last user text) and req->after_tool_result. */
int mp_an_system(mp_an_ctx_t *c, uint32_t system, uint32_t *tokens);
int mp_an_messages(mp_an_ctx_t *c, uint32_t messages, uint32_t *tokens);

/* tools and tool_choice (anthropic_tools.c): validation, the tool calls the fake model may make and their
 * arguments; messages seeds the arguments. Adds the tools' prompt tokens. */
int mp_an_tools(mp_an_ctx_t *c, uint32_t tools, uint32_t tool_choice, uint32_t messages, uint32_t *tokens);

#endif
