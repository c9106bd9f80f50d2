/* harness/engine/apis.c — the APIs a request template may call (the table behind --api and requests[].api):
 * each one's path, stream dialect, authentication and the builder of its JSON body. Apart from workload.c,
 * which turns templates into requests, so that an API added here does not grow the workload's code. */
#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include "harness/engine/workload.h"

/* ---- body builders ---------------------------------------------------------------------------------- */

/* The builders write JSON by hand rather than through cm_jw: at tens of thousands of requests a second the
 * body is the hot path, and every variable part is either pre-escaped or made of safe characters. */

static void put_prompt(const hx_reqtpl_t *rq, const hx_tmpl_t *t, cm_rng_t *rng, uint64_t seq, cm_buf_t *out)
{
    cm_buf_putc(out, '"');
    hx_tmpl_render_json(t, out, rq->repeat, rng, seq);
    cm_buf_putc(out, '"');
}

/* A reasoning effort is one of HX_REASONING_EFFORTS and a summary one of HX_REASONING_SUMMARIES (checked when
 * read), so they need no escaping. Chat takes the effort as reasoning_effort, Responses both in its reasoning
 * object (docs/mock-openai.md "Reasoning"). */
static void put_common_tail(const hx_reqtpl_t *rq, cm_buf_t *out)
{
    if (rq->max_tokens >= 0 && rq->api->max_tokens_key != NULL)
        cm_buf_printf(out, ",\"%s\":%lld", rq->api->max_tokens_key, (long long)rq->max_tokens);
    if (rq->user_json != NULL) {
        cm_buf_puts(out, ",\"user\":");
        cm_buf_puts(out, rq->user_json);
    }
    if (rq->api->dialect == HX_DIALECT_OPENAI_RESPONSES && (rq->reasoning_effort || rq->reasoning_summary)) {
        cm_buf_puts(out, ",\"reasoning\":{");
        if (rq->reasoning_effort != NULL)
            cm_buf_printf(out, "\"effort\":\"%s\"%s", rq->reasoning_effort, rq->reasoning_summary ? "," : "");
        if (rq->reasoning_summary != NULL)
            cm_buf_printf(out, "\"summary\":\"%s\"", rq->reasoning_summary);
        cm_buf_putc(out, '}');
    } else if (rq->reasoning_effort != NULL)
        cm_buf_printf(out, ",\"reasoning_effort\":\"%s\"", rq->reasoning_effort);
}

static void put_stream(const hx_reqtpl_t *rq, bool usage_option, cm_buf_t *out)
{
    if (!rq->stream)
        return;
    cm_buf_puts(out, ",\"stream\":true");
    if (usage_option && rq->include_usage)
        cm_buf_puts(out, ",\"stream_options\":{\"include_usage\":true}");
}

static void build_chat(const hx_reqtpl_t *rq, const char *model_json, cm_rng_t *rng, uint64_t seq, cm_buf_t *out)
{
    cm_buf_puts(out, "{\"model\":");
    cm_buf_puts(out, model_json);
    cm_buf_puts(out, ",\"messages\":[{\"role\":\"user\",\"content\":");
    put_prompt(rq, &rq->prompt, rng, seq, out);
    cm_buf_puts(out, "}]");
    put_common_tail(rq, out);
    put_stream(rq, true, out);
    cm_buf_putc(out, '}');
}

static void build_completions(const hx_reqtpl_t *rq, const char *model_json, cm_rng_t *rng, uint64_t seq, cm_buf_t *out)
{
    cm_buf_puts(out, "{\"model\":");
    cm_buf_puts(out, model_json);
    cm_buf_puts(out, ",\"prompt\":");
    put_prompt(rq, &rq->prompt, rng, seq, out);
    put_common_tail(rq, out);
    put_stream(rq, true, out);
    cm_buf_putc(out, '}');
}

static void build_input(const hx_reqtpl_t *rq, const char *model_json, cm_rng_t *rng, uint64_t seq, cm_buf_t *out)
{
    cm_buf_puts(out, "{\"model\":");
    cm_buf_puts(out, model_json);
    cm_buf_puts(out, ",\"input\":");
    put_prompt(rq, rq->has_input ? &rq->input : &rq->prompt, rng, seq, out);
    put_common_tail(rq, out);
    put_stream(rq, false, out);
    cm_buf_putc(out, '}');
}

/* Anthropic: max_tokens is required, so a template without one sends MAX_TOKENS_DEFAULT; the user goes in
 * metadata.user_id (Anthropic refuses unknown top-level fields). */
#define ANTHROPIC_MAX_TOKENS_DEFAULT 1024

