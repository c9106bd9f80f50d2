/* mock-provider/providers/toolargs.h — example arguments for a function tool, built from its JSON Schema
 * (internal; OpenAI "parameters", and later Anthropic "input_schema" and Gemini "parameters").
 *
 * The fake model "calls" a tool with an object holding every required property, each set to a value of its
 * declared type: string "example", integer 1, number 1.5, boolean true, array [], object (its own required
 * properties, recursively), null; an enum or const gives its first value, anyOf/oneOf/allOf their first
 * branch. $ref is not followed (the value is null). */
#ifndef MP_PROVIDERS_TOOLARGS_H
#define MP_PROVIDERS_TOOLARGS_H

#include <stdint.h>

#include "common/alloc.h"
#include "common/json.h"

/* Nesting beyond this depth renders {} or null, so a hostile schema cannot recurse without bound. */
#define MP_TOOLARGS_MAX_DEPTH 16

/* Returns the arguments as compact JSON text (unescaped level: it is a JSON object, not a string literal),
 * NUL-terminated, allocated from a. schema is the parameters token (a member value, never the root), 0
 * when absent (gives "{}"). */
const char *mp_tool_arguments(const cm_json_doc_t *d, uint32_t schema, const cm_allocator_t *a);

#endif
