/* tests/fuzz/sse_fuzz.c — the SSE parser and every stream dialect on arbitrary bytes.
 *
 * The first input byte seeds how the rest is split into feeds. Besides not crashing, leaking or reading
 * out of bounds, the target checks the parser's central promise: the events (and a stream's outcome) do not
 * depend on where the network split the bytes. A difference aborts, so the fuzzer reports it. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "harness/measure/sse.h"
#include "harness/measure/stream.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define FUZZ_MAX_EVENT 4096

typedef struct digest {
    uint64_t hash;
    uint64_t events;
} digest_t;

static void mix(digest_t *d, const char *p, size_t n)
{
    for (size_t i = 0; i < n; i++)
        d->hash = (d->hash ^ (uint8_t)p[i]) * 1099511628211ull;
    d->hash = (d->hash ^ 0xff) * 1099511628211ull; /* separator, so "ab"+"c" differs from "a"+"bc" */
}

static int on_event(void *ctx, const char *event, size_t event_len, const char *data, size_t data_len)
{
    digest_t *d = ctx;
    mix(d, event, event_len);
    mix(d, data, data_len);
    d->events++;
    return 0;
}

/* Splits [0, n) into chunks of 1..32 bytes chosen by a small generator seeded from the input. */
typedef struct splitter {
    uint32_t state;
    size_t at, n;
} splitter_t;

static size_t next_chunk(splitter_t *s)
{
    s->state = s->state * 1103515245u + 12345u;
    size_t len = 1 + (s->state >> 16) % 32;
    if (len > s->n - s->at)
        len = s->n - s->at;
    return len;
}

static void check_sse(const char *buf, size_t n, uint32_t seed)
{
    digest_t whole = {1469598103934665603ull, 0}, split = whole;
    hx_sse_t p;
    hx_sse_init(&p, FUZZ_MAX_EVENT, on_event, &whole);
    int rc_whole = hx_sse_feed(&p, buf, n);
    bool pending_whole = hx_sse_pending(&p);
    hx_sse_free(&p);
    hx_sse_init(&p, FUZZ_MAX_EVENT, on_event, &split);
    splitter_t sp = {seed, 0, n};
    int rc_split = 0;
    while (sp.at < n && rc_split == 0) {
        size_t len = next_chunk(&sp);
        rc_split = hx_sse_feed(&p, buf + sp.at, len);
        sp.at += len;
    }
    if (rc_whole != rc_split || whole.events != split.events || whole.hash != split.hash)
        abort();
    if (rc_whole == 0 && pending_whole != hx_sse_pending(&p))
        abort();
    hx_sse_free(&p);
}

static void on_gap(void *ctx, uint64_t gap)
{
    (void)gap;
    (*(uint64_t *)ctx)++;
}

static void check_stream(hx_dialect_t dialect, const char *buf, size_t n, uint32_t seed)
{
    uint64_t gaps_whole = 0, gaps_split = 0;
    hx_stream_t a, b;
    hx_stream_init(&a, dialect, on_gap, &gaps_whole);
    hx_stream_feed(&a, buf, n, 1000);
    hx_err_t ea = hx_stream_finish(&a, seed & 1);
    hx_stream_init(&b, dialect, on_gap, &gaps_split);
    splitter_t sp = {seed, 0, n};
    for (uint64_t t = 1000; sp.at < n; t += 1000) {
        size_t len = next_chunk(&sp);
        hx_stream_feed(&b, buf + sp.at, len, t);
        sp.at += len;
    }
    hx_err_t eb = hx_stream_finish(&b, seed & 1);
    if (ea != eb || a.tokens != b.tokens || a.done != b.done || gaps_whole != gaps_split)
        abort();
    /* The per-chunk measurement (reasoning, usage, the gaps kept for ITL) does not depend on the split either. */
    if (a.chunks != b.chunks || a.reasoning_chunks != b.reasoning_chunks || a.usage_tokens != b.usage_tokens ||
        a.usage_reasoning != b.usage_reasoning || a.ngaps != b.ngaps || a.ngaps + a.gaps_dropped + (a.chunks > 0) != a.chunks)
        abort();
    if (a.tokens > 0 && (b.first_token == 0 || b.last_token < b.first_token))
        abort();
    /* Reuse after reset must behave like a fresh stream. */
    hx_stream_reset(&b, dialect);
    gaps_split = 0;
    hx_stream_feed(&b, buf, n, 1000);
    if (hx_stream_finish(&b, seed & 1) != ea || b.tokens != a.tokens)
        abort();
    hx_stream_free(&a);
    hx_stream_free(&b);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size == 0)
        return 0;
    uint32_t seed = data[0];
    const char *buf = (const char *)data + 1;
    size_t n = size - 1;
    check_sse(buf, n, seed);
    check_stream(HX_DIALECT_OPENAI_CHAT, buf, n, seed);
    check_stream(HX_DIALECT_OPENAI_COMPLETIONS, buf, n, seed);
    check_stream(HX_DIALECT_OPENAI_RESPONSES, buf, n, seed);
    return 0;
}
