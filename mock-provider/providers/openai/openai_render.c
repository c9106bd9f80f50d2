/* Chat and legacy completions: non-stream bodies and SSE streams, plus the dispatch of the provider's render
 * entry points by api. Every fragment that does not depend on the exchange is a literal appended whole. */
#include "mock-provider/providers/content.h"
#include "mock-provider/providers/openai/openai.h"
#include "mock-provider/providers/render.h"

static const char *const finish_names[] = {
    [MP_FINISH_STOP] = "\"stop\"",
    [MP_FINISH_LENGTH] = "\"length\"",
    [MP_FINISH_TOOL_CALLS] = "\"tool_calls\"",
};

static void put_finish(cm_buf_t *out, mp_finish_t f)
{
    cm_buf_puts(out, finish_names[f]);
}

void mp_oa_put_usage(const mp_exchange_t *x, cm_buf_t *out, bool details)
{
    uint64_t p = x->req->prompt_tokens, c = x->completion_tokens;
    MP_PUT_LIT(out, "{\"prompt_tokens\":");
    mp_put_uint(out, p);
    MP_PUT_LIT(out, ",\"completion_tokens\":");
    mp_put_uint(out, c);
    MP_PUT_LIT(out, ",\"total_tokens\":");
    mp_put_uint(out, p + c);
    if (details) {
        MP_PUT_LIT(out, ",\"prompt_tokens_details\":{\"cached_tokens\":0,\"audio_tokens\":0},"
                        "\"completion_tokens_details\":{\"reasoning_tokens\":");
        mp_put_uint(out, mp_oa_reasoning_tokens(x));
        MP_PUT_LIT(out, ",\"audio_tokens\":0,\"accepted_prediction_tokens\":0,\"rejected_prediction_tokens\":0}");
    }
    cm_buf_putc(out, '}');
}

/* ---- reasoning ------------------------------------------------------------------------------------ */

/* OpenAI's own API keeps reasoning hidden (only reasoning_tokens shows); OpenAI-compatible servers (vLLM,
 * DeepSeek, LiteLLM) stream it as delta.reasoning_content before the answer, and that is what a client's
 * time to first reasoning token is measured on. The Responses API shows it as a reasoning output item, with
 * summary text when asked (openai_responses.c). A one-choice answer to a request that asks for reasoning (or
 * on a deployment with reasoning: true, a model that always reasons) reasons first, before text, a tool call
 * or structured output alike, as reasoning models do before they call a tool (mp_plan_reasoning says how
 * much): the first R = steps - tokens[0] steps are reasoning, and the output count counts them (reasoning_tokens
 * R of them). */
bool mp_oa_reasons(const mp_exchange_t *x)
{
    mp_api_t api = x->req->api;
    return (api == MP_API_CHAT || api == MP_API_RESPONSES) && (mp_oa_req(x->req)->reasoning || x->dep->reasoning) &&
           x->n == 1;
}

void mp_oa_plan(mp_exchange_t *x, cm_rng_t *rng)
{
    if (mp_oa_reasons(x))
        mp_plan_reasoning(x, UINT32_MAX, rng);
}

uint32_t mp_oa_reasoning_tokens(const mp_exchange_t *x)
{
    return mp_oa_reasons(x) ? x->steps - x->tokens[0] : 0;
}

/* {"id":"..","object":"<object>","created":N,"model":".." — the start shared by bodies and chunks. */
static void put_head(const mp_exchange_t *x, cm_buf_t *out, const char *object)
{
    MP_PUT_LIT(out, "{\"id\":\"");
    cm_buf_puts(out, x->id);
    MP_PUT_LIT(out, "\",\"object\":\"");
    cm_buf_puts(out, object);
    MP_PUT_LIT(out, "\",\"created\":");
    mp_put_int(out, x->created);
    MP_PUT_LIT(out, ",\"model\":");
    mp_put_quoted(out, x->req->model);
}

