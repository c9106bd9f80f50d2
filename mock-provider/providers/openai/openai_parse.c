/* Request parsing for the OpenAI apis: one field table per api (every parameter OpenAI documents, with its
 * type and range), then the checks that span fields. Unknown parameters are rejected like OpenAI does, so
 * a gateway that forwards something the real API would refuse is caught here too. */
#include <math.h>
#include <string.h>

#include "mock-provider/providers/openai/openai.h"
#include "mock-provider/providers/stop.h"

#define F MP_OA_FIELD
#define INF HUGE_VAL

static const mp_oa_field_t chat_fields[] = {
    F("messages", MP_OA_ARRAY, MP_OA_S_MESSAGES, false, 0, 0, "an array of objects"),
    F("model", MP_OA_STRING, MP_OA_S_MODEL, false, 0, 0, NULL),
    F("audio", MP_OA_OBJECT, MP_OA_S_NONE, false, 0, 0, NULL),
    F("frequency_penalty", MP_OA_NUMBER, MP_OA_S_NONE, true, -2, 2, NULL),
    F("function_call", MP_OA_ANY, MP_OA_S_NONE, false, 0, 0, NULL),
    F("functions", MP_OA_ARRAY, MP_OA_S_NONE, false, 0, 0, NULL),
    F("logit_bias", MP_OA_OBJECT, MP_OA_S_NONE, false, 0, 0, NULL),
    F("logprobs", MP_OA_BOOL, MP_OA_S_LOGPROBS, false, 0, 0, NULL),
    F("max_completion_tokens", MP_OA_INT, MP_OA_S_MAX_COMPLETION_TOKENS, true, 1, INF, NULL),
    F("max_tokens", MP_OA_INT, MP_OA_S_MAX_TOKENS, true, 1, INF, NULL),
    F("metadata", MP_OA_OBJECT, MP_OA_S_METADATA, false, 0, 0, NULL),
    F("modalities", MP_OA_ARRAY, MP_OA_S_NONE, false, 0, 0, NULL),
    F("n", MP_OA_INT, MP_OA_S_N, true, 1, MP_MAX_CHOICES, NULL),
    F("parallel_tool_calls", MP_OA_BOOL, MP_OA_S_PARALLEL_TOOL_CALLS, false, 0, 0, NULL),
    F("prediction", MP_OA_OBJECT, MP_OA_S_NONE, false, 0, 0, NULL),
    F("presence_penalty", MP_OA_NUMBER, MP_OA_S_NONE, true, -2, 2, NULL),
    F("prompt_cache_key", MP_OA_STRING, MP_OA_S_NONE, false, 0, 0, NULL),
    F("reasoning_effort", MP_OA_STRING, MP_OA_S_REASONING_EFFORT, false, 0, 0, NULL),
    F("response_format", MP_OA_OBJECT, MP_OA_S_RESPONSE_FORMAT, false, 0, 0, NULL),
    F("safety_identifier", MP_OA_STRING, MP_OA_S_NONE, false, 0, 0, NULL),
    F("seed", MP_OA_INT, MP_OA_S_NONE, false, 0, 0, NULL),
    F("service_tier", MP_OA_STRING, MP_OA_S_SERVICE_TIER, false, 0, 0, NULL),
    F("stop", MP_OA_ANY, MP_OA_S_STOP, false, 0, 0, NULL),
    F("store", MP_OA_BOOL, MP_OA_S_STORE, false, 0, 0, NULL),
    F("stream", MP_OA_BOOL, MP_OA_S_STREAM, false, 0, 0, NULL),
    F("stream_options", MP_OA_OBJECT, MP_OA_S_STREAM_OPTIONS, false, 0, 0, NULL),
    F("temperature", MP_OA_NUMBER, MP_OA_S_TEMPERATURE, true, 0, 2, NULL),
    F("tool_choice", MP_OA_ANY, MP_OA_S_TOOL_CHOICE, false, 0, 0, NULL),
    F("tools", MP_OA_ARRAY, MP_OA_S_TOOLS, false, 0, 0, NULL),
    F("top_logprobs", MP_OA_INT, MP_OA_S_TOP_LOGPROBS, true, 0, 20, NULL),
    F("top_p", MP_OA_NUMBER, MP_OA_S_TOP_P, true, 0, 1, NULL),
    F("user", MP_OA_STRING, MP_OA_S_USER, false, 0, 0, NULL),
    F("verbosity", MP_OA_STRING, MP_OA_S_NONE, false, 0, 0, NULL),
    F("web_search_options", MP_OA_OBJECT, MP_OA_S_NONE, false, 0, 0, NULL),
};

