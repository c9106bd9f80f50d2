/* harness/measure/stream.c — streamed LLM responses: token timing and how a stream ended.
 *
 * Every SSE event is classified as content (a token or a piece of tool-call arguments the user would see
 * arrive), a terminator, an error, or something to skip (role-only chunks, usage chunks, Azure's filter
 * preamble, the Responses API's lifecycle events, Anthropic's message_start and pings). Content events carry the time
 * the bytes were fed in, which is as close to the wire as the harness gets; gaps between consecutive content events are
 * the inter-token latencies. Every chunk is parsed and validated as JSON, so a gateway that mangles a chunk is caught
 * (stream_parse) instead of being timed as if it were fine. */
#include "harness/measure/stream.h"

#include <stdlib.h>
#include <string.h>

#include "common/alloc.h"

/* Large enough for a response.completed event carrying a long answer, small enough that a broken peer
 * cannot make one stream hold much memory. */
#define HX_STREAM_MAX_EVENT (4u << 20)

typedef enum ev_kind {
    EV_SKIP,
    EV_CONTENT, /* output: the answer, reasoning or both, as s->ev_bits says */
    EV_DONE,
    EV_ERROR,
    EV_PARSE,
} ev_kind_t;

/* What an output chunk carried (s->ev_bits, set by the classifiers). */
#define EV_ANSWER 1u
#define EV_REASONING 2u

static int on_event(void *ctx, const char *event, size_t event_len, const char *data, size_t data_len);

void hx_stream_init(hx_stream_t *s, hx_dialect_t dialect, void (*on_gap)(void *, uint64_t), void *ctx)
{
    memset(s, 0, sizeof(*s));
    s->dialect = dialect;
    s->on_gap = on_gap;
    s->ctx = ctx;
    s->usage_tokens = s->usage_reasoning = -1;
    hx_sse_init(&s->sse, HX_STREAM_MAX_EVENT, on_event, s);
}

void hx_stream_reset(hx_stream_t *s, hx_dialect_t dialect)
{
    hx_sse_reset(&s->sse);
    s->dialect = dialect;
    s->now = 0;
    s->first_token = s->last_token = 0;
    s->tokens = 0;
    s->first_reasoning = 0;
    s->reasoning_chunks = 0;
    s->first_output = s->last_output = 0;
    s->chunks = 0;
    s->usage_tokens = s->usage_reasoning = -1;
    s->ngaps = s->gaps_dropped = 0;
    s->ev_bits = 0;
    s->done = false;
    s->err = HX_ERR_NONE;
}

void hx_stream_free(hx_stream_t *s)
{
    hx_sse_free(&s->sse);
    cm_json_toks_free(&s->toks);
    free(s->gaps);
    s->gaps = NULL;
    s->gaps_cap = 0;
}

static bool is_blank(const char *p, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (p[i] != ' ' && p[i] != '\t' && p[i] != '\r' && p[i] != '\n')
            return false;
    return true;
}

static bool data_is_done(const char *p, size_t n)
{
    while (n > 0 && (p[n - 1] == ' ' || p[n - 1] == '\t'))
        n--;
    return n == 6 && memcmp(p, "[DONE]", 6) == 0;
}

/* A present "error" member that is not null or false marks an error chunk (OpenAI and LiteLLM send
 * {"error": {...}} inside a 200 stream). */
static bool has_error_member(const cm_json_doc_t *d)
{
    uint32_t e = cm_json_get(d, 0, "error");
    if (e == 0)
        return false;
    cm_json_type_t t = cm_json_type(d, e);
    return t != CM_JSON_NULL && t != CM_JSON_FALSE;
}

static bool nonempty_string(const cm_json_doc_t *d, uint32_t t)
{
    return t != 0 && cm_json_type(d, t) == CM_JSON_STRING && d->tok[t].len > 0;
}

static bool tool_call_args(const cm_json_doc_t *d, uint32_t calls)
{
    if (calls == 0 || cm_json_type(d, calls) != CM_JSON_ARRAY)
        return false;
    for (uint32_t c = cm_json_first(d, calls); c != 0; c = cm_json_next(d, c)) {
        if (cm_json_type(d, c) != CM_JSON_OBJECT)
            continue;
        uint32_t fn = cm_json_get(d, c, "function");
        if (fn != 0 && cm_json_type(d, fn) == CM_JSON_OBJECT && nonempty_string(d, cm_json_get(d, fn, "arguments")))
            return true;
    }
    return false;
}

