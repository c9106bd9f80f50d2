/* Conversation checks: chat "messages" and the Responses API's "input"/"instructions". Besides rejecting
 * what OpenAI rejects, this is where prompt_tokens and the echo text come from. */
#include <stdio.h>
#include <string.h>

#include "mock-provider/providers/openai/openai.h"

/* In the order OpenAI lists them in its invalid_value message. */
static const char *const chat_roles[] = {"system", "assistant", "user", "function", "tool", "developer", NULL};
enum { ROLE_SYSTEM, ROLE_ASSISTANT, ROLE_USER, ROLE_FUNCTION, ROLE_TOOL, ROLE_DEVELOPER };

/* What a content part of each type carries: the member holding its text (NULL: none) and whether that text
 * can serve as the echo. The lists run parallel to the type names (in the order of OpenAI's messages). */
typedef struct part_table {
    const char *const *types;
    const char *const *text_key;
    const bool *echo;
} part_table_t;

static const char *const chat_part_types[] = {"text", "image_url", "input_audio", "refusal", "file", NULL};
static const char *const chat_part_text[] = {"text", NULL, NULL, "refusal", NULL};
static const bool chat_part_echo[] = {true, false, false, false, false};
static const part_table_t chat_parts = {chat_part_types, chat_part_text, chat_part_echo};

static const char *const input_part_types[] = {"input_text",  "input_image", "input_file", "input_audio",
                                               "output_text", "refusal",     NULL};
static const char *const input_part_text[] = {"text", NULL, NULL, NULL, "text", "refusal"};
static const bool input_part_echo[] = {true, false, false, false, false, false};
static const part_table_t input_parts = {input_part_types, input_part_text, input_part_echo};

/* A required string member: fails with OpenAI's missing or invalid_type error naming path.key. */
static int want_string(mp_oa_ctx_t *c, uint32_t obj, const char *key, const char *path, uint32_t *out)
{
    char p[128];
    mp_oa_path(p, sizeof(p), "%s.%s", path, key);
    uint32_t t = cm_json_get(&c->d, obj, key);
    if (t == 0)
        return mp_oa_missing(c, p);
    if (mp_oa_want(c, t, MP_OA_STRING, p) != 0)
        return -1;
    if (out != NULL)
        *out = t;
    return 0;
}

/* One element of an array content. Text-bearing parts add their bytes; the first part whose text can serve
 * as the echo (a user's text) does. */
static int content_part(mp_oa_ctx_t *c, uint32_t part, const char *path, const part_table_t *tab, size_t *bytes,
                        uint32_t *text)
{
    if (mp_oa_want(c, part, MP_OA_OBJECT, path) != 0)
        return -1;
    uint32_t type = 0;
    if (want_string(c, part, "type", path, &type) != 0)
        return -1;
    char p[128];
    mp_oa_path(p, sizeof(p), "%s.type", path);
    int kind = mp_oa_enum(c, type, tab->types, p);
    if (kind < 0)
        return -1;
    uint32_t t = 0;
    if (tab->text_key[kind] != NULL && want_string(c, part, tab->text_key[kind], path, &t) != 0)
        return -1;
    if (t != 0) {
        *bytes += c->d.tok[t].len;
        if (tab->echo[kind] && *text == 0)
            *text = t;
    }
    return 0;
}

static int chat_content_array(mp_oa_ctx_t *c, uint32_t content, const char *path, size_t *bytes, uint32_t *text)
{
    if (c->d.tok[content].count == 0)
        return mp_oa_empty_array(c, path);
    uint32_t j = 0;
    for (uint32_t part = cm_json_first(&c->d, content); part != 0; part = cm_json_next(&c->d, part), j++) {
        char p[128];
        mp_oa_path(p, sizeof(p), "%s[%u]", path, j);
        if (content_part(c, part, p, &chat_parts, bytes, text) != 0)
            return -1;
    }
    return 0;
}

/* content: a string, an array of parts, or null/absent for an assistant turn (which may carry tool calls
 * instead). Returns the text token to echo (a user message's string or first text part) through text. */