static void put_tier_fingerprint(const mp_exchange_t *x, cm_buf_t *out)
{
    char fp[16];
    mp_system_fingerprint(x->dep, fp, sizeof(fp));
    MP_PUT_LIT(out, ",\"service_tier\":\"default\",\"system_fingerprint\":\"");
    cm_buf_puts(out, fp);
    cm_buf_putc(out, '"');
}

/* ---- Azure's content filter annotations (mp_oa_flavor_t.content_filters) ----------------------------- */

#define SAFE "{\"filtered\":false,\"severity\":\"safe\"}"
#define UNDETECTED "{\"filtered\":false,\"detected\":false}"
/* Every category passed, as Azure reports a harmless prompt and completion. */
static const char prompt_filters[] =
    "[{\"prompt_index\":0,\"content_filter_results\":{\"hate\":" SAFE ",\"jailbreak\":" UNDETECTED
    ",\"self_harm\":" SAFE ",\"sexual\":" SAFE ",\"violence\":" SAFE "}}]";
static const char choice_filters[] =
    "{\"hate\":" SAFE ",\"protected_material_code\":" UNDETECTED ",\"protected_material_text\":" UNDETECTED
    ",\"self_harm\":" SAFE ",\"sexual\":" SAFE ",\"violence\":" SAFE "}";

static bool filters(const mp_exchange_t *x)
{
    return mp_oa_flavor(x->ops)->content_filters;
}

/* ,"prompt_filter_results":[...] of a body. */
static void put_prompt_filters(const mp_exchange_t *x, cm_buf_t *out)
{
    if (!filters(x))
        return;
    MP_PUT_LIT(out, ",\"prompt_filter_results\":");
    MP_PUT_LIT(out, prompt_filters);
}

/* ,"content_filter_results":... of a choice: the whole annotation, or {} (stream chunks without text). */
static void put_choice_filters(const mp_exchange_t *x, cm_buf_t *out, bool whole)
{
    if (!filters(x))
        return;
    MP_PUT_LIT(out, ",\"content_filter_results\":");
    if (whole)
        MP_PUT_LIT(out, choice_filters);
    else
        MP_PUT_LIT(out, "{}");
}

/* Azure opens a stream with a chunk that carries only the prompt's annotations. */
static void filter_chunk(const mp_exchange_t *x, cm_buf_t *out)
{
    if (!filters(x))
        return;
    MP_PUT_LIT(
        out,
        "data: {\"choices\":[],\"created\":0,\"id\":\"\",\"model\":\"\",\"object\":\"\",\"prompt_filter_results\":");
    MP_PUT_LIT(out, prompt_filters);
    MP_PUT_LIT(out, "}" MP_SSE_END);
}

/* ---- chat ----------------------------------------------------------------------------------------- */

/* {"id":"call_..","type":"function","function":{"name":"..","arguments":"<args>"}} with args escaped: call i
 * of choice c; index writes the stream's "index":i first. */
static void put_tool_call(const mp_exchange_t *x, uint32_t c, uint32_t i, cm_buf_t *out, cm_str_t args, bool index)
{
    char id[32];
    mp_tool_call_id(x, c, i, id, sizeof(id));
    MP_PUT_LIT(out, "{");
    if (index) {
        MP_PUT_LIT(out, "\"index\":");
        mp_put_uint(out, i);
        cm_buf_putc(out, ',');
    }
    MP_PUT_LIT(out, "\"id\":\"");
    cm_buf_puts(out, id);
    MP_PUT_LIT(out, "\",\"type\":\"function\",\"function\":{\"name\":");
    mp_put_quoted(out, i == 0 ? x->req->tool_name : x->req->call_names[i]);
    MP_PUT_LIT(out, ",\"arguments\":");
    mp_put_quoted(out, args);
    MP_PUT_LIT(out, "}}");
}

