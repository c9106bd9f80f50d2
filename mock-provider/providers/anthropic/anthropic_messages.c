/* The conversation: system and messages with their content blocks, checked as the API checks them, including
 * the pairing of tool_use blocks with the tool_result blocks of the next message (what an agent loop through a
 * gateway breaks when it drops or reorders a turn). Prompt tokens and the echo text come from here. */
#include <stdio.h>
#include <string.h>

#include "mock-provider/providers/anthropic/anthropic_check.h"

/* Tool calls of one assistant turn whose results are checked in the next message; ids past this are not
 * checked (the API documents no bound; real turns carry a handful). */
#define MAX_TURN_TOOL_USES 64
/* An image has no text to count; the API charges about (width x height) / 750 tokens, about 1600 for a
 * typical photo scaled to its limit. */
#define IMAGE_TOKENS 1600

static const char *const block_tags[] = {
    "text",
    "image",
    "document",
    "search_result",
    "thinking",
    "redacted_thinking",
    "tool_use",
    "tool_result",
    "server_tool_use",
    "web_search_tool_result",
    "web_fetch_tool_result",
    "code_execution_tool_result",
    "bash_code_execution_tool_result",
    "text_editor_code_execution_tool_result",
    "mcp_tool_use",
    "mcp_tool_result",
    "container_upload",
    NULL,
};
enum { B_TEXT, B_IMAGE, B_DOCUMENT, B_SEARCH, B_THINKING, B_REDACTED, B_TOOL_USE, B_TOOL_RESULT };

/* Where the conversation stands: tool_use ids of the previous assistant turn, and what the prompt holds. */
typedef struct convo {
    cm_str_t open[MAX_TURN_TOOL_USES];
    bool answered[MAX_TURN_TOOL_USES];
    uint32_t nopen, open_at; /* open_at: index of the assistant message that made them */
    size_t bytes;            /* text of the prompt */
    uint32_t images;
    bool has_tool_result; /* in the message being read */
    int first_tag;        /* the type of the first block of the message being read; -1 before one */
} convo_t;

static int block_text(mp_an_ctx_t *c, uint32_t b, const char *path, const char *key, convo_t *cv)
{
    uint32_t t;
    if (mp_an_member(c, b, key, MP_AN_STR, path, &t) != 0)
        return -1;
    cv->bytes += c->d.tok[t].len;
    return 0;
}

/* tool_result: tool_use_id answers a call of the previous turn; its content is a string or blocks. */
static int tool_result(mp_an_ctx_t *c, uint32_t b, const char *path, const char *where, convo_t *cv)
{
    uint32_t id, content = cm_json_get(&c->d, b, "content");
    if (mp_an_member(c, b, "tool_use_id", MP_AN_STR, path, &id) != 0)
        return -1;
    cm_str_t want = cm_json_raw(&c->d, id);
    bool found = false;
    for (uint32_t i = 0; i < cv->nopen && !found; i++)
        if (cv->open[i].n == want.n && memcmp(cv->open[i].p, want.p, want.n) == 0)
            found = cv->answered[i] = true;
    if (!found && cv->nopen < MAX_TURN_TOOL_USES)
        return mp_an_fail(c,
                          "%s: unexpected `tool_use_id` found in `tool_result` blocks: %.*s. Each `tool_result` block "
                          "must have a corresponding `tool_use` block in the previous message.",
                          where, (int)(want.n > 128 ? 128 : want.n), want.p);
    if (content != 0 && cm_json_type(&c->d, content) != CM_JSON_NULL) {
        char p[160];
        snprintf(p, sizeof(p), "%s.content", path);
        if (cm_json_type(&c->d, content) != CM_JSON_STRING && mp_an_want(c, content, MP_AN_LIST, p) != 0)
            return -1;
        cv->bytes += c->d.tok[content].len;
    }
    cv->has_tool_result = true;
    return 0;
}

