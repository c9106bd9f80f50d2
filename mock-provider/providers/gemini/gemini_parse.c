/* Request parsing for Google's apis: the members of each message checked against a table (both the JSON
 * and the proto names are accepted, as Google's JSON parser does; an unknown one is Google's "Cannot find
 * field"), then generateContent's generationConfig and structured output, and countTokens. contents and tools
 * are in gemini_contents.c, embeddings in gemini_embed.c. */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "common/dist.h"
#include "mock-provider/providers/gemini/gemini.h"
#include "mock-provider/providers/schema/schema_gen.h"
#include "mock-provider/providers/stop.h"

/* ---- helpers ---------------------------------------------------------------------------------------------- */

mp_gm_own_t *mp_gm_own(mp_gm_ctx_t *c)
{
    if (c->req->own == NULL) {
        mp_gm_own_t *o = cm_alloc(c->a, sizeof(*o));
        memset(o, 0, sizeof(*o));
        c->req->own = o;
    }
    return (mp_gm_own_t *)c->req->own;
}

void mp_gm_path(char *out, size_t cap, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(out, cap, fmt, ap);
    va_end(ap);
}

int mp_gm_invalid(mp_gm_ctx_t *c, const char *field, const char *fmt, ...)
{
    mp_error_set(c->err, MP_ERR_BAD_REQUEST, field, "%s", "");
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(c->err->message, sizeof(c->err->message), fmt, ap);
    va_end(ap);
    snprintf(c->err->code, sizeof(c->err->code), "%s", MP_GM_D_FIELD);
    return -1;
}

/* Request bytes shown in a message: printable ASCII only (the body must stay valid UTF-8), at most 60. */
static void shown(const char *s, size_t n, char *out, size_t cap)
{
    size_t o = 0;
    for (size_t i = 0; i < n && o + 4 < cap && i < 60; i++)
        out[o++] = s[i] >= 0x20 && s[i] < 0x7f ? s[i] : '?';
    if (n > 60 && o + 4 < cap) {
        memcpy(out + o, "...", 3);
        o += 3;
    }
    out[o] = '\0';
}

int mp_gm_bad_value(mp_gm_ctx_t *c, const char *path, const char *type_name, uint32_t value)
{
    const cm_json_tok_t *t = &c->d.tok[value];
    bool str = t->type == CM_JSON_STRING;
    char v[72];
    shown(c->d.src + t->start, t->len, v, sizeof(v));
    if (type_name[0] >= 'A' && type_name[0] <= 'Z' && strncmp(type_name, "TYPE_", 5) != 0)
        return mp_gm_invalid(c, path, "Invalid value at '%s' (type.googleapis.com/%s.%s), %s%s%s", path,
                             c->fl->proto_package, type_name, str ? "\"" : "", v, str ? "\"" : "");
    return mp_gm_invalid(c, path, "Invalid value at '%s' (%s), %s%s%s", path, type_name, str ? "\"" : "", v,
                         str ? "\"" : "");
}

static bool key_is(const cm_json_doc_t *d, uint32_t k, const char *name)
{
    const cm_json_tok_t *t = &d->tok[k];
    size_t n = strlen(name);
    if (!t->escaped)
        return t->len == n && memcmp(d->src + t->start, name, n) == 0;
    return cm_json_str_eq(d, k, name);
}

static const char *scalar_type(uint8_t type)
{
    switch (type) {
    case MP_GM_STRING:
        return "TYPE_STRING";
    case MP_GM_INT:
        return "TYPE_INT32";
    case MP_GM_FLOAT:
        return "TYPE_FLOAT";
    default:
        return "TYPE_BOOL";
    }
}

