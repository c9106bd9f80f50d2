/* The Message object and its named event stream (message_start, content_block_start, ping,
 * content_block_delta, content_block_stop, message_delta, message_stop), the count_tokens answer, and the
 * response bound they are checked against.
 *
 * Blocks: with thinking, a thinking block first (index 0), then the text block or one tool_use block per call.
 * A text answer thinks with half of its planned tokens (at most budget_tokens): the exchange plans N tokens,
 * the first T = N/2 stream as thinking_delta words and the other N - T as text, so that thinking takes its
 * share of the timing and of max_tokens, as it does at Anthropic. A tool call's arguments keep all their
 * pieces (they cannot be shortened) and come after a short thought sent whole. */
#include <stdio.h>
#include <string.h>

#include "mock-provider/providers/anthropic/anthropic.h"
#include "mock-provider/providers/budget.h"
#include "mock-provider/providers/content.h"
#include "mock-provider/providers/render.h"

#define SIGNATURE_CHARS 126

static const mp_an_request_t *own(const mp_exchange_t *x)
{
    return x->req->own;
}

static bool thinks(const mp_exchange_t *x)
{
    return own(x) != NULL && own(x)->thinking;
}

static bool calls_tools(const mp_exchange_t *x)
{
    return x->n > 0 && x->finish[0] == MP_FINISH_TOOL_CALLS;
}

/* Index of the first block after the thinking block. */
static uint32_t base(const mp_exchange_t *x)
{
    return thinks(x) ? 1 : 0;
}

/* Takes the thinking share out of a text answer's tokens; called once, before the first byte. The steps stay
 * N: the first T = steps - tokens[0] are thinking. */
static void plan_thinking(mp_exchange_t *x)
{
    if (!thinks(x) || calls_tools(x) || x->n == 0)
        return;
    uint32_t t = x->tokens[0] / 2;
    if (t > own(x)->thinking_budget)
        t = own(x)->thinking_budget;
    x->tokens[0] -= t;
}

static uint32_t thought_steps(const mp_exchange_t *x)
{
    return x->n > 0 ? x->steps - x->tokens[0] : 0;
}

static uint64_t output_tokens(const mp_exchange_t *x)
{
    return (uint64_t)x->completion_tokens + (thinks(x) && calls_tools(x) ? MP_AN_TOOL_THOUGHT_WORDS : 0);
}

static const char *stop_reason(const mp_exchange_t *x)
{
    static const char *const names[] = {
        [MP_FINISH_STOP] = "end_turn",
        [MP_FINISH_LENGTH] = "max_tokens",
        [MP_FINISH_TOOL_CALLS] = "tool_use",
    };
    if (mp_content_stop(x, 0) != 0)
        return "stop_sequence";
    return x->n > 0 ? names[x->finish[0]] : "end_turn";
}

/* The sequence that ended the answer, as the request spelled it, or null. */
static void put_stop_sequence(const mp_exchange_t *x, cm_buf_t *out)
{
    uint32_t k = mp_content_stop(x, 0);
    if (k != 0)
        mp_put_quoted(out, x->req->stop[k - 1]);
    else
        MP_PUT_LIT(out, "null");
}

/* Word k of the thought, with its leading space after the first. */
static void put_thought_word(const mp_exchange_t *x, uint32_t k, cm_buf_t *out)
{
    if (k > 0)
        cm_buf_putc(out, ' ');
    cm_buf_puts(out, mp_pool_word(x->seed, 1, k));
}

static void put_signature(const mp_exchange_t *x, cm_buf_t *out)
{
    char sig[SIGNATURE_CHARS + 8];
    mp_id_base62_from(sig, sizeof(sig), "Eq", SIGNATURE_CHARS, mp_mix64(x->id_key ^ 0x5167u));
    cm_buf_putc(out, '"');
    cm_buf_puts(out, sig);
    cm_buf_putc(out, '"');
}

static void put_tool_id(const mp_exchange_t *x, uint32_t i, cm_buf_t *out)
{
    char id[40];
    mp_id_base62_from(id, sizeof(id), "toolu_01", 22, mp_mix64(x->id_key ^ (0x7001u + i)));
    cm_buf_putc(out, '"');
    cm_buf_puts(out, id);
    cm_buf_putc(out, '"');
}

static cm_str_t call_name(const mp_exchange_t *x, uint32_t i)
{
    return i == 0 ? x->req->tool_name : x->req->call_names[i];
}

