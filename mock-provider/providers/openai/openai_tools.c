/* tools and tool_choice for chat (nested {"type":"function","function":{...}}) and the Responses API (flat
 * {"type":"function","name":...}): validation, the function the fake model calls, and its arguments. */
#include <stdio.h>
#include <string.h>

#include "mock-provider/providers/openai/openai.h"
#include "mock-provider/providers/schema/toolargs.h"

typedef enum choice_mode {
    CHOICE_AUTO,
    CHOICE_NONE,
    CHOICE_REQUIRED,
    CHOICE_NAMED,
} choice_mode_t;

/* Where a function tool's name and parameters live: the tool itself (Responses) or its "function". */
static uint32_t function_of(const cm_json_doc_t *d, uint32_t tool, bool nested)
{
    return nested ? cm_json_get(d, tool, "function") : tool;
}

/* strict: true puts the parameters under structured output's rules (openai_format.c). */
static int check_strict(mp_oa_ctx_t *c, uint32_t fn, uint32_t name, uint32_t params, const char *param)
{
    uint32_t strict = cm_json_get(&c->d, fn, "strict");
    char why[256], fname[72], p[128];
    mp_oa_path(p, sizeof(p), "%.*s.strict", (int)(strlen(param) - strlen(".parameters")), param);
    if (strict == 0 || cm_json_type(&c->d, strict) == CM_JSON_NULL)
        return 0;
    if (mp_oa_want(c, strict, MP_OA_BOOL, p) != 0)
        return -1;
    if (cm_json_type(&c->d, strict) != CM_JSON_TRUE || params == 0 || cm_json_type(&c->d, params) == CM_JSON_NULL ||
        mp_oa_strict_schema(&c->d, params, why, sizeof(why)) == 0)
        return 0;
    cm_json_unescape(&c->d, name, fname, sizeof(fname));
    return mp_oa_invalid(c, param, "invalid_function_parameters", "Invalid schema for function '%s': %s", fname, why);
}

static int check_function(mp_oa_ctx_t *c, uint32_t fn, const char *path)
{
    char p[128];
    mp_oa_path(p, sizeof(p), "%s.name", path);
    uint32_t name = cm_json_get(&c->d, fn, "name");
    if (name == 0)
        return mp_oa_missing(c, p);
    if (mp_oa_want(c, name, MP_OA_STRING, p) != 0 || mp_oa_check_name(c, name, p) != 0)
        return -1;
    uint32_t params = cm_json_get(&c->d, fn, "parameters");
    mp_oa_path(p, sizeof(p), "%s.parameters", path);
    if (params != 0 && cm_json_type(&c->d, params) != CM_JSON_NULL && mp_oa_want(c, params, MP_OA_OBJECT, p) != 0)
        return -1;
    return check_strict(c, fn, name, params, p);
}

/* Chat accepts only function and custom tools; the Responses API also has built-in tools (web_search,
 * file_search, ...) which are accepted as they are since the fake model never calls them. */
static int check_tool(mp_oa_ctx_t *c, uint32_t tool, uint32_t i, bool nested, bool *is_function)
{
    static const char *const chat_types[] = {"function", "custom", NULL};
    char path[64], p[128];
    mp_oa_path(path, sizeof(path), "tools[%u]", i);
    if (mp_oa_want(c, tool, MP_OA_OBJECT, path) != 0)
        return -1;
    mp_oa_path(p, sizeof(p), "%s.type", path);
    uint32_t type = cm_json_get(&c->d, tool, "type");
    if (type == 0)
        return mp_oa_missing(c, p);
    if (mp_oa_want(c, type, MP_OA_STRING, p) != 0 || (nested && mp_oa_enum(c, type, chat_types, p) < 0))
        return -1;
    *is_function = mp_oa_is(&c->d, type, "function");
    if (!*is_function)
        return 0;
    if (!nested)
        return check_function(c, tool, path);
    mp_oa_path(p, sizeof(p), "%s.function", path);
    uint32_t fn = cm_json_get(&c->d, tool, "function");
    if (fn == 0)
        return mp_oa_missing(c, p);
    return mp_oa_want(c, fn, MP_OA_OBJECT, p) != 0 ? -1 : check_function(c, fn, p);
}