/* The legacy completions endpoint allows max_tokens 0 (an echo-only request). */
static const mp_oa_field_t completions_fields[] = {
    F("model", MP_OA_STRING, MP_OA_S_MODEL, false, 0, 0, NULL),
    F("prompt", MP_OA_ANY, MP_OA_S_PROMPT, false, 0, 0, NULL),
    F("best_of", MP_OA_INT, MP_OA_S_NONE, true, 0, 20, NULL),
    F("echo", MP_OA_BOOL, MP_OA_S_NONE, false, 0, 0, NULL),
    F("frequency_penalty", MP_OA_NUMBER, MP_OA_S_NONE, true, -2, 2, NULL),
    F("logit_bias", MP_OA_OBJECT, MP_OA_S_NONE, false, 0, 0, NULL),
    F("logprobs", MP_OA_INT, MP_OA_S_LOGPROBS, true, 0, 5, NULL),
    F("max_tokens", MP_OA_INT, MP_OA_S_MAX_TOKENS, true, 0, INF, NULL),
    F("n", MP_OA_INT, MP_OA_S_N, true, 1, MP_MAX_CHOICES, NULL),
    F("presence_penalty", MP_OA_NUMBER, MP_OA_S_NONE, true, -2, 2, NULL),
    F("seed", MP_OA_INT, MP_OA_S_NONE, false, 0, 0, NULL),
    F("stop", MP_OA_ANY, MP_OA_S_STOP, false, 0, 0, NULL),
    F("stream", MP_OA_BOOL, MP_OA_S_STREAM, false, 0, 0, NULL),
    F("stream_options", MP_OA_OBJECT, MP_OA_S_STREAM_OPTIONS, false, 0, 0, NULL),
    F("suffix", MP_OA_STRING, MP_OA_S_NONE, false, 0, 0, NULL),
    F("temperature", MP_OA_NUMBER, MP_OA_S_TEMPERATURE, true, 0, 2, NULL),
    F("top_p", MP_OA_NUMBER, MP_OA_S_TOP_P, true, 0, 1, NULL),
    F("user", MP_OA_STRING, MP_OA_S_USER, false, 0, 0, NULL),
};

