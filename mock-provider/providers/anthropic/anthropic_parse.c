/* Request validation for /v1/messages and /v1/messages/count_tokens, in the API's own words: it validates
 * with pydantic and answers the first error as "<field path>: <message>" ("max_tokens: Field required",
 * "messages.0.role: Input should be 'user' or 'assistant'", "foo: Extra inputs are not permitted"); a few
 * cross-field rules have their own sentences. Content blocks and tools are tagged unions, so their paths carry
 * the tag ("messages.0.content.1.tool_use.id", "tools.0.custom.name"). */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "mock-provider/providers/anthropic/anthropic.h"
#include "mock-provider/providers/anthropic/anthropic_check.h"
#include "mock-provider/providers/schema/toolargs.h"
#include "mock-provider/providers/stop.h"

/* Top-level fields; msg: /v1/messages only (count_tokens refuses them as extra inputs). */
typedef enum slot {
    S_NONE,
    S_MODEL,
    S_MESSAGES,
    S_MAX_TOKENS,
    S_SYSTEM,
    S_STREAM,
    S_TEMPERATURE,
    S_TOOLS,
    S_TOOL_CHOICE,
    S_THINKING,
    S_METADATA,
    S_STOP,
    S_SERVICE_TIER,
    S__COUNT,
} slot_t;

typedef struct field {
    const char *name;
    uint8_t type; /* mp_an_type_t */
    uint8_t slot;
    bool msg;
    bool ranged;
    double min, max;
    bool sampling; /* removed in API version 2026-10-21: an extra input there, even at its default */
} field_t;

/* Beta and newer fields (container, mcp_servers, context_management, output_config...) are accepted as they
 * are: the fake model has nothing to do with them, and refusing what the API accepts would fail good clients. */
static const field_t fields[] = {
    {"model", MP_AN_STR, S_MODEL, false, false, 0, 0, false},
    {"messages", MP_AN_LIST, S_MESSAGES, false, false, 0, 0, false},
    {"max_tokens", MP_AN_INT, S_MAX_TOKENS, true, true, 1, HUGE_VAL, false},
    {"system", MP_AN_ANY, S_SYSTEM, false, false, 0, 0, false},
    {"stream", MP_AN_BOOL, S_STREAM, true, false, 0, 0, false},
    {"temperature", MP_AN_NUM, S_TEMPERATURE, true, true, 0, 1, true},
    {"top_p", MP_AN_NUM, S_NONE, true, true, 0, 1, true},
    {"top_k", MP_AN_INT, S_NONE, true, true, 0, HUGE_VAL, true},
    {"stop_sequences", MP_AN_LIST, S_STOP, true, false, 0, 0, false},
    {"metadata", MP_AN_OBJ, S_METADATA, true, false, 0, 0, false},
    {"service_tier", MP_AN_STR, S_SERVICE_TIER, true, false, 0, 0, false},
    {"tools", MP_AN_LIST, S_TOOLS, false, false, 0, 0, false},
    {"tool_choice", MP_AN_OBJ, S_TOOL_CHOICE, false, false, 0, 0, false},
    {"thinking", MP_AN_OBJ, S_THINKING, false, false, 0, 0, false},
    {"container", MP_AN_ANY, S_NONE, true, false, 0, 0, false},
    {"mcp_servers", MP_AN_LIST, S_NONE, false, false, 0, 0, false},
    {"context_management", MP_AN_ANY, S_NONE, false, false, 0, 0, false},
    {"output_config", MP_AN_OBJ, S_NONE, false, false, 0, 0, false},
    {"output_format", MP_AN_ANY, S_NONE, false, false, 0, 0, false},
    {"inference_geo", MP_AN_STR, S_NONE, true, false, 0, 0, false},
    {"speed", MP_AN_STR, S_NONE, true, false, 0, 0, false},
};
#define NFIELDS (sizeof(fields) / sizeof(fields[0]))

