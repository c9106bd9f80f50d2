/* contents, systemInstruction, tools and toolConfig of a generateContent (or countTokens) request: the checks
 * Google makes on them, and what the fake model takes from them: the text it may echo, the prompt's size,
 * whether the conversation ends with a function's result, and the function call(s) it may make. */
#include <string.h>

#include "common/dist.h"

#include "mock-provider/providers/gemini/gemini.h"
#include "mock-provider/providers/schema/schema_gen.h"

#define F(json, proto, type, slot, name)                                                                               \
    {                                                                                                                  \
        (json), (proto), (type), (slot), (name)                                                                        \
    }
#define NFIELDS(t) (sizeof(t) / sizeof((t)[0]))

enum { C_ROLE, C_PARTS, C__N };
static const mp_gm_field_t content_fields[] = {
    F("role", "role", MP_GM_STRING, C_ROLE, NULL),
    F("parts", "parts", MP_GM_LIST, C_PARTS, "Part"),
};

/* The members of a Part; the first ones are the oneof "data", of which exactly one must be set. */
enum { P_TEXT, P_INLINE, P_FILE, P_CALL, P_RESPONSE, P_CODE, P_RESULT, P_DATA_END, P__N = P_DATA_END };
static const mp_gm_field_t part_fields[] = {
    F("text", "text", MP_GM_STRING, P_TEXT, NULL),
    F("inlineData", "inline_data", MP_GM_OBJECT, P_INLINE, "Blob"),
    F("fileData", "file_data", MP_GM_OBJECT, P_FILE, "FileData"),
    F("functionCall", "function_call", MP_GM_OBJECT, P_CALL, "FunctionCall"),
    F("functionResponse", "function_response", MP_GM_OBJECT, P_RESPONSE, "FunctionResponse"),
    F("executableCode", "executable_code", MP_GM_MAP, P_CODE, "ExecutableCode"),
    F("codeExecutionResult", "code_execution_result", MP_GM_MAP, P_RESULT, "CodeExecutionResult"),
    F("thought", "thought", MP_GM_BOOL, -1, NULL),
    F("thoughtSignature", "thought_signature", MP_GM_STRING, -1, NULL),
    F("videoMetadata", "video_metadata", MP_GM_MAP, -1, "VideoMetadata"),
    F("partMetadata", "part_metadata", MP_GM_MAP, -1, NULL),
    F("mediaResolution", "media_resolution", MP_GM_MAP, -1, "MediaResolution"),
};

/* What the parts of the conversation add up to. */
typedef struct said {
    uint64_t bytes;     /* of text, function calls and results: the prompt's size */
    cm_str_t last_text; /* the last text part of a user turn */
    uint64_t hash;      /* of the text parts, in order */
    bool ends_with_result;
} said_t;

static int part(mp_gm_ctx_t *c, uint32_t p, const char *path, bool user, said_t *s)
{
    uint32_t v[P__N];
    if (cm_json_type(&c->d, p) != CM_JSON_OBJECT)
        return mp_gm_bad_value(c, path, "Part", p);
    if (mp_gm_scan(c, p, path, part_fields, NFIELDS(part_fields), v) != 0)
        return -1;
    int set = 0;
    for (int i = 0; i < P_DATA_END; i++)
        set += v[i] != 0;
    if (set != 1) {
        char field[128];
        mp_gm_path(field, sizeof(field), "%s.data", path);
        return mp_gm_invalid(c, field,
                             set == 0 ? "* GenerateContentRequest.%s: required oneof field 'data' must have one "
                                        "initialized field\n"
                                      : "* GenerateContentRequest.%s: oneof field 'data' is already set. Only one of "
                                        "text, inline_data, file_data, function_call or function_response may be set\n",
                             field);
    }
    for (int i = P_TEXT; i < P_DATA_END; i++)
        if (v[i] != 0)
            s->bytes += c->d.tok[v[i]].len;
    if (v[P_TEXT] != 0) {
        cm_str_t text = cm_json_raw(&c->d, v[P_TEXT]);
        s->hash = cm_hash64(text.p, text.n, s->hash);
        if (user)
            s->last_text = text;
    }
    s->ends_with_result = s->ends_with_result || v[P_RESPONSE] != 0;
    return 0;
}