/* One content block; text is set to the first text block's token (the echo of a user turn). */
static int block(mp_an_ctx_t *c, uint32_t b, uint32_t i, uint32_t j, bool assistant, convo_t *cv, uint32_t *text)
{
    char where[64], path[128];
    snprintf(where, sizeof(where), "messages.%u.content.%u", i, j);
    int tag = mp_an_tag(c, b, block_tags, where);
    if (tag < 0)
        return -1;
    if (j == 0)
        cv->first_tag = tag;
    snprintf(path, sizeof(path), "%s.%s", where, block_tags[tag]);
    uint32_t t;
    switch (tag) {
    case B_TEXT:
        if (mp_an_member(c, b, "text", MP_AN_STR, path, &t) != 0)
            return -1;
        if (c->d.tok[t].len == 0)
            return mp_an_fail(c, "messages: text content blocks must be non-empty");
        if (c->v2026 && !assistant && (t = cm_json_get(&c->d, b, "citations")) != 0 &&
            cm_json_type(&c->d, t) == CM_JSON_ARRAY && c->d.tok[t].count > 0)
            return mp_an_fail(c, "%s.citations: citations are not accepted on text blocks in user messages", path);
        t = cm_json_get(&c->d, b, "text");
        cv->bytes += c->d.tok[t].len;
        if (*text == 0)
            *text = t;
        return 0;
    case B_IMAGE:
        cv->images++;
        return mp_an_member(c, b, "source", MP_AN_OBJ, path, NULL);
    case B_DOCUMENT:
        if (c->v2026 && assistant)
            return mp_an_fail(c,
                              "%s: document blocks are not accepted in assistant messages; send documents in user "
                              "messages",
                              where);
        if (mp_an_member(c, b, "source", MP_AN_OBJ, path, &t) != 0)
            return -1;
        cv->bytes += c->d.tok[t].len;
        return 0;
    case B_THINKING:
        return block_text(c, b, path, "thinking", cv) != 0 ? -1
                                                           : mp_an_member(c, b, "signature", MP_AN_STR, path, NULL);
    case B_REDACTED:
        return mp_an_member(c, b, "data", MP_AN_STR, path, NULL);
    case B_TOOL_USE:
        if (mp_an_member(c, b, "id", MP_AN_STR, path, &t) != 0 ||
            mp_an_member(c, b, "name", MP_AN_STR, path, NULL) != 0)
            return -1;
        if (assistant && cv->nopen < MAX_TURN_TOOL_USES)
            cv->open[cv->nopen++] = cm_json_raw(&c->d, t);
        if (mp_an_member(c, b, "input", MP_AN_OBJ, path, &t) != 0)
            return -1;
        cv->bytes += c->d.tok[t].len;
        return 0;
    case B_TOOL_RESULT:
        return tool_result(c, b, path, where, cv);
    default:
        return 0; /* server tool blocks and the like: nothing the fake model reads */
    }
}

static const char empty_content[] = "%s: all messages must have non-empty content except for the optional final "
                                    "assistant message";

static int content(mp_an_ctx_t *c, uint32_t msg, uint32_t i, bool assistant, bool last, convo_t *cv, uint32_t *text)
{
    char path[48];
    snprintf(path, sizeof(path), "messages.%u", i);
    uint32_t t = cm_json_get(&c->d, msg, "content");
    if (t == 0)
        return mp_an_fail(c, "%s.content: Field required", path);
    bool empty = c->d.tok[t].len == 0 && cm_json_type(&c->d, t) == CM_JSON_STRING;
    if (cm_json_type(&c->d, t) == CM_JSON_STRING) {
        cv->bytes += c->d.tok[t].len;
        *text = t;
    } else {
        char p[64];
        snprintf(p, sizeof(p), "%s.content", path);
        if (mp_an_want(c, t, MP_AN_LIST, p) != 0)
            return -1;
        empty = c->d.tok[t].count == 0;
        uint32_t j = 0;
        for (uint32_t b = cm_json_first(&c->d, t); b != 0; b = cm_json_next(&c->d, b), j++)
            if (block(c, b, i, j, assistant, cv, text) != 0)
                return -1;
    }
    if (empty && !(assistant && last))
        return mp_an_fail(c, empty_content, path);
    return 0;
}

/* Every call of the previous assistant turn must be answered by this message's tool_result blocks. */
static int calls_answered(mp_an_ctx_t *c, const convo_t *cv)
{
    char ids[400];
    size_t o = 0;
    for (uint32_t i = 0; i < cv->nopen && o + 1 < sizeof(ids); i++) {
        if (cv->answered[i])
            continue;
        int w = snprintf(ids + o, sizeof(ids) - o, "%s%.*s", o ? ", " : "",
                         (int)(cv->open[i].n > 64 ? 64 : cv->open[i].n), cv->open[i].p);
        o += w > 0 ? (size_t)w : 0;
    }
    if (o == 0)
        return 0;
    return mp_an_fail(c,
                      "messages.%u: `tool_use` ids were found without `tool_result` blocks immediately after: %s. Each "
                      "`tool_use` block must have a corresponding `tool_result` block in the next message.",
                      cv->open_at, ids);
}