static int chat_content(mp_oa_ctx_t *c, uint32_t msg, int role, uint32_t i, size_t *bytes, uint32_t *text)
{
    char p[128];
    mp_oa_path(p, sizeof(p), "messages[%u].content", i);
    uint32_t content = cm_json_get(&c->d, msg, "content");
    if (content == 0)
        return role == ROLE_ASSISTANT ? 0 : mp_oa_missing(c, p);
    switch (cm_json_type(&c->d, content)) {
    case CM_JSON_STRING:
        *bytes += c->d.tok[content].len;
        *text = content;
        return 0;
    case CM_JSON_ARRAY:
        return chat_content_array(c, content, p, bytes, text);
    case CM_JSON_NULL:
        if (role == ROLE_ASSISTANT)
            return 0;
        mp_oa_path(p, sizeof(p), "messages.[%u].content", i); /* sic: OpenAI's param for this one error */
        return mp_oa_invalid(c, p, NULL, "Invalid value for 'content': expected a string, got null.");
    default:
        return mp_oa_bad_type(c, p, "one of a string or array of objects", content);
    }
}

/* The ids of the tool_calls of the assistant turn that tool messages answer, hashed by their raw spelling
 * (ids are compared as sent), so that matching t tool messages against k calls costs O(t + k), not O(t x k).
 * Open addressing, at most half full, from the request's allocator; 0 marks an empty slot. */
typedef struct call_ids {
    uint64_t *slot;
    uint32_t mask;
} call_ids_t;

static uint64_t id_hash(const cm_json_doc_t *d, uint32_t t)
{
    cm_str_t raw = cm_json_raw(d, t);
    return cm_hash64(raw.p, raw.n, 0xca11u) | 1;
}

static uint64_t *id_slot(const call_ids_t *ids, uint64_t h)
{
    uint32_t i = (uint32_t)h & ids->mask;
    while (ids->slot[i] != 0 && ids->slot[i] != h)
        i = (i + 1) & ids->mask;
    return &ids->slot[i];
}

/* An assistant message's tool_calls: a non-empty array of objects, each with a string id (what a tool message
 * answers; OpenAI's other members are not checked here). Fills ids. */
static int read_calls(mp_oa_ctx_t *c, uint32_t calls, uint32_t i, call_ids_t *ids)
{
    char p[96];
    mp_oa_path(p, sizeof(p), "messages[%u].tool_calls", i);
    if (cm_json_type(&c->d, calls) != CM_JSON_ARRAY)
        return mp_oa_bad_type(c, p, "an array of objects", calls);
    uint32_t n = c->d.tok[calls].count, cap = 8, j = 0;
    if (n == 0)
        return mp_oa_empty_array(c, p);
    while (cap < 2 * n)
        cap *= 2;
    ids->slot = cm_alloc(c->a, cap * sizeof(*ids->slot));
    memset(ids->slot, 0, cap * sizeof(*ids->slot));
    ids->mask = cap - 1;
    for (uint32_t e = cm_json_first(&c->d, calls); e != 0; e = cm_json_next(&c->d, e), j++) {
        uint32_t id = 0;
        mp_oa_path(p, sizeof(p), "messages[%u].tool_calls[%u]", i, j);
        if (mp_oa_want(c, e, MP_OA_OBJECT, p) != 0 || want_string(c, e, "id", p, &id) != 0)
            return -1;
        uint64_t h = id_hash(&c->d, id);
        *id_slot(ids, h) = h;
    }
    return 0;
}

/* Where the conversation stands while messages are read: the tool calls that tool results may answer (an
 * assistant turn with tool_calls came before them; other tool messages may sit in between, one per parallel
 * call), and the role of the last message. */
typedef struct turn {
    bool calls_open;
    call_ids_t ids;
    int last_role;
} turn_t;

/* A tool message answers a call of the assistant turn before it: OpenAI refuses one that follows no
 * assistant message with tool_calls, and one whose tool_call_id names none of that turn's calls. */