/* The Responses API enforces max_output_tokens >= 16. */
static const mp_oa_field_t responses_fields[] = {
    F("background", MP_OA_BOOL, MP_OA_S_NONE, false, 0, 0, NULL),
    F("conversation", MP_OA_ANY, MP_OA_S_NONE, false, 0, 0, NULL),
    F("include", MP_OA_ARRAY, MP_OA_S_INCLUDE, false, 0, 0, NULL),
    F("input", MP_OA_ANY, MP_OA_S_INPUT, false, 0, 0, NULL),
    F("instructions", MP_OA_ANY, MP_OA_S_INSTRUCTIONS, false, 0, 0, NULL),
    F("max_output_tokens", MP_OA_INT, MP_OA_S_MAX_OUTPUT_TOKENS, true, 16, INF, NULL),
    F("max_tool_calls", MP_OA_INT, MP_OA_S_NONE, true, 1, INF, NULL),
    F("metadata", MP_OA_OBJECT, MP_OA_S_METADATA, false, 0, 0, NULL),
    F("model", MP_OA_STRING, MP_OA_S_MODEL, false, 0, 0, NULL),
    F("parallel_tool_calls", MP_OA_BOOL, MP_OA_S_PARALLEL_TOOL_CALLS, false, 0, 0, NULL),
    F("previous_response_id", MP_OA_STRING, MP_OA_S_PREVIOUS_RESPONSE_ID, false, 0, 0, NULL),
    F("prompt", MP_OA_OBJECT, MP_OA_S_NONE, false, 0, 0, NULL),
    F("prompt_cache_key", MP_OA_STRING, MP_OA_S_NONE, false, 0, 0, NULL),
    F("reasoning", MP_OA_OBJECT, MP_OA_S_REASONING, false, 0, 0, NULL),
    F("safety_identifier", MP_OA_STRING, MP_OA_S_NONE, false, 0, 0, NULL),
    F("service_tier", MP_OA_STRING, MP_OA_S_SERVICE_TIER, false, 0, 0, NULL),
    F("store", MP_OA_BOOL, MP_OA_S_STORE, false, 0, 0, NULL),
    F("stream", MP_OA_BOOL, MP_OA_S_STREAM, false, 0, 0, NULL),
    F("stream_options", MP_OA_OBJECT, MP_OA_S_NONE, false, 0, 0, NULL),
    F("temperature", MP_OA_NUMBER, MP_OA_S_TEMPERATURE, true, 0, 2, NULL),
    F("text", MP_OA_OBJECT, MP_OA_S_TEXT, false, 0, 0, NULL),
    F("tool_choice", MP_OA_ANY, MP_OA_S_TOOL_CHOICE, false, 0, 0, NULL),
    F("tools", MP_OA_ARRAY, MP_OA_S_TOOLS, false, 0, 0, NULL),
    F("top_logprobs", MP_OA_INT, MP_OA_S_TOP_LOGPROBS, true, 0, 20, NULL),
    F("top_p", MP_OA_NUMBER, MP_OA_S_TOP_P, true, 0, 1, NULL),
    F("truncation", MP_OA_STRING, MP_OA_S_NONE, false, 0, 0, NULL),
    F("user", MP_OA_STRING, MP_OA_S_USER, false, 0, 0, NULL),
};

#define NFIELDS(t) (sizeof(t) / sizeof((t)[0]))

static int want_model(mp_oa_ctx_t *c)
{
    return mp_oa_want_model(c, c->slot[MP_OA_S_MODEL]);
}

static int64_t slot_int(const mp_oa_ctx_t *c, mp_oa_slot_t s, int64_t dflt)
{
    int64_t v = dflt;
    if (c->slot[s] != 0)
        cm_json_int(&c->d, c->slot[s], &v);
    return v;
}

static double slot_double(const mp_oa_ctx_t *c, mp_oa_slot_t s, double dflt)
{
    double v = dflt;
    if (c->slot[s] != 0)
        cm_json_double(&c->d, c->slot[s], &v);
    return v;
}

static bool slot_true(const mp_oa_ctx_t *c, mp_oa_slot_t s)
{
    return c->slot[s] != 0 && cm_json_type(&c->d, c->slot[s]) == CM_JSON_TRUE;
}

/* stream, and stream_options which OpenAI refuses unless stream is true. */
static int stream_fields(mp_oa_ctx_t *c)
{
    c->req->stream = slot_true(c, MP_OA_S_STREAM);
    uint32_t o = c->slot[MP_OA_S_STREAM_OPTIONS];
    if (o == 0)
        return 0;
    if (!c->req->stream)
        return mp_oa_invalid(c, "stream_options", NULL,
                             "The 'stream_options' parameter is only allowed when 'stream' is enabled.");
    uint32_t iu = cm_json_get(&c->d, o, "include_usage");
    if (iu == 0 || cm_json_type(&c->d, iu) == CM_JSON_NULL)
        return 0;
    if (mp_oa_want(c, iu, MP_OA_BOOL, "stream_options.include_usage") != 0)
        return -1;
    c->oa->include_usage = cm_json_type(&c->d, iu) == CM_JSON_TRUE;
    return 0;
}

