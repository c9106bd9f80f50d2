/* mock-provider/providers/stop.h — stop sequences (internal to soak_mp_providers): the parsers collect them, the
 * planner finds where the first one would appear in an answer so that the answer ends right before it.
 *
 * Matching works on decoded text (a request may spell a character as an escape) while answers are kept escaped;
 * it is a Knuth-Morris-Pratt scan per sequence, linear in the answer's length, that stops at the first
 * sequence to complete (a real model stops generating there). */
#ifndef MP_PROVIDERS_STOP_H
#define MP_PROVIDERS_STOP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "mock-provider/provider.h"

/* Adds one stop sequence (raw JSON string contents, still escaped) to r. An empty one is kept out (it cannot
 * stop anything). Returns -1 when r already holds MP_MAX_STOP_SEQUENCES, 0 otherwise. */
int mp_stop_add(mp_request_t *r, cm_str_t raw);

/* The request's sequences decoded, with their match tables, from the allocator; NULL when the request has
 * none, or none of at most max_bytes bytes (the longest text the answer can have: a longer one cannot occur). */
typedef struct mp_stop_matcher mp_stop_matcher_t;
mp_stop_matcher_t *mp_stop_prepare(const mp_request_t *r, size_t max_bytes, const cm_allocator_t *a);

/* An answer's tokens for the scan: token i of the answer as escaped text made of whole characters (or escape
 * sequences), or an empty slice past the last one. Called for increasing i, at most twice per token. */
typedef cm_str_t (*mp_stop_token_fn)(void *ctx, uint32_t i);

typedef struct mp_stop_hit {
    size_t cut;      /* escaped bytes kept: the text before the sequence, at a character's start */
    uint32_t tokens; /* tokens with text before the cut (the last one maybe cut short); at least 1 */
    uint32_t which;  /* index in the request's stop sequences */
} mp_stop_hit_t;

/* Scans tokens 0 .. ntokens - 1 for the first sequence to complete (when two complete at one byte, the longer,
 * which began first). Returns true and fills hit when one does. Time linear in the text per sequence. */
bool mp_stop_find(mp_stop_matcher_t *m, mp_stop_token_fn token, void *ctx, uint32_t ntokens, mp_stop_hit_t *hit);

#endif
