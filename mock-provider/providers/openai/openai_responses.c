/* POST /v1/responses: the Response object and its typed event stream (event: lines, sequence_number from 0,
 * no [DONE]). A capped answer is "incomplete" (reason max_output_tokens) and its stream ends with
 * response.incomplete, as the real API does.
 *
 * A reasoning answer (mp_oa_reasons) lists a reasoning item before its message, as OpenAI's reasoning models
 * do: {"id":"rs_..","type":"reasoning","summary":[..]} (openai-python ResponseReasoningItem), with
 * encrypted_content when include asks for it. Its first R steps are reasoning: with reasoning.summary they
 * stream as response.reasoning_summary_text.delta events (one per chunk), without it they send nothing and
 * the stream waits, as the real API's does, between the reasoning item's added and done events. */
#include <stdio.h>
#include <string.h>

#include "mock-provider/providers/content.h"
#include "mock-provider/providers/openai/openai.h"
#include "mock-provider/providers/render.h"

static bool is_tool(const mp_exchange_t *x)
{
    return x->n > 0 && x->finish[0] == MP_FINISH_TOOL_CALLS;
}

static bool is_incomplete(const mp_exchange_t *x)
{
    return x->n > 0 && x->finish[0] == MP_FINISH_LENGTH;
}

static cm_str_t text_of(const mp_exchange_t *x)
{
    if (x->n == 0 || x->text[0].data == NULL)
        return (cm_str_t){"", 0};
    return (cm_str_t){x->text[0].data, x->text[0].len};
}

static void put_raw_or(cm_buf_t *out, cm_str_t raw, const char *dflt)
{
    if (raw.n > 0)
        mp_put_json_compact(out, raw);
    else
        cm_buf_puts(out, dflt);
}

static void put_part(const mp_exchange_t *x, cm_buf_t *out, bool done)
{
    MP_PUT_LIT(out, "{\"type\":\"output_text\",\"annotations\":[],\"logprobs\":[");
    if (done && mp_oa_req(x->req)->logprobs)
        mp_oa_put_logprob_entries(x, 0, out);
    MP_PUT_LIT(out, "],\"text\":");
    mp_put_quoted(out, done ? text_of(x) : (cm_str_t){"", 0});
    cm_buf_putc(out, '}');
}

static const char *item_status(const mp_exchange_t *x, bool done)
{
    return !done ? "\"in_progress\"" : is_incomplete(x) ? "\"incomplete\"" : "\"completed\"";
}

/* Output items: one message, or one function_call per call of a tool-call answer (several with parallel
 * calls, output_index 0, 1, ...), as the real API lists them. */
static uint32_t item_count(const mp_exchange_t *x)
{
    return is_tool(x) && x->calls[0] > 1 ? x->calls[0] : 1;
}

/* Item i's id: the exchange's own for the first, derived from the exchange's key for the next calls. */
static void item_id(const mp_exchange_t *x, uint32_t i, char *out, size_t cap)
{
    if (i == 0)
        snprintf(out, cap, "%s", x->item_id);
    else
        mp_id_hex_from(out, cap, "fc_", 48, mp_mix64(x->id_key ^ (0xfc0000u + i)));
}

static void put_function_call(const mp_exchange_t *x, uint32_t i, cm_buf_t *out, bool done)
{
    char call_id[32], id[64];
    mp_tool_call_id(x, 0, i, call_id, sizeof(call_id));
    item_id(x, i, id, sizeof(id));
    MP_PUT_LIT(out, "{\"id\":\"");
    cm_buf_puts(out, id);
    MP_PUT_LIT(out, "\",\"type\":\"function_call\",\"status\":");
    cm_buf_puts(out, item_status(x, done));
    MP_PUT_LIT(out, ",\"arguments\":");
    mp_put_quoted(out, done ? mp_tool_call_args(x, 0, i) : (cm_str_t){"", 0});
    MP_PUT_LIT(out, ",\"call_id\":\"");
    cm_buf_puts(out, call_id);
    MP_PUT_LIT(out, "\",\"name\":");
    mp_put_quoted(out, i == 0 ? x->req->tool_name : x->req->call_names[i]);
    cm_buf_putc(out, '}');
}

