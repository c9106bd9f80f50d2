/* mock-provider/deployment.h — one fake deployment: its own listener (api_base), provider shape, accepted
 * models and keys, latency and output-length models.
 *
 * A deployment's settings are read-only once the server runs. The admin API (admin/admin.h) changes a deployment
 * by publishing a new immutable copy of it (snapshot.h): name, index, provider, ops and listen address stay;
 * everything else may differ between snapshots. */
#ifndef MP_DEPLOYMENT_H
#define MP_DEPLOYMENT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/dist.h"
#include "mock-provider/quota/quota.h"

struct mp_provider;
struct fx_set;

/* Index into the provider registry (providers/provider.c); a deployment's provider: key names one. */
typedef enum mp_provider_kind {
    MP_PROVIDER_OPENAI,
    MP_PROVIDER_AZURE,
    MP_PROVIDER_GEMINI,
    MP_PROVIDER_VERTEX,
    MP_PROVIDER_ANTHROPIC,
    MP_PROVIDER__COUNT,
} mp_provider_kind_t;

typedef enum mp_content_mode {
    MP_CONTENT_POOL, /* deterministic words from a seeded pool */
    MP_CONTENT_ECHO, /* the last user message (or prompt/input), token by token, capped by the length model */
} mp_content_mode_t;

/* Budget of one response when the deployment sets none: room for 2048 embeddings of 1536 floats, or 128
 * streamed choices of the default length model, while one request can never hold more than this. */
#define MP_DEFAULT_MAX_RESPONSE (64ull * 1024 * 1024)
/* Range of max_response in a config. */
#define MP_MIN_MAX_RESPONSE (64ull * 1024)
#define MP_MAX_MAX_RESPONSE (1024ull * 1024 * 1024)

/* Most tokens one stream chunk carries (tokens_per_chunk draws are clamped to 1..this). */
#define MP_MAX_TOKENS_PER_CHUNK 1024

/* Most tool calls in one answer (tool_calls: {parallel: N}); parse prepares this many calls at most. */
#define MP_MAX_PARALLEL_CALLS 4

typedef struct mp_deployment {
    char *name;
    uint32_t index; /* position in the table; used for per-deployment metric arrays */
    mp_provider_kind_t provider;
    const struct mp_provider *ops;

    char *listen_host;    /* numeric address: "127.0.0.1", "::1", "0.0.0.0" */
    uint16_t listen_port; /* 0 until bound when configured as 0 */

    char **models; /* accepted model names; nmodels == 0 accepts any model */
    size_t nmodels;
    char **api_keys; /* accepted keys (Authorization: Bearer K); nkeys == 0 accepts any or none */
    size_t nkeys;

    cm_dist_t ttft;              /* ns: from the end of prefill to the first token */
    cm_dist_t itl;               /* ns: between tokens */
    cm_dist_t prefill_per_token; /* ns per prompt token, added before the first token */
    cm_dist_t output_tokens;     /* count, capped by the request's max_tokens */
    cm_dist_t tokens_per_chunk;  /* count: tokens per stream chunk (per choice), drawn per chunk; default 1 */

    mp_content_mode_t content;
    bool tool_calls;               /* answer with a tool call when the request offers tools (tool_auto > 0) */
    bool reasoning;                /* OpenAI chat answers reason first (reasoning_content), asked or not */
    uint8_t tool_parallel;         /* most calls in one answer (tool_calls: {parallel: N}, 1..4); 0 or 1: one */
    double tool_auto;              /* probability of a call under tool_choice auto: p for tool_calls: {auto: p};
                                      0 means all or nothing, as tool_calls says */
    uint32_t embedding_dimensions; /* default for models not in the built-in table; 0 = 1536 */
    uint64_t max_response;         /* bytes: budget of one response (providers/budget.h); 0 = the default */
    uint64_t seed;
    struct fx_set *faults; /* request faults (faults/fault.h), NULL when none; only their counters change */
    void *provider_cfg;    /* the provider's own settings (mp_provider_t.read_config), NULL when none */
    bool limited;          /* limits: was given */
    mp_quota_config_t limits;
    struct mp_quota *quota; /* the deployment's quota engine while the server runs (thread-safe), else NULL */
    char *source;           /* the deployment as configured, as JSON text (what the admin API shows and merges
                               into); NULL until the reader or the server fills it */
} mp_deployment_t;

#endif
