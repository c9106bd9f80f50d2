/* harness/engine/workload.h — what the load sends: the API table, request templates and their weighted mix.
 *
 * The API table maps a name ("openai.chat", "azure.chat", "anthropic.messages", "gemini.generate", ...) to
 * the path appended to the target's api_base (with the model in it where the provider puts it there), how
 * the API key is sent, the stream dialect and a body builder; adding a provider shape is one entry in
 * workload.c, and `soak --help` lists the table. The entry "http" is the generic kind (harness/engine/httpreq.h):
 * its method, path, headers and raw body come from the template, and it has no model. A workload is a list of
 * request templates compiled once (models interned, literal text pre-escaped, header lines merged) and then
 * shared read-only by every engine thread; each thread keeps its own random generator and model cursors. */
#ifndef HX_WORKLOAD_H
#define HX_WORKLOAD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/buf.h"
#include "common/dist.h"
#include "harness/measure/stats.h"
#include "harness/measure/stream.h"
#include "harness/engine/httpreq.h"
#include "harness/engine/template.h"

typedef struct hx_reqtpl hx_reqtpl_t;

/* How a template's API key is sent. */
typedef enum hx_auth {
    HX_AUTH_BEARER,    /* Authorization: Bearer KEY (OpenAI, Vertex) */
    HX_AUTH_API_KEY,   /* api-key: KEY (Azure) */
    HX_AUTH_X_API_KEY, /* x-api-key: KEY (Anthropic) */
    HX_AUTH_GOOG,      /* x-goog-api-key: KEY (Gemini API) */
} hx_auth_t;

typedef struct hx_api {
    const char *name; /* "openai.chat" */
    /* Appended to the api_base: "/chat/completions"; "{model}" stands for the request's model
     * (percent-encoded), as in "/v1beta/models/{model}:generateContent". */
    const char *path;
    const char *stream_path;    /* the path of a streamed request when it differs (Gemini), else NULL */
    bool streams;               /* the API can stream */
    hx_dialect_t dialect;       /* how its stream is read */
    bool takes_input;           /* the body has an "input" (a template's `input`, else its prompt) */
    const char *max_tokens_key; /* body key for the output limit; NULL: the API has none */
    hx_auth_t auth;
    const char *header; /* a header line every request of the API carries ("anthropic-version: ..."), or NULL */
    const char *about;  /* one line for --help */
    /* Appends the JSON body for one request. model_json is the model name already quoted and escaped. */
    void (*build)(const hx_reqtpl_t *rq, const char *model_json, cm_rng_t *rng, uint64_t seq, cm_buf_t *out);
} hx_api_t;

/* The entry called name, or NULL. */
const hx_api_t *hx_api_find(const char *name);
/* Every API name, comma separated, for error messages ("openai.chat, openai.completions, ..."). */
const char *hx_api_list(void);
/* The table, for --help: entry i, or NULL past the end. */
const hx_api_t *hx_api_at(size_t i);
/* What an API's body can carry (apis.c): api: http (a raw body), a user field (not Gemini), a reasoning
 * effort (OpenAI and Azure chat and Responses), a reasoning summary (Responses: reasoning.summary; Gemini and
 * Vertex generate: thinkingConfig.includeThoughts, Google's thought summaries). */
bool hx_api_is_http(const hx_api_t *a);
bool hx_api_takes_user(const hx_api_t *a);
bool hx_api_takes_reasoning(const hx_api_t *a);
bool hx_api_takes_summary(const hx_api_t *a);
/* The reasoning efforts OpenAI accepts (reasoning_effort in chat, reasoning.effort in Responses). */
#define HX_REASONING_EFFORTS "none", "minimal", "low", "medium", "high"
/* The entry of HX_REASONING_EFFORTS equal to s (a static string), or NULL with a reason in err (err may be
 * NULL). */
const char *hx_reasoning_effort(const char *s, char *err, size_t errlen);
/* The reasoning summaries OpenAI accepts (Responses reasoning.summary); Google's have no modes, any of them
 * asks for the thoughts. */
#define HX_REASONING_SUMMARIES "auto", "concise", "detailed"
/* The entry of HX_REASONING_SUMMARIES equal to s, or NULL with a reason in err (err may be NULL). */
const char *hx_reasoning_summary(const char *s, char *err, size_t errlen);

/* A request template as written by people (config or flags). Strings are borrowed during hx_workload_init. */
typedef struct hx_reqspec {
    const char *name;          /* display name; NULL: derived from api and stream */
    const char *api;           /* required */
    double weight;             /* > 0 */
    const char *const *models; /* cycled through in order, per thread */
    size_t nmodels;            /* >= 1 */
    bool stream;
    int include_usage;          /* stream_options.include_usage: -1 default (on when streaming), 0, 1 */
    const char *prompt;         /* template */
    uint32_t repeat;            /* >= 1 */
    const char *input;          /* embeddings/responses input template; NULL: the prompt */
    int64_t max_tokens;         /* < 0: not sent */
    const char *user;           /* NULL: not sent */
    const char *reasoning_effort; /* one of HX_REASONING_EFFORTS, NULL: not sent */
    const char *reasoning_summary; /* one of HX_REASONING_SUMMARIES, NULL: not sent */
    const char *const *headers; /* "Name: value" */
    size_t nheaders;
    const char *api_key; /* NULL: the workload's default key, if any */
    /* api: http only (any of them set on another kind is an error) */
    int method;                           /* hx_method_t, or -1: GET, or POST when a body is given */
    const char *path;                     /* required: "/..." or an absolute URL */
    bool from_host;                       /* base: host (the path goes after the target's host, not its api_base) */
    const char *body;                     /* raw template, NULL: no body */
    const hx_status_set_t *expect_status; /* NULL: 200-299 */
    bool check_json;
    const char *contains; /* NULL: no substring check */
} hx_reqspec_t;