typedef struct parse {
    mp_an_ctx_t c;
    uint32_t slot[S__COUNT];
    bool count_tokens;
} parse_t;

static const field_t *find_field(const mp_an_ctx_t *c, uint32_t key, bool count_tokens)
{
    for (size_t i = 0; i < NFIELDS; i++)
        if ((!fields[i].msg || !count_tokens) && !(fields[i].sampling && c->v2026) &&
            mp_an_is(&c->d, key, fields[i].name))
            return &fields[i];
    return NULL;
}

/* Pass 1: every member's type and range, unknown members refused; null is an absent optional field. */
static int scan(parse_t *p)
{
    mp_an_ctx_t *c = &p->c;
    for (uint32_t k = cm_json_first(&c->d, 0); k != 0; k = cm_json_next(&c->d, k + 1)) {
        char name[64];
        mp_an_key_name(c, k, name, sizeof(name));
        const field_t *f = find_field(c, k, p->count_tokens);
        if (f == NULL)
            return mp_an_fail(c, "%s: Extra inputs are not permitted", name);
        uint32_t v = k + 1;
        bool required = f->slot == S_MODEL || f->slot == S_MESSAGES || f->slot == S_MAX_TOKENS;
        if (cm_json_type(&c->d, v) == CM_JSON_NULL && !required)
            continue;
        if (mp_an_want(c, v, (mp_an_type_t)f->type, name) != 0)
            return -1;
        if (f->ranged && mp_an_range(c, v, f->min, f->max, name) != 0)
            return -1;
        if (f->slot != S_NONE)
            p->slot[f->slot] = v;
    }
    return 0;
}

static int required(parse_t *p)
{
    if (p->slot[S_MODEL] == 0)
        return mp_an_fail(&p->c, "model: Field required");
    if (p->slot[S_MESSAGES] == 0)
        return mp_an_fail(&p->c, "messages: Field required");
    if (!p->count_tokens && p->slot[S_MAX_TOKENS] == 0)
        return mp_an_fail(&p->c, "max_tokens: Field required");
    cm_str_t model = cm_json_raw(&p->c.d, p->slot[S_MODEL]);
    if (model.n > MP_AN_MAX_MODEL_LEN)
        return mp_an_fail(&p->c, "model: String should have at most %d characters", MP_AN_MAX_MODEL_LEN);
    if (model.n == 0)
        return mp_an_fail(&p->c, "model: String should have at least 1 character");
    p->c.req->model = model;
    return 0;
}

/* metadata: user_id (a string or null, at most 256 characters) and nothing else. */
static int metadata(parse_t *p)
{
    mp_an_ctx_t *c = &p->c;
    uint32_t m = p->slot[S_METADATA];
    for (uint32_t k = m ? cm_json_first(&c->d, m) : 0; k != 0; k = cm_json_next(&c->d, k + 1)) {
        char name[64];
        mp_an_key_name(c, k, name, sizeof(name));
        if (!mp_an_is(&c->d, k, "user_id"))
            return mp_an_fail(c, "metadata.%s: Extra inputs are not permitted", name);
        if (cm_json_type(&c->d, k + 1) == CM_JSON_NULL)
            continue;
        if (mp_an_want(c, k + 1, MP_AN_STR, "metadata.user_id") != 0)
            return -1;
        if (c->d.tok[k + 1].len > 256)
            return mp_an_fail(c, "metadata.user_id: String should have at most 256 characters");
    }
    return 0;
}