/* stop: a string or up to 4 strings. */
static int stop_field(mp_oa_ctx_t *c)
{
    uint32_t s = c->slot[MP_OA_S_STOP];
    if (s == 0)
        return 0;
    if (cm_json_type(&c->d, s) == CM_JSON_STRING)
        return mp_stop_add(c->req, cm_json_raw(&c->d, s));
    if (cm_json_type(&c->d, s) != CM_JSON_ARRAY)
        return mp_oa_bad_type(c, "stop", "one of a string or array of strings", s);
    if (c->d.tok[s].count > 4)
        return mp_oa_invalid(c, "stop", "array_above_max_length",
                             "Invalid 'stop': array too long. Expected an array with maximum length 4, but got an "
                             "array with length %u instead.",
                             c->d.tok[s].count);
    for (uint32_t e = cm_json_first(&c->d, s); e != 0; e = cm_json_next(&c->d, e)) {
        if (cm_json_type(&c->d, e) != CM_JSON_STRING)
            return mp_oa_bad_type(c, "stop", "one of a string or array of strings", e);
        mp_stop_add(c->req, cm_json_raw(&c->d, e)); /* at most 4: below MP_MAX_STOP_SEQUENCES */
    }
    return 0;
}

/* Fields common to chat and completions once the scan has checked their types and ranges. */
static int sampling_fields(mp_oa_ctx_t *c)
{
    mp_request_t *r = c->req;
    r->n = (uint32_t)slot_int(c, MP_OA_S_N, 1);
    r->max_tokens = slot_int(c, MP_OA_S_MAX_COMPLETION_TOKENS, slot_int(c, MP_OA_S_MAX_TOKENS, -1));
    r->temperature = slot_double(c, MP_OA_S_TEMPERATURE, 1.0);
    r->top_p = slot_double(c, MP_OA_S_TOP_P, 1.0);
    if (c->slot[MP_OA_S_PARALLEL_TOOL_CALLS] != 0)
        c->oa->parallel_tool_calls = slot_true(c, MP_OA_S_PARALLEL_TOOL_CALLS);
    return stream_fields(c) != 0 ? -1 : stop_field(c);
}

/* metadata: at most 16 pairs, keys up to 64 characters, string values up to 512 (OpenAI's documented limits;
 * the wording follows its other length errors). */
#define MP_OA_MAX_METADATA_PAIRS 16
#define MP_OA_MAX_METADATA_KEY 64
#define MP_OA_MAX_METADATA_VALUE 512

/* Characters of a string token (its decoded UTF-8), or limit + 1 once it is surely longer than limit. */
static size_t chars_of(const cm_json_doc_t *d, uint32_t t, size_t limit)
{
    char buf[4 * MP_OA_MAX_METADATA_VALUE + 8];
    size_t n = cm_json_unescape(d, t, buf, sizeof(buf)), chars = 0;
    if (n >= sizeof(buf))
        return limit + 1;
    for (size_t i = 0; i < n; i++)
        chars += ((unsigned char)buf[i] & 0xc0) != 0x80;
    return chars;
}

static int metadata(mp_oa_ctx_t *c)
{
    uint32_t m = c->slot[MP_OA_S_METADATA];
    if (m == 0)
        return 0;
    if (c->d.tok[m].count > MP_OA_MAX_METADATA_PAIRS)
        return mp_oa_invalid(c, "metadata", "object_above_max_properties",
                             "Invalid 'metadata': too many properties. Expected an object with at most %d properties, "
                             "but got an object with %u properties instead.",
                             MP_OA_MAX_METADATA_PAIRS, c->d.tok[m].count);
    for (uint32_t k = cm_json_first(&c->d, m); k != 0; k = cm_json_next(&c->d, k + 1)) {
        char name[80], p[96];
        cm_json_unescape(&c->d, k, name, sizeof(name));
        mp_trim_utf8(name);
        mp_oa_path(p, sizeof(p), "metadata.%s", name);
        size_t n = chars_of(&c->d, k, MP_OA_MAX_METADATA_KEY);
        if (n > MP_OA_MAX_METADATA_KEY)
            return mp_oa_invalid(c, "metadata", "string_above_max_length",
                                 "Invalid 'metadata': key too long. Expected a key with maximum length %d, but got a "
                                 "key with length %zu instead.",
                                 MP_OA_MAX_METADATA_KEY, n);
        if (mp_oa_want(c, k + 1, MP_OA_STRING, p) != 0)
            return -1;
        if ((n = chars_of(&c->d, k + 1, MP_OA_MAX_METADATA_VALUE)) > MP_OA_MAX_METADATA_VALUE)
            return mp_oa_invalid(c, p, "string_above_max_length",
                                 "Invalid '%s': string too long. Expected a string with maximum length %d, but got a "
                                 "string with length %zu instead.",
                                 p, MP_OA_MAX_METADATA_VALUE, n);
    }
    return 0;
}