static int tool_order(mp_oa_ctx_t *c, uint32_t msg, int role, uint32_t i, turn_t *turn)
{
    char p[64];
    turn->last_role = role;
    if (role == ROLE_TOOL && !turn->calls_open) {
        mp_oa_path(p, sizeof(p), "messages.[%u].role", i); /* sic: OpenAI's param for this error */
        return mp_oa_invalid(c, p, NULL,
                             "Invalid parameter: messages with role 'tool' must be a response to a preceeding message "
                             "with 'tool_calls'.");
    }
    if (role == ROLE_TOOL) {
        uint32_t id = cm_json_get(&c->d, msg, "tool_call_id");
        if (*id_slot(&turn->ids, id_hash(&c->d, id)) != 0)
            return 0;
        char name[72];
        cm_json_unescape(&c->d, id, name, sizeof(name));
        mp_trim_utf8(name);
        mp_oa_path(p, sizeof(p), "messages.[%u].tool_call_id", i);
        return mp_oa_invalid(c, p, NULL,
                             "Invalid parameter: 'tool_call_id' of '%s' not found in 'tool_calls' of previous message.",
                             name);
    }
    uint32_t calls = role == ROLE_ASSISTANT ? cm_json_get(&c->d, msg, "tool_calls") : 0;
    if (calls != 0 && cm_json_type(&c->d, calls) == CM_JSON_NULL)
        calls = 0;
    turn->calls_open = calls != 0;
    return calls != 0 ? read_calls(c, calls, i, &turn->ids) : 0;
}

static int chat_message(mp_oa_ctx_t *c, uint32_t msg, uint32_t i, uint32_t *tokens, turn_t *turn)
{
    char path[64], p[128];
    mp_oa_path(path, sizeof(path), "messages[%u]", i);
    if (mp_oa_want(c, msg, MP_OA_OBJECT, path) != 0)
        return -1;
    uint32_t role_tok = 0;
    if (want_string(c, msg, "role", path, &role_tok) != 0)
        return -1;
    mp_oa_path(p, sizeof(p), "%s.role", path);
    int role = mp_oa_enum(c, role_tok, chat_roles, p);
    if (role < 0)
        return -1;
    size_t bytes = 0;
    uint32_t text = 0;
    if (chat_content(c, msg, role, i, &bytes, &text) != 0)
        return -1;
    if (role == ROLE_TOOL && want_string(c, msg, "tool_call_id", path, NULL) != 0)
        return -1;
    if (role == ROLE_FUNCTION && want_string(c, msg, "name", path, NULL) != 0)
        return -1;
    if (tool_order(c, msg, role, i, turn) != 0)
        return -1;
    if (role == ROLE_USER && text != 0)
        c->req->echo = cm_json_raw(&c->d, text);
    *tokens += mp_estimate_tokens(bytes) + 3;
    return 0;
}

int mp_oa_chat_messages(mp_oa_ctx_t *c, uint32_t messages)
{
    if (c->d.tok[messages].count == 0)
        return mp_oa_empty_array(c, "messages");
    uint32_t tokens = 3, i = 0;
    turn_t turn = {.last_role = -1};
    for (uint32_t m = cm_json_first(&c->d, messages); m != 0; m = cm_json_next(&c->d, m), i++)
        if (chat_message(c, m, i, &tokens, &turn) != 0)
            return -1;
    c->req->prompt_tokens = tokens;
    c->req->after_tool_result = turn.last_role == ROLE_TOOL || turn.last_role == ROLE_FUNCTION;
    return 0;
}

/* ---- Responses API -------------------------------------------------------------------------------- */

static const char *const input_roles[] = {"user", "assistant", "system", "developer", NULL};
enum { IN_USER };