/* How connections are used: load.connections for the run's pool, or a group's own (load.groups[].connections). */
typedef struct hx_conn_policy {
    uint32_t max_requests; /* 0: unlimited */
    uint64_t max_age_ns;   /* 0: unlimited */
    bool churn;            /* a new connection for every request */
} hx_conn_policy_t;

/* Request headers a template may carry (its own plus the workload's), and the longest header line. */
#define HX_MAX_HEADERS 64
#define HX_HEADER_LINE_MAX 8192
/* The model index of a result that has none (api: http): not counted per model. */
#define HX_MODEL_NONE UINT16_MAX

struct hx_reqtpl {
    char *name;
    const hx_api_t *api;
    double weight;
    uint16_t *models; /* indexes into hx_workload_t.models */
    size_t nmodels;
    bool stream, include_usage;
    hx_tmpl_t prompt;
    uint32_t repeat;
    hx_tmpl_t input;
    bool has_input;
    int64_t max_tokens;
    char *user_json; /* quoted and escaped, or NULL */
    const char *reasoning_effort; /* one of HX_REASONING_EFFORTS (a static string), or NULL */
    const char *reasoning_summary; /* one of HX_REASONING_SUMMARIES (a static string), or NULL */
    char **headers;  /* final header lines: Content-Type, Authorization, extras (later names override) */
    size_t nheaders;
    bool static_body; /* no placeholders: the body depends on the model alone, see hx_workload_body_static */
    hx_http_t *http;  /* api: http, else NULL */
};

typedef struct hx_workload {
    hx_reqtpl_t *reqs;
    size_t nreqs;
    char **models;      /* distinct model names, in first-seen order */
    char **models_json; /* the same, quoted and escaped */
    size_t nmodels;
    double *cum_weight; /* running sum of weights, for the weighted pick */
} hx_workload_t;

/* Builds the workload from n specs. headers/api_key are defaults for every template (a template's own
 * headers override same-named ones; its api_key wins). Errors are returned in err naming the template and
 * the field ("requests[1].api: unknown api \"openai.chats\" (expected ...)"); w is then empty and safe to
 * free. At most HX_MAX_REQUESTS templates and HX_MAX_MODELS distinct models. */
int hx_workload_init(hx_workload_t *w, const hx_reqspec_t *specs, size_t n, const char *const *headers, size_t nheaders,
                     const char *api_key, char *err, size_t errlen);
void hx_workload_free(hx_workload_t *w);
/* Adds header line "Name: value" to every template, replacing a header of that name (the scenario runner's
 * gateway config, known only once the processes run). The line must pass hx_header_check. */
void hx_workload_add_header(hx_workload_t *w, const char *line);

/* Checks a header line "Name: value" (a token name, no CR or LF). Returns 0 or -1 with a reason. */
int hx_header_check(const char *line, char *err, size_t errlen);
/* Checks an API key, which is sent as a header value: no CR or LF (a key with "\r\nName: v" would add a
 * header), at most HX_HEADER_LINE_MAX bytes. Returns 0 or -1 with a reason. */
int hx_api_key_check(const char *key, char *err, size_t errlen);

/* Picks a template index by weight. */
uint32_t hx_workload_pick(const hx_workload_t *w, cm_rng_t *rng);
/* The same among templates [first, first + n) (a group's), by their weights. */
uint32_t hx_workload_pick_range(const hx_workload_t *w, uint32_t first, uint32_t n, cm_rng_t *rng);
/* The next model of template req for a thread: cursor is that thread's position (start at 0). */
uint16_t hx_workload_model(const hx_workload_t *w, uint32_t req, uint32_t *cursor);
/* True when template req's body is the same for every request with the same model (no {{uuid}} or {{seq}}
 * in its prompt or input), so a body built once may be sent again without rebuilding it. */
bool hx_workload_body_static(const hx_workload_t *w, uint32_t req);
/* The path template req's requests for model index `model` go to (appended to the api_base), allocated. */
char *hx_workload_path(const hx_workload_t *w, uint32_t req, uint16_t model);
/* The whole URL of template req for model index `model` against target `base` (an api_base), allocated:
 * base + path, as the OpenAI SDKs join them (one slash between); an api: http template's absolute URL as it
 * is, and its `base: host` path after the base's scheme://host:port. */
char *hx_workload_url(const hx_workload_t *w, uint32_t req, uint16_t model, const char *base);
/* Model slots per template in per-model tables (URLs): the distinct models, at least 1 (an all-http workload
 * has none, and its templates use slot 0). */
static inline size_t hx_workload_model_slots(const hx_workload_t *w)
{
    return w->nmodels > 0 ? w->nmodels : 1;
}
/* Whether template req uses model index `model` (an api: http template uses slot 0 only). */
bool hx_workload_uses(const hx_workload_t *w, uint32_t req, uint16_t model);

/* Replaces out's contents with the JSON body of template req for model index `model`. */
void hx_workload_body(const hx_workload_t *w, uint32_t req, uint16_t model, cm_rng_t *rng, uint64_t seq, cm_buf_t *out);

#endif
