/* mock-provider/providers/schema/toolargs.h — the arguments the fake model passes to a function tool, built from its
 * JSON Schema by the schema generator (schema_gen.h): an object valid against the schema, with realistic
 * values. Internal; OpenAI "parameters" today, Anthropic "input_schema" and Gemini "parameters" later.
 *
 * The limits are the generator's: MP_SCHEMA_MAX_PROPERTIES names in the schema, MP_SCHEMA_MAX_WORK steps
 * and MP_SCHEMA_MAX_BYTES of arguments; nesting past MP_SCHEMA_MAX_DEPTH renders {} / [] / null. */
#ifndef MP_PROVIDERS_TOOLARGS_H
#define MP_PROVIDERS_TOOLARGS_H

#include <stddef.h>
#include <stdint.h>

#include "common/alloc.h"
#include "common/json.h"
#include "mock-provider/providers/schema/schema_gen.h"

/* Builds the arguments as compact JSON text (a JSON object, not a string literal), NUL-terminated, allocated
 * from a. schema is the parameters token (a member value, never the root), 0 when absent (gives "{}"); seed
 * chooses the values (the same seed and schema give the same text). Returns 0 with *out set, or -1 with why
 * saying what is too large, as the end of a sentence that starts with the function's name. */
int mp_tool_arguments(const cm_json_doc_t *d, uint32_t schema, uint64_t seed, const cm_allocator_t *a, const char **out,
                      char *why, size_t whylen);

#endif