static void put_usage(const mp_exchange_t *x, cm_buf_t *out, uint64_t output)
{
    MP_PUT_LIT(out, "{\"input_tokens\":");
    mp_put_uint(out, x->req->prompt_tokens);
    MP_PUT_LIT(out, ",\"cache_creation_input_tokens\":0,\"cache_read_input_tokens\":0,\"cache_creation\":"
                    "{\"ephemeral_5m_input_tokens\":0,\"ephemeral_1h_input_tokens\":0},\"output_tokens\":");
    mp_put_uint(out, output);
    MP_PUT_LIT(out, ",\"service_tier\":\"standard\"}");
}

/* {"model":..,"id":..,"type":"message","role":"assistant","content":[ */
static void put_message_open(const mp_exchange_t *x, cm_buf_t *out)
{
    MP_PUT_LIT(out, "{\"model\":");
    mp_put_quoted(out, x->req->model);
    MP_PUT_LIT(out, ",\"id\":\"");
    cm_buf_puts(out, x->id);
    MP_PUT_LIT(out, "\",\"type\":\"message\",\"role\":\"assistant\",\"content\":[");
}

/* ---- the Message object -------------------------------------------------------------------------------- */

static void body_thinking(const mp_exchange_t *x, cm_buf_t *out)
{
    uint32_t words = calls_tools(x) ? MP_AN_TOOL_THOUGHT_WORDS : thought_steps(x);
    MP_PUT_LIT(out, "{\"type\":\"thinking\",\"thinking\":\"");
    for (uint32_t k = 0; k < words; k++)
        put_thought_word(x, k, out);
    MP_PUT_LIT(out, "\",\"signature\":");
    put_signature(x, out);
    MP_PUT_LIT(out, "},");
}

static void body_tools(const mp_exchange_t *x, cm_buf_t *out)
{
    for (uint32_t i = 0; i < x->calls[0]; i++) {
        const char *input = i == 0 ? x->req->tool_arguments : x->req->call_args[i];
        if (i > 0)
            cm_buf_putc(out, ',');
        MP_PUT_LIT(out, "{\"type\":\"tool_use\",\"id\":");
        put_tool_id(x, i, out);
        MP_PUT_LIT(out, ",\"name\":");
        mp_put_quoted(out, call_name(x, i));
        MP_PUT_LIT(out, ",\"input\":");
        cm_buf_puts(out, input);
        cm_buf_putc(out, '}');
    }
}

static void message_body(mp_exchange_t *x, cm_buf_t *out)
{
    plan_thinking(x);
    mp_content_fill(x, 0);
    put_message_open(x, out);
    if (thinks(x))
        body_thinking(x, out);
    if (calls_tools(x)) {
        body_tools(x, out);
    } else {
        MP_PUT_LIT(out, "{\"type\":\"text\",\"text\":");
        mp_put_quoted(out, (cm_str_t){x->text[0].data ? x->text[0].data : "", x->text[0].len});
        cm_buf_putc(out, '}');
    }
    MP_PUT_LIT(out, "],\"stop_reason\":\"");
    cm_buf_puts(out, stop_reason(x));
    MP_PUT_LIT(out, "\",\"stop_sequence\":");
    put_stop_sequence(x, out);
    MP_PUT_LIT(out, ",\"usage\":");
    put_usage(x, out, output_tokens(x));
    cm_buf_putc(out, '}');
}

void mp_an_render_body(mp_exchange_t *x, cm_buf_t *out)
{
    if (x->req->api == MP_API_COUNT_TOKENS) {
        MP_PUT_LIT(out, "{\"input_tokens\":");
        mp_put_uint(out, x->req->prompt_tokens);
        cm_buf_putc(out, '}');
        return;
    }
    message_body(x, out);
}

/* ---- the event stream ---------------------------------------------------------------------------------- */

static void block_start(cm_buf_t *out, uint32_t index)
{
    mp_sse_event(out, "content_block_start");
    MP_PUT_LIT(out, "{\"type\":\"content_block_start\",\"index\":");
    mp_put_uint(out, index);
    MP_PUT_LIT(out, ",\"content_block\":");
}

/* content_block_delta up to the delta's type; the caller writes its field and closes with delta_end. */
static void delta_start(cm_buf_t *out, uint32_t index, const char *type)
{
    mp_sse_event(out, "content_block_delta");
    MP_PUT_LIT(out, "{\"type\":\"content_block_delta\",\"index\":");
    mp_put_uint(out, index);
    MP_PUT_LIT(out, ",\"delta\":{\"type\":\"");
    cm_buf_puts(out, type);
    MP_PUT_LIT(out, "\",");
}

static void delta_end(cm_buf_t *out)
{
    MP_PUT_LIT(out, "}}" MP_SSE_END);
}

static void block_stop(cm_buf_t *out, uint32_t index)
{
    mp_sse_event(out, "content_block_stop");
    MP_PUT_LIT(out, "{\"type\":\"content_block_stop\",\"index\":");
    mp_put_uint(out, index);
    MP_PUT_LIT(out, "}" MP_SSE_END);
}