/* ---- reasoning ------------------------------------------------------------------------------------ */

/* Output index of the first answer item: after the reasoning item, when there is one. */
static uint32_t base(const mp_exchange_t *x)
{
    return mp_oa_reasons(x) ? 1 : 0;
}

/* Summary text is sent when the request asks for a summary and there is reasoning to summarise. */
static bool summarizes(const mp_exchange_t *x)
{
    return mp_oa_req(x->req)->reasoning_summary != NULL && mp_oa_reasoning_tokens(x) > 0;
}

/* Bytes of the opaque encrypted_content: real ones are Fernet tokens of a few kilobytes ("gAAAAAB" and URL-safe
 * base64); a fixed length keeps the response bound simple. */
#define ENCRYPTED_CHARS 256

static void reasoning_id(const mp_exchange_t *x, char *out, size_t cap)
{
    mp_id_hex_from(out, cap, "rs_", 48, mp_mix64(x->id_key ^ 0x5e000000u));
}

static void put_summary_part(const mp_exchange_t *x, cm_buf_t *out, bool done)
{
    MP_PUT_LIT(out, "{\"type\":\"summary_text\",\"text\":\"");
    if (done)
        mp_content_put_thoughts(x, 0, mp_oa_reasoning_tokens(x), out);
    MP_PUT_LIT(out, "\"}");
}

static void put_reasoning_item(const mp_exchange_t *x, cm_buf_t *out, bool done)
{
    char id[64];
    reasoning_id(x, id, sizeof(id));
    MP_PUT_LIT(out, "{\"id\":\"");
    cm_buf_puts(out, id);
    MP_PUT_LIT(out, "\",\"type\":\"reasoning\",\"summary\":[");
    if (done && summarizes(x))
        put_summary_part(x, out, true);
    cm_buf_putc(out, ']');
    if (done && mp_oa_req(x->req)->encrypted_reasoning) {
        char blob[ENCRYPTED_CHARS + 8];
        mp_id_base62_from(blob, sizeof(blob), "gAAAAAB", ENCRYPTED_CHARS - 7, mp_mix64(x->id_key ^ 0xe0c0000u));
        MP_PUT_LIT(out, ",\"encrypted_content\":\"");
        cm_buf_puts(out, blob);
        cm_buf_putc(out, '"');
    }
    cm_buf_putc(out, '}');
}

/* The response's reasoning object: the effort asked for (a reasoning deployment's default is "medium", the
 * default of OpenAI's reasoning models) and the summary asked for. */
static void put_reasoning_echo(const mp_exchange_t *x, cm_buf_t *out)
{
    const mp_oa_request_t *oa = mp_oa_req(x->req);
    const char *effort = oa->reasoning_effort ? oa->reasoning_effort : x->dep->reasoning ? "medium" : NULL;
    MP_PUT_LIT(out, "{\"effort\":");
    mp_put_opt(out, effort);
    MP_PUT_LIT(out, ",\"summary\":");
    mp_put_opt(out, oa->reasoning_summary);
    cm_buf_putc(out, '}');
}

/* ---- items ---------------------------------------------------------------------------------------- */

static void put_item(const mp_exchange_t *x, uint32_t i, cm_buf_t *out, bool done)
{
    if (is_tool(x)) {
        put_function_call(x, i, out, done);
        return;
    }
    MP_PUT_LIT(out, "{\"id\":\"");
    cm_buf_puts(out, x->item_id);
    MP_PUT_LIT(out, "\",\"type\":\"message\",\"status\":");
    cm_buf_puts(out, item_status(x, done));
    MP_PUT_LIT(out, ",\"content\":[");
    if (done)
        put_part(x, out, true);
    MP_PUT_LIT(out, "],\"role\":\"assistant\"}");
}