/* ,"reasoning_content":"..." of a body's message, when the answer reasoned. */
static void put_reasoning_content(const mp_exchange_t *x, cm_buf_t *out)
{
    if (mp_oa_reasoning_tokens(x) == 0)
        return;
    MP_PUT_LIT(out, ",\"reasoning_content\":\"");
    mp_content_put_thoughts(x, 0, mp_oa_reasoning_tokens(x), out);
    cm_buf_putc(out, '"');
}

static void put_message(const mp_exchange_t *x, uint32_t c, cm_buf_t *out)
{
    cm_str_t text = {x->text[c].data ? x->text[c].data : "", x->text[c].len};
    bool tool = x->finish[c] == MP_FINISH_TOOL_CALLS;
    MP_PUT_LIT(out, "{\"role\":\"assistant\",\"content\":");
    if (tool)
        MP_PUT_LIT(out, "null");
    else
        mp_put_quoted(out, text);
    put_reasoning_content(x, out);
    if (tool) {
        MP_PUT_LIT(out, ",\"tool_calls\":[");
        for (uint32_t i = 0; i < x->calls[c]; i++) {
            if (i > 0)
                cm_buf_putc(out, ',');
            put_tool_call(x, c, i, out, mp_tool_call_args(x, c, i), false);
        }
        cm_buf_putc(out, ']');
    }
    MP_PUT_LIT(out, ",\"refusal\":null,\"annotations\":[]}");
}

static void chat_body(mp_exchange_t *x, cm_buf_t *out)
{
    put_head(x, out, "chat.completion");
    MP_PUT_LIT(out, ",\"choices\":[");
    for (uint32_t c = 0; c < x->n; c++) {
        mp_content_fill(x, c);
        if (c > 0)
            cm_buf_putc(out, ',');
        MP_PUT_LIT(out, "{\"index\":");
        mp_put_uint(out, c);
        MP_PUT_LIT(out, ",\"message\":");
        put_message(x, c, out);
        MP_PUT_LIT(out, ",\"logprobs\":");
        if (mp_oa_req(x->req)->logprobs)
            mp_oa_put_choice_logprobs(x, c, out);
        else
            MP_PUT_LIT(out, "null");
        MP_PUT_LIT(out, ",\"finish_reason\":");
        put_finish(out, x->finish[c]);
        put_choice_filters(x, out, true);
        cm_buf_putc(out, '}');
    }
    cm_buf_putc(out, ']');
    put_prompt_filters(x, out);
    MP_PUT_LIT(out, ",\"usage\":");
    mp_oa_put_usage(x, out, true);
    put_tier_fingerprint(x, out);
    cm_buf_putc(out, '}');
}

/* data: {...,"choices":[{"index":c,"delta": — the caller writes the delta and calls chunk_close. */
static void chat_chunk_open(const mp_exchange_t *x, uint32_t c, cm_buf_t *out)
{
    MP_PUT_LIT(out, "data: ");
    put_head(x, out, "chat.completion.chunk");
    put_tier_fingerprint(x, out);
    MP_PUT_LIT(out, ",\"choices\":[{\"index\":");
    mp_put_uint(out, c);
    MP_PUT_LIT(out, ",\"delta\":");
}

/* Closes the choice (logprobs, finish_reason) and the chunk; usage is null on every chunk when the client
 * asked for include_usage, as OpenAI does. With logprobs, every chunk carries {"content":[...]}: the entry of
 * its token (tok, token number index of choice c), or none. */
static void chunk_close(const mp_exchange_t *x, cm_buf_t *out, const char *finish, uint32_t c, const cm_str_t *tok,
                        uint32_t index)
{
    if (mp_oa_req(x->req)->logprobs) {
        MP_PUT_LIT(out, ",\"logprobs\":{\"content\":[");
        if (tok != NULL)
            mp_oa_put_logprob_entry(x, c, index, *tok, out);
        MP_PUT_LIT(out, "],\"refusal\":null},\"finish_reason\":");
    } else {
        MP_PUT_LIT(out, ",\"logprobs\":null,\"finish_reason\":");
    }
    cm_buf_puts(out, finish);
    put_choice_filters(x, out, tok != NULL);
    MP_PUT_LIT(out, "}]");
    if (mp_oa_req(x->req)->include_usage)
        MP_PUT_LIT(out, ",\"usage\":null");
    MP_PUT_LIT(out, "}" MP_SSE_END);
}