static int check_type(mp_gm_ctx_t *c, const mp_gm_field_t *f, uint32_t v, const char *path)
{
    cm_json_type_t t = cm_json_type(&c->d, v);
    int64_t i;
    bool ok;
    switch (f->type) {
    case MP_GM_STRING:
        ok = t == CM_JSON_STRING;
        break;
    case MP_GM_INT:
        ok = t == CM_JSON_NUMBER && cm_json_int(&c->d, v, &i) == 0 && i >= INT32_MIN && i <= INT32_MAX;
        break;
    case MP_GM_FLOAT:
        ok = t == CM_JSON_NUMBER;
        break;
    case MP_GM_BOOL:
        ok = t == CM_JSON_TRUE || t == CM_JSON_FALSE;
        break;
    case MP_GM_OBJECT:
    case MP_GM_MAP:
        ok = t == CM_JSON_OBJECT;
        break;
    case MP_GM_LIST:
        ok = t == CM_JSON_ARRAY;
        break;
    default:
        return 0;
    }
    if (ok)
        return 0;
    if (t == CM_JSON_ARRAY)
        return mp_gm_invalid(c, path,
                             "Invalid JSON payload received. Proto field is not repeating, cannot start list.");
    if (f->type == MP_GM_OBJECT || f->type == MP_GM_LIST || f->type == MP_GM_MAP)
        return mp_gm_bad_value(c, path, f->type_name ? f->type_name : "Struct", v);
    return mp_gm_bad_value(c, path, scalar_type(f->type), v);
}

int mp_gm_scan(mp_gm_ctx_t *c, uint32_t obj, const char *where, const mp_gm_field_t *fields, size_t nfields,
               uint32_t *slots)
{
    const cm_json_doc_t *d = &c->d;
    for (size_t i = 0; i < nfields; i++)
        if (fields[i].slot >= 0)
            slots[fields[i].slot] = 0;
    for (uint32_t k = cm_json_first(d, obj); k != 0; k = cm_json_next(d, k + 1)) {
        const mp_gm_field_t *f = NULL;
        for (size_t i = 0; i < nfields && f == NULL; i++)
            if (key_is(d, k, fields[i].json) || key_is(d, k, fields[i].proto))
                f = &fields[i];
        if (f == NULL) {
            char name[96], v[72];
            size_t n = cm_json_unescape(d, k, name, sizeof(name));
            shown(name, n < sizeof(name) ? n : sizeof(name) - 1, v, sizeof(v));
            if (where[0] == '\0')
                return mp_gm_invalid(c, "", "Invalid JSON payload received. Unknown name \"%s\": Cannot find field.",
                                     v);
            return mp_gm_invalid(
                c, where, "Invalid JSON payload received. Unknown name \"%s\" at '%s': Cannot find field.", v, where);
        }
        if (cm_json_type(d, k + 1) == CM_JSON_NULL)
            continue; /* null is the default, as in proto3 JSON */
        char path[128];
        mp_gm_path(path, sizeof(path), "%s%s%s", where, where[0] ? "." : "", f->proto);
        if (check_type(c, f, k + 1, path) != 0)
            return -1;
        if (f->slot >= 0)
            slots[f->slot] = k + 1;
    }
    return 0;
}

/* ---- generationConfig ------------------------------------------------------------------------------------- */

enum {
    G_TEMPERATURE,
    G_TOP_P,
    G_TOP_K,
    G_CANDIDATES,
    G_MAX_TOKENS,
    G_STOP,
    G_MIME,
    G_SCHEMA,
    G_JSON_SCHEMA,
    G_PRESENCE,
    G_FREQUENCY,
    G_LOGPROBS,
    G_THINKING,
    G__N,
};

#define F(json, proto, type, slot, name)                                                                               \
    {                                                                                                                  \
        (json), (proto), (type), (slot), (name)                                                                        \
    }