static int sampling(parse_t *p)
{
    static const char *const tiers[] = {"auto", "standard_only", NULL};
    mp_an_ctx_t *c = &p->c;
    uint32_t s = p->slot[S_STOP], i = 0;
    if (s != 0 && c->d.tok[s].count > MP_MAX_STOP_SEQUENCES)
        return mp_an_fail(c, "stop_sequences: List should have at most %d items after validation, not %u",
                          MP_MAX_STOP_SEQUENCES, c->d.tok[s].count);
    for (uint32_t e = s ? cm_json_first(&c->d, s) : 0; e != 0; e = cm_json_next(&c->d, e), i++) {
        char path[48];
        snprintf(path, sizeof(path), "stop_sequences.%u", i);
        if (mp_an_want(c, e, MP_AN_STR, path) != 0)
            return -1;
        if (cm_json_raw(&c->d, e).n == 0)
            return mp_an_fail(c, "stop_sequences: each stop sequence must be non-empty");
        mp_stop_add(c->req, cm_json_raw(&c->d, e)); /* the count is checked above */
    }
    if (p->slot[S_SERVICE_TIER] != 0 && mp_an_literal(c, p->slot[S_SERVICE_TIER], tiers, "service_tier") < 0)
        return -1;
    c->req->max_tokens = p->slot[S_MAX_TOKENS] != 0 ? mp_an_int_value(c, p->slot[S_MAX_TOKENS]) : -1;
    c->req->stream = p->slot[S_STREAM] != 0 && cm_json_type(&c->d, p->slot[S_STREAM]) == CM_JSON_TRUE;
    if (p->slot[S_TEMPERATURE] != 0)
        cm_json_double(&c->d, p->slot[S_TEMPERATURE], &c->req->temperature);
    return metadata(p);
}

/* thinking: {"type":"enabled","budget_tokens":N} (N >= 1024 and below max_tokens), {"type":"disabled"}, or
 * the newer {"type":"adaptive"}, which thinks like enabled with the largest budget max_tokens allows. */
static int thinking(parse_t *p)
{
    static const char *const tags[] = {"enabled", "disabled", "adaptive", NULL};
    mp_an_ctx_t *c = &p->c;
    uint32_t t = p->slot[S_THINKING];
    if (t == 0)
        return 0;
    int tag = mp_an_tag(c, t, tags, "thinking");
    if (tag < 0)
        return -1;
    if (tag == 1)
        return 0;
    c->own->thinking = true;
    c->own->thinking_budget = UINT32_MAX;
    if (tag == 2)
        return 0;
    uint32_t b = cm_json_get(&c->d, t, "budget_tokens");
    if (b == 0)
        return mp_an_fail(c, "thinking.enabled.budget_tokens: Field required");
    if (mp_an_want(c, b, MP_AN_INT, "thinking.enabled.budget_tokens") != 0 ||
        mp_an_range(c, b, MP_AN_MIN_THINKING, HUGE_VAL, "thinking.enabled.budget_tokens") != 0)
        return -1;
    int64_t budget = mp_an_int_value(c, b);
    c->own->thinking_budget = budget > UINT32_MAX ? UINT32_MAX : (uint32_t)budget;
    if (!p->count_tokens && c->req->max_tokens <= budget)
        return mp_an_fail(c, "`max_tokens` must be greater than `thinking.budget_tokens`. Please consult our "
                             "documentation at https://docs.claude.com/en/docs/build-with-claude/"
                             "extended-thinking#max-tokens-and-context-window-size");
    return 0;
}

