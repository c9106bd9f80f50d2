/* mock-provider/providers/schema/schema_hint.h — the JSON object a "JSON mode" answer carries when the request gives
 * no schema (OpenAI response_format json_object; later Gemini's responseMimeType without a responseSchema):
 * what the prompt asked for, as far as its text says. Provider-neutral: it reads plain (unescaped) prompt
 * text and writes JSON text through the schema generator (schema_gen.h).
 *
 * The rule, first match wins (documented in docs/mock-openai.md):
 *   1. a JSON Schema written in the prompt (an object with "properties", or "type": "object", or wrapping
 *      one as "schema" / "json_schema"): a value of the last one (format instructions often show an
 *      example schema before the real one);
 *   2. a JSON object written in the prompt (an example of the answer): its keys, each with a value of the
 *      example's kind (string, integer, number, boolean, array, nested object), the last such object;
 *   3. keys named in the prompt: quoted names ('answer', "followup_question", `tags`) in a sentence that
 *      speaks of keys, fields, properties, attributes or columns, or a list after "keys:" / "fields:";
 *      each key's kind comes from its name (is_* a boolean, *count / age / year an integer, score / price /
 *      confidence a number, plural names an array of strings, else a string);
 *   4. else a record that suits the topic of the prompt (a person, a product, an event, the weather, a
 *      recipe, a classification, a summary), or one of a few general answers chosen by the seed.
 * Values are seeded: the same prompt and seed give the same object, another seed another one.
 *
 * Bounded: at most MP_HINT_MAX_TEXT bytes of prompt are read, MP_HINT_MAX_OBJECTS embedded objects tried
 * (each parse linear in its text), MP_HINT_MAX_KEYS keys used; the generator's own bounds apply to the
 * value, and a prompt schema it refuses falls through to the next rule. */
#ifndef MP_PROVIDERS_SCHEMA_HINT_H
#define MP_PROVIDERS_SCHEMA_HINT_H

#include <stddef.h>
#include <stdint.h>

#include "common/buf.h"

/* Bytes of prompt text read (the start of the conversation: system prompts come first). */
#define MP_HINT_MAX_TEXT (512 * 1024)
/* Candidate JSON objects parsed in the prompt, failed parses included. */
#define MP_HINT_MAX_OBJECTS 64
/* Keys taken from a key list (rule 3), and properties of an example object used per level (rule 2). */
#define MP_HINT_MAX_KEYS 32

/* Appends to out a compact JSON object answering the prompt text (len bytes, plain UTF-8 text, the
 * conversation's messages joined), seeded. Always succeeds. */
void mp_hint_json_object(const char *text, size_t len, uint64_t seed, cm_buf_t *out);

#endif