static void put_usage(const mp_exchange_t *x, cm_buf_t *out)
{
    uint64_t in = x->req->prompt_tokens, o = x->completion_tokens;
    MP_PUT_LIT(out, "{\"input_tokens\":");
    mp_put_uint(out, in);
    MP_PUT_LIT(out, ",\"input_tokens_details\":{\"cached_tokens\":0},\"output_tokens\":");
    mp_put_uint(out, o);
    MP_PUT_LIT(out, ",\"output_tokens_details\":{\"reasoning_tokens\":");
    mp_put_uint(out, mp_oa_reasoning_tokens(x));
    MP_PUT_LIT(out, "},\"total_tokens\":");
    mp_put_uint(out, in + o);
    cm_buf_putc(out, '}');
}

/* The fields before "output", in the order the real API sends them. */
static void put_response_start(const mp_exchange_t *x, cm_buf_t *out, bool done)
{
    const mp_request_t *r = x->req;
    const mp_oa_request_t *oa = mp_oa_req(r);
    MP_PUT_LIT(out, "{\"id\":\"");
    cm_buf_puts(out, x->id);
    MP_PUT_LIT(out, "\",\"object\":\"response\",\"created_at\":");
    mp_put_int(out, x->created);
    MP_PUT_LIT(out, ",\"status\":");
    cm_buf_puts(out, item_status(x, done));
    MP_PUT_LIT(out, ",\"background\":false,\"error\":null,\"incomplete_details\":");
    cm_buf_puts(out, done && is_incomplete(x) ? "{\"reason\":\"max_output_tokens\"}" : "null");
    MP_PUT_LIT(out, ",\"instructions\":");
    if (oa->has_instructions)
        mp_put_quoted(out, oa->instructions);
    else
        MP_PUT_LIT(out, "null");
    MP_PUT_LIT(out, ",\"max_output_tokens\":");
    if (r->max_tokens >= 0)
        mp_put_int(out, r->max_tokens);
    else
        MP_PUT_LIT(out, "null");
    MP_PUT_LIT(out, ",\"max_tool_calls\":null,\"model\":");
    mp_put_quoted(out, r->model);
}

static void put_response(const mp_exchange_t *x, cm_buf_t *out, bool done)
{
    const mp_request_t *r = x->req;
    const mp_oa_request_t *oa = mp_oa_req(r);
    put_response_start(x, out, done);
    MP_PUT_LIT(out, ",\"output\":[");
    if (done && mp_oa_reasons(x)) {
        put_reasoning_item(x, out, true);
        cm_buf_putc(out, ',');
    }
    for (uint32_t i = 0; done && i < item_count(x); i++) {
        if (i > 0)
            cm_buf_putc(out, ',');
        put_item(x, i, out, true);
    }
    MP_PUT_LIT(out, "],\"parallel_tool_calls\":");
    cm_buf_puts(out, oa->parallel_tool_calls ? "true" : "false");
    MP_PUT_LIT(out, ",\"previous_response_id\":");
    put_raw_or(out, oa->previous_response_id_json, "null");
    MP_PUT_LIT(out, ",\"prompt_cache_key\":null,\"reasoning\":");
    put_reasoning_echo(x, out);
    MP_PUT_LIT(out, ",\"safety_identifier\":null,\"service_tier\":");
    put_raw_or(out, oa->service_tier_json, "\"default\"");
    MP_PUT_LIT(out, ",\"store\":");
    cm_buf_puts(out, oa->store ? "true" : "false");
    MP_PUT_LIT(out, ",\"temperature\":");
    mp_put_double(out, r->temperature);
    MP_PUT_LIT(out, ",\"text\":{\"format\":");
    put_raw_or(out, oa->text_format_json, "{\"type\":\"text\"}");
    MP_PUT_LIT(out, ",\"verbosity\":\"medium\"},\"tool_choice\":");
    put_raw_or(out, oa->tool_choice_json, "\"auto\"");
    MP_PUT_LIT(out, ",\"tools\":");
    put_raw_or(out, oa->tools_json, "[]");
    MP_PUT_LIT(out, ",\"top_logprobs\":");
    mp_put_uint(out, oa->top_logprobs);
    MP_PUT_LIT(out, ",\"top_p\":");
    mp_put_double(out, r->top_p);
    MP_PUT_LIT(out, ",\"truncation\":\"disabled\",\"usage\":");
    if (done)
        put_usage(x, out);
    else
        MP_PUT_LIT(out, "null");
    MP_PUT_LIT(out, ",\"user\":");
    put_raw_or(out, oa->user_json, "null");
    MP_PUT_LIT(out, ",\"metadata\":");
    put_raw_or(out, oa->metadata_json, "{}");
    cm_buf_putc(out, '}');
}

