/* tools and tool_choice: custom tools ({name, description, input_schema}) and the API's own server tools (a
 * versioned type such as "web_search_20250305", accepted by name: the fake model never calls them), which
 * tools the fake model calls, and their input generated from input_schema. */
#include <stdio.h>
#include <string.h>

#include "common/dist.h"
#include "mock-provider/providers/anthropic/anthropic_check.h"
#include "mock-provider/providers/schema/toolargs.h"

/* Tokens the API adds to the prompt for its tool-use system prompt (its documented figures for the current
 * models): with tool_choice auto or none, and with any or tool. */
#define TOOL_PROMPT_AUTO 346
#define TOOL_PROMPT_FORCED 313

typedef enum choice {
    CHOICE_AUTO,
    CHOICE_ANY,
    CHOICE_TOOL,
    CHOICE_NONE,
} choice_t;

static bool digits(const char *p, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (p[i] < '0' || p[i] > '9')
            return false;
    return true;
}

/* A server tool's type: lower-case words and a date, "web_search_20250305", "text_editor_20250728". */
static bool server_type(cm_str_t t)
{
    if (t.n < 11 || t.p[t.n - 9] != '_' || !digits(t.p + t.n - 8, 8))
        return false;
    for (size_t i = 0; i + 9 < t.n; i++)
        if (!((t.p[i] >= 'a' && t.p[i] <= 'z') || t.p[i] == '_'))
            return false;
    return true;
}