/* One Content: role user, model (function: the legacy role of results), and parts, at least one. */
static int content(mp_gm_ctx_t *c, uint32_t t, const char *path, bool system, said_t *s)
{
    uint32_t v[C__N];
    if (cm_json_type(&c->d, t) != CM_JSON_OBJECT)
        return mp_gm_bad_value(c, path, "Content", t);
    if (mp_gm_scan(c, t, path, content_fields, NFIELDS(content_fields), v) != 0)
        return -1;
    uint32_t role = v[C_ROLE];
    bool user = role == 0 || cm_json_str_eq(&c->d, role, "user") || cm_json_str_eq(&c->d, role, "");
    if (!system && !user && !cm_json_str_eq(&c->d, role, "model") && !cm_json_str_eq(&c->d, role, "function"))
        return mp_gm_invalid(c, path, "Please use a valid role: user, model.");
    if (v[C_PARTS] == 0 || c->d.tok[v[C_PARTS]].count == 0) {
        char field[96];
        mp_gm_path(field, sizeof(field), "%s.parts", path);
        return mp_gm_invalid(c, field, "* GenerateContentRequest.%s: contents.parts must not be empty.\n", field);
    }
    s->ends_with_result = false;
    uint32_t i = 0;
    for (uint32_t p = cm_json_first(&c->d, v[C_PARTS]); p != 0; p = cm_json_next(&c->d, p), i++) {
        char ppath[112];
        mp_gm_path(ppath, sizeof(ppath), "%s.parts[%u]", path, i);
        if (part(c, p, ppath, user && !system, s) != 0)
            return -1;
    }
    return 0;
}

int mp_gm_contents(mp_gm_ctx_t *c, uint32_t contents, uint32_t system)
{
    said_t s = {0};
    if (system != 0 && content(c, system, "system_instruction", true, &s) != 0)
        return -1;
    if (contents == 0 || c->d.tok[contents].count == 0)
        return mp_gm_invalid(c, "contents", "* GenerateContentRequest.contents: contents is not specified\n");
    uint32_t i = 0;
    for (uint32_t t = cm_json_first(&c->d, contents); t != 0; t = cm_json_next(&c->d, t), i++) {
        char path[48];
        mp_gm_path(path, sizeof(path), "contents[%u]", i);
        if (content(c, t, path, false, &s) != 0)
            return -1;
    }
    c->req->echo = s.last_text;
    c->req->prompt_tokens = mp_estimate_tokens(s.bytes);
    mp_gm_own(c)->prompt_bytes = s.bytes;
    c->req->after_tool_result = s.ends_with_result;
    return 0;
}

int mp_gm_content_text(mp_gm_ctx_t *c, uint32_t content_tok, const char *path, uint64_t *hash, uint32_t *bytes)
{
    said_t s = {0};
    if (content(c, content_tok, path, false, &s) != 0)
        return -1;
    *hash = s.hash;
    *bytes = s.bytes > UINT32_MAX ? UINT32_MAX : (uint32_t)s.bytes;
    return 0;
}

/* ---- tools ------------------------------------------------------------------------------------------------ */

enum { T_DECLS, T__N };
static const mp_gm_field_t tool_fields[] = {
    F("functionDeclarations", "function_declarations", MP_GM_LIST, T_DECLS, "FunctionDeclaration"),
    F("googleSearch", "google_search", MP_GM_MAP, -1, "GoogleSearch"),
    F("googleSearchRetrieval", "google_search_retrieval", MP_GM_MAP, -1, "GoogleSearchRetrieval"),
    F("codeExecution", "code_execution", MP_GM_MAP, -1, "CodeExecution"),
    F("retrieval", "retrieval", MP_GM_MAP, -1, "Retrieval"),
    F("urlContext", "url_context", MP_GM_MAP, -1, "UrlContext"),
    F("computerUse", "computer_use", MP_GM_MAP, -1, "ComputerUse"),
    F("enterpriseWebSearch", "enterprise_web_search", MP_GM_MAP, -1, "EnterpriseWebSearch"),
    F("googleMaps", "google_maps", MP_GM_MAP, -1, "GoogleMaps"),
    F("fileSearch", "file_search", MP_GM_MAP, -1, "FileSearch"),
};

