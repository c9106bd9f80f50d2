/* harness/measure/stream.h — reads a streamed LLM response as it arrives and reports what a user would feel:
 * the first token (answer and reasoning), each inter-chunk gap, the last token, the chunk counts, the token
 * counts the stream reports in its usage, and how a stream broke (definitions: docs/metrics.md).
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

/* Gaps kept per stream for the per-token ITL, which needs the stream's token count (known at its end, from
 * usage). A longer stream's later gaps still count in ICL; the ITL of those chunks is not recorded (counted in
 * gaps_dropped). 64Ki gaps is 256 KiB, far above any real answer's chunk count. */
#define HX_STREAM_MAX_GAPS (1u << 16)

typedef struct hx_stream {
    hx_dialect_t dialect;
    hx_sse_t sse;
    cm_json_toks_t toks; /* reader scratch, reused */
    uint64_t now;        /* time of the bytes being fed (set by hx_stream_feed) */
    /* The answer: content or tool-call deltas that are not empty (role-only, empty and usage chunks never
     * count). first_token is TTFT's end. */
    uint64_t first_token, last_token;
    uint32_t tokens; /* answer chunks */
    /* Reasoning (reasoning_content deltas, Anthropic thinking, Gemini thought parts, Responses reasoning
     * events). */
    uint64_t first_reasoning;
    uint32_t reasoning_chunks;
    /* Every chunk that carried output, answer or reasoning: the chunks ICL and ITL are about. */
    uint64_t first_output, last_output;
    uint32_t chunks;
    /* Token counts the stream itself reported (OpenAI usage, Responses usage, Anthropic message_delta,
     * Gemini usageMetadata; the last value seen wins), -1 when it reported none. usage_tokens counts every
     * output token, reasoning included, whatever the dialect's own split. */
    int64_t usage_tokens, usage_reasoning;
    uint32_t *gaps; /* microseconds, gap i ends output chunk i + 1; bounded by HX_STREAM_MAX_GAPS */
    uint32_t ngaps, gaps_cap, gaps_dropped;
    unsigned ev_bits; /* scratch: what the event being classified carried */
    bool done;        /* terminator seen */
    hx_err_t err; /* first stream error seen (HX_ERR_NONE if none) */
    /* Called for every gap between consecutive output chunks (ns): ICL. May be NULL. */
    void (*on_gap)(void *ctx, uint64_t gap_ns);
    void *ctx;
} hx_stream_t;

void hx_stream_init(hx_stream_t *s, hx_dialect_t dialect, void (*on_gap)(void *, uint64_t), void *ctx);
/* Feeds body bytes received at now_ns. Never fails; problems are recorded in s->err. */
void hx_stream_feed(hx_stream_t *s, const char *buf, size_t len, uint64_t now_ns);
/* The transfer finished. transport_ok: the HTTP body ended cleanly. Returns the final classification for
 * a 200 stream: HX_ERR_NONE, or STREAM_NO_DONE / STREAM_TRUNCATED / STREAM_ERROR / STREAM_PARSE. */
hx_err_t hx_stream_finish(hx_stream_t *s, bool transport_ok);
/* The stream's output tokens: its usage count when it reported one (clamped to UINT32_MAX), else one per
 * output chunk. */
uint32_t hx_stream_output_tokens(const hx_stream_t *s);
/* Copies the stream's timings, counts and gaps into r (the gaps stay owned by s: valid until its next
 * reset). */
void hx_stream_result(const hx_stream_t *s, hx_result_t *r);
void hx_stream_reset(hx_stream_t *s, hx_dialect_t dialect); /* reuse for another request, keeping buffers */
void hx_stream_free(hx_stream_t *s);

#endif
