/* mock-provider/providers/content.h — what the fake model "says" (internal to soak_mp_providers): pool words,
 * echoed text, tool-call argument pieces, and the ids derived from an exchange's seed.
 *
 * A token is produced on demand, one per stream step, so a stream and a non-stream body of the same seed
 * carry the same text; nothing here allocates per token (each choice's text buffer grows geometrically). */
#ifndef MP_PROVIDERS_CONTENT_H
#define MP_PROVIDERS_CONTENT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "mock-provider/provider.h"

/* Upper bound on planned completion tokens per choice, whatever the length model draws: it keeps a typo'd
 * distribution from building gigabyte bodies. */
#define MP_MAX_OUTPUT_TOKENS (1u << 20)

/* Planning rules shared by the exchange and the response budget (budget.h), so that both see the same
 * lengths. */

/* Largest completion length the deployment's output_tokens model gives: fixed v; uniform hi; normal
 * mean + 6 sd; lognormal median x e^(6 sigma); percentiles the last value; at least 1 and at most
 * MP_MAX_OUTPUT_TOKENS. Samples above it are cut to it (a normal draw goes past 6 sd about once in 10^9). */
uint32_t mp_output_tokens_cap(const cm_dist_t *output_tokens);
/* True when the fake model may answer req with a tool call: a function tool is offered and either
 * tool_choice forces one, or the deployment calls tools under auto and the conversation does not end with a
 * tool result (a model answers a tool's result in text, which is how agent loops end). */
bool mp_wants_tool_call(const mp_deployment_t *dep, const mp_request_t *req);
/* Whether this exchange calls the tool: always when forced, never when mp_wants_tool_call is false, else
 * with the deployment's probability under auto (tool_calls: {auto: 50%}; a draw from rng only then). */
bool mp_decide_tool_call(const mp_deployment_t *dep, const mp_request_t *req, cm_rng_t *rng);
/* Reasoning of a one-choice answer (OpenAI's reasoning tokens, Gemini's thoughts), for a provider's
 * mp_provider_t.plan: a text answer spends half of its planned tokens reasoning (rounded down), at most `most`,
 * so its steps and counts stay those of its length. A tool call or structured output, whose tokens are the
 * pieces of a JSON text and cannot be shortened, reasons first with half of a fresh draw of the deployment's
 * length model (rounded down), at most `most` and at most what max_tokens leaves after the answer: its steps
 * and completion tokens grow by as much. Either way the first x->steps - x->tokens[0] steps are the reasoning.
 * Returns the reasoning tokens (0 for an answer of several choices). */
uint32_t mp_plan_reasoning(mp_exchange_t *x, uint32_t most, cm_rng_t *rng);
/* The most reasoning tokens mp_plan_reasoning can give an answer to req, for the response bounds: half of the
 * longest length the deployment draws, max_tokens at most. */
uint64_t mp_reasoning_tokens_bound(const mp_deployment_t *dep, const mp_request_t *req);
/* Dimensions of the vectors of an embeddings answer: the request's dimensions, else the model's built-in
 * size, else the deployment's embedding_dimensions (1536 when unset). */
uint32_t mp_embedding_dims(const mp_deployment_t *dep, const mp_request_t *req);

/* Appends choice c's next x->chunk tokens (at least one, at most what is left) to x->text[c] and returns them
 * (escaped JSON string contents). For a tool-call choice, returns the next pieces of the arguments already
 * held in x->text[c], never past the end of one call. The slice is valid until the next call for c. Requires
 * x->cursor[c] < x->tokens[c]; returns an empty slice otherwise. */
cm_str_t mp_content_next(mp_exchange_t *x, uint32_t c);
/* End of the token that starts at pos of text produced for x (a choice's text): the same boundaries
 * mp_content_next produced, so that tokens read back from a body are the tokens a stream sent (words with
 * their leading space, echo runs, or the pieces of structured output). */
size_t mp_content_token_end(const mp_exchange_t *x, cm_str_t text, size_t pos);
/* Produces every remaining token of choice c (non-stream bodies, closing frames). */
void mp_content_fill(mp_exchange_t *x, uint32_t c);
/* 1 + the index in req->stop of the stop sequence choice c's text ends right before, or 0: once all of its tokens
 * are produced. A thought that took part of a stopped answer's tokens (planned later) leaves its text short of
 * the sequence, which then did not stop it. */
uint32_t mp_content_stop(const mp_exchange_t *x, uint32_t c);

/* The word of the pool for (seed, choice, index), without a leading space. */
const char *mp_pool_word(uint64_t seed, uint32_t choice, uint32_t index);
/* Reasoning words k .. k + n - 1 of x (pool words of the exchange's seed, choice 1: not the answer's), with a
 * space before each but the very first, so that the pieces of a stream concatenate to the whole text. The
 * reasoning text of OpenAI's reasoning_content and Responses summary and of Gemini's thought parts. */
void mp_content_put_thoughts(const mp_exchange_t *x, uint32_t k, uint32_t n, cm_buf_t *out);
/* Number of tokens an echo text splits into (runs of spaces followed by non-spaces). */
uint32_t mp_echo_count_tokens(cm_str_t s);
/* Pieces a tool call's escaped arguments are streamed in (about 4 characters each, never inside an escape
 * sequence or a UTF-8 character); at least 1. */
uint32_t mp_tool_count_pieces(cm_str_t escaped);

/* Tool call id of call i of choice c: "call_" + 24 base62 characters, from the exchange's unique key, so the same id
 * in every frame of one exchange and another id in every other exchange. out needs 30 bytes. */
void mp_tool_call_id(const mp_exchange_t *x, uint32_t c, uint32_t i, char *out, size_t cap);
/* A tool-call choice's calls: which call the arguments at byte pos of text[c] belong to, and the escaped
 * arguments of call i (x->calls[c] calls in all). */
uint32_t mp_tool_call_at(const mp_exchange_t *x, uint32_t c, size_t pos);
cm_str_t mp_tool_call_args(const mp_exchange_t *x, uint32_t c, uint32_t i);
/* "fp_" + 10 hex digits, fixed for a deployment (its seed and index), like a model build's fingerprint.
 * out needs 14 bytes. */
void mp_system_fingerprint(const mp_deployment_t *dep, char *out, size_t cap);

#endif