/* A whole non-negative number member of object obj, or -1 (absent, null, negative or not a whole number). */
static int64_t get_count(const cm_json_doc_t *d, uint32_t obj, const char *key)
{
    if (obj == 0 || cm_json_type(d, obj) != CM_JSON_OBJECT)
        return -1;
    uint32_t t = cm_json_get(d, obj, key);
    int64_t v;
    if (t == 0 || cm_json_type(d, t) != CM_JSON_NUMBER || cm_json_int(d, t, &v) != 0 || v < 0)
        return -1;
    return v;
}

/* Records a usage object's output count (out_key) and its reasoning share (details.reasoning_tokens), the
 * shape OpenAI chat, completions and Responses share under different names. */
static void usage_from(hx_stream_t *s, const cm_json_doc_t *d, uint32_t usage, const char *out_key,
                       const char *details_key)
{
    int64_t out = get_count(d, usage, out_key);
    if (out < 0)
        return;
    s->usage_tokens = out;
    s->usage_reasoning = get_count(d, cm_json_get(d, usage, details_key), "reasoning_tokens");
}

/* Chat and completions chunks: output when any choice carries text, tool-call arguments or reasoning (a
 * role-only first chunk, an empty delta, the final finish_reason chunk and the include_usage chunk with
 * "choices": [] carry none). OpenAI-compatible servers (vLLM, DeepSeek, LiteLLM) send reasoning as
 * delta.reasoning_content, some as delta.reasoning. */
static ev_kind_t classify_choices(hx_stream_t *s, const cm_json_doc_t *d)
{
    uint32_t usage = cm_json_get(d, 0, "usage");
    if (usage != 0)
        usage_from(s, d, usage, "completion_tokens", "completion_tokens_details");
    uint32_t choices = cm_json_get(d, 0, "choices");
    if (choices == 0 || cm_json_type(d, choices) != CM_JSON_ARRAY)
        return EV_SKIP;
    for (uint32_t c = cm_json_first(d, choices); c != 0; c = cm_json_next(d, c)) {
        if (cm_json_type(d, c) != CM_JSON_OBJECT)
            continue;
        if (s->dialect == HX_DIALECT_OPENAI_COMPLETIONS) {
            if (nonempty_string(d, cm_json_get(d, c, "text")))
                s->ev_bits |= EV_ANSWER;
            continue;
        }
        uint32_t delta = cm_json_get(d, c, "delta");
        if (delta == 0 || cm_json_type(d, delta) != CM_JSON_OBJECT)
            continue;
        if (nonempty_string(d, cm_json_get(d, delta, "content")) ||
            tool_call_args(d, cm_json_get(d, delta, "tool_calls")))
            s->ev_bits |= EV_ANSWER;
        if (nonempty_string(d, cm_json_get(d, delta, "reasoning_content")) ||
            nonempty_string(d, cm_json_get(d, delta, "reasoning")))
            s->ev_bits |= EV_REASONING;
    }
    return s->ev_bits != 0 ? EV_CONTENT : EV_SKIP;
}

/* Every chunk of every dialect is a JSON object; anything else is a parse error. */
static int parse_chunk(hx_stream_t *s, const char *data, size_t len, cm_json_doc_t *doc)
{
    char err[128];
    if (cm_json_parse(doc, data, len, &s->toks, err, sizeof(err)) != 0)
        return -1;
    return cm_json_type(doc, 0) == CM_JSON_OBJECT ? 0 : -1;
}

static ev_kind_t classify_openai(hx_stream_t *s, const char *event, size_t event_len, const char *data, size_t data_len)
{
    if (data_is_done(data, data_len))
        return EV_DONE;
    if (event_len == 5 && memcmp(event, "error", 5) == 0)
        return EV_ERROR;
    if (is_blank(data, data_len))
        return EV_SKIP; /* an empty data: frame is a keep-alive, not a chunk */
    cm_json_doc_t doc;
    if (parse_chunk(s, data, data_len, &doc) != 0)
        return EV_PARSE;
    if (has_error_member(&doc))
        return EV_ERROR;
    return classify_choices(s, &doc);
}