/* logprobs: true, and top_logprobs (0..20, checked by the scan) only with it, as OpenAI requires. */
static int logprobs_fields(mp_oa_ctx_t *c)
{
    c->oa->logprobs = slot_true(c, MP_OA_S_LOGPROBS);
    if (c->slot[MP_OA_S_TOP_LOGPROBS] == 0)
        return 0;
    if (!c->oa->logprobs)
        return mp_oa_invalid(c, "top_logprobs", NULL,
                             "The 'top_logprobs' parameter is only allowed when 'logprobs' is enabled.");
    c->oa->top_logprobs = (uint8_t)slot_int(c, MP_OA_S_TOP_LOGPROBS, 0);
    return 0;
}

/* A reasoning effort (chat's reasoning_effort, Responses' reasoning.effort): absent or null, or one of the values
 * the SDK lists (openai-python types/shared/reasoning_effort.py), else a 400 naming param. An effort other than
 * "none" makes the model reason. */
static int effort_of(mp_oa_ctx_t *c, uint32_t v, const char *param)
{
    static const char *const efforts[] = {"none", "minimal", "low", "medium", "high", "xhigh", "max", NULL};
    if (v == 0 || cm_json_type(&c->d, v) == CM_JSON_NULL)
        return 0;
    int i = mp_oa_enum(c, v, efforts, param);
    if (i < 0)
        return -1;
    c->oa->reasoning_effort = efforts[i];
    c->oa->reasoning = i != 0;
    return 0;
}

static int parse_chat(mp_oa_ctx_t *c)
{
    if (mp_oa_scan(c, chat_fields, NFIELDS(chat_fields), MP_OA_UNRECOGNIZED) != 0 || want_model(c) != 0)
        return -1;
    uint32_t messages = c->slot[MP_OA_S_MESSAGES];
    if (messages == 0)
        return mp_oa_missing(c, "messages");
    if (mp_oa_chat_messages(c, messages) != 0 || sampling_fields(c) != 0 || metadata(c) != 0 || logprobs_fields(c) != 0)
        return -1;
    if (mp_oa_tools(c, c->slot[MP_OA_S_TOOLS], c->slot[MP_OA_S_TOOL_CHOICE], true) != 0)
        return -1;
    if (effort_of(c, c->slot[MP_OA_S_REASONING_EFFORT], "reasoning_effort") != 0)
        return -1;
    return mp_oa_response_format(c, c->slot[MP_OA_S_RESPONSE_FORMAT]);
}

/* ---- completions ---------------------------------------------------------------------------------- */

/* A token-id array: non-negative integers. Returns its length through ntok. */
static int token_array(mp_oa_ctx_t *c, uint32_t arr, const char *param, uint32_t *ntok)
{
    int64_t v;
    for (uint32_t e = cm_json_first(&c->d, arr); e != 0; e = cm_json_next(&c->d, e))
        if (cm_json_type(&c->d, e) != CM_JSON_NUMBER || cm_json_int(&c->d, e, &v) != 0 || v < 0)
            return mp_oa_bad_type(c, param, "an array of non-negative integers", e);
    *ntok = c->d.tok[arr].count;
    return 0;
}

static const char prompt_types[] =
    "one of a string, array of strings, array of integers, or array of arrays of integers";

