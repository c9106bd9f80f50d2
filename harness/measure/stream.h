/* harness/measure/stream.h — reads a streamed LLM response as it arrives and reports what a user would feel:
 * the first token, each inter-token gap, the last token, the token count, and how a stream broke.
 *
 * One interpreter per stream dialect, chosen by the request's api (OpenAI chat and completions, also
 * through Azure: data-only chunks ending in [DONE]; OpenAI Responses: typed events ending in
 * response.completed; Anthropic Messages: named events ending in message_stop; Gemini and Vertex with
 * alt=sse: data-only chunks, the last one with a finishReason). */
#ifndef HX_STREAM_H
#define HX_STREAM_H

#include <stdbool.h>
#include <stdint.h>

#include "common/json.h"
#include "harness/measure/result.h"
#include "harness/measure/sse.h"

typedef enum hx_dialect {
    HX_DIALECT_OPENAI_CHAT,        /* choices[].delta.content / tool_calls; [DONE] */
    HX_DIALECT_OPENAI_COMPLETIONS, /* choices[].text; [DONE] */
    HX_DIALECT_OPENAI_RESPONSES,   /* response.output_text.delta ... response.completed */
    HX_DIALECT_ANTHROPIC,          /* content_block_delta (text_delta, input_json_delta) ... message_stop */
    HX_DIALECT_GEMINI,             /* candidates[].content.parts[] text / functionCall; finishReason ends it */
} hx_dialect_t;

typedef struct hx_stream {
    hx_dialect_t dialect;
    hx_sse_t sse;
    cm_json_toks_t toks; /* reader scratch, reused */
    uint64_t now;        /* time of the bytes being fed (set by hx_stream_feed) */
    uint64_t first_token, last_token;
    uint32_t tokens;
    bool done;    /* terminator seen */
    hx_err_t err; /* first stream error seen (HX_ERR_NONE if none) */
    /* Called for every gap between consecutive content events (ns); may be NULL. */
    void (*on_gap)(void *ctx, uint64_t gap_ns);
    void *ctx;
} hx_stream_t;

void hx_stream_init(hx_stream_t *s, hx_dialect_t dialect, void (*on_gap)(void *, uint64_t), void *ctx);
/* Feeds body bytes received at now_ns. Never fails; problems are recorded in s->err. */
void hx_stream_feed(hx_stream_t *s, const char *buf, size_t len, uint64_t now_ns);
/* The transfer finished. transport_ok: the HTTP body ended cleanly. Returns the final classification for
 * a 200 stream: HX_ERR_NONE, or STREAM_NO_DONE / STREAM_TRUNCATED / STREAM_ERROR / STREAM_PARSE. */
hx_err_t hx_stream_finish(hx_stream_t *s, bool transport_ok);
void hx_stream_reset(hx_stream_t *s, hx_dialect_t dialect); /* reuse for another request, keeping buffers */
void hx_stream_free(hx_stream_t *s);

#endif