enum { D_NAME, D_PARAMS, D_JSON_PARAMS, D__N };
static const mp_gm_field_t decl_fields[] = {
    F("name", "name", MP_GM_STRING, D_NAME, NULL),
    F("description", "description", MP_GM_STRING, -1, NULL),
    F("parameters", "parameters", MP_GM_OBJECT, D_PARAMS, "Schema"),
    F("parametersJsonSchema", "parameters_json_schema", MP_GM_ANY, D_JSON_PARAMS, NULL),
    F("response", "response", MP_GM_OBJECT, -1, "Schema"),
    F("responseJsonSchema", "response_json_schema", MP_GM_ANY, -1, NULL),
    F("behavior", "behavior", MP_GM_STRING, -1, NULL),
};

enum { TC_FUNCTIONS, TC__N };
static const mp_gm_field_t tool_config_fields[] = {
    F("functionCallingConfig", "function_calling_config", MP_GM_OBJECT, TC_FUNCTIONS, "FunctionCallingConfig"),
    F("retrievalConfig", "retrieval_config", MP_GM_MAP, -1, "RetrievalConfig"),
    F("includeServerSideToolInvocations", "include_server_side_tool_invocations", MP_GM_BOOL, -1, NULL),
};

enum { FC_MODE, FC_ALLOWED, FC__N };
static const mp_gm_field_t calling_fields[] = {
    F("mode", "mode", MP_GM_STRING, FC_MODE, NULL),
    F("allowedFunctionNames", "allowed_function_names", MP_GM_LIST, FC_ALLOWED, "TYPE_STRING"),
    F("streamFunctionCallArguments", "stream_function_call_arguments", MP_GM_BOOL, -1, NULL),
};