void mp_oa_responses_body(mp_exchange_t *x, cm_buf_t *out)
{
    mp_content_fill(x, 0);
    put_response(x, out, true);
}

/* ---- stream --------------------------------------------------------------------------------------- */

/* event: T / data: {"type":"T","sequence_number":N — the caller adds its fields and event_close. */
static void event_open(mp_exchange_t *x, cm_buf_t *out, const char *type)
{
    mp_sse_event(out, type);
    MP_PUT_LIT(out, "{\"type\":\"");
    cm_buf_puts(out, type);
    MP_PUT_LIT(out, "\",\"sequence_number\":");
    mp_put_uint(out, x->seq++);
}

static void event_close(cm_buf_t *out)
{
    MP_PUT_LIT(out, "}" MP_SSE_END);
}

/* The event has a code but no type: an error whose catalogue has no code is named by its type
 * ("server_error"), which is what a client tells the failures apart by. */
static const char *error_code(const mp_error_t *err, const mp_error_entry_t *e)
{
    if (err->code[0] != '\0')
        return err->code;
    if (e != NULL && e->code != NULL)
        return e->code;
    if (err->type[0] != '\0')
        return err->type;
    return e != NULL && e->type != NULL ? e->type : "server_error";
}

void mp_oa_responses_error(mp_exchange_t *x, const mp_error_t *err, cm_buf_t *out)
{
    const mp_error_entry_t *e =
        x->ops->errors != NULL && (unsigned)err->kind < MP_ERR__COUNT ? &x->ops->errors[err->kind] : NULL;
    const char *msg = err->message;
    if (msg[0] == '\0' && e != NULL)
        msg = e->message_noarg ? e->message_noarg : e->message;
    event_open(x, out, "error");
    MP_PUT_LIT(out, ",\"code\":");
    mp_put_opt(out, error_code(err, e));
    MP_PUT_LIT(out, ",\"message\":");
    cm_json_escape(out, msg, strlen(msg));
    MP_PUT_LIT(out, ",\"param\":");
    mp_put_opt(out, err->param);
    event_close(out);
}

/* ,"item_id":"..","output_index":i[,"content_index":0] */
static void put_item_ref(const mp_exchange_t *x, uint32_t i, cm_buf_t *out, bool content)
{
    char id[64];
    item_id(x, i, id, sizeof(id));
    MP_PUT_LIT(out, ",\"item_id\":\"");
    cm_buf_puts(out, id);
    MP_PUT_LIT(out, "\",\"output_index\":");
    mp_put_uint(out, base(x) + i);
    if (content)
        MP_PUT_LIT(out, ",\"content_index\":0");
}

static void response_event(mp_exchange_t *x, cm_buf_t *out, const char *type, bool done)
{
    event_open(x, out, type);
    MP_PUT_LIT(out, ",\"response\":");
    put_response(x, out, done);
    event_close(out);
}