static void build_anthropic(const hx_reqtpl_t *rq, const char *model_json, cm_rng_t *rng, uint64_t seq, cm_buf_t *out)
{
    cm_buf_puts(out, "{\"model\":");
    cm_buf_puts(out, model_json);
    cm_buf_printf(out, ",\"max_tokens\":%lld",
                  (long long)(rq->max_tokens >= 0 ? rq->max_tokens : ANTHROPIC_MAX_TOKENS_DEFAULT));
    cm_buf_puts(out, ",\"messages\":[{\"role\":\"user\",\"content\":");
    put_prompt(rq, &rq->prompt, rng, seq, out);
    cm_buf_puts(out, "}]");
    if (rq->user_json != NULL) {
        cm_buf_puts(out, ",\"metadata\":{\"user_id\":");
        cm_buf_puts(out, rq->user_json);
        cm_buf_putc(out, '}');
    }
    if (rq->stream)
        cm_buf_puts(out, ",\"stream\":true");
    cm_buf_putc(out, '}');
}

/* Gemini and Vertex: the model is in the path, the stream in the method name; the body has no model. A
 * reasoning summary asks for the thoughts (thinkingConfig.includeThoughts): a thinking model shows them. */
static void build_gemini(const hx_reqtpl_t *rq, const char *model_json, cm_rng_t *rng, uint64_t seq, cm_buf_t *out)
{
    (void)model_json;
    cm_buf_puts(out, "{\"contents\":[{\"role\":\"user\",\"parts\":[{\"text\":");
    put_prompt(rq, &rq->prompt, rng, seq, out);
    cm_buf_puts(out, "}]}]");
    if (rq->max_tokens >= 0 || rq->reasoning_summary != NULL) {
        cm_buf_puts(out, ",\"generationConfig\":{");
        if (rq->max_tokens >= 0)
            cm_buf_printf(out, "\"maxOutputTokens\":%lld%s", (long long)rq->max_tokens,
                          rq->reasoning_summary ? "," : "");
        if (rq->reasoning_summary != NULL)
            cm_buf_puts(out, "\"thinkingConfig\":{\"includeThoughts\":true}");
        cm_buf_putc(out, '}');
    }
    cm_buf_putc(out, '}');
}

static void build_gemini_embed(const hx_reqtpl_t *rq, const char *model_json, cm_rng_t *rng, uint64_t seq,
                               cm_buf_t *out)
{
    (void)model_json;
    cm_buf_puts(out, "{\"content\":{\"parts\":[{\"text\":");
    put_prompt(rq, rq->has_input ? &rq->input : &rq->prompt, rng, seq, out);
    cm_buf_puts(out, "}]}}");
}

/* api: http: the raw body as its author wrote it (nothing when it has none). */
static void build_http(const hx_reqtpl_t *rq, const char *model_json, cm_rng_t *rng, uint64_t seq, cm_buf_t *out)
{
    (void)model_json;
    if (rq->http->has_body)
        hx_tmpl_render(&rq->http->body, out, rng, seq);
}

/* Azure's dated paths carry the deployment (the template's model) and a GA api-version; Vertex's carry a
 * project and location, which a mock deployment accepts unless it pins others. */
#define AZURE_DEPLOYMENT "/openai/deployments/{model}"
#define AZURE_VERSION "?api-version=2024-10-21"
#define VERTEX_MODEL "/v1/projects/soakrig/locations/us-central1/publishers/google/models/{model}"