/* prompt: string | string[] | int[] | int[][]. Each string (or token array) of an array is its own prompt
 * and gets n choices, as in the real API. */
static int completions_prompt(mp_oa_ctx_t *c, uint32_t p, uint32_t *nprompts)
{
    const cm_json_doc_t *d = &c->d;
    uint32_t tokens = 0, ntok = 0;
    *nprompts = 1;
    if (cm_json_type(d, p) == CM_JSON_STRING) {
        c->req->echo = cm_json_raw(d, p);
        c->req->prompt_tokens = mp_estimate_tokens(d->tok[p].len);
        return 0;
    }
    if (cm_json_type(d, p) != CM_JSON_ARRAY)
        return mp_oa_bad_type(c, "prompt", prompt_types, p);
    if (d->tok[p].count == 0)
        return mp_oa_empty_array(c, "prompt");
    uint32_t first = cm_json_first(d, p);
    cm_json_type_t kind = cm_json_type(d, first);
    if (kind == CM_JSON_NUMBER) {
        if (token_array(c, p, "prompt", &ntok) != 0)
            return -1;
        c->req->prompt_tokens = ntok;
        return 0;
    }
    for (uint32_t e = first; e != 0; e = cm_json_next(d, e)) {
        if (cm_json_type(d, e) != kind || (kind != CM_JSON_STRING && kind != CM_JSON_ARRAY))
            return mp_oa_bad_type(c, "prompt", prompt_types, e);
        if (kind == CM_JSON_ARRAY && token_array(c, e, "prompt", &ntok) != 0)
            return -1;
        tokens += kind == CM_JSON_STRING ? mp_estimate_tokens(d->tok[e].len) : ntok;
    }
    if (kind == CM_JSON_STRING)
        c->req->echo = cm_json_raw(d, first);
    c->req->prompt_tokens = tokens;
    *nprompts = d->tok[p].count;
    return 0;
}

/* logprobs: N (0..5, checked by the scan) asks for the legacy logprobs object; its text_offset needs each
 * choice's prompt length in characters (choices come n per prompt, in the order of the prompts). */
static void completions_logprobs(mp_oa_ctx_t *c, uint32_t prompt, uint32_t per_prompt)
{
    const cm_json_doc_t *d = &c->d;
    if (c->slot[MP_OA_S_LOGPROBS] == 0)
        return;
    c->oa->logprobs = true;
    c->oa->top_logprobs = (uint8_t)slot_int(c, MP_OA_S_LOGPROBS, 0);
    uint32_t *chars = cm_alloc(c->a, c->req->n * sizeof(*chars)), i = 0;
    bool list = cm_json_type(d, prompt) == CM_JSON_ARRAY && d->tok[prompt].count > 0 &&
                cm_json_type(d, cm_json_first(d, prompt)) != CM_JSON_NUMBER;
    for (uint32_t p = list ? cm_json_first(d, prompt) : prompt; p != 0 && i < c->req->n;
         p = list ? cm_json_next(d, p) : 0) {
        uint32_t n = cm_json_type(d, p) == CM_JSON_STRING ? (uint32_t)mp_oa_text_chars(cm_json_raw(d, p)) : 0;
        for (uint32_t k = 0; k < per_prompt && i < c->req->n; k++)
            chars[i++] = n;
    }
    while (i < c->req->n)
        chars[i++] = 0;
    c->oa->prompt_chars = chars;
}

static int parse_completions(mp_oa_ctx_t *c)
{
    if (mp_oa_scan(c, completions_fields, NFIELDS(completions_fields), MP_OA_UNRECOGNIZED) != 0 || want_model(c) != 0)
        return -1;
    uint32_t prompt = c->slot[MP_OA_S_PROMPT], nprompts;
    if (prompt == 0)
        return mp_oa_missing(c, "prompt");
    if (completions_prompt(c, prompt, &nprompts) != 0 || sampling_fields(c) != 0)
        return -1;
    if ((uint64_t)c->req->n * nprompts > MP_MAX_CHOICES)
        return mp_oa_invalid(c, "n", NULL,
                             "Too many choices requested: n (%u) times the number of prompts (%u) is above the "
                             "maximum of %d.",
                             c->req->n, nprompts, MP_MAX_CHOICES);
    uint32_t per_prompt = c->req->n;
    c->req->n *= nprompts;
    completions_logprobs(c, prompt, per_prompt);
    return 0;
}