static void tool_start(const mp_exchange_t *x, uint32_t i, cm_buf_t *out)
{
    block_start(out, base(x) + i);
    MP_PUT_LIT(out, "{\"type\":\"tool_use\",\"id\":");
    put_tool_id(x, i, out);
    MP_PUT_LIT(out, ",\"name\":");
    mp_put_quoted(out, call_name(x, i));
    MP_PUT_LIT(out, ",\"input\":{}}}" MP_SSE_END);
}

/* The empty input_json_delta the API sends first in every tool_use block. */
static void tool_empty_delta(const mp_exchange_t *x, uint32_t i, cm_buf_t *out)
{
    delta_start(out, base(x) + i, "input_json_delta");
    MP_PUT_LIT(out, "\"partial_json\":\"\"");
    delta_end(out);
}

/* Opens the first block after the thought (text, or call 0's tool_use without its first delta). */
static void content_start(const mp_exchange_t *x, cm_buf_t *out)
{
    if (calls_tools(x)) {
        tool_start(x, 0, out);
        return;
    }
    block_start(out, base(x));
    MP_PUT_LIT(out, "{\"type\":\"text\",\"text\":\"\"}}" MP_SSE_END);
}

static void open_content(const mp_exchange_t *x, cm_buf_t *out)
{
    content_start(x, out);
    if (calls_tools(x))
        tool_empty_delta(x, 0, out);
}

/* The thought's end: its signature, its stop, and the block that follows. */
static void close_thinking(const mp_exchange_t *x, cm_buf_t *out)
{
    delta_start(out, 0, "signature_delta");
    MP_PUT_LIT(out, "\"signature\":");
    put_signature(x, out);
    delta_end(out);
    block_stop(out, 0);
    open_content(x, out);
}

static void ping(cm_buf_t *out)
{
    mp_sse_event(out, "ping");
    MP_PUT_LIT(out, "{\"type\": \"ping\"}" MP_SSE_END);
}

void mp_an_render_head(mp_exchange_t *x, cm_buf_t *out)
{
    plan_thinking(x);
    mp_sse_event(out, "message_start");
    MP_PUT_LIT(out, "{\"type\":\"message_start\",\"message\":");
    put_message_open(x, out);
    MP_PUT_LIT(out, "],\"stop_reason\":null,\"stop_sequence\":null,\"usage\":");
    put_usage(x, out, 1);
    MP_PUT_LIT(out, "}}" MP_SSE_END);
    if (!thinks(x)) {
        content_start(x, out);
        ping(out);
        if (calls_tools(x))
            tool_empty_delta(x, 0, out);
        return;
    }
    block_start(out, 0);
    MP_PUT_LIT(out, "{\"type\":\"thinking\",\"thinking\":\"\",\"signature\":\"\"}}" MP_SSE_END);
    ping(out);
    if (calls_tools(x)) {
        delta_start(out, 0, "thinking_delta");
        MP_PUT_LIT(out, "\"thinking\":\"");
        for (uint32_t k = 0; k < MP_AN_TOOL_THOUGHT_WORDS; k++)
            put_thought_word(x, k, out);
        cm_buf_putc(out, '"');
        delta_end(out);
    }
    if (thought_steps(x) == 0)
        close_thinking(x, out);
}

/* Thought words k .. k + n - 1 in one thinking_delta. */
static void step_thought(mp_exchange_t *x, uint32_t k, uint32_t n, cm_buf_t *out)
{
    delta_start(out, 0, "thinking_delta");
    MP_PUT_LIT(out, "\"thinking\":\"");
    for (uint32_t i = 0; i < n; i++)
        put_thought_word(x, k + i, out);
    cm_buf_putc(out, '"');
    delta_end(out);
    if (k + n == thought_steps(x))
        close_thinking(x, out);
}

/* The next piece of the arguments; the first piece of call i > 0 closes call i - 1's block and opens its own. */
static void step_tool(mp_exchange_t *x, cm_buf_t *out)
{
    size_t pos = x->echo_pos[0];
    uint32_t i = mp_tool_call_at(x, 0, pos);
    if (i > 0 && pos == x->call_end[i - 1]) {
        block_stop(out, base(x) + i - 1);
        tool_start(x, i, out);
        tool_empty_delta(x, i, out);
    }
    cm_str_t piece = mp_content_next(x, 0);
    delta_start(out, base(x) + i, "input_json_delta");
    MP_PUT_LIT(out, "\"partial_json\":");
    mp_put_quoted(out, piece);
    delta_end(out);
}

/* A chunk that spans the end of the thinking sends its last thought words and its first answer tokens
 * together, in two events (they are different blocks). */