static const mp_gm_field_t generation_fields[] = {
    F("temperature", "temperature", MP_GM_FLOAT, G_TEMPERATURE, NULL),
    F("topP", "top_p", MP_GM_FLOAT, G_TOP_P, NULL),
    F("topK", "top_k", MP_GM_FLOAT, G_TOP_K, NULL),
    F("candidateCount", "candidate_count", MP_GM_INT, G_CANDIDATES, NULL),
    F("maxOutputTokens", "max_output_tokens", MP_GM_INT, G_MAX_TOKENS, NULL),
    F("stopSequences", "stop_sequences", MP_GM_LIST, G_STOP, "TYPE_STRING"),
    F("responseMimeType", "response_mime_type", MP_GM_STRING, G_MIME, NULL),
    F("responseSchema", "response_schema", MP_GM_OBJECT, G_SCHEMA, "Schema"),
    F("responseJsonSchema", "response_json_schema", MP_GM_ANY, G_JSON_SCHEMA, NULL),
    F("presencePenalty", "presence_penalty", MP_GM_FLOAT, G_PRESENCE, NULL),
    F("frequencyPenalty", "frequency_penalty", MP_GM_FLOAT, G_FREQUENCY, NULL),
    F("responseLogprobs", "response_logprobs", MP_GM_BOOL, -1, NULL),
    F("logprobs", "logprobs", MP_GM_INT, G_LOGPROBS, NULL),
    F("seed", "seed", MP_GM_INT, -1, NULL),
    F("responseModalities", "response_modalities", MP_GM_LIST, -1, "Modality"),
    F("mediaResolution", "media_resolution", MP_GM_STRING, -1, NULL),
    F("speechConfig", "speech_config", MP_GM_MAP, -1, "SpeechConfig"),
    F("thinkingConfig", "thinking_config", MP_GM_OBJECT, G_THINKING, "ThinkingConfig"),
    F("audioTimestamp", "audio_timestamp", MP_GM_BOOL, -1, NULL),
    F("routingConfig", "routing_config", MP_GM_MAP, -1, "RoutingConfig"),
    F("modelSelectionConfig", "model_selection_config", MP_GM_MAP, -1, "ModelSelectionConfig"),
    F("imageConfig", "image_config", MP_GM_MAP, -1, "ImageConfig"),
    F("enableAffectiveDialog", "enable_affective_dialog", MP_GM_BOOL, -1, NULL),
    F("enableEnhancedCivicAnswers", "enable_enhanced_civic_answers", MP_GM_BOOL, -1, NULL),
    F("responseJsonSchemaOrdering", "response_json_schema_ordering", MP_GM_ANY, -1, NULL),
};

#define NFIELDS(t) (sizeof(t) / sizeof((t)[0]))

static double num(const mp_gm_ctx_t *c, uint32_t t, double dflt)
{
    double v = dflt;
    if (t != 0)
        cm_json_double(&c->d, t, &v);
    return v;
}

/* Vertex's wording for a sampling parameter out of its range (the Gemini API's is close). */
static int out_of_range(mp_gm_ctx_t *c, const char *param, uint32_t t, const char *lo, const char *hi)
{
    char v[40], path[64];
    shown(c->d.src + c->d.tok[t].start, c->d.tok[t].len, v, sizeof(v));
    mp_gm_path(path, sizeof(path), "generation_config.%s", param);
    return mp_gm_invalid(c, path,
                         "Unable to submit request because it has a %s value of %s but the supported range is from %s "
                         "(inclusive) to %s (exclusive). Update the value and try again.",
                         param, v, lo, hi);
}

static int sampling(mp_gm_ctx_t *c, const uint32_t *g)
{
    mp_request_t *r = c->req;
    r->temperature = num(c, g[G_TEMPERATURE], 1.0);
    r->top_p = num(c, g[G_TOP_P], 0.95);
    if (!(r->temperature >= 0 && r->temperature <= 2))
        return out_of_range(c, "temperature", g[G_TEMPERATURE], "0", "2.0001");
    if (!(r->top_p >= 0 && r->top_p <= 1))
        return out_of_range(c, "topP", g[G_TOP_P], "0", "1.0001");
    if (g[G_TOP_K] != 0 && !(num(c, g[G_TOP_K], 1) >= 1))
        return out_of_range(c, "topK", g[G_TOP_K], "1", "inf");
    double pp = num(c, g[G_PRESENCE], 0), fp = num(c, g[G_FREQUENCY], 0);
    if (!(pp >= -2 && pp < 2))
        return out_of_range(c, "presencePenalty", g[G_PRESENCE], "-2", "2");
    if (!(fp >= -2 && fp < 2))
        return out_of_range(c, "frequencyPenalty", g[G_FREQUENCY], "-2", "2");
    if (g[G_LOGPROBS] != 0 && !(num(c, g[G_LOGPROBS], 0) >= 0 && num(c, g[G_LOGPROBS], 0) <= 20))
        return out_of_range(c, "logprobs", g[G_LOGPROBS], "0", "21");
    return 0;
}

