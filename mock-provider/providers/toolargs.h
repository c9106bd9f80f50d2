/* mock-provider/providers/toolargs.h — example arguments for a function tool, built from its JSON Schema
 * (internal; OpenAI "parameters", and later Anthropic "input_schema" and Gemini "parameters").
 *
 * The fake model "calls" a tool with an object holding every required property, each set to a value of its
 * declared type: string "example", integer 1, number 1.5, boolean true, array [], object (its own required
 * properties, recursively), null; an enum or const gives its first value, anyOf/oneOf/allOf their first
 * branch. $ref is not followed (the value is null). A name listed twice in one "required" is used once.
 *
 * The work is bounded by the schema, not only by its depth: every schema node is visited at most once, so
 * the arguments grow at most linearly with the request (a schema that requires the same nested object
 * several times at every level used to grow them exponentially: 16.8 MB from an 801-byte request). */
#ifndef MP_PROVIDERS_TOOLARGS_H
#define MP_PROVIDERS_TOOLARGS_H

#include <stddef.h>
#include <stdint.h>

#include "common/alloc.h"
#include "common/json.h"

/* Nesting beyond this depth renders {} or null, so a hostile schema cannot recurse without bound. */
#define MP_TOOLARGS_MAX_DEPTH 16
/* Required entries and property names examined, all nested objects together. OpenAI documents 5000 object
 * properties per schema; names are matched through hash tables, so the work is linear in this count. */
#define MP_TOOLARGS_MAX_PROPERTIES 5000
/* Largest arguments text built. Streamed, every 4 characters become one chunk, so this also bounds the
 * frames a tool call adds to a stream. */
#define MP_TOOLARGS_MAX_BYTES (256 * 1024)

/* Builds the arguments as compact JSON text (a JSON object, not a string literal), NUL-terminated, allocated
 * from a. schema is the parameters token (a member value, never the root), 0 when absent (gives "{}").
 * Returns 0 with *out set, or -1 when the schema goes over MP_TOOLARGS_MAX_PROPERTIES or the arguments over
 * MP_TOOLARGS_MAX_BYTES: why then says which ("has more than 5000 properties..."), as the end of a sentence
 * that starts with the function's name. Work stops at the limit. */
int mp_tool_arguments(const cm_json_doc_t *d, uint32_t schema, const cm_allocator_t *a, const char **out, char *why,
                      size_t whylen);

#endif