static bool type_is(const char *t, size_t n, const char *lit)
{
    return n == strlen(lit) && memcmp(t, lit, n) == 0;
}

/* The Responses API names each event twice: in the event: line and in the data's "type". The event line
 * wins when present; a gateway that drops event: lines still leaves "type". */
static ev_kind_t classify_responses(hx_stream_t *s, const char *event, size_t event_len, const char *data,
                                    size_t data_len)
{
    if (data_is_done(data, data_len) || is_blank(data, data_len))
        return EV_SKIP; /* not this dialect's terminator; response.completed is */
    cm_json_doc_t doc;
    if (parse_chunk(s, data, data_len, &doc) != 0)
        return EV_PARSE;
    const char *type = event;
    size_t type_len = event_len;
    if (type_len == 0) {
        uint32_t t = cm_json_get(&doc, 0, "type");
        if (t == 0 || cm_json_type(&doc, t) != CM_JSON_STRING)
            return EV_PARSE;
        cm_str_t raw = cm_json_raw(&doc, t);
        type = raw.p;
        type_len = raw.n;
    }
    bool answer = type_is(type, type_len, "response.output_text.delta") ||
                  type_is(type, type_len, "response.function_call_arguments.delta");
    bool reasoning = type_is(type, type_len, "response.reasoning_text.delta") ||
                     type_is(type, type_len, "response.reasoning_summary_text.delta");
    if (answer || reasoning) {
        if (!nonempty_string(&doc, cm_json_get(&doc, 0, "delta")))
            return EV_SKIP;
        s->ev_bits = answer ? EV_ANSWER : EV_REASONING;
        return EV_CONTENT;
    }
    /* response.incomplete is how a stream ends when max_output_tokens cuts the answer short: a complete
     * response, like finish_reason "length" in chat, not a failure. Both carry the response's usage. */
    if (type_is(type, type_len, "response.completed") || type_is(type, type_len, "response.incomplete")) {
        uint32_t resp = cm_json_get(&doc, 0, "response");
        if (resp != 0 && cm_json_type(&doc, resp) == CM_JSON_OBJECT)
            usage_from(s, &doc, cm_json_get(&doc, resp, "usage"), "output_tokens", "output_tokens_details");
        return EV_DONE;
    }
    if (type_is(type, type_len, "response.failed") || type_is(type, type_len, "error"))
        return EV_ERROR;
    return EV_SKIP;
}

/* The event's type: the event: line, or the data's "type" when a gateway dropped the event lines. */
static bool event_type(const cm_json_doc_t *doc, const char *event, size_t event_len, cm_str_t *type)
{
    if (event_len > 0) {
        *type = (cm_str_t){event, event_len};
        return true;
    }
    uint32_t t = cm_json_get(doc, 0, "type");
    if (t == 0 || cm_json_type(doc, t) != CM_JSON_STRING)
        return false;
    *type = cm_json_raw(doc, t);
    return true;
}

/* Anthropic: text and tool input arrive in content_block_delta events, thinking in thinking_delta ones (not
 * the answer, timed as reasoning; a signature_delta carries no token). message_delta's usage.output_tokens is
 * the final count, thinking included; Anthropic reports no separate thinking count. */
static ev_kind_t classify_anthropic(hx_stream_t *s, const char *event, size_t event_len, const char *data,
                                    size_t data_len)
{
    if (is_blank(data, data_len))
        return EV_SKIP;
    cm_json_doc_t doc;
    cm_str_t type;
    if (parse_chunk(s, data, data_len, &doc) != 0 || !event_type(&doc, event, event_len, &type))
        return EV_PARSE;
    if (type_is(type.p, type.n, "content_block_delta")) {
        uint32_t delta = cm_json_get(&doc, 0, "delta");
        if (delta == 0 || cm_json_type(&doc, delta) != CM_JSON_OBJECT)
            return EV_PARSE;
        if (nonempty_string(&doc, cm_json_get(&doc, delta, "text")) ||
            nonempty_string(&doc, cm_json_get(&doc, delta, "partial_json")))
            s->ev_bits = EV_ANSWER;
        else if (nonempty_string(&doc, cm_json_get(&doc, delta, "thinking")))
            s->ev_bits = EV_REASONING;
        return s->ev_bits != 0 ? EV_CONTENT : EV_SKIP;
    }
    if (type_is(type.p, type.n, "message_delta")) {
        int64_t out = get_count(&doc, cm_json_get(&doc, 0, "usage"), "output_tokens");
        if (out >= 0)
            s->usage_tokens = out;
        return EV_SKIP;
    }
    if (type_is(type.p, type.n, "message_stop"))
        return EV_DONE;
    if (type_is(type.p, type.n, "error"))
        return EV_ERROR;
    return EV_SKIP;
}