/* Validates every tool; *first gets the first function tool (0 if none). */
static int check_tools(mp_oa_ctx_t *c, uint32_t tools, bool nested, uint32_t *first)
{
    *first = 0;
    if (c->d.tok[tools].count == 0)
        return nested ? mp_oa_empty_array(c, "tools") : 0;
    uint32_t i = 0;
    for (uint32_t t = cm_json_first(&c->d, tools); t != 0; t = cm_json_next(&c->d, t), i++) {
        bool is_function = false;
        if (check_tool(c, t, i, nested, &is_function) != 0)
            return -1;
        if (is_function && *first == 0)
            *first = t;
    }
    return 0;
}

/* tool_choice: "none" | "auto" | "required" | {"type":"function", "function":{"name"}} (chat) or
 * {"type":"function","name"} (Responses). Other object forms (allowed_tools, built-in tools) act as auto. */
static int parse_choice(mp_oa_ctx_t *c, uint32_t choice, bool nested, choice_mode_t *mode, uint32_t *name)
{
    static const char *const modes[] = {"none", "auto", "required", NULL};
    static const choice_mode_t mode_of[] = {CHOICE_NONE, CHOICE_AUTO, CHOICE_REQUIRED};
    *mode = CHOICE_AUTO;
    *name = 0;
    if (choice == 0)
        return 0;
    if (cm_json_type(&c->d, choice) == CM_JSON_STRING) {
        int m = mp_oa_enum(c, choice, modes, "tool_choice");
        if (m < 0)
            return -1;
        *mode = mode_of[m];
        return 0;
    }
    if (cm_json_type(&c->d, choice) != CM_JSON_OBJECT)
        return mp_oa_bad_type(c, "tool_choice", "one of a string or object", choice);
    uint32_t type = cm_json_get(&c->d, choice, "type");
    if (type == 0)
        return mp_oa_missing(c, "tool_choice.type");
    if (mp_oa_want(c, type, MP_OA_STRING, "tool_choice.type") != 0 || !mp_oa_is(&c->d, type, "function"))
        return 0;
    const char *param = nested ? "tool_choice.function.name" : "tool_choice.name";
    uint32_t fn = function_of(&c->d, choice, nested);
    if (fn == 0)
        return mp_oa_missing(c, "tool_choice.function");
    if (cm_json_type(&c->d, fn) != CM_JSON_OBJECT)
        return mp_oa_bad_type(c, "tool_choice.function", "an object", fn);
    if ((*name = cm_json_get(&c->d, fn, "name")) == 0)
        return mp_oa_missing(c, param);
    *mode = CHOICE_NAMED;
    return mp_oa_want(c, *name, MP_OA_STRING, param);
}

/* The function tool whose name equals the string token name, or 0. */
static uint32_t find_tool(const cm_json_doc_t *d, uint32_t tools, uint32_t name, bool nested)
{
    cm_str_t want = cm_json_raw(d, name);
    for (uint32_t t = cm_json_first(d, tools); t != 0; t = cm_json_next(d, t)) {
        uint32_t type = cm_json_get(d, t, "type");
        uint32_t fn = function_of(d, t, nested);
        uint32_t n = fn ? cm_json_get(d, fn, "name") : 0;
        if (type == 0 || !mp_oa_is(d, type, "function") || n == 0)
            continue;
        cm_str_t have = cm_json_raw(d, n);
        if (have.n == want.n && memcmp(have.p, want.p, want.n) == 0)
            return t;
    }
    return 0;
}

/* Position of tool in the tools array, for the param of an error. */
static uint32_t tool_index(const cm_json_doc_t *d, uint32_t tools, uint32_t tool)
{
    uint32_t i = 0;
    for (uint32_t t = cm_json_first(d, tools); t != 0 && t != tool; t = cm_json_next(d, t))
        i++;
    return i;
}