/* candidateCount (1..8), maxOutputTokens (0 is unset, as proto3 has it) and stopSequences (up to 5). */
static int lengths(mp_gm_ctx_t *c, const uint32_t *g)
{
    int64_t v;
    mp_request_t *r = c->req;
    if (g[G_CANDIDATES] != 0 && cm_json_int(&c->d, g[G_CANDIDATES], &v) == 0) {
        if (v < 1 || v > MP_GM_MAX_CANDIDATES)
            return mp_gm_invalid(c, "generation_config.candidate_count",
                                 "* GenerateContentRequest.generation_config.candidate_count: candidate_count must be "
                                 "between 1 and %d.\n",
                                 MP_GM_MAX_CANDIDATES);
        r->n = (uint32_t)v;
    }
    if (g[G_MAX_TOKENS] != 0 && cm_json_int(&c->d, g[G_MAX_TOKENS], &v) == 0) {
        if (v < 0)
            return mp_gm_invalid(c, "generation_config.max_output_tokens",
                                 "* GenerateContentRequest.generation_config.max_output_tokens: max_output_tokens must "
                                 "be positive.\n");
        r->max_tokens = v > 0 ? v : -1;
    }
    uint32_t stop = g[G_STOP], i = 0;
    if (stop != 0 && c->d.tok[stop].count > MP_GM_MAX_STOP_SEQUENCES)
        return mp_gm_invalid(c, "generation_config.stop_sequences",
                             "* GenerateContentRequest.generation_config.stop_sequences: the number of stop sequences "
                             "must not exceed %d.\n",
                             MP_GM_MAX_STOP_SEQUENCES);
    for (uint32_t e = stop ? cm_json_first(&c->d, stop) : 0; e != 0; e = cm_json_next(&c->d, e), i++) {
        char path[64];
        mp_gm_path(path, sizeof(path), "generation_config.stop_sequences[%u]", i);
        if (cm_json_type(&c->d, e) != CM_JSON_STRING)
            return mp_gm_bad_value(c, path, "TYPE_STRING", e);
        mp_stop_add(r, cm_json_raw(&c->d, e)); /* at most MP_GM_MAX_STOP_SEQUENCES, below the common limit */
    }
    return 0;
}

static bool str_is(const mp_gm_ctx_t *c, uint32_t t, const char *s)
{
    return t != 0 && cm_json_type(&c->d, t) == CM_JSON_STRING && cm_json_str_eq(&c->d, t, s);
}

/* The value a JSON-mode answer without a schema follows: an object with one string, as the model would
 * write when asked for JSON. */
static const char default_json_schema[] =
    "{\"type\":\"object\",\"properties\":{\"response\":{\"type\":\"string\"}},\"required\":[\"response\"]}";

/* text/x.enum answers with the enum value as plain text: the generated JSON string, decoded. */
static void unquote(mp_gm_ctx_t *c, const char **text)
{
    cm_json_toks_t toks = {0};
    cm_json_doc_t d;
    char jerr[64];
    size_t n = strlen(*text);
    if (cm_json_parse(&d, *text, n, &toks, jerr, sizeof(jerr)) == 0 && cm_json_type(&d, 0) == CM_JSON_STRING) {
        char *plain = cm_alloc(c->a, n + 1);
        cm_json_unescape(&d, 0, plain, n + 1);
        *text = plain;
    }
    cm_json_toks_free(&toks);
}

/* responseMimeType and responseSchema / responseJsonSchema: JSON valid against the schema (or an enum value
 * as text), which the fake model answers with instead of words. */