/* Rules between thinking and the sampling and tool settings, and the conversation's last tool calls. */
static int thinking_rules(parse_t *p)
{
    mp_an_ctx_t *c = &p->c;
    if (!c->own->thinking)
        return 0;
    if (p->slot[S_TEMPERATURE] != 0 && c->req->temperature != 1.0)
        return mp_an_fail(c, "`temperature` may only be set to 1 when thinking is enabled. Please consult our "
                             "documentation at https://docs.claude.com/en/docs/build-with-claude/"
                             "extended-thinking#feature-compatibility");
    if (c->req->tool_forced)
        return mp_an_fail(c, "Thinking may not be enabled when tool_choice forces tool use.");
    /* The turn whose calls the conversation ends by answering must start with the thought that led to them: an
     * agent loop that drops thinking blocks when it replays the assistant turn gets this 400 from the API.
     * Earlier turns may come without their thoughts (the API drops them), and so may a final prefill. */
    if (c->own->calls_turn != 0 && c->req->after_tool_result && !c->own->calls_thought)
        return mp_an_fail(c,
                          "messages.%u.content.0.type: Expected `thinking` or `redacted_thinking`, but found `%s`. "
                          "When `thinking` is enabled, a final `assistant` message must start with a thinking block "
                          "(preceeding the lastmost set of `tool_use` and `tool_result` blocks). We recommend you "
                          "include thinking blocks from previous turns. To avoid this requirement, disable "
                          "`thinking`. Please consult our documentation at "
                          "https://docs.claude.com/en/docs/build-with-claude/extended-thinking",
                          c->own->calls_turn - 1, c->own->calls_first);
    return 0;
}

static int parse_all(parse_t *p)
{
    mp_an_ctx_t *c = &p->c;
    if (scan(p) != 0 || required(p) != 0 || sampling(p) != 0)
        return -1;
    uint32_t tokens = 0;
    if (mp_an_system(c, p->slot[S_SYSTEM], &tokens) != 0 || mp_an_messages(c, p->slot[S_MESSAGES], &tokens) != 0)
        return -1;
    if (thinking(p) != 0 || mp_an_tools(c, p->slot[S_TOOLS], p->slot[S_TOOL_CHOICE], p->slot[S_MESSAGES], &tokens) != 0)
        return -1;
    c->req->prompt_tokens = tokens;
    return thinking_rules(p);
}

/* Python's json module names where a body stops being JSON: "line L column C (char N)", 1-based. */
static void invalid_json(const char *body, size_t len, const char *why, mp_error_t *err)
{
    size_t at = 0, line = 1, col = 1;
    if (sscanf(why, "invalid JSON at byte %zu", &at) != 1 || at > len)
        at = len;
    for (size_t i = 0; i < at; i++) {
        line += body[i] == '\n';
        col = body[i] == '\n' ? 1 : col + 1;
    }
    mp_error_preset(&mp_anthropic_provider, err, MP_ERR_INVALID_JSON, NULL);
    snprintf(err->message, sizeof(err->message),
             "The request body is not valid JSON: Expecting value: line %zu column %zu (char %zu)", line, col, at);
}

int mp_anthropic_parse(const mp_route_t *route, const char *body, size_t len, cm_json_toks_t *scratch,
                       const cm_allocator_t *a, mp_request_t *req, mp_error_t *err)
{
    memset(req, 0, sizeof(*req));
    req->api = route->api;
    req->route = route;
    req->n = 1;
    req->max_tokens = -1;
    req->temperature = 1.0;
    req->top_p = 1.0;
    if (route->api == MP_API_MODELS)
        return 0;
    mp_an_request_t *own = cm_alloc(a, sizeof(*own));
    memset(own, 0, sizeof(*own));
    req->own = own;
    parse_t p;
    memset(&p, 0, sizeof(p));
    p.c = (mp_an_ctx_t){.a = a, .req = req, .own = own, .err = err};
    p.count_tokens = route->api == MP_API_COUNT_TOKENS;
    cm_str_t v = route->version;
    p.c.v2026 = v.n == sizeof(MP_AN_VERSION_2026) - 1 && memcmp(v.p, MP_AN_VERSION_2026, v.n) == 0;
    char jerr[160];
    if (cm_json_parse(&p.c.d, body, len, scratch, jerr, sizeof(jerr)) != 0) {
        invalid_json(body, len, jerr, err);
        return -1;
    }
    if (cm_json_type(&p.c.d, 0) != CM_JSON_OBJECT)
        return mp_an_fail(&p.c, "Input should be a valid dictionary or object to extract fields from");
    return parse_all(&p);
}