static int input_message(mp_oa_ctx_t *c, uint32_t item, const char *path, uint32_t *tokens)
{
    uint32_t role_tok = 0, content = 0;
    if (want_string(c, item, "role", path, &role_tok) != 0)
        return -1;
    char p[128];
    mp_oa_path(p, sizeof(p), "%s.role", path);
    int role = mp_oa_enum(c, role_tok, input_roles, p);
    if (role < 0)
        return -1;
    mp_oa_path(p, sizeof(p), "%s.content", path);
    if ((content = cm_json_get(&c->d, item, "content")) == 0)
        return mp_oa_missing(c, p);
    size_t bytes = 0;
    uint32_t text = 0;
    if (cm_json_type(&c->d, content) == CM_JSON_STRING) {
        bytes = c->d.tok[content].len;
        text = content;
    } else if (cm_json_type(&c->d, content) == CM_JSON_ARRAY) {
        uint32_t j = 0;
        for (uint32_t part = cm_json_first(&c->d, content); part != 0; part = cm_json_next(&c->d, part), j++) {
            char pp[192];
            mp_oa_path(pp, sizeof(pp), "%s[%u]", p, j);
            if (content_part(c, part, pp, &input_parts, &bytes, &text) != 0)
                return -1;
        }
    } else {
        return mp_oa_bad_type(c, p, "one of a string or array of input content", content);
    }
    if (role == IN_USER && text != 0)
        c->req->echo = cm_json_raw(&c->d, text);
    *tokens += mp_estimate_tokens(bytes) + 3;
    return 0;
}

/* ---- reasoning items given back ---------------------------------------------------------------------- */

static const char *const summary_part_types[] = {"summary_text", NULL};
static const char *const summary_part_text[] = {"text"};
static const char *const reasoning_part_types[] = {"reasoning_text", NULL};
static const bool no_echo[] = {false};
static const part_table_t summary_parts = {summary_part_types, summary_part_text, no_echo};
static const part_table_t reasoning_parts = {reasoning_part_types, summary_part_text, no_echo};

/* An array of parts of one table at path.key (required or not); the parts' text is not prompt text. */
static int part_list(mp_oa_ctx_t *c, uint32_t item, const char *key, const char *path, bool required,
                     const part_table_t *tab)
{
    char p[128];
    mp_oa_path(p, sizeof(p), "%s.%s", path, key);
    uint32_t list = cm_json_get(&c->d, item, key);
    if (list == 0 || (!required && cm_json_type(&c->d, list) == CM_JSON_NULL))
        return required ? mp_oa_missing(c, p) : 0;
    if (cm_json_type(&c->d, list) != CM_JSON_ARRAY)
        return mp_oa_bad_type(c, p, "an array of objects", list);
    size_t bytes = 0;
    uint32_t j = 0, text = 0;
    for (uint32_t part = cm_json_first(&c->d, list); part != 0; part = cm_json_next(&c->d, part), j++) {
        char pp[160];
        mp_oa_path(pp, sizeof(pp), "%s[%u]", p, j);
        if (content_part(c, part, pp, tab, &bytes, &text) != 0)
            return -1;
    }
    return 0;
}

/* A reasoning item's id: letters, digits, '_' and '-' (checked as sent: an escape counts as another character),
 * starting with "rs", with the invalid_value errors OpenAI answers ids given back with. */