static int structured(mp_gm_ctx_t *c, const uint32_t *g)
{
    static const char *const mimes[] = {"text/plain", "application/json", "application/xml", "application/yaml",
                                        "text/x.enum"};
    uint32_t mime = g[G_MIME], schema = g[G_SCHEMA], jschema = g[G_JSON_SCHEMA];
    bool known = mime == 0;
    for (size_t i = 0; i < NFIELDS(mimes) && !known; i++)
        known = str_is(c, mime, mimes[i]);
    if (!known)
        return mp_gm_invalid(c, "generation_config.response_mime_type",
                             "* GenerateContentRequest.generation_config.response_mime_type: allowed mimetypes are "
                             "`text/plain`, `application/json`, `application/xml`, `application/yaml` and "
                             "`text/x.enum`.\n");
    if (schema != 0 && jschema != 0)
        return mp_gm_invalid(c, "generation_config.response_json_schema",
                             "* GenerateContentRequest.generation_config.response_json_schema: response_json_schema "
                             "and response_schema cannot both be set.\n");
    bool json = str_is(c, mime, "application/json"), enm = str_is(c, mime, "text/x.enum");
    if ((schema != 0 || jschema != 0) && !json && !enm)
        return mp_gm_invalid(c, "generation_config.response_schema",
                             "* GenerateContentRequest.generation_config.response_schema: only supported with "
                             "response_mime_type `application/json` or `text/x.enum`.\n");
    if (!json && !enm)
        return 0;
    char why[160];
    uint64_t seed = c->convo_hash ^ 0x5eedf00du;
    int rc =
        schema != 0 || jschema != 0
            ? mp_gm_generate(c, schema ? schema : jschema, schema == 0, seed, 0, &c->req->structured, why, sizeof(why))
            : mp_gm_generate_text(c, default_json_schema, seed, 0, &c->req->structured, why, sizeof(why));
    if (rc != 0)
        return mp_gm_invalid(c, schema ? "generation_config.response_schema" : "generation_config.response_json_schema",
                             "* GenerateContentRequest.generation_config.response_schema: the schema %s.\n", why);
    if (enm)
        unquote(c, &c->req->structured);
    return 0;
}

static int generation_config(mp_gm_ctx_t *c, uint32_t gen)
{
    uint32_t g[G__N] = {0};
    if (gen == 0)
        return structured(c, g);
    if (mp_gm_scan(c, gen, "generation_config", generation_fields, NFIELDS(generation_fields), g) != 0)
        return -1;
    if (sampling(c, g) != 0 || lengths(c, g) != 0 || mp_gm_thinking_config(c, g[G_THINKING]) != 0)
        return -1;
    return structured(c, g);
}

/* ---- generateContent and countTokens ---------------------------------------------------------------------- */

enum { R_CONTENTS, R_SYSTEM, R_TOOLS, R_TOOL_CONFIG, R_GEN, R_SAFETY, R_NESTED, R__N };

static const mp_gm_field_t generate_fields[] = {
    F("contents", "contents", MP_GM_LIST, R_CONTENTS, "Content"),
    F("systemInstruction", "system_instruction", MP_GM_OBJECT, R_SYSTEM, "Content"),
    F("tools", "tools", MP_GM_LIST, R_TOOLS, "Tool"),
    F("toolConfig", "tool_config", MP_GM_OBJECT, R_TOOL_CONFIG, "ToolConfig"),
    F("generationConfig", "generation_config", MP_GM_OBJECT, R_GEN, "GenerationConfig"),
    F("safetySettings", "safety_settings", MP_GM_LIST, R_SAFETY, "SafetySetting"),
    F("cachedContent", "cached_content", MP_GM_STRING, -1, NULL),
    F("model", "model", MP_GM_STRING, -1, NULL),
    F("labels", "labels", MP_GM_MAP, -1, NULL),
    F("serviceTier", "service_tier", MP_GM_STRING, -1, NULL),
    F("store", "store", MP_GM_BOOL, -1, NULL),
};

/* countTokens takes contents, or (Gemini API) a whole generateContentRequest, or (Vertex) the request's parts. */
static const mp_gm_field_t count_fields[] = {
    F("contents", "contents", MP_GM_LIST, R_CONTENTS, "Content"),
    F("systemInstruction", "system_instruction", MP_GM_OBJECT, R_SYSTEM, "Content"),
    F("tools", "tools", MP_GM_LIST, R_TOOLS, "Tool"),
    F("generationConfig", "generation_config", MP_GM_OBJECT, R_GEN, "GenerationConfig"),
    F("generateContentRequest", "generate_content_request", MP_GM_OBJECT, R_NESTED, "GenerateContentRequest"),
    F("model", "model", MP_GM_STRING, -1, NULL),
    F("instances", "instances", MP_GM_LIST, -1, "Value"),
};