/* A tool call's first call opens with the role chunk, unless reasoning comes first: then it opens after the
 * reasoning, in a chunk of its own, as the next parallel calls do. */
static bool call_opens_late(const mp_exchange_t *x, uint32_t c)
{
    return x->finish[c] == MP_FINISH_TOOL_CALLS && mp_oa_reasoning_tokens(x) > 0;
}

static void chat_head(mp_exchange_t *x, cm_buf_t *out)
{
    filter_chunk(x, out);
    for (uint32_t c = 0; c < x->n; c++) {
        chat_chunk_open(x, c, out);
        if (call_opens_late(x, c)) {
            MP_PUT_LIT(out, "{\"role\":\"assistant\",\"content\":null,\"refusal\":null}");
        } else if (x->finish[c] == MP_FINISH_TOOL_CALLS) {
            MP_PUT_LIT(out, "{\"role\":\"assistant\",\"content\":null,\"tool_calls\":[");
            put_tool_call(x, c, 0, out, (cm_str_t){"", 0}, true);
            MP_PUT_LIT(out, "],\"refusal\":null}");
        } else {
            MP_PUT_LIT(out, "{\"role\":\"assistant\",\"content\":\"\",\"refusal\":null}");
        }
        chunk_close(x, out, "null", c, NULL, 0);
    }
}

/* The chunk that opens call i of a parallel answer: its index, id, name and empty arguments. */
static void call_header(const mp_exchange_t *x, uint32_t c, uint32_t i, cm_buf_t *out)
{
    chat_chunk_open(x, c, out);
    MP_PUT_LIT(out, "{\"tool_calls\":[");
    put_tool_call(x, c, i, out, (cm_str_t){"", 0}, true);
    MP_PUT_LIT(out, "]}");
    chunk_close(x, out, "null", c, NULL, 0);
}

/* The reasoning part of a chunk (steps k .. k + n - 1): one chunk with a reasoning_content delta. */
static void reasoning_chunk(const mp_exchange_t *x, uint32_t k, uint32_t n, cm_buf_t *out)
{
    chat_chunk_open(x, 0, out);
    MP_PUT_LIT(out, "{\"reasoning_content\":\"");
    mp_content_put_thoughts(x, k, n, out);
    MP_PUT_LIT(out, "\"}");
    chunk_close(x, out, "null", 0, NULL, 0);
}

/* A chunk that spans the end of the reasoning sends its last reasoning words and its first answer tokens
 * together, in two chunks. */
static void chat_step(mp_exchange_t *x, cm_buf_t *out)
{
    uint32_t r = mp_oa_reasoning_tokens(x), chunk = x->chunk > 1 ? x->chunk : 1;
    if (x->step < r) {
        uint32_t n = r - x->step < chunk ? r - x->step : chunk;
        reasoning_chunk(x, x->step, n, out);
        if (n == chunk)
            return;
        x->chunk = chunk - n; /* the rest of the chunk is answer */
    }
    for (uint32_t c = 0; c < x->n; c++) {
        if (x->cursor[c] >= x->tokens[c])
            continue;
        bool tool = x->finish[c] == MP_FINISH_TOOL_CALLS;
        uint32_t call = tool ? mp_tool_call_at(x, c, x->echo_pos[c]) : 0;
        if (call > 0 && x->echo_pos[c] == x->call_end[c * MP_MAX_PARALLEL_CALLS + call - 1])
            call_header(x, c, call, out); /* the next parallel call starts */
        else if (tool && x->cursor[c] == 0 && call_opens_late(x, c))
            call_header(x, c, 0, out); /* the first call starts after the reasoning */
        cm_str_t tok = mp_content_next(x, c);
        chat_chunk_open(x, c, out);
        if (tool) {
            MP_PUT_LIT(out, "{\"tool_calls\":[{\"index\":");
            mp_put_uint(out, call);
            MP_PUT_LIT(out, ",\"function\":{\"arguments\":");
        } else {
            MP_PUT_LIT(out, "{\"content\":");
        }
        mp_put_quoted(out, tok);
        cm_buf_puts(out, tool ? "}}]}" : "}");
        chunk_close(x, out, "null", c, tool ? NULL : &tok, x->cursor[c] - 1);
    }
}