void mp_an_render_step(mp_exchange_t *x, cm_buf_t *out)
{
    uint32_t chunk = x->chunk > 1 ? x->chunk : 1, k = x->step, thought = thought_steps(x);
    x->step += chunk;
    if (k < thought) {
        uint32_t n = thought - k < chunk ? thought - k : chunk;
        step_thought(x, k, n, out);
        if (n == chunk || k + n >= x->steps)
            return;
        x->chunk = chunk - n; /* the rest of the chunk is answer */
    }
    if (calls_tools(x)) {
        step_tool(x, out);
    } else {
        cm_str_t tok = mp_content_next(x, 0);
        delta_start(out, base(x), "text_delta");
        MP_PUT_LIT(out, "\"text\":");
        mp_put_quoted(out, tok);
        delta_end(out);
    }
}

/* Usage in message_delta is cumulative: the whole message's counts. */
void mp_an_render_tail(mp_exchange_t *x, cm_buf_t *out)
{
    block_stop(out, base(x) + (calls_tools(x) ? x->calls[0] - 1u : 0u));
    mp_sse_event(out, "message_delta");
    MP_PUT_LIT(out, "{\"type\":\"message_delta\",\"delta\":{\"stop_reason\":\"");
    cm_buf_puts(out, stop_reason(x));
    MP_PUT_LIT(out, "\",\"stop_sequence\":");
    put_stop_sequence(x, out);
    MP_PUT_LIT(out, "},\"usage\":{\"input_tokens\":");
    mp_put_uint(out, x->req->prompt_tokens);
    MP_PUT_LIT(out, ",\"cache_creation_input_tokens\":0,\"cache_read_input_tokens\":0,\"output_tokens\":");
    mp_put_uint(out, output_tokens(x));
    MP_PUT_LIT(out, "}}" MP_SSE_END);
    mp_sse_event(out, "message_stop");
    MP_PUT_LIT(out, "{\"type\":\"message_stop\"}" MP_SSE_END);
}

/* ---- response bound ------------------------------------------------------------------------------------ */

/* Fixed bytes of one event (a delta with its event line, index and punctuation: about 100), of everything
 * else of a response (message_start, usage, the closing events, thinking's signature and thought: about 1500),
 * and of one tool_use block's opening (about 250). A pool word is at most 13 bytes and its space. */
#define FRAME_BYTES 160
#define BASE_BYTES 4096
#define CALL_BYTES 512
#define POOL_TOKEN_BYTES 14

/* Every piece of a call's escaped arguments is one event and holds at least 4 of its bytes, but the last. */
static uint64_t tool_bound(const mp_request_t *req)
{
    uint64_t bytes = 0, n = req->ncalls > 0 ? req->ncalls : 1;
    for (uint32_t i = 0; i < n; i++) {
        const char *args = i == 0 ? req->tool_arguments : req->call_args[i];
        uint64_t escaped = cm_json_escaped_len(args, strlen(args));
        bytes += escaped * 2 + (escaped / 4 + 2) * FRAME_BYTES + CALL_BYTES +
                 (i == 0 ? req->tool_name.n : req->call_names[i].n);
    }
    return bytes;
}

static uint64_t text_bound(const mp_deployment_t *dep, const mp_request_t *req)
{
    uint64_t tokens = mp_output_tokens_cap(&dep->output_tokens);
    if (req->max_tokens >= 0 && (uint64_t)req->max_tokens < tokens)
        tokens = (uint64_t)req->max_tokens;
    bool echo = dep->content == MP_CONTENT_ECHO && req->echo.n > 0;
    uint64_t text = echo ? req->echo.n + tokens * POOL_TOKEN_BYTES : tokens * POOL_TOKEN_BYTES;
    return tokens * FRAME_BYTES + text;
}

uint64_t mp_an_response_bound(const mp_deployment_t *dep, const mp_request_t *req)
{
    if (req->api != MP_API_MESSAGES)
        return 0;
    uint64_t text = text_bound(dep, req);
    uint64_t tool = mp_wants_tool_call(dep, req) ? tool_bound(req) : 0;
    return BASE_BYTES + 2 * (req->model.n + 2) + (tool > text ? tool : text);
}

int mp_an_check_response(const mp_deployment_t *dep, const mp_request_t *req, mp_error_t *err)
{
    uint64_t bound = mp_an_response_bound(dep, req), budget = mp_response_budget(dep);
    if (bound <= budget)
        return 0;
    mp_error_set(err, MP_ERR_BAD_REQUEST, "",
                 "max_tokens: the response to this request could take up to %llu bytes, above the limit of %llu "
                 "bytes for a response of this deployment. Lower max_tokens or the tool schemas, or raise the "
                 "deployment's max_response.",
                 (unsigned long long)bound, (unsigned long long)budget);
    return -1;
}
