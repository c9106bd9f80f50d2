/* mock-provider/providers/schema/schema_pattern.h — a string that matches a JSON Schema "pattern" (internal to the
 * schema generator).
 *
 * Supported: the regular-expression subset real schemas use: literals (UTF-8 included), escapes (\d \w \s
 * \D \W \S, \n \t \r, \. \- and other escaped punctuation, \uXXXX for ASCII), '.', classes [a-z0-9_-] and
 * [^...] (ASCII members), groups (...) (?:...) (?<name>...), alternation |, quantifiers * + ? {n} {n,}
 * {n,m} (lazy and possessive suffixes ignored), and anchors ^ $ (patterns are unanchored in JSON Schema,
 * so the string produced, standing alone, matches either way). Not supported: lookarounds, backreferences,
 * \b, \p{..}, non-ASCII class members: such a pattern is refused, and the caller falls back (see
 * schema_gen.h).
 *
 * Bounded: patterns longer than MP_PATTERN_MAX_LEN are refused, repetition counts above
 * MP_PATTERN_MAX_REPEAT are refused, and a try stops (refusing) past MP_PATTERN_MAX_OUTPUT characters or
 * MP_PATTERN_MAX_STEPS node visits, so nested quantifiers cannot multiply the work. All tries together stay
 * within the caller's budget, which the schema generator takes from its own (a schema with thousands of
 * patterned strings would otherwise cost thousands of times a pattern's worst case). */
#ifndef MP_PROVIDERS_SCHEMA_PATTERN_H
#define MP_PROVIDERS_SCHEMA_PATTERN_H

#include <stddef.h>

#include "common/buf.h"
#include "common/dist.h"

#define MP_PATTERN_MAX_LEN 512
#define MP_PATTERN_MAX_REPEAT 1000
#define MP_PATTERN_MAX_OUTPUT 4096
#define MP_PATTERN_MAX_STEPS 20000
/* Tries with fresh random choices to land within [minlen, maxlen]. */
#define MP_PATTERN_TRIES 8

/* Appends to out (raw UTF-8, not escaped) a string matching pat (n bytes, already unescaped from JSON)
 * whose length in characters is within [minlen, maxlen], using at most budget units of work (*spent says how
 * many it used). Returns 0, or -1 with out unchanged when the pattern is outside the subset, over a bound,
 * over the budget, or no try fits the lengths. */
int mp_pattern_generate(const char *pat, size_t n, size_t minlen, size_t maxlen, uint32_t budget, cm_rng_t *rng,
                        cm_buf_t *out, uint32_t *spent);

#endif