/* The extra chunk of include_usage: no choices, the whole usage. */
static void usage_chunk(const mp_exchange_t *x, cm_buf_t *out, const char *object, bool chat)
{
    MP_PUT_LIT(out, "data: ");
    put_head(x, out, object);
    if (chat)
        put_tier_fingerprint(x, out);
    MP_PUT_LIT(out, ",\"choices\":[],\"usage\":");
    mp_oa_put_usage(x, out, chat);
    MP_PUT_LIT(out, "}" MP_SSE_END);
}

static void chat_tail(mp_exchange_t *x, cm_buf_t *out)
{
    for (uint32_t c = 0; c < x->n; c++) {
        chat_chunk_open(x, c, out);
        MP_PUT_LIT(out, "{}");
        chunk_close(x, out, finish_names[x->finish[c]], c, NULL, 0);
    }
    if (mp_oa_req(x->req)->include_usage)
        usage_chunk(x, out, "chat.completion.chunk", true);
    MP_PUT_LIT(out, "data: [DONE]" MP_SSE_END);
}

/* ---- completions ---------------------------------------------------------------------------------- */

static cm_str_t text_of(const mp_exchange_t *x, uint32_t c)
{
    return (cm_str_t){x->text[c].data ? x->text[c].data : "", x->text[c].len};
}

/* Where choice c's text_offset starts: the end of its prompt. */
static size_t prompt_end(const mp_exchange_t *x, uint32_t c)
{
    return mp_oa_req(x->req)->prompt_chars ? mp_oa_req(x->req)->prompt_chars[c] : 0;
}

/* Completions never call tools, so a streamed choice keeps the characters it has sent (for the next token's
 * text_offset, without recounting the text each step) in its first call_end slot. */
static size_t *chars_sent(mp_exchange_t *x, uint32_t c)
{
    return &x->call_end[(size_t)c * MP_MAX_PARALLEL_CALLS];
}

/* {"text":..,"index":c,"logprobs":..,"finish_reason":..}: with logprobs, the object of tokens first on of
 * text, whose offsets start at offset. */
static void put_text_choice(const mp_exchange_t *x, uint32_t c, cm_buf_t *out, cm_str_t text, const char *finish,
                            uint32_t first, size_t offset)
{
    MP_PUT_LIT(out, "{\"text\":");
    mp_put_quoted(out, text);
    MP_PUT_LIT(out, ",\"index\":");
    mp_put_uint(out, c);
    MP_PUT_LIT(out, ",\"logprobs\":");
    if (mp_oa_req(x->req)->logprobs)
        mp_oa_put_legacy_logprobs(x, c, first, text, offset, out);
    else
        MP_PUT_LIT(out, "null");
    MP_PUT_LIT(out, ",\"finish_reason\":");
    cm_buf_puts(out, finish);
    put_choice_filters(x, out, text.n > 0);
    cm_buf_putc(out, '}');
}