static const hx_api_t apis[] = {
    {"openai.chat", "/chat/completions", NULL, true, HX_DIALECT_OPENAI_CHAT, false, "max_tokens", HX_AUTH_BEARER, NULL,
     "OpenAI chat completions (api_base ends in /v1)", build_chat},
    {"openai.completions", "/completions", NULL, true, HX_DIALECT_OPENAI_COMPLETIONS, false, "max_tokens",
     HX_AUTH_BEARER, NULL, "OpenAI legacy completions", build_completions},
    {"openai.embeddings", "/embeddings", NULL, false, HX_DIALECT_OPENAI_CHAT, true, NULL, HX_AUTH_BEARER, NULL,
     "OpenAI embeddings", build_input},
    {"openai.responses", "/responses", NULL, true, HX_DIALECT_OPENAI_RESPONSES, true, "max_output_tokens",
     HX_AUTH_BEARER, NULL, "OpenAI Responses API", build_input},
    {"azure.chat", AZURE_DEPLOYMENT "/chat/completions" AZURE_VERSION, NULL, true, HX_DIALECT_OPENAI_CHAT, false,
     "max_tokens", HX_AUTH_API_KEY, NULL, "Azure OpenAI chat; the model is the deployment (api_base: the endpoint)",
     build_chat},
    {"azure.completions", AZURE_DEPLOYMENT "/completions" AZURE_VERSION, NULL, true, HX_DIALECT_OPENAI_COMPLETIONS,
     false, "max_tokens", HX_AUTH_API_KEY, NULL, "Azure OpenAI completions", build_completions},
    {"azure.embeddings", AZURE_DEPLOYMENT "/embeddings" AZURE_VERSION, NULL, false, HX_DIALECT_OPENAI_CHAT, true, NULL,
     HX_AUTH_API_KEY, NULL, "Azure OpenAI embeddings", build_input},
    {"azure.responses", "/openai/v1/responses", NULL, true, HX_DIALECT_OPENAI_RESPONSES, true, "max_output_tokens",
     HX_AUTH_API_KEY, NULL, "Azure OpenAI Responses (v1 surface)", build_input},
    {"anthropic.messages", "/v1/messages", NULL, true, HX_DIALECT_ANTHROPIC, false, "max_tokens", HX_AUTH_X_API_KEY,
     "anthropic-version: 2023-06-01", "Anthropic Messages (max_tokens 1024 unless set; api_base: the host)",
     build_anthropic},
    {"gemini.generate", "/v1beta/models/{model}:generateContent",
     "/v1beta/models/{model}:streamGenerateContent?alt=sse", true, HX_DIALECT_GEMINI, false, "maxOutputTokens",
     HX_AUTH_GOOG, NULL, "Gemini API generateContent (stream: streamGenerateContent?alt=sse)", build_gemini},
    {"gemini.embed", "/v1beta/models/{model}:embedContent", NULL, false, HX_DIALECT_GEMINI, true, NULL, HX_AUTH_GOOG,
     NULL, "Gemini API embedContent", build_gemini_embed},
    {"vertex.generate", VERTEX_MODEL ":generateContent", VERTEX_MODEL ":streamGenerateContent?alt=sse", true,
     HX_DIALECT_GEMINI, false, "maxOutputTokens", HX_AUTH_BEARER, NULL,
     "Vertex AI generateContent (project soakrig, location us-central1)", build_gemini},
    {"http", "", NULL, false, HX_DIALECT_OPENAI_CHAT, false, NULL, HX_AUTH_BEARER, NULL,
     "any HTTP request: method, path, headers, body template, expect_status, json/contains check (no model)",
     build_http},
};
#define NAPIS (sizeof(apis) / sizeof(apis[0]))

const hx_api_t *hx_api_find(const char *name)
{
    for (size_t i = 0; i < NAPIS; i++) {
        if (strcmp(apis[i].name, name) == 0)
            return &apis[i];
    }
    return NULL;
}

const hx_api_t *hx_api_at(size_t i)
{
    return i < NAPIS ? &apis[i] : NULL;
}

static char api_names[512];
static pthread_once_t api_names_once = PTHREAD_ONCE_INIT;

static void list_names(void)
{
    size_t o = 0;
    for (size_t i = 0; i < NAPIS && o < sizeof(api_names); i++)
        o += (size_t)snprintf(api_names + o, sizeof(api_names) - o, "%s%s", i ? ", " : "", apis[i].name);
}

const char *hx_api_list(void)
{
    pthread_once(&api_names_once, list_names);
    return api_names;
}

bool hx_api_is_http(const hx_api_t *a)
{
    return a->build == build_http;
}

bool hx_api_takes_user(const hx_api_t *a)
{
    return a->build != build_gemini && a->build != build_gemini_embed;
}

bool hx_api_takes_reasoning(const hx_api_t *a)
{
    return a->build == build_chat || a->dialect == HX_DIALECT_OPENAI_RESPONSES;
}

bool hx_api_takes_summary(const hx_api_t *a)
{
    return a->dialect == HX_DIALECT_OPENAI_RESPONSES || a->build == build_gemini;
}

const char *hx_reasoning_summary(const char *s, char *err, size_t errlen)
{
    static const char *const summaries[] = {HX_REASONING_SUMMARIES};
    for (size_t i = 0; i < sizeof(summaries) / sizeof(summaries[0]); i++)
        if (strcmp(s, summaries[i]) == 0)
            return summaries[i];
    if (err != NULL)
        snprintf(err, errlen, "\"%.40s\": expected auto, concise or detailed", s);
    return NULL;
}

const char *hx_reasoning_effort(const char *s, char *err, size_t errlen)
{
    static const char *const efforts[] = {HX_REASONING_EFFORTS};
    for (size_t i = 0; i < sizeof(efforts) / sizeof(efforts[0]); i++)
        if (strcmp(s, efforts[i]) == 0)
            return efforts[i];
    if (err != NULL)
        snprintf(err, errlen, "\"%.40s\": expected none, minimal, low, medium or high", s);
    return NULL;
}