static void item_event(mp_exchange_t *x, cm_buf_t *out, const char *type, uint32_t i, bool done)
{
    event_open(x, out, type);
    MP_PUT_LIT(out, ",\"output_index\":");
    mp_put_uint(out, base(x) + i);
    MP_PUT_LIT(out, ",\"item\":");
    put_item(x, i, out, done);
    event_close(out);
}

static void part_event(mp_exchange_t *x, cm_buf_t *out, const char *type, bool done)
{
    event_open(x, out, type);
    put_item_ref(x, 0, out, true);
    MP_PUT_LIT(out, ",\"part\":");
    put_part(x, out, done);
    event_close(out);
}

/* The reasoning item's events (output_index 0): ,"item_id":"rs_..","output_index":0,"summary_index":0 */
static void put_reasoning_ref(const mp_exchange_t *x, cm_buf_t *out)
{
    char id[64];
    reasoning_id(x, id, sizeof(id));
    MP_PUT_LIT(out, ",\"item_id\":\"");
    cm_buf_puts(out, id);
    MP_PUT_LIT(out, "\",\"output_index\":0,\"summary_index\":0");
}

static void reasoning_item_event(mp_exchange_t *x, cm_buf_t *out, const char *type, bool done)
{
    event_open(x, out, type);
    MP_PUT_LIT(out, ",\"output_index\":0,\"item\":");
    put_reasoning_item(x, out, done);
    event_close(out);
}

static void summary_part_event(mp_exchange_t *x, cm_buf_t *out, const char *type, bool done)
{
    event_open(x, out, type);
    put_reasoning_ref(x, out);
    MP_PUT_LIT(out, ",\"part\":");
    put_summary_part(x, out, done);
    event_close(out);
}

static void reasoning_open(mp_exchange_t *x, cm_buf_t *out)
{
    reasoning_item_event(x, out, "response.output_item.added", false);
    if (summarizes(x))
        summary_part_event(x, out, "response.reasoning_summary_part.added", false);
}

/* Summary words k .. k + n - 1 in one delta. */
static void summary_delta(mp_exchange_t *x, uint32_t k, uint32_t n, cm_buf_t *out)
{
    event_open(x, out, "response.reasoning_summary_text.delta");
    put_reasoning_ref(x, out);
    MP_PUT_LIT(out, ",\"delta\":\"");
    mp_content_put_thoughts(x, k, n, out);
    MP_PUT_LIT(out, "\"");
    event_close(out);
}

static void reasoning_close(mp_exchange_t *x, cm_buf_t *out)
{
    if (summarizes(x)) {
        event_open(x, out, "response.reasoning_summary_text.done");
        put_reasoning_ref(x, out);
        MP_PUT_LIT(out, ",\"text\":\"");
        mp_content_put_thoughts(x, 0, mp_oa_reasoning_tokens(x), out);
        MP_PUT_LIT(out, "\"");
        event_close(out);
        summary_part_event(x, out, "response.reasoning_summary_part.done", true);
    }
    reasoning_item_event(x, out, "response.output_item.done", true);
}

/* The answer's first item opens: its output_item.added (and content_part.added for a message). */
static void answer_open(mp_exchange_t *x, cm_buf_t *out)
{
    item_event(x, out, "response.output_item.added", 0, false);
    if (!is_tool(x))
        part_event(x, out, "response.content_part.added", false);
}

void mp_oa_responses_head(mp_exchange_t *x, cm_buf_t *out)
{
    response_event(x, out, "response.created", false);
    response_event(x, out, "response.in_progress", false);
    if (mp_oa_reasons(x))
        reasoning_open(x, out);
    else
        answer_open(x, out);
}

/* The reasoning part of a step (the first R steps): summary words, or nothing when no summary is asked for.
 * A chunk that spans the end of the reasoning closes it and goes on with the answer's first tokens. Returns
 * true when the whole chunk was reasoning. */