/* Gemini's usageMetadata (in the last chunk, or cumulative in every chunk): candidatesTokenCount leaves the
 * thoughts out, so the output is the sum of the two. */
static void gemini_usage(hx_stream_t *s, const cm_json_doc_t *d)
{
    uint32_t meta = cm_json_get(d, 0, "usageMetadata");
    int64_t cand = get_count(d, meta, "candidatesTokenCount");
    int64_t thoughts = get_count(d, meta, "thoughtsTokenCount");
    if (cand < 0 && thoughts < 0)
        return;
    s->usage_tokens = (cand > 0 ? cand : 0) + (thoughts > 0 ? thoughts : 0);
    s->usage_reasoning = thoughts;
}

/* Gemini: a chunk with text or a function call in any candidate's parts is the answer, a part marked
 * thought: true is reasoning; the chunk whose candidate has a finishReason is the last (it may carry output
 * too). */
static ev_kind_t classify_gemini(hx_stream_t *s, const char *data, size_t data_len, bool *last)
{
    if (is_blank(data, data_len))
        return EV_SKIP;
    cm_json_doc_t doc;
    if (parse_chunk(s, data, data_len, &doc) != 0)
        return EV_PARSE;
    if (has_error_member(&doc))
        return EV_ERROR;
    gemini_usage(s, &doc);
    uint32_t cands = cm_json_get(&doc, 0, "candidates");
    if (cands == 0 || cm_json_type(&doc, cands) != CM_JSON_ARRAY)
        return EV_SKIP;
    for (uint32_t c = cm_json_first(&doc, cands); c != 0; c = cm_json_next(&doc, c)) {
        if (cm_json_type(&doc, c) != CM_JSON_OBJECT)
            continue;
        if (nonempty_string(&doc, cm_json_get(&doc, c, "finishReason")))
            *last = true;
        uint32_t content = cm_json_get(&doc, c, "content");
        uint32_t parts =
            content != 0 && cm_json_type(&doc, content) == CM_JSON_OBJECT ? cm_json_get(&doc, content, "parts") : 0;
        if (parts == 0 || cm_json_type(&doc, parts) != CM_JSON_ARRAY)
            continue;
        for (uint32_t p = cm_json_first(&doc, parts); p != 0; p = cm_json_next(&doc, p)) {
            if (cm_json_type(&doc, p) != CM_JSON_OBJECT)
                continue;
            uint32_t thought = cm_json_get(&doc, p, "thought");
            bool text = nonempty_string(&doc, cm_json_get(&doc, p, "text"));
            if (thought != 0 && cm_json_type(&doc, thought) == CM_JSON_TRUE)
                s->ev_bits |= text ? EV_REASONING : 0u;
            else if (text || cm_json_get(&doc, p, "functionCall") != 0)
                s->ev_bits |= EV_ANSWER;
        }
    }
    return s->ev_bits != 0 ? EV_CONTENT : EV_SKIP;
}

static void keep_gap(hx_stream_t *s, uint64_t gap_ns)
{
    if (s->ngaps == s->gaps_cap) {
        if (s->gaps_cap >= HX_STREAM_MAX_GAPS) {
            s->gaps_dropped++;
            return;
        }
        uint32_t cap = s->gaps_cap > 0 ? s->gaps_cap * 2 : 64;
        s->gaps = cm_xrealloc(s->gaps, cap * sizeof(*s->gaps));
        s->gaps_cap = cap;
    }
    uint64_t us = gap_ns / 1000u;
    s->gaps[s->ngaps++] = us > UINT32_MAX ? UINT32_MAX : (uint32_t)us;
}