/* ---- responses ------------------------------------------------------------------------------------ */

/* include: strings; "message.output_text.logprobs" asks for logprobs (top_logprobs alternatives each), the
 * other documented values are accepted and have nothing to add here. */
static int responses_include(mp_oa_ctx_t *c)
{
    uint32_t inc = c->slot[MP_OA_S_INCLUDE], i = 0;
    for (uint32_t e = inc ? cm_json_first(&c->d, inc) : 0; e != 0; e = cm_json_next(&c->d, e), i++) {
        char p[32];
        mp_oa_path(p, sizeof(p), "include[%u]", i);
        if (mp_oa_want(c, e, MP_OA_STRING, p) != 0)
            return -1;
        if (mp_oa_is(&c->d, e, "message.output_text.logprobs"))
            c->oa->logprobs = true;
        if (mp_oa_is(&c->d, e, "reasoning.encrypted_content"))
            c->oa->encrypted_reasoning = true;
    }
    c->oa->top_logprobs = (uint8_t)slot_int(c, MP_OA_S_TOP_LOGPROBS, 0);
    return 0;
}

/* reasoning: {effort, summary, generate_summary (summary's deprecated name), context, mode}, each null or one
 * of the values the SDK lists (openai-python types/shared/reasoning.py, reasoning_effort.py); an unknown member
 * is refused as the top level refuses one. */
static int responses_reasoning(mp_oa_ctx_t *c)
{
    static const char *const summaries[] = {"auto", "concise", "detailed", NULL};
    static const char *const contexts[] = {"auto", "current_turn", "all_turns", NULL};
    const cm_json_doc_t *d = &c->d;
    uint32_t r = c->slot[MP_OA_S_REASONING];
    for (uint32_t k = r ? cm_json_first(d, r) : 0; k != 0; k = cm_json_next(d, k + 1)) {
        uint32_t v = k + 1;
        int i = 0;
        if (cm_json_type(d, v) == CM_JSON_NULL)
            continue;
        if (mp_oa_is(d, k, "effort")) {
            if (effort_of(c, v, "reasoning.effort") != 0)
                return -1;
        } else if (mp_oa_is(d, k, "summary") || mp_oa_is(d, k, "generate_summary")) {
            if ((i = mp_oa_enum(c, v, summaries,
                                mp_oa_is(d, k, "summary") ? "reasoning.summary" : "reasoning.generate_summary")) < 0)
                return -1;
            c->oa->reasoning_summary = summaries[i];
        } else if (mp_oa_is(d, k, "context")) {
            if (mp_oa_enum(c, v, contexts, "reasoning.context") < 0)
                return -1;
        } else if (!mp_oa_is(d, k, "mode")) {
            char name[64], p[80];
            cm_json_unescape(d, k, name, sizeof(name));
            mp_trim_utf8(name);
            mp_oa_path(p, sizeof(p), "reasoning.%s", name);
            return mp_oa_invalid(c, p, "unknown_parameter", "Unknown parameter: '%s'.", p);
        } else if (mp_oa_want(c, v, MP_OA_STRING, "reasoning.mode") != 0) {
            return -1;
        }
    }
    return 0;
}

/* What the Response object echoes: previous_response_id, store, user, and the service tier used ("auto"
 * runs on "default", as upstream reports it). */