static bool reasoning_step(mp_exchange_t *x, cm_buf_t *out)
{
    uint32_t r = mp_oa_reasoning_tokens(x), chunk = x->chunk > 1 ? x->chunk : 1;
    if (x->step < r) {
        uint32_t n = r - x->step < chunk ? r - x->step : chunk;
        if (summarizes(x))
            summary_delta(x, x->step, n, out);
        if (n == chunk)
            return true;
        x->chunk = chunk - n; /* the rest of the chunk is answer */
    }
    if (mp_oa_reasons(x) && x->n > 0 && x->cursor[0] == 0) {
        reasoning_close(x, out);
        answer_open(x, out);
    }
    return false;
}

/* Call i's closing events: its whole arguments, then the finished item. */
static void call_done(mp_exchange_t *x, uint32_t i, cm_buf_t *out)
{
    event_open(x, out, "response.function_call_arguments.done");
    put_item_ref(x, i, out, false);
    MP_PUT_LIT(out, ",\"name\":");
    mp_put_quoted(out, i == 0 ? x->req->tool_name : x->req->call_names[i]);
    MP_PUT_LIT(out, ",\"arguments\":");
    mp_put_quoted(out, mp_tool_call_args(x, 0, i));
    event_close(out);
    item_event(x, out, "response.output_item.done", i, true);
}

/* Parallel calls stream one item after the other: when the pieces of call i are all sent, call i closes and
 * call i + 1 opens before its first piece. */
static uint32_t next_call(mp_exchange_t *x, cm_buf_t *out)
{
    uint32_t call = mp_tool_call_at(x, 0, x->echo_pos[0]);
    if (call > 0 && x->echo_pos[0] == x->call_end[call - 1]) {
        call_done(x, call - 1, out);
        item_event(x, out, "response.output_item.added", call, false);
    }
    return call;
}

void mp_oa_responses_step(mp_exchange_t *x, cm_buf_t *out)
{
    if (reasoning_step(x, out))
        return;
    if (x->n == 0 || x->cursor[0] >= x->tokens[0])
        return;
    bool tool = is_tool(x);
    uint32_t call = tool ? next_call(x, out) : 0;
    cm_str_t tok = mp_content_next(x, 0);
    event_open(x, out, tool ? "response.function_call_arguments.delta" : "response.output_text.delta");
    put_item_ref(x, call, out, !tool);
    MP_PUT_LIT(out, ",\"delta\":");
    mp_put_quoted(out, tok);
    if (!tool) {
        MP_PUT_LIT(out, ",\"logprobs\":[");
        if (mp_oa_req(x->req)->logprobs)
            mp_oa_put_logprob_entry(x, 0, x->cursor[0] - 1, tok, out);
        cm_buf_putc(out, ']');
    }
    event_close(out);
}

static void text_done(mp_exchange_t *x, cm_buf_t *out)
{
    event_open(x, out, "response.output_text.done");
    put_item_ref(x, 0, out, true);
    MP_PUT_LIT(out, ",\"text\":");
    mp_put_quoted(out, text_of(x));
    MP_PUT_LIT(out, ",\"logprobs\":[");
    if (mp_oa_req(x->req)->logprobs)
        mp_oa_put_logprob_entries(x, 0, out);
    cm_buf_putc(out, ']');
    event_close(out);
    part_event(x, out, "response.content_part.done", true);
    item_event(x, out, "response.output_item.done", 0, true);
}

void mp_oa_responses_tail(mp_exchange_t *x, cm_buf_t *out)
{
    /* An answer that never started (no steps ran) still closes its reasoning first. */
    if (mp_oa_reasons(x) && x->cursor[0] == 0) {
        reasoning_close(x, out);
        answer_open(x, out);
    }
    /* The closing events repeat the whole text: produce whatever the steps did not. */
    mp_content_fill(x, 0);
    if (is_tool(x))
        call_done(x, item_count(x) - 1, out);
    else
        text_done(x, out);
    response_event(x, out, is_incomplete(x) ? "response.incomplete" : "response.completed", true);
}