static int reasoning_id(mp_oa_ctx_t *c, uint32_t id, const char *path, char *name, size_t cap)
{
    char p[128];
    mp_oa_path(p, sizeof(p), "%s.id", path);
    cm_json_unescape(&c->d, id, name, cap);
    mp_trim_utf8(name);
    bool plain = c->d.tok[id].len > 0;
    for (size_t k = 0; k < c->d.tok[id].len && plain; k++) {
        char ch = c->d.src[c->d.tok[id].start + k];
        plain =
            (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') || ch == '_' || ch == '-';
    }
    if (!plain)
        return mp_oa_invalid(c, p, "invalid_value",
                             "Invalid '%s': '%s'. Expected an ID that contains letters, numbers, underscores, or "
                             "dashes, but this value contained additional characters.",
                             p, name);
    if (strncmp(name, "rs", 2) != 0)
        return mp_oa_invalid(c, p, "invalid_value", "Invalid '%s': '%s'. Expected an ID that begins with 'rs'.", p,
                             name);
    return 0;
}

/* A reasoning item given back in an agent loop (openai-python ResponseReasoningItemParam): id, summary (parts
 * {type: "summary_text", text}), and optionally content (parts {type: "reasoning_text", text}),
 * encrypted_content (a string or null) and status. Without store, the API can only read the reasoning back from
 * its encrypted_content: one without is OpenAI's 404 for an item it did not keep. The item must be followed by
 * the output it led to (a call or an assistant message), never be last nor followed by a new prompt. */
static int reasoning_item(mp_oa_ctx_t *c, uint32_t item, const char *path, uint32_t next)
{
    static const char *const statuses[] = {"in_progress", "completed", "incomplete", NULL};
    char name[72], p[128];
    uint32_t id = 0;
    if (want_string(c, item, "id", path, &id) != 0 || reasoning_id(c, id, path, name, sizeof(name)) != 0 ||
        part_list(c, item, "summary", path, true, &summary_parts) != 0 ||
        part_list(c, item, "content", path, false, &reasoning_parts) != 0)
        return -1;
    uint32_t blob = cm_json_get(&c->d, item, "encrypted_content"), status = cm_json_get(&c->d, item, "status");
    bool has_blob = blob != 0 && cm_json_type(&c->d, blob) != CM_JSON_NULL;
    mp_oa_path(p, sizeof(p), "%s.encrypted_content", path);
    if (has_blob && mp_oa_want(c, blob, MP_OA_STRING, p) != 0)
        return -1;
    mp_oa_path(p, sizeof(p), "%s.status", path);
    if (status != 0 && cm_json_type(&c->d, status) != CM_JSON_NULL && mp_oa_enum(c, status, statuses, p) < 0)
        return -1;
    uint32_t store = c->slot[MP_OA_S_STORE];
    if (!has_blob && store != 0 && cm_json_type(&c->d, store) == CM_JSON_FALSE) {
        mp_error_set(c->err, MP_ERR_NOT_FOUND, "input",
                     "Item with id '%s' not found. Items are not persisted when `store` is set to false. Try again "
                     "with `store` set to true, or remove this item from your input.",
                     name);
        return -1;
    }
    uint32_t role = next != 0 ? cm_json_get(&c->d, next, "role") : 0;
    if (next == 0 || (role != 0 && !mp_oa_is(&c->d, role, "assistant")))
        return mp_oa_invalid(c, "input", NULL,
                             "Item '%s' of type 'reasoning' was provided without its required following item.", name);
    return 0;
}

/* Items other than messages: the ones a client sends back after a tool call are checked; the many other
 * item types (item_reference, built-in tool calls...) are accepted as they are. */
static int input_item(mp_oa_ctx_t *c, uint32_t item, uint32_t i, uint32_t next, uint32_t *tokens)
{
    char path[64];
    mp_oa_path(path, sizeof(path), "input[%u]", i);
    if (mp_oa_want(c, item, MP_OA_OBJECT, path) != 0)
        return -1;
    char p[128];
    mp_oa_path(p, sizeof(p), "%s.type", path);
    uint32_t type = cm_json_get(&c->d, item, "type");
    if (type != 0 && mp_oa_want(c, type, MP_OA_STRING, p) != 0)
        return -1;
    if (cm_json_get(&c->d, item, "role") != 0 || (type != 0 && mp_oa_is(&c->d, type, "message")))
        return input_message(c, item, path, tokens);
    if (type == 0)
        return mp_oa_missing(c, p);
    uint32_t out = 0;
    if (mp_oa_is(&c->d, type, "function_call_output")) {
        if (want_string(c, item, "call_id", path, NULL) != 0 || want_string(c, item, "output", path, &out) != 0)
            return -1;
        *tokens += mp_estimate_tokens(c->d.tok[out].len) + 3;
    } else if (mp_oa_is(&c->d, type, "function_call")) {
        if (want_string(c, item, "call_id", path, NULL) != 0 || want_string(c, item, "name", path, NULL) != 0 ||
            want_string(c, item, "arguments", path, &out) != 0)
            return -1;
        *tokens += mp_estimate_tokens(c->d.tok[out].len) + 3;
    } else if (mp_oa_is(&c->d, type, "reasoning")) {
        return reasoning_item(c, item, path, next);
    }
    return 0;
}

/* A function_call_output answers a function_call item earlier in the input, which OpenAI reads in order: one
 * whose call_id no earlier function_call has is its 400. When the calls may live elsewhere (a
 * previous_response_id, a conversation, or an item_reference), the mock cannot know and accepts it. */
static int outputs_answer_calls(mp_oa_ctx_t *c, uint32_t input)
{
    const cm_json_doc_t *d = &c->d;
    if (c->slot[MP_OA_S_PREVIOUS_RESPONSE_ID] != 0 || cm_json_get(d, 0, "conversation") != 0)
        return 0;
    for (uint32_t it = cm_json_first(d, input); it != 0; it = cm_json_next(d, it)) {
        uint32_t type = cm_json_get(d, it, "type");
        if (type != 0 && mp_oa_is(d, type, "item_reference"))
            return 0;
    }
    uint32_t cap = 8;
    while (cap < 2 * d->tok[input].count)
        cap *= 2;
    call_ids_t ids = {cm_alloc(c->a, cap * sizeof(uint64_t)), cap - 1};
    memset(ids.slot, 0, cap * sizeof(uint64_t));
    for (uint32_t it = cm_json_first(d, input); it != 0; it = cm_json_next(d, it)) {
        uint32_t type = cm_json_get(d, it, "type"), id = cm_json_get(d, it, "call_id");
        if (type == 0 || id == 0 || cm_json_type(d, id) != CM_JSON_STRING)
            continue;
        uint64_t h = id_hash(d, id);
        if (mp_oa_is(d, type, "function_call")) {
            *id_slot(&ids, h) = h;
        } else if (mp_oa_is(d, type, "function_call_output") && *id_slot(&ids, h) == 0) {
            char name[72];
            cm_json_unescape(d, id, name, sizeof(name));
            mp_trim_utf8(name);
            return mp_oa_invalid(c, "input", NULL, "No tool call found for function call output with call_id %s.",
                                 name);
        }
    }
    return 0;
}

static int instructions(mp_oa_ctx_t *c, uint32_t t, uint32_t *tokens)
{
    if (mp_oa_want(c, t, MP_OA_STRING, "instructions") != 0)
        return -1;
    c->oa->instructions = cm_json_raw(&c->d, t);
    c->oa->has_instructions = true;
    *tokens += mp_estimate_tokens(c->d.tok[t].len) + 3;
    return 0;
}

int mp_oa_responses_input(mp_oa_ctx_t *c, uint32_t input, uint32_t instr)
{
    uint32_t tokens = 3;
    if (instr != 0 && instructions(c, instr, &tokens) != 0)
        return -1;
    if (input != 0) {
        cm_json_type_t type = cm_json_type(&c->d, input);
        if (type == CM_JSON_STRING) {
            c->req->echo = cm_json_raw(&c->d, input);
            tokens += mp_estimate_tokens(c->d.tok[input].len) + 3;
        } else if (type == CM_JSON_ARRAY) {
            uint32_t i = 0, last = 0;
            for (uint32_t it = cm_json_first(&c->d, input); it != 0; it = cm_json_next(&c->d, it), i++)
                if (input_item(c, it, i, cm_json_next(&c->d, it), &tokens) != 0)
                    return -1;
                else
                    last = it;
            if (outputs_answer_calls(c, input) != 0)
                return -1;
            uint32_t kind = last ? cm_json_get(&c->d, last, "type") : 0;
            c->req->after_tool_result = kind != 0 && mp_oa_is(&c->d, kind, "function_call_output");
        } else {
            return mp_oa_bad_type(c, "input", "one of a string or array of input items", input);
        }
    }
    c->req->prompt_tokens = tokens;
    return 0;
}