/* A function name: a letter or '_' first, then letters, digits, '_', '.', ':' or '-', 64 at most. */
static bool name_ok(const cm_json_doc_t *d, uint32_t name)
{
    cm_str_t s = cm_json_raw(d, name);
    if (s.n == 0 || s.n > 64 || d->tok[name].escaped)
        return false;
    for (size_t i = 0; i < s.n; i++) {
        char ch = s.p[i];
        bool letter = (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || ch == '_';
        if (!letter && (i == 0 || !((ch >= '0' && ch <= '9') || ch == '.' || ch == ':' || ch == '-')))
            return false;
    }
    return true;
}

/* A checked declaration: where its name and schema are, and where it sits (for messages). */
typedef struct decl {
    uint32_t name, schema;
    uint16_t tool, index;
    bool json_schema;
} decl_t;

static int declaration(mp_gm_ctx_t *c, uint32_t t, const char *path, decl_t *out)
{
    uint32_t v[D__N];
    if (cm_json_type(&c->d, t) != CM_JSON_OBJECT)
        return mp_gm_bad_value(c, path, "FunctionDeclaration", t);
    if (mp_gm_scan(c, t, path, decl_fields, NFIELDS(decl_fields), v) != 0)
        return -1;
    if (v[D_NAME] == 0 || !name_ok(&c->d, v[D_NAME]))
        return mp_gm_invalid(c, path,
                             "* GenerateContentRequest.%s.name: Invalid function name. Must start with a letter or an "
                             "underscore. Must be a-z, A-Z, 0-9, or contain underscores, dots, colons, or dashes, with "
                             "a maximum length of 64.\n",
                             path);
    if (v[D_PARAMS] != 0 && v[D_JSON_PARAMS] != 0)
        return mp_gm_invalid(
            c, path, "* GenerateContentRequest.%s: parameters and parameters_json_schema cannot both be set.\n", path);
    out->name = v[D_NAME];
    out->schema = v[D_PARAMS] ? v[D_PARAMS] : v[D_JSON_PARAMS];
    out->json_schema = v[D_PARAMS] == 0;
    return 0;
}

static int declarations(mp_gm_ctx_t *c, uint32_t tools, decl_t *decls, uint32_t *n)
{
    uint32_t i = 0;
    *n = 0;
    for (uint32_t t = cm_json_first(&c->d, tools); t != 0; t = cm_json_next(&c->d, t), i++) {
        char path[48];
        uint32_t v[T__N];
        mp_gm_path(path, sizeof(path), "tools[%u]", i);
        if (cm_json_type(&c->d, t) != CM_JSON_OBJECT)
            return mp_gm_bad_value(c, path, "Tool", t);
        if (mp_gm_scan(c, t, path, tool_fields, NFIELDS(tool_fields), v) != 0)
            return -1;
        uint32_t j = 0;
        for (uint32_t f = v[T_DECLS] ? cm_json_first(&c->d, v[T_DECLS]) : 0; f != 0; f = cm_json_next(&c->d, f), j++) {
            if (*n == MP_GM_MAX_FUNCTIONS)
                return mp_gm_invalid(c, "tools",
                                     "* GenerateContentRequest.tools: at most %d function declarations are "
                                     "supported.\n",
                                     MP_GM_MAX_FUNCTIONS);
            char dpath[80];
            mp_gm_path(dpath, sizeof(dpath), "tools[%u].function_declarations[%u]", i, j);
            if (declaration(c, f, dpath, &decls[*n]) != 0)
                return -1;
            decls[*n].tool = (uint16_t)i;
            decls[*n].index = (uint16_t)j;
            (*n)++;
        }
    }
    return 0;
}

typedef enum mode { MODE_AUTO, MODE_ANY, MODE_NONE, MODE_VALIDATED } call_mode_t;

/* toolConfig.functionCallingConfig: its mode and, in ANY (or VALIDATED) mode, the names it allows. */
static int calling_config(mp_gm_ctx_t *c, uint32_t tc, call_mode_t *mode, uint32_t *allowed)
{
    static const char *const modes[] = {"MODE_UNSPECIFIED", "AUTO", "ANY", "NONE", "VALIDATED"};
    static const call_mode_t values[] = {MODE_AUTO, MODE_AUTO, MODE_ANY, MODE_NONE, MODE_VALIDATED};
    uint32_t v[TC__N], f[FC__N];
    *mode = MODE_AUTO;
    *allowed = 0;
    if (tc == 0)
        return 0;
    if (mp_gm_scan(c, tc, "tool_config", tool_config_fields, NFIELDS(tool_config_fields), v) != 0)
        return -1;
    if (v[TC_FUNCTIONS] == 0)
        return 0;
    const char *where = "tool_config.function_calling_config";
    if (mp_gm_scan(c, v[TC_FUNCTIONS], where, calling_fields, NFIELDS(calling_fields), f) != 0)
        return -1;
    bool known = f[FC_MODE] == 0;
    for (size_t i = 0; i < NFIELDS(modes) && !known; i++)
        if (cm_json_str_eq(&c->d, f[FC_MODE], modes[i])) {
            *mode = values[i];
            known = true;
        }
    if (!known)
        return mp_gm_bad_value(c, "tool_config.function_calling_config.mode", "FunctionCallingConfig.Mode", f[FC_MODE]);
    *allowed = f[FC_ALLOWED];
    if (*allowed != 0 && *mode != MODE_ANY && *mode != MODE_VALIDATED)
        return mp_gm_invalid(c, "tool_config.function_calling_config.allowed_function_names",
                             "* GenerateContentRequest.tool_config.function_calling_config.allowed_function_names: "
                             "allowed_function_names may only be set when the mode is ANY or VALIDATED.\n");
    for (uint32_t e = *allowed ? cm_json_first(&c->d, *allowed) : 0; e != 0; e = cm_json_next(&c->d, e))
        if (cm_json_type(&c->d, e) != CM_JSON_STRING)
            return mp_gm_bad_value(c, "tool_config.function_calling_config.allowed_function_names", "TYPE_STRING", e);
    return 0;
}

static bool same_raw(const cm_json_doc_t *d, uint32_t a, uint32_t b)
{
    cm_str_t x = cm_json_raw(d, a), y = cm_json_raw(d, b);
    return x.n == y.n && memcmp(x.p, y.p, x.n) == 0;
}

/* Whether the list allows the name (no list: every name). */
static bool allowed_name(const cm_json_doc_t *d, uint32_t allowed, uint32_t name)
{
    for (uint32_t e = allowed ? cm_json_first(d, allowed) : 0; e != 0; e = cm_json_next(d, e))
        if (same_raw(d, e, name))
            return true;
    return allowed == 0;
}

/* Arguments for call k, from the declaration's schema (none: {}). */
static int prepare_call(mp_gm_ctx_t *c, const decl_t *dl, uint32_t k)
{
    char why[160], path[96];
    mp_request_t *r = c->req;
    mp_gm_path(path, sizeof(path), "tools[%u].function_declarations[%u].parameters", dl->tool, dl->index);
    if (dl->schema == 0) {
        r->call_args[k] = "{}";
    } else if (mp_gm_generate(c, dl->schema, dl->json_schema, c->convo_hash ^ (0xca11u + k), MP_SCHEMA_ROOT_OBJECT,
                              &r->call_args[k], why, sizeof(why)) != 0) {
        return mp_gm_invalid(c, path, "* GenerateContentRequest.%s: the schema %s.\n", path, why);
    }
    r->call_names[k] = cm_json_raw(&c->d, dl->name);
    r->ncalls = k + 1;
    return 0;
}

/* The fake model may call the first functions it is allowed to (up to MP_MAX_PARALLEL_CALLS, as Gemini makes
 * parallel calls); ANY forces a call, NONE forbids them. Only the schemas of functions that may be called are
 * read, so only those can be refused. */
int mp_gm_tools(mp_gm_ctx_t *c, uint32_t tools, uint32_t tool_config)
{
    decl_t *decls = tools != 0 ? cm_alloc(c->a, MP_GM_MAX_FUNCTIONS * sizeof(decl_t)) : NULL;
    uint32_t n = 0, allowed;
    call_mode_t mode;
    if (tools != 0 && declarations(c, tools, decls, &n) != 0)
        return -1;
    if (calling_config(c, tool_config, &mode, &allowed) != 0)
        return -1;
    if ((mode == MODE_ANY || mode == MODE_VALIDATED) && n == 0)
        return mp_gm_invalid(c, "tool_config.function_calling_config.mode",
                             "* GenerateContentRequest.tool_config.function_calling_config.mode: function calling "
                             "config is set without function_declarations.\n");
    for (uint32_t e = allowed ? cm_json_first(&c->d, allowed) : 0; e != 0; e = cm_json_next(&c->d, e)) {
        bool declared = false;
        for (uint32_t i = 0; i < n && !declared; i++)
            declared = same_raw(&c->d, e, decls[i].name);
        if (!declared)
            return mp_gm_invalid(c, "tool_config.function_calling_config.allowed_function_names",
                                 "* GenerateContentRequest.tool_config.function_calling_config.allowed_function_names: "
                                 "a name is not among the function declarations.\n");
    }
    if (n == 0 || mode == MODE_NONE)
        return 0;
    for (uint32_t i = 0; i < n && c->req->ncalls < MP_MAX_PARALLEL_CALLS; i++)
        if (allowed_name(&c->d, allowed, decls[i].name) && prepare_call(c, &decls[i], c->req->ncalls) != 0)
            return -1;
    mp_request_t *r = c->req;
    r->tools = r->ncalls > 0;
    r->tool_forced = mode == MODE_ANY;
    r->tool_name = r->call_names[0];
    r->tool_arguments = r->call_args[0];
    return 0;
}