static void completions_body(mp_exchange_t *x, cm_buf_t *out)
{
    put_head(x, out, "text_completion");
    MP_PUT_LIT(out, ",\"choices\":[");
    for (uint32_t c = 0; c < x->n; c++) {
        mp_content_fill(x, c);
        if (c > 0)
            cm_buf_putc(out, ',');
        put_text_choice(x, c, out, text_of(x, c), finish_names[x->finish[c]], 0, prompt_end(x, c));
    }
    cm_buf_putc(out, ']');
    put_prompt_filters(x, out);
    MP_PUT_LIT(out, ",\"usage\":");
    mp_oa_put_usage(x, out, false);
    cm_buf_putc(out, '}');
}

static void completion_chunk(const mp_exchange_t *x, uint32_t c, cm_buf_t *out, cm_str_t text, const char *finish,
                             size_t offset)
{
    MP_PUT_LIT(out, "data: ");
    put_head(x, out, "text_completion");
    MP_PUT_LIT(out, ",\"choices\":[");
    put_text_choice(x, c, out, text, finish, x->cursor[c] > 0 ? x->cursor[c] - 1 : 0, offset);
    cm_buf_putc(out, ']');
    if (mp_oa_req(x->req)->include_usage)
        MP_PUT_LIT(out, ",\"usage\":null");
    MP_PUT_LIT(out, "}" MP_SSE_END);
}

static void completions_step(mp_exchange_t *x, cm_buf_t *out)
{
    for (uint32_t c = 0; c < x->n; c++) {
        if (x->cursor[c] >= x->tokens[c])
            continue;
        cm_str_t tok = mp_content_next(x, c);
        size_t offset = prompt_end(x, c) + *chars_sent(x, c);
        if (mp_oa_req(x->req)->logprobs)
            *chars_sent(x, c) += mp_oa_text_chars(tok);
        completion_chunk(x, c, out, tok, "null", offset);
    }
}

static void completions_tail(mp_exchange_t *x, cm_buf_t *out)
{
    for (uint32_t c = 0; c < x->n; c++)
        completion_chunk(x, c, out, (cm_str_t){"", 0}, finish_names[x->finish[c]], 0);
    if (mp_oa_req(x->req)->include_usage)
        usage_chunk(x, out, "text_completion", false);
    MP_PUT_LIT(out, "data: [DONE]" MP_SSE_END);
}

/* ---- dispatch ------------------------------------------------------------------------------------- */

void mp_openai_render_body(mp_exchange_t *x, cm_buf_t *out)
{
    switch (x->req->api) {
    case MP_API_CHAT:
        chat_body(x, out);
        break;
    case MP_API_COMPLETIONS:
        completions_body(x, out);
        break;
    case MP_API_EMBEDDINGS:
        mp_oa_embeddings_body(x, out);
        break;
    case MP_API_RESPONSES:
        mp_oa_responses_body(x, out);
        break;
    default:
        x->ops->render_models(x->dep, out);
        break;
    }
}

void mp_openai_render_head(mp_exchange_t *x, cm_buf_t *out)
{
    if (x->req->api == MP_API_COMPLETIONS)
        filter_chunk(x, out);
    if (x->req->api == MP_API_CHAT)
        chat_head(x, out);
    else if (x->req->api == MP_API_RESPONSES)
        mp_oa_responses_head(x, out);
}

void mp_openai_render_step(mp_exchange_t *x, cm_buf_t *out)
{
    uint32_t chunk = x->chunk > 1 ? x->chunk : 1; /* chat_step may spend part of it on reasoning */
    if (x->req->api == MP_API_CHAT)
        chat_step(x, out);
    else if (x->req->api == MP_API_COMPLETIONS)
        completions_step(x, out);
    else if (x->req->api == MP_API_RESPONSES)
        mp_oa_responses_step(x, out);
    x->step += chunk;
}

void mp_openai_render_tail(mp_exchange_t *x, cm_buf_t *out)
{
    if (x->req->api == MP_API_CHAT)
        chat_tail(x, out);
    else if (x->req->api == MP_API_COMPLETIONS)
        completions_tail(x, out);
    else if (x->req->api == MP_API_RESPONSES)
        mp_oa_responses_tail(x, out);
}