static int responses_echo(mp_oa_ctx_t *c)
{
    static const char *const tiers[] = {"auto", "default", "flex", "scale", "priority", NULL};
    c->oa->store = c->slot[MP_OA_S_STORE] == 0 || slot_true(c, MP_OA_S_STORE);
    if (c->slot[MP_OA_S_PREVIOUS_RESPONSE_ID] != 0)
        c->oa->previous_response_id_json = mp_oa_json_text(&c->d, c->slot[MP_OA_S_PREVIOUS_RESPONSE_ID]);
    if (c->slot[MP_OA_S_USER] != 0)
        c->oa->user_json = mp_oa_json_text(&c->d, c->slot[MP_OA_S_USER]);
    uint32_t t = c->slot[MP_OA_S_SERVICE_TIER];
    int tier = t != 0 ? mp_oa_enum(c, t, tiers, "service_tier") : 0;
    if (tier < 0)
        return -1;
    if (tier > 0)
        c->oa->service_tier_json = mp_oa_json_text(&c->d, t);
    return 0;
}

static int parse_responses(mp_oa_ctx_t *c)
{
    if (mp_oa_scan(c, responses_fields, NFIELDS(responses_fields), MP_OA_UNKNOWN_PARAMETER) != 0 || want_model(c) != 0)
        return -1;
    mp_request_t *r = c->req;
    if (mp_oa_responses_input(c, c->slot[MP_OA_S_INPUT], c->slot[MP_OA_S_INSTRUCTIONS]) != 0)
        return -1;
    r->max_tokens = slot_int(c, MP_OA_S_MAX_OUTPUT_TOKENS, -1);
    r->temperature = slot_double(c, MP_OA_S_TEMPERATURE, 1.0);
    r->top_p = slot_double(c, MP_OA_S_TOP_P, 1.0);
    r->stream = slot_true(c, MP_OA_S_STREAM);
    if (c->slot[MP_OA_S_PARALLEL_TOOL_CALLS] != 0)
        c->oa->parallel_tool_calls = slot_true(c, MP_OA_S_PARALLEL_TOOL_CALLS);
    if (metadata(c) != 0 || responses_echo(c) != 0 || responses_include(c) != 0 || responses_reasoning(c) != 0)
        return -1;
    if (c->slot[MP_OA_S_METADATA] != 0)
        c->oa->metadata_json = cm_json_raw(&c->d, c->slot[MP_OA_S_METADATA]);
    if (mp_oa_tools(c, c->slot[MP_OA_S_TOOLS], c->slot[MP_OA_S_TOOL_CHOICE], false) != 0)
        return -1;
    return mp_oa_text_format(c, c->slot[MP_OA_S_TEXT]);
}

/* ---- entry ---------------------------------------------------------------------------------------- */

int mp_openai_parse(const mp_route_t *route, const char *body, size_t len, cm_json_toks_t *scratch,
                    const cm_allocator_t *a, mp_request_t *req, mp_error_t *err)
{
    mp_api_t api = route->api;
    memset(req, 0, sizeof(*req));
    req->api = api;
    req->route = route;
    req->n = 1;
    req->max_tokens = -1;
    req->temperature = 1.0;
    req->top_p = 1.0;
    if (api == MP_API_MODELS)
        return 0; /* GET: no body to read */
    mp_oa_request_t *oa = cm_alloc(a, sizeof(*oa));
    *oa = *mp_oa_req(req); /* the defaults */
    req->own = oa;
    mp_oa_ctx_t c = {.a = a, .req = req, .oa = oa, .err = err};
    char jerr[160];
    if (cm_json_parse(&c.d, body, len, scratch, jerr, sizeof(jerr)) != 0 || cm_json_type(&c.d, 0) != CM_JSON_OBJECT) {
        mp_error_preset(&mp_openai_provider, err, MP_ERR_INVALID_JSON, NULL);
        return -1;
    }
    switch (api) {
    case MP_API_CHAT:
        return parse_chat(&c);
    case MP_API_COMPLETIONS:
        return parse_completions(&c);
    case MP_API_EMBEDDINGS:
        return mp_oa_parse_embeddings(&c);
    case MP_API_RESPONSES:
        return parse_responses(&c);
    default:
        mp_error_set(err, MP_ERR_SERVER, "", "unknown api %d", (int)api);
        return -1;
    }
}