/* Arguments of call k for tool. The wording of a refusal follows OpenAI's own schema errors ("Invalid
 * schema for function 'f': ..."). */
static int prepare_call(mp_oa_ctx_t *c, uint32_t tools, uint32_t tool, bool nested, uint32_t k)
{
    uint32_t fn = function_of(&c->d, tool, nested);
    uint32_t params = cm_json_get(&c->d, fn, "parameters");
    uint32_t name = cm_json_get(&c->d, fn, "name");
    char why[160], fname[72], param[64];
    uint64_t seed = mp_oa_content_seed(c, params) ^ k;
    if (mp_tool_arguments(&c->d, params, seed, c->a, &c->req->call_args[k], why, sizeof(why)) != 0) {
        cm_json_unescape(&c->d, name, fname, sizeof(fname));
        mp_trim_utf8(fname);
        mp_oa_path(param, sizeof(param), nested ? "tools[%u].function.parameters" : "tools[%u].parameters",
                   tool_index(&c->d, tools, tool));
        return mp_oa_invalid(c, param, "invalid_function_parameters", "Invalid schema for function '%s': it %s.", fname,
                             why);
    }
    c->req->call_names[k] = cm_json_raw(&c->d, name);
    c->req->ncalls = k + 1;
    return 0;
}

/* Call 0 is the first function tool (or the named one); with parallel calls allowed (tool_choice auto or
 * required, parallel_tool_calls not false; chat and Responses alike) the next function tools, in order, are
 * prepared too, so that a deployment with tool_calls: {parallel: N} can call several. Only the schemas of
 * tools that may be called are read, so only those can be refused. */
static int select_tool(mp_oa_ctx_t *c, uint32_t tools, uint32_t tool, bool nested, bool forced, bool parallel)
{
    if (prepare_call(c, tools, tool, nested, 0) != 0)
        return -1;
    for (uint32_t t = cm_json_next(&c->d, tool); parallel && t != 0 && c->req->ncalls < MP_MAX_PARALLEL_CALLS;
         t = cm_json_next(&c->d, t)) {
        uint32_t type = cm_json_get(&c->d, t, "type");
        if (type != 0 && mp_oa_is(&c->d, type, "function") && prepare_call(c, tools, t, nested, c->req->ncalls) != 0)
            return -1;
    }
    c->req->tools = true;
    c->req->tool_forced = forced;
    c->req->tool_name = c->req->call_names[0];
    c->req->tool_arguments = c->req->call_args[0];
    return 0;
}

int mp_oa_tools(mp_oa_ctx_t *c, uint32_t tools, uint32_t choice, bool nested)
{
    uint32_t first = 0, name = 0;
    choice_mode_t mode;
    if (tools != 0 && check_tools(c, tools, nested, &first) != 0)
        return -1;
    if (parse_choice(c, choice, nested, &mode, &name) != 0)
        return -1;
    if (choice != 0 && tools == 0)
        return mp_oa_invalid(c, "tool_choice", NULL,
                             "Invalid value for 'tool_choice': 'tool_choice' is only allowed when 'tools' are "
                             "specified.");
    if (tools != 0)
        c->oa->tools_json = mp_oa_json_text(&c->d, tools);
    if (choice != 0)
        c->oa->tool_choice_json = mp_oa_json_text(&c->d, choice);
    uint32_t tool = first;
    if (mode == CHOICE_NAMED && (tool = find_tool(&c->d, tools, name, nested)) == 0) {
        char fn[72];
        cm_json_unescape(&c->d, name, fn, sizeof(fn));
        mp_trim_utf8(fn);
        return mp_oa_invalid(c, "tool_choice", "invalid_value",
                             "Invalid value for 'tool_choice': no function named '%s' was specified in the 'tools' "
                             "parameter.",
                             fn);
    }
    bool parallel = mode != CHOICE_NAMED && c->oa->parallel_tool_calls;
    if (tool != 0 && mode != CHOICE_NONE)
        return select_tool(c, tools, tool, nested, mode == CHOICE_REQUIRED || mode == CHOICE_NAMED, parallel);
    return 0;
}