static int check_name(mp_an_ctx_t *c, uint32_t name, const char *path)
{
    cm_str_t s = cm_json_raw(&c->d, name);
    bool ok = s.n >= 1 && s.n <= MP_AN_MAX_TOOL_NAME;
    for (size_t i = 0; ok && i < s.n; i++) {
        char ch = s.p[i];
        ok = (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') || ch == '_' || ch == '-';
    }
    if (ok)
        return 0;
    return mp_an_fail(c, "%s.name: String should match pattern '^[a-zA-Z0-9_-]{1,%d}$'", path, MP_AN_MAX_TOOL_NAME);
}

/* One tool; *custom is set for a custom tool (the ones the fake model may call). */
static int check_tool(mp_an_ctx_t *c, uint32_t t, uint32_t i, bool *custom)
{
    char path[48];
    snprintf(path, sizeof(path), "tools.%u", i);
    if (mp_an_want(c, t, MP_AN_OBJ, path) != 0)
        return -1;
    uint32_t type = cm_json_get(&c->d, t, "type");
    *custom = type == 0 || cm_json_type(&c->d, type) == CM_JSON_NULL || mp_an_is(&c->d, type, "custom");
    if (!*custom) {
        if (cm_json_type(&c->d, type) == CM_JSON_STRING && server_type(cm_json_raw(&c->d, type)))
            return mp_an_member(c, t, "name", MP_AN_STR, path, NULL);
        char got[64];
        mp_an_key_name(c, type, got, sizeof(got));
        return mp_an_fail(c,
                          "%s: Input tag '%s' found using 'type' does not match any of the expected tags: 'custom', "
                          "'bash_20250124', 'code_execution_20250825', 'text_editor_20250728', 'web_fetch_20250910', "
                          "'web_search_20250305'",
                          path, cm_json_type(&c->d, type) == CM_JSON_STRING ? got : "");
    }
    snprintf(path, sizeof(path), "tools.%u.custom", i);
    uint32_t name, schema, stype, desc = cm_json_get(&c->d, t, "description");
    if (mp_an_member(c, t, "name", MP_AN_STR, path, &name) != 0 || check_name(c, name, path) != 0)
        return -1;
    char p[96];
    snprintf(p, sizeof(p), "%s.description", path);
    if (desc != 0 && cm_json_type(&c->d, desc) != CM_JSON_NULL && mp_an_want(c, desc, MP_AN_STR, p) != 0)
        return -1;
    if (mp_an_member(c, t, "input_schema", MP_AN_OBJ, path, &schema) != 0)
        return -1;
    static const char *const object[] = {"object", NULL};
    snprintf(p, sizeof(p), "%s.input_schema", path);
    if (mp_an_member(c, schema, "type", MP_AN_ANY, p, &stype) != 0)
        return -1;
    snprintf(p, sizeof(p), "%s.input_schema.type", path);
    return mp_an_literal(c, stype, object, p) < 0 ? -1 : 0;
}

static bool same_name(const cm_json_doc_t *d, uint32_t a, uint32_t b)
{
    cm_str_t x = cm_json_raw(d, cm_json_get(d, a, "name")), y = cm_json_raw(d, cm_json_get(d, b, "name"));
    return x.n == y.n && memcmp(x.p, y.p, x.n) == 0;
}

static bool is_custom(const cm_json_doc_t *d, uint32_t t)
{
    uint32_t type = cm_json_get(d, t, "type");
    return type == 0 || cm_json_type(d, type) == CM_JSON_NULL || mp_an_is(d, type, "custom");
}

/* Every tool, names unique among custom tools (at most MP_AN_MAX_TOOLS, so the pairwise check is bounded). */
static int check_tools(mp_an_ctx_t *c, uint32_t tools)
{
    uint32_t n = c->d.tok[tools].count, i = 0;
    if (n > MP_AN_MAX_TOOLS)
        return mp_an_fail(c, "tools: List should have at most %d items after validation, not %u", MP_AN_MAX_TOOLS, n);
    for (uint32_t t = cm_json_first(&c->d, tools); t != 0; t = cm_json_next(&c->d, t), i++) {
        bool custom;
        if (check_tool(c, t, i, &custom) != 0)
            return -1;
        for (uint32_t u = cm_json_first(&c->d, tools); custom && u != t; u = cm_json_next(&c->d, u))
            if (is_custom(&c->d, u) && same_name(&c->d, t, u))
                return mp_an_fail(c, "tools: Tool names must be unique.");
    }
    return 0;
}

/* tool_choice: {"type": auto | any | tool (with name) | none, "disable_parallel_tool_use": bool}. */
static int parse_choice(mp_an_ctx_t *c, uint32_t choice, choice_t *mode, uint32_t *name, bool *parallel)
{
    static const char *const tags[] = {"auto", "any", "tool", "none", NULL};
    *mode = CHOICE_AUTO;
    *name = 0;
    *parallel = true;
    if (choice == 0)
        return 0;
    int tag = mp_an_tag(c, choice, tags, "tool_choice");
    if (tag < 0)
        return -1;
    *mode = (choice_t)tag;
    char path[64];
    snprintf(path, sizeof(path), "tool_choice.%s", tags[tag]);
    if (*mode == CHOICE_TOOL && mp_an_member(c, choice, "name", MP_AN_STR, path, name) != 0)
        return -1;
    uint32_t dp = cm_json_get(&c->d, choice, "disable_parallel_tool_use");
    if (dp == 0 || cm_json_type(&c->d, dp) == CM_JSON_NULL)
        return 0;
    snprintf(path, sizeof(path), "tool_choice.%s.disable_parallel_tool_use", tags[tag]);
    if (mp_an_want(c, dp, MP_AN_BOOL, path) != 0)
        return -1;
    *parallel = cm_json_type(&c->d, dp) == CM_JSON_FALSE;
    return 0;
}

/* The custom tool named like the string token name, or 0. */
static uint32_t find_tool(const cm_json_doc_t *d, uint32_t tools, uint32_t name)
{
    cm_str_t want = cm_json_raw(d, name);
    for (uint32_t t = cm_json_first(d, tools); t != 0; t = cm_json_next(d, t)) {
        uint32_t n = cm_json_get(d, t, "name");
        cm_str_t have = n ? cm_json_raw(d, n) : (cm_str_t){"", 0};
        if (is_custom(d, t) && have.n == want.n && memcmp(have.p, want.p, want.n) == 0)
            return t;
    }
    return 0;
}

static uint32_t tool_index(const cm_json_doc_t *d, uint32_t tools, uint32_t tool)
{
    uint32_t i = 0;
    for (uint32_t t = cm_json_first(d, tools); t != 0 && t != tool; t = cm_json_next(d, t))
        i++;
    return i;
}

/* The input of call k, from the tool's input_schema, seeded by the conversation and the schema so that the
 * same request gets the same input streamed or not. */
static int prepare_call(mp_an_ctx_t *c, uint32_t tools, uint32_t tool, uint32_t messages, uint32_t k)
{
    uint32_t schema = cm_json_get(&c->d, tool, "input_schema"), name = cm_json_get(&c->d, tool, "name");
    cm_str_t said = cm_json_raw(&c->d, messages), s = cm_json_raw(&c->d, schema);
    uint64_t seed = cm_hash64(said.p, said.n, cm_hash64(s.p, s.n, 0xa7c0u)) ^ k;
    char why[160], tname[MP_AN_MAX_TOOL_NAME + 1];
    if (mp_tool_arguments(&c->d, schema, seed, c->a, &c->req->call_args[k], why, sizeof(why)) != 0) {
        mp_an_key_name(c, name, tname, sizeof(tname));
        return mp_an_fail(c, "tools.%u.custom.input_schema: Invalid schema for tool '%s': it %s.",
                          tool_index(&c->d, tools, tool), tname, why);
    }
    c->req->call_names[k] = cm_json_raw(&c->d, name);
    c->req->ncalls = k + 1;
    return 0;
}

/* Call 0 is the named tool or the first custom one; when parallel calls are allowed, the next custom tools
 * are prepared too (a deployment with tool_calls: {parallel: N} calls 1 to N of them). */
static int select_tools(mp_an_ctx_t *c, uint32_t tools, uint32_t first, uint32_t messages, bool forced, bool parallel)
{
    if (prepare_call(c, tools, first, messages, 0) != 0)
        return -1;
    for (uint32_t t = cm_json_next(&c->d, first); parallel && t != 0 && c->req->ncalls < MP_MAX_PARALLEL_CALLS;
         t = cm_json_next(&c->d, t))
        if (is_custom(&c->d, t) && prepare_call(c, tools, t, messages, c->req->ncalls) != 0)
            return -1;
    c->req->tools = true;
    c->req->tool_forced = forced;
    c->req->tool_name = c->req->call_names[0];
    c->req->tool_arguments = c->req->call_args[0];
    return 0;
}

int mp_an_tools(mp_an_ctx_t *c, uint32_t tools, uint32_t choice, uint32_t messages, uint32_t *tokens)
{
    choice_t mode;
    uint32_t name;
    bool parallel;
    if (tools != 0 && check_tools(c, tools) != 0)
        return -1;
    if (parse_choice(c, choice, &mode, &name, &parallel) != 0)
        return -1;
    if (tools == 0 || c->d.tok[tools].count == 0)
        return 0;
    uint64_t t = (uint64_t)*tokens + mp_estimate_tokens(c->d.tok[tools].len) +
                 (mode == CHOICE_ANY || mode == CHOICE_TOOL ? TOOL_PROMPT_FORCED : TOOL_PROMPT_AUTO);
    *tokens = t > UINT32_MAX ? UINT32_MAX : (uint32_t)t;
    uint32_t first = 0;
    for (uint32_t u = cm_json_first(&c->d, tools); u != 0 && first == 0; u = cm_json_next(&c->d, u))
        if (is_custom(&c->d, u))
            first = u;
    if (mode == CHOICE_TOOL && (first = find_tool(&c->d, tools, name)) == 0) {
        char tname[MP_AN_MAX_TOOL_NAME + 1];
        mp_an_key_name(c, name, tname, sizeof(tname));
        return mp_an_fail(c, "tool_choice.tool.name: Tool '%s' not found in the provided tools.", tname);
    }
    if (first == 0 || mode == CHOICE_NONE)
        return 0;
    return select_tools(c, tools, first, messages, mode == CHOICE_ANY || mode == CHOICE_TOOL,
                        parallel && mode != CHOICE_TOOL);
}