static const mp_gm_field_t safety_fields[] = {
    F("category", "category", MP_GM_STRING, -1, NULL),
    F("threshold", "threshold", MP_GM_STRING, -1, NULL),
    F("method", "method", MP_GM_STRING, -1, NULL),
};

static int safety(mp_gm_ctx_t *c, uint32_t list)
{
    uint32_t i = 0, none[1];
    for (uint32_t e = list ? cm_json_first(&c->d, list) : 0; e != 0; e = cm_json_next(&c->d, e), i++) {
        char path[48];
        mp_gm_path(path, sizeof(path), "safety_settings[%u]", i);
        if (cm_json_type(&c->d, e) != CM_JSON_OBJECT)
            return mp_gm_bad_value(c, path, "SafetySetting", e);
        if (mp_gm_scan(c, e, path, safety_fields, NFIELDS(safety_fields), none) != 0)
            return -1;
    }
    return 0;
}

static int parse_generate(mp_gm_ctx_t *c, uint32_t obj)
{
    uint32_t s[R__N];
    if (mp_gm_scan(c, obj, "", generate_fields, NFIELDS(generate_fields), s) != 0)
        return -1;
    if (mp_gm_contents(c, s[R_CONTENTS], s[R_SYSTEM]) != 0 || safety(c, s[R_SAFETY]) != 0)
        return -1;
    if (generation_config(c, s[R_GEN]) != 0)
        return -1;
    return mp_gm_tools(c, s[R_TOOLS], s[R_TOOL_CONFIG]);
}

static int parse_count(mp_gm_ctx_t *c)
{
    uint32_t s[R__N];
    if (mp_gm_scan(c, 0, "", count_fields, NFIELDS(count_fields), s) != 0)
        return -1;
    if (s[R_NESTED] != 0) {
        uint32_t n[R__N];
        if (mp_gm_scan(c, s[R_NESTED], "generate_content_request", generate_fields, NFIELDS(generate_fields), n) != 0)
            return -1;
        return mp_gm_contents(c, n[R_CONTENTS], n[R_SYSTEM]);
    }
    return mp_gm_contents(c, s[R_CONTENTS], s[R_SYSTEM]);
}

int mp_gm_parse(const mp_route_t *route, const char *body, size_t len, cm_json_toks_t *scratch, const cm_allocator_t *a,
                mp_request_t *req, mp_error_t *err)
{
    memset(req, 0, sizeof(*req));
    req->api = route->api;
    req->route = route;
    req->model = route->model;
    req->stream = route->stream;
    req->n = 1;
    req->max_tokens = -1;
    req->temperature = 1.0;
    req->top_p = 0.95;
    if (route->api == MP_API_MODELS)
        return 0;
    static const char empty[] = "{}"; /* an empty body is an empty message, as for Google's parser */
    if (len == 0) {
        body = empty;
        len = 2;
    }
    mp_gm_ctx_t c = {.a = a, .req = req, .err = err};
    c.fl = mp_gm_flavor(route->variant & MP_GM_V_VERTEX ? &mp_vertex_provider : &mp_gemini_provider);
    char jerr[160];
    if (cm_json_parse(&c.d, body, len, scratch, jerr, sizeof(jerr)) != 0) {
        mp_error_preset(c.fl->provider, err, MP_ERR_INVALID_JSON, NULL);
        return -1;
    }
    if (cm_json_type(&c.d, 0) != CM_JSON_OBJECT)
        return mp_gm_invalid(&c, "",
                             "Invalid JSON payload received. Unknown name \"\": Root element must be a message.");
    c.convo_hash = cm_hash64(body, len, 0x9e3779b9u);
    switch (route->api) {
    case MP_API_GENERATE:
        return parse_generate(&c, 0);
    case MP_API_COUNT_TOKENS:
        return parse_count(&c);
    case MP_API_EMBEDDINGS:
        return mp_gm_parse_embeddings(&c);
    default:
        mp_error_set(err, MP_ERR_SERVER, "", "unknown api %d", (int)route->api);
        return -1;
    }
}