/* An output chunk arrived: the gap since the previous one (answer or reasoning alike, the tokens are
 * generated one after the other either way), then the first and last times of what it carried. */
static void output_event(hx_stream_t *s)
{
    uint64_t now = s->now;
    if (s->chunks == 0) {
        s->first_output = now;
    } else {
        uint64_t gap = now > s->last_output ? now - s->last_output : 0;
        keep_gap(s, gap);
        if (s->on_gap != NULL)
            s->on_gap(s->ctx, gap);
    }
    s->last_output = now;
    s->chunks++;
    if (s->ev_bits & EV_ANSWER) {
        if (s->tokens == 0)
            s->first_token = now;
        s->last_token = now;
        s->tokens++;
    }
    if (s->ev_bits & EV_REASONING) {
        if (s->reasoning_chunks == 0)
            s->first_reasoning = now;
        s->reasoning_chunks++;
    }
}

/* Returns non-zero to stop the SSE parser once the stream's outcome is settled. */
static int on_event(void *ctx, const char *event, size_t event_len, const char *data, size_t data_len)
{
    hx_stream_t *s = ctx;
    bool last = false;
    ev_kind_t kind;
    s->ev_bits = 0;
    switch (s->dialect) {
    case HX_DIALECT_OPENAI_RESPONSES:
        kind = classify_responses(s, event, event_len, data, data_len);
        break;
    case HX_DIALECT_ANTHROPIC:
        kind = classify_anthropic(s, event, event_len, data, data_len);
        break;
    case HX_DIALECT_GEMINI:
        kind = classify_gemini(s, data, data_len, &last);
        break;
    default:
        kind = classify_openai(s, event, event_len, data, data_len);
        break;
    }
    switch (kind) {
    case EV_CONTENT:
        output_event(s);
        if (last) {
            s->done = true;
            return 1;
        }
        return 0;
    case EV_DONE:
        s->done = true;
        return 1;
    case EV_ERROR:
        s->err = HX_ERR_STREAM_ERROR;
        return 1;
    case EV_PARSE:
        s->err = HX_ERR_STREAM_PARSE;
        return 1;
    case EV_SKIP:
        if (last) {
            s->done = true;
            return 1;
        }
        break;
    }
    return 0;
}

void hx_stream_feed(hx_stream_t *s, const char *buf, size_t len, uint64_t now_ns)
{
    /* Once the outcome is settled, later bytes (a trailing keep-alive after [DONE], the rest of a broken
     * stream) cannot change it and are not parsed. */
    if (s->done || s->err != HX_ERR_NONE)
        return;
    s->now = now_ns;
    if (hx_sse_feed(&s->sse, buf, len) == -1)
        s->err = HX_ERR_STREAM_PARSE; /* an event larger than HX_STREAM_MAX_EVENT */
}

hx_err_t hx_stream_finish(hx_stream_t *s, bool transport_ok)
{
    /* A recorded error explains the end better than the transport does; a terminator makes a later
     * transport hiccup irrelevant (the user already has the whole answer). */
    if (s->err == HX_ERR_NONE && !s->done)
        s->err = transport_ok ? HX_ERR_STREAM_NO_DONE : HX_ERR_STREAM_TRUNCATED;
    return s->err;
}

uint32_t hx_stream_output_tokens(const hx_stream_t *s)
{
    if (s->usage_tokens < 0)
        return s->chunks;
    return s->usage_tokens > UINT32_MAX ? UINT32_MAX : (uint32_t)s->usage_tokens;
}

void hx_stream_result(const hx_stream_t *s, hx_result_t *r)
{
    r->first_token = s->first_token;
    r->last_token = s->last_token;
    r->first_reasoning = s->first_reasoning;
    r->first_output = s->first_output;
    r->last_output = s->last_output;
    r->chunks = s->chunks;
    r->tokens = hx_stream_output_tokens(s);
    r->usage_tokens = s->usage_tokens;
    r->gaps = s->gaps;
    r->ngaps = s->ngaps;
}
