/* mock-provider/providers/schema/schema_gen.h — a seeded, valid, realistic value for a JSON Schema: what the fake
 * model writes as tool-call arguments (OpenAI "parameters", later Anthropic "input_schema" and Gemini
 * function declarations) and as structured output (OpenAI response_format / text.format, later Gemini
 * responseSchema). Provider-neutral: it reads a schema from a parsed request and writes JSON text.
 *
 * Honoured: type (and type unions such as ["string","null"]), properties, required (every required name once; optional
 * properties now and then), additionalProperties (nothing beyond the listed properties), minProperties, items (and
 * tuple forms: prefixItems, items as an array), minItems, maxItems, uniqueItems (equal items drawn again), minimum,
 * maximum, exclusiveMinimum, exclusiveMaximum (numbers, or draft-4 booleans), multipleOf (a fractional one on an
 * integer too: 1.5 gives multiples of 3), minLength, maxLength, pattern (the subset in schema_pattern.h), format (the
 * ones in schema_words.h), enum, const, anyOf / oneOf (one branch, seeded), allOf (members merged: their keywords all
 * apply), $ref into "#", "#/$defs/...", "#/definitions/..." or any JSON pointer of the same schema, boolean schemas.
 * Strings without format or pattern are chosen by the property's name (a "name" is a person's name, an "email" an
 * email, a "city" a city).
 *
 * Fallbacks, documented in docs/mock-provider.md: a pattern outside the subset (or that no try fits within
 * minLength/maxLength) is ignored and the string follows the other keywords; contradictory bounds give the
 * lower one; an unresolvable $ref and an empty schema take any value (a short phrase); schemas that
 * require infinite recursion are cut at MP_SCHEMA_MAX_DEPTH ({} / [] / null there). Past
 * MP_SCHEMA_SOFT_DEPTH levels or MP_SCHEMA_SOFT_REFS followed $refs, the generator takes the smallest
 * valid choices (no optional property, minItems items, the null or non-recursive branch of a union) so
 * recursive schemas end.
 *
 * Bounded by the schema, never exponential in it: at most MP_SCHEMA_MAX_WORK schema nodes and property
 * names are visited and MP_SCHEMA_MAX_BYTES written for one value, and the schema may hold at most
 * MP_SCHEMA_MAX_PROPERTIES property names and required entries; past any of these the value is refused. */
#ifndef MP_PROVIDERS_SCHEMA_GEN_H
#define MP_PROVIDERS_SCHEMA_GEN_H

#include <stddef.h>
#include <stdint.h>

#include "common/buf.h"
#include "common/json.h"

/* Value nesting beyond this renders {}, [] or null, so no schema recurses without bound. */
#define MP_SCHEMA_MAX_DEPTH 16
/* From this depth on, or after this many $refs along the path, only the smallest valid choices. */
#define MP_SCHEMA_SOFT_DEPTH 8
#define MP_SCHEMA_SOFT_REFS 3
/* Schema nodes, $ref hops and property names visited for one value. A value's cost is linear in its size
 * (items x their schema), which this bounds; at a few nanoseconds a unit it is a millisecond or two. */
#define MP_SCHEMA_MAX_WORK (1u << 17)
/* Largest value written. Streamed, every 4 characters become one chunk, so this also bounds the frames a
 * tool call or a structured answer adds to a stream. */
#define MP_SCHEMA_MAX_BYTES (256 * 1024)
/* Property names and required entries in the whole schema (OpenAI documents 5000 object properties). */
#define MP_SCHEMA_MAX_PROPERTIES 5000
/* Array length used when a schema sets no minItems/maxItems: a realistic handful. */
#define MP_SCHEMA_DEFAULT_ITEMS_MIN 1
#define MP_SCHEMA_DEFAULT_ITEMS_MAX 3

typedef enum mp_schema_flags {
    /* The value must be an object: a schema that allows anything (or is absent) gives {} (tool arguments). */
    MP_SCHEMA_ROOT_OBJECT = 1,
} mp_schema_flags_t;

/* Appends to out a compact JSON value for the schema at token schema of d (0: no schema, which allows any
 * value). "#" in $ref means this schema. The same (schema, seed) always gives the same text. Returns 0, or
 * -1 with out restored to its length on entry and why set to the end of a sentence that starts with the
 * schema's owner ("has more than 5000 properties ...", "gives a value larger than 262144 bytes", "needs
 * more than 131072 steps to build a value ..."). */
int mp_schema_generate(const cm_json_doc_t *d, uint32_t schema, uint64_t seed, int flags, cm_buf_t *out, char *why,
                       size_t whylen);

#endif