static int message(mp_an_ctx_t *c, uint32_t msg, uint32_t i, bool last, convo_t *cv)
{
    static const char *const roles[] = {"user", "assistant", NULL};
    char path[48];
    snprintf(path, sizeof(path), "messages.%u", i);
    if (mp_an_want(c, msg, MP_AN_OBJ, path) != 0)
        return -1;
    for (uint32_t k = cm_json_first(&c->d, msg); k != 0; k = cm_json_next(&c->d, k + 1)) {
        char name[64];
        mp_an_key_name(c, k, name, sizeof(name));
        if (!mp_an_is(&c->d, k, "role") && !mp_an_is(&c->d, k, "content"))
            return mp_an_fail(c, "%s.%s: Extra inputs are not permitted", path, name);
    }
    uint32_t role_tok, text = 0;
    if (mp_an_member(c, msg, "role", MP_AN_ANY, path, &role_tok) != 0)
        return -1;
    char p[64];
    snprintf(p, sizeof(p), "%s.role", path);
    int role = mp_an_literal(c, role_tok, roles, p);
    if (role < 0)
        return -1;
    bool assistant = role == 1;
    cv->has_tool_result = false;
    cv->first_tag = -1;
    if (assistant) {
        /* An assistant turn right after calls leaves them all unanswered; then it makes its own. */
        if (cv->nopen > 0 && calls_answered(c, cv) != 0)
            return -1;
        cv->nopen = 0;
        cv->open_at = i;
        memset(cv->answered, 0, sizeof(cv->answered));
    }
    if (content(c, msg, i, assistant, last, cv, &text) != 0)
        return -1;
    if (assistant) {
        /* Read by the thinking rules once thinking is parsed (anthropic_parse.c); the final turn wins. */
        c->own->calls_turn = cv->nopen > 0 ? i + 1 : 0;
        c->own->calls_first = cv->first_tag >= 0 ? block_tags[cv->first_tag] : "";
        c->own->calls_thought = cv->first_tag == B_THINKING || cv->first_tag == B_REDACTED;
    }
    if (!assistant) {
        if (cv->nopen > 0 && calls_answered(c, cv) != 0)
            return -1;
        cv->nopen = 0;
    }
    if (!assistant && text != 0)
        c->req->echo = cm_json_raw(&c->d, text);
    return 0;
}

int mp_an_messages(mp_an_ctx_t *c, uint32_t messages, uint32_t *tokens)
{
    convo_t cv;
    memset(&cv, 0, sizeof(cv));
    uint32_t n = c->d.tok[messages].count, i = 0;
    if (n == 0)
        return mp_an_fail(c, "messages: at least one message is required");
    bool last_user_result = false;
    for (uint32_t m = cm_json_first(&c->d, messages); m != 0; m = cm_json_next(&c->d, m), i++) {
        if (message(c, m, i, i + 1 == n, &cv) != 0)
            return -1;
        last_user_result = cv.has_tool_result;
    }
    c->req->after_tool_result = last_user_result;
    uint64_t t = (uint64_t)*tokens + mp_estimate_tokens(cv.bytes) + 3ull * n + (uint64_t)cv.images * IMAGE_TOKENS;
    *tokens = t > UINT32_MAX ? UINT32_MAX : (uint32_t)t;
    return 0;
}

/* system: a string, or text blocks ({"type":"text","text":...}, with cache_control and citations allowed). */
int mp_an_system(mp_an_ctx_t *c, uint32_t system, uint32_t *tokens)
{
    static const char *const tags[] = {"text", NULL};
    if (system == 0)
        return 0;
    if (cm_json_type(&c->d, system) == CM_JSON_STRING) {
        *tokens += mp_estimate_tokens(c->d.tok[system].len);
        return 0;
    }
    if (mp_an_want(c, system, MP_AN_LIST, "system") != 0)
        return -1;
    uint32_t i = 0;
    size_t bytes = 0;
    for (uint32_t b = cm_json_first(&c->d, system); b != 0; b = cm_json_next(&c->d, b), i++) {
        char path[48];
        uint32_t t;
        snprintf(path, sizeof(path), "system.%u", i);
        if (mp_an_tag(c, b, tags, path) < 0 || mp_an_member(c, b, "text", MP_AN_STR, path, &t) != 0)
            return -1;
        if (c->d.tok[t].len == 0)
            return mp_an_fail(c, "system: text content blocks must be non-empty");
        bytes += c->d.tok[t].len;
    }
    *tokens += mp_estimate_tokens(bytes);
    return 0;
}
